"""The syndication benchmark: a generated corpus of real stories copied into other real pages'
chrome (``generate``), a scorer of clusterings against its truth (``score``), and the end-to-end
run from raw pages through extraction and deduplication (``python -m benchmarks.syndication``).
"""

from .generate import Truth, generate

__all__ = ["Truth", "generate"]
