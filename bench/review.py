"""Benchmark of the region review (年报体检, issue 13): time to review a group of N units, and to write the
通报 DOCX and the 问题清单 XLSX.

Generates N synthetic units (bench/ingest.py's report generator: the 2021 template with consistent figures),
each with its report for year Y and, for a share of units (--previous-share, default all: the worst case,
every unit's cross-year rules are recomputed), its report for Y−1. All are stored in one group through the
real pipeline (extract → check → store; no vectors: the review does not need them). Then it times
`review_group` (stored findings reused, cross-year rules recomputed against Y−1) and the exports.

    .venv/bin/python bench/review.py --sizes 30 300 1000
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if sys.modules.get("ingest") is not None and not hasattr(sys.modules["ingest"], "__path__"):
    del sys.modules["ingest"]

from assistant.library_ops import default_checker, default_extractor, ingest_file  # noqa: E402
from assistant.review.notice import notice_docx, problem_list_xlsx  # noqa: E402
from assistant.review.region import review_group  # noqa: E402
from bench.ingest import generate_report, make_agencies  # noqa: E402
from vectorstore.library import Library  # noqa: E402

GROUP = "基准区"
YEAR = 2023


def build_library(folder: Path, n: int, previous_share: float, seed: int) -> tuple[Library, int, float]:
    """N units in GROUP for YEAR (and YEAR−1 for a share of them); returns the library, reports stored, seconds."""
    rng = random.Random(seed)
    files = folder / "files"
    files.mkdir(parents=True)
    library = Library(folder / "data")
    extract, check = default_extractor(), default_checker()
    started = time.perf_counter()
    stored = 0
    for i, agency in enumerate(make_agencies(rng, n)):
        years = [YEAR - 1, YEAR] if i < round(n * previous_share) else [YEAR]
        for year in years:                       # the earlier year first: the later is checked against it
            text, _ = generate_report(rng, agency, year)
            path = files / f"u{i:05d}_{year}.txt"
            path.write_text(text, encoding="utf-8")
            outcome = ingest_file(library, path, f"files/{path.name}", extract, check, GROUP)
            stored += outcome.status in ("added", "replaced")
    return library, stored, time.perf_counter() - started


def measure(n: int, previous_share: float, seed: int, keep: bool) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"nianbao-review-{n}-"))
    try:
        library, stored, setup = build_library(folder, n, previous_share, seed)
        started = time.perf_counter()
        review = review_group(library, GROUP, YEAR)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        docx = notice_docx(review)
        docx_s = time.perf_counter() - started
        started = time.perf_counter()
        xlsx = problem_list_xlsx(review)
        xlsx_s = time.perf_counter() - started
        return {"units": len(review.units), "reports_stored": stored, "setup_s": round(setup, 1),
                "review_s": round(seconds, 2), "per_unit_ms": round(1000 * seconds / max(1, len(review.units)), 1),
                "cross_year_recomputed": review.recomputed, "problem_types": len(review.problems),
                "findings": sum(len(u.findings) for u in review.units),
                "notice_docx_s": round(docx_s, 2), "notice_docx_kb": len(docx) // 1024,
                "xlsx_s": round(xlsx_s, 2), "xlsx_kb": len(xlsx) // 1024,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[30, 300, 1000])
    p.add_argument("--previous-share", type=float, default=1.0, help="share of units with a Y−1 report (default 1)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--keep", action="store_true", help="keep the generated data folders")
    args = p.parse_args(argv)
    for n in args.sizes:
        print(json.dumps({"size": n, **measure(n, args.previous_share, args.seed, args.keep)}, ensure_ascii=False),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
