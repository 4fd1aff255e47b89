"""Issue 13 over the shared reports: groups in the library (set at ingest, suggested, edited, migrated), the
region review (table of units, common problems, cross-year rules, what we could not read), the 通报 DOCX and
the 问题清单 XLSX read back, 与上年比对 of 洪泽区 2024 against 2023, and the review/diff/group commands.

Real extraction of the shared PDFs, HTML and text, real SQLite; no vectors (the review does not need them)."""
from __future__ import annotations

import copy
import io
import shutil
import sqlite3
from pathlib import Path

import pytest

from assistant.library_ops import ingest_paths
from assistant.review.diff import diff_reports, render_diff
from assistant.review.diff_export import diff_docx
from assistant.review.groups import suggest_group
from assistant.review.notice import notice_docx, notice_text, problem_list_xlsx
from assistant.review.region import (CROSS_YEAR_RULES, THIN_SECTION_FIVE_CHARS, ReviewError, render_review,
                                     review_group, thin_section_five)
from ingest.report import Report, Section, Warning
from tests.conftest import SHARED, gold
from vectorstore.library import Library

HONGZE = "淮安市洪泽区人民政府"
FENGGANG = "赣州经济技术开发区凤岗镇人民政府"
GROUP = "体检组"


def _ingest(library: Library, *paths, **kw):
    return ingest_paths(library, paths, embed=False, progress=False, **kw).outcomes


@pytest.fixture(scope="module")
def library(tmp_path_factory, shared) -> Library:
    """The shared reports of 2023 and 2024 (plus one of 2022), groups suggested from the agency names."""
    lib = Library(tmp_path_factory.mktemp("review") / "data")
    files = [shared / "reports" / n for n in ("005_hongze_district_2023.pdf", "006_hongze_district_2024.pdf",
                                               "015_shuyang_fgj_2023.html", "026_pingtan_scj_2023.html",
                                               "011_pingtan_2022.txt")]
    files += [shared / "seeds" / n for n in ("001_758a901345a790b1.txt", "003_99eecf839798fc6e.txt")]
    outcomes = _ingest(lib, *files)
    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
    return lib


@pytest.fixture(scope="module")
def review_2023(library) -> tuple:
    """The five units of 2023 put in one group and reviewed."""
    ids = [r.id for r in library.reports() if r.year == 2023]
    library.set_group(ids, GROUP)
    return review_group(library, GROUP, 2023), {r.id: r for r in library.reports()}


# -- groups ------------------------------------------------------------------------------------------------
def test_groups_are_suggested_from_the_agency_place_and_listed(library):
    groups = {r.file.split("/")[-1]: r.group for r in library.reports()}
    assert groups["005_hongze_district_2023.pdf"] == groups["006_hongze_district_2024.pdf"] == "洪泽区"
    assert groups["026_pingtan_scj_2023.html"] == groups["011_pingtan_2022.txt"] == "平潭综合实验区"
    # a township is reviewed by the place above it; a department by its own place
    assert groups["001_758a901345a790b1.txt"] == "赣州经济技术开发区"
    assert groups["015_shuyang_fgj_2023.html"] == "沭阳县"
    assert suggest_group("国家税务总局") is None and suggest_group(None) is None
    assert suggest_group("东林市南湖区清河街道办事处") == "南湖区"


def test_group_given_at_ingest_by_name_or_folder_and_kept_on_replace(tmp_path, shared):
    lib = Library(tmp_path / "data")
    folder = tmp_path / "平潭片区"
    folder.mkdir()
    shutil.copy(shared / "reports" / "026_pingtan_scj_2023.html", folder)
    text = folder / "seed.txt"
    shutil.copy(shared / "seeds" / "001_758a901345a790b1.txt", text)
    (o1, o2) = _ingest(lib, folder, group_by_folder=True)
    assert {lib.facts.report(o.report_id).group for o in (o1, o2)} == {"平潭片区"}
    (o3,) = _ingest(lib, shared / "reports" / "015_shuyang_fgj_2023.html", group="  宿迁 市直 ")
    assert lib.facts.report(o3.report_id).group == "宿迁市直"                  # spaces removed
    # edited in 年报库, then the file changes: the new version keeps the edited group
    assert lib.set_group([o2.report_id], "凤岗专项") == 1
    text.write_text(text.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    (o4,) = _ingest(lib, text)
    assert o4.status == "replaced" and lib.facts.report(o4.report_id).group == "凤岗专项"
    assert dict(lib.facts.groups()) == {"平潭片区": 1, "宿迁市直": 1, "凤岗专项": 1}
    lib.set_group([o4.report_id], "")
    assert lib.facts.report(o4.report_id).group is None


@pytest.mark.parametrize("had_groups", [False, True])
def test_an_older_library_file_is_migrated_without_losing_reports(tmp_path, shared, had_groups):
    """A SQLite file main wrote at schema version 1 (no accounts): before issue 13 (no group_name column) or
    after it (the column already there, which version 4 must then leave alone)."""
    from vectorstore import db as dbmod
    lib = Library(tmp_path / "data")
    (o,) = _ingest(lib, shared / "seeds" / "000_747ce1910eae7ff3.txt")
    suggested = lib.facts.report(o.report_id).group
    assert suggested == "赣州经济技术开发区"                       # from the agency's place
    with sqlite3.connect(lib.db_path.path) as con:
        con.execute("DROP TABLE users")
        con.execute("DROP TABLE audit")
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        if not had_groups:
            con.execute("DROP INDEX IF EXISTS reports_group_year")
            columns = [r[1] for r in con.execute("PRAGMA table_info(reports)") if r[1] != "group_name"]
            con.execute(f"CREATE TABLE reports_old AS SELECT {', '.join(columns)} FROM reports")
            con.execute("DROP TABLE reports")
            con.execute("ALTER TABLE reports_old RENAME TO reports")
        assert ("group_name" in {r[1] for r in con.execute("PRAGMA table_info(reports)")}) == had_groups
    reopened = Library(tmp_path / "data")
    record = reopened.facts.report(o.report_id)
    assert record is not None and record.agency == "赣州经济技术开发区"
    assert record.group == (suggested if had_groups else None)       # kept, or a column that was not there
    with dbmod.reading(reopened.db) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == dbmod.SCHEMA_VERSION
        assert "reports_group_year" in {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    reopened.accounts.add("boss", "admin", "a-long-secret-1")
    reopened.set_group([o.report_id], "赣州")
    assert reopened.facts.find_reports(group="赣州")[0].id == o.report_id


# -- the review --------------------------------------------------------------------------------------------
def test_review_table_counts_are_the_stored_findings(review_2023):
    review, records = review_2023
    assert len(review.units) == 5 and review.group == GROUP and review.year == 2023
    for u in review.units:
        record = records[u.report_id]
        assert u.errors == record.n_errors                         # no previous year for any of them
        thin = sum(f["rule"] == "R5" for f in u.findings)
        assert u.warnings == record.n_warnings + thin
        assert u.agency == record.agency and u.pages == record.pages
    # sorted by errors, then warnings
    assert [u.errors for u in review.units] == sorted((u.errors for u in review.units), reverse=True)
    on_time = {u.file.split("/")[-1]: u.on_time for u in review.units}
    assert on_time["026_pingtan_scj_2023.html"] is True            # 2024-01-31: the deadline day itself
    assert on_time["015_shuyang_fgj_2023.html"] is True
    assert on_time["005_hongze_district_2023.pdf"] is None         # no 落款 date
    assert (len(review.on_time), len(review.late), len(review.undated)) == (2, 0, 3)
    text = render_review(review)
    assert "按时发布2个，逾期0个，无落款日期3个" in text


def test_common_problems_name_every_unit_with_the_problem(review_2023):
    review, _ = review_2023
    for p in review.problems:
        having = [u.agency for u in review.units
                  if any(f["rule"] == p.rule and f["severity"] in ("error", "warning") for f in u.findings)]
        assert list(p.units) == having
        assert p.describe() == f"{p.title}：{len(having)}个单位（{'、'.join(having)}）"
        assert p.example_unit == p.units[0] or p.severity == "error"
    counts = [len(p.units) for p in review.problems]
    assert counts == sorted(counts, reverse=True)                  # most frequent first
    by_rule = {p.rule: p for p in review.problems}
    assert by_rule["T3-9"].units == (FENGGANG,) and by_rule["T3-9"].severity == "error"
    assert "我镇受理政府信息公开申请1件" in by_rule["T3-9"].example_text()
    assert by_rule["T3-9"].title == "正文写有申请但表三全为0"
    assert "info" not in {p.severity for p in review.problems}


def test_reading_warnings_are_counted_apart(library, tmp_path):
    src = library.resolve("015_shuyang_fgj_2023.html")
    report = library.facts.report_object(src.id)
    report.warnings.append(Warning("table_unread", "未能读取表四：报告中有该表的内容，但程序无法确定其行列", "table4"))
    report.sha256 = "f" * 64
    report.agency = "沭阳县统计局"        # another unit: an edition of 015 read worse would not be the one in use
    r1 = {"rule": "R1", "severity": "warning", "message": "未能读取表四：报告中有该表的内容，但程序无法确定其行列。"
          "这是读取问题，不是年报的错误。", "evidence": []}
    stored = library.store(report, library.facts.findings(src.id) + [r1], path=tmp_path / "unread.html",
                           file="virtual/unread.html", group="读取组").record
    review = review_group(library, "读取组", 2023)
    (unit,) = review.units
    assert len(unit.reading) == 1 and review.unread == [unit]
    assert unit.errors == stored.n_errors                          # not turned into the unit's error
    assert "未能读取" in review.summary() and "table_unread" not in {p.rule for p in review.problems}
    assert "未能由系统读取" in notice_text(review)
    assert "R1" not in {p.rule for p in review.problems} and "R1" not in notice_text(review)   # never the unit's
    library.remove(stored.id)


def test_cross_year_rules_are_recomputed_against_the_library_and_stale_ones_dropped(library):
    from assistant.validator import check_report
    r23, r24 = library.resolve("005_hongze_district_2023.pdf"), library.resolve("006_hongze_district_2024.pdf")
    review = review_group(library, "洪泽区", 2024)
    (unit,) = review.units
    assert review.recomputed == 1 and unit.previous_file == r23.file
    expected = [f.to_json() for f in check_report(library.facts.report_object(r24.id),
                                                  library.facts.report_object(r23.id))
                if f.rule in CROSS_YEAR_RULES]
    assert sorted(map(str, expected)) == sorted(str(f) for f in unit.findings if f["rule"] in CROSS_YEAR_RULES)
    # stored cross-year findings are never reused: recomputed when last year's report is there ...
    stale = {"rule": "Q1", "severity": "warning", "message": "与上年雷同（旧结果）", "evidence": []}
    original = library.facts.findings(r24.id)
    library.update_findings(r24.id, original + [stale])
    try:
        assert stale not in review_group(library, "洪泽区", 2024).units[0].findings
    finally:
        library.update_findings(r24.id, original)
    # ... and dropped when it is not (a unit whose previous report the library does not hold)
    alone = library.facts.report_object(r24.id)
    alone.agency, alone.sha256 = "淮安市洪泽区某某局", "e" * 64
    stored = library.store(alone, original + [stale], path="/virtual/alone.pdf", file="virtual/alone.pdf",
                           group="单独组").record
    try:
        review = review_group(library, "单独组", 2024)
        assert review.recomputed == 0 and review.units[0].previous_file is None
        assert not any(f["rule"] in CROSS_YEAR_RULES for f in review.units[0].findings)
    finally:
        library.remove(stored.id)
    with pytest.raises(ReviewError, match="已有的分组"):
        review_group(library, "没有这个组", 2024)


def test_thin_or_empty_section_five():
    def report(text: str) -> Report:
        return Report(file="x.txt", agency="某区某局", year=2024,
                      sections=[Section("s5_problems", "五、存在的主要问题及改进情况", "五、存在的主要问题及改进情况",
                                        "五、存在的主要问题及改进情况\n" + text, line=40)])
    (empty,) = thin_section_five(report(""))
    assert empty.rule == "R5" and empty.actual == 0 and "只有标题" in empty.message
    (thin,) = thin_section_five(report("工作还有不足。下一步将进一步加强。"))
    assert thin.actual == len("工作还有不足。下一步将进一步加强。") and thin.evidence[0].line == 40
    assert thin_section_five(report("问" * THIN_SECTION_FIVE_CHARS)) == []
    unread = report("")
    unread.warnings.append(Warning("section_unread", "未能读取第五部分"))
    assert thin_section_five(unread) == []                         # our failure, not the report's


# -- 通报 and 问题清单 ---------------------------------------------------------------------------------------
def test_notice_docx_reads_back_with_figures_units_headings_and_format(review_2023):
    from docx import Document
    review, _ = review_2023
    doc = Document(io.BytesIO(notice_docx(review)))
    paras = [p for p in doc.paragraphs if p.text.strip()]
    texts = [p.text for p in paras]
    assert texts[0] == f"关于{GROUP}2023年度政府信息公开工作年度报告检查情况的通报（征求意见稿）"
    from assistant.docx_export import STYLE_NAMES
    assert paras[0].style.name == STYLE_NAMES["title"]                # the official document format
    headings = [p.text for p in paras if p.style.name == STYLE_NAMES["heading1"]]
    assert headings == ["一、总体情况", "二、主要问题", "三、整改要求"]
    body = "\n".join(texts)
    n_err_units = sum(1 for u in review.units if u.errors)
    assert f"本次共检查5个单位的2023年度报告。按时发布的2个" in body
    assert f"{n_err_units}个单位的报告存在错误，共{sum(u.errors for u in review.units)}处" in body
    first = review.problems[0]
    assert f"（一）{first.title}" in body and "、".join(first.units) in body
    for u in review.units:
        assert u.agency in body
    after = body.split("三、整改要求", 1)[1]
    assert after.count("【") >= 3 and "【发文单位】" in after and "【日期】" in after
    assert not any(ch.isdigit() for ch in after.split("附件")[0].replace("（一）", "").replace("（二）", "")
                   .replace("（三）", ""))                          # no invented figure in the requirements
    body_style = doc.styles[STYLE_NAMES["body"]]
    assert body_style.element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"


def test_problem_list_xlsx_lists_every_finding_with_evidence_and_page(review_2023):
    from openpyxl import load_workbook
    review, _ = review_2023
    wb = load_workbook(io.BytesIO(problem_list_xlsx(review)))
    assert wb.sheetnames == ["问题清单", "单位一览", "未能读取"]
    rows = list(wb["问题清单"].iter_rows(values_only=True))
    assert rows[0][:5] == ("单位", "文件", "报告编号", "严重程度", "规则")
    assert len(rows) - 1 == sum(len(u.findings) for u in review.units)
    fenggang = [r for r in rows[1:] if r[0] == FENGGANG and r[4] == "T3-9"]
    assert fenggang and fenggang[0][3] == "错误" and "第16行" in fenggang[0][10]
    assert "我镇受理政府信息公开申请1件" in fenggang[0][9]
    hongze_pages = [r[10] for r in rows[1:] if r[0] == HONGZE and r[10]]
    assert hongze_pages and all("页" in p for p in hongze_pages)
    units = list(wb["单位一览"].iter_rows(values_only=True))
    assert [r[0] for r in units[1:]] == [u.agency for u in review.units]
    assert [r[3] for r in units[1:]] == [u.errors for u in review.units]
    # counts are numbers Excel can sum (issue 24): errors, warnings, pages, 字数, 未能读取; 应为/实际 when figures
    for r in units[1:]:
        assert all(isinstance(r[i], int) for i in (3, 4, 11)) and isinstance(r[8], (int, type(None))), r
    figures = [(r[7], r[8]) for r in rows[1:] if isinstance(r[7], int) or isinstance(r[8], int)]
    assert figures, "no finding with a figure expected or read"
    assert not any(isinstance(v, str) and v.strip().isdigit() for r in rows[1:] for v in (r[7], r[8]))


# -- 与上年比对 ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hongze_diff(library):
    r23 = library.facts.report_object(library.resolve("005_hongze_district_2023.pdf").id)
    r24 = library.facts.report_object(library.resolve("006_hongze_district_2024.pdf").id)
    return diff_reports(r24, r23)                                  # order given does not matter


def test_hongze_2024_against_2023_cells(hongze_diff):
    d = hongze_diff
    assert (d.old.year, d.new.year) == (2023, 2024) and d.notes == []
    cells = {(c.table, c.row, c.column): c for c in d.cells}
    g23, g24 = gold("005_hongze_district_2023"), gold("006_hongze_district_2024")
    total = g23["table3"]["columns"].index("total")
    new_received = cells[("table3", "new_received", "total")]
    old_v, new_v = g23["table3"]["rows"]["new_received"][total], g24["table3"]["rows"]["new_received"][total]
    assert (new_received.old, new_received.new) == (old_v, new_v) == (21, 95)
    assert new_received.change == 74 and new_received.percent == pytest.approx(74 / 21)
    assert new_received.change_text() == "增加74，+352.4%" and new_received.new_where == "第3页"
    issued = cells[("table2", "normative_documents", "issued")]
    assert (issued.old, issued.new, issued.percent) == (0, 3, None) and "上年为0" in issued.change_text()
    penalty = cells[("table2", "administrative_penalty", "value")]
    assert penalty.change == g24["table2"]["administrative_penalty"] - g23["table2"]["administrative_penalty"]
    assert penalty.status == "减少"
    assert all(c.status in ("不变", "两年均空白") for c in d.cells if c not in d.changed_cells)
    assert len(d.changed_cells) == sum(c.old != c.new for c in d.cells)


def test_hongze_2024_against_2023_sentences_and_promises(hongze_diff):
    d = hongze_diff
    secs = {s.key: s for s in d.sections}
    six = secs["s6_other"]
    assert [x.text[:5] for x in six.added] == ["2024年"] and [x.text[:5] for x in six.removed] == ["2023年"]
    assert "信息处理费0元" in six.added[0].text and six.added[0].where == "第5页" and not six.copied
    pre = secs["preamble"]
    assert any("自2024年1月1日起至2024年12月31日止" in x.text for x in pre.added)
    assert any("自2023年1月1日起至2023年12月31日止" in x.text for x in pre.removed)
    assert d.copied_sections == []
    promises = {p.text: p for p in d.promises}
    assert promises["政务公开内容的深度和广度还有待提升"].status == "本年报告未见相应表述"
    kept = [p for p in d.promises if p.status == "本年报告原样重复"]
    assert kept and all(p.kind == "改进措施" for p in kept)
    assert all(p.answer.where == "第4页" for p in kept)
    text = render_diff(d)
    assert "表三 一、本年新收政府信息公开申请数量 / 总计：2023年 21（第3页）→ 2024年 95（第3页），增加74，+352.4%" in text


def test_a_blank_is_not_zero_and_a_copied_section_is_named(hongze_diff):
    old = hongze_diff.old
    new = copy.deepcopy(old)
    new.year = 2024
    new.file = "virtual/2024.pdf"
    new.table3.rows["new_received"]["total"].value = None
    new.table2.rows["administrative_penalty"]["value"].value += 10
    d = diff_reports(old, new)
    cells = {(c.table, c.row, c.column): c for c in d.cells}
    blank = cells[("table3", "new_received", "total")]
    assert blank.change is None and blank.status == "本年空白" and "空白不按0计" in blank.change_text()
    assert [c.label for c in d.changed_cells] == ["表二 行政处罚 / 本年处理决定数量", blank.label]
    assert {s.key for s in d.copied_sections} == {s.key for s in d.sections}
    assert "与上年逐字相同的部分：开头（前言）、一、总体情况" in d.summary()


def test_diff_docx_has_every_cell_and_sentence(hongze_diff):
    from docx import Document
    doc = Document(io.BytesIO(diff_docx(hongze_diff)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "淮安市洪泽区人民政府2024年度报告与2023年度报告比对"
    (table,) = doc.tables
    assert len(table.rows) == len(hongze_diff.cells) + 1
    row = next(r for r in table.rows if r.cells[0].text == "表三 一、本年新收政府信息公开申请数量 / 总计")
    assert [c.text for c in row.cells[1:]] == ["21", "第3页", "95", "第3页", "增加74，+352.4%"]
    body = "\n".join(texts)
    for s in hongze_diff.sections:
        for x in s.added:
            assert x.text in body


# -- the commands ------------------------------------------------------------------------------------------
def test_review_diff_and_group_commands(library, tmp_path, capsys):
    from cli import main
    data = str(library.data_dir)
    out, xlsx = tmp_path / "out" / "通报.docx", tmp_path / "out" / "问题清单.xlsx"
    assert main(["review", "--group", GROUP, "--year", "2023", "--out", str(out), "--xlsx", str(xlsx),
                 "--data-dir", data]) == 0
    printed = capsys.readouterr().out
    assert out.stat().st_size > 0 and xlsx.stat().st_size > 0
    assert "二、共性问题" in printed and FENGGANG in printed
    assert main(["review", "--group", "不存在", "--year", "2023", "--data-dir", data]) != 0
    assert "没有“不存在”2023年度的报告" in capsys.readouterr().err
    docx = tmp_path / "比对.docx"
    assert main(["diff", str(SHARED / "reports" / "005_hongze_district_2023.pdf"), "006_hongze_district_2024.pdf",
                 "--out", str(docx), "--data-dir", data]) == 0
    printed = capsys.readouterr().out
    assert "增加74，+352.4%" in printed and docx.stat().st_size > 0
    assert main(["diff", "nothing.pdf", "006_hongze_district_2024.pdf", "--data-dir", data]) != 0
    assert "既不是文件，也不是年报库中的报告" in capsys.readouterr().err
    assert main(["group", "--data-dir", data]) == 0
    assert f"{GROUP}\t" in capsys.readouterr().out


def test_cli_ingest_sets_the_group(tmp_path, shared, capsys):
    from cli import main
    data = str(tmp_path / "data")
    folder = tmp_path / "凤岗镇专项"
    folder.mkdir()
    shutil.copy(shared / "seeds" / "001_758a901345a790b1.txt", folder)
    assert main(["ingest", str(folder), "--group-by-folder", "--no-embed", "--quiet", "--data-dir", data]) == 0
    assert main(["ingest", str(shared / "seeds" / "003_99eecf839798fc6e.txt"), "--group", "赣县",
                 "--no-embed", "--quiet", "--data-dir", data]) == 0
    capsys.readouterr()
    assert main(["group", "--data-dir", data]) == 0
    assert capsys.readouterr().out.splitlines() == ["凤岗镇专项\t1 份", "赣县\t1 份"]
    assert main(["group", "赣县", "001_758a901345a790b1.txt", "--data-dir", data]) == 0
    assert main(["list", "--data-dir", data]) == 0
    assert sum(line.endswith("\t赣县") for line in capsys.readouterr().out.splitlines()) == 2
