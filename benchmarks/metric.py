"""The Scrapinghub article-extraction metric, exactly as its README defines it.

1. tokenise with ``\\w+`` (Unicode, case kept); 2. multisets of 4-token shingles (a text shorter
than 4 tokens gives one shingle of all its tokens); 3. per page tp/fp/fn from the multiset
intersection, scaled to sum to 1; 4. precision = mean tp/(tp+fp) over pages with a non-empty
prediction, recall = mean tp/(tp+fn) over pages with a non-empty truth; 5. F1 = harmonic mean of
the two means, ± = standard deviation of F1 over 1,000 bootstrap resamples of the pages.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True, slots=True)
class PageScore:
    """One page's tp/fp/fn, scaled to sum to 1; None precision/recall where undefined."""

    precision: float | None
    recall: float | None


def score_page(predicted: str, truth: str) -> PageScore:
    pred, true = shingles(predicted), shingles(truth)
    tp = sum((pred & true).values())
    fp = sum(pred.values()) - tp
    fn = sum(true.values()) - tp
    total = tp + fp + fn
    if total == 0:
        return PageScore(None, None)
    tp_share, fp_share, fn_share = tp / total, fp / total, fn / total
    precision = tp_share / (tp_share + fp_share) if pred else None
    recall = tp_share / (tp_share + fn_share) if true else None
    return PageScore(precision, recall)


@dataclass(frozen=True, slots=True)
class Score:
    f1: float
    precision: float
    recall: float
    f1_std: float
    pages: int


def _aggregate(scores: Sequence[PageScore]) -> tuple[float, float, float]:
    ps = [s.precision for s in scores if s.precision is not None]
    rs = [s.recall for s in scores if s.recall is not None]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return f1, p, r


def score_corpus(scores: Sequence[PageScore], bootstrap: int = 1000, seed: int = 0) -> Score:
    f1, p, r = _aggregate(scores)
    rng = random.Random(seed)
    samples = []
    for _ in range(bootstrap):
        resample = [scores[rng.randrange(len(scores))] for _ in range(len(scores))]
        samples.append(_aggregate(resample)[0])
    mean = sum(samples) / len(samples) if samples else f1
    std = (sum((x - mean) ** 2 for x in samples) / len(samples)) ** 0.5 if samples else 0.0
    return Score(f1=f1, precision=p, recall=r, f1_std=std, pages=len(scores))
