"""Text-dump cleaning. PLACEHOLDER: replaced by the text-dump cleaner (issue 3)."""

from __future__ import annotations

from ..config import ExtractConfig
from ..models import CleanDoc


def clean_text_dump(
    text: str, url: str | None = None, doc_id: str = "", config: ExtractConfig | None = None
) -> CleanDoc:
    paragraphs = tuple(p.strip() for p in text.split("\n") if p.strip())
    return CleanDoc(id=doc_id, url=url, paragraphs=paragraphs, kind="text")
