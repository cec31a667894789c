"""The ``cleanfeed`` command: a thin layer over the public API.

Commands:

- ``cleanfeed extract INPUT... -o OUT.jsonl``: one record per input page (the article body and
  metadata, or why there is none).
- ``cleanfeed run INPUT... -o CLEAN --manifest MANIFEST``: extract, deduplicate, keep one text
  per story; the manifest says what became of every input page.

Exit codes: 0 the run finished (pages that could not be read are in the output, dropped with
their reason); 1 an unexpected internal error; 2 a usage error (bad option, missing or empty
input, standard input that is not JSON Lines, an output that is an input or another output,
an unknown output format); 3 the run could not start or finish (an index built with another
configuration, an index that cannot be opened or is in use by another run, worker processes
that cannot start, an output that cannot be written, a full disk); 130 interrupted.

Nothing heavy is imported before it is needed, so ``--help`` and ``--version`` answer at once.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from .config import Config, ExtractConfig
from .errors import CleanfeedError, InputError

if TYPE_CHECKING:
    from .io import Inputs, ReadOptions
    from .io.writers import RecordWriter
    from .models import RawDoc, ReadFailure
    from .page import Outcome, PageResult, Progress
    from .report import ReportWriter

__all__ = ["add_run_arguments", "build_parser", "console", "execute", "main", "spark_setting"]

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_RUN, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

_EPILOG = """exit codes: 0 done (unreadable pages are recorded as dropped, with their reason);
1 internal error; 2 usage error (bad option, missing or empty input, standard input that is
not JSON Lines, an output that is an input or another output, unknown output format); 3 the
run could not start or finish (index configuration mismatch, index unusable or in use, worker
processes, unwritable output, full disk); 130 interrupted."""


_Number = TypeVar("_Number", int, float)


def _positive(kind: type[_Number]) -> Callable[[str], _Number]:
    """An argparse ``type=`` that reads a ``kind`` and refuses zero and negatives."""
    def parse(text: str) -> _Number:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _jobs(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (in this process) or more, got {text}")
    return value


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="files or directories (recursive): HTML, text dumps, JSONL, WARC/WET, "
                        "any of them gzipped; '-' reads JSONL from standard input")
    parser.add_argument("-j", "--jobs", type=_jobs, default=None,
                        help="worker processes for extraction (default and most: the cores this "
                        "process may use; 0 = in this process, without the time budget)")
    parser.add_argument("--kind", choices=("auto", "html", "text"), default="auto",
                        help="treat every page as HTML or as a rendered text dump "
                        "(default: tell by content)")
    parser.add_argument("--no-templates", dest="templates", action="store_false",
                        help="clean each page alone, without learning its site's template "
                        "from the other pages of the site in the input")
    parser.add_argument("--max-page-mb", type=_positive(float), default=20.0, metavar="MB",
                        help="pages larger than this are dropped unread (default: 20)")
    parser.add_argument("--timeout", type=_positive(float), default=30.0, metavar="SECONDS",
                        help="a page taking more than this much CPU time to extract is dropped "
                        "(default: 30; not enforced by --jobs 0 or --engine spark)")
    fields = parser.add_argument_group("JSONL fields")
    fields.add_argument("--id-field", default="id", help="record id (default: id)")
    fields.add_argument("--url-field", default="url", help="page URL (default: url)")
    fields.add_argument("--html-field", default="html", help="page HTML (default: html)")
    fields.add_argument("--text-field", default="text", help="rendered text (default: text)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bar and no summary on standard error")
    parser.add_argument("--stats", metavar="FILE",
                        help="write the run's counts and its time per stage as JSON")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``cleanfeed`` (also used by the spark-submit entry point)."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="cleanfeed", epilog=_EPILOG,
        description="Raw scraped news dumps in, a clean feed out: one clean article text per "
        "story, and a manifest of what became of every page.")
    parser.add_argument("--version", action="version", version=f"cleanfeed {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ext = commands.add_parser(
        "extract", epilog=_EPILOG, help="extract the article body and metadata of every page",
        description="Extract the article body and metadata of every input page: one JSON "
        "record per page, in input order, with status ok, empty or failed.")
    _common(ext)
    ext.add_argument("-o", "--output", required=True, metavar="OUT",
                     help="records out: .jsonl or .ndjson ('-' for standard output; .jsonl.gz "
                     "compresses; .parquet writes Parquet)")

    r = commands.add_parser(
        "run", epilog=_EPILOG, help="extract, deduplicate, and write the clean feed and manifest",
        description="Extract every page, collapse syndicated copies of one story, keep one "
        "canonical text per story, and record what became of every input page.")
    add_run_arguments(r)
    r.add_argument("--engine", choices=("local", "spark"), default="local",
                   help="run on this machine (default) or on Apache Spark, which refuses "
                   "--jobs, --index, --explain and --report")
    r.add_argument("--spark-master", default="local[*]", metavar="URL",
                   help="Spark master for --engine spark (default: local[*], all cores; "
                   "local[N] for N cores, what --jobs says to the local engine)")
    r.add_argument("--spark-conf", action="append", type=spark_setting, default=[],
                   metavar="KEY=VALUE", help="a Spark setting for --engine spark, e.g. "
                   "spark.driver.memory=8g (repeatable)")
    return parser


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``cleanfeed run`` but its engine choice: also those of the
    spark-submit entry point (``cleanfeed.spark.submit``), which adds its own Spark options."""
    _common(parser)
    parser.add_argument("-o", "--output", required=True, metavar="CLEAN",
                        help="the clean feed, one record per kept story (.jsonl, .jsonl.gz or "
                        ".parquet)")
    parser.add_argument("--manifest", required=True, metavar="MANIFEST",
                        help="one line per input page: kept, duplicate (of which page, how "
                        "similar) or dropped (why) (JSONL; .parquet for Parquet)")
    parser.add_argument("--explain", metavar="FILE",
                        help="per page (JSONL): the removed spans (rule id, category, text "
                        "preview), and for a duplicate the kept page it matched and the "
                        "similarity")
    parser.add_argument("--report", metavar="FILE",
                        help="one self-contained HTML file showing the run: counts and plots, "
                        "every story's copies side by side with a word diff, each page's text "
                        "and what was removed, the dropped pages (opens offline)")
    parser.add_argument("--index", metavar="PATH",
                        help="SQLite file holding the deduplication state across runs: pages "
                        "are also matched against what earlier runs kept (created if missing)")
    parser.add_argument("--partitions", type=_positive(int), default=None,
                        help="Spark tasks reading the input for --engine spark (default: one "
                        "per input file, at most spark.sql.shuffle.partitions)")


def spark_setting(text: str) -> tuple[str, str]:
    """A ``KEY=VALUE`` Spark setting (``--spark-conf``, the entry point's ``--conf``)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"takes KEY=VALUE, got {text!r}")
    return key.strip(), value


def _config(args: argparse.Namespace) -> Config:
    return Config(extract=ExtractConfig(max_bytes=int(args.max_page_mb * 1024 * 1024),
                                        timeout_seconds=args.timeout))


def _read_options(args: argparse.Namespace, config: Config) -> ReadOptions:
    from .io import ReadOptions

    return ReadOptions(id_field=args.id_field, url_field=args.url_field,
                       html_field=args.html_field, text_field=args.text_field,
                       kind=None if args.kind == "auto" else args.kind,
                       max_bytes=config.extract.max_bytes)


class _UsageError(Exception):
    """A usage problem found after parsing (reported like argparse's, exit code 2)."""


class _CannotRun(Exception):
    """The run cannot start or finish (exit code 3): the message names the user's path."""


# --------------------------------------------------------------------------------------------
# Checks made before anything is read or written


def _outputs(args: argparse.Namespace) -> list[tuple[str, str]]:
    """(option, path) of every output the command will write."""
    named = [("-o", args.output), ("--manifest", getattr(args, "manifest", None)),
             ("--explain", getattr(args, "explain", None)),
             ("--report", getattr(args, "report", None)), ("--stats", args.stats),
             ("--index", getattr(args, "index", None))]
    return [(option, path) for option, path in named if path]


def _same_file(a: str, b: str) -> bool:
    if a == "-" or b == "-":
        return a == b
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist yet: the same name, once resolved
        return os.path.realpath(a) == os.path.realpath(b)


def _check_outputs(args: argparse.Namespace, inputs: Inputs, local: bool) -> None:
    """Refuse outputs that would destroy an input, be read back as input by the next run, be
    written twice, or be written in a format their name does not say."""
    from .io.writers import output_format

    outputs = _outputs(args)
    if local:
        for option, path in outputs:
            try:
                if option == "--stats":
                    if not path.lower().endswith(".json"):
                        raise ValueError(f"{path}: the stats are one JSON document; give a name "
                                         "ending in .json")
                elif option == "--report":
                    if not path.lower().endswith((".html", ".htm")):
                        raise ValueError(f"{path}: the report is one HTML page; give a name "
                                         "ending in .html")
                elif option != "--index":
                    output_format(path, parquet=option != "--explain")
            except ValueError as err:
                raise _UsageError(f"{option} {err}") from None
    for (o1, p1), (o2, p2) in combinations(outputs, 2):
        if _same_file(p1, p2):
            raise _UsageError(f"{o1} {p1} and {o2} {p2} are one file; give each output its own")
    files = inputs.files
    folders = [(given, Path(given).resolve()) for given in args.inputs
               if given != "-" and Path(given).is_dir()]
    for option, path in outputs:
        if path == "-" or "://" in path:  # standard output, or a URI for Spark to write
            continue
        for f in files:
            if _same_file(path, str(f.path)):
                raise _UsageError(f"{option} {path} is the input file {f.path}: it would be "
                                  "overwritten; write the output elsewhere")
        target = Path(os.path.realpath(path))
        for given, folder in folders:
            if target.is_relative_to(folder) and not any(
                    part.startswith(".") for part in target.relative_to(folder).parts):
                raise _UsageError(f"{option} {path} is inside the input directory {given}: the "
                                  "next run would read it back as pages; write it elsewhere")
        parent = target.parent
        if not local:  # Spark creates a dataset's directories
            continue
        if not parent.is_dir():
            raise _CannotRun(f"cannot write {option} {path}: the directory "
                             f"{Path(path).parent} does not exist")
        if not os.access(parent, os.W_OK):
            raise _CannotRun(f"cannot write {option} {path}: the directory "
                             f"{Path(path).parent} is not writable")


def _check_stdin(args: argparse.Namespace) -> None:
    """Standard input (``-``) must hold JSON Lines: look at its first bytes, consuming none."""
    if "-" not in args.inputs:
        return
    stream = getattr(sys.stdin, "buffer", None)
    if not isinstance(stream, io.BufferedReader):
        return  # not a real standard input (an embedding program's): the reader reports it
    head = stream.peek(512)[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head and not stream.peek(1):
        raise _UsageError("standard input ('-') is empty: it should hold JSON Lines, one page "
                          "per line")
    if head and not head.startswith((b"{", b"\x1f\x8b")):
        start = head[:40].decode("utf-8", "replace").split("\n")[0]
        hint = ("it looks like HTML; give the page as a file path, or wrap pages in JSON Lines "
                "({\"id\": ..., \"html\": ...})" if head.startswith(b"<") else
                "'-' reads JSON Lines, one {\"id\": ..., \"html\" or \"text\": ...} object per line")
        raise _UsageError(f"standard input ('-') is not JSON Lines (it starts with {start!r}): "
                          f"{hint}")


def _check_inputs(args: argparse.Namespace, inputs: Inputs) -> None:
    if "-" in args.inputs or inputs.files:
        return
    raise _UsageError(f"no input files in {', '.join(args.inputs)} (hidden files are skipped): "
                      "nothing to do")


def _jobs_for(args: argparse.Namespace, stderr: TextIO) -> int:
    """--jobs, lowered to the cores this process may use (more workers only compete)."""
    from .config import default_jobs

    cores = default_jobs()
    if args.jobs is None:
        return cores
    jobs: int = args.jobs
    if jobs > cores:
        stderr.write(f"cleanfeed {args.command}: note: --jobs {jobs} lowered to {cores}, the "
                     "cores this process may use\n")
        return cores
    return jobs


@contextmanager
def _index_lock(path: str | None) -> Iterator[None]:
    """One run at a time on an index: a second is refused at once, not left to interleave."""
    try:
        import fcntl
    except ImportError:  # not POSIX: SQLite's own locking only
        yield
        return
    if path is None:
        yield
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise _CannotRun(f"cannot open the index {path}: {err.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _CannotRun(f"the index {path} is in use by another cleanfeed run; run again "
                             "once it has finished") from None
        yield
    finally:
        os.close(fd)  # releases the lock


# --------------------------------------------------------------------------------------------
# Progress and summary


class _Position:
    """How far reading has got through the input files, by bytes, for the progress bar's
    estimate of the total (a container's pages are only known once it is read)."""

    def __init__(self, inputs: Inputs, stdin: bool) -> None:
        self.files = [(str(f.path), _size(f.path)) for f in inputs.files]
        self.total = sum(size for _, size in self.files)
        self.known = not stdin and self.total > 0
        self._next = 0  # index of the file being read
        self.done_bytes = 0  # bytes of the files read whole

    def wrap(self, pages: Inputs) -> Iterator[RawDoc | ReadFailure]:
        for item in pages:
            source = item.source or ""
            while self._next < len(self.files) and not source.startswith(self.files[self._next][0]):
                self.done_bytes += self.files[self._next][1]
                self._next += 1
            yield item

    def fraction(self, reading_done: bool) -> float:
        if reading_done:
            return 1.0
        here = self.files[self._next][1] / 2 if self._next < len(self.files) else 0
        return (self.done_bytes + here) / self.total if self.known else 0.0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class _ProgressBar:
    """The progress bar on standard error (tqdm; only on a terminal): the stage, pages done
    of the total (exact once the input is read, estimated from the bytes read before), the
    percentage, pages/s and time left, and the provisional counts."""

    def __init__(self, stream: TextIO, enabled: bool, position: _Position | None) -> None:
        self.stream = stream
        self.enabled = enabled and stream.isatty()
        self.position = position
        self.final: Progress | None = None
        self._bar: Any = None
        self._stage = ""

    def __call__(self, p: Progress) -> None:
        if p.finished:
            self.final = p
        if not self.enabled:
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(file=self.stream, unit=" pages", dynamic_ncols=True,
                             mininterval=0.2, smoothing=0.1, leave=False, desc=p.stage,
                             initial=p.done)
        bar = self._bar
        new_stage = p.stage != self._stage
        if new_stage:
            self._stage = p.stage
            bar.set_description(p.stage, refresh=False)
        reading_done = p.stage != "extracting"
        if reading_done:
            total: int | None = p.pages
        elif self.position is not None and self.position.known:
            fraction = self.position.fraction(False)
            total = max(p.pages, round(p.pages / fraction)) if fraction > 0 else None
        else:
            total = None
        if total != bar.total:
            bar.total = total
        bar.set_postfix_str(f"kept {p.kept:,}, duplicates {p.duplicates:,}, dropped "
                            f"{p.dropped:,}", refresh=False)
        bar.update(p.done - bar.n)
        if new_stage or p.finished:  # at once, not at tqdm's next redraw
            bar.refresh()

    def clear(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _summary(command: str, statuses: Counter[str], reasons: Counter[str], seconds: float,
             outputs: Sequence[str]) -> str:
    """The summary a command prints at the end."""
    total = sum(statuses.values())
    if total == 0:
        return (f"cleanfeed {command}: the input held no pages; {', '.join(outputs)} written "
                "empty")
    rate = total / seconds if seconds > 0 else 0.0
    parts = ", ".join(f"{statuses[s]:,} {s}" for s in ("kept", "duplicate", "ok", "empty",
                                                       "failed", "dropped") if statuses[s])
    lines = [f"cleanfeed {command}: {total:,} pages in {seconds:.1f} s ({rate:,.1f} pages/s): "
             f"{parts or 'nothing'} -> {', '.join(outputs)}"]
    for reason, n in reasons.most_common(5):
        lines.append(f"  dropped {n:,}: {reason}")
    return "\n".join(lines)


class _Tally:
    """What a command counts while it writes: statuses, why pages were dropped, time writing."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.statuses: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()
        self.writing = 0.0

    def count(self, status: str, dropped_by: str | None) -> None:
        """One page: its status, and why it was dropped (``Outcome.dropped_by``) or failed."""
        self.statuses[status] += 1
        if dropped_by is not None:
            self.reasons[dropped_by] += 1

    def stats(self, args: argparse.Namespace, bar: _ProgressBar) -> dict[str, object]:
        """The ``--stats`` record: counts, time, time per stage (also shown by ``--report``)."""
        stages = dict(bar.final.seconds) if bar.final else {}
        stages["write"] = self.writing
        return {
            "command": args.command,
            "pages": sum(self.statuses.values()),
            "statuses": dict(sorted(self.statuses.items())),
            "dropped_by_reason": dict(self.reasons.most_common()),
            "seconds": round(time.perf_counter() - self.started, 3),
            # CPU time of this process (all its threads), without the worker processes
            "main_process_cpu_seconds": round(time.process_time(), 3),
            "stage_seconds": {k: round(v, 3) for k, v in sorted(stages.items())},
        }

    def finish(self, args: argparse.Namespace, outputs: Sequence[str], bar: _ProgressBar,
               stderr: TextIO) -> int:
        """The stats file and the summary; the exit code of a finished run."""
        bar.clear()
        seconds = time.perf_counter() - self.started
        if args.stats:
            stats = self.stats(args, bar)
            try:
                Path(args.stats).write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
            except OSError as err:
                raise _CannotRun(f"cannot write --stats {args.stats}: {err.strerror}") from None
        if not args.quiet or not sum(self.statuses.values()):
            stderr.write(_summary(args.command, self.statuses, self.reasons, seconds, outputs)
                         + "\n")
        return EXIT_OK


# --------------------------------------------------------------------------------------------
# Commands


def _prepare(args: argparse.Namespace, config: Config, local: bool = True) -> Inputs:
    """The inputs, once every check that needs nothing read has passed."""
    from .io import read_inputs

    _check_stdin(args)
    inputs = read_inputs(args.inputs, _read_options(args, config))
    try:
        _check_inputs(args, inputs)
        _check_outputs(args, inputs, local)
    except BaseException:
        inputs.close()
        raise
    return inputs


def _extract(args: argparse.Namespace, stderr: TextIO) -> int:
    from .io.writers import EXTRACT_SCHEMA, RecordWriter
    from .local.runner import extract_pages

    config = _config(args)
    inputs = _prepare(args, config)
    jobs = _jobs_for(args, stderr)
    position = _Position(inputs, "-" in args.inputs)
    bar = _ProgressBar(stderr, not args.quiet, position)
    tally = _Tally()
    try:
        with inputs, RecordWriter(args.output, EXTRACT_SCHEMA) as out:
            results: Iterator[PageResult] = extract_pages(
                position.wrap(inputs), config, jobs=jobs, templates=args.templates,
                keep_removals=False, progress=bar)
            for result in results:
                t0 = time.perf_counter()
                out.write(result.to_dict())
                tally.writing += time.perf_counter() - t0
                tally.count(result.status,
                            str(result.reason) if result.status == "failed" else None)
    finally:
        bar.clear()
    return tally.finish(args, [args.output], bar, stderr)


def _run(args: argparse.Namespace, stderr: TextIO) -> int:
    config = _config(args)
    if args.engine == "spark":
        return _run_spark(args, config, stderr)
    import sqlite3

    from .dedup.store import open_store
    from .io.writers import CLEAN_SCHEMA, MANIFEST_SCHEMA, RecordWriter
    from .local.runner import run

    inputs = _prepare(args, config)
    jobs = _jobs_for(args, stderr)
    position = _Position(inputs, "-" in args.inputs)
    bar = _ProgressBar(stderr, not args.quiet, position)
    tally = _Tally()
    outputs = [args.output, args.manifest] + [p for p in (args.explain, args.report) if p]
    try:
        with inputs, _index_lock(args.index), open_store(args.index, config.dedup) as store, \
                RecordWriter(args.output, CLEAN_SCHEMA) as clean, \
                RecordWriter(args.manifest, MANIFEST_SCHEMA) as manifest, \
                _maybe_writer(args.explain) as explain, \
                _maybe_report(args.report) as report:
            outcomes: Iterator[Outcome] = run(
                position.wrap(inputs), config, store=store, jobs=jobs, templates=args.templates,
                keep_removals=bool(args.explain or args.report), progress=bar)
            for outcome in outcomes:
                t0 = time.perf_counter()
                manifest.write(outcome.manifest_row())
                row = outcome.clean_row()
                if row is not None:
                    clean.write(row)
                if explain is not None:
                    explain.write(outcome.explain_row())
                if report is not None:
                    report.add(outcome)
                tally.writing += time.perf_counter() - t0
                tally.count(outcome.status, outcome.dropped_by)
            if report is not None:
                report.finish(tally.stats(args, bar))
    except sqlite3.Error as err:  # the index, after it opened: a full disk, a damaged file
        raise _CannotRun(f"the index {args.index} could not be written: {err}") from None
    finally:
        bar.clear()
    return tally.finish(args, outputs, bar, stderr)


class _NoWriter:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _maybe_writer(path: str | None) -> RecordWriter | _NoWriter:
    from .io.writers import RecordWriter

    return RecordWriter(path) if path else _NoWriter()


def _maybe_report(path: str | None) -> ReportWriter | _NoWriter:
    from .report import ReportWriter

    return ReportWriter(path) if path else _NoWriter()


def _run_spark(args: argparse.Namespace, config: Config, stderr: TextIO) -> int:
    """``cleanfeed run --engine spark`` (and the spark-submit entry point, whose ``--master``
    may be None: spark-submit's own)."""
    for flag, value in (("--index", args.index), ("--explain", args.explain),
                        ("--report", args.report), ("--jobs", args.jobs)):
        if value is not None:
            raise _UsageError(f"{flag} is for the local engine; " + _SPARK_REFUSES[flag])
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise _UsageError("--engine spark needs PySpark >= 4.0 with pandas and a Java runtime: "
                          "pip install 'pyspark>=4.0' 'pandas>=2.2,<3' (or, from a source "
                          "checkout, pip install -e '.[spark]')") from None
    from .spark import run_spark
    from .spark.session import command_session

    _prepare(args, config, local=False).close()
    bar = _ProgressBar(stderr, not args.quiet, None)
    tally = _Tally()
    with command_session(args.spark_master, dict(args.spark_conf)) as spark:
        summary = run_spark(spark, args.inputs, args.output, args.manifest, config=config,
                            read_options=_read_options(args, config), templates=args.templates,
                            partitions=args.partitions, progress=bar)
    tally.statuses.update(summary.counts)
    tally.reasons.update(summary.dropped_by_reason)
    tally.writing = summary.stage_seconds.get("write", 0.0)
    return tally.finish(args, [args.output, args.manifest], bar, stderr)


_SPARK_REFUSES = {
    "--index": "the Spark engine deduplicates the whole input in one job",
    "--explain": "run it on the pages you want explained",
    "--report": "run it on the pages you want to look at",
    "--jobs": "Spark's cores are its master's: --spark-master local[N] (--master under "
    "spark-submit), or spark.executor.cores on a cluster",
}


def _describe(err: OSError) -> str:
    """An OS error in one line; one without a file name (a full disk under a temporary spool)
    says where such files go."""
    if err.filename is not None or not err.strerror:
        return str(err)
    if err.strerror.startswith("cannot "):  # already says which path (the writers' errors)
        return err.strerror
    import errno
    import tempfile

    if err.errno == errno.ENOSPC:
        return (f"{err.strerror} (an output, the index, or the temporary files in "
                f"{tempfile.gettempdir()}: set TMPDIR to a roomier place)")
    return err.strerror if err.args and str(err.args[-1]) == err.strerror else str(err)


def main(argv: Sequence[str] | None = None, stderr: TextIO | None = None) -> int:
    """Entry point of the ``cleanfeed`` console script; returns the exit code."""
    return execute(build_parser().parse_args(argv), stderr or sys.stderr)


def console() -> int:
    """The console script (and ``python -m cleanfeed``): ``main``, then a Ctrl-C that comes once
    the run is over is ignored. Python's teardown gives SIGINT back its default action, so such a
    Ctrl-C would end a run whose outputs are written as killed by the signal (exit -2, no word)."""
    code = main()
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return code


def execute(args: argparse.Namespace, stderr: TextIO) -> int:
    """Run a parsed command (``main``, and the spark-submit entry point); the exit code."""
    command = {"extract": _extract, "run": _run}[args.command]
    try:
        return command(args, stderr)
    except _UsageError as err:
        stderr.write(f"cleanfeed {args.command}: error: {err}\n")
        return EXIT_USAGE
    except InputError as err:  # a missing input path: nothing was read
        stderr.write(f"cleanfeed {args.command}: error: {err}\n")
        return EXIT_USAGE
    except (CleanfeedError, _CannotRun) as err:
        stderr.write(f"cleanfeed {args.command}: error: {err}\n")
        return EXIT_RUN
    except OSError as err:  # an output that cannot be written, a full disk
        stderr.write(f"cleanfeed {args.command}: error: {_describe(err)}\n")
        return EXIT_RUN
    except KeyboardInterrupt:
        stderr.write(f"\ncleanfeed {args.command}: interrupted; outputs were not written "
                     "(an --index keeps every batch it completed)\n")
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(console())
