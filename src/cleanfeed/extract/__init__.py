"""Extract stage: one page → its article body, metadata and removal records.

``extract(raw)`` decodes the page, tells HTML from a rendered text dump (unless the reader
already knew), and hands it to the HTML extractor (``extract.html``) or the text-dump cleaner
(``extract.textdump``). The chrome rules both apply are data in ``extract.rules``, read by one
engine (``extract.paragraph_rules``); one check (``extract.budget``, made once, by ``page_text``)
refuses a page over budget.
"""

from __future__ import annotations

from ..config import ExtractConfig
from ..io.decode import decode_bytes, sniff_kind
from ..models import CleanDoc, RawDoc
from .budget import within_budget
from .html import extract_html, html_doc
from .template import SiteTemplates, TemplateSnapshot, apply_templates
from .textdump import clean_text_dump, text_dump_doc

__all__ = [
    "SiteTemplates", "TemplateSnapshot", "clean_text_dump", "extract", "extract_decoded", "extract_html",
    "page_text",
]


def page_text(raw: RawDoc, config: ExtractConfig) -> str:
    """The page's text: its bytes decoded (``decode_bytes``), within the size budget. The one
    budget check of ``extract``: ``BudgetExceeded`` for a page over ``config.max_bytes``
    (bytes, or characters of a page given as text)."""
    if isinstance(raw.content, bytes):
        return decode_bytes(raw.content, declared=raw.charset, max_bytes=config.max_bytes)
    return within_budget(raw.content, config)


def extract(
    raw: RawDoc | str | bytes,
    config: ExtractConfig | None = None,
    templates: TemplateSnapshot | None = None,
    *,
    url: str | None = None,
) -> CleanDoc:
    """Extract one page: a ``RawDoc``, or the page itself as ``str`` or ``bytes`` (its id is
    then "", ``url`` its address). Raises a ``CleanfeedError`` subclass on unreadable input.

    ``templates`` (a ``SiteTemplates.snapshot()``): lines of a text dump, and paragraphs of an
    HTML page's extracted body, that it knows as the template of the page's site are removed
    (``template.recurring-line``).

    >>> extract("<html><body><article><p>SEOUL (Reuters) - North and South Korea resumed "
    ...         "talks on Monday after a pause of two years, officials said.</p></article>"
    ...         "</body></html>").wire
    'Reuters'
    """
    if isinstance(raw, (str, bytes)):
        raw = RawDoc("", raw, url=url)
    elif url is not None:
        raise TypeError("url= is for a page given as str or bytes; a RawDoc carries its own url")
    return extract_decoded(raw, page_text(raw, config or ExtractConfig()), templates)


def extract_decoded(raw: RawDoc, text: str, templates: TemplateSnapshot | None = None) -> CleanDoc:
    """``extract`` of a page whose text ``page_text`` gave: within its budget, not checked again."""
    if (raw.kind or sniff_kind(text)) == "html":
        return apply_templates(html_doc(text, url=raw.url, doc_id=raw.id), templates)
    return text_dump_doc(text, url=raw.url, doc_id=raw.id, templates=templates)
