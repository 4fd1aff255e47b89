"""待核对 in headless Chromium (issue 22), logged in: a glued-digit crawler text and a scan with an unread cell
(the same reports as tests/test_corrections.py) in two groups. The editor filters by group, opens a glued cell
(its source line and both readings) and the scan's cell (the page crop with its box), corrects them — a value
that breaks 表三's sum refused until 确认 — and sees the finding recomputed in 核查 and the answer citing
“人工校正”; a viewer sees the queue and is refused a correction.

The library is made before the app starts (real extraction, no vectors; one page of OCR).
"""
from __future__ import annotations

import pytest

from render import crawler_text
from test_corrections import AGENCY, QUESTION, _erased_scan, glued_report
from tests.appserver import running_app
from tests.test_app_e2e import ARGS, CHROMIUM, SCREENSHOTS, expect, open_tab, pick, shot

pytestmark = pytest.mark.slow

USERS = {"editor1": ("editor", "editor-pass-1"), "viewer1": ("viewer", "viewer-pass-1")}
GLUED_GROUP, SCAN_GROUP = "赣州经济技术开发区", "洪泽区"
NEW_RECEIVED = "表三“一、本年新收政府信息公开申请数量”"
LONG = 240_000


@pytest.fixture(scope="module")
def app(tmp_path_factory, shared):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (make system-deps)")
    pytest.importorskip("playwright.sync_api")
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    root = tmp_path_factory.mktemp("pending-e2e")
    text = root / "ganzhou_2024.txt"
    text.write_text(crawler_text(glued_report()), encoding="utf-8")
    scan, key, printed = _erased_scan(root)
    library = Library(root / "data")
    outcomes = ingest_paths(library, [text, scan], embed=False, progress=False).outcomes
    assert all(o.ok for o in outcomes)
    assert [r.group for r in library.reports()] and {r.group for r in library.reports()} == {GLUED_GROUP, SCAN_GROUP}
    for name, (role, password) in USERS.items():
        library.accounts.add(name, role, password)
    SCREENSHOTS.mkdir(exist_ok=True)
    with running_app(root / "data") as url:
        yield url, library, scan, key, printed


def logged_in(p, url: str, name: str):
    browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.set_default_timeout(60_000)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    page.goto(url, wait_until="domcontentloaded")
    page.locator("input[type=password]").wait_for()
    page.locator("input").first.fill(name)
    page.locator("input[type=password]").fill(USERS[name][1])
    page.locator("button", has_text="登录").click()
    page.locator("#whoami").filter(has_text=name).wait_for(timeout=LONG)
    return browser, page, outside


def correct(page, option: str, value: str, note: str = "依据原件第2页", confirm: bool = False) -> None:
    pick(page, "#pending-pick", option)
    expect(page.locator("#pending-seen")).to_contain_text(option.split(" ", 2)[-1].split("（")[0], timeout=LONG)
    page.locator("#pending-value input").fill(value)
    page.locator("#pending-why input").fill(note)
    box = page.locator("#pending-confirm input")
    if box.is_checked() != confirm:
        box.click()
    page.locator("#pending-correct").click()


def test_the_editor_sees_what_we_saw_corrects_it_and_everything_recomputes(app):
    from playwright.sync_api import sync_playwright
    url, library, scan, key, printed = app
    with sync_playwright() as p:
        browser, page, outside = logged_in(p, url, "editor1")
        open_tab(page, "待核对")
        table = page.locator("#pending-table")
        expect(table).to_contain_text("101000011", timeout=LONG)
        expect(table).to_contain_text(scan.name)
        expect(page.locator("#pending-note")).to_contain_text("涉及 2 份报告")
        # the glued row: filter by its group, open a cell — the source line and both readings
        pick(page, "#pending-group", GLUED_GROUP)
        expect(page.locator("#pending-note")).to_contain_text("涉及 1 份报告")
        expect(table).not_to_contain_text(scan.name)
        pick(page, "#pending-pick", f"{NEW_RECEIVED}“自然人”")
        seen = page.locator("#pending-seen")
        expect(seen).to_contain_text("可能的读法（共 2 种")
        expect(seen).to_contain_text("10 / 1 / 0 / 0 / 0 / 0 / 11")
        expect(seen).to_contain_text("1 / 0 / 10 / 0 / 0 / 0 / 11")
        expect(seen).to_contain_text("一、本年新收政府信息公开申请数量 101000011")     # the source line
        expect(seen.locator("strong").filter(has_text="101000011")).to_have_count(1)  # the glued digits in bold
        shot(page, "pending_glued")
        # the finding before: the row is unread
        open_tab(page, "核查")
        pick(page, "#check-pick", AGENCY)
        page.locator("#check-run").click()
        findings = page.locator("#findings")
        expect(findings).to_contain_text(f"未能读取{NEW_RECEIVED}一行", timeout=LONG)
        # correct the row: 10 and 1, then 5 refused (10 + 1 + 5 ≠ 11), 0 accepted
        open_tab(page, "待核对")
        result = page.locator("#pending-result")
        correct(page, f"{NEW_RECEIVED}“自然人”", "10")
        expect(result).to_contain_text("人工校正：editor1", timeout=LONG)
        correct(page, f"{NEW_RECEIVED}“商业企业”", "1")
        expect(result).to_contain_text("“商业企业” 空白 → 1", timeout=LONG)
        correct(page, f"{NEW_RECEIVED}“科研机构”", "5")
        expect(result).to_contain_text("未校正", timeout=LONG)
        expect(result).to_contain_text("16 ≠ 11")
        expect(result).to_contain_text("勾选“确认”")
        correct(page, f"{NEW_RECEIVED}“科研机构”", "0")
        expect(result).to_contain_text("“科研机构” 空白 → 0", timeout=LONG)
        expect(table).not_to_contain_text(NEW_RECEIVED.removeprefix("表三"))
        expect(page.locator("#pending-note")).to_contain_text("共 **12** 处".replace("**", ""))
        shot(page, "pending_corrected")
        # the finding that rested on the row is recomputed
        open_tab(page, "核查")
        page.locator("#check-run").click()
        expect(findings).not_to_contain_text(f"未能读取{NEW_RECEIVED}一行", timeout=LONG)
        expect(findings).to_contain_text("未能读取表三“（一）予以公开”一行")
        # the answer cites the correction
        open_tab(page, "问答")
        page.locator("#question textarea").fill(QUESTION)
        page.locator("#ask").click()
        bot = page.locator('#chat [data-testid="bot"]')
        bot.filter(has_text="10件").first.wait_for(timeout=LONG)
        expect(page.locator("#chat")).to_contain_text("人工校正：editor1")
        shot(page, "pending_answer")
        # the scan: its group, its unread cell shown as the page crop with the box, corrected
        open_tab(page, "待核对")
        pick(page, "#pending-group", SCAN_GROUP)
        expect(table).to_contain_text(scan.name, timeout=LONG)
        option = "表三“一、本年新收政府信息公开申请数量”“自然人”（第3页）"
        correct_scan = page.locator("#pending-image img")
        pick(page, "#pending-pick", option)
        expect(page.locator("#pending-seen")).to_contain_text("扫描页上该处没有识别出数字", timeout=LONG)
        correct_scan.wait_for(timeout=LONG)
        size = correct_scan.evaluate("img => [img.naturalWidth, img.naturalHeight]")
        assert size[0] > 1200 and 100 < size[1] < 400, size                    # a band of the page
        shot(page, "pending_scan")
        correct(page, option, printed, "依据原件第3页")
        expect(result).to_contain_text(f"空白 → {printed}", timeout=LONG)
        expect(table).not_to_contain_text("“自然人”")
        browser.close()
    assert not outside, f"requests left the machine: {outside[:5]}"
    entries = [e for e in library.audit.entries(action="correct") if e.user == "editor1"]
    assert len(entries) == 5 and sum(not e.ok for e in entries) == 1 and {e.channel for e in entries} == {"web"}
    rid = next(r.id for r in library.reports() if r.file == scan.name)
    fact = library.facts.value(rid, *key.split("."))
    assert fact.value == int(printed) and fact.corrected.startswith("人工校正：editor1")


def test_a_viewer_sees_the_queue_but_is_refused_a_correction(app):
    from playwright.sync_api import sync_playwright
    url, library, *_ = app
    before = len(library.corrections.all())
    with sync_playwright() as p:
        browser, page, outside = logged_in(p, url, "viewer1")
        open_tab(page, "待核对")
        expect(page.locator("#pending-table")).to_contain_text("101000011", timeout=LONG)
        expect(page.locator("#pending-note")).to_contain_text("只能查看")
        correct(page, "表三“（一）予以公开”“自然人”", "10")
        page.get_by_text("权限不足").first.wait_for(timeout=LONG)
        expect(page.locator("body")).to_contain_text("“人工校正”需要编辑")
        shot(page, "pending_viewer")
        browser.close()
    assert not outside
    assert len(library.corrections.all()) == before
    assert any(e.user == "viewer1" and e.detail == "correct" for e in library.audit.entries(action="denied"))


def test_through_the_api_a_viewer_lists_and_an_editor_corrects(app):
    """The same routes for a program (gradio_client): /pending and /pending_show for a viewer, /correct refused."""
    from gradio_client import Client
    from gradio_client.exceptions import AppError
    url, library, *_ = app
    viewer = Client(url, auth=("viewer1", USERS["viewer1"][1]), verbose=False)
    note, frame, pick_, *_ = viewer.predict(GLUED_GROUP, api_name="/pending")
    keys = [v for _, v in pick_["choices"]]
    key = next(k for k in keys if k.endswith("table3.granted.natural_person"))
    seen, _ = viewer.predict(key, api_name="/pending_show")
    assert "101000011" in seen and "共 2 种" in seen
    with pytest.raises(AppError, match="权限不足"):
        viewer.predict(key, "10", "依据原件第2页", False, GLUED_GROUP, api_name="/correct")
    editor = Client(url, auth=("editor1", USERS["editor1"][1]), verbose=False)
    result, *_ = editor.predict(key, "10", "依据原件第2页", False, GLUED_GROUP, api_name="/correct")
    assert result.startswith("已校正：") and "人工校正：editor1" in result
    rid = key.split("|")[0]
    assert library.facts.value(rid, "table3", "granted", "natural_person").value == 10
