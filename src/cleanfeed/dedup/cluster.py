"""Cluster stage: which fingerprints are copies of one story, without chaining.

Four steps, each usable on its own (the Spark engine runs (a)-(c) as DataFrame joins and
calls (d) per component):

(a) candidates: documents sharing any LSH band key (``candidate_pairs``), plus documents with
    the same normalised text (``text_hash``);
(b) edges: candidates that may be copies (``linked``: a knowledge-free superset of what
    ``verify`` accepts once each site's common text is discounted);
(c) connected components of the edges (``connected_components``);
(d) ``resolve_component``: per component, on its pages discounted by their sites' common
    lines (``common_lines``), pick the canonical copy by policy, keep as its copies only
    members that ``verify`` *directly* against it, and repeat on the rest.

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
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence

import numpy as np

from .canonical import choose_canonical, policy_key
from ..config import DedupConfig
from ..models import Decision, Similarity
from .fingerprint import Fingerprint, lsh_keys

__all__ = [
    "Decision",
    "Similarity",
    "band_buckets",
    "candidate_pairs",
    "cluster_fingerprints",
    "common_lines",
    "connected_components",
    "link_floor",
    "linked",
    "lsh_eligible",
    "lsh_key",
    "resolve_component",
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
    ``verify(a, b) == verify(b, a)``.
    """
    if _exact(a, b, config):
        return Similarity(1.0, 1.0, "exact")
    if min(a.size, b.size) < config.min_shingles:
        return None
    return _judge(a, b, _intersection(a.shingle_array(), b.shingle_array()), config)


def _exact(a: Fingerprint, b: Fingerprint, config: DedupConfig) -> bool:
    """The same normalised text, and evidence it is one story: some text of its own beyond
    its site's common text (``min_shingles``), or nothing discounted, or one URL (a page
    fetched twice). Two pages of a site whose extraction kept only the site's chrome (their
    story lost) have one text, and are not copies of each other."""
    if not (a.n_tokens and a.text_hash == b.text_hash):
        return False
    if not (a.discounted or b.discounted) or min(a.size, b.size) >= config.min_shingles:
        return True
    return a.story_key() == b.story_key()


def verify_many(
    x: Fingerprint, others: Sequence[Fingerprint], config: DedupConfig
) -> list[Similarity | None]:
    """``[verify(x, o) for o in others]``, the shingle intersections counted in one pass."""
    out: list[Similarity | None] = [None] * len(others)
    xs = x.shingle_array()
    todo = [i for i, o in enumerate(others)
            if not _exact(x, o, config) and min(x.size, o.size) >= config.min_shingles]
    for i, o in enumerate(others):
        if _exact(x, o, config):
            out[i] = Similarity(1.0, 1.0, "exact")
    if not todo or not len(xs):
        return out
    arrays = [others[i].shingle_array() for i in todo]
    concat = np.concatenate(arrays)
    idx = np.searchsorted(xs, concat)
    idx[idx == len(xs)] = 0
    hits = (xs[idx] == concat).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum([len(a) for a in arrays])[:-1]))
    for i, inter in zip(todo, np.add.reduceat(hits, starts).tolist()):
        out[i] = _judge(x, others[i], int(inter), config)
    return out


def _judge(a: Fingerprint, b: Fingerprint, inter: int, config: DedupConfig) -> Similarity | None:
    """``verify`` once the shingle intersection of two fingerprints is counted."""
    small, large = sorted((a.size, b.size))
    jaccard = inter / (small + large - inter)
    containment = inter / small
    needed = (
        config.containment_threshold if small >= config.short_shingles else config.short_containment
    )
    if a.domain and a.domain == b.domain:  # one site's template is shared by all its pages
        needed = max(needed, config.same_site_containment)
    if containment < needed:
        return None
    if jaccard >= config.jaccard_threshold:
        return Similarity(jaccard, containment, "jaccard")
    if small >= config.min_size_ratio * large:
        return Similarity(jaccard, containment, "containment")
    return None


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
    """The rows sharing each key of a band-key matrix, for every key that several rows share.

    The pairs within the buckets are ``candidate_pairs``; walking buckets instead lets a
    caller skip a bucket whose rows it has joined already, without ever holding every pair.
    """
    if len(keys) < 2:
        return
    flat, rows = _by_key(keys)
    starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
    ends = np.concatenate((starts[1:], [len(flat)]))
    for s, e in zip(starts.tolist(), ends.tolist()):
        if e - s >= 2:
            yield sorted(set(rows[s:e].tolist()))


def _by_key(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All keys of an (n, bands) matrix sorted, and the row of each: one sort finds every
    bucket (keys already include their band index, see ``band_keys``)."""
    flat = keys.reshape(-1)
    order = np.argsort(flat, kind="stable")
    return flat[order], order // keys.shape[1]


def connected_components(n: int, pairs: Iterable[tuple[int, int]]) -> np.ndarray:
    """Component label of each of ``n`` nodes: the smallest node index in its component."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs:
        ri, rj = find(int(i)), find(int(j))
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    return np.array([find(i) for i in range(n)], dtype=np.int64)


def _pair_key(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x <= y else (y, x)


def resolve_component(
    members: Sequence[Fingerprint],
    edges: Mapping[tuple[str, str], Similarity | None] | None = None,
    config: DedupConfig | None = None,
    published: Collection[str] = frozenset(),
    settled: Collection[str] = frozenset(),
) -> list[Decision]:
    """Decisions for one connected component, sorted by doc id (pure and deterministic).

    Repeatedly: find the remaining member carrying most of the story (``_story_sizes``); mark
    members complete (matching it, with ``complete_ratio`` of its story and size); choose the canonical by ``cleanfeed.dedup.canonical`` policy; its
    copies are the remaining members that ``verify`` against the canonical itself (the
    anti-chaining guard), except that a canonical holding several different stories (a
    roundup, ``_is_roundup``) keeps only copies of itself, and that trimmed copies of a
    first version may join a much longer update (``_copies_of_copies``). ``edges`` is an optional cache of ``verify`` results keyed by
    ``(doc_id, doc_id)`` in either order; it must come from the same config. The result
    depends only on the set of members, never on their order.

    ``members`` are compared as given: pass them ``Fingerprint.discounted_by`` their sites'
    common lines (the reasons then say how much was discounted). ``published``: ids an earlier
    run emitted as kept. Published is final: a published copy stays its story's canonical,
    unless the policy's choice is complete and the published copy is not (a trimmed or earlier
    version), in which case the new canonical is kept with ``replaces`` naming it.
    ``settled``: ids an earlier run decided as duplicates; such a page never replaces a
    published one (it was not emitted: only a page of this run can be).
    """
    config = config or DedupConfig()
    ordered = sorted(members, key=lambda f: f.doc_id)
    ids = [f.doc_id for f in ordered]
    if len(set(ids)) != len(ids):
        raise ValueError("resolve_component: duplicate doc ids among the members")
    given = edges or {}
    cache: dict[tuple[str, str], Similarity | None] = {}

    def sim(x: Fingerprint, y: Fingerprint) -> Similarity | None:
        key = _pair_key(x.doc_id, y.doc_id)
        if key not in cache:
            if key in given:  # looked up, never copied: callers may pass a big shared mapping
                cache[key] = given[key]
            elif key[::-1] in given:
                cache[key] = given[key[::-1]]
            else:
                cache[key] = verify(x, y, config)
        return cache[key]

    def against(x: Fingerprint, group: Sequence[Fingerprint]) -> None:
        """Fill the cache with ``x`` against every member of ``group``, in one pass."""
        def known(f: Fingerprint) -> bool:
            key = _pair_key(x.doc_id, f.doc_id)
            return key in cache or key in given or key[::-1] in given

        todo = [f for f in group if f is not x and not known(f)]
        if len(todo) > 1:
            for f, s in zip(todo, verify_many(x, todo, config)):
                cache[_pair_key(x.doc_id, f.doc_id)] = s

    decisions: dict[str, Decision] = {}
    remaining = ordered
    first_round = True
    while remaining:
        story = _story_sizes(remaining)
        # story share in 5% steps: copyedits move a copy's count by a few shingles, which must
        # not decide "most complete" (an update's two paragraphs or a cut end do)
        top = max(max(story.values()), 1)
        share = {i: int(20 * n / top + 0.5) * 5 for i, n in story.items()}
        matches: dict[str, int] = {}

        def count_matches(group: Sequence[Fingerprint]) -> None:
            # capped: O(_CONTENDERS * m) checks in a component of m
            for c in sorted(group, key=lambda f: (-f.size, f.doc_id))[:_CONTENDERS]:
                if c.doc_id not in matches:
                    against(c, remaining)
                    matches[c.doc_id] = sum(
                        1 for f in remaining if f is not c and sim(c, f) is not None
                    )

        # the reference: among the copies carrying the most story, the one most others match
        # (not the longest: chrome its extractor left in would make it the yardstick)
        best_share = max(share.values())
        leaders = [f for f in remaining if share[f.doc_id] == best_share]
        count_matches(leaders)
        ref = min(leaders, key=lambda f: (-matches.get(f.doc_id, 0), -f.size, f.doc_id))
        ratio = config.complete_ratio
        against(ref, remaining)
        complete = {
            f.doc_id: f is ref
            or (
                story[f.doc_id] >= ratio * story[ref.doc_id]
                and f.size >= ratio * ref.size
                and sim(f, ref) is not None
            )
            for f in remaining
        }

        def head(f: Fingerprint) -> tuple[int, ...]:
            return policy_key(f, complete[f.doc_id], share[f.doc_id])[:3]

        best_head = min(head(f) for f in remaining)
        count_matches([f for f in remaining if head(f) == best_head])
        canon, why = choose_canonical(remaining, complete, share, matches)

        def copies_of(canon: Fingerprint) -> tuple[dict[str, Similarity], bool]:
            against(canon, remaining)
            copies = {f.doc_id: s for f in remaining if f is not canon and (s := sim(f, canon))}
            inside = [f for f in remaining if f.doc_id in copies]
            if _is_roundup(canon, inside, copies, config):
                # the stories it contains go free; copies of the roundup page itself stay
                return {i: s for i, s in copies.items() if s.basis != "containment"}, True
            copies.update(_copies_of_copies(canon, remaining, copies, sim, config))
            return copies, False

        copies, roundup = copies_of(canon)
        replaces = None
        # published is final: a published copy of this story stays its page, unless the
        # policy's choice is complete and the published one is not (a trimmed or earlier
        # version): then the new page is kept and says which page it replaces
        earlier = [f for f in remaining
                   if f.doc_id in published and (f is canon or f.doc_id in copies)]
        if earlier and canon.doc_id not in published:
            prev, _ = choose_canonical(earlier, complete, share, matches)
            if (complete[canon.doc_id] and not complete[prev.doc_id]
                    and canon.doc_id not in settled):
                replaces = prev.doc_id
                why = (f"complete story, replaces {prev.doc_id} (published by an earlier run, "
                       f"trimmed or an earlier version); {why}")
            else:
                canon, why = prev, "published by an earlier run (published is final)"
                copies, roundup = copies_of(canon)
        # another published page is never absorbed silently: it stays kept (its own round)
        copies = {i: s for i, s in copies.items() if i not in published or i == replaces}
        if roundup:
            reason = (
                f"own cluster of {len(copies) + 1}: contains several different stories (a "
                "roundup), so it is the copy of none of them"
            )
        elif copies:
            reason = f"canonical of {len(copies) + 1} copies: {why}"
        elif not canon.n_tokens:
            reason = "empty body: never compared"
        elif first_round and len(ordered) == 1:
            reason = "no near-duplicate"
        else:
            reason = "own cluster: linked to other copies only through a chain of partial overlaps"
        by_id = {f.doc_id: f for f in remaining}
        decisions[canon.doc_id] = Decision(
            canon.doc_id, "kept", canon.doc_id, None, reason + _discount_note(canon, config),
            replaces)
        for doc_id, s in copies.items():
            decisions[doc_id] = Decision(
                doc_id,
                "duplicate",
                canon.doc_id,
                s,
                f"copy of {canon.doc_id} ({s.basis}: jaccard {s.jaccard:.3f}, "
                f"containment {s.containment:.3f})"
                + _discount_note(by_id[doc_id], config, canon),
            )
        remaining = [f for f in remaining if f.doc_id not in decisions]
        first_round = False
    return [decisions[i] for i in ids]


_CONTENDERS = 16  # copies whose matches are counted per round (bounds the work)


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


def _story_sizes(members: Sequence[Fingerprint]) -> dict[str, int]:
    """Per member, how many of its shingles are story rather than chrome.

    Story is what a page of *another site* also prints: what two sites print alike is the
    story they share, while a site's own chrome (menus, other stories' headlines, a sources
    list) recurs only on that site's pages, which may share a component through it. Exact
    twins on two sites count for each other; twins on one site (or without one) once, so a
    page republished twice does not make its own chrome look like story.

    Counted by line: every shingle of a line ``_LINE_SHARE`` of whose shingles another site
    carries.
    A copyedit changes a few words of a line, and two desks that made the same edits share
    them, which must not make their copies look more complete than the original (whose
    words were edited away in both): the line is the story's either way.
    """
    arrays = [f.shingle_array() for f in members]
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    if len(members) < 2 or not lengths.sum():
        return {f.doc_id: 0 for f in members}
    sites: dict[str, int] = {}
    site_of = [sites.setdefault(_site(f), len(sites)) for f in members]
    concat = np.concatenate(arrays)
    site = np.repeat(np.array(site_of, dtype=np.int64), lengths)
    # shared: a shingle on pages of two sites or more (one sort over (shingle, site))
    order = np.lexsort((site, concat))
    hashes, owners = concat[order], site[order]
    first = np.ones(len(hashes), dtype=bool)
    first[1:] = hashes[1:] != hashes[:-1]
    new_site = first.copy()
    new_site[1:] |= owners[1:] != owners[:-1]
    group = np.cumsum(first) - 1  # the distinct shingle at each sorted position
    shared = np.empty(len(hashes), dtype=bool)
    shared[order] = np.bincount(group, weights=new_site)[group] >= 2
    # each shingle's line, numbered across members (without a line map, one line per shingle)
    line_ids, base = [], 0
    for f, n in zip(members, lengths.tolist()):
        if not n:
            continue
        lines = np.frombuffer(f.shingle_lines, dtype="<u2")
        ids = lines.astype(np.int64) if len(lines) == n else np.arange(n, dtype=np.int64)
        line_ids.append(ids + base)
        base += int(ids.max()) + 1
    line = np.concatenate(line_ids)
    total = np.bincount(line, minlength=base)
    carried = np.bincount(line[shared], minlength=base)
    story = ((carried > 0) & (_LINE_SHARE * total <= carried))[line]
    member = np.repeat(np.arange(len(members)), lengths)
    counts = np.bincount(member[story], minlength=len(members))
    return {f.doc_id: int(c) for f, c in zip(members, counts.tolist())}


def _copies_of_copies(
    canon: Fingerprint,
    remaining: Sequence[Fingerprint],
    copies: Mapping[str, Similarity],
    sim: Callable[[Fingerprint, Fingerprint], Similarity | None],
    config: DedupConfig,
) -> dict[str, Similarity]:
    """Members that fail ``verify`` against the canonical only on the size-ratio guard, yet
    lie inside it and match one of its direct copies: a trimmed copy of the first version,
    when the canonical is an update much longer than what the trimmed copy kept.

    Not chaining: each is checked against the canonical itself (containment ≥ threshold, under
    the same size floors as ``verify``); the direct copy only vouches that it is the same story
    rather than a passage quoted from it. One pass over the direct copies, so the result does
    not depend on member order.
    """
    direct = [f for f in remaining if f.doc_id in copies]
    out: dict[str, Similarity] = {}
    canon_shingles = canon.shingle_array()
    for f in remaining:
        if f is canon or f.doc_id in copies or f.size < config.min_shingles or f.size > canon.size:
            continue
        inter = _intersection(f.shingle_array(), canon_shingles)
        containment = inter / f.size
        needed = (
            config.containment_threshold
            if f.size >= config.short_shingles
            else config.short_containment
        )
        if containment >= needed and any(sim(f, c) is not None for c in direct):
            jaccard = inter / (f.size + canon.size - inter)
            out[f.doc_id] = Similarity(jaccard, containment, "containment")
    return out


def _is_roundup(
    canon: Fingerprint,
    members: Sequence[Fingerprint],
    sims: Mapping[str, Similarity],
    config: DedupConfig,
) -> bool:
    """Whether the canonical holds *different* stories, each matching it by containment.

    The second anti-chaining guard: a digest page with stories A and B in full contains both,
    so both verify against it, though A and B share nothing. Copies of one story that the
    canonical contains are all cut from the same text (trimmed copies keep its start), so each
    shares much of itself with the largest of them; one sharing less than ``roundup_overlap``
    means the canonical is a roundup, and it is clustered with none of them.
    """
    inside = [f for f in members if f.size < canon.size and sims[f.doc_id].basis == "containment"]
    if len(inside) < 2:
        return False
    ref = min(inside, key=lambda f: (-f.size, f.doc_id))
    ref_shingles = ref.shingle_array()
    for f in inside:
        if f is ref or f.text_hash == ref.text_hash:
            continue
        overlap = _intersection(f.shingle_array(), ref_shingles) / max(1, min(f.size, ref.size))
        if overlap < config.roundup_overlap:
            return True
    return False


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
