"""The reader on layout variants of each family that the shared reports do not show (tests/variants.py): web
pages with <th>/<thead>, inline styles, <br>, &nbsp;, layout tables, full-width digits, thousands separators,
表三 cut into two tables; crawler text typed with tabs, runs of spaces, numbers glued to their labels, one cell
per line, 表三 printed column by column; Markdown grids (empty span cells, ragged pipes, header rows broken over
lines); DOCX (landscape, split tables); PDFs printed by LibreOffice (header rows repeated over a page break,
landscape, columns so narrow that numbers wrap, onto the next page too).

Every report is a gold report of ../shared with new figures. The rule: every cell is read as printed or left
blank with a reading warning, never read wrong; the validator raises no error on these consistent reports.
"""
from __future__ import annotations

import zlib

import pytest

from conftest import gold
from render import as_2019, perturbed
from variants import BY_NAME, VARIANTS, build, measure, office_available

SOURCES = ["000_747", "005_hongze", "015_shuyang", "016_pingtan"]   # split （六）, single （六）, blank 法人 columns, 2019

# variants whose figures can be lost, with why (the rest must be read in full)
MAY_LOSE = {
    "txt-glued-label": "blank cells printed as nothing: a row of 2 numbers for 7 columns cannot be placed",
    "txt-cell-per-line": "same: blank cells leave no line",
    "txt-layout": "same: a blank cell is only spaces, its column is unknown",
    "txt-table3-columnwise": "表三 transposed: read only when every column line is complete",
    "md-repeated-spans": "2019 表二 spans not aligned with its header: which repeated number is which cell is unknown",
    **{name: "crawler text: blank cells print nothing, glued runs may have several balanced readings"
       for name in ("crawler-spaced", "crawler-glued", "crawler-spaced-thousands", "crawler-glued-thousands",
                    "crawler-spaced-fullwidth")},
}


def _report(src: str, variant: str) -> tuple[dict, int]:
    seed = zlib.crc32((variant + src).encode())
    g = gold(src)
    return (perturbed(g, seed) if g.get("format") != "2019" else as_2019(perturbed(g, seed), seed)), seed


def _check(name: str, src: str, tmp_path) -> None:
    v = BY_NAME[name]
    report, seed = _report(src, name)
    report, path = build(v, report, tmp_path / src, seed)
    m = measure(report, path)
    assert m.silent == 0, (m.silent, m.examples)
    assert m.false_errors == 0, m.examples
    if name not in MAY_LOSE:
        assert m.exact == m.cells, (m.cells - m.exact, m.examples)
    else:
        assert m.exact + m.flagged == m.cells


QUICK = [v.name for v in VARIANTS if not v.office]
OFFICE = [v.name for v in VARIANTS if v.office]


@pytest.mark.parametrize("src", SOURCES)
@pytest.mark.parametrize("name", QUICK)
def test_variant_is_read_right_or_flagged(name, src, tmp_path):
    _check(name, src, tmp_path)


# one LibreOffice print per variant (each takes seconds), the sources taken in turn: split （六）, 2019, blanks
OFFICE_CASES = [(name, ["007_huaian", "016_pingtan", "015_shuyang"][i % 3]) for i, name in enumerate(OFFICE)]
MAY_LOSE.update({name: "blank cells in a table without vertical rules: their column is unknown"
                 for name in ("pdf-horizontal-rules", "pdf-no-rules")})


@pytest.mark.slow
@pytest.mark.skipif(not office_available(), reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("name, src", OFFICE_CASES, ids=[f"{n}-{s}" for n, s in OFFICE_CASES])
def test_printed_variant_is_read_right_or_flagged(name, src, tmp_path):
    _check(name, src, tmp_path)


def test_glued_label_row_is_read(tmp_path):
    """“规章2 0 34”: the first number glued to its label is a cell, not part of the label."""
    report, seed = _report("000_747", "glued")
    report, path = build(BY_NAME["txt-glued-label"], report, tmp_path / "g", seed)
    assert "规章" + str(report["table2"]["regulations"]["issued"]) + " " in path.read_text(encoding="utf-8")
    m = measure(report, path)
    assert m.exact == m.cells


def test_prose_ending_in_a_number_after_a_date_word_is_not_a_row():
    from ingest.document import Paragraph, Source
    from ingest.tables import _paragraph_row
    for text in ("截至2024年12", "本报告统计期限至12月31"):
        row = _paragraph_row(Paragraph(text, Source(line=1)), 0, glue=True)
        assert not row.values, text


def test_markdown_span_cells_before_the_numbers_are_not_values(tmp_path):
    """PDF→Markdown fills the positions a label spans with empty cells; a blank first value cell stays in
    its column (the row is not shifted left)."""
    text = ("三、收到和处理政府信息公开申请情况\n"
            "| 一、本年新收政府信息公开申请数量 |  |  |  | 2 | 0 | 0 | 0 | 1 | 3 |\n")
    from ingest.loaders.text import parse_text
    from ingest.tables import rows_of, fit_values
    rows = [r for r in rows_of(parse_text(text)) if r.values]
    placed = fit_values(rows[0], 7, total_last=True, table="table3", key="new_received", warnings=[])
    assert [c.text if c else None for c in placed] == ["", "2", "0", "0", "0", "1", "3"]


def test_a_sign_starts_a_cell_of_a_glued_run():
    """2019 表二 changes (“+29”, “-18”): the sign belongs to the cell it starts, digits may still follow glued."""
    from ingest.glued import count_splits, splits
    assert splits(["1907", "+29", "1020"], 3) == [("1907", "+29", "1020")]
    assert count_splits(["12", "-3"], 3) == 1
    assert sorted(splits(["+35604"], 2)) == [("+3", "5604"), ("+35", "604"), ("+3560", "4")]
    assert splits(["+"], 1) == []


def test_one_line_2019_table2_keeps_its_signed_changes_apart(tmp_path):
    """Crawler text of a 2019 report: “行政许可 2119 +35 604其他对外管理服务事项 467 -18 1321”: the sign does not
    end the row (once read “4/6/7” from “467” alone)."""
    report, seed = _report("016_pingtan", "crawler-spaced")
    report, path = build(BY_NAME["crawler-spaced"], report, tmp_path / "c", seed)
    m = measure(report, path)
    assert m.silent == 0 and not [x for x in m.examples if x.startswith("table2")], m.examples


def test_a_cell_that_is_not_one_number_is_warned_not_blank(tmp_path):
    """“1-2” where a number should be (a typing slip, two cells run together): the cell is left blank with a
    reading warning quoting it, the row's other cells are read, and the row is not taken for a label."""
    report, seed = _report("000_747", "tabs")
    report, path = build(BY_NAME["txt-tabs"], report, tmp_path / "t", seed)
    regs = report["table2"]["regulations"]
    text = path.read_text(encoding="utf-8")
    line = f"规章\t{regs['issued']}\t{regs['repealed']}\t{regs['in_force']}"
    assert line in text
    path.write_text(text.replace(line, f"规章\t{regs['issued']}\t1-2\t{regs['in_force']}"), encoding="utf-8")
    from ingest.extract import extract
    r = extract(path)
    assert [r.table2.value("regulations", c) for c in ("issued", "repealed", "in_force")] == \
        [regs["issued"], None, regs["in_force"]]
    warning = next(w for w in r.reading_warnings() if w.table == "table2" and w.row == "regulations")
    assert "1-2" in warning.message and "请核对原件" in warning.message


def test_thousands_separators_in_glued_runs():
    """“464,774” is one number; digits glued in front of it are numbers of their own (“12,345” as two cells
    is 1 | 2,345); a comma that is no thousands separator leaves the group unread."""
    from ingest.glued import parse_number, splits
    assert splits(["464,774"], 1) == [("464,774",)]
    assert splits(["12,345"], 2) == [("1", "2,345")]
    assert splits(["97,846.68"], 1) == [("97,846.68",)] and parse_number("97,846.68") == 97846.68
    assert splits(["1,2345"], 1) == [] and splits(["0,123"], 1) == []


def test_label_cut_by_a_page_break_goes_back_to_its_row(tmp_path):
    """A row cut by a page break leaves its label's last words as a row of their own with blank cells on the
    next page (seen in LibreOffice prints of a split 表三): the words complete the label above; the next row
    keeps its own numbers (once the blank row took its place and its numbers were lost silently)."""
    report, seed = _report("000_747", "pipes")
    report, path = build(BY_NAME["md-pipes"], report, tmp_path / "m", seed)
    label = "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if label in line)
    lines[at] = lines[at].replace(label, label[:-6])
    lines.insert(at + 1, "|  |  | 信息公开申请 |" + "  |" * 7)
    path.write_text("\n".join(lines), encoding="utf-8")
    m = measure(report, path)
    assert m.exact == m.cells, m.examples


def test_a_row_with_numbers_that_fits_no_slot_is_warned():
    from ingest.document import Source
    from ingest.tables import Row, read_table3
    from ingest.report import READING_CODES
    from ingest.document import TextCell as C
    src = Source(line=1)

    def row(label, *vals):
        return Row([C(label, src)], [C(str(v), src) for v in vals], 0, True)
    rows = [row("一、本年新收政府信息公开申请数量", 1, 0, 0, 0, 0, 0, 1), row("二、上年结转政府信息公开申请数量", 0, 0, 0, 0, 0, 0, 0),
            row("（一）予以公开", 1, 0, 0, 0, 0, 0, 1), row("一、本年新收政府信息公开申请数", 2, 0, 0, 0, 0, 0, 2)]
    warnings = []
    read_table3(rows, warnings)
    assert any(w.code in READING_CODES and w.row == "new_received" and "无法确定" in w.message for w in warnings)
