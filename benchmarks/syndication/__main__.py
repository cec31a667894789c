"""The syndication benchmark end to end: generate → ``cleanfeed.run`` → score, per page form.

Usage::

    python -m benchmarks.syndication [--pages 3000] [--seed 1] [--sources DIR ...]
                                     [--workdir DIR] [--processes 2] [--no-templates]
    python -m benchmarks.syndication --generate-only --workdir DIR --pages 2000   # corpus only

From code: ``benchmarks.syndication.generate(out_dir, n_pages, seed, source_root, form=...)``
(``Truth.from_json`` reads ``truth.json`` back; ``benchmarks.syndication.score.score`` scores any
clustering given as page -> cluster label and page -> kept).

Generates the corpus twice from the same seed (``generate.py``): every page as HTML, then every
page as a text dump. Each is read back as ``RawDoc``s (bytes, kind unknown, the page's URL as a
crawler would record it) and run through cleanfeed's real pipeline (``cleanfeed.run``:
extraction in worker processes, site templates, deduplication, default ``Config``); outcomes are
scored against the truth (a dropped page is its own cluster, not kept). In the same run, a
baseline: datasketch's ``MinHashLSH`` at a plain Jaccard threshold over the same extracted texts
(word 5-grams of the lower-cased words), candidate pairs confirmed by estimated Jaccard,
connected components, the first page of each component kept; and cleanfeed's deduplicator on
each page's true body (the dedup stage alone). Results:
``benchmarks/results/syndication.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

from cleanfeed import CleanDoc, DedupConfig, Deduplicator, RawDoc, run

from .generate import DEFAULT_SEEDS, DEFAULT_SOURCES, Truth, generate
from .score import Report, score

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "benchmarks" / "results"
FLOORS: dict[str, tuple[str, Callable[[Report], bool]]] = {
    "pairwise precision": ("≥ 0.995", lambda r: r.pairwise.precision >= 0.995),
    "pairwise recall": ("≥ 0.98", lambda r: r.pairwise.recall >= 0.98),
    "recall on copies trimmed to ≥ 40%": ("≥ 0.97", lambda r: r.trimmed_recall >= 0.97),
    "false merges of briefs": ("0", lambda r: r.false_merges.get("brief", (0, 0))[0] == 0),
    "false merges of shared-quote pairs": (
        "0", lambda r: r.false_merges.get("shared_quote", (0, 0))[0] == 0),
    "false merges of same-event pairs": (
        "0", lambda r: r.false_merges.get("same_event", (0, 0))[0] == 0),
    "canonical is a complete copy": ("≥ 0.99", lambda r: r.canonical_full >= 0.99),
    "seeds all kept, none merged": ("yes", lambda r: r.seeds_kept_apart),
}
FORMS = ("html", "text")
_WORD = re.compile(r"\w+")


def run_all(
    corpus: Path, truth: Truth, processes: int, use_templates: bool = True
) -> tuple[list[CleanDoc], dict[str, str], dict[str, bool], dict[str, Any], dict[str, str]]:
    """Every page through ``cleanfeed.run`` (the real pipeline, default ``Config``): the
    extracted documents, cluster labels, kept flags, decisions and dropped pages (id -> why)."""
    pages = [RawDoc(id=n, content=(corpus / "pages" / n).read_bytes(), url=t.url or None,
                    source=str(corpus / "pages" / n))
             for n, t in sorted(truth.pages.items())]
    docs, labels, kept, detail, dropped = [], {}, {}, {}, {}
    for o in run(pages, jobs=processes, templates=use_templates):
        doc = o.page.doc
        docs.append(doc or CleanDoc(id=o.id, paragraphs=(), url=o.page.url))
        labels[o.id] = o.duplicate_of or o.id
        kept[o.id] = o.status == "kept"
        detail[o.id] = o.manifest_row()
        detail[o.id]["canonical_id"] = labels[o.id]
        if o.status == "dropped":
            dropped[o.id] = o.reason
    return docs, labels, kept, detail, dropped


def baseline(docs: Sequence[CleanDoc], threshold: float, num_perm: int = 128) -> dict[str, str]:
    """Plain MinHash LSH at a Jaccard threshold; label = first page id of each component."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sets = []
    for doc in docs:
        toks = [w.lower() for w in _WORD.findall(doc.text)]
        sets.append({" ".join(toks[i : i + 5]).encode() for i in range(max(0, len(toks) - 4))})
    hashes = MinHash.bulk(sets, num_perm=num_perm, seed=1)
    parent = list(range(len(docs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = {doc.id: i for i, doc in enumerate(docs)}
    for i, (doc, m) in enumerate(zip(docs, hashes, strict=True)):
        if not sets[i]:
            continue
        for other in lsh.query(m):
            j = index[other]
            if m.jaccard(hashes[j]) >= threshold:
                a, b = sorted((find(i), find(j)))
                parent[b] = a
        lsh.insert(doc.id, m)
    return {doc.id: docs[find(i)].id for i, doc in enumerate(docs)}


def dedup(docs: Sequence[CleanDoc]) -> tuple[dict[str, str], dict[str, bool], dict[str, Any]]:
    engine = Deduplicator(DedupConfig())
    try:
        engine.add_batch(list(docs))
        decisions = engine.decisions()
    finally:
        engine.close()
    labels = {d.doc_id: d.canonical_id for d in decisions}
    kept = {d.doc_id: d.status == "kept" for d in decisions}
    detail = {d.doc_id: d.to_dict() for d in decisions}
    return labels, kept, detail


def _pct(x: float) -> str:
    return f"{x:.4f}"


def _fm(r: Report, kind: str) -> int:
    return r.false_merges.get(kind, (0, 0))[0]


def _floor_value(name: str, r: Report) -> str:
    merges = {"false merges of briefs": "brief", "false merges of shared-quote pairs":
              "shared_quote", "false merges of same-event pairs": "same_event"}
    if name in merges:
        return "{} of {} pairs".format(*r.false_merges.get(merges[name], (0, 0)))
    return {
        "pairwise precision": _pct(r.pairwise.precision),
        "pairwise recall": _pct(r.pairwise.recall),
        "recall on copies trimmed to ≥ 40%": _pct(r.trimmed_recall),
        "canonical is a complete copy": _pct(r.canonical_full),
        "seeds all kept, none merged": "yes" if r.seeds_kept_apart else "no",
    }[name]


def _detail(title: str, r: Report) -> list[str]:
    lines = ["", f"### Detail: {title}", "", "Copies joined to their original, by edit:", "",
             "| edit | recall | copies |", "|---|---|---|"]
    for edit, (rate, n) in r.recall_by_edit.items():
        lines.append(f"| {edit} | {_pct(rate)} | {n} |")
    lines += ["", "Trimmed copies by kept share of words:", "", "| kept | recall | copies |",
              "|---|---|---|"]
    for bucket, (rate, n) in r.trimmed_recall_by_fraction.items():
        lines.append(f"| {bucket} | {_pct(rate)} | {n} |")
    lines += ["", "False merges by negative type (merged pairs / pairs in groups):", ""]
    for kind, (bad, n) in r.false_merges.items():
        lines.append(f"- {kind}: {bad}" + (f" / {n}" if n else ""))
    lines += ["", f"The kept page is the story's original page in {_pct(r.canonical_original)} of "
              f"{r.multi_copy_stories} multi-copy stories (a complete copy: "
              f"{_pct(r.canonical_full)})."]
    return lines


def markdown(args: argparse.Namespace, forms: dict[str, dict[str, Any]]) -> str:
    first = next(iter(forms.values()))
    props = first["truth"].proportions()
    lines = [
        "# Syndication benchmark",
        "",
        f"Command: `python -m benchmarks.syndication --pages {args.pages} --seed {args.seed}"
        + (" --no-templates`" if args.no_templates else "`")
        + f" ({args.processes} processes), from raw pages through `cleanfeed.run`.",
        "",
        f"Corpus (per form; the same stories, hosts and edits in both): {props['pages']} raw "
        f"pages of {props['stories']} stories, {props['multi_copy_stories']} of them with "
        f"several pages (largest {props['largest_story']}). Stories are the ground-truth bodies "
        "of the article pages of ../shared/bench/scrapinghub, wcxb-dev and readability (hundreds "
        "of sites); each story's original is its own page as fetched; copies sit in other pages' "
        "real chrome (navigation, sidebars with other headlines, related lists, footers), the "
        "host's own story taken out (text form: the set's text dump, or for sets without one the "
        "page rendered to text as a browser shows it: one line per block, source newlines as "
        "spaces). Roles: "
        + ", ".join(f"{k} {v}" for k, v in props["roles"].items())
        + ". Edits on copies (a copy can carry several): "
        + ", ".join(f"{k} {v}" for k, v in props["edits"].items())
        + ". Negative groups: "
        + ", ".join(f"{k} {v}" for k, v in props["negatives"].items())
        + " (briefs: short texts of 25-90 words in one site's chrome, the first group of 20-25 "
        "on the heaviest template, the others 3-8, half with a shared tagline; shared quote: "
        "two stories given one 30-70-word quoted paragraph; same event: the story pairs with "
        "most keywords in common, one given the other's opening sentence; roundup: a digest of "
        "three stories' ledes; seeds: the five seed pages).",
        "",
        "## Floors (cleanfeed run, default Config)",
        "",
        "| floor | required | " + " | ".join(f"{f} end to end | met" for f in forms) + " |",
        "|---|---|" + "---|---|" * len(forms),
    ]
    for name, (need, check) in FLOORS.items():
        cells = []
        for f in forms.values():
            r = f["rows"][0][1]
            cells.append(f"{_floor_value(name, r)} | {'yes' if check(r) else '**no**'}")
        lines.append(f"| {name} | {need} | " + " | ".join(cells) + " |")
    lines += ["", "Pages dropped (no body out of extraction): " + ", ".join(
        f"{form} {len(f['dropped'])} of {len(f['truth'].pages)}" for form, f in forms.items())
        + "."]
    for form, f in forms.items():
        ex = f["extraction"]
        lines += [
            "",
            f"## {form.upper() if form == 'html' else 'Text-dump'} form",
            "",
            f"`cleanfeed.run`: {len(f['truth'].pages)} pages in {ex['seconds']:.1f} s; mean share "
            f"of a page's story words extracted {ex['recall']:.3f}, of extracted words that are "
            f"its story {ex['precision']:.3f}; pages with under half their story: "
            f"{ex['lost'][form]}, over 30% leftover chrome: {ex['padded'][form]}. Missed copies: "
            f"{f['misses']['extraction']} where extraction lost half the story or left 30% "
            f"chrome, {f['misses']['dedup']} with both pages extracted well.",
            "",
            "| method | input | pairwise P | pairwise R | F1 | ARI | trimmed recall | false "
            "merges (brief / quote / same-event / roundup / all pairs) | canonical complete | "
            "clusters | seconds |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, r, seconds in f["rows"]:
            method, _, source = name.partition(" | ")
            lines.append(
                f"| {method} | {source} | {_pct(r.pairwise.precision)} | "
                f"{_pct(r.pairwise.recall)} | {_pct(r.pairwise.f1)} | {_pct(r.ari)} | "
                f"{_pct(r.trimmed_recall)} | {_fm(r, 'brief')} / {_fm(r, 'shared_quote')} / "
                f"{_fm(r, 'same_event')} / {_fm(r, 'roundup')} / {_fm(r, ALL)} | "
                f"{_pct(r.canonical_full)} | {r.clusters} | {seconds:.1f} |")
        lines += _detail(f"{form}, end to end", f["rows"][0][1])
    lines += ["", "Failure examples (with each page's decision) are in syndication.json "
              "(`forms.<form>.methods.<name>.examples`).", ""]
    return "\n".join(lines)


ALL = "all (wrongly merged pairs anywhere)"


def extraction_quality(
    docs: Sequence[CleanDoc], bodies: dict[str, str], truth: Truth
) -> tuple[dict[str, Any], dict[str, float], dict[str, float]]:
    """Word-overlap check of extraction against the body each page carries: how much of it
    came out (recall per page), and how much of what came out is it (precision per page)."""
    recall, precision = {}, {}
    lost: Counter[str] = Counter()
    padded: Counter[str] = Counter()
    for doc in docs:
        true = Counter(w.lower() for w in _WORD.findall(bodies.get(doc.id, "")))
        got = Counter(w.lower() for w in _WORD.findall(doc.text))
        hit = sum((true & got).values())
        kind = truth.pages[doc.id].kind
        if true:
            recall[doc.id] = hit / sum(true.values())
            lost[kind] += recall[doc.id] < 0.5
        if got:
            precision[doc.id] = hit / sum(got.values())
            padded[kind] += precision[doc.id] < 0.7
    summary = {
        "recall": float(np.mean(list(recall.values()))) if recall else 0.0,
        "precision": float(np.mean(list(precision.values()))) if precision else 0.0,
        "lost": {k: lost.get(k, 0) for k in ("html", "text")},
        "padded": {k: padded.get(k, 0) for k in ("html", "text")},
    }
    return summary, recall, precision


def missed_copies(
    truth: Truth, decisions: dict[str, dict[str, Any]], page_recall: dict[str, float],
    page_precision: dict[str, float],
    max_examples: int = 12,
) -> dict[str, Any]:
    """Copies not in their original's cluster, split by cause: extraction (the copy or the
    original lost over half its story) or deduplication (both extracted well)."""
    original = {t.story: p for p, t in truth.pages.items() if t.role == "original"}
    label = {p: d["canonical_id"] for p, d in decisions.items()}
    out: dict[str, Any] = {"extraction": 0, "dedup": 0, "examples": {"extraction": [], "dedup": []}}
    for page, t in sorted(truth.pages.items()):
        orig = original.get(t.story)
        if t.role != "copy" or orig is None or label[page] == label[orig]:
            continue
        # Extraction's fault when either page lost half its story, or is over 30% chrome (a
        # trimmed copy padded with that much chrome cannot reach the containment threshold).
        bad = any(page_recall.get(p, 1.0) < 0.5 or page_precision.get(p, 1.0) < 0.7
                  for p in (page, orig))
        cause = "extraction" if bad else "dedup"
        out[cause] += 1
        if len(out["examples"][cause]) < max_examples:
            canonical = label[orig]
            out["examples"][cause].append({
                "page": page, "edits": list(t.edits), "trim_fraction": t.trim_fraction,
                "url": t.url, "original": orig, "story_canonical": canonical,
                "story_canonical_url": truth.pages[canonical].url,
                "page_decision": decisions[page],
                "extraction_precision": {p: round(page_precision.get(p, 0.0), 3)
                                         for p in (page, orig, canonical)},
                "extraction_recall": {p: round(page_recall.get(p, 0.0), 3)
                                      for p in (page, orig, canonical)},
            })
    return out


def run_form(args: argparse.Namespace, form: str, corpus: Path) -> dict[str, Any]:
    """One form of the corpus: generated, run end to end, scored with the baselines."""
    truth = generate(corpus, args.pages, args.seed, args.sources, args.seeds, form=form)
    t0 = time.perf_counter()
    docs, labels, kept, detail, dropped = run_all(corpus, truth, args.processes,
                                                  not args.no_templates)
    run_seconds = time.perf_counter() - t0
    bodies = json.loads((corpus / "bodies.json").read_text(encoding="utf-8"))
    quality, page_recall, page_precision = extraction_quality(docs, bodies, truth)
    rows: list[tuple[str, Report, float]] = [
        ("cleanfeed run | raw pages", score(truth, labels, kept), run_seconds)]
    gold = [
        CleanDoc(id=p, paragraphs=tuple(x for x in bodies[p].split("\n") if x.strip()),
                 url=truth.pages[p].url or None)
        for p in sorted(truth.pages)
    ]
    t0 = time.perf_counter()
    g_labels, g_kept, _ = dedup(gold)
    rows.append(("cleanfeed Deduplicator | true bodies", score(truth, g_labels, g_kept),
                 time.perf_counter() - t0))
    for threshold in (0.5, 0.8):
        t0 = time.perf_counter()
        base = baseline(docs, threshold)
        rows.append((f"MinHashLSH Jaccard ≥ {threshold} | extracted", score(
            truth, base, {p: base[p] == p for p in base}), time.perf_counter() - t0))
    report = rows[0][1]
    for examples in report.examples.values():
        for row in examples:
            for key in ("page", "original", "kept"):
                if row.get(key) in detail:
                    row[f"{key}_decision"] = detail[row[key]]
                    row[f"{key}_extraction_recall"] = round(page_recall.get(row[key], 0), 3)
                    row[f"{key}_extraction_precision"] = round(page_precision.get(row[key], 0), 3)
    return {
        "truth": truth, "rows": rows, "dropped": dropped,
        "extraction": {"seconds": round(run_seconds, 2), **quality},
        "misses": missed_copies(truth, detail, page_recall, page_precision),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sources", type=Path, nargs="+", default=list(DEFAULT_SOURCES))
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the corpora are written (default: a temporary directory)")
    parser.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--no-templates", action="store_true",
                        help="extract text dumps without the per-site templates learned first")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--forms", nargs="+", choices=FORMS, default=list(FORMS))
    parser.add_argument("--generate-only", action="store_true",
                        help="write the corpus to --workdir (pages/, truth.json) and stop")
    args = parser.parse_args(argv)
    if args.generate_only:
        if args.workdir is None:
            parser.error("--generate-only needs --workdir")
        truth = generate(args.workdir, args.pages, args.seed, args.sources, args.seeds,
                         form=args.forms[0] if len(args.forms) == 1 else "mixed")
        print(json.dumps(truth.proportions(), indent=1))
        return 0
    forms: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="cleanfeed-syndication-") as tmp:
        for form in args.forms:
            forms[form] = run_form(args, form, (args.workdir or Path(tmp)) / form)
    args.out.mkdir(parents=True, exist_ok=True)
    result = {
        "command": f"python -m benchmarks.syndication --pages {args.pages} --seed {args.seed}",
        "sources": [os.path.relpath(p, REPO) for p in args.sources],
        "forms": {
            form: {
                "proportions": f["truth"].proportions(),
                "extraction": f["extraction"],
                "pages_dropped": f["dropped"],
                "missed_copies_end_to_end": f["misses"],
                "methods": {name: {"seconds": round(sec, 2), **r.to_dict()}
                            for name, r, sec in f["rows"]},
                "floors": {name: check(f["rows"][0][1]) for name, (_, check) in FLOORS.items()},
            }
            for form, f in forms.items()
        },
    }
    (args.out / "syndication.json").write_text(
        json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8")
    (args.out / "syndication.md").write_text(markdown(args, forms), encoding="utf-8")
    print((args.out / "syndication.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
