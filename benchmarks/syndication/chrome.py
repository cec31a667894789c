"""Other real pages' chrome, emptied of their own story, ready to carry a copy.

A host is one Scrapinghub page. Its article container is the element whose text best matches
the page's ground truth (most truth words covered minus words that are not truth); its
children are replaced by a marker, so a copy keeps the host's real navigation, sidebars,
related links and footer around a different story. The text-dump host is the page's own
rendered dump with the run of lines that hold the truth replaced the same way.
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

BODY = "@@CLEANFEED-SYNDICATION-BODY@@"
TITLE = "@@CLEANFEED-SYNDICATION-TITLE@@"
MAX_LEAK = 0.1  # share of the host's own story allowed to remain in its chrome (captions, teasers)
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
# The host's own story must not leak through structured metadata (JSON-LD articleBody,
# OpenGraph titles): a syndicated copy carries its own, which we do not know, so drop them.
_DROP = (
    'script[type="application/ld+json"]',
    'meta[property^="og:"]',
    'meta[name^="twitter:"]',
    'meta[name="description"]',
    'meta[property^="article:"]',
)


@dataclass(frozen=True, slots=True)
class Host:
    """One page's chrome with two markers: where the body goes and where the headline goes."""

    id: str
    domain: str
    html: str | None  # contains BODY (and TITLE where the page had a title/h1 outside the body)
    text: str | None  # text-dump chrome, contains BODY (and TITLE if the headline line was found)


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def headline_of(html: str) -> str:
    """The page's own headline: its first h1, else its <title> up to a ' | ' or ' - '."""
    tree = LexborHTMLParser(html)
    h1 = tree.css_first("h1")
    text = _SPACE.sub(" ", h1.text(deep=True)).strip() if h1 is not None else ""
    if len(text.split()) >= 3:
        return text
    title = tree.css_first("title")
    text = _SPACE.sub(" ", title.text(deep=True)).strip() if title is not None else ""
    return re.split(r"\s[|\-–—]\s", text)[0].strip()


def _body_node(tree: LexborHTMLParser, truth: Counter[str]) -> tuple[LexborNode | None, float]:
    best, best_score, best_cover = None, 0.0, 0.0
    total = sum(truth.values())
    body = tree.body
    if body is None:
        return None, 0.0
    for node in body.traverse(include_text=False):
        if node.tag in ("script", "style", "noscript", "head", "meta", "link", "svg"):
            continue
        counts = Counter(words(node.text(deep=True)))
        tp = sum((counts & truth).values())
        if tp < 0.3 * total:
            continue
        score = tp - (sum(counts.values()) - tp)
        if score > best_score:
            best, best_score, best_cover = node, score, tp / total
    return best, best_cover


def leak(truth: str, text: str, n: int = 8) -> float:
    """Share of the truth's word n-grams still present in ``text``."""
    t, r = words(truth), words(text)
    grams = {tuple(t[i : i + n]) for i in range(len(t) - n + 1)}
    rest = {tuple(r[i : i + n]) for i in range(len(r) - n + 1)}
    return len(grams & rest) / len(grams) if grams else 0.0


def _empty(node: LexborNode, marker: str) -> None:
    for child in list(node.iter(include_text=True)):
        child.decompose()
    node.insert_child(marker)


def html_host(html: str, truth: str) -> tuple[str | None, float]:
    """The page with its article container emptied and marked; None if no container covers
    at least 60% of the truth (the page's body is not one element: it cannot be a host)."""
    tree = LexborHTMLParser(html)
    for selector in _DROP:
        for dropped in tree.css(selector):
            dropped.decompose()
    node, cover = _body_node(tree, Counter(words(truth)))
    if node is None or cover < 0.6:
        return None, cover
    _empty(node, BODY)
    title = tree.css_first("title")
    if title is not None:
        _empty(title, TITLE)
    for h1 in tree.css("h1"):
        if BODY not in (h1.html or ""):
            _empty(h1, TITLE)
            break
    out = tree.html or ""
    # Some pages carry their story twice (a print or AMP copy); such chrome would put the
    # host's own story into every copy it wraps, so it cannot be a host.
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    visible = tree.body.text(deep=True) if tree.body is not None else ""
    if BODY not in out or leak(truth, visible) > MAX_LEAK:
        return None, cover
    return out, cover


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def text_host(dump: str, truth: str, headline: str) -> str | None:
    """The dump with the run of lines holding the truth replaced by BODY, the headline line by
    TITLE. None if fewer than 60% of the truth's words fall in that run."""
    lines = dump.split("\n")
    norm_truth = _norm(truth)
    inside = [
        i for i, line in enumerate(lines) if len(_norm(line)) >= 25 and _norm(line) in norm_truth
    ]
    if not inside:
        return None
    start, end = inside[0], inside[-1]
    covered = sum(len(words(lines[i])) for i in inside)
    if covered < 0.6 * len(words(truth)):
        return None
    head = lines[:start]
    key = _norm(headline)
    for i in range(len(head) - 1, -1, -1):
        if key and _norm(head[i]) == key:
            head[i] = TITLE
            break
    if leak(truth, "\n".join([*head, *lines[end + 1 :]])) > MAX_LEAK:
        return None
    return "\n".join([*head, BODY, *lines[end + 1 :]])


def render_html(host: Host, headline: str, paragraphs: list[str]) -> str:
    assert host.html is not None
    body = "\n".join(f"<p>{html_lib.escape(p, quote=False)}</p>" for p in paragraphs)
    if TITLE not in host.html:
        body = f"<h1>{html_lib.escape(headline, quote=False)}</h1>\n" + body
    return host.html.replace(TITLE, html_lib.escape(headline, quote=False)).replace(BODY, body)


def render_text(host: Host, headline: str, paragraphs: list[str]) -> str:
    assert host.text is not None
    body = "\n\n".join(paragraphs)
    if TITLE not in host.text:
        body = f"{headline}\n\n{body}"
    return host.text.replace(TITLE, headline).replace(BODY, "\n" + body + "\n")


_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd",
           "blockquote", "pre", "figcaption", "caption", "header", "footer", "nav", "section",
           "article", "aside", "main", "ul", "ol", "table", "tr", "form", "address", "br", "hr",
           "dl", "figure", "fieldset", "details", "summary", "menu", "hgroup")
#: a line break in the rendering: a character no page's text carries (source newlines are
#: spaces to a browser; only blocks, <br> and <pre> break lines)
_BREAK = "\x1f"
_INLINE_SPACE = re.compile(r"[^\S\x1f]+")


def render_dump(html: str) -> str:
    """A page rendered to plain text as a browser shows it and a crawler's text dump keeps it:
    the visible text, one line per block element (list items marked "* "), scripts and styles
    dropped. Newlines in the HTML source are spaces, as in a browser (a paragraph wrapped in the
    source is one line); only block elements and <br> break lines, and <pre> keeps its own. For
    sets that ship no dumps of their own."""
    tree = LexborHTMLParser(html)
    for node in tree.css("script, style, noscript, template, svg, head"):
        node.decompose()
    body = tree.body
    if body is None:
        return ""
    for node in tree.css("pre"):
        node.replace_with(_BREAK + node.text(deep=True).replace("\n", _BREAK) + _BREAK)
    for node in body.traverse(include_text=False):
        if node.tag in _BLOCKS:
            prefix = "* " if node.tag == "li" else ""
            node.insert_before(_BREAK + prefix)
            node.insert_after(_BREAK)
    text = body.text(deep=True)
    lines = [_INLINE_SPACE.sub(" ", line).strip() for line in text.split(_BREAK)]
    out = [line for line in lines if line not in ("", "*")]
    return "\n".join(out) + "\n"
