"""Extraction speed and memory over the reports in ../shared (pages per second, peak memory), and the time
per report of each layout family built from the gold (crawler text glued or spaced, merged （六） cells, split
headers); with --scanned, OCR of scanned pages: seconds per page (table pages and text pages apart, wall and
CPU), peak memory, and the time to read the same scan again from the page cache.

Run by hand:  .venv/bin/python bench/extract.py [--repeat 3] [--scanned [--office] [--dpi 150] [--reports NAME ...]
              [--out bench/out/office_scans.json]]
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"

from ingest.extract import extract  # noqa: E402


def scanned(dpi: int, reports: list[str], office: bool = False, out: Path | None = None) -> None:
    """Each page of each report, scanned (tests/scanned.py), OCR'd alone with an empty cache; then the whole
    file again from the cache. `office`: the reports are the shared HTML, printed by LibreOffice first (the
    office-scan family). `out`: the figures also written there as JSON."""
    import os
    import tempfile
    sys.path.insert(0, str(REPO / "tests"))
    from scanned import scanned_pdf, table_pages
    from ingest.loaders import ocr
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["NIANBAO_OCR_CACHE"] = str(Path(tmp) / "cache")
        t = time.perf_counter()
        ocr.engine()
        print(f"engine load {time.perf_counter() - t:.2f} s; settings {ocr.settings()}")
        per_kind: dict[str, list[tuple[float, float]]] = {"table": [], "text": []}
        figures: dict = {"dpi": dpi, "office": office, "reports": {}}
        for name in reports:
            src = SHARED / "reports" / f"{name}.pdf"
            if office:
                from render import office_convert
                printed = Path(tmp) / "printed"
                printed.mkdir(exist_ok=True)
                src = office_convert(SHARED / "reports" / f"{name}.html", printed)
            scan = scanned_pdf(src, Path(tmp) / f"{name}.pdf", dpi=dpi, seed=1)
            tables = set(table_pages(src))
            times: dict[int, tuple[float, float]] = {}
            last: list = []

            def tick(done, total, page, times=times, last=last):
                now = (time.perf_counter(), time.process_time())
                if last:
                    p0, (w0, c0) = last.pop()
                    times[p0] = (now[0] - w0, now[1] - c0)
                if page is not None:
                    last.append((page, now))
            wall, cpu = time.perf_counter(), time.process_time()
            with ocr.progress(tick):
                r = extract(scan)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            for page, v in sorted(times.items()):
                kind = "table" if page in tables else "text"
                per_kind[kind].append(v)
                print(f"  {name} page {page} ({kind}): {v[0]:.1f} s wall, {v[1]:.1f} s CPU")
            t = time.perf_counter()
            extract(scan)
            hit = time.perf_counter() - t
            print(f"{name}: {r.pages} pages in {wall:.1f} s wall / {cpu:.1f} s CPU; from the cache {hit:.2f} s; "
                  f"{sum(1 for w in r.warnings if w.code == 'ocr_uncertain')} ocr_uncertain warnings")
            figures["reports"][name] = {"pages": r.pages, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                                        "from_cache_s": round(hit, 2)}
        for kind, v in per_kind.items():
            if v:
                print(f"{kind} pages: {len(v)}, mean {sum(w for w, _ in v) / len(v):.1f} s wall, "
                      f"{sum(c for _, c in v) / len(v):.1f} s CPU per page")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"process max RSS {rss:.0f} MB (OCR engine and page images included)")
        if out is not None:
            figures["per_page"] = {kind: {"pages": len(v), "mean_wall_s": round(sum(w for w, _ in v) / len(v), 2),
                                          "mean_cpu_s": round(sum(c for _, c in v) / len(v), 2)}
                                   for kind, v in per_kind.items() if v}
            figures["max_rss_mb"] = round(rss)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--scanned", action="store_true", help="OCR bench on scanned renditions of the shared PDFs")
    p.add_argument("--dpi", type=int, default=150, help="resolution of the simulated scans")
    p.add_argument("--reports", nargs="*", default=None)
    p.add_argument("--office", action="store_true", help="with --scanned: the shared HTML printed by LibreOffice")
    p.add_argument("--out", type=Path, help="with --scanned: write the figures as JSON here")
    args = p.parse_args()
    if args.scanned:
        default = ["015_shuyang_fgj_2023", "026_pingtan_scj_2023"] if args.office else ["005_hongze_district_2023"]
        scanned(args.dpi, args.reports or default, args.office, args.out)
        return
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
