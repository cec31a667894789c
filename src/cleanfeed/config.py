"""Explicit, validated, frozen configuration.

Every stage takes its configuration as an argument; nothing is read from the environment or at
import time. ``fingerprint()`` is what a persisted index stores and checks, so a store built
with one configuration refuses another.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field

from .models import pickled_by_fields

#: the default size budget of one page, in bytes: of ``ExtractConfig.max_bytes`` and of the
#: readers' ``ReadOptions.max_bytes`` (which the CLI and the Spark engine set from the former)
MAX_PAGE_BYTES = 20 * 1024 * 1024


def _fingerprint(obj: object) -> str:
    payload = json.dumps(asdict(obj), sort_keys=True, separators=(",", ":"))  # type: ignore[call-overload]
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ExtractConfig:
    """How one page is read and cleaned.

    max_bytes: pages larger than this are refused with ``BudgetExceeded`` before parsing.
    timeout_seconds: wall-clock budget for extracting one page (enforced by the runner's
        worker processes; ``None`` disables it).
    """

    max_bytes: int = MAX_PAGE_BYTES
    timeout_seconds: float | None = 30.0

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {self.max_bytes}")
        if self.timeout_seconds is not None and self.timeout_seconds <= 0:
            raise ValueError(
                f"timeout_seconds must be positive or None (no limit), got {self.timeout_seconds}"
            )

    def fingerprint(self) -> str:
        return _fingerprint(self)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class DedupConfig:
    """How near-duplicate (syndicated) copies are found and collapsed.

    The thresholds work together; why each value:

    shingle_size: word 5-grams. One copyedited word changes at most 5 shingles, while two
        different stories on one event rarely share 5 words in a row outside quotes.
    num_perm, bands: 128 MinHash values in 64 bands of 2 rows. The LSH curve 1-(1-J^2)^64 puts
        the candidate threshold near J≈0.12, far *below* the decision threshold: a copy trimmed
        to 40% has J≈0.35 and is a candidate with probability > 0.999. LSH only proposes pairs;
        every decision is an exact check on the shingle sets, so a low LSH threshold costs
        verification time, never precision.
    seed: MinHash permutation seed (datasketch's default 1, so signatures are comparable).
    jaccard_threshold: two bodies of similar length with J ≥ 0.6 are one text (reported as
        basis "jaccard"; it implies containment ≥ 0.75).
    containment_threshold: ≥ 70% of the smaller body's shingles inside the larger one. One
        edited word breaks 5 shingles, so a copy with 2-5% of its words copyedited keeps
        ~0.77-0.90 of its shingles, a rewrite changing 15% keeps ~0.44, two stories on one
        event (or quoting one statement) share < 0.1. A trimmed copy (last paragraphs cut)
        or an update (paragraphs added) keeps ~1.0 of the smaller body.
    min_size_ratio: the smaller body must have ≥ 20% of the larger one's shingles. The issue
        keeps ≥ 40% of a story; cut by paragraphs that is ≥ 25% of the shingles in 95% of real
        articles (short lead paragraphs), so 0.2 keeps trimmed copies while a one-paragraph
        text that merely quotes a long story is not absorbed by it.
    min_shingles, short_shingles, short_containment: bodies under 40 shingles (~45 words)
        only match exact copies, and under 100 shingles they need 90% containment. Briefs from
        one site share template sentences that make up much of their few shingles; for them
        a moderate overlap means "same site", not "same story".
    same_site_containment: two pages of one site share its template (navigation, taglines,
        chrome an extractor left in), so between them a moderate overlap means "same site", not
        "same story": they are copies only with ≥ 95% of the smaller text inside the other (a
        page under two URLs, a correction, an update with paragraphs added all qualify).
    roundup_overlap: anti-chaining; two copies that the canonical contains but that share
        less than 25% of the smaller one are different stories, and the canonical a roundup
        of them (copies of one story, even each with 5% copyedits, share ~60% or more).
    common_line_stories: a line (paragraph) of a page is its site's *common text* (menus,
        other stories' headlines, footers an extractor left in) once pages of at least 3
        distinct stories of that site carry it (a story is a URL: a page fetched twice or
        updated in place counts once, so an update's shared paragraphs stay story). Common
        text is taken out of both pages before they are compared, so evidence of a copy comes
        from story text; a brief left with under ``min_shingles`` of its own only matches an
        exact copy.
    complete_ratio: canonical policy; a copy with ≥ 75% of the shingles of the largest copy it
        matches counts as complete, so the wire's own copy is preferred unless a quarter of it
        is missing (two added paragraphs in an update or leftover chrome in a republished
        copy stay well within; see ``cleanfeed.dedup.canonical``).
    """

    shingle_size: int = 5
    num_perm: int = 128
    bands: int = 64
    seed: int = 1
    jaccard_threshold: float = 0.6
    containment_threshold: float = 0.7
    min_size_ratio: float = 0.2
    min_shingles: int = 40
    short_shingles: int = 100
    short_containment: float = 0.9
    same_site_containment: float = 0.95
    roundup_overlap: float = 0.25
    complete_ratio: float = 0.75
    common_line_stories: int = 3

    def __post_init__(self) -> None:
        if self.shingle_size < 1:
            raise ValueError(f"shingle_size must be at least 1, got {self.shingle_size}")
        if self.num_perm < 2 or self.bands < 1 or self.num_perm % self.bands:
            raise ValueError(
                f"num_perm ({self.num_perm}) must be a multiple of bands ({self.bands}), both positive"
            )
        for name in (
            "jaccard_threshold",
            "containment_threshold",
            "min_size_ratio",
            "short_containment",
            "same_site_containment",
            "roundup_overlap",
            "complete_ratio",
        ):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        if self.common_line_stories < 2:
            raise ValueError(
                f"common_line_stories must be at least 2 (a line on one story is that story's "
                f"text), got {self.common_line_stories}"
            )
        if not 1 <= self.min_shingles <= self.short_shingles:
            raise ValueError(
                f"need 1 <= min_shingles ({self.min_shingles}) <= short_shingles ({self.short_shingles})"
            )

    @property
    def rows(self) -> int:
        """MinHash values per LSH band."""
        return self.num_perm // self.bands

    def fingerprint(self) -> str:
        return _fingerprint(self)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Config:
    """The whole pipeline's configuration: one frozen object, one fingerprint."""

    extract: ExtractConfig = field(default_factory=ExtractConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)

    def fingerprint(self) -> str:
        return _fingerprint(self)


def default_jobs() -> int:
    """The number of CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
