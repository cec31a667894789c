"""Cluster stage: which fingerprints are copies of one story, without chaining.

Four steps, each usable on its own (the Spark engine runs (a)-(c) as DataFrame joins and
calls (d) per component):

(a) candidates: documents sharing any LSH band key (``candidate_pairs``), plus documents with
    the same normalised text (``text_hash``);
(b) edges: candidates that may be copies (``linked``: a knowledge-free superset of what
    ``verify`` accepts once each site's common text is discounted);
(c) connected components of the edges (``connected_components``);
(d) ``resolve_component``: per component, on its pages discounted by their sites' common
    lines (``common_lines``), split into the pieces their own text still links
    (``own_pieces``: chrome an extractor left in, or a roundup's ledes, link pages of several
    stories into one component, not into one piece), then per piece pick the canonical copy
    by policy, keep as its copies only members that ``verify`` *directly* against it, and
    repeat on the rest.

Why discount: a page an extractor left chrome in carries its site's menus, other stories'
headlines and footer; two briefs of one site share more of that than of their stories. Lines
that pages of several distinct stories of one site carry are that site's common text; the
evidence that two pages are copies must come from the rest.

Why (d) exists: transitive closure over pairwise matches glues unrelated stories through a
chain of partial overlaps (A matches B, B matches C, A and C share nothing). Checking every
member against the kept copy itself breaks such chains; the members left over form their
own clusters. Two refinements: a canonical that contains several different stories in full
(a roundup) takes none of them, and a trimmed copy of a first version may join an update too
long for ``verify``'s size guard if it lies inside it and matches one of its direct copies.
(d) depends only on the component's fingerprints, so any order or partitioning of the input
gives the same decisions.

How (d) stays linear in a story's copies: the component's members are indexed once
(``_Component``: each member's shingles as indices into the component's distinct shingles,
and each distinct shingle's carriers); one member against all others is then one gather over
the carriers of its shingles, judged at once by ``_verdicts`` (the copy test, which
``verify`` uses too), and each round (``_Round``) judges a bounded number of such rows
(``_CONTENDERS``), never a Python-level check per pair. The story sizes are kept up to date
as members are decided (``_Story``), the policy ranks only the complete copies, on arrays,
and the rounds that would each keep one unmatched page alone are decided together: a round
costs what its rows and decisions touch, not a pass over the component's text.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from ..config import DedupConfig
from ..models import Decision, Similarity
from .canonical import PolicyKey, choose_canonical, explain, policy_key
from .fingerprint import Fingerprint, lsh_keys

__all__ = [
    "Decision",
    "KnownPieces",
    "Resolution",
    "Similarity",
    "band_buckets",
    "candidate_pairs",
    "cluster_fingerprints",
    "common_lines",
    "connected_components",
    "edge_rows",
    "link_floor",
    "linked",
    "lsh_eligible",
    "lsh_key",
    "may_verify",
    "own_pieces",
    "piece_roots",
    "resolve_component",
    "resolve_pieces",
    "verify",
    "verify_many",
]






def line_pairs(fps: Iterable[Fingerprint]) -> tuple[np.ndarray, np.ndarray]:
    """``(line key, story key)`` of every line of every page with a site, unique pairs sorted
    by key: what ``common_lines`` counts (and a store keeps, across runs)."""
    keys, stories = [], []
    for f in fps:
        k = f.line_keys()
        if len(k):
            keys.append(k)
            stories.append(np.full(len(k), f.story_key(), dtype=np.int64))
    if not keys:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    return unique_pairs(np.concatenate(keys), np.concatenate(stories))


def unique_pairs(keys: np.ndarray, stories: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(key, story)`` pairs, sorted by key then story."""
    order = np.lexsort((stories, keys))
    keys, stories = keys[order], stories[order]
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = (keys[1:] != keys[:-1]) | (stories[1:] != stories[:-1])
    return keys[keep], stories[keep]


def common_lines(keys: np.ndarray, stories: np.ndarray, config: DedupConfig) -> np.ndarray:
    """The line keys that pages of at least ``common_line_stories`` distinct stories of their
    site carry (sorted): that site's common text. ``keys``, ``stories``: ``(line, story)``
    pairs (repeats allowed)."""
    if not len(keys):
        return np.empty(0, dtype=np.uint64)
    keys, _ = unique_pairs(np.asarray(keys, dtype=np.uint64), np.asarray(stories, dtype=np.int64))
    distinct, counts = np.unique(keys, return_counts=True)
    return distinct[counts >= config.common_line_stories]


def lsh_eligible(fp: Fingerprint, config: DedupConfig) -> bool:
    """Whether a document takes part in fuzzy matching (LSH) at all.

    Bodies under ``min_shingles`` only ever match exact copies (``verify`` refuses fuzzy
    matches for them), so putting them in LSH would only cost candidate checks.
    """
    return fp.size >= config.min_shingles


def link_floor(config: DedupConfig) -> int:
    """The fewest shingles two pages can share and still be copies under any knowledge of
    their sites' common text: ``verify`` on the discounted pages needs the smaller own text to
    have ``min_shingles`` and ``short_containment`` of it shared (more when it is larger)."""
    return max(1, int(np.ceil(config.short_containment * config.min_shingles - 1e-9)))


def linked(a: Fingerprint, b: Fingerprint, config: DedupConfig) -> bool:
    """Whether two pages belong in one component: the same normalised text, or at least
    ``link_floor`` shared shingles.

    Deliberately looser than ``verify`` and blind to what is site-common: every pair that
    ``verify`` can accept once the common text is discounted (however much of it the runs have
    learned) is linked, so the components, hence the decisions, do not depend on the order in
    which pages (and the knowledge of their sites) arrived. Components only group; each is
    decided by ``resolve_component`` on the discounted pages.
    """
    if a.n_tokens and a.text_hash == b.text_hash:
        return True
    if min(a.size, b.size) < config.min_shingles:
        return False
    return _intersection(a.shingle_array(), b.shingle_array()) >= link_floor(config)


def lsh_key(fp: Fingerprint, config: DedupConfig) -> str | None:
    """Which pages fuzzy matching needs: None for a page outside LSH (``lsh_eligible``), else
    a key that exact twins (one normalised text) on one site share.

    Twins on one site verify alike against every page, so LSH needs only one of them; a twin
    on another site is not interchangeable (``verify``'s same-site rule may tell them apart)
    and keeps a key of its own. The Spark engine puts the first page of each key in LSH.
    """
    if not lsh_eligible(fp, config):
        return None
    return f"{fp.text_hash} {fp.domain or ''}"


def _intersection(a: np.ndarray, b: np.ndarray) -> int:
    """Size of the intersection of two sorted unique uint64 arrays."""
    if len(a) > len(b):
        a, b = b, a
    if len(a) == 0:
        return 0
    idx = np.searchsorted(b, a)
    idx[idx == len(b)] = 0
    return int(np.count_nonzero(b[idx] == a))


def verify(a: Fingerprint, b: Fingerprint, config: DedupConfig) -> Similarity | None:
    """The exact check of one candidate pair: a ``Similarity`` if they are copies, else None.

    Copies are: the same normalised text; or, with containment (overlap over the smaller
    body) ≥ ``containment_threshold``, either Jaccard ≥ ``jaccard_threshold`` (basis
    "jaccard") or the smaller body at least ``min_size_ratio`` of the larger (basis
    "containment": trimmed copies, updates). Bodies under ``min_shingles`` only match
    exactly; under ``short_shingles`` they need ``short_containment``; two pages of one site
    (same ``domain``) need ``same_site_containment``. Pure and symmetric:
    ``verify(a, b) == verify(b, a)``. Judged by ``_verdicts``, as every check of a component.
    """
    return verify_many(a, [b], config)[0]


def verify_many(
    x: Fingerprint, others: Sequence[Fingerprint], config: DedupConfig
) -> list[Similarity | None]:
    """``[verify(x, o) for o in others]``, the shingle intersections counted in one pass."""
    if not others:
        return []
    xs = x.shingle_array()
    arrays = [o.shingle_array() for o in others]
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    inter = np.zeros(len(others) + 1, dtype=np.int64)
    inter[0] = len(xs)
    if len(xs) and lengths.sum():
        concat = np.concatenate(arrays)
        idx = np.searchsorted(xs, concat)
        idx[idx == len(xs)] = 0
        hits = np.concatenate(([0], np.cumsum(xs[idx] == concat, dtype=np.int64)))
        ends = np.cumsum(lengths)
        inter[1:] = hits[ends] - hits[ends - lengths]
    verdicts = _verdicts(_Traits.of([x, *others]), 0, inter, config)
    return [verdicts.similarity(j) for j in range(1, len(others) + 1)]


@dataclass(frozen=True, slots=True)
class _Traits:
    """What the copy test reads of several pages, one array entry per page."""

    fps: tuple[Fingerprint, ...]
    sizes: np.ndarray  # distinct shingles (int64)
    n_tokens: np.ndarray  # int64
    texts: np.ndarray  # text hash, numbered: equal numbers, equal hashes (int64)
    domains: np.ndarray  # domain, numbered: 0 without one (int64)
    discounted: np.ndarray  # shingles taken out as site-common text (int64)
    story_keys: np.ndarray  # ``story_key`` of each page, where ``known`` (int64)
    known: np.ndarray  # bool: story key read
    listed: np.ndarray  # bool: the text reads as a list of short lines (``_reads_as_list``)

    @classmethod
    def of(cls, fps: Sequence[Fingerprint]) -> _Traits:
        texts: dict[str, int] = {}
        domains: dict[str, int] = {"": 0}
        return cls(
            tuple(fps),
            np.array([f.size for f in fps], dtype=np.int64),
            np.array([f.n_tokens for f in fps], dtype=np.int64),
            np.array([texts.setdefault(f.text_hash, len(texts)) for f in fps], dtype=np.int64),
            np.array([domains.setdefault(f.domain or "", len(domains)) for f in fps],
                     dtype=np.int64),
            np.array([f.discounted for f in fps], dtype=np.int64),
            np.zeros(len(fps), dtype=np.int64),
            np.zeros(len(fps), dtype=bool),
            np.array([_reads_as_list(f) for f in fps], dtype=bool),
        )

    def story_keys_of(self, pages: np.ndarray) -> np.ndarray:
        """``fps[j].story_key()`` of these pages, each computed once (a page whose text is all
        site-common is compared by it with each of its twins, row after row)."""
        missing = pages[~self.known[pages]]
        if len(missing):
            self.story_keys[missing] = [self.fps[j].story_key() for j in missing.tolist()]
            self.known[missing] = True
        keys: np.ndarray = self.story_keys[pages]
        return keys


#: a text whose distinct lines average fewer words than this reads as a list (menus, link
#: lists, other stories' headlines); prose paragraphs, even one-sentence ones, average 15-40
_LIST_LINE_WORDS = 8


def _reads_as_list(f: Fingerprint) -> bool:
    """Whether a page's text is a list of short lines rather than prose: its words over its
    distinct lines under ``_LIST_LINE_WORDS`` (a page without a line map: not a list)."""
    lines = len(f.lines) // 8
    return bool(lines) and f.n_tokens < _LIST_LINE_WORDS * lines


@dataclass(frozen=True, slots=True)
class _Verdicts:
    """``verify`` of one page against each of several (a row): whether each is a copy, and
    how alike. Entries are the pages ``cols`` (sorted; every page not among them shares no
    shingle and no text with it: not a copy). ``overrides``: verdicts given from outside
    (``resolve_component``'s ``edges``), by page."""

    cols: np.ndarray  # the pages of the entries (int64, sorted)
    match: np.ndarray  # bool: a copy (verify is not None)
    exact: np.ndarray  # bool: the same text (basis "exact")
    by_jaccard: np.ndarray  # bool: basis "jaccard" (else "containment") where matched fuzzily
    jaccard: np.ndarray  # float64
    containment: np.ndarray  # float64
    inter: np.ndarray  # shared shingles (int64)
    overrides: Mapping[int, Similarity | None] = field(default_factory=dict)

    @property
    def nbytes(self) -> int:
        """Bytes held by the row's arrays."""
        return sum(a.nbytes for a in (self.cols, self.match, self.exact, self.by_jaccard,
                                      self.jaccard, self.containment, self.inter))

    def matched(self) -> np.ndarray:
        """The pages that are copies (sorted)."""
        pages: np.ndarray = self.cols[self.match]
        return pages

    def similarity(self, j: int) -> Similarity | None:
        """The ``Similarity`` of page ``j`` (None: not a copy)."""
        if j in self.overrides:
            return self.overrides[j]
        k = int(np.searchsorted(self.cols, j))
        if k == len(self.cols) or self.cols[k] != j or not self.match[k]:
            return None
        return self.entry(k)

    def entry(self, j: int) -> Similarity:
        """The ``Similarity`` of entry ``j``, a copy."""
        if self.exact[j]:
            return Similarity(1.0, 1.0, "exact")
        if self.by_jaccard[j]:
            return Similarity(float(self.jaccard[j]), float(self.containment[j]), "jaccard")
        return Similarity(float(self.jaccard[j]), float(self.containment[j]), "containment")


def _verdicts(
    t: _Traits, i: int, inter: np.ndarray, config: DedupConfig, cols: np.ndarray | None = None
) -> _Verdicts:
    """``verify(t.fps[i], t.fps[j])`` for every ``j`` of ``cols`` (default: every page) at
    once, given the shared shingle counts ``inter`` (page ``i`` itself is never a match): the
    copy test, written once.

    Exact: the same normalised text, and evidence it is one story: some text of its own
    beyond its site's common text (``min_shingles``), or nothing discounted, or one URL (a
    page fetched twice). Two pages of a site whose extraction kept only the site's chrome
    (their story lost) have one text, and are not copies of each other.

    Two pages of one site where either text reads as a list of short lines
    (``_reads_as_list``: a menu, a list of links or headlines, the chrome an extractor returned
    for a story it lost) are copies only as one URL: such text is what the site prints
    around its stories, evidence of the site, not of one story, even before enough of its
    pages were seen to learn it as common text.
    """
    cols = np.arange(len(t.sizes), dtype=np.int64) if cols is None else cols
    sizes = t.sizes[cols]
    small = np.minimum(sizes, t.sizes[i])
    large = np.maximum(sizes, t.sizes[i])
    same_text = (t.texts[cols] == t.texts[i]) & bool(t.n_tokens[i])
    plain = (t.discounted[cols] == 0) & (t.discounted[i] == 0)
    # pages of one site, one of them a list: one story only as one URL (checked below)
    listed = np.zeros(len(cols), dtype=bool)
    if t.domains[i]:
        listed = (t.domains[cols] == t.domains[i]) & (t.listed[cols] | t.listed[i])
    exact = same_text & (plain | (small >= config.min_shingles)) & ~listed
    unsure = np.flatnonzero(same_text & ~exact)
    one_url = ~listed
    if len(unsure) or listed.any():  # one URL, one story
        key = t.story_keys_of(np.array([i], dtype=np.int64))[0]
        if len(unsure):  # pages whose text is all site-common, or a list
            exact[unsure] = t.story_keys_of(cols[unsure]) == key
        where = np.flatnonzero(listed)
        one_url[where] = t.story_keys_of(cols[where]) == key
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = inter / (small + large - inter)
        containment = inter / small
    needed = np.where(small >= config.short_shingles, config.containment_threshold,
                      config.short_containment)
    if t.domains[i]:  # one site's template is shared by all its pages
        same_site = t.domains[cols] == t.domains[i]
        needed = np.where(same_site, np.maximum(needed, config.same_site_containment), needed)
    by_jaccard = jaccard >= config.jaccard_threshold
    fuzzy = (
        ~exact
        & one_url
        & (small >= config.min_shingles)
        & (containment >= needed)
        & (by_jaccard | (small >= config.min_size_ratio * large))
    )
    match = exact | fuzzy
    match[cols == i] = False
    return _Verdicts(cols, match, exact, by_jaccard, jaccard, containment, inter)


def candidate_pairs(keys: np.ndarray) -> np.ndarray:
    """All row pairs (i < j) of a band-key matrix (n, bands) that share at least one key.

    Returned as an (m, 2) int64 array, sorted and unique. Keys already include the band
    index (see ``band_keys``), so one sort over all keys finds every bucket.
    """
    if len(keys) < 2:
        return np.empty((0, 2), dtype=np.int64)
    flat, rows = _by_key(keys)
    pairs = []
    offset = 1
    same = flat[offset:] == flat[:-offset]
    while same.any():  # offset o pairs each entry with the one o places later in its bucket
        pairs.append(np.stack([rows[:-offset][same], rows[offset:][same]], axis=1))
        offset += 1
        if offset >= len(flat):
            break
        same = same[:-1] & (flat[offset:] == flat[:-offset])
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    found = np.concatenate(pairs)
    found = np.sort(found, axis=1)
    found = found[found[:, 0] != found[:, 1]]
    return np.unique(found, axis=0)


def band_buckets(keys: np.ndarray) -> Iterator[list[int]]:
    """The rows sharing each key of a band-key matrix, for every key that several rows share,
    in ascending order of the key.

    The pairs within the buckets are ``candidate_pairs``; walking buckets instead lets a
    caller skip a bucket whose rows it has joined already, without ever holding every pair.
    The keys are sorted one range of values at a time (``_key_ranges``), so the sort's arrays
    stay bounded: over all keys at once they took three times the matrix (at 1,000,000
    pages, 1.3 GB on top of its 422 MB).
    """
    if len(keys) < 2:
        return
    flat = keys.reshape(-1)
    for entries in _key_ranges(flat):
        yield from _buckets_among(flat, entries, keys.shape[1])


# keys sorted at once by band_buckets: 32 MB for each of its int64 arrays
_SORTED_AT_ONCE = 1 << 22
_MAX_RANGE_BITS = 8


def _key_ranges(flat: np.ndarray) -> Iterator[np.ndarray | None]:
    """The entries of ``flat`` (uint64 keys), by ranges of their values in ascending order:
    a range holds the keys of some top bits, about ``_SORTED_AT_ONCE`` of them (keys are
    hashes). None: all entries, as one range."""
    bits = min(_MAX_RANGE_BITS, max(0, (len(flat) - 1) // _SORTED_AT_ONCE).bit_length())
    if bits == 0:
        yield None
        return
    top = np.empty(len(flat), dtype=np.uint8)
    shift = np.uint64(64 - bits)
    for start in range(0, len(flat), _SORTED_AT_ONCE):  # no full-length uint64 temporary
        top[start : start + _SORTED_AT_ONCE] = flat[start : start + _SORTED_AT_ONCE] >> shift
    for value in range(1 << bits):
        yield np.flatnonzero(top == value)


def _buckets_among(flat: np.ndarray, entries: np.ndarray | None, width: int) -> Iterator[list[int]]:
    """``band_buckets`` over these entries of the flat key matrix (None: all of them), whose
    rows are ``width`` entries long."""
    values = flat if entries is None else flat[entries]
    order = np.argsort(values)  # in place: a stable sort's buffer is half the keys again
    ranked = values[order]
    del values
    same = ranked[1:] == ranked[:-1]  # an entry and the next share their key
    in_shared = np.zeros(len(ranked), dtype=bool)  # most keys are one row's: only the others
    in_shared[1:] |= same
    in_shared[:-1] |= same
    del same
    at = np.flatnonzero(in_shared)
    del in_shared
    if not len(at):
        return
    # one full-length array let go before the next is made: the walk holds the shared
    # entries only (a bucket's rows are sorted below, so the sort need not be stable)
    at_rows = order[at] if entries is None else entries[order[at]]
    del order
    at_rows //= width
    rows = at_rows.astype(_index_dtype(len(flat) // width))
    del at_rows
    shared_keys = ranked[at]
    del ranked, at
    starts = np.flatnonzero(np.concatenate(([True], shared_keys[1:] != shared_keys[:-1])))
    ends = np.concatenate((starts[1:], [len(shared_keys)]))
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        yield sorted(set(rows[s:e].tolist()))


def _by_key(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All keys of an (n, bands) matrix sorted, and the row of each: one sort finds every
    bucket (keys already include their band index, see ``band_keys``)."""
    flat = keys.reshape(-1)
    order = np.argsort(flat, kind="stable")
    return flat[order], order // keys.shape[1]


class _Forest:
    """Union-find over ``n`` nodes; a root is the smallest node index of its set."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def connected_components(n: int, pairs: Iterable[tuple[int, int]]) -> np.ndarray:
    """Component label of each of ``n`` nodes: the smallest node index in its component."""
    forest = _Forest(n)
    for i, j in pairs:
        forest.union(int(i), int(j))
    return np.array([forest.find(i) for i in range(n)], dtype=np.int64)


def _pair_key(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x <= y else (y, x)


#: a line is story when at least this share of its shingles is printed by another site (a
#: short line's last words form shingles with its neighbour's, which another layout may not
#: have: a list item of five words carries one shingle of its own)
_LINE_SHARE = 1 / 3


def _site(f: Fingerprint) -> str:
    """Which site a member speaks for when its text is counted as story: its domain; a page
    without one is a site of its own, its exact twins with it (a page fetched twice)."""
    if f.domain:
        return "site:" + f.domain
    return "text:" + (f.text_hash if f.n_tokens else f.doc_id)


def _index_dtype(n: int) -> type[np.signedinteger[Any]]:
    """The integer type of arrays indexing ``n`` entries: 32 bits while they fit (a big
    component's per-entry arrays are its memory: half of it), else 64."""
    return np.int32 if n < 2**31 else np.int64


def _line_ids(fps: Sequence[Fingerprint], sizes: np.ndarray,
              dtype: type[np.signedinteger[Any]]) -> tuple[np.ndarray, int]:
    """Each shingle entry's line, numbered across members (a member without a line map: one
    line per shingle), as ``dtype`` (which indexes every entry, hence every line), and the
    number of lines."""
    parts, base = [np.empty(0, dtype=dtype)], 0
    for f, n in zip(fps, sizes.tolist(), strict=True):
        if not n:
            continue
        lines = np.frombuffer(f.shingle_lines, dtype="<u2")
        ids = lines.astype(dtype) if len(lines) == n else np.arange(n, dtype=dtype)
        parts.append(ids + base)
        base += int(ids.max()) + 1
    return np.concatenate(parts), base


class _Component:
    """One component's members (sorted by doc id) as arrays, built once for all its rounds.

    Each member's shingles are indices into the component's distinct shingles, and each
    distinct shingle lists the entries that carry it (``postings``), so one member against
    every other is one gather over the entries of the shingles it carries (``intersections``),
    and the whole row is judged at once (``_verdicts``): a row costs what the member shares,
    never a Python-level check per pair. Rows are cached until their member is decided
    (``forget``), ``_ROW_CACHE_BYTES`` at most (the least recently used dropped). The policy's
    criteria that no round changes (on the wire's site; the tie-breaks after the match count)
    are ranked once (``off_wire``, ``tie_rank``).
    """

    def __init__(
        self,
        members: Sequence[Fingerprint],
        edges: Mapping[tuple[str, str], Similarity | None] | None,
        config: DedupConfig,
    ) -> None:
        self.fps = tuple(members)
        self.ids = [f.doc_id for f in self.fps]
        self.index = {doc_id: k for k, doc_id in enumerate(self.ids)}
        self.config = config
        self.traits = _Traits.of(self.fps)
        self.sizes = self.traits.sizes
        self.ends = np.cumsum(self.sizes)
        self.starts = self.ends - self.sizes
        self.nonempty = np.flatnonzero(self.sizes)
        concat = np.concatenate([np.empty(0, dtype=np.uint64),
                                 *(f.shingle_array() for f in self.fps)])
        # one sort: the entries by shingle (then by position), which numbers the distinct
        # shingles (``inverse``) and lists the entries of each (``postings``: the entries of
        # distinct shingle d are postings[post_ptr[d] : post_ptr[d + 1]])
        index = _index_dtype(len(concat))
        self.postings = np.argsort(concat, kind="stable").astype(index)
        ordered = concat[self.postings]
        del concat  # a big component's arrays are its memory: each freed once used
        first = np.concatenate(([True], ordered[1:] != ordered[:-1])) if len(ordered) else \
            np.empty(0, dtype=bool)
        del ordered
        self.n_distinct = int(np.count_nonzero(first))
        numbers = np.cumsum(first, dtype=index)
        numbers -= 1
        self.inverse = np.empty(len(first), dtype=index)
        self.inverse[self.postings] = numbers
        del numbers
        self.owner = np.repeat(np.arange(len(self.fps), dtype=index), self.sizes)
        self.posting_owner = self.owner[self.postings]
        self.post_ptr = np.append(np.flatnonzero(first), len(first))
        keys = [policy_key(f, False) for f in self.fps]
        self.off_wire = np.array([k[1] for k in keys], dtype=np.int64)
        self.tie_rank = np.empty(len(keys), dtype=np.int64)
        self.tie_rank[sorted(range(len(keys)), key=lambda j: keys[j][5:])] = np.arange(len(keys))
        # largest first, then by index: the order contenders are picked in
        self.size_rank = np.empty(len(keys), dtype=np.int64)
        self.by_size = np.lexsort((np.arange(len(keys)), -self.sizes))
        self.size_rank[self.by_size] = np.arange(len(keys))
        # exact twins share a key; an empty body is its own text
        by_text: dict[str, int] = {}
        self.text_keys = np.array(
            [by_text.setdefault(f.text_hash, len(by_text)) if f.n_tokens else -1 - k
             for k, f in enumerate(self.fps)], dtype=np.int64)
        by_site: dict[str, int] = {}
        self.site_keys = np.array([by_site.setdefault(_site(f), len(by_site)) for f in self.fps],
                                  dtype=np.int64)
        # the members of each text: by_text_order[text_ptr[k] : text_ptr[k + 1]] (key k >= 0)
        self.by_text_order = np.argsort(self.text_keys, kind="stable")
        self.text_ptr = np.searchsorted(self.text_keys[self.by_text_order],
                                        np.arange(len(by_text) + 1))
        self.line_of, self.n_lines = _line_ids(self.fps, self.sizes, index)
        self.edges = edges or {}
        self._rows: dict[int, _Verdicts] = {}  # least recently used first
        self._row_bytes = 0  # what the cached rows hold (``_ROW_CACHE_BYTES`` at most)

    def _per_member(self, flags: np.ndarray) -> np.ndarray:
        """Per member, how many of its shingle entries ``flags`` (one per entry) marks."""
        counts = np.zeros(len(self.fps), dtype=np.int64)
        if len(self.nonempty):  # reduceat needs segments that are not empty
            counts[self.nonempty] = np.add.reduceat(flags, self.starts[self.nonempty],
                                                    dtype=np.int64)
        return counts

    def entries_of(self, members: np.ndarray) -> np.ndarray:
        """The shingle entries of these members."""
        return _spans(self.starts[members], self.ends[members])

    def carriers(self, shingles: np.ndarray) -> np.ndarray:
        """The entries carrying these distinct shingles."""
        entries: np.ndarray = self.postings[_spans(self.post_ptr[shingles],
                                                   self.post_ptr[shingles + 1])]
        return entries

    def intersections(self, i: int) -> np.ndarray:
        """How many shingles member ``i`` shares with each member (itself included)."""
        cols, inter = self.shared_with(i)
        counts = np.zeros(len(self.fps), dtype=np.int64)
        counts[cols] = inter
        return counts

    def shared_with(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """The members sharing a shingle or the text with member ``i`` (sorted, itself among
        them unless empty), and how many shingles each shares: ``intersections`` where it is
        not 0, in what member ``i`` shares rather than in the component's size."""
        shingles = self.inverse[self.starts[i] : self.ends[i]]
        owners = self.posting_owner[_spans(self.post_ptr[shingles], self.post_ptr[shingles + 1])]
        if len(owners) > len(self.fps) // 4:  # counted on every member, then picked
            counted = np.bincount(owners, minlength=len(self.fps))
            cols = np.flatnonzero(counted)
            inter = counted[cols]
        else:
            cols, inter = np.unique(owners, return_counts=True)
            cols = cols.astype(np.int64)
        key = int(self.text_keys[i])
        if key < 0:
            return cols, inter.astype(np.int64)
        twins = self.by_text_order[self.text_ptr[key] : self.text_ptr[key + 1]]
        every = np.union1d(cols, twins)
        shared = np.zeros(len(every), dtype=np.int64)
        shared[np.searchsorted(every, cols)] = inter
        return every, shared

    def row(self, i: int) -> _Verdicts:
        """``verify`` of member ``i`` against every member (cached), ``edges`` applied: judged
        on the members it shares something with (``shared_with``), or on every member when
        ``edges`` may say otherwise of any pair."""
        verdicts = self._rows.pop(i, None)
        if verdicts is None:
            if self.edges:
                verdicts = self._given(i, _verdicts(self.traits, i, self.intersections(i),
                                                    self.config))
            else:
                cols, inter = self.shared_with(i)
                verdicts = _verdicts(self.traits, i, inter, self.config, cols)
            self._row_bytes += verdicts.nbytes
            while self._rows and self._row_bytes > _ROW_CACHE_BYTES:  # least recently used
                self._row_bytes -= self._rows.pop(next(iter(self._rows))).nbytes
        self._rows[i] = verdicts  # most recently used last
        return verdicts

    def _given(self, i: int, verdicts: _Verdicts) -> _Verdicts:
        """The row with the verdicts ``edges`` holds (looked up, never copied: callers may
        pass a big shared mapping)."""
        overrides: dict[int, Similarity | None] = {}
        for j, other in enumerate(self.ids):
            key = _pair_key(self.ids[i], other)
            if j != i and (key in self.edges or key[::-1] in self.edges):
                overrides[j] = self.edges[key] if key in self.edges else self.edges[key[::-1]]
        if not overrides:
            return verdicts
        match = verdicts.match.copy()
        for j, s in overrides.items():
            match[j] = s is not None
        return replace(verdicts, match=match, overrides=overrides)

    def similarity(self, i: int, j: int) -> Similarity | None:
        """``verify(members[i], members[j])`` (or what ``edges`` says of the pair)."""
        return self.row(i).similarity(j)

    def forget(self, decided: Iterable[int]) -> None:
        """Drop the rows of decided members: no later round asks for them."""
        for i in decided:
            row = self._rows.pop(i, None)
            if row is not None:
                self._row_bytes -= row.nbytes

    def story_sizes(self, alive: np.ndarray) -> np.ndarray:
        """Per member (meaningful where ``alive``, 0 elsewhere): how many of its shingles are
        story rather than chrome, among the alive members (``_Story``)."""
        return _Story.of(self, alive).sizes


class _Story:
    """The story size of each member (``sizes``): how many of its shingles are story rather
    than chrome, among the alive members (``alive``), kept up to date as members are decided
    (``retire``) rather than recounted each round.

    Story is what a page of *another site* also prints: what two sites print alike is the
    story they share, while a site's own chrome (menus, other stories' headlines, a sources
    list) recurs only on that site's pages, which may share a component through it. Exact
    twins on two sites count for each other; twins on one site (or without one, ``_site``)
    once, so a page republished twice does not make its own chrome look like story.

    Counted by line: every shingle of a line ``_LINE_SHARE`` of whose shingles another site
    carries. A copyedit changes a few words of a line, and two desks that made the same
    edits share them, which must not make their copies look more complete than the
    original (whose words were edited away in both): the line is the story's either way.

    Counts kept: per (distinct shingle, site) pair, its alive entries; per distinct shingle,
    the sites whose alive pages carry it; per line, its entries of shingles two sites carry
    (``carried``). A shingle only ever loses sites, so retiring members costs their entries
    plus, once per shingle, the entries of a shingle that stops being shared: deciding a
    component costs its entries a few times over, not its entries per round.
    """

    def __init__(self, comp: _Component) -> None:
        self.comp = comp
        self.alive = np.ones(len(comp.fps), dtype=bool)
        self.n_alive = len(comp.fps)
        n_sites = int(comp.site_keys.max()) + 1 if len(comp.site_keys) else 1
        pairs, self.pair_of = _numbered_pairs(comp.inverse, comp.owner, comp.site_keys, n_sites)
        index = comp.inverse.dtype
        self.pair_shingle = (pairs // n_sites).astype(index)
        self.pair_entries = np.bincount(self.pair_of, minlength=len(self.pair_shingle)
                                        ).astype(index)
        self.sites = np.bincount(self.pair_shingle, minlength=comp.n_distinct)
        self.total = np.bincount(comp.line_of, minlength=comp.n_lines)
        self.carried = np.bincount(comp.line_of[self.sites[comp.inverse] >= 2],
                                   minlength=comp.n_lines)
        self.line_story = self._is_story(self.carried, self.total)
        self.line_owner = np.zeros(comp.n_lines, dtype=np.int64)
        self.line_owner[comp.line_of] = comp.owner
        self.sizes = comp._per_member(self.line_story[comp.line_of])
        # alive members per text: whether two alive members still share a text (``_Round.apart``)
        self.text_of = np.unique(comp.text_keys, return_inverse=True)[1].reshape(-1)
        self.text_alive = np.bincount(self.text_of)
        self.twin_texts = int(np.count_nonzero(self.text_alive >= 2))

    @classmethod
    def of(cls, comp: _Component, alive: np.ndarray) -> _Story:
        """The story sizes among these alive members."""
        story = cls(comp)
        story.retire(np.flatnonzero(~alive))
        return story

    @staticmethod
    def _is_story(carried: np.ndarray, total: np.ndarray) -> np.ndarray:
        """Whether lines are story: ``_LINE_SHARE`` of their shingles carried by two sites."""
        return (carried > 0) & (_LINE_SHARE * total <= carried)

    def retire(self, decided: np.ndarray) -> None:
        """Members decided: out of the counts, their sizes 0, and the lines of the alive
        members whose shingles they alone shared with another site recounted."""
        comp = self.comp
        decided = decided[self.alive[decided]]
        self.alive[decided] = False
        self.n_alive -= len(decided)
        self.sizes[decided] = 0
        texts, left = np.unique(self.text_of[decided], return_counts=True)
        before = self.text_alive[texts]
        self.text_alive[texts] = before - left
        self.twin_texts -= int(np.count_nonzero((before >= 2) & (self.text_alive[texts] < 2)))
        gone = comp.entries_of(decided)
        if not len(gone):
            return
        pairs, counts = np.unique(self.pair_of[gone], return_counts=True)
        self.pair_entries[pairs] -= counts
        shingles, lost = np.unique(self.pair_shingle[pairs[self.pair_entries[pairs] == 0]],
                                   return_counts=True)
        before = self.sites[shingles]
        self.sites[shingles] = before - lost
        unshared = shingles[(before >= 2) & (self.sites[shingles] < 2)]
        entries = comp.carriers(unshared)
        entries = entries[self.alive[comp.owner[entries]]]
        if not len(entries):
            return
        lines, fewer = np.unique(comp.line_of[entries], return_counts=True)
        self.carried[lines] -= fewer
        was = self.line_story[lines]
        now = self._is_story(self.carried[lines], self.total[lines])
        self.line_story[lines] = now
        flipped = lines[was != now]
        np.add.at(self.sizes, self.line_owner[flipped],
                  np.where(self.line_story[flipped], 1, -1) * self.total[flipped])


def _numbered_pairs(shingles: np.ndarray, owner: np.ndarray, site_keys: np.ndarray,
                    n_sites: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(shingle, site)`` pairs of the entries (``site_keys[owner]``), each as
    ``shingle * n_sites + site`` (sorted int64), and each entry's pair number (of
    ``shingles``' dtype): what ``np.unique(..., return_inverse=True)`` gives, in about half
    its memory (its int64 inverse and sort copies were a big component's peak)."""
    keys = shingles.astype(np.int64)
    keys *= n_sites
    keys += site_keys[owner]
    order = np.argsort(keys)
    keys = keys[order]
    first = np.empty(len(keys), dtype=bool)
    first[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    pairs = keys[first]
    del keys
    numbers = np.cumsum(first, dtype=shingles.dtype)
    numbers -= 1
    pair_of = np.empty(len(first), dtype=shingles.dtype)
    pair_of[order] = numbers
    return pairs, pair_of


def _spans(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The indices ``start .. end - 1`` of every span, one after the other."""
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        return np.empty(0, dtype=np.int64)
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return shift + np.arange(total, dtype=np.int64)


class _Round:
    """One round of ``resolve_component`` over the members still undecided (``alive``): the
    reference copy, the complete copies, the canonical and its copies. Each step is a method,
    and each costs what the rows it reads hold plus a pass or two over the story sizes: no
    step walks the members in Python, and none ranks every member. ``story``: the alive
    members' story sizes, kept up to date by the caller (``_Story``; counted from ``alive``
    when not given)."""

    def __init__(self, comp: _Component, alive: np.ndarray, story: _Story | None = None
                 ) -> None:
        self.comp = comp
        self.config = comp.config
        self.alive = alive
        self.counts = _Story.of(comp, alive) if story is None else story
        self.story = self.counts.sizes  # 0 where not alive
        self.top = int(self.story.max()) if len(self.story) else 0
        self.matches: dict[int, int] = {}
        self.complete = np.zeros(len(comp.fps), dtype=bool)
        self.complete_members = np.empty(0, dtype=np.int64)
        self.cut: set[int] = set()  # leaders found cut short (``canonical``, ``cut_short``)

    @cached_property
    def members(self) -> np.ndarray:
        """The alive members."""
        return np.flatnonzero(self.alive)

    def share_of(self, js: np.ndarray) -> np.ndarray:
        """Story share of these members, in percent of the most story an alive member carries,
        in 5% steps: copyedits move a copy's count by a few shingles, which must not decide
        "most complete" (an update's two paragraphs or a cut end do)."""
        shares: np.ndarray = (20 * self.story[js] / max(self.top, 1) + 0.5).astype(np.int64) * 5
        return shares

    @property
    def share(self) -> np.ndarray:
        """``share_of`` every member (0 where not alive)."""
        share = np.zeros(len(self.comp.fps), dtype=np.int64)
        share[self.members] = self.share_of(self.members)
        return share

    def count_matches(self, group: np.ndarray) -> np.ndarray:
        """How many alive members match each of the ``_CONTENDERS`` largest of ``group``
        (capped: O(_CONTENDERS) rows per round in a component of any size); those
        contenders."""
        sizes = self.comp.sizes
        if len(group) > _CONTENDERS:  # the largest first picked out, then ranked
            order = (self.comp.size_rank[group]).argpartition(_CONTENDERS - 1)[:_CONTENDERS]
            group = group[order]
        contenders = group[np.lexsort((group, -sizes[group]))]
        for c in contenders.tolist():
            if c not in self.matches:
                self.matches[c] = int(np.count_nonzero(self.alive[self.comp.row(c).matched()]))
        return contenders

    def reference(self) -> int:
        """Among the copies carrying the most story, the one most others match (not the
        longest: chrome its extractor left in would make it the yardstick)."""
        if self.top:  # the most story has share 100: leaders are near the top
            near = np.flatnonzero(self.story >= 0.95 * self.top)
            leaders = near[self.share_of(near) == 100]
        else:
            leaders = self.members
        # every leader not counted matches none counted and is smaller than all of them
        contenders = self.count_matches(leaders)
        sizes = self.comp.sizes
        return int(min(contenders.tolist(),
                       key=lambda j: (-self.matches[j], -int(sizes[j]), j)))

    def mark_complete(self, ref: int) -> None:
        """Complete: the reference, and members matching it with ``complete_ratio`` of its
        story and of its size."""
        ratio = self.config.complete_ratio
        matched = self.comp.row(ref).matched()
        close = ((self.story[matched] >= ratio * self.story[ref])
                 & (self.comp.sizes[matched] >= ratio * self.comp.sizes[ref]))
        self.complete = np.zeros(len(self.comp.fps), dtype=bool)
        self.complete[matched[close]] = True
        self.complete[ref] = True
        chosen = np.union1d(matched[close], [ref])
        self.complete_members = chosen[self.alive[chosen]]

    def policy_inputs(
        self, members: Iterable[int]
    ) -> tuple[dict[str, bool], dict[str, int], dict[str, int], set[str]]:
        """``complete``, story shares, match counts and the ids cut short of these members,
        as ``choose_canonical`` reads them."""
        ids = self.comp.ids
        js = np.array(list(members), dtype=np.int64)
        return ({ids[j]: bool(self.complete[j]) for j in js.tolist()},
                dict(zip((ids[j] for j in js.tolist()), self.share_of(js).tolist(), strict=True)),
                {ids[j]: self.matches[j] for j in js.tolist() if j in self.matches},
                {ids[j] for j in js.tolist() if j in self.cut})

    def policy_key(self, j: int) -> PolicyKey:
        """Member ``j``'s ``policy_key`` in this round."""
        return policy_key(self.comp.fps[j], bool(self.complete[j]),
                          int(self.share_of(np.array([j]))[0]), self.matches.get(j, 0),
                          j in self.cut)

    def cut_short(self, j: int, longer: np.ndarray) -> bool:
        """Whether member ``j``'s text ends where the text of one of ``longer`` goes on: a
        copy ``k`` of ``j`` that matches every alive copy ``j`` matches (keeping ``k`` loses
        none of them) and carries ``_GOES_ON`` shingles or more (a paragraph) of prose after
        the last line it shares with ``j``, where ``j`` ends (``_goes_on``). Lines are in
        reading order (``_line_ids``), so this reads where each text stops, which shingle
        counts cannot: a trimmed copy and the original whose end no other site prints carry
        the same story. ``j``'s row (cached: the contenders' rows are read anyway) rules out
        at once the copies without a paragraph more than they share."""
        comp = self.comp
        row = comp.row(j)
        if not len(row.cols):
            return False
        pos = np.minimum(np.searchsorted(row.cols, longer), len(row.cols) - 1)
        room = ((row.cols[pos] == longer) & row.match[pos] & (longer != j)
                & (comp.sizes[longer] - row.inter[pos] >= _GOES_ON))
        return any(self._goes_on(j, k) and self._keeps_copies(j, k) for k in longer[room].tolist())

    def _goes_on(self, j: int, k: int) -> bool:
        """Whether ``k`` goes on ``_GOES_ON`` shingles past the last line it shares with
        ``j``, in lines of prose (their median under ``_LIST_LINE_WORDS`` shingles reads as
        a list: a site's names, links or headlines left in), while ``j`` ends there (under a
        quarter of ``_GOES_ON`` past its own last shared line)."""
        comp = self.comp
        js = comp.inverse[comp.starts[j] : comp.ends[j]]
        ks = comp.inverse[comp.starts[k] : comp.ends[k]]
        in_k, in_j = np.isin(js, ks), np.isin(ks, js)
        if not in_k.any():
            return False
        j_lines = comp.line_of[comp.starts[j] : comp.ends[j]]
        k_lines = comp.line_of[comp.starts[k] : comp.ends[k]]
        after = k_lines[k_lines > k_lines[in_j].max()]
        j_after = int(np.count_nonzero(j_lines > j_lines[in_k].max()))
        if len(after) < _GOES_ON or 4 * j_after >= _GOES_ON:
            return False
        # what goes on reads as prose, not as a list of short lines (names, links, headlines)
        return bool(np.median(np.unique(after, return_counts=True)[1]) >= _LIST_LINE_WORDS)

    def _keeps_copies(self, j: int, k: int) -> bool:
        """Whether ``k`` matches every alive copy ``j`` matches."""
        of_j = self.comp.row(j).matched()
        of_j = of_j[self.alive[of_j]]
        of_k = self.comp.row(k).matched()
        return not len(np.setdiff1d(of_j, np.concatenate((of_k, [j, k]))))

    def canonical(self) -> tuple[int, str]:
        """The canonical by ``cleanfeed.dedup.canonical`` policy (matches counted among the
        copies that lead it on its first criteria), ranked on arrays: the policy key's first
        criteria, then its tie-breaks as ranked once (``_Component.tie_rank``). Complete
        copies come first, so only they are ranked when there are some. Only the leader is
        checked for being cut short (``cut_short``), and again the next one while it is: the
        policy's choice, at a few pair checks a round. The same choice and reason as
        ``choose_canonical`` over the members given the copies found cut short."""
        comp = self.comp
        n = len(comp.fps)
        ranked = self.complete_members if len(self.complete_members) else self.members
        # (complete, on the wire's site, cut short, story share): the policy key's first four
        tier = (~self.complete[ranked]).astype(np.int64) * 2 + comp.off_wire[ranked]
        share = 100 - self.share_of(ranked)
        # the copies a leader may be cut short by: the largest (bounded, members-only order)
        longer = ranked[np.lexsort((ranked, -comp.sizes[ranked]))][:_CONTENDERS]
        checked: set[int] = set()
        while True:  # the leader, until one is not cut short (``_CONTENDERS`` checks at most)
            cut = np.isin(ranked, np.array(sorted(self.cut), dtype=np.int64))
            head = (tier * 2 + cut) * 101 + share
            self.count_matches(ranked[head == head.min()])
            matches = np.array([self.matches.get(j, 0) for j in ranked.tolist()],
                               dtype=np.int64)
            key = (head * (n + 1) + (n - matches)) * n + comp.tie_rank[ranked]
            leader = int(ranked[int(np.argmin(key))])
            if len(ranked) == 1 or leader in checked or len(checked) == _CONTENDERS:
                break
            checked.add(leader)
            if not self.cut_short(leader, longer):
                break
            self.cut.add(leader)
        if self.counts.n_alive == 1:
            return int(ranked[0]), "only copy"
        if len(ranked) == 1:  # the only complete copy: any other member is the runner-up
            canon = int(ranked[0])
            runner = int(self.members[0] if self.members[0] != canon else self.members[1])
        else:
            first, second = np.argpartition(key, 1)[:2].tolist()
            if key[second] < key[first]:
                first, second = second, first
            canon, runner = int(ranked[first]), int(ranked[second])
        return canon, explain(comp.fps[canon], self.policy_key(canon), self.policy_key(runner),
                              self.counts.n_alive)

    def copies_of(self, canon: int) -> tuple[dict[int, Similarity], bool]:
        """The alive members that ``verify`` against the canonical itself, and whether it is a
        roundup (then only copies of the roundup page itself stay its copies); else with the
        trimmed first versions it takes in (``_copies_of_copies``)."""
        row = self.comp.row(canon)
        found = row.matched()
        copies = {j: s for j in found[self.alive[found]].tolist()
                  if j != canon and (s := row.similarity(j))}
        if _is_roundup(self.comp, canon, copies):
            # the stories it contains go free; copies of the roundup page itself stay
            return {j: s for j, s in copies.items() if s.basis != "containment"}, True
        copies.update(_copies_of_copies(self.comp, canon, self.alive, copies))
        return copies, False

    def apart(self) -> bool:
        """Whether no two alive members can match any more: none carries a shingle another
        alive text carries (every story size 0), no two share a text, and no ``edges`` say
        otherwise. Each would then be its own round's only member, kept alone, in any order
        (``decide_apart``): the tail of a component that roundups or partial overlaps linked."""
        if self.comp.edges or self.top:
            return False
        return self.counts.twin_texts == 0

    def decide_apart(self, alone: bool) -> dict[int, Decision]:
        """Every alive member kept on its own (when ``apart``): what its own round decides."""
        return {j: self.kept_alone(j, alone) for j in self.members.tolist()}

    def kept_alone(self, j: int, alone: bool) -> Decision:
        """Member ``j`` kept with no copy (``_kept_alone``)."""
        return _kept_alone(self.comp.fps[j], self.config, alone)

    def decide_unmatched(self, alone: bool) -> dict[int, Decision]:
        """The rounds to come while no member carries story (every share 0, as ever after:
        story sizes only shrink) and the ``_CONTENDERS`` largest alive members match no alive
        member: each such round's reference, canonical and only decision is the largest alive
        member, kept alone. Deciding one matches none alive, so it changes no match count:
        the rounds are decided here at once, up to the first whose contenders match some
        member, or after which no two alive members share a text (``apart`` then decides).
        Without ``edges`` only (their verdicts are the rows'). Empty when the first round is
        not such a round."""
        comp, counts = self.comp, self.counts
        if self.top or comp.edges:
            return {}
        order = comp.by_size[self.alive[comp.by_size]]  # alive, as contenders are picked
        twins = counts.twin_texts
        left = counts.text_alive.copy()
        out: dict[int, Decision] = {}
        for k, j in enumerate(order.tolist()):
            for c in order[k : k + _CONTENDERS].tolist():
                if c not in self.matches:
                    self.matches[c] = int(np.count_nonzero(self.alive[comp.row(c).matched()]))
                if self.matches[c]:
                    return out
            out[j] = self.kept_alone(j, alone)
            text = counts.text_of[j]
            left[text] -= 1
            twins -= int(left[text] == 1)
            if not twins:  # the next round finds the rest apart
                return out
        return out

    def decide(
        self, published: Collection[str], settled: Collection[str], alone: bool
    ) -> dict[int, Decision]:
        """This round's decisions: the canonical kept, its copies duplicates of it.

        Published is final: a published copy of this story stays its page, unless the
        policy's choice is complete and the published one is not (a trimmed or earlier
        version): then the new page is kept and says which page it replaces. Another
        published page is never absorbed silently: it stays kept (its own round).
        """
        fps, ids = self.comp.fps, self.comp.ids
        self.mark_complete(self.reference())
        canon, why = self.canonical()
        copies, roundup = self.copies_of(canon)
        replaces = None
        relayed: dict[int, tuple[int, Similarity]] = {}
        earlier = [j for j in sorted((canon, *copies)) if ids[j] in published]
        if earlier and ids[canon] not in published:
            prev_fp, _ = choose_canonical([fps[j] for j in earlier], *self.policy_inputs(earlier))
            prev = self.comp.index[prev_fp.doc_id]
            if self.complete[canon] and not self.complete[prev] and ids[canon] not in settled:
                replaces = ids[prev]
                why = (f"complete story, replaces {replaces} (published by an earlier run, "
                       f"trimmed or an earlier version); {why}")
            else:
                hub, story = canon, copies
                canon, why = prev, "published by an earlier run (published is final)"
                copies, roundup = self.copies_of(canon)
                if not roundup:
                    relayed = _relayed(hub, story, canon, copies)
        copies = {j: s for j, s in copies.items() if ids[j] not in published or ids[j] == replaces}
        kept = fps[canon]
        reason = _kept_reason(kept, len(copies) + len(relayed), roundup, why, alone)
        out = {canon: Decision(kept.doc_id, "kept", kept.doc_id, None,
                               reason + _discount_note(kept, self.config), replaces)}
        for j, s in copies.items():
            out[j] = Decision(
                ids[j],
                "duplicate",
                kept.doc_id,
                s,
                f"copy of {kept.doc_id} ({s.basis}: jaccard {s.jaccard:.3f}, "
                f"containment {s.containment:.3f})" + _discount_note(fps[j], self.config, kept),
            )
        for j, (via, s) in relayed.items():
            if ids[j] in published:
                continue
            out[j] = Decision(
                ids[j],
                "duplicate",
                kept.doc_id,
                s,
                f"copy of {ids[via]} ({s.basis}: jaccard {s.jaccard:.3f}, containment "
                f"{s.containment:.3f}), itself a copy of {kept.doc_id}, published by an earlier run"
                + _discount_note(fps[j], self.config, fps[via]),
            )
        return out


def _relayed(
    hub: int, story: Mapping[int, Similarity], published: int, copies: Mapping[int, Similarity]
) -> dict[int, tuple[int, Similarity]]:
    """The story's pages that a published page, kept in place of the policy's canonical
    ``hub``, does not match itself: ``hub`` verified each (``story``: its copies), so they stay
    the story's copies, relayed through ``hub`` (with their similarity to it). Without this a
    copy of the hub that the published page only reaches through the hub would be kept as a
    story of its own, and a story published yesterday would be published again today. The hub
    itself is among them when the published page's own copies do not include it."""
    out = {j: (hub, s) for j, s in story.items() if j != published and j not in copies}
    if hub not in copies and published in story:
        out[hub] = (published, story[published])
    return out


def resolve_component(
    members: Sequence[Fingerprint],
    edges: Mapping[tuple[str, str], Similarity | None] | None = None,
    config: DedupConfig | None = None,
    published: Collection[str] = frozenset(),
    settled: Collection[str] = frozenset(),
) -> list[Decision]:
    """Decisions for one connected component, sorted by doc id (pure and deterministic).

    The members are decided in the pieces their own text links (``own_pieces``), each on its
    own. In each piece, repeatedly (``_Round.decide``): find the remaining member carrying most
    of the story (``_Component.story_sizes``, ``_Round.reference``); mark members complete
    (matching it, with ``complete_ratio`` of its story and size); choose the canonical by
    ``cleanfeed.dedup.canonical`` policy; its copies are the remaining members that ``verify``
    against the canonical itself (the anti-chaining guard), except that a canonical holding
    several different stories (a roundup, ``_is_roundup``) keeps only copies of itself, and that
    trimmed copies of a first version may join a much longer update (``_copies_of_copies``).
    ``edges`` is an optional cache of ``verify`` results keyed by ``(doc_id, doc_id)`` in either
    order; it must come from the same config. The result depends only on the set of members,
    never on their order. A round costs the rows it reads (each what one contender shares:
    ``_Component``), the story sizes its decisions change (``_Story``) and a pass over the story
    sizes, never a pass over every member's text; the rounds that would each keep one unmatched
    page alone are decided at once (``_Round.decide_unmatched``, ``_Round.decide_apart``). So a
    story copied thousands of times is decided in time linear in its copies' text, and a
    component that roundups glue from thousands of stories in time about linear in its members.

    ``members`` are compared as given: pass them ``Fingerprint.discounted_by`` their sites'
    common lines (the reasons then say how much was discounted). ``published``: ids an earlier
    run emitted as kept. Published is final: a published copy stays its story's canonical,
    unless the policy's choice is complete and the published copy is not (a trimmed or earlier
    version), in which case the new canonical is kept with ``replaces`` naming it.
    ``settled``: ids an earlier run decided as duplicates; such a page never replaces a
    published one (it was not emitted: only a page of this run can be).
    """
    return resolve_pieces(members, edges, config, published, settled).decisions


@dataclass(frozen=True, slots=True)
class Resolution:
    """What ``resolve_pieces`` decided of a component, and what a store keeps of it for later
    runs: the pieces (ids, each piece's in doc id order, the pieces by first member) and the
    LSH keys of each member's own text (the members ``lsh_eligible`` once discounted), by
    which a later page finds the piece it belongs to without the component's other pages."""

    decisions: list[Decision]  # sorted by doc id
    pieces: list[list[str]]
    own_keys: dict[str, np.ndarray]


@dataclass(frozen=True)
class KnownPieces:
    """Own pieces found already, with the own LSH keys of their members that have them: a
    component too large to hold is walked for its pieces once, by all its members' keys
    (``Deduplicator._large_pieces``), and then decided a group of whole pieces at a time."""

    pieces: list[list[str]]
    own_keys: dict[str, np.ndarray]


def resolve_pieces(
    members: Sequence[Fingerprint],
    edges: Mapping[tuple[str, str], Similarity | None] | None = None,
    config: DedupConfig | None = None,
    published: Collection[str] = frozenset(),
    settled: Collection[str] = frozenset(),
    known: KnownPieces | None = None,
) -> Resolution:
    """``resolve_component``, with the pieces it decided in and their members' own LSH keys.
    ``known``: the members' pieces (whole pieces, the members discounted as they were found
    with), which are then not looked for again."""
    config = config or DedupConfig()
    ordered = sorted(members, key=lambda f: f.doc_id)
    ids = [f.doc_id for f in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError("resolve_component: duplicate doc ids among the members")
    if known is None:
        pieces, eligible, keys = _own_pieces(ordered, config, edges)
        own_keys = {ordered[i].doc_id: keys[r] for r, i in enumerate(eligible)}
    else:
        by_id = {f.doc_id: f for f in ordered}
        pieces = sorted(([by_id[i] for i in sorted(piece)] for piece in known.pieces), key=lambda p: p[0].doc_id)
        if sum(map(len, pieces)) != len(ordered):
            raise ValueError("resolve_pieces: the known pieces are not the members'")
        own_keys = dict(known.own_keys)
    decisions = {d.doc_id: d for piece in pieces
                 for d in _resolve_piece(piece, edges, config, published, settled)}
    return Resolution([decisions[i] for i in ids], [[f.doc_id for f in piece] for piece in pieces], own_keys)


def own_pieces(
    members: Sequence[Fingerprint], config: DedupConfig,
    edges: Mapping[tuple[str, str], Similarity | None] | None = None,
) -> list[list[Fingerprint]]:
    """The members (discounted by their sites' common lines) in the pieces that their own text
    links: connected by candidate pairs (sharing an LSH key) that ``verify`` may accept
    (``may_verify``), by one text, or by a copy ``edges`` give. Each piece in the members'
    order, the pieces by first member.

    A component is linked knowledge-free and loosely (``linked``: ``link_floor`` shingles of
    whole pages in common), so the pages of a site whose extractor left its chrome in join
    one component through that chrome, and a roundup, a shared quote or a story given
    another's opening sentence join the stories they share text with: components that grow
    with the input. Here the common lines are known, and every pair ``verify`` accepts, even
    without its size ratio (``_copies_of_copies``), is within one piece. So each piece is
    decided on its own, on arrays of its own size."""
    return _own_pieces(members, config, edges)[0]


def _own_pieces(
    members: Sequence[Fingerprint], config: DedupConfig,
    edges: Mapping[tuple[str, str], Similarity | None] | None,
) -> tuple[list[list[Fingerprint]], list[int], np.ndarray]:
    """``own_pieces``, with the members that took part in LSH (indexes) and their keys."""
    eligible = [i for i, f in enumerate(members) if lsh_eligible(f, config)]
    keys = lsh_keys([members[i] for i in eligible], config)
    roots = piece_roots(
        [f.text_hash if f.n_tokens else None for f in members],
        edge_rows(edges, [f.doc_id for f in members]), eligible, keys,
        lambda a, b: may_verify(members[a], members[b], config))
    pieces: dict[int, list[Fingerprint]] = {}
    for i, f in enumerate(members):
        pieces.setdefault(roots[i], []).append(f)
    return list(pieces.values()), eligible, keys


def edge_rows(edges: Mapping[tuple[str, str], Similarity | None] | None,
              ids: Sequence[str]) -> list[tuple[int, int]]:
    """The copies ``edges`` give among ``ids``, as pairs of their indexes there."""
    if not edges:
        return []
    index = {doc_id: i for i, doc_id in enumerate(ids)}
    return [(index[x], index[y]) for (x, y), similarity in edges.items()
            if similarity is not None and x in index and y in index]


def piece_roots(
    texts: Sequence[str | None], edge_pairs: Iterable[tuple[int, int]], eligible: Sequence[int],
    keys: np.ndarray, may_link: Callable[[int, int], bool],
    hold: Callable[[Sequence[int]], None] | None = None,
) -> list[int]:
    """The piece of each of a component's members (by index): the smallest index of its piece
    (``own_pieces``). ``texts``: each member's text hash (None for an empty text); ``eligible``:
    the members in LSH, ``keys`` their own LSH keys (a row each); ``may_link``: whether two
    members' own texts may be copies (``may_verify``), asked only of members in one bucket
    and in pieces not joined yet; ``hold``: told each bucket's members before they are asked
    about, for a caller that fetches them (a component too large to hold at once).

    The pieces are the connected components of the pairs sharing a text, given by
    ``edge_pairs``, or sharing a key with ``may_link`` true: a pair is skipped only when its
    members are joined already, so the order of the checks does not change them."""
    forest = _Forest(len(texts))
    find, union = forest.find, forest.union
    first: dict[str, int] = {}
    for i, text in enumerate(texts):
        if text is not None:
            union(i, first.setdefault(text, i))
    for a, b in edge_pairs:
        union(a, b)
    # pairs (a, b), a < b, as a * n + b (a tuple takes 3x the room): a memo of checks, emptied
    # at _CHECKED_PAIRS (a site's chrome shares whole-text band keys among its pages, whose
    # stories never link: their pairs grow with the square of its pages)
    checked: set[int] = set()
    for rows in band_buckets(keys):
        by_root: dict[int, list[int]] = {}
        for r in rows:
            by_root.setdefault(find(eligible[r]), []).append(eligible[r])
        groups = list(by_root.values())
        if len(groups) < 2:
            continue
        if hold is not None:
            hold([m for group in groups for m in group])
        for g in range(1, len(groups)):
            for h in range(g):
                _join_pieces(groups[g], groups[h], may_link, find, union, checked, len(texts))
    return [find(i) for i in range(len(texts))]


_CHECKED_PAIRS = 1 << 20  # ~70 MB of the checked pairs' memo at most


def _join_pieces(
    group: Sequence[int], other: Sequence[int], may_link: Callable[[int, int], bool],
    find: Callable[[int], int], union: Callable[[int, int], None],
    checked: set[int], n: int,
) -> None:
    """Check pairs across two groups of joined members (of ``n``) until one links them."""
    for a in group:
        for b in other:
            if find(a) == find(b):
                return
            pair = min(a, b) * n + max(a, b)
            if pair in checked:
                continue
            if len(checked) >= _CHECKED_PAIRS:
                checked.clear()
            checked.add(pair)
            if may_link(a, b):
                union(a, b)


def may_verify(a: Fingerprint, b: Fingerprint, config: DedupConfig) -> bool:
    """Whether ``verify`` may accept two discounted pages, size ratio aside: one text, or the
    smaller with ``min_shingles`` and ``containment_threshold`` of it shared (the loosest of
    its containment floors). ``_copies_of_copies`` waives the size ratio only."""
    if a.n_tokens and a.text_hash == b.text_hash:
        return True
    small = min(a.size, b.size)
    if small < config.min_shingles:
        return False
    shared = _intersection(a.shingle_array(), b.shingle_array())
    return shared >= config.containment_threshold * small


def _resolve_piece(
    ordered: Sequence[Fingerprint],
    edges: Mapping[tuple[str, str], Similarity | None] | None,
    config: DedupConfig,
    published: Collection[str],
    settled: Collection[str],
) -> list[Decision]:
    """``resolve_component`` on one of its ``own_pieces`` (members sorted by doc id)."""
    ids = [f.doc_id for f in ordered]
    if len(ordered) == 1:  # what its only round decides (no pair: no edge applies)
        return [_kept_alone(ordered[0], config, True)]
    comp = _Component(ordered, edges, config)
    story = _Story(comp)
    decisions: dict[str, Decision] = {}
    alone = False
    while story.n_alive:
        round_ = _Round(comp, story.alive, story)
        if round_.apart():
            decided = round_.decide_apart(alone)
        else:
            decided = (round_.decide_unmatched(alone)
                       or round_.decide(published, settled, alone))
        decisions.update((d.doc_id, d) for d in decided.values())
        story.retire(np.array(sorted(decided), dtype=np.int64))
        comp.forget(decided)
        if 0 < story.n_alive <= len(story.alive) // 2:
            # the rest on arrays of the rest only: a round costs what is left, not the story
            comp = _Component([comp.fps[j] for j in np.flatnonzero(story.alive).tolist()],
                              edges, config)
            story = _Story(comp)
    return [decisions[i] for i in ids]


_CONTENDERS = 16  # copies whose matches are counted per round (bounds the work)
#: shingles a copy must go on past another's end for that one to be cut short (a paragraph:
#: a credit line of a long byline, ~30 words, that wrappers did not strip because chrome
#: follows it, is not)
_GOES_ON = 40
#: rows a component keeps for later rounds, least recently used dropped first (a row is
#: recomputed when asked again: same verdicts): the rows of the contenders that rounds count
#: but do not decide cannot pile up to members x columns in a big component
_ROW_CACHE_BYTES = 128 * 2**20


def _kept_alone(f: Fingerprint, config: DedupConfig, alone: bool) -> Decision:
    """A member kept with no copy: what a round whose canonical it is, and that finds it no
    copy, decides (``alone``: the only member of its component)."""
    return Decision(f.doc_id, "kept", f.doc_id, None,
                    _kept_reason(f, 0, False, "", alone) + _discount_note(f, config))


def _kept_reason(kept: Fingerprint, copies: int, roundup: bool, why: str, alone: bool) -> str:
    """Why a round's canonical is kept, given its number of copies and the policy's ``why``."""
    if roundup:
        return (f"own cluster of {copies + 1}: contains several different stories (a roundup), "
                "so it is the copy of none of them")
    if copies:
        return f"canonical of {copies + 1} copies: {why}"
    if not kept.n_tokens:
        return "empty body: never compared"
    if alone:
        return "no near-duplicate"
    return "own cluster: linked to other copies only through a chain of partial overlaps"


def _discount_note(f: Fingerprint, config: DedupConfig, canon: Fingerprint | None = None) -> str:
    """What a decision's reason adds when site-common text was left out of the comparison."""
    parts = [
        f"{x.discounted} of {x.discounted + x.size} shingles of {who} ({x.domain})"
        for x, who in ((f, "this page"), (canon, "the kept page"))
        if x is not None and x.discounted
    ]
    if not parts:
        return ""
    return (f"; discounted as site-common text (lines on pages of >= "
            f"{config.common_line_stories} stories of the site): " + ", ".join(parts))


def _copies_of_copies(
    comp: _Component, canon: int, alive: np.ndarray, copies: Mapping[int, Similarity]
) -> dict[int, Similarity]:
    """Alive members that fail ``verify`` against the canonical only on the size-ratio guard,
    yet lie inside it and match one of its direct copies: a trimmed copy of the first version,
    when the canonical is an update much longer than what the trimmed copy kept.

    Not chaining: each is checked against the canonical itself (containment ≥ threshold, under
    the same size floors as ``verify``); the direct copy only vouches that it is the same story
    rather than a passage quoted from it. One pass over the direct copies, so the result does
    not depend on member order.
    """
    config = comp.config
    direct = np.array(sorted(copies), dtype=np.int64)
    row = comp.row(canon)  # a member sharing no shingle with it lies not inside it
    cols, inter = row.cols, row.inter
    sizes = comp.sizes[cols]
    candidate = (alive[cols] & ~np.isin(cols, direct) & (sizes >= config.min_shingles)
                 & (sizes <= comp.sizes[canon]) & (cols != canon))
    with np.errstate(divide="ignore", invalid="ignore"):
        containment = inter / sizes
    needed = np.where(sizes >= config.short_shingles, config.containment_threshold,
                      config.short_containment)
    out: dict[int, Similarity] = {}
    first = [comp.fps[c] for c in list(copies)[:_VOUCHERS]]
    for k in np.flatnonzero(candidate & (containment >= needed)).tolist():
        j = int(cols[k])
        if _vouched(comp, j, first, direct):
            jaccard = int(inter[k]) / (int(sizes[k]) + int(comp.sizes[canon]) - int(inter[k]))
            out[j] = Similarity(jaccard, float(containment[k]), "containment")
    return out


_VOUCHERS = 8  # direct copies checked pair by pair before a member's whole row is judged


def _vouched(comp: _Component, j: int, first: Sequence[Fingerprint], direct: np.ndarray) -> bool:
    """Whether member ``j`` matches one of the direct copies (``direct``, sorted): the first
    few checked pair by pair (usually one of them does), else ``j``'s whole row. Pairs
    ``edges`` holds are only judged through the row, which applies them."""
    if not comp.edges and any(s is not None for s in verify_many(comp.fps[j], first, comp.config)):
        return True
    return bool(np.isin(comp.row(j).matched(), direct).any())


def _is_roundup(comp: _Component, canon: int, copies: Mapping[int, Similarity]) -> bool:
    """Whether the canonical holds *different* stories, each matching it by containment.

    The second anti-chaining guard: a digest page with stories A and B in full contains both,
    so both verify against it, though A and B share nothing. Copies of one story that the
    canonical contains are all cut from the same text (trimmed copies keep its start), so each
    shares much of itself with the largest of them; one sharing less than ``roundup_overlap``
    means the canonical is a roundup, and it is clustered with none of them.
    """
    sizes = comp.sizes
    inside = np.array([j for j, s in copies.items()
                       if sizes[j] < sizes[canon] and s.basis == "containment"], dtype=np.int64)
    if len(inside) < 2:
        return False
    ref = int(min(inside.tolist(), key=lambda j: (-int(sizes[j]), j)))
    texts = comp.traits.texts
    others = inside[(inside != ref) & (texts[inside] != texts[ref])]
    if not len(others):
        return False
    overlap = comp.intersections(ref)[others] / np.maximum(1, np.minimum(sizes[others], sizes[ref]))
    return bool((overlap < comp.config.roundup_overlap).any())


def cluster_fingerprints(
    fps: Sequence[Fingerprint], config: DedupConfig, published: Collection[str] = frozenset()
) -> list[Decision]:
    """Steps (a)-(d) in memory over a list of fingerprints; decisions in input order.

    Components are the candidates ``linked`` (knowledge-free); each is resolved on its pages
    discounted by their sites' common lines, learned from all ``fps``.

    The reference implementation the incremental ``Deduplicator`` and the Spark engine must
    agree with.
    """
    n = len(fps)
    eligible = [i for i, f in enumerate(fps) if lsh_eligible(f, config)]
    pairs: list[tuple[int, int]] = []
    if eligible:
        for i, j in candidate_pairs(lsh_keys([fps[i] for i in eligible], config)):
            pairs.append((eligible[i], eligible[j]))
    by_text: dict[str, int] = {}
    for i, f in enumerate(fps):
        if f.n_tokens:
            first = by_text.setdefault(f.text_hash, i)
            if first != i:
                pairs.append((first, i))
    labels = connected_components(n, [(i, j) for i, j in pairs if linked(fps[i], fps[j], config)])
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    common = common_lines(*line_pairs(fps), config)
    out: dict[str, Decision] = {}
    for members in groups.values():
        comp = [fps[i].discounted_by(common) for i in members]
        for d in resolve_component(comp, None, config, published):
            out[d.doc_id] = d
    return [out[f.doc_id] for f in fps]
