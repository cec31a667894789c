"""Scaling: does ``cleanfeed run`` stay linear as the input grows, and the deduplication stage
alone at a million documents?

Usage::

    python -m benchmarks.scaling [--sizes 10000,50000,200000] [--block 5000] [--seed 1]
                                 [--dedup-fingerprints 1000000] [--dedup-store memory,sqlite]
                                 [--dedup-chrome 2]
                                 [--workdir DIR] [--out DIR]

Runs: for each size, the real ``cleanfeed run --jobs 2`` in a subprocess over a packed input
(HTML pages in gzipped WARC, text dumps in gzipped JSONL, as ``benchmarks.throughput`` packs
them); wall time per page, and peak RSS summed over the command and all its worker processes,
sampled every 50 ms. Then the deduplication stage alone (``Deduplicator.add_fingerprints`` in
batches of 2,048, then ``resolve``, as the runner drives it) over ``--dedup-fingerprints``
synthetic fingerprints, in a subprocess of its own per store: time per stage and peak RSS.

Corpus at size N: N / B blocks (B = ``--block``), each a copy of one generated base block
(``benchmarks.syndication``: real stories of the three bench sets in the chrome of their
hundreds of sites, with copies, trims, updates and hard negatives) with the letters and digits
of all its text put through a substitution of the block's own (ASCII vowels among vowels,
consonants among consonants; the letters of other scripts, Chinese, Korean, Cyrillic, accented
Latin, each to a letter of its script and case by a flip of the block's own; every decimal
digit, of any script, to another digit of its script; in HTML only the text between tags,
entities kept), its hosts renamed
``bK-host`` and its ids prefixed. Block k thus has its own stories, words and sites, while
word lengths, punctuation, markup and the copy structure stay the base block's: every size
has the same mix of work per page and only the size grows. (The generator alone cannot do
this: its stories are the bench sets' few thousand, so 200,000 of its pages would be ~200
copies of each story, a different workload from 10,000 pages.)

Synthetic fingerprints (dedup alone): stories of 150-450 shingles in 4-12 lines, each story
1 + a geometric number of copies (mean ~0.5; a copy keeps a prefix of the lines, ≥ 60% of
them, and has 3% of its shingles replaced), 2,000 domains; signatures and band keys computed
by cleanfeed's own ``minhash_signatures``. Generated batch by batch, never all at once. Each
page ends with its site's chrome (``--dedup-chrome`` lines, 2 by default, of 15-30 shingles,
the same on every page of the site), as the chrome an extractor leaves in does: linked
knowledge-free through it, and through the copies across sites, most pages join one
component that grows with the input (157,029 of 200,000), which resolve must decide without
holding it; discounted as common, the chrome changes no decision (``--dedup-chrome 0``: the
pages without it, as before).

Floors (issue 13): time per page at the largest size within 1.2× of the smallest; peak RSS
≤ 2 GB at 200,000 pages; dedup alone on 1,000,000 fingerprints ≤ 4 GB peak RSS.

Results: ``benchmarks/results/scaling.{md,json}``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import platform
import random
import re
import resource
import shlex
import string
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks import write_results
from benchmarks.syndication.generate import DEFAULT_SEEDS, DEFAULT_SOURCES, Truth, generate
from benchmarks.throughput import PER_FILE, _warc_record, run_command

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
FLOORS = {"time_per_page_ratio": 1.2, "peak_rss_gb_200k": 2.0, "dedup_peak_rss_gb": 4.0}

_VOWELS, _CONSONANTS, _DIGITS = "aeiou", "bcdfghjklmnpqrstvwxyz", "0123456789"
# v2: non-ASCII letters enciphered too; v3: digits too (v2 left them alone: the tables and
# figures of a number-heavy story, housing prices, standings, were 5-grams of numbers shared
# by its copies in every block, which linked the blocks into one component growing with N)
_CORPUS_VERSION = "v3"
_TEXT = re.compile(r">([^<]+)<")
_ENTITY = re.compile(r"(&#?\w+;)")
_HOST = re.compile(r"^(https?://)([^/]+)")


# --------------------------------------------------------------------------------------------
# Corpus


class _Cipher(dict[int, int]):
    """A ``str.translate`` table: ASCII letters and digits as given, every other letter
    (Chinese, Korean, Cyrillic, accented Latin...) by ``_flipped`` and every other decimal
    digit (Arabic-Indic, Devanagari, full-width...) by ``_digit``, computed when first met."""

    def __init__(self, ascii_table: dict[int, int], flip: int, digits: tuple[int, ...]) -> None:
        super().__init__(ascii_table)
        self.flip = flip
        self.digits = digits

    def __missing__(self, code: int) -> int:
        self[code] = out = _digit(code, self.digits) if chr(code).isdecimal() else _flipped(
            code, self.flip)
        return out


def _digit(code: int, digits: tuple[int, ...]) -> int:
    """A decimal digit's substitute: the digit of value ``digits[value]`` of its own script
    (Unicode puts each script's digits 0-9 in a run of consecutive code points)."""
    value = unicodedata.decimal(chr(code))
    return code - value + digits[value]


def _flippable(c: str) -> bool:
    """A non-ASCII lower-case (or caseless) letter whose case maps round-trip."""
    return (ord(c) >= 128 and c.isalpha() and c.lower() == c and len(c.upper()) == 1
            and c.upper().lower() == c)


def _flipped(code: int, flip: int) -> int:
    """A non-ASCII letter's substitute: the letter whose code point has the low bits ``flip``
    flipped (same script, same case), when that is a letter too; else the letter itself (a
    bijection: flipping twice gives the letter back). Anything else stays."""
    c = chr(code)
    if code < 128 or not c.isalpha():
        return code
    lower = c.lower()
    if len(lower) != 1 or lower.upper() != c.upper() or not _flippable(lower):
        return code
    out = chr(ord(lower) ^ flip)
    if not _flippable(out):
        return code
    return ord(out.upper()) if c != lower else ord(out)


def cipher(block: int, seed: int) -> dict[int, int]:
    """The block's letter and digit substitution (block 0: none): ASCII vowels among vowels,
    consonants among consonants, upper case as lower case, digits among digits (of every
    script); every other letter by ``_flipped`` with a flip of the block's own. Whatever the
    substitution leaves alone is shared by the copies of a story in every block: stories in
    Chinese or Korean (v1), or a story's tables of figures (v2), made copies across blocks,
    hence a component growing with the input."""
    if block == 0:
        return {}
    rng = random.Random(f"{seed}:{block}")
    table: dict[int, int] = {}
    for group in (_VOWELS, _CONSONANTS):
        shuffled = list(group)
        while any(a == b for a, b in zip(group, shuffled, strict=True)):  # every letter changes
            rng.shuffle(shuffled)
        for a, b in zip(group, shuffled, strict=True):
            table[ord(a)], table[ord(a.upper())] = ord(b), ord(b.upper())
    assert set(table) <= {ord(c) for c in string.ascii_letters}
    digits = list(range(10))
    while any(a == b for a, b in enumerate(digits)):  # every digit changes
        rng.shuffle(digits)
    table.update((ord(_DIGITS[a]), ord(_DIGITS[b])) for a, b in enumerate(digits))
    return _Cipher(table, 1 + (block - 1) % 255, tuple(digits))


def _text(text: str, table: dict[int, int]) -> str:
    """Plain text through the substitution, entities kept."""
    return "".join(part if _ENTITY.fullmatch(part) else part.translate(table)
                   for part in _ENTITY.split(text))


def _html(page: str, table: dict[int, int]) -> str:
    return _TEXT.sub(lambda m: ">" + _text(m.group(1), table) + "<", page) if table else page


def _url(url: str, block: int) -> str:
    return _HOST.sub(lambda m: f"{m.group(1)}b{block}-{m.group(2)}", url) if block else url


def base_block(workdir: Path, block: int, seed: int) -> tuple[Path, Truth]:
    """The generated base block (reused when ``workdir`` holds it)."""
    raw = workdir / f"base-{block}-{seed}"
    truth_file = raw / "truth.json"
    if not truth_file.exists():
        generate(raw, block, seed, DEFAULT_SOURCES, DEFAULT_SEEDS)
    return raw, Truth.from_json(truth_file.read_text(encoding="utf-8"))


def pack_block(raw: Path, truth: Truth, block: int, seed: int, out: Path) -> None:
    """Block ``block`` of the input: the base block enciphered, packed as crawls store it."""
    table = cipher(block, seed)
    html_pages = [(n, t) for n, t in sorted(truth.pages.items()) if t.kind == "html"]
    text_pages = [(n, t) for n, t in sorted(truth.pages.items()) if t.kind == "text"]
    for shard in range(0, len(html_pages), PER_FILE):
        path = out / f"crawl-b{block:03d}-{shard // PER_FILE:04d}.warc.gz"
        with open(path, "wb") as f:
            for name, t in html_pages[shard:shard + PER_FILE]:
                page = (raw / "pages" / name).read_bytes().decode("utf-8", "surrogateescape")
                body = _html(page, table).encode("utf-8", "surrogateescape")
                f.write(_warc_record(f"b{block}/{name}", _url(t.url, block), body))
    for shard in range(0, len(text_pages), PER_FILE):
        buf = io.StringIO()
        for name, t in text_pages[shard:shard + PER_FILE]:
            dump = _text((raw / "pages" / name).read_text(encoding="utf-8"), table)
            buf.write(json.dumps({"id": f"b{block}/{name}", "url": _url(t.url, block),
                                  "text": dump}, ensure_ascii=False) + "\n")
        (out / f"dumps-b{block:03d}-{shard // PER_FILE:04d}.jsonl.gz").write_bytes(
            gzip.compress(buf.getvalue().encode("utf-8"), compresslevel=1, mtime=0))


def corpus(workdir: Path, pages: int, block: int, seed: int) -> Path:
    """The packed input of ``pages`` pages (reused when ``workdir`` holds it)."""
    if pages % block:
        raise SystemExit(f"--sizes must be multiples of --block ({block}), got {pages}")
    out = workdir / f"input-{pages}-b{block}-{seed}-{_CORPUS_VERSION}"
    done = out / ".packed"  # hidden: the readers skip it
    if done.exists():
        return out
    raw, truth = base_block(workdir, block, seed)
    out.mkdir(parents=True, exist_ok=True)
    donors = sorted(d for d in workdir.glob(f"input-*-b{block}-{seed}-{_CORPUS_VERSION}")
                    if (d / ".packed").exists())
    for k in range(pages // block):
        # a block another size packed already is the same bytes: linked, not packed again
        files = next((fs for d in donors if (fs := sorted(d.glob(f"*-b{k:03d}-*")))), [])
        for f in files:
            if not (out / f.name).exists():
                os.link(f, out / f.name)
        if not files:
            pack_block(raw, truth, k, seed, out)
    done.write_text(str(pages))
    return out


# --------------------------------------------------------------------------------------------
# Deduplication alone


def synthetic_batches(n: int, batch: int, seed: int, chrome: int = 0,
                      sites: int = 2000) -> Iterator[list[Any]]:
    """``n`` synthetic fingerprints in batches (see the module docstring), each page with
    ``chrome`` lines of its site's chrome."""
    import numpy as np
    import xxhash

    from cleanfeed.config import DedupConfig
    from cleanfeed.dedup.fingerprint import Fingerprint, minhash_signatures

    config = DedupConfig()
    rng = np.random.default_rng(seed)
    made, story = 0, 0
    chrome_of: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def site_chrome(site: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A site's chrome: its shingles, the line of each (0 to ``chrome`` - 1), line hashes."""
        if site not in chrome_of:
            own = np.random.default_rng([seed, site])
            sizes = own.integers(15, 31, chrome)
            chrome_of[site] = (own.integers(0, 2**63, int(sizes.sum()), dtype=np.uint64),
                               np.repeat(np.arange(chrome), sizes),
                               own.integers(0, 2**63, chrome, dtype=np.uint64))
        return chrome_of[site]

    while made < n:
        docs: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, str]] = []
        while len(docs) < batch and made + len(docs) < n:
            n_lines = int(rng.integers(4, 13))
            shingles = np.unique(rng.integers(0, 2**63, int(rng.integers(150, 451)),
                                              dtype=np.uint64))
            where = np.sort(rng.integers(0, n_lines, len(shingles))).astype(np.uint16)
            lines = rng.integers(0, 2**63, n_lines, dtype=np.uint64)
            copies = min(int(rng.geometric(2 / 3)) - 1, 20)
            for c in range(1 + copies):
                keep_lines, s, w = n_lines, shingles, where
                if c:  # a copy: a prefix of the lines, 3% of its shingles copyedited
                    keep_lines = max(1, int(np.ceil(n_lines * rng.uniform(0.6, 1.0))))
                    mask = where < keep_lines
                    s, w = shingles[mask].copy(), where[mask]
                    edit = rng.random(len(s)) < 0.03
                    s[edit] = rng.integers(0, 2**63, int(edit.sum()), dtype=np.uint64)
                    order = np.argsort(s, kind="stable")
                    s, w = s[order], w[order]
                site = int(rng.integers(0, sites))
                domain = f"site{site}.example"
                page_lines = lines[:keep_lines]
                if chrome:  # after the story, the site's lines
                    cs, cw, cl = site_chrome(site)
                    s, w = np.concatenate([s, cs]), np.concatenate([w, keep_lines + cw])
                    s, first = np.unique(s, return_index=True)
                    w, page_lines = w[first].astype(np.uint16), np.concatenate([page_lines, cl])
                docs.append((f"s{story}-c{c}", s, w, page_lines, domain))
            story += 1
        docs = docs[: n - made]
        signatures = minhash_signatures([d[1] for d in docs], config)
        yield [
            Fingerprint(doc_id=i, text_hash=xxhash.xxh3_64_hexdigest(s.tobytes()),
                        n_tokens=len(s) + 4, shingles=s.astype("<u8").tobytes(),
                        signature=sig.astype("<u4").tobytes(), domain=domain,
                        url=f"https://{domain}/{i}", lines=lines.astype("<u8").tobytes(),
                        shingle_lines=w.astype("<u2").tobytes())
            for (i, s, w, lines, domain), sig in zip(docs, signatures, strict=True)
        ]
        made += len(docs)


def dedup_alone(n: int, store_kind: str, seed: int, chrome: int) -> dict[str, Any]:
    """In this process: the deduplication stage over ``n`` synthetic fingerprints."""
    from cleanfeed.config import DedupConfig
    from cleanfeed.dedup import Deduplicator
    from cleanfeed.dedup.store import SqliteStore

    with tempfile.TemporaryDirectory(prefix="cleanfeed-scaling-") as tmp:
        store = SqliteStore(Path(tmp) / "index.sqlite", DedupConfig()) if store_kind == "sqlite" else None
        dedup = Deduplicator(DedupConfig(), store)
        generating, adding = 0.0, 0.0
        t0 = time.perf_counter()
        batches = synthetic_batches(n, 2048, seed, chrome)
        while True:
            g0 = time.perf_counter()
            batch = next(batches, None)
            generating += time.perf_counter() - g0
            if batch is None:
                break
            a0 = time.perf_counter()
            dedup.add_fingerprints(batch, resolve=False)
            adding += time.perf_counter() - a0
        r0 = time.perf_counter()
        result = dedup.resolve()
        resolving = time.perf_counter() - r0
        peak = _peak_rss()  # the stage's, not the tallies' below
        decisions = dedup.store.decisions()
        kept = sum(d.status == "kept" for d in decisions.values())
        sizes = Counter(dedup.store.components(decisions).values())
        dedup.store.close()
    return {"fingerprints": n, "store": store_kind, "chrome_lines": chrome,
            "seconds_generating": round(generating, 1),
            "seconds_add": round(adding, 1), "seconds_resolve": round(resolving, 1),
            "seconds_dedup": round(adding + resolving, 1),
            "wall_seconds": round(time.perf_counter() - t0, 1),
            "kept": kept, "decided": len(decisions), "changed_at_resolve": len(result.changed),
            "largest_component": max(sizes.values(), default=0), "peak_rss_bytes": peak}


def _peak_rss() -> int:
    """This process's peak RSS (VmHWM: unlike ``ru_maxrss``, not carried over from the process
    that started this one)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def dedup_run(n: int, store_kind: str, seed: int, chrome: int) -> dict[str, Any]:
    """``dedup_alone`` in a fresh subprocess, so its peak RSS is its own."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.scaling", "--dedup-child",
                          f"{n}:{store_kind}:{seed}:{chrome}"], capture_output=True, text=True,
                         check=False, cwd=REPO)
    if out.returncode != 0:
        return {"fingerprints": n, "store": store_kind, "chrome_lines": chrome,
                "error": out.stderr.strip()[-500:]}
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# --------------------------------------------------------------------------------------------


def markdown(result: dict[str, Any]) -> str:
    lines = ["# Scaling: `cleanfeed run --jobs 2` from 10,000 pages up, dedup alone at 1,000,000",
             "", "Commands (each row says which made it): "
             + ", ".join(f"`{c}`" for c in result["commands"]) + f". {result['machine']}.", "",
             "Corpus: blocks of generated syndication pages, each block enciphered to stories, "
             "words and sites of its own (see `benchmarks/scaling.py`), so every size has the "
             f"same mix of work per page (corpus {_CORPUS_VERSION}: the letters and digits of "
             "every script enciphered; v1 left Chinese, Korean and Cyrillic stories one text "
             "in every block, v2 the figures of number-heavy stories: their copies made one "
             "component growing with the input). "
             "Peak RSS: the command and all its workers, summed, "
             "sampled every 50 ms. Per-page times drift with the load of this shared machine "
             "(load average given per run).", "",
             "| pages | wall (s) | ms / page | × smallest | peak RSS (MB) | load | kept | "
             "duplicates | dropped | dedup (s) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    runs = result["runs"]
    base = runs[0]["ms_per_page"] if runs else 1.0
    for r in runs:
        s = r["statuses"]
        lines.append(
            f"| {r['pages']:,} | {r['wall_seconds']:.1f} | {r['ms_per_page']:.2f} | "
            f"{r['ms_per_page'] / base:.2f}× | {r['peak_rss_bytes'] / 2**20:,.0f} | "
            f"{r['load']:.1f} | {s.get('kept', 0):,} | {s.get('duplicate', 0):,} | "
            f"{s.get('dropped', 0):,} | {r['stage_seconds'].get('dedup', 0):.1f} |")
    if result["dedup"]:
        lines += ["", "Deduplication alone (synthetic fingerprints, batches of 2,048, then "
                  "`resolve`; a fresh process each):", "",
                  "| fingerprints | store | chrome lines | add (s) | resolve (s) | "
                  "dedup total (s) | peak RSS (MB) | kept | largest component |",
                  "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
        for d in result["dedup"]:
            if "error" in d:
                lines.append(f"| {d['fingerprints']:,} | {d['store']} | "
                             f"{d.get('chrome_lines', 0)} | failed: {d['error'][-200:]} "
                             "| | | | | |")
                continue
            largest = d.get("largest_component")
            lines.append(f"| {d['fingerprints']:,} | {d['store']} | {d.get('chrome_lines', 0)} "
                         f"| {d['seconds_add']:.1f} | {d['seconds_resolve']:.1f} | "
                         f"{d['seconds_dedup']:.1f} | {d['peak_rss_bytes'] / 2**20:,.0f} | "
                         f"{d['kept']:,} | {'–' if largest is None else f'{largest:,}'} |")
    lines += ["", "Floors:", ""]
    lines += [f"- {k}: **{v}**" for k, v in result["floors"].items()]
    if result.get("notes"):
        lines += ["", "Notes:", ""] + [f"- {n}" for n in result["notes"]]
    return "\n".join(lines) + "\n"


def judge(runs: list[dict[str, Any]], dedup: list[dict[str, Any]]) -> dict[str, bool]:
    """The issue's floors that these runs can judge."""
    floors: dict[str, bool] = {}
    if len(runs) > 1:
        ratio = runs[-1]["ms_per_page"] / runs[0]["ms_per_page"]
        floors[f"time per page at {runs[-1]['pages']:,} ÷ at {runs[0]['pages']:,} = "
               f"{ratio:.2f} ≤ 1.2"] = ratio <= FLOORS["time_per_page_ratio"]
    for r in runs:
        if r["pages"] >= 200_000:
            floors[f"peak RSS at {r['pages']:,} pages = {r['peak_rss_bytes'] / 2**30:.2f} GB "
                   "≤ 2 GB"] = r["peak_rss_bytes"] <= FLOORS["peak_rss_gb_200k"] * 2**30
    for d in dedup:
        if "error" not in d and d["fingerprints"] >= 1_000_000:
            floors[f"dedup alone on {d['fingerprints']:,} fingerprints ({d['store']}): peak RSS "
                   f"{d['peak_rss_bytes'] / 2**30:.2f} GB ≤ 4 GB"] = (
                d["peak_rss_bytes"] <= FLOORS["dedup_peak_rss_gb"] * 2**30)
    return floors


def merged(path: Path, runs: list[dict[str, Any]], dedup: list[dict[str, Any]],
           block: int) -> dict[str, Any]:
    """These results merged into those an earlier invocation wrote at ``path`` (same
    ``--block`` and corpus version), so a table can be built by several invocations (one per
    size, the dedup row alone): a row of the same size (store) is replaced, the others kept."""
    old: dict[str, Any] = {}
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        if old.get("block") != block or old.get("corpus") != _CORPUS_VERSION:
            old = {}
    by_size = {r["pages"]: r for r in old.get("runs", [])} | {r["pages"]: r for r in runs}
    by_kind = ({_dedup_key(d): d for d in old.get("dedup", [])}
               | {_dedup_key(d): d for d in dedup})
    return {"block": block, "corpus": _CORPUS_VERSION,
            "runs": [by_size[k] for k in sorted(by_size)],
            "dedup": [by_kind[k] for k in sorted(by_kind)], "notes": old.get("notes", [])}


def _dedup_key(row: dict[str, Any]) -> tuple[int, str, int]:
    """What makes a dedup-alone row: its size, store, and chrome (none before it was asked)."""
    return row["fingerprints"], row["store"], row.get("chrome_lines", 0)


def _shown(argv: list[str]) -> list[str]:
    """The arguments worth recording: not where this machine keeps files."""
    shown, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a in ("--out", "--workdir"):
            skip = True
        elif not a.startswith(("--out=", "--workdir=")):
            shown.append(a)
    return shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,50000,200000")
    parser.add_argument("--block", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--dedup-fingerprints", type=int, default=1_000_000)
    parser.add_argument("--dedup-store", default="memory",
                        help="comma-separated: memory (what `cleanfeed run` uses without "
                        "--index), sqlite (an --index)")
    parser.add_argument("--dedup-chrome", type=int, default=2,
                        help="lines of its site's chrome on every synthetic page (0: none)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir())
                        / "cleanfeed-scaling")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--note", action="append", default=[],
                        help="a note for the results file (kept by later invocations)")
    parser.add_argument("--dedup-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dedup_child:
        n, kind, seed, chrome = args.dedup_child.split(":")
        print(json.dumps(dedup_alone(int(n), kind, int(seed), int(chrome))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    runs = []
    for pages in sizes:
        inputs = corpus(args.workdir, pages, args.block, args.seed)
        load = os.getloadavg()[0]
        r = run_command(inputs, args.workdir / f"out-{pages}", args.jobs)
        r.update(load=load, ms_per_page=1000 * r["wall_seconds"] / r["pages"])
        runs.append(r)
        print(f"{pages}: {r['wall_seconds']:.0f} s, {r['ms_per_page']:.2f} ms/page, "
              f"{r['peak_rss_bytes'] / 2**20:.0f} MB", flush=True)
    dedup = []
    if args.dedup_fingerprints:
        for kind in filter(None, args.dedup_store.split(",")):
            dedup.append(dedup_run(args.dedup_fingerprints, kind, args.seed, args.dedup_chrome))
            print(json.dumps(dedup[-1]), flush=True)
    command = "python -m benchmarks.scaling " + " ".join(map(shlex.quote, _shown(
        argv if argv is not None else sys.argv[1:])))
    for r in (*runs, *dedup):
        r["command"] = command
    result = merged(args.out / "scaling.json", runs, dedup, args.block)
    result["notes"] += args.note
    result.update(
        commands=sorted({r["command"] for r in (*result["runs"], *result["dedup"])}),
        machine=f"{len(os.sched_getaffinity(0))} cores, Python {platform.python_version()} "
                f"on {platform.machine()}",
        floors=judge(result["runs"], result["dedup"]))
    args.out.mkdir(parents=True, exist_ok=True)
    write_results(args.out, "scaling", result, markdown(result), indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
