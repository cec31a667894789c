"""Command-line entry point of the Spark engine, for ``spark-submit`` or ``python -m``.

::

    python -m cleanfeed.spark INPUT... -o CLEAN --manifest MANIFEST [--master local[*]]
    spark-submit --master yarn --deploy-mode client \\
        "$(python -c 'import cleanfeed.spark.submit as m; print(m.__file__)')" \\
        INPUT... -o CLEAN --manifest MANIFEST --partitions 400

Under ``spark-submit`` the master (and memory, executors...) come from ``spark-submit``'s
own flags unless ``--master`` is given here; run directly, the default is ``local[*]``.
Prints a JSON summary (pages, counts, seconds per stage) on standard output. It is the same
run as ``cleanfeed run --engine spark``, which the main CLI provides.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from pyspark.sql import SparkSession

from cleanfeed.config import Config, ExtractConfig
from cleanfeed.io import ReadOptions
from cleanfeed.spark.run import run_spark
from cleanfeed.spark.session import session

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The arguments of the Spark entry point."""
    p = argparse.ArgumentParser(
        prog="python -m cleanfeed.spark",
        description="cleanfeed run on Apache Spark: extract, deduplicate, write the clean feed "
        "and the manifest (the same outputs as cleanfeed run --engine local).")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="files or directories (WARC/WET, JSONL, Parquet, page files; gzipped or "
                   "not), readable at the same path from every executor")
    p.add_argument("-o", "--output", required=True, metavar="CLEAN",
                   help="clean feed: a file (clean.jsonl[.gz], clean.parquet; written by the "
                   "driver) or a dataset directory/URI ending in / (written by the executors)")
    p.add_argument("--manifest", required=True, metavar="MANIFEST",
                   help="one row per input page: kept, duplicate (of which page) or dropped (why)")
    p.add_argument("--master", default=None, metavar="URL",
                   help="Spark master (default: spark-submit's, else local[*]); sc://host:port "
                   "for Spark Connect")
    p.add_argument("--partitions", type=int, default=None, metavar="N",
                   help="input partitions, i.e. read+extract tasks (default: one per file, at "
                   "most spark.sql.shuffle.partitions)")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                   help="a Spark setting, e.g. spark.sql.shuffle.partitions=400 (repeatable)")
    p.add_argument("--no-templates", dest="templates", action="store_false",
                   help="clean pages without learning their sites' templates first")
    p.add_argument("--max-page-mb", type=float, default=20.0,
                   help="pages over this size are dropped unread (default 20)")
    p.add_argument("--id-field", default="id", help="JSONL key / Parquet column of the page id")
    p.add_argument("--url-field", default="url", help="JSONL key / Parquet column of the URL")
    p.add_argument("--html-field", default="html", help="JSONL key / Parquet column of the HTML")
    p.add_argument("--text-field", default="text",
                   help="JSONL key / Parquet column of a rendered text dump")
    p.add_argument("--kind", choices=("auto", "html", "text"), default="auto",
                   help="what every page is (default: detect per page)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run from the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.partitions is not None and args.partitions < 1:
        parser.error(f"--partitions must be at least 1, got {args.partitions}")
    conf = {}
    for item in args.conf:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--conf takes KEY=VALUE, got {item!r}")
        conf[key] = value
    max_bytes = int(args.max_page_mb * 1024 * 1024)
    config = Config(extract=ExtractConfig(max_bytes=max_bytes))
    options = ReadOptions(id_field=args.id_field, url_field=args.url_field,
                          html_field=args.html_field, text_field=args.text_field,
                          kind=None if args.kind == "auto" else args.kind, max_bytes=max_bytes)
    # spark-submit starts the driver through a gateway and says which master to use
    master = args.master or (None if "PYSPARK_GATEWAY_PORT" in os.environ else "local[*]")
    started_here = SparkSession.getActiveSession() is None
    spark = session(master, conf=conf)
    try:
        summary = run_spark(spark, args.inputs, args.output, args.manifest, config=config,
                            read_options=options, templates=args.templates,
                            partitions=args.partitions)
    finally:
        if started_here:  # a session the caller runs (a notebook, a test) is theirs to stop
            spark.stop()
    json.dump({"pages": summary.pages, "counts": dict(summary.counts),
               "seconds": round(summary.seconds, 3),
               "stage_seconds": {k: round(v, 3) for k, v in summary.stage_seconds.items()}},
              sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
