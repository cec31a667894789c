"""HTML extraction: a page's markup → its article body, metadata and removal records.

How a page is read, in order (every rule-based removal records a ``Removal`` with its rule id):

1. **Budget and parse.** A page over ``ExtractConfig.max_bytes`` is refused with
   ``BudgetExceeded`` before parsing. The page is parsed once with selectolax (lexbor), which
   accepts any markup; NUL characters and lone surrogates are dropped first.
2. **Metadata** (``metadata.html``) is read from the whole tree: JSON-LD, OpenGraph and meta
   tags, bylines. The wire agency comes later, from the body's dateline or credit line.
3. **Pruning** (``extract.rules``): elements that never hold article text go
   (``html.non-content``: scripts, styles, embeds, form controls), and so do chrome containers
   whose ``class``/``id`` names them (cookie banners, newsletter boxes, share bars, related-post
   lists, comment threads, tables of contents), unless the container holds a large share of the
   page's text: then it is a layout wrapper around the story, not chrome. A table of contents
   is also found by its heading text; its entries are remembered.
4. **Story region**: a readability-style density estimate (prose paragraphs give their length
   to their ancestors; not those in a footer, menu, aside or dialog window, unless the page has
   no other) picks the part of the page the story is in. Inside it, layout elements
   (``html.layout``) and short blocks that a line rule matches as a whole ("Source link",
   "5 min read", "Sharing is caring!") go.
5. **Main text**: the parse-once reader (``extract.reader``) reads the story block off the
   tree where it is confident (judged on tree features alone); elsewhere trafilatura's
   rule-based extractor (balanced, not precision mode) without its fallback extractors
   (``fast``), on the region only: it sees a few hundred nodes instead
   of thousands (faster) and fewer teasers around the story (more precise). Its time grows
   with the elements it is handed, so those that hold no text go first (``_hollow``). A region of more
   elements than trafilatura reads at a reasonable cost (``_MAX_EXTRACTOR_ELEMENTS``) keeps the
   reader's text (or its text blocks) instead. The region cannot
   throw the story away: its reading is checked against recall-oriented readings of the same
   tree (the page's prose paragraphs, its text outside links), and when it under-delivers
   (short, under half the prose, under a fifth of the text) trafilatura reads the whole body
   with its fallbacks (readability, jusText); that reading is taken when the region's was short
   or when it holds several times more prose. A reading several times the page's text outside
   links is its menus: the whole body's reading replaces it when shorter. When no reading holds
   any prose on a page that has some (a forum thread), the posts (what the extractor calls
   comments) are the body. A region too large for the extractor (a megabyte of text) gives its
   own text blocks instead.
6. **Paragraph rules**: a line rule removes the paragraph it matches (never prose); a section
   rule removes a heading ("Related Posts", "Comments") and the block it introduces. The add-ons
   a republisher puts around wire copy ("Quick Summary", "Key Takeaways", FAQ, the entries of a
   removed table of contents re-injected as headings) go from wire copy only (a dateline,
   byline or credit line in the reading): on a page of its own they are the site's own text.
   Short lines above a wire dateline (a republisher's headline and byline) go
   (``wire.before-dateline``).
7. **Grounding**: a paragraph whose words are not all in the page's text is dropped, so
   extraction never returns a word that is not in the page (words the extractor glued from
   adjacent elements are the page's characters once its spacing is taken out).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..config import ExtractConfig
from ..errors import ExtractionError
from ..lines import ends_sentence, line_memo, word_count
from ..metadata.html import html_metadata, with_body
from ..metadata.text import detect_wire
from ..models import CleanDoc, Removal
from .budget import within_budget
from .nesting import cap_nesting
from .paragraph_rules import heading_like, is_prose, line_rule, normal, preview, section_end, union
from .reader import (
    READER_BLOCKS,
    READER_FAST,
    READER_PAGE,
    READER_REGION,
    in_table,
    prose_paragraphs,
    read_region,
)
from .rules import RULES, RULES_BY_ID, Rule, attrs_rule

__all__ = ["extract_html", "html_doc"]

TOC_RULE = "seo.table-of-contents"
DATELINE_RULE = "wire.before-dateline"
NO_STORY_RULE = "page.no-story"
BESIDE_STORY_RULE = "html.beside-story"
_CHROME_TEXT = "nav,header,footer,aside,menu"
# Applied inside the story region only: a <form> or <footer> wrapping a whole page exists, and
# the fallback extractors on the whole body must see the page as it is.
LAYOUT_RULE = "html.layout"
TABLE_RULE = "html.layout-table"
# The dateline is looked for in the first paragraphs only; what is above it goes only if every
# line there is short (headline, byline), never prose.
_DATELINE_WITHIN = 8
_HEAD_LINE_WORDS = 20

# Below this many characters the main extractor is taken to have under-delivered (a page where
# the story sits in markup its rules do not know); trafilatura uses the same kind of floor
# (MIN_EXTRACTED_SIZE) to decide when to consult its fallbacks.
_SHORT_TEXT = 500
# A container named like chrome is pruned only if it holds at most this share of the page's
# text: a "has-sidebar" or "ad-margins" wrapper around the story is layout, not chrome.
_CHROME_MAX_SHARE = 0.2
# The region's reading under-delivers when it is shorter than this share of the page's prose
# (see _story_region): the extractor then reads the whole body.
_RECALL_SHARE = 0.5
# ... or than this share of the page's text outside links (trafilatura escalates at the same
# share); the whole body's reading replaces it when its prose is this many times as long.
_PAGE_SHARE = 0.2
_WIDE_GAIN = 3
# A reading longer than this many times the page's text outside links is mostly link text (a
# portal's menus read as the story): the whole body's reading is consulted.
_LINKS_OVER = 2
# Story region (see _story_region): a prose paragraph has at least this many characters; the
# region holds this share of the prose and is taken this many levels above its densest element.
_PARAGRAPH_CHARS = 60
# A region with more text than this (after pruning; a story is a few thousand characters) is not
# given to the extractor, whose time grows with it: a 19 MB page of text would take it most of a
# minute. Its markup alone costs far less (3 MB of a shop's markup with 100 kB of text: 0.4 s),
# so markup is bounded only well above that. The region's own text blocks are the body then
# (see _block_text).
_MAX_EXTRACTOR_TEXT = 1_000_000
_MAX_EXTRACTOR_MARKUP = 8_000_000
# trafilatura's time grows with a region's elements (20-50 us each, measured: parsing is a few
# per cent of it, the rest its pruning passes over the tree), not with its bytes. A region of
# more than this many elements (a listing, a shop's grid, an encyclopedia page) is read by the
# parse-once reader even where it is not confident (its blocks when it read nothing): over
# all sets, 8 pages over 4000 (0.3 s and more of trafilatura each, 2915 of wcxb-dev 1 s), for
# wcxb-all F1 +0.0007 and readability -0.0003 (one page), scrapinghub and wcxb-articles equal; at
# 3000, pages whose extraction trafilatura got right (a product page, a collection) go too.
# (The whole body's reading, step 5, is not capped: no page over 8000 elements reaches it and
# at 5000 it lost F1.)
_MAX_EXTRACTOR_ELEMENTS = 4000
_TEXT_BLOCKS = "p,pre,li,blockquote,h1,h2,h3,h4,h5,h6"
_REGION_SHARE = 0.9
# Three levels up: the densest element is often the story's inner text wrapper, and the
# extractor recognises an article by the container classes *around* it ("post", "article").
# On the Scrapinghub set two levels lost a page's headings and lists and three kept them;
# speed is the same (measured, benchmarks/extraction.py).
_REGION_UP = 3
# Kept by _hollow though they hold no text: line breaks and rules part the text around them,
# table cells keep a grid. An attribute this long is data an extractor may read (a forum's
# posts preloaded as JSON in a hidden element).
_HOLLOW_KEEP = frozenset({"a", "br", "hr", "td", "th"})
_DATA_ATTR_CHARS = 100
# ... found in an element's markup (which holds no text: only tags, attributes in double quotes)
_HOLLOW_KEPT = re.compile(
    rf"<(?:{'|'.join(sorted(_HOLLOW_KEEP))})[\s/>]|=\"[^\"]{{{_DATA_ATTR_CHARS + 1},}}\""
)
# Blocks judged whole by the line rules on the markup, and the longest text one may have.
_LINE_BLOCKS = "p,li,h1,h2,h3,h4,h5,h6"
_LINE_CHARS = 200
_LIST_MARKER = re.compile(r"^[-*•]\s+")
_TOKEN = re.compile(r"\w+")
# Words of paragraphs not found whole are looked up in the page's text one by one (a table row,
# a glued heading); past this many on a page, the page's words are made a set first. A word of
# the page is mostly found early in its text, and the set costs a pass over all of it (often
# megabytes of inline scripts): over all bench pages 256 costs a tenth less than 64 or 1024.
_VOCABULARY_AFTER = 256
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\ue000-\uf8ff\U000f0000-\U0010ffff]")
# The words a table of contents' heading holds: lexbor finds the elements whose text holds one
# (ASCII letter case ignored); none can where the root's lower-cased text holds none of them.
_TOC_WORDS = ("contents", "in this article", "jump to")
_TOC_CANDIDATES = ",".join(f':lexbor-contains("{word}" i)' for word in _TOC_WORDS)
_TOC_BYTES = tuple(word.encode("ascii") for word in _TOC_WORDS)
# A table of contents' list may hold a title and spacing beside its entries, not more.
_LISTING_SLACK = 1.5
# Table layout (see _prune_tables): a cell holding this much text is a page column, not data
# (an encyclopedia's tables hold paragraphs, lists and line breaks in their cells, not pages);
# a row whose text is only links and separators is a menu or a tool bar.
_LAYOUT_CELL_CHARS = 1000
_SEPARATORS = re.compile(r"[\s|•·:/\\\-–—»«>]+")
_MAX_LAYOUT_TABLES = 64
_STORY_CONTAINERS = frozenset({"article", "main"})
_CHROME_BOXES = frozenset({"footer", "nav", "aside", "menu", "dialog"})
_CHROME_ROLES = frozenset({"dialog", "alertdialog", "navigation", "contentinfo", "complementary"})
_KEEP_TOP = frozenset({"html", "head", "body", "article", "main"})


def _blank(text: str) -> bool:
    """``not text.strip()`` without a copy of ``text`` (a script's text, the page's, can be
    megabytes): ``isspace`` stops at the first other character.

    >>> _blank(""), _blank(" \\n\\t"), _blank("  x  ")
    (True, True, False)
    """
    return not text or text.isspace()


def _preview(text: str, limit: int = 200) -> str:
    """An element's text as a ``Removal`` shows it: spacing collapsed (markup lays it out)."""
    return preview(" ".join(text[: 2 * limit].split()), limit)  # a script's text can be megabytes


@line_memo
def _chrome_rule(class_and_id: str) -> Rule | None:
    """The first rule whose class/id pattern an element's ``"class id"`` string matches
    (memoised: a site's templates repeat their class names on every page, and most elements
    of a page share a few of them)."""
    return attrs_rule(class_and_id.strip().lower())


def _under(node: LexborNode, removed: set[int]) -> bool:
    if not removed:
        return False
    parent = node.parent
    while parent is not None:
        if parent.mem_id in removed:
            return True
        parent = parent.parent
    return False


def _prune_tags(tree: LexborHTMLParser, removals: list[Removal]) -> None:
    """Remove the elements that never hold article text from the whole page, recording each."""
    for rule in RULES:
        if not rule.tags or rule.id == LAYOUT_RULE:
            continue
        selector = ",".join(sorted(rule.tags))
        for node in tree.css(selector):
            text = node.text(deep=True)
            if not _blank(text):
                removals.append(Removal(rule.id, rule.category, _preview(text)))
            # detached, not destroyed (what ``strip_tags`` does, after a second search of the
            # tree): an element found inside one detached before stays valid
            node.decompose(recursive=False)


def _prune_chrome(root: LexborNode, page_chars: int, removals: list[Removal], toc_entries: set[str]) -> None:
    """Remove the chrome containers inside ``root`` (named so by their class or id), recording each.

    Done where the extractor looks (the story region; the body only when the extractor runs
    on it). A container holding more than ``_CHROME_MAX_SHARE`` of the page's ``page_chars``
    is a layout wrapper, not chrome. The entries of a table of contents removed here are added
    to ``toc_entries``: syndicating sites re-inject them as headings between the paragraphs.
    """
    doomed: list[tuple[LexborNode, Rule, str]] = []
    removed: set[int] = set()
    verdicts: dict[str, Rule | None] = {}  # _chrome_rule by "class id": a page repeats a few of them
    # The loop visits most of the page's elements: lexbor lists each once (an element matching
    # both parts of "[class],[id]" would be listed twice), and the root, which its css()
    # includes, is left out.
    nodes = root.css("[class],[id]:not([class])")
    if nodes and nodes[0].mem_id == root.mem_id:
        nodes = nodes[1:]
    for node in nodes:
        # (one lookup and the id property: cheaper than the dict of all its attributes)
        names = f"{node.attrs.get('class') or ''} {node.id or ''}"
        rule = verdicts[names] if names in verdicts else verdicts.setdefault(names, _chrome_rule(names))
        if rule is None or node.tag in _KEEP_TOP or _under(node, removed):
            continue
        text = node.text(deep=True)
        if len(text) > _CHROME_MAX_SHARE * page_chars or node.css_first("article,main,h1") is not None:
            continue
        doomed.append((node, rule, text))
        removed.add(node.mem_id)
    for node, rule, _ in list(doomed):
        if rule.reinjected and not _list_entries(node):
            # a title box alone ("Table of Contents"): the list it introduces follows it
            listing = _list_after(node)
            if (
                listing is not None
                and listing.mem_id not in removed
                and not _under(listing, removed)
                and not any(_under(other, {listing.mem_id}) for other, _, _ in doomed)
            ):
                doomed.append((listing, rule, listing.text(deep=True)))
                removed.add(listing.mem_id)
    for node, rule, text in doomed:
        if not _blank(text):
            removals.append(Removal(rule.id, rule.category, _preview(text)))
        if rule.reinjected:
            toc_entries.update(_list_entries(node))
        node.decompose()
    _prune_toc_by_heading(root, removals, toc_entries)


def _list_entries(node: LexborNode) -> set[str]:
    entries = {normal(item.text(deep=True)) for item in node.css("li")}
    return {entry for entry in entries if entry}


def _prune_toc_by_heading(root: LexborNode, removals: list[Removal], toc_entries: set[str]) -> None:
    """Remove a table of contents announced by its heading text alone ("Table of Contents"
    followed by a list), recording its entries."""
    rule = RULES_BY_ID.get(TOC_RULE)
    if rule is None or rule.text is None:
        return
    # one pass over the text instead of one per element; over its bytes, lower-cased in ASCII
    # (the only others lowered to ASCII are "İ", to "i" and a dot, and the Kelvin sign, to "k":
    # no word has either), not its characters: several times faster, the same answer
    page = root.text(deep=True).encode("utf-8", "surrogatepass").lower()
    if not any(word in page for word in _TOC_BYTES):
        return
    # lexbor finds the elements whose own text holds the words, in C; the rule decides
    for node in root.css(_TOC_CANDIDATES):
        if node.mem_id == root.mem_id:
            continue
        text = node.text(deep=True)
        if len(text) > 40 or not rule.matches_text(" ".join(text.split())):
            continue
        listing = _list_after(node)
        if listing is not None:
            toc_entries.update(_list_entries(listing))
            removals.append(Removal(rule.id, rule.category, _preview(text)))
            removals.append(Removal(rule.id, rule.category, _preview(listing.text(deep=True))))
            listing.decompose()
            node.decompose()
            return


def _is_listing(node: LexborNode) -> bool:
    """A list and little else: a table of contents is its entries. A container that merely
    holds a list somewhere in its prose (the story after an "In this article" box) is not."""
    entries = node.css("li")
    if not entries:
        return False
    listed = sum(len(" ".join(item.text(deep=True).split())) for item in entries)
    return 0 < len(" ".join(node.text(deep=True).split())) <= _LISTING_SLACK * listed


def _list_after(node: LexborNode) -> LexborNode | None:
    """The list a heading introduces: a following sibling of it, or of one of its two nearest
    parents (the heading may sit in its own wrapper), that is or holds a list."""
    anchor: LexborNode | None = node
    for _ in range(3):
        if anchor is None:
            return None
        sibling = anchor.next
        for _ in range(4):
            while sibling is not None and sibling.tag in ("-text", "-comment"):
                sibling = sibling.next
            if sibling is None:
                break
            if sibling.tag in ("ul", "ol") or sibling.css_first("li") is not None:
                return sibling if _is_listing(sibling) else None
            sibling = sibling.next
        anchor = anchor.parent
    return None


def _story_region(body: LexborNode) -> tuple[LexborNode, int]:
    """The part of the page the story is in: a readability-style density estimate.

    Every paragraph of prose (``<p>``/``<pre>`` of at least ``_PARAGRAPH_CHARS`` characters,
    mostly not link text) gives its length to all its ancestors; the deepest element holding
    ``_REGION_SHARE`` of that weight holds the story's paragraphs. Headings, lead paragraphs
    and lists sit beside them in the template, so the region is taken ``_REGION_UP`` levels
    higher. The extractor then sees a few hundred nodes instead of thousands (faster) and
    fewer teasers around the story (more precise). No prose at all: the whole body.

    Also returns the page's prose length: a recall-oriented reading of the page, against
    which the extractor's output on the region is checked (``_main_text``).
    """
    story: list[tuple[int, tuple[int, ...]]] = []
    chrome: list[tuple[int, tuple[int, ...]]] = []
    # the ancestors (``mem_id``) of a paragraph's parent, and whether one is a chrome box: the
    # paragraphs of a story share their parent, whose chain is walked once
    chains: dict[int, tuple[tuple[int, ...], bool]] = {}
    boxed: dict[int, bool] = {}  # _is_chrome_box by element: the chains share their upper ancestors
    for para, length in prose_paragraphs(body, _PARAGRAPH_CHARS):
        parent = para.parent
        if parent is None:
            story.append((length, ()))
            continue
        chain = chains.get(parent.mem_id)
        if chain is None:
            chain = chains[parent.mem_id] = _ancestry(parent, boxed)
        ancestors, in_box = chain
        (chrome if in_box else story).append((length, ancestors))
    # Prose in a page footer, a menu, an aside or a dialog (the legal texts of a shop's modal
    # windows) is not the story; all of it is, when the page has no other (a <footer> around
    # the whole page).
    weighed = story or chrome
    weight: dict[int, int] = {}
    total = 0
    for length, ancestors in weighed:
        total += length
        for mem_id in ancestors:
            weight[mem_id] = weight.get(mem_id, 0) + length
    if not total:
        return body, 0
    region = body
    while True:
        child = next(
            (c for c in region.iter(include_text=False) if weight.get(c.mem_id, 0) >= _REGION_SHARE * total),
            None,
        )
        if child is None:
            break
        region = child
    for _ in range(_REGION_UP):
        if region.tag == "body" or region.parent is None:
            break
        region = region.parent
    return _story_container(region), total


def _ancestry(parent: LexborNode, boxed: dict[int, bool]) -> tuple[tuple[int, ...], bool]:
    """A paragraph's ``parent`` and its ancestors up to ``<body>`` (``mem_id``), and whether one
    of them is a chrome box (``_is_chrome_box``, memoised in ``boxed`` by ``mem_id``)."""
    ancestors = []
    in_box = False
    node: LexborNode | None = parent
    while node is not None:
        mem_id = node.mem_id
        ancestors.append(mem_id)
        verdict = boxed.get(mem_id)
        if verdict is None:
            verdict = boxed[mem_id] = _is_chrome_box(node)
        in_box = in_box or verdict
        if node.tag == "body":
            break
        node = node.parent
    return tuple(ancestors), in_box


def _is_chrome_box(node: LexborNode) -> bool:
    """A page footer, menu, aside or dialog window: what a reader does not read as the story."""
    if node.tag in _CHROME_BOXES:
        return True
    attrs = node.attributes
    return attrs.get("role") in _CHROME_ROLES or attrs.get("aria-modal") == "true"


def _story_container(region: LexborNode) -> LexborNode:
    """The ``<article>`` or ``<main>`` element around the region, if there is one.

    The extractor reads a story by its container: given a grid cell inside ``<main>`` it
    takes the paragraphs of one text block and leaves the story's headings and lists that
    sit in the cells beside it (measured: a third of the story on such pages)."""
    node = region.parent
    while node is not None and node.tag not in ("body", "html"):
        if node.tag in _STORY_CONTAINERS or node.attributes.get("role") == "main":
            return node
        node = node.parent
    return region


def _block_text(region: LexborNode) -> str:
    """The region's text blocks, one per line: the body of a story region too large for the
    extractor (lxml and its rules would take minutes on megabytes of text)."""
    lines = []
    for node in region.css(_TEXT_BLOCKS):
        if len(node.css(_TEXT_BLOCKS)) > 1:  # lexbor's css() includes the node itself
            continue  # a container: its own blocks are taken one by one
        text = " ".join(node.text(deep=True).split())
        if text:
            lines.append(f"- {text}" if node.tag == "li" else text)
    return "\n".join(lines)


def _outer(node: LexborNode) -> str:
    inner = node.inner_html if node.tag == "body" else node.html
    return f"<html><body>{inner or ''}</body></html>"


def _prune_layout(region: LexborNode, page_chars: int, removals: list[Removal]) -> None:
    """Remove the layout elements inside the story region (``html.layout``), recording each.

    The extractor drops them anyway; removed first, they cost it no parsing or matching. As
    for chrome containers, one holding more than ``_CHROME_MAX_SHARE`` of the page's text is a
    wrapper (a ``<form>`` around a whole ASP.NET page, a ``<figure>`` around a story), not layout.
    """
    rule = RULES_BY_ID.get(LAYOUT_RULE)
    if rule is None or not rule.tags:
        return
    removed: set[int] = set()
    # (in document order, none inside another: a text stays as read until its element goes)
    doomed: list[tuple[LexborNode, str]] = []
    for node in region.css(",".join(sorted(rule.tags))):
        if _under(node, removed):
            continue
        text = node.text(deep=True)
        if len(text) <= _CHROME_MAX_SHARE * page_chars:
            doomed.append((node, text))
            removed.add(node.mem_id)
    for node, text in doomed:
        if not _blank(text):
            removals.append(Removal(rule.id, rule.category, _preview(text)))
        node.decompose()


def _prune_tables(region: LexborNode, removals: list[Removal]) -> None:
    """Undo table layout inside the story region (``html.layout-table``).

    Rows that hold nothing but links and separators (a menu, "Top | Back", "E-mail this
    article | Printable version") or nothing at all go. A table used as the page's grid (a cell
    holds blocks, line breaks or a column of text) becomes plain blocks, one per cell: read as
    a table, its story would come out as one "| menu | story |" row.
    """
    rule = RULES_BY_ID.get(TABLE_RULE)
    if rule is None:
        return
    removed: set[int] = set()
    doomed: list[tuple[LexborNode, str]] = []
    for row in region.css("tr"):
        if _under(row, removed):
            continue
        text = " ".join(row.text(deep=True).split())
        if len(text) > _LINE_CHARS:
            continue
        words = _SEPARATORS.sub("", text)
        links = _SEPARATORS.sub("", "".join(a.text(deep=True) for a in row.css("a")))
        if len(words) <= len(links):
            doomed.append((row, text))
            removed.add(row.mem_id)
    for row, text in doomed:
        if text:
            removals.append(Removal(rule.id, rule.category, _preview(text)))
        row.decompose()
    plain: set[int] = set()  # tables found not to be layout: replacing another one leaves them so
    for _ in range(_MAX_LAYOUT_TABLES):
        table = None
        for candidate in region.css("table"):
            if candidate.mem_id in plain:
                continue
            if _is_layout_table(candidate):
                table = candidate
                break
            plain.add(candidate.mem_id)
        if table is None:
            break
        cells = "".join(f"<div>{cell.inner_html or ''}</div>" for cell in _own_cells(table))
        grid = LexborHTMLParser(f"<div>{cells}</div>").body
        if grid is None or grid.child is None:
            break
        table.replace_with(grid.child)


def _own_cells(table: LexborNode) -> list[LexborNode]:
    """The cells of ``table`` itself, not of the tables nested in them."""
    return [cell for cell in table.css("td,th") if in_table(cell, table)]


def _is_layout_table(table: LexborNode) -> bool:
    if len(table.text(deep=True)) < _LAYOUT_CELL_CHARS:
        return False  # no cell can hold a column of text: most tables, decided in one call
    for cell in table.css("td,th"):
        # (a cell's text is at least as long as its spacing collapsed: most are ruled out
        # unsplit; then the cells of nested tables, by the walk up to their table, before any
        # long text is split)
        text = cell.text(deep=True)
        if len(text) >= _LAYOUT_CELL_CHARS and in_table(cell, table) and _spaced_at_least(text, _LAYOUT_CELL_CHARS):
            return True
    return False


def _prune_lines(region: LexborNode, removals: list[Removal]) -> None:
    """Remove the short blocks of the story region that a line rule matches as a whole.

    Done on the markup, before the extractor, so that chrome the extractor would drop silently
    ("Source link", "Post Views: 81", a share label) is removed by a named rule instead, and
    chrome it would keep is gone. Section rules need the blocks after their heading and run
    on the extracted paragraphs (``_apply_text_rules``).
    """
    rules = tuple(r for r in RULES if r.text is not None and r.scope == "line")
    any_rule = union(rules)
    removed: set[int] = set()
    doomed: list[tuple[LexborNode, Rule, str]] = []
    for node in region.css(_LINE_BLOCKS):
        words = node.text(deep=True).split()
        if not words or sum(map(len, words)) + len(words) - 1 > _LINE_CHARS:
            continue  # (most blocks are paragraphs: measured without joining their words)
        text = " ".join(words)
        if not any_rule.admits(text):
            continue
        if is_prose(text) or _under(node, removed):
            continue
        rule = next((r for r in rules if r.matches_text(text)), None)
        if rule is not None:
            doomed.append((node, rule, text))
            removed.add(node.mem_id)
    for node, rule, text in doomed:
        removals.append(Removal(rule.id, rule.category, _preview(text)))
        node.decompose()


def _main_text(body: LexborNode, removals: list[Removal], toc_entries: set[str]) -> tuple[str, str]:
    """The story text and the reader that gave it: the parse-once reader (``extract.reader``)
    where it is confident; else trafilatura on the story region, on the whole body with
    trafilatura's fallback extractors only when that under-delivers (module docstring, step 5)."""
    # imported on first use: the runner's main process never extracts, and trafilatura with
    # lxml is ~50 MB of its memory
    import trafilatura

    # trafilatura.extract's keywords (each of its own type)
    options: dict[str, Any] = {
        "include_comments": False,
        "favor_precision": False,
        "deduplicate": False,
        "output_format": "txt",
        "with_metadata": False,
    }
    page_chars = len(body.text(deep=True))
    region, prose = _story_region(body)
    _prune_chrome(region, page_chars, removals, toc_entries)
    _prune_layout(region, page_chars, removals)
    _prune_tables(region, removals)
    _prune_lines(region, removals)
    fast = read_region(region, prose)
    if fast.confident and _covers_page(fast.text, body, page_chars):
        beside = RULES_BY_ID[BESIDE_STORY_RULE]
        removals.extend(Removal(beside.id, beside.category, _preview(text)) for text in fast.skipped)
        return _recover_chunks(fast.text, region), READER_FAST
    reading = _reading(body)
    markup = _outer(region)
    if _too_large(region, markup):
        return _block_text(region), READER_BLOCKS
    if _elements(markup) > _MAX_EXTRACTOR_ELEMENTS:
        return (_recover_chunks(fast.text, region), READER_FAST) if fast.text else (_block_text(region), READER_BLOCKS)
    if _hollow(region):
        markup = _outer(region)
    text = trafilatura.extract(markup, fast=True, **options) or ""
    short = len(text) < _SHORT_TEXT
    # several times the page's whole text outside links and its prose: the reading is its link
    # lists and menus (a page of cards, each a link around its paragraph, has prose in links)
    links = len(text) > _LINKS_OVER * max(reading, prose)
    if not short and not links and len(text) >= _RECALL_SHARE * prose and len(text) >= _PAGE_SHARE * reading:
        return _recover_chunks(text, region), READER_REGION
    # Under-delivered: short, or much less than the page's prose or its text (the region was
    # chosen wrong, or the extractor took one block of it); or over-delivered: menus. The whole
    # body then, with trafilatura's fallback extractors (readability, jusText).
    _prune_chrome(body, page_chars, removals, toc_entries)
    page = _outer(body)
    if _too_large(body, page):
        return text, READER_REGION
    if _hollow(body):
        page = _outer(body)
    wide = trafilatura.extract(page, fast=False, **options) or ""
    if short:
        better = len(wide) > len(text)
    elif links:
        # a reading of the story rather than of the links: shorter, and not short itself
        better = _SHORT_TEXT <= len(wide) < len(text)
    else:
        # A longer reading of the whole page is taken only for the story it adds: its prose
        # alone (not the menus, teasers and comments a page-wide reading also picks up) must
        # be several times the region's whole reading.
        better = _prose_chars(wide) >= _WIDE_GAIN * len(text)
    chosen, reader = (wide, READER_PAGE) if better else (_recover_chunks(text, region), READER_REGION)
    if prose == 0 or _prose_chars(chosen, chrome=False) > 0:
        return chosen, reader
    # No prose at all in the readings of a page that has some (a cookie notice is no prose):
    # on a forum or a discussion page the prose is the posts, which the extractor reads as
    # comments. They are the body when they hold the prose the readings above missed. (A story
    # with comments under it keeps its story: its reading has prose.)
    posts = _once(trafilatura.extract(markup, fast=True, **{**options, "include_comments": True}) or "")
    gain = _prose_chars(posts)
    if gain >= _RECALL_SHARE * prose and gain >= _WIDE_GAIN * len(chosen):
        return posts, READER_REGION
    return chosen, reader


def _once(text: str) -> str:
    """``text`` without the repeats of its paragraphs: the extractor, asked for comments, gives
    posts that it also took as the main text a second time."""
    seen: set[str] = set()
    lines = []
    for line in text.split("\n"):
        if len(line) >= _PARAGRAPH_CHARS:
            if line in seen:
                continue
            seen.add(line)
        lines.append(line)
    return "\n".join(lines)


def _hollow(root: LexborNode) -> int:
    """Remove the elements under ``root`` that hold no text, and its comments, before the markup
    goes to the extractor: icon and image boxes, spacers, empty list items. The
    extractor's time grows with the elements it is handed, and over a quarter of a story
    region's hold no text (measured on wcxb-dev); it would read nothing from them.

    Kept: line breaks, rules and table cells (they part the text or keep a grid), an element
    carrying a long attribute (data an extractor may read), and an element next to text, which
    it may part from the text beside it. Returns the number of subtrees removed."""
    full = _with_text(root)
    doomed: list[LexborNode] = []
    dead: set[int] = set()
    for node in root.traverse(include_text=False):
        mem_id = node.mem_id
        if mem_id in full:
            continue
        parent = node.parent
        if parent is not None and parent.mem_id in dead:
            dead.add(mem_id)
            continue
        if node.tag != "-comment" and (
            node.tag in _HOLLOW_KEEP
            or _holds_text(node)
            or _beside_text(node)
            or _HOLLOW_KEPT.search(node.html or "") is not None
        ):
            continue
        doomed.append(node)
        dead.add(mem_id)
    for node in doomed:
        node.decompose()
    return len(doomed)


def _with_text(root: LexborNode) -> set[int]:
    """``root`` and the elements under it that hold text other than spacing (``mem_id``): each
    such text node marks its ancestors, in one walk (not one text walk per element)."""
    full = {root.mem_id}
    for node in root.traverse(include_text=True):
        if node.tag != "-text" or not (node.text_content or "").strip():
            continue
        parent = node.parent
        while parent is not None and parent.mem_id not in full:
            full.add(parent.mem_id)
            parent = parent.parent
    return full


def _holds_text(node: LexborNode) -> bool:
    """Whether ``node`` holds text, or spacing that may be all that parts the words around it
    (``<span class="w"> </span>`` between two tokens of a code listing): spacing counts but
    when a sibling next to ``node`` is text (spacing too, or ``_beside_text`` would keep it)."""
    text = node.text(deep=True)
    if not text:
        return False
    if text.strip():
        return True
    return not any(sibling is not None and sibling.tag == "-text" for sibling in _neighbours(node))


def _neighbours(node: LexborNode) -> tuple[LexborNode | None, LexborNode | None]:
    """The siblings just before and after ``node``, comments aside."""
    before = node.prev
    while before is not None and before.tag == "-comment":
        before = before.prev
    after = node.next
    while after is not None and after.tag == "-comment":
        after = after.next
    return before, after


def _beside_text(node: LexborNode) -> bool:
    """Whether a sibling next to ``node`` (comments aside) is text other than spacing."""
    return any(
        sibling is not None and sibling.tag == "-text" and bool((sibling.text_content or "").strip())
        for sibling in _neighbours(node)
    )


def _elements(markup: str) -> int:
    """The elements in ``markup`` as lexbor serialises it (start tags: "<" not followed by "/"),
    counted in two C-level passes; an extractor's time grows with them, not with the bytes."""
    return markup.count("<") - markup.count("</")


def _too_large(node: LexborNode, markup: str) -> bool:
    """Whether ``node`` (as ``markup``) is too much for the extractor (see _MAX_EXTRACTOR_TEXT)."""
    return len(markup) > _MAX_EXTRACTOR_MARKUP or len(node.text(deep=True)) > _MAX_EXTRACTOR_TEXT


def _covers_page(text: str, body: LexborNode, page_chars: int) -> bool:
    """Whether ``text`` holds ``_PAGE_SHARE`` of the page's text outside links (``_reading``).

    That text is at most the page's whole text, spacing collapsed, which is at most
    ``page_chars`` (its length before the region was pruned): when a bound settles it, the
    passes over the page's text and every link are spared."""
    if len(text) >= _PAGE_SHARE * page_chars or len(text) >= _PAGE_SHARE * _spaced_len(body.text(deep=True)):
        return True
    return len(text) >= _PAGE_SHARE * _reading(body)


def _reading(body: LexborNode) -> int:
    """The page's text outside links, spacing collapsed: what a recall-first reader could take."""
    return _spaced_len(body.text(deep=True)) - sum(_spaced_len(a.text(deep=True)) for a in body.css("a"))


def _spaced_len(text: str) -> int:
    """``len(" ".join(text.split()))`` without building the joined string."""
    words = text.split()
    return sum(map(len, words)) + len(words) - 1 if words else 0


def _spaced_at_least(text: str, chars: int) -> bool:
    """``_spaced_len(text) >= chars``, mostly decided on a prefix of ``text``: the prefix's
    spacing collapsed is never longer than the whole text's (its words are the text's first
    words, the last maybe cut short), so a page column is not split whole.

    >>> _spaced_at_least("word  " * 400, 1000), _spaced_at_least(" " * 3000 + "word", 4)
    (True, True)
    """
    return _spaced_len(text[: 2 * chars]) >= chars or _spaced_len(text) >= chars


def _prose_chars(text: str, chrome: bool = True) -> int:
    """Characters in the paragraphs of ``text`` that are prose (long, ending a sentence); with
    ``chrome=False``, not counting the paragraphs a line rule removes (a cookie notice).

    A line that starts with spacing continues the one before it: the extractor keeps the line
    breaks of a paragraph wrapped in the page's source, which would make its prose look like a
    column of short lines."""
    paragraphs: list[str] = []
    for line in text.split("\n"):
        if paragraphs and line[:1].isspace():
            paragraphs[-1] += " " + line.strip()
        else:
            paragraphs.append(line)
    prose = [para for para in paragraphs if is_prose(para)]
    if not chrome:
        any_rule = union(RULES)
        prose = [para for para in prose if line_rule((para,), False, RULES, any_rule) is None]
    return sum(map(len, prose))


def _container_key(node: LexborNode | None) -> str:
    """Tag and class of a paragraph's container ("" when it has no class: too generic)."""
    if node is None:
        return ""
    cls = (node.attributes.get("class") or "").strip()
    return f"{node.tag}.{cls}" if cls else ""


def _recover_chunks(text: str, region: LexborNode) -> str:
    """Add back story paragraphs the extractor skipped because the page splits the story into
    several containers of one kind ("article__chunks" between ads): the extractor takes the
    first container only. A prose paragraph of the region that it left out comes back when it
    sits in *another* container with the same tag and class as a container whose paragraphs it
    kept (what it dropped from a container it read, it dropped on purpose); it goes after the
    kept paragraph that precedes it in the page.
    """
    lines = text.split("\n")
    # (only the lines long enough to be one of the paragraphs below: spacing collapsed, a line
    # is never longer)
    index = {" ".join(line.split()).lstrip("- "): i for i, line in enumerate(lines) if len(line) >= _PARAGRAPH_CHARS}
    paragraphs = []  # (text, container) of the region's paragraphs long enough to be prose
    for para in region.css("p"):
        raw = para.text(deep=True)
        if len(raw) < _PARAGRAPH_CHARS:
            continue  # (collapsing its spacing never lengthens a text)
        block = " ".join(raw.split())
        if len(block) >= _PARAGRAPH_CHARS:
            paragraphs.append((block, para))
    read = {para.parent.mem_id for block, para in paragraphs if block in index and para.parent is not None}
    kept_keys = {_container_key(para.parent) for block, para in paragraphs if block in index} - {""}
    if not kept_keys:
        return text
    inserts: dict[int, list[str]] = {}
    anchor = -1  # before the first line
    for block, para in paragraphs:
        if block in index:
            anchor = index[block]
            continue
        parent = para.parent
        if parent is None or parent.mem_id in read or _container_key(parent) not in kept_keys:
            continue
        links = sum(len(a.text(deep=True)) for a in para.css("a"))
        if is_prose(block) and links <= 0.3 * len(block):
            inserts.setdefault(anchor, []).append(block)
    if not inserts:
        return text
    out = list(inserts.get(-1, []))
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(inserts.get(i, []))
    return "\n".join(out)


def _syndicated(paras: Sequence[tuple[str, bool]]) -> bool:
    """Whether the reading is wire copy: a paragraph of it is a wire dateline, byline or credit
    line (anywhere: a republisher's add-ons may stand before the dateline and after the credit)."""
    return any(detect_wire([text]) is not None for text, _ in paras)


def _apply_text_rules(
    paras: list[tuple[str, bool]], removals: list[Removal], toc_entries: set[str]
) -> list[str]:
    """The paragraphs the text rules keep; a ``Removal`` for each one they take out.

    ``toc_entries`` are the (normalised) entries of a table of contents already removed from
    the page; a heading-like paragraph equal to one of them is one of its re-injected headings.
    The add-on sections a republisher puts around wire copy (rules marked ``wire_add_on``: "Quick
    Summary", "Key Takeaways", FAQ) go from wire copy only: on a page of its own a site's FAQ
    or summary is written with the story and is part of it.
    """
    hits: dict[int, Rule] = {}
    any_rule = union(RULES)
    syndicated: bool | None = None
    for i, (text, is_item) in enumerate(paras):
        rule = line_rule((text,), is_item, RULES, any_rule)
        if rule is not None and rule.wire_add_on:
            syndicated = _syndicated(paras) if syndicated is None else syndicated
            if not syndicated:
                continue
        if rule is not None:
            hits[i] = rule
    verdict: dict[int, Rule] = {}
    toc_entries = set(toc_entries)
    for i in sorted(hits):
        rule = hits[i]
        verdict.setdefault(i, rule)
        if rule.scope != "section":
            continue
        for j in range(i + 1, section_end(paras, i, rule, hits.__contains__)):
            verdict.setdefault(j, rule)
            if rule.reinjected:
                toc_entries.add(normal(paras[j][0]))
    if toc_entries and (syndicated if syndicated is not None else _syndicated(paras)):
        # a republisher re-injects its table of contents' entries as headings; on a page of
        # its own they are the story's section headings
        toc_rule = RULES_BY_ID[TOC_RULE]
        for i, (text, _) in enumerate(paras):
            if i not in verdict and heading_like(text) and normal(text) in toc_entries:
                verdict[i] = toc_rule
    kept = []
    for i, (text, _) in enumerate(paras):
        rule = verdict.get(i)
        if rule is None:
            kept.append(text)
        else:
            removals.append(Removal(rule.id, rule.category, _preview(text)))
    return kept


def _trim_to_dateline(paragraphs: list[str], removals: list[Removal]) -> list[str]:
    """Drop the short lines above a wire dateline near the top of the body.

    Wire copy starts at its dateline ("SEOUL (Reuters) -"); what a republisher puts above it
    inside the article container is its own headline, byline or injected heading. Only short
    lines go: a paragraph of prose above the dateline means the page is not simply wire copy.
    """
    rule = RULES_BY_ID.get(DATELINE_RULE)
    if rule is None:
        return paragraphs
    for index, para in enumerate(paragraphs[:_DATELINE_WITHIN]):
        found = detect_wire([para])
        if found is not None and found[1] == "dateline":
            head = paragraphs[:index]
            if not head or any(word_count(p) > _HEAD_LINE_WORDS for p in head):
                return paragraphs
            removals.extend(Removal(rule.id, rule.category, _preview(p)) for p in head)
            return paragraphs[index:]
    return paragraphs


def _split(text: str) -> list[tuple[str, bool]]:
    """Extractor output → (paragraph, is_list_item); the list marker the extractor added goes."""
    paras = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        marker = _LIST_MARKER.match(line)
        if marker:
            line = line[marker.end() :].strip()
            if not line:
                continue
        paras.append((line, marker is not None))
    return paras


def _grounded(paragraphs: list[str], page_text: str) -> list[str]:
    """Only paragraphs whose every word occurs in the page's text (its text nodes joined)."""
    # Fast path: the paragraph, spacing collapsed, is a substring of the page's text. The
    # extractor may join or split inline elements differently than the parser's text ("<b>W</b>hile"
    # is one word), so a paragraph that fails it is checked word by word.
    # The extractor also glues the text of adjacent elements ("<h3>Cookies</h3><p>Small files" →
    # "CookiesSmall files", "mode is <code>cors</code>" → "mode iscors") and drops characters
    # that show nothing (private-use code points of a page decoded with the wrong charset, zero
    # widths): such a token is the page's own characters, in order, once the page's spacing and
    # those characters are taken out.
    # Flattening the page's text costs more than all the searches (inline scripts make it
    # megabytes), and the paragraphs are mostly in it as they are: each is first looked for in
    # the page's text itself (found there, it is in the flattened text too: its spaces are
    # single and between other characters), and the text is flattened on the first miss.
    flat: str | None = None
    raw_start = 0
    vocabulary: set[str] | None = None
    looked = 0  # words looked up so far
    squeezed: str | None = None
    kept = []
    start = 0  # paragraphs come in the page's order: each is looked for after the one before first
    for para in paragraphs:
        words = para.split()
        spaced = " ".join(words)
        if flat is None:
            found = page_text.find(spaced, raw_start)
            if found >= 0:
                raw_start = found + len(spaced)
                kept.append(para)
                continue
            # most misses are the page's own line breaks or runs of spaces inside the paragraph:
            # the page's text from the next occurrence of its first word, flattened, begins with it
            found = page_text.find(words[0], raw_start) if words else -1
            if found >= 0 and _flat_prefix(page_text, found, len(spaced)).startswith(spaced):
                raw_start = found + len(words[0])
                kept.append(para)
                continue
            flat = " ".join(page_text.split())
        found = flat.find(spaced, start)
        # not after the paragraph before: anywhere before it (up to where the search began)
        if found >= 0 or flat.find(spaced, 0, start + len(spaced) - 1) >= 0:
            start = found + len(spaced) if found >= 0 else start
            kept.append(para)
            continue
        tokens = _TOKEN.findall(para)
        looked += len(tokens)
        if vocabulary is None and looked > _VOCABULARY_AFTER:
            vocabulary = set(_TOKEN.findall(flat))  # a lookup table for long paragraphs, nothing more
        unknown = [tok for tok in tokens if (vocabulary is None or tok not in vocabulary) and tok not in flat]
        if unknown:
            squeezed = squeezed if squeezed is not None else _INVISIBLE.sub("", "".join(flat.split()))
            if not all(_INVISIBLE.sub("", tok) in squeezed for tok in unknown):
                continue
        kept.append(para)
    return kept


def _flat_prefix(text: str, start: int, chars: int) -> str:
    """The beginning of ``text[start:]`` with its spacing collapsed, enough for a paragraph of
    ``chars`` characters unless the page spaces it very widely (a prefix of
    ``" ".join(text[start:].split())``: its last word may be cut short, and a paragraph that
    ends there is in the page all the same)."""
    return " ".join(text[start : start + 2 * chars + 200].split())


def _story_or_nothing(paragraphs: list[str], removals: list[Removal], html: str) -> list[str]:
    """No body rather than a page's chrome (``page.no-story``): a reading with no sentence,
    all of it the text of the page's navigation, header, footer or asides, is a menu the
    recall-first readings picked up on a page without a story (a bare section front, an error
    page) or whose story they lost (a short one, read past a menu's "Join the conversation" as
    comments); published, it would be a story of nothing, and one text on every such page of
    the site. Text of the page's own without a sentence ("Test", a caption) stays."""
    rule = RULES_BY_ID.get(NO_STORY_RULE)
    if rule is None or not paragraphs or any(map(ends_sentence, paragraphs)):
        return paragraphs
    # rare (no sentence at all): the page is parsed again, as it was before pruning
    chrome = " ".join(normal(node.text(deep=True)) for node in LexborHTMLParser(html).css(_CHROME_TEXT))
    if not all(normal(p) and normal(p) in chrome for p in paragraphs):
        return paragraphs
    removals.extend(Removal(rule.id, rule.category, _preview(p)) for p in paragraphs)
    return []


def extract_html(
    html: str, url: str | None = None, doc_id: str = "", config: ExtractConfig | None = None
) -> CleanDoc:
    """Extract the article body and metadata of one HTML page.

    Chrome that never holds an article (scripts, cookie and newsletter boxes, share bars,
    related-post lists, comments) and the SEO add-ons syndicating sites put inside the article
    ("Quick Summary", "Key Takeaways", FAQ, injected tables of contents, "Source link") are
    removed, each with a ``Removal`` naming its rule. Paragraphs are text of the page.

    Raises ``BudgetExceeded`` for a page over ``config.max_bytes`` characters and
    ``ExtractionError`` if the parser fails; malformed or empty markup gives an empty body.

    >>> doc = extract_html("<html><body><article><h1>Talks resume</h1><p>SEOUL (Reuters) - "
    ...     "North and South Korea resumed talks on Monday after a pause of two years, officials "
    ...     "said, in a sign that relations are thawing.</p></article></body></html>")
    >>> doc.wire, doc.provenance["wire"]
    ('Reuters', 'dateline')
    """
    return html_doc(within_budget(html, config or ExtractConfig()), url, doc_id)


def html_doc(html: str, url: str | None = None, doc_id: str = "") -> CleanDoc:
    """``extract_html`` of a page within its budget: ``extract`` checks the budget once, in
    ``page_text``, then calls this."""
    if "\x00" in html:
        html = html.replace("\x00", "")
    html = cap_nesting(html)  # the tree builder is quadratic in depth
    try:
        tree = LexborHTMLParser(html)
    except UnicodeEncodeError:
        # lone surrogates (from bytes decoded with surrogateescape) cannot reach the C parser
        tree = LexborHTMLParser(html.encode("utf-8", "ignore").decode("utf-8"))
    except Exception as err:  # the parser's own failure, whatever its kind
        raise ExtractionError(f"HTML parser failed: {err}") from err
    removals: list[Removal] = []
    toc_entries: set[str] = set()
    meta = html_metadata(tree, url)  # before pruning: JSON-LD lives in <script> elements
    body = tree.body
    page_text = body.text(deep=True) if body is not None else ""
    try:
        _prune_tags(tree, removals)
        # the body alone: the extractor needs no <head> (metadata is read above)
        main, reader = ("", "")
        if body is not None and not _blank(page_text):
            main, reader = _main_text(body, removals, toc_entries)
    except (ValueError, TypeError, RecursionError) as err:
        raise ExtractionError(f"extraction failed: {err}") from err
    raw = _split(main)
    paragraphs = _apply_text_rules(raw, removals, toc_entries)
    paragraphs = _grounded(_trim_to_dateline(paragraphs, removals), page_text)
    paragraphs = _story_or_nothing(paragraphs, removals, html)
    meta = with_body(meta, paragraphs, [text for text, _ in raw])
    return CleanDoc(
        id=doc_id,
        paragraphs=tuple(paragraphs),
        url=meta.url,
        site=meta.site,
        title=meta.title,
        author=meta.author,
        date=meta.date,
        wire=meta.wire,
        language=meta.language,
        kind="html",
        provenance={**meta.provenance, "reader": reader} if reader else dict(meta.provenance),
        removals=tuple(removals),
    )
