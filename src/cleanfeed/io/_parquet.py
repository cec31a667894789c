"""Parquet tables of pages: one page per row, read as JSONL records are.

A row is a record with the columns ``ReadOptions`` names (id, url, and the html or text
content), so a table written from a JSONL dump reads back with the same ids, kinds and
failures; a row without an id is ``name:row`` (1-based). Rows are read in batches of row
groups, never the whole table at once. A file that is not a readable Parquet table is one
ReadFailure; damage found in the middle keeps the rows before it, then one ReadFailure for the
rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import FormatError
from ..models import RawDoc, ReadFailure
from ._jsonl import record_page

if TYPE_CHECKING:
    from .readers import ReadOptions

MAGIC = b"PAR1"
_BATCH_ROWS = 256


def read_parquet(
    path: Path, name: str, source: str, options: ReadOptions
) -> Iterator[RawDoc | ReadFailure]:
    """The pages of one Parquet file, in row order."""
    row = 0
    try:
        table = pq.ParquetFile(path)
        wanted = [c for c in (options.id_field, options.url_field, options.html_field,
                              options.text_field) if c in table.schema_arrow.names]
        for batch in table.iter_batches(batch_size=_BATCH_ROWS, columns=wanted):
            for record in batch.to_pylist():
                row += 1
                where = f"{name}:{row}"
                yield record_page(record, f"row {row}", where, f"{source}:{row}", options)
    except (OSError, pa.ArrowException) as err:
        row += 1
        yield ReadFailure(
            f"{name}:{row}",
            FormatError.reason,
            f"Parquet unreadable at row {row} ({type(err).__name__}: {err}); "
            "the rows from there to the end are lost",
            source=f"{source}:{row}",
        )
