"""Which stored reports a parsed question is about, and what a route hands back.

`resolve_scope(query, library)` turns agencies and years into report views, and says in Chinese which
asked-for reports the library lacks (never substituting another year silently). `RouteResult` is the
offline answer of one route: its text (every number followed by its citation), the citations, the
computed facts, the quoted passages, and everything the number guard may accept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from assistant.cite import Citation, ReportView, load_view

COMPARE_OPS = ("compare", "difference", "sum")


@dataclass
class Scope:
    views: list[ReportView] = field(default_factory=list)
    missing: list[tuple[str, int]] = field(default_factory=list)    # (agency, year) asked for, not stored
    notes: list[str] = field(default_factory=list)                  # Chinese, shown with the answer
    whole_library: bool = False                                     # no agency named: every report counts

    def agencies(self) -> list[str]:
        return list(dict.fromkeys(v.agency for v in self.views if v.agency))


@dataclass
class RouteResult:
    """The offline answer of one route. `allowed` (computed values, context strings) is what an LLM's
    figures are checked against; `passages` are quoted report text for the LLM, fenced as data."""
    route: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    passages: list[Citation] = field(default_factory=list)
    allowed: list = field(default_factory=list)
    task: str = "phrase"                      # phrase | draft
    passages_are_sources: bool = False        # True when figures quoted from passages are part of the answer
    required: list[float] = field(default_factory=list)  # computed figures an LLM answer must keep
    program_text: str | None = None           # what the model gets as program results when `text` quotes passages


def years_of(records: Sequence, agency: str) -> list[int]:
    return sorted({r.year for r in records if r.agency == agency and r.year is not None})


def holdings_text(records: Sequence) -> str:
    """“赣州经济技术开发区（2022年）、淮安市洪泽区人民政府（2023年、2024年）……”."""
    by_agency: dict[str, list[int]] = {}
    for r in records:
        by_agency.setdefault(r.agency or "未识别单位", [])
        if r.year is not None:
            by_agency[r.agency or "未识别单位"].append(r.year)
    return "、".join(f"{a}（{'、'.join(f'{y}年' for y in sorted(set(ys))) or '年度未识别'}）"
                    for a, ys in by_agency.items())


def resolve_scope(query, library, records: Sequence | None = None) -> Scope:
    """Report views for the question: the named agencies × the named years (each agency's latest report
    when no year is named, every year for a growth question); every report (of the named years) when no
    agency is named."""
    records = list(records if records is not None else library.reports())
    scope = Scope()
    years = list(query.years)
    if not query.agencies:
        scope.whole_library = True
        chosen = [r for r in records if not years or r.year in years]
        if years and not chosen:
            scope.notes.append(f"资料库中没有{'、'.join(f'{y}年' for y in years)}的年报。")
        scope.views = [load_view(library, r) for r in _ordered(chosen)]
        return scope
    for agency in query.agencies:
        own = sorted((r for r in records if r.agency == agency), key=lambda r: (r.year or 0, r.file))
        have = years_of(own, agency)
        if not own:
            scope.notes.append(f"资料库中没有{agency}的年报。")
            continue
        if years:
            picked = [r for r in own if r.year in years]
            lacking = [y for y in years if y not in have]
            scope.missing += [(agency, y) for y in lacking]
            comparing = len(query.agencies) >= 2 and query.operation in COMPARE_OPS
            if not picked and (comparing or _inherited_years(query)) and have:
                near = min(have, key=lambda x: (abs(x - max(years)), -x))
                picked = [r for r in own if r.year == near]
                scope.notes.append(f"资料库中没有{agency}{'、'.join(f'{y}年' for y in lacking)}的年报，"
                                   f"下面列出其{near}年的数据" + ("，年度不同，比较仅供参考。" if comparing else "。"))
            elif lacking:
                scope.notes.append(f"资料库中没有{agency}{'、'.join(f'{y}年' for y in lacking)}的年报（该单位现有"
                                   f"{'、'.join(f'{x}年' for x in have)}的年报）。")
            if not picked:
                continue
        elif query.operation == "growth":
            picked = own
        else:
            latest = max(have) if have else None
            picked = [r for r in own if r.year == latest] or own[-1:]
            if len(have) > 1:
                others = "、".join(f"{y}年" for y in have if y != latest)
                scope.notes.append(f"问题没有指明年度，按{agency}最新的{latest}年年报回答（资料库中另有{others}的年报）。")
        scope.views.extend(load_view(library, r) for r in picked)
    return scope


def _inherited_years(query) -> bool:
    """A follow-up (“淮安市呢？”) that names no year of its own keeps the previous turn's years."""
    return bool(query.is_followup and not re.search(r"(19|20)\d{2}|今年|去年|前年|上一年|近.年", query.text or ""))


def _ordered(records: Sequence) -> list:
    return sorted(records, key=lambda r: (r.agency or "", r.year or 0, r.file))
