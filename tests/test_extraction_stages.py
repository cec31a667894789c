"""The stage timer of benchmarks/extraction_stages on fixture pages: it times the steps it names,
tells a page read by the parse-once reader from one handed to trafilatura, changes nothing that
the extractor returns, and puts every original back, even when the call fails."""

from __future__ import annotations

import argparse

import pytest
import trafilatura

import cleanfeed
from benchmarks.extraction import chosen_sets
from benchmarks.extraction_stages import HTML, TRAFILATURA_STAGES, WRAPPED, _set_result, _Totals, staged, time_page

from .conftest import FIXTURES

STORY = FIXTURES / "html" / "syndicated_reuters.html"  # read by the parse-once reader
FORUM = FIXTURES / "html" / "shapes" / "forum_thread.html"  # posts: trafilatura's


def _staged(html: str) -> tuple[dict[str, float], cleanfeed.CleanDoc]:
    spent: dict[str, float] = {}
    with staged(spent):
        doc = cleanfeed.extract_html(html)
    return spent, doc


def test_a_story_read_once_spends_nothing_in_trafilatura() -> None:
    html = STORY.read_text(encoding="utf-8")
    spent, doc = _staged(html)
    assert {"nesting cap", "parse", "metadata", "parse-once reader"} <= spent.keys()
    assert not any(spent.get(stage) for stage in TRAFILATURA_STAGES)
    assert all(seconds >= 0 for seconds in spent.values())
    assert doc == cleanfeed.extract_html(html)


def test_a_forum_thread_is_timed_in_trafilatura_by_kind() -> None:
    html = FORUM.read_text(encoding="utf-8")
    spent, doc = _staged(html)
    assert spent.get("trafilatura: posts", 0) > 0
    assert doc == cleanfeed.extract_html(html)


def test_the_originals_are_back_after_a_failing_call() -> None:
    originals = {name: getattr(HTML, name) for name in WRAPPED}
    extract = trafilatura.extract
    with pytest.raises(RuntimeError), staged({}):
        assert HTML.cap_nesting is not originals["cap_nesting"]
        raise RuntimeError("the page failed")
    assert {name: getattr(HTML, name) for name in WRAPPED} == originals
    assert trafilatura.extract is extract


def test_each_page_is_counted_under_the_reader_that_gave_its_body() -> None:
    totals = _Totals()
    for path in (STORY, FORUM):
        time_page(path.read_text(encoding="utf-8"), 1, totals)
    assert totals.readers.keys() == {"fast", "trafilatura-region"}
    assert [row[0] for row in totals.readers.values()] == [1, 1]
    # the readers' rows add up to the set's totals
    assert sum(row[1] for row in totals.readers.values()) == pytest.approx(totals.cleanfeed)
    assert sum(row[2] for row in totals.readers.values()) == pytest.approx(totals.trafilatura)
    assert totals.pages_on_trafilatura == 1
    result = _set_result(totals)
    assert result["readers"]["fast"]["pages"] == 1
    assert result["readers"]["trafilatura-region"]["share_of_cleanfeed_cpu"] > 0


def test_sets_are_chosen_by_name_in_order_and_an_unknown_one_is_refused() -> None:
    parser = argparse.ArgumentParser()
    assert [s.name for s in chosen_sets(parser, "readability, scrapinghub")] == ["readability", "scrapinghub"]
    with pytest.raises(SystemExit):
        chosen_sets(parser, "scrapinghub,nope")
