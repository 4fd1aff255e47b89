"""Scanned reports read offline by OCR: the shared PDFs and round-trip reports turned into scans (grey, turned
under 1°, blurred, noisy, 150 dpi), read back and compared with the gold: ≥ 99 % of cells exact and every cell
that is not exact flagged as a reading warning. Also: a mixed PDF, image uploads, blank and unreadable scans,
the page cache, and the checksums that turn a misread cell into a warning with a suggested reading.

The OCR work is shared: the scans are made once per session, the page cache lives in one session folder,
and each scanned file is extracted once.
"""
from __future__ import annotations

import json
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import gold
from ingest.checksums import ocr_warnings, one_digit_changes, unread_cells
from ingest.document import Source
from ingest.errors import ExtractError
from ingest.extract import extract
from ingest.report import READING_CODES, Cell, Report, Table, Warning
from ingest.schema import FORMAT_2019, FORMAT_2021, TABLE2_2019_ROWS, TABLE2_ROWS, TABLE3_COLUMNS, TABLE3_ROWS
from scanned import degrade, mixed_pdf, page_images, pasted_table_pdf, pdftoppm, save_pdf, scanned_pdf, table_pages

needs_poppler = pytest.mark.skipif(pdftoppm() is None, reason="poppler-utils (pdftoppm) is not installed")
REPORTS = ("005_hongze_district_2023", "006_hongze_district_2024", "007_huaian_city_2024")
ROUNDTRIP = ("007_huaian", "000_747")      # gold files rendered with perturbed (many-digit) figures, then scanned
EXACT_SHARE = 0.99


# ---------------------------------------------------------------------------------------------------------
# checksums (no OCR needed)
def _table3(values: dict[str, list[int]], conf: dict[tuple[str, str], float] | None = None) -> Table:
    t = Table("table3")
    for r, (row, vals) in enumerate(values.items()):
        t.rows[row] = {c: Cell(v, str(v), Source(page=3, bbox=(100.0 + 40 * k, 100.0 + 20 * r, 130.0 + 40 * k, 115.0 + 20 * r)),
                               (conf or {}).get((row, c), 0.99)) for k, (c, v) in enumerate(zip(TABLE3_COLUMNS, vals))}
    return t


def _consistent() -> dict[str, list[int]]:
    """A complete 2021-format 表三 whose every identity holds."""
    values = {row: [0] * 7 for row in TABLE3_ROWS if row != "other_processing"}
    values.update({"new_received": [18, 0, 0, 0, 0, 2, 20], "carried_over": [1, 0, 0, 0, 0, 0, 1],
                   "granted": [9, 0, 0, 0, 0, 1, 10], "partially_granted": [8, 0, 0, 0, 0, 1, 9],
                   "unavailable_not_held": [2, 0, 0, 0, 0, 0, 2], "total_processed": [19, 0, 0, 0, 0, 2, 21]})
    return values


def test_one_digit_changes():
    assert sorted(one_digit_changes("8")) == [0, 1, 2, 3, 4, 5, 6, 7, 9]
    changes = one_digit_changes("13")
    assert {18, 10, 93, 23} <= set(changes) and len(changes) == 17
    assert 3 not in changes and 103 not in changes and 13 not in changes     # no leading zero, no insertion


def test_misread_low_confidence_cell_is_a_warning_with_the_reading_that_fits():
    values = _consistent()
    values["partially_granted"][6] = 8                      # printed 9, read 8 with low confidence
    t = _table3(values, {("partially_granted", "total"): 0.62})
    warnings = ocr_warnings([t])
    assert len(warnings) == 1, [w.message for w in warnings]
    w = warnings[0]
    assert w.code == "ocr_uncertain" and w.code in READING_CODES and w.row == "partially_granted"
    assert "第3页表三" in w.message and "部分公开" in w.message and "总计" in w.message
    assert "识别为 8" in w.message and "0.62" in w.message and "请核对原件" in w.message
    assert "若为 9" in w.message


def test_a_broken_identity_of_confident_cells_is_the_reports_own_and_not_flagged():
    values = _consistent()
    values["partially_granted"][6] = 8                      # the report itself prints a wrong total
    assert ocr_warnings([_table3(values)]) == []


def test_a_low_confidence_cell_that_every_identity_confirms_is_not_flagged():
    t = _table3(_consistent(), {("granted", "natural_person"): 0.55})
    assert ocr_warnings([t]) == []


def test_no_suggestion_when_two_readings_fit():
    values = _consistent()
    values["partially_granted"][0] = 3                      # printed 8; row and column sums both break
    values["granted"][0] = 4                                # and a second low cell: several one-digit fixes
    t = _table3(values, {("partially_granted", "natural_person"): 0.6, ("granted", "natural_person"): 0.6})
    warnings = ocr_warnings([t])
    assert {w.row for w in warnings} == {"partially_granted", "granted"}
    assert not any("若为" in w.message for w in warnings)


def test_low_confidence_cell_no_identity_covers_is_flagged():
    t = Table("table2")
    t.rows["administrative_license"] = {"value": Cell(550, "550", Source(page=2, bbox=(1, 2, 3, 4)), 0.7)}
    t.rows["administrative_penalty"] = {"value": Cell(4119, "4119", Source(page=2, bbox=(1, 2, 3, 4)), 0.98)}
    warnings = ocr_warnings([t])
    assert [w.row for w in warnings] == ["administrative_license"]
    assert "没有可用于核对的勾稽关系" in warnings[0].message


def test_text_layer_cells_are_never_judged():
    values = _consistent()
    values["granted"][6] = 99
    t = _table3(values)
    for _, _, cell in t.cells():
        cell.confidence = None
    assert ocr_warnings([t]) == []


def _table2(rows: dict, confidence: float | None, raw: dict | None = None) -> Table:
    t = Table("table2")
    for r, (row, (_, cols)) in enumerate(rows.items()):
        t.rows[row] = {c: Cell(7, "7", Source(page=2, bbox=(200.0 + 50 * k, 100.0 + 20 * r, 240.0 + 50 * k, 115.0 + 20 * r)),
                               confidence) for k, c in enumerate(cols)}
    for (row, col), text in (raw or {}).items():
        t.rows[row][col] = Cell(None, text, t.rows[row][col].source, confidence)
    return t


def test_safety_net_a_row_missing_from_a_scanned_table_is_a_reading_warning():
    rows = {k: v for k, v in TABLE2_ROWS.items() if k != "regulations"}
    warnings = unread_cells([_table2(rows, 0.99)], FORMAT_2021, [])
    assert [(w.code, w.table, w.row) for w in warnings] == [("missing_cell", "table2", "regulations")]
    w = warnings[0]
    assert w.code in READING_CODES and "第2页表二" in w.message and "“规章”" in w.message and "未能读取" in w.message and "请核对原件" in w.message
    # the same table read from a text layer: nothing (the validator judges what the report lacks)
    assert unread_cells([_table2(rows, None)], FORMAT_2021, []) == []
    # a row a reading warning already names is not named twice
    named = [Warning("ocr_uncertain", "…", "table2", "regulations")]
    assert unread_cells([_table2(rows, 0.99)], FORMAT_2021, named) == []


def test_safety_net_a_null_cell_without_a_printed_blank_mark_is_a_reading_warning():
    t = _table2(TABLE2_ROWS, 0.97, {("normative_documents", "repealed"): "", ("administrative_fees", "value"): "—"})
    warnings = unread_cells([t], FORMAT_2021, [])
    assert [(w.table, w.row) for w in warnings] == [("table2", "normative_documents")]
    assert "“本年废止件数”" in warnings[0].message and warnings[0].source.page == 2


def test_safety_net_follows_the_2019_format():
    rows = {k: v for k, v in TABLE2_2019_ROWS.items() if k != "government_procurement"}
    assert [w.row for w in unread_cells([_table2(rows, 0.99)], FORMAT_2019, [])] == ["government_procurement"]
    assert [w.row for w in unread_cells([_table2(TABLE2_2019_ROWS, 0.99)], FORMAT_2019, [])] == []


def test_safety_net_table3_with_one_other_processing_row():
    values = {row: [0] * 7 for row in TABLE3_ROWS if row not in ("other_overdue_correction", "other_overdue_fee", "other_other")}
    t = _table3(values)
    assert unread_cells([t], FORMAT_2021, []) == []
    del t.rows["granted"]
    assert [w.row for w in unread_cells([t], FORMAT_2021, [])] == ["granted"]


# ---------------------------------------------------------------------------------------------------------
# bad scans: no OCR engine needed for a blank page; a corrupt image is refused
def test_blank_scan_gets_the_chinese_message(tmp_path):
    rng = np.random.default_rng(1)
    blank = degrade(Image.new("L", (1240, 1754), 255), rng)
    path = save_pdf([blank, blank], tmp_path / "blank.pdf", 150)
    with pytest.raises(ExtractError) as e:
        extract(path)
    assert e.value.code == "blank_scan"
    assert "扫描" in e.value.message and "空白" in e.value.message and "请" in e.value.message


def test_corrupt_image_is_refused(tmp_path):
    path = tmp_path / "page.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    with pytest.raises(ExtractError) as e:
        extract(path)
    assert e.value.code == "corrupt_image" and "PNG" in e.value.message


# ---------------------------------------------------------------------------------------------------------
# scanned renditions of real reports
def _flat(record: dict) -> dict[str, object]:
    from test_extract import _cells
    return _cells(record)


def _where(path: str) -> tuple[str, str]:
    parts = path.split(".")
    return (parts[0], parts[2].split("[")[0]) if parts[0] == "table3" else (parts[0], parts[1])


def _flagged(report_json: dict) -> set[tuple[str, str]]:
    return {(w.get("table"), w.get("row")) for w in report_json["warnings"] if w["code"] in READING_CODES}


def _score(want: dict, got_json: dict) -> tuple[int, int, list[str]]:
    """(exact cells, cells, cells not exact and not flagged)."""
    got = _flat(got_json)
    flagged = _flagged(got_json)
    want = {k: v for k, v in _flat(want).items() if v is not None}
    wrong = [k for k, v in want.items() if got.get(k, "缺失") != v]
    silent = [f"{k}: {want[k]!r} read as {got.get(k, '缺失')!r}" for k in wrong if _where(k) not in flagged]
    return len(want) - len(wrong), len(want), silent


@pytest.fixture(scope="session")
def ocr_cache(tmp_path_factory):
    """One page cache for the whole session (so a scan read twice is read once), fresh for each run."""
    import os
    kept = os.environ.get("NIANBAO_TEST_OCR_CACHE")        # a developer may keep readings between runs
    folder = Path(kept) if kept else tmp_path_factory.mktemp("ocr-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("NIANBAO_OCR_CACHE", str(folder))
    yield folder
    mp.undo()


@pytest.fixture(scope="session")
def scans(shared, tmp_path_factory, ocr_cache):
    """name → (path, extracted JSON, seconds, expected record). 005 wholly scanned; 006 and 007 with their
    table pages scanned (the other pages keep their text layer: mixed PDFs); round-trip reports (when
    LibreOffice is there) rendered to PDF with their table pages scanned."""
    if pdftoppm() is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    from render import default_narrative, expected_json, perturbed, render_pdf, soffice
    out_dir = tmp_path_factory.mktemp("scans")
    out = {}
    if soffice():
        for name in ROUNDTRIP:
            seed = zlib.crc32(name.encode())
            report = perturbed(gold(name), seed)
            src = render_pdf(report, out_dir / f"{name}-roundtrip.pdf", default_narrative(report))
            path = mixed_pdf(src, out_dir / f"{name}-roundtrip-scanned.pdf", table_pages(src), dpi=150, seed=seed)
            start = time.perf_counter()
            out[f"roundtrip-{name}"] = (path, extract(path).to_json(), time.perf_counter() - start,
                                        expected_json(report))
    for k, name in enumerate(REPORTS):
        src = shared / "reports" / f"{name}.pdf"
        seed = zlib.crc32(name.encode())
        if k == 0:
            path = scanned_pdf(src, out_dir / f"{name}-scan.pdf", dpi=150, seed=seed)
        else:
            path = mixed_pdf(src, out_dir / f"{name}-tables-scanned.pdf", table_pages(src), dpi=150, seed=seed)
        start = time.perf_counter()
        out[name] = (path, extract(path).to_json(), time.perf_counter() - start, gold(name[:3]))
    return out


def _assert_read_or_flagged(scans: dict, names: list[str]) -> None:
    exact = total = 0
    silent: list[str] = []
    for name in names:
        _, got, _, want = scans[name]
        e, n, s = _score(want, got)
        exact, total = exact + e, total + n
        silent += [f"{name} {x}" for x in s]
    assert total > 150 * len(names)
    assert exact / total >= EXACT_SHARE, f"{exact}/{total} cells exact: " + "; ".join(
        f"{name} {_score(scans[name][3], scans[name][1])[0]}/{_score(scans[name][3], scans[name][1])[1]}"
        for name in names)
    assert not silent, "cells misread without a warning:\n" + "\n".join(silent)


@pytest.mark.slow
@needs_poppler
def test_scanned_reports_match_the_gold(scans):
    """The shared PDFs (005 wholly scanned, 006 and 007 with their table pages scanned)."""
    _assert_read_or_flagged(scans, list(REPORTS))


@pytest.mark.slow
@needs_poppler
def test_scanned_roundtrip_reports_match_what_was_rendered(scans):
    """LibreOffice renders tables with rows hardly taller than their text: strokes of characters line up across
    a row's rule (“规章”, “行政规范性文件”) and must not be taken for a rule that cuts the label in two."""
    names = [n for n in scans if n.startswith("roundtrip-")]
    if not names:
        pytest.skip("LibreOffice is not installed: no round-trip reports")
    _assert_read_or_flagged(scans, names)


@pytest.mark.slow
@needs_poppler
def test_wholly_scanned_report_reads_agency_year_and_sections(scans):
    got = scans[REPORTS[0]][1]
    g = gold(REPORTS[0][:3])
    assert (got["agency"], got["year"], got["format"]) == (g["agency"], g["year"], g["format"])
    assert got["kind"] == "pdf" and got["pages"] == 5
    keys = {s["key"] for s in got["sections"]}
    assert {"s1_overview", "s5_problems"} <= keys


@pytest.mark.slow
@needs_poppler
def test_ocr_cells_carry_confidence_and_a_box_on_their_page(scans, shared):
    _, got, _, _ = scans[REPORTS[1]]
    scanned = set(table_pages(shared / "reports" / f"{REPORTS[1]}.pdf"))
    cells = [c for c in got["cells"] if c["table"] == "table3" and c["value"] is not None]
    assert cells and all("confidence" in c and 0 < c["confidence"] <= 1 for c in cells)
    for c in cells:
        page, (x0, top, x1, bottom) = c["source"]["page"], c["source"]["bbox"]
        assert page in scanned and 0 <= x0 < x1 <= 596 and 0 <= top < bottom <= 843
    # text pages of the mixed PDF are read from their text layer: the sections are there, without confidence
    assert any(s["key"] == "s1_overview" and len(s["text"]) > 50 for s in got["sections"])


@pytest.mark.slow
@needs_poppler
def test_rereading_a_scan_hits_the_page_cache(scans, monkeypatch):
    from ingest.loaders import scan
    path, first, _, _ = scans[REPORTS[0]]

    def not_again(*args, **kwargs):
        raise AssertionError("a page already read was rendered and read again")
    monkeypatch.setattr(scan, "read_image", not_again)    # rendering a page leads here; the cache goes round it
    again = extract(path).to_json()
    assert again["cells"] == first["cells"] and again["warnings"] == first["warnings"]


@pytest.mark.slow
@needs_poppler
def test_png_upload_of_a_table_page(shared, tmp_path, ocr_cache):
    src = shared / "reports" / f"{REPORTS[2]}.pdf"
    page = table_pages(src)[0]
    image = degrade(page_images(src, 150, [page])[0], np.random.default_rng(7))
    path = tmp_path / "表二.png"
    image.save(path)
    from ingest.load import load_document
    doc = load_document(path)
    assert doc.kind == "image" and doc.pages == 1
    text = doc.text()
    assert "规章" in text and "行政许可" in text
    cells = [c for t in doc.tables() for row in t.rows for c in row if c.text]
    assert cells and all(c.confidence is not None and c.source.page == 1 and c.source.bbox for c in cells)
    want = gold(REPORTS[2][:3])["table2"]["administrative_license"]
    assert any(c.text.replace(",", "") == str(want) for c in cells)


@pytest.mark.slow
@needs_poppler
def test_a_number_the_two_readings_disagree_on_is_not_trusted(shared, tmp_path, monkeypatch):
    """The page is read whole, then each one-line cell alone. When the cell alone reads a number other than the
    page did (here a digit dropped, read as sure), the number is not sure whichever reading is kept: its
    confidence falls under LOW_CONFIDENCE, so the checksums corroborate it or flag it (表二: flagged)."""
    from ingest.checksums import LOW_CONFIDENCE
    from ingest.load import load_document
    from ingest.loaders import ocr, scan
    monkeypatch.setenv("NIANBAO_OCR_CACHE", str(tmp_path / "cache"))     # this reading is not the real one
    src = shared / "reports" / f"{REPORTS[2]}.pdf"
    path = tmp_path / "表二.png"
    degrade(page_images(src, 150, [table_pages(src)[0]])[0], np.random.default_rng(7)).save(path)
    real, changed = ocr.recognize, []

    def one_digit_dropped(crops, settings=None):
        out = real(crops, settings)
        for k, (text, _) in enumerate(out):
            if not changed and text.isdigit() and len(text) >= 3:
                changed.append((text, text[1:]))
                out[k] = (text[1:], 0.999)
        return out
    monkeypatch.setattr(ocr, "recognize", one_digit_dropped)
    cells = [c for t in load_document(path).tables() for row in t.rows for c in row if c.text]
    assert changed, "no three-digit number on the page"
    page_text, kept = changed[0]
    assert kept.isdigit() and len(kept) == len(page_text) - 1
    # the page reading (a higher confidence than 0.999 is unlikely) or the cell's: either way, not trusted
    disputed = [c for c in cells if c.text in (page_text, kept) and c.confidence <= scan.DISAGREED]
    assert disputed and scan.DISAGREED < LOW_CONFIDENCE
    numbers = [c for c in cells if c.text.isdigit()]
    agreed = [c for c in numbers if c.confidence > scan.DISAGREED]
    assert len(agreed) * 2 > len(numbers)                       # the numbers read alike keep their confidence


@pytest.mark.slow
@needs_poppler
def test_upside_down_scan_is_read_the_right_way_up(shared, tmp_path, ocr_cache):
    src = shared / "reports" / f"{REPORTS[2]}.pdf"
    page = table_pages(src)[0]
    image = degrade(page_images(src, 150, [page])[0], np.random.default_rng(3)).rotate(180)
    path = tmp_path / "turned.png"
    image.save(path)
    from ingest.load import load_document
    text = load_document(path).text()
    assert "规章" in text and "行政许可" in text and "447228" in text


@pytest.mark.slow
@needs_poppler
@pytest.mark.parametrize("degrees", [90, 270])
def test_table_page_scanned_sideways_is_read_the_right_way_up(shared, tmp_path, ocr_cache, degrees):
    """A table page fed into the scanner sideways (turned 90° or 270°): the 表二 cells the page holds (the
    table goes on over the page break) equal the gold, the rows on the next page are flagged as unread, and
    the page is laid out upright."""
    name = REPORTS[2]
    src = shared / "reports" / f"{name}.pdf"
    page = table_pages(src)[0]
    on_page = {(c["row"], c["column"]) for c in extract(src).to_json()["cells"]
               if c["table"] == "table2" and c["source"]["page"] == page}
    image = degrade(page_images(src, 150, [page])[0], np.random.default_rng(degrees)).rotate(degrees, expand=True)
    assert image.width > image.height
    path = tmp_path / f"turned-{degrees}.png"
    image.save(path)
    report = extract(path)
    got = report.to_json()
    want = {(row, col): v for row, cols in gold(name[:3])["table2"].items()
            for col, v in (cols.items() if isinstance(cols, dict) else [("value", cols)])}
    read = {(c["row"], c["column"]): c["value"] for c in got["cells"] if c["table"] == "table2"}
    assert len(on_page) >= 7 and {k: read.get(k) for k in on_page} == {k: want[k] for k in on_page}
    flagged = {w["row"] for w in got["warnings"] if w["code"] in READING_CODES and w.get("table") == "table2"}
    assert {row for row, _ in want} - {row for row, _ in on_page} <= flagged
    from ingest.load import load_document
    doc = load_document(path)
    assert all(c.source.bbox[3] <= 842 * 1.01 for t in doc.tables() for row in t.rows for c in row if c.text)
    # 核查's scan view shows the page the way it was read, so the cell boxes sit on their cells
    from assistant.views import scan_views
    assert report.page_turns == {1: degrees} and Report.from_json(got).page_turns == {1: degrees}
    (view, caption), = scan_views(report, path)
    assert view.height > view.width and "第1页" in caption
    k = min(view.size) / 595.0
    gray = np.asarray(view.convert("L"))
    for c in (c for c in got["cells"] if c["table"] == "table2" and c.get("value")):
        x0, y0, x1, y1 = (int(v * k) for v in c["source"]["bbox"])
        assert 0 <= x0 < x1 <= view.width and 0 <= y0 < y1 <= view.height
        assert (gray[y0 + 3:y1 - 2, x0 + 3:x1 - 2] < 100).any(), c      # the box holds the printed figure


@pytest.mark.slow
@needs_poppler
def test_scanned_table_pasted_into_a_text_layer_page_is_read(tmp_path, ocr_cache):
    """A Word report whose 表二 was pasted in as a scanned picture: the page has a text layer (the headings and
    paragraphs around it) and the table only as an image. The picture is OCR'd and its table read in place."""
    from render import expected_json, perturbed, soffice
    if not soffice():
        pytest.skip("LibreOffice is not installed")
    name = ROUNDTRIP[0]
    report = perturbed(gold(name), zlib.crc32(name.encode()))
    path = pasted_table_pdf(report, tmp_path / "pasted.pdf", seed=11)
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        pictured = [p for p in pdf.pages if p.images]
        assert len(pictured) == 1 and len(pictured[0].chars) > 100          # a text-layer page with a picture
        assert not any("行政许可" in "".join(c["text"] for c in p.chars) for p in pdf.pages)
    got = extract(path).to_json()
    want = expected_json(report)
    exact, total, silent = _score({"table2": want["table2"]}, got)
    assert total == 10 and exact == total and not silent, (exact, total, silent)
    assert all(c.get("confidence") is not None and c["source"]["page"] == pictured[0].page_number
               for c in got["cells"] if c["table"] == "table2")
    assert _score(want, got)[0] == _score(want, got)[1]                       # 表三 and 表四 from the text layer
    assert any(s["key"] == "s2_proactive" for s in got["sections"])


@pytest.mark.slow
@needs_poppler
def test_noise_only_scan_is_unreadable_with_the_chinese_message(tmp_path, ocr_cache):
    rng = np.random.default_rng(5)
    noise = Image.fromarray((rng.random((1754, 1240)) < 0.08).astype(np.uint8) * 255 ^ 255, "L")
    path = tmp_path / "noise.png"
    noise.save(path)
    with pytest.raises(ExtractError) as e:
        extract(path)
    assert e.value.code in ("unreadable_scan", "blank_scan")
    assert "识别" in e.value.message and "请" in e.value.message


def test_scan_view_draws_each_ocr_cell_and_marks_the_flagged_ones(tmp_path):
    """The 核查 provenance view: the page image with a box per OCR cell, red where a warning asks to check."""
    from assistant.views import FLAGGED_COLOUR, READ_COLOUR, scan_views
    from ingest.report import Report, Warning
    page = tmp_path / "page.png"
    Image.new("L", (1190, 1684), 255).save(page)            # an A4 page at 144 dpi: 2 px per point
    t = Table("table2")
    ok, bad = Source(page=1, bbox=(100.0, 100.0, 150.0, 120.0)), Source(page=1, bbox=(100.0, 200.0, 150.0, 220.0))
    t.rows["administrative_license"] = {"value": Cell(550, "550", ok, 0.99)}
    t.rows["administrative_penalty"] = {"value": Cell(419, "419", bad, 0.61)}
    report = Report(file="page.png", kind="image", table2=t,
                    warnings=[Warning("ocr_uncertain", "…识别为 419，置信度 0.61…", "table2", "administrative_penalty", bad)])
    views = scan_views(report, page)
    assert len(views) == 1
    image, caption = views[0]
    assert "第1页" in caption and "2 个单元格" in caption and "红框 1 个" in caption
    a = np.asarray(image)
    assert tuple(a[400, 250]) == FLAGGED_COLOUR            # the flagged cell's top edge (y = 200 pt × 2)
    assert tuple(a[200, 250]) == READ_COLOUR               # the other cell's top edge
    assert scan_views(Report(file="x.pdf", kind="pdf"), page) == []
