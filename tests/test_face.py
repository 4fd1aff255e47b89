"""Issue 24 (the face an official meets) without a browser: the upload result's counts are the 年报库 table's,
the XLSX problem list holds numbers as numbers, the words officials read are Chinese (citations, rules, audit
entries in Beijing time), the library's search, the 核查 results as a Word document, a badly read report
summarised first. Real extraction of the shared reports, real SQLite, no vectors."""
from __future__ import annotations

import io
import re

import pytest

from assistant import library_ops
from vectorstore.library import Library

HONGZE = "淮安市洪泽区人民政府"


@pytest.fixture(scope="module")
def library(tmp_path_factory, shared) -> Library:
    lib = Library(tmp_path_factory.mktemp("face") / "data")
    files = [shared / "reports" / n for n in ("005_hongze_district_2023.pdf", "006_hongze_district_2024.pdf")]
    files += [shared / "seeds" / n for n in ("001_758a901345a790b1.txt", "003_99eecf839798fc6e.txt")]
    assert all(o.ok for o in library_ops.ingest_paths(lib, files, embed=False, progress=False).outcomes)
    return lib


def test_upload_counts_are_those_of_the_table_after_the_batch_is_checked(tmp_path, shared):
    """2024 uploaded before 2023 in one batch: 2024 is checked again once 2023 is in, so its line changes."""
    lib = Library(tmp_path / "data")
    extract = library_ops.default_extractor()

    def check(report, previous=None):           # one cross-year warning when last year's report is there
        return [{"rule": "T3-6", "severity": "warning", "message": "结转与上年不一致"}] if previous is not None else []
    names = ["006_hongze_district_2024.pdf", "005_hongze_district_2023.pdf"]
    outcomes = [library_ops.ingest_file(lib, shared / "reports" / n, n, extract, check, None) for n in names]
    assert [(o.errors, o.warnings) for o in outcomes] == [(0, 0), (0, 0)]
    library_ops.recheck_successors(lib, [o.report_id for o in outcomes], check)
    current = library_ops.with_current_counts(lib, outcomes)
    table = {r.file: (r.n_errors, r.n_warnings) for r in lib.reports()}
    assert table == {names[0]: (0, 1), names[1]: (0, 0)}
    assert [(o.errors, o.warnings) for o in current] == [table[names[0]], table[names[1]]]
    assert "错误 0 条，警告 1 条" in current[0].message and "已重新核查" in current[0].message
    assert current[1] == outcomes[1]


# -- plain Chinese: cells, rules, audit entries ------------------------------------------------------------
def test_every_cell_of_every_table_is_cited_in_chinese(library):
    import re

    from assistant.cite import Citation, load_view
    from assistant.validator.findings import cell_label
    from ingest.schema import TABLE2_ROWS, TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_GROUPS
    record = library.resolve("006_hongze_district_2024.pdf")
    cells = load_view(library, record)
    grid = [("table2", r, c) for r in TABLE2_ROWS for c in ("value", "issued", "repealed", "in_force", "total", "amount")]
    grid += [("table3", r, c) for r in TABLE3_ROWS for c in (*TABLE3_COLUMNS, "total")]
    grid += [("table4", g, c) for g in TABLE4_GROUPS for c in (*TABLE4_COLUMNS, "total")]
    for table, row, col in grid:
        c = Citation(record.file, record.agency, record.year, None, table, row, col, 3)
        shown = [c.place, c.label(), cell_label(table, row, col)]
        shown.append(cells.cite_cell(table, row, col).text)
        for text in shown:
            assert not re.search(r"[A-Za-z]", text.replace(record.file, "")), (table, row, col, text)
    assert cell_label("table4", "review", "total") == "表四 行政复议 / 总计"


def test_rule_titles_never_the_bare_id_nor_twice():
    from assistant.review.titles import rule_title
    from assistant.validator import catalogue
    from assistant.views import findings_markdown
    assert rule_title("R1") == "部分表格或单元格未能读取" and rule_title("R5") == "第五部分为空或内容过少"
    assert catalogue.title("R5") == "第五部分为空或内容过少" and catalogue.title("ZZ9") == "其他问题"
    assert "规则 " not in rule_title("ZZ9")
    md = findings_markdown([{"rule": "R5", "severity": "warning", "message": "第五部分只有12个字。"}], "核查结果")
    assert "**第五部分为空或内容过少**" in md and "R5 R5" not in md and md.count("R5") == 1


def test_audit_rows_in_beijing_time_with_chinese_roles_and_channels():
    from assistant.access import AUDIT_HEADERS, audit_row, beijing_time
    from vectorstore.accounts import AuditEntry
    assert beijing_time("2026-12-07T01:30:00+00:00") == "2026-12-07 09:30"
    assert beijing_time("2026-12-07T23:05:59+00:00") == "2026-12-08 07:05"
    row = audit_row(AuditEntry(7, "2026-12-07T01:30:00+00:00", "张三", "admin", "user_add", "李四", "viewer", True,
                               "cli", None))
    assert dict(zip(AUDIT_HEADERS, row)) == {"序号": 7, "时间（北京时间）": "2026-12-07 09:30", "账号": "张三",
                                            "角色": "管理员", "操作": "添加账号", "对象": "李四", "说明": "查阅",
                                            "结果": "成功", "渠道": "命令行", "来源地址": ""}
    assert audit_row(AuditEntry(8, "2026-12-07T01:31:00+00:00", "王五", "editor", "remove", "a.pdf", None, False,
                                "web", "127.0.0.1"))[3:10:5] == ["编辑", "网页"]


# -- 年报库's search box --------------------------------------------------------------------------------------
def test_library_search_by_unit_year_group_and_words_of_the_text(library):
    from assistant.views import library_search, search_words
    records = library.reports(editions=True)

    def search(query, **filters):
        hits = {w: library.facts.text_hits(w) for w in search_words(query)}
        found, note = library_search(records, query, hits, **filters)
        return sorted(r.file for r in found), note
    hongze = ["005_hongze_district_2023.pdf", "006_hongze_district_2024.pdf"]
    assert search("洪泽区")[0] == hongze
    assert search("洪泽区 2024")[0] == hongze[1:]
    assert search("", year="2023")[0] == ["001_758a901345a790b1.txt", "003_99eecf839798fc6e.txt", hongze[0]]
    assert search("", group="洪泽区", year="2024")[0] == hongze[1:]
    files, note = search("凤岗镇 法定期限内")                        # words of the text: where they are shown
    assert files == ["001_758a901345a790b1.txt"]
    assert "“法定期限内”：" in note and "第" in note and "行）" in note
    files, note = search("没有这个词的报告")
    assert files == [] and note.startswith("没有找到含“没有这个词的报告”的报告")
    assert search("50%_")[0] == []                                 # LIKE's wildcards are plain characters
    assert search(None)[0] == sorted(r.file for r in records)


# -- 核查 results as a Word document -------------------------------------------------------------------------
def test_check_results_as_an_official_word_document(library):
    from docx import Document
    from docx.oxml.ns import qn

    from assistant.docx_export import STYLE_NAMES
    from assistant.validator.findings import SEVERITY_ZH
    from assistant.views import findings_docx_bytes, zh_numeral
    assert [zh_numeral(n) for n in (1, 9, 10, 12, 20, 21)] == ["一", "九", "十", "十二", "二十", "二十一"]
    record = library.resolve("005_hongze_district_2023.pdf")
    findings = library.facts.findings(record.id)
    doc = Document(io.BytesIO(findings_docx_bytes(findings, record.file, record.agency, record.year)))
    paragraphs = [p for p in doc.paragraphs if p.text]
    texts = [p.text for p in paragraphs]
    assert texts[0] == f"关于{HONGZE}2023年度政府信息公开工作年度报告的核查结果"
    assert texts[1] == f"核查对象：{HONGZE}2023年度政府信息公开工作年度报告（文件：005_hongze_district_2023.pdf）。"
    assert texts[2].startswith(f"核查结果：错误{record.n_errors}条，警告{record.n_warnings}条")
    assert f"一、错误（{record.n_errors}条）" in texts
    headings1 = [t for t in texts if t[1:2] == "、" and t[:1] in "一二三"]
    assert headings1[0].startswith("一、错误") and any(t.startswith("二、警告") for t in headings1)
    # 洪泽区2023 表四: 行政复议 维持10 + 纠正1 but 总计 0 — its evidence with the page
    t4 = next(i for i, t in enumerate(texts) if "表四" in t and t.startswith("（"))
    assert any(t.startswith("依据：表四") and "第" in t and "页" in t for t in texts[t4:t4 + 8])
    styles = {p.text: p.style.name for p in paragraphs}
    assert styles[texts[0]] == STYLE_NAMES["title"] and styles[headings1[0]] == STYLE_NAMES["heading1"]
    assert styles[texts[t4]] == STYLE_NAMES["heading2"] and styles[texts[1]] == STYLE_NAMES["body"]
    fonts = {p.text: p.style.element.rPr.rFonts.get(qn("w:eastAsia")) for p in paragraphs}
    assert fonts[texts[0]] == "方正小标宋简体" and fonts[headings1[0]] == "黑体" and fonts[texts[1]] == "仿宋_GB2312"
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert "PAGE" in sec.footer.paragraphs[0]._p.xml
    assert not any(re.search(r"[A-Za-z]{3,}", t.replace(record.file, "")) for t in texts), texts
    assert all(SEVERITY_ZH[s] for s in ("error", "warning", "info"))


# -- a badly read report: summarised first, details folded -------------------------------------------------
def badly_read(library):
    """洪泽区2024 as if a scan lost five cells of three rows of 表三 on page 3 (cells emptied, warnings as the
    OCR reader writes them), checked again."""
    from assistant.validator import check_report
    from ingest.report import Report, Source, Warning
    from ingest.schema import TABLE3_ROWS
    record = library.resolve("006_hongze_district_2024.pdf")
    report = Report.from_json(library.facts.report_json(record.id))
    for row in ("new_received", "granted", "carried_forward"):
        for col in ("commercial", "research", "social_welfare", "legal_service", "other_org"):
            report.table3.cell(row, col).value = None
            report.table3.cell(row, col).raw = ""
        report.warnings.append(Warning("missing_cell", f"未能读取第3页表三“{TABLE3_ROWS[row]}”行“商业企业”等5列的数字："
                                                       "扫描页上该处没有识别出数字，请核对原件", "table3", row, Source(page=3)))
    return report, [f.to_json() for f in check_report(report)]


def test_a_badly_read_report_is_summarised_first_with_the_details_folded(library):
    from assistant.views import findings_markdown, findings_text, reading_summary, report_overview
    report, findings = badly_read(library)
    assert reading_summary(report) == ["表三有15格未能读取（第3页），请对照原件核对。"]
    md = findings_markdown(findings, "核查结果", report)
    first = md.split("\n\n")[1]
    assert first.startswith("**读取情况（请先核对）：** 表三有15格未能读取（第3页），请对照原件核对。")
    folded = md[md.index("<details>"):]
    assert "未能读取的位置（4 条，点开查看）" in folded and "未能确定表三的版式" in folded and folded.count("\n- 未能读取第3页表三") == 3
    assert md.index("<details>") > md.index("#### ")                  # after the findings, not among them
    assert "（读取时发现）未能读取" not in md
    counts = md.split("\n\n")[2]                                       # the counts are those of 年报库
    n_warn = sum(1 for f in findings if f["severity"] == "warning")
    assert f"警告 {n_warn} 条" in counts and "其中 4 条是未能读取的位置" in counts
    overview = report_overview(report)
    assert overview.splitlines()[2].startswith("**读取情况（请先核对）：** 表三有15格未能读取")
    assert "<details><summary>读取提示（" in overview
    text = findings_text(findings, report.file, report.agency, report.year, report).splitlines()
    assert text[1] == "读取情况（请先核对）：表三有15格未能读取（第3页），请对照原件核对。这是读取问题，不是年报的错误。"
    assert text[-5].endswith("、未能读取的位置（4条，请对照原件核对）")
    # a report read well: no summary, nothing folded
    well = library.facts.report_object(library.resolve("005_hongze_district_2023.pdf").id)
    assert reading_summary(well) == [] and "未能读取的位置" not in findings_markdown(findings, "核查结果", well)


def test_year_over_year_sentences_marked_in_words_office_fonts_have(library):
    from app import sentences_markdown
    from assistant.review.diff import diff_reports
    r23 = library.facts.report_object(library.resolve("005_hongze_district_2023.pdf").id)
    r24 = library.facts.report_object(library.resolve("006_hongze_district_2024.pdf").id)
    md = sentences_markdown(diff_reports(r24, r23))
    assert "**【新增】**" in md and "**【删去】**" in md
    assert not any(0x2000 <= ord(ch) <= 0x2BFF or ord(ch) >= 0x1F000 for ch in md if ch not in "“”‘’…—–"), \
        sorted({ch for ch in md if 0x2000 <= ord(ch) <= 0x2BFF or ord(ch) >= 0x1F000})
