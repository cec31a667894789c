"""Incremental near-duplicate detection: documents in, one decision per document out.

``Deduplicator`` takes ``CleanDoc``s one at a time or in batches and says for each whether it
is kept (new) or a duplicate of which kept document, with the similarity (Jaccard and
containment) and a reason. The final decisions are a function of the *set* of documents
seen: any order, any batching, one run or several runs through one ``SqliteStore`` give the
same clusters and the same canonical copies.

That is why a later document can change an earlier decision: when a better canonical arrives
(the wire's own copy, a complete copy after a trimmed one), the earlier kept document becomes
its duplicate. ``add``/``add_batch`` return the decisions of the given documents plus every
earlier decision that changed; ``decisions()`` is the final assignment of all documents.

A job adding many batches can defer the decisions: ``add_fingerprints(fps, resolve=False)``
links each batch into its components (decisions "pending"), and one ``resolve()`` at the end
decides every touched component once. Same final decisions, far less work for a story copied
a thousand times; pending decisions are stored, so a run interrupted between the two is
decided by the next ``resolve()``.

A job whose store later jobs go on with (``cleanfeed run --index``: a crawl cleaned day after
day) ends with ``resolve(settle=True)``: its components are split into the pieces their own
text holds them in, and its pages are indexed by their own text, so that tomorrow's pages reach
today's through their stories, not through the chrome their sites left in, and a run costs what
its own pages reach rather than everything their sites ever published. Settled pages are found
as LSH on their own text finds them: the same decisions as one job over all the days wherever
it finds the copies.

Example::

    dedup = Deduplicator()
    result = dedup.add(doc)            # AddResult(decisions=(Decision(...),), changed=(...))
    for d in dedup.decisions():         # final, sorted by doc id
        print(d.doc_id, d.status, d.canonical_id, d.reason)
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..config import DedupConfig
from ..errors import IndexMismatchError
from ..models import CleanDoc, Decision, Similarity
from .cluster import (
    KnownPieces,
    band_buckets,
    common_lines,
    edge_rows,
    line_pairs,
    linked,
    lsh_eligible,
    may_verify,
    piece_roots,
    resolve_pieces,
)
from .fingerprint import LEAD_LINES, Fingerprint, distinct, fingerprint_batch, lsh_keys
from .store import MemoryStore, Reach, Settled, Store

__all__ = ["AddResult", "Deduplicator", "deduplicate"]


@dataclass(frozen=True, slots=True)
class AddResult:
    """The outcome of one ``add``/``add_batch`` call.

    ``decisions``: one per document given, in input order. ``changed``: decisions of documents
    added *earlier* that this call changed (a kept document superseded by a better canonical,
    a duplicate re-pointed to the new canonical), sorted by doc id.
    """

    decisions: tuple[Decision, ...]
    changed: tuple[Decision, ...]

    @property
    def decision(self) -> Decision:
        """The decision of the single document given to ``add``."""
        if len(self.decisions) != 1:
            raise ValueError(f"this result holds {len(self.decisions)} decisions; use .decisions")
        return self.decisions[0]


class Deduplicator:
    """Finds syndicated copies among documents given one at a time or in batches.

    ``store`` defaults to a ``MemoryStore``; pass a ``SqliteStore`` to persist across runs.
    The store must have been built with the same ``DedupConfig`` (else ``IndexMismatchError``).
    """

    def __init__(self, config: DedupConfig | None = None, store: Store | None = None) -> None:
        self.config = config or (store.config if store is not None else DedupConfig())
        self.store: Store = store if store is not None else MemoryStore(self.config)
        if self.store.config.fingerprint() != self.config.fingerprint():
            raise IndexMismatchError(
                f"store built with DedupConfig {self.store.config.fingerprint()}, "
                f"deduplicator given {self.config.fingerprint()}: use one config for both"
            )

    def add(self, doc: CleanDoc) -> AddResult:
        """Add one document."""
        return self.add_batch([doc])

    def add_batch(self, docs: Sequence[CleanDoc]) -> AddResult:
        """Add documents (vectorised fingerprinting; same decisions as adding them one by one)."""
        return self.add_fingerprints(fingerprint_batch(docs, self.config))

    def add_fingerprints(self, fps: Sequence[Fingerprint], *, resolve: bool = True) -> AddResult:
        """Add already computed fingerprints (e.g. from another process).

        ``resolve=False`` links the documents into their components but leaves their decisions
        "pending" until ``resolve()``. A run that adds many batches then decides each component
        once, at the end, instead of after every batch that touches it (a story copied a
        thousand times would be re-decided with every batch). The final decisions are the same.

        The steps: ``_unseen`` (ids added before with the same text are no-ops),
        ``_exact_copies`` (exact copies link to the first of their text and stay out of LSH),
        ``_Linker`` (candidate pairs checked with ``linked`` while merging components),
        ``_merged`` (the merged components, labelled, their new members pending), then the
        commit and, unless deferred, ``resolve``.
        """
        new = self._unseen(fps)
        new_fps = list(new.values())
        links, twins = self._exact_copies(new_fps)
        eligible = [f for f in new_fps if lsh_eligible(f, self.config) and f.doc_id not in twins]
        keys = lsh_keys(eligible, self.config)
        linker = _Linker(self.store, self.config, new,
                         self.store.components({o for _, o in links if o not in new}))
        linker.start(new_fps)
        linker.join_exact(links)
        linker.link_stored(eligible, keys, self.store.lsh_candidates)
        if self.store.holds_own():
            # settled pages, by their own text: the pair is judged on its own text too (a key
            # the discount leaves, a lead line, can still be chrome the other page shares).
            # The batch's own pages count: chrome today's pages share is known as common,
            # even where the earlier runs held too few pages of the site to know it.
            line_keys = [f.line_keys() for f in eligible]
            common = self._common(line_keys, new_fps)
            discounted = {f.doc_id: f.discounted_by(common, k)
                          for f, k in zip(eligible, line_keys, strict=True)}
            own = [o for o in discounted.values() if lsh_eligible(o, self.config)]
            linker.link_stored(own, lsh_keys(own, self.config), self.store.own_candidates,
                               lambda f: discounted.get(f.doc_id) or f.discounted_by(common))
        linker.link_batch(eligible, keys)
        components, pending = self._merged(linker)
        in_lsh = {f.doc_id for f in eligible}
        self.store.commit(
            [(f, None) for f in new_fps if f.doc_id not in in_lsh] + list(zip(eligible, keys, strict=True)),
            components,
            pending,
        )
        # decide: every pending component, resolved from scratch (pure)
        result = self.resolve() if resolve else AddResult((), ())
        final = {d.doc_id: d for d in (*pending, *result.decisions)}
        final.update(self.store.decisions([f.doc_id for f in fps if f.doc_id not in final]))
        changed = [*result.changed, *(d for d in result.decisions if d.doc_id not in new)]
        return AddResult(
            tuple(final[f.doc_id] for f in fps), tuple(sorted(changed, key=lambda d: d.doc_id))
        )

    def _unseen(self, fps: Sequence[Fingerprint]) -> dict[str, Fingerprint]:
        """The documents not added before, by doc id (first of each id). An id seen before (in
        the store or earlier in this batch) with the same text is a no-op; with another text
        it is refused (``ValueError``)."""
        known = self.store.text_hashes({f.doc_id for f in fps})
        new: dict[str, Fingerprint] = {}
        for f in fps:
            seen = known.get(f.doc_id) or (new[f.doc_id].text_hash if f.doc_id in new else None)
            if seen is None:
                new[f.doc_id] = f
            elif seen != f.text_hash:
                raise ValueError(
                    f"doc id {f.doc_id!r} was already added with another text; ids must be unique"
                )
        return new

    def _exact_copies(
        self, new_fps: Sequence[Fingerprint]
    ) -> tuple[set[tuple[str, str]], set[str]]:
        """Links of new documents to an exact copy (the same normalised text: the smallest
        stored id of that text, else the first of the batch), and the set of linked documents
        (twins).

        Stored docs with one text are already in one component: one of them is enough. An
        exact twin has its twin's shingles and signature, so every candidate of it is one of
        the twin's and ``linked`` judges it alike: twins stay out of the LSH index (which then
        does not grow with every republication) and out of the candidate walk.
        """
        links: set[tuple[str, str]] = set()
        exact = self.store.exact_matches({f.text_hash for f in new_fps if f.n_tokens})
        first_by_text: dict[str, str] = {}
        twins: set[str] = set()
        for f in new_fps:
            if not f.n_tokens:
                continue
            if f.text_hash in exact:
                links.add((f.doc_id, exact[f.text_hash]))
            elif f.text_hash in first_by_text:
                links.add((f.doc_id, first_by_text[f.text_hash]))
            else:
                first_by_text[f.text_hash] = f.doc_id
                continue
            twins.add(f.doc_id)
        return links, twins

    def _merged(self, linker: _Linker) -> tuple[dict[str, str], list[Decision]]:
        """The merged components, each labelled by its smallest doc id: the label of every
        member whose label changes (new members, and those of stored components merged into
        another's label), and a pending decision for each new member.

        A stored component's label is its smallest id, so the merged label is the smallest
        of the new ids and the stored labels, and the members of the stored component that
        holds it keep their label: they are not fetched nor rewritten (a component that grows
        batch after batch costs what it gains, not its size every time)."""
        groups = linker.groups()
        labels = [min(node.key for node in nodes) for nodes in groups]
        stored = self.store.component_members(sorted(
            {node.key for nodes, label in zip(groups, labels, strict=True) for node in nodes
             if not node.new and node.key != label}))
        components: dict[str, str] = {}
        pending: list[Decision] = []
        for nodes, label in zip(groups, labels, strict=True):
            member_ids = [node.key for node in nodes if node.new]
            old_ids = [m for node in nodes if not node.new and node.key != label
                       for m in stored[node.key]]
            components.update((m, label) for m in member_ids + old_ids)
            pending.extend(Decision(m, "pending", label, None, _PENDING) for m in member_ids)
        return components, pending

    def resolve(
        self, edges: Mapping[tuple[str, str], Similarity | None] | None = None, *,
        settle: bool = False,
    ) -> AddResult:
        """Decide every pending document's component (``add_fingerprints(resolve=False)``).

        ``decisions``: the pending documents' decisions, by doc id; ``changed``: decisions of
        documents decided before that changed. ``edges``: ``verify`` results to reuse.

        ``settle``: the end of a run whose store later runs go on with (``--index``). Each
        decided component is split into the pieces its own text holds it in, and its pages
        are indexed by their own text (``store.Settled``): a later run's page links to an
        earlier run's pages through its story, not through the chrome its site left in, so
        a run decides the pieces its pages reach, not everything their sites ever published.
        Later runs then find a settled page as LSH on its own text finds it (as ``resolve``
        pieces a component), where an unsettled one is found by its whole text and decided
        with its whole component: the same decisions wherever own-text LSH finds the copies
        (``benchmarks.daily_index`` measures how close). Within a run, batches are never
        settled, so any order and batching give the same decisions.
        """
        pending = self.store.pending()
        if not pending:
            return AddResult((), ())
        waiting = set(pending)
        labels = sorted(set(self.store.components(pending).values()))
        decided: list[Decision] = []
        changed: list[Decision] = []
        for start in range(0, len(labels), _RESOLVE_LABELS):
            members = self.store.component_members(labels[start : start + _RESOLVE_LABELS])
            for group in _member_bounded(members):
                for part, common, known in self._parts(group, edges):
                    done, redone, pieces, moves = self._resolve_labels(part, waiting, edges,
                                                                       settle, common, known)
                    self.store.commit([], pieces, [*done, *redone], moves)
                    decided.extend(done)
                    changed.extend(redone)
        return AddResult(
            tuple(sorted(decided, key=lambda d: d.doc_id)),
            tuple(sorted(changed, key=lambda d: d.doc_id)),
        )

    def _parts(self, group: dict[str, Sequence[str]],
               edges: Mapping[tuple[str, str], Similarity | None] | None,
               ) -> Iterator[tuple[dict[str, Sequence[str]], np.ndarray | None, KnownPieces | None]]:
        """A group of components as ``_member_bounded`` gives it, to decide at once; a component
        whose fingerprints take more than ``_WHOLE_BYTES`` (it comes alone: over
        ``_RESOLVE_MEMBERS`` members) as its own pieces (``_large_pieces``) in groups of at
        most ``_RESOLVE_MEMBERS`` members. Each piece is decided on its own, so this
        changes no decision, and what is fetched at once stays bounded however many pages
        their sites' chrome linked into one component (in one run of pages from recurring
        sites, most of them). With each part, its sites' common lines when known already, and
        its pieces with their members' own keys when found already (not looked for again)."""
        if len(group) > 1 or not self._too_large(*group.values()):
            yield group, None, None
            return
        [(label, ids)] = group.items()
        found, common, own_keys = self._large_pieces(ids, edges)
        for bounded in _member_bounded({piece[0]: piece for piece in found}):
            members = [m for piece in bounded.values() for m in piece]
            yield {label: members}, common, KnownPieces([list(p) for p in bounded.values()], own_keys(members))

    def _too_large(self, ids: Sequence[str]) -> bool:
        """Whether a component's fingerprints take more than ``_WHOLE_BYTES``."""
        return len(ids) > _RESOLVE_MEMBERS and self.store.fingerprint_bytes(ids) > _WHOLE_BYTES

    def _large_pieces(self, ids: Sequence[str],
                      edges: Mapping[tuple[str, str], Similarity | None] | None,
                      ) -> tuple[list[list[str]], np.ndarray, Callable[[Sequence[str]], dict[str, np.ndarray]]]:
        """The own pieces (``cluster.own_pieces``) of a component too large to hold, its
        sites' common lines, and the own LSH keys of some of its members (those that have
        them), as the walk found them. Each member's own text is read once, a slice at a time,
        for its LSH keys, and again when a bucket it is in asks for a check (``_Held``). What
        is held for all members is their keys (~530 bytes each), text hashes and their sites'
        common lines."""
        ids = sorted(ids)
        texts: list[str | None] = []
        eligible: list[int] = []
        # filled in place, a slice at a time: no second copy to join them
        keys = np.empty((len(ids), self.config.bands + LEAD_LINES), dtype=np.uint64)
        common: list[np.ndarray] = []
        for start in range(0, len(ids), _RESOLVE_MEMBERS):
            fps = self._fingerprints(ids[start : start + _RESOLVE_MEMBERS])
            lines = [f.line_keys() for f in fps]
            common.append(self._common(lines))
            own = [f.discounted_by(common[-1], k) for f, k in zip(fps, lines, strict=True)]
            del fps, lines
            texts.extend(f.text_hash if f.n_tokens else None for f in own)
            in_lsh = [r for r, f in enumerate(own) if lsh_eligible(f, self.config)]
            keys[len(eligible) : len(eligible) + len(in_lsh)] = lsh_keys(
                [own[r] for r in in_lsh], self.config)
            eligible.extend(start + r for r in in_lsh)
        # a line's commonness is the store's, whichever slice asked: one array for all
        known = distinct(np.concatenate(common))
        held = _Held(lambda some: [f.discounted_by(known) for f in self._fingerprints(some)], ids)
        roots = piece_roots(texts, edge_rows(edges, ids), eligible, keys[: len(eligible)],
                            lambda a, b: may_verify(held[a], held[b], self.config), held.hold)
        pieces: dict[int, list[str]] = {}
        for doc_id, root in zip(ids, roots, strict=True):
            pieces.setdefault(root, []).append(doc_id)
        row_of = np.full(len(ids), -1, dtype=np.int64)  # a member's row of ``keys`` (ids are sorted)
        row_of[eligible] = np.arange(len(eligible))

        def own_keys(members: Sequence[str]) -> dict[str, np.ndarray]:
            rows = {m: int(row_of[bisect_left(ids, m)]) for m in members}
            return {m: keys[r] for m, r in rows.items() if r >= 0}

        return list(pieces.values()), known, own_keys

    def _fingerprints(self, ids: Sequence[str]) -> list[Fingerprint]:
        """These stored documents' fingerprints, in order."""
        found = self.store.fingerprints(ids)
        return [found[i] for i in ids]

    def _resolve_labels(
        self, members_of: Mapping[str, Sequence[str]], waiting: Collection[str],
        edges: Mapping[tuple[str, str], Similarity | None] | None, settle: bool,
        common: np.ndarray | None = None, known: KnownPieces | None = None,
    ) -> tuple[list[Decision], list[Decision], dict[str, str], list[Settled]]:
        """Decide these components (their members by label: ``resolve_pieces`` on their
        pages discounted by their sites' common lines): the decisions of the ``waiting``
        (pending) documents, and those of documents decided before that changed; and, to
        ``settle`` them (see ``resolve``), the new label of each member whose label changes
        (its piece's: its smallest id) and the members' moves from the whole-text index to
        the own-text one (``Settled``: an exact twin of a smaller id goes to neither, as it
        was kept out of the first). ``common``: their sites' common lines, when known already
        (``_parts``); ``known``: the pieces of the one component given, when found already.

        Each component's fingerprints are held once: as fetched until discounted, then only
        discounted, and dropped once it is decided (``_member_bounded`` bounds how many
        components are fetched at once)."""
        fps_of = [list(self.store.fingerprints(ids).values()) for ids in members_of.values()]
        keys_of = [[f.line_keys() for f in fps] for fps in fps_of]
        if common is None:
            common = self._common([k for keys in keys_of for k in keys])
        published = self.store.published([f.doc_id for fps in fps_of for f in fps])
        decided: list[Decision] = []
        changed: list[Decision] = []
        relabel: dict[str, str] = {}
        moves: list[Settled] = []
        for c, (label, ids) in enumerate(members_of.items()):
            fps, keys = fps_of[c], keys_of[c]
            fps_of[c], keys_of[c] = [], []  # held below as discounted only
            settled = {i for i in ids if i not in waiting and i not in published}
            linked_by = _link_keys(fps, self.config) if settle else {}
            own = [f.discounted_by(common, k) for f, k in zip(fps, keys, strict=True)]
            del fps, keys
            resolved = resolve_pieces(own, edges, self.config, published, settled, known)
            if settle:
                twins = _twins(own)
                for piece in resolved.pieces:
                    relabel.update((m, piece[0]) for m in piece if piece[0] != label)
                moves.extend(Settled(i, linked_by.get(i), None if i in twins else resolved.own_keys.get(i))
                             for i in ids)
            del own
            old = self.store.decisions([i for i in ids if i not in waiting])
            for d in resolved.decisions:
                if d.doc_id in waiting:
                    decided.append(d)
                elif old[d.doc_id] != d:
                    changed.append(d)
        return decided, changed, relabel, moves

    def _common(self, line_keys: Sequence[np.ndarray],
                unstored: Sequence[Fingerprint] = ()) -> np.ndarray:
        """The site-common line keys among these line keys (``Fingerprint.line_keys`` of some
        pages), by what the store holds and the lines of the ``unstored`` pages."""
        keys = distinct(np.concatenate(line_keys)) if line_keys else None
        if keys is None or not len(keys):
            return np.empty(0, dtype=np.uint64)
        stored_keys, stories = self.store.line_stories(keys)
        new_keys, new_stories = line_pairs(unstored)
        return common_lines(np.concatenate([stored_keys, new_keys]),
                            np.concatenate([stories, new_stories]), self.config)

    def publish(self, doc_ids: Iterable[str]) -> None:
        """Record that these documents were emitted as kept (those whose decision is kept):
        from then on each stays its story's published page (``resolve_component``)."""
        ids = list(doc_ids)
        kept = [d for d in self.store.decisions(ids).values() if d.status == "kept"]
        if kept:
            # a page another replaced is no longer its story's published page
            self.store.publish([d.doc_id for d in kept],
                               [d.replaces for d in kept if d.replaces])

    def decisions(self) -> list[Decision]:
        """The current decision of every document seen (all runs of the store), by doc id."""
        return sorted(self.store.decisions().values(), key=lambda d: d.doc_id)

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Deduplicator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_QUERY_ROWS = 64  # lookups per LSH query: bounds the candidate lists held at once
_RESOLVE_LABELS = 256  # components whose members are looked up at once
_RESOLVE_MEMBERS = 2048  # members whose fingerprints are fetched and decided per store commit
#: the most fingerprint bytes of a component decided whole (held at once, with their
#: discounted copies and arrays: ~1.3x that); a larger one is decided in its pieces
_WHOLE_BYTES = 256 * 2**20
#: the fingerprints held while a large component's pieces are found (~230 MB of pages of
#: ~1,300 words)
_HELD_MEMBERS = 16_384


def _member_bounded(members: Mapping[str, Sequence[str]]) -> Iterator[dict[str, Sequence[str]]]:
    """The components (members by label) in groups of at most ``_RESOLVE_MEMBERS`` members (a
    larger component alone), in order: what ``resolve`` fetches at once stays bounded however
    the labels fall (the big components of a run can all sort first). Decisions do not depend
    on the grouping: each component is decided on its own, and the common lines each is
    discounted by are those the store holds, whatever else is fetched with it."""
    group: dict[str, Sequence[str]] = {}
    count = 0
    for label, ids in members.items():
        if group and count + len(ids) > _RESOLVE_MEMBERS:
            yield group
            group, count = {}, 0
        group[label] = ids
        count += len(ids)
    if group:
        yield group
_PENDING = "linked into its component; not decided yet"


def _link_keys(fps: Sequence[Fingerprint], config: DedupConfig) -> dict[str, np.ndarray]:
    """The band keys the whole-text index holds these documents by, the ``lsh_eligible`` ones
    (removing the keys of one not there is a no-op: an exact twin, a page settled before). A
    page an index of schema 4 holds there though decided leaves it once its component is
    decided again."""
    eligible = [f for f in fps if lsh_eligible(f, config)]
    keys = lsh_keys(eligible, config)
    return {f.doc_id: keys[r] for r, f in enumerate(eligible)}


class _Held:
    """The own fingerprints of a large component's members, by index, fetched as they are
    asked for: at most ``_HELD_MEMBERS`` held, the least recently used dropped first."""

    def __init__(self, fetch: Callable[[Sequence[str]], list[Fingerprint]],
                 ids: Sequence[str]) -> None:
        self.fetch = fetch
        self.ids = ids
        self.held: OrderedDict[int, Fingerprint] = OrderedDict()

    def hold(self, rows: Sequence[int]) -> None:
        """Have these members at hand: the missing ones fetched in one call."""
        missing = []
        for r in dict.fromkeys(rows):
            if r in self.held:
                self.held.move_to_end(r)
            else:
                missing.append(r)
        if missing:
            self.held.update(zip(missing, self.fetch([self.ids[r] for r in missing]), strict=True))
        while len(self.held) > _HELD_MEMBERS:
            self.held.popitem(last=False)

    def __getitem__(self, r: int) -> Fingerprint:
        if r not in self.held:
            self.hold([r])
        return self.held[r]


def _twins(fps: Sequence[Fingerprint]) -> set[str]:
    """The documents with the text of a smaller id among ``fps``: that one stands for them."""
    first: dict[str, str] = {}
    twins: set[str] = set()
    for f in sorted(fps, key=lambda f: f.doc_id):
        if f.n_tokens and first.setdefault(f.text_hash, f.doc_id) != f.doc_id:
            twins.add(f.doc_id)
    return twins


class _Node(NamedTuple):
    """A union-find node of ``_Linker``: a stored component (by its label) or a new document
    (by its doc id). Stored components order before documents (the root of a merge is the
    smaller node; any root gives the same components). A tuple: hashed and compared in C."""

    new: bool
    key: str


class _Linker:
    """Links one batch's new documents into components: a union-find over the new documents
    and the stored components they reach, joined by candidate pairs that are ``linked``.

    A pair whose two sides are in one component already is not checked: its edge could not
    change the components. So a new doc joins a stored component at its first candidate
    there that links, and the copies of one story in a batch are not all checked pairwise.
    Candidates are walked, never collected: the pairs of a widely copied story would not fit
    in memory.
    """

    def __init__(self, store: Store, config: DedupConfig, new: Mapping[str, Fingerprint],
                 comp_of: Mapping[str, str]) -> None:
        self.store = store
        self.config = config
        self.new = new
        self.comp_of = dict(comp_of)  # stored doc id -> its component label
        self.fp_of = dict(new)  # fingerprints fetched so far (new ones, then stored ones)
        self.parent: dict[_Node, _Node] = {}
        self.checked: set[tuple[str, str]] = set()

    def node(self, doc_id: str) -> _Node:
        """The node of a document: itself if new, else its stored component."""
        if doc_id in self.new:
            return _Node(True, doc_id)
        return _Node(False, self.comp_of[doc_id])

    def find(self, x: _Node) -> _Node:
        """The root of ``x`` (added as its own root when first seen), halving paths."""
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, ra: _Node, rb: _Node) -> None:
        """Join two roots (the larger under the smaller)."""
        self.parent[max(ra, rb)] = min(ra, rb)

    def joined(self, a: str, b: str) -> bool:
        return self.find(self.node(a)) == self.find(self.node(b))

    def fingerprint_of(self, doc_id: str) -> Fingerprint:
        """A document's fingerprint: new, or fetched from the store (with its component)."""
        if doc_id not in self.fp_of:
            self.fp_of.update(self.store.fingerprints([doc_id]))
            self.comp_of.update(self.store.components([doc_id]))
        return self.fp_of[doc_id]

    def link(self, a: str, b: str, own: Callable[[Fingerprint], Fingerprint] | None = None) -> bool:
        """Check one candidate pair (``a`` new) unless its sides are joined already; on the
        pair's ``own`` text (their sites' common lines discounted) when given. Whether its
        sides are joined now."""
        ra, rb = self.find(self.node(a)), self.find(self.node(b))
        if ra == rb:
            return True
        if (a, b) in self.checked or (b, a) in self.checked:
            return False
        self.checked.add((a, b))
        x, y = self.fp_of[a], self.fingerprint_of(b)
        if linked(x, y, self.config) if own is None else linked(own(x), own(y), self.config):
            self.union(ra, rb)
            return True
        return False

    def start(self, new_fps: Iterable[Fingerprint]) -> None:
        """Every new document is a node (its own component until linked)."""
        for f in new_fps:
            self.find(self.node(f.doc_id))

    def join_exact(self, links: Iterable[tuple[str, str]]) -> None:
        """Exact copies are joined unchecked, first: most candidates are then settled."""
        for a, b in sorted(links):
            ra, rb = self.find(self.node(a)), self.find(self.node(b))
            if ra != rb:
                self.union(ra, rb)

    def link_stored(self, eligible: Sequence[Fingerprint], keys: np.ndarray,
                    lookup: Callable[[np.ndarray], list[list[Reach]]],
                    own: Callable[[Fingerprint], Fingerprint] | None = None) -> None:
        """Link the new documents to the stored ones sharing an LSH key (``lookup``: the
        store's whole-text or own-text index; ``own``: see ``link``), a slice of lookups at a
        time (bounded memory). A stored component's candidates are checked until one links:
        linking only merges, so the rest would find their sides joined. The pages of a site
        whose chrome shares keys are mostly one component's, and a new page's candidates
        there, which grow with its site's pages, are passed over unread."""
        for start in range(0, len(eligible), _QUERY_ROWS):
            chunk = eligible[start : start + _QUERY_ROWS]
            for f, reaches in zip(chunk, lookup(keys[start : start + _QUERY_ROWS]), strict=True):
                for reach in reaches:
                    for o in reach.docs:
                        self.comp_of.setdefault(o, reach.label)
                        if self.link(f.doc_id, o, own):
                            break

    def link_batch(self, eligible: Sequence[Fingerprint], keys: np.ndarray) -> None:
        """Link the new documents sharing an LSH band key, bucket by bucket: in each bucket,
        the groups of documents not joined yet are checked pairwise until linked."""
        for rows in band_buckets(keys):
            by_root: dict[_Node, list[str]] = {}
            for i in rows:
                doc_id = eligible[i].doc_id
                by_root.setdefault(self.find(self.node(doc_id)), []).append(doc_id)
            groups = list(by_root.values())
            for g in range(1, len(groups)):
                for h in range(g):
                    self.join(groups[g], groups[h])

    def join(self, group: Sequence[str], other: Sequence[str]) -> None:
        """Check pairs across two groups of joined docs until one links them."""
        for a in group:
            for b in other:
                if self.joined(a, b):
                    return
                self.link(a, b)

    def groups(self) -> list[list[_Node]]:
        """The components: the nodes of each, in the order they were first seen."""
        by_root: dict[_Node, list[_Node]] = {}
        for x in list(self.parent):
            by_root.setdefault(self.find(x), []).append(x)
        return list(by_root.values())


def deduplicate(docs: Iterable[CleanDoc], config: DedupConfig | None = None) -> list[Decision]:
    """One-shot: the decision of each document, in input order."""
    docs = list(docs)
    dedup = Deduplicator(config)
    dedup.add_batch(docs)
    final = {d.doc_id: d for d in dedup.decisions()}
    return [final[doc.id] for doc in docs]
