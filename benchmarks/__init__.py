"""Benchmarks: scripts that measure accuracy and speed and write ``benchmarks/results/``."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shown(path: str | Path) -> str:
    """``path`` as a results file records it: relative to the repository (``../shared/...``
    for the shared data beside it), never one machine's absolute path."""
    absolute = Path(path).resolve()
    if absolute.is_relative_to(REPO.parent):
        return Path(os.path.relpath(absolute, REPO)).as_posix()
    return Path(path).name
