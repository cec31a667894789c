"""The five seed pages: body F1 cleaned together and alone, metadata per field, add-ons absent.

    python -m benchmarks.seeds [path/to/seeds]

"Together": one ``SiteTemplates`` learner observes all five dumps (no URLs: pages are pooled by
their header and footer lines), then each is cleaned with the snapshot. "Alone": each page is
cleaned without the others. Metadata is compared with ``gold/metadata.json`` (null where the
gold is null). The add-on check looks for the syndicators' SEO blocks and chrome in the output.

Writes ``benchmarks/results/seeds.{md,json}``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from benchmarks import write_results
from cleanfeed import CleanDoc, SiteTemplates, clean_text_dump

from .corpus import REPO, SeedPage, load_seeds
from .metric import score_page

RESULTS = Path(__file__).resolve().parent / "results"
FIELDS = ("title", "author", "date", "wire")
# What must not survive cleaning: the republisher's add-ons and the page chrome around them.
ADD_ONS = {
    "quick summary": re.compile(r"quick summary", re.I),
    "table of contents": re.compile(r"table of contents", re.I),
    "key takeaways": re.compile(r"key takeaways", re.I),
    "faq": re.compile(r"frequently asked questions|^\d\s*what\b", re.I | re.M),
    "related posts": re.compile(r"related posts|more from \w+|explore more articles", re.I),
    "source link": re.compile(r"source link", re.I),
    "share lines": re.compile(r"^share\b|facebook twitter", re.I | re.M),
    "post views": re.compile(r"post views", re.I),
}


def _f1(doc: CleanDoc, gold: str) -> float:
    s = score_page(doc.text, gold)
    p, r = s.precision or 0.0, s.recall or 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def _toc_entries(raw: str) -> list[str]:
    """The entries listed under a page's "Table of Contents" (to check none is left in the body)."""
    lines = [line.strip() for line in raw.splitlines()]
    out: list[str] = []
    if "Table of Contents" in lines:
        for line in lines[lines.index("Table of Contents") + 1 :]:
            if not line:
                continue
            if not line.startswith("•"):
                break
            out.append(line.lstrip("• ").strip())
    return out


def _add_ons_found(seed: SeedPage, doc: CleanDoc) -> list[str]:
    found = [name for name, pattern in ADD_ONS.items() if pattern.search(doc.text)]
    found += [f"injected heading: {e}" for e in _toc_entries(seed.raw) if e in doc.paragraphs]
    summary = re.search(r"Quick Summary\s*\n\s*\n\s*(.+)", seed.raw)
    if summary and summary.group(1).strip() in doc.paragraphs:
        found.append("quick summary text")
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=REPO / "seeds")
    args = parser.parse_args(argv)
    seeds = load_seeds(args.path)

    learner = SiteTemplates()
    for seed in seeds:
        learner.observe(seed.raw)
    snapshot = learner.snapshot()
    together = {s.name: clean_text_dump(s.raw, doc_id=s.name, templates=snapshot) for s in seeds}
    alone = {s.name: clean_text_dump(s.raw, doc_id=s.name) for s in seeds}

    pages: dict[str, dict[str, Any]] = {}
    for seed in seeds:
        doc = together[seed.name]
        pages[seed.name] = {
            "f1_together": round(_f1(doc, seed.gold), 4),
            "f1_alone": round(_f1(alone[seed.name], seed.gold), 4),
            "metadata": {
                key: {"got": getattr(doc, key), "gold": seed.metadata.get(key),
                      "ok": getattr(doc, key) == seed.metadata.get(key)}
                for key in FIELDS
            },
            "provenance": doc.provenance,
            "add_ons_in_output": _add_ons_found(seed, doc),
            "removals": len(doc.removals),
        }
    fields_ok = {key: sum(p["metadata"][key]["ok"] for p in pages.values()) for key in FIELDS}
    summary = {
        "min_f1_together": min(p["f1_together"] for p in pages.values()),
        "mean_f1_alone": round(sum(p["f1_alone"] for p in pages.values()) / len(pages), 4),
        "metadata_correct": {key: f"{n}/{len(pages)}" for key, n in fields_ok.items()},
        "pages_with_add_ons": sum(bool(p["add_ons_in_output"]) for p in pages.values()),
        "template_sites_learned": len(snapshot),
    }
    md = [
        "# Seeds: five rendered dumps (`python -m benchmarks.seeds`)",
        "",
        f"Together (one template learner over all five, {len(snapshot)} site keys learned): "
        f"min per-page F1 **{summary['min_f1_together']:.3f}**. "
        f"Alone: mean F1 **{summary['mean_f1_alone']:.3f}**. "
        f"Pages with an add-on left in the output: **{summary['pages_with_add_ons']}**.",
        "",
        "| page | F1 together | F1 alone | title | author | date | wire | add-ons left |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, p in pages.items():
        marks = " | ".join("✓" if p["metadata"][k]["ok"] else f"✗ ({p['metadata'][k]['got']})" for k in FIELDS)
        md.append(
            f"| {name} | {p['f1_together']:.3f} | {p['f1_alone']:.3f} | {marks} | "
            f"{', '.join(p['add_ons_in_output']) or 'none'} |"
        )
    correct = ", ".join(f"{k} {v}" for k, v in summary["metadata_correct"].items())
    md += ["", f"Metadata correct per field: {correct}", ""]
    write_results(RESULTS, "seeds", {"summary": summary, "pages": pages}, "\n".join(md))


if __name__ == "__main__":
    main()
