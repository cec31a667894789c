"""The examples in the public docstrings run and show what they say (``doctest``).

Every module of the package but the Spark engine's, whose examples need a session: they run
in ``tests/test_spark.py`` with the tests' own.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import cleanfeed

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

MODULES = sorted(m.name for m in pkgutil.walk_packages(cleanfeed.__path__, "cleanfeed.")
                 if not m.name.startswith("cleanfeed.spark"))


def run_examples(module: ModuleType, globs: dict[str, object] | None = None) -> tuple[int, str]:
    """Run every docstring example of ``module``; (examples tried, failure report)."""
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    for test in doctest.DocTestFinder().find(module, module.__name__, extraglobs=globs):
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
    return runner.tries, "".join(report)


@pytest.mark.parametrize("name", ["cleanfeed", *MODULES])
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    tried, _ = run_examples(module)
    if ">>> " in inspect.getsource(module):
        assert tried > 0, f"{name} has examples that doctest does not find"
