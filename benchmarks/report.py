"""The HTML report (``cleanfeed run --report``): how long a 50,000-page report takes to write,
how big it is, and how fast it opens in a real headless Chromium; and the screenshots in docs/.

Usage::

    python -m benchmarks.report [--pages 50000] [--repeat 3] [--seed 1] [--workdir DIR]
    python -m benchmarks.report --screenshots docs     # the README's pictures

Corpus: 50,000 ``Outcome``s synthesised here (running the pipeline over 50,000 pages takes
minutes and measures the pipeline, not the report): stories of 1 to 12 copies (most have
one), each copy a reworded, trimmed or extended version of its story's text, ~350 words a
page drawn in runs from the seed pages' words (so it compresses like article text), and per
page ~25 removal records (template lines, related links, scripts) with the preview lengths
the extractor records; 2 % of the pages dropped with a reason.

Measures: the time ``ReportWriter`` takes over the stream (``add`` for each outcome, then
``finish``), the file size, and, in a fresh headless Chromium per round, the time from
navigation start to first contentful paint (``performance`` paint timing), to the report's
first render (``performance.mark("cf-rendered")``, set once the overview is drawn) and to
DOMContentLoaded (the whole file parsed). The fastest of ``--repeat`` rounds counts; every
round is reported.

Screenshots: a report of the seeds plus a small syndication corpus written here
(``write_story_pages``: stories with copies, an update, a dropped page), one PNG per view.

Results: ``benchmarks/results/report.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import write_results
from cleanfeed.models import CleanDoc, Removal, Similarity
from cleanfeed.page import Copy, Outcome, PageResult
from cleanfeed.report import ReportWriter

from .browser import chromium

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"

# ---- a small syndication corpus of our own pages (tests and screenshots) ---------------------

_STORY = [
    "LONDON (Reuters) - The Bank of England held interest rates at 4.5 percent on Thursday, "
    "saying that inflation in services was still running well above the level it wanted to see "
    "before it could cut borrowing costs again later this year.",
    "Governor Andrew Bailey told reporters that the committee had been split seven to two, with "
    "two members voting for an immediate cut of a quarter point, and that markets should not read "
    "too much into the timing of the next move.",
    "Sterling rose half a cent against the dollar after the decision, while the yield on two-year "
    "government bonds climbed to its highest level in three weeks as traders pushed back their "
    "bets on a cut in August.",
    "The central bank also said it expected economic growth to pick up to one percent next year, "
    "helped by rising real wages, but warned that the outlook for trade remained uncertain.",
]
_OTHER = [
    "ROME (AP) - Firefighters battled a wildfire on the hills above the city for a second day on "
    "Friday as strong winds carried embers across dry fields and forced the evacuation of several "
    "hundred homes near the coast.",
    "Civil protection officials said four aircraft were dropping water on the flames and that no "
    "one had been hurt, although two farm buildings were destroyed overnight.",
    "Temperatures across southern Italy have been above 40 degrees Celsius for more than a week, "
    "and the regional government declared a state of emergency on Wednesday.",
]

#: what a scraped page can hold; the report must show it as text, never run it
PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)")


def _html(site: str, url: str, title: str, paragraphs: list[str], date: str = "2024-06-20",
          chrome: str = "") -> str:
    from html import escape

    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | {escape(site)}'
            f'</title><meta property="og:site_name" content="{escape(site)}">'
            f'<link rel="canonical" href="{escape(url)}">'
            f'<meta property="article:published_time" content="{date}">'
            f"<style>body {{ color: red }}</style><script>var tracking = 1;</script></head><body>"
            f'<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/markets">Markets</a></nav>'
            f"<article><h1>{escape(title)}</h1>{body}{chrome}</article>"
            "<footer>Copyright 2024. All rights reserved.</footer></body></html>")


def write_story_pages(directory: Path) -> dict[str, list[str]]:
    """Write a small syndication corpus of our own pages into ``directory/stories.jsonl``
    (``{"id", "url", "html"}``; the payload page's URL is ``javascript:alert(1)``): a wire
    story on the wire's site with three copies (one reworded, one updated with a paragraph,
    one trimmed), another story with one copy, a page whose text carries script and markup
    payloads, a page with no article, and a record cut short (not JSON). Returns the ids of
    each story's pages (the first is the wire's own copy) and of the other pages."""
    directory.mkdir(parents=True, exist_ok=True)
    story = list(_STORY)
    reworded = [p.replace("held interest rates", "kept its key interest rate").replace(
        "half a cent", "0.5 cents") for p in story]
    updated = [*story, "Finance minister Rachel Reeves welcomed the decision and said the government "
               "would keep to its spending plans in the autumn budget."]
    trimmed = story[:3]
    related = ('<div class="related-articles"><h3>Related stories</h3><ul><li><a href="/a">Oil falls '
               'on supply worries</a></li><li><a href="/b">Stocks close higher</a></li></ul></div>')
    pages = {
        "boe-reuters.html": _html("Reuters", "https://www.reuters.com/markets/boe-holds", "Bank of England "
                                  "holds rates at 4.5%", story),
        "boe-daily.html": _html("The Daily Courier", "https://dailycourier.example/boe", "Bank of "
                                "England keeps rates on hold", reworded, chrome=related),
        "boe-herald.html": _html("Morning Herald", "https://herald.example/business/boe", "BoE holds "
                                 "rates, sees growth pick up", updated, date="2024-06-21"),
        "boe-gazette.html": _html("Valley Gazette", "https://gazette.example/boe", "Bank of England "
                                  "holds rates", trimmed),
        "fire-ap.html": _html("AP News", "https://apnews.com/article/italy-fire", "Wildfire forces "
                              "evacuations near Rome", _OTHER),
        "fire-post.html": _html("City Post", "https://citypost.example/fire", "Wildfire near Rome",
                                _OTHER, chrome=related),
        "payload.html": _html("Evil Example", "javascript:alert(1)", "Payload " + PAYLOADS[0],
                              [f"This page quotes {PAYLOADS[0]} and {PAYLOADS[1]} and a link to "
                               f"{PAYLOADS[2]} in its text, which a report must show as text and never "
                               "run, however the page was scraped or what it holds in its body."] * 2),
        "empty.html": "<html><head><title>Nothing</title></head><body><div></div></body></html>",
    }
    urls = {"payload.html": "javascript:alert(1)", "empty.html": "https://empty.example/"}
    with open(directory / "stories.jsonl", "w", encoding="utf-8") as out:
        for name, html in pages.items():
            url = urls.get(name) or html.split('rel="canonical" href="', 1)[1].split('"', 1)[0]
            out.write(json.dumps({"id": name, "url": url, "html": html}) + "\n")
        out.write('{"id": "cut.html", "url": "https://cut.example/", "html": "<html><bo\n')  # cut short
    return {"boe": ["boe-reuters.html", "boe-daily.html", "boe-herald.html", "boe-gazette.html"],
            "fire": ["fire-ap.html", "fire-post.html"], "payload": ["payload.html"], "empty": ["empty.html"]}


# ---- 50,000 synthetic outcomes ---------------------------------------------------------------

def _corpus_words() -> list[str]:
    """The running words of the seed pages: text drawn from them has English's word
    frequencies, so it compresses about as well as real article text does."""
    words: list[str] = []
    for path in sorted((ROOT / "seeds" / "raw").iterdir()):
        words += path.read_text(encoding="utf-8").split()
    return words


def _text(rng: random.Random, words: list[str], n: int) -> list[str]:
    out, left = [], n
    while left > 0:
        k = min(left, rng.randint(30, 80))
        start = rng.randrange(len(words) - 8)
        para: list[str] = []
        while len(para) < k:  # runs of 1-8 consecutive words from random places
            run = rng.randint(1, 8)
            para += words[start:start + run]
            start = rng.randrange(len(words) - 8)
        out.append(" ".join(para[:k]))
        left -= k
    return out


def _variant(rng: random.Random, words: list[str], paragraphs: list[str]) -> list[str]:
    kind = rng.random()
    if kind < 0.3:
        return paragraphs[: max(1, len(paragraphs) - 1)]
    if kind < 0.6:
        return paragraphs + _text(rng, words, 40)
    out = []
    for p in paragraphs:
        edited = p.split()
        for _ in range(3):
            edited[rng.randrange(len(edited))] = rng.choice(words)
        out.append(" ".join(edited))
    return out


_CHROME = [Removal("template.recurring-line", "template", t) for t in
           ("Home", "World", "Business", "Markets", "Sign in", "Subscribe now", "Advertisement",
            "Most read", "Follow us on social media", "Cookie settings")]


def _removals(rng: random.Random, words: list[str], scripts: list[Removal]) -> tuple[Removal, ...]:
    out = list(rng.sample(_CHROME, 8))
    out += [Removal("related.links", "related", " ".join(_text(rng, words, 12)))
            for _ in range(rng.randint(3, 10))]
    out += rng.sample(scripts, rng.randint(5, 15))  # a site's scripts recur on its pages
    return tuple(out)


def synthetic_outcomes(pages: int, seed: int = 1) -> list[Outcome]:
    """``pages`` outcomes of a run: stories of 1-12 copies, 2 % dropped pages."""
    rng = random.Random(seed)
    words = _corpus_words()
    scripts = [Removal("html.non-content", "markup", "window.dataLayer = window.dataLayer || []; "
                       + "".join(rng.choice("abcdef0123456789") for _ in range(150)))
               for _ in range(2000)]
    out: list[Outcome] = []
    n = 0
    sites = [f"site{k}.example" for k in range(300)]
    while n < pages:
        if rng.random() < 0.02:
            out.append(Outcome(PageResult(f"p{n:06d}.html", "failed", url=f"https://x.example/{n}",
                                          reason="decode failure", error="binary content"),
                               "dropped", "decode failure: binary content"))
            n += 1
            continue
        size = min(pages - n, 1 if rng.random() < 0.7 else rng.randint(2, 12))
        text = _text(rng, words, rng.randint(200, 500))
        docs = []
        for c in range(size):
            site = rng.choice(sites)
            doc = CleanDoc(f"p{n + c:06d}.html", tuple(text if c == 0 else _variant(rng, words, text)),
                           url=f"https://{site}/{n + c}", site=site, title=" ".join(text[0].split()[:8]),
                           date="2024-06-20", removals=_removals(rng, words, scripts))
            docs.append(doc)
        sims = [Similarity(0.8, 0.95, "jaccard") for _ in docs[1:]]
        copies = tuple(Copy(d.id, d.url, s) for d, s in zip(docs[1:], sims, strict=True))
        out.append(Outcome(PageResult(docs[0].id, "ok", doc=docs[0], url=docs[0].url), "kept",
                           "most complete body" if copies else "no near-duplicate", copies=copies))
        for d, s in zip(docs[1:], sims, strict=True):
            out.append(Outcome(PageResult(d.id, "ok", doc=d, url=d.url), "duplicate",
                               "near-duplicate (jaccard)", duplicate_of=docs[0].id, similarity=s))
        n += size
    return out


def write(outcomes: list[Outcome], path: Path) -> float:
    """Seconds ``ReportWriter`` takes over the stream."""
    t0 = time.perf_counter()
    with ReportWriter(path) as report:
        for o in outcomes:
            report.add(o)
        report.finish({"seconds": 600.0, "stage_seconds": {"worker:extract": 900.0, "dedup": 60.0}})
    return time.perf_counter() - t0


_TIMING = """return (() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  const mark = performance.getEntriesByName("cf-rendered")[0];
  return {fcp: fcp ? fcp.startTime : null, rendered: mark ? mark.startTime : null,
          dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd};
})()"""


def open_times(path: Path) -> dict[str, float]:
    """Milliseconds from navigation start to first paint, first render and DOMContentLoaded, in a
    fresh browser."""
    with chromium() as driver:
        driver.get(path.resolve().as_uri())  # returns once the page has loaded
        for _ in range(50):
            times = driver.execute_script(_TIMING)
            if times["fcp"] is not None:
                break
            time.sleep(0.1)
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        if errors:
            raise RuntimeError(f"the report logged errors: {errors}")
        driver.execute_script("location.hash = '#page-1'")  # a page body: its chunk is parsed
        if "removed" not in driver.find_element("id", "cf-view").text.lower():
            raise RuntimeError("the page view did not render")
    return {k: round(v, 1) for k, v in times.items() if v is not None}


def benchmark(pages: int, repeat: int, seed: int, workdir: Path) -> dict[str, Any]:
    outcomes = synthetic_outcomes(pages, seed)
    path = workdir / "report.html"
    writes = [write(outcomes, path) for _ in range(repeat)]
    opens = [open_times(path) for _ in range(repeat)]
    best = min(opens, key=lambda t: t["fcp"])
    return {
        "pages": pages, "seed": seed,
        "statuses": {s: sum(o.status == s for o in outcomes) for s in ("kept", "duplicate", "dropped")},
        "removal_records": sum(len(o.page.doc.removals) for o in outcomes if o.page.doc),
        "report_bytes": path.stat().st_size,
        "write_seconds_best": round(min(writes), 2), "write_seconds": [round(w, 2) for w in writes],
        "open_ms_best": best, "open_ms": opens,
        "chromium": _chromium_version(),
        "python": platform.python_version(),
    }


def _chromium_version() -> str:
    from .browser import CHROMIUM

    out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip()


def _markdown(r: dict[str, Any]) -> str:
    b = r["open_ms_best"]
    rounds = "; ".join(f"FCP {o['fcp']:.0f} / render {o.get('rendered', 0):.0f} / DCL {o['dcl']:.0f}"
                       for o in r["open_ms"])
    return "\n".join([
        "# HTML report: a 50,000-page run",
        "",
        "`python -m benchmarks.report` — synthetic outcomes (see the module docstring), "
        f"{r['pages']:,} pages ({r['statuses']['kept']:,} kept, {r['statuses']['duplicate']:,} "
        f"duplicates, {r['statuses']['dropped']:,} dropped), {r['removal_records']:,} removal records.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| report size | {r['report_bytes'] / 1e6:,.1f} MB |",
        f"| time to write (`ReportWriter`, best of {len(r['write_seconds'])}) | "
        f"{r['write_seconds_best']:.2f} s ({', '.join(f'{w:.2f}' for w in r['write_seconds'])}) |",
        f"| first contentful paint (best round) | {b['fcp']:.0f} ms |",
        f"| first render (overview drawn, `cf-rendered` mark) | {b.get('rendered', 0):.0f} ms |",
        f"| DOMContentLoaded (whole file parsed) | {b['dcl']:.0f} ms |",
        "",
        f"Every round (fresh headless Chromium each): {rounds} (ms).",
        "",
        f"Browser: {r['chromium']}, headless, flags in `benchmarks/browser.py`; shared 2-core "
        "machine, so times are noisy.",
        "",
    ])


def screenshots(out: Path, workdir: Path) -> list[Path]:
    """One PNG per view of a report of the seeds plus the small syndication corpus."""
    corpus = workdir / "stories"
    write_story_pages(corpus)
    report = workdir / "report.html"
    subprocess.run([sys.executable, "-m", "cleanfeed", "run", str(ROOT / "seeds" / "raw"), str(corpus),
                    "-o", str(workdir / "clean.jsonl"), "--manifest", str(workdir / "manifest.jsonl"),
                    "--report", str(report), "--jobs", "0", "--quiet"], check=True)
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with chromium(1280, 860) as driver:
        driver.get(report.resolve().as_uri())
        for name, hash_ in (("overview", "#overview"), ("story", "#story-0"), ("page", "#page-6"),
                            ("dropped", "#dropped")):
            driver.execute_script(f"location.hash = '{hash_}'")
            time.sleep(0.3)
            shot = out / f"report-{name}.png"
            driver.save_screenshot(str(shot))
            shots.append(shot)
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--screenshots", type=Path, default=None, metavar="DIR",
                        help="write one PNG per view into DIR instead of benchmarking")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cleanfeed-report-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        if args.screenshots:
            for shot in screenshots(args.screenshots, workdir):
                print(shot)
            return 0
        result = benchmark(args.pages, args.repeat, args.seed, workdir)
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_results(RESULTS, "report", result, _markdown(result), indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
