"""Loading the benchmark corpora: the Scrapinghub, WCXB (development half) and Readability pages,
the Scrapinghub text dumps, and the seeds. Each set's ``ground-truth.json`` has its own shape
(see the set's README); the loaders turn all of them into ``BenchPage``."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO.parent / "shared" / "bench"
DEFAULT_SCRAPINGHUB = BENCH / "scrapinghub"
DEFAULT_WCXB = BENCH / "wcxb-dev"
DEFAULT_READABILITY = BENCH / "readability"


@dataclass(frozen=True, slots=True)
class BenchPage:
    id: str
    url: str
    html: bytes  # the page as fetched (decode it with cleanfeed.decode_bytes or the peer's own way)
    textdump: str | None  # the same page rendered to plain text, where the corpus has it
    truth: str  # the hand-made article body
    kind: str = "article"  # the page kind where the set says (WCXB: article, forum, product...)


def load_scrapinghub(root: Path = DEFAULT_SCRAPINGHUB) -> list[BenchPage]:
    """All pages of the Scrapinghub set under ``root``, sorted by id."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        dump = root / "textdump" / f"{page_id}.txt"
        pages.append(
            BenchPage(
                id=page_id,
                url=truth[page_id].get("url", ""),
                html=gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes()),
                textdump=dump.read_text(encoding="utf-8") if dump.exists() else None,
                truth=truth[page_id]["articleBody"],
            )
        )
    return pages


def load_wcxb(root: Path = DEFAULT_WCXB) -> list[BenchPage]:
    """All pages of the WCXB development half under ``root``, sorted by id, with their kind."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        BenchPage(
            id=page_id,
            url=truth[page_id].get("url") or "",
            html=gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes()),
            textdump=None,
            truth=truth[page_id]["articleBody"],
            kind=truth[page_id].get("type") or "",
        )
        for page_id in sorted(truth)
    ]


def load_readability(root: Path = DEFAULT_READABILITY) -> list[BenchPage]:
    """All pages of Mozilla Readability's test set under ``root``, sorted by name (no URLs)."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        BenchPage(
            id=name,
            url="",
            html=gzip.decompress((root / "html" / f"{name}.html.gz").read_bytes()),
            textdump=None,
            truth=truth[name]["articleBody"],
        )
        for name in sorted(truth)
    ]


@dataclass(frozen=True, slots=True)
class SeedPage:
    name: str
    raw: str
    gold: str
    metadata: dict[str, str | None]


def load_seeds(root: Path = REPO / "seeds") -> list[SeedPage]:
    meta = json.loads((root / "gold" / "metadata.json").read_text(encoding="utf-8"))
    return [
        SeedPage(
            name=p.name,
            raw=p.read_text(encoding="utf-8"),
            gold=(root / "gold" / p.name).read_text(encoding="utf-8"),
            metadata=meta[p.name],
        )
        for p in sorted((root / "raw").glob("*.txt"))
    ]
