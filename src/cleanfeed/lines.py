"""Lines of a rendered text dump and the features the text-dump cleaner judges them by.

A rendered dump (a browser's visible text, a text-mode fetch, a Common Crawl WET record) has lost
its markup: what is left of the page's structure is line breaks, blank lines, indentation and
list markers. ``split_lines`` turns a dump into ``DumpLine`` records that keep that structure;
the functions below measure one line on its own (length, sentence shape, stop-word density,
title case, dates, counters, link-likeness). None of them looks at other pages or at state.

Two stages read these features (``extract`` cleans a dump by them, ``metadata``
finds a dump's title and byline by them), so the module sits beside ``models`` and not inside
either stage: a stage's own package never has to be imported to import the other's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Concatenate, Generic, ParamSpec, TypeVar

# List markers that text renderers put before list items: "* ", "• ", "- ", "+ ", "o " (lynx
# nested lists), "1. ". Only a marker followed by a space counts, so "-North" stays a word.
_MARKER = re.compile(r"^(?:[*•·▪◦‣+\-–o]|\d{1,2}[.)])\s+")
_WORD = re.compile(r"\w+", re.UNICODE)
# Characters of scripts written without spaces, where a "word" is roughly one or two characters.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"[.!?。！？…:;](?:[\"'”’»)\]]*)\s*$")
# A bare domain is tried only where a run of non-space characters starts: tried at every
# position, a long token (a base64 line) is rescanned from each of its characters (quadratic).
_URLISH = re.compile(r"(https?://|www\.)\S+|(?<!\S)\S+\.(com|org|net|co\.\w+|io|html?|php)\b", re.IGNORECASE)
_MONTHS = (
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?"
    r"|nov(ember)?|dec(ember)?"
)
_DATE = re.compile(
    rf"\b((\d{{1,2}}\s+)?({_MONTHS})\.?\s+\d{{1,2}}(st|nd|rd|th)?,?(\s+\d{{4}})?|\d{{1,2}}\s+({_MONTHS})\.?,?\s+\d{{4}}"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\b",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s")
_DIGIT = re.compile(r"\d")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(\s*[ap]\.?m\.?)?\b", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s[|»›>/•·]\s|\s[|»›•·]|[|»›•·]\s")

# Function words of the languages most often met in news dumps. Their density tells running
# prose from menus, headlines and link lists in any of them (jusText's idea, one merged list so
# no language detection is needed; a few cross-language collisions do no harm to a density).
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about after all also an and are as at be been but by can could did do does for from had has
    have he her his how i if in into is it its more most my no not of on one or our out over she so
    than that the their them then there these they this those to up was we were what when which who
    will with would you your said says
    el la los las de del y en que un una por con para es se su al lo como más pero sus le ya o fue
    este ha sí porque esta son entre está cuando muy sin sobre también me hasta hay donde han desde
    todo nos durante uno ni contra ese eso había ante ellos e esto mí antes algunos qué unos yo otro
    o os as do da dos das em no na nos nas um uma para com não mais mas foi ao pelo pela seu sua
    ele ela isso está são tem já também só pelo quando muito há nos eu
    le les des du et est dans qui ne pas sur au avec il elle ce cette ces pour par plus son sa ses
    ont été être une aux mais ou où nous vous ils elles leur leurs se sont était fait
    der die das und ist nicht ein eine einen dem den des mit von zu auf für sich im auch als es an
    wird sind war werden bei oder aus nach wie noch nur vor hat über um dass haben
    il lo la gli le di da in con su per tra fra che è non una un del della dei delle nel nella
    sono anche ma come più ha alla al
    het een van en in op te dat die is niet met voor zijn er aan ook als bij door om maar
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне
    было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него
    до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы
    тебя их чем была сам чтоб без будто чего раз тоже себе под будет это
    dan yang di ke dari ini itu untuk dengan pada adalah tidak akan juga ada oleh
    ve bir bu da de için ile çok daha gibi olarak olan
    """.split()  # noqa: SIM905 -- a block of words per language reads and diffs better than a list literal
)


# Pure functions of one line that the cleaners call many times on the same line (each stage,
# the settling rounds, the chrome lines a site repeats on every page) are memoised
# (``line_memo``): at most MEMO_LINES lines of at most MEMO_CHARS characters each (a longer line
# is measured afresh), so a memo's memory stays bounded.
MEMO_LINES = 1 << 14
MEMO_CHARS = 1000

# The line a memoised function is of: its text, or the spellings of one line (with and without
# its list marker).
_L = TypeVar("_L", str, tuple[str, ...])
_P = ParamSpec("_P")
_R = TypeVar("_R")


class _LineMemo(Generic[_L, _P, _R]):
    """``fn`` memoised for a line (its first argument) of at most ``MEMO_CHARS`` characters,
    computed afresh past that. Its other arguments are flags of the line (a list marker), never
    text, so the line's length alone bounds what an entry holds."""

    def __init__(self, fn: Callable[Concatenate[_L, _P], _R]) -> None:
        cached = functools.lru_cache(maxsize=MEMO_LINES)(fn)
        self.__wrapped__: Callable[Concatenate[_L, _P], _R] = fn
        self._cached: Callable[Concatenate[_L, _P], _R] = cached
        self.cache_clear: Callable[[], None] = cached.cache_clear
        functools.update_wrapper(self, fn)

    def __call__(self, line: _L, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        # the line's characters, or all its spellings' (inline: this runs on every call)
        if (len(line) if type(line) is str else sum(map(len, line))) > MEMO_CHARS:
            return self.__wrapped__(line, *args, **kwargs)
        return self._cached(line, *args, **kwargs)


def line_memo(fn: Callable[Concatenate[_L, _P], _R]) -> _LineMemo[_L, _P, _R]:
    """Memoise a pure function of one line, given as its first argument, in bounded memory
    (``MEMO_LINES``, ``MEMO_CHARS``)."""
    return _LineMemo(fn)


@dataclass(frozen=True, slots=True)
class DumpLine:
    """One non-blank line of a dump, with the layout around it.

    ``text`` is the line with surrounding whitespace stripped: it is what the cleaner outputs,
    so every output paragraph is a line of the input. ``content`` drops a list marker.
    """

    index: int  # position among the dump's non-blank lines
    text: str
    content: str
    marker: bool  # the line starts with a list marker
    indent: int
    blank_before: bool
    blank_after: bool


def split_lines(text: str) -> list[DumpLine]:
    """The non-blank lines of a dump, in order, with their layout."""
    kept: list[tuple[str, int, bool]] = []  # (line stripped, its indent, a blank line before it)
    blank = True
    # str.splitlines: every Unicode line boundary (form feeds and U+2028 included) ends a line.
    for line in text.splitlines():
        stripped = line.strip().strip("\ufeff\u200b\u00a0").strip()
        if not stripped:
            blank = True
            continue
        kept.append((stripped, len(line) - len(line.lstrip()), blank))
        blank = False
    out = []
    last = len(kept) - 1
    for i, (stripped, indent, blank_before) in enumerate(kept):
        match = _MARKER.match(stripped)
        content = (stripped[match.end() :].strip() or stripped) if match else stripped
        # by position: built by keywords, a record costs 40% more (0.78 us vs 0.56), on every line
        out.append(DumpLine(i, stripped, content, match is not None, indent, blank_before, i == last or kept[i + 1][2]))
    return out


def words(text: str) -> list[str]:
    """The word tokens of a text (Unicode ``\\w+``)."""
    return _WORD.findall(text)


@line_memo
def word_count(text: str) -> float:
    """Words in a line; text in scripts without spaces counts about one word per two characters
    (memoised: the cleaners ask for a line's words several times over)."""
    if _CJK.search(text) is None:
        return float(len(_WORD.findall(text)))
    cjk = len(_CJK.findall(text))
    latin = len(_WORD.findall(_CJK.sub(" ", text)))
    return latin + cjk / 2


def stop_density(text: str) -> float:
    """Share of a line's words that are function words (high in prose, low in menus and titles)."""
    tokens = _WORD.findall(text)
    if not tokens:
        return 0.0
    return sum(map(STOP_WORDS.__contains__, map(str.lower, tokens))) / len(tokens)


def ends_sentence(text: str) -> bool:
    """The line ends like a sentence (full stop, question, quote closing a sentence...)."""
    return _SENTENCE_END.search(text) is not None


def title_case_ratio(text: str) -> float:
    """Share of alphabetic words that start upper-case (menus and headlines are title case)."""
    tokens = [w for w in _WORD.findall(text) if w[0].isalpha()]
    if not tokens:
        return 0.0
    return sum(1 for w in tokens if w[0].isupper()) / len(tokens)


def is_link_like(text: str) -> bool:
    """A bare address, or a line that is mostly an address."""
    match = _URLISH.search(text)
    return match is not None and len(match.group(0)) >= 0.5 * len(text)


def separator_count(text: str) -> int:
    """Menu and breadcrumb separators (``|``, ``»``, ``>``, ``•``...) in a line."""
    return len(_SEPARATORS.findall(text))


def date_share(text: str) -> float:
    """How much of the line dates and times take (1.0 for a line that is only a date)."""
    if _DIGIT.search(text) is None:  # every date and time pattern has a digit
        return 0.0
    spans = [m.span() for m in _DATE.finditer(text)] + [m.span() for m in _TIME.finditer(text)]
    if not spans:
        return 0.0
    covered = sum(end - start for start, end in spans)
    return min(1.0, covered / max(1, len(text.strip())))


def digit_share(text: str) -> float:
    """Share of a line's non-space characters that are digits (counters, scores, timestamps)."""
    chars = len(text) - len(_SPACES.findall(text))
    if not chars:
        return 0.0
    return len(_DIGIT.findall(text)) / chars
