"""End-to-end throughput of ``cleanfeed run``: pages/s and peak RSS for ``--jobs 1`` and
``--jobs 2``, and the share of time in each stage.

Usage::

    python -m benchmarks.throughput [--pages 5000] [--seed 1] [--workdir DIR]
                                    [--repeat 3] [--rss-pages 50000]
                                    [--baselines trafilatura,datasketch]

Corpus: the syndication generator's pages (``benchmarks.syndication``: real Scrapinghub stories
in other real pages' chrome, with copies, trims, updates and hard negatives), packed the way a
crawl stores them: HTML pages in gzipped WARC files (``response`` records with their URL and
HTTP headers), text dumps in gzipped JSONL (``{"id", "url", "text"}``), 1,000 pages a file, all
in one input directory. Every run is the real command in a subprocess, reading that directory,
writing the clean feed and the manifest; RSS is sampled every 50 ms over the command and all its
worker processes (the sum of their VmRSS), and the peak is reported. The command's ``--stats``
file gives the time per stage. ``--jobs 1`` and ``--jobs 2`` run ``--repeat`` times each,
alternating, and the fastest run of each counts (every wall time is reported): on a shared
virtual machine the speed of a core drifts by tens of percent within minutes. ``--rss-pages``
adds one ``--jobs 2`` run over a larger corpus for the memory ceiling (none by default).

Baselines, timed in the same rounds, each its own subprocess over the same input directory,
with 2 worker processes (``multiprocessing.Pool``, as a user's script would): the pages are
read by cleanfeed's readers and decoded by its decode stage (the same pages, decoded the same
way), then

- ``trafilatura``: ``trafilatura.extract`` on each HTML page (a text dump is kept as its
  text: there is nothing for trafilatura to do on it), every page's text written as JSONL;
- ``datasketch``: the same, plus what a user's own near-duplicate script adds: a
  ``datasketch.MinHash`` (128 permutations, ``update_batch``) of each text's word 5-grams in
  the workers, and in the main process a ``MinHashLSH`` (Jaccard 0.5) query then insert of
  each page, the pages with no candidate at Jaccard ≥ 0.5 written as JSONL.

The pace of ``cleanfeed run --jobs 2`` is reported divided by each baseline's.

Results: ``benchmarks/results/throughput.{md,json}``.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import io
import json
import multiprocessing
import os
import platform
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from benchmarks import write_results
from benchmarks.corpus import DEFAULT_SCRAPINGHUB
from benchmarks.syndication.generate import DEFAULT_SEEDS, Truth, generate

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
PER_FILE = 1000
FLOORS = {"speedup_jobs2_over_jobs1": 1.7, "peak_rss_gb_50k": 2.0, "jobs2_pages_per_second": 250.0,
          "jobs2_over_trafilatura": 3.0}
BASELINES = {
    "trafilatura": "trafilatura alone, 2 processes",
    "datasketch": "trafilatura + datasketch MinHash/LSH, 2 processes",
}
BASELINE_PROCESSES = 2
_NUM_PERM = 128
_JACCARD = 0.5
_WORD = re.compile(r"\w+")


def _warc_record(name: str, url: str, body: bytes) -> bytes:
    """One WARC/1.0 response record (HTTP headers included), gzipped as its own member."""
    http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    record_id = uuid.uuid5(uuid.NAMESPACE_URL, "cleanfeed-bench:" + name)
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{record_id}>\r\n"
            f"WARC-Date: 2026-01-01T00:00:00Z\r\nWARC-Target-URI: {url}\r\n"
            f"Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n").encode()
    return gzip.compress(head + http + b"\r\n\r\n", mtime=0)


def pack(corpus: Path, truth: Truth, out: Path, prefix: str = "") -> dict[str, int]:
    """Pack the generated pages into WARC (HTML) and JSONL (text dumps) files under ``out``;
    each page named ``prefix`` + its file name (so that corpora of several seeds, whose file
    names repeat, can go into one index)."""
    out.mkdir(parents=True, exist_ok=True)
    html = [(n, t) for n, t in sorted(truth.pages.items()) if t.kind == "html"]
    text = [(n, t) for n, t in sorted(truth.pages.items()) if t.kind == "text"]
    for shard in range(0, len(html), PER_FILE):
        with open(out / f"crawl-{shard // PER_FILE:04d}.warc.gz", "wb") as f:
            for name, t in html[shard : shard + PER_FILE]:
                f.write(_warc_record(prefix + name, t.url, (corpus / "pages" / name).read_bytes()))
    for shard in range(0, len(text), PER_FILE):
        buf = io.StringIO()
        for name, t in text[shard : shard + PER_FILE]:
            dump = (corpus / "pages" / name).read_text(encoding="utf-8")
            buf.write(json.dumps({"id": prefix + name, "url": t.url, "text": dump},
                                 ensure_ascii=False) + "\n")
        (out / f"dumps-{shard // PER_FILE:04d}.jsonl.gz").write_bytes(
            gzip.compress(buf.getvalue().encode("utf-8"), mtime=0))
    return {"html_in_warc": len(html), "text_in_jsonl": len(text)}


def _tree_rss(root: int) -> int:
    """Sum of VmRSS (bytes) of ``root`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def run_command(inputs: Path | Sequence[Path], out: Path, jobs: int,
                index: Path | None = None) -> dict[str, Any]:
    """``cleanfeed run`` over ``inputs`` with ``jobs`` workers (and ``--index``): wall time,
    peak RSS, stats."""
    out.mkdir(parents=True, exist_ok=True)
    stats = out / "stats.json"
    command = [sys.executable, "-m", "cleanfeed.cli", "run",
               *map(str, [inputs] if isinstance(inputs, Path) else inputs),
               "-o", str(out / "clean.jsonl"), "--manifest", str(out / "manifest.jsonl"),
               "--jobs", str(jobs), "--stats", str(stats), "--quiet",
               *(["--index", str(index)] if index is not None else [])]
    wall, peak = _timed(command)
    result = json.loads(stats.read_text(encoding="utf-8"))
    digest = {name: hashlib.sha256((out / name).read_bytes()).hexdigest()
              for name in ("clean.jsonl", "manifest.jsonl")}
    return {"jobs": jobs, "wall_seconds": round(wall, 2), "pages": result["pages"],
            "pages_per_second": round(result["pages"] / wall, 2),
            "peak_rss_bytes": peak, "statuses": result["statuses"],
            "stage_seconds": result["stage_seconds"],
            "main_process_cpu_seconds": result.get("main_process_cpu_seconds"), "sha256": digest}


def run_baseline(inputs: Path, out: Path, name: str) -> dict[str, Any]:
    """One baseline (``BASELINES``) over ``inputs`` in its own process: wall time, peak RSS."""
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-c",
               "import sys; from benchmarks.throughput import baseline_main; "
               "raise SystemExit(baseline_main(sys.argv[1:]))",
               name, str(inputs), str(out / "result.jsonl"), str(out / "summary.json")]
    wall, peak = _timed(command)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {"baseline": name, "wall_seconds": round(wall, 2), "pages": summary["pages"],
            "pages_per_second": round(summary["pages"] / wall, 2), "peak_rss_bytes": peak,
            "kept": summary["kept"]}


def _timed(command: list[str]) -> tuple[float, int]:
    """Run ``command`` (from the repository root): its wall seconds and the peak RSS (bytes)
    of it and its children, sampled every 50 ms."""
    peak = {"tree": 0}
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, cwd=REPO)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak["tree"] = max(peak["tree"], _tree_rss(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    if code != 0:
        raise SystemExit(f"{' '.join(command)} exited with {code}")
    return wall, peak["tree"]


# --------------------------------------------------------------------------------------------
# The baselines' own process: a user's script, trafilatura (and datasketch) on 2 processes.


def _baseline_page(job: tuple[Any, bool]) -> tuple[str, str | None, str, Any]:
    """One page in a baseline worker: decoded as cleanfeed decodes it, its text by
    trafilatura (an HTML page) and, when asked, the MinHash of its word 5-grams."""
    import trafilatura
    from datasketch import MinHash

    from cleanfeed.config import ExtractConfig
    from cleanfeed.errors import CleanfeedError
    from cleanfeed.io.decode import decode_bytes, sniff_kind

    raw, minhash = job
    try:
        text = (decode_bytes(raw.content, declared=raw.charset, max_bytes=ExtractConfig().max_bytes)
                if isinstance(raw.content, bytes) else raw.content)
    except CleanfeedError:
        return raw.id, raw.url, "", None
    if (raw.kind or sniff_kind(text)) == "html":
        text = trafilatura.extract(text) or ""
    if not minhash:
        return raw.id, raw.url, text, None
    words = [w.lower() for w in _WORD.findall(text)]
    shingles = {" ".join(words[i : i + 5]).encode() for i in range(max(0, len(words) - 4))}
    m = MinHash(num_perm=_NUM_PERM, seed=1, permutations=_permutations(), scheme="affine32")
    m.update_batch(list(shingles))
    return raw.id, raw.url, text, m.hashvalues if shingles else None


@functools.lru_cache(maxsize=1)
def _permutations() -> Any:
    """datasketch's permutations, drawn once per worker (as a careful script would)."""
    from datasketch import MinHash

    return MinHash(num_perm=_NUM_PERM, seed=1).permutations


def _baseline_jobs(inputs: Path, minhash: bool) -> Iterator[tuple[Any, bool]]:
    from cleanfeed.io.readers import read_inputs
    from cleanfeed.models import RawDoc

    for item in read_inputs([inputs]):
        if isinstance(item, RawDoc):
            yield item, minhash


def baseline_main(argv: list[str]) -> int:
    """``NAME INPUTS OUT SUMMARY``: run baseline NAME over the pages of INPUTS, writing the
    texts (``trafilatura``) or the pages kept (``datasketch``) to OUT as JSONL."""
    name, inputs, out, summary = argv
    minhash = name == "datasketch"
    if name not in BASELINES:
        raise SystemExit(f"unknown baseline {name!r}")
    lsh: Any = None
    sketches: dict[str, Any] = {}  # the kept pages' sketches, to confirm LSH candidates
    if minhash:
        from datasketch import LeanMinHash, MinHashLSH

        lsh = MinHashLSH(threshold=_JACCARD, num_perm=_NUM_PERM)
    pages = kept = 0
    with multiprocessing.Pool(BASELINE_PROCESSES) as pool, open(out, "w", encoding="utf-8") as f:
        for doc_id, url, text, values in pool.imap(
                _baseline_page, _baseline_jobs(Path(inputs), minhash), chunksize=8):
            pages += 1
            if lsh is not None:
                if values is None:
                    continue
                m = LeanMinHash(seed=1, hashvalues=values, scheme="affine32")
                if any(m.jaccard(sketches[k]) >= _JACCARD for k in lsh.query(m)):
                    continue  # a near-duplicate of a page kept before
                lsh.insert(doc_id, m)
                sketches[doc_id] = m
            kept += 1
            f.write(json.dumps({"id": doc_id, "url": url, "text": text}, ensure_ascii=False) + "\n")
    Path(summary).write_text(json.dumps({"pages": pages, "kept": kept}), encoding="utf-8")
    return 0


def corpus_dir(workdir: Path, pages: int, seed: int) -> tuple[Path, dict[str, int]]:
    """Generate and pack a corpus (reused when ``workdir`` already holds this one)."""
    raw, packed = workdir / f"raw-{pages}-{seed}", workdir / f"input-{pages}-{seed}"
    meta = packed / ".packed.json"  # hidden: the readers skip it
    if meta.exists():
        return packed, json.loads(meta.read_text())
    truth = generate(raw, pages, seed, DEFAULT_SCRAPINGHUB, DEFAULT_SEEDS)
    counts = pack(raw, truth, packed)
    meta.write_text(json.dumps(counts))
    return packed, counts


def _shares(stages: dict[str, float]) -> list[tuple[str, float, float]]:
    total = sum(stages.values()) or 1.0
    return [(k, v, v / total) for k, v in sorted(stages.items(), key=lambda kv: -kv[1])]


def markdown(result: dict[str, Any]) -> str:
    runs = result["runs"]
    lines = [
        "# End-to-end throughput: `cleanfeed run`",
        "",
        f"Command: `{result['command']}`. {result['machine']}.",
        "",
        f"Corpus: {result['pages']:,} generated syndication pages (real Scrapinghub stories in "
        f"other real pages' chrome; copies, trims, updates, hard negatives), packed as a crawl "
        f"stores them: {result['packing']['html_in_warc']:,} HTML pages in gzipped WARC files, "
        f"{result['packing']['text_in_jsonl']:,} text dumps in gzipped JSONL, 1,000 a file. Each "
        "run is the real command in a subprocess (read, extract, learn templates, deduplicate, "
        "write the feed and the manifest); peak RSS is the sum over the command and its worker "
        f"processes, sampled every 50 ms. `--jobs 1` and `--jobs 2` ran {result['repeat']} times "
        "each, alternating; the table shows the fastest run of each (wall seconds of every run: "
        + "; ".join(f"`--jobs {j}` " + ", ".join(f"{w:.1f}" for w in ws)
                    for j, ws in result["walls"].items())
        + "; the ratio per round: " + ", ".join(f"{x:.2f}×" for x in result["speedup_per_round"])
        + ").",
    ]
    if result.get("baselines"):
        lines += [
            "",
            "Baselines, in the same rounds (fastest run of each), each a script in its own process "
            "over the same input directory with 2 worker processes: pages read by cleanfeed's "
            "readers and decoded by its decode stage, then `trafilatura.extract` on each HTML page "
            "(a text dump kept as its text), every text written as JSONL; the datasketch script "
            "adds a `MinHash` (128 permutations) of each text's word 5-grams in the workers and a "
            f"`MinHashLSH` query-then-insert at Jaccard {_JACCARD} in the main process, writing "
            "the pages it keeps.",
        ]
    lines += [
        "",
        "| run | pages | wall (s) | pages/s | peak RSS (MB) | kept | duplicates | dropped |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        s = r["statuses"]
        lines.append(
            f"| `--jobs {r['jobs']}` | {r['pages']:,} | {r['wall_seconds']:.1f} | "
            f"{r['pages_per_second']:.1f} | {r['peak_rss_bytes'] / 2**20:,.0f} | "
            f"{s.get('kept', 0):,} | {s.get('duplicate', 0):,} | {s.get('dropped', 0):,} |")
    big = result.get("rss_run")
    if big:
        s = big["statuses"]
        lines.append(
            f"| `--jobs {big['jobs']}`, {big['pages']:,} pages | {big['pages']:,} | "
            f"{big['wall_seconds']:.1f} | {big['pages_per_second']:.1f} | "
            f"{big['peak_rss_bytes'] / 2**20:,.0f} | {s.get('kept', 0):,} | "
            f"{s.get('duplicate', 0):,} | {s.get('dropped', 0):,} |")
    for name, b in result.get("baselines", {}).items():
        kept = f"{b['kept']:,}" if name == "datasketch" else "–"
        lines.append(
            f"| {BASELINES[name]} | {b['pages']:,} | {b['wall_seconds']:.1f} | "
            f"{b['pages_per_second']:.1f} | {b['peak_rss_bytes'] / 2**20:,.0f} | {kept} | – | – |")
    lines += [
        "",
        f"- `--jobs 2` pages/s: **{runs[1]['pages_per_second']:.1f}** (floor ≥ 250)",
        f"- `--jobs 2` ÷ `--jobs 1` pages/s: **{result['speedup']:.2f}×** (floor 1.7×)",
    ]
    for name, b in result.get("baselines", {}).items():
        floor = " (floor ≥ 3×)" if name == "trafilatura" else ""
        lines.append(f"- `--jobs 2` ÷ {BASELINES[name]}, pages/s: "
                     f"**{b['jobs2_over_baseline']:.2f}×**{floor} (wall seconds of every run: "
                     + ", ".join(f"{w:.1f}" for w in b["walls"]) + ")")
    lines += [
        f"- outputs of every `--jobs 1` and `--jobs 2` run byte-identical: **{result['identical']}**",
    ]
    if big:
        lines.append(f"- peak RSS over {big['pages']:,} pages: "
                     f"**{big['peak_rss_bytes'] / 2**30:.2f} GB** (floor ≤ 2 GB)")
    cpu = [r.get("main_process_cpu_seconds") for r in runs]
    if all(c is not None for c in cpu):
        # with 2 workers on 2 cores the main process's CPU is taken from the workers': it is
        # what keeps --jobs 2 from twice the pace of --jobs 1
        lines.append("- CPU seconds of the main process (read, templates, deduplication, spools "
                     "and writes; the workers are fed from it): "
                     + ", ".join(f"`--jobs {r['jobs']}` {c:.1f}" for r, c in zip(runs, cpu, strict=True)))
    lines += ["", "Time per stage (`--stats`; `worker:*` summed over worker processes, the others "
              "in the main process; share of the sum):", ""]
    header = "| stage | " + " | ".join(f"`--jobs {r['jobs']}` s (share)" for r in runs) + " |"
    lines += [header, "|---|" + "---:|" * len(runs)]
    stages = sorted({k for r in runs for k in r["stage_seconds"]},
                    key=lambda k: -runs[0]["stage_seconds"].get(k, 0))
    for stage in stages:
        cells = []
        for r in runs:
            total = sum(r["stage_seconds"].values()) or 1.0
            v = r["stage_seconds"].get(stage, 0.0)
            cells.append(f"{v:.1f} ({v / total:.0%})")
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cleanfeed-throughput"))
    parser.add_argument("--rss-pages", type=int, default=0,
                        help="also run --jobs 2 over a corpus of this many pages (memory ceiling)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each --jobs, alternating; the fastest of each counts")
    parser.add_argument("--baselines", default=",".join(BASELINES),
                        help="comma-separated baselines timed in the same rounds "
                             f"({', '.join(BASELINES)}; 'none' for none)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    baselines = [b for b in args.baselines.split(",") if b and b != "none"]
    unknown = set(baselines) - set(BASELINES)
    if unknown:
        parser.error(f"unknown baselines: {', '.join(sorted(unknown))}")
    inputs, packing = corpus_dir(args.workdir, args.pages, args.seed)
    # alternate --jobs 1, --jobs 2 and the baselines, `--repeat` times: a shared VM's speed
    # drifts by tens of percent within minutes, and each mode's fastest run is the one least
    # disturbed
    tries: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    base_tries: dict[str, list[dict[str, Any]]] = {b: [] for b in baselines}
    for _ in range(args.repeat):
        for j in (1, 2):
            tries[j].append(run_command(inputs, args.workdir / f"out-{args.pages}-jobs{j}", j))
        for b in baselines:
            base_tries[b].append(run_baseline(inputs, args.workdir / f"out-{args.pages}-{b}", b))
    runs = [min(tries[j], key=lambda r: r["wall_seconds"]) for j in (1, 2)]
    walls = {j: [r["wall_seconds"] for r in tries[j]] for j in (1, 2)}
    base_runs = {b: min(t, key=lambda r: r["wall_seconds"]) for b, t in base_tries.items()}
    result: dict[str, Any] = {
        "command": f"python -m benchmarks.throughput --pages {args.pages} --seed {args.seed}"
                   + (f" --repeat {args.repeat}" if args.repeat != 3 else "")
                   + (f" --rss-pages {args.rss_pages}" if args.rss_pages else "")
                   + (f" --baselines {','.join(baselines) or 'none'}"
                      if baselines != list(BASELINES) else ""),
        "repeat": args.repeat,
        "walls": walls,
        "speedup_per_round": [round(a / b, 3) for a, b in zip(walls[1], walls[2], strict=True)],
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()} on "
                   f"{platform.machine()}, load average {os.getloadavg()[0]:.1f} at the start",
        "pages": args.pages,
        "packing": packing,
        "runs": runs,
        "speedup": runs[1]["pages_per_second"] / runs[0]["pages_per_second"],
        "identical": len({json.dumps(r["sha256"], sort_keys=True) for t in tries.values() for r in t}) == 1,
        "baselines": {b: {**r, "walls": [t["wall_seconds"] for t in base_tries[b]],
                          "jobs2_over_baseline": round(runs[1]["pages_per_second"]
                                                       / r["pages_per_second"], 3)}
                      for b, r in base_runs.items()},
    }
    if args.rss_pages:
        big_inputs, _ = corpus_dir(args.workdir, args.rss_pages, args.seed)
        result["rss_run"] = run_command(big_inputs, args.workdir / f"out-{args.rss_pages}-jobs2", 2)
    result["floors"] = {
        "speedup_jobs2_over_jobs1 >= 1.7": result["speedup"] >= FLOORS["speedup_jobs2_over_jobs1"],
        "jobs2 >= 250 pages/s": runs[1]["pages_per_second"] >= FLOORS["jobs2_pages_per_second"],
        **({"jobs2 >= 3x trafilatura": result["baselines"]["trafilatura"]["jobs2_over_baseline"]
            >= FLOORS["jobs2_over_trafilatura"]} if "trafilatura" in result["baselines"] else {}),
        **({"peak_rss_50k <= 2 GB": result["rss_run"]["peak_rss_bytes"] <= 2 * 2**30}
           if args.rss_pages else {}),
    }
    write_results(args.out, "throughput", result, markdown(result), indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
