"""Red team of the error-level rules (issue 16b): sentences and tables written the way real 年报 of the shared
families write them, which a rule read as a contradiction while they count something else (another period,
a part, one reason, another body's cases). Each must give no error; where a number may still be compared, a
warning says why it may differ. The real errors these rules exist for stay errors (the last block)."""
from __future__ import annotations

import pytest

from test_validator_text import BASE, make_report
from test_validator_trust import check, errors, of, set_row, twenty_one


def warned(findings, rule, why):
    """The findings of `rule` are all warnings and one names `why`."""
    fs = of(findings, rule)
    return fs != [] and {f.severity for f in fs} == {"warning"} and any(why in f.message for f in fs)


# == X1: a count of applications of another period, another body or a part ================================
@pytest.mark.parametrize("sentence,why", [
    ("与上年受理的政府信息公开申请16件相比，本年增加5件。", "上年"),
    ("12月共受理政府信息公开申请3件。", "12月"),
    ("第四季度受理政府信息公开申请8件。", "四季度"),
    ("近三年共受理政府信息公开申请60件。", "近三年"),
    ("2023年1月受理的政府信息公开申请5件已全部办结。", "1月"),
    ("各镇（街道）共受理政府信息公开申请35件。", "各镇"),
    ("全年受理政府信息公开申请24件，其中重复申请3件不计入。", "不计入"),
])
def test_applications_of_another_period_body_or_part_are_a_warning(sentence, why):
    fs = check(twenty_one(sentence))
    assert errors(fs) == [] and warned(fs, "X1", why)


def test_the_whole_year_written_as_months_is_still_compared():
    for sentence in ("2023年1月1日至12月31日，共受理政府信息公开申请20件。", "1-12月共受理政府信息公开申请20件。",
                     "截至2023年12月31日，共受理政府信息公开申请20件。"):
        assert [(f.rule, f.expected, f.actual) for f in errors(check(twenty_one(sentence)))] == [("X1", 21, 20)]


def test_working_days_are_not_applications():
    fs = check(twenty_one("全年办结政府信息公开申请19件，平均答复时间9个工作日。"))
    assert errors(fs) == [] and of(fs, "X1") == []


def test_processed_count_after_the_noun_is_compared():
    (f,) = errors(check(twenty_one("全年办结政府信息公开申请20件。")))
    assert (f.rule, f.expected, f.actual) == ("X1", 19, 20)


# == X2: a number for one reason of an outcome group ========================================================
def test_an_outcome_count_for_one_named_reason_is_a_warning():
    fs = check(twenty_one("全年受理政府信息公开申请21件，其中因申请内容不明确、经补正后仍不明确无法提供1件。"))
    assert errors(fs) == [] and warned(fs, "X2", "不明确")


# == X3: “未收到……申请” of one kind, or of another year, or about fees ========================================
@pytest.mark.parametrize("sentence,why", [
    ("未收到涉及国家秘密的政府信息公开申请。", "涉及国家秘密"),
    ("全年未收到外籍人员提出的政府信息公开申请。", "外籍人员"),
    ("全年未收到收费类政府信息公开申请。", None),
    ("无依申请公开信息处理费收取情况。", None),
    ("上年度未收到政府信息公开申请，本年度受理21件。", "上年"),
    ("各镇（街道）未收到政府信息公开申请。", "各镇"),
])
def test_no_applications_of_one_kind_or_period_is_not_an_x3_error(sentence, why):
    fs = check(twenty_one(sentence))
    assert errors(fs) == []
    assert warned(fs, "X3", why) if why else of(fs, "X3") == []


def test_no_applications_from_anyone_is_still_x3():
    (f,) = errors(check(twenty_one("全年未收到任何公民、法人或其他组织提出的政府信息公开申请。")))
    assert (f.rule, f.actual) == ("X3", 21)


# == X4: the unit's reviews and lawsuits on all its work, not 表四 ===========================================
def oversight(sentence: str):
    """The sentence in （五）监督保障; 表四 行政复议 4 = 维持2 + 纠正1 + 尚未审结1."""
    return make_report(BASE.replace("（五）监督保障情况。", "（五）监督保障情况。" + sentence)
                       .format(req="全区共受理政府信息公开申请5件。"), table4_review=(2, 1, 0, 1, 4))


@pytest.mark.parametrize("sentence", [
    "全年承办行政诉讼案件12件，行政复议案件5件，均获胜诉。",
    "全年办理行政复议案件35件，均依法审结。",
    "区政府作为复议机关受理行政复议申请86件，行政复议决定均获维持。",
    "全年行政应诉案件12件，行政诉讼均获胜诉。",
    "区法院审理行政诉讼案件56件。",
])
def test_reviews_and_lawsuits_of_the_units_other_work_are_not_table4(sentence):
    assert of(check(oversight(sentence)), "X4") == []


@pytest.mark.parametrize("sentence,why", [
    ("全年受理政府信息公开申请21件，受理行政复议申请2件。", "受理"),
    ("全年受理政府信息公开申请21件。行政复议申请2件。", "没有写明"),
    ("去年因政府信息公开被提起行政诉讼1件，已于今年3月审结。", "去年"),
    ("因政府信息公开被提起行政诉讼1件（上年结转案件），已审结。", "上年"),
])
def test_review_counts_that_may_count_other_cases_are_a_warning(sentence, why):
    fs = check(twenty_one(sentence))
    assert errors(fs) == [] and warned(fs, "X4", why)


@pytest.mark.parametrize("sentence", [
    "全年受理行政复议申请35件，其中涉及政府信息公开的0件。",
    "全区共收到行政复议申请120件，其中政府信息公开类0件。",
    "政府信息公开行政复议、行政诉讼共4件。",
])
def test_a_total_of_all_cases_or_of_both_kinds_is_not_compared(sentence):
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。" + sentence), table4_review=(2, 1, 0, 1, 4))
    assert of(check(r), "X4") == []


# == the real errors stay errors ==========================================================================
@pytest.mark.parametrize("sentence,rule,expected,actual", [
    ("2023年，我区共受理政府信息公开申请二十件，均已办结。", "X1", 21, 20),
    ("全年受理政府信息公开申请21件，结转下年度3件。", "X1", 2, 3),
    ("全年受理政府信息公开申请21件，予以公开7件。", "X2", 6, 7),
    ("全年受理政府信息公开申请21件，无法提供3件。", "X2", 2, 3),
    ("2023年，未收到政府信息公开申请。", "X3", 0, 21),
    ("本年度因政府信息公开被申请行政复议2件。", "X4", 0, 2),
    ("因政府信息公开工作被提起行政诉讼1件。", "X4", 0, 1),
])
def test_real_contradictions_remain_errors(sentence, rule, expected, actual):
    assert [(f.rule, f.expected, f.actual) for f in errors(check(twenty_one(sentence)))] == [(rule, expected, actual)]


def test_carried_over_counts_in_text_agree_with_a_table_that_has_them():
    r = twenty_one("全年共受理政府信息公开申请23件（含上年结转2件），答复21件，上年结转的2件申请已于1月办结。")
    set_row(r, "carried_over", 2)
    set_row(r, "total_processed", 21, 18)
    set_row(r, "granted", 8, 6)
    assert errors(check(r)) == []


# == X1/X2: parts, channels and joint counts ================================================================
@pytest.mark.parametrize("sentence", [
    "收到的政府信息公开申请中有3件为重复申请。",
    "全年受理政府信息公开申请21件，予以公开（含部分公开）12件。",
    "全年受理政府信息公开申请21件，公开和部分公开共12件。",
    "全年受理政府信息公开申请21件，不予公开、部分公开9件。",
    "全年受理政府信息公开申请21件，现场答复2件，书面答复17件。",
    "全年共受理政府信息公开申请2\n- 3 -\n1件，均已办结。",
    "全年共受理15人次提出的政府信息公开申请21件。",
    "全年受理政府信息公开申请21件，较上年增加十二件。",
])
def test_parts_channels_and_joint_counts_are_not_x_errors(sentence):
    assert errors(check(twenty_one(sentence))) == []


def test_a_wrong_joint_count_of_granted_and_partial_is_still_x2():
    (f,) = errors(check(twenty_one("全年受理申请21件，予以公开（含部分公开）13件。")))
    assert (f.rule, f.expected, f.actual) == ("X2", 12, 13)


# == T2-8: documents not made this year, or by other bodies ================================================
@pytest.mark.parametrize("sentence", [
    "2023年，全区共制定行政规范性文件6件。",
    "2023年，全区政府门户网站公开行政规范性文件36件。",
    "2023年拟制定行政规范性文件2件。",
    "2023年，按计划制定行政规范性文件2件，实际制定1件。",
    "2023年新增现行有效行政规范性文件1件，累计现行有效3件。",
    "2022年我区制定行政规范性文件4件，2023年制定1件。",
])
def test_documents_of_other_bodies_plans_or_changes_are_not_t2_8_errors(sentence):
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。") + sentence)      # 表二 制发1 废止0 现行有效3
    assert errors(check(r)) == []


def test_documents_made_this_year_against_table2_stay_an_error():
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。") + "2023年，我区印发行政规范性文件2件。")
    assert [(f.rule, f.expected, f.actual) for f in errors(check(r))] == [("T2-8", 1, 2)]


# == D2: a past year told in this year's report ===========================================================
@pytest.mark.parametrize("sentence", [
    "2022年度，我区政务公开工作在全市考核中获评优秀等次。",
    "2022年，我区被确定为全省基层政务公开标准化规范化试点。",
])
def test_a_past_years_result_is_not_a_d2_error(sentence):
    r = make_report(BASE.format(req="2023年，全区共受理政府信息公开申请5件。" + sentence))
    assert of(check(r), "D2") == []


def test_another_year_is_a_warning_when_the_overview_also_names_its_own_year():
    r = make_report(BASE.format(req="2023年，全区共受理政府信息公开申请5件。2022年，我局开展了政府信息公开专项检查。"))
    assert [f.severity for f in of(check(r), "D2")] == ["warning"]
    copied = make_report(BASE.format(req="2022年，全区共受理政府信息公开申请5件。"))
    assert [(f.severity, f.actual) for f in of(check(copied), "D2")] == [("error", 2022)]


# == D3: a deadline the law does not set ====================================================================
@pytest.mark.parametrize("agency,severity", [("某市某区某镇人民政府", "warning"), ("某市经济技术开发区管理委员会", "warning"),
                                             ("某市某区发展和改革局", "error"), ("某市某区人民政府", None)])
def test_late_publication_is_certain_only_where_the_law_sets_the_deadline(agency, severity):
    r = make_report(BASE.format(req=""), agency=agency, published="2024-02-20")
    assert [f.severity for f in of(check(r), "D3")] == ([severity] if severity else [])


# == F1: the first year of the 2021 format is not verified ===================================================
@pytest.mark.parametrize("year,severity", [(2021, "warning"), (2022, "error")])
def test_the_old_table2_is_certainly_outdated_from_the_2022_reports_on(year, severity):
    from ingest.report import Cell, Table
    from ingest.schema import TABLE2_2019_ROWS
    r = make_report(BASE.format(req=""))
    r.year, r.format = year, "2019"
    r.table2 = Table("table2", {row: {c: Cell(0) for c in cols} for row, (_, cols) in TABLE2_2019_ROWS.items()})
    assert [f.severity for f in of(check(r), "F1")] == [severity]


# == X1: applications of another kind ===================================================================
@pytest.mark.parametrize("sentence", [
    "全年受理行政许可申请1200件。",
    "全年受理不动产登记申请560件。",
    "全年受理最低生活保障申请35件，公开低保对象名单12批次。",
    "全年收到企业开办申请300件。",
    "全年收到公开征集意见申请2件。",
    "全年收到各类申请80件。",
    "受理查阅档案申请46件。",
    "全年办结行政许可申请1200件。",
])
@pytest.mark.parametrize("where", ["（二）依申请公开情况。", "（五）监督保障情况。"])
def test_other_kinds_of_applications_are_not_compared_with_table3(sentence, where):
    r = make_report(BASE.replace(where, where + sentence).format(req="全区共受理政府信息公开申请5件。"))
    assert [f for f in check(r) if f.rule in ("X1", "T3-9")] == []


def test_a_bare_application_count_outside_the_requests_part_is_a_warning():
    r = make_report(BASE.replace("（五）监督保障情况。", "（五）监督保障情况。全年受理申请12件。").format(req=""))
    fs = check(r)
    assert errors(fs) == [] and warned(fs, "X1", "没有写明是政府信息公开申请")


# == X4: some of the cases, counts before their result, last year's case ======================================
@pytest.mark.parametrize("sentence", [
    "本年度因政府信息公开被申请行政复议4件，已审结的3件均获维持，1件尚在审理中。",
    "本年度因政府信息公开被申请行政复议4件，除1件被纠正、1件尚未审结外，其余均获维持。",
    "因政府信息公开被申请行政复议4件，其中2件维持原答复，1件被纠正，1件尚未审结。",
])
def test_results_of_some_of_the_reviews_agree_with_table4(sentence):
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。" + sentence), table4_review=(2, 1, 0, 1, 4))
    assert errors(check(r)) == []


def test_a_result_count_written_before_its_word_is_compared():
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。因政府信息公开被申请行政复议4件，其中3件维持原答复，"
                                    "1件被纠正。"), table4_review=(2, 1, 0, 1, 4))
    assert [(f.rule, f.expected, f.actual) for f in errors(check(r))] == [("X4", 2, 3)]


def test_last_years_lawsuit_told_next_to_no_new_cases_is_a_warning():
    from ingest.report import Cell
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。本年度没有发生因政府信息公开被申请行政复议和提起行政诉讼的"
                                    "情况，上年度结转的1件行政诉讼已审结。"))
    r.table4.rows["litigation_direct"]["upheld"] = Cell(1)
    r.table4.rows["litigation_direct"]["total"] = Cell(1)
    fs = check(r)
    assert errors(fs) == [] and warned(fs, "X4", "上年") and of(fs, "X1") == []


# == T2-8: documents in force counted for a 目录, a review, with other kinds ===================================
@pytest.mark.parametrize("sentence", [
    "在政府网站公布现行有效行政规范性文件目录，收录现行有效行政规范性文件45件。",
    "及时更新现行有效行政规范性文件目录，目前共收录现行有效行政规范性文件及部门文件56件。",
    "开展现行有效行政规范性文件梳理，共梳理现行有效行政规范性文件45件。",
    "对现行有效的45件行政规范性文件逐一审查。",
    "公开现行有效规章和行政规范性文件共5件。",
    "2023年，现行有效的上级行政规范性文件12件已转发。",
    "截至2023年12月31日，现行有效行政规范性文件5件（含区政府办公室文件2件）。",
    "2023年，我区制定规章和行政规范性文件共3件。",
])
def test_documents_counted_for_other_purposes_are_not_t2_8_errors(sentence):
    r = make_report(BASE.format(req="全区共受理政府信息公开申请5件。") + sentence)      # 表二 制发1 废止0 现行有效3
    assert errors(check(r)) == []


# == B1: a part under another name ======================================================================
def test_a_part_printed_under_another_heading_is_a_warning_and_a_missing_one_an_error():
    from ingest.report import Section
    r = make_report(BASE.format(req=""))
    one = r.section("s1_overview")
    r.sections = [s for s in r.sections if s.key != "s1_overview"]
    renamed = Section("preamble", "前言", "前言", r.sections[0].text + "\n一、基本情况\n" + one.text.replace("总体情况", ""))
    r.sections[0] = renamed
    assert [f.severity for f in of(check(r), "B1")] == ["warning"]
    r.sections[0] = Section("preamble", "前言", "前言", "本报告依据条例编制。\n一、本年新收政府信息公开申请数量")
    assert [f.severity for f in of(check(r), "B1")] == ["error"]


# == 表三 read with its 总计 column one row off =============================================================
def test_a_table_breaking_many_equations_at_once_is_a_reading_doubt_not_errors():
    from ingest.report import Cell
    r = twenty_one("")
    rows = list(r.table3.rows)
    totals = [r.table3.rows[row]["total"].value for row in rows]
    for row, v in zip(rows, [0] + totals[:-1]):          # the 总计 column slid down one row
        r.table3.rows[row]["total"] = Cell(v)
    fs = [f for f in check(r) if f.rule in ("T3-1", "T3-2", "T3-3")]
    assert len(fs) >= 6 and {f.severity for f in fs} == {"warning"} and "读错了行列" in fs[0].message
    one_wrong = twenty_one("")
    one_wrong.table3.rows["granted"]["total"] = Cell(7)   # one wrong cell: its row and its column, still errors
    assert {f.rule for f in errors(check(one_wrong))} == {"T3-2", "T3-3"}


# == D1: part of the report's year =========================================================================
@pytest.mark.parametrize("period,severity", [("自2023年3月1日起至2023年12月31日止", "warning"),
                                             ("自2022年1月1日起至2022年12月31日止", "error")])
def test_a_period_inside_the_reports_year_is_a_warning_another_year_an_error(period, severity):
    r = make_report(BASE.format(req=""), preamble=f"本年度报告中所列数据的统计期限{period}。")
    assert [f.severity for f in of(check(r), "D1")] == [severity]


def test_reasons_given_as_examples_count_the_whole_group():
    (f,) = errors(check(twenty_one("全年受理政府信息公开申请21件，属信访、重复申请等不予处理1件。")))
    assert (f.rule, f.expected, f.actual) == ("X2", 0, 1)


def test_a_review_count_followed_by_a_lawsuit_sentence_part_is_compared():
    fs = errors(check(twenty_one("政府信息公开行政复议3件，其中结果维持3件；政府信息公开行政诉讼1件，其中结果维持1件。")))
    assert [(f.rule, f.expected, f.actual) for f in fs] == [("X4", 0, 3), ("X4", 0, 3), ("X4", 0, 1), ("X4", 0, 1)]


# == a correction of an earlier report, last year's 结转 ====================================================
@pytest.mark.parametrize("sentence,why", [
    ("经核查，我局2022年度报告中结转下年度申请5件有误，应更正为3件。", "2022"),
    ("去年同期结转下年度申请5件。", "去年"),
    ("更正说明：上年度报告“本年新收”误填为15件，现更正，本年度共受理政府信息公开申请15件。", "更正"),
])
def test_a_corrected_or_last_years_figure_is_a_warning(sentence, why):
    fs = check(twenty_one(sentence))
    assert errors(fs) == [] and warned(fs, "X1", why)


def test_this_years_carried_counts_stay_errors():
    fs = errors(check(twenty_one("全年受理申请21件，结转下年度5件。上年度结转申请2件，本年度均已办结。")))
    assert [(f.rule, f.expected, f.actual) for f in fs] == [("X1", 2, 5), ("X1", 0, 2)]
