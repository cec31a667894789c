"""Decode stage: charsets, BOMs, binary refusal, HTML-vs-dump sniffing."""

from __future__ import annotations

import codecs
import gzip
import random

import pytest

import cleanfeed
from cleanfeed import BudgetExceeded, DecodeError, decode_bytes, sniff_kind
from cleanfeed.models import RawDoc


def test_meta_charset_is_honoured() -> None:
    page = '<html><head><meta charset="windows-1251"></head><body>Привет мир</body></html>'
    assert "Привет мир" in decode_bytes(page.encode("windows-1251"))


def test_declared_charset_beats_detection() -> None:
    assert decode_bytes("café".encode("latin-1"), declared="iso-8859-1") == "café"


def test_bom_wins() -> None:
    assert decode_bytes("\ufeffhello".encode("utf-16-le"), declared="utf-8") == "hello"


def test_wrong_declaration_falls_back_to_utf8() -> None:
    data = '<meta charset="ascii"><p>naïve — “quoted”</p>'.encode()
    assert "naïve — “quoted”" in decode_bytes(data)


def test_binary_is_refused() -> None:
    with pytest.raises(DecodeError):
        decode_bytes(bytes(range(256)) * 100)


def test_size_budget() -> None:
    with pytest.raises(BudgetExceeded):
        decode_bytes(b"a" * 101, max_bytes=100)


def test_sniff_kind_reads_content_not_names(seed_pages: dict[str, str]) -> None:
    for text in seed_pages.values():
        assert sniff_kind(text) == "text"
    assert sniff_kind("<!DOCTYPE html><html><body><p>x</p></body></html>") == "html"
    assert sniff_kind("<div><span>a</span><span>b</span><a href=x>c</a><b>d</b><i>e</i></div>") == "html"


# -- The decoding test set: every page decodes to the text a browser shows ---------------------

_STORY = "We’d seen the naïve façade of the café — “quoted” for €5."
_HTML = "<html><head><title>News</title>{meta}</head><body><p>{body}</p></body></html>"


def _page(meta: str = "", body: str = _STORY) -> str:
    return _HTML.format(meta=meta, body=body)


def test_utf8_with_one_invalid_byte_stays_utf8() -> None:
    data = _page(body=_STORY * 3).encode()
    cut = data.index("naïve".encode())  # a byte inside the text
    damaged = data[:cut] + b"\xff" + data[cut:]
    text = decode_bytes(damaged)
    assert text.count("We’d") == 3 and "naïve façade" in text
    assert text.count("\ufffd") == 1


@pytest.mark.parametrize("declared", [None, "utf-8"])
def test_utf8_damaged_near_every_character_keeps_the_rest(declared: str | None) -> None:
    data = _page(body=_STORY).encode()
    damaged = data.replace("é".encode(), b"\xe9", 1)  # one windows-1252 byte pasted in
    text = decode_bytes(damaged, declared=declared)
    assert "We’d seen the naïve façade" in text and "“quoted” for €5" in text


def test_unlabelled_windows_1252_reads_as_windows_1252() -> None:
    for body in ("naïve façade", _STORY, "Größe und Übermaß, señor, déjà vu"):
        assert body in decode_bytes(_page(body=body).encode("cp1252"))


@pytest.mark.parametrize(
    ("meta", "encoding"),
    [
        ('<meta charset="utf-16">', "utf-8"),  # a common mistake: browsers read such a page as UTF-8
        ('<meta charset="UTF-16LE">', "utf-8"),
        ('<meta charset="utf-32">', "utf-8"),
        ('<meta charset="iso-8859-1">', "cp1252"),  # latin-1 means windows-1252 (€ is 0x80)
        ('<meta http-equiv="Content-Type" content="text/html; charset=ascii">', "cp1252"),
        ('<meta charset="windows-1251">', "utf-8"),  # the bytes are UTF-8: the meta lies
        ('<meta charset="utf-7">', "utf-8"),  # a label browsers refuse counts as none
        ('<meta charset="x-user-defined">', "cp1252"),
    ],
)
def test_lying_and_legacy_meta_charsets(meta: str, encoding: str) -> None:
    text = decode_bytes(_page(meta=meta).encode(encoding))
    assert _STORY in text


def test_declared_label_uses_the_whatwg_table() -> None:
    assert decode_bytes("€5 café".encode("cp1252"), declared="latin1") == "€5 café"
    assert decode_bytes("€5 café".encode("cp1252"), declared="utf-7") == "€5 café"
    # Python's names for a codec, as a reader that normalised a header passes them
    assert decode_bytes("€5 café".encode("utf-16-le"), declared="utf-16-le") == "€5 café"
    assert decode_bytes("€5 café".encode("cp1252"), declared="iso8859-1") == "€5 café"
    page = _page(meta='<meta charset="shift_jis">', body="日本語の記事")
    assert "日本語の記事" in decode_bytes(page.encode("cp932"))


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "utf-32-le", "utf-32-be"])
def test_utf16_with_and_without_bom(encoding: str) -> None:
    data = _page(body=_STORY).encode(encoding)  # "utf-16" writes a BOM, the others do not
    assert _STORY in decode_bytes(data)
    assert _STORY in decode_bytes(codecs.BOM_UTF16_LE + _page().encode("utf-16-le"))


def test_nul_and_control_bytes_in_text_are_dropped_not_refused() -> None:
    page = _page(body="Hello\x00 world\x01\x02, old\x1b CMS\x7f output").encode()
    text = decode_bytes(page)
    assert "Hello world, old CMS output" in text
    doc = cleanfeed.extract(RawDoc("nul", page.replace(b"<p>", b"<p>" + _STORY.encode() * 3)))
    assert "Hello world, old CMS output" in doc.text


def test_c1_controls_are_dropped_as_characters_not_as_bytes() -> None:
    # U+0085 and U+009F in a UTF-8 page are controls; in windows-1252 the same byte values are
    # printable characters (€, “, ”), which stay
    utf8 = _page(body="caf\u00e9 \u0085next\u009f line, \u2019s").encode()
    assert "café next line, ’s" in decode_bytes(utf8)
    assert _STORY in decode_bytes(_page().encode("cp1252"), declared="windows-1252")
    # an ill-formed UTF-8 sequence just before a control byte: U+FFFD, and the control dropped
    broken = _page(body="a\u2019b").encode().replace("\u2019".encode(), b"\xe2\x80\x01")
    assert "a\ufffdb" in decode_bytes(broken, declared="utf-8")
    # a control in a page decoded from UTF-16 (the text is checked, not the bytes)
    assert "ab" in decode_bytes(codecs.BOM_UTF16_LE + _page(body="a\u0085b").encode("utf-16-le"))


def test_a_cjk_dump_cut_mid_character_decodes() -> None:
    story = "東京の記者会見で、政府は新しい予算案を発表した。" * 40
    data = story.encode()[:-1]  # the last character lost its last byte
    text = decode_bytes(data)
    assert text.startswith(story[:-1]) and text.endswith("\ufffd")
    gbk = story.encode("gb18030")[:-1]
    assert story[:-1] in decode_bytes(gbk, declared="gb2312")


def test_unlabelled_cyrillic_is_not_read_as_windows_1252() -> None:
    body = "Правительство объявило о новом бюджете на следующий год. " * 20
    assert body.strip() in decode_bytes(_page(body=body).encode("cp1251"))


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(4000),
        b"\xff\xd8\xff\xe0\x00\x10JFIF" + random.Random(2).randbytes(4000),
        random.Random(3).randbytes(8000),
        gzip.compress(_page().encode() * 50),
    ],
    ids=["png", "jpeg", "random", "gzip"],
)
def test_a_real_binary_file_is_refused(data: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_bytes(data)
