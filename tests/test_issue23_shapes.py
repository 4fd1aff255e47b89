"""Issue 23's shapes, each written as the shape over reports made here (other units, other numbers than the
shared ones): a unit whose name is misprinted (in the report or in the question), a unit we do not hold, numbers
as printed, every part of a multi-part question, the measure asked and not its neighbour, what an annual report
cannot know, a new question in a chat; drafts of 五 that assert nothing unsourced and count last year's problems
with the parser 与上年比对 uses; the checks (a glued row no split balances, figures under another year, the 2019
form named by its printed items, 2019-form text claims); glued 表二 rows settled by text or last year's report."""
from __future__ import annotations

import copy
import hashlib
import json
import re

import pytest

from conftest import gold
from assistant.aliases import find_near_agencies
from assistant.answer import OFFLINE, answer
from assistant.gazetteer import is_division, misprinted_division
from assistant.query import parse_question
from ingest.report import Cell, Report, Section, Table, Warning
from ingest.schema import FEES_ROW, TABLE3_COLUMNS
from vectorstore.library import Library

PRINTED, REAL = "宿迁市泗红县人民政府", "宿迁市泗洪县人民政府"       # 泗红县 is no county: a misprint of 泗洪县
CITY = "连云港市人民政府"
ZONE = "苏州工业园区管理委员会"


def _store(lib: Library, report: Report, name: str) -> None:
    sha = hashlib.sha256((name + json.dumps(report.to_json(), ensure_ascii=False, sort_keys=True)).encode()).hexdigest()
    lib.store(report, [], path=f"/virtual/{name}", file=name, sha256=sha)


def _row(t: Table, row: str, total, np=None) -> None:
    np = total if np is None else np
    t.rows[row] = {c: Cell(0) for c in TABLE3_COLUMNS}
    t.rows[row]["natural_person"] = Cell(np)
    t.rows[row]["commercial"] = Cell(total - np)
    t.rows[row]["total"] = Cell(total)


def _unit(agency: str, year: int, received: int, natural: int, forward: int, review=(4, 2, 1, 3, 10),
          direct=(2, 1, 0, 1, 4), after=(1, 0, 0, 0, 1), penalty=0) -> Report:
    r = Report.from_json(copy.deepcopy(gold("007_huaian")))
    r.agency, r.year, r.file = agency, year, f"{agency}{year}.pdf"
    r.title = f"{agency}{year}年政府信息公开工作年度报告"
    r.published = f"{year + 1}-01-20"
    t3 = r.table3
    for row in list(t3.rows):
        _row(t3, row, 0)
    _row(t3, "new_received", received, natural)
    _row(t3, "granted", received - forward, natural - forward)
    _row(t3, "total_processed", received - forward, natural - forward)
    _row(t3, "carried_forward", forward, forward)
    for g, vals in (("review", review), ("litigation_direct", direct), ("litigation_after_review", after)):
        r.table4.rows[g] = {c: Cell(v) for c, v in zip(("upheld", "corrected", "other", "pending", "total"), vals)}
    r.table2.rows["administrative_penalty"] = {"value": Cell(penalty)}
    return r


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    lib = Library(tmp_path_factory.mktemp("issue23") / "lib")
    _store(lib, _unit(PRINTED, 2025, received=37, natural=30, forward=5, penalty=812), "sihong2025.pdf")
    _store(lib, _unit(CITY, 2024, received=64, natural=60, forward=6, penalty=1500), "lyg2024.pdf")
    city = _unit(CITY, 2025, received=88, natural=81, forward=9, penalty=1234)
    city.fees = Table("fees")
    city.fees.rows[FEES_ROW] = {"notices": Cell(3), "notice_amount": Cell(12.345678, "12.345678"),
                                "collected_amount": Cell(0.105, "0.105")}
    _store(lib, city, "lyg2025.pdf")
    _store(lib, _unit(ZONE, 2025, received=19, natural=19, forward=2, penalty=77), "sip2025.pdf")
    return lib


def ask(lib, q, history=()):
    turns = []
    for h in history:
        turns.append(answer(h, list(turns), lib, OFFLINE))
    return answer(q, turns, lib, OFFLINE)


# -- the gazetteer -----------------------------------------------------------------------------------
def test_the_gazetteer_tells_a_real_county_from_a_misprint():
    assert is_division("泗洪县") and is_division("洪泽区") and is_division("沭阳县")
    assert not is_division("泗红县") and not is_division("沐阳县")
    assert misprinted_division("洪择区", "淮安市") == "洪泽区"          # the parent decides between 洪泽区 and 洪山区
    assert misprinted_division("洪山区") is None                        # a real district is never “corrected”


# -- a unit whose name is misprinted --------------------------------------------------------------------
@pytest.mark.parametrize("question", ["泗洪县2025年收到多少件政府信息公开申请？", "宿迁市泗洪县2025年本年新收申请多少件？",
                                      "泗洪县人民政府2025年新收政府信息公开申请多少件？"])
def test_the_real_name_of_a_unit_the_report_misprints_is_answered_for_it(lib, question):
    a = ask(lib, question)
    assert "资料库中没有" not in a.text.split("\n")[-1]
    assert "37件" in a.text and PRINTED in a.text and "泗洪县" in a.text and "不是行政区划名称" in a.text
    assert {c.agency for c in a.citations} == {PRINTED}


def test_a_question_misprinting_a_held_unit_is_answered_and_says_which_unit(lib):
    a = ask(lib, "连云巷市2025年行政处罚多少件？")
    assert "1234件" in a.text and "连云港市人民政府" in a.text and "只差一个字" in a.text


def test_another_real_place_one_character_away_is_not_taken_for_it():
    agencies = ["淮安市洪泽区人民政府", CITY]
    assert find_near_agencies("洪山区2025年收到多少件申请？", agencies) == []      # two real districts
    q = parse_question("洪山区2025年收到多少件申请？", agencies)
    assert q.agencies == [] and q.unknown_agencies == ["洪山区"]
    assert q.suggestions["洪山区"] == ["淮安市洪泽区人民政府"]                      # said as the nearest, not answered


def test_a_misprint_that_could_stand_for_two_counties_says_so(lib):
    a = ask(lib, "泗洪县2025年行政处罚多少件？")           # 泗红县 is one character off 泗洪县 and 泗阳县
    assert "812件" in a.text and "泗阳县" in a.text and "请指明" in a.text


# -- a unit we do not hold ---------------------------------------------------------------------------------
@pytest.mark.parametrize("question, unit", [("连云港市教育局2025年行政复议多少件？", "连云港市教育局"),
                                            ("连云港市的市场监督管理局2025年行政处罚多少件？", "连云港市市场监督管理局"),
                                            ("苏州工业园区卫生健康委员会2025年收到多少件申请？", "苏州工业园区卫生健康委员会")])
def test_a_department_we_do_not_hold_is_never_answered_with_its_governments_figure(lib, question, unit):
    a = ask(lib, question)
    assert f"资料库中没有{unit}的年报" in a.text
    assert not re.search(r"\d+件", a.text.split("资料库现有")[0])      # no figure at all, its parent's least of all
    assert a.route == "out_of_scope" and not a.citations
    near = a.text.split("名称相近的有：")[1].split("。")[0]
    assert CITY in near or ZONE in near


def test_the_government_office_itself_still_answers_for_the_government(lib):
    a = ask(lib, "连云港市政府办公室2025年行政复议多少件？")
    assert "行政复议总计10件" in a.text


# -- numbers as printed ---------------------------------------------------------------------------------
def test_a_fee_is_shown_with_every_decimal_it_was_printed_with(lib):
    a = ask(lib, "连云港市2025年收费通知金额是多少？实际收取信息处理费多少？")
    assert "12.345678" in a.text and "12.3457" not in a.text and "0.105" in a.text


def test_computed_ratios_are_rounded_with_their_formula(lib):
    a = ask(lib, "连云港市2025年予以公开多少件？占比多少？")
    assert "79件" in a.text and "100.0%（予以公开79 ÷ 办理结果总计79 × 100%）" in a.text


def test_a_share_asked_after_a_total_and_its_part_is_the_parts_share_alone(lib):
    a = ask(lib, "连云港市2025年共收到多少件申请？其中予以公开多少件？占比多少？")
    assert "88件" in a.text and "100.0%（予以公开79 ÷ 办理结果总计79 × 100%）" in a.text
    assert "不是表中某一总数的组成部分" not in a.text          # the total asked beside it is no part


# -- every part of a multi-part question -----------------------------------------------------------------
def test_a_total_and_its_part_are_both_answered(lib):
    a = ask(lib, "连云港市2025年行政复议共多少件？其中尚未审结多少件？")
    assert "行政复议总计10件" in a.text and "行政复议尚未审结3件" in a.text
    b = ask(lib, "连云港市2025年共收到政府信息公开申请多少件？其中自然人申请多少件？")
    assert "88件" in b.text and "（自然人）81件" in b.text


def test_values_of_a_year_range_and_their_difference(lib):
    a = ask(lib, "连云港市2024年和2025年行政处罚分别是多少？2025年比2024年减少了多少？")
    assert "1500件" in a.text and "1234件" in a.text and "减少266件" in a.text


@pytest.mark.parametrize("question", ["连云港市2025年结转至2026年的申请有多少件？",
                                      "连云港市结转到2026年继续办理的申请多少件？"])
def test_carried_into_a_year_is_the_previous_reports_carried_forward(lib, question):
    a = ask(lib, question)
    assert "结转下年度继续办理9件" in a.text and "2026年的年报" not in a.text


def test_carried_from_a_year_is_the_next_reports_carried_over():
    q = parse_question("连云港市从2024年结转来的申请有多少件？", [CITY])
    assert q.years == [2025] and q.metric_keys == ["table3.carried_over.total"]


# -- the measure asked, not its neighbour ------------------------------------------------------------------
@pytest.mark.parametrize("question", ["连云港市2025年未经复议直接起诉的行政诉讼有多少件？",
                                      "连云港市2025年直接向法院起诉的有多少件？",
                                      "连云港市2025年未经复议直接提起行政诉讼的案件多少件？"])
def test_lawsuits_filed_directly_are_not_the_review_rows(lib, question):
    a = ask(lib, question)
    assert a.query.metric_keys == ["table4.litigation_direct.total"]
    assert "总计4件" in a.text and "行政复议" not in a.text.replace("未经复议", "")


def test_the_number_of_reviews_applied_for_is_the_total(lib):
    a = ask(lib, "连云港市2025年被申请行政复议的数量是多少？")
    assert "行政复议总计10件" in a.text


# -- what a report cannot know ------------------------------------------------------------------------------
@pytest.mark.parametrize("question", ["连云港市2025年3月收到多少件政府信息公开申请？", "连云港市2025年第二季度行政处罚多少件？",
                                      "连云港市2025年上半年收到几件申请？", "连云港市年报的联系人电话是多少？",
                                      "连云港市政府信息公开的联系方式是什么？", "连云港市政府信息公开办的电话是多少？"])
def test_what_an_annual_report_cannot_know_is_one_sentence(lib, question):
    a = ask(lib, question)
    assert a.route == "out_of_scope" and a.text.count("。") == 1 and not a.citations
    assert not re.search(r"\d+件", a.text)


def test_a_publication_date_question_is_not_taken_for_a_months_figures():
    q = parse_question("连云港市2025年年报是2026年1月20日发布的吗？", [CITY])
    assert q.operation != "out_of_scope"


def test_a_hotline_figure_is_a_text_quantity_not_a_contact_question():
    q = parse_question("连云港市2025年12345热线电话受理多少件？", [CITY])
    assert q.operation != "out_of_scope" and q.metric_keys == ["text.quantity"]


# -- a new question is a new question ----------------------------------------------------------------------
def test_a_full_question_in_a_chat_is_not_bent_to_the_previous_turn(lib):
    a = ask(lib, "同期连云港市2025年行政诉讼未经复议直接起诉多少件？", ["泗洪县2025年行政处罚多少件？"])
    assert a.query.agencies == [CITY] and a.query.metric_keys == ["table4.litigation_direct.total"]
    b = ask(lib, "和连云港市2025年予以公开多少件呢？", ["泗洪县2025年行政处罚多少件？"])
    assert b.query.agencies == [CITY] and b.query.metric_keys == ["table3.granted.total"]


def test_follow_ups_still_follow(lib):
    a = ask(lib, "那2024年呢？", ["连云港市2025年行政处罚多少件？"])
    assert a.query.years == [2024] and "1500件" in a.text
    b = ask(lib, "它的行政复议呢？", ["连云港市2025年行政处罚多少件？"])
    assert b.query.agencies == [CITY] and "行政复议总计10件" in b.text


# -- drafts of 五 -------------------------------------------------------------------------------------------
def _with_five(r: Report, text: str) -> Report:
    r.sections = [s for s in r.sections if not s.key.startswith("s5_problems")]
    r.sections.append(Section("s5_problems", "五、存在的主要问题及改进情况", "五、存在的主要问题及改进情况", text, line=40))
    return r


@pytest.mark.parametrize("five, count", [
    ("2024年工作中还存在一些不足，一是政策解读的形式不够丰富，二是依申请答复的规范性有待提高。下一步，我们将改进。", 2),
    ("主要问题是政务新媒体更新不及时、专栏栏目设置不够合理等问题。今后将加强管理。", 2),
    ("存在的问题：1.信息发布不够及时。2.依申请答复说理不充分。3.公开平台整合不到位。改进措施：1.建立台账。", 3),
])
def test_last_years_problems_are_counted_as_the_comparison_counts_them(tmp_path, five, count):
    from assistant.drafting import draft_unit_sections
    from assistant.review.diff import promise_checks
    lib = Library(tmp_path / "lib")
    old = _with_five(_unit("镇江市人民政府", 2024, received=12, natural=12, forward=0), five)
    new = _with_five(_unit("镇江市人民政府", 2025, received=15, natural=15, forward=1), "本年存在的问题是信息更新不及时。")
    _store(lib, old, "zj2024.pdf")
    _store(lib, new, "zj2025.pdf")
    text = draft_unit_sections(lib, "镇江市人民政府", 2025, ["s5_problems"])
    compared = [p for p in promise_checks(old, new) if p.kind == "问题"]
    assert len(compared) == count
    assert f"2024年度报告提出了{count}个问题" in text
    last = text.split("（一）上年问题整改情况", 1)[1].split("（二）", 1)[0]
    assert len([ln for ln in last.splitlines() if re.match(r"\d+\. 关于", ln)]) == count


def test_a_draft_states_no_cause_no_source_gives(lib):
    from assistant.drafting import data_problems
    from assistant.cite import load_view
    r = _unit("徐州市人民政府", 2025, received=40, natural=40, forward=4, review=(1, 3, 0, 0, 4))
    _row(r.table3, "unavailable_not_held", 12, 12)
    view_lib = Library(lib.data_dir.parent / "causes")
    _store(view_lib, r, "xz2025.pdf")
    view = load_view(view_lib, view_lib.reports()[0])
    for problem, cites in data_problems(view):
        # each sentence: the figures with their citations, then only a 【请…】 placeholder for the cause
        after = re.sub(r"〔[^〕]*〕", "", problem)
        words = re.sub(r"【[^】]*】", "", after)
        assert "【请" in after and cites
        assert not re.search(r"误投|说理|规范性|知晓度|不够清晰|仍需加强", words), problem


# -- checks -------------------------------------------------------------------------------------------------
def test_a_glued_row_no_split_balances_is_the_reports_table_error(tmp_path):
    from render import crawler_text, perturbed
    from ingest.extract import extract
    from assistant.validator import check_report
    from ingest.glued import count_splits, splits
    report = perturbed(gold("004_e6c"), 4)
    report["table3"]["rows"]["granted"] = [12, 3, 0, 0, 0, 0, 16]          # “123000016”: 12 + 3 ≠ 16
    assert count_splits(["123000016"], 7) > 1 and splits(["123000016"], 7, 7) == []
    path = tmp_path / "crawled.txt"
    path.write_text(crawler_text(report), encoding="utf-8")
    r = extract(path)
    assert not any(w.code == "glued_ambiguous" and w.row == "granted" for w in r.warnings)
    errors = [f for f in check_report(r) if f.rule == "T3-3" and f.severity == "error"]
    assert errors and "123000016" in errors[0].message and "无论怎样拆分" in errors[0].message


def test_a_glued_row_whose_digits_do_not_fit_stays_our_reading_failure(tmp_path):
    from render import crawler_text, perturbed
    from ingest.extract import extract
    report = perturbed(gold("004_e6c"), 4)
    text = crawler_text(report, separator=" ", drop=("予以公开", 1))          # a lost cell: too few digits
    path = tmp_path / "crawled.txt"
    path.write_text(text, encoding="utf-8")
    r = extract(path)
    assert not any(w.code == "glued_unbalanced" for w in r.warnings)


def _dated(sentence: str, year_in_text: str = "") -> Report:
    from test_validator_text import make_report
    r = make_report("（一）主动公开情况。" + sentence + "（二）依申请公开情况。" + year_in_text +
                    "全年共受理政府信息公开申请5件。（三）政府信息管理情况。严格审核。")
    r.year = 2024
    r.title = "某市某区人民政府2024年政府信息公开工作年度报告"
    r.table2.rows["administrative_penalty"] = {"value": Cell(1380)}
    return r


def _d2(r):
    from test_validator_text import check
    return [f for f in check(r) if f.rule == "D2"]


def test_figures_stated_under_another_year_are_a_date_finding():
    same = _d2(_dated("2023年，本机关主动公开政府信息1380条。", "2024年，"))       # 1380: this year's 表二 cell
    assert same and same[0].severity == "error" and "1380" in same[0].message and same[0].actual == 2023
    other = _d2(_dated("2023年，本机关主动公开政府信息977条。", "2024年，"))
    assert other and other[0].severity == "warning"
    assert _d2(_dated("2023年，本机关主动公开政府信息977条，2024年增至1380条。", "2024年，")) == []
    assert _d2(_dated("与2023年相比，本机关主动公开政府信息增加。", "2024年，")) == []


def test_a_recent_report_on_the_2019_form_is_named_by_the_items_it_printed():
    from render import as_2019
    from assistant.validator import check_report
    from datetime import date
    rep = as_2019(gold("006_hongze"), 5)
    rep["year"], rep["published"] = 2023, "2024-01-20"
    r = Report.from_json(rep)
    r.format = "2019"
    f1 = [f for f in check_report(r, today=date(2024, 6, 1)) if f.rule == "F1"]
    assert f1 and f1[0].severity == "error"
    assert "本年新制作数量" in f1[0].message and "（六）其他处理" in f1[0].message and "3个小项" in f1[0].message


def test_text_claims_of_a_2019_form_report_are_compared_as_in_the_2021_form(tmp_path):
    from render import as_2019, default_narrative, render_html
    from ingest.extract import extract
    from assistant.validator import check_report
    rep = as_2019(gold("007_huaian"), 3)
    rows = rep["table3"]["rows"]
    n = default_narrative(rep)
    n.sections["s1_overview"] = n.sections["s1_overview"] + [
        f"全年共收到政府信息公开申请{rows['new_received'][6]}件，其中予以公开及部分公开{rows['granted'][6]}件，"
        f"无法提供{rows['unavailable_not_held'][6]}件。"]
    path = tmp_path / "r2019.html"
    render_html(rep, path, n)
    r = extract(path)
    assert r.format == "2019"
    x2 = [f for f in check_report(r) if f.rule == "X2" and f.severity == "error"]
    assert len(x2) == 2 and all("恰是表三" in f.message for f in x2)


# -- glued 表二 rows: other evidence ----------------------------------------------------------------------
def test_a_glued_table2_row_is_settled_by_the_texts_figures_by_column():
    from ingest.glued import splits
    from ingest.glued_evidence import by_text, stated_columns
    readings = splits(["5230"], 3)
    assert len(readings) == 3
    cols = ("issued", "repealed", "in_force")
    settled = by_text(readings, cols, stated_columns("本年度制发行政规范性文件5件，废止2件。", "normative_documents"))
    assert settled.reading == ("5", "2", "30") and "正文" in settled.how
    assert by_text(readings, cols, stated_columns("本年度制发行政规范性文件5件。", "normative_documents")) is None


def _glued_t2(year: int, run: str, in_force_prev: int | None = None) -> tuple[Report, Report | None]:
    r = Report(file="t.txt", agency="某县司法局", year=year, format="2021")
    r.table2 = Table("table2", {"normative_documents": {k: Cell(None) for k in ("issued", "repealed", "in_force")}})
    r.warnings.append(Warning("glued_ambiguous", f"未能读取表二“行政规范性文件”一行：原文数字连写为“{run}”，可拆分为3种读法，"
                                                 "表二没有可用的勾稽关系，本行留空，请核对原件", "table2", "normative_documents"))
    prev = None
    if in_force_prev is not None:
        prev = Report(file="p.txt", agency="某县司法局", year=year - 1, format="2021")
        prev.table2 = Table("table2", {"normative_documents": {"issued": Cell(3), "repealed": Cell(1),
                                                               "in_force": Cell(in_force_prev)}})
    return r, prev


def test_a_glued_table2_row_is_settled_by_last_years_in_force_chain():
    from ingest.glued_evidence import settle_with_previous
    r, prev = _glued_t2(2025, "5230", in_force_prev=27)            # 27 + 5 − 2 = 30: only 5/2/30
    notes = settle_with_previous(r, prev)
    assert [r.table2.value("normative_documents", c) for c in ("issued", "repealed", "in_force")] == [5, 2, 30]
    assert notes and "上年年报" in notes[0] and "现行有效27件" in notes[0]
    assert [w.code for w in r.warnings] == ["glued_decoded"]


def test_a_glued_table2_row_no_evidence_settles_stays_flagged():
    from ingest.glued_evidence import settle_with_previous
    r, prev = _glued_t2(2025, "5230", in_force_prev=40)             # no reading continues 40
    assert settle_with_previous(r, prev) == []
    assert [w.code for w in r.warnings] == ["glued_ambiguous"]
    assert r.table2.value("normative_documents", "in_force") is None
    r2, _ = _glued_t2(2025, "5230")
    assert settle_with_previous(r2, None) == [] and r2.warnings[0].code == "glued_ambiguous"


def test_the_canonical_name_is_stored_beside_the_printed_one():
    from assistant.aliases import canonical_agency
    from assistant.library_ops import note_misprinted_name
    assert canonical_agency("淮安市洪择区人民政府") == "淮安市洪泽区人民政府"      # the parent picks 洪泽区
    assert canonical_agency("淮安市洪泽区人民政府") is None and canonical_agency("苏州工业园区管理委员会") is None
    r = _unit("沐阳县发展和改革局", 2025, received=3, natural=3, forward=0)
    assert canonical_agency(r.agency) is None                               # 沐阳 is one off many counties …
    r.sections.append(Section("s1_overview", "一、总体情况", "一、总体情况", "宿迁市沭阳县发展和改革局全年……", line=3))
    assert note_misprinted_name(r) == "沭阳县发展和改革局"                     # … the text's own spelling decides
    assert r.agency == "沐阳县发展和改革局"                                    # the printed name is kept
    assert any(w.code == "agency_canonical" and "沭阳县发展和改革局" in w.message for w in r.warnings)


# -- consistency questions answer the relation asked -------------------------------------------------------
@pytest.fixture(scope="module")
def blank_lib(tmp_path_factory):
    """A unit whose 表三 leaves the organisation columns blank (空白, not 0) and whose 表四 复议 does not add up."""
    lib = Library(tmp_path_factory.mktemp("issue23-check") / "lib")
    r = _unit("扬州市人民政府", 2025, received=50, natural=50, forward=8, review=(6, 2, 1, 0, 7), direct=(1, 1, 0, 0, 2))
    for row, cols in r.table3.rows.items():
        for c in ("research", "social_welfare", "legal_service"):
            cols[c] = Cell(None)
    _store(lib, r, "yz2025.pdf")
    return lib


def test_a_relation_that_holds_is_said_to_hold_despite_blanks_elsewhere(blank_lib):
    a = ask(blank_lib, "扬州市2025年办理结果各项之和与总计一致吗？")
    assert a.text.startswith("结论：一致") and "无法核对" not in a.text.split("\n")[0]
    assert "予以公开42" in a.text and "= 42" in a.text
    b = ask(blank_lib, "扬州市2025年本年新收加上年结转是否等于办理结果总计加结转下年度？")
    assert b.text.startswith("结论：一致") and "本年新收50 + 上年结转0 = 50，办理结果总计42 + 结转下年度8 = 50" in b.text


def test_a_relation_that_fails_is_said_to_fail_with_its_arithmetic(blank_lib):
    a = ask(blank_lib, "扬州市2025年行政复议各项之和等于总计吗？")
    first = a.text.split("\n")[0]
    assert first.startswith("结论：不一致") and "1处" in first
    assert "结果维持6 + 结果纠正2 + 其他结果1 + 尚未审结0 = 9，但“总计”填的是7" in a.text
    assert "行政诉讼" not in a.text                                  # only the relation asked
    b = ask(blank_lib, "扬州市2025年行政诉讼各项之和等于总计吗？")
    assert b.text.startswith("结论：一致") and "行政复议" not in b.text.replace("未经复议", "").replace("复议后起诉", "")
