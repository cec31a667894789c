"""The public API in ``cleanfeed.__all__`` is importable and documented."""

from __future__ import annotations

import cleanfeed


def test_all_names_exist_and_have_docstrings() -> None:
    for name in cleanfeed.__all__:
        obj = getattr(cleanfeed, name)
        assert obj.__doc__, f"cleanfeed.{name} has no docstring"


def test_all_is_sorted_and_unique() -> None:
    assert list(cleanfeed.__all__) == sorted(set(cleanfeed.__all__))


def test_import_is_light_and_names_load_on_first_use() -> None:
    """``import cleanfeed`` (and the CLI module, for ``--help``) imports no heavy module; a
    public name brings its own in when first used."""
    import subprocess
    import sys

    heavy = ["numpy", "pyarrow", "trafilatura", "sqlite3", "selectolax", "lxml",
             "cleanfeed.local"]
    code = ("import sys, cleanfeed, cleanfeed.cli; "
            f"print([m for m in {heavy!r} if m in sys.modules]); "
            "cleanfeed.run; print('cleanfeed.local' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "True"], done.stdout
    assert set(cleanfeed.__all__) <= set(dir(cleanfeed))


def test_every_module_imports_first() -> None:
    """Each module of the package imports in an interpreter that has loaded no other part of
    it: a stage that reaches into another stage's package must not close an import cycle
    (``cleanfeed.metadata.html`` first once failed, through ``extract``'s package)."""
    import subprocess
    import sys

    code = (
        "import importlib, pkgutil, sys, cleanfeed\n"
        "names = sorted(m.name for m in pkgutil.walk_packages(cleanfeed.__path__, 'cleanfeed.'))\n"
        "failed = []\n"
        "for name in names:\n"
        "    for key in [k for k in sys.modules if k.partition('.')[0] == 'cleanfeed']:\n"
        "        del sys.modules[key]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError as error:\n"
        "        failed.append(f'{name}: {error}')\n"
        "print(len(names)); print(*failed, sep='\\n')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    count, *failed = done.stdout.rstrip("\n").split("\n")
    assert int(count) >= 40, done.stdout  # every stage's modules were walked
    assert failed == [], failed


def test_the_functions_are_not_hidden_by_their_modules() -> None:
    import cleanfeed.dedup.fingerprint
    import cleanfeed.extract.html

    assert callable(cleanfeed.extract) and callable(cleanfeed.fingerprint)


def test_extract_takes_a_page_as_str_or_bytes() -> None:
    html = ("<html><body><article><p>SEOUL (Reuters) - North and South Korea resumed talks on "
            "Monday after a pause of two years, officials said.</p></article></body></html>")
    from_str = cleanfeed.extract(html, url="https://example.com/a")
    from_bytes = cleanfeed.extract(html.encode(), url="https://example.com/a")
    from_raw = cleanfeed.extract(cleanfeed.RawDoc("", html, url="https://example.com/a"))
    assert from_str == from_bytes == from_raw
    assert from_str.wire == "Reuters" and from_str.url == "https://example.com/a"
