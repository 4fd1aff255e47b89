"""The roster (名册): reading and writing it as XLSX/CSV, each unit's deadline, and which unit a report is.

File format (first sheet of an XLSX, or a UTF-8 CSV), one unit a row, headers in the first row:
  单位名称 (required) · 其他名称 (short/former names, the 政府 vs 管委会 form; separated by ；、; or |) ·
  层级 (部门 / 政府 / 乡镇街道, required) · 上级单位 · 分组 · 发布时限 (e.g. 2月28日 or 02-28; blank = from the
  level) · 年报栏目网址 (the unit's report list page, http(s)) · 汇总下级 (是/否, blank = 否: the unit's report sums its
  subordinates', a whole-county report, and is compared with the sum of theirs: assistant.review.totals).
A file with any bad row is refused whole, with every bad row named (nothing is half-imported).

Matching (`match_report`): a report's agency name equal to a unit's name or one of its other names, or one of
the standard short forms of the name (assistant.aliases: 洪泽区人民政府 for 淮安市洪泽区人民政府), is that unit;
a name one character off in a place (沐阳县 read for 沭阳县 in a scan) is that unit too, with the match shown;
anything else is not on the roster and is listed for assignment (`nianbao roster assign`), never attached to a
similar name. An official's assignment (by the report's content) wins over everything.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Sequence

from assistant.aliases import alias_ranks, near_agency, nearest_agencies, normalize_name
from assistant.sheetcells import csv_row, xlsx_append
from assistant.units import DEFAULT_POLICY
from ingest.errors import UserError
from vectorstore.roster import LEVELS, RosterUnit

HEADERS = ("单位名称", "其他名称", "层级", "上级单位", "分组", "发布时限", "年报栏目网址", "汇总下级")
YES_WORDS = {"是": True, "否": False, "": False, "汇总": True, "Y": True, "N": False, "y": True, "n": False,
             "1": True, "0": False}
_HEADER_ALIASES = {"名称": "单位名称", "单位": "单位名称", "别名": "其他名称", "简称": "其他名称", "级别": "层级",
                   "上级": "上级单位", "地区": "分组", "地区或分组": "分组", "时限": "发布时限", "截止日期": "发布时限",
                   "网址": "年报栏目网址", "栏目网址": "年报栏目网址", "年报栏目": "年报栏目网址"}
ALIAS_SEPARATORS = re.compile(r"[；;、|｜\n]+")
_LEVEL_WORDS = {"部门": "部门", "政府": "政府", "人民政府": "政府", "乡镇街道": "乡镇街道", "乡镇": "乡镇街道",
                "街道": "乡镇街道", "乡镇（街道）": "乡镇街道"}
_MONTH_DAY = re.compile(r"^\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?\s*$")
MAX_ROSTER_ROWS = 5000          # a supervising office oversees dozens to hundreds of units
# 条例第四十九条: 部门 by 1月31日, 县级以上地方人民政府 by 3月31日; 乡镇（街道） are set by the province, usually
# as departments (the validator's DeadlinePolicy holds the two dates).
LEVEL_DEADLINES = {"部门": DEFAULT_POLICY.other, "政府": DEFAULT_POLICY.government, "乡镇街道": DEFAULT_POLICY.other}
LEVEL_REASONS = {"部门": "政府部门，条例第四十九条", "政府": "县级以上地方人民政府，条例第四十九条",
                 "乡镇街道": "乡镇（街道），按省级规定，默认同部门"}


class RosterError(UserError):
    """A roster file or a roster command that cannot be used. Chinese message naming the bad rows."""


def deadline_of(unit: RosterUnit, year: int) -> tuple[date, str]:
    """The last on-time day for the unit's report of `year`, and why (Chinese)."""
    if unit.deadline:
        m, d = (int(x) for x in unit.deadline.split("-"))
        return date(year + 1, m, d), "名册中为该单位设定的时限"
    m, d = LEVEL_DEADLINES[unit.level]
    return date(year + 1, m, d), LEVEL_REASONS[unit.level]


def deadline_text(unit: RosterUnit) -> str:
    if unit.deadline:
        m, d = (int(x) for x in unit.deadline.split("-"))
        return f"{m}月{d}日"
    m, d = LEVEL_DEADLINES[unit.level]
    return f"{m}月{d}日（按层级）"


# -- reading a roster file -------------------------------------------------------------------------------------
def _rows_of(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as e:          # noqa: BLE001 - any openpyxl failure is a bad file
            raise RosterError(f"无法读取名册文件 {path.name}：不是有效的 Excel（xlsx）文件（{type(e).__name__}）。") from e
        ws = wb.worksheets[0]
        rows = [["" if v is None else str(v).strip() for v in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
        return rows
    if suffix in (".csv", ".txt"):
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise RosterError(f"无法读取名册文件 {path.name}：编码既不是 UTF-8 也不是 GBK。")
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    raise RosterError(f"名册文件须为 .xlsx 或 .csv：{path.name}")


def _deadline_cell(text: str) -> str | None:
    m = _MONTH_DAY.match(text)
    if not m:
        raise ValueError
    month, day = int(m.group(1)), int(m.group(2))
    date(2001, month, day)                         # raises for 2月30日
    return f"{month:02d}-{day:02d}"


def read_roster(path: str | Path) -> list[RosterUnit]:
    """The units of a roster file, or RosterError naming every bad row (Excel row numbers)."""
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"找不到名册文件：{path}")
    rows = _rows_of(path)
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise RosterError(f"名册文件 {path.name} 是空的。")
    header = [_HEADER_ALIASES.get(h.strip(), h.strip()) for h in rows[0]]
    missing = [h for h in ("单位名称", "层级") if h not in header]
    if missing:
        raise RosterError(f"名册文件 {path.name} 第1行缺少列：{'、'.join(missing)}。"
                          f"表头应为：{'、'.join(HEADERS)}（其他名称、上级单位、分组、发布时限、年报栏目网址、汇总下级可空）。")
    if len(rows) - 1 > MAX_ROSTER_ROWS:
        raise RosterError(f"名册文件 {path.name} 有 {len(rows) - 1} 行，超过上限 {MAX_ROSTER_ROWS} 行。")
    col = {h: i for i, h in enumerate(header) if h in HEADERS}
    problems: list[str] = []
    parsed: list[RosterUnit] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        cell = lambda h: (row[col[h]] if h in col and col[h] < len(row) else "").strip()   # noqa: E731
        if not any(c.strip() for c in row):
            continue
        name = normalize_name(cell("单位名称"))
        bad: list[str] = []
        if not name:
            bad.append("单位名称为空")
        level = _LEVEL_WORDS.get(cell("层级").replace(" ", ""))
        if level is None:
            bad.append(f"层级“{cell('层级')}”不是 {'、'.join(LEVELS)} 之一" if cell("层级") else "层级为空")
        deadline = None
        if cell("发布时限"):
            try:
                deadline = _deadline_cell(cell("发布时限"))
            except ValueError:
                bad.append(f"发布时限“{cell('发布时限')}”不是日期（应写作“2月28日”或“02-28”）")
        url = cell("年报栏目网址") or None
        if url and not re.match(r"^https?://[^\s/]+", url):
            bad.append(f"年报栏目网址“{url}”不是 http(s) 网址")
        sums = YES_WORDS.get(cell("汇总下级"))
        if sums is None:
            bad.append(f"汇总下级“{cell('汇总下级')}”应为“是”或“否”")
        if name and name in seen:
            bad.append(f"单位名称“{name}”与第{seen[name]}行重复")
        if bad:
            problems.append(f"第{n}行" + (f"（{name}）" if name else "") + "：" + "；".join(bad))
            continue
        seen[name] = n
        aliases = tuple(dict.fromkeys(normalize_name(a) for a in ALIAS_SEPARATORS.split(cell("其他名称"))
                                      if a.strip() and normalize_name(a) != name))
        parsed.append(RosterUnit(name=name, level=level, aliases=aliases, parent=normalize_name(cell("上级单位")) or None,
                                group=cell("分组") or None, deadline=deadline, list_url=url,
                                sums_subordinates=bool(sums)))
    problems += _clashes(parsed, {u.name: seen[u.name] for u in parsed})
    if problems:
        shown = problems[:20] + ([f"……另有 {len(problems) - 20} 处"] if len(problems) > 20 else [])
        raise RosterError(f"名册文件 {path.name} 有 {len(problems)} 处问题，未导入（名册保持不变）：\n" + "\n".join(shown))
    if not parsed:
        raise RosterError(f"名册文件 {path.name} 没有单位（第2行起每行一个单位）。")
    return parsed


def _clashes(units: Sequence[RosterUnit], row_of: dict[str, int]) -> list[str]:
    """Another name that names two units would attach a report to either: refused."""
    owner: dict[str, str] = {u.name: u.name for u in units}
    out = []
    for u in units:
        for a in u.aliases:
            other = owner.get(a)
            if other is not None and other != u.name:
                out.append(f"第{row_of[u.name]}行（{u.name}）：其他名称“{a}”已是第{row_of[other]}行“{other}”的名称")
            else:
                owner[a] = u.name
    return out


# -- writing -----------------------------------------------------------------------------------------------------
def unit_row(u: RosterUnit) -> list[str]:
    dl = ""
    if u.deadline:
        m, d = (int(x) for x in u.deadline.split("-"))
        dl = f"{m}月{d}日"
    return [u.name, "；".join(u.aliases), u.level, u.parent or "", u.group or "", dl, u.list_url or "",
            "是" if u.sums_subordinates else ""]


def roster_csv(units: Sequence[RosterUnit]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADERS)
    for u in units:
        w.writerow(csv_row(unit_row(u)))
    return out.getvalue().encode("utf-8-sig")


def roster_xlsx(units: Sequence[RosterUnit]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    ws = wb.active
    ws.title = "名册"
    xlsx_append(ws, list(HEADERS))
    for c in ws[1]:
        c.font = Font(bold=True)
    for u in units:
        xlsx_append(ws, unit_row(u))
    for letter, width in zip("ABCDEFG", (34, 30, 10, 28, 14, 12, 50)):
        ws.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_roster(units: Sequence[RosterUnit], path: str | Path) -> Path:
    path = Path(path)
    data = roster_xlsx(units) if path.suffix.lower() == ".xlsx" else roster_csv(units)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)                # never a half-written roster file
    return path


def render_roster(units: Sequence[RosterUnit]) -> str:
    if not units:
        return "名册为空。请用 nianbao roster import 名册.xlsx 导入（格式见 README“名册”）。"
    lines = [f"名册共 {len(units)} 个单位："]
    for u in units:
        extra = [f"层级：{u.level}", f"时限：{deadline_text(u)}"]
        if u.group:
            extra.insert(0, f"分组：{u.group}")
        if u.aliases:
            extra.append("其他名称：" + "、".join(u.aliases))
        if u.list_url:
            extra.append(f"栏目：{u.list_url}")
        lines.append(f"- {u.name}（{'；'.join(extra)}）")
    return "\n".join(lines)


# -- matching reports to units -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    unit: str | None                # the roster unit, None = not on the roster
    how: str                        # exact | alias | short | near | assigned | unknown
    note: str = ""                  # Chinese, shown with the match (near, assigned, unknown)
    suggestions: tuple[str, ...] = ()


@dataclass
class Matcher:
    units: Sequence[RosterUnit]
    assignments: dict[str, str] = field(default_factory=dict)     # report sha256 → unit

    def __post_init__(self):
        self.by_name = {u.name: u for u in self.units}
        self.names: dict[str, str] = {}
        for u in self.units:
            self.names.setdefault(u.name, u.name)
            for a in u.aliases:
                self.names.setdefault(a, u.name)

    def match(self, agency: str | None, sha256: str | None = None) -> Match:
        if sha256 and sha256 in self.assignments and self.assignments[sha256] in self.by_name:
            unit = self.assignments[sha256]
            return Match(unit, "assigned", f"由工作人员指定为{unit}")
        if not agency:
            return Match(None, "unknown", "年报中未识别出单位名称，请指定所属单位")
        name = normalize_name(agency)
        if name in self.names:
            unit = self.names[name]
            return Match(unit, "exact" if unit == name else "alias",
                         "" if unit == name else f"“{name}”是名册中{unit}的其他名称")
        short = [u.name for u in self.units if name in alias_ranks(u.name)]
        if len(short) == 1:
            return Match(short[0], "short", f"“{name}”是{short[0]}的简称")
        keys = list(self.names)
        near = {}                  # unit → the name of it one character off (a unit's own names may overlap)
        for u in self.units:
            hit = next((h for h in (near_agency(name, [k]) for k in (u.name, *u.aliases)) if h is not None), None)
            if hit is not None:
                near[u.name] = hit
        if len(near) == 1:
            unit, hit = next(iter(near.items()))
            return Match(unit, "near", f"年报中的单位名称“{name}”与名册中的“{hit.agency}”只差一个字"
                                       f"（“{hit.asked_place}”/“{hit.held_place}”，扫描或识别误读），按{unit}计")
        cands = tuple(dict.fromkeys(self.names[k] for k in nearest_agencies(name, keys)))
        note = f"名册中没有“{name}”，请指定所属单位（nianbao roster assign）" + (
            f"；名称相近的有：{'、'.join(cands)}" if cands else "")
        return Match(None, "unknown", note, cands)


def with_aliases(unit: RosterUnit, *names: str) -> RosterUnit:
    return replace(unit, aliases=tuple(dict.fromkeys(list(unit.aliases) + [n for n in names if n != unit.name])))
