"""``cleanfeed run --engine spark`` as a plain install runs it: the console script of a virtual
environment that is neither activated nor on ``PATH`` (pipx, a service manager), where the
``python3`` on ``PATH`` is another Python. Spark's workers must run cleanfeed's own
interpreter; the outputs are the local run's bytes, ``--stats`` has the local run's keys, and
the console holds cleanfeed's summary, not Spark's log.

One JVM start (a few seconds of Spark on the seeds and four more pages), plus a venv.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cleanfeed.cli import main

from .conftest import ROOT, SEEDS

pytestmark = pytest.mark.spark


def story(paragraphs: list[str], title: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The seeds, and a JSONL file with a copy of one seed's story, an empty page and a line
    that is not JSON: kept, duplicate and dropped pages, two drop reasons."""
    out = tmp_path_factory.mktemp("venv-inputs")
    gold = sorted((SEEDS / "gold").glob("*.txt"))[0].read_text(encoding="utf-8")
    paragraphs = [p for p in gold.split("\n\n") if p.strip()]
    lines = [json.dumps({"id": "copy-a", "url": "https://a.example/s", "html": story(paragraphs, "A")}),
             json.dumps({"id": "copy-b", "url": "https://b.example/s", "html": story(paragraphs, "B")}),
             json.dumps({"id": "empty", "html": "<html><body><nav>Home</nav></body></html>"}),
             "not JSON"]
    (out / "more.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [SEEDS / "raw", out / "more.jsonl"]


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with cleanfeed installed from this checkout (its dependencies from the system)."""
    where = tmp_path_factory.mktemp("venv")
    env = where / "env"
    # a copy of the project: pip builds in the source tree, which is left untouched
    project = where / "project"
    shutil.copytree(ROOT / "src", project / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, project / name)
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(env)], check=True)
    subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", str(project)],
                   check=True, env=_without(os.environ, env), cwd=where)
    return env


def _without(environ: os._Environ[str] | dict[str, str], venv: Path, bin_first: Path | None = None) -> dict[str, str]:
    """The environment without ``PYTHONPATH`` (so the venv's own cleanfeed is the one run),
    nor the venv on ``PATH``; ``bin_first`` leads ``PATH``."""
    env = {k: v for k, v in environ.items() if k not in ("PYTHONPATH", "PYSPARK_PYTHON", "VIRTUAL_ENV")}
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and not p.startswith(str(venv))]
    env["PATH"] = os.pathsep.join(([str(bin_first)] if bin_first else []) + path)
    return env


def test_the_console_script_of_a_venv_not_on_path_gives_the_local_bytes(
    venv: Path, inputs: list[Path], tmp_path: Path
) -> None:
    # another Python first on PATH: what Spark would start its workers with, without cleanfeed
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    for name in ("python", "python3"):
        (decoy / name).write_text("#!/bin/sh\necho \"decoy $0 ran: $*\" >&2\nexit 97\n")
        (decoy / name).chmod(0o755)
    local, spark = tmp_path / "local", tmp_path / "spark"

    def args(out: Path) -> list[str]:
        out.mkdir()
        return [*map(str, inputs), "-o", str(out / "clean.jsonl"), "--manifest",
                str(out / "manifest.jsonl"), "--stats", str(out / "stats.json")]

    assert main(["run", "--jobs", "0", *args(local)]) == 0
    done = subprocess.run(
        [str(venv / "bin" / "cleanfeed"), "run", "--engine", "spark", "--spark-master", "local[1]",
         "--spark-conf", "spark.sql.shuffle.partitions=2", "--spark-conf", "spark.ui.enabled=false",
         *args(spark)],
        cwd=tmp_path, env=_without(os.environ, venv, decoy), capture_output=True, text=True,
        timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    for name in ("clean.jsonl", "manifest.jsonl"):
        assert (spark / name).read_bytes() == (local / name).read_bytes(), name
    manifest = [json.loads(line) for line in (spark / "manifest.jsonl").read_text().splitlines()]
    assert {r["status"] for r in manifest} == {"kept", "duplicate", "dropped"}
    theirs, ours = (json.loads((d / "stats.json").read_text()) for d in (spark, local))
    assert theirs.keys() == ours.keys()
    for key in ("command", "pages", "statuses", "dropped_by_reason"):
        assert theirs[key] == ours[key], key
    assert {"read+extract", "dedup", "write"} <= theirs["stage_seconds"].keys()
    # the console: cleanfeed's summary, none of Spark's log lines nor its shell banner
    assert "cleanfeed run: 9 pages" in done.stderr
    assert "decoy" not in done.stderr
    for noise in (" WARN ", " INFO ", "log4j", "setLogLevel", "Setting default log level"):
        assert noise not in done.stderr, done.stderr[-3000:]


def test_jobs_index_and_explain_are_refused_on_spark_before_it_starts(tmp_path: Path) -> None:
    for extra in (["--jobs", "2"], ["--index", str(tmp_path / "i.db")], ["--explain", str(tmp_path / "e.jsonl")]):
        err = io.StringIO()
        code = main(["run", "--engine", "spark", str(SEEDS / "raw"), "-o", str(tmp_path / "c.jsonl"),
                     "--manifest", str(tmp_path / "m.jsonl"), *extra], stderr=err)
        assert code == 2
        assert f"{extra[0]} is for the local engine" in err.getvalue()
        assert not (tmp_path / "m.jsonl").exists()
