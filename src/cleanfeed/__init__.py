"""cleanfeed: raw scraped news dumps in, one clean article text per story out.

The pipeline's stages, one module each: ``decode`` → ``extract`` (HTML and text dumps, rules as
data) → ``metadata`` → ``fingerprint`` → ``cluster`` → ``canonical``; ``io`` reads and writes
dumps, ``pipeline`` runs the stages over streams, ``cli`` is a thin layer over this API.
"""

from __future__ import annotations

from .cluster import Decision, Similarity, resolve_component, verify
from .config import Config, DedupConfig, ExtractConfig
from .decode import decode_bytes, sniff_kind
from .dedup import AddResult, Deduplicator, deduplicate
from .errors import (
    BudgetExceeded,
    CleanfeedError,
    DecodeError,
    ExtractionError,
    FormatError,
    IndexMismatchError,
    InputError,
    WorkerError,
)
from .extract import SiteTemplates, TemplateSnapshot, clean_text_dump, extract, extract_html
from .fingerprint import Fingerprint, band_keys, fingerprint, fingerprint_batch
from .index import MemoryStore, SqliteStore, open_store
from .io import ReadOptions, read_inputs
from .models import CleanDoc, RawDoc, ReadFailure, Removal
from .pipeline import Outcome, PageResult, Progress, extract_pages, run

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
