"""The per-line memos of the text cleaners change nothing but speed: a page cleaned with warm
memos, cold memos, or lines past the memo's length limit gives the same document."""

from __future__ import annotations

from cleanfeed import lines as lines_module
from cleanfeed.extract import clean_text_dump
from cleanfeed.extract import template as template_module
from cleanfeed.extract import textdump as textdump_module
from cleanfeed.lines import MEMO_CHARS, word_count

PAGE = (
    "Home | World | Business | Sport\n\n"
    "Markets rally as rates hold\n\n"
    "LONDON (Reuters) - European shares rose on Tuesday after the central bank held its main "
    "rate, with banks and miners leading gains in a session of thin trading across the region.\n\n"
    "Analysts said the decision had been expected, and that investors would now look to the "
    "inflation figures due on Thursday for a sign of the next move.\n\n"
    "(Reporting by Jane Doe; Editing by John Roe)\n\n"
    "Related Posts\n\n* Oil slips on supply worries\n* Gold steadies\n\n"
    "Copyright 2026 Example News. All rights reserved."
)


def _clear() -> None:
    lines_module.word_count.cache_clear()
    textdump_module._content_score.cache_clear()
    textdump_module._short_line_chrome.cache_clear()
    textdump_module._is_dateline.cache_clear()
    textdump_module._is_credit.cache_clear()
    textdump_module._rule_of.cache_clear()
    textdump_module._repeat_key.cache_clear()
    template_module._sketch.cache_clear()


def test_cleaning_is_the_same_with_cold_and_warm_memos() -> None:
    _clear()
    cold = clean_text_dump(PAGE, url="https://example.com/a")
    warm = clean_text_dump(PAGE, url="https://example.com/a")
    assert cold == warm
    assert cold.paragraphs[0].startswith("LONDON (Reuters) -")
    assert "Copyright 2026 Example News. All rights reserved." not in cold.paragraphs


def test_a_line_past_the_memo_limit_is_measured_the_same() -> None:
    long_line = "word " * (MEMO_CHARS // 5 + 10)
    assert len(long_line) > MEMO_CHARS
    assert word_count(long_line) == lines_module.word_count.__wrapped__(long_line)
    page = PAGE.replace("Analysts said", long_line.strip() + ". Analysts said")
    _clear()
    assert clean_text_dump(page) == clean_text_dump(page)
