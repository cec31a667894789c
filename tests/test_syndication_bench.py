"""The syndication benchmark's generator and scorer (benchmarks/syndication), on a tiny corpus
generated from fourteen small pages in tests/fixtures/syndication and on hand-made clusterings."""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.syndication import Truth, generate
from benchmarks.syndication.generate import Negative, PageTruth
from benchmarks.syndication.score import adjusted_rand, pairwise, score

from .conftest import FIXTURES, SEEDS

SOURCE = FIXTURES / "syndication" / "pages"


def _files(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    out = tmp_path_factory.mktemp("syndication")
    return out, generate(out, 30, seed=7, source_root=SOURCE, seeds_root=SEEDS)


def test_same_seed_gives_byte_identical_corpus(
    corpus: tuple[Path, Truth], tmp_path: Path
) -> None:
    first, _ = corpus
    generate(tmp_path / "again", 30, seed=7, source_root=SOURCE, seeds_root=SEEDS)
    generate(tmp_path / "other", 30, seed=8, source_root=SOURCE, seeds_root=SEEDS)
    assert _files(first) == _files(tmp_path / "again")
    assert _files(first) != _files(tmp_path / "other")


def test_truth_is_consistent_with_the_pages(corpus: tuple[Path, Truth]) -> None:
    out, truth = corpus
    on_disk = sorted(p.name for p in (out / "pages").iterdir())
    assert on_disk == sorted(truth.pages)
    assert abs(len(on_disk) - 30) <= 3
    assert Truth.from_json((out / "truth.json").read_text(encoding="utf-8")).pages == truth.pages
    bodies = json.loads((out / "bodies.json").read_text(encoding="utf-8"))
    originals = Counter(t.story for t in truth.pages.values() if t.role == "original")
    assert all(n == 1 for n in originals.values())
    for name, t in truth.pages.items():
        assert t.story and t.story in truth.stories
        if t.trim_fraction is not None:
            assert 0.4 <= t.trim_fraction < 1.0 and not t.full and "trim" in t.edits
        else:
            assert t.full
        if t.role in ("copy", "brief", "roundup"):
            # A copy's page carries exactly the body truth records for it, in another page's chrome.
            page = (out / "pages" / name).read_text(encoding="utf-8")
            for para in bodies[name].split("\n"):
                assert (html.escape(para, quote=False) if t.kind == "html" else para) in page
            assert t.host and truth.stories[t.story]["source"] != t.host
    assert any(t.trim_fraction is not None for t in truth.pages.values())
    for neg in truth.negatives:
        assert len({truth.pages[p].story for p in neg.pages}) == len(neg.pages)
    assert {n.type for n in truth.negatives} >= {
        "brief", "shared_quote", "same_event", "roundup", "seed"}


def test_perfect_clustering_scores_perfectly(corpus: tuple[Path, Truth]) -> None:
    _, truth = corpus
    labels = {p: t.story for p, t in truth.pages.items()}
    kept = {p: t.role in ("original", "brief", "roundup", "seed") for p, t in truth.pages.items()}
    report = score(truth, labels, kept)
    assert report.pairwise.precision == report.pairwise.recall == report.ari == 1.0
    assert report.trimmed_recall == 1.0 and report.canonical_full == 1.0
    assert report.seeds_kept_apart
    assert all(bad == 0 for bad, _ in report.false_merges.values())


def test_pairwise_and_ari_on_a_hand_made_clustering() -> None:
    truth = {"a": "X", "b": "X", "c": "X", "d": "Y", "e": "Y", "f": "Z"}
    predicted = {"a": "1", "b": "1", "c": "2", "d": "2", "e": "2", "f": "3"}
    # true pairs ab ac bc de = 4; predicted pairs ab cd ce de = 4; both: ab de = 2
    result = pairwise(truth, predicted)
    assert (result.true_pairs, result.predicted_pairs, result.correct_pairs) == (4, 4, 2)
    assert result.precision == result.recall == result.f1 == 0.5
    # index 2, expected 4 * 4 / C(6, 2) = 16/15, max 4: (2 - 16/15) / (4 - 16/15) = 7/22
    assert adjusted_rand(truth, predicted) == pytest.approx(7 / 22)
    assert adjusted_rand(truth, dict(truth)) == 1.0
    singletons = {p: p for p in truth}
    assert pairwise(truth, singletons).precision == 1.0
    assert pairwise(truth, singletons).recall == 0.0
    assert adjusted_rand(truth, singletons) == 0.0


def _page(name: str, story: str, role: str = "copy", fraction: float | None = None) -> PageTruth:
    return PageTruth(page=name, story=story, kind="text", url="", host="h", role=role,
                     edits=("trim",) if fraction else (), trim_fraction=fraction,
                     full=fraction is None)


def test_trimmed_recall_false_merges_and_canonical_on_a_hand_made_truth() -> None:
    truth = Truth(seed=0, n_pages=7)
    for row in (_page("o1", "A", "original"), _page("t1", "A", fraction=0.45),
                _page("o2", "B", "original"), _page("t2", "B", fraction=0.8),
                _page("b1", "C", "brief"), _page("b2", "D", "brief"), _page("c3", "B")):
        truth.pages[row.page] = row
    truth.negatives = [Negative("brief", ("b1", "b2"))]
    # A's trimmed copy missed (and kept on its own); B's trimmed copy is kept for B's cluster;
    # the two briefs merged.
    predicted = {"o1": "o1", "t1": "t1", "o2": "t2", "t2": "t2", "c3": "t2", "b1": "b1", "b2": "b1"}
    kept = {p: predicted[p] == p for p in predicted}
    report = score(truth, predicted, kept)
    assert report.trimmed_recall == 0.5
    assert report.trimmed_recall_by_fraction == {"0.4-0.5": (0.0, 1), "0.7-1.0": (1.0, 1)}
    assert report.false_merges["brief"] == (1, 1)
    # multi-copy stories A (kept page o1: full) and B (kept page t2: trimmed) -> half are full
    assert report.multi_copy_stories == 2 and report.canonical_full == 0.5
    # true pairs: o1-t1, o2-t2, o2-c3, t2-c3 = 4; predicted: o2-t2, o2-c3, t2-c3, b1-b2 = 4
    assert report.pairwise.correct_pairs == 3
    assert report.pairwise.precision == report.pairwise.recall == 0.75
    with pytest.raises(ValueError, match="no prediction"):
        score(truth, {"o1": "o1"}, {"o1": True})


def test_copy_counts_fill_the_pages_under_a_cap() -> None:
    import random

    from benchmarks.syndication.generate import _copy_counts

    counts = _copy_counts(50, 1000, random.Random(3))
    assert sum(counts) == 1000 and min(counts) >= 1
    # no story over four times the mean number of extra copies (+1 for the original)
    assert max(counts) <= 1 + 4 * (1000 - 50) // sum(c > 1 for c in counts)


def test_baseline_chains_where_containment_would_not() -> None:
    from benchmarks.syndication.__main__ import baseline
    from cleanfeed import CleanDoc

    words = [f"w{i}" for i in range(400)]
    full = " ".join(words)
    # a and b share no word; m shares 140 of its 280 words with each (Jaccard ~0.4 both ways)
    a = CleanDoc(id="a", paragraphs=(" ".join(words[:200]),))
    m = CleanDoc(id="m", paragraphs=(" ".join(words[60:340]),))
    b = CleanDoc(id="b", paragraphs=(" ".join(words[200:]),))
    twin = CleanDoc(id="twin", paragraphs=(full,))
    other = CleanDoc(id="other", paragraphs=(" ".join(f"x{i}" for i in range(300)),))
    labels = baseline([twin, CleanDoc(id="twin2", paragraphs=(full,)), other], 0.5)
    assert labels["twin2"] == labels["twin"] != labels["other"]
    chained = baseline([a, m, b], 0.3)
    # a-b share nothing, yet a plain threshold links both through m
    assert chained["a"] == chained["m"] == chained["b"]


def test_packed_days_name_their_pages_apart(corpus: tuple[Path, Truth], tmp_path: Path) -> None:
    """benchmarks.daily_index puts corpora whose file names repeat into one index: each day's
    pages are read back under its own prefix, the same pages, texts and urls otherwise."""
    from benchmarks.throughput import pack
    from cleanfeed.io.readers import read_inputs
    from cleanfeed.models import RawDoc

    out, truth = corpus
    days = []
    for day in ("r0-", "r1-"):
        counts = pack(out, truth, tmp_path / day, prefix=day)
        assert sum(counts.values()) == len(truth.pages)
        docs = [d for d in read_inputs([tmp_path / day]) if isinstance(d, RawDoc)]
        assert len(docs) == len(truth.pages)
        days.append({d.id: d for d in docs})
    ids0, ids1 = set(days[0]), set(days[1])
    assert not ids0 & ids1
    text_ids = {d for d in ids0 if d.startswith("r0-")}
    assert {d[len("r0-"):] for d in text_ids} == {n for n, t in truth.pages.items() if t.kind == "text"}
    by_url = [sorted((d.url or "", bytes(d.content) if isinstance(d.content, bytes) else d.content.encode())
                     for d in day.values()) for day in days]
    assert by_url[0] == by_url[1]
