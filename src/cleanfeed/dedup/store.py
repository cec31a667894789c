"""Where the deduplicator keeps what it has seen: for one process (default; fingerprints in a
temporary file, the rest in memory) or in SQLite on disk.

A store holds, per document: its fingerprint (signature, shingle set for the exact check,
canonical-policy fields), its LSH band keys (none for bodies too short for fuzzy matching and
for exact twins of an earlier document, whose keys stand for them), its component label and
its current decision;
plus the ``DedupConfig`` fingerprint it was built with, and named blobs of the runner's own
state (the site templates learned so far, so a later run cleans with what earlier runs saw).

Two LSH indexes: a document waiting for its decision ("pending") is found in the *whole-text*
index, by the band keys of its whole text, as the deduplicator links components knowing
nothing of its site; once decided and settled (``commit(settle=...)``) it leaves that index
for the *own-text* index, under the keys of its own
text (its site's common lines discounted: ``cluster.Resolution.own_keys``), and its component
is relabelled to the piece its own text holds it in. So a later run's page finds an earlier
run's pages by their stories, not by the chrome their site left in, and its component holds
its story's pieces, not everything its site ever published.
Opening a store with another config raises ``IndexMismatchError``: signatures and thresholds
from two configs cannot be mixed.

``SqliteStore`` writes each ``commit`` in one transaction (WAL journal), so a run interrupted
at any point leaves the index as it was after the last completed batch (documents a run
linked but had not decided yet are stored as "pending"; the next ``Deduplicator.resolve``
decides them). Running day 1 then
day 2 through one index gives the same decisions as one run over both days; when the runs
settle their pages (``cleanfeed run --index`` does), wherever LSH on the pages' own text finds
the copies (``Deduplicator.resolve``).

``BandIndex`` is the in-memory LSH structure: band keys in sorted NumPy runs (12 bytes per
band entry: a uint64 key and a uint32 document number), merged geometrically like an LSM tree,
queried with ``searchsorted``; a run of millions of keys also has a directory of its keys' top
bits (a quarter of a byte per entry), a needle searched for within its bucket. That is ~800
bytes per document at 64 bands and 3 lead lines, against several KB for a dict of lists.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, Protocol, cast, overload

import numpy as np

from ..config import DedupConfig
from ..errors import IndexMismatchError, StoreError
from ..models import Decision, Similarity
from .cluster import common_lines, line_pairs, lsh_eligible, unique_pairs
from .fingerprint import Fingerprint, distinct, lsh_keys

__all__ = ["BandIndex", "MemoryStore", "Reach", "Settled", "SqliteStore", "Store", "open_store"]

# 2: docs.url; 3: docs.lines/shingle_lines/published/replaces, lines; 4: words of non-ASCII
# letters whole (3 cut them at the UTF-8 bytes 0x85 and 0xA0: other shingles); 5: own_bands.
# A version 4 index is upgraded in place (the table is added): its decided documents stay in
# ``bands``, where later pages find them as version 4 did, until their component is decided
# again and they are settled. 6: own_bands keyed by the MinHash of the own text (5 took the
# whole page's signature, which the chrome left in shares among a site's pages): a version 5
# index is upgraded in place, its settled documents keyed again (``SqliteStore._rekey_own``).
_SCHEMA_VERSION = "6"
_UPGRADABLE = {"4", "5"}


class BandIndex:
    """LSH buckets: for a matrix of band keys, which inserted documents share any key.

    Documents are numbered by the caller (uint32). Keys already encode their band.
    """

    def __init__(self) -> None:
        self._runs: list[_Run] = []

    def __len__(self) -> int:
        return sum(len(run.keys) for run in self._runs)

    @property
    def nbytes(self) -> int:
        """Bytes held by the index arrays (keys, document numbers, each run's directory)."""
        return sum(run.nbytes for run in self._runs)

    def insert(self, docs: np.ndarray, keys: np.ndarray) -> None:
        """Add documents ``docs`` (n,) with their band keys (n, bands)."""
        if len(docs) == 0:
            return
        flat = np.ascontiguousarray(keys, dtype=np.uint64).reshape(-1)
        nums = np.repeat(np.asarray(docs, dtype=np.uint32), keys.shape[1])
        order = np.argsort(flat, kind="stable")
        self._runs.append(_Run.of(flat[order], nums[order]))
        # merge while the newest run is at least half the previous one: O(log n) runs
        while len(self._runs) > 1 and len(self._runs[-1].keys) * 2 >= len(self._runs[-2].keys):
            newer, older = self._runs.pop(), self._runs.pop()
            self._runs.append(_Run.of(*_merge_runs((older.keys, older.docs), (newer.keys, newer.docs))))

    def query(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Matches of each query row: ``(rows, docs)`` arrays of equal length, unique pairs.

        ``rows`` indexes the rows of ``keys`` (n, bands); ``docs`` the inserted documents.
        """
        if len(keys) == 0 or not self._runs:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        flat = np.ascontiguousarray(keys, dtype=np.uint64).reshape(-1)
        # sorted needles: each run is then read in order (cache-friendly)
        order = np.argsort(flat)
        needles = flat[order]
        qrow = order // keys.shape[1]
        rows_out, docs_out = [], []
        for run in self._runs:
            lo, hi = run.find(needles)
            hit = hi > lo
            if not hit.any():
                continue
            lo, rows = lo[hit], qrow[hit]
            counts = hi[hit] - lo
            total = int(counts.sum())
            # positions lo .. hi-1 of every hit, flattened without a Python loop
            starts = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
            rows_out.append(np.repeat(rows, counts))
            docs_out.append(run.docs[starts + np.arange(total)].astype(np.int64))
        if not rows_out:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        # one int64 per (row, doc) pair: a 1-D unique is many times faster than unique(axis=0)
        pairs = distinct((np.concatenate(rows_out) << 32) | np.concatenate(docs_out))
        return pairs >> 32, pairs & 0xFFFFFFFF


# A run's directory has a bucket per this many keys, on average: a needle is looked for in its
# bucket only (band keys are hashes, spread evenly over the uint64 range), a few steps of a
# binary search in one or two cache lines instead of ~log2(n) steps over the whole run, most of
# them misses of the cache. The directory costs a quarter of a byte per key, against the 12 of
# the key and its document. Only a run of at least ``_DIRECTORY_KEYS`` has one: below, the
# sorted needles' ``searchsorted`` stays in the cache and is faster than the directory's few
# NumPy passes (64,000 needles, measured: 1.9 against 10 ms in 64,000 keys, 10.3 against
# 9.7 ms in 4 million, 18.8 against 10.2 ms in 16 million).
_KEYS_PER_BUCKET = 32
_DIRECTORY_KEYS = 1 << 22


@dataclass(frozen=True, slots=True, eq=False)
class _Run:
    """One sorted run of a ``BandIndex``: keys (uint64, sorted) and their documents (uint32),
    with, for a large run, a directory of the keys' top bits: ``starts[t]`` is the first
    position of a key whose top ``64 - shift`` bits are ``t`` (``starts[-1]`` the run's
    length); empty for a small run."""

    keys: np.ndarray
    docs: np.ndarray
    starts: np.ndarray
    shift: int

    @classmethod
    def of(cls, keys: np.ndarray, docs: np.ndarray) -> _Run:
        if len(keys) < _DIRECTORY_KEYS:
            return cls(keys, docs, np.empty(0, dtype=np.int64), 0)
        bits = max(len(keys).bit_length() - _KEYS_PER_BUCKET.bit_length(), 1)
        shift = 64 - bits
        starts = np.append(np.searchsorted(keys, np.arange(2**bits, dtype=np.uint64) << np.uint64(shift)), len(keys))
        return cls(keys, docs, starts.astype(np.uint32 if len(keys) < 2**32 else np.int64), shift)

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.docs.nbytes + self.starts.nbytes)

    def find(self, needles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each needle (uint64), the positions of the first key at least it and of the first
        key over it (equal where the run holds no such key): searched for in its bucket of the
        directory, or in the whole run when it has none."""
        if len(self.starts):
            top = (needles >> np.uint64(self.shift)).astype(np.int64)
            end = self.starts[top + 1].astype(np.int64)
            lo = _bisect(self.keys, needles, self.starts[top].astype(np.int64), end.copy(), right=False)
        else:
            end = np.full(len(needles), len(self.keys), dtype=np.int64)
            lo = np.searchsorted(self.keys, needles, side="left")
        hi = lo.copy()
        hit = np.flatnonzero(lo < end)
        hit = hit[self.keys[lo[hit]] == needles[hit]]  # most needles are held by no run
        if len(self.starts):
            hi[hit] = _bisect(self.keys, needles[hit], lo[hit] + 1, end[hit], right=True)
        else:
            hi[hit] = np.searchsorted(self.keys, needles[hit], side="right")
        return lo, hi


def _bisect(keys: np.ndarray, needles: np.ndarray, lo: np.ndarray, hi: np.ndarray, right: bool) -> np.ndarray:
    """Binary search of every needle in its own range ``lo``..``hi`` of ``keys`` at once (both
    arrays are updated): the first position whose key is over the needle (``right``) or at
    least it. A few steps for ranges of a directory's bucket."""
    active = np.flatnonzero(lo < hi)
    while len(active):
        low, high = lo[active], hi[active]
        mid = (low + high) >> 1
        at = keys[mid]
        below = at <= needles[active] if right else at < needles[active]
        lo[active] = np.where(below, mid + 1, low)
        hi[active] = np.where(below, high, mid)
        active = active[lo[active] < hi[active]]
    return lo


def _merge_runs(
    older: tuple[np.ndarray, np.ndarray], newer: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Merge two sorted runs by placing the newer one's entries (no re-sort, one output copy:
    the transient memory is the output plus the newer run's positions)."""
    (k1, d1), (k2, d2) = older, newer
    pos = np.searchsorted(k1, k2, side="right") + np.arange(len(k2))
    keys = np.empty(len(k1) + len(k2), dtype=np.uint64)
    docs = np.empty(len(keys), dtype=np.uint32)
    from_older = np.ones(len(keys), dtype=bool)
    from_older[pos] = False
    keys[pos], docs[pos] = k2, d2
    keys[from_older], docs[from_older] = k1, d1
    return keys, docs


class LinePairs:
    """Which stories of its site carry each line: distinct ``(line key, story key)`` pairs in
    sorted NumPy runs, merged geometrically like ``BandIndex`` (16 bytes a pair).

    ``cap``: at most this many stories are kept per line (``common_line_stories``: a line
    carried by that many is common, and more of them cannot change what ``common_lines``
    says). A site's chrome, printed on every page of the site, then holds ``cap`` pairs, not
    one per page: memory, and the pairs a query returns, stay flat as a site grows.
    """

    def __init__(self, cap: int | None = None) -> None:
        self.cap = cap
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return sum(len(k) for k, _ in self._runs)

    def insert(self, keys: np.ndarray, stories: np.ndarray) -> None:
        if not len(keys):
            return
        self._runs.append(self._capped(*unique_pairs(keys, stories)))
        while len(self._runs) > 1 and len(self._runs[-1][0]) * 2 >= len(self._runs[-2][0]):
            k2, s2 = self._runs.pop()
            k1, s1 = self._runs.pop()
            self._runs.append(self._capped(*unique_pairs(np.concatenate((k1, k2)),
                                                         np.concatenate((s1, s2)))))

    def _capped(self, keys: np.ndarray, stories: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distinct pairs sorted by key (``unique_pairs``), at most ``cap`` per key: the
        first ones. (Runs capped so still hold, together, ``min(cap, stories)`` distinct
        stories of each line.)"""
        if self.cap is None or not len(keys):
            return keys, stories
        first = np.concatenate(([True], keys[1:] != keys[:-1]))
        starts = np.flatnonzero(first)
        rank = np.arange(len(keys)) - np.repeat(starts, np.diff(np.append(starts, len(keys))))
        keep = rank < self.cap
        return keys[keep], stories[keep]

    def query(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct pairs whose line key is among ``keys`` (at most ``cap`` a key)."""
        needles = distinct(np.asarray(keys, dtype=np.uint64))
        out_k, out_s = [], []
        for run_keys, run_stories in self._runs:
            lo = np.searchsorted(run_keys, needles, side="left")
            hi = np.searchsorted(run_keys, needles, side="right")
            counts = hi - lo
            if not counts.any():
                continue
            starts = np.repeat(lo - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
            idx = starts + np.arange(int(counts.sum()))
            out_k.append(run_keys[idx])
            out_s.append(run_stories[idx])
        if not out_k:
            return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
        return self._capped(*unique_pairs(np.concatenate(out_k), np.concatenate(out_s)))


@dataclass(frozen=True, slots=True, eq=False)
class Settled:
    """A decided document's move between the LSH indexes (see the module docstring).

    ``link_keys``: its keys in the whole-text index, to remove (None when it is not there:
    too short, or an exact twin of an earlier document); ``own_keys``: the LSH keys of
    its own text (None when that takes no part in LSH: too short once discounted, or a twin,
    whose text is found by its text hash). A document decided again replaces its own keys."""

    doc_id: str
    link_keys: np.ndarray | None
    own_keys: np.ndarray | None


@dataclass(frozen=True, slots=True)
class Reach:
    """The stored documents that one query row shares an LSH key with, in one stored component
    (``label``). The deduplicator checks them in turn until one links the new page, then passes
    over the rest: the pages of a site whose chrome shares keys are mostly one component's, so a
    page reaches a few components, however many of its site's pages it shares keys with."""

    label: str
    docs: Sequence[str]


def _by_label(reach: Reach) -> str:
    return reach.label


class _Numbered(Sequence[str]):
    """The document ids of some index numbers, looked up as they are read (most are not: a
    component's first candidate that links ends the walk)."""

    __slots__ = ("_ids", "_nums")

    def __init__(self, nums: np.ndarray, ids: list[str]) -> None:
        self._nums = nums
        self._ids = ids

    def __len__(self) -> int:
        return len(self._nums)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            return _Numbered(self._nums[i], self._ids)
        return self._ids[int(self._nums[i])]

    def __iter__(self) -> Iterator[str]:
        return map(self._ids.__getitem__, self._nums.tolist())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (list, tuple, _Numbered)) and list(self) == list(other)

    def __repr__(self) -> str:
        return repr(list(self))


class _Numbers:
    """Per number of a ``BandIndex``: its document's component (as a code) and whether it is
    live (not settled out of the whole-text index; the current keys of its document in the
    own-text one). Grown as documents are numbered."""

    def __init__(self) -> None:
        self.comp = np.zeros(0, dtype=np.int32)
        self.live = np.zeros(0, dtype=bool)

    def grow(self, n: int) -> None:
        if n > len(self.comp):
            size = max(n, 2 * len(self.comp))
            self.comp = np.concatenate((self.comp, np.zeros(size - len(self.comp), dtype=np.int32)))
            self.live = np.concatenate((self.live, np.zeros(size - len(self.live), dtype=bool)))


class Store(Protocol):
    """What ``Deduplicator`` needs from a store (``MemoryStore``, ``SqliteStore``)."""

    config: DedupConfig
    durable: bool  # outlives the process: later runs go on with it (they settle: ``Settled``)

    def text_hashes(self, doc_ids: Iterable[str]) -> dict[str, str]: ...
    def exact_matches(self, text_hashes: Iterable[str]) -> dict[str, str]: ...
    def lsh_candidates(self, keys: np.ndarray) -> list[list[Reach]]: ...
    def own_candidates(self, keys: np.ndarray) -> list[list[Reach]]: ...
    def holds_own(self) -> bool: ...
    def fingerprints(self, doc_ids: Iterable[str]) -> dict[str, Fingerprint]: ...
    def fingerprint_bytes(self, doc_ids: Iterable[str]) -> int: ...
    def components(self, doc_ids: Iterable[str]) -> dict[str, str]: ...
    def component_members(self, labels: Iterable[str]) -> dict[str, list[str]]: ...
    def decisions(self, doc_ids: Iterable[str] | None = None) -> dict[str, Decision]: ...
    def pending(self) -> list[str]: ...
    def duplicates_of(self, canonical_ids: Iterable[str]) -> dict[str, list[Decision]]: ...
    def line_stories(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...
    def published(self, doc_ids: Iterable[str]) -> set[str]: ...
    def publish(self, doc_ids: Iterable[str], withdrawn: Iterable[str] = ()) -> None: ...
    def get_state(self, name: str) -> bytes | None: ...
    def put_state(self, name: str, value: bytes) -> None: ...
    def commit(
        self,
        new: Sequence[tuple[Fingerprint, np.ndarray | None]],
        components: dict[str, str],
        decisions: Sequence[Decision],
        settle: Sequence[Settled] = (),
    ) -> None: ...
    def close(self) -> None: ...


class _FingerprintFile:
    """Fingerprints pickled one after another into an anonymous temporary file, read back by
    doc id; in memory only each one's place and text hash (~200 bytes a document, against
    the ~5-7 KB of a 500-word document's fingerprint, whose shingle set dominates)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="cleanfeed-fingerprints-")  # noqa: SIM115
        self._where: dict[str, tuple[int, int, str]] = {}  # doc id -> (offset, size, text hash)
        self._end = 0

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._where

    def put(self, fps: Sequence[Fingerprint]) -> None:
        blobs = [pickle.dumps(fp, protocol=pickle.HIGHEST_PROTOCOL) for fp in fps]
        self._file.seek(self._end)
        self._file.write(b"".join(blobs))
        for fp, blob in zip(fps, blobs, strict=True):
            self._where[fp.doc_id] = (self._end, len(blob), fp.text_hash)
            self._end += len(blob)

    def text_hash(self, doc_id: str) -> str:
        return self._where[doc_id][2]

    def size(self, doc_id: str) -> int:
        """The bytes one fingerprint takes in the file."""
        return self._where[doc_id][1]

    def get(self, doc_id: str) -> Fingerprint:
        offset, size, _ = self._where[doc_id]
        self._file.seek(offset)
        return cast(Fingerprint, pickle.loads(self._file.read(size)))

    def close(self) -> None:
        self._file.close()


class MemoryStore:
    """The default store, gone when the process ends: decisions, components and the LSH index
    in memory, the fingerprints (kept for the exact checks) in an anonymous temporary file
    (``_FingerprintFile``), so memory per document is ~1.5 KB whatever its length (the LSH
    index itself is 768 bytes) and a run's memory stays far below its input's size. For an
    index that outlives the process use ``SqliteStore``.
    """

    durable = False

    def __init__(self, config: DedupConfig | None = None) -> None:
        self.config = config or DedupConfig()
        self._fps = _FingerprintFile()
        self._by_text: dict[str, str] = {}  # text hash -> the smallest doc id of that text
        self._bands = BandIndex()
        self._numbered: list[str] = []  # BandIndex document number -> doc id
        self._number: dict[str, int] = {}  # doc id -> its number there
        self._whole = _Numbers()  # its numbers' components; settled documents are not live
        self._own = BandIndex()
        self._own_numbered: list[str] = []  # own index number -> doc id
        self._own_number: dict[str, int] = {}  # doc id -> its current number there
        self._owns = _Numbers()  # the numbers' components; keys decided with before are not live
        # a component's code in those arrays: its label's number in the whole-text index, or
        # for a label without one (an exact twin's, a short page's) a negative code of its own
        self._unnumbered: dict[str, int] = {}
        self._unnumbered_labels: list[str] = []
        self._component: dict[str, str] = {}
        self._members: dict[str, set[str]] = {}
        self._decisions: dict[str, Decision] = {}
        self._pending: set[str] = set()  # doc ids whose decision is "pending"
        self._state: dict[str, bytes] = {}
        self._lines = LinePairs(self.config.common_line_stories)
        self._published: set[str] = set()
        self._copies: dict[str, set[str]] = {}  # canonical id -> its duplicates' ids

    def _uncopy(self, d: Decision) -> None:
        """A duplicate decision replaced: out of its canonical's copies."""
        copies = self._copies[d.canonical_id]
        copies.discard(d.doc_id)
        if not copies:
            del self._copies[d.canonical_id]

    def text_hashes(self, doc_ids: Iterable[str]) -> dict[str, str]:
        return {i: self._fps.text_hash(i) for i in doc_ids if i in self._fps}

    def exact_matches(self, text_hashes: Iterable[str]) -> dict[str, str]:
        """The smallest doc id of the stored docs with each normalised text (stored docs
        with one text are in one component: one of them stands for all)."""
        return {h: self._by_text[h] for h in text_hashes if h in self._by_text}

    def lsh_candidates(self, keys: np.ndarray) -> list[list[Reach]]:
        """The documents of the whole-text index (pending, not settled) sharing a band key with
        each row of ``keys``, by component."""
        return self._reaches(self._bands, self._whole, self._numbered, keys)

    def own_candidates(self, keys: np.ndarray) -> list[list[Reach]]:
        """The decided documents whose own text shares an LSH key with each row of ``keys``, by
        component."""
        return self._reaches(self._own, self._owns, self._own_numbered, keys)

    def _reaches(self, index: BandIndex, numbers: _Numbers, ids: list[str],
                 keys: np.ndarray) -> list[list[Reach]]:
        """The live documents of ``index`` sharing a key with each row of ``keys``, grouped by
        component in NumPy: a row's candidates become Python objects one component at a time,
        and a component's documents one at a time as they are read."""
        out: list[list[Reach]] = [[] for _ in range(len(keys))]
        rows, docs = index.query(keys)
        live = numbers.live[docs]
        rows, docs = rows[live], docs[live]
        if not len(docs):
            return out
        comps = numbers.comp[docs]
        order = np.lexsort((docs, comps, rows))
        rows, comps, docs = rows[order], comps[order], docs[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (comps[1:] != comps[:-1])
        starts = np.flatnonzero(first)
        ends = np.append(starts[1:], len(rows))
        for r, c, lo, hi in zip(rows[starts].tolist(), comps[starts].tolist(), starts.tolist(),
                                ends.tolist(), strict=True):
            out[r].append(Reach(self._label(c), _Numbered(docs[lo:hi], ids)))
        for reaches in out:  # by label, as the SQLite store gives them
            if len(reaches) > 1:
                reaches.sort(key=_by_label)
        return out

    def _code(self, label: str) -> int:
        """A component label's code: no table of labels beside the index's own numbering (a
        run's components are as many as its pages)."""
        code = self._number.get(label)
        if code is None:
            code = self._unnumbered.get(label)
            if code is None:
                code = self._unnumbered[label] = -1 - len(self._unnumbered_labels)
                self._unnumbered_labels.append(label)
        return code

    def _label(self, code: int) -> str:
        return self._numbered[code] if code >= 0 else self._unnumbered_labels[-1 - code]

    def holds_own(self) -> bool:
        return bool(self._own_numbered)

    def fingerprints(self, doc_ids: Iterable[str]) -> dict[str, Fingerprint]:
        return {i: self._fps.get(i) for i in doc_ids}

    def fingerprint_bytes(self, doc_ids: Iterable[str]) -> int:
        """About what these documents' fingerprints take, fetched (their pickled size)."""
        return sum(self._fps.size(i) for i in doc_ids)

    def components(self, doc_ids: Iterable[str]) -> dict[str, str]:
        return {i: self._component[i] for i in doc_ids}

    def component_members(self, labels: Iterable[str]) -> dict[str, list[str]]:
        return {label: sorted(self._members[label]) for label in labels}

    def decisions(self, doc_ids: Iterable[str] | None = None) -> dict[str, Decision]:
        if doc_ids is None:
            return dict(self._decisions)
        return {i: self._decisions[i] for i in doc_ids}

    def pending(self) -> list[str]:
        """Ids of the documents linked into components but not decided yet, sorted."""
        return sorted(self._pending)

    def duplicates_of(self, canonical_ids: Iterable[str]) -> dict[str, list[Decision]]:
        """The duplicates of each given kept document, by doc id (from the index of copies by
        canonical: what each kept document absorbed, not a walk over its component, which a
        site's chrome can make hold thousands of kept pages)."""
        out: dict[str, list[Decision]] = {}
        for c in canonical_ids:
            copies = self._copies.get(c)
            if copies:
                out[c] = [self._decisions[m] for m in sorted(copies)]
        return out

    def line_stories(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct ``(line key, story key)`` pairs stored for these line keys."""
        return self._lines.query(keys)

    def published(self, doc_ids: Iterable[str]) -> set[str]:
        """Which of these documents an earlier run emitted as kept."""
        return {i for i in doc_ids if i in self._published}

    def publish(self, doc_ids: Iterable[str], withdrawn: Iterable[str] = ()) -> None:
        """Mark documents as published (emitted as kept), and ``withdrawn`` (pages those
        replaced) as no longer."""
        self._published.difference_update(withdrawn)
        self._published.update(doc_ids)

    def commit(
        self,
        new: Sequence[tuple[Fingerprint, np.ndarray | None]],
        components: dict[str, str],
        decisions: Sequence[Decision],
        settle: Sequence[Settled] = (),
    ) -> None:
        self._lines.insert(*line_pairs(fp for fp, _ in new))
        with_keys = []
        self._fps.put([fp for fp, _ in new])
        for fp, keys in new:
            if fp.n_tokens:
                first = self._by_text.get(fp.text_hash)
                if first is None or fp.doc_id < first:
                    self._by_text[fp.text_hash] = fp.doc_id
            if keys is not None:
                with_keys.append((len(self._numbered), keys))
                self._number[fp.doc_id] = len(self._numbered)
                self._numbered.append(fp.doc_id)
        if with_keys:
            self._bands.insert(
                np.array([n for n, _ in with_keys]), np.stack([k for _, k in with_keys])
            )
            self._whole.grow(len(self._numbered))
            self._whole.live[with_keys[0][0] : len(self._numbered)] = True
        owned = []
        for moved in settle:
            if moved.link_keys is not None and moved.doc_id in self._number:
                self._whole.live[self._number[moved.doc_id]] = False
            previous = self._own_number.pop(moved.doc_id, None)
            if previous is not None:
                self._owns.live[previous] = False
            if moved.own_keys is not None:
                self._own_number[moved.doc_id] = len(self._own_numbered)
                owned.append((len(self._own_numbered), moved.own_keys))
                self._own_numbered.append(moved.doc_id)
        if owned:
            self._own.insert(np.array([n for n, _ in owned]), np.stack([k for _, k in owned]))
            self._owns.grow(len(self._own_numbered))
            self._owns.live[owned[0][0] : len(self._own_numbered)] = True
        for doc_id, label in components.items():
            old = self._component.get(doc_id)
            if old is not None and old != label and old in self._members:
                self._members[old].discard(doc_id)
                if not self._members[old]:
                    del self._members[old]
            if old != label:
                self._members.setdefault(label, set()).add(doc_id)
            self._component[doc_id] = label
        # the component of every number given now or whose document changed component
        for doc_id in {*components, *(self._numbered[n] for n, _ in with_keys),
                       *(self._own_numbered[n] for n, _ in owned)}:
            code = self._code(self._component[doc_id])
            if (n := self._number.get(doc_id)) is not None:
                self._whole.comp[n] = code
            if (n := self._own_number.get(doc_id)) is not None:
                self._owns.comp[n] = code
        for d in decisions:
            before = self._decisions.get(d.doc_id)
            if before is not None and before.status == "duplicate":
                self._uncopy(before)
            self._decisions[d.doc_id] = d
            if d.status == "duplicate":
                self._copies.setdefault(d.canonical_id, set()).add(d.doc_id)
            if d.status == "pending":
                self._pending.add(d.doc_id)
            else:
                self._pending.discard(d.doc_id)

    def get_state(self, name: str) -> bytes | None:
        """A named blob of the runner's own state (e.g. the learned site templates)."""
        return self._state.get(name)

    def put_state(self, name: str, value: bytes) -> None:
        self._state[name] = value

    def close(self) -> None:
        """Release the fingerprints' temporary file."""
        self._fps.close()

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    num INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    text_hash TEXT NOT NULL,
    n_tokens INTEGER NOT NULL,
    shingles BLOB NOT NULL,
    signature BLOB NOT NULL,
    domain TEXT, wire TEXT, date TEXT, url TEXT,
    component TEXT NOT NULL,
    status TEXT NOT NULL,
    canonical_id TEXT NOT NULL,
    jaccard REAL, containment REAL, basis TEXT,
    reason TEXT NOT NULL,
    lines BLOB NOT NULL DEFAULT x'', shingle_lines BLOB NOT NULL DEFAULT x'',
    replaces TEXT, published INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS docs_text_hash ON docs(text_hash);
CREATE INDEX IF NOT EXISTS docs_component ON docs(component);
CREATE INDEX IF NOT EXISTS docs_canonical ON docs(canonical_id);
CREATE INDEX IF NOT EXISTS docs_pending ON docs(status) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, num INTEGER NOT NULL,
                                  PRIMARY KEY (key, num)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS lines (key INTEGER NOT NULL, story INTEGER NOT NULL,
                                  PRIMARY KEY (key, story)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS own_bands (key INTEGER NOT NULL, num INTEGER NOT NULL,
                                      PRIMARY KEY (key, num)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS own_bands_num ON own_bands(num);
"""

_FP_COLUMNS = ("doc_id, text_hash, n_tokens, shingles, signature, domain, wire, date, url, "
               "lines, shingle_lines")
_DECISION_COLUMNS = "doc_id, status, canonical_id, jaccard, containment, basis, reason, replaces"


def _decision_row(d: Decision) -> tuple[object, ...]:
    s = d.similarity
    return (
        d.status,
        d.canonical_id,
        s.jaccard if s else None,
        s.containment if s else None,
        s.basis if s else None,
        d.reason,
        d.replaces,
    )


def _decision(row: Sequence[Any]) -> Decision:  # a sqlite3 row: its values are untyped
    """A Decision from a row of ``_DECISION_COLUMNS``."""
    sim = Similarity(row[3], row[4], row[5]) if row[5] is not None else None
    return Decision(row[0], row[1], row[2], sim, row[6], row[7])


def _fingerprint(row: Sequence[Any]) -> Fingerprint:
    """A Fingerprint from a row of ``_FP_COLUMNS``."""
    return Fingerprint(row[0], row[1], row[2], bytes(row[3]), bytes(row[4]), row[5], row[6],
                       row[7], row[8], bytes(row[9]), bytes(row[10]))


def _band_rows(keys: np.ndarray, num: int) -> list[tuple[int, int]]:
    """The rows of a ``bands`` or ``own_bands`` table for one document's keys (SQLite integers
    are signed: a uint64 key is stored as the int64 of its bits)."""
    return [(k, num) for k in np.ascontiguousarray(keys, dtype=np.uint64).view(np.int64).tolist()]


def _marks(n: int) -> str:
    """SQL placeholders for n values."""
    return ",".join("?" * n)


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SqliteStore:
    """A persistent store in one SQLite file (stdlib ``sqlite3``, WAL, one transaction per
    commit). Raises ``IndexMismatchError`` when the file was built with another config.

    One writer at a time: a ``Deduplicator`` reads candidates, then commits its decisions, and
    two processes interleaving those steps on one file could miss each other's documents.
    Readers (e.g. a report on ``decisions()``) may run alongside, thanks to WAL.
    """

    durable = True

    def __init__(self, path: str | Path, config: DedupConfig | None = None) -> None:
        self.config = config or DedupConfig()
        self.path = Path(path)
        self._conn = sqlite3.connect(str(self.path), isolation_level=None)
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA temp_store=MEMORY")
            # a 128 MB page cache (SQLite's default is 2 MB): the LSH tables take ~70 rows a
            # page, inserted and deleted at random keys, and outgrow 2 MB within a day's pages
            self._conn.execute("PRAGMA cache_size=-131072")
            self._conn.executescript(_DDL)
            self._check_config()
        except BaseException:
            self._conn.close()
            raise

    def _check_config(self) -> None:
        rows = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        mine = self.config.fingerprint()
        if not rows:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("schema", _SCHEMA_VERSION),
                    ("config_fingerprint", mine),
                    ("config", json.dumps(asdict(self.config), sort_keys=True)),
                ],
            )
            self._conn.execute("COMMIT")
            return
        schema = rows.get("schema")
        if schema != _SCHEMA_VERSION and schema not in _UPGRADABLE:
            raise IndexMismatchError(
                f"index {self.path} has schema version {rows.get('schema')!r}, this cleanfeed "
                f"writes version {_SCHEMA_VERSION!r}; rebuild the index at a new path"
            )
        if rows.get("config_fingerprint") != mine:
            stored = json.loads(rows.get("config", "{}"))
            current = asdict(self.config)
            diff = ", ".join(
                f"{k}: index {stored.get(k)!r} vs now {current[k]!r}"
                for k in sorted(current)
                if stored.get(k) != current[k]
            )
            raise IndexMismatchError(
                f"index {self.path} was built with another DedupConfig "
                f"(fingerprint {rows.get('config_fingerprint')}, now {mine}; {diff}). "
                "Run with the index's settings, or give a new index path."
            )
        if schema in _UPGRADABLE:  # the DDL above added the tables it lacked
            self._upgrade(str(schema))

    def _upgrade(self, schema: str) -> None:
        """Bring an index of an ``_UPGRADABLE`` schema to this one, in one transaction."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            if schema == "5":
                self._rekey_own()
            self._conn.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (_SCHEMA_VERSION,))
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def _rekey_own(self) -> None:
        """The settled documents' own keys again, as ``Deduplicator.resolve`` settles them now:
        from the MinHash of their own text (``lsh_keys`` of the page discounted by its site's
        common lines, as the index knows them), not the whole page's signature. One whose own
        text no longer takes part in LSH (more of its lines are common now) leaves the index."""
        nums = [num for (num,) in self._conn.execute("SELECT DISTINCT num FROM own_bands")]
        for start in range(0, len(nums), 500):
            chunk = nums[start : start + 500]
            q = f"SELECT num, {_FP_COLUMNS} FROM docs WHERE num IN ({_marks(len(chunk))})"
            found = {row[0]: _fingerprint(row[1:]) for row in self._conn.execute(q, chunk)}
            lines = [f.line_keys() for f in found.values()]
            known = distinct(np.concatenate(lines)) if lines else np.empty(0, dtype=np.uint64)
            common = common_lines(*self.line_stories(known), self.config)
            own = {num: f.discounted_by(common, k)
                   for (num, f), k in zip(found.items(), lines, strict=True)}
            keyed = [num for num, f in own.items() if lsh_eligible(f, self.config)]
            keys = lsh_keys([own[num] for num in keyed], self.config)
            self._conn.executemany("DELETE FROM own_bands WHERE num = ?", [(num,) for num in chunk])
            self._conn.executemany("INSERT OR IGNORE INTO own_bands VALUES (?, ?)",
                                   [r for num, k in zip(keyed, keys, strict=True)
                                    for r in _band_rows(k, num)])

    # -- reads

    def text_hashes(self, doc_ids: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(list(doc_ids)):
            q = f"SELECT doc_id, text_hash FROM docs WHERE doc_id IN ({_marks(len(chunk))})"
            out.update(self._conn.execute(q, list(chunk)).fetchall())
        return out

    def exact_matches(self, text_hashes: Iterable[str]) -> dict[str, str]:
        """The smallest doc id of the stored docs with each normalised text."""
        out: dict[str, str] = {}
        for chunk in _chunks(list(text_hashes)):
            q = (
                "SELECT text_hash, MIN(doc_id) FROM docs WHERE n_tokens > 0 AND text_hash IN "
                f"({_marks(len(chunk))}) GROUP BY text_hash"
            )
            out.update(self._conn.execute(q, list(chunk)).fetchall())
        return out

    def lsh_candidates(self, keys: np.ndarray) -> list[list[Reach]]:
        """The documents of the whole-text index (pending, not settled) sharing a band key with
        each row of ``keys``, by component."""
        return self._candidates("bands", keys)

    def own_candidates(self, keys: np.ndarray) -> list[list[Reach]]:
        """The decided documents whose own text shares an LSH key with each row of ``keys``, by
        component."""
        return self._candidates("own_bands", keys)

    def holds_own(self) -> bool:
        return self._conn.execute("SELECT 1 FROM own_bands LIMIT 1").fetchone() is not None

    def _candidates(self, table: str, keys: np.ndarray) -> list[list[Reach]]:
        out: list[list[Reach]] = [[] for _ in range(len(keys))]
        if len(keys) == 0:
            return out
        signed = np.ascontiguousarray(keys, dtype=np.uint64).view(np.int64)
        rows = np.repeat(np.arange(len(keys)), keys.shape[1]).tolist()
        # one join through a temporary table instead of one query per document, inside one
        # (read) transaction: outside one, every temp-table insert would be its own transaction
        self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS query_keys (row INTEGER, key INTEGER)")
        self._conn.execute("BEGIN")
        try:
            self._conn.execute("DELETE FROM query_keys")
            self._conn.executemany(
                "INSERT INTO query_keys VALUES (?, ?)", zip(rows, signed.reshape(-1).tolist(), strict=True)
            )
            found = self._conn.execute(
                f"SELECT DISTINCT q.row, d.component, d.doc_id FROM query_keys q JOIN {table} b "
                "ON b.key = q.key JOIN docs d ON d.num = b.num ORDER BY q.row, d.component, d.doc_id"
            ).fetchall()
            self._conn.execute("DELETE FROM query_keys")
        finally:
            self._conn.execute("COMMIT")
        for (row, label), group in groupby(found, key=itemgetter(0, 1)):
            out[row].append(Reach(label, [doc_id for _, _, doc_id in group]))
        return out

    def fingerprints(self, doc_ids: Iterable[str]) -> dict[str, Fingerprint]:
        out: dict[str, Fingerprint] = {}
        for chunk in _chunks(list(doc_ids)):
            q = f"SELECT {_FP_COLUMNS} FROM docs WHERE doc_id IN ({_marks(len(chunk))})"
            for row in self._conn.execute(q, list(chunk)):
                out[row[0]] = _fingerprint(row)
        return out

    def fingerprint_bytes(self, doc_ids: Iterable[str]) -> int:
        """About what these documents' fingerprints take, fetched (their byte columns)."""
        total = 0
        for chunk in _chunks(list(doc_ids)):
            q = ("SELECT TOTAL(LENGTH(shingles) + LENGTH(signature) + LENGTH(lines) "
                 f"+ LENGTH(shingle_lines)) FROM docs WHERE doc_id IN ({_marks(len(chunk))})")
            total += int(self._conn.execute(q, list(chunk)).fetchone()[0])
        return total

    def components(self, doc_ids: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(list(doc_ids)):
            q = f"SELECT doc_id, component FROM docs WHERE doc_id IN ({_marks(len(chunk))})"
            out.update(self._conn.execute(q, list(chunk)).fetchall())
        return out

    def component_members(self, labels: Iterable[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for chunk in _chunks(list(labels)):
            q = f"SELECT component, doc_id FROM docs WHERE component IN ({_marks(len(chunk))})"
            for label, doc_id in self._conn.execute(q, list(chunk)):
                out.setdefault(label, []).append(doc_id)
        return out

    def decisions(self, doc_ids: Iterable[str] | None = None) -> dict[str, Decision]:
        if doc_ids is None:
            rows = self._conn.execute(f"SELECT {_DECISION_COLUMNS} FROM docs ORDER BY doc_id")
            return {r[0]: _decision(r) for r in rows}
        out: dict[str, Decision] = {}
        for chunk in _chunks(list(doc_ids)):
            q = f"SELECT {_DECISION_COLUMNS} FROM docs WHERE doc_id IN ({_marks(len(chunk))})"
            out.update((r[0], _decision(r)) for r in self._conn.execute(q, list(chunk)))
        return out

    def pending(self) -> list[str]:
        """Ids of the documents linked into components but not decided yet (an interrupted
        run leaves them so: the next ``Deduplicator.resolve`` decides them), sorted."""
        rows = self._conn.execute(
            "SELECT doc_id FROM docs WHERE status = 'pending' ORDER BY doc_id").fetchall()
        return [r[0] for r in rows]

    def duplicates_of(self, canonical_ids: Iterable[str]) -> dict[str, list[Decision]]:
        """The duplicates of each given kept document (earlier runs' included), by doc id."""
        out: dict[str, list[Decision]] = {}
        for chunk in _chunks(sorted(set(canonical_ids))):
            q = (f"SELECT {_DECISION_COLUMNS} FROM docs WHERE status = 'duplicate' AND "
                 f"canonical_id IN ({_marks(len(chunk))}) ORDER BY doc_id")
            for r in self._conn.execute(q, list(chunk)):
                out.setdefault(r[2], []).append(_decision(r))
        return out

    def line_stories(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct ``(line key, story key)`` pairs stored for these line keys."""
        needles = distinct(np.asarray(keys, dtype=np.uint64)).view(np.int64).tolist()
        found: list[tuple[int, int]] = []
        for start in range(0, len(needles), 500):
            chunk = needles[start : start + 500]
            q = f"SELECT key, story FROM lines WHERE key IN ({_marks(len(chunk))})"
            found.extend(self._conn.execute(q, chunk).fetchall())
        if not found:
            return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
        arr = np.array(found, dtype=np.int64)
        return unique_pairs(arr[:, 0].view(np.uint64), arr[:, 1].copy())

    def published(self, doc_ids: Iterable[str]) -> set[str]:
        """Which of these documents an earlier run emitted as kept."""
        out: set[str] = set()
        for chunk in _chunks(list(doc_ids)):
            q = f"SELECT doc_id FROM docs WHERE published = 1 AND doc_id IN ({_marks(len(chunk))})"
            out.update(r[0] for r in self._conn.execute(q, list(chunk)))
        return out

    def publish(self, doc_ids: Iterable[str], withdrawn: Iterable[str] = ()) -> None:
        """Mark documents as published (emitted as kept), and ``withdrawn`` (pages those
        replaced) as no longer, in one transaction."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.executemany("UPDATE docs SET published = 0 WHERE doc_id = ?",
                                   [(i,) for i in withdrawn])
            self._conn.executemany("UPDATE docs SET published = 1 WHERE doc_id = ?",
                                   [(i,) for i in doc_ids])
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def get_state(self, name: str) -> bytes | None:
        """A named blob of the runner's own state (e.g. the learned site templates)."""
        row = self._conn.execute("SELECT value FROM state WHERE name = ?", (name,)).fetchone()
        return bytes(row[0]) if row else None

    def put_state(self, name: str, value: bytes) -> None:
        """Replace a named blob, in its own transaction."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (name, value))
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:  # SQLite rolls back itself on a full disk
                self._conn.execute("ROLLBACK")
            raise

    # -- the writes

    def commit(
        self,
        new: Sequence[tuple[Fingerprint, np.ndarray | None]],
        components: dict[str, str],
        decisions: Sequence[Decision],
        settle: Sequence[Settled] = (),
    ) -> None:
        by_id = {d.doc_id: d for d in decisions}
        new_ids = {fp.doc_id for fp, _ in new}
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            # numbers assigned here: the IMMEDIATE transaction holds the write lock
            first = self._conn.execute("SELECT COALESCE(MAX(num), 0) + 1 FROM docs").fetchone()[0]
            doc_rows: list[tuple[object, ...]] = []
            band_rows: list[tuple[int, int]] = []
            for num, (fp, keys) in enumerate(new, start=first):
                d = by_id[fp.doc_id]
                doc_rows.append(
                    (num, fp.doc_id, fp.text_hash, fp.n_tokens, fp.shingles, fp.signature,
                     fp.domain, fp.wire, fp.date, fp.url, fp.lines, fp.shingle_lines,
                     components[fp.doc_id], *_decision_row(d))
                )
                if keys is not None:
                    band_rows.extend(_band_rows(keys, num))
            self._conn.executemany(
                f"INSERT INTO docs (num, {_FP_COLUMNS}, component, status, canonical_id, jaccard, "
                "containment, basis, reason, replaces) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                doc_rows,
            )
            line_keys, stories = line_pairs(fp for fp, _ in new)
            self._conn.executemany("INSERT OR IGNORE INTO lines VALUES (?, ?)",
                                   zip(line_keys.view(np.int64).tolist(), stories.tolist(), strict=True))
            self._conn.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", band_rows)
            self._conn.executemany(
                "UPDATE docs SET component = ? WHERE doc_id = ?",
                [(label, doc_id) for doc_id, label in components.items() if doc_id not in new_ids],
            )
            self._conn.executemany(
                "UPDATE docs SET status=?, canonical_id=?, jaccard=?, containment=?, basis=?, "
                "reason=?, replaces=? WHERE doc_id=?",
                [(*_decision_row(d), d.doc_id) for d in decisions if d.doc_id not in new_ids],
            )
            self._settle(settle)
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:  # SQLite rolls back itself on a full disk
                self._conn.execute("ROLLBACK")
            raise

    def _settle(self, settle: Sequence[Settled]) -> None:
        """``Settled`` moves, inside ``commit``'s transaction."""
        nums: dict[str, int] = {}
        for chunk in _chunks([m.doc_id for m in settle]):
            q = f"SELECT doc_id, num FROM docs WHERE doc_id IN ({_marks(len(chunk))})"
            nums.update(self._conn.execute(q, list(chunk)).fetchall())
        self._conn.executemany("DELETE FROM bands WHERE key = ? AND num = ?",
                               [r for m in settle if m.link_keys is not None
                                for r in _band_rows(m.link_keys, nums[m.doc_id])])
        self._conn.executemany("DELETE FROM own_bands WHERE num = ?", [(nums[m.doc_id],) for m in settle])
        self._conn.executemany("INSERT OR IGNORE INTO own_bands VALUES (?, ?)",
                               [r for m in settle if m.own_keys is not None
                                for r in _band_rows(m.own_keys, nums[m.doc_id])])

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(
    path: str | Path | None, config: DedupConfig | None = None
) -> MemoryStore | SqliteStore:
    """A ``SqliteStore`` at ``path``, or a ``MemoryStore`` when ``path`` is None.

    Raises ``StoreError`` (naming ``path``) when the file cannot be used as an index: its
    directory is missing, it is not an SQLite database, the disk is full.
    """
    if path is None:
        return MemoryStore(config)
    try:
        return SqliteStore(path, config)
    except sqlite3.Error as err:
        folder = Path(path).parent
        if not folder.is_dir():
            why = f"the directory {folder} does not exist"
        elif isinstance(err, sqlite3.DatabaseError) and "not a database" in str(err):
            why = "the file is not an SQLite database (give a new file name, or an index an " \
                  "earlier run wrote)"
        else:
            why = str(err)
        raise StoreError(f"cannot open the index {path}: {why}") from err
