"""与上年比对: one unit's report against another (normally its report of the year before).

- Every table cell side by side, with the change and its percentage. A blank is not 0: when either side is
  blank there is no change to compute, and it says so; a change from 0 has no percentage.
- Each section's prose as sentences: added, removed, unchanged; a section copied word for word is named.
- Last year's section 五 (its problems, and the measures it promised) listed against what this year's
  report says: the closest sentence of this year's report, cited, or “未见相应表述”.

Every cell and sentence keeps its page (or line) and file. Numbers are cells or differences of cells.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.drafting import listed_problems, problems_part
from assistant.validator.findings import cell_label
from assistant.routes_text import bigrams
from assistant.validator.quality import jaccard
from assistant.validator.textindex import TextIndex, squash
from ingest.report import Report
from ingest.schema import SECTIONS

DIFF_TABLES = ("table2", "table3", "table4", "fees")
DIFF_SECTIONS = ("preamble",) + tuple(SECTIONS)
SECTION_NAMES = {"preamble": "开头（前言）", **SECTIONS}
# A sentence of this year's report “answers” one of last year's problems or promises when at least this share
# of the promise's character pairs occurs in it.
PROMISE_MATCH_SHARE = 0.35
_MEASURE_ITEM = re.compile(r"[；;]|(?=[一二三四五六七八九十]是)")
# “针对存在问题，下一步将切实抓好以下工作” introduces the measures; it is not one.
_LEAD_IN = re.compile(r"(改进措施|整改措施|下一步工作|改进情况|(以下|如下)(几个方面的?)?(工作|措施|方面))$")


def _where(page: int | None, line: int | None) -> str:
    return f"第{page}页" if page else (f"第{line}行" if line else "")


@dataclass(frozen=True)
class CellChange:
    table: str
    row: str
    column: str
    label: str                              # “表三 一、本年新收政府信息公开申请数量 / 总计”
    old: float | int | None
    new: float | int | None
    old_where: str
    new_where: str

    @property
    def change(self) -> float | int | None:
        """new − old; None when either side is blank (a blank is not 0)."""
        if self.old is None or self.new is None:
            return None
        d = self.new - self.old
        return round(d, 6) if isinstance(d, float) else d

    @property
    def percent(self) -> float | None:
        """The change as a share of last year's value; None when it cannot be computed (blank, or from 0)."""
        if self.change is None or not self.old:
            return None
        return self.change / self.old

    @property
    def status(self) -> str:
        if self.old is None and self.new is None:
            return "两年均空白"
        if self.old is None:
            return "上年空白"
        if self.new is None:
            return "本年空白"
        return "不变" if self.change == 0 else ("增加" if self.change > 0 else "减少")

    def change_text(self) -> str:
        if self.change is None:
            return f"无法计算（{self.status}，空白不按0计）" if self.status != "两年均空白" else "两年均空白"
        if self.change == 0:
            return "不变"
        pct = f"，{self.percent:+.1%}" if self.percent is not None else "（上年为0，无百分比）"
        return f"{'增加' if self.change > 0 else '减少'}{number_text(abs(self.change))}{pct}"

    def to_json(self) -> dict:
        return {"table": self.table, "row": self.row, "column": self.column, "label": self.label, "old": self.old,
                "new": self.new, "change": self.change, "percent": self.percent, "status": self.status,
                "old_where": self.old_where, "new_where": self.new_where}


@dataclass(frozen=True)
class SentenceLine:
    text: str
    section: str                            # section path
    where: str                              # 第3页 / 第12行

    def cited(self, report: str = "") -> str:
        """“句子（2024年报告 五、… ，第4页）”."""
        return f"{self.text}（{report + ' ' if report else ''}{self.section}，{self.where or '—'}）"

    def to_json(self) -> dict:
        return {"text": self.text, "section": self.section, "where": self.where}


@dataclass(frozen=True)
class SectionDiff:
    key: str
    name: str
    added: tuple[SentenceLine, ...]         # in this year's report only
    removed: tuple[SentenceLine, ...]       # in last year's only
    unchanged: tuple[SentenceLine, ...]     # in both (cited in this year's report)
    similarity: float                       # character 3-gram Jaccard of the two sections' prose
    present: tuple[bool, bool]              # (in last year's report, in this year's)

    @property
    def copied(self) -> bool:
        """The section is word for word last year's (and not empty)."""
        return bool(self.unchanged) and not self.added and not self.removed

    def to_json(self) -> dict:
        return {"key": self.key, "name": self.name, "copied": self.copied, "similarity": round(self.similarity, 3),
                "present": list(self.present), "added": [s.to_json() for s in self.added],
                "removed": [s.to_json() for s in self.removed], "unchanged": [s.to_json() for s in self.unchanged]}


@dataclass(frozen=True)
class PromiseCheck:
    """One of last year's problems or promised measures, and what this year's report says about it."""
    kind: str                               # 问题 | 改进措施
    text: str
    old_where: str
    answer: SentenceLine | None             # the closest sentence of this year's report
    share: float                            # share of the promise's character pairs found in `answer`

    @property
    def status(self) -> str:
        if self.answer is None or self.share < PROMISE_MATCH_SHARE:
            return "本年报告未见相应表述"
        if squash(self.text) in squash(self.answer.text):
            return "本年报告原样重复"
        return "本年报告有相应表述"

    def describe(self, old_year, new_year) -> tuple[str, str | None]:
        """(“【问题】… （2023年报告第4页）”, the matching sentence of this year's report cited, or None)."""
        head = f"【{self.kind}】{self.text}（{old_year}年报告{self.old_where}）"
        if self.answer is None or self.status == "本年报告未见相应表述":
            return head, None
        return head, f"{new_year}年：“{self.answer.text}”（{self.answer.section}，{self.answer.where or '—'}）"

    def to_json(self) -> dict:
        return {"kind": self.kind, "text": self.text, "old_where": self.old_where, "status": self.status,
                "share": round(self.share, 3), "answer": self.answer.to_json() if self.answer else None}


@dataclass
class ReportDiff:
    old: Report
    new: Report
    cells: list[CellChange]
    sections: list[SectionDiff]
    promises: list[PromiseCheck]
    notes: list[str] = field(default_factory=list)

    @property
    def changed_cells(self) -> list[CellChange]:
        return [c for c in self.cells if c.status not in ("不变", "两年均空白")]

    @property
    def copied_sections(self) -> list[SectionDiff]:
        return [s for s in self.sections if s.copied]

    def summary(self) -> str:
        n_same = sum(c.status == "不变" for c in self.cells)
        blanks = sum(c.change is None and c.status != "两年均空白" for c in self.cells)
        text = (f"{self.new.label}（{self.new.file}）与{self.old.label}（{self.old.file}）比对：表格共{len(self.cells)}格，"
                f"变化{sum(c.status in ('增加', '减少') for c in self.cells)}格，不变{n_same}格")
        text += f"，一方空白无法比较{blanks}格。" if blanks else "。"
        added = sum(len(s.added) for s in self.sections)
        removed = sum(len(s.removed) for s in self.sections)
        same = sum(len(s.unchanged) for s in self.sections)
        text += f"正文新增{added}句、删去{removed}句、相同{same}句。"
        if self.copied_sections:
            text += "与上年逐字相同的部分：" + "、".join(s.name for s in self.copied_sections) + "。"
        if self.promises:
            missing = sum(p.status == "本年报告未见相应表述" for p in self.promises)
            text += f"上年第五部分所列问题和改进措施{len(self.promises)}项，本年报告未见相应表述的{missing}项。"
        return text

    def to_json(self) -> dict:
        return {"old": {"file": self.old.file, "agency": self.old.agency, "year": self.old.year},
                "new": {"file": self.new.file, "agency": self.new.agency, "year": self.new.year},
                "summary": self.summary(), "cells": [c.to_json() for c in self.cells],
                "sections": [s.to_json() for s in self.sections], "promises": [p.to_json() for p in self.promises],
                "notes": self.notes}


def number_text(v) -> str:
    """A cell value as printed: 12, 7730.28."""
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return str(int(v)) if isinstance(v, float) else str(v)


# -- tables ----------------------------------------------------------------------------------------------
def cell_changes(old: Report, new: Report) -> list[CellChange]:
    """Every cell either report has, in printed order (this year's rows first), side by side."""
    out = []
    for name in DIFF_TABLES:
        a, b = old.table(name), new.table(name)
        if a is None and b is None:
            continue
        rows = list(dict.fromkeys([*(b.rows if b else {}), *(a.rows if a else {})]))
        for row in rows:
            cols = list(dict.fromkeys([*((b.rows.get(row) or {}) if b else {}), *((a.rows.get(row) or {}) if a else {})]))
            for col in cols:
                ca = a.cell(row, col) if a else None
                cb = b.cell(row, col) if b else None
                sa = ca.source if ca is not None else None
                sb = cb.source if cb is not None else None
                out.append(CellChange(name, row, col, cell_label(name, row, col),
                                      ca.value if ca is not None else None, cb.value if cb is not None else None,
                                      _where(sa.page, sa.line) if sa else "", _where(sb.page, sb.line) if sb else ""))
    return out


# -- prose -----------------------------------------------------------------------------------------------
def _key(text: str) -> str:
    return re.sub(r"[。！？!?；;，,\s]+$", "", squash(text))


def _lines(index: TextIndex, key: str) -> list[SentenceLine]:
    out = []
    for s in index.in_sections(key):
        page, line = s.section.where(s.text)
        out.append(SentenceLine(s.text, s.section.path, _where(page, line)))
    return out


def section_diffs(old: Report, new: Report) -> list[SectionDiff]:
    a_index, b_index = TextIndex(old), TextIndex(new)
    out = []
    for key in DIFF_SECTIONS:
        a, b = _lines(a_index, key), _lines(b_index, key)
        if not a and not b:
            continue
        a_keys, b_keys = {_key(s.text) for s in a}, {_key(s.text) for s in b}
        added = tuple(s for s in b if _key(s.text) not in a_keys)
        removed = tuple(s for s in a if _key(s.text) not in b_keys)
        unchanged = tuple(s for s in b if _key(s.text) in a_keys)
        sim = jaccard("".join(s.text for s in a), "".join(s.text for s in b))
        out.append(SectionDiff(key, SECTION_NAMES[key], added, removed, unchanged, sim,
                               (old.section(key) is not None, new.section(key) is not None)))
    return out


def _promised_measures(report: Report) -> list[tuple[str, str]]:
    """(measure, where) of section 五 after its problems: the measures it promised."""
    parts = report.content_sections("s5_problems")
    if not parts:
        return []
    problems = problems_part(report)
    before = squash(problems[0]) if problems else ""
    out = []
    for s in TextIndex(report).in_sections("s5_problems") or [x for x in TextIndex(report).sentences
                                                              if x.section in parts]:
        if squash(s.text) in before:
            continue
        for item in _MEASURE_ITEM.split(s.text):
            item = item.strip("：:，,。；; ")
            if len(item) >= 8 and not _LEAD_IN.search(item):
                page, line = s.section.where(s.text)
                out.append((item, _where(page, line)))
    return out


def promise_checks(old: Report, new: Report) -> list[PromiseCheck]:
    """Last year's problems and promised measures, each against this year's closest sentence."""
    items: list[tuple[str, str, str]] = []
    problems, sec = listed_problems(old)
    for p in problems:
        page, line = sec.where(p) if sec is not None else (None, None)
        items.append(("问题", p, _where(page, line)))
    items += [("改进措施", m, w) for m, w in _promised_measures(old)]
    index = TextIndex(new)
    candidates = []
    for s in index.sentences:
        page, line = s.section.where(s.text)
        candidates.append((SentenceLine(s.text, s.section.path, _where(page, line)), bigrams(s.text),
                           s.top == "s5_problems"))
    out = []
    for kind, text, where in items:
        want = bigrams(text)
        best, best_share = None, 0.0
        for line, grams, in_five in candidates:
            share = len(want & grams) / len(want) if want else 0.0
            if share > best_share or (share == best_share and in_five and best is not None):
                best, best_share = line, share
        out.append(PromiseCheck(kind, text, where, best, best_share))
    return out


def diff_reports(a: Report, b: Report) -> ReportDiff:
    """Compare two reports; the earlier year is “last year” whatever the order given."""
    notes = []
    old, new = (a, b)
    if a.year is not None and b.year is not None and a.year > b.year:
        old, new = b, a
    if old.year is not None and new.year is not None and new.year - old.year != 1:
        notes.append(f"两份报告的年度是{old.year}年和{new.year}年，不是相邻年度。")
    from assistant.validator import same_unit
    if not same_unit(old, new):
        notes.append(f"两份报告的单位不同（{old.agency or '未识别'}、{new.agency or '未识别'}），请确认是否要比对。")
    for r in (old, new):
        if r.reading_warnings():
            notes.append(f"{r.label}有部分内容未能读取，相关单元格和句子可能缺失，请核对原件："
                         + "；".join(w.message for w in r.reading_warnings()[:3]))
    return ReportDiff(old, new, cell_changes(old, new), section_diffs(old, new), promise_checks(old, new), notes)


def render_diff(diff: ReportDiff, *, all_cells: bool = False) -> str:
    """The comparison as Chinese text (the command line): changed cells (or all), sections, promises."""
    o, n = diff.old.year or "上年", diff.new.year or "本年"
    lines = ["【与上年比对】", diff.summary()] + [f"注意：{x}" for x in diff.notes]
    lines += ["", f"一、表格逐格比对（{'全部' if all_cells else '有变化或一方空白的'}单元格；{o}年 → {n}年）"]
    for c in diff.cells if all_cells else diff.changed_cells:
        lines.append(f"- {c.label}：{o}年 {'空白' if c.old is None else number_text(c.old)}（{c.old_where or '—'}）→ "
                     f"{n}年 {'空白' if c.new is None else number_text(c.new)}（{c.new_where or '—'}），{c.change_text()}")
    lines += ["", "二、正文逐句比对"]
    for s in diff.sections:
        head = f"{s.name}：新增{len(s.added)}句，删去{len(s.removed)}句，相同{len(s.unchanged)}句，相似度{s.similarity:.2f}"
        if s.copied:
            head += "（与上年逐字相同）"
        lines.append(head)
        lines += [f"  + {x.cited(f'{n}年报告')}" for x in s.added]
        lines += [f"  - {x.cited(f'{o}年报告')}" for x in s.removed]
    lines += ["", f"三、{o}年报告第五部分所列问题和改进措施，{n}年报告的相应表述"]
    if not diff.promises:
        lines.append(f"{o}年报告第五部分没有列出具体问题或改进措施。")
    for i, p in enumerate(diff.promises, 1):
        head, answer = p.describe(o, n)
        lines.append(f"{i}. {head} → {p.status}" + (f"\n   {answer}" if answer else ""))
    return "\n".join(lines)


def report_from_ref(ref: str, library=None) -> Report:
    """A report named on the command line: a file to read, else a library report by id, file name or path.
    Raises a UserError (Chinese message) when it is neither."""
    from pathlib import Path

    from ingest.errors import UserError
    if Path(ref).is_file():
        from ingest.extract import extract
        return extract(ref)
    record = library.resolve(ref) if library is not None else None
    if record is None:
        raise UserError(f"“{ref}”既不是文件，也不是年报库中的报告（可用 nianbao list 查看报告编号和文件名）。")
    return library.facts.report_object(record.id)
