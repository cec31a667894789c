"""Metadata signals found in article text: the wire agency, the wire dateline and author-name
hygiene.

These work on paragraphs or lines, so the HTML extractor and the text-dump cleaner share them.
``Dateline`` is the one definition of a wire dateline: the wire of a page (``detect_wire``),
where a text dump's story starts (``extract.textdump``) and the lead that copies of a story add
or drop (``dedup.fingerprint``) all read it.
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
_ALIAS_TUPLE = tuple(alias for agency in AGENCIES for alias in agency.aliases)
_ALIAS_TO_NAME_EXACT = {alias: agency.name for agency in AGENCIES for alias in agency.aliases}
# The wire dateline, in parts (see ``Dateline``): a place in capitals, with up to two comma
# parts after it in any case ("WASHINGTON, Jan 3", "SEOUL, South Korea", "LONDON, Nov 14, 2025");
# a place in any case ("Seoul", "NY"), before a credit only; the credit in parentheses; the dash.
# A colon closes a credit too ("(Reuters):"), but not after a place in ordinary case
# ("Progressive Web Apps (PWA): ..." is a title). A bare place is three characters or more,
# and a hyphen touching the next word is no dash ("U.S.-Israeli", "LONDON-based" are words).
_PLACE = r"[A-Z][A-Z .'’/-]{1,40}[A-Z.](?:,\s*[A-Z0-9][\w .'’-]{0,30}){0,2}"
_TOWN = r"[A-Z][A-Za-z0-9 .,'’/-]{0,60}+"  # possessive: it runs to the "(" (4x faster than lazy)
_CREDIT = r"[A-Za-z][\w .&-]{0,40}"
_DASH = r"[-—–]+"
_BARE_DASH = r"(?:[—–]|--)[-—–]*|-(?!\S)"
DATELINE = re.compile(
    rf"\s*(?:(?P<place>{_PLACE})\s*|(?P<town>{_TOWN})\s*(?=\())?"
    rf"(?:\((?P<credit>{_CREDIT})\)\s*)?"
    rf"(?(credit)(?(town){_DASH}|(?:{_DASH}|:))|(?(place)(?:{_BARE_DASH})|(?!)))\s*"
)


@dataclass(frozen=True, slots=True)
class Dateline:
    """A wire dateline: how a wire story opens, before its first word. The one definition.

    A place, a credit in parentheses, or both, then a dash: "SEOUL (Reuters) -", "(AP) —",
    "WASHINGTON, Jan 3 (Reuters) -", "SEOUL, South Korea (AP) —", "Seoul (AFP) -", "MADRID —".
    Readers take the parts they trust: a place in ordinary case is a weaker sign ("Apple (AAPL)
    - shares rose" has that shape too), so ``trusted`` asks for a place in capitals (or none)
    or a credit that names a wire agency. A hyphen touching the next word is part of a word, not
    a dash: "U.S.-Israeli talks" opens with no dateline.

    >>> d = Dateline.at("WASHINGTON, Jan 3 (Reuters) - The Fed held rates.")
    >>> (d.place, d.credit, d.agency, d.trusted, d.end)
    ('WASHINGTON, Jan 3', 'Reuters', 'Reuters', True, 30)
    >>> Dateline.at("New York (CNN) -- Hertz fell.").trusted, Dateline.at("MADRID — Nadal won.").credit
    (False, None)
    >>> [Dateline.at(t) for t in ("U.S.-Israeli talks", "AI-powered tools", "The Fed (AP) said", "Web Apps (PWA): Why")]
    [None, None, None, None]
    """

    place: str  # what it states before the credit: "WASHINGTON, Jan 3"; "" for "(AP) —"
    credit: str | None  # the name in parentheses: "Reuters", "CNN"; None for "MADRID —"
    agency: str | None  # the wire agency ``credit`` names exactly ("AP" for "Associated Press")
    capitals: bool  # the place (before any comma) is written in capitals, or there is none
    end: int  # where the story starts: after the dash and the spaces that follow it

    @property
    def trusted(self) -> bool:
        """A dateline wherever it stands: a place in capitals (or none), or a wire agency's credit."""
        return self.capitals or self.agency is not None

    @classmethod
    def at(cls, text: str) -> Dateline | None:
        """The dateline ``text`` opens with, or None."""
        match = DATELINE.match(text)
        if match is None:
            return None
        credit = match.group("credit")
        place = (match.group("place") or match.group("town") or "").rstrip()
        return cls(place, credit, _ALIAS_TO_NAME_EXACT.get(credit) if credit else None,
                   not any(ch.islower() for ch in place.partition(",")[0]), match.end())


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


def dateline_place(paragraph: str) -> str | None:
    """What a wire dateline states before the agency ("WASHINGTON, Nov 14, 2025" of
    "WASHINGTON, Nov 14, 2025 (Reuters) - ..."), or None when ``paragraph`` opens with none."""
    dateline = Dateline.at(paragraph)
    return dateline.place if dateline is not None and dateline.agency is not None else None


def canonical_agency(name: str) -> str | None:
    """The canonical name of a wire agency spelling, or None if it is not an agency."""
    return _ALIAS_TO_NAME.get(name.strip().lower())


def detect_wire(paragraphs: list[str] | tuple[str, ...]) -> tuple[str, str] | None:
    """Find the wire agency of a story from its text: ``(agency, source)`` or None.

    ``source`` says which signal gave it: ``"dateline"``, ``"credit"``, ``"byline"``.
    The dateline is the strongest signal and is looked for in the first paragraphs only.
    """
    for para in paragraphs[:4]:
        dateline = Dateline.at(para)
        if dateline is not None and dateline.agency is not None:
            return dateline.agency, "dateline"
        match = _BYLINE_AGENCY.match(para)
        if match:
            return _ALIAS_TO_NAME[match.group("agency").lower()], "byline"
    for para in reversed(paragraphs[-4:]):
        match = _agency_contributed(para)
        if match:
            return _ALIAS_TO_NAME[match.group("agency").lower()], "credit"
        match = _CLOSING_CREDIT.search(para) if _ends_with_agency(para) else None
        if match and len(para) < 400:
            return _ALIAS_TO_NAME[match.group("agency").lower()], "credit"
        if _REUTERS_CREDIT.match(para.strip()):
            return "Reuters", "credit"
    return None


def _ends_with_agency(para: str) -> bool:
    """Whether ``para`` ends with an agency's name (before a ")" and spaces): what a closing
    credit needs, tested without the search (which tries every dash and parenthesis)."""
    tail = para.rstrip()
    return tail.removesuffix(")").endswith(_ALIAS_TUPLE)


def _agency_contributed(para: str) -> re.Match[str] | None:
    """The agency mention of "AP writer Jane Doe contributed", line by line as ``.`` reads."""
    if "contributed" not in para:  # the search tries every agency at every word: most lines have none
        return None
    for line in para.split("\n"):
        match = _AGENCY_WRITER.search(line)
        if match and _CONTRIBUTED.search(line, match.end()):
            return match
    return None


_JOB_TITLES = re.compile(
    r"^(admin(istrator)?|editor(ial)?(\s+(staff|team|desk|board))?|staff(\s+(writer|reporter))?|"
    r"news\s*desk|web\s*desk|desk|guest(\s+(author|writer|contributor))?|contributor|author|"
    r"(?:the\s+)?(?:correspondent|reporter|writer|team|author)|wire\s+service|webmaster|moderator|unknown|anonymous|"
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
