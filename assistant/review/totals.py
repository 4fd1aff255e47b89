"""Totals of a region: a report that sums its subordinates (a county's whole-county report beside its
departments' and townships' reports), each summed figure side by side with the sum of the subordinates' own.

Scopes legitimately differ (a whole-county report may count the county government's own office, a department
may report for its own subordinate bodies), so a difference is a warning with the numbers, never an error, and
never a unit's problem in a score. A subordinate without a report, or with the cell unread, makes the sum
partial: it is named, and the difference is not computed from a partial sum (we do not compare against what we
could not read).

Which unit sums which comes from the caller (the roster's parent relation where one is kept); this module only
computes: `region_totals(parent, subordinates)` → `RegionTotals`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from assistant.metrics import format_number
from ingest.report import Report
from ingest.schema import column_label, row_label

# The figures a whole-area report sums over its subordinates: (table, row, column).
SUMMED_CELLS: tuple[tuple[str, str, str], ...] = (
    ("table2", "administrative_license", "value"),
    ("table2", "administrative_penalty", "value"),
    ("table2", "administrative_coercion", "value"),
    ("table3", "new_received", "total"),
    ("table3", "carried_over", "total"),
    ("table3", "granted", "total"),
    ("table3", "partially_granted", "total"),
    ("table3", "total_processed", "total"),
    ("table3", "carried_forward", "total"),
    ("table4", "review", "total"),
    ("table4", "review", "corrected"),
    ("table4", "litigation_direct", "total"),
    ("table4", "litigation_after_review", "total"),
)
TOTALS_RULE = "R-SUM"
TOTALS_TITLE = "全域年报与下级年报合计不一致（口径可能不同，请核对）"

Number = int | float


@dataclass(frozen=True)
class TotalLine:
    """One summed figure: the whole-area report's value, the subordinates' sum, and who is left out of it."""
    table: str
    row: str
    column: str
    parent_value: Number | None
    subordinate_sum: Number | None              # None when no subordinate has the figure
    parts: tuple[tuple[str, Number], ...]       # (unit, value) of every subordinate that printed it
    unread: tuple[str, ...]                     # subordinates whose cell we could not read
    blank: tuple[str, ...]                      # subordinates whose report leaves the cell blank

    @property
    def label(self) -> str:
        col = column_label(self.table, self.row, self.column)
        name = row_label(self.table, self.row)
        return name if self.column in ("total", "value") else f"{name}·{col}"

    @property
    def complete(self) -> bool:
        """The sum covers every subordinate that has a report (none unread)."""
        return not self.unread

    @property
    def difference(self) -> Number | None:
        """whole-area value − subordinates' sum; None when either is unknown or the sum is partial."""
        if self.parent_value is None or self.subordinate_sum is None or not self.complete:
            return None
        return self.parent_value - self.subordinate_sum

    def formula(self) -> str:
        """“3 + 5 + 0 = 8”: the sum with its numbers, in the subordinates' order."""
        if not self.parts:
            return "—"
        return " + ".join(_n(v) for _, v in self.parts) + f" = {_n(self.subordinate_sum)}"

    def to_json(self) -> dict:
        return {"table": self.table, "row": self.row, "column": self.column, "label": self.label,
                "parent_value": self.parent_value, "subordinate_sum": self.subordinate_sum,
                "difference": self.difference, "parts": [list(p) for p in self.parts],
                "unread": list(self.unread), "blank": list(self.blank)}


@dataclass(frozen=True)
class RegionTotals:
    parent: str                                 # the unit whose report sums the others
    parent_file: str
    subordinates: tuple[str, ...]               # units with a report, in order
    without_report: tuple[str, ...]             # units the roster names that have no report this year
    lines: tuple[TotalLine, ...]

    @property
    def differing(self) -> list[TotalLine]:
        return [ln for ln in self.lines if ln.difference not in (None, 0)]

    def warnings(self) -> list[str]:
        """One Chinese line per figure that differs: the numbers, the formula, never a verdict."""
        out = []
        for ln in self.differing:
            out.append(f"{ln.label}：{self.parent}年报为{_n(ln.parent_value)}，下级单位合计{ln.formula()}，"
                       f"相差{_n(ln.difference)}（口径可能不同，请核对）")
        return out

    def notes(self) -> list[str]:
        """What the sums leave out: units without a report, cells we could not read."""
        out = []
        if self.without_report:
            out.append(f"未收到年报的下级单位：{'、'.join(self.without_report)}（合计不含）。")
        unread = [u for u in self.subordinates if any(u in ln.unread for ln in self.lines)]
        if unread:
            out.append(f"未能读取部分单元格的下级单位：{'、'.join(unread)}，相关合计未作比较，请核对原件。")
        return out

    def markdown(self) -> str:
        """The side-by-side table, the differences, and what the sums leave out (names shown literally)."""
        from assistant.views import literal_markdown
        head = f"**{literal_markdown(self.parent)}年报与下级单位年报合计**（下级单位{len(self.subordinates)}个）\n\n"
        rows = ["| 项目 | 全域年报 | 下级合计 | 差额 |", "|---|---:|---:|---:|"]
        for ln in self.lines:
            total = _n(ln.subordinate_sum) + ("（不全）" if not ln.complete else "")
            diff = "—" if ln.difference is None else _n(ln.difference)
            rows.append(f"| {ln.label} | {_n(ln.parent_value)} | {total} | {diff} |")
        tail = "".join(f"\n- {literal_markdown(w)}" for w in self.warnings() + self.notes())
        return head + "\n".join(rows) + ("\n" + tail if tail else "")

    def to_json(self) -> dict:
        return {"parent": self.parent, "parent_file": self.parent_file, "subordinates": list(self.subordinates),
                "without_report": list(self.without_report), "lines": [ln.to_json() for ln in self.lines],
                "warnings": self.warnings(), "notes": self.notes()}


def _value(report: Report, table: str, row: str, col: str) -> tuple[Number | None, bool]:
    """(value, unread?) of one cell: a blank the report prints is (None, False); one we failed to read (None, True)."""
    t = report.table(table)
    if t is None:
        return None, table in report.unread_tables()
    cell = t.cell(row, col)
    if cell is None:
        return None, any(w.table == table and w.row in (None, row) for w in report.reading_warnings())
    if cell.value is not None:
        return cell.value, False
    return None, report.unread_cell(table, row, cell)


def region_totals(parent: Report, subordinates: Mapping[str, Report | None],
                  cells: tuple[tuple[str, str, str], ...] = SUMMED_CELLS) -> RegionTotals:
    """The whole-area report `parent` beside the sums of `subordinates` (unit → its report, None if it has none)."""
    have = [(unit, r) for unit, r in subordinates.items() if r is not None]
    lines = []
    for table, row, col in cells:
        pv, _ = _value(parent, table, row, col)
        parts, unread, blank = [], [], []
        for unit, r in have:
            v, missing = _value(r, table, row, col)
            if v is not None:
                parts.append((unit, v))
            elif missing:
                unread.append(unit)
            else:
                blank.append(unit)
        total = sum(v for _, v in parts) if parts else None
        lines.append(TotalLine(table, row, col, pv, total, tuple(parts), tuple(unread), tuple(blank)))
    return RegionTotals(parent=parent.agency or parent.label, parent_file=parent.file or "",
                        subordinates=tuple(u for u, _ in have),
                        without_report=tuple(u for u, r in subordinates.items() if r is None), lines=tuple(lines))



def _n(v: Number | None) -> str:
    return "—" if v is None else format_number(v)
