"""Near-duplicate detection on the seed stories and controlled variants of them.

The variants are the transformations syndication really applies (a dropped dateline, curly
quotes, an inserted "Advertisement" line, copyedits, cut-off endings, extra paragraphs); the
seed texts are real wire stories, so the overlaps between *different* stories are real too.
"""

from __future__ import annotations

import dataclasses
import pickle
import random
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanfeed import (
    CleanDoc,
    Decision,
    DedupConfig,
    Deduplicator,
    Fingerprint,
    IndexMismatchError,
    MemoryStore,
    Similarity,
    SqliteStore,
    band_keys,
    deduplicate,
    fingerprint,
    fingerprint_batch,
    resolve_component,
    verify,
)
from cleanfeed.dedup import cluster, deduplicator
from cleanfeed.dedup import store as store_module
from cleanfeed.dedup.cluster import (
    band_buckets,
    candidate_pairs,
    cluster_fingerprints,
    common_lines,
    connected_components,
    line_pairs,
    verify_many,
)
from cleanfeed.dedup.fingerprint import lsh_keys, strip_volatile, tokens
from cleanfeed.dedup.store import BandIndex, LinePairs, Reach, Settled

CONFIG = DedupConfig()


def doc(doc_id: str, text: str, *, url: str | None = None, title: str | None = None, date: str | None = None,
        wire: str | None = None) -> CleanDoc:
    return CleanDoc(id=doc_id, paragraphs=tuple(p for p in text.split("\n\n") if p.strip()),
                    url=url, title=title, date=date, wire=wire)


@pytest.fixture(scope="module")
def seeds(seed_gold: dict[str, str]) -> list[CleanDoc]:
    return [doc(name, text) for name, text in sorted(seed_gold.items())]


@pytest.fixture(scope="module")
def reuters(seed_gold: dict[str, str]) -> str:
    """A Reuters story: SEOUL dateline, credit line at the end."""
    return seed_gold["004_b1c7c96db9077958.txt"]


_Record = TypeVar("_Record", Decision, Fingerprint)


def by_id(records: Iterable[_Record]) -> dict[str, _Record]:
    return {r.doc_id: r for r in records}


def similarity(decision: Decision) -> Similarity:
    """The similarity a duplicate was matched by (it has one)."""
    assert decision.similarity is not None, decision
    return decision.similarity


def copyedit(text: str, n: int, seed: int = 0) -> str:
    """Replace n words at random positions (as a copy desk would, one word at a time)."""
    words = text.split(" ")
    rng = random.Random(seed)
    for i in rng.sample(range(len(words)), n):
        words[i] = "edited"
    return " ".join(words)


# --- normalisation ---------------------------------------------------------------------------


def test_volatile_wrappers_are_stripped(reuters: str) -> None:
    paras = reuters.split("\n\n")
    assert paras[0].startswith("SEOUL")
    stripped = strip_volatile(["Advertisement", *paras[:3], "ADVERTISEMENT", *paras[3:]])
    assert not stripped[0].startswith("SEOUL")
    assert "(Reuters)" not in stripped[0]
    assert all(p.lower() != "advertisement" for p in stripped)
    assert not any(p.startswith("(Reporting by") for p in stripped)
    # body paragraphs survive untouched
    assert stripped[1:4] == tuple(paras[1:4])


def test_typography_and_dateline_do_not_change_the_text_hash(reuters: str) -> None:
    paras = reuters.split("\n\n")
    undated = re.sub(r"^SEOUL \(Reuters\) -\s*", "", paras[0])
    assert undated != paras[0]
    variant = [undated] + [
        p.replace('"', "“").replace("'", "’").replace(" - ", " — ") for p in paras[1:-1]
    ]
    a = fingerprint(doc("a", reuters), CONFIG)
    b = fingerprint(doc("b", "\n\n".join(variant)), CONFIG)
    assert a.text_hash == b.text_hash
    found = verify(a, b, CONFIG)
    assert found is not None and found.basis == "exact"


def test_tokens_are_casefolded_words() -> None:
    assert tokens(["WASHINGTON, Jan 3 (Reuters) - The U.S. “Fed” held rates."]) == [
        "the", "u", "s", "fed", "held", "rates",
    ]



def test_words_of_non_ascii_letters_stay_whole() -> None:
    # "à", "х" and "Å" end in the UTF-8 bytes 0xA0 or 0x85, which once split words in two
    assert tokens(["Voilà : la police de Хабаровск et d\u2019Åland\u00a0— 中文 news\u2028next"]) == [
        "voilà", "la", "police", "de", "хабаровск", "et", "d", "åland", "中文", "news", "next",
    ]

# --- signatures ------------------------------------------------------------------------------


def test_signature_matches_datasketch(seeds: list[CleanDoc]) -> None:
    for fp in fingerprint_batch(seeds, CONFIG):
        m = MinHash(num_perm=CONFIG.num_perm, seed=CONFIG.seed, hashfunc=lambda x: x)
        m.update_batch([int(v) & 0xFFFFFFFF for v in fp.shingle_array()])
        assert np.array_equal(m.hashvalues, fp.signature_array())


def test_batch_and_single_fingerprints_agree(seeds: list[CleanDoc]) -> None:
    assert fingerprint_batch(seeds, CONFIG) == [fingerprint(d, CONFIG) for d in seeds]


def test_fingerprint_is_picklable_and_json_round_trips(seeds: list[CleanDoc]) -> None:
    fp = fingerprint(seeds[0], CONFIG)
    assert pickle.loads(pickle.dumps(fp)) == fp
    assert Fingerprint.from_dict(fp.to_dict()) == fp
    assert band_keys(fp.signature, CONFIG).shape == (CONFIG.bands,)


def test_candidate_pairs_equal_brute_force() -> None:
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 6, size=(40, 4), dtype=np.uint64) + np.arange(4, dtype=np.uint64) * 100
    brute = {
        (i, j)
        for i in range(40)
        for j in range(i + 1, 40)
        if set(keys[i].tolist()) & set(keys[j].tolist())
    }
    assert {tuple(p) for p in candidate_pairs(keys).tolist()} == brute


def test_buckets_hold_the_candidate_pairs() -> None:
    rng = np.random.default_rng(4)
    keys = rng.integers(0, 5, size=(30, 4), dtype=np.uint64) + np.arange(4, dtype=np.uint64) * 100
    from_buckets = {(i, j) for rows in band_buckets(keys) for j in rows for i in rows if i < j}
    assert from_buckets == {tuple(p) for p in candidate_pairs(keys).tolist()}
    assert all(len(rows) >= 2 for rows in band_buckets(keys))


@pytest.mark.parametrize("at_once", [1 << 22, 64, 7])
def test_buckets_come_in_key_order_whatever_range_is_sorted_at_once(
        monkeypatch: pytest.MonkeyPatch, at_once: int) -> None:
    # hashed keys over the whole uint64 range, a few shared by many rows (a site's chrome):
    # sorted in ranges of their top bits, the buckets are the same, in the same order
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 2**64, size=(50, 6), dtype=np.uint64)
    shared = rng.integers(0, 2**64, size=9, dtype=np.uint64)
    keys[rng.integers(0, 50, size=120), rng.integers(0, 6, size=120)] = shared[rng.integers(0, 9, size=120)]
    keys[3, 0] = keys[4, 5] = np.uint64(2**64 - 1)  # the last range's last key
    keys[5, 1] = keys[6, 2] = np.uint64(0)
    monkeypatch.setattr(cluster, "_SORTED_AT_ONCE", at_once)
    walked = list(band_buckets(keys))
    where: dict[int, set[int]] = {}
    for row, key in zip(np.repeat(np.arange(50), 6).tolist(), keys.reshape(-1).tolist(), strict=True):
        where.setdefault(key, set()).add(row)
    assert walked == [sorted(rows) for _, rows in sorted(where.items()) if len(rows) >= 2]


def test_band_index_query_equals_brute_force() -> None:
    rng = np.random.default_rng(4)
    keys = rng.integers(0, 50, size=(60, 8), dtype=np.uint64)
    index = BandIndex()
    for start in range(0, 50, 7):  # several runs, merged on the way
        stop = min(start + 7, 50)
        index.insert(np.arange(start, stop), keys[start:stop])
    rows, docs = index.query(keys[50:])
    got = set(zip(rows.tolist(), docs.tolist(), strict=True))
    brute = {
        (r, d)
        for r in range(10)
        for d in range(50)
        if set(keys[50 + r].tolist()) & set(keys[d].tolist())
    }
    assert got == brute
    assert index.nbytes == 50 * 8 * 12  # keys and documents (runs this small have no directory)


@pytest.mark.parametrize("directory_from", [1, 1 << 22])
def test_band_index_finds_hashed_keys_in_their_buckets(
    directory_from: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # band keys are hashes over the whole uint64 range: a large run's directory sends a needle
    # to its bucket (here every run has one, or none); keys many documents share (a site's
    # chrome), the range's two ends and keys no document holds come out as brute force finds
    monkeypatch.setattr(store_module, "_DIRECTORY_KEYS", directory_from)
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 2**64 - 1, size=(3000, 6), dtype=np.uint64, endpoint=True)
    keys[::3, 0] = 12345
    keys[:40, 1] = np.uint64(2**64 - 1)
    keys[40:70, 2] = 0
    index = BandIndex()
    for start in range(0, 2900, 290):
        index.insert(np.arange(start, start + 290), keys[start : start + 290])
    needles = np.vstack((keys[rng.choice(2900, 40)], keys[2900:]))  # held, and not held
    rows, docs = index.query(needles)
    got = set(zip(rows.tolist(), docs.tolist(), strict=True))
    held: dict[int, set[int]] = {}
    for d, row in enumerate(keys[:2900].tolist()):
        for key in row:
            held.setdefault(key, set()).add(d)
    brute = {(r, d) for r, row in enumerate(needles.tolist()) for key in row for d in held.get(key, ())}
    assert got == brute
    # the needles of no document reach only the documents of the key they share (every third)
    assert {d for r, d in got if r >= 40} == set(range(0, 2900, 3))


def test_line_pairs_capped_give_the_same_common_lines() -> None:
    rng = np.random.default_rng(5)
    keys = np.concatenate((rng.integers(0, 400, 2000), np.full(1000, 7))).astype(np.uint64)
    stories = rng.integers(0, 30, 3000).astype(np.int64)
    capped, full = LinePairs(cap=3), LinePairs()
    for start in range(0, 3000, 170):  # several runs, merged on the way
        capped.insert(keys[start : start + 170], stories[start : start + 170])
        full.insert(keys[start : start + 170], stories[start : start + 170])
    config = dataclasses.replace(CONFIG, common_line_stories=3)
    needles = np.arange(0, 450, 2, dtype=np.uint64)
    assert len(capped) < len(full) and len(capped.query(np.array([7], dtype=np.uint64))[0]) == 3
    common = common_lines(*capped.query(needles), config).tolist()
    assert common == common_lines(*full.query(needles), config).tolist()
    assert 0 < len(common) < 200


# --- what is a copy --------------------------------------------------------------------------


def test_exact_and_near_copies_collapse(reuters: str) -> None:
    paras = reuters.split("\n\n")
    docs = [
        doc("orig", reuters, url="https://www.reuters.com/world/x"),
        doc("exact", reuters, url="https://a.example/1", title="Another headline"),
        doc("no-dateline", "\n\n".join([paras[0][len("SEOUL (Reuters) -"):], *paras[1:]]), url="https://b.example/2"),
        doc("advert", "\n\n".join([*paras[:4], "Advertisement", *paras[4:]]), url="https://c.example/3"),
        doc("copyedit", copyedit(reuters, 12), url="https://d.example/4"),
    ]
    decisions = by_id(deduplicate(docs, CONFIG))
    assert decisions["orig"].status == "kept"
    for other in ("exact", "no-dateline", "advert", "copyedit"):
        assert decisions[other].status == "duplicate"
        assert decisions[other].canonical_id == "orig"
    assert similarity(decisions["copyedit"]).basis == "jaccard"
    assert similarity(decisions["exact"]).basis == "exact"


def test_trimmed_copy_and_update_are_copies(reuters: str) -> None:
    paras = reuters.split("\n\n")
    keep = max(1, round(len(paras) * 0.4))
    update = [
        *paras,
        "North Korea's state media later said the troops had returned home after the fighting, "
        "and that their families had been received by senior officials in Pyongyang.",
        "Russia's defence ministry did not respond to a request for comment on the report.",
    ]
    docs = [
        doc("full", reuters),
        doc("trimmed", "\n\n".join(paras[:keep])),
        doc("update", "\n\n".join(update)),
    ]
    fps = fingerprint_batch(docs, CONFIG)
    trimmed = verify(fps[0], fps[1], CONFIG)
    assert trimmed is not None and trimmed.basis == "containment"
    assert verify(fps[0], fps[2], CONFIG) is not None
    decisions = by_id(cluster_fingerprints(fps, CONFIG))
    kept = [d for d in decisions.values() if d.status == "kept"]
    assert len(kept) == 1
    # the update has the most text and contains the others
    assert kept[0].doc_id == "update"


def test_a_small_excerpt_is_not_a_copy(reuters: str) -> None:
    """A text quoting one passage of a story is related coverage, not a trimmed copy."""
    paras = reuters.split("\n\n")
    excerpt = doc("excerpt", "\n\n".join(paras[:3]))
    full = doc("full", reuters)
    a, b = fingerprint_batch([full, excerpt], CONFIG)
    assert b.size < CONFIG.min_size_ratio * a.size or b.size < CONFIG.min_shingles
    assert verify(a, b, CONFIG) is None


def test_shared_quote_is_not_a_copy(seeds: list[CleanDoc]) -> None:
    quote = (
        '"We will never forget the heroic feats of the Korean soldiers who fought for Russia as '
        "for their own homeland, and we will always remember their sacrifice and courage,\" the "
        "statement said, adding that the friendship between the two peoples had been sealed in blood."
    )
    a = dataclasses.replace(seeds[0], id="a", paragraphs=(*seeds[0].paragraphs[:2], quote, *seeds[0].paragraphs[2:]))
    b = dataclasses.replace(seeds[1], id="b", paragraphs=(*seeds[1].paragraphs[:3], quote, *seeds[1].paragraphs[3:]))
    fa, fb = fingerprint_batch([a, b], CONFIG)
    assert verify(fa, fb, CONFIG) is None


def test_briefs_with_shared_template_are_not_merged() -> None:
    template = (
        "Stay informed with our daily briefing. Sign up for the morning newsletter and get the "
        "top stories of the day delivered to your inbox, every weekday at six."
    )
    briefs = [
        doc("b1", f"The city council approved the new budget on Tuesday.\n\n{template}"),
        doc("b2", f"Police closed the main bridge after a truck overturned.\n\n{template}"),
        doc("b3", f"The city council approved the new budget on Tuesday.\n\n{template}"),
    ]
    decisions = by_id(deduplicate(briefs, CONFIG))
    assert decisions["b1"].status == decisions["b2"].status == "kept"
    # an exact copy of a brief is still one story
    assert decisions["b3"].status == "duplicate" and decisions["b3"].canonical_id == "b1"


def test_seeds_are_all_kept(seeds: list[CleanDoc]) -> None:
    decisions = deduplicate(seeds, CONFIG)
    assert [d.status for d in decisions] == ["kept"] * 5
    fps = fingerprint_batch(seeds, CONFIG)
    for i in range(5):
        for j in range(i + 1, 5):
            assert verify(fps[i], fps[j], CONFIG) is None


# --- clusters without chaining ---------------------------------------------------------------


def test_chain_of_partial_overlaps_is_not_glued(seeds: list[CleanDoc]) -> None:
    """Sliding windows over distinct paragraphs: each window contains 90% of the next one,
    so transitive closure would join all of them, yet the first and last share nothing."""
    paras = [p for s in seeds for p in s.paragraphs if len(p.split()) > 15]
    window = 10
    docs = [doc(f"w{i:02d}", "\n\n".join(paras[i : i + window])) for i in range(12)]
    fps = fingerprint_batch(docs, CONFIG)
    edges = [(i, i + 1) for i in range(11) if verify(fps[i], fps[i + 1], CONFIG)]
    assert len(set(connected_components(12, edges).tolist())) == 1  # closure glues all
    assert verify(fps[0], fps[11], CONFIG) is None
    decisions = by_id(resolve_component(fps, None, CONFIG))
    kept = {d.doc_id for d in decisions.values() if d.status == "kept"}
    assert len(kept) >= 3
    fp_of = {f.doc_id: f for f in fps}
    for d in decisions.values():
        if d.status == "duplicate":  # every copy matches its canonical directly
            assert verify(fp_of[d.doc_id], fp_of[d.canonical_id], CONFIG) is not None
    # the guard explains itself: some kept window says why it stands alone
    assert any(d.reason.startswith("own cluster") for d in decisions.values() if d.status == "kept")


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False))
def test_resolve_component_ignores_member_order(rnd: random.Random) -> None:
    fps = _chain_fps()
    shuffled = fps[:]
    rnd.shuffle(shuffled)
    assert resolve_component(shuffled, None, CONFIG) == resolve_component(fps, None, CONFIG)


def _chain_fps() -> list[Fingerprint]:
    from tests.conftest import SEEDS

    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((SEEDS / "gold").glob("*.txt")))
    words = text.split()
    docs = [doc(f"c{i}", " ".join(words[i * 120 : i * 120 + 400])) for i in range(8)]
    return fingerprint_batch(docs, CONFIG)


# --- canonical policy ------------------------------------------------------------------------


def test_canonical_prefers_wire_site_then_completeness_then_date_then_id(reuters: str) -> None:
    paras = reuters.split("\n\n")
    trimmed = "\n\n".join(paras[: len(paras) // 2])
    base = [
        doc("a-early", reuters, url="https://news.example/a", date="2025-04-26", wire="Reuters"),
        doc("b-wire", reuters, url="https://www.reuters.com/world/b", date="2025-04-27", wire="Reuters"),
    ]
    d = by_id(deduplicate(base, CONFIG))
    assert d["b-wire"].status == "kept" and "wire's own site" in d["b-wire"].reason
    # a trimmed copy on the wire's site loses to a complete copy elsewhere
    d = by_id(deduplicate([base[0], doc("c-wire-trim", trimmed, url="https://reuters.com/c", wire="Reuters")], CONFIG))
    assert d["a-early"].status == "kept" and "complete" in d["a-early"].reason
    # no wire site: earliest date, then the smallest id
    d = by_id(deduplicate([doc("z", reuters, date="2025-04-25"), doc("y", reuters, date="2025-04-28")], CONFIG))
    assert d["z"].status == "kept" and "earliest date" in d["z"].reason
    d = by_id(deduplicate([doc("n2", reuters), doc("n1", reuters)], CONFIG))
    assert d["n1"].status == "kept" and "tie-break" in d["n1"].reason


def test_wire_original_stays_canonical_next_to_an_update(reuters: str) -> None:
    """The issue's order: the wire's own copy first, even when an outlet has a longer update."""
    update = reuters + (
        "\n\nNorth Korea's state media later said the troops had returned home after the "
        "fighting, and that their families had been received by senior officials in Pyongyang."
        "\n\nRussia's defence ministry did not respond to a request for comment on the report."
    )
    docs = [
        doc("wire", reuters, url="https://www.reuters.com/world/asia/x", wire="Reuters"),
        doc("update", update, url="https://news.example/y", wire="Reuters"),
    ]
    d = by_id(deduplicate(docs, CONFIG))
    assert d["wire"].status == "kept" and d["update"].canonical_id == "wire"


def test_later_better_canonical_supersedes_and_is_reported(reuters: str) -> None:
    dedup = Deduplicator(CONFIG)
    first = dedup.add(doc("syndicated", reuters, url="https://news.example/s"))
    assert first.decision.status == "kept"
    second = dedup.add(doc("wire", reuters, url="https://www.reuters.com/w"))
    assert second.decision.status == "kept"
    assert [c.doc_id for c in second.changed] == ["syndicated"]
    assert second.changed[0].status == "duplicate" and second.changed[0].canonical_id == "wire"
    assert by_id(dedup.decisions())["syndicated"].canonical_id == "wire"


# --- determinism and the on-disk index --------------------------------------------------------


def _variants(seeds: list[CleanDoc]) -> list[CleanDoc]:
    out = list(seeds)
    for i, s in enumerate(seeds):
        p = s.paragraphs
        out.append(dataclasses.replace(s, id=f"{i}-trim", paragraphs=p[: len(p) // 2]))
        out.append(dataclasses.replace(s, id=f"{i}-wire", url="https://apnews.com/x"))
        out.append(dataclasses.replace(s, id=f"{i}-edit", paragraphs=(copyedit(s.text, 8, i),)))
    return out


def test_same_clusters_in_any_order_and_batching(seeds: list[CleanDoc]) -> None:
    docs = _variants(seeds)
    reference = by_id(cluster_fingerprints(fingerprint_batch(docs, CONFIG), CONFIG))
    assert sum(d.status == "kept" for d in reference.values()) == 5
    rng = random.Random(7)
    for _ in range(3):
        order = docs[:]
        rng.shuffle(order)
        dedup = Deduplicator(CONFIG)
        i = 0
        while i < len(order):
            n = rng.randint(1, 5)
            dedup.add_batch(order[i : i + n])
            i += n
        assert by_id(dedup.decisions()) == reference


def test_index_day1_then_day2_equals_one_run(seeds: list[CleanDoc], tmp_path: Path) -> None:
    docs = _variants(seeds)
    one_run = by_id(deduplicate(docs, CONFIG))
    path = tmp_path / "dedup.sqlite"
    with Deduplicator(CONFIG, SqliteStore(path, CONFIG)) as day1:
        day1.add_batch(docs[::2])
    with Deduplicator(CONFIG, SqliteStore(path, CONFIG)) as day2:
        day2.add_batch(docs[1::2])
        assert by_id(day2.decisions()) == one_run
        # re-adding a known document is a no-op
        again = day2.add(docs[0])
        assert again.decision == one_run[docs[0].id] and again.changed == ()
    store = SqliteStore(path, CONFIG)
    fps = fingerprint_batch(docs[:3], CONFIG)
    assert store.fingerprints([f.doc_id for f in fps]) == {f.doc_id: f for f in fps}
    store.close()


_CHROME = (
    "Home World Business Markets Technology Science Health Sports Opinion Video Podcasts Weather "
    "Newsletters Subscribe Sign in",
    "Get the morning briefing delivered to your inbox every weekday with the day's top stories "
    "from our newsroom",
    "Follow us on social media and download our app for breaking news alerts and live coverage "
    "of the events",
)


def _on_site(d: CleanDoc, doc_id: str, site: str) -> CleanDoc:
    """``d`` republished on ``site`` with the chrome its extractor left in leading the text."""
    return dataclasses.replace(d, id=doc_id, url=f"https://{site}/{doc_id}",
                               paragraphs=(*(f"{site}: {c}" for c in _CHROME), *d.paragraphs))


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_settled_runs_link_pages_by_their_story_not_their_sites_chrome(
    seeds: list[CleanDoc], tmp_path: Path, kind: str
) -> None:
    """Two runs through one index. Day 1: four stories on one site, its chrome leading each
    page (linked into one component by it), one of them copied on a second site. Settled at
    the end of the run, the component is relabelled into its own pieces. Day 2: a copyedit of
    one of day 1's stories on a third site, and a new story on the first. The copy joins its
    story's piece only, the new story no earlier page: not the site's whole history, as the
    chrome would have it. The decisions are one run's over both days."""
    site = "news.example"
    day1 = [_on_site(seeds[i], f"d1-{i}", site) for i in range(4)]
    day1.append(dataclasses.replace(seeds[0], id="d1-0-copy", url="https://other.example/c"))
    day2 = [dataclasses.replace(seeds[1], id="d2-1-edit", url="https://third.example/e",
                                paragraphs=(copyedit(seeds[1].text, 6, 3),)),
            _on_site(seeds[4], "d2-4", site)]
    store = MemoryStore(CONFIG) if kind == "memory" else SqliteStore(tmp_path / "i.sqlite", CONFIG)
    dedup = Deduplicator(CONFIG, store)
    dedup.add_fingerprints(fingerprint_batch(day1, CONFIG), resolve=False)
    assert len(set(store.components([d.id for d in day1]).values())) == 1  # glued by the chrome
    dedup.resolve(settle=True)
    pieces = store.components([d.id for d in day1])
    assert pieces["d1-0"] == pieces["d1-0-copy"] == "d1-0"
    assert len({pieces[f"d1-{i}"] for i in range(4)}) == 4
    dedup.add_fingerprints(fingerprint_batch(day2, CONFIG), resolve=False)
    labels = store.components(["d2-1-edit", "d2-4"])
    assert sorted(store.component_members([labels["d2-1-edit"]])[labels["d2-1-edit"]]) == [
        "d1-1", "d2-1-edit"]
    assert store.component_members([labels["d2-4"]])[labels["d2-4"]] == ["d2-4"]
    dedup.resolve(settle=True)
    daily = by_id(dedup.decisions())
    assert daily["d1-1"].canonical_id == daily["d2-1-edit"].canonical_id  # one cluster
    assert daily["d2-4"].status == "kept"
    assert daily == by_id(deduplicate(day1 + day2, CONFIG))
    store.close()


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_component_too_large_to_hold_is_decided_in_its_pieces_as_if_whole(
    seeds: list[CleanDoc], tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A site's chrome links its five stories' pages, and so their copies elsewhere, into one
    component of eight. Its fingerprints over ``_WHOLE_BYTES``, it is decided in its own pieces,
    at most ``_RESOLVE_MEMBERS`` members at once, and no more than ``_HELD_MEMBERS`` of its
    fingerprints are held while its pieces are found (fetched again as they are asked for):
    the decisions, the pieces a settled run relabels it into and the own keys it settles its
    pages under are those of deciding it whole, and the parts are not walked for their pieces
    again."""
    site = "news.example"
    docs = [_on_site(seeds[i], f"a-{i}", site) for i in range(5)]
    docs += [dataclasses.replace(seeds[i], id=f"b-{i}", url=f"https://other.example/{i}")
             for i in (0, 1)]
    docs.append(dataclasses.replace(seeds[2], id="c-2", url="https://third.example/2",
                                    paragraphs=(copyedit(seeds[2].text, 6, 3),)))
    ids = [d.id for d in docs]
    fps = fingerprint_batch(docs, CONFIG)

    def decide(name: str) -> tuple[dict[str, Decision], dict[str, str], dict[str, bytes]]:
        store = MemoryStore(CONFIG) if kind == "memory" else SqliteStore(tmp_path / name, CONFIG)
        dedup = Deduplicator(CONFIG, store)
        dedup.add_fingerprints(fps, resolve=False)
        assert len(set(store.components(ids).values())) == 1  # glued by the chrome
        settled: dict[str, bytes] = {}
        commit = store.commit

        def committing(*args: Any) -> None:
            settled.update((m.doc_id, b"" if m.own_keys is None else m.own_keys.tobytes())
                           for m in (args[3] if len(args) > 3 else ()))
            commit(*args)

        monkeypatch.setattr(store, "commit", committing)
        dedup.resolve(settle=True)
        decided = by_id(dedup.decisions()), store.components(ids), settled
        store.close()
        return decided

    walks: list[int] = []
    own_pieces = cluster._own_pieces

    def walking(members: Any, *rest: Any) -> Any:
        walks.append(len(members))
        return own_pieces(members, *rest)

    monkeypatch.setattr(cluster, "_own_pieces", walking)
    whole = decide("whole.sqlite")
    assert len(set(whole[1].values())) == 5  # five stories: five pieces
    assert sorted(whole[2]) == sorted(ids) and any(whole[2].values()) and walks == [8]
    walks.clear()
    parts: list[list[str]] = []
    held: list[int] = []
    resolve_labels, hold = Deduplicator._resolve_labels, deduplicator._Held.hold

    def resolving(self: Deduplicator, members_of: dict[str, list[str]], *rest: Any) -> Any:
        parts.extend(list(ids) for ids in members_of.values())
        return resolve_labels(self, members_of, *rest)

    def holding(self: Any, rows: list[int]) -> None:
        hold(self, rows)
        held.append(len(self.held))

    monkeypatch.setattr(Deduplicator, "_resolve_labels", resolving)
    monkeypatch.setattr(deduplicator._Held, "hold", holding)
    monkeypatch.setattr(deduplicator, "_WHOLE_BYTES", 1)
    monkeypatch.setattr(deduplicator, "_HELD_MEMBERS", 3)
    monkeypatch.setattr(deduplicator, "_RESOLVE_MEMBERS", 3)
    assert decide("pieces.sqlite") == whole
    assert sorted(m for part in parts for m in part) == sorted(ids)
    assert len(parts) > 1 and max(map(len, parts)) <= 3
    assert held and max(held) <= 3
    assert walks == []  # the large component's walk found the pieces once


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_store_tells_what_fingerprints_take_before_fetching_them(
    seeds: list[CleanDoc], tmp_path: Path, kind: str,
) -> None:
    """``fingerprint_bytes``: what ``resolve`` weighs before it holds a component whole."""
    fps = fingerprint_batch(seeds, CONFIG)
    store = MemoryStore(CONFIG) if kind == "memory" else SqliteStore(tmp_path / "i.sqlite", CONFIG)
    Deduplicator(CONFIG, store).add_fingerprints(fps, resolve=False)
    ids = [f.doc_id for f in fps]
    arrays = [len(f.shingles) + len(f.signature) + len(f.lines) + len(f.shingle_lines) for f in fps]
    assert store.fingerprint_bytes([]) == 0
    assert sum(arrays) <= store.fingerprint_bytes(ids) <= 2 * sum(arrays)
    assert store.fingerprint_bytes(ids[:1]) < store.fingerprint_bytes(ids)
    store.close()


def test_a_run_knows_as_common_the_chrome_its_own_pages_share(seeds: list[CleanDoc]) -> None:
    """Day 1 holds two stories of a site: too few for its chrome to be common, so they settle
    with it in their own text. Day 2 brings two more stories of the site: with them the chrome
    is on four stories' pages, so day 2's pages reach no page of day 1 through it. The clusters
    are one run's (day 1's reasons keep what day 1 knew: nothing reached them again)."""
    site = "news.example"
    day1 = [_on_site(seeds[i], f"d1-{i}", site) for i in range(2)]
    day2 = [_on_site(seeds[i], f"d2-{i}", site) for i in (2, 3)]
    store = MemoryStore(CONFIG)
    dedup = Deduplicator(CONFIG, store)
    dedup.add_fingerprints(fingerprint_batch(day1, CONFIG), resolve=False)
    dedup.resolve(settle=True)
    dedup.add_fingerprints(fingerprint_batch(day2, CONFIG), resolve=False)
    label = store.components(["d2-2"])["d2-2"]
    assert sorted(store.component_members([label])[label]) == ["d2-2", "d2-3"]
    dedup.resolve(settle=True)
    assert ({d.doc_id: (d.status, d.canonical_id) for d in dedup.decisions()}
            == {d.doc_id: (d.status, d.canonical_id) for d in deduplicate(day1 + day2, CONFIG)})


def test_settled_pages_leave_the_whole_text_index_for_the_own_one(tmp_path: Path) -> None:
    """``Settled``: a decided page is no longer found by the keys it was linked by, and is
    found by the keys of its own text until settled again without them."""
    fp = fingerprint(doc("a", "one two three four five six seven eight nine ten " * 8), CONFIG)
    linked_by = lsh_keys([fp], CONFIG)
    own = linked_by[:, ::-1].copy()  # other keys, as a discounted text has
    for store in (MemoryStore(CONFIG), SqliteStore(tmp_path / "i.sqlite", CONFIG)):
        store.commit([(fp, linked_by[0])], {"a": "a"}, [Decision("a", "pending", "a", None, "")])
        assert store.lsh_candidates(linked_by) == [[Reach("a", ["a"])]] and not store.holds_own()
        store.commit([], {}, [Decision("a", "kept", "a", None, "")], [Settled("a", linked_by[0], own[0])])
        assert store.lsh_candidates(linked_by) == [[]]
        assert store.own_candidates(own) == [[Reach("a", ["a"])]] and store.holds_own()
        store.commit([], {}, [], [Settled("a", None, None)])  # decided again: now a twin
        assert store.own_candidates(own) == [[]]
        store.close()


def test_candidates_come_by_component_in_either_store(tmp_path: Path) -> None:
    """A lookup's candidates come grouped by their stored component, each group's pages in
    order, the same from both stores; a page settled out of the whole-text index is no
    candidate there, and a component relabelled by a later commit is reached by its new label."""
    fps = [fingerprint(doc(f"p{i}", f"page {i} of the site, a story of its own " * 8), CONFIG) for i in range(6)]
    keys = np.repeat(lsh_keys(fps[:1], CONFIG), 6, axis=0)
    keys[:, 0] = 7  # every page shares key 7 (a site's chrome); the query row too
    query = np.vstack((keys[:1], np.full((1, keys.shape[1]), 9, dtype=np.uint64)))  # and one of nothing
    labels = {"p0": "p0", "p1": "p0", "p2": "p2", "p3": "p0", "p4": "p2", "p5": "p5"}
    pending = [Decision(f.doc_id, "pending", labels[f.doc_id], None, "") for f in fps]
    for store in (MemoryStore(CONFIG), SqliteStore(tmp_path / "i.sqlite", CONFIG)):
        store.commit(list(zip(fps, keys, strict=True)), labels, pending)
        assert store.lsh_candidates(query) == [
            [Reach("p0", ["p0", "p1", "p3"]), Reach("p2", ["p2", "p4"]), Reach("p5", ["p5"])], []]
        store.commit([], {"p5": "p2"}, [], [Settled("p3", keys[3], None)])  # p5 joins p2; p3 settled
        found = store.lsh_candidates(query)[0]
        assert sorted((r.label, list(r.docs)) for r in found) == [
            ("p0", ["p0", "p1"]), ("p2", ["p2", "p4", "p5"])]
        store.close()


def test_index_of_schema_4_is_upgraded(seeds: list[CleanDoc], tmp_path: Path) -> None:
    """An index of schema 4 opens (upgraded in place); its decided pages, which it left in the
    whole-text index, leave it once their component is decided again (settled)."""
    path = tmp_path / "dedup.sqlite"
    site = [_on_site(seeds[i], f"s{i}", "news.example") for i in range(4)]
    with SqliteStore(path, CONFIG) as store:
        Deduplicator(CONFIG, store).add_batch(site[:3])
        store._conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema'")
        store._conn.execute("DROP TABLE own_bands")
    with SqliteStore(path, CONFIG) as store:
        assert store._conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("6",)
        assert not store.holds_own() and len(store.decisions()) == 3
        keys = lsh_keys(fingerprint_batch(site[:3], CONFIG), CONFIG)
        assert all(store.lsh_candidates(keys))
        dedup = Deduplicator(CONFIG, store)
        dedup.add_fingerprints(fingerprint_batch(site[3:], CONFIG), resolve=False)  # the chrome links it
        dedup.resolve(settle=True)
        assert store.lsh_candidates(keys) == [[], [], []] and store.holds_own()


def test_index_of_schema_5_is_keyed_again_by_own_text(seeds: list[CleanDoc], tmp_path: Path) -> None:
    """Schema 5 settled a page under the band keys of its whole page's signature, chrome and
    all. Opened now, the index keys its settled pages as a settled run keys them: by their own
    text, so a later page reaches them by their story alone."""
    site = [_on_site(seeds[i], f"s{i}", "news.example") for i in range(4)]
    fps = fingerprint_batch(site, CONFIG)
    path = tmp_path / "dedup.sqlite"
    with SqliteStore(path, CONFIG) as store:
        dedup = Deduplicator(CONFIG, store)
        dedup.add_fingerprints(fps, resolve=False)
        dedup.resolve(settle=True)
        settled = store._conn.execute("SELECT key, num FROM own_bands ORDER BY num, key").fetchall()
        assert settled
        nums = dict(store._conn.execute("SELECT doc_id, num FROM docs"))
        whole = sorted({(int(k), nums[f.doc_id]) for f, keys in zip(fps, lsh_keys(fps, CONFIG), strict=True)
                        for k in keys.view(np.int64)}, key=lambda r: (r[1], r[0]))
        assert whole != settled
        store._conn.execute("DELETE FROM own_bands")  # as schema 5 keyed them
        store._conn.executemany("INSERT INTO own_bands VALUES (?, ?)", whole)
        store._conn.execute("UPDATE meta SET value = '5' WHERE key = 'schema'")
        store._conn.commit()
    with SqliteStore(path, CONFIG) as store:
        assert store._conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("6",)
        assert store._conn.execute("SELECT key, num FROM own_bands ORDER BY num, key").fetchall() == settled


def test_index_refuses_another_config(tmp_path: Path) -> None:
    path = tmp_path / "dedup.sqlite"
    SqliteStore(path, CONFIG).close()
    with pytest.raises(IndexMismatchError, match="shingle_size"):
        SqliteStore(path, DedupConfig(shingle_size=4))
    SqliteStore(path, CONFIG).close()  # the right config still opens it


def test_interrupted_commit_leaves_index_unchanged(seeds: list[CleanDoc], tmp_path: Path) -> None:
    path = tmp_path / "dedup.sqlite"
    store = SqliteStore(path, CONFIG)
    dedup = Deduplicator(CONFIG, store)
    dedup.add_batch(seeds[:2])
    before = dedup.decisions()
    fp = fingerprint(seeds[2], CONFIG)
    with pytest.raises(KeyError):  # a commit that fails half-way (no decision for the doc)
        store.commit([(fp, band_keys(fp.signature, CONFIG))], {fp.doc_id: fp.doc_id}, [])
    assert dedup.decisions() == before
    assert store.text_hashes([fp.doc_id]) == {}
    store.close()


def test_pending_decisions_survive_an_interrupted_run(seeds: list[CleanDoc], tmp_path: Path) -> None:
    """Pages linked but not decided when a run stops are decided by the next resolve."""
    docs = _variants(seeds)
    path = tmp_path / "dedup.sqlite"
    with SqliteStore(path, CONFIG) as store:
        dedup = Deduplicator(CONFIG, store)
        dedup.add_batch(docs[:3])
        linked = dedup.add_fingerprints(fingerprint_batch(docs[3:], CONFIG), resolve=False)
        assert {d.status for d in linked.decisions} == {"pending"}
        assert store.pending() == sorted(d.id for d in docs[3:])
    with SqliteStore(path, CONFIG) as store:  # the next run
        dedup = Deduplicator(CONFIG, store)
        result = dedup.resolve()
        assert [d.doc_id for d in result.decisions] == sorted(d.id for d in docs[3:])
        assert store.pending() == []
        assert by_id(dedup.decisions()) == by_id(deduplicate(docs, CONFIG))


def test_same_id_with_other_text_is_refused(seeds: list[CleanDoc]) -> None:
    dedup = Deduplicator(CONFIG)
    dedup.add(seeds[0])
    with pytest.raises(ValueError, match="already added"):
        dedup.add(dataclasses.replace(seeds[1], id=seeds[0].id))


def test_config_is_validated() -> None:
    with pytest.raises(ValueError, match="multiple of bands"):
        DedupConfig(num_perm=100, bands=64)
    with pytest.raises(ValueError, match="containment_threshold"):
        DedupConfig(containment_threshold=1.5)


def test_roundup_of_two_stories_does_not_glue_them(seeds: list[CleanDoc]) -> None:
    """A digest page carrying two whole stories contains both; both verify against it, but
    they are different stories and must stay apart."""
    a, b = seeds[1], seeds[2]
    roundup = dataclasses.replace(a, id="roundup", paragraphs=a.paragraphs + b.paragraphs)
    again = dataclasses.replace(roundup, id="roundup-again")  # the digest republished
    fps = fingerprint_batch([a, b, roundup, again], CONFIG)
    assert verify(fps[0], fps[2], CONFIG) is not None
    assert verify(fps[1], fps[2], CONFIG) is not None
    decisions = by_id(cluster_fingerprints(fps, CONFIG))
    assert [decisions[i].status for i in (a.id, b.id, "roundup")] == ["kept"] * 3
    assert "roundup" in decisions["roundup"].reason
    assert decisions["roundup-again"].canonical_id == "roundup"


def test_trimmed_copies_and_update_are_not_a_roundup(reuters: str) -> None:
    paras = reuters.split("\n\n")
    docs = [doc("full", reuters)] + [
        doc(f"trim{n}", "\n\n".join(paras[:n])) for n in (len(paras) // 2, len(paras) * 3 // 4)
    ]
    decisions = by_id(deduplicate(docs, CONFIG))
    assert decisions["full"].status == "kept"
    assert {d.canonical_id for d in decisions.values()} == {"full"}


def test_edges_are_only_a_cache(seeds: list[CleanDoc]) -> None:
    fps = fingerprint_batch(_variants(seeds)[:12], CONFIG)
    edges = {
        (a.doc_id, b.doc_id): verify(a, b, CONFIG) for a in fps for b in fps if a.doc_id < b.doc_id
    }
    assert resolve_component(fps, edges, CONFIG) == resolve_component(fps, None, CONFIG)


def test_every_cluster_keeps_exactly_one_document(seeds: list[CleanDoc]) -> None:
    decisions = by_id(deduplicate(_variants(seeds), CONFIG))
    for d in decisions.values():
        canonical = decisions[d.canonical_id]
        assert canonical.status == "kept" and canonical.canonical_id == canonical.doc_id
        assert (d.status == "kept") == (d.canonical_id == d.doc_id)


@settings(max_examples=10, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=6))
def test_incremental_equals_batch_reference(rnd: random.Random, max_batch: int) -> None:
    """Property: any order and batching of a set gives the reference decisions of the set."""
    docs = _property_docs()
    subset = [d for d in docs if rnd.random() < 0.8]
    reference = by_id(cluster_fingerprints(fingerprint_batch(subset, CONFIG), CONFIG))
    rnd.shuffle(subset)
    dedup = Deduplicator(CONFIG)
    _add_in_random_batches(dedup, subset, rnd, max_batch, defer=False)
    assert by_id(dedup.decisions()) == reference


def _add_in_random_batches(
    dedup: Deduplicator, docs: list[CleanDoc], rnd: random.Random, max_batch: int, defer: bool
) -> None:
    """Add ``docs`` in batches of 1..max_batch; with ``defer``, some batches are only linked
    (decided by a later batch or the final resolve)."""
    i = 0
    while i < len(docs):
        n = rnd.randint(1, max_batch)
        dedup.add_fingerprints(fingerprint_batch(docs[i : i + n], CONFIG),
                               resolve=not defer or rnd.random() < 0.5)
        i += n
    dedup.resolve()


@settings(max_examples=40, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=6))
def test_incremental_equals_batch_reference_with_sites_and_twins(
    rnd: random.Random, max_batch: int
) -> None:
    """Property: pages on a few sites, exact twins of some on other sites (where the
    same-site rule can tell twins apart): any order and batching gives the reference."""
    docs = []
    for d in _property_docs():
        docs.append(dataclasses.replace(d, url=f"https://s{rnd.randint(0, 2)}.example/{d.id}"))
        if rnd.random() < 0.5:
            docs.append(dataclasses.replace(d, id=d.id + "~twin",
                                            url=f"https://s{rnd.randint(0, 2)}.example/t"))
    reference = by_id(cluster_fingerprints(fingerprint_batch(docs, CONFIG), CONFIG))
    rnd.shuffle(docs)
    dedup = Deduplicator(CONFIG)
    _add_in_random_batches(dedup, docs, rnd, max_batch, defer=True)
    assert by_id(dedup.decisions()) == reference


def _property_docs() -> list[CleanDoc]:
    from tests.conftest import SEEDS

    seeds = [doc(p.name, p.read_text(encoding="utf-8")) for p in sorted((SEEDS / "gold").glob("*.txt"))]
    return _variants(seeds)


def test_seed_pages_through_extraction_are_all_kept(seed_pages: dict[str, str]) -> None:
    """End to end on the five raw seed pages (three from one site, so shared chrome)."""
    from cleanfeed import RawDoc, extract

    docs = [extract(RawDoc(id=name, content=text)) for name, text in sorted(seed_pages.items())]
    assert [d.status for d in deduplicate(docs, CONFIG)] == ["kept"] * 5


def test_empty_bodies_are_never_duplicates() -> None:
    docs = [doc("e1", ""), doc("e2", "Advertisement"), doc("s1", "Short brief."), doc("s2", "Short  brief!")]
    decisions = by_id(deduplicate(docs, CONFIG))
    assert decisions["e1"].status == decisions["e2"].status == "kept"
    assert "empty" in decisions["e2"].reason
    assert decisions["s2"].canonical_id == "s1"  # short, but an exact copy


def test_verify_many_equals_verify_pair_by_pair(seeds: list[CleanDoc]) -> None:
    docs = [dataclasses.replace(d, url=f"https://s{i % 2}.example/{d.id}")
            for i, d in enumerate([*_variants(seeds), doc("empty", ""), doc("tiny", "A few words.")])]
    fps = fingerprint_batch(docs, CONFIG)
    for x in fps:
        assert verify_many(x, fps, CONFIG) == [verify(x, o, CONFIG) for o in fps]
    assert any(s is not None and s.basis != "exact" for s in verify_many(fps[0], fps, CONFIG))


def test_verify_is_symmetric(seeds: list[CleanDoc]) -> None:
    fps = fingerprint_batch(_variants(seeds), CONFIG)
    for a in fps[:8]:
        for b in fps:
            assert verify(a, b, CONFIG) == verify(b, a, CONFIG)


# every volatile wrapper: one text it strips, one it must leave alone
WRAPPER_CASES = {
    # every form: tests/test_dateline.py
    "dateline": ("Seoul (AFP) - Talks resumed on Monday.",
                 "Talks resumed on Monday in Seoul (South Korea)."),
    "byline": ("By Jack Kim, Reuters", "By the time talks resumed, the troops had left the region entirely."),
    "credit.reporting": ("(Reporting by Jack Kim; Editing by Sandra Maler)",
                         "Reporting on the war has been difficult."),
    "credit.contributed": ("Associated Press writer Jane Doe contributed to this report.",
                           "Jane Doe contributed money to the fund."),
    "credit.copyright": ("© 2025 Reuters. All rights reserved.", "The copyright case went to court on Monday."),
    "credit.agency": ("-- AFP", "AFP reported the talks would continue next week."),
    "junk.advertisement": ("ADVERTISEMENT", "Advertisement revenue fell by a third last year."),
    "junk.read-more": ("Read more: Kim meets Putin in Moscow", "Read more books, the minister told pupils."),
}


@pytest.mark.parametrize("wrapper_id", sorted(WRAPPER_CASES))
def test_each_wrapper_fires_and_stays_quiet(wrapper_id: str) -> None:
    from cleanfeed.dedup.fingerprint import WRAPPERS

    wrapper = next(w for w in WRAPPERS if w.id == wrapper_id)
    fires, quiet = WRAPPER_CASES[wrapper_id]
    assert wrapper.pattern.match(fires)
    assert not wrapper.pattern.match(quiet)
    body = "North Korea said on Monday it would keep its troops in the region for another year."
    paras = [fires, body] if wrapper.scope == "lead" else [body, body + " More.", fires]
    assert strip_volatile(paras) != tuple(paras)
    assert quiet in strip_volatile([body, quiet])


def test_every_wrapper_has_cases() -> None:
    from cleanfeed.dedup.fingerprint import WRAPPERS

    assert {w.id for w in WRAPPERS} == set(WRAPPER_CASES)


def test_trimmed_first_version_joins_a_much_longer_update(seeds: list[CleanDoc], reuters: str) -> None:
    """trim ⊂ original ⊂ update: the trim is too small next to the update for verify's size
    guard, but it lies inside the update and matches the original, so it is the same story."""
    paras = reuters.split("\n\n")
    trim = "\n\n".join(paras[:4])
    update = reuters + "\n\n" + seeds[1].text  # a long follow-up appended
    docs = [doc("orig", reuters), doc("trim", trim), doc("update", update)]
    fps = {f.doc_id: f for f in fingerprint_batch(docs, CONFIG)}
    assert verify(fps["trim"], fps["orig"], CONFIG) is not None
    assert verify(fps["trim"], fps["update"], CONFIG) is None  # size guard
    decisions = by_id(deduplicate(docs, CONFIG))
    canonical = decisions["trim"].canonical_id
    assert canonical in ("orig", "update")  # both complete; the one the others match wins
    assert {d.canonical_id for d in decisions.values()} == {canonical}
    assert similarity(decisions["trim"]).containment >= CONFIG.containment_threshold


def test_heavily_copyedited_trims_are_not_a_roundup(reuters: str) -> None:
    paras = reuters.split("\n\n")
    n = len(paras)
    docs = [doc("full", reuters)] + [
        doc(f"trim{k}", copyedit("\n\n".join(paras[: n * k // 10]), 25, seed=k)) for k in (5, 6, 9)
    ]
    decisions = by_id(deduplicate(docs, CONFIG))
    assert decisions["full"].status == "kept"
    assert {d.canonical_id for d in decisions.values()} == {"full"}


def test_domain_from_url_and_malformed_url() -> None:
    fp = fingerprint(doc("x", "Some text here.", url="https://WWW.Reuters.com/world/a"), CONFIG)
    assert fp.domain == "reuters.com"
    assert fingerprint(doc("y", "Some text here.", url="http://[::1"), CONFIG).domain is None


def test_chrome_padded_copy_is_not_the_yardstick(seeds: list[CleanDoc], reuters: str) -> None:
    """A trimmed copy whose extractor left a lot of page chrome in is the longest text, but it
    carries less of the story than the full copies: they stay canonical, the trims join them."""
    paras = reuters.split("\n\n")
    half = paras[: len(paras) // 2]
    chrome = list(seeds[1].paragraphs)  # stands for navigation/related-links text, unique to it
    docs = [
        doc("a-full", reuters),
        doc("b-full-edited", copyedit(reuters, 6)),
        doc("c-trim", "\n\n".join(paras[: len(paras) * 2 // 3])),
        doc("d-trim", "\n\n".join(half[:-1])),
        doc("e-trim-in-chrome", "\n\n".join(half + chrome)),
    ]
    decisions = by_id(deduplicate(docs, CONFIG))
    kept = decisions["a-full"].canonical_id
    assert kept in ("a-full", "b-full-edited")
    for other in ("b-full-edited", "c-trim", "d-trim"):
        assert decisions[other].canonical_id == kept


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=0, max_value=20),
    st.sampled_from(["Advertisement", "ADVERTISEMENT", "Story continues below advertisement"]),
    st.sampled_from(["", "LONDON (Reuters) - ", "WASHINGTON, Jan 3 (AP) — ", "PARIS (AFP) – "]),
    st.booleans(),
)
def test_volatile_variants_keep_the_text_hash(
    position: int, junk: str, dateline: str, curly: bool
) -> None:
    """Property: a dateline, an inserted junk line and quote/dash styles never change the hash."""
    from tests.conftest import SEEDS

    text = (SEEDS / "gold" / "002_6e4523ae4f752380.txt").read_text(encoding="utf-8")
    paras = text.split("\n\n")
    body = [re.sub(r"^SEOUL, South Korea \(AP\) — ", "", paras[0]), *paras[1:]]
    variant = [dateline + body[0], *body[1:]]
    variant.insert(min(position, len(variant)), junk)
    if curly:
        variant = [p.replace("'", "’").replace(" - ", " – ") for p in variant]
    a = fingerprint(doc("a", "\n\n".join(body)), CONFIG)
    b = fingerprint(doc("b", "\n\n".join(variant)), CONFIG)
    assert a.text_hash == b.text_hash


def test_pages_of_one_site_sharing_its_template_are_not_copies(seeds: list[CleanDoc]) -> None:
    """Briefs whose extraction kept the site's chrome share most of their text: same site,
    not same story. A page of that site under a second URL still is a copy."""
    chrome = "\n\n".join(seeds[3].paragraphs[:6])  # stands for the site's navigation and footer
    one = (
        "The city council approved the new budget on Tuesday after a long debate about school "
        "funding, road repairs and the cost of the new tram line, which opponents called a waste."
    )
    two = (
        "Police closed the main bridge after a truck overturned early on Wednesday, blocking "
        "traffic for hours and forcing commuters onto ferries, officials said in a statement."
    )
    briefs = [
        doc("b1", f"{one}\n\n{chrome}", url="https://news.example/1"),
        doc("b2", f"{two}\n\n{chrome}", url="https://news.example/2"),
        doc("b1-again", f"{one}\n\n{chrome}", url="https://news.example/1?amp"),
    ]
    fps = {f.doc_id: f for f in fingerprint_batch(briefs, CONFIG)}
    other_site = dataclasses.replace(fps["b2"], domain="elsewhere.example")
    assert verify(fps["b1"], other_site, CONFIG) is not None  # across sites the overlap would pass
    decisions = by_id(deduplicate(briefs, CONFIG))
    assert decisions["b1"].status == decisions["b2"].status == "kept"
    assert decisions["b1-again"].canonical_id == "b1"


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_duplicates_of_lists_each_kept_docs_copies_with_their_urls(
    backend: str, reuters: str, tmp_path: Path
) -> None:
    store = MemoryStore(CONFIG) if backend == "memory" else SqliteStore(tmp_path / "i.sqlite", CONFIG)
    text = reuters
    docs = [doc(f"p{i}", text, url=f"https://site{i}.example/story") for i in range(3)]
    with Deduplicator(CONFIG, store) as dedup:
        dedup.add_batch(docs)
        kept = [d.doc_id for d in dedup.decisions() if d.status == "kept"]
        copies = dedup.store.duplicates_of(kept)
        assert len(kept) == 1 and sorted(d.doc_id for d in copies[kept[0]]) == sorted(
            {"p0", "p1", "p2"} - set(kept))
        urls = {i: f.url for i, f in dedup.store.fingerprints(["p0", "p1", "p2"]).items()}
        assert urls == {f"p{i}": f"https://site{i}.example/story" for i in range(3)}


def test_exact_twins_on_two_sites_give_the_same_clusters_in_any_order(reuters: str) -> None:
    """R and T carry one text, R on the site of X, a copyedited copy of it: X is too far from
    R for two pages of one site (same-site rule), near enough to T. Whichever of R and T comes
    first, X must find T, as the reference clustering (every page in LSH) does."""
    import itertools

    r = doc("r", reuters, url="https://two.example/r")
    t = doc("t", reuters, url="https://one.example/t")
    x = doc("x", copyedit(reuters, 12, seed=3), url="https://two.example/x")
    fps = {f.doc_id: f for f in fingerprint_batch([r, t, x], CONFIG)}
    assert verify(fps["r"], fps["x"], CONFIG) is None
    assert verify(fps["t"], fps["x"], CONFIG) is not None
    reference = by_id(cluster_fingerprints(list(fps.values()), CONFIG))
    assert reference["x"].status == "duplicate"
    for order in itertools.permutations([r, t, x]):
        dedup = Deduplicator(CONFIG)
        for d in order:
            dedup.add(d)
        assert by_id(dedup.decisions()) == reference, [d.id for d in order]
        dedup = Deduplicator(CONFIG)
        dedup.add_batch(list(order))
        assert by_id(dedup.decisions()) == reference, [d.id for d in order]


# --- site-common text -------------------------------------------------------------------------

_BRIEF_SUBJECTS = (
    "the city council", "the harbour authority", "a regional court", "the school board",
    "the transit agency", "the water utility", "the county sheriff", "the hospital trust",
    "a local bakery", "the football club", "the public library", "the fire brigade",
    "the zoo", "a university lab", "the airport", "the parks office", "the housing office",
    "the election board", "the tax office", "the museum", "the port police", "the mayor",
)
_BRIEF_VERBS = (
    "announced a new plan for", "delayed a decision on", "opened an inquiry into",
    "approved funding for", "postponed a vote on", "published a report about",
)
_BRIEF_OBJECTS = (
    "night buses on the northern routes", "repairs to the old stone bridge",
    "cheaper lunches for pupils", "a summer festival by the river", "a new cycling lane",
    "flood barriers along the coast", "longer opening hours in winter",
)


def _template_chrome(n_lines: int, seed: int = 0) -> list[str]:
    """A heavy site template an extractor left in: menu, other headlines, footer lines."""
    rng = random.Random(seed)
    words = ["news", "sport", "weather", "business", "culture", "opinion", "video", "podcast",
             "science", "travel"]
    lines = [" ".join(rng.choice(words) for _ in range(8)) for _ in range(n_lines // 2)]
    lines += [f"Most read: {s.capitalize()} {v} {o}" for s, v, o in zip(  # as many as the shortest
        _BRIEF_SUBJECTS, _BRIEF_VERBS * 4, _BRIEF_OBJECTS * 4, strict=False)][: n_lines - len(lines)]
    return lines


def _brief(i: int) -> str:
    rng = random.Random(i)
    s, v, o = rng.choice(_BRIEF_SUBJECTS), rng.choice(_BRIEF_VERBS), rng.choice(_BRIEF_OBJECTS)
    return (f"Brief {i}: on day {i} of the month {s} {v} {o}, officials said on "
            f"{('Monday', 'Tuesday', 'Friday')[i % 3]} in a short statement number {i * 7}.")


def _briefs_on_one_template(n: int, chrome_lines: int = 24) -> list[CleanDoc]:
    chrome = _template_chrome(chrome_lines)
    return [doc(f"brief{i:02d}", "\n\n".join([chrome[0], _brief(i), *chrome[1:]]),
                url=f"https://heavy.example/section/{i}") for i in range(n)]


def test_briefs_on_one_heavy_template_are_all_kept() -> None:
    """Twenty briefs whose extraction kept the site's chrome (most of each page): the chrome
    is learned as the site's common text and discounted, so no brief absorbs another."""
    briefs = _briefs_on_one_template(20)
    fps = fingerprint_batch(briefs, CONFIG)
    # the chrome alone would make two of them copies (were they not on one site)
    assert verify(fps[0], dataclasses.replace(fps[1], domain="b.example"), CONFIG) is not None
    decisions = deduplicate(briefs, CONFIG)
    assert [d.status for d in decisions] == ["kept"] * 20
    assert all("site-common" in d.reason for d in decisions)


def test_discounted_pages_are_keyed_by_their_own_text() -> None:
    """Briefs of one heavy template share band keys through the chrome: every pair of the
    site's pages would be a candidate, pairs growing with the square of its pages. Discounted
    by the site's common lines, each is keyed by the MinHash of what is left: its brief."""
    fps = fingerprint_batch(_briefs_on_one_template(20), CONFIG)
    common = common_lines(*line_pairs(fps), CONFIG)
    own = [f.discounted_by(common) for f in fps]
    assert all(f.discounted for f in own)

    def pairs_sharing_a_band(fps: list[Fingerprint]) -> set[tuple[int, int]]:
        bands = lsh_keys(fps, CONFIG)[:, : CONFIG.bands]
        return {(j, i) for i in range(len(bands)) for j in range(i)
                if np.intersect1d(bands[i], bands[j]).size}

    assert len(pairs_sharing_a_band(fps)) == 190  # all of them
    by_own = pairs_sharing_a_band(own)
    assert len(by_own) < 190 / 4
    assert all(np.intersect1d(own[i].shingle_array(), own[j].shingle_array()).size
               for i, j in by_own)  # what the briefs themselves share
    alone = lsh_keys([own[3]], CONFIG)  # a page's keys do not depend on the others signed with it
    assert np.array_equal(alone[0], lsh_keys(own, CONFIG)[3])


def test_a_new_page_is_checked_once_against_a_component_it_joined(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nineteen briefs of one heavy template, joined into one component by the chrome, are
    stored; a twentieth shares band keys with all of them. Its candidates are walked until one
    links it, and the rest, of the component it joined, are passed over without a look at the
    union-find: a site's candidates, all one component's, grow with the site's pages."""
    briefs = fingerprint_batch(_briefs_on_one_template(20), CONFIG)
    store = MemoryStore(CONFIG)
    dedup = Deduplicator(CONFIG, store)
    dedup.add_fingerprints(briefs[:19], resolve=False)
    assert len(set(store.components([f.doc_id for f in briefs[:19]]).values())) == 1
    [reaches] = store.lsh_candidates(lsh_keys(briefs[19:], CONFIG))
    assert [len(r.docs) for r in reaches] == [19]  # one component's nineteen pages
    asked: list[str] = []
    link = deduplicator._Linker.link

    def counting(self: Any, a: str, b: str, *args: Any) -> bool:
        asked.append(b)
        return bool(link(self, a, b, *args))

    monkeypatch.setattr(deduplicator._Linker, "link", counting)
    dedup.add_fingerprints(briefs[19:], resolve=False)
    assert len(asked) == 1
    labels = store.components([f.doc_id for f in briefs])
    assert len(set(labels.values())) == 1


_MENU = [f"{verb} {thing}" for verb in ("Build", "Ship", "Scale", "Secure", "Trace")
         for thing in ("applications with AI", "every preview", "storefronts that convert",
                       "your bot protection")]


def test_two_briefs_whose_extraction_kept_only_the_menu_are_not_copies() -> None:
    """Two briefs of one site whose extraction returned the site's menu instead (the same
    twenty short lines on both, on too few pages to be learned as common text) are two
    stories: a list of short lines is evidence of the site, not of one story. The same page
    under its own URL again is still its copy; the same menu on another site too."""
    menu = "\n\n".join(_MENU)
    pages = [doc("a", menu, url="https://menu.example/news/a"),
             doc("b", menu, url="https://menu.example/news/b"),
             doc("a-again", menu, url="https://menu.example/news/a?utm=x"),
             doc("c", "\n\n".join([*_MENU, _brief(3)]), url="https://menu.example/news/c")]
    decisions = by_id(deduplicate(pages, CONFIG))
    assert decisions["a"].status == decisions["b"].status == decisions["c"].status == "kept"
    assert decisions["a-again"].canonical_id == "a"
    fps = by_id(fingerprint_batch(pages, CONFIG))
    assert verify(fps["a"], fps["b"], CONFIG) is None
    assert verify(fps["a"], fps["c"], CONFIG) is None  # inside c, but c is another story
    assert verify(fps["a"], dataclasses.replace(fps["b"], domain="other.example"), CONFIG)
    # prose twice on one site, under two URLs, stays one story (a page republished)
    prose = "\n\n".join(_brief(i) for i in range(6))
    twice = by_id(fingerprint_batch([doc("p", prose, url="https://menu.example/news/p"),
                                     doc("q", prose, url="https://menu.example/news/q")], CONFIG))
    assert verify(twice["p"], twice["q"], CONFIG) is not None


def test_a_brief_copied_to_another_site_is_still_a_copy_but_not_a_brief_of_its_site(
    reuters: str
) -> None:
    briefs = _briefs_on_one_template(6)
    own = "\n\n".join(reuters.split("\n\n")[:2])  # a real short story, as a brief
    briefs.append(doc("story", "\n\n".join([own, *_template_chrome(24)]),
                      url="https://heavy.example/section/story"))
    elsewhere = doc("copy", own, url="https://other.example/wire/1")
    decisions = by_id(deduplicate([*briefs, elsewhere], CONFIG))
    assert decisions["copy"].canonical_id == "story" or decisions["story"].canonical_id == "copy"
    assert all(decisions[b.id].status == "kept" for b in briefs if b.id != "story")
    dup = next(d for d in decisions.values() if d.status == "duplicate")
    assert "discounted as site-common text" in dup.reason


def test_a_story_fetched_twice_and_updated_on_one_site_stays_story(reuters: str) -> None:
    """Text that copies of ONE story on one site share is story, not site-common: a page
    fetched twice (same URL, other query) and an update in place count as one story."""
    paras = reuters.split("\n\n")
    url = "https://one.example/2024/story"
    pages = [doc("v1", "\n\n".join(paras[:-3]), url=url),
             doc("v1-again", "\n\n".join(paras[:-3]), url=url + "?utm=x"),
             doc("v2", "\n\n".join(paras), url=url + "#update"),
             doc("v3", "\n\n".join([*paras, "A later paragraph was added to the story."]),
                 url=url)]
    decisions = by_id(deduplicate(pages, CONFIG))
    assert sum(d.status == "kept" for d in decisions.values()) == 1
    assert not any("site-common" in d.reason for d in decisions.values())


def test_chrome_padded_trimmed_copy_is_found(seeds: list[CleanDoc], reuters: str) -> None:
    """A copy trimmed to 40% on a site whose chrome the extractor left in: the chrome would
    dilute its containment below the threshold; discounted, the copy is found."""
    paras = reuters.split("\n\n")
    n_words = len(reuters.split())
    kept, words = [], 0
    for p in paras:
        if words >= 0.4 * n_words:
            break
        kept.append(p)
        words += len(p.split())
    chrome = [" ".join(s.paragraphs[2:-2]) for s in seeds[:3]]  # another site's long chrome
    host = [doc(f"h{i}", f"Story {i} of the host: " + " ".join(f"w{i}x{j}" for j in range(60))
                + "\n\n" + "\n\n".join(chrome), url=f"https://host.example/{i}") for i in range(3)]
    trimmed = doc("trimmed", "\n\n".join([*kept, *chrome]), url="https://host.example/t")
    original = doc("original", reuters, url="https://wire.example/o")
    fps = by_id(fingerprint_batch([trimmed, original], CONFIG))
    assert verify(fps["trimmed"], fps["original"], CONFIG) is None
    decisions = by_id(deduplicate([*host, trimmed, original], CONFIG))
    assert decisions["trimmed"].canonical_id == "original"


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=8))
def test_site_common_text_gives_the_reference_in_any_order_and_batching(
    rnd: random.Random, max_batch: int
) -> None:
    """Property: briefs on one heavy template, story copies and their chrome-padded copies:
    what is site-common is learned from the whole set, whatever order and batches it came in."""
    docs = _briefs_on_one_template(8)
    chrome = _template_chrome(24)
    for d in _property_docs()[::3]:
        docs.append(d)
        if rnd.random() < 0.5:
            docs.append(dataclasses.replace(
                d, id=d.id + "~heavy", url=f"https://heavy.example/c/{d.id}",
                paragraphs=(chrome[0], *d.paragraphs[: rnd.randint(2, 8)], *chrome[1:])))
    reference = by_id(cluster_fingerprints(fingerprint_batch(docs, CONFIG), CONFIG))
    rnd.shuffle(docs)
    dedup = Deduplicator(CONFIG)
    _add_in_random_batches(dedup, docs, rnd, max_batch, defer=True)
    assert by_id(dedup.decisions()) == reference


# --- published is final ---------------------------------------------------------------------


def _html(text: str, credit: str = "") -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n\n") if p.strip())
    return (f"<html><head><title>Story</title></head><body><article>{paras}{credit}"
            "</article></body></html>").encode()


def test_three_daily_runs_never_publish_a_story_twice(seed_gold: dict[str, str], tmp_path: Path) -> None:
    """Day 1 (WARC), day 2 and day 3 (JSONL, ids sorting before and after day 1's) through one
    --index: each story is emitted as kept once, except that a trimmed first version followed
    by the complete story gives exactly one ``replaces``."""
    import json as json_lib

    from cleanfeed.cli import main

    from .builders import Rec, build_warc, jsonl

    texts = [seed_gold[name] for name in sorted(seed_gold)]
    paras = texts[4].split("\n\n")
    trimmed = "\n\n".join(paras[: max(3, len(paras) * 2 // 5)])
    story_of: dict[str, int] = {}

    def page(url: str, story: int) -> str:
        story_of[url] = story
        return url

    day1 = [Rec("response", page(f"https://one.example/{i}", i), _html(t))
            for i, t in enumerate(texts[:4])]
    day1.append(Rec("response", page("https://one.example/4", 4), _html(trimmed)))
    warc, _ = build_warc(day1, gz=False)
    (tmp_path / "day1.warc").write_bytes(warc)
    day2 = [{"id": f"{prefix}-{i}", "url": page(f"https://{site}/{i}", i),
             "html": _html(copyedit(texts[i], 3, seed=i)).decode()}
            for i, prefix, site in ((0, "a", "two.example"), (1, "z", "three.example"),
                                    (2, "0", "apnews.com"), (3, "~", "four.example"))]
    (tmp_path / "day2.jsonl").write_bytes(jsonl(*day2))
    day3 = [{"id": "0-complete", "url": page("https://five.example/4", 4),
             "html": _html(texts[4]).decode()},
            {"id": "b-again", "url": page("https://six.example/0", 0),
             "html": _html(texts[0]).decode()}]
    (tmp_path / "day3.jsonl").write_bytes(jsonl(*day3))

    index = tmp_path / "index.sqlite"
    emitted: list[dict[str, Any]] = []
    for day in ("day1.warc", "day2.jsonl", "day3.jsonl"):
        out = tmp_path / day.split(".")[0]
        out.mkdir()
        assert main(["run", str(tmp_path / day), "-o", str(out / "clean.jsonl"), "--manifest",
                     str(out / "manifest.jsonl"), "--index", str(index), "--jobs", "0"]) == 0
        manifest = [json_lib.loads(x) for x in (out / "manifest.jsonl").read_text().splitlines()]
        clean = [json_lib.loads(x) for x in (out / "clean.jsonl").read_text().splitlines()]
        assert {m["id"] for m in manifest if m["status"] == "kept"} == {c["id"] for c in clean}
        assert all(m["replaces"] == c["replaces"] for m, c in zip(
            [m for m in manifest if m["status"] == "kept"], clean, strict=True))
        emitted.extend(clean)
    kept_per_story: dict[int, int] = {}
    for row in emitted:
        kept_per_story[story_of[row["url"]]] = kept_per_story.get(story_of[row["url"]], 0) + 1
    replacing = [row for row in emitted if row["replaces"]]
    assert len(replacing) == 1 and replacing[0]["id"] == "0-complete"
    assert kept_per_story == {0: 1, 1: 1, 2: 1, 3: 1, 4: 2}
    assert story_of[next(r["url"] for r in emitted if r["id"] == replacing[0]["replaces"])] == 4


def test_published_copy_stays_canonical_whatever_ids_and_policy(reuters: str) -> None:
    first = fingerprint(doc("zzz-local", copyedit(reuters, 4), url="https://local.example/1"),
                        CONFIG)
    wire = fingerprint(doc("aaa-wire", reuters, url="https://www.reuters.com/x"), CONFIG)
    assert by_id(resolve_component([first, wire], None, CONFIG))["zzz-local"].status == "duplicate"
    decided = by_id(resolve_component([first, wire], None, CONFIG, {"zzz-local"}))
    assert decided["zzz-local"].status == "kept" and decided["aaa-wire"].canonical_id == "zzz-local"
    assert "published" in decided["zzz-local"].reason and decided["zzz-local"].replaces is None


def test_pages_whose_extraction_kept_only_the_chrome_are_not_exact_copies() -> None:
    """Briefs whose story the extractor lost: each page is the site's chrome alone, so all have
    one text; with nothing of their own they are not copies (a page under one URL twice is)."""
    briefs = _briefs_on_one_template(6)
    chrome = "\n\n".join(_template_chrome(24))
    lost = [doc(f"lost{i}", chrome, url=f"https://heavy.example/section/lost{i}") for i in range(3)]
    again = doc("lost0-again", chrome, url="https://heavy.example/section/lost0?from=rss")
    decisions = by_id(deduplicate([*briefs, *lost, again], CONFIG))
    assert all(decisions[d.id].status == "kept" for d in [*briefs, *lost])
    assert decisions["lost0-again"].canonical_id == "lost0"


def test_canonical_is_the_cleanest_complete_copy(reuters: str) -> None:
    """Two complete copies, one with its site's chrome left in: the clean one is kept, and the
    reason names the criterion (ids would pick the other)."""
    chrome = _template_chrome(24)
    padded = doc("a-padded", "\n\n".join([chrome[0], reuters, *chrome[1:]]),
                 url="https://heavy.example/world/story")
    clean = doc("b-clean", reuters, url="https://clean.example/story")
    others = _briefs_on_one_template(4)  # the heavy site's other stories: its chrome is learned
    decisions = by_id(deduplicate([padded, clean, *others], CONFIG))
    assert decisions["b-clean"].status == "kept" and decisions["a-padded"].canonical_id == "b-clean"
    assert "cleanest copy" in decisions["b-clean"].reason


# --- canonical choice: which copy carries the story (issue 12) --------------------------------


def _chrome_lines(n: int, seed: int) -> list[str]:
    """A site's own chrome an extractor left in: lines of menu words and other headlines."""
    rng = random.Random(seed)
    vocab = ["home", "world", "markets", "sport", "culture", "podcasts", "newsletter", "opinion",
             "weather", "video", "travel", "science", "climate", "health", "tech", "jobs"]
    return [" ".join(rng.choice(vocab) for _ in range(10)) for _ in range(n)]


def _first(text: str, share: float) -> str:
    paras = text.split("\n\n")
    return "\n\n".join(paras[: max(1, round(len(paras) * share))])


def test_exact_twins_on_two_sites_vouch_for_each_others_ending(reuters: str) -> None:
    """Two sites print the whole story word for word; a third cut its end and its extractor
    left a paragraph of its own chrome in (longer than what was cut). The twins' ending is
    printed by two sites, so it is story, and a twin is kept."""
    blurb = " ".join(_chrome_lines(12, seed=2))  # one long line of the site's own text
    docs = [
        doc("a-twin", reuters, url="https://a.example/story"),
        doc("b-twin", reuters, url="https://b.example/story"),
        doc("c-trim", _first(reuters, 0.8) + "\n\nAbout us\n\n" + blurb, url="https://c.example/story"),
    ]
    decisions = by_id(deduplicate(docs, CONFIG))
    assert decisions["c-trim"].canonical_id in ("a-twin", "b-twin")
    assert decisions["c-trim"].status == "duplicate"


def test_copyedits_two_desks_share_are_not_more_story(reuters: str) -> None:
    """Two desks cut the story and made the same house-style edits: their copies share those
    words, the original does not. Story is counted by line, so the edited lines are the
    story's either way and the copies carry no more of it than the original's same lines."""
    from cleanfeed.dedup.cluster import _Component

    cut = _first(reuters, 0.7)
    edited = re.sub(r"\bthe\b", "that", re.sub(r"\bsaid\b", "says", cut))
    fps = fingerprint_batch([
        doc("a-trim", edited, url="https://a.example/story"),
        doc("b-trim", edited.replace(" troops ", " soldiers ", 1), url="https://b.example/story"),
        doc("z-original", reuters, url="https://z.example/story"),
        doc("z-cut", cut, url="https://z.example/cut"),  # the original's own lines, cut alike
    ], CONFIG)
    comp = _Component(fps[:3], None, CONFIG)
    story = dict(zip(comp.ids, comp.story_sizes(np.ones(3, dtype=bool)).tolist(), strict=True))
    assert story["z-original"] >= max(story["a-trim"], story["b-trim"]) > 0
    # ... and the original's lines that only it prints (its end) are not counted
    assert story["z-original"] <= fps[3].size + 8


def test_a_site_line_does_not_make_the_complete_original_less_clean(reuters: str) -> None:
    """The original's site prints a line on every page (learned as common text); a trimmed
    copy elsewhere has none. One line on a long story is no less clean (a page that is a
    quarter chrome is, ``test_canonical_is_the_cleanest_complete_copy``): the complete
    original is kept."""
    notice = "Read more stories from the Site Example newsroom and follow us for daily updates."
    others = [doc(f"other{i}", f"Story {i} of the site: " + " ".join(_chrome_lines(3, seed=10 + i))
                  + "\n\n" + notice, url=f"https://site.example/other/{i}") for i in range(3)]
    docs = [
        doc("a-trim", _first(reuters, 0.85), url="https://copy.example/story"),
        doc("z-original", reuters + "\n\n" + notice, url="https://site.example/world/story"),
        *others,
    ]
    decisions = by_id(deduplicate(docs, CONFIG))
    assert decisions["z-original"].status == "kept"
    assert decisions["a-trim"].canonical_id == "z-original"
    assert "site-common text" in decisions["z-original"].reason


def test_a_copy_cut_short_is_not_kept_over_the_page_that_goes_on(reuters: str) -> None:
    """A forum copy cut the story's last paragraphs, and its page's own text (a signature, a
    thread's links: printed by no other page here, so not learned as its site's) was left
    in, more than was cut. The original's end is printed by no other site, so it counts as
    no one's story and both carry the same story: only where each text stops tells them
    apart. The copy ends where the original goes on, so the original is kept, and the
    reason says so."""
    forum = "\n\n".join(_chrome_lines(12, seed=5))  # the forum page's own text, before the story
    docs = [
        doc("a-forum", forum + "\n\n" + _first(reuters, 0.8), url="https://forum.example/t/1"),
        doc("z-original", reuters, url="https://site.example/world/story"),
    ]
    fps = by_id(fingerprint_batch(docs, CONFIG))
    assert fps["a-forum"].size > fps["z-original"].size  # the longest text is the cut copy
    decisions = by_id(deduplicate(docs, CONFIG))
    assert decisions["z-original"].status == "kept"
    assert decisions["a-forum"].canonical_id == "z-original"
    assert "not cut short" in decisions["z-original"].reason
    # either way round: the same choice whatever the input order
    assert by_id(deduplicate(docs[::-1], CONFIG)) == decisions
