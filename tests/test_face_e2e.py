"""The face an official meets (issue 24), in headless Chromium over a library made before the app starts (real
extraction, no vectors): deleting one report and then several from 年报库, the audit log in Beijing time and
Chinese, the library's search box and filters, the 核查 results as a Word document read back with python-docx,
a badly read report summarised first. Screenshots go to tests/screenshots/face_*.png.
"""
from __future__ import annotations

import io
import re

import pytest

from tests.appserver import running_app
from tests.test_app_e2e import ARGS, CHROMIUM, SCREENSHOTS, expect, open_tab, pick, shot

pytestmark = pytest.mark.slow

LONG = 240_000
HONGZE = "淮安市洪泽区人民政府"
SCAN = "015_shuyang_fgj_2023.scan.pdf"           # 表三 read badly: 125 cells of page 3 and 4 not read
SEEDS = ["000_747ce1910eae7ff3.txt", "001_758a901345a790b1.txt", "002_914a51cc45050283.txt",
         "003_99eecf839798fc6e.txt", "004_e6c0b5a2d517a344.txt"]


@pytest.fixture(scope="module")
def page(tmp_path_factory, shared):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (make system-deps)")
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright

    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    root = tmp_path_factory.mktemp("face-e2e")
    lib = Library(root / "data")
    files = [shared / "reports" / "005_hongze_district_2023.pdf", shared / "reports" / "006_hongze_district_2024.pdf",
             shared / "reports" / SCAN]
    outcomes = ingest_paths(lib, files + [shared / "seeds" / s for s in SEEDS], embed=False, progress=False).outcomes
    assert all(o.ok for o in outcomes)
    del lib
    SCREENSHOTS.mkdir(exist_ok=True)
    with running_app(root / "data") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
        pg.set_default_timeout(60_000)
        outside: list[str] = []
        pg.on("request", lambda r: outside.append(r.url)
              if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
        pg.on("dialog", lambda d: d.accept())               # “确定从年报库中删除所选的 N 份年报吗？”
        pg.goto(url, wait_until="domcontentloaded")
        pg.locator("#chat").wait_for()
        pg.root = root
        yield pg
        browser.close()
        assert not outside, f"requests left the machine: {outside[:5]}"


def test_1_delete_one_then_several(page):
    open_tab(page, "年报库")
    table = page.locator("#library-table")
    for name in SEEDS[:3]:
        expect(table).to_contain_text(name)
    pick(page, "#library-pick", SEEDS[0])
    page.locator("#remove").click()
    log = page.locator("#ingest-log")
    expect(log).to_contain_text("已删除 1 份报告", timeout=LONG)
    expect(log).to_contain_text(f"已删除：赣州经济技术开发区 2022（{SEEDS[0]}）")
    expect(table).not_to_contain_text(SEEDS[0])
    assert "没有找到" not in log.inner_text() and "nianbao" not in log.inner_text()
    pick(page, "#library-pick", SEEDS[1])
    pick(page, "#library-pick", SEEDS[2])
    page.locator("#remove").click()
    expect(log).to_contain_text("已删除 2 份报告", timeout=LONG)
    for name in SEEDS[:3]:
        expect(table).not_to_contain_text(name)
    for name in SEEDS[3:]:
        expect(table).to_contain_text(name)
    expect(table).to_contain_text(HONGZE)
    shot(page, "face_1_deleted")
    # the audit log has one entry per removed report, none for single characters
    open_tab(page, "账号与审计")
    audit = page.locator("#audit-table")
    expect(audit).to_contain_text(SEEDS[2], timeout=60_000)
    text = audit.inner_text()
    assert sum(text.count(name) for name in SEEDS[:3]) >= 3
    assert "失败" not in text, text
    rows = [grid_row(audit, name) for name in SEEDS[:3]]
    for cells in rows:                                     # Beijing time to the minute; action, channel in Chinese
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", cells[1]) and "删除报告" in cells and "网页" in cells, cells
    assert "UTC" not in audit.inner_text() and "web" not in text and "admin" not in text
    shot(page, "face_1_audit")


def grid_row(frame, text: str) -> list[str]:
    """The cells of the first row of a gradio dataframe that contains `text` (a virtual grid: ARIA roles)."""
    row = frame.locator('[role="row"]').filter(has_text=text).first
    return [c.strip() for c in row.locator('[role="gridcell"]').all_inner_texts()]


PROGRESS_JS = """() => [...document.querySelectorAll('.progress-level-inner, .progress-text, .meta-text, .meta-text-center')]
    .filter(e => e.offsetParent !== null && /正在/.test(e.textContent)).length"""


def test_2_upload_progress_once_and_counts_as_in_the_table(page, shared):
    open_tab(page, "年报库")
    files = [shared / "reports" / "007_huaian_city_2024.pdf", shared / "reports" / "011_pingtan_2022.txt"]
    page.locator("#upload input[type=file]").set_input_files([str(f) for f in files])
    log = page.locator("#ingest-log")
    shown = []
    for _ in range(600):                          # while reading: how many progress bars say “正在读取…”
        shown.append(page.evaluate(PROGRESS_JS))
        if "处理了 2 个文件" in log.inner_text():
            break
        page.wait_for_timeout(100)
    expect(log).to_contain_text("处理了 2 个文件", timeout=LONG)
    assert max(shown) == 1, shown
    text = log.inner_text()
    table = page.locator("#library-table")
    for f in files:
        line = next(x for x in text.splitlines() if f.name in x)
        errors, warnings = map(int, re.search(r"错误 (\d+) 条，警告 (\d+) 条", line).groups())
        cells = grid_row(table, f.name)
        headers = ["单位", "年度", "格式", "页数", "错误", "警告", "文件", "编号", "分组"]
        assert (int(cells[headers.index("错误")]), int(cells[headers.index("警告")])) == (errors, warnings), (line, cells)
    shot(page, "face_2_uploaded")


ALLOWED_LATIN = {"PDF", "DOCX", "HTML", "HTM", "JPEG", "TXT", "MD", "PNG", "JPG", "CSV", "XLSX", "MB", "API", "MCP", "Gradio", "nianbao",
                 "OCR", "Ctrl", "Markdown", "Word", "Excel", "DPI"}


def test_9_console_line_and_no_code_words_on_the_page(page):
    log = (page.root / "data" / "app.log").read_text(encoding="utf-8", errors="replace")
    assert "年报助手正在启动，请用浏览器打开 http://127.0.0.1:" in log
    assert "share=True" not in log and "Running on local URL" not in log
    leaks = {}
    for tab in ("问答", "年报库", "核查", "对比", "体检", "起草", "账号与审计"):
        open_tab(page, tab)
        page.wait_for_timeout(500)
        text = page.locator("body").inner_text()
        text = re.sub(r"[\w.-]+\.(pdf|txt|docx|html|md|xlsx|csv)", "", text)      # file names
        text = re.sub(r"\b[0-9a-f]{16}\b|https?://\S+", "", text)                  # report ids, addresses
        words = set(re.findall(r"[A-Za-z][A-Za-z_]{2,}", text)) - ALLOWED_LATIN
        if words:
            leaks[tab] = sorted(words)
        shot(page, f"face_9_{tab}")
    assert not leaks, leaks


def test_3_search_box_and_filters(page):
    open_tab(page, "年报库")
    table = page.locator("#library-table")
    box = page.locator("#library-search input, #library-search textarea").first
    box.fill("洪泽区")
    page.locator("#library-search-run").click()
    note = page.locator("#library-search-note")
    expect(note).to_contain_text("找到 2 份报告（含“洪泽区”", timeout=60_000)
    expect(table).not_to_contain_text(SEEDS[3])
    expect(table).to_contain_text("005_hongze_district_2023.pdf")
    pick(page, "#library-year", "2024")                  # a filter narrows at once
    expect(note).to_contain_text("找到 1 份报告（含“洪泽区”，2024年度", timeout=60_000)
    expect(table).not_to_contain_text("005_hongze_district_2023.pdf")
    expect(table).to_contain_text("006_hongze_district_2024.pdf")
    pick(page, "#library-year", "全部")
    box.fill("主动公开工作动态")                            # words of the text, with where they were found
    box.press("Enter")
    expect(note).to_contain_text("找到 1 份报告（含“主动公开工作动态”", timeout=60_000)
    expect(note).to_contain_text("正文中的位置")
    expect(table).to_contain_text(SEEDS[3])
    expect(table).not_to_contain_text(HONGZE)
    shot(page, "face_3_search")
    box.fill("没有这个词")
    box.press("Enter")
    expect(note).to_contain_text("没有找到含“没有这个词”的报告", timeout=60_000)
    box.fill("")
    box.press("Enter")
    expect(table).to_contain_text(HONGZE, timeout=60_000)


def test_4_check_results_download_as_word(page, tmp_path):
    from docx import Document
    open_tab(page, "核查")
    pick(page, "#check-pick", "005_hongze_district_2023.pdf")
    page.locator("#check-run").click()
    expect(page.locator("#findings")).to_contain_text("核查结果", timeout=LONG)
    button = page.locator("#findings-docx")
    button.wait_for(timeout=60_000)
    shot(page, "face_4_check")
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.endswith(".docx")
    target = tmp_path / "check.docx"
    download.value.save_as(target)
    texts = [p.text for p in Document(io.BytesIO(target.read_bytes())).paragraphs if p.text]
    assert texts[0] == f"关于{HONGZE}2023年度政府信息公开工作年度报告的核查结果"
    assert texts[2].startswith("核查结果：错误2条")
    assert any(t.startswith("依据：表四") and "页" in t for t in texts)


def test_5_a_badly_read_report_is_summarised_first(page):
    open_tab(page, "核查")
    pick(page, "#check-pick", SCAN)
    page.locator("#check-run").click()
    findings = page.locator("#findings")
    expect(findings).to_contain_text("读取情况（请先核对）： 表三有125格未能读取（第3页、第4页），请对照原件核对。", timeout=LONG)
    lines = [x for x in findings.inner_text().splitlines() if x.strip()]
    assert lines[1].startswith("读取情况（请先核对）")                 # first, right under the title
    detail = findings.get_by_text("未能读取第3页表三“一、本年新收政府信息公开申请数量”行")
    expect(detail).to_be_hidden()                                      # folded
    shot(page, "face_5_badly_read")
    findings.get_by_text("未能读取的位置（25 条，点开查看）").click()
    expect(detail).to_be_visible()


def test_6_comparison_chart_labels(page):
    open_tab(page, "对比")
    page.get_by_label("柱状图").check()
    page.locator("#cmp-run").click()
    chart = page.locator("#cmp-bar")
    chart.wait_for(state="visible", timeout=LONG)
    page.locator("#cmp-bar canvas, #cmp-bar svg").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    chart.screenshot(path=str(SCREENSHOTS / "face_6_chart.png"))
    page.get_by_label("折线图").check()
    page.locator("#cmp-run").click()
    line = page.locator("#cmp-line")
    line.wait_for(state="visible", timeout=LONG)
    page.locator("#cmp-line canvas, #cmp-line svg").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    line.screenshot(path=str(SCREENSHOTS / "face_6_line.png"))


def test_7_citation_opens_the_original_page_with_the_cell_boxed(page):
    open_tab(page, "问答")
    box = page.locator("#question textarea")
    box.fill("洪泽区2024年行政处罚决定数量是多少？")
    page.locator("#ask").click()
    chat = page.locator("#chat")
    chat.locator('[data-testid="bot"]').filter(has_text="2776").first.wait_for(timeout=LONG)
    opener = chat.get_by_text("打开原件第").first
    opener.wait_for(timeout=LONG)
    assert "红框为所引单元格" in opener.inner_text()
    image = chat.locator("img[src*='gradio_api/file=']").first
    for _ in range(5):                      # the last streamed update may fold it again: retry
        opener.click()
        try:
            image.wait_for(state="visible", timeout=5_000)
            break
        except Exception:                   # noqa: BLE001 - not open yet
            pass
    expect(image).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 500", image.element_handle())
    shot(page, "face_7_citation_page")
    from PIL import Image

    from assistant.views import FLAGGED_COLOUR
    made = sorted((page.root / "data" / "exports").rglob("原件第3页.png"))    # 表二 行政处罚 is on page 3
    assert made
    red = sum(1 for px in Image.open(made[-1]).convert("RGB").getdata() if px == FLAGGED_COLOUR)
    assert 40 < red < 6000, red                                        # one box around one cell
