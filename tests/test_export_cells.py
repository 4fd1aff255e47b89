"""Spreadsheet and CSV exports write a cell that starts with = + - @ tab or CR as text, never as a formula (issue 21):
the 问题清单 XLSX (a file name that was a HYPERLINK formula), the findings and comparison CSVs, the audit CSV (a
login name typed at the login page); and every XLSX/CSV writer of the product goes through assistant.sheetcells."""
from __future__ import annotations

import csv
import io
import re
import threading
import zipfile
from pathlib import Path

from assistant.sheetcells import csv_cell, csv_row, risky, xlsx_append

REPO = Path(__file__).resolve().parents[1]
HOSTILE = ['=HYPERLINK("http://evil.example/x","点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1"]


def test_the_rule():
    assert all(risky(v) for v in HOSTILE)
    assert [csv_cell(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    for plain in ("-12", "+3.5", "-", "=", "12%", "赣州经开区", "", 12, -3.5, None):    # numbers stay numbers
        assert csv_cell(plain) == plain
    assert csv_row(["a", "=1+1", 5]) == ["a", "'=1+1", 5]


def _formula_cells(xlsx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return [n for n in z.namelist() if n.startswith("xl/worksheets/") and b"<f>" in z.read(n)]


def test_problem_list_xlsx_keeps_hostile_text_as_text():
    from openpyxl import load_workbook
    from assistant.review.notice import problem_list_xlsx
    from assistant.review.region import RegionReview, UnitReview
    finding = {"severity": "error", "rule": "table3.sum", "message": HOSTILE[2] + " 申请总数不符",
               "evidence": [{"kind": "sentence", "text": HOSTILE[3], "page": 2}]}
    unit = UnitReview(report_id="r1", agency=HOSTILE[3], file=HOSTILE[0] + ".pdf", year=2024, pages=3,
                      published=None, deadline=None, on_time=None, section_five_chars=None, previous_file=HOSTILE[1],
                      findings=(finding,), reading=({"message": HOSTILE[4], "source": {"page": 1}},))
    data = problem_list_xlsx(RegionReview("测试区", 2024, [unit], []))
    assert _formula_cells(data) == []                           # no <f> element in any sheet
    wb = load_workbook(io.BytesIO(data))
    row = [c for c in wb["问题清单"][2]]
    assert row[1].value == HOSTILE[0] + ".pdf" and row[1].data_type == "s"
    assert row[0].value == HOSTILE[3] and row[6].value.startswith("-2+3")
    assert wb["单位一览"][2][10].value == HOSTILE[1]
    assert wb["未能读取"][2][3].value == HOSTILE[4]


def test_xlsx_append_any_sheet():
    from openpyxl import Workbook, load_workbook
    wb = Workbook()
    xlsx_append(wb.active, HOSTILE + [12, -3, "正常"])
    buf = io.BytesIO()
    wb.save(buf)
    assert _formula_cells(buf.getvalue()) == []
    got = [c.value for c in load_workbook(buf).active[1]]
    assert got == HOSTILE + [12, -3, "正常"]


def test_findings_and_comparison_csv():
    from assistant import views
    findings = [{"severity": "error", "rule": "x", "message": HOSTILE[0], "expected": 3, "actual": "-1+2",
                 "evidence": []}]
    rows = list(csv.reader(io.StringIO(views.findings_csv(findings))))
    assert rows[1][2] == "'" + HOSTILE[0] and rows[1][3] == "3" and rows[1][4] == "'-1+2"
    compare = [{"单位": HOSTILE[3], "年度": 2024, "指标": "申请", "数值": -5, "计算": "=A1", "出处": "第2页"}]
    rows = list(csv.reader(io.StringIO(views.comparison_csv(compare))))
    assert rows[1] == ["'" + HOSTILE[3], "2024", "申请", "-5", "'=A1", "第2页"]


def test_audit_csv_with_a_hostile_login_name(tmp_path):
    import app
    from assistant.access import Gate
    from vectorstore.library import Library
    library = Library(tmp_path / "data")
    library.accounts.add("boss", "admin", "boss-pass-123")
    gate = Gate(library.accounts, library.audit, "password")
    assert not gate.login('=HYPERLINK("http://evil.example","x")', "whatever-1", client="10.1.1.1")
    (tmp_path / "exports").mkdir()
    ctx = app.AppContext(library, threading.Lock(), tmp_path / "exports", gate)
    out = app.export_audit(ctx)
    path = out["value"] if isinstance(out, dict) else out
    rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    assert rows[1][2] == "'" + '=HYPERLINK("http://evil.example","x")' and rows[1][9] == "10.1.1.1"


def test_every_spreadsheet_writer_uses_the_helper():
    writers = []
    for path in [REPO / "app.py", REPO / "cli.py", *sorted((REPO / "assistant").rglob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"csv\.writer\(|csv\.DictWriter\(|Workbook\(\)", text) and path.name != "sheetcells.py":
            writers.append(path.name)
            assert "sheetcells" in text, path
            assert not re.search(r"\b(ws|units|unread|ded|chk|rates|about)\.append\(", text), path
    assert {"app.py", "views.py", "notice.py", "scoring.py"} <= set(writers)
