"""Metadata of an HTML page: title, author(s), date, site name, language and wire agency.

Each field is taken from the first source that has a usable value, in order of trust, and the
source is recorded in ``provenance`` (``{"title": "json-ld", "author": "meta", ...}``):

- **JSON-LD** (``json-ld``): the page's own structured data for the article (``headline``,
  ``author``, ``datePublished``, ``publisher``). Publishers fill it for search engines, so it
  is usually the most careful source.
- **OpenGraph / meta tags** (``opengraph``, ``meta``): ``og:title``, ``og:site_name``,
  ``article:published_time``, ``author``, Dublin Core and the like.
- **Markup** (``byline``, ``h1``, ``title-tag``, ``time-tag``): a ``rel=author`` link or an
  element classed ``byline``/``author``; the ``<h1>``; the ``<title>`` minus its site suffix;
  a ``<time datetime>``.
- **URL** (``url``): the host as the site name when the page names none.
- **Body** (``byline``): a "By <Name>" line at the top of the extracted text, when the
  structured data named no person (syndicating sites often say "admin").

The wire agency comes from the extracted body (``detect_wire``: dateline "SEOUL (Reuters) -",
credit line "(Reporting by ...)", "By ..., AP" byline), else from an author field that names an
agency ("By Reuters" is the wire, never the author). Authors pass ``clean_author``: a site name,
"admin" or a job title is never reported as the author.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from .dump import parse_date
from .text import canonical_agency, clean_author, detect_wire

__all__ = ["HtmlMetadata", "html_metadata", "with_body"]

_ARTICLE_TYPES = re.compile(r"article|posting|report|newsarticle|blog", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s+[|–—•·-]\s+")
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\|)\s*", re.IGNORECASE)
_BYLINE_SELECTORS = (
    "[rel=author]",
    "[itemprop=author] [itemprop=name]",
    "[itemprop=author]",
    "[class*=byline] [class*=author]",
    "[class*=author-name]",
    "[class*=byline]",
)


@dataclass(frozen=True, slots=True)
class HtmlMetadata:
    """Metadata fields of one page, each with the source it came from in ``provenance``."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    site: str | None = None
    wire: str | None = None
    language: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _meta(tree: LexborHTMLParser) -> dict[str, str]:
    """``<meta>`` name/property → content (first occurrence wins), keys lower-cased."""
    found: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        content = _clean(attrs.get("content"))
        if key and content:
            found.setdefault(key.strip().lower(), content)
    return found


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _walk(data["@graph"])


def _json_ld(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    """The article objects of the page's JSON-LD blocks (malformed blocks are skipped)."""
    articles = []
    for node in tree.css('script[type="application/ld+json"]'):
        raw = node.text(deep=True)
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            data = _lenient_json_ld(raw)
        for obj in _walk(data):
            kind = obj.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds):
                articles.append(obj)
    return articles


_LD_FIELD = re.compile(r'"(?P<key>@type|headline|datePublished|dateCreated)"\s*:\s*"(?P<value>[^"]{1,400})"')
_LD_AUTHOR = re.compile(r'"author"\s*:\s*(?:\[\s*)?(?:\{[^{}]*?"name"\s*:\s*"(?P<name>[^"]{1,100})"|"(?P<plain>[^"]{1,100})")')


def _lenient_json_ld(raw: str) -> dict[str, Any]:
    """The main fields of a JSON-LD block that is not valid JSON (single quotes, trailing
    commas, unescaped quotes are common), read field by field; the first value of each wins."""
    found: dict[str, Any] = {}
    for match in _LD_FIELD.finditer(raw):
        found.setdefault(match.group("key"), match.group("value"))
    author = _LD_AUTHOR.search(raw)
    if author:
        found["author"] = author.group("name") or author.group("plain")
    return found


def _names(value: Any) -> list[str]:
    """Person names from a JSON-LD ``author`` value (a string, an object, or a list of them)."""
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        name = _clean(value.get("name"))
        return [name] if name else []
    name = _clean(value)
    return [name] if name else []


def _iso_date(value: str | None) -> str | None:
    """A date string as ISO 8601: the full timestamp when it parses as one, else YYYY-MM-DD."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip()).isoformat()
    except ValueError:
        return parse_date(value)


def _site(meta: dict[str, str], articles: list[dict[str, Any]], url: str | None) -> tuple[str | None, str]:
    if meta.get("og:site_name"):
        return meta["og:site_name"], "opengraph"
    for article in articles:
        publisher = article.get("publisher")
        names = _names(publisher) if publisher else []
        if names:
            return names[0], "json-ld"
    if meta.get("application-name"):
        return meta["application-name"], "meta"
    host = urlsplit(url).hostname if url else None
    if host:
        return re.sub(r"^www\d?\.", "", host), "url"
    return None, ""


def _strip_site(title: str, site: str | None) -> str:
    """``"Headline | Site"`` → ``"Headline"``: drop separator-joined parts that name the site."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    squash = re.sub(r"[^a-z0-9]", "", (site or "").lower())
    kept = [p for p in parts if not squash or re.sub(r"[^a-z0-9]", "", p.lower()) not in squash]
    if kept and len(kept) < len(parts):
        return " - ".join(kept) if len(kept) > 1 else kept[0]
    # no part names the site: the longest part is the headline when one part clearly dominates
    longest = max(parts, key=len)
    return longest if len(longest) > 2 * sum(len(p) for p in parts if p is not longest) else title


def _title(
    tree: LexborHTMLParser, meta: dict[str, str], articles: list[dict[str, Any]], site: str | None
) -> tuple[str | None, str]:
    for article in articles:
        headline = _clean(article.get("headline")) or _clean(article.get("name"))
        if headline:
            return headline, "json-ld"
    for key, source in (("og:title", "opengraph"), ("twitter:title", "meta"), ("dc.title", "meta")):
        if meta.get(key):
            return _strip_site(meta[key], site), source
    h1 = tree.css_first("h1")
    if h1 is not None and _clean(h1.text(deep=True)):
        return _clean(h1.text(deep=True)), "h1"
    title = tree.css_first("title")
    if title is not None and _clean(title.text(deep=True)):
        return _strip_site(_clean(title.text(deep=True)) or "", site), "title-tag"
    return None, ""


def _author_candidates(
    tree: LexborHTMLParser, meta: dict[str, str], articles: list[dict[str, Any]]
) -> Iterator[tuple[list[str], str]]:
    for article in articles:
        names = _names(article.get("author"))
        if names:
            yield names, "json-ld"
    for key in ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author"):
        value = meta.get(key)
        if value and "://" not in value:  # article:author is often a profile URL
            yield _AUTHOR_SPLIT.split(value), "meta"
    for selector in _BYLINE_SELECTORS:
        node = tree.css_first(selector)
        if node is not None:
            text = _clean(node.text(deep=True))
            if text and len(text) <= 120:
                yield [text], "byline"


def _authors(
    tree: LexborHTMLParser, meta: dict[str, str], articles: list[dict[str, Any]], site: str | None
) -> tuple[str | None, str, str | None, str]:
    """``(author, source, agency, source)``: the first usable person name(s), and a wire agency
    met on the way where an author field names one."""
    agency, agency_source = None, ""
    for names, source in _author_candidates(tree, meta, articles):
        people = []
        for name in names:
            name = re.sub(r"^\s*(by|written\s+by|posted\s+by)\s+", "", name, flags=re.IGNORECASE)
            wire = canonical_agency(name)
            if wire and agency is None:
                agency, agency_source = wire, source
            cleaned = clean_author(name, site)
            if cleaned and cleaned not in people:
                people.append(cleaned)
        if people:
            return ", ".join(people), source, agency, agency_source
    return None, "", agency, agency_source


def _date(tree: LexborHTMLParser, meta: dict[str, str], articles: list[dict[str, Any]]) -> tuple[str | None, str]:
    for article in articles:
        value = _iso_date(_clean(article.get("datePublished")) or _clean(article.get("dateCreated")))
        if value:
            return value, "json-ld"
    for key in (
        "article:published_time",
        "og:published_time",
        "datepublished",
        "publishdate",
        "pubdate",
        "date",
        "dc.date",
        "dc.date.issued",
        "sailthru.date",
        "parsely-pub-date",
    ):
        value = _iso_date(meta.get(key))
        if value:
            return value, "meta"
    for node in tree.css("time[datetime]"):
        value = _iso_date(node.attributes.get("datetime"))
        if value:
            return value, "time-tag"
    return None, ""


def html_metadata(tree: LexborHTMLParser, url: str | None = None) -> HtmlMetadata:
    """Title, author, date, site and language of a parsed page (the wire comes from ``with_wire``).

    Read it before scripts are pruned: JSON-LD lives in ``<script>`` elements.
    """
    meta = _meta(tree)
    articles = _json_ld(tree)
    provenance: dict[str, str] = {}
    site, site_source = _site(meta, articles, url)
    title, title_source = _title(tree, meta, articles, site)
    author, author_source, agency, agency_source = _authors(tree, meta, articles, site)
    date, date_source = _date(tree, meta, articles)
    html_node = tree.css_first("html")
    language = _clean(html_node.attributes.get("lang")) if html_node is not None else None
    for name, value, source in (
        ("site", site, site_source),
        ("title", title, title_source),
        ("author", author, author_source),
        ("date", date, date_source),
        ("wire", agency, agency_source),
        ("language", language, "html-lang"),
    ):
        if value:
            provenance[name] = source
    return HtmlMetadata(
        title=title, author=author, date=date, site=site, wire=agency, language=language, provenance=provenance
    )


def with_body(meta: HtmlMetadata, paragraphs: Sequence[str], lines: Sequence[str] = ()) -> HtmlMetadata:
    """``meta`` completed from the extracted body.

    ``paragraphs`` is the cleaned body; ``lines`` what the extractor returned before cleaning
    (a republisher's "By Jane Doe" line is removed from the body, but names the author).
    The wire agency of the body's dateline, credit line or byline wins over an author field
    naming an agency; a "By <Name>" line near the top gives the author when the page's
    structured data named none (or only 'admin' or the site).
    """
    provenance = dict(meta.provenance)
    changes: dict[str, str] = {}
    found = detect_wire(tuple(paragraphs))
    if found is not None:
        changes["wire"], provenance["wire"] = found
    if meta.author is None:
        for line in list(lines)[:_BYLINE_WITHIN]:
            people, agency = _byline_names(line, meta.site)
            if people:
                changes["author"], provenance["author"] = ", ".join(people), "byline"
                if agency and "wire" not in changes and meta.wire is None:
                    changes["wire"], provenance["wire"] = agency, "byline"
                break
    if not changes:
        return meta
    return replace(meta, provenance=provenance, **changes)


_BYLINE_WITHIN = 12
_BYLINE_LINE = re.compile(r"^\s*(?:by|written\s+by)\s+(?P<names>.{3,100}?)\s*$", re.IGNORECASE)
_NAME = re.compile(r"^[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|da|van|von|der|la|le|bin|al))*$")


def _byline_names(line: str, site: str | None) -> tuple[list[str], str | None]:
    """People and wire agency of a "By Jane Doe and John Roe, Reuters" line (empty if it is not one)."""
    match = _BYLINE_LINE.match(line)
    if match is None:
        return [], None
    people: list[str] = []
    agency = None
    for part in _AUTHOR_SPLIT.split(match.group("names")):
        part = part.strip()
        if not part:
            continue
        wire = canonical_agency(part)
        if wire:
            agency = agency or wire
            continue
        words = part.split()
        if not 1 < len(words) <= 4 or not _NAME.match(part):
            return [], None  # "By contrast, ..." or a sentence: not a byline
        name = clean_author(part, site)
        if name:
            people.append(name)
    return people, agency
