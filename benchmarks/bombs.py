"""A gzip Content-Encoding bomb inside a WARC, through ``cleanfeed run``.

Builds a WARC (gzipped, one member per record) holding a response whose body is gzip of
``--gigabytes`` GB of zeros (about 1 MB compressed per GB) between two ordinary pages, runs
``cleanfeed run`` on it and reports: exit code, wall time, the bomb's manifest line (it must be
dropped "over budget") and the peak resident memory of the run (the largest of its processes,
``RUSAGE_CHILDREN``). Target (issue 18): the run finishes, peak RSS under 500 MB.

    python -m benchmarks.bombs --gigabytes 5
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from benchmarks import write_results

RESULTS = Path(__file__).resolve().parent / "results"
_PAGE = (
    "<html><head><title>Page {n}</title></head><body><article><h1>Page {n}</h1>"
    + "<p>The council met on Monday to discuss the harbour repairs, and agreed a budget.</p>" * 5
    + "</article></body></html>"
)


def _bomb(gigabytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 24)
    parts = [packer.compress(b"<html><body><p>")]
    parts += [packer.compress(zeros) for _ in range(gigabytes * 64)]
    return b"".join([*parts, packer.flush()])


def _warc(path: Path, bomb: bytes) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        bodies = [(_PAGE.format(n=1).encode(), None), (bomb, "gzip"), (_PAGE.format(n=2).encode(), None)]
        for n, (body, encoding) in enumerate(bodies):
            headers = [("Content-Type", "text/html; charset=utf-8")]
            if encoding:
                headers.append(("Content-Encoding", encoding))
            record = writer.create_warc_record(
                f"https://news.example/{n}", "response", payload=io.BytesIO(body), length=len(body),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
                warc_headers_dict={"WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>"},
            )
            writer.write_record(record)


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--gigabytes", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cleanfeed-bomb-") as tmp:
        folder = Path(tmp)
        bomb = _bomb(args.gigabytes)
        _warc(folder / "bomb.warc.gz", bomb)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "cleanfeed", "run", "bomb.warc.gz", "-o", "clean.jsonl",
             "--manifest", "manifest.jsonl"],
            cwd=folder, capture_output=True, text=True, timeout=3600, check=False,
        )
        seconds = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        manifest_path = folder / "manifest.jsonl"
        manifest = [json.loads(line) for line in manifest_path.read_text("utf-8").splitlines()] \
            if manifest_path.exists() else []
    result = {
        "command": f"python -m benchmarks.bombs --gigabytes {args.gigabytes}",
        "bomb_inflated_bytes": args.gigabytes << 30,
        "bomb_compressed_bytes": len(bomb),
        "exit_code": done.returncode,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "manifest": [{k: m.get(k) for k in ("id", "status", "reason")} for m in manifest],
    }
    rows = "\n".join(f"| {m['id']} | {m['status']} | {m['reason'] or ''} |" for m in result["manifest"])
    md = (
        f"# A gzip Content-Encoding bomb in a WARC (`{result['command']}`)\n\n"
        f"A response record whose body inflates to {args.gigabytes} GB ({len(bomb):,} bytes "
        "compressed), between two ordinary pages, through `cleanfeed run` (default budget).\n\n"
        f"Exit code {done.returncode}, {result['seconds']} s, peak RSS {result['peak_rss_mb']} MB "
        "(largest process of the run; target under 500 MB).\n\n"
        f"| id | status | reason |\n|---|---|---|\n{rows}\n"
    )
    write_results(args.out, "bombs", result, md)
    return result


if __name__ == "__main__":
    main()
