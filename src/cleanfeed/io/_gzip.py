"""Gzip plumbing shared by the readers: magic bytes, bounded decompression, member walking.

A gzip file may be several *members* end to end; WARC writers compress each record as its own
member, so a member boundary is where a reader can start again after damage. Python's ``gzip``
module reads across members but cannot say where one ends, so these helpers drive ``zlib``
directly, a member at a time, and never hold more than a chunk of output in memory.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

MAGIC = b"\x1f\x8b"
#: a member header: the magic and the only compression method gzip defines (deflate)
_MEMBER_START = MAGIC + b"\x08"
_CHUNK = 1 << 16
_GZIP_WBITS = 16 + zlib.MAX_WBITS


def is_gzip(head: bytes) -> bool:
    """Whether bytes start a gzip stream (by content: a name ending in .gz proves nothing)."""
    return head[:2] == MAGIC


#: the HTTP Content-Encodings ``inflate`` decodes
INFLATABLE = frozenset({"gzip", "x-gzip", "deflate"})


def inflate(read: Callable[[int], bytes], encoding: str, limit: int) -> bytes:
    """At most ``limit`` bytes of a gzip or deflate body, inflated a chunk at a time.

    ``read(n)`` gives the next compressed bytes (``b""`` at the end). Output stops at ``limit``
    bytes, so a body that inflates a thousandfold (a "gzip bomb") costs ``limit`` bytes of
    memory, never its full size; pass ``max_bytes + 1`` to learn that a body is over budget.
    Consecutive gzip members are read as one body, as HTTP clients do. HTTP's "deflate" is
    zlib-wrapped by the standard and raw deflate from many servers: the first byte tells.
    Raises ``zlib.error`` for data that does not inflate.
    """
    first = read(_CHUNK)
    if encoding == "deflate":
        zlib_header = len(first) >= 2 and first[0] & 0x0F == 8 and int.from_bytes(first[:2], "big") % 31 == 0
        wbits = zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS
    else:
        wbits = _GZIP_WBITS
    inflater = zlib.decompressobj(wbits)
    out = bytearray()
    data = first
    while data and len(out) < limit:
        out += inflater.decompress(data, limit - len(out))
        if inflater.eof:
            rest = inflater.unused_data
            if wbits != _GZIP_WBITS or not rest.startswith(MAGIC):
                break  # the body ends here (trailing bytes after a stream are ignored)
            inflater = zlib.decompressobj(wbits)
            data = rest
        elif inflater.unconsumed_tail:
            data = inflater.unconsumed_tail  # output was capped: only reached when at limit
        else:
            data = read(_CHUNK)
    return bytes(out)


def starts_member(fh: BinaryIO, offset: int) -> bool:
    """Whether a gzip member header starts at ``offset``."""
    fh.seek(offset)
    return fh.read(3) == _MEMBER_START


def inflate_head(fh: BinaryIO, offset: int, size: int = _CHUNK) -> bytes:
    """Up to ``size`` decompressed bytes of the gzip member at ``offset``.

    Used to sniff a file's format and to check that a candidate member really starts a WARC
    record. Damage, truncation and non-gzip bytes give what could be decompressed (maybe
    nothing): a sniff must not fail, and a wrong candidate is rejected by its content.
    """
    fh.seek(offset)
    inflater = zlib.decompressobj(_GZIP_WBITS)
    out = b""
    step = 1024  # a candidate is usually judged by its first bytes; read more only if needed
    try:
        while len(out) < size and not inflater.eof:
            chunk = fh.read(step)
            step = min(step * 4, _CHUNK)
            if not chunk:
                break
            out += inflater.decompress(chunk, size - len(out))
    except zlib.error:
        pass
    return out


@dataclass(frozen=True, slots=True)
class Member:
    """One gzip member as walked: where it starts and ends, and a glimpse of its content.

    ``end`` is None when the member is truncated or corrupt (``error`` says which); ``size``
    counts the decompressed bytes seen before that, ``head`` holds the first of them, and
    ``blank`` says whether all of them were whitespace (a member that holds no record).
    """

    start: int
    end: int | None
    size: int
    head: bytes
    blank: bool
    error: str | None = None


def walk_member(fh: BinaryIO, offset: int) -> Member:
    """Decompress the member at ``offset`` to its end, keeping only its first 64 KiB."""
    if not starts_member(fh, offset):
        return Member(offset, None, 0, b"", True, f"no gzip member starts at byte {offset}")
    fh.seek(offset)
    inflater = zlib.decompressobj(_GZIP_WBITS)
    pos, size, head, blank = offset, 0, b"", True
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            return Member(offset, None, size, head, blank, "gzip member truncated (end of file)")
        data = chunk
        try:
            while data:
                out = inflater.decompress(data, _CHUNK)
                size += len(out)
                if len(head) < _CHUNK:
                    head += out[: _CHUNK - len(head)]
                blank = blank and not out.strip()
                if inflater.eof:
                    return Member(
                        offset, pos + len(chunk) - len(inflater.unused_data), size, head, blank
                    )
                data = inflater.unconsumed_tail
        except zlib.error as err:
            return Member(offset, None, size, head, blank, f"gzip data corrupt: {err}")
        pos += len(chunk)


def walk_members(fh: BinaryIO, offset: int, file_size: int) -> Iterator[Member]:
    """The members from ``offset`` to the end of the file, stopping after a damaged one."""
    while offset < file_size:
        member = walk_member(fh, offset)
        yield member
        if member.end is None:
            return
        offset = member.end


def find(fh: BinaryIO, pattern: bytes, start: int) -> Iterator[int]:
    """Offsets of ``pattern`` in the file from ``start`` on, read a chunk at a time.

    The caller may move the file between two offsets (to look at a candidate): each read
    seeks to where the previous one ended.
    """
    overlap = len(pattern) - 1
    base = max(start, 0)
    carry = b""
    while True:
        fh.seek(base)
        chunk = fh.read(_CHUNK * 16)
        if not chunk:
            return
        window = carry + chunk
        origin = base - len(carry)
        at = window.find(pattern)
        while at >= 0:
            yield origin + at
            at = window.find(pattern, at + 1)
        base += len(chunk)
        carry = window[len(window) - overlap :] if overlap else b""


def next_member(fh: BinaryIO, start: int, content_prefix: bytes) -> int | None:
    """The first gzip member at or after ``start`` whose content begins with ``content_prefix``.

    The magic bytes also occur by chance inside compressed data, so a candidate counts only
    when it decompresses to the expected start (``b"WARC/"`` for a WARC record).
    """
    for candidate in find(fh, _MEMBER_START, start):
        if inflate_head(fh, candidate, len(content_prefix)) == content_prefix:
            return candidate
    return None
