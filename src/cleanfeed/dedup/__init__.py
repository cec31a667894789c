"""Dedup stage: which pages are copies of one story, and which copy the feed keeps.

``fingerprint`` (normalised text, word shingles, MinHash, LSH band keys, the page's lines) →
``cluster`` (candidates, the exact copy test with each site's common text discounted,
components, and per component the anti-chaining guard) → ``canonical`` (the stated policy
that picks the kept copy). ``deduplicator`` holds the incremental ``Deduplicator`` that runs
them over batches, and ``store`` the state it keeps (in memory, or an SQLite index that
carries it across runs).
"""

from __future__ import annotations

from .deduplicator import AddResult, Deduplicator, deduplicate

__all__ = ["AddResult", "Deduplicator", "deduplicate"]
