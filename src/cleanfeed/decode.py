"""Decode stage: page bytes → text, and HTML-vs-text-dump sniffing.

Order of trust for the charset: a byte-order mark, the charset the container declared (HTTP
header, WARC record), the page's own ``<meta charset>``, then UTF-8 if the bytes are valid
UTF-8, then statistical detection (charset-normalizer). Bytes that look binary are refused
with ``DecodeError`` instead of being turned into mojibake.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from .errors import BudgetExceeded, DecodeError
from .models import ContentKind

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE
)
# Control bytes that never occur in text (everything below 0x20 but tab, LF, FF, CR, ESC).
_BINARY_BYTES = bytes(set(range(32)) - {9, 10, 12, 13, 27})
# A document skeleton is proof of HTML; block tags alone are not, since a rendered dump of an
# article about web development quotes "<div>" or "<p>" in its prose.
_HTML_SNIFF = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_HTML_BLOCK = re.compile(r"<meta\s|<div[\s>]|<p[\s>]|<article[\s>]|<br\s*/?>|<span[\s>]", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


def _lookup(name: str | bytes | None) -> str | None:
    if not name:
        return None
    label = name.decode("ascii", "ignore") if isinstance(name, bytes) else name
    try:
        return codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None


def _looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    bad = len(sample) - len(sample.translate(None, _BINARY_BYTES))
    return bad / len(sample) > 0.01


def decode_bytes(data: bytes, declared: str | None = None, max_bytes: int | None = None) -> str:
    """Decode page bytes to text.

    Raises ``DecodeError`` for binary content, ``BudgetExceeded`` when ``max_bytes`` is given
    and the page is larger.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise BudgetExceeded(f"page is {len(data):,} bytes, over the {max_bytes:,}-byte budget")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    if _looks_binary(data[:65536]):
        raise DecodeError("content looks binary (NUL or control bytes), not a text or HTML page")
    candidates = [_lookup(declared)]
    match = _META_CHARSET.search(data[:4096])
    if match:
        candidates.append(_lookup(match.group(1)))
    for encoding in candidates:
        if encoding is None:
            continue
        # A page declaring latin-1 is usually windows-1252 (the WHATWG rule).
        if encoding in ("latin-1", "iso8859-1", "ascii"):
            encoding = "cp1252"
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue  # a wrong declaration: fall through to UTF-8 and detection
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    if best is None:
        raise DecodeError("no charset decodes this content as text")
    return data.decode(best.encoding, errors="replace")


def sniff_kind(text: str) -> ContentKind:
    """Tell HTML from a rendered text dump by content, not by file name."""
    head = text[:8192]
    if _HTML_SNIFF.search(head):
        return "html"
    tags = len(_TAG.findall(head))
    words = max(1, len(head.split()))
    closing = head.count("</")
    if _HTML_BLOCK.search(head) and closing >= max(1, tags // 4) and tags / words > 0.02:
        return "html"
    return "html" if tags >= 5 and tags / words > 0.05 else "text"
