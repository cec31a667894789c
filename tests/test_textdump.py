"""The text-dump cleaner on the seed pages (real dumps) and its invariants."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cleanfeed import RawDoc, clean_text_dump, extract, sniff_kind
from cleanfeed.extract.rules import RULES_BY_ID
from cleanfeed.extract.template import SiteTemplates
from cleanfeed.models import CleanDoc

from .conftest import FIXTURES, SEEDS

ADD_ONS = re.compile(
    r"quick summary|table of contents|key takeaways|frequently asked questions|related posts"
    r"|source link|post views|^share\b|more from \w+|explore more|why waste money|subscribe",
    re.IGNORECASE,
)


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _clean_together(pages: dict[str, str]) -> dict[str, CleanDoc]:
    learner = SiteTemplates()
    for text in pages.values():
        learner.observe(text)
    snapshot = learner.snapshot()
    return {name: clean_text_dump(text, doc_id=name, templates=snapshot) for name, text in pages.items()}


def _token_f1(predicted: str, truth: str) -> float:
    pred, true = re.findall(r"\w+", predicted), re.findall(r"\w+", truth)
    common = sum(min(pred.count(t), true.count(t)) for t in set(pred))
    if not common:
        return 0.0
    p, r = common / len(pred), common / len(true)
    return 2 * p * r / (p + r)


def test_seeds_cleaned_together_equal_gold(seed_pages: dict[str, str], seed_gold: dict[str, str]) -> None:
    docs = _clean_together(seed_pages)
    for name, doc in docs.items():
        assert [" ".join(p.split()) for p in doc.paragraphs] == _paragraphs(seed_gold[name]), name


def test_each_seed_alone_is_clean(seed_pages: dict[str, str], seed_gold: dict[str, str]) -> None:
    for name, text in seed_pages.items():
        doc = clean_text_dump(text, doc_id=name)
        assert _token_f1(doc.text, seed_gold[name]) >= 0.9, name


def test_wire_bodies_start_at_dateline_and_end_at_credit(seed_pages: dict[str, str]) -> None:
    docs = _clean_together(seed_pages)
    for name in ("000_21cd6d9d0f854344.txt", "001_2743ad7c6df085fb.txt", "004_b1c7c96db9077958.txt"):
        assert re.match(r"^(SEOUL )?\(Reuters\) -", docs[name].paragraphs[0]), name
        assert re.match(r"^\((Additional r|R)eporting by ", docs[name].paragraphs[-1]), name
    assert docs["002_6e4523ae4f752380.txt"].paragraphs[0].startswith("SEOUL, South Korea (AP) —")


def test_add_ons_are_gone_and_wire_subheadings_stay(seed_pages: dict[str, str]) -> None:
    docs = _clean_together(seed_pages)
    for name, doc in docs.items():
        for para in doc.paragraphs:
            assert not ADD_ONS.search(para), (name, para)
    assert "'MESSAGE FROM PUTIN'" in docs["001_2743ad7c6df085fb.txt"].paragraphs
    assert "'AT THE COST OF BLOOD'" in docs["004_b1c7c96db9077958.txt"].paragraphs


def test_injected_toc_headings_are_removed_by_the_toc_rule(seed_pages: dict[str, str]) -> None:
    doc = clean_text_dump(seed_pages["000_21cd6d9d0f854344.txt"])
    assert "Ukrainian Counterattacks" not in doc.paragraphs
    toc = [r.text for r in doc.removals if r.rule == "seo.table-of-contents"]
    assert any("Ukrainian Counterattacks" in t for t in toc)
    assert any("Mine Density Issues" in t for t in toc)


def test_rewrite_without_chrome_loses_only_its_headline(seed_pages: dict[str, str]) -> None:
    lines = [line for line in seed_pages["003_7285930a14498403.txt"].splitlines() if line.strip()]
    doc = clean_text_dump(seed_pages["003_7285930a14498403.txt"])
    assert list(doc.paragraphs) == lines[1:]


def test_seed_metadata_matches_gold(seed_pages: dict[str, str]) -> None:
    gold = json.loads((SEEDS / "gold" / "metadata.json").read_text(encoding="utf-8"))
    for name, doc in _clean_together(seed_pages).items():
        for key in ("title", "author", "date", "wire"):
            assert getattr(doc, key) == gold[name][key], (name, key)
        assert doc.kind == "text"


def test_metadata_records_provenance(seed_pages: dict[str, str]) -> None:
    doc = clean_text_dump(seed_pages["004_b1c7c96db9077958.txt"])
    assert doc.provenance["wire"] == "dateline"
    assert doc.provenance["author"] == "byline"
    assert doc.provenance["title"] in {"breadcrumb", "repeated-heading"}
    assert doc.site == "Global Banking and Finance Review"


def test_every_removed_line_is_explained(seed_pages: dict[str, str]) -> None:
    for text in seed_pages.values():
        doc = clean_text_dump(text)
        assert all(r.rule in RULES_BY_ID for r in doc.removals)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert len(doc.removals) + len(doc.paragraphs) == len(lines)
        assert {r.text for r in doc.removals if len(r.text) < 200} <= set(lines)


def test_extract_dispatches_dumps_with_templates(seed_pages: dict[str, str]) -> None:
    learner = SiteTemplates()
    for text in seed_pages.values():
        learner.observe(text)
    name = "000_21cd6d9d0f854344.txt"
    raw = RawDoc(id=name, content=seed_pages[name].encode("utf-8"))
    doc = extract(raw, templates=learner.snapshot())
    assert doc.kind == "text" and doc.wire == "Reuters"
    assert any(r.rule == "template.recurring-line" for r in doc.removals)


def test_sniff_kind_keeps_a_dump_that_quotes_markup_as_text() -> None:
    dump = "Web basics\n\nTo center a block, wrap the text in a <div> and set its margins to auto.\n"
    assert sniff_kind(dump * 3) == "text"
    assert sniff_kind("<div class=a>x</div><div>y</div><p>z</p>") == "html"


# -- properties: never invent text, idempotence ------------------------------------------------

_SEED_LINES = sorted(
    {line.strip() for p in (SEEDS / "raw").glob("*.txt") for line in p.read_text("utf-8").splitlines()}
    - {""}
)
_line = st.one_of(
    st.sampled_from(_SEED_LINES),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=80),
)
_page = st.lists(_line, max_size=60).map("\n".join)


@settings(max_examples=60, deadline=None)
@given(_page)
def test_cleaning_never_invents_text(page: str) -> None:
    doc = clean_text_dump(page)
    lines = {line.strip() for line in page.splitlines()}
    for para in doc.paragraphs:
        assert para in lines


@settings(max_examples=60, deadline=None)
@given(_page)
def test_cleaning_is_idempotent(page: str) -> None:
    once = clean_text_dump(page)
    twice = clean_text_dump(once.text)
    assert twice.paragraphs == once.paragraphs


def test_a_comments_link_above_the_story_does_not_remove_it(seed_pages: dict[str, str]) -> None:
    text = seed_pages["003_7285930a14498403.txt"]
    lines = [line for line in text.splitlines() if line.strip()]
    page = ("Home\nWorld\nComments\n\n" + text
            + "\n\nComments\n\nGreat article, thanks for writing it, I learned a lot today.")
    doc = clean_text_dump(page)
    assert list(doc.paragraphs) == lines[1:]
    assert any(r.rule == "comments.section" and r.text.startswith("Great article") for r in doc.removals)


def test_a_comments_count_in_a_stats_block_does_not_cut_the_story_below_it() -> None:
    story = [
        "The archive published the first chapter of the serial on Tuesday, a story of a young clerk who "
        "takes a job in a lawyer's office and slowly stops doing any of the work he was hired for.",
        "Readers left thousands of notes on the chapter within a day, most of them asking when the second "
        "part would appear and whether the clerk would ever explain himself to his employer.",
        "The author said the next chapter was written and would follow within a week, once the editors had "
        "finished their work on it and the illustrations were ready.",
    ]
    notice = ("Copy and paste the following code to link back to this work, or use the share links to "
              "tell your friends about it.")
    stats = ["Stats:", "Published:", "2017-08-15", "Words:", "67379", "Comments:", "1664", "Kudos:", "7142"]
    thread = ["Comments", "Great chapter, thank you so much for writing it, I cannot wait for the next one."]
    page = "\n\n".join(["Works", "Bookmarks", notice, *stats, *story, *thread])
    doc = clean_text_dump(page)
    assert list(doc.paragraphs) == story
    assert any(r.rule == "comments.section" and r.text.startswith("Great chapter") for r in doc.removals)


def test_a_list_item_that_reads_like_a_dateline_does_not_cut_what_precedes_it() -> None:
    # "ADA-Accepted: ..." has the shape of a city dateline ("MADRID - ..."), but it is an entry
    # of a list inside the story: a wire dateline opens a paragraph, never a bullet point.
    story = [
        f"Choosing a toothbrush is harder than it looks, and the {n} options we tested this spring show "
        "how much the shops' shelves have changed since electric brushes became cheap enough for all."
        for n in ("first", "second", "third", "fourth", "fifth")
    ]
    entry = ("ADA-Accepted: Products are recognized by the American Dental Association for being safe "
             "and effective for daily use.")
    more = [
        "The brushes that did best in our tests were not the most expensive ones, and several of the "
        "cheaper models cleaned as well as those costing four times as much in the same shops.",
        "We will repeat the tests next year, when the makers have promised new models with longer "
        "batteries and heads that can be recycled instead of thrown away after three months.",
    ]
    page = "\n\n".join(["Home", "Reviews", "Best toothbrushes of the year", *story, "* " + entry, *more])
    doc = clean_text_dump(page)
    assert list(doc.paragraphs) == [*story, "* " + entry, *more]


def test_a_teaser_list_below_a_short_story_is_not_taken_for_it() -> None:
    story = [
        "Officials in the port city said on Monday that the harbour would reopen after repairs to the breakwater, "
        "which was damaged by a storm.",
        "Shipping companies had diverted dozens of vessels to other ports during the closure, raising costs for "
        "importers of grain and fuel.",
    ]
    teasers = []
    for n, topic in enumerate(["rail strike", "bridge tolls", "school meals", "water prices"]):
        teasers += [
            f"Council votes on {topic}",
            "Jane Reporter",
            f"The council met late on Thursday to debate the {topic}, and members said a decision would follow "
            f"after a public consultation that is expected to last {n + 2} months and draw thousands of replies "
            "from residents.",
        ]
    page = "\n\n".join(["Harbour to reopen after storm repairs", *story, "More from the city desk", *teasers])
    doc = clean_text_dump(page)
    assert list(doc.paragraphs) == story


_MENU = ["Home", "World", "Business", "Sport", "Culture", "Subscribe", "Sign in"]
_FOOTER = ["About us", "Contact", "Terms of use", "Privacy policy", "Cookie settings", "Careers"]


def _entry(n: int, subject: str) -> str:
    """A long entry paragraph of a ranked list (over 50 words)."""
    return (
        f"The {subject} earned its place at number {n} because the people behind it took a risk that few others "
        "in the field were willing to take this year, and the result was a piece of work that kept surprising "
        "its audience from the first minute to the last, with a story that was as moving as it was funny and "
        "a finish that nobody saw coming."
    )


def test_a_ranked_list_of_long_entries_is_the_story_not_a_teaser_list() -> None:
    intro = [
        "It has been a strange year for animated series, and choosing the best of them is a subjective task, but "
        "we have watched every one of them so that you do not have to and here is what we found.",
    ]
    entries = []
    for n, subject in zip((5, 4, 3, 2, 1), ("comedy", "drama", "thriller", "romance", "fantasy"), strict=True):
        entries += [str(n), f"'The Best {subject.title()}'", "Studio North", _entry(n, subject)]
    page = "\n".join([*_MENU, "Best Series of the Year", *intro, *entries, *_FOOTER])
    doc = clean_text_dump(page)
    kept = set(doc.paragraphs)
    assert intro[0] in kept
    assert all(entry in kept for entry in entries if len(entry.split()) > 50)
    assert not kept & set(_MENU + _FOOTER)


def test_toc_headings_between_sections_do_not_split_the_story() -> None:
    # A comparison article: a table of contents whose entries come back as the sections'
    # headings, each section two paragraphs and a pros/cons table (short cells). The entries
    # are removed where re-injected, but they are the story's sub-headings: the body runs
    # through all three sections, not only the last.
    methods = ("Agile delivery", "Waterfall planning", "Lean production")
    cells = ("Pros", "Cons", "Fast feedback loops", "Scope creep risk", "Clear team roles",
             "Heavy planning effort", "Early issue detection", "Needs customer time")
    lines = ["Home", "Services", "Blog", "Contact us", "Table of Contents",
             *(f"* {m}" for m in methods)]
    for n, method in enumerate(methods):
        lines += [
            method,
            f"{method} is the approach number {n + 1} that the teams in this survey use when they "
            "plan their projects, and it shapes how often they release their work to clients and "
            "how much of it they can show them along the way.",
            f"The people we asked about {method.lower()} said it changed how they talk to each "
            "other, how they estimate their work and how they handle changes late in a project, "
            "and most of them would choose it again for the next one.",
            *cells,
        ]
    lines += ["© 2024 Example Studio", "Privacy policy"]
    doc = clean_text_dump("\n".join(lines))
    text = "\n".join(doc.paragraphs)
    for n in range(len(methods)):
        assert f"the approach number {n + 1}" in text
    assert "Privacy policy" not in text


def test_a_slideshow_after_the_story_is_not_its_body() -> None:
    # A news page: the story, then an "in pictures" strip whose slides ("k/N" over each
    # caption) are other stories' prose. The captions outweigh the story in words; counted
    # slides are a gallery, so the story is the body.
    story = [
        f"Paragraph {n} of the story says what the council decided on Monday about the new "
        "bridge over the river, and why the vote took three years to come to the chamber."
        for n in range(1, 5)
    ]
    slides: list[str] = []
    for k in range(1, 13):
        slides += [f"{k}/40 Caption headline number {k}",
                   f"The caption of slide {k} tells another story at length, about markets that "
                   "fell in the spring and the companies that reported their results this week."]
    page = "\n".join(["Home", "News", "Business", *story, "Business news in pictures", *slides,
                      "© 2015 Example News"])
    doc = clean_text_dump(page)
    assert [p for p in doc.paragraphs if p.startswith("Paragraph")] == story
    assert not any("caption of slide" in p for p in doc.paragraphs)


def test_a_long_bulleted_list_inside_the_story_does_not_split_it() -> None:
    before = [
        "Meditation has been practised for thousands of years, and researchers have spent the last few decades "
        "measuring what it does to the body and the mind of those who take it up every day.",
        "The physical benefits reported by the studies we reviewed are many, and most of them appear within the "
        "first few weeks of a regular practice, according to the authors of the largest survey.",
    ]
    points = [f"* {p}" for p in (
        "Reduces stress and increases relaxation", "Improves overall health", "Boosts energy levels",
        "Strengthens the immune system", "Healthier blood pressure", "Reduced addictive behaviors",
        "Greater clarity of mind and focus", "Enhanced deep sleep", "Improves the ability to manage challenges",
        "Boosts creativity and patience", "Relieves depression and anxiety", "More ease in personal relationships",
    )]
    after = [
        "Preparing for meditation matters as much as the practice itself: a quiet room, an empty stomach and a "
        "few minutes of breathing exercises make the first sessions much easier for beginners.",
        "Advanced techniques do not necessarily mean they are difficult to practise, and many of them can be "
        "learned in a weekend course and then practised alone at home for the rest of one's life.",
    ]
    page = "\n".join([*_MENU, "The Ultimate Guide to Meditation", *before, *points, *after, *_FOOTER])
    kept = set(clean_text_dump(page).paragraphs)
    assert set(before) <= kept and set(after) <= kept
    assert not kept & set(_MENU + _FOOTER)


def _dump(name: str) -> str:
    return (FIXTURES / "dumps" / name).read_text(encoding="utf-8")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _between(lines: list[str], first: str, last: str) -> list[str]:
    return lines[lines.index(first) : lines.index(last) + 1]


def _story_after(text: str, heading: str, last: str) -> tuple[list[str], CleanDoc]:
    """The fixture page's lines from the one after ``heading`` through ``last`` (its story), and
    the cleaner's reading of the page."""
    page = _lines(text)
    return _between(page, page[page.index(heading) + 1], last), clean_text_dump(text)


def test_code_and_lists_a_line_introduces_stay_in_the_story() -> None:
    # "Then describe the settings the tool expects:" announces code whose lines are short and
    # bare; they are the story's, and the paragraphs after them too
    page = _lines(_dump("code_blocks.txt"))
    story = _between(page, "Most command-line tools end up reading a configuration file sooner or later. In Rust, "
                     "the serde crate does the heavy lifting: you describe the file's shape as a struct and let the "
                     "deserializer fill it in.", "For optional settings, wrap the field's type in an Option and serde "
                     "will leave it empty when the file does not mention it.")
    doc = clean_text_dump(_dump("code_blocks.txt"))
    assert list(doc.paragraphs) == story
    assert "struct Config {" in doc.paragraphs and "cargo add toml" in doc.paragraphs


def test_a_list_introduced_after_the_story_stays_out() -> None:
    # an introduced block costs little but never counts for the body: with no prose after it,
    # the list a colon line announces below the story is left out
    story = [
        "The council voted on Tuesday to close the old bridge to cars from March, after engineers found "
        "cracks in two of its supporting piers during the annual inspection.",
        "Cyclists and pedestrians will still be able to cross while repairs go on, the council said in a "
        "statement, and a temporary ferry will carry buses across the river.",
    ]
    channels = ["Find us on these channels:", "* Facebook page", "* Instagram stories", "* Weekly podcast",
                "* Evening radio show"]
    doc = clean_text_dump("\n\n".join([*_MENU, *story, *channels, *_FOOTER]))
    assert list(doc.paragraphs[:2]) == story
    assert not set(doc.paragraphs) & set(channels[1:])


def test_how_to_steps_and_materials_stay_in_the_story() -> None:
    story, doc = _story_after(_dump("howto_steps.txt"), "By Maria Lindqvist",
        "A repotted snake plant needs little more than a bright window and a drink every few weeks. "
        "Within a season you should see new leaves pushing up from the soil.")
    assert list(doc.paragraphs) == story
    assert [p for p in doc.paragraphs if p.startswith("Step ")] == [f"Step {n}" for n in range(1, 6)]


def test_a_ranked_list_keeps_every_entry_and_drops_the_numbered_link_list() -> None:
    story, doc = _story_after(_dump("ranked_list.txt"), "Best Small Museums in Northern Italy",
        "Most of these museums close in August, so check before you travel and plan a morning for "
        "each one.")
    assert list(doc.paragraphs) == story  # every entry's name, text and facts
    assert not any("cheap flights" in p for p in doc.paragraphs)  # "Most Read": numbered links alone


def test_table_rows_stay_in_the_story_and_a_barred_menu_does_not() -> None:
    # tab-separated rows and "| a | b |" rows with as many cells are a table: the story's data
    story, doc = _story_after(_dump("fare_tables.txt"), "Bus fares rise for the first time in four years",
        "Passenger groups said the rise was modest but asked the authority to use the money to "
        "restore the evening services it cut last year on the routes to the outer estates.")
    assert list(doc.paragraphs) == story
    assert "| Eastbridge | 1.95 | 5.20 |" in doc.paragraphs  # a row of bars is not short-line chrome
    assert not any("About us" in p or "Home |" in p for p in doc.paragraphs)


def test_a_listing_keeps_the_heading_each_entry_repeats() -> None:
    # "Highlights" under each of three entries is the listing's structure: neither the SEO
    # "Highlights" add-on (printed once on a page) nor a line printed twice
    text = (FIXTURES / "rules" / "seo.key-takeaways" / "quiet_dump_listing.txt").read_text(encoding="utf-8")
    story, doc = _story_after(text, "Best Community Colleges for Nursing",
        "Whichever college you choose, check that its program is approved by the state board of "
        "nursing before you apply.")
    assert list(doc.paragraphs) == story
    assert doc.paragraphs.count("Highlights") == 3


def test_a_video_player_inside_the_story_leaves_without_splitting_it() -> None:
    # the player's controls are chrome (media.player) but weigh nothing in body detection, so
    # the paragraph above the player stays with the story below it
    text = (FIXTURES / "rules" / "media.player" / "fires_dump.txt").read_text(encoding="utf-8")
    doc = clean_text_dump(text)
    prose = [p for p in doc.paragraphs if len(p.split()) > 10]
    assert len(prose) == 3 and prose[0].startswith("The island ferry sailed again")
    for label in ("Play Video", "Mute", "Current Time 0:00", "Fullscreen", "This is a modal window.", "Defaults Done"):
        assert label not in doc.paragraphs
