"""Readers: one item per input page, whatever the format, and a ReadFailure for each bad one.

WARC and WET files are built here with warcio's writer from the repository's real pages (seed
text dumps, HTML fixtures), with fixed record ids and dates so their bytes are the same on
every run; damage is then done to those bytes at known record offsets.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleanfeed.errors import InputError
from cleanfeed.io import InputFile, ReadOptions, _warc, list_files, read_file, read_inputs, read_stream
from cleanfeed.io.readers import printable
from cleanfeed.models import RawDoc, ReadFailure

from .builders import Rec, build_warc, jsonl, response, rid
from .conftest import FIXTURES, SEEDS

HTML_FILES = sorted((FIXTURES / "html").glob("*.html"))
TEXT_FILES = sorted((SEEDS / "raw").glob("*.txt"))
Item = RawDoc | ReadFailure


def html_page(n: int) -> bytes:
    return HTML_FILES[n % len(HTML_FILES)].read_bytes()


def text_page(n: int) -> bytes:
    return TEXT_FILES[n % len(TEXT_FILES)].read_bytes()


def ids(items: list[Item]) -> list[str]:
    return [item.id for item in items]


def failures(items: list[Item]) -> list[ReadFailure]:
    return [item for item in items if isinstance(item, ReadFailure)]


def docs(items: list[Item]) -> list[RawDoc]:
    return [item for item in items if isinstance(item, RawDoc)]


def read_path(path: Path, options: ReadOptions = ReadOptions()) -> list[Item]:
    return list(read_file(InputFile(path, path.name), options))


@pytest.fixture(params=["fastwarc", "warcio"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a WARC test with FastWARC, then again with the warcio fallback forced."""
    if request.param == "warcio":
        monkeypatch.setitem(sys.modules, "fastwarc.warc", None)  # import fastwarc.warc fails
        assert _warc._backend() is _warc._warcio_records
    else:
        assert _warc._backend() is _warc._fastwarc_records
    return str(request.param)


FIVE_PAGES = [
    response(1, html_page(0)),
    response(2, html_page(1)),
    response(3, html_page(2)),
    response(4, text_page(0), "text/plain"),
    response(5, html_page(3)),
]


# --------------------------------------------------------------------------------------------
# Options and listing


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"max_bytes": 0}, "max_bytes must be a positive int"),
        ({"max_bytes": 1.5}, "max_bytes must be a positive int"),
        ({"kind": "pdf"}, "kind must be 'html', 'text' or None"),
        ({"html_field": "body", "text_field": "body"}, "must differ"),
        ({"id_field": ""}, "id_field must be a non-empty JSON key"),
    ],
)
def test_read_options_refuse_bad_values_saying_how_to_fix(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        ReadOptions(**kwargs)  # type: ignore[arg-type]  # values of mixed types, invalid on purpose


def test_list_files_walks_sorted_skips_hidden_and_names_relative(tmp_path: Path) -> None:
    root = tmp_path / "dump"
    for rel in [
        "b.html",
        "a.txt",
        "sub/z.jsonl",
        "sub/deeper/c.html.gz",
        ".hidden.html",
        ".git/config",
        "sub/.cache/x.html",
    ]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"x")
    single = tmp_path / "single.html"
    single.write_bytes(b"x")
    files = list_files([root, str(single)])
    assert [f.name for f in files] == [
        "a.txt",
        "b.html",
        "sub/deeper/c.html.gz",
        "sub/z.jsonl",
        "single.html",
    ]
    assert files[2].path == root / "sub" / "deeper" / "c.html.gz"


def test_missing_input_is_a_usage_error_raised_before_reading(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_bytes(b"<p>x</p>")
    with pytest.raises(InputError, match=r"input not found: .*nope"):
        read_inputs([tmp_path / "a.html", tmp_path / "nope"])
    with pytest.raises(InputError, match="standard input"):
        list_files(["-"])
    with pytest.raises(InputError, match="more than once"):
        read_inputs(["-", "-"], stdin=io.BytesIO(b""))


# --------------------------------------------------------------------------------------------
# Page files


def test_page_files_plain_and_gzipped_by_magic_not_name(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.html").write_bytes(html_page(0))
    (tmp_path / "b.txt").write_bytes(text_page(1))
    (tmp_path / "sub" / "c.html.gz").write_bytes(gzip.compress(html_page(1)))
    (tmp_path / "d.htm").write_bytes(gzip.compress(html_page(2)))  # gzip without saying so
    items = list(read_inputs([tmp_path]))
    assert ids(items) == ["a.html", "b.txt", "d.htm", "sub/c.html.gz"]
    assert [d.content for d in docs(items)] == [
        html_page(0),
        text_page(1),
        html_page(2),
        html_page(1),
    ]
    assert all(d.kind is None and d.source == str(tmp_path / d.id) for d in docs(items))
    forced = read_path(tmp_path / "b.txt", ReadOptions(kind="text"))
    assert isinstance(forced[0], RawDoc) and forced[0].kind == "text"


def test_empty_and_binary_files_still_yield_a_page(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    (tmp_path / "logo.png").write_bytes(png)
    items = list(read_inputs([tmp_path]))
    assert items == [
        RawDoc("empty.html", b"", source=str(tmp_path / "empty.html")),
        RawDoc("logo.png", png, source=str(tmp_path / "logo.png")),
    ]


def test_truncated_gzip_page_is_a_failure_and_reading_goes_on(tmp_path: Path) -> None:
    whole = gzip.compress(html_page(0))
    (tmp_path / "a.html.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "b.html.gz").write_bytes(whole[:-4])  # only the trailer (length) is missing
    (tmp_path / "c.html").write_bytes(html_page(1))
    items = list(read_inputs([tmp_path]))
    assert ids(items) == ["a.html.gz", "b.html.gz", "c.html"]
    assert [f.reason for f in failures(items)] == ["corrupt container", "corrupt container"]
    assert "gzip damaged" in failures(items)[0].detail
    assert isinstance(items[2], RawDoc) and items[2].content == html_page(1)


def test_page_over_budget_is_refused_by_its_size_without_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with big.open("wb") as fh:  # a sparse 50 MB file: nothing is written but its size
        fh.truncate(50 * 1024 * 1024)
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip.compress(b"<p>" + b"a" * 3_000_000 + b"</p>"))
    started = time.perf_counter()
    items = list(read_inputs([big, bomb]))
    assert time.perf_counter() - started < 1.0
    assert [(f.id, f.reason) for f in failures(items)] == [("big.html", "over budget")]
    assert isinstance(items[1], RawDoc)  # 3 MB is inside the default 20 MB
    small = list(read_inputs([bomb], ReadOptions(max_bytes=1_000_000)))
    assert [(f.id, f.reason) for f in failures(small)] == [("bomb.html.gz", "over budget")]
    assert "decompressed page over the 1000000-byte budget" in failures(small)[0].detail


# --------------------------------------------------------------------------------------------
# JSONL


@pytest.mark.parametrize("gz", [False, True])
def test_jsonl_pages_fields_ids_and_kinds(tmp_path: Path, gz: bool) -> None:
    html, text = html_page(0).decode(), text_page(0).decode()
    data = jsonl(
        {"id": "a", "url": "https://x.example/a", "html": html},
        {"url": "https://x.example/b", "text": text},
        b"   ",
        {"id": 7, "html": "", "text": text},
        {"id": "", "html": html},
    )
    path = tmp_path / ("dump.jsonl.gz" if gz else "dump.jsonl")
    path.write_bytes(gzip.compress(data) if gz else data)
    items = read_path(path)
    name = path.name
    assert ids(items) == ["a", f"{name}:2", "7", f"{name}:5"]
    assert [(d.kind, d.url) for d in docs(items)] == [
        ("html", "https://x.example/a"),
        ("text", "https://x.example/b"),
        ("text", None),
        ("html", None),
    ]
    assert docs(items)[0].content == html and docs(items)[1].content == text
    assert [d.source for d in docs(items)] == [f"{path}:{n}" for n in (1, 2, 4, 5)]


def test_jsonl_options_name_fields_and_force_kind(tmp_path: Path) -> None:
    path = tmp_path / "dump.ndjson"
    path.write_bytes(jsonl({"doc_id": "x1", "link": "https://x.example/1", "body": "<p>one</p>"}))
    options = ReadOptions(id_field="doc_id", url_field="link", html_field="body", kind="text")
    assert read_path(path, options) == [
        RawDoc("x1", "<p>one</p>", kind="text", url="https://x.example/1", source=f"{path}:1")
    ]


def test_jsonl_detected_by_content_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "export.data"
    path.write_bytes(b"\n" + jsonl({"id": "q", "text": "hello"}))
    assert ids(read_path(path)) == ["q"]


def test_jsonl_bad_lines_each_fail_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(
        jsonl(
            {"id": "ok1", "html": "<p>1</p>"},
            b'{"id": "broken", "html": "<p>',
            b"[1, 2, 3]",
            b'{"id": "latin", "text": "caf\xe9"}',
            {"id": "nofield", "title": "no content"},
            b"[" * 100_000,
            {"id": "ok2", "text": "two"},
        )
    )
    items = read_path(path)
    assert ids(items) == [
        "ok1",
        "d.jsonl:2",
        "d.jsonl:3",
        "d.jsonl:4",
        "nofield",
        "d.jsonl:6",
        "ok2",
    ]
    details = [f.detail for f in failures(items)]
    assert "line 2 is not JSON" in details[0]
    assert "line 3 is a JSON list, not an object" in details[1]
    assert "line 4 is not valid UTF-8" in details[2]
    assert "line 5 has no string field 'html' or 'text' (its fields: id, title)" in details[3]
    assert "line 6" in details[4]
    assert {f.reason for f in failures(items)} == {"corrupt container"}


def test_jsonl_line_over_budget_is_skipped_unread(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(
        jsonl(
            {"id": "small", "text": "x"},
            {"id": "huge", "text": "y" * 5000},
            {"id": "after", "text": "z"},
        )
    )
    items = read_path(path, ReadOptions(max_bytes=1000))
    assert ids(items) == ["small", "d.jsonl:2", "after"]
    assert failures(items)[0].reason == "over budget"


def test_truncated_jsonl_gz_keeps_lines_before_the_damage(tmp_path: Path) -> None:
    rows = [{"id": f"p{n}", "text": text_page(n).decode()} for n in range(5)]
    whole = gzip.compress(jsonl(*rows))
    path = tmp_path / "d.jsonl.gz"
    path.write_bytes(whole[: len(whole) * 3 // 4])
    items = read_path(path)
    assert isinstance(items[-1], ReadFailure) and items[-1].reason == "corrupt container"
    assert "lines from there to the end are lost" in items[-1].detail
    assert ids(items)[:-1] == [f"p{n}" for n in range(len(items) - 1)]
    assert len(items) >= 2
    assert items[-1].id == f"d.jsonl.gz:{len(items)}"


lines = st.one_of(
    st.builds(
        lambda i, t: json.dumps({"id": i, "text": t}), st.text(max_size=8), st.text(max_size=30)
    ),
    st.builds(lambda t: json.dumps({"html": t}), st.text(max_size=30)),
    st.builds(
        lambda v: json.dumps(v), st.one_of(st.integers(), st.lists(st.integers(), max_size=3))
    ),
    st.text(alphabet=st.characters(blacklist_characters="\n\r\ufeff"), max_size=20),
    st.just(""),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(lines, max_size=30))
def test_property_one_item_per_non_blank_line(rows: list[str]) -> None:
    # a lone surrogate the strategy draws becomes bytes that are not UTF-8 (an unreadable line)
    data = "".join(r + "\n" for r in rows).encode("utf-8", "surrogatepass")
    items = list(read_stream(io.BytesIO(data), "s", ReadOptions()))
    non_blank = [n for n, r in enumerate(rows, 1) if r.encode("utf-8", "surrogatepass").strip()]
    assert [item.source for item in items] == [f"s:{n}" for n in non_blank]
    assert [item.id for item in items] == [expected_id(rows[n - 1], f"s:{n}") for n in non_blank]


def expected_id(line: str, where: str) -> str:
    """The line's own id when it is a JSON object with one (lone surrogates escaped, so the
    manifest can write it), else its place."""
    try:
        obj = json.loads(line)
    except ValueError:
        return where
    value = obj.get("id") if isinstance(obj, dict) else None
    return printable(str(value)) if value is not None and str(value).strip() else where


# --------------------------------------------------------------------------------------------
# WARC and WET


@pytest.mark.parametrize("gz", [False, True])
def test_warc_responses_become_pages_other_records_are_skipped(
    tmp_path: Path, gz: bool, backend: str
) -> None:
    records = [
        Rec("request", "https://news.example/1", http=()),
        response(1, html_page(0), "text/html; charset=ISO-8859-1"),
        Rec(
            "metadata",
            "https://news.example/1",
            b"via: x\r\n",
            http=None,
            warc_content_type="application/warc-fields",
        ),
        response(2, text_page(0), "text/plain"),
        response(3, b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png"),
        response(4, b"<p>Not here</p>", status="404 Not Found"),
        response(5, html_page(1), record_id=None),
        response(6, html_page(2), "application/xhtml+xml"),
    ]
    data, offsets = build_warc(records, gz)
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    path.write_bytes(data)
    items = read_path(path)
    assert ids(items) == [rid(2), rid(4), rid(5), rid(6), f"{path.name}@{offsets[6]}", rid(8)]
    page, text, png, missing, no_id, xhtml = items
    assert isinstance(page, RawDoc) and page.content == html_page(0) and page.kind == "html"
    assert page.charset == "iso8859-1" and page.url == "https://news.example/1"
    assert page.source == f"{path}@{offsets[1]}"
    assert isinstance(text, RawDoc) and text.kind == "text" and text.content == text_page(0)
    assert isinstance(png, ReadFailure) and png.reason == "unsupported content type"
    assert "image/png" in png.detail and png.url == "https://news.example/3"
    assert (
        isinstance(missing, ReadFailure)
        and missing.reason == "http status"
        and "404" in missing.detail
    )
    assert isinstance(no_id, RawDoc) and no_id.content == html_page(1)
    assert isinstance(xhtml, RawDoc) and xhtml.kind == "html"


def test_warc_bodies_are_decoded_and_a_bad_encoding_fails_alone(
    tmp_path: Path, backend: str
) -> None:
    body = html_page(0)
    zipped = gzip.compress(body)
    chunked_gzip = b"%x\r\n%s\r\n0\r\n\r\n" % (len(zipped), zipped)
    records = [
        Rec(
            "response",
            "https://a.example/1",
            chunked_gzip,
            (
                ("Content-Type", "text/html"),
                ("Transfer-Encoding", "chunked"),
                ("Content-Encoding", "gzip"),
            ),
        ),
        Rec(
            "response",
            "https://a.example/2",
            zipped,
            (("Content-Type", "text/html"), ("Content-Encoding", "gzip")),
        ),
        Rec(
            "response",
            "https://a.example/3",
            b"\x1f\x8b\x08 not gzip at all",
            (("Content-Type", "text/html"), ("Content-Encoding", "gzip")),
        ),
        response(4, html_page(1)),
    ]
    data, _ = build_warc(records, gz=True)
    path = tmp_path / "enc.warc.gz"
    path.write_bytes(data)
    items = read_path(path)
    # FastWARC 2.0 stops without an error after decoding a chunked gzip body from its stream
    assert ids(items) == [rid(1), rid(2), rid(3), rid(4)]
    assert [d.content for d in docs(items)][:2] == [body, body]
    assert items[3] == docs(items)[-1] and docs(items)[-1].content == html_page(1)
    if backend == "fastwarc":
        assert isinstance(items[2], ReadFailure) and items[2].reason == "corrupt container"
        assert "body unreadable" in items[2].detail
    else:  # warcio passes a body that does not decompress through as it is; decode refuses it
        assert items[2] == RawDoc(
            rid(3),
            b"\x1f\x8b\x08 not gzip at all",
            kind="html",
            url="https://a.example/3",
            source=items[2].source,
        )


def test_warc_record_over_budget_is_refused_by_content_length(tmp_path: Path, backend: str) -> None:
    data, _ = build_warc(
        [
            response(1, html_page(0)),
            response(2, b"<p>" + b"x" * 50_000 + b"</p>"),
            response(3, html_page(1)),
        ],
        gz=True,
    )
    path = tmp_path / "c.warc.gz"
    path.write_bytes(data)
    items = read_path(path, ReadOptions(max_bytes=20_000))
    assert ids(items) == [rid(1), rid(2), rid(3)]
    assert [f.reason for f in failures(items)] == ["over budget"]


@pytest.mark.parametrize("gz", [False, True])
def test_wet_conversion_records_are_text_pages(tmp_path: Path, gz: bool, backend: str) -> None:
    records = [
        Rec(
            "conversion",
            f"https://news.example/{n}",
            text_page(n),
            http=None,
            warc_content_type="text/plain",
        )
        for n in range(3)
    ]
    data, offsets = build_warc(records, gz)
    path = tmp_path / ("seg.warc.wet.gz" if gz else "seg.warc.wet")
    path.write_bytes(data)
    items = read_path(path)
    assert items == [
        RawDoc(
            rid(n + 1),
            text_page(n),
            kind="text",
            url=f"https://news.example/{n}",
            source=f"{path}@{offsets[n]}",
            charset="utf-8",
        )
        for n in range(3)
    ]


@pytest.mark.parametrize(
    "garbage", [b"this is not a WARC record\r\n\r\n", b"\x00junk" * 500_000], ids=["line", "2.5MB"]
)
def test_plain_warc_with_garbage_in_the_middle_resumes_at_the_next_record(
    tmp_path: Path, backend: str, garbage: bytes
) -> None:
    data, offsets = build_warc(FIVE_PAGES, gz=False)
    cut = offsets[2]
    path = tmp_path / "g.warc"
    path.write_bytes(data[:cut] + garbage + data[cut:])
    items = read_path(path)
    assert ids(items) == [rid(1), rid(2), f"g.warc@{cut}", rid(3), rid(4), rid(5)]
    damage = failures(items)[0]
    assert damage.reason == "corrupt container" and f"at byte {cut}" in damage.detail
    assert "reading resumed at byte" in damage.detail


def test_plain_warc_record_cut_short_fails_and_the_next_record_is_kept(
    tmp_path: Path, backend: str
) -> None:
    # the second record loses its last 100 bytes: its Content-Length now runs into the third
    data, offsets = build_warc(FIVE_PAGES, gz=False)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: offsets[2] - 100] + data[offsets[2] :])
    items = read_path(path)
    assert ids(items) == [rid(1), rid(2), rid(3), rid(4), rid(5)]
    assert [type(i).__name__ for i in items] == [
        "RawDoc",
        "ReadFailure",
        "RawDoc",
        "RawDoc",
        "RawDoc",
    ]
    failure = items[1]
    assert isinstance(failure, ReadFailure) and "Content-Length" in failure.detail


def test_gzipped_warc_with_a_corrupt_member_resumes_at_the_next_member(
    tmp_path: Path, backend: str
) -> None:
    data, offsets = build_warc(FIVE_PAGES, gz=True)
    damaged = bytearray(data)
    damaged[offsets[2] + 60 : offsets[2] + 90] = b"\xff" * 30  # inside the third record's member
    path = tmp_path / "c.warc.gz"
    path.write_bytes(bytes(damaged))
    items = read_path(path)
    assert ids(items) == [rid(1), rid(2), f"c.warc.gz@{offsets[2]}", rid(4), rid(5)]
    assert f"reading resumed at byte {offsets[3]}" in failures(items)[0].detail


@pytest.mark.parametrize(
    "garbage", [b"GARBAGE" * 10, b"\x1f\x8b\x08junk" * 150_000], ids=["short", "fake-members"]
)
def test_gzipped_warc_with_garbage_between_members(
    tmp_path: Path, backend: str, garbage: bytes
) -> None:
    data, offsets = build_warc(FIVE_PAGES, gz=True)
    path = tmp_path / "g.warc.gz"
    path.write_bytes(data[: offsets[1]] + garbage + data[offsets[1] :])
    items = read_path(path)
    assert ids(items) == [rid(1), f"g.warc.gz@{offsets[1]}", rid(2), rid(3), rid(4), rid(5)]


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("keep", [40, 300, -30])
def test_truncated_warc_keeps_records_before_and_reports_the_cut(
    tmp_path: Path, gz: bool, keep: int, backend: str
) -> None:
    # cut inside the last record's header (40), body (300), or just before its end (-30)
    data, offsets = build_warc(FIVE_PAGES, gz)
    end = offsets[4] + keep if keep > 0 else len(data) + keep
    path = tmp_path / ("t.warc.gz" if gz else "t.warc")
    path.write_bytes(data[:end])
    items = read_path(path)
    assert ids(items)[:4] == [rid(1), rid(2), rid(3), rid(4)]
    assert len(items) == 5 and isinstance(items[4], ReadFailure)
    assert items[4].reason == "corrupt container" and f"at byte {offsets[4]}" in items[4].detail
    assert all(isinstance(i, RawDoc) for i in items[:4])


def test_file_named_warc_that_is_not_one_is_one_failure(tmp_path: Path, backend: str) -> None:
    path = tmp_path / "x.warc"
    path.write_bytes(b"<html><body>not an archive</body></html>")
    items = read_path(path)
    assert [(i.id, i.reason) for i in failures(items)] == [("x.warc@0", "corrupt container")]
    assert len(items) == 1


def test_gzip_of_a_whole_warc_in_one_member_is_read(tmp_path: Path) -> None:
    data, _ = build_warc(FIVE_PAGES, gz=False)
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(data))
    assert ids(read_path(path)) == [rid(n) for n in range(1, 6)]


# --------------------------------------------------------------------------------------------
# Many inputs, and iterating twice


def make_mixed_dump(root: Path) -> list[str]:
    """A directory with every format, nested and hidden files; the ids expected, in order."""
    (root / "nested" / "deep").mkdir(parents=True)
    (root / ".trash").mkdir()
    (root / "a.html").write_bytes(html_page(0))
    (root / "b.txt").write_bytes(text_page(0))
    (root / "c.jsonl").write_bytes(
        jsonl({"id": "j1", "html": html_page(1).decode()}, {"text": text_page(1).decode()})
    )
    warc, _ = build_warc([response(1, html_page(2)), response(2, html_page(3))], gz=True)
    (root / "d.warc.gz").write_bytes(warc)
    wet, _ = build_warc(
        [
            Rec(
                "conversion",
                "https://w.example/1",
                text_page(2),
                http=None,
                warc_content_type="text/plain",
            )
        ],
        gz=True,
    )
    (root / "nested" / "e.warc.wet.gz").write_bytes(wet)
    (root / "nested" / "deep" / "f.html.gz").write_bytes(gzip.compress(html_page(4)))
    (root / ".hidden.html").write_bytes(html_page(0))
    (root / ".trash" / "old.html").write_bytes(html_page(0))
    return ["a.html", "b.txt", "j1", "c.jsonl:2", rid(1), rid(2), "nested/deep/f.html.gz", rid(1)]


def test_mixed_directory_gives_one_item_per_page_in_order(tmp_path: Path) -> None:
    expected = make_mixed_dump(tmp_path)
    pages = read_inputs([tmp_path])
    assert [f.name for f in pages.files] == [
        "a.html",
        "b.txt",
        "c.jsonl",
        "d.warc.gz",
        "nested/deep/f.html.gz",
        "nested/e.warc.wet.gz",
    ]
    items = list(pages)
    assert ids(items) == expected
    assert failures(items) == []
    assert [d.kind for d in docs(items)] == [
        None,
        None,
        "html",
        "text",
        "html",
        "html",
        None,
        "text",
    ]


def test_inputs_iterate_twice_identically_including_stdin(tmp_path: Path) -> None:
    make_mixed_dump(tmp_path / "dump")
    stdin = io.BytesIO(
        gzip.compress(jsonl({"id": "s1", "html": "<p>one</p>"}, b"not json", {"text": "three"}))
    )
    with read_inputs([tmp_path / "dump", "-"], stdin=stdin) as pages:
        first, second = list(pages), list(pages)
        assert first == second
        assert ids(first)[-3:] == ["s1", "stdin:2", "stdin:3"]
        assert first[-1] == RawDoc("stdin:3", "three", kind="text", source="stdin:3")
        spool = pages._spool
        assert spool is not None and spool.exists()
    assert not spool.exists()
    with pytest.raises(ValueError, match="closed"):
        list(pages)


def test_stdin_defaults_to_the_process_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO(b"\xef\xbb\xbf" + jsonl({"id": "bom", "text": "x"}))

    monkeypatch.setattr(sys, "stdin", Stdin())
    with read_inputs(["-"]) as pages:
        assert ids(list(pages)) == ids(list(pages)) == ["bom"]
    monkeypatch.setattr(sys, "stdin", None)  # started without standard input
    with read_inputs(["-"]) as pages:
        assert [(f.id, f.reason) for f in failures(list(pages))] == [("stdin", "unreadable input")]


def test_read_stream_leaves_the_callers_stream_open() -> None:
    stream = io.BytesIO(jsonl({"id": "a", "text": "x"}))
    assert ids(list(read_stream(stream, "s"))) == ["a"]
    assert not stream.closed


def test_reading_is_deterministic(tmp_path: Path) -> None:
    make_mixed_dump(tmp_path)
    assert list(read_inputs([tmp_path])) == list(read_inputs([tmp_path]))


# --------------------------------------------------------------------------------------------
# Parquet


def test_parquet_rows_read_as_the_same_jsonl_records_would(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {"id": "p1", "url": "https://a.example/1", "html": html_page(0).decode(), "text": None},
        {"id": None, "url": None, "html": None, "text": text_page(0).decode()},
        {"id": "p3", "url": None, "html": None, "text": None},  # no content: a failure
    ]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "pages.parquet", row_group_size=2)
    (tmp_path / "pages.jsonl").write_bytes(
        jsonl(*({k: v for k, v in r.items() if v is not None} for r in rows)))
    from_parquet = read_path(tmp_path / "pages.parquet")
    from_jsonl = read_path(tmp_path / "pages.jsonl")
    assert ids(from_parquet) == ["p1", "pages.parquet:2", "p3"]
    assert [(d.content, d.kind, d.url) for d in docs(from_parquet)] == [
        (d.content, d.kind, d.url) for d in docs(from_jsonl)]
    assert [f.reason for f in failures(from_parquet)] == ["corrupt container"]
    # detected by content whatever the name; a damaged file is one failure
    (tmp_path / "table.bin").write_bytes((tmp_path / "pages.parquet").read_bytes())
    assert ids(read_path(tmp_path / "table.bin")) == ["p1", "table.bin:2", "p3"]
    (tmp_path / "cut.parquet").write_bytes((tmp_path / "pages.parquet").read_bytes()[:200])
    cut = read_path(tmp_path / "cut.parquet")
    assert len(cut) == 1 and failures(cut)[0].reason == "corrupt container"


# -- Every input the user named or a folder held gets a manifest line ------------------------

_STORY_PAGE = (
    "<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1>"
    + "<p>The harbour reopened on Monday after a week of repairs to the sea wall, officials said, "
    "and the first ferries sailed at dawn with every seat taken.</p>" * 4
    + "</article></body></html>"
)


def _awkward_inputs(tmp: Path) -> dict[str, str]:
    """Two input folders holding every kind of entry that used to vanish; the ids expected."""
    first, second, elsewhere = tmp / "one", tmp / "two", tmp / "elsewhere"
    for folder in (first, second, elsewhere):
        folder.mkdir()
    (first / "ok.html").write_text(_STORY_PAGE, encoding="utf-8")
    undecodable = os.fsdecode(bytes(first) + b"/caf\xe9.html")  # a Latin-1 file name
    Path(undecodable).write_text(_STORY_PAGE.replace("Monday", "Tuesday"), encoding="utf-8")
    os.mkfifo(first / "pipe.html")
    (first / "gone.html").symlink_to(first / "missing.html")
    (first / "loop.html").symlink_to(first / "loop.html")
    (first / "linked").symlink_to(elsewhere, target_is_directory=True)
    (first / "empty.jsonl").write_bytes(b"")
    (first / "empty.warc").write_bytes(b"")
    (first / "same.html").write_text(_STORY_PAGE.replace("Monday", "Friday"), encoding="utf-8")
    (second / "same.html").write_text(_STORY_PAGE.replace("Monday", "Sunday"), encoding="utf-8")
    return {
        "ok.html": "kept", "caf\\xe9.html": "kept", "pipe.html": "unreadable input",
        "gone.html": "unreadable input", "loop.html": "unreadable input",
        "linked": "unreadable input", "empty.jsonl": "empty container",
        "empty.warc": "empty container", "one/same.html": "kept", "two/same.html": "kept",
    }


def test_awkward_entries_each_get_one_item(tmp_path: Path) -> None:
    expected = _awkward_inputs(tmp_path)
    with read_inputs([tmp_path / "one", tmp_path / "two"]) as pages:
        items = list(pages)
    assert sorted(item.id.split("/one/")[-1].split("/two/")[-1] for item in items if "same" not in item.id) \
        == sorted(k for k in expected if "same" not in k)
    for item in items:
        item.id.encode("utf-8")  # writable: no surrogates left
        if item.source is not None:
            item.source.encode("utf-8")
    assert len({item.id for item in items}) == len(items) == len(expected)


def test_cleanfeed_run_accounts_for_every_awkward_entry(tmp_path: Path) -> None:
    from .test_cli import cleanfeed_command

    expected = _awkward_inputs(tmp_path)
    done = subprocess.run(
        [*cleanfeed_command(), "run", "one", "two", "-o", "clean.jsonl",
         "--manifest", "manifest.jsonl", "--jobs", "1"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,  # a FIFO read would hang
    )
    assert done.returncode == 0, done.stderr
    manifest = [json.loads(line) for line in (tmp_path / "manifest.jsonl").read_text("utf-8").splitlines()]
    got = {m["id"]: m["reason"].split(":")[0] if m["status"] == "dropped" else m["status"]
           for m in manifest}
    assert got == expected
    reasons = {m["id"]: m["reason"] for m in manifest}
    assert "symbolic link loop" in reasons["loop.html"]
    assert "FIFO" in reasons["pipe.html"] and "not followed" in reasons["linked"]


# -- A Content-Encoding bomb is inflated no further than the page budget ---------------------


def _gzip_bomb(megabytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    return b"".join([packer.compress(b"<p>")] + [packer.compress(zeros) for _ in range(megabytes)]
                    + [packer.flush()])


def test_inflate_stops_at_the_limit() -> None:
    from cleanfeed.io._gzip import inflate

    bomb = io.BytesIO(_gzip_bomb(64))
    assert len(inflate(bomb.read, "gzip", 1000)) == 1000
    page = b"<p>story</p>" * 100
    for encoding, packed in (("gzip", gzip.compress(page) * 2), ("deflate", zlib.compress(page)),
                             ("deflate", zlib.compress(page)[2:-4])):
        expected = page * 2 if packed[:2] == b"\x1f\x8b" else page
        assert inflate(io.BytesIO(packed).read, encoding, 1 << 20) == expected


def test_a_gzip_bomb_in_a_warc_is_dropped_over_budget_in_bounded_memory(tmp_path: Path) -> None:
    bomb = Rec("response", "https://news.example/bomb", _gzip_bomb(400),
               (("Content-Type", "text/html"), ("Content-Encoding", "gzip")))
    data, _ = build_warc([bomb, response(2, html_page(2))], gz=True)
    (tmp_path / "bomb.warc.gz").write_bytes(data)
    script = (
        "import resource, sys\n"
        "from cleanfeed.io import ReadOptions, read_inputs\n"
        "from cleanfeed.io._warc import _backend\n"
        "_backend()  # the WARC parser loaded before the baseline is taken\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "items = list(read_inputs([sys.argv[1]], ReadOptions(max_bytes=1 << 20)))\n"
        "print([getattr(i, 'reason', 'page') for i in items])\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "bomb.warc.gz")],
                          capture_output=True, text=True, timeout=120, check=True)
    reasons, growth_mb = done.stdout.splitlines()
    assert reasons == "['over budget', 'page']"
    assert int(growth_mb) < 100  # the 400 MB the bomb inflates to never exists at once
