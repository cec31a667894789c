"""The syndication benchmark end to end: generate → extract → deduplicate → score.

Usage::

    python -m benchmarks.syndication [--pages 3000] [--seed 1] [--source PATH] [--workdir DIR]
                                     [--processes 2] [--no-templates]
    python -m benchmarks.syndication --generate-only --workdir DIR --pages 2000   # corpus only

From code: ``benchmarks.syndication.generate(out_dir, n_pages, seed, source_root) -> Truth``
(``Truth.from_json`` reads ``truth.json`` back; ``benchmarks.syndication.score.score`` scores any
clustering given as page -> cluster label and page -> kept).

Generates the corpus (``generate.py``) under ``--workdir``, reads every raw page back as a
``RawDoc`` (bytes, kind unknown, the page's URL as a crawler would record it), extracts it with
the runner's ``cleanfeed.extract_pages``, deduplicates with ``cleanfeed.Deduplicator`` (default ``DedupConfig``),
and scores clusters and kept pages against the truth. In the same run, a baseline: datasketch's
``MinHashLSH`` at a plain Jaccard threshold over the same extracted texts (word 5-grams of the
lower-cased words), candidate pairs confirmed by estimated Jaccard, connected components, the
first page of each component kept. Results: ``benchmarks/results/syndication.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

from benchmarks.corpus import DEFAULT_SCRAPINGHUB
from cleanfeed import CleanDoc, DedupConfig, Deduplicator, RawDoc, extract_pages

from .generate import DEFAULT_SEEDS, Truth, generate
from .score import Report, score

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "benchmarks" / "results"
FLOORS = {
    "pairwise precision": ("≥ 0.99", lambda r: r.pairwise.precision >= 0.99),
    "pairwise recall": ("≥ 0.97", lambda r: r.pairwise.recall >= 0.97),
    "recall on copies trimmed to ≥ 40%": ("≥ 0.95", lambda r: r.trimmed_recall >= 0.95),
    "false merges of briefs": ("0", lambda r: r.false_merges.get("brief", (0, 0))[0] == 0),
    "false merges of shared-quote pairs": (
        "0", lambda r: r.false_merges.get("shared_quote", (0, 0))[0] == 0),
    "canonical is a full copy": ("≥ 0.98", lambda r: r.canonical_full >= 0.98),
    "seeds all kept, none merged": ("yes", lambda r: r.seeds_kept_apart),
}
_WORD = re.compile(r"\w+")


def extract_all(
    corpus: Path, truth: Truth, processes: int, use_templates: bool = True
) -> tuple[list[CleanDoc], dict[str, str]]:
    """Every page through the runner's extraction (``cleanfeed.pipeline.extract_pages``: text
    dumps cleaned with the templates learned from all of them, as a batch run does)."""
    pages = [RawDoc(id=n, content=(corpus / "pages" / n).read_bytes(), url=t.url or None,
                    source=str(corpus / "pages" / n))
             for n, t in sorted(truth.pages.items())]
    docs, failures = [], {}
    for r in extract_pages(pages, jobs=processes, templates=use_templates, keep_removals=False):
        docs.append(r.doc or CleanDoc(id=r.id, paragraphs=(), url=r.url))
        if r.status == "failed":
            failures[r.id] = f"{r.reason}: {r.error}"
    return docs, failures


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
    for i, (doc, m) in enumerate(zip(docs, hashes)):
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
    return {
        "pairwise precision": _pct(r.pairwise.precision),
        "pairwise recall": _pct(r.pairwise.recall),
        "recall on copies trimmed to ≥ 40%": _pct(r.trimmed_recall),
        "false merges of briefs": "{} of {} pairs".format(*r.false_merges.get("brief", (0, 0))),
        "false merges of shared-quote pairs": "{} of {} pairs".format(
            *r.false_merges.get("shared_quote", (0, 0))),
        "canonical is a full copy": _pct(r.canonical_full),
        "seeds all kept, none merged": "yes" if r.seeds_kept_apart else "no",
    }[name]


def _detail(title: str, r: Report) -> list[str]:
    lines = ["", f"## Detail: {title}", "", "Copies joined to their original, by edit:", "",
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
              f"{r.multi_copy_stories} multi-copy stories (a full copy: {_pct(r.canonical_full)})."]
    return lines


def markdown(
    args: argparse.Namespace, truth: Truth, rows: list[tuple[str, Report, float]],
    extraction: dict[str, Any], misses: dict[str, Any],
) -> str:
    ours, stage = rows[0][1], rows[1][1]
    props = truth.proportions()
    n = len(truth.pages)
    lines = [
        "# Syndication benchmark",
        "",
        f"Command: `python -m benchmarks.syndication --pages {args.pages} --seed {args.seed}"
        + (" --no-templates`" if args.no_templates else "`")
        + f" ({args.processes} processes for extraction).",
        "",
        f"Corpus: {props['pages']} raw pages ({props['html']} HTML, {props['text']} text dumps) of "
        f"{props['stories']} stories, {props['multi_copy_stories']} of them with several pages "
        f"(largest {props['largest_story']} pages). Stories are Scrapinghub ground-truth bodies; "
        "each story's original is its own page as fetched; copies sit in other Scrapinghub pages' "
        "chrome (HTML, or the text dump), the host's own story taken out. Roles: "
        + ", ".join(f"{k} {v}" for k, v in props["roles"].items())  # type: ignore[union-attr]
        + ". Edits on copies (a copy can carry several): "
        + ", ".join(f"{k} {v}" for k, v in props["edits"].items())  # type: ignore[union-attr]
        + ". Negative groups: "
        + ", ".join(f"{k} {v}" for k, v in props["negatives"].items())  # type: ignore[union-attr]
        + " (briefs: 3-8 short texts of 25-90 words in one site's chrome, half of the groups "
        "with a shared tagline; shared quote: two stories of ≥ 150 words given one 30-70-word "
        "quoted paragraph; same event: the story pairs with most keywords in common, one "
        "given the other's opening sentence; roundup: a digest page with the ledes (≤ 30% and "
        "≤ 120 words each) of three "
        "stories, grouped with the three originals; seeds: the five seed pages as they are).",
        "",
        "Extraction (`cleanfeed.extract_pages`, the runner's extraction, on each RawDoc"
        + (")" if args.no_templates else "; text dumps cleaned with the per-site templates "
           "learned from all of them in its first pass, as `cleanfeed run` does)")
        + f": {n} pages in "
        f"{extraction['seconds']:.1f} s ({n / extraction['seconds']:.0f} pages/s), "
        f"{len(extraction['failures'])} failures; mean share of the page's story words recovered "
        f"{extraction['recall']:.3f}, mean share of extracted words that are the story's "
        f"{extraction['precision']:.3f}; pages with under half their story recovered: "
        + ", ".join(f"{k} {v}" for k, v in extraction["lost"].items())
        + "; pages over 30% leftover chrome: "
        + ", ".join(f"{k} {v}" for k, v in extraction["padded"].items()) + ".",
        "",
        "Two runs of the dedup stage: **end to end** (on the extracted texts) and **dedup stage "
        "alone** (on each page's true body, as if extraction were perfect: isolates "
        "deduplication).",
        "",
        "## Floors (cleanfeed Deduplicator, default DedupConfig)",
        "",
        "| floor | required | end to end | met | dedup stage alone | met |",
        "|---|---|---|---|---|---|",
    ]
    for name, (need, check) in FLOORS.items():
        lines.append(
            f"| {name} | {need} | {_floor_value(name, ours)} | {'yes' if check(ours) else '**no**'}"
            f" | {_floor_value(name, stage)} | {'yes' if check(stage) else '**no**'} |")
    lines += [
        "",
        f"Missed copies end to end: {misses['extraction']} where the copy or its original lost "
        f"over half its story in extraction or is over 30% leftover chrome, {misses['dedup']} "
        "with both extracted well "
        "(examples of each in syndication.json, `missed_copies_end_to_end`).",
        "",
        "## Against plain MinHash LSH (datasketch, 128 permutations, word 5-grams)",
        "",
        "| method | input | pairwise P | pairwise R | F1 | ARI | trimmed recall | false merges "
        "(brief / quote / same-event / roundup / all pairs) | canonical full | clusters | "
        "seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r, seconds in rows:
        method, _, source = name.partition(" | ")
        lines.append(
            f"| {method} | {source} | {_pct(r.pairwise.precision)} | {_pct(r.pairwise.recall)} | "
            f"{_pct(r.pairwise.f1)} | {_pct(r.ari)} | {_pct(r.trimmed_recall)} | "
            f"{_fm(r, 'brief')} / {_fm(r, 'shared_quote')} / {_fm(r, 'same_event')} / "
            f"{_fm(r, 'roundup')} / "
            f"{_fm(r, ALL)} | {_pct(r.canonical_full)} | {r.clusters} | {seconds:.1f} |"
        )
    lines += ["", f"True same-story pairs: {ours.pairwise.true_pairs}; stories: {ours.stories}."]
    lines += _detail("end to end", ours) + _detail("dedup stage alone", stage)
    lines += ["", "Failure examples (with each page's decision) are in syndication.json "
              "(`methods.<name>.examples`); notes for the dedup stage in the findings file.", ""]
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--source", type=Path, default=DEFAULT_SCRAPINGHUB)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the corpus is written (default: a temporary directory)")
    parser.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--no-templates", action="store_true",
                        help="extract text dumps without the per-site templates learned first")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--generate-only", action="store_true",
                        help="write the corpus to --workdir (pages/, truth.json) and stop")
    args = parser.parse_args(argv)
    if args.generate_only:
        if args.workdir is None:
            parser.error("--generate-only needs --workdir")
        truth = generate(args.workdir, args.pages, args.seed, args.source, args.seeds)
        print(json.dumps(truth.proportions(), indent=1))
        return 0
    with tempfile.TemporaryDirectory(prefix="cleanfeed-syndication-") as tmp:
        corpus = args.workdir or Path(tmp)
        truth = generate(corpus, args.pages, args.seed, args.source, args.seeds)
        t0 = time.perf_counter()
        docs, failures = extract_all(corpus, truth, args.processes, not args.no_templates)
        extract_seconds = time.perf_counter() - t0
        bodies = json.loads((corpus / "bodies.json").read_text(encoding="utf-8"))
    quality, page_recall, page_precision = extraction_quality(docs, bodies, truth)
    extraction = {"seconds": round(extract_seconds, 2), "failures": failures, **quality}
    gold = [
        CleanDoc(id=p, paragraphs=tuple(x for x in bodies[p].split("\n") if x.strip()),
                 url=truth.pages[p].url or None)
        for p in sorted(truth.pages)
    ]
    rows: list[tuple[str, Report, float]] = []
    details: dict[str, dict[str, Any]] = {}
    for source, inputs in (("extracted", docs), ("true bodies", gold)):
        t0 = time.perf_counter()
        labels, kept, detail = dedup(inputs)
        rows.append((f"cleanfeed Deduplicator | {source}", score(truth, labels, kept),
                     time.perf_counter() - t0))
        details[source] = detail
    for source, inputs in (("extracted", docs), ("true bodies", gold)):
        for threshold in (0.5, 0.8):
            t0 = time.perf_counter()
            base = baseline(inputs, threshold)
            keep = {p: base[p] == p for p in base}
            rows.append((f"MinHashLSH Jaccard ≥ {threshold} | {source}", score(truth, base, keep),
                         time.perf_counter() - t0))
    # Make failure examples self-explaining: each page's decision and extraction recall.
    for (_, report, _), source in zip(rows[:2], ("extracted", "true bodies")):
        for examples in report.examples.values():
            for row in examples:
                for key in ("page", "original", "kept"):
                    if row.get(key) in details[source]:
                        row[f"{key}_decision"] = details[source][row[key]]
                        row[f"{key}_extraction_recall"] = round(page_recall.get(row[key], 0), 3)
                        row[f"{key}_extraction_precision"] = round(
                            page_precision.get(row[key], 0), 3)
    misses = missed_copies(truth, details["extracted"], page_recall, page_precision)
    args.out.mkdir(parents=True, exist_ok=True)
    ours, stage = rows[0][1], rows[1][1]
    result = {
        "command": f"python -m benchmarks.syndication --pages {args.pages} --seed {args.seed}",
        "proportions": truth.proportions(),
        "extraction": extraction,
        "missed_copies_end_to_end": misses,
        "methods": {name: {"seconds": round(s, 2), **r.to_dict()} for name, r, s in rows},
        "floors": {
            "end to end": {name: check(ours) for name, (_, check) in FLOORS.items()},
            "dedup stage alone": {name: check(stage) for name, (_, check) in FLOORS.items()},
        },
    }
    (args.out / "syndication.json").write_text(
        json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8")
    (args.out / "syndication.md").write_text(
        markdown(args, truth, rows, extraction, misses), encoding="utf-8")
    print((args.out / "syndication.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
