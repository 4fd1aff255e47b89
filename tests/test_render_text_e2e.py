"""Report text renders as text on the page (issue 21), in headless Chromium against a real app process: a 2024
report whose section 五 carries the chat filter's bypasses (nested brackets, an escaped bracket, a reference-style
image in a list, a protocol-relative link, an <img> tag) pointing at a local trap server is compared with its 2023
report on 与上年比对; the new sentences are shown, and the browser fetches nothing from the trap."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.appserver import running_app
from tests.conftest import SHARED
from tests.test_app_hostile import ARGS, CHROMIUM, Trap

pytestmark = pytest.mark.slow
SEED = SHARED / "seeds" / "003_99eecf839798fc6e.txt"


def hostile(host: str) -> str:
    return (f"我局还将加强培训![图a[b]c](//{host}/nested.png)，"
            f"完善制度![图\\]x](//{host}/escaped.png)，"
            f"详见[说明](//{host}/link)<img src=\"//{host}/tag.png\">。\n\n"
            f"- 列表项 ![图][r]\n\n[r]: //{host}/ref.png\n\n")


def test_diff_page_shows_report_text_as_text(tmp_path, shared):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (make system-deps)")
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import expect, sync_playwright
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    trap = Trap()
    host = trap.url.split("//", 1)[1]
    text = SEED.read_text(encoding="utf-8")
    old, new = tmp_path / "ganxian_2023.txt", tmp_path / "ganxian_2024.txt"
    old.write_text(text, encoding="utf-8")
    at = text.index("六、其他需要报告的事项")
    later = text[:at] + hostile(host) + text[at:]
    new.write_text(later.replace("2023", "2024").replace("2022", "2023"), encoding="utf-8")
    data = tmp_path / "data"
    ingest_paths(Library(data), [old, new], embed=False, progress=False)
    try:
        with running_app(data) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.set_default_timeout(120_000)
            page.goto(url, wait_until="domcontentloaded")
            page.locator("#chat").wait_for()
            page.get_by_role("tab", name="对比").click()
            page.get_by_text("与上年比对：").first.click()
            page.locator("#diff-pick input").click()
            page.get_by_role("option").filter(has_text=new.name).first.click()
            page.wait_for_function("() => document.querySelector('#diff-prev input').value.includes('2023')")
            page.wait_for_timeout(1500)
            page.locator("#diff-run").click()
            expect(page.locator("#diff-note")).to_contain_text("比对：表格共", timeout=120_000)
            sentences = page.locator("#diff-sentences")
            expect(sentences).to_contain_text("我局还将加强培训", timeout=60_000)
            shown = sentences.inner_text()
            images = page.eval_on_selector_all("#diff-sentences img", "els => els.map(e => e.src)")
            links = page.eval_on_selector_all("#diff-sentences a", "els => els.map(e => e.href)")
            page.wait_for_timeout(1500)
            browser.close()
    finally:
        trap.close()
    hostile_lines = [line for line in shown.splitlines() if "图" in line or "说明" in line or host in line]
    assert any("图a[b]c，完善制度" in line for line in hostile_lines), hostile_lines     # shown, as text
    assert any(f'[图]x](//{host}/escaped.png)，详见说明<img src="//{host}/tag.png">' in line for line in hostile_lines), hostile_lines
    assert any(f"[图][r][r]: //{host}/ref.png" in line for line in hostile_lines), hostile_lines
    assert not images and not any(host in h for h in links), (images, links)
    assert trap.hits == [], trap.hits
