"""Connected components of an edge list with large-star / small-star, as DataFrame operations.

The alternating algorithm of Kiveris et al., "Connected Components in MapReduce and Beyond"
(SoCC 2014). Nodes are ``bigint``s; an edge is stored once as ``(src, dst)`` with
``src > dst``. With ``N(u)`` the neighbours of ``u`` and ``m(u) = min(N(u) ∪ {u})``:

- large-star: every neighbour ``v > u`` of ``u`` is re-linked to ``m(u)``;
- small-star: ``u`` and every neighbour ``v < u`` of it are linked to ``m(u)`` among those.

Both keep each component connected and never join two components; alternated, they reach a
fixed point in O(log² n) rounds where every component is a star around its smallest node, so
a node's label is the node its one edge points to. The loop stops as soon as the edges are
such stars (one aggregation per round checks it), which may be before the first round. Each
step is a group-by (the minimum per node, over a window) and a distinct, i.e. two shuffles of
16-byte edges; only joins and aggregations are used (no RDD, no GraphFrames), so it runs over
Spark Connect too.

This gives only the components. Whether a component's members are copies of *its* kept
page is decided afterwards by ``resolve_component`` (the anti-chaining guard), exactly as
the local engine does: transitive closure alone would glue unrelated stories through a chain
of partial overlaps.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

__all__ = ["connected_components"]

#: far above the O(log² n) rounds the algorithm needs for any graph that fits a cluster
MAX_ROUNDS = 100


def _oriented(edges: DataFrame, src: str, dst: str) -> DataFrame:
    """Distinct undirected edges as (larger node, smaller node), self-loops dropped."""
    a, b = F.col(src), F.col(dst)
    return (edges.select(F.greatest(a, b).alias("src"), F.least(a, b).alias("dst"))
            .where(F.col("src") != F.col("dst")).distinct())


def _both_ways(edges: DataFrame) -> DataFrame:
    """Each edge from both ends: (u, v) for every neighbour v of u."""
    return edges.select(F.col("src").alias("u"), F.col("dst").alias("v")).unionAll(
        edges.select(F.col("dst").alias("u"), F.col("src").alias("v")))


def large_star(edges: DataFrame) -> DataFrame:
    """Every neighbour ``v > u`` of each node ``u`` linked to ``m(u)`` instead."""
    adj = _both_ways(edges)
    # a window, not a group-by and a join: one shuffle by u instead of three
    smallest = F.least(F.min("v").over(Window.partitionBy("u")), F.col("u"))
    return (adj.withColumn("m", smallest).where(F.col("v") > F.col("u"))
            .select(F.col("v").alias("src"), F.col("m").alias("dst")).distinct())


def small_star(edges: DataFrame) -> DataFrame:
    """Each node and its smaller neighbours linked to the smallest of them."""
    # a stored edge (src, dst) is the neighbour dst < src of src
    lower = edges.withColumn("m", F.min("dst").over(Window.partitionBy("src")))
    relinked = lower.where(F.col("dst") != F.col("m")).select(
        F.col("dst").alias("src"), F.col("m").alias("dst"))
    return relinked.unionAll(lower.select("src", F.col("m").alias("dst"))).distinct()


def _is_stars(edges: DataFrame) -> bool:
    """Whether every component is already a star around its smallest node: no node has two
    edges to smaller nodes, and no edge points to a node that itself points further.

    That is the algorithm's fixed point (neither step changes a set of such stars), checked
    in one aggregation; edges between a page and its text's first copy often start that way.
    """
    ends = edges.select(F.col("src").alias("n"), F.lit(1).alias("out"), F.lit(0).alias("into")).unionAll(
        edges.select(F.col("dst").alias("n"), F.lit(0).alias("out"), F.lit(1).alias("into")))
    per_node = ends.groupBy("n").agg(F.sum("out").alias("out"), F.max("into").alias("into"))
    return per_node.where((F.col("out") > 1) | ((F.col("out") == 1) & (F.col("into") == 1))).isEmpty()


def connected_components(edges: DataFrame, src: str = "src", dst: str = "dst",
                         max_rounds: int = MAX_ROUNDS) -> DataFrame:
    """``(node, component)`` for every node on an edge; ``component`` is the smallest node of
    its component. Nodes on no edge are not listed (each is a component of its own).

    Each round's edges are checkpointed (``localCheckpoint``): the plan would otherwise grow
    with every round, and each step reads its input twice.

    >>> edges = spark.createDataFrame([(1, 2), (2, 3), (7, 8)], "src bigint, dst bigint")
    >>> dict(sorted(connected_components(edges).collect()))
    {1: 1, 2: 1, 3: 1, 7: 7, 8: 7}
    """
    if max_rounds < 1:
        raise ValueError(f"max_rounds must be at least 1, got {max_rounds}")
    current = _oriented(edges, src, dst).localCheckpoint()
    for _ in range(max_rounds + 1):
        if _is_stars(current):
            labels = current.select(F.col("src").alias("node"), F.col("dst").alias("component")).unionAll(
                current.select(F.col("dst").alias("node"), F.col("dst").alias("component"))).distinct()
            return labels
        current = small_star(large_star(current)).localCheckpoint()
    raise RuntimeError(
        f"connected components did not converge in {max_rounds} rounds of large-star/small-star "
        "(the algorithm needs O(log² n)): this is a bug, please report it")
