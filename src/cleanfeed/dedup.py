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

from .cluster import (
    Decision,
    Similarity,
    band_buckets,
    lsh_eligible,
    resolve_component,
    verify,
)
from .config import DedupConfig
from .errors import IndexMismatchError
from .fingerprint import Fingerprint, band_keys_batch, fingerprint_batch
from .index import MemoryStore, Store
from .models import CleanDoc

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
        links: set[tuple[str, str]] = set()  # exact copies, to the first of their text
        exact = self.store.exact_matches({f.text_hash for f in new_fps if f.n_tokens})
        first_by_text: dict[str, str] = {}
        # An exact twin has its twin's signature, so every LSH candidate of it is one of the
        # twin: leaving twins out of the LSH index keeps it (and the checks) from growing with
        # every republication. Their one difference, the site, matters to the same-site rule
        # only: a twin on a site its text was not seen on yet is still looked up in LSH
        # (not inserted), and step 3 compares a same-site candidate with a twin elsewhere.
        twins: set[str] = set()
        new_site: set[str] = set()  # twins on a site new for their text: queried, not inserted
        copies: dict[str, list[tuple[str, str | None]]] = {}  # text -> (doc id, domain), batch
        for f in new_fps:
            if not f.n_tokens:
                continue
            seen = [*exact.get(f.text_hash, []), *copies.get(f.text_hash, [])]
            copies.setdefault(f.text_hash, []).append((f.doc_id, f.domain))
            if f.text_hash in exact:
                links.add((f.doc_id, min(doc_id for doc_id, _ in exact[f.text_hash])))
            elif f.text_hash in first_by_text:
                links.add((f.doc_id, first_by_text[f.text_hash]))
            else:
                first_by_text[f.text_hash] = f.doc_id
                continue
            twins.add(f.doc_id)
            if all(domain != f.domain for _, domain in seen):
                new_site.add(f.doc_id)
        # one lookup per text: its twins' band keys are its own
        lookups: dict[str, Fingerprint] = {}
        for f in new_fps:
            if lsh_eligible(f, config) and (f.doc_id not in twins or f.doc_id in new_site):
                lookups.setdefault(f.text_hash, f)
        eligible = list(lookups.values())
        keys = (
            band_keys_batch(np.stack([f.signature_array() for f in eligible]), config)
            if eligible
            else np.empty((0, config.bands), dtype=np.uint64)
        )

        # 3. verify the candidates (the exact check on shingle sets) while merging components:
        # the new docs and the stored components they link to. A pair whose two sides are in
        # one component already is not checked: its edge could not change the components
        # (resolve_component checks what it needs itself). So a new doc joins a stored
        # component at its first candidate there that verifies, and the copies of one story in
        # a batch are not all checked pairwise: the same components, far fewer checks for a
        # story copied 1000 times. Candidates are walked, never collected: the pairs of a
        # widely copied story would not fit in memory.
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

        def twin_elsewhere(f: Fingerprint) -> str | None:
            """An exact copy of ``f`` on another site (or on none), stored or in the batch."""
            if f.text_hash not in exact:
                exact.update(self.store.exact_matches([f.text_hash]))
            found = [*exact.get(f.text_hash, []), *copies.get(f.text_hash, [])]
            return min((i for i, domain in found if domain != f.domain), default=None)

        edges: dict[tuple[str, str], Similarity | None] = {}

        def link(a: str, b: str) -> None:
            """Check one candidate pair (``a`` new) unless its sides are joined already."""
            ra, rb = find(node(a)), find(node(b))
            if ra == rb or (a, b) in edges or (b, a) in edges:
                return
            fa, fb = fp_of[a], fingerprint_of(b)
            edges[(a, b)] = verify(fa, fb, config)
            if edges[(a, b)] is None and fa.domain and fa.domain == fb.domain:
                # Two pages of one site need the stricter same-site containment; an exact copy
                # of either on another site is compared to the other with the usual one (the
                # twins left out of LSH would have been candidates: same signature).
                pair = next(((x, y) for x, y in ((a, twin_elsewhere(fb)), (twin_elsewhere(fa), b))
                             if x is not None and y is not None), None)
                if pair is not None:
                    x, y = pair
                    edges[(x, y)] = verify(fingerprint_of(x), fingerprint_of(y), config)
                    if edges[(x, y)] is not None:
                        parent[max(ra, rb)] = min(ra, rb)  # x is a's twin or a; y b's or b
                return
            if edges[(a, b)] is not None:
                parent[max(ra, rb)] = min(ra, rb)

        for f in new_fps:
            find(node(f.doc_id))
        for a, b in sorted(links):  # exact copies first: most candidates are then settled
            edges[(a, b)] = Similarity(1.0, 1.0, "exact")
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
        inserted = [(f, k) for f, k in zip(eligible, keys) if f.doc_id not in twins]
        in_lsh = {f.doc_id for f, _ in inserted}
        self.store.commit(
            [(f, None) for f in new_fps if f.doc_id not in in_lsh] + inserted,
            components,
            pending,
        )

        # 5. decide: every pending component, resolved from scratch (pure)
        result = self.resolve(edges) if resolve else AddResult((), ())
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
            for ids in members_of.values():
                resolved = resolve_component(
                    list(self.store.fingerprints(ids).values()), edges, self.config)
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
