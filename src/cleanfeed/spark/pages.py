"""Per-partition work of the Spark engine: read, pass 1, template learning, pass 2, output rows.

Each function here is what one Spark task runs over its Arrow batches (``mapInArrow``) or its
group (``applyInArrow``). They call exactly the local runner's per-page functions
(``cleanfeed.io.read_file``, ``cleanfeed.page`` pass 1 and pass 2 with their guards,
``SiteTemplates.learn_site``), so a page's result does not depend on the engine, and build
the output rows with the local engine's ``Outcome`` (``manifest_rows``, ``clean_rows``); what
is left here is turning records into rows and back (``cleanfeed.spark.schema``).

They are plain functions of their arguments (no Spark import), picklable by reference, and
testable without a session.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..dedup.cluster import lsh_key
from ..dedup.fingerprint import Fingerprint, lsh_keys
from ..extract.template import PageFeatures, SiteTemplate, SiteTemplates, TemplateSnapshot
from ..io import InputFile, ReadOptions, read_file
from ..metadata.site import named_site
from ..models import Decision, RawDoc, ReadFailure
from ..page import (
    Copy,
    Extracted,
    Outcome,
    PageResult,
    PageTask,
    Pending,
    first_pass,
    refused,
    second_pass,
)
from .schema import CLEAN_ROWS, MANIFEST_ROWS, PAGE, TEMPLATE

__all__ = [
    "clean_rows",
    "extract_files",
    "freeze",
    "learn_templates",
    "manifest_rows",
    "outcome",
    "per_site",
    "second_pass_rows",
    "thaw",
]

#: rows per output batch: bounds a task's memory (a batch of text dumps holds their raw text)
BATCH_ROWS = 256
_EMPTY: dict[str, Any] = {name: None for name in PAGE.names}


def _hashes(values: Iterable[int]) -> bytes:
    """64-bit hashes (Python ints, unsigned) as little-endian bytes."""
    return np.fromiter(values, dtype=np.uint64).astype("<u8", copy=False).tobytes()


def _unhash(data: bytes | None) -> tuple[int, ...]:
    return tuple(np.frombuffer(data or b"", dtype="<u8").tolist())


def freeze(record: PageResult | Decision) -> bytes:
    """An engine-neutral record as a column value (as the local runner pickles it for its
    workers and spools)."""
    return pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)


def thaw(data: bytes) -> Any:
    """The record ``freeze`` made (only ever this job's own rows)."""
    return pickle.loads(data)


def _read_failure_row(file: int, record: int, item: ReadFailure) -> dict[str, Any]:
    return {**_EMPTY, "file": file, "record": record, "id": item.id, "url": item.url,
            "stage": "read", "status": "failed", "result": freeze(refused(item))}


def _text_row(file: int, record: int, raw: RawDoc, page: Pending) -> dict[str, Any]:
    """A page pending after pass 1: its template features, and what pass 2 finishes as the
    local runner does: a text dump's raw record as read (cleaned from the same bytes), an HTML
    page's extracted document (pickled, as the local runner spools it)."""
    f = page.features
    content = raw.content if page.doc is None else None
    return {
        **_EMPTY, "file": file, "record": record, "id": raw.id, "url": raw.url, "stage": "text",
        "raw_text": content if isinstance(content, str) else None,
        "raw_bytes": content if isinstance(content, bytes) else None,
        "raw_source": raw.source, "raw_charset": raw.charset,
        "raw_doc": None if page.doc is None else pickle.dumps(page.doc, protocol=pickle.HIGHEST_PROTOCOL),
        "site_keys": list(f.site_keys), "f_lines": _hashes(f.lines), "f_pairs": _hashes(f.pairs),
        "f_signature": _hashes(f.story), "f_sizes": _hashes(f.sizes),
    }


def _done_row(file: int, record: int, done: Extracted, task: PageTask) -> dict[str, Any]:
    r: PageResult = done.result
    row = {**_EMPTY, "file": file, "record": record, "id": r.id, "url": r.url, "stage": "done",
           "status": r.status, "result": freeze(r)}
    if r.doc is not None:
        row.update(doc_url=r.doc.url, doc_site=r.doc.site)
    fp = done.fingerprint
    if fp is not None and r.status == "ok":
        row.update(text_hash=fp.text_hash, n_tokens=fp.n_tokens, shingles=fp.shingles,
                   signature=fp.signature, domain=fp.domain, fp_wire=fp.wire, fp_date=fp.date,
                   fp_url=fp.url, fp_lines=fp.lines, fp_shingle_lines=fp.shingle_lines,
                   lsh_key=lsh_key(fp, task.config.dedup))
    return row


def _batch(rows: list[dict[str, Any]], task: PageTask) -> pa.RecordBatch:
    """Rows as a PAGE batch, with the LSH band keys of every row that has a fingerprint."""
    with_fp = [row for row in rows if row["signature"] is not None]
    if with_fp:
        fps = [Fingerprint(row["id"], row["text_hash"], row["n_tokens"], b"", row["signature"],
                           lines=row["fp_lines"] or b"",
                           shingle_lines=row["fp_shingle_lines"] or b"") for row in with_fp]
        # uint64 keys reinterpreted as int64 (Spark has no unsigned type); equality is kept
        keys = lsh_keys(fps, task.config.dedup).view(np.int64)
        for row, k in zip(with_fp, keys.tolist(), strict=True):
            row["bands"] = k
    return pa.RecordBatch.from_pylist(rows, schema=PAGE)


def _first_pass_row(file: int, record: int, item: RawDoc | ReadFailure, task: PageTask) -> dict[str, Any]:
    if isinstance(item, ReadFailure):
        return _read_failure_row(file, record, item)
    answer = first_pass(item, task)
    if isinstance(answer, Pending):
        return _text_row(file, record, item, answer)
    return _done_row(file, record, answer, task)


def extract_files(batches: Iterable[pa.RecordBatch], task: PageTask, options: ReadOptions) -> Iterator[pa.RecordBatch]:
    """``mapInArrow`` over ``FILE`` rows: every record of every file (``read_file``, as the
    local readers read it), through pass 1, as ``PAGE`` rows keyed by (file, record index).

    Files are opened by their absolute path (an executor's working directory is not the
    driver's); a read failure's message names the path as given, as the local run words it.

    A page whose id an earlier page already has goes through pass 1 too (which page came
    first is only known once all files are read); the engine refuses it afterwards.
    """

    rows: list[dict[str, Any]] = []
    for batch in batches:
        columns = (batch.column(c).to_pylist() for c in ("file", "path", "given", "name"))
        for file, path, given, name in zip(*columns, strict=True):
            for record, item in enumerate(read_file(InputFile(Path(path), name), options)):
                if isinstance(item, ReadFailure) and path != given:
                    # the local reader names the file as the user gave it
                    item = replace(item, detail=item.detail.replace(path, given))
                rows.append(_first_pass_row(file, record, item, task))
                if len(rows) >= BATCH_ROWS:
                    yield _batch(rows, task)
                    rows = []
    if rows:
        yield _batch(rows, task)


def learn_templates(table: pa.Table, learner: SiteTemplates) -> pa.Table:
    """``applyInArrow`` per site key over ``TEMPLATE_INPUT`` rows: the site's template learned
    from its text dumps in input order, as the local learner adds them (``learn_site``).

    ``learner`` only carries the bounds and thresholds (its state is not touched). No row out
    when the site has no template (too few pages, nothing recurs).
    """
    if table.num_rows == 0:
        return TEMPLATE.empty_table()
    table = table.sort_by([("file", "ascending"), ("record", "ascending")])
    key = table.column("key")[0].as_py()
    pages = [
        PageFeatures(tuple(keys), _unhash(lines), _unhash(pairs), _unhash(sig), _unhash(sizes))
        for keys, lines, pairs, sig, sizes in zip(*(table.column(c).to_pylist() for c in
                                                    ("site_keys", "f_lines", "f_pairs", "f_signature", "f_sizes")),
                                                    strict=True)
    ]
    template = learner.learn_site(key, pages)
    if template is None:
        return TEMPLATE.empty_table()
    return pa.Table.from_pylist([{"key": key, "pages": template.pages,
                                  "lines": _hashes(sorted(template.lines)),
                                  "pairs": _hashes(sorted(template.pairs))}], schema=TEMPLATE)


def per_site(learner: SiteTemplates) -> Callable[[pa.Table], pa.Table]:
    """``learn_templates`` with its learner bound, as ``applyInArrow`` takes it.

    A closure rather than ``functools.partial``: PySpark tells the table form of an Arrow UDF
    from the function's type hints, which it cannot read on a partial.
    """

    def learn(table: pa.Table) -> pa.Table:
        return learn_templates(table, learner)

    return learn


def _snapshot(templates: Sequence[dict[str, Any]] | None) -> TemplateSnapshot:
    """The templates of a page's own site keys, as the local runner ships them to a worker."""
    sites = {
        t["key"]: SiteTemplate(pages=t["pages"], lines=frozenset(_unhash(t["lines"])),
                               pairs=frozenset(_unhash(t["pairs"])))
        for t in templates or ()
    }
    return TemplateSnapshot(sites=dict(sorted(sites.items())))


def second_pass_rows(batches: Iterable[pa.RecordBatch], task: PageTask) -> Iterator[pa.RecordBatch]:
    """``mapInArrow`` over pending pages (``PAGE`` "text" rows plus a ``templates`` column,
    the ``TEMPLATE`` rows of their site keys): each finished with its site's templates
    (``second_pass``), as ``PAGE`` "done" rows."""
    rows: list[dict[str, Any]] = []
    for batch in batches:
        for r in batch.to_pylist():
            content = r["raw_text"] if r["raw_text"] is not None else r["raw_bytes"] or b""
            doc = pickle.loads(r["raw_doc"]) if r["raw_doc"] is not None else None
            raw = RawDoc(r["id"], content, kind="text" if doc is None else "html", url=r["url"],
                         source=r["raw_source"], charset=r["raw_charset"])
            done = second_pass(raw, task, _snapshot(r["templates"]), doc)
            rows.append(_done_row(r["file"], r["record"], done, task))
            if len(rows) >= BATCH_ROWS:
                yield _batch(rows, task)
                rows = []
    if rows:
        yield _batch(rows, task)


def outcome(row: dict[str, Any], names: Mapping[str, str] | None = None) -> Outcome:
    """A page's ``Outcome`` from its row: ``stage``, ``id``, ``url``, ``result`` (``PAGE``),
    ``decision`` (``DECISION``, None for a page without a body) and, for a kept page,
    ``copies`` (``id``, ``url``, ``decision`` of each duplicate it absorbed, sorted by id);
    its document named as ``names`` (``metadata.site_names``) says, as the local runner does."""
    if row["stage"] == "refused":
        page = refused(RawDoc(row["id"], b"", url=row["url"]))
    else:
        page = thaw(row["result"])
        if names and page.doc is not None:
            doc = named_site(page.doc, names)
            page = page if doc is page.doc else replace(page, doc=doc)
    decision = thaw(row["decision"]) if row.get("decision") is not None else None
    copies = tuple(Copy(c["id"], c["url"], thaw(c["decision"]).similarity)
                   for c in row.get("copies") or ())
    return Outcome.of(page, decision, copies)


def manifest_rows(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """``mapInArrow`` over every page's row (see ``outcome``): ``MANIFEST_ROWS``."""
    for batch in batches:
        out = []
        for row in batch.to_pylist():
            o = outcome(row)
            out.append({"node": row["node"], **o.manifest_row(), "dropped_by": o.dropped_by})
        yield pa.RecordBatch.from_pylist(out, schema=MANIFEST_ROWS)


def clean_rows(batches: Iterable[pa.RecordBatch], names: Mapping[str, str] | None = None
               ) -> Iterator[pa.RecordBatch]:
    """``mapInArrow`` over kept pages' rows (see ``outcome``): ``CLEAN_ROWS``."""
    for batch in batches:
        out = []
        for row in batch.to_pylist():
            clean = outcome(row, names).clean_row()
            if clean is not None:
                out.append({"node": row["node"], **clean})
        yield pa.RecordBatch.from_pylist(out, schema=CLEAN_ROWS)
