"""Checks: the validator's findings stored with a report at ingest, picked for the question and explained
with their citations; the table identities recomputed for the table asked about (so the answer also says
what holds); and, for two years of one unit, whether the second year carries on from the first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from assistant.cite import TABLE_ZH, Citation, ReportView, dedupe, group_label
from assistant.guard import find_numbers
from assistant.metrics import format_number
from assistant.routes_text import bigrams
from assistant.scope import RouteResult, Scope
from assistant.validator import catalogue
from assistant.validator.findings import SEVERITY_ORDER, SEVERITY_ZH
from assistant.formulas import BALANCE_IN, BALANCE_OUT, OTHER_2019, OUTCOME_GROUPS, TABLE4_PARTS, outcome_rows
from ingest.schema import (TABLE3_COLUMN_LABELS, TABLE3_COLUMNS, TABLE3_OTHER_SPLIT, TABLE3_ROWS,
                           TABLE4_COLUMN_LABELS, TABLE4_GROUPS)

ARITHMETIC_RULES = ("T", "X")          # families whose findings mean a figure does not add up
_STOP_BIGRAMS = {"年报", "政府", "信息", "公开", "报告", "单位", "一下", "是否", "多少", "对吗", "有没", "没有", "问题",
                 "帮我", "我核", "核对", "是不", "不是", "里的", "这个", "那个", "年度", "工作", "情况"}


@dataclass
class CheckLine:
    text: str
    holds: bool | None                    # True holds, False does not, None cannot be checked (blank)
    citations: list[Citation] = field(default_factory=list)
    numbers: list = field(default_factory=list)
    relation: str = ""                    # T3-1 / T3-2 / T3-3 / T4-review …: the relation the line checks
    primary: bool = True                  # False: a column or row of the relation beside its main line


def _short(row: str) -> str:
    label = TABLE3_ROWS.get(row, row)
    if row == "total_processed":
        return "办理结果总计"
    return re.sub(r"^(（[一二三四五六七]）)?([一二三四]、)?(\d\.)?", "", label)


def _n(v) -> str:
    return "空白" if v is None else format_number(v)


# -- identities recomputed -----------------------------------------------------------------------------
def table3_identities(view: ReportView) -> list[CheckLine]:
    """T3-1 per column, T3-2 on the total column, T3-3 per row."""
    out: list[CheckLine] = []
    v = view.value
    rows = BALANCE_IN + BALANCE_OUT
    ok_cols, bad, blank_cols = [], [], []
    total_line = None
    for col in TABLE3_COLUMNS:
        a, b, p, f = (v("table3", r, col) for r in rows)
        if None in (a, b, p, f):
            blank_cols.append(TABLE3_COLUMN_LABELS[col])
            continue
        holds = a + b == p + f
        cites = [view.cite_cell("table3", r, col) for r in rows]
        expr = (f"本年新收{_n(a)} + 上年结转{_n(b)} = {_n(a + b)}，办理结果总计{_n(p)} + 结转下年度{_n(f)} = {_n(p + f)}")
        if col == "total":
            total_line = CheckLine(f"表三勾稽关系（第一项加第二项之和等于第三项加第四项之和），总计列：{expr}，"
                                   f"{'成立' if holds else f'不成立，相差{_n(abs(a + b - p - f))}'}{group_label(cites)}。",
                                   holds, cites, [a, b, p, f, a + b, p + f], "T3-1")
        elif holds:
            ok_cols.append(TABLE3_COLUMN_LABELS[col])
        else:
            bad.append(CheckLine(f"“{TABLE3_COLUMN_LABELS[col]}”列：{expr}，不成立，相差{_n(abs(a + b - p - f))}"
                                 f"{group_label(cites)}。", False, cites, [a + b, p + f], "T3-1", False))
    if total_line:
        out.append(total_line)
    if ok_cols:
        out.append(CheckLine(f"其余{'、'.join(ok_cols)}{len(ok_cols)}列的勾稽关系也都成立。", True, relation="T3-1",
                             primary=False))
    out += bad
    if blank_cols:
        out.append(CheckLine(f"{'、'.join(blank_cols)}列有空白单元格（空白不按0计），这些列的勾稽关系无法核对。", None,
                             relation="T3-1", primary=total_line is None))
    # T3-2: the outcome groups add up to （七）总计 (total column)
    present = [r for r in (*TABLE3_OTHER_SPLIT, *OTHER_2019) if v("table3", r, "total") is not None]
    groups = [(g.name, outcome_rows(g.key, present)) for g in OUTCOME_GROUPS]
    total = v("table3", "total_processed", "total")
    sums = [(name, [v("table3", r, "total") for r in rows]) for name, rows in groups]
    if total is not None and all(x is not None for _, vals in sums for x in vals):
        parts = [(name, sum(vals)) for name, vals in sums]
        s = sum(x for _, x in parts)
        expr = " + ".join(f"{name}{_n(x)}" for name, x in parts)
        cite = view.cite_cell("table3", "total_processed", "total")
        where = f"·{cite.where}" if cite.where and view.record.kind == "pdf" else ""
        label = f"〔{view.label}·表三第（一）至（六）项各行及“（七）总计”{where}〕"
        out.append(CheckLine(f"办理结果各项之和：{expr} = {_n(s)}，与“（七）总计”{_n(total)}"
                             f"{'相等，成立' if s == total else f'不相等，相差{_n(abs(s - total))}'}{label}。",
                             s == total, [cite], [s, total], "T3-2"))
    elif total is not None:
        out.append(CheckLine("办理结果各项中有空白单元格，“（七）总计”是否等于各项之和无法核对。", None, relation="T3-2"))
    # T3-3: every row's total equals the six applicant columns
    ok_rows, bad_rows, blank_rows = 0, [], 0
    for row in TABLE3_ROWS:
        vals = [v("table3", row, c) for c in TABLE3_COLUMNS]
        if all(x is None for x in vals) and (("table3", row, "total") not in view.facts):
            continue
        if any(x is None for x in vals):
            blank_rows += 1
            continue
        s, t = sum(vals[:-1]), vals[-1]
        if s == t:
            ok_rows += 1
        else:
            cites = [view.cite_cell("table3", row, "total")]
            bad_rows.append(CheckLine(f"“{TABLE3_ROWS[row]}”行：六类申请人之和{_n(s)}，“总计”{_n(t)}，不相等，"
                                      f"相差{_n(abs(s - t))}{group_label(cites)}。", False, cites, [s, t], "T3-3", False))
    if ok_rows or bad_rows:
        head = f"各行“总计”等于六类申请人（自然人、法人或其他组织各类）之和：{ok_rows}行成立"
        head += f"，{len(bad_rows)}行不成立。" if bad_rows else "，全部成立。"
        out.append(CheckLine(head, not bad_rows, relation="T3-3"))
        vals = [v("table3", "new_received", c) for c in TABLE3_COLUMNS]
        if None not in vals and not bad_rows:          # the arithmetic of the first row, as an example
            cites = [view.cite_cell("table3", "new_received", c) for c in TABLE3_COLUMNS]
            expr = " + ".join(f"{TABLE3_COLUMN_LABELS[c]}{_n(x)}" for c, x in zip(TABLE3_COLUMNS[:-1], vals[:-1]))
            out.append(CheckLine(f"例如“一、本年新收”行：{expr} = {_n(sum(vals[:-1]))}，与“总计”{_n(vals[-1])}相等"
                                 f"{group_label(cites)}。", True, cites, [sum(vals[:-1]), vals[-1]], "T3-3", False))
        out += bad_rows
    if blank_rows:
        out.append(CheckLine(f"另有{blank_rows}行有空白单元格，“总计”是否等于各列之和无法核对。", None, relation="T3-3",
                             primary=not (ok_rows or bad_rows)))
    return out


def table4_identities(view: ReportView) -> list[CheckLine]:
    """T4-1..3: each group's 总计 = 维持 + 纠正 + 其他 + 尚未审结; blank cells said to be blank."""
    out = []
    cols = TABLE4_PARTS
    for group, glabel in TABLE4_GROUPS.items():
        vals = [view.value("table4", group, c) for c in cols]
        tot = view.value("table4", group, "total")
        cites = [view.cite_cell("table4", group, c) for c in (*cols, "total")]
        blanks = [TABLE4_COLUMN_LABELS[c] for c, x in zip((*cols, "total"), (*vals, tot)) if x is None]
        if blanks:
            out.append(CheckLine(f"{glabel}一行有{len(blanks)}个空白单元格（{'、'.join(blanks)}），该行未填完整，"
                                 f"无法核对{group_label(cites)}。", None, cites, relation=f"T4-{group}"))
            continue
        s = sum(vals)
        expr = " + ".join(f"{TABLE4_COLUMN_LABELS[c]}{_n(x)}" for c, x in zip(cols, vals))
        if s == tot:
            out.append(CheckLine(f"{glabel}：{expr} = {_n(s)}，与“总计”{_n(tot)}相等，成立{group_label(cites)}。",
                                 True, cites, [s, tot], f"T4-{group}"))
        else:
            out.append(CheckLine(f"{glabel}：{expr} = {_n(s)}，但“总计”填的是{_n(tot)}，不一致，相差{_n(abs(s - tot))}"
                                 f"{group_label(cites)}。", False, cites, [s, tot], f"T4-{group}"))
    return out


def continuity(old: ReportView, new: ReportView, tables: set[str], rows2: Sequence[str] = ()) -> list[CheckLine]:
    """Year Y−1 → Y: 现行有效 carried forward (表二 rows `rows2`, default both) and 结转 (表三)."""
    out = []
    if "table2" in tables:
        for row, label in (("normative_documents", "行政规范性文件"), ("regulations", "规章")):
            if rows2 and row not in rows2:
                continue
            prev = old.value("table2", row, "in_force")
            issued, repealed, now = (new.value("table2", row, c) for c in ("issued", "repealed", "in_force"))
            if all(x is None for x in (prev, issued, repealed, now)):
                continue
            cites = [old.cite_cell("table2", row, "in_force")] + \
                    [new.cite_cell("table2", row, c) for c in ("issued", "repealed", "in_force")]
            if None in (prev, issued, repealed, now):
                out.append(CheckLine(f"{label}现行有效件数：有空白单元格，无法核对衔接{group_label(cites)}。", None, cites))
                continue
            expect = prev + issued - repealed
            expr = (f"{old.year}年现行有效{_n(prev)}件 + {new.year}年本年制发{_n(issued)}件 − {new.year}年本年废止"
                    f"{_n(repealed)}件 = {_n(expect)}件")
            if expect == now:
                out.append(CheckLine(f"{label}现行有效件数：{expr}，与{new.year}年现行有效{_n(now)}件一致，"
                                     f"两年能衔接{group_label(cites)}。", True, cites, [prev, issued, repealed, expect, now]))
            elif row == "regulations" and not any((prev, issued, repealed, now)):
                continue
            else:
                out.append(CheckLine(f"{label}现行有效件数：{expr}，而{new.year}年现行有效为{_n(now)}件，不一致，"
                                     f"相差{_n(abs(expect - now))}件（文件清理、失效也会造成差异，应在正文说明）"
                                     f"{group_label(cites)}。", False, cites, [prev, issued, repealed, expect, now]))
    if "table3" in tables:
        fwd, over = old.value("table3", "carried_forward", "total"), new.value("table3", "carried_over", "total")
        cites = [old.cite_cell("table3", "carried_forward", "total"), new.cite_cell("table3", "carried_over", "total")]
        if fwd is not None and over is not None:
            same = fwd == over
            out.append(CheckLine(f"依申请结转：{old.year}年结转下年度{_n(fwd)}件，{new.year}年上年结转{_n(over)}件，"
                                 f"{'一致' if same else f'不一致，相差{_n(abs(fwd - over))}件'}{group_label(cites)}。",
                                 same, cites, [fwd, over]))
    return out


def half_continuity(view: ReportView, other_year: int, tables: set[str], rows2: Sequence[str] = ()) -> list[CheckLine]:
    """One of two years is missing: the formula, this year's figures, and what the other year must show."""
    out = []
    later = other_year > (view.year or 0)
    if "table2" in tables:
        for row, label in (("normative_documents", "行政规范性文件"), ("regulations", "规章")):
            if (rows2 and row not in rows2) or (not rows2 and row == "regulations"):
                continue
            issued, repealed, now = (view.value("table2", row, c) for c in ("issued", "repealed", "in_force"))
            cites = [view.cite_cell("table2", row, c) for c in ("issued", "repealed", "in_force")]
            if later or None in (issued, repealed, now):
                out.append(CheckLine(f"核对方法：{label}上年现行有效件数 + 本年制发件数 − 本年废止件数 = 本年现行有效件数；"
                                     f"资料库中没有{other_year}年的年报，无法核对{group_label(cites)}。", None, cites))
                continue
            implied = now - issued + repealed
            out.append(CheckLine(f"核对方法：{label}上年现行有效件数 + 本年制发件数 − 本年废止件数 = 本年现行有效件数。"
                                 f"{view.year}年本年制发{_n(issued)}件、本年废止{_n(repealed)}件、现行有效{_n(now)}件"
                                 f"{group_label(cites)}，据此{other_year}年报的现行有效件数应为{_n(implied)}件"
                                 f"（{_n(now)} − {_n(issued)} + {_n(repealed)} = {_n(implied)}）；资料库中没有{other_year}年的年报，"
                                 f"请取该年报核对，不一致时应在正文说明原因（如文件清理、失效）。", None, cites,
                                 [issued, repealed, now, implied]))
    if "table3" in tables and not later:
        over = view.value("table3", "carried_over", "total")
        if over is not None:
            c = view.cite_cell("table3", "carried_over", "total")
            out.append(CheckLine(f"依申请结转：{view.year}年上年结转{_n(over)}件{c.label()}，应等于{other_year}年报的"
                                 f"“结转下年度继续办理”；资料库中没有{other_year}年的年报，无法核对。", None, [c], [over]))
    return out


# -- findings ------------------------------------------------------------------------------------------
def finding_tables(f: dict) -> set[str]:
    tables = {e.get("table") for e in f.get("evidence", []) if e.get("table")}
    for name, zh in TABLE_ZH.items():
        if zh in f.get("message", ""):
            tables.add(name)
    return tables


def _question_numbers(question: str) -> set[float]:
    out = set()
    for tok in find_numbers(question):
        after = question[tok.end:tok.end + 1]
        if after == "年" and 1900 <= tok.values[0] <= 2100:
            continue
        out.update(tok.values)
    return out


def _finding_numbers(f: dict) -> set[float]:
    """The figures a finding is about: expected/actual and message numbers that count something (N件/条/个…)."""
    out = {float(x) for x in (f.get("expected"), f.get("actual")) if isinstance(x, (int, float))}
    message = f.get("message", "")
    for tok in find_numbers(message):
        if re.match(r"\s*(件|条|个|项|人|次|万元|元|%)", message[tok.end:tok.end + 4]) or tok.percent:
            out.update(tok.values)
    return out


def relevance(f: dict, tables: set[str], numbers: set[float], words: set[str]) -> float:
    score = 0.0
    if tables and finding_tables(f) & tables:
        score += 2
    if numbers and numbers & _finding_numbers(f):
        score += 3
    text = f.get("message", "") + "".join(e.get("text") or "" for e in f.get("evidence", []))
    score += min(len(words & bigrams(text)), 6) * 0.5
    return score


def relevant_findings(findings: Sequence[dict], query, question: str, tables: set[str]) -> tuple[list[dict], bool]:
    """The findings the question is about; (all errors and warnings, True) when it names nothing specific."""
    rest = question
    for mention, _ in getattr(query, "mentions", []):
        rest = rest.replace(mention, " ")
    numbers = _question_numbers(rest)
    words = bigrams(re.sub(r"(19|20)\d{2}年?", " ", rest)) - _STOP_BIGRAMS
    specific = bool(tables or numbers or query.metrics)
    scored = [(relevance(f, tables, numbers, words), i, f) for i, f in enumerate(findings)]
    chosen = [f for s, i, f in sorted(scored, key=lambda x: (-x[0], x[1])) if s >= 2]
    if chosen or specific:
        return sorted(chosen, key=lambda f: SEVERITY_ORDER.get(f.get("severity"), 3)), False
    return [f for f in findings if f.get("severity") in ("error", "warning")], True


def explain_finding(view: ReportView, f: dict) -> tuple[str, list[Citation]]:
    cites = dedupe(view.cite_evidence(e) for e in f.get("evidence", []))
    message = f.get("message", "").strip()
    quotes = [c.text for c in cites if not c.table and c.text and c.text not in message
              and len(c.text) >= 8 and c.text != c.section]
    line = f"【{SEVERITY_ZH.get(f.get('severity'), '提示')}·{f.get('rule', '')}】{message}"
    if quotes:
        shown = "".join(quotes)
        line += f"原文：“{shown[:160]}{'……' if len(shown) > 160 else ''}”"
    line += group_label(cites)
    rule = f.get("rule", "")
    advice = catalogue.advice(rule)
    if advice and f.get("severity") in ("error", "warning"):
        line += f"建议：{advice}"
    return line, cites


# -- the route -----------------------------------------------------------------------------------------
def _tables_of(query) -> set[str]:
    tables = set(query.tables)
    for m in query.metrics:
        if m.table in ("table2", "table3", "table4"):
            tables.add(m.table)
        elif m.table == "derived":
            tables.add("table4" if m.row.startswith(("review", "litigation")) else "table3")
    return tables


def answer_check(query, library, scope: Scope, question: str) -> RouteResult:
    """A verdict first, then the identities recomputed for the tables named, the year-to-year carry-over
    when two years are asked about, and the stored findings the question is about, each with citations."""
    if not scope.views:
        text = "\n".join(scope.notes + ["资料库中没有可核对的年报。"])
        return RouteResult("check", text, [], [], [], [text])
    named_tables = set(query.tables)
    tables = _tables_of(query)
    lines: list[str] = []
    checks: list[CheckLine] = []
    cites: list[Citation] = []
    facts: list[dict] = []
    targets: list[ReportView] = []
    explained = False
    by_agency: dict[str, list[ReportView]] = {}
    for v in scope.views:
        by_agency.setdefault(v.agency or "", []).append(v)
    for agency, views in by_agency.items():
        views = sorted(views, key=lambda v: v.year or 0)
        lacking = sorted(y for a, y in scope.missing if a == agency)
        if len(views) == 1 and lacking and len(query.years) >= 2:
            explained = True
            half = half_continuity(views[0], lacking[0], tables or {"table2", "table3"},
                                   [m.row for m in query.metrics if m.table == "table2"])
            lines += [c.text for c in half]
            cites += [x for c in half for x in c.citations]
            facts += [{"check": c.text, "holds": None} for c in half]
        if len(views) >= 2 and len(query.years) >= 2:
            for old, new in zip(views, views[1:]):
                rows2 = [m.row for m in query.metrics if m.table == "table2"]
                cont = continuity(old, new, tables or {"table2", "table3"}, rows2)
                if cont:
                    lines.append(f"{agency}{old.year}年与{new.year}年年报衔接核对：")
                    lines += [c.text for c in cont]
                    checks += cont
                    cites += [x for c in cont for x in c.citations]
            targets.append(views[-1])
        else:
            targets.extend(views)
    asked = asked_relations(query, question)
    for view in targets:
        own: list[CheckLine] = []
        if asked:           # the relation the question names, computed whether or not it names its table
            if any(r.startswith("T3") for r in asked):
                own += [c for c in table3_identities(view) if c.relation in asked]
            if any(r.startswith("T4") for r in asked):
                own += [c for c in table4_identities(view) if c.relation in asked]
        else:
            if "table3" in named_tables:
                own += table3_identities(view)
            if "table4" in named_tables:
                own += table4_identities(view)
        found, general = relevant_findings(view.findings(), query, question, tables)
        covered = (("T3-1", "T3-2", "T3-3") if "table3" in named_tables else ()) + \
                  (("T4-1", "T4-2", "T4-3") if "table4" in named_tables else ()) + \
                  tuple(_RELATION_RULES[r] for r in asked)
        found = [f for f in found if f.get("rule") not in covered]
        if len(query.years) >= 2 and len(targets) == 1:
            found = [f for f in found if f.get("rule", "")[:2] in ("T2", "T3", "Q1") or f.get("severity") == "error"]
        if own:
            lines.append(f"{view.label}核对结果：")
            lines += [c.text for c in own]
        checks += own
        if found:
            head = "校验发现的错误和警告" if general else "与问题相关的校验发现"
            lines.append(f"{view.label}{head}（入库时由程序逐条核对）：")
            for i, f in enumerate(found[:10], 1):
                text, fc = explain_finding(view, f)
                lines.append(f"{i}. {text}")
                cites += fc
                facts.append({"report": view.label, "file": view.file, "rule": f.get("rule"),
                              "severity": f.get("severity"), "message": f.get("message"),
                              "expected": f.get("expected"), "actual": f.get("actual"),
                              "citations": [c.label() for c in fc]})
            if len(found) > 10:
                lines.append(f"……另有{len(found) - 10}条，可用 nianbao check 查看全部。")
        elif not own and not checks and not explained:
            n = len(view.findings())
            lines.append(f"{view.label}：入库校验中没有与该问题相关的发现" + (f"（该报告共有{n}条校验发现）。" if n else "。"))
        for c in own:
            cites += c.citations
    verdict = _verdict(checks, [f for f in facts if f.get("rule")], bool(asked))
    text = "\n".join(scope.notes + ([verdict] if verdict else []) + lines)
    allowed: list = [text] + [x for c in checks for x in c.numbers if isinstance(x, (int, float))]
    required = [x for c in checks for x in c.numbers[-2:] if isinstance(x, (int, float))]
    return RouteResult("check", text, dedupe(cites), facts + [{"check": c.text, "holds": c.holds} for c in checks],
                       [], allowed, required=list(dict.fromkeys(required)))


def _verdict(checks: list[CheckLine], findings: list[dict], asked: bool = False) -> str:
    """The conclusion first. With `asked` (the question names its relation), it answers that relation: a blank
    in a column or row beside it, or a finding about something else, never turns it into “无法核对”."""
    failed = [c for c in checks if c.holds is False]
    blank = [c for c in checks if c.holds is None and (c.primary or not asked)]
    held = [c for c in checks if c.holds]
    if asked and checks and not failed and not blank:
        others = [f for f in findings if f["severity"] in ("error", "warning")]
        return "结论：一致，所问的关系成立（算式见下文）" + (f"；另有{len(others)}条其他方面的校验发现" if others else "") + "。"
    if asked and failed:
        others = [f for f in findings if f["severity"] in ("error", "warning")]
        return (f"结论：不一致，所问的关系有{len(failed)}处不成立（算式见下文）"
                + (f"；另有{len(others)}条其他方面的校验发现" if others else "") + "。")
    problems = [f for f in findings if f["severity"] in ("error", "warning")
                and f["rule"][:1] in ARITHMETIC_RULES and not asked]
    others = [f for f in findings if f["severity"] in ("error", "warning") and f not in problems]
    parts = []
    n = len(failed) + len(problems)
    if n:
        parts.append(f"发现{n}处不一致，详见下文")
    if blank:
        parts.append("有空白单元格（表格未填完整），涉及的关系无法核对")
    if held:
        parts.append(("其余" if parts else "") + "所核对的关系均成立")
    if others:
        parts.append(f"另有{len(others)}条其他方面的校验发现")
    return "结论：" + "；".join(parts) + "。" if parts else ""


# -- the relation a question asks about -------------------------------------------------------------------------
_RELATION_RULES = {"T3-1": "T3-1", "T3-2": "T3-2", "T3-3": "T3-3", "T4-review": "T4-1",
                   "T4-litigation_direct": "T4-2", "T4-litigation_after_review": "T4-3"}
_T3_BALANCE = {"new_received", "carried_over", "total_processed", "carried_forward"}
_T3_OUTCOME_DERIVED = {"denied_total", "unavailable_total", "not_processed_total", "other_processing_total"}
_APPLICANTS_SUM = re.compile(r"各类申请人|六类申请人|申请人之和|各列之和|各类之和|申请人.{0,6}(相加|加起来)")
_PARTS_SUM = re.compile(r"之和|相加|加起来|合计|各项|等于|一致|对得上|对上|相符")


def asked_relations(query, question: str) -> set[str]:
    """Which table identities the question asks about: T3-1 (新收 + 上年结转 = 办理 + 结转下年), T3-2 (办理结果
    各项之和 = （七）总计), T3-3 (各类申请人之和 = 总计), T4-<group> (表四 a group's results = its 总计)."""
    out: set[str] = set()
    rows3 = {m.row for m in query.metrics if m.table == "table3"}
    if _APPLICANTS_SUM.search(question):
        out.add("T3-3")
    if len(rows3 & _T3_BALANCE) >= 3:
        out.add("T3-1")
    outcome = [m for m in query.metrics if (m.table == "table3" and m.row not in _T3_BALANCE)
               or (m.table == "derived" and m.row in _T3_OUTCOME_DERIVED)]
    if "total_processed" in rows3 and "T3-1" not in out and (outcome or re.search(r"办理结果各项|各项办理结果", question)) \
            and _PARTS_SUM.search(question):
        out.add("T3-2")
    groups = {m.row for m in query.metrics if m.table == "table4"}
    if any(m.table == "derived" and m.row.startswith("litigation_") for m in query.metrics):
        groups |= {"litigation_direct", "litigation_after_review"}
    if groups and _PARTS_SUM.search(question) and re.search(r"总计|总数|合计|之和|各项", question):
        out |= {f"T4-{g}" for g in groups}
    return out


# -- questions over the whole library about findings -----------------------------------------------------------
FINDING_TOPICS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (r"统计期限|统计时限", ("D1",), "没有写明统计期限（或写错）"),
    (r"落款|发布日期|按时发布|发布时限|逾期发布|超期发布", ("D3", "D4"), "没有落款日期或发布时间不符合时限"),
    (r"信息处理费|处理费|收费情况", ("B8", "T3-8"), "没有说明信息处理费收取情况"),
    (r"旧通知|60号|格式文件|2019年的通知|引用", ("F3",), "引用旧通知或没有引用格式文件"),
    (r"整改", ("B9",), "第五部分没有写上年问题整改情况"),
    (r"平台建设|五个方面", ("B2",), "总体情况缺少规定的方面"),
    (r"空泛|太空|笼统", ("Q3",), "第五部分所列问题空泛"),
    (r"雷同|抄袭|重复率|照抄", ("Q1", "Q2"), "与上年或其他单位雷同"),
    (r"错别字|错字|别字", ("Q6",), "疑似错别字"),
    (r"勾稽|对不上|不一致|填错", ("T3-1", "T3-2", "T3-3", "T4-1", "T4-2", "T4-3", "X1", "X2", "X3", "X4", "T3-9", "T2-8"),
     "表格勾稽或正文与表格不一致"),
)
_WHICH = re.compile(r"哪些|哪几|哪份|哪个|哪家|有没有.{0,12}(年报|报告)")


def library_finding_topics(question: str) -> list[tuple[str, tuple[str, ...], str]]:
    if not _WHICH.search(question):
        return []
    return [t for t in FINDING_TOPICS if re.search(t[0], question)]


def answer_library_findings(question: str, scope: Scope) -> RouteResult:
    """“哪些年报没写统计期限或没有落款日期？”: the reports whose stored findings carry those rules."""
    lines, cites, facts = [], [], []
    for _, rules, title in library_finding_topics(question):
        hits = []
        for view in scope.views:
            for f in view.findings():
                if f.get("rule") in rules and f.get("severity") in ("error", "warning"):
                    fc = dedupe(view.cite_evidence(e) for e in f.get("evidence", []))
                    hits.append((view, f, fc))
                    break
        if hits:
            lines.append(f"{title}的年报有{len(hits)}份（资料库共{len(scope.views)}份）：")
            for i, (view, f, fc) in enumerate(hits, 1):
                lines.append(f"{i}. {view.label}：【{SEVERITY_ZH.get(f.get('severity'), '提示')}·{f.get('rule')}】"
                             f"{f.get('message', '').strip()}{group_label(fc)}")
                cites += fc or [Citation(view.file, view.agency, view.year, report_id=view.record.id)]
                facts.append({"report": view.label, "file": view.file, "rule": f.get("rule"),
                              "severity": f.get("severity"), "message": f.get("message")})
        else:
            lines.append(f"资料库的{len(scope.views)}份年报中，入库校验没有发现“{title}”的情况。")
    text = "\n".join(scope.notes + lines)
    return RouteResult("check", text, dedupe(cites), facts, [], [text])
