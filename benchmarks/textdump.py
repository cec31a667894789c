"""Text-dump cleaning on the Scrapinghub set's rendered dumps, beside jusText and the raw dump.

All pages are cleaned in one run, as the pipeline does a window: every dump is first observed
by one ``SiteTemplates`` learner (pages of the same host teach each other the site template),
then each is cleaned with the snapshot. The same run also scores cleanfeed page by page without
templates, jusText over the dump's lines, and the dump as it is. Metric: ``benchmarks/metric.py``.

    python -m benchmarks.textdump [path/to/scrapinghub]

Writes ``benchmarks/results/textdump.{md,json}``.
"""

from __future__ import annotations

import argparse
import html
import platform
import time
from collections.abc import Callable
from pathlib import Path

import justext

from benchmarks import write_results
from cleanfeed import SiteTemplates, clean_text_dump

from .corpus import DEFAULT_SCRAPINGHUB, BenchPage, load_scrapinghub
from .metric import Score, score_corpus, score_page

RESULTS = Path(__file__).resolve().parent / "results"
_STOPLISTS = {name: justext.get_stoplist(name) for name in sorted(justext.get_stoplists())}


def _justext_lines(dump: str, language: str | None = None) -> str:
    """jusText over a dump: each line a paragraph; the stop list of ``language``, or of the
    language whose stop words the page uses most."""
    if language is None:
        words = [w.lower() for w in dump.split()]
        language = max(_STOPLISTS, key=lambda name: sum(w in _STOPLISTS[name] for w in words))
    markup = "<html><body>" + "".join(
        f"<p>{html.escape(line.strip())}</p>" for line in dump.splitlines() if line.strip()
    ) + "</body></html>"
    paragraphs = justext.justext(markup.encode("utf-8"), _STOPLISTS[language], encoding="utf-8")
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def _run(pages: list[BenchPage], clean: Callable[[BenchPage], str]) -> tuple[Score, float, dict[str, float]]:
    start = time.perf_counter()
    outputs = [clean(page) for page in pages]
    elapsed = time.perf_counter() - start
    scores = [score_page(out, page.truth) for out, page in zip(outputs, pages, strict=True)]
    per_page = {}
    for page, s in zip(pages, scores, strict=True):
        p, r = s.precision or 0.0, s.recall or 0.0
        per_page[page.id] = round(2 * p * r / (p + r), 4) if p + r else 0.0
    return score_corpus(scores), len(pages) / elapsed, per_page


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_SCRAPINGHUB)
    args = parser.parse_args(argv)
    pages = [page for page in load_scrapinghub(args.path) if page.textdump]

    learn_start = time.perf_counter()
    learner = SiteTemplates()
    for page in pages:
        learner.observe(page.textdump or "", page.url)
    snapshot = learner.snapshot()
    learn_seconds = time.perf_counter() - learn_start

    runs = {
        "cleanfeed (templates learned over the run)": lambda p: clean_text_dump(
            p.textdump or "", url=p.url, templates=snapshot
        ).text,
        "cleanfeed (each page alone)": lambda p: clean_text_dump(p.textdump or "", url=p.url).text,
        "jusText 3 over dump lines (page's best stop list)": lambda p: _justext_lines(p.textdump or ""),
        "jusText 3 over dump lines (English stop list)": lambda p: _justext_lines(p.textdump or "", "English"),
        "dump as is": lambda p: p.textdump or "",
    }
    results = {}
    for name, clean in runs.items():
        score, rate, per_page = _run(pages, clean)
        results[name] = {
            "f1": round(score.f1, 4),
            "f1_std": round(score.f1_std, 4),
            "precision": round(score.precision, 4),
            "recall": round(score.recall, 4),
            "docs_per_second": round(rate, 1),
            "per_page_f1": per_page,
        }
        print(f"{name:45s} F1 {score.f1:.3f} ± {score.f1_std:.3f}  P {score.precision:.3f}  "
              f"R {score.recall:.3f}  {rate:.0f} docs/s")
    payload = {
        "corpus": "scrapinghub textdump",
        "pages": len(pages),
        "template_sites_learned": len(snapshot),
        "template_learning_seconds": round(learn_seconds, 3),
        "python": platform.python_version(),
        "results": results,
    }
    lines = [
        "# Text-dump cleaning: Scrapinghub set, rendered dumps",
        "",
        f"{len(pages)} pages, one run, one process (`python -m benchmarks.textdump`). Templates: one "
        f"`SiteTemplates` learner observed every dump first ({len(snapshot)} sites with a learned "
        f"template, {learn_seconds:.2f} s), then each page was cleaned with the snapshot. "
        "Metric: `benchmarks/metric.py` (4-token shingles, mean P and R, ± = bootstrap std of F1).",
        "",
        "| cleaner | F1 | precision | recall | docs/s |",
        "|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['f1']:.3f} ± {r['f1_std']:.3f} | {r['precision']:.3f} | {r['recall']:.3f} "
            f"| {r['docs_per_second']:.0f} |"
        )
    lines += ["", "A perfect keep/drop decision per line scores about 0.97 (corpus README).", ""]
    write_results(RESULTS, "textdump", payload, "\n".join(lines))


if __name__ == "__main__":
    main()
