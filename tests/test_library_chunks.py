"""Chunking, keyword tokens, search planning (assistant.retrieve) and library-question reading: pure functions,
real reports."""
from __future__ import annotations

import re
from types import SimpleNamespace

from conftest import SHARED, gold
from ingest.extract import extract
from ingest.report import Report
from vectorstore.chunks import MAX_CHARS, chunk_report, split_text, table_row_line
from vectorstore.keyword import match_expression, tokens
from assistant.measures import Measure, read_library_question
from assistant.retrieve import plan_search
from vectorstore.search import Scope, scopes_for

SEED_000 = SHARED / "seeds" / "000_747ce1910eae7ff3.txt"


def _body(chunk) -> str:
    return chunk.text.split("\n", 1)[1]


def test_every_chunk_starts_with_agency_year_and_section_path():
    report = extract(SEED_000, display_name="seeds/000_747ce1910eae7ff3.txt")
    chunks = chunk_report(report, "r000")
    assert chunks
    for c in chunks:
        assert c.text.startswith(f"《赣州经济技术开发区2022年政府信息公开工作年度报告》{c.section_path}\n")
        assert c.file == "seeds/000_747ce1910eae7ff3.txt" and c.agency == "赣州经济技术开发区" and c.year == 2022
    paths = {c.section_path for c in chunks}
    assert "一、总体情况 / （二）依申请公开情况" in paths
    applied = next(c for c in chunks if c.section == "s1_overview.2")
    assert "受理政府信息公开申请12件" in applied.text.replace(" ", "")
    assert applied.line is not None            # text reports cite lines


def test_text_chunks_are_short_and_end_on_sentences():
    report = extract(SHARED / "seeds" / "002_914a51cc45050283.txt")
    text_chunks = [c for c in chunk_report(report, "r002") if c.kind == "text"]
    assert len(text_chunks) >= 10
    for c in text_chunks:
        assert len(_body(c)) <= MAX_CHARS
    # every long section was cut on a sentence end, not mid-sentence
    long_cut = [c for c in text_chunks if len(_body(c)) > 250]
    assert long_cut and all(_body(c).rstrip()[-1] in "。；！？）”" for c in long_cut)


def test_split_text_keeps_every_character_and_respects_the_limit():
    text = SEED_000.read_text(encoding="utf-8")
    prose = re.sub(r"\s+", "", text[:4000])
    pieces = split_text(text[:4000])
    assert all(len(p) <= MAX_CHARS for p in pieces)
    assert re.sub(r"\s+", "", "".join(pieces)) == prose
    assert len(pieces) >= 8


def test_table_rows_repeat_table_row_and_column_labels():
    report = Report.from_json(gold("006_hongze_district_2024"))
    line = table_row_line(report.table3, "new_received", report.format)
    assert line == ("表三 收到和处理政府信息公开申请情况｜本年新收政府信息公开申请数量｜"
                    "自然人 95 商业企业 0 科研机构 0 社会公益组织 0 法律服务机构 0 其他 0 总计 95")
    assert table_row_line(report.table3, "denied_state_secret", report.format).startswith(
        "表三 收到和处理政府信息公开申请情况｜不予公开：1.属于国家秘密｜自然人 0")
    assert table_row_line(report.table2, "administrative_penalty", report.format) == \
        "表二 主动公开政府信息情况｜行政处罚｜本年处理决定数量 2776"
    chunks = [c for c in chunk_report(report, "r006") if c.kind == "table"]
    t3 = [c for c in chunks if c.section == "s3_requests"]
    rows_in_chunks = sum(_body(c).count("表三 收到和处理政府信息公开申请情况｜") for c in t3)
    assert rows_in_chunks == len(report.table3.rows)
    assert all(c.text.startswith("《淮安市洪泽区人民政府2024年政府信息公开工作年度报告》三、收到和处理政府信息公开申请情况\n")
               for c in t3)
    assert any("行政复议｜结果维持 1 结果纠正 1 其他结果 0 尚未审结 0 总计 2" in c.text for c in chunks)


def test_blank_cells_are_shown_as_blank_not_zero():
    report = Report.from_json(gold("003_99eecf839798fc6e"))
    review = report.table4.rows["review"]
    assert all(cell.value is None for cell in review.values())      # the gold file leaves 行政复议 blank
    line = table_row_line(report.table4, "review", report.format)
    assert "结果维持 空" in line and "结果维持 0" not in line


def test_tokens_drop_punctuation_and_match_quotes_terms():
    toks = tokens("赣州经开区2022年行政事业性收费金额是多少？")
    assert "？" not in toks and "2022" in toks and "收费" in toks
    assert match_expression("“公开”") == '"公开"'
    assert match_expression("？！") is None


def _records(*pairs):
    return [SimpleNamespace(id=f"r{i}", agency=a, year=y) for i, (a, y) in enumerate(pairs)]


LIB = _records(("赣州经济技术开发区", 2022), ("常德经济技术开发区", 2022), ("淮安市洪泽区人民政府", 2023),
               ("淮安市洪泽区人民政府", 2024), ("淮安市人民政府", 2024), ("赣州经济技术开发区企业服务和工信局", 2024))


GZ, CD, HZ = "赣州经济技术开发区", "常德经济技术开发区", "淮安市洪泽区人民政府"


def test_plan_splits_a_comparison_into_one_scope_per_agency():
    plan = plan_search("比较一下赣州经开区和常德经开区2022年的行政许可", LIB)
    assert plan.report_ids == ("r0", "r1")
    assert scopes_for(report_ids=plan.report_ids) == (Scope(report_id="r0"), Scope(report_id="r1"))
    assert scopes_for([GZ, CD], [2022]) == (Scope(GZ, (2022,)), Scope(CD, (2022,)))


def test_plan_splits_year_over_year_into_one_scope_per_year():
    plan = plan_search("洪泽区2024年收到的政府信息公开申请比2023年多了多少件？", LIB)
    assert set(plan.report_ids) == {"r2", "r3"}
    assert set(scopes_for([HZ], [2023, 2024])) == {Scope(HZ, (2024,)), Scope(HZ, (2023,))}


def test_plan_ignores_a_year_the_agency_has_no_report_for():
    plan = plan_search("赣州经开区2023年的依申请公开数量比2022年增加了还是减少了？", LIB)
    assert plan.report_ids == ("r0",)


def test_plan_expands_year_ranges_to_every_year():
    for q in ("洪泽区2023年至2024年行政处罚多少件？", "洪泽区2022—2024年行政处罚多少件？", "洪泽区近两年行政处罚多少件？"):
        assert set(plan_search(q, LIB).report_ids) == {"r2", "r3"}, q
    plan = plan_search("2022年至2024年各单位的行政处罚是多少？", LIB)
    assert plan.years == (2022, 2023, 2024) and plan.agencies == () and plan.report_ids == ()


def test_plan_resolves_the_department_not_its_parent_zone():
    plan = plan_search("企业服务和工信局2024年报的落款日期是哪天？", LIB)
    assert plan.report_ids == ("r5",)
    assert plan_search("x", LIB, agency="工信局").agencies == ("赣州经济技术开发区企业服务和工信局",)


def test_plan_ranks_whole_library_questions_by_a_stored_cell():
    plan = plan_search("这些年报里，哪个单位收到的政府信息公开申请最多？", LIB)
    r = plan.ranking
    assert (r.table, r.row, r.column, r.order) == ("table3", "new_received", "total", "desc")
    assert plan_search("洪泽区2024年行政处罚多少件？", LIB).ranking is None


def test_library_questions():
    q = read_library_question("这些年报里，哪个单位收到的政府信息公开申请最多？按数量从多到少排一下。")
    assert q.measure == Measure("table3", "new_received", "total") and q.order == "desc"
    assert read_library_question("哪些单位的表三（依申请公开情况）全部是0？").all_zero_table == "table3"
    assert read_library_question("哪些单位的表四全是0？").all_zero_table == "table4"
    assert read_library_question("哪个单位的行政复议最少？").measure.table == "table4"
    assert read_library_question("洪泽区2024年行政处罚决定数量是多少？") is None
