"""Totals of a region (issue 26): a whole-area report beside the sums of its subordinates' reports, every
difference a warning with its numbers, partial sums (no report, a cell we could not read) named and never
compared."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from assistant.review.totals import TOTALS_TITLE, region_totals
from ingest.extract import extract
from ingest.report import Cell, Report, Table, Warning

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="module")
def huaian():
    """淮安市人民政府2024 and 淮安市洪泽区人民政府2024, read from the shared PDFs."""
    return (extract(SHARED / "reports" / "007_huaian_city_2024.pdf"),
            extract(SHARED / "reports" / "006_hongze_district_2024.pdf"))


def _line(totals, table, row, col):
    return next(ln for ln in totals.lines if (ln.table, ln.row, ln.column) == (table, row, col))


def test_city_beside_its_district_with_the_numbers_of_the_gold(huaian):
    city, district = huaian
    t = region_totals(city, {"淮安市洪泽区人民政府": district, "淮安市淮阴区人民政府": None})
    assert t.parent == "淮安市人民政府"
    assert t.subordinates == ("淮安市洪泽区人民政府",)
    assert t.without_report == ("淮安市淮阴区人民政府",)
    new = _line(t, "table3", "new_received", "total")
    # gold: 淮安市 3119, 洪泽区 95
    assert (new.parent_value, new.subordinate_sum, new.difference) == (3119, 95, 3024)
    review = _line(t, "table4", "review", "total")
    assert (review.parent_value, review.subordinate_sum, review.difference) == (351, 2, 349)
    penalty = _line(t, "table2", "administrative_penalty", "value")
    assert (penalty.parent_value, penalty.subordinate_sum) == (3985758, 2776)
    lines = t.warnings()
    assert "一、本年新收政府信息公开申请数量：淮安市人民政府年报为3119，下级单位合计95 = 95，相差3024（口径可能不同，请核对）" in lines
    assert any(n.startswith("未收到年报的下级单位：淮安市淮阴区人民政府") for n in t.notes())
    md = t.markdown()
    assert "| 一、本年新收政府信息公开申请数量 | 3119 | 95 | 3024 |" in md
    assert "错误" not in md and "问题" not in md       # a warning with numbers, never a verdict on the unit
    assert TOTALS_TITLE.endswith("（口径可能不同，请核对）")


def test_sums_that_agree_give_no_warning(huaian):
    city, district = huaian
    a, b = copy.deepcopy(district), copy.deepcopy(district)
    parent = copy.deepcopy(city)
    parent.table3.rows["new_received"]["total"] = Cell(190, "190")      # 95 + 95
    t = region_totals(parent, {"甲区": a, "乙区": b})
    new = _line(t, "table3", "new_received", "total")
    assert (new.subordinate_sum, new.difference, new.formula()) == (190, 0, "95 + 95 = 190")
    assert not any(w.startswith("一、本年新收") for w in t.warnings())


def _report(agency: str, new_received: Cell | None, *, unread_row: bool = False) -> Report:
    rows = {} if new_received is None else {"new_received": {"total": new_received}}
    r = Report(file=f"{agency}.txt", agency=agency, year=2024, table3=Table("table3", rows))
    if unread_row:
        r.warnings.append(Warning(code="missing_cell", message="未能读取", table="table3", row="new_received"))
    return r


def test_a_cell_we_could_not_read_makes_the_sum_partial_and_is_not_compared():
    parent = _report("某县人民政府", Cell(20, "20"))
    subs = {"甲局": _report("甲局", Cell(7, "7")),
            "乙局": _report("乙局", Cell(None, "1?")),                       # ink OCR could not read
            "丙局": _report("丙局", None, unread_row=True),                  # a row we missed
            "丁局": _report("丁局", Cell(None, "/"))}                         # the report's own blank
    t = region_totals(parent, subs, cells=(("table3", "new_received", "total"),))
    (line,) = t.lines
    assert line.parts == (("甲局", 7),)
    assert line.unread == ("乙局", "丙局")
    assert line.blank == ("丁局",)
    assert line.difference is None and t.warnings() == []
    assert "未能读取部分单元格的下级单位：乙局、丙局，相关合计未作比较，请核对原件。" in t.notes()
    assert "| 一、本年新收政府信息公开申请数量 | 20 | 7（不全） | — |" in t.markdown()
