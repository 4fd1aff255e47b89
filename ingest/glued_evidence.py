"""Evidence outside the table for a glued 表二 row (“行政规范性文件5230”: 5/2/30, 52/3/0 or 5/23/0), which has no
arithmetic of its own. Each kind of evidence is used only where it singles out one reading, and the reading
says which evidence decided it; a row no evidence settles stays blank and flagged.

- the report's own text: a sentence about the row stating a figure with its column's word (“本年制发规范性文件5件”,
  “现行有效30件”, “废止2件”); every stated figure must hold in the reading;
- the unit's previous-year report: 现行有效 this year = 现行有效 last year + 本年制发 − 本年废止 (the chain the
  cross-year check T2-4 uses).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.glued import groups_of, parse_number, splits
from ingest.report import Cell, Report, Warning
from ingest.schema import FORMAT_2019, TABLE2_ROWS

GLUED_RUN = re.compile(r"原文数字连写为“([^”]+)”")          # how the reader's warnings quote a glued run
CHAIN_ROWS = ("regulations", "normative_documents")
ROW_WORDS = {"regulations": ("规章",), "normative_documents": ("规范性文件",)}
COLUMN_WORDS = {"issued": ("本年制发", "制发", "新制发", "印发", "出台", "制定"), "repealed": ("废止", "宣布失效", "失效"),
                "in_force": ("现行有效", "有效")}
STATED_GAP = 12          # characters between a column's word and its figure (“制发行政规范性文件5件”)


@dataclass(frozen=True)
class Settled:
    reading: tuple[str, ...]
    how: str                 # the evidence, in Chinese


def stated_columns(prose: str, row: str) -> dict[str, set[int]]:
    """Figures the text states for a 表二 row, by column: {"issued": {5}, "in_force": {30}}."""
    out: dict[str, set[int]] = {}
    words = ROW_WORDS.get(row, ())
    for sentence in re.split(r"[。；;！？\n]", prose or ""):
        if not any(w in sentence for w in words):
            continue
        for clause in re.split(r"[，,、]", sentence):
            for col, cws in COLUMN_WORDS.items():
                for w in sorted(cws, key=len, reverse=True):
                    m = re.search(re.escape(w) + r"[^\d，,。；]{0," + str(STATED_GAP) + r"}?(\d+)\s*件", clause)
                    if m and not (col == "in_force" and w == "有效" and "现行" not in clause and "继续" in clause):
                        out.setdefault(col, set()).add(int(m.group(1)))
                        break
    return out


def by_text(readings: list[tuple[str, ...]], cols: tuple[str, ...], stated: dict[str, set[int]]) -> Settled | None:
    """The one reading in which every figure the text states for a column is that column's number."""
    if not stated:
        return None
    fits = [r for r in readings
            if all(parse_number(r[cols.index(c)]) in vals for c, vals in stated.items() if c in cols)]
    if len(fits) != 1:
        return None
    return Settled(fits[0], f"与正文所述数字（{_columns_zh(stated)}）相符的拆分只有一种")


def by_previous(readings: list[tuple[str, ...]], cols: tuple[str, ...], prev_in_force, previous_label: str
                ) -> Settled | None:
    """The one reading with 现行有效 = 上年现行有效 + 本年制发 − 本年废止."""
    if prev_in_force is None or cols != ("issued", "repealed", "in_force"):
        return None
    fits = [r for r in readings
            if parse_number(r[2]) == prev_in_force + parse_number(r[0]) - parse_number(r[1])]
    if len(fits) != 1:
        return None
    return Settled(fits[0], f"按上年年报（{previous_label}）现行有效{prev_in_force}件 + 本年制发 − 本年废止 = 本年现行有效，"
                            f"只有一种拆分相符")


def _columns_zh(stated: dict[str, set[int]]) -> str:
    names = {"issued": "本年制发", "repealed": "本年废止", "in_force": "现行有效"}
    return "，".join(f"{names.get(c, c)}{'或'.join(str(v) for v in sorted(vs))}件" for c, vs in stated.items())


def settle_with_previous(report: Report, previous: Report | None) -> list[str]:
    """Glued 表二 rows the reader left flagged, settled with the unit's previous-year report when exactly one
    reading continues its 现行有效 chain: the cells are set, the flag becomes a note saying which evidence
    decided. Returns the notes (Chinese). The report is changed in place; nothing else is."""
    if previous is None or report.table2 is None or previous.table2 is None or report.format == FORMAT_2019 \
            or previous.format == FORMAT_2019:
        return []
    if report.year is not None and previous.year is not None and previous.year != report.year - 1:
        return []
    notes = []
    for w in list(report.warnings):
        if w.code != "glued_ambiguous" or w.table != "table2" or w.row not in CHAIN_ROWS:
            continue
        m = GLUED_RUN.search(w.message)
        if not m:
            continue
        cols = TABLE2_ROWS[w.row][1]
        readings = splits(groups_of(m.group(1)), len(cols)) or []
        stated = stated_columns(report.full_text(), w.row)
        narrowed = [r for r in readings if all(parse_number(r[cols.index(c)]) in v for c, v in stated.items())]
        settled = by_previous(narrowed or readings, cols, previous.table2.value(w.row, "in_force"), previous.label)
        if settled is None:
            continue
        if narrowed and len(narrowed) < len(readings):
            settled = Settled(settled.reading, f"正文所述数字（{_columns_zh(stated)}）留下{len(narrowed)}种拆分，"
                                               + settled.how)
        row = report.table2.rows.setdefault(w.row, {})
        for col, part in zip(cols, settled.reading):
            old = row.get(col)
            row[col] = Cell(parse_number(part), part, old.source if old is not None else w.source)
        note = (f"表二“{TABLE2_ROWS[w.row][0]}”原文数字连写为“{m.group(1)}”，{settled.how}，"
                f"读作“{' '.join(settled.reading)}”")
        report.warnings[report.warnings.index(w)] = Warning("glued_decoded", note, "table2", w.row, w.source)
        notes.append(note)
    return notes
