"""Benchmarks: scripts that measure accuracy and speed and write ``benchmarks/results/``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def shown(path: str | Path) -> str:
    """``path`` as a results file records it: relative to the repository (``../shared/...``
    for the shared data beside it), never one machine's absolute path."""
    absolute = Path(path).resolve()
    if absolute.is_relative_to(REPO.parent):
        return Path(os.path.relpath(absolute, REPO)).as_posix()
    return Path(path).name


def write_results(
    out: Path, stem: str, result: Any, markdown: str, *, indent: int = 2, ensure_ascii: bool = True
) -> None:
    """A benchmark's results as ``out/<stem>.json`` and ``out/<stem>.md``; the table printed too."""
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=indent, ensure_ascii=ensure_ascii) + "\n"
    (out / f"{stem}.json").write_text(text, encoding="utf-8")
    (out / f"{stem}.md").write_text(markdown, encoding="utf-8")
    print(markdown)
