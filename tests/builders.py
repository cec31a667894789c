"""Builders of test inputs in the formats crawls are stored in: WARC/WET files (written with
warcio from real pages, with fixed record ids and dates so their bytes are the same on every
run) and JSON Lines; and ``docs_by_id``, the extracted docs of a run's results."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleanfeed.models import CleanDoc
from cleanfeed.page import PageResult


@dataclass(frozen=True)
class Rec:
    """A record to write: its WARC type, target, body and (for responses) HTTP headers."""

    type: str
    uri: str
    body: bytes = b""
    http: tuple[tuple[str, str], ...] | None = (("Content-Type", "text/html; charset=utf-8"),)
    status: str = "200 OK"
    record_id: str | None = "auto"
    warc_content_type: str = ""


def response(
    n: int,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    *,
    status: str = "200 OK",
    record_id: str | None = "auto",
) -> Rec:
    http = (("Content-Type", content_type),)
    return Rec("response", f"https://news.example/{n}", body, http, status=status, record_id=record_id)


def build_warc(records: list[Rec], gz: bool, first_id: int = 1) -> tuple[bytes, list[int]]:
    """The WARC bytes (a warcinfo record first) and each given record's offset; the records
    get ids ``rid(first_id)``, ``rid(first_id + 1)``..."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    info = writer.create_warc_record(
        "",
        "warcinfo",
        payload=io.BytesIO(b"software: cleanfeed tests\r\n"),
        warc_content_type="application/warc-fields",
        warc_headers_dict={
            "WARC-Record-ID": "<urn:uuid:00000000-0000-0000-0000-000000000000>",
            "WARC-Date": "2024-01-02T03:04:05Z",
        },
    )
    writer.write_record(info)
    offsets = []
    for n, rec in enumerate(records, first_id):
        headers = {
            "WARC-Date": "2024-01-02T03:04:05Z",
            "WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>",
        }
        http = None
        if rec.type in ("response", "request") and rec.http is not None:
            if rec.type == "response":
                http = StatusAndHeaders(rec.status, list(rec.http), protocol="HTTP/1.1")
            else:
                http = StatusAndHeaders(
                    f"GET /{n} HTTP/1.1", [("Host", "news.example")], is_http_request=True
                )
        record = writer.create_warc_record(
            rec.uri,
            rec.type,
            payload=io.BytesIO(rec.body),
            length=len(rec.body),
            http_headers=http,
            warc_content_type=rec.warc_content_type,
            warc_headers_dict=headers,
        )
        if rec.record_id is None:
            record.rec_headers.remove_header("WARC-Record-ID")
        offsets.append(buf.tell())
        writer.write_record(record)
    return buf.getvalue(), offsets


def rid(n: int) -> str:
    return f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>"


def jsonl(*rows: object) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in rows)


def docs_by_id(results: Iterable[PageResult]) -> dict[str, CleanDoc]:
    """Each result's extracted doc by page id; fails naming the first page that got none."""
    docs: dict[str, CleanDoc] = {}
    for r in results:
        assert r.doc is not None, f"{r.id}: {r.status} ({r.error})"
        docs[r.id] = r.doc
    return docs
