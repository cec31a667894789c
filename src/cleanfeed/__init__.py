"""cleanfeed: raw scraped news dumps in, one clean article text per story out.

The layout is the pipeline. The stages, a folder each: ``io`` (readers, writers, ``decode``)
→ ``extract`` (HTML and text dumps, site templates, rules as data) → ``metadata`` → ``dedup``
(``fingerprint`` → ``cluster`` → ``canonical``; the incremental ``deduplicator`` and its
``store``). ``page`` is the contract of what is done to one page and what a run says of it;
the engines that schedule that work are siblings over it: ``local`` (worker processes on one
machine) and ``spark``. ``report`` draws a run as one HTML file; ``cli`` is a thin layer over
this API.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are imported on first use (a fast ``import cleanfeed``)
    from .config import Config, DedupConfig, ExtractConfig
    from .dedup import AddResult, Deduplicator, deduplicate
    from .dedup.cluster import resolve_component, verify
    from .dedup.fingerprint import Fingerprint, band_keys, fingerprint, fingerprint_batch
    from .dedup.store import MemoryStore, SqliteStore, open_store
    from .errors import (
        BudgetExceeded,
        CleanfeedError,
        DecodeError,
        ExtractionError,
        FormatError,
        IndexMismatchError,
        InputError,
        StoreError,
        WorkerError,
    )
    from .extract import SiteTemplates, TemplateSnapshot, clean_text_dump, extract, extract_html
    from .io import ReadOptions, read_inputs
    from .io.decode import decode_bytes, sniff_kind
    from .models import CleanDoc, Decision, RawDoc, ReadFailure, Removal, Similarity
    from .page import Outcome, PageResult, Progress

__version__ = "0.1.0"

__all__ = [
    "AddResult",
    "BudgetExceeded",
    "CleanDoc",
    "CleanfeedError",
    "Config",
    "Decision",
    "DecodeError",
    "DedupConfig",
    "Deduplicator",
    "ExtractConfig",
    "ExtractionError",
    "Fingerprint",
    "FormatError",
    "IndexMismatchError",
    "InputError",
    "MemoryStore",
    "Outcome",
    "PageResult",
    "Progress",
    "RawDoc",
    "ReadFailure",
    "ReadOptions",
    "Removal",
    "Similarity",
    "SiteTemplates",
    "SqliteStore",
    "StoreError",
    "TemplateSnapshot",
    "WorkerError",
    "band_keys",
    "clean_text_dump",
    "decode_bytes",
    "deduplicate",
    "extract",
    "extract_html",
    "extract_pages",
    "fingerprint",
    "fingerprint_batch",
    "open_store",
    "read_inputs",
    "resolve_component",
    "run",
    "sniff_kind",
    "verify",
]

# where each public name lives: numpy, pyarrow, trafilatura, sqlite3 and the worker machinery are
# imported when a name that needs them is first used, not by ``import cleanfeed`` (so
# ``cleanfeed --help`` starts at once)
_HOME = {
    **dict.fromkeys(("Decision", "Similarity"), "models"),
    **dict.fromkeys(("resolve_component", "verify"), "dedup.cluster"),
    **dict.fromkeys(("Config", "DedupConfig", "ExtractConfig"), "config"),
    **dict.fromkeys(("decode_bytes", "sniff_kind"), "io.decode"),
    **dict.fromkeys(("AddResult", "Deduplicator", "deduplicate"), "dedup"),
    **dict.fromkeys(("BudgetExceeded", "CleanfeedError", "DecodeError", "ExtractionError",
                     "FormatError", "IndexMismatchError", "InputError", "StoreError", "WorkerError"),
                    "errors"),
    **dict.fromkeys(("SiteTemplates", "TemplateSnapshot", "clean_text_dump", "extract",
                     "extract_html"), "extract"),
    **dict.fromkeys(("Fingerprint", "band_keys", "fingerprint", "fingerprint_batch"),
                    "dedup.fingerprint"),
    **dict.fromkeys(("MemoryStore", "SqliteStore", "open_store"), "dedup.store"),
    **dict.fromkeys(("ReadOptions", "read_inputs"), "io"),
    **dict.fromkeys(("CleanDoc", "RawDoc", "ReadFailure", "Removal"), "models"),
    **dict.fromkeys(("Outcome", "PageResult", "Progress"), "page"),
    **dict.fromkeys(("extract_pages", "run"), "local"),
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'cleanfeed' has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value  # the module's own namespace, as an eager import would have it
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """``cleanfeed.extract`` is the function, as it was when
    this package imported everything up front: the import system binds a subpackage to its
    parent's attribute when it is first loaded, and here that must not hide the function."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _HOME.get(name) == name:
            self.__dict__.pop(name, None)  # resolved by __getattr__, to the function
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
