"""Metadata accuracy: title, author, date (and url, site) beside trafilatura and htmldate, one run.

    python -m benchmarks.metadata [--shared ../shared]

Sets: ``wcxb-dev`` (articles, and all pages), ``readability`` (title, byline, publishedTime),
``scrapinghub`` (url and site only: its truth has no other metadata) and the seeds (text dumps,
``seeds/gold/metadata.json``). Every page is decoded once (``cleanfeed.decode_bytes``) and each
system gets the same ``str`` and *no URL*: the page alone must say what it is, as in a dump
that lost its addresses (a URL given with the page wins in cleanfeed, so this is the hard case).

- cleanfeed: ``cleanfeed.extract_html(html)``, the CleanDoc's fields (as extraction gives them).
- trafilatura 2.3.1: ``trafilatura.metadata.extract_metadata(html)`` (its date is htmldate's
  ``find_date`` with ``original_date=True``).
- htmldate: ``htmldate.find_date(html)`` with its defaults (date only).

Matching (a field is scored on the pages whose truth has it): title and author match when, after
Unicode NFKC, case folding and punctuation folding, they are equal or one contains the other; a
date matches on the calendar day. ``accuracy`` = matches / pages scored; ``empty`` = share of
those pages where the system gave nothing; ``wrong when given`` = wrong / pages where it gave a
value. On Scrapinghub, ``url`` counts pages with a url and those whose url equals the truth's
(scheme, ``www.``, query, fragment and trailing slash ignored); ``site`` counts hosts named more
than one way (by the truth's host), before and after the run-level reconciliation
(``site_names``) the runner applies, keyed by the truth's URL as when the input gives it.
Seeds: each field must equal the gold under the same rules, null where the gold is null.

Writes ``benchmarks/results/metadata.{md,json}``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks import write_results

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import htmldate
import trafilatura
from trafilatura.metadata import extract_metadata

import cleanfeed
from benchmarks.corpus import REPO, load_seeds
from cleanfeed.metadata.site import host_of, site_names

RESULTS = Path(__file__).resolve().parent / "results"
SYSTEMS = ("cleanfeed", "trafilatura", "htmldate")
FIELDS = ("title", "author", "date")


@dataclass(frozen=True, slots=True)
class Page:
    set: str
    id: str
    html: bytes
    truth: dict[str, str | None]  # title, author, date, url (None where the truth has none)
    kind: str = "article"


@dataclass(frozen=True, slots=True)
class Answer:
    title: str | None
    author: str | None
    date: str | None
    url: str | None = None
    site: str | None = None


def fold(text: str | None) -> str:
    """NFKC, case folding, punctuation and symbols removed, whitespace collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in text)
    return " ".join(text.split())


def text_match(predicted: str | None, truth: str) -> bool:
    p, t = fold(predicted), fold(truth)
    return bool(p and t) and (p == t or p in t or t in p)


_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def day(value: str | None) -> str | None:
    match = _DAY.search(value or "")
    return match.group(0) if match else None


def date_match(predicted: str | None, truth: str) -> bool:
    return day(predicted) is not None and day(predicted) == day(truth)


MATCH: dict[str, Callable[[str | None, str], bool]] = {"title": text_match, "author": text_match, "date": date_match}


def norm_url(url: str | None) -> str:
    if not url:
        return ""
    parts = urlsplit(url.strip())
    host = re.sub(r"^www\d?\.", "", (parts.hostname or "").lower())
    return host + parts.path.rstrip("/")


def _gz(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def _value(v: Any) -> str | None:
    return v.strip() or None if isinstance(v, str) else None


def load_wcxb(root: Path) -> list[Page]:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page("wcxb-dev", pid, _gz(root / "html" / f"{pid}.html.gz"),
             {f: _value(t.get(f)) for f in ("title", "author", "date", "url")}, t.get("type") or "")
        for pid, t in sorted(truth.items())
    ]


def load_readability(root: Path) -> list[Page]:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page("readability", pid, _gz(root / "html" / f"{pid}.html.gz"),
             {"title": _value(t.get("title")), "author": _value(t.get("byline")),
              "date": _value(t.get("publishedTime")), "url": None})
        for pid, t in sorted(truth.items())
    ]


def load_scrapinghub(root: Path) -> list[Page]:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page("scrapinghub", pid, _gz(root / "html" / f"{pid}.html.gz"),
             {"title": None, "author": None, "date": None, "url": _value(t.get("url"))})
        for pid, t in sorted(truth.items())
    ]


def run_cleanfeed(html: str) -> Answer:
    doc = cleanfeed.extract_html(html)
    return Answer(doc.title, doc.author, doc.date, doc.url, doc.site)


def run_trafilatura(html: str) -> Answer:
    meta = extract_metadata(html)
    return Answer(meta.title, meta.author, meta.date, meta.url, meta.sitename)


def run_htmldate(html: str) -> Answer:
    return Answer(None, None, htmldate.find_date(html))


RUNNERS: dict[str, Callable[[str], Answer]] = {
    "cleanfeed": run_cleanfeed, "trafilatura": run_trafilatura, "htmldate": run_htmldate,
}


def score(pages: Iterable[Page], answers: dict[str, dict[str, Answer]], system: str, name: str) -> dict[str, Any]:
    """``{n, accuracy, empty, wrong_when_given}`` of one field over the pages whose truth has it."""
    n = right = empty = given = 0
    for page in pages:
        truth = page.truth.get(name)
        if not truth:
            continue
        predicted = getattr(answers[system][page.set + "/" + page.id], name)
        n += 1
        if not predicted:
            empty += 1
            continue
        given += 1
        right += MATCH[name](predicted, truth)
    return {
        "n": n,
        "accuracy": round(right / n, 3) if n else None,
        "empty": round(empty / n, 3) if n else None,
        "wrong_when_given": round((given - right) / given, 3) if given else None,
    }


def _hosts_named_twice(named: Iterable[tuple[str, str | None]]) -> tuple[int, int, list[list[str]]]:
    """(hosts, hosts named more than one way, the names of those) over (host, site) pairs."""
    by_host: dict[str, set[str]] = defaultdict(set)
    for host, site in named:
        by_host[host].update([site] if site else [])
    twice = sorted(sorted(names) for names in by_host.values() if len(names) > 1)
    return len(by_host), len(twice), twice


def url_and_site(pages: list[Page], answers: dict[str, dict[str, Answer]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for system in ("cleanfeed", "trafilatura"):
        got = [answers[system][p.set + "/" + p.id] for p in pages]
        filled = sum(bool(a.url) for a in got)
        right = sum(bool(a.url) and norm_url(a.url) == norm_url(p.truth["url"])
                    for a, p in zip(got, pages, strict=True))
        hosts = [urlsplit(p.truth["url"] or "").hostname or "" for p in pages]
        n_hosts, twice, names = _hosts_named_twice(zip(hosts, (a.site for a in got), strict=True))
        row = {
            "pages": len(pages), "url_filled": round(filled / len(pages), 3),
            "url_matches_truth": round(right / len(pages), 3),
            "site_filled": round(sum(bool(a.site) for a in got) / len(pages), 3),
            "hosts": n_hosts, "hosts_named_twice": twice, "names": names,
        }
        if system == "cleanfeed":
            # as a run whose input gives each page its URL would name them (the input's URL wins)
            reconciled = site_names((p.truth["url"], a.site) for a, p in zip(got, pages, strict=True))
            sites = [reconciled.get(host_of(p.truth["url"]) or "", a.site) for a, p in zip(got, pages, strict=True)]
            row["hosts_named_twice_reconciled"] = _hosts_named_twice(zip(hosts, sites, strict=True))[1]
        out[system] = row
    return out


def seeds(root: Path) -> dict[str, Any]:
    """Per field, seeds whose cleanfeed value matches the gold (null where the gold is null)."""
    rows: dict[str, Any] = {}
    for seed in load_seeds(root):
        doc = cleanfeed.clean_text_dump(seed.raw, doc_id=seed.name)
        row = {}
        for name in (*FIELDS, "wire"):
            gold, got = seed.metadata.get(name), getattr(doc, name)
            match = MATCH.get(name, text_match)
            row[name] = (got is None) if gold is None else match(got, gold)
        rows[seed.name] = row
    return {
        "pages": len(rows),
        "fields": {f: sum(r[f] for r in rows.values()) for f in (*FIELDS, "wire")},
        "per_page": rows,
    }


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def render(result: dict[str, Any]) -> str:
    lines = [
        "# Metadata: cleanfeed beside trafilatura and htmldate",
        "",
        "`python -m benchmarks.metadata` (" + result["command_note"] + ").",
        "",
        "Per field, on the pages whose truth has it: accuracy / empty / wrong when given.",
        "",
    ]
    for set_name, table in result["sets"].items():
        header = " | ".join(f"{f} (n={table['cleanfeed'][f]['n']})" for f in FIELDS)
        lines += [f"## {set_name}", "", "| system | " + header + " |", "|---|" + "---|" * len(FIELDS)]
        for system in SYSTEMS:
            cells = []
            for f in FIELDS:
                s = table[system][f]
                cells.append("–" if s["n"] == 0 or (system == "htmldate" and f != "date") else
                             f"{_fmt(s['accuracy'])} / {_fmt(s['empty'])} / {_fmt(s['wrong_when_given'])}")
            lines.append(f"| {system} | " + " | ".join(cells) + " |")
        lines.append("")
    sh = result["scrapinghub"]
    lines += ["## scrapinghub: url and site", "",
              "| system | url filled | url = truth | site filled | hosts named two ways (of hosts) |",
              "|---|---|---|---|---|"]
    for system, row in sh.items():
        twice = str(row["hosts_named_twice"])
        if "hosts_named_twice_reconciled" in row:
            twice += f" → {row['hosts_named_twice_reconciled']} after site_names"
        lines.append(f"| {system} | {row['url_filled']:.3f} | {row['url_matches_truth']:.3f} "
                     f"| {row['site_filled']:.3f} | {twice} ({row['hosts']}) |")
    lines += ["", "## seeds (cleanfeed, text dumps)", "",
              "| " + " | ".join(result["seeds"]["fields"]) + " |", "|" + "---|" * len(result["seeds"]["fields"]),
              "| " + " | ".join(f"{v}/{result['seeds']['pages']}" for v in result["seeds"]["fields"].values()) + " |",
              ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--seeds", type=Path, default=None, help="default: <shared>/seeds")
    args = parser.parse_args(argv)
    bench = args.shared / "bench"
    wcxb = load_wcxb(bench / "wcxb-dev")
    readability = load_readability(bench / "readability")
    scrapinghub = load_scrapinghub(bench / "scrapinghub")

    answers: dict[str, dict[str, Answer]] = {s: {} for s in SYSTEMS}
    for page in (*wcxb, *readability, *scrapinghub):
        html = cleanfeed.decode_bytes(page.html)
        for system, runner in RUNNERS.items():
            if system == "htmldate" and page.set == "scrapinghub":
                continue
            answers[system][page.set + "/" + page.id] = runner(html)

    sets = {
        "wcxb-dev articles": [p for p in wcxb if p.kind == "article"],
        "wcxb-dev all pages": wcxb,
        "readability": readability,
    }
    result: dict[str, Any] = {
        "command_note": "no URL given with the pages; trafilatura " + trafilatura.__version__
        + ", htmldate " + htmldate.__version__,
        "sets": {name: {s: {f: score(pages, answers, s, f) for f in FIELDS} for s in SYSTEMS}
                 for name, pages in sets.items()},
        "scrapinghub": url_and_site(scrapinghub, answers),
        "seeds": seeds(args.seeds or args.shared / "seeds"),
    }
    RESULTS.mkdir(exist_ok=True)
    write_results(RESULTS, "metadata", result, render(result), ensure_ascii=False)


if __name__ == "__main__":
    main()
