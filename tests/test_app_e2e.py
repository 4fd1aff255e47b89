"""The web app in headless Chromium (Debian's /usr/bin/chromium through Playwright), as an official uses it:
upload two PDFs at once, ask a question and open its citation, ask a follow-up growth question, check a
report, draw a comparison chart, draft section 五 and download it as an official-format DOCX. Screenshots go to tests/screenshots/ (gitignored).

The steps share one app and one page, in order. Waits are on specific elements, never on "networkidle"
(gradio keeps a connection open). The page must make no request that leaves 127.0.0.1.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.appserver import running_app
from tests.conftest import SHARED, gold

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PDF_2023 = SHARED / "reports" / "005_hongze_district_2023.pdf"
PDF_2024 = SHARED / "reports" / "006_hongze_district_2024.pdf"
AGENCY = "淮安市洪泽区人民政府"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic", "--disable-extensions",
        "--disable-default-apps", "--no-default-browser-check"]
LONG = 240_000          # ms: PDF reading and the first answer on a busy 2-core machine


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, shared):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (make system-deps)")
    pytest.importorskip("playwright.sync_api")
    with running_app(tmp_path_factory.mktemp("app-e2e") / "data") as url:
        yield url


@pytest.fixture(scope="module")
def browser_page(app_url):
    from playwright.sync_api import sync_playwright
    SCREENSHOTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
        page.set_default_timeout(60_000)
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
        page.goto(app_url, wait_until="domcontentloaded")
        page.locator("#chat").wait_for()
        page.outside_requests = outside
        yield page
        browser.close()
    assert not outside, f"requests left the machine: {outside[:5]}"


@pytest.fixture(autouse=True)
def screenshot_on_failure(request):
    failed_before = request.session.testsfailed
    yield
    page = request.node.funcargs.get("browser_page")
    if page is not None and request.session.testsfailed > failed_before:
        shot(page, f"failed_{request.node.name}")


def expect(locator):
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect(locator)


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def pick(page, dropdown: str, option: str) -> None:
    page.locator(f"{dropdown} input").click()
    page.get_by_role("option").filter(has_text=option).first.click()


def test_1_empty_library_then_upload_two_pdfs(browser_page):
    page = browser_page
    page.locator("#qa-status").get_by_text("年报库还是空的").first.wait_for()
    open_tab(page, "年报库")
    page.locator("#upload input[type=file]").set_input_files([str(PDF_2023), str(PDF_2024)])
    log = page.locator("#ingest-log")
    log.get_by_text("处理了 2 个文件").first.wait_for(timeout=LONG)
    assert log.inner_text().count("已入库：") == 2, log.inner_text()
    table = page.locator("#library-table")
    for text in (PDF_2023.name, PDF_2024.name, AGENCY):
        expect(table).to_contain_text(text)
    shot(page, "1_library")


def test_2_ask_and_open_citation(browser_page):
    page = browser_page
    expected = gold("006")["table2"]["administrative_penalty"]          # 2776
    open_tab(page, "问答")
    box = page.locator("#question textarea")
    box.fill("洪泽区2024年行政处罚决定数量是多少？")
    page.locator("#ask").click()
    bot = page.locator('#chat [data-testid="bot"]')
    bot.filter(has_text=str(expected)).first.wait_for(timeout=LONG)
    citation = page.locator("#chat").get_by_text("[1]").first
    citation.wait_for(timeout=LONG)
    passage = page.locator("#chat").get_by_text(PDF_2024.name).first
    for _ in range(5):          # the last streamed update may re-render the chat and fold it again: retry
        citation.click()                                                # opens the cited passage / cell
        try:
            passage.wait_for(timeout=5_000)
            page.wait_for_timeout(1_500)
            if passage.is_visible():
                break
        except Exception:       # noqa: BLE001 - not open yet
            pass
    assert passage.is_visible()
    assert str(expected) in page.locator("#chat").inner_text()
    assert "第" in citation.inner_text() and "页" in citation.inner_text()
    shot(page, "2_chat")


def test_2b_followup_growth_question(browser_page):
    """“比上年增长多少？” after a figure computes from the previous turn's subject: 2024 vs 2023 (95 − 21 = 74)."""
    page = browser_page
    open_tab(page, "问答")
    new, old = (gold(y)["table3"]["rows"]["new_received"][-1] for y in ("006", "005"))      # 95, 21
    box = page.locator("#question textarea")
    box.fill("洪泽区2024年收到多少件政府信息公开申请？")
    page.locator("#ask").click()
    bot = page.locator('#chat [data-testid="bot"]')
    bot.filter(has_text=f"{new}件").first.wait_for(timeout=LONG)
    box.fill("比上年增长多少？")
    page.locator("#ask").click()
    page.locator("#chat").get_by_text(f"增加{new - old}件").first.wait_for(timeout=LONG)
    text = page.locator("#chat").inner_text()
    assert f"{(new - old) / old * 100:.1f}%" in text and f"{old}件" in text
    html = page.locator("#chat").inner_html()
    assert "复制回答" in html and "Copy message" not in html          # gradio's own words in Chinese
    shot(page, "2b_followup")


def test_3_check_a_stored_report(browser_page):
    page = browser_page
    open_tab(page, "核查")
    pick(page, "#check-pick", PDF_2023.name)
    page.locator("#check-run").click()
    findings = page.locator("#findings")
    findings.get_by_text("核查结果").first.wait_for(timeout=LONG)
    text = findings.inner_text()
    assert "2023" in text and ("错误" in text or "未发现问题" in text)
    # 洪泽区2023 表四: 行政复议 维持10 + 纠正1 but 总计 0 (gold note, eval d26): an error with its cells
    assert "表四" in text and "依据" in text
    page.locator("#findings-csv").wait_for()
    shot(page, "3_check")


def test_4_comparison_chart(browser_page):
    page = browser_page
    open_tab(page, "对比")
    page.get_by_label("折线图").check()
    page.locator("#cmp-run").click()
    page.locator("#cmp-line").wait_for(state="visible", timeout=LONG)
    table = page.locator("#cmp-table")
    expect(table).to_contain_text("2024")
    received = [gold(y)["table3"]["rows"]["new_received"][-1] for y in ("005", "006")]    # 21, 95
    for v in received:
        assert str(v) in table.inner_text()
    page.locator("#cmp-line canvas, #cmp-line svg").first.wait_for(timeout=60_000)
    page.locator("#cmp-csv").wait_for()
    shot(page, "4_compare")


def test_5_draft_and_download_docx(browser_page, tmp_path):
    from docx import Document
    page = browser_page
    open_tab(page, "起草")
    pick(page, "#draft-agency", AGENCY)
    pick(page, "#draft-year", "2024")
    page.locator("#draft-run").click()
    page.wait_for_function("() => (document.querySelector('#draft-text textarea') || {}).value"
                           " && document.querySelector('#draft-text textarea').value.includes('五、')", timeout=LONG)
    box = page.locator("#draft-text textarea")
    box.press("End")
    box.press("Control+End")
    box.type("\n（人工补充）按月通报依申请公开办理情况。")
    page.locator("#draft-export").click()
    link = page.locator("#draft-docx a").first
    link.wait_for(timeout=LONG)
    with page.expect_download() as download:
        link.click()
    target = tmp_path / "draft.docx"
    download.value.save_as(target)
    doc = Document(io.BytesIO(target.read_bytes()))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0].startswith(AGENCY + "2024年")
    assert "五、存在的主要问题及改进情况" in paragraphs
    assert "（人工补充）按月通报依申请公开办理情况。" in paragraphs
    # the official format: A4, margins 37/35/28/26 mm, 小标宋 title, 黑体 first-level heading, 仿宋_GB2312 body
    from docx.oxml.ns import qn
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == [37, 35, 28, 26]
    fonts = {p.text: p.style.element.rPr.rFonts.get(qn("w:eastAsia")) for p in doc.paragraphs if p.text}
    assert fonts[paragraphs[0]] == "方正小标宋简体" and fonts["五、存在的主要问题及改进情况"] == "黑体"
    assert fonts["（人工补充）按月通报依申请公开办理情况。"] == "仿宋_GB2312"
    assert "PAGE" in sec.footer.paragraphs[0]._p.xml
    shot(page, "5_draft")


# -- issue 13: 体检 (review a group, download the 通报) and 与上年比对 -----------------------------------------
def test_6_review_a_group_and_download_the_notice(browser_page, tmp_path):
    from docx import Document
    page = browser_page
    open_tab(page, "体检")
    pick(page, "#review-group", "洪泽区")                     # suggested at upload from the agency name
    pick(page, "#review-year", "2024")
    page.locator("#review-run").click()
    expect(page.locator("#review-note")).to_contain_text("洪泽区2024年度共1个单位的年报", timeout=LONG)
    units = page.locator("#review-units")
    expect(units).to_contain_text(AGENCY)
    expect(page.locator("#review-problems")).to_contain_text("个单位（淮安市洪泽区人民政府）")
    units.get_by_text(AGENCY).filter(visible=True).first.click()   # a row opens that unit's findings
    expect(page.locator("#review-unit-findings")).to_contain_text("核查结果", timeout=60_000)
    with page.expect_download() as download:
        page.locator("#review-docx").click()
    target = tmp_path / "notice.docx"
    download.value.save_as(target)
    paragraphs = [p.text for p in Document(io.BytesIO(target.read_bytes())).paragraphs]
    assert paragraphs[0] == "关于洪泽区2024年度政府信息公开工作年度报告检查情况的通报（征求意见稿）"
    assert "一、总体情况" in paragraphs and "三、整改要求" in paragraphs
    assert any("本次共检查1个单位的2024年度报告" in p for p in paragraphs)
    shot(page, "6_review")


def test_7_compare_with_last_year(browser_page):
    page = browser_page
    open_tab(page, "对比")
    page.get_by_text("与上年比对：").first.click()
    pick(page, "#diff-pick", PDF_2024.name)
    expect(page.locator("#diff-prev input")).to_have_value(f"{AGENCY} 2023（{PDF_2023.name}）", timeout=60_000)
    page.locator("#diff-run").click()
    expect(page.locator("#diff-note")).to_contain_text("比对：表格共", timeout=LONG)
    cells = page.locator("#diff-cells")
    expect(cells).to_contain_text("增加74，+352.4%")
    expect(page.locator("#diff-promises")).to_contain_text("本年报告未见相应表述")
    sections = page.locator("#diff-sentences h4")                   # every section rendered as a heading
    expect(sections.filter(has_text="六、其他需要报告的事项")).to_have_count(1)
    expect(page.locator("#diff-sentences")).to_contain_text("信息处理费0元")
    page.locator("#diff-docx").wait_for()
    shot(page, "7_diff")
