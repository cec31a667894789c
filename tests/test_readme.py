"""The README's promises: its Python examples run as written, from a fresh directory holding the
bundled seeds, and print what they say."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import ROOT, SEEDS

README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)

# what each example's output shows, in README order
PROMISES: list[Callable[[str], bool]] = [
    lambda out: out.splitlines()[0].endswith("| AP 2025-04-27 dateline"),  # the AP seed
    lambda out: out.count(" kept ") == 5  # the five seeds, none merged
    and "('second.html', 'duplicate', 'first.html')" in out,
    lambda out: out.startswith("duplicate reuters-1 Similarity("),  # the trimmed copy
]


def test_every_readme_example_has_its_promise_checked() -> None:
    assert len(EXAMPLES) == len(PROMISES)


@pytest.mark.parametrize("number", range(len(EXAMPLES)))
def test_readme_example_runs_and_prints_what_it_promises(number: int, tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    script = tmp_path / "example.py"
    script.write_text(EXAMPLES[number], encoding="utf-8")  # verbatim, as a reader pastes it
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert PROMISES[number](done.stdout), done.stdout


def test_results_files_name_no_absolute_path() -> None:
    """benchmarks/results record paths relative to the repository or to ../shared."""
    absolute = re.compile(r"(?<![\w.~:/])/(?:[\w.-]+/)+[\w.-]+")
    for path in sorted((ROOT / "benchmarks" / "results").iterdir()):
        text = path.read_text(encoding="utf-8")
        found = [m for m in absolute.findall(text) if Path(m).parts[1] in
                 {"work", "home", "root", "tmp", "Users", "mnt", "data", "opt", "srv", "var"}]
        assert not found, f"{path.name} records absolute paths: {found[:3]}"
