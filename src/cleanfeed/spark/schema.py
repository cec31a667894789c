"""The columns of the frames the Spark engine passes between its stages, defined once.

Each schema is an Arrow schema (what the per-partition functions in ``cleanfeed.spark.pages``
and ``cleanfeed.spark.dedup`` build and read) and, through ``ddl``, the Spark schema string
``mapInArrow``/``applyInArrow`` are given: one definition, so the two cannot drift apart.

The engine-neutral records (``PageResult``, ``Decision``) travel pickled, as the local
runner ships them between processes: the outputs are built from them by the local engine's
own ``Outcome`` (``cleanfeed.spark.pages.manifest_rows``/``clean_rows``), so no column here
restates an output; the output rows are the writers' schemas plus the order key.

Hashes are carried as little-endian bytes (``binary``), as ``Fingerprint`` holds them: Spark
has no unsigned 64-bit type, and bytes round-trip exactly. Band keys are the exception: they
are joined on, so they travel as ``bigint`` (the uint64 key reinterpreted, not converted).
"""

from __future__ import annotations

import pyarrow as pa

from ..io.writers import CLEAN_SCHEMA, MANIFEST_SCHEMA

__all__ = [
    "CLEAN_ROWS",
    "COMPONENT",
    "DECISION",
    "EDGE",
    "FILE",
    "LINE",
    "MANIFEST_ROWS",
    "PAGE",
    "PAIR",
    "TEMPLATE",
    "TEMPLATE_INPUT",
    "column_type",
    "ddl",
]

#: the order key of a page: (file index in ``list_files`` order, record index in the file)
ORDER = [("file", pa.int32()), ("record", pa.int64())]

#: one input file (the driver's ``list_files``, distributed): its absolute path, which
#: executors open, and the path as the user gave it, which messages name
FILE = pa.schema([("file", pa.int32()), ("path", pa.string()), ("given", pa.string()),
                  ("name", pa.string())])

#: one input page after pass 1 (and, for a pending page, after pass 2). ``stage``: "read" (a
#: ReadFailure), "done" (extracted, ``status`` set), "text" (pending, waiting for pass 2:
#: a page waiting for its site's template: its raw record or extracted document, and its
#: template features, are set instead of the result), "refused" (its id an earlier page has:
#: the result is ``page.refused``'s).
PAGE = pa.schema([
    *ORDER,
    ("id", pa.string()),
    ("url", pa.string()),
    ("stage", pa.string()),
    ("status", pa.string()),  # the PageResult's
    ("result", pa.binary()),  # the PageResult, pickled
    # its Fingerprint (an "ok" page), its LSH band keys and ``cluster.lsh_key``
    ("text_hash", pa.string()),
    ("n_tokens", pa.int32()),
    ("shingles", pa.binary()),
    ("signature", pa.binary()),
    ("domain", pa.string()),
    ("fp_wire", pa.string()),
    ("fp_date", pa.string()),
    ("fp_url", pa.string()),
    ("fp_lines", pa.binary()),
    ("fp_shingle_lines", pa.binary()),
    ("bands", pa.list_(pa.int64())),
    # an extracted document's url and site: the run names each host once (metadata.site_names)
    ("doc_url", pa.string()),
    ("doc_site", pa.string()),
    ("lsh_key", pa.string()),
    # a page waiting for pass 2: the RawDoc as read (a text dump) or its extracted document
    # (an HTML page), and its template features
    ("raw_text", pa.string()),
    ("raw_bytes", pa.binary()),
    ("raw_source", pa.string()),
    ("raw_charset", pa.string()),
    ("raw_doc", pa.binary()),  # an HTML page's extracted CleanDoc, pickled (for its templates)
    ("site_keys", pa.list_(pa.string())),
    ("f_lines", pa.binary()),
    ("f_pairs", pa.binary()),
    ("f_signature", pa.binary()),
    ("f_sizes", pa.binary()),
])

#: what the template learner reads per site key: one text dump's features
TEMPLATE_INPUT = pa.schema([
    ("key", pa.string()),
    *ORDER,
    ("site_keys", pa.list_(pa.string())),
    ("f_lines", pa.binary()),
    ("f_pairs", pa.binary()),
    ("f_signature", pa.binary()),
    ("f_sizes", pa.binary()),
])

#: one learned site template (``SiteTemplate``)
TEMPLATE = pa.schema([
    ("key", pa.string()),
    ("pages", pa.int32()),
    ("lines", pa.binary()),
    ("pairs", pa.binary()),
])

#: a candidate pair with what ``verify`` reads of each side
PAIR = pa.schema([
    ("a", pa.int64()),
    ("b", pa.int64()),
    ("a_text_hash", pa.string()),
    ("a_n_tokens", pa.int32()),
    ("a_shingles", pa.binary()),
    ("a_domain", pa.string()),
    ("b_text_hash", pa.string()),
    ("b_n_tokens", pa.int32()),
    ("b_shingles", pa.binary()),
    ("b_domain", pa.string()),
])

#: an undirected edge between two pages' nodes, stored as (larger, smaller)
EDGE = pa.schema([("src", pa.int64()), ("dst", pa.int64())])

#: what ``resolve_component`` reads of one member (``Fingerprint`` without its signature)
COMPONENT = pa.schema([
    ("component", pa.int64()),
    ("node", pa.int64()),
    ("id", pa.string()),
    ("text_hash", pa.string()),
    ("n_tokens", pa.int32()),
    ("shingles", pa.binary()),
    ("domain", pa.string()),
    ("fp_wire", pa.string()),
    ("fp_date", pa.string()),
    ("fp_url", pa.string()),
    ("fp_lines", pa.binary()),
    ("fp_shingle_lines", pa.binary()),
    ("common", pa.list_(pa.int64())),  # its lines that are its site's common text (line keys)
])

#: one line of a page with a site: its site-scoped line key and the page's story key
LINE = pa.schema([("node", pa.int64()), ("key", pa.int64()), ("story", pa.int64())])

#: the decision of one page with a body: the ``Decision`` pickled, and what is joined on
DECISION = pa.schema([
    ("node", pa.int64()),
    ("status", pa.string()),
    ("canonical_id", pa.string()),
    ("decision", pa.binary()),
])

#: the manifest rows (``Outcome.manifest_row``), their order key, and why a dropped page was
#: dropped (``PageResult.reason``: the run's counts by reason)
MANIFEST_ROWS = pa.schema([("node", pa.int64()), *MANIFEST_SCHEMA, ("dropped_by", pa.string())])

#: the clean-feed rows (``Outcome.clean_row``) and their order key
CLEAN_ROWS = pa.schema([("node", pa.int64()), *CLEAN_SCHEMA])


def column_type(schema: pa.Schema, name: str) -> str:
    """The Spark DDL type of one column of a schema."""
    return _ddl_type(schema.field(name).type)


def ddl(schema: pa.Schema) -> str:
    """The Spark DDL string of an Arrow schema (the types used above only)."""
    return ", ".join(f"`{f.name}` {_ddl_type(f.type)}" for f in schema)


def _ddl_type(t: pa.DataType) -> str:
    simple = {
        pa.string(): "string",
        pa.binary(): "binary",
        pa.int32(): "int",
        pa.int64(): "bigint",
        pa.float64(): "double",
    }
    if t in simple:
        return simple[t]
    if pa.types.is_list(t):
        return f"array<{_ddl_type(t.value_type)}>"
    if pa.types.is_struct(t):
        fields = ", ".join(f"`{f.name}`: {_ddl_type(f.type)}" for f in t)
        return f"struct<{fields}>"
    raise TypeError(f"no Spark type for Arrow {t}")
