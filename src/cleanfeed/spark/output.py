"""Writing the Spark engine's outputs: one file through the driver, or a dataset in parallel.

Two kinds of target, told apart by the path:

- **a file** (``clean.jsonl``, ``clean.jsonl.gz``, ``clean.parquet``, ``-``): the rows come to
  the driver in input order (``DataFrame.toLocalIterator``, one partition at a time) and are
  written by the local engine's own ``RecordWriter``, so the file is byte-identical to the one
  ``cleanfeed run --engine local`` writes (atomically, under a temporary name). Everything
  passes through the driver: fine for millions of pages, not for a crawl's worth of text.
- **a dataset** (a path ending in ``/``, an existing directory, or a URI such as
  ``hdfs://…/clean.parquet`` or ``s3a://…``): written by Spark's own writers, one part file per
  partition, from every executor at once. Parquet when the name (without the trailing ``/``)
  ends in ``.parquet``, JSON Lines otherwise (gzipped when it ends in ``.gz``), with the same
  columns, types and order as the file; rows are sorted by input order across the part files.
  JSON null fields are written (Spark drops them by default). It is not byte-identical to the
  local file (Spark's own encoders), only equal in content.

A dataset directory is replaced when it holds a previous Spark output (a ``_SUCCESS`` marker)
or nothing; any other existing directory is refused, so a mistyped ``-o .`` cannot wipe a
folder. A URI target must not exist yet (Spark's ``error`` save mode).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from pyspark.sql import DataFrame

from ..io.writers import RecordWriter

__all__ = ["check_target", "is_dataset", "write_records"]


def is_dataset(path: str | Path) -> bool:
    """Whether ``path`` names a Spark dataset (written in parallel) rather than one file."""
    text = str(path)
    if text == "-":
        return False
    return "://" in text or text.endswith("/") or Path(text).is_dir()


def check_target(path: str | Path) -> None:
    """Refuse, before any work, a target that could not be written: a dataset directory that
    is not a previous Spark output, or a file path that is a directory (``RecordWriter``)."""
    text = str(path)
    if not is_dataset(text) or "://" in text:
        return
    folder = Path(text.rstrip("/"))
    if folder.is_dir() and any(folder.iterdir()) and not (folder / "_SUCCESS").exists():
        raise FileExistsError(
            f"{folder} is a directory that does not hold a previous Spark output (no _SUCCESS "
            "file); give a new or empty directory, or a file name such as clean.jsonl")


def write_records(df: DataFrame, path: str | Path, schema: pa.Schema, order: str = "node") -> None:
    """Write ``df`` (``schema``'s columns plus the ``order`` column) to a file or a dataset,
    rows sorted by ``order``, which is not written."""
    if [c for c in df.columns if c != order] != schema.names:
        raise ValueError(f"columns {df.columns} are not the schema's {schema.names} plus {order!r}")
    if is_dataset(path):
        # a global sort: range-partitioned, so part files follow one another in input order
        _write_dataset(df.orderBy(order).drop(order), str(path))
        return
    # every row goes through the driver anyway: one sorted partition (spilled to disk when
    # large) streams to it as one job, where a global sort would cost one job per partition
    rows = df.repartition(1).sortWithinPartitions(order).drop(order)
    with RecordWriter(path, schema) as out:
        for row in rows.toLocalIterator(prefetchPartitions=True):
            out.write(row.asDict(recursive=True))


def _write_dataset(df: DataFrame, path: str) -> None:
    name = path.rstrip("/")
    check_target(path)
    # "error", not its alias "errorifexists", which Spark Connect does not know
    mode = "overwrite" if "://" not in path and Path(name).is_dir() else "error"
    writer = df.write.mode(mode)
    if name.endswith(".parquet"):
        writer.option("compression", "zstd").parquet(name)
    else:
        writer = writer.option("ignoreNullFields", "false")
        if name.endswith(".gz"):
            writer = writer.option("compression", "gzip")
        writer.json(name)
