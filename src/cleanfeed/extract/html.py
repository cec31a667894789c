"""HTML extraction. PLACEHOLDER: replaced by the HTML extractor (issue 2)."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from ..config import ExtractConfig
from ..models import CleanDoc


def extract_html(
    html: str, url: str | None = None, doc_id: str = "", config: ExtractConfig | None = None
) -> CleanDoc:
    tree = LexborHTMLParser(html)
    body = tree.body
    text = body.text(separator="\n") if body is not None else ""
    paragraphs = tuple(p.strip() for p in text.split("\n") if p.strip())
    return CleanDoc(id=doc_id, url=url, paragraphs=paragraphs, kind="html")
