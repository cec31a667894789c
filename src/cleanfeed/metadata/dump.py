"""Metadata of a rendered text dump: title, author (byline), date, wire agency, site name.

A dump has no ``<meta>`` tags, so every field is read from the lines around the article body,
each with the signal that gave it recorded as provenance:

- **title**: the last segment of a breadcrumb ("Home > World > <title>") that is also a line of
  its own; else a heading line above the body that the page repeats (as a line or as the start
  of a "<title> - <site>" line); else the nearest heading line above the body.
- **author**: a "By <Name>" byline near the top of the story, else the first name of a wire
  credit ("Reporting by <Name>"); run through ``clean_author`` so 'admin' and agencies never pass.
- **date**: a date in the page header (between the headline and the body), a "Posted/Published"
  one before a "Last updated" one, as ISO ``YYYY-MM-DD``.
- **wire**: ``detect_wire`` on the body (dateline, credit, byline).
- **site**: the URL's host; else "Published by <site>"; else the copyright line's owner.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..lines import DumpLine, ends_sentence, word_count
from .text import canonical_agency, clean_author, detect_wire

__all__ = ["DumpMetadata", "dump_metadata", "parse_date"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            # English, then the spellings of es, pt, fr, de, it, nl, id that differ from it
            ("january", "jan", "enero", "janeiro", "janvier", "januar", "gennaio", "januari"),
            ("february", "feb", "febrero", "fevereiro", "février", "fevrier", "februar", "febbraio", "februari",
             "pebruari"),
            ("march", "mar", "marzo", "março", "marco", "mars", "märz", "maerz", "maart", "maret"),
            ("april", "apr", "abril", "avril", "aprile"),
            ("may", "mayo", "maio", "mai", "maggio", "mei"),
            ("june", "jun", "junio", "junho", "juin", "juni", "giugno"),
            ("july", "jul", "julio", "julho", "juillet", "juli", "luglio"),
            ("august", "aug", "agosto", "août", "aout", "augustus", "agustus"),
            ("september", "sep", "sept", "septiembre", "setembro", "septembre", "settembre"),
            ("october", "oct", "octubre", "outubro", "octobre", "oktober", "ottobre"),
            ("november", "nov", "noviembre", "novembro", "novembre", "nopember"),
            ("december", "dec", "diciembre", "dezembro", "décembre", "decembre", "dezember", "dicembre",
             "desember"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_PATTERNS = (
    # "November 14, 2025", "Nov. 14 2025", "adminApril 27, 2025No Comments" (glued by rendering)
    re.compile(rf"(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)", re.I),
    # "14 November 2025", "22 de outubro de 2010", "14. November 2025"
    re.compile(
        rf"(?<!\d)(?P<day>\d{{1,2}})\.?\s+(?:de\s+)?(?P<month>{_MONTH})\.?,?\s+(?:de\s+)?(?P<year>(?:19|20)\d\d)\b",
        re.I,
    ),
    # "2025-11-14", "2025/11/14"
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)[-/.](?P<mnum>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)"),
    # "11/14/2025", "14.11.2025", "11/14/25": day and month told apart below
    re.compile(r"(?<![\d/.])(?P<first>\d{1,2})[-/.](?P<second>\d{1,2})[-/.](?P<year>(?:19|20)?\d\d)(?![\d/.])"),
)
# What each of ``_DATE_PATTERNS`` cannot match without (the same ``\d`` as theirs): a text
# with neither is no date, and is not scanned by the month alternation (slow at every position)
_YEAR4 = re.compile(r"(?:19|20)\d\d")
_NUMERIC_DATE = re.compile(r"\d[-/.]\d")
# "/2019/11/19/" or "/2019-11-19-" in a URL path
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:[/-]|$)")
_UPDATED = re.compile(r"\b(updated|modified|edited)\b", re.I)
_PUBLISHED = re.compile(r"\b(posted|published|on)\b", re.I)
_BREADCRUMB = re.compile(r"\s(?:>|»|›|/|\|)\s")
# "By Jane Doe", "Analysis by Jane Doe, CNN" (never "Photo by"), "November 12, 2018 | BY: Jane Doe", "By Jane Doe
# November 19, 2019, 07:47 PM EST": a name of two to four capitalised words (initials allowed)
# after "by", wherever a line or one of its "|"-separated parts starts with it.
_BYLINE = re.compile(
    r"(?:^|[|•·]\s*)(?:(?i:analysis|reporting|written|story|text|words|posted|commentary|opinion|column)\s+)?(?i:by):?\s+"
    rf"(?P<name>(?!(?i:{_MONTH})\b)[A-Z][\w.'’-]*(?:\s+(?!(?i:{_MONTH})\b)[A-Z][\w.'’-]*){{1,3}})"
)
_CREDIT_NAME = re.compile(
    r"^\(?\s*(?:reporting|writing)\s+by\s+(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})", re.I
)
_SITE_SUFFIX = re.compile(r"^\s*[-–—|:»]\s+\S")
_BYLINE_START = re.compile(r"^(?i:by|written\s+by|posted\s+by|words\s+by|von|por|par)\s", re.I)
_NOT_TITLE = re.compile(
    r"\b(share|sharing|facebook|twitter|whatsapp|linkedin|e-?mail|subscribe|sign\s+up|newsletter|log\s*in"
    r"|comments?|photo|image|credit|getty|advertisement|menu|search|skip\s+to|copyright|©)\b",
    re.I,
)
_PUBLISHED_BY = re.compile(r"^published\s+by\s+(?P<site>.{2,80})$", re.I)
_COPYRIGHT = re.compile(
    r"^(?:copyright\s*)?©\s*(?:copyright\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?(?P<site>[^.|]{2,60}?)"
    r"(?:\s*[-–.|]\s*all\s+rights.*|\.\s.*|\.)?$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class DumpMetadata:
    """Metadata read from a dump, with where each field came from."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    wire: str | None = None
    site: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)


def parse_date(text: str) -> str | None:
    """The first calendar date in ``text`` as ISO ``YYYY-MM-DD``, or None."""
    if _YEAR4.search(text) is None:  # only the last pattern can match: its years may be "25"
        patterns: Sequence[re.Pattern[str]] = _DATE_PATTERNS[3:] if _NUMERIC_DATE.search(text) else ()
    else:
        patterns = _DATE_PATTERNS
    for pattern in patterns:
        match = pattern.search(text)
        if not match:
            continue
        groups = match.groupdict()
        year = int(groups["year"])
        year = year + 2000 if year < 100 else year
        if groups.get("first"):
            first, second = int(groups["first"]), int(groups["second"])
            # Day-first when the first number cannot be a month, else month-first (US style).
            month, day = (second, first) if first > 12 else (first, second)
        else:
            month = _MONTHS[groups["month"].lower()] if groups.get("month") else int(groups["mnum"])
            day = int(groups["day"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _headingish(line: DumpLine) -> bool:
    words = word_count(line.content)
    return 3 <= words <= 30 and not line.marker and not ends_sentence(line.content.rstrip("?!"))


def _slug_words(url: str | None) -> set[str]:
    """Words of the URL path's most wordy segment ("/2019/11/nadal-keeps-spain-alive" → ...)."""
    if not url:
        return set()
    segments = [seg for seg in urlsplit(url).path.split("/") if seg]
    best: set[str] = set()
    for seg in segments:
        found = {w.lower() for w in re.findall(r"[^\W\d_]{2,}", seg)} - {"html", "htm", "php", "aspx", "amp"}
        if len(found) > len(best):
            best = found
    return best if len(best) >= 2 else set()


def _repeats(other: str, text: str) -> bool:
    """``other`` is ``text`` again, or ``text`` followed by a site name ("<title> - <site>")."""
    return other == text or (other.startswith(text) and _SITE_SUFFIX.match(other[len(text):]) is not None)


def _title_score(line: DumpLine, lines: Sequence[DumpLine], crumbs: set[str], slug: set[str], start: int) -> float:
    """How much a header line looks like the page's headline."""
    text = line.content
    score = 0.0
    if text in crumbs:
        score += 3.0  # "Home > World > <title>" and the title as a line of its own
    # (every repeat starts with the text: a C-level test screens the page's lines first)
    if any(o.index != line.index and _repeats(o.content, text) for o in lines if o.content.startswith(text)):
        score += 2.0  # repeated: as a line, or as "<title> - <site>"
    if slug:
        title_words = {w.lower() for w in re.findall(r"[^\W\d_]{2,}", text)}
        score += 4.0 * len(title_words & slug) / len(slug)
    if 5 <= word_count(text) <= 25:
        score += 1.0
    score -= 0.02 * (start - line.index)  # nearer the body is likelier
    return score


def _title(
    lines: Sequence[DumpLine], start: int, chrome: Container[int], url: str | None
) -> tuple[str | None, str]:
    header = lines[max(0, start - 60) : start]
    crumbs = set()
    for line in header:
        parts = _BREADCRUMB.split(line.content)
        if len(parts) >= 2 and word_count(parts[-1]) >= 3:
            crumbs.add(parts[-1].strip())
    slug = _slug_words(url)
    candidates = [
        line
        for line in header
        if _headingish(line) and line.index not in chrome and not _not_a_title(line.content)
    ]
    if not candidates:
        return None, ""
    scored = [(_title_score(line, lines, crumbs, slug, start), line) for line in candidates]
    best_score, best = max(scored, key=lambda pair: (pair[0], pair[1].index))
    if best.content in crumbs:
        return best.content, "breadcrumb"
    if slug and best_score >= 2.0:
        return best.content, "url-slug-heading"
    return best.content, "heading-above-body"


def _not_a_title(text: str) -> bool:
    """Bylines, datelines, credits, share bars and menus that sit where a headline would."""
    return bool(
        _BYLINE_START.match(text)
        or _BYLINE.search(text)
        or parse_date(text)
        or _BREADCRUMB.search(text)
        or _NOT_TITLE.search(text)
        or sum(c.isdigit() for c in text) > len(text) / 4
    )


def _author(
    lines: Sequence[DumpLine], start: int, body: Sequence[DumpLine], site: str | None
) -> tuple[str | None, str]:
    # Nearest the body first: a "By" further up may belong to a teaser of another story.
    for line in [*reversed(lines[max(0, start - 30) : start]), *body[:3]]:
        if _PUBLISHED_BY.match(line.content):
            continue  # "Published by <site>" names the publisher, not the writer
        match = _BYLINE.search(line.content)
        if match and _agency_byline(match.group("name")) is None:
            name = clean_author(match.group("name").rstrip(".,"), site)
            if name:
                return name, "byline"
    for line in reversed(body[-4:]):
        match = _CREDIT_NAME.match(line.content)
        if match:
            name = clean_author(match.group("name"), site)
            if name:
                return name, "wire-credit"
    return None, ""


_STAFF = re.compile(r"\s+(staff|desk|team|news|wire|reporters?|writers?)\.?$", re.I)


def _agency_byline(name: str) -> str | None:
    """The agency a byline names ("Reuters", "Reuters Staff", "AP News"), or None."""
    return canonical_agency(_STAFF.sub("", name.strip(" .,")))


def _date(
    lines: Sequence[DumpLine], start: int, title_index: int | None, url: str | None
) -> tuple[str | None, str]:
    anchor = title_index if title_index is not None else max(0, start - 3)
    window = lines[max(0, min(anchor, start) - 12) : start + 2]
    found = [(line, parse_date(line.content)) for line in window if len(line.content) <= 200]
    # Nearest the headline first: dates further up are other stories' (tickers, "What's hot").
    dated = sorted(((line, iso) for line, iso in found if iso), key=lambda pair: abs(pair[0].index - anchor))
    for line, iso in dated:
        if _PUBLISHED.search(line.content) and not _UPDATED.search(line.content):
            return iso, "header-published"
    for line, iso in dated:
        if not _UPDATED.search(line.content):
            return iso, "header-date"
    if dated:
        return dated[0][1], "header-updated"
    match = _URL_DATE.search(urlsplit(url).path) if url else None
    if match:
        year, month, day = (int(g) for g in match.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}", "url"
    return None, ""


def _site(lines: Sequence[DumpLine], url: str | None) -> tuple[str | None, str]:
    if url:
        host = (urlsplit(url).hostname or "").lower()
        if host:
            return (host[4:] if host.startswith("www.") else host), "url"
    for line in lines:
        match = _PUBLISHED_BY.match(line.content)
        if match and word_count(match.group("site")) <= 8:
            return match.group("site").strip(), "published-by"
    for line in reversed(lines):
        match = _COPYRIGHT.match(line.content)
        if match:
            return match.group("site").strip(" -–,"), "copyright"
    return None, ""


def dump_metadata(
    lines: Sequence[DumpLine],
    body: Sequence[DumpLine],
    url: str | None = None,
    chrome: Container[int] = frozenset(),
) -> DumpMetadata:
    """Title, author, date, wire and site of a dump whose body lines are ``body``.

    ``chrome`` holds the indexes of lines the cleaner knows as chrome (rules, template), which
    are never taken for the headline (only the header's heading lines are looked up in it).
    """
    start = body[0].index if body else len(lines)
    provenance: dict[str, str] = {}
    title, source = _title(lines, start, chrome, url)
    if title is None and body and _headingish(body[0]):
        title, source = body[0].content, "first-line"
    if title:
        provenance["title"] = source
    title_index = next((line.index for line in lines if title and line.content == title), None)
    site, site_source = _site(lines, url)
    if site:
        provenance["site"] = site_source
    author, source = _author(lines, start, body, site)
    if author:
        provenance["author"] = source
    date, source = _date(lines, start, title_index, url)
    if date:
        provenance["date"] = source
    wire_found = detect_wire([line.text for line in body])
    wire = None
    if wire_found:
        wire, provenance["wire"] = wire_found
    elif author is None:
        # "By Reuters" as the byline: the agency is the wire, not an author.
        for line in lines[max(0, start - 30) : start]:
            match = re.match(r"^by\s+(?P<name>.{2,40})$", line.content, re.I)
            agency = _agency_byline(match.group("name")) if match else None
            if agency:
                wire, provenance["wire"] = agency, "byline"
                break
    return DumpMetadata(
        title=title, author=author, date=date, wire=wire, site=site, provenance=provenance
    )
