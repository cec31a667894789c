"""Input and output: dumps in (``readers``), feeds and manifests out (``writers``).

``read_inputs`` turns the paths a user gives (files, directories, ``-`` for standard input)
into one ``RawDoc`` or ``ReadFailure`` per input page; see ``cleanfeed.io.readers``.
"""

from __future__ import annotations

from .readers import InputFile, Inputs, ReadOptions, list_files, read_file, read_inputs, read_stream
from .writers import CLEAN_SCHEMA, EXTRACT_SCHEMA, MANIFEST_SCHEMA, RecordWriter

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
