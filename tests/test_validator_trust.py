"""Checks an official can trust (issue 10): one test per cause of a false alarm, each with a real sentence or
table shape, and one per real error shape, on small reports built here; the answer-key scorer; the rule
catalogue; and the linear-time text index on a 2 MB report."""
from __future__ import annotations

import json
import sys
from datetime import date

import pytest

from assistant import formulas
from assistant.validator import RULES, check_report, render_findings
from assistant.validator.catalogue import READING_RULE
from assistant.validator.evaluate import matches, score_report
from assistant.validator.findings import Finding
from conftest import SHARED
from ingest.report import Cell, Report, Section, Table, Warning
from ingest.schema import FEES_COLUMNS, FEES_ROW, TABLE2_2019_ROWS, TABLE3_COLUMNS
from test_validator_text import BASE, check, make_report


def errors(findings):
    return [f for f in findings if f.severity == "error"]


def of(findings, rule):
    return [f for f in findings if f.rule == rule]


def set_row(r: Report, row: str, total: int, np: int | None = None) -> None:
    """表三 row: 自然人 np (default all), 商业企业 the rest, other columns 0."""
    np = total if np is None else np
    r.table3.rows[row] = {c: Cell(0) for c in TABLE3_COLUMNS}
    r.table3.rows[row]["natural_person"] = Cell(np)
    r.table3.rows[row]["commercial"] = Cell(total - np)
    r.table3.rows[row]["total"] = Cell(total)


def twenty_one(req: str, **kw) -> Report:
    """新收21 = 予以公开6(自然人4) + 部分公开6(5) + 不予公开3 + 无法提供2(不掌握1, 另行制作1) + 其他处理2 + 结转2."""
    r = make_report(BASE.format(req=req), new_received=21, **kw)
    for row, v, np in [("new_received", 21, 18), ("granted", 6, 4), ("partially_granted", 6, 5),
                       ("denied_process_info", 3, 3), ("unavailable_not_held", 1, 1),
                       ("unavailable_needs_creation", 1, 1), ("other_other", 2, 2), ("total_processed", 19, 16),
                       ("carried_forward", 2, 2)]:
        set_row(r, row, v, np)
    return r


def test_the_twenty_one_report_is_consistent():
    assert errors(check(twenty_one("全年共受理政府信息公开申请21件。"))) == []


# == false alarms: one cause each ===========================================================================
def test_unread_table_is_a_reading_warning_not_b4():
    r = make_report(BASE.format(req=""))
    r.table3 = None
    r.warnings.append(Warning("table_unread", "表三区域有表格样式内容，但无法识别行列", table="table3"))
    fs = check(r)
    assert of(fs, "B4") == []
    (w,) = of(fs, READING_RULE)
    assert w.severity == "warning" and "未能读取表三" in w.message and "请核对原件" in w.message


def test_table_really_missing_is_b4_error_only_when_its_section_was_found():
    r = make_report(BASE.format(req=""))
    r.table4 = None
    r.warnings.append(Warning("table_missing", "第四部分没有表格", table="table4"))
    assert [(f.rule, f.severity) for f in of(check(r), "B4")] == [("B4", "error")]
    r.sections = [s for s in r.sections if s.key != "s4_review_litigation"]     # we did not even find 四
    fs = check(r)
    assert of(fs, "B4") == [] and any(f.rule == READING_RULE and "表四" in f.message for f in fs)


def test_other_reading_codes_are_reading_warnings():
    r = make_report(BASE.format(req=""))
    r.warnings.append(Warning("merged_total", "（六）三个小项共用一个合并单元格", table="table3", row="other_other"))
    r.warnings.append(Warning("glued_ambiguous", "数字粘连，有多种切分", table="table2", row="normative_documents"))
    fs = check(r)
    assert [f.severity for f in of(fs, READING_RULE)] == ["warning", "warning"]
    assert all("未能读取" in f.message for f in of(fs, READING_RULE))


def test_a_row_we_did_not_read_is_never_an_error():
    # merged （六） cells: the extractor kept only （六）1
    r = make_report(BASE.format(req=""))
    del r.table3.rows["other_overdue_fee"], r.table3.rows["other_other"]
    fs = check(r)
    b5 = of(fs, "B5")
    assert len(b5) == 2 and {f.severity for f in b5} == {"warning"} and "请核对原件" in b5[0].message
    assert errors(fs) == []


def test_a_row_with_blank_cells_is_not_missing():
    r = make_report(BASE.format(req=""))
    r.table3.rows["denied_state_secret"] = {c: Cell(None) for c in TABLE3_COLUMNS}
    fs = check(r)
    assert of(fs, "B5") == [] and errors(fs) == []
    assert [f.severity for f in of(fs, "B7")] == ["info"]


def test_a_printed_cell_we_could_not_read_is_never_called_blank():
    """A scanned cell holding ink OCR could not read ("?"), and a row we flagged as unread, are our reading
    failures: B7's "空白单元格……没有发生的请填0" lists only cells the report left blank."""
    r = make_report(BASE.format(req=""))
    r.table3.rows["denied_state_secret"]["natural_person"] = Cell(None, raw="?", confidence=0.0)
    r.table3.rows["denied_third_party_rights"] = {c: Cell(None, raw="") for c in TABLE3_COLUMNS}
    r.warnings.append(Warning("ocr_uncertain", "第3页表三“4.保护第三方合法权益”一行未能读取，请核对原件",
                              "table3", "denied_third_party_rights"))
    r.table3.rows["denied_internal_affairs"]["commercial"] = Cell(None, raw="/")          # blank as the report prints it
    fs = check(r)
    (b7,) = of(fs, "B7")
    assert b7.actual == 1 and "5.属于三类内部事务信息" in b7.message
    assert "国家秘密" not in b7.message and "第三方" not in b7.message
    assert errors(fs) == []


def test_the_old_form_resting_on_rows_we_did_not_read_is_our_reading_failure():
    """A 2023 scan whose （六） sub-rows OCR did not read, read as a single （六） row: with 表三 flagged as read
    unsure, that is no F1 “2019年试行版” error but a reading warning; read clean, the single row is the old form."""
    def single_other(flagged: bool):
        r = make_report(BASE.format(req=""))
        r.year = 2023
        sub = [r.table3.rows.pop(k) for k in ("other_overdue_correction", "other_overdue_fee", "other_other")]
        r.table3.rows["other_processing"] = {c: Cell(sum((row[c].value or 0) for row in sub)) for c in TABLE3_COLUMNS}
        if flagged:
            r.warnings.append(Warning("ocr_uncertain", "第4页表三“（六）其他处理”的小项未能读取，请核对原件", "table3",
                                      "other_processing"))
        return check(r)
    fs = single_other(flagged=True)
    assert of(fs, "F1") == [] and errors(fs) == []
    assert any(f.rule == READING_RULE and "未能确定表三的版式" in f.message for f in fs)
    assert [f.severity for f in of(single_other(flagged=False), "F1")] == ["warning"]


def test_a_poorly_read_table_is_one_entry_in_the_check_not_a_hundred_lines():
    """Twelve rows of 表三 read unsure on a poor scan: 核查 shows one entry for 表三 naming how many and the first
    ones, with all their evidence; a table with a couple of them keeps them one by one."""
    from assistant.validator import fold_reading
    r = make_report(BASE.format(req=""))
    rows = list(r.table3.rows)[:12]
    for row in rows:
        r.warnings.append(Warning("ocr_uncertain", f"未能读取表三“{row}”一行：扫描页上没有识别出该行，请核对原件", "table3", row))
    r.warnings.append(Warning("ocr_uncertain", "未能读取表四“行政复议”一行，请核对原件", "table4", "review"))
    fs = check(r)
    reading = [f for f in fs if f.rule == READING_RULE]
    folded = [f for f in fold_reading(fs) if f.rule == READING_RULE]
    assert len(reading) == 13 and len(folded) == 2
    t3 = next(f for f in folded if "表三有 12 处未能读取" in f.message)
    assert len(t3.evidence) == sum(len(f.evidence) for f in reading if any(e.table == "table3" for e in f.evidence))
    text = render_findings(r, fs)
    assert text.count("[R1]") == 2 and "表三有 12 处未能读取" in text and "不是年报的错误" in text
    from assistant.views import findings_markdown                  # the web app's 核查, from stored findings
    page = findings_markdown([f.to_json() for f in fs])
    assert page.count("表三有 12 处未能读取") == 1 and page.count("扫描页上没有识别出该行") == 3


def test_2019_format_is_checked_against_its_own_rows():
    r = make_report(BASE.format(req=""))
    r.year, r.format = 2020, "2019"
    r.title = r.title.replace("2023", "2020")
    r.sections[0] = Section("preamble", "前言", "前言", "本年度报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。")
    r.table2 = Table("table2", {row: {c: Cell(0) for c in cols} for row, (_, cols) in TABLE2_2019_ROWS.items()})
    for row in ("other_overdue_correction", "other_overdue_fee", "other_other"):
        del r.table3.rows[row]
    r.table3.rows["other_processing"] = {c: Cell(0) for c in TABLE3_COLUMNS}
    r.published = "2021-01-20"
    fs = check_report(r, today=date(2021, 6, 1))
    assert [f for f in fs if f.rule in ("B5", "F1", "T3-2")] == []
    assert errors(fs) == []


def test_renumbered_or_merged_sections_are_not_missing():
    # 五 printed inside 四 under its own words, with no “五、” heading
    r = make_report(BASE.format(req=""))
    five = next(s for s in r.sections if s.key == "s5_problems")
    r.sections = [s for s in r.sections if s.key != "s5_problems"]
    four = next(s for s in r.sections if s.key == "s4_review_litigation")
    four.text = "本年度未发生行政复议、行政诉讼。\n存在的主要问题：" + five.text
    b1 = of(check(r), "B1")
    assert b1 and {f.severity for f in b1} == {"warning"}


def test_category_counts_are_compared_with_their_own_rows_never_with_the_total():
    sentence = ("2023年共收到政府信息公开申请21件，其中给予同意公开答复6件，不予公开答复3件，区分处理后公开6件，"
                "因无法提供相关信息答复2件，其他处理2件，结转下年度继续办理2件。")
    assert errors(check(twenty_one(sentence))) == []
    wrong = check(twenty_one(sentence.replace("区分处理后公开6件", "区分处理后公开7件")))
    (f,) = errors(wrong)
    assert (f.rule, f.expected, f.actual) == ("X2", 6, 7)
    assert "部分公开" in f.message and ("table3", "partially_granted", "total") in \
        [(e.table, e.row, e.column) for e in f.evidence]


@pytest.mark.parametrize("sentence,why", [
    ("本机关共收到政府信息公开申请15件。", "本机关"),                     # a 区政府 report: the office, not the whole area
    ("全年通过网络申请收到政府信息公开申请15件。", "网络申请"),
    ("自2019年以来累计受理政府信息公开申请150件。", "累计"),
    ("区政府办代表区政府受理政府信息公开申请17件。", "代表"),
])
def test_a_number_about_another_scope_is_a_warning_not_an_error(sentence, why):
    fs = check(twenty_one(sentence))
    assert errors(fs) == []
    (f,) = of(fs, "X1")
    assert f.severity == "warning" and why in f.message


def test_whole_area_words_in_a_department_report_are_another_scope():
    r = twenty_one("全区共受理政府信息公开申请95件。", agency="某市某区发展和改革局")
    fs = check(r)
    assert errors(fs) == [] and [f.severity for f in of(fs, "X1")] == ["warning"]


def test_cleanup_counts_are_not_this_years_documents():
    r = make_report(BASE.format(req="") + "对1985年以来发布的一万多件行政规范性文件开展清理，27件废止，11件失效，"
                    "现行有效规范性文件120件。")
    assert errors(check(r)) == []


# == real error shapes ======================================================================================
def test_text_total_quoting_one_column_is_x2_error_naming_the_column():
    fs = check(twenty_one("全年受理申请21件，予以公开及部分公开9件。"))
    (f,) = errors(fs)
    assert (f.rule, f.expected, f.actual) == ("X2", 12, 9)
    assert "自然人" in f.message and "12" in f.message and "9" in f.message


def test_text_total_quoting_one_sub_row_is_x2_error_naming_the_row():
    (f,) = errors(check(twenty_one("全年受理申请21件，无法提供1件。")))
    assert (f.rule, f.expected, f.actual) == ("X2", 2, 1)
    assert "本机关不掌握" in f.message


@pytest.mark.parametrize("sentence,left", [("本年度发生行政复议4件，均获维持。", "结果纠正 1 件"),
                                           ("本年度发生行政复议4件，均已结案。", "尚未审结 1 件")])
def test_all_upheld_while_table4_has_corrected_or_pending_cases_is_x4(sentence, left):
    r = make_report(BASE.format(req=sentence), table4_review=(2, 1, 0, 1, 4))
    (f,) = errors(check(r))
    assert f.rule == "X4" and left in f.message and f.expected == 0


def test_all_upheld_when_table4_agrees_is_fine():
    r = make_report(BASE.format(req="本年度发生行政复议4件，均获维持。"), table4_review=(4, 0, 0, 0, 4))
    assert errors(check(r)) == []


def test_in_force_in_text_against_table2_is_t2_8():
    (f,) = errors(check(make_report(BASE.format(req="目前现行有效行政规范性文件5件。"))))
    assert (f.rule, f.expected, f.actual) == ("T2-8", 3, 5)
    assert ("table2", "normative_documents", "in_force") in [(e.table, e.row, e.column) for e in f.evidence]


@pytest.mark.parametrize("sentence,ok", [("全年受理政府信息公开申请20件。", False),
                                         ("全年受理政府信息公开申请21件。", True),
                                         ("全年共受理政府信息公开申请23件（含上年结转2件）。", True)])
def test_application_count_in_text_against_new_received(sentence, ok):
    r = twenty_one(sentence)
    set_row(r, "carried_over", 2)
    set_row(r, "total_processed", 21, 18)
    set_row(r, "granted", 8, 6)
    fs = errors(check(r))
    assert (fs == []) is ok
    if not ok:
        assert [(f.rule, f.expected, f.actual) for f in fs] == [("X1", 21, 20)]


def test_new_received_with_total_zero_is_t3_1():
    r = make_report(BASE.format(req=""), new_received=0)
    set_row(r, "new_received", 4)
    fs = errors(check(r))
    assert "T3-1" in {f.rule for f in fs}
    t31 = next(f for f in fs if f.rule == "T3-1" and "总计" in f.message)
    assert "4" in t31.message and "0" in t31.message


def test_sub_rows_not_summing_in_one_column_is_t3_2_naming_the_column():
    r = twenty_one("")
    r.table3.rows["granted"]["commercial"] = Cell(3)      # 自然人4 + 商业企业3 = 7 ≠ 总计6 … and the column sum
    fs = [f for f in errors(check(r)) if f.rule == "T3-2"]
    assert fs and all("商业企业" in f.message for f in fs)


def test_cross_year_carried_forward_is_t3_6_with_both_sides():
    prev = twenty_one("")
    prev.year = 2022
    now = twenty_one("")
    set_row(prev, "carried_forward", 3)
    f = next(f for f in check(now, previous=prev) if f.rule == "T3-6" and "总计" in f.message)
    assert f.severity == "warning" and (f.expected, f.actual) == (3, 0)


def test_in_force_continuity_is_a_warning_with_numbers_unless_a_cleanup_explains_it():
    prev = make_report(BASE.format(req=""), normative=(2, 0, 10))
    prev.year = 2022
    now = make_report(BASE.format(req=""), normative=(1, 0, 3))      # 10 + 1 − 0 = 11 ≠ 3
    (f,) = of(check(now, previous=prev), "T2-4")
    assert f.severity == "warning" and (f.expected, f.actual) == (11, 3) and "10 + 1 − 0 = 11" in f.message
    cleaned = make_report(BASE.format(req="本年度对行政规范性文件开展了全面清理。"), normative=(1, 0, 3))
    (g,) = of(check(cleaned, previous=prev), "T2-4")
    assert g.severity == "info" and "清理" in g.message


def _fees(notices):
    return Table("fees", {FEES_ROW: {c: Cell(v) for c, v in zip(FEES_COLUMNS, (notices, 0, 0))}})


def test_fee_table_against_unpaid_fee_row():
    r = twenty_one("", s6="本年度信息处理费情况见下表。")
    set_row(r, "other_overdue_fee", 3)
    set_row(r, "other_other", 0)
    set_row(r, "granted", 5, 3)
    set_row(r, "partially_granted", 5, 4)
    set_row(r, "total_processed", 19, 16)
    r.fees = _fees(1)
    (f,) = [f for f in check(r) if f.rule in ("X5", "T3-8")]
    assert f.severity == "warning" and "3" in f.message and "1" in f.message
    r.fees = _fees(3)
    assert [f for f in check(r) if f.rule in ("X5", "T3-8")] == []


def test_section_six_lacks_a_fee_statement_only_without_table_and_sentence():
    assert of(check(make_report(BASE.format(req=""), s6="无")), "B8")
    with_table = make_report(BASE.format(req=""), s6="无")
    with_table.fees = _fees(0)
    assert of(check(with_table), "B8") == []
    assert of(check(make_report(BASE.format(req=""), s6="本年度未收取信息处理费。")), "B8") == []


# == formulas, catalogue, rendering ============================================================================
def test_one_formula_for_the_outcome_groups():
    assert formulas.table3_parts(["other_processing"])[-1] == "other_processing"
    assert formulas.table3_parts(["other_other"])[-3:] == ("other_overdue_correction", "other_overdue_fee",
                                                          "other_other")
    assert formulas.all_zero([0, None, 0]) and not formulas.all_zero([None, None]) and not formulas.all_zero([0, 1])
    n, d, v = formulas.RATES["disclosure_rate"].compute(lambda t, r, c: {"granted": 3, "partially_granted": 1,
                                                                         "total_processed": 8}[r])
    assert (n, d, v) == (4, 8, 0.5)


def test_every_reported_rule_is_in_the_catalogue_with_a_plain_title(shared):
    from ingest.extract import extract
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        for f in check_report(extract(path)):
            assert f.rule in RULES, f.rule
            assert RULES[f.rule].title and RULES[f.rule].advice
    assert RULES["T3-2"].title == "表三：办理结果各项之和与总计不符"


def test_rendering_shows_title_and_advice_and_quotes_a_shared_sentence_once():
    r = twenty_one("全年受理申请21件，予以公开及部分公开9件，无法提供1件。")
    text = render_findings(r, check(r))
    assert "正文与表三不一致：办理结果件数" in text and "[X2]" in text and "建议：" in text
    assert text.count("全年受理申请21件，予以公开及部分公开9件，无法提供1件。") == 1


# == the answer-key scorer ====================================================================================
def test_matching_follows_the_key_format():
    problem = {"family": ["X", "T3"], "numbers": ["1", "0"], "level": "error"}
    assert matches(Finding("T3-9", "error", "正文 1 件，表三 0 件"), problem)
    assert not matches(Finding("T3-9", "error", "正文 12 件，表三 0 件"), problem)     # 12 is not 1
    assert not matches(Finding("B4", "error", "1 0"), problem)
    assert matches(Finding("T2-4", "warning", "11 ≠ 3"), {"family": "C", "numbers": ["11", "3"], "level": "error"})
    assert matches(Finding("B5", "warning", "表二没有读到“规章”行"), {"family": "B", "numbers": [], "keywords": ["规章"]})
    s = score_report("x", [Finding("X1", "error", "5 4"), Finding("B4", "error", "缺表")],
                     [{"family": "X", "numbers": ["5", "4"], "level": "error"},
                      {"family": "T4", "numbers": ["11"], "level": "error"}])
    assert (s.errors, s.errors_matched, s.problems, s.problems_found) == (2, 1, 2, 1)


def test_eval_findings_on_the_shared_key_meets_the_targets(shared, capsys):
    from cli import main
    assert main(["eval", "findings", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["summary"]["reports"] == 13
    assert d["summary"]["precision"] is None or d["summary"]["precision"] >= 0.95
    assert d["summary"]["recall"] >= 0.90


# == the text index ==========================================================================================
def calls_made(work) -> int:
    """How many Python and builtin functions `work()` calls: a count of work that no other job's load changes
    (its seconds are measured in bench/validator.py)."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1
    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


def test_a_2mb_report_is_checked_in_linear_work(shared, tmp_path):
    from bench.validator import long_report
    small, big = long_report(200_000, tmp_path, shared), long_report(2_000_000, tmp_path, shared)
    assert len(big.section("s1_overview").text.encode()) > 1_500_000
    check_report(small)                                           # caches (regexes, words) filled beforehand
    calls = [calls_made(lambda r=r: check_report(r)) for r in (small, big)]
    assert calls[1] < 15 * calls[0], calls      # 10× the text: about 10× the calls, far from 100× (quadratic)
    assert {f.rule for f in check_report(big)} == {f.rule for f in check_report(small)}   # the same report, longer


# == one count everywhere =====================================================================================
def test_removing_last_years_report_rechecks_the_next_year_and_its_counts(tmp_path):
    from assistant.library_ops import remove_report
    from test_library import _library
    prev, now = twenty_one(""), twenty_one("")
    prev.year, prev.file, now.file = 2022, "prev.txt", "now.txt"
    prev.title = prev.title.replace("2023", "2022")
    set_row(prev, "carried_forward", 3)
    set_row(prev, "total_processed", 18, 15)
    set_row(prev, "granted", 5, 3)
    lib = _library(tmp_path / "lib")
    p = lib.store(prev, [f.to_json() for f in check(prev)], path="/virtual/prev.txt", file="prev.txt",
                  sha256="a" * 64).record
    stored = [f.to_json() for f in check(now, previous=prev)]
    n = lib.store(now, stored, path="/virtual/now.txt", file="now.txt", sha256="b" * 64).record
    assert any(f["rule"] == "T3-6" for f in lib.facts.findings(n.id))
    before = next(r for r in lib.reports() if r.id == n.id).n_warnings
    remove_report(lib, p.id, check=lambda r, previous=None: check_report(r, previous, today=date(2024, 6, 1)))
    after = lib.facts.findings(n.id)
    assert not any(f["rule"] == "T3-6" for f in after)
    record = next(r for r in lib.reports() if r.id == n.id)
    assert record.n_warnings == sum(f["severity"] == "warning" for f in after) < before


def test_choosing_last_years_other_edition_rechecks_the_next_year(tmp_path):
    from assistant.library_ops import use_edition
    from test_library import _library
    lib = _library(tmp_path / "lib")
    checker = lambda r, previous=None: check_report(r, previous, today=date(2024, 6, 1))   # noqa: E731
    editions = []
    for carried, sha in ((3, "a"), (2, "c")):                 # 结转下年度 3 (≠ 2023's 上年结转 2) and 2 (=)
        prev = twenty_one("")
        prev.year, prev.file, prev.title = 2022, f"prev-{carried}.txt", prev.title.replace("2023", "2022")
        set_row(prev, "carried_forward", carried)
        set_row(prev, "total_processed", 16 + carried, 13 + carried)
        set_row(prev, "granted", 3 + carried, 1 + carried)
        editions.append(_store_checked(lib, prev, checker, sha))
    assert [r.id for r in lib.reports() if r.year == 2022] == [editions[1]]     # same date: the one stored last
    now = twenty_one("")
    now.file = "now.txt"
    set_row(now, "carried_over", 2)
    set_row(now, "total_processed", 21, 18)
    n = _store_checked(lib, now, checker, "b")
    t36 = lambda: [f for f in lib.facts.findings(n) if f["rule"] == "T3-6"]                # noqa: E731
    assert t36() == []
    chosen = use_edition(lib, editions[0], check=checker)
    assert chosen.edition_of is None and [r.id for r in lib.reports() if r.year == 2022] == [editions[0]]
    assert t36() and all("结转下年度继续办理” 3" in f["message"] for f in t36())
    record = next(r for r in lib.reports() if r.id == n)
    assert record.n_warnings + record.n_errors == len(lib.facts.findings(n))
    use_edition(lib, editions[1], check=checker)             # and back
    assert t36() == []


def _store_checked(lib, report, checker, sha: str) -> str:
    """Store `report` with its findings against the library's previous year; its id."""
    from assistant.library_ops import previous_report
    findings = [f.to_json() for f in checker(report, previous=previous_report(lib, report.agency, report.year))]
    return lib.store(report, findings, path=f"/virtual/{report.file}", file=report.file, sha256=sha * 64).record.id


def test_an_error_on_a_table_we_may_have_misread_is_a_warning():
    r = twenty_one("")
    set_row(r, "granted", 7, 5)                      # T3-2 and T3-1 would be errors …
    assert {f.rule for f in errors(check(r))} >= {"T3-2"}
    r.warnings.append(Warning("label_missing", "一行的行名丢失，按位置放入", table="table3", row="granted"))
    fs = check(r)                                    # … but that row was placed by position
    assert errors(fs) == []
    assert any(f.rule == "T3-2" and f.severity == "warning" and "读取提示" in f.message for f in fs)


def test_no_applications_said_by_the_office_alone_is_another_scope():
    fs = check(twenty_one("本机关全年未收到政府信息公开申请。"))
    assert errors(fs) == [] and [f.severity for f in of(fs, "X3")] == ["warning"]


@pytest.mark.parametrize("sentence,why", [("2022年共受理政府信息公开申请10件，2023年共受理政府信息公开申请21件。", "2022"),
                                          ("全年受理政府信息公开申请21件，按期办结申请18件。", "按期")])
def test_a_number_about_another_year_or_a_subset_is_not_an_error(sentence, why):
    fs = check(twenty_one(sentence))
    assert errors(fs) == [] and any(why in f.message for f in fs if f.rule == "X1")


def test_applications_in_text_quoting_only_the_natural_person_column_is_x1_error_naming_it():
    (f,) = errors(check(twenty_one("全年共受理政府信息公开申请18件。")))
    assert (f.rule, f.expected, f.actual) == ("X1", 21, 18) and "自然人" in f.message


def test_the_catalogue_names_a_check_that_runs_for_every_rule():
    from assistant.validator import CHECKS
    assert {r.check for r in RULES.values()} <= set(CHECKS)
    assert all(r.severity in ("error", "warning", "info") and r.ref for r in RULES.values())
