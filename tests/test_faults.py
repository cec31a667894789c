"""Faults users and machines inject into a run (``kill -9``, two runs on one index, a full disk,
damaged pages, Ctrl-C): the small versions of ``benchmarks/faults.py``, which runs them at
scale and records the figures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import faults

from .conftest import FIXTURES, SEEDS

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="finds a run's processes through /proc")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("faults")
    return faults.corpus(root, 80, 3, source_root=FIXTURES / "syndication" / "pages",
                         seeds_root=SEEDS)


@pytest.fixture(scope="module")
def uninterrupted(pages: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], float]:
    return faults.reference(pages, tmp_path_factory.mktemp("reference"))


def _held(case: faults.Case) -> None:
    assert not case.failures, case.failures
    assert case.crashes == 0
    assert case.pages_accounted == case.pages_in


def test_kill_9_of_the_main_process_then_a_rerun(
    pages: Path, uninterrupted: tuple[dict[str, bytes], float], tmp_path: Path
) -> None:
    expected, seconds = uninterrupted
    case = faults.kill_main(pages, tmp_path, expected, 80, [seconds * 0.5])
    _held(case)


def test_kill_9_of_a_worker_costs_nothing(
    pages: Path, uninterrupted: tuple[dict[str, bytes], float], tmp_path: Path
) -> None:
    expected, seconds = uninterrupted
    case = faults.kill_worker(pages, tmp_path, expected, 80, [seconds * 0.4])
    _held(case)


def test_two_runs_on_one_index(pages: Path, uninterrupted: tuple[dict[str, bytes], float],
                               tmp_path: Path) -> None:
    _held(faults.two_runs(pages, tmp_path, uninterrupted[0], 80))


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_a_full_disk_for_outputs_index_and_temporary_files(
    pages: Path, uninterrupted: tuple[dict[str, bytes], float], tmp_path: Path
) -> None:
    case = faults.full_disk(pages, tmp_path, 80, uninterrupted[0])
    if "skipped" in case.figures:
        pytest.skip(str(case.figures["skipped"]))
    assert not case.failures and case.crashes == 0 and case.runs == 3


def test_fuzzed_pages_escape_no_exception_and_all_reach_the_manifest(tmp_path: Path) -> None:
    sources = [p.read_bytes() for p in sorted((SEEDS / "raw").iterdir())]
    sources.append(b"<html><head><title>T</title></head><body><nav>Home | World</nav><article>"
                   + b"<p>SEOUL (Reuters) - North and South Korea resumed talks on Monday.</p>"
                   * 20 + b"</article></body></html>")
    _held(faults.fuzz(sources, 60, 7, tmp_path, depths=(50, 300)))


def test_ctrl_c_ends_a_run_within_two_seconds(pages: Path, tmp_path: Path) -> None:
    case = faults.interrupt(pages, tmp_path, 3, 11, within=0.6)  # the run lasts ~0.8 s from its first worker
    assert not case.failures and case.crashes == 0
    assert case.runs >= 1  # at least one Ctrl-C came while the run was working


def test_jobs_999_on_five_pages(pages: Path, tmp_path: Path) -> None:
    case = faults.many_jobs(pages, tmp_path)
    assert not case.failures
    # every process of the run, helpers included (no forkserver, no resource tracker)
    most = case.figures["processes at most (all)"]
    assert isinstance(most, int) and most <= len(os.sched_getaffinity(0)) + 1


def test_interrupting_the_feeder_does_not_hang(tmp_path: Path) -> None:
    """In process: Ctrl-C while the feeder thread waits on a worker's page; the run ends at
    once instead of waiting on a future the stopped pool never runs."""
    from cleanfeed import ExtractConfig, Progress, RawDoc, run
    from cleanfeed.config import Config

    slow = ("<html><body>" + "".join(f"<div><p>Paragraph {i} of a long page with words enough "
                                     "to be prose.</p></div>" for i in range(4000))
            + "</body></html>")
    pages = [RawDoc(f"{i}.html", slow) for i in range(12)]
    interrupted: list[float] = []

    def interrupt(p: Progress) -> None:
        if p.done >= 1 and not interrupted:
            interrupted.append(time.monotonic())
            signal.raise_signal(signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        list(run(pages, Config(extract=ExtractConfig(timeout_seconds=60)), jobs=2,
                 progress=interrupt))
    assert time.monotonic() - interrupted[0] < 5


@pytest.mark.parametrize("broken", ["no interpreter", "workers fail as they start"])
def test_workers_that_cannot_start_end_the_run_with_a_clear_error(
    broken: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cleanfeed import RawDoc, run
    from cleanfeed.errors import WorkerError

    if broken == "no interpreter":
        monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    else:  # a worker imports from the main process's path: here a cleanfeed that fails
        (tmp_path / "cleanfeed").mkdir()
        (tmp_path / "cleanfeed" / "__init__.py").write_text("raise ImportError('broken')\n")
        monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    pages = [RawDoc(f"{i}.html", "<html><body><p>Some words of a page.</p></body></html>")
             for i in range(3)]
    t0 = time.monotonic()
    with pytest.raises(WorkerError, match="worker processes could not start"):
        list(run(pages, jobs=2))
    assert time.monotonic() - t0 < 60


def test_a_ctrl_c_after_the_run_is_over_leaves_exit_0_and_no_word(tmp_path: Path) -> None:
    # the Ctrl-C comes at exit (an atexit hook raises it): Python would raise KeyboardInterrupt
    # there, or, later in its teardown, die by the signal (exit -2); the run's work is done
    boot = ("import atexit, os, signal, sys, time; "
            "atexit.register(lambda: (os.kill(os.getpid(), signal.SIGINT), time.sleep(0.05))); "
            "from cleanfeed.cli import console; sys.argv[0] = 'cleanfeed'; "
            "raise SystemExit(console())")
    done = subprocess.run(
        [sys.executable, "-c", boot, "run", str(SEEDS / "raw"), "-o", str(tmp_path / "c.jsonl"),
         "--manifest", str(tmp_path / "m.jsonl"), "--quiet"],
        env=faults.env(), capture_output=True, text=True, timeout=120,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert (done.returncode, done.stderr) == (0, "")
    assert len((tmp_path / "m.jsonl").read_text(encoding="utf-8").splitlines()) == 5
