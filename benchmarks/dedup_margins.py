"""Where the dedup thresholds sit between copies and non-copies, on real article texts.

Usage::

    python -m benchmarks.dedup_margins [--truth PATH/ground-truth.json]

Takes every Scrapinghub ground-truth body of ≥ 150 words (real articles, many sites and
topics) and measures, with ``verify`` under the default ``DedupConfig``:

- copyedits: a share of the words replaced (1% ... 15%); up to ~5% is a syndicated copy,
  10-15% is a rewrite;
- trimmed copies: the first 40% / 50% / 70% of the paragraphs, or of the words;
- negatives: pairs of different articles, each pair given one shared 50-word statement; a short
  text (one paragraph + the statement) against a long story quoting it; two briefs of 10-60
  words sharing a 35-word site template.

This is a check of the margins the ``DedupConfig`` docstring states, not the syndication
benchmark (that one scores clusters and canonical choices end to end).
Results: ``benchmarks/results/dedup_margins.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np

from benchmarks import shown, write_results
from cleanfeed import CleanDoc, DedupConfig, fingerprint_batch, verify

REPO = Path(__file__).resolve().parent.parent
DEFAULT_TRUTH = REPO.parent / "shared" / "bench" / "scrapinghub" / "ground-truth.json"
RESULTS = REPO / "benchmarks" / "results"

STATEMENT = (
    '"We will never forget the heroic feats of the soldiers who fought for the homeland, and we '
    'will always remember their sacrifice and courage," the statement said, adding that the '
    "friendship between the two peoples had been sealed in blood and would last for generations."
)
TEMPLATE = (
    "Get the latest headlines delivered to your inbox every morning. Sign up for our free "
    "newsletter today and never miss a story from our newsroom. Follow us on social media for "
    "breaking news updates."
)
FILLER = ("the", "new", "said", "also", "which", "reportedly")


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def edited(paras: list[str], rate: float, rng: random.Random) -> list[str]:
    out = []
    for p in paras:
        words = p.split(" ")
        out.append(" ".join(rng.choice(FILLER) if rng.random() < rate else w for w in words))
    return out


def match(a: list[str], b: list[str], config: DedupConfig) -> bool:
    fa, fb = fingerprint_batch(
        [CleanDoc(id="a", paragraphs=tuple(a)), CleanDoc(id="b", paragraphs=tuple(b))], config
    )
    return verify(fa, fb, config) is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--truth", type=Path, default=DEFAULT_TRUTH)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    truth = json.loads(args.truth.read_text(encoding="utf-8"))
    texts = [
        v["articleBody"] for _, v in sorted(truth.items()) if len(v["articleBody"].split()) >= 150
    ]
    config = DedupConfig()
    rng = random.Random(1)
    rows: list[tuple[str, str, float, int]] = []  # (kind, case, share matched, n)

    for rate in (0.01, 0.02, 0.03, 0.05, 0.10, 0.15):
        hits = [match(paragraphs(t), edited(paragraphs(t), rate, rng), config) for t in texts]
        kind = "copy" if rate <= 0.05 else "rewrite (must not match)"
        rows.append((kind, f"{rate:.0%} of words copyedited", float(np.mean(hits)), len(hits)))
    for keep in (0.4, 0.5, 0.7):
        by_para, by_words = [], []
        for t in texts:
            ps = paragraphs(t)
            by_para.append(match(ps, ps[: max(1, round(len(ps) * keep))], config))
            words = t.split(" ")
            by_words.append(match(ps, [" ".join(words[: int(len(words) * keep)])], config))
        rows.append(("copy", f"first {keep:.0%} of the paragraphs", float(np.mean(by_para)), len(texts)))
        rows.append(("copy", f"first {keep:.0%} of the words", float(np.mean(by_words)), len(texts)))
    pairs = list(zip(texts[::2], texts[1::2], strict=False))  # an odd last text has no partner
    quoted = [
        match([*paragraphs(a)[:2], STATEMENT, *paragraphs(a)[2:]],
              [*paragraphs(b)[:3], STATEMENT, *paragraphs(b)[3:]], config)
        for a, b in pairs
    ]
    rows.append(("different", "two stories quoting one statement", float(np.mean(quoted)), len(pairs)))
    short = [
        match([*paragraphs(a)[:1], STATEMENT], [*paragraphs(b)[:3], STATEMENT, *paragraphs(b)[3:]], config)
        for a, b in pairs
    ]
    rows.append(("different", "one paragraph + statement vs a story quoting it", float(np.mean(short)), len(pairs)))
    briefs = [
        match([" ".join(a.split()[:n]), TEMPLATE], [" ".join(b.split()[:n]), TEMPLATE], config)
        for a, b in pairs
        for n in (10, 20, 30, 40, 60)
    ]
    rows.append(("different", "briefs sharing a site template", float(np.mean(briefs)), len(briefs)))
    plain = [match(paragraphs(a), paragraphs(b), config) for a, b in pairs]
    rows.append(("different", "two different articles", float(np.mean(plain)), len(pairs)))

    result = {
        "articles": len(texts),
        "truth": shown(args.truth),
        "config": config.fingerprint(),
        "rows": [{"kind": k, "case": c, "matched": m, "n": n} for k, c, m, n in rows],
    }
    lines = [
        "# Dedup margins: verify() on variants of real articles",
        "",
        f"{len(texts)} Scrapinghub ground-truth bodies of ≥ 150 words; default `DedupConfig` "
        f"(fingerprint {result['config']}). Command: `python -m benchmarks.dedup_margins`.",
        "Share of pairs that `verify` calls copies (want 1.0 for copies, 0.0 otherwise):",
        "",
        "| kind | case | matched | pairs |",
        "|---|---|---:|---:|",
        *(f"| {k} | {c} | {m:.3f} | {n} |" for k, c, m, n in rows),
        "",
        "Trimmed copies cut by paragraphs sometimes keep < 20% of the shingles (short lead "
        "paragraphs) or < 40 shingles: those are the misses at 40%.",
        "",
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    write_results(args.out, "dedup_margins", result, "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
