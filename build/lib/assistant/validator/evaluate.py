"""`nianbao eval findings`: the checks scored against a reviewer's answer key
(../shared/eval/expected_findings.json, format in its `_format` key).

A finding matches a problem when its rule id starts with one of the problem's families (C = the
cross-year rules) and its message, expected and actual values together hold every key number and
keyword. Precision = error findings that match some problem of their report / all error findings;
recall = error-level problems matched by a finding of any severity / all error-level problems.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.validator.findings import ERROR, Finding

CROSS_YEAR_RULES = ("T2-3", "T2-4", "T3-6")     # family “C” of the answer key
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class ReportScore:
    """One report's findings against its problems."""
    file: str
    errors: int = 0
    errors_matched: int = 0
    problems: int = 0                              # error-level problems
    problems_found: int = 0
    false_errors: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    failed: str | None = None                      # the report could not be read at all

    def to_json(self) -> dict:
        return {"file": self.file, "error_findings": self.errors, "error_findings_matched": self.errors_matched,
                "error_problems": self.problems, "error_problems_found": self.problems_found,
                "precision": ratio(self.errors_matched, self.errors),
                "recall": ratio(self.problems_found, self.problems),
                "false_errors": self.false_errors, "missed": self.missed, "failed": self.failed}


def ratio(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def _families(problem: dict) -> list[str]:
    fam = problem.get("family") or []
    return [fam] if isinstance(fam, str) else list(fam)


def _family_matches(rule: str, families: list[str]) -> bool:
    for fam in families:
        if fam == "C":
            if rule.startswith("C") or rule in CROSS_YEAR_RULES:
                return True
        elif rule.startswith(fam):
            return True
    return False


def _numbers_in(text: str) -> set[float]:
    return {float(n) for n in _NUMBER.findall(text)}


def matches(finding: Finding, problem: dict) -> bool:
    """The answer key's matching rule: same family, and every key number and keyword in the finding."""
    if not _family_matches(finding.rule, _families(problem)):
        return False
    hay = f"{finding.message} {'' if finding.expected is None else finding.expected} " \
          f"{'' if finding.actual is None else finding.actual}"
    have = _numbers_in(hay)
    if any(float(n) not in have for n in problem.get("numbers") or []):
        return False
    return all(k in hay for k in problem.get("keywords") or [])


def score_report(file: str, findings: list[Finding], problems: list[dict]) -> ReportScore:
    s = ReportScore(file)
    for f in findings:
        if f.severity != ERROR:
            continue
        s.errors += 1
        if any(matches(f, p) for p in problems):
            s.errors_matched += 1
        else:
            s.false_errors.append(f"[{f.rule}] {f.message}")
    for p in problems:
        if p.get("level") != ERROR:
            continue
        s.problems += 1
        if any(matches(f, p) for f in findings):
            s.problems_found += 1
        else:
            s.missed.append(p.get("what", ""))
    return s


def run_findings_eval(shared: str | Path, key: str | Path | None = None) -> tuple[list[ReportScore], dict]:
    """Extract and check every report of the key (with its `previous`), score each; returns the per-report
    scores and the overall figures."""
    from ingest.errors import ExtractError
    from ingest.extract import extract
    from assistant.validator import check_report
    shared = Path(shared)
    answer_key = json.loads(Path(key or shared / "eval" / "expected_findings.json").read_text(encoding="utf-8"))
    scores: list[ReportScore] = []
    for file, entry in answer_key.items():
        if file.startswith("_"):
            continue
        try:
            report = extract(shared / file)
            previous = extract(shared / entry["previous"]) if entry.get("previous") else None
        except ExtractError as e:
            s = score_report(file, [], entry.get("problems", []))
            s.failed = e.message
            scores.append(s)
            continue
        scores.append(score_report(file, check_report(report, previous), entry.get("problems", [])))
    errors = sum(s.errors for s in scores)
    matched = sum(s.errors_matched for s in scores)
    problems = sum(s.problems for s in scores)
    found = sum(s.problems_found for s in scores)
    summary = {"reports": len(scores), "error_findings": errors, "error_findings_matched": matched,
               "error_problems": problems, "error_problems_found": found,
               "precision": ratio(matched, errors), "recall": ratio(found, problems)}
    return scores, summary


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}"


def render(scores: list[ReportScore], summary: dict) -> str:
    """A Chinese table: per report the error findings (matched/all) and the error-level problems (found/all)."""
    lines = ["报告\t错误条数(命中/全部)\t精确率\t错误级问题(找到/全部)\t召回率"]
    for s in scores:
        lines.append(f"{s.file}\t{s.errors_matched}/{s.errors}\t{_pct(ratio(s.errors_matched, s.errors))}\t"
                     f"{s.problems_found}/{s.problems}\t{_pct(ratio(s.problems_found, s.problems))}"
                     + (f"\t未能读取：{s.failed}" if s.failed else ""))
        for f in s.false_errors:
            lines.append(f"    误报：{f}")
        for m in s.missed:
            lines.append(f"    漏报：{m}")
    lines.append(f"合计\t{summary['error_findings_matched']}/{summary['error_findings']}\t{_pct(summary['precision'])}\t"
                 f"{summary['error_problems_found']}/{summary['error_problems']}\t{_pct(summary['recall'])}")
    return "\n".join(lines)
