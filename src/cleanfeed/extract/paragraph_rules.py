"""The paragraph-rule engine both extractors share: which text rule a paragraph (an HTML
page's extracted paragraph, a text dump's line) matches, and how far a section rule's block runs.

What a rule does is data on the ``Rule`` (``extract.rules``): its ``scope``, its section
``shape``, whether it ``spares_prose``; this module reads those fields and never a rule's id.
A paragraph is given as its text and whether it is a list item.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..lines import ends_sentence, line_memo, word_count
from .rules import Rule

__all__ = ["Screen", "heading_like", "is_prose", "line_rule", "normal", "preview", "section_end", "union"]

#: a paragraph of this many words that ends a sentence is prose, never a line of chrome
PROSE_WORDS = 25
#: a heading (a menu entry, a headline) has at most this many words and ends no sentence
HEADING_WORDS = 14
_TOKEN = re.compile(r"\w+")


def preview(text: str, limit: int = 200) -> str:
    """``text`` as a ``Removal`` shows it: at most ``limit`` characters (an ellipsis marks a cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def normal(text: str) -> str:
    """``text`` lower-cased, its words joined by single spaces (what re-injected entries compare)."""
    return " ".join(_TOKEN.findall(text.lower()))


def is_prose(text: str) -> bool:
    """A paragraph that is certainly running text: line rules that spare prose leave it."""
    return word_count(text) >= PROSE_WORDS and ends_sentence(text)


def heading_like(text: str, item: bool = False) -> bool:
    """A short paragraph that is not a sentence (and not a list item): a heading, a menu entry."""
    return word_count(text) <= HEADING_WORDS and not ends_sentence(text) and not item


@dataclass(frozen=True, slots=True)
class Screen:
    """What rules out a text that none of some rules' text patterns fully matches, cheaply: one
    pattern, the union of the rules without a ``guard``; the guarded ones are tried only on a
    text that passes their guard (a substring test, faster than any pattern). The answer for a
    text is memoised (``line_memo``): a site's chrome lines recur on each of its pages."""

    pattern: re.Pattern[str]
    guarded: tuple[Rule, ...]
    _memo: Callable[[str], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_memo", line_memo(self._admits))

    def admits(self, text: str) -> bool:
        """Whether some rule may match ``text`` (stripped): ``False`` is certain, ``True`` is not."""
        return self._memo(text)

    def _admits(self, text: str) -> bool:
        text = text.strip()
        if self.pattern.fullmatch(text) is not None:
            return True
        lowered = text.lower()
        for rule in self.guarded:  # (plain loops: generators cost more than the tests on a short line)
            for word in rule.guard:
                if word in lowered:
                    if rule.text is not None and rule.text.fullmatch(text) is not None:
                        return True
                    break
        return False


@functools.lru_cache(maxsize=8)
def union(rules: tuple[Rule, ...]) -> Screen:
    """The ``Screen`` of ``rules``: a single C-level match rules out most paragraphs (the rule is
    looked up on a hit). Made once per set of rules."""
    plain = [f"(?:{r.text.pattern})" for r in rules if r.text is not None and not r.guard]
    guarded = tuple(r for r in rules if r.text is not None and r.guard)
    return Screen(re.compile("|".join(plain) if plain else "(?!)", re.IGNORECASE), guarded)


def line_rule(
    texts: Sequence[str], item: bool, rules: Sequence[Rule], screen: Screen | None = None
) -> Rule | None:
    """The first of ``rules`` whose text pattern matches one of ``texts`` (spellings of one
    paragraph) as a whole. A list item opens no section (a menu entry called "FAQ"), and a rule
    that ``spares_prose`` does not take a paragraph of prose. ``screen`` (``union(rules)``)
    rules out a paragraph no rule matches in one match."""
    if screen is not None and not any(screen.admits(text) for text in texts):
        return None
    for rule in rules:
        if rule.text is None:
            continue
        if rule.scope == "section" and item:
            continue
        for text in texts:
            if rule.matches_text(text):
                if rule.scope == "line" and rule.spares_prose and is_prose(text):
                    break
                return rule
    return None


def section_end(
    paras: Sequence[tuple[str, bool]], start: int, rule: Rule, stop: Callable[[int], bool]
) -> int:
    """Index one past the last paragraph of the section that ``rule`` opens at ``start``.

    ``paras`` are (text, is list item); ``stop(j)`` says a paragraph ends any section (one
    another rule opens, a wire dateline). The block runs as the rule's ``shape`` says.
    """
    if rule.shape == "to-end":
        return len(paras)
    j = start + 1
    listed = False
    taken = 0
    while j < len(paras):
        text, item = paras[j]
        if stop(j):
            break
        if rule.shape == "list":
            # the block is a list of short entries (headlines, links, points); prose ends it
            words = word_count(text)
            if item:
                listed = True
            elif listed or words > PROSE_WORDS or (ends_sentence(text) and words > 12):
                break
        elif rule.shape == "questions":
            # questions and their answers, up to a heading that is not a question
            if taken and heading_like(text, item) and not text.rstrip().endswith("?"):
                break
        elif item:  # summaries: a list, or one paragraph
            listed = True
        elif listed or taken >= 1 or heading_like(text):
            break
        taken += 1
        j += 1
    return j
