"""The fact store: every table cell of every stored report as a row, so code answers how many / compare /
rank / sum exactly, with the page (or line) and file each number came from.

`fact_rows(report, report_id, file)` turns a Report into rows (pure); `FactStore` reads them back:
`reports()`, `report(id)`, `value(report_id, table, row, col)`, `values(table, row, col, agencies, years)`,
`findings(id)`, `report_json(id)`, `report_object(id)`. Writing happens in `library.Library`, inside the
transaction that makes a report visible.

Answers read the same few reports again and again, so `cells(record)` and `shared_report(record)` keep the
last READ_CACHE_REPORTS reports' cells and parsed Report, keyed by (id, stored_at): a report stored again
(by this process or another) has a new stored_at and is read afresh. What they return is shared between
threads and must not be changed (`report_object` gives a private copy to code that edits it).
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ingest.report import Report
from vectorstore import db as dbmod
from vectorstore.corrections import correction_note

Number = int | float


@dataclass(frozen=True)
class Fact:
    """One table cell of one report."""
    value: Number | None
    page: int | None
    raw: str
    file: str
    agency: str | None
    year: int | None
    table: str
    row: str
    column: str
    report_id: str
    line: int | None = None
    corrected: str | None = None     # “人工校正：张三，2026-12-07，依据原件第3页” when an official corrected it

    def where(self) -> str:
        """A short Chinese citation: “seeds/000.txt 第3页” or “… 第120行”."""
        spot = f"第{self.page}页" if self.page is not None else (f"第{self.line}行" if self.line is not None else "")
        return f"{self.file} {spot}".strip()


@dataclass(frozen=True)
class ReportKey:
    id: str
    file: str
    agency: str | None
    year: int | None


@dataclass(frozen=True)
class ReportRecord:
    """What the library knows about one stored report (one line of `nianbao list`)."""
    id: str
    file: str
    path: str
    sha256: str
    agency: str | None
    year: int | None
    format: str | None
    published: str | None
    title: str | None
    kind: str | None
    pages: int | None
    n_errors: int
    n_warnings: int
    n_extract_warnings: int
    n_chunks: int
    n_pending: int          # chunks whose vector is not in Chroma yet (keyword search already finds them)
    stored_at: str
    edition_of: str | None = None   # set: another edition of this agency-year is the one answers use
    group: str | None = None  # 地区或分组 (e.g. 洪泽区), for the region review; editable in 年报库

    def to_json(self) -> dict:
        return {"id": self.id, "file": self.file, "agency": self.agency, "year": self.year, "format": self.format,
                "published": self.published, "kind": self.kind, "pages": self.pages, "errors": self.n_errors,
                "warnings": self.n_warnings, "extract_warnings": self.n_extract_warnings, "chunks": self.n_chunks,
                "pending_vectors": self.n_pending, "sha256": self.sha256, "path": self.path,
                "stored_at": self.stored_at, "edition_of": self.edition_of, "group": self.group}


def fact_rows(report: Report, report_id: str, file: str) -> list[tuple]:
    """(report_id, agency, year, table, row, column, value, raw, page, line, file, corrected) for every cell;
    `corrected` is the citation note of a cell an official corrected (None for a cell as read)."""
    rows = []
    for table in (report.table2, report.table3, report.table4):
        if table is None:
            continue
        for row, col, cell in table.cells():
            value = cell.value
            if isinstance(value, bool):
                value = int(value)
            src = cell.source
            rows.append((report_id, report.agency, report.year, table.name, row, col, value, cell.raw or "",
                         src.page if src else None, src.line if src else None, file,
                         correction_note(cell.correction)))
    return rows


def finding_counts(findings: Sequence[dict]) -> tuple[int, int]:
    """(errors, warnings) among check findings, by their `severity`."""
    sev = [str(f.get("severity", "")).lower() for f in findings]
    return sum(s == "error" for s in sev), sum(s == "warning" for s in sev)


REPORT_COLUMNS = ("r.id, r.file, r.path, r.sha256, r.agency, r.year, r.format, r.published, r.title, r.kind, r.pages, "
                  "r.n_errors, r.n_warnings, r.n_extract_warnings, r.n_chunks, "
                  "(SELECT COUNT(*) FROM chunks c WHERE c.report_id = r.id AND c.embedded = 0), r.stored_at, r.edition_of, "
                  "r.group_name")
IN_USE = "r.edition_of IS NULL"         # the edition answers, rankings and comparisons use


def record_in(db, report_id: str) -> ReportRecord | None:
    """The record of one report, read through an open connection (inside a transaction too)."""
    row = db.execute(f"SELECT {REPORT_COLUMNS} FROM reports r WHERE r.id = ?", (report_id,)).fetchone()
    return ReportRecord(*row) if row else None


FACT_COLUMNS = "value, page, raw, file, agency, year, table_name, row_key, col_key, report_id, line, corrected"
READ_CACHE_REPORTS = 128      # reports whose cells and parsed Report are kept in memory


class ReadCache:
    """A small thread-safe LRU of what has been read, by key; `get(key, read)` reads on a miss."""

    def __init__(self, size: int = READ_CACHE_REPORTS):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, read):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = read()                   # outside the lock: two threads may both read; the result is the same
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass(frozen=True)
class FactStore:
    """Read-only queries over the library's database (vectorstore.db: SQLite or PostgreSQL)."""
    path: "dbmod.Database | Path"
    _reads: ReadCache = field(default_factory=ReadCache, compare=False, repr=False)

    def reports(self, editions: bool = False) -> list[ReportRecord]:
        """The reports answers use (one edition per agency-year); with `editions`, every stored edition."""
        where = "" if editions else f" WHERE {IN_USE}"
        with dbmod.reading(self.path) as db:
            rows = db.execute(f"SELECT {REPORT_COLUMNS} FROM reports r{where} ORDER BY r.agency, r.year, r.file"
                              ).fetchall()
        return [ReportRecord(*r) for r in rows]

    def editions(self, agency: str, year: int) -> list[ReportRecord]:
        """Every stored edition of one agency-year, the one in use first."""
        with dbmod.reading(self.path) as db:
            rows = db.execute(f"SELECT {REPORT_COLUMNS} FROM reports r WHERE r.agency = ? AND r.year = ? "
                              "ORDER BY r.edition_of IS NOT NULL, r.stored_at DESC", (agency, int(year))).fetchall()
        return [ReportRecord(*r) for r in rows]

    def report(self, report_id: str) -> ReportRecord | None:
        with dbmod.reading(self.path) as db:
            return record_in(db, report_id)

    def agencies(self) -> list[str]:
        with dbmod.reading(self.path) as db:
            return [a for (a,) in db.execute("SELECT DISTINCT agency FROM reports WHERE agency IS NOT NULL "
                                              "AND edition_of IS NULL ORDER BY agency")]

    def groups(self) -> list[tuple[str, int]]:
        """Every group name with its number of reports (editions in use)."""
        with dbmod.reading(self.path) as db:
            return [(g, n) for g, n in db.execute("SELECT group_name, COUNT(*) FROM reports WHERE group_name IS NOT NULL "
                                                  "AND edition_of IS NULL GROUP BY group_name ORDER BY group_name")]

    def find_reports(self, agency: str | None = None, year: int | None = None,
                     group: str | None = None) -> list[ReportRecord]:
        sql, params = f"SELECT {REPORT_COLUMNS} FROM reports r WHERE {IN_USE}", []
        if group is not None:
            sql += " AND r.group_name = ?"
            params.append(group)
        if agency is not None:
            sql += " AND r.agency = ?"
            params.append(agency)
        if year is not None:
            sql += " AND r.year = ?"
            params.append(int(year))
        with dbmod.reading(self.path) as db:
            return [ReportRecord(*r) for r in db.execute(sql + " ORDER BY r.year, r.file", params)]

    def text_hits(self, word: str, context_chars: int = 24) -> dict[str, tuple[str, int | None, int | None]]:
        """The reports whose text holds `word` (case-insensitive for Latin letters): report id → (the words
        around its first occurrence, page, line). For 年报库's search box."""
        word = (word or "").strip()
        if not word:
            return {}
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with dbmod.reading(self.path) as db:
            rows = db.execute("SELECT report_id, text, page, line FROM chunks WHERE LOWER(text) LIKE LOWER(?) "
                              "ESCAPE '\\' ORDER BY report_id, seq", (pattern,)).fetchall()
        hits: dict[str, tuple[str, int | None, int | None]] = {}
        for rid, text, page, line in rows:
            if rid in hits:
                continue
            at = text.lower().find(word.lower())
            start = max(0, at - context_chars)
            snippet = ("…" if start else "") + " ".join(text[start:at + len(word) + context_chars].split()) + \
                ("…" if at + len(word) + context_chars < len(text) else "")
            hits[rid] = (snippet, page, line)
        return hits

    def report_keys(self) -> list[ReportKey]:
        """(id, file, agency, year) of every report: what search needs to read a query, cheaply."""
        with dbmod.reading(self.path) as db:
            return [ReportKey(*r) for r in db.execute("SELECT id, file, agency, year FROM reports "
                                                      "WHERE edition_of IS NULL ORDER BY file")]

    def value(self, report_id: str, table: str, row: str, col: str = "value") -> Fact | None:
        with dbmod.reading(self.path) as db:
            r = db.execute(f"SELECT {FACT_COLUMNS} FROM facts WHERE report_id = ? AND table_name = ? AND row_key = ? "
                           "AND col_key = ?", (report_id, table, row, col)).fetchone()
        return _fact(r) if r else None

    def values(self, table: str, row: str, col: str = "value", agencies: Sequence[str] | None = None,
               years: Sequence[int] | None = None) -> list[Fact]:
        """The cell (table, row, col) across reports, optionally only for some agencies and years;
        ordered by agency then year."""
        sql = f"SELECT {FACT_COLUMNS} FROM facts WHERE table_name = ? AND row_key = ? AND col_key = ?"
        params: list = [table, row, col]
        if agencies:
            sql += f" AND agency IN ({','.join('?' * len(agencies))})"
            params += list(agencies)
        if years:
            sql += f" AND year IN ({','.join('?' * len(years))})"
            params += [int(y) for y in years]
        with dbmod.reading(self.path) as db:
            rows = db.execute(sql + " ORDER BY agency, year, file", params).fetchall()
        return [_fact(r) for r in rows]

    def table_facts(self, report_id: str, table: str | None = None) -> list[Fact]:
        """Every cell of a report (or of one of its tables)."""
        sql = f"SELECT {FACT_COLUMNS} FROM facts WHERE report_id = ?"
        params: list = [report_id]
        if table:
            sql += " AND table_name = ?"
            params.append(table)
        with dbmod.reading(self.path) as db:
            return [_fact(r) for r in db.execute(sql + " ORDER BY table_name, rowid", params)]

    def table_values(self, table: str) -> dict[str, list[Number | None]]:
        """Every value of one table, by report id (to find reports whose table is all zero, say)."""
        out: dict[str, list[Number | None]] = {}
        with dbmod.reading(self.path) as db:
            for rid, value in db.execute("SELECT report_id, value FROM facts WHERE table_name = ?", (table,)):
                out.setdefault(rid, []).append(value)
        return out

    def findings(self, report_id: str) -> list[dict]:
        with dbmod.reading(self.path) as db:
            row = db.execute("SELECT findings_json FROM reports WHERE id = ?", (report_id,)).fetchone()
        return json.loads(row[0]) if row else []

    def report_json(self, report_id: str) -> dict | None:
        with dbmod.reading(self.path) as db:
            row = db.execute("SELECT report_json FROM reports WHERE id = ?", (report_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def report_object(self, report_id: str) -> Report | None:
        """The stored report as a Report again (sections, cells with provenance, warnings)."""
        d = self.report_json(report_id)
        return Report.from_json(d) if d is not None else None

    def cells(self, record: ReportRecord) -> tuple[Fact, ...]:
        """Every cell of a stored report, from the read cache (shared: do not change)."""
        return self._reads.get(("cells", record.id, record.stored_at), lambda: tuple(self.table_facts(record.id)))

    def forget_reads(self) -> None:
        """Empty the read cache (after this process stored a report)."""
        self._reads.clear()

    def shared_report(self, record: ReportRecord) -> Report | None:
        """The stored Report, from the read cache: shared between threads, so read it, never change it."""
        return self._reads.get(("report", record.id, record.stored_at), lambda: self.report_object(record.id))


def _fact(r: tuple) -> Fact:
    value = r[0]
    if isinstance(value, float) and value.is_integer() and "." not in (r[2] or ""):
        value = int(value)
    return Fact(value, r[1], r[2] or "", r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11])
