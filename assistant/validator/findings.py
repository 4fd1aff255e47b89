"""What a validation rule reports: a `Finding` (rule id, severity, Chinese message, expected/actual) and the
`Evidence` it rests on (table cells with their page/line, sentences with their section), plus helpers that
build evidence from a Report so every rule cites cells and sentences the same way."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.report import Report, Section
from ingest.schema import column_label, row_label

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
SEVERITY_ZH = {ERROR: "错误", WARNING: "警告", INFO: "提示"}
TABLE_ZH = {"table2": "表二", "table3": "表三", "table4": "表四", "fees": "信息处理费表"}


@dataclass(frozen=True)
class Evidence:
    """A cell or a sentence involved in a finding."""
    kind: str                                  # "cell" | "sentence"
    table: str | None = None
    row: str | None = None
    column: str | None = None
    value: float | int | None = None
    page: int | None = None
    line: int | None = None
    section: str | None = None                 # section path for sentences
    text: str | None = None                    # the sentence, or the cell's label in Chinese

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def describe(self) -> str:
        """One line for people: “表三 （七）总计 / 总计 = 12（第92行）” or “一、总体情况 / （二）…：“…””."""
        where = "".join(p for p in (f"第{self.page}页" if self.page else "",
                                    f"第{self.line}行" if self.line and not self.page else "") if p)
        where = f"（{where}）" if where else ""
        if self.kind == "cell":
            if self.column is None:              # a row or a label, not one value
                return f"{self.text}{where}"
            shown = "空白" if self.value is None else _num(self.value)
            return f"{self.text} = {shown}{where}"
        sentence = self.text or ""
        return f"{self.section or '正文'}{where}：“{sentence}”"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str                              # "error" | "warning" | "info"
    message: str                               # Chinese: the formula, both sides' values and the difference
    expected: float | int | str | None = None
    actual: float | int | str | None = None
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    def to_json(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "message": self.message,
                "expected": self.expected, "actual": self.actual,
                "evidence": [e.to_json() for e in self.evidence]}


def _num(v) -> str:
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".") if not v.is_integer() else str(int(v))
    return str(v)


def cell_label(table: str, row: str, col: str) -> str:
    """“表三 （七）总计 / 总计”, “表二 行政许可 / 本年处理决定数量”, “表四 行政复议 / 总计”."""
    column = column_label(table, row, col)
    if column == col and col.isascii():           # no printed name: “总计” for a total, else the row alone
        column = "总计" if col == "total" else ""
    return f"{TABLE_ZH.get(table, table)} {row_label(table, row)}" + (f" / {column}" if column else "")


def cell_evidence(report: Report, table: str, row: str, col: str) -> Evidence:
    t = report.table(table)
    cell = t.cell(row, col) if t is not None else None
    src = cell.source if cell is not None else None
    return Evidence(kind="cell", table=table, row=row, column=col,
                    value=None if cell is None else cell.value,
                    page=src.page if src else None, line=src.line if src else None,
                    text=cell_label(table, row, col))


def sentence_evidence(section: Section | None, sentence: str, line: int | None = None) -> Evidence:
    if section is None:
        return Evidence(kind="sentence", text=sentence)
    page, own_line = section.where(sentence)
    return Evidence(kind="sentence", section=section.path, text=sentence, page=page,
                    line=line if line is not None else own_line)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, then info; inside a severity, by rule id as RULES.md orders them."""
    order = "BDFTXQ"

    def key(f: Finding):
        r = f.rule
        fam = order.index(r[0]) if r and r[0] in order else len(order)
        nums = tuple(int(n) for n in re.findall(r"\d+", r))
        return SEVERITY_ORDER.get(f.severity, 3), fam, r[:2] if r[:2] == "T2" or r[:2] == "T3" or r[:2] == "T4" else r[0], nums
    return sorted(findings, key=key)
