"""Deep nesting: parsing stays linear because depth is capped as a browser caps it."""

from __future__ import annotations

import time
from itertools import accumulate

from hypothesis import given
from hypothesis import strategies as st

from cleanfeed.extract import extract_html
from cleanfeed.extract.nesting import MAX_DEPTH, _block_bound, _capped, _shallow, cap_nesting

STORY = "<p>The harbour reopened on Monday after a week of repairs to the sea wall, officials said.</p>"


def test_ordinary_markup_is_left_as_it_is() -> None:
    page = "<html><body>" + "<div><p>a<p>b<ul><li>x<li>y</ul><br><img src=x></div>" * 400 + "</body></html>"
    assert cap_nesting(page) == page


def test_tags_beyond_the_cap_go_and_the_text_stays() -> None:
    deep = "<div>" * 5 + "<span>text</span>" + "</div>" * 5
    assert cap_nesting(deep, limit=3) == "<div><div><div>text</div></div></div>"
    unclosed = "<div>" * 10 + "text"
    assert cap_nesting(unclosed, limit=3) == "<div><div><div>text"


def test_forty_thousand_nested_divs_extract_in_linear_time() -> None:
    timings = []
    for n in (4_000, 40_000):
        for page in ("<div>" * n + STORY + "</div>" * n, "<div>" * n + STORY):  # closed, unclosed
            start = time.process_time()
            doc = extract_html(f"<html><body>{page}</body></html>")
            timings.append(time.process_time() - start)
            assert "harbour reopened on Monday" in doc.text
    # ten times the depth: quadratic parsing took 100 times as long (40,000 divs: 14 s)
    assert max(timings[2:]) < 15 * max(max(timings[:2]), 0.05)
    assert cap_nesting("<div>" * 100_000).count("<div>") == MAX_DEPTH


def test_a_megabyte_title_is_capped() -> None:
    from cleanfeed.models import MAX_FIELD_CHARS

    page = f"<html><head><title>{'Headline ' * 12_000}</title></head><body>{STORY * 3}</body></html>"
    doc = extract_html(page)
    assert doc.title is not None and 0 < len(doc.title) <= MAX_FIELD_CHARS


def test_pages_deep_only_in_unclosed_or_self_closing_tags_are_capped_the_same() -> None:
    # the quick bound counts a self-closing tag as a start: a page of many (<svg/>) is still
    # decided tag by tag and keeps every element, and an unclosed run deeper than the cap is cut
    flat = "<div>" + "<path/>" * 2000 + "text</div>"
    assert cap_nesting(flat, limit=10) == flat
    deep = "<section>" * 30 + "text"
    assert cap_nesting(deep, limit=10) == "<section>" * 10 + "text"


@given(st.text(alphabet="+-", max_size=600), st.integers(min_value=1, max_value=80))
def test_the_quick_bound_is_never_below_the_running_count_s_range(signs: str, block: int) -> None:
    # a page is left unwalked when this bound is within the cap: it must never be below the
    # exact highest minus lowest running count of starts (+) minus ends (-)
    levels = list(accumulate((1 if sign == "+" else -1 for sign in signs), initial=0))
    assert _block_bound(signs, block) >= max(levels) - min(levels)


def test_a_page_over_the_quick_bound_but_shallow_is_left_as_it_is() -> None:
    # 64 tags to a block: the quick bound takes this page for 64 deep, the exact count for 2
    page = "<div><span>text</span></div>" * 200
    assert cap_nesting(page, limit=3) == page
    assert cap_nesting("<div><span>" * 40 + "text", limit=3) == "<div><span><div>text"


def test_an_end_tag_inside_an_attribute_does_not_hide_the_depth() -> None:
    # '<div title="</b>">' is one start tag: read as a start and an end, 100,000 of them looked
    # flat, went to the tree builder uncapped and took 12 s to extract
    page = '<div title="</b>">' * 5_000 + STORY
    assert cap_nesting(page).count("<div") == MAX_DEPTH
    assert "harbour reopened" in extract_html(f"<html><body>{page}</body></html>").text


_PIECES = st.sampled_from([
    "<div>", "</div>", "<span>", "</span>", '<div title="</b>">', '<b class="<i>">', "</b>", "<b>",
    "<svg/>", "<p>", "<li>", "<br>", "text", "<!-- </div> -->", "<div", ">", "<",
])


@given(st.lists(_PIECES, max_size=300), st.integers(min_value=1, max_value=12))
def test_a_page_the_quick_bound_passes_is_one_the_tag_walk_leaves_alone(pieces: list[str], limit: int) -> None:
    page = "".join(pieces)
    if _shallow(page, limit):
        assert _capped(page, limit) == page
