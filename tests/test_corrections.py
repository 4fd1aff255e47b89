"""核对与校正 (issue 22): the pending queue, corrections through the CLI as a layer over the reading (audit entry,
identity refusal, viewer refused), the facts, findings and answers recomputed with 人工校正 in the citation, and
corrections that survive re-ingest of the same file but wait for re-confirmation on a changed one. On each engine.

The glued-digit report is a crawler text (tests/render.py) of a family the reader cannot settle alone: 表三's
rows “101000011” read as 10/1/0/0/0/0/11 or 1/0/10/0/0/0/11, so three cells of each are left blank.
"""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from conftest import SHARED, gold
from render import crawler_text, perturbed
from assistant.access import AccessDenied, Caller
from assistant.corrections import correct_cell, pending_items
from assistant.library_ops import reingest_records
from vectorstore.library import Library

pytestmark = pytest.mark.usefixtures("engine_env")      # a fresh database per test, on each engine
AGENCY = "赣州经济技术开发区企业服务和工信局"
GLUED_ROWS = ("new_received", "granted", "total_processed")
PRINTED = [10, 1, 0, 0, 0, 0, 11]                    # what the original prints in each of those rows
QUESTION = f"{AGENCY}2024年本年新收政府信息公开申请中自然人多少件？"


def glued_report() -> dict:
    report = perturbed(gold("004_e6c"), 9)
    rows = report["table3"]["rows"]
    for k in rows:
        rows[k] = [0] * 7
    for k in GLUED_ROWS:
        rows[k] = list(PRINTED)
    return report


def run(args, monkeypatch) -> tuple[int, str, str]:
    import cli
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = cli.main(args)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def glued(tmp_path, monkeypatch):
    """A library holding the glued crawler text: (data-dir args, the file, run)."""
    path = tmp_path / "ganzhou_2024.txt"
    path.write_text(crawler_text(glued_report()), encoding="utf-8")
    d = ["--data-dir", str(tmp_path / "data")]
    code, out, err = run(["ingest", str(path), "--no-embed", "--quiet", *d], monkeypatch)
    assert code == 0, err
    return d, path, lambda args: run([*args, *d], monkeypatch)


def _cell(d, table, row, col):
    library = Library(d[1])
    record = library.reports()[0]
    return library, record, library.facts.value(record.id, table, row, col)


def _reading_findings(library, record, row) -> list[dict]:
    return [f for f in library.facts.findings(record.id) if f["rule"] == "R1"
            and any(e.get("row") == row for e in f["evidence"])]


def test_the_pending_queue_lists_the_glued_cells_with_the_digits_we_saw(glued):
    d, path, cli = glued
    code, out, _ = cli(["pending", "--json"])
    items = json.loads(out)
    cells = {i["cell"] for i in items if i["table"] == "table3"}
    assert cells == {f"table3.{r}.{c}" for r in GLUED_ROWS for c in ("natural_person", "commercial", "research")}
    item = next(i for i in items if i["cell"] == "table3.new_received.natural_person")
    assert item["agency"] == AGENCY and item["year"] == 2024 and item["group"] == "赣州经济技术开发区"
    assert item["seen"] == "101000011"
    assert item["code"] == "glued_ambiguous" and "101000011" in item["why"] and "2种读法" in item["why"]
    assert item["place"] == "表三“一、本年新收政府信息公开申请数量”“自然人”"
    code, text, _ = cli(["pending"])
    assert "【赣州经济技术开发区】" in text and "[table3.granted.research]" in text and "101000011" in text


def test_a_glued_row_corrected_through_the_cli(glued, monkeypatch):
    d, path, cli = glued
    library, record, fact = _cell(d, "table3", "new_received", "natural_person")
    assert fact.value is None and _reading_findings(library, record, "new_received")
    for col, value in (("natural_person", "10"), ("commercial", "1")):
        code, out, err = cli(["correct", path.name, f"table3.new_received.{col}", value, "--note", "依据原件第2页",
                              "--by", "张三"])
        assert code == 0, err
        assert "人工校正：张三" in out and "依据原件第2页" in out
    # 10 + 1 + 5 ≠ 11 while the rest of the row is read: refused, naming the identity, nothing stored
    code, out, err = cli(["correct", record.id, "table3.new_received.research", "5", "--note", "依据原件第2页"])
    assert code == 2 and "T3-3" in err and "各类申请人之和 = 总计" in err and "16 ≠ 11" in err and "--confirm" in err
    assert _cell(d, "table3", "new_received", "research")[2].value is None
    code, out, err = cli(["correct", record.id, "table3.new_received.research", "0", "--note", "依据原件第2页",
                          "--by", "张三"])
    assert code == 0, err
    library, record, fact = _cell(d, "table3", "new_received", "natural_person")
    assert fact.value == 10 and fact.corrected.startswith("人工校正：张三，20") and fact.corrected.endswith("依据原件第2页")
    assert _cell(d, "table3", "new_received", "commercial")[2].value == 1
    # the finding that rested on the unread row is recomputed: gone; the other glued rows still have theirs
    assert _reading_findings(library, record, "new_received") == []
    assert _reading_findings(library, record, "granted")
    # the original reading is kept beside the correction
    stored = library.facts.report_object(record.id)
    cell = stored.table3.cell("new_received", "natural_person")
    assert cell.value == 10 and cell.correction["old_value"] is None and cell.correction["by"] == "张三"
    assert any(w.code == "reading_corrected" and w.row == "new_received" for w in stored.warnings)
    (c,) = [c for c in library.corrections.for_report(record.sha256) if c.column == "natural_person"]
    assert (c.old_value, c.new_value, c.status, c.at.endswith("+00:00")) == (None, 10, "active", True)
    # the audit log: the two corrections and the refusal
    code, out, _ = cli(["audit", "--json", "--action", "correct"])
    entries = json.loads(out)
    assert len(entries) == 4 and sum(not e["ok"] for e in entries) == 1
    assert any(e["ok"] and e["user"] == "张三" and "空白 → 10（依据原件第2页）" in e["detail"] for e in entries)
    # the pending queue no longer lists the corrected row
    code, out, _ = cli(["pending", "--json"])
    assert not any(i["row"] == "new_received" for i in json.loads(out))
    # the answer shows the corrected number and says so in its citation
    code, out, err = cli(["ask", QUESTION, "--json", "--offline"])
    answer = json.loads(out)
    assert "10件" in answer["answer"] and answer["facts"][0]["value"] == 10
    assert answer["citations"][0]["corrected"] == fact.corrected
    assert "人工校正：张三" in answer["citations"][0]["label"]


def test_a_confirmed_correction_that_breaks_an_identity_is_kept_and_checked(glued):
    d, path, cli = glued
    for col, value in (("natural_person", "10"), ("commercial", "1")):
        assert cli(["correct", path.name, f"table3.granted.{col}", value, "--note", "原件第2页"])[0] == 0
    code, out, err = cli(["correct", path.name, "table3.granted.research", "5", "--note", "原件第2页", "--confirm"])
    assert code == 0, err
    library, record, fact = _cell(d, "table3", "granted", "research")
    assert fact.value == 5
    t33 = [f for f in library.facts.findings(record.id) if f["rule"] == "T3-3"
           and any(e.get("row") == "granted" for e in f["evidence"])]
    assert t33 and (t33[0]["expected"], t33[0]["actual"]) in ((11, 16), (16, 11))


def test_a_viewer_cannot_correct(glued):
    d, path, cli = glued
    library = Library(d[1])
    with pytest.raises(AccessDenied) as e:
        correct_cell(library, Caller("李四", "viewer"), path.name, "table3.new_received.natural_person", "10",
                     "依据原件第2页")
    assert "人工校正" in e.value.message and "编辑" in e.value.message
    assert library.corrections.all() == []
    (entry,) = library.audit.entries(action="denied")
    assert (entry.user, entry.role, entry.detail) == ("李四", "viewer", "correct")
    assert library.facts.value(library.reports()[0].id, "table3", "new_received", "natural_person").value is None


def test_bad_input_gets_a_chinese_message_and_stores_nothing(glued, tmp_path):
    d, path, cli = glued
    code, _, err = cli(["correct", path.name, "table3.no_such_row.total", "1", "--note", "x"])
    assert code == 2 and "没有“no_such_row”这一行" in err
    code, _, err = cli(["correct", path.name, "table3.granted.total", "十二", "--note", "x"])
    assert code == 2 and "不是数字" in err
    code, _, err = cli(["correct", path.name, "table3.granted.natural_person", "10"])
    assert code == 2 and "校正依据" in err
    assert Library(d[1]).corrections.all() == []


def test_corrections_from_a_csv(glued, tmp_path):
    d, path, cli = glued
    sheet = tmp_path / "corrections.csv"
    sheet.write_text("report,table,row,column,value,note\n"
                     f"{path.name},table3,total_processed,natural_person,10,依据原件第2页\n"
                     f"{path.name},table3,total_processed,commercial,1,依据原件第2页\n"
                     f"{path.name},table3,total_processed,research,0,依据原件第2页\n"
                     f"{path.name},table3,nowhere,total,3,依据原件第2页\n", encoding="utf-8-sig")
    code, out, err = cli(["correct", "--import", str(sheet), "--by", "王五"])
    assert code == 2 and "共校正 3 处，未校正 1 处" in out and "第5行" in err
    library, record, fact = _cell(d, "table3", "total_processed", "natural_person")
    assert fact.value == 10 and "王五" in fact.corrected
    assert _reading_findings(library, record, "total_processed") == []


def test_re_ingest_keeps_the_correction_and_a_changed_file_asks_for_reconfirmation(glued):
    d, path, cli = glued
    assert cli(["correct", path.name, "table3.new_received.natural_person", "10", "--note", "依据原件第2页",
                "--by", "张三"])[0] == 0
    library = Library(d[1])
    # the same file read again (the reader improved): the correction stays applied
    lines = reingest_records(library, library.reports())
    assert len(lines) == 1
    library, record, fact = _cell(d, "table3", "new_received", "natural_person")
    assert fact.value == 10 and "张三" in fact.corrected
    # removed and ingested again: still the same file (sha256), still corrected
    assert cli(["remove", path.name])[0] == 0
    assert cli(["ingest", str(path), "--no-embed", "--quiet"])[0] == 0
    assert _cell(d, "table3", "new_received", "natural_person")[2].value == 10
    # the unit re-publishes a changed file: the correction is not applied to it, it is listed for re-confirmation
    path.write_text(path.read_text(encoding="utf-8").replace("本年度", "本年", 1), encoding="utf-8")
    assert cli(["ingest", str(path), "--no-embed", "--quiet"])[0] == 0
    library, record, fact = _cell(d, "table3", "new_received", "natural_person")
    assert fact.value is None and fact.corrected is None
    (c,) = library.corrections.all()
    assert c.status == "needs_reconfirm" and c.report_sha256 != record.sha256
    code, out, _ = cli(["pending", "--json"])
    again = [i for i in json.loads(out) if i["code"] == "needs_reconfirm"]
    assert [i["cell"] for i in again] == ["table3.new_received.natural_person"]
    assert "空白 → 10" in again[0]["seen"] and "重新确认" in again[0]["why"]
    # entered again on the new file: applied there, the old one marked re-confirmed
    assert cli(["correct", path.name, "table3.new_received.natural_person", "10", "--note", "依据新文件第2页"])[0] == 0
    statuses = sorted(c.status for c in Library(d[1]).corrections.all())
    assert statuses == ["active", "reconfirmed"]
    code, out, _ = cli(["pending", "--json"])
    assert not any(i["code"] == "needs_reconfirm" for i in json.loads(out))


# -- an OCR'd cell --------------------------------------------------------------------------------------------------
def _erased_scan(tmp_path: Path) -> tuple[Path, str, str]:
    """006's 表三 page scanned with one number erased (white-out over the cell), the other pages text."""
    import subprocess
    import numpy as np
    from PIL import ImageDraw
    from ingest.extract import extract
    from scanned import degrade, page_images, save_pdf
    source = SHARED / "reports" / "006_hongze_district_2024.pdf"
    report = extract(source)
    row, col = "new_received", "natural_person"
    cell = report.table3.cell(row, col)
    page, (x0, top, x1, bottom) = cell.source.page, cell.source.bbox
    dpi = 150
    image = page_images(source, dpi, [page])[0]
    k = dpi / 72
    ImageDraw.Draw(image).rectangle([x0 * k - 2, top * k - 2, x1 * k + 2, bottom * k + 2], fill=255)
    scan = save_pdf([degrade(image, np.random.default_rng(0))], tmp_path / "scan.pdf", dpi)
    parts = tmp_path / "parts"
    parts.mkdir()
    subprocess.run(["pdfseparate", str(source), str(parts / "p-%d.pdf")], check=True)
    n = len(list(parts.glob("p-*.pdf")))
    files = [str(scan if i == page else parts / f"p-{i}.pdf") for i in range(1, n + 1)]
    out = tmp_path / "006_hongze_2024_scan.pdf"
    subprocess.run(["pdfunite", *files, str(out)], check=True)
    return out, f"table3.{row}.{col}", str(cell.value)


@pytest.mark.slow
def test_an_ocr_cell_corrected_through_the_cli(tmp_path, monkeypatch, engine_env):
    if engine_env:
        pytest.skip("the OCR reading is engine-independent; the SQLite run covers it (one page of OCR)")
    pdf, key, printed = _erased_scan(tmp_path)
    d = ["--data-dir", str(tmp_path / "data")]
    assert run(["ingest", str(pdf), "--no-embed", "--quiet", *d], monkeypatch)[0] == 0
    code, out, _ = run(["pending", "--json", *d], monkeypatch)
    item = next(i for i in json.loads(out) if i["cell"] == key)
    assert item["page"] is not None and "请核对原件" in item["why"]
    code, out, err = run(["correct", pdf.name, key, printed, "--note", "依据原件第3页", "--by", "张三", *d], monkeypatch)
    assert code == 0, err
    library = Library(d[1])
    record = library.reports()[0]
    fact = library.facts.value(record.id, *key.split("."))
    assert fact.value == int(printed) and fact.corrected.endswith("依据原件第3页")
    assert fact.page == item["page"]                      # the cell keeps where it was seen
    code, out, _ = run(["pending", "--json", *d], monkeypatch)
    assert not any(i["cell"] == key for i in json.loads(out))
    assert not any(f["rule"] == "R1" and any(e.get("row") == "new_received" for e in f["evidence"])
                   for f in library.facts.findings(record.id))


def test_a_merged_other_total_points_at_its_blank_sub_rows_and_is_settled_when_they_are_corrected():
    from ingest.report import Cell, Report, Table, Warning
    from ingest.schema import TABLE3_COLUMNS, TABLE3_OTHER_SPLIT
    from vectorstore.corrections import Correction, apply_corrections, warning_cells
    t = Table("table3")
    t.rows["other_processing"] = {c: Cell(1 if c in ("natural_person", "total") else 0) for c in TABLE3_COLUMNS}
    for row in TABLE3_OTHER_SPLIT:
        t.rows[row] = {c: Cell(None if c == "natural_person" else 0) for c in TABLE3_COLUMNS}
    r = Report("x.pdf", sha256="ab" * 32, table3=t,
               warnings=[Warning("merged_total", "（六）合并单元格", "table3", "other_processing")])
    assert [(row, col) for row, col, _ in warning_cells(r, r.warnings[0])] == \
        [(row, "natural_person") for row in TABLE3_OTHER_SPLIT]
    fix = [Correction(r.sha256, "table3", row, "natural_person", "x.pdf", None, None, None, "", v, "张三",
                      "2026-12-07T10:00:00+00:00", "依据原件第4页") for row, v in zip(TABLE3_OTHER_SPLIT, (1, 0))]
    apply_corrections(r, fix)
    assert r.reading_warnings() and t.value("other_overdue_correction", "natural_person") == 1
    apply_corrections(r, [Correction(r.sha256, "table3", "other_other", "natural_person", "x.pdf", None, None, None,
                                     "", 0, "张三", "2026-12-07T10:00:00+00:00", "依据原件第4页")])
    assert r.reading_warnings() == [] and r.warnings[0].code == "reading_corrected"
    assert t.cell("other_other", "natural_person").correction["old_value"] is None
