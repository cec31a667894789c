"""Two versions of cleanfeed's extraction on the same pages: CPU time and output, page by page.

    python -m benchmarks.speed_ab --base main                 # main against this checkout
    python -m benchmarks.speed_ab --base HEAD~3 --head HEAD --sets scrapinghub,readability

A speed change of a few percent is below what two separate runs can show here: on a shared
virtual machine the speed of a core drifts by 10-15% from one run to the next. So each version
runs in a worker process of its own, importing cleanfeed from its own source tree, with the
same string hashing (``PYTHONHASHSEED``), and every page goes to both in turn, the order
alternating (A B, then B A): whatever the machine does during the run touches both alike. A
worker process is itself a little faster or slower for its whole life (its memory layout): with
one pair of workers a set, the same code against itself came out 4.4% apart at worst (0.979 to
1.044 over 32 set runs), so each set is read in ``--pairs`` parts (4), each by a fresh pair:
0.994 to 1.015 over fourteen set runs. A change of 2% or more shows where the ± is small; on
readability, where a few heavy pages weigh most, one run came out 0.933 ± 0.031 for a change
that only named a constant.

Each version reads each page once, as a run does: a second call on the same page finds its
lines in the line memos (``cleanfeed.lines.line_memo``), which a run's pages fill only for the
lines a site repeats, and would time the memos rather than the code. ``--repeat N`` calls each
page N times, interleaved, and keeps the fastest: steadier, but on warm memos.

``--base`` and ``--head`` each name a git revision of this repository, checked out for the run
into a temporary worktree (removed after it), or a directory holding ``src/cleanfeed`` (the
default head: this checkout). A worker that imports cleanfeed from anywhere else stops the run.

Pages: the HTML sets and decoding of ``benchmarks/extraction.py`` (decoded once here, the same
``str`` sent to both), each page read by ``extract_html``; and ``scrapinghub-dumps``, the
Scrapinghub pages rendered to text, each cleaned by ``clean_text_dump`` with its URL (no
learned templates). Each call is timed in CPU time (garbage collected outside the timer) and
comes back with the sha256 of the document (``repr`` of the ``CleanDoc``: text, metadata,
removals, provenance), or of the error it raised (a page over the size budget).

Per set: ms per page of each version, the ratio head ÷ base with its ± (standard deviation over
bootstrap resamples of the pages, paired), and the pages whose document differs, by id: a change
meant to be faster only must show none.

Results: ``benchmarks/results/speed_ab.{md,json}`` (``--out``).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import platform
import random
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import REPO, write_results

RESULTS = REPO / "benchmarks" / "results"
BOOTSTRAP = 1000
DUMPS = "scrapinghub-dumps"  # the text dumps; the other sets are benchmarks.extraction.SETS
ALL_SETS = f"scrapinghub,wcxb-articles,wcxb-all,readability,{DUMPS}"
_LENGTH = struct.Struct("<Q")
PAIRS = 4  # fresh worker pairs per set: one pair's own bias came to 4.4%, four pairs' to 1.5%
_KIND = struct.Struct("<cI")  # a page's kind (b"h" HTML, b"t" text dump) and its URL's length
_ANSWER = struct.Struct("<d32s")  # CPU seconds, sha256 of the document
_HASH_SEED = "0"
# a worker: this file's ``serve`` with the version's source tree first on the import path
_BOOT = ("import sys; sys.path[:0] = sys.argv[1:3]; "
         "from benchmarks.speed_ab import serve; serve(sys.argv[1])")


@dataclass(frozen=True, slots=True)
class Page:
    """A page to time: an HTML page (``extract_html``) or a text dump (``clean_text_dump``)."""

    id: str
    text: str
    dump: bool = False
    url: str = ""

    def frame(self) -> bytes:
        url = self.url.encode("utf-8")
        body = _KIND.pack(b"t" if self.dump else b"h", len(url)) + url + self.text.encode("utf-8", "surrogatepass")
        return _LENGTH.pack(len(body)) + body


def serve(src: str) -> None:
    """A worker's loop: a ``Page.frame`` in, ``_ANSWER`` out, until the input ends. Refuses to
    start (exit 2) when cleanfeed is not imported from ``src``."""
    import gc
    import time

    import cleanfeed

    if not Path(cleanfeed.__file__).resolve().is_relative_to(Path(src).resolve()):
        print(f"cleanfeed imported from {cleanfeed.__file__}, not from {src}", file=sys.stderr)
        raise SystemExit(2)
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    cleanfeed.extract_html("<html><body><p>A warm-up call: imports, lazy tables.</p></body></html>")
    cleanfeed.clean_text_dump("A warm-up call.\n\nImports and lazy tables of the text cleaner.")
    while len(head := inbox.read(_LENGTH.size)) == _LENGTH.size:
        body = inbox.read(_LENGTH.unpack(head)[0])
        kind, size = _KIND.unpack_from(body)
        url = body[_KIND.size : _KIND.size + size].decode("utf-8")
        text = body[_KIND.size + size :].decode("utf-8", "surrogatepass")
        gc.collect()
        start = time.process_time()
        try:
            doc = cleanfeed.clean_text_dump(text, url=url or None) if kind == b"t" else cleanfeed.extract_html(text)
            outcome = repr(doc)
        except Exception as err:  # a page the version refuses (over budget, parser failure) is its answer
            outcome = f"raised {type(err).__name__}: {err}"
        seconds = time.process_time() - start
        outbox.write(_ANSWER.pack(seconds, hashlib.sha256(outcome.encode("utf-8", "surrogatepass")).digest()))
        outbox.flush()


class Worker:
    """One version's worker process (``serve``), stopped on ``close``."""

    def __init__(self, src: Path) -> None:
        self.src = src
        # what the worker says (warnings, a traceback) goes to a file: a pipe nobody reads
        # until the end would stop the worker once full
        self._said = tempfile.TemporaryFile()  # noqa: SIM115  (closed by close())
        self._process = subprocess.Popen(
            [sys.executable, "-c", _BOOT, str(src), str(REPO)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._said,
            # one string hashing for both versions: each process's own random one makes its
            # dicts and sets a little faster or slower for the whole run
            env={**os.environ, "PYTHONHASHSEED": _HASH_SEED},
        )

    def extract(self, frame: bytes) -> tuple[float, bytes]:
        """The CPU seconds of the page of ``frame`` (``Page.frame``) and its document's sha256."""
        stdin, stdout = self._pipes()
        try:
            stdin.write(frame)
            stdin.flush()
            answer = stdout.read(_ANSWER.size)
        except BrokenPipeError:
            answer = b""
        if len(answer) != _ANSWER.size:
            self._process.wait()
            self._said.seek(0)
            said = self._said.read().decode(errors="replace").strip()
            raise RuntimeError(f"the worker for {self.src} stopped: {said[-2000:]}")
        seconds, digest = _ANSWER.unpack(answer)
        return seconds, digest

    def _pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None  # both piped in __init__
        return stdin, stdout

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError):
            self._pipes()[0].close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._said.close()


@dataclass(frozen=True, slots=True)
class PageTimes:
    """One page's CPU seconds under each version, and whether their documents are the same."""

    id: str
    base: float
    head: float
    same: bool


def compare(
    pages: Sequence[Page], base: Path, head: Path, repeat: int = 1, pairs: int = PAIRS
) -> list[PageTimes]:
    """Each page read ``repeat`` times by the cleanfeed of ``base`` and of ``head`` (each a
    directory holding ``src/cleanfeed``), the two in turn, the order alternating; the fastest
    call of each counts. The pages go in ``pairs`` parts, each to a fresh worker of each
    version (a process's own layout makes it a little faster or slower for its whole life)."""
    sources = (_source(base), _source(head))
    times: list[PageTimes] = []
    parts = max(1, min(pairs, len(pages)))  # no part without a page
    for part in range(parts):  # a fresh pair of workers for each part of the pages
        workers = [Worker(src) for src in sources]
        try:
            for i in range(part * len(pages) // parts, (part + 1) * len(pages) // parts):
                page = pages[i]
                data = page.frame()
                best = [float("inf"), float("inf")]
                digests: list[bytes] = [b"", b""]
                for attempt in range(repeat):  # A B, B A, A B...: the versions' calls interleaved
                    for w in (0, 1) if (i + attempt) % 2 == 0 else (1, 0):
                        seconds, digests[w] = workers[w].extract(data)
                        best[w] = min(best[w], seconds)
                times.append(PageTimes(page.id, best[0], best[1], digests[0] == digests[1]))
        finally:
            for worker in workers:
                worker.close()
    return times


def _source(tree: Path) -> Path:
    src = tree / "src"
    if not (src / "cleanfeed" / "__init__.py").is_file():
        raise ValueError(f"{tree} holds no src/cleanfeed")
    return src


def ratio(times: Sequence[PageTimes], bootstrap: int = BOOTSTRAP, seed: int = 0) -> tuple[float, float]:
    """Head's CPU ÷ base's over ``times``, and its standard deviation over ``bootstrap``
    resamples of the pages (each page's two times kept together)."""
    def of(sample: Sequence[PageTimes]) -> float:
        return sum(t.head for t in sample) / max(sum(t.base for t in sample), 1e-12)

    rng = random.Random(seed)
    draws = [of(rng.choices(times, k=len(times))) for _ in range(bootstrap)] if times else [0.0]
    mean = sum(draws) / len(draws)
    return of(times), (sum((d - mean) ** 2 for d in draws) / len(draws)) ** 0.5


def set_result(times: Sequence[PageTimes]) -> dict[str, Any]:
    value, std = ratio(times)
    n = max(len(times), 1)
    return {
        "pages": len(times),
        "base_ms_per_page": round(1000 * sum(t.base for t in times) / n, 3),
        "head_ms_per_page": round(1000 * sum(t.head for t in times) / n, 3),
        "head_over_base": round(value, 4),
        "head_over_base_std": round(std, 4),
        "different_documents": [t.id for t in times if not t.same],
    }


@contextlib.contextmanager
def checkout(spec: str) -> Iterator[tuple[Path, str]]:
    """``spec`` as a source tree and its name: a directory as it is, else a git revision of
    this repository checked out into a temporary worktree (removed after)."""
    if Path(spec).is_dir():
        yield Path(spec), _describe(Path(spec))
        return
    rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", f"{spec}^{{commit}}"],
                         capture_output=True, text=True)
    if rev.returncode != 0:
        raise ValueError(f"{spec!r} is neither a directory nor a git revision of {REPO}")
    commit = rev.stdout.strip()
    with tempfile.TemporaryDirectory(prefix="cleanfeed-ab-") as tmp:
        tree = Path(tmp) / commit[:12]
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(tree), commit],
                       check=True)
        try:
            yield tree, f"{spec} ({commit[:12]})"
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False)


def _describe(tree: Path) -> str:
    head = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short=12", "HEAD"],
                          capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True)
    if head.returncode != 0:
        return tree.name
    return f"{head.stdout.strip()}{' with uncommitted changes' if dirty.stdout.strip() else ''}"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    # here, not at the top: a worker imports this module for ``serve`` alone, and its
    # cleanfeed must be the one of its own tree
    from benchmarks.corpus import BENCH, load_scrapinghub
    from benchmarks.extraction import chosen_sets
    from cleanfeed import decode_bytes

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--base", required=True, help="git revision or source tree (the reference)")
    parser.add_argument("--head", default=str(REPO), help="git revision or source tree (default: this checkout)")
    parser.add_argument("--bench", type=Path, default=BENCH, help="folder holding the sets (../shared/bench)")
    parser.add_argument("--sets", default=ALL_SETS)
    parser.add_argument("--repeat", type=int, default=1,
                        help="calls per page and version, interleaved; the fastest counts (later "
                             "calls run on warm line memos)")
    parser.add_argument("--pairs", type=int, default=PAIRS,
                        help="parts of each set, each read by a fresh worker of each version")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.sets.split(",") if name.strip()]
    html_sets = {bench.name: bench for bench in chosen_sets(parser, ",".join(n for n in names if n != DUMPS))}
    result: dict[str, Any] = {"command": _command(args), "repeat": args.repeat, "pairs": args.pairs,
                              "sets": {}}
    with checkout(args.base) as (base, base_name), checkout(args.head) as (head, head_name):
        result |= {"base": base_name, "head": head_name}
        for name in names:
            if name == DUMPS:
                pages = [Page(p.id, p.textdump, dump=True, url=p.url)
                         for p in load_scrapinghub(args.bench / "scrapinghub") if p.textdump]
            else:
                bench = html_sets[name]
                pages = [Page(p.id, decode_bytes(p.html)) for p in bench.pages(args.bench)]
            result["sets"][name] = set_result(compare(pages, base, head, args.repeat, args.pairs))
            print(f"{name}: {result['sets'][name]}", file=sys.stderr)
    result["machine"] = f"Python {platform.python_version()} on {platform.machine()}"
    write_results(args.out, "speed_ab", result, _markdown(result))
    return result


def _command(args: argparse.Namespace) -> str:
    parts = ["python -m benchmarks.speed_ab", f"--base {args.base}"]
    if args.head != str(REPO):
        parts.append(f"--head {args.head}")
    if args.sets != ALL_SETS:
        parts.append(f"--sets {args.sets}")
    if args.repeat != 1:
        parts.append(f"--repeat {args.repeat}")
    if args.pairs != PAIRS:
        parts.append(f"--pairs {args.pairs}")
    return " ".join(parts)


def _calls(repeat: int) -> str:
    return "one call on each page" if repeat == 1 else f"the fastest of {repeat} calls on each page, on warm line memos"


def _markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Two versions of the extraction, page by page",
        "",
        f"Command: `{result['command']}`. Base: {result['base']}; head: {result['head']}. "
        f"CPU ms per page ({_calls(result['repeat'])}), each version in its own "
        f"worker processes ({result['pairs']} fresh pairs a set), the calls of the two interleaved; ± is the "
        f"standard deviation of the ratio over "
        f"{BOOTSTRAP} bootstrap resamples of the pages.",
        "",
        "| set | pages | base ms/page | head ms/page | head ÷ base | documents that differ |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, row in result["sets"].items():
        differ = row["different_documents"]
        shown = f"{len(differ)}" + (f" ({', '.join(differ[:5])}{'…' if len(differ) > 5 else ''})" if differ else "")
        lines.append(f"| {name} | {row['pages']} | {row['base_ms_per_page']:.2f} | {row['head_ms_per_page']:.2f} | "
                     f"{row['head_over_base']:.3f} ± {row['head_over_base_std']:.3f} | {shown} |")
    lines += ["", f"{result['machine']}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
