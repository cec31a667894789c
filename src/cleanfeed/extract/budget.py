"""One page's size budget: the one check every way into extraction makes, once.

``extract`` (in ``page_text``, before ``extract_decoded``, which does not check again),
``extract_html`` and ``clean_text_dump`` refuse a page of more than ``ExtractConfig.max_bytes``
characters before any work on it. (Readers check a page's *bytes* against
``ReadOptions.max_bytes`` as they read; ``decode_bytes`` checks bytes it is given to decode,
which is ``page_text``'s check of a page given as bytes.)
"""

from __future__ import annotations

from ..config import ExtractConfig
from ..errors import BudgetExceeded

__all__ = ["within_budget"]


def within_budget(text: str, config: ExtractConfig) -> str:
    """``text`` itself, or ``BudgetExceeded`` when it is over ``config.max_bytes`` characters.

    >>> within_budget("short page", ExtractConfig(max_bytes=5))
    Traceback (most recent call last):
    ...
    cleanfeed.errors.BudgetExceeded: page is 10 characters, over the 5 budget
    """
    if len(text) > config.max_bytes:
        raise BudgetExceeded(f"page is {len(text):,} characters, over the {config.max_bytes:,} budget")
    return text
