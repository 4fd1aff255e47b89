"""Extraction speed and memory over the reports in ../shared (pages per second, peak memory), and the time
per report of each layout family built from the gold (crawler text glued or spaced, merged （六） cells, split
headers).

Run by hand:  .venv/bin/python bench/extract.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"

from ingest.extract import extract  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    files = sorted((SHARED / "seeds").iterdir()) + sorted((SHARED / "reports").iterdir())
    print(f"{'file':40} {'pages':>5} {'best s':>8} {'pages/s':>8} {'peak MB':>8}")
    total_pages = total_time = 0.0
    peak_all = 0
    for f in files:
        best = float("inf")
        pages = 1
        for _ in range(args.repeat):                 # timing, untraced
            t = time.perf_counter()
            r = extract(f)
            best = min(best, time.perf_counter() - t)
            pages = r.pages or 1
        tracemalloc.start()                          # memory, in a separate traced run
        extract(f)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak_all = max(peak_all, peak)
        total_pages += pages
        total_time += best
        print(f"{f.name:40} {pages:5d} {best:8.3f} {pages / best:8.1f} {peak / 1e6:8.1f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nall: {total_pages:.0f} pages (text files count as 1) in {total_time:.2f} s = "
          f"{total_pages / total_time:.1f} pages/s; peak traced {peak_all / 1e6:.1f} MB; process max RSS {rss:.0f} MB")
    pdfs = [f for f in files if f.suffix == ".pdf"]
    if pdfs:
        t = time.perf_counter()
        n = sum(extract(f).pages for f in pdfs)
        dt = time.perf_counter() - t
        print(f"PDFs only: {n} pages in {dt:.2f} s = {n / dt:.1f} pages/s")
    families(args.repeat)


def families(repeat: int) -> None:
    """Median time per report of each layout family, over the gold of six shared reports."""
    import statistics
    import tempfile
    sys.path.insert(0, str(REPO / "tests"))
    import json
    from render import crawler_text, render_html
    sources = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((SHARED / "gold").glob("*.json"))
               if p.name.startswith(("000_", "004_", "005_", "006_", "007_", "002_shanghai"))]
    tmp = Path(tempfile.mkdtemp())
    cases = {
        "crawler text, glued digits": lambda g, f: f.with_suffix(".txt").write_text(crawler_text(g), "utf-8"),
        "crawler text, spaced digits": lambda g, f: f.with_suffix(".txt").write_text(crawler_text(g, separator=" "),
                                                                                   "utf-8"),
        "HTML, merged （六） cells": lambda g, f: render_html({**g, "_layout": {"merged_other": True}},
                                                             f.with_suffix(".html")),
        "HTML, split headers": lambda g, f: render_html({**g, "_layout": {"split_headers": True}},
                                                       f.with_suffix(".html")),
    }
    print(f"\n{'family':32} {'reports':>7} {'median s':>9} {'max s':>7}")
    for name, make in cases.items():
        times = []
        for i, g in enumerate(sources):
            base = tmp / f"{abs(hash(name)) % 10**6}-{i}"
            make(g, base)
            path = next(tmp.glob(base.name + ".*"))
            best = float("inf")
            for _ in range(repeat):
                t = time.perf_counter()
                extract(path)
                best = min(best, time.perf_counter() - t)
            times.append(best)
        print(f"{name:32} {len(times):7d} {statistics.median(times):9.3f} {max(times):7.3f}")


if __name__ == "__main__":
    main()
