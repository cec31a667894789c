"""The wire dateline, one definition (``metadata.text.Dateline``) read by the three stages that
look for one: the wire of a page (metadata), where a text dump's story starts (extract) and the
lead that copies add or drop (the fingerprint)."""

from __future__ import annotations

import pytest

from cleanfeed import clean_text_dump, extract_html
from cleanfeed.dedup.fingerprint import strip_volatile
from cleanfeed.metadata.text import Dateline, dateline_place

BODY = ("The government said on Monday it would raise the minimum wage by four percent next year, "
        "after months of talks with unions and employers ended without an agreement.")

# (dateline as written, place, credit, agency)
DATELINES = [
    ("SEOUL (Reuters) - ", "SEOUL", "Reuters", "Reuters"),
    ("(AP) — ", "", "AP", "AP"),
    ("WASHINGTON, Jan 3 (Reuters) - ", "WASHINGTON, Jan 3", "Reuters", "Reuters"),
    ("LONDON, Nov 14, 2025 (Reuters) - ", "LONDON, Nov 14, 2025", "Reuters", "Reuters"),
    ("SEOUL, South Korea (AP) — ", "SEOUL, South Korea", "AP", "AP"),
    ("Seoul (AFP) - ", "Seoul", "AFP", "AFP"),
    ("BERLIN (dpa) - ", "BERLIN", "dpa", "dpa"),
    ("TOKYO (Kyodo News): ", "TOKYO", "Kyodo News", "Kyodo"),
    ("NEW YORK (CNN) -- ", "NEW YORK", "CNN", None),
    ("MADRID — ", "MADRID", None, None),
    ("BUFFALO, N.Y. – ", "BUFFALO, N.Y.", None, None),
    ("ST. PAUL - ", "ST. PAUL", None, None),
]

NOT_DATELINES = [
    "AI-powered tools help you attract visitors.",
    "The Fed held rates in Washington - again.",
    "Apple (AAPL) shares rose on Monday.",
    "Progressive Web Apps (PWA): Die E-Commerce-Revolution",
    "Apple Watch Series 3 (GPS, 38mm) - Silver Aluminium Case",
    "grep(1) - Linux manual page",
    "- Seoul said on Monday",
]


@pytest.mark.parametrize(("written", "place", "credit", "agency"), DATELINES)
def test_each_form_is_read_with_its_parts(
    written: str, place: str, credit: str | None, agency: str | None
) -> None:
    found = Dateline.at(written + BODY)
    assert found is not None
    assert (found.place, found.credit, found.agency) == (place, credit, agency)
    assert (written + BODY)[found.end :] == BODY


@pytest.mark.parametrize("text", NOT_DATELINES)
def test_words_and_titles_of_the_same_shape_are_no_dateline(text: str) -> None:
    assert Dateline.at(text) is None


def test_a_place_in_ordinary_case_is_trusted_only_with_an_agency() -> None:
    """'Seoul (AFP) -' is a wire's dateline; 'Apple (AAPL) -' mid-story is not, though both
    have the shape; a place in capitals, or none, needs no agency."""
    trusted = {t: Dateline.at(t + BODY) for t in ("Seoul (AFP) - ", "Apple (AAPL) - ", "New York (CNN) -- ",
                                                 "NEW YORK (CNN) -- ", "(CNN) -- ", "MADRID — ")}
    assert {t: d is not None and d.trusted for t, d in trusted.items()} == {
        "Seoul (AFP) - ": True, "Apple (AAPL) - ": False, "New York (CNN) -- ": False,
        "NEW YORK (CNN) -- ": True, "(CNN) -- ": True, "MADRID — ": True,
    }


@pytest.mark.parametrize(("written", "place", "credit", "agency"), DATELINES)
def test_metadata_names_the_wire_of_an_agency_dateline_only(
    written: str, place: str, credit: str | None, agency: str | None
) -> None:
    doc = extract_html(f"<html><body><article><p>{written}{BODY}</p><p>{BODY}</p></article></body></html>")
    assert doc.wire == agency
    assert dateline_place(written + BODY) == (place if agency else None)


@pytest.mark.parametrize(("written", "place", "credit", "agency"), DATELINES)
def test_the_fingerprint_strips_every_dateline_from_the_lead(
    written: str, place: str, credit: str | None, agency: str | None
) -> None:
    assert strip_volatile([written + BODY]) == (BODY,)


@pytest.mark.parametrize("text", NOT_DATELINES)
def test_the_fingerprint_keeps_a_lead_that_has_no_dateline(text: str) -> None:
    assert strip_volatile([text]) == (text,)


def test_a_hyphen_joined_to_the_next_word_is_no_dateline() -> None:
    """'U.S.-Israeli' has the shape of a bare place and a dash, but its hyphen joins two words:
    no reader takes it as a dateline and the fingerprint does not cut a word in two."""
    joined = "U.S.-Israeli relations are partisan on both sides so close to the election."
    assert Dateline.at(joined) is None
    assert strip_volatile([joined]) == (joined,)
    spaced = Dateline.at("LONDON - " + BODY)
    assert spaced is not None and spaced.place == "LONDON"


def _dump(*lines: str) -> str:
    return "\n\n".join(lines)


STORY = [
    "The talks are the first since the two sides broke off contact two years ago, and officials "
    "on both sides said they expected no agreement before the end of the year at the earliest.",
    "Negotiators met for six hours in a government building near the border, where security was "
    "tight and reporters were kept at a distance from the delegations for the whole day.",
    "Both delegations said they would meet again next month, though neither side would say where "
    "or at what level the next round of the talks would be held this time.",
]


def test_a_text_dumps_story_starts_at_its_dateline() -> None:
    """What stands above a wire dateline (headline, byline, a summary) is not body, also for a
    place in ordinary case with an agency's credit."""
    doc = clean_text_dump(_dump(
        "Home", "World", "Talks resume after two years",
        "By Jane Doe", "The two Koreas met for the first time in two years on Monday, and neither side "
        "expects an agreement before the end of the year, officials said.",
        "Seoul (AFP) - North and South Korea resumed talks on Monday after a pause of "
        "two years, officials said.", *STORY,
    ))
    assert doc.paragraphs[0].startswith("Seoul (AFP) - North and South Korea resumed talks")
    assert doc.wire == "AFP"


def test_a_hyphenated_word_in_capitals_does_not_cut_a_text_dumps_story() -> None:
    """'U.S.-Israeli ...' three paragraphs into a story is no dateline: the story keeps what is above it."""
    doc = clean_text_dump(_dump(
        "Home", "World", *STORY[:2],
        "U.S.-Israeli relations have become partisan on both sides so close to the election, "
        "analysts in Washington said on Monday.", STORY[2],
    ))
    assert doc.paragraphs[0] == STORY[0]
