"""Choosing `ingest.checksums.LOW_CONFIDENCE` by measurement: the OCR confidence of right and wrong table cells.

Each gold report of ../shared/gold is rendered with perturbed (many-digit) figures through LibreOffice
(tests/render.py), or, given the full name of a PDF of ../shared/reports, that real PDF is taken as it is
(smaller type, Word's layout: the harder family); its table pages are scanned (tests/scanned.py: grey, turned under 1°, blur, noise) at each
scan resolution asked for, and the scan is extracted. A cell is right when it equals what the text layer of the
rendered PDF says. Then, for each candidate threshold, the checksums are run again (cheap, no OCR) and counted:
- wrong cells: read with confidence at or above the threshold (the recogniser was sure and wrong), and those
  that no reading warning flags at all (silent: what an official would trust);
- right cells: read below the threshold, and those flagged by an `ocr_uncertain` warning (false alarms: cost
  the official a look at the original).

Run by hand (slow: about a minute of OCR per report and resolution on 2 cores):
    nice -n 19 .venv/bin/python bench/ocr_threshold.py [--dpi 150 200] [--reports 000 007 ...] [--out cells.json]
    nice -n 19 .venv/bin/python bench/ocr_threshold.py --reports 005_hongze_district_2023 006_hongze_district_2024
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
SHARED = REPO.parent / "shared"

THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99)


@dataclass
class Scanned:
    """One scanned rendition: the extracted report and, per OCR cell, whether it is right."""
    name: str
    dpi: int
    report: object
    truth: dict            # (table, row, column) -> value from the text layer


def read(name: str, dpi: int, tmp: Path) -> Scanned | None:
    from conftest import gold
    from render import default_narrative, perturbed, render_pdf
    from scanned import mixed_pdf, table_pages
    from ingest.extract import extract
    seed = zlib.crc32(name.encode())
    real = SHARED / "reports" / f"{name}.pdf"
    if real.exists():                          # a real PDF of ../shared: its own text layer is the truth
        src = real
    elif gold(name).get("format") == "2019":   # perturbed() knows the 2021 表二 only
        print(f"  {name}: skipped (2019 format)")
        return None
    else:
        src = tmp / f"{name}.pdf"
        if not src.exists():
            report = perturbed(gold(name), seed)
            render_pdf(report, src, default_narrative(report))
    scan = mixed_pdf(src, tmp / f"{name}-{dpi}.pdf", table_pages(src), dpi=dpi, seed=seed + dpi)
    truth = {(t, r, c): cell.value for t, r, c, cell in _cells(extract(src))}
    return Scanned(name, dpi, extract(scan), truth)


def _cells(report):
    for table in (report.table2, report.table3, report.table4):
        if table is not None:
            for r, c, cell in table.cells():
                yield table.name, r, c, cell


def sweep(runs: list[Scanned]) -> list[dict]:
    from ingest import checksums
    from ingest.report import READING_CODES
    rows = []
    kept = checksums.LOW_CONFIDENCE
    for t in THRESHOLDS:
        checksums.LOW_CONFIDENCE = t
        n = {"threshold": t, "cells": 0, "wrong": 0, "wrong_confident": 0, "wrong_silent": 0,
             "right_low": 0, "right_flagged": 0}
        for run in runs:
            rep = run.report
            tables = [rep.table2, rep.table3, rep.table4]
            named = {(w.table, w.row, w.source.bbox if w.source else None)
                     for w in checksums.ocr_warnings(tables)}
            rows_named = {(w.table, w.row) for w in rep.warnings
                          if w.code in READING_CODES and w.code != "ocr_uncertain"}
            rows_named |= {(table, row) for table, row, _ in named}
            for table, row, col, cell in _cells(rep):
                if cell.confidence is None or (table, row, col) not in run.truth:
                    continue
                right = cell.value == run.truth[(table, row, col)]
                flagged_cell = (table, row, cell.source.bbox if cell.source else None) in named
                n["cells"] += 1
                if right:
                    n["right_low"] += cell.confidence < t
                    n["right_flagged"] += flagged_cell
                else:
                    n["wrong"] += 1
                    n["wrong_confident"] += cell.confidence >= t
                    n["wrong_silent"] += (table, row) not in rows_named
        rows.append(n)
    checksums.LOW_CONFIDENCE = kept
    return rows


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dpi", type=int, nargs="*", default=[150, 200])
    p.add_argument("--reports", nargs="*", default=None, help="gold name prefixes (default: all of ../shared/gold)")
    p.add_argument("--out", type=Path, default=None, help="write every OCR cell (confidence, right) as JSON")
    args = p.parse_args()
    names = args.reports or sorted(f.stem for f in (SHARED / "gold").glob("*.json"))
    runs: list[Scanned] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["NIANBAO_OCR_CACHE"] = str(Path(tmp) / "cache")
        for dpi in args.dpi:
            for name in names:
                start = time.perf_counter()
                try:
                    run = read(name, dpi, Path(tmp))
                except Exception as e:               # one report that will not render must not lose the rest
                    print(f"  {name} at {dpi} dpi: failed ({type(e).__name__}: {e})", flush=True)
                    continue
                if run is not None:
                    runs.append(run)
                    print(f"  {name} at {dpi} dpi: {time.perf_counter() - start:.0f} s", flush=True)
                    report(runs, args.out)
    report(runs, args.out)


def report(runs: list[Scanned], out: Path | None) -> None:
    """Print the sweep over the scans read so far (and write their cells to `out`)."""
    cells = [{"report": r.name, "dpi": r.dpi, "table": t, "row": row, "column": c, "confidence": cell.confidence,
              "value": cell.value, "want": r.truth.get((t, row, c))}
             for r in runs for t, row, c, cell in _cells(r.report) if cell.confidence is not None]
    if out:
        out.write_text(json.dumps(cells, ensure_ascii=False, indent=0), encoding="utf-8")
    wrong = sorted(c["confidence"] for c in cells if c["value"] != c["want"])
    print(f"\n{len(runs)} scans, {len(cells)} OCR cells, {len(wrong)} wrong; confidences of the wrong ones: "
          + ", ".join(f"{v:.3f}" for v in wrong))
    print(f"{'threshold':>9} {'wrong≥t':>8} {'wrong silent':>12} {'right<t':>8} {'right flagged':>13}")
    for n in sweep(runs):
        print(f"{n['threshold']:9.2f} {n['wrong_confident']:8d} {n['wrong_silent']:12d} {n['right_low']:8d} "
              f"{n['right_flagged']:13d}")


if __name__ == "__main__":
    main()
