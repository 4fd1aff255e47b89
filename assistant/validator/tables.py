"""Rules on the three standard tables alone (RULES.md b): structure B4–B7, format F1–F2, 表二 T2-1…T2-6
(and T2-3/T2-4 across years), 表三 T3-1…T3-7 and T3-10, 表四 T4-1…T4-6.

A blank cell (value None) is listed once (B7, info) and makes every equation it enters “not assessable”:
such equations are summed up in one info finding per rule, never reported as errors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.validator.findings import ERROR, INFO, WARNING, Evidence, Finding, cell_evidence, cell_label, TABLE_ZH
from assistant import formulas
from assistant.formulas import BALANCE_IN, TABLE3_ORG_COLUMNS
from assistant.numbers_zh import fmt
from assistant.units import unit_kind
from assistant.validator.catalogue import READING_RULE
from ingest.report import READING_CODES, Report, Table
from ingest.schema import (FORMAT_2019, TABLE2_2019_ROWS, TABLE2_ROWS, TABLE3_COLUMN_LABELS, TABLE3_COLUMNS,
                           TABLE3_OTHER_SPLIT, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_GROUPS,
                           column_label, row_label)


# extractor warning code -> (rule, severity)
WARNING_RULES = {
    "extra_cell": ("B6", WARNING),
    "missing_cell": ("B6", WARNING),
    "label_typo": ("B5", WARNING),
    "label_missing": ("B5", WARNING),
}

FIRST_CERTAIN_2021_FORMAT_YEAR = 2022     # from this report year on, the 2019 trial format is certainly outdated
_T3_FORMULA = {"T3-1": "勾稽关系：一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度继续办理",
               "T3-2": "（七）总计 = 各项办理结果之和（（一）至（六））"}
_T3_3 = "总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他"
_SECTION_NO = {"table2": "二", "table3": "三", "table4": "四"}
_SECTION_KEY = {"table2": "s2_proactive", "table3": "s3_requests", "table4": "s4_review_litigation"}
Ref = tuple[str, str, str]          # (table, row, column)


@dataclass(frozen=True)
class Unassessable:
    """An equation skipped because a cell is blank: what it says, and whether it would hold with blanks as 0."""
    where: str
    refs: tuple[Ref, ...]
    holds_if_zero: bool


def _value(report: Report, ref: Ref):
    t = report.table(ref[0])
    return None if t is None else t.value(ref[1], ref[2])


def _short_row(table: str, row: str) -> str:
    label = row_label(table, row)
    return label.split("（区分处理")[0]


def _name(ref: Ref) -> str:
    table, row, col = ref
    if table == "table3":
        return _short_row(table, row)
    if table == "table4":
        return column_label(table, row, col)
    return f"{row_label(table, row)}{column_label(table, row, col)}"


def _terms(report: Report, refs: tuple[Ref, ...], show_zero: bool) -> str:
    """“予以公开11 + 本机关不掌握1 + 其余21项为0” or “10+1+0+0”."""
    vals = [(r, _value(report, r)) for r in refs]
    if show_zero or len(refs) <= 6:
        return " + ".join(f"{_name(r)}{fmt(v)}" for r, v in vals)
    shown = [f"{_name(r)}{fmt(v)}" for r, v in vals if v not in (0, None)]
    zeros = sum(1 for _, v in vals if v == 0)
    if zeros:
        shown.append(f"其余{zeros}项为0")
    return " + ".join(shown) if shown else "各项均为0"


def _sum(report: Report, refs) -> float | int | None:
    vals = [_value(report, r) for r in refs]
    if any(v is None for v in vals):
        return None
    return sum(vals)


def _zero_sum(report: Report, refs) -> float | int:
    return sum(_value(report, r) or 0 for r in refs)


class Collector:
    """Gathers findings and the equations that could not be assessed, per rule."""

    def __init__(self, report: Report):
        self.report = report
        self.findings: list[Finding] = []
        self.unassessable: dict[str, list[Unassessable]] = {}

    def add(self, f: Finding) -> None:
        self.findings.append(f)

    def equation(self, rule: str, severity: str, where: str, formula: str, left: tuple[Ref, ...],
                 right: tuple[Ref, ...], left_text: str | None = None, right_text: str | None = None) -> None:
        """Check Σleft = Σright; a blank on either side makes it unassessable."""
        lv, rv = _sum(self.report, left), _sum(self.report, right)
        refs = left + right
        if lv is None or rv is None:
            self.unassessable.setdefault(rule, []).append(
                Unassessable(where, refs, _zero_sum(self.report, left) == _zero_sum(self.report, right)))
            return
        if lv == rv:
            return
        diff = rv - lv
        lt = left_text or _terms(self.report, left, False)
        if len(right) == 1 and right_text is None:
            message = (f"{where}：{formula}。各项之和 {lt} = {fmt(lv)}，表中“{_name(right[0])}”为 {fmt(rv)}，"
                       f"相差 {fmt(abs(diff))}。")
        else:
            rt = right_text or _terms(self.report, right, False)
            message = (f"{where}：{formula}。左边 {lt} = {fmt(lv)}，右边 {rt} = {fmt(rv)}，"
                       f"相差 {fmt(abs(diff))}。")
        self.add(Finding(rule, severity, message, expected=lv, actual=rv,
                         evidence=tuple(cell_evidence(self.report, *r) for r in refs)))

    def flush_unassessable(self) -> None:
        for rule, items in self.unassessable.items():
            blanks = []
            seen = set()
            for u in items:
                for r in u.refs:
                    if r not in seen and _value(self.report, r) is None:
                        seen.add(r)
                        blanks.append(r)
            wheres = "；".join(u.where for u in items[:6]) + (f"等{len(items)}处" if len(items) > 6 else "")
            hold = sum(u.holds_if_zero for u in items)
            message = (f"{rule} 有{len(items)}处等式含空白单元格，无法核对（{wheres}）。"
                       f"空白不按0计；若按0计，其中{hold}处成立、{len(items) - hold}处不成立。")
            self.add(Finding(rule, INFO, message, expected=None, actual=None,
                             evidence=tuple(cell_evidence(self.report, *r) for r in blanks)))


# -- structure ------------------------------------------------------------------------------------
def _expected_table3_rows(t: Table) -> list[str]:
    rows = [r for r in TABLE3_ROWS if r not in TABLE3_OTHER_SPLIT and r not in formulas.OTHER_2019]
    rows.extend(formulas.outcome_rows("other", t.rows))
    return rows


def check_structure(report: Report, c: Collector) -> None:
    """B4 only for a table the report really lacks (`table_missing`); a table we could not read is a reading
    warning. A row we did not find is never certain (merged cells, labels detached from their numbers in
    converted text, a blank row): B5 warning asking to check the original, never an error."""
    missing, unread = report.missing_tables(), report.unread_tables()
    for name in ("table2", "table3", "table4"):
        if report.table(name) is not None:
            continue
        if name in missing and report.section(_SECTION_KEY[name]) is not None:
            c.add(Finding("B4", ERROR, f"没有{TABLE_ZH[name]}：第{_SECTION_NO[name]}部分没有表格，年报必须以表格形式列出"
                                       f"{TABLE_ZH[name]}，不能用文字代替。", expected="表格", actual="缺失"))
        else:
            why = "该部分有表格样式的内容，但无法识别其行列" if name in unread else \
                "没有找到该部分" if report.section(_SECTION_KEY[name]) is None else "没有找到可识别的表格"
            c.add(Finding(READING_RULE, WARNING, f"未能读取{TABLE_ZH[name]}（{why}），因此没有核对{TABLE_ZH[name]}的数字。"
                                                 f"这是读取问题，不是年报的错误，请核对原件。", expected=None, actual=None))
    # B5: rows of each table
    t2 = report.table2
    if t2 is not None:
        rows = TABLE2_2019_ROWS if report.format == FORMAT_2019 else TABLE2_ROWS
        for row, (label, cols) in rows.items():
            if row not in t2.rows:
                c.add(Finding("B5", WARNING, f"表二没有读到“{label}”行：原表可能缺少该行（按格式应保留，没有数字填0），"
                                             f"也可能是本工具未能读取，请核对原件。", expected=label, actual="未读到"))
                continue
            for col in cols:
                if col not in t2.rows[row]:
                    c.add(Finding("B5", WARNING, f"表二“{label}”行没有读到“{column_label('table2', row, col)}”列，请核对原件。",
                                  expected=column_label("table2", row, col), actual="未读到"))
    t3 = report.table3
    if t3 is not None:
        for row in _expected_table3_rows(t3):
            if row not in t3.rows:
                c.add(Finding("B5", WARNING, f"表三没有读到“{TABLE3_ROWS[row]}”行：原表可能缺少该行，也可能是合并单元格或"
                                             f"行名与数字分开排版，本工具未能读取，请核对原件。", expected=TABLE3_ROWS[row],
                              actual="未读到"))
            else:
                missing_cols = [TABLE3_COLUMN_LABELS[k] for k in TABLE3_COLUMNS if k not in t3.rows[row]]
                if missing_cols:
                    c.add(Finding("B6", WARNING, f"表三“{TABLE3_ROWS[row]}”行应有7个单元格，缺少："
                                                 f"{'、'.join(missing_cols)}。", expected=7, actual=7 - len(missing_cols)))
    t4 = report.table4
    if t4 is not None:
        present = sum(1 for g in TABLE4_GROUPS for k in TABLE4_COLUMNS if t4.cell(g, k) is not None)
        if present != 15:
            c.add(Finding("B6", WARNING, f"表四应有15个单元格（3组×5列），读到{present}个。", expected=15,
                          actual=present))
    # extractor warnings: label typos (B5), cells too many or too few (B6)
    for w in report.warnings:
        rule = WARNING_RULES.get(w.code)
        if rule is None and w.code in READING_CODES and w.code != "table_unread":
            rule = (READING_RULE, WARNING)
        if rule is None:
            continue
        ev = Evidence(kind="cell", table=w.table, row=w.row, page=w.source.page if w.source else None,
                      line=w.source.line if w.source else None,
                      text=f"{TABLE_ZH.get(w.table or '', '表格')} {row_label(w.table, w.row) if w.row else ''}".strip())
        if rule[0] != READING_RULE:
            message = f"（读取时发现）{w.message}"
        elif w.message.startswith("未能读取"):
            message = f"{w.message.rstrip('。')}。这是读取问题，不是年报的错误。"
        else:
            message = f"未能读取{ev.text}：{w.message.rstrip('。')}。这是读取问题，不是年报的错误，请核对原件。"
        c.add(Finding(rule[0], rule[1], message, expected=None, actual=None, evidence=(ev,)))
    check_glued_unbalanced(report, c)
    # B7: blank cells, listed once per table
    for name in ("table2", "table3", "table4"):
        t = report.table(name)
        if t is None:
            continue
        blanks = [(r, k) for r, cols in t.rows.items() for k, cell in cols.items()
                  if cell.value is None and not report.unread_cell(name, r, cell)]   # unread: our failure, not blank
        if not blanks:
            continue
        rows = []
        for r, _ in blanks:
            if r not in rows:
                rows.append(r)
        listed = "；".join(f"{row_label(name, r)}：{'、'.join(column_label(name, r, k) for rr, k in blanks if rr == r)}"
                          for r in rows[:8]) + (f"……共{len(rows)}行" if len(rows) > 8 else "")
        c.add(Finding("B7", INFO, f"{TABLE_ZH[name]}有{len(blanks)}个空白单元格（未填数字，或写“/”“—”），"
                                  f"不按0计，涉及的等式不作核对：{listed}。", expected=None, actual=len(blanks),
                      evidence=tuple(cell_evidence(report, name, r, k) for r, k in blanks)))


_GLUED_RULE = {"table3": "T3-3", "table4": "T4-1"}


def check_glued_unbalanced(report: Report, c: Collector) -> None:
    """A glued row of digits that fits the row in several ways, none of which adds up: the row is inconsistent
    whatever its true reading, an error of the report, quoted with its digits (the reader left it blank)."""
    for w in report.warnings:
        if w.code != "glued_unbalanced" or w.table not in _GLUED_RULE:
            continue
        rule = _GLUED_RULE[w.table]
        if w.table == "table4" and w.row in ("litigation_direct", "litigation_after_review"):
            rule = {"litigation_direct": "T4-2", "litigation_after_review": "T4-3"}[w.row]
        formula = _T3_3 if w.table == "table3" else "结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计"
        ev = Evidence(kind="cell", table=w.table, row=w.row, page=w.source.page if w.source else None,
                      line=w.source.line if w.source else None,
                      text=f"{TABLE_ZH[w.table]} {row_label(w.table, w.row) if w.row else ''}".strip())
        c.add(Finding(rule, ERROR, f"{w.message.rstrip('。')}（{formula}）。请核对该行数字，改正后重新发布。",
                      expected="平衡", actual="不平衡", evidence=(ev,)))


# -- format ----------------------------------------------------------------------------------------
def check_format(report: Report, c: Collector) -> None:
    y = report.year
    t3 = report.table3
    if y is None:
        return
    if y >= 2021 and t3 is not None and formulas.uses_single_other(t3.rows) and _other_rows_unsure(report) \
            and not _table2_2019_items_read(report):
        # the old form rests only on （六）'s sub-rows being absent, and we did not read all of 表三: ours to say
        c.add(Finding(READING_RULE, WARNING, "未能确定表三的版式：表三“（六）其他处理”只读到1行，但表三有未能读取的内容，"
                                             "可能是程序没有读出其3个小项。这是读取问题，不是年报的错误，请核对原件。",
                      expected=None, actual=None,
                      evidence=tuple(cell_evidence(report, "table3", "other_processing", k) for k in ("total",))))
    elif y >= 2021 and report.format == FORMAT_2019:
        # 30号 was issued on 2021-09-26; that it binds the 2021 reports is not verified (RULES.md: [M]), so a
        # 2021 report in the old format is a warning, a later one an error
        single = t3 is not None and formulas.uses_single_other(t3.rows)
        c.add(Finding("F1", ERROR if y >= FIRST_CERTAIN_2021_FORMAT_YEAR else WARNING,
                      f"{y}年度报告应使用2021年版格式（国办公开办函〔2021〕30号），但本报告使用了2019年试行版的表格："
                      f"{_printed_2019_items(report, single)}。", expected="2021", actual="2019",
                      evidence=_format_evidence(report, single)))
    elif y >= 2021 and t3 is not None and formulas.uses_single_other(t3.rows):
        c.add(Finding("F1", WARNING, f"{y}年度报告应使用2021年版表三：“（六）其他处理”应分为3个小项（逾期不补正、"
                                     f"逾期未缴费、其他），本表只有1行（2019年试行版样式）。",
                      expected="3个小项", actual="1行",
                      evidence=tuple(cell_evidence(report, "table3", "other_processing", k) for k in ("total",))))
    if y in (2019, 2020) and report.format != FORMAT_2019 and report.table2 is not None:
        c.add(Finding("F2", INFO, f"{y}年度报告按规定可用2019年试行版格式；本报告已使用2021年版表格，可以接受。",
                      expected="2019", actual=report.format))


_2019_ITEMS_SHOWN = 4       # 2019-form 表二 items quoted in the F1 finding


_2019_ONLY_COLUMNS = ("new_made", "new_published", "total_published", "prev_items", "delta", "proc_items",
                      "proc_amount")


def _other_rows_unsure(report: Report) -> bool:
    """Whether 表三 carries a reading warning (a table, row or cell we could not read or read unsure)."""
    return any(w.table == "table3" for w in report.reading_warnings())


def _table2_2019_items_read(report: Report) -> bool:
    """Whether 表二 printed columns only the 2019 form has (本年新制作数量, 对外公开总数量 …): positive evidence."""
    t2 = report.table2
    return t2 is not None and any(t2.cell(row, col) is not None for row, (_, cols) in TABLE2_2019_ROWS.items()
                                  for col in cols if col in _2019_ONLY_COLUMNS)


def _printed_2019_items(report: Report, single_other: bool) -> str:
    """The 2019-form items the report printed, in the words of its own table (表二“规范性文件”“本年新制作数量”…;
    表三 a single “（六）其他处理” row), so that an official recognises the old form."""
    from assistant.cite import cell_column_label
    parts = []
    t2 = report.table2
    if t2 is not None:
        items = []
        for row, (label, cols) in TABLE2_2019_ROWS.items():
            present = [col for col in cols if t2.cell(row, col) is not None]
            if present and any(col in _2019_ONLY_COLUMNS for col in present):
                items.append(f"“{label}”的" + "、".join(f"“{cell_column_label('table2', row, col)}”" for col in present))
        if items:
            parts.append("表二印有" + "；".join(items[:_2019_ITEMS_SHOWN]) + ("等栏目" if len(items) > _2019_ITEMS_SHOWN else "栏目"))
        else:
            parts.append("表二使用了2019年试行版的栏目（本年新制作数量、对外公开总数量等）")
    if single_other:
        parts.append("表三“（六）其他处理”只印了1行，没有分为“1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请”"
                     "“2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请”“3.其他”3个小项")
    return "；".join(parts)


def _format_evidence(report: Report, single_other: bool) -> tuple[Evidence, ...]:
    out = []
    t2 = report.table2
    if t2 is not None:
        for row, (_, cols) in TABLE2_2019_ROWS.items():
            for col in cols:
                if t2.cell(row, col) is not None and col in ("new_made", "prev_items", "proc_items"):
                    out.append(cell_evidence(report, "table2", row, col))
    if single_other:
        out.append(cell_evidence(report, "table3", "other_processing", "total"))
    return tuple(out[:_2019_ITEMS_SHOWN + 1])


# -- 表二 ------------------------------------------------------------------------------------------
def check_table2(report: Report, previous: Report | None, c: Collector) -> None:
    t2 = report.table2
    if t2 is None:
        return
    for row, col, cell in t2.cells():
        v = cell.value
        if v is None:
            continue
        fee = row == "administrative_fees" or col in ("proc_amount", "delta")
        if col == "delta":
            continue
        if v < 0 or (not fee and float(v) != int(v)):
            c.add(Finding("T2-1", ERROR, f"{cell_label('table2', row, col)} 为 {fmt(v)}：件数应为非负整数"
                                         f"{'' if not fee else '，金额应不小于0'}。", expected="≥0 的整数",
                          actual=v, evidence=(cell_evidence(report, "table2", row, col),)))
    if report.format == FORMAT_2019:
        for row in ("regulations", "normative_documents"):
            new, total = t2.value(row, "new_published"), t2.value(row, "total_published")
            if new is not None and total is not None and new > total:
                c.add(Finding("T2-2", WARNING, f"表二（2019版）{row_label('table2', row)}：本年新公开数量 {fmt(new)} "
                                               f"大于对外公开总数量 {fmt(total)}，相差 {fmt(new - total)}。",
                              expected=f"≤{fmt(total)}", actual=new,
                              evidence=(cell_evidence(report, "table2", row, "new_published"),
                                        cell_evidence(report, "table2", row, "total_published"))))
        return
    for row in ("regulations", "normative_documents"):
        issued, in_force = t2.value(row, "issued"), t2.value(row, "in_force")
        if issued is not None and in_force is not None and in_force < issued:
            c.add(Finding("T2-2", WARNING, f"表二{row_label('table2', row)}：现行有效件数 {fmt(in_force)} 小于本年制发件数 "
                                           f"{fmt(issued)}（相差 {fmt(issued - in_force)}）。本年制发的文件一般仍现行有效，"
                                           f"除非当年即废止或失效，请核对。", expected=f"≥{fmt(issued)}", actual=in_force,
                          evidence=(cell_evidence(report, "table2", row, "issued"),
                                    cell_evidence(report, "table2", row, "in_force"))))
    kind = unit_kind(report.agency)
    regs = [(k, t2.value("regulations", k)) for k in ("issued", "repealed", "in_force")]
    if kind.level in ("county", "township", "zone", "department") and any(v for _, v in regs if v):
        c.add(Finding("T2-5", WARNING, f"{report.agency}（{kind.zh}）没有地方政府规章制定权（只有省级政府和设区的市、"
                                       f"自治州政府可制定规章），但表二“规章”行不为0："
                                       + "，".join(f"{column_label('table2', 'regulations', k)}{fmt(v)}" for k, v in regs)
                                       + "。可能把规范性文件填入了规章行。", expected=0,
                      actual=sum(v or 0 for _, v in regs),
                      evidence=tuple(cell_evidence(report, "table2", "regulations", k) for k, _ in regs)))
    license_ = t2.value("administrative_license", "value")
    penalty = t2.value("administrative_penalty", "value")
    name = report.agency or ""
    if "审批" in name and license_ == 0:
        c.add(Finding("T2-6", WARNING, f"{name}是集中行使行政许可权的单位，但表二行政许可本年处理决定数量为0，请核对。",
                      expected=">0", actual=0, evidence=(cell_evidence(report, "table2", "administrative_license", "value"),)))
    if any(w in name for w in ("市场监督", "市场监管", "综合执法", "综合行政执法")) and penalty == 0:
        c.add(Finding("T2-6", WARNING, f"{name}是行政执法单位，但表二行政处罚本年处理决定数量为0，请核对。",
                      expected=">0", actual=0, evidence=(cell_evidence(report, "table2", "administrative_penalty", "value"),)))
    if previous is not None and previous.table2 is not None and previous.format != FORMAT_2019:
        p2 = previous.table2
        for row in ("regulations", "normative_documents"):
            prev_in_force = p2.value(row, "in_force")
            issued, repealed, in_force = (t2.value(row, k) for k in ("issued", "repealed", "in_force"))
            label = row_label("table2", row)
            ev = (Evidence(kind="cell", table="table2", row=row, column="in_force", value=prev_in_force,
                           text=f"{previous.year}年 {cell_label('table2', row, 'in_force')}"),
                  cell_evidence(report, "table2", row, "issued"), cell_evidence(report, "table2", row, "repealed"),
                  cell_evidence(report, "table2", row, "in_force"))
            if None in (prev_in_force, issued, repealed):
                continue
            if repealed > prev_in_force + issued:
                c.add(Finding("T2-3", WARNING, f"表二{label}：本年废止件数应不超过 上年现行有效 + 本年制发 = "
                                               f"{fmt(prev_in_force)} + {fmt(issued)} = {fmt(prev_in_force + issued)}，"
                                               f"表中本年废止 {fmt(repealed)}，多出 {fmt(repealed - prev_in_force - issued)}。",
                              expected=prev_in_force + issued, actual=repealed, evidence=ev))
            if in_force is not None:
                expected = prev_in_force + issued - repealed
                explained = re.search(r"清理|重新统计|重新核定|调整", report.full_text())
                if in_force != expected:
                    c.add(Finding("T2-4", INFO if explained else WARNING, f"表二{label}：现行有效件数一般约等于 上年现行有效 + 本年制发 − 本年废止 = "
                                                   f"{fmt(prev_in_force)} + {fmt(issued)} − {fmt(repealed)} = {fmt(expected)}，"
                                                   f"表中为 {fmt(in_force)}，相差 {fmt(abs(in_force - expected))}。"
                                                   + (f"正文写到了“{explained.group(0)}”，差异可能由此而来。" if explained else
                                                      "文件清理、失效或重新统计会造成差异，如属此类请在正文说明。"),
                                  expected=expected, actual=in_force, evidence=ev))


# -- 表三 ------------------------------------------------------------------------------------------
def _all_zero(t: Table | None) -> bool:
    return t is not None and formulas.all_zero(cell.value for _, _, cell in t.cells())


def check_counts(report: Report, table: str, rule: str, noun: str, c: Collector) -> None:
    """Every filled cell of a count table is a non-negative integer (T3-4, T4-4)."""
    for row, col, cell in report.table(table).cells():
        v = cell.value
        if v is not None and (v < 0 or float(v) != int(v)):
            c.add(Finding(rule, ERROR, f"{cell_label(table, row, col)} 为 {fmt(v)}：{noun}应为非负整数。",
                          expected="≥0 的整数", actual=v, evidence=(cell_evidence(report, table, row, col),)))


def check_table3(report: Report, previous: Report | None, c: Collector) -> None:
    t = report.table3
    if t is None:
        return
    check_counts(report, "table3", "T3-4", "申请件数", c)
    # T3-1, T3-2, T3-3: the identities the reader also uses (ingest.identities, via assistant.formulas)
    rows_done = set()
    for ident in formulas.table3_identities(t.rows):
        row, col = ident.whole[0]
        parts = tuple(("table3", r, k) for r, k in ident.parts)
        whole = tuple(("table3", r, k) for r, k in ident.whole)
        if ident.rule == "T3-3":
            if row not in t.rows:
                continue
            rows_done.add(row)
            c.equation("T3-3", ERROR, f"表三“{_short_row('table3', row)}”行", _T3_3, parts, whole)
        else:
            c.equation(ident.rule, ERROR, f"表三“{TABLE3_COLUMN_LABELS[col]}”列", _T3_FORMULA[ident.rule], parts, whole)
    for row in t.rows:
        if row not in rows_done:        # （六）其他处理 printed above its three sub-rows
            c.equation("T3-3", ERROR, f"表三“{_short_row('table3', row)}”行", _T3_3,
                       tuple(("table3", row, k) for k in TABLE3_ORG_COLUMNS), (("table3", row, "total"),))
    for col in TABLE3_COLUMNS:
        cl = TABLE3_COLUMN_LABELS[col]
        if "other_processing" in t.rows and not formulas.uses_single_other(t.rows):
            c.equation("T3-2", ERROR, f"表三“{cl}”列", "（六）其他处理 = 其下3个小项之和",
                       tuple(("table3", r, col) for r in TABLE3_OTHER_SPLIT), (("table3", "other_processing", col),))
        incoming = tuple(("table3", r, col) for r in BALANCE_IN)
        inc = _sum(report, incoming)
        for row in ("carried_forward", "total_processed"):
            v = t.value(row, col)
            if inc is not None and v is not None and v > inc:
                c.add(Finding("T3-5", ERROR, f"表三“{cl}”列：{_short_row('table3', row)} {fmt(v)} 不能大于 本年新收 + 上年结转 = "
                                             f"{fmt(inc)}，多出 {fmt(v - inc)}。", expected=f"≤{fmt(inc)}", actual=v,
                              evidence=tuple(cell_evidence(report, *r) for r in incoming + (("table3", row, col),))))
    new, carried_over, forward = (t.value(r, "total") for r in ("new_received", "carried_over", "carried_forward"))
    if new is not None and carried_over is not None and forward is not None and new >= 10 \
            and forward / (new + carried_over) > 0.5:
        c.add(Finding("T3-7", INFO, f"结转下年度 {fmt(forward)} 件占 本年新收 + 上年结转 = {fmt(new + carried_over)} 件的 "
                                    f"{forward / (new + carried_over):.0%}（超过一半）。答复期限一般为20个工作日（可延长20个工作日），"
                                    f"请核对是否积压或误用“结转”。", expected="≤50%",
                      actual=round(forward / (new + carried_over), 4),
                      evidence=tuple(cell_evidence(report, "table3", r, "total")
                                     for r in ("new_received", "carried_over", "carried_forward"))))
    if previous is not None and previous.table3 is not None:
        pt = previous.table3
        for col in TABLE3_COLUMNS:
            now, before = t.value("carried_over", col), pt.value("carried_forward", col)
            if now is None or before is None or now == before:
                continue
            c.add(Finding("T3-6", WARNING, f"表三“{TABLE3_COLUMN_LABELS[col]}”列：本年“二、上年结转” {fmt(now)} 应等于 "
                                           f"{previous.year}年报“四、结转下年度继续办理” {fmt(before)}，相差 {fmt(abs(now - before))}。"
                                           f"如有更正请在正文说明。", expected=before, actual=now,
                          evidence=(cell_evidence(report, "table3", "carried_over", col),
                                    Evidence(kind="cell", table="table3", row="carried_forward", column=col, value=before,
                                             page=_src(pt, "carried_forward", col, "page"),
                                             line=_src(pt, "carried_forward", col, "line"),
                                             text=f"{previous.year}年 {cell_label('table3', 'carried_forward', col)}"))))
    if _all_zero(report.table2) and _all_zero(t) and _all_zero(report.table4):
        c.add(Finding("T3-10", INFO, "表二、表三、表四全部为0（“零报告”）：小单位可以如此，但社会上常被批评为敷衍，"
                                     "请确认确无相关数据。", expected=None, actual=0))


def _src(t: Table, row: str, col: str, attr: str):
    cell = t.cell(row, col)
    return getattr(cell.source, attr) if cell is not None and cell.source is not None else None


# -- 表四 ------------------------------------------------------------------------------------------
def check_table4(report: Report, previous: Report | None, c: Collector) -> None:
    t = report.table4
    if t is None:
        return
    check_counts(report, "table4", "T4-4", "案件数", c)
    for ident in formulas.table4_identities():
        group = ident.whole[0][0]
        c.equation(ident.rule, ERROR, f"表四“{TABLE4_GROUPS[group]}”", "总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
                   tuple(("table4", r, k) for r, k in ident.parts), tuple(("table4", r, k) for r, k in ident.whole))
    if previous is None:
        return
    la_total = t.value("litigation_after_review", "total")
    rv_now = t.value("review", "total")
    rv_before = previous.table4.value("review", "total") if previous.table4 is not None else None
    if la_total and rv_now == 0 and rv_before == 0:
        c.add(Finding("T4-5", INFO, f"复议后起诉的行政诉讼总计 {fmt(la_total)} 件，但本年和{previous.year}年的行政复议总计都是0："
                                    f"复议后起诉通常以复议为前提，请核对是否填错栏目。", expected=0, actual=la_total,
                      evidence=(cell_evidence(report, "table4", "litigation_after_review", "total"),
                                cell_evidence(report, "table4", "review", "total"))))
    t3, p3 = report.table3, previous.table3
    if t3 is not None and p3 is not None:
        def incoming(tt: Table):
            a, b = tt.value("new_received", "total"), tt.value("carried_over", "total")
            return None if a is None or b is None else a + b
        if incoming(t3) == 0 and incoming(p3) == 0:
            positive = [(g, k) for g in TABLE4_GROUPS for k in TABLE4_COLUMNS if (t.value(g, k) or 0) > 0]
            if positive:
                c.add(Finding("T4-6", INFO, f"表四有非0的数字，但本年和{previous.year}年都没有收到政府信息公开申请（表三新收+结转均为0）："
                                            f"因政府信息公开引起的复议、诉讼通常源于申请，请核对。", expected=0,
                              actual=sum(t.value(g, k) for g, k in positive),
                              evidence=tuple(cell_evidence(report, "table4", g, k) for g, k in positive)))


def run(check, report: Report, previous: Report | None = None) -> list[Finding]:
    """One table check with its own collector; equations skipped for blank cells summed up per rule."""
    c = Collector(report)
    if check in (check_structure, check_format):
        check(report, c)
    else:
        check(report, previous, c)
    c.flush_unassessable()
    return _many_failures_to_warnings(c.findings)


# one wrong cell breaks at most three equations (its row, its column, the balance); this many broken at once
# in one table is more likely a table we read wrongly (columns shifted, merged cells) than the report's error
MANY_FAILURES = 6
_EQUATION_RULES = {"table3": ("T3-1", "T3-2", "T3-3"), "table4": ("T4-1", "T4-2", "T4-3")}


def _many_failures_to_warnings(findings: list[Finding]) -> list[Finding]:
    for table, rules in _EQUATION_RULES.items():
        failed = [f for f in findings if f.rule in rules and f.severity == ERROR]
        if len(failed) < MANY_FAILURES:
            continue
        note = (f"（{TABLE_ZH[table]}有{len(failed)}处等式同时不成立，更可能是本工具读错了行列（如合并单元格、列错位），"
                f"请对照原件核对。）")
        findings = [replace(f, severity=WARNING, message=f.message + note) if f in failed else f for f in findings]
    return findings



def check_tables(report: Report, previous: Report | None = None) -> list[Finding]:
    """All table rules (B4–B7, F1–F2, T2, T3, T4), each check with its own collector."""
    return [f for check in (check_structure, check_format, check_table2, check_table3, check_table4)
            for f in run(check, report, previous)]
