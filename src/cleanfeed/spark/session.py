"""A SparkSession set up for cleanfeed: Arrow on, batches sized for pages, this Python on
local masters."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping

from pyspark.sql import SparkSession

from ..pipeline import default_jobs

__all__ = ["DEFAULTS", "session"]

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
}


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

    On a local master the Python workers run this interpreter (``spark.pyspark.python``), so
    they import the same cleanfeed; on a cluster the executors need cleanfeed installed (see
    the README's "Running on a cluster"). Local masters default to 2 shuffle partitions per
    core (Spark's 200 are meant for clusters) and no adaptive query execution.
    """
    settings = dict(DEFAULTS)
    builder = SparkSession.builder.appName(app_name)
    if master and master.startswith("sc://"):
        builder = builder.remote(master)
    elif master:
        builder = builder.master(master)
    if master and master.startswith("local"):
        settings["spark.pyspark.python"] = sys.executable
        settings["spark.pyspark.driver.python"] = sys.executable
        settings["spark.sql.shuffle.partitions"] = str(2 * _local_cores(master))
        # on one machine there is no skew to split nor executors to balance, and re-planning
        # every stage costs more than it saves (a run over a few pages takes 3x longer)
        settings["spark.sql.adaptive.enabled"] = "false"
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _local_cores(master: str) -> int:
    """Cores of a ``local``, ``local[N]``, ``local[*]`` or ``local[N,F]`` master."""
    found = re.fullmatch(r"local(?:\[(\*|\d+)(?:,\s*\d+)?\])?", master.strip())
    if found is None or found.group(1) == "*":
        return default_jobs()
    return max(1, int(found.group(1) or 1))
