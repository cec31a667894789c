"""Exceptions raised by cleanfeed.

The hierarchy, drawn once::

    CleanfeedError
    ├── InputError            the input cannot be read as a page at all
    │   ├── DecodeError       bytes that are not text in any charset we can trust (binary, garbage)
    │   ├── BudgetExceeded    a page over the size or time budget of ExtractConfig
    │   └── FormatError       a container (gzip, WARC, JSONL line) that is corrupt or truncated
    ├── ExtractionError       the page was read but extraction failed (parser error)
    ├── IndexMismatchError    an on-disk index built with another configuration
    ├── StoreError            an on-disk index that cannot be opened or written
    └── WorkerError           the runner's worker processes cannot run at all (a whole run fails)

Library code raises these; the batch runner turns a per-document one into a recorded
``dropped`` status with the exception's message as the reason, and goes on.
"""

from __future__ import annotations


class CleanfeedError(Exception):
    """Base class of every error cleanfeed raises on purpose."""

    #: short machine-readable reason recorded in the manifest
    reason: str = "error"


class InputError(CleanfeedError):
    """The input cannot be read as a page at all."""

    reason = "unreadable input"


class DecodeError(InputError):
    """Bytes that are not text in any charset we can trust (binary, garbage)."""

    reason = "decode failure"


class BudgetExceeded(InputError):
    """A page over the size or time budget of ``ExtractConfig``."""

    reason = "over budget"


class FormatError(InputError):
    """A container (gzip, WARC, JSONL line) that is corrupt or truncated."""

    reason = "corrupt container"


class ExtractionError(CleanfeedError):
    """The page was read, but extraction failed (a parser error)."""

    reason = "parse error"


class IndexMismatchError(CleanfeedError):
    """An on-disk index built with another configuration than the one given."""

    reason = "index configuration mismatch"


class StoreError(CleanfeedError):
    """An on-disk index that cannot be opened or written: a missing directory, a file that is
    not an SQLite database, a full disk."""

    reason = "index unusable"


class WorkerError(CleanfeedError):
    """The runner's worker processes could not start, or all died: the run cannot go on.

    One page that kills its worker is that page's failure (recorded, the run goes on); this is
    for when no worker can run at all.
    """

    reason = "worker failure"
