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

Example::

    dedup = Deduplicator()
    result = dedup.add(doc)            # AddResult(decisions=(Decision(...),), changed=(...))
    for d in dedup.decisions():         # final, sorted by doc id
        print(d.doc_id, d.status, d.canonical_id, d.reason)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..models import Decision, Similarity
from .cluster import band_buckets, common_lines, linked, lsh_eligible, resolve_component
from ..config import DedupConfig
from ..errors import IndexMismatchError
from .fingerprint import Fingerprint, fingerprint_batch, lsh_keys
from .store import MemoryStore, Store
from ..models import CleanDoc

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
        """
        config = self.config
        # 1. ids seen before (in the store or earlier in this batch) with the same text are no-ops
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
        new_fps = list(new.values())

        # 2. candidates: same normalised text, and shared LSH band keys (store and batch).
        # Stored docs with one text are already in one component: one of them is enough.
        # An exact twin has its twin's shingles and signature, so every candidate of it is one
        # of the twin's and ``linked`` judges it alike: twins stay out of the LSH index (which
        # then does not grow with every republication) and out of the candidate walk.
        links: set[tuple[str, str]] = set()  # exact copies, to the first of their text
        exact = self.store.exact_matches({f.text_hash for f in new_fps if f.n_tokens})
        first_by_text: dict[str, str] = {}
        twins: set[str] = set()
        for f in new_fps:
            if not f.n_tokens:
                continue
            if f.text_hash in exact:
                links.add((f.doc_id, min(doc_id for doc_id, _ in exact[f.text_hash])))
            elif f.text_hash in first_by_text:
                links.add((f.doc_id, first_by_text[f.text_hash]))
            else:
                first_by_text[f.text_hash] = f.doc_id
                continue
            twins.add(f.doc_id)
        eligible = [f for f in new_fps if lsh_eligible(f, config) and f.doc_id not in twins]
        keys = lsh_keys(eligible, config)

        # 3. link the candidates (``linked``) while merging components: the new docs and the
        # stored components they link to. A pair whose two sides are in one component already
        # is not checked: its edge could not change the components. So a new doc joins a
        # stored component at its first candidate there that links, and the copies of one
        # story in a batch are not all checked pairwise. Candidates are walked, never
        # collected: the pairs of a widely copied story would not fit in memory.
        comp_of = self.store.components({o for _, o in links if o not in new})
        fp_of = dict(new)
        parent: dict[str, str] = {}

        def node(doc_id: str) -> str:
            return "d:" + doc_id if doc_id in new else "c:" + comp_of[doc_id]

        def find(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def fingerprint_of(doc_id: str) -> Fingerprint:
            if doc_id not in fp_of:
                fp_of.update(self.store.fingerprints([doc_id]))
                comp_of.update(self.store.components([doc_id]))
            return fp_of[doc_id]

        checked: set[tuple[str, str]] = set()

        def link(a: str, b: str) -> None:
            """Check one candidate pair (``a`` new) unless its sides are joined already."""
            ra, rb = find(node(a)), find(node(b))
            if ra == rb or (a, b) in checked or (b, a) in checked:
                return
            checked.add((a, b))
            if linked(fp_of[a], fingerprint_of(b), config):
                parent[max(ra, rb)] = min(ra, rb)

        for f in new_fps:
            find(node(f.doc_id))
        for a, b in sorted(links):  # exact copies first: most candidates are then settled
            ra, rb = find(node(a)), find(node(b))
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        # stored candidates, a slice of lookups at a time (bounded memory)
        for start in range(0, len(eligible), _QUERY_ROWS):
            chunk = eligible[start : start + _QUERY_ROWS]
            found = self.store.lsh_candidates(keys[start : start + _QUERY_ROWS])
            unknown = {o for others in found for o in others if o not in comp_of}
            if unknown:
                comp_of.update(self.store.components(unknown))
            for f, others in zip(chunk, found):
                for o in others:
                    link(f.doc_id, o)
        # candidates within the batch, bucket by bucket
        def join(group: list[str], other: list[str]) -> None:
            """Check pairs across two groups of joined docs until one links them."""
            for a in group:
                for b in other:
                    if find(node(a)) == find(node(b)):
                        return
                    link(a, b)

        for rows in band_buckets(keys):
            by_root: dict[str, list[str]] = {}
            for i in rows:
                by_root.setdefault(find(node(eligible[i].doc_id)), []).append(eligible[i].doc_id)
            groups = list(by_root.values())
            for g in range(1, len(groups)):
                for h in range(g):
                    join(groups[g], groups[h])

        # 4. the merged components, each labelled by its smallest doc id
        groups: dict[str, list[str]] = {}
        for x in list(parent):
            groups.setdefault(find(x), []).append(x)
        labels = sorted({x[2:] for xs in groups.values() for x in xs if x.startswith("c:")})
        stored_members = self.store.component_members(labels)
        components: dict[str, str] = {}
        pending: list[Decision] = []
        for xs in groups.values():
            member_ids = [x[2:] for x in xs if x.startswith("d:")]
            old_ids = [m for x in xs if x.startswith("c:") for m in stored_members[x[2:]]]
            label = min(member_ids + old_ids)
            components.update((m, label) for m in member_ids + old_ids)
            pending.extend(Decision(m, "pending", label, None, _PENDING) for m in member_ids)
        inserted = list(zip(eligible, keys))
        in_lsh = {f.doc_id for f, _ in inserted}
        self.store.commit(
            [(f, None) for f in new_fps if f.doc_id not in in_lsh] + inserted,
            components,
            pending,
        )

        # 5. decide: every pending component, resolved from scratch (pure)
        result = self.resolve() if resolve else AddResult((), ())
        final = {d.doc_id: d for d in (*pending, *result.decisions)}
        final.update(self.store.decisions([f.doc_id for f in fps if f.doc_id not in final]))
        changed = [*result.changed, *(d for d in result.decisions if d.doc_id not in new)]
        return AddResult(
            tuple(final[f.doc_id] for f in fps), tuple(sorted(changed, key=lambda d: d.doc_id))
        )

    def resolve(
        self, edges: Mapping[tuple[str, str], Similarity | None] | None = None
    ) -> AddResult:
        """Decide every pending document's component (``add_fingerprints(resolve=False)``).

        ``decisions``: the pending documents' decisions, by doc id; ``changed``: decisions of
        documents decided before that changed. ``edges``: ``verify`` results to reuse.
        """
        pending = self.store.pending()
        if not pending:
            return AddResult((), ())
        waiting = set(pending)
        labels = sorted(set(self.store.components(pending).values()))
        decided: list[Decision] = []
        changed: list[Decision] = []
        batch: list[Decision] = []
        for start in range(0, len(labels), _RESOLVE_LABELS):
            members_of = self.store.component_members(labels[start : start + _RESOLVE_LABELS])
            fps_of = [list(self.store.fingerprints(ids).values()) for ids in members_of.values()]
            common = self._common([f for fps in fps_of for f in fps])
            published = self.store.published([f.doc_id for fps in fps_of for f in fps])
            for ids, fps in zip(members_of.values(), fps_of):
                settled = {i for i in ids if i not in waiting and i not in published}
                resolved = resolve_component(
                    [f.discounted_by(common) for f in fps], edges, self.config, published,
                    settled)
                old = self.store.decisions([i for i in ids if i not in waiting])
                for d in resolved:
                    if d.doc_id in waiting:
                        decided.append(d)
                    elif old[d.doc_id] != d:
                        changed.append(d)
                    else:
                        continue
                    batch.append(d)
            self.store.commit([], {}, batch)
            batch = []
        return AddResult(
            tuple(sorted(decided, key=lambda d: d.doc_id)),
            tuple(sorted(changed, key=lambda d: d.doc_id)),
        )

    def _common(self, fps: Sequence[Fingerprint]) -> np.ndarray:
        """The site-common line keys among these pages' lines, by what the store holds."""
        keys = np.unique(np.concatenate([f.line_keys() for f in fps])) if fps else None
        if keys is None or not len(keys):
            return np.empty(0, dtype=np.uint64)
        return common_lines(*self.store.line_stories(keys), self.config)

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
_RESOLVE_LABELS = 256  # components decided per store commit
_PENDING = "linked into its component; not decided yet"


def deduplicate(docs: Iterable[CleanDoc], config: DedupConfig | None = None) -> list[Decision]:
    """One-shot: the decision of each document, in input order."""
    docs = list(docs)
    dedup = Deduplicator(config)
    dedup.add_batch(docs)
    final = {d.doc_id: d for d in dedup.decisions()}
    return [final[doc.id] for doc in docs]
