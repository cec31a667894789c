"""What trusting the parse-once reader would cost, page kind by page kind, on every set.

    python -m benchmarks.reader_confidence [--sets scrapinghub,wcxb-all]

cleanfeed hands a page to trafilatura when its parse-once reader (``extract.reader``) is not
confident (``Reading.reason``: too short, not prose, a chrome-named block, prose scattered over
many containers, no prose at all) or when its reading covers too little of the page; those
pages are most of cleanfeed's extraction CPU that is not its own passes
(``benchmarks/extraction_stages``). Each page is extracted twice: as cleanfeed does, and with
the reader's reading trusted wherever it has text (``trusted``: the reader's verdict and the
page-cover check both forced to yes, in this process only, restored after each call). Both
are scored with ``benchmarks/metric.py`` against the page's truth.

Per set and per reason the reader gave on the pages it did not read itself: the pages, their
mean F1 as extracted and as trusted, the pages trusting loses more than ``LOSS`` of F1 on, and
the set's corpus F1 if that reason alone were trusted, beside the set's bootstrap ± (a change
the set's ± does not cover is a change). A reason worth trusting is one that lowers no set
beyond its ± and loses no page.

Results: ``benchmarks/results/reader_confidence.{md,json}`` (``--out``).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import json
import platform
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cleanfeed
from benchmarks import write_results
from benchmarks.corpus import BENCH
from benchmarks.extraction import SETS, chosen_sets, page_f1
from benchmarks.metric import PageScore, score_corpus, score_page

RESULTS = Path(__file__).resolve().parent / "results"
HTML = importlib.import_module("cleanfeed.extract.html")
LOSS = 0.3  # a page losing more than this much F1 when trusted is a story lost
SAME = 0.02  # ... and one within this much of its F1 as extracted reads about the same
READ_ONCE = "fast"  # cleanfeed's provenance["reader"] of a page its parse-once reader read


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """One page: the reader's reason, and the text as extracted and as trusted."""

    reader: str  # the reader that gave cleanfeed's body
    reason: str  # the parse-once reader's verdict (Reading.reason); "" when it did not run
    read: bool  # the parse-once reader gave a reading (text) to trust
    text: str
    trusted: str


@contextlib.contextmanager
def _reading(trust: bool, seen: list[Any]) -> Iterator[None]:
    """Within the block, each reading of the parse-once reader is appended to ``seen``; with
    ``trust``, a reading with text is taken as confident and as covering the page."""
    read, covers = HTML.read_region, HTML._covers_page

    def recorded(*args: Any) -> Any:
        reading = read(*args)
        seen.append(reading)
        return dataclasses.replace(reading, confident=True) if trust and reading.text else reading

    try:
        setattr(HTML, "read_region", recorded)  # noqa: B010 -- a module attribute, set for the block
        if trust:
            setattr(HTML, "_covers_page", lambda *args: True)  # noqa: B010
        yield
    finally:
        setattr(HTML, "read_region", read)  # noqa: B010
        setattr(HTML, "_covers_page", covers)  # noqa: B010


def outcome(html: str) -> PageOutcome:
    """``html`` extracted as cleanfeed does and with its parse-once reading trusted."""
    seen: list[Any] = []
    with _reading(False, seen):
        doc = cleanfeed.extract_html(html)
    with _reading(True, []):
        trusted = cleanfeed.extract_html(html)
    reason = seen[0].reason if seen else ""
    return PageOutcome(doc.provenance.get("reader", ""), reason, bool(seen and seen[0].text), doc.text, trusted.text)


def set_result(outcomes: list[PageOutcome], truths: list[str]) -> dict[str, Any]:
    """The set's figures: its corpus F1 and ±, and per reason of the pages cleanfeed did not
    read once, what trusting the reader there gives."""
    now = [score_page(o.text, t) for o, t in zip(outcomes, truths, strict=True)]
    trusted = [score_page(o.trusted, t) for o, t in zip(outcomes, truths, strict=True)]
    corpus = score_corpus(now)
    reasons: dict[str, dict[str, Any]] = {}
    for reason in sorted({o.reason for o in outcomes if o.reader != READ_ONCE}):
        pages = [i for i, o in enumerate(outcomes) if o.reader != READ_ONCE and o.reason == reason]
        chosen = set(pages)
        mixed: list[PageScore] = [trusted[i] if i in chosen else now[i] for i in range(len(now))]
        before = [page_f1(now[i]) for i in pages]
        after = [page_f1(trusted[i]) for i in pages]
        reasons[reason or "none"] = {
            "pages": len(pages),
            "with_a_reading": sum(outcomes[i].read for i in pages),
            "f1_now": round(sum(before) / len(pages), 4),
            "f1_trusted": round(sum(after) / len(pages), 4),
            "pages_about_the_same": sum(a >= b - SAME for a, b in zip(after, before, strict=True)),
            "pages_lost": sum(a < b - LOSS for a, b in zip(after, before, strict=True)),
            "corpus_f1_if_trusted": round(score_corpus(mixed, bootstrap=0).f1, 4),
        }
    return {
        "pages": len(outcomes),
        "read_once": sum(o.reader == READ_ONCE for o in outcomes),
        "corpus_f1": round(corpus.f1, 4),
        "f1_std": round(corpus.f1_std, 4),
        "reasons": reasons,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--bench", type=Path, default=BENCH, help="folder holding the sets (../shared/bench)")
    parser.add_argument("--sets", default=",".join(s.name for s in SETS), help="comma-separated set names")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    chosen = chosen_sets(parser, args.sets)
    sets: dict[str, Any] = {}
    for bench in chosen:
        pages = bench.pages(args.bench)
        outcomes = [outcome(cleanfeed.decode_bytes(page.html)) for page in pages]
        sets[bench.name] = set_result(outcomes, [page.truth for page in pages])
        print(bench.name, json.dumps(sets[bench.name]), flush=True)
    command = "python -m benchmarks.reader_confidence"
    if chosen != list(SETS):
        command += f" --sets {','.join(bench.name for bench in chosen)}"
    result = {
        "command": command,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "versions": {"cleanfeed": cleanfeed.__version__},
        "sets": sets,
    }
    write_results(args.out, "reader_confidence", result, _markdown(result))
    return result


def _markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Trusting the parse-once reader where it is not confident",
        "",
        f"Command: `{result['command']}`. Per set, the pages cleanfeed did not read with its parse-once "
        "reader, by the reader's reason; each page extracted as cleanfeed does and with the reader's "
        f"reading trusted (metric: `benchmarks/metric.py`). A page is lost when trusting costs it more than "
        f"{LOSS} of F1, about the same within {SAME}.",
        "",
        "| set | corpus F1 ± | read once | reason | pages | with a reading | F1 now | F1 trusted | about the same "
        "| lost | corpus F1 if trusted |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in result["sets"].items():
        for reason, r in row["reasons"].items():
            lines.append(
                f"| {name} | {row['corpus_f1']:.3f} ± {row['f1_std']:.3f} | {row['read_once']} of {row['pages']} "
                f"| {reason} | {r['pages']} | {r['with_a_reading']} | {r['f1_now']:.3f} | {r['f1_trusted']:.3f} | "
                f"{r['pages_about_the_same']} | {r['pages_lost']} | {r['corpus_f1_if_trusted']:.4f} |"
            )
    lines += ["", f"Python {result['python']} on {result['machine']}, cleanfeed {result['versions']['cleanfeed']}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
