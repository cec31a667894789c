"""The HTML report of a run: ``cleanfeed run ... --report report.html``.

``ReportWriter`` takes the run's ``Outcome``s as they stream and the stats dict at the end, and
writes one self-contained HTML file (no network access, a strict Content-Security-Policy):
the run at a glance, every multi-copy story with word-level diffs, every page's clean text with
what was removed, and the dropped pages, with a search box over ids, sites and titles.
"""

from __future__ import annotations

from .writer import ReportWriter, embed_json

__all__ = ["ReportWriter", "embed_json"]
