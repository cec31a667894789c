"""One self-contained HTML file that shows what a run did (``cleanfeed run --report FILE``).

A consumer of the run's public records only: ``Outcome`` (with the page's ``CleanDoc`` and its
``Removal`` records when the run kept them) and the stats dict ``--stats`` writes.

Layout of the file, in document order, so that the first view paints before the bulk is parsed:

1. ``<head>``: a Content-Security-Policy that allows nothing but the report's own inline style
   and script (by their sha256) and ``data:`` images; no request can leave the page;
2. ``#cf-summary`` and ``#cf-index`` (``<script type="application/json">``, never executed):
   the counts and plots, and one small row per page (id, url, site, title, status, reason,
   match), the columns the lists, the search box and the story view need;
3. the report's script (renders the overview at once);
4. the page bodies: ``#cf-c0``, ``#cf-c1``... each the clean text, metadata and removals of
   ``chunk_pages`` consecutive pages as gzipped JSON in base64 (a third of the JSON's size, so
   the browser has less to read before the file is loaded), decoded (``DecompressionStream``)
   only when one of its pages is shown.

Bodies are spooled to a temporary file as outcomes stream in, so memory holds only the small
per-page rows. Every string from a page is untrusted: in the embedded JSON ``<``, ``>``, ``&``
and U+2028/U+2029 are written as ``\\uXXXX`` escapes (the bodies are base64), so no page text
can close its ``</script>`` or open a comment, and the script builds the DOM with text nodes
only.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ..models import Similarity
from ..page import Outcome

__all__ = ["ReportWriter", "embed_json"]

_STATUS = {"kept": 0, "duplicate": 1, "dropped": 2}
_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                          "\u2028": "\\u2028", "\u2029": "\\u2029"})


def embed_json(value: Any) -> str:
    """``value`` as JSON that is safe inside ``<script type="application/json">``.

    The five characters are escaped inside JSON strings (the only place JSON lets them occur),
    so the text still parses to the same value.

    >>> embed_json({"t": "</script><!--\u2028"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u2028"}'
    """
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).translate(_ESCAPES)


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _similarity(s: Similarity) -> list[Any]:
    return [round(s.jaccard, 4), round(s.containment, 4), s.basis]


def _by_similarity(copy: list[Any]) -> tuple[float, str]:
    """Most similar copy first, by the measure its rule matched on (as the manifest reports
    it); then by id (a position sorts as its zero-padded number)."""
    sim, ref = copy[2], copy[0]
    score = (sim[0] if sim[2] == "jaccard" else sim[1]) if sim else 0.0
    return (-score, ref if isinstance(ref, str) else f"{ref:012d}")


class _Interned:
    """Strings that repeat (reasons, rule ids, categories) written once, referred to by number."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, s: str) -> int:
        n = self.index.get(s)
        if n is None:
            n = self.index[s] = len(self.index)
        return n

    def values(self) -> list[str]:
        return list(self.index)


class ReportWriter:
    """Streams outcomes into an HTML report; the file appears when ``finish`` is called.

    >>> import tempfile, pathlib
    >>> from cleanfeed import RawDoc, run
    >>> story = ("<p>SEOUL (Reuters) - North and South Korea resumed talks on Monday after a "
    ...          "pause of two years, officials said, in a sign that relations are thawing "
    ...          "after months of missile tests and sanctions on both sides of the border.</p>")
    >>> pages = [RawDoc(f"{n}.html", f"<html><body><article>{story}</article></body></html>")
    ...          for n in ("a", "b")]
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "report.html"
    >>> with ReportWriter(out) as report:
    ...     for outcome in run(pages, jobs=0, keep_removals=True):
    ...         report.add(outcome)
    ...     report.finish({"seconds": 0.1})
    >>> out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    True

    ``chunk_pages``: page bodies per lazily decoded block (a view decodes the blocks of the
    pages it shows, nothing else); ``compresslevel``: gzip's, for those blocks (1: a tenth
    larger than 6, and a third faster to write).
    """

    def __init__(self, path: str | Path, *, title: str = "cleanfeed run", chunk_pages: int = 200,
                 compresslevel: int = 1) -> None:
        if chunk_pages < 1:
            raise ValueError(f"chunk_pages must be 1 or more, got {chunk_pages}")
        if not 0 <= compresslevel <= 9:
            raise ValueError(f"compresslevel is gzip's, 0 to 9; got {compresslevel}")
        self.compresslevel = compresslevel
        self.path = Path(path)
        if self.path.is_dir():
            raise IsADirectoryError(f"{self.path} is a directory; give a file name")
        self.title = title
        self.chunk_pages = chunk_pages
        # the spool lives as long as the writer (closed in close()), so no with-block can own it
        self._spool: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")  # noqa: SIM115
        self._chunk: list[Any] = []
        self._chunks = 0
        self._cols: dict[str, list[Any]] = {k: [] for k in ("id", "url", "site", "title", "st", "why",
                                                            "of", "sim", "nrem")}
        self._position: dict[str, int] = {}
        self._copies: list[tuple[int, tuple[Any, ...]]] = []  # kept page, its copies
        self._reasons = _Interned()
        self._rules = _Interned()
        self._categories = _Interned()
        self._removed: Counter[int] = Counter()
        self._dropped: Counter[str] = Counter()  # dropped pages by ``Outcome.dropped_by``
        self._removed_chars: Counter[int] = Counter()
        self._done = False

    # ---- streaming ---------------------------------------------------------------------

    def add(self, outcome: Outcome) -> None:
        """One page's outcome (in the run's order)."""
        page, doc = outcome.page, outcome.page.doc
        cols = self._cols
        n = len(cols["id"])
        self._position.setdefault(page.id, n)
        cols["id"].append(page.id)
        cols["url"].append(page.url)
        cols["site"].append(doc.site if doc else None)
        cols["title"].append(doc.title if doc else None)
        cols["st"].append(_STATUS[outcome.status])
        cols["why"].append(self._reasons(outcome.reason))
        if outcome.dropped_by is not None:
            self._dropped[outcome.dropped_by] += 1
        cols["of"].append(outcome.duplicate_of)
        s = outcome.similarity
        cols["sim"].append(_similarity(s) if s else None)
        cols["nrem"].append(len(doc.removals) if doc else 0)
        if outcome.status == "kept" and outcome.copies:
            self._copies.append((n, tuple((c.id, c.url, _similarity(c.similarity))
                                          for c in outcome.copies)))
        removals = []
        if doc is not None:
            for r in doc.removals:
                cat = self._categories(r.category)
                self._removed[cat] += 1
                self._removed_chars[cat] += len(r.text)
                removals.append([self._rules(r.rule), cat, r.text])
        self._chunk.append({
            "p": list(doc.paragraphs) if doc else [],
            "r": removals,
            "m": {"author": doc.author, "date": doc.date, "wire": doc.wire, "language": doc.language,
                  "kind": doc.kind} if doc else {},
            "pv": dict(doc.provenance) if doc else {},
            "e": page.error,
            "src": page.source,
        })
        if len(self._chunk) >= self.chunk_pages:
            self._flush()

    def _flush(self) -> None:
        if not self._chunk:
            return
        data = json.dumps(self._chunk, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        packed = gzip.compress(data.encode("utf-8", "replace"), self.compresslevel, mtime=0)
        self._spool.write(f'<script type="application/gzip+base64" id="cf-c{self._chunks}">'
                          f"{base64.b64encode(packed).decode('ascii')}</script>\n")
        self._chunks += 1
        self._chunk = []

    # ---- the file ----------------------------------------------------------------------

    def finish(self, stats: Mapping[str, Any]) -> None:
        """Write the report: the streamed pages and ``stats`` (the ``--stats`` dict: counts,
        ``seconds``, ``stage_seconds``). The file is written under a temporary name and moved
        into place."""
        self._flush()
        script, style = _asset("report.js"), _asset("report.css")
        csp = (f"default-src 'none'; script-src '{_sha256(script)}'; style-src '{_sha256(style)}'; "
               "img-src data:; base-uri 'none'; form-action 'none'")
        tmp = self.path.with_name(f".{self.path.name}.tmp-{os.getpid()}")
        try:
            with open(tmp, "w", encoding="utf-8", errors="replace", newline="\n") as out:
                out.write('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
                          f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
                          '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                          '<meta name="referrer" content="no-referrer">\n'
                          f"<title>cleanfeed report</title>\n<style>{style}</style></head>\n"
                          '<body><div id="cf-app"></div>\n')
                out.write(f'<script type="application/json" id="cf-summary">'
                          f"{embed_json(self._summary(stats))}</script>\n")
                out.write(f'<script type="application/json" id="cf-index">'
                          f"{embed_json(self._index())}</script>\n")
                out.write(f"<script>{script}</script>\n")
                self._spool.seek(0)
                shutil.copyfileobj(self._spool, out, 1 << 20)
                out.write("</body></html>\n")
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)
            self._close()

    def _index(self) -> dict[str, Any]:
        cols = dict(self._cols)
        # a duplicate's kept page by position when it is in this run (an --index run can match
        # a page kept by an earlier run: then its id stays a string)
        cols["of"] = [self._position.get(o, o) if o is not None else None for o in cols["of"]]
        return cols

    def _stories(self) -> list[list[Any]]:
        """[kept page, [[copy, url, similarity]...]] per story with copies, largest first; a
        page is its position in the run, or its id when it is not in this run (an ``--index``
        run matches pages that earlier runs kept, and lists copies those runs saw)."""
        cols = self._cols
        stories: list[list[Any]] = [
            [kept, sorted(([self._position.get(cid, cid), url, sim] for cid, url, sim in copies),
                          key=_by_similarity)]
            for kept, copies in self._copies]
        earlier: dict[str, list[list[Any]]] = {}  # copies in this run of pages earlier runs kept
        for n, of in enumerate(cols["of"]):
            if of is not None and of not in self._position:
                earlier.setdefault(of, []).append([n, cols["url"][n], cols["sim"][n]])
        stories += [[kept, sorted(copies, key=_by_similarity)] for kept, copies in earlier.items()]
        ids = cols["id"]
        stories.sort(key=lambda s: (-len(s[1]), s[0] if isinstance(s[0], str) else ids[s[0]]))
        return stories

    def _summary(self, stats: Mapping[str, Any]) -> dict[str, Any]:
        status = Counter(self._cols["st"])
        reasons = self._reasons.values()
        sizes: Counter[int] = Counter()
        absorbed = {len(c) for _, c in self._copies}
        for _, copies in self._copies:
            sizes[1 + len(copies)] += 1
        sizes[1] = status[0] - len(self._copies)
        categories = self._categories.values()
        return {
            "title": self.title,
            "pages": len(self._cols["id"]),
            "kept": status[0], "duplicate": status[1], "dropped": status[2],
            "dropped_by_reason": self._dropped.most_common(),
            "cluster_sizes": sorted(sizes.items()),
            "largest_story": max(absorbed, default=0) + 1 if absorbed else 1,
            "removals": sorted(([categories[c], self._removed[c], self._removed_chars[c]]
                                for c in self._removed), key=lambda r: (-r[1], r[0])),
            "reasons": reasons,
            "rules": self._rules.values(),
            "categories": categories,
            "stories": self._stories(),
            "chunk_pages": self.chunk_pages,
            "chunks": self._chunks,
            "stats": dict(stats),
        }

    # ---- resources ---------------------------------------------------------------------

    def _close(self) -> None:
        if not self._done:
            self._done = True
            self._spool.close()

    def __enter__(self) -> ReportWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._close()  # without finish (an error, an interrupt), no file is written
