"""benchmarks/reader_confidence on fixture pages: a story the parse-once reader reads is the same
trusted or not; a forum thread it declines is counted under the reader's reason, its trusted
reading differs from trafilatura's, and extract.html's own functions are back after each call."""

from __future__ import annotations

from benchmarks.reader_confidence import HTML, READ_ONCE, outcome, set_result

from .conftest import FIXTURES

STORY = FIXTURES / "html" / "syndicated_reuters.html"  # read by the parse-once reader
FORUM = FIXTURES / "html" / "shapes" / "forum_thread.html"  # posts: trafilatura's


def test_a_story_read_once_is_the_same_trusted() -> None:
    page = outcome(STORY.read_text(encoding="utf-8"))
    assert page.reader == READ_ONCE
    assert page.text and page.trusted == page.text


def test_a_declined_page_is_scored_under_the_readers_reason() -> None:
    originals = (HTML.read_region, HTML._covers_page)
    story, forum = outcome(STORY.read_text(encoding="utf-8")), outcome(FORUM.read_text(encoding="utf-8"))
    assert (HTML.read_region, HTML._covers_page) == originals
    assert forum.reader != READ_ONCE and forum.reason
    assert forum.trusted != forum.text
    # scored against its own output as truth: 1.0 now; trusted, the reader's reading scores less
    result = set_result([story, forum], [story.text, forum.text])
    assert result["read_once"] == 1 and result["corpus_f1"] == 1.0
    row = result["reasons"][forum.reason]
    assert row["pages"] == 1 and row["with_a_reading"] == 1 and row["f1_now"] == 1.0
    assert row["f1_trusted"] < 1.0 and row["corpus_f1_if_trusted"] < 1.0
