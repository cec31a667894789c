"""Fingerprint stage: a clean body → the normalised words, shingle hashes and MinHash signature
that near-duplicate detection compares.

What counts as "the same text" is decided here. Two copies of one wire story differ in ways
that mean nothing: Unicode forms, curly or straight quotes, dash styles, spacing, case, a
dateline added or dropped ("SEOUL (Reuters) -"), a credit line ("(Reporting by ...)"), or a
junk line an outlet inserts mid-story ("Advertisement"). These are normalised or stripped
(the *volatile wrappers*, kept as data in ``WRAPPERS``) before anything is hashed.

Hashing: every word is hashed with xxh3-64 over its UTF-8 bytes (stable across processes,
unlike Python's salted ``hash(str)``); a shingle's 64-bit hash combines its words' hashes
positionally with distinct odd multipliers and a MurmurHash3 finaliser, vectorised in NumPy.
The MinHash signature follows datasketch 2.0's default ``affine32`` scheme bit for bit: with
``hashfunc`` returning the low 32 bits of our shingle hash, ``datasketch.MinHash(num_perm,
seed).update_batch(...)`` gives the same ``hashvalues``. It is computed for a whole batch of
documents at once, which is where the speed comes from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import chain
from typing import Any, Literal
from urllib.parse import urlsplit

import numpy as np
import xxhash

from ..config import DedupConfig
from ..metadata.text import AGENCIES, DATELINE
from ..models import CleanDoc, pickled_by_fields

__all__ = [
    "WRAPPERS",
    "Fingerprint",
    "Wrapper",
    "band_keys",
    "band_keys_batch",
    "distinct",
    "fingerprint",
    "fingerprint_batch",
    "lead_keys",
    "line_tokens",
    "lsh_keys",
    "minhash_signatures",
    "normalize_text",
    "shingle_hash_sets",
    "strip_volatile",
    "token_bytes",
    "tokens",
]

_MASK32 = np.uint64(0xFFFFFFFF)

# Typography that differs between copies of one text: quotes, dashes, odd spaces, bullets.
_TYPOGRAPHY = {
    **{c: "'" for c in "‘’‚‛′`´‹›"},
    **{c: '"' for c in "“”„‟″«»"},
    **{c: "-" for c in "‐‑‒–—―−﹘﹣"},
    **{c: " " for c in "\u00a0\u2007\u202f\u200b\u2060\ufeff\u0085\u1680\u2028\u2029•·‧"},
}
# A regex with a callback, not str.translate: translate falls back to a slow per-character
# path on non-ASCII text, while these characters are few in a story.
_TYPOGRAPHY_RE = re.compile("[" + re.escape("".join(_TYPOGRAPHY)) + "]")
# Word separators, applied to UTF-8 bytes after the typography mapping (so ASCII suffices):
# bytes.translate is a C loop over a 256-entry table. ASCII bytes only: the bytes 0x80-0xFF
# are pieces of non-ASCII letters in UTF-8 (0x85 and 0xA0, spaces in Latin-1, end "à", "х",
# "Å" and many CJK characters), the non-ASCII spaces are spaces before (NFKC, ``_TYPOGRAPHY``).
_SEPARATORS = bytes(
    32 if i < 128 and (chr(i) in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" or chr(i).isspace())
    else i
    for i in range(256)
)
_LINE_SEPARATORS = _SEPARATORS[:0x1E] + b"\x1e" + _SEPARATORS[0x1F:]  # U+001E kept: a line break


def normalize_text(text: str) -> str:
    """NFKC, straight quotes, ASCII hyphens, single spaces, case-folded.

    >>> normalize_text("“Hello”\u00a0—  WORLD")
    '"hello" - world'
    """
    return " ".join(_typography(text).split()).casefold()


def _typography(text: str) -> str:
    if text.isascii():  # NFKC and the mapping are the identity on ASCII: skip them
        return text
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _TYPOGRAPHY_RE.sub(lambda m: _TYPOGRAPHY[m.group()], text)


# --------------------------------------------------------------------------------------------
# Volatile wrappers: text around or inside a wire story that copies add, drop or change.


@dataclass(frozen=True, slots=True)
class Wrapper:
    """A volatile wrapper pattern (data, with an id), matched on a normalised paragraph.

    scope ``lead``: a prefix of one of the first paragraphs (datelines, bylines);
    ``tail``: a whole paragraph among the last ones (credit lines);
    ``line``: a whole short paragraph anywhere (inserted junk such as "Advertisement").
    """

    id: str
    scope: Literal["lead", "tail", "line"]
    pattern: re.Pattern[str]


_AGENCY_ALIASES = "|".join(
    sorted((re.escape(a) for ag in AGENCIES for a in ag.aliases), key=len, reverse=True)
)

WRAPPERS: tuple[Wrapper, ...] = (
    # "SEOUL (Reuters) -", "WASHINGTON, Jan 3 (Reuters) -", "LONDON -", "Seoul (AFP) -": a wire
    # dateline (``Dateline``), trusted or not (only a story's first paragraphs are tried)
    Wrapper("dateline", "lead", DATELINE),
    # "By Jane Doe", "By Jane Doe, Reuters" as its own short paragraph
    # (capitalised names only: "By the time talks resumed, ..." is body)
    Wrapper(
        "byline",
        "lead",
        re.compile(
            r"^(?:By|BY)\s+[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3}"
            r"(?:\s*(?:,|\||/|\band\b)\s*[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3}){0,3}$"
        ),
    ),
    # "(Reporting by ...; Editing by ...)", "Additional reporting by ..."
    Wrapper(
        "credit.reporting",
        "tail",
        re.compile(
            r"^\(?\s*(?:additional\s+)?(?:reporting|writing|editing|compiled|produced|"
            r"research)\s+by\b.*$",
            re.IGNORECASE,
        ),
    ),
    Wrapper(
        "credit.contributed",
        "tail",
        re.compile(r"^.{0,200}\bcontributed\s+(?:to\s+)?(?:this|the)\s+(?:report|story)\.?$", re.I),
    ),
    Wrapper(
        "credit.copyright",
        "tail",
        re.compile(r"^(?:©|\(c\)|copyright\b).{0,200}$|^.{0,120}all rights reserved\.?$", re.I),
    ),
    Wrapper(
        "credit.agency",
        "tail",
        re.compile(rf"^(?:-+\s*|source:\s*)?\(?(?:{_AGENCY_ALIASES})\)?\.?$", re.IGNORECASE),
    ),
    Wrapper(
        "junk.advertisement",
        "line",
        re.compile(
            r"^(?:advertisement|advert|ad|sponsored(?: content)?|skip advertisement|"
            r"(?:story|article) continues (?:below|after)(?: (?:this )?advertisement)?|"
            r"continue reading(?: below)?|scroll to continue(?: with content)?|"
            r"advertisement\s*-\s*scroll to continue)\s*[.:]?$",
            re.IGNORECASE,
        ),
    ),
    Wrapper(
        "junk.read-more",
        "line",
        re.compile(
            r"^(?:read more|read also|also read|see also|related|recommended|more)\s*:.{0,160}$",
            re.IGNORECASE,
        ),
    ),
)



def _scope_pattern(scope: str) -> re.Pattern[str]:
    """One alternation of a scope's wrappers (one regex call per paragraph, not one per rule)."""
    parts = []
    for w in WRAPPERS:
        if w.scope == scope:
            flag = "i" if w.pattern.flags & re.IGNORECASE else ""
            parts.append(f"(?{flag}:{w.pattern.pattern})" if flag else f"(?:{w.pattern.pattern})")
    return re.compile("|".join(parts))


_LEAD_RE = _scope_pattern("lead")
_TAIL_RE = _scope_pattern("tail")
_LINE_RE = _scope_pattern("line")

_LEAD_PARAGRAPHS = 3
_TAIL_PARAGRAPHS = 3
_LINE_MAX_CHARS = 200  # inserted junk lines are short; a long paragraph is never junk


def strip_volatile(paragraphs: Sequence[str]) -> tuple[str, ...]:
    """The paragraphs with typography normalised and volatile wrappers removed.

    Junk lines go first (wherever they are), so that a dateline or credit line is found even
    when an "Advertisement" line sits before or after it.
    """
    # typography over the whole body at once (one regex pass instead of one per paragraph);
    # U+001E (record separator) is not touched by NFKC nor by the mapping
    paras = [_spaces(p) for p in _typography("\x1e".join(paragraphs)).split("\x1e")]
    paras = [p for p in paras if p and not (len(p) <= _LINE_MAX_CHARS and _LINE_RE.match(p))]
    for i in range(min(_LEAD_PARAGRAPHS, len(paras))):
        match = _LEAD_RE.match(paras[i])
        if match:
            paras[i] = paras[i][match.end() :].strip()
            break  # one dateline or byline per story; what follows is body
    for i in range(max(0, len(paras) - _TAIL_PARAGRAPHS), len(paras)):
        if len(paras[i]) <= 2 * _LINE_MAX_CHARS and _TAIL_RE.match(paras[i]):
            paras[i] = ""
    return tuple(p for p in paras if p)


def _spaces(text: str) -> str:
    """Single spaces, no leading or trailing space (cheap when already so, the usual case)."""
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
        return " ".join(text.split())
    return text.strip()


def token_bytes(paragraphs: Sequence[str]) -> list[bytes]:
    """``tokens`` as UTF-8 bytes, the form that gets hashed (fast path, no decoding)."""
    text = " ".join(strip_volatile(paragraphs)).casefold()
    return text.encode("utf-8").translate(_SEPARATORS).split()


def line_tokens(paragraphs: Sequence[str]) -> tuple[list[bytes], np.ndarray, np.ndarray]:
    """``token_bytes`` with the line each word comes from: ``(words, line_of_word, lines)``.

    A line is a paragraph of the body after ``strip_volatile``; ``lines`` holds the xxh3-64
    hash of each distinct line's words (uint64, in order of first appearance) and
    ``line_of_word`` (uint16) each word's index into it. Lines are the unit in which a site's
    recurring text (menus, other stories' headlines, footers an extractor left in) is learned.
    """
    words: list[bytes] = []
    line_of_line: list[int] = []  # each non-empty paragraph's line index
    sizes: list[int] = []  # and its number of words
    index: dict[int, int] = {}
    # one casefold, encoding and separator pass over the whole body; its paragraphs (which
    # hold no U+001E: strip_volatile splits on it) are then cut apart again in bytes
    body = "\x1e".join(strip_volatile(paragraphs)).casefold().encode("utf-8")
    for para in body.translate(_LINE_SEPARATORS).split(b"\x1e"):
        ws = para.split()
        if not ws:
            continue
        h = xxhash.xxh3_64_intdigest(b" ".join(ws))
        line_of_line.append(index.setdefault(h, min(len(index), _MAX_LINES - 1)))
        sizes.append(len(ws))
        words.extend(ws)
    lines = np.fromiter(index, dtype=np.uint64, count=len(index))[:_MAX_LINES]
    return words, np.repeat(np.array(line_of_line, dtype=np.uint16), sizes), lines


_MAX_LINES = 1 << 16  # line indexes are uint16; lines past this share the last index


def tokens(paragraphs: Sequence[str]) -> list[str]:
    """The words of a body that get shingled: volatile wrappers stripped, case-folded,
    punctuation dropped.

    >>> tokens(["SEOUL (Reuters) - Kim’s “talks” went well.", "Advertisement"])
    ['kim', 's', 'talks', 'went', 'well']
    """
    return [t.decode("utf-8") for t in token_bytes(paragraphs)]


# --------------------------------------------------------------------------------------------
# The record


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Everything deduplication needs about one document; immutable, picklable, bytes only.

    ``shingles``: sorted unique 64-bit shingle hashes, little-endian ``<u8``.
    ``signature``: ``num_perm`` MinHash values, little-endian ``<u4`` (datasketch affine32).
    ``text_hash``: xxh3-64 (hex) of the normalised words; equal hashes mean exact copies.
    ``domain``, ``wire``, ``date``: the canonical policy's fields (``cleanfeed.dedup.canonical``).
    ``url``: the page's address, reported with the copies a kept document absorbed (also those
    from earlier runs of a persistent index); never compared.
    ``lines``: xxh3-64 hashes of the body's distinct lines (``<u8``, see ``line_tokens``);
    ``shingle_lines``: for each shingle, the index (``<u2``) of the line its first word is
    in. With them a site's recurring lines can be taken out of the comparison
    (``SiteLines``, ``Fingerprint.discounted``).
    ``discounted``: how many shingles ``discounted_by`` took out (0 for a page as
    fingerprinted); a discounted fingerprint has no ``signature`` (``lsh_keys`` signs its
    shingles).
    """

    doc_id: str
    text_hash: str
    n_tokens: int
    shingles: bytes
    signature: bytes
    domain: str | None = None
    wire: str | None = None
    date: str | None = None
    url: str | None = None
    lines: bytes = b""
    shingle_lines: bytes = b""
    discounted: int = 0

    @property
    def size(self) -> int:
        """Number of distinct shingles."""
        return len(self.shingles) // 8

    def shingle_array(self) -> np.ndarray:
        """The shingle hashes as a read-only uint64 array."""
        return np.frombuffer(self.shingles, dtype="<u8")

    def signature_array(self) -> np.ndarray:
        """The MinHash signature as a read-only uint32 array."""
        return np.frombuffer(self.signature, dtype="<u4")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (bytes as hex)."""
        return {
            "doc_id": self.doc_id,
            "text_hash": self.text_hash,
            "n_tokens": self.n_tokens,
            "shingles": self.shingles.hex(),
            "signature": self.signature.hex(),
            "domain": self.domain,
            "wire": self.wire,
            "date": self.date,
            "url": self.url,
            "lines": self.lines.hex(),
            "shingle_lines": self.shingle_lines.hex(),
            "discounted": self.discounted,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fingerprint:
        """Inverse of ``to_dict``."""
        return cls(
            doc_id=data["doc_id"],
            text_hash=data["text_hash"],
            n_tokens=int(data["n_tokens"]),
            shingles=bytes.fromhex(data["shingles"]),
            signature=bytes.fromhex(data["signature"]),
            domain=data.get("domain"),
            wire=data.get("wire"),
            date=data.get("date"),
            url=data.get("url"),
            lines=bytes.fromhex(data.get("lines", "")),
            shingle_lines=bytes.fromhex(data.get("shingle_lines", "")),
            discounted=int(data.get("discounted", 0)),
        )

    def line_keys(self) -> np.ndarray:
        """The body's lines as keys scoped to its site (uint64; empty without a domain): one
        line printed on two sites gives two keys, since each site's chrome is its own."""
        if not self.domain or not self.lines:
            return np.empty(0, dtype=np.uint64)
        site = np.uint64(xxhash.xxh3_64_intdigest(self.domain.encode("utf-8")))
        return _fmix64(np.frombuffer(self.lines, dtype="<u8") ^ site)

    def story_key(self) -> int:
        """Which story of its site this page is, for counting a line's distinct stories: its
        URL without scheme, query and fragment (a page fetched twice, or updated in place, is
        one story), else its doc id."""
        key = "id:" + self.doc_id
        if self.url:
            try:
                parts = urlsplit(self.url)
                key = (parts.hostname or "") + parts.path.rstrip("/")
            except ValueError:
                pass
        return xxhash.xxh3_64_intdigest(key.encode("utf-8")) & 0x7FFFFFFFFFFFFFFF

    def discounted_by(self, common: np.ndarray, keys: np.ndarray | None = None) -> Fingerprint:
        """This fingerprint without the shingles that start in one of its site's common lines
        (``common``: sorted line keys, see ``line_keys``); itself when none is common.
        ``keys``: ``self.line_keys()`` if the caller has it already.

        What is left is the page's own text: the evidence two pages are copies must come from
        it, not from what the site prints on every page.
        """
        if not len(common) or not self.shingle_lines:
            return self
        keys = self.line_keys() if keys is None else keys
        if not len(keys):
            return self
        pos = np.searchsorted(common, keys)
        pos[pos == len(common)] = 0
        is_common = common[pos] == keys
        if not is_common.any():
            return self
        drop = is_common[np.frombuffer(self.shingle_lines, dtype="<u2")]
        if not drop.any():  # the common lines start no shingle
            return self
        keep = ~drop
        return replace(
            self,
            shingles=self.shingle_array()[keep].tobytes(),
            signature=b"",  # the whole page's: ``lsh_keys`` signs what is left
            shingle_lines=np.frombuffer(self.shingle_lines, dtype="<u2")[keep].tobytes(),
            discounted=self.discounted + int(drop.sum()),
        )


# --------------------------------------------------------------------------------------------
# Hashing


def _firsts(ordered: np.ndarray) -> np.ndarray:
    """A mask of the first of each run of equal values in a sorted 1-D array."""
    keep = np.empty(len(ordered), dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return keep


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-D array, sorted: ``np.unique(values)`` by a sort and a mask.
    NumPy 2's ``np.unique`` hashes: on two million distinct int64 it took 13 times as long
    (1.4 s against 0.11 s, measured with numpy 2.4), and keys, shingles and candidate pairs are
    mostly distinct."""
    ordered: np.ndarray = np.sort(values, axis=None)
    out: np.ndarray = ordered[_firsts(ordered)]
    return out


def _fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (an avalanching bijection), on a uint64 array."""
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xFF51AFD7ED558CCD)
    x = x ^ (x >> np.uint64(33))
    x = x * np.uint64(0xC4CEB9FE1A85EC53)
    mixed: np.ndarray = x ^ (x >> np.uint64(33))
    return mixed


def _fmix32(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch applies it before its permutations."""
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x85EBCA6B)
    x = x ^ (x >> np.uint32(13))
    x = x * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = x ^ (x >> np.uint32(16))
    return mixed


# The constants below are pure functions of their arguments, computed once per process (a
# fingerprint is taken page by page, and drawing them again cost as much as the hashing);
# the cached arrays are read-only, so no caller can change what another one gets.


@lru_cache(maxsize=8)
def _multipliers(n: int) -> np.ndarray:
    """n distinct odd 64-bit constants, one per position in a shingle (splitmix64 of 1..n)."""
    with np.errstate(over="ignore"):
        x = (np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
        odd: np.ndarray = _fmix64(x) | np.uint64(1)
    odd.flags.writeable = False
    return odd


def _permutations(config: DedupConfig) -> tuple[np.ndarray, np.ndarray]:
    """datasketch 2.0 ``affine32`` permutation parameters for (num_perm, seed), as columns
    (num_perm, 1) ready to broadcast over a row of shingle hashes."""
    return _affine32(config.num_perm, config.seed)


@lru_cache(maxsize=8)
def _affine32(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a, b = a[:, None], b[:, None]
    a.flags.writeable = b.flags.writeable = False
    return a, b


def _domain(doc: CleanDoc) -> str | None:
    """The page's host without "www.", for the canonical policy; None when unknown."""
    try:
        host = urlsplit(doc.url).hostname if doc.url else None
    except ValueError:  # a malformed URL ("http://[::1") costs the policy field, not the doc
        host = None
    host = host or (doc.site if doc.site and "." in doc.site and " " not in doc.site else None)
    if not host:
        return None
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def fingerprint_batch(docs: Sequence[CleanDoc], config: DedupConfig) -> list[Fingerprint]:
    """Fingerprints of many documents at once (the fast path); same result as ``fingerprint``.

    Words are hashed once per distinct word of the batch, and the MinHash permutations run
    over the shingles of all documents together.
    """
    tokenised = [line_tokens(doc.paragraphs) for doc in docs]
    word_lists = [t[0] for t in tokenised]
    shingle_sets, shingle_lines = _shingles(word_lists, [t[1] for t in tokenised], config)
    signatures = minhash_signatures(shingle_sets, config)
    return [
        Fingerprint(
            doc_id=doc.id,
            text_hash=xxhash.xxh3_64_hexdigest(b" ".join(words)),
            n_tokens=len(words),
            shingles=shingles.astype("<u8", copy=False).tobytes(),
            signature=sig.astype("<u4", copy=False).tobytes(),
            domain=_domain(doc),
            wire=doc.wire,
            date=doc.date,
            url=doc.url,
            lines=lines.astype("<u8", copy=False).tobytes(),
            shingle_lines=where.astype("<u2", copy=False).tobytes(),
        )
        for doc, words, shingles, sig, (_, _, lines), where in zip(
            docs, word_lists, shingle_sets, signatures, tokenised, shingle_lines, strict=True)
    ]


def shingle_hash_sets(
    word_lists: Sequence[Sequence[bytes]], config: DedupConfig
) -> list[np.ndarray]:
    """Sorted unique uint64 shingle hashes of each word list (words as UTF-8 bytes).

    A shingle's hash is ``fmix64(sum_j xxh3_64(word_j) * M_j + width)`` over its ``width``
    words (``shingle_size``, or all words of a shorter body), with distinct odd constants
    ``M_j``. The whole batch is done in a few array operations: every word is hashed with xxh3
    (one C call per word, cheaper than finding the distinct words first), and shingles are
    combined over the concatenated word-hash array (those straddling two documents dropped).
    """
    return _shingles(word_lists, None, config)[0]


def _shingles(
    word_lists: Sequence[Sequence[bytes]],
    word_lines: Sequence[np.ndarray] | None,
    config: DedupConfig,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``shingle_hash_sets``, and with ``word_lines`` (each word's line) the line of each
    shingle's first word (its first occurrence's, for a shingle repeated in the body)."""
    k = config.shingle_size
    lengths = np.fromiter((len(w) for w in word_lists), dtype=np.int64, count=len(word_lists))
    empty16 = np.empty(0, dtype=np.uint16)
    if not lengths.sum():
        return [np.empty(0, dtype=np.uint64) for _ in word_lists], [empty16 for _ in word_lists]
    words = np.fromiter(map(xxhash.xxh3_64_intdigest, chain.from_iterable(word_lists)),
                        dtype=np.uint64, count=int(lengths.sum()))

    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    mult = _multipliers(k)
    count = max(len(words) - k + 1, 0)
    with np.errstate(over="ignore"):
        acc = words[:count] * mult[0]
        for j in range(1, k):
            acc += words[j : j + count] * mult[j]
        # the width is mixed in so that a short body never equals a prefix shingle
        full = _fmix64(acc + np.uint64(k))
    out, out_lines = [], []
    for d, (start, n) in enumerate(zip(starts.tolist(), lengths.tolist(), strict=True)):
        where = word_lines[d] if word_lines is not None else None
        if n >= k:
            raw = full[start : start + n - k + 1]
            if where is None:
                hashes, lines = np.sort(raw), empty16
            else:  # stable: the first occurrence of a repeated shingle comes first
                order = np.argsort(raw, kind="stable")
                hashes, lines = raw[order], where[: n - k + 1][order]
        elif n:  # a body shorter than one shingle is one shingle of all its words
            with np.errstate(over="ignore"):
                one = (words[start : start + n] * mult[:n]).sum(dtype=np.uint64) + np.uint64(n)
            hashes = _fmix64(np.array([one], dtype=np.uint64))
            lines = where[:1] if where is not None else empty16
        else:
            hashes, lines = np.empty(0, dtype=np.uint64), empty16
        if len(hashes) > 1:  # sorted unique, each hash with the line of its first shingle
            keep = _firsts(hashes)
            hashes = hashes[keep]
            if where is not None:
                lines = lines[keep]
        out.append(hashes)
        out_lines.append(lines)
    return out, out_lines


def fingerprint(doc: CleanDoc, config: DedupConfig) -> Fingerprint:
    """The fingerprint of one document (see ``fingerprint_batch`` for many)."""
    return fingerprint_batch([doc], config)[0]


# Work in slices of about this many shingles: the (num_perm, shingles) temporaries then stay
# in the CPU cache (1 MB each at 128 permutations).
_CHUNK_SHINGLES = 1 << 11


def minhash_signatures(shingle_sets: Sequence[np.ndarray], config: DedupConfig) -> np.ndarray:
    """MinHash signatures (n, num_perm) uint32 of many shingle sets, datasketch ``affine32``:
    each value is ``min(a * fmix32(low 32 bits of h) + b mod 2^32)`` over the set.

    All permutations of a slice of shingles are one (num_perm, shingles) array operation, and
    each set's minima one ``reduceat`` over its columns."""
    a, b = _permutations(config)
    out = np.full((len(shingle_sets), config.num_perm), 0xFFFFFFFF, dtype=np.uint32)
    nonempty = [i for i, s in enumerate(shingle_sets) if len(s)]
    start = 0
    while start < len(nonempty):
        stop, total = start, 0
        while stop < len(nonempty) and (total == 0 or total < _CHUNK_SHINGLES):
            total += len(shingle_sets[nonempty[stop]])
            stop += 1
        rows = nonempty[start:stop]
        parts = [shingle_sets[i] for i in rows]
        flat = parts[0] if len(parts) == 1 else np.concatenate(parts)
        hv = _fmix32((flat & _MASK32).astype(np.uint32))
        x = np.multiply(a, hv[None, :])  # uint32 arithmetic wraps: mod 2^32
        x += b
        if len(parts) == 1:
            out[rows[0]] = x.min(axis=1)
        else:
            offsets = np.zeros(len(parts), dtype=np.intp)
            np.cumsum([len(p) for p in parts[:-1]], out=offsets[1:])
            out[rows] = np.minimum.reduceat(x, offsets, axis=1).T
        start = stop
    return out


def band_keys_batch(signatures: np.ndarray, config: DedupConfig) -> np.ndarray:
    """LSH band keys (n, bands) uint64 of signatures (n, num_perm) uint32.

    Key = finalised positional combination of the band's rows and the band's index, so a key
    identifies (band, values) on its own (a shared key across bands is a 2^-64 accident).
    """
    sig = np.asarray(signatures, dtype=np.uint64)
    sig = sig.reshape(len(signatures), config.bands, config.rows)
    mult = _multipliers(config.rows + 1)
    with np.errstate(over="ignore"):
        acc = np.arange(config.bands, dtype=np.uint64)[None, :] * mult[config.rows]
        for r in range(config.rows):
            acc = acc + sig[:, :, r] * mult[r]
        return _fmix64(acc)


def band_keys(signature: bytes | np.ndarray, config: DedupConfig) -> np.ndarray:
    """LSH band keys of one signature: uint64 array of shape (bands,), key i for band i."""
    sig = np.frombuffer(signature, dtype="<u4") if isinstance(signature, bytes) else signature
    if len(sig) != config.num_perm:
        raise ValueError(f"signature has {len(sig)} values, the config expects {config.num_perm}")
    keys: np.ndarray = band_keys_batch(np.asarray(sig)[None, :], config)[0]
    return keys


# A page's first few long lines are LSH keys of their own, beside the MinHash bands: a copy
# that kept the story's first paragraphs is a candidate even where chrome an extractor left in
# makes up most of its shingles (and dilutes its MinHash far below the band threshold).
LEAD_LINES = 3
_LEAD_MIN_SHINGLES = 12  # a menu or a headline is shorter: not a lead line
_LEAD_SALT = np.uint64(0x6C65616431696E65)


def lead_keys(fp: Fingerprint) -> np.ndarray:
    """``LEAD_LINES`` uint64 keys: the hashes of the first lines carrying at least 12 of the
    page's shingles (site-independent, salted apart from band keys); a page with fewer such
    lines fills the rest with keys of its own id, which match nothing."""
    out = np.empty(LEAD_LINES, dtype=np.uint64)
    found = 0
    if fp.shingle_lines and fp.lines:
        lines = np.frombuffer(fp.lines, dtype="<u8")
        per_line = np.bincount(np.frombuffer(fp.shingle_lines, dtype="<u2"), minlength=len(lines))
        long = np.flatnonzero(per_line[: len(lines)] >= _LEAD_MIN_SHINGLES)[:LEAD_LINES]
        found = len(long)
        out[:found] = _fmix64(lines[long] ^ _LEAD_SALT)
    if found < LEAD_LINES:
        own = np.uint64(xxhash.xxh3_64_intdigest(("lead:" + fp.doc_id).encode("utf-8")))
        with np.errstate(over="ignore"):
            out[found:] = _fmix64(own + np.arange(found, LEAD_LINES, dtype=np.uint64))
    return out


def lsh_keys(fps: Sequence[Fingerprint], config: DedupConfig) -> np.ndarray:
    """The LSH keys (n, bands + LEAD_LINES) of fingerprints: MinHash band keys, then lead
    line keys. Two pages sharing any key are candidates.

    A discounted fingerprint (``Fingerprint.discounted_by``) is keyed by its own text: its
    band keys are those of the MinHash of the shingles left. With the whole page's, the
    chrome a site prints on every page would make its pages of distinct stories share
    band keys, and the pairs checked grow with the square of the site's pages."""
    if not fps:
        return np.empty((0, config.bands + LEAD_LINES), dtype=np.uint64)
    signatures = np.empty((len(fps), config.num_perm), dtype=np.uint32)
    own = [i for i, f in enumerate(fps) if f.discounted]
    whole = [i for i, f in enumerate(fps) if not f.discounted]
    if whole:
        signatures[whole] = np.stack([fps[i].signature_array() for i in whole])
    if own:
        signatures[own] = minhash_signatures([fps[i].shingle_array() for i in own], config)
    bands = band_keys_batch(signatures, config)
    return np.hstack([bands, np.stack([lead_keys(f) for f in fps])])
