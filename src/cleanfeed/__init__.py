"""cleanfeed: raw scraped news dumps in, one clean article text per story out.

The pipeline's stages, one module each: ``decode`` → ``extract`` (HTML and text dumps, rules as
data) → ``metadata`` → ``fingerprint`` → ``cluster`` → ``canonical``; ``io`` reads and writes
dumps, ``pipeline`` runs the stages over streams, ``cli`` is a thin layer over this API.
"""

from __future__ import annotations

from .config import Config, ExtractConfig
from .decode import decode_bytes, sniff_kind
from .errors import (
    BudgetExceeded,
    CleanfeedError,
    DecodeError,
    ExtractionError,
    FormatError,
    IndexMismatchError,
    InputError,
)
from .extract import SiteTemplates, TemplateSnapshot, clean_text_dump, extract, extract_html
from .models import CleanDoc, RawDoc, Removal

__version__ = "0.1.0"

__all__ = [
    "BudgetExceeded",
    "CleanDoc",
    "CleanfeedError",
    "Config",
    "DecodeError",
    "ExtractConfig",
    "ExtractionError",
    "FormatError",
    "IndexMismatchError",
    "InputError",
    "RawDoc",
    "Removal",
    "SiteTemplates",
    "TemplateSnapshot",
    "clean_text_dump",
    "decode_bytes",
    "extract",
    "extract_html",
    "sniff_kind",
]
