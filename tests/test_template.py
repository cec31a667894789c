"""The per-site template learner: it helps, it keeps real text, it is order-free and bounded."""

from __future__ import annotations

import pickle
import random
from collections.abc import Sequence

import pytest

from cleanfeed import RawDoc, clean_text_dump
from cleanfeed.extract.template import SiteTemplates, TemplateSnapshot, page_features
from cleanfeed.lines import split_lines

from .builders import docs_by_id

HEADER = "Daily Ledger\n  • Home\n  • World\n  • Business\n  • Opinion\nSearch"
# A site disclaimer that reads like prose and sits right under the story: on one page alone
# nothing tells it from the story's last paragraph.
DISCLAIMER = (
    "The Daily Ledger is an independent newspaper covering business, politics and culture for "
    "readers across the region, and it has been published every morning since 1921."
)
FOOTER = "Contact us\nAdvertise\nPrivacy\n© 2025 Daily Ledger"

STORIES = [
    [
        f"Officials in the port city said on {day} that the harbour would reopen after repairs to the "
        f"breakwater, which was damaged by the storm of {n} weeks ago.",
        f"Shipping companies had diverted about {n * 7} vessels to other ports during the closure, "
        "raising costs for importers of grain and fuel.",
        f"The mayor said the city would ask the national government for {n} million in aid to cover the "
        "cost of the repairs and of compensating local businesses.",
    ]
    for n, day in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], start=2)
]


def _page(story: list[str], related: Sequence[str] = ()) -> str:
    blocks = [HEADER, *story, DISCLAIMER]
    if related:
        blocks.append("Related Posts\n" + "\n".join(related))
    blocks.append(FOOTER)
    return "\n\n".join(blocks)


def _precision(paragraphs: tuple[str, ...], story: list[str]) -> float:
    return sum(p in story for p in paragraphs) / max(1, len(paragraphs))


def test_cleaning_improves_once_other_pages_of_the_site_are_seen() -> None:
    pages = [_page(story) for story in STORIES]
    url = "https://dailyledger.example/{}"
    alone = clean_text_dump(pages[0], url=url.format(0))
    assert DISCLAIMER in alone.paragraphs  # on its own, the disclaimer passes for prose
    learner = SiteTemplates()
    for i, page in enumerate(pages):
        learner.observe(page, url=url.format(i))
    together = clean_text_dump(pages[0], url=url.format(0), templates=learner.snapshot())
    assert DISCLAIMER not in together.paragraphs
    assert list(together.paragraphs) == STORIES[0]
    assert _precision(together.paragraphs, STORIES[0]) > _precision(alone.paragraphs, STORIES[0])
    assert any(r.rule == "template.recurring-line" for r in together.removals)


def test_a_copy_edited_copy_of_a_story_does_not_make_the_story_template() -> None:
    # The site runs a wire story twice, the second time copy-edited ("said" -> "says", a word
    # here and there): most lines differ, the rest recur, and must not be taken for template.
    story = [
        "The central bank said on Thursday it would keep interest rates unchanged for a third month, "
        "citing the need to see more evidence that inflation was slowing before it acted.",
        "Economists had expected the decision, but many said the bank's statement was more cautious "
        "than the one it published in the spring, when it first signalled a cut.",
        "The governor told reporters that wage growth remained strong and that the bank would watch "
        "the labour market closely over the coming months before any change.",
        "Markets barely moved after the announcement, with the currency steady against the dollar and "
        "government bond yields little changed in afternoon trading.",
        "Analysts now expect the first cut in rates to come early next year, once the figures for the "
        "winter months show whether price rises are easing as the bank hopes.",
    ]
    edits = [(" said ", " says "), ("many said", "numerous said"), ("told", "informed"),
             ("after", "following")]
    edited = [line.replace(*edit) for line, edit in zip(story, edits, strict=False)] + story[4:]
    assert sum(a != b for a, b in zip(story, edited, strict=True)) == 4
    other = STORIES[0]
    learner = SiteTemplates()
    for i, body in enumerate([story, other, edited]):
        learner.observe(_page(body), url=f"https://dailyledger.example/{i}")
    doc = clean_text_dump(_page(edited), url="https://dailyledger.example/2",
                          templates=learner.snapshot())
    assert list(doc.paragraphs) == edited


def test_pages_without_url_are_pooled_by_their_header_and_footer() -> None:
    pages = [_page(story) for story in STORIES]
    learner = SiteTemplates()
    for page in pages:
        learner.observe(page)
    doc = clean_text_dump(pages[1], templates=learner.snapshot())
    assert list(doc.paragraphs) == STORIES[1]


def test_a_body_line_listed_as_related_post_elsewhere_is_not_template() -> None:
    # The first paragraph of story 0 is quoted in the "Related Posts" list of every other page.
    quoted = STORIES[0][0]
    pages = [_page(STORIES[0])] + [_page(story, related=[quoted, "Storm damage tallied"]) for story in STORIES[1:]]
    learner = SiteTemplates()
    for i, page in enumerate(pages):
        learner.observe(page, url=f"https://dailyledger.example/{i}")
    doc = clean_text_dump(pages[0], url="https://dailyledger.example/0", templates=learner.snapshot())
    assert quoted in doc.paragraphs


def test_copies_of_one_page_do_not_make_its_story_template() -> None:
    learner = SiteTemplates()
    page = _page(STORIES[2])
    for i in range(4):  # the same article under four URLs (tracking parameters, AMP...)
        learner.observe(page, url=f"https://dailyledger.example/story?utm={i}")
    doc = clean_text_dump(page, url="https://dailyledger.example/story", templates=learner.snapshot())
    assert list(doc.paragraphs)[:3] == STORIES[2]


def test_results_do_not_depend_on_observation_order() -> None:
    pages = [_page(story) for story in STORIES]
    outputs = []
    for seed in range(3):
        order = list(range(len(pages)))
        random.Random(seed).shuffle(order)
        learner = SiteTemplates()
        for i in order:
            learner.observe(pages[i], url=f"https://dailyledger.example/{i}")
        snap = learner.snapshot()
        outputs.append([clean_text_dump(p, url=f"https://dailyledger.example/{i}", templates=snap)
                        for i, p in enumerate(pages)])
    assert outputs[0] == outputs[1] == outputs[2]


def test_snapshot_pickles_and_is_frozen() -> None:
    learner = SiteTemplates()
    for i, story in enumerate(STORIES):
        learner.observe(_page(story), url=f"https://dailyledger.example/{i}")
    snap = learner.snapshot()
    clone = pickle.loads(pickle.dumps(snap))
    assert isinstance(clone, TemplateSnapshot) and clone == snap
    page = _page(STORIES[3])
    url = "https://dailyledger.example/3"
    assert clean_text_dump(page, url=url, templates=clone) == clean_text_dump(page, url=url, templates=snap)
    with pytest.raises(AttributeError):
        snap.sites = {}  # type: ignore[misc]  # the snapshot is frozen: this must raise


def test_memory_stays_bounded_over_ten_thousand_pages() -> None:
    rng = random.Random(7)
    learner = SiteTemplates(max_sites=64, max_entries=256)
    bound = 64 * 256  # max_sites × max_entries: story keys included
    for n in range(10_000):
        site = rng.randrange(2_000)
        lines = [f"site {site} menu {k}" for k in range(4)]
        lines += [f"page {n} paragraph {k} with words {rng.random()}" for k in range(6)]
        lines += [f"site {site} footer {k}" for k in range(4)]
        learner.observe("\n".join(lines), url=f"https://s{site}.example/{n}")
        if n % 1000 == 999:
            assert len(learner) <= 64
            assert learner.size() <= bound
    assert len(learner.snapshot()) <= 64


def test_many_small_sites_interleaved_keep_their_templates() -> None:
    # A crawl of 600 sites, three stories each, their pages interleaved: a site's second page
    # comes after hundreds of other sites' pages. Small sites fit the entry budget, so none is
    # forgotten before its template is learned.
    sites = 600
    learner = SiteTemplates()
    for round_ in range(3):
        for site in range(sites):
            story = "\n\n".join(STORIES[round_])
            learner.observe(f"Site {site} menu\nHome\n\n{story}\n\nSite {site} footer",
                            url=f"https://s{site}.example/{round_}")
    assert len(learner.snapshot()) == sites
    page = f"Site 7 menu\nHome\n\n{STORIES[3][0]}\n\nSite 7 footer"
    snap = learner.snapshot()
    assert snap.template_lines(split_lines(page), "https://s7.example/new") == {0, 1, 3}


def test_the_entry_budget_evicts_the_least_recent_sites() -> None:
    learner = SiteTemplates(max_entries=64, max_total=640)
    for n in range(200):  # each site's page holds some 20 entries: at most ~32 sites fit
        lines = [f"site {n} line {k}" for k in range(10)]
        learner.observe("\n".join(lines), url=f"https://s{n}.example/a")
        assert learner.size() <= 640
    assert learner.size() == sum(site.size() for site in learner._sites.values())
    assert "host:s199.example" in learner._sites and "host:s0.example" not in learner._sites


def test_counters_per_site_are_capped() -> None:
    learner = SiteTemplates(max_sites=4, max_entries=64)
    for n in range(300):  # one site, every page new text: the counters must not grow with it
        learner.observe("\n".join(f"page {n} line {k} text" for k in range(20)), url="https://one.example/x")
    assert learner.size() <= 64


@pytest.mark.parametrize(
    "kwargs",
    [{"max_sites": 0}, {"max_entries": 8}, {"min_pages": 1}, {"min_share": 0.0}, {"min_share": 1.5},
     {"max_entries": 64, "max_total": 32}],
)
def test_invalid_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        SiteTemplates(**kwargs)  # type: ignore[arg-type]  # invalid on purpose


def test_features_from_workers_and_per_site_learning_give_the_learners_templates() -> None:
    pages = [(_page(story), f"https://dailyledger.example/{i}") for i, story in enumerate(STORIES)]
    pages += [(f"Other site menu\nShop\n\n{story}\n\nOther footer", f"https://other.example/{i}")
              for i, story in enumerate(STORIES)]
    observed = SiteTemplates()
    for text, url in pages:
        observed.observe(text, url)
    features = [pickle.loads(pickle.dumps(page_features(text, url))) for text, url in pages]
    added = SiteTemplates()
    for f in reversed(features):  # order-free within the bounds
        added.add(f)
    snap = observed.snapshot()
    assert added.snapshot() == snap and len(snap) == 2
    per_site = {key: SiteTemplates().learn_site(key, features) for key in snap.sites}
    assert per_site == snap.sites


def test_the_learners_state_survives_a_round_trip_through_bytes() -> None:
    learner = SiteTemplates(max_sites=8, max_entries=512)
    for i, story in enumerate(STORIES):
        learner.observe(_page(story), url=f"https://dailyledger.example/{i}")
        learner.observe(f"Other menu\n\n{' '.join(story)}\n\nOther footer", url=None)
    again = SiteTemplates.from_bytes(learner.to_bytes())
    assert again.snapshot() == learner.snapshot() and again.size() == learner.size()
    page = _page(STORIES[0])
    again.observe(page, url="https://dailyledger.example/9")  # goes on counting from there
    learner.observe(page, url="https://dailyledger.example/9")
    assert again.snapshot() == learner.snapshot()
    with pytest.raises(ValueError, match="not a saved SiteTemplates state"):
        SiteTemplates.from_bytes(b"not a state")


# ---- versions and copies of one story are that story, not the site's template (issue 18)

# the longest paragraph of its story: an update changes what a story's longest lines are
UPDATE = (
    "Update: late on Friday the port authority said the first {n} ferries would sail again on "
    "Saturday morning, a day earlier than planned, after divers finished checking the quay and "
    "the insurers of the shipping lines agreed to cover vessels moored in the outer basin while "
    "the rest of the breakwater is rebuilt over the coming winter."
)


# the rest of each story: a news story runs to several paragraphs
MORE = [
    "Fishermen who moor at the old quay said they had lost {n} weeks of catches and hoped the "
    "aid would reach them before the end of the season, when the boats are hauled out.",
    "Engineers from the harbour board said the new breakwater would be built {n} metres further "
    "out and would be tested against waves twice as high as those of the last storm.",
    "A spokesman for the shipping lines said they would return to the port within {n} days of "
    "its reopening, provided that the insurers agreed to cover vessels in the outer basin.",
]


def _versions(n: int) -> list[list[str]]:
    """Story ``n`` as a site serves it over a day: the first version, a copy of it fetched
    again, its update (one paragraph more), and the update with its lede rewritten."""
    story = [*STORIES[n], *(p.format(n=n + 2) for p in MORE)]
    update = UPDATE.format(n=n + 2)
    rewritten = ["Updated: " + story[0].replace("said", "confirmed"), *story[1:], update]
    return [story, list(story), [*story, update], rewritten]


def _story_indexes(text: str, story: list[str]) -> set[int]:
    return {line.index for line in split_lines(text) if line.content in story}


def test_a_story_and_its_update_keep_their_whole_text() -> None:
    # the report: the first was dropped as "empty body", the second kept only UPDATE
    story = [*STORIES[0], *(p.format(n=2) for p in MORE)]
    update = [*story, UPDATE.format(n=2)]
    pages = [(_page(story), "https://dailyledger.example/a"), (_page(update), "https://dailyledger.example/a?v=2")]
    learner = SiteTemplates()
    for text, url in pages:
        learner.observe(text, url)
    snap = learner.snapshot()
    for (text, url), body in zip(pages, (story, update), strict=True):
        assert not snap.template_lines(split_lines(text), url)
        assert [p for p in clean_text_dump(text, url=url, templates=snap).paragraphs if p in body] == body


@pytest.mark.parametrize("seed", range(3))
def test_versions_and_copies_of_stories_never_become_template(seed: int) -> None:

    pages = []  # two stories, each in four versions/copies, in a shuffled crawl order
    for n in range(2):
        for k, body in enumerate(_versions(n)):
            pages.append((_page(body), f"https://dailyledger.example/{n}?v={k}", body))
    random.Random(seed).shuffle(pages)
    learner = SiteTemplates()
    for text, url, _ in pages:
        learner.observe(text, url)
    snap = learner.snapshot()
    for text, url, body in pages:
        removed = snap.template_lines(split_lines(text), url)
        assert not removed & _story_indexes(text, body)  # no story line is template
        assert removed  # the site's real chrome still is: two different stories share it
        with_templates = clean_text_dump(text, url=url, templates=snap)
        alone = clean_text_dump(text, url=url)
        assert [p for p in with_templates.paragraphs if p in body] == body
        assert DISCLAIMER in alone.paragraphs and DISCLAIMER not in with_templates.paragraphs


def test_no_page_is_dropped_that_cleaning_without_templates_keeps() -> None:
    from cleanfeed.local.runner import extract_pages

    raws = [RawDoc(f"{n}-{k}.txt", _page(body), url=f"https://dailyledger.example/{n}/{k}", kind="text")
            for n in range(2) for k, body in enumerate(_versions(n))]
    alone = docs_by_id(extract_pages(raws, jobs=0, templates=False))
    learned = docs_by_id(extract_pages(raws, jobs=0))
    assert set(alone) == set(learned) == {raw.id for raw in raws}
    for raw in raws:
        assert set(alone[raw.id].paragraphs) - {DISCLAIMER} <= set(learned[raw.id].paragraphs)


def test_a_prose_line_shared_by_different_stories_does_not_merge_them() -> None:
    # DISCLAIMER is among the longest prose lines of every page: it must not make the second
    # story look like a version of the first (then nothing would ever be learned)
    learner = SiteTemplates()
    for i, story in enumerate(STORIES[:2]):
        learner.observe(_page(story), url=f"https://dailyledger.example/{i}")
    doc = clean_text_dump(_page(STORIES[1]), url="https://dailyledger.example/1", templates=learner.snapshot())
    assert list(doc.paragraphs) == STORIES[1]


# ---- HTML pages: the same learner, over their extracted paragraphs

# A box the site prints at the end of every article, inside the article element: the page-level
# rules cannot tell it from the story's last paragraph.
HTML_BOX = (
    "The Harbour Gazette is an independent newsroom funded by its readers. We have covered the "
    "port, its workers and its trade for more than a century, and we intend to go on doing so."
)


def _html(story: list[str], box: bool = True) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in story)
    extra = f"<p>{HTML_BOX}</p>" if box else ""
    headline = " ".join(story[0].split()[:9])
    return (
        f"<html><head><title>{headline}</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/port'>Port</a></nav>"
        f"<article><h1>{headline}</h1>{paragraphs}{extra}</article>"
        "<footer>Contact us · Privacy</footer></body></html>"
    )


def _html_pages(bodies: list[list[str]], host: str = "gazette.example") -> list[RawDoc]:
    return [RawDoc(f"h{i}.html", _html(body), url=f"https://{host}/{i}", kind="html") for i, body in enumerate(bodies)]


def test_html_blocks_recurring_across_a_sites_stories_are_removed_as_template() -> None:
    from cleanfeed.local.runner import extract_pages

    pages = _html_pages([[*s, *(p.format(n=n) for p in MORE)] for n, s in enumerate(STORIES[:3])])
    alone = docs_by_id(extract_pages(pages, jobs=0, templates=False))
    learned = docs_by_id(extract_pages(pages, jobs=0))
    for page in pages:
        assert HTML_BOX in alone[page.id].paragraphs  # the extractor alone keeps the box
        assert HTML_BOX not in learned[page.id].paragraphs
        assert [r for r in learned[page.id].removals
                if r.rule == "template.recurring-line" and r.category == "template"]
        assert [p for p in alone[page.id].paragraphs if p != HTML_BOX] == list(learned[page.id].paragraphs)


def test_an_html_site_seen_once_and_versions_of_one_html_story_are_left_alone() -> None:
    from cleanfeed.local.runner import extract_pages

    story = [*STORIES[0], *(p.format(n=2) for p in MORE)]
    once = _html_pages([story], host="once.example")
    versions = _html_pages([story, story, [*story, UPDATE.format(n=2)]], host="versions.example")
    pages = [*once, *versions]
    alone = {(r.id, r.url): r.doc for r in extract_pages(pages, jobs=0, templates=False)}
    learned = {(r.id, r.url): r.doc for r in extract_pages(pages, jobs=0)}
    assert learned == alone  # one story, however many copies: nothing recurs across stories
