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
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
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
    if _depth_bound(html) <= limit:
        return html
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


_TAG_START = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*")


def _depth_bound(html: str) -> int:
    """At least the deepest nesting ``cap_nesting`` counts, computed without a Python loop.

    With ``s`` the running count of start tags minus end tags (``_FLAT`` ones left out; a
    self-closing tag is counted as a start, which can only raise it), the depth at a tag is
    ``s`` minus the lowest ``s`` before it, so never more than the highest ``s`` minus the lowest.
    The tags are found as one string each ("<div", "</div"): no tuple of groups per tag.
    """
    tags = _TAG_START.findall(html)
    step = {tag: _step(tag) for tag in set(tags)}
    depths = list(accumulate(map(step.__getitem__, tags), initial=0))
    return max(depths) - min(depths)


def _step(tag: str) -> int:
    """What a tag found by ``_TAG_START`` adds to the running count: +1 a start, -1 an end, 0 flat."""
    closing = tag[1] == "/"
    return 0 if tag[1 + closing :].lower() in _FLAT else -1 if closing else 1
