"""The domain formulas, written once for the checks (assistant/validator) and the answers (metrics,
routes_check) alike: the 表三 outcome groups and the rows that add up to （七）总计, the 表三 and 表四
identities (both taken from ingest.identities, which the reader uses to decode glued digits), “all-zero
table”, and the derived rates (公开率, 复议纠错率 …).

Cells are addressed as (table, row, column); `PER_COLUMN` in a term means “the column being computed”
(a 表三 rate can be asked for one applicant column). Values come from a `value(table, row, column)`
function so that a Report, a stored fact view or a test can supply them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ingest import identities
from ingest.schema import TABLE3_OTHER_SPLIT, TABLE4_COLUMNS

Number = int | float
ValueFn = Callable[[str, str, str], Number | None]
PER_COLUMN = "COL"


# -- 表三 and 表四: the identities and groups live in ingest.identities (the reader uses them too) -----------
@dataclass(frozen=True)
class OutcomeGroup:
    """A group of 表三 “三、本年度办理结果”: its key, its printed name and its rows."""
    key: str
    name: str
    rows: tuple[str, ...]


OTHER_2019 = ("other_processing",)
OUTCOME_GROUPS: tuple[OutcomeGroup, ...] = tuple(OutcomeGroup(k, identities.OUTCOME_GROUP_LABELS[k], rows)
                                                 for k, rows in identities.OUTCOME_GROUPS.items())
OUTCOME = {g.key: g for g in OUTCOME_GROUPS}
BALANCE_IN = ("new_received", "carried_over")            # T3-1: 一 + 二 …
BALANCE_OUT = ("total_processed", "carried_forward")     # … = （七）总计 + 四
TABLE3_ORG_COLUMNS = identities.APPLICANT_COLUMNS        # T3-3: the six applicant columns add up to 总计


def uses_single_other(rows: Iterable[str]) -> bool:
    """Does the table print （六）其他处理 as one row (2019 format) rather than its three sub-rows?"""
    rows = set(rows)
    return "other_processing" in rows and not any(r in rows for r in TABLE3_OTHER_SPLIT)


def outcome_rows(group: str, rows: Iterable[str] = ()) -> tuple[str, ...]:
    """The rows of an outcome group in this table (其他处理: the three sub-rows, or the 2019 single row)."""
    if group == "other" and uses_single_other(rows):
        return OTHER_2019
    return OUTCOME[group].rows


def table3_parts(rows: Iterable[str] = ()) -> tuple[str, ...]:
    """T3-2: the rows that add up to （七）总计 in this table."""
    return identities.outcome_rows(uses_single_other(tuple(rows)))


def table3_identities(rows: Iterable[str]) -> list[identities.Identity]:
    """T3-1, T3-2, T3-3 for a table with these rows (ingest.identities, the reader's list)."""
    rows = tuple(rows)
    return identities.table3_identities(uses_single_other(rows))


def table4_identities() -> list[identities.Identity]:
    return identities.table4_identities()


TABLE4_PARTS = tuple(c for c in TABLE4_COLUMNS if c != "total")    # T4-1..3: … = 总计


# -- all-zero ------------------------------------------------------------------------------------------
def all_zero(values: Iterable[Number | None]) -> bool:
    """A table “全部为0”: it has filled cells and every filled cell is 0 (blank cells are not values)."""
    vals = list(values)
    return any(v is not None for v in vals) and all(v in (0, None) for v in vals)


# -- sums and rates ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """A signed cell reference; column PER_COLUMN is the column being computed."""
    table: str
    row: str
    column: str = PER_COLUMN
    sign: int = 1


def sum_terms(terms: Iterable[Term], value: ValueFn, column: str = "total") -> Number | None:
    """Σ sign·cell, or None when a cell is blank or absent."""
    total: Number = 0
    for t in terms:
        v = value(t.table, t.row, column if t.column == PER_COLUMN else t.column)
        if v is None:
            return None
        total += t.sign * v
    return total


@dataclass(frozen=True)
class Rate:
    """A ratio of two sums of cells, with its formula in Chinese."""
    label: str
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...]
    formula: str

    def compute(self, value: ValueFn, column: str = "total") -> tuple[Number | None, Number | None, float | None]:
        """(numerator, denominator, ratio); ratio None when a cell is blank or the denominator is 0."""
        n, d = sum_terms(self.numerator, value, column), sum_terms(self.denominator, value, column)
        return n, d, (None if n is None or not d else n / d)


def _t3(row: str) -> Term:
    return Term("table3", row)


def _t4(group: str, col: str, sign: int = 1) -> Term:
    return Term("table4", group, col, sign)


RATES: dict[str, Rate] = {
    "grant_rate": Rate("予以公开率", (_t3("granted"),), (_t3("total_processed"),), "予以公开 ÷ 办理结果总计"),
    "disclosure_rate": Rate("公开率", (_t3("granted"), _t3("partially_granted")), (_t3("total_processed"),),
                            "（予以公开 + 部分公开）÷ 办理结果总计"),
    "not_held_share": Rate("本机关不掌握占比", (_t3("unavailable_not_held"),), (_t3("total_processed"),),
                           "本机关不掌握 ÷ 办理结果总计"),
    "completion_rate": Rate("办结率", (_t3("total_processed"),), (_t3("new_received"), _t3("carried_over")),
                            "办理结果总计 ÷（新收 + 上年结转）"),
    "review_correction_rate": Rate("行政复议纠错率", (_t4("review", "corrected"),),
                                   (_t4("review", "total"), _t4("review", "pending", -1)),
                                   "结果纠正 ÷（总计 − 尚未审结）"),
    "litigation_loss_rate": Rate("行政诉讼败诉（纠正）率",
                                 (_t4("litigation_direct", "corrected"), _t4("litigation_after_review", "corrected")),
                                 (_t4("litigation_direct", "total"), _t4("litigation_after_review", "total"),
                                  _t4("litigation_direct", "pending", -1), _t4("litigation_after_review", "pending", -1)),
                                 "诉讼结果纠正 ÷（诉讼总计 − 尚未审结）"),
}


# -- the rates a leader compares across units in 体检 (issue 26) ------------------------------------------
@dataclass(frozen=True)
class LeaderRate:
    """A rate of RATES as 体检 shows it: its name there, the formula in the words offices use, and the least
    volume (the denominator) below which a unit's rate is shown but not compared with other units'."""
    key: str                     # a key of RATES
    name: str
    formula: str
    volume: str                  # what the denominator counts
    min_volume: int


LEADER_RATES: tuple[LeaderRate, ...] = (
    LeaderRate("disclosure_rate", "实质公开率", "实质公开率 =（予以公开 + 部分公开）÷ 办结（表三办理结果总计）",
               "办结件数", 10),
    LeaderRate("review_correction_rate", "复议纠错率", "复议纠错率 = 结果纠正 ÷ 审结（表四行政复议总计 − 尚未审结）",
               "审结件数", 3),
)
