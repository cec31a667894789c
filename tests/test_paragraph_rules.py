"""The shared paragraph-rule engine reads what a rule does from its fields, never its id."""

from __future__ import annotations

import re
from pathlib import Path

from cleanfeed.extract.paragraph_rules import line_rule, section_end, union
from cleanfeed.extract.rules import RULES, Rule, Scope, Shape

PROSE = ("The council voted on Monday to extend the programme for another three years, after a long "
         "debate in which members said the cost of ending it would be higher than the cost of keeping it.")


def _rule(shape: Shape = "block", spares_prose: bool = True, scope: Scope = "section") -> Rule:
    # an id no code knows: whatever the engine does with it comes from the fields
    return Rule(id="test.unknown", category="test", description="", scope=scope,
                text=re.compile(r"heading|.*council.*", re.I), shape=shape, spares_prose=spares_prose)


def _never(j: int) -> bool:
    return False


def test_shape_decides_how_far_a_section_runs() -> None:
    paras = [("Heading", False), ("one", True), ("two", True), ("A closing line that ends.", False),
             ("Is this a question?", False), ("Another heading", False)]
    assert section_end(paras, 0, _rule("list"), _never) == 3  # items, then a non-item after them
    assert section_end(paras, 0, _rule("block"), _never) == 3  # a list, and nothing after it
    assert section_end(paras, 0, _rule("to-end"), _never) == len(paras)
    questions = [("FAQ", False), ("What is it?", False), ("An answer of a few words.", False),
                 ("And why?", False), ("Because.", False), ("Next heading", False)]
    assert section_end(questions, 0, _rule("questions"), _never) == 5
    # a stop (another rule's line, a dateline) ends any section
    assert section_end(paras, 0, _rule("list"), lambda j: j == 2) == 2


def test_prose_is_spared_unless_the_rule_says_otherwise() -> None:
    assert line_rule((PROSE,), False, (_rule(scope="line"),)) is None
    taken = _rule(scope="line", spares_prose=False)
    assert line_rule((PROSE,), False, (taken,)) is taken
    # a list item opens no section
    assert line_rule(("Heading",), True, (_rule(),)) is None


def test_the_rule_set_uses_the_fields_where_code_used_ids() -> None:
    by_id = {rule.id: rule for rule in RULES}
    assert by_id["comments.section"].shape == "to-end"
    assert by_id["seo.faq"].shape == "questions"
    assert not by_id["cookie.notice"].spares_prose
    assert {r.id for r in RULES if r.wire_add_on} == {"seo.quick-summary", "seo.key-takeaways", "seo.faq"}
    assert all(rule.scope == "section" for rule in RULES if rule.shape != "block" or rule.wire_add_on)


def test_screen_admits_every_line_a_rule_matches() -> None:
    """The screen (``union``) never rules out a line that a rule matches, guarded rules included:
    a guarded rule's guard holds in each line of its fixtures that its pattern matches, in any
    letter case."""
    screen = union(RULES)
    guarded = [rule for rule in RULES if rule.guard]
    assert {rule.id for rule in guarded} >= {"cookie.notice"} and set(guarded) == set(screen.guarded)
    matched_any = 0
    for rule in guarded:
        fixtures = Path(__file__).parent / "fixtures" / "rules" / rule.id
        texts = [path.read_text(encoding="utf-8") for path in sorted(fixtures.glob("*")) if path.is_file()]
        lines = {" ".join(line.split()) for text in texts for line in text.splitlines()}
        matched = [line for line in lines if line and rule.text is not None and rule.text.fullmatch(line)]
        matched_any += bool(matched)
        for line in matched + [line.upper() for line in matched]:
            assert rule.matches_text(line) and screen.admits(line), (rule.id, line)
    assert matched_any >= 2
    # a line without any guard word is ruled out before the pattern runs
    cookie = next(rule for rule in guarded if rule.id == "cookie.notice")
    assert not cookie.guarded("Officials said the talks would resume on Monday.")
    assert not screen.admits("Officials said the talks would resume on Monday, after a pause of two years.")
