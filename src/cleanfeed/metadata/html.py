"""Metadata of an HTML page: title, url, author(s), date, site name, language and wire agency.

Each field is taken from the best evidence the page has, and its source is recorded in
``provenance`` (``{"title": "json-ld", "author": "byline", ...}``, shown by ``--explain``):

- **JSON-LD** (``json-ld``): the article object (``NewsArticle``, ``BlogPosting``..., also inside
  ``@graph`` or nested), its ``headline``, ``author`` (strings, objects, lists, ``@id``
  references to Person nodes), ``datePublished`` (never ``dateModified``) and ``publisher``.
- **OpenGraph / meta tags** (``opengraph``, ``meta``): ``og:title``, ``og:site_name``,
  ``article:published_time``, ``author``, Dublin Core, a "Written by" Twitter label...
- **Markup**: a byline element (``byline``: the one nearest below the headline, outside
  comments, related stories and chrome; else a "By" label printed just below the headline and
  the name in the next text); ``itemprop=datePublished`` (``itemprop``), a
  ``<time datetime>`` not labelled "Updated" (the story's first: ``time-tag``), a "Published
  May 3, 2024" line or a bare date printed beside the headline (``header-text``), an "Updated"
  line there when the page states no publication date at all (``header-updated``); the
  ``<title>`` minus its site suffix (``title-tag``), the ``<h1>``. The headline is the heading
  stating the title (a first ``<h1>`` is often the logo).
- **URL**: ``url`` is the input's, else the canonical link or ``og:url`` (``canonical``,
  ``opengraph``); its date path (``url``) dates a page that states no date, and wins over a
  timestamp one day off (a UTC stamp of a story the site dates in its own time zone). The
  host names a site that names none.
- **Body**: a "By <Name>" line at the top of the extracted text (``byline``) when the page named
  no writer; a wire dateline stating a full date (``dateline``) when it gave no date.

Refusing beats guessing: a modified date in metadata, a related story's or a comment's date is
never the date, and a page with none of the above has no date. The date the page prints beside
its headline outranks a structured date more than a day off when it is labelled "Published", or
when it is the first, bare date there and the page stands behind it (it is earlier than the
structured one, or the page declares it the article's modified day: the site shows the day of
the version it serves); an "Updated" line never outranks a publication date. The wire agency
comes from the body (``detect_wire``), else from an author field naming an agency ("By Reuters"
is the wire, never the author). Authors pass ``clean_author`` ("admin", job titles, agencies
are never authors); a name holding the site's name is kept only as a last resort
(``publisher``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from .dump import parse_date
from .site import host_of
from .text import canonical_agency, clean_author, dateline_place, detect_wire

__all__ = ["HtmlMetadata", "html_metadata", "with_body"]

_ARTICLE_TYPES = re.compile(r"article|posting|report|blog", re.IGNORECASE)
_PAGE_TYPES = re.compile(r"^(?:web)?page$|^itempage$", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s+[|–—•·:-]\s+|\s+[|–—•·]\s*|\s*[|–—•·]\s+")
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|\||\bund\b|\bet\b|\by\b)\s*", re.IGNORECASE)
# markup that holds a byline: the first of these with a name-like text gives the author
_BYLINE_SELECTORS = (
    "[itemprop=author] [itemprop=name]",
    "[itemprop=author]",
    "[rel=author]",
    "a[href*='/author/']",
    "[class*=byline] [class*=author]",
    "[class*=byline] a",
    "[class*=author-name], [class*=author_name], [class*=authorName], [class*=AuthorName]",
    "[class*=byline]",
    "[class*=author] a",
    "[class*=author]",
)


@dataclass(frozen=True, slots=True)
class _Words:
    """Lower-case words looked for in class names and ids without regard to case.

    An ASCII text is lower-cased and searched for the words as written: that finds what a search
    with ``re.IGNORECASE`` finds (no ASCII letter folds to another letter) at a third of the cost
    (re tests every case of each word at each position). Any other text is searched with it."""

    exact: re.Pattern[str]
    folding: re.Pattern[str]

    @classmethod
    def of(cls, words: str) -> _Words:
        if words != words.lower():
            raise ValueError(f"words must be lower-case: {words!r}")
        return cls(re.compile(words), re.compile(words, re.IGNORECASE))

    def search(self, text: str) -> bool:
        found = self.exact.search(text.lower()) if text.isascii() else self.folding.search(text)
        return found is not None


# where a date or a byline is not the article's: other stories, reader comments, page chrome
_NOT_ARTICLE = _Words.of(r"comment|related|recommend|sidebar|widget|footer|promo|more-from|read-next|trending")
# what holds other stories' dates: a date line beside the headline can sit in a sidebar column
_NOT_STORY = _Words.of(r"comment|related|recommend|more-from|read-next|trending")


@dataclass(frozen=True, slots=True)
class HtmlMetadata:
    """Metadata fields of one page, each with the source it came from in ``provenance``."""

    title: str | None = None
    url: str | None = None
    author: str | None = None
    date: str | None = None
    site: str | None = None
    wire: str | None = None
    language: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)


def _clean(value: object) -> str | None:
    """Whitespace-collapsed text with HTML entities decoded (JSON-LD and meta often keep them)."""
    if not isinstance(value, str):
        return None
    if "&" in value:  # most values hold no entity: unescape would return them as they are
        value = unescape(unescape(value))
    value = " ".join(value.split())
    return value or None


# the elements metadata is read from, all found in one search of the tree: each search of a page
# costs about a walk of all its elements, and each selector of it a test of every element (a
# test of an attribute costs the most): the broad selectors here are narrowed by ``_elements``
_ELEMENTS = "meta, link, script[type='application/ld+json'], h1, time, [itemprop], abbr.published[title]"
_STATED_DATE = ("datePublished", "dateCreated")
_PUBLISHED_ABBR = "abbr.published[title]"


@dataclass(frozen=True, slots=True)
class _Elements:
    """The elements of a page that metadata is read from, each kind in document order."""

    meta: tuple[dict[str, str | None], ...] = ()  # the attributes of each <meta content>
    links: tuple[Any, ...] = ()  # <link rel href>
    json_ld: tuple[Any, ...] = ()  # <script type="application/ld+json">
    h1: tuple[Any, ...] = ()
    times: tuple[Any, ...] = ()  # <time datetime>
    # [itemprop=datePublished], [itemprop=dateCreated], abbr.published[title], time[pubdate]
    # (and an <abbr itemprop=headline>)
    dated: tuple[Any, ...] = ()
    headline: tuple[Any, ...] = ()  # [itemprop=headline]


def _elements(tree: LexborHTMLParser) -> _Elements:
    """The page's ``_Elements``: one search for all of ``_ELEMENTS``, each element found then
    sorted by its tag and attributes (lexbor lists an element once per selector it matches)."""
    meta: list[dict[str, str | None]] = []
    links: list[Any] = []
    json_ld: list[Any] = []
    h1: list[Any] = []
    times: list[Any] = []
    dated: list[Any] = []
    headline: list[Any] = []
    seen: set[int] = set()
    for node in tree.css(_ELEMENTS):
        if node.mem_id in seen:
            continue
        seen.add(node.mem_id)
        tag, attrs = node.tag, node.attributes
        if tag == "meta" and "content" in attrs:
            meta.append(attrs)
        elif tag == "link" and "rel" in attrs and "href" in attrs:
            links.append(node)
        elif tag == "script" and _ascii_lower(attrs.get("type")) == "application/ld+json":
            json_ld.append(node)  # HTML compares a type attribute without regard to ASCII case
        elif tag == "h1":
            h1.append(node)
        if tag == "time" and "datetime" in attrs:
            times.append(node)
        itemprop = attrs.get("itemprop")
        if (
            itemprop in _STATED_DATE
            or (tag == "time" and "pubdate" in attrs)
            or (tag == "abbr" and _dated_abbr(node, itemprop))
        ):
            dated.append(node)
        if itemprop == "headline":
            headline.append(node)
    return _Elements(
        tuple(meta), tuple(links), tuple(json_ld), tuple(h1), tuple(times), tuple(dated), tuple(headline)
    )


def _dated_abbr(node: Any, itemprop: str | None) -> bool:
    """Whether an ``<abbr>`` found by ``_ELEMENTS`` is dated: one with an itemprop of
    ``_STATED_DATE`` or ``headline``, else one matching ``abbr.published[title]`` (its class
    compared without regard to case in a quirks-mode page: lexbor's own test decides that; an
    ``<abbr>`` with no itemprop was found by that selector alone)."""
    if itemprop is None or itemprop in _STATED_DATE or itemprop == "headline":
        return True
    return _matches(node, _PUBLISHED_ABBR)


def _matches(node: Any, selector: str) -> bool:
    """Whether ``node`` itself matches ``selector``, by lexbor's own test (its ``css()`` lists
    the node searched when it matches, with its descendants that do)."""
    return any(found.mem_id == node.mem_id for found in node.css(selector))


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _ascii_lower(value: str | None) -> str:
    return value.translate(_ASCII_LOWER) if value else ""


def _meta(elements: Sequence[dict[str, str | None]]) -> dict[str, str]:
    """``<meta>`` name/property → content (first occurrence wins), keys lower-cased, of the
    page's ``<meta content>`` elements (their attributes).

    A space-separated ``property="dc:creator og:author"`` names several keys at once."""
    found: dict[str, str] = {}
    for attrs in elements:
        keys = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        content = _clean(attrs.get("content"))
        if keys and content:
            for key in keys.lower().split():
                if "dc" in key:
                    key = key.replace("dcterms.", "dc.").replace("dc:", "dc.").replace("dcterm:", "dc.")
                found.setdefault(key, content)
    return found


def _objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object of a JSON-LD document, nested ones too (``@graph``, ``mainEntity``...)."""
    if depth > 12:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, (list, dict)):
                yield from _objects(value, depth + 1)


def _kinds(obj: dict[str, Any]) -> list[str]:
    kind = obj.get("@type")
    return [k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)]


@dataclass(frozen=True, slots=True)
class _JsonLd:
    """The page's JSON-LD: article objects (best first), page objects, and every object by ``@id``."""

    articles: tuple[dict[str, Any], ...] = ()
    pages: tuple[dict[str, Any], ...] = ()
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)


def _json_ld(scripts: Sequence[Any]) -> _JsonLd:
    """The article objects of the page's JSON-LD blocks (its ``<script type="application/ld+json">``
    elements; malformed blocks are read leniently)."""
    articles: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for node in scripts:
        raw = node.text(deep=True)
        if "<!" in raw or "]]>" in raw or "-->" in raw:  # the regex scans the whole block: most have none
            raw = _WRAPPERS.sub("", raw)
        try:
            data = _LENIENT_JSON.decode(raw)
        except (ValueError, RecursionError):
            data = _lenient_json_ld(raw)
        for obj in _objects(data):
            if isinstance(obj.get("@id"), str) and len(obj) > 1:
                by_id.setdefault(obj["@id"], obj)
            kinds = _kinds(obj)
            if any(_ARTICLE_TYPES.search(k) for k in kinds):
                articles.append(obj)
            elif any(_PAGE_TYPES.match(k) for k in kinds):
                pages.append(obj)
    # the article with a headline is the story; an article nested in another (a "related" list) is not
    articles.sort(key=lambda a: not (a.get("headline") or a.get("name")))
    return _JsonLd(tuple(articles), tuple(pages), by_id)


# control characters allowed inside strings (``json.loads(raw, strict=False)`` makes one per call)
_LENIENT_JSON = json.JSONDecoder(strict=False)
# "<![CDATA[ ... ]]>", "<!-- ... -->", "//<![CDATA[" around the JSON
_WRAPPERS = re.compile(r"^\s*(?://\s*)?(?:<!\[CDATA\[|<!--)|(?://\s*)?(?:\]\]>|-->)\s*$")
_LD_FIELD = re.compile(r'"(?P<key>@type|headline|datePublished|dateCreated)"\s*:\s*"(?P<value>[^"]{1,400})"')
_LD_AUTHOR = re.compile(
    r'"author"\s*:\s*(?:\[\s*)?'
    r'(?:\{[^{}]*?"name"\s*:\s*"(?P<name>[^"]{1,100})"|"(?P<plain>[^"]{1,100})")'
)


def _unescape_json(value: str) -> str:
    try:
        return str(json.loads(f'"{value}"'))
    except ValueError:
        return value


def _lenient_json_ld(raw: str) -> dict[str, Any]:
    """The main fields of a JSON-LD block that is not valid JSON (single quotes, trailing
    commas, unescaped quotes are common), read field by field; the first value of each wins."""
    found: dict[str, Any] = {}
    for match in _LD_FIELD.finditer(raw):
        key, value = match.group("key"), _unescape_json(match.group("value"))
        if key == "@type" and _ARTICLE_TYPES.search(value):
            found["@type"] = value  # the block's article, whatever other objects it holds
        found.setdefault(key, value)
    author = _LD_AUTHOR.search(raw)
    if author:
        found["author"] = _unescape_json(author.group("name") or author.group("plain"))
    return found


def _names(value: Any, ld: _JsonLd | None = None, depth: int = 0) -> list[str]:
    """Names from a JSON-LD ``author``/``publisher`` value: a string, an object, an ``@id``
    reference to an object elsewhere in the graph, or a list of them."""
    if depth > 4:
        return []
    if isinstance(value, list):
        return [name for item in value for name in _names(item, ld, depth + 1)]
    if isinstance(value, dict):
        if "name" not in value and ld is not None and isinstance(value.get("@id"), str):
            target = ld.by_id.get(value["@id"])
            return _names(target, None, depth + 1) if target is not None else []
        name = value.get("name")
        if isinstance(name, list):
            return _names(name, None, depth + 1)
        name = _clean(name)
        return [name] if name else []
    name = _clean(value)
    return [name] if name else []


_TZ_DIGITS = re.compile(r"([+-]\d{2})(\d{2})$")


def _iso_date(value: str | None) -> str | None:
    """A date string as ISO 8601: the full timestamp when it parses as one, else YYYY-MM-DD."""
    if not value:
        return None
    value = value.strip()
    for candidate in (value, value.replace("Z", "+00:00"), _TZ_DIGITS.sub(r"\1:\2", value.replace(" ", "T", 1))):
        try:
            return datetime.fromisoformat(candidate).isoformat()
        except ValueError:
            continue
    return parse_date(value)


def _site(meta: dict[str, str], ld: _JsonLd, url: str | None) -> tuple[str | None, str]:
    if meta.get("og:site_name"):
        return meta["og:site_name"], "opengraph"
    for obj in (*ld.articles, *ld.pages):
        publisher = obj.get("publisher")
        names = _names(publisher, ld) if publisher else []
        if names:
            return names[0], "json-ld"
    if meta.get("application-name"):
        return meta["application-name"], "meta"
    host = urlsplit(url).hostname if url else None
    if host:
        return re.sub(r"^www\d?\.", "", host), "url"
    return None, ""


def _squash(text: str | None) -> str:
    return re.sub(r"[^\w]", "", (text or "").lower())


def _strip_site(title: str, site: str | None, host: str | None = None) -> str:
    """``"Headline | Site"`` → ``"Headline"``: drop separator-joined parts that name the site
    (or its host: "Headline | Example" on example.com)."""
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    names = [n for n in (_squash(site), _squash(host)) if n]

    def names_site(part: str) -> bool:
        squash = _squash(part)
        return bool(squash) and len(squash) >= 3 and any(squash in n for n in names)

    kept = [p for p in parts if not names_site(p)]
    if kept and len(kept) < len(parts):
        return " - ".join(kept) if len(kept) > 1 else kept[0]
    # no part names the site: the first part is the headline when it clearly dominates
    first = parts[0]
    return first if len(first) > 2 * sum(len(p) for p in parts[1:]) else title


def _headline_node(tree: LexborHTMLParser, elements: _Elements, title: str | None = None) -> Any:
    """The page's headline element, where its date line and byline are looked for: the ``<h1>``
    that states the page's ``title`` (a first ``<h1>`` is often the site's logo or a section
    name), else the first ``<h1>`` inside the article, else the first one; a page without any
    ``<h1>`` has its headline in the ``<h2>`` stating the title, else in its first ``<h2>``.
    ``elements`` holds the page's ``<h1>`` and ``[itemprop=headline]`` elements."""
    wanted = _squash(title)
    every_h1 = elements.h1
    headings = [node for node in every_h1 if _clean(node.text(deep=True))]
    for node in headings if len(wanted) >= 8 else ():
        if _squash(node.text(deep=True)) == wanted:
            return node
    # the first match of "article h1", "main h1", "[itemprop=headline]", "h1", in that order
    # (read off the lists of the page's elements rather than queried again)
    firsts: tuple[Callable[[], Any], ...] = (
        lambda: _first_inside(every_h1, "article"),
        lambda: _first_inside(every_h1, "main"),
        lambda: elements.headline[0] if elements.headline else None,
        lambda: every_h1[0] if every_h1 else None,
    )
    for find in firsts:
        first = find()
        if first is not None and _clean(first.text(deep=True)):
            return first
    second = [node for node in tree.css("h2") if _clean(node.text(deep=True))]
    for node in second if len(wanted) >= 8 else ():
        if _squash(node.text(deep=True)) == wanted:
            return node
    return second[0] if second else None


def _first_inside(nodes: Sequence[Any], tag: str) -> Any:
    """The first of ``nodes`` with a ``tag`` element among its ancestors (CSS ``tag node``)."""
    return next((node for node in nodes if _inside(node, tag)), None)


def _inside(node: Any, tag: str) -> bool:
    """Whether a ``tag`` element is among the ancestors of ``node`` (CSS ``tag node``)."""
    parent = node.parent
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


@dataclass(frozen=True, slots=True)
class _Header:
    """The page's headline element and the texts around it: ``texts[at]`` is the first text at or
    after the headline, ``_HEADER_BEFORE`` texts before it and ``_HEADER_AFTER`` from it on are
    kept, with their parent elements. ``at`` is None when the page has no headline."""

    node: Any = None
    texts: tuple[str, ...] = ()
    parents: tuple[Any, ...] = ()
    at: int | None = None


def _header(tree: LexborHTMLParser, elements: _Elements, title: str | None) -> _Header:
    """The headline (``_headline_node``) and the text nodes of the body around it, in order.

    Only the window is walked (back from the headline, then forward from it), not the page
    above it: a page's menus often hold most of its nodes, and each visited node costs."""
    h1, body = _headline_node(tree, elements, title), tree.body
    if h1 is None or body is None or not _within(h1, body):
        return _Header(h1)
    above = _cleaned(_texts_before(h1, body, _HEADER_BEFORE))
    kept = above + _cleaned(_texts_from(h1, body, _HEADER_AFTER))
    return _Header(h1, tuple(t for t, _ in kept), tuple(p for _, p in kept), len(above))


def _cleaned(texts: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """``texts`` cleaned (``_clean``), the empty ones dropped."""
    return [(cleaned, parent) for text, parent in texts if (cleaned := _clean(text))]


def _within(node: Any, root: Any) -> bool:
    """``node`` is ``root`` or one of its descendants."""
    while node is not None:
        if node.mem_id == root.mem_id:
            return True
        node = node.parent
    return False


def _shown_text(node: Any) -> tuple[str, Any] | None:
    """A text node's text and its parent element, unless blank or inside a script or style
    (most text nodes are blank: their parent is not looked up)."""
    text = node.text_content
    if not text or text.isspace():
        return None
    parent = node.parent
    return (text, parent) if parent is None or parent.tag not in _SKIP_TEXT else None


def _texts_before(node: Any, root: Any, limit: int) -> list[tuple[str, Any]]:
    """The last ``limit`` shown texts (``_shown_text``) inside ``root`` that come before
    ``node`` in document order (not in it), in document order."""
    found: list[tuple[str, Any]] = []
    root_id = root.mem_id
    while len(found) < limit and node.mem_id != root_id:
        prev = node.prev
        if prev is None:  # the node before a first child, in document order, is its parent
            node = node.parent
            if node is None or node.mem_id == root_id:
                break
            continue  # an element: no text of its own
        node = prev  # else the deepest last descendant of the previous sibling
        while (last := node.last_child) is not None:
            node = last
        if node.tag == "-text" and (shown := _shown_text(node)) is not None:
            found.append(shown)
    return found[::-1]


def _texts_from(node: Any, root: Any, limit: int) -> list[tuple[str, Any]]:
    """The first ``limit`` shown texts in document order from ``node`` on (its own first),
    inside ``root``: the subtree of ``node``, then of each node after it, climbing towards
    ``root`` (each subtree is walked by lexbor, blank texts skipped there)."""
    found: list[tuple[str, Any]] = []
    root_id = root.mem_id
    while True:
        for each in node.traverse(include_text=True, skip_empty=True):
            if each.tag == "-text" and (shown := _shown_text(each)) is not None:
                found.append(shown)
                if len(found) >= limit:
                    return found
        while (after := node.next) is None:  # climb to the next sibling, never past ``root``
            node = node.parent
            if node is None or node.mem_id == root_id:
                return found
        node = after


def _title(
    tree: LexborHTMLParser, elements: _Elements, meta: dict[str, str], ld: _JsonLd, site: str | None,
    host: str | None = None,
) -> tuple[str | None, str]:
    """The headline: the article's JSON-LD ``headline`` (or its ``name`` when the page's
    ``<title>`` holds that and not the headline: some publishers put a summary in ``headline``),
    else OpenGraph/Twitter/Dublin Core titles, the ``<title>``, the ``<h1>``; the site's name
    (or its host's) cut off."""
    node = tree.css_first("title")
    page_title = _clean(node.text(deep=True)) if node is not None else None
    for article in ld.articles:
        headline, name = _clean(article.get("headline")), _clean(article.get("name"))
        if headline and name and page_title and _squash(name) in _squash(page_title) \
                and _squash(headline) not in _squash(page_title):
            return name, "json-ld"
        if headline or name:
            return headline or name, "json-ld"
    for key, source in (("og:title", "opengraph"), ("twitter:title", "meta"), ("dc.title", "meta")):
        if meta.get(key):
            return _strip_site(meta[key], site, host), source
    # the page's declared <title> before its <h1>: a page's first <h1> is as often its logo,
    # a section name or a teaser as its headline
    if page_title:
        return _strip_site(page_title, site, host), "title-tag"
    h1 = _headline_node(tree, elements)
    if h1 is not None and h1.tag == "h1":
        return _clean(h1.text(deep=True)), "h1"
    return None, ""


def _is_story(article: Any) -> bool:
    """Whether an ``<article>`` element is a story, not a teaser: it has a headline or a body."""
    return article.css_first("h1") is not None or len(article.text(deep=True)) > 1500


def _in_chrome(node: Any, pattern: _Words = _NOT_ARTICLE) -> bool:
    """Whether ``node`` sits in reader comments, related stories or page chrome.

    An ``<aside>`` or ``<footer>`` inside the story's ``<article>`` is the story's own (its author
    box, its date line), unless its class says otherwise; one outside it is the page's."""
    parent = node
    boxed = False  # met an <aside>/<footer> on the way up
    for _ in range(12):
        if parent is None:
            return boxed
        tag = parent.tag
        if tag == "main" or tag == "body" or (tag == "article" and _is_story(parent)):
            return boxed and tag != "article"
        if tag == "nav":
            return True
        boxed = boxed or tag == "footer" or tag == "aside"
        attrs = parent.attributes
        if pattern.search((attrs.get("class") or "") + " " + (attrs.get("id") or "")):
            return True
        parent = parent.parent
    return boxed


_BYLINE_PREFIX = re.compile(
    r"^\s*(?:(?:written|posted|published|reviewed|edited)\s+)?(?:by|par|von|por|door|di)\b[:\s]*",
    re.IGNORECASE,
)
_BYLINE_TAIL = re.compile(
    r"\s*(?:\bon\s+\w+day\b|\bon\s+\d|\bupdated\b|\bpublished\b|\bposted\b|\bpublicado\b|[|•·]|\s[-–—]\s|\d{1,2}:\d\d|"
    r"\b(?:19|20)\d\d\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d).*$", re.IGNORECASE)
_HOST_LIKE = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")
_NAME_WORD = re.compile(r"^[\w.'’-]+$")


def _byline_text(text: str) -> str | None:
    """The name(s) in a byline element's text: "By Jane Doe | May 3, 2024" → "Jane Doe"."""
    text = _BYLINE_PREFIX.sub("", text)
    text = _BYLINE_TAIL.sub("", text).strip(" ,:|-–—")
    if any(ch.isdigit() for ch in text):
        return None  # "Sat, 20 Dec": a date line, not a name
    words = text.replace(",", " ").split()
    if not words or len(words) > 8 or len(text) > 80 or not all(_NAME_WORD.match(w) for w in words if w not in "&"):
        return None
    if not any(ch.isupper() for ch in text) and " " in text:
        return None  # a phrase, not a name ("read more", "view all posts")
    return text


def _author_candidates(
    tree: LexborHTMLParser, meta: dict[str, str], ld: _JsonLd, header: _Header
) -> Iterator[tuple[list[str], str]]:
    for article in ld.articles:
        names = _names(article.get("author"), ld) or _names(article.get("creator"), ld)
        if names:
            yield names, "json-ld"
    for key in (
        "author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author", "citation_author",
        "og:article:author", "article:author_name", "cxenseparse:author", "twitter:data1",
    ):
        value = meta.get(key)
        if key == "twitter:data1" and "writ" not in meta.get("twitter:label1", "").lower():
            continue  # "Written by": the label says what data1 is
        if value and "://" not in value:  # article:author is often a profile URL
            yield _AUTHOR_SPLIT.split(value), "meta"
    yield from _markup_bylines(tree, header.node)
    yield from _header_byline(header)


# "By", "Written by:", "Article by" printed on its own, the name in the next element
_BY_LABEL = re.compile(
    r"^(?:(?:article|written|words|story|text|posted)\s+)?(?:by|par|von|por|door|di):?$", re.IGNORECASE
)
_HEADER_BYLINE_AFTER = 12  # texts below the headline where its "By" label is looked for


def _header_byline(header: _Header) -> Iterator[tuple[list[str], str]]:
    """A byline printed without byline markup just below the headline: a "By" label, then a
    name-like text ("By <a href=...>A. J. Neal</a>"), outside comments and related stories."""
    texts, parents, at = header.texts, header.parents, header.at
    if at is None:
        return
    for i in range(at + 1, min(len(texts) - 1, at + _HEADER_BYLINE_AFTER)):
        if not _BY_LABEL.match(texts[i]) or (parents[i + 1] is not None and _in_chrome(parents[i + 1])):
            continue
        name = _byline_text(texts[i + 1])
        if name:
            yield _AUTHOR_SPLIT.split(name), "byline"
            return


_ANY_BYLINE = ", ".join(_BYLINE_SELECTORS)


_CLASS_HOLDS = re.compile(r"^\[class\*=([\w-]+)\]$")


def _needed(compounds: Sequence[str]) -> list[str]:
    """``compounds`` without the ``[class*=...]`` ones another matches whenever they do
    (``[class*=author]`` matches all that ``[class*=author-name]`` does): a search tests each
    compound of a list on every element of the page."""
    holds = {c: m.group(1) for c in compounds if (m := _CLASS_HOLDS.match(c))}
    return [
        c for c in compounds
        if c not in holds or not any(o != c and part in holds[c] for o, part in holds.items())
    ]


# What every selector of _BYLINE_SELECTORS matches or sits in: the first compound of each of
# their alternatives (no descendant combinator: a search for a descendant selector walks the
# ancestors of every link of the page)
_BYLINE_ROOTS = ", ".join(_needed(list(dict.fromkeys(
    alternative.split()[0] for selector in _BYLINE_SELECTORS for alternative in selector.split(",")
))))


# compounds of _BYLINE_ROOTS searched as the one "[class*=uthor]": an attribute test of every element
# of the page is what a search costs; the elements found are then narrowed (``_byline_root``)
_UTHOR_CLASSES = ("author", "AuthorName")


def _root_search(roots: str) -> str:
    """``roots`` with its compounds ``[class*=<one of _UTHOR_CLASSES>]`` as one ``[class*=uthor]``."""
    merged = [f"[class*={word}]" for word in _UTHOR_CLASSES]
    compounds = roots.split(", ")
    if not all(compound in compounds for compound in merged):
        raise ValueError(f"the byline roots lack one of {merged}: {roots}")
    return ", ".join([c for c in compounds if c not in merged] + ["[class*=uthor]"])


_BYLINE_ROOT_SEARCH = _root_search(_BYLINE_ROOTS)


def _byline_root(node: Any) -> bool:
    """Whether an element the search for ``_BYLINE_ROOT_SEARCH`` found matches ``_BYLINE_ROOTS``:
    one whose class holds "uthor" but none of ``_UTHOR_CLASSES`` (lexbor compares a class as
    written) is tested by lexbor; any other matches a compound of ``_BYLINE_ROOTS``."""
    names = node.attributes.get("class") or ""
    return "uthor" not in names or any(word in names for word in _UTHOR_CLASSES) or _matches(node, _BYLINE_ROOTS)


def _byline_candidates(tree: LexborHTMLParser) -> tuple[list[Any], dict[int, Any]]:
    """The outermost elements matching ``_BYLINE_ROOTS``, in document order (every element a
    byline selector matches is one of them or inside one), and the elements any byline selector
    matches inside them (them included), by ``mem_id`` in document order.

    The page's elements matching ``_BYLINE_ROOTS`` come in document order: one inside an earlier
    outer element is among that one's candidates (each compound of ``_BYLINE_ROOTS`` is a
    selector of ``_ANY_BYLINE``), so no element's ancestors are climbed."""
    roots: list[Any] = []
    candidates: dict[int, Any] = {}
    for node in tree.css(_BYLINE_ROOT_SEARCH):
        if node.mem_id in candidates or not _byline_root(node):  # inside an earlier root, or no root
            continue
        roots.append(node)
        candidates.update((found.mem_id, found) for found in node.css(_ANY_BYLINE))
    return roots, candidates


def _byline_matches(tree: LexborHTMLParser) -> list[list[Any]]:
    """The elements each of ``_BYLINE_SELECTORS`` matches, in document order.

    The whole tree is searched once for the elements a byline sits in (``_byline_candidates``;
    half the pages hold none), and only those for all selectors together (a search of a big page
    for descendant selectors costs about what its parse does), then for each selector on its
    own (lexbor's ``css()`` lists the element searched itself when it matches, its ancestors
    counting for a descendant selector): a few searches of a few small subtrees, not one per
    element found and selector."""
    roots, candidates = _byline_candidates(tree)
    if not candidates:
        return [[] for _ in _BYLINE_SELECTORS]
    per_selector: list[list[Any]] = []
    for selector in _BYLINE_SELECTORS:
        matched = {node.mem_id for root in roots for node in root.css(selector)}
        per_selector.append([node for mem_id, node in candidates.items() if mem_id in matched])
    return per_selector


def _markup_bylines(tree: LexborHTMLParser, h1: Any) -> Iterator[tuple[list[str], str]]:
    """Bylines in the markup, the one nearest below the headline first (a menu of the site's
    authors or a related story's byline sits farther away); without a headline, in selector order."""
    found: dict[int, tuple[int, str]] = {}  # node → (selector rank, name)
    seen: set[int] = set()  # nodes judged already (under an earlier selector): same verdict
    for rank, nodes in enumerate(_byline_matches(tree)):
        for node in nodes[:8]:
            if node.mem_id in seen:
                continue
            seen.add(node.mem_id)
            if _in_chrome(node):
                continue
            text = _clean(node.attributes.get("content")) or _clean(node.text(deep=True))
            name = _byline_text(text) if text else None
            if name:
                found[node.mem_id] = (rank, name)
    if not found:
        return
    order: dict[int, int] = {}  # document position of the headline and the bylines found
    if h1 is not None and tree.body is not None:
        wanted = {*found, h1.mem_id}
        for i, node in enumerate(tree.body.traverse()):
            if node.mem_id in wanted:
                order[node.mem_id] = i
                if len(order) == len(wanted):
                    break
    at = order.get(h1.mem_id) if h1 is not None else None

    def distance(key: int) -> tuple[int, int]:
        if at is None or key not in order:
            return (0, found[key][0])
        gap = order[key] - at
        return (gap if gap >= 0 else 4 * -gap, found[key][0])  # above the headline: a weaker sign

    for key in sorted(found, key=distance):
        yield _AUTHOR_SPLIT.split(found[key][1]), "byline"


def _authors(
    tree: LexborHTMLParser, meta: dict[str, str], ld: _JsonLd, site: str | None, header: _Header = _Header()
) -> tuple[str | None, str, str | None, str]:
    """``(author, source, agency, source)``: the first usable person name(s), and a wire agency
    met on the way where an author field names one.

    A name the page's structured data gives stands when the site is named after it (a personal
    blog: "Jane Doe's notes"); one that names the site itself ("World Economist" on World
    Economist) is kept only as a last resort, with the source ``publisher``: no other field, and
    no byline in the body (``with_body``), names a writer."""
    agency, agency_source = None, ""
    publisher: str | None = None
    for names, source in _author_candidates(tree, meta, ld, header):
        people: list[str] = []
        for name in names:
            name = re.sub(r"^\s*(by|written\s+by|posted\s+by)\s+", "", name, flags=re.IGNORECASE)
            wire = canonical_agency(name)
            if wire and agency is None:
                agency, agency_source = wire, source
            cleaned = clean_author(name)
            if cleaned and (_HOST_LIKE.match(cleaned) or (site and _squash(site) in _squash(cleaned))):
                if not _HOST_LIKE.match(cleaned) and publisher is None:
                    publisher = cleaned
                cleaned = None  # "worldeconomist.com", "World Economist Staff": the site, not a writer
            if cleaned and cleaned not in people:
                people.append(cleaned)
        if people:
            return ", ".join(people), source, agency, agency_source
    if publisher is not None:
        return publisher, "publisher", agency, agency_source
    return None, "", agency, agency_source


_PUBLISHED_KEYS = (
    "article:published_time", "og:published_time", "article:published", "datepublished", "publishdate",
    "publish-date", "publish_date", "pubdate", "published_time", "dc.date.issued", "dc.date", "dc.created",
    "citation_publication_date", "citation_date", "sailthru.date", "parsely-pub-date", "date", "published",
)
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?!\d)")
_LABELLED_DATE = re.compile(
    r"^\W*(?:(?:first\s+)?published|posted|date|publicado|publié|veröffentlicht)(?:\s+on)?\b",
    re.IGNORECASE,
)
_UPDATED = re.compile(r"\b(?:updated|modified|edited|aktualisiert|mis à jour|actualizado)\b", re.IGNORECASE)


# a site's own name for the publication date ("w-published-date", "publication_date", "pub_date")
_PUBLISHED_KEY = re.compile(r"\b(?:publish|publication|pub)\w*?[-_:.]?(?:date|time)\b", re.IGNORECASE)


def _other_published_meta(meta: dict[str, str]) -> tuple[str | None, str]:
    """A publication date under a meta name not in ``_PUBLISHED_KEYS``, when those give none."""
    for key, value in meta.items():
        if _PUBLISHED_KEY.search(key.replace("_", "-")) and not _UPDATED.search(key):
            found = _iso_date(value)
            if found:
                return found, "meta"
    return None, ""


def _url_date(url: str | None) -> str | None:
    match = _URL_DATE.search(urlsplit(url).path) if url else None
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}" if 1 <= month <= 12 and 1 <= day <= 31 else None


def _markup_date(elements: _Elements) -> tuple[str | None, str]:
    """A date the article's markup states: ``itemprop=datePublished`` (any element), else a
    ``<time datetime>``, outside comments, related stories and chrome. An "Updated" one is
    never taken."""
    for node in elements.dated:
        attrs = node.attributes
        value = _iso_date(_clean(attrs.get("content") or attrs.get("datetime") or attrs.get("title") or node.text()))
        if value and not _in_chrome(node):
            return value, "itemprop"
    # the story's first: "article time[datetime]", then "main time[datetime]", then "time[datetime]"
    # (a <time> judged once is not judged again: its verdict does not depend on where it was found)
    judged: set[int] = set()
    for inside in ("article", "main", ""):
        for node in elements.times:
            if node.mem_id in judged or (inside and not _inside(node, inside)):
                continue
            judged.add(node.mem_id)
            if _in_chrome(node) or _UPDATED.search(_clean((node.parent or node).text(deep=True)) or ""):
                continue
            value = _iso_date(node.attributes.get("datetime"))
            if value:
                return value, "time-tag"
    return None, ""


_HEADER_BEFORE, _HEADER_AFTER = 12, 40  # texts around the headline that can hold its date line
_SHOWN_AFTER = 15  # an unlabelled date this close below the headline is the date the page shows
_SKIP_TEXT = frozenset({"script", "style", "noscript", "template"})


@dataclass(frozen=True, slots=True)
class _Shown:
    """The dates printed beside the headline: the one labelled "Published"/"Posted", the first
    bare date just below the headline, and the one labelled "Updated"."""

    published: str | None = None
    plain: str | None = None
    near: bool = False  # ``plain`` sits just below the headline, or just above it (not farther)
    updated: str | None = None


def _header_date(header: _Header) -> _Shown:
    """The dates printed beside the headline ("By Jane Doe · May 3, 2024", "Published: 3 May 2024",
    "Last updated on 17 December 2025"), looked for among the few texts after the ``<h1>``, then
    before it, outside comments and related stories.

    A text counts when it is little more than a date, or a date labelled "Published"/"Posted" or
    "Updated" (in the text, or in a short text just before it)."""
    texts, parents, at = header.texts, header.parents, header.at
    if at is None:
        return _Shown()
    window = [*range(at, min(len(texts), at + _HEADER_AFTER)), *range(at - 1, max(-1, at - 1 - _HEADER_BEFORE), -1)]
    published = plain = updated = None
    near = seen = False
    for i in window:
        text = texts[i]
        if len(text) > 80:
            continue
        value = parse_date(text)
        if value is None or (parents[i] is not None and _in_chrome(parents[i], _NOT_STORY)):
            continue
        label = _label_before(texts, i)  # "<span>Published</span> <span>May 3, 2024</span>"
        if _LABELLED_DATE.match(text) or (not _UPDATED.search(text) and _LABELLED_DATE.match(label)):
            published = published or value
        elif _UPDATED.search(text) or _UPDATED.search(label):
            updated = updated or value
        elif not seen and _bare_date(text):
            plain, near = value, at - 1 <= i < at + _SHOWN_AFTER
        seen = True  # a bare date counts only as the first date printed by the headline
    return _Shown(published, plain, near, updated)


def _label_before(texts: Sequence[str], i: int) -> str:
    """The short label printed just before ``texts[i]`` ("Updated", "Updated" ":"), or ""."""
    label = ""
    for before in texts[max(0, i - 2):i][::-1]:
        if len(before) + len(label) > 30:
            break
        label = before + " " + label
        if re.search(r"[^\W\d]", before):
            break
    return label.strip()


_DATE_WORDS = re.compile(r"[\d\W]|\b[a-zà-ÿ]{3,10}\b", re.IGNORECASE)


def _bare_date(text: str) -> bool:
    """Whether a text is little more than a date: "Friday, December 19, 2025", "· Dec 20, 2025 at
    3:00 am ·", "By Jane Doe · May 3, 2024"; not a sentence nor a hint ("Examples: Monday, today,
    last week, Mar 26")."""
    return len(_DATE_WORDS.sub("", text)) <= 12 and len(re.findall(r"[^\W\d_]+", text)) <= 4


def _date(
    elements: _Elements, meta: dict[str, str], ld: _JsonLd, url: str | None, header: _Header = _Header()
) -> tuple[str | None, str]:
    """The publication date, best evidence first: JSON-LD ``datePublished`` of the article,
    published-time meta tags, the article's markup, the URL's date path; the date the page
    prints beside its headline where it disagrees with those.

    The page's "Published <date>" line, or the bare date printed just below the headline, is the
    date its reader sees and outranks a structured date more than a day off (a CMS re-stamping
    ``datePublished``, or showing the day of the version it serves). A page that states no
    publication date anywhere is dated by the "Updated <date>" line beside its headline (the day
    of the version read); a modified date in metadata alone never dates a page. A date the URL's
    path states overrides another source one day off from it (a UTC timestamp of a story the
    site dates in its own time zone)."""
    from_url = _url_date(url)
    found, source = None, ""
    for obj in (*ld.articles, *ld.pages):
        found = _iso_date(_clean(obj.get("datePublished")) or _clean(obj.get("dateCreated")))
        if found:
            source = "json-ld"
            break
    for key in _PUBLISHED_KEYS:
        from_meta = _iso_date(meta.get(key))
        if from_meta:
            if found is None or _same_instant_local(found, from_meta):
                found, source = from_meta, "meta"
            break
    if found is None:
        found, source = _other_published_meta(meta)
    if found is None:
        found, source = _markup_date(elements)
    shown = _header_date(header)
    if shown.published and (found is None or _days_apart(found, shown.published) > 1):
        found, source = shown.published, "header-text"
    elif shown.plain and (found is None or (shown.near and _restamped(found, source, shown.plain, meta, ld))):
        found, source = shown.plain, "header-text"
    elif shown.updated and found is None and shown.plain is None:
        found, source = shown.updated, "header-updated"
    if from_url and (found is None or _days_apart(found, from_url) == 1):
        return from_url, "url"
    return (found, source) if found else (None, "")


_MODIFIED_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "dc.date.modified", "dc.modified")


def _restamped(found: str, source: str, shown: str, meta: dict[str, str], ld: _JsonLd) -> bool:
    """Whether the bare date printed just below the headline outranks the structured ``found``
    (more than a day apart): when it is earlier (a story is not shown dated before it was
    published: the structured date is a re-stamp, a CMS migration's), when the page declares it
    as the article's modified day (the site shows the day of the version it serves), or when
    ``found`` is only a ``<time>`` tag found elsewhere in the markup."""
    apart = _days_apart(found, shown)
    if apart <= 1:
        return False
    if source == "time-tag" or shown < found[:10]:
        return True
    modified = [_iso_date(_clean(obj.get("dateModified"))) for obj in (*ld.articles, *ld.pages)]
    modified += [_iso_date(meta.get(key)) for key in _MODIFIED_KEYS]
    return any(day is not None and day[:10] == shown for day in modified)


def _same_instant_local(utc: str, local: str) -> bool:
    """Whether ``local`` is the instant ``utc`` states, written in the site's own time zone
    (the calendar day a reader sees is the local one)."""
    try:
        a, b = datetime.fromisoformat(utc), datetime.fromisoformat(local)
    except ValueError:
        return False
    if a.tzinfo is None or b.tzinfo is None or not b.utcoffset() or a.utcoffset():
        return False
    return a == b


def _days_apart(a: str, b: str) -> int:
    try:
        return abs((datetime.fromisoformat(a[:10]) - datetime.fromisoformat(b[:10])).days)
    except ValueError:
        return -1


def _page_url(links: Sequence[Any], meta: dict[str, str]) -> tuple[str | None, str]:
    """The page's own address, when the input gave none: its canonical link (among its
    ``<link rel href>`` elements), else ``og:url``."""
    for node in links:
        if "canonical" in (node.attributes.get("rel") or "").lower().split():
            href = _clean(node.attributes.get("href"))
            if href and _ABSOLUTE.match(href):
                return href, "canonical"
    value = meta.get("og:url")
    if value and _ABSOLUTE.match(value):
        return value, "opengraph"
    return None, ""


_ABSOLUTE = re.compile(r"^https?://[a-z0-9.-]+\.[a-z0-9-]+(?::\d+)?(?:[/?#]|$)", re.IGNORECASE)


def html_metadata(tree: LexborHTMLParser, url: str | None = None) -> HtmlMetadata:
    """Title, url, author, date, site and language of a parsed page (the wire comes from ``with_body``).

    ``url`` is the input's address; without one the page's canonical link (or ``og:url``) is its
    url. Read it before scripts are pruned: JSON-LD lives in ``<script>`` elements.
    """
    elements = _elements(tree)
    meta = _meta(elements.meta)
    ld = _json_ld(elements.json_ld)
    url, url_source = (url, "") if url else _page_url(elements.links, meta)  # the input's own needs no note
    provenance: dict[str, str] = {}
    site, site_source = _site(meta, ld, url)
    title, title_source = _title(tree, elements, meta, ld, site, host_of(url))
    header = _header(tree, elements, title)
    author, author_source, agency, agency_source = _authors(tree, meta, ld, site, header)
    date, date_source = _date(elements, meta, ld, url, header)
    html_node = tree.css_first("html")
    language = _clean(html_node.attributes.get("lang")) if html_node is not None else None
    for name, value, source in (
        ("url", url, url_source),
        ("site", site, site_source),
        ("title", title, title_source),
        ("author", author, author_source),
        ("date", date, date_source),
        ("wire", agency, agency_source),
        ("language", language, "html-lang"),
    ):
        if value and source:
            provenance[name] = source
    return HtmlMetadata(
        title=title, url=url, author=author, date=date, site=site, wire=agency, language=language,
        provenance=provenance,
    )


def with_body(meta: HtmlMetadata, paragraphs: Sequence[str], lines: Sequence[str] = ()) -> HtmlMetadata:
    """``meta`` completed from the extracted body.

    ``paragraphs`` is the cleaned body; ``lines`` what the extractor returned before cleaning
    (a republisher's "By Jane Doe" line is removed from the body, but names the author).
    The wire agency of the body's dateline, credit line or byline wins over an author field
    naming an agency; a "By <Name>" line near the top gives the author when the page's
    structured data named none (or only 'admin' or the site); a dateline that states a full
    date gives the date when the page gave none.
    """
    provenance = dict(meta.provenance)
    changes: dict[str, str] = {}
    found = detect_wire(tuple(paragraphs))
    if found is not None:
        changes["wire"], provenance["wire"] = found
    if meta.author is None or meta.provenance.get("author") == "publisher":
        for line in list(lines)[:_BYLINE_WITHIN]:
            people, agency = _byline_names(line, meta.site)
            if people:
                changes["author"], provenance["author"] = ", ".join(people), "byline"
                if agency and "wire" not in changes and meta.wire is None:
                    changes["wire"], provenance["wire"] = agency, "byline"
                break
    if meta.date is None:
        # a wire copy's dateline with its date ("LONDON, May 3, 2024 (Reuters) -"); a dateline
        # without the year ("Jan 3") gives none: no date is better than a guessed year
        for para in list(paragraphs)[:4]:
            place = dateline_place(para)
            day = parse_date(place) if place else None
            if day:
                changes["date"], provenance["date"] = day, "dateline"
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
