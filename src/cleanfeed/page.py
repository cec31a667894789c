"""The page contract both engines share: what is done to one page, and what a run says of it.

The local engine (``cleanfeed.local``) and the Spark engine (``cleanfeed.spark``) schedule the
same work and emit the same rows; everything they must agree on is written once, here:

- the per-page work: ``first_pass`` (decode, tell HTML from a text dump; extract and
  fingerprint an HTML page, or give a text dump's template features) and ``second_pass`` (clean
  a text dump with its site's template), pure functions of the page and a ``PageTask`` that
  never raise: an unexpected error is that page's failure, not the run's;
- the records: ``PageResult`` (what extraction made of a page), ``Outcome`` (kept, a duplicate
  of which page, or dropped and why) and ``Copy``, with the rows every output is built from
  (``PageResult.to_dict``, ``Outcome.manifest_row``/``clean_row``/``explain_row``);
- the drop reasons of pages refused before any work (``refused``: unreadable, duplicate id).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .config import Config
from .dedup.fingerprint import Fingerprint, fingerprint
from .errors import CleanfeedError
from .extract import extract, extract_decoded, page_text
from .extract.template import (
    PageFeatures,
    TemplateSnapshot,
    apply_templates,
    page_features,
    paragraph_features,
)
from .io.decode import sniff_kind
from .models import CleanDoc, Decision, RawDoc, ReadFailure, Similarity, pickled_by_fields

__all__ = [
    "Copy",
    "Extracted",
    "Outcome",
    "OutcomeStatus",
    "PageResult",
    "PageStatus",
    "PageTask",
    "Pending",
    "Progress",
    "ProgressCallback",
    "failed",
    "first_pass",
    "internal_error",
    "refused",
    "second_pass",
    "similarity_score",
]


PageStatus = Literal["ok", "empty", "failed"]


OutcomeStatus = Literal["kept", "duplicate", "dropped"]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageResult:
    """What extraction made of one input page.

    ``status``: "ok" (a body), "empty" (read and parsed, but no article body), "failed"
    (unreadable, over a budget, a parser error...; ``reason`` is the short category and
    ``error`` the message). ``seconds``: worker time spent on the page, by stage.
    """

    id: str
    status: PageStatus
    doc: CleanDoc | None = None
    url: str | None = None
    source: str | None = None
    reason: str | None = None
    error: str | None = None
    seconds: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The ``cleanfeed extract`` record of this page."""
        doc = self.doc
        return {
            "id": self.id,
            "url": self.url,
            "status": self.status,
            "title": doc.title if doc else None,
            "author": doc.author if doc else None,
            "date": doc.date if doc else None,
            "wire": doc.wire if doc else None,
            "site": doc.site if doc else None,
            "text": doc.text if doc else "",
            "error": self.failure if self.status == "failed" else None,
        }

    @property
    def failure(self) -> str:
        """Why a page that is not "ok" has no body, in one line: ``"{reason}: {error}"``
        (the manifest's reason of a dropped page; the Spark engine's too)."""
        return f"{self.reason}: {self.error}"


@dataclass(frozen=True, slots=True)
class Copy:
    """A duplicate a kept page absorbed, and how similar it is to the kept text."""

    id: str
    url: str | None
    similarity: Similarity

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "url": self.url, "similarity": similarity_score(self.similarity)}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one input page: kept, a duplicate of which kept page, or dropped and why.

    ``similarity`` (duplicates): to the kept page, with the rule that matched them;
    ``copies`` (kept pages): the duplicates it absorbed, from this run or earlier runs of the
    same index; ``replaces`` (kept pages): the page an earlier run of the index published for
    this story, which this complete copy supersedes (a downstream table updates in place).
    """

    page: PageResult
    status: OutcomeStatus
    reason: str
    duplicate_of: str | None = None
    similarity: Similarity | None = None
    copies: tuple[Copy, ...] = ()
    replaces: str | None = None

    @property
    def id(self) -> str:
        return self.page.id

    @classmethod
    def of(cls, page: PageResult, decision: Decision | None, copies: tuple[Copy, ...] = ()) -> Outcome:
        """A page's outcome: dropped when it has no body (``decision`` None), else kept (with
        the ``copies`` it absorbed) or a duplicate, as its deduplication ``decision`` says.
        Both engines build their outcomes with it."""
        if page.status != "ok" or decision is None:
            return cls(page, "dropped", page.failure)
        if decision.status == "kept":
            return cls(page, "kept", decision.reason, copies=copies, replaces=decision.replaces)
        return cls(page, "duplicate", decision.reason, duplicate_of=decision.canonical_id,
                   similarity=decision.similarity)

    @property
    def dropped_by(self) -> str | None:
        """Why a dropped page was dropped, as a run counts it: its ``PageResult.reason`` ("over
        budget", "empty body", "duplicate id"...); None for a kept page or a duplicate. Both
        engines count their dropped pages by it."""
        return self.page.reason if self.status == "dropped" else None

    def manifest_row(self) -> dict[str, Any]:
        """The manifest line: every input page has exactly one."""
        return {
            "id": self.page.id,
            "url": self.page.url,
            "status": self.status,
            "duplicate_of": self.duplicate_of,
            "similarity": similarity_score(self.similarity) if self.similarity else None,
            "reason": self.reason,
            "replaces": self.replaces,
        }

    def clean_row(self) -> dict[str, Any] | None:
        """The clean-feed record of a kept page (None for the others)."""
        doc = self.page.doc
        if self.status != "kept" or doc is None:
            return None
        return {
            "id": doc.id,
            "url": doc.url,
            "site": doc.site,
            "title": doc.title,
            "author": doc.author,
            "date": doc.date,
            "wire": doc.wire,
            "text": doc.text,
            "copies": [c.to_dict() for c in self.copies],
            "replaces": self.replaces,
        }

    def explain_row(self) -> dict[str, Any]:
        """Why: the removals (rule, category, text preview) and the match of a duplicate."""
        doc = self.page.doc
        return {
            "id": self.page.id,
            "status": self.status,
            "reason": self.reason,
            "duplicate_of": self.duplicate_of,
            # the one similarity number of every output; how it was reached under "match"
            "similarity": similarity_score(self.similarity) if self.similarity else None,
            "match": self.similarity.to_dict() if self.similarity else None,
            "provenance": dict(doc.provenance) if doc else {},
            "removals": [r.to_dict() for r in doc.removals] if doc else [],
        }


def similarity_score(s: Similarity) -> float:
    """The one number a similarity is reported as: the measure its rule matched on."""
    value = s.jaccard if s.basis == "jaccard" else s.containment
    return round(value, 4)


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot of a run, for progress bars and summaries.

    ``kept``/``duplicates`` are provisional until ``done`` (a later page can supersede an
    earlier kept one). ``seconds``: time per stage so far; ``worker:*`` stages are summed over
    worker processes, the others are the main process's own.
    """

    stage: str
    pages: int = 0  # read from the input
    done: int = 0  # finished (extracted, or failed)
    kept: int = 0
    duplicates: int = 0
    dropped: int = 0
    elapsed: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)
    finished: bool = False

    @property
    def pages_per_second(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0


ProgressCallback = Callable[[Progress], None]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageTask:
    """What a worker needs besides the page: the configuration and what to produce."""

    config: Config = field(default_factory=Config)
    learn_templates: bool = True  # pages give features in pass 1, are finished in pass 2
    fingerprints: bool = True  # compute the dedup fingerprint of each body
    keep_removals: bool = True  # keep the Removal records (for --explain)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Extracted:
    """A page done: its result and (for a body, when asked) its fingerprint."""

    result: PageResult
    fingerprint: Fingerprint | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Pending:
    """Pass 1's answer for a page that waits for its site's template: its template features,
    and for an HTML page its extracted document (a text dump is cleaned from its raw record)."""

    features: PageFeatures
    seconds: float
    doc: CleanDoc | None = None


def failed(raw: RawDoc, err: CleanfeedError, seconds: tuple[tuple[str, float], ...] = ()) -> Extracted:
    return Extracted(PageResult(raw.id, "failed", url=raw.url, source=raw.source, reason=err.reason,
                                error=str(err), seconds=seconds))


def _finish(raw: RawDoc, task: PageTask, templates: TemplateSnapshot | None, started: float) -> Extracted:
    """Extract (and fingerprint) one page whose kind is known or sniffable."""
    try:
        doc = extract(raw, task.config.extract, templates=templates)
    except CleanfeedError as err:
        return failed(raw, err, (("extract", time.perf_counter() - started),))
    return _done(raw, doc, task, started)


def _done(raw: RawDoc, doc: CleanDoc, task: PageTask, started: float) -> Extracted:
    """An extracted page's result, and its fingerprint (when asked and it has a body)."""
    extracted = time.perf_counter()
    if not task.keep_removals:
        doc = replace(doc, removals=())
    if not doc.paragraphs:
        result = PageResult(raw.id, "empty", doc=doc, url=raw.url, source=raw.source,
                            reason="empty body", error="no article text found on the page",
                            seconds=(("extract", extracted - started),))
        return Extracted(result)
    fp = fingerprint(doc, task.config.dedup) if task.fingerprints else None
    seconds = (("extract", extracted - started), ("fingerprint", time.perf_counter() - extracted))
    return Extracted(PageResult(raw.id, "ok", doc=doc, url=raw.url, source=raw.source, seconds=seconds), fp)


def _first_pass(raw: RawDoc, task: PageTask) -> Extracted | Pending:
    started = time.perf_counter()
    if not task.learn_templates:
        return _finish(raw, task, None, started)
    try:
        text = page_text(raw, task.config.extract)
    except CleanfeedError as err:
        return failed(raw, err, (("extract", time.perf_counter() - started),))
    if (raw.kind or sniff_kind(text)) == "text":
        return Pending(page_features(text, raw.url), time.perf_counter() - started)
    raw = replace(raw, content=text, kind="html")
    try:
        doc = extract_decoded(raw, text)
    except CleanfeedError as err:
        return failed(raw, err, (("extract", time.perf_counter() - started),))
    features = paragraph_features(doc.paragraphs, doc.url)
    if not features.site_keys:  # no site to learn from: finished now
        return _done(raw, doc, task, started)
    if not task.keep_removals:
        doc = replace(doc, removals=())
    return Pending(features, time.perf_counter() - started, doc)


def _second_pass(raw: RawDoc, task: PageTask, templates: TemplateSnapshot, doc: CleanDoc | None) -> Extracted:
    started = time.perf_counter()
    if doc is None:
        return _finish(replace(raw, kind="text"), task, templates, started)
    return _done(raw, apply_templates(doc, templates), task, started)


def first_pass(raw: RawDoc, task: PageTask) -> Extracted | Pending:
    """Pass 1 of one page: when templates are learned, a page with a site gives its template
    features (an HTML page is extracted first) and waits for pass 2; otherwise it is done
    now. Never raises: an unexpected error in a stage is that page's failure ("internal
    error"), not the run's. The Spark engine calls this too."""
    try:
        return _first_pass(raw, task)
    except Exception as err:  # an unexpected error in a stage: this page only
        return internal_error(raw, err)


def second_pass(raw: RawDoc, task: PageTask, templates: TemplateSnapshot,
                doc: CleanDoc | None = None) -> Extracted:
    """Pass 2 of a page ``first_pass`` left pending, with its own site's templates: a text dump
    (``raw``) is cleaned; an HTML page's extracted ``doc`` loses its template paragraphs (``raw``
    then only names the page). Never raises."""
    try:
        return _second_pass(raw, task, templates, doc)
    except Exception as err:
        return internal_error(raw, err)


def internal_error(raw: RawDoc, err: Exception) -> Extracted:
    return Extracted(PageResult(raw.id, "failed", url=raw.url, source=raw.source,
                                reason="internal error", error=f"{type(err).__name__}: {err}"))


def refused(item: RawDoc | ReadFailure) -> PageResult:
    """The result of a page refused before any work: unreadable (a ``ReadFailure``), or a
    page whose id an earlier input page has. The Spark engine words its refusals with it."""
    if isinstance(item, ReadFailure):
        return PageResult(item.id, "failed", url=item.url, source=item.source, reason=item.reason,
                          error=item.detail)
    return PageResult(item.id, "failed", url=item.url, source=item.source,
                      reason="duplicate id", error="another input page has the same id")
