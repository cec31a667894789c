"""A SparkSession set up for cleanfeed: Arrow on, batches sized for pages, this Python on
local masters, a quiet console."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib import resources

from pyspark.sql import SparkSession

from ..config import default_jobs

__all__ = ["DEFAULTS", "command_session", "session", "worker_python"]

#: settings ``session`` applies unless ``conf`` says otherwise; why each:
DEFAULTS: Mapping[str, str] = {
    # rows per Arrow batch handed to a Python task: a batch of text dumps holds their raw text
    # (pages up to ExtractConfig.max_bytes), so smaller than Spark's 10,000
    "spark.sql.execution.arrow.maxRecordsPerBatch": "512",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # shuffled partitions of 20-200 MB; AQE coalesces small ones and splits skewed joins
    # (a band key shared by many pages)
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.adaptive.skewJoin.enabled": "true",
    # cleanfeed reports its own progress and summary; Spark's INFO/WARN lines and its console
    # progress bar would bury them (``spark.log.level``: set when the context starts, the
    # one log setting that also works where ``setLogLevel`` cannot be called)
    "spark.log.level": "ERROR",
    "spark.ui.showConsoleProgress": "false",
}

#: the driver JVM's log4j2 configuration when this call starts the JVM (errors only, from
#: the first line: ``spark.log.level`` only applies once the context is up)
LOG4J2 = "log4j2.properties"


def session(
    master: str | None = "local[*]",
    app_name: str = "cleanfeed",
    conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """A SparkSession for ``run_spark`` (the active one, with these settings, if one exists).

    ``master``: ``local[*]`` (this machine, all cores), ``local[N]``, ``spark://host:7077``,
    ``yarn``, ``k8s://…``, or ``sc://host:15002`` for Spark Connect; None leaves it to
    ``spark-submit --master``. ``conf``: further Spark settings, e.g.
    ``{"spark.driver.memory": "8g", "spark.sql.shuffle.partitions": "64"}`` (driver memory
    only takes effect when this call starts the JVM, i.e. not under ``spark-submit``).

    On a local master the Python workers run this interpreter, so they import the same
    cleanfeed (a virtual environment need not be activated, nor be on ``PATH``), unless the
    environment variable ``PYSPARK_PYTHON`` or ``spark.pyspark.python`` in ``conf`` names
    another one; on a cluster the executors need cleanfeed installed (see the README's
    "Running on a cluster"). Local masters default to 2 shuffle partitions per core (Spark's
    200 are meant for clusters) and no adaptive query execution. Spark's own log lines are
    limited to errors (``spark.log.level``; and a JVM started here logs errors only from its
    first line): set ``spark.log.level`` to ``WARN`` or ``INFO`` in ``conf`` to see more.
    """
    conf = dict(conf or {})
    settings = dict(DEFAULTS)
    builder = SparkSession.builder.appName(app_name)
    if master and master.startswith("sc://"):
        builder = builder.remote(master)
        # the server's context is up already: its log level and workers are the server's
        settings = {k: v for k, v in settings.items() if k not in _CONTEXT_SETTINGS}
    elif master:
        builder = builder.master(master)
    local = bool(master and master.startswith("local"))
    if local:
        settings["spark.sql.shuffle.partitions"] = str(2 * _local_cores(str(master)))
        # on one machine there is no skew to split nor executors to balance, and re-planning
        # every stage costs more than it saves (a run over a few pages takes 3x longer)
        settings["spark.sql.adaptive.enabled"] = "false"
    if not (master and master.startswith("sc://")) and "spark.driver.extraJavaOptions" not in conf:
        settings["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile={_log4j2()}"
    settings.update(conf)
    for key, value in settings.items():
        builder = builder.config(key, value)
    with _environ("PYSPARK_PYTHON", worker_python(master, conf)):
        return builder.getOrCreate()


@contextmanager
def command_session(master: str | None, conf: Mapping[str, str] | None = None) -> Iterator[SparkSession]:
    """The session of one command: the active one when there is one (a notebook's, a test's:
    theirs to stop, left running), else a new ``session(master, conf)``, stopped at the end.

    ``master`` None: the master ``spark-submit`` was given when it started this driver
    (``local[*]`` when there is no ``spark-submit`` either).
    """
    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit
        master = "local[*]"
    started_here = SparkSession.getActiveSession() is None
    spark = session(master, conf=conf)
    try:
        yield spark
    finally:
        if started_here:
            spark.stop()


def worker_python(master: str | None, conf: Mapping[str, str] | None = None) -> str | None:
    """The interpreter the Python workers of a context started now should run, when
    cleanfeed chooses it: None when ``PYSPARK_PYTHON`` is set (the user's choice) or on a
    cluster or Connect master (the executors' own Python).

    PySpark starts its workers with ``$PYSPARK_PYTHON``, else ``python3`` from ``PATH``,
    which, when cleanfeed runs from a virtual environment that is not activated, is another
    Python, without cleanfeed. ``spark.pyspark.python`` only reaches the workers through
    ``spark-submit``, so a value of it in ``conf`` is passed on the same way.
    """
    if os.environ.get("PYSPARK_PYTHON"):
        return None
    chosen = (conf or {}).get("spark.pyspark.python")
    if chosen:
        return chosen
    return sys.executable if master and master.startswith("local") else None


@contextmanager
def _environ(name: str, value: str | None) -> Iterator[None]:
    """``os.environ[name] = value`` while the context starts (PySpark reads it then, once),
    restored afterwards; nothing when ``value`` is None."""
    if value is None:
        yield
        return
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _log4j2() -> str:
    """The path of the package's log4j2 configuration (errors only, on standard error)."""
    return str(resources.files(__package__).joinpath(LOG4J2))


#: settings of the SparkContext itself, which a Connect client cannot change
_CONTEXT_SETTINGS = frozenset({"spark.log.level", "spark.ui.showConsoleProgress"})


def _local_cores(master: str) -> int:
    """Cores of a ``local``, ``local[N]``, ``local[*]`` or ``local[N,F]`` master."""
    found = re.fullmatch(r"local(?:\[(\*|\d+)(?:,\s*\d+)?\])?", master.strip())
    if found is None or found.group(1) == "*":
        return default_jobs()
    return max(1, int(found.group(1) or 1))
