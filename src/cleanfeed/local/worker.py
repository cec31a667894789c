"""The worker side of the local runner's processes, and the frames both sides exchange.

A worker is a fresh Python interpreter started by ``exec`` (``subprocess``; never a fork of
the main process, which holds threads): ``python -c BOOT main_pid sys.path...``. It talks to
the main process over its standard input and output, one frame each way per page:

- in: a pickled ``(fn, budget, args)``; ``fn(*args)`` runs within ``budget`` seconds of CPU
  time (``None``: no budget);
- out: first ``READY`` once the page code is imported, then per page a pickled
  ``("ok", result)``, ``("budget", None)`` past the CPU budget, or ``("error", message)`` when
  the call raised or its result could not be pickled.

A frame is an 8-byte little-endian length and that many bytes. The worker dies with the main
process however that ends (``kill -9`` included): ``PR_SET_PDEATHSIG`` where there is one, a
watchdog thread elsewhere, and the end of its input in any case. It ignores Ctrl-C, which is
the main process's to handle. Nothing here starts another process, so a run is the main process
and its workers, nothing else.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

# run by ``python -c``: Ctrl-C ignored first, then the main process's import path
BOOT = ("import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); import sys; "
        "sys.path[:] = sys.argv[2:]; from cleanfeed.local.worker import serve; "
        "serve(int(sys.argv[1]))")
READY = b"ready"

_LENGTH = struct.Struct("<Q")
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def write_frame(out: IO[bytes], payload: bytes) -> None:
    out.write(_LENGTH.pack(len(payload)))
    out.write(payload)
    out.flush()


def read_frame(source: IO[bytes]) -> bytes | None:
    """The next frame's bytes; None at the end of the stream (the other side is gone)."""
    head = source.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    size = _LENGTH.unpack(head)[0]
    payload = source.read(size)
    return payload if len(payload) == size else None


class OverBudget(BaseException):
    """Raised in a worker by the CPU timer: not an ``Exception``, so no stage catches it."""


@dataclass(slots=True)
class _CpuTimer:
    armed: bool = True

    def __call__(self, signum: int, frame: object) -> None:
        if self.armed:
            raise OverBudget


def budgeted(fn: Callable[..., Any], budget: float, *args: Any) -> Any:
    """``fn(*args)`` within ``budget`` seconds of this process's CPU time; raises
    ``OverBudget`` past it (the main thread only: the timer's signal goes there)."""
    timer = _CpuTimer()
    previous = signal.signal(signal.SIGPROF, timer)
    signal.setitimer(signal.ITIMER_PROF, budget)
    try:
        return fn(*args)
    finally:
        timer.armed = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def serve(main_pid: int) -> None:
    """A worker's life: die with the main process, import the page code, answer pages until
    the input ends."""
    _die_with(main_pid)
    # the frames keep fds 0 and 1 to themselves: a stray print goes to stderr, not the channel
    inbox = os.fdopen(os.dup(0), "rb")
    outbox = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdout = sys.stderr
    import cleanfeed.page  # noqa: F401  (imported before the first page's budget starts)

    write_frame(outbox, READY)
    while (frame := read_frame(inbox)) is not None:
        try:
            fn, budget, args = pickle.loads(frame)
            result = fn(*args) if budget is None else budgeted(fn, budget, *args)
            reply = pickle.dumps(("ok", result), protocol=pickle.HIGHEST_PROTOCOL)
        except OverBudget:
            reply = pickle.dumps(("budget", None))
        except Exception as err:  # a page that cannot be read back, a result that cannot go
            reply = pickle.dumps(("error", f"{type(err).__name__}: {err}"))
        write_frame(outbox, reply)


def _die_with(main_pid: int) -> None:
    if sys.platform.startswith("linux"):
        # SIGKILL when the thread that started this process ends: the runner starts workers
        # from one thread that lives as long as the pool
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != main_pid:  # the main process ended before the line above
        os._exit(1)
    threading.Thread(target=_watch, args=(main_pid,), daemon=True,
                     name="cleanfeed-watchdog").start()


def _watch(main_pid: int) -> None:
    """Ends the worker once the main process is gone (where there is no PR_SET_PDEATHSIG)."""
    while os.getppid() == main_pid:
        time.sleep(0.5)
    os._exit(1)
