"""What the web page shows, as pure functions: reports, library rows, findings, comparisons, citations and
drafts turned into Markdown, table rows, CSV text and DOCX bytes. No gradio here, no file or network I/O.

Every number these functions print is read from a table cell (or computed from cells) passed in; nothing
is invented.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from typing import Iterable, Mapping, Sequence

from assistant.validator import catalogue
from assistant.validator import fold_reading
from assistant.validator.findings import ERROR, INFO, SEVERITY_ZH, WARNING, Evidence, Finding
from assistant.metrics import METRICS, compute
from assistant.sheetcells import csv_row
from ingest.report import Report
from ingest.schema import TABLE2_ROWS, TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_COLUMNS, TABLE4_GROUPS, column_label
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


# -- scanned pages: where each OCR cell was read, drawn on the page ----------------------------------------
SCAN_VIEW_DPI = 100
FLAGGED_COLOUR, READ_COLOUR = (220, 30, 30), (30, 150, 60)


def scan_views(report: Report, path) -> list[tuple[object, str]]:
    """For a report read (partly) by OCR: each scanned page with a box around every OCR table cell — red for
    cells with a reading warning (低置信度或与勾稽关系不符), green for the others — and its confidence. Empty
    for reports read from a text layer, or when the file is gone."""
    from PIL import ImageDraw
    from ingest.loaders.scan import page_image
    cells = [c for t in (report.table2, report.table3, report.table4) if t for _, _, c in t.cells()
             if c.confidence is not None and c.source is not None and c.source.page and c.source.bbox]
    if not cells or path is None:
        return []
    flagged = {(w.source.page, tuple(w.source.bbox)) for w in report.warnings
               if w.code == "ocr_uncertain" and w.source is not None and w.source.bbox}
    out = []
    for page in sorted({c.source.page for c in cells}):
        try:
            image, k = page_image(path, page, SCAN_VIEW_DPI, report.page_turns.get(page, 0))
        except Exception:                     # the file moved or is damaged: the tables still show the values
            return []
        draw = ImageDraw.Draw(image)
        red = 0
        for c in (c for c in cells if c.source.page == page):
            bad = (page, tuple(c.source.bbox)) in flagged
            red += bad
            x0, y0, x1, y1 = (v * k for v in c.source.bbox)
            draw.rectangle((x0, y0, x1, y1), outline=FLAGGED_COLOUR if bad else READ_COLOUR, width=3 if bad else 1)
            if bad:
                draw.text((x0 + 2, y1 + 1), f"{c.confidence:.2f}", fill=FLAGGED_COLOUR)
        n = sum(1 for c in cells if c.source.page == page)
        out.append((image, f"第{page}页：识别 {n} 个单元格，红框 {red} 个请核对原件"))
    return out


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
LIBRARY_HEADERS = ["单位", "年度", "格式", "页数", "错误", "警告", "文件", "编号", "分组"]


def library_rows(records: Iterable) -> list[list]:
    """One row per stored report (ReportRecord-like objects)."""
    rows = []
    for r in records:
        pages = r.pages if r.pages else ("—" if (r.kind or "") != "pdf" else "")
        file = r.file + ("（另一版本在用，未用于问答）" if getattr(r, "edition_of", None) else "")
        rows.append([r.agency or "未识别", r.year or "未识别", f"{r.format}版" if r.format else "未识别", pages,
                     r.n_errors, r.n_warnings, file, r.id, getattr(r, "group", None) or ""])
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


def _finding(d: Mapping) -> Finding:
    """A stored finding (Finding.to_json()) as a Finding again."""
    evidence = tuple(Evidence(**{k: v for k, v in e.items() if k in Evidence.__dataclass_fields__})
                     for e in d.get("evidence") or ())
    return Finding(d.get("rule", ""), d.get("severity", ""), d.get("message", ""), d.get("expected"), d.get("actual"),
                   evidence)


def findings_markdown(findings: Sequence[Mapping], title: str = "") -> str:
    """Findings (Finding.to_json() dicts) grouped by severity, errors first, each with its evidence."""
    findings = [f.to_json() for f in fold_reading([_finding(f) for f in findings])]   # a poor scan: one entry a table
    counts = {s: sum(1 for f in findings if f.get("severity") == s) for s in (ERROR, WARNING, INFO)}
    head = f"### {title}\n\n" if title else ""
    if not findings:
        return head + "未发现问题：所有校验规则均已通过。"
    lines = [head + "共 " + "，".join(f"{SEVERITY_ZH[s]} {counts[s]} 条" for s in (ERROR, WARNING, INFO)) + "。"]
    quoted: set[str] = set()            # a sentence shared by several findings is quoted once
    for sev in (ERROR, WARNING, INFO):
        group = [f for f in findings if f.get("severity") == sev]
        if not group:
            continue
        lines += ["", f"#### {SEVERITY_ZH[sev]}（{len(group)}）"]
        for f in group:
            rule = f.get("rule", "")
            lines.append(f"- **{catalogue.title(rule)}**　`{rule}`  ")
            lines.append(f"  {f.get('message', '')}")
            if catalogue.advice(rule):
                lines.append(f"  建议：{catalogue.advice(rule)}")
            for e in f.get("evidence") or []:
                text = e.get("text") if e.get("kind") == "sentence" else None
                if text and text in quoted:
                    lines.append("    - 依据：同上文所引原文")
                    continue
                if text:
                    quoted.add(text)
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
        w.writerow(csv_row([SEVERITY_ZH.get(f.get("severity"), f.get("severity", "")), f.get("rule", ""), f.get("message", ""),
                    "" if f.get("expected") is None else f.get("expected"),
                    "" if f.get("actual") is None else f.get("actual"),
                    "；".join(evidence_line(e) for e in f.get("evidence") or [])]))
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
        w.writerow(csv_row([r["单位"], r["年度"], r["指标"], "" if r["数值"] is None else r["数值"], r["计算"], r["出处"]]))
    return out.getvalue()


CHART_LABEL_CHARS = 12         # bar labels stay short so the rotated text is not cut at the chart's left edge


def _short_metric(label: str) -> str:
    """“行政许可（件）” → “行政许可”; long labels cut to 8 characters for the axis."""
    return re.sub(r"（[^）]*）$", "", label)[:8]


def chart_frame(rows: Sequence[Mapping]):
    """The comparison rows with a value, as a pandas DataFrame for a bar chart (x = 条目, color = 指标) or a line
    chart (x = 年度, color = 系列). Each bar has its own 条目 so bars never stack."""
    import pandas as pd
    shown = [r for r in rows if r["数值"] is not None]
    several = len({r["指标"] for r in shown}) > 1
    data = [{"条目": f"{short_agency(r['单位'], CHART_LABEL_CHARS)}{r['年度']}" + (f"·{_short_metric(r['指标'])}" if several else ""),
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
    """“[1] 淮安市洪泽区人民政府2024年报 · 三、收到和处理… · 第3页”: the cell when it is a table cell
    (“表三“（七）总计””), else the section."""
    parts = [c.get("report") or c.get("file") or "未知来源"]
    if c.get("cell"):
        parts.append(str(c["cell"]))
    elif c.get("section"):
        parts.append(str(c["section"]))
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


# -- gradio's own words in Chinese ----------------------------------------------------------------------
# Registered for every locale (en included), so the page is Chinese whatever the browser's language.
GRADIO_ZH = {
    "chatbot.copy_message": "复制回答", "chatbot.copied_message": "已复制", "chatbot.edit": "编辑",
    "chatbot.retry": "重试", "chatbot.undo": "撤销", "chatbot.submit": "提交", "chatbot.cancel": "取消",
    "chatbot.like": "有用", "chatbot.dislike": "没用", "chatbot.clear": "清空", "chatbot.complete": "完成",
    "common.clear": "清除", "common.download": "下载", "common.download_all": "全部下载", "common.edit": "编辑",
    "common.empty": "空", "common.error": "错误", "common.loading": "加载中", "common.or": "或",
    "common.remove": "移除", "common.settings": "设置", "common.share": "分享", "common.submit": "提交",
    "common.undo": "撤销", "common.language": "语言", "common.display_theme": "显示主题", "common.progress": "进度",
    "common.run": "运行", "common.built_with": "构建于", "common.built_with_gradio": "使用 Gradio 构建",
    "common.hosted_on": "托管于", "common.no_devices": "未找到设备",
    "file.uploading": "正在上传……",
    "upload_text.click_to_upload": "点击上传", "upload_text.drop_file": "将文件拖放到此处",
    "upload_text.drop_csv": "将 CSV 文件拖放到此处", "upload_text.paste_clipboard": "从剪贴板粘贴",
    "dataframe.sort_column": "排序", "dataframe.sort_ascending": "升序", "dataframe.sort_descending": "降序",
    "dataframe.clear_sort": "取消排序", "dataframe.filter": "筛选", "dataframe.clear_filter": "清除筛选",
    "dataframe.new_row": "新增行", "dataframe.new_column": "新增列",
    "dataframe.incorrect_format": "格式不对，只支持 CSV 和 TSV 文件",
    "dropdown.dropdown": "下拉框", "plot.plot": "图表", "status.queue_position": "排队中：第 {position} 位，共 {size} 位",
    "blocks.lost_connection": "页面离开后连接已断开，正在重新排队……",
    "blocks.waiting_for_inputs": "文件还在上传，请稍后重试。",
    "errors.use_via_api": "通过 API 调用", "errors.use_via_api_or_mcp": "通过 API 或 MCP 调用",
}
GRADIO_LOCALES = ("en", "zh", "zh-CN", "zh-TW")
EMPTY_HINTS = {
    "check": "请在上方选择年报库中的报告后点击“核查所选报告”，或上传一份草稿（不入库）；年报库为空时请先到“年报库”上传年报。",
    "compare": "请选择单位、年度（不选则全部）和指标，再点击“生成对比”；年报库为空时请先到“年报库”上传年报。",
    "draft": "请先选择单位和年度，勾选要起草的部分，再点击“生成草稿”；年报库为空时请先到“年报库”上传年报。",
}
REMOVE_CONFIRM_JS = ("(ids) => (ids && ids.length && window.confirm('确定从年报库中删除所选的 ' + ids.length + "
                     "' 份年报吗？删除后需重新上传才能恢复。')) ? ids : []")


# -- drafting --------------------------------------------------------------------------------------------
DRAFT_SECTIONS = {"五、存在的主要问题及改进情况": "s5_problems", "三、依申请公开情况表述": "s3_requests",
                  "四、行政复议和行政诉讼情况表述": "s4_review_litigation", "六、其他需要报告的事项": "s6_other"}
_CITATION_LABEL = re.compile(r"〔[^〔〕]*〕")


def strip_citation_labels(text: str) -> str:
    """The draft without its 〔…〕 source labels (for the copy that is published)."""
    return _CITATION_LABEL.sub("", text)


def draft_docx_bytes(title: str, text: str, keep_sources: bool = True) -> bytes:
    """The (edited) draft as an official-format DOCX (assistant.docx_export)."""
    from assistant.docx_export import draft_docx_bytes as official_docx
    return official_docx(title, text, keep_sources)


# -- rendering text a model or a report wrote: no images, no links, no HTML ------------------------------------
_NESTED = r"(?:[^\[\]]|\[[^\[\]]*\])*"                  # link text with one level of brackets inside
_MD_IMAGE = re.compile(r"!\[(" + _NESTED + r")\]\s*(?:\([^)]*\)|\[[^\]]*\])")
_MD_LINK = re.compile(r"\[(" + _NESTED + r")\]\s*\((?:[^()]|\([^)]*\))*\)")
_ESCAPED_BRACKET = re.compile(r"\\+(?=[\[\]])")
_HTML_OPEN = re.compile(r"<(?!/?(?:details|summary)>)")      # the product's own folds stay; any other tag is text
_BARE_URL = re.compile(r"(?:https?|ftp|file|data|javascript)://[^\s`〔〕）)]+|(?:data|javascript):[^\s`]+"
                       r"|(?<![\w/.])www\.[^\s`〔〕）)]+", re.I)


def safe_markdown(text: str | None) -> str:
    """Text for a box that renders Markdown (the chat, 核查, 体检, 与上年比对, the 年报库 log): an image becomes
    “［图片已屏蔽：…］” and a link keeps its words (the browser must fetch nothing a model or a report names);
    then every remaining square bracket becomes a character reference (`&#91;` `&#93;`), which Markdown shows as a
    bracket and never reads as syntax, so no image or link can form whatever the nesting, escaping, reference
    definitions, lists or quotes; HTML is shown as text (only the product's <details>/<summary> folds stay); a
    bare URL, protocol-relative or www. address is shown as code, not as a link."""
    text = text or ""
    for _ in range(4):                                        # nested ones, innermost first
        before = text
        text = _MD_IMAGE.sub(lambda m: f"［图片已屏蔽：{m.group(1).strip() or '无说明'}］", text)
        text = _MD_LINK.sub(lambda m: m.group(1), text)
        if text == before:
            break
    text = _HTML_OPEN.sub("&lt;", text)
    text = _ESCAPED_BRACKET.sub("", text)                     # a backslash would show the reference itself
    text = text.replace("[", "&#91;").replace("]", "&#93;")
    return _BARE_URL.sub(lambda m: "`" + m.group(0).replace("`", "") + "`", text)
