"""The rule catalogue: every rule id the validator can report, with its usual severity, a plain Chinese
title for officials, what to do about it, its place in ../shared/domain/RULES.md (b), and the check
function that reports it. The runner (`assistant.validator.check_report`) runs the check functions in
the order listed in `CHECKS`; rendering and the web app take titles and advice from here.
"""
from __future__ import annotations

from dataclasses import dataclass

from assistant.validator.findings import ERROR, INFO, WARNING

READING_RULE = "R1"          # we could not read part of the report (never the report's error)


@dataclass(frozen=True)
class Rule:
    """One rule: id (RULES.md b), usual severity, plain title, what to do, RULES.md reference, check name."""
    id: str
    severity: str
    title: str
    advice: str
    ref: str
    check: str               # name of the check function in CHECKS that reports it


def _r(id_, severity, title, advice, check, ref=None) -> Rule:
    return Rule(id_, severity, title, advice, ref or f"RULES.md (b) {id_}", check)


_FIX_T3 = "请逐项核对表三的数字，改正后重新发布；如某格确实无法填写，请在正文说明原因。"
_FIX_T4 = "请核对表四，使每组“总计”等于结果维持、结果纠正、其他结果、尚未审结之和。"
_FIX_TEXT = "请核对正文数字与表格，以表格为准改正正文，或在正文说明口径。"

RULES: dict[str, Rule] = {r.id: r for r in (
    _r(READING_RULE, WARNING, "未能读取：部分表格或单元格没有读出", "这是本工具的读取问题，不是年报的错误：请对照原件核对相关内容。",
       "structure", "Report.reading_warnings（READING_CODES）"),
    _r("B1", ERROR, "结构：缺少规定的部分或标题不规范", "按格式补齐六个部分并使用规定标题。", "sections"),
    _r("B2", WARNING, "总体情况：缺少规定的方面", "总体情况应写主动公开、依申请公开、政府信息管理、平台建设、监督保障五个方面。", "sections"),
    _r("B3", WARNING, "总体情况：未报告考核、评议和责任追究", "各级人民政府应报告工作考核、社会评议和责任追究结果情况。", "sections"),
    _r("B4", ERROR, "结构：缺少统计表", "按格式以表格列出表二、表三、表四，不要用文字代替。", "structure"),
    _r("B5", ERROR, "结构：表格缺行、缺列或行名不规范", "按格式补齐表格的行和列，行名、列名照格式填写。", "structure"),
    _r("B6", WARNING, "结构：表格单元格个数不对", "核对该行单元格个数（表三每行7格、表四15格）。", "structure"),
    _r("B7", INFO, "表格有空白单元格", "空白不等于0：没有发生的请填0。", "structure"),
    _r("B8", WARNING, "第六部分：未说明信息处理费收取情况", "写明发出收费通知的件数和金额、实际收取的金额（或写明未收取）。", "sections"),
    _r("B9", WARNING, "第五部分：问题、措施或上年整改情况不全", "写明存在的问题、改进措施，并逐条说明上年所列问题的整改情况。", "sections"),
    _r("D1", WARNING, "日期：统计期限缺失或有误", "写明“统计期限自Y年1月1日起至Y年12月31日止”。", "dates"),
    _r("D2", ERROR, "日期：年度前后不一致", "统一标题、统计期限和正文中的年度。", "dates"),
    _r("D3", ERROR, "日期：发布时限", "按条例第四十九条的期限发布，并写明落款日期。", "dates"),
    _r("D4", ERROR, "日期：落款日期不合理", "核对落款日期与报告年度。", "dates"),
    _r("F1", ERROR, "格式：使用了旧版表格", "2021年度起使用国办公开办函〔2021〕30号格式的表格。", "format"),
    _r("F2", INFO, "格式：2019、2020年度可用旧版", "无需处理。", "format"),
    _r("F3", WARNING, "格式：引用的格式文件过时或未引用", "2021年度起引用国办公开办函〔2021〕30号。", "dates"),
    _r("T2-1", ERROR, "表二：数字不是非负整数", "件数填非负整数，金额不小于0。", "table2"),
    _r("T2-2", WARNING, "表二：现行有效件数小于本年制发件数", "核对现行有效件数与本年制发件数。", "table2"),
    _r("T2-3", WARNING, "表二：本年废止多于上年现行有效加本年制发", "核对废止件数与上年年报。", "table2"),
    _r("T2-4", WARNING, "表二：现行有效件数与上年衔接不上", "如开展了清理或重新统计，请在正文说明；否则核对数字。", "table2"),
    _r("T2-5", WARNING, "表二：无规章制定权的单位填了规章", "规范性文件请填入“行政规范性文件”行。", "table2"),
    _r("T2-6", WARNING, "表二：处理决定数量与单位职能不符", "核对行政许可、行政处罚数量。", "table2"),
    _r("T2-7", WARNING, "表二：收费金额单位可能有误", "表二收费金额单位是万元，核对正文与表格。", "fees"),
    _r("T2-8", ERROR, "正文与表二不一致：规范性文件件数", _FIX_TEXT, "documents"),
    _r("T3-1", ERROR, "表三：收到的申请与办理、结转对不上", _FIX_T3, "table3"),
    _r("T3-2", ERROR, "表三：办理结果各项之和与总计不符", _FIX_T3, "table3"),
    _r("T3-3", ERROR, "表三：各类申请人之和与总计不符", _FIX_T3, "table3"),
    _r("T3-4", ERROR, "表三：件数不是非负整数", _FIX_T3, "table3"),
    _r("T3-5", ERROR, "表三：办结或结转多于收到的申请", _FIX_T3, "table3"),
    _r("T3-6", WARNING, "跨年：上年结转与上年年报的结转下年度不符", "核对与上年年报的衔接；如有更正请在正文说明。", "table3"),
    _r("T3-7", INFO, "表三：结转下年度比例偏高", "核对是否积压或误用“结转”。", "table3"),
    _r("T3-8", WARNING, "第六部分：收费通知件数与表三逾期未缴费不符", "写明发出收费通知的件数和金额。", "fees"),
    _r("T3-9", ERROR, "正文与表三不一致：正文有申请，表三为0", "核对表三是否漏填，或正文是否沿用了别的年度、别的单位的文字。", "claims"),
    _r("T3-10", INFO, "三张表全部为0", "确认确无相关数据。", "table3"),
    _r("T4-1", ERROR, "表四：行政复议各项之和与总计不符", _FIX_T4, "table4"),
    _r("T4-2", ERROR, "表四：直接起诉各项之和与总计不符", _FIX_T4, "table4"),
    _r("T4-3", ERROR, "表四：复议后起诉各项之和与总计不符", _FIX_T4, "table4"),
    _r("T4-4", ERROR, "表四：件数不是非负整数", _FIX_T4, "table4"),
    _r("T4-5", INFO, "表四：有复议后起诉但两年都没有复议", "核对是否填错栏目。", "table4"),
    _r("T4-6", INFO, "表四：有复议诉讼但两年都没有申请", "核对表四与表三。", "table4"),
    _r("X1", ERROR, "正文与表三不一致：申请、办结或结转件数", _FIX_TEXT, "claims"),
    _r("X2", ERROR, "正文与表三不一致：办理结果件数", _FIX_TEXT, "claims"),
    _r("X3", ERROR, "正文说未收到申请，表三却有", _FIX_TEXT, "claims"),
    _r("X4", ERROR, "正文与表四不一致：行政复议、行政诉讼", _FIX_TEXT, "reviews"),
    _r("X5", WARNING, "正文收费通知件数少于表三逾期未缴费件数", "核对收费通知件数。", "fees"),
    _r("X6", WARNING, "正文：分项之和与总数不符", "核对正文中“其中”各分项与总数。", "parts"),
    _r("X7", INFO, "正文主动公开数少于表二制发件数", "核对主动公开数。", "documents"),
    _r("Q1", WARNING, "第五部分与上年雷同", "结合本年实际重写问题和措施。", "quality"),
    _r("Q2", INFO, "正文与其他单位年报雷同", "结合本单位实际撰写。", "quality"),
    _r("Q3", WARNING, "第五部分问题空泛", "结合本年数据写具体问题。", "quality"),
    _r("Q4", INFO, "第五部分措施空泛", "措施写明对象、责任人和时间。", "quality"),
    _r("Q5", INFO, "正文政治表述过时", "更新表述。", "quality"),
    _r("Q6", INFO, "正文有重复、错字或模板残留", "校对文字。", "quality"),
    _r("Q7", INFO, "数字量级异常", "核对数字和单位。", "quality"),
)}


def rule(rule_id: str) -> Rule | None:
    return RULES.get(rule_id)


# Problems the review of a group reports beside the validator's rules (assistant.review.region).
OTHER_TITLES = {"R5": "第五部分为空或内容过少"}
UNKNOWN_TITLE = "其他问题"


def title(rule_id: str) -> str:
    """The plain title officials read (never the bare id)."""
    r = RULES.get(rule_id)
    return r.title if r else OTHER_TITLES.get(rule_id, UNKNOWN_TITLE)


def advice(rule_id: str) -> str:
    r = RULES.get(rule_id)
    return r.advice if r else ""
