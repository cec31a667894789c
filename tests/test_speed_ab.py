"""benchmarks/speed_ab on fixture pages: one tree against itself gives the same documents; a tree
whose extraction was changed is caught page by page; a page the extractor refuses is a result;
a folder with no source is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import cleanfeed
from benchmarks import REPO
from benchmarks.speed_ab import PageTimes, compare, ratio, set_result
from cleanfeed import BudgetExceeded, ExtractConfig

from .conftest import FIXTURES

PAGES = [
    (path.stem, path.read_text(encoding="utf-8"))
    for path in (FIXTURES / "html" / "syndicated_reuters.html", FIXTURES / "html" / "shapes" / "forum_thread.html")
]


def test_a_tree_against_itself_gives_the_same_documents() -> None:
    times = compare(PAGES, REPO, REPO, repeat=1)
    assert [t.id for t in times] == [page_id for page_id, _ in PAGES]
    assert all(t.same and t.base > 0 and t.head > 0 for t in times)
    assert set_result(times)["different_documents"] == []


def test_a_changed_extraction_is_caught_page_by_page(tmp_path: Path) -> None:
    changed = tmp_path / "changed"
    shutil.copytree(REPO / "src", changed / "src", ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.egg-info"))
    html = changed / "src" / "cleanfeed" / "extract" / "html.py"
    source = html.read_text(encoding="utf-8")
    assert "paragraphs=tuple(paragraphs)," in source
    shortened = source.replace("paragraphs=tuple(paragraphs),", "paragraphs=tuple(paragraphs[:-1]),")
    html.write_text(shortened, encoding="utf-8")
    times = compare(PAGES[:1], REPO, changed, repeat=1)
    assert set_result(times)["different_documents"] == ["syndicated_reuters"]


def test_a_page_the_extractor_refuses_is_a_result_not_a_stop() -> None:
    oversized = "<html><body><p>" + "word " * (ExtractConfig().max_bytes // 5 + 1) + "</p></body></html>"
    with pytest.raises(BudgetExceeded):
        cleanfeed.extract_html(oversized)
    times = compare([("oversized", oversized), PAGES[0]], REPO, REPO, repeat=1)
    assert [t.id for t in times] == ["oversized", "syndicated_reuters"]
    assert all(t.same for t in times)


def test_a_folder_without_source_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="holds no src/cleanfeed"):
        compare(PAGES, REPO, tmp_path, repeat=1)


def test_the_ratio_pairs_each_pages_two_times() -> None:
    times = [PageTimes(str(i), base=0.01 * (i + 1), head=0.02 * (i + 1), same=True) for i in range(5)]
    value, std = ratio(times)
    assert value == pytest.approx(2.0) and std == pytest.approx(0.0, abs=1e-12)
    slower_one = [*times[:4], PageTimes("4", base=0.05, head=0.05, same=True)]
    assert ratio(slower_one)[0] < 2.0 and ratio(slower_one)[1] > 0
