"""A structured report → search chunks: sections split on sentence boundaries, tables one row per line.

Every chunk starts with the report's title (agency + year) and its section path, because the reports
share one template and only the agency's name tells two “主动公开” passages apart (STACK.md §3). Table
chunks repeat the table title, the row label and every column label on each row, so a row read alone
still says what its numbers are. Pure functions: no I/O.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ingest.report import Report, Section, Table
from ingest.schema import (SECTIONS, TABLE2_2019_ROWS, TABLE2_ROWS, TABLE3_ROWS, TABLE4_GROUPS, TABLE_TITLES,
                           column_label, row_label, FORMAT_2019)

TARGET_CHARS = 350          # body size we aim for
MAX_CHARS = 400             # never more than this many body characters in a text chunk
MIN_TAIL_CHARS = 60         # a last piece shorter than this joins the one before

TABLE_SECTION = {"table2": "s2_proactive", "table3": "s3_requests", "table4": "s4_review_litigation"}

TABLE2_2019_COLUMN_LABELS = {"new_made": "本年新制作数量", "new_published": "本年新公开数量",
                             "total_published": "对外公开总数量", "prev_items": "上一年项目数量",
                             "delta": "本年增/减", "decisions": "处理决定数量", "proc_items": "采购项目数量",
                             "proc_amount": "采购总金额"}
TABLE3_GROUPS = (("denied_", "不予公开"), ("unavailable_", "无法提供"), ("not_processed_", "不予处理"),
                 ("other_", "其他处理"))
SPECIAL_SECTIONS = {"preamble": "前言", "signature": "落款"}

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n+")
_CLAUSE_END = re.compile(r"(?<=[，、,：:])")
_ENUM = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))\s*")
_TABLE_LINE = re.compile(r"\t|^\s*\|")
_BLANK = re.compile(r"[ \t\u3000]+")
_LINE_ENDS = ("。", "！", "？", "；", "：", ":", "!", "?", ";")
_ITEM_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|第[一二三四五六七八九十]+)")


@dataclass(frozen=True)
class Chunk:
    """One searchable piece of a report, with everything a citation needs."""
    id: str                  # "<report_id>-<seq>"
    report_id: str
    seq: int
    kind: str                # "text" | "table"
    file: str
    agency: str
    year: int | None
    format: str | None
    section: str             # section key ("s1_overview.2", "preamble" …); table chunks: the section holding it
    section_path: str        # “一、总体情况 / （二）依申请公开”
    page: int | None
    line: int | None
    text: str                # starts with 《title》section_path

    @property
    def text_sha(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def top_section(self) -> str:
        return self.section.split(".", 1)[0]

    @property
    def dense_text(self) -> str | None:
        """What the vectors are computed from (`dense_text_of`), or None for a chunk searched by keyword only."""
        return dense_text_of(self.kind, self.text)


_TITLE_PREFIX = re.compile(r"^《[^》\n]*》")


def dense_text_of(kind: str, text: str) -> str | None:
    """The passage dense retrieval embeds. Table rows get no vector: their questions are answered from the stored
    facts and found by keyword (the labels and numbers are exact terms), and they are over half of what a report
    would embed. Text passages are embedded without the report's title: searches filter by unit and year, so the
    title adds nothing to a vector, and without it the form's fixed passages that many reports print alike are
    one text, embedded once across the library (the vector cache is keyed by content)."""
    if kind == "table":
        return None
    return _TITLE_PREFIX.sub("", text, count=1)


def report_title(report: Report) -> str:
    """The title every chunk starts with, built from the metadata so it always names agency and year."""
    agency = report.agency or "未知单位"
    year = f"{report.year}年" if report.year else ""
    return f"{agency}{year}政府信息公开工作年度报告"


def chunk_report(report: Report, report_id: str, file: str | None = None) -> list[Chunk]:
    """All chunks of a report, sections first (in document order), then table rows."""
    file = file if file is not None else report.file
    title = report_title(report)
    pieces: list[tuple[str, str, str, int | None, int | None, str]] = []  # kind, section, path, page, line, body
    for section in _sections_to_chunk(report):
        path = section.path or section.heading or SPECIAL_SECTIONS.get(section.key, section.key)
        for body in split_text(_body_of(section, report)):
            page, line = section.where(body.strip()[:12])      # the page this piece is printed on
            pieces.append(("text", section.key, path, page, line, body))
    for table in (report.table2, report.table3, report.table4):
        if table is None or not table.rows:
            continue
        section = report.section(TABLE_SECTION[table.name])
        path = section.path if section and section.path else SECTIONS[TABLE_SECTION[table.name]]
        for body, page, line in _table_bodies(table, report.format):
            pieces.append(("table", TABLE_SECTION[table.name], path, page, line, body))
    return [Chunk(id=f"{report_id}-{i:03d}", report_id=report_id, seq=i, kind=kind, file=file,
                  agency=report.agency or "", year=report.year, format=report.format, section=key,
                  section_path=path, page=page, line=line, text=f"《{title}》{path}\n{body}")
            for i, (kind, key, path, page, line, body) in enumerate(pieces)]


# -- sections ---------------------------------------------------------------------------------------
def _sections_to_chunk(report: Report) -> list[Section]:
    """Leaf sections: a top-level section with sub-sections is represented by its sub-sections, plus
    its own lead text (before the first sub-section) when it has any."""
    out = []
    for s in report.sections:
        subs = [t for t in report.sections if t.key.startswith(s.key + ".")] if "." not in s.key else []
        if not subs:
            out.append(s)
            continue
        lead = _lead_text(s, subs[0])
        if lead:
            out.append(Section(key=s.key, heading=s.heading, path=s.path, text=lead, page=s.page, line=s.line,
                               anchors=s.anchors))
    return out


def _lead_text(parent: Section, first_sub: Section) -> str:
    text = parent.text
    for probe in (first_sub.heading, first_sub.text[:20]):
        probe = (probe or "").strip()
        if probe and probe in text:
            return text[:text.index(probe)].strip()
    return ""


def _body_of(section: Section, report: Report) -> str:
    """The section's prose: its heading removed (the chunk header carries it). In the sections that hold
    a standard table the report has as structured rows, table residue is dropped (lines with tabs or
    pipes, and short lines that are not sentences): those rows become table chunks."""
    text = section.text.strip()
    heading = (section.heading or "").strip()
    if heading and text.startswith(heading):
        text = text[len(heading):].lstrip("：:。．. \n")
    top = section.key.split(".")[0]
    has_table = any(TABLE_SECTION[t] == top and report.table(t) is not None and report.table(t).rows
                    for t in TABLE_SECTION)
    lines = [_BLANK.sub(" ", ln).strip() for ln in text.split("\n")]
    if has_table:
        lines = [ln for ln in lines if not _TABLE_LINE.search(ln) and _is_prose(ln)]
    return "\n".join(_unwrap([ln for ln in lines if ln]))


def _unwrap(lines: list[str]) -> list[str]:
    """Join lines the layout broke mid-sentence (PDF and copied text wrap lines anywhere)."""
    out: list[str] = []
    for ln in lines:
        if out and not out[-1].endswith(_LINE_ENDS) and not _ITEM_START.match(ln):
            out[-1] += ln
        else:
            out.append(ln)
    return out


def _is_prose(text: str) -> bool:
    return "。" in text or len(text) >= 40


def split_text(text: str, target: int = TARGET_CHARS, limit: int = MAX_CHARS) -> list[str]:
    """Split prose into pieces of about `target` characters (never more than `limit`), on sentence
    boundaries where possible, then on clause boundaries, and only as a last resort mid-clause."""
    text = text.strip()
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    units: list[str] = []
    for sentence in (s for s in _SENTENCE_END.split(text) if s and s.strip()):
        sentence = sentence.strip()
        if len(sentence) <= limit:
            units.append(sentence)
            continue
        for clause in (c for c in _CLAUSE_END.split(sentence) if c):
            units.extend(clause[i:i + limit] for i in range(0, len(clause), limit))
    pieces: list[str] = []
    current = ""
    for unit in units:
        if not current:
            current = unit
            continue
        joined = f"{current}{_joiner(current, unit)}{unit}"
        if len(joined) <= target or (len(joined) <= limit and len(current) < target * 0.6):
            current = joined
        else:
            pieces.append(current)
            current = unit
    if current:
        if pieces and len(current) < MIN_TAIL_CHARS and len(pieces[-1]) + len(current) + 1 <= limit:
            pieces[-1] = f"{pieces[-1]}{_joiner(pieces[-1], current)}{current}"
        else:
            pieces.append(current)
    return pieces


def _joiner(left: str, right: str) -> str:
    return "" if left.endswith(("。", "！", "？", "；", "，", "、", "：")) else "\n"


# -- tables -----------------------------------------------------------------------------------------
def table_row_line(table: Table, row: str, fmt: str | None) -> str:
    """“表三 收到和处理政府信息公开申请情况｜本年新收政府信息公开申请数量｜自然人 95 … 总计 95”."""
    cells = table.rows[row]
    values = " ".join(f"{_column_label(table.name, row, col, fmt)} {_cell_text(cell)}" for col, cell in cells.items())
    return f"{TABLE_TITLES[table.name]}｜{_row_label(table.name, row, fmt)}｜{values}"


def _table_bodies(table: Table, fmt: str | None) -> list[tuple[str, int | None, int | None]]:
    """Table rows packed into chunk bodies of up to MAX_CHARS characters, each with the first row's page/line."""
    out: list[tuple[str, int | None, int | None]] = []
    lines: list[str] = []
    first_source = None
    for row in _ordered_rows(table, fmt):
        line = table_row_line(table, row, fmt)
        if lines and sum(len(x) + 1 for x in lines) + len(line) > MAX_CHARS:
            out.append(("\n".join(lines), *_page_line(first_source)))
            lines, first_source = [], None
        lines.append(line)
        first_source = first_source or next((c.source for c in table.rows[row].values() if c.source), None)
    if lines:
        out.append(("\n".join(lines), *_page_line(first_source)))
    return out


def _page_line(source) -> tuple[int | None, int | None]:
    return (source.page, source.line) if source is not None else (None, None)


def _ordered_rows(table: Table, fmt: str | None) -> list[str]:
    order = {"table2": list(TABLE2_2019_ROWS if fmt == FORMAT_2019 else TABLE2_ROWS),
             "table3": list(TABLE3_ROWS), "table4": list(TABLE4_GROUPS)}[table.name]
    known = [r for r in order if r in table.rows]
    return known + [r for r in table.rows if r not in order]


def _row_label(table: str, row: str, fmt: str | None) -> str:
    if table == "table2" and fmt == FORMAT_2019 and row in TABLE2_2019_ROWS:
        return TABLE2_2019_ROWS[row][0]
    label = _ENUM.sub("", row_label(table, row))
    if table == "table3":
        group = next((name for prefix, name in TABLE3_GROUPS if row.startswith(prefix) and row != "other_processing"),
                     None)
        if group:
            label = f"{group}：{label}"
        elif row in ("granted", "partially_granted", "other_processing", "total_processed"):
            label = f"办理结果：{label}"
    return label


def _column_label(table: str, row: str, col: str, fmt: str | None) -> str:
    if table == "table2" and fmt == FORMAT_2019:
        return TABLE2_2019_COLUMN_LABELS.get(col, col)
    return column_label(table, row, col)


def _cell_text(cell) -> str:
    if cell.value is None:
        raw = (cell.raw or "").strip()
        return raw if raw else "空"
    if isinstance(cell.value, float) and cell.value.is_integer() and "." not in (cell.raw or ""):
        return str(int(cell.value))
    return str(cell.value)
