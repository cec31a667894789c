"""Spark local[2] against the local engine with 2 worker processes, on one generated corpus.

Usage::

    python -m benchmarks.spark_vs_local                       # 5,000 pages, 8 JSONL files
    python -m benchmarks.spark_vs_local --pages 1000 --workdir /tmp/svl   # quicker look

Corpus: the syndication generator (``benchmarks.syndication.generate``, real Scrapinghub
stories copied into other real pages' chrome, with hard negatives) written as JSONL files with
each page's URL, as a crawl export would be. Both engines read the same files and write a
clean feed and a manifest as JSON Lines:

- local: ``cleanfeed.local.run(read_inputs(...), jobs=2)`` through ``RecordWriter``, which
  is what ``cleanfeed run --jobs 2`` does;
- Spark: ``run_spark`` on ``session("local[2]")``, timed cold (first run in a fresh session,
  Python workers starting) and warm (a second run); session start-up timed apart.

Then it checks the two engines' files are identical, and measures what each Spark stage
would shuffle on a cluster: the payload bytes per input page of each shuffled column set
(summed string/binary lengths, 8 bytes per number; Spark's own row encoding and compression
come on top), and Spark's measured shuffle write of the warm run (its REST status API).
Results: ``benchmarks/results/spark_vs_local.{md,json}``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from benchmarks import write_results
from benchmarks.corpus import DEFAULT_SCRAPINGHUB
from benchmarks.syndication.generate import DEFAULT_SEEDS, generate
from cleanfeed import Config, decode_bytes
from cleanfeed.io import ReadOptions, read_inputs
from cleanfeed.io.writers import CLEAN_SCHEMA, MANIFEST_SCHEMA, RecordWriter
from cleanfeed.local.runner import run
from cleanfeed.spark import run_spark, session
from cleanfeed.spark.components import connected_components
from cleanfeed.spark.dedup import FINGERPRINT_COLUMNS, band_key_pairs, edges, lsh_members
from cleanfeed.spark.run import _Job

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"


def write_corpus(workdir: Path, pages: int, seed: int, source: Path, files: int) -> list[Path]:
    """The generated pages as ``files`` JSONL files (every fourth gzipped), with URLs."""
    truth = generate(workdir / "corpus", pages, seed=seed, source_root=source, seeds_root=DEFAULT_SEEDS)
    paths = [workdir / (f"part{i}.jsonl.gz" if i % 4 == 3 else f"part{i}.jsonl") for i in range(files)]
    chunks: list[list[str]] = [[] for _ in paths]
    for n, (name, page) in enumerate(sorted(truth.pages.items())):
        text = decode_bytes((workdir / "corpus" / "pages" / name).read_bytes())
        record = {"id": name, "url": page.url or None, "html" if page.kind == "html" else "text": text}
        chunks[n * files // len(truth.pages)].append(json.dumps(record, ensure_ascii=False))
    for path, chunk in zip(paths, chunks, strict=True):
        data = ("\n".join(chunk) + "\n").encode("utf-8")
        path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    return paths


def run_local(inputs: list[Path], out: Path, jobs: int) -> float:
    started = time.perf_counter()
    with read_inputs(inputs, ReadOptions()) as pages, RecordWriter(out / "clean.jsonl", CLEAN_SCHEMA) as c, \
            RecordWriter(out / "manifest.jsonl", MANIFEST_SCHEMA) as m:
        for outcome in run(pages, Config(), jobs=jobs):
            m.write(outcome.manifest_row())
            row = outcome.clean_row()
            if row is not None:
                c.write(row)
    return time.perf_counter() - started


def _sum(df: DataFrame, expr: Column) -> int:
    value = df.select(F.sum(expr)).collect()[0][0]
    return int(value or 0)


def _len(col: str) -> Column:
    return F.coalesce(F.length(col), F.lit(0))


def shuffle_profile(spark: SparkSession, inputs: list[Path]) -> dict[str, Any]:
    """Payload bytes of each shuffled column set, from the stage frames of one run."""
    config = Config()
    job = _Job(spark, config, ReadOptions(), True)
    try:
        pages, n = job._keep(job.first_pass(inputs, None), "pass 1", time.perf_counter())
        results, _ = job._keep(job.results(pages), "results", time.perf_counter())
        texts = pages.where(F.col("stage") == "text")
        fps = results.where(F.col("status") == "ok").select(*FINGERPRINT_COLUMNS).persist()
        members = lsh_members(fps).persist()
        n_members = members.count()
        pairs = band_key_pairs(members).persist()
        n_pairs = pairs.count()
        keys = members.select("node", F.explode("bands").alias("key"))
        raw_pairs = keys.alias("x").join(keys.alias("y"), "key").where(F.col("x.node") < F.col("y.node")).count()
        side = members.select("node", (_len("shingles") + _len("text_hash") + _len("domain") + 4).alias("size"))
        side_bytes = _sum(side, F.col("size") + 8)
        # join 1 moves the pairs and every LSH page's fingerprint once; join 2 moves each pair
        # with its first side's fingerprint, and the fingerprints once more
        first_side = _sum(pairs.join(side.withColumnRenamed("node", "a"), "a"), F.col("size") + 16)
        site_keys = texts.select(F.explode("site_keys")).distinct().count()
        edge_frame = edges(fps, config.dedup).persist()
        n_edges = edge_frame.count()
        labels = connected_components(edge_frame).persist()
        in_components = labels.count()
        member_bytes = _sum(fps.join(labels, "node"),
                            _len("id") + _len("text_hash") + _len("shingles") + _len("domain") + _len("fp_wire")
                            + _len("fp_date") + _len("fp_url") + 24)
        feature_bytes = _sum(texts.select(F.explode("site_keys").alias("key"), "*"),
                             _len("key") + 12 + _len("f_lines") + _len("f_pairs") + 8
                             + F.aggregate("site_keys", F.lit(0), lambda acc, k: acc + F.length(k)))
        raw_bytes = _sum(texts, _len("raw_text") + _len("raw_bytes"))
        output_bytes = _sum(results, _len("id") + _len("url") + _len("result"))
        rows = [
            ("duplicate ids: (id, node, stage) of every page", _sum(pages, _len("id") + 8 + _len("stage"))),
            ("templates: text dumps' features per site key", feature_bytes),
            ("pass 2: text dumps' raw text, to meet their templates", raw_bytes),
            ("LSH: (band key, node) × 64 per page in LSH", n_members * 64 * 16),
            ("LSH: band-key join rows before distinct (16 B)", raw_pairs * 16),
            ("candidate pairs (16 B)", n_pairs * 16),
            ("verify, join 1: pairs, and the LSH pages' fingerprints (shingles, text hash, domain)",
             n_pairs * 16 + side_bytes),
            ("verify, join 2: each pair with one side's fingerprint, and the fingerprints again",
             first_side + side_bytes),
            ("components: edges per large/small-star round (16 B)", n_edges * 16),
            ("resolve: fingerprints of pages on an edge", member_bytes),
            ("outputs: manifest and clean rows to the writer", output_bytes),
        ]
        return {
            "pages": n, "text_dumps": texts.count(), "site_keys": site_keys, "in_lsh": n_members,
            "band_key_rows": raw_pairs,
            "candidate_pairs": n_pairs, "edges": n_edges, "pages_on_an_edge": in_components,
            "column_sets": [{"what": what, "bytes": b, "bytes_per_page": round(b / max(n, 1), 1)}
                            for what, b in rows],
        }
    finally:
        job.release()


def measured_shuffle(spark: SparkSession, since_job: int) -> dict[str, int]:
    """Spark's shuffle read/write bytes over the jobs after ``since_job`` (REST status API)."""
    base = spark.sparkContext.uiWebUrl  # the benchmark's own session: a classic one
    if not base:
        return {}
    app = json.load(urllib.request.urlopen(f"{base}/api/v1/applications"))[0]["id"]
    jobs = json.load(urllib.request.urlopen(f"{base}/api/v1/applications/{app}/jobs"))
    stage_ids = {s for j in jobs if j["jobId"] > since_job for s in j["stageIds"]}
    stages = json.load(urllib.request.urlopen(f"{base}/api/v1/applications/{app}/stages"))
    picked = [s for s in stages if s["stageId"] in stage_ids and s["status"] == "COMPLETE"]
    return {"shuffle_write_bytes": sum(s["shuffleWriteBytes"] for s in picked),
            "shuffle_read_bytes": sum(s["shuffleReadBytes"] for s in picked),
            "stages": len(picked)}


def _last_job(spark: SparkSession) -> int:
    base = spark.sparkContext.uiWebUrl
    app = json.load(urllib.request.urlopen(f"{base}/api/v1/applications"))[0]["id"]
    jobs = json.load(urllib.request.urlopen(f"{base}/api/v1/applications/{app}/jobs"))
    return max((j["jobId"] for j in jobs), default=-1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--source", type=Path, default=DEFAULT_SCRAPINGHUB)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=RESULTS / "spark_vs_local")
    ap.add_argument("--repeats", type=int, default=2, help="warm Spark runs (and local runs)")
    args = ap.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="spark-vs-local-"))
    inputs = write_corpus(workdir, args.pages, args.seed, args.source, args.files)

    load = [os.getloadavg()[0]]
    (workdir / "local").mkdir(exist_ok=True)
    local_runs = [run_local(inputs, workdir / "local", jobs=2)]

    t0 = time.perf_counter()
    spark = session("local[2]", app_name="cleanfeed-bench")
    startup = time.perf_counter() - t0
    try:
        timings = []
        # cold, then warm runs interleaved with local ones: on a shared machine load only
        # lengthens a run, so each engine's fastest warm run counts
        for n, name in enumerate(["cold"] + ["warm"] * args.repeats):
            if n >= 2:
                local_runs.append(run_local(inputs, workdir / "local", jobs=2))
            out = workdir / f"spark-{name}"
            out.mkdir(exist_ok=True)
            before = _last_job(spark)
            summary = run_spark(spark, inputs, out / "clean.jsonl", out / "manifest.jsonl")
            timings.append({"run": name, "seconds": round(summary.seconds, 2),
                            "pages_per_second": round(summary.pages_per_second, 1),
                            "stage_seconds": {k: round(v, 2) for k, v in summary.stage_seconds.items()},
                            "counts": dict(summary.counts),
                            "measured": measured_shuffle(spark, before)})
        profile = shuffle_profile(spark, inputs)
    finally:
        spark.stop()
    load.append(os.getloadavg()[0])
    local_seconds = min(local_runs)
    same = {f: (workdir / "local" / f).read_bytes() == (workdir / "spark-warm" / f).read_bytes()
            for f in ("clean.jsonl", "manifest.jsonl")}
    pages = profile["pages"]
    report = {
        "command": "python -m benchmarks.spark_vs_local" + (f" --pages {args.pages}" if args.pages != 5000 else ""),
        "machine": {"python": platform.python_version(), "cpus_used": 2},
        "corpus": {"pages": pages, "files": len(inputs), "seed": args.seed,
                   "text_dumps": profile["text_dumps"], "source": str(args.source.name)},
        "load_average": [round(x, 2) for x in load],
        "local_jobs_2": {"seconds": round(local_seconds, 2), "pages_per_second": round(pages / local_seconds, 1),
                         "runs": [round(x, 2) for x in local_runs]},
        "spark_session_start_seconds": round(startup, 2),
        "spark_local_2": timings,
        "identical_outputs": same,
        "shuffle": profile,
    }
    write_results(args.out.parent, args.out.stem, report, render(report))  # --out names both files


def render(r: dict[str, Any]) -> str:
    pages = r["corpus"]["pages"]
    cold, *warms = r["spark_local_2"]
    warm = min(warms, key=lambda t: t["seconds"])
    local = r["local_jobs_2"]
    lines = [
        "# Spark local[2] vs the local engine (2 worker processes)",
        "",
        (f"Command: `{r['command']}`. Corpus: {pages} generated syndication pages "
        f"({r['corpus']['text_dumps']} text dumps, the rest HTML) from the Scrapinghub set, in "
        f"{r['corpus']['files']} JSONL files with URLs; both engines write JSONL clean feed + manifest."),
        "",
        "| engine | seconds | pages/s |",
        "|---|---|---|",
        f"| local, `--jobs 2` | {local['seconds']} | {local['pages_per_second']} |",
        f"| Spark `local[2]`, first run in a new session | {cold['seconds']} | {cold['pages_per_second']} |",
        f"| Spark `local[2]`, warm (a later run in the session) | {warm['seconds']} | {warm['pages_per_second']} |",
        "",
        (f"Fastest of {len(local['runs'])} local runs ({', '.join(map(str, local['runs']))} s) and of "
         f"{len(warms)} warm Spark runs ({', '.join(str(t['seconds']) for t in warms)} s), interleaved; "
         f"load average {r['load_average'][0]} before, {r['load_average'][1]} after (a shared machine)."),
        "",
        f"Spark session start-up (JVM) {r['spark_session_start_seconds']} s, not counted above. "
        "Warm run by stage: " + ", ".join(f"{k} {v} s" for k, v in warm["stage_seconds"].items()) + ".",
        "",
        "Outputs identical to the local engine's (bytes): "
        + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in r["identical_outputs"].items())
        + f". Counts: {warm['counts']}. The text dumps are filed under {r['shuffle']['site_keys']} "
        "site keys (the local template learner keeps 256; above that the engines' templates, "
        "hence some text dumps, could differ).",
        "",
        "## What each stage shuffles",
        "",
        (f"Payload bytes per input page ({pages} pages; {r['shuffle']['in_lsh']} pages in LSH after "
        f"exact copies are linked to their first copy, {r['shuffle']['candidate_pairs']} candidate "
        f"pairs, {r['shuffle']['edges']} edges, {r['shuffle']['pages_on_an_edge']} pages on an edge):"),
        "",
        "| shuffled column set | bytes | bytes/page |",
        "|---|---|---|",
        *[f"| {c['what']} | {c['bytes']:,} | {c['bytes_per_page']:,} |" for c in r["shuffle"]["column_sets"]],
        "",
    ]
    measured = warm.get("measured") or {}
    if measured:
        lines += [(f"Spark's measured shuffle in the warm run: {measured['shuffle_write_bytes']:,} bytes "
                  f"written ({measured['shuffle_write_bytes'] / pages:,.0f} per page) over "
                  f"{measured['stages']} stages (row encoding and lz4 compression included)."), ""]
    lines += [
        "## How it scales out",
        "",
        ("- **read + pass 1** (extraction, fingerprints, band keys) shuffles nothing: each task reads "
        "whole files, so it scales with executor cores up to one task per input file (split a crawl "
        "into many files: a file is never split). It is most of the CPU time."),
        ("- **duplicate ids** moves a few dozen bytes per page; **templates** move a text dump's "
        "line hashes once per site key, and **pass 2** moves its raw text once (HTML pages are not "
        "moved); a site's template is learned by one task, so one huge site is one long task."),
        ("- **dedup**: band keys are 1 KB per page in LSH, constant; candidate pairs, the verify joins "
        "(one shingle set, ~4 KB for 500 words, travels per candidate pair: the largest shuffle here) "
        "and the star rounds grow with the number of copies "
        "per story (quadratic inside a cluster, as in the local engine), not with the corpus: a crawl "
        "where most pages are unique shuffles little more than its band keys. A band key shared by "
        "thousands of pages is one skewed task (not capped, see `cleanfeed.spark.dedup`)."),
        ("- **outputs**: a file output streams every row through the driver (the local writer, "
        "byte-identical files); at cluster scale give a directory or URI and the executors write "
        "part files in parallel."),
        "",
        f"Python {r['machine']['python']}, 2 cores used by either engine.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
