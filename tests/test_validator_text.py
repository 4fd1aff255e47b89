"""Text rules on small reports built in code: numbers in Chinese words, units, sentences about other
quantities, scope (口径), parts-vs-total, dates. The real files are checked in test_validator_reports.py."""
from __future__ import annotations

from datetime import date

import pytest

from assistant.numbers_zh import parse_chinese_number, quantities
from assistant.units import DeadlinePolicy, unit_kind
from assistant.validator import check_report
from ingest.report import Cell, Report, Section, Table
from ingest.schema import TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_GROUPS


@pytest.mark.parametrize("text,value,exact", [("十二件", 12, True), ("两件", 2, True), ("二十一件", 21, True),
                                              ("3,119件", 3119, True), ("约8450条", 8450, False),
                                              ("一万多件", 10000, False), ("200余条", 200, False)])
def test_quantities_read_chinese_and_arabic_numbers(text, value, exact):
    (q,) = quantities(text)
    assert (q.value, q.exact) == (value, exact)


def test_money_units_convert_to_wan():
    qs = quantities("三公经费603.564万元，其中因公出国经费0亿元，收取处理费3940元")
    assert [(q.unit, q.wan) for q in qs] == [("万元", 603.564), ("亿元", 0.0), ("元", 0.394)]


def test_words_that_contain_numerals_are_not_counts():
    assert quantities("第一条规定，一是加强，二十大精神，三审三校") == []
    assert parse_chinese_number("一万三千") == 13000


def test_unit_kinds():
    assert unit_kind("淮安市洪泽区人民政府").level == "county"
    assert unit_kind("淮安市人民政府").level == "city"
    assert unit_kind("赣州经济技术开发区凤岗镇人民政府").level == "township"
    assert unit_kind("赣县区行政审批局").level == "department"
    assert unit_kind("上海市人民政府办公厅").office


# -- a small report built in code ------------------------------------------------------------------
def make_report(s1: str, *, new_received: int = 5, s6: str = "本年度未收取信息处理费。", agency: str = "某市某区人民政府",
                published: str | None = "2024-01-20", table4_review=(0, 0, 0, 0, 0), preamble: str | None = None,
                normative=(1, 0, 3)) -> Report:
    t3 = Table("table3")
    for r in TABLE3_ROWS:
        if r == "other_processing":
            continue
        v = {"new_received": new_received, "granted": new_received, "total_processed": new_received}.get(r, 0)
        t3.rows[r] = {c: Cell(v if c in ("natural_person", "total") else 0) for c in TABLE3_COLUMNS}
    t4 = Table("table4")
    for g in TABLE4_GROUPS:
        vals = table4_review if g == "review" else (0, 0, 0, 0, 0)
        t4.rows[g] = {k: Cell(v) for k, v in zip(TABLE4_COLUMNS, vals)}
    t2 = Table("table2", {"regulations": {k: Cell(0) for k in ("issued", "repealed", "in_force")},
                          "normative_documents": {k: Cell(v) for k, v in zip(("issued", "repealed", "in_force"), normative)},
                          **{r: {"value": Cell(0)} for r in ("administrative_license", "administrative_penalty",
                                                              "administrative_coercion", "administrative_fees")}})
    pre = preamble or ("本报告依据《中华人民共和国政府信息公开条例》和《关于印发中华人民共和国政府信息公开工作年度报告格式的通知》"
                       "（国办公开办函〔2021〕30号）编制。本年度报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。")
    sections = [
        Section("preamble", "前言", "前言", pre, line=2),
        Section("s1_overview", "一、总体情况", "一、总体情况", s1, line=4),
        Section("s2_proactive", "二、主动公开政府信息情况", "二、主动公开政府信息情况", "", line=10),
        Section("s3_requests", "三、收到和处理政府信息公开申请情况", "三、收到和处理政府信息公开申请情况", "", line=20),
        Section("s4_review_litigation", "四、政府信息公开行政复议、行政诉讼情况", "四、政府信息公开行政复议、行政诉讼情况", "",
                line=30),
        Section("s5_problems", "五、存在的主要问题及改进情况", "五、存在的主要问题及改进情况",
                "2022年报提出的“解读形式单一”问题，2023年已制作图解12期，已整改。存在的问题：依申请答复中“本机关不掌握”占41%。"
                "下一步由办公室负责在3月底前修订依申请公开指南。", line=40),
        Section("s6_other", "六、其他需要报告的事项", "六、其他需要报告的事项", s6, line=50),
    ]
    return Report(file="made.txt", agency=agency, year=2023, format="2021", published=published,
                  title=f"{agency}2023年政府信息公开工作年度报告", table2=t2, table3=t3, table4=t4, sections=sections)


def rules(findings, severity=None):
    return sorted(f.rule for f in findings if severity is None or f.severity == severity)


def check(report, **kw):
    return check_report(report, today=date(2024, 6, 1), **kw)


BASE = ("（一）主动公开情况。主动公开政府信息120条。（二）依申请公开情况。{req}（三）政府信息管理情况。严格审核。"
        "（四）政府信息公开平台建设情况。网站改版。（五）监督保障情况。开展工作考核、社会评议和责任追究。")


def test_a_consistent_report_gives_no_finding_above_info():
    r = make_report(BASE.format(req="2023年，全区共受理政府信息公开申请五件，均已办结。"))
    assert [f for f in check(r) if f.severity != "info"] == []


def test_chinese_number_in_text_against_table():
    r = make_report(BASE.format(req="2023年，全区共受理政府信息公开申请十二件，其中予以公开十二件。"))
    x = [f for f in check(r) if f.rule in ("X1", "X2")]
    assert [(f.rule, f.severity, f.expected, f.actual) for f in x] == [("X1", "error", 5, 12), ("X2", "error", 5, 12)]
    assert any(e.kind == "sentence" and "十二件" in e.text for e in x[0].evidence)
    assert any(e.kind == "cell" and e.row == "new_received" and e.column == "total" for e in x[0].evidence)


def test_approximate_numbers_are_not_compared():
    r = make_report(BASE.format(req="2023年，全区受理政府信息公开申请一万多件。"))
    assert "X1" not in rules(check(r))


@pytest.mark.parametrize("sentence", [
    "2023年共受理建议提案3件，办结率100%。",
    "全年收到12345热线转办工单22881件。",
    "全年备案行政规范性文件3件，受理备案审查申请2件。",
    "受理网络问政182件。",
])
def test_sentences_about_other_quantities_make_no_error(sentence):
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。" + sentence))
    assert rules(check(r), "error") == []


def test_a_sub_unit_speaking_for_the_whole_gives_a_scope_warning():
    r = make_report(BASE.format(req="2024年，区政府办代表区政府受理政府信息公开申请17件，均已在法定期限内予以答复。"),
                    new_received=95)
    x1 = [f for f in check(r) if f.rule == "X1"]
    assert [(f.severity, f.expected, f.actual) for f in x1] == [("warning", 95, 17)]
    assert "口径可能不同" in x1[0].message


def test_received_may_include_carried_over():
    r = make_report(BASE.format(req="全区共受理政府信息公开申请7件（含上年结转2件）。"))
    r.table3.rows["carried_over"]["total"] = Cell(2)
    r.table3.rows["carried_over"]["natural_person"] = Cell(2)
    assert "X1" not in rules(check(r))


def test_all_zero_table_with_applications_in_text_is_t3_9():
    r = make_report(BASE.format(req="2023年，我镇受理政府信息公开申请1件，均在法定期限内办结。"), new_received=0)
    t39 = [f for f in check(r) if f.rule == "T3-9"]
    assert [(f.severity, f.expected, f.actual) for f in t39] == [("error", 1, 0)]


def test_no_applications_in_text_but_table_has_some_is_x3():
    r = make_report(BASE.format(req="2023年，未收到政府信息公开申请。"), new_received=3)
    assert [(f.rule, f.severity, f.actual) for f in check(r) if f.rule == "X3"] == [("X3", "error", 3)]


def test_no_review_in_text_but_table4_has_cases_is_x4():
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。无相关行政复议、行政诉讼情况。"),
                    table4_review=(1, 0, 0, 0, 1))
    x4 = [f for f in check(r) if f.rule == "X4"]
    assert [(f.severity, f.actual) for f in x4] == [("error", 1)]


def test_review_counts_and_parts_in_text():
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。政府信息公开行政复议3件，其中结果维持2件，结果纠正1件；"
                                    "行政诉讼0件。"), table4_review=(2, 0, 0, 0, 2))
    x4 = [(f.severity, f.expected, f.actual) for f in check(r) if f.rule == "X4"]
    assert x4 == [("error", 2, 3), ("error", 0, 1)]        # 总计 3 ≠ 2; 结果纠正 1 ≠ 0


def test_parts_larger_than_total_is_x6_warning():
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。") +
                    "全年主动公开政府信息100条，其中网站60条，公众号30条，其他渠道20条。")
    x6 = [f for f in check(r) if f.rule == "X6"]
    assert [(f.severity, f.expected, f.actual) for f in x6] == [("warning", 100, 110)]


def test_fee_text_in_yuan_against_table_in_wan():
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。") + "全年行政事业性收费7730.28万元。")
    r.table2.rows["administrative_fees"]["value"] = Cell(77302800)
    t27 = [f for f in check(r) if f.rule == "T2-7"]
    assert [(f.severity, f.actual) for f in t27] == [("warning", 7730.28)]
    assert "10000 倍" in t27[0].message


def test_unpaid_fee_rows_need_notices_in_section_six():
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。"))
    r.table3.rows["other_overdue_fee"]["total"] = Cell(2)
    r.table3.rows["other_overdue_fee"]["natural_person"] = Cell(2)
    r.table3.rows["granted"]["total"] = Cell(3)
    r.table3.rows["granted"]["natural_person"] = Cell(3)
    assert [(f.rule, f.severity) for f in check(r) if f.rule in ("T3-8", "X5")] == [("T3-8", "warning")]
    r.sections[-1] = Section("s6_other", "六、其他需要报告的事项", "六、其他需要报告的事项",
                             "本年发出收费通知1件，金额200元，实际收取0元。", line=50)
    assert [(f.rule, f.severity, f.actual) for f in check(r) if f.rule in ("T3-8", "X5")] == [("X5", "warning", 1)]


def test_issued_documents_in_text_vs_table2():
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。") + "2023年我区制定的2个行政规范性文件均已公开。")
    t28 = [f for f in check(r) if f.rule == "T2-8"]
    assert [(f.severity, f.expected, f.actual) for f in t28] == [("error", 1, 2)]


def test_deadline_and_dates():
    late = make_report(BASE.format(req=""), published="2024-04-02")
    d3 = [f for f in check(late) if f.rule == "D3"]
    assert [(f.severity, f.expected) for f in d3] == [("error", "2024-03-31")]
    on_time = make_report(BASE.format(req=""), published="2024-01-31", agency="某县某局")
    assert "D3" not in rules(check(on_time))
    province = DeadlinePolicy(overrides={"某县": (2, 28)})
    assert [f.expected for f in check(make_report(BASE.format(req=""), published="2024-03-01", agency="某县某局"),
                                      policy=province) if f.rule == "D3"] == ["2024-02-28"]
    wrong = make_report(BASE.format(req=""), preamble="统计期限自2022年1月1日起至2022年12月31日止。")
    assert [(f.rule, f.severity) for f in check(wrong) if f.rule == "D1"] == [("D1", "error")]
    no_date = make_report(BASE.format(req=""), published=None)
    assert [f.severity for f in check(no_date) if f.rule == "D3"] == ["warning"]
    assert [f.severity for f in check_report(no_date, today=date(2024, 1, 10)) if f.rule == "D3"] == ["info"]


def test_section_six_without_fee_statement_is_b8():
    r = make_report(BASE.format(req=""), s6="无")
    assert [(f.rule, f.severity) for f in check(r) if f.rule == "B8"] == [("B8", "warning")]


def test_missing_section_is_b1_error():
    r = make_report(BASE.format(req=""))
    r.sections = [s for s in r.sections if s.key != "s6_other"]
    assert [(f.rule, f.severity) for f in check(r) if f.rule == "B1"] == [("B1", "error")]
