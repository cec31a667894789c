"""Metadata of HTML pages: title, author, date, site and wire agency, each with its source."""

from __future__ import annotations

import json

import pytest

from cleanfeed import extract_html
from cleanfeed.metadata.text import clean_author, detect_wire

from .conftest import FIXTURES, SEEDS

HTML = FIXTURES / "html"
GOLD = json.loads((SEEDS / "gold" / "metadata.json").read_text(encoding="utf-8"))


def _page(name: str, url: str | None = None):  # type: ignore[no-untyped-def]
    return extract_html((HTML / name).read_text(encoding="utf-8"), url=url)


def test_json_ld_gives_title_author_date_and_publisher() -> None:
    doc = extract_html((FIXTURES / "rules" / "html.non-content" / "fires.html").read_text(encoding="utf-8"))
    assert doc.title == "NASA’s commercial moon shot: Musk's and Bezos's firms to bid"
    assert doc.author == "Laura Winter"
    assert doc.date is not None and doc.date.startswith("2019-11-19")  # "19 Nov 2019 07:09 GMT"
    assert doc.site == "Al Jazeera"
    assert doc.provenance == {
        "title": "json-ld", "author": "json-ld", "date": "json-ld", "site": "json-ld", "url": "opengraph"
    }


def test_syndicated_reuters_page_matches_the_seed_gold() -> None:
    """JSON-LD and <meta name=author> say 'admin': the byline line names the author."""
    gold = GOLD["000_21cd6d9d0f854344.txt"]
    doc = _page("syndicated_reuters.html")
    assert doc.title == gold["title"]
    assert doc.author == gold["author"] == "Mark Trevelyan"
    assert doc.provenance["author"] == "byline"
    assert doc.date is not None and doc.date.startswith(gold["date"])
    assert (doc.wire, doc.provenance["wire"]) == ("Reuters", "dateline")
    assert (doc.site, doc.provenance["site"]) == ("Global Banking & Finance Review", "opengraph")


def test_syndicated_ap_page_has_no_author_only_admin() -> None:
    gold = GOLD["002_6e4523ae4f752380.txt"]
    doc = _page("syndicated_ap.html")
    assert doc.author is None and gold["author"] is None
    assert (doc.wire, doc.provenance["wire"]) == (gold["wire"], "dateline")
    assert doc.title == gold["title"]
    assert doc.date is not None and doc.date.startswith(gold["date"])


def test_reuters_credit_line_gives_the_wire_without_a_dateline() -> None:
    """The excerpt leaves the dateline paragraph out; 'Reporting by ...; Editing by ...' stays.
    Its JSON-LD is not valid JSON (single quotes), and is read field by field."""
    doc = _page("reuters_credit.html")
    assert (doc.wire, doc.provenance["wire"]) == ("Reuters", "credit")
    assert doc.author == "Rodrigo Campos"
    assert doc.title == "Oversupply angst drags oil lower, stocks drift near highs"
    assert doc.provenance["title"] == "json-ld"
    assert doc.date is not None and doc.date.startswith("2019-11-19")


_STORY = (
    "<p>{dateline} The government said on Monday it would raise the minimum wage by four percent "
    "next year, after months of talks with unions and employers ended without an agreement.</p>"
    "<p>The increase is the smallest in five years and falls short of what the unions demanded, "
    "officials said at a news conference in the capital.</p>"
)


@pytest.mark.parametrize(
    ("dateline", "wire"),
    [
        ("SEOUL (Reuters) -", "Reuters"),
        ("WASHINGTON, Jan 3 (Reuters) -", "Reuters"),
        ("SEOUL, South Korea (AP) —", "AP"),
        ("(AP) —", "AP"),
        ("PARIS (AFP) -", "AFP"),
        ("BERLIN (dpa) -", "dpa"),
    ],
)
def test_datelines_name_the_wire(dateline: str, wire: str) -> None:
    doc = extract_html(f"<html><body><article>{_STORY.format(dateline=dateline)}</article></body></html>")
    assert (doc.wire, doc.provenance["wire"]) == (wire, "dateline")


def test_no_dateline_no_wire() -> None:
    doc = extract_html(f"<html><body><article>{_STORY.format(dateline='LONDON -')}</article></body></html>")
    assert doc.wire is None and "wire" not in doc.provenance


def _with_head(head: str) -> str:
    return f"<html><head>{head}</head><body><article>{_STORY.format(dateline='')}</article></body></html>"


def test_agency_as_author_is_the_wire_not_the_author() -> None:
    doc = extract_html(_with_head('<meta name="author" content="Reuters">'))
    assert doc.author is None
    assert (doc.wire, doc.provenance["wire"]) == ("Reuters", "meta")


@pytest.mark.parametrize("name", ["admin", "Staff Writer", "Editorial Team", "worldeconomist.com"])
def test_admin_job_titles_and_host_names_are_never_authors(name: str) -> None:
    head = f'<meta property="og:site_name" content="World Economist"><meta name="author" content="{name}">'
    assert extract_html(_with_head(head)).author is None
    assert clean_author(name, "World Economist") is None


def test_the_site_as_author_is_a_last_resort_that_a_byline_replaces() -> None:
    """A company blog's posts are by the company; a syndicator's 'author' is the site, and the
    story's own "By ..." line names the writer."""
    head = '<meta property="og:site_name" content="World Economist"><meta name="author" content="World Economist">'
    doc = extract_html(_with_head(head))
    assert (doc.author, doc.provenance["author"]) == ("World Economist", "publisher")
    assert clean_author("World Economist", "World Economist") is None
    page = _with_head(head).replace("<article>", "<article><p>By Jane Doe</p>")
    doc = extract_html(page)
    assert (doc.author, doc.provenance["author"]) == ("Jane Doe", "byline")


def test_a_personal_blog_named_after_its_writer_keeps_the_writer() -> None:
    head = '<meta property="og:site_name" content="Jane Doe\'s notes"><meta name="author" content="Jane Doe">'
    doc = extract_html(_with_head(head))
    assert (doc.author, doc.provenance["author"]) == ("Jane Doe", "meta")


def test_several_authors_are_kept_and_cleaned() -> None:
    ld = {"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Jane Doe"}, {"name": "admin"}, {"name": "John Roe"}]}
    doc = extract_html(_with_head(f'<script type="application/ld+json">{json.dumps(ld)}</script>'))
    assert (doc.author, doc.provenance["author"]) == ("Jane Doe, John Roe", "json-ld")


def test_title_tag_loses_the_site_suffix() -> None:
    head = '<title>Minimum wage to rise 4% next year | Daily Ledger</title><meta property="og:site_name" content="Daily Ledger">'
    doc = extract_html(_with_head(head))
    assert (doc.title, doc.provenance["title"]) == ("Minimum wage to rise 4% next year", "title-tag")


def test_site_falls_back_to_the_url_host() -> None:
    doc = extract_html(_with_head(""), url="https://www.example-news.com/2025/11/story")
    assert (doc.site, doc.provenance["site"]) == ("example-news.com", "url")


def test_byline_line_is_not_taken_from_a_sentence() -> None:
    # "By contrast, ..." opens a sentence, not a byline
    assert detect_wire(["By contrast, the index rose."]) is None
    page = _with_head("").replace("<article>", "<article><p>By contrast, the index rose</p>")
    assert extract_html(page).author is None
