"""One page's size budget is checked once on each way into extraction, with one wording."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from importlib import import_module

import pytest

from cleanfeed import BudgetExceeded, CleanDoc, ExtractConfig, RawDoc, clean_text_dump, extract, extract_html

CONFIG = ExtractConfig(max_bytes=2_000)
STORY = ("North and South Korea resumed talks on Monday after a pause of two years, officials "
         "said, in a sign that relations between the two neighbours are thawing. ") * 3
HTML = f"<html><body><article><p>{STORY}</p></article></body></html>"
DUMP = f"Home | World | Sport\n\n{STORY}\n\n{STORY}"


@pytest.mark.parametrize("page", [HTML, DUMP], ids=["html", "text"])
def test_extract_checks_the_budget_in_page_text_only(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The public extractors' own check is not made again on the ``extract`` path."""
    def twice(text: str, config: ExtractConfig) -> str:
        raise AssertionError("the budget was checked a second time")

    for module in ("cleanfeed.extract.html", "cleanfeed.extract.textdump"):
        monkeypatch.setattr(import_module(module), "within_budget", twice)
    for content in (page, page.encode()):
        doc = extract(RawDoc("p", content), CONFIG)
        assert "resumed talks on Monday" in doc.text
    with pytest.raises(AssertionError, match="second time"):
        (extract_html if page is HTML else clean_text_dump)(page, config=CONFIG)


@pytest.mark.parametrize("page", [HTML, DUMP], ids=["html", "text"])
def test_a_page_over_the_budget_is_refused_with_the_same_words_on_every_way_in(page: str) -> None:
    big = page + " " * 2_000
    small = ExtractConfig(max_bytes=len(page) + 1_000)
    words = f"page is {len(big):,} characters, over the {small.max_bytes:,} budget"
    own = extract_html if page is HTML else clean_text_dump
    refusals: list[Callable[[], CleanDoc]] = [
        partial(extract, RawDoc("big", big), small), partial(extract, big, small), partial(own, big, config=small)]
    for refuse in refusals:
        with pytest.raises(BudgetExceeded) as err:
            refuse()
        assert str(err.value) == words and err.value.reason == "over budget"
    with pytest.raises(BudgetExceeded, match=f"page is {len(big):,} bytes, over the"):
        extract(RawDoc("big", big.encode()), small)
    assert extract(RawDoc("fits", page), small).text
