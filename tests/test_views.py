"""The page's pure view functions over real reports from ../shared: file names, findings, comparison, drafts."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest

from assistant import views
from assistant.validator.findings import ERROR, WARNING
from ingest.extract import extract
from tests.conftest import SHARED

SEEDS = SHARED / "seeds"


@pytest.fixture(scope="module")
def seed_reports(shared):
    return {p.name[:3]: extract(p, display_name=f"seeds/{p.name}") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.mark.parametrize("raw,safe", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\年报 2024?.pdf", "年报 2024_.pdf"),
    (".hidden.txt", "hidden.txt"),
    ("a\x00b<c>.docx", "a_b_c_.docx"),
    ("", "未命名"),
])
def test_safe_file_name(raw, safe):
    assert views.safe_file_name(raw) == safe


def test_safe_file_name_keeps_extension_when_shortened():
    name = views.safe_file_name("年" * 300 + ".pdf", max_chars=40)
    assert len(name) == 40 and name.endswith(".pdf")


def test_findings_grouped_by_severity_with_evidence(seed_reports):
    from assistant.validator import check_report
    findings = [f.to_json() for f in check_report(seed_reports["001"])]
    errors = [f for f in findings if f["severity"] == ERROR]
    warnings = [f for f in findings if f["severity"] == WARNING]
    md = views.findings_markdown(findings, "凤岗镇")
    assert f"错误 {len(errors)} 条" in md and f"警告 {len(warnings)} 条" in md
    assert md.index("#### 错误") < md.index("#### 警告")
    # 凤岗镇's text says 1 application while 表三 says 0 (RULES.md d, seed 001): the finding cites both
    assert any("表三" in f["message"] and "1" in f["message"] for f in errors)
    assert "依据：" in md and "第" in md
    rows = list(csv.reader(io.StringIO(views.findings_csv(findings))))
    assert rows[0] == views.FINDINGS_CSV_HEADERS and len(rows) == len(findings) + 1
    assert sum(r[0] == "错误" for r in rows[1:]) == len(errors)


def test_no_findings_says_so():
    assert "未发现问题" in views.findings_markdown([])


@dataclass
class FakeRecord:
    id: str
    agency: str
    year: int
    file: str


@dataclass
class FactLike:
    value: float | int | None
    file: str
    page: int | None = None
    line: int | None = None


def _cells(report):
    out = {}
    for t in (report.table2, report.table3, report.table4):
        if t:
            for r, c, cell in t.cells():
                out[(t.name, r, c)] = FactLike(cell.value, report.file, None, cell.source.line if cell.source else None)
    return out


def test_comparison_reads_cells_and_computes_rates(seed_reports):
    a, b = seed_reports["000"], seed_reports["002"]      # 赣州经开区 2022, 常德经开区 2022
    records = [FakeRecord("b", b.agency, b.year, b.file), FakeRecord("a", a.agency, a.year, a.file)]
    keys = ["table2.administrative_license.value", "table3.new_received.total", "derived.disclosure_rate.total"]
    rows = views.comparison_rows(records, {"a": _cells(a), "b": _cells(b)}, keys)
    by = {(r["单位"], r["指标"]): r for r in rows}
    lic = views.metric_choice_label("table2.administrative_license.value")
    assert by[("常德经济技术开发区", lic)]["数值"] == 855                       # gold: 行政许可 855
    assert by[("赣州经济技术开发区", views.metric_choice_label("table3.new_received.total"))]["数值"] == 12
    rate = by[("赣州经济技术开发区", views.metric_choice_label("derived.disclosure_rate.total"))]
    granted = a.table3.value("granted", "total") + a.table3.value("partially_granted", "total")
    assert rate["数值"] == round(100 * granted / a.table3.value("total_processed", "total"), 1)
    assert "seeds/000" in rate["出处"] and "行" in rate["出处"]
    assert [r["单位"] for r in rows][:3] == ["常德经济技术开发区"] * 3          # ordered by agency
    headers, table = views.comparison_wide(rows, keys)
    assert headers[:2] == ["单位", "年度"] and len(table) == 2
    frame = views.chart_frame(rows)
    assert len(frame) == sum(r["数值"] is not None for r in rows) and frame["条目"].is_unique
    lines = list(csv.reader(io.StringIO(views.comparison_csv(rows))))
    assert lines[0] == views.COMPARE_HEADERS and len(lines) == len(rows) + 1


def test_blank_cell_is_not_zero(seed_reports):
    r = seed_reports["003"]          # 赣县区行政审批局: 表四 行政复议 cells blank (RULES.md q21)
    rows = views.comparison_rows([FakeRecord("x", r.agency, r.year, r.file)], {"x": _cells(r)}, ["table4.review.total"])
    assert r.table4.value("review", "total") is None and rows[0]["数值"] is None


def test_strip_citation_labels():
    text = "本年新收申请12件〔赣州经济技术开发区2022年报·表三“一、本年新收政府信息公开申请数量”·第68行〕，予以公开11件〔…〕。"
    assert views.strip_citation_labels(text) == "本年新收申请12件，予以公开11件。"


def _east_asia(style) -> str:
    from docx.oxml.ns import qn
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_draft_docx_in_the_official_format():
    """Read back: A4, margins 37/35/28/26 mm, 小标宋 2号 title, 仿宋_GB2312 3号 body, 黑体 / 楷体 headings,
    a PAGE field in the footer, the font table naming an alternative for each official font, citations
    kept in 五号 or dropped."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt
    text = "五、存在的主要问题及改进情况\n（一）上年问题整改情况\n1. 已整改〔某单位2024年报·五、存在的主要问题及改进情况·第3行〕。"
    doc = Document(io.BytesIO(views.draft_docx_bytes("测试单位2025年政府信息公开工作年度报告（草稿）", text)))
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == [37, 35, 28, 26]
    paras = [p for p in doc.paragraphs if p.text]
    title, h1, h2, body = paras
    assert title.text.startswith("测试单位") and _east_asia(title.style) == "方正小标宋简体"
    assert title.style.font.size == Pt(22) and title.alignment is None and title.style.paragraph_format.alignment == 1
    assert h1.text.startswith("五、") and _east_asia(h1.style) == "黑体" and h1.style.font.size == Pt(16)
    assert h2.text.startswith("（一）") and _east_asia(h2.style) == "楷体_GB2312"
    assert _east_asia(body.style) == "仿宋_GB2312" and body.style.font.size == Pt(16)
    assert body.style.paragraph_format.first_line_indent == Pt(32)
    cite_run = next(r for r in body.runs if r.text.startswith("〔"))
    assert cite_run.font.size == Pt(10.5) and body.text.endswith("〕。")
    footer_xml = sec.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer_xml and "fldChar" in footer_xml
    fonts_part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    from docx.oxml import parse_xml
    table = {f.get(qn("w:name")): f for f in parse_xml(fonts_part.blob).findall(qn("w:font"))}
    for name in ("方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"):
        alt = table[name].find(qn("w:altName"))
        assert alt is not None and alt.get(qn("w:val"))
    bare = Document(io.BytesIO(views.draft_docx_bytes("标题", text, keep_sources=False)))
    assert not any("〔" in p.text for p in bare.paragraphs)


def test_example_questions_name_library_reports(seed_reports):
    records = [FakeRecord(k, r.agency, r.year, r.file) for k, r in seed_reports.items()]
    qs = views.example_questions(records)
    assert qs[0].startswith(seed_reports["000"].agency + "2022年") and any("比较" in q for q in qs)
    assert views.example_questions([]) == []


def test_citation_title_and_body():
    c = {"report": "淮安市洪泽区人民政府2024年报", "section": "三、收到和处理政府信息公开申请情况", "page": 3,
         "text": "本年新收申请 95 件", "file": "006_hongze_district_2024.pdf"}
    assert views.citation_title(1, c) == "[1] 淮安市洪泽区人民政府2024年报 · 三、收到和处理政府信息公开申请情况 · 第3页"
    assert "本年新收申请 95 件" in views.citation_body(c) and "006_hongze" in views.citation_body(c)
