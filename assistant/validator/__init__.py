"""The deterministic validator: every rule of RULES.md (b) applied to one structured report, giving
findings with the formula, both sides' values, the difference and the cells and sentences involved.

The package: `catalogue` (rule id → severity, plain title, advice, RULES.md reference, check), `findings`
(the records and their evidence), `textindex` (the prose as sentences), and the rule modules, which depend
only on those and never on each other's runners: `tables` (B4–B7, F1–F2, T2, T3, T4), `sections` (B1–B3,
B8, B9, D1–D4, F3), `claims` (text against tables: X1–X7, T2-7, T2-8, T3-8, T3-9), `quality` (Q1–Q7);
`evaluate` scores the checks against a reviewer's answer key. Domain formulas come from assistant.formulas.

`check_report(report, previous, others=…)` runs the checks of `CHECKS` in order; an error resting on a
table the reader flagged becomes a warning (an error must be certain). `derived_metrics(report)` gives
the T4-7 rates; `render_findings` formats findings as a Chinese report for the command line.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Sequence

from assistant.validator.catalogue import RULES, READING_RULE, advice, title
from assistant.validator.findings import (ERROR, INFO, SEVERITY_ZH, TABLE_ZH, WARNING, Evidence, Finding,
                                          sort_findings)
from assistant import formulas
from assistant.numbers_zh import fmt
from assistant.validator import claims, quality, sections, tables
from assistant.validator.textindex import TextIndex
from assistant.units import DEFAULT_POLICY, DeadlinePolicy
from ingest.report import READING_CODES, Report

__all__ = ["Evidence", "Finding", "check_report", "derived_metrics", "Metric", "render_findings", "fold_reading",
           "pair_previous", "same_unit", "ERROR", "WARNING", "INFO", "DeadlinePolicy", "RULES", "CHECKS"]


@dataclass
class Context:
    """What every check may use: the report, its sentences, the previous year's report, other units'
    reports, today's date and the deadline policy."""
    report: Report
    index: TextIndex
    previous: Report | None
    others: Sequence[Report]
    today: date
    policy: DeadlinePolicy


def _table(check):
    def run(ctx: Context) -> list[Finding]:
        return tables.run(check, ctx.report, ctx.previous)
    return run


def _text(fn):
    def run(ctx: Context) -> list[Finding]:
        return fn(ctx) if ctx.index.has_text else []
    return run


# check name (the catalogue's `check`) -> function; run in this order, each rule module on its own
CHECKS = {
    "structure": _table(tables.check_structure),
    "format": _table(tables.check_format),
    "table2": _table(tables.check_table2),
    "table3": _table(tables.check_table3),
    "table4": _table(tables.check_table4),
    "sections": _text(lambda c: sections.check_sections(c.report, c.index)),
    "dates": _text(lambda c: sections.check_dates(c.report, c.index, c.today, c.policy)),
    "claims": _text(lambda c: claims.check_request_claims(c.report, c.index)),
    "reviews": _text(lambda c: claims.check_review_claims(c.report, c.index)),
    "fees": _text(lambda c: claims.check_fees(c.report, c.index)),
    "documents": _text(lambda c: claims.check_documents(c.report, c.index)),
    "parts": _text(lambda c: claims.check_parts(c.report, c.index)),
    "quality": _text(lambda c: quality.check_quality(c.report, c.index, c.previous, c.others)),
}


def check_report(report: Report, previous: Report | None = None, *, today: date | None = None,
                 others: Sequence[Report] = (), policy: DeadlinePolicy | None = None) -> list[Finding]:
    """All findings for one report, errors first. `previous` is the same unit's report for the year
    before (cross-year rules T2-3/T2-4, T3-6, T4-5/T4-6, Q1); `others` are other units' reports (Q2)."""
    if previous is not None and (previous.year is None or report.year is None or previous.year != report.year - 1):
        previous = None
    ctx = Context(report, TextIndex(report), previous, others, today or date.today(), policy or DEFAULT_POLICY)
    findings: list[Finding] = []
    for run in CHECKS.values():
        findings += run(ctx)
    return sort_findings(_uncertain_to_warnings(report, findings))


# an extractor warning on a table that makes its numbers uncertain (we may have misread a cell or a row)
UNCERTAIN_CODES = READING_CODES | {"label_missing"}


def _uncertain_to_warnings(report: Report, findings: list[Finding]) -> list[Finding]:
    """An error needs both sides read with certainty: an error resting on a cell of a table the extractor
    flagged (a row placed by position, a cell too many or too few, glued digits …) becomes a warning."""
    shaky = {w.table for w in report.warnings if w.code in UNCERTAIN_CODES and w.table}
    if not shaky:
        return findings
    out = []
    for f in findings:
        tables = {e.table for e in f.evidence if e.kind == "cell" and e.table}
        if f.severity == ERROR and tables & shaky and f.rule != READING_RULE:
            names = "、".join(TABLE_ZH.get(t, t) for t in sorted(tables & shaky))
            f = replace(f, severity=WARNING, message=f.message + f"（{names}有读取提示，数字可能读错，请先核对原件。）")
        out.append(f)
    return out


# -- T4-7 and other derived metrics ------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    """A rate computed from table cells, with its formula in Chinese; value None when not computable."""
    name: str
    value: float | None
    numerator: float | int | None
    denominator: float | int | None
    formula: str

    def describe(self) -> str:
        if self.value is None:
            return f"{self.name}：无法计算（{self.formula}；分母为0或有空白单元格）"
        return (f"{self.name} = {fmt(self.numerator)} / {fmt(self.denominator)} = {self.value:.2%}"
                f"（{self.formula}）")


def _rate(name: str, num, den, formula: str) -> Metric:
    if num is None or den is None or den == 0:
        return Metric(name, None, num, den, formula)
    return Metric(name, num / den, num, den, formula)


# the rates the Q&A quotes, computed by the one formula of each (assistant.formulas.RATES)
DERIVED_RATES = {"review_correction_rate": "review_correction_rate", "litigation_correction_rate": "litigation_loss_rate",
                 "disclosure_rate": "disclosure_rate", "not_held_share": "not_held_share"}


def derived_metrics(report: Report) -> dict[str, Metric]:
    """T4-7 (复议纠错率, 诉讼纠正率) and the usual 表三 shares (公开率, 不掌握占比), as fractions."""
    out: dict[str, Metric] = {}
    for key, rate_key in DERIVED_RATES.items():
        rate = formulas.RATES[rate_key]
        table = rate.numerator[0].table
        if report.table(table) is None:
            continue
        n, d, _ = rate.compute(lambda t, r, c: report.table(t).value(r, c) if report.table(t) else None)
        out[key] = _rate(rate.label, n, d, rate.formula)
    return out


# -- pairing reports of one unit across years ------------------------------------------------------
def _agency_key(name: str | None) -> str:
    import re
    s = (name or "").replace("经开区", "经济技术开发区")
    return re.sub(r"(人民政府|管理委员会|管委会)$", "", s)


def same_unit(a: Report, b: Report) -> bool:
    """Do two reports come from the same unit (names compared without 人民政府/管委会, 经开区 spelt out)?"""
    return bool(a.agency and b.agency) and _agency_key(a.agency) == _agency_key(b.agency)


def pair_previous(reports: Sequence[Report]) -> dict[int, Report]:
    """For reports given together: index → the same unit's report of the year before, when present."""
    out: dict[int, Report] = {}
    for i, r in enumerate(reports):
        for j, p in enumerate(reports):
            if i != j and r.year is not None and p.year == r.year - 1 and same_unit(r, p):
                out[i] = p
    return out


# -- rendering -------------------------------------------------------------------------------------
FOLD_READING = 3              # more reading failures than this in one table are shown as one entry


def fold_reading(findings: Sequence[Finding], limit: int = FOLD_READING) -> list[Finding]:
    """A poorly read report's reading failures (R1) folded per table: a table with more than `limit` of them
    is one entry naming how many and the first few, in the place of the first; the rest are left as they are."""
    def table_of(f: Finding) -> str | None:
        return next((e.table for e in f.evidence if e.table), None)
    per_table: dict[str | None, list[Finding]] = {}
    for f in findings:
        if f.rule == READING_RULE:
            per_table.setdefault(table_of(f), []).append(f)
    folded = {t: fs for t, fs in per_table.items() if t is not None and len(fs) > limit}
    out: list[Finding] = []
    for f in findings:
        group = folded.get(table_of(f)) if f.rule == READING_RULE else None
        if group is None:
            out.append(f)
        elif f is group[0]:
            shown = "；".join(g.message.split("。")[0] for g in group[:limit])
            out.append(replace(f, message=f"{TABLE_ZH.get(table_of(f), '表格')}有 {len(group)} 处未能读取（前{limit}处：{shown}……），"
                                          "请对照原件核对。这是读取问题，不是年报的错误。",
                               evidence=tuple(e for g in group for e in g.evidence)))
    return out


def render_findings(report: Report, findings: Sequence[Finding], *, max_evidence: int = 6) -> str:
    """A Chinese report grouped by severity (错误/警告/提示): each finding's plain title with the rule id in
    small print, the message, what to do, and its evidence; a sentence shared by several findings is
    quoted once and referred to afterwards."""
    findings = fold_reading(findings)
    lines = [f"{report.label}（{report.file}）"]
    counts = {sev: sum(1 for f in findings if f.severity == sev) for sev in (ERROR, WARNING, INFO)}
    lines.append(f"共 {len(findings)} 条：错误 {counts[ERROR]}，警告 {counts[WARNING]}，提示 {counts[INFO]}")
    quoted: dict[str, str] = {}           # sentence -> where it was first quoted (“错误第1条”)
    for sev in (ERROR, WARNING, INFO):
        group = [f for f in findings if f.severity == sev]
        lines.append("")
        lines.append(f"【{SEVERITY_ZH[sev]}】{len(group)} 条" + ("" if group else "：无"))
        for n, f in enumerate(group, 1):
            lines.append(f"{n}. {title(f.rule)}  [{f.rule}]")
            lines.append(f"     {f.message}")
            if advice(f.rule):
                lines.append(f"     建议：{advice(f.rule)}")
            for e in f.evidence[:max_evidence]:
                if e.kind == "sentence" and e.text:
                    if e.text in quoted:
                        lines.append(f"     依据：同{quoted[e.text]}所引原文")
                        continue
                    quoted[e.text] = f"{SEVERITY_ZH[sev]}第{n}条"
                lines.append(f"     依据：{e.describe()}")
            if len(f.evidence) > max_evidence:
                lines.append(f"     ……另有 {len(f.evidence) - max_evidence} 项依据")
    return "\n".join(lines)
