"""The Spark engine (cleanfeed.spark) gives the local engine's outputs: the same kept pages,
the same duplicate_of and similarity for every page, the same canonical texts and reasons,
byte for byte in file outputs; its large-star/small-star components are the union-find
components, and the anti-chaining guard still splits a chain inside one component.

One Spark session (local[2], 4 shuffle partitions) is shared by every test. These tests need
PySpark and a Java runtime; they are not skipped when either is missing (deselect them with
``-m "not spark"``).
"""

from __future__ import annotations

import gzip
import importlib
import io
import itertools
import json
import pkgutil
import random
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession

import cleanfeed.spark
from benchmarks.syndication import Truth, generate
from cleanfeed import CleanDoc, Config, DedupConfig, RawDoc, decode_bytes, fingerprint_batch
from cleanfeed.dedup.cluster import cluster_fingerprints, linked, lsh_key, verify
from cleanfeed.dedup.cluster import connected_components as union_find
from cleanfeed.dedup.fingerprint import Fingerprint, lsh_keys
from cleanfeed.io import ReadOptions, read_inputs
from cleanfeed.io.writers import CLEAN_SCHEMA, MANIFEST_SCHEMA, RecordWriter
from cleanfeed.local.runner import extract_pages, run
from cleanfeed.page import refused
from cleanfeed.spark import run_spark, session, submit
from cleanfeed.spark.components import connected_components
from cleanfeed.spark.dedup import FINGERPRINT_COLUMNS, decide, edges
from cleanfeed.spark.pages import thaw

from .conftest import FIXTURES, SEEDS
from .test_doctests import run_examples

#: how both engines word a page refused for its id
DUPLICATE_ID = refused(RawDoc("any", b"")).failure

pytestmark = pytest.mark.spark

SOURCE = FIXTURES / "syndication" / "pages"


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    s = session("local[2]", app_name="cleanfeed-tests", conf={
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    })
    yield s
    s.stop()


# --------------------------------------------------------------------------------------------
# Running both engines into files


def run_local(inputs: Sequence[str | Path], clean: Path, manifest: Path, *, jobs: int = 0,
              options: ReadOptions | None = None, templates: bool = True) -> None:
    """What ``cleanfeed run --engine local`` writes."""
    with read_inputs(inputs, options or ReadOptions()) as pages, RecordWriter(clean, CLEAN_SCHEMA) as c, \
            RecordWriter(manifest, MANIFEST_SCHEMA) as m:
        for outcome in run(pages, Config(), jobs=jobs, templates=templates):
            m.write(outcome.manifest_row())
            row = outcome.clean_row()
            if row is not None:
                c.write(row)


def read_rows(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".parquet" or (path.is_dir() and path.name.endswith(".parquet")):
        rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
        return rows
    if path.is_dir():
        parts = sorted(p for p in path.iterdir() if p.name.startswith("part-"))
        return [json.loads(line) for p in parts for line in p.read_text(encoding="utf-8").splitlines()]
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def assert_same_outputs(local: tuple[Path, Path], spark: tuple[Path, Path]) -> None:
    """Same kept set, duplicate_of, similarities, reasons and canonical texts; same bytes."""
    (lc, lm), (sc, sm) = local, spark
    local_manifest, spark_manifest = read_rows(lm), read_rows(sm)
    assert [r["id"] for r in spark_manifest] == [r["id"] for r in local_manifest]
    for ours, theirs in zip(spark_manifest, local_manifest, strict=True):
        assert ours == theirs
    local_clean, spark_clean = read_rows(lc), read_rows(sc)
    assert {r["id"]: r["text"] for r in spark_clean} == {r["id"]: r["text"] for r in local_clean}
    assert spark_clean == local_clean
    assert sc.read_bytes() == lc.read_bytes()
    assert sm.read_bytes() == lm.read_bytes()


def both(spark: SparkSession, inputs: Sequence[str | Path], out: Path, clean: str = "clean.jsonl",
         manifest: str = "manifest.jsonl", *, jobs: int = 0, spark_inputs: Sequence[str | Path] | None = None,
         **kwargs: Any) -> tuple[tuple[Path, Path], tuple[Path, Path]]:
    (out / "local").mkdir(parents=True)
    (out / "spark").mkdir()
    local = (out / "local" / clean, out / "local" / manifest)
    theirs = (out / "spark" / clean, out / "spark" / manifest)
    run_local(inputs, *local, jobs=jobs, **kwargs)
    options = kwargs.get("options") or ReadOptions()
    run_spark(spark, spark_inputs or inputs, *theirs, read_options=options,
              templates=kwargs.get("templates", True))
    return local, theirs


# --------------------------------------------------------------------------------------------
# Fixtures: real pages


@pytest.fixture(scope="session")
def syndication(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Truth]:
    """2,000 generated pages (real stories copied into real pages' chrome, HTML and text
    dumps, with their URLs) as eight JSONL files, two of them gzipped."""
    out = tmp_path_factory.mktemp("syndication")
    truth = generate(out / "corpus", 2000, seed=7, source_root=SOURCE, seeds_root=SEEDS)
    files = [out / (f"part{i}.jsonl.gz" if i % 4 == 3 else f"part{i}.jsonl") for i in range(8)]
    lines: list[list[str]] = [[] for _ in files]
    for n, (name, page) in enumerate(sorted(truth.pages.items())):
        text = decode_bytes((out / "corpus" / "pages" / name).read_bytes())
        record = {"id": name, "url": page.url or None, "html" if page.kind == "html" else "text": text}
        lines[n * len(files) // len(truth.pages)].append(json.dumps(record, ensure_ascii=False))
    for path, chunk in zip(files, lines, strict=True):
        data = ("\n".join(chunk) + "\n").encode("utf-8")
        path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    return files, truth


def story_html(paragraphs: Sequence[str], title: str = "A story") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


def gold_paragraphs(name: str) -> list[str]:
    return [p for p in (SEEDS / "gold" / name).read_text(encoding="utf-8").split("\n\n") if p.strip()]


@pytest.fixture(scope="session")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Inputs with everything the manifest must account for: duplicate ids (after a page and
    after an unreadable line), lines that are not JSON or have no content, an empty body,
    a WARC, a gzipped JSONL, text dumps of one site without URLs, and copies across files."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = tmp_path_factory.mktemp("awkward")
    seeds = sorted((SEEDS / "raw").glob("*.txt"))
    one, two = gold_paragraphs(seeds[0].name), gold_paragraphs(seeds[1].name)
    lines = [
        {"id": "a", "url": "https://www.reuters.com/world/a", "html": story_html(one, "Talks resume")},
        {"id": "a", "url": "https://example.com/other", "html": story_html(two, "Other")},
        "this line is not JSON",
        {"id": "b", "html": "<html><body><nav>Home</nav></body></html>"},
        {"id": "c", "text": seeds[2].read_text(encoding="utf-8")},
        {"id": "d", "body": "no html or text field"},
        {"id": "d", "html": story_html(two, "After a failure")},
        {"id": "e", "url": "https://news.example.org/e", "html": story_html(one[:-1], "Trimmed copy")},
        {"url": "https://blog.example.net/f", "html": story_html(two, "No id")},
    ]
    feed = out / "feed.jsonl"
    feed.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
                    encoding="utf-8")
    more = [{"id": "a", "html": story_html(one)}, {"id": "g", "text": seeds[3].read_text(encoding="utf-8")},
            {"id": "h", "url": "https://mirror.example.com/h", "html": story_html(one, "Mirror")}]
    (out / "more.jsonl.gz").write_bytes(gzip.compress(
        ("\n".join(json.dumps(x) for x in more) + "\n").encode(), mtime=0))
    warc = out / "crawl.warc.gz"
    with warc.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for url, paras in (("https://apnews.com/article/1", two), ("https://copy.example.com/1", two[:-1])):
            body = story_html(paras, "Wire story").encode("utf-8")
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
    tables = out / "tables"  # Parquet: a table of pages (two row groups) and a damaged file
    tables.mkdir()
    pq.write_table(pa.Table.from_pylist(parquet_records()), tables / "pages.parquet", row_group_size=2)
    (tables / "broken.parquet").write_bytes(b"PAR1 this is not a Parquet table")
    twins = out / "twins.jsonl"
    twins.write_text("".join(json.dumps(p) + "\n" for p in twin_pages()), encoding="utf-8")
    return [feed, out / "more.jsonl.gz", warc, tables, twins, SEEDS / "raw"]


def parquet_records() -> list[dict[str, str | None]]:
    seeds = sorted((SEEDS / "raw").glob("*.txt"))
    one = gold_paragraphs(seeds[0].name)
    return [
        {"id": "p1", "url": "https://www.example.com/p1", "html": story_html(one), "text": None},
        {"id": None, "url": None, "html": None, "text": seeds[1].read_text(encoding="utf-8")},
        {"id": "p3", "url": "", "html": "", "text": seeds[2].read_text(encoding="utf-8")},
        {"id": "p1", "url": None, "html": story_html(one[:-1]), "text": None},
        {"id": "p5", "url": "https://copy.example.com/p5", "html": None, "text": None},
        {"id": "p6", "url": "https://copy.example.com/p6", "html": story_html(one[:-1]), "text": None},
    ]


def twin_pages() -> list[dict[str, str]]:
    """R (site two) and T (site one) carry one text; X, on site two, is a near copy of it."""
    paras = random_paragraphs(12, seed=3)
    return [
        {"id": "b-rep", "url": "https://site2.example/r", "html": story_html(paras[:10], "One story")},
        {"id": "a-twin", "url": "https://site1.example/t", "html": story_html(paras[:10], "One story")},
        {"id": "c-x", "url": "https://site2.example/x", "html": story_html(paras[:8] + paras[10:], "One story")},
        {"id": "d-dump", "url": "https://site3.example/d", "text": "\n\n".join(paras[:10])},
    ]


# --------------------------------------------------------------------------------------------
# The engines agree


def test_a_syndication_corpus_gives_the_local_clusters_and_canonical_texts(
    spark: SparkSession, syndication: tuple[list[Path], Truth], tmp_path: Path
) -> None:
    files, truth = syndication
    local, theirs = both(spark, files, tmp_path, "clean.jsonl", "manifest.jsonl", jobs=2)
    assert_same_outputs(local, theirs)
    manifest = read_rows(theirs[1])
    assert len(manifest) == len(truth.pages) == 2000
    statuses = [r["status"] for r in manifest]
    # a corpus that exercises the comparison: copies, of HTML and text dumps alike. (Built from
    # fourteen pages on four sites, most copies of a story share a site under other URLs; a
    # line on three URLs of one site is that site's common text, so most stay apart.)
    assert statuses.count("duplicate") > 20 and statuses.count("kept") >= 40
    kinds = {truth.pages[r["id"]].kind for r in manifest if r["status"] == "duplicate"}
    assert kinds == {"html", "text"}
    clean = read_rows(theirs[0])
    assert sum(len(r["copies"]) for r in clean) == statuses.count("duplicate")
    assert all(r["copies"] == sorted(r["copies"], key=lambda c: c["id"]) for r in clean)


@pytest.fixture(scope="session")
def awkward_runs(spark: SparkSession, awkward: list[Path], tmp_path_factory: pytest.TempPathFactory
                 ) -> tuple[tuple[Path, Path], tuple[Path, Path]]:
    """The awkward inputs through both engines: clean feed as Parquet, manifest gzipped."""
    return both(spark, awkward, tmp_path_factory.mktemp("awkward-runs"), "clean.parquet", "manifest.jsonl.gz")


def test_every_drop_reason_and_duplicate_id_as_the_local_runner_words_it(
    awkward_runs: tuple[tuple[Path, Path], tuple[Path, Path]]
) -> None:
    local, theirs = awkward_runs
    assert_same_outputs(local, theirs)
    rows = read_rows(theirs[1])
    dropped = {(r["id"], r["reason"].split(":")[0]) for r in rows if r["status"] == "dropped"}
    assert ("a", "duplicate id") in dropped  # a later page, and the one in another file
    assert ("d", "duplicate id") in dropped  # its id was first seen on an unreadable line
    assert ("b", "empty body") in dropped
    assert ("feed.jsonl:3", "corrupt container") in dropped
    statuses = {r["id"]: r["status"] for r in rows}
    assert statuses["h"] == "duplicate" and statuses["feed.jsonl:9"] in ("kept", "duplicate")
    assert "https://copy.example.com/1" in {r["url"] for r in rows if r["status"] == "duplicate"}


def test_datasets_from_one_partition_hold_the_local_rows(
    spark: SparkSession, awkward: list[Path], awkward_runs: tuple[tuple[Path, Path], tuple[Path, Path]],
    tmp_path: Path
) -> None:
    """Written by Spark's own writers, from a single input partition: the same rows, in order."""
    (local_clean, local_manifest), _ = awkward_runs
    clean_dir, manifest_dir = tmp_path / "clean.parquet", tmp_path / "manifest"
    run_spark(spark, awkward, f"{clean_dir}/", f"{manifest_dir}/", partitions=1)
    assert (clean_dir / "_SUCCESS").exists() and (manifest_dir / "_SUCCESS").exists()
    assert read_rows(clean_dir) == read_rows(local_clean)
    assert read_rows(manifest_dir) == read_rows(local_manifest)
    assert pq.read_schema(next(clean_dir.glob("part-*.parquet"))).names == CLEAN_SCHEMA.names


def test_a_directory_that_is_not_a_previous_output_is_refused_before_any_work(
    spark: SparkSession, tmp_path: Path
) -> None:
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="previous Spark output"):
        run_spark(spark, [SEEDS / "raw"], f"{tmp_path / 'precious'}/", tmp_path / "m.jsonl")
    assert (tmp_path / "precious" / "notes.txt").exists() and not (tmp_path / "m.jsonl").exists()


def test_text_dumps_without_templates_also_agree(spark: SparkSession, awkward: list[Path], tmp_path: Path) -> None:
    local, theirs = both(spark, awkward, tmp_path, templates=False)
    assert_same_outputs(local, theirs)


def test_parquet_tables_are_read_as_the_local_reader_reads_them(
    awkward_runs: tuple[tuple[Path, Path], tuple[Path, Path]]
) -> None:
    local, theirs = awkward_runs
    assert_same_outputs(local, theirs)
    rows = [r for r in read_rows(theirs[1]) if r["id"].startswith(("p", "broken.parquet"))]
    assert [r["id"] for r in rows] == ["broken.parquet:1", "p1", "pages.parquet:2", "p3", "p1", "p5", "p6"]
    assert rows[0]["status"] == "dropped" and rows[4]["reason"] == DUPLICATE_ID
    assert rows[5]["status"] == "dropped" and rows[6]["status"] == "duplicate"


def test_the_spark_submit_entry_point_gives_the_local_files_for_the_seeds(
    spark: SparkSession, tmp_path: Path
) -> None:
    """``cleanfeed run --engine spark`` under spark-submit's names: the caller's session is used."""
    run_local([SEEDS / "raw"], tmp_path / "local.jsonl", tmp_path / "local-manifest.jsonl")
    err = io.StringIO()
    code = submit.main([str(SEEDS / "raw"), "-o", str(tmp_path / "clean.jsonl"), "--manifest",
                        str(tmp_path / "manifest.jsonl"), "--partitions", "2", "--stats",
                        str(tmp_path / "stats.json")], stderr=err)
    assert code == 0
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["pages"] == 5 and stats["statuses"] == {"kept": 5}
    assert err.getvalue().startswith("cleanfeed run: 5 pages")
    assert_same_outputs((tmp_path / "local.jsonl", tmp_path / "local-manifest.jsonl"),
                        (tmp_path / "clean.jsonl", tmp_path / "manifest.jsonl"))
    assert spark.range(3).count() == 3  # the caller's session is left running


def test_python_m_cleanfeed_spark_documents_its_arguments() -> None:
    done = subprocess.run([sys.executable, "-m", "cleanfeed.spark", "--help"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0
    for flag in ("--manifest", "--master", "--partitions", "--conf", "--stats", "--max-page-mb"):
        assert flag in done.stdout
    # the arguments are cleanfeed run's own definitions, help texts included
    run_help = subprocess.run([sys.executable, "-m", "cleanfeed", "run", "--help"], capture_output=True,
                              text=True, timeout=60, check=False).stdout
    def options(text: str) -> set[str]:
        return {w.strip(",[]") for w in text.split() if w.startswith(("--", "[--"))}

    spark_options = {"--engine", "--spark-master", "--spark-conf", "--master", "--conf"}
    assert options(run_help) - spark_options == options(done.stdout) - spark_options
    assert "--jobs" in options(done.stdout) and {"--master", "--conf"} <= options(done.stdout)


def test_the_spark_engines_docstring_examples_run_with_a_session(spark: SparkSession) -> None:
    names = [m.name for m in pkgutil.walk_packages(cleanfeed.spark.__path__, "cleanfeed.spark.")]
    tried = sum(run_examples(importlib.import_module(n), {"spark": spark})[0] for n in ["cleanfeed.spark", *names])
    assert tried >= 2


# --------------------------------------------------------------------------------------------
# Components and the anti-chaining guard


def test_large_star_small_star_finds_the_union_find_components(spark: SparkSession) -> None:
    rng = random.Random(5)
    path = list(range(100, 260))
    rng.shuffle(path)  # a long chain in scrambled order: the worst case for label propagation
    pairs = list(itertools.pairwise(path))
    pairs += [(rng.randrange(300, 400), rng.randrange(300, 400)) for _ in range(120)]  # random graph
    pairs += [(500 + i, 500) for i in range(1, 30)] + [(600, 601), (601, 600), (602, 602)]
    df = spark.createDataFrame(pairs, "src bigint, dst bigint")
    got = {r["node"]: r["component"] for r in connected_components(df).collect()}
    nodes = sorted({n for p in pairs for n in p if p[0] != p[1]})
    index = {n: i for i, n in enumerate(nodes)}
    labels = union_find(len(nodes), [(index[a], index[b]) for a, b in pairs if a != b])
    assert got == {n: nodes[labels[index[n]]] for n in nodes}


def random_paragraphs(n: int, seed: int) -> list[str]:
    """Paragraphs of 30 made-up words: no two share a shingle by accident."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7)) for _ in range(3000)]
    return [" ".join(rng.choice(vocab) for _ in range(30)).capitalize() + "." for _ in range(n)]


def chain_docs() -> list[CleanDoc]:
    """Five texts, each sharing 8 of its 10 paragraphs with the next: neighbours are copies
    (containment 0.8), texts two apart are not (0.6), so all five are one component."""
    paragraphs = random_paragraphs(18, seed=11)
    return [CleanDoc(f"chain-{k}", tuple(paragraphs[2 * k: 2 * k + 10]), url=f"https://site{k}.example/s")
            for k in range(5)]


def fingerprint_frame(spark: SparkSession, fps: Sequence[Fingerprint], config: DedupConfig) -> Any:
    bands = lsh_keys(fps, config).view(np.int64)
    rows = [(i, f.doc_id, 0, 0, i, f.text_hash, f.n_tokens, f.shingles, f.domain, f.wire, f.date, f.url,
             f.lines, f.shingle_lines, bands[i].tolist(), lsh_key(f, config))
            for i, f in enumerate(fps)]
    schema = ("node bigint, id string, feed_pass int, file int, record bigint, text_hash string, "
              "n_tokens int, shingles binary, domain string, fp_wire string, fp_date string, "
              "fp_url string, fp_lines binary, fp_shingle_lines binary, bands array<bigint>, "
              "lsh_key string")
    return spark.createDataFrame(rows, schema).select(*FINGERPRINT_COLUMNS)


def test_a_chain_is_one_component_but_not_one_cluster(spark: SparkSession) -> None:
    config = DedupConfig()
    fps = fingerprint_batch(chain_docs(), config)
    frame = fingerprint_frame(spark, fps, config)
    edge_frame = edges(frame, config)
    found = {(r["dst"], r["src"]) for r in edge_frame.collect()}
    # components are linked loosely (``linked``); the chain's neighbours are among them
    assert {(0, 1), (1, 2), (2, 3), (3, 4)} <= found
    assert all(linked(fps[i], fps[j], config) for i, j in found)
    labels = connected_components(edge_frame).persist()
    assert {r["component"] for r in labels.collect()} == {0}
    got = {r["node"]: r for r in decide(frame, labels, config).collect()}
    labels.unpersist()
    reference = cluster_fingerprints(fps, config)
    for i, d in enumerate(reference):
        assert thaw(got[i]["decision"]) == d
        assert (got[i]["status"], got[i]["canonical_id"]) == (d.status, d.canonical_id)
    # transitive closure would make the five one story; each copy matches its own canonical
    canonical = {d.doc_id: d.canonical_id for d in reference}
    assert canonical["chain-0"] != canonical["chain-4"]
    by_id = {f.doc_id: f for f in fps}
    for d in reference:
        assert d.status == "kept" or verify(by_id[d.doc_id], by_id[d.canonical_id], config) is not None


def test_exact_twins_on_two_sites_enter_lsh_as_the_local_deduplicator_puts_them(
    awkward: list[Path], awkward_runs: tuple[tuple[Path, Path], tuple[Path, Path]]
) -> None:
    """R (site two) and T (site one) carry one text; X, on site two, is a near copy. R and X,
    on one site, need the same-site containment (0.95) they do not have, while T and X match:
    each site's first copy of a text is in LSH, so X finds T whichever copy comes first, in
    both engines, as ``cluster_fingerprints`` (every page in LSH) says."""
    local, theirs = awkward_runs
    assert_same_outputs(local, theirs)
    ids = {r["id"] for r in read_rows(theirs[1])}
    assert {"b-rep", "a-twin", "c-x", "d-dump"} <= ids
    # the case arises on the extracted pages: T and X are copies, R and X are not
    with read_inputs([p for p in awkward if p.name == "twins.jsonl"]) as items:
        extracted = {r.id: r.doc for r in extract_pages(items, jobs=0) if r.doc is not None}
    config = DedupConfig()
    fps = {f.doc_id: f for f in fingerprint_batch(list(extracted.values()), config)}
    assert fps["b-rep"].text_hash == fps["a-twin"].text_hash
    assert verify(fps["a-twin"], fps["c-x"], config) is not None
    assert verify(fps["b-rep"], fps["c-x"], config) is None
    manifest = {r["id"]: r for r in read_rows(theirs[1])}
    assert manifest["c-x"]["status"] == "duplicate"
    assert manifest["c-x"]["duplicate_of"] in ("a-twin", "b-rep", "d-dump")
