"""One site name per host in a run.

Pages of one site name it several ways ("Global Banking and Finance Review" on one page,
"Global Banking & Finance Review®" on the next), and a feed grouped by site must not split it.
The runner gathers every page's ``(url, site)`` and asks ``site_names`` for the one name of each
host, then gives each page its host's name with ``named_site``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from urllib.parse import urlsplit

from ..models import CleanDoc

__all__ = ["host_of", "named_site", "site_names"]


def host_of(url: str | None) -> str | None:
    """The host a page belongs to: lower-cased, without a leading ``www.`` (None without one)."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return re.sub(r"^www\d?\.", "", host) if host else None


def _fold(name: str) -> str:
    """A site name folded for comparison: NFKC, case, "&" as "and", symbols and punctuation out."""
    name = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    name = "".join(ch if ch.isalnum() else " " for ch in name)
    return " ".join(name.split())


def site_names(named: Iterable[tuple[str | None, str | None]]) -> dict[str, str]:
    """``{host: name}`` from every page's ``(url, site)`` in a run: the one name of each host.

    The policy, independent of the pages' order: a name that only restates the host (what a
    page that names no site gets) counts after any real name; among the rest, the folded name
    (case, punctuation, "&"/"and", ®) most pages give wins, and within it the spelling most
    pages use; ties go to the shorter spelling, then the one first in code-point order.

    >>> site_names([("https://a.com/1", "A & B Review®"), ("https://www.a.com/2", "A and B Review"),
    ...             ("https://a.com/3", "A and B Review"), ("https://a.com/4", "a.com")])
    {'a.com': 'A and B Review'}
    """
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for url, site in named:
        host = host_of(url)
        if host and site:
            spellings[host][site] += 1
    names = {}
    for host, counts in spellings.items():
        folded: Counter[str] = Counter()
        for site, n in counts.items():
            folded[_fold(site)] += n

        def group_rank(key: str, host: str = host, folded: Counter[str] = folded) -> tuple[bool, int, int, str]:
            return (key == _fold(host), -folded[key], len(key), key)

        best = min(folded, key=group_rank)
        names[host] = min((s for s in counts if _fold(s) == best), key=lambda s: (-counts[s], len(s), s))
    return names


def named_site(doc: CleanDoc, names: Mapping[str, str]) -> CleanDoc:
    """``doc`` with its host's run-level site name (``site_names``); unchanged without a host."""
    host = host_of(doc.url)
    name = names.get(host) if host else None
    if name is None or name == doc.site:
        return doc
    provenance = {**doc.provenance, "site": doc.provenance.get("site", "run") + "+run"}
    return replace(doc, site=name, provenance=provenance)
