"""整改 into next year: what last year's 通报 listed for a unit, and what the unit itself promised in its part
五, become this year's checklist, each checked in this year's report.

- 通报 items: every problem type (rule) the review of last year's report found (errors and warnings: what the
  通报 and its 问题清单 list for the unit; never what we could not read). This year: the same rule again is
  “同一问题再次出现” (certain when this year's finding is an error); otherwise part 五 is searched for a
  sentence about it (“第五部分有整改说明”) or it is “未再出现（第五部分未说明整改情况）”.
- The unit's own items: the problems and measures of last year's part 五, each against this year's closest
  sentence (assistant.review.diff.promise_checks); “本年报告未见相应表述” is a judgment on wording, so a
  score holds it until the official confirms.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from assistant.routes_text import bigrams
from assistant.review.diff import PROMISE_MATCH_SHARE, promise_checks
from assistant.review.titles import rule_title
from assistant.validator.catalogue import READING_RULE
from assistant.validator.findings import ERROR, WARNING
from assistant.validator.textindex import TextIndex
from ingest.report import Report

NOTICE = "上年通报"
OWN = "本单位上年承诺"
REPEATED = "同一问题再次出现"
FIXED_SAID = "未再出现，第五部分有整改说明"
FIXED_SILENT = "未再出现，第五部分未说明整改情况"
ADDRESSED = "本年报告有相应表述"
UNADDRESSED = "本年报告未见相应表述"
SAID_AGAIN = "本年报告原样重复（同一问题或承诺再次写入）"
NOT_LISTED_RULES = frozenset({READING_RULE})         # what we could not read is never a unit's problem


def _where(page, line) -> str:
    return f"第{page}页" if page else (f"第{line}行" if line else "")


@dataclass(frozen=True)
class CheckItem:
    origin: str                       # NOTICE | OWN
    kind: str                         # the rule id (通报) or 问题/改进措施 (own)
    text: str                         # what was listed last year
    old_where: str
    status: str
    certain: bool                     # the status rests on certain findings (an error again), not on wording
    answer: str | None = None         # this year's sentence or finding, cited
    evidence: tuple[dict, ...] = ()   # this year's evidence (Evidence.to_json() dicts)

    @property
    def repeated(self) -> bool:
        """The same problem again: the same rule fired again, or last year's wording printed again."""
        return self.status in (REPEATED, SAID_AGAIN)

    @property
    def unaddressed(self) -> bool:
        return self.status == UNADDRESSED

    @property
    def key(self) -> str:
        return f"{self.origin}:{self.kind}:{self.text[:40]}"

    def to_json(self) -> dict:
        return {"origin": self.origin, "kind": self.kind, "text": self.text, "old_where": self.old_where,
                "status": self.status, "certain": self.certain, "answer": self.answer,
                "evidence": list(self.evidence)}


def notice_items(old_findings: Sequence[dict]) -> list[tuple[str, dict]]:
    """(rule, first finding) of every problem type last year's review listed for the unit."""
    out: dict[str, dict] = {}
    for f in old_findings:
        if f.get("severity") in (ERROR, WARNING) and f.get("rule") not in NOT_LISTED_RULES:
            out.setdefault(f["rule"], f)
    return list(out.items())


def _best_five_sentence(new: Report, text: str):
    want = bigrams(text)
    best, share = None, 0.0
    for s in TextIndex(new).in_sections("s5_problems"):
        got = len(want & bigrams(s.text)) / len(want) if want else 0.0
        if got > share:
            best, share = s, got
    return best, share


def checklist(old: Report, old_findings: Sequence[dict], new: Report, new_findings: Sequence[dict]) -> list[CheckItem]:
    """Last year's 通报 items and the unit's own part 五 items, each checked in this year's report."""
    out: list[CheckItem] = []
    for rule, f in notice_items(old_findings):
        title = rule_title(rule)
        listed = f"{title}（{str(f.get('message', '')).rstrip('。')[:80]}）"
        ev = (f.get("evidence") or [{}])[0]
        old_where = _where(ev.get("page"), ev.get("line"))
        again = [g for g in new_findings if g.get("rule") == rule and g.get("severity") in (ERROR, WARNING)]
        if again:
            g = min(again, key=lambda x: x.get("severity") != ERROR)
            out.append(CheckItem(NOTICE, rule, listed, old_where, REPEATED, g.get("severity") == ERROR,
                                 f"{new.year}年报告：{g.get('message', '')}", tuple(g.get("evidence") or ())))
            continue
        s, share = _best_five_sentence(new, title)
        if s is not None and share >= PROMISE_MATCH_SHARE:
            page, line = s.section.where(s.text)
            cited = f"{new.year}年：“{s.text}”（{s.section.path}，{_where(page, line) or '—'}）"
            out.append(CheckItem(NOTICE, rule, listed, old_where, FIXED_SAID, True, cited,
                                 ({"kind": "sentence", "section": s.section.path, "text": s.text, "page": page,
                                   "line": line},)))
        else:
            out.append(CheckItem(NOTICE, rule, listed, old_where, FIXED_SILENT, True))
    for p in promise_checks(old, new):
        status = {"本年报告未见相应表述": UNADDRESSED, "本年报告原样重复": SAID_AGAIN}.get(p.status, ADDRESSED)
        answer, evidence = None, ()
        if p.answer is not None and status != UNADDRESSED:
            answer = f"{new.year}年：“{p.answer.text}”（{p.answer.section}，{p.answer.where or '—'}）"
            evidence = ({"kind": "sentence", "section": f"{new.year}年报告 {p.answer.section}", "text": p.answer.text},)
        out.append(CheckItem(OWN, p.kind, p.text, p.old_where, status, False, answer, evidence))
    return out


def render_checklist(items: Sequence[CheckItem], old_year, new_year) -> list[str]:
    """The checklist as lines of Chinese text."""
    if not items:
        return [f"{old_year}年报告没有通报所列问题，第五部分也没有列出具体问题或改进措施。"]
    lines = []
    for i, c in enumerate(items, 1):
        lines.append(f"{i}. 【{c.origin}】{c.text}（{old_year}年报告{c.old_where or ''}）→ {c.status}")
        if c.answer:
            lines.append(f"   {c.answer}")
    return lines


__all__ = ["CheckItem", "checklist", "render_checklist", "notice_items", "NOTICE", "OWN", "REPEATED",
           "FIXED_SAID", "FIXED_SILENT", "ADDRESSED", "UNADDRESSED", "SAID_AGAIN"]
