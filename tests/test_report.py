"""The HTML report (``cleanfeed run --report``), checked in a real headless Chromium.

The report is built by the command over the seeds plus a small syndication corpus of our own
pages (``benchmarks.report.write_story_pages``), one of which carries script, ``onerror`` and
``javascript:`` payloads in its title, text and URL. Expected answers come from the run's own
manifest and clean feed, not from constants. Without Chromium the browser tests skip locally
and fail under ``CI=true`` (``.ci/run`` installs it).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.browser import browser_missing, chromium
from benchmarks.report import PAYLOADS, write_story_pages
from cleanfeed import RawDoc, extract, run
from cleanfeed.cli import main
from cleanfeed.report import ReportWriter, embed_json

ROOT = Path(__file__).resolve().parent.parent


# ---- the file itself ------------------------------------------------------------------------


@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=12))
def test_embedded_json_round_trips_and_cannot_leave_its_script(value: Any) -> None:
    text = embed_json(value)
    assert json.loads(text) == value
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A report of the seeds plus our syndication corpus, made by the command."""
    work = tmp_path_factory.mktemp("report")
    groups = write_story_pages(work / "stories")
    report = work / "report.html"
    subprocess.run([sys.executable, "-m", "cleanfeed", "run", str(ROOT / "seeds" / "raw"),
                    str(work / "stories"), "-o", str(work / "clean.jsonl"), "--manifest",
                    str(work / "manifest.jsonl"), "--report", str(report), "--jobs", "0", "--quiet"],
                   check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    manifest = [json.loads(line) for line in (work / "manifest.jsonl").read_text().splitlines()]
    clean = {r["id"]: r for r in map(json.loads, (work / "clean.jsonl").read_text().splitlines())}
    return {"path": report, "html": report.read_text(encoding="utf-8"), "manifest": manifest,
            "clean": clean, "groups": groups, "work": work}


def test_the_only_script_is_the_reports_own_and_the_policy_names_its_hash(built: dict[str, Any]) -> None:
    html = built["html"]
    opened = re.findall(r"<script([^>]*)>", html)
    assert len(opened) == html.count("</script>")  # no page text closed or opened a script
    executable = [a for a in opened if "type=" not in a]  # the others are data blocks
    assert executable == [""]
    script = html.split("<script>", 1)[1].split("</script>", 1)[0]
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    found = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert found is not None
    policy = found.group(1)

    def digest(s: str) -> str:
        return base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()

    assert f"script-src 'sha256-{digest(script)}'" in policy
    assert f"style-src 'sha256-{digest(style)}'" in policy
    assert "default-src 'none'" in policy
    assert "http:" not in html.split("<body>")[0] and "https://" not in script  # nothing to fetch
    for payload in PAYLOADS[:2]:
        assert payload not in html
    assert "<img" not in html


def test_no_file_without_finish(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    page = RawDoc("a.html", "<html><body><article><p>" + "word " * 80 + "</p></article></body></html>")
    with pytest.raises(RuntimeError), ReportWriter(out) as report:
        for outcome in run([page], jobs=0):
            report.add(outcome)
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("chunk_pages", "compresslevel", "named"),
                         [(0, 1, "chunk_pages"), (200, 10, "compresslevel")])
def test_writer_refuses_bad_settings(tmp_path: Path, chunk_pages: int, compresslevel: int, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        ReportWriter(tmp_path / "r.html", chunk_pages=chunk_pages, compresslevel=compresslevel)


def test_the_report_is_named_as_html(tmp_path: Path) -> None:
    code = main(["run", str(ROOT / "seeds" / "raw"), "-o", str(tmp_path / "c.jsonl"), "--manifest",
                 str(tmp_path / "m.jsonl"), "--report", str(tmp_path / "r.jsonl"), "--quiet"])
    assert code == 2 and not (tmp_path / "r.jsonl").exists()


def test_report_is_for_the_local_engine(tmp_path: Path) -> None:
    code = main(["run", str(ROOT / "seeds" / "raw"), "-o", str(tmp_path / "c.jsonl"), "--manifest",
                 str(tmp_path / "m.jsonl"), "--engine", "spark", "--report", str(tmp_path / "r.html")])
    assert code == 2 and not (tmp_path / "r.html").exists()


# ---- in a real browser ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    missing = browser_missing()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the browser tests: {missing}")
        pytest.skip(missing)
    with chromium() as d:
        yield d


def _open(driver: Any, path: Path, hash_: str = "") -> None:
    driver.get("about:blank")  # a fresh document, not a jump within the last one
    driver.get(path.resolve().as_uri() + hash_)
    _wait(driver, "return document.documentElement.dataset.loaded === '1'")
    _shown(driver, hash_)


def _shown(driver: Any, hash_: str, query: str = "") -> None:
    """Wait until the view for ``hash_`` (and the search ``query``) is on screen."""
    _wait(driver, f"const s = document.getElementById('cf-view').dataset.shown || ''; "
                  f"return s.startsWith({json.dumps(hash_ + '|' + query.lower() + '|')})")


def _wait(driver: Any, script: str) -> Any:
    for _ in range(100):
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}")


def _go(driver: Any, hash_: str) -> None:
    driver.execute_script(f"location.hash = {json.dumps(hash_)}")
    _shown(driver, hash_)


def _errors(driver: Any) -> list[dict[str, Any]]:
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def _rows(driver: Any) -> list[str]:
    rows: list[str] = driver.execute_script(
        "return [...document.querySelectorAll('#cf-rows tr.row')].map(r => r.dataset.id)")
    return rows


def _type(driver: Any, text: str) -> None:
    box = driver.find_element("id", "cf-search")
    box.clear()
    if text:
        box.send_keys(text)
    else:  # clear() fires no input event
        driver.execute_script("document.getElementById('cf-search').dispatchEvent(new Event('input'))")
    _shown(driver, driver.execute_script("return location.hash"), text)


def _extracted(built: dict[str, Any], page_id: str) -> str:
    """The clean text of one of our corpus's pages, extracted here."""
    lines = (built["work"] / "stories" / "stories.jsonl").read_text(encoding="utf-8").splitlines()
    html = next(json.loads(line)["html"] for line in lines if f'"id": "{page_id}"' in line)
    return extract(RawDoc(page_id, html)).text


def test_overview_loads_without_console_errors(driver: Any, built: dict[str, Any]) -> None:
    driver.get_log("browser")  # start from an empty log
    _open(driver, built["path"])
    text = driver.find_element("id", "cf-view").text
    statuses = [r["status"] for r in built["manifest"]]
    for n, what in ((len(statuses), "pages in"), (statuses.count("kept"), "kept"),
                    (statuses.count("duplicate"), "duplicates"), (statuses.count("dropped"), "dropped")):
        assert f"{n}\n{what}" in text
    assert driver.execute_script("return document.querySelectorAll('#cf-view svg rect').length") > 0
    assert _errors(driver) == []


def test_story_view_shows_each_story_with_its_copies(driver: Any, built: dict[str, Any]) -> None:
    _open(driver, built["path"], "#stories")
    manifest = built["manifest"]
    copies: dict[str, set[str]] = {}
    for r in manifest:
        if r["status"] == "duplicate":
            copies.setdefault(r["duplicate_of"], set()).add(r["id"])
    stories = driver.execute_script("""return [...document.querySelectorAll('.story')].map(s =>
        [s.querySelector('li.canonical').textContent,
         [...s.querySelectorAll('li.copy[data-id]')].map(l => l.dataset.id)])""")
    assert len(stories) == len(copies)
    sizes = [len(c) for _, c in stories]
    assert sizes == sorted(sizes, reverse=True)  # largest first
    for canonical, ids in stories:
        kept = next(k for k in copies if k in canonical)
        assert set(ids) == copies[kept]
    # the largest story, side by side: one section per copy, words that differ marked
    _go(driver, "#story-0")
    largest = max(copies, key=lambda k: (len(copies[k]), k))
    shown = driver.execute_script("return [...document.querySelectorAll('section.story')].map(s => s.dataset.id)")
    assert set(shown) == copies[largest]
    assert largest in driver.find_element("id", "cf-view").text
    kept_text = built["clean"][largest]["text"]
    marks = driver.execute_script("""return [...document.querySelectorAll('section.story')].map(s =>
        [s.dataset.id, [...s.querySelectorAll('del.d')].map(e => e.textContent),
         [...s.querySelectorAll('ins.d')].map(e => e.textContent)])""")
    for copy_id, removed, added in marks:
        for words in removed:  # what the kept text has and the copy lacks
            assert words in " ".join(kept_text.split())
        assert removed or added or copy_id == largest
    # each side shows its whole text, in order: the diff loses and invents nothing
    sides = driver.execute_script("""return [...document.querySelectorAll('section.story')].map(s =>
        [s.dataset.id, ...[...s.querySelectorAll('div.pair')[1].children].map(c => c.textContent)])""")
    for copy_id, left, right in sides:
        assert left.split() == kept_text.split()
        assert right.split() == _extracted(built, copy_id).split()
    assert _errors(driver) == []


def test_search_filters_pages_and_dropped(driver: Any, built: dict[str, Any]) -> None:
    _open(driver, built["path"], "#pages")
    everything = [r["id"] for r in built["manifest"]]
    assert _rows(driver) == everything
    _type(driver, "GAZETTE")  # case-insensitive, over ids, sites and titles
    assert _rows(driver) == [i for i in everything if "gazette" in i]
    _type(driver, "Global Banking")  # a site name of the seeds
    expected = [r["id"] for r in built["clean"].values() if "global banking" in (r["site"] or "").lower()]
    assert sorted(_rows(driver)) == sorted(expected) and expected
    _type(driver, "no such page anywhere")
    assert _rows(driver) == []
    _type(driver, "")
    assert _rows(driver) == everything
    _go(driver, "#dropped")
    assert _rows(driver) == [r["id"] for r in built["manifest"] if r["status"] == "dropped"]
    shown = driver.find_element("id", "cf-view").text
    assert all(r["reason"] in shown for r in built["manifest"] if r["status"] == "dropped")


def test_page_view_shows_removals_by_category_with_markup_folded(driver: Any, built: dict[str, Any]) -> None:
    ids = [r["id"] for r in built["manifest"]]
    n = ids.index(built["groups"]["boe"][1])
    _open(driver, built["path"], f"#page-{n}")
    assert driver.find_element("id", "cf-text").text.split() == _extracted(built, ids[n]).split()
    groups = driver.execute_script("""return [...document.querySelectorAll('#cf-removed details')].map(d =>
        [d.dataset.category, d.open, [...d.querySelectorAll('del')].map(e => e.title)])""")
    assert groups
    for category, is_open, titles in groups:
        assert is_open == (category != "markup")
        assert titles and all(t.startswith("rule ") and f"({category})" in t for t in titles)
    assert "markup" in [g[0] for g in groups]  # the page's <script> and <style>


def test_scraped_payloads_render_as_text(driver: Any, built: dict[str, Any]) -> None:
    driver.get_log("browser")
    ids = [r["id"] for r in built["manifest"]]
    n = ids.index(built["groups"]["payload"][0])
    _open(driver, built["path"], f"#page-{n}")
    view = driver.find_element("id", "cf-view").text
    for payload in PAYLOADS:
        assert payload in view  # shown, literally
    assert driver.execute_script("""return [document.querySelectorAll('img, iframe, object, embed').length,
        document.querySelectorAll('script').length,
        [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
        [...document.querySelectorAll('a')].filter(a => !a.getAttribute('href').startsWith('#')).length,
        performance.getEntriesByType('resource').length]""") == [
        0, built["html"].count("</script>"), 0, 0, 0]
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018
    assert _errors(driver) == []


def test_bodies_are_found_across_chunks(driver: Any, built: dict[str, Any], tmp_path: Path) -> None:
    pages = [RawDoc(p.name, p.read_bytes()) for p in sorted((ROOT / "seeds" / "raw").iterdir())]
    out = tmp_path / "small-chunks.html"
    with ReportWriter(out, chunk_pages=2) as report:
        outcomes = list(run(pages, jobs=0, keep_removals=True))
        for outcome in outcomes:
            report.add(outcome)
        report.finish({})
    assert out.read_text(encoding="utf-8").count('id="cf-c') == (len(pages) + 1) // 2
    for n in (len(outcomes) - 1, 2, 0):
        _open(driver, out, f"#page-{n}")
        shown = driver.find_element("id", "cf-text").text
        assert shown.split() == outcomes[n].page.doc.text.split()
    assert _errors(driver) == []


def test_copies_of_a_page_an_earlier_run_kept_form_a_story(driver: Any, built: dict[str, Any],
                                                           tmp_path: Path) -> None:
    lines = (built["work"] / "stories" / "stories.jsonl").read_text(encoding="utf-8").splitlines()
    wire, *copies = built["groups"]["boe"]
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text(next(line for line in lines if f'"id": "{wire}"' in line) + "\n", encoding="utf-8")
    second.write_text("".join(line + "\n" for line in lines if any(f'"id": "{c}"' in line for c in copies)),
                      encoding="utf-8")
    report = tmp_path / "second.html"
    for inputs, extra in ((first, []), (second, ["--report", str(report)])):
        assert main(["run", str(inputs), "-o", str(tmp_path / "c.jsonl"), "--manifest", str(tmp_path / "m.jsonl"),
                     "--index", str(tmp_path / "index.sqlite"), "--jobs", "0", "--quiet", *extra]) == 0
    manifest = [json.loads(line) for line in (tmp_path / "m.jsonl").read_text().splitlines()]
    assert {r["duplicate_of"] for r in manifest} == {wire}  # the test's premise
    _open(driver, report, "#story-0")
    shown = driver.execute_script("return [...document.querySelectorAll('section.story')].map(s => s.dataset.id)")
    assert sorted(shown) == sorted(copies)
    assert wire in driver.find_element("id", "cf-view").text
    assert _errors(driver) == []
