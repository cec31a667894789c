"""Fault injection: what users (and machines) do to a run, and what must hold afterwards.

Usage::

    python -m benchmarks.faults [--pages 400] [--fuzz 2000] [--interrupts 50]
                                [--interrupt-pages 3000] [--seed 1] [--only CASE,...]

Every run is the real ``cleanfeed run`` command in its own session (process group), over
pages of the syndication generator (``benchmarks.syndication``), with ``--jobs 2``:

- ``kill-main``: ``kill -9`` of the main process of an ``--index`` run at several points
  (extraction, deduplication, writing); then no process of the run may be left, the index must
  pass ``PRAGMA integrity_check``, and a rerun on it must give the outputs of an uninterrupted
  run byte for byte, leaving no temporary file;
- ``kill-worker``: ``kill -9`` of a worker process in the middle of a page: the page is retried
  in a fresh worker, the outputs equal the uninterrupted run's;
- ``two-runs``: a second run on an index in use: refused at once (exit 3, a clear line), the
  first finishes with the uninterrupted outputs, the index intact;
- ``full-disk``: outputs, index, or temporary files on a small full tmpfs: exit 3, one line
  naming the path, no temporary file left, the index intact (needs root for ``mount``);
- ``fuzz``: damaged pages (byte flips, truncation, random Unicode and control bytes, deep
  nesting, all at once) through ``cleanfeed.extract`` (no exception but cleanfeed's own may
  escape) and through ``cleanfeed run`` (every page gets its manifest line, exit 0);
- ``interrupt``: SIGINT (Ctrl-C) at random moments of a large run: exit 130 within 2 s, no
  process left;
- ``many-jobs``: ``--jobs 999`` on five pages: the processes of the run and their total RSS.

Figures per case: runs, pages in, pages accounted for (manifest lines), crashes (exit code 1,
a traceback, an escaped exception, a hang) and failures of what must hold. Results:
``benchmarks/results/faults.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import write_results
from benchmarks.syndication.generate import DEFAULT_SEEDS, generate

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
OUTPUTS = ("clean.jsonl", "manifest.jsonl")


@dataclass
class Case:
    """What one fault case tried and what held."""

    name: str
    runs: int = 0
    pages_in: int = 0
    pages_accounted: int = 0
    crashes: int = 0
    failures: list[str] = field(default_factory=list)
    figures: dict[str, float | int | str] = field(default_factory=dict)

    def fail(self, what: str) -> None:
        self.failures.append(what)


# --------------------------------------------------------------------------------------------
# Running the command


def env(**extra: str) -> dict[str, str]:
    paths = [str(REPO / "src"), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), **extra}


def command(inputs: Path, out: Path, *extra: str | Path, jobs: int = 2) -> list[str]:
    return [sys.executable, "-m", "cleanfeed", "run", str(inputs), "-o", str(out / OUTPUTS[0]),
            "--manifest", str(out / OUTPUTS[1]), "--jobs", str(jobs), "--quiet",
            *map(str, extra)]


def start(cmd: Sequence[str], **kwargs: object) -> subprocess.Popen[bytes]:
    """The command in a session of its own, so its processes can be found and counted."""
    # Ctrl-C as a terminal gives it: a script started in the background inherits SIGINT
    # ignored, and Python then installs no KeyboardInterrupt handler
    proc: subprocess.Popen[bytes] = subprocess.Popen(  # type: ignore[call-overload]
        cmd, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_default_sigint, **kwargs)
    return proc


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def finish(proc: subprocess.Popen[bytes], timeout: float = 600) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:  # a hang: end the whole run, never leave it behind
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return proc.returncode, err.decode("utf-8", "replace")


def _stat(pid: int) -> tuple[int, int, int] | None:
    """(ppid, pgid, rss pages) of a process, None when it is gone or a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    if fields[0] == "Z":
        return None
    return int(fields[1]), int(fields[2]), int(fields[21])


def members(pgid: int) -> dict[int, tuple[int, int]]:
    """The live processes of a session's group: pid -> (ppid, RSS bytes)."""
    found = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None and st[1] == pgid:
                found[int(entry)] = (st[0], st[2] * page)
    return found


def pss(pid: int) -> int:
    """A process's proportional set size in bytes (its private pages plus its share of the
    pages it shares): summed over a group it counts shared libraries once, where a sum of RSS
    counts them in every process. 0 once the process is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def workers(main_pid: int) -> list[int]:
    """The worker processes of a run: its group's processes but the main one (a run starts no
    other process: ``cleanfeed.local.runner._Launcher``)."""
    return sorted(pid for pid in members(main_pid) if pid != main_pid)


def left_behind(pgid: int, wait: float = 3.0) -> list[int]:
    """Processes of a killed run still alive after ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        alive = sorted(members(pgid))
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS if (out / name).exists()}


def integrity(index: Path) -> str:
    if not index.exists():
        return "ok"  # nothing was written: nothing to damage
    with sqlite3.connect(index) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def temporaries(*folders: Path) -> list[str]:
    return sorted(p.name for f in folders if f.is_dir() for p in f.iterdir() if ".tmp-" in p.name)


def manifest_lines(out: Path) -> int:
    path = out / OUTPUTS[1]
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def crashed(code: int, err: str) -> bool:
    return code == 1 or "Traceback" in err


def corpus(root: Path, pages: int, seed: int, source_root: Path | None = None,
           seeds_root: Path | None = DEFAULT_SEEDS) -> Path:
    """``pages`` generated pages (copies, negatives; HTML and text dumps) in ``root/pages``."""
    if source_root is None:
        generate(root, pages, seed=seed, seeds_root=seeds_root)
    else:
        generate(root, pages, seed=seed, source_root=source_root, seeds_root=seeds_root)
    return root / "pages"


def reference(pages: Path, work: Path) -> tuple[dict[str, bytes], float]:
    """The outputs (and wall time) of an uninterrupted run with a fresh index."""
    out = work / "reference"
    out.mkdir(parents=True)
    t0 = time.perf_counter()
    code, err = finish(start(command(pages, out, "--index", out / "index.sqlite"), env=env()))
    if code != 0:
        raise RuntimeError(f"the reference run failed ({code}): {err}")
    return outputs(out), time.perf_counter() - t0


# --------------------------------------------------------------------------------------------
# Cases


def kill_main(pages: Path, work: Path, expected: dict[str, bytes], n_pages: int,
              delays: Sequence[float]) -> Case:
    case = Case("kill -9 of the main process, then a rerun")
    for n, delay in enumerate(delays):
        out = work / f"kill-main-{n}"
        out.mkdir(parents=True)
        index = out / "index.sqlite"
        proc = start(command(pages, out, "--index", index), env=env())
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        case.runs += 1
        alive = left_behind(proc.pid)
        if alive:
            case.fail(f"kill at {delay:.1f} s: {len(alive)} processes left behind")
            for pid in alive:
                os.kill(pid, signal.SIGKILL)
        check = integrity(index)
        if check != "ok":
            case.fail(f"kill at {delay:.1f} s: integrity_check says {check}")
        code, err = finish(start(command(pages, out, "--index", index), env=env()))
        case.runs += 1
        case.crashes += crashed(code, err)
        case.pages_in += n_pages
        case.pages_accounted += manifest_lines(out)
        if code != 0 or outputs(out) != expected:
            case.fail(f"kill at {delay:.1f} s: the rerun (exit {code}) differs from an "
                      f"uninterrupted run {err.strip()[-200:]}")
        if temporaries(out):
            case.fail(f"kill at {delay:.1f} s: temporary files left: {temporaries(out)}")
        if integrity(index) != "ok":
            case.fail(f"kill at {delay:.1f} s: the index is damaged after the rerun")
    case.figures["kill points (s)"] = ", ".join(f"{d:.1f}" for d in delays)
    return case


def kill_worker(pages: Path, work: Path, expected: dict[str, bytes], n_pages: int,
                delays: Sequence[float]) -> Case:
    case = Case("kill -9 of a worker process mid-run")
    killed = 0
    for n, delay in enumerate(delays):
        out = work / f"kill-worker-{n}"
        out.mkdir(parents=True)
        proc = start(command(pages, out, "--index", out / "index.sqlite"), env=env())
        time.sleep(delay)
        victims = workers(proc.pid)
        if victims:
            os.kill(victims[0], signal.SIGKILL)
            killed += 1
        code, err = finish(proc)
        case.runs += 1
        case.crashes += crashed(code, err)
        case.pages_in += n_pages
        case.pages_accounted += manifest_lines(out)
        if code != 0 or outputs(out) != expected:
            case.fail(f"worker killed at {delay:.1f} s: exit {code}, outputs differ from an "
                      f"uninterrupted run {err.strip()[-200:]}")
    case.figures["workers killed"] = killed
    return case


def two_runs(pages: Path, work: Path, expected: dict[str, bytes], n_pages: int) -> Case:
    case = Case("two runs on one index at once")
    out1, out2 = work / "two-1", work / "two-2"
    out1.mkdir(parents=True)
    out2.mkdir(parents=True)
    index = out1 / "index.sqlite"
    first = start(command(pages, out1, "--index", index), env=env())
    # the second starts once the first holds the index (its file exists), not after a fixed
    # sleep: on a loaded machine the first had not opened it yet, on an idle one it had finished
    deadline = time.monotonic() + 60
    while not index.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    code2, err2 = finish(start(command(pages, out2, "--index", index), env=env()))
    code1, err1 = finish(first)
    case.runs += 2
    case.crashes += crashed(code1, err1) + crashed(code2, err2)
    case.pages_in += n_pages
    case.pages_accounted += manifest_lines(out1)
    if code2 != 3 or "in use" not in err2 or outputs(out2):
        case.fail(f"the second run: exit {code2}, {err2.strip()[-200:]}")
    if code1 != 0 or outputs(out1) != expected:
        case.fail(f"the first run: exit {code1}, outputs differ {err1.strip()[-200:]}")
    if integrity(index) != "ok":
        case.fail("the index is damaged")
    case.figures["second run"] = err2.strip().replace(str(work), "WORK")
    return case


def _mount(disk: Path, size: str) -> str | None:
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)],
                          capture_output=True, text=True)
    return None if done.returncode == 0 else done.stderr.strip()


def _unmount(disk: Path) -> None:
    for _ in range(50):  # a run's forkserver may still be leaving its socket there
        if subprocess.run(["umount", str(disk)], capture_output=True).returncode == 0:
            return
        time.sleep(0.1)
    subprocess.run(["umount", "-l", str(disk)], check=False)


def full_disk(pages: Path, work: Path, n_pages: int, expected: dict[str, bytes]) -> Case:
    """Outputs, then the index, then the temporary files, on a small tmpfs that fills up (a
    third of what the outputs need; 16 KiB for the temporary files)."""
    size = f"{max(16, sum(map(len, expected.values())) // 3 // 1024)}k"
    case = Case(f"a full disk (tmpfs of {size}, 16k for TMPDIR)")
    disk = work / "disk"
    disk.mkdir(parents=True)
    elsewhere = work / "full-disk-out"
    elsewhere.mkdir()
    trials = {
        "outputs": (command(pages, disk), {}, size),
        "index": (command(pages, elsewhere, "--index", disk / "index.sqlite"), {}, size),
        "temporary files": (command(pages, elsewhere), {"TMPDIR": str(disk)}, "16k"),
    }
    for what, (cmd, extra, room) in trials.items():
        refused = _mount(disk, room)
        if refused is not None:
            case.figures["skipped"] = f"mount failed: {refused}"
            return case
        try:
            code, err = finish(start(cmd, env=env(**extra)))
            case.runs += 1
            case.pages_in += n_pages
            case.crashes += crashed(code, err)
            lines = err.strip().splitlines()
            if code != 3 or len(lines) != 1 or ("space" not in err and "full" not in err):
                case.fail(f"{what}: exit {code}, {err.strip()[-300:]}")
            if ".tmp-" in err:
                case.fail(f"{what}: the message names a temporary file: {err.strip()}")
            if temporaries(disk, elsewhere):
                case.fail(f"{what}: temporary files left: {temporaries(disk, elsewhere)}")
            check = work / "full-disk-check"  # checked elsewhere: SQLite needs room to open
            shutil.rmtree(check, ignore_errors=True)
            check.mkdir()
            for f in disk.glob("index.sqlite*"):
                shutil.copy(f, check / f.name)
            if integrity(check / "index.sqlite") != "ok":
                case.fail(f"{what}: the index is damaged")
            case.figures[what] = lines[-1].replace(str(work), "WORK") if lines else ""
            for p in [*disk.iterdir(), *elsewhere.iterdir()]:
                p.unlink()
        finally:
            _unmount(disk)
    return case


# -- fuzzing


def mutate(data: bytes, rng: random.Random,
           depths: Sequence[int] = (200, 1_000, 3_000)) -> tuple[str, bytes]:
    """One damaged copy of a page, and how it was damaged (nesting ``depths``: far deeper
    nesting is slow, not unsafe: a matter of the extractor's speed)."""
    kind = rng.choice(["flip", "truncate", "unicode", "nesting", "all"])
    out = bytearray(data)
    if kind in ("flip", "all"):
        for _ in range(rng.randint(1, max(1, len(out) // 200))):
            out[rng.randrange(len(out))] = rng.randrange(256)
    if kind in ("truncate", "all"):
        del out[rng.randint(0, len(out)):]
    if kind in ("unicode", "all"):
        for _ in range(rng.randint(1, 40)):
            cp = rng.choice([rng.randint(0, 0x1F), rng.randint(0x80, 0x2FFF),
                             rng.randint(0xE000, 0x10FFFF)])
            at = rng.randint(0, len(out))
            out[at:at] = chr(cp).encode("utf-8", "surrogatepass")
    if kind in ("nesting", "all"):
        depth = rng.choice(depths)
        tag = rng.choice([b"div", b"p", b"span", b"table", b"li"])
        at = rng.randint(0, len(out))
        closed = b"</" + tag + b">" if rng.random() < 0.5 else b""
        out[at:at] = (b"<" + tag + b">") * depth + b"deep text" + closed * depth
    return kind, bytes(out)


def fuzz_pages(sources: Sequence[bytes], n: int, seed: int,
               depths: Sequence[int] = (200, 1_000, 3_000)) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    return [mutate(rng.choice(sources), rng, depths) for _ in range(n)]


def fuzz(sources: Sequence[bytes], n: int, seed: int, work: Path,
         depths: Sequence[int] = (200, 1_000, 3_000)) -> Case:
    import cleanfeed

    case = Case("fuzzed pages through extract() and cleanfeed run")
    pages = fuzz_pages(sources, n, seed, depths)
    escaped: list[str] = []
    for kind, data in pages:
        try:
            cleanfeed.extract(data)
        except cleanfeed.CleanfeedError:
            pass
        except Exception as err:  # what must never escape
            escaped.append(f"{kind}: {type(err).__name__}: {err}"[:200])
    case.runs += 1
    case.crashes += len(escaped)
    for e in escaped[:5]:
        case.fail(f"extract(): {e}")
    folder = work / "fuzz" / "pages"
    folder.mkdir(parents=True)
    for i, (kind, data) in enumerate(pages):
        (folder / f"{i:05d}-{kind}.html").write_bytes(data)
    out = work / "fuzz"
    code, stderr = finish(start(command(folder, out), env=env()))
    case.runs += 1
    case.crashes += crashed(code, stderr)
    case.pages_in += n
    manifest = [json.loads(x) for x in (out / OUTPUTS[1]).read_text().splitlines()] \
        if (out / OUTPUTS[1]).exists() else []
    case.pages_accounted += len(manifest)
    if code != 0 or sorted(m["id"] for m in manifest) != sorted(p.name for p in folder.iterdir()):
        case.fail(f"cleanfeed run: exit {code}, {len(manifest)} of {n} pages in the manifest "
                  f"{stderr.strip()[-200:]}")
    statuses: dict[str, int] = {}
    for m in manifest:
        statuses[m["status"]] = statuses.get(m["status"], 0) + 1
    case.figures["extract() escaped exceptions"] = len(escaped)
    case.figures["manifest statuses"] = json.dumps(statuses, sort_keys=True)
    return case


# -- Ctrl-C


def interrupt(pages: Path, work: Path, n: int, seed: int, within: float,
              jobs: int = 2, limit: float = 2.0) -> Case:
    """SIGINT at ``n`` random moments in the first ``within`` seconds of a run, counted from
    its start (its first worker process): before that the interpreter is still starting, and a
    Ctrl-C there ends it as Python ends any program (by the signal, with a traceback of the
    import it stopped), which is not the run's handling."""
    rng = random.Random(seed)
    case = Case(f"Ctrl-C at random moments ({n} runs)")
    waits: list[float] = []
    for i in range(n):
        out = work / f"interrupt-{i}"
        out.mkdir(parents=True)
        proc = start(command(pages, out, jobs=jobs), env=env())
        _started(proc)
        time.sleep(rng.uniform(0.0, within))
        if proc.poll() is not None:
            finish(proc)
            continue  # it finished first: not an interrupt
        # as a terminal does: SIGINT to the whole foreground process group
        os.killpg(proc.pid, signal.SIGINT)
        t0 = time.perf_counter()
        try:
            code, err = finish(proc, timeout=30)
        except subprocess.TimeoutExpired:
            code, err = -9, ""
            case.fail(f"run {i}: still running 30 s after Ctrl-C")
        waited = time.perf_counter() - t0
        if code == 0 and not err.strip() and waited < 0.1:
            continue  # it was exiting, its outputs written, as the Ctrl-C came: not an interrupt
        waits.append(waited)
        case.runs += 1
        case.crashes += crashed(code, err) or waited > limit
        if code != 130:
            case.fail(f"run {i}: exit {code} {err.strip()[-200:]}")
        elif waited > limit:
            case.fail(f"run {i}: exited {waited:.2f} s after Ctrl-C")
        if left_behind(proc.pid, 1.0):
            case.fail(f"run {i}: processes left behind")
        if temporaries(out):
            case.fail(f"run {i}: temporary files left: {temporaries(out)}")
        shutil.rmtree(out)
    if waits:
        case.figures["exit after Ctrl-C: median / max s"] = (
            f"{sorted(waits)[len(waits) // 2]:.2f} / {max(waits):.2f}")
    return case


def _started(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Wait until a run has started its first worker, or has ended."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and not workers(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.01)


# -- --jobs 999


def many_jobs(pages: Path, work: Path) -> Case:
    case = Case("--jobs 999 on five pages")
    five = work / "five"
    five.mkdir(parents=True)
    for p in sorted(pages.iterdir())[:5]:
        shutil.copy(p, five / p.name)
    out = work / "five-out"
    out.mkdir()
    cmd = command(five, out, jobs=999)
    cmd.remove("--quiet")
    t0 = time.perf_counter()
    proc = start(cmd, env=env())
    most, workers_most, peak, peak_pss = 0, 0, 0, 0
    while proc.poll() is None:
        group = members(proc.pid)
        most = max(most, len(group))
        workers_most = max(workers_most, len(workers(proc.pid)))
        peak = max(peak, sum(rss for _, rss in group.values()))
        peak_pss = max(peak_pss, sum(pss(pid) for pid in group))
        time.sleep(0.02)
    code, err = finish(proc)
    case.runs += 1
    case.pages_in += 5
    case.pages_accounted += manifest_lines(out)
    case.crashes += crashed(code, err)
    cores = len(os.sched_getaffinity(0))
    case.figures.update({
        "cores": cores, "processes at most (all)": most, "worker processes at most": workers_most,
        "main + workers at most": 1 + workers_most, "peak RSS of all (MB)": round(peak / 2**20),
        # RSS summed over processes counts every shared library once per process, PSS counts
        # it once: both are given, the floor holds for both
        "peak PSS of all (MB)": round(peak_pss / 2**20),
        "seconds": round(time.perf_counter() - t0, 1), "note": err.strip().splitlines()[0],
    })
    # the floor: every process of the run counted (helpers too), at most cores + 1, < 500 MB
    if code != 0 or most > cores + 1 or max(peak, peak_pss) > 500 * 2**20:
        case.fail(f"exit {code}, {most} processes, {peak / 2**20:.0f} MB RSS summed, "
                  f"{peak_pss / 2**20:.0f} MB PSS")
    return case


# --------------------------------------------------------------------------------------------


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Fault injection",
        "",
        f"`{result['command']}` ({result['machine']}). Every run is the real `cleanfeed run` "
        f"(`--jobs 2`) over generated pages (`benchmarks.syndication`, {result['pages']} pages; "
        f"{result['interrupt_pages']} for Ctrl-C), compared with an uninterrupted run on a fresh "
        "index.",
        "",
        "| case | runs | pages in | pages accounted for | crashes | failures |",
        "|---|---|---|---|---|---|",
    ]
    for c in result["cases"]:
        lines.append(f"| {c['name']} | {c['runs']} | {c['pages_in']:,} | "
                     f"{c['pages_accounted']:,} | {c['crashes']} | {len(c['failures'])} |")
    lines += ["", "Figures:", ""]
    for c in result["cases"]:
        for k, v in c["figures"].items():
            lines.append(f"- {c['name']}: {k}: {v}")
        for f in c["failures"]:
            lines.append(f"- {c['name']}: FAILED: {f}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--fuzz", type=int, default=2000)
    parser.add_argument("--interrupts", type=int, default=50)
    parser.add_argument("--interrupt-pages", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated case names (default: all)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    cases: list[Case] = []
    with tempfile.TemporaryDirectory(prefix="cleanfeed-faults-") as tmp:
        work = Path(tmp)
        pages = corpus(work / "corpus", args.pages, args.seed)
        expected, seconds = reference(pages, work)
        points = [seconds * f for f in (0.15, 0.4, 0.65, 0.85)]
        plan: dict[str, Callable[[], Case]] = {
            "kill-main": lambda: kill_main(pages, work, expected, args.pages, points),
            "kill-worker": lambda: kill_worker(pages, work, expected, args.pages, points[:3]),
            "two-runs": lambda: two_runs(pages, work, expected, args.pages),
            "full-disk": lambda: full_disk(pages, work, args.pages, expected),
            "fuzz": lambda: fuzz([p.read_bytes() for p in sorted(pages.iterdir())[:200]],
                                 args.fuzz, args.seed, work),
            "many-jobs": lambda: many_jobs(pages, work),
            "interrupt": lambda: interrupt(
                corpus(work / "big", args.interrupt_pages, args.seed + 1), work,
                args.interrupts, args.seed, within=20.0),
        }
        for name, case in plan.items():
            if not only or name in only:
                t0 = time.perf_counter()
                cases.append(case())
                print(f"{name}: {time.perf_counter() - t0:.0f} s, "
                      f"{len(cases[-1].failures)} failures", *cases[-1].failures, sep="\n  ",
                      flush=True)
    result = {
        "command": "python -m benchmarks.faults " + " ".join(sys.argv[1:]),
        "machine": f"{platform.machine()}, Python {platform.python_version()}, "
                   f"{len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.1f}",
        "pages": args.pages, "interrupt_pages": args.interrupt_pages,
        "reference_seconds": round(seconds, 1),
        "cases": [asdict(c) for c in cases],
        "crashes": sum(c.crashes for c in cases),
        "failures": sum(len(c.failures) for c in cases),
    }
    suffix = "" if not only else "_" + "_".join(sorted(only))
    write_results(args.out, f"faults{suffix}", result, markdown(result))


if __name__ == "__main__":
    main()
