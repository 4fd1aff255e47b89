"""Question understanding: agency aliases, the metric lexicon and formulas (on the gold tables), and
parse_question on all 35 evaluation questions, follow-ups and out-of-scope questions."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.metrics import (compute, difference, get_metric, growth, metrics_in_text, total, with_column)
from assistant.query import parse_question
from ingest.report import Report
from assistant.aliases import agency_aliases, find_agencies, find_unknown_agencies, resolve_agency

from conftest import SHARED  # noqa: E402 - ../shared, or NIANBAO_TEST_SHARED
GOLD = sorted((SHARED / "gold").glob("*.json"))
pytestmark = pytest.mark.skipif(not GOLD, reason="../shared/gold is not beside the repository")


def _gold(part: str) -> Report:
    path = next(p for p in GOLD if part in p.name)
    return Report.from_json(json.loads(path.read_text(encoding="utf-8")))


# The library's agencies, as the gold files name them (the thirteen reports), without a reader's note such
# as “（管委会，汇总全区）”.
AGENCIES = sorted({re.sub(r"（[^）]*[，,][^）]*）$", "", json.loads(p.read_text(encoding="utf-8"))["agency"])
                   for p in GOLD})
GZ = "赣州经济技术开发区"
FG = "赣州经济技术开发区凤岗镇人民政府"
CD = "常德经济技术开发区"
GX = "赣县区行政审批局"
GXJ = "赣州经济技术开发区企业服务和工信局"
HZ = "淮安市洪泽区人民政府"
HA = "淮安市人民政府"
SH = "上海市人民政府办公厅"
SY = "沭阳县发展和改革局"
PT = "平潭综合实验区"
PTC = "平潭综合实验区财政金融局"
PTS = "平潭综合实验区市场监督管理局"


def test_library_has_the_twelve_agencies():
    assert AGENCIES == sorted([GZ, FG, CD, GX, GXJ, HZ, HA, SH, SY, PT, PTC, PTS])


# -- aliases ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("mention, expected", [
    ("赣州经开区", [GZ]),
    ("赣州经济技术开发区", [GZ]),
    ("赣州经开区管委会", [GZ]),
    ("赣州经济技术开发区管理委员会", [GZ]),
    ("工信局", [GXJ]),
    ("企业服务和工信局", [GXJ]),
    ("赣州经开区工信局", [GXJ]),
    ("凤岗镇", [FG]),
    ("赣州经开区凤岗镇", [FG]),
    ("凤岗镇人民政府", [FG]),
    ("洪泽区", [HZ]),
    ("洪泽区政府", [HZ]),
    ("淮安市洪泽区", [HZ]),
    ("淮安市", [HA]),
    ("淮安市政府", [HA]),
    ("淮安市人民政府", [HA]),
    ("上海市政府办公厅", [SH]),
    ("沭阳县发改局", [SY]),
    ("沭阳县发展改革委", [SY]),
    ("常德经开区", [CD]),
    ("赣县区行政审批局", [GX]),
    ("北京市", []),
])
def test_resolve_agency(mention, expected):
    assert resolve_agency(mention, AGENCIES) == expected


def test_exact_mentions_do_not_spill_to_sub_units_or_parents():
    # 赣州经开区 is the 管委会 only, never 凤岗镇 or 企业服务和工信局 which are named after it.
    assert resolve_agency("赣州经开区", AGENCIES) == [GZ]
    # 淮安市 is the city government, not 洪泽区 (which is under 淮安市).
    assert resolve_agency("淮安市", AGENCIES) == [HA]
    assert "淮安市" not in agency_aliases(HZ)
    assert "赣州经开区" not in agency_aliases(FG) | agency_aliases(GXJ)
    # Containment guesses leave sub-units out when their parent fits: 经开区 → the two 管委会.
    assert set(resolve_agency("经开区", AGENCIES)) == {GZ, CD}
    assert resolve_agency("上海市", AGENCIES) == [SH]


def test_aliases_are_rule_derived_for_names_outside_the_library():
    aliases = agency_aliases("苏州市高新技术产业开发区管理委员会")
    assert {"苏州高新区", "苏州市高新区管委会", "苏州高新技术产业开发区"} <= aliases
    assert {"南京市发改委", "南京发改局"} <= agency_aliases("南京市发展和改革委员会")
    assert "市场监管局" in agency_aliases("杭州市市场监督管理局")
    assert "杭州市市场监管局" in agency_aliases("杭州市市场监督管理局")


def test_find_agencies_prefers_the_longest_mention():
    assert find_agencies("淮安市洪泽区2024年和淮安市比", AGENCIES) == [("淮安市洪泽区", HZ), ("淮安市", HA)]
    assert find_agencies("赣州经开区凤岗镇和赣州经开区", AGENCIES) == [("赣州经开区凤岗镇", FG), ("赣州经开区", GZ)]
    assert find_unknown_agencies("北京市2023年收到多少申请？南京市鼓楼区呢？全市和本区呢", AGENCIES) == \
        ["北京市", "南京市鼓楼区"]


# -- metrics and formulas, on the gold tables ------------------------------------------------------

def _cells(report: Report):
    def cells(table, row, col):
        if table == "meta":
            return getattr(report, row, None)
        t = report.table(table)
        return None if t is None else t.value(row, col)
    return cells


def test_grant_rates_of_huaian_and_hongze():
    ha, hz = _gold("007_huaian"), _gold("006_hongze")
    rate = get_metric("derived.grant_rate.total")
    v = compute(rate, _cells(ha))
    assert v.display == "44.7%" and abs(v.value - 1362 / 3050 * 100) < 1e-9
    assert ("table3", "granted", "total", 1362) in v.inputs and ("table3", "total_processed", "total", 3050) in v.inputs
    assert "1362" in v.formula_text and "3050" in v.formula_text
    assert compute(rate, _cells(hz)).display == "52.6%"
    assert compute(get_metric("derived.disclosure_rate.total"), _cells(ha)).display == f"{(1362 + 454) / 3050 * 100:.1f}%"


def test_sums_of_groups_match_the_printed_total():
    ha = _cells(_gold("007_huaian"))
    parts = [compute(get_metric(f"derived.{k}.total"), ha).value for k in
             ("denied_total", "unavailable_total", "not_processed_total", "other_processing_total")]
    assert parts == [178, 781, 88, 187]
    granted = compute(get_metric("table3.granted.total"), ha).value
    partial = compute(get_metric("table3.partially_granted.total"), ha).value
    assert granted + partial + sum(parts) == compute(get_metric("table3.total_processed.total"), ha).value == 3050


def test_other_processing_uses_the_single_row_of_reports_that_print_one():
    hz23 = _gold("005_hongze")
    single = hz23.table3.value("other_processing", "total")
    v = compute(get_metric("derived.other_processing_total.total"), _cells(hz23))
    assert single is not None and v.value == single
    assert [i[1] for i in v.inputs] == ["other_processing"]


def test_review_and_litigation_figures():
    ha = _cells(_gold("007_huaian"))
    rate = compute(get_metric("derived.review_correction_rate.total"), ha)
    assert rate.display == f"{64 / (351 - 37) * 100:.1f}%"
    assert compute(get_metric("derived.litigation_total.total"), ha).value == 26 + 20
    assert compute(get_metric("derived.litigation_loss_rate.total"), ha).display == f"{5 / 39 * 100:.1f}%"


def test_blank_cells_are_never_zero():
    gx = _cells(_gold("003_"))     # 赣县区行政审批局: the five 行政复议 cells are blank
    v = compute(get_metric("table4.review.total"), gx)
    assert v.value is None and v.missing
    rate = compute(get_metric("derived.review_correction_rate.total"), gx)
    assert rate.value is None and "行政复议结果纠正" in rate.missing and "为空" in rate.note
    # 沭阳县发改局: 1 case, 1 pending → denominator 0, no rate.
    sy = compute(get_metric("derived.review_correction_rate.total"), _cells(_gold("015_shuyang")))
    assert sy.value is None and "为0，比率无意义" in sy.note


def test_column_qualifiers_pick_table3_columns():
    ha = _cells(_gold("007_huaian"))
    assert compute(with_column(get_metric("table3.new_received.total"), "natural_person"), ha).value == 3001
    legal = compute(get_metric("table3.new_received.legal_entities"), ha)
    assert legal.value == 53 + 0 + 0 + 61 + 4
    assert [m.key for m in metrics_in_text("企业申请的予以公开率")] == ["derived.grant_rate.commercial"]
    assert compute(get_metric("derived.grant_rate.commercial"), ha).display == f"{21 / 53 * 100:.1f}%"


def test_difference_growth_total_keep_their_inputs():
    hz23, hz24 = _cells(_gold("005_hongze")), _cells(_gold("006_hongze"))
    new = get_metric("table3.new_received.total")
    g = growth(compute(new, hz24), compute(new, hz23), "新收申请增长率")
    assert g.display == "352.4%" and len(g.inputs) == 2
    d = difference(compute(get_metric("table4.review.total"), _cells(_gold("007_huaian"))),
                   compute(get_metric("table4.review.total"), _cells(_gold("002_shanghai"))), "复议案件差")
    assert d.value == 296 and "351" in d.formula_text and "55" in d.formula_text
    blank = total([compute(get_metric("table4.review.total"), _cells(_gold("003_"))), d], "合计")
    assert blank.value is None and blank.missing


# -- the 35 evaluation questions --------------------------------------------------------------------
# id: (agencies, years, metric keys, operation, extra checks)
L = "table2.administrative_license.value"
P = "table2.administrative_penalty.value"
C = "table2.administrative_coercion.value"
NEW = "table3.new_received.total"
EXPECTED = {
    "d01": ([GZ], [2022], [NEW, "table3.granted.total"], "value", {}),
    "d02": ([CD], [2022], [L, P], "value", {}),
    "d03": ([GX], [2023], ["text.proactive_total"], "value", {"section": "s1_overview"}),
    "d04": ([GZ], [2022], ["table2.administrative_fees.value"], "value", {}),
    "d05": ([GXJ], [2024], ["meta.published"], "value", {"column": None}),
    "d06": ([HA], [2024], ["table4.review.total", "table4.review.corrected"], "value", {}),
    "d07": ([HZ], [2024], [P], "value", {}),
    "d08": ([SH], [2025], ["table3.carried_forward.total"], "value", {}),
    "d09": ([SY], [2023], ["table2.normative_documents.issued", "table2.normative_documents.in_force"], "value", {}),
    "d10": ([HA], [2024], ["table3.unavailable_not_held.total"], "value", {}),
    "d11": ([FG], [2023], [], "open", {"section": "s5_problems"}),
    "d12": ([HZ], [2023], ["table2.administrative_fees.value"], "value", {}),
    "d13": ([], [], [NEW], "rank", {"all_agencies": True}),
    "d14": ([GZ, CD], [2022], [L, P, C], "compare", {}),
    "d15": ([], [], [], "list", {"all_agencies": True, "tables": ["table3"]}),
    "d16": ([HA, HZ], [2024], ["derived.grant_rate.total"], "compare", {}),
    "d17": ([HA, SH], [], ["table4.review.total"], "difference", {}),
    "d18": ([HZ], [2023, 2024], [NEW], "growth", {}),
    "d19": ([HZ], [2023, 2024], ["table2.normative_documents.in_force"], "check", {}),
    "d20": ([GZ], [2022, 2023], [NEW], "growth", {}),
    "d21": ([GZ], [2022], [], "check", {"tables": ["table3"]}),
    "d22": ([FG], [2023], [NEW], "check", {}),
    "d23": ([CD], [], ["text.proactive_total"], "check", {}),
    "d24": ([GZ], [], ["text.normative_cleanup"], "sum", {}),
    "d25": ([GX], [], [], "check", {"tables": ["table4"]}),
    "d26": ([HZ], [2023], [], "check", {"tables": ["table4"]}),
    "d27": ([HA], [2024], [], "check", {"tables": ["table3"]}),
    "d28": ([CD], [], [], "check", {}),
    "d29": ([GXJ], [2024, 2025], [], "draft", {"section": "s5_problems", "column": None}),
    "d30": ([HZ], [2024], [], "draft", {"tables": ["table3"], "section": "s1_overview"}),
    "d31": ([CD], [], [], "draft", {"section": "s5_problems"}),
    "d32": ([], [], [], "draft", {"all_agencies": False}),
    "d33": ([GZ], [2022], [], "out_of_scope", {}),
    "d34": ([FG], [], [], "out_of_scope", {}),
    "d35": ([], [2023], [NEW], "value", {"unknown_agencies": ["北京市"]}),
    "d36": ([PT], [2022], [NEW], "value", {"tables": ["table3"]}),
    "d37": ([PT], [2022], ["text.quantity"], "value", {}),          # “正文称……”: the text's own figure, quoted
    "d38": ([PT], [2022], ["table3.unavailable_not_held.total"], "value", {}),
    "d39": ([PT], [2022], [L], "value", {}),
    "d40": ([PT], [2022], ["table2.administrative_fees.value"], "value", {}),
    "d41": ([PT], [2022], ["table2.normative_documents.in_force"], "value", {}),
    "d42": ([PT], [2022], ["text.proactive_total"], "value", {"section": "s1_overview"}),
    "d43": ([PTC], [2019], ["text.proactive_total"], "value", {"section": "s1_overview"}),
    "d44": ([PTC], [2019], ["text.quantity"], "value", {}),          # 制作、获取政府信息总数: 2019 text only
    "d45": ([PTC], [2019], ["text.proactive_total"], "ratio", {"section": "s1_overview"}),
    "d46": ([PTC], [2019], [NEW], "value", {}),
    "d47": ([PTC], [2019], ["text.proactive_total"], "value", {}),  # 主动公开…财政资金管理使用情况等信息52条, quoted
    "d48": ([PTC], [2019], ["table4.review.total"], "value", {}),
    "d49": ([PTS], [2023], [NEW], "value", {}),
    "d50": ([PTS], [2023], [P], "value", {}),
    "d51": ([PTS], [2023], [C], "value", {}),
    "d52": ([PTS], [2023], ["text.proactive_total"], "value", {"section": "s1_overview"}),
    "d53": ([PTS], [2023], ["text.quantity"], "value", {}),          # 公众号 … 抽检批次: no table field
    "d54": ([PTS], [2023], ["table2.normative_documents.issued", "table2.normative_documents.in_force"], "value", {}),
}
# Questions whose parse is known to be wrong (xfail, strict): none left after issue 11.
PARSE_GAPS: dict = {
}
QUESTIONS = [json.loads(line) for line in (SHARED / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()] if (SHARED / "eval" / "questions.jsonl").exists() else []


def test_every_evaluation_question_has_an_expectation():
    assert sorted(q["id"] for q in QUESTIONS) == sorted({**EXPECTED, **PARSE_GAPS})


@pytest.mark.parametrize("item", [q if q["id"] not in PARSE_GAPS else pytest.param(
    q, marks=pytest.mark.xfail(strict=True, reason="issue 11: a quantity stated only in the text")) for q in QUESTIONS],
    ids=lambda q: q["id"])
def test_evaluation_question(item):
    agencies, years, metrics, operation, extra = {**EXPECTED, **PARSE_GAPS}[item["id"]]
    q = parse_question(item["q"], AGENCIES)
    assert q.agencies == agencies
    assert q.years == years
    assert q.metric_keys == metrics
    assert q.operation == operation
    assert not q.is_followup
    for name, value in extra.items():
        assert getattr(q, name) == value, name
    if operation == "out_of_scope":
        assert q.out_of_scope_reason
    else:
        assert q.out_of_scope_reason is None
    if item["id"] != "d35":
        assert q.unknown_agencies == []


# -- follow-ups ---------------------------------------------------------------------------------------

def _conversation(turns, latest_year=None):
    history = []
    for t in turns:
        history.append(parse_question(t, AGENCIES, history, latest_year=latest_year))
    return history


def test_followup_changes_the_year_then_the_metric_then_adds_an_agency():
    first, year, metric, other = _conversation(
        ["赣州经开区2022年一共收到多少件政府信息公开申请？", "那2023年呢？", "它的行政处罚呢？", "和常德经开区比呢？"])
    assert (first.agencies, first.years, first.metric_keys, first.is_followup) == ([GZ], [2022], [NEW], False)
    assert (year.agencies, year.years, year.metric_keys, year.operation, year.is_followup) == \
        ([GZ], [2023], [NEW], "value", True)
    assert (metric.agencies, metric.years, metric.metric_keys, metric.operation) == ([GZ], [2023], [P], "value")
    assert (other.agencies, other.years, other.metric_keys, other.operation) == ([GZ, CD], [2023], [P], "compare")


def test_followup_keeps_a_compare_and_takes_its_own_operation_words():
    turns = _conversation(["淮安市和上海市政府办公厅的行政复议案件各多少？", "多多少？", "那行政诉讼呢？"])
    assert turns[0].operation == "compare" and turns[0].metric_keys == ["table4.review.total"]
    assert (turns[1].agencies, turns[1].metric_keys, turns[1].operation) == ([HA, SH], ["table4.review.total"],
                                                                             "difference")
    assert (turns[2].metric_keys, turns[2].operation, turns[2].is_followup) == \
        (["derived.litigation_total.total"], "difference", True)


def test_followup_adds_a_year_and_a_column():
    turns = _conversation(["洪泽区2024年的予以公开率是多少？", "和2023年比呢？", "自然人的呢？"])
    assert (turns[1].years, turns[1].operation) == ([2023, 2024], "growth")
    assert turns[2].metric_keys == ["derived.grant_rate.natural_person"] and turns[2].years == [2023, 2024]


def test_rank_followup_keeps_the_whole_library():
    first, second = _conversation(["这些年报里，哪个单位收到的政府信息公开申请最多？", "那结转下年度的呢？"])
    assert second.all_agencies and second.operation == "rank"
    assert second.metric_keys == ["table3.carried_forward.total"]


def test_relative_years():
    q = parse_question("淮安市今年的行政复议纠错率是多少？去年呢？", AGENCIES, latest_year=2024)
    assert q.years == [2023, 2024] and q.metric_keys == ["derived.review_correction_rate.total"]
    first, second = _conversation(["洪泽区2024年行政处罚决定数量是多少？", "去年呢？"])
    assert second.years == [2023] and second.metric_keys == [P]
    assert parse_question("洪泽区近三年的收费金额", AGENCIES, latest_year=2024).years == [2022, 2023, 2024]
    # 上年结转 is a table row, not a year.
    carried = parse_question("洪泽区2024年上年结转的申请有多少？", AGENCIES)
    assert carried.years == [2024] and carried.metric_keys == ["table3.carried_over.total"]


def test_a_new_task_after_a_conversation_is_not_a_followup():
    turns = _conversation(["洪泽区2024年收到多少件申请？", "给我列一个年报发布前的自查清单。",
                           "淮安市2024年不予公开的有多少件？"])
    assert not turns[1].is_followup and turns[1].agencies == [] and turns[1].operation == "draft"
    assert not turns[2].is_followup and turns[2].agencies == [HA]
    assert turns[2].metric_keys == ["derived.denied_total.total"]


# -- out of scope ------------------------------------------------------------------------------------

@pytest.mark.parametrize("question, word", [
    ("赣州经开区2022年那12件申请分别是谁申请的、申请了什么内容？", "个人信息"),
    ("洪泽区的申请人电话是多少？", "个人信息"),
    ("把申请人的身份证号告诉我", "个人信息"),
    ("我局有个申请人对答复不服，他应该先复议还是可以直接起诉？帮我判断能不能胜诉。", "法律"),
    ("凤岗镇的党委书记是谁？全镇有多少人口？", "没有"),
    ("淮安市的GDP是多少？", "没有"),
])
def test_out_of_scope(question, word):
    q = parse_question(question, AGENCIES)
    assert q.operation == "out_of_scope" and word in q.out_of_scope_reason and q.metrics == []


def test_out_of_scope_followup_keeps_the_agency_and_the_next_turn_resumes():
    turns = _conversation(["洪泽区2024年收到多少件申请？", "它的区长是谁？", "那2023年呢？"])
    assert turns[1].operation == "out_of_scope" and turns[1].agencies == [HZ]
    assert (turns[2].agencies, turns[2].years, turns[2].metric_keys, turns[2].operation) == \
        ([HZ], [2023], [NEW], "value")


def test_unknown_agency_is_kept_with_suggestions():
    q = parse_question("上海市2025年收到多少件申请？", AGENCIES)
    assert q.unknown_agencies == ["上海市"] and q.suggestions["上海市"] == [SH]
    both = parse_question("南京市鼓楼区和淮安市2024年的予以公开率", AGENCIES)
    assert both.agencies == [HA] and both.unknown_agencies == ["南京市鼓楼区"] and both.operation == "compare"


def test_words_ending_in_place_suffixes_are_not_places():
    """住房和城乡建设局 ends a word in 乡 but names no township: 住建局 must still find it."""
    from assistant.aliases import resolve_agency, split_name
    assert split_name("沭阳县住房和城乡建设局") == (["沭阳县"], "住房和城乡建设局")
    assert resolve_agency("沭阳县住建局", ["沭阳县住房和城乡建设局", "沭阳县发展和改革局"]) == ["沭阳县住房和城乡建设局"]
