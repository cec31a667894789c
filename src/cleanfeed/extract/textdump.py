"""Cleaning rendered plain-text dumps: the article body of a page that has lost its markup.

A dump is the visible text of a page, one block per line: the story sits between menus,
magazine lists, disclaimers, newsletter prompts, tag clouds, "Related Posts", archives and
footers, and syndicating sites add SEO blocks (a "Quick Summary", a table of contents whose
entries are re-injected as headings between the story's paragraphs, "Key Takeaways", FAQ).

How a page is cleaned, in order (each step records a ``Removal`` with a rule id for every line
it takes out, so ``--explain`` can say why a line left):

1. **Site template** (``template.recurring-line``): when a ``TemplateSnapshot`` learned from
   other pages of the same site is given, lines that recur across its different stories *in
   the same place* (with the same neighbour) are chrome. See ``extract.template``. Should
   the template leave nothing of the page, the page is cleaned without it.
2. **Chrome rules** (``extract.rules``, the rule set the HTML extractor applies too): a rule
   whose text pattern matches a whole line removes it; a section rule ("Key Takeaways", FAQ,
   "Related Posts") removes its heading and the block it introduces. Entries of a table of
   contents that re-appear between paragraphs go with it (``seo.table-of-contents``).
3. **Body detection** (``text.outside-body``): each line gets a score from its own features
   (length, sentence shape, stop-word density, list markers, title case, dates, counters,
   link-likeness); the story is the one contiguous run of lines with the highest total score,
   so short lines inside it survive while short lines far from it do not. The story's own
   structures weigh as a list's points, not as chrome: the lines of a list, table or code block
   that a line ending in a colon introduces ("You will need:"), and the entries of an
   enumeration ("1. ...", "Step 2", with text between them), whose paragraphs are not taken
   for a teaser list either; the rows of a table (tab-separated cells, or "| a | b |" rows, as
   many cells each) the same. A wire dateline
   ("SEOUL (Reuters) -") and a wire credit line ("(Reporting by ...)") are strong anchors: the
   body starts at the dateline and ends at the credit line.
4. **Short lines inside the body** are judged on their own (``text.short-line``): share labels,
   photo credits, dates, "Advertisement" go; a sub-heading followed by prose stays.
5. **Repeats** (``text.repeated-line``): a line that occurs again, word for word, in the page
   (the headline repeated under its image, a related-post list printed twice) keeps its first
   occurrence only where it is body; a heading printed three times or more (each entry's
   "Highlights" in a listing) is the page's structure and stays.

The output paragraphs are lines of the input, unchanged but for surrounding whitespace, so
cleaning never invents text; cleaning the output again changes nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..config import ExtractConfig
from ..lines import (
    DumpLine,
    date_share,
    digit_share,
    ends_sentence,
    is_link_like,
    line_memo,
    separator_count,
    split_lines,
    stop_density,
    title_case_ratio,
    word_count,
)
from ..metadata.dump import dump_metadata
from ..metadata.text import Dateline
from ..models import CleanDoc, Removal
from .budget import within_budget
from .paragraph_rules import heading_like, line_rule, normal, preview, section_end, union
from .rules import RECURRING, RULES, RULES_BY_ID, Rule
from .template import TEMPLATE_RULE, TemplateSnapshot

__all__ = ["clean_text_dump", "text_dump_doc"]

OUTSIDE_BODY = "text.outside-body"
SHORT_LINE = "text.short-line"
REPEATED_LINE = "text.repeated-line"
TEMPLATE_LINE = TEMPLATE_RULE
# Wire credits closing a story: "(Reporting by ...; Editing by ...)", "Writing by ...",
# "Associated Press writer X contributed", "Additional reporting by ...".
_CREDIT = re.compile(
    r"^\(?\s*(?:additional\s+)?(?:reporting|writing|editing|compiled|research)(?:\s+and\s+\w+)?\s+by\b.{0,400}$"
    r"|^.{0,200}\b(?:writers?|reporters?|correspondents?)\b.{0,120}\bcontributed\b.{0,80}$",
    re.IGNORECASE,
)
# Short lines that are chrome wherever they stand: ad slots, photo credits, captions' credits,
# "Continue reading", "Image for ...", "Featured image", "Advertisement".
_SHORT_CHROME = re.compile(
    r"(advertisement|advertising|sponsored(\s+content)?|ad|ads|anzeige|publicidad|publicidade|publicité"
    r"|[(\[]?(photo|image|picture|video|foto|фото|credit)s?(\s+(by|credit|courtesy))?\s*[:|]?.{0,80}"
    r"|image\s+for\b.{0,200}|featured\s+image\b.{0,200}|(continue|keep)\s+reading.{0,40}"
    r"|(click|tap)\s+(here|to)\b.{0,80}|(getty|reuters|ap|afp|epa)\s+images?.{0,40}|loading\.*"
    r"|(previous|next)\s+(\w+\s+){0,2}(post|article|story)\b.{0,200}|view\s+all\b.{0,60}|back\s+to\s+top"
    r"|(leave|add|post)\s+a\s+(comment|reply).{0,40}|\d+\s+comments?|no\s+comments?(\s+yet)?"
    r"|tags?\s*:.{0,300}|(filed|posted)\s+(in|under)\s*:?.{0,200}|categor(y|ies)\s*:.{0,200}"
    r"|home\s*[>»›/|].{0,300}|(published|posted|updated|last\s+updated)(\s+(on|by|at))?\s*:?.{0,80})",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Verdict:
    """Why a line left: the rule id and its category."""

    rule: str
    category: str


def _heading_like(line: DumpLine) -> bool:
    """A short line that is not a sentence: a heading, a menu entry, a headline."""
    return heading_like(line.content, line.marker)


# The wire anchors are memoised: every step of a section rule's block asks whether its line
# ends it, the body's bounds are snapped to them, and all again when the cleaning settles.
@line_memo
def _is_dateline(content: str) -> bool:
    """The line (its content) opens with a trusted wire dateline ("SEOUL (Reuters) -")."""
    if word_count(content) < 12:
        return False
    dateline = Dateline.at(content)
    return dateline is not None and dateline.trusted


@line_memo
def _is_credit(content: str) -> bool:
    """The line (its content) is a wire credit ("(Reporting by ...; Editing by ...)")."""
    return word_count(content) <= 80 and _CREDIT.match(content) is not None


_SCREEN = union(RULES)


@line_memo
def _rule_of(texts: tuple[str, ...], item: bool) -> Rule | None:
    """The chrome rule a line (its spellings, and whether it is a list item) matches:
    ``line_rule`` screened by the rules' union (one match rules out most lines), memoised: a
    pure function of the line, and a site's chrome lines recur on its pages while the kept
    lines are matched again when cleaning settles."""
    return line_rule(texts, item, RULES, _SCREEN)


def _rule_verdicts(lines: Sequence[DumpLine]) -> dict[int, _Verdict]:
    """Lines the chrome rules remove, with the rule that removes each."""
    hits: dict[int, Rule] = {}
    for line in lines:
        # a line without a list marker is its own content: one spelling to match
        texts = (line.text,) if line.content == line.text else (line.content, line.text)
        rule = _rule_of(texts, line.marker)
        if rule is not None:
            hits[line.index] = rule
    headings = Counter(rule.id for i, rule in hits.items() if rule.once and not lines[i].marker)
    hits = {i: rule for i, rule in hits.items() if headings[rule.id] < RECURRING}

    def stop(j: int) -> bool:  # another rule's line, or a wire dateline or credit, ends a section
        return j in hits or _is_dateline(lines[j].content) or _is_credit(lines[j].content)

    paras = [(line.content, line.marker) for line in lines]
    verdicts: dict[int, _Verdict] = {}
    toc_entries: dict[str, _Verdict] = {}  # re-injected entries → the rule that listed them
    for index in sorted(hits):
        rule = hits[index]
        verdicts[index] = _Verdict(rule.id, rule.category)
        # a section running to the page's end is cut later, once the body's start is known
        if rule.scope != "section" or rule.shape == "to-end":
            continue
        for j in range(index + 1, section_end(paras, index, rule, stop)):
            verdicts.setdefault(j, _Verdict(rule.id, rule.category))
            if rule.reinjected:
                toc_entries.setdefault(normal(lines[j].content), _Verdict(rule.id, rule.category))
    for line in lines if toc_entries else ():
        if line.index not in verdicts and normal(line.content) in toc_entries:
            verdicts[line.index] = toc_entries[normal(line.content)]
    return verdicts


# Line-score weights. A short line costs a little, so a sub-heading or a caption inside the
# story does not split it, while a run of menu entries outweighs a paragraph or two.
_SHORT_LINE_SCORE = -0.6
_MID_LINE_SCORE = -0.4
_LIST_ITEM_PENALTY = 0.4
_TITLE_CASE_SHARE = 0.8
_TITLE_CASE_PENALTY = 0.3
# A bulleted list's points (a few lower-case words each) weigh little against the body they
# sit in, so a long list between a story's paragraphs does not split it; menus and headline
# lists (title case, or one or two words) keep their full cost.
_LIST_PHRASE_SCORE = -0.15
_PHRASE_TITLE_SHARE = 0.5


@line_memo
def _content_score(content: str, marker: bool) -> float:
    """How much a line (its content, and whether it is a list item) looks like article prose,
    on its own (positive) or like chrome (negative). Memoised: a site's chrome lines recur on
    its pages, and the kept lines are scored again when the cleaning settles."""
    words = word_count(content)
    sentence = ends_sentence(content)
    if words < 4:
        score = _SHORT_LINE_SCORE
    elif words < 10:
        score = 0.2 if sentence else _MID_LINE_SCORE
    else:
        score = min(3.0, words / 12) * (1.0 if sentence else 0.5)
        if stop_density(content) < 0.08 and not _looks_cjk(content):
            score *= 0.4
    if marker and _list_phrase(content, words, sentence):
        score = _LIST_PHRASE_SCORE
    elif marker:
        score -= 0.3 if sentence and words >= 10 else _LIST_ITEM_PENALTY
    if is_link_like(content):
        score -= 1.0
    if separator_count(content) >= 2:
        score -= 1.0
    if date_share(content) > 0.5 or digit_share(content) > 0.4:
        score -= 0.6
    if words >= 3 and not sentence and title_case_ratio(content) > _TITLE_CASE_SHARE:
        score -= _TITLE_CASE_PENALTY
    return score


def _list_phrase(content: str, words: float, sentence: bool) -> bool:
    """A list item that reads as a phrase of the story ("Reduces stress and increases
    relaxation", a point of a bulleted list between its paragraphs), not as a menu entry or a
    headline: a few words, mostly lower case."""
    return 3 <= words < 10 and not sentence and title_case_ratio(content) <= _PHRASE_TITLE_SHARE


def _looks_cjk(text: str) -> bool:
    return word_count(text) > len(text.split()) * 1.5


def _best_block(scores: Sequence[float]) -> tuple[int, int]:
    """The contiguous run with the highest total score, as ``(start, end)`` (end exclusive)."""
    best, best_span = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, score in enumerate(scores):
        if total <= 0:
            total, start = 0.0, i
        total += score
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span


@line_memo
def _short_line_chrome(content: str) -> bool:
    """A short line (its content) inside the body that is chrome on its own terms. Memoised:
    the kept lines are tested again when the cleaning settles."""
    words = word_count(content)
    if words >= 10 and ends_sentence(content):
        return False
    if _SHORT_CHROME.fullmatch(content):
        return True
    if is_link_like(content) and words <= 6:
        return True
    if date_share(content) > 0.6 or (digit_share(content) > 0.5 and words <= 4):
        return True
    return separator_count(content) >= 2 and not ends_sentence(content)


def _first_prose(base: Sequence[float], verdicts: dict[int, _Verdict]) -> int:
    """Index of the first real paragraph (not chrome a rule has removed), or len(base)."""
    return next((i for i, score in enumerate(base) if score >= 1.5 and i not in verdicts), len(base))


_TEASER_GAP = 2
_TEASER_DAMPING = 0.3
# A teaser is a summary of a sentence or two; a series of paragraphs that run longer on the
# whole (a ranked list's entries, a gallery's text between pictures) is the story itself.
_TEASER_WORDS = 50


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _teasers_damped(
    scores: list[float], lines: Sequence[DumpLine], enumerated: frozenset[int] = frozenset()
) -> list[float]:
    """Damp paragraphs that stand alone between runs of short lines, in a series.

    A story's paragraphs follow each other, with at most a sub-heading or a caption between;
    teaser lists ("More from ...", a blog's front page) print each summary paragraph between
    a headline, an author, a category or a date. Three or more paragraphs in a row that each
    sit between at least two short lines are such a list, unless they are the entries of an
    enumeration (``enumerated``: "1. ...", "Step 2"; a ranked list's or a how-to's).
    """
    long = [i for i, score in enumerate(scores) if score >= 1.0]
    if len(long) < 3:
        return scores
    gaps = [b - a - 1 for a, b in pairwise(long)]
    isolated = [
        k
        for k in range(len(long))
        if (k == 0 or gaps[k - 1] >= _TEASER_GAP) and (k == len(long) - 1 or gaps[k] >= _TEASER_GAP)
        and long[k] not in enumerated
    ]
    out = list(scores)
    run: list[int] = []
    for k in [*isolated, -2]:
        if run and k == run[-1] + 1:
            run.append(k)
            continue
        if len(run) >= 3 and _median([word_count(lines[long[j]].content) for j in run]) < _TEASER_WORDS:
            for j in run:
                out[long[j]] *= _TEASER_DAMPING
        run = [k]
    return out


def _verdict_score(verdict: _Verdict, line: DumpLine) -> float:
    """The body-detection score of a line a rule or the template removes (``_body_span``). The
    line's own score is read (and computed: most such lines are chrome, never scored) only for
    an entry of a table of contents."""
    rule = RULES_BY_ID.get(verdict.rule)
    if rule is not None and rule.inline:
        return 0.0
    if rule is not None and rule.reinjected:
        return min(_content_score(line.content, line.marker), 0.0)
    return -2.0


# A slideshow's counter opening each slide's caption: "3/50 Title", "3 of 50".
_SLIDE_COUNTER = re.compile(r"(\d{1,3})\s*(?:/|of)\s*(\d{1,3})\b", re.IGNORECASE)
_MIN_SLIDES = 3


def _slideshow_damped(scores: list[float], lines: Sequence[DumpLine]) -> list[float]:
    """No body weight for the captions of a slideshow: three or more lines in a row counting
    "k/N" (k, k+1, k+2 ... of one N) open a gallery's slides, whose captions read as prose but
    are not the story (a news page's "in pictures" strip of 50 other stories after the
    article); its lines count as the short lines they are, never for the body."""
    counters: list[tuple[int, int, int]] = []  # (line, k, N)
    for i, line in enumerate(lines):
        match = _SLIDE_COUNTER.match(line.content)
        if match is not None:
            k, n = int(match.group(1)), int(match.group(2))
            if 1 <= k <= n and n >= _MIN_SLIDES:
                counters.append((i, k, n))
    out = list(scores)
    run: list[tuple[int, int, int]] = []
    for counter in [*counters, (-1, -1, -1)]:
        if run and counter[2] == run[-1][2] and counter[1] == run[-1][1] + 1:
            run.append(counter)
            continue
        if len(run) >= _MIN_SLIDES:
            step = max(1, (run[-1][0] - run[0][0]) // (len(run) - 1))
            for i in range(run[0][0], min(len(lines), run[-1][0] + step)):
                out[i] = min(out[i], 0.0)
        run = [counter]
    return out


# A line that introduces what follows ("Here are the average costs:", "You'll need:", "Minimal
# setup requires one line:"): the list, table or code it announces is the story's own, however
# short and bare its lines; they weigh as a list's points (``_LIST_PHRASE_SCORE``) up to the next
# paragraph, so that a story's list or code block does not split it. Its lines never count for
# the body, so a list introduced at the story's end stays out unless prose follows it.
_INTRODUCER_WORDS = 3
_INTRODUCED_LINES = 200


def _introduces(line: DumpLine) -> bool:
    """A line of a few words or more ending in a colon: it announces the block below it."""
    return line.content.rstrip().endswith(":") and word_count(line.content) >= _INTRODUCER_WORDS


def _introduced_lifted(
    scores: list[float], lines: Sequence[DumpLine], verdicts: dict[int, _Verdict], base: Sequence[float]
) -> list[float]:
    """Lines of a block a colon line introduces (``_introduces``) cost no more than a list's
    points, up to the next paragraph or line a rule or the template removed."""
    out = list(scores)
    for i, line in enumerate(lines):
        if i in verdicts or not _introduces(line):
            continue
        for j in range(i + 1, min(len(lines), i + 1 + _INTRODUCED_LINES)):
            if j in verdicts or base[j] >= 1.0 or _introduces(lines[j]):
                break
            out[j] = max(out[j], _LIST_PHRASE_SCORE)
    return out


# An item's number opening a line: "1. Multimeter" (the list marker the line lost), "Step 3",
# "#4", "No. 5".
_ORDINAL = re.compile(r"(?:(?:step|part|no\.|#)\s*(\d{1,3})[.):]?|(\d{1,3})[.)])(?:\s|$)", re.IGNORECASE)
_MIN_ENTRIES = 3


def _ordinal(line: DumpLine) -> int | None:
    """The number an enumeration's entry opens with ("1. Multimeter", "Step 3"), or None."""
    match = _ORDINAL.match(line.text)
    if match is None or word_count(line.content) >= 20:
        return None
    return int(match.group(1) or match.group(2))


def _enumerated(lines: Sequence[DumpLine], verdicts: dict[int, _Verdict]) -> frozenset[int]:
    """Lines of an enumeration whose entries hold text of their own: three or more lines
    numbered k, k+1, k+2 ... (``_ordinal``), with lines between them (a ranked list's entries,
    a how-to's steps; a numbered list of links has none), from the first entry to the end of
    the last (as many lines as an entry takes on average).
    Its paragraphs are the entries' text, not teasers (``_teasers_damped``), and its short
    lines (an entry's name, its facts) weigh as a list's points."""
    numbered = [(i, n) for i, line in enumerate(lines) if i not in verdicts and (n := _ordinal(line)) is not None]
    out: set[int] = set()
    run: list[tuple[int, int]] = []
    for entry in [*numbered, (-1, -1)]:
        if run and entry[1] == run[-1][1] + 1 and entry[0] > run[-1][0] + 1:
            run.append(entry)
            continue
        if len(run) >= _MIN_ENTRIES:  # the last entry runs as long as the others did
            step = (run[-1][0] - run[0][0]) // (len(run) - 1)
            out.update(range(run[0][0], min(len(lines), run[-1][0] + step)))
        run = [entry]
    return frozenset(out)


# A data table's rows, as renderers print them: cells split by tabs, or "| a | b |" between
# bars. Three or more rows in a row with the same number of cells are a table (a menu printed
# as "Home | News | Sport" has no bars at its ends); its rows are the story's data (a price
# list, a shopping list, a comparison), and weigh as a list's points.
_MIN_ROWS = 3


def _cells(line: DumpLine) -> int:
    """How many cells a table row has (0: the line is not a row)."""
    text = line.text
    if "\t" in text:
        return len(text.split("\t"))
    if len(text) > 2 and text[0] == "|" and text[-1] == "|":
        return text.count("|") - 1
    return 0


def _table_rows(lines: Sequence[DumpLine]) -> frozenset[int]:
    """Lines that are rows of a table: ``_MIN_ROWS`` or more in a row with as many cells,
    two or more each."""
    out: set[int] = set()
    run: list[int] = []
    width = 0
    for i, line in enumerate([*lines, None]):
        cells = _cells(line) if line is not None else 0
        if cells >= 2 and cells == width:
            run.append(i)
            continue
        if len(run) >= _MIN_ROWS:
            out.update(run)
        run, width = ([i], cells) if cells >= 2 else ([], 0)
    return frozenset(out)


def _body_span(
    lines: Sequence[DumpLine], verdicts: dict[int, _Verdict], base: Sequence[float], rows: frozenset[int]
) -> tuple[int, int]:
    """The article block: best-scoring contiguous run, then snapped to wire anchors.

    ``base`` holds each line's own score (``_content_score``), and for a line a rule or the
    template removed, the score its verdict gives it (``_verdict_score``): -2, but for the
    entries of a table of contents (``Rule.reinjected``): re-injected between the
    story's paragraphs they are its sub-headings, so they weigh as the short lines they are
    (never for the body) rather than as chrome that splits it.
    """
    enumerated = _enumerated(lines, verdicts)
    structured = enumerated | rows  # rows of a table (``_table_rows``)
    own = [_verdict_score(verdicts[i], lines[i]) if i in verdicts else score for i, score in enumerate(base)]
    lifted = [max(score, _LIST_PHRASE_SCORE) if i in structured else score for i, score in enumerate(own)]
    scores = _teasers_damped(
        _slideshow_damped(_introduced_lifted(lifted, lines, verdicts, base), lines), lines, enumerated
    )
    start, end = _best_block(scores)
    if end <= start:
        return 0, 0
    # A wire dateline opens the story: what sits above it (headline, byline, summary box,
    # injected headings) is not body, and a dateline just above the block pulls it up. It opens
    # a paragraph, never a list item ("* ADA-Accepted: Products are ..." in a product list).
    for i in range(max(0, start - 8), end):
        if i not in verdicts and not lines[i].marker and _is_dateline(lines[i].content):
            start = i
            break
    else:
        # The page's headline often opens the block (a long one scores like prose); the body
        # is what follows it.
        while start + 1 < end and _heading_like(lines[start]):
            start += 1
    # The wire's credit line closes the story; a credit just below the block is still body.
    for i in range(min(len(lines), end + 3) - 1, start, -1):
        if i not in verdicts and _is_credit(lines[i].content):
            end = i + 1
            break
    return start, end


def _removals(
    lines: Sequence[DumpLine], verdicts: dict[int, _Verdict]
) -> tuple[Removal, ...]:
    """One ``Removal`` per removed line, in page order."""
    return tuple(
        Removal(verdicts[i].rule, verdicts[i].category, preview(lines[i].text)) for i in sorted(verdicts)
    )


# The section rules whose block runs to the end of the page (a comment thread).
_TO_END = frozenset(rule.id for rule in RULES if rule.shape == "to-end")


# A line that is only a count: "1664", "12,408", "3.2k".
_COUNT = re.compile(r"[\d.,]+\s*[km]?", re.IGNORECASE)


def _field_label(lines: Sequence[DumpLine], i: int) -> bool:
    """Line ``i`` labels the count on the next line ("Comments:" over "1664" in a work's stats,
    among "Kudos:", "Hits:"): a field of a stats block, not the heading of a comment thread."""
    following = lines[i + 1].content.strip() if i + 1 < len(lines) else ""
    return lines[i].content.rstrip().endswith(":") and _COUNT.fullmatch(following) is not None


def _category(rule_id: str, default: str) -> str:
    rule = RULES_BY_ID.get(rule_id)
    return rule.category if rule else default


# What a repeat of a body line is told by (``normal``), memoised: the body's lines are keyed
# again when the cleaning settles, and its paragraphs are long (a quarter of the settling).
_repeat_key = line_memo(normal)


@dataclass(slots=True)
class _Printed:
    """How many times a page prints each line (its ``normal`` form), counted when first asked:
    only a heading that repeats in the body is asked about, and most pages have none."""

    lines: Sequence[DumpLine]
    counts: Counter[str] | None = None

    def __getitem__(self, key: str) -> int:
        if self.counts is None:
            self.counts = Counter(normal(line.content) for line in self.lines)
        return self.counts[key]


def _clean_lines(
    lines: list[DumpLine], template_lines: frozenset[int]
) -> tuple[list[DumpLine], dict[int, _Verdict]]:
    # A rule says more about a line than "it recurs on the site", so rule verdicts come first.
    verdicts = _rule_verdicts(lines)
    template = _Verdict(TEMPLATE_LINE, _category(TEMPLATE_LINE, "template"))
    for index in sorted(template_lines):
        verdicts.setdefault(index, template)
    # a line a rule or the template removed weighs as its verdict says, mostly unscored
    base = [
        _verdict_score(verdicts[i], line) if i in verdicts else _content_score(line.content, line.marker)
        for i, line in enumerate(lines)
    ]
    # A comment thread runs to the end of the page once prose has been seen above its heading;
    # a "Comments" line above any paragraph (a header link) is a line alone.
    first_prose = _first_prose(base, verdicts)
    for i in sorted(verdicts):
        if verdicts[i].rule in _TO_END and i > first_prose and not _field_label(lines, i):
            for j in range(i + 1, len(lines)):
                verdicts.setdefault(j, verdicts[i])
            break
    rows = _table_rows(lines)
    start, end = _body_span(lines, verdicts, base, rows)
    # a heading printed once per entry of a listing ("Highlights", "Why we chose it") is its
    # structure, not a line printed twice
    printed = _Printed(lines)
    outside = _Verdict(OUTSIDE_BODY, _category(OUTSIDE_BODY, "layout"))
    short = _Verdict(SHORT_LINE, _category(SHORT_LINE, "layout"))
    repeated = _Verdict(REPEATED_LINE, _category(REPEATED_LINE, "layout"))
    seen: set[str] = set()
    kept: list[DumpLine] = []
    for line in lines:
        i = line.index
        if i in verdicts:
            continue
        if i < start or i >= end:
            verdicts[i] = outside
            continue
        if i not in rows and _short_line_chrome(line.content):
            verdicts[i] = short
            continue
        key = _repeat_key(line.content)
        if key in seen and word_count(line.content) < 25 and not (_heading_like(line) and printed[key] >= RECURRING):
            verdicts[i] = repeated
            continue
        seen.add(key)
        kept.append(line)
    return kept, verdicts


def _settle(kept: list[DumpLine], verdicts: dict[int, _Verdict], rounds: int = 4) -> list[DumpLine]:
    """Clean the kept lines again, as a page of their own, until nothing more leaves.

    Removing chrome changes a line's surroundings (a short line that sat between two
    paragraphs may end up last), so one pass is not always a fixed point; iterating to one
    makes cleaning idempotent: cleaning the output again changes nothing. Lines that leave in
    a later round keep their verdict under their original index.
    """
    for _ in range(rounds):
        relaid = split_lines("\n\n".join(line.text for line in kept))
        again, more = _clean_lines(relaid, frozenset())
        if not more:
            return kept
        for index, verdict in more.items():
            verdicts[kept[index].index] = verdict
        kept = [kept[line.index] for line in again]
    return kept


@dataclass(frozen=True, slots=True)
class _Chrome:
    """The lines known as chrome, for the metadata reader: those a rule or the template removed,
    and those outside the body that are chrome on their own terms (``_short_line_chrome``).
    Looked up line by line, as the reader asks about a few header lines only: testing every
    line outside the body up front costs more than the rest of the metadata."""

    lines: Sequence[DumpLine]
    verdicts: Mapping[int, _Verdict]

    def __contains__(self, index: object) -> bool:
        if not isinstance(index, int) or index not in self.verdicts:
            return False
        return self.verdicts[index].rule != OUTSIDE_BODY or _short_line_chrome(self.lines[index].content)


def clean_text_dump(
    text: str,
    url: str | None = None,
    doc_id: str = "",
    config: ExtractConfig | None = None,
    templates: TemplateSnapshot | None = None,
) -> CleanDoc:
    """Clean one rendered plain-text dump: its article body, metadata and removal records.

    ``templates`` is a ``TemplateSnapshot`` learned (``SiteTemplates.observe``) over pages of
    the same crawl; lines it knows as the template of this page's site are removed. Without
    it the page is cleaned on its own. The result does not depend on anything else: the same
    text, url, config and snapshot give the same ``CleanDoc``.

    >>> doc = clean_text_dump("Home | News | Sport\\n\\nSEOUL (Reuters) - North Korea said on "
    ...                       "Monday it had sent troops to Russia, confirming reports for the first time.")
    >>> doc.paragraphs[0][:20]
    'SEOUL (Reuters) - No'
    """
    return text_dump_doc(within_budget(text, config or ExtractConfig()), url, doc_id, templates)


def text_dump_doc(
    text: str, url: str | None = None, doc_id: str = "", templates: TemplateSnapshot | None = None
) -> CleanDoc:
    """``clean_text_dump`` of a page within its budget: ``extract`` checks the budget once, in
    ``page_text``, then calls this."""
    lines = split_lines(text)
    template_lines = templates.template_lines(lines, url) if templates is not None else frozenset()
    kept, verdicts = _clean_lines(lines, template_lines)
    kept = _settle(kept, verdicts)
    if template_lines and not kept:  # the last guard: a page never goes empty for its template
        kept, verdicts = _clean_lines(lines, frozenset())
        kept = _settle(kept, verdicts)
    paragraphs = tuple(line.text for line in kept)
    meta = dump_metadata(lines, kept, url, _Chrome(lines, verdicts))
    return CleanDoc(
        id=doc_id,
        paragraphs=paragraphs,
        url=url,
        site=meta.site,
        title=meta.title,
        author=meta.author,
        date=meta.date,
        wire=meta.wire,
        kind="text",
        provenance=dict(meta.provenance),
        removals=_removals(lines, verdicts),
    )
