"""The season board (年报发布情况表) for one year: every roster unit, published or not, its dates, on time or late
by how many days, how many cells await the official, its errors and warnings; the reports the roster does not
know, for assignment. Every figure is a count or a date difference computed here.

Dates: the 落款 date is the one the report prints; the page date is the publication date of the page it was
harvested from (vectorstore.roster.harvest_pages). Timeliness is judged on the page date when known (when the
report actually went online), else on the 落款 date; a report with neither is “已发布，日期不详”.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Sequence

from assistant.cite import Citation
from assistant.review.totals import RegionTotals, region_totals
from assistant.sheetcells import xlsx_append
from ingest.report import Report
from assistant.season.roster import Match, Matcher, deadline_of
from vectorstore.roster import RosterUnit

ON_TIME, LATE, UNDATED, NOT_YET, MISSING = "on_time", "late", "undated", "not_yet", "missing"
STATUS_ZH = {ON_TIME: "按时发布", LATE: "逾期发布", UNDATED: "已发布（日期不详）", NOT_YET: "尚未发布（未到时限）",
             MISSING: "尚未发布（已过时限）"}
BOARD_HEADERS = ("分组", "单位", "层级", "发布时限", "是否发布", "落款日期", "网页发布日期", "发布情况", "逾期天数",
                 "待核对单元格", "错误", "警告", "年报文件", "来源网址", "名称匹配")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _date(text: str | None) -> date | None:
    m = _ISO.match(text or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def zh_date(d: date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


@dataclass
class BoardRow:
    unit: RosterUnit
    deadline: date
    deadline_reason: str
    report_id: str | None = None
    file: str | None = None
    agency: str | None = None          # as the report prints it
    signed: date | None = None         # 落款
    page_date: date | None = None      # the harvested page's publication date
    url: str | None = None
    pending: int = 0
    errors: int = 0
    warnings: int = 0
    match: Match | None = None
    status: str = MISSING
    days_late: int = 0

    @property
    def published(self) -> bool:
        return self.report_id is not None

    @property
    def status_zh(self) -> str:
        if self.status == LATE:
            return f"逾期{self.days_late}天发布"
        if self.status == MISSING and self.days_late:
            return f"尚未发布（已过时限{self.days_late}天）"
        return STATUS_ZH[self.status]

    def to_json(self) -> dict:
        return {"unit": self.unit.name, "level": self.unit.level, "group": self.unit.group,
                "deadline": self.deadline.isoformat(), "published": self.published,
                "signed": self.signed.isoformat() if self.signed else None,
                "page_date": self.page_date.isoformat() if self.page_date else None, "status": self.status,
                "status_zh": self.status_zh, "days_late": self.days_late, "pending": self.pending,
                "errors": self.errors, "warnings": self.warnings, "file": self.file, "report_id": self.report_id,
                "url": self.url, "match": self.match.note if self.match else ""}

    def cells(self) -> list:
        return [self.unit.group or "", self.unit.name, self.unit.level, zh_date(self.deadline),
                "是" if self.published else "否", zh_date(self.signed), zh_date(self.page_date), self.status_zh,
                self.days_late if self.status in (LATE, MISSING) and self.days_late else "",
                self.pending if self.published else "", self.errors if self.published else "",
                self.warnings if self.published else "", self.file or "", self.url or "",
                self.match.note if self.match else ""]


@dataclass
class Unassigned:
    """A report of the year the roster does not know."""
    report_id: str
    file: str
    agency: str | None
    note: str
    suggestions: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"report_id": self.report_id, "file": self.file, "agency": self.agency, "note": self.note,
                "suggestions": list(self.suggestions)}


@dataclass
class SeasonBoard:
    year: int
    today: date
    group: str | None
    rows: list[BoardRow] = field(default_factory=list)
    unassigned: list[Unassigned] = field(default_factory=list)

    def of(self, *statuses: str) -> list[BoardRow]:
        return [r for r in self.rows if r.status in statuses]

    @property
    def title(self) -> str:
        return f"{self.group + '' if self.group else ''}{self.year}年度年报发布情况表"

    def counts(self) -> dict[str, int]:
        return {s: len(self.of(s)) for s in STATUS_ZH}

    def summary(self) -> str:
        c = self.counts()
        published = c[ON_TIME] + c[LATE] + c[UNDATED]
        text = (f"{self.title}（截至{zh_date(self.today)}）：名册 {len(self.rows)} 个单位，已发布 {published} 个"
                f"（按时 {c[ON_TIME]}，逾期 {c[LATE]}，日期不详 {c[UNDATED]}），尚未发布 {c[NOT_YET] + c[MISSING]} 个"
                f"（其中已过时限 {c[MISSING]}）。")
        if self.unassigned:
            text += f"另有 {len(self.unassigned)} 份{self.year}年度年报不在名册中，待指定所属单位。"
        return text

    def to_json(self) -> dict:
        return {"year": self.year, "today": self.today.isoformat(), "group": self.group, "counts": self.counts(),
                "rows": [r.to_json() for r in self.rows], "unassigned": [u.to_json() for u in self.unassigned]}


def build_board(units: Sequence[RosterUnit], records: Sequence, year: int, *, assignments: dict[str, str] | None = None,
                provenance: dict | None = None, pending: dict[str, int] | None = None, today: date | None = None,
                group: str | None = None) -> SeasonBoard:
    """The board from the roster, the library's reports in use (ReportRecord), the hand assignments
    (sha256 → unit), the harvest provenance (sha256 → HarvestPage) and pending cells per report id."""
    today = today or date.today()
    provenance, pending = provenance or {}, pending or {}
    matcher = Matcher(units, assignments or {})
    board = SeasonBoard(year, today, group)
    by_unit: dict[str, list[tuple]] = {}
    for r in records:
        if r.year != year:
            continue
        m = matcher.match(r.agency, r.sha256)
        if m.unit is None:
            board.unassigned.append(Unassigned(r.id, r.file, r.agency, m.note, m.suggestions))
            continue
        by_unit.setdefault(m.unit, []).append((r, m))
    for unit in units:
        if group and unit.group != group:
            continue
        deadline, reason = deadline_of(unit, year)
        row = BoardRow(unit, deadline, reason)
        found = by_unit.get(unit.name)
        if found:
            # several reports of one unit-year under different names: the latest dated one counts
            r, m = max(found, key=lambda x: (x[0].published or "", x[0].stored_at))
            page = provenance.get(r.sha256)
            row.report_id, row.file, row.agency, row.match = r.id, r.file, r.agency, m
            row.signed, row.page_date = _date(r.published), _date(page.page_date) if page else None
            row.url = page.article_url or page.url if page else None
            row.pending, row.errors, row.warnings = pending.get(r.id, 0), r.n_errors, r.n_warnings
            when = row.page_date or row.signed
            if when is None:
                row.status = UNDATED
            elif when <= deadline:
                row.status = ON_TIME
            else:
                row.status, row.days_late = LATE, (when - deadline).days
        elif today > deadline:
            row.status, row.days_late = MISSING, (today - deadline).days
        else:
            row.status = NOT_YET
        board.rows.append(row)
    order = {MISSING: 0, LATE: 1, UNDATED: 2, NOT_YET: 3, ON_TIME: 4}
    board.rows.sort(key=lambda r: (order[r.status], -r.days_late, r.unit.group or "", r.unit.name))
    return board


def season_board(library, year: int, *, group: str | None = None, today: date | None = None) -> SeasonBoard:
    """The board of the library's roster and reports in use."""
    from assistant.corrections import pending_items
    from vectorstore.roster import RosterStore
    store = RosterStore(library.db)
    counts: dict[str, int] = {}
    for item in pending_items(library):
        if item.year == year:
            counts[item.report_id] = counts.get(item.report_id, 0) + 1
    return build_board(store.units(), library.reports(), year, assignments=store.assignments(),
                       provenance=store.provenance(), pending=counts, today=today, group=group)


def board_totals(board: SeasonBoard, report_of: Callable[[str], Report | None]) -> list[RegionTotals]:
    """Totals of a region: for every unit on the board whose report sums its subordinates' (汇总下级), its report
    beside the sum of the reports of the units whose 上级单位 it is (a subordinate without a report is named, and
    the sums it would enter are left uncompared). `report_of(report_id)` gives a stored report."""
    out = []
    for row in board.rows:
        if not row.unit.sums_subordinates or row.report_id is None:
            continue
        subs = [r for r in board.rows if r.unit.parent == row.unit.name]
        parent = report_of(row.report_id)
        if parent is None or not subs:
            continue
        out.append(region_totals(parent, {r.unit.name: report_of(r.report_id) if r.report_id else None
                                          for r in sorted(subs, key=lambda r: r.unit.name)}))
    return out


def render_board(board: SeasonBoard, status: str | None = None) -> str:
    lines = [board.summary()]
    rows = board.rows if status is None else [r for r in board.rows if r.status == status]
    for r in rows:
        bits = [r.status_zh, f"时限{zh_date(r.deadline)}"]
        if r.signed:
            bits.append(f"落款{zh_date(r.signed)}")
        if r.page_date:
            bits.append(f"网页发布{zh_date(r.page_date)}")
        if r.published:
            bits.append(f"待核对{r.pending}处，错误{r.errors}、警告{r.warnings}")
        if r.match is not None and r.match.note:
            bits.append(r.match.note)
        lines.append(f"- {r.unit.name}：" + "；".join(bits))
    if board.unassigned and status is None:
        lines.append("不在名册中的年报（请用 nianbao roster assign 报告 单位 指定）：")
        lines += [f"- {u.file}（{u.agency or '未识别单位'}）：{u.note}" for u in board.unassigned]
    return "\n".join(lines)


def board_xlsx(board: SeasonBoard) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    ws = wb.active
    ws.title = "发布情况"
    xlsx_append(ws, [board.title + f"（截至{zh_date(board.today)}）"])
    xlsx_append(ws, list(BOARD_HEADERS))
    for c in ws[2]:
        c.font = Font(bold=True)
    for r in board.rows:
        xlsx_append(ws, r.cells())
    ws.auto_filter.ref = f"A2:{chr(ord('A') + len(BOARD_HEADERS) - 1)}{len(board.rows) + 2}"
    ws.freeze_panes = "C3"
    for i, width in enumerate((12, 34, 8, 14, 8, 14, 14, 22, 8, 10, 6, 6, 30, 40, 40)):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    other = wb.create_sheet("不在名册中的年报")
    xlsx_append(other, ["报告编号", "文件", "年报中的单位名称", "说明"])
    for u in board.unassigned:
        xlsx_append(other, [u.report_id, u.file, u.agency or "", u.note])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- the chat's answer ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BoardCitation(Citation):
    """The season board as a source: 〔2025年度年报发布情况表（名册）·沭阳县财政局〕."""

    @property
    def report_label(self) -> str:
        return f"{self.year}年度年报发布情况表（名册）"

    @property
    def place(self) -> str:
        return self.section or ""


def board_answer(board: SeasonBoard, asked: str) -> tuple[str, list[Citation], list[dict]]:
    """(text, citations, facts) answering “哪些单位还没有发布” (asked = "unpublished") or “逾期发布的有哪些”
    (asked = "late") from the board; each unit is cited to its line of the board."""
    cites: list[Citation] = []
    facts: list[dict] = []

    def cite(row: BoardRow) -> str:
        c = BoardCitation(file=board.title, agency=None, year=board.year, section=row.unit.name,
                          text=f"{row.unit.name}：{row.status_zh}", report_id=row.report_id)
        cites.append(c)
        facts.append(row.to_json())
        return c.label()

    if not board.rows:
        return (f"名册为空，无法判断哪些单位尚未发布{board.year}年度年报：资料库只知道已入库的年报。"
                "请先导入名册（nianbao roster import 名册.xlsx，或在网页“年报库·名册”中导入）。"), [], []
    head = f"按{board.title}（截至{zh_date(board.today)}，名册 {len(board.rows)} 个单位）："
    lines: list[str] = []
    if asked == "unpublished":
        missing, not_yet = board.of(MISSING), board.of(NOT_YET)
        if not missing and not not_yet:
            lines.append(f"名册中的单位均已发布{board.year}年度年报。")
        if missing:
            lines.append(f"已过发布时限仍未发布的有 {len(missing)} 个单位：")
            lines += [f"{i}. {r.unit.name}（时限{zh_date(r.deadline)}，已过{r.days_late}天）{cite(r)}"
                      for i, r in enumerate(missing, 1)]
        if not_yet:
            lines.append(f"尚未发布、时限未到的有 {len(not_yet)} 个单位：")
            lines += [f"{i}. {r.unit.name}（时限{zh_date(r.deadline)}）{cite(r)}" for i, r in enumerate(not_yet, 1)]
    else:
        late = board.of(LATE)
        if late:
            lines.append(f"逾期发布的有 {len(late)} 个单位：")
            for i, r in enumerate(late, 1):
                when = f"网页发布于{zh_date(r.page_date)}" if r.page_date else f"落款{zh_date(r.signed)}"
                lines.append(f"{i}. {r.unit.name}：{when}，时限{zh_date(r.deadline)}（{r.deadline_reason}），"
                             f"逾期{r.days_late}天{cite(r)}")
        else:
            lines.append(f"已发布的{board.year}年度年报中没有逾期发布的。")
        missing = board.of(MISSING)
        if missing:
            lines.append(f"另有 {len(missing)} 个单位已过时限仍未发布：" + "、".join(
                f"{r.unit.name}{cite(r)}" for r in missing))
    undated = board.of(UNDATED)
    if undated:
        lines.append(f"{len(undated)} 个单位的年报没有落款日期、也没有网页发布日期，无法判断是否按时："
                     + "、".join(r.unit.name for r in undated) + "。")
    if board.unassigned:
        lines.append(f"另有 {len(board.unassigned)} 份{board.year}年度年报不在名册中（"
                     + "、".join(u.agency or u.file for u in board.unassigned) + "），未计入，请指定所属单位。")
    return head + "\n" + "\n".join(lines), cites, facts
