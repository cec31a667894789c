"""The records that flow through the pipeline.

``RawDoc`` (a page as read) → ``CleanDoc`` (its body and metadata, with the ``Removal`` records
that explain what left). All are frozen, small and serializable to JSON with ``to_dict``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from operator import attrgetter
from typing import Any, Literal, TypeVar

_T = TypeVar("_T")


def pickled_by_fields(cls: type[_T]) -> type[_T]:
    """Pickle a frozen slotted dataclass as its class and field values.

    What ``dataclass(slots=True)`` pickles with otherwise (``__getstate__``/``__setstate__``
    looping over ``fields()`` in Python) costs 4-7 times more, and every page crosses a
    process boundary and a spool several times: ~0.4 ms a page of the main process's time.
    """
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    if not all(f.init for f in fields(cls)):  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__}: every field must be an __init__ argument")
    values = attrgetter(*names)
    if len(names) == 1:
        def reduce(self: Any) -> tuple[Any, ...]:
            return (cls, (values(self),))
    else:
        def reduce(self: Any) -> tuple[Any, ...]:
            return (cls, values(self))
    cls.__reduce__ = reduce  # type: ignore[method-assign]  # set on the class on purpose (pickling by fields)
    return cls

#: what a page's content is: markup, or an already-rendered plain-text dump
ContentKind = Literal["html", "text"]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class RawDoc:
    """One input page, as read from a dump.

    ``content`` is bytes when the reader could not know the charset (decode stage handles it),
    str when the container already gave text (JSONL, WET). ``kind`` is None when the reader
    does not know whether it holds HTML or a text dump; the decode stage then sniffs it.
    ``charset`` is the charset the container declared (an HTTP ``Content-Type`` in a WARC
    record), which the decode stage trusts after a byte-order mark.
    """

    id: str
    content: bytes | str
    kind: ContentKind | None = None
    url: str | None = None
    source: str | None = None  # where it came from: a path, "file.warc.gz@offset", "stdin:12"
    charset: str | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ReadFailure:
    """An input record that could not be read as a page at all.

    A truncated gzip, a corrupt WARC record, a JSONL line that is not JSON, a file over the
    size budget: readers yield one of these in the record's place, so the runner records it as
    ``dropped`` with its reason and the batch goes on. ``reason`` is the short category of the
    error (``CleanfeedError.reason``: "corrupt container", "over budget", ...), ``detail`` its
    message.
    """

    id: str
    reason: str
    detail: str
    url: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Removal:
    """One span that extraction removed, and the rule that removed it."""

    rule: str  # rule id, e.g. "seo.quick-summary"
    category: str  # e.g. "seo", "navigation", "newsletter", "related", "share", "template"
    text: str  # the removed text (a preview: at most ~200 characters)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: the longest a metadata field (title, author, site, language) of a CleanDoc may be
MAX_FIELD_CHARS = 1000


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class CleanDoc:
    """The article body and metadata of one page.

    ``provenance`` maps a metadata field name to where its value came from, e.g.
    ``{"title": "json-ld", "wire": "dateline", "author": "byline"}``; for an HTML page,
    ``"reader"`` says what read its body (``extract.reader``: ``"fast"``, ``"trafilatura-region"``...).
    """

    id: str
    paragraphs: tuple[str, ...]
    url: str | None = None
    site: str | None = None
    title: str | None = None
    author: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD, or a full timestamp when known)
    wire: str | None = None  # wire agency: "Reuters", "AP", "AFP", ...
    language: str | None = None
    kind: ContentKind = "html"
    provenance: dict[str, str] = field(default_factory=dict)
    removals: tuple[Removal, ...] = ()

    def __post_init__(self) -> None:
        # A page's <title> or byline can be a megabyte of junk; no real one is this long.
        for name in ("site", "title", "author", "language"):
            value = getattr(self, name)
            if value is not None and len(value) > MAX_FIELD_CHARS:
                object.__setattr__(self, name, value[:MAX_FIELD_CHARS].rstrip())

    @property
    def text(self) -> str:
        """The body, paragraphs separated by a blank line."""
        return "\n\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "site": self.site,
            "title": self.title,
            "author": self.author,
            "date": self.date,
            "wire": self.wire,
            "language": self.language,
            "kind": self.kind,
            "text": self.text,
            "provenance": dict(self.provenance),
            "removals": [r.to_dict() for r in self.removals],
        }


@dataclass(frozen=True, slots=True)
class Similarity:
    """How alike two bodies are, and which rule made them copies.

    ``containment`` is the overlap over the *smaller* shingle set, so it is symmetric.
    """

    jaccard: float
    containment: float
    basis: Literal["exact", "jaccard", "containment"]

    def to_dict(self) -> dict[str, Any]:
        return {"jaccard": self.jaccard, "containment": self.containment, "basis": self.basis}


@dataclass(frozen=True, slots=True)
class Decision:
    """What became of one document: kept (a canonical copy) or a duplicate of a kept one;
    "pending" while it is linked into its component but not decided (``Deduplicator.resolve``)."""

    doc_id: str
    status: Literal["kept", "duplicate", "pending"]
    canonical_id: str  # the kept document of its cluster (itself when kept; pending: its component)
    similarity: Similarity | None  # to the canonical; None when kept
    reason: str
    replaces: str | None = None  # kept: the page an earlier run published that it supersedes

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "status": self.status,
            "canonical_id": self.canonical_id,
            "similarity": self.similarity.to_dict() if self.similarity else None,
            "reason": self.reason,
            "replaces": self.replaces,
        }
