"""The parse-once reader (``extract.reader``): the story read off the selectolax tree, block by
block, and trafilatura run only where the reader is not confident. Pages are written here."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from cleanfeed import extract_html
from cleanfeed.extract.reader import READER_FAST, Reading, read_region

_SENTENCES = (
    "The council voted on Tuesday to rebuild the old bridge over the river before the winter.",
    "Engineers said the work would take eight months and cost less than the first estimate.",
    "Residents who cross the river every day welcomed the decision at a crowded public meeting.",
    "The mayor said the city would publish the timetable for the works early next month.",
    "Traffic will be diverted through the northern ring road while the bridge is closed.",
    "A temporary footbridge will let pedestrians and cyclists cross during the whole period.",
)


def _story(n: int = 6) -> str:
    return "".join(f"<p>{_SENTENCES[i % len(_SENTENCES)]}</p>" for i in range(n))


def _read(html: str, page_prose: int = 0) -> Reading:
    body = LexborHTMLParser(html).body
    assert body is not None
    return read_region(body, page_prose)


def test_reads_blocks_in_order_with_list_markers_and_table_rows() -> None:
    page = (
        "<html><body><div class='story'>"
        f"<h2>Bridge works</h2>{_story(3)}"
        "<ul><li>Closed from March</li><li>Open by November</li></ul>"
        "<blockquote>We have waited long enough for this bridge, said one resident.</blockquote>"
        "<table><tr><th>Phase</th><th>Month</th></tr><tr><td>Demolition</td><td>March</td></tr></table>"
        f"{_story(3)}</div></body></html>"
    )
    lines = _read(page).text.split("\n")
    assert lines[0] == "Bridge works"
    assert lines[1] == _SENTENCES[0]
    assert "- Closed from March" in lines and "- Open by November" in lines
    assert lines.index("- Closed from March") < lines.index("- Open by November")
    assert "Phase | Month" in lines and "Demolition | March" in lines
    assert lines[-1] == _SENTENCES[2]


def test_inline_markup_joins_words_and_line_breaks_split_blocks() -> None:
    first = "<p><b>W</b>hile the <i>council</i> met,<br>crowds waited.</p>"
    page = f"<html><body><div>{first}{_story(6)}</div></body></html>"
    lines = _read(page).text.split("\n")
    assert lines[0] == "While the council met,"
    assert lines[1] == "crowds waited."


def test_skips_link_lists_link_blocks_figures_and_hidden_elements() -> None:
    menu = "<ul>" + "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(6)) + "</ul>"
    page = (
        f"<html><body><div>{_story(3)}{menu}"
        "<p><a href='/more'>More stories from the city desk and the region</a></p>"
        "<figure><img src='b.jpg'><figcaption>The bridge in 1950. Photo archive</figcaption></figure>"
        "<p style='display: none'>Hidden teaser text that a browser never shows to a reader.</p>"
        f"{_story(3)}</div></body></html>"
    )
    text = _read(page).text
    assert "Section" not in text
    assert "More stories" not in text
    assert "Photo archive" not in text
    assert "Hidden teaser" not in text
    assert _SENTENCES[0] in text


def test_confident_on_a_story_not_on_short_or_scattered_pages() -> None:
    story = _read(f"<html><body><div>{_story(8)}</div></body></html>")
    assert story.confident and story.reason == "block"
    short = _read(f"<html><body><div>{_story(2)}</div></body></html>")
    assert not short.confident and short.reason == "short"
    # a grid of teasers: every container holds one paragraph, none holds 7% of the prose
    teasers = "".join(f"<div class='card'><h3>Item {i}</h3><p>{s}</p></div>" for i, s in enumerate(_SENTENCES * 3))
    grid = _read(f"<html><body><div class='grid'>{teasers}</div></body></html>", page_prose=10_000)
    assert not grid.confident and grid.reason == "scattered"


def test_confident_on_a_page_of_short_blocks_without_a_story() -> None:
    # a data sheet: rows of short facts, one sentence of prose among them (under a tenth of the
    # text): there is no story for trafilatura to prefer, the blocks are the page
    rows = "".join(f"<p>Bridge {i}: span {10 + i} metres, built {1900 + i}</p>" for i in range(30))
    sheet = _read(f"<html><body><div class='sheet'><p>{_SENTENCES[0]}</p>{rows}</div></body></html>")
    assert sheet.confident
    assert "Bridge 29: span 39 metres, built 1929" in sheet.text.split("\n")
    # a page that is half prose, half short rows is neither: trafilatura reads it
    half = "".join(f"<p>Bridge {i}: span {10 + i} metres</p>" for i in range(15))
    mixed = _read(f"<html><body><div>{_story(3)}{half}</div></body></html>")
    assert not mixed.confident and mixed.reason == "not-prose"


def test_not_confident_inside_a_container_named_like_chrome() -> None:
    page = f"<html><body><div class='comment-list'><div class='comment-body'>{_story(8)}</div></div></body></html>"
    reading = _read(page)
    assert not reading.confident and reading.reason == "chrome-named"


def test_story_split_over_sibling_containers_is_read_whole() -> None:
    chunk = f"<div class='chunk'>{_story(4)}</div>"
    halves = f"{chunk}<div class='ad'>Advertisement</div>{chunk}"
    page = f"<html><body><article>{halves}</article></body></html>"
    prose = sum(len(_SENTENCES[i % 6]) for i in range(8))
    reading = _read(page, page_prose=prose)
    assert reading.reason == "grown"
    assert reading.text.count(_SENTENCES[3]) == 2


def test_extract_html_records_the_reader_and_falls_back_to_trafilatura() -> None:
    story = extract_html(
        f"<html><body><nav><a href='/'>Home</a></nav><article><h1>Bridge</h1>{_story(8)}</article></body></html>"
    )
    assert story.provenance["reader"] == READER_FAST
    assert _SENTENCES[5] in story.paragraphs
    thin = extract_html(f"<html><body><article><h1>Bridge</h1>{_story(2)}</article></body></html>")
    assert thin.provenance["reader"].startswith("trafilatura")
    assert _SENTENCES[1] in thin.paragraphs


def test_skips_boxes_without_prose_inside_the_story_block() -> None:
    gallery = "<div class='slides'><div>Image 1 of 9</div><div>Photo: City archive</div></div>"
    story = f"{_story(3)}{gallery}<p>Works start in March.</p>{_story(3)}<div>Share this story</div>"
    text = _read(f"<html><body><div class='story'>{story}</div></body></html>").text
    assert "Image 1 of 9" not in text and "Share this story" not in text
    assert "Works start in March." in text  # a paragraph of the story's own is kept, short or not
    assert text.count(_SENTENCES[0]) == 2


def _loose(n: int = 8) -> str:
    """A story written without paragraph tags: sentences parted by line breaks."""
    return "<br><br>".join(_SENTENCES[i % len(_SENTENCES)] for i in range(n))


def test_a_story_without_paragraph_tags_is_read_from_its_block() -> None:
    menu = "<div class='top'>" + " | ".join(f"<a href='/s{i}'>Section {i}</a>" for i in range(8)) + "</div>"
    aside = "<div class='box'>Call us on 555 0100<br>Open daily</div>"
    cells = f"<td>{aside}</td><td><b>Bridge</b><br>{_loose()}</td>"
    page = f"<html><body>{menu}<table><tr>{cells}</tr></table></body></html>"
    reading = _read(page)
    assert reading.confident and reading.reason == "block"
    lines = reading.text.split("\n")
    assert lines[0] == "Bridge" and lines[1] == _SENTENCES[0] and lines[-1] == _SENTENCES[1]
    assert "Section" not in reading.text and "Call us" not in reading.text
    doc = extract_html(page)
    assert doc.provenance["reader"] == READER_FAST
    assert doc.paragraphs == ("Bridge", *(_SENTENCES[i % len(_SENTENCES)] for i in range(8)))


def test_loose_text_counts_only_where_the_region_has_no_prose_paragraph() -> None:
    # beside a <p> story, a block of loose text is no story of its own: the paragraphs lead
    note = f"<div class='note'>{_loose(6)}</div>"
    reading = _read(f"<html><body>{note}<div class='story'>{_story(8)}</div></body></html>")
    assert reading.reason == "block" and _SENTENCES[0] in reading.text
    assert reading.text.count(_SENTENCES[0]) == 2  # the story's, not the note's three
    # loose posts of a thread, each in its own box: scattered, not read as one story
    posts = "".join(f"<div class='post'><b>User {i}</b><br>{s}</div>" for i, s in enumerate(_SENTENCES * 3))
    thread = _read(f"<html><body><div class='thread'>{posts}</div></body></html>")
    assert not thread.confident and thread.reason == "scattered"
