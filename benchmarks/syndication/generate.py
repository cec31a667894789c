"""Deterministic syndication corpus: real stories, copied into other real pages' chrome.

Stories are Scrapinghub ground-truth bodies. Copy 0 of a story is its own page as fetched
(HTML or its text dump): the full original. Further copies put the story (edited) into another
page's chrome (``chrome.py``). Edits, each drawn independently per copy with the probabilities
in ``EDIT_RATES``: a different headline, a dateline added or dropped, curly/straight quotes
swapped, an "Advertisement" line in the middle, copyedits (1-3% of words substituted), the
last paragraphs cut (kept share of words recorded, 40-95%; never on a wire agency's own site,
which carries the full text), or an update with two more paragraphs (at most one per story).
Copies per story are skewed and capped (``_copy_counts``); each page's host is drawn by
rendezvous hashing (``_pick_host``: stable when the set of hosts changes); a page is a host
only if both its HTML and its dump can be emptied of its own story. Hard negatives, each a different story id:
briefs (short texts in one site's chrome, half of the groups sharing a tagline), shared-quote
pairs (two stories quoting the same long statement), same-event pairs (the two stories with
most keywords in common, one given the other's topic sentence), roundups (a digest of three
stories' ledes, at most 30% and 120 words of each: it must not chain them). The five seed
pages go in as they are.

Same ``seed`` and sources → byte-identical files and truth.json (no clock, no set order).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.corpus import DEFAULT_SCRAPINGHUB
from cleanfeed import decode_bytes

from .chrome import (
    BODY,
    TITLE,
    Host,
    headline_of,
    html_host,
    render_dump,
    render_html,
    render_text,
    text_host,
    words,
)

DEFAULT_SEEDS = Path(__file__).resolve().parents[2] / "seeds"  # the repo's copy of the seeds
_BENCH = DEFAULT_SCRAPINGHUB.parent
#: where stories and host pages come from: three sets, hundreds of sites (their own chrome)
DEFAULT_SOURCES = (_BENCH / "scrapinghub", _BENCH / "wcxb-dev", _BENCH / "readability")

#: probability that a non-original copy gets each edit (independently; trim and update exclude
#: each other, and a story gets at most one update)
EDIT_RATES = {
    "headline": 0.4,
    "dateline": 0.3,
    "quotes": 0.3,
    "advert": 0.25,
    "copyedit": 0.3,
    "trim": 0.3,
    "update": 0.08,
    "credit": 0.2,
}
#: share of pages that are hard negatives of each kind (the rest: story copies, plus 5 seeds)
NEGATIVE_SHARES = {"brief": 0.08, "shared_quote": 0.03, "same_event": 0.03, "roundup": 0.01}
HTML_SHARE = 0.6  # copies rendered as HTML; the rest as text dumps (form "mixed")
FORMS = {"mixed": HTML_SHARE, "html": 1.0, "text": 0.0}  # form -> share of pages as HTML
HEAVY_BRIEFS = (20, 26)  # briefs on the heaviest template (a section page's worth)
SINGLE_SHARE = 0.15  # stories published once (only the original)
POOL_SHARE = 0.2  # stories kept out of copying: they feed briefs, quotes, update paragraphs
MIN_STORY_WORDS = 120
ROUNDUP_SHARE = 0.2  # share of each story's words a roundup carries (at least its first paragraph)
MIN_TRIM_STORY_WORDS = 200

CITIES = ("LONDON", "WASHINGTON", "NEW YORK", "PARIS", "TOKYO", "BERLIN", "SAN FRANCISCO",
          "BRUSSELS", "MOSCOW", "BEIJING", "SYDNEY", "TORONTO", "MUMBAI", "SEOUL")
AGENCIES = ("Reuters", "AP", "AFP", "Bloomberg")
# Agencies' own sites: their copy of a story is the full text, so copies there are never trimmed.
WIRE_DOMAINS = ("reuters.com", "apnews.com", "ap.org", "afp.com", "bloomberg.com", "upi.com")
DASHES = (" - ", " — ", " – ")
ADVERTS = ("Advertisement", "ADVERTISEMENT", "Story continues below advertisement",
           "Advertisement - scroll to continue")
CREDITS = ("(Reporting by Jane Smith; Editing by Tom Brown)", "Additional reporting by Ana Ruiz",
           "Compiled by the news desk.", "The Associated Press contributed to this report.")
HEADLINE_EDITS = ("UPDATE 1-{h}", "{h} - report", "Exclusive: {h}", "{h}", "WRAPUP: {h}")
TAGLINES = (
    "Follow our live coverage for the latest updates throughout the day.",
    "This is a developing story and will be updated as more details emerge.",
    "Sign up for our morning briefing to get stories like this in your inbox.",
)
# Copyedits a desk makes to wire copy: house style, synonyms. Case is kept on substitution.
SUBSTITUTIONS = {
    "said": "says", "says": "said", "percent": "per cent", "about": "around",
    "also": "additionally", "but": "however", "big": "large", "large": "big",
    "help": "assist", "start": "begin", "began": "started", "show": "indicate",
    "shows": "indicates", "use": "utilise", "buy": "purchase", "get": "obtain",
    "many": "numerous", "new": "fresh", "month": "mo.", "company": "firm",
    "people": "individuals", "more": "further", "told": "informed", "after": "following",
    "before": "prior to", "while": "whilst", "because": "as", "need": "require",
    "make": "create", "however": "but", "including": "among them", "major": "key",
}
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z .,'/-]{1,40})?\s*\((?:Reuters|AP|AFP|Bloomberg|CNN)\)\s*[-—–:]+\s*"
)


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    headline: str
    paragraphs: tuple[str, ...]
    url: str
    source: str  # Scrapinghub page id or seed file name

    @property
    def n_words(self) -> int:
        return sum(len(words(p)) for p in self.paragraphs)


@dataclass(frozen=True, slots=True)
class PageTruth:
    page: str  # file name under pages/
    story: str
    kind: str  # "html" | "text"
    url: str
    host: str  # host page id whose chrome wraps it ("" for originals and seeds)
    role: str  # "original" | "copy" | "brief" | "roundup" | "seed"
    edits: tuple[str, ...] = ()
    trim_fraction: float | None = None  # kept share of the story's words, for trimmed copies
    full: bool = True  # carries the whole story (untrimmed)
    n_words: int = 0


@dataclass(frozen=True, slots=True)
class Negative:
    type: str  # "brief" | "shared_quote" | "same_event" | "roundup" | "seed"
    pages: tuple[str, ...]  # pages of different stories that must not merge
    note: str = ""


@dataclass
class Truth:
    seed: int
    n_pages: int
    pages: dict[str, PageTruth] = field(default_factory=dict)
    stories: dict[str, dict[str, object]] = field(default_factory=dict)
    negatives: list[Negative] = field(default_factory=list)

    def to_json(self) -> str:
        data = {
            "seed": self.seed,
            "n_pages": self.n_pages,
            "pages": {k: asdict(v) for k, v in sorted(self.pages.items())},
            "stories": dict(sorted(self.stories.items())),
            "negatives": [asdict(n) for n in self.negatives],
            "proportions": self.proportions(),
        }
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Truth:
        data = json.loads(text)
        truth = cls(seed=data["seed"], n_pages=data["n_pages"], stories=data["stories"])
        for key, row in data["pages"].items():
            row["edits"] = tuple(row["edits"])
            truth.pages[key] = PageTruth(**row)
        truth.negatives = [
            Negative(type=n["type"], pages=tuple(n["pages"]), note=n["note"])
            for n in data["negatives"]
        ]
        return truth

    def proportions(self) -> dict[str, object]:
        pages = list(self.pages.values())
        roles = Counter(p.role for p in pages)
        edits = Counter(e for p in pages for e in p.edits)
        sizes = Counter(p.story for p in pages)
        multi = [s for s, n in sizes.items() if n > 1]
        return {
            "pages": len(pages),
            "html": sum(p.kind == "html" for p in pages),
            "text": sum(p.kind == "text" for p in pages),
            "roles": dict(sorted(roles.items())),
            "edits": dict(sorted(edits.items())),
            "stories": len(sizes),
            "multi_copy_stories": len(multi),
            "largest_story": max(sizes.values()) if sizes else 0,
            "trimmed": sum(p.trim_fraction is not None for p in pages),
            "negatives": dict(sorted(Counter(n.type for n in self.negatives).items())),
        }


def _paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split("\n") if p.strip())


def _slug(text: str) -> str:
    return "-".join(words(text)[:8]) or "story"


def _domain(url: str) -> str:
    m = re.match(r"https?://([^/]+)", url)
    return (m.group(1) if m else "example.com").removeprefix("www.")


def _teaser_cap(story: Story) -> float:
    """Most words a digest takes from one story: its lede, at most 30% of it and 120 words (a
    digest entry is a teaser; a long story's first fifth would be a trimmed copy)."""
    return min(0.3 * story.n_words, 120)


def _wire_site(domain: str) -> bool:
    """A wire agency's own site, where a copy carries the agency's full text (never cut)."""
    return any(domain == d or domain.endswith("." + d) for d in WIRE_DOMAINS)


def _copyedit(paragraphs: list[str], rng: random.Random) -> tuple[list[str], int]:
    rate = rng.uniform(0.01, 0.03)
    total = sum(len(p.split()) for p in paragraphs)
    budget = max(1, round(rate * total))
    slots = [
        (i, j)
        for i, p in enumerate(paragraphs)
        for j, w in enumerate(p.split(" "))
        if w.strip(".,;:\"'“”").lower() in SUBSTITUTIONS
    ]
    rng.shuffle(slots)
    split = [p.split(" ") for p in paragraphs]
    done = 0
    for i, j in slots[:budget]:
        word = split[i][j]
        core = word.strip(".,;:\"'“”")
        new = SUBSTITUTIONS[core.lower()]
        if core[:1].isupper():
            new = new[:1].upper() + new[1:]
        split[i][j] = word.replace(core, new, 1)
        done += 1
    return [" ".join(s) for s in split], done


def _swap_quotes(paragraphs: list[str]) -> list[str]:
    text = "\n".join(paragraphs)
    if any(c in text for c in "“”‘’"):
        text = text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    else:
        text = re.sub(r'"(?=\w)', "“", text).replace('"', "”").replace("'", "’")
    return text.split("\n")


def _trim(paragraphs: list[str], rng: random.Random) -> tuple[list[str], float] | None:
    total = sum(len(words(p)) for p in paragraphs)
    target = rng.uniform(0.4, 0.95)
    kept, n = [], 0
    for p in paragraphs:
        if n >= target * total and n / total >= 0.4:
            break
        kept.append(p)
        n += len(words(p))
    if len(kept) == len(paragraphs) or n < 100:
        return None
    return kept, round(n / total, 4)


def _copy(
    story: Story, rng: random.Random, extra: list[str], update_allowed: bool,
    trim_allowed: bool = True,
) -> tuple[str, list[str], tuple[str, ...], float | None]:
    """One edited copy: (headline, paragraphs, edits applied, trim fraction)."""
    paras = list(story.paragraphs)
    headline = story.headline
    edits: list[str] = []
    fraction = None
    if rng.random() < EDIT_RATES["headline"]:
        headline = rng.choice(HEADLINE_EDITS).format(h=story.headline)
        if headline == story.headline:
            headline = " ".join(story.headline.split()[:-1]) or "News"
        edits.append("headline")
    if rng.random() < EDIT_RATES["dateline"]:
        if _DATELINE.match(paras[0]):
            paras[0] = _DATELINE.sub("", paras[0], count=1)
            edits.append("dateline_dropped")
        else:
            line = f"{rng.choice(CITIES)} ({rng.choice(AGENCIES)}){rng.choice(DASHES)}"
            paras[0] = line + paras[0]
            edits.append("dateline_added")
    if rng.random() < EDIT_RATES["quotes"]:
        paras = _swap_quotes(paras)
        edits.append("quotes")
    if rng.random() < EDIT_RATES["copyedit"]:
        paras, n = _copyedit(paras, rng)
        if n:
            edits.append("copyedit")
    if update_allowed and len(extra) >= 2 and rng.random() < EDIT_RATES["update"]:
        paras += [extra.pop(), extra.pop()]
        edits.append("update")
    elif (trim_allowed and story.n_words >= MIN_TRIM_STORY_WORDS
          and rng.random() < EDIT_RATES["trim"]):
        trimmed = _trim(paras, rng)
        if trimmed is not None:
            paras, fraction = trimmed
            edits.append("trim")
    if rng.random() < EDIT_RATES["credit"]:
        paras.append(rng.choice(CREDITS))
        edits.append("credit")
    if len(paras) >= 4 and rng.random() < EDIT_RATES["advert"]:
        paras.insert(len(paras) // 2, rng.choice(ADVERTS))
        edits.append("advert")
    return headline, paras, tuple(edits), fraction


def _pick_host(hosts: Sequence[Host], seed: int, key: str) -> Host:
    """The host for one page, by rendezvous hashing of (seed, key, host id): the same key gets
    the same host whatever other hosts come and go (a change in how hosts are rendered or which
    pages qualify moves only the pages whose host changed), and drawing it takes nothing from
    the corpus's random stream (stories, edits and negatives stay as drawn)."""
    def rank(host: Host) -> bytes:
        return hashlib.blake2b(f"{seed}\x00{key}\x00{host.id}".encode(), digest_size=8).digest()
    return max(hosts, key=rank)


@dataclass
class _Builder:
    out: Path
    rng: random.Random
    hosts: list[Host]
    seed: int = 0
    html_share: float = HTML_SHARE
    # (kind, content, truth, body): body is the story text the page carries, for checking extraction
    rendered: list[tuple[str, str, PageTruth, str]] = field(default_factory=list)

    def wrap(
        self, story_id: str, headline: str, paras: list[str], role: str,
        edits: tuple[str, ...] = (), fraction: float | None = None, host: Host | None = None,
        kind: str | None = None,
    ) -> int:
        # never the story's own page: its chrome may still hold its teasers
        if host is None:
            host = _pick_host([h for h in self.hosts if h.id != story_id], self.seed,
                              f"{story_id}\x00{role}\x00{len(self.rendered)}")
        if kind is None:
            kind = "html" if self.rng.random() < self.html_share else "text"
        if kind == "html" and host.html is None:
            kind = "text"
        if kind == "text" and host.text is None:
            kind = "html"
        content = (render_html if kind == "html" else render_text)(host, headline, paras)
        url = f"https://{host.domain}/news/{_slug(headline)}-{len(self.rendered)}"
        truth = PageTruth(
            page="", story=story_id, kind=kind, url=url, host=host.id, role=role, edits=edits,
            trim_fraction=fraction, full=fraction is None,
            n_words=sum(len(words(p)) for p in paras),
        )
        self.rendered.append((kind, content, truth, "\n".join(paras)))
        return len(self.rendered) - 1


def _load(
    sources: Sequence[Path],
) -> tuple[list[Story], list[Host], dict[str, tuple[str, str]]]:
    """Stories (ground-truth bodies of article pages) and hosts (every page whose story can be
    taken out of its HTML and of its text dump) of each source set. A set without text dumps
    gets them rendered from its HTML (``render_dump``: one line per block, as a browser shows
    the page), so the text form of a host keeps the page's real chrome too."""
    stories, hosts, originals = [], [], {}
    for root in sources:
        name = root.name
        truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
        for page_id in sorted(truth):
            row = truth[page_id]
            path = root / "html" / f"{page_id}.html.gz"
            if not path.exists():
                continue
            html = decode_bytes(gzip.decompress(path.read_bytes()))
            dump_path = root / "textdump" / f"{page_id}.txt"
            dump = (dump_path.read_text(encoding="utf-8") if dump_path.exists()
                    else render_dump(html))
            body = row.get("articleBody") or ""
            url = row.get("url") or f"https://{name}-{_slug(page_id)}.example/{page_id}"
            key = f"{name}:{page_id}"
            headline = headline_of(html) or page_id[:12]
            if row.get("type", "article") == "article" and body:
                story = Story(id=key, headline=headline, paragraphs=_paragraphs(body), url=url,
                              source=key)
                stories.append(story)
                originals[story.id] = (html, dump)
            if not body:
                continue
            host_html, _ = html_host(html, body)
            host_text = text_host(dump, body, headline)
            # A page is a host only when both its HTML and its dump can be emptied of its story
            # (where one still leaks the story, e.g. a summary kept outside the body, so may the
            # other).
            if host_html is not None and host_text is not None:
                hosts.append(Host(id=key, domain=_domain(url), html=host_html, text=host_text))
    return _distinct(stories), hosts, originals


def _distinct(stories: list[Story], n: int = 8, share: float = 0.2) -> list[Story]:
    """The stories without those sharing ``share`` of their word 8-grams with an earlier one:
    the sets hold variants of one article (Readability's test cases) and sites whose bodies
    repeat a long boilerplate passage; as two "different" stories they would be false truth."""
    owner: dict[tuple[str, ...], int] = {}
    out: list[Story] = []
    for story in stories:
        w = [x.lower() for p in story.paragraphs for x in words(p)]
        grams = {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}
        if not grams:
            continue
        hits = Counter(owner[g] for g in grams if g in owner)
        if hits and max(hits.values()) >= share * len(grams):
            continue
        for g in grams:
            owner.setdefault(g, len(out))
        out.append(story)
    return out


def _chrome_words(host: Host) -> int:
    """How much chrome a host carries (its text form without the story): heavy templates are
    where briefs are most at risk."""
    return len(words((host.text or "").replace(BODY, "").replace(TITLE, "")))


def _keywords(story: Story) -> set[str]:
    counts = Counter(w for p in story.paragraphs for w in words(p) if len(w) >= 6)
    return {w for w, _ in counts.most_common(25)}


def generate(
    out_dir: Path, n_pages: int, seed: int = 1,
    source_root: Path | Sequence[Path] = DEFAULT_SOURCES,
    seeds_root: Path | None = DEFAULT_SEEDS, form: str = "mixed",
    stories_part: tuple[int, int] | None = None,
) -> Truth:
    """Write ``n_pages`` raw pages (``pages/*.html|txt``) and ``truth.json`` under ``out_dir``.

    ``source_root``: one set or several (``DEFAULT_SOURCES``), each in the Scrapinghub layout
    (``ground-truth.json``, ``html/<id>.html.gz``, optional ``textdump/<id>.txt``). ``form``:
    "html" or "text" renders every page (originals and copies) in that form; "mixed" 60% HTML.
    Negatives take their share as far as the pool of texts allows; copies make up the rest.
    ``stories_part`` ``(k, n)``: only the k-th of n disjoint parts of the sources' stories (by
    a hash of their ids, whatever the seed), so corpora made from parts k of one n share no
    story while their hosts (sites and their chrome) are the same: a crawl's days.
    """
    if form not in FORMS:
        raise ValueError(f"form must be one of {sorted(FORMS)}, got {form!r}")
    if n_pages < 20:
        raise ValueError(
            f"n_pages must be at least 20 for a mix of copies and negatives, got {n_pages}"
        )
    out_dir = Path(out_dir)
    rng = random.Random(seed)
    sources = [Path(source_root)] if isinstance(source_root, (str, Path)) else list(source_root)
    stories, hosts, originals = _load([Path(p) for p in sources])
    if stories_part is not None:
        part, of = stories_part
        stories = [s for s in stories
                   if int(hashlib.sha256(s.id.encode("utf-8")).hexdigest(), 16) % of == part]
    rng.shuffle(stories)
    n_pool = round(POOL_SHARE * len(stories))
    pool, stories = stories[:n_pool], [s for s in stories[n_pool:] if s.n_words >= MIN_STORY_WORDS]
    # Pool paragraphs: briefs (25-90 words), quotes (quoted statements 30-70 words), updates.
    pool_paras = [p for s in pool for p in s.paragraphs]
    brief_texts = [p for p in pool_paras if 25 <= len(words(p)) <= 90]
    quotes = [p for p in brief_texts if 30 <= len(words(p)) <= 70 and any(c in p for c in "\"“")]
    brief_texts = [p for p in brief_texts if p not in set(quotes)]
    extra = [p for p in pool_paras if len(words(p)) >= 15 and p not in set(brief_texts)
             and p not in set(quotes)]
    rng.shuffle(brief_texts)
    rng.shuffle(quotes)
    rng.shuffle(extra)

    b = _Builder(out=out_dir, rng=rng, hosts=hosts, seed=seed, html_share=FORMS[form])
    truth = Truth(seed=seed, n_pages=n_pages)
    seed_pages = _seed_pages(seeds_root, b)
    budget = n_pages - len(seed_pages)
    # Negatives as far as the pool holds texts for them; story copies fill the rest.
    n_brief = min(len(brief_texts), round(NEGATIVE_SHARES["brief"] * budget))
    n_quote_pairs = min(len(quotes), max(1, round(NEGATIVE_SHARES["shared_quote"] * budget / 2)))
    n_event_pairs = max(1, round(NEGATIVE_SHARES["same_event"] * budget / 2))
    n_roundups = max(1, round(NEGATIVE_SHARES["roundup"] * budget))
    n_copies = budget - n_brief - 2 * n_quote_pairs - 2 * n_event_pairs - n_roundups

    # Copy clusters: a skewed number of copies per story, capped (see _copy_counts).
    n_stories = min(len(stories), max(3, n_copies // 3))
    used = stories[:n_stories]
    counts = _copy_counts(n_stories, n_copies, rng)
    original_index: dict[str, int] = {}
    for story, count in zip(used, counts, strict=True):
        html, dump = originals[story.id]
        original_index[story.id] = len(b.rendered)
        has_dump = bool(dump) and rng.random() >= FORMS[form]
        b.rendered.append((
            "text" if has_dump else "html", dump if has_dump else html,
            PageTruth(page="", story=story.id, kind="text" if has_dump else "html",
                      url=story.url, host="", role="original", n_words=story.n_words),
            "\n".join(story.paragraphs),
        ))
        updated = False
        own = [h for h in hosts if h.id != story.source]
        for n in range(count - 1):
            host = _pick_host(own, seed, f"{story.id}\x00copy\x00{n}")
            headline, paras, edits, fraction = _copy(
                story, rng, extra, not updated, trim_allowed=not _wire_site(host.domain))
            updated = updated or "update" in edits
            b.wrap(story.id, headline, paras, "copy", edits, fraction, host=host)
        truth.stories[story.id] = {"headline": story.headline, "source": story.source,
                                   "words": story.n_words, "copies": count}

    # Briefs: groups of 3-8 short different texts in one site's chrome; the first group, 20 or
    # more, on the heaviest template (a section page's worth of briefs).
    made = 0
    heaviest = max(hosts, key=lambda h: (_chrome_words(h), h.id))
    while made < n_brief and brief_texts:
        first = made == 0
        host = heaviest if first else _pick_host(hosts, seed, f"brief\x00{len(truth.negatives)}")
        tagline = rng.choice(TAGLINES) if rng.random() < 0.5 else None
        group = []
        size = rng.randint(*HEAVY_BRIEFS) if first else rng.randint(3, 8)
        for _ in range(min(size, n_brief - made, len(brief_texts))):
            text = brief_texts.pop()
            sid = f"brief:{len(truth.stories)}"
            paras = [text] + ([tagline] if tagline else [])
            group.append(b.wrap(sid, " ".join(text.split()[:8]), paras, "brief", host=host))
            truth.stories[sid] = {"headline": "", "source": "pool", "words": len(words(text)),
                                  "copies": 1}
            made += 1
        truth.negatives.append(Negative("brief", tuple(str(i) for i in group),
                                        "tagline" if tagline else "chrome only"))

    # Shared-quote pairs: two different stories (>= 150 words) given one quoted statement.
    long_ones = [s for s in used if s.n_words >= 150]
    for _ in range(n_quote_pairs):
        if len(long_ones) < 2 or not quotes:
            break
        a, c = rng.sample(long_ones, 2)
        quote = quotes.pop()
        pair = []
        for story in (a, c):
            paras = list(story.paragraphs)
            paras.insert(rng.randint(1, len(paras)), quote)
            pair.append(b.wrap(story.id, story.headline, paras, "copy", ("shared_quote",)))
            truth.stories[story.id]["copies"] += 1  # type: ignore[operator]  # an int: set above
        truth.negatives.append(Negative("shared_quote", tuple(str(i) for i in pair),
                                        quote[:80]))

    # Same-event pairs: the story pairs with most keywords in common; the second copy is given
    # the first story's opening sentence as background (one shared topic sentence).
    keys = {s.id: _keywords(s) for s in used}
    ranked = sorted(
        ((len(keys[x.id] & keys[y.id]), x.id, y.id, x, y)
         for i, x in enumerate(used) for y in used[i + 1 :]),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for overlap, _, _, x, y in ranked[:n_event_pairs]:
        topic = re.split(r"(?<=[.!?])\s", x.paragraphs[0])[0]
        paras_y = list(y.paragraphs)
        paras_y.insert(1, topic)
        pair = [b.wrap(x.id, x.headline, list(x.paragraphs), "copy", ("same_event",)),
                b.wrap(y.id, y.headline, paras_y, "copy", ("same_event",))]
        for s in (x, y):
            truth.stories[s.id]["copies"] += 1  # type: ignore[operator]  # an int: set above
        truth.negatives.append(Negative("same_event", tuple(str(i) for i in pair),
                                        f"{overlap} shared keywords"))

    # Roundups: a digest page with the opening paragraphs of three stories (their ledes: about
    # 20% or 80 words, never over _teaser_cap), each under its headline. Its own story; it must
    # not pull the three into one cluster.
    # (Stories whose lede alone is over the cap are left out.)
    digestible = [s for s in used if s.n_words >= 200 and len(s.paragraphs) >= 4
                  and len(words(s.paragraphs[0])) <= _teaser_cap(s)]
    for _ in range(n_roundups if len(digestible) >= 3 else 0):
        parts = rng.sample(digestible, 3)
        paras, shares = [], []
        for story in parts:
            paras.append(story.headline)
            n = 0
            for para in story.paragraphs:
                grown = n + len(words(para))
                enough = n >= min(ROUNDUP_SHARE * story.n_words, 80)
                if enough or (n and grown > _teaser_cap(story)):
                    break
                paras.append(para)
                n += len(words(para))
            shares.append(f"{story.id} ({n / story.n_words:.0%})")
        sid = f"roundup:{len(truth.stories)}"
        page = b.wrap(sid, "News digest", paras, "roundup")
        truth.stories[sid] = {"headline": "News digest", "source": "roundup",
                              "words": sum(len(words(p)) for p in paras), "copies": 1}
        group = [page] + [original_index[s.id] for s in parts]
        truth.negatives.append(Negative("roundup", tuple(str(i) for i in group),
                                        "digest of " + ", ".join(shares)))

    for sid, _index in seed_pages:
        truth.stories[sid] = {"headline": "", "source": "seed", "words": 0, "copies": 1}
    seed_ids = [str(i) for _, i in seed_pages]
    if seed_ids:
        truth.negatives.append(Negative("seed", tuple(seed_ids), "the five seeds, all distinct"))

    # Shuffle so that file order says nothing about stories; name pages by shuffled position.
    order = list(range(len(b.rendered)))
    rng.shuffle(order)
    names = {}
    bodies: dict[str, str] = {}
    pages_dir = out_dir / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    for new, old in enumerate(order):
        kind, content, row, body = b.rendered[old]
        name = f"p{new:05d}.{'html' if kind == 'html' else 'txt'}"
        bodies[name] = body
        names[str(old)] = name
        (pages_dir / name).write_text(content, encoding="utf-8")
        truth.pages[name] = PageTruth(**{**asdict(row), "page": name})
    truth.negatives = [
        Negative(n.type, tuple(sorted(names[p] for p in n.pages)), n.note) for n in truth.negatives
    ]
    truth.n_pages = len(truth.pages)
    (out_dir / "truth.json").write_text(truth.to_json(), encoding="utf-8")
    (out_dir / "bodies.json").write_text(
        json.dumps(dict(sorted(bodies.items())), ensure_ascii=False, indent=0) + "\n",
        encoding="utf-8",
    )
    return truth


def _copy_counts(n_stories: int, n_pages: int, rng: random.Random) -> list[int]:
    """Pages per story summing to ``n_pages``: some stories published once, the others a
    log-normal share, capped at four times the mean so that one story's pairs (quadratic in its
    size) do not make up the whole pairwise score."""
    weights = [rng.lognormvariate(0.0, 0.9) if rng.random() >= SINGLE_SHARE else 0.0
               for _ in range(n_stories)]
    spare = n_pages - n_stories
    cap = max(2, 4 * spare // max(1, sum(w > 0 for w in weights)))
    extra = [0] * n_stories
    for _ in range(8):  # hand what the cap cuts off to the stories under it
        open_ = [i for i in range(n_stories) if weights[i] > 0 and extra[i] < cap]
        left = spare - sum(extra)
        if not open_ or left <= 0:
            break
        total = sum(weights[i] for i in open_)
        for i in open_:
            extra[i] = min(cap, extra[i] + int(left * weights[i] / total))
    order = sorted(range(n_stories), key=lambda i: (-weights[i], i))
    while sum(extra) < spare:  # rounding remainder, one page at a time to the heaviest
        grew = False
        for i in order:
            if sum(extra) >= spare:
                break
            if extra[i] < cap or all(extra[j] >= cap for j in order):
                extra[i] += 1
                grew = True
        if not grew:
            break
    return [1 + e for e in extra]


def _seed_pages(seeds_root: Path | None, b: _Builder) -> list[tuple[str, int]]:
    if seeds_root is None or not (seeds_root / "raw").is_dir():
        return []
    out = []
    for path in sorted((seeds_root / "raw").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        gold_path = seeds_root / "gold" / path.name
        gold = gold_path.read_text(encoding="utf-8") if gold_path.exists() else ""
        sid = f"seed:{path.stem}"
        row = PageTruth(page="", story=sid, kind="text", url="", host="", role="seed",
                        n_words=len(words(gold)))
        b.rendered.append(("text", text, row, gold))
        out.append((sid, len(b.rendered) - 1))
    return out

