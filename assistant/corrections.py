"""核对与校正: what needs a person (the pending queue) and the official's corrections of it.

`pending_items(library, group)` lists every unread or unsure cell of the reports in use — from the reports'
reading warnings (ingest.report.READING_CODES) and the OCR cells read below the confidence threshold — with what
we saw, plus the corrections of an older file of the same agency-year waiting to be entered again.
`correct_cell(library, caller, ref, cell, value, note)` records a correction (vectorstore.corrections) after the
role check (editor and above), refuses one that breaks an identity the rest of the table satisfies unless
confirmed, writes the audit entry, and recomputes the report's facts and findings (and the next year's
cross-year checks). `import_corrections(library, caller, csv_path)` does the same for a CSV of many.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from assistant.access import Caller, Gate
from assistant.library_ops import check_findings, default_checker, recheck_successors
from ingest.checksums import LOW_CONFIDENCE, identities
from ingest.errors import UserError
from ingest.report import Report
from ingest.schema import column_label, row_label
from vectorstore import corrections as corrmod
from vectorstore.corrections import TABLE_ZH, Correction, CorrectionError, parse_cell_key, parse_value, shown
from vectorstore.library import Library, LibraryError

NO_GROUP = "未分组"
NO_AGENCY = "未识别单位"
CSV_COLUMNS = ("report", "table", "row", "column", "value", "note")
WHY_LOW_CONFIDENCE = "扫描件识别置信度低于 {threshold:.2f}（{confidence:.2f}），请核对原件"
GLUED_DIGITS = re.compile(r"连写为“([^”]+)”")       # the digits a glued_ambiguous warning quotes
WHY_RECONFIRM = "单位重新发布了另一份文件，原有的人工校正未自动套用，请对照新文件重新确认"


class CorrectionRefused(UserError):
    """A correction that breaks an identity the rest of the table satisfies, not confirmed. Chinese message."""


@dataclass(frozen=True)
class PendingItem:
    """One cell (or row, or table) that needs a person."""
    group: str
    agency: str
    year: int | None
    file: str
    report_id: str
    table: str
    row: str | None
    column: str | None
    page: int | None
    line: int | None
    seen: str          # what we read there (the OCR text, the glued digits …), "" when nothing
    why: str           # the reader's words (the candidate readings are in them), or why it waits
    code: str          # the warning code, `low_confidence` or `needs_reconfirm`

    @property
    def cell_key(self) -> str | None:
        if not self.row:
            return None
        return f"{self.table}.{self.row}.{self.column}" if self.column else f"{self.table}.{self.row}"

    @property
    def place(self) -> str:
        """表三“新收政府信息公开申请数量”“总计”."""
        out = TABLE_ZH.get(self.table, self.table)
        if self.row:
            out += f"“{row_label(self.table, self.row)}”"
        if self.row and self.column:
            out += f"“{column_label(self.table, self.row, self.column)}”"
        return out

    @property
    def where(self) -> str:
        return f"第{self.page}页" if self.page is not None else (f"第{self.line}行" if self.line is not None else "")

    def to_json(self) -> dict:
        return {"group": self.group, "agency": self.agency, "year": self.year, "file": self.file,
                "report_id": self.report_id, "cell": self.cell_key, "table": self.table, "row": self.row,
                "column": self.column, "place": self.place, "page": self.page, "line": self.line,
                "seen": self.seen, "why": self.why, "code": self.code}


def _report_items(record, report: Report) -> list[PendingItem]:
    base = dict(group=record.group or NO_GROUP, agency=record.agency or NO_AGENCY, year=record.year,
                file=record.file, report_id=record.id)
    out: list[PendingItem] = []
    seen_cells: set[tuple[str, str, str]] = set()
    for w in report.reading_warnings():
        about = corrmod.warning_cells(report, w) if w.table else []
        cells = [(r, c, cell) for r, c, cell in about if cell is None or not cell.correction]
        if about and not cells:
            continue                                   # every cell it is about is corrected already
        cells = [(r, c, cell) for r, c, cell in cells if (w.table, r, c) not in seen_cells]   # named once
        if not cells and about:
            continue
        if not cells:
            src = w.source
            out.append(PendingItem(**base, table=w.table or "", row=w.row, column=None,
                                   page=src.page if src else None, line=src.line if src else None,
                                   seen="", why=w.message, code=w.code))
            continue
        for row, col, cell in cells:
            src = (cell.source if cell is not None and cell.source is not None else None) or w.source
            seen_cells.add((w.table, row, col))
            out.append(PendingItem(**base, table=w.table, row=row, column=col,
                                   page=src.page if src else None, line=src.line if src else None,
                                   seen=_seen(w, cell), why=w.message, code=w.code))
    for t in (report.table2, report.table3, report.table4, report.fees):
        if t is None:
            continue
        for row, col, cell in t.cells():
            if cell.confidence is None or cell.confidence >= LOW_CONFIDENCE or cell.correction \
                    or (t.name, row, col) in seen_cells:
                continue
            src = cell.source
            out.append(PendingItem(**base, table=t.name, row=row, column=col, page=src.page if src else None,
                                   line=src.line if src else None, seen=cell.raw,
                                   why=WHY_LOW_CONFIDENCE.format(threshold=LOW_CONFIDENCE,
                                                                 confidence=cell.confidence),
                                   code="low_confidence"))
    return out


def _seen(w, cell) -> str:
    """What we read at a pending cell: its text (OCR), else the glued digits its warning quotes."""
    if cell is not None and cell.raw:
        return cell.raw
    m = GLUED_DIGITS.search(w.message or "")
    return m.group(1) if m else ""


def pending_items(library: Library, group: str | None = None) -> list[PendingItem]:
    """Every unread or unsure cell of the reports in use (optionally of one group), by group, unit and year,
    and the corrections of an older file waiting to be confirmed on the newer one."""
    out: list[PendingItem] = []
    for record in library.facts.find_reports(group=group):
        report = library.facts.shared_report(record)
        if report is None:
            continue
        out += _report_items(record, report)
        for c in library.corrections.to_reconfirm(record.agency, record.year, record.file):
            if c.report_sha256 == record.sha256:
                continue
            out.append(PendingItem(group=record.group or NO_GROUP, agency=record.agency or NO_AGENCY,
                                   year=record.year, file=record.file, report_id=record.id, table=c.table,
                                   row=c.row, column=c.column, page=None, line=None,
                                   seen=f"{c.file}：{shown(c.old_value)} → {shown(c.new_value)}（{c.citation()}）",
                                   why=WHY_RECONFIRM, code="needs_reconfirm"))
    return sorted(out, key=lambda i: (i.group, i.agency, i.year or 0, i.file))


def render_pending(items: Sequence[PendingItem]) -> str:
    """The queue as Chinese text, grouped by group and unit."""
    if not items:
        return "没有待核对的单元格：资料库中使用的年报均已读全，或已人工校正。"
    lines = [f"待核对 {len(items)} 处（未能读取或读取不确定，请对照原件用 nianbao correct 校正）："]
    last_group = last_unit = None
    for i in items:
        if i.group != last_group:
            lines.append(f"\n【{i.group}】")
            last_group, last_unit = i.group, None
        unit = (i.agency, i.year, i.file)
        if unit != last_unit:
            lines.append(f"  {i.agency} {i.year or ''}年（{i.file}，编号 {i.report_id}）")
            last_unit = unit
        key = f"  [{i.cell_key}]" if i.cell_key else ""
        where = f"，{i.where}" if i.where else ""
        seen = f"；读到：“{i.seen}”" if i.seen else ""
        lines.append(f"    - {i.place}{where}{key}{seen}；原因：{i.why}")
    return "\n".join(lines)


# -- correcting -------------------------------------------------------------------------------------------------
def broken_identities(report: Report, table: str, row: str, column: str, value) -> list[str]:
    """The identities (勾稽关系) through this cell that every other cell of lets be checked and that the new value
    breaks, in Chinese (“T3-3 表三：各类申请人之和与总计不符：…”)."""
    t = report.table(table)
    if t is None:
        return []
    values = {(r, c): cell.value for r, c, cell in t.cells()}
    values[(row, column)] = value
    out = []
    for identity in identities(t):
        if (row, column) not in identity.cells():
            continue
        got = identity.evaluate(lambda r, c: values.get((r, c)))
        if got is None or abs(got[0] - got[1]) < 1e-9:
            continue
        out.append(f"{identity.rule}（{_identity_words(identity)}：{shown(got[0])} ≠ {shown(got[1])}）")
    return out


def _identity_words(identity) -> str:
    """An identity in the official's words: ““一、本年新收政府信息公开申请数量”行各类申请人之和 = 总计”."""
    row, col = identity.whole[0]
    if identity.rule == "T3-3":
        return f"“{row_label('table3', row)}”行各类申请人之和 = 总计"
    if identity.rule == "T3-1":
        return f"“{column_label('table3', row, col)}”列：本年新收 + 上年结转 = 办理结果总计 + 结转下年度继续办理"
    if identity.rule == "T3-2":
        return f"“{column_label('table3', row, col)}”列：办理结果各项之和 = （七）总计"
    return f"表四“{row_label(identity.table, row)}”：结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计"


@dataclass(frozen=True)
class CorrectionOutcome:
    correction: Correction
    report_id: str
    errors: int
    warnings: int
    message: str       # Chinese, one line


def _require(library: Library, caller: Caller, target: str) -> None:
    Gate(library.accounts, library.audit, "password").require(caller, "correct", target)


def correct_cell(library: Library, caller: Caller, ref: str, cell: str, value, note: str, *,
                 confirm: bool = False, channel: str = "web", check="default") -> CorrectionOutcome:
    """Correct one cell of a stored report (what the web form and `nianbao correct` call). Raises AccessDenied
    for a viewer, CorrectionError / LibraryError for bad input, CorrectionRefused for a broken identity
    without `confirm`; nothing is stored then."""
    _require(library, caller, ref)
    table, row, column = parse_cell_key(cell)
    new = parse_value(value)
    note = " ".join((note or "").split())
    if not note:
        raise CorrectionError("请用 --note 写明校正依据（如“依据原件第3页”），便于日后核对。")
    record = library.resolve(ref)
    if record is None:
        raise LibraryError(f"资料库中没有找到“{ref}”。可用 nianbao list 查看已入库的报告及其编号。")
    report = library.facts.report_object(record.id)
    place = f"{TABLE_ZH[table]}“{row_label(table, row)}”“{column_label(table, row, column)}”"
    broken = broken_identities(report, table, row, column, new)
    if broken and not confirm:
        library.audit.record(caller.name, "correct", role=caller.role, target=record.file, ok=False,
                             detail=f"{place} 改为 {shown(new)} 未确认：不符合 {'；'.join(broken)}",
                             channel=channel, client=caller.client)
        raise CorrectionRefused(f"未校正：把{record.file} {place}改为 {shown(new)} 后，勾稽关系"
                                f"{'；'.join(broken)}不成立，而本表其余数字都已读到。请再核对原件；"
                                f"确认原件确实如此，请加 --confirm（网页上勾选“确认”）再提交。")
    old = report.table(table).cell(row, column) if report.table(table) is not None else None
    first = old.correction if old is not None and old.correction else None
    correction = Correction(record.sha256, table, row, column, record.file, record.agency, record.year,
                            first["old_value"] if first else (None if old is None else old.value),
                            first["old_raw"] if first else ("" if old is None else old.raw),
                            new, caller.name, corrmod.now(), note)
    corrmod.apply_corrections(report, [correction])
    check = default_checker() if check == "default" else check
    findings = check_findings(library, report, check)
    library.store_correction(correction, report, findings)
    recheck_successors(library, [record.id], check, all_later=True)      # next year's cross-year checks
    library.audit.record(caller.name, "correct", role=caller.role, target=record.file, channel=channel,
                         client=caller.client,
                         detail=f"{place}：{shown(correction.old_value)} → {shown(new)}（{note}）"
                                + ("；已确认不符合勾稽关系：" + "；".join(broken) if broken else ""))
    after = library.facts.report(record.id)
    message = (f"已校正：{record.file} {place} {shown(correction.old_value)} → {shown(new)}"
               f"（{correction.citation()}）。核查已重新计算：错误 {after.n_errors} 条，警告 {after.n_warnings} 条。")
    return CorrectionOutcome(correction, record.id, after.n_errors, after.n_warnings, message)


def import_corrections(library: Library, caller: Caller, path: str | Path, *, confirm: bool = False,
                       channel: str = "web", check="default") -> tuple[list[CorrectionOutcome], list[str]]:
    """Corrections from a CSV (columns report, table, row, column, value, note; UTF-8, with or without BOM):
    each row is corrected on its own; the rows that cannot be are listed (Chinese), the others stand."""
    _require(library, caller, str(path))
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise CorrectionError(f"无法读取校正文件 {path}：{getattr(e, 'strerror', None) or e}"
                              "（须为 UTF-8 编码的 CSV）。") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CorrectionError(f"校正文件缺少列：{'、'.join(missing)}（应有 {','.join(CSV_COLUMNS)}）。")
    done, failed = [], []
    for n, row in enumerate(reader, start=2):
        cell = ".".join(p for p in (row["table"].strip(), row["row"].strip(), row["column"].strip()) if p)
        try:
            done.append(correct_cell(library, caller, row["report"].strip(), cell, row["value"], row["note"],
                                     confirm=confirm, channel=channel, check=check))
        except (UserError, KeyError) as e:
            failed.append(f"第{n}行：{getattr(e, 'message', None) or '该行缺少内容'}")
    return done, failed
