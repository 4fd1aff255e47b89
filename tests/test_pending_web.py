"""待核对 in the web app (issue 22) through app.py's handlers on a real library (real extraction, SQLite): the
queue grouped by group and unit and filtered by group; what we saw (the text line and the glued readings of a
crawler text; the page crop with the cell's box and the OCR suggestion of a scan); an editor's correction with
its audit entry, the identity refusal and its confirmation, the CSV import; a viewer sees the queue but is refused
a correction. The same glued report and erased scan as tests/test_corrections.py.
"""
from __future__ import annotations

import os
import threading
from types import SimpleNamespace

import pytest

from render import crawler_text
from test_corrections import AGENCY, QUESTION, _erased_scan, glued_report

pytestmark = pytest.mark.usefixtures("engine_env")      # a fresh database per test, on each engine (not the scan's)
GROUP = "赣州经济技术开发区"
EDITOR = ("张三", "editor")
READINGS = ["10 / 1 / 0 / 0 / 0 / 0 / 11", "1 / 0 / 10 / 0 / 0 / 0 / 11"]      # 101000011 as 7 cells that sum


def make_ctx(library):
    import app
    from assistant.access import Gate
    export = library.data_dir / "exports"
    export.mkdir(parents=True, exist_ok=True)
    return app.AppContext(library, threading.Lock(), export, Gate(library.accounts, library.audit, "password"))


@pytest.fixture
def web(tmp_path, monkeypatch):
    """A library holding the glued crawler text, and the app's context over it: (ctx, file)."""
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    for k in [k for k in os.environ if k.startswith("NIANBAO_LLM")]:
        monkeypatch.delenv(k)
    path = tmp_path / "ganzhou_2024.txt"
    path.write_text(crawler_text(glued_report()), encoding="utf-8")
    library = Library(tmp_path / "data")
    (outcome,) = ingest_paths(library, [path], embed=False, progress=False).outcomes
    assert outcome.ok
    for name, role in (EDITOR, ("李四", "viewer")):
        library.accounts.add(name, role, "password-123")
    return make_ctx(library), path


def editor():
    from assistant.access import Caller
    return Caller(*EDITOR)


def key_of(ctx, cell: str) -> str:
    rid = ctx.library.reports()[0].id
    return f"{rid}|{cell}"


def listed(ctx, group=None) -> tuple[str, list[list], list]:
    import app
    note, frame, pick, seen, image = app.pending_list(ctx, group)
    return note, frame.values.tolist(), [v for _, v in pick["choices"]]


def test_the_queue_groups_every_glued_cell_and_filters_by_group(web):
    ctx, path = web
    note, rows, keys = listed(ctx)
    # 表二 规章 and 行政规范性文件 (3 cells each), 表三 three rows (the 3 applicant cells they cannot settle each)
    assert len(rows) == len(keys) == 15 and "共 **15** 处待核对，涉及 1 份报告" in note
    assert {r[0] for r in rows} == {GROUP} and {r[1] for r in rows} == {AGENCY} and {r[2] for r in rows} == {2024}
    row = next(r for r in rows if r[4] == "表三“一、本年新收政府信息公开申请数量”“自然人”")
    assert row[3] == path.name and row[5] == "第4行" and row[6] == "101000011" and "2种读法" in row[7]
    assert key_of(ctx, "table3.new_received.natural_person") in keys
    assert listed(ctx, GROUP)[1] == rows
    note, rows, keys = listed(ctx, "另一个分组")
    assert rows == [] and keys == [] and note == "该分组没有待核对的单元格。"


def test_a_glued_cell_shows_its_source_line_and_its_readings(web, tmp_path):
    import app
    from assistant import views
    ctx, _ = web
    path = tmp_path / "hostile.txt"
    path.write_text("a [x](http://e) <b> *y*\n", encoding="utf-8")
    md, image = app.pending_show(ctx, key_of(ctx, "table3.new_received.natural_person"))
    assert image["visible"] is False                        # a text report: no page image
    assert "#### " + AGENCY + " 2024年 表三“一、本年新收政府信息公开申请数量”“自然人”" in md
    assert f"- 文件：ganzhou\\_2024.txt（编号 {ctx.library.reports()[0].id}），第4行" in md    # quoted, not markup
    assert "读到：“101000011”" in md and "可能的读法（共 2 种，依次为 自然人、商业企业、科研机构" in md
    assert all(f"    - {r}" in md for r in READINGS)
    quoted = next(line for line in md.splitlines() if line.startswith("> "))
    assert "一、本年新收政府信息公开申请数量 **101000011**二、上年结转" in quoted and quoted.startswith("> …")
    md, _ = app.pending_show(ctx, key_of(ctx, "table2.normative_documents.issued"))
    assert "共 10 种" in md and "    - 27 / 2 / 113" in md and "行政规范性文件 **272113**第二十条" in md
    # report text is quoted, never rendered: no link, image or HTML of its own
    assert views.pending_line(path, SimpleNamespace(line=1, offset=None)) == "a \\[x\\](http://e) \\<b\\> \\*y\\*"
    md, image = app.pending_show(ctx, key_of(ctx, "table3.nowhere.total"))
    assert md == "这一处已校正或已不在年报库中，请刷新列表。" and image["visible"] is False


def test_an_html_cell_says_which_table_row_and_column_it_was_read_from():
    from assistant.corrections import PendingItem
    from assistant.views import pending_markdown
    from ingest.document import Source
    item = PendingItem("洪泽区", "淮安市洪泽区人民政府", 2024, "hongze.html", "ab12", "table3", "granted", "total",
                       None, None, "", "未能读取……请核对原件", "missing_cell")
    md = pending_markdown(item, [], 0, "", source=Source(table=1, row=7, col=8))
    assert "- 文件：hongze.html（编号 ab12），表格2第8行第9列" in md and "“（一）予以公开”“总计”" in md


def test_an_editor_corrects_a_glued_row_and_everything_recomputes(web):
    import app
    from assistant.review.region import review_group
    ctx, path = web
    library = ctx.library
    rid = library.reports()[0].id

    def r1(row):
        return [f for f in library.facts.findings(rid) if f["rule"] == "R1"
                and any(e.get("row") == row for e in f["evidence"])]
    assert r1("new_received")
    out = app.pending_correct(ctx, key_of(ctx, "table3.new_received.natural_person"), "10", "依据原件第2页",
                              False, GROUP, caller=editor())
    assert out[0].startswith("已校正：ganzhou_2024.txt 表三“一、本年新收政府信息公开申请数量”“自然人” 空白 → 10")
    assert "人工校正：张三" in out[0] and "依据原件第2页" in out[0] and "核查已重新计算" in out[0]
    assert len(out[2].values.tolist()) == 14                          # the queue, one fewer
    app.pending_correct(ctx, key_of(ctx, "table3.new_received.commercial"), "1", "依据原件第2页", False, GROUP,
                        caller=editor())
    # 10 + 1 + 5 ≠ 11 while the rest of the row is read: refused, nothing stored, asks for 确认
    out = app.pending_correct(ctx, key_of(ctx, "table3.new_received.research"), "5", "依据原件第2页", False, GROUP,
                              caller=editor())
    assert out[0].startswith("**未校正：**") and "T3-3" in out[0] and "16 ≠ 11" in out[0] and "勾选“确认”" in out[0]
    assert library.facts.value(rid, "table3", "new_received", "research").value is None
    out = app.pending_correct(ctx, key_of(ctx, "table3.new_received.research"), "0", "依据原件第2页", False, GROUP,
                              caller=editor())
    assert out[0].startswith("已校正：") and len(out[2].values.tolist()) == 12
    assert not any("一、本年新收" in r[4] for r in out[2].values.tolist())
    assert r1("new_received") == [] and r1("granted")
    fact = library.facts.value(rid, "table3", "new_received", "natural_person")
    assert fact.value == 10 and fact.corrected.startswith("人工校正：张三，20")
    entries = library.audit.entries(action="correct")
    assert len(entries) == 4 and sum(not e.ok for e in entries) == 1
    assert all(e.channel == "web" and e.user == "张三" for e in entries)
    assert any(e.ok and "空白 → 10（依据原件第2页）" in e.detail for e in entries)
    # the answer cites the correction
    *_, (text, citations, final) = list(app.chat_reply(ctx, QUESTION))
    assert "10件" in text and citations[0]["corrected"] == fact.corrected
    assert "人工校正：张三" in citations[0]["label"]
    assert "人工校正：张三" in app.citation_messages(citations)[0]["content"]        # the folded citation says so
    # the region review counts the row no more among what we could not read
    unread = [w for u in review_group(library, GROUP, 2024).unread for w in u.reading]
    assert not any("一、本年新收" in w.get("message", "") for w in unread)


def test_a_confirmed_correction_that_breaks_an_identity_is_stored(web):
    import app
    ctx, _ = web
    for col, value in (("natural_person", "10"), ("commercial", "1")):
        app.pending_correct(ctx, key_of(ctx, f"table3.granted.{col}"), value, "原件第2页", False, None, caller=editor())
    out = app.pending_correct(ctx, key_of(ctx, "table3.granted.research"), "5", "原件第2页", True, None,
                              caller=editor())
    assert out[0].startswith("已校正：") and "错误" in out[0]
    rid = ctx.library.reports()[0].id
    assert ctx.library.facts.value(rid, "table3", "granted", "research").value == 5
    assert any(f["rule"] == "T3-3" and any(e.get("row") == "granted" for e in f["evidence"])
               for f in ctx.library.facts.findings(rid))
    (entry,) = [e for e in ctx.library.audit.entries(action="correct") if "research" in e.detail or "科研" in e.detail]
    assert "已确认不符合勾稽关系" in entry.detail


def test_bad_input_gets_a_chinese_message_and_stores_nothing(web):
    import app
    ctx, _ = web
    key = key_of(ctx, "table3.granted.natural_person")
    cases = [((None, "10", "原件第2页"), "请先在列表中选择"), ((key, " ", "原件第2页"), "请填写原件上印的数字"),
             ((key, "10", "  "), "请填写校正依据"), ((key, "十二", "原件第2页"), "“十二”不是数字"),
             ((key, "-3", "原件第2页"), "不能为负")]
    for (k, value, note), words in cases:
        out = app.pending_correct(ctx, k, value, note, False, None, caller=editor())
        assert out[0].startswith("**未校正：**") and words in out[0], out[0]
    assert ctx.library.corrections.all() == []


def test_a_viewer_sees_the_queue_but_cannot_correct(web):
    import gradio as gr
    import app
    ctx, _ = web
    request = SimpleNamespace(username="李四", client=SimpleNamespace(host="127.0.0.1"))
    note, frame, *_ = app.guarded(ctx, app.pending_list, "check")(None, request)
    assert len(frame) == 15 and "您的角色是查阅（viewer），只能查看；人工校正需要编辑（editor）及以上角色。" in note
    assert "只能查看" not in app.pending_list(ctx, None, caller=editor())[0]
    md, _ = app.guarded(ctx, app.pending_show, "check")(key_of(ctx, "table3.granted.natural_person"), request)
    assert "101000011" in md
    with pytest.raises(gr.Error) as e:
        app.guarded(ctx, app.pending_correct, "correct")(key_of(ctx, "table3.granted.natural_person"), "10",
                                                          "依据原件第2页", False, None, request)
    assert "权限不足" in e.value.message and "人工校正" in e.value.message and "编辑" in e.value.message
    with pytest.raises(gr.Error):
        app.guarded(ctx, app.pending_import, "correct")("x.csv", False, None, request)
    assert ctx.library.corrections.all() == []
    denied = ctx.library.audit.entries(action="denied")
    assert [(d.user, d.detail) for d in denied] == [("李四", "correct"), ("李四", "correct")]


def test_corrections_from_a_csv_upload(web, tmp_path):
    import app
    ctx, path = web
    sheet = tmp_path / "corrections.csv"
    sheet.write_text("report,table,row,column,value,note\n"
                     f"{path.name},table3,total_processed,natural_person,10,依据原件第2页\n"
                     f"{path.name},table3,total_processed,commercial,1,依据原件第2页\n"
                     f"{path.name},table3,total_processed,research,0,依据原件第2页\n"
                     f"{path.name},table3,nowhere,total,3,依据原件第2页\n", encoding="utf-8-sig")
    out = app.pending_import(ctx, str(sheet), False, None, caller=editor())
    assert out[0].startswith("共校正 3 处，未校正 1 处。") and "**未校正：** 第5行" in out[0]
    assert out[-1] is None and not sheet.exists()                        # the upload is not kept
    assert len(out[2].values.tolist()) == 12
    rid = ctx.library.reports()[0].id
    assert ctx.library.facts.value(rid, "table3", "total_processed", "natural_person").value == 10
    bad = tmp_path / "bad.csv"
    bad.write_text("report,value\nx,1\n", encoding="utf-8")
    out = app.pending_import(ctx, str(bad), False, None, caller=editor())
    assert out[0].startswith("**未校正：** 校正文件缺少列：table、row、column、note")


def test_a_changed_file_lists_its_corrections_for_reconfirmation_and_the_editor_confirms(web):
    import app
    from assistant.library_ops import ingest_paths
    ctx, path = web
    app.pending_correct(ctx, key_of(ctx, "table3.new_received.natural_person"), "10", "依据原件第2页", False, None,
                        caller=editor())
    path.write_text(path.read_text(encoding="utf-8").replace("本年度", "本年", 1), encoding="utf-8")
    (outcome,) = ingest_paths(ctx.library, [path], embed=False, progress=False).outcomes
    assert outcome.ok
    note, rows, keys = listed(ctx)
    (again,) = [r for r in rows if "重新确认" in r[7]]
    assert again[4] == "表三“一、本年新收政府信息公开申请数量”“自然人”" and "空白 → 10" in again[6]
    key = key_of(ctx, "table3.new_received.natural_person")
    md, _ = app.pending_show(ctx, key)
    assert "重新确认" in md and "空白 → 10" in md
    out = app.pending_correct(ctx, key, "10", "依据新文件第2页", False, None, caller=editor())
    assert out[0].startswith("已校正：")
    assert not any("重新确认" in r[7] for r in out[2].values.tolist())
    assert sorted(c.status for c in ctx.library.corrections.all()) == ["active", "reconfirmed"]


# -- a scan: the page crop with the cell's box ------------------------------------------------------------------
@pytest.fixture(scope="module")
def scan_web(tmp_path_factory, shared):
    """The erased scan on SQLite (the OCR reading is engine-independent; test_corrections covers both)."""
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    root = tmp_path_factory.mktemp("pending-scan")
    pdf, key, printed = _erased_scan(root)
    saved = os.environ.pop("NIANBAO_DATABASE_URL", None)
    try:
        library = Library(root / "data")
        (outcome,) = ingest_paths(library, [pdf], embed=False, progress=False).outcomes
        assert outcome.ok
        yield make_ctx(library), key, printed
    finally:
        if saved is not None:
            os.environ["NIANBAO_DATABASE_URL"] = saved


@pytest.mark.slow
def test_a_scanned_cell_shows_the_page_crop_with_its_box_and_is_corrected(scan_web, engine_env):
    if engine_env:
        pytest.skip("the scan's library is on SQLite (one page of OCR once); the glued tests run on each engine")
    import numpy as np
    import app
    from assistant.corrections import pending_items
    from assistant.views import FLAGGED_COLOUR
    ctx, key, printed = scan_web
    rid = ctx.library.reports()[0].id
    assert f"{rid}|{key}" in listed(ctx)[2]
    md, image = app.pending_show(ctx, f"{rid}|{key}")
    assert image["visible"] is True and "第3页" in md and "扫描页上该处没有识别出数字" in md
    crop = np.asarray(image["value"])
    assert crop.shape[1] > 1200 and crop.shape[0] < 400                 # a band of the page (1241 × 1754 at 150 dpi)
    assert (crop == FLAGGED_COLOUR).all(axis=2).sum() > 100             # the red box round the cell
    # the OCR cell read below the threshold: its suggestion beside the crop
    (low,) = [i for i in pending_items(ctx.library) if i.code == "low_confidence"]
    md, image = app.pending_show(ctx, f"{rid}|{low.cell_key}")
    assert f"识别建议：{low.seen}（置信度低，请以原件为准）" in md and image["visible"] is True
    out = app.pending_correct(ctx, f"{rid}|{key}", printed, "依据原件第3页", False, None, caller=editor())
    assert out[0].startswith("已校正：") and "人工校正：张三" in out[0], out[0]
    assert f"{rid}|{key}" not in [v for _, v in out[3]["choices"]]
    fact = ctx.library.facts.value(rid, *key.split("."))
    assert fact.value == int(printed) and fact.page == 3
