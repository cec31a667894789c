"""The public API in ``cleanfeed.__all__`` is importable and documented."""

from __future__ import annotations

import cleanfeed


def test_all_names_exist_and_have_docstrings() -> None:
    for name in cleanfeed.__all__:
        obj = getattr(cleanfeed, name)
        assert obj.__doc__, f"cleanfeed.{name} has no docstring"


def test_all_is_sorted_and_unique() -> None:
    assert list(cleanfeed.__all__) == sorted(set(cleanfeed.__all__))
