"""The DOCX and HTML loaders: article vs page furniture, merged cells on the grid, blank cells kept blank,
encodings, and refusal of corrupt Word files."""
from __future__ import annotations

import zipfile

import docx
import pytest

from conftest import SHARED, gold
from ingest.document import Paragraph, RawTable
from ingest.errors import ExtractError
from ingest.load import load_document
from ingest.loaders.docx import load_docx
from ingest.loaders.html import load_html
from render import render_docx

REPORT_015 = SHARED / "reports" / "015_shuyang_fgj_2023.html"
T3_FIRST_DATA_ROW = 3   # 表三 of 015: three header rows, then one row per gold row in order
T3_FIRST_VALUE_COL = 3  # three label columns (group, sub-group, item), then the seven values


@pytest.fixture(scope="module")
def doc015():
    return load_html(REPORT_015)


def _texts(table: RawTable) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


# -- HTML: the real page 015 ------------------------------------------------------------------------------
def test_015_article_kept_and_page_furniture_left_out(doc015):
    paragraphs = [p.text for p in doc015.paragraphs()]
    assert paragraphs[0] == "沭阳县发展和改革局2023年政府信息公开年度报告"          # the <h1>
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及整改措施", "六、其他需要报告的事项"):
        assert heading in paragraphs
    assert paragraphs[-2:] == ["沭阳县发展和改革局", "2024年1月17日"]
    text = doc015.text()
    assert "全年共审核发布各类公开政府信息249条" in text
    for furniture in ("采集时间", "014314799/2024-00002", "索引号", "标题："):
        assert furniture not in text


def test_015_metadata_table_is_meta_not_a_report_table(doc015):
    assert doc015.kind == "html"
    assert doc015.meta["发布机构"] == "沭阳县发展和改革局"
    assert doc015.meta["公开日期"] == "2024-01-17"
    assert doc015.meta["索引号"] == "014314799/2024-00002"
    assert doc015.meta["title"] == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert doc015.meta["html_title"] == "沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局"
    tables = doc015.tables()
    assert len(tables) == 3
    assert [t.rows[0][0].text for t in tables] == [
        "第二十条第（一）项", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "行政复议"]
    assert all("发布机构" not in c.text for t in tables for row in t.rows for c in row)


def test_015_table3_blank_cells_stay_blank_where_gold_is_null(doc015):
    g = gold("015_shuyang")["table3"]
    t3 = doc015.tables()[1]
    assert len(t3.rows) == T3_FIRST_DATA_ROW + len(g["rows"])
    assert all(len(row) == 10 for row in t3.rows)
    nulls = 0
    for i, (key, values) in enumerate(g["rows"].items()):
        row = t3.rows[T3_FIRST_DATA_ROW + i]
        cells = [c.text for c in row[T3_FIRST_VALUE_COL:]]
        for text, want in zip(cells, values):
            if want is None:
                assert text == "", (key, cells)
                nulls += 1
            else:
                assert int(text) == want, (key, cells)
    assert nulls == 125
    blank = t3.rows[T3_FIRST_DATA_ROW][T3_FIRST_VALUE_COL + 1]            # 商业企业 of 一、本年新收: printed empty
    covered = t3.rows[T3_FIRST_DATA_ROW][1]                              # under the colspan=3 label
    assert (blank.text, blank.spanned, covered.text, covered.spanned) == ("", False, "", True)
    cell = t3.rows[T3_FIRST_DATA_ROW][T3_FIRST_VALUE_COL]
    assert (cell.source.table, cell.source.row, cell.source.col) == (1, 3, 3)


def test_015_spans_put_text_in_the_first_cell_only(doc015):
    t3 = _texts(doc015.tables()[1])
    # header: the 勾稽 note spans 3×3, 申请人情况 spans 7, 法人或其他组织 spans 5
    assert t3[0][:4] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "", "申请人情况"]
    assert t3[0][4:] == [""] * 6
    assert t3[1] == ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"]
    assert t3[2] == ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]
    # 三、本年度办理结果 has rowspan 22 starting at row 5; （三）不予公开 rowspan 8 at row 7
    assert t3[5][:2] == ["三、本年度办理结果", "（一）予以公开"]
    assert [r[0] for r in t3[6:27]] == [""] * 21
    assert t3[7][1:3] == ["（三）不予公开", "1.属于国家秘密"]
    assert [r[1] for r in t3[8:15]] == [""] * 7
    assert t3[27][:3] == ["四、结转下年度继续办理", "", ""]
    t4 = _texts(doc015.tables()[2])
    g4 = gold("015_shuyang")["table4"]
    assert t4[3] == [str(v) for grp in g4.values() for v in grp.values()]
    assert t4[1][5] == "未经复议直接起诉" and t4[1][6:10] == [""] * 4


def test_015_paragraph_sources_are_block_positions(doc015):
    for k, block in enumerate(doc015.blocks, start=1):
        if isinstance(block, Paragraph):
            assert block.source.line == k
        else:
            assert block.source.table == doc015.tables().index(block)


# -- HTML: made-up pages ----------------------------------------------------------------------------------
PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>某县2023年年报</title><style>p {{ color: red }}</style><script>var x = "脚本里的中文不要";</script></head>
<body><div class="nav"><a href="/">首页</a><a href="/a">政务公开</a><a href="/b">互动交流</a></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a>年报</a></div>
<div class="TRS_Editor"><p>某县人民政府2023年政府信息公开工作年度报告</p>
<p>第一行<br>第二行<br/>第三行</p><div>块中文字<span>接着</span></div>
<p style="display:none">隐藏的文字</p>
<table border="1"><tr><td rowspan="2">合并两行</td><td colspan="2">合并两列</td></tr>
<tr><td>甲</td><td></td></tr><tr><td>乙</td><td>&nbsp;</td><td>3</td></tr></table>
<p>一、总体情况</p><p>本年度我县认真贯彻落实条例，主动公开政府信息一千余条。</p></div>
<div class="footer">版权所有：某县人民政府办公室 地址：某县人民路1号</div></body></html>"""


def test_gbk_page_with_meta_charset(tmp_path):
    path = tmp_path / "gbk.html"
    path.write_bytes(PAGE.format(charset="gb2312").encode("gbk"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    d = load_html(path)
    paragraphs = [p.text for p in d.paragraphs()]
    assert paragraphs[:5] == ["某县人民政府2023年政府信息公开工作年度报告", "第一行", "第二行", "第三行", "块中文字接着"]
    assert "本年度我县认真贯彻落实条例，主动公开政府信息一千余条。" in paragraphs
    text = d.text()
    for left_out in ("脚本里的中文不要", "隐藏的文字", "当前位置", "互动交流", "版权所有", "color"):
        assert left_out not in text
    assert d.meta["html_title"] == "某县2023年年报"
    (table,) = d.tables()
    assert _texts(table) == [["合并两行", "合并两列", ""], ["", "甲", ""], ["乙", "", "3"]]
    assert [[c.spanned for c in row] for row in table.rows] == [[False, False, True], [True, False, False],
                                                                 [False, False, False]]


def test_declared_gbk_but_really_utf8_reads_as_utf8(tmp_path):
    path = tmp_path / "liar.html"
    path.write_bytes(PAGE.format(charset="gbk").encode("utf-8"))
    assert "第一行" in [p.text for p in load_html(path).paragraphs()]


def test_big5_page_is_read_with_its_declared_charset(tmp_path):
    path = tmp_path / "big5.html"
    path.write_bytes('<html><head><meta charset="big5"></head><body><p>政府資訊公開年度報告</p></body></html>'.encode("big5"))
    assert [p.text for p in load_html(path).paragraphs()] == ["政府資訊公開年度報告"]


def test_undeclared_gbk_falls_back_to_gb18030(tmp_path):
    path = tmp_path / "plain.htm"
    path.write_bytes("<p>二、主动公开政府信息情况</p><p>规章 0 件</p>".encode("gbk"))
    assert [p.text for p in load_html(path).paragraphs()] == ["二、主动公开政府信息情况", "规章 0 件"]


def test_without_article_markup_the_text_heavy_element_is_kept(tmp_path):
    filler = "本机关坚持以公开为常态、不公开为例外，持续推进决策、执行、管理、服务、结果公开。" * 3
    page = (f"<html><body><div id='top'><a>首页</a><a>机构概况</a><a>政务公开</a><a>办事服务</a></div>"
            f"<div id='left'><ul><li><a>通知公告</a></li><li><a>政策文件</a></li></ul></div>"
            f"<div id='right'><div class='title-x'>某局2023年报</div><p>{filler}</p><p>{filler}</p>"
            f"<table border=1><tr><td>行政许可</td><td>12</td></tr></table></div>"
            f"<div id='bottom'>主办：某局</div></body></html>")
    path = tmp_path / "plain.html"
    path.write_text(page, encoding="utf-8")
    d = load_html(path)
    assert [p.text for p in d.paragraphs()] == ["某局2023年报", filler, filler]
    assert _texts(d.tables()[0]) == [["行政许可", "12"]]


def test_layout_table_is_read_as_text_and_inner_table_kept(tmp_path):
    page = ("<html><body><table><tr><td><p>某局2023年政府信息公开工作年度报告</p>"
            "<table border=1><tr><td>商业<br>企业</td><td>12<br>34</td></tr></table>"
            "<p>六、其他需要报告的事项</p></td></tr></table></body></html>")
    path = tmp_path / "layout.html"
    path.write_text(page, encoding="utf-8")
    d = load_html(path)
    assert [type(b).__name__ for b in d.blocks] == ["Paragraph", "RawTable", "Paragraph"]
    assert _texts(d.tables()[0]) == [["商业企业", "12\n34"]]


def test_empty_html_is_refused(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("   \n  ", encoding="utf-8")
    with pytest.raises(ExtractError) as e:
        load_html(path)
    assert e.value.code == "empty_html" and "HTML" in e.value.message


# -- DOCX -------------------------------------------------------------------------------------------------
def test_docx_rendered_015_has_the_same_grid_as_the_real_html(tmp_path, doc015):
    path = render_docx(gold("015_shuyang"), tmp_path / "015.docx")
    d = load_docx(path)
    assert d.kind == "docx"
    html_tables, docx_tables = doc015.tables(), d.tables()
    assert len(docx_tables) == 3
    assert _texts(docx_tables[1]) == _texts(html_tables[1])     # 表三: header spans, row groups, blank cells
    assert _texts(docx_tables[2]) == _texts(html_tables[2])     # 表四: 3-row header
    cell = docx_tables[1].rows[5][4]
    assert (cell.source.table, cell.source.row, cell.source.col) == (1, 5, 4)


def test_docx_merges_paragraphs_headers_and_order(tmp_path):
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "页眉文字不应读取"
    document.sections[0].footer.paragraphs[0].text = "页脚文字不应读取"
    document.add_paragraph("某局2023年政府信息公开工作年度报告")
    document.add_paragraph("")
    document.add_paragraph("二、主动公开政府信息情况")
    table = document.add_table(rows=3, cols=4)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "纵向合并"
    table.cell(0, 1).merge(table.cell(0, 3)).text = "横向合并"
    cell = table.cell(1, 1)
    cell.text = "商业"
    cell.add_paragraph("企业")
    table.cell(1, 2).text = "12"
    table.cell(1, 2).add_paragraph("34")
    for c, text in enumerate(["规章", "0", "", "5"]):
        table.cell(2, c).text = text
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    path = tmp_path / "merged.docx"
    document.save(str(path))

    d = load_docx(path)
    assert [type(b).__name__ for b in d.blocks] == ["Paragraph", "Paragraph", "RawTable", "Paragraph"]
    assert [p.source.line for p in d.paragraphs()] == [1, 3, 4]      # the empty 2nd paragraph is counted
    assert _texts(d.tables()[0]) == [["纵向合并", "横向合并", "", ""],
                                     ["", "商业企业", "12\n34", ""],
                                     ["规章", "0", "", "5"]]
    assert "页眉" not in d.text() and "页脚" not in d.text()
    assert [[c.spanned for c in row] for row in d.tables()[0].rows] == [[False, False, True, True],
                                                                        [True, False, False, False],
                                                                        [False, False, False, False]]


def test_corrupt_docx_not_a_zip(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"this is not a word document at all" * 10)
    with pytest.raises(ExtractError) as e:
        load_document(path)
    assert e.value.code == "corrupt_docx"
    assert e.value.message.startswith("DOCX文件已损坏或不是有效的Word文档：broken.docx")


def test_corrupt_docx_zip_without_document_xml(tmp_path):
    path = tmp_path / "nodoc.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/styles.xml", "<styles/>")
    with pytest.raises(ExtractError) as e:
        load_docx(path)
    assert e.value.code == "corrupt_docx" and "word/document.xml" in e.value.message


def test_corrupt_docx_truncated_zip(tmp_path):
    good = render_docx(gold("004_e6c"), tmp_path / "good.docx")
    path = tmp_path / "truncated.docx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ExtractError) as e:
        load_docx(path)
    assert e.value.code == "corrupt_docx"


def test_legacy_doc_renamed_docx(tmp_path):
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
    with pytest.raises(ExtractError) as e:
        load_document(path)
    assert e.value.code == "corrupt_docx" and ".doc" in e.value.message


def test_site_logo_h1_is_not_the_title_but_the_report_title_div_is(tmp_path):
    page = ("<html><head><title>年报-某县人民政府</title></head><body>"
            "<h1 class='logo'><a href='/'>某县人民政府</a></h1>"
            "<div class='xxgk-title'>某县人民政府2023年政府信息公开工作年度报告</div>"
            "<div id='zoomcon'><p>一、总体情况</p><p>2023年，本县持续深化政务公开，全面提升政府工作透明度。</p></div>"
            "</body></html>")
    path = tmp_path / "logo.html"
    path.write_text(page, encoding="utf-8")
    d = load_html(path)
    assert d.meta["title"] == "某县人民政府2023年政府信息公开工作年度报告"
    assert [p.text for p in d.paragraphs()] == ["某县人民政府2023年政府信息公开工作年度报告", "一、总体情况",
                                                "2023年，本县持续深化政务公开，全面提升政府工作透明度。"]


def test_macro_enabled_document_renamed_docx_is_still_read(tmp_path):
    good = render_docx(gold("004_e6c"), tmp_path / "good.docx")
    path = tmp_path / "macro.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
            dst.writestr(item, data)
    with pytest.raises(ValueError):
        docx.Document(str(path))
    assert [[c.text for c in r] for r in load_docx(path).tables()[2].rows] == \
        [[c.text for c in r] for r in load_docx(good).tables()[2].rows]
