"""The tables' own arithmetic (勾稽关系) as data: which cells must add up to which.

One home for the identities of 表三 and 表四 (RULES.md b, T3-1, T3-2, T3-3, T4-1..3). The reader uses them to
decide between readings of glued digits (crawler text) and of uncertain OCR cells; the validator checks a
report with the same list. An identity says: the sum of the `parts` cells equals the `whole` cell(s).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ingest.schema import (TABLE3_COLUMNS, TABLE3_DENIED, TABLE3_NOT_PROCESSED, TABLE3_OTHER_SPLIT,
                           TABLE3_UNAVAILABLE, TABLE4_COLUMNS, TABLE4_GROUPS)

CellRef = tuple[str, str]            # (row key, column key)
Number = int | float

# 表三 办理结果 (three, （七）总计 = their sum): the outcome groups in printed order.
OUTCOME_GROUPS: dict[str, tuple[str, ...]] = {
    "granted": ("granted",),
    "partially_granted": ("partially_granted",),
    "denied": TABLE3_DENIED,
    "unavailable": TABLE3_UNAVAILABLE,
    "not_processed": TABLE3_NOT_PROCESSED,
    "other": TABLE3_OTHER_SPLIT,
}
OUTCOME_GROUP_LABELS = {"granted": "予以公开", "partially_granted": "部分公开", "denied": "不予公开",
                        "unavailable": "无法提供", "not_processed": "不予处理", "other": "其他处理"}
APPLICANT_COLUMNS = TABLE3_COLUMNS[:-1]          # the six applicant columns; the seventh is 总计


def outcome_rows(single_other: bool) -> tuple[str, ...]:
    """The rows that add up to （七）总计: with the 2019 format's single （六）其他处理 row, or its three sub-rows."""
    other = ("other_processing",) if single_other else TABLE3_OTHER_SPLIT
    return ("granted", "partially_granted") + TABLE3_DENIED + TABLE3_UNAVAILABLE + TABLE3_NOT_PROCESSED + other


@dataclass(frozen=True)
class Identity:
    """`sum(parts) == sum(whole)` over cells of one table. `rule` is the RULES.md id."""
    rule: str
    table: str
    parts: tuple[CellRef, ...]
    whole: tuple[CellRef, ...]

    def cells(self) -> tuple[CellRef, ...]:
        return self.parts + self.whole

    def evaluate(self, value: Callable[[str, str], Number | None]) -> tuple[Number, Number] | None:
        """(sum of parts, sum of whole), or None when any cell is blank or unread (never counted as 0)."""
        parts = [value(r, c) for r, c in self.parts]
        whole = [value(r, c) for r, c in self.whole]
        if any(v is None for v in parts + whole):
            return None
        return sum(parts), sum(whole)

    def holds(self, value: Callable[[str, str], Number | None]) -> bool | None:
        got = self.evaluate(value)
        return None if got is None else abs(got[0] - got[1]) < 1e-9


def table3_identities(single_other: bool, rows: Iterable[str] | None = None) -> list[Identity]:
    """T3-3 for each row (six applicant columns = 总计), T3-1 and T3-2 for each column. With `rows`, only the
    identities whose cells all lie in those rows (a table that lacks a row cannot be held to it)."""
    present = set(rows) if rows is not None else None
    out: list[Identity] = []
    all_rows = ["new_received", "carried_over", *outcome_rows(single_other), "total_processed", "carried_forward"]
    for row in all_rows:
        out.append(Identity("T3-3", "table3", tuple((row, c) for c in APPLICANT_COLUMNS), ((row, "total"),)))
    for col in TABLE3_COLUMNS:
        out.append(Identity("T3-1", "table3", (("new_received", col), ("carried_over", col)),
                            (("total_processed", col), ("carried_forward", col))))
        out.append(Identity("T3-2", "table3", tuple((r, col) for r in outcome_rows(single_other)),
                            (("total_processed", col),)))
    if present is not None:
        out = [i for i in out if all(r in present for r, _ in i.cells())]
    return out


def table4_identities() -> list[Identity]:
    """T4-1..3: in each group, 维持 + 纠正 + 其他 + 尚未审结 = 总计."""
    rules = {"review": "T4-1", "litigation_direct": "T4-2", "litigation_after_review": "T4-3"}
    return [Identity(rules[g], "table4", tuple((g, c) for c in TABLE4_COLUMNS[:-1]), ((g, "total"),))
            for g in TABLE4_GROUPS]
