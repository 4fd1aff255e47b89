"""DOCX exports and the 与上年比对 page survive control characters and lone surrogates in report text (issue 21:
a `\\x0b` made the comparison fail and the export raise). Two real TXT reports of one unit (2023, 2024) carry
control characters through ingest; a lone surrogate (what a PDF's broken ToUnicode map yields) is put into the
read report; the comparison, its DOCX, the 通报-style draft DOCX and the problem list all come out, readable."""
from __future__ import annotations

import io
import threading

import pytest

from tests.conftest import SHARED

SEED = SHARED / "seeds" / "003_99eecf839798fc6e.txt"
BAD = "\x0b\x01\x1f\ud800\udfff\ufffe"


@pytest.fixture(scope="module")
def stored(tmp_path_factory, shared):
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    folder = tmp_path_factory.mktemp("control-chars")
    text = SEED.read_text(encoding="utf-8").replace("存在方式不够创新", "存在方式\x0b不够\x01创新\x0c")
    old, new = folder / "ganxian_2023.txt", folder / "ganxian_2024.txt"
    old.write_text(text, encoding="utf-8")
    new.write_text(text.replace("2023", "2024").replace("2022", "2023").replace("人员力量不足", "人员\x0b力量\x1f仍不足"),
                   encoding="utf-8")
    library = Library(folder / "data")
    ingest_paths(library, [old, new], embed=False, progress=False)
    records = sorted(library.reports(), key=lambda r: r.year)
    assert [r.year for r in records] == [2023, 2024]
    return library, records[0].id, records[1].id


def _docx_text(data: bytes) -> str:
    from docx import Document
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def test_the_comparison_and_its_docx_with_control_characters_and_surrogates(stored, monkeypatch):
    import app
    from assistant.access import Gate
    from assistant.review.diff import diff_reports
    from assistant.review.diff_export import diff_docx
    library, old_id, new_id = stored
    old, new = library.facts.report_object(old_id), library.facts.report_object(new_id)
    assert any("\x0b" in s.text for s in new.sections)                   # the control characters were stored
    new.sections[-1].text += "另有" + BAD + "字符。"
    new.agency = (new.agency or "") + "\ud800"
    text = _docx_text(diff_docx(diff_reports(old, new)))
    assert "人员力量仍不足" in text and "另有字符。" in text and "\ud800" not in text
    export_dir = library.data_dir / "exports"
    export_dir.mkdir(exist_ok=True)
    ctx = app.AppContext(library, threading.Lock(), export_dir, Gate(library.accounts, library.audit, "open"))
    monkeypatch.setattr(type(library.facts), "report_object", lambda self, rid: {old_id: old, new_id: new}[rid])
    note, table, sentences, promises, download = app.run_diff(ctx, new_id, old_id)
    for shown in (note, sentences, promises, *[str(v) for v in table.to_numpy().ravel()]):
        assert not any(ch in shown for ch in BAD), shown
    import orjson                                                          # what Gradio sends the page with
    orjson.dumps([note, sentences, promises, table.to_numpy().tolist()])
    assert "人员力量仍不足" in sentences
    path = download["value"]
    with open(path, "rb") as f:
        assert "人员力量仍不足" in _docx_text(f.read())


def test_draft_docx_and_problem_list_with_bad_characters():
    from openpyxl import load_workbook
    from assistant.docx_export import draft_docx_bytes, xml_safe
    from assistant.review.notice import problem_list_xlsx
    from assistant.review.region import RegionReview, UnitReview
    assert xml_safe("a" + BAD + "b\t\n") == "ab\t\n" and xml_safe(5) == 5
    text = _docx_text(draft_docx_bytes("标题" + BAD, "一、总体情况\n正文" + BAD + "〔来源" + BAD + "〕结束"))
    assert "标题" in text and "正文〔来源〕结束" in text
    unit = UnitReview(report_id="r1", agency="某局" + BAD, file="a.pdf", year=2024, pages=1, published=None,
                      deadline=None, on_time=None, section_five_chars=None, previous_file=None,
                      findings=({"severity": "error", "rule": "x", "message": "说明" + BAD, "evidence": []},), reading=())
    wb = load_workbook(io.BytesIO(problem_list_xlsx(RegionReview("区", 2024, [unit], []))))
    assert wb["问题清单"][2][0].value == "某局" and wb["问题清单"][2][6].value == "说明"
