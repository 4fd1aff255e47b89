"""The same report twice (a PDF and a DOCX of one agency-year, or a republished version): the library keeps both
records, uses one edition for answers, rankings and comparisons, never counts it twice, and lets the official
choose the other."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer import OFFLINE, answer
from assistant.library_ops import ingest_paths
from conftest import SHARED, gold
from render import render_docx
from vectorstore.library import Library

TEST_CACHE = Path.home() / ".cache" / "nianbao-test-vectors" / "vectors.sqlite"
HZ = "淮安市洪泽区人民政府"
PDF_2024 = SHARED / "reports" / "006_hongze_district_2024.pdf"

pytestmark = pytest.mark.usefixtures("engine_env")      # on each database engine

@pytest.fixture()
def two_editions(tmp_path):
    docx = render_docx(gold("006_hongze"), tmp_path / "洪泽区2024年报（转存）.docx")
    library = Library(tmp_path / "data", vector_cache=TEST_CACHE)
    first = ingest_paths(library, [PDF_2024], embed=False, progress=False).outcomes[0]
    second = ingest_paths(library, [docx], embed=False, progress=False).outcomes[0]
    return library, first, second


def test_second_edition_is_recorded_and_one_is_used(two_editions):
    library, first, second = two_editions
    assert first.status == second.status == "added"
    assert "另一版本" in second.message and "006_hongze_district_2024.pdf" in second.message
    in_use = [r for r in library.reports() if r.agency == HZ and r.year == 2024]
    stored = [r for r in library.reports(editions=True) if r.agency == HZ and r.year == 2024]
    assert len(in_use) == 1 and len(stored) == 2
    assert in_use[0].file.endswith(".docx")                    # same 落款 date: the one stored last is newer
    old = next(r for r in stored if r.edition_of)
    assert old.file.endswith(".pdf") and old.edition_of == in_use[0].id


def test_figures_are_counted_once(two_editions):
    library, _, _ = two_editions
    facts = library.facts.values("table3", "new_received", "total", agencies=[HZ], years=[2024])
    assert [f.value for f in facts] == [95]
    a = answer("洪泽区2024年本年新收政府信息公开申请多少件？", [], library, OFFLINE)
    assert "95" in a.text and len({c.file for c in a.citations}) == 1


def test_the_official_can_choose_the_other_edition(two_editions):
    library, first, _ = two_editions
    chosen = library.use_edition(first.report_id)
    assert chosen.edition_of is None
    in_use = [r for r in library.reports() if r.agency == HZ and r.year == 2024]
    assert [r.file for r in in_use] == [chosen.file]
    fact = library.facts.values("table3", "new_received", "total", agencies=[HZ], years=[2024])[0]
    assert fact.value == 95 and fact.page is not None            # now read from the PDF, with its page
    hits = library.search("洪泽区 2024 依申请公开", k=20)
    assert hits and {h.file for h in hits} <= {chosen.file}


def test_removing_the_edition_in_use_hands_over_to_the_other(two_editions):
    library, first, second = two_editions
    library.remove(second.report_id)
    in_use = [r for r in library.reports() if r.agency == HZ and r.year == 2024]
    assert [r.id for r in in_use] == [first.report_id]
    assert library.facts.values("table3", "new_received", "total", agencies=[HZ], years=[2024])[0].value == 95


def test_a_later_dated_edition_wins_whatever_the_order(tmp_path):
    library = Library(tmp_path / "data", vector_cache=TEST_CACHE)
    first = render_docx(dict(gold("006_hongze"), published="2025-01-20"), tmp_path / "首发版.docx")
    corrected = render_docx(dict(gold("006_hongze"), published="2025-03-02"), tmp_path / "更正版.docx")
    ingest_paths(library, [corrected], embed=False, progress=False)
    out = ingest_paths(library, [first], embed=False, progress=False).outcomes[0]
    assert "它较新" in out.message and "更正版.docx" in out.message
    assert [r.file for r in library.reports() if r.year == 2024] == ["更正版.docx"]


SCJ_HTML = SHARED / "reports" / "026_pingtan_scj_2023.html"
SCJ_SCAN = SHARED / "reports" / "026_pingtan_scj_2023.scan.pdf"


@pytest.mark.slow
@pytest.mark.parametrize("order", [(SCJ_HTML, SCJ_SCAN), (SCJ_SCAN, SCJ_HTML)], ids=["html-then-scan", "scan-then-html"])
def test_the_better_read_edition_is_used_whatever_the_order(tmp_path, order):
    """The office scan of 026 is a second edition of its web page (same 落款): whichever is stored first, the web
    page, read whole, is the one in use, and the scan stays in the library, with the reason said."""
    library = Library(tmp_path / "data", vector_cache=TEST_CACHE)
    outcomes = [ingest_paths(library, [p], embed=False, progress=False).outcomes[0] for p in order]
    in_use = [r for r in library.reports() if r.year == 2023 and "市场监督管理局" in (r.agency or "")]
    stored = [r for r in library.reports(editions=True) if r.year == 2023 and "市场监督管理局" in (r.agency or "")]
    assert len(in_use) == 1 and len(stored) == 2
    assert in_use[0].file == SCJ_HTML.name
    assert "读得更完整" in outcomes[1].message and "未能读取之处 0 处" in outcomes[1].message
    total = library.facts.value(in_use[0].id, "table3", "new_received", "total")
    assert total is not None and total.value == 1 and total.report_id == in_use[0].id


def test_a_cell_one_edition_could_not_read_is_taken_from_the_other(tmp_path):
    """The PDF of 洪泽区2024 is stored, read with 表三“（一）予以公开” unread; its Word edition is read with
    “（二）部分公开” unread instead, and is the one used (as well read, stored last). Its unread row is taken from
    the PDF, said in a note naming that edition, and its checks run on the whole table; a cell both read surely
    but differently is a reading warning naming both readings."""
    from assistant.library_ops import check_findings, fill_from_edition
    from ingest.editions import EDITIONS_DISAGREE, FROM_EDITION
    from ingest.extract import extract
    from ingest.report import Cell, Warning
    library = Library(tmp_path / "data", vector_cache=TEST_CACHE)

    def unread(report, row):
        report.table3.rows[row] = {c: Cell(None, raw="?") for c in report.table3.rows[row]}
        report.warnings.append(Warning("ocr_uncertain", f"未能读取表三“{row}”一行，请核对原件", "table3", row))
        return report

    pdf = unread(extract(PDF_2024), "granted")
    library.store(pdf, check_findings(library, pdf), path=PDF_2024, file=PDF_2024.name)
    docx = render_docx(gold("006_hongze"), tmp_path / "洪泽区2024年报.docx")
    word = unread(extract(docx), "partially_granted")
    word.table3.rows["denied_state_secret"]["natural_person"] = Cell(7, raw="7")     # the PDF reads 0 there
    filled = fill_from_edition(word, library)
    want = {c: v.value for c, v in extract(PDF_2024).table3.rows["partially_granted"].items()}
    assert {c: v.value for c, v in filled.table3.rows["partially_granted"].items()} == want
    assert {c: v.value for c, v in filled.table3.rows["granted"].items()} == \
        {c: v.value for c, v in word.table3.rows["granted"].items()}                 # its own reading stands
    notes = [w.message for w in filled.warnings if w.code == FROM_EDITION]
    assert len(notes) == len(want) and all(PDF_2024.name in n and "（二）部分公开" in n for n in notes)
    assert not any(w.row == "partially_granted" for w in filled.reading_warnings())
    (disagree,) = [w for w in filled.warnings if w.code == EDITIONS_DISAGREE]
    assert "本版为7" in disagree.message and "为0" in disagree.message and PDF_2024.name in disagree.message
    assert disagree in filled.reading_warnings()                                     # ours to settle, not the unit's
    assert word.table3.rows["partially_granted"]["total"].value is None              # the reading itself untouched
