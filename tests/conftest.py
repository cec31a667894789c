from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def seed_pages() -> dict[str, str]:
    """The five seed pages (rendered text dumps), by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((SEEDS / "raw").glob("*.txt"))}


@pytest.fixture(scope="session")
def seed_gold() -> dict[str, str]:
    """The gold article body of each seed page, by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((SEEDS / "gold").glob("*.txt"))}
