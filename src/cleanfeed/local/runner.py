"""The local runner: pages in, extraction in worker processes, deduplication, one outcome per page out.

This module owns iteration, batching, processes and progress; the work it schedules is the
page contract (``cleanfeed.page``: ``first_pass``, ``second_pass``, the records and their
rows) and the set-level ``Deduplicator`` (``cleanfeed.dedup``). Two entry points:

- ``extract_pages(pages)``: one ``PageResult`` per input page (``cleanfeed extract``);
- ``run(pages)``: one ``Outcome`` per input page, kept / duplicate / dropped, with the copies
  each kept page absorbed (``cleanfeed run``).

Two passes, so that every page is cleaned with its site's template learned from *all* the
site's pages in the input (``cleanfeed.extract.template``):

1. every page goes to a worker, which decodes it and tells HTML from a text dump. A text dump
   only gives its template features; an HTML page is extracted and gives the features of its
   extracted paragraphs (an HTML page with no URL has no site to learn: it is finished at
   once). One ``SiteTemplates`` learner adds the features up; the pages wait in a temporary
   file (a text dump's raw record, an HTML page's extracted document);
2. once the input is exhausted the learner is frozen, and every waiting page is finished with
   the templates of its own site (only those travel to the worker): a text dump is cleaned, an
   HTML page loses its template paragraphs; then each is fingerprinted.

Results are spooled to disk as they arrive and fed to the deduplicator in batches, so memory
stays bounded by the deduplicator's store and the pages in flight, not by the input. Outcomes
come out in input order once everything is decided: a later page can still change an earlier
decision (the wire's own copy arrives last), so nothing final is known before the end.

Budgets live here, not in the CLI: a page over ``ExtractConfig.max_bytes`` is refused before
parsing, and a worker that spends longer than ``ExtractConfig.timeout_seconds`` on one page is
killed and replaced; that page is dropped with the reason, the run goes on. A worker that dies
(a crash in a C parser) costs its page only. ``jobs=0`` runs everything in this process (no
worker, hence no time budget: for debugging and tiny inputs).

Determinism: outputs depend on the input and the configuration only, not on ``jobs``, timing
or batch sizes.
"""

from __future__ import annotations

import ctypes
import heapq
import itertools
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import IO, Any, cast

from ..models import Decision
from ..config import Config
from ..dedup import Deduplicator
from ..errors import BudgetExceeded, WorkerError
from ..extract.template import (
    SiteTemplates,
    TemplateSnapshot,
)
from ..dedup.fingerprint import Fingerprint
from ..dedup.store import Store
from ..metadata.site import named_site, site_names
from ..page import (
    Copy,
    Extracted,
    Outcome,
    PageResult,
    PageTask,
    Pending,
    Progress,
    ProgressCallback,
    failed,
    first_pass,
    internal_error,
    refused,
    second_pass,
)
from ..config import default_jobs
from ..models import RawDoc, ReadFailure

__all__ = ["extract_pages", "run"]

















# --------------------------------------------------------------------------------------------
# Work done per page (in a worker process, or in this one when jobs=0). Pure functions of
# their arguments, so the Spark engine calls the same ones.
























# --------------------------------------------------------------------------------------------
# Running the per-page work over a stream, in order


_WorkerResult = Extracted | Pending


class _Executor:
    """Runs per-page calls in worker processes (pebble: replacement of dead or overrunning
    workers) or in this process; results come back in submission order.

    Workers: at most the cores this process may use, and no more than the pages there are
    (the pool starts once the first pages are known). Each worker dies with the main process,
    however that ends (``kill -9`` included), and ignores Ctrl-C, which is the main process's
    to handle. The time budget is CPU time spent on the page (``_budgeted``), so the same input
    gives the same drops on a loaded machine; a wall-clock limit far above it only stops a
    worker stuck where the CPU timer cannot reach (inside a C call). A worker that dies on a
    page gets that page once more in a fresh worker before it is dropped as "worker crashed".
    """

    def __init__(self, jobs: int, timeout: float | None) -> None:
        self.jobs = min(jobs, default_jobs())
        self.timeout = timeout
        self._pool: Any = None
        self._stopping = threading.Event()
        self._cpu_budget = timeout is not None and hasattr(signal, "setitimer")
        self._workers = 0  # of the pool, once started
        self._served = 0  # pages the workers answered
        self._restarts = 0
        self._served_at_restart = 0

    def _start(self, workers: int) -> Any:
        from pebble import ProcessPool  # imported here: jobs=0 needs no worker machinery

        self._workers = workers
        methods = multiprocessing.get_all_start_methods()
        # forkserver: workers start from a clean process, not a fork of this one (which may
        # hold threads and open files); spawn where there is no forkserver
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        self._pool = ProcessPool(max_workers=workers, max_tasks=_TASKS_PER_WORKER, context=context,
                                 initializer=_worker_start, initargs=(os.getpid(),))
        return self._pool

    def _submit(self, fn: Callable[..., _WorkerResult], raw: RawDoc, args: tuple[Any, ...]) -> Any:
        if not self._cpu_budget:
            future = self._pool.schedule(fn, (raw, *args), timeout=self.timeout)
        else:
            backstop = self.timeout * _BACKSTOP_FACTOR + _BACKSTOP_SECONDS  # type: ignore[operator]
            future = self._pool.schedule(_budgeted, (fn, self.timeout, raw, *args),
                                         timeout=backstop)
        future.cleanfeed_pool = self._pool  # a future of a replaced pool is submitted again
        return future

    def _result(self, future: Any) -> _WorkerResult:
        """The future's result; raises ``_Stopped`` if the pool is stopped meanwhile (after
        Ctrl-C a future of a task the pool never ran would otherwise be waited on forever)."""
        while not future.done():
            if self._stopping.is_set():
                raise _Stopped
            if future.cleanfeed_pool is not self._pool:  # a stopped pool never settles it
                raise BrokenProcessPool("the pool was replaced")
            wait((future,), timeout=0.1)
        return cast(_WorkerResult, future.result())

    def map(
        self, fn: Callable[..., _WorkerResult], calls: Iterable[tuple[int, RawDoc, Any]]
    ) -> Iterator[tuple[int, RawDoc, _WorkerResult]]:
        """``fn(raw, *args)`` for each ``(key, raw, args)`` call, in order; a call whose third
        member is already an ``Extracted`` (a page refused before any work) passes through."""
        if self.jobs <= 0:
            for key, raw, args in calls:
                yield key, raw, args if isinstance(args, Extracted) else fn(raw, *args)
            return

        window: deque[tuple[int, RawDoc, Any, Any]] = deque()
        limit = self.jobs * _IN_FLIGHT_PER_WORKER
        calls = iter(calls)
        first = list(itertools.islice(calls, limit))  # how many workers can help
        if self._pool is None:
            pages = sum(not isinstance(args, Extracted) for _, _, args in first)
            if pages:
                self._start(min(self.jobs, pages))

        def settle() -> tuple[int, RawDoc, _WorkerResult]:
            key, raw, future, args = window.popleft()
            if isinstance(future, Extracted):
                return key, raw, future
            return key, raw, self._settle(fn, raw, args, future)

        for key, raw, args in itertools.chain(first, calls):
            if isinstance(args, Extracted):
                window.append((key, raw, args, None))
            else:
                if self._pool is None:  # only refused pages came first
                    self._start(self.jobs)
                window.append((key, raw, self._submit(fn, raw, args), args))
            while len(window) >= limit or (window and not _pending(window[0][2])):
                yield settle()
        while window:
            yield settle()

    def _settle(self, fn: Callable[..., _WorkerResult], raw: RawDoc, args: tuple[Any, ...],
                future: Any) -> _WorkerResult:
        from pebble import ProcessExpired

        crashed = False
        while True:
            try:
                result = self._result(future)
                self._served += 1
                return result
            except FutureTimeout:
                if not self._cpu_budget:
                    return failed(raw, BudgetExceeded(
                        f"extraction took longer than the {self.timeout:g} s budget; the worker "
                        "was stopped"))
                return failed(raw, BudgetExceeded(
                    f"extraction took more than the {self.timeout:g} s budget (stuck where the "
                    "CPU timer could not stop it); the worker was stopped"))
            except BrokenProcessPool as err:
                # pebble gives up on its pool when a worker dies between two pages (killed
                # from outside): a fresh pool takes over, unless the last one answered nothing
                stalled = self._restarts and self._served == self._served_at_restart
                if stalled or self._restarts >= _POOL_RESTARTS:  # no worker can run at all
                    raise WorkerError(
                        f"worker processes could not start or all died ({err}); a script that "
                        "calls cleanfeed with jobs > 0 needs an `if __name__ == \"__main__\":` "
                        "guard, or use jobs=0"
                    ) from err
                if not self._pool.active:
                    self._restarts += 1
                    self._served_at_restart = self._served
                    self._pool.stop()
                    self._pool.join()
                    self._start(self._workers)
                future = self._submit(fn, raw, args)
            except ProcessExpired as err:
                if not crashed:  # a worker killed from outside, or a crash this page causes?
                    crashed = True
                    future = self._submit(fn, raw, args)
                    continue
                return Extracted(PageResult(
                    raw.id, "failed", url=raw.url, source=raw.source, reason="worker crashed",
                    error=f"the worker process died on this page twice (exit code "
                    f"{err.exitcode})"))
            except Exception as err:  # e.g. a result that cannot be pickled back
                return internal_error(raw, err)

    def close(self) -> None:
        self._stopping.set()
        if self._pool is not None:
            self._pool.stop()
            self._pool.join()
            self._pool = None


class _Stopped(BaseException):
    """The pool was stopped while a result was awaited (the run is ending)."""


def _pending(future: Any) -> bool:
    return not isinstance(future, Extracted) and not future.done()


def _worker_start(main_pid: int) -> None:
    """A worker's first act: die with the main process, leave Ctrl-C to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process stops the pool
    if sys.platform.startswith("linux"):
        # SIGKILL when the parent ends: the forkserver, which ends when the main process does
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    threading.Thread(target=_watch, args=(main_pid, os.getppid()), daemon=True,
                     name="cleanfeed-watchdog").start()


def _watch(main_pid: int, parent: int) -> None:
    """Ends the worker once its parent or the main process is gone (where there is no
    PR_SET_PDEATHSIG, and for the moment before it was set)."""
    while True:
        if os.getppid() != parent:
            os._exit(1)
        try:
            os.kill(main_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except OSError:
            pass
        time.sleep(1.0)


class _OverBudget(BaseException):
    """Raised in a worker by the CPU timer: not an ``Exception``, so no stage catches it."""


@dataclass(slots=True)
class _CpuTimer:
    armed: bool = True

    def __call__(self, signum: int, frame: object) -> None:
        if self.armed:
            raise _OverBudget


def _budgeted(fn: Callable[..., _WorkerResult], budget: float, raw: RawDoc,
              *args: Any) -> _WorkerResult:
    """``fn(raw, *args)`` within ``budget`` seconds of this process's CPU time."""
    timer = _CpuTimer()
    previous = signal.signal(signal.SIGPROF, timer)
    signal.setitimer(signal.ITIMER_PROF, budget)
    try:
        return fn(raw, *args)
    except _OverBudget:
        return failed(raw, BudgetExceeded(
            f"extraction took more than the {budget:g} s budget of CPU time"))
    finally:
        timer.armed = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_POOL_RESTARTS = 8  # fresh pools after workers were killed between pages, then the run fails
# the wall-clock limit of a page with a CPU budget of t seconds: t * factor + seconds
_BACKSTOP_FACTOR, _BACKSTOP_SECONDS = 4.0, 30.0
_TASKS_PER_WORKER = 5000  # a worker is replaced after this many pages (bounds parser leaks)
_IN_FLIGHT_PER_WORKER = 4  # pages queued per worker, so none waits for the main process


class _Prefetch:
    """Runs an iterator in a thread, at most ``size`` items ahead of its consumer.

    The runner's main thread spends whole seconds on one deduplication batch; meanwhile this
    thread goes on reading the input and handing pages to the workers, so they do not wait.
    An exception in the thread is raised in the consumer.
    """

    _END = object()

    def __init__(self, items: Iterator[Any], size: int) -> None:
        self._queue: queue.Queue[tuple[BaseException | None, Any]] = queue.Queue(size)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, args=(items,), daemon=True,
                                        name="cleanfeed-feeder")
        self._thread.start()

    def _put(self, entry: tuple[BaseException | None, Any]) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self, items: Iterator[Any]) -> None:
        try:
            for item in items:
                if not self._put((None, item)):
                    return
        except BaseException as err:  # handed to the consumer, which raises it
            self._put((err, None))
            return
        self._put((None, self._END))

    def __iter__(self) -> Iterator[Any]:
        while True:
            err, item = self._queue.get()
            if err is not None:
                raise err
            if item is self._END:
                return
            yield item

    def stop(self) -> None:
        """Ask the thread to stop at its next item (the consumer is leaving)."""
        self._stop.set()

    def join(self) -> None:
        self._thread.join()


_PREFETCH = 256  # finished pages the feeder may hold for the main thread


class _Spool:
    """Records pickled one after another into an anonymous temporary file, read back in order."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="cleanfeed-")
        self.count = 0

    def write(self, record: object) -> None:
        pickle.dump(record, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self) -> Iterator[Any]:
        self._file.flush()
        self._file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self._file)
        self._file.seek(0, os.SEEK_END)

    def close(self) -> None:
        self._file.close()


class _Passes:
    """The two passes over one input; results spooled in input order (per pass)."""

    def __init__(self, task: PageTask, jobs: int, on_result: Callable[[Extracted], None],
                 progress: ProgressCallback | None, counts: Callable[[], dict[str, int]],
                 seconds: Counter[str], learner: SiteTemplates | None = None) -> None:
        self.task = task
        self.learner = learner if learner is not None else SiteTemplates()
        self.jobs = jobs
        self.on_result = on_result
        self.progress = progress
        self.counts = counts
        self.seconds = seconds
        self.started = time.perf_counter()
        self.pages = 0
        self.done = 0
        self.stage = "extracting"
        self._first = _Spool()  # (seq, PageResult) of pass 1, in order
        self._second = _Spool()  # (seq, PageResult) of pass 2, in order
        self._texts = _Spool()  # (seq, RawDoc, site keys, CleanDoc | None) waiting for pass 2
        self._sites: list[tuple[str | None, str | None]] = []  # every page's (url, site): site_names

    def report(self, finished: bool = False) -> None:
        if self.progress is None:
            return
        c = self.counts()
        self.progress(Progress(
            stage=self.stage, pages=self.pages, done=self.done, kept=c.get("kept", 0),
            duplicates=c.get("duplicate", 0), dropped=c.get("dropped", 0),
            elapsed=time.perf_counter() - self.started, seconds=dict(self.seconds),
            finished=finished))

    def _record(self, spool: _Spool, seq: int, done: Extracted) -> None:
        for stage, s in done.result.seconds:
            self.seconds["worker:" + stage] += s
        spool.write((seq, done.result))
        if done.result.doc is not None:
            self._sites.append((done.result.doc.url, done.result.doc.site))
        self.on_result(done)
        self.done += 1
        self.report()

    def _calls(self, pages: Iterable[RawDoc | ReadFailure]) -> Iterator[tuple[int, RawDoc, Any]]:
        """Pass 1's calls; a page refused before any work goes through as its result."""
        seen: set[str] = set()
        clock = time.perf_counter()
        for seq, item in enumerate(pages):
            self.seconds["read"] += time.perf_counter() - clock
            self.pages = seq + 1
            if isinstance(item, RawDoc) and item.id not in seen:
                seen.add(item.id)
                yield seq, item, (self.task,)
            else:
                raw = RawDoc(item.id, b"", url=item.url, source=item.source)
                yield seq, raw, Extracted(_refused(item, seen))
            clock = time.perf_counter()

    def execute(self, pages: Iterable[RawDoc | ReadFailure]) -> None:
        learner = self.learner
        executor = _Executor(self.jobs, self.task.config.extract.timeout_seconds)
        feeders: list[_Prefetch] = []

        def ahead(results: Iterator[Any]) -> Iterable[Any]:
            """With worker processes, read and feed them from a thread (see ``_Prefetch``)."""
            if self.jobs == 0:
                return results
            feeders.append(_Prefetch(results, _PREFETCH))
            return feeders[-1]

        try:
            for seq, raw, answer in ahead(executor.map(first_pass, self._calls(pages))):
                if isinstance(answer, Pending):
                    t0 = time.perf_counter()
                    learner.add(answer.features)
                    if answer.doc is not None:  # an HTML page: its document waits, not its bytes
                        raw = RawDoc(raw.id, b"", url=raw.url, source=raw.source, kind="html")
                    self._texts.write((seq, raw, answer.features.site_keys, answer.doc))
                    self.seconds["worker:features"] += answer.seconds
                    self.seconds["templates"] += time.perf_counter() - t0
                else:
                    self._record(self._first, seq, answer)
            if not self._texts.count:
                return
            self.stage = "applying site templates"
            t0 = time.perf_counter()
            snapshot = learner.snapshot()
            self.seconds["templates"] += time.perf_counter() - t0

            def text_calls() -> Iterator[tuple[int, RawDoc, Any]]:
                for seq, raw, keys, doc in self._texts:
                    # only the page's own site's templates travel to the worker
                    own = {k: snapshot.sites[k] for k in keys if k in snapshot.sites}
                    yield seq, raw, (self.task, TemplateSnapshot(sites=own), doc)

            for seq, _, answer in ahead(executor.map(second_pass, text_calls())):
                self._record(self._second, seq, cast(Extracted, answer))  # pass 2 always ends
        finally:
            for feeder in feeders:
                feeder.stop()
            executor.close()  # a feeder waiting on a worker is released
            for feeder in feeders:
                feeder.join()
            self._texts.close()

    def results(self) -> Iterator[PageResult]:
        """Every page's result, in input order (the two passes' spools merged), each page named
        as its host's other pages are (``metadata.site_names``)."""
        names = site_names(self._sites)
        for _, result in heapq.merge(iter(self._first), iter(self._second), key=lambda r: r[0]):
            doc = named_site(result.doc, names) if result.doc is not None else None
            yield result if doc is result.doc else replace(result, doc=doc)

    def close(self) -> None:
        self._first.close()
        self._second.close()
        self._texts.close()


def _refused(item: RawDoc | ReadFailure, seen: set[str]) -> PageResult:
    """The result of a page refused before any work: unreadable, or its id seen before."""
    if isinstance(item, ReadFailure):
        seen.add(item.id)
    return refused(item)




# --------------------------------------------------------------------------------------------
# Public entry points


def extract_pages(
    pages: Iterable[RawDoc | ReadFailure],
    config: Config | None = None,
    *,
    jobs: int | None = None,
    templates: bool | SiteTemplates = True,
    keep_removals: bool = True,
    progress: ProgressCallback | None = None,
) -> Iterator[PageResult]:
    """Extract every page; one ``PageResult`` per input item, in input order.

    ``pages``: ``RawDoc``s and the ``ReadFailure``s a reader put in place of unreadable records
    (``cleanfeed.io.read_inputs`` gives both). ``jobs``: worker processes (default: all cores;
    0 = in this process). ``templates``: learn each site's template from its text dumps first
    (see the module docstring); give a ``SiteTemplates`` to go on learning in it (what earlier
    runs learned), False to clean each dump alone. The first result comes once all input has
    been read.

    >>> from cleanfeed import RawDoc
    >>> page = RawDoc("a.html", b"<html><body><article><p>SEOUL (Reuters) - North and South "
    ...     b"Korea resumed talks on Monday after a pause of two years, officials said.</p>"
    ...     b"</article></body></html>")
    >>> [(r.id, r.status, r.doc.wire) for r in extract_pages([page], jobs=0)]
    [('a.html', 'ok', 'Reuters')]
    """
    task = PageTask(config or Config(), templates is not False, fingerprints=False,
                    keep_removals=keep_removals)
    counter: Counter[str] = Counter()

    def count(done: Extracted) -> None:
        counter["dropped" if done.result.status != "ok" else "kept"] += 1

    learner = templates if isinstance(templates, SiteTemplates) else None
    passes = _Passes(task, default_jobs() if jobs is None else jobs, count, progress,
                     lambda: dict(counter), Counter(), learner)
    try:
        passes.execute(pages)
        passes.stage = "done"
        passes.report(finished=True)
        yield from passes.results()
    finally:
        passes.close()


class _Feed:
    """Feeds finished pages to the deduplicator in batches; keeps provisional counts.

    Batches are only linked into components (``add_fingerprints(resolve=False)``); ``resolve``
    decides every component once, after the last batch. Until then the counts are
    provisional: a page counts as kept while it labels its component, as a duplicate otherwise.
    """

    def __init__(self, dedup: Deduplicator, batch_size: int, seconds: Counter[str]) -> None:
        self.dedup = dedup
        self.batch_size = batch_size
        self.seconds = seconds
        self.batch: list[Fingerprint] = []
        self.status: dict[str, str] = {}
        self.counts: Counter[str] = Counter()
        self.rejected: dict[str, str] = {}  # doc id -> why the deduplicator could not take it
        self.added: list[str] = []  # doc ids this run gave the deduplicator

    def __call__(self, done: Extracted) -> None:
        if done.fingerprint is None:
            self.counts["dropped"] += 1
            return
        self.batch.append(done.fingerprint)
        if len(self.batch) >= self.batch_size:
            self.flush()

    def _count(self, decisions: Iterable[Decision]) -> None:
        for d in decisions:
            status = d.status
            if status == "pending":
                status = "kept" if d.canonical_id == d.doc_id else "duplicate"
            old = self.status.get(d.doc_id)
            if old is not None:
                self.counts[old] -= 1
            self.status[d.doc_id] = status
            self.counts[status] += 1

    def flush(self) -> None:
        if not self.batch:
            return
        t0 = time.perf_counter()
        batch, self.batch = self.batch, []
        # an id the index already holds with another text (an earlier run's page under the
        # same name) cannot be added: that page is dropped, the others go on
        known = self.dedup.store.text_hashes([f.doc_id for f in batch])
        for f in batch:
            if f.doc_id in known and known[f.doc_id] != f.text_hash:
                self.rejected[f.doc_id] = (
                    "an earlier run put a page with this id and another text in the index")
                self.counts["dropped"] += 1
        accepted = [f for f in batch if f.doc_id not in self.rejected]
        self.added.extend(f.doc_id for f in accepted)
        result = self.dedup.add_fingerprints(accepted, resolve=False)
        self._count(result.decisions)
        self.seconds["dedup"] += time.perf_counter() - t0

    def resolve(self) -> None:
        """Decide every component (after the last ``flush``); the counts become final."""
        t0 = time.perf_counter()
        result = self.dedup.resolve()
        self._count((*result.decisions, *result.changed))
        self.seconds["dedup"] += time.perf_counter() - t0

    def publish(self) -> None:
        """Once the outcomes are out: this run's kept pages are published (final in later runs
        of the same index)."""
        self.dedup.publish(self.added)


def run(
    pages: Iterable[RawDoc | ReadFailure],
    config: Config | None = None,
    *,
    store: Store | None = None,
    jobs: int | None = None,
    templates: bool | SiteTemplates = True,
    keep_removals: bool = False,
    batch_size: int = 2048,
    progress: ProgressCallback | None = None,
) -> Iterator[Outcome]:
    """Extract, deduplicate and decide every page: one ``Outcome`` per input item, in order.

    ``store``: where deduplication state lives (default in memory; a ``SqliteStore`` carries it
    across runs, so today's pages are matched against what earlier runs kept; it must have been
    built with ``config.dedup``). ``batch_size``: bodies per batch given to the
    deduplicator (see ``_Feed``). With ``templates=True`` the site templates learned so far are
    kept in the store too: a run goes on learning where the last one stopped, and saves what
    it learned once it completes. ``keep_removals``: keep each page's removal records for
    ``Outcome.explain_row``. Other arguments as in ``extract_pages``. The outcomes come once
    the whole input is decided; ``progress`` is called as pages finish, and once at the end
    with ``finished=True``.

    >>> from cleanfeed import RawDoc
    >>> story = ("<p>SEOUL (Reuters) - North and South Korea resumed talks on Monday after a "
    ...          "pause of two years, officials said, in a sign that relations are thawing "
    ...          "after months of missile tests and sanctions on both sides of the border.</p>")
    >>> pages = [RawDoc(f"{n}.html", f"<html><body><article>{story}</article></body></html>")
    ...          for n in ("a", "b")]
    >>> [(o.id, o.status, o.duplicate_of) for o in run(pages, jobs=0)]
    [('a.html', 'kept', None), ('b.html', 'duplicate', 'a.html')]
    """
    config = config or Config()
    task = PageTask(config, templates is not False, fingerprints=True, keep_removals=keep_removals)
    dedup = Deduplicator(config.dedup, store)
    learner = templates if isinstance(templates, SiteTemplates) else None
    persist = templates is True and store is not None
    saved = dedup.store.get_state(_TEMPLATES) if persist else None
    if saved is not None:
        learner = SiteTemplates.from_bytes(saved)
    seconds: Counter[str] = Counter()
    feed = _Feed(dedup, batch_size, seconds)
    passes = _Passes(task, default_jobs() if jobs is None else jobs, feed, progress,
                     lambda: dict(feed.counts), seconds, learner)
    try:
        passes.execute(pages)
        passes.stage = "deduplicating"
        feed.flush()
        feed.resolve()
        yield from _outcomes(passes, dedup, feed.rejected, seconds)
        feed.publish()
        if persist:  # only a completed run's learning is kept (a rerun relearns)
            dedup.store.put_state(_TEMPLATES, passes.learner.to_bytes())
        passes.stage = "done"
        passes.report(finished=True)
    finally:
        passes.close()


_TEMPLATES = "site-templates"  # the store's name for the learner's state


def _outcomes(passes: _Passes, dedup: Deduplicator, rejected: dict[str, str],
              seconds: Counter[str]) -> Iterator[Outcome]:
    """Final outcomes, in input order: decisions read back from the store in chunks."""
    chunk: list[PageResult] = []
    for result in passes.results():
        chunk.append(result)
        if len(chunk) >= 1024:
            yield from _decide(chunk, dedup, rejected, seconds)
            chunk = []
    yield from _decide(chunk, dedup, rejected, seconds)


def _decide(chunk: list[PageResult], dedup: Deduplicator, rejected: dict[str, str],
            seconds: Counter[str]) -> Iterator[Outcome]:
    t0 = time.perf_counter()
    bodies = [r.id for r in chunk if r.status == "ok" and r.id not in rejected]
    decisions: dict[str, Decision] = dedup.store.decisions(bodies) if bodies else {}
    kept = [i for i, d in decisions.items() if d.status == "kept"]
    copies = dedup.store.duplicates_of(kept) if kept else {}
    copy_ids = [d.doc_id for ds in copies.values() for d in ds]
    urls = {i: f.url for i, f in dedup.store.fingerprints(copy_ids).items()} if copy_ids else {}
    seconds["dedup"] += time.perf_counter() - t0
    for r in chunk:
        if r.status == "ok" and r.id in rejected:
            yield Outcome(r, "dropped", f"duplicate id: {rejected[r.id]}")
        else:
            absorbed = tuple(Copy(c.doc_id, urls.get(c.doc_id), c.similarity)
                             for c in copies.get(r.id, ()) if c.similarity is not None)
            yield Outcome.of(r, decisions[r.id] if r.status == "ok" else None, absorbed)
