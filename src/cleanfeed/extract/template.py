"""Learning each site's page template from its pages, in bounded memory.

Pages of one site share a template: the same menu, disclaimer, newsletter prompt and footer
lines, in the same order, on every page. When several pages of a site are seen, the lines that
recur across them *with the same neighbour* are chrome, whatever they say. Requiring the
neighbour is what keeps real text in: a story's headline that other pages list under "Related
Posts" recurs, but between other headlines, not in its own page's context, so it is not template.

Usage: the runner (``cleanfeed.pipeline``) makes two passes over its input. The first computes
each text dump's ``page_features`` (in worker processes) and adds them up in one learner; the
second cleans every page with the learner's frozen snapshot::

    learner = SiteTemplates()
    for page in pages:
        learner.add(page_features(page.text, page.url))   # or learner.observe(text, url)
    snapshot = learner.snapshot()           # frozen, picklable: ship it to worker processes
    docs = [clean_text_dump(p.text, url=p.url, templates=snapshot) for p in pages]

Cleaning reads only the snapshot, so a page's result does not depend on the order pages are
cleaned in, and every page of a site benefits from all its pages: the more pages of a site
cleanfeed sees, the cleaner each gets. Within the bounds below the snapshot does not depend on
the order pages were added either (up to which copy of a page is counted), and
``SiteTemplates.learn_site`` learns one site alone the same way, which is how an engine that
groups pages by site (Spark) gets the same templates.

Which site a page belongs to: its host name (``www.`` dropped) when there is a URL; without
one, a page is filed under its header (first lines) and its footer (last lines), so pages that
share either are pooled.

Memory bound: at most ``max_sites`` sites are kept (least recently observed evicted first) and
each keeps at most ``max_entries`` hashed counters (64-bit line and line-pair hashes; when full,
the least-counted entries are pruned, which only forgets rare lines — template lines are the
frequent ones). The state therefore never holds more than ``max_sites × max_entries`` counters
(default 256 × 4096 ≈ 1M), however many pages stream through; ``SiteTemplates.size()`` reports
the current number.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np
import xxhash

from ..models import pickled_by_fields
from .lines import DumpLine, split_lines, word_count

__all__ = ["PageFeatures", "SiteTemplate", "SiteTemplates", "TemplateSnapshot", "page_features", "site_keys"]

# How many lines at the top and bottom of a page identify its site when there is no URL.
_EDGE_LINES = 4
_SPACE = re.compile(r"\s+")


def _line_key(line: DumpLine) -> int:
    # Digits are kept: masking them would merge a templated report's body lines that differ
    # only in their figures ("rose 3%" / "rose 5%"); a missed "© 2010-2026" costs nothing,
    # the body detection leaves such lines out anyway.
    text = _SPACE.sub(" ", line.content.lower()).strip()
    return xxhash.xxh64_intdigest(text.encode("utf-8"))


def _pair_key(first: int, second: int) -> int:
    return xxhash.xxh64_intdigest(first.to_bytes(8, "little") + second.to_bytes(8, "little"))


def site_keys(lines: Sequence[DumpLine], url: str | None) -> tuple[str, ...]:
    """The keys a page is filed under: its host, or its header and footer signatures."""
    if url:
        host = (urlsplit(url).hostname or "").lower()
        if host.startswith("www."):
            host = host[4:]
        if host:
            return (f"host:{host}",)
    if len(lines) < 2 * _EDGE_LINES:
        return ()  # too short to have a template worth learning (and to tell head from foot)
    head = [_line_key(line) for line in lines[:_EDGE_LINES]]
    foot = [_line_key(line) for line in lines[-_EDGE_LINES:]]
    return (
        f"head:{xxhash.xxh64_hexdigest(repr(head).encode())}",
        f"foot:{xxhash.xxh64_hexdigest(repr(foot).encode())}",
    )


def _signature(lines: Sequence[DumpLine]) -> int:
    """A fingerprint of a page's own text: its longest lines (to skip copies of one page)."""
    longest = sorted(lines, key=lambda line: (-word_count(line.content), line.index))[:3]
    return xxhash.xxh64_intdigest("\n".join(line.content for line in longest).encode("utf-8"))


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageFeatures:
    """What the learner counts of one page, computed on its own (``page_features``).

    ``site_keys``: the keys the page is filed under (``site_keys``); ``lines``: its distinct
    line hashes; ``pairs``: the hashes of its adjacent line pairs; ``signature``: a hash of its
    longest lines, so copies of one page are counted once. Small and picklable: worker
    processes (or Spark executors) compute it, one learner adds it up.
    """

    site_keys: tuple[str, ...]
    lines: tuple[int, ...]
    pairs: tuple[int, ...]
    signature: int


def page_features(text: str, url: str | None = None) -> PageFeatures:
    """The features of one text dump that ``SiteTemplates.add`` counts (pure)."""
    lines = split_lines(text)
    keys = site_keys(lines, url)
    if not keys:
        return PageFeatures((), (), (), 0)
    line_keys = [_line_key(line) for line in lines]
    pairs = {_pair_key(a, b) for a, b in zip(line_keys, line_keys[1:])}
    return PageFeatures(keys, tuple(sorted(set(line_keys))), tuple(sorted(pairs)), _signature(lines))


@dataclass(slots=True)
class _SiteCounts:
    """Hashed page-frequency counters of one site, capped at ``capacity`` entries."""

    capacity: int
    pages: int = 0
    lines: dict[int, int] = field(default_factory=dict)
    pairs: dict[int, int] = field(default_factory=dict)
    signatures: dict[int, None] = field(default_factory=dict)  # ordered set, capped

    def add(self, page: PageFeatures) -> None:
        """Count one page (once: a copy of a page already counted is skipped)."""
        # Two copies of one page would make its story look like template.
        if page.signature in self.signatures:
            return
        self.signatures[page.signature] = None
        if len(self.signatures) > self.capacity // 8:
            self.signatures.pop(next(iter(self.signatures)))
        self._count(page.lines, page.pairs)

    def _count(self, line_keys: Iterable[int], pair_keys: Iterable[int]) -> None:
        self.pages += 1
        for key in line_keys:
            self.lines[key] = self.lines.get(key, 0) + 1
        for key in pair_keys:
            self.pairs[key] = self.pairs.get(key, 0) + 1
        half = self.capacity // 2
        _prune(self.lines, half)
        _prune(self.pairs, self.capacity - half)

    def size(self) -> int:
        return len(self.lines) + len(self.pairs) + len(self.signatures)

    def template(self, min_pages: int, min_share: float) -> SiteTemplate | None:
        """The lines and pairs on enough of this site's pages, or None (too few pages)."""
        if self.pages < min_pages:
            return None
        need = max(min_pages, math.ceil(min_share * self.pages))
        lines = frozenset(k for k, n in self.lines.items() if n >= need)
        if not lines:
            return None
        pairs = frozenset(k for k, n in self.pairs.items() if n >= need)
        return SiteTemplate(pages=self.pages, lines=lines, pairs=pairs)


def _prune(counts: dict[int, int], capacity: int) -> None:
    """Drop the least-counted entries until ``counts`` holds at most ``capacity``.

    Lossy counting: a line that is forgotten and comes back starts from zero again, so rare
    lines may be undercounted, never overcounted — the error only ever keeps text in.
    """
    if len(counts) <= capacity:
        return
    keep = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: capacity * 3 // 4]
    counts.clear()
    counts.update(keep)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class SiteTemplate:
    """The template of one site: hashes of the lines (and adjacent line pairs) that recur on
    enough of its pages, and how many pages it was learned from."""

    pages: int
    lines: frozenset[int]
    pairs: frozenset[int]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class TemplateSnapshot:
    """What ``SiteTemplates`` has learned, frozen: the template lines of each site.

    Cheap to pickle (only the recurring lines' hashes are kept) and safe to share between
    threads and processes. ``clean_text_dump(..., templates=snapshot)`` uses it.
    """

    sites: dict[str, SiteTemplate] = field(default_factory=dict)

    def template_lines(self, lines: Sequence[DumpLine], url: str | None = None) -> frozenset[int]:
        """Indexes of the lines of a page that are its site's template."""
        known = [self.sites[key] for key in site_keys(lines, url) if key in self.sites]
        if not known:
            return frozenset()
        keys = [_line_key(line) for line in lines]
        out = set()
        for i, key in enumerate(keys):
            for site in known:
                if key not in site.lines:
                    continue
                before = i > 0 and _pair_key(keys[i - 1], key) in site.pairs
                after = i + 1 < len(keys) and _pair_key(key, keys[i + 1]) in site.pairs
                if before or after:
                    out.add(i)
                    break
        return frozenset(out)

    def __len__(self) -> int:
        return len(self.sites)


class SiteTemplates:
    """Streaming learner of per-site templates (bounded memory; see the module docstring).

    ``min_pages``: a line is template once it recurs on at least this many distinct pages of
    a site, and ``min_share``: on at least this share of the site's pages seen so far.

    >>> learner = SiteTemplates()
    >>> page = "Menu\\nHome | World | Sport\\n\\nStory {n} text. It is long enough to be prose.\\n\\nFooter\\nContact us"
    >>> for n in range(3):
    ...     learner.observe(page.format(n=n), url=f"https://example.com/{n}")
    >>> len(learner.snapshot())
    1
    """

    def __init__(
        self,
        max_sites: int = 256,
        max_entries: int = 4096,
        min_pages: int = 2,
        min_share: float = 0.5,
    ) -> None:
        if max_sites < 1:
            raise ValueError(f"max_sites must be at least 1, got {max_sites}")
        if max_entries < 16:
            raise ValueError(f"max_entries must be at least 16, got {max_entries}")
        if min_pages < 2:
            raise ValueError(f"min_pages must be at least 2 (a template recurs), got {min_pages}")
        if not 0.0 < min_share <= 1.0:
            raise ValueError(f"min_share must be in (0, 1], got {min_share}")
        self.max_sites = max_sites
        self.max_entries = max_entries
        self.min_pages = min_pages
        self.min_share = min_share
        self._sites: OrderedDict[str, _SiteCounts] = OrderedDict()

    def observe(self, text: str, url: str | None = None) -> None:
        """Count one page's lines under its site. Copies of an already-seen page are skipped."""
        self.add(page_features(text, url))

    def add(self, page: PageFeatures) -> None:
        """Count one page's features (``page_features``), e.g. computed in a worker process."""
        for key in page.site_keys:
            site = self._sites.get(key)
            if site is None:
                site = _SiteCounts(capacity=self.max_entries)
                self._sites[key] = site
            self._sites.move_to_end(key)
            site.add(page)
        while len(self._sites) > self.max_sites:
            self._sites.popitem(last=False)

    def snapshot(self) -> TemplateSnapshot:
        """The templates learned so far, frozen (only sites seen on enough pages)."""
        sites = {}
        for key, site in self._sites.items():
            template = site.template(self.min_pages, self.min_share)
            if template is not None:
                sites[key] = template
        return TemplateSnapshot(sites=dict(sorted(sites.items())))

    def learn_site(self, key: str, pages: Iterable[PageFeatures]) -> SiteTemplate | None:
        """The template of one site learned from its pages alone, in the order given, with
        this learner's bounds and thresholds (its own state is untouched).

        What ``add`` then ``snapshot`` give for ``key`` when no site is evicted: an engine that
        groups pages by site key (Spark) learns each site with this and gets the same template.
        """
        site = _SiteCounts(capacity=self.max_entries)
        for page in pages:
            if key in page.site_keys:
                site.add(page)
        return site.template(self.min_pages, self.min_share)

    def to_bytes(self) -> bytes:
        """The learner's whole state (settings, sites in recency order, counters), for an
        on-disk index to carry it across runs. NumPy arrays in an ``.npz``, no pickle."""
        arrays: dict[str, np.ndarray] = {}
        meta = {"version": 1, "max_sites": self.max_sites, "max_entries": self.max_entries,
                "min_pages": self.min_pages, "min_share": self.min_share, "sites": []}
        for n, (key, site) in enumerate(self._sites.items()):
            meta["sites"].append([key, site.pages])  # type: ignore[attr-defined]
            for name, counts in (("lines", site.lines), ("pairs", site.pairs)):
                arrays[f"{n}.{name}.keys"] = np.fromiter(counts, dtype=np.uint64, count=len(counts))
                arrays[f"{n}.{name}.counts"] = np.fromiter(counts.values(), dtype=np.uint32,
                                                          count=len(counts))
            arrays[f"{n}.signatures"] = np.fromiter(site.signatures, dtype=np.uint64,
                                                    count=len(site.signatures))
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        out = io.BytesIO()
        np.savez_compressed(out, **arrays)
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SiteTemplates:
        """A learner in the state ``to_bytes`` saved (raises ``ValueError`` if it is not one)."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                meta = json.loads(z["meta"].tobytes().decode("utf-8"))
                if meta.get("version") != 1:
                    raise ValueError(f"template state version {meta.get('version')!r}, expected 1")
                learner = cls(meta["max_sites"], meta["max_entries"], meta["min_pages"],
                              meta["min_share"])
                for n, (key, pages) in enumerate(meta["sites"]):
                    site = _SiteCounts(capacity=learner.max_entries, pages=int(pages))
                    for name in ("lines", "pairs"):
                        keys, counts = z[f"{n}.{name}.keys"], z[f"{n}.{name}.counts"]
                        getattr(site, name).update(zip(keys.tolist(), counts.tolist()))
                    site.signatures.update(dict.fromkeys(z[f"{n}.signatures"].tolist()))
                    learner._sites[key] = site
        except (OSError, KeyError, TypeError, ValueError, zipfile.BadZipFile) as err:
            raise ValueError(f"not a saved SiteTemplates state: {err}") from err
        return learner

    def size(self) -> int:
        """Counters held now, over all sites (never more than ``max_sites × max_entries`` plus
        the per-site copy signatures, capped at ``max_entries // 8``)."""
        return sum(site.size() for site in self._sites.values())

    def __len__(self) -> int:
        return len(self._sites)
