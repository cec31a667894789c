"""Input and output: dumps in (``readers``), feeds and manifests out (``writers``).

``read_inputs`` turns the paths a user gives (files, directories, ``-`` for standard input)
into one ``RawDoc`` or ``ReadFailure`` per input page; see ``cleanfeed.io.readers``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import writers
from .readers import InputFile, Inputs, ReadOptions, list_files, read_file, read_inputs, read_stream
from .writers import RecordWriter

if TYPE_CHECKING:  # built on first use (``writers.__getattr__``: no pyarrow for JSON Lines)
    from .writers import CLEAN_SCHEMA, EXTRACT_SCHEMA, MANIFEST_SCHEMA

__all__ = [
    "CLEAN_SCHEMA",
    "EXTRACT_SCHEMA",
    "MANIFEST_SCHEMA",
    "InputFile",
    "Inputs",
    "ReadOptions",
    "RecordWriter",
    "list_files",
    "read_file",
    "read_inputs",
    "read_stream",
]


def __getattr__(name: str) -> Any:
    return getattr(writers, name)  # the schemas (an AttributeError for any other name)
