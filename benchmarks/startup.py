"""How fast cleanfeed starts: ``import cleanfeed``, ``cleanfeed --help``, ``cleanfeed --version``.

Usage::

    python -m benchmarks.startup [--runs 10]

Each command runs ``--runs`` times in a fresh interpreter (this checkout's ``src`` first on
``PYTHONPATH``), interleaved with a bare ``python -c pass`` so that the load of a shared machine
weighs on both alike; the median wall time of each is reported, and the median of the
differences (what cleanfeed itself adds). Also listed: which heavy modules ``import cleanfeed``
pulled in (none should be). Floor: ``cleanfeed --help`` ≤ 0.25 s (median).

Results: ``benchmarks/results/startup.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import write_results

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
FLOOR_SECONDS = 0.25
HEAVY = ["numpy", "pyarrow", "trafilatura", "sqlite3", "selectolax", "lxml",
         "charset_normalizer", "cleanfeed.local"]

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import cleanfeed": [sys.executable, "-c", "import cleanfeed"],
    "cleanfeed --help": [sys.executable, "-m", "cleanfeed", "--help"],
    "cleanfeed --version": [sys.executable, "-m", "cleanfeed", "--version"],
    "cleanfeed run --help": [sys.executable, "-m", "cleanfeed", "run", "--help"],
}


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src")}


def _time(command: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=_env())
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):  # interleaved: each round runs every command once
        for name, command in COMMANDS.items():
            times[name].append(_time(command))
    base = times["python -c pass"]
    probe = (f"import sys, cleanfeed, cleanfeed.cli; "
             f"print([m for m in {HEAVY!r} if m in sys.modules])")
    heavy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           check=True, env=_env()).stdout.strip()
    result = {
        "command": f"python -m benchmarks.startup --runs {args.runs}",
        "machine": f"{platform.machine()}, Python {platform.python_version()}, "
                   f"load average {os.getloadavg()[0]:.1f} at the end",
        "runs": args.runs,
        "median_seconds": {k: round(statistics.median(v), 3) for k, v in times.items()},
        "median_over_bare_python": {
            k: round(statistics.median(t - b for t, b in zip(v, base, strict=True)), 3)
            for k, v in times.items() if k != "python -c pass"},
        "all_seconds": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "heavy_modules_after_import_cleanfeed_and_cli": json.loads(heavy.replace("'", '"')),
        "floor_seconds": FLOOR_SECONDS,
    }
    result["help_within_floor"] = result["median_seconds"]["cleanfeed --help"] <= FLOOR_SECONDS
    lines = [
        "# Startup time",
        "",
        f"`{result['command']}` ({result['machine']}); median of {args.runs} runs, interleaved "
        "with a bare interpreter start.",
        "",
        "| command | median s | median over `python -c pass` s |",
        "|---|---|---|",
    ]
    for name in COMMANDS:
        over = result["median_over_bare_python"].get(name)
        lines.append(f"| `{name}` | {result['median_seconds'][name]:.3f} | "
                     f"{'' if over is None else f'{over:.3f}'} |")
    lines += ["", f"Heavy modules loaded by `import cleanfeed, cleanfeed.cli`: "
              f"{result['heavy_modules_after_import_cleanfeed_and_cli'] or 'none'}. "
              f"Floor: `cleanfeed --help` ≤ {FLOOR_SECONDS} s "
              f"({'met' if result['help_within_floor'] else 'NOT met'})."]
    write_results(args.out, "startup", result, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
