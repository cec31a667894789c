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

import contextlib
import heapq
import itertools
import os
import pickle
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import IO, Any, cast

from ..config import Config, default_jobs
from ..dedup import Deduplicator
from ..dedup.fingerprint import Fingerprint
from ..dedup.store import Store
from ..errors import BudgetExceeded, WorkerError
from ..extract.template import (
    PageFeatures,
    SiteTemplates,
    TemplateSnapshot,
)
from ..metadata.site import named_site, site_names
from ..models import Decision, RawDoc, ReadFailure, pickled_by_fields
from ..page import (
    Copy,
    Extracted,
    Outcome,
    PageResult,
    PageStatus,
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
from .worker import BOOT, read_frame, write_frame

__all__ = ["extract_pages", "run"]

















# --------------------------------------------------------------------------------------------
# Work done per page (in a worker process, or in this one when jobs=0): the page contract's
# two passes, with the document that waits between them kept as the worker pickled it.


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class _Waiting:
    """Pass 1's answer for a page that waits for its site's template (``Pending``), with its
    extracted document pickled in the worker: this process only spools it and sends it back
    for pass 2, so it never unpickles nor pickles it again (four copies of a ~6 KB document a
    page, ~0.1 ms of this process's time)."""

    features: PageFeatures
    seconds: float
    doc: bytes | None = None  # the pickled CleanDoc of an HTML page


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class _Done:
    """A finished page (``Extracted``) as this process handles it: its ``PageResult`` pickled in
    the worker, spooled as it is and read back once for the outputs, and what this process
    reads of it before then."""

    result: bytes  # the pickled PageResult
    status: PageStatus
    seconds: tuple[tuple[str, float], ...]  # PageResult.seconds
    named: tuple[str | None, str | None] | None  # its document's (url, site): site_names
    fingerprint: Fingerprint | None = None


def _done(page: Extracted) -> _Done:
    r = page.result
    return _Done(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL), r.status, r.seconds,
                 None if r.doc is None else (r.doc.url, r.doc.site), page.fingerprint)


def _first(raw: RawDoc, task: PageTask) -> _Done | _Waiting:
    """``first_pass``, its document or result pickled (``_Waiting``, ``_Done``)."""
    answer = first_pass(raw, task)
    if not isinstance(answer, Pending):
        return _done(answer)
    doc = None if answer.doc is None else pickle.dumps(answer.doc, protocol=pickle.HIGHEST_PROTOCOL)
    return _Waiting(answer.features, answer.seconds, doc)


def _second(raw: RawDoc, task: PageTask, templates: TemplateSnapshot, doc: bytes | None) -> _Done:
    """``second_pass`` of a page ``_first`` left waiting, its result pickled (``_Done``)."""
    return _done(second_pass(raw, task, templates, None if doc is None else pickle.loads(doc)))
























# --------------------------------------------------------------------------------------------
# Running the per-page work over a stream, in order


# what a call gives: the workers' answers, or a page's failure decided in this process
_WorkerResult = Extracted | _Waiting | _Done


@dataclass(slots=True)
class _Task:
    """One page's call, pickled once; ``answer`` is set once the page is decided."""

    raw: RawDoc
    frame: bytes
    answer: _WorkerResult | None = None
    crashed: bool = False  # a worker already died on it once
    started: float = 0.0  # when a worker took it (time.monotonic)

    @property
    def reads(self) -> int:
        """1 when the worker reads the page's content (a page, a text dump to clean), 0 when it
        only finishes a document it extracted before (pass 2 of an HTML page): what a worker's
        parser leaks, and so its replacement, is counted in pages read."""
        return 1 if self.raw.content else 0


class _Worker:
    """One worker process (``cleanfeed.local.worker``), the thread reading its answers, which
    puts ``(worker, frame)`` on the pool's queue and ``(worker, None)`` once it ended, and the
    thread writing its pages, so that handing a page to a busy worker never blocks the pool.

    ``tasks``: the pages sent and not yet answered, in the order the worker takes them (it
    answers them in that order); the first is the one it is working on. A worker holds up to
    ``_PIPELINE`` pages, so that it starts its next page as soon as it answered one, without
    waiting for the main process to take the answer in and send another."""

    def __init__(self, proc: subprocess.Popen[bytes], events: queue.SimpleQueue[Any]) -> None:
        self.proc = proc
        self.tasks: deque[_Task] = deque()
        self.ready = False
        self.sent = 0  # pages to read sent (``_Task.reads``)
        self.served = 0  # and answered
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        threading.Thread(target=self._read, args=(events,), daemon=True,
                         name="cleanfeed-reader").start()
        threading.Thread(target=self._write, daemon=True, name="cleanfeed-writer").start()

    def _read(self, events: queue.SimpleQueue[Any]) -> None:
        source = cast(IO[bytes], self.proc.stdout)
        try:
            while (frame := read_frame(source)) is not None:
                events.put((self, frame))
        except (OSError, ValueError):  # its pipe closed under it: the pool is stopping
            pass
        self.proc.wait()
        events.put((self, None))

    def _write(self) -> None:
        sink = cast(IO[bytes], self.proc.stdin)
        # a worker that died meanwhile: its reader reports the end, its tasks go on
        with contextlib.suppress(OSError, ValueError):
            while (frame := self._outbox.get()) is not None:
                write_frame(sink, frame)
        with contextlib.suppress(OSError, ValueError):
            sink.close()

    def can_take(self) -> bool:
        return (self.ready and self.sent < _TASKS_PER_WORKER
                and (not self.tasks or (len(self.tasks) < _PIPELINE
                                        and sum(len(t.frame) for t in self.tasks) < _PIPELINE_BYTES)))

    def send(self, task: _Task) -> None:
        if not self.tasks:
            task.started = time.monotonic()
        self.tasks.append(task)
        self.sent += task.reads
        self._outbox.put(task.frame)

    def answered(self) -> _Task:
        """The task the worker just answered (its first); the next one is now under way."""
        task = self.tasks.popleft()
        self.served += task.reads
        if self.tasks:
            self.tasks[0].started = time.monotonic()
        return task

    def stop(self, kill: bool) -> None:
        """Ends the worker: at once (``kill``), or once it has read to the end of its input."""
        if kill:
            self.proc.kill()
        self._outbox.put(None)


class _Launcher:
    """Starts the worker processes, all from one thread that lives as long as the pool: a
    worker's ``PR_SET_PDEATHSIG`` fires when the *thread* that started it ends, and the
    threads that feed the pool end with each pass. Workers are started by ``exec``
    (``subprocess``: nothing but ``exec`` runs between its fork and the new program, so a
    process holding threads may do it), never by a fork that goes on running this process's
    code, and with no helper process (no forkserver, no resource tracker)."""

    def __init__(self) -> None:
        self._requests: queue.Queue[Future[subprocess.Popen[bytes]] | None] = queue.Queue()
        self._started: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()
        self._stopped = False
        self._thread = threading.Thread(target=self._serve, daemon=True,
                                        name="cleanfeed-launcher")
        self._thread.start()

    def _serve(self) -> None:
        command = [sys.executable, "-c", BOOT, str(os.getpid()), *sys.path]
        if os.name == "posix" and os.path.exists("/bin/sh"):
            # Ctrl-C ignored from the first instruction (inherited across exec), not once the
            # interpreter has started: a Ctrl-C then would print a worker's traceback; the
            # shell execs the interpreter, so it is no extra process
            command = ["/bin/sh", "-c", 'trap "" INT; exec "$0" "$@"', *command]
        while (request := self._requests.get()) is not None:
            try:
                proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            except BaseException as err:
                request.set_exception(err)
                continue
            for pipe in (proc.stdin, proc.stdout):
                _widen(cast(IO[bytes], pipe))
            self._started.append(proc)
            request.set_result(proc)

    def launch(self) -> subprocess.Popen[bytes]:
        request: Future[subprocess.Popen[bytes]] = Future()
        with self._lock:
            if self._stopped:
                raise _Stopped
            self._requests.put(request)
        return request.result()

    def stop(self) -> None:
        """Ends every worker it started (its thread's end alone kills them on Linux)."""
        with self._lock:
            self._stopped = True
            self._requests.put(None)
        self._thread.join()
        for proc in self._started:
            if proc.poll() is None:
                proc.kill()
        for proc in self._started:
            proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                with contextlib.suppress(OSError):
                    cast(IO[bytes], pipe).close()


def _widen(pipe: IO[bytes]) -> None:
    """Gives a pipe to a worker room for several pages (``_PIPE_BYTES``) where the system
    allows it (Linux), instead of 64 KB.

    A page's frame is ~170 KB: through a 64 KB pipe, each one has the worker wait on the main
    process's writer thread several times, and an answer the main process's reader thread has
    not yet taken in blocks the worker; either thread first needs the main process's GIL,
    which its busy threads hold for up to the switch interval (5 ms) at a time. With room for
    a few frames each way, neither side waits on the other's scheduling."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        return
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if set_size is None:
        return
    with contextlib.suppress(OSError):  # over the system's limit: the default size stays
        fcntl.fcntl(pipe.fileno(), set_size, _PIPE_BYTES)


class _Executor:
    """Runs per-page calls in worker processes or in this process; results come back in
    submission order.

    Workers: at most the cores this process may use, and no more than the pages there are
    (the pool starts once the first pages are known); a run is this process and its workers,
    no other process (see ``_Launcher``). Each worker dies with the main process, however that
    ends (``kill -9`` included), and ignores Ctrl-C, which is the main process's to handle
    (``cleanfeed.local.worker``). The time budget is CPU time spent on the page, so the same
    input gives the same drops on a loaded machine; a wall-clock limit far above it only stops
    a worker stuck where the CPU timer cannot reach (inside a C call). A worker that dies on a
    page gets that page once more in a fresh worker before it is dropped as "worker crashed";
    a worker is replaced after it read ``_TASKS_PER_WORKER`` pages (bounds parser leaks; pass 2
    of an HTML page, which reads nothing, does not count).

    All pool state is the thread's that calls ``map``; the readers only fill the queue, and
    ``close`` (from any thread) stops the launcher, which ends every worker.
    """

    def __init__(self, jobs: int, timeout: float | None) -> None:
        self.jobs = min(jobs, default_jobs())
        self.timeout = timeout
        self._cpu_budget = timeout is not None and hasattr(signal, "setitimer")
        self._limit = (None if timeout is None else
                       timeout * _BACKSTOP_FACTOR + _BACKSTOP_SECONDS if self._cpu_budget
                       else timeout)
        self._launcher: _Launcher | None = None
        self._events: queue.SimpleQueue[tuple[_Worker, bytes | None]] = queue.SimpleQueue()
        self._workers: list[_Worker] = []
        self._waiting: deque[_Task] = deque()  # tasks no worker has taken yet
        self._stopping = threading.Event()
        self._failed_starts = 0  # workers in a row that ended before they were ready

    def _start(self, workers: int) -> None:
        self._launcher = _Launcher()
        for _ in range(workers):
            self._spawn()

    def _spawn(self) -> None:
        if self._stopping.is_set() or self._launcher is None:
            raise _Stopped
        try:
            proc = self._launcher.launch()
        except OSError as err:  # no interpreter to start, no process left to the user
            raise WorkerError(f"worker processes could not start ({err}); jobs=0 runs without them") from err
        self._workers.append(_Worker(proc, self._events))

    def _submit(self, fn: Callable[..., _WorkerResult], raw: RawDoc,
                args: tuple[Any, ...]) -> _Task:
        budget = self.timeout if self._cpu_budget else None
        try:
            frame = pickle.dumps((fn, budget, (raw, *args)), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as err:  # a page object that cannot travel to a worker
            return _Task(raw, b"", answer=internal_error(raw, err))
        task = _Task(raw, frame)
        self._waiting.append(task)
        self._assign()
        return task

    def _assign(self) -> None:
        """Waiting tasks to workers with room, one each in turn (so none idles while another
        holds several)."""
        while self._waiting:
            takers = [w for w in self._workers if w.can_take()]
            if not takers:
                return
            for worker in takers:
                if not self._waiting:
                    return
                worker.send(self._waiting.popleft())

    def _requeue(self, tasks: Iterable[_Task]) -> None:
        """Tasks a worker took but will not answer go first to the next worker, in order."""
        self._waiting.extendleft(reversed(list(tasks)))

    def _pump(self, wait: float) -> None:
        """Takes in what the workers said (waiting up to ``wait`` seconds for the first word),
        stops a worker over its page's wall-clock limit, gives waiting tasks to idle workers."""
        try:
            event = self._events.get(timeout=wait) if wait > 0 else self._events.get_nowait()
            while True:
                self._handle(*event)
                event = self._events.get_nowait()
        except queue.Empty:
            pass
        if self._limit is not None:
            now = time.monotonic()
            for worker in list(self._workers):
                if worker.tasks and now - worker.tasks[0].started > self._limit:
                    self._workers.remove(worker)
                    worker.stop(kill=True)
                    task, *others = worker.tasks
                    self._requeue(others)
                    task.answer = failed(task.raw, BudgetExceeded(
                        f"extraction took longer than the {self.timeout:g} s budget; the worker "
                        "was stopped" if not self._cpu_budget else
                        f"extraction took more than the {self.timeout:g} s budget (stuck where "
                        "the CPU timer could not stop it); the worker was stopped"))
                    self._spawn()
        self._assign()

    def _handle(self, worker: _Worker, frame: bytes | None) -> None:
        if worker not in self._workers:  # one stopped or replaced: old news
            return
        if frame is None:
            self._ended(worker)
        elif not worker.ready:  # its first word: READY
            worker.ready = True
            self._failed_starts = 0
        else:
            task = worker.answered()
            task.answer = self._answer(task.raw, frame)
            if worker.served >= _TASKS_PER_WORKER:
                self._workers.remove(worker)
                worker.stop(kill=False)
                self._spawn()

    def _answer(self, raw: RawDoc, frame: bytes) -> _WorkerResult:
        try:
            status, value = pickle.loads(frame)
        except Exception as err:  # a result that cannot be read back here
            return internal_error(raw, err)
        if status == "ok":
            return cast(_WorkerResult, value)
        if status == "budget":
            return failed(raw, BudgetExceeded(
                f"extraction took more than the {self.timeout:g} s budget of CPU time"))
        return Extracted(PageResult(raw.id, "failed", url=raw.url, source=raw.source,
                                    reason="internal error", error=str(value)))

    def _ended(self, worker: _Worker) -> None:
        """A worker ended by itself: the page it was on is retried once, then dropped as a
        crash; the pages it had not started yet go to the next worker."""
        self._workers.remove(worker)
        task = worker.tasks.popleft() if worker.tasks else None
        self._requeue(worker.tasks)
        if not worker.ready:  # it could not start: the page never ran in it
            self._failed_starts += 1
            if self._failed_starts >= _FAILED_STARTS:
                raise WorkerError(
                    f"worker processes could not start ({self._failed_starts} in a row ended "
                    f"with exit code {worker.proc.returncode} before they were ready; their "
                    "error is above); jobs=0 runs without them")
            if task is not None:
                self._waiting.appendleft(task)
        elif task is not None and task.crashed:
            task.answer = Extracted(PageResult(
                task.raw.id, "failed", url=task.raw.url, source=task.raw.source,
                reason="worker crashed", error=f"the worker process died on this page twice "
                f"(exit code {worker.proc.returncode})"))
        elif task is not None:  # killed from outside, or a crash this page causes?
            task.crashed = True
            self._waiting.appendleft(task)
        self._spawn()

    def _result(self, task: _Task) -> _WorkerResult:
        """The task's answer; raises ``_Stopped`` if the pool is stopped meanwhile."""
        while task.answer is None:
            if self._stopping.is_set():
                raise _Stopped
            self._pump(0.1)
        return task.answer

    def map(
        self, fn: Callable[..., _WorkerResult], calls: Iterable[tuple[int, RawDoc, Any]]
    ) -> Iterator[tuple[int, RawDoc, _WorkerResult]]:
        """``fn(raw, *args)`` for each ``(key, raw, args)`` call, in order; a call whose third
        member is already an ``Extracted`` (a page refused before any work) passes through."""
        if self.jobs <= 0:
            for key, raw, args in calls:
                yield key, raw, args if isinstance(args, Extracted) else fn(raw, *args)
            return

        window: deque[tuple[int, RawDoc, _Task | Extracted]] = deque()
        limit = self.jobs * _IN_FLIGHT_PER_WORKER
        held = 0  # bytes of the frames in the window: big pages make it shorter
        calls = iter(calls)
        first = list(itertools.islice(calls, limit))  # how many workers can help
        if self._launcher is None:
            pages = sum(not isinstance(args, Extracted) for _, _, args in first)
            if pages:
                self._start(min(self.jobs, pages))

        def settle() -> tuple[int, RawDoc, _WorkerResult]:
            nonlocal held
            key, raw, task = window.popleft()
            if isinstance(task, Extracted):
                return key, raw, task
            held -= len(task.frame)
            return key, raw, self._result(task)

        for key, raw, args in itertools.chain(first, calls):
            if isinstance(args, Extracted):
                window.append((key, raw, args))
            else:
                if self._launcher is None:  # only refused pages came first
                    self._start(self.jobs)
                task = self._submit(fn, raw, args)
                held += len(task.frame)
                window.append((key, raw, task))
                self._pump(0)
            while (len(window) >= limit or held > _WINDOW_BYTES
                   or (window and not _pending(window[0][2]))):
                yield settle()
        while window:
            yield settle()

    def close(self) -> None:
        self._stopping.set()
        if self._launcher is not None:
            self._launcher.stop()


class _Stopped(BaseException):
    """The pool was stopped while a result was awaited (the run is ending)."""


def _pending(task: _Task | Extracted) -> bool:
    return isinstance(task, _Task) and task.answer is None


_PIPE_BYTES = 1 << 20  # the kernel buffer of each pipe to and from a worker (see ``_widen``)
_FAILED_STARTS = 3  # workers in a row that end before they are ready: the run fails
# the wall-clock limit of a page with a CPU budget of t seconds: t * factor + seconds
_BACKSTOP_FACTOR, _BACKSTOP_SECONDS = 4.0, 30.0
# a worker is replaced after it read this many pages (bounds parser leaks): a replacement
# costs ~1 s of CPU for its imports
_TASKS_PER_WORKER = 5000
# pages a worker holds: the one it works on, the next ones already sent (enough that it does
# not run dry while the main process is busy for a few pages' time), and their bytes at most
# (beyond the first page): pages may be up to ExtractConfig.max_bytes each
_PIPELINE, _PIPELINE_BYTES = 8, 8 << 20
# pages submitted and not yet yielded, per worker, and their bytes at most in all: room for
# the workers to go on while the oldest page, which results wait for, is a slow one
_IN_FLIGHT_PER_WORKER, _WINDOW_BYTES = 32, 64 << 20


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
        # open for the spool's life, closed by close()
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="cleanfeed-")  # noqa: SIM115
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

    def __init__(self, task: PageTask, jobs: int, on_result: Callable[[_Done], None],
                 progress: ProgressCallback | None, counts: Callable[[], dict[str, int]],
                 seconds: defaultdict[str, float], learner: SiteTemplates | None = None) -> None:
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
        self._first = _Spool()  # (seq, pickled PageResult) of pass 1, in order
        self._second = _Spool()  # (seq, pickled PageResult) of pass 2, in order
        self._texts = _Spool()  # (seq, RawDoc, site keys, pickled CleanDoc | None) waiting for pass 2
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

    def _record(self, spool: _Spool, seq: int, page: Extracted | _Done) -> None:
        done = page if isinstance(page, _Done) else _done(page)
        for stage, s in done.seconds:
            self.seconds["worker:" + stage] += s
        spool.write((seq, done.result))
        if done.named is not None:
            self._sites.append(done.named)
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
            for seq, raw, answer in ahead(executor.map(_first, self._calls(pages))):
                if isinstance(answer, _Waiting):
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

            for seq, _, answer in ahead(executor.map(_second, text_calls())):
                self._record(self._second, seq, cast(Extracted | _Done, answer))  # pass 2 always ends
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
        for _, blob in heapq.merge(iter(self._first), iter(self._second), key=lambda r: r[0]):
            result: PageResult = pickle.loads(blob)
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

    def count(done: _Done) -> None:
        counter["dropped" if done.status != "ok" else "kept"] += 1

    learner = templates if isinstance(templates, SiteTemplates) else None
    passes = _Passes(task, default_jobs() if jobs is None else jobs, count, progress,
                     lambda: dict(counter), defaultdict(float), learner)
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

    def __init__(self, dedup: Deduplicator, batch_size: int, seconds: defaultdict[str, float],
                 settle: bool) -> None:
        self.dedup = dedup
        self.settle = settle  # the store outlives the run (``Deduplicator.resolve``)
        self.batch_size = batch_size
        self.seconds = seconds
        self.batch: list[Fingerprint] = []
        self.status: dict[str, str] = {}
        self.counts: Counter[str] = Counter()
        self.rejected: dict[str, str] = {}  # doc id -> why the deduplicator could not take it
        self.added: list[str] = []  # doc ids this run gave the deduplicator

    def __call__(self, done: _Done) -> None:
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
        result = self.dedup.resolve(settle=self.settle)
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
    built with ``config.dedup``). A run on a durable store settles its pages once decided
    (``Deduplicator.resolve(settle=True)``): later runs find them by their own text.
    ``batch_size``: bodies per batch given to the deduplicator (see ``_Feed``). With
    ``templates=True`` the site templates learned so far are kept in the store too: a run goes
    on learning where the last one stopped, and saves what it learned once it completes.
    ``keep_removals``: keep each page's removal records for ``Outcome.explain_row``. Other
    arguments as in ``extract_pages``. The outcomes come once the whole input is decided;
    ``progress`` is called as pages finish, and once at the end with ``finished=True``.

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
    seconds: defaultdict[str, float] = defaultdict(float)
    feed = _Feed(dedup, batch_size, seconds, settle=dedup.store.durable)
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
              seconds: defaultdict[str, float]) -> Iterator[Outcome]:
    """Final outcomes, in input order: decisions read back from the store in chunks."""
    chunk: list[PageResult] = []
    for result in passes.results():
        chunk.append(result)
        if len(chunk) >= 1024:
            yield from _decide(chunk, dedup, rejected, seconds)
            chunk = []
    yield from _decide(chunk, dedup, rejected, seconds)


def _decide(chunk: list[PageResult], dedup: Deduplicator, rejected: dict[str, str],
            seconds: defaultdict[str, float]) -> Iterator[Outcome]:
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
