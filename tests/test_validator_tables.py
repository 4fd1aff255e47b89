"""Table rules of the validator on the hand-read gold tables and on generated tables (hypothesis).

Gold files have no sections, so only the table rules speak here; the end-to-end tests over the real files
are in test_validator_reports.py."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from conftest import SHARED
from assistant.validator import check_report, derived_metrics
from ingest.report import Cell, Report, Table
from ingest.schema import TABLE3_COLUMNS, TABLE3_OTHER_SPLIT, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_GROUPS

def gold(name: str) -> Report:
    path = next((SHARED / "gold").glob(f"{name}*.json"))
    return Report.from_json(json.loads(path.read_text(encoding="utf-8")))


def errors(findings):
    return [f for f in findings if f.severity == "error"]


def cells_of(finding):
    return {(e.table, e.row, e.column) for e in finding.evidence if e.kind == "cell"}


# -- gold ------------------------------------------------------------------------------------------
def test_hongze_2023_review_and_after_review_totals_are_errors():
    findings = check_report(gold("005"))
    t41 = [f for f in findings if f.rule == "T4-1"]
    t43 = [f for f in findings if f.rule == "T4-3"]
    assert [(f.severity, f.expected, f.actual) for f in t41] == [("error", 11, 0)]
    assert [(f.severity, f.expected, f.actual) for f in t43] == [("error", 5, 0)]
    assert ("table4", "review", "total") in cells_of(t41[0])
    assert ("table4", "review", "upheld") in cells_of(t41[0])
    assert ("table4", "litigation_after_review", "total") in cells_of(t43[0])
    assert "10" in t41[0].message and "11" in t41[0].message
    # and nothing else is an error: 表三 of 洪泽 2023 holds (21 + 0 = 21 + 0)
    assert {f.rule for f in errors(findings)} == {"T4-1", "T4-3"}


def test_hongze_2023_single_other_row_is_a_format_warning_not_an_error():
    f1 = [f for f in check_report(gold("005")) if f.rule == "F1"]
    assert [f.severity for f in f1] == ["warning"]


def test_blank_review_cells_of_seed_003_are_info_not_error():
    findings = check_report(gold("003"))
    b7 = [f for f in findings if f.rule == "B7"]
    assert len(b7) == 1 and b7[0].severity == "info"
    assert {("table4", "review", k) for k in TABLE4_COLUMNS} == cells_of(b7[0])
    t41 = [f for f in findings if f.rule == "T4-1"]
    assert [f.severity for f in t41] == ["info"]          # “无法核对”, never an error
    assert not errors(findings)


@pytest.mark.parametrize("name", ["000", "001", "002_914", "002_shanghai", "004", "006", "007", "015"])
def test_gold_tables_whose_arithmetic_holds_give_no_error(name):
    assert errors(check_report(gold(name))) == []


def test_shuyang_blank_org_columns_are_listed_once_and_block_the_equations():
    findings = check_report(gold("015"))
    b7 = [f for f in findings if f.rule == "B7"]
    assert len(b7) == 1 and b7[0].actual == 25 * 5
    for rule in ("T3-1", "T3-2", "T3-3"):
        assert [f.severity for f in findings if f.rule == rule] == ["info"]


def test_hongze_cross_year_links_hold():
    later, earlier = gold("006"), gold("005")
    findings = check_report(later, earlier)
    assert not [f for f in findings if f.rule in ("T3-6", "T2-3", "T2-4")]   # 5 + 3 − 0 = 8, 结转 0 = 0


def test_cross_year_mismatch_is_a_warning_on_the_column():
    later, earlier = gold("006"), gold("005")
    later.table3.rows["carried_over"]["natural_person"] = Cell(2)
    later.table2.rows["normative_documents"]["in_force"] = Cell(20)
    findings = check_report(later, earlier)
    t36 = [f for f in findings if f.rule == "T3-6"]
    assert [(f.severity, f.expected, f.actual) for f in t36] == [("warning", 0, 2)]
    t24 = [f for f in findings if f.rule == "T2-4"]
    assert [(f.severity, f.expected, f.actual) for f in t24] == [("warning", 8, 20)]


def test_previous_of_another_year_is_ignored():
    findings = check_report(gold("006"), gold("007"))          # 2024 vs 2024: not a previous year
    assert not [f for f in findings if f.rule in ("T3-6", "T2-3", "T2-4", "T4-5", "T4-6")]


def test_derived_metrics_t4_7_on_huaian():
    m = derived_metrics(gold("007"))
    rv = m["review_correction_rate"]
    assert (rv.numerator, rv.denominator) == (64, 351 - 37)
    assert rv.value == pytest.approx(64 / 314)
    lit = m["litigation_correction_rate"]
    assert (lit.numerator, lit.denominator) == (5, 46 - 7)
    assert m["disclosure_rate"].numerator == 1362 + 454 and m["disclosure_rate"].denominator == 3050
    assert derived_metrics(gold("003"))["review_correction_rate"].value is None   # blank cells


# -- generated tables ------------------------------------------------------------------------------
ORG = TABLE3_COLUMNS[:-1]
PARTS = [r for r in TABLE3_ROWS if r not in ("new_received", "carried_over", "total_processed", "carried_forward",
                                             "other_processing")]
small = st.integers(min_value=0, max_value=40)


@st.composite
def consistent_report(draw):
    rows: dict[str, dict[str, int]] = {r: {} for r in TABLE3_ROWS if r != "other_processing"}
    for col in ORG:
        for r in PARTS:
            rows[r][col] = draw(small)
        rows["total_processed"][col] = sum(rows[r][col] for r in PARTS)
        rows["carried_forward"][col] = draw(small)
        rows["carried_over"][col] = draw(st.integers(0, rows["total_processed"][col] + rows["carried_forward"][col]))
        rows["new_received"][col] = rows["total_processed"][col] + rows["carried_forward"][col] - rows["carried_over"][col]
    for r in rows:
        rows[r]["total"] = sum(rows[r][c] for c in ORG)
    t3 = Table("table3", {r: {c: Cell(v) for c, v in cols.items()} for r, cols in rows.items()})
    t4 = Table("table4")
    for g in TABLE4_GROUPS:
        vals = {k: draw(small) for k in ("upheld", "corrected", "other", "pending")}
        vals["total"] = sum(vals.values())
        t4.rows[g] = {k: Cell(v) for k, v in vals.items()}
    t2 = Table("table2", {"regulations": {k: Cell(0) for k in ("issued", "repealed", "in_force")},
                          "normative_documents": {"issued": Cell(1), "repealed": Cell(0), "in_force": Cell(5)},
                          **{r: {"value": Cell(0)} for r in ("administrative_license", "administrative_penalty",
                                                              "administrative_coercion", "administrative_fees")}})
    return Report(file="generated", agency="某县某局", year=2023, format="2021", table2=t2, table3=t3, table4=t4)


@settings(max_examples=40, deadline=None)
@given(consistent_report())
def test_consistent_tables_give_no_error(report):
    assert errors(check_report(report)) == []


@settings(max_examples=50, deadline=None)
@given(consistent_report(), st.sampled_from(list(TABLE3_ROWS)), st.sampled_from(TABLE3_COLUMNS),
       st.integers(min_value=1, max_value=9))
def test_changing_one_table3_cell_fires_the_rule_naming_it(report, row, col, delta):
    if row not in report.table3.rows:
        row = TABLE3_OTHER_SPLIT[0]
    cell = report.table3.rows[row][col]
    report.table3.rows[row][col] = Cell(cell.value + delta)
    findings = errors(check_report(report))
    naming = [f for f in findings if f.rule in ("T3-1", "T3-2", "T3-3") and (("table3", row, col) in cells_of(f))]
    assert naming, f"changing {row}/{col} by {delta} fired {[f.rule for f in findings]}"
    assert any(f.rule == "T3-3" for f in naming)            # every row has its 总计 = Σ columns
    t33 = next(f for f in naming if f.rule == "T3-3")
    assert abs(t33.expected - t33.actual) == delta


@settings(max_examples=40, deadline=None)
@given(consistent_report(), st.sampled_from(list(TABLE4_GROUPS)), st.sampled_from(TABLE4_COLUMNS),
       st.integers(min_value=1, max_value=9))
def test_changing_one_table4_cell_fires_its_group_rule(report, group, col, delta):
    report.table4.rows[group][col] = Cell(report.table4.value(group, col) + delta)
    rule = {"review": "T4-1", "litigation_direct": "T4-2", "litigation_after_review": "T4-3"}[group]
    findings = errors(check_report(report))
    assert [f.rule for f in findings] == [rule]
    assert ("table4", group, col) in cells_of(findings[0])
    assert abs(findings[0].expected - findings[0].actual) == delta


@settings(max_examples=40, deadline=None)
@given(consistent_report(), st.lists(st.tuples(st.sampled_from(list(TABLE3_ROWS)), st.sampled_from(TABLE3_COLUMNS)),
                                     min_size=1, max_size=12),
       st.lists(st.tuples(st.sampled_from(list(TABLE4_GROUPS)), st.sampled_from(TABLE4_COLUMNS)), max_size=5))
def test_blank_cells_never_produce_an_error(report, blanks3, blanks4):
    for row, col in blanks3:
        if row in report.table3.rows:
            report.table3.rows[row][col] = Cell(None, "")
    for g, col in blanks4:
        report.table4.rows[g][col] = Cell(None, "")
    findings = check_report(report)
    assert errors(findings) == []
    assert any(f.rule == "B7" and f.severity == "info" for f in findings)


def test_one_changed_cell_message_states_formula_values_and_difference():
    report = gold("007")
    report.table3.rows["granted"]["natural_person"] = Cell(1290)      # was 1288
    f = next(f for f in check_report(report) if f.rule == "T3-3" and f.severity == "error")
    assert "1290" in f.message and "1362" in f.message and "相差 2" in f.message
    assert (f.expected, f.actual) == (1364, 1362)
