"""Command-line entry point of the Spark engine, for ``spark-submit`` or ``python -m``.

::

    python -m cleanfeed.spark INPUT... -o CLEAN --manifest MANIFEST [--master local[*]]
    spark-submit --master yarn --deploy-mode client \\
        "$(python -c 'import cleanfeed.spark.submit as m; print(m.__file__)')" \\
        INPUT... -o CLEAN --manifest MANIFEST --partitions 400

It is ``cleanfeed run --engine spark``: the same arguments (``cleanfeed.cli.add_run_arguments``,
one definition), the same run, summary on standard error, ``--stats`` and exit codes, with
spark-submit's own names for the Spark options: ``--master`` (under ``spark-submit`` its
master, memory, executors... come from ``spark-submit``'s own flags unless ``--master`` is
given here; run directly, the default is ``local[*]``) and ``--conf KEY=VALUE``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from cleanfeed.cli import add_run_arguments, execute, spark_setting

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The arguments of ``cleanfeed run`` and the entry point's Spark options."""
    p = argparse.ArgumentParser(
        prog="python -m cleanfeed.spark",
        description="cleanfeed run on Apache Spark: extract, deduplicate, write the clean feed "
        "and the manifest (the same outputs as cleanfeed run --engine local; the same "
        "arguments as cleanfeed run, which refuses --jobs, --index and --explain on Spark).")
    add_run_arguments(p)
    spark = p.add_argument_group("Spark")
    spark.add_argument("--master", dest="spark_master", default=None, metavar="URL",
                       help="Spark master (default: spark-submit's, else local[*]); "
                       "sc://host:port for Spark Connect")
    spark.add_argument("--conf", dest="spark_conf", action="append", type=spark_setting,
                       default=[], metavar="KEY=VALUE",
                       help="a Spark setting, e.g. spark.sql.shuffle.partitions=400 (repeatable)")
    p.set_defaults(command="run", engine="spark")
    return p


def main(argv: Sequence[str] | None = None, stderr: TextIO | None = None) -> int:
    """Run from the command line; returns the exit code (``cleanfeed``'s)."""
    return execute(build_parser().parse_args(argv), stderr or sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
