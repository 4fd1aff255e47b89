"""What the web page shows, as pure functions: reports, library rows, findings, comparisons, citations and
drafts turned into Markdown, table rows, CSV text and DOCX bytes. No gradio here, no file or network I/O.

Every number these functions print is read from a table cell (or computed from cells) passed in; nothing
is invented.
"""
from __future__ import annotations

import csv
import html
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
    summary = reading_summary(report)
    if summary:
        lines[1:1] = ["", "**读取情况（请先核对）：** " + "".join(summary), ""]
    if report.warnings:
        notes = [f"- {w.message}" + (f"（{w.source.describe()}）" if w.source and w.source.describe() else "")
                 for w in report.warnings]
        if summary:
            lines += ["", f"<details><summary>读取提示（{len(report.warnings)}条，点开查看）</summary>", "", *notes, "",
                      "</details>"]
        else:
            lines += ["", f"**读取提示（{len(report.warnings)}条）**", *notes]
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


def cell_page_view(path, page: int, bbox, turn: int = 0):
    """The original page a cited cell is on, with a red box around the cell (its bbox in PDF points), as a PIL
    image; None when the file cannot be drawn (moved, damaged, not a PDF or image)."""
    from PIL import ImageDraw
    from ingest.loaders.scan import page_image
    try:
        image, k = page_image(path, page, SCAN_VIEW_DPI, turn)
    except Exception:                     # the citation still names the page and the value
        return None
    x0, y0, x1, y1 = (v * k for v in bbox)
    pad = 3
    ImageDraw.Draw(image).rectangle((x0 - pad, y0 - pad, x1 + pad, y1 + pad), outline=FLAGGED_COLOUR, width=3)
    return image


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


_MD_SPECIAL = re.compile(r"([\\`*_\[\]#<>|~])")        # a report's own text shown as Markdown, literally


def literal_markdown(text: str) -> str:
    """Text shown as Markdown exactly as written: “**主动公开**” keeps its asterisks instead of turning bold."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def search_words(query: str | None) -> list[str]:
    """The words of 年报库's search box (spaces, commas and 、 separate them), each once."""
    return list(dict.fromkeys(w for w in re.split(r"[\s,，、；;]+", query or "") if w))


def _meta_text(r) -> str:
    return " ".join(str(x) for x in (r.agency, r.year, f"{r.year}年" if r.year else "", r.file,
                                     getattr(r, "group", None)) if x)


def library_search(records: Sequence, query: str | None, text_hits: Mapping[str, Mapping], *, year=None,
                   group: str | None = None, agency: str | None = None) -> tuple[list, str]:
    """年报库's search: the records whose unit, year, group or file name — or whose text — hold every word of
    `query` (`text_hits[word]` maps report id → (snippet, page, line) for the text), within the chosen year,
    group and unit. Returns (the records found, a Markdown note with where each word was found in the text)."""
    words = search_words(query)
    found = []
    notes = []
    for r in records:
        if year not in (None, "") and str(r.year) != str(year):
            continue
        if group and (getattr(r, "group", None) or "") != group:
            continue
        if agency and r.agency != agency:
            continue
        meta = _meta_text(r).lower()
        in_text = []
        if all(w.lower() in meta or r.id in text_hits.get(w, {}) for w in words):
            found.append(r)
            for w in words:
                if w.lower() not in meta and r.id in text_hits.get(w, {}):
                    snippet, page, line = text_hits[w][r.id]
                    spot = f"（第{page}页）" if page else (f"（第{line}行）" if line else "")
                    in_text.append(f"“{w}”：{literal_markdown(snippet)}{spot}")
            if in_text:
                notes.append(f"- {report_choice_label(r)}　" + "；".join(in_text))
    filters = "、".join(x for x in (f"{year}年度" if year not in (None, "") else "", f"分组“{group}”" if group else "",
                                    f"单位“{agency}”" if agency else "") if x)
    asked = "、".join(f"“{w}”" for w in words)
    what = "，".join(x for x in (f"含{asked}" if asked else "", filters) if x)
    if not what:
        return list(records), f"年报库共 {len(records)} 份报告。"
    head = f"找到 {len(found)} 份报告（{what}；共 {len(records)} 份）。" if found else \
        f"没有找到{what}的报告（共 {len(records)} 份）。请减少或换用其他词，或清除筛选条件。"
    return found, "\n".join([head] + (["", "正文中的位置："] + notes if notes else []))


def report_choice_label(r) -> str:
    """How a stored report is named in pickers: “淮安市洪泽区人民政府 2024（006_….pdf）”."""
    return f"{r.agency or '未识别单位'} {r.year or '年度未识别'}（{r.file.split('/')[-1]}）"


EMPTY_LIBRARY_HELP = ("**年报库还是空的。** 请到“年报库”页上传年度报告（PDF、DOCX、HTML、TXT 或 MD，可一次选多个文件），"
                      "或在命令行运行 `nianbao ingest 文件或文件夹`。入库后即可在这里提问、核查、对比和起草。")


# -- a badly read report: what we could not read, summarised first ---------------------------------------
def reading_summary(report: Report | None) -> list[str]:
    """What could not be read, one line a table, to be read before anything else: “表三有125格未能读取（第3页），
    请对照原件核对。” Cells counted are those without a value that the reading could not read (Report.unread_cell),
    not the blanks the report itself left."""
    if report is None:
        return []
    warnings = report.reading_warnings()
    if not warnings:
        return []
    from assistant.validator.findings import TABLE_ZH
    lines = []
    for name in ("table2", "table3", "table4"):
        mine = [w for w in warnings if w.table == name]
        if not mine:
            continue
        pages = sorted({w.source.page for w in mine if w.source is not None and w.source.page})
        where = f"（{'、'.join(f'第{p}页' for p in pages)}）" if pages else ""
        table = report.table(name)
        n = 0 if table is None else sum(1 for row, _, cell in table.cells()
                                        if cell.value is None and report.unread_cell(name, row, cell))
        if table is None or any(w.code == "table_unread" for w in mine):
            lines.append(f"{TABLE_ZH[name]}未能读取{where}，没有核对其数字，请对照原件核对。")
        elif n:
            lines.append(f"{TABLE_ZH[name]}有{n}格未能读取{where}，请对照原件核对。")
        else:
            lines.append(f"{TABLE_ZH[name]}有{len(mine)}处读取不确定{where}，请对照原件核对。")
    rest = [w for w in warnings if w.table not in ("table2", "table3", "table4")]
    if rest:
        lines.append(f"正文等其他内容有{len(rest)}处未能读取，请对照原件核对。")
    return lines


def is_reading_finding(f: Mapping) -> bool:
    """A finding about our reading, not about the report: R1, or a structure finding raised from a reading
    warning (“（读取时发现）未能读取……”)."""
    from assistant.validator.catalogue import READING_RULE
    return f.get("rule") == READING_RULE or str(f.get("message", "")).startswith("（读取时发现）未能读取")


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


EVIDENCE_SHOWN = 6            # pieces of evidence listed under a finding; the others are folded


def findings_markdown(findings: Sequence[Mapping], title: str = "", report: Report | None = None) -> str:
    """Findings (Finding.to_json() dicts) grouped by severity, errors first, each with its evidence. With the
    `report`, a badly read one is summarised first (reading_summary) and the findings about our reading are
    folded at the end, their places one click away; the counts still count them (as 年报库 does)."""
    counts = {s: sum(1 for f in findings if f.get("severity") == s) for s in (ERROR, WARNING, INFO)}
    summary = reading_summary(report)
    reading = [f for f in findings if is_reading_finding(f)] if summary else []
    findings = [f for f in findings if not (summary and is_reading_finding(f))]
    findings = [f.to_json() for f in fold_reading([_finding(f) for f in findings])]   # a poor scan: one entry a table
    head = f"### {title}\n\n" if title else ""
    if summary:
        head += ("**读取情况（请先核对）：** " + "".join(summary) + "这是本工具的读取问题，不是年报的错误；"
                 "核对前，与这些格有关的核查结果仅供参考。\n\n")
    if not findings and not reading:
        return head + "未发现问题：所有校验规则均已通过。"
    lines = [head + "共 " + "，".join(f"{SEVERITY_ZH[s]} {counts[s]} 条" for s in (ERROR, WARNING, INFO)) +
             (f"（其中 {len(reading)} 条是未能读取的位置，折叠在文末）" if reading else "") + "。"]
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
            evidence = f.get("evidence") or []
            folded = []
            for n, e in enumerate(evidence):
                text = e.get("text") if e.get("kind") == "sentence" else None
                shown = "依据：同上文所引原文" if text and text in quoted else f"依据：{evidence_line(e)}"
                if text:
                    quoted.add(text)
                if n >= EVIDENCE_SHOWN and len(evidence) > EVIDENCE_SHOWN + 1:
                    folded.append(html.escape(shown))
                else:
                    lines.append(f"    - {shown}")
            if folded:                      # the rest one click away, as one HTML block inside the list item
                lines.append(f"    - <details><summary>另有 {len(folded)} 处依据（点开查看）</summary>"
                             + "<br>".join(folded) + "</details>")
    others = [f for f in findings if f.get("severity") not in (ERROR, WARNING, INFO)]
    for f in others:
        lines.append(f"- **{catalogue.title(f.get('rule', ''))}** {f.get('message', '')}")
    if reading:
        lines += ["", f"<details><summary>未能读取的位置（{len(reading)} 条，点开查看）</summary>", ""]
        lines += [f"- {str(f.get('message', '')).removeprefix('（读取时发现）')}" for f in reading]
        lines += ["", "</details>"]
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


_ZH_DIGITS = "零一二三四五六七八九"


def zh_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (headings numbered the official way; up to 99)."""
    if n < 10:
        return _ZH_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[ones] if ones else "")


def findings_title(agency: str | None, year) -> str:
    return f"关于{agency or '未识别单位'}{year or ''}年度政府信息公开工作年度报告的核查结果"


def findings_text(findings: Sequence[Mapping], file: str, agency: str | None = None, year=None,
                  report: Report | None = None) -> str:
    """The 核查 results as the text of an official document: a summary, then one first-level heading a severity
    (一、错误（2条）), a second-level heading a finding (（一）title) with its explanation, advice and every piece
    of evidence with its page. A badly read table is one entry (fold_reading), as on the page."""
    counts = {sev: sum(1 for f in findings if f.get("severity") == sev) for sev in (ERROR, WARNING, INFO)}
    summary = reading_summary(report)
    reading = [f for f in findings if is_reading_finding(f)] if summary else []
    findings = [f.to_json() for f in fold_reading([_finding(f) for f in findings if not (summary and is_reading_finding(f))])]
    lines = [f"核查对象：{agency or '未识别单位'}{f'{year}年度' if year else ''}政府信息公开工作年度报告（文件：{file}）。"]
    if summary:
        lines.append("读取情况（请先核对）：" + "".join(summary) + "这是读取问题，不是年报的错误。")
    if not findings and not reading:
        lines.append("未发现问题：所有校验规则均已通过。")
        return "\n".join(lines)
    lines.append("核查结果：" + "，".join(f"{SEVERITY_ZH[sev]}{counts[sev]}条" for sev in (ERROR, WARNING, INFO)) +
                 "。每条均列出依据（原文位置），请对照原件核实后整改。")
    k = 0
    for sev in (ERROR, WARNING, INFO):
        group = [f for f in findings if f.get("severity") == sev]
        if not group:
            continue
        k += 1
        lines.append(f"{zh_numeral(k)}、{SEVERITY_ZH[sev]}（{len(group)}条）")
        for i, f in enumerate(group, 1):
            rule = f.get("rule", "")
            lines.append(f"（{zh_numeral(i)}）{catalogue.title(rule)}")
            lines.append(f.get("message", ""))
            if catalogue.advice(rule):
                lines.append(f"建议：{catalogue.advice(rule)}")
            lines += [f"依据：{evidence_line(e)}" for e in f.get("evidence") or []]
    if reading:
        lines.append(f"{zh_numeral(k + 1)}、未能读取的位置（{len(reading)}条，请对照原件核对）")
        lines += [str(f.get("message", "")).removeprefix("（读取时发现）") for f in reading]
    return "\n".join(lines)


def findings_docx_bytes(findings: Sequence[Mapping], file: str, agency: str | None = None, year=None,
                        report: Report | None = None) -> bytes:
    """The 核查 results as a DOCX in the drafts' official format (assistant.docx_export): A4, 公文 margins,
    小标宋 title, 黑体 / 楷体 headings, 仿宋 body, page numbers."""
    return draft_docx_bytes(findings_title(agency, year), findings_text(findings, file, agency, year, report))


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
    """The cited passage (or cell), the official's correction of the cell if any, and the file it is in."""
    text = (c.get("text") or "").strip()
    body = text if text else "（无原文片段）"
    if c.get("corrected"):
        body += f"\n\n{c['corrected']}（原读取结果保留在年报库中）"
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
    "common.hosted_on": "托管于", "common.no_devices": "未找到设备", "common.complete": "完成",
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
# A js function's returned array is taken as the list of the event's inputs: the ids go back wrapped in one more
# list, else one id would arrive as a string and be iterated character by character.
REMOVE_CONFIRM_JS = ("(ids) => [(ids && ids.length && window.confirm('确定从年报库中删除所选的 ' + ids.length + "
                     "' 份年报吗？删除后需重新上传才能恢复。')) ? ids : []]")


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


# -- 待核对: the queue of what needs a person (assistant.corrections.pending_items), with what we saw ------------
PENDING_HEADERS = ["分组", "单位", "年度", "文件", "位置", "出处", "读到", "原因", "编号"]
PENDING_CROP_DPI = 150            # the page image a pending cell is cut from
PENDING_CROP_MARGIN_PT = 60       # how much of the page above and below the cell's box the crop shows (PDF points)
PENDING_LINE_CONTEXT = 48         # characters shown either side of the glued digits in a text line
PENDING_READINGS_SHOWN = 12       # candidate readings listed for a glued row (the count is always given)
PENDING_KEY_SEP = "|"


def pending_key(item) -> str | None:
    """What the 待核对 picker returns for an item: “report id|table.row.column”; None for an item that is not
    one cell (a whole table unread), which is corrected cell by cell (CSV)."""
    return f"{item.report_id}{PENDING_KEY_SEP}{item.cell_key}" if item.cell_key and item.row and item.column else None


def split_pending_key(key: str | None) -> tuple[str, str] | None:
    if not key or key.count(PENDING_KEY_SEP) != 1:
        return None
    rid, cell = key.split(PENDING_KEY_SEP)
    return (rid, cell) if rid and cell else None


def pending_rows(items: Sequence) -> list[list]:
    """The queue as table rows, grouped by group and unit (the order pending_items gives)."""
    return [[i.group, i.agency, i.year or "", i.file, i.place, i.where, i.seen, i.why, i.report_id] for i in items]


def pending_choices(items: Sequence) -> list[tuple[str, str]]:
    """(label, key) of every cell the items name, once each: “淮安市洪泽区人民政府 2024 表三“…”“自然人”（第3页）”."""
    out, keys = [], set()
    for i in items:
        key = pending_key(i)
        if key and key not in keys:
            keys.add(key)
            out.append((f"{i.agency} {i.year or ''} {i.place}" + (f"（{i.where}）" if i.where else ""), key))
    return out


def pending_summary(items: Sequence, group: str | None) -> str:
    if not items:
        return ("该分组没有待核对的单元格。" if group else
                "没有待核对的单元格：资料库中使用的年报均已读全，或已人工校正。")
    units = {(i.agency, i.year, i.file) for i in items}
    return (f"{'分组“' + group + '”' if group else '全部分组'}共 **{len(items)}** 处待核对，涉及 {len(units)} 份报告。"
            "请在下方选择一处，对照原件（页面截图或原文）填写数值和依据后提交。")


def pending_source(report: Report, item):
    """Where the pending cell was seen: the cell's own source (an OCR cell's box), else its warning's (the glued
    digits' line and offset)."""
    t = report.table(item.table) if item.table else None
    cell = t.cell(item.row, item.column) if t is not None and item.row and item.column else None
    if cell is not None and cell.source is not None:
        return cell.source
    for w in report.warnings:
        if w.table == item.table and w.row == item.row and w.code == item.code and w.source is not None:
            return w.source
    return None


def pending_readings(report: Report, item) -> tuple[list[str], int]:
    """The candidate readings of a glued row (“10 / 1 / 0 / 0 / 0 / 0 / 11”, the row's cells in order) whose sums
    hold where the table has them, and how many there are; the OCR suggestion for an unsure OCR cell."""
    from ingest.glued import count_splits, groups_of, splits
    if item.code == "low_confidence" and item.seen:
        return [item.seen], 1
    if item.code != "glued_ambiguous" or not item.seen:
        return [], 0
    width = len(pending_columns(report, item))
    if not width:
        return [], 0
    groups = groups_of(item.seen)
    group = {"table3": 7, "table4": 5}.get(item.table) if count_splits(groups, width) > 1 else None
    readings = splits(groups, width, group if group and width % group == 0 else None) or []
    return [" / ".join(r) for r in readings[:PENDING_READINGS_SHOWN]], len(readings)


def pending_columns(report: Report, item) -> list[str]:
    """The columns of a pending cell's row, in the order the report prints them."""
    t = report.table(item.table) if item.table else None
    return list(t.rows.get(item.row, {})) if t is not None and item.row else []


def pending_line(path, source, mark: str = "") -> str:
    """The text line a pending cell was read from (around the glued digits when the line is long), as Markdown
    quoted safely, the digits `mark` at the source's offset in bold; '' when the file is gone or the source is
    not a text line."""
    from pathlib import Path
    from ingest.loaders.encoding import decode_text
    if source is None or source.line is None or path is None:
        return ""
    try:
        text = decode_text(Path(path).read_bytes(), Path(path).name)
    except Exception:                         # the file moved or cannot be decoded: the item still shows
        return ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not 1 <= source.line <= len(lines):
        return ""
    line = lines[source.line - 1].replace("\f", "")
    at = source.offset if source.offset is not None and mark and line[source.offset:].startswith(mark) else None
    if at is None:
        start, end = (0, len(line)) if source.offset is None else (max(0, source.offset - PENDING_LINE_CONTEXT),
                                                                   source.offset + PENDING_LINE_CONTEXT)
        return _excerpt(line, start, end, [])
    start, end = max(0, at - PENDING_LINE_CONTEXT), at + len(mark) + PENDING_LINE_CONTEXT
    return _excerpt(line, start, end, [(at, at + len(mark))])


def _quoted(text: str) -> str:
    """Report text shown as Markdown: no markup of its own (no links, images, HTML, emphasis)."""
    return re.sub(r"([\\`*_\[\]<>#|~!])", r"\\\1", text)


def _excerpt(line: str, start: int, end: int, bold: list[tuple[int, int]]) -> str:
    end = min(len(line), end)
    out, pos = [], start
    for a, b in bold:
        out += [_quoted(line[pos:a]), "**" + _quoted(line[a:b]) + "**"]
        pos = b
    out.append(_quoted(line[pos:end]))
    return ("…" if start else "") + "".join(out) + ("…" if end < len(line) else "")


def pending_crop(path, report: Report, source):
    """The band of the page a pending cell is on (the page's width, so the row's label shows), with a red box
    around the cell (PDFs and scans); None when the cell has no box or the file is gone."""
    from PIL import ImageDraw
    from ingest.loaders.scan import page_image
    if source is None or not source.page or not source.bbox or path is None:
        return None
    try:
        image, k = page_image(path, source.page, PENDING_CROP_DPI, report.page_turns.get(source.page, 0))
    except Exception:                         # the file moved or is damaged: the item still shows its text
        return None
    x0, y0, x1, y1 = (v * k for v in source.bbox)
    ImageDraw.Draw(image).rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), outline=FLAGGED_COLOUR, width=3)
    m = PENDING_CROP_MARGIN_PT * k
    return image.crop((0, max(0, int(y0 - m)), image.width, min(image.height, int(y1 + m))))


def pending_markdown(item, readings: Sequence[str], n_readings: int, line: str,
                     columns: Sequence[str] = (), also: Sequence = (), source=None) -> str:
    """What we saw at a pending cell, for the editor who checks it against the original; `also`: the other
    items at the same cell (a correction of an older file waiting to be confirmed again); `source`: where it was
    seen (an HTML or DOCX table's row and column when there is no page or line)."""
    q = _quoted                                   # what a report printed (names, OCR text) is shown, never rendered
    where = item.where or (source.describe() if source is not None else "")
    out = [f"#### {q(item.agency)} {item.year or ''}年 {q(item.place)}",
           f"- 文件：{q(item.file)}（编号 {item.report_id}）" + (f"，{where}" if where else ""),
           f"- 原因：{q(item.why)}"]
    if item.seen:
        out.append(f"- 读到：“{q(item.seen)}”")
    if item.code == "low_confidence" and readings:
        out.append(f"- 识别建议：{q(readings[0])}（置信度低，请以原件为准）")
    elif readings:
        head = "、".join(column_label(item.table, item.row, c) for c in columns)
        out.append(f"- 可能的读法（共 {n_readings} 种" + (f"，依次为 {head}" if head else "") + "）：")
        out += [f"    - {r}" for r in readings]
        if n_readings > len(readings):
            out.append(f"    - ……另有 {n_readings - len(readings)} 种")
    if line:
        out += ["- 原文：", "", f"> {line}"]
    for other in also:
        out.append(f"- 另：{q(other.why)}" + (f"（{q(other.seen)}）" if other.seen else ""))
    if not item.cell_key:
        out.append("- 这一项不是单个单元格（整行或整张表未能读取），请用下方“批量导入校正（CSV）”逐格填写。")
    return "\n".join(out)


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
