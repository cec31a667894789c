"""Time of the deduplicator's final ``resolve()`` on a large generated corpus.

Usage::

    python -m benchmarks.resolve_speed [--pages 50000] [--seed 1] [--bodies true|extracted]
                                       [--workdir DIR] [--out DIR] [--profile]

Corpus: the syndication generator's pages over the Scrapinghub stories (as
``benchmarks.throughput`` builds them: few stories, so at 50,000 pages a story has hundreds of
copies: the big components whose decision used to cost members x contenders Python-level
checks). ``--bodies true`` fingerprints each page's true body (``bodies.json``, no
extraction); ``--bodies extracted`` extracts every page first (``cleanfeed.extract_pages``,
two processes; slow: the fingerprints are cached in the work directory).

What is timed is what ``cleanfeed run`` does with them: ``add_fingerprints(batch,
resolve=False)`` in batches of 2,048 (``link_s``), then one ``resolve()`` (``resolve_s``, the
figure of issue 13: at most 30 s at 50,000 pages). ``decisions_sha256`` hashes every final
decision (status, canonical, similarity, reason): equal digests before and after a change
mean the same decisions, byte for byte.

Results: ``benchmarks/results/resolve_speed.{md,json}``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import platform
import time
from collections import Counter
from pathlib import Path
from typing import Any

import cleanfeed
from benchmarks import write_results
from benchmarks.corpus import DEFAULT_SCRAPINGHUB
from benchmarks.syndication.generate import DEFAULT_SEEDS, generate
from cleanfeed import CleanDoc, DedupConfig, Deduplicator, RawDoc
from cleanfeed.dedup.fingerprint import Fingerprint, fingerprint_batch

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
BATCH = 2048  # what ``cleanfeed.run`` gives the deduplicator at once
FLOOR_RESOLVE_S_50K = 30.0


def corpus(workdir: Path, pages: int, seed: int) -> Path:
    """The generated pages (``pages/``, ``truth.json``, ``bodies.json``), made once."""
    raw = workdir / f"raw-{pages}-{seed}"
    if not (raw / "bodies.json").exists():
        generate(raw, pages, seed, DEFAULT_SCRAPINGHUB, DEFAULT_SEEDS)
    return raw


def fingerprints(raw: Path, bodies: str, config: DedupConfig) -> list[Fingerprint]:
    """Every page's fingerprint, from its true or its extracted body (cached on disk)."""
    cache = raw / f"fingerprints-{bodies}-{config.fingerprint()}.pkl"
    if cache.exists():
        with open(cache, "rb") as f:
            cached: list[Fingerprint] = pickle.load(f)
            return cached
    truth = json.loads((raw / "truth.json").read_text(encoding="utf-8"))["pages"]
    if bodies == "true":
        texts = json.loads((raw / "bodies.json").read_text(encoding="utf-8"))
        docs = [CleanDoc(id=p, paragraphs=tuple(x for x in texts[p].split("\n") if x.strip()),
                         url=truth[p]["url"] or None) for p in sorted(texts)]
    else:
        pages = [RawDoc(id=p, content=(raw / "pages" / p).read_bytes(),
                        url=truth[p]["url"] or None) for p in sorted(truth)]
        docs = [r.doc for r in cleanfeed.extract_pages(pages, jobs=2, keep_removals=False)
                if r.doc is not None]
    fps = [f for start in range(0, len(docs), BATCH)
           for f in fingerprint_batch(docs[start : start + BATCH], config)]
    with open(cache, "wb") as out:
        pickle.dump(fps, out)
    return fps


def measure(fps: list[Fingerprint], config: DedupConfig, profile: Path | None) -> dict[str, Any]:
    dedup = Deduplicator(config)
    t0 = time.perf_counter()
    for start in range(0, len(fps), BATCH):
        dedup.add_fingerprints(fps[start : start + BATCH], resolve=False)
    link_s = time.perf_counter() - t0
    sizes = Counter(dedup.store.components([f.doc_id for f in fps]).values())
    t0, c0 = time.perf_counter(), time.process_time()
    if profile is not None:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.runcall(dedup.resolve)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        prof.dump_stats(str(profile))
    else:
        dedup.resolve()
    resolve_s = time.perf_counter() - t0
    resolve_cpu_s = time.process_time() - c0
    decisions = dedup.decisions()
    digest = hashlib.sha256()
    for d in decisions:
        digest.update(json.dumps(d.to_dict(), sort_keys=True).encode("utf-8") + b"\n")
    status = Counter(d.status for d in decisions)
    label = dedup.store.components([d.doc_id for d in decisions])
    rounds = Counter(label[d.doc_id] for d in decisions if d.status == "kept")
    largest = sorted(sizes, key=lambda x: (-sizes[x], x))[:5]
    return {
        "fingerprints": len(fps),
        "components": len(sizes),
        "largest_components": [sizes[x] for x in largest],
        "kept_in_largest_components": [rounds[x] for x in largest],
        "pages_in_components_over_100": sum(n for n in sizes.values() if n > 100),
        "link_s": round(link_s, 2),
        "resolve_s": round(resolve_s, 2),
        "resolve_cpu_s": round(resolve_cpu_s, 2),
        "kept": status["kept"],
        "duplicates": status["duplicate"],
        "decisions_sha256": digest.hexdigest(),
    }


def markdown(r: dict[str, Any]) -> str:
    m = r["measured"]
    floor = r.get("floor_resolve_s<=30")
    return "\n".join([
        "# Final resolve of the deduplicator",
        "",
        f"Command: `{r['command']}`. {r['machine']}.",
        "",
        f"{m['fingerprints']:,} fingerprints ({r['bodies']} bodies) in {m['components']:,} "
        f"components; largest {', '.join(f'{n:,}' for n in m['largest_components'])} (kept in "
        f"each, one per round of its decision: {', '.join(map(str, m['kept_in_largest_components']))}); "
        f"{m['pages_in_components_over_100']:,} pages in components of more than 100.",
        "",
        "| step | wall seconds | CPU seconds |",
        "|---|---:|---:|",
        f"| link: `add_fingerprints(resolve=False)` in batches of {BATCH:,} | {m['link_s']:.2f} | |",
        f"| **final `resolve()`** | **{m['resolve_s']:.2f}** | {m['resolve_cpu_s']:.2f} |",
        "",
        "CPU seconds are the process's own (other processes on a shared machine stretch the wall "
        "time, much less the CPU time).",
        "",
        f"Decisions: {m['kept']:,} kept, {m['duplicates']:,} duplicates; sha256 of all "
        f"decisions `{m['decisions_sha256']}`.",
        "",
        *([f"Floor (issue 13, 50,000 pages): final resolve ≤ {FLOOR_RESOLVE_S_50K:.0f} s: "
           f"{'PASS' if floor else 'FAIL'}", ""] if floor is not None else []),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bodies", choices=("true", "extracted"), default="true")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cleanfeed-resolve"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--profile", action="store_true",
                        help="run resolve() under cProfile; prints the top and saves resolve.prof")
    args = parser.parse_args(argv)
    config = DedupConfig()
    raw = corpus(args.workdir, args.pages, args.seed)
    fps = fingerprints(raw, args.bodies, config)
    args.out.mkdir(parents=True, exist_ok=True)
    measured = measure(fps, config, args.out / "resolve.prof" if args.profile else None)
    result: dict[str, Any] = {
        "command": (f"python -m benchmarks.resolve_speed --pages {args.pages} --seed {args.seed}"
                    f" --bodies {args.bodies}"),
        "bodies": args.bodies,
        "machine": (f"{platform.processor() or platform.machine()}, Python "
                    f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the "
                    "end" if hasattr(os, "getloadavg") else platform.machine()),
        "cleanfeed_version": cleanfeed.__version__,
        "measured": measured,
    }
    if args.pages >= 50000:
        result["floor_resolve_s<=30"] = measured["resolve_s"] <= FLOOR_RESOLVE_S_50K
    if args.profile:
        print(markdown(result))
    else:
        write_results(args.out, "resolve_speed", result, markdown(result) + "\n")
    return 0 if result.get("floor_resolve_s<=30", True) else 1


if __name__ == "__main__":
    raise SystemExit(main())
