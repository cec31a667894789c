"""Metadata signals found in article text: the wire agency and author-name hygiene.

These work on paragraphs or lines, so the HTML extractor and the text-dump cleaner share them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Agency:
    name: str  # canonical name reported in CleanDoc.wire
    aliases: tuple[str, ...]  # spellings found in datelines and credits


AGENCIES: tuple[Agency, ...] = (
    Agency("Reuters", ("Reuters", "Thomson Reuters")),
    Agency("AP", ("AP", "Associated Press", "The Associated Press")),
    Agency("AFP", ("AFP", "Agence France-Presse", "Agence France Presse", "AFP-JIJI")),
    Agency("Bloomberg", ("Bloomberg", "Bloomberg News")),
    Agency("dpa", ("dpa", "DPA", "Deutsche Presse-Agentur")),
    Agency("Xinhua", ("Xinhua",)),
    Agency("Kyodo", ("Kyodo", "Kyodo News")),
    Agency("Yonhap", ("Yonhap",)),
    Agency("UPI", ("UPI", "United Press International")),
    Agency("ANSA", ("ANSA",)),
    Agency("EFE", ("EFE",)),
    Agency("PTI", ("PTI", "Press Trust of India")),
    Agency("ANI", ("ANI",)),
    Agency("IANS", ("IANS",)),
    Agency("TASS", ("TASS",)),
    Agency("Interfax", ("Interfax",)),
    Agency("AAP", ("AAP", "Australian Associated Press")),
    Agency("CP", ("CP", "The Canadian Press", "Canadian Press")),
    Agency("Anadolu", ("Anadolu", "Anadolu Agency", "AA")),
    Agency("Bernama", ("Bernama",)),
    Agency("PA", ("PA", "PA Media", "Press Association")),
)

_ALIAS_TO_NAME = {alias.lower(): agency.name for agency in AGENCIES for alias in agency.aliases}
_ALIASES = "|".join(
    sorted((re.escape(a) for agency in AGENCIES for a in agency.aliases), key=len, reverse=True)
)
# "SEOUL (Reuters) -", "(AP) —", "WASHINGTON, Jan 3 (Reuters) -", "PARIS (AFP) -"
_DATELINE = re.compile(
    rf"^\s*(?:[A-Z][A-Za-z0-9 .,'’/-]{{0,60}}?\s*)?\((?P<agency>{_ALIASES})\)\s*[-—–:]", re.UNICODE
)
# "Reporting by ...; Editing by ..." (Reuters), "(Additional reporting by ...)"
_REUTERS_CREDIT = re.compile(
    r"^\(?\s*(additional\s+)?(reporting|writing|editing)\s+by\b.*\)?\s*$", re.IGNORECASE
)
# "Associated Press writer Jane Doe contributed to this report."
# The agency's first mention decides: a later one cannot have "contributed" after it unless the
# first does. Matching "agency writer.*contributed" at each mention instead rescans the rest of
# the line from every one of them (quadratic on a long paragraph of mentions).
_AGENCY_WRITER = re.compile(
    rf"\b(?P<agency>{_ALIASES})\s+(writers?|reporters?|correspondents?)\b", re.UNICODE
)
_CONTRIBUTED = re.compile(r"\bcontributed\b")
# "-- AFP", "— Reuters", "(AFP)" closing a paragraph
_CLOSING_CREDIT = re.compile(rf"(?:[-—–]{{1,2}}\s*|\()(?P<agency>{_ALIASES})\)?\s*$")
# "By Jane Doe, Reuters" / "By Jane Doe | AP"
_BYLINE_AGENCY = re.compile(rf"^\s*by\b.*?[,|/]\s*(?P<agency>{_ALIASES})\s*$", re.IGNORECASE)


def canonical_agency(name: str) -> str | None:
    """The canonical name of a wire agency spelling, or None if it is not an agency."""
    return _ALIAS_TO_NAME.get(name.strip().lower())


def detect_wire(paragraphs: list[str] | tuple[str, ...]) -> tuple[str, str] | None:
    """Find the wire agency of a story from its text: ``(agency, source)`` or None.

    ``source`` says which signal gave it: ``"dateline"``, ``"credit"``, ``"byline"``.
    The dateline is the strongest signal and is looked for in the first paragraphs only.
    """
    for para in paragraphs[:4]:
        match = _DATELINE.match(para)
        if match:
            return _ALIAS_TO_NAME[match.group("agency").lower()], "dateline"
        match = _BYLINE_AGENCY.match(para)
        if match:
            return _ALIAS_TO_NAME[match.group("agency").lower()], "byline"
    for para in reversed(paragraphs[-4:]):
        match = _agency_contributed(para)
        if match:
            return _ALIAS_TO_NAME[match.group("agency").lower()], "credit"
        match = _CLOSING_CREDIT.search(para)
        if match and len(para) < 400:
            return _ALIAS_TO_NAME[match.group("agency").lower()], "credit"
        if _REUTERS_CREDIT.match(para.strip()):
            return "Reuters", "credit"
    return None


def _agency_contributed(para: str) -> re.Match[str] | None:
    """The agency mention of "AP writer Jane Doe contributed", line by line as ``.`` reads."""
    for line in para.split("\n"):
        match = _AGENCY_WRITER.search(line)
        if match and _CONTRIBUTED.search(line, match.end()):
            return match
    return None


_JOB_TITLES = re.compile(
    r"^(admin(istrator)?|editor(ial)?(\s+(staff|team|desk|board))?|staff(\s+(writer|reporter))?|"
    r"news\s*desk|web\s*desk|desk|guest(\s+(author|writer|contributor))?|contributor|author|"
    r"correspondent|reporter|writer|team|wire\s+service|webmaster|moderator|unknown|anonymous|"
    r"senior\s+\w+|chief\s+\w+|undefined|null|none|n/?a)$",
    re.IGNORECASE,
)


def clean_author(name: str | None, site: str | None = None) -> str | None:
    """Return a plausible person's name (or None): never a site name, 'admin' or a job title.

    A wire agency as byline ("By Reuters") is not an author either: it is reported as the wire.
    """
    if not name:
        return None
    value = re.sub(r"\s+", " ", name).strip()
    value = re.sub(r"^(by|written\s+by|posted\s+by|author:?)\s+", "", value, flags=re.IGNORECASE).strip(" ,|-–—")
    if not value or len(value) > 100 or "@" in value or "http" in value.lower():
        return None
    if _JOB_TITLES.match(value) or canonical_agency(value):
        return None
    if site:
        squash = re.sub(r"[^a-z0-9]", "", value.lower())
        site_squash = re.sub(r"[^a-z0-9]", "", site.lower())
        if squash and (squash in site_squash or site_squash in squash):
            return None
    if not any(ch.isalpha() for ch in value):
        return None
    return value
