"""Every chrome rule has real fixture pages: one where it must fire, one where it must not.

Layout: ``tests/fixtures/rules/<rule id>/fires.{html,txt}`` and ``quiet.{html,txt}``. An ``.html``
fixture goes through the HTML extractor, a ``.txt`` one through the text-dump cleaner. "Fires"
means the result carries a ``Removal`` with that rule id; "quiet" means it carries none.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanfeed import clean_text_dump, extract_html
from cleanfeed.extract.rules import RULES
from cleanfeed.extract.template import SiteTemplates
from cleanfeed.models import CleanDoc

from .conftest import FIXTURES

RULE_FIXTURES = FIXTURES / "rules"


def _run(path: Path) -> CleanDoc:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        return extract_html(text, doc_id=path.name)
    # A ``site/`` folder beside a dump fixture holds other pages of the same site: the
    # template is learned over them and the fixture together, as the pipeline does per window.
    site = sorted((path.parent / "site").glob("*.txt"))
    if site:
        learner = SiteTemplates()
        for page in [*site, path]:
            learner.observe(page.read_text(encoding="utf-8"))
        return clean_text_dump(text, doc_id=path.name, templates=learner.snapshot())
    return clean_text_dump(text, doc_id=path.name)


def _fixtures(rule_id: str, stem: str) -> list[Path]:
    return sorted((RULE_FIXTURES / rule_id).glob(f"{stem}*.*"))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_both_fixtures(rule) -> None:  # type: ignore[no-untyped-def]
    assert _fixtures(rule.id, "fires"), f"rule {rule.id} has no fixture where it must fire"
    assert _fixtures(rule.id, "quiet"), f"rule {rule.id} has no fixture where it must stay quiet"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_fires_on_its_positive_fixtures(rule) -> None:  # type: ignore[no-untyped-def]
    for path in _fixtures(rule.id, "fires"):
        fired = {r.rule for r in _run(path).removals}
        assert rule.id in fired, f"{rule.id} did not fire on {path.name}; fired: {sorted(fired)}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_quiet_on_its_negative_fixtures(rule) -> None:  # type: ignore[no-untyped-def]
    for path in _fixtures(rule.id, "quiet"):
        fired = {r.rule for r in _run(path).removals}
        assert rule.id not in fired, f"{rule.id} fired on {path.name}, where it must not"


def test_rule_ids_are_unique_and_namespaced() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all("." in i and i == i.lower() for i in ids)


def _fixture_names() -> set[str]:
    """The lower-cased ``"class id"`` of every element of every HTML fixture page."""
    from selectolax.lexbor import LexborHTMLParser

    names = set()
    for path in sorted(FIXTURES.rglob("*.html")):
        for node in LexborHTMLParser(path.read_text(encoding="utf-8", errors="replace")).css("[class],[id]"):
            attrs = node.attributes
            names.add(f"{attrs.get('class') or ''} {attrs.get('id') or ''}".strip().lower())
    return names


def test_attr_guard_holds_wherever_its_attrs_match() -> None:
    """Every class/id of the fixture pages that a rule's ``attrs`` pattern matches holds one of
    its ``attr_guard`` strings, so the screen (``attrs_named``) rules out no chrome container."""
    from cleanfeed.extract.rules import attrs_named, attrs_rule

    attr_rules = [rule for rule in RULES if rule.attrs is not None]
    assert attr_rules and all(rule.attr_guard for rule in attr_rules)
    matched: set[str] = set()
    for name in _fixture_names():
        for rule in attr_rules:
            if rule.matches_attrs(name):
                matched.add(rule.id)
                assert any(word in name for word in rule.attr_guard), (rule.id, name)
                assert attrs_named(name) and attrs_rule(name) is not None, name
    assert len(matched) >= 4, matched  # the fixtures exercise most of the rules' patterns
    # and a name no rule's pattern matches is not chrome, guard string or not
    assert not attrs_named("main-content") and not attrs_named("stock-sharp-rise")
    share = attrs_rule("post-share-bar")
    assert share is not None and share.id == "share.bar"
