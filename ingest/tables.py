"""Raw rows of a Document → the standard tables 表二, 表三, 表四, matched by label and order.

All loaders' output is flattened into one stream of `Row`s (label cells, then value cells), split into
the regions of sections 二/三/四. Each row is matched to a standard row by its label (typos and wrapped
labels tolerated); a row whose label was lost is placed only when the rows around it leave exactly one
slot. A row with a cell too many or too few keeps what the report says and records a warning: values are
never shifted into another column, and a blank never becomes 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations

import dataclasses
from typing import Callable

from ingest.document import Document, Paragraph, RawTable, Source, TextCell, typed_cells
from ingest.glued import count_splits, parse_number, splits
from ingest.glued_evidence import ROW_WORDS, by_text, stated_columns
from ingest.identities import table3_identities
from ingest.labels import core, similarity, squash
from ingest.text import ORDINAL_PREFIX, top_section_number
from ingest.report import READING_CODES, Cell, Table, Warning
from ingest.schema import (BLANK_MARKS, FORMAT_2019, FORMAT_2021, TABLE2_2019_ROWS, TABLE2_COLUMN_LABELS, TABLE2_ROWS,
                           FEES_COLUMNS, FEES_ROW, TABLE3_COLUMN_LABELS, TABLE3_COLUMNS, TABLE3_OTHER_SPLIT, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_GROUPS,
                           column_label, row_label)

NUMBER = re.compile(r"^[+\-]?\d[\d,，]*(?:\.\d+)?$")
# a row typed as text: its label, then its numbers after a space, or glued to a label that ends in a word
# (“规章2 0 34”; not after 年/月/日/第…, where a number belongs to the words)
_INLINE_VALUES = re.compile(r"^(?P<label>[^。；！？]{1,80}?(?:[\u4e00-\u9fff）)”](?=\s)|[\u4e00-\u9fff）)”](?<![年月日号第共约近达至和及或]))"
                            r")\s*(?P<nums>(?:(?:[+\-]?\d[\d,]*(?:\.\d+)?|[/／—－]{1,2}(?=\s|$))\s*){1,15})$")
MATCH_THRESHOLD = 0.72


@dataclass
class Row:
    labels: list[TextCell]
    values: list[TextCell]
    index: int
    from_table: bool

    @property
    def label(self) -> str:
        return "".join(c.text for c in self.labels)

    @property
    def last_label(self) -> str:
        return self.labels[-1].text if self.labels else ""

    def filled(self) -> int:
        return sum(1 for v in self.values if not is_blank(v.text))


@dataclass
class TablesRead:
    table2: Table | None
    table3: Table | None
    table4: Table | None
    table2_format: str | None          # "2021" | "2019" | None when 表二 is missing
    table3_single_other: bool
    warnings: list[Warning] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)
    """For each table not read: what table-like content its region holds (a snippet), or "" when none."""
    fees: Table | None = None


def is_blank(text: str) -> bool:
    return squash(text) in BLANK_MARKS


def is_value(text: str) -> bool:
    t = squash(text)
    return t in BLANK_MARKS or bool(NUMBER.match(t))


_NUMBERISH = re.compile(r"^[+\-\d.,，/]*\d[+\-\d.,，/]*$")


def is_numberish(text: str) -> bool:
    """Digits and number marks that do not make one number (“1215-15799”, “12.3.4”): cell text where a number
    should be, which we could not read; never a label."""
    t = squash(text)
    return bool(_NUMBERISH.match(t)) and not is_value(t)


def parse_value(text: str) -> int | float | None:
    t = squash(text).replace("，", "").replace(",", "")
    if t in BLANK_MARKS or not NUMBER.match(t):
        return None
    return float(t) if "." in t else int(t)


# -- the row stream -----------------------------------------------------------------------------------
# Text and web pages print a table row as a line of numbers that may be glued (“一、本年新收… 713000074”);
# a PDF line keeps the gaps between its numbers, so its numbers are never cut apart.
GLUED_KINDS = ("text", "html")


def rows_of(document: Document) -> list[Row]:
    """Every table row and every paragraph of the document as a Row, in reading order."""
    rows: list[Row] = []
    glue = document.kind in GLUED_KINDS
    for block in document.blocks:
        if isinstance(block, RawTable):
            for cells in _untransposed(block.rows):
                rows.append(_split_row(cells, len(rows), True))
        elif isinstance(block, Paragraph):
            rows.append(_paragraph_row(block, len(rows), glue))
    return _merge_detached_values(rows)


def _split_row(cells: list[TextCell], index: int, from_table: bool) -> Row:
    # A merged cell is one cell, wherever it spans; but a value cell merged down over sub-rows (Word-pasted
    # （六）其他处理) is kept in each sub-row as a copy marked `merged`, so the reader can tell 0 from a total.
    cells = [TextCell(c.merged, c.source, spanned=True, merged=c.merged) if c.spanned and c.merged is not None
             and c.merged.strip() and is_value(c.merged) else c
             for c in cells if not c.spanned or (c.merged is not None and c.merged.strip() and is_value(c.merged))]
    # an OCR cell holding ink nothing could read (confidence 0) stands where a number is: a value, never a label
    last_label = max((i for i, c in enumerate(cells) if not is_value(c.text) and not is_numberish(c.text)
                      and c.confidence != 0.0), default=-1)
    labels = [c for c in cells[:last_label + 1] if c.text.strip()]
    return Row(labels, list(cells[last_label + 1:]), index, from_table)


TRANSPOSED_MIN_LABELS = 10     # row labels of 表三 in one line before a table is taken as printed column by column


def _untransposed(grid: list[list[TextCell]]) -> list[list[TextCell]]:
    """表三 printed column by column (text saved from a page read down its columns): one line of the row
    labels, then one line per applicant column holding that column's numbers (optionally after its name).
    Turned back into one row per label when every column line has exactly one number per label; else as is."""
    for i, cells in enumerate(grid):
        labels = [c for c in cells if c.text.strip()]
        if len(labels) < TRANSPOSED_MIN_LABELS or any(is_value(c.text) for c in labels):
            continue
        if sum(1 for c in labels if max(table3_scores([c.text]).values()) >= 0.9) < 0.8 * len(labels):
            continue
        columns = []
        for line in grid[i + 1:i + 1 + len(TABLE3_COLUMNS)]:
            vals = line[1:] if line and not is_value(line[0].text) else line
            if len(vals) != len(labels) or not all(is_value(v.text) for v in vals):
                break
            columns.append(vals)
        if len(columns) != len(TABLE3_COLUMNS):
            return grid
        rows = [[label] + [col[j] for col in columns] for j, label in enumerate(labels)]
        return grid[:i] + rows + grid[i + 1 + len(columns):]
    return grid


def _paragraph_row(p: Paragraph, index: int, glue: bool = False) -> Row:
    """A paragraph as a row: cells typed with tabs or pipes; or a label followed by numbers (`glue`: numbers
    that may be several cells printed together, cut apart later by the table's arithmetic)."""
    cells = typed_cells(p.text)      # a row typed with tabs or pipes (or laid out with gaps in a PDF)
    if cells is not None:
        return _split_row([TextCell(c, p.source) for c in cells], index, False)
    text = p.text.strip()
    m = _INLINE_VALUES.match(text)
    if m:
        nums = m.group("nums").split()
        # a blank mark (“/”) among the numbers: the page printed its cells apart, none is glued
        apart = any(is_blank(n) for n in nums)
        return Row([TextCell(m.group("label"), p.source)],
                   [TextCell(n, p.source, glued=glue and not apart) for n in nums], index, False)
    if is_value(text) and text:
        return Row([], [TextCell(n, p.source, glued=glue) for n in text.split()] if glue else [TextCell(text, p.source)],
                   index, False)
    return Row([TextCell(text, p.source)], [], index, False)


def _merge_detached_values(rows: list[Row]) -> list[Row]:
    """A label row with no values followed by value-only rows (one number per line, or a row cut by a
    page break) becomes one row."""
    out: list[Row] = []
    for row in rows:
        prev = out[-1] if out else None
        if (prev is not None and not row.labels and row.values and prev.labels
                and (not prev.values or (prev.values and not prev.from_table and not row.from_table
                                         and len(row.values) == 1 and len(prev.values) < 15))
                and len(prev.label) <= 80):
            out[-1] = Row(prev.labels, prev.values + row.values, prev.index, prev.from_table or row.from_table)
        else:
            out.append(row)
    return out


# -- regions ------------------------------------------------------------------------------------------


def find_regions(rows: list[Row]) -> dict[str, tuple[int, int]]:
    """Row ranges [start, end) of 表二, 表三 and 表四, from the section headings, else from anchor labels."""
    at: dict[str, int] = {}
    for i, r in enumerate(rows):
        if r.values or len(r.labels) != 1:
            continue
        t = squash(r.labels[0].text).lstrip("#")
        n = top_section_number(t) if len(t) <= 40 else None
        if n and n >= 2 and f"s{n}" not in at:
            at[f"s{n}"] = i
    n = len(rows)
    # anchors when a heading is missing
    if "s3" not in at:
        i = _first(rows, lambda r: "勾稽" in r.label or core(r.last_label).startswith("本年新收"))
        if i is not None:
            at["s3"] = i
    if "s2" not in at:
        i = _first(rows, lambda r: "第二十条" in squash(r.label) or core(r.last_label) in ("规章", "行政规范性文件"))
        if i is not None and i < at.get("s3", n):
            at["s2"] = i
    if "s4" not in at and "s3" in at:
        i = _first(rows[at["s3"]:], lambda r: "结转下年度" in r.label)
        if i is not None:
            at["s4"] = at["s3"] + i + 1
    order = sorted(at.items(), key=lambda kv: kv[1])
    ends = {k: (order[j + 1][1] if j + 1 < len(order) else n) for j, (k, _) in enumerate(order)}
    regions = {}
    for key, table in (("s2", "table2"), ("s3", "table3"), ("s4", "table4"), ("s6", "fees")):
        if key in at:
            regions[table] = (at[key], ends[key])
    return regions


def _first(rows, test):
    return next((i for i, r in enumerate(rows) if test(r)), None)


# -- fitting values to columns ------------------------------------------------------------------------
def column_centres(rows: list[Row], ncols: int) -> list[float] | None:
    """Where each column sits on the page (x-centre), learnt from rows that print all `ncols` numbers with
    their boxes (PDF). None unless at least two such rows exist and every one of them lines up."""
    xs: list[list[float]] = []
    for r in rows:
        vals = [v for v in r.values if v.text.strip()]
        if len(vals) == ncols and all(v.source.bbox for v in vals):
            xs.append([(v.source.bbox[0] + v.source.bbox[2]) / 2 for v in vals])
    if len(xs) < 2:
        return None
    centres = [sorted(col)[len(col) // 2] for col in zip(*xs)]
    if not all(b > a for a, b in zip(centres, centres[1:])):
        return None
    gap = min(b - a for a, b in zip(centres, centres[1:]))
    if any(abs(x - c) > 0.15 * gap for row in xs for x, c in zip(row, centres)):
        return None        # the complete rows do not line up (text typed with tab stops): position means nothing
    return centres


def place_by_position(vals: list[TextCell], centres: list[float]) -> list[TextCell | None] | None:
    """Numbers of a row printed without its blank cells, put in the columns they stand under; None unless
    every number is clearly under one column and no two share one."""
    half_gap = min(b - a for a, b in zip(centres, centres[1:])) / 2
    placed: list[TextCell | None] = [None] * len(centres)
    for v in vals:
        if not v.source.bbox:
            return None
        x = (v.source.bbox[0] + v.source.bbox[2]) / 2
        j = min(range(len(centres)), key=lambda k: abs(centres[k] - x))
        if abs(centres[j] - x) > 0.6 * half_gap or placed[j] is not None:
            return None
        placed[j] = v
    return placed


def fit_values(row: Row, ncols: int, *, total_last: bool, table: str, key: str,
               warnings: list[Warning], centres: list[float] | None = None) -> list[TextCell | None]:
    """The row's value cells placed in `ncols` columns, or None where nothing can be placed safely."""
    vals = _trim(row.values, ncols, typed_grid=_typed_grid(row))
    src = (vals or row.labels or [TextCell("")])[0].source
    if len(vals) == ncols:
        return vals
    if len(vals) > ncols:
        filled = [v for v in vals if v.text.strip()]
        raw = " ".join(v.text for v in vals)
        if ncols == 1 and _typed_grid(row) and len({squash(v.text) for v in filled}) == 1:
            return filled[:1]       # one merged cell whose text a Markdown converter repeated in each position
        if len(filled) == ncols:
            warnings.append(Warning("extra_cell", f"{row.label}：有空白单元格多出，按数字顺序读取（原文：{raw}）",
                                    table, key, src))
            return filled
        if total_last and len(filled) > ncols:
            choices = {}
            for drop in combinations(range(len(filled)), len(filled) - ncols):
                kept = [c for i, c in enumerate(filled) if i not in drop]
                nums = [parse_value(c.text) for c in kept]
                if None not in nums and sum(nums[:-1]) == nums[-1]:
                    choices[tuple(nums)] = kept
            if len(choices) == 1:
                kept = next(iter(choices.values()))
                warnings.append(Warning("extra_cell",
                                        f"{row.label}：原文有{len(filled)}个数字（{raw}），应为{ncols}个；"
                                        f"多出的数字已舍去，读作“{' '.join(c.text for c in kept)}”（各列之和等于总计）",
                                        table, key, src))
                return kept
        warnings.append(Warning("extra_cell", f"{row.label}：原文有{len(vals)}个单元格（{raw}），应为{ncols}个，"
                                              "无法确定各列位置，本行未读取", table, key, src))
        return [None] * ncols
    # too few cells
    raw = " ".join(v.text for v in vals)
    filled = [v for v in vals if v.text.strip()]
    by_position = place_by_position(filled, centres) if centres and len(centres) == ncols and filled else None
    if by_position is not None:
        blanks = "、".join(str(j + 1) for j, v in enumerate(by_position) if v is None)
        warnings.append(Warning("placed_by_position", f"{row.label}：只印了{len(filled)}个数字（{raw}），按其在页面上"
                                                      f"所处的列读取；第{blanks}列为空白", table, key, src))
        return by_position
    if ncols == 3 and len(vals) == 2:
        warnings.append(Warning("missing_cell", f"{row.label}：只有2个数字（{raw}），应为3个；"
                                                "按首列和末列读取，中间一列记为空", table, key, src))
        return [vals[0], None, vals[1]]
    warnings.append(Warning("missing_cell", f"{row.label}：只有{len(vals)}个单元格（{raw}），应为{ncols}个，"
                                            "无法确定各列位置，本行未读取", table, key, src))
    return [None] * ncols


def _cells(placed: list[TextCell | None], cols: tuple[str, ...]) -> dict[str, Cell]:
    out = {}
    for col, tc in zip(cols, placed):
        if tc is None:
            out[col] = Cell(None, "", None)
        else:
            out[col] = Cell(parse_value(tc.text), tc.text.strip(), tc.source, tc.confidence)
    return out


def _unreadable_cells(table: Table, warnings: list[Warning]) -> None:
    """Safety net: a cell that prints something where its number should be, and that we could not read as a
    number, is a reading warning on its row (unless the row already has one), never a silent blank."""
    warned = {w.row for w in warnings if w.table == table.name and w.code in READING_CODES}
    for row, cols in table.rows.items():
        bad = [(c, cell) for c, cell in cols.items()
               if cell.value is None and cell.raw and not is_blank(cell.raw) and cell.confidence != 0.0]
        if bad and row not in warned:
            names = "、".join(f"{column_label(table.name, row, c)}（原文“{cell.raw}”）" for c, cell in bad)
            warnings.append(Warning("missing_cell", f"未能读取{TABLE_NAMES[table.name]}“{row_label(table.name, row)}”"
                                                    f"的{names}：不是可以读取的数字，请核对原件", table.name, row,
                                    bad[0][1].source))


def _blank_warnings(table: Table, warnings: list[Warning]) -> None:
    for row, cols in table.rows.items():
        blanks = [c for c, cell in cols.items() if cell.value is None and cell.confidence != 0.0]  # unread: ocr_uncertain
        if blanks:
            first = next((cell.source for cell in cols.values() if cell.source), None)
            raws = {cell.raw for c, cell in cols.items() if c in blanks}
            shown = "、".join(sorted(r for r in raws if r)) or "空白"
            names = "、".join(column_label(table.name, row, c) for c in blanks)
            warnings.append(Warning("blank_cell", f"{TABLE_NAMES[table.name]}“{row_label(table.name, row)}”有{len(blanks)}个单元格为{shown}"
                                                  f"（{names}）：未填数字，不按0计", table.name, row, first))


TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四", "fees": "信息处理费表"}


# -- glued digits (crawler text) ----------------------------------------------------------------------
JOINT_SOLUTIONS_LIMIT = 1000      # readings of a whole 表三 kept while deciding; past this, undecided rows stay blank


def is_glued(row: Row) -> bool:
    return any(v.glued for v in row.values)


def _sum_group(width: int) -> int:
    """Cells per sum group of a row: 表三 six applicant columns + 总计 (7); 表四 four results + 总计 (5)."""
    return 7 if width == 7 else 5


def glued_readings(row: Row, width: int, group: int | None) -> tuple[list[tuple[str, ...]], int]:
    """The readings of a glued row as `width` cells whose sum groups add up (`group` cells each; None: no
    check), and how many readings there were before the check (-1: too many to try). A single reading is kept even if it fails the check:
    the digits allow nothing else, so the report's own arithmetic error stays visible."""
    groups = [v.text.strip() for v in row.values if v.text.strip()]
    n = count_splits(groups, width)
    if n <= 1 or group is None:
        every = splits(groups, width)
        return (every or [], n) if every is not None else ([], -1)
    kept = splits(groups, width, group)
    return (kept, n) if kept is not None else ([], -1)


def glued_cells(row: Row, reading: tuple[str, ...]) -> list[TextCell]:
    """The cells of one reading, each with the source of the digits it was read from."""
    out: list[TextCell] = []
    groups = [v for v in row.values if v.text.strip()]
    gi, pos = 0, 0
    for part in reading:
        g = groups[gi]
        src = g.source
        if src.offset is not None:
            src = dataclasses.replace(src, offset=src.offset + pos)
        out.append(TextCell(part, src, glued=True))
        pos += len(part)
        if pos >= len(g.text.strip()):
            gi, pos = gi + 1, 0
    return out


def agreed_cells(row: Row, readings: list[tuple[str, ...]]) -> list[TextCell | None]:
    """The cells every reading agrees on (the others blank): a cell is read only when it is certain."""
    cells = glued_cells(row, readings[0])
    return [c if all(r[j] == readings[0][j] for r in readings) else None for j, c in enumerate(cells)]


def _run(row: Row) -> str:
    return " ".join(v.text.strip() for v in row.values if v.text.strip())


GLUED_GROUPS_PER_CELL = 2     # a run printed in more groups than half its cells is cells printed apart, one lost


def _row_width(table: str) -> int:
    return {"table3": len(TABLE3_COLUMNS), "table4": 15}.get(table, 3)


def _glued_warning(row: Row, table: str, key: str | None, n: int, reason: str, warnings: list[Warning],
                   kept: list[TextCell | None] | None = None, checked: bool = False) -> None:
    """A glued row we could not settle. `checked`: no reading satisfied the row's own sum check; when the digits
    do fit the row (several readings by the column count), that is certain evidence the row is inconsistent,
    whatever its true reading: the report's error (`glued_unbalanced`), not our reading failure."""
    groups = [v.text.strip() for v in row.values if v.text.strip()]
    width = len(kept) if kept else None
    # truly glued (the run in few groups, not cells printed apart with one lost) and fitting the row many ways
    glued_run = len(groups) * GLUED_GROUPS_PER_CELL <= (width or _row_width(table))
    if checked and n >= 2 and glued_run and not (kept and any(c is not None for c in kept)):
        label = row.last_label.strip()[-30:] if table != "table4" else "表四"
        warnings.append(Warning("glued_unbalanced", f"{TABLE_NAMES[table]}“{label}”一行原文数字连写为“{_run(row)}”，"
                                                    f"按列数有{n}种拆分，{reason}：无论怎样拆分，该行都不平衡，本行留空",
                                table, key, (row.values or row.labels)[0].source))
        return
    what = "无法拆分" if n == -1 else (f"可拆分为{n}种读法" if n > 1 else "无法按列数拆分")
    if kept and any(c is not None for c in kept):
        left = "、".join(str(j + 1) for j, c in enumerate(kept) if c is None)
        outcome = f"各种读法一致的数字已读取，第{left}个数字无法确定，留空"
    else:
        outcome = "本行留空"
    label = row.last_label.strip()[-30:] if table != "table4" else "表四"
    warnings.append(Warning("glued_ambiguous", f"未能读取{TABLE_NAMES[table]}“{label}”一行：原文数字连写为"
                                               f"“{_run(row)}”，{what}，{reason}，{outcome}，请核对原件",
                            table, key, (row.values or row.labels)[0].source))


def _decoded_note(row: Row, table: str, key: str, reading: tuple[str, ...], how: str, warnings: list[Warning]) -> None:
    warnings.append(Warning("glued_decoded", f"{TABLE_NAMES[table]}“{row.last_label.strip()[-30:]}”原文数字连写为“{_run(row)}”，"
                                             f"{how}，读作“{' '.join(reading)}”", table, key, row.values[0].source))


def solve_table3(options: dict[str, list[tuple[str, ...]]], fixed: dict[str, list], single_other: bool
                 ) -> tuple[dict[str, tuple[str, ...]], dict[str, list[tuple[str, ...]]]]:
    """Choose among the readings of ambiguous glued 表三 rows with the column identities (T3-1, T3-2): a row's
    reading is chosen only when every combination of readings that satisfies them agrees on it; for the other
    rows, the readings still possible. When no combination satisfies them (the report's own arithmetic is
    wrong), nothing is chosen and nothing narrowed: ({}, {})."""
    keys = sorted(options, key=lambda k: len(options[k]))
    values: dict[str, list] = {k: list(v) for k, v in fixed.items()}
    present = set(fixed) | set(options)
    identities = [i for i in table3_identities(single_other, present) if i.rule != "T3-3"]
    watch = {k: [i for i in identities if any(r == k for r, _ in i.cells())] for k in keys}
    col = {c: n for n, c in enumerate(("natural_person", "commercial", "research", "social_welfare",
                                       "legal_service", "other_org", "total"))}

    def value(r: str, c: str):
        v = values.get(r)
        return None if v is None else v[col[c]]

    solutions: list[dict[str, tuple[str, ...]]] = []
    chosen: dict[str, tuple[str, ...]] = {}

    def walk(i: int) -> bool:
        if i == len(keys):
            solutions.append(dict(chosen))
            return len(solutions) < JOINT_SOLUTIONS_LIMIT
        k = keys[i]
        for reading in options[k]:
            values[k] = [parse_number(x) for x in reading]
            chosen[k] = reading
            if all(ident.holds(value) is not False for ident in watch[k]
                   if all(r in values or r not in present for r, _ in ident.cells())):
                if not walk(i + 1):
                    return False
            del values[k]
            del chosen[k]
        return True

    complete = walk(0)
    if not solutions or not complete:
        return {}, {}
    chosen = {k: solutions[0][k] for k in keys if all(s[k] == solutions[0][k] for s in solutions)}
    seen = {k: sorted({s[k] for s in solutions}) for k in keys if k not in chosen}
    return chosen, seen


# -- 表二 ---------------------------------------------------------------------------------------------
_T2_2019_MARKS = ("新制作", "新公开", "对外公开总数", "第二十条第（九）项", "政府集中采购", "上一年项目数量", "采购项目数量")


def read_table2(rows: list[Row], warnings: list[Warning], prose: str = "") -> tuple[Table | None, str | None]:
    text = "".join(squash(r.label) for r in rows)
    fmt = FORMAT_2019 if any(m in text for m in _T2_2019_MARKS) else FORMAT_2021
    spec = TABLE2_2019_ROWS if fmt == FORMAT_2019 else TABLE2_ROWS
    table = Table("table2")
    for r in rows:
        if not r.values or not r.labels:
            continue
        label = core(r.last_label)
        key = _table2_key(label, spec)
        if key is None or key in table.rows:
            continue
        cols = spec[key][1]
        if is_glued(r):
            placed = _glued_table2_row(r, key, cols, prose, warnings)
        else:
            placed = fit_values(r, len(cols), total_last=False, table="table2", key=key, warnings=warnings)
        table.rows[key] = _cells(placed, cols)
    if not table.rows:
        return None, None
    if fmt == FORMAT_2021:
        _header_typos(rows, warnings)
    return table, fmt


TEXT_EVIDENCE_MIN = 2      # numbers of a 表二 row the report's own text must state to settle a glued reading
_T2_WORDS = {"regulations": ("规章",), "normative_documents": ("规范性文件",)}


def _glued_table2_row(row: Row, key: str, cols: tuple[str, ...], prose: str,
                      warnings: list[Warning]) -> list[TextCell | None]:
    """A glued 表二 row. 表二 has no arithmetic of its own, so a run with several readings is settled only
    when the report's text states the numbers of exactly one of them (“现行有效行政规范性文件698件……制发88件”)."""
    readings, n = glued_readings(row, len(cols), None)
    if len(readings) == 1:
        return glued_cells(row, readings[0])
    if len(readings) > 1 and key in ROW_WORDS:
        # the text states a figure with its column's word (“本年制发规范性文件5件”): the readings it allows
        settled = by_text(readings, cols, stated_columns(prose, key))
        if settled is not None:
            _decoded_note(row, "table2", key, settled.reading, settled.how, warnings)
            return glued_cells(row, settled.reading)
    if len(readings) > 1:
        stated = _stated_numbers(prose, _T2_WORDS.get(key, (core(row.last_label),)))
        scores = [sum(1 for x in r if x in stated and x != "0") for r in readings]
        best = max(scores)
        if best >= TEXT_EVIDENCE_MIN and scores.count(best) == 1:
            reading = readings[scores.index(best)]
            _decoded_note(row, "table2", key, reading, "与正文所述数字相符的拆分只有一种", warnings)
            return glued_cells(row, reading)
    kept = agreed_cells(row, readings) if readings else [None] * len(cols)
    _glued_warning(row, "table2", key, n if not readings else len(readings), "表二没有可用的勾稽关系", warnings,
                   kept=kept)
    return kept


def _stated_numbers(prose: str, words: tuple[str, ...]) -> set[str]:
    """Numbers the text states in sentences about one 表二 row (“现行有效行政规范性文件698件”)."""
    out: set[str] = set()
    for sentence in re.split(r"[。；;！？\n]", prose):
        if any(w in sentence for w in words):
            out.update(re.findall(r"(?<![\d.])(\d+)(?=\s*件)", sentence))
    return out


def _table2_key(label: str, spec) -> str | None:
    if len(label) > 16:
        return None
    best, score = None, 0.0
    for key, (canonical, _) in spec.items():
        s = 1.0 if label == canonical else similarity(label, canonical)
        if key == "normative_documents" and label in ("行政规范性文件", "规范性文件", "其他规范性文件"):
            s = 1.0
        if s > score:
            best, score = key, s
    return best if score >= 0.8 else None


def _header_typos(rows: list[Row], warnings: list[Warning]) -> None:
    canon = [v for v in TABLE2_COLUMN_LABELS.values()]
    for r in rows:
        for c in r.labels:
            t = core(c.text)
            if not t.endswith(("件数", "数量")) or any(x in t for x in canon):
                continue
            best = max(canon, key=lambda x: similarity(t, x))
            if similarity(t, best) >= 0.75:
                warnings.append(Warning("label_typo", f"表二列名“{c.text}”与标准列名“{best}”不一致（按“{best}”读取）",
                                        "table2", None, c.source))


# -- 表三 ---------------------------------------------------------------------------------------------
_T3_ORDER = list(TABLE3_ROWS)
_T3_EXTRA = {   # distinctive words of each row, for wrapped or partial labels
    "new_received": ("本年新收",), "carried_over": ("上年结转",), "granted": ("予以公开",),
    "partially_granted": ("部分公开",), "denied_state_secret": ("国家秘密",),
    "denied_prohibited_by_law": ("法律行政法规禁止",), "denied_three_securities_one_stability": ("三安全一稳定",),
    "denied_third_party_rights": ("第三方合法权益",), "denied_internal_affairs": ("三类内部事务",),
    "denied_process_info": ("四类过程性",), "denied_enforcement_files": ("行政执法案卷",),
    "denied_admin_query": ("行政查询",), "unavailable_not_held": ("不掌握",),
    "unavailable_needs_creation": ("另行制作", "没有现成信息"), "unavailable_unclear": ("仍不明确",),
    "not_processed_complaint": ("信访举报",), "not_processed_repeated": ("重复申请",),
    "not_processed_publication": ("公开出版物",), "not_processed_excessive": ("大量反复",),
    "not_processed_confirmation": ("确认或重新出具",), "other_overdue_correction": ("逾期不补正",),
    "other_overdue_fee": ("收费通知", "缴纳费用"), "total_processed": ("总计",),
    "carried_forward": ("结转下年度",),
}


def table3_scores(label_cells: list[str]) -> dict[str, float]:
    """How well a row's labels match each 表三 row (the most specific, last label cell counts first)."""
    scores: dict[str, float] = {}
    candidates = [label_cells[-1]] if label_cells else []
    if len(label_cells) > 1:
        candidates.append("".join(label_cells))
    for n, text in enumerate(candidates):
        c = core(text)
        weight = 1.0 if n == 0 else 0.9
        for key in _T3_ORDER:
            canonical = TABLE3_ROWS[key]
            s = similarity(text, canonical)
            if key == "total_processed":
                s = 1.0 if c in ("总计", "合计") else 0.0
            if key == "other_other":
                s = 1.0 if c in ("其他",) else 0.0
            if key == "granted" and "不予" in c:
                s = 0.0
            for word in _T3_EXTRA.get(key, ()):
                if word in c and len(c) <= len(core(canonical)) + 12:
                    s = max(s, 0.9)
            scores[key] = max(scores.get(key, 0.0), s * weight)
    return scores


def complete_wrapped(rows: list[Row], width: int) -> list[Row]:
    """A row whose last numbers wrapped onto the next line(s) (“…部分公开 0 0 0 0 0” / “0 0”) is one row, when
    the unlabelled lines after it bring it to exactly `width` values."""
    def filled_part(values: list[TextCell]) -> list[TextCell]:      # without trailing blank cells
        end = len(values)
        while end and not values[end - 1].text.strip():
            end -= 1
        return values[:end]

    out: list[Row] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        n = len(filled_part(row.values))
        j = i + 1
        if 0 < n < width:
            total, k = n, i + 1
            while (k < len(rows) and not rows[k].labels and filled_part(rows[k].values)
                   and total + len(filled_part(rows[k].values)) <= width):
                total += len(filled_part(rows[k].values))
                k += 1
            if total == width and k > i + 1:
                values = [v for r in rows[i:k] for v in filled_part(r.values)]
                row = Row(row.labels, values, row.index, row.from_table)
                j = k
        out.append(row)
        i = j
    return out


def join_cut_labels(rows: list[Row]) -> list[Row]:
    """A table row cut by a page break with its label's last words on the next page, as a row of their own
    with blank cells (“1.申请人无正当理由……不再处理其政府” / “信息公开申请”): the words go back to the label
    they complete (when they name no 表三 row themselves and make the label above match its row better)."""
    out: list[Row] = []
    for r in rows:
        prev = out[-1] if out else None
        if (prev is not None and prev.labels and prev.filled() and r.labels and not r.filled() and r.from_table
                and max(table3_scores([r.last_label]).values(), default=0) < 0.9):
            alone = table3_scores([prev.last_label])
            key = max(alone, key=alone.get)
            joined = prev.last_label + r.last_label
            after = table3_scores([joined])
            if after.get(key, 0) > alone[key] and max(after, key=after.get) == key:
                out[-1] = Row(prev.labels[:-1] + [TextCell(joined, prev.labels[-1].source)], prev.values,
                              prev.index, prev.from_table)
                continue
        out.append(r)
    return out


def _continuation(lines: list[str], most: int = 2) -> str:
    """The label lines that may continue the row above: up to `most`, stopping at one that starts a label of
    its own (“2.”, “（六）”)."""
    out = []
    for line in lines[:most]:
        if ORDINAL_PREFIX.match(line.strip()):
            break
        out.append(line)
    return "".join(out)


def read_table3(rows: list[Row], warnings: list[Warning]) -> tuple[Table | None, bool]:
    rows = join_cut_labels(complete_wrapped(rows, len(TABLE3_COLUMNS)))
    value_rows: list[Row] = []
    before: dict[int, str] = {}        # label text of the label-only rows just above a value row
    after: dict[int, str] = {}         # … and just below it (text laid out with the numbers on a label's first line)
    pending: list[str] = []
    for r in rows:
        printed_blank = r.from_table and r.labels and len(r.values) >= len(TABLE3_COLUMNS)   # a row left blank
        if (r.filled() >= 1 and (r.labels or len(r.values) >= 5)) or printed_blank:
            if value_rows:
                after[len(value_rows) - 1] = _continuation(pending)
            before[len(value_rows)] = "".join(pending[-3:])
            value_rows.append(r)
            pending = []
        elif r.labels and not r.values:
            pending.append(r.label)
    if value_rows:
        after[len(value_rows) - 1] = _continuation(pending)
    assigned: dict[int, str] = {}
    last = -1
    for i, r in enumerate(value_rows):
        if not r.labels:
            continue
        scores = table3_scores([c.text for c in r.labels])
        if max(scores.values(), default=0) < MATCH_THRESHOLD and before.get(i):
            scores = table3_scores([before[i] + r.label])     # a label wrapped onto lines of its own
        if max(scores.values(), default=0) < 0.999 and after.get(i):
            # a label whose last words wrapped onto the lines below its numbers (pdftotext -layout)
            longer = table3_scores([c.text for c in r.labels[:-1]] + [r.last_label + after[i]])
            if max(longer.values()) >= 0.9 and max(longer.values()) > max(scores.values(), default=0) + 0.05:
                scores = longer
        ranked = sorted((s, -_T3_ORDER.index(k), k) for k, s in scores.items() if s >= MATCH_THRESHOLD)
        ranked.reverse()
        if not ranked:
            continue
        top = ranked[0][0]
        ahead = [k for s, _, k in ranked if s >= top - 0.15 and _T3_ORDER.index(k) > last
                 and k not in assigned.values()]
        key = min(ahead, key=_T3_ORDER.index) if ahead else None
        if key is None:
            continue
        assigned[i] = key
        last = _T3_ORDER.index(key)
        if scores[key] < 0.999 and not any(w in core(r.last_label) for w in _T3_EXTRA.get(key, ("\0",))):
            warnings.append(Warning("label_typo", f"表三行名“{r.last_label}”与标准行名“{TABLE3_ROWS[key]}”不完全一致，按后者读取",
                                    "table3", key, r.labels[-1].source))
    if not assigned:
        return None, False
    for i, r in enumerate(value_rows):      # safety net: a row with numbers that we could not place
        if i not in assigned and r.labels and r.filled():
            scores = table3_scores([c.text for c in r.labels])
            key = max(scores, key=scores.get)
            if scores[key] >= MATCH_THRESHOLD:
                warnings.append(Warning("missing_cell", f"未能读取表三中“{r.last_label.strip()[:30]}”一行：无法确定它是"
                                                        f"表三的哪一行（最接近“{TABLE3_ROWS[key]}”），请核对原件",
                                        "table3", key, r.labels[-1].source))
    single_other = "other_processing" in assigned.values()
    _fill_unlabelled(value_rows, assigned, single_other, warnings)
    table = Table("table3")
    width = len(TABLE3_COLUMNS)
    centres = column_centres([value_rows[i] for i in assigned], width)
    decided: dict[int, list[TextCell | None]] = {}
    options: dict[str, list[tuple[str, ...]]] = {}
    for i in sorted(assigned):
        key, row = assigned[i], value_rows[i]
        if not is_glued(row):
            decided[i] = fit_values(row, width, total_last=True, table="table3", key=key, warnings=warnings,
                                    centres=centres)
            continue
        readings, n = glued_readings(row, width, _sum_group(width))
        if len(readings) == 1:
            decided[i] = glued_cells(row, readings[0])
            if n > 1:
                _decoded_note(row, "table3", key, readings[0], "按“各类申请人之和等于总计”只有一种拆分", warnings)
        elif readings:
            options[key] = readings
        else:
            _glued_warning(row, "table3", key, n, "没有一种拆分能使各类申请人之和等于总计", warnings, checked=True)
            decided[i] = [None] * width
    if options:
        fixed = {assigned[i]: [parse_value(c.text) if c is not None else None for c in cells]
                 for i, cells in decided.items()}
        chosen, seen = solve_table3(options, fixed, single_other)
        for i in sorted(assigned):
            key = assigned[i]
            if key not in options:
                continue
            if key in chosen:
                decided[i] = glued_cells(value_rows[i], chosen[key])
                _decoded_note(value_rows[i], "table3", key, chosen[key], "按表三的勾稽关系只有一种拆分", warnings)
            else:
                left = seen.get(key, options[key])
                decided[i] = agreed_cells(value_rows[i], left)
                _glued_warning(value_rows[i], "table3", key, len(left), "表三的勾稽关系也不能唯一确定", warnings,
                               kept=decided[i])
    for i in sorted(assigned):
        table.rows[assigned[i]] = _cells(decided[i], TABLE3_COLUMNS)
    _merged_totals(table, {assigned[i]: decided[i] for i in assigned}, warnings)
    _labels_without_values(rows, table, single_other, warnings)
    return table, single_other


def _labels_without_values(rows: list[Row], table: Table, single_other: bool, warnings: list[Warning]) -> None:
    """A 表三 row whose label is printed but whose numbers we could not find (a merged cell cut by a page
    break, a lost line): a reading warning on that row, so that nobody calls the row missing from the report."""
    expected = [k for k in TABLE3_ROWS if k not in table.rows and
                (k != "other_processing" if not single_other else k not in TABLE3_OTHER_SPLIT)]
    body = rows[next((i for i, r in enumerate(rows) if r.filled()), len(rows)):]     # below the header rows
    for key in expected:
        for r in body:
            if r.labels and not r.filled() and table3_scores([r.last_label]).get(key, 0) >= 0.9:
                best = max(table3_scores([r.last_label]).items(), key=lambda kv: kv[1])[0]
                if best == key:
                    warnings.append(Warning("missing_cell", f"未能读取表三“{TABLE3_ROWS[key]}”一行的数字：报告印有该行"
                                                            f"（“{r.last_label.strip()[:30]}”），但程序没有找到它的数字，请核对原件",
                                            "table3", key, r.labels[-1].source))
                    break


def _merged_totals(table: Table, placed: dict[str, list[TextCell | None]], warnings: list[Warning]) -> None:
    """Word-pasted tables print the three （六）其他处理 sub-rows with one value cell spanning all three. A 0
    there means each sub-row is 0. Any other number is the category's total: it is kept as （六）其他处理
    (`other_processing`), and the sub-rows are left blank with a warning — never split by guesswork."""
    sub = [k for k in TABLE3_OTHER_SPLIT if k in placed]
    if len(sub) < 2:
        return
    totals: dict[str, Cell] = {}
    for j, col in enumerate(TABLE3_COLUMNS):
        copies = [k for k in sub if placed[k][j] is not None and placed[k][j].merged is not None]
        if not copies:
            continue
        origin = next((k for k in sub if placed[k][j] is not None and placed[k][j].merged is None), None)
        value = parse_value(placed[copies[0]][j].merged)
        if value is None:
            continue
        totals[col] = Cell(value, placed[copies[0]][j].merged.strip(),
                           placed[origin][j].source if origin else placed[copies[0]][j].source)
        if value != 0:
            for k in sub:
                table.rows[k][col] = Cell(None, "", table.rows[k][col].source)
    if not any(cell.value for cell in totals.values()):
        return
    table.rows["other_processing"] = {c: totals.get(c, Cell(None, "", None)) for c in TABLE3_COLUMNS}
    shown = "、".join(f"{TABLE3_COLUMN_LABELS[c]} {cell.raw}" for c, cell in totals.items() if cell.value)
    first = next(iter(totals.values())).source
    warnings.append(Warning("merged_total", f"表三“（六）其他处理”三个子项共用一个合并单元格（{shown}），该数字是三项合计："
                                            "已按“（六）其他处理”合计读取，三个子项各自的数字无法确定，留空，请核对原件",
                            "table3", "other_processing", first))


def _fill_unlabelled(value_rows: list[Row], assigned: dict[int, str], single_other: bool,
                     warnings: list[Warning]) -> None:
    """Place rows whose label was lost (detached by a page break or a conversion) where exactly as many
    standard rows are missing between their labelled neighbours."""
    if single_other:
        order = [k for k in _T3_ORDER if k not in ("other_overdue_correction", "other_overdue_fee", "other_other")]
    else:
        order = [k for k in _T3_ORDER if k != "other_processing"]
    idx = sorted(assigned)
    bounds = [(-1, -1)] + [(i, order.index(assigned[i])) for i in idx if assigned[i] in order] + \
             [(len(value_rows), len(order))]
    for (i0, k0), (i1, k1) in zip(bounds, bounds[1:]):
        gap_rows = [i for i in range(i0 + 1, i1) if not value_rows[i].labels and len(value_rows[i].values) >= 7]
        gap_keys = order[k0 + 1:k1]
        if gap_rows and len(gap_rows) == len(gap_keys) and i0 >= 0 and i1 < len(value_rows):
            for i, key in zip(gap_rows, gap_keys):
                assigned[i] = key
                warnings.append(Warning("label_missing", f"表三有一行数字没有行名，按前后行的位置读作“{TABLE3_ROWS[key]}”",
                                        "table3", key, value_rows[i].values[0].source))


# -- 表四 ---------------------------------------------------------------------------------------------
def read_table4(rows: list[Row], warnings: list[Warning]) -> Table | None:
    groups = list(TABLE4_GROUPS)
    table = Table("table4")
    glued = [r for r in rows if r.values and is_glued(r)]
    if glued:
        return _read_glued_table4(glued, table, warnings)
    rows = complete_wrapped(rows, 15)
    candidates = [r for r in rows if len(r.values) >= 5 and r.filled() >= 1]
    full = [r for r in candidates if len(_trim(r.values, 15)) == 15]
    if full:
        vals = _trim(full[0].values, 15)
        for g, chunk in zip(groups, (vals[0:5], vals[5:10], vals[10:15])):
            table.rows[g] = _cells(chunk, TABLE4_COLUMNS)
        return table
    fives = [r for r in candidates if len(_trim(r.values, 5)) == 5]
    if len(fives) == 3:
        for g, r in zip(groups, fives):
            table.rows[g] = _cells(_trim(r.values, 5), TABLE4_COLUMNS)
        return table
    tens = [r for r in candidates if len(_trim(r.values, 10)) == 10]
    if len(fives) == 1 and len(tens) == 1 and fives[0].index < tens[0].index:
        # 行政复议 and 行政诉讼 printed as two tables (or two rows): 5 numbers, then 10
        vals = _trim(fives[0].values, 5) + _trim(tens[0].values, 10)
        for g, chunk in zip(groups, (vals[0:5], vals[5:10], vals[10:15])):
            table.rows[g] = _cells(chunk, TABLE4_COLUMNS)
        return table
    if candidates:
        r = max(candidates, key=lambda r: len(r.values))
        warnings.append(Warning("missing_cell", f"表四应有15个数字，读到{len(r.values)}个（{' '.join(v.text for v in r.values)}），"
                                                "无法确定各列位置，表四未读取", "table4", None, r.values[0].source))
    return None


def _read_glued_table4(glued: list[Row], table: Table, warnings: list[Warning]) -> Table | None:
    """表四 from crawler text: one run of 15 digits (or three runs of 5), split so that each group's four
    results add up to its 总计 — only when exactly one split does."""
    runs = [glued[0]] if len(glued) == 1 or len(glued) != 3 else glued
    width = 15 if len(runs) == 1 else 5
    cells: list[TextCell | None] = []
    for row in runs:
        readings, n = glued_readings(row, width, _sum_group(width))
        if not readings:
            _glued_warning(row, "table4", None, n, "没有一种拆分能使各组结果之和等于总计", warnings, checked=True)
            return None
        if len(readings) > 1:
            kept = agreed_cells(row, readings)
            _glued_warning(row, "table4", None, len(readings), "各组结果之和等于总计也不能唯一确定", warnings, kept=kept)
            cells += kept
            continue
        if n > 1:
            _decoded_note(row, "table4", None, readings[0], "按“各项结果之和等于总计”只有一种拆分", warnings)
        cells += glued_cells(row, readings[0])
    for g, k in zip(TABLE4_GROUPS, range(0, 15, 5)):
        table.rows[g] = _cells(cells[k:k + 5], TABLE4_COLUMNS)
    return table


def _typed_grid(row: Row) -> bool:
    """A row of a table typed as text (Markdown pipes, tabs): every grid position is a cell, so the empty
    cells right after the label are the positions the label spans (PDF→Markdown converters fill them)."""
    return row.from_table and any(v.source is not None and v.source.line is not None and v.source.table is None
                                  for v in row.values)


def _trim(vals: list[TextCell], n: int, typed_grid: bool = False) -> list[TextCell]:
    """Blank cells beyond `n` taken off the end, then the start; the start first in a `typed_grid` row."""
    vals = list(vals)
    ends = (0, -1) if typed_grid else (-1, 0)
    for end in ends:
        while len(vals) > n and not vals[end].text.strip():
            vals.pop(end)
    return vals


# -- 信息处理费 (section 六) ----------------------------------------------------------------------------
FEE_LABELS: dict[str, tuple[str, ...]] = {
    "notices": ("通知收取件数", "收费通知件数", "收费通知的件数", "通知件数", "发出收费通知"),
    "notice_amount": ("通知收取金额", "通知收取总金额", "收费通知金额", "收费通知的总金额", "收费通知总金额", "通知金额"),
    "collected_amount": ("实际收取金额", "实际收取的总金额", "实际收取总金额", "实收金额", "实际收取"),
}


def fee_column(label: str) -> str | None:
    """Which column of the 信息处理费 table a printed label names (amount words win over the count's)."""
    t = core(label)
    for col in ("collected_amount", "notice_amount", "notices"):
        if any(w in t for w in FEE_LABELS[col]) and len(t) <= 30:
            if col == "notices" and ("金额" in t and "件数" not in t):
                continue
            return col
    return None


def read_fees(rows: list[Row], warnings: list[Warning]) -> Table | None:
    """The 信息处理费 table many reports print in section 六: a header row naming 通知收取件数 / 通知收取金额 /
    实际收取金额 over a row of values, or one row per item. Prose about fees is not a table and is left to
    the checks."""
    table = Table("fees")
    for i, r in enumerate(rows):
        cols = [fee_column(c.text) for c in r.labels]
        named = [c for c in cols if c]
        if len(named) >= 2 and len(set(named)) == len(named):
            for nxt in ([r] if r.values else rows[i + 1:i + 3]):     # values on the header's row (crawler text) or below
                vals = [v for v in nxt.values if v.text.strip()] if not is_glued(nxt) else None
                if vals is not None and len(vals) == len(named):
                    placed: list[TextCell | None] = vals
                elif vals is None:
                    readings, n = glued_readings(nxt, len(named), None)
                    placed = agreed_cells(nxt, readings) if readings else [None] * len(named)
                    if len(readings) != 1:
                        _glued_warning(nxt, "fees", FEES_ROW, n if not readings else len(readings),
                                       "信息处理费表没有勾稽关系", warnings, kept=placed)
                else:
                    continue
                table.rows[FEES_ROW] = _cells(placed, tuple(named))
                break
            if table.rows:
                break
        elif r.values and r.labels:
            col = fee_column(r.last_label)
            vals = [v for v in r.values if v.text.strip()]
            if col and len(vals) == 1 and not is_glued(r):
                table.rows.setdefault(FEES_ROW, {}).update(_cells([vals[0]], (col,)))
    if not table.rows:
        return None
    for col in FEES_COLUMNS:
        table.rows[FEES_ROW].setdefault(col, Cell(None, "", None))
    return table


# -- all three ----------------------------------------------------------------------------------------
def read_tables(document: Document) -> TablesRead:
    rows = rows_of(document)
    regions = find_regions(rows)
    warnings: list[Warning] = []
    t2 = t3 = t4 = None
    fmt2 = None
    single_other = False
    if "table2" in regions:
        a, b = regions["table2"]
        prose = "\n".join(p.text for p in document.paragraphs())
        t2, fmt2 = read_table2(rows[a:b], warnings, prose)
    if "table3" in regions:
        a, b = regions["table3"]
        t3, single_other = read_table3(rows[a:b], warnings)
    if "table4" in regions:
        a, b = regions["table4"]
        t4 = read_table4(rows[a:b], warnings)
    fees = None
    if "fees" in regions:
        a, b = regions["fees"]
        fees = read_fees(rows[a:b], warnings)
    for t in (t2, t3, t4):
        if t is not None:
            _unreadable_cells(t, warnings)
            _blank_warnings(t, warnings)
    evidence = {name: table_like_content(rows, regions.get(name), name)
                for name, t in (("table2", t2), ("table3", t3), ("table4", t4)) if t is None}
    return TablesRead(t2, t3, t4, fmt2, single_other, warnings, evidence, fees)


# Labels only a table prints: their presence means the table is there even when we could not read it.
_TABLE_MARKS = {
    "table2": ("第二十条", "本年制发件数", "现行有效件数", "本年新制作数量", "处理决定数量"),
    "table3": ("勾稽关系", "本年新收", "上年结转", "予以公开", "结转下年度"),
    "table4": ("结果维持", "结果纠正", "尚未审结", "未经复议"),
}
_DIGITS = re.compile(r"\d")


def table_like_content(rows: list[Row], region: tuple[int, int] | None, name: str) -> str:
    """A short quote of the table-like content where a table should be (its labels or numbers), or "" when
    the report holds none: then the table is really missing, otherwise we failed to read it."""
    scope = rows[region[0]:region[1]] if region else rows
    for r in scope:
        text = r.label + " ".join(v.text for v in r.values)
        if any(m in squash(text) for m in _TABLE_MARKS[name]):
            return text.strip()[:60]
    if region:
        numeric = [r for r in scope if len(r.values) >= 3 or len(_DIGITS.findall(r.label)) >= 7]
        if numeric:
            r = numeric[0]
            return (r.label + " ".join(v.text for v in r.values)).strip()[:60]
    return ""
