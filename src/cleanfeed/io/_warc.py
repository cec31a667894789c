"""WARC and WET archives: response and conversion records become pages, damage a ReadFailure.

Records are parsed by FastWARC, or by warcio when FastWARC cannot be imported (it is not
declared on Windows); both sit behind one small adapter (``_Record``), so everything below
it, and the tests, are shared.

Which records are pages: ``response`` records (their HTTP body, Content-Encoding and chunked
transfer decoded) and ``conversion`` records (WET text extracts). ``request``, ``warcinfo``,
``metadata``, ``revisit`` (its payload is an earlier record's), ``resource`` (crawler logs and
manifests), ``continuation`` and types a reader does not know (WARC 1.1: skip them) are not,
and neither are a crawler's ``dns:`` lookups. A response that is not a page is still an
input and is accounted for: a non-2xx HTTP status, or a content type other than HTML or plain
text (an image, a PDF), gives a ReadFailure.

Damage, and what is lost
------------------------
A backend stops at the first bytes it cannot parse, and sometimes stops without a word
(FastWARC drops a last record whose header a truncated gzip cut off). So the reader holds each
record back until the next one has parsed, and where reading stopped it checks the last
record's extent against its Content-Length: inside its gzip member, or followed by the blank
line that ends a record. A record that fails (truncated, or a wrong Content-Length that
swallowed the start of the next record) becomes a ReadFailure, not a page with a wrong body.
Anything but whitespace after the last good record is damage too, reported as one ReadFailure
(id ``name@offset``) for the stretch, after which the reader resynchronises:

* a gzipped WARC (one gzip member per record, as WARC writers do): at the next member that
  decompresses to ``WARC/``. Lost: the damaged members' records.
* an uncompressed WARC: at the next ``WARC/1.0`` or ``WARC/1.1`` version line followed by a
  header. Lost: the damaged record and any record whose header lay inside the damage.
* a gzip holding many records in one member (not the WARC convention): nothing to resume at,
  the rest of the file is lost. FastWARC reads such a file but gives its records no meaningful
  offset (an id-less record's ``name@offset`` id may repeat), and its end is checked by
  decompressing it a second time; warcio refuses it after the first record.

Bodies: FastWARC 2.0 decodes chunked transfer (``auto_decode="transfer"``); a gzip or deflate
Content-Encoding is inflated here, a chunk at a time and no further than the page budget
(FastWARC inflates it whole, so a small record could take gigabytes),
but decoding a chunked gzip body straight from the stream ends its iteration without an
error, so each page record is frozen (copied to memory, at most ``max_bytes``) first. Its
iterator cannot go on after a body it failed to decode (a corrupt gzip Content-Encoding: the
next step raises "No reader set"), so that record becomes a ReadFailure and a fresh iterator
starts at the end of the record. warcio instead passes a body that does
not decompress through as it is (a server that said gzip and sent plain bytes); the decode
stage refuses it if it is binary.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import BudgetExceeded, FormatError
from ..models import ContentKind, RawDoc, ReadFailure
from ._gzip import (
    INFLATABLE,
    find,
    inflate,
    is_gzip,
    next_member,
    starts_member,
    walk_member,
    walk_members,
)

if TYPE_CHECKING:
    from .readers import ReadOptions

Item = RawDoc | ReadFailure

_PAGE_TYPES = frozenset({"response", "conversion"})
_MEDIA_KINDS: dict[str, ContentKind] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
}
#: a response whose HTTP status is not 2xx (a redirect, an error page) holds no article
HTTP_STATUS = "http status"
UNSUPPORTED_TYPE = "unsupported content type"
_HEADER_LIMIT = 1 << 16
_READ_CHUNK = 1 << 20
#: a record's version line and the first header's name
_RECORD_START = re.compile(rb"WARC/1\.[01]\r\n[A-Za-z-]+:")


@dataclass(frozen=True, slots=True)
class _Record:
    """One record as a backend parsed it: the headers a page needs, and its body if read.

    ``type`` is the lower-cased WARC-Type ("" when the header is missing), ``length`` the
    declared Content-Length (None when missing or not a number), ``status`` the HTTP status
    (None for a record without HTTP headers). ``body`` is read only for page records within
    the budget, at most ``max_bytes + 1`` bytes of it.
    """

    offset: int
    type: str
    record_id: str | None
    target_uri: str | None
    length: int | None
    content_type: str | None = None
    charset: str | None = None
    status: int | None = None
    body: bytes | None = None

    def wanted(self, max_bytes: int) -> bool:
        """Whether the backend should read this record's body."""
        return self.type in _PAGE_TYPES and self.length is not None and self.length <= max_bytes


class _StreamError(Exception):
    """The backend cannot parse on from where the last record ended."""

    def __init__(self, message: str) -> None:
        super().__init__(_clip(message))


class _BodyError(Exception):
    """A record parsed, but reading or decoding its body failed."""

    def __init__(self, record: _Record, message: str) -> None:
        super().__init__(_clip(message))
        self.record = record


def _clip(message: str, limit: int = 200) -> str:
    """A backend's message fit for a manifest: one line, printable (warcio quotes raw bytes)."""
    text = "".join(
        ch if ch.isascii() and ch.isprintable() else "?" for ch in " ".join(message.split())
    )
    return text if len(text) <= limit else text[: limit - 3] + "..."


Backend = Callable[[BinaryIO, int], Iterator[_Record]]


def _backend() -> Backend:
    """FastWARC when it imports (C++, several times faster), warcio otherwise (pure Python)."""
    try:
        import fastwarc.warc  # noqa: F401
    except ImportError:
        return _warcio_records
    return _fastwarc_records


def _fastwarc_records(fh: BinaryIO, max_bytes: int) -> Iterator[_Record]:
    from fastwarc.warc import ArchiveIterator

    records = iter(ArchiveIterator(fh, parse_http=False))
    while True:
        try:
            rec = next(records)
        except StopIteration:
            return
        except (OSError, ValueError) as err:
            raise _StreamError(str(err)) from err
        headers = rec.headers
        base = _Record(
            offset=rec.stream_pos,
            type=(headers.get("WARC-Type") or "").strip().lower(),
            record_id=headers.get("WARC-Record-ID") or None,
            target_uri=_uri(headers.get("WARC-Target-URI")),
            length=_int(headers.get("Content-Length")),
        )
        if not base.wanted(max_bytes):
            yield base
            continue
        try:
            # Decoding a chunked, gzip-encoded body straight from the stream stops FastWARC
            # 2.0's iterator without an error, losing every later record; a frozen record
            # (its block copied to memory: at most max_bytes) decodes safely.
            rec.freeze()
            # Chunked transfer only: FastWARC inflates a Content-Encoding whole on the first
            # read (a 2 MB gzip bomb took 2.2 GB); ``inflate`` stops at the budget.
            rec.parse_http(auto_decode="transfer")
            http = rec.http_headers if rec.is_http else None
            content_type = (
                http.get("Content-Type") if http is not None else headers.get("Content-Type")
            )
            encoding = ((http.get("Content-Encoding") if http is not None else None) or "").strip().lower()
            if encoding in INFLATABLE:
                body = inflate(rec.reader.read, encoding, max_bytes + 1)
            else:
                body = rec.reader.read(max_bytes + 1)
        except (OSError, ValueError, zlib.error) as err:
            raise _BodyError(base, str(err)) from err
        yield _with_body(base, content_type, http.status_code if http is not None else None, body)


def _warcio_records(fh: BinaryIO, max_bytes: int) -> Iterator[_Record]:
    from warcio.archiveiterator import ArchiveIterator

    archive = ArchiveIterator(fh)
    records = iter(archive)
    while True:
        try:
            rec = next(records)
        except StopIteration:
            return
        except (
            Exception
        ) as err:  # warcio raises many types on bad data; any of them ends the stream
            raise _StreamError(f"{type(err).__name__}: {err}") from err
        headers = rec.rec_headers
        base = _Record(
            offset=archive.offset,
            type=(headers.get_header("WARC-Type") or "").strip().lower(),
            record_id=headers.get_header("WARC-Record-ID") or None,
            target_uri=_uri(headers.get_header("WARC-Target-URI")),
            length=_int(headers.get_header("Content-Length")),
        )
        if not base.wanted(max_bytes):
            yield base
            continue
        http = rec.http_headers
        try:
            content_type = (http or headers).get_header("Content-Type")
            status = _int(http.get_statuscode()) if http is not None else None
            body = rec.content_stream().read(max_bytes + 1)
        except Exception as err:
            raise _BodyError(base, f"{type(err).__name__}: {err}") from err
        yield _with_body(base, content_type, status, body)


def _with_body(base: _Record, content_type: str | None, status: int | None, body: bytes) -> _Record:
    media, charset = _media_type(content_type)
    return replace(base, content_type=media, charset=charset, status=status, body=body)


def _media_type(value: str | None) -> tuple[str | None, str | None]:
    """("text/html", "utf-8") from "text/html; charset=UTF-8"; a charset Python lacks is None."""
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            try:
                charset = codecs.lookup(val.strip().strip("\"'")).name
            except LookupError:
                charset = None
    return media.strip().lower() or None, charset


def _uri(value: str | None) -> str | None:
    if not value:
        return None
    # WARC/1.0's grammar put the target URI in angle brackets; some writers still do
    return value.strip().removeprefix("<").removesuffix(">") or None


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number >= 0 else None


# --------------------------------------------------------------------------------------------
# Reading a file: segments between damage


@dataclass(frozen=True, slots=True)
class _Archive:
    path: Path
    name: str
    source: str
    size: int
    gzipped: bool


@dataclass(frozen=True, slots=True)
class _Damage:
    """Where reading failed; ``resume`` is where it goes on (None: resynchronise after it)."""

    offset: int
    message: str
    resume: int | None = None
    record: _Record | None = None


@dataclass(frozen=True, slots=True)
class _Extent:
    """Where a record ends; ``problem`` says why it cannot, both None when unknowable."""

    end: int | None
    problem: str | None = None


def read_warc(path: Path, name: str, source: str, options: ReadOptions) -> Iterator[Item]:
    """The pages of a WARC or WET file (gzipped or not), and a ReadFailure per damaged stretch."""
    with path.open("rb") as probe:
        archive = _Archive(path, name, source, path.stat().st_size, is_gzip(probe.read(2)))
        backend = _backend()
        start = 0
        while start < archive.size:
            damage = yield from _segment(archive, probe, start, options, backend)
            if damage is None:
                return
            resume = damage.resume
            if resume is None:
                resume = _resync(archive, probe, damage.offset + 1)
            yield _failure(archive, damage, resume)
            if resume is None or resume <= start:
                return
            start = resume


def _segment(
    a: _Archive, probe: BinaryIO, start: int, options: ReadOptions, backend: Backend
) -> Generator[Item, None, _Damage | None]:
    """Read records from ``start`` until the end or the first damage, which it returns.

    Each record's page is held back until the next record has parsed, because only then (or
    by checking its extent) is it known that the record's Content-Length was right.
    """
    with a.path.open("rb") as fh:
        fh.seek(start)
        records = backend(fh, options.max_bytes)
        last: _Record | None = None
        held: Item | None = None
        while True:
            try:
                rec = next(records, None)
            except _BodyError as err:
                if held is not None:
                    yield held
                return _body_damage(a, probe, err.record, str(err))
            except _StreamError as err:
                return (yield from _stopped(a, probe, start, last, held, str(err)))
            if rec is None:
                return (yield from _stopped(a, probe, start, last, held, None))
            if held is not None:
                yield held
            if rec.length is None:
                return _Damage(
                    rec.offset, "record header unreadable (no valid Content-Length)", None, rec
                )
            last, held = rec, _page(rec, a, options)


def _stopped(
    a: _Archive,
    probe: BinaryIO,
    start: int,
    last: _Record | None,
    held: Item | None,
    error: str | None,
) -> Generator[Item, None, _Damage | None]:
    """Settle the last record and the bytes after it once the backend stopped."""
    if last is None:
        junk = error or _junk_after(a, probe, start)
        return _Damage(start, junk) if junk else None
    extent = _record_end(a, probe, last)
    if extent.problem is not None:
        message = extent.problem if error is None else f"{extent.problem}; then: {error}"
        return _Damage(last.offset, message, None, last)
    if held is not None:
        yield held
    if extent.end is None:  # inside a many-record gzip member: check the whole segment's gzip
        if error is not None:
            return _Damage(last.offset, error)
        for member in walk_members(probe, start, a.size):
            if member.end is None:
                return _Damage(member.start, member.error or "gzip member damaged")
        return None
    junk = error or _junk_after(a, probe, extent.end)
    return _Damage(extent.end, junk) if junk else None


def _body_damage(a: _Archive, probe: BinaryIO, rec: _Record, error: str) -> _Damage:
    extent = _record_end(a, probe, rec)
    message = f"record body unreadable: {error}"
    if extent.problem is not None:
        message += f" ({extent.problem})"
    return _Damage(rec.offset, message, extent.end, rec)


def _record_end(a: _Archive, probe: BinaryIO, rec: _Record) -> _Extent:
    """Where ``rec`` ends in the file, checked against its declared Content-Length."""
    length = rec.length or 0
    if a.gzipped:
        if not starts_member(probe, rec.offset):
            return _Extent(None)
        member = walk_member(probe, rec.offset)
        if member.end is None:
            return _Extent(None, member.error)
        header_end = member.head.find(b"\r\n\r\n")
        if header_end < 0 or member.size < header_end + 4 + length:
            return _Extent(
                None, f"record truncated: its gzip member ends before its {length} bytes"
            )
        return _Extent(member.end)
    probe.seek(rec.offset)
    header_end = probe.read(_HEADER_LIMIT).find(b"\r\n\r\n")
    if header_end < 0:
        return _Extent(None, "record header does not end")
    block_end = rec.offset + header_end + 4 + length
    if block_end > a.size:
        return _Extent(
            None, f"record truncated: {block_end - a.size} of its {length} bytes missing"
        )
    probe.seek(block_end)
    separator = probe.read(4)
    if separator.strip(b"\r\n"):
        return _Extent(
            None, f"record not followed by a blank line: its Content-Length ({length}) is wrong"
        )
    return _Extent(block_end + len(separator))


def _junk_after(a: _Archive, probe: BinaryIO, offset: int) -> str | None:
    """What is wrong with the bytes after ``offset``, if they are not just whitespace."""
    if a.gzipped:
        for member in walk_members(probe, offset, a.size):
            if member.end is None:
                return member.error
            if not member.blank:
                return f"gzip member at byte {member.start} holds no readable WARC record"
        return None
    probe.seek(offset)
    while chunk := probe.read(_READ_CHUNK):
        if chunk.strip():
            return f"{a.size - offset} bytes after the last record are not a WARC record"
    return None


def _resync(a: _Archive, probe: BinaryIO, start: int) -> int | None:
    """The first record start at or after ``start``, if any."""
    if a.gzipped:
        return next_member(probe, start, b"WARC/")
    # not only at a line start: a record cut short runs straight into the next one
    for at in find(probe, b"WARC/1.", start):
        probe.seek(at)
        if _RECORD_START.match(probe.read(64)):
            return at
    return None


def _failure(a: _Archive, damage: _Damage, resume: int | None) -> ReadFailure:
    rec = damage.record
    lost = a.size - damage.offset
    if resume is not None:
        after = f"reading resumed at byte {resume}"
    else:
        after = (
            f"no record after it: the last {lost} bytes are lost"
            if lost > 0
            else "reading stopped there"
        )
    return ReadFailure(
        rec.record_id if rec is not None and rec.record_id else f"{a.name}@{damage.offset}",
        FormatError.reason,
        f"unreadable WARC data at byte {damage.offset}: {damage.message}; {after}",
        url=rec.target_uri if rec is not None else None,
        source=f"{a.source}@{damage.offset}",
    )


def _page(rec: _Record, a: _Archive, options: ReadOptions) -> Item | None:
    """The page a record holds, the reason it holds none, or None for a record that is no page."""
    if rec.type not in _PAGE_TYPES:
        if rec.type:
            return None
    elif rec.target_uri and rec.target_uri.startswith("dns:"):
        return None
    where = f"{a.name}@{rec.offset}"
    record_id, source = rec.record_id or where, f"{a.source}@{rec.offset}"

    def refuse(reason: str, detail: str) -> ReadFailure:
        return ReadFailure(record_id, reason, detail, url=rec.target_uri, source=source)

    if not rec.type:
        return refuse(FormatError.reason, f"record at byte {rec.offset} has no WARC-Type")
    if rec.body is None or len(rec.body) > options.max_bytes:
        size = f"record of {rec.length} bytes" if rec.body is None else "decoded body"
        return refuse(
            BudgetExceeded.reason,
            f"{size} over the {options.max_bytes}-byte budget (ReadOptions.max_bytes)",
        )
    if rec.status is not None and not 200 <= rec.status < 300:
        return refuse(
            HTTP_STATUS, f"HTTP status {rec.status}: a redirect or error page, no article"
        )
    if rec.type == "conversion":
        kind: ContentKind | None = "text"
        charset: str | None = "utf-8"
    else:
        kind = _MEDIA_KINDS.get(rec.content_type) if rec.content_type else None
        if rec.content_type and kind is None:
            return refuse(UNSUPPORTED_TYPE, f"content type {rec.content_type} is not HTML or text")
        charset = rec.charset
    return RawDoc(
        record_id,
        rec.body,
        kind=options.kind or kind,
        url=rec.target_uri,
        source=source,
        charset=charset,
    )
