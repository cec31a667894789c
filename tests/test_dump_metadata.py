"""Metadata read from dumps: dates in the forms pages print them, bylines, titles."""

from __future__ import annotations

import pytest

from cleanfeed import clean_text_dump
from cleanfeed.metadata.dump import parse_date

BODY = (
    "The city council voted on Tuesday to expand the bus network, adding six routes that will connect "
    "the northern suburbs with the hospital district for the first time.\n\n"
    "Officials said the new routes would start running in March, once drivers have been hired and "
    "trained, and that fares would stay unchanged for at least a year.\n\n"
    "Residents of the suburbs had campaigned for the change for more than a decade, saying the only "
    "direct service left them waiting for up to an hour at peak times.\n"
)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Posted on November 14, 2025", "2025-11-14"),
        ("adminBy adminApril 27, 2025No Comments4 Mins Read", "2025-04-27"),
        ("19 NOV 2019", "2019-11-19"),
        ("sexta-feira, 22 de outubro de 2010 às 20:13", "2010-10-22"),
        ("Posted on Maret 30, 2015 by Admin", "2015-03-30"),
        ("By Tess Bonn - 11/19/19 06:56 AM EST", "2019-11-19"),
        ("21/06/2014 Tony Carter All , Books", "2014-06-21"),
        ("2019-11-18T10:00:00Z", "2019-11-18"),
        ("Updated Nov 19, 6:55 AM", None),
        ("Chapter 12 of 30", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("byline", "author"),
    [
        ("By Joseph Tsidulko November 19, 2019, 07:47 PM EST", "Joseph Tsidulko"),
        ("Analysis by Chris Cillizza , CNN Editor-at-large", "Chris Cillizza"),
        ("February 1, 2019 | BY: Ilana Muhlstein, MS, RDN", "Ilana Muhlstein"),
        ("Photo by Jason Kempin/Getty Images", None),
        ("By admin", None),
        ("By Reuters Staff", None),
    ],
)
def test_bylines(byline: str, author: str | None) -> None:
    page = f"Menu\nHome\n\nCity expands bus network to northern suburbs\n\n{byline}\n\n{BODY}"
    doc = clean_text_dump(page)
    assert doc.author == author
    assert doc.title == "City expands bus network to northern suburbs"
    assert doc.paragraphs[0].startswith("The city council voted")


def test_title_from_url_slug_beats_nearer_headings() -> None:
    page = (
        "Home\nCity expands bus network to northern suburbs\nWorld\n\nMost read this week\n\n"
        f"{BODY}"
    )
    doc = clean_text_dump(page, url="https://news.example/2025/03/04/city-expands-bus-network-to-northern-suburbs")
    assert doc.title == "City expands bus network to northern suburbs"
    assert doc.provenance["title"] == "url-slug-heading"
    assert doc.date == "2025-03-04" and doc.provenance["date"] == "url"
    assert doc.site == "news.example"
