"""The scores page of 体检 in headless Chromium (issue 26): pick a group, a year and a shipped rubric, score;
the cards, the ranking, the deductions and the heat map each open their evidence; the 评分表 XLSX and the 通报
with its scoring section download; confirming a held deduction changes the score.

The library is made before the app starts (real extraction, no vectors: scoring does not need them): 洪泽区
2023, 凤岗镇 2023 and a 湖边镇 report that copied it word for word, in one group.
"""
from __future__ import annotations

import io

import pytest

from tests.appserver import running_app
from tests.test_app_e2e import ARGS, CHROMIUM, SCREENSHOTS, expect, open_tab, pick, shot

pytestmark = pytest.mark.slow

GROUP = "评分组"
HONGZE = "淮安市洪泽区人民政府"
FENGGANG = "赣州经济技术开发区凤岗镇人民政府"
HUBIAN = "赣州经济技术开发区湖边镇人民政府"
LONG = 240_000


@pytest.fixture(scope="module")
def page(tmp_path_factory, shared):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (make system-deps)")
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright

    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    root = tmp_path_factory.mktemp("score-e2e")
    copied = root / "hubian_2023.txt"
    copied.write_text((shared / "seeds" / "001_758a901345a790b1.txt").read_text(encoding="utf-8")
                      .replace("凤岗镇", "湖边镇"), encoding="utf-8")
    lib = Library(root / "data")
    outcomes = ingest_paths(lib, [shared / "reports" / "005_hongze_district_2023.pdf",
                                  shared / "seeds" / "001_758a901345a790b1.txt", copied],
                            embed=False, progress=False).outcomes
    assert all(o.ok for o in outcomes)
    lib.set_group([o.report_id for o in outcomes], GROUP)
    del lib
    SCREENSHOTS.mkdir(exist_ok=True)
    with running_app(root / "data") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
        pg.set_default_timeout(60_000)
        outside: list[str] = []
        pg.on("request", lambda r: outside.append(r.url)
              if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
        pg.goto(url, wait_until="domcontentloaded")
        pg.locator("#chat").wait_for()
        yield pg
        browser.close()
        assert not outside, f"requests left the machine: {outside[:5]}"


def test_score_page_ranking_evidence_and_downloads(page, tmp_path):
    from docx import Document
    from openpyxl import load_workbook
    open_tab(page, "体检")
    pick(page, "#review-group", GROUP)
    pick(page, "#review-year", "2023")
    pick(page, "#review-rubric", "区级年报考评")
    page.locator("#review-score").click()
    expect(page.locator("#review-score-note")).to_contain_text("按《区级年报考评", timeout=LONG)
    ranking = page.locator("#review-ranking")
    expect(ranking).to_contain_text(HONGZE)
    expect(ranking).to_contain_text("34")                       # 37 − 3（表四 行政复议 结果纠正 1 件 × 3）
    cards = page.locator("#review-cards")
    expect(cards).to_contain_text("实质公开率")
    expect(cards).to_contain_text("（予以公开 + 部分公开）÷ 办结")
    # a card opens the units behind it
    cards.get_by_text("要素齐全").filter(visible=True).first.click()
    expect(page.locator("#review-evidence")).to_contain_text("六个部分和三张表齐全")
    # a row of the ranking opens that unit's deductions with their evidence
    ranking.get_by_text(HUBIAN).filter(visible=True).first.click()
    evidence = page.locator("#review-evidence")
    expect(evidence).to_contain_text("LC-4 年报照搬其他单位报告")
    expect(evidence).to_contain_text("与其他单位相同的文字")
    expect(evidence).to_contain_text(FENGGANG)
    # a cell of the heat map opens that unit's findings of that problem type
    heat = page.locator("#review-heatmap")
    expect(heat).to_contain_text("T4-1")
    # gradio draws a dataframe as a virtual grid: rows and cells are ARIA roles, not <tr>/<td>
    heat.locator('[role="row"]').filter(has_text=HONGZE).locator('[role="gridcell"]').nth(1).click()
    expect(evidence).to_contain_text(HONGZE)
    shot(page, "score_page")
    with page.expect_download() as download:
        page.locator("#review-score-xlsx").click()
    target = tmp_path / "score.xlsx"
    download.value.save_as(target)
    wb = load_workbook(io.BytesIO(target.read_bytes()))
    scores = {r[1]: r for r in wb["得分"].iter_rows(min_row=2, values_only=True)}
    assert scores[HONGZE][0] == 1 and scores[HONGZE][2] == 34 and scores[FENGGANG][2] == 29
    assert scores[HUBIAN][0] == 2                                 # 29 too: the same rank
    deductions = list(wb["扣分明细"].iter_rows(min_row=2, values_only=True))
    assert any(r[0] == HONGZE and r[2] == "LC-6" and r[6] == 3 for r in deductions)
    with page.expect_download() as download:
        page.locator("#review-score-docx").click()
    target = tmp_path / "notice.docx"
    download.value.save_as(target)
    paragraphs = [p.text for p in Document(io.BytesIO(target.read_bytes())).paragraphs]
    assert "三、评分情况" in paragraphs and "四、整改要求" in paragraphs
    assert any(f"第1名{HONGZE}34分" in p for p in paragraphs)


def test_confirming_a_held_deduction_changes_the_score(page):
    """洪泽区 2023 prints no 落款 date: held, not counted; confirmed by the official, 5 more points."""
    pick(page, "#review-held", f"{HONGZE}：LC-1")
    page.locator("#review-confirm").click()
    ranking = page.locator("#review-ranking")
    expect(ranking.locator('[role="row"]').filter(has_text=HONGZE)).to_contain_text("29", timeout=LONG)
    shot(page, "score_confirmed")
