"""The validator end to end over the 10 real reports (../shared/seeds and ../shared/reports): each known
inconsistency of RULES.md (d) and the gold “checks” is found with its rule and severity, reports whose
arithmetic holds get no error, and blank cells never make an error."""
from __future__ import annotations

from datetime import date

import pytest

from conftest import SHARED
from assistant.validator import check_report, pair_previous
from ingest.extract import extract

FILES = {
    "000": "seeds/000_747ce1910eae7ff3.txt", "001": "seeds/001_758a901345a790b1.txt",
    "002": "seeds/002_914a51cc45050283.txt", "003": "seeds/003_99eecf839798fc6e.txt",
    "004": "seeds/004_e6c0b5a2d517a344.txt", "shanghai": "reports/002_shanghai_govoffice_2025.md",
    "hongze2023": "reports/005_hongze_district_2023.pdf", "hongze2024": "reports/006_hongze_district_2024.pdf",
    "huaian": "reports/007_huaian_city_2024.pdf", "shuyang": "reports/015_shuyang_fgj_2023.html",
}
TODAY = date(2026, 6, 1)


class Lazy(dict):
    """Extract (or check) a report the first time a test asks for it, once per module."""

    def __init__(self, make):
        super().__init__()
        self.make = make

    def __missing__(self, key):
        self[key] = value = self.make(key)
        return value


@pytest.fixture(scope="module")
def reports(shared):
    return Lazy(lambda key: extract(shared / FILES[key]))


@pytest.fixture(scope="module")
def findings(reports):
    def make(key):
        previous = None
        if key == "hongze2024":
            previous = pair_previous([reports["hongze2024"], reports["hongze2023"]]).get(0)
            assert previous is reports["hongze2023"]
        return check_report(reports[key], previous, today=TODAY)
    return Lazy(make)


def of(findings, rule, severity=None):
    return [f for f in findings if f.rule == rule and (severity is None or f.severity == severity)]


def errors(fs):
    return [f for f in fs if f.severity == "error"]


def sentence_texts(f):
    return " ".join(e.text or "" for e in f.evidence if e.kind == "sentence")


def cells(f):
    return {(e.table, e.row, e.column): e.value for e in f.evidence if e.kind == "cell"}


# -- seed 001: text says 1 application and 2 documents, tables say 0 ------------------------------
def test_seed_001_application_in_text_against_all_zero_table(findings):
    hits = of(findings["001"], "T3-9", "error") + of(findings["001"], "X1", "error")
    assert len(hits) == 1
    f = hits[0]
    assert (f.expected, f.actual) == (1, 0)
    assert "受理政府信息公开申请1件" in sentence_texts(f)
    assert cells(f)[("table3", "new_received", "total")] == 0


def test_seed_001_two_normative_documents_against_table2(findings):
    (f,) = [f for f in of(findings["001"], "T2-8", "error")]
    assert (f.expected, f.actual) == (0, 2)
    assert "制定的2个行政规范性文件" in sentence_texts(f)
    assert ("table2", "normative_documents", "issued") in cells(f)


# -- seed 000: an 8-cell row that the extractor resolved, and a cleanup that does not add up -------------
def test_seed_000_eight_cell_total_row_is_b6_warning_and_no_t3_error(findings):
    b6 = of(findings["000"], "B6")
    assert [f.severity for f in b6] == ["warning"]
    assert "8个数字" in b6[0].message
    assert not [f for f in errors(findings["000"]) if f.rule.startswith("T3")]


def test_seed_000_cleanup_parts_short_of_total(findings):
    (f,) = of(findings["000"], "X6")
    assert (f.severity, f.expected, f.actual) == ("warning", 73, 63)


def test_seed_000_lapsed_documents_counted_as_repealed_is_info(findings):
    (f,) = of(findings["000"], "T2-8")
    assert (f.severity, f.expected, f.actual) == ("info", 15, 15)


# -- seed 002: channels and proposals that add up to more than the total --------------------------------
def test_seed_002_parts_larger_than_total(findings):
    x6 = {(f.expected, f.actual): f.severity for f in of(findings["002"], "X6")}
    assert x6[(2266, 2542)] == "warning"
    assert x6[(3, 4)] == "warning"
    assert x6[(603.564, 603.561)] == "info"          # 三公经费: 0.003万元 off, 亿元 mixed with 万元


def test_seed_002_other_known_points(findings):
    fs = findings["002"]
    assert [f.severity for f in of(fs, "F3")] == ["info"]            # cites no format document
    assert [f.severity for f in of(fs, "B8")] == ["warning"]         # section 六 is just “无。”
    assert [f.severity for f in of(fs, "Q5")] == ["info"]            # 十九届五中全会 in a 2022 report
    assert {f.actual for f in of(fs, "Q6")} >= {"及时、准备", "市长热线、市长信箱等。市长热线、市长信箱等。"}


# -- seed 003: blank 表四 review cells, stale citation ---------------------------------------------
def test_seed_003_blank_review_cells_are_info_and_no_t4_error(findings):
    fs = findings["003"]
    (b7,) = [f for f in of(fs, "B7") if any(e.table == "table4" for e in f.evidence)]
    assert b7.severity == "info"
    assert set(cells(b7)) == {("table4", "review", k) for k in ("upheld", "corrected", "other", "pending", "total")}
    assert not [f for f in fs if f.rule.startswith("T4") and f.severity != "info"]


def test_seed_003_cites_the_2019_notice(findings):
    assert [f.severity for f in of(findings["003"], "F3")] == ["warning"]


def test_seed_003_approval_bureau_with_no_licences(findings):
    assert [f.severity for f in of(findings["003"], "T2-6")] == ["warning"]


# -- dates ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["001", "002", "003"])
def test_seeds_without_signature_date_get_d3_warning(findings, key):
    assert [f.severity for f in of(findings[key], "D3")] == ["warning"]


@pytest.mark.parametrize("key", ["000", "004", "shuyang"])
def test_dated_reports_are_on_time(findings, reports, key):
    assert reports[key].published is not None
    assert of(findings[key], "D3") == [] and of(findings[key], "D4") == []


def test_seed_004_has_no_statistical_period(findings):
    assert [f.severity for f in of(findings["004"], "D1")] == ["warning"]
    assert [f.severity for f in of(findings["004"], "B2")] == ["warning"]     # no 平台建设 sub-section
    assert [f.severity for f in of(findings["004"], "B5")] == ["warning"]     # 本年度止件数


# -- 洪泽区 ----------------------------------------------------------------------------------------
def test_hongze_2023_table4_totals(findings):
    fs = findings["hongze2023"]
    assert [(f.severity, f.expected, f.actual) for f in of(fs, "T4-1")] == [("error", 11, 0)]
    assert [(f.severity, f.expected, f.actual) for f in of(fs, "T4-3")] == [("error", 5, 0)]
    assert {f.rule for f in errors(fs)} == {"T4-1", "T4-3"}


def test_hongze_2024_district_office_count_is_a_scope_warning(findings):
    fs = findings["hongze2024"]
    x1 = [f for f in fs if f.rule == "X1"]
    assert [(f.severity, f.expected, f.actual) for f in x1] == [("warning", 95, 17)]
    assert "口径可能不同" in x1[0].message
    assert "区政府办代表区政府受理政府信息公开申请17件" in sentence_texts(x1[0])
    assert errors(fs) == []


def test_hongze_2024_is_checked_against_2023(findings):
    fs = findings["hongze2024"]
    assert not of(fs, "T3-6") and not of(fs, "T2-3") and not of(fs, "T2-4")   # 5 + 3 − 0 = 8; 结转 0 → 0
    q1 = of(fs, "Q1")
    assert q1 and 0.3 <= q1[0].actual < 0.6                                    # copied measures, below 雷同


# -- no error where the arithmetic holds --------------------------------------------------------------
@pytest.mark.parametrize("key", ["000", "002", "003", "004", "shanghai", "hongze2024", "huaian", "shuyang"])
def test_no_error_on_reports_whose_arithmetic_holds(findings, key):
    assert [(f.rule, f.message) for f in errors(findings[key])] == []


@pytest.mark.parametrize("key", list(FILES))
def test_blank_cells_are_never_in_an_error(findings, key):
    for f in errors(findings[key]):
        assert None not in cells(f).values(), (key, f.rule)


@pytest.mark.parametrize("key", list(FILES))
def test_every_finding_has_a_chinese_message_and_json(findings, key):
    for f in findings[key]:
        d = f.to_json()
        assert set(d) == {"rule", "severity", "message", "expected", "actual", "evidence"}
        assert d["severity"] in ("error", "warning", "info")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in f.message)


def test_copied_text_between_units(reports):
    fs = check_report(reports["001"], others=[reports["000"], reports["004"]], today=TODAY)
    q2 = of(fs, "Q2")
    assert [f.severity for f in q2] == ["info"]
    assert 0.05 <= q2[0].actual < 0.3
    assert "赣州经济技术开发区" in q2[0].message
