"""The structured report: metadata, sections, and the three standard tables with each cell's provenance.

`Report.to_json()` is the contract of ../shared/SCHEMA.md (plus provenance, sections and warnings);
`Report.from_json()` reads it back, so stored reports and the hand-read gold files load the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from ingest.document import Source
from ingest.schema import (BLANK_MARKS, TABLE2_ROWS, TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_GROUPS,
                           TABLE3_OTHER_SPLIT, FORMAT_2019, SECTIONS, FEES_ROW, FEES_COLUMNS)

Number = int | float
_PROBLEM_HEADING = re.compile(r"存在的?(主要)?问题|不足|差距|改进")


@dataclass
class Cell:
    """One table value as the report prints it. `value` is None for a blank, "/", "—" or unreadable cell.
    `confidence` is the OCR confidence (0–1) when the cell was read from a page image. `correction`: set when an
    official corrected the cell from the original (vectorstore.corrections): {"old_value", "old_raw", "by", "at",
    "note"}; `value` is then the corrected value and the reading is kept in the correction."""
    value: Number | None
    raw: str = ""
    source: Source | None = None
    confidence: float | None = None
    correction: dict | None = None

    def to_json(self) -> dict:
        d = {"value": self.value, "raw": self.raw}
        if self.source is not None:
            d["source"] = self.source.to_json()
        if self.confidence is not None:
            d["confidence"] = round(self.confidence, 3)
        if self.correction:
            d["correction"] = dict(self.correction)
        return d


@dataclass
class Table:
    """A standard table: row key -> column key -> Cell. Rows the report lacks are absent."""
    name: str                      # table2 | table3 | table4
    rows: dict[str, dict[str, Cell]] = field(default_factory=dict)

    def value(self, row: str, col: str) -> Number | None:
        cell = self.rows.get(row, {}).get(col)
        return None if cell is None else cell.value

    def cell(self, row: str, col: str) -> Cell | None:
        return self.rows.get(row, {}).get(col)

    def cells(self) -> Iterator[tuple[str, str, Cell]]:
        for r, cols in self.rows.items():
            for c, cell in cols.items():
                yield r, c, cell


@dataclass
class Section:
    """A top-level section (一 … 六) or a sub-section, with its text. `path` reads like
    “一、总体情况 / （二）依申请公开”."""
    key: str                       # s1_overview … s6_other, preamble, signature; sub-sections get s1_overview.2
    heading: str
    path: str
    text: str
    page: int | None = None        # first page (PDF)
    line: int | None = None        # first line (text)
    anchors: list[tuple[int, int | None, int | None]] = field(default_factory=list)
    """(offset in `text`, page, line) where each paragraph of the section starts."""

    def where(self, part: str | int) -> tuple[int | None, int | None]:
        """Page and line of a passage of this section (given as text, or as an offset in `text`): a sentence
        on the section's third page is cited with that page, not the section's first."""
        offset = part if isinstance(part, int) else self.text.find(part)
        if offset < 0 or not self.anchors:
            return self.page, self.line
        page, line = self.page, self.line
        for start, p, ln in self.anchors:
            if start > offset:
                break
            page, line = p, ln
        return page, line

    def to_json(self) -> dict:
        return {"key": self.key, "heading": self.heading, "path": self.path, "text": self.text,
                "page": self.page, "line": self.line, "anchors": [list(a) for a in self.anchors]}


# Warning codes that mean *we* could not read something (a table, a row, a cell). They are reading warnings:
# shown as “未能读取……请核对原件”, never turned into an error against the report.
#   table_unread   the section holds table-like content but no standard table could be read from it
#   table_missing  the section holds no table-like content at all (the report really lacks the table)
#   missing_cell / extra_cell  a row with too few / too many cells: left null, never shifted
#   glued_ambiguous  digits glued together (crawler text) with more than one reading: left null
#   merged_total     a merged value cell (Word-pasted （六）) holds the category total; sub-rows left null
#   label_missing    a row placed by position because its label was lost
#   ocr_uncertain    an OCR cell read with low confidence, or one that breaks the table's own checksums
#   editions_disagree two editions of the report read one cell surely and differently (ingest.editions)
READING_CODES = frozenset({"table_unread", "missing_cell", "extra_cell", "glued_ambiguous", "merged_total",
                           "ocr_uncertain", "section_unread", "editions_disagree"})
# A reading warning whose every unsure cell an official corrected from the original: kept (as history, with its
# first code in the message's record) but no longer a reading warning.
CORRECTED_CODE = "reading_corrected"


@dataclass
class Warning:
    """Something the extractor noticed and did not guess about (a cell too many, a label typo …)."""
    code: str
    message: str
    table: str | None = None
    row: str | None = None
    source: Source | None = None

    def to_json(self) -> dict:
        d = {"code": self.code, "message": self.message}
        if self.table:
            d["table"] = self.table
        if self.row:
            d["row"] = self.row
        if self.source is not None:
            d["source"] = self.source.to_json()
        return d


@dataclass
class Report:
    file: str
    agency: str | None = None
    year: int | None = None
    format: str | None = None      # "2021" | "2019"
    published: str | None = None   # 落款 date, ISO
    title: str = ""
    kind: str = ""                 # pdf | docx | html | text
    pages: int | None = None
    sha256: str = ""
    table2: Table | None = None
    table3: Table | None = None
    table4: Table | None = None
    fees: Table | None = None      # 信息处理费 table (section 六), row FEES_ROW, columns FEES_COLUMNS
    sections: list[Section] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    page_turns: dict[int, int] = field(default_factory=dict)   # pages read by OCR turned (90, 180 or 270° clockwise):
                                   # their cells' boxes are in points of the page turned upright

    # -- access -------------------------------------------------------------------------------
    def table(self, name: str) -> Table | None:
        return {"table2": self.table2, "table3": self.table3, "table4": self.table4, "fees": self.fees}.get(name)

    def reading_warnings(self) -> list["Warning"]:
        """What we could not read (READING_CODES): to show as “未能读取……请核对原件”, never as the report's error."""
        return [w for w in self.warnings if w.code in READING_CODES]

    def unread_cell(self, table: str, row: str, cell: "Cell") -> bool:
        """Whether a cell without a value is one we failed to read rather than one the report left blank: its
        table or row carries a reading warning, or it holds something printed that was not read as a value
        (ink OCR could not read; a "/" or "—" is the report's own blank)."""
        if any(w.table == table and w.row in (None, row) for w in self.reading_warnings()):
            return True
        return cell.raw.strip() not in BLANK_MARKS

    def unread_tables(self) -> set[str]:
        """Tables whose region holds table-like content that we could not read (not the report's fault)."""
        return {w.table for w in self.warnings if w.code == "table_unread" and w.table}

    def missing_tables(self) -> set[str]:
        """Tables the report really lacks: their section holds no table-like content at all."""
        return {w.table for w in self.warnings if w.code == "table_missing" and w.table}

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def content_sections(self, key: str) -> list[Section]:
        """The sections holding a part's content: the section itself; or, for 五 printed without its “五、”
        heading, the sub-sections of 四 whose titles carry its words (问题, 改进, 不足, 差距)."""
        sec = self.section(key)
        if sec is not None:
            return [sec]
        if key == "s5_problems":
            return [s for s in self.sections
                    if s.key.startswith("s4_review_litigation.") and _PROBLEM_HEADING.search(s.heading or "")]
        return []

    def top_sections(self) -> list[Section]:
        return [s for s in self.sections if s.key in SECTIONS]

    def full_text(self) -> str:
        return "\n".join(s.text for s in self.sections if "." not in s.key)


    @property
    def label(self) -> str:
        """How people name the report: “淮安市洪泽区人民政府2024年报”."""
        return f"{self.agency or '未知单位'}{self.year or ''}年报"

    # -- JSON ---------------------------------------------------------------------------------
    def to_json(self, provenance: bool = True) -> dict:
        d = {"file": self.file, "agency": self.agency, "year": self.year, "format": self.format,
             "published": self.published,
             "table2": _table2_json(self.table2, self.format),
             "table3": _table3_json(self.table3),
             "table4": _table4_json(self.table4),
             "fees": _fees_json(self.fees)}
        if provenance:
            d.update({
                "title": self.title, "kind": self.kind, "pages": self.pages, "sha256": self.sha256,
                "cells": [{"table": t.name, "row": r, "column": c, **cell.to_json()}
                          for t in (self.table2, self.table3, self.table4, self.fees) if t
                          for r, c, cell in t.cells()],
                "sections": [s.to_json() for s in self.sections],
                "warnings": [w.to_json() for w in self.warnings],
            })
            if self.page_turns:
                d["page_turns"] = {str(k): v for k, v in sorted(self.page_turns.items())}
        return d

    @classmethod
    def from_json(cls, d: dict) -> "Report":
        """Read a record written by to_json(), or a gold file (values only)."""
        prov = {(c["table"], c["row"], c["column"]): c for c in d.get("cells", [])}

        def cell(table, row, col, value):
            p = prov.get((table, row, col), {})
            src = Source(**{k: (tuple(v) if k == "bbox" else v) for k, v in p["source"].items()}) \
                if p.get("source") else None
            return Cell(value, p.get("raw", "" if value is None else str(value)), src, p.get("confidence"),
                        p.get("correction"))

        t2 = t3 = t4 = None
        if d.get("table2") is not None:
            t2 = Table("table2")
            for row, v in d["table2"].items():
                if isinstance(v, dict):
                    t2.rows[row] = {c: cell("table2", row, c, x) for c, x in v.items()}
                else:
                    t2.rows[row] = {"value": cell("table2", row, "value", v)}
        if d.get("table3") is not None:
            t3 = Table("table3")
            cols = d["table3"].get("columns") or list(TABLE3_COLUMNS)
            for row, vals in d["table3"]["rows"].items():
                t3.rows[row] = {c: cell("table3", row, c, x) for c, x in zip(cols, vals)}
        if d.get("table4") is not None:
            t4 = Table("table4")
            for g, cols in d["table4"].items():
                t4.rows[g] = {c: cell("table4", g, c, x) for c, x in cols.items()}
        fees = None
        if d.get("fees") is not None:
            fees = Table("fees")
            fees.rows[FEES_ROW] = {c: cell("fees", FEES_ROW, c, d["fees"].get(c)) for c in FEES_COLUMNS}
        return cls(file=d.get("file", ""), agency=d.get("agency"), year=d.get("year"), format=d.get("format"),
                   published=d.get("published"), title=d.get("title", ""), kind=d.get("kind", ""),
                   pages=d.get("pages"), sha256=d.get("sha256", ""), table2=t2, table3=t3, table4=t4, fees=fees,
                   sections=[Section(**{**s, "anchors": [tuple(a) for a in s.get("anchors", [])]})
                             for s in d.get("sections", [])],
                   warnings=[Warning(w["code"], w["message"], w.get("table"), w.get("row"),
                                     Source(**{k: (tuple(v) if k == "bbox" else v) for k, v in w["source"].items()})
                                     if w.get("source") else None) for w in d.get("warnings", [])],
                   page_turns={int(k): int(v) for k, v in (d.get("page_turns") or {}).items()})


def _table2_json(t: Table | None, fmt: str | None) -> dict | None:
    if t is None:
        return None
    out = {}
    rows = TABLE2_ROWS if fmt != FORMAT_2019 else None
    for row, cols in t.rows.items():
        if list(cols) == ["value"]:
            out[row] = cols["value"].value
        else:
            out[row] = {c: cell.value for c, cell in cols.items()}
    if rows:  # every standard key is present, null when the report lacks it
        for row, (_, cols) in rows.items():
            if row not in out:
                out[row] = None if cols == ("value",) else {c: None for c in cols}
    return out


def _table3_json(t: Table | None) -> dict | None:
    if t is None:
        return None
    rows = {}
    for row in TABLE3_ROWS:
        if row in t.rows:
            rows[row] = [t.value(row, c) for c in TABLE3_COLUMNS]
    if "other_processing" not in t.rows:
        for row in TABLE3_OTHER_SPLIT:
            rows.setdefault(row, [None] * len(TABLE3_COLUMNS))
    return {"columns": list(TABLE3_COLUMNS), "rows": rows}


def _fees_json(t: Table | None) -> dict | None:
    if t is None:
        return None
    return {c: t.value(FEES_ROW, c) for c in FEES_COLUMNS}


def _table4_json(t: Table | None) -> dict | None:
    if t is None:
        return None
    return {g: {c: t.value(g, c) for c in TABLE4_COLUMNS} for g in TABLE4_GROUPS}
