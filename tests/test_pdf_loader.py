"""The PDF loader on the three real PDF reports (values checked against the gold files) and on small PDFs
written in the test: a cut table row, running headers, a table laid out without rules, and bad input
(corrupt, truncated, encrypted, scanned)."""
from __future__ import annotations

import os
import re

import pytest

from conftest import SHARED, gold
from ingest.document import Paragraph, RawTable
from ingest.errors import ExtractError
from ingest.load import load_document
from ingest.loaders.page import tidy
from ingest.loaders.pdf import ENCRYPTED_MESSAGE, SCANNED_MESSAGE, load_pdf
from make_pdf import make_pdf, ruled_table, text_lines

REPORTS = {"005": "005_hongze_district_2023", "006": "006_hongze_district_2024", "007": "007_huaian_city_2024"}
T4_GROUPS = ("review", "litigation_direct", "litigation_after_review")
T4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
NUMBER = re.compile(r"^\d+(\.\d+)?$")


@pytest.fixture(scope="module")
def docs():
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return {k: load_pdf(SHARED / "reports" / f"{name}.pdf") for k, name in REPORTS.items()}


def numbers(row) -> list[float]:
    return [float(c.text) for c in row if NUMBER.match(c.text)]


def table_with(doc, text: str) -> RawTable:
    found = [t for t in doc.tables() if any(c.text == text for row in t.rows for c in row)]
    assert len(found) == 1, f"{text!r} is in {len(found)} tables"
    return found[0]


def row_with(table: RawTable, text: str):
    rows = [row for row in table.rows if any(c.text == text for c in row)]
    assert len(rows) == 1, f"{text!r} is in {len(rows)} rows"
    return rows[0]


# -- the real reports ------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", REPORTS)
def test_three_tables_each_one_piece(docs, key):
    """表二, 表三 and 表四 are the only tables: text frames are not tables, and tables cut by a page
    break are one table each."""
    doc = docs[key]
    assert doc.kind == "pdf" and doc.pages == (6 if key == "007" else 5)
    assert len(doc.tables()) == 3
    t2, t3, t4 = doc.tables()
    assert {"规章", "行政许可", "行政事业性收费"} <= {c.text for row in t2.rows for c in row}
    t3_labels = {c.text for row in t3.rows for c in row}
    assert {"一、本年新收政府信息公开申请数量", "（七）总计", "四、结转下年度继续办理"} <= t3_labels
    assert "结果维持" in {c.text for row in t4.rows for c in row}
    assert all(t.source.page != 1 for t in doc.tables())


@pytest.mark.parametrize("key", REPORTS)
def test_table_values_equal_gold(docs, key):
    doc, g = docs[key], gold(REPORTS[key])
    t2, t3, t4 = doc.tables()
    assert numbers(row_with(t2, "规章")) == list(g["table2"]["regulations"].values())
    assert numbers(row_with(t2, "行政规范性文件")) == list(g["table2"]["normative_documents"].values())
    for label, key2 in (("行政许可", "administrative_license"), ("行政处罚", "administrative_penalty"),
                        ("行政强制", "administrative_coercion"), ("行政事业性收费", "administrative_fees")):
        assert numbers(row_with(t2, label)) == [g["table2"][key2]]
    rows3 = g["table3"]["rows"]
    assert numbers(row_with(t3, "（七）总计")) == rows3["total_processed"]
    assert numbers(row_with(t3, "一、本年新收政府信息公开申请数量")) == rows3["new_received"]
    assert numbers(row_with(t3, "四、结转下年度继续办理")) == rows3["carried_forward"]
    # the row right after the page break of 表三 (its label cell is the first on the new page, or the last
    # of the old page) keeps its values
    assert numbers(row_with(t3, "2.没有现成信息需要另行制作")) == rows3["unavailable_needs_creation"]
    value_rows = [numbers(row) for row in t4.rows if len(numbers(row)) == len(row) == 15]
    assert value_rows == [[g["table4"][grp][col] for grp in T4_GROUPS for col in T4_COLUMNS]]


def test_hongze_2024_table3_joined_across_pages(docs):
    t3 = table_with(docs["006"], "（七）总计")
    assert t3.source.page == 3
    total = row_with(t3, "（七）总计")
    assert {c.source.page for c in total} == {4}
    assert [c.text for c in total if NUMBER.match(c.text)] == [str(v) for v in gold("006")["table3"]["rows"]["total_processed"]]
    assert row_with(t3, "一、本年新收政府信息公开申请数量")[0].source.page == 3
    assert len({len(row) for row in t3.rows}) == 1 and len(t3.rows[0]) == 10
    # the vertical label 三、本年度办理结果 runs on into page 4: there it is a spanned slot, not a blank cell
    first_on_page_4 = next(row for row in t3.rows if row[2].source.page == 4)
    assert first_on_page_4[2].text == "2.没有现成信息需要另行制作"
    assert first_on_page_4[0].spanned and first_on_page_4[1].spanned


def test_huaian_label_cut_by_page_break_is_joined(docs):
    t3 = table_with(docs["007"], "（四）无法提供")
    assert not any(c.text == "法提供" for row in t3.rows for c in row)
    cut = row_with(t3, "2.没有现成信息需要另行制作")
    assert cut[1].spanned and cut[1].source.page == 5
    assert numbers(cut) == gold("007")["table3"]["rows"]["unavailable_needs_creation"]
    other = row_with(t3, "2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请")
    assert numbers(other) == gold("007")["table3"]["rows"]["other_overdue_fee"]


def test_hongze_2023_row_without_closing_rule_is_in_the_table(docs):
    """On page 3 of 005 the last row of 表三 has no bottom rule (the page break cuts the table)."""
    doc = docs["005"]
    assert not any("没有现成信息" in p.text for p in doc.paragraphs())
    row = row_with(table_with(doc, "（七）总计"), "2.没有现成信息需要另行制作")
    assert {c.source.page for c in row} == {3}


def test_merged_cells_are_spanned_with_the_merged_box(docs):
    t2 = docs["006"].tables()[0]
    heading = t2.rows[0]
    assert heading[0].text == "第二十条第（一）项" and not heading[0].spanned
    assert all(c.spanned and c.text == "" and c.source.bbox == heading[0].source.bbox for c in heading[1:])
    licence = row_with(t2, "行政许可")
    assert [c.text for c in licence[:2]] == ["行政许可", "9487"] and all(c.spanned for c in licence[2:])


def test_cell_text_joins_wrapped_lines(docs):
    t3, t4 = docs["006"].tables()[1:]
    header = {c.text for row in t3.rows[:3] for c in row}
    assert {"商业企业", "科研机构", "社会公益组织", "法律服务机构"} <= header
    assert row_with(t3, "（一）予以公开")[0].text == "三、本年度办理结果"      # printed one character a line
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in {c.text for row in t3.rows for c in row}
    assert {"结果维持", "尚未审结", "总计"} <= {c.text for row in t4.rows for c in row}
    assert not any(re.search(r"\s", c.text) for t in docs["006"].tables() for row in t.rows for c in row)


@pytest.mark.parametrize("key", REPORTS)
def test_every_cell_has_page_and_box(docs, key):
    doc = docs[key]
    for table in doc.tables():
        width = len(table.rows[0])
        for row in table.rows:
            assert len(row) == width
            for cell in row:
                x0, top, x1, bottom = cell.source.bbox
                assert 1 <= cell.source.page <= doc.pages
                assert 0 <= x0 < x1 <= 595 and 0 <= top < bottom <= 842


def test_title_and_wrapped_paragraphs(docs):
    paras = [p.text for p in docs["006"].paragraphs()]
    assert paras[:2] == ["淮安市洪泽区人民政府", "2024年政府信息公开工作年度报告"]
    intro = paras[2]
    assert intro.startswith("本报告由淮安市洪泽区人民政府办公室根据《中华人民共和国政府信息公开条例》（国令第711号）")
    assert "统计期限自2024年1月1日起至2024年12月31日止" in intro
    assert intro.endswith("（地址：淮安市洪泽区洪泽湖大道90号，邮编：223100，电话：0517-87290606）。")
    assert paras[3] == "一、总体情况"
    assert docs["007"].paragraphs()[0].text == "淮安市人民政府"
    assert "电子邮箱：hazwgkc@163.com）。" in docs["007"].paragraphs()[2].text
    # a paragraph running over a page break is one paragraph, placed where it starts
    over = [p for p in docs["006"].paragraphs() if "不定期更新编制适用性广" in p.text]
    assert len(over) == 1 and over[0].source.page == 4
    assert over[0].text.endswith("不断提高各单位政府信息公开工作人员的思想认识和业务工作水平。")
    for doc in docs.values():
        for p in doc.paragraphs():
            assert p.source.page and len(p.source.bbox) == 4
            assert not re.search(r"[\u4e00-\u9fff]\s|\s[\u4e00-\u9fff]", p.text), p.text


def test_headings_start_paragraphs_and_precede_their_tables(docs):
    for doc in docs.values():
        texts = [b.text if isinstance(b, Paragraph) else "<table>" for b in doc.blocks]
        for heading in ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"):
            assert texts[texts.index(heading) + 1] == "<table>"
        assert "六、其他需要报告的事项" in texts


@pytest.mark.parametrize("key", REPORTS)
def test_no_page_numbers_and_no_table_text_in_paragraphs(docs, key):
    paras = [p.text for p in docs[key].paragraphs()]
    assert not [t for t in paras if re.fullmatch(r"[-—–\s]*\d+[-—–\s]*", t)]
    assert not [t for t in paras if re.search(r"[-—]\s*\d+\s*[-—]$", t)]
    assert not [t for t in paras if "本年新收政府信息公开申请数量" in t or "商业企业" in t or "本年制发件数" in t]


def test_frame_rows_are_not_table_rows(docs):
    """Seen with every filled box as a border, page 2 of 006 is one 22 x 4 "table": the white frames behind the
    running text, then 表二. The frame rows (sentences, a heading) are cut off and 表二 is what remains."""
    import pdfplumber
    from ingest.loaders.page import bbox_of, raw_table, table_from_cells, without_frame_rows
    from ingest.loaders.pdf import _visible_chars
    with pdfplumber.open(SHARED / "reports/006_hongze_district_2024.pdf") as pdf:
        page = pdf.pages[1]
        [found] = page.find_tables()
        chars = _visible_chars(page.chars)
        boxes = without_frame_rows(found.cells, chars)
    assert len(found.rows) == 22
    table = raw_table(table_from_cells(2, bbox_of(boxes), boxes, chars))
    assert [[c.text for c in row] for row in table.rows] == [
        [c.text for c in row] for row in docs["006"].tables()[0].rows if row[0].source.page == 2]


def test_metadata(docs):
    meta = docs["006"].meta
    assert meta["Title"] == "政府信息公开工作年度报告" and meta["Author"] == "王守强"
    assert meta["CreationDate"] == "2025-02-25T10:11:15+08:00" and meta["ModDate"].startswith("2025-02-25")
    assert docs["005"].meta["Title"] == "洪泽区人民政府2023年政府信息公开工作年度报告"


def test_tidy_removes_layout_spaces_only():
    assert tidy("统计期限自 2023 年 1 月 1 日") == "统计期限自2023年1月1日"
    assert tidy("号 ， 邮 编 ： 223100") == "号，邮编：223100"
    assert tidy("WPS 文字 (Jisupdf  Editor)") == "WPS文字(Jisupdf Editor)"


# -- small PDFs written here -------------------------------------------------------------------------------
def write(tmp_path, name: str, pages, **kw):
    path = tmp_path / name
    path.write_bytes(make_pdf(pages, **kw))
    return path


XS = [72, 250, 340, 430, 523]


def two_page_report() -> list[list[tuple]]:
    header = [("text", 200, 40, 10, "某某区人民政府办公室")]
    page1 = header + text_lines(220, 120, 18, ["某某区人民政府"]) + text_lines(104, 180, 16, [
        "本报告根据《中华人民共和国政府信息公开条例》编制，所列数据统计期限"]) + text_lines(72, 208, 16, [
        "自2024年1月1日至2024年12月31日。"]) + text_lines(104, 560, 16, ["二、主动公开政府信息情况"]) + ruled_table(
        XS, [600, 625, 650, 675], [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                                   ["规章", "1", "0", "11"], ["行政规范性文件", None, None, None]],
        open_bottom=True) + [("text", 280, 800, 12, "- 1 -")]
    page2 = header + ruled_table(XS, [80, 105, 130], [[None, "8", "26", "66"], ["合计", "9", "26", "77"]],
                                 open_top=True) + text_lines(104, 160, 16, ["三、收到和处理政府信息公开申请情况"]) + [
        ("text", 250, 800, 12, "第 2 页 共 2 页")]
    return [page1, page2]


def test_row_cut_by_page_break_becomes_one_row(tmp_path):
    doc = load_pdf(write(tmp_path, "cut.pdf", two_page_report(), info={"Title": "测试年报"}))
    assert doc.pages == 2 and doc.meta == {"Title": "测试年报"}
    [table] = doc.tables()
    assert [[c.text for c in row] for row in table.rows] == [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], ["规章", "1", "0", "11"],
        ["行政规范性文件", "8", "26", "66"], ["合计", "9", "26", "77"]]
    cut = table.rows[2]
    assert [c.source.page for c in cut] == [1, 2, 2, 2]
    assert [p.text for p in doc.paragraphs()] == [
        "某某区人民政府", "本报告根据《中华人民共和国政府信息公开条例》编制，所列数据统计期限自2024年1月1日至2024年12月31日。",
        "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"]


def test_table_laid_out_without_rules(tmp_path):
    def row(top, cells, size=12):
        ops = [("text", 72, top, size, cells[0])]
        for x, text in zip((250, 340, 430), cells[1:]):
            ops.append(("text", x + 24 - len(text) * size / 2, top, size, text))   # centred in its column
        return ops
    page = (text_lines(104, 80, 16, ["二、主动公开政府信息情况"])
            + text_lines(104, 110, 16, ["本年度共受理申请3119件，答复3050件，"]) + text_lines(72, 138, 16, ["结转103件。"])
            + row(200, ["信息内容", "本年制发", "本年废止", "现行有效"]) + row(222, ["规章", "1", "0", "11"])
            + row(244, ["行政规范性文件", "8", "26", "66"]) + row(266, ["合计", "9", "26", "77"])
            + text_lines(104, 320, 16, ["三、收到和处理政府信息公开申请情况"]))
    doc = load_pdf(write(tmp_path, "plain.pdf", [page]))
    [table] = doc.tables()
    assert [[c.text for c in r] for r in table.rows] == [
        ["信息内容", "本年制发", "本年废止", "现行有效"], ["规章", "1", "0", "11"],
        ["行政规范性文件", "8", "26", "66"], ["合计", "9", "26", "77"]]
    assert all(c.source.page == 1 and c.source.bbox for r in table.rows for c in r)
    assert [p.text for p in doc.paragraphs()] == [
        "二、主动公开政府信息情况", "本年度共受理申请3119件，答复3050件，结转103件。", "三、收到和处理政府信息公开申请情况"]


def test_running_text_with_numbers_is_not_a_table(tmp_path):
    lines = ["2024年1月1日至2024年12月31日，共受理申请3119件，", "答复3050件，其中予以公开1362件，部分公开454件，",
             "不予公开178件，无法提供790件，不予处理88件。"]
    doc = load_pdf(write(tmp_path, "text.pdf", [text_lines(72, 100, 16, lines)]))
    assert doc.tables() == []
    assert [p.text for p in doc.paragraphs()] == ["".join(lines)]


# -- bad input -------------------------------------------------------------------------------------------
def refused(path, code: str) -> ExtractError:
    with pytest.raises(ExtractError) as e:
        load_pdf(path)
    assert e.value.code == code, e.value.message
    assert re.search(r"[\u4e00-\u9fff]", e.value.message)
    return e.value


def test_garbage_is_corrupt(tmp_path):
    (tmp_path / "a.pdf").write_bytes(os.urandom(3000))
    assert refused(tmp_path / "a.pdf", "corrupt_pdf").message.startswith("PDF文件已损坏或不是有效的PDF：a.pdf")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(3000))
    refused(tmp_path / "b.pdf", "corrupt_pdf")


def test_truncated_is_corrupt(tmp_path):
    data = (SHARED / "reports/006_hongze_district_2024.pdf").read_bytes()
    for fraction in (0.1, 0.5, 0.97):
        path = tmp_path / f"cut{fraction}.pdf"
        path.write_bytes(data[: int(len(data) * fraction)])
        refused(path, "corrupt_pdf")


def test_encrypted(tmp_path):
    import pdfplumber
    pages = two_page_report()
    locked = write(tmp_path, "locked.pdf", pages, user_password="secret")
    assert refused(locked, "encrypted_pdf").message == ENCRYPTED_MESSAGE
    with pdfplumber.open(locked, password="secret") as pdf:     # a real encrypted PDF, readable with its password
        assert "某某区人民政府" in pdf.pages[0].extract_text()
    assert len(load_pdf(write(tmp_path, "open.pdf", pages)).tables()) == 1


@pytest.mark.slow
def test_scanned(tmp_path):
    """A page without a text layer is read by OCR (issue 12; tests/test_ocr.py has the accuracy tests)."""
    import pdfplumber
    import pypdfium2
    pdf = pypdfium2.PdfDocument(str(SHARED / "reports/006_hongze_district_2024.pdf"))
    image = pdf[0].render(scale=2).to_pil()
    pdf.close()
    scan = tmp_path / "scan.pdf"
    image.convert("RGB").save(scan, "PDF", resolution=144.0)
    with pdfplumber.open(scan) as check:            # an image of the page, no text
        assert check.pages[0].images and not check.pages[0].chars
    doc = load_document(scan)
    assert doc.kind == "pdf" and doc.pages == 1
    assert "政府信息公开" in doc.text() and "洪泽区" in doc.text()


def test_extract_debug_draws_the_cells_it_read_and_the_lines_it_dropped(tmp_path):
    """`nianbao extract --debug`: one image per page; read cells in green, dropped page numbers in red."""
    import subprocess
    import sys

    from PIL import Image
    from conftest import REPO, SHARED
    pdf = SHARED / "reports" / "006_hongze_district_2024.pdf"
    out = subprocess.run([sys.executable, str(REPO / "cli.py"), "extract", str(pdf), "--debug", "--debug-dir",
                          str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    pages = sorted(tmp_path.glob("*.png"))
    assert len(pages) == 5 and "5 张页面图" in out.stderr
    colours = Image.open(pages[2]).convert("RGB").getcolors(1 << 20)
    counts = {rgb: n for n, rgb in colours}
    assert counts.get((20, 160, 60), 0) > 1000          # green boxes around the 表三 cells read on page 3
    assert counts.get((220, 40, 40), 0) > 20            # the page number “- 3 -” dropped as a footer
