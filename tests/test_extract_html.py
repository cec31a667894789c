"""HTML extraction on real pages: story kept, chrome and SEO add-ons removed by named rules,
bad input handled, and extraction never returns a word that is not in the page."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from cleanfeed import (
    BudgetExceeded,
    CleanfeedError,
    DecodeError,
    ExtractConfig,
    RawDoc,
    extract,
    extract_html,
)
from cleanfeed.extract.html import _prune_toc_by_heading
from cleanfeed.extract.paragraph_rules import normal
from cleanfeed.models import Removal

from .conftest import FIXTURES

HTML = FIXTURES / "html"
RULES = FIXTURES / "rules"
_TOKEN = re.compile(r"\w+")


def _gold(name: str) -> tuple[str, ...]:
    text = (HTML / name).read_text(encoding="utf-8")
    return tuple(p.strip() for p in text.split("\n\n") if p.strip())


@pytest.mark.parametrize("page", ["syndicated_reuters", "syndicated_ap"])
def test_syndicated_wire_page_gives_exactly_the_wire_story(page: str) -> None:
    """The seed pages' gold bodies (made by hand) from the HTML the republishers serve: no
    Quick Summary, injected TOC headings, byline, Key Takeaways, FAQ, Source link, share bar,
    related posts or comment form; the credit line and every story paragraph kept."""
    doc = extract_html((HTML / f"{page}.html").read_text(encoding="utf-8"), doc_id=page)
    assert doc.paragraphs == _gold(f"{page}.gold.txt")
    assert doc.kind == "html" and doc.id == page


def test_seo_add_ons_are_removed_by_their_rules() -> None:
    doc = extract_html((HTML / "syndicated_reuters.html").read_text(encoding="utf-8"))
    by_rule: dict[str, list[str]] = {}
    for removal in doc.removals:
        by_rule.setdefault(removal.rule, []).append(removal.text)
    assert any(t.startswith("Quick Summary") for t in by_rule["seo.quick-summary"])
    assert "Key Takeaways" in by_rule["seo.key-takeaways"]
    assert any(t.startswith("Frequently Asked Questions") for t in by_rule["seo.faq"])
    # the table of contents, and each of its entries where the page re-injects it as a heading
    injected = {"Military Collaboration Between Russia and North Korea", "Ukrainian Counterattacks",
                "Mine Density Issues"}
    assert injected <= set(by_rule["seo.table-of-contents"])
    assert "By Mark Trevelyan" in by_rule["wire.before-dateline"]
    assert all(r.category for r in doc.removals) and all(len(r.text) <= 200 for r in doc.removals)


def test_story_lists_and_sub_headings_stay() -> None:
    # a diet article whose lists are the story (items are short lines, no sentence)
    lists = extract_html((RULES / "seo.key-takeaways" / "quiet.html").read_text(encoding="utf-8"))
    assert "любая рыба (и морская и речная)" in lists.paragraphs
    # a newspaper's own sub-heading between paragraphs
    heads = extract_html((RULES / "related.list" / "quiet.html").read_text(encoding="utf-8"))
    assert heads.paragraphs[0] == "Prisons plagued by understaffing"
    # an author's own "Summary" section is the author's text, not a republisher's add-on
    summary = extract_html((RULES / "seo.quick-summary" / "quiet.html").read_text(encoding="utf-8"))
    assert "Summary" in summary.paragraphs


def test_story_split_into_chunks_is_read_whole() -> None:
    """A magazine page cuts its story into containers of one class with ads between them; the
    extractor alone reads the first container (two paragraphs here); the same-class chunk
    after the ad comes back, in page order."""
    page = (HTML / "story_in_chunks.html").read_text(encoding="utf-8")
    doc = extract_html(page)
    expected = [
        " ".join(p.text().split())
        for p in LexborHTMLParser(page).css("div.body__container p")
    ]
    assert list(doc.paragraphs) == expected and len(expected) == 4


@pytest.mark.parametrize(
    "markup",
    [
        "",
        "   \n\t ",
        "<html>",
        "<html><body></body></html>",
        "<p>unclosed <b>bold <i>italic <div>block</p></span></table>",
        "<<<>>><!-- never closed <script>var a = '</div>';",
        "<html><body>" + "<div>" * 5000 + "deep" + "</div>" * 10 + "</body></html>",
        '<div class="x" id=y onclick="a(\'b">odd <a href=>attrs</a></div>\x00\x01',
        "<p>lone surrogate \ud800 here</p>",
    ],
)
def test_malformed_or_empty_markup_gives_a_result(markup: str) -> None:
    doc = extract_html(markup, doc_id="bad")
    assert isinstance(doc.paragraphs, tuple)
    for para in doc.paragraphs:
        assert para.strip() == para and para


def test_binary_garbage_through_extract_is_a_typed_error_or_a_result() -> None:
    garbage = bytes(range(256)) * 64 + b"\x00\xff\xfe" * 500
    with pytest.raises(DecodeError):
        extract(RawDoc(id="bin", content=garbage))
    # high bytes without control characters may decode; then they must give a result
    noisy = bytes(range(128, 256)) * 200
    try:
        doc = extract(RawDoc(id="noisy", content=noisy, kind="html"))
    except CleanfeedError:
        return
    assert doc.id == "noisy"


def test_page_over_the_budget_is_refused_before_parsing() -> None:
    page = "<html><body>" + "<p>word</p>" * 20_000 + "</body></html>"
    config = ExtractConfig(max_bytes=100_000)
    with pytest.raises(BudgetExceeded):
        extract_html(page, config=config)
    with pytest.raises(BudgetExceeded):
        extract(RawDoc(id="big", content=page.encode()), config=config)


def test_twenty_megabyte_page_in_reasonable_time() -> None:
    """A 20 MB page (inline scripts, as bloated pages have) under the default budget."""
    page = (RULES / "html.non-content" / "fires.html").read_text(encoding="utf-8")
    filler = "<script>" + "var tracking = {'id': 12345, 'q': 'x'};\n" * 500_000 + "</script>"
    big = page.replace("</head>", filler + "</head>")
    assert 19_000_000 < len(big) <= ExtractConfig().max_bytes
    start = time.perf_counter()
    doc = extract_html(big)
    assert time.perf_counter() - start < 10
    assert len(doc.paragraphs) >= 3


def test_megabytes_of_story_text_skip_the_extractor_but_keep_the_text() -> None:
    article = (RULES / "html.non-content" / "fires.html").read_text(encoding="utf-8")
    body = article.split("<article>")[1].split("</article>")[0]
    page = "<html><body><article>" + body * (3_000_000 // len(body)) + "</article></body></html>"
    start = time.perf_counter()
    doc = extract_html(page)
    assert time.perf_counter() - start < 10
    first = LexborHTMLParser(body).css_first("p")
    assert first is not None
    assert " ".join(first.text().split()) in doc.paragraphs


def test_extraction_is_deterministic() -> None:
    page = (HTML / "syndicated_ap.html").read_text(encoding="utf-8")
    assert extract_html(page, url="https://example.org/a") == extract_html(page, url="https://example.org/a")


# -- property: extraction never returns a word that is not in the page ----------------------

_WORDS = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzäéßЖж0123456789"), min_size=1, max_size=9)
_SENTENCE = st.lists(_WORDS, min_size=1, max_size=40).map(" ".join)
_TAGS = st.sampled_from(["p", "div", "li", "h2", "span", "a", "b", "td", "blockquote", "script", "style"])


@st.composite
def _pages(draw: st.DrawFn) -> str:
    blocks = []
    for _ in range(draw(st.integers(min_value=0, max_value=25))):
        tag = draw(_TAGS)
        attrs = draw(st.sampled_from(["", ' class="share"', ' class="entry-content"', ' id="comments"',
                                      ' class="related"']))
        blocks.append(f"<{tag}{attrs}>{draw(_SENTENCE)}</{tag}>")
        if draw(st.booleans()):
            blocks.append(draw(st.sampled_from(["<br>", "</div>", "<ul>", "</p>", "&amp;", "&nbsp;", "<!-- c -->"])))
    return "<html><head><title>t</title></head><body><article>" + "".join(blocks) + "</article></body></html>"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_pages())
def test_extraction_never_invents_a_word(page: str) -> None:
    body = LexborHTMLParser(page).body
    visible = body.text(deep=True) if body is not None else ""
    vocabulary = set(_TOKEN.findall(visible))
    doc = extract_html(page)
    for para in doc.paragraphs:
        for token in _TOKEN.findall(para):
            assert token in vocabulary or token in visible, f"{token!r} is not in the page"


SHAPES = HTML / "shapes"
_STORY = tuple((SHAPES / "story.txt").read_text(encoding="utf-8").split("\n")[:-1])


@pytest.mark.parametrize(
    "page",
    ["after_layout_table", "after_link_list", "table_layout", "modern_sections", "toc_before_story", "form_wraps_page"],
)
def test_the_story_region_cannot_throw_the_story_away(page: str) -> None:
    """Pages shaped the way extraction used to lose stories on (issue 11): the story in plain
    <p> after a layout table or a list of links, a page laid out as a table, a story split over
    grid cells inside <main>, a "Topics covered" box whose next sibling is the story, a <form>
    around the whole page. Every paragraph of the story comes out, whole and on its own."""
    doc = extract_html((SHAPES / f"{page}.html").read_text(encoding="utf-8"))
    missing = [p[:50] for p in _STORY if p not in doc.paragraphs]
    assert not missing


@pytest.mark.parametrize("page", ["after_layout_table", "table_layout"])
def test_table_layout_leaves_no_layout_text(page: str) -> None:
    """No "| |" rows, menus in table rows, "Top | Back", "E-mail this article to a friend",
    "Printable version" or copyright notice: each removal is recorded with its rule."""
    doc = extract_html((SHAPES / f"{page}.html").read_text(encoding="utf-8"))
    text = doc.text
    for chrome in ("|", "Top", "Back", "E-mail this article", "Printable version", "Copyright", "Sport"):
        assert chrome not in text, chrome
    assert any(r.rule == "html.layout-table" for r in doc.removals)


def test_modern_sections_keep_headings_and_lists() -> None:
    """A story split over grid cells inside <main> keeps every section's heading and list."""
    doc = extract_html((SHAPES / "modern_sections.html").read_text(encoding="utf-8"))
    for i in range(1, 6):
        assert f"Another point about the timetable of the works in part {i}" in doc.paragraphs
    # trafilatura drops a heading right under the title (it takes it for a subtitle)
    assert sum(f"Part {i}: what happens next" in doc.paragraphs for i in range(1, 6)) >= 4


def test_a_discussion_page_gives_its_posts_once() -> None:
    """A forum thread whose posts sit in a comment list: the extractor's main reading is the
    menu and the title; the posts are the body, each once (issue 11: forum pages came out as
    their menus or empty)."""
    page = (SHAPES / "forum_thread.html").read_text(encoding="utf-8")
    doc = extract_html(page)
    posts = [" ".join(p.text().split()) for p in LexborHTMLParser(page).css(".comment-content p")]
    assert len(posts) == 6
    assert [p for p in doc.paragraphs if p in posts] == posts


def test_grounding_keeps_text_the_extractor_glued_and_drops_invented_words() -> None:
    """The extractor glues adjacent elements' text ("<h2>WebIDE</h2><p>Develop" → "WebIDEDevelop",
    "is <code>cors</code>" → "iscors") and drops characters that show nothing: those paragraphs
    are the page's characters and stay; a word the page does not hold still goes."""
    from cleanfeed.extract.html import _grounded

    # the parser's text; a private-use code point (a page decoded with the wrong charset) that
    # the extractor drops sits in "pier"
    page_text = "\n  Harbour\n\n\n  Works begin in spring. The default berth is\n east of the pi\ue15fer."
    glued = ["HarbourWorks begin in spring.", "The default berth iseast of the pier."]
    assert _grounded(glued, page_text) == glued
    assert _grounded(["Harbour works begin in autumn."], page_text) == []


def test_a_sites_own_faq_and_takeaways_stay_with_its_story() -> None:
    """"Key Takeaways" and a FAQ are add-ons a republisher puts around wire copy (they go there,
    see the seo.* rule fixtures); on a page that is not wire copy the site wrote them with the
    story and they are part of it (issue 11: whole FAQ sections of guides went missing)."""
    story = _STORY[:4]
    qa = [
        "When will the pier reopen?",
        "The walkway reopens before the summer festival; the landing stage may take longer.",
        "Where do the boats go meanwhile?",
        "To the new basin on the east side of the town, a walk of twenty minutes from the market.",
    ]
    page = (
        "<html><body><article><h1>Pier to close for repairs</h1>"
        "<h2>Key Takeaways</h2><ul><li>The pier closes in spring.</li><li>The works take four months.</li></ul>"
        + "".join(f"<p>{p}</p>" for p in story)
        + "<h2>Frequently Asked Questions</h2>"
        + "".join(f"<h3>{q}</h3><p>{a}</p>" for q, a in zip(qa[::2], qa[1::2], strict=True))
        + "</article></body></html>"
    )
    doc = extract_html(page)
    for para in (*story, *qa, "The pier closes in spring.", "The works take four months."):
        assert para in doc.paragraphs, para
    assert not any(r.rule.startswith("seo.") for r in doc.removals)


def test_a_sites_own_section_headings_stay_after_its_table_of_contents() -> None:
    """The table of contents goes; on a page that is not wire copy, the section headings its
    entries name are the story's own and stay (a republisher's re-injected headings go, see the
    syndicated pages above)."""
    sections = ["What the engineers found", "Where the boats go", "What it costs"]
    page = (
        "<html><body><article><h1>Pier to close for repairs</h1>"
        "<h2>Table of Contents</h2><ul>" + "".join(f"<li>{s}</li>" for s in sections) + "</ul>"
        + "".join(f"<h2>{s}</h2><p>{p}</p>" for s, p in zip(sections, _STORY, strict=False))
        + "</article></body></html>"
    )
    doc = extract_html(page)
    for para in (*sections, *_STORY[:3]):
        assert para in doc.paragraphs, para
    assert any(r.rule == "seo.table-of-contents" for r in doc.removals)


def test_a_table_of_contents_headed_in_capitals_goes_from_a_page_beyond_ascii() -> None:
    """The heading's words are looked for in the page's text, letter case ignored, whatever
    other characters (curly quotes, "İ", "K") it holds."""
    sections = ["What the engineers found", "Where the boats go", "What it costs"]
    page = LexborHTMLParser(
        "<html><body><article><h1>Pier to close for repairs</h1><p>İzmir\u2019s pier, 40 \u212a.</p>"
        "<h2>TABLE OF CONTENTS</h2><ul>" + "".join(f"<li>{s}</li>" for s in sections) + "</ul>"
        + "".join(f"<h2>{s}</h2><p>{p}</p>" for s, p in zip(sections, _STORY, strict=False))
        + "</article></body></html>"
    )
    assert page.body is not None
    removals: list[Removal] = []
    entries: set[str] = set()
    _prune_toc_by_heading(page.body, removals, entries)
    assert {r.rule for r in removals} == {"seo.table-of-contents"}
    assert entries == {normal(s) for s in sections}
    assert "TABLE OF CONTENTS" not in page.body.text()


def test_a_portal_page_gives_its_story_not_its_menus() -> None:
    """A page with no story container and no <p>: sixteen lists of links around a short story in
    a <div>. The extractor's reading of it was the menus (several times the page's text outside
    links); the story is the body, the menus are not."""
    doc = extract_html((SHAPES / "menu_portal.html").read_text(encoding="utf-8"))
    for para in _STORY[:3]:
        assert para in doc.paragraphs, para
    assert "office number" not in doc.text


def _shop_grid(cards: int) -> str:
    """A shop's grid of product cards, every fifth with a sentence: a region half way between a
    story and a listing, which the parse-once reader is not confident about."""
    sentence = "This oak chair is finished by hand in our workshop by the harbour."
    grid = "".join(
        f"<div class='card'><div class='media'><span class='badge'>New</span><span>Size {i % 9}</span></div>"
        f"<div class='body'><h3><span>Harbour chair {i}</span></h3><div class='price'><span>{i}.99</span>"
        f"<span>EUR</span></div><p>{sentence if i % 5 == 0 else 'Oak seat, in stock'}</p></div></div>"
        for i in range(cards)
    )
    return (
        "<html><body><h1>Chairs</h1><p>Our chairs are made of oak from the hills around the harbour, "
        f"and every one is finished by hand in our workshop.</p><div class='grid'>{grid}</div></body></html>"
    )


def test_a_region_of_thousands_of_elements_is_not_given_to_trafilatura() -> None:
    """trafilatura's time grows with the region's elements (a second of CPU on a listing of
    8,000): past ``_MAX_EXTRACTOR_ELEMENTS`` the parse-once reader's text is the body, every
    card of it; a small grid of the same cards still goes to trafilatura."""
    small = extract_html(_shop_grid(100))
    assert small.provenance["reader"] == "trafilatura-region"
    large = extract_html(_shop_grid(600))
    assert large.provenance["reader"] == "fast"
    assert all(f"Harbour chair {i}" in large.paragraphs for i in range(600))


def test_trafilatura_is_handed_no_element_without_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Icons, image boxes and spacers hold no text, and trafilatura's time grows with the
    elements it is handed: they are not handed to it. What parts words (the spacing span of a
    code listing, a line break) and data held in an attribute stay, and so does every word."""
    import trafilatura

    icons = "<i class='icon-star'></i><div class='img-wrap'><img src='c.jpg'></div><div class='spacer'></div>"
    data = "{" + ", ".join(f'"post{i}": "text"' for i in range(20)) + "}"
    page = _shop_grid(100).replace("<div class='media'>", f"<div class='media'>{icons}").replace(
        "<div class='grid'>",
        "<pre><span class='kn'>from</span><span class='w'> </span><span class='nn'>django.db</span><br>"
        f"import models</pre><div id='data-preloaded' data-preloaded='{data}'></div><div class='grid'>",
    )
    handed: list[str] = []
    extract_call = trafilatura.extract

    def spy(markup: str, **options: object) -> str | None:
        handed.append(markup)
        return extract_call(markup, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(trafilatura, "extract", spy)
    doc = extract_html(page)
    assert doc.provenance["reader"] == "trafilatura-region" and handed
    markup = handed[0]
    for chrome in ("icon-star", "img-wrap", "spacer", "<img"):
        assert chrome not in markup, chrome
    assert "data-preloaded" in markup and "<br>" in markup
    words = LexborHTMLParser(page).body.text().split()  # type: ignore[union-attr]
    assert LexborHTMLParser(markup).body.text().split() == words  # type: ignore[union-attr]
    assert "This oak chair is finished by hand in our workshop by the harbour." in doc.paragraphs
