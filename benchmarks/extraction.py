"""HTML article extraction on every benchmark set at once: cleanfeed beside trafilatura,
readability-lxml, resiliparse (and jusText on request), all in one run, in one process.

Sets (``../shared/bench``): ``scrapinghub`` (181 news pages), ``wcxb-articles`` (the 234 article
pages of the WCXB development half), ``wcxb-all`` (all its 532 pages: forums, products, listings
too) and ``readability`` (Mozilla Readability's 130 test pages). A change is judged on all of
them together: one set lifted and another lowered is not an improvement.

Every page is decoded once (``cleanfeed.decode_bytes``: BOM, declared charset, UTF-8, detection)
and every extractor gets the same ``str``. Pages are visited in turn and, for each page, every
extractor runs on it back to back, so a change in the machine's load during the run touches all
extractors alike and the speed ratios stay fair. One untimed warm-up call per extractor first
(imports, lazy tables); the garbage collector runs between calls, outside the timers. Speed is
CPU time (``time.process_time``: other processes' load does not count, their cache pressure
still does), each call timed ``--repeat`` times and the fastest counts.

Per set: F1 ± bootstrap std, precision, recall (``benchmarks/metric.py``), empty outputs, CPU
docs/s, the share of pages on which cleanfeed ran trafilatura (``provenance["reader"]``: its
parse-once reader was not confident), and against trafilatura's default call, page by page:
how many pages cleanfeed scores more than 0.3 below it (page F1) and how many more than 0.3
above it, with the worst ids.

    python benchmarks/extraction.py                      # everything (what the results hold)
    python benchmarks/extraction.py --repeat 1 --sets readability,wcxb-all \\
        --extractors cleanfeed,trafilatura --dump /tmp/pages.jsonl --out /tmp/results

Writes ``benchmarks/results/extraction.{md,json}`` (``--out``); ``--dump`` writes one JSON line
per page and set (id, set, page F1 per extractor, cleanfeed's text) to study failures.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import justext
import readability
import trafilatura
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree
from selectolax.lexbor import LexborHTMLParser

import cleanfeed
from benchmarks import write_results
from benchmarks.corpus import BENCH, REPO, BenchPage, load_readability, load_scrapinghub, load_wcxb
from benchmarks.metric import PageScore, score_corpus, score_page

RESULTS = Path(__file__).resolve().parent / "results"
CLEANFEED = "cleanfeed"
TRAFILATURA = "trafilatura"
# Pages where cleanfeed's page F1 differs from trafilatura's by more than this are counted.
GAP = 0.3
WORST = 5


def _cleanfeed(html: str) -> tuple[str, str]:
    doc = cleanfeed.extract_html(html)
    return doc.text, doc.provenance.get("reader", "")


def _traf_default(html: str) -> str:
    return trafilatura.extract(html) or ""


def _traf_precision(html: str) -> str:
    return trafilatura.extract(html, favor_precision=True) or ""


def _readability(html: str) -> str:
    summary = readability.Document(html).summary(html_partial=True)
    return LexborHTMLParser(summary).text(separator="\n") if summary else ""


def _resiliparse(html: str) -> str:
    # str(): without resiliparse installed (the [bench] extra) the type checker sees Any here
    return str(extract_plain_text(HTMLTree.parse(html), main_content=True))


_ENGLISH = justext.get_stoplist("English")


def _justext(html: str) -> str:
    paragraphs = justext.justext(html.encode("utf-8", "ignore"), _ENGLISH, encoding="utf-8")
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)


@dataclass(frozen=True, slots=True)
class Extractor:
    key: str  # the name --extractors takes
    label: str  # the name in the tables
    run: Callable[[str], str | tuple[str, str]]  # the text, or the text and the reader that gave it
    default: bool = True


EXTRACTORS: tuple[Extractor, ...] = (
    Extractor(CLEANFEED, f"cleanfeed {cleanfeed.__version__}", _cleanfeed),
    Extractor(TRAFILATURA, f"trafilatura {trafilatura.__version__} (default)", _traf_default),
    Extractor("trafilatura-precision", "trafilatura (favor_precision=True)", _traf_precision),
    Extractor("readability", "readability-lxml", _readability),
    Extractor("resiliparse", "resiliparse (main_content=True)", _resiliparse),
    Extractor("justext", "jusText (English stop list)", _justext, default=False),
)


@dataclass(frozen=True, slots=True)
class BenchSet:
    name: str
    source: str  # the corpus folder under ../shared/bench
    loader: Callable[[Path], list[BenchPage]]
    keep: Callable[[BenchPage], bool] = lambda page: True

    def pages(self, bench: Path) -> list[BenchPage]:
        """The set's pages, from its corpus folder under ``bench`` (``../shared/bench``)."""
        return [page for page in self.loader(bench / self.source) if self.keep(page)]


SETS: tuple[BenchSet, ...] = (
    BenchSet("scrapinghub", "scrapinghub", load_scrapinghub),
    BenchSet("wcxb-articles", "wcxb-dev", load_wcxb, lambda page: page.kind == "article"),
    BenchSet("wcxb-all", "wcxb-dev", load_wcxb),
    BenchSet("readability", "readability", load_readability),
)


def chosen_sets(parser: argparse.ArgumentParser, names: str) -> list[BenchSet]:
    """The sets a comma-separated ``--sets`` names, in its order; an unknown name is the
    parser's error."""
    by_name = {s.name: s for s in SETS}
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in by_name]
    if unknown:
        parser.error(f"unknown set {unknown} (known: {', '.join(by_name)})")
    return [by_name[name] for name in wanted]


@dataclass
class _Run:
    outputs: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    failures: int = 0
    readers: list[str] = field(default_factory=list)  # cleanfeed's provenance["reader"] per page


def _timed(extract: Callable[[str], str | tuple[str, str]], html: str, run: _Run, repeat: int) -> None:
    best = float("inf")
    text = reader = ""
    for attempt in range(repeat):
        # Collect the garbage the previous call left, outside the timer: each extractor pays
        # for its own allocations, not for another's (the runs are interleaved page by page).
        gc.collect()
        start = time.process_time()
        try:
            out = extract(html)
        except Exception:  # a crash on a page counts as an empty output, not a stop
            out = ""
            run.failures += attempt == 0
        best = min(best, time.process_time() - start)
        if attempt == 0:
            text, reader = out if isinstance(out, tuple) else (out or "", "")
    run.seconds.append(best)
    run.outputs.append(text)
    run.readers.append(reader)


def page_f1(score: PageScore) -> float:
    """One page's F1 (0 for an empty output or a page the extractor missed entirely)."""
    p, r = score.precision or 0.0, score.recall or 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def _run_source(
    pages: Sequence[BenchPage], extractors: Sequence[Extractor], repeat: int
) -> dict[str, _Run]:
    htmls = [cleanfeed.decode_bytes(page.html) for page in pages]
    for ex in extractors:
        with contextlib.suppress(Exception):  # warm-up, untimed; a crash counts when timed
            ex.run(htmls[0])
    runs = {ex.key: _Run() for ex in extractors}
    for html in htmls:
        for ex in extractors:
            _timed(ex.run, html, runs[ex.key], repeat)
    return runs


def _set_result(
    bench: BenchSet, pages: Sequence[BenchPage], runs: dict[str, _Run], extractors: Sequence[Extractor]
) -> tuple[dict[str, object], dict[str, list[float]]]:
    rows: dict[str, dict[str, object]] = {}
    f1s: dict[str, list[float]] = {}
    corpus_f1: dict[str, float] = {}  # as the rows print them
    docs_per_s: dict[str, float] = {}
    for ex in extractors:
        run = runs[ex.key]
        scores = [score_page(out, page.truth) for out, page in zip(run.outputs, pages, strict=True)]
        f1s[ex.key] = [page_f1(s) for s in scores]
        score = score_corpus(scores)
        corpus_f1[ex.key] = round(score.f1, 4)
        docs_per_s[ex.key] = round(len(pages) / max(sum(run.seconds), 1e-9), 1)
        rows[ex.key] = {
            "label": ex.label,
            "f1": corpus_f1[ex.key],
            "f1_std": round(score.f1_std, 4),
            "precision": round(score.precision, 4),
            "recall": round(score.recall, 4),
            "empty": sum(not out.strip() for out in run.outputs),
            "failures": run.failures,
            "cpu_docs_per_s": docs_per_s[ex.key],
        }
        if any(run.readers):
            # the share of pages on which cleanfeed ran trafilatura (its parse-once reader was
            # not confident), and the count of pages per reader
            counts = {name: run.readers.count(name) for name in sorted(set(run.readers))}
            on_traf = sum(n for name, n in counts.items() if name.startswith("trafilatura"))
            rows[ex.key]["readers"] = counts
            rows[ex.key]["trafilatura_share"] = round(on_traf / max(len(pages), 1), 3)
    result: dict[str, object] = {"pages": len(pages), "extractors": rows}
    if CLEANFEED in rows and TRAFILATURA in rows:
        ours, theirs = f1s[CLEANFEED], f1s[TRAFILATURA]
        gaps = sorted(((a - b, page.id) for a, b, page in zip(ours, theirs, pages, strict=True)))
        below = [(round(d, 3), pid) for d, pid in gaps if d < -GAP]
        above = [(round(d, 3), pid) for d, pid in reversed(gaps) if d > GAP]
        result["versus_trafilatura"] = {
            "f1_minus": round(corpus_f1[CLEANFEED] - corpus_f1[TRAFILATURA], 4),
            "speed_ratio": round(docs_per_s[CLEANFEED] / docs_per_s[TRAFILATURA], 2),
            "pages_below": len(below),
            "pages_above": len(above),
            "worst_below": [{"id": pid, "f1_gap": d} for d, pid in below[:WORST]],
            "best_above": [{"id": pid, "f1_gap": d} for d, pid in above[:WORST]],
        }
    return result, f1s


def _relative(path: Path) -> str:
    path = path.resolve()
    for base, prefix in ((REPO, ""), (REPO.parent, "../")):
        try:
            return prefix + str(path.relative_to(base))
        except ValueError:
            continue
    return path.name


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--bench", type=Path, default=BENCH, help="folder holding the sets (../shared/bench)")
    parser.add_argument("--sets", default=",".join(s.name for s in SETS), help="comma-separated set names")
    parser.add_argument(
        "--extractors",
        default=",".join(ex.key for ex in EXTRACTORS if ex.default),
        help=f"comma-separated, from: {', '.join(ex.key for ex in EXTRACTORS)}",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed calls per page and extractor (the fastest counts)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--dump", type=Path, help="write per-page F1s and cleanfeed's text here (JSONL)")
    args = parser.parse_args(argv)

    sets = chosen_sets(parser, args.sets)
    wanted = [s.name for s in sets]
    keys = [k.strip() for k in args.extractors.split(",") if k.strip()]
    known = {ex.key: ex for ex in EXTRACTORS}
    unknown = [k for k in keys if k not in known]
    if unknown or args.repeat < 1:
        parser.error(f"unknown extractor {unknown}, or --repeat below 1")
    extractors = [known[k] for k in keys]

    results: dict[str, object] = {}
    dump_lines: list[str] = []
    for source in dict.fromkeys(s.source for s in sets):  # each corpus is run once for its sets
        root = args.bench / source
        pages = sets[[s.source for s in sets].index(source)].loader(root)
        runs = _run_source(pages, extractors, args.repeat)
        for bench in (s for s in sets if s.source == source):
            index = [i for i, page in enumerate(pages) if bench.keep(page)]
            chosen = [pages[i] for i in index]
            sub = {
                key: _Run(
                    [run.outputs[i] for i in index],
                    [run.seconds[i] for i in index],
                    run.failures,
                    [run.readers[i] for i in index],
                )
                for key, run in runs.items()
            }
            result, f1s = _set_result(bench, chosen, sub, extractors)
            result["corpus"] = _relative(root)
            results[bench.name] = result
            for j, page in enumerate(chosen):
                record = {"id": page.id, "set": bench.name, "f1": {k: round(v[j], 4) for k, v in f1s.items()}}
                if CLEANFEED in sub:
                    record["cleanfeed"] = sub[CLEANFEED].outputs[j]
                    record["reader"] = sub[CLEANFEED].readers[j]
                dump_lines.append(json.dumps(record, ensure_ascii=False))
    out = {
        "command": _command(args, wanted, keys),
        "repeat": args.repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "versions": {"cleanfeed": cleanfeed.__version__, "trafilatura": trafilatura.__version__},
        "sets": results,
    }
    if args.dump:
        args.dump.write_text("\n".join(dump_lines) + "\n", encoding="utf-8")
    write_results(args.out, "extraction", out, _markdown(out))
    return out


def _command(args: argparse.Namespace, sets: list[str], keys: list[str]) -> str:
    """The command that reproduces the figures (no output paths: results hold no absolute path)."""
    command = "python benchmarks/extraction.py"
    if sets != [s.name for s in SETS]:
        command += f" --sets {','.join(sets)}"
    if keys != [ex.key for ex in EXTRACTORS if ex.default]:
        command += f" --extractors {','.join(keys)}"
    if args.repeat != 3:
        command += f" --repeat {args.repeat}"
    return command


def _markdown(result: dict[str, Any]) -> str:
    """The report of ``main``'s result (a JSON document: its values are typed by their keys)."""
    sets: dict[str, dict[str, Any]] = result["sets"]
    lines = [
        "# HTML extraction on every benchmark set (one process, one run)",
        "",
        f"Command: `{result['command']}` (metric: `benchmarks/metric.py`; every extractor gets the",
        "same decoded page; extractors run back to back on each page in turn; each call is timed",
        f"{result['repeat']} times in CPU time and the fastest counts, the garbage collector running "
        "outside the timers).",
        f"Pages where cleanfeed's page F1 is more than {GAP} below / above trafilatura default's are counted.",
        "",
        "| set | pages | extractor | F1 | ± std | precision | recall | empty | CPU docs/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, res in sets.items():
        rows: dict[str, dict[str, Any]] = res["extractors"]
        for row in rows.values():
            lines.append(
                f"| {name} | {res['pages']} | {row['label']} | {row['f1']:.3f} | {row['f1_std']:.3f} "
                f"| {row['precision']:.3f} | {row['recall']:.3f} | {row['empty']} | {row['cpu_docs_per_s']} |"
            )
    lines += ["", "| set | cleanfeed F1 − trafilatura | CPU speed ÷ trafilatura | cleanfeed pages on trafilatura "
              "| pages > 0.3 below | pages > 0.3 above | worst below |",
              "|---|---|---|---|---|---|---|"]
    for name, res in sets.items():
        vs: dict[str, Any] | None = res.get("versus_trafilatura")
        if vs is None:
            continue
        worst = ", ".join(f"{w['id']} ({w['f1_gap']:+.2f})" for w in vs["worst_below"])
        ours: dict[str, Any] = res["extractors"][CLEANFEED]
        share = ours.get("trafilatura_share")
        on_traf = f"{100 * float(share):.0f}%" if share is not None else "–"
        lines.append(
            f"| {name} | {vs['f1_minus']:+.4f} | {vs['speed_ratio']}× | {on_traf} | {vs['pages_below']} "
            f"| {vs['pages_above']} | {worst} |"
        )
    corpora = ", ".join(f"{n}: `{r['corpus']}`" for n, r in sets.items())
    lines += ["", f"- corpora: {corpora}",
              f"- versions: {result['versions']}, Python {result['python']} on {result['machine']}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
