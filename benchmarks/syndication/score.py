"""Scoring a clustering of the syndication corpus against its truth.

A clustering maps every page to a cluster label and names the page each cluster keeps.
Measures: pairwise precision/recall/F1 over same-story page pairs; the adjusted Rand index
(Hubert & Arabie 1985, from the contingency table); recall of trimmed copies (a trimmed copy
counts when it lands in the cluster of its story's full original), also by kept fraction and by
edit; false merges per negative type (pairs of pages of different stories in one negative
group that share a cluster); whether the kept page of each multi-copy story is a full copy;
whether the seeds are all kept and apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

from .generate import Truth

TRIM_BUCKETS = ((0.4, 0.5), (0.5, 0.7), (0.7, 1.0))


def pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass(frozen=True, slots=True)
class PairScore:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int


def pairwise(truth: Mapping[str, str], predicted: Mapping[str, str]) -> PairScore:
    """Precision/recall/F1 over unordered page pairs in one story (truth) / one cluster.

    No predicted pairs gives precision 1 (nothing wrongly merged); no true pairs, recall 1.
    """
    cells = Counter((truth[p], predicted[p]) for p in truth)
    correct = sum(pairs(n) for n in cells.values())
    true_pairs = sum(pairs(n) for n in Counter(truth.values()).values())
    pred_pairs = sum(pairs(n) for n in Counter(predicted[p] for p in truth).values())
    precision = correct / pred_pairs if pred_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(precision, recall, f1, true_pairs, pred_pairs, correct)


def adjusted_rand(truth: Mapping[str, str], predicted: Mapping[str, str]) -> float:
    """ARI = (index - expected) / (max - expected), index = Σ C(n_ij, 2) over the contingency
    table, expected = Σ C(a_i, 2) · Σ C(b_j, 2) / C(n, 2),
    max = (Σ C(a_i, 2) + Σ C(b_j, 2)) / 2.
    Two identical partitions (also all-singletons) give 1."""
    n = len(truth)
    index = sum(pairs(c) for c in Counter((truth[p], predicted[p]) for p in truth).values())
    a = sum(pairs(c) for c in Counter(truth.values()).values())
    b = sum(pairs(c) for c in Counter(predicted[p] for p in truth).values())
    total = pairs(n)
    expected = a * b / total if total else 0.0
    maximum = (a + b) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


@dataclass
class Report:
    pairwise: PairScore
    ari: float
    clusters: int
    stories: int
    trimmed_recall: float
    trimmed_recall_by_fraction: dict[str, tuple[float, int]]
    recall_by_edit: dict[str, tuple[float, int]]
    false_merges: dict[str, tuple[int, int]]  # type -> (merged pairs, pairs in groups)
    canonical_full: float
    canonical_original: float
    multi_copy_stories: int
    seeds_kept_apart: bool
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def score(
    truth: Truth, predicted: Mapping[str, str], kept: Mapping[str, bool], max_examples: int = 8
) -> Report:
    """``predicted``: page -> cluster label (e.g. the kept page's id); ``kept``: page -> whether
    it is its cluster's kept page. Every page of the truth must be in both."""
    missing = [p for p in truth.pages if p not in predicted or p not in kept]
    if missing:
        raise ValueError(f"{len(missing)} pages have no prediction, e.g. {missing[:3]}")
    story = {p: t.story for p, t in truth.pages.items()}
    examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
    original = {t.story: p for p, t in truth.pages.items() if t.role == "original"}

    def note(kind: str, **row: Any) -> None:
        if len(examples[kind]) < max_examples:
            examples[kind].append(row)

    # Copies: joined their original's cluster?
    by_edit: dict[str, list[bool]] = defaultdict(list)
    by_fraction: dict[str, list[bool]] = defaultdict(list)
    trimmed: list[bool] = []
    for page, t in sorted(truth.pages.items()):
        if t.role != "copy" or t.story not in original:
            continue
        ok = predicted[page] == predicted[original[t.story]]
        for edit in t.edits or ("verbatim",):
            by_edit[edit].append(ok)
        if t.trim_fraction is not None:
            trimmed.append(ok)
            for lo, hi in TRIM_BUCKETS:
                if lo <= t.trim_fraction < hi:
                    by_fraction[f"{lo:.1f}-{hi:.1f}"].append(ok)
        if not ok:
            note("missed_copy", page=page, original=original[t.story], edits=list(t.edits),
                 trim_fraction=t.trim_fraction, cluster=predicted[page],
                 original_cluster=predicted[original[t.story]])

    merges: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for neg in truth.negatives:
        for p, q in combinations(neg.pages, 2):
            if story[p] == story[q]:
                continue
            merges[neg.type][1] += 1
            if predicted[p] == predicted[q]:
                merges[neg.type][0] += 1
                note(f"false_merge_{neg.type}", pages=[p, q], stories=[story[p], story[q]],
                     cluster=predicted[p], note=neg.note)
    # Merges of different stories outside negative groups (accidental, e.g. chrome-driven).
    members: dict[str, list[str]] = defaultdict(list)
    for page in sorted(truth.pages):
        members[predicted[page]].append(page)
    other = 0
    for label, pages in sorted(members.items()):
        stories = Counter(story[p] for p in pages)
        if len(stories) > 1:
            other += pairs(len(pages)) - sum(pairs(n) for n in stories.values())
            note("mixed_cluster", cluster=label, stories=dict(stories.most_common(5)))
    merges["all (wrongly merged pairs anywhere)"] = [other, 0]

    # Kept page of each multi-copy story: that of the cluster holding most of its pages.
    pages_of: dict[str, list[str]] = defaultdict(list)
    for page, t in sorted(truth.pages.items()):
        pages_of[t.story].append(page)
    keeper = {label: p for p in truth.pages if kept[p] for label in [predicted[p]]}
    full, orig, multi = 0, 0, 0
    for sid, pages in sorted(pages_of.items()):
        if len(pages) < 2:
            continue
        multi += 1
        counts = Counter(predicted[p] for p in pages)
        home = predicted[original[sid]] if sid in original else None
        label = max(counts, key=lambda c: (counts[c], c == home, c))
        chosen = keeper.get(label)
        chosen_truth = truth.pages.get(chosen) if chosen else None
        is_full = chosen_truth is not None and chosen_truth.story == sid and chosen_truth.full
        full += is_full
        orig += chosen_truth is not None and chosen_truth.story == sid and chosen_truth.role == "original"
        if not is_full:
            note("canonical_not_full", story=sid, kept=chosen,
                 kept_story=chosen_truth.story if chosen_truth else None,
                 kept_trim_fraction=chosen_truth.trim_fraction if chosen_truth else None)

    seeds = [p for p, t in truth.pages.items() if t.role == "seed"]
    seeds_ok = all(kept[p] for p in seeds) and len({predicted[p] for p in seeds}) == len(seeds)

    def rate(xs: list[bool]) -> tuple[float, int]:
        return (sum(xs) / len(xs) if xs else 1.0, len(xs))

    return Report(
        pairwise=pairwise(story, predicted),
        ari=adjusted_rand(story, predicted),
        clusters=len(set(predicted[p] for p in truth.pages)),
        stories=len(pages_of),
        trimmed_recall=rate(trimmed)[0],
        trimmed_recall_by_fraction={k: rate(v) for k, v in sorted(by_fraction.items())},
        recall_by_edit={k: rate(v) for k, v in sorted(by_edit.items())},
        false_merges={k: (v[0], v[1]) for k, v in sorted(merges.items())},
        canonical_full=full / multi if multi else 1.0,
        canonical_original=orig / multi if multi else 1.0,
        multi_copy_stories=multi,
        seeds_kept_apart=seeds_ok,
        examples=dict(examples),
    )
