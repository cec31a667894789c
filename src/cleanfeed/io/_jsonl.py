"""JSON Lines dumps: one page per non-blank line, one ReadFailure per line that is not a page.

A line is read with a length limit, so a line over the budget is skipped without being held in
memory. Lines are decoded as strict UTF-8 (JSON text is UTF-8): a line with invalid bytes is
refused whole rather than read with replacement characters the page never had.
"""

from __future__ import annotations

import codecs
import json
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import BudgetExceeded, FormatError
from ..models import ContentKind, RawDoc, ReadFailure

if TYPE_CHECKING:
    from .readers import ReadOptions

_SKIP_CHUNK = 1 << 16
#: what a damaged gzip (or a failing disk) raises while read; BadGzipFile is an OSError
GZIP_ERRORS = (EOFError, OSError, zlib.error)


def read_jsonl(
    stream: BinaryIO, name: str, source: str, options: ReadOptions
) -> Iterator[RawDoc | ReadFailure]:
    """The pages of a JSONL stream (already decompressed), in line order.

    ``name`` prefixes the ids of lines without one (``name:lineno``), ``source`` the records'
    ``source``. A damaged gzip under the stream ends reading with one ReadFailure for the rest
    of the stream; the lines before the damage are kept. Gzip checks its CRC only at the end of
    a member, so corruption (rather than truncation) can first show as lines that are not JSON.
    """
    lineno = 0
    try:
        for lineno, line in _lines(stream, options.max_bytes):
            if line is None:
                yield ReadFailure(
                    f"{name}:{lineno}",
                    BudgetExceeded.reason,
                    f"line {lineno} is over the {options.max_bytes}-byte budget "
                    "(ReadOptions.max_bytes)",
                    source=f"{source}:{lineno}",
                )
            elif line.strip():
                yield parse_line(line, lineno, name, source, options)
    except GZIP_ERRORS as err:
        lineno += 1
        yield ReadFailure(
            f"{name}:{lineno}",
            FormatError.reason,
            f"stream unreadable at line {lineno} ({type(err).__name__}: {err}); "
            "the lines from there to the end are lost",
            source=f"{source}:{lineno}",
        )


def _lines(stream: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for every line; None for a line over ``max_bytes``, skipped unread."""
    lineno = 0
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        lineno += 1
        if not line.endswith(b"\n"):
            if len(line) > max_bytes:
                _skip_line(stream)
                yield lineno, None
                continue
            # The last line, or one cut short by a damaged gzip: reading on raises in that case,
            # so the cut line is reported with the damage instead of as a line that is not JSON.
            stream.read(1)
        yield lineno, line


def _skip_line(stream: BinaryIO) -> None:
    while True:
        rest = stream.readline(_SKIP_CHUNK)
        if not rest or rest.endswith(b"\n"):
            return


def parse_line(
    line: bytes, lineno: int, name: str, source: str, options: ReadOptions
) -> RawDoc | ReadFailure:
    """One JSONL line as a page, or the reason it is not one."""
    where, src = f"{name}:{lineno}", f"{source}:{lineno}"
    if lineno == 1:
        line = line.removeprefix(codecs.BOM_UTF8)
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as err:
        return _bad(
            where, src, f"line {lineno} is not valid UTF-8 (byte {err.start}: {err.reason})"
        )
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        return _bad(where, src, f"line {lineno} is not JSON: {err.msg} at column {err.colno}")
    except RecursionError:
        return _bad(where, src, f"line {lineno} is JSON nested too deeply to read")
    if not isinstance(obj, dict):
        return _bad(where, src, f"line {lineno} is a JSON {type(obj).__name__}, not an object")
    return record_page(obj, f"line {lineno}", where, src, options)


def record_page(
    obj: dict[str, Any], what: str, where: str, source: str, options: ReadOptions
) -> RawDoc | ReadFailure:
    """A record (a JSON object, a Parquet row) as a page, or why it is not one.

    ``what`` names the record in messages ("line 3"), ``where`` is its id when it has none.
    """
    page_id = _page_id(obj.get(options.id_field)) or where
    url = obj.get(options.url_field)
    url = url if isinstance(url, str) and url else None
    found = _content(obj, options)
    if found is None:
        fields = ", ".join(sorted(obj)[:12]) or "none"
        return ReadFailure(
            page_id,
            FormatError.reason,
            f"{what} has no string field {options.html_field!r} or {options.text_field!r} "
            f"(its fields: {fields}); ReadOptions.html_field/text_field name other fields",
            url=url,
            source=source,
        )
    content, kind = found
    return RawDoc(page_id, content, kind=options.kind or kind, url=url, source=source)


def _bad(where: str, source: str, detail: str) -> ReadFailure:
    return ReadFailure(where, FormatError.reason, detail, source=source)


def _page_id(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def _content(obj: dict[str, Any], options: ReadOptions) -> tuple[str, ContentKind] | None:
    """The page's content and what it is: a non-empty field first, HTML before text.

    A forced ``kind="text"`` reads the text field first, since that is what the caller says
    the pages are.
    """
    order: list[tuple[str, ContentKind]] = [
        (options.html_field, "html"),
        (options.text_field, "text"),
    ]
    if options.kind == "text":
        order.reverse()
    present = [(obj[key], kind) for key, kind in order if isinstance(obj.get(key), str)]
    for value, kind in present:
        if value:
            return value, kind
    return present[0] if present else None
