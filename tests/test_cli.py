"""The ``cleanfeed`` command: the quick start, every input format (gzipped or not, mixed in one
directory, on stdin), bad input recorded as dropped, reproducible outputs, incremental runs,
Parquet, --explain, exit codes."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from benchmarks.syndication import generate
from cleanfeed import DedupConfig, SqliteStore
from cleanfeed.cli import main
from cleanfeed.io import CLEAN_SCHEMA, MANIFEST_SCHEMA

from .builders import Rec, build_warc, jsonl, response, rid
from .conftest import FIXTURES, ROOT, SEEDS

GOLD_META = json.loads((SEEDS / "gold" / "metadata.json").read_text(encoding="utf-8"))
# small pages with their sites' chrome, written for the tests (tests/fixtures/syndication)
HTML = [gzip.decompress(p.read_bytes())
        for p in sorted((FIXTURES / "syndication" / "pages" / "html").glob("*.html.gz"))]
DUMPS = sorted((SEEDS / "raw").glob("*.txt"))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def cli(*args: str | Path) -> int:
    return main([str(a) for a in args], stderr=io.StringIO())


# the subprocesses run in a temporary directory: a relative PYTHONPATH=src would not find this
# checkout's code there
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [str(ROOT / "src"), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])}


def cleanfeed_command() -> list[str]:
    """The installed console script (what the README's quick start runs)."""
    script = shutil.which("cleanfeed", path=os.path.dirname(sys.executable) + os.pathsep
                          + os.environ.get("PATH", ""))
    return [script] if script else [sys.executable, "-m", "cleanfeed"]


def test_quick_start_gives_five_kept_stories_with_the_gold_bodies(tmp_path: Path) -> None:
    done = subprocess.run(
        [*cleanfeed_command(), "run", str(SEEDS / "raw"), "-o", "clean.jsonl",
         "--manifest", "manifest.jsonl"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=ENV)
    assert done.returncode == 0, done.stderr
    assert "5 kept" in done.stderr  # the summary
    manifest = read_jsonl(tmp_path / "manifest.jsonl")
    assert [m["id"] for m in manifest] == [p.name for p in DUMPS]
    assert {m["status"] for m in manifest} == {"kept"}
    clean = read_jsonl(tmp_path / "clean.jsonl")
    assert [list(row) for row in clean] == [CLEAN_SCHEMA.names] * 5
    for row in clean:
        gold = (SEEDS / "gold" / row["id"]).read_text(encoding="utf-8")
        assert row["text"].split() == gold.split()
        assert {k: row[k] for k in ("title", "author", "date", "wire")} == GOLD_META[row["id"]]


def test_extract_writes_one_record_per_page(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert cli("extract", SEEDS / "raw", "-o", out, "--jobs", "0") == 0
    records = read_jsonl(out)
    assert [r["id"] for r in records] == [p.name for p in DUMPS]
    for r in records:
        assert list(r) == ["id", "url", "status", "title", "author", "date", "wire", "site",
                           "text", "error"]
        assert r["status"] == "ok" and r["error"] is None
        assert r["text"].split() == (SEEDS / "gold" / r["id"]).read_text(encoding="utf-8").split()


def test_extract_tells_html_from_text_by_content_and_the_flag_forces_it(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_bytes(HTML[0])  # HTML under a .txt name
    out = tmp_path / "out.jsonl"
    assert cli("extract", tmp_path / "page.txt", "-o", out, "--jobs", "0") == 0
    as_html = read_jsonl(out)[0]["text"]
    assert "<" not in as_html and as_html
    assert cli("extract", tmp_path / "page.txt", "-o", out, "--jobs", "0", "--kind", "text") == 0
    assert read_jsonl(out)[0]["text"] != as_html


def _corpus(root: Path) -> dict[str, str]:
    """Every input format, plain and gzipped, and every kind of bad input, in one directory
    tree. Returns the expected manifest: page id -> status ("ok" for readable pages)."""
    root.mkdir(parents=True)
    expect: dict[str, str] = {}

    def page(name: str, data: bytes, status: str = "ok") -> None:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
        expect[name] = status

    page("html/a.html", HTML[0])
    page("html/b.htm.gz", gzip.compress(HTML[1]))
    page("dumps/c.txt", DUMPS[0].read_bytes())
    page("dumps/d.txt.gz", gzip.compress(DUMPS[1].read_bytes()))
    rows = jsonl({"id": "j-html", "url": "https://a.example/1", "html": HTML[2].decode()},
                 {"id": "j-text", "url": "https://b.example/1", "text": DUMPS[2].read_text()})
    (root / "feed.jsonl").write_bytes(rows)
    (root / "feed2.jsonl.gz").write_bytes(gzip.compress(
        jsonl({"id": "j2-text", "text": DUMPS[3].read_text()},
              b"{this is not json",
              b'{"id": "bad-utf8", "text": "caf\xe9"}')))
    expect.update({"j-html": "ok", "j-text": "ok", "j2-text": "ok", "feed2.jsonl.gz:2": "dropped",
                   "feed2.jsonl.gz:3": "dropped"})  # not UTF-8: its id cannot be read
    warc, _ = build_warc([response(1, HTML[3]),
                          Rec("request", "https://news.example/1")], gz=False)
    (root / "crawl.warc").write_bytes(warc)
    expect[rid(1)] = "ok"
    gz_warc, offsets = build_warc([response(11, HTML[4]),
                                   response(12, HTML[5]),
                                   response(13, HTML[0])], gz=True, first_id=11)
    # damage the middle record: its gzip member is cut in half, the reader resumes after it
    cut = gz_warc[: offsets[1] + 40] + gz_warc[offsets[2]:]
    (root / "crawl.warc.gz").write_bytes(cut)
    expect.update({rid(11): "ok", rid(13): "ok"})
    wet, _ = build_warc([Rec("conversion", "https://w.example/9", DUMPS[4].read_bytes(), http=None,
                             warc_content_type="text/plain")], gz=False, first_id=21)
    (root / "text.warc.wet").write_bytes(wet)
    wet_gz, _ = build_warc([Rec("conversion", "https://w.example/8", DUMPS[0].read_bytes(),
                                http=None, warc_content_type="text/plain")], gz=True, first_id=31)
    (root / "text2.warc.wet.gz").write_bytes(wet_gz)
    expect.update({rid(21): "ok", rid(31): "ok"})
    page("bad/truncated.html.gz", gzip.compress(HTML[1])[:300], "dropped")
    page("bad/binary.bin", bytes(range(256)) * 40, "dropped")
    page("bad/empty.html", b"", "dropped")
    with open(root / "bad" / "huge.html", "wb") as f:  # 50 MB (sparse): over the 20 MB budget
        f.truncate(50 * 1024 * 1024)
    expect["bad/huge.html"] = "dropped"
    return expect


def test_every_input_format_mixed_gives_exactly_one_manifest_line_per_page(tmp_path: Path) -> None:
    expect = _corpus(tmp_path / "dump")
    out = tmp_path / "out"
    out.mkdir()
    code = cli("run", tmp_path / "dump", "-o", out / "clean.jsonl", "--manifest",
               out / "manifest.jsonl", "--jobs", "0")
    assert code == 0
    manifest = read_jsonl(out / "manifest.jsonl")
    assert all(list(m) == MANIFEST_SCHEMA.names for m in manifest)
    by_id = {m["id"]: m for m in manifest}
    assert len(by_id) == len(manifest)  # every page exactly once
    damaged = set(by_id) - set(expect)  # the cut WARC record, under its id or its offset
    assert set(expect) <= set(by_id) and len(damaged) == 1
    for page_id, status in expect.items():  # pages from each format came through
        assert (by_id[page_id]["status"] != "dropped") == (status == "ok"), by_id[page_id]
    reasons = {i: m["reason"].split(":")[0] for i, m in by_id.items() if m["status"] == "dropped"}
    assert reasons["bad/truncated.html.gz"] == "corrupt container"
    assert reasons["bad/binary.bin"] == "decode failure"
    assert reasons["bad/empty.html"] == "empty body"
    assert reasons["bad/huge.html"] == "over budget"
    assert reasons["feed2.jsonl.gz:2"] == "corrupt container"
    assert reasons["feed2.jsonl.gz:3"] == "corrupt container"
    assert reasons[damaged.pop()] == "corrupt container"
    assert "request" not in json.dumps(manifest)  # a request record is not a page
    kept = {row["id"] for row in read_jsonl(out / "clean.jsonl")}
    assert kept == {i for i, m in by_id.items() if m["status"] == "kept"}


def test_jsonl_on_stdin(tmp_path: Path) -> None:
    data = jsonl({"id": "s1", "text": DUMPS[0].read_text()}, {"id": "s2", "text": DUMPS[1].read_text()})
    done = subprocess.run(
        [*cleanfeed_command(), "run", "-", "-o", "c.jsonl", "--manifest", "m.jsonl", "--jobs", "0"],
        input=data, cwd=tmp_path, capture_output=True, timeout=300, env=ENV)
    assert done.returncode == 0, done.stderr
    assert [(m["id"], m["status"]) for m in read_jsonl(tmp_path / "m.jsonl")] == [
        ("s1", "kept"), ("s2", "kept")]


@pytest.fixture(scope="module")
def syndicated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Copies of real stories in other real pages' chrome, as files in a directory."""
    out = tmp_path_factory.mktemp("syndicated")
    generate(out, 60, seed=5, source_root=FIXTURES / "syndication" / "pages",
             seeds_root=SEEDS)
    return out / "pages"


def _run_to(tmp: Path, name: str, inputs: Path, *extra: str) -> dict[str, bytes]:
    out = tmp / name
    out.mkdir()
    assert cli("run", inputs, "-o", out / "clean.jsonl", "--manifest", out / "manifest.jsonl",
               "--explain", out / "explain.jsonl", *extra) == 0
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_outputs_are_byte_identical_across_runs_and_worker_counts(
    syndicated: Path, tmp_path: Path
) -> None:
    first = _run_to(tmp_path, "a", syndicated, "--jobs", "1")
    assert _run_to(tmp_path, "b", syndicated, "--jobs", "1") == first
    assert _run_to(tmp_path, "c", syndicated, "--jobs", "2") == first
    manifest = [json.loads(x) for x in first["manifest.jsonl"].splitlines()]
    assert any(m["status"] == "duplicate" for m in manifest)


def test_explain_says_which_rule_removed_what_and_what_a_copy_matched(
    syndicated: Path, tmp_path: Path
) -> None:
    out = _run_to(tmp_path, "x", syndicated, "--jobs", "0")
    explain = [json.loads(x) for x in out["explain.jsonl"].splitlines()]
    manifest = [json.loads(x) for x in out["manifest.jsonl"].splitlines()]
    assert [e["id"] for e in explain] == [m["id"] for m in manifest]
    rules = {r["rule"] for e in explain for r in e["removals"]}
    assert rules and all("." in r for r in rules)  # rule ids such as "share.bar"
    copies = [e for e in explain if e["status"] == "duplicate"]
    assert copies and all(e["duplicate_of"] and e["match"]["basis"] in
                          ("exact", "jaccard", "containment") for e in copies)
    clean = [json.loads(x) for x in out["clean.jsonl"].splitlines()]
    listed = {c["id"]: c["similarity"] for row in clean for c in row["copies"]}
    assert {e["id"] for e in copies} == set(listed)
    # one shape for the similarity in every output: the same number
    in_manifest = {m["id"]: m["similarity"] for m in manifest if m["status"] == "duplicate"}
    assert {e["id"]: e["similarity"] for e in copies} == in_manifest == listed
    assert all(isinstance(v, float) for v in listed.values())


def test_parquet_outputs_hold_the_same_records(syndicated: Path, tmp_path: Path) -> None:
    jsonl_out = _run_to(tmp_path, "j", syndicated, "--jobs", "0")
    out = tmp_path / "p"
    out.mkdir()
    assert cli("run", syndicated, "-o", out / "clean.parquet", "--manifest",
               out / "manifest.parquet", "--jobs", "0") == 0
    clean = pq.read_table(out / "clean.parquet")
    assert clean.schema.equals(CLEAN_SCHEMA)
    assert clean.to_pylist() == [json.loads(x) for x in jsonl_out["clean.jsonl"].splitlines()]
    manifest = pq.read_table(out / "manifest.parquet")
    assert manifest.schema.equals(MANIFEST_SCHEMA)
    assert manifest.to_pylist() == [json.loads(x) for x in jsonl_out["manifest.jsonl"].splitlines()]


def test_incremental_runs_through_an_index(syndicated: Path, tmp_path: Path) -> None:
    day1, day2 = tmp_path / "day1", tmp_path / "day2"
    day1.mkdir()
    day2.mkdir()
    for n, page in enumerate(sorted(syndicated.iterdir())):
        shutil.copy(page, (day1 if n % 2 else day2) / page.name)
    both = _run_to(tmp_path, "both", syndicated, "--jobs", "0")
    index = tmp_path / "index.sqlite"
    _run_to(tmp_path, "r1", day1, "--jobs", "0", "--index", str(index))
    second = _run_to(tmp_path, "r2", day2, "--jobs", "0", "--index", str(index))
    first = [json.loads(x) for x in (tmp_path / "r1" / "clean.jsonl").read_text().splitlines()]
    clean2 = [json.loads(x) for x in second["clean.jsonl"].splitlines()]
    # published is final: what day 1 kept stays kept, unless day 2 kept a complete copy that
    # says it replaces it; and no story of the one-run clustering is kept twice otherwise
    replaced = {row["replaces"] for row in clean2 if row["replaces"]}
    with SqliteStore(index) as store:
        kept = {d.doc_id for d in store.decisions().values() if d.status == "kept"}
    assert {row["id"] for row in first} - replaced <= kept
    story = {m["id"]: m["duplicate_of"] or m["id"]
             for m in map(json.loads, both["manifest.jsonl"].splitlines())}
    emitted = Counter(story[row["id"]] for row in [*first, *clean2])
    assert all(n - 1 <= len(replaced) for n in emitted.values())
    assert sum(n - 1 for n in emitted.values()) <= len(replaced)
    day2_manifest = [json.loads(x) for x in second["manifest.jsonl"].splitlines()]
    assert len(day2_manifest) == len(list(day2.iterdir()))
    day1_ids = {p.name for p in day1.iterdir()}
    assert any(m["duplicate_of"] in day1_ids for m in day2_manifest)


def test_an_index_built_with_another_configuration_is_refused(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "i.sqlite", DedupConfig(containment_threshold=0.8)).close()
    err = io.StringIO()
    code = main(["run", str(SEEDS / "raw"), "-o", str(tmp_path / "c.jsonl"), "--manifest",
                 str(tmp_path / "m.jsonl"), "--index", str(tmp_path / "i.sqlite"), "--jobs", "0"],
                stderr=err)
    assert code == 3
    assert "containment_threshold" in err.getvalue()
    assert not (tmp_path / "c.jsonl").exists()  # nothing half-written


def test_exit_codes_and_messages(tmp_path: Path) -> None:
    err = io.StringIO()
    assert main(["run", str(tmp_path / "missing"), "-o", "c.jsonl", "--manifest", "m.jsonl"],
                stderr=err) == 2
    assert "missing" in err.getvalue()
    err = io.StringIO()
    assert main(["extract", str(SEEDS / "raw"), "-o", str(tmp_path / "no" / "dir" / "o.jsonl"),
                 "--jobs", "0"], stderr=err) == 3
    with pytest.raises(SystemExit) as usage:
        main(["run", str(SEEDS / "raw")])  # no -o
    assert usage.value.code == 2


@pytest.mark.parametrize("command", [[], ["extract"], ["run"]])
def test_every_command_has_help_and_the_readme_documents_its_options(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "usage: cleanfeed" in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for option in {w.rstrip(",]") for w in text.split() if w.startswith("--")} - {"--help"}:
        if command:
            assert option in readme, f"README does not document cleanfeed {command[0]} {option}"


def _cli_err(*args: str | Path) -> tuple[int, str]:
    err = io.StringIO()
    code = main([str(a) for a in args], stderr=err)
    return code, err.getvalue()


def test_outputs_that_would_destroy_or_reread_an_input_or_each_other_are_refused(
    tmp_path: Path,
) -> None:
    pages = tmp_path / "pages"
    shutil.copytree(SEEDS / "raw", pages)
    feed = tmp_path / "feed.jsonl"
    feed.write_text(jsonl({"id": "s1", "text": DUMPS[0].read_text()}).decode())
    (tmp_path / "link.jsonl").symlink_to(feed)
    before = feed.read_bytes()
    m, c = tmp_path / "m.jsonl", tmp_path / "c.jsonl"
    cases: list[tuple[list[str | Path], list[str]]] = [
        (["run", feed, "-o", feed, "--manifest", m], ["-o", "is the input file"]),
        (["run", feed, "-o", c, "--manifest", tmp_path / "link.jsonl"],
         ["--manifest", "is the input file", str(feed)]),
        (["run", feed, "-o", c, "--manifest", m, "--explain", feed], ["--explain", "input file"]),
        (["run", feed, "-o", c, "--manifest", m, "--index", feed], ["--index", "input file"]),
        (["run", pages, "-o", pages / "c.jsonl", "--manifest", m],
         ["-o", "inside the input directory", str(pages)]),
        (["run", pages, "-o", c, "--manifest", m, "--index", pages / "sub" / "i.sqlite"],
         ["--index", "inside the input directory"]),
        (["run", feed, "-o", c, "--manifest", c], ["-o", "--manifest", "are one file"]),
        (["run", feed, "-o", c, "--manifest", m, "--explain", tmp_path / "." / "m.jsonl"],
         ["--manifest", "--explain", "are one file"]),
        (["extract", feed, "-o", feed], ["-o", "is the input file"]),
        (["run", feed, "-o", tmp_path / "c.csv", "--manifest", m], ["-o", "c.csv", ".jsonl"]),
        (["run", feed, "-o", c, "--manifest", m, "--explain", tmp_path / "e.parquet"],
         ["--explain", "JSON Lines only"]),
        (["run", feed, "-o", c, "--manifest", m, "--stats", tmp_path / "s.csv"],
         ["--stats", ".json"]),
    ]
    for args, words in cases:
        code, err = _cli_err(*args, "--jobs", "0")
        assert code == 2, (args, err)
        assert all(w in err for w in words), (words, err)
        assert len(err.strip().splitlines()) == 1
    assert feed.read_bytes() == before  # nothing overwritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.jsonl", "link.jsonl", "pages"]
    assert sorted(p.name for p in pages.iterdir()) == [p.name for p in DUMPS]
    # an output in a hidden folder of the input directory is not read back: allowed
    (pages / ".out").mkdir()
    assert cli("run", pages, "-o", pages / ".out" / "c.jsonl", "--manifest", m, "--jobs", "0") == 0


def test_each_failure_gives_its_exit_code_and_one_line_naming_the_users_path(
    tmp_path: Path,
) -> None:
    m, c = str(tmp_path / "m.jsonl"), str(tmp_path / "c.jsonl")
    (tmp_path / "not.sqlite").write_text("this is not a database, it is a text file\n" * 50)
    cases: list[tuple[list[str | Path], str]] = [
        (["--index", "nodir/db.sqlite"], "nodir/db.sqlite"),
        (["--index", tmp_path / "not.sqlite"], "not an SQLite database"),
    ]
    for extra, words in cases:
        code, err = _cli_err("run", SEEDS / "raw", "-o", c, "--manifest", m, "--jobs", "0", *extra)
        assert code == 3 and words in err and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1
    outs: list[tuple[str | Path, str]] = [(tmp_path / "nodir" / "sub" / "c.jsonl", "nodir/sub does not exist"),
                                          ("/proc/x.jsonl", "cannot write /proc/x.jsonl")]
    for out, words in outs:
        code, err = _cli_err("run", SEEDS / "raw", "-o", out, "--manifest", m, "--jobs", "0")
        assert code == 3 and words in err and ".tmp" not in err, err
        assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c.jsonl").exists() and not (tmp_path / "m.jsonl").exists()


def test_wrong_kind_of_input_and_empty_input_are_said_plainly(tmp_path: Path) -> None:
    html = b"<!DOCTYPE html><html><body><p>A page.</p></body></html>\n" * 50
    for data, words in [(html, "not JSON Lines"), (b"", "empty")]:
        done = subprocess.run(
            [*cleanfeed_command(), "run", "-", "-o", "c.jsonl", "--manifest", "m.jsonl"],
            input=data, cwd=tmp_path, capture_output=True, timeout=120, env=ENV)
        assert done.returncode == 2, done.stderr
        assert words in done.stderr.decode()
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".hidden.html").write_text("<p>x</p>")
    code, err = _cli_err("run", tmp_path / "empty", "-o", tmp_path / "c.jsonl", "--manifest",
                         tmp_path / "m.jsonl")
    assert code == 2 and "no input files" in err and "empty" in err
    (tmp_path / "none.jsonl").write_text("")
    code, err = _cli_err("run", tmp_path / "none.jsonl", "-o", tmp_path / "c.jsonl",
                         "--manifest", tmp_path / "m.jsonl", "--jobs", "0", "--quiet")
    # a container with no records is itself an input: it gets its manifest line (never silence)
    assert code == 0, err
    [line] = read_jsonl(tmp_path / "m.jsonl")
    assert line["status"] == "dropped" and line["reason"].startswith("empty container")


def test_jobs_beyond_the_cores_is_lowered_with_a_note(tmp_path: Path) -> None:
    from cleanfeed.config import default_jobs

    code, err = _cli_err("extract", SEEDS / "raw", "-o", tmp_path / "o.jsonl", "--jobs", "999")
    assert code == 0
    assert f"--jobs 999 lowered to {default_jobs()}" in err


def test_a_second_run_on_an_index_in_use_is_refused(tmp_path: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    index = tmp_path / "i.sqlite"
    with index.open("a") as held:  # another run holds it
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        code, err = _cli_err("run", SEEDS / "raw", "-o", tmp_path / "c.jsonl", "--manifest",
                             tmp_path / "m.jsonl", "--index", index, "--jobs", "0")
    assert code == 3 and "in use by another cleanfeed run" in err and str(index) in err
    assert not (tmp_path / "c.jsonl").exists()
    assert cli("run", SEEDS / "raw", "-o", tmp_path / "c.jsonl", "--manifest",
               tmp_path / "m.jsonl", "--index", index, "--jobs", "0") == 0  # free again


def test_temporary_files_a_killed_run_left_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".c.jsonl.tmp-{dead}"
    stale.write_text("half a feed")
    live = tmp_path / ".c.jsonl.tmp-1"  # pid 1 runs: another run's file is left alone
    live.write_text("another run")
    assert cli("run", SEEDS / "raw", "-o", tmp_path / "c.jsonl", "--manifest",
               tmp_path / "m.jsonl", "--jobs", "0") == 0
    assert not stale.exists() and live.exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_stage_total_percentage_rate_and_time_left(tmp_path: Path) -> None:
    from cleanfeed.cli import _Position, _ProgressBar
    from cleanfeed.io import read_inputs
    from cleanfeed.page import Progress

    for name, size in (("a.jsonl", 3000), ("b.jsonl", 1000)):
        (tmp_path / name).write_bytes(b"x" * size)
    with read_inputs([tmp_path]) as inputs:
        position = _Position(inputs, stdin=False)
        screen = _Terminal()
        bar = _ProgressBar(screen, True, position)
        position._next = 1  # a.jsonl read whole (3000 of 4000 bytes) and b.jsonl begun
        position.done_bytes = 3000
        bar(Progress("extracting", pages=60, done=40, kept=30, duplicates=5, dropped=5,
                     elapsed=2.0))
        shown = screen.getvalue()
        # 60 pages in 3,000 B read whole + half of the file begun: 3,500 of 4,000 B -> 69 pages
        assert "extracting:  58%" in shown and "40/69 [" in shown
        assert "%" in shown and "pages/s" in shown and "<" in shown  # tqdm's time left
        assert "kept 30, duplicates 5, dropped 5" in shown
        bar(Progress("cleaning text dumps", pages=80, done=70, elapsed=3.0))
        assert "cleaning text dumps:  88%" in screen.getvalue() and "70/80 [" in screen.getvalue()
        bar.clear()
    quiet = io.StringIO()  # not a terminal: no bar at all
    _ProgressBar(quiet, True, None)(Progress("extracting", pages=1, done=1))
    assert quiet.getvalue() == ""
