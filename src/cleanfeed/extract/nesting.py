"""Nesting cap: markup nested deeper than a browser builds is flattened before parsing.

The HTML tree builder walks the stack of open elements for each start tag, so a page of n
nested (or unclosed) ``<div>`` elements costs O(n²) to parse: 40,000 took 14 s, 100,000 over
two minutes. Browsers cap the tree depth (Chrome at 512) and keep the content; so does this:
start tags beyond ``MAX_DEPTH`` open elements are dropped with their end tags, the text stays.
One linear scan of the tags; a page whose depth is bounded below the cap by a scan in C (most
pages, and every page with fewer tags than the cap) is not scanned tag by tag.
"""

from __future__ import annotations

import re
from itertools import accumulate

__all__ = ["MAX_DEPTH", "cap_nesting"]

#: the deepest tree a page keeps (Chrome's HTML parser limit)
MAX_DEPTH = 512
_NAME = "[a-zA-Z][a-zA-Z0-9-]*"
_TAG = re.compile(rf"<(/?)({_NAME})[^>]*>")
# Elements that hold no content, or that the next sibling of their kind closes (an unclosed
# <p> or <li> does not deepen the tree): they never count towards the depth.
_FLAT = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup",
    "tbody", "thead", "tfoot", "colgroup", "rb", "rt", "rp", "html", "head", "body", "script",
    "style",
})


def cap_nesting(html: str, limit: int = MAX_DEPTH) -> str:
    """``html`` with start tags nested deeper than ``limit`` removed, with their end tags.

    >>> cap_nesting("<div>" * 3 + "text" + "</div>" * 3, limit=2)
    '<div><div>text</div></div>'
    """
    return html if _shallow(html, limit) else _capped(html, limit)


def _capped(html: str, limit: int) -> str:
    """``cap_nesting`` tag by tag: the start tags past ``limit`` open elements go, with their end
    tags."""
    depth = 0
    dropped: dict[str, int] = {}  # start tags dropped and not yet closed, by name
    cuts: list[tuple[int, int]] = []
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if name in _FLAT or (not closing and match.group(0).endswith("/>")):
            continue
        if closing:
            if dropped.get(name):
                dropped[name] -= 1
                cuts.append(match.span())
            elif depth:
                depth -= 1
        elif depth >= limit:
            dropped[name] = dropped.get(name, 0) + 1
            cuts.append(match.span())
        else:
            depth += 1
    if not cuts:
        return html
    parts, last = [], 0
    for start, end in cuts:
        parts.append(html[last:start])
        last = end
    parts.append(html[last:])
    return "".join(parts)


# The tags of ``_TAG``, found the same way (what an attribute value holds is not a tag: a
# '<div title="</b>">' is one start, not a start and an end), each as its "<name" or "</name".
_TAG_START = re.compile(rf"(</?{_NAME})[^>]*>")
# Tags of HTML's own elements, in the cases pages write them, each with its sign in the running
# count of ``_shallow``: looked up in C, where most of a page's tags are found. Read only.
_NAMES = (
    *_FLAT, "a", "abbr", "address", "article", "aside", "audio", "b", "bdi", "bdo", "blockquote",
    "button", "canvas", "caption", "center", "circle", "cite", "code", "data", "datalist", "defs",
    "del", "details", "dfn", "dialog", "div", "dl", "em", "fieldset", "figcaption", "figure",
    "font", "footer", "form", "g", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "i",
    "iframe", "ins", "kbd", "label", "legend", "main", "map", "mark", "menu", "meter", "nav",
    "noscript", "object", "ol", "output", "path", "picture", "pre", "progress", "q", "rect", "s",
    "samp", "section", "select", "small", "span", "strong", "sub", "summary", "sup", "svg",
    "symbol", "table", "template", "textarea", "time", "title", "u", "ul", "use", "var", "video"
)


class _Signs(dict[str, str]):
    """A found tag's sign: ``+`` a start, ``-`` an end, empty for a ``_FLAT`` tag; a tag not in
    the table is signed as it comes (the table is never written after it is built)."""

    def __missing__(self, tag: str) -> str:
        return _sign(tag)


def _sign(tag: str) -> str:
    """What a tag found by ``_TAG_START`` adds to the running count: a start, an end, or nothing."""
    closing = tag[1] == "/"
    return "" if tag[1 + closing :].lower() in _FLAT else "-" if closing else "+"


_SIGNS = _Signs(
    (f"{opening}{spelt}", _sign(f"{opening}{spelt}"))
    for name in _NAMES
    for spelt in {name, name.upper(), name.capitalize()}
    for opening in ("<", "</")
)
_BLOCK = 64  # signs per block of the quick bound: it exceeds the exact one by under twice this


def _shallow(html: str, limit: int) -> bool:
    """Whether a bound on the deepest nesting ``cap_nesting`` counts is at most ``limit``,
    found without a Python loop per tag.

    With ``s`` the running count of start tags minus end tags (``_FLAT`` ones left out; a
    self-closing tag is counted as a start, which can only raise it), the depth at a tag is
    ``s`` minus the lowest ``s`` before it, so never more than the highest ``s`` minus the lowest:
    the bound. The tags are found as one string each ("<div", "</div") and signed by a table
    lookup; the bound is taken block by block (``_block_bound``, a little above it), and exactly
    only when that is over ``limit``.
    """
    signs = "".join(map(_SIGNS.__getitem__, _TAG_START.findall(html)))
    if _block_bound(signs) <= limit:
        return True
    depths = list(accumulate(map(_STEPS.__getitem__, signs), initial=0))
    return max(depths) - min(depths) <= limit


_STEPS = {"+": 1, "-": -1}


def _block_bound(signs: str, block: int = _BLOCK) -> int:
    """At least the highest minus the lowest running count of ``signs`` (``+`` and ``-``): within
    a block the count rises by at most its starts and falls by at most its ends.

    >>> _block_bound("++-+--" * 3, block=4), _block_bound("+" * 10, block=4)
    (5, 10)
    """
    level = high = low = 0
    for start in range(0, len(signs), block):
        ends = signs.count("-", start, start + block)
        starts = min(block, len(signs) - start) - ends
        high = max(high, level + starts)
        low = min(low, level - ends)
        level += starts - ends
    return high - low
