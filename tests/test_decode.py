"""Decode stage: charsets, BOMs, binary refusal, HTML-vs-dump sniffing."""

from __future__ import annotations

import pytest

from cleanfeed import BudgetExceeded, DecodeError, decode_bytes, sniff_kind


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
