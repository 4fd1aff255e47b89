"""Test helper: layout variants of each report family that real government sites, crawlers, PDF→Markdown
converters and office suites produce, built from a gold report of ../shared with new figures, and the measure
of how the reader does on them: cells read exactly, cells left blank with a reading warning (flagged), cells
read wrong or left blank without a warning (silent), and the validator's errors on the (consistent) report
(false alarms). Used by tests/test_variants.py and bench/reader_variants.py. Not product code.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from render import (crawler_text, default_narrative, expected_json, render_docx, render_html, render_pdf, soffice,
                    typed_text, with_blanks)


@dataclass(frozen=True)
class Variant:
    """One way of printing a report: `suffix` of the file, `layout` merged into report["_layout"], `write`
    renders the report to a path; `office`: needs LibreOffice (slow)."""
    name: str
    family: str
    suffix: str
    write: Callable[[dict, Path], Path]
    layout: dict = field(default_factory=dict)
    office: bool = False
    blanks: bool = False     # some cells printed blank (the variant must keep them apart from zeros)


def _html(report: dict, path: Path) -> Path:
    return render_html(report, path)


def _docx(report: dict, path: Path) -> Path:
    return render_docx(report, path)


def _text(style: str) -> Callable[[dict, Path], Path]:
    def write(report: dict, path: Path) -> Path:
        path.write_text(typed_text(report, style), encoding="utf-8")
        return path
    return write


def _crawled(separator: str, line_break: str) -> Callable[[dict, Path], Path]:
    def write(report: dict, path: Path) -> Path:
        path.write_text(crawler_text(report, separator=separator, line_break=line_break), encoding="utf-8")
        return path
    return write


def _pdf(via: str, long: bool = False) -> Callable[[dict, Path], Path]:
    def write(report: dict, path: Path) -> Path:
        return render_pdf(report, path, default_narrative(report, long=long), via=via)
    return write


VARIANTS = [
    Variant("html-th-thead", "html", ".html", _html, {"html_cells": "th"}),
    Variant("html-styled-spans", "html", ".html", _html, {"html_cells": "styled"}),
    Variant("html-br-in-cells", "html", ".html", _html, {"html_cells": "br", "split_headers": True}),
    Variant("html-nbsp-padded", "html", ".html", _html, {"html_cells": "nbsp"}),
    Variant("html-layout-table", "html", ".html", _html, {"layout_table": True}),
    Variant("html-fullwidth-digits", "html", ".html", _html, {"numbers": "fullwidth"}),
    Variant("html-thousands", "html", ".html", _html, {"numbers": "thousands"}),
    Variant("html-th-blanks", "html", ".html", _html, {"html_cells": "th"}, blanks=True),
    Variant("html-table4-apart", "html", ".html", _html, {"split_table4": True}),
    Variant("html-table3-split", "html", ".html", _html, {"split_table3": "plain"}),
    Variant("html-table3-split-header", "html", ".html", _html, {"split_table3": "repeat"}),
    Variant("txt-tabs", "text", ".txt", _text("tabs")),
    Variant("txt-tabs-blanks", "text", ".txt", _text("tabs"), blanks=True),
    Variant("txt-spaces", "text", ".txt", _text("spaces")),
    Variant("txt-glued-label", "text", ".txt", _text("glued_label")),
    Variant("txt-cell-per-line", "text", ".txt", _text("cell_per_line")),
    Variant("txt-thousands-tabs", "text", ".txt", _text("tabs"), {"numbers": "thousands"}),
    Variant("txt-fullwidth-tabs", "text", ".txt", _text("tabs"), {"numbers": "fullwidth"}),
    Variant("txt-layout", "text", ".txt", _text("layout")),
    Variant("txt-table4-wrapped", "text", ".txt", _text("wrapped_values")),
    Variant("txt-table3-columnwise", "text", ".txt", _text("columnwise")),
    Variant("crawler-spaced", "text", ".txt", _crawled(" ", "")),
    Variant("crawler-glued", "text", ".txt", _crawled("", "")),
    Variant("crawler-spaced-thousands", "text", ".txt", _crawled(" ", "\n"), {"numbers": "thousands"}),
    Variant("crawler-glued-thousands", "text", ".txt", _crawled("", "\n"), {"numbers": "thousands"}),
    Variant("crawler-spaced-fullwidth", "text", ".txt", _crawled(" ", ""), {"numbers": "fullwidth"}),
    Variant("md-pipes", "markdown", ".md", _text("pipes")),
    Variant("md-pipes-blanks", "markdown", ".md", _text("pipes"), blanks=True),
    Variant("md-ragged", "markdown", ".md", _text("md_ragged")),
    Variant("md-split-header", "markdown", ".md", _text("md_split_header")),
    Variant("md-repeated-spans", "markdown", ".md", _text("md_repeat_spans")),
    Variant("docx-fullwidth", "docx", ".docx", _docx, {"numbers": "fullwidth"}),
    Variant("docx-thousands", "docx", ".docx", _docx, {"numbers": "thousands"}),
    Variant("docx-landscape", "docx", ".docx", _docx, {"docx_landscape": True}),
    Variant("docx-layout-table", "docx", ".docx", _docx, {"docx_layout_table": True}),
    Variant("docx-table4-apart", "docx", ".docx", _docx, {"split_table4": True}),
    Variant("docx-table3-split", "docx", ".docx", _docx, {"split_table3": "plain"}),
    Variant("docx-table3-split-header", "docx", ".docx", _docx, {"split_table3": "repeat"}),
    Variant("pdf-repeat-header", "pdf", ".pdf", _pdf("docx", long=True), {"docx_repeat_header": True}, office=True),
    Variant("pdf-no-repeat-long", "pdf", ".pdf", _pdf("docx", long=True), office=True),
    Variant("pdf-landscape", "pdf", ".pdf", _pdf("docx"), {"docx_landscape": True}, office=True),
    Variant("pdf-narrow-columns", "pdf", ".pdf", _pdf("docx"), {"docx_narrow": True}, office=True),
    Variant("pdf-thousands", "pdf", ".pdf", _pdf("docx"), {"numbers": "thousands"}, office=True),
    Variant("pdf-table3-split-header", "pdf", ".pdf", _pdf("docx"), {"split_table3": "repeat"}, office=True),
    Variant("pdf-table4-apart", "pdf", ".pdf", _pdf("docx"), {"split_table4": True}, office=True),
    Variant("pdf-layout-table", "pdf", ".pdf", _pdf("docx"), {"docx_layout_table": True}, office=True),
    Variant("pdf-horizontal-rules", "pdf", ".pdf", _pdf("docx"), {"docx_borders": "horizontal"}, office=True),
    Variant("pdf-no-rules", "pdf", ".pdf", _pdf("docx"), {"docx_borders": "none"}, office=True),
    Variant("pdf-html-th", "pdf", ".pdf", _pdf("html"), {"html_cells": "th"}, office=True),
]
BY_NAME = {v.name: v for v in VARIANTS}


def cells(record: dict) -> dict[str, object]:
    """Every cell of 表二/表三/表四 of a `Report.to_json` record under a flat key: table.row[.col|[i]]."""
    out = {}
    for row, vals in ((record.get("table3") or {}).get("rows") or {}).items():
        for i, v in enumerate(vals):
            out[f"table3.{row}[{i}]"] = v
    for g, cols in (record.get("table4") or {}).items():
        for c, v in (cols or {}).items():
            out[f"table4.{g}.{c}"] = v
    for row, v in (record.get("table2") or {}).items():
        if isinstance(v, dict):
            out.update({f"table2.{row}.{c}": x for c, x in v.items()})
        else:
            out[f"table2.{row}"] = v
    return out


def _where(key: str) -> tuple[str, str]:
    table, rest = key.split(".", 1)
    return table, rest.split("[")[0].split(".")[0]


@dataclass
class Measure:
    """How one rendered report was read."""
    cells: int = 0              # cells the report prints (blank ones included)
    exact: int = 0              # read as printed (a blank read as blank)
    flagged: int = 0            # not read, with a reading warning on its table/row
    silent: int = 0             # read wrong, or not read without a warning
    false_errors: int = 0       # validator findings of severity error on a consistent report
    examples: list[str] = field(default_factory=list)

    def add(self, other: "Measure") -> None:
        for f in ("cells", "exact", "flagged", "silent", "false_errors"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.examples += other.examples[:5]


def measure(report: dict, path: Path) -> Measure:
    """Read `path` (a rendering of `report`) and compare it cell by cell with `report`; run the validator."""
    from assistant.validator import check_report
    from ingest.extract import extract
    r = extract(path)
    want, got = cells(expected_json(report)), cells(r.to_json(provenance=False))
    reading = r.reading_warnings()
    unread = r.unread_tables()
    m = Measure()
    for k, w in want.items():
        m.cells += 1
        g = got.get(k)
        if g == w and k in got:
            m.exact += 1
            continue
        table, row = _where(k)
        warned = table in unread or any(x.table == table and (x.row in (None, row) or table == "table4")
                                        for x in reading)
        if g is None and warned:
            m.flagged += 1
        else:
            m.silent += 1
            m.examples.append(f"{k}: printed {w!r}, read {g!r}" + (" (warned)" if warned else ""))
    errors = [f for f in check_report(r) if f.severity == "error"]
    m.false_errors = len(errors)
    m.examples += [f"ERROR {f.rule}: {getattr(f, 'message', '')}"[:160] for f in errors]
    return m


def build(variant: Variant, report: dict, path: Path, seed: int) -> tuple[dict, Path]:
    """The report with the variant's layout (and blanks when the variant asks), rendered to `path`."""
    report = copy.deepcopy(report)
    report["published"] = f"{report['year'] + 1}-01-{10 + seed % 18}"     # in time: D3 is not the reader's
    if variant.blanks:
        report = with_blanks(report, seed)
    report["_layout"] = {**report.get("_layout", {}), **variant.layout}
    return report, variant.write(report, path.with_suffix(variant.suffix))


def office_available() -> bool:
    return soffice() is not None
