"""Extraction of the 10 real reports against the hand-read gold values, and the readable summary."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import GOLD_FILES, REPO, SHARED, gold
from ingest.extract import extract


def _cells(record: dict) -> dict[str, object]:
    """Flatten table2/table3/table4 of a SCHEMA.md record into path → value."""
    out: dict[str, object] = {}

    def walk(o, path):
        if isinstance(o, dict):
            for k, v in o.items():
                walk(v, f"{path}.{k}")
        elif isinstance(o, list):
            for i, v in enumerate(o):
                walk(v, f"{path}[{i}]")
        else:
            out[path] = o
    for t in ("table2", "table3", "table4"):
        walk(record.get(t), t)
    return {k: v for k, v in out.items() if ".columns" not in k}


# What an office scan does not yet give exactly: marked here, exactly those cases and strictly, so CI stays honest.
OFFICE_SCAN = {
    "agency": "OCR reads 沭阳县 as 沐阳县; the library stores the gazetteer's 沭阳县 beside it (issue 23), the "
              "extraction keeps what the page shows",
}


def _office_scan_xfail(test: str, stems: set[str]) -> list:
    return [pytest.param(p, id=p.stem, marks=pytest.mark.xfail(strict=True, reason=f"{test}: {OFFICE_SCAN[test]}"))
            if p.stem in stems else pytest.param(p, id=p.stem) for p in GOLD_FILES]


@pytest.fixture(scope="module")
def extracted(shared):
    cache = {}

    def get(gold_record):
        f = gold_record["file"]
        if f not in cache:
            cache[f] = extract(shared / f).to_json()
        return cache[f]
    return get


@pytest.mark.parametrize("gold_file", GOLD_FILES, ids=[p.stem for p in GOLD_FILES])
def test_every_gold_cell_is_read(gold_file, extracted):
    g = json.loads(gold_file.read_text(encoding="utf-8"))
    got = _cells(extracted(g))
    want = {k: v for k, v in _cells(g).items() if v is not None}
    assert want, "gold has values"
    wrong = {k: (v, got.get(k, "缺失")) for k, v in want.items() if got.get(k, "缺失") != v}
    assert not wrong, f"{len(wrong)} of {len(want)} cells differ: {dict(list(wrong.items())[:8])}"


@pytest.mark.parametrize("gold_file", _office_scan_xfail("agency", {"015_shuyang_fgj_2023.scan"}))
def test_agency_year_format(gold_file, extracted):
    g = json.loads(gold_file.read_text(encoding="utf-8"))
    r = extracted(g)
    agency = re.sub(r"（[^）]*[，,][^）]*）$", "", g["agency"])   # a reader's note such as “（管委会，汇总全区）”
    assert (r["agency"], r["year"], r["format"]) == (agency, g["year"], g["format"])
    if g.get("published"):
        assert r["published"] == g["published"]


def test_blank_cells_stay_blank_not_zero(shared):
    r = extract(shared / "seeds/003_99eecf839798fc6e.txt")
    assert [r.table4.value("review", c) for c in ("upheld", "corrected", "other", "pending", "total")] == [None] * 5
    assert r.table4.value("litigation_direct", "total") == 0
    assert any(w.code == "blank_cell" and w.table == "table4" for w in r.warnings)
    html = extract(shared / "reports/015_shuyang_fgj_2023.html")
    assert html.table3.value("new_received", "commercial") is None
    assert html.table3.value("new_received", "total") == 26


def test_extra_cell_is_warned_and_not_shifted(shared):
    r = extract(shared / "seeds/000_747ce1910eae7ff3.txt")
    assert [r.table3.value("total_processed", c) for c in ("natural_person", "other_org", "total")] == [12, 0, 12]
    warning = next(w for w in r.warnings if w.code == "extra_cell")
    assert warning.row == "total_processed" and "8" in warning.message
    assert warning.source.line == 92


def test_header_typo_is_read_and_warned(shared):
    r = extract(shared / "seeds/004_e6c0b5a2d517a344.txt")
    assert r.table2.value("normative_documents", "repealed") == 2
    assert any(w.code == "label_typo" and "本年度止件数" in w.message for w in r.warnings)


def test_detached_cells_are_null_with_warning(shared):
    r = extract(shared / "reports/002_shanghai_govoffice_2025.md")
    assert r.table2.value("regulations", "issued") == 22
    assert r.table2.value("regulations", "repealed") is None
    assert r.table2.value("regulations", "in_force") == 235
    assert any(w.code == "missing_cell" and w.row == "regulations" for w in r.warnings)
    assert any(w.code == "label_missing" and w.row == "not_processed_confirmation" for w in r.warnings)


def test_cells_carry_provenance(shared):
    r = extract(shared / "seeds/001_758a901345a790b1.txt")
    cell = r.table3.cell("new_received", "total")
    assert cell.value == 0 and cell.source.line == 96
    pdf = extract(shared / "reports/006_hongze_district_2024.pdf")
    c = pdf.table3.cell("new_received", "total")
    assert c.value == 95 and c.source.page == 3 and c.source.bbox is not None


def test_sections_and_paths(shared):
    r = extract(shared / "seeds/000_747ce1910eae7ff3.txt")
    keys = [s.key for s in r.top_sections()]
    assert keys == ["s1_overview", "s2_proactive", "s3_requests", "s4_review_litigation", "s5_problems", "s6_other"]
    sub = next(s for s in r.sections if s.path == "一、总体情况 / （二）依申请公开情况")
    assert "受理政府信息公开申请12件" in sub.text.replace(" ", "")
    assert "重视程度不够" in r.section("s5_problems").text
    assert r.section("signature").text.endswith("2023年1月31日")
    pdf = extract(shared / "reports/005_hongze_district_2023.pdf")
    s5 = pdf.section("s5_problems")
    assert s5 is not None and s5.page is not None and s5.page >= 4


def test_single_other_row_in_a_2021_report(shared):
    r = extract(shared / "reports/005_hongze_district_2023.pdf")
    assert "other_processing" in r.table3.rows and "other_other" not in r.table3.rows
    assert r.format == "2021"
    assert r.to_json()["table3"]["rows"]["other_processing"] == gold("005")["table3"]["rows"]["other_processing"]


def test_cli_json_and_summary(shared):
    f = shared / "seeds/002_914a51cc45050283.txt"
    out = subprocess.run([sys.executable, str(REPO / "cli.py"), "extract", str(f), "--json"],
                         capture_output=True, text=True, check=True)
    record = json.loads(out.stdout)
    assert record["table2"]["administrative_license"] == 855
    assert record["table3"]["columns"][0] == "natural_person"
    text = subprocess.run([sys.executable, str(REPO / "cli.py"), "extract", str(f)],
                          capture_output=True, text=True, check=True).stdout
    assert "常德经济技术开发区" in text and "行政许可" in text and "855" in text


def test_a_sentence_is_cited_with_its_own_page(shared):
    """一、总体情况 of 淮安市 2024 runs from page 1 to page 3: each sentence keeps the page it is printed on."""
    r = extract(shared / "reports/007_huaian_city_2024.pdf")
    s1 = r.section("s1_overview")
    assert s1.page == 1
    assert s1.where("根据省政务公开年度和季度监测指标") == (3, None)
    assert s1.where("2024年，我市坚持以习近平") == (1, None)
    seed = extract(shared / "seeds/000_747ce1910eae7ff3.txt")
    sub = next(s for s in seed.sections if s.key == "s1_overview.1")
    assert sub.where("加强政策精准解读推送")[1] == 21
    again = type(r).from_json(r.to_json())
    assert again.section("s1_overview").where("根据省政务公开年度和季度监测指标") == (3, None)


def _row(label: str, xs_values: list[tuple[float, str]]):
    from ingest.document import Source, TextCell
    from ingest.tables import Row
    cells = [TextCell(v, Source(page=1, bbox=(x - 5, 100, x + 5, 110))) for x, v in xs_values]
    return Row([TextCell(label)], cells, 0, True)


def test_blank_cells_of_an_aligned_print_are_placed_by_column():
    """A table printed without its blank cells: when the complete rows line up, each number of a short row
    is read in the column it stands under; when they do not (tab stops), the row is refused."""
    from ingest.tables import column_centres, fit_values
    cols = [100.0 + 40 * j for j in range(7)]
    full = [_row("一、本年新收", [(x, "1") for x in cols]), _row("二、上年结转", [(x + 2, "0") for x in cols])]
    short = _row("（一）予以公开", [(cols[0] + 1, "3"), (cols[6] - 1, "3")])
    centres = column_centres(full, 7)
    warnings = []
    placed = fit_values(short, 7, total_last=True, table="table3", key="granted", warnings=warnings, centres=centres)
    assert [c.text if c else None for c in placed] == ["3", None, None, None, None, None, "3"]
    assert warnings[0].code == "placed_by_position"
    shifted = [full[0], _row("二、上年结转", [(x + 36, "0") for x in cols])]    # rows that do not line up
    assert column_centres(shifted, 7) is None
    refused = fit_values(short, 7, total_last=True, table="table3", key="granted", warnings=[], centres=None)
    assert refused == [None] * 7


def test_hard_wrapped_text_is_joined_but_short_lines_are_not(shared):
    """上海's markdown keeps the PDF's line breaks (joined into sentences); seed 002 has short lines of its own
    (headings, 一是… items) that must stay apart."""
    sh = extract(shared / "reports/002_shanghai_govoffice_2025.md")
    assert sh.section("preamble").text.startswith("本年度报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）、")
    assert "市政府共受理政府信息公开申请 1295 件，办结 1191 件（含上年结转 189 件）" in sh.section("s1_overview.2").text
    seed = extract(shared / "seeds/002_914a51cc45050283.txt")
    assert seed.section("s5_problems").heading == "五、存在的主要问题及改进情况"
    assert [s.heading for s in seed.sections if s.key.startswith("s1_overview.")][:3] == [
        "（一）着眼机制，强化政府信息管理工作", "（二）有力支撑，加强政务公开监督和保障制度", "（三）突出重点，推进政府信息主动公开"]
