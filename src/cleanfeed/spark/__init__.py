"""cleanfeed on Apache Spark: the ``cleanfeed run`` pipeline when one machine is not enough.

Install the extra (``pip install 'cleanfeed[spark]'``: PySpark ≥ 4.0 with pandas, which
PySpark's Arrow UDFs import) and a Java runtime, then::

    from cleanfeed.spark import run_spark, session

    spark = session("local[*]")                  # or "spark://…", "yarn", "sc://…" (Connect)
    summary = run_spark(spark, ["crawl/"], "clean.jsonl", "manifest.jsonl")
    print(summary.counts)                        # {'kept': …, 'duplicate': …, 'dropped': …}

The same per-page functions as the local engine run inside ``mapInArrow``/``applyInArrow``
(DataFrame API only: no RDD, no SparkContext, no Maven package), so the outputs are the local
engine's: the same kept pages, ``duplicate_of``, similarities, reasons and canonical texts,
byte-identical for file outputs. ``cleanfeed.spark.run`` describes the stages and the limits of
that equality; ``python -m cleanfeed.spark`` (or ``spark-submit`` of ``submit.py``) runs it from
the command line.
"""

from __future__ import annotations

try:
    import pyspark  # noqa: F401
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        "cleanfeed.spark needs PySpark: pip install 'cleanfeed[spark]' (and a Java runtime)"
    ) from err

from .output import is_dataset
from .run import SparkRunSummary, run_spark
from .session import session

__all__ = ["SparkRunSummary", "is_dataset", "run_spark", "session"]
