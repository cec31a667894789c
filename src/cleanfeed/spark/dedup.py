"""Deduplication on Spark: candidates, exact checks, components, one decision per page.

The local ``Deduplicator``'s steps, each as DataFrame operations over the fingerprints of the
pages with a body (``node`` is a page's order key packed in a ``bigint``):

1. exact copies: the pages with one normalised text (``text_hash``) are linked to the first
   of them (the text's representative);
2. LSH candidates: the first page of each ``cluster.lsh_key`` (pages outside LSH have none;
   exact twins on one site share one: the others would only repeat its candidates and
   verdicts, while a twin on another site may not, through ``verify``'s same-site rule),
   sharing any band key, found by a join on the exploded band keys (64 × 8-byte keys per page);
3. each candidate pair checked by ``linked`` (a ``mapInArrow`` over the pairs with both
   sides' shingle sets); the passing pairs are edges, as are the exact links of (1);
4. connected components of the edges (``cleanfeed.spark.components``, large-star/small-star);
5. each site's common lines counted over distinct stories (``common_lines_of``), and
   ``resolve_component`` per component, on its pages discounted by them (``applyInArrow``
   per component, ``mapInArrow`` for the pages alone in theirs): the canonical by policy,
   and as its copies only members that verify against it directly (the anti-chaining guard).

"First" is the order the local runner feeds pages to its deduplicator: pass 1's pages (HTML) in
input order, then pass 2's (text dumps) in input order. Which twin is first changes no
component: twins of one site verify alike against everything, and every site's first twin is
in LSH, so the components are ``cluster_fingerprints``' (every page in LSH) exactly, which the
local ``Deduplicator`` also gives (it keeps one copy per text in its index and compares a
same-site candidate with a twin on another site instead).

Huge LSH buckets are not capped: a band key shared by m pages gives m(m-1)/2 candidate
pairs, as it does in the local engine, all on one task of the join. Exact copies do not
make such buckets (only their representative is in LSH); near-identical template pages can.
A cap would bound that task but drop candidate pairs the local engine checks, so the
clusters would no longer be the same; Spark's adaptive skew-join handling
(``spark.sql.adaptive.skewJoin.enabled``, on by default) splits such a partition instead.
A component must fit one Python worker's memory (its members' shingle sets), like a
component in the local engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ..config import DedupConfig
from ..dedup.cluster import linked, resolve_component
from ..dedup.fingerprint import Fingerprint, minhash_signatures
from .pages import freeze
from .schema import COMPONENT, DECISION, EDGE, LINE, PAIR, ddl

__all__ = [
    "band_key_pairs",
    "decide",
    "edges",
    "lsh_members",
    "representatives",
    "resolve_rows",
    "verify_pairs",
]

#: the fingerprint columns the dedup stage reads of a page with a body
FINGERPRINT_COLUMNS = ("node", "id", "feed_pass", "file", "record", "text_hash", "n_tokens",
                       "shingles", "domain", "fp_wire", "fp_date", "fp_url", "fp_lines",
                       "fp_shingle_lines", "bands", "lsh_key")


# --------------------------------------------------------------------------------------------
# Per-partition functions (pure: no Spark inside)


def _fingerprint(doc_id: str, text_hash: str, n_tokens: int, shingles: bytes, domain: str | None,
                 wire: str | None = None, date: str | None = None, url: str | None = None,
                 lines: bytes | None = None, shingle_lines: bytes | None = None) -> Fingerprint:
    # no signature: the pair checks never read it (``resolve_rows`` makes it again)
    return Fingerprint(doc_id, text_hash, n_tokens, shingles, b"", domain, wire, date, url,
                       lines or b"", shingle_lines or b"")


def verify_pairs(batches: Iterable[pa.RecordBatch], config: DedupConfig) -> Iterator[pa.RecordBatch]:
    """``mapInArrow`` over ``PAIR`` rows: the pairs that are ``linked``, as ``EDGE`` rows."""
    for batch in batches:
        c = {name: batch.column(name).to_pylist() for name in PAIR.names}
        src: list[int] = []
        dst: list[int] = []
        for i in range(batch.num_rows):
            a = _fingerprint(str(c["a"][i]), c["a_text_hash"][i], c["a_n_tokens"][i],
                             c["a_shingles"][i], c["a_domain"][i])
            b = _fingerprint(str(c["b"][i]), c["b_text_hash"][i], c["b_n_tokens"][i],
                             c["b_shingles"][i], c["b_domain"][i])
            if linked(a, b, config):
                src.append(max(c["a"][i], c["b"][i]))
                dst.append(min(c["a"][i], c["b"][i]))
        yield pa.RecordBatch.from_pydict({"src": src, "dst": dst}, schema=EDGE)


def line_rows(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """``mapInArrow`` over fingerprint rows: one ``LINE`` row per line of a page with a site."""
    for batch in batches:
        c = {name: batch.column(name).to_pylist()
             for name in ("node", "id", "domain", "fp_url", "fp_lines")}
        nodes: list[int] = []
        keys: list[int] = []
        stories: list[int] = []
        for i in range(batch.num_rows):
            fp = Fingerprint(c["id"][i], "", 0, b"", b"", c["domain"][i], url=c["fp_url"][i],
                             lines=c["fp_lines"][i] or b"")
            k = fp.line_keys()
            nodes.extend([c["node"][i]] * len(k))
            keys.extend(k.view(np.int64).tolist())
            stories.extend([fp.story_key()] * len(k))
        yield pa.RecordBatch.from_pydict({"node": nodes, "key": keys, "story": stories},
                                         schema=LINE)


def common_lines_of(fps: DataFrame, config: DedupConfig) -> DataFrame:
    """``(node, common)``: each page's lines that pages of ``common_line_stories`` distinct
    stories of its site carry (``cleanfeed.dedup.cluster.common_lines``), pages with any."""
    lines = fps.mapInArrow(line_rows, ddl(LINE))
    common = (lines.select("key", "story").distinct().groupBy("key").count()
              .where(F.col("count") >= config.common_line_stories).select("key"))
    return (lines.join(common, "key", "left_semi").groupBy("node")
            .agg(F.collect_list("key").alias("common")))


def resolve_rows(table: pa.Table, config: DedupConfig) -> pa.Table:
    """``applyInArrow`` per component over ``COMPONENT`` rows: ``resolve_component`` on its
    members, as ``DECISION`` rows."""
    rows = table.to_pylist()
    whole = [_fingerprint(r["id"], r["text_hash"], r["n_tokens"], r["shingles"], r["domain"],
                          r["fp_wire"], r["fp_date"], r["fp_url"], r["fp_lines"],
                          r["fp_shingle_lines"]) for r in rows]
    members = [f.discounted_by(np.sort(np.array(r["common"] or [], dtype=np.int64).view(np.uint64)))
               for f, r in zip(whole, rows, strict=True)]
    # resolve splits a component by its members' LSH keys (``own_pieces``): a discounted
    # page's are made from its shingles left, the others' from the signature of the whole
    # page's, made again here as the local engine made it
    signed = [i for i, f in enumerate(members) if not f.discounted]
    signatures = minhash_signatures([members[i].shingle_array() for i in signed], config)
    for i, s in zip(signed, signatures, strict=True):
        members[i] = replace(members[i], signature=s.astype("<u4").tobytes())
    node = {r["id"]: r["node"] for r in rows}
    out: list[dict[str, Any]] = [
        {"node": node[d.doc_id], "status": d.status, "canonical_id": d.canonical_id,
         "decision": freeze(d)}
        for d in resolve_component(members, None, config)]
    return pa.Table.from_pylist(out, schema=DECISION)


def per_component(config: DedupConfig) -> Callable[[pa.Table], pa.Table]:
    """``resolve_rows`` with its config bound, as ``applyInArrow`` takes it (a closure: PySpark
    reads the UDF's form from its type hints, which a ``functools.partial`` does not have)."""

    def resolve(table: pa.Table) -> pa.Table:
        return resolve_rows(table, config)

    return resolve


def resolve_alone(batches: Iterable[pa.RecordBatch], config: DedupConfig) -> Iterator[pa.RecordBatch]:
    """``mapInArrow`` over ``COMPONENT`` rows of pages on no edge: each its own component
    (no shuffle needed to group them)."""
    for batch in batches:
        table = pa.Table.from_batches([batch])
        out = [resolve_rows(table.slice(i, 1), config) for i in range(table.num_rows)]
        for part in out:
            yield from part.to_batches()


# --------------------------------------------------------------------------------------------
# DataFrame stages


def representatives(fps: DataFrame) -> DataFrame:
    """``(text_hash, rep)``: each normalised text's first page in the local feed order."""
    order = F.struct("feed_pass", "file", "record", "node")
    return (fps.where(F.col("n_tokens") > 0).groupBy("text_hash")
            .agg(F.min(order)["node"].alias("rep")))


def lsh_members(fps: DataFrame) -> DataFrame:
    """The pages that go into LSH: the first of each ``lsh_key`` (computed per page by
    ``cluster.lsh_key``) in the local feed order."""
    order = F.struct("feed_pass", "file", "record", "node")
    firsts = (fps.where(F.col("lsh_key").isNotNull()).groupBy("lsh_key")
              .agg(F.min(order)["node"].alias("node")))
    return fps.join(firsts, "node", "left_semi")


def band_key_pairs(members: DataFrame) -> DataFrame:
    """``(a, b)``, ``a < b``: the member pairs that share at least one LSH band key (a join
    on the exploded keys; each pair once however many bands it shares)."""
    keys = members.select("node", F.explode("bands").alias("key"))
    return (keys.alias("x").join(keys.alias("y"), "key")
            .where(F.col("x.node") < F.col("y.node"))
            .select(F.col("x.node").alias("a"), F.col("y.node").alias("b")).distinct())


def edges(fps: DataFrame, config: DedupConfig) -> DataFrame:
    """The verified edges ``(src, dst)`` (``src > dst``) between pages: exact copies linked to
    their text's representative, and LSH candidates that pass ``verify``."""
    reps = representatives(fps)
    exact = (fps.where(F.col("n_tokens") > 0).select("node", "text_hash").join(reps, "text_hash")
             .where(F.col("node") != F.col("rep"))
             .select(F.greatest("node", "rep").alias("src"), F.least("node", "rep").alias("dst")))
    members = lsh_members(fps)
    side = members.select("node", "text_hash", "n_tokens", "shingles", "domain")

    def named(prefix: str) -> DataFrame:
        return side.select([F.col(c).alias(prefix if c == "node" else f"{prefix}_{c}") for c in side.columns])

    pairs = band_key_pairs(members).join(named("a"), "a").join(named("b"), "b").select(*PAIR.names)
    verified = pairs.mapInArrow(partial(verify_pairs, config=config), ddl(EDGE))
    return exact.unionAll(verified)


def decide(fps: DataFrame, labels: DataFrame, config: DedupConfig) -> DataFrame:
    """One ``DECISION`` row per page with a body: each component of ``labels``
    (``(node, component)``, from ``connected_components(edges(fps, config))``) resolved, and
    every page on no edge resolved alone."""
    members = fps.join(labels, "node", "left").join(common_lines_of(fps, config), "node", "left")
    grouped = (members.where(F.col("component").isNotNull()).select(*COMPONENT.names)
               .groupBy("component").applyInArrow(per_component(config), ddl(DECISION)))
    alone = (members.where(F.col("component").isNull())
             .withColumn("component", F.col("node")).select(*COMPONENT.names)
             .mapInArrow(partial(resolve_alone, config=config), ddl(DECISION)))
    return grouped.unionAll(alone)
