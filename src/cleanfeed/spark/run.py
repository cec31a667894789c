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
3. **templates + pass 2** (shuffle: pending pages' features by site key, their raw text or
   extracted document by page): features grouped by site key, each site learned in input order
   with ``SiteTemplates.learn_site`` (``applyInArrow``); each pending page then finished
   (``second_pass``) with the templates of its own keys, as the local runner ships them to its
   workers.
4. **dedup** (``cleanfeed.spark.dedup``; shuffles band keys, candidate pairs with both sides'
   shingles, 16-byte edges per round of large-star/small-star, components' fingerprints).
5. **outputs**: the manifest (every input page) and the clean feed (kept pages with their
   copies), in input order (see ``write_records`` for files vs datasets), their rows made by
   the local engine's ``Outcome`` from each page's result and decision
   (``cleanfeed.spark.pages.manifest_rows``/``clean_rows``).

Equality with the local engine: the same kept set, the same ``duplicate_of`` and similarity
for every page, the same canonical texts and reasons; for file outputs the same bytes. This
holds as long as the local template learner's bounds are not hit: it keeps at most
``SiteTemplates.max_sites`` (4096) site keys and ``max_total`` (about 1M) entries over all of
them, evicting the least recently seen sites, while Spark
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
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from ..config import Config
from ..errors import InputError
from ..extract.template import SiteTemplates
from ..io import ReadOptions, list_files
from ..io.writers import CLEAN_SCHEMA, MANIFEST_SCHEMA
from ..metadata.site import site_names
from ..page import PageTask, Progress, ProgressCallback
from .components import connected_components
from .dedup import FINGERPRINT_COLUMNS, decide, edges
from .output import check_target, write_records
from .pages import clean_rows, extract_files, manifest_rows, per_site, second_pass_rows
from .schema import (
    CLEAN_ROWS,
    FILE,
    MANIFEST_ROWS,
    PAGE,
    TEMPLATE,
    TEMPLATE_INPUT,
    column_type,
    ddl,
)

__all__ = ["SparkRunSummary", "run_spark"]

_RECORD_BITS = 32  # node = file index << 32 | record index


@dataclass(frozen=True, slots=True)
class SparkRunSummary:
    """What a Spark run did: pages per outcome, and where the time went.

    ``counts``: "kept", "duplicate" and "dropped" pages (they add up to ``pages``);
    ``stage_seconds``: wall-clock time of each stage (each is materialised before the next);
    ``dropped_by_reason``: dropped pages by ``PageResult.reason`` ("empty body", "duplicate
    id"...).
    """

    pages: int
    counts: Mapping[str, int]
    seconds: float
    stage_seconds: Mapping[str, float] = field(default_factory=dict)
    dropped_by_reason: Mapping[str, int] = field(default_factory=dict)

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
    progress: ProgressCallback | None = None,
) -> SparkRunSummary:
    """Run ``cleanfeed run`` on Spark: the clean feed at ``clean_path``, the manifest (one row
    per input page) at ``manifest_path``, as the local engine writes them.

    ``inputs``: files and directories, as for ``cleanfeed.io.read_inputs`` (not ``-``: standard
    input cannot be distributed); every executor must see them at the same paths (a shared
    file system). ``read_options``, ``config``, ``templates``: as for the local
    ``cleanfeed.local.run`` (``read_options`` defaults to the reader defaults with
    ``max_bytes`` of ``config.extract``). ``partitions``: input partitions, i.e. how many
    tasks read and extract (default: the number of files, at most
    ``spark.sql.shuffle.partitions``); later stages use ``spark.sql.shuffle.partitions``.
    Output paths: a file name is written by the driver, byte-identical to the local engine's
    file; a directory or a URI as a Spark dataset (``write_records``). ``progress``: called
    as each stage starts, and once at the end with ``finished=True`` (as the local ``run``
    calls it; ``Progress.seconds`` holds the time per stage).

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
    job = _Job(spark, config, options, templates, progress)
    try:
        pages, counts, reasons = job.run(inputs, clean_path, manifest_path, partitions)
    finally:
        job.release()
    return SparkRunSummary(pages, counts, time.perf_counter() - job.started, job.seconds, reasons)


class _Job:
    """The frames of one run, each stage materialised (persisted and counted) before the next,
    so stage times mean something and nothing upstream is recomputed."""

    def __init__(self, spark: SparkSession, config: Config, options: ReadOptions, templates: bool,
                 progress: ProgressCallback | None = None) -> None:
        self.spark = spark
        self.config = config
        self.options = options
        self.task = PageTask(config, learn_templates=templates, fingerprints=True, keep_removals=False)
        self.progress = progress
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}
        self._persisted: list[DataFrame] = []

    def report(self, stage: str, pages: int = 0, counts: Mapping[str, int] | None = None) -> None:
        """Tell ``progress`` which stage starts (pages known once read, counts once decided)."""
        if self.progress is None:
            return
        c = counts or {}
        self.progress(Progress(
            stage=stage, pages=pages, done=pages if stage in ("deduplicating", "writing", "done") else 0,
            kept=c.get("kept", 0), duplicates=c.get("duplicate", 0), dropped=c.get("dropped", 0),
            elapsed=time.perf_counter() - self.started, seconds=dict(self.seconds),
            finished=stage == "done"))

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
            partitions: int | None) -> tuple[int, dict[str, int], dict[str, int]]:
        self.report("extracting")
        t0 = time.perf_counter()
        pages, n_pages = self._keep(self.first_pass(inputs, partitions), "read+extract", t0)
        self.report("cleaning text dumps", n_pages)
        t0 = time.perf_counter()
        results, _ = self._keep(self.results(pages), "templates", t0)
        self.report("deduplicating", n_pages)
        t0 = time.perf_counter()
        fps = results.where(F.col("status") == "ok").select(*FINGERPRINT_COLUMNS)
        dedup = self.config.dedup
        # persisted: decide reads it twice (pages in a component, pages alone)
        labels = self._hold(connected_components(edges(fps, dedup)))
        decisions, _ = self._keep(decide(fps, labels, dedup), "dedup", t0)
        t0 = time.perf_counter()
        manifest = self._hold(manifest_frame(results, decisions))
        counts: dict[str, int] = {}
        reasons: dict[str, int] = {}
        for r in manifest.groupBy("status", "dropped_by").count().collect():
            counts[r["status"]] = counts.get(r["status"], 0) + r["count"]
            if r["dropped_by"] is not None:
                reasons[r["dropped_by"]] = r["count"]
        self.report("writing", n_pages, counts)
        write_records(manifest.drop("dropped_by"), manifest_path, MANIFEST_SCHEMA)
        write_records(clean_frame(results, decisions, run_site_names(results)), clean_path,
                      CLEAN_SCHEMA)
        self.seconds["write"] = time.perf_counter() - t0
        self.report("done", n_pages, counts)
        return n_pages, counts, dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))

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
        # their results are ``page.refused``'s, made with the output rows (``outcome``)
        duplicates = marked.where(F.col("refused")).select(
            *[F.col(c) if c in ("file", "record", "id", "url", "node") else
              F.lit(_REFUSED.get(c)).cast(column_type(PAGE, c)).alias(c) for c in columns])
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


_REFUSED = {"stage": "refused", "status": "failed"}


def _node() -> Column:
    """A page's order key (file index, record index) as one sortable ``bigint``."""
    return F.col("file").cast("long") * (1 << _RECORD_BITS) + F.col("record")


def _shuffle_partitions(spark: SparkSession) -> int:
    return int(spark.conf.get("spark.sql.shuffle.partitions") or 200)


# --------------------------------------------------------------------------------------------
# The output frames: rows made by ``Outcome`` (``pages.manifest_rows``, ``pages.clean_rows``)


def _outcome_inputs(results: DataFrame, decisions: DataFrame) -> DataFrame:
    """What ``pages.outcome`` reads of every page: its result, and its decision if any."""
    d = decisions.select("node", F.col("status").alias("decided"), "decision")
    return results.select("node", "stage", "id", "url", "result").join(d, "node", "left")


def manifest_frame(results: DataFrame, decisions: DataFrame) -> DataFrame:
    """``MANIFEST_ROWS``: the manifest row of every input page, its order key and, for a
    dropped page, why (``PageResult.reason``)."""
    return _outcome_inputs(results, decisions).mapInArrow(manifest_rows, ddl(MANIFEST_ROWS))


def run_site_names(results: DataFrame) -> dict[str, str]:
    """``{host: name}``: one site name per host over every extracted page of the run
    (``metadata.site_names``, as the local runner's output stage names them)."""
    return site_names((r["doc_url"], r["doc_site"]) for r in
                      results.where(F.col("doc_url").isNotNull() | F.col("doc_site").isNotNull())
                      .select("doc_url", "doc_site").collect())


def clean_frame(results: DataFrame, decisions: DataFrame, names: dict[str, str] | None = None
                ) -> DataFrame:
    """``CLEAN_ROWS``: the clean-feed row of every kept page with the copies it absorbed
    (sorted by id), named as ``names`` says (``run_site_names``), and its order key."""
    kept = _outcome_inputs(results, decisions).where(F.col("decided") == "kept")
    copies = (decisions.where(F.col("status") == "duplicate")
              .join(results.select("node", "id", "fp_url"), "node")
              .select("canonical_id", F.struct(F.col("id"), F.col("fp_url").alias("url"),
                                               F.col("decision")).alias("copy"))
              .groupBy("canonical_id").agg(F.array_sort(F.collect_list("copy")).alias("copies"))
              .withColumnRenamed("canonical_id", "id"))
    return kept.join(copies, "id", "left").mapInArrow(partial(clean_rows, names=names),
                                                          ddl(CLEAN_ROWS))
