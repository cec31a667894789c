"""Learning each site's page template from its pages, in bounded memory.

Pages of one site share a template: the same menu, disclaimer, newsletter prompt and footer
lines, in the same order, on every page. When several *stories* of a site are seen, the lines
that recur across them *with the same neighbour* (or at the same edge of the page) are chrome,
whatever they say. Requiring the neighbour is what keeps real text in: a story's headline that
other pages list under "Related Posts" recurs, but between other headlines, not in its own
page's context, so it is not template.

Stories, not pages, are counted. A crawl fetches a page twice, a site republishes a story with
an added paragraph: every line such versions share recurs, yet it is the story, not chrome. So
each page carries a story signature (its longest prose lines, ``_story_keys``): each line's
hash, and a sketch of the line that a copy desk's edit (a word changed here and there) mostly
leaves alone but a different figure changes; a page whose signature lines of a story already
counted (the same line, or an edited one) outweigh (in words) all its lines the site never
showed is a version of that story and adds nothing (``_SiteCounts._story_of``), and a line is
template only when it recurs across *different* stories.
A prose line that turns up in two different stories (a disclaimer that reads like prose) is
marked as shared and stops counting as evidence of a story's identity. The cleaners add a last
guard of their own: a page the template would leave empty is cleaned without it.

One learner serves both kinds of page: a text dump's lines (``page_features``) and an HTML
page's extracted paragraphs (``paragraph_features``, applied with ``apply_templates``).

Usage: the runner (``cleanfeed.local``) makes two passes over its input. The first computes
each page's features (in worker processes) and adds them up in one learner; the
second cleans every page with the learner's frozen snapshot::

    learner = SiteTemplates()
    for page in pages:
        learner.add(page_features(page.text, page.url))   # or learner.observe(text, url)
    snapshot = learner.snapshot()           # frozen, picklable: ship it to worker processes
    docs = [clean_text_dump(p.text, url=p.url, templates=snapshot) for p in pages]

and for HTML, ``learner.add(paragraph_features(doc.paragraphs, doc.url))`` over extracted
documents, then ``apply_templates(doc, snapshot)``.

Cleaning reads only the snapshot, so a page's result does not depend on the order pages are
cleaned in, and every page of a site benefits from all its pages: the more pages of a site
cleanfeed sees, the cleaner each gets. Within the bounds below the snapshot does not depend on
the order pages were added either (up to which version of a story is counted, and, for a
version near the threshold, whether it is one), and
``SiteTemplates.learn_site`` learns one site alone the same way, which is how an engine that
groups pages by site (Spark) gets the same templates.

Which site a page belongs to: its host name (``www.`` dropped) when there is a URL; without
one, a text dump is filed under its header (first lines) and its footer (last lines), so pages
that share either are pooled (an HTML page without a URL has no site to learn). HTML pages are
filed apart from the same host's text dumps (``html:`` keys).

Memory bound: each site keeps at most ``max_entries`` hashed entries: 3/8 line counters, 3/8
line-pair counters (when full, the least-counted are pruned, which only forgets rare lines —
template lines are the frequent ones) and 1/4 story keys (oldest forgotten first). All sites
together hold at most ``max_total`` entries (default 2^20 ≈ 1M) and there are at most
``max_sites`` of them (default 4096): past either bound the least recently observed sites are
evicted first, however many pages stream through; ``SiteTemplates.size()`` reports the current
number of entries. The budget is on entries, not sites, because most sites of a crawl are small
(a few pages, a few hundred entries): capping the number of sites alone at what a budget of
large sites allows would forget the templates of a crawl's many small sites while it still
has room for them (on a crawl of 500 sites with their pages interleaved, a cap of 256 sites
evicted 413 of them before their second page came).
"""

from __future__ import annotations

import io
import itertools
import json
import math
import re
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import numpy as np
import xxhash

from ..lines import DumpLine, ends_sentence, line_memo, split_lines, word_count, words
from ..models import CleanDoc, Removal, pickled_by_fields
from .rules import RULES_BY_ID

__all__ = [
    "PageFeatures", "SiteTemplate", "SiteTemplates", "TemplateSnapshot", "apply_templates",
    "page_features", "paragraph_features", "site_keys",
]

TEMPLATE_RULE = "template.recurring-line"
# How many lines at the top and bottom of a page identify its site when there is no URL.
_EDGE_LINES = 4
# A page's story signature: its longest prose lines (at least this many words, ending a
# sentence), at most this many of them.
_STORY_WORDS = 10
_STORY_KEYS = 8
# A signature line's sketch: this many min-hashes of its word shingles (of _SHINGLE words), each
# keyed with the line's figures; an edited copy of the line shares at least _SKETCH_MATCH.
_SKETCHES = 4
_SKETCH_MATCH = 2
_SHINGLE = 5
_GROUP = 1 + _SKETCHES  # a signature line's keys: its hash, then its sketches
_DIGITS = re.compile(r"\d+")
# The virtual neighbours of a page's first and last line: a line that opens or closes every
# page of a site is in the same place on each, as a line between two fixed neighbours is.
_START, _END = 0x5354415254, 0x454E44
# A story key seen in two different stories is not evidence of either (in the story map).
_SHARED = 0
# Entries all sites together may hold (``SiteTemplates.max_total``), about 1M.
_TOTAL_ENTRIES = 1 << 20


def _line_key(line: DumpLine) -> int:
    # Digits are kept: masking them would merge a templated report's body lines that differ
    # only in their figures ("rose 3%" / "rose 5%"); a missed "© 2010-2026" costs nothing,
    # the body detection leaves such lines out anyway.
    text = " ".join(line.content.lower().split())  # whitespace runs as one space
    return xxhash.xxh64_intdigest(text.encode("utf-8"))


def _pair_key(first: int, second: int) -> int:
    return xxhash.xxh64_intdigest(first.to_bytes(8, "little") + second.to_bytes(8, "little"))


def _host_key(url: str | None, kind: str = "host") -> tuple[str, ...]:
    if url:
        host = (urlsplit(url).hostname or "").lower()
        if host.startswith("www."):
            host = host[4:]
        if host:
            return (f"{kind}:{host}",)
    return ()


def site_keys(lines: Sequence[DumpLine], url: str | None) -> tuple[str, ...]:
    """The keys a page is filed under: its host, or its header and footer signatures."""
    host = _host_key(url)
    if host:
        return host
    if len(lines) < 2 * _EDGE_LINES:
        return ()  # too short to have a template worth learning (and to tell head from foot)
    head = [_line_key(line) for line in lines[:_EDGE_LINES]]
    foot = [_line_key(line) for line in lines[-_EDGE_LINES:]]
    return (
        f"head:{xxhash.xxh64_hexdigest(repr(head).encode())}",
        f"foot:{xxhash.xxh64_hexdigest(repr(foot).encode())}",
    )


@line_memo
def _sketch(text: str) -> tuple[int, ...]:
    """Min-hashes of a line's word shingles, each keyed with the line's figures: a copy-edited
    line shares most of them; a line of another report in the same frame, differing in its
    figures ("rose 3%" / "rose 5%"), shares none. Memoised: a story's lines recur on its copies."""
    tokens = [w.lower() for w in words(text)]
    grams = [" ".join(tokens[i : i + _SHINGLE]).encode("utf-8") for i in range(max(1, len(tokens) - _SHINGLE + 1))]
    figures = " ".join(_DIGITS.findall(text))
    # the seed passed by position alongside each gram: a partial with a keyword costs 3 times more
    return tuple(
        xxhash.xxh64_intdigest(
            f"{seed}:{min(map(xxhash.xxh64_intdigest, grams, itertools.repeat(seed)))}:{figures}".encode()
        )
        for seed in range(1, _SKETCHES + 1)
    )


def _story_keys(lines: Sequence[DumpLine], keys: Sequence[int], counts: Sequence[float]) -> tuple[int, ...]:
    """A page's story signature: for each of its longest prose lines, in the order of their
    hashes, the line's hash then its sketch (``_GROUP`` keys a line); or, on a page with no
    prose, one hash of its longest lines, so that copies of it are still told apart.
    ``keys`` and ``counts`` are the lines' hashes and word counts."""
    prose = [line for line in lines if counts[line.index] >= _STORY_WORDS and ends_sentence(line.content)]
    longest = sorted(prose, key=lambda line: (-counts[line.index], line.index))[:_STORY_KEYS]
    if longest:
        groups = {keys[line.index]: _sketch(line.content) for line in longest}
        return tuple(key for line_key in sorted(groups) for key in (line_key, *groups[line_key]))
    longest = sorted(lines, key=lambda line: (-counts[line.index], line.index))[:3]
    return (xxhash.xxh64_intdigest("\n".join(line.content for line in longest).encode("utf-8")) | 1,)


def _signature_groups(story: Sequence[int]) -> list[Sequence[int]]:
    """A signature's keys by line (``_GROUP`` each); a page without prose has one key."""
    if len(story) % _GROUP:
        return [story]
    return [story[i : i + _GROUP] for i in range(0, len(story), _GROUP)]


def _pairs(keys: Sequence[int]) -> set[int]:
    """Hashes of a page's adjacent line pairs, its first and last line with the page's edges."""
    edged = [_START, *keys, _END]
    return {_pair_key(a, b) for a, b in itertools.pairwise(edged)}


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageFeatures:
    """What the learner counts of one page, computed on its own (``page_features``).

    ``site_keys``: the keys the page is filed under (``site_keys``); ``lines``: its distinct
    line hashes, and ``sizes`` their lengths in words; ``pairs``: the hashes of its adjacent
    line pairs; ``story``: its story signature (hashes of its longest prose lines), so versions
    and copies of one story are counted once. Small and picklable: worker processes (or Spark
    executors) compute it, one learner adds it up.
    """

    site_keys: tuple[str, ...]
    lines: tuple[int, ...]
    pairs: tuple[int, ...]
    story: tuple[int, ...]
    sizes: tuple[int, ...] = ()


def _features(lines: Sequence[DumpLine], keys: tuple[str, ...]) -> PageFeatures:
    if not keys or not lines:
        return PageFeatures((), (), (), ())
    line_keys = [_line_key(line) for line in lines]
    counts = [word_count(line.content) for line in lines]  # each line's words, counted once
    sizes = {key: math.ceil(n) for key, n in zip(line_keys, counts, strict=True)}
    distinct = sorted(sizes)
    return PageFeatures(keys, tuple(distinct), tuple(sorted(_pairs(line_keys))),
                        _story_keys(lines, line_keys, counts), tuple(sizes[k] for k in distinct))


def page_features(text: str, url: str | None = None) -> PageFeatures:
    """The features of one text dump that ``SiteTemplates.add`` counts (pure)."""
    lines = split_lines(text)
    return _features(lines, site_keys(lines, url))


def _paragraph_lines(paragraphs: Sequence[str]) -> list[DumpLine]:
    # each paragraph is a block of its own: no list marker, no indent, blank lines around
    return [DumpLine(i, p.strip(), p.strip(), False, 0, True, True) for i, p in enumerate(paragraphs)]


def paragraph_features(paragraphs: Sequence[str], url: str | None) -> PageFeatures:
    """The features of an HTML page's extracted paragraphs (pure). An HTML page is filed under
    its host only (without a URL its paragraphs, the story, say nothing of its site), apart
    from the site's text dumps: extracted paragraphs and a dump's rendered lines are not the
    same view of a page, so each is learned from its own kind."""
    return _features(_paragraph_lines(paragraphs), _host_key(url, "html"))


@dataclass(slots=True)
class _SiteCounts:
    """Hashed story-frequency counters of one site, capped at ``capacity`` entries in all."""

    capacity: int
    pages: int = 0  # stories counted (a version or copy of a counted story is not)
    lines: dict[int, int] = field(default_factory=dict)
    pairs: dict[int, int] = field(default_factory=dict)
    stories: dict[int, int] = field(default_factory=dict)  # story key -> story id, or _SHARED

    def add(self, page: PageFeatures) -> None:
        """Count one page, unless it is a version or a copy of a story already counted."""
        story = self._story_of(page)
        if story is None:
            # a new story, named by its signature
            story = xxhash.xxh64_intdigest(np.array(page.story, dtype=np.uint64).tobytes()) | 1
            self._count(page.lines, page.pairs)
        for key in page.story:
            known = self.stories.get(key)
            if known is None:
                self.stories[key] = story
            elif known != story:
                self.stories[key] = _SHARED  # in two stories: a site line, not a story's
        while len(self.stories) > self.capacity // 4:
            self.stories.pop(next(iter(self.stories)))

    def _story_of(self, page: PageFeatures) -> int | None:
        """The counted story this page is a version of, or None.

        A page is a version of story S when the words of its signature lines that are S's
        outweigh the words of all its lines the site has never shown: a story and its update,
        or two fetches of one page, share their longest paragraphs, and what is new (an added
        paragraph, a changed "most read" list) is smaller. Two stories of a site share only
        site lines, and the other story's own text is new. (A prose line seen in two stories
        is marked shared and is no evidence of either.) A signature line is S's when it is one
        of S's, or an edited copy of one (``_SKETCH_MATCH`` sketches in common); a page whose
        signature is half edited copies of S's lines is a copy-edited version of S even when
        the edits left few of its lines as they were.
        """
        size = dict(zip(page.lines, page.sizes, strict=True))
        stories = self.stories
        votes: dict[int, int] = {}
        edited: dict[int, int] = {}  # words of signature lines that are a story's, edited
        signature = 0
        claimed: set[int] = set()  # signature lines known as a story's (the same or edited)
        for group in _signature_groups(page.story):
            line = group[0]
            words_ = max(1, size.get(line, 1))
            signature += words_
            story = stories.get(line)
            if story is None:  # not the same line: an edited one, when most sketches agree
                story = _sketch_owner([stories.get(key) for key in group[1:]])
                if story is None:
                    continue
                edited[story] = edited.get(story, 0) + words_
            claimed.add(line)
            if story != _SHARED:
                votes[story] = votes.get(story, 0) + words_
        if not votes:
            return None
        story, weight = min(votes.items(), key=lambda kv: (-kv[1], kv[0]))
        seen = self.lines
        unseen = sum(n for key, n in size.items() if key not in seen and key not in claimed)
        # A site's own prose recurs word for word; an edited copy of a story's longest lines
        # is a copy-edited version, however many of its other lines the edits changed.
        return story if weight >= unseen or 2 * edited.get(story, 0) >= signature else None

    def _count(self, line_keys: Iterable[int], pair_keys: Iterable[int]) -> None:
        self.pages += 1
        _tally(self.lines, line_keys)
        _tally(self.pairs, pair_keys)
        share = self.capacity * 3 // 8
        _prune(self.lines, share)
        _prune(self.pairs, share)

    def size(self) -> int:
        return len(self.lines) + len(self.pairs) + len(self.stories)

    def template(self, min_pages: int, min_share: float) -> SiteTemplate | None:
        """The lines and pairs on enough of this site's stories, or None (too few stories)."""
        if self.pages < min_pages:
            return None
        need = max(min_pages, math.ceil(min_share * self.pages))
        lines = frozenset(k for k, n in self.lines.items() if n >= need)
        if not lines:
            return None
        pairs = frozenset(k for k, n in self.pairs.items() if n >= need)
        return SiteTemplate(pages=self.pages, lines=lines, pairs=pairs)


def _sketch_owner(owners: Sequence[int | None]) -> int | None:
    """The story an edited signature line is a copy of: the one most of its sketches are a
    story's line's (at least ``_SKETCH_MATCH``; ties to the lowest id), or None. ``owners``:
    each sketch's story in the story map, if any."""
    known = [o for o in owners if o is not None and o != _SHARED]
    if len(known) < _SKETCH_MATCH:  # most sketches of a new line: no story at all
        return None
    counts: dict[int, int] = {}
    for story in known:
        counts[story] = counts.get(story, 0) + 1
    story, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return story if n >= _SKETCH_MATCH else None


def _tally(counts: dict[int, int], keys: Iterable[int]) -> None:
    get = counts.get
    for key in keys:
        counts[key] = get(key, 0) + 1


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
        return self._template_lines(lines, site_keys(lines, url))

    def template_paragraphs(self, paragraphs: Sequence[str], url: str | None) -> frozenset[int]:
        """Indexes of an HTML page's extracted paragraphs that are its site's template."""
        return self._template_lines(_paragraph_lines(paragraphs), _host_key(url, "html"))

    def _template_lines(self, lines: Sequence[DumpLine], keys: Sequence[str]) -> frozenset[int]:
        known = [self.sites[key] for key in keys if key in self.sites]
        if not known:
            return frozenset()
        edged = [_START, *(_line_key(line) for line in lines), _END]
        out = set()
        for i in range(1, len(edged) - 1):
            key = edged[i]
            for site in known:
                if key not in site.lines:
                    continue
                if _pair_key(edged[i - 1], key) in site.pairs or _pair_key(key, edged[i + 1]) in site.pairs:
                    out.add(i - 1)
                    break
        return frozenset(out)

    def __len__(self) -> int:
        return len(self.sites)


def apply_templates(doc: CleanDoc, templates: TemplateSnapshot | None) -> CleanDoc:
    """An extracted HTML page without the paragraphs its site's template holds, each recorded
    as a ``Removal`` (``template.recurring-line``). The page is left as it is when its site has
    no template, or when the template would take all of its text (then the template is wrong
    about this page: a page never goes empty for its template alone)."""
    if templates is None or not doc.paragraphs:
        return doc
    drop = templates.template_paragraphs(doc.paragraphs, doc.url)
    if not drop:
        return doc
    kept = tuple(p for i, p in enumerate(doc.paragraphs) if i not in drop)
    if not kept:
        return doc
    rule = RULES_BY_ID.get(TEMPLATE_RULE)
    category = rule.category if rule else "template"
    removals = tuple(Removal(TEMPLATE_RULE, category, _preview(doc.paragraphs[i])) for i in sorted(drop))
    return replace(doc, paragraphs=kept, removals=(*doc.removals, *removals))


def _preview(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SiteTemplates:
    """Streaming learner of per-site templates (bounded memory; see the module docstring).

    ``min_pages``: a line is template once it recurs on at least this many different stories
    of a site, and ``min_share``: on at least this share of the site's stories seen so far.
    ``max_sites``, ``max_entries`` (per site) and ``max_total`` (over all sites) bound the
    memory.

    >>> learner = SiteTemplates()
    >>> page = ("Menu\\nHome | World | Sport\\n\\nStory {n} text. It is long enough to be prose."
    ...         "\\n\\nFooter\\nContact us")
    >>> for n in range(3):
    ...     learner.observe(page.format(n=n), url=f"https://example.com/{n}")
    >>> len(learner.snapshot())
    1
    """

    def __init__(
        self,
        max_sites: int = 4096,
        max_entries: int = 4096,
        min_pages: int = 2,
        min_share: float = 0.5,
        max_total: int = _TOTAL_ENTRIES,
    ) -> None:
        if max_sites < 1:
            raise ValueError(f"max_sites must be at least 1, got {max_sites}")
        if max_entries < 16:
            raise ValueError(f"max_entries must be at least 16, got {max_entries}")
        if max_total < max_entries:
            raise ValueError(f"max_total must be at least max_entries ({max_entries}), got {max_total}")
        if min_pages < 2:
            raise ValueError(f"min_pages must be at least 2 (a template recurs), got {min_pages}")
        if not 0.0 < min_share <= 1.0:
            raise ValueError(f"min_share must be in (0, 1], got {min_share}")
        self.max_sites = max_sites
        self.max_entries = max_entries
        self.max_total = max_total
        self.min_pages = min_pages
        self.min_share = min_share
        self._sites: OrderedDict[str, _SiteCounts] = OrderedDict()
        self._entries = 0  # sum of the sites' sizes, kept as sites change

    def observe(self, text: str, url: str | None = None) -> None:
        """Count one page's lines under its site. Versions and copies of a story already counted
        are skipped."""
        self.add(page_features(text, url))

    def add(self, page: PageFeatures) -> None:
        """Count one page's features (``page_features``), e.g. computed in a worker process."""
        for key in page.site_keys:
            site = self._sites.get(key)
            if site is None:
                site = _SiteCounts(capacity=self.max_entries)
                self._sites[key] = site
            self._sites.move_to_end(key)
            before = site.size()
            site.add(page)
            self._entries += site.size() - before
        while len(self._sites) > self.max_sites or self._entries > self.max_total:
            _, evicted = self._sites.popitem(last=False)
            self._entries -= evicted.size()

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
        meta = {"version": 2, "max_sites": self.max_sites, "max_entries": self.max_entries,
                "max_total": self.max_total, "min_pages": self.min_pages,
                "min_share": self.min_share, "sites": []}
        for n, (key, site) in enumerate(self._sites.items()):
            meta["sites"].append([key, site.pages])  # type: ignore[attr-defined]
            for name, counts in (("lines", site.lines), ("pairs", site.pairs)):
                arrays[f"{n}.{name}.keys"] = np.fromiter(counts, dtype=np.uint64, count=len(counts))
                arrays[f"{n}.{name}.counts"] = np.fromiter(counts.values(), dtype=np.uint32,
                                                          count=len(counts))
            arrays[f"{n}.stories.keys"] = np.fromiter(site.stories, dtype=np.uint64,
                                                      count=len(site.stories))
            arrays[f"{n}.stories.ids"] = np.fromiter(site.stories.values(), dtype=np.uint64,
                                                     count=len(site.stories))
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        out = io.BytesIO()
        # numpy's stub types **kwds as the allow_pickle flag; the arrays are keyword arrays
        np.savez_compressed(out, **arrays)  # type: ignore[arg-type]
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> SiteTemplates:
        """A learner in the state ``to_bytes`` saved (raises ``ValueError`` if it is not one).

        A state saved by version 1 (which counted pages, not stories, and so could learn a
        story as template) gives a learner with its settings and nothing learned."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                meta = json.loads(z["meta"].tobytes().decode("utf-8"))
                if meta.get("version") not in (1, 2):
                    raise ValueError(f"template state version {meta.get('version')!r}, expected 2")
                # a state saved before the entry budget keeps its site cap, under the default budget
                learner = cls(meta["max_sites"], meta["max_entries"], meta["min_pages"],
                              meta["min_share"], meta.get("max_total", _TOTAL_ENTRIES))
                if meta["version"] == 1:
                    return learner
                for n, (key, pages) in enumerate(meta["sites"]):
                    site = _SiteCounts(capacity=learner.max_entries, pages=int(pages))
                    for name in ("lines", "pairs"):
                        keys, counts = z[f"{n}.{name}.keys"], z[f"{n}.{name}.counts"]
                        getattr(site, name).update(zip(keys.tolist(), counts.tolist(), strict=True))
                    site.stories.update(zip(z[f"{n}.stories.keys"].tolist(),
                                            z[f"{n}.stories.ids"].tolist(), strict=True))
                    learner._sites[key] = site
                    learner._entries += site.size()
        except (OSError, KeyError, TypeError, ValueError, zipfile.BadZipFile) as err:
            raise ValueError(f"not a saved SiteTemplates state: {err}") from err
        return learner

    def size(self) -> int:
        """Entries held now, over all sites (never more than ``max_total``, nor than
        ``max_sites × max_entries``)."""
        return self._entries

    def __len__(self) -> int:
        return len(self._sites)
