"""Metadata of HTML pages: title, author, date, site and wire agency, each with its source."""

from __future__ import annotations

import json
from itertools import permutations

import pytest

from cleanfeed import CleanDoc, RawDoc, extract_html, extract_pages
from cleanfeed.metadata.site import site_names
from cleanfeed.metadata.text import clean_author, detect_wire

from .conftest import FIXTURES, SEEDS

HTML = FIXTURES / "html"
GOLD = json.loads((SEEDS / "gold" / "metadata.json").read_text(encoding="utf-8"))


def _page(name: str, url: str | None = None) -> CleanDoc:
    return extract_html((HTML / name).read_text(encoding="utf-8"), url=url)


def test_json_ld_gives_title_author_date_and_publisher() -> None:
    doc = extract_html((FIXTURES / "rules" / "html.non-content" / "fires.html").read_text(encoding="utf-8"))
    assert doc.title == "NASA’s commercial moon shot: Musk's and Bezos's firms to bid"
    assert doc.author == "Laura Winter"
    assert doc.date is not None and doc.date.startswith("2019-11-19")  # "19 Nov 2019 07:09 GMT"
    assert doc.site == "Al Jazeera"
    assert {field: source for field, source in doc.provenance.items() if field != "reader"} == {
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
    ld = {"@type": "NewsArticle",
          "author": [{"@type": "Person", "name": "Jane Doe"}, {"name": "admin"}, {"name": "John Roe"}]}
    doc = extract_html(_with_head(f'<script type="application/ld+json">{json.dumps(ld)}</script>'))
    assert (doc.author, doc.provenance["author"]) == ("Jane Doe, John Roe", "json-ld")


def test_title_tag_loses_the_site_suffix() -> None:
    head = ('<title>Minimum wage to rise 4% next year | Daily Ledger</title>'
            '<meta property="og:site_name" content="Daily Ledger">')
    doc = extract_html(_with_head(head))
    assert (doc.title, doc.provenance["title"]) == ("Minimum wage to rise 4% next year", "title-tag")


def test_site_falls_back_to_the_url_host() -> None:
    doc = extract_html(_with_head(""), url="https://www.example-news.com/2025/11/story")
    assert (doc.site, doc.provenance["site"]) == ("example-news.com", "url")


@pytest.mark.parametrize(
    ("closing", "wire"),
    [
        ("The talks resume on Monday. -- AFP", ("AFP", "credit")),
        ("The talks resume on Monday. (Reuters)  \n", ("Reuters", "credit")),
        ("The talks resume on Monday. — Associated Press", ("AP", "credit")),
        ("The talks resume on Monday. (AFP) Photo", None),  # the agency does not close it
        ("The talks resume on Monday. -- afp", None),  # an agency is named in its own case
    ],
)
def test_closing_credit_names_the_wire(closing: str, wire: tuple[str, str] | None) -> None:
    assert detect_wire(["A story of its own.", closing]) == wire


def test_byline_line_is_not_taken_from_a_sentence() -> None:
    # "By contrast, ..." opens a sentence, not a byline
    assert detect_wire(["By contrast, the index rose."]) is None
    page = _with_head("").replace("<article>", "<article><p>By contrast, the index rose</p>")
    assert extract_html(page).author is None


# --------------------------------------------------------------------------------------------
# Evidence best first, and refusing rather than guessing (tests/fixtures/metadata/: own pages)

METADATA = FIXTURES / "metadata"


def _fixture(name: str, url: str | None = None) -> CleanDoc:
    return extract_html((METADATA / name).read_text(encoding="utf-8"), url=url)


def test_graph_authors_by_reference_and_the_published_not_the_modified_date() -> None:
    """Yoast-style ``@graph``: the article's authors are ``@id`` references to Person nodes;
    ``dateModified``, the "Updated" line, a related story's and a comment's dates all lose."""
    doc = _fixture("graph_reference.html")
    assert (doc.author, doc.provenance["author"]) == ("Maren Holt, Tomas Weir", "json-ld")
    assert doc.date is not None and doc.date.startswith("2024-05-03")
    assert doc.provenance["date"] == "json-ld"
    assert doc.title == "Harbour bridge reopens after two years of repairs"


def test_url_is_the_canonical_link_unless_the_input_gives_one() -> None:
    canonical = "https://www.coastline-courier.example/2024/05/03/harbour-bridge-reopens/"
    doc = _fixture("graph_reference.html")
    assert (doc.url, doc.provenance["url"]) == (canonical, "canonical")
    given = "https://mirror.example/harbour"
    doc = _fixture("graph_reference.html", url=given)
    assert doc.url == given and "url" not in doc.provenance


def test_og_url_when_no_canonical_and_a_broken_address_is_refused() -> None:
    doc = extract_html(_with_head('<meta property="og:url" content="https://news.example/a/b">'))
    assert (doc.url, doc.provenance["url"]) == ("https://news.example/a/b", "opengraph")
    doc = extract_html(_with_head('<meta property="og:url" content="https://news.example%2Fa%2Fb">'))
    assert doc.url is None


def test_published_line_beside_the_headline_and_the_byline_nearest_it() -> None:
    """No structured data: the "Published" date of the header, never the "Updated" one nor the
    footer's; the byline under the headline, not the site menu's list of authors."""
    doc = _fixture("header_date.html")
    assert (doc.date, doc.provenance["date"]) == ("2023-04-28", "header-text")
    assert (doc.author, doc.provenance["author"]) == ("Rowan Field", "byline")


def test_no_date_rather_than_a_related_story_comment_or_modified_date() -> None:
    doc = _fixture("no_date.html")
    assert doc.date is None and "date" not in doc.provenance


_GUIDE_BODY = ("<p>Packing for a long trip starts with a list written a week ahead, checked twice and cut "
               "by a third on the last evening, because every traveller carries more than needed.</p>"
               "<p>Shoes take the most room; wear the heaviest pair on the plane and pack the rest.</p>")


def _guide(head: str, header: str) -> str:
    """A page with ``head`` in its ``<head>`` and ``header`` printed just below its headline."""
    return (f"<html><head><title>How to pack light</title>{head}</head><body><article>"
            f"<h1>How to pack light</h1>{header}{_GUIDE_BODY}</article></body></html>")


def _ld(**dates: str) -> str:
    return ('<script type="application/ld+json">'
            + json.dumps({"@type": "Article", "headline": "How to pack light", **dates}) + "</script>")


def test_the_date_printed_below_the_headline_when_the_page_declares_it_the_modified_day() -> None:
    """The site prints the day of the version it serves under the headline, and its JSON-LD
    says that is the modified day: the page's shown date beats the older datePublished."""
    head = _ld(datePublished="2023-02-01T08:00:00Z", dateModified="2024-06-20T09:00:00Z")
    doc = extract_html(_guide(head, '<p class="meta"><time>June 20, 2024</time></p>'))
    assert (doc.date, doc.provenance["date"]) == ("2024-06-20", "header-text")
    # a shown date the page declares nowhere, later than the publication: a display stamp, not the date
    head = _ld(datePublished="2023-02-01T08:00:00Z", dateModified="2023-02-02T09:00:00Z")
    doc = extract_html(_guide(head, '<p class="meta"><time>June 20, 2024</time></p>'))
    assert (doc.date or "")[:10] == "2023-02-01" and doc.provenance["date"] == "json-ld"


def test_a_shown_date_earlier_than_the_structured_one_is_the_original() -> None:
    """A story is not printed dated before it was published: a later datePublished is a re-stamp."""
    head = _ld(datePublished="2025-11-05", dateModified="2025-11-05")
    doc = extract_html(_guide(head, "<p>March 4, 2021</p>"))
    assert (doc.date, doc.provenance["date"]) == ("2021-03-04", "header-text")


def test_only_the_first_date_below_the_headline_counts_as_the_shown_date() -> None:
    """"Posted on June 29, 2020" then an updated stamp: the published date stands."""
    head = _ld(datePublished="2020-06-29T15:00:00Z", dateModified="2021-11-12T10:00:00Z")
    header = ('<p><span>Posted on</span> <time class="published">June 29, 2020</time> '
              '<time class="updated">November 12, 2021</time></p>')
    doc = extract_html(_guide(head, header))
    assert (doc.date or "")[:10] == "2020-06-29"


@pytest.mark.parametrize("header", [
    "<p>Last updated on 17 December 2024</p>",
    "<p><span>Updated</span><span>:</span> <span>December 17, 2024</span></p>",
])
def test_a_page_with_no_publication_date_is_dated_by_its_updated_line(header: str) -> None:
    """No published date anywhere: the "Updated" line by the headline dates the version read.
    With a published date, the published one stands (the updated line never outranks it)."""
    doc = extract_html(_guide("", header))
    assert (doc.date, doc.provenance["date"]) == ("2024-12-17", "header-updated")
    doc = extract_html(_guide(_ld(datePublished="2024-03-02T08:00:00Z"), header))
    assert (doc.date or "")[:10] == "2024-03-02" and doc.provenance["date"] == "json-ld"


def test_the_headline_is_the_heading_that_states_the_title() -> None:
    """A first ``<h1>`` holding the site's logo is not the headline: the date line and byline
    are read beside the ``<h1>`` that states the title; a page with no ``<h1>`` has its headline
    in an ``<h2>``."""
    body = (f"<h1>Field Notes</h1><nav><a href='/'>Home</a></nav>{'<p>Menu entry</p>' * 60}"
            f"<article><h1>How to pack light</h1><p>March 4, 2021</p>{_GUIDE_BODY}</article>")
    page = f"<html><head><title>How to pack light | Field Notes</title></head><body>{body}</body></html>"
    doc = extract_html(page)
    assert (doc.date, doc.provenance["date"]) == ("2021-03-04", "header-text")
    no_h1 = _guide("", "<p>March 4, 2021</p>").replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    assert extract_html(no_h1).date == "2021-03-04"


def test_a_publication_date_under_the_sites_own_meta_name() -> None:
    doc = extract_html(_guide('<meta name="w-published-date" content="2025-05-27T06:03:43Z">', ""))
    assert (doc.date or "")[:10] == "2025-05-27" and doc.provenance["date"] == "meta"
    assert extract_html(_guide('<meta name="w-modified-date" content="2025-05-27T06:03:43Z">', "")).date is None


def test_a_date_just_above_the_headline_and_a_search_hint_that_is_not_one() -> None:
    head = _ld(dateCreated="2024-07-05T14:20:08Z")
    page = _guide(head, "").replace("<h1>", "<p><time>March 1, 2024</time></p><h1>")
    doc = extract_html(page)
    assert (doc.date, doc.provenance["date"]) == ("2024-03-01", "header-text")
    hint = "<p>Examples: Monday, today, last week, Mar 26, 3/26/04</p>"
    assert extract_html(_guide("", "").replace("<h1>", hint + "<h1>")).date is None


def test_the_storys_time_tag_before_one_earlier_in_the_page() -> None:
    """A list of other posts printed before the story: the ``<time>`` inside the story's
    ``<article>`` dates it, not the first one of the page."""
    page = ('<html><head><title>x</title></head><body><div class="list"><a href="/a">Other post</a> '
            '<time datetime="2019-01-02">2 January 2019</time></div><p>Read our letters page too</p>'
            '<article><h2>Notes</h2><p>Filed '
            f'<time datetime="2024-05-03T08:00:00Z">in May</time></p>{_GUIDE_BODY}</article></body></html>')
    doc = extract_html(page)
    assert (doc.date or "")[:10] == "2024-05-03" and doc.provenance["date"] == "time-tag"


def test_an_author_box_aside_inside_the_story_names_the_writer_and_the_pages_aside_does_not() -> None:
    box = ('<aside><p><span itemprop="author" itemscope><span itemprop="name">Nico Perrin</span></span>'
           "</p></aside>")
    inside = _guide("", "").replace("<h1>How to pack light</h1>", "<h1>How to pack light</h1>" + box)
    doc = extract_html(inside)
    assert (doc.author, doc.provenance["author"]) == ("Nico Perrin", "byline")
    outside = _guide("", "").replace("</article>", "</article>" + box)
    assert extract_html(outside).author is None


@pytest.mark.parametrize("header", [
    '<p>By <a href="/magazine/contributor/a_j_neal">A. J. Neal</a> &nbsp; June 2024 issue</p>',
    "<h2>Article by</h2><div>A. J. Neal</div>",
])
def test_a_by_label_below_the_headline_and_the_name_after_it(header: str) -> None:
    """No byline markup: "By" printed on its own just below the headline, the name next."""
    doc = extract_html(_guide("", header))
    assert (doc.author, doc.provenance["author"]) == ("A. J. Neal", "byline")
    # a "By" far down the story, in a sentence, is not the byline
    far = _guide("", "<p>Shoes first.</p>" * 20 + "<p>By</p><p>Ann Other</p>")
    assert extract_html(far).author is None


@pytest.mark.parametrize(("header", "author"), [
    ('<p><a class="PostAuthor" href="/author/jane-doe">Jane Doe</a></p>', "Jane Doe"),
    ('<p><span class="PostAuthorName">Jane Doe</span></p>', "Jane Doe"),
    ('<p><span class="post-author">Jane Doe</span></p>', "Jane Doe"),
    ('<p><span class="PostAuthor">Jane Doe</span></p>', None),
])
def test_byline_markup_with_author_in_its_class(header: str, author: str | None) -> None:
    """A class holding "author" or "AuthorName" marks a byline, as written: "PostAuthor" does not,
    but its element is one when another mark says so (a link to an author page)."""
    doc = extract_html(_guide("", header))
    assert doc.author == author
    assert author is None or doc.provenance["author"] == "byline"


def test_url_date_path_and_a_utc_stamp_one_day_off() -> None:
    """The story's URL dates it in the site's own day; a UTC timestamp past midnight is one
    day later, and the URL's day wins. Far apart, the structured date stands."""
    late = '<meta property="article:published_time" content="2024-03-09T02:30:00+00:00">'
    doc = extract_html(_with_head(late), url="https://news.example/2024/03/08/story")
    assert (doc.date, doc.provenance["date"]) == ("2024-03-08", "url")
    doc = extract_html(_with_head(late), url="https://news.example/2023/01/20/story")
    assert doc.date is not None and doc.date.startswith("2024-03-09")
    doc = extract_html(_with_head(""), url="https://news.example/2024/03/08/story")
    assert (doc.date, doc.provenance["date"]) == ("2024-03-08", "url")


def test_the_same_instant_in_the_sites_time_zone_gives_the_local_day() -> None:
    ld = {"@type": "Article", "headline": "Night vote", "dateCreated": "2017-02-24T01:18:13Z"}
    head = (f'<script type="application/ld+json">{json.dumps(ld)}</script>'
            '<meta property="article:published_time" content="2017-02-23T17:18:13-08:00">')
    doc = extract_html(_with_head(head))
    assert doc.date == "2017-02-23T17:18:13-08:00"


def test_json_ld_in_a_cdata_wrapper_with_html_entities() -> None:
    ld = ('<script type="application/ld+json">//<![CDATA[\n{"@type": "NewsArticle", '
          '"headline": "Talks &#8211; and a deal", "author": {"@type": "Person", "name": "Ana Ruiz"}, '
          '"datePublished": "2024-01-05T10:00:00Z"}\n//]]></script>')
    doc = extract_html(_with_head(ld))
    assert (doc.title, doc.author) == ("Talks – and a deal", "Ana Ruiz")
    assert doc.date is not None and doc.date.startswith("2024-01-05")


def test_a_wire_dateline_with_a_full_date_dates_the_copy_and_one_without_a_year_does_not() -> None:
    page = _with_head("").replace("<article>", "<article><p>LONDON, May 3, 2024 (Reuters) - Officials met.</p>")
    doc = extract_html(page)
    assert (doc.date, doc.provenance["date"], doc.wire) == ("2024-05-03", "dateline", "Reuters")
    page = _with_head("").replace("<article>", "<article><p>LONDON, May 3 (Reuters) - Officials met.</p>")
    assert extract_html(page).date is None


# --------------------------------------------------------------------------------------------
# One site name per host in a run

_NAMED = [
    ("https://www.gbfr.example/a", "Global Banking & Finance Review®"),
    ("https://gbfr.example/b", "Global Banking and Finance Review"),
    ("https://gbfr.example/c", "Global Banking and Finance Review"),
    ("https://gbfr.example/d", "gbfr.example"),
    ("https://other.example/x", "Other Daily"),
    ("https://nameless.example/y", None),
]


def test_site_names_one_name_per_host_whatever_the_order() -> None:
    expected = {"gbfr.example": "Global Banking and Finance Review", "other.example": "Other Daily"}
    for order in permutations(_NAMED):
        assert site_names(order) == expected


def test_site_names_ties_go_to_the_shorter_then_first_spelling() -> None:
    tie = [("https://a.example/1", "A & B Review®"), ("https://a.example/2", "A and B Review")]
    assert site_names(tie) == site_names(tie[::-1]) == {"a.example": "A and B Review"}
    only_host = [("https://b.example/1", "b.example")]
    assert site_names(only_host) == {"b.example": "b.example"}


def test_a_run_names_each_host_one_way() -> None:
    body = ("<article><h1>Rates held</h1><p>The central bank held its main rate on Thursday and said "
            "inflation was easing faster than it had expected a quarter ago, officials said.</p></article>")
    pages = [
        RawDoc(f"{n}.html", f'<html><head><meta property="og:site_name" content="{site}"></head>'
               f"<body>{body.replace('Rates', f'Rates {n}')}</body></html>", url=f"https://www.gbfr.example/{n}")
        for n, site in enumerate(["Global Banking & Finance Review®", "Global Banking and Finance Review",
                                  "Global Banking and Finance Review"])
    ]
    results = list(extract_pages(pages, jobs=0))
    assert {r.doc.site for r in results if r.doc} == {"Global Banking and Finance Review"}
    first = results[0].doc
    assert first is not None and first.provenance["site"] == "opengraph+run"
