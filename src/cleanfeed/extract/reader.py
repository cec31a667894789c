"""The parse-once reader: a story region's text read straight off the selectolax tree.

``extract.html`` parses the page once (lexbor), prunes chrome by the rules of ``extract.rules``
and picks the story region; this module reads that region's text blocks in document order
without a second parse: paragraphs, headings, list items, quotes, preformatted text, table rows
(cells joined by ``|``) and the loose text of ``<div>`` elements, one block per line, list items
marked ``- `` as trafilatura marks them (``extract.html._split`` takes the marker off). A page
written without paragraph tags (text in ``<div>`` and table cells, parted by ``<br>``) is read
the same way, its runs of loose text standing for the paragraphs that find the story.

It skips what never is story text in a region that the rules have already pruned: blocks and
lists that are mostly link text (menus, teaser lists, tag clouds: the link-density test of
readability-style extractors), figures and their captions, and elements the page hides.

``read_region`` also says whether the reading is *confident* (``Reading.confident``), from
features of the tree and of the reading only — no second extractor runs to decide it: enough
text, most of it in prose blocks (a story), or next to none of it (a thread of short posts, a
listing, a data sheet: no story for an extractor to prefer, the blocks are the page), not half
and half; not inside a container named like chrome; and the prose not scattered over many
small containers. Where it is not confident, the caller reads the region with trafilatura as
before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from ..lines import ends_sentence, word_count
from .rules import attrs_named

__all__ = [
    "READER_BLOCKS", "READER_FAST", "READER_PAGE", "READER_REGION", "Reading", "in_table", "prose_paragraphs",
    "read_region",
]

# Which reader gave a page's text (``CleanDoc.provenance["reader"]``).
READER_FAST = "fast"  # this module, on the story region
READER_REGION = "trafilatura-region"  # trafilatura on the story region
READER_PAGE = "trafilatura-page"  # trafilatura with its fallbacks on the whole body
READER_BLOCKS = "blocks"  # the region's text blocks (a region too large for trafilatura)

# Elements that end the line before them and start a new one after them.
_BLOCKS = frozenset({
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6",
    "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "thead", "tbody",
    "tfoot", "caption", "address", "center", "details", "summary", "hgroup", "body", "hr",
})
# Elements whose text is not the story's: figures and their captions (trafilatura drops them
# too), and what the rules' ``html.non-content`` and ``html.layout`` tags left on a wrapper.
_SKIP = frozenset({
    "figure", "figcaption", "picture", "img", "svg", "script", "style", "noscript", "template",
    "button", "select", "option", "textarea", "input", "label", "nav", "aside", "menu", "time",
    "head", "title", "iframe", "object", "embed", "video", "audio", "canvas", "map", "math",
})
_CELLS = frozenset({"td", "th"})
_HEADING_TAGS = "h1,h2,h3,h4,h5,h6"
_WRAPPERS = frozenset({"div", "section", "header", "article", "main", "center", "details"})
# The blocks whose loose text (not in a <p>) may be a story's paragraphs (``loose_paragraphs``).
_LOOSE_HOLDERS = _WRAPPERS | _CELLS | {"blockquote", "body"}
# A prose paragraph (a <p>, or a run of loose text) is at most this share link text.
_PROSE_LINK_SHARE = 0.5
# A block (or a list, as a whole) whose text is at least this share link text is navigation.
_LINK_SHARE = 0.6
# A list whose items are at least this share link text is a menu or teaser list: it goes whole.
_LIST_LINK_SHARE = 0.6
# A paragraph of prose: this many characters and more, ending a sentence.
_PROSE_CHARS = 60
# Confidence (see ``read_region``).
_MIN_CHARS = 500
_MIN_PROSE_SHARE = 0.5
# ... unless the region holds next to no prose at all (under this share of its text): a thread of
# short posts, a listing, a data sheet, where a story-oriented extractor has no story to find
# and keeps less of the page than its blocks.
_NO_STORY_SHARE = 0.1
_SHORT_WORDS = 4
_SHORT_PREFIX = 64
_BLOCK_SHARE = 0.7
_GROWN_SHARE = 0.6
# A story split over containers is trusted when its largest part holds this share of its prose
# (a page of fifteen teaser cards and more is not). Measured on all sets (benchmarks/extraction.py):
# at 0.15 the pages between (one in seven of wcxb-dev's) went to trafilatura, at several times
# the CPU, for no gain in F1 on any set; below 0.07 a page of two stories in a row is read as one.
_MIN_FOCUS = 0.07


@dataclass(frozen=True, slots=True)
class Reading:
    """The region's blocks and what decides whether they are trusted."""

    text: str  # one block per line; list items start with "- "
    chars: int  # characters of the blocks, markers excluded
    prose_chars: int  # characters of the blocks that are prose (long, ending a sentence)
    blocks: int
    short_blocks: int  # blocks of fewer than _SHORT_WORDS words
    confident: bool
    reason: str  # why it is (or is not) confident, for provenance and debugging
    focus: float  # share of the region's prose in the top candidate's own paragraphs
    skipped: tuple[str, ...]  # text left out (rule ``html.beside-story``): link lists, prose-less boxes


@dataclass(slots=True)
class _Line:
    parts: list[str]
    link_chars: int = 0
    kind: str = ""  # the tag of the block that holds it ("li" marks a list item)


class _Lines:
    """Accumulates inline text into lines; a block element ends the current one."""

    __slots__ = ("current", "done", "hideable", "skipped")

    def __init__(self, hideable: frozenset[int] = frozenset()) -> None:
        self.done: list[tuple[str, str, int]] = []  # (kind, text, link chars)
        self.current = _Line([])
        self.skipped: list[str] = []  # the text of link lists and prose-less boxes left out
        # the elements (``mem_id``) with an attribute that may hide them (``_HIDEABLE``): the
        # others' attributes are not read (a dict built per element)
        self.hideable = hideable

    def add(self, text: str, link: bool, kind: str) -> None:
        if not self.current.parts:
            self.current.kind = kind
        self.current.parts.append(text)
        if link:
            self.current.link_chars += len(text.strip())

    def flush(self) -> None:
        line = self.current
        if line.parts:
            text = " ".join("".join(line.parts).split())
            if text:
                self.done.append((line.kind, text, line.link_chars))
            # the next line starts empty (``add`` sets its kind): reset, not made anew
            line.parts = []
            line.link_chars = 0


# The attributes ``_hidden`` reads: an element without any of them is not hidden.
_HIDEABLE = "[hidden],[aria-hidden],[style]"


def _hidden(attrs: dict[str, str | None]) -> bool:
    """Whether an element with these attributes is hidden from the reader."""
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    return style is not None and "display:none" in style.replace(" ", "").lower()


def _link_share(node: LexborNode) -> float:
    text = len("".join(node.text(deep=True).split()))
    if not text:
        return 0.0
    links = sum(len("".join(a.text(deep=True).split())) for a in node.css("a"))
    return links / text


def _widget(node: LexborNode, tag: str, prose: dict[int, int] | None) -> bool:
    """A box (``<div>``, ``<section>``...) holding no prose paragraph, beside the story's
    paragraphs: a photo gallery, an author box, a teaser or a share block (``prose``: the
    prose inside each element; ``None`` when the reading is not the top candidate's)."""
    if prose is None or tag not in _WRAPPERS or node.mem_id in prose:
        return False
    # a box with a heading is a section: the section rules judge it ("Key Takeaways", "FAQ")
    return node.css_first(_HEADING_TAGS) is None


def _walk(node: LexborNode, out: _Lines, kind: str, link: bool, prose: dict[int, int] | None) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            text = child.text_content
            if text:
                out.add(text, link, kind)
            continue
        if tag in _SKIP or tag == "-comment" or tag is None:
            continue
        if tag == "br":
            out.flush()
            continue
        if out.hideable and child.mem_id in out.hideable and _hidden(child.attributes):
            continue
        if tag in ("ul", "ol", "dl") and _link_share(child) >= _LIST_LINK_SHARE:
            out.skipped.append(child.text(deep=True))
            continue
        if tag == "table":
            out.flush()
            _table(child, out, link, prose)
            continue
        if prose is not None and _widget(child, tag, prose):
            out.skipped.append(child.text(deep=True))
            continue
        if tag in _BLOCKS:
            out.flush()
            _walk(child, out, tag if tag != "div" or kind in ("", "div") else kind, link, prose)
            out.flush()
        else:
            _walk(child, out, kind, link or tag == "a", prose)


# What makes a table cell a layout cell, read as blocks rather than as a row's cell.
_CELL_BLOCKS = frozenset({"p", "div", "table", "ul", "ol", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6"})


def _table(table: LexborNode, out: _Lines, link: bool, prose: dict[int, int] | None) -> None:
    """A data table: one line per row, its cells joined by ``|`` (a cell holding blocks is
    read as blocks, a layout cell)."""
    for row in table.css("tr"):
        if not in_table(row, table):
            continue  # a nested table's row: read with its own table
        cells = [cell for cell in row.iter(include_text=False) if cell.tag in _CELLS]
        # (a cell's and a row's elements walked in place: they hold a few, and a css query
        # costs more than the walk)
        if not any(node.tag in _CELL_BLOCKS for cell in cells for node in cell.traverse()):
            texts = [" ".join(cell.text(deep=True).split()) for cell in cells]
            texts = [t for t in texts if t]
            if texts:
                links = sum(len(node.text(deep=True).strip()) for node in row.traverse() if node.tag == "a")
                out.done.append(("tr", " | ".join(texts), links))
            continue
        for cell in cells:
            out.flush()
            _walk(cell, out, "td", link, prose)
            out.flush()


def in_table(node: LexborNode, table: LexborNode) -> bool:
    """Whether ``node`` (a row, a cell) is ``table``'s own, not a table's nested in it."""
    parent = node.parent
    while parent is not None and parent.tag != "table":
        parent = parent.parent
    return parent is not None and parent.mem_id == table.mem_id


def _chrome_named(core: LexborNode, region: LexborNode) -> bool:
    """Whether the core or an element between it and the region is named like chrome (a
    comment list the rules spared for its size)."""
    node: LexborNode | None = core
    while node is not None:
        attrs = node.attributes
        names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
        if node.tag not in ("body", "html") and attrs_named(names):
            return True
        if node.mem_id == region.mem_id:
            break
        node = node.parent
    return False


def _is_prose(text: str) -> bool:
    return len(text) >= _PROSE_CHARS and ends_sentence(text)


@dataclass(frozen=True, slots=True)
class _Prose:
    """Where a region's prose paragraphs sit (weights by element ``mem_id``)."""

    total: int  # characters of prose in the region
    weight: dict[int, int]  # prose inside each element
    direct: dict[int, int]  # prose in each element's own child paragraphs
    parents: dict[int, LexborNode]  # the elements that hold paragraphs themselves


def prose_paragraphs(root: LexborNode, min_chars: int) -> Iterator[tuple[LexborNode, int]]:
    """The ``<p>``/``<pre>`` elements under ``root`` with at least ``min_chars`` characters of
    text, at most half of it link text, each with its length: the paragraphs that count as
    prose when a story region is chosen (``html._story_region``) and read (``_prose_map``)."""
    for para in root.css("p,pre"):
        length = len(para.text(deep=True).strip())
        if length < min_chars:
            continue
        # (its elements walked in place: a css query per paragraph took three times as long)
        links = sum(len(node.text(deep=True)) for node in para.traverse() if node.tag == "a")
        if links <= _PROSE_LINK_SHARE * length:
            yield para, length


def loose_paragraphs(root: LexborNode) -> Iterator[tuple[LexborNode, int]]:
    """The runs of loose prose under ``root``, each with the block holding it, for a page written
    without paragraph tags: a block's own text and inline elements, parted by its child blocks
    and its ``<br>`` line breaks, that would be a prose paragraph (``_PROSE_CHARS`` characters
    and more, ending a sentence, at most half link text)."""
    for block in root.traverse(include_text=False):
        if block.tag not in _LOOSE_HOLDERS:
            continue
        run: list[str] = []
        links = 0
        for child in block.iter(include_text=True):
            tag = child.tag
            if tag is None or tag in _SKIP or tag == "-comment":
                continue
            if tag == "br" or tag in _BLOCKS:
                yield from _prose_run(block, run, links)
                run, links = [], 0
                continue
            text = (child.text_content if tag == "-text" else child.text(deep=True)) or ""
            run.append(text)
            if tag == "a":
                links += len(text.strip())
        yield from _prose_run(block, run, links)


def _prose_run(block: LexborNode, parts: list[str], links: int) -> Iterator[tuple[LexborNode, int]]:
    """``block`` and the length of the run of text ``parts``, if that run is a prose paragraph."""
    run = " ".join("".join(parts).split())
    if _is_prose(run) and links <= _PROSE_LINK_SHARE * len(run):
        yield block, len(run)


def _prose_map(region: LexborNode) -> _Prose:
    """Every prose paragraph (``<p>``/``<pre>`` of ``_PROSE_CHARS`` and more, at most half link
    text) gives its length to its parent and to every ancestor up to ``region``. A region with
    none is weighed by its loose prose (``loose_paragraphs``), each run given to its block."""
    weight: dict[int, int] = {}
    direct: dict[int, int] = {}
    parents: dict[int, LexborNode] = {}
    total = 0
    top = region.mem_id
    chains: dict[int, tuple[int, ...]] = {}  # a parent's chain up to the region, walked once
    found = list(prose_paragraphs(region, _PROSE_CHARS))
    loose = not found
    for para, length in found or loose_paragraphs(region):
        total += length
        parent = para if loose else para.parent
        if parent is None:
            continue
        key = parent.mem_id
        direct[key] = direct.get(key, 0) + length
        chain = chains.get(key)
        if chain is None:
            parents[key] = parent
            chain = chains[key] = _chain(parent, top)
        for mem_id in chain:
            weight[mem_id] = weight.get(mem_id, 0) + length
    return _Prose(total, weight, direct, parents)


def _chain(node: LexborNode, top: int) -> tuple[int, ...]:
    """``node`` and its ancestors up to the element ``top`` (``mem_id``), as ``mem_id``."""
    chain = []
    current: LexborNode | None = node
    while current is not None:
        chain.append(current.mem_id)
        if chain[-1] == top:
            break
        current = current.parent
    return tuple(chain)


def _grown(start: LexborNode, region: LexborNode, prose: _Prose) -> LexborNode:
    """``start`` and its ancestors up to the first holding ``_GROWN_SHARE`` of the prose."""
    node = start
    while node.mem_id != region.mem_id and node.parent is not None:
        if prose.weight.get(node.mem_id, 0) >= _GROWN_SHARE * prose.total:
            break
        node = node.parent
    return node


def _read(node: LexborNode, prose: dict[int, int] | None) -> tuple[list[str], int, int, int, list[str]]:
    """``node``'s blocks as lines, with their characters, prose characters and short blocks.
    With ``prose`` (the prose inside each element), boxes of several blocks and no prose are
    skipped (see ``read_region``)."""
    out = _Lines(frozenset(element.mem_id for element in node.css(_HIDEABLE)))
    _walk(node, out, "", False, prose)
    out.flush()
    lines: list[str] = []
    chars = prose_chars = short = 0
    skipped = [text for text in out.skipped if text.strip()]
    for kind, text, links in out.done:
        if links >= _LINK_SHARE * len(text):
            skipped.append(text)
            continue
        lines.append(f"- {text}" if kind == "li" else text)
        chars += len(text)
        if _is_prose(text):
            prose_chars += len(text)
        if word_count(text[:_SHORT_PREFIX]) < _SHORT_WORDS and word_count(text) < _SHORT_WORDS:
            short += 1  # (a prefix never holds more words than the whole: most lines stop there)
    return lines, chars, prose_chars, short, skipped


def read_region(region: LexborNode, page_prose: int) -> Reading:
    """Read the story of ``region`` (already pruned by the rules) block by block.

    The story is the element whose own paragraphs hold the most prose (readability's top
    candidate: a story is a run of sibling paragraphs), read with what it holds besides them
    (lists, headings, quotes, tables between the paragraphs); in a region without a prose
    ``<p>``, its paragraphs are runs of loose text parted by line breaks (``loose_paragraphs``).
    When that element holds less than ``_BLOCK_SHARE`` of ``page_prose`` (the page's prose as
    ``extract.html._story_region`` counts it, which is ``<p>`` text only; the region's loose
    prose where that is none), the story is split over several containers: it is read from their nearest
    common ancestor holding ``_GROWN_SHARE`` of the region's prose, and trusted only if the
    top candidate held ``_MIN_FOCUS`` of it (comments and teaser grids spread prose over many
    small containers).
    """
    prose_map = _prose_map(region)
    if not prose_map.total:
        return Reading("", 0, 0, 0, 0, False, "no-prose", 0.0, ())
    best = max(prose_map.direct, key=prose_map.direct.__getitem__)
    focus = prose_map.direct[best] / prose_map.total
    node = prose_map.parents[best]
    lines, chars, prose, short, skipped = _read(node, prose_map.weight)
    grown = prose < _BLOCK_SHARE * (page_prose or prose_map.total)
    if grown:
        node = _grown(node, region, prose_map)
        lines, chars, prose, short, skipped = _read(node, None)
    if chars < _MIN_CHARS:
        confident, reason = False, "short"
    elif _NO_STORY_SHARE * chars <= prose < _MIN_PROSE_SHARE * chars:
        confident, reason = False, "not-prose"
    elif _chrome_named(node, region):
        confident, reason = False, "chrome-named"
    elif grown and focus < _MIN_FOCUS:
        confident, reason = False, "scattered"
    else:
        confident, reason = True, "grown" if grown else "block"
    return Reading("\n".join(lines), chars, prose, len(lines), short, confident, reason, focus, tuple(skipped))
