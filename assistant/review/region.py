"""年报体检: every stored report of one group (地区或分组) and year, checked, in one table of units and one
list of common problems.

The findings stored at ingest are reused; only what depends on a neighbour is recomputed: the cross-year
rules (CROSS_YEAR_RULES) against the same unit's report of the year before, when the library holds it, and
dropped when it does not. The review adds what only a reviewer asks: whether the report was published by
its deadline (1月31日, 3月31日 for a 县级以上人民政府), and whether section 五 is empty or thin.

What we could not read (ingest.report.READING_CODES) is never a unit's problem: it is counted apart, as
“未能读取，请核对原件”. No score: every number is a count of findings or units the official can open.
"""
from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Callable, Mapping, Sequence

from assistant.validator.findings import ERROR, INFO, SEVERITY_ORDER, WARNING, Evidence, Finding
from assistant.validator.catalogue import READING_RULE
from assistant.review.titles import rule_title
from assistant.units import DEFAULT_POLICY, DeadlinePolicy
from ingest.errors import UserError
from ingest.report import Report
from vectorstore.facts import ReportRecord

# Rules whose result depends on the same unit's previous-year report (RULES.md: T2-3, T2-4, T3-6, T4-5, T4-6, Q1).
CROSS_YEAR_RULES = frozenset({"T2-3", "T2-4", "T3-6", "T4-5", "T4-6", "Q1"})
# Section 五 with fewer printed characters than this (spaces removed) is “thin”.
THIN_SECTION_FIVE_CHARS = 150
THIN_FIVE_RULE = "R5"
PROBLEM_SEVERITIES = (ERROR, WARNING)       # what counts as a unit's problem in the review (not 提示)

Progress = Callable[[int, int, str], None]


class ReviewError(UserError):
    """A review that cannot be made (no such group or year). Chinese message."""


@dataclass(frozen=True)
class UnitReview:
    """One unit's line of the review table, with the findings behind every count."""
    report_id: str
    agency: str
    file: str
    year: int | None
    pages: int | None
    published: str | None
    deadline: date | None
    on_time: bool | None                  # None: no 落款 date we could read
    section_five_chars: int | None        # None: no section 五 found
    previous_file: str | None             # the previous-year report the cross-year rules used
    findings: tuple[dict, ...]            # Finding.to_json() dicts, errors first
    reading: tuple[dict, ...]             # reading warnings (what we could not read)
    previous_id: str | None = None        # the previous-year report's id (scoring, 整改)

    def count(self, severity: str) -> int:
        return sum(f.get("severity") == severity for f in self.findings)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)

    @property
    def on_time_text(self) -> str:
        if self.on_time is None:
            return "无落款日期"
        return "按时" if self.on_time else "逾期"

    def to_json(self) -> dict:
        return {"report_id": self.report_id, "agency": self.agency, "file": self.file, "year": self.year,
                "pages": self.pages, "published": self.published,
                "deadline": self.deadline.isoformat() if self.deadline else None, "on_time": self.on_time,
                "errors": self.errors, "warnings": self.warnings, "section_five_chars": self.section_five_chars,
                "previous_file": self.previous_file, "reading_warnings": len(self.reading),
                "findings": list(self.findings), "reading": list(self.reading)}


@dataclass(frozen=True)
class CommonProblem:
    """One problem type (a rule) with the units that have it and one cited example."""
    rule: str
    title: str
    severity: str
    units: tuple[str, ...]                # agency names, in the review's order
    findings: int                         # how many findings of this rule in all
    example_unit: str
    example: dict                         # one Finding.to_json() dict of the first unit

    def describe(self) -> str:
        """“表三办理结果与总计不符：5个单位（甲、乙……）”."""
        return f"{self.title}：{len(self.units)}个单位（{'、'.join(self.units)}）"

    def example_text(self) -> str:
        """The example finding with its first piece of evidence (cell or sentence, page)."""
        ev = (self.example.get("evidence") or [None])[0]
        where = f"（依据：{evidence_text(ev)}）" if ev else ""
        message = str(self.example.get("message", "")).rstrip("。；; ")
        return f"{self.example_unit}：{message}{where}"

    def to_json(self) -> dict:
        return {"rule": self.rule, "title": self.title, "severity": self.severity, "units": list(self.units),
                "unit_count": len(self.units), "findings": self.findings, "example_unit": self.example_unit,
                "example": self.example}


@dataclass
class RegionReview:
    group: str
    year: int
    units: list[UnitReview]
    problems: list[CommonProblem]
    seconds: float = 0.0
    recomputed: int = 0                   # reports whose cross-year rules were recomputed
    notes: list[str] = field(default_factory=list)

    @property
    def on_time(self) -> list[UnitReview]:
        return [u for u in self.units if u.on_time is True]

    @property
    def late(self) -> list[UnitReview]:
        return [u for u in self.units if u.on_time is False]

    @property
    def undated(self) -> list[UnitReview]:
        return [u for u in self.units if u.on_time is None]

    @property
    def with_errors(self) -> list[UnitReview]:
        return [u for u in self.units if u.errors]

    @property
    def with_warnings(self) -> list[UnitReview]:
        return [u for u in self.units if u.warnings]

    @property
    def unread(self) -> list[UnitReview]:
        """Units of which we could not read something (our failure, not theirs)."""
        return [u for u in self.units if u.reading]

    def summary(self) -> str:
        """One paragraph of counts, in Chinese."""
        n = len(self.units)
        text = (f"{self.group}{self.year}年度共{n}个单位的年报：按时发布{len(self.on_time)}个，逾期{len(self.late)}个，"
                f"无落款日期{len(self.undated)}个；有错误的{len(self.with_errors)}个，有警告的{len(self.with_warnings)}个。")
        if self.unread:
            text += (f"另有{len(self.unread)}个单位的报告有部分内容未能读取（{'、'.join(u.agency for u in self.unread)}），"
                     "这是读取的问题，不计入单位的问题，请核对原件。")
        return text

    def to_json(self) -> dict:
        return {"group": self.group, "year": self.year, "units": [u.to_json() for u in self.units],
                "common_problems": [p.to_json() for p in self.problems], "summary": self.summary(),
                "on_time": len(self.on_time), "late": len(self.late), "undated": len(self.undated),
                "with_errors": len(self.with_errors), "with_warnings": len(self.with_warnings),
                "unread": [u.agency for u in self.unread], "seconds": round(self.seconds, 3),
                "recomputed": self.recomputed, "notes": self.notes}


def evidence_text(e: Mapping | None) -> str:
    """An evidence dict (Evidence.to_json()) as a line for people: the cell or sentence and its page."""
    if not e:
        return ""
    return Evidence(**{k: v for k, v in e.items() if k in Evidence.__dataclass_fields__}).describe()


def evidence_pages(f: Mapping) -> str:
    """The pages (or lines) a finding's evidence sits on: “第3页、第5页”."""
    spots = []
    for e in f.get("evidence") or []:
        spot = f"第{e['page']}页" if e.get("page") else (f"第{e['line']}行" if e.get("line") else "")
        if spot and spot not in spots:
            spots.append(spot)
    return "、".join(spots)


# -- one unit -------------------------------------------------------------------------------------------
def published_on_time(report: Report, policy: DeadlinePolicy = DEFAULT_POLICY) -> tuple[date | None, bool | None]:
    """(deadline, on time?) from the 落款 date; on time is None when the report has no date we could read."""
    if report.year is None:
        return None, None
    deadline, _ = policy.deadline(report.agency, report.year)
    if not report.published:
        return deadline, None
    try:
        published = date.fromisoformat(report.published[:10])
    except ValueError:
        return deadline, None
    return deadline, published <= deadline


def section_five_text(report: Report) -> str | None:
    """Section 五's prose with spaces removed, or None when the report has no section 五 at all."""
    parts = report.content_sections("s5_problems")
    if not parts:
        return None
    text = "".join(s.text for s in parts)
    heading = "".join(s.heading or "" for s in parts)
    body = re.sub(r"\s+", "", text)
    return body.replace(re.sub(r"\s+", "", heading), "", 1) if heading else body


def thin_section_five(report: Report) -> list[Finding]:
    """R5: section 五 present but empty or shorter than THIN_SECTION_FIVE_CHARS (not when we failed to read it)."""
    if any(w.code == "section_unread" for w in report.reading_warnings()):
        return []
    body = section_five_text(report)
    if body is None or len(body) >= THIN_SECTION_FIVE_CHARS:
        return []
    sec = report.content_sections("s5_problems")[0]
    shown = body[:60] + ("……" if len(body) > 60 else "")
    ev = Evidence(kind="sentence", section=sec.path, text=shown or "（空）", page=sec.page, line=sec.line)
    if not body:
        return [Finding(THIN_FIVE_RULE, WARNING, "第五部分“存在的主要问题及改进情况”只有标题，没有内容。",
                        expected=f"至少{THIN_SECTION_FIVE_CHARS}字", actual=0, evidence=(ev,))]
    return [Finding(THIN_FIVE_RULE, WARNING, f"第五部分“存在的主要问题及改进情况”只有{len(body)}字（少于"
                                             f"{THIN_SECTION_FIVE_CHARS}字），问题、改进措施和上年问题整改情况难以写实。",
                    expected=f"至少{THIN_SECTION_FIVE_CHARS}字", actual=len(body), evidence=(ev,))]


def cross_year_findings(report: Report, previous: Report) -> list[dict]:
    """The cross-year rules' findings for a report against its previous-year report: only the rule families
    that read the previous report (the table rules and the prose heuristics), not the whole validator."""
    from assistant.validator.quality import check_quality
    from assistant.validator.tables import check_tables
    from assistant.validator.textindex import TextIndex
    found = check_tables(report, previous) + check_quality(report, TextIndex(report), previous, ())
    return [f.to_json() for f in found if f.rule in CROSS_YEAR_RULES]


def _sorted(findings: list[dict]) -> list[dict]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.get("severity"), 3), f.get("rule", "")))


def review_unit(record: ReportRecord, report: Report, stored: Sequence[dict], previous: Report | None,
                previous_file: str | None = None, policy: DeadlinePolicy = DEFAULT_POLICY) -> UnitReview:
    """One unit's review line: stored findings, cross-year rules against `previous`, date, section 五."""
    findings = [dict(f) for f in stored if f.get("rule") not in CROSS_YEAR_RULES and f.get("rule") != THIN_FIVE_RULE]
    if previous is not None:
        findings += cross_year_findings(report, previous)
    findings += [f.to_json() for f in thin_section_five(report)]
    deadline, on_time = published_on_time(report, policy)
    five = section_five_text(report)
    reading = tuple(w.to_json() for w in report.reading_warnings())
    return UnitReview(record.id, record.agency or report.agency or "未识别单位", record.file, record.year,
                      record.pages, report.published, deadline, on_time, None if five is None else len(five),
                      previous_file if previous is not None else None, tuple(_sorted(findings)), reading)


# -- the group --------------------------------------------------------------------------------------------
def common_problems(units: Sequence[UnitReview], severities: Sequence[str] = PROBLEM_SEVERITIES) -> list[CommonProblem]:
    """Each problem type (rule) with the units that have it, most units first, errors before warnings."""
    by_rule: dict[str, list[tuple[UnitReview, dict]]] = defaultdict(list)
    for u in units:
        for f in u.findings:
            if f.get("rule") == READING_RULE:
                continue                       # what we could not read is never the unit's problem: see `unread`
            if f.get("severity") in severities:
                by_rule[f.get("rule", "")].append((u, f))
    out = []
    for rule, hits in by_rule.items():
        names = list(dict.fromkeys(u.agency for u, _ in hits))
        severity = min((f.get("severity") for _, f in hits), key=lambda s: SEVERITY_ORDER.get(s, 3))
        first_unit, first = next((u, f) for u, f in hits if f.get("severity") == severity)
        out.append(CommonProblem(rule, rule_title(rule), severity, tuple(names), len(hits), first_unit.agency, first))
    return sorted(out, key=lambda p: (-len(p.units), SEVERITY_ORDER.get(p.severity, 3), p.rule))


def review_group(library, group: str, year: int, *, policy: DeadlinePolicy = DEFAULT_POLICY,
                 on_progress: Progress | None = None) -> RegionReview:
    """Review every stored report of `group` and `year`."""
    from assistant.validator import same_unit
    started = time.perf_counter()
    group = "".join((group or "").split())
    records = library.facts.find_reports(group=group, year=int(year))
    if not records:
        groups = library.facts.groups()
        known = "、".join(f"{g}（{n}份）" for g, n in groups) or "（暂无分组）"
        raise ReviewError(f"年报库中没有“{group}”{year}年度的报告。已有的分组：{known}。"
                          "可在入库时用 --group 指定分组，或在“年报库”页修改分组。")
    earlier: dict[str, list[ReportRecord]] = defaultdict(list)     # by the name's first characters: no n² scan
    for p in library.facts.find_reports(year=int(year) - 1):
        earlier[(p.agency or "")[:2]].append(p)
    units: list[UnitReview] = []
    recomputed = 0
    for i, record in enumerate(records):
        if on_progress:
            on_progress(i, len(records), record.agency or record.file)
        report = library.facts.report_object(record.id)
        prev_record = next((p for p in earlier[(record.agency or "")[:2]] if same_unit(p, record)), None)
        previous = library.facts.report_object(prev_record.id) if prev_record else None
        if previous is not None:
            recomputed += 1
        unit = review_unit(record, report, library.facts.findings(record.id), previous,
                           prev_record.file if prev_record else None, policy)
        units.append(replace(unit, previous_id=prev_record.id) if prev_record else unit)
    if on_progress:
        on_progress(len(records), len(records), "完成")
    units.sort(key=lambda u: (-u.errors, -u.warnings, u.agency))
    review = RegionReview(group, int(year), units, common_problems(units), recomputed=recomputed)
    review.seconds = time.perf_counter() - started
    return review


# -- plain text (the command line) -----------------------------------------------------------------------
UNIT_HEADERS = ["单位", "错误", "警告", "按时发布", "落款日期", "页数", "第五部分字数", "未能读取", "上年报告", "报告编号"]


def unit_rows(review: RegionReview) -> list[list]:
    """The table of units: counts as numbers (so a table sorts them; None when unknown: no page count, no
    section 五), each row naming its report id."""
    return [[u.agency, u.errors, u.warnings, u.on_time_text, u.published or "", u.pages, u.section_five_chars,
             len(u.reading), u.previous_file or "", u.report_id] for u in review.units]


def render_review(review: RegionReview) -> str:
    """The review as Chinese text: summary, the table of units, common problems, what we could not read."""
    lines = [f"【年报体检】{review.group} {review.year}年度", review.summary(), "", "一、单位一览",
             "\t".join(UNIT_HEADERS)]
    lines += ["\t".join("—" if c is None else str(c) for c in row) for row in unit_rows(review)]
    lines += ["", "二、共性问题（按涉及单位数排序）"]
    if not review.problems:
        lines.append("未发现错误或警告。")
    for i, p in enumerate(review.problems, 1):
        lines.append(f"{i}. [{p.rule}]（{'错误' if p.severity == ERROR else '警告'}）{p.describe()}")
        lines.append(f"   例：{p.example_text()}")
    if review.unread:
        lines += ["", "三、未能读取，请核对原件（读取问题，不计入单位问题）"]
        for u in review.unread:
            lines.append(f"- {u.agency}（{u.file}）：" + "；".join(w.get("message", "") for w in u.reading))
    lines += ["", f"用时 {review.seconds:.2f} 秒；跨年规则重新计算 {review.recomputed} 份（对照上年报告）。"
                  "查看单个单位：nianbao check 或网页“核查”页（按报告编号）。"]
    return "\n".join(lines)


__all__ = ["CROSS_YEAR_RULES", "THIN_SECTION_FIVE_CHARS", "UnitReview", "CommonProblem", "RegionReview",
           "ReviewError", "review_group", "review_unit", "common_problems", "render_review", "unit_rows",
           "UNIT_HEADERS", "evidence_text", "evidence_pages", "published_on_time", "INFO"]
