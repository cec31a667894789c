"""Every chrome-rule and line-feature pattern runs in time linear in its input.

A pattern with nested or adjacent quantifiers over the same characters (``(\\s*a?\\s*)*``)
backtracks exponentially on a line that almost matches: an ordinary share bar of twelve
buttons took 34 s. Each pattern is timed as the code uses it (rule text: ``fullmatch``; the
rest: ``finditer`` and ``fullmatch``) on adversarial strings: runs of the pattern's own words,
repeated tokens drawn by hypothesis, and 1 MB tokens. Time at 16 times the length must stay
within a linear factor (with room for timer noise), and no single call may run away (a timer
interrupts it: ``re`` checks for signals while it backtracks).
"""

from __future__ import annotations

import inspect
import re
import signal
import time
from collections.abc import Iterator
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cleanfeed
from cleanfeed import lines
from cleanfeed.extract import rules, textdump
from cleanfeed.metadata import text as text_metadata
from cleanfeed.models import RawDoc

# the chrome rules, the line features the text-dump cleaner judges lines by, and the wire
# credits read from every story's paragraphs
_MODULES: tuple[ModuleType, ...] = (lines, textdump, text_metadata)
_CALL_LIMIT_S = 10.0  # wall clock: a runaway is stopped, a loaded machine is not failed
_SMALL, _FACTOR = 2_000, 16
_SEPARATORS = (" ", "  ", ", ", " | ", "/", ".", "-", "", "\t", ": ")
_TAILS = ("", "!", " x", "é", ")", " 1")
SHARE_BAR = "Facebook Twitter LinkedIn WhatsApp Reddit Telegram Pinterest Email Print Share Copy link"


def _patterns() -> Iterator[tuple[str, re.Pattern[str], tuple[str, ...]]]:
    text_rules = [r for r in rules.RULES if r.text is not None]
    for rule in rules.RULES:
        if rule.text is not None:
            yield f"{rule.id}.text", rule.text, ("fullmatch",)
        if rule.attrs is not None:
            yield f"{rule.id}.attrs", rule.attrs, ("search",)
    # the HTML extractor matches all text rules at once, as one alternation
    union = "|".join(f"(?:{r.text.pattern})" for r in text_rules if r.text is not None)
    yield "rules.union", re.compile(union, re.IGNORECASE), ("fullmatch",)
    for module in _MODULES:
        source = inspect.getsource(module)
        for name, value in sorted(vars(module).items()):
            found = value if isinstance(value, tuple) else (value,)
            for i, pattern in enumerate(found):
                if isinstance(pattern, re.Pattern) and isinstance(pattern.pattern, str):
                    label = f"{module.__name__}.{name}" + (f"[{i}]" if len(found) > 1 else "")
                    yield label, pattern, _uses(source, name)


def _uses(source: str, name: str) -> tuple[str, ...]:
    """How a module calls its pattern: anchored calls as they are; a scan (``search``,
    ``findall``, ``sub``...) as ``finditer``, which does the work of any of them."""
    called = set(re.findall(rf"\b{re.escape(name)}\.(\w+)\(", source))
    uses = {use if use in ("match", "fullmatch") else "finditer" for use in called}
    return tuple(sorted(uses)) or ("finditer",)


PATTERNS = list(_patterns())


def _vocabulary(pattern: re.Pattern[str]) -> list[str]:
    """The words a pattern spells out: the strings most likely to make it backtrack."""
    source = re.sub(r"\\[a-zA-Z]", " ", pattern.pattern)
    found = sorted(set(re.findall(r"[^\W\d_]{1,20}", source)))
    return found or ["a"]


class _RunAway(Exception):
    pass


def _on_timer(signum: int, frame: object) -> None:
    raise _RunAway


def _time(pattern: re.Pattern[str], uses: tuple[str, ...], text: str, repeat: int = 3) -> float:
    """The best of ``repeat`` timings of the pattern's uses on ``text``; fails a call that runs away."""
    best = float("inf")
    previous = signal.signal(signal.SIGALRM, _on_timer)
    try:
        for _ in range(repeat):
            start = time.process_time()  # CPU time: other processes on the machine do not count
            signal.setitimer(signal.ITIMER_REAL, _CALL_LIMIT_S)
            try:
                for use in uses:
                    if use == "finditer":
                        for _match in pattern.finditer(text):
                            pass
                    else:
                        getattr(pattern, use)(text)
            except _RunAway:
                pytest.fail(f"{pattern.pattern[:80]!r} ran over {_CALL_LIMIT_S} s on {len(text)} chars")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            best = min(best, time.process_time() - start)
    finally:
        signal.signal(signal.SIGALRM, previous)
    return best


def _assert_linear(name: str, pattern: re.Pattern[str], uses: tuple[str, ...], chunk: str, tail: str) -> None:
    if not chunk:
        return
    small = chunk * max(1, _SMALL // len(chunk)) + tail
    big = chunk * max(1, _SMALL * _FACTOR // len(chunk)) + tail
    growth = len(big) / len(small)
    # Linear: t_big ~ growth * t_small; quadratic would be growth**2 (256). The machine is
    # shared, so a timing is taken again before a slow one counts: noise does not repeat.
    for _attempt in range(3):
        t_small = _time(pattern, uses, small)
        t_big = _time(pattern, uses, big)
        if t_big <= 5 * growth * max(t_small, 2e-4):
            return
    assert t_big <= 5 * growth * max(t_small, 2e-4), (
        f"{name} grows superlinearly on {chunk!r}*n+{tail!r}: "
        f"{t_small * 1e3:.2f} ms at {len(small)} chars, {t_big * 1e3:.2f} ms at {len(big)}"
    )


@pytest.mark.parametrize(("name", "pattern", "uses"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_runs_of_the_patterns_own_words_are_linear(
    name: str, pattern: re.Pattern[str], uses: tuple[str, ...]
) -> None:
    vocabulary = _vocabulary(pattern)
    for sep in (" ", ", ", ""):
        for tail in ("!", ""):
            _assert_linear(name, pattern, uses, sep.join(vocabulary) + sep, tail)
    for word in vocabulary[:12]:
        _assert_linear(name, pattern, uses, word + " ", "!")


@pytest.mark.parametrize(("name", "pattern", "uses"), PATTERNS, ids=[p[0] for p in PATTERNS])
def test_one_megabyte_tokens_take_seconds_not_minutes(
    name: str, pattern: re.Pattern[str], uses: tuple[str, ...]
) -> None:
    for unit in ("a", "A.", "x ", "/"):
        token = unit * ((1 << 20) // len(unit)) + "!"
        elapsed = _time(pattern, uses, token, repeat=1)
        # linear patterns take well under a second; a quadratic one takes hours on 1 MB
        assert elapsed < 3.0, f"{name}: {elapsed:.2f} s on a 1 MB token of {unit!r}"


@settings(max_examples=80, deadline=None, derandomize=True)
@given(data=st.data())
def test_repeated_tokens_are_linear(data: st.DataObject) -> None:
    name, pattern, uses = data.draw(st.sampled_from(PATTERNS), label="pattern")
    pieces = st.sampled_from(_vocabulary(pattern)) | st.sampled_from(_SEPARATORS)
    chunk = "".join(data.draw(st.lists(pieces, min_size=1, max_size=5), label="chunk"))
    tail = data.draw(st.sampled_from(_TAILS), label="tail")
    _assert_linear(name, pattern, uses, chunk, tail)


@pytest.mark.parametrize(
    "page",
    [
        (
            "<html><body><article><h1>Budget vote</h1><p>{story}</p><p>{bar}</p><p>{story}</p>"
            "</article></body></html>"
        ),
        "Budget vote\n\n{story}\n\n{bar}\n\n{story}\n",
        "Budget vote\n\n{story}\n\nx x x x x x x x x x x x x x x x !\n\n{story}\n",
    ],
    ids=["html", "dump", "dump-x-run"],
)
def test_a_share_bar_paragraph_takes_under_a_tenth_of_a_second(page: str) -> None:
    story = "The council approved the budget for the coming year after a long debate. " * 6
    raw = RawDoc("p", page.format(story=story, bar=SHARE_BAR).encode())
    cleanfeed.extract(RawDoc("warm-up", page.format(story=story, bar="").encode()))  # lazy imports
    start = time.process_time()
    doc = cleanfeed.extract(raw)  # the library: no time budget to stop a runaway pattern
    assert time.process_time() - start < 0.1
    assert "council approved the budget" in doc.text


def test_wire_credit_search_is_linear_in_mentions() -> None:
    from cleanfeed.metadata.text import detect_wire

    assert detect_wire(["Story.", "AP writer Jane Doe contributed to this report."]) == ("AP", "credit")
    mentions = "AP writer Jane Doe, " * 50_000  # 1 MB: each mention used to rescan the rest
    start = time.process_time()
    assert detect_wire(["Story.", mentions + "and no credit"]) is None
    assert detect_wire(["Story.", mentions + "contributed."]) == ("AP", "credit")
    assert time.process_time() - start < 1.0


def test_a_dump_with_a_long_base64_line_is_linear() -> None:
    import base64
    import random

    story = "The council approved the budget for the coming year after a long debate. " * 6
    blob = base64.b64encode(random.Random(0).randbytes(150_000)).decode()  # 200 KB, one token
    start = time.process_time()
    doc = cleanfeed.extract(RawDoc("d", f"Budget vote\n\n{story}\n\n{blob}\n\n{story}\n".encode(), kind="text"))
    assert time.process_time() - start < 5  # _URLISH rescanned the token from each character: 120 s
    assert "council approved the budget" in doc.text
