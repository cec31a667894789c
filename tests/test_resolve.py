"""The deduplicator's steps one by one: a component's arrays and rounds (``cluster``), and the
linking of a batch into components (``deduplicator``).

Fixtures are the seed stories and variants of them (trimmed, copyedited, on several sites,
exact twins, some with site-common lines discounted); every array-level result is checked
against a brute force over Python sets or against ``verify`` pair by pair.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pytest

from cleanfeed import CleanDoc, Decision, DedupConfig, Deduplicator, fingerprint_batch, verify
from cleanfeed.dedup import cluster, deduplicator
from cleanfeed.dedup.canonical import choose_canonical
from cleanfeed.dedup.cluster import (
    _Component,
    _copies_of_copies,
    _is_roundup,
    _Round,
    _site,
    _Story,
    common_lines,
    line_pairs,
    linked,
    own_pieces,
    resolve_component,
)
from cleanfeed.dedup.deduplicator import _Linker, _Node
from cleanfeed.dedup.fingerprint import Fingerprint, lsh_keys

CONFIG = DedupConfig()

T = TypeVar("T")


def _recording(real: Callable[..., T], record: Callable[..., object]) -> Callable[..., T]:
    """``real`` that first passes its arguments to ``record`` (to count calls in a test)."""

    def wrapper(*args: object) -> T:
        record(*args)
        return real(*args)

    return wrapper


def _doc(doc_id: str, paragraphs: list[str], url: str | None = None) -> CleanDoc:
    return CleanDoc(id=doc_id, paragraphs=tuple(paragraphs), url=url)


def _edit(paragraphs: list[str], n: int, seed: int) -> list[str]:
    words = " ".join(paragraphs).split(" ")
    rng = random.Random(seed)
    for i in rng.sample(range(len(words)), n):
        words[i] = "edited"
    return [" ".join(words)]


@pytest.fixture(scope="module")
def stories(seed_gold: dict[str, str]) -> list[list[str]]:
    return [[p for p in text.split("\n\n") if p.strip()] for _, text in sorted(seed_gold.items())]


@pytest.fixture(scope="module")
def members(stories: list[list[str]]) -> list[Fingerprint]:
    """Copies of two stories on three sites: originals, trims, copyedits, exact twins, a
    site line every page of s0.example carries (discounted as site-common text), and bodies
    too short to compare."""
    chrome = "Subscribe to the s0 example daily newsletter for more news from our newsroom today"
    docs = []
    for k, paras in enumerate(stories[:2]):
        for v in range(4):
            site = f"s{v % 3}.example"
            body = paras if v % 2 == 0 else _edit(paras, 6, seed=v)
            docs.append(_doc(f"{k}-{v}", body, f"https://{site}/{k}/{v}"))
        docs.append(_doc(f"{k}-trim", paras[: len(paras) // 2], f"https://s1.example/{k}/t"))
        docs.append(_doc(f"{k}-twin", paras, f"https://s2.example/{k}/twin"))
    docs += [_doc(f"brief-{i}", [chrome, stories[2 + i][0]], f"https://s0.example/b{i}")
             for i in range(3)]
    # empty and short bodies, among the members and last (no shingles to index)
    docs += [_doc("empty", []), _doc("short", ["too short to compare"]), _doc("zz-empty", [])]
    fps = fingerprint_batch(docs, CONFIG)
    common = common_lines(*line_pairs(fps), dataclasses.replace(CONFIG, common_line_stories=3))
    return sorted((f.discounted_by(common) for f in fps), key=lambda f: f.doc_id)


def test_component_intersections_equal_set_intersections(members: list[Fingerprint]) -> None:
    comp = _Component(members, None, CONFIG)
    sets = [set(f.shingle_array().tolist()) for f in members]
    for i in range(len(members)):
        assert comp.intersections(i).tolist() == [len(sets[i] & s) for s in sets]


def test_component_rows_equal_verify_pair_by_pair(members: list[Fingerprint]) -> None:
    assert any(f.discounted for f in members)
    comp = _Component(members, None, CONFIG)
    found = set()
    for i, a in enumerate(members):
        for j, b in enumerate(members):
            if i != j:
                s = comp.similarity(i, j)
                assert s == verify(a, b, CONFIG)
                found.add(s.basis if s else None)
    assert found == {None, "exact", "jaccard", "containment"}


def test_edges_replace_the_rows_verdicts(members: list[Fingerprint]) -> None:
    a, b = members[0].doc_id, members[1].doc_id
    assert verify(members[0], members[1], CONFIG) is not None
    comp = _Component(members, {(b, a): None}, CONFIG)  # either order of the pair
    assert comp.similarity(0, 1) is None and comp.similarity(1, 0) is None
    assert not comp.row(0).match[1]


def test_story_sizes_count_lines_another_site_carries(members: list[Fingerprint]) -> None:
    """Against a count pair by pair: a shingle is story when its line has at least a third
    of its shingles carried by an alive page of another site (``_site``)."""
    comp = _Component(members, None, CONFIG)
    rng = random.Random(3)
    masks = [np.array([rng.random() < 0.7 for _ in members]) for _ in range(5)]
    # and members decided a few at a time, as the rounds of resolve_component retire them
    story = _Story(comp)
    order = rng.sample(range(len(members)), len(members))
    steps = [order[k : k + 3] for k in range(0, len(members), 3)]
    for step in steps:
        story.retire(np.array(sorted(step), dtype=np.int64))
        masks.append(story.alive.copy())
        assert story.sizes.tolist() == comp.story_sizes(story.alive).tolist()
        texts = [f.text_hash for f, on in zip(members, story.alive.tolist(), strict=True)
                 if on and f.n_tokens]
        assert story.twin_texts == sum(texts.count(t) >= 2 for t in set(texts))
    assert any(comp.story_sizes(m).any() and not comp.story_sizes(m).all() for m in masks)
    for alive in masks:
        live = [f for f, on in zip(members, alive.tolist(), strict=True) if on]
        sizes = comp.story_sizes(alive)
        for k, f in enumerate(members):
            if not alive[k]:
                continue
            elsewhere = set().union(*(set(g.shingle_array().tolist()) for g in live
                                      if _site(g) != _site(f)))
            shingles = f.shingle_array().tolist()
            lines = np.frombuffer(f.shingle_lines, dtype="<u2").tolist()
            if len(lines) != len(shingles):
                lines = list(range(len(shingles)))
            total: dict[int, int] = {}
            carried: dict[int, int] = {}
            for h, line in zip(shingles, lines, strict=True):
                total[line] = total.get(line, 0) + 1
                carried[line] = carried.get(line, 0) + (h in elsewhere)
            expected = sum(n for line, n in total.items()
                           if carried[line] and 3 * carried[line] >= n)
            assert sizes[k] == expected


def test_a_round_finds_reference_complete_copies_and_canonical(
    members: list[Fingerprint],
) -> None:
    story = [f for f in members if f.doc_id.startswith("0-")]
    comp = _Component(story, None, CONFIG)
    ids = comp.ids
    round_ = _Round(comp, np.ones(len(story), dtype=bool))
    ref = round_.reference()
    # the reference carries most of the story, and matches the most others of the leaders
    assert round_.share[ref] == round_.share.max()
    round_.mark_complete(ref)
    complete = {ids[j] for j in np.flatnonzero(round_.complete).tolist()}
    assert "0-trim" not in complete and {"0-0", "0-twin"} <= complete
    canon, why = round_.canonical()
    assert round_.complete[canon] and why
    # ranked on arrays, chosen as the policy chooses among the members
    everyone = round_.members.tolist()
    chosen, reason = choose_canonical([comp.fps[j] for j in everyone],
                                      *round_.policy_inputs(everyone))
    assert (ids[canon], why) == (chosen.doc_id, reason)
    copies, roundup = round_.copies_of(canon)
    assert not roundup
    assert {ids[j] for j in copies} == {ids[j] for j in range(len(story)) if j != canon
                                         and verify(story[j], story[canon], CONFIG)}


def test_a_roundup_of_two_stories_is_found(stories: list[list[str]]) -> None:
    a, b, c = stories[0], stories[1], stories[3]
    docs = [_doc("a", a), _doc("b", b), _doc("c", c), _doc("digest", a + b + c)]
    comp = _Component(sorted(fingerprint_batch(docs, CONFIG), key=lambda f: f.doc_id), None,
                      CONFIG)
    digest = comp.index["digest"]
    copies = {j: s for j in range(4) if j != digest and (s := comp.similarity(digest, j))}
    assert len(copies) == 3 and {s.basis for s in copies.values()} == {"containment"}
    assert _is_roundup(comp, digest, copies)
    assert not _is_roundup(comp, digest, dict(list(copies.items())[:1]))


def test_a_trimmed_first_version_joins_an_update_through_a_direct_copy(
    stories: list[list[str]],
) -> None:
    """Too small next to the update for ``verify`` (size ratio), inside it, and a copy of a
    direct copy of it: taken in, with containment as its basis."""
    update = stories[0] + stories[2]  # a long follow-up appended
    docs = [_doc("update", update), _doc("copy", stories[0]), _doc("trim", stories[0][:3])]
    fps = sorted(fingerprint_batch(docs, CONFIG), key=lambda f: f.doc_id)
    comp = _Component(fps, None, CONFIG)
    canon, trim, copy = comp.index["update"], comp.index["trim"], comp.index["copy"]
    assert verify(fps[trim], fps[canon], CONFIG) is None
    assert verify(fps[trim], fps[copy], CONFIG) is not None
    alive = np.ones(3, dtype=bool)
    copy_sim = comp.similarity(canon, copy)
    assert copy_sim is not None
    direct = {copy: copy_sim}
    found = _copies_of_copies(comp, canon, alive, direct)
    assert list(found) == [trim] and found[trim].basis == "containment"
    assert _copies_of_copies(comp, canon, alive, {}) == {}  # no direct copy vouches


def test_deciding_a_big_story_costs_a_bounded_number_of_rows_per_round(
    stories: list[list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A story copied 300 times: each round judges at most a few dozen rows, never one per
    member and contender."""
    docs = [_doc(f"c{i:03d}", _edit(stories[0], 1 + i % 7, seed=i), f"https://s{i}.example/x")
            for i in range(300)]
    fps = fingerprint_batch(docs, CONFIG)
    rows: list[int] = []
    monkeypatch.setattr(cluster, "_verdicts", _recording(cluster._verdicts, lambda *a: rows.append(1)))
    decisions = resolve_component(fps, None, CONFIG)
    rounds = sum(d.status == "kept" for d in decisions)
    assert rounds == 1
    assert len(rows) <= (2 * cluster._CONTENDERS + 4) * rounds


def test_nodes_order_stored_components_before_new_documents() -> None:
    assert _Node(False, "zzz") < _Node(True, "aaa")
    assert _Node(True, "a") < _Node(True, "b")


def test_a_story_copied_n_times_in_one_batch_costs_n_minus_1_checks(
    stories: list[list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = [_doc(f"c{i}", _edit(stories[1], 3, seed=i)) for i in range(12)]
    calls: list[tuple[object, ...]] = []
    # patched where the deduplicator looks it up; the real one is cluster's
    monkeypatch.setattr(deduplicator, "linked", _recording(cluster.linked, lambda *a: calls.append(a)))
    dedup = Deduplicator(CONFIG)
    result = dedup.add_batch(docs)
    assert len({d.canonical_id for d in result.decisions}) == 1
    assert len(calls) == len(docs) - 1


def test_exact_copies_link_to_the_smallest_stored_id_else_the_first_of_the_batch(
    stories: list[list[str]],
) -> None:
    dedup = Deduplicator(CONFIG)
    dedup.add_batch([_doc("s2", stories[0]), _doc("s1", stories[0])])
    fps = fingerprint_batch([_doc("n1", stories[0]), _doc("n2", stories[1]),
                             _doc("n3", stories[1]), _doc("n4", stories[2])], CONFIG)
    links, twins = dedup._exact_copies(fps)
    assert links == {("n1", "s1"), ("n3", "n2")} and twins == {"n1", "n3"}


def test_unseen_skips_known_ids_and_refuses_another_text(stories: list[list[str]]) -> None:
    dedup = Deduplicator(CONFIG)
    dedup.add_batch([_doc("a", stories[0])])
    fps = fingerprint_batch([_doc("a", stories[0]), _doc("b", stories[1]),
                             _doc("b", stories[1])], CONFIG)
    assert list(dedup._unseen(fps)) == ["b"]
    with pytest.raises(ValueError, match="already added with another text"):
        dedup._unseen(fingerprint_batch([_doc("a", stories[2])], CONFIG))


def test_linker_merges_new_documents_into_a_stored_component(
    stories: list[list[str]],
) -> None:
    dedup = Deduplicator(CONFIG)
    dedup.add_batch([_doc("old", stories[0]), _doc("other", stories[1])])
    fps = fingerprint_batch([_doc("new", _edit(stories[0], 4, seed=1)),
                             _doc("alone", stories[2])], CONFIG)
    new = {f.doc_id: f for f in fps}
    linker = _Linker(dedup.store, CONFIG, new, {})
    linker.start(fps)
    keys = lsh_keys(fps, CONFIG)
    linker.link_stored(fps, keys, dedup.store.lsh_candidates)
    groups = sorted(sorted(n.key for n in g) for g in linker.groups())
    assert groups == [["alone"], ["new", "old"]]  # stored component labelled by "old"
    components, pending = dedup._merged(linker)
    assert components == {"new": "new", "old": "new", "alone": "alone"}
    assert {d.doc_id: d.status for d in pending} == {"new": "pending", "alone": "pending"}


def test_members_apart_are_decided_at_once_as_their_own_rounds_would(
    stories: list[list[str]], members: list[Fingerprint], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A roundup links three stories; once its round is done, the rest share nothing (every
    story size 0): all kept at once, exactly as one round each would keep them."""
    docs = [_doc("a", stories[0]), _doc("b", stories[1]), _doc("c", stories[3]),
            _doc("digest", stories[0] + stories[1] + stories[3]), _doc("empty", [])]
    calls: list[int] = []  # sizes of the rounds decided apart, per pass of the loop
    # the members' briefs and empty bodies are pieces of their own (``own_pieces``): their
    # rounds are those of the members' one piece, as a component whose own text linked them
    for fps, resolve in ((fingerprint_batch(docs, CONFIG), resolve_component),
                         (members, cluster._resolve_piece)):
        calls.clear()
        monkeypatch.setattr(_Round, "decide_apart", _recording(
            _Round.decide_apart, lambda self, alone: calls.append(len(self.members))))
        fast = resolve(fps, None, CONFIG, frozenset(), frozenset())
        monkeypatch.setattr(_Round, "apart", lambda self: False)
        assert resolve(fps, None, CONFIG, frozenset(), frozenset()) == fast
        monkeypatch.undo()
        assert calls and max(calls) >= 2


def test_unmatched_members_are_decided_at_once_as_their_own_rounds_would(
    stories: list[list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pages of one site whose text is all its chrome (one text, several stories: twins that
    are not copies) and stories no other page matches: once no member carries story, the
    rounds that each keep the largest alone are decided at once, exactly as one by one."""
    chrome = ["Subscribe to the example daily newsletter for more news from our newsroom today",
              "All rights reserved by the example company and its partners around the world"]
    docs = [_doc(f"chrome-{i}", chrome, f"https://s.example/c{i}") for i in range(4)]
    docs += [_doc(f"story-{k}", [chrome[0], *stories[k]], f"https://s.example/s{k}")
             for k in range(4)]
    # one story copied on another site: story sizes are not 0 until its round
    docs += [_doc("wire", stories[4], "https://w.example/a"),
             _doc("wire-copy", _edit(stories[4], 3, seed=1), "https://t.example/b")]
    fps = fingerprint_batch(docs, CONFIG)
    common = common_lines(*line_pairs(fps), dataclasses.replace(CONFIG, common_line_stories=3))
    own = [f.discounted_by(common) for f in fps]
    decided: list[int] = []  # how many each call decided
    real = _Round.decide_unmatched

    def counted(self: _Round, alone: bool) -> dict[int, Decision]:
        out = real(self, alone)
        decided.append(len(out))
        return out

    monkeypatch.setattr(_Round, "decide_unmatched", counted)
    fast = resolve_component(own, None, CONFIG)
    assert max(decided) >= 2 and any(d.status == "duplicate" for d in fast)
    monkeypatch.setattr(_Round, "decide_unmatched", lambda self, alone: {})
    assert resolve_component(own, None, CONFIG) == fast


def test_resolve_fetches_a_bounded_number_of_members_at_once(
    stories: list[list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``resolve`` fetches the fingerprints of at most ``_RESOLVE_MEMBERS`` members at once (a
    larger component alone), however many components a chunk of labels holds, and decides
    as it does in one go."""
    docs = [_doc(f"s{s}-c{c}", _edit(stories[s], 1 + c, seed=c), f"https://s{c}.example/{s}")
            for s in range(5) for c in range(1 + s)]

    def decide(held: list[list[int]]) -> list[Decision]:
        dedup = Deduplicator(CONFIG)
        dedup.add_fingerprints(fingerprint_batch(docs, CONFIG), resolve=False)
        dedup.resolve()
        return dedup.decisions()

    def record(_: object, members_of: dict[str, list[str]], *rest: object) -> None:
        held.append([len(ids) for ids in members_of.values()])

    held: list[list[int]] = []
    monkeypatch.setattr(Deduplicator, "_resolve_labels",
                        _recording(Deduplicator._resolve_labels, record))
    expected = decide(held)
    assert held == [[1, 2, 3, 4, 5]]  # the default bound takes every component at once
    held.clear()
    monkeypatch.setattr(deduplicator, "_RESOLVE_MEMBERS", 3)
    assert decide(held) == expected
    assert held == [[1, 2], [3], [4], [5]]  # a component over the bound alone


def test_a_component_keeps_a_bounded_number_of_rows(
    stories: list[list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows are cached up to ``_ROW_CACHE_BYTES`` (least recently used dropped first); a row
    asked again is recomputed alike, and a story decided with a cache of one row is decided
    as with room for all."""
    docs = [_doc(f"c{i:02d}", _edit(stories[0], 1 + i % 5, seed=i), f"https://s{i}.example/x")
            for i in range(40)]
    fps = sorted(fingerprint_batch(docs, CONFIG), key=lambda f: f.doc_id)
    expected = resolve_component(fps, None, CONFIG)
    first = _Component(fps, None, CONFIG).row(0)
    monkeypatch.setattr(cluster, "_ROW_CACHE_BYTES", 2 * first.nbytes)
    comp = _Component(fps, None, CONFIG)
    for i in (0, 1, 0, 2):  # 0 used again: 1 is the least recently used when 2 comes
        comp.row(i)
    assert list(comp._rows) == [0, 2]
    assert comp._row_bytes == sum(r.nbytes for r in comp._rows.values())
    assert np.array_equal(comp.row(1).match, _Component(fps, None, CONFIG).row(1).match)
    monkeypatch.setattr(cluster, "_ROW_CACHE_BYTES", 1)
    assert resolve_component(fps, None, CONFIG) == expected


def test_pages_linked_only_by_their_sites_common_text_are_decided_apart(
    stories: list[list[str]],
) -> None:
    """Three stories of one site whose extractor left the site's sidebar in (another story's
    lede, on all three pages) are one component, linked by the sidebar alone; discounted,
    each is a piece of its own, and the copy of one of them on another site stays with it."""
    sidebar = stories[3][:3]
    docs = [_doc(f"s0-{k}", [*stories[k], *sidebar], f"https://s0.example/{k}") for k in range(3)]
    docs.append(_doc("s1-0", _edit(stories[0], 4, seed=2), "https://s1.example/0"))
    fps = fingerprint_batch(docs, CONFIG)
    assert linked(fps[1], fps[2], CONFIG) and not verify(fps[1], fps[2], CONFIG)
    common = common_lines(*line_pairs(fps), CONFIG)
    own = [f.discounted_by(common) for f in fps]
    assert all(f.discounted for f in own[:3]) and not own[3].discounted
    pieces = own_pieces(own, CONFIG)
    assert [[f.doc_id for f in piece] for piece in pieces] == [["s0-0", "s1-0"], ["s0-1"], ["s0-2"]]
    decisions = {d.doc_id: d for d in resolve_component(own, None, CONFIG)}
    story = {decisions["s0-0"].canonical_id, decisions["s1-0"].canonical_id}
    assert len(story) == 1 and sorted(d.status for i, d in decisions.items() if i in
                                      ("s0-0", "s1-0")) == ["duplicate", "kept"]
    assert [decisions[i].status for i in ("s0-1", "s0-2")] == ["kept", "kept"]
    assert decisions["s0-1"].reason.startswith("no near-duplicate")


def test_the_memo_of_checked_pairs_emptied_changes_no_piece(
    stories: list[list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The piece walk remembers the pairs it checked only to skip them in later buckets: a
    memo emptied at every pair (``_CHECKED_PAIRS``) gives the same pieces, with no fewer checks."""
    sidebar = stories[3][:3]
    docs = [_doc(f"s0-{k}", [*stories[k], *sidebar], f"https://s0.example/{k}") for k in range(3)]
    docs += [_doc(f"s{c}-0", _edit(stories[0], 2 + c, seed=c), f"https://s{c}.example/0")
             for c in range(1, 5)]
    fps = fingerprint_batch(docs, CONFIG)
    common = common_lines(*line_pairs(fps), CONFIG)
    own = [f.discounted_by(common) for f in fps]
    checks: list[tuple[int, int]] = []
    monkeypatch.setattr(cluster, "may_verify", _recording(cluster.may_verify,
                                                          lambda a, b, c: checks.append((a, b))))
    remembered = [[f.doc_id for f in piece] for piece in own_pieces(own, CONFIG)]
    once = len(checks)
    monkeypatch.setattr(cluster, "_CHECKED_PAIRS", 0)
    assert [[f.doc_id for f in piece] for piece in own_pieces(own, CONFIG)] == remembered
    assert len(checks) - once >= once and len(remembered) == 3


def test_a_roundup_of_story_ledes_is_a_piece_apart_from_the_stories(
    stories: list[list[str]],
) -> None:
    """A digest carrying the opening paragraphs of three stories shares enough text with each
    story's pages to link them all into one component, yet ``verify`` cannot take it as a copy
    of any (a third of it at most is each story): each story is a piece, and the digest."""
    ledes = [p for k in range(3) for p in stories[k][:2]]
    docs = [_doc("digest", ledes, "https://d.example/today")]
    for k in range(3):
        docs += [_doc(f"{k}-a", stories[k], f"https://a.example/{k}"),
                 _doc(f"{k}-b", _edit(stories[k], 4, seed=k), f"https://b.example/{k}")]
    fps = fingerprint_batch(docs, CONFIG)
    assert all(linked(fps[0], fps[1 + 2 * k], CONFIG) for k in range(3))
    pieces = own_pieces(sorted(fps, key=lambda f: f.doc_id), CONFIG)
    assert [[f.doc_id for f in piece] for piece in pieces] == [
        ["0-a", "0-b"], ["1-a", "1-b"], ["2-a", "2-b"], ["digest"]]
    decisions = {d.doc_id: d for d in resolve_component(fps, None, CONFIG)}
    assert decisions["digest"].status == "kept"
    assert decisions["digest"].reason.startswith("no near-duplicate")
    for k in range(3):
        pair = [decisions[f"{k}-a"], decisions[f"{k}-b"]]
        assert sorted(d.status for d in pair) == ["duplicate", "kept"]
        assert len({d.canonical_id for d in pair}) == 1
