"""``run_spark``: the ``cleanfeed run`` pipeline as one Spark job, with the local engine's output.

Stages, and what each shuffles (``benchmarks/spark_vs_local.py`` measures the bytes per page):

1. **read + pass 1** (no shuffle): the driver lists the files (``cleanfeed.io.list_files``)
   and distributes the list; each task reads its files with ``read_file`` (WARC/WET, JSONL,
   Parquet, page files, gzipped or not: the local readers, so ids and read failures are the
   same, damaged files included) and runs pass 1 on every record (``mapInArrow``). A file is
   read by one task, never split: parallelism comes from the number of files. Every row
   carries its order key (file index, record index), packed as ``node``.
2. **duplicate ids** (shuffle: id and order key): a page whose id an earlier page has is
   refused ("duplicate id"), as the local runner refuses it; it does not take part in
   template learning nor in deduplication.
3. **templates + pass 2** (shuffle: text dumps' features by site key, their raw text by page):
   text dumps' features grouped by site key, each site learned in input order with
   ``SiteTemplates.learn_site`` (``applyInArrow``); each text dump then cleaned with the
   templates of its own keys, as the local runner ships them to its workers.
4. **dedup** (``cleanfeed.spark.dedup``; shuffles band keys, candidate pairs with both sides'
   shingles, 16-byte edges per round of large-star/small-star, components' fingerprints).
5. **outputs**: the manifest (every input page) and the clean feed (kept pages with their
   copies), in input order (see ``write_records`` for files vs datasets).

Equality with the local engine: the same kept set, the same ``duplicate_of`` and similarity
for every page, the same canonical texts and reasons; for file outputs the same bytes. This
holds as long as the local template learner's bounds are not hit: it keeps at most
``SiteTemplates.max_sites`` (256) site keys, evicting the least recently seen, while Spark
learns every site in full (a page without a URL is filed under two keys, its header's and its
footer's). Beyond that the Spark run's templates are the better ones (from all of a site's
pages), and a text dump's body may differ.

Budgets: ``ExtractConfig.max_bytes`` is enforced the same way (by the readers and pass 1).
``ExtractConfig.timeout_seconds`` is not: there is no worker process per page to stop, so a
page that hangs its parser hangs its task, and one that crashes the Python worker fails its
task. Spark retries a failed task (``spark.task.maxFailures``, 4 by default): that protects a
run from a lost executor or a transient error, not from a page that deterministically hangs
or crashes (the job then fails after the retries, where the local engine drops that page).
Set ``spark.python.worker.faulthandler.enabled`` to see where a worker died, and extract
that file with the local engine (``cleanfeed extract``) to find the page.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from ..config import Config
from ..errors import InputError
from ..extract.template import SiteTemplates
from ..io import ReadOptions, list_files
from ..io.writers import CLEAN_SCHEMA, MANIFEST_SCHEMA
from ..metadata.site import host_of, site_names
from ..pipeline import PageTask
from .components import connected_components
from .dedup import FINGERPRINT_COLUMNS, decide, edges
from .output import check_target, write_records
from .pages import extract_files, per_site, second_pass_rows
from .schema import FILE, PAGE, TEMPLATE, TEMPLATE_INPUT, column_type, ddl

__all__ = ["SparkRunSummary", "run_spark"]

#: what the local runner says of a page refused for its id (``pipeline._refused``)
DUPLICATE_ID = "duplicate id: another input page has the same id"
_RECORD_BITS = 32  # node = file index << 32 | record index


@dataclass(frozen=True, slots=True)
class SparkRunSummary:
    """What a Spark run did: pages per outcome, and where the time went.

    ``counts``: "kept", "duplicate" and "dropped" pages (they add up to ``pages``);
    ``stage_seconds``: wall-clock time of each stage (each is materialised before the next).
    """

    pages: int
    counts: Mapping[str, int]
    seconds: float
    stage_seconds: Mapping[str, float] = field(default_factory=dict)

    @property
    def kept(self) -> int:
        return self.counts.get("kept", 0)

    @property
    def duplicates(self) -> int:
        return self.counts.get("duplicate", 0)

    @property
    def dropped(self) -> int:
        return self.counts.get("dropped", 0)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0


def run_spark(
    spark: SparkSession,
    inputs: Sequence[str | Path],
    clean_path: str | Path,
    manifest_path: str | Path,
    *,
    config: Config | None = None,
    read_options: ReadOptions | None = None,
    templates: bool = True,
    partitions: int | None = None,
) -> SparkRunSummary:
    """Run ``cleanfeed run`` on Spark: the clean feed at ``clean_path``, the manifest (one row
    per input page) at ``manifest_path``, as the local engine writes them.

    ``inputs``: files and directories, as for ``cleanfeed.io.read_inputs`` (not ``-``: standard
    input cannot be distributed); every executor must see them at the same paths (a shared
    file system). ``read_options``, ``config``, ``templates``: as for the local
    ``cleanfeed.pipeline.run`` (``read_options`` defaults to the reader defaults with
    ``max_bytes`` of ``config.extract``). ``partitions``: input partitions, i.e. how many
    tasks read and extract (default: the number of files, at most
    ``spark.sql.shuffle.partitions``); later stages use ``spark.sql.shuffle.partitions``.
    Output paths: a file name is written by the driver, byte-identical to the local engine's
    file; a directory or a URI as a Spark dataset (``write_records``).

    >>> spark = session("local[2]")                                     # doctest: +SKIP
    >>> run_spark(spark, ["seeds/raw"], "clean.jsonl", "manifest.jsonl").counts  # doctest: +SKIP
    {'kept': 5}
    """
    if partitions is not None and partitions < 1:
        raise ValueError(f"partitions must be at least 1, got {partitions}")
    if str(clean_path) == str(manifest_path) and str(clean_path) != "-":
        raise ValueError(f"the clean feed and the manifest would both be written to {clean_path}")
    for target in (clean_path, manifest_path):
        check_target(target)
    config = config or Config()
    options = read_options or ReadOptions(max_bytes=config.extract.max_bytes)
    started = time.perf_counter()
    job = _Job(spark, config, options, templates)
    try:
        summary = job.run(inputs, clean_path, manifest_path, partitions)
    finally:
        job.release()
    return SparkRunSummary(summary[0], summary[1], time.perf_counter() - started, job.seconds)


class _Job:
    """The frames of one run, each stage materialised (persisted and counted) before the next,
    so stage times mean something and nothing upstream is recomputed."""

    def __init__(self, spark: SparkSession, config: Config, options: ReadOptions, templates: bool) -> None:
        self.spark = spark
        self.config = config
        self.options = options
        self.task = PageTask(config, learn_templates=templates, fingerprints=True, keep_removals=False)
        self.seconds: dict[str, float] = {}
        self._persisted: list[DataFrame] = []

    def _hold(self, df: DataFrame) -> DataFrame:
        """``df`` persisted until the run ends."""
        df = df.persist(StorageLevel.MEMORY_AND_DISK)
        self._persisted.append(df)
        return df

    def _keep(self, df: DataFrame, stage: str, started: float) -> tuple[DataFrame, int]:
        """``df`` persisted and materialised now, the time counted to ``stage``."""
        df = self._hold(df)
        n = df.count()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - started
        return df, n

    def release(self) -> None:
        for df in self._persisted:
            df.unpersist()
        self._persisted.clear()

    def run(self, inputs: Sequence[str | Path], clean_path: str | Path, manifest_path: str | Path,
            partitions: int | None) -> tuple[int, dict[str, int]]:
        t0 = time.perf_counter()
        pages, n_pages = self._keep(self.first_pass(inputs, partitions), "read+extract", t0)
        t0 = time.perf_counter()
        results, _ = self._keep(self.results(pages), "duplicate ids+templates+text dumps", t0)
        t0 = time.perf_counter()
        fps = results.where(F.col("status") == "ok").select(*FINGERPRINT_COLUMNS)
        dedup = self.config.dedup
        # persisted: decide reads it twice (pages in a component, pages alone)
        labels = self._hold(connected_components(edges(fps, dedup)))
        decisions, _ = self._keep(decide(fps, labels, dedup), "dedup", t0)
        t0 = time.perf_counter()
        counts = {r["status"]: r["count"] for r in decisions.groupBy("status").count().collect()}
        dropped = n_pages - sum(counts.values())
        counts = {"kept": counts.get("kept", 0), "duplicate": counts.get("duplicate", 0), "dropped": dropped}
        write_records(manifest_frame(results, decisions), manifest_path, MANIFEST_SCHEMA)
        write_records(clean_frame(results, decisions, renamed_sites(self.spark, results)), clean_path, CLEAN_SCHEMA)
        self.seconds["write"] = time.perf_counter() - t0
        return n_pages, {k: v for k, v in counts.items() if v}

    # ---- stage 1

    def first_pass(self, inputs: Sequence[str | Path], partitions: int | None) -> DataFrame:
        """Every input record through pass 1: ``PAGE`` rows plus ``node``."""
        if any(str(i) == "-" for i in inputs):
            raise InputError("the Spark engine reads files only: standard input ('-') cannot be "
                             "distributed to executors; save it to a file first")
        files = [(i, str(f.path.absolute()), str(f.path), f.name) for i, f in enumerate(list_files(inputs))]
        n = partitions or max(1, min(len(files), _shuffle_partitions(self.spark)))
        listing = self.spark.createDataFrame(files, ddl(FILE)).repartition(n)
        pages = listing.mapInArrow(partial(extract_files, task=self.task, options=self.options), ddl(PAGE))
        return pages.withColumn("node", _node())

    # ---- stages 2 and 3

    def results(self, pages: DataFrame) -> DataFrame:
        """Every page's final result (``PAGE`` "read"/"done" rows, plus ``node`` and
        ``feed_pass``: 0 for pass 1, 1 for pass 2, the order the local deduplicator is fed)."""
        keys = pages.select("id", "node", "stage")
        first = keys.groupBy("id").agg(F.min("node").alias("first"))
        refused = (keys.join(first, "id").where((F.col("stage") != "read") & (F.col("node") > F.col("first")))
                   .select("node", F.lit(True).alias("refused")))
        marked = pages.join(refused, "node", "left")
        taken = marked.where(F.col("refused").isNull()).drop("refused")
        columns = [*PAGE.names, "node"]
        duplicates = marked.where(F.col("refused")).select(
            *[F.col(c) if c in ("file", "record", "id", "url", "node") else
              F.lit(_DUPLICATE_VALUES[c]).cast(column_type(PAGE, c)).alias(c) for c in columns])
        done = taken.where(F.col("stage") != "text").select(*columns)
        frames = [done.withColumn("feed_pass", F.lit(0)), duplicates.withColumn("feed_pass", F.lit(0))]
        if self.task.learn_templates:
            frames.append(self.second_pass(taken.where(F.col("stage") == "text")).withColumn("feed_pass", F.lit(1)))
        out = frames[0]
        for f in frames[1:]:
            out = out.unionByName(f)
        return out

    def second_pass(self, texts: DataFrame) -> DataFrame:
        """Text dumps cleaned with the templates learned from all their sites' pages."""
        learner = SiteTemplates()  # the local runner's bounds and thresholds
        features = texts.select(F.explode("site_keys").alias("key"), *TEMPLATE_INPUT.names[1:])
        sites = features.groupBy("key").applyInArrow(per_site(learner), ddl(TEMPLATE))
        own = (texts.select("node", F.explode("site_keys").alias("key")).join(sites, "key")
               .groupBy("node").agg(F.collect_list(F.struct(*TEMPLATE.names)).alias("templates")))
        todo = texts.join(own, "node", "left").select(*PAGE.names, "templates")
        cleaned = todo.mapInArrow(partial(second_pass_rows, task=self.task), ddl(PAGE))
        return cleaned.withColumn("node", _node())


_DUPLICATE_VALUES = {name: None for name in PAGE.names} | {
    "stage": "done", "status": "failed", "outcome_reason": DUPLICATE_ID}


def _node() -> F.Column:
    """A page's order key (file index, record index) as one sortable ``bigint``."""
    return F.col("file").cast("long") * (1 << _RECORD_BITS) + F.col("record")


def _shuffle_partitions(spark: SparkSession) -> int:
    return int(spark.conf.get("spark.sql.shuffle.partitions") or 200)


# --------------------------------------------------------------------------------------------
# The output frames


def manifest_frame(results: DataFrame, decisions: DataFrame) -> DataFrame:
    """``MANIFEST_SCHEMA`` rows plus ``node`` (the input order), one per input page."""
    d = decisions.select("node", F.col("status").alias("d_status"), "canonical_id",
                         "similarity", F.col("reason").alias("d_reason"))
    m = results.join(d, "node", "left")
    decided = F.col("d_status").isNotNull()
    return m.select(
        "node",
        "id",
        "url",
        F.when(decided, F.col("d_status")).otherwise(F.lit("dropped")).alias("status"),
        F.col("canonical_id").alias("duplicate_of"),
        F.col("similarity"),
        F.when(decided, F.col("d_reason")).otherwise(F.col("outcome_reason")).alias("reason"),
    )


def renamed_sites(spark: SparkSession, results: DataFrame) -> DataFrame:
    """``(doc_url, new_site)`` of the pages the run names otherwise: one site name per host
    (``metadata.site_names``, as the local runner's output stage applies it)."""
    pairs = [(r["doc_url"], r["site"]) for r in results.where(F.col("doc_url").isNotNull() & F.col("site").isNotNull())
             .select("doc_url", "site").collect()]
    names = site_names(pairs)
    changed = sorted({(url, names[host]) for url, site in pairs
                      if (host := host_of(url)) in names and names[host] != site})
    return spark.createDataFrame(changed, "doc_url string, new_site string")


def clean_frame(results: DataFrame, decisions: DataFrame, renamed: DataFrame | None = None) -> DataFrame:
    """``CLEAN_SCHEMA`` rows plus ``node`` (the input order), one per kept page with the
    copies it absorbed (sorted by id), named as ``renamed`` says (``renamed_sites``)."""
    kept = decisions.where(F.col("status") == "kept").select("node")
    pages = results.join(kept, "node", "left_semi")
    if renamed is not None:
        pages = (pages.join(F.broadcast(renamed), "doc_url", "left")
                 .withColumn("site", F.coalesce(F.col("new_site"), F.col("site"))).drop("new_site"))
    copies = (decisions.where(F.col("status") == "duplicate")
              .join(results.select("node", "id", "fp_url"), "node")
              .select("canonical_id", F.struct(F.col("id"), F.col("fp_url").alias("url"),
                                               F.col("similarity")).alias("copy"))
              .groupBy("canonical_id").agg(F.array_sort(F.collect_list("copy")).alias("copies"))
              .withColumnRenamed("canonical_id", "id"))
    copy_type = column_type(CLEAN_SCHEMA, "copies")
    return (pages.join(copies, "id", "left").select(
        "node", F.col("doc_id").alias("id"), F.col("doc_url").alias("url"), "site", "title", "author",
        "date", "wire", "text", F.coalesce(F.col("copies"), F.array().cast(copy_type)).alias("copies")))
