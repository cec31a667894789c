"""Where cleanfeed's HTML extraction CPU goes, set by set, and the pace each part allows.

    python -m benchmarks.extraction_stages [--sets scrapinghub,wcxb-articles] [--repeat 1]

The sets, the decoding and the page-by-page interleaving are ``benchmarks/extraction.py``'s: on
each page cleanfeed's ``extract_html`` runs, then trafilatura's default call, each in CPU time
(``--repeat`` calls, the fastest counts; garbage collected outside the timers). During
cleanfeed's call alone, the steps of ``extract.html`` (``WRAPPED``: the nesting cap, the parse,
the metadata, each pruning pass, the region, the parse-once reader, the paragraph rules, the
grounding...) and every trafilatura call, by kind (on the story region; on the whole body with
its fallbacks; for a forum's posts), are timed by wrapping them in this process, restored after
each call; each step's own time, without the timed steps it calls. The parse includes the rare
second ones (a layout table's cells, a page with no sentence). The per-step timers add about a
microsecond each to cleanfeed's time.

Two bounds follow from the same run, as paces (trafilatura default's CPU ÷ cleanfeed's):
- **without trafilatura**: cleanfeed's time less its trafilatura calls, i.e. a parse-once reader
  confident on every page at no cost of its own: no reader change reaches past it;
- **parse only**: the nesting cap and the parse, i.e. the floor of any extractor that parses
  the page once with lexbor and reads nothing.

And the pace split by the reader that gave each page's body (the parse-once reader, trafilatura
on the story region, on the whole page...): what each kind of page costs against trafilatura
default on the same pages, and its share of cleanfeed's CPU.

Results: ``benchmarks/results/extraction_stages.{md,json}`` (``--out``).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import importlib
import platform
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trafilatura

import cleanfeed
from benchmarks import write_results
from benchmarks.corpus import BENCH
from benchmarks.extraction import SETS, BenchSet, chosen_sets

RESULTS = Path(__file__).resolve().parent / "results"
# extract.html by its module path: the package's ``extract`` attribute is the function
HTML = importlib.import_module("cleanfeed.extract.html")
# The steps timed inside cleanfeed's call: their name in extract.html's namespace -> the stage.
# Each stage's time is its own (exclusive): a timed step called by another is not counted twice.
WRAPPED = {
    "cap_nesting": "nesting cap",
    "LexborHTMLParser": "parse",
    "html_metadata": "metadata",
    "_prune_tags": "pruning: tags",
    "_story_region": "story region",
    "_prune_chrome": "pruning: chrome by class/id",
    "_prune_layout": "pruning: layout",
    "_prune_tables": "pruning: layout tables",
    "_prune_lines": "pruning: short lines",
    "read_region": "parse-once reader",
    "_covers_page": "reader checks",
    "_reading": "reader checks",
    "_prose_chars": "reader checks",
    "_hollow": "markup for trafilatura",
    "_outer": "markup for trafilatura",
    "_recover_chunks": "chunks recovered",
    "_apply_text_rules": "paragraph rules",
    "_grounded": "grounding",
    "with_body": "metadata",
}
TRAFILATURA_STAGES = ("trafilatura: region", "trafilatura: whole body", "trafilatura: posts")
STAGES = (*dict.fromkeys(WRAPPED.values()), *TRAFILATURA_STAGES)
REST = "the rest (control flow, splitting, the page's text)"
NO_READER = "none (no body)"  # a page with no text, or none left after pruning
FAILED = "failed"  # the call raised: its time counts, its reader is unknown


@dataclass
class _Totals:
    """CPU seconds summed over a set's pages."""

    cleanfeed: float = 0.0
    trafilatura: float = 0.0
    stages: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    pages_on_trafilatura: int = 0
    # by the reader that gave cleanfeed's body (its provenance["reader"]): pages, cleanfeed's
    # CPU seconds, trafilatura default's on the same pages
    readers: dict[str, list[float]] = field(default_factory=dict)

    def add(self, reader: str, cleanfeed: float, trafilatura: float) -> None:
        """One page: cleanfeed's and trafilatura default's CPU seconds on it, and the reader."""
        self.cleanfeed += cleanfeed
        self.trafilatura += trafilatura
        row = self.readers.setdefault(reader, [0, 0.0, 0.0])
        row[0] += 1
        row[1] += cleanfeed
        row[2] += trafilatura


def _trafilatura_stage(kwargs: dict[str, Any]) -> str:
    if kwargs.get("include_comments"):
        return TRAFILATURA_STAGES[2]
    return TRAFILATURA_STAGES[0] if kwargs.get("fast") else TRAFILATURA_STAGES[1]


def _timer(
    stage: str | None, fn: Callable[..., Any], spent: dict[str, float], inner: list[float]
) -> Callable[..., Any]:
    """``fn`` adding its own CPU time to ``spent[stage]`` (trafilatura's stage by its keywords):
    its whole time less that of the timed steps it called (``inner``: one slot per open call)."""

    def timed(*args: Any, **kwargs: Any) -> Any:
        inner.append(0.0)
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            whole = time.process_time() - start
            name = stage or _trafilatura_stage(kwargs)
            spent[name] = spent.get(name, 0.0) + whole - inner.pop()
            if inner:
                inner[-1] += whole

    return timed


@contextlib.contextmanager
def staged(spent: dict[str, float]) -> Iterator[None]:
    """Within the block, ``extract.html``'s coarse steps and trafilatura's ``extract`` add their
    CPU time to ``spent``; the originals are back after it, whatever happens."""
    saved = {name: getattr(HTML, name) for name in WRAPPED}
    extract = trafilatura.extract
    inner: list[float] = []
    try:
        for name, stage in WRAPPED.items():
            setattr(HTML, name, _timer(stage, saved[name], spent, inner))
        trafilatura.extract = _timer(None, extract, spent, inner)
        yield
    finally:
        for name, original in saved.items():
            setattr(HTML, name, original)
        trafilatura.extract = extract


def _best(call: Callable[[dict[str, float]], object], repeat: int) -> tuple[float, dict[str, float], object]:
    """The fastest of ``repeat`` timed calls, with the stages it timed and what it returned
    (None for a call that crashed)."""
    best, best_spent, returned = float("inf"), {}, None
    for _ in range(repeat):
        gc.collect()
        spent: dict[str, float] = {}
        out = None
        start = time.process_time()
        with contextlib.suppress(Exception):  # a crash costs what it cost; extraction.py counts crashes
            out = call(spent)
        seconds = time.process_time() - start
        if seconds < best:
            best, best_spent, returned = seconds, spent, out
    return best, best_spent, returned


def _staged_extract(html: str, spent: dict[str, float]) -> object:
    with staged(spent):
        return cleanfeed.extract_html(html)


def _trafilatura_default(html: str, _: dict[str, float]) -> object:
    return trafilatura.extract(html)


def _run(bench: BenchSet, bench_dir: Path, repeat: int) -> _Totals:
    htmls = [cleanfeed.decode_bytes(page.html) for page in bench.pages(bench_dir)]
    cleanfeed.extract_html(htmls[0])  # warm-up, untimed: imports, lazy tables
    trafilatura.extract(htmls[0])
    totals = _Totals()
    for html in htmls:
        time_page(html, repeat, totals)
    return totals


def time_page(html: str, repeat: int, totals: _Totals) -> None:
    """Time cleanfeed (step by step) and trafilatura default on one page, into ``totals``."""
    seconds, spent, doc = _best(functools.partial(_staged_extract, html), repeat)
    for stage, value in spent.items():
        totals.stages[stage] += value
    totals.pages_on_trafilatura += any(spent.get(stage) for stage in TRAFILATURA_STAGES)
    reader = doc.provenance.get("reader", NO_READER) if isinstance(doc, cleanfeed.CleanDoc) else FAILED
    totals.add(reader or NO_READER, seconds, _best(functools.partial(_trafilatura_default, html), repeat)[0])


def _set_result(totals: _Totals) -> dict[str, Any]:
    pages = int(sum(row[0] for row in totals.readers.values())) or 1  # each page counted once, by its reader
    per_page = {stage: 1000 * value / pages for stage, value in totals.stages.items()}
    per_page[REST] = 1000 * totals.cleanfeed / pages - sum(per_page.values())
    on_trafilatura = sum(totals.stages[stage] for stage in TRAFILATURA_STAGES)
    parse = totals.stages["nesting cap"] + totals.stages["parse"]
    return {
        "pages": pages,
        "pages_on_trafilatura": totals.pages_on_trafilatura,
        "cleanfeed_ms_per_page": round(1000 * totals.cleanfeed / pages, 3),
        "trafilatura_default_ms_per_page": round(1000 * totals.trafilatura / pages, 3),
        "stages_ms_per_page": {stage: round(value, 3) for stage, value in per_page.items()},
        "pace": round(totals.trafilatura / totals.cleanfeed, 2),
        "pace_without_trafilatura": round(totals.trafilatura / max(totals.cleanfeed - on_trafilatura, 1e-9), 2),
        "pace_parse_only": round(totals.trafilatura / max(parse, 1e-9), 2),
        "readers": {
            reader: {
                "pages": int(count),
                "cleanfeed_ms_per_page": round(1000 * ours / count, 3),
                "trafilatura_default_ms_per_page": round(1000 * theirs / count, 3),
                "pace": round(theirs / max(ours, 1e-9), 2),
                "share_of_cleanfeed_cpu": round(ours / max(totals.cleanfeed, 1e-9), 3),
            }
            for reader, (count, ours, theirs) in sorted(totals.readers.items(), key=lambda kv: -kv[1][0])
        },
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--bench", type=Path, default=BENCH, help="folder holding the sets (../shared/bench)")
    parser.add_argument("--sets", default=",".join(s.name for s in SETS), help="comma-separated set names")
    parser.add_argument("--repeat", type=int, default=1, help="timed calls per page (the fastest counts)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat below 1")
    chosen = chosen_sets(parser, args.sets)
    sets: dict[str, Any] = {}
    for bench in chosen:
        sets[bench.name] = _set_result(_run(bench, args.bench, args.repeat))
        print(bench.name, sets[bench.name], flush=True)
    command = "python -m benchmarks.extraction_stages"
    if chosen != list(SETS):
        command += f" --sets {','.join(bench.name for bench in chosen)}"
    if args.repeat != 1:
        command += f" --repeat {args.repeat}"
    result = {
        "command": command,
        "repeat": args.repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "versions": {"cleanfeed": cleanfeed.__version__, "trafilatura": trafilatura.__version__},
        "sets": sets,
    }
    write_results(args.out, "extraction_stages", result, _markdown(result))
    return result


def _markdown(result: dict[str, Any]) -> str:
    sets: dict[str, dict[str, Any]] = result["sets"]
    names = list(sets)
    stages = list(next(iter(sets.values()))["stages_ms_per_page"]) if sets else []
    lines = [
        "# Where cleanfeed's HTML extraction CPU goes",
        "",
        f"Command: `{result['command']}` (CPU ms per page, the mean over each set's pages; "
        f"trafilatura {result['versions']['trafilatura']} default timed on the same pages, "
        "interleaved page by page).",
        "",
        "| | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for stage in stages:
        lines.append(f"| {stage} | " + " | ".join(f"{sets[n]['stages_ms_per_page'][stage]:.2f}" for n in names) + " |")
    rows = [
        ("**cleanfeed, all**", "cleanfeed_ms_per_page", "{:.2f}"),
        ("trafilatura default", "trafilatura_default_ms_per_page", "{:.2f}"),
        ("pages on which cleanfeed called trafilatura", "pages_on_trafilatura", "{}"),
        ("**pace** (trafilatura's CPU ÷ cleanfeed's)", "pace", "{:.2f}×"),
        ("pace without any trafilatura call (bound)", "pace_without_trafilatura", "{:.2f}×"),
        ("pace of the nesting cap and parse alone (bound)", "pace_parse_only", "{:.2f}×"),
    ]
    for label, key, shape in rows:
        lines.append(f"| {label} | " + " | ".join(shape.format(sets[n][key]) for n in names) + " |")
    lines += [
        "",
        "By the reader that gave cleanfeed's body (`fast`: the parse-once reader; `trafilatura-region` / "
        "`trafilatura-page`: trafilatura on the story region / on the whole page with its fallbacks; "
        "`blocks`: the region's blocks, too large for trafilatura): its pages, its pace on them, and "
        "its share of cleanfeed's CPU on the set.",
        "",
        "| set | reader | pages | cleanfeed ms/page | trafilatura ms/page | pace | share of cleanfeed's CPU |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for n in names:
        for reader, row in sets[n]["readers"].items():
            lines.append(
                f"| {n} | {reader} | {row['pages']} | {row['cleanfeed_ms_per_page']:.2f} | "
                f"{row['trafilatura_default_ms_per_page']:.2f} | {row['pace']:.2f}× | "
                f"{100 * row['share_of_cleanfeed_cpu']:.0f}% |"
            )
    lines += ["", f"Python {result['python']} on {result['machine']}, cleanfeed {result['versions']['cleanfeed']}.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
