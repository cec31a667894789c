"""The ``cleanfeed`` command: a thin layer over the public API.

Commands:

- ``cleanfeed extract INPUT... -o OUT.jsonl``: one record per input page (the article body and
  metadata, or why there is none).
- ``cleanfeed run INPUT... -o CLEAN --manifest MANIFEST``: extract, deduplicate, keep one text
  per story; the manifest says what became of every input page.

Exit codes: 0 the run finished (pages that could not be read are in the output, dropped with
their reason); 1 an unexpected internal error; 2 a usage error (bad option, missing input
path); 3 the run could not start or finish (an index built with another configuration, worker
processes that cannot start, an output that cannot be written); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from .config import Config, ExtractConfig
from .errors import CleanfeedError, InputError
from .index import open_store
from .io import ReadOptions, read_inputs
from .io.writers import CLEAN_SCHEMA, EXTRACT_SCHEMA, MANIFEST_SCHEMA, RecordWriter
from .pipeline import Outcome, PageResult, Progress, default_jobs, extract_pages, run

__all__ = ["add_run_arguments", "build_parser", "execute", "main", "spark_setting"]

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_RUN, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

_EPILOG = """exit codes: 0 done (unreadable pages are recorded as dropped, with their reason);
1 internal error; 2 usage error or missing input; 3 the run could not start or finish
(index configuration mismatch, worker processes, unwritable output); 130 interrupted."""


def _positive(kind: type[int] | type[float]) -> object:
    def parse(text: str) -> int | float:
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
                        help=f"worker processes for extraction (default: all cores, here "
                        f"{default_jobs()}; 0 = in this process, without the time budget)")
    parser.add_argument("--kind", choices=("auto", "html", "text"), default="auto",
                        help="treat every page as HTML or as a rendered text dump "
                        "(default: tell by content)")
    parser.add_argument("--no-templates", dest="templates", action="store_false",
                        help="clean each text dump alone, without learning its site's template "
                        "from the other pages of the site in the input")
    parser.add_argument("--max-page-mb", type=_positive(float), default=20.0, metavar="MB",
                        help="pages larger than this are dropped unread (default: 20)")
    parser.add_argument("--timeout", type=_positive(float), default=30.0, metavar="SECONDS",
                        help="a page taking longer than this to extract is dropped and its "
                        "worker replaced (default: 30; not enforced by --engine spark)")
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
                     help="records out: JSONL ('-' for standard output; .gz compresses; "
                     ".parquet writes Parquet)")

    r = commands.add_parser(
        "run", epilog=_EPILOG, help="extract, deduplicate, and write the clean feed and manifest",
        description="Extract every page, collapse syndicated copies of one story, keep one "
        "canonical text per story, and record what became of every input page.")
    add_run_arguments(r)
    r.add_argument("--engine", choices=("local", "spark"), default="local",
                   help="run on this machine (default) or on Apache Spark, which refuses "
                   "--jobs, --index and --explain")
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
                        help="the clean feed, one record per kept story (JSONL; .parquet for "
                        "Parquet)")
    parser.add_argument("--manifest", required=True, metavar="MANIFEST",
                        help="one line per input page: kept, duplicate (of which page, how "
                        "similar) or dropped (why) (JSONL; .parquet for Parquet)")
    parser.add_argument("--explain", metavar="FILE",
                        help="per page (JSONL): the removed spans (rule id, category, text "
                        "preview), and for a duplicate the kept page it matched and the "
                        "similarity")
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
    return ReadOptions(id_field=args.id_field, url_field=args.url_field,
                       html_field=args.html_field, text_field=args.text_field,
                       kind=None if args.kind == "auto" else args.kind,
                       max_bytes=config.extract.max_bytes)


class _ProgressLine:
    """One line on standard error, redrawn at most 10 times a second; only on a terminal."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled and stream.isatty()
        self._last = 0.0
        self.final: Progress | None = None

    def __call__(self, p: Progress) -> None:
        if p.finished:
            self.final = p
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and not p.finished:
            return
        self._last = now
        line = (f"{p.stage}: {p.done:,}/{p.pages:,} pages, {p.pages_per_second:,.1f} pages/s, "
                f"kept {p.kept:,}, duplicates {p.duplicates:,}, dropped {p.dropped:,}")
        self.stream.write("\r\x1b[K" + line)
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _summary(command: str, statuses: Counter[str], reasons: Counter[str], seconds: float,
             outputs: Sequence[str]) -> str:
    """The summary a command prints at the end."""
    total = sum(statuses.values())
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

    def count(self, status: str, dropped_because: str | None) -> None:
        self.statuses[status] += 1
        if dropped_because is not None:
            self.reasons[dropped_because.split(":", 1)[0]] += 1

    def finish(self, args: argparse.Namespace, outputs: Sequence[str], bar: _ProgressLine,
               stderr: TextIO) -> int:
        """The stats file and the summary; the exit code of a finished run."""
        bar.clear()
        seconds = time.perf_counter() - self.started
        if args.stats:
            stages = dict(bar.final.seconds) if bar.final else {}
            stages["write"] = self.writing
            stats = {
                "command": args.command,
                "pages": sum(self.statuses.values()),
                "statuses": dict(sorted(self.statuses.items())),
                "dropped_by_reason": dict(self.reasons.most_common()),
                "seconds": round(seconds, 3),
                # CPU time of this process (all its threads), without the worker processes
                "main_process_cpu_seconds": round(time.process_time(), 3),
                "stage_seconds": {k: round(v, 3) for k, v in sorted(stages.items())},
            }
            Path(args.stats).write_text(json.dumps(stats, indent=1) + "\n", encoding="utf-8")
        if not args.quiet:
            stderr.write(_summary(args.command, self.statuses, self.reasons, seconds, outputs)
                         + "\n")
        return EXIT_OK


def _extract(args: argparse.Namespace, stderr: TextIO) -> int:
    config = _config(args)
    bar = _ProgressLine(stderr, not args.quiet)
    tally = _Tally()
    with read_inputs(args.inputs, _read_options(args, config)) as pages, \
            RecordWriter(args.output, EXTRACT_SCHEMA) as out:
        results: Iterator[PageResult] = extract_pages(
            pages, config, jobs=args.jobs, templates=args.templates, keep_removals=False,
            progress=bar)
        for result in results:
            t0 = time.perf_counter()
            out.write(result.to_dict())
            tally.writing += time.perf_counter() - t0
            tally.count(result.status, str(result.reason) if result.status == "failed" else None)
    return tally.finish(args, [args.output], bar, stderr)


def _run(args: argparse.Namespace, stderr: TextIO) -> int:
    config = _config(args)
    if args.engine == "spark":
        return _run_spark(args, config, stderr)
    bar = _ProgressLine(stderr, not args.quiet)
    tally = _Tally()
    outputs = [args.output, args.manifest] + ([args.explain] if args.explain else [])
    with read_inputs(args.inputs, _read_options(args, config)) as pages, \
            open_store(args.index, config.dedup) as store, \
            RecordWriter(args.output, CLEAN_SCHEMA) as clean, \
            RecordWriter(args.manifest, MANIFEST_SCHEMA) as manifest, \
            _maybe_writer(args.explain) as explain:
        outcomes: Iterator[Outcome] = run(
            pages, config, store=store, jobs=args.jobs, templates=args.templates,
            keep_removals=bool(args.explain), progress=bar)
        for outcome in outcomes:
            t0 = time.perf_counter()
            manifest.write(outcome.manifest_row())
            row = outcome.clean_row()
            if row is not None:
                clean.write(row)
            if explain is not None:
                explain.write(outcome.explain_row())
            tally.writing += time.perf_counter() - t0
            tally.count(outcome.status, outcome.reason if outcome.status == "dropped" else None)
    return tally.finish(args, outputs, bar, stderr)


class _NoWriter:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _maybe_writer(path: str | None) -> RecordWriter | _NoWriter:
    return RecordWriter(path) if path else _NoWriter()


def _run_spark(args: argparse.Namespace, config: Config, stderr: TextIO) -> int:
    """``cleanfeed run --engine spark`` (and the spark-submit entry point, whose ``--master``
    may be None: spark-submit's own)."""
    for flag, value in (("--index", args.index), ("--explain", args.explain),
                        ("--jobs", args.jobs)):
        if value is not None:
            raise _UsageError(f"{flag} is for the local engine; " + _SPARK_REFUSES[flag])
    try:
        from .spark import run_spark
        from .spark.session import command_session
    except ImportError as err:
        raise _UsageError(f"--engine spark needs PySpark: pip install 'cleanfeed[spark]' ({err})")
    bar = _ProgressLine(stderr, not args.quiet)
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
    "--jobs": "Spark's cores are its master's: --spark-master local[N] (--master under "
    "spark-submit), or spark.executor.cores on a cluster",
}


class _UsageError(Exception):
    """A usage problem found after parsing (reported like argparse's, exit code 2)."""


def main(argv: Sequence[str] | None = None, stderr: TextIO | None = None) -> int:
    """Entry point of the ``cleanfeed`` console script; returns the exit code."""
    return execute(build_parser().parse_args(argv), stderr or sys.stderr)


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
    except CleanfeedError as err:
        stderr.write(f"cleanfeed {args.command}: error: {err}\n")
        return EXIT_RUN
    except OSError as err:  # an output that cannot be written, a full disk
        stderr.write(f"cleanfeed {args.command}: error: {err}\n")
        return EXIT_RUN
    except KeyboardInterrupt:
        stderr.write(f"\ncleanfeed {args.command}: interrupted; outputs were not written "
                     "(an --index keeps every batch it completed)\n")
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
