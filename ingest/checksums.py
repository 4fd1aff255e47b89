"""Checksums against OCR misreading: the tables' own identities decide which OCR cells are corroborated and
which must be checked against the original.

Only cells read from a page image (`Cell.confidence` is set) are judged here; a text layer is taken as printed.
The identities are those of `ingest/identities.py` (表三 T3-1, T3-2, T3-3; 表四 T4-1..3).
What is flagged (code `ocr_uncertain`, a reading warning — never an error against the report):
- a low-confidence cell in an identity that does not hold: the identity may be broken by our misreading.
  When exactly one single-digit change at one low-confidence cell makes every identity of the table hold,
  that reading is offered in the message (never applied);
- a low-confidence cell that no holding identity corroborates;
- an OCR cell whose text is not a number (or blank mark), or that holds ink OCR could not read.
A low-confidence cell whose every identity holds (with all its other cells read) is corroborated and not flagged.
An identity broken by confident cells only is the report's own: the validator reports it, not this module.

The safety net (`unread_cells`): in a table read from a page image, every row its format expects (2021/2019)
that is absent, or that holds a cell left null without a printed blank mark (“/”, “—”, “无”), is a reading
warning (`missing_cell`) unless a reading warning already names that row: a cell is either read or flagged.
"""
from __future__ import annotations

from itertools import product

from ingest.identities import Identity, table3_identities, table4_identities
from ingest.loaders.ocr import UNREAD_MARK
from ingest.report import READING_CODES, Cell, Table, Warning
from ingest.schema import (FORMAT_2019, TABLE2_2019_ROWS, TABLE2_ROWS, TABLE3_COLUMNS, TABLE3_OTHER_SPLIT,
                           TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_GROUPS, column_label, row_label)
from ingest.schema import BLANK_MARKS

# An OCR cell read below this is not trusted without a checksum. Measured with bench/ocr_threshold.py (2026-12-01):
# 13 scans (round-trip renders of 6 gold reports, the table pages of the 3 real shared PDFs; 150 and 200 dpi),
# 2,538 OCR cells, 3 wrong: confidences 0.000, 0.000 and 0.997 (“105” read as “5”, caught by 表三's sums).
# At 0.9: no wrong cell silent, 59 right cells flagged (all at 150 dpi, 2.3 % of cells); at 0.5: 32 flagged, at
# 0.95: 71, at 0.99: 130. No wrong cell was read between 0.5 and 0.99, so nothing measured argues for going
# lower than 0.9, and a sure misreading (0.997) is the checksums' to catch, not the threshold's.
LOW_CONFIDENCE = 0.9
TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四", "fees": "信息处理费表"}

Ref = tuple[str, str]        # (row, column) within one table


def identities(table: Table) -> list[Identity]:
    """The identities (ingest/identities.py) whose cells all lie in rows this table has."""
    if table.name == "table3":
        single_other = "other_processing" in table.rows and not any(r in table.rows for r in TABLE3_OTHER_SPLIT)
        return table3_identities(single_other, table.rows)
    if table.name == "table4":
        return [i for i in table4_identities() if all(r in table.rows for r, _ in i.cells())]
    return []


def _holds(values: dict[Ref, float | None], identity: Identity) -> bool | None:
    """True/False when every cell of the identity has a value, None when one is blank or unread."""
    return identity.holds(lambda r, c: values.get((r, c)))


def one_digit_changes(raw: str) -> list[int]:
    """Every integer that differs from `raw` (digits only) in exactly one digit."""
    if not raw.isdigit():
        return []
    out = []
    for i, d in product(range(len(raw)), "0123456789"):
        if d != raw[i] and not (i == 0 and d == "0" and len(raw) > 1):
            out.append(int(raw[:i] + d + raw[i + 1:]))
    return out


def _describe(name: str, table: str, row: str, col: str, cell: Cell) -> str:
    page = f"第{cell.source.page}页" if cell.source is not None and cell.source.page is not None else ""
    return f"{page}{TABLE_NAMES.get(table, name)}“{row_label(table, row)}”行“{column_label(table, row, col)}”列"


def ocr_warnings(tables: list[Table]) -> list[Warning]:
    """Reading warnings for the OCR cells of these tables that are neither certain nor corroborated."""
    out: list[Warning] = []
    for table in tables:
        if table is None:
            continue
        cells = {(r, c): cell for r, c, cell in table.cells()}
        ocr_cells = {ref: cell for ref, cell in cells.items() if cell.confidence is not None}
        if not ocr_cells:
            continue
        values = {ref: cell.value for ref, cell in cells.items()}
        ids = identities(table)
        status = [_holds(values, i) for i in ids]
        low = {ref for ref, cell in ocr_cells.items() if cell.confidence < LOW_CONFIDENCE and cell.value is not None}
        suggestion = _suggestion(values, ids, ocr_cells, low, status)
        for ref, cell in sorted(ocr_cells.items(), key=lambda kv: _order(kv[1])):
            where = _describe(table.name, table.name, *ref, cell)
            if cell.value is None and cell.raw == UNREAD_MARK:
                out.append(Warning("ocr_uncertain", f"{where}有字迹，但未能识别，请核对原件",
                                   table.name, ref[0], cell.source))
                continue
            if cell.value is None and cell.raw and not _blank_mark(cell.raw):
                out.append(Warning("ocr_uncertain", f"{where}识别为“{cell.raw}”，不是数字，未能读取，请核对原件",
                                   table.name, ref[0], cell.source))
                continue
            if ref not in low:
                continue
            mine = [s for i, s in zip(ids, status) if ref in i.cells()]
            if mine and all(s is True for s in mine):
                continue                      # every identity through this cell holds: corroborated
            reason = "与本表勾稽关系不符" if any(s is False for s in mine) else "没有可用于核对的勾稽关系"
            text = (f"{where}识别为 {cell.raw}，置信度 {cell.confidence:.2f}，{reason}，请核对原件")
            if suggestion is not None and suggestion[0] == ref:
                text += f"（若为 {suggestion[1]}，则本表各项勾稽关系均成立）"
            out.append(Warning("ocr_uncertain", text, table.name, ref[0], cell.source))
    return out


def _suggestion(values, ids, ocr_cells, low, status) -> tuple[Ref, int] | None:
    """The one single-digit change at one low-confidence cell that makes every identity hold, if exactly one
    does (and some identity does not hold as read)."""
    if not ids or False not in status:
        return None
    found = []
    for ref in low:
        raw = ocr_cells[ref].raw.replace(",", "").replace("，", "")
        for candidate in one_digit_changes(raw):
            trial = dict(values)
            trial[ref] = candidate
            if all(_holds(trial, i) is not False for i in ids):
                found.append((ref, candidate))
                if len(found) > 1:
                    return None
    return found[0] if found else None


def _blank_mark(raw: str) -> bool:
    return raw.strip() in BLANK_MARKS


def _order(cell: Cell):
    s = cell.source
    return (s.page or 0, s.bbox[1] if s and s.bbox else 0, s.bbox[0] if s and s.bbox else 0) if s else (0, 0, 0)


def expected_cells(table: Table, fmt: str | None) -> dict[str, tuple[str, ...]]:
    """Row → columns that a table of this format has (表三 with the one （六）其他处理 row when it was read
    that way, or in the 2019 format)."""
    if table.name == "table2":
        rows = TABLE2_2019_ROWS if fmt == FORMAT_2019 else TABLE2_ROWS
        return {row: cols for row, (_, cols) in rows.items()}
    if table.name == "table3":
        single = fmt == FORMAT_2019 or ("other_processing" in table.rows
                                        and not any(r in table.rows for r in TABLE3_OTHER_SPLIT))
        skip = set(TABLE3_OTHER_SPLIT) if single else {"other_processing"}
        return {row: TABLE3_COLUMNS for row in TABLE3_ROWS if row not in skip}
    if table.name == "table4":
        return {row: TABLE4_COLUMNS for row in TABLE4_GROUPS}
    return {}


def unread_cells(tables: list[Table | None], fmt: str | None, warnings: list[Warning]) -> list[Warning]:
    """The safety net of tables read from page images: a row of the format that is absent, or has a cell
    left null without a printed blank mark, and that no reading warning names yet, is a `missing_cell`
    reading warning (we could not read it; never a claim that the report lacks it)."""
    out: list[Warning] = []
    named = {(w.table, w.row) for w in warnings if w.code in READING_CODES}
    for table in tables:
        if table is None or not any(cell.confidence is not None for _, _, cell in table.cells()):
            continue
        name = TABLE_NAMES.get(table.name, table.name)
        page = next((cell.source.page for _, _, cell in table.cells()
                     if cell.source is not None and cell.source.page is not None), None)
        where = f"第{page}页{name}" if page else name
        for row, cols in expected_cells(table, fmt).items():
            if (table.name, row) in named:
                continue
            cells = table.rows.get(row)
            label = row_label(table.name, row)
            if cells is None:
                out.append(Warning("missing_cell", f"未能读取{where}“{label}”一行：扫描页上没有识别出该行，请核对原件",
                                   table.name, row, None))
                continue
            empty = [c for c in cols if cells.get(c) is None or (cells[c].value is None and not cells[c].raw.strip())]
            if empty:
                columns = "、".join(f"“{column_label(table.name, row, c)}”" for c in empty)
                source = next((cells[c].source for c in empty if cells.get(c) is not None), None)
                out.append(Warning("missing_cell", f"未能读取{where}“{label}”行{columns}列的数字：扫描页上该处没有"
                                                   "识别出数字，请核对原件", table.name, row, source))
    return out
