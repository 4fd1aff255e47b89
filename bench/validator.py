"""Benchmark of the checker on long reports: CPU seconds of `check_report` on a report whose 总体情况 is
repeated up to SIZE bytes (seed 000's paragraph, its tables and 五、六 kept), for each size given.

The requirement: a 2 MB report is checked in well under 5 CPU seconds, and 10× the text costs about 10× the
time (a quadratic sentence index would cost 100×). tests/test_validator_trust.py checks the same scaling by
counting calls, which no other job's load changes; this bench gives the seconds.

    .venv/bin/python bench/validator.py --sizes 200000 2000000
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from assistant.validator import check_report  # noqa: E402
from ingest.extract import extract  # noqa: E402
from ingest.report import Report  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = "seeds/000_747ce1910eae7ff3.txt"


def long_report(size: int, folder: Path, shared: Path = SHARED) -> Report:
    """A report of about `size` bytes: seed 000's 总体情况 paragraph repeated, then its tables and 五、六."""
    seed = (shared / SEED).read_text(encoding="utf-8")
    head, sep, tail = seed.partition("二、")
    body = "\n".join(line for line in head.split("\n")[3:] if line.strip())
    n = size // len(body.encode()) + 1
    path = folder / f"long_{size}.txt"
    path.write_text(head + ("\n" + body) * n + "\n" + sep + tail, encoding="utf-8")
    return extract(path)


def cpu_seconds(report: Report, repeat: int) -> float:
    """The fastest of `repeat` checks of `report`, in CPU seconds of this process."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        check_report(report)
        best = min(best, time.process_time() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200_000, 2_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--shared", type=Path, default=SHARED)
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        check_report(long_report(20_000, Path(tmp), args.shared))                 # warm caches
        for size in args.sizes:
            report = long_report(size, Path(tmp), args.shared)
            chars = sum(len(s.text) for s in report.sections)
            rows.append({"bytes": size, "characters": chars, "cpu_seconds": round(cpu_seconds(report, args.repeat), 3)})
    for row in rows:
        print(f"{row['bytes']:>10,} bytes  {row['characters']:>9,} characters  {row['cpu_seconds']:.3f} CPU s")
    if len(rows) > 1:
        print(f"time ratio last/first: {rows[-1]['cpu_seconds'] / max(rows[0]['cpu_seconds'], 1e-3):.1f}× "
              f"for {rows[-1]['bytes'] / rows[0]['bytes']:.0f}× the text")
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
