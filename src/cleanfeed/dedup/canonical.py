"""Canonical stage: which copy of a story is kept, by a stated policy with a stable tie-break.

Policy, in order (the first criterion that separates two copies decides):

1. **Complete** copies first. Completeness is judged against the *reference* copy: among
   the copies carrying most of the story (the shingles of its lines that pages of *other
   sites* in the cluster print too, in 5% steps: a site's own chrome and two desks' shared
   edits are not story; see ``cluster._Component.story_sizes``), the one most others match.
   A copy is complete when it matches the reference and has at least ``complete_ratio`` (75%)
   of its story shingles and of its size.
   This stops a copy with a good part of its end cut off (or a broken extraction) from winning
   by criterion 2, and is loose enough that the wire's original stays complete next to an
   update with two more paragraphs; page chrome left in a long copy counts for nothing.
2. The copy on the **wire's own site** (reuters.com for Reuters, apnews.com for AP: the
   ``AGENCY_DOMAINS`` table below), since that is the source every other copy derives from
   (the issue's first preference).
3. **Not cut short**: a copy whose text ends where another copy's goes on (the other holds the
   same lines, then a paragraph or more of its own; see ``cluster._Round.cut_short``) is a
   trimmed copy and comes after the longer one. Story shares cannot see this when the end
   is printed by no other site (every other copy is cut too): the original's end then
   counts as no one's story, and the trims would tie with it.
4. The **most complete body**: the largest share of the reference's story shingles, in 5%
   steps (a few copyedited words do not count); then the copy most others match (the copy
   that contains the others: a copy padded with leftover chrome is not inside as many); then
   the **cleanest**: the smallest share of its site's common text (chrome an extractor left
   in, ``Fingerprint.discounted``, in 5% steps: ``chrome_share``); then most shingles (an
   update with two more paragraphs beats the first version).
5. The **earliest date** (ISO strings; copies without a date come last).
6. The smallest **doc id**: stable whatever the input order.

``choose_canonical`` returns the winner and a reason naming the criterion that decided.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from types import MappingProxyType

from ..metadata.text import canonical_agency
from .fingerprint import Fingerprint

__all__ = [
    "AGENCY_DOMAINS", "PolicyKey", "choose_canonical", "chrome_share", "explain", "policy_key", "wire_site",
]

#: Each wire agency's own sites (registered domains; subdomains match too). Data, not rules:
#: the canonical policy prefers the copy published here.
AGENCY_DOMAINS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "Reuters": ("reuters.com",),
        "AP": ("apnews.com", "ap.org"),
        "AFP": ("afp.com",),
        "Bloomberg": ("bloomberg.com",),
        "dpa": ("dpa.com", "dpa-international.com"),
        "Xinhua": ("xinhuanet.com", "news.cn"),
        "Kyodo": ("kyodonews.net",),
        "Yonhap": ("yna.co.kr",),
        "UPI": ("upi.com",),
        "ANSA": ("ansa.it",),
        "EFE": ("efe.com",),
        "PTI": ("ptinews.com",),
        "ANI": ("aninews.in",),
        "IANS": ("ians.in",),
        "TASS": ("tass.com", "tass.ru"),
        "Interfax": ("interfax.com", "interfax.ru"),
        "AAP": ("aap.com.au",),
        "CP": ("thecanadianpress.com",),
        "Anadolu": ("aa.com.tr",),
        "Bernama": ("bernama.com",),
        "PA": ("pamediagroup.com",),
    }
)


#: a copy's ``policy_key``: the smallest is the canonical
PolicyKey = tuple[int, int, int, int, int, int, int, int, str, str]


# each agency domain -> its agency (derived from the table above, read-only)
_DOMAIN_AGENCY: Mapping[str, str] = MappingProxyType(
    {domain: agency for agency, domains in AGENCY_DOMAINS.items() for domain in domains}
)


def wire_site(fp: Fingerprint) -> str | None:
    """The agency whose own site published this copy, or None.

    The page must be on the agency's domain, and its detected wire (if any) must be that
    agency: AP's site republishing another agency's story is not that story's source.
    """
    if not fp.domain:
        return None
    labels = fp.domain.split(".")
    # the domain itself, then each parent domain: "www.reuters.com", "reuters.com", "com"
    agency = next((a for i in range(len(labels))
                   if (a := _DOMAIN_AGENCY.get(".".join(labels[i:]))) is not None), None)
    if agency is None:
        return None
    wire = canonical_agency(fp.wire) if fp.wire else None
    return agency if wire in (None, agency) else None


def policy_key(
    fp: Fingerprint, complete: bool, story_share: int | None = None, matches: int = 0,
    cut: bool = False,
) -> PolicyKey:
    """Sort key of the policy: the smallest key is the canonical copy.

    ``story_share``: the percentage (in 5% steps) of the reference copy's story shingles that
    this copy carries; ``matches``: how many other copies match it (see ``resolve_component``);
    ``cut``: its text ends where another copy's goes on (criterion 3).
    """
    return (
        0 if complete else 1,
        0 if wire_site(fp) else 1,
        1 if cut else 0,
        -(story_share or 0),
        -matches,
        chrome_share(fp),
        -fp.size,
        0 if fp.date else 1,
        fp.date or "",
        fp.doc_id,
    )


def chrome_share(fp: Fingerprint) -> int:
    """How much of a copy is its site's common text (chrome an extractor left in, which the
    comparison discounted), in percent of its shingles, in 5% steps: a copyright line on a
    long story does not make it less clean than a trimmed copy; a menu that is a quarter of
    the page does."""
    total = fp.discounted + fp.size
    return int(20 * fp.discounted / total + 0.5) * 5 if total else 0


_CRITERIA = (
    "the only complete copy (others are trimmed or earlier versions)",
    "complete copy on the wire's own site",
    "not cut short: the next copy ends where this one goes on",
    "most complete body",
    "the copy most others match",
    "cleanest copy: least of its site's common text left in",
    "most complete body",
    "earliest date",
    "earliest date",
    "stable tie-break: smallest doc id",
)


def choose_canonical(
    members: Sequence[Fingerprint],
    complete: Mapping[str, bool],
    story_shares: Mapping[str, int] | None = None,
    matches: Mapping[str, int] | None = None,
    cut: Collection[str] = frozenset(),
) -> tuple[Fingerprint, str]:
    """The canonical copy among ``members`` and why it was chosen.

    ``complete`` maps each doc id to whether it is a complete copy, ``story_shares`` to the
    share of the story it carries, in percent, ``matches`` to how many other copies match it;
    ``cut`` holds the ids of copies cut short (see the module docstring).
    """
    if not members:
        raise ValueError("choose_canonical needs at least one member")
    shares = story_shares or {}
    counts = matches or {}

    def key(f: Fingerprint) -> PolicyKey:
        return policy_key(
            f, complete.get(f.doc_id, False), shares.get(f.doc_id), counts.get(f.doc_id, 0),
            f.doc_id in cut,
        )

    ranked = sorted(members, key=key)
    best = ranked[0]
    if len(ranked) == 1:
        return best, "only copy"
    return best, explain(best, key(best), key(ranked[1]), len(members))


def explain(
    best: Fingerprint,
    best_key: PolicyKey,
    runner_key: PolicyKey,
    n_members: int,
) -> str:
    """Why ``best`` is the canonical among ``n_members`` copies: the criterion of the first
    component of its ``policy_key`` (``best_key``) that differs from the runner-up's."""
    position = next(i for i, (x, y) in enumerate(zip(best_key, runner_key, strict=True)) if x != y)
    criterion = _CRITERIA[position]
    if position == 1:
        criterion += f" ({best.domain})"
    elif position == 3:
        criterion += f" ({-best_key[3]}% of the story)"
    elif position == 4:
        criterion += f" ({-best_key[4]} of {n_members - 1})"
    elif position == 5:
        criterion += f" ({best_key[5]}% of it, {runner_key[5]}% of the next)"
    elif position == 6:
        criterion += f" ({best.size} shingles)"
    elif position in (7, 8):
        criterion += f" ({best.date})"
    return criterion
