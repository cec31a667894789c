"""Writers: records out as JSON Lines or Parquet, chosen by the file name, written atomically.

``RecordWriter(path, schema)`` writes rows (dicts) to ``path``: Parquet when the name ends in
``.parquet``, JSON Lines otherwise (gzipped when it ends in ``.gz``), standard output for
``-``. A file is written under a temporary name beside its target and renamed into place by
``close()``, so an interrupted run never leaves a truncated feed where a complete one is
expected; ``abort()`` (or leaving the ``with`` block by an exception, a full disk included)
removes it. A temporary file is named ``.NAME.tmp-PID``: one a killed run left behind (its
process gone) is removed when a writer next opens ``NAME``. An error names the user's path,
never the temporary one.

Output is byte-for-byte reproducible: fixed key order, no timestamps (gzip's header time is 0).
The schemas below are the one definition of each record's columns; the Spark engine writes
the same.
"""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import sys
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["CLEAN_SCHEMA", "EXTRACT_SCHEMA", "JSONL_SUFFIXES", "MANIFEST_SCHEMA", "RecordWriter",
           "output_format"]

#: the names a JSON Lines output may end with (Parquet: ``.parquet``)
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")


def output_format(path: str | Path, parquet: bool = True) -> str:
    """"jsonl" or "parquet", by the name's ending ("-" is JSON Lines on standard output).

    Raises ``ValueError`` for any other ending (``.csv``, ``.json``...), which would otherwise
    be JSON Lines under a name that says something else.
    """
    name = str(path).lower()
    if name == "-" or name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if parquet and name.endswith(".parquet"):
        return "parquet"
    kinds = ", ".join(JSONL_SUFFIXES) + (" or .parquet" if parquet else " (JSON Lines only)")
    raise ValueError(f"{path}: unknown output format; give a name ending in {kinds}")

_COPY = pa.struct([("id", pa.string()), ("url", pa.string()), ("similarity", pa.float64())])

#: one record per kept story (``Outcome.clean_row``)
CLEAN_SCHEMA = pa.schema([
    ("id", pa.string()),
    ("url", pa.string()),
    ("site", pa.string()),
    ("title", pa.string()),
    ("author", pa.string()),
    ("date", pa.string()),
    ("wire", pa.string()),
    ("text", pa.string()),
    ("copies", pa.list_(_COPY)),
    ("replaces", pa.string()),  # the page an earlier run published that this one supersedes
])

#: one record per input page (``Outcome.manifest_row``)
MANIFEST_SCHEMA = pa.schema([
    ("id", pa.string()),
    ("url", pa.string()),
    ("status", pa.string()),
    ("duplicate_of", pa.string()),
    ("similarity", pa.float64()),
    ("reason", pa.string()),
    ("replaces", pa.string()),  # the page an earlier run published that this one supersedes
])

#: one record per input page of ``cleanfeed extract`` (``PageResult.to_dict``)
EXTRACT_SCHEMA = pa.schema([
    ("id", pa.string()),
    ("url", pa.string()),
    ("status", pa.string()),
    ("title", pa.string()),
    ("author", pa.string()),
    ("date", pa.string()),
    ("wire", pa.string()),
    ("site", pa.string()),
    ("text", pa.string()),
    ("error", pa.string()),
])

_ROW_GROUP = 4096


class RecordWriter:
    """Rows to one file (see the module docstring). ``schema`` is needed for Parquet only;
    JSON Lines rows are written as given (their keys in order)."""

    def __init__(self, path: str | Path, schema: pa.Schema | None = None) -> None:
        self.path = str(path)
        self.schema = schema
        self.count = 0
        self._parquet = self.path.endswith(".parquet")
        if self._parquet and schema is None:
            raise ValueError(f"{self.path}: this record kind is written as JSON Lines only; "
                             "give a name that does not end in .parquet")
        self._rows: list[dict[str, Any]] = []
        self._tmp: str | None = None
        self._text: IO[str] | None = None
        self._pq: pq.ParquetWriter | None = None
        if self.path == "-":
            self._text = sys.stdout
            return
        target = Path(self.path)
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, f"cannot write {self.path}: it is a directory; "
                                    "give a file name")
        if not target.parent.is_dir():
            raise FileNotFoundError(errno.ENOENT, f"cannot write {self.path}: the directory "
                                    f"{target.parent} does not exist")
        _remove_stale(target)
        self._tmp = str(target.with_name(f"{_tmp_prefix(target)}{os.getpid()}"))
        try:
            if self._parquet:
                self._pq = pq.ParquetWriter(self._tmp, schema, compression="zstd")
            elif self.path.endswith(".gz"):
                raw = gzip.GzipFile(self._tmp, "wb", mtime=0)
                self._text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
            else:
                # held open across write() calls and closed by close(): no with-block can own it
                self._text = open(self._tmp, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as err:
            self._tmp = None
            raise self._error(err, f"cannot create a file in {target.parent}") from err

    def write(self, row: dict[str, Any]) -> None:
        """Add one row."""
        self.count += 1
        if self._pq is not None:
            self._rows.append(row)
            if len(self._rows) >= _ROW_GROUP:
                self._flush()
            return
        if self._text is None:
            raise ValueError(f"{self.path}: the writer is closed")
        try:
            self._text.write(json.dumps(row, ensure_ascii=False) + "\n")
        except OSError as err:
            raise self._error(err) from err

    def _error(self, err: OSError, what: str = "") -> OSError:
        """``err`` restated with the user's path (a full disk, a read-only directory...)."""
        detail = err.strerror or str(err)
        return OSError(err.errno, f"cannot write {self.path}: "
                       + (f"{what} ({detail})" if what else detail))

    def _flush(self) -> None:
        if self._pq is not None and self._rows:
            try:
                self._pq.write_table(pa.Table.from_pylist(self._rows, schema=self.schema))
            except OSError as err:
                raise self._error(err) from err
            self._rows = []

    def close(self) -> None:
        """Finish the file and move it into place (on an error, the temporary file is removed)."""
        try:
            if self._pq is not None:
                self._flush()
                self._pq.close()
                self._pq = None
            elif self._text is sys.stdout:
                self._text.flush()  # the caller's stream: flushed, never closed
            elif self._text is not None:
                self._text.close()
            self._text = None
            if self._tmp is not None:
                os.replace(self._tmp, self.path)
                self._tmp = None
        except OSError as err:
            self.abort()
            raise self._error(err) from err

    def abort(self) -> None:
        """Drop what was written (the target, if it existed before, is left as it was)."""
        pq_writer, text = self._pq, self._text
        self._pq = self._text = None
        try:
            if pq_writer is not None:
                pq_writer.close()
            if text is not None and text is not sys.stdout:
                text.close()  # on a full disk this fails too: the file goes all the same
        except OSError:
            pass
        finally:
            if self._tmp is not None:
                Path(self._tmp).unlink(missing_ok=True)
                self._tmp = None

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _tmp_prefix(target: Path) -> str:
    return f".{target.name}.tmp-"


def _remove_stale(target: Path) -> None:
    """Remove the temporary files a killed run (``kill -9``, a crash) left beside ``target``:
    ``.NAME.tmp-PID`` whose process no longer runs."""
    prefix = _tmp_prefix(target)
    try:
        names = [n for n in os.listdir(target.parent) if n.startswith(prefix)]
    except OSError:
        return
    for name in names:
        pid = name[len(prefix):]
        if pid.isdigit() and not _running(int(pid)):
            (target.parent / name).unlink(missing_ok=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True
