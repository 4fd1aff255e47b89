"""Corrections by the official (核对与校正): a layer over what was read, never a change of the reading.

A correction is keyed by the file's content (sha256) and the cell (table, row, column), so it survives re-ingest
and removal of the same file. `apply_corrections(report, corrections)` puts the active ones on a Report (pure):
each corrected cell gets the new value and keeps its reading in `Cell.correction`; a reading warning whose every
unsure cell is corrected becomes `CORRECTED_CODE` (history, no longer “未能读取”). `CorrectionStore` reads and
writes the `corrections` table (migration 5 of vectorstore.db); `Library` applies them when a report is stored
and lists the corrections of an agency-year for re-confirmation when another file of it is stored.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Sequence

from ingest.checksums import expected_cells
from ingest.errors import UserError
from ingest.report import CORRECTED_CODE, READING_CODES, Cell, Report, Table, Warning
from ingest.schema import FEES_COLUMNS, FEES_ROW, TABLE2_2019_ROWS, TABLE2_ROWS, TABLE3_COLUMNS, TABLE3_OTHER_SPLIT, \
    TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_GROUPS
from vectorstore import db as dbmod

Number = int | float
ACTIVE, NEEDS_RECONFIRM, RECONFIRMED = "active", "needs_reconfirm", "reconfirmed"
STATUS_ZH = {ACTIVE: "已生效", NEEDS_RECONFIRM: "待重新确认", RECONFIRMED: "已在新文件上重新确认"}
CORRECTION_LABEL = "人工校正"
TABLE_ZH = {"table2": "表二", "table3": "表三", "table4": "表四", "fees": "信息处理费表"}
COLUMNS = ("report_sha256, table_name, row_key, col_key, file, agency, year, old_value, old_raw, new_value, "
           "by_user, at, note, status")


class CorrectionError(UserError):
    """A correction that cannot be made (unknown cell, bad value). Chinese message."""


@dataclass(frozen=True)
class Correction:
    report_sha256: str
    table: str
    row: str
    column: str
    file: str
    agency: str | None
    year: int | None
    old_value: Number | None
    old_raw: str
    new_value: Number
    by: str
    at: str                       # UTC, ISO
    note: str
    status: str = ACTIVE

    @property
    def date(self) -> str:
        return self.at[:10]

    @property
    def cell_key(self) -> str:
        return f"{self.table}.{self.row}.{self.column}"

    def citation(self) -> str:
        return correction_note({"by": self.by, "at": self.at, "note": self.note})

    def to_json(self) -> dict:
        return {"report_sha256": self.report_sha256, "cell": self.cell_key, "table": self.table, "row": self.row,
                "column": self.column, "file": self.file, "agency": self.agency, "year": self.year,
                "old_value": self.old_value, "old_raw": self.old_raw, "new_value": self.new_value, "by": self.by,
                "at": self.at, "note": self.note, "status": self.status, "status_zh": STATUS_ZH[self.status]}


def correction_note(info: dict | None) -> str | None:
    """How an answer built on a corrected cell says so: “人工校正：张三，2026-12-07，依据原件第3页”."""
    if not info:
        return None
    return "，".join(p for p in (f"{CORRECTION_LABEL}：{info.get('by') or ''}", str(info.get("at") or "")[:10],
                                 info.get("note") or "") if p)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# -- cells -------------------------------------------------------------------------------------------------
def table_columns(table: str, row: str) -> tuple[str, ...]:
    """The columns a standard row has (either format), or () when the table has no such row."""
    if table == "table2":
        spec = TABLE2_ROWS.get(row) or TABLE2_2019_ROWS.get(row)
        return tuple(spec[1]) if spec else ()
    if table == "table3":
        return TABLE3_COLUMNS if row in TABLE3_ROWS else ()
    if table == "table4":
        return TABLE4_COLUMNS if row in TABLE4_GROUPS else ()
    if table == "fees":
        return FEES_COLUMNS if row == FEES_ROW else ()
    return ()


def parse_cell_key(key: str) -> tuple[str, str, str]:
    """“table3.new_received.total” (or “table2.regulations” for a single-value row) → (table, row, column)."""
    parts = [p.strip() for p in (key or "").strip().split(".")]
    if len(parts) == 2 and parts[0] in TABLE_ZH:
        parts.append("value")
    if len(parts) != 3 or not all(parts):
        raise CorrectionError(f"单元格“{key}”写法不对：应写成 表.行.列，如 table3.new_received.total"
                              f"（可用 nianbao pending 查看待核对单元格的写法）。")
    table, row, col = parts
    if table not in TABLE_ZH:
        raise CorrectionError(f"没有名为“{table}”的表：可用 table2、table3、table4 或 fees。")
    cols = table_columns(table, row)
    if not cols:
        raise CorrectionError(f"{TABLE_ZH[table]}没有“{row}”这一行（可用 nianbao pending 查看行的写法）。")
    if col not in cols:
        raise CorrectionError(f"{TABLE_ZH[table]}“{row}”行没有“{col}”列，可用的列：{'、'.join(cols)}。")
    return table, row, col


def parse_value(text) -> Number:
    """The corrected value as the official types it (“12”, “1,234”, “0.5”): a number ≥ 0."""
    s = str(text).strip().replace(",", "").replace("，", "")
    try:
        value = float(s)
    except ValueError:
        raise CorrectionError(f"“{text}”不是数字：请填写原件上印的数字（如 12）。") from None
    if value < 0 or value != value or value in (float("inf"),):
        raise CorrectionError(f"“{text}”不是有效的数字：件数和金额不能为负。")
    return int(value) if value.is_integer() and "." not in s else value


def shown(value: Number | None) -> str:
    if value is None:
        return "空白"
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def warning_cells(report: Report, w: Warning) -> list[tuple[str, str, Cell | None]]:
    """The cells (row, column, cell) a reading warning is about: the cell at the warning's place (an OCR cell);
    for a merged （六） total, the three sub-rows left blank; else the row's cells left blank (glued or missing
    digits), or all of the row's cells; () for a warning about a whole table."""
    table = report.table(w.table) if w.table else None
    if not w.row:
        return []
    rows = TABLE3_OTHER_SPLIT if w.code == "merged_total" and w.table == "table3" else (w.row,)
    out: list[tuple[str, str, Cell | None]] = []
    for row in rows:
        cells = table.rows.get(row, {}) if table is not None else {}
        if w.code == "ocr_uncertain" and w.source is not None and w.source.bbox is not None:   # about one OCR cell
            at = [(row, c, cell) for c, cell in cells.items() if cell.source is not None and cell.source == w.source]
            if len(at) == 1:
                return at
        cols = (expected_cells(table, report.format).get(row) if table is not None else None) \
            or table_columns(w.table, row) or tuple(cells)
        blank = [(row, c, cells.get(c)) for c in cols if cells.get(c) is None or cells[c].value is None
                 or cells[c].correction]
        out += blank or ([] if len(rows) > 1 else [(row, c, cells.get(c)) for c in cols])
    return out


def apply_corrections(report: Report, corrections: Sequence[Correction]) -> list[Correction]:
    """Put the corrections on the report (in place): the corrected cells carry the new value and their reading;
    a reading warning whose every unsure cell is corrected becomes CORRECTED_CODE. Returns those applied."""
    applied = []
    for c in corrections:
        if c.status != ACTIVE:
            continue
        table = report.table(c.table)
        if table is None:
            table = Table(c.table)
            setattr(report, c.table, table)
        row = table.rows.setdefault(c.row, {})
        old = row.get(c.column)
        first = (old.correction if old is not None and old.correction else
                 {"old_value": None if old is None else old.value, "old_raw": "" if old is None else old.raw})
        info = {"old_value": first["old_value"], "old_raw": first["old_raw"], "by": c.by, "at": c.at,
                "note": c.note}
        row[c.column] = Cell(c.new_value, shown(c.new_value), old.source if old is not None else None,
                             old.confidence if old is not None else None, info)
        applied.append(c)
    for i, w in enumerate(report.warnings):
        if w.code not in READING_CODES or not w.row:
            continue
        about = warning_cells(report, w)
        if about and all(cell is not None and cell.correction for _, _, cell in about):
            report.warnings[i] = replace(w, code=CORRECTED_CODE, message=f"（已人工校正）{w.message}")
    return applied


# -- the table -----------------------------------------------------------------------------------------------
def _correction(r: tuple) -> Correction:
    return Correction(r[0], r[1], r[2], r[3], r[4], r[5], r[6], dbmod._decimal(r[7]), r[8] or "",
                      dbmod._decimal(r[9]), r[10], r[11], r[12], r[13])


@dataclass(frozen=True)
class CorrectionStore:
    path: "dbmod.Database"

    def for_report(self, sha256: str, status: str | None = ACTIVE) -> list[Correction]:
        sql, params = f"SELECT {COLUMNS} FROM corrections WHERE report_sha256 = ?", [sha256]
        if status:
            sql += " AND status = ?"
            params.append(status)
        with dbmod.reading(self.path) as db:
            return [_correction(r) for r in db.execute(sql + " ORDER BY at, table_name, row_key, col_key", params)]

    def to_reconfirm(self, agency: str | None, year: int | None, file: str | None = None) -> list[Correction]:
        """Corrections waiting to be entered again on the newer file of this agency-year (or, for a file whose unit
    or year was not read, of the same file name)."""
        with dbmod.reading(self.path) as db:
            rows = db.execute(f"SELECT {COLUMNS} FROM corrections WHERE status = ? AND "
                              "((agency = ? AND year = ?) OR (file = ? AND (agency IS NULL OR year IS NULL))) ORDER BY at",
                              (NEEDS_RECONFIRM, agency or "", int(year or 0), file or "")).fetchall()
        return [_correction(r) for r in rows]

    def all(self) -> list[Correction]:
        with dbmod.reading(self.path) as db:
            return [_correction(r) for r in db.execute(f"SELECT {COLUMNS} FROM corrections ORDER BY at")]


def write(tx, c: Correction) -> None:
    """Inside a transaction: store one correction (a second correction of the same cell of the same file replaces
    the first, keeping the first's original reading)."""
    tx.execute(f"INSERT INTO corrections ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (report_sha256, table_name, row_key, col_key) DO UPDATE SET new_value = excluded.new_value, "
               "by_user = excluded.by_user, at = excluded.at, note = excluded.note, status = excluded.status",
               (c.report_sha256, c.table, c.row, c.column, c.file, c.agency, c.year, c.old_value, c.old_raw,
                c.new_value, c.by, c.at, c.note, c.status))
    # the same cell corrected on an older file of this agency-year: re-confirmed now
    tx.execute("UPDATE corrections SET status = ? WHERE status = ? AND table_name = ? AND row_key = ? AND col_key = ? "
               "AND report_sha256 != ? AND ((agency = ? AND year = ?) OR (file = ? AND (agency IS NULL OR year IS NULL)))",
               (RECONFIRMED, NEEDS_RECONFIRM, c.table, c.row, c.column, c.report_sha256, c.agency or "",
                int(c.year or 0), c.file))


def mark_for_reconfirm(tx, sha256: str, agency: str | None, year: int | None, file: str) -> int:
    """Inside a transaction: another file (sha256) of this agency-year (or under this name) is now the one in
    use, so the active corrections of the older files are listed for re-confirmation, never applied to it."""
    cur = tx.execute("UPDATE corrections SET status = ? WHERE status = ? AND report_sha256 != ? AND "
                     "((agency = ? AND year = ?) OR (file = ? AND (agency IS NULL OR year IS NULL)))",
                     (NEEDS_RECONFIRM, ACTIVE, sha256, agency or "", int(year or 0), file))
    return cur.rowcount
