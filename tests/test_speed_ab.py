"""benchmarks/speed_ab on fixture pages: one tree against itself gives the same documents; a tree
whose HTML extraction or text-dump cleaning was changed is caught page by page, by the reader
that changed; a page the extractor refuses is a result; a folder with no source is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import cleanfeed
from benchmarks import REPO
from benchmarks.speed_ab import Page, PageTimes, compare, ratio, set_result
from cleanfeed import BudgetExceeded, ExtractConfig

from .conftest import FIXTURES

PAGES = [
    Page(path.stem, path.read_text(encoding="utf-8"))
    for path in (FIXTURES / "html" / "syndicated_reuters.html", FIXTURES / "html" / "shapes" / "forum_thread.html")
]
DUMP = Page("howto_steps", (FIXTURES / "dumps" / "howto_steps.txt").read_text(encoding="utf-8"), dump=True,
            url="https://example.com/how-to-repot")


def test_a_tree_against_itself_gives_the_same_documents() -> None:
    times = compare([*PAGES, DUMP], REPO, REPO, repeat=1, pairs=2)  # a fresh pair for the last two
    assert [t.id for t in times] == [page.id for page in (*PAGES, DUMP)]
    assert all(t.same and t.base > 0 and t.head > 0 for t in times)
    assert set_result(times)["different_documents"] == []


def _changed(tmp_path: Path, module: str, old: str, new: str) -> Path:
    """A copy of this checkout's source with one line of ``module`` (under cleanfeed/) changed."""
    changed = tmp_path / "changed"
    shutil.copytree(REPO / "src", changed / "src", ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.egg-info"))
    path = changed / "src" / "cleanfeed" / module
    source = path.read_text(encoding="utf-8")
    assert source.count(old) == 1
    path.write_text(source.replace(old, new), encoding="utf-8")
    return changed


def test_a_changed_extraction_is_caught_page_by_page(tmp_path: Path) -> None:
    changed = _changed(tmp_path, "extract/html.py",
                       "paragraphs=tuple(paragraphs),", "paragraphs=tuple(paragraphs[:-1]),")
    times = compare([*PAGES[:1], DUMP], REPO, changed, repeat=1, pairs=1)
    assert set_result(times)["different_documents"] == ["syndicated_reuters"]  # the dump's cleaner is the same


def test_text_dumps_go_to_the_text_cleaner(tmp_path: Path) -> None:
    changed = _changed(tmp_path, "extract/textdump.py", "paragraphs=paragraphs,", "paragraphs=paragraphs[:-1],")
    times = compare([*PAGES[:1], DUMP], REPO, changed, repeat=1, pairs=1)
    assert set_result(times)["different_documents"] == ["howto_steps"]


def test_a_page_the_extractor_refuses_is_a_result_not_a_stop() -> None:
    oversized = "<html><body><p>" + "word " * (ExtractConfig().max_bytes // 5 + 1) + "</p></body></html>"
    with pytest.raises(BudgetExceeded):
        cleanfeed.extract_html(oversized)
    times = compare([Page("oversized", oversized), PAGES[0]], REPO, REPO, repeat=1, pairs=1)
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
