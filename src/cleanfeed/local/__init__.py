"""The local engine: the page contract (``cleanfeed.page``) run by worker processes on one machine.

``runner`` owns iteration, the two passes, spooling, batching to the deduplicator and
progress; it calls the per-page work of ``cleanfeed.page`` and the ``cleanfeed.dedup`` stage,
and nothing else decides what a page becomes.
"""

from __future__ import annotations

from ..page import Progress
from .runner import extract_pages, run

__all__ = ["Progress", "extract_pages", "run"]
