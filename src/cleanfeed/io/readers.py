"""Readers: what a user points ``cleanfeed run INPUT...`` at, as a stream of pages.

Every input page becomes exactly one item, in a deterministic order (inputs as given, files
sorted within a directory, records in file order): a ``RawDoc``, or a ``ReadFailure`` in its
place when the record cannot be read. Nothing raises mid-batch and nothing is skipped without
a trace, so the manifest can account for every input. The one exception raised is
``InputError`` for a path that does not exist, a usage error reported before any work.

Formats, told apart by content first and by name second, can be mixed in one directory; any
file may be gzipped (by its magic bytes, whatever its name):

* WARC and WET archives (content starting ``WARC/``, or a ``.warc``/``.wet`` name): one page
  per response or conversion record (see ``cleanfeed.io._warc`` for which records count and
  how damage is reported and skipped);
* JSON Lines (``.jsonl``/``.ndjson``, or a first line that is a JSON object): one page per
  non-blank line, from the ``html`` or ``text`` field (names set by ``ReadOptions``);
* Parquet (content starting ``PAR1``, or a ``.parquet`` name): one page per row, its columns
  read as a JSONL line's fields (``cleanfeed.io._parquet``);
* anything else is a page file (``.html``, ``.txt``, ...): one page, its bytes as they are,
  left to the decode stage to sniff (HTML or text dump) and to refuse (binary).

Every entry a directory holds and every path the user names gets an item, so the manifest
accounts for it: a FIFO, socket or device (never opened: a FIFO would block the run), a
dangling symbolic link, a link loop and a link to a directory (not followed) each become a
ReadFailure, as does a container that holds no page at all (``EMPTY_CONTAINER``). Ids and
sources are always writable as UTF-8: a file name's undecodable bytes and a JSON id's lone
surrogates are escaped (``caf\\xe9.html``). When two input directories hold the same relative
name, those files' ids are qualified by the directory as given (``a/x.html``, ``b/x.html``).

Size budget: a page over ``ReadOptions.max_bytes`` becomes a ReadFailure ("over budget") and is
not read whole when its size is known beforehand (a file's size, a WARC Content-Length);
otherwise reading stops one byte past the budget.

>>> import io
>>> pages = read_inputs(["-"], stdin=io.BytesIO(b'{"id": "a", "html": "<p>Hi</p>"}\\n'))
>>> [(p.id, p.kind) for p in pages]
[('a', 'html')]
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import stat
import sys
import tempfile
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Literal, cast

from ..config import MAX_PAGE_BYTES
from ..errors import BudgetExceeded, FormatError, InputError
from ..models import ContentKind, RawDoc, ReadFailure
from ._gzip import MAGIC, inflate_head, is_gzip
from ._jsonl import GZIP_ERRORS, read_jsonl
from ._parquet import MAGIC as PARQUET_MAGIC
from ._parquet import read_parquet
from ._warc import read_warc

__all__ = [
    "EMPTY_CONTAINER",
    "InputFile",
    "Inputs",
    "ReadOptions",
    "list_files",
    "read_file",
    "read_inputs",
    "read_stream",
]

Item = RawDoc | ReadFailure
_Format = Literal["page", "jsonl", "warc", "parquet"]

_SNIFF_BYTES = 1 << 16
_WARC_SUFFIXES = frozenset({".warc", ".wet"})
_JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
_PAGE_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".txt"})
_STDIN_NAME = "stdin"
#: the reason recorded for a container (JSONL, WARC, Parquet) that holds no page
EMPTY_CONTAINER = "empty container"


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How readers interpret their input.

    id_field, url_field, html_field, text_field: the JSONL keys of a page's id, URL and content
        (HTML markup, or an already-rendered text dump).
    kind: "html" or "text" forces what every page is (a dump whose HTML field holds text
        dumps, say); None detects it per record (JSONL field, HTTP Content-Type, or the decode
        stage's sniffing for page files).
    max_bytes: pages over this many bytes become a ReadFailure ("over budget"). Its default is
        ``ExtractConfig.max_bytes``'s (``config.MAX_PAGE_BYTES``); give it that of the config
        the pages are extracted with, as ``cleanfeed`` does.

    >>> ReadOptions(html_field="body", max_bytes=5 * 1024 * 1024).text_field
    'text'
    """

    id_field: str = "id"
    url_field: str = "url"
    html_field: str = "html"
    text_field: str = "text"
    kind: ContentKind | None = None
    max_bytes: int = MAX_PAGE_BYTES

    def __post_init__(self) -> None:
        for name in ("id_field", "url_field", "html_field", "text_field"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty JSON key, got {value!r}")
        if self.html_field == self.text_field:
            raise ValueError(
                f"html_field and text_field are both {self.html_field!r}: they must differ so a "
                "line says what its content is; to force one kind for every page, pass kind='html' "
                "or kind='text'"
            )
        if self.kind not in (None, "html", "text"):
            raise ValueError(
                f"kind must be 'html', 'text' or None (detect per page), got {self.kind!r}"
            )
        if (
            isinstance(self.max_bytes, bool)
            or not isinstance(self.max_bytes, int)
            or self.max_bytes <= 0
        ):
            raise ValueError(
                f"max_bytes must be a positive int (bytes), got {self.max_bytes!r}; "
                "e.g. ReadOptions(max_bytes=config.extract.max_bytes)"
            )


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file to read, and the name its page ids derive from.

    ``name`` is the path relative to the directory the user gave (``sub/a.html.gz``), or the
    file name for a file given directly: ids stay the same wherever the dump is unpacked.
    """

    path: Path
    name: str


def list_files(inputs: Sequence[str | Path]) -> list[InputFile]:
    """The files to read, in order: inputs as given, each directory walked recursively.

    A directory's entries come sorted by their relative POSIX path; hidden files and
    directories (names starting with ".") are skipped. Every other entry is listed, whatever it
    is (``read_file`` turns a FIFO, a dangling link or a link to a directory into a
    ReadFailure): symbolic links to directories are not followed. Names that two directories
    both hold are qualified by the directory (``_qualify``). Raises ``InputError`` for an input
    that does not exist, and for ``-`` (standard input is not a file: ``read_inputs`` reads it).
    """
    return [f for group in _list_groups(inputs) for f in group]


def _list_groups(inputs: Sequence[str | Path]) -> list[list[InputFile]]:
    """``list_files``, one list per input."""
    groups: list[list[InputFile]] = []
    for given in inputs:
        if str(given) == "-":
            raise InputError(
                "'-' (standard input) is not a file: pass it to read_inputs, which reads it"
            )
        path = Path(given)
        if path.is_dir():
            groups.append(_walk(path))
        elif os.path.lexists(path):  # a file, a FIFO, a dangling link: read_file says which
            groups.append([InputFile(path, path.name)])
        else:
            raise InputError(f"input not found: {given}")
    return _qualify(groups, inputs)


def _qualify(
    groups: list[list[InputFile]], inputs: Sequence[str | Path]
) -> list[list[InputFile]]:
    """Give a name that several inputs hold the input's path as given in front (``b/x.html``).

    The ids of a single input stay relative, the same wherever a dump is unpacked; only names
    that would collide across inputs change, so no page is lost as a "duplicate id".
    """
    count: dict[str, int] = {}
    for group in groups:
        for name in {f.name for f in group}:
            count[name] = count.get(name, 0) + 1
    qualified: list[list[InputFile]] = []
    for given, group in zip(inputs, groups, strict=True):
        root = Path(given)
        qualified.append([
            f if count[f.name] == 1
            else InputFile(f.path, root.as_posix() if f.path == root else f"{root.as_posix()}/{f.name}")
            for f in group
        ])
    return qualified


def _walk(root: Path) -> list[InputFile]:
    def refuse(err: OSError) -> None:
        raise InputError(f"cannot list {err.filename}: {err.strerror}") from err

    found: list[InputFile] = []
    for folder, subfolders, names in os.walk(root, onerror=refuse):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        # os.walk lists a link to a directory among the folders and does not enter it
        links = [d for d in subfolders if os.path.islink(os.path.join(folder, d))]
        for name in [*names, *links]:
            if not name.startswith("."):
                path = Path(folder, name)
                found.append(InputFile(path, path.relative_to(root).as_posix()))
    return sorted(found, key=lambda f: f.name)


def read_file(f: InputFile, options: ReadOptions = ReadOptions()) -> Iterator[Item]:
    """The pages of one file, whatever its format; a file that cannot be read is one ReadFailure.

    A container that holds no page is one ReadFailure too (``EMPTY_CONTAINER``), and every
    item's id, URL and source can be written as UTF-8 (``printable``).
    """
    empty = True
    for item in _read_file(f, options):
        empty = False
        yield _printable_item(item)
    if empty:
        yield _printable_item(
            ReadFailure(f.name, EMPTY_CONTAINER, f"{f.path} holds no page", source=str(f.path))
        )


def _not_a_file(f: InputFile) -> str | None:
    """Why ``f`` is not a regular file to read, without opening it (a FIFO would block)."""
    try:
        mode = f.path.stat().st_mode
    except OSError as err:
        if os.path.islink(f.path):
            loop = getattr(err, "errno", None) == 40  # ELOOP
            return f"{f.path} is a symbolic link {'loop' if loop else 'whose target does not exist'}"
        return f"cannot read {f.path}: {err.strerror or err}"
    if stat.S_ISDIR(mode):
        return f"{f.path} is a symbolic link to a directory: not followed (links can loop)"
    if not stat.S_ISREG(mode):
        return (
            f"{f.path} is not a regular file (a FIFO, socket or device): not read; to read a "
            "pipe, give '-' and send it to standard input"
        )
    return None


def printable(text: str) -> str:
    """``text`` as UTF-8 can write it: a file name's undecodable bytes (``surrogateescape``)
    become ``\\xNN`` and other lone surrogates ``\\uNNNN``; any other text is returned as is.

    >>> print(printable("caf\\udce9.html"))
    caf\\xe9.html
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join(_escape(ch) for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if 0xD800 <= code <= 0xDFFF else ch


def _printable_item(item: Item) -> Item:
    page_id = printable(item.id)
    url = printable(item.url) if item.url is not None else None
    source = printable(item.source) if item.source is not None else None
    if (page_id, url, source) == (item.id, item.url, item.source):
        return item
    return replace(item, id=page_id, url=url, source=source)


def _read_file(f: InputFile, options: ReadOptions) -> Iterator[Item]:
    source = str(f.path)
    problem = _not_a_file(f)
    if problem is not None:
        yield ReadFailure(f.name, InputError.reason, problem, source=source)
        return
    try:
        size = f.path.stat().st_size
        with f.path.open("rb") as fh:
            gzipped = is_gzip(fh.read(2))
            head = inflate_head(fh, 0, _SNIFF_BYTES) if gzipped else _head(fh)
    except OSError as err:
        yield ReadFailure(f.name, InputError.reason, f"cannot read {f.path}: {err}", source=source)
        return
    form = _format(f.name, head)
    if form == "page":
        yield _read_page(f, size, gzipped, options)
        return
    try:
        if form == "parquet" and not gzipped:
            yield from read_parquet(f.path, f.name, source, options)
        elif form == "parquet":
            yield ReadFailure(f.name, FormatError.reason, "a gzipped Parquet file: Parquet "
                              "compresses its own pages; give the .parquet file", source=source)
        elif form == "warc":
            yield from read_warc(f.path, f.name, source, options)
        else:
            with _open(f.path, gzipped) as stream:
                yield from read_jsonl(stream, f.name, source, options)
    except OSError as err:  # the disk, not the format: the formats' readers catch their own damage
        yield ReadFailure(
            f.name, InputError.reason, f"reading {f.path} failed: {err}", source=source
        )


def _head(fh: BinaryIO) -> bytes:
    fh.seek(0)
    return fh.read(_SNIFF_BYTES)


def _format(name: str, head: bytes) -> _Format:
    """A WARC or Parquet file by its content; then by name; then JSONL if the first line is a
    JSON object."""
    if head.lstrip(b"\r\n").startswith(b"WARC/"):
        return "warc"
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    suffix = PurePosixPath(name.lower().removesuffix(".gz")).suffix
    if suffix == ".parquet":
        return "parquet"
    if suffix in _WARC_SUFFIXES:
        return "warc"
    if suffix in _JSONL_SUFFIXES:
        return "jsonl"
    if suffix in _PAGE_SUFFIXES:
        return "page"
    return "jsonl" if _starts_with_object(head) else "page"


def _starts_with_object(head: bytes) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not text.startswith(b"{"):
        return False
    line, newline, _ = text.partition(b"\n")
    if not newline and len(head) >= _SNIFF_BYTES:
        return line.startswith(b'{"')  # a first line longer than the bytes sniffed
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


@contextmanager
def _open(path: Path, gzipped: bool) -> Iterator[BinaryIO]:
    with path.open("rb") as raw:
        if gzipped:
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield cast(BinaryIO, unzipped)
        else:
            yield raw


def _read_page(f: InputFile, size: int, gzipped: bool, options: ReadOptions) -> Item:
    """A page file as one RawDoc; its size decides the budget before anything is read."""
    source = str(f.path)
    if not gzipped and size > options.max_bytes:
        return ReadFailure(
            f.name, BudgetExceeded.reason, _over(f"{size}-byte file", options), source=source
        )
    try:
        with _open(f.path, gzipped) as stream:
            # a short read ends at end of stream, so a gzip's trailer (CRC, length) was checked
            content = stream.read(options.max_bytes + 1)
    except GZIP_ERRORS as err:
        if not gzipped:
            return ReadFailure(
                f.name, InputError.reason, f"cannot read {f.path}: {err}", source=source
            )
        return ReadFailure(
            f.name, FormatError.reason, f"gzip damaged: {type(err).__name__}: {err}", source=source
        )
    if len(content) > options.max_bytes:
        return ReadFailure(
            f.name, BudgetExceeded.reason, _over("decompressed page", options), source=source
        )
    return RawDoc(f.name, content, kind=options.kind, source=source)


def _over(what: str, options: ReadOptions) -> str:
    return f"{what} over the {options.max_bytes}-byte budget (ReadOptions.max_bytes)"


def read_stream(
    stream: BinaryIO, name: str, options: ReadOptions = ReadOptions()
) -> Iterator[Item]:
    """The pages of a JSONL stream (gzipped or not, by its magic bytes), read once.

    ``name`` stands for the stream in ids (``name:lineno`` for a line without an id) and in
    each page's ``source``. The stream is left open.
    """
    with _peekable(stream) as buffered:
        if buffered.peek(2)[:2] == MAGIC:
            with gzip.GzipFile(fileobj=buffered, mode="rb") as unzipped:
                items = read_jsonl(cast(BinaryIO, unzipped), name, name, options)
                yield from map(_printable_item, items)
        else:
            yield from map(_printable_item, read_jsonl(buffered, name, name, options))


@contextmanager
def _peekable(stream: BinaryIO) -> Iterator[io.BufferedReader]:
    """The stream, buffered so its first bytes can be looked at without consuming them."""
    if isinstance(stream, io.BufferedReader):
        yield stream
        return
    buffered = io.BufferedReader(cast(io.RawIOBase, stream))  # BytesIO and raw files work
    try:
        yield cast(io.BufferedReader, buffered)
    finally:
        buffered.detach()  # the caller's stream stays open


def read_inputs(
    inputs: Sequence[str | Path],
    options: ReadOptions = ReadOptions(),
    stdin: BinaryIO | None = None,
) -> Inputs:
    """The pages of all ``inputs`` (files, directories, ``-`` for JSONL on standard input).

    Raises ``InputError`` at once for a path that does not exist. The result can be iterated
    more than once, with the same items each time; close it (or use it as a context manager)
    to remove the copy of standard input it keeps for that.
    """
    return Inputs(inputs, options, stdin)


class Inputs:
    """The pages of a run's inputs; every iteration gives the same items in the same order.

    The runner reads its inputs twice (learning site templates, then extracting), so standard
    input (``-``, JSONL, ``stdin`` argument or ``sys.stdin.buffer``) is copied to a temporary
    file on the first iteration and re-read from it after; ``close()`` removes the copy. The
    file list is taken once, at construction, so both passes see the same files.
    """

    def __init__(
        self,
        inputs: Sequence[str | Path],
        options: ReadOptions = ReadOptions(),
        stdin: BinaryIO | None = None,
    ) -> None:
        self.options = options
        self._stdin = stdin
        self._plan: list[InputFile | None] = []  # None: standard input
        # all paths listed at once, so that names two directories share are told apart
        groups = iter(_list_groups([given for given in inputs if str(given) != "-"]))
        for given in inputs:
            if str(given) == "-":
                if None in self._plan:
                    raise InputError(
                        "'-' (standard input) given more than once: it can be read only once"
                    )
                self._plan.append(None)
            else:
                self._plan.extend(next(groups))
        self._spool: Path | None = None
        self._spool_error: str | None = None
        self._closed = False
        self._cleanup: Callable[[], object] | None = None

    @property
    def files(self) -> tuple[InputFile, ...]:
        """The files to read, in reading order (standard input is not among them)."""
        return tuple(f for f in self._plan if f is not None)

    def __iter__(self) -> Iterator[Item]:
        if self._closed:
            raise ValueError(
                "Inputs is closed: its copy of standard input was removed; call read_inputs again"
            )
        for entry in self._plan:
            if entry is None:
                yield from self._read_stdin()
            else:
                yield from read_file(entry, self.options)

    def _read_stdin(self) -> Iterator[Item]:
        spool = self._spooled()
        if spool is None:
            yield ReadFailure(
                _STDIN_NAME, InputError.reason, f"cannot read standard input: {self._spool_error}"
            )
            return
        with spool.open("rb") as stream:
            yield from read_stream(stream, _STDIN_NAME, self.options)

    def _spooled(self) -> Path | None:
        if self._spool is not None or self._spool_error is not None:
            return self._spool
        stdin = self._stdin if self._stdin is not None else getattr(sys.stdin, "buffer", None)
        if stdin is None:  # a process started without standard input
            self._spool_error = "there is no standard input"
            return None
        fd, name = tempfile.mkstemp(prefix="cleanfeed-stdin-", suffix=".jsonl")
        spool = Path(name)
        self._cleanup = weakref.finalize(self, _remove, spool)
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(stdin, out, 1 << 20)
        except OSError as err:
            self._cleanup()
            self._spool_error = str(err)
            return None
        self._spool = spool
        return spool

    def close(self) -> None:
        """Remove the copy of standard input; iterating afterwards raises ValueError."""
        self._closed = True
        if self._cleanup is not None:
            self._cleanup()

    def __enter__(self) -> Inputs:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _remove(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)
