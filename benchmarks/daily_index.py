"""Daily runs over one persistent index: does a run cost more as the index grows?

Usage::

    python -m benchmarks.daily_index [--runs 4] [--pages 5000] [--seed 1] [--jobs 2]
                                     [--workdir DIR] [--out DIR]

The way a crawl is cleaned day after day: run ``r`` is ``cleanfeed run DAY_r --index INDEX``,
the real command in a subprocess, over one index file that every run adds to. Each day is a
corpus of its own, made by the syndication generator with seed ``seed + r`` from all three
bench sets (``DEFAULT_SOURCES``: stories and the chrome of pages of 400+ sites) and packed as
``benchmarks.throughput`` packs it (HTML in gzipped WARC, text dumps in gzipped JSONL), its
pages named ``r<r>-`` + their file names so that no two days share an id. Every day draws its
hosts (sites and their chrome) from the same pages, as a crawl revisits the same sites; its
stories are day ``r``'s part of the stories (``stories_part``): the news of the day, copied
that day (``--same-stories``: every day from all the stories, each copied again every day).

Per run: wall time per page, the command's ``dedup`` stage seconds (``--stats``), the peak RSS
of the command and its workers (sampled every 50 ms), and, read from the index afterwards, the
pages it holds and its largest components (what the deduplicator links into one component; its
final ``resolve`` decides each component that holds a page of the run, all its members). Each
day is also run alone, into a fresh index: the days' corpora differ in what they cost, so what
the index's history adds to a run is its time over the same day's alone.

Then (``--compare``, the default) one more run over all the days' inputs at once, into an
index of its own: the module ``cleanfeed.dedup.deduplicator`` promises that several runs through
one index give the same clusters as one run. The clusters in the two indexes (a page and its
canonical) are compared pair by pair: of the pairs of pages the daily runs put in one cluster,
the share one run also does (precision), and of one run's, the share the daily runs do (recall),
and the share of pages whose decision (status and canonical) is the same in both.

Criterion (issue 13, "time per page must stay flat as the input grows", for input that arrives
over runs): the last run's time per page within 1.2x of the same day's alone.

Results: ``benchmarks/results/daily_index.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from collections import Counter
from pathlib import Path
from typing import Any

import cleanfeed
from benchmarks import write_results
from benchmarks.syndication.generate import DEFAULT_SEEDS, DEFAULT_SOURCES, generate
from benchmarks.throughput import pack, run_command
from cleanfeed import DedupConfig
from cleanfeed.dedup.store import SqliteStore

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
FLAT_RATIO = 1.2


def day_corpus(workdir: Path, run: int, runs: int, pages: int, seed: int, same_stories: bool) -> Path:
    """Run ``run``'s input directory (generated and packed once, reused afterwards)."""
    name = f"{pages}-{seed}-" + ("all" if same_stories else f"part{run}of{runs}")
    raw, packed = workdir / f"raw-{name}", workdir / f"day{run}-{name}"
    meta = packed / ".packed.json"  # hidden: the readers skip it
    if not meta.exists():
        truth = generate(raw, pages, seed, DEFAULT_SOURCES, DEFAULT_SEEDS,
                         stories_part=None if same_stories else (run, runs))
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps(pack(raw, truth, packed, prefix=f"r{run}-")))
    return packed


def index_shape(index: Path) -> dict[str, Any]:
    """Pages the index holds and the sizes of its largest components."""
    store = SqliteStore(index, DedupConfig())
    try:
        ids = list(store.decisions())
        sizes = Counter(store.components(ids).values())
    finally:
        store.close()
    return {"index_pages": len(ids), "components": len(sizes),
            "largest_components": sorted(sizes.values(), reverse=True)[:3]}


def clusters(index: Path) -> dict[str, tuple[str, str]]:
    """Each decided page's (status, canonical id) in an index."""
    store = SqliteStore(index, DedupConfig())
    try:
        return {i: (d.status, d.canonical_id) for i, d in store.decisions().items()}
    finally:
        store.close()


def agreement(daily: dict[str, tuple[str, str]], once: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """How far the daily runs' clusters are one run's: pairwise precision and recall of the
    daily clusters against one run's (pairs of pages in one cluster), over the pages both
    decided, and the share of those pages with the same decision."""
    ids = sorted(set(daily) & set(once))

    def pairs(counts: Counter[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    both = pairs(Counter((daily[i][1], once[i][1]) for i in ids))
    in_daily, in_once = pairs(Counter(daily[i][1] for i in ids)), pairs(Counter(once[i][1] for i in ids))
    return {"pages": len(ids),
            "pairwise_precision": round(both / in_daily, 4) if in_daily else 1.0,
            "pairwise_recall": round(both / in_once, 4) if in_once else 1.0,
            "same_decision": round(sum(daily[i] == once[i] for i in ids) / len(ids), 4) if ids else 1.0,
            "kept_daily": sum(daily[i][0] == "kept" for i in ids),
            "kept_one_run": sum(once[i][0] == "kept" for i in ids)}


def fresh(index: Path) -> Path:
    """``index`` with no file left of an earlier benchmark."""
    for stale in (index, index.with_name(index.name + "-wal"), index.with_name(index.name + "-shm")):
        stale.unlink(missing_ok=True)
    return index


def one_run(inputs: list[Path], index: Path, out: Path, jobs: int) -> dict[str, Any]:
    r = run_command(inputs, out, jobs, index)
    return {"pages": r["pages"], "wall_seconds": r["wall_seconds"],
            "ms_per_page": round(1000 * r["wall_seconds"] / r["pages"], 3),
            "dedup_seconds": round(r["stage_seconds"].get("dedup", 0.0), 2),
            "main_process_cpu_seconds": r["main_process_cpu_seconds"],
            "peak_rss_mb": round(r["peak_rss_bytes"] / 2**20), "statuses": r["statuses"],
            **index_shape(index)}


def markdown(result: dict[str, Any]) -> str:
    rows = result["runs"]
    lines = [
        "# Daily runs over one index",
        "",
        f"Command: `{result['command']}`. {result['machine']}.",
        "",
        f"{len(rows)} runs of `cleanfeed run DAY --index INDEX --jobs {result['jobs']}`, each over a "
        f"corpus of its own ({result['pages']:,} generated pages, seeds {result['seeds']}, "
        + ("every day's stories from all the stories" if result["same_stories"]
           else "each day's stories its own, the sites the same")
        + "), one index for all (see the module docstring).",
        "",
        "| run | pages in the index after | wall s | ms/page | ÷ the day alone | dedup stage s "
        "(the day alone) | peak RSS MB | largest components after |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for n, r in enumerate(rows, 1):
        a = r["alone"]
        lines.append(f"| {n} | {r['index_pages']:,} | {r['wall_seconds']:.2f} | {r['ms_per_page']:.2f} | "
                     f"{r['ms_per_page'] / a['ms_per_page']:.2f} | {r['dedup_seconds']:.2f} "
                     f"({a['dedup_seconds']:.2f}) | {r['peak_rss_mb']:,} | "
                     f"{', '.join(f'{s:,}' for s in r['largest_components'])} |")
    verdict = "PASS" if result["flat"] else "FAIL"
    c = result.get("compared_with_one_run")
    if c:
        o = c["one_run"]
        lines += [
            "",
            f"One run over all {o['pages']:,} pages, into an index of its own: {o['wall_seconds']:.2f} s "
            f"({o['ms_per_page']:.2f} ms/page, dedup stage {o['dedup_seconds']:.2f} s, peak RSS "
            f"{o['peak_rss_mb']:,} MB, largest components {', '.join(f'{s:,}' for s in o['largest_components'])}).",
            f"Its clusters against the daily runs', over the {c['pages']:,} pages both decided: "
            f"pairwise precision {c['pairwise_precision']:.4f}, recall {c['pairwise_recall']:.4f}; "
            f"same decision (status and canonical) for {100 * c['same_decision']:.2f}% of pages; kept "
            f"{c['kept_daily']:,} (daily) and {c['kept_one_run']:,} (one run).",
        ]
    lines += [
        "",
        f"Last run's time per page ÷ the same day's alone: **{result['ratio_last_over_alone']:.2f}** "
        f"(criterion ≤ {FLAT_RATIO}: {verdict}).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--pages", type=int, default=5000, help="pages a run")
    parser.add_argument("--seed", type=int, default=1, help="run r uses seed + r")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cleanfeed-daily"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--same-stories", action="store_true",
                        help="every day from all the stories (each copied again every day)")
    parser.add_argument("--compare", action=argparse.BooleanOptionalAction, default=True,
                        help="also one run over all the days, and compare the clusters")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    index = fresh(args.workdir / "index.sqlite")
    seeds = [args.seed + r for r in range(args.runs)]
    days = [day_corpus(args.workdir, r, args.runs, args.pages, s, args.same_stories)
            for r, s in enumerate(seeds)]
    runs = []
    for r, inputs in enumerate(days):
        runs.append(one_run([inputs], index, args.workdir / f"out-{r}", args.jobs))
        alone = one_run([inputs], fresh(args.workdir / "alone.sqlite"), args.workdir / f"alone-{r}",
                        args.jobs)
        runs[-1]["alone"] = {k: alone[k] for k in ("wall_seconds", "ms_per_page", "dedup_seconds")}
        print(f"run {r + 1}: {json.dumps(runs[-1])}", flush=True)
    ratio = runs[-1]["ms_per_page"] / runs[-1]["alone"]["ms_per_page"]
    compared = None
    if args.compare:
        once = fresh(args.workdir / "one-run.sqlite")
        single = one_run(days, once, args.workdir / "out-once", args.jobs)
        compared = {"one_run": single, **agreement(clusters(index), clusters(once))}
        print(f"one run: {json.dumps(compared)}", flush=True)
    result: dict[str, Any] = {
        "command": (f"python -m benchmarks.daily_index --runs {args.runs} --pages {args.pages} "
                    f"--seed {args.seed} --jobs {args.jobs}"
                    + (" --same-stories" if args.same_stories else "")),
        "machine": (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
                    f"{platform.python_version()}"),
        "cleanfeed_version": cleanfeed.__version__,
        "pages": args.pages, "jobs": args.jobs, "seeds": seeds, "same_stories": args.same_stories,
        "runs": runs,
        "ratio_last_over_alone": round(ratio, 3), "flat": ratio <= FLAT_RATIO,
        "compared_with_one_run": compared,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    write_results(args.out, "daily_index", result, markdown(result) + "\n")
    return 0 if result["flat"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
