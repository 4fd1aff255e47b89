"""Issue 26 over the shared reports: rubrics read from YAML (the shipped examples, malformed ones refused in
Chinese with the line), every rubric test on real reports with a score computed by hand, held deductions
on a cell we could not read with certainty (confirmed by an official, then counted), copying between units
with both passages, the 整改 check of 洪泽区 2023 → 2024, the ranking, the XLSX and the 通报's scoring section,
and `nianbao score` / `nianbao review --rubric`.

Real extraction of the shared PDFs, HTML and text, real SQLite; variants written to tmp (a unit that copied
another's report, a report without part 六, a next-year report copied from last year's)."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from assistant.library_ops import default_checker, default_extractor, ingest_file, ingest_paths
from assistant.review.notice import notice_text
from assistant.review.rectify import NOTICE, OWN, REPEATED, SAID_AGAIN, checklist
from assistant.review.region import review_group
from assistant.review.rubric import (RUBRIC_DIR, RubricError, available_rubrics, default_rubric, find_rubric,
                                     parse_rubric)
from assistant.review.scoring import (DEDUCTION_HEADERS, SCORE_HEADERS, confirm_held, held_key, score_group,
                                      score_xlsx)
from assistant.units import DeadlinePolicy
from ingest.report import Warning
from tests.conftest import SHARED
from vectorstore.library import Library

GROUP = "评分组"
HONGZE = "淮安市洪泽区人民政府"
FENGGANG = "赣州经济技术开发区凤岗镇人民政府"
HUBIAN = "赣州经济技术开发区湖边镇人民政府"
GANXIAN = "赣县区行政审批局"
PINGTAN = "平潭综合实验区市场监督管理局"
SHUYANG = "沭阳县发展和改革局"

# Every test once, with points chosen so each unit's score can be worked out by hand.
TEST_RUBRIC = """\
name: 测试细则
source: 测试用（非正式细则）
full_marks: 100
items:
  - id: T-LATE
    title: 逾期发布
    points: 2
    source: {document: 政府信息公开条例, clause: 第四十九条}
    test: late
    deduct:
      bands:
        - {from: 1, to: 10, points: 1}
        - {from: 11, points: 2}
  - id: T-MISS
    title: 缺少部分或表格
    points: 4
    source: {document: 国办公开办函〔2021〕30号}
    test: missing_part
    deduct: {per: 2, cap: 4}
  - id: T-ARITH
    title: 表格计算错误
    points: 3
    source: {document: 国办公开办函〔2021〕30号}
    test: arithmetic
    deduct: {per: 1, cap: 3}
  - id: T-CONTRA
    title: 正文与表格矛盾
    points: 3
    source: {document: 国办公开办函〔2021〕30号}
    test: contradiction
    deduct: {per: 0.5}
  - id: T-LAST
    title: 与上年雷同
    points: 1
    source: {document: 测试}
    test: same_as_last_year
    params: {share: 0.5}
    deduct: {per: 1}
  - id: T-COPY
    title: 照搬其他单位
    points: 5
    source: {document: 测试}
    test: same_as_other_unit
    params: {share: 0.5}
    deduct: {per: 5}
  - id: T-T4
    title: 复议纠错和诉讼败诉
    points: 6
    source: {document: 测试}
    test: review_litigation_corrected
    deduct: {per: 2}
  - id: T-RECT
    title: 上年问题未整改
    points: 2
    source: {document: 测试}
    test: last_year_problems
    deduct: {per: 1}
  - id: T-FEES
    title: 未说明信息处理费
    points: 1
    source: {document: 国办函〔2020〕109号}
    test: fees_unexplained
    deduct: {per: 1}
"""
# 平潭's 市场监管局 published on 2024-01-31; a province rule of 1月20日 makes it 11 days late (the second band).
POLICY = DeadlinePolicy(overrides={PINGTAN: (1, 20)})


def _ingest(library, *paths, **kw):
    outcomes = ingest_paths(library, paths, embed=False, progress=False, **kw).outcomes
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
    return outcomes


@pytest.fixture(scope="module")
def variants(tmp_path_factory, shared) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("score-variants")
    fenggang = (shared / "seeds" / "001_758a901345a790b1.txt").read_text(encoding="utf-8")
    ganxian = (shared / "seeds" / "003_99eecf839798fc6e.txt").read_text(encoding="utf-8")
    out = {"copied": folder / "hubian_2023.txt", "no_six": folder / "ganxian_no_six_2023.txt",
           "next_year": folder / "ganxian_2024.txt"}
    out["copied"].write_text(fenggang.replace("凤岗镇", "湖边镇"), encoding="utf-8")      # another unit, same text
    no_six = ganxian[:ganxian.index("六、其他需要报告的事项")]
    out["no_six"].write_text(no_six, encoding="utf-8")                                   # part 六 really missing
    out["next_year"].write_text(ganxian.replace("2023", "2024").replace("2022", "2023"), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def library(tmp_path_factory, shared, variants) -> Library:
    lib = Library(tmp_path_factory.mktemp("scoring") / "data")
    reports = shared / "reports"
    _ingest(lib, reports / "005_hongze_district_2023.pdf", reports / "006_hongze_district_2024.pdf",
            reports / "015_shuyang_fgj_2023.html", reports / "026_pingtan_scj_2023.html",
            shared / "seeds" / "001_758a901345a790b1.txt", variants["copied"], variants["no_six"], variants["next_year"])
    lib.set_group([r.id for r in lib.reports() if r.year == 2023], GROUP)
    return lib


@pytest.fixture(scope="module")
def rubric():
    return parse_rubric(TEST_RUBRIC, "test")


@pytest.fixture(scope="module")
def score_2023(library, rubric):
    return score_group(library, GROUP, 2023, rubric, policy=POLICY)


def _unit(score, agency):
    return next(u for u in score.units if u.agency == agency)


def _item(unit, item_id):
    return next(i for i in unit.items if i.item.id == item_id)


# -- rubrics as data -------------------------------------------------------------------------------------
def test_shipped_rubrics_read_and_name_their_source():
    rubrics = {r.key: r for r in available_rubrics()}
    assert set(rubrics) >= {"suqian_dept", "licheng_district"}
    suqian, licheng = rubrics["suqian_dept"], rubrics["licheng_district"]
    assert "SQ-DEP-A-005" in suqian.source and "GovOpen-AutoAudit" in suqian.source
    assert "鲤城区" in licheng.source
    assert [i.id for i in suqian.items][:3] == ["SQ-DEP-A-005-1", "SQ-DEP-A-005-2", "SQ-DEP-B-048"]
    b048 = next(i for i in suqian.items if i.id == "SQ-DEP-B-048")
    assert (b048.test, b048.rule.per, b048.rule.cap) == ("review_litigation_corrected", 2.0, 6.0)
    assert licheng.full_marks == sum(i.points for i in licheng.items) == 37
    for r in rubrics.values():
        assert all(i.document for i in r.items)
        assert "source:" in (RUBRIC_DIR / f"{r.key}.yaml").read_text(encoding="utf-8")


def test_rubric_is_picked_by_name_file_or_group(tmp_path):
    assert find_rubric("suqian_dept").key == "suqian_dept"
    own = tmp_path / "rubrics"
    own.mkdir()
    (own / "hongze_2024.yaml").write_text(TEST_RUBRIC.replace("name: 测试细则", "name: 洪泽区细则\ngroups: [洪泽区]\nyears: [2024]"),
                                          encoding="utf-8")
    assert default_rubric("洪泽区", 2024, tmp_path).name == "洪泽区细则"          # the one meant for the group
    assert default_rubric("洪泽区", 2023, tmp_path).name != "洪泽区细则"
    assert find_rubric(str(own / "hongze_2024.yaml")).key == "hongze_2024"
    with pytest.raises(RubricError, match="没有名为“nope”的评分细则。可用的评分细则：.*suqian_dept"):
        find_rubric("nope")


@pytest.mark.parametrize("edit, message", [
    (("    points: 3\n", "    points: 三分\n"), "第22行：条目“T-ARITH”的“points”应是数字，写的是“三分”。"),
    (("    test: contradiction\n", "    test: contradictions\n"), "第30行：条目“T-CONTRA”的检查项“contradictions”不在可用的检查项中"),
    (("        - {from: 11, points: 2}\n", "        - {from: 10, points: 2}\n"), "第13行：条目“T-LATE”的第2档（逾期天数10起）与第1档重叠。"),
    (("  - id: T-MISS\n", "  - id: T-LATE\n"), "第14行：条目编号“T-LATE”重复（第5行已有）。"),
    (("    deduct: {per: 2, cap: 4}\n", "    deduct: {per: 2, cap: 5}\n"), "第19行：条目“T-MISS”的最多扣分“cap”为5，超过条目分值4。"),
    (("    source: {document: 国办函〔2020〕109号}\n", "    source: {clause: 第六部分}\n"), "第61行：条目“T-FEES”的“source”缺少“document”。"),
    (("    params: {share: 0.5}\n    deduct: {per: 5}\n", "    params: {share: 50}\n    deduct: {per: 5}\n"),
     "第44行：条目“T-COPY”的“share”（相同比例阈值）应是0到1之间的小数"),
    (("    deduct: {per: 0.5}\n", "    deduct: {per: 0.5, bands: []}\n"), "第31行：条目“T-CONTRA”的“deduct”应写“per”（每处扣几分）或“bands”"),
    (("    title: 逾期发布\n", "    title: 逾期发布\n    weight: 2\n"), "第7行：第1个条目中有不认识的键“weight”"),
    (("items:\n", "items:\n\t- id: x\n"), "第5行第1列附近：YAML 格式有误"),
])
def test_a_malformed_rubric_is_refused_in_chinese_naming_the_line(edit, message):
    old, new = edit
    assert old in TEST_RUBRIC
    with pytest.raises(RubricError) as e:
        parse_rubric(TEST_RUBRIC.replace(old, new, 1), "坏细则")
    assert e.value.message.startswith("评分细则“坏细则”")
    assert message in e.value.message, e.value.message


def test_line_numbers_in_messages_are_the_files_lines():
    """The line named is where the wrong key stands in the text (checked against the text itself)."""
    bad = TEST_RUBRIC.replace("    points: 3\n", "    points: 三分\n", 1)
    line = next(i for i, t in enumerate(bad.splitlines(), 1) if t == "    points: 三分")
    with pytest.raises(RubricError, match=f"第{line}行"):
        parse_rubric(bad)


# -- the tests, one by one, on the shared reports ------------------------------------------------------------
def test_hand_computed_scores_and_ranking(score_2023):
    """Each unit's total worked out by hand from its findings, cells and dates (see the rubric above)."""
    totals = {u.agency: u.total for u in score_2023.units}
    assert totals == {SHUYANG: 100, PINGTAN: 98, GANXIAN: 98, HONGZE: 96, FENGGANG: 93, HUBIAN: 93}
    ranks = {u.agency: u.rank for u in score_2023.units}
    assert ranks == {SHUYANG: 1, PINGTAN: 2, GANXIAN: 2, HONGZE: 4, FENGGANG: 5, HUBIAN: 5}     # ties share a rank


def test_late_by_days_with_the_deadline_logic(score_2023, library, rubric):
    late = _item(_unit(score_2023, PINGTAN), "T-LATE")
    (occ,) = late.occurrences
    assert occ.quantity == 11 and late.points == 2                         # 2024-01-31 − 2024-01-20 = 11 days: band 2
    assert "落款日期2024-01-31，晚于发布期限2024-01-20" in occ.finding and occ.evidence[0]["text"] == "2024-01-31"
    assert _item(_unit(score_2023, SHUYANG), "T-LATE").occurrences == ()   # 2024-01-17 ≤ 2024-01-31
    # without the province rule 平潭 is on time (its deadline day itself)
    plain = score_group(library, GROUP, 2023, rubric)
    assert _item(_unit(plain, PINGTAN), "T-LATE").points == 0 and _unit(plain, PINGTAN).total == 100


def test_no_date_is_held_never_counted(score_2023):
    """洪泽区 2023 prints no 落款 date: we cannot tell whether it was late, so nothing is deducted; confirmed,
    the highest band applies."""
    late = _item(_unit(score_2023, HONGZE), "T-LATE")
    (occ,) = late.occurrences
    assert occ.held and not occ.counts and late.points == 0 and late.held_points == 2
    assert "未能读取落款日期" in occ.finding


def test_missing_part_arithmetic_contradiction_fees_table4(score_2023):
    ganxian = _unit(score_2023, GANXIAN)
    (miss,) = _item(ganxian, "T-MISS").occurrences
    assert "缺少第六部分" in miss.finding and _item(ganxian, "T-MISS").points == 2
    hongze = _unit(score_2023, HONGZE)
    arith = _item(hongze, "T-ARITH")
    assert [o.finding[:6] for o in arith.occurrences] == ["[T4-1]", "[T4-3]"] and arith.points == 2
    assert all(o.evidence and o.counts for o in arith.occurrences)
    t4 = _item(hongze, "T-T4")
    (case,) = t4.occurrences
    assert case.count == 1 and t4.points == 2                               # 表四 行政复议 结果纠正 = 1, 2 points each
    assert case.evidence[0]["text"] == "表四 行政复议 / 结果纠正" and case.evidence[0]["value"] == 1
    fenggang = _unit(score_2023, FENGGANG)
    contra = _item(fenggang, "T-CONTRA")
    assert sorted(o.finding[:6] for o in contra.occurrences) == ["[T2-8]", "[T3-9]"] and contra.points == 1
    assert _item(fenggang, "T-FEES").points == 1
    assert "[B8]" in _item(fenggang, "T-FEES").occurrences[0].finding
    # a warning that does not rest on an unsure cell is a matter to verify, never a deduction
    assert _item(_unit(score_2023, SHUYANG), "T-CONTRA").occurrences == ()


def test_copying_between_units_found_across_the_library_side_by_side(score_2023):
    hubian, fenggang = _unit(score_2023, HUBIAN), _unit(score_2023, FENGGANG)
    copy = _item(hubian, "T-COPY")
    (occ,) = copy.occurrences
    assert copy.points == 5 and occ.quantity >= 90            # the rest: sentences too short to compare
    ov = hubian.copied_from
    assert ov.other_agency == FENGGANG and ov.share >= 0.9
    first = ov.passages[0]
    assert first.mine.text.replace("湖边镇", "凤岗镇") == first.theirs.text        # both passages, side by side
    assert first.mine.where.startswith("第") and first.theirs.where == first.mine.where
    assert occ.evidence[0]["section"].startswith("本单位报告") and occ.evidence[1]["section"].startswith(FENGGANG)
    assert fenggang.copied_from.other_agency == HUBIAN
    # units that share no prose with anyone
    assert _unit(score_2023, SHUYANG).copied_from is None or _unit(score_2023, SHUYANG).copied_from.share < 0.1


def test_same_as_last_year(library, rubric):
    """赣县区 2024 is its 2023 report with the years changed (the 2023 report in the library lacks part 六):
    almost every sentence is last year's."""
    ids = {r.file.split("/")[-1]: r.id for r in library.reports()}
    library.set_group([ids["ganxian_2024.txt"]], "赣县次年")
    score = score_group(library, "赣县次年", 2024, rubric)
    (unit,) = score.units
    last = _item(unit, "T-LAST")
    (occ,) = last.occurrences
    assert last.points == 1 and occ.quantity > 90
    assert unit.last_year.identical_chars / unit.last_year.total_chars == pytest.approx(occ.quantity / 100, abs=0.001)
    assert occ.evidence[0]["section"].startswith("2024年报告") and occ.evidence[1]["section"].startswith("2023年报告")
    # 洪泽区 2024 rewrote most of its prose: below half
    hongze = score_group(library, "洪泽区", 2024, rubric).units[0]
    assert hongze.last_year is not None and hongze.last_year.share < 0.5
    assert _item(hongze, "T-LAST").occurrences == ()


# -- 整改: 洪泽区 2023 → 2024 --------------------------------------------------------------------------------
def test_rectification_hongze_2023_to_2024(library, rubric):
    score = score_group(library, "洪泽区", 2024, rubric)
    (unit,) = score.units
    items = {(c.origin, c.kind): c for c in unit.checklist}
    # last year's errors (表四 合计不符) are gone this year; part 五 does not say so
    assert items[(NOTICE, "T4-1")].status == "未再出现，第五部分未说明整改情况"
    assert items[(NOTICE, "T4-3")].status == "未再出现，第五部分未说明整改情况"
    # last year's warnings come back: 无落款日期, 2019 版表三, 第五部分未写上年整改
    for rule in ("D3", "F1", "B9"):
        assert items[(NOTICE, rule)].status == REPEATED and not items[(NOTICE, rule)].certain
    # the unit's own measure promised in 2023 is printed again word for word in 2024
    own = [c for c in unit.checklist if c.origin == OWN]
    again = [c for c in own if c.status == SAID_AGAIN]
    assert any(c.text.startswith("一是扎实推进依申请公开工作") for c in again)
    assert any(c.status == "本年报告未见相应表述" and "深度和广度" in c.text for c in own)
    # in the score: a repeated warning is held (a person confirms it is the same problem), nothing counted
    rect = _item(unit, "T-RECT")
    assert rect.points == 0 and rect.held_points == 2 and all(o.held for o in rect.occurrences)
    assert unit.total == 100 - 2                                          # 表四 复议纠正 1 件 × 2
    # the same checklist from the two reports alone (与上年比对 uses it)
    old = library.facts.report_object(unit.checklist and library.facts.find_reports(agency=HONGZE, year=2023)[0].id)
    new = library.facts.report_object(unit.report_id)
    again_items = checklist(old, library.facts.findings(library.facts.find_reports(agency=HONGZE, year=2023)[0].id),
                            new, score.review.units[0].findings)
    assert [c.status for c in again_items if c.origin == NOTICE and c.kind == "T4-1"] == ["未再出现，第五部分未说明整改情况"]


# -- held on an unread cell, then confirmed ------------------------------------------------------------------
def test_a_deduction_on_an_unsure_cell_is_held_until_confirmed(tmp_path, shared, rubric):
    """洪泽区 2024 read as if 表四's 行政复议 row came from an OCR page with a low-confidence cell: the 复议纠错
    deduction is held (0 points) until an official confirms it, then counted."""
    extract = default_extractor()

    def shaky(path, display_name=None):
        report = extract(path, display_name=display_name)
        cell = report.table4.cell("review", "corrected")
        cell.confidence = 0.62
        report.warnings.append(Warning("ocr_uncertain", "表四“行政复议”结果纠正识别置信度低，请核对原件。",
                                       table="table4", row="review"))
        return report
    lib = Library(tmp_path / "data")
    outcome = ingest_file(lib, shared / "reports" / "006_hongze_district_2024.pdf", "006_hongze_district_2024.pdf",
                          shaky, default_checker())
    assert outcome.ok
    (unit,) = score_group(lib, "洪泽区", 2024, rubric).units
    t4 = _item(unit, "T-T4")
    (occ,) = t4.occurrences
    assert occ.held and "读取提示" in occ.held and t4.points == 0 and t4.held_points == 2
    assert unit.total == 100 and unit.held == 2 + 2                     # and the 落款 date it does not print
    key = held_key(unit, t4, occ)
    assert confirm_held(lib, unit.report_id, "T-T4", occ.key, "张三") is True
    assert confirm_held(lib, unit.report_id, "T-T4", occ.key, "张三") is False          # once
    (after,) = score_group(lib, "洪泽区", 2024, rubric).units
    t4 = _item(after, "T-T4")
    assert t4.points == 2 and t4.occurrences[0].confirmed and after.total == 98 and after.held == 2
    assert key.startswith(unit.report_id + "/T-T4/")
    # removing the report removes its confirmations (nothing left behind)
    lib.remove(unit.report_id)
    from vectorstore.scores import ConfirmationStore
    assert ConfirmationStore(lib.db).confirmed([unit.report_id]) == set()


def test_an_unread_table_costs_nothing(tmp_path, shared, rubric):
    """表四 we could not read: the missing-table deduction is held, 复议纠错 not computed, with a note."""
    extract = default_extractor()

    def unread(path, display_name=None):
        report = extract(path, display_name=display_name)
        report.table4 = None
        report.warnings.append(Warning("table_unread", "第四部分有表格样式的内容，但无法识别其行列。", table="table4"))
        return report
    lib = Library(tmp_path / "data")
    assert ingest_file(lib, shared / "reports" / "006_hongze_district_2024.pdf", "x.pdf", unread, default_checker()).ok
    (unit,) = score_group(lib, "洪泽区", 2024, rubric).units
    miss = _item(unit, "T-MISS")
    assert miss.points == 0 and miss.held_points == 2 and "未能读取表四" in miss.occurrences[0].finding
    t4 = _item(unit, "T-T4")
    assert t4.points == 0 and t4.occurrences == () and "未能读取表四" in t4.note
    assert unit.total == 100


# -- exports ------------------------------------------------------------------------------------------------
def test_xlsx_has_scores_and_deductions_as_numbers(score_2023):
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(score_xlsx(score_2023)))
    assert wb.sheetnames[:2] == ["得分", "扣分明细"]
    rows = list(wb["得分"].iter_rows(values_only=True))
    assert list(rows[0]) == SCORE_HEADERS
    by_unit = {r[1]: r for r in rows[1:]}
    assert by_unit[HONGZE][0] == 4 and by_unit[HONGZE][2] == 96 and isinstance(by_unit[HONGZE][2], (int, float))
    assert by_unit[HONGZE][5] == 2 and by_unit[HONGZE][6] >= 1                       # held points and count
    ded = list(wb["扣分明细"].iter_rows(values_only=True))
    assert list(ded[0]) == DEDUCTION_HEADERS
    copy = next(r for r in ded[1:] if r[0] == HUBIAN and r[2] == "T-COPY")
    assert copy[6] == 5 and copy[7] == "已扣分" and FENGGANG in copy[9]
    held = next(r for r in ded[1:] if r[0] == HONGZE and r[2] == "T-LATE")
    assert held[6] == 0 and held[7] == "待确认" and held[11].count("/") == 2
    assert "比率" in wb.sheetnames and "整改核对" in wb.sheetnames


def test_notice_gains_a_scoring_section(score_2023):
    text = notice_text(score_2023.review, score_2023)
    lines = text.splitlines()
    assert lines.index("三、评分情况") < lines.index("四、整改要求")
    assert f"第1名{SHUYANG}100分" in text and f"第5名{FENGGANG}93分" in text
    assert f"“照搬其他单位”（测试）扣分的2个单位：{FENGGANG}（扣5分）、{HUBIAN}（扣5分）" in text
    assert "未计入得分，请核对原件后确认" in text
    assert "三、整改要求" in notice_text(score_2023.review)                  # without a score: as before


def test_cards_rates_and_heat_map(score_2023):
    from assistant.review import figures
    cards = {c.key: c for c in figures.cards(score_2023.review, score_2023)}
    assert cards["collected"].value == "6份"
    assert cards["on_time"].value == "1/6"                     # 沭阳 (平潭 is late under the province rule POLICY)
    assert cards["complete"].value == "5/6"
    assert any("缺少第六部分" in x for x in cards["complete"].evidence)
    rate = cards["disclosure_rate"]
    assert "实质公开率 =（予以公开 + 部分公开）÷ 办结" in rate.formula
    # the group's rate is Σ numerators ÷ Σ denominators of the units with enough volume, shown in the formula
    used = [u.rates["disclosure_rate"] for u in score_2023.units if u.rates["disclosure_rate"].compared]
    num, den = sum(r.numerator for r in used), sum(r.denominator for r in used)
    assert f"{num} ÷ {den}" in rate.formula and rate.value == f"{num / den:.1%}"
    for u in score_2023.units:
        r = u.rates["disclosure_rate"]
        assert r.compared == (r.denominator is not None and r.denominator >= 10 and r.value is not None)
    headers = figures.heat_headers(score_2023.review)
    rows = figures.heat_rows(score_2023.review, [u.report_id for u in score_2023.units])
    hongze = next(r for r in rows if r[0] == HONGZE)
    t41 = headers.index(next(h for h in headers if h.startswith("T4-1 ")))
    assert hongze[t41] == 1
    md = figures.heat_cell_markdown(score_2023.review, hongze[-1], "T4-1")
    assert "表四行政复议合计不符" in md and "第4页" in md


# -- the command line ----------------------------------------------------------------------------------------
def test_score_and_review_commands(library, tmp_path, capsys):
    from cli import main
    data = str(library.data_dir)
    rubric_file = tmp_path / "test.yaml"
    rubric_file.write_text(TEST_RUBRIC, encoding="utf-8")
    xlsx, docx = tmp_path / "评分.xlsx", tmp_path / "通报.docx"
    assert main(["score", "--group", GROUP, "--year", "2023", "--rubric", str(rubric_file), "--xlsx", str(xlsx),
                 "--out", str(docx), "--data-dir", data]) == 0
    out = capsys.readouterr().out
    assert "【评分】评分组 2023年度，按《测试细则》（满分100分）" in out
    assert re.search(rf"1\t{SHUYANG}\t100\t100\t0", out)
    assert "待确认原因：未能读取落款日期" in out and xlsx.stat().st_size > 0 and docx.stat().st_size > 0
    # confirm the held no-date deduction of 洪泽区 2023 through the command line
    key = re.search(r"--confirm (\S+/T-LATE/no-date)", out.split(HONGZE, 2)[-1]).group(1)
    assert main(["score", "--group", GROUP, "--year", "2023", "--rubric", str(rubric_file), "--confirm", key,
                 "--data-dir", data]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"\t{HONGZE}\t94\t100\t6", out)                        # now the highest band: 2 more
    assert library.audit.entries(5, action="score_confirm")
    assert main(["score", "--group", GROUP, "--year", "2023", "--rubric", str(rubric_file), "--confirm", "x/y/z",
                 "--data-dir", data]) == 2
    assert "不是本次评分中待确认的扣分" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text(TEST_RUBRIC.replace("    points: 3\n", "    points: 三分\n", 1), encoding="utf-8")
    assert main(["score", "--check-rubric", str(bad), "--data-dir", data]) == 2
    assert "评分细则“bad.yaml”第22行" in capsys.readouterr().err
    assert main(["review", "--group", "洪泽区", "--year", "2024", "--rubric", "suqian_dept", "--data-dir", data]) == 0
    out = capsys.readouterr().out
    assert "【年报体检】" in out and "【评分】洪泽区 2024年度，按《宿迁市部门年报评分（示例）》" in out
    assert "SQ-DEP-B-048" in out and "扣2分：表四 行政复议 / 结果纠正为1件" in out
