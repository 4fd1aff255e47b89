"""Two editions of one report (the web page and its PDF, a PDF and an office scan, a corrected re-publication):
which one to use, and what one edition can give the other.

- `better(new, in_use)`: the edition we read better wins (fewer 未能读取 warnings: unread or unsure cells, rows
  and tables), so a poor scan never displaces the page it was printed from; read equally well, the newer one
  (a later 落款 date; without two dates, the one stored last).
- `fill_unread(report, other, other_file)`: a cell this edition could not read is taken from the other when it
  is read there (and not unsure there), with a note naming that edition; cells both editions read, surely, but
  differently are a reading warning naming both readings, never a silent choice.
"""
from __future__ import annotations

import copy

from ingest.report import Cell, Report, Table, Warning
from ingest.schema import column_label, row_label

EDITION_TABLES = ("table2", "table3", "table4")
FROM_EDITION = "from_edition"            # a cell taken from the other edition (a note, not a reading failure)
EDITIONS_DISAGREE = "editions_disagree"  # both editions read a cell surely, and differently (a reading warning)
TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}


def better(new: Report, in_use: Report) -> bool:
    """Whether a newly stored edition should replace the one in use (see the module's doc)."""
    unread_new, unread_old = len(new.reading_warnings()), len(in_use.reading_warnings())
    if unread_new != unread_old:
        return unread_new < unread_old
    return newer(new.published, in_use.published)


def newer(published: str | None, other_published: str | None) -> bool:
    """Whether an edition is newer than the other: a later 落款 date; without two different dates, the one
    stored last (the new one)."""
    if published and other_published and published != other_published:
        return published > other_published
    return True


def _sure(report: Report, table: str, row: str, cell: Cell | None) -> bool:
    """A cell read with a value and no reading warning on its row or table."""
    return (cell is not None and cell.value is not None
            and not any(w.table == table and w.row in (None, row) for w in report.reading_warnings()))


def fill_unread(report: Report, other: Report, other_file: str) -> tuple[Report, list[str]]:
    """`report` with the cells it could not read taken from `other` where `other` read them surely; the notes
    say which. Reading warnings whose row is then read whole are dropped; disagreements are added."""
    out = copy.deepcopy(report)
    notes: list[str] = []
    filled_rows: set[tuple[str, str]] = set()
    for name in EDITION_TABLES:
        theirs = other.table(name)
        if theirs is None:
            continue
        ours = out.table(name)
        if ours is None:
            if name not in out.unread_tables():
                continue                       # the report lacks the table: not ours to fill
            ours = Table(name)
            setattr(out, name, ours)
        for row, cols in theirs.rows.items():
            for col, cell in cols.items():
                if not _sure(other, name, row, cell):
                    continue
                mine = ours.rows.get(row, {}).get(col)
                where = f"{TABLE_NAMES[name]}“{row_label(name, row)}”“{column_label(name, row, col)}”"
                if mine is None or mine.value is None:
                    unread = mine is None and (name in out.unread_tables() or any(
                        w.table == name and w.row in (None, row) for w in out.reading_warnings()))
                    if mine is not None and not out.unread_cell(name, row, mine):
                        continue               # printed blank in this edition: kept as printed
                    if mine is None and not unread:
                        continue
                    ours.rows.setdefault(row, {})[col] = copy.deepcopy(cell)
                    filled_rows.add((name, row))
                    notes.append(f"{where}本版未能读取，取自另一版本“{other_file}”：{cell.raw or cell.value}")
                elif _sure(out, name, row, mine) and mine.value != cell.value:
                    out.warnings.append(Warning(EDITIONS_DISAGREE, f"{where}两个版本读数不同：本版为{mine.raw or mine.value}，"
                                                f"另一版本“{other_file}”为{cell.raw or cell.value}，请核对原件", name, row))
    for name, row in filled_rows:
        complete = all(c.value is not None or not out.unread_cell(name, row, c)
                       for c in out.table(name).rows[row].values())
        if complete and other.table(name) is not None and \
                set(other.table(name).rows[row]) <= set(out.table(name).rows[row]):
            out.warnings = [w for w in out.warnings
                            if not (w.table == name and w.row == row and w in out.reading_warnings())]
    for name in EDITION_TABLES:
        if name in out.unread_tables() and out.table(name) is not None and other.table(name) is not None \
                and set(other.table(name).rows) <= set(out.table(name).rows):
            out.warnings = [w for w in out.warnings if not (w.code == "table_unread" and w.table == name)]
    out.warnings.extend(Warning(FROM_EDITION, n) for n in notes)
    return out, notes
