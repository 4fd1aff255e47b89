"""The reader on layout variants of each report family (tests/variants.py): for every variant, reports of
several gold files of ../shared with new figures are rendered, read back and compared cell by cell.
Prints per variant: cells, read exactly, left blank with a reading warning (flagged), silent (read wrong or
blank without a warning) and the validator's errors on these consistent reports (false alarms).

Run by hand:  .venv/bin/python bench/reader_variants.py [--office] [--only NAME ...] [--sources 000_747 ...] [-v]
(--office adds the PDF variants printed by LibreOffice; slow.)
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from conftest import gold  # noqa: E402
from render import as_2019, perturbed  # noqa: E402
from variants import VARIANTS, Measure, build, measure  # noqa: E402

SOURCES = ["000_747", "005_hongze", "007_huaian", "015_shuyang", "002_shanghai", "016_pingtan"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--office", action="store_true")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--sources", nargs="*", default=SOURCES)
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    total = Measure()
    print(f"{'variant':26} {'cells':>6} {'exact':>6} {'flagged':>7} {'silent':>6} {'errors':>6}")
    for v in VARIANTS:
        if (v.office and not args.office) or (args.only and v.name not in args.only):
            continue
        m = Measure()
        for src in args.sources:
            seed = zlib.crc32((v.name + src).encode())
            g = gold(src)
            report = perturbed(g, seed) if g.get("format") != "2019" else as_2019(perturbed(g, seed), seed)
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    report, path = build(v, report, Path(tmp) / src, seed)
                    one = measure(report, path)
                except Exception as e:          # a variant the reader refuses is all silent misses
                    one = Measure(examples=[f"{src}: {type(e).__name__}: {e}"])
                one.examples = [f"{src} {x}" for x in one.examples]
            m.add(one)
        total.add(m)
        print(f"{v.name:26} {m.cells:6} {m.exact:6} {m.flagged:7} {m.silent:6} {m.false_errors:6}", flush=True)
        if args.v:
            for x in m.examples[:8]:
                print("    ", x)
    print(f"{'TOTAL':26} {total.cells:6} {total.exact:6} {total.flagged:7} {total.silent:6} {total.false_errors:6}")


if __name__ == "__main__":
    main()
