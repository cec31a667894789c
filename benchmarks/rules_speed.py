"""Chrome-rule suite speed: seconds per MB of text, on real dump lines and adversarial ones.

Every text rule of ``extract.rules`` (``fullmatch`` per line, as both extractors use them) and
the line features of ``cleanfeed.lines`` run over (1) every line of the Scrapinghub text dumps and
(2) adversarial lines: share bars of 12 buttons, "x x x ... !" runs, a 200 KB base64 token,
repeated rule words. Target (issue 18): under 1 s per MB for the whole suite.

    python -m benchmarks.rules_speed
"""

from __future__ import annotations

import base64
import random
import time
from pathlib import Path

from benchmarks import write_results
from cleanfeed import lines as features
from cleanfeed.extract.rules import RULES

from .corpus import load_scrapinghub

RESULTS = Path(__file__).resolve().parent / "results"
_SHARE = "Facebook Twitter LinkedIn WhatsApp Reddit Telegram Pinterest Email Print Share Copy link"


def _adversarial() -> list[str]:
    rnd = random.Random(0)
    return [
        _SHARE, _SHARE * 20, "x " * 5000 + "!", "share " * 5000 + "?",
        base64.b64encode(rnd.randbytes(150_000)).decode(),
        "related read more see also " * 2000, "cookie accept " * 3000, "a." * 100_000,
    ]


def _suite(line: str) -> None:
    for rule in RULES:
        rule.matches_text(line)
    features.is_link_like(line)
    features.date_share(line)
    features.ends_sentence(line)
    features.separator_count(line)


def _run(name: str, texts: list[str]) -> dict[str, object]:
    size = sum(len(t.encode()) for t in texts)
    start = time.process_time()
    for text in texts:
        _suite(text)
    seconds = time.process_time() - start
    return {"set": name, "lines": len(texts), "mb": round(size / 1e6, 2),
            "cpu_s": round(seconds, 3), "s_per_mb": round(seconds / (size / 1e6), 3)}


def main() -> dict[str, object]:
    dumps = [line for page in load_scrapinghub() if page.textdump for line in page.textdump.splitlines()]
    rows = [_run("scrapinghub text-dump lines", dumps), _run("adversarial lines", _adversarial())]
    result = {"command": "python -m benchmarks.rules_speed", "target_s_per_mb": 1.0, "rows": rows}
    table = "\n".join(f"| {r['set']} | {r['lines']} | {r['mb']} | {r['cpu_s']} | {r['s_per_mb']} |" for r in rows)
    md = (f"# Chrome-rule suite speed (`{result['command']}`)\n\nEvery text rule (fullmatch per line) and "
          "the line features, CPU seconds. Target: under 1 s per MB.\n\n"
          f"| lines | count | MB | CPU s | s per MB |\n|---|---|---|---|---|\n{table}\n")
    write_results(RESULTS, "rules_speed", result, md)
    return result


if __name__ == "__main__":
    main()
