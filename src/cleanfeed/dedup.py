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

Example::

    dedup = Deduplicator()
    result = dedup.add(doc)            # AddResult(decisions=(Decision(...),), changed=(...))
    for d in dedup.decisions():         # final, sorted by doc id
        print(d.doc_id, d.status, d.canonical_id, d.reason)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .cluster import Decision, Similarity, candidate_pairs, lsh_eligible, resolve_component, verify
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

    def add_fingerprints(self, fps: Sequence[Fingerprint]) -> AddResult:
        """Add already computed fingerprints (e.g. from another process)."""
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
        pairs: set[tuple[str, str]] = set()
        exact = self.store.exact_matches({f.text_hash for f in new_fps if f.n_tokens})
        first_by_text: dict[str, str] = {}
        represented: set[tuple[str, str | None]] = set()  # (text, site) with a doc in LSH
        twins: set[str] = set()  # exact copies whose LSH keys another doc's stand for
        for f in new_fps:
            if not f.n_tokens:
                continue
            stored = exact.get(f.text_hash, [])
            if stored:
                pairs.add((f.doc_id, min(doc_id for doc_id, _ in stored)))
            elif f.text_hash in first_by_text:
                pairs.add((f.doc_id, first_by_text[f.text_hash]))
            else:
                first_by_text[f.text_hash] = f.doc_id
            # An exact twin on the same site (or both without one) has the same signature,
            # shingles and domain, so ``verify`` says the same of it against anything: its
            # twin's band keys stand for it, and leaving it out of LSH changes no component
            # while keeping the index from growing with every republication. A twin on
            # another site does not: the same-site rule may pass one and fail the other.
            site = (f.text_hash, f.domain)
            if site in represented or any(domain == f.domain for _, domain in stored):
                twins.add(f.doc_id)
            else:
                represented.add(site)
        eligible = [f for f in new_fps if lsh_eligible(f, config) and f.doc_id not in twins]
        keys = (
            band_keys_batch(np.stack([f.signature_array() for f in eligible]), config)
            if eligible
            else np.empty((0, config.bands), dtype=np.uint64)
        )
        for f, others in zip(eligible, self.store.lsh_candidates(keys)):
            pairs.update((f.doc_id, o) for o in others)
        for i, j in candidate_pairs(keys).tolist():
            pairs.add((eligible[i].doc_id, eligible[j].doc_id))

        # 3. verify (the exact check on shingle sets). A new doc joins a stored component as soon
        # as one of its candidates there verifies, so the other candidates of that component
        # need no check: same components, far fewer checks against a story copied 1000 times.
        others_needed = {o for _, o in pairs if o not in new}
        comp_of = self.store.components(others_needed)
        fp_of = dict(new)
        edges: dict[tuple[str, str], Similarity | None] = {}
        by_component: dict[tuple[str, str], list[str]] = {}
        for a, b in sorted(pairs):
            if b in new:
                edges[(a, b)] = verify(fp_of[a], fp_of[b], config)
            else:
                by_component.setdefault((a, comp_of[b]), []).append(b)
        for (a, _label), others in sorted(by_component.items()):
            for b in others:
                if b not in fp_of:
                    fp_of.update(self.store.fingerprints([b]))
                edges[(a, b)] = verify(fp_of[a], fp_of[b], config)
                if edges[(a, b)] is not None:
                    break

        # 4. merge components: new docs and the stored components they link to
        parent: dict[str, str] = {}

        def node(doc_id: str) -> str:
            return "d:" + doc_id if doc_id in new else "c:" + comp_of[doc_id]

        def find(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for f in new_fps:
            find(node(f.doc_id))
        for (a, b), sim in edges.items():
            if sim is not None:
                ra, rb = find(node(a)), find(node(b))
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
        groups: dict[str, list[str]] = {}
        for x in list(parent):
            groups.setdefault(find(x), []).append(x)

        # 5. resolve every touched component from scratch (pure), and diff the old decisions
        labels = sorted({x[2:] for xs in groups.values() for x in xs if x.startswith("c:")})
        stored_members = self.store.component_members(labels)
        components: dict[str, str] = {}
        decisions: list[Decision] = []
        changed: list[Decision] = []
        for xs in groups.values():
            member_ids = [x[2:] for x in xs if x.startswith("d:")]
            old_ids = [m for x in xs if x.startswith("c:") for m in stored_members[x[2:]]]
            missing = [m for m in old_ids if m not in fp_of]
            fp_of.update(self.store.fingerprints(missing))
            members = [fp_of[m] for m in member_ids + old_ids]
            resolved = resolve_component(members, edges, config)
            label = min(f.doc_id for f in members)
            old_decisions = self.store.decisions(old_ids) if old_ids else {}
            for d in resolved:
                components[d.doc_id] = label
                decisions.append(d)
                if d.doc_id in old_decisions and old_decisions[d.doc_id] != d:
                    changed.append(d)
        in_lsh = {f.doc_id for f in eligible}
        self.store.commit(
            [(f, None) for f in new_fps if f.doc_id not in in_lsh]
            + [(f, k) for f, k in zip(eligible, keys)],
            components,
            decisions,
        )
        final = {d.doc_id: d for d in decisions}
        missing_ids = [f.doc_id for f in fps if f.doc_id not in final]
        final.update(self.store.decisions(missing_ids))
        return AddResult(
            tuple(final[f.doc_id] for f in fps), tuple(sorted(changed, key=lambda d: d.doc_id))
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


def deduplicate(docs: Iterable[CleanDoc], config: DedupConfig | None = None) -> list[Decision]:
    """One-shot: the decision of each document, in input order."""
    docs = list(docs)
    dedup = Deduplicator(config)
    dedup.add_batch(docs)
    final = {d.doc_id: d for d in dedup.decisions()}
    return [final[doc.id] for doc in docs]
