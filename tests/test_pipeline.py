"""The runner (cleanfeed.local): every input page gets exactly one outcome, in input order;
worker processes isolate bad pages; templates are learned from the whole input; results do not
depend on the number of workers; an index carries decisions across runs."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.syndication import Truth, generate
from cleanfeed import (
    Config,
    DedupConfig,
    ExtractConfig,
    RawDoc,
    ReadFailure,
    SiteTemplates,
    SqliteStore,
    clean_text_dump,
)
from cleanfeed.config import default_jobs
from cleanfeed.local.runner import extract_pages, run
from cleanfeed.page import Extracted, Outcome, PageTask, Progress, first_pass

from .builders import docs_by_id
from .conftest import FIXTURES, SEEDS

SOURCE = FIXTURES / "syndication" / "pages"


def seed_docs() -> list[RawDoc]:
    return [RawDoc(p.name, p.read_bytes(), source=str(p)) for p in sorted((SEEDS / "raw").glob("*.txt"))]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[RawDoc], Truth]:
    """A small syndication corpus: copies of real stories in other real pages' chrome."""
    out = tmp_path_factory.mktemp("corpus")
    truth = generate(out, 60, seed=3, source_root=SOURCE, seeds_root=SEEDS)
    pages = [RawDoc(name, (out / "pages" / name).read_bytes(), url=t.url or None)
             for name, t in sorted(truth.pages.items())]
    return pages, truth


def rows(outcomes: list[Outcome]) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    return [(o.manifest_row(), o.clean_row()) for o in outcomes]


def test_seeds_are_five_kept_stories_with_the_gold_bodies_and_metadata() -> None:
    gold_meta = json.loads((SEEDS / "gold" / "metadata.json").read_text(encoding="utf-8"))
    outcomes = list(run(seed_docs(), jobs=0))
    assert [o.status for o in outcomes] == ["kept"] * 5
    for o in outcomes:
        gold = (SEEDS / "gold" / o.id).read_text(encoding="utf-8")
        row = o.clean_row()
        assert row is not None
        assert row["text"].split() == gold.split()
        assert {k: row[k] for k in ("title", "author", "date", "wire")} == gold_meta[o.id]
        assert row["copies"] == []


def test_every_input_gets_one_outcome_in_order_with_a_reason_for_each_drop() -> None:
    seeds = seed_docs()
    pages: list[RawDoc | ReadFailure] = [
        seeds[0],
        ReadFailure("dump.jsonl:3", "corrupt container", "line 3 is not JSON"),
        RawDoc("empty.html", b""),
        RawDoc("binary.bin", bytes(range(256)) * 64),
        RawDoc("huge.html", b"<p>" + b"x" * 2_000_000 + b"</p>"),
        seeds[1],
        seeds[0],  # the same id again
    ]
    config = Config(extract=ExtractConfig(max_bytes=1_000_000))
    outcomes = list(run(pages, config, jobs=0))
    assert [o.id for o in outcomes] == [p.id for p in pages]
    reasons = [o.reason.split(":")[0] for o in outcomes]
    assert [o.status for o in outcomes] == ["kept", "dropped", "dropped", "dropped", "dropped",
                                            "kept", "dropped"]
    assert reasons[1:5] == ["corrupt container", "empty body", "decode failure", "over budget"]
    assert reasons[6] == "duplicate id"
    # what a run counts its dropped pages by (both engines, --stats and --report)
    assert [o.dropped_by for o in outcomes] == [None, *reasons[1:5], None, "duplicate id"]


def test_a_page_over_the_time_budget_costs_that_page_only() -> None:
    # a real page that takes far longer than the budget: many paragraphs of prose
    slow = "<html><body>" + "".join(
        f"<div class='c{i % 7}'><p>Paragraph {i} of a very long page, with words enough to be "
        f"read as prose by any extractor that looks at it.</p></div>" for i in range(60_000)
    ) + "</body></html>"
    pages = [RawDoc("slow.html", slow.encode()), *seed_docs()[:2]]
    config = Config(extract=ExtractConfig(timeout_seconds=0.5))
    outcomes = list(run(pages, config, jobs=1))
    assert outcomes[0].status == "dropped" and outcomes[0].reason.startswith("over budget")
    assert "0.5 s budget" in outcomes[0].reason
    assert [o.status for o in outcomes[1:]] == ["kept", "kept"]


class _KillsTheWorker(bytes):
    """Page bytes that end the worker process as it starts decoding them, as a crash in a C
    parser would."""

    def startswith(self, *args: object) -> bool:
        os._exit(70)


def test_a_page_that_kills_its_worker_is_dropped_and_the_run_goes_on() -> None:
    seeds = seed_docs()
    pages = [seeds[0], RawDoc("crash.html", _KillsTheWorker(b"<p>x</p>")), seeds[1], seeds[2]]
    outcomes = list(run(pages, jobs=2))
    assert [o.status for o in outcomes] == ["kept", "dropped", "kept", "kept"]
    assert outcomes[1].reason.startswith("worker crashed")
    assert "twice" in outcomes[1].reason  # it was given a second chance


class _KillsTheWorkerOnce(bytes):
    """Page bytes whose first worker dies (killed from outside, say); a second one reads them."""

    marker: str

    def startswith(self, *args: object) -> bool:
        if not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(70)
        return bytes(self).startswith(*args)  # type: ignore[arg-type]


def test_a_page_whose_worker_died_is_retried_once_in_a_fresh_worker(tmp_path: Path) -> None:
    seeds = seed_docs()
    page = _KillsTheWorkerOnce(cast(bytes, seeds[3].content))
    page.marker = str(tmp_path / "died")
    pages = [seeds[0], RawDoc(seeds[3].id, page), seeds[1]]
    outcomes = list(run(pages, jobs=2))
    assert (tmp_path / "died").exists()  # the first worker did die on it
    assert [o.status for o in outcomes] == ["kept", "kept", "kept"]
    assert outcomes[1].page.doc == next(iter(run([seeds[3]], jobs=0))).page.doc


class _Sleeps(bytes):
    """Page bytes whose reading waits (as on a loaded machine) without using CPU time."""

    def startswith(self, *args: object) -> bool:
        time.sleep(1.5)
        return bytes(self).startswith(*args)  # type: ignore[arg-type]


def test_the_time_budget_is_cpu_time_so_a_waiting_page_is_not_dropped() -> None:
    seeds = seed_docs()
    config = Config(extract=ExtractConfig(timeout_seconds=0.5))
    pages = [RawDoc(seeds[0].id, _Sleeps(cast(bytes, seeds[0].content))), seeds[1]]
    outcomes = list(run(pages, config, jobs=1))
    assert [o.status for o in outcomes] == ["kept", "kept"]


def test_workers_are_no_more_than_the_cores() -> None:
    from cleanfeed.local.runner import _Executor

    assert _Executor(999, None).jobs == default_jobs()


def test_outputs_do_not_depend_on_the_number_of_workers(corpus: tuple[list[RawDoc], Truth]) -> None:
    pages, _ = corpus
    in_process = rows(list(run(pages, jobs=0)))
    assert rows(list(run(pages, jobs=1))) == in_process
    assert rows(list(run(pages, jobs=2))) == in_process
    assert rows(list(run(list(reversed(pages)), jobs=0)))[::-1] == in_process


def test_copies_collapse_into_kept_stories_that_list_them(corpus: tuple[list[RawDoc], Truth]) -> None:
    pages, truth = corpus
    outcomes = list(run(pages, jobs=0))
    by_id = {o.id: o for o in outcomes}
    kept = {o.id for o in outcomes if o.status == "kept"}
    for o in outcomes:
        if o.status == "duplicate":
            assert o.duplicate_of in kept and o.similarity is not None
            copies = {c.id: c for c in by_id[o.duplicate_of].copies}
            assert o.id in copies and copies[o.id].url == o.page.url
    absorbed = [c.id for o in outcomes for c in o.copies]
    assert sorted(absorbed) == sorted(o.id for o in outcomes if o.status == "duplicate")
    # the generated corpus has stories with several copies, and they were found
    multi = Counter(t.story for t in truth.pages.values())
    assert any(n > 2 for n in multi.values()) and len(absorbed) > 0


def test_text_dumps_are_cleaned_with_templates_learned_from_the_whole_input(
    corpus: tuple[list[RawDoc], Truth],
) -> None:
    pages, _ = corpus
    results = {r.id: r for r in extract_pages(pages, jobs=0)}
    dumps = [p for p in pages if p.id.endswith(".txt")]
    learner = SiteTemplates()
    for p in dumps:
        learner.observe(p.content.decode("utf-8"), p.url)  # type: ignore[union-attr]
    snapshot = learner.snapshot()
    for p in dumps:
        expected = clean_text_dump(p.content.decode("utf-8"), url=p.url, doc_id=p.id,  # type: ignore[union-attr]
                                   templates=snapshot)
        doc = results[p.id].doc
        assert doc is not None and doc.paragraphs == expected.paragraphs
    learned = docs_by_id(results[p.id] for p in dumps)
    alone = docs_by_id(extract_pages(dumps, jobs=0, templates=False))
    assert any(alone[p.id].paragraphs != learned[p.id].paragraphs for p in dumps)


def test_incremental_runs_through_an_index_keep_what_one_run_keeps(
    corpus: tuple[list[RawDoc], Truth], tmp_path: Path
) -> None:
    pages, _ = corpus
    # without site templates: with them a page's body depends on the pages of its site seen
    # so far (day 1 knows fewer than one run), and this is about deduplication
    story = {o.id: o.duplicate_of or o.id for o in run(pages, jobs=0, templates=False)}
    day1, day2 = pages[::2], pages[1::2]
    config = Config()
    with SqliteStore(tmp_path / "index.sqlite", config.dedup) as store:
        first = list(run(day1, config, store=store, jobs=0, templates=False))
    with SqliteStore(tmp_path / "index.sqlite", config.dedup) as store:
        second = list(run(day2, config, store=store, jobs=0, templates=False))
        final = {d.doc_id for d in store.decisions().values() if d.status == "kept"}
    # published is final: day 1's kept pages stay kept unless day 2 kept a complete copy that
    # replaces one; so the index keeps what one run keeps, but for day-1 pages kept first
    replaced = {o.replaces for o in second if o.replaces}
    assert {o.id for o in first if o.status == "kept"} - replaced <= final
    # and day 2 publishes no story of the one-run clustering that day 1 published, but to
    # replace it
    published = {story[o.id] for o in first if o.status == "kept"}
    assert all(story[o.id] not in published or o.replaces
               for o in second if o.status == "kept")
    assert len(first) == len(day1) and len(second) == len(day2)
    # a day-2 copy of a story kept on day 1 points at it
    day1_ids = {p.id for p in day1}
    assert any(o.duplicate_of in day1_ids for o in second if o.status == "duplicate")


def test_an_interrupted_run_leaves_the_index_consistent(
    corpus: tuple[list[RawDoc], Truth], tmp_path: Path
) -> None:
    pages, _ = corpus
    config = Config()
    expected = rows(list(run(pages, config, jobs=0)))

    def interrupt(p: Progress) -> None:
        if p.done == 40:
            raise KeyboardInterrupt

    with SqliteStore(tmp_path / "index.sqlite", config.dedup) as store, pytest.raises(KeyboardInterrupt):
        list(run(pages, config, store=store, jobs=0, batch_size=16, progress=interrupt))
    with SqliteStore(tmp_path / "index.sqlite", config.dedup) as store:
        assert 0 < len(store.decisions()) < len(pages)  # some batches made it
        assert rows(list(run(pages, config, store=store, jobs=0, batch_size=16))) == expected


def test_an_index_refuses_another_configuration(tmp_path: Path) -> None:
    from cleanfeed import IndexMismatchError

    SqliteStore(tmp_path / "i.sqlite", DedupConfig()).close()
    with pytest.raises(IndexMismatchError, match="containment_threshold"):
        SqliteStore(tmp_path / "i.sqlite", DedupConfig(containment_threshold=0.8))


def test_progress_reports_counts_and_stage_times() -> None:
    seen: list[Progress] = []
    list(run(seed_docs(), jobs=0, progress=seen.append))
    last = seen[-1]
    assert last.finished and last.done == last.pages == 5 and last.kept == 5
    assert {"read", "worker:extract", "worker:features", "dedup", "templates"} <= set(last.seconds)
    assert [p.done for p in seen if not p.finished] == sorted(p.done for p in seen if not p.finished)


_ITEMS = st.lists(
    st.one_of(
        st.builds(lambda i, t: RawDoc(f"p{i}", t.encode()), st.integers(0, 6),
                  st.text(st.characters(codec="utf-8"), max_size=300)),
        st.builds(lambda i: ReadFailure(f"p{i}", "corrupt container", "bad"), st.integers(0, 6)),
    ),
    max_size=12,
)


@settings(max_examples=30, deadline=None)
@given(_ITEMS)
def test_property_one_outcome_per_input_and_one_kept_page_per_story(items: list[RawDoc | ReadFailure]) -> None:
    outcomes = list(run(items, jobs=0))
    assert [o.id for o in outcomes] == [i.id for i in items]
    seen: set[str] = set()
    for item, o in zip(items, outcomes, strict=True):
        if isinstance(item, ReadFailure):
            assert o.status == "dropped" and o.reason == f"{item.reason}: {item.detail}"
        elif item.id in seen:
            assert o.status == "dropped" and o.reason.startswith("duplicate id")
        seen.add(item.id)
        assert (o.duplicate_of is not None) == (o.status == "duplicate")
    kept = {o.id for o in outcomes if o.status == "kept"}
    assert all(o.duplicate_of in kept for o in outcomes if o.status == "duplicate")


def test_records_pickle_by_their_fields(seed_pages: dict[str, str]) -> None:
    """What crosses to and from the workers and the spools round-trips exactly."""
    import dataclasses
    import pickle

    from cleanfeed.models import pickled_by_fields

    name, text = sorted(seed_pages.items())[0]
    raw = RawDoc(name, text.encode("utf-8"), kind="text", url="https://example.com/a")
    task = PageTask(Config(), learn_templates=False, keep_removals=True)
    done = first_pass(raw, task)
    assert isinstance(done, Extracted)
    for record in (raw, done, done.result, done.result.doc, done.fingerprint, task, task.config):
        assert pickle.loads(pickle.dumps(record)) == record
    assert done.result.doc is not None and done.result.doc.removals and done.fingerprint is not None

    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived:
        a: int
        b: int = dataclasses.field(init=False, default=0)

    with pytest.raises(TypeError):
        pickled_by_fields(Derived)
