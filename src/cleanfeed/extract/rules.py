"""Chrome rules as data.

Every rule has an id, a category, and matchers; extraction (HTML or text dump) records the id of
the rule that removed a span in a ``Removal``, so ``--explain`` can say why a line left. Each rule
has fixture pages under ``tests/fixtures/rules/<rule id>/`` where it must fire and where it
must not; ``tests/test_rules.py`` keeps that true for every rule in ``RULES``.

A rule matches in one of three ways, and may have several:

- ``text``: a pattern matched (``fullmatch``, case-insensitive) against one line or one element's
  whole text, whitespace collapsed. For HTML this is an element's text; for dumps, a line.
- ``attrs``: a pattern searched in an HTML element's ``class`` and ``id`` (chrome containers).
- ``tags``: HTML tag names that never hold article text.

``scope`` says what goes when the rule fires: ``"line"`` removes the line or element alone;
``"section"`` removes a heading *and* the block it introduces (up to the next heading-like line
or the end of the container) — how "Key Takeaways" or "Frequently Asked Questions" blocks go.
How far a section runs is its ``shape`` (see ``Shape``); the rule engine both extractors share
(``extract.paragraph_rules``) reads it, and the other behaviour fields, from the rule: no code
keys on a rule's id.
No rule names a site: rules describe kinds of chrome that recur across the web.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Scope = Literal["line", "section"]
# How many headings of a ``Rule.once`` rule on one page make them the page's own structure.
RECURRING = 3
# How far a section rule's block runs after its heading:
# "block": a list, or one paragraph (a summary box);
# "list": a list of short entries (headlines, links, points), ended by prose;
# "questions": questions and their answers, up to a heading that is not a question;
# "to-end": to the end of the page's text (a comment thread is the last thing on a page).
Shape = Literal["block", "list", "questions", "to-end"]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: str
    description: str
    scope: Scope = "line"
    text: re.Pattern[str] | None = None
    attrs: re.Pattern[str] | None = None
    tags: frozenset[str] = frozenset()
    #: how far a section runs after its heading (``scope == "section"`` only)
    shape: Shape = "block"
    #: a line rule that never removes a line of prose (25 words or more, ending a sentence):
    #: a sentence that mentions a newsletter is news; a cookie banner is chrome even as prose
    spares_prose: bool = True
    #: an add-on a republisher puts around wire copy: the HTML extractor removes it from wire
    #: copy only (on a page of its own it is the site's own text)
    wire_add_on: bool = False
    #: an add-on printed once on a page (text dumps): where its heading stands on ``RECURRING``
    #: or more lines of its own, the headings are the page's own structure (a listing's
    #: "Highlights" under each entry) and the rule stays quiet on that page
    once: bool = False
    #: chrome a page sets inside the story (a video player's controls): its lines leave, but
    #: the text-dump cleaner's body detection weighs them as nothing, so the story they stand
    #: in is not split around them
    inline: bool = False
    #: the section's entries are also removed where they re-appear as headings (an injected
    #: table of contents)
    reinjected: bool = False
    #: lower-case strings one of which every text the ``text`` pattern matches holds: a line
    #: holding none is ruled out by substring tests on the lower-cased line, several times
    #: faster than the pattern (whose own guard scans every character in the regex engine)
    guard: tuple[str, ...] = ()
    #: lower-case strings one of which every lower-cased ``"class id"`` the ``attrs`` pattern
    #: matches holds: ``ATTRS_SCREEN`` looks for all rules' strings at once, several times faster
    #: than their patterns (whose look-behinds are tried at every character), and most of a
    #: page's elements hold none
    attr_guard: tuple[str, ...] = ()

    def __hash__(self) -> int:
        # the id names a rule: hashing it alone, not every field (patterns, tuples of strings)
        # as a dataclass does, makes a tuple of rules a cheap cache key (``union`` is looked up
        # on every page: 31 us per lookup of the 24 rules, hashed field by field)
        return hash(self.id)

    def matches_text(self, line: str) -> bool:
        if self.text is None or not self.guarded(line):
            return False
        return self.text.fullmatch(line.strip()) is not None

    def guarded(self, line: str) -> bool:
        """Whether ``line`` passes the rule's ``guard`` (holds one of its strings; no guard: always)."""
        if not self.guard:
            return True
        lowered = line.lower()
        return any(word in lowered for word in self.guard)

    def matches_attrs(self, class_and_id: str) -> bool:
        return self.attrs is not None and self.attrs.search(class_and_id) is not None


def _t(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Cookie-consent vocabulary beyond English (fr, de, es, it, pt, nl): the word for cookies, the
# verbs a banner uses with it (use, accept, consent, continue, agree), in either order; the
# withdrawal of consent; and the names of a consent platform's settings. These words rarely
# meet in a story's prose. The list shares "accept"/"consent" with English, so an English
# "accept ... cookies" now matches as well (extraction F1 on every bench set was unchanged).
_COOKIE = r"(?:cookies?|témoins)"
# every reading of the cookie rule holds one of these (its guard: lines without any fail at once)
_COOKIE_GUARD = (
    "cookie", "témoin", "consen", "einwilligung", "zustimmung", "toestemming", "confidentialité", "datenschutz",
    "privac",
)
_COOKIE_USE = (
    r"(?:utilis\w*|accept\w*|consent\w*|poursui\w*|verwende\w*|nutz\w*|akzeptier\w*|zustimm\w*|einwillig\w*"
    r"|einverstanden|utiliza\w*|acept\w*|consentimiento|utilizz\w*|accett\w*|acconsent\w*|consenso|aceit\w*"
    r"|concorda\w*|consentimento|gebruik\w*|akkoord|toestemming)"
)
_CONSENT = r"(?:consentement|einwilligung|zustimmung|consentimiento|consenso|consentimento|toestemming)"
_WITHDRAW = r"(?:retir\w*|widerruf\w*|revoca\w*|revogar|intrekken)"
_CONSENT_SETTINGS = (
    r"(?:consent\s+management|gestion\s+du\s+consentement|(?:paramètres|préférences)\s+de\s+confidentialité"
    r"|datenschutz-?einstellungen|configuración\s+de\s+(?:la\s+)?privacidad|impostazioni\s+(?:della\s+|sulla\s+)?privacy"
    r"|(?:definições|preferências)\s+de\s+privacidade|privacy-?instellingen)"
)


RULES: tuple[Rule, ...] = (
    # -- HTML elements that never hold article text (extract.html prunes them first) ------------
    Rule(
        id="html.non-content",
        category="markup",
        description="Scripts, styles, embeds and form controls: markup that never holds article text.",
        tags=frozenset(
            {"script", "style", "noscript", "iframe", "svg", "template", "object", "embed", "canvas",
             "video", "audio", "button", "select", "textarea"}
        ),
    ),
    Rule(
        id="html.layout",
        category="layout",
        description="Navigation bars, asides, page footers and forms: the article extractor never "
        "takes their text (menus, sign-up forms), so they go before it runs. Not figures: a figure "
        "may hold the story's data tables or, on some site builders, its text blocks.",
        tags=frozenset(
            {"nav", "aside", "footer", "picture", "form", "input", "label", "fieldset", "map",
             "menu", "dialog", "link"}
        ),
    ),
    Rule(
        id="html.beside-story",
        category="layout",
        description="Inside the story block the parse-once reader reads (extract.reader): a list or a block "
        "that is mostly link text (menus, teaser lists), and a box holding no prose paragraph and no heading "
        "beside the story's paragraphs (photo galleries, author boxes, share blocks).",
    ),
    Rule(
        id="page.no-story",
        category="empty",
        description="A page whose whole reading holds no sentence, all of it the text of its navigation, "
        "header, footer or asides (a bare section front, an error page, a short story the readings lost to "
        "its menus): it has no story, and its "
        "body is left empty rather than published as one (HTML; the text-dump cleaner needs a body block of "
        "prose to begin with).",
    ),
    Rule(
        id="html.layout-table",
        category="layout",
        description="Table layout inside the story region: rows of nothing but links and separators (menus, "
        "'Top | Back', 'E-mail this article | Printable version') or of nothing go; a table used as the page's "
        "grid is read as blocks, not as '| menu | story |' rows.",
    ),
    Rule(
        id="footer.copyright",
        category="layout",
        description="A copyright notice line ('Copyright © 2004 The Gazette. All rights reserved.').",
        # a table cell's line keeps the extractor's "|" around it
        text=_t(r"[|\s]{0,4}((copyright\s*)?(©|\(c\)|copyright\s+\d{4})[^.]{0,120}\.?(\s*all\s+rights\s+reserved\.?)?"
                r"|[^.|]{0,150}\ball\s+rights\s+reserved\.?)[|\s]{0,4}"),
        guard=("©", "(c)", "copyright", "rights"),
    ),
    # -- SEO add-ons that syndicating sites inject inside the article container --------------
    Rule(
        id="seo.quick-summary",
        category="seo",
        description="A 'Quick Summary' / 'Summary' / 'TL;DR' box the republisher adds above the story.",
        scope="section",
        wire_add_on=True,
        once=True,
        # Not a bare "Summary" or "TL;DR": blogs and reports head their own opening section so,
        # and that section is the author's text (the Scrapinghub truth keeps it).
        text=_t(r"(quick\s+summary|(article|ai|story)\s+summary|in\s+brief|at\s+a\s+glance|story\s+highlights)\s*:?"),
    ),
    Rule(
        id="seo.key-takeaways",
        category="seo",
        description="A 'Key Takeaways' / 'Key Points' / 'Highlights' list the republisher appends.",
        scope="section",
        shape="list",
        wire_add_on=True,
        once=True,
        text=_t(r"(key\s+(takeaways?|points|highlights|facts)|highlights|main\s+points|what\s+you\s+need\s+to\s+know)\s*:?"),
    ),
    Rule(
        id="seo.faq",
        category="seo",
        description="A generated 'Frequently Asked Questions' block.",
        scope="section",
        shape="questions",
        wire_add_on=True,
        once=True,
        text=_t(r"(frequently\s+asked\s+questions|faqs?|people\s+also\s+ask)(\s+(about|on|for)\b.*)?\s*:?"),
    ),
    Rule(
        id="seo.table-of-contents",
        category="seo",
        description="A 'Table of Contents' list; its entries are also removed where re-injected as headings.",
        scope="section",
        shape="list",
        reinjected=True,
        text=_t(r"(table\s+of\s+contents?|contents|in\s+this\s+article|jump\s+to)\s*:?"),
        attrs=_t(r"(?<![a-z])(toc|ez-toc-container|toc_container|lwptoc|table-of-contents)(?![a-z])"),
        attr_guard=("toc", "table-of-contents"),
    ),
    Rule(
        id="seo.source-link",
        category="seo",
        description="A bare 'Source link' / 'Source' credit link that aggregators append.",
        text=_t(r"(source\s+link|source|original\s+source|read\s+the\s+original(\s+article)?)\s*:?(\s*\S+)?"),
    ),
    # -- Related content and read-more lists ------------------------------------------------
    Rule(
        id="related.list",
        category="related",
        description="A 'Related Posts' / 'Read more' / 'You may also like' heading and its list.",
        scope="section",
        shape="list",
        text=_t(
            r"(related(\s+(posts?|articles?|stories|news|content|reading|coverage|topics))?"
            r"|read\s+(more|also|next)|see\s+also|more\s+(from|on|in)\b.{0,60}|you\s+(may|might)\s+(also\s+)?like"
            r"|recommended(\s+for\s+you)?|trending(\s+now)?|most\s+(read|popular|viewed)|popular\s+posts"
            r"|latest\s+(news|posts|stories|articles)|explore\s+more.{0,60}|don'?t\s+miss)\s*:?"
        ),
        attrs=_t(r"(?<![a-z])(related|yarpp|relatedposts|more-stories|read-next|recommended)(?![a-z])"),
        attr_guard=("related", "yarpp", "more-stories", "read-next", "recommended"),
    ),
    # -- Newsletter and subscription prompts ---------------------------------------------------
    Rule(
        id="newsletter.prompt",
        category="newsletter",
        description="Newsletter sign-up and subscription prompts.",
        text=_t(
            r".{0,80}\b(subscribe|sign\s+up|newsletter)\b.{0,120}"
        ),
        guard=("subscribe", "sign", "newsletter"),
        attrs=_t(r"(?<![a-z])(newsletter|subscribe|signup|sign-up|mailchimp|mc4wp)(?![a-z])"),
        attr_guard=("newsletter", "subscribe", "signup", "sign-up", "mailchimp", "mc4wp"),
    ),
    # -- Share bars -----------------------------------------------------------------------------
    Rule(
        id="share.bar",
        category="share",
        description="Share-bar labels and social network button text.",
        # One atomic group per button: no button label starts with another's suffix, separator
        # or space, so committing to each button's longest reading loses no match, and a line of
        # eleven buttons fails in linear time instead of trying every split of its spaces.
        text=_t(
            r"(?>(?:share|tweet|email|print|copy\s+link|facebook|twitter|x|linkedin|whatsapp|reddit|telegram|pinterest)"
            r"(?:\s*+(?:this|on|via)?+\s*+(?:article|story|post|page)?+)?+\s*+[|•·,/]?+\s*+){1,10}"
        ),
        attrs=_t(r"(?<![a-z])(share|shares|sharing|sharedaddy|share-?bar|social-?share|addthis|addtoany)(?![a-z])"),
        attr_guard=("share", "sharing", "addthis", "addtoany"),
    ),
    # -- Counters and reading-time chrome ----------------------------------------------------
    Rule(
        id="meta.counter",
        category="counter",
        description="View counters, comment counters and reading-time lines.",
        text=_t(r"((post\s+)?views?\s*:?\s*[\d,.]+k?|[\d,.]+k?\s+(views?|comments?|shares?)|\d+\s+min(ute)?s?\s+read|post\s+views\s*:?\s*[\d,.]*)"),
    ),
    # -- Media players ------------------------------------------------------------------------
    Rule(
        id="media.player",
        category="media",
        description="The text a rendered page keeps of an embedded video player's controls and caption "
        "settings dialog ('Play Video', 'Mute', 'Current Time 0:00', 'captions off, selected', 'This is a "
        "modal window.', 'Font Size 50% 75% ...').",
        text=_t(
            r"play(\s+video)?|pause|(un)?mute|(current|duration|remaining)(\s+time)?\s+-?\d{1,2}(:\d\d){1,2}"
            r"|(loaded|progress)\s*:\s*[\d.]+\s*%|stream\s+type\s*live|playback\s+rate|(non-)?fullscreen"
            r"|(chapters|descriptions|subtitles|captions)\s+off,\s*selected"
            r"|(subtitles|captions)\s+settings,\s*opens\s+(subtitles|captions)\s+settings\s+dialog"
            r"|this\s+is\s+a\s+modal\s+window\..{0,200}|(beginning|end)\s+of\s+dialog\s+window\..{0,200}"
            r"|close\s+modal\s+dialog|(foreground|background|window)\s+---.{0,300}|font\s+size(\s+\d+%)+"
            r"|text\s+edge\s+style(\s+\w+){1,8}|font\s+family\s+default\b.{0,200}|defaults\s+done"
            r"|reset\s+restore\s+all\s+settings.{0,120}"
        ),
        inline=True,
        guard=("play", "mute", "time", "loaded", "progress", "stream", "rate", "fullscreen", "selected",
               "dialog", "modal", "---", "font", "edge", "defaults", "reset"),
    ),
    # -- Cookie notices -------------------------------------------------------------------------
    Rule(
        id="cookie.notice",
        category="cookie",
        description="Cookie-consent banners and consent dialogs, in English, French, German, Spanish, Italian, "
        "Portuguese and Dutch.",
        spares_prose=False,
        text=_t(  # each reading needs one of the guard's words: lines without any fail at once
            rf"(?=.*?(?:{'|'.join(_COOKIE_GUARD)}))(?:"
            r".{0,200}\b(cookies?|cookie\s+policy)\b.{0,200}\b(accept|consent|agree|continu\w*|use|using)\b.{0,200}"
            r"|(we|this\s+(web)?site)\s+uses?\s+cookies\b.{0,300}"
            rf"|.{{0,300}}\b{_COOKIE}\b.{{0,300}}\b{_COOKIE_USE}\b.{{0,300}}"
            rf"|.{{0,300}}\b{_COOKIE_USE}\b.{{0,300}}\b{_COOKIE}\b.{{0,300}}"
            rf"|.{{0,300}}\b{_WITHDRAW}\b.{{0,60}}\b{_CONSENT}\b.{{0,300}}"
            rf"|.{{0,300}}\b{_CONSENT_SETTINGS}\b.{{0,300}})"
        ),
        attrs=_t(r"cookie|consent|gdpr"),
        attr_guard=("cookie", "consent", "gdpr"),
        guard=_COOKIE_GUARD,
    ),
    # -- Text dumps (extract.textdump): inline chrome and structural rules ---------------------
    Rule(
        id="related.inline-link",
        category="related",
        description="A one-line 'Related: <headline>' / 'Read more: <headline>' link inside or after a story.",
        text=_t(
            r"[(\[]?\s*(related(\s+(posts?|articles?|stories|story|coverage|reading|content|video))?"
            r"|(read|see)\s+(more|also)|also\s+read|read\s+next|recommended|more\s+coverage)"
            r"(\s+from\b[^:]{0,60})?\s*[:|»›]\s*\S.{0,200}"
        ),
    ),
    Rule(
        id="comments.section",
        category="comments",
        description="A reader-comments heading and the comment thread below it.",
        scope="section",
        shape="to-end",
        text=_t(
            r"[\[(]?\s*((top\s+rated\s+|reader\s+|recent\s+|latest\s+)?comments?(\s*[(\[]?\s*\d[\d,]*\s*[)\]]?)?"
            r"|(leave|post|add|write)\s+a\s+(comment|reply)"
            r"|join\s+the\s+(discussion|conversation)|show\s+comments|discussion"
            r"|[\d,]+\s+(thoughts|responses|replies|comments)\s+(on|to)\s+.{1,200})\s*[\])]?\s*:?"
        ),
        attrs=_t(r"(?<![a-z])(comments|comment-list|commentlist|comments-area|comment-respond|comment-form|disqus_thread|disqus)(?![a-z])"),
        attr_guard=("comment", "disqus"),
    ),
    # -- Wire copy (extract.html): the story runs from its dateline ----------------------------
    Rule(
        id="wire.before-dateline",
        category="layout",
        description="Short lines above a wire story's dateline ('SEOUL (Reuters) -') in the extracted body: "
        "a republisher's headline, byline or injected heading.",
    ),
    Rule(
        id="text.outside-body",
        category="layout",
        description="A dump line outside the article's contiguous body block (menus, lists, footers).",
    ),
    Rule(
        id="text.short-line",
        category="layout",
        description="A short line inside the body that is chrome on its own (ad slot, photo credit, date, link).",
    ),
    Rule(
        id="text.repeated-line",
        category="layout",
        description="A line repeated word for word in the same dump (headline under its image, lists printed twice).",
    ),
    Rule(
        id="template.recurring-line",
        category="template",
        description="A line (a text dump's) or a paragraph (an HTML page's extracted body) that recurs, "
        "with the same neighbour, across different stories of the same site (learned template).",
    ),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def _attrs_screen(rules: tuple[Rule, ...]) -> re.Pattern[str]:
    """One pattern that every lower-cased ``"class id"`` matched by some rule's ``attrs`` also
    matches: their ``attr_guard`` strings (the ``attrs`` pattern itself for a rule without one)."""
    parts: list[str] = []
    for rule in rules:
        if rule.attrs is not None:
            parts.extend([re.escape(word) for word in rule.attr_guard] or [f"(?:{rule.attrs.pattern})"])
    return re.compile("|".join(parts) if parts else "(?!)")


# All rules' class/id patterns as one, matched on lower-cased names (the patterns are lower-case:
# without IGNORECASE it is twice as fast); searched only where ATTRS_SCREEN finds a guard string.
_ATTRS_SCREEN = _attrs_screen(RULES)
_ANY_ATTRS = re.compile("|".join(f"(?:{r.attrs.pattern})" for r in RULES if r.attrs is not None) or "(?!)")


def attrs_named(class_and_id: str) -> bool:
    """Whether an element's lower-cased ``"class id"`` is named like chrome by some rule's ``attrs``."""
    return _ATTRS_SCREEN.search(class_and_id) is not None and _ANY_ATTRS.search(class_and_id) is not None


def attrs_rule(class_and_id: str) -> Rule | None:
    """The first rule whose ``attrs`` pattern an element's lower-cased ``"class id"`` matches."""
    if not attrs_named(class_and_id):
        return None
    return next((rule for rule in RULES if rule.matches_attrs(class_and_id)), None)
