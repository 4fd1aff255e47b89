"""What the web page shows, as pure functions: reports, library rows, findings, comparisons, citations and
drafts turned into Markdown, table rows, CSV text and DOCX bytes. No gradio here, no file or network I/O.

Every number these functions print is read from a table cell (or computed from cells) passed in; nothing
is invented. Draft text leaves what only the official knows as 【…】 placeholders.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from typing import Iterable, Mapping, Sequence

from assistant.findings import ERROR, INFO, SEVERITY_ZH, WARNING, Evidence
from assistant.metrics import METRICS, compute
from ingest.report import Report
from ingest.schema import (SECTIONS, TABLE2_ROWS, TABLE3_COLUMNS, TABLE4_COLUMNS, TABLE4_GROUPS, TABLE3_ROWS,
                           column_label)
from ingest.summary import fmt_value



# -- a report as read ------------------------------------------------------------------------------------
def report_overview(report: Report) -> str:
    """Metadata, sections and extraction warnings as Markdown."""
    lines = [f"### {report.title or report.label}",
             f"- 单位：**{report.agency or '未识别'}**　年度：**{report.year or '未识别'}**　格式：{report.format or '未识别'}版",
             f"- 落款日期：{report.published or '无'}　文件类型：{report.kind}" + (f"，{report.pages}页" if report.pages else ""),
             "", "**章节**"]
    for s in report.sections:
        where = f"（第{s.page}页）" if s.page else (f"（第{s.line}行）" if s.line else "")
        lines.append(("    - " if "." in s.key else "- ") + s.heading + where)
    if report.warnings:
        lines += ["", f"**读取提示（{len(report.warnings)}条）**"]
        lines += [f"- {w.message}" + (f"（{w.source.describe()}）" if w.source and w.source.describe() else "")
                  for w in report.warnings]
    return "\n".join(lines)


def _where(cell) -> str:
    return cell.source.describe() if cell is not None and cell.source is not None else ""


def table_frames(report: Report) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    """表二/表三/表四 as rows of strings, each value followed by where it was read."""
    t2 = []
    if report.table2:
        for row, cols in report.table2.rows.items():
            label = TABLE2_ROWS.get(row, (row,))[0]
            for col, cell in cols.items():
                t2.append([label, column_label("table2", row, col), fmt_value(cell.value), _where(cell)])
    t3 = []
    if report.table3:
        for row, label in TABLE3_ROWS.items():
            if row in report.table3.rows:
                cells = [report.table3.cell(row, c) for c in TABLE3_COLUMNS]
                t3.append([label] + [fmt_value(c.value if c else None) for c in cells] + [_where(cells[-1])])
    t4 = []
    if report.table4:
        for g, label in TABLE4_GROUPS.items():
            cells = [report.table4.cell(g, c) for c in TABLE4_COLUMNS]
            t4.append([label] + [fmt_value(c.value if c else None) for c in cells] + [_where(cells[0])])
    return t2, t3, t4


# -- uploads ---------------------------------------------------------------------------------------------
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_file_name(name: str, max_chars: int = 120) -> str:
    """A file name that is safe to store and show: no directories, control or reserved characters, no
    leading dots, at most `max_chars` characters with the extension kept. “../../a b?.pdf” → “a b_.pdf”."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if not name:
        name = "未命名"
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    ext = ext[:10]
    room = max_chars - (len(ext) + 1 if ext else 0)
    return (stem[:room] + ("." + ext if ext else "")) or "未命名"


# -- the library -----------------------------------------------------------------------------------------
LIBRARY_HEADERS = ["单位", "年度", "格式", "页数", "错误", "警告", "文件", "编号"]


def library_rows(records: Iterable) -> list[list]:
    """One row per stored report (ReportRecord-like objects)."""
    rows = []
    for r in records:
        pages = r.pages if r.pages else ("—" if (r.kind or "") != "pdf" else "")
        rows.append([r.agency or "未识别", r.year or "未识别", f"{r.format}版" if r.format else "未识别", pages,
                     r.n_errors, r.n_warnings, r.file, r.id])
    return rows


def report_choice_label(r) -> str:
    """How a stored report is named in pickers: “淮安市洪泽区人民政府 2024（006_….pdf）”."""
    return f"{r.agency or '未识别单位'} {r.year or '年度未识别'}（{r.file.split('/')[-1]}）"


EMPTY_LIBRARY_HELP = ("**年报库还是空的。** 请到“年报库”页上传年度报告（PDF、DOCX、HTML、TXT 或 MD，可一次选多个文件），"
                      "或在命令行运行 `nianbao ingest 文件或文件夹`。入库后即可在这里提问、核查、对比和起草。")


# -- findings --------------------------------------------------------------------------------------------
def evidence_line(e: Mapping) -> str:
    """One evidence dict (Evidence.to_json()) as a line for people."""
    known = {k: v for k, v in e.items() if k in Evidence.__dataclass_fields__}
    return Evidence(**known).describe()


def findings_markdown(findings: Sequence[Mapping], title: str = "") -> str:
    """Findings (Finding.to_json() dicts) grouped by severity, errors first, each with its evidence."""
    counts = {s: sum(1 for f in findings if f.get("severity") == s) for s in (ERROR, WARNING, INFO)}
    head = f"### {title}\n\n" if title else ""
    if not findings:
        return head + "未发现问题：所有校验规则均已通过。"
    lines = [head + "共 " + "，".join(f"{SEVERITY_ZH[s]} {counts[s]} 条" for s in (ERROR, WARNING, INFO)) + "。"]
    for sev in (ERROR, WARNING, INFO):
        group = [f for f in findings if f.get("severity") == sev]
        if not group:
            continue
        lines += ["", f"#### {SEVERITY_ZH[sev]}（{len(group)}）"]
        for f in group:
            lines.append(f"- **[{f.get('rule', '')}]** {f.get('message', '')}")
            for e in f.get("evidence") or []:
                lines.append(f"    - 依据：{evidence_line(e)}")
    others = [f for f in findings if f.get("severity") not in (ERROR, WARNING, INFO)]
    for f in others:
        lines.append(f"- **[{f.get('rule', '')}]** {f.get('message', '')}")
    return "\n".join(lines)


FINDINGS_CSV_HEADERS = ["严重程度", "规则", "说明", "应为", "实际", "依据"]


def findings_csv(findings: Sequence[Mapping]) -> str:
    """Findings as CSV text (one finding per row, evidence lines joined by “；”)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(FINDINGS_CSV_HEADERS)
    for f in findings:
        w.writerow([SEVERITY_ZH.get(f.get("severity"), f.get("severity", "")), f.get("rule", ""), f.get("message", ""),
                    "" if f.get("expected") is None else f.get("expected"),
                    "" if f.get("actual") is None else f.get("actual"),
                    "；".join(evidence_line(e) for e in f.get("evidence") or [])])
    return out.getvalue()


# -- comparison ------------------------------------------------------------------------------------------
# Figures offered for comparison: keys of assistant.metrics.METRICS (cells and formulas over cells).
COMPARE_METRIC_KEYS = (
    "table3.new_received.total", "table3.carried_over.total", "table3.granted.total",
    "table3.partially_granted.total", "table3.unavailable_not_held.total", "table3.total_processed.total",
    "table3.carried_forward.total", "derived.disclosure_rate.total", "derived.not_held_share.total",
    "table2.administrative_license.value", "table2.administrative_penalty.value",
    "table2.administrative_coercion.value", "table2.administrative_fees.value",
    "table2.normative_documents.in_force", "table4.review.total", "table4.review.corrected",
    "derived.review_correction_rate.total", "derived.litigation_total.total",
)


def metric_choice_label(key: str) -> str:
    """“行政处罚（件）”, “公开率（%）”: how a figure is offered in the picker and shown in tables."""
    m = METRICS[key]
    return f"{m.label}（{m.unit}）" if m.unit else m.label


COMPARE_HEADERS = ["单位", "年度", "指标", "数值", "计算", "出处"]


def _where_fact(f) -> str:
    spot = f"第{f.page}页" if getattr(f, "page", None) else (f"第{f.line}行" if getattr(f, "line", None) else "")
    return f"{f.file} {spot}".strip()


def comparison_rows(reports: Sequence, cells_by_report: Mapping[str, Mapping], metric_keys: Sequence[str]) -> list[dict]:
    """Long rows {单位, 年度, 指标, 数值, 计算, 出处} for every chosen report × figure, by agency, year, figure.
    `reports` are ReportRecord-like (id, agency, year, file); `cells_by_report[id]` maps (table, row, column)
    to a Fact-like object (.value, .page, .line, .file). A blank input gives 数值 None, never 0."""
    rows = []
    for r in sorted(reports, key=lambda r: (r.agency or "", r.year or 0, r.id)):
        cells = cells_by_report.get(r.id, {})

        def lookup(table, row, col, cells=cells):
            fact = cells.get((table, row, col))
            return None if fact is None else fact.value
        for key in metric_keys:
            computed = compute(METRICS[key], lookup)
            used = [cells[(t, rw, c)] for t, rw, c, _ in computed.inputs if (t, rw, c) in cells]
            value = computed.value
            if isinstance(value, float):
                value = round(value, 1) if computed.unit == "%" else (int(value) if value.is_integer() else value)
            rows.append({"单位": r.agency or "未识别", "年度": str(r.year or "未识别"), "指标": metric_choice_label(key),
                         "数值": value, "计算": computed.formula_text if value is not None else (computed.note or computed.formula_text),
                         "出处": "；".join(dict.fromkeys(_where_fact(f) for f in used))})
    return rows


def comparison_wide(rows: Sequence[Mapping], metric_keys: Sequence[str]) -> tuple[list[str], list[list]]:
    """The long rows as a table: one line per agency and year, one column per figure (blank shown as “空”)."""
    metric_keys = [metric_choice_label(k) for k in metric_keys]
    headers = ["单位", "年度"] + list(metric_keys)
    order: dict[tuple, dict] = {}
    for row in rows:
        order.setdefault((row["单位"], row["年度"]), {})[row["指标"]] = row["数值"]
    table = [[a, y] + [fmt_value(vals.get(k)) for k in metric_keys] for (a, y), vals in order.items()]
    return headers, table


def comparison_csv(rows: Sequence[Mapping]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(COMPARE_HEADERS)
    for r in rows:
        w.writerow([r["单位"], r["年度"], r["指标"], "" if r["数值"] is None else r["数值"], r["计算"], r["出处"]])
    return out.getvalue()


def chart_frame(rows: Sequence[Mapping]):
    """The comparison rows with a value, as a pandas DataFrame for a bar chart (x = 条目, color = 指标) or a line
    chart (x = 年度, color = 系列). Each bar has its own 条目 so bars never stack."""
    import pandas as pd
    shown = [r for r in rows if r["数值"] is not None]
    several = len({r["指标"] for r in shown}) > 1
    data = [{"条目": f"{short_agency(r['单位'])} {r['年度']}" + (f" · {r['指标']}" if several else ""),
             "系列": short_agency(r["单位"]) + (f" · {r['指标']}" if several else ""),
             "单位": r["单位"], "年度": r["年度"], "指标": r["指标"], "数值": float(r["数值"])} for r in shown]
    return pd.DataFrame(data, columns=["条目", "系列", "单位", "年度", "指标", "数值"])


def example_questions(records: Sequence, limit: int = 6) -> list[str]:
    """Questions about what is actually in the library: a figure of its first reports, a check, a ranking."""
    named = [r for r in records if r.agency and r.year]
    out = []
    for r in named[:2]:
        out.append(f"{r.agency}{r.year}年收到多少件政府信息公开申请？予以公开几件？")
    if named:
        r = named[0]
        out.append(f"帮我核对一下{r.agency}{r.year}年报表三的勾稽关系对不对。")
        out.append(f"{r.agency}{r.year}年报“存在的主要问题”写了哪几条？")
    agencies = list(dict.fromkeys(r.agency for r in named))
    if len(agencies) >= 2:
        out.append(f"比较一下{agencies[0]}和{agencies[1]}的行政复议数量。")
        out.append("哪个单位依申请公开的申请量最多？按数量排个序。")
    return out[:limit]


def short_agency(name: str, max_chars: int = 12) -> str:
    """Chart labels: long agency names shortened from the front (the distinctive part is at the end)."""
    return name if len(name) <= max_chars else "…" + name[-(max_chars - 1):]


# -- citations -------------------------------------------------------------------------------------------
def citation_title(i: int, c: Mapping) -> str:
    """“[1] 淮安市洪泽区人民政府2024年报 · 三、收到和处理… · 第3页”."""
    parts = [c.get("report") or c.get("file") or "未知来源"]
    if c.get("section"):
        parts.append(str(c["section"]))
    if c.get("cell"):
        parts.append(str(c["cell"]))
    if c.get("page"):
        parts.append(f"第{c['page']}页")
    elif c.get("line"):
        parts.append(f"第{c['line']}行")
    return f"[{i}] " + " · ".join(parts)


def citation_body(c: Mapping) -> str:
    """The cited passage (or cell) and the file it is in."""
    text = (c.get("text") or "").strip()
    body = text if text else "（无原文片段）"
    if c.get("file"):
        body += f"\n\n文件：`{c['file']}`"
    return body


# -- drafting --------------------------------------------------------------------------------------------
def _val(report: Report | None, table: str, row: str, col: str):
    t = report.table(table) if report is not None else None
    return None if t is None else t.value(row, col)


def _n(v) -> str:
    return "【待填】" if v is None else fmt_value(v)


def _pct(part, whole) -> str | None:
    if part is None or not whole:
        return None
    return f"{100 * part / whole:.1f}".rstrip("0").rstrip(".") + "%"


_MEASURES_START = re.compile(r"下一步|针对上述|针对以上|改进措施|整改措施|问题改进|改进情况|将采取|我们将|拟采取|今后")
_ENUM_ITEM = re.compile(r"(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|(?<![\d.])\d+[.、．])\s*([^。；;\n]{4,80})")
_HEADING_ITEM = re.compile(r"^(?:存在的?)?(?:主要)?问题[。：:]?$|^存在的(?:主要)?问题")
_PROBLEM_WORDS = re.compile(r"不足|不够|不强|不高|不多|不及时|不到位|差距|有待|欠缺|薄弱|松懈|滞后|问题")
_EXISTS_LIST = re.compile(r"存在(?:着)?(?:一些|以下)?([^。；]{4,40}?)等(?:方面的?)?(?:问题|不足)")


def previous_problems(previous: Report | None, limit: int = 6) -> list[str]:
    """The problems last year's section 五 listed, before its measures: its enumerated items (一是…), else the
    clauses of “存在…等问题”, else its sentences that name a shortcoming."""
    sec = previous.section("s5_problems") if previous is not None else None
    if sec is None or not sec.text.strip():
        return []
    text = sec.text
    m = _MEASURES_START.search(text)
    part = text[:m.start()] if m and m.start() > 0 else text
    items = [i.strip("：:，,。 ") for i in _ENUM_ITEM.findall(part)]
    items = [i for i in items if not _HEADING_ITEM.match(i)]
    if not items:
        found = _EXISTS_LIST.search(part)
        if found:
            items = [x.strip() for x in re.split(r"[、，,]", found.group(1)) if len(x.strip()) >= 3]
    if not items:
        tail = re.split(r"[：:]", part)[-1] if re.search(r"[：:]", part) else part
        items = [re.sub(r"^[（(][一二三四五六七八九十\d]+[)）]", "", x.strip("：:，,。 ")) for x in re.split(r"[。；;\n]", tail)]
        items = [x for x in items if len(x) >= 6 and _PROBLEM_WORDS.search(x) and not _HEADING_ITEM.match(x)]
        items = [re.sub(r"^.*?(?:但也?|但仍)存在着?(?:一些)?不足[，,]?(?:如)?", "", x) for x in items]
    return list(dict.fromkeys(i for i in items if i))[:limit]


def data_problems(report: Report | None) -> list[str]:
    """Problems the year's own tables point to, each stating the numbers it rests on."""
    if report is None:
        return []
    out = []
    processed = _val(report, "table3", "total_processed", "total")
    not_held = _val(report, "table3", "unavailable_not_held", "total")
    if not_held and processed:
        out.append(f"依申请公开答复中“本机关不掌握相关政府信息”{fmt_value(not_held)}件，占办结总数{fmt_value(processed)}件的"
                   f"{_pct(not_held, processed)}，申请指引不够清晰，存在申请人误投的情况。")
    forward = _val(report, "table3", "carried_forward", "total")
    if forward:
        out.append(f"结转下年度继续办理的申请{fmt_value(forward)}件，【请说明结转原因，如收件时间、补正情况】。")
    corrected = _val(report, "table4", "review", "corrected")
    if corrected:
        out.append(f"政府信息公开行政复议结果纠正{fmt_value(corrected)}件，【请说明被纠正的原因】，答复规范性仍需提高。")
    lit_corrected = sum(v for v in (_val(report, "table4", g, "corrected") for g in ("litigation_direct", "litigation_after_review"))
                        if v)
    if lit_corrected:
        out.append(f"政府信息公开行政诉讼结果纠正{fmt_value(lit_corrected)}件，【请说明原因】。")
    in_force = _val(report, "table2", "normative_documents", "in_force")
    if in_force:
        out.append(f"现行有效行政规范性文件{fmt_value(in_force)}件，【请核实其中已同步发布政策解读的件数】，解读覆盖面有待扩大。")
    return out


def _measure_for(problem: str) -> str:
    if "本机关不掌握" in problem:
        return "【责任科室】于【时间】前修订政府信息公开申请指南，明确各类信息的制作和保存机关，并在门户网站置顶。"
    if "结转下年度" in problem:
        return "【责任科室】建立依申请公开办理台账，对临近年末收到的申请逐件跟踪，按法定期限办结。"
    if "行政复议" in problem or "行政诉讼" in problem:
        return "【责任科室】于【时间】前组织答复文书法制审核，逐件复盘被纠正案件，统一答复口径和说理要求。"
    if "规范性文件" in problem:
        return "【责任科室】建立规范性文件与解读材料同步起草、同步审核、同步发布机制。"
    return "【责任科室】于【时间】前【具体措施】。"


def draft_section_five(report: Report | None, previous: Report | None, agency: str, year: int,
                       findings: Sequence[Mapping] = ()) -> str:
    """Section 五 (存在的主要问题及改进情况): last year's problems one by one with their rectification first,
    then problems tied to this year's data, then one concrete measure per problem."""
    lines = [SECTIONS["s5_problems"], "（一）上年问题整改情况"]
    old = previous_problems(previous)
    if old:
        lines.append(f"{year - 1}年度报告提出的问题，逐项整改情况如下：")
        for i, p in enumerate(old, 1):
            lines.append(f"{i}. 关于“{p}”：【请填写采取的措施、完成时间和成效，如已整改请写明依据】。")
    elif previous is not None:
        lines.append(f"【{year - 1}年度报告未列出具体问题：请逐条说明上年问题的整改情况】")
    else:
        lines.append(f"【年报库中没有{agency}{year - 1}年度报告：请列出上年报告提出的问题，逐条说明整改措施和成效】")
    lines.append("（二）存在的主要问题")
    problems = data_problems(report)
    errors = [f for f in findings if f.get("severity") == ERROR]
    if errors:
        problems.append(f"年度报告数据审核不够严格：自查发现{len(errors)}处数据不一致（如：{errors[0].get('message', '')}）。")
    if report is None:
        lines.append(f"【年报库中没有{agency}{year}年度报告的表格数据：请结合本年数据写出具体问题，避免“重视不够”“有待提升”等空泛表述】")
    elif not problems:
        lines.append("【本年表格数据未显示突出问题：请结合实际写出具体问题，避免“重视不够”“有待提升”等空泛表述】")
    for i, p in enumerate(problems, 1):
        lines.append(f"{i}. {p}")
    lines.append("（三）改进措施")
    for i, p in enumerate(problems or [""], 1):
        lines.append(f"{i}. {_measure_for(p)}")
    return "\n".join(lines)


def draft_section_three(report: Report | None) -> str:
    """The 依申请公开 paragraph of 三, every number read from 表三 (“总计” column)."""
    def t(row):
        return _val(report, "table3", row, "total")
    denied = [t(r) for r in TABLE3_ROWS if r.startswith("denied_")]
    unavailable = [t(r) for r in TABLE3_ROWS if r.startswith("unavailable_")]
    not_processed = [t(r) for r in TABLE3_ROWS if r.startswith("not_processed_")]
    other = [t(r) for r in TABLE3_ROWS if r.startswith("other_")]

    def s(vals):
        known = [v for v in vals if v is not None]
        return sum(known) if known else None
    return (f"{SECTIONS['s3_requests']}\n本年度新收政府信息公开申请{_n(t('new_received'))}件，上年结转{_n(t('carried_over'))}件；"
            f"办结{_n(t('total_processed'))}件，其中予以公开{_n(t('granted'))}件、部分公开{_n(t('partially_granted'))}件、"
            f"不予公开{_n(s(denied))}件、无法提供{_n(s(unavailable))}件、不予处理{_n(s(not_processed))}件、其他处理{_n(s(other))}件；"
            f"结转下年度继续办理{_n(t('carried_forward'))}件。具体情况见下表。")


def draft_section_four(report: Report | None) -> str:
    review = _val(report, "table4", "review", "total")
    direct = _val(report, "table4", "litigation_direct", "total")
    after = _val(report, "table4", "litigation_after_review", "total")
    lit = None if direct is None and after is None else (direct or 0) + (after or 0)
    return (f"{SECTIONS['s4_review_litigation']}\n本年度发生政府信息公开行政复议{_n(review)}件，"
            f"其中结果维持{_n(_val(report, 'table4', 'review', 'upheld'))}件、结果纠正{_n(_val(report, 'table4', 'review', 'corrected'))}件；"
            f"行政诉讼{_n(lit)}件。具体情况见下表。")


def draft_section_six(report: Report | None, year: int) -> str:
    """六 with the 信息处理费 statement 30号文 asks for: last report's sentence if it has one, else a placeholder."""
    fee_sentence = None
    sec = report.section("s6_other") if report is not None else None
    if sec is not None:
        fee_sentence = next((x.strip() + "。" for x in re.split(r"[。\n]", sec.text) if "信息处理费" in x), None)
    return (f"{SECTIONS['s6_other']}\n"
            + (fee_sentence or f"依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），本机关{year}年度【未收取／共收取××元】信息处理费。")
            + "\n【其他需要报告的事项，如人大代表建议和政协提案办理结果公开情况、年度工作要点落实情况】")


DRAFT_SECTIONS = {"五、存在的主要问题及改进情况": "s5", "三、依申请公开情况表述": "s3",
                  "四、行政复议和行政诉讼情况表述": "s4", "六、其他需要报告的事项": "s6"}


def draft_text(agency: str, year: int, report: Report | None, previous: Report | None, sections: Sequence[str],
               findings: Sequence[Mapping] = ()) -> str:
    """The chosen sections of a draft, in report order."""
    parts = []
    keys = {DRAFT_SECTIONS.get(s, s) for s in sections}
    if "s3" in keys:
        parts.append(draft_section_three(report))
    if "s4" in keys:
        parts.append(draft_section_four(report))
    if "s5" in keys:
        parts.append(draft_section_five(report, previous, agency, year, findings))
    if "s6" in keys:
        parts.append(draft_section_six(report, year))
    return "\n\n".join(parts)


def draft_docx_bytes(title: str, text: str) -> bytes:
    """The (edited) draft as a DOCX: the title, section headings (一、…六、) as headings, the rest as paragraphs."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    doc.add_heading(title, level=1)
    for line in text.splitlines():
        line = line.rstrip()
        if not line:
            continue
        if re.match(r"^[一二三四五六七八九十]+、", line):
            doc.add_heading(line, level=2)
        else:
            doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
