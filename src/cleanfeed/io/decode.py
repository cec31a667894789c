"""Decode stage: page bytes → text, as a browser decodes them; HTML-vs-text-dump sniffing.

The charset follows the WHATWG Encoding standard's order: a byte-order mark; the charset the
container declared (HTTP header, WARC record); the page's ``<meta charset>`` (a meta naming
UTF-16 or UTF-32 means UTF-8: the bytes being read are ASCII-compatible, or the meta could not
have been read); then a default. Labels are resolved with the standard's table
(``webencodings``), so ``latin1`` and ``ascii`` read as windows-1252 and a label browsers
refuse (``utf-7``, ``zlib``) counts as no label at all.

The default, for a page that names no charset: UTF-8 when the bytes are mostly valid UTF-8
(a page cut mid-character, or with one stray byte, is still UTF-8: the bad bytes become
U+FFFD), UTF-16 when its NUL bytes fall in every other position, windows-1252 for Latin text,
and for a page whose non-ASCII bytes form runs (a non-Latin script) the best of the legacy
encodings browsers know, by charset-normalizer. Two departures from a browser, both towards
the text the author wrote: a declared single-byte charset loses to UTF-8 when the bytes are
UTF-8 (multi-byte sequences that would read as mojibake), and NUL and control characters are
dropped, as a browser does not show them. Only content that is mostly binary (control bytes
well beyond what any text holds, or an image's or archive's magic number) is refused with
``DecodeError``.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer
import webencodings  # type: ignore[import-untyped]

from ..errors import BudgetExceeded, DecodeError
from ..models import ContentKind

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
_BODY = re.compile(rb"<body[\s>]", re.IGNORECASE)
#: how far the meta prescan looks: a browser honours a late meta in the head by re-parsing
_PRESCAN_BYTES = 1 << 15
# Control bytes that never occur in text (everything below 0x20 but tab, LF, FF, CR, ESC).
_BINARY_BYTES = bytes(set(range(32)) - {9, 10, 12, 13, 27})
_HIGH_BYTES = bytes(range(128, 256))
#: a page is refused as binary when more of its bytes than this are control bytes
_BINARY_SHARE = 0.05
_BINARY_MAGIC = (
    b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b",
    b"%PDF-", b"\x7fELF", b"RIFF", b"OggS", b"\x00\x00\x01\x00", b"BZh", b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c", b"\x28\xb5\x2f\xfd", b"wOFF", b"wOF2",
)
_HIGH_RUN = re.compile(rb"[\x80-\xff]{2,}")
# Characters a browser does not show: C0 controls but tab, LF, FF, CR; DEL; C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]+")
# Python's superset of a WHATWG decoder where webencodings names the narrower codec.
_SUPERSETS = {"gbk": "gb18030"}
# Python's canonical codec names (what a reader that normalised a header with
# ``codecs.lookup`` passes on) that are not WHATWG labels, as the label they stand for.
_PYTHON_NAMES = {
    "utf-16-le": "utf-16le", "utf-16-be": "utf-16be", "latin-1": "latin1",
    "mac-roman": "macintosh", "big5hkscs": "big5", "cp949": "euc-kr", "cp932": "shift_jis",
}
# The legacy encodings a browser may guess for an unlabelled non-Latin page.
_LEGACY = (
    "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258", "cp874",
    "koi8_r", "koi8_u", "iso8859_2", "iso8859_5", "iso8859_7", "iso8859_8", "shift_jis",
    "euc_jp", "iso2022_jp", "gb18030", "big5", "cp949",
)
#: the standard's fallback for an unlabelled page that is not UTF-8
_DEFAULT = "cp1252"
# A document skeleton is proof of HTML; block tags alone are not, since a rendered dump of an
# article about web development quotes "<div>" or "<p>" in its prose.
_HTML_SNIFF = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_HTML_BLOCK = re.compile(r"<meta\s|<div[\s>]|<p[\s>]|<article[\s>]|<br\s*/?>|<span[\s>]", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


def _lookup(name: str | bytes | None) -> str | None:
    """The Python codec of a WHATWG encoding label; None for a missing or unknown label."""
    if not name:
        return None
    label = (name.decode("ascii", "ignore") if isinstance(name, bytes) else name).strip().lower()
    label = _PYTHON_NAMES.get(label, label)
    encoding = webencodings.lookup(label) or webencodings.lookup(label.replace("_", "-"))
    if encoding is None or encoding.name in ("replacement", "x-user-defined"):
        # "replacement" (iso-2022-kr, hz-gb-2312...) turns a page into one U+FFFD in a
        # browser; x-user-defined is a binary hack. Neither tells how the text was written.
        return None
    codec: str = encoding.codec_info.name  # webencodings is untyped: its codec_info is a codecs.CodecInfo
    return _SUPERSETS.get(codec, codec)


def _is_utf16_or_32(codec: str) -> bool:
    return codec.replace("_", "-").startswith(("utf-16", "utf-32"))


def _meta_charset(data: bytes) -> str | None:
    """The charset a ``<meta>`` in the head names, with the standard's UTF-16/32 → UTF-8 rule."""
    head = data[:_PRESCAN_BYTES]
    body = _BODY.search(head)
    match = _META_CHARSET.search(head, 0, body.start() if body else len(head))
    if match is None:
        return None
    label = match.group(1).decode("ascii", "ignore").lower()
    if label == "x-user-defined":
        return _DEFAULT
    codec = _lookup(label)
    return "utf-8" if codec is not None and _is_utf16_or_32(codec) else codec


def _utf8_share(data: bytes) -> tuple[int, int]:
    """(valid multi-byte characters, invalid sequences) when ``data`` is read as UTF-8."""
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    ascii_bytes = len(data.translate(None, _HIGH_BYTES))
    return len(text) - ascii_bytes - invalid, invalid


def _looks_utf8(data: bytes) -> bool:
    """Mostly valid UTF-8: multi-byte characters outnumber the bad sequences several times.

    Legacy single-byte text almost never forms a valid multi-byte sequence ("Ã©" is what
    UTF-8 looks like read as windows-1252), so a few of them are strong evidence.
    """
    valid, invalid = _utf8_share(data)
    return invalid == 0 or valid >= 4 * invalid


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 (or UTF-32) by where its NUL bytes fall: ASCII markup and Latin text in UTF-16
    have one in every other byte, in UTF-32 three bytes in four."""
    if len(sample) < 16 or b"\x00" not in sample:  # no NUL byte: every lane's share is 0
        return None
    lanes = [sample[i::4].count(0) / len(sample[i::4]) for i in range(4)]
    if min(lanes[1:]) > 0.3 and lanes[0] < 0.05:
        return "utf-32-le"
    if min(lanes[:3]) > 0.3 and lanes[3] < 0.05:
        return "utf-32-be"
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / max(1, len(odd))
    if nul_odd > 0.3 and nul_even < 0.05:
        return "utf-16-le"
    if nul_even > 0.3 and nul_odd < 0.05:
        return "utf-16-be"
    return None


def _refuse_binary(sample: bytes) -> None:
    if sample.startswith(_BINARY_MAGIC):
        raise DecodeError("content is a binary file (an image, archive or executable), not a page")
    controls = len(sample) - len(sample.translate(None, _BINARY_BYTES))
    if controls > _BINARY_SHARE * len(sample):
        raise DecodeError(
            f"content looks binary ({controls} of its first {len(sample)} bytes are control "
            "bytes), not a text or HTML page"
        )


def _legacy(data: bytes) -> str:
    """The encoding of an unlabelled page that is not UTF-8: windows-1252 for Latin text.

    In Latin-script text the non-ASCII bytes are accented letters between ASCII ones; in
    Cyrillic, Greek, Arabic, Hebrew, Thai or a CJK double-byte encoding they come in runs.
    Only then is a statistical guess among the browsers' legacy encodings worth its risk.
    """
    sample = data[: 1 << 18]
    high = len(sample) - len(sample.translate(None, _HIGH_BYTES))
    in_runs = sum(len(run) for run in _HIGH_RUN.findall(sample))
    if high == 0 or in_runs < 0.5 * high:
        return _DEFAULT
    best = charset_normalizer.from_bytes(data[:200_000], cp_isolation=list(_LEGACY)).best()
    if best is None:
        return _DEFAULT
    return _lookup(best.encoding) or best.encoding


def _drop_controls(text: str, utf8: bytes | None = None) -> str:
    """``text`` without ``_CONTROL`` characters; ``utf8``: the bytes it was decoded from, when
    they were UTF-8 (checked for controls as they are, with no encoding back)."""
    return _CONTROL.sub("", text) if _has_controls(text, utf8) else text


# The control characters of ``_CONTROL`` in UTF-8: C0 and DEL are single bytes that no other
# character's encoding contains, C1 (U+0080-U+009F) are exactly the pairs C2 80 to C2 9F. In
# bytes decoded from UTF-8 with errors="replace" the same holds: an ill-formed sequence
# becomes U+FFFD and never swallows an ASCII byte or a C2 (which starts a sequence).
_C0_BYTES = bytes(c for c in range(128) if _CONTROL.match(chr(c)))
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")


def _has_controls(text: str, utf8: bytes | None = None) -> bool:
    """``_CONTROL.search(text)``, in bytes: a regex character class is tried at every position
    of a page (several ms), while deleting bytes and finding a literal byte are C loops."""
    raw = text.encode("utf-8", "surrogatepass") if utf8 is None else utf8
    return len(raw.translate(None, _C0_BYTES)) != len(raw) or (
        b"\xc2" in raw and _C1_UTF8.search(raw) is not None)


def decode_bytes(data: bytes, declared: str | None = None, max_bytes: int | None = None) -> str:
    """Decode page bytes to the text a browser shows (see the module docstring for the order).

    Raises ``DecodeError`` for binary content, ``BudgetExceeded`` when ``max_bytes`` is given
    and the page is larger.

    >>> decode_bytes("naïve façade".encode("cp1252"))
    'naïve façade'
    >>> decode_bytes('<meta charset="utf-16"><p>We’d</p>'.encode())
    '<meta charset="utf-16"><p>We’d</p>'
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise BudgetExceeded(f"page is {len(data):,} bytes, over the {max_bytes:,}-byte budget")
    for bom, from_bom in _BOMS:
        if data.startswith(bom):
            data, codec = data[len(bom) :], from_bom
            break
    else:
        codec = _encoding(data, declared)
    utf8 = data if codecs.lookup(codec).name == "utf-8" else None
    return _drop_controls(data.decode(codec, errors="replace"), utf8)


def _encoding(data: bytes, declared: str | None) -> str:
    """The codec for a page without a byte-order mark; raises DecodeError for binary content."""
    sample = data[:65536]
    encoding = _lookup(declared)
    if encoding is None or not _is_utf16_or_32(encoding):
        encoding = _utf16_without_bom(sample) or encoding
    if encoding is not None and _is_utf16_or_32(encoding):
        return encoding
    _refuse_binary(sample)
    encoding = encoding or _meta_charset(data)
    if encoding != "utf-8" and (encoding is None or _single_byte(encoding)) and _looks_utf8(data):
        return "utf-8"
    return encoding or _legacy(data)


def _single_byte(codec: str) -> bool:
    """A legacy single-byte encoding: every byte string decodes, so nothing contradicts it."""
    return codecs.lookup(codec).name.startswith(("cp12", "iso8859", "koi8", "cp874", "mac"))


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
