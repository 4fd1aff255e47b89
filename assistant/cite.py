"""Where each number and passage of an answer comes from: citations written the way an official cites a
report (〔淮安市人民政府2024年报·表三“（七）总计”·第5页〕), and a per-report view of the fact store that
hands out cell values together with their citations. Pure over the library's read API; no writing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Sequence

from assistant.metrics import ComputedValue, Metric, compute, format_number
from ingest.schema import SECTIONS, column_label, row_label
from vectorstore.chunks import TABLE_SECTION

TABLE_ZH = {"table2": "表二", "table3": "表三", "table4": "表四", "fees": "信息处理费表"}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True)
class Citation:
    """One source: a table cell (table/row/column set) or a passage of a section (text set)."""
    file: str
    agency: str | None
    year: int | None
    section: str | None = None          # section path: “三、收到和处理政府信息公开申请情况”
    table: str | None = None
    row: str | None = None
    column: str | None = None
    page: int | None = None
    line: int | None = None
    text: str = ""                      # the quoted passage, or “表三 （七）总计 = 12” for a cell
    report_id: str | None = None
    corrected: str | None = None        # “人工校正：张三，2026-12-07，依据原件第3页” for a cell an official corrected

    @property
    def report_label(self) -> str:
        return f"{self.agency or '未知单位'}{self.year or ''}年报"

    @property
    def where(self) -> str:
        if self.page is not None:
            return f"第{self.page}页"
        return f"第{self.line}行" if self.line is not None else ""

    @property
    def place(self) -> str:
        """表三“（七）总计” / 表二“行政规范性文件”“现行有效件数” / 一、总体情况（二）依申请公开."""
        if self.table:
            zh = TABLE_ZH.get(self.table, self.table)
            return zh + cell_place(self.table, self.row, self.column or "") if self.row else zh
        return (self.section or "正文").replace(" / ", "")

    def label(self) -> str:
        return "〔" + "·".join(p for p in (self.report_label, self.place, self.where, self.corrected) if p) + "〕"

    def key(self) -> tuple:
        return (self.file, self.table, self.row, self.column, self.section, self.page, self.line,
                self.text if not self.table else "")

    def to_json(self) -> dict:
        return {"file": self.file, "agency": self.agency, "year": self.year, "section": self.section,
                "table": self.table, "row": self.row, "column": self.column, "page": self.page,
                "line": self.line, "report": self.report_label, "cell": self.place if self.table else None,
                "label": self.label(), "text": self.text, "corrected": self.corrected}


def cell_place(table: str, row: str, column: str) -> str:
    """The quoted row (and column, unless it is the table's total or single value column)."""
    place = f"“{row_label(table, row)}”"
    if column and column not in ("value",) and not (table == "table3" and column == "total") \
            and cell_column_label(table, row, column):
        place += f"“{cell_column_label(table, row, column)}”"
    return place


def row_place(table: str, row: str, columns: Sequence[str]) -> str:
    """“行政复议”“结果维持”“总计”: the row once, then its columns (the total/value column left out)."""
    if not row:
        return ""
    place = f"“{row_label(table, row)}”"
    for col in dict.fromkeys(columns):
        if col and col != "value" and not (table == "table3" and col == "total") and cell_column_label(table, row, col):
            place += f"“{cell_column_label(table, row, col)}”"
    return place


def group_label(citations: Sequence[Citation]) -> str:
    """Several sources in one bracket, grouped by report, table and row:
    〔X2024年报·表三“（一）予以公开”“（七）总计”·第5页〕, 〔X2022年报·表三“一、本年新收…”第68行、“（七）总计”第92行〕."""
    cs = dedupe(citations)
    if not cs:
        return ""
    if len(cs) == 1:
        return cs[0].label()
    by_report: dict[str, list[Citation]] = {}
    for c in cs:
        by_report.setdefault(c.report_label, []).append(c)
    parts = []
    for report, rcs in by_report.items():
        segments: list[str] = []
        tables: dict[str, dict[str, list[Citation]]] = {}
        for c in rcs:
            if c.table:
                tables.setdefault(c.table, {}).setdefault(c.row or "", []).append(c)
            else:
                segments.append(c.place + (("·" if len(rcs) == 1 else "") + c.where if c.where else ""))
        for table, rows in tables.items():
            wheres = {c.where for row_cs in rows.values() for c in row_cs}
            if len(wheres) == 1:
                where = next(iter(wheres))
                body = TABLE_ZH.get(table, table) + "".join(row_place(table, r, [c.column for c in rc])
                                                             for r, rc in rows.items())
                segments.append(body + (f"·{where}" if where else ""))
                continue
            items = []
            for r, rc in rows.items():
                row_wheres = {c.where for c in rc}
                if len(row_wheres) == 1:
                    items.append(row_place(table, r, [c.column for c in rc]) + next(iter(row_wheres)))
                else:
                    items += [row_place(table, r, [c.column]) + c.where for c in rc]
            segments.append(TABLE_ZH.get(table, table) + "、".join(items))
        parts.append(report + "·" + "、".join(dict.fromkeys(segments)))
    return "〔" + "；".join(parts) + "〕"


def dedupe(citations: Iterable[Citation]) -> list[Citation]:
    return list({c.key(): c for c in citations}.values())


def date_text(iso: str | None) -> str | None:
    """2025-01-21 → 2025年1月21日."""
    if not iso:
        return None
    m = _ISO_DATE.match(iso)
    if not m:
        return iso
    return f"{int(m.group(1))}年{int(m.group(2))}月{int(m.group(3))}日"


def value_text(cv: ComputedValue) -> str:
    """“12件” / “7730.28万元” / “44.7%” / “（空）”."""
    if cv.value is None:
        return "无法计算"
    shown = cv.display
    if cv.unit in ("%", "") or shown.endswith("%"):
        return shown
    return shown + cv.unit


# -- a report's cells ---------------------------------------------------------------------------------
# 2019-format 表二 columns, for citations (ingest.schema labels the 2021 columns only).
_TABLE2_2019_COLUMNS = {"new_made": "本年新制作数量", "new_published": "本年新公开数量", "total_published": "对外公开总数量",
                        "prev_items": "上一年项目数量", "delta": "本年增/减", "decisions": "处理决定数量",
                        "proc_items": "采购项目数量", "proc_amount": "采购总金额"}


def cell_column_label(table: str, row: str, col: str) -> str:
    """A column's printed name; “总计” for a total, and nothing (never the code word) for a column without one."""
    label = column_label(table, row, col)
    if table == "table2" and label == col:
        label = _TABLE2_2019_COLUMNS.get(col, label)
    if label == col and col.isascii():
        return "总计" if col == "total" else ""
    return label


@dataclass(frozen=True)
class _FeeFact:
    value: object
    page: int | None
    line: int | None


@dataclass
class ReportView:
    """One stored report: its record and every cell (with page/line), read once from the fact store."""
    record: object                                   # vectorstore.facts.ReportRecord
    facts: dict[tuple[str, str, str], object] = field(default_factory=dict)   # (table,row,col) -> Fact
    library: object = None

    @property
    def label(self) -> str:
        return f"{self.record.agency or '未知单位'}{self.record.year or ''}年报"

    @property
    def agency(self) -> str | None:
        return self.record.agency

    @property
    def year(self) -> int | None:
        return self.record.year

    @property
    def file(self) -> str:
        return self.record.file

    def value(self, table: str, row: str, col: str):
        if table == "meta":
            return getattr(self.record, row, None)
        fact = self._fact(table, row, col)
        return None if fact is None else fact.value

    def _fact(self, table: str, row: str, col: str):
        """The stored cell; the 信息处理费 table is read from the stored Report (`Report.fees`)."""
        if table == "fees":
            fees = getattr(self.stored, "fees", None) if self.library is not None else None
            cell = fees.cell(row, col) if fees is not None else None
            if cell is None:
                return None
            src = cell.source
            return _FeeFact(cell.value, getattr(src, "page", None), getattr(src, "line", None))
        return self.facts.get((table, row, col))

    def has_table(self, table: str) -> bool:
        if table == "fees":
            return self.library is not None and getattr(self.stored, "fees", None) is not None
        return any(k[0] == table for k in self.facts)

    def table_values(self, table: str) -> dict[tuple[str, str], object]:
        return {(r, c): f.value for (t, r, c), f in self.facts.items() if t == table}

    def compute(self, metric: Metric) -> ComputedValue:
        return compute(metric, self.value)

    def cite_cell(self, table: str, row: str, col: str) -> Citation:
        fact = self._fact(table, row, col)
        value = None if fact is None else fact.value
        column = cell_column_label(table, row, col)
        text = f"{TABLE_ZH.get(table, table)} {row_label(table, row)}{' / ' + column if column else ''} = " \
               f"{'空白' if value is None else format_number(value)}"
        section = SECTIONS["s6_other"] if table == "fees" else SECTIONS.get(TABLE_SECTION.get(table, ""), None)
        return Citation(self.file, self.agency, self.year, section,
                        table, row, col, getattr(fact, "page", None), getattr(fact, "line", None), text,
                        self.record.id, getattr(fact, "corrected", None))

    def cite_inputs(self, cv: ComputedValue) -> list[Citation]:
        """The cells a computed value rests on (meta inputs cite the 落款)."""
        out = []
        for table, row, col, _ in cv.inputs:
            if table == "meta":
                out.append(self.cite_signature())
            else:
                out.append(self.cite_cell(table, row, col))
        return dedupe(out)

    @cached_property
    def stored(self):
        """The stored Report (sections, cells, warnings); read once, on demand, shared: never changed here."""
        if self.library is None:
            return None
        return self.library.facts.shared_report(self.record)

    def report(self):
        return self.stored

    def reading_failure(self, table: str, row: str | None = None) -> str | None:
        """What we could not read of a table (or of one of its rows), as the reader said it — so that an answer
        says *we* failed (“未能读取……请核对原件”) instead of calling the report incomplete."""
        report = self.report()
        if report is None:
            return None
        for w in [*report.reading_warnings(), *(w for w in report.warnings if w.code == "glued_unbalanced")]:
            if w.table == table and (w.row is None or row is None or w.row == row):
                return w.message
        return None

    def findings(self) -> list[dict]:
        """The validator's findings stored with the report at ingest."""
        return self.library.facts.findings(self.record.id) if self.library is not None else []

    def cite_section(self, key: str, text: str = "") -> Citation:
        report = self.report()
        sec = report.section(key) if report is not None else None
        page, line = sec.where(text) if sec is not None else (None, None)
        return Citation(self.file, self.agency, self.year, sec.path if sec else SECTIONS.get(key, key),
                        page=page, line=line, text=text or (sec.text if sec else ""), report_id=self.record.id)

    def cite_evidence(self, e: dict) -> Citation:
        """A validator evidence item (Evidence.to_json()) as a citation: a cell, a whole table, or a sentence."""
        if e.get("kind") == "cell" and e.get("table"):
            if e.get("row"):
                return self.cite_cell(e["table"], e["row"], e.get("column") or ("value" if e["table"] == "table2" else "total"))
            return Citation(self.file, self.agency, self.year, SECTIONS.get(TABLE_SECTION.get(e["table"], ""), None),
                            e["table"], page=e.get("page"), line=e.get("line"), text=e.get("text") or "",
                            report_id=self.record.id)
        return Citation(self.file, self.agency, self.year, e.get("section") or "正文", page=e.get("page"),
                        line=e.get("line"), text=e.get("text") or "", report_id=self.record.id)

    def cite_signature(self) -> Citation:
        report = self.report()
        sec = report.section("signature") if report is not None else None
        return Citation(self.file, self.agency, self.year, "落款", page=sec.page if sec else None,
                        line=sec.line if sec else None, text=(sec.text if sec else "") or "",
                        report_id=self.record.id)


def load_view(library, record) -> ReportView:
    facts = {(f.table, f.row, f.column): f for f in library.facts.cells(record)}
    return ReportView(record, facts, library)
