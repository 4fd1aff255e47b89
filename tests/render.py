"""Test helper: render a structured report (the JSON of ../shared/SCHEMA.md) as an HTML page, a DOCX or a PDF
laid out like real annual reports, so that extraction can be checked cell by cell against known values.

Tables are described once as rows of `Spec(text, rowspan, colspan)` (HTML style: positions covered by a span are
omitted) and written to HTML directly and to DOCX with `cell.merge`. `None` values render as empty cells.
Variants: `perturbed()` (deterministic new figures, sums consistent), `as_2019()` (2019 trial format: 表二 of
RULES.md a.3 in the Shanghai 2019 layout, 表三 with one （六）其他处理 row), `with_blanks()` (some cells blank).
This module is not product code.
"""
from __future__ import annotations

import copy
import datetime as dt
import html
import os
import random
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ingest.text import display_width
from ingest.schema import (SECTIONS, TABLE2_2019_ROWS, TABLE3_COLUMNS, TABLE3_DENIED, TABLE3_NOT_PROCESSED,
                           TABLE3_OTHER_SPLIT, TABLE3_UNAVAILABLE, TABLE4_COLUMNS, TABLE4_GROUPS)

# ---------------------------------------------------------------------------------------------------------
# narrative


@dataclass
class Narrative:
    """The words around the tables. `signed` is the 落款 date (ISO) or None for a report without one."""
    title: str
    agency: str
    year: int
    signed: str | None
    preamble: str
    sections: dict[str, list[str]]          # s1_overview … s6_other → paragraphs after the heading
    headings: dict[str, str] = field(default_factory=lambda: dict(HEADINGS))
    site: str = "政府门户网站"


HEADINGS = SECTIONS       # the canonical headings (RULES.md a.1)

_FILLER = ("坚持以人民为中心的发展思想，严格落实政务公开各项要求，围绕中心工作，聚焦公众关切，持续推进决策、执行、"
           "管理、服务、结果公开，不断提升政府工作透明度，切实保障人民群众的知情权、参与权、表达权和监督权。")


def chinese_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def default_narrative(report: dict, long: bool = False) -> Narrative:
    """A plausible text for the report's agency and year; `long` pads 总体情况 so that 表三 crosses a page break."""
    agency, year = report["agency"], report["year"]
    s1 = [f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，{_FILLER}",
          "（一）主动公开", f"全年通过门户网站主动公开各类政府信息，及时发布政策文件和解读材料。{_FILLER}",
          "（二）依申请公开", f"严格按照法定程序和时限办理政府信息公开申请，规范答复文书。{_FILLER}",
          "（三）政府信息管理", f"落实公开属性源头认定和保密审查制度。{_FILLER}",
          "（四）政府信息公开平台建设", f"加强政府网站和政务新媒体建设管理。{_FILLER}",
          "（五）监督保障", f"将政务公开工作纳入年度考核，全年未发生责任追究情况。{_FILLER}"]
    if long:
        s1 += [f"此外，{_FILLER * 3}" for _ in range(6)]
    return Narrative(
        title=f"{agency}{year}年政府信息公开工作年度报告",
        agency=agency, year=year, signed=report.get("published"),
        preamble=(f"本报告根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息公开办公室关于政府信息公开工作"
                  f"年度报告格式的要求编制。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
                  f"本报告电子版可在{agency}门户网站查阅和下载。"),
        sections={
            "s1_overview": s1,
            "s2_proactive": [],
            "s3_requests": [],
            "s4_review_litigation": [],
            "s5_problems": ["（一）存在的主要问题。公开内容的深度和广度有待拓展，政策解读形式较为单一。",
                            "（二）改进措施。下一步将加强业务培训，丰富解读形式，提升公开质量。"],
            "s6_other": [f"{year}年度，本机关未收取政府信息公开信息处理费。"],
        })


# ---------------------------------------------------------------------------------------------------------
# table layouts


@dataclass(frozen=True)
class Spec:
    """One printed cell: text ('\\n' = separate paragraphs), rowspan, colspan."""
    text: str
    rowspan: int = 1
    colspan: int = 1


def fmt(value) -> str:
    """How a number is printed; None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, float):
        return (f"{value:.2f}".rstrip("0").rstrip(".")) if value != int(value) else str(int(value))
    return str(value)


def fmt_signed(value) -> str:
    if value is None:
        return ""
    return f"+{value}" if value > 0 else str(value)


def table2_2021(t2: dict) -> list[list[Spec]]:
    rows = [[Spec("第二十条第（一）项", colspan=4)],
            [Spec("信息内容"), Spec("本年制发件数"), Spec("本年废止件数"), Spec("现行有效件数")]]
    for key, label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
        v = t2.get(key) or {}
        rows.append([Spec(label)] + [Spec(fmt(v.get(c))) for c in ("issued", "repealed", "in_force")])
    for caption, header, items in (
            ("第二十条第（五）项", "本年处理决定数量", (("administrative_license", "行政许可"),)),
            ("第二十条第（六）项", "本年处理决定数量", (("administrative_penalty", "行政处罚"),
                                                   ("administrative_coercion", "行政强制"))),
            ("第二十条第（八）项", "本年收费金额（单位：万元）", (("administrative_fees", "行政事业性收费"),))):
        rows += [[Spec(caption, colspan=4)], [Spec("信息内容"), Spec(header, colspan=3)]]
        rows += [[Spec(label), Spec(fmt(t2.get(key)), colspan=3)] for key, label in items]
    return rows


def table2_2019(t2: dict) -> list[list[Spec]]:
    """The 2019 trial 表二 as the Shanghai 2019 report prints it: 5 grid columns, spans not aligned with the header."""
    def v(row, col, signed=False):
        x = (t2.get(row) or {}).get(col)
        return fmt_signed(x) if signed else fmt(x)

    rows = [[Spec("第二十条第（一）项", colspan=5)],
            [Spec("信息内容"), Spec("本年新\n制作数量"), Spec("本年新\n公开数量", colspan=2), Spec("对外公开总数量")]]
    for key in ("regulations", "normative_documents"):
        rows.append([Spec(TABLE2_2019_ROWS[key][0]), Spec(v(key, "new_made")),
                     Spec(v(key, "new_published"), colspan=2), Spec(v(key, "total_published"))])
    for caption, keys in (("第二十条第（五）项", ("administrative_license", "other_services")),
                          ("第二十条第（六）项", ("administrative_penalty", "administrative_coercion"))):
        rows += [[Spec(caption, colspan=5)],
                 [Spec("信息内容"), Spec("上一年项目数量"), Spec("本年增/减", colspan=2), Spec("处理决定数量")]]
        for key in keys:
            rows.append([Spec(TABLE2_2019_ROWS[key][0]), Spec(v(key, "prev_items"), colspan=2),
                         Spec(v(key, "delta", signed=True)), Spec(v(key, "decisions"))])
    rows += [[Spec("第二十条第（八）项", colspan=5)],
             [Spec("信息内容"), Spec("上一年项目数量", colspan=2), Spec("本年增/减", colspan=2)],
             [Spec("行政事业性收费"), Spec(v("administrative_fees", "prev_items"), colspan=2),
              Spec(v("administrative_fees", "delta", signed=True), colspan=2)],
             [Spec("第二十条第（九）项", colspan=5)],
             [Spec("信息内容"), Spec("采购项目数量", colspan=2), Spec("采购总金额", colspan=2)],
             [Spec("政府集中采购"), Spec(v("government_procurement", "proc_items"), colspan=2),
              Spec(v("government_procurement", "proc_amount"), colspan=2)]]
    return rows


T3_DENIED = ("1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
             "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项")
T3_UNAVAILABLE = ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")
T3_NOT_PROCESSED = ("1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
                    "5.要求行政机关确认或重新出具已获取信息")
T3_OTHER = ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他")


def table3(t3: dict, wrapped_headers: bool = False, merged_other: bool = False,
           split_headers: bool = False) -> list[list[Spec]]:
    """表三 with its two-level header; the （六） block has three sub-rows unless the report has `other_processing`.
    `merged_other`: as Word-pasted tables print it, one value cell per column spans the three （六） sub-rows and
    holds their sum. `split_headers`: header cells one character per paragraph, category cells in two."""
    rows_in = t3["rows"]
    cols = t3.get("columns") or list(TABLE3_COLUMNS)

    def values(key):
        vals = dict(zip(cols, rows_in.get(key) or [None] * len(cols)))
        return [Spec(fmt(vals.get(c))) for c in TABLE3_COLUMNS]

    single_other = "other_processing" in rows_in
    w = (lambda s: s[:2] + "\n" + s[2:]) if wrapped_headers else (lambda s: s)
    if split_headers:
        w = "\n".join
    rows = [[Spec("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), Spec("申请人情况", colspan=7)],
            [Spec("自然人", rowspan=2), Spec("法人或其他组织", colspan=5), Spec("总计", rowspan=2)],
            [Spec(w("商业企业")), Spec(w("科研机构")), Spec(w("社会公益组织")), Spec(w("法律服务机构")), Spec("其他")],
            [Spec("一、本年新收政府信息公开申请数量", colspan=3)] + values("new_received"),
            [Spec("二、上年结转政府信息公开申请数量", colspan=3)] + values("carried_over")]
    group_rows = 2 + 8 + 3 + 5 + (1 if single_other else 3) + 1
    result = [[Spec("三、本年度办理结果", rowspan=group_rows), Spec("（一）予以公开", colspan=2)] + values("granted"),
              [Spec("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2)] + values("partially_granted")]
    blocks = [("（三）不予公开", T3_DENIED, TABLE3_DENIED), ("（四）无法提供", T3_UNAVAILABLE, TABLE3_UNAVAILABLE),
              ("（五）不予处理", T3_NOT_PROCESSED, TABLE3_NOT_PROCESSED)]
    if not single_other:
        blocks.append(("（六）其他处理", T3_OTHER, TABLE3_OTHER_SPLIT))
    for head, labels, keys in blocks:
        head_text = head.replace("）", "）\n") if split_headers else head
        merged = merged_other and keys == TABLE3_OTHER_SPLIT
        for i, (label, key) in enumerate(zip(labels, keys)):
            lead = [Spec(head_text, rowspan=len(labels))] if i == 0 else []
            if merged:
                sums = [sum(v or 0 for v in col) if any(v is not None for v in col) else None
                        for col in zip(*(dict(zip(cols, rows_in[k])).values() for k in keys))]
                result.append(lead + [Spec(label)] + ([Spec(fmt(x), rowspan=3) for x in sums] if i == 0 else []))
            else:
                result.append(lead + [Spec(label)] + values(key))
    if single_other:
        result.append([Spec("（六）其他处理", colspan=2)] + values("other_processing"))
    result.append([Spec("（七）总计", colspan=2)] + values("total_processed"))
    return rows + result + [[Spec("四、结转下年度继续办理", colspan=3)] + values("carried_forward")]


def table4(t4: dict, split_headers: bool = False) -> list[list[Spec]]:
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    if split_headers:
        heads = ["\n".join(h) for h in heads]
    return [[Spec("行政复议", colspan=5), Spec("行政诉讼", colspan=10)],
            [Spec(h, rowspan=2) for h in heads] + [Spec("未经复议直接起诉", colspan=5), Spec("复议后起诉", colspan=5)],
            [Spec(h) for h in heads * 2],
            [Spec(fmt((t4.get(g) or {}).get(c))) for g in TABLE4_GROUPS for c in TABLE4_COLUMNS]]


_FULLWIDTH = str.maketrans("0123456789+-.", "０１２３４５６７８９＋－．")


def printed_number(text: str, style: str | None) -> str:
    """A number as some sites print it: `fullwidth` digits (１２３), `thousands` separators (1,234)."""
    if not style or not _is_number_text(text):
        return text
    if style == "thousands":
        sign = text[0] if text[0] in "+-" else ""
        whole, dot, frac = text.lstrip("+-").partition(".")
        return sign + f"{int(whole):,}" + dot + frac
    if style == "fullwidth":
        return text.translate(_FULLWIDTH)
    raise ValueError(style)


def report_tables(report: dict, wrapped_headers: bool = False) -> dict[str, list[list[Spec]]]:
    """The three tables as printed cells. `report["_layout"]` (test layouts): merged_other, split_headers,
    numbers ("fullwidth" | "thousands": how value cells print their digits)."""
    t2 = table2_2019(report["table2"]) if report.get("format") == "2019" else table2_2021(report["table2"])
    layout = report.get("_layout", {})
    tables = {"s2_proactive": t2,
              "s3_requests": table3(report["table3"], wrapped_headers, layout.get("merged_other", False),
                                    layout.get("split_headers", False)),
              "s4_review_litigation": table4(report["table4"], layout.get("split_headers", False))}
    style = layout.get("numbers")
    if style:
        tables = {k: [[Spec(printed_number(c.text, style), c.rowspan, c.colspan) for c in row] for row in rows]
                  for k, rows in tables.items()}
    return tables


TYPED_STYLES = ("tabs", "spaces", "pipes", "md_ragged", "md_split_header", "md_repeat_spans", "glued_label",
                "cell_per_line", "columnwise", "wrapped_values", "layout")
LAYOUT_LABEL_CHARS = 16


def typed_text(report: dict, style: str, narrative: Narrative | None = None) -> str:
    """The report as text whose tables are typed row by row, as crawlers and PDF→Markdown converters save them:
    `tabs` (cells between tabs), `spaces` (runs of spaces), `pipes` (a Markdown table on the full grid, spanned
    positions empty), `md_ragged` (Markdown without outer pipes, the header's separator line missing, a row
    missing its trailing cells' pipes), `md_split_header` (each header row's cells broken over two lines),
    `md_repeat_spans` (a Markdown grid whose merged cells repeat their text in every position they cover),
    `glued_label` (“规章12 0 5”: the first number glued to its label), `cell_per_line` (every cell on a line of
    its own), `columnwise` (表三 printed column by column: each applicant column's values on one line),
    `wrapped_values` (cells apart by spaces; a row of numbers only (表四) wrapped 5 numbers a line), `layout`
    (as `pdftotext -layout` prints a table: labels wrapped in their column, the numbers on the first line)."""
    n = narrative or default_narrative(report)
    tables = report_tables(report)
    lines = [n.title, "", n.preamble]
    for key, heading in n.headings.items():
        lines.append(heading)
        lines += n.sections.get(key, [])
        if key in tables:
            lines += _typed_table(tables[key], style, key)
            lines.append("")
    lines += [n.agency, chinese_date(n.signed) if n.signed else ""]
    return "\n".join(lines) + "\n"


def _typed_table(spec_rows: list[list[Spec]], style: str, key: str) -> list[str]:
    placed, width = grid_positions(spec_rows)
    grid = [[""] * width for _ in spec_rows]
    for r, c, spec in placed:
        for dr in range(spec.rowspan if style == "md_repeat_spans" else 1):
            for dc in range(spec.colspan if style == "md_repeat_spans" else 1):
                grid[r + dr][c + dc] = spec.text.replace("\n", "")
    printed = [[c.text.replace("\n", "") for c in row] for row in spec_rows]    # the cells a row prints
    head = _header_rows(spec_rows)
    if style == "tabs":
        return ["\t".join(row) for row in printed]
    if style == "layout":           # pdftotext -layout: labels wrapped in their column, numbers on the first line
        out = []
        for row in printed:
            label = "".join(t for t in row if not _is_number_text(t))
            values = [t for t in row if _is_number_text(t) or not t] if any(_is_number_text(t) for t in row) else []
            parts = [label[i:i + LAYOUT_LABEL_CHARS] for i in range(0, len(label), LAYOUT_LABEL_CHARS)] or [""]
            pad = LAYOUT_LABEL_CHARS * 2 + 4
            first = parts[0] + " " * (pad - display_width(parts[0])) + "".join(f"{t or '':>7}" for t in values)
            out.append(first.rstrip())
            out += [" " * 4 + p for p in parts[1:]]
        return out
    if style == "wrapped_values":          # long value rows wrapped by the page: 5 numbers a line
        out = []
        for row in printed:
            if len(row) > 8 and all(_is_number_text(t) or not t for t in row):
                out += ["  ".join(row[i:i + 5]) for i in range(0, len(row), 5)]
            else:
                out.append("  ".join(t or "/" for t in row))
        return out
    if style == "spaces":
        return ["    ".join(t or "/" for t in row) for row in printed]
    if style in ("pipes", "md_split_header", "md_repeat_spans"):
        out = []
        for i, row in enumerate(grid):
            if style == "md_split_header" and i < head:
                out.append("| " + " | ".join(t[:len(t) // 2] for t in row) + " |")
                out.append("| " + " | ".join(t[len(t) // 2:] for t in row) + " |")
            else:
                out.append("| " + " | ".join(row) + " |")
            if i == max(head, 1) - 1:
                out.append("|" + "---|" * width)
        return out
    if style == "md_ragged":
        out = []
        for i, row in enumerate(grid):
            cells = list(row)
            if i % 5 == 4:                       # a converter that drops the trailing blank cells' pipes
                while cells and cells[-1] == "":
                    cells.pop()
            out.append(" | ".join(cells))
        return out
    if style == "glued_label":
        out = []
        for row in printed:
            labels = [t for t in row if not _is_number_text(t)]
            values = [t for t in row if _is_number_text(t)]
            out.append(" ".join(labels) + (" ".join(values) if values else ""))
        return out
    if style == "cell_per_line":
        return [t for row in printed for t in row if t] + [""]
    if style == "columnwise":
        if key != "s3_requests":
            return ["\t".join(row) for row in printed]
        out = ["\t".join(row) for row in printed[:head]]
        body = printed[head:]
        labels = [" ".join(t for t in row if not _is_number_text(t) and t) for row in body]
        out.append("\t".join(labels))
        values = [[t for t in row if _is_number_text(t) or t == ""][-7:] for row in body]
        for col in range(7):
            out.append("\t".join(v[col] if len(v) == 7 else "" for v in values))
        return out
    raise ValueError(style)


def crawler_text(report: dict, narrative: Narrative | None = None, separator: str = "",
                 drop: tuple[str, int] | None = None, line_break: str = "") -> str:
    """The report as a site crawler saves it: a few metadata lines, then the whole article on ONE line, each
    table row's label followed by its values glued together (`separator` between values; "" glues them).
    `drop` = (row label, value index): that value is left out (a page that lost a cell). `line_break="\n"`: the
    same with each paragraph and table row on a line of its own (digits still glued)."""
    n = narrative or default_narrative(report)
    tables = report_tables(report)
    parts = [n.preamble]
    for key, heading in n.headings.items():
        parts.append(heading)
        parts += n.sections.get(key, [])
        if key in tables:
            for row in tables[key]:
                labels = [c.text.replace("\n", "") for c in row if not _is_number_text(c.text)]
                values = [c.text for c in row if _is_number_text(c.text)]
                if drop and labels and drop[0] in labels[-1] and values:
                    values = values[:drop[1]] + values[drop[1] + 1:]
                parts.append(" ".join(labels) + (" " if values else "") + separator.join(values))
    parts.append(n.agency + " " + (chinese_date(n.signed) if n.signed else ""))
    header = f"标题: {n.title}\n发布时间: {n.signed or ''}\n==================== 正文 ====================\n"
    return header + line_break.join(parts) + "\n"


def _is_number_text(text: str) -> bool:
    """A value cell's text, also as printed with full-width digits or thousands separators."""
    t = unicodedata.normalize("NFKC", text).strip().lstrip("+-").replace(",", "")
    return bool(t) and t.replace(".", "", 1).isdigit()


def split_table(spec_rows: list[list[Spec]], at: int, repeat_header: bool) -> list[list[list[Spec]]]:
    """The table cut in two before row `at`, as editors do when a table runs onto the next page: a merged cell
    across the cut keeps its text in the upper part and continues blank in the lower; `repeat_header` starts
    the lower part with the header rows again."""
    placed, _ = grid_positions(spec_rows)
    upper: dict[int, list[tuple[int, Spec]]] = {}
    lower: dict[int, list[tuple[int, Spec]]] = {}
    for r, c, spec in placed:
        if r >= at:
            lower.setdefault(r, []).append((c, spec))
        elif r + spec.rowspan > at:
            upper.setdefault(r, []).append((c, Spec(spec.text, at - r, spec.colspan)))
            lower.setdefault(at, []).append((c, Spec("", r + spec.rowspan - at, spec.colspan)))
        else:
            upper.setdefault(r, []).append((c, spec))
    rows = lambda part: [[s for _, s in sorted(part[r], key=lambda x: x[0])] for r in sorted(part)]  # noqa: E731
    head = spec_rows[:_header_rows(spec_rows)] if repeat_header else []
    return [rows(upper), head + rows(lower)]


def grid_positions(spec_rows: list[list[Spec]]) -> tuple[list[tuple[int, int, Spec]], int]:
    """Top-left grid position of every printed cell, and the grid width (the HTML table model)."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(spec_rows):
        c = 0
        for spec in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, spec))
            taken.update((r + dr, c + dc) for dr in range(spec.rowspan) for dc in range(spec.colspan))
            c += spec.colspan
    return placed, max(c for _, c in taken) + 1


# ---------------------------------------------------------------------------------------------------------
# HTML


HTML_CELL_STYLES = ("th", "styled", "br", "nbsp")


def _header_rows(spec_rows: list[list[Spec]]) -> int:
    """How many rows at the top of a table hold no number (its header rows)."""
    for i, row in enumerate(spec_rows):
        if any(_is_number_text(c.text) for c in row):
            return i
    return 0


def _html_cell(s: Spec, tag: str, style: str | None) -> str:
    """One cell as an editor writes it: `styled` (inline styles, <p><span> inside), `br` (lines split by <br>),
    `nbsp` (numbers padded with &nbsp;), else one <p> per line."""
    attrs = (f' rowspan="{s.rowspan}"' if s.rowspan > 1 else "") + (f' colspan="{s.colspan}"' if s.colspan > 1 else "")
    parts = [html.escape(p) for p in s.text.split("\n")]
    if not s.text:
        inner = "&nbsp;"
    elif style == "styled":
        attrs += ' style="border:solid windowtext 1.0pt;padding:0cm 5.4pt" valign="center" width="64"'
        inner = "".join(f'<p class="MsoNormal" align="center" style="text-align:center;line-height:15.0pt">'
                        f'<span style="font-size:10.5pt;font-family:宋体">{p}</span></p>' for p in parts)
    elif style == "br":
        inner = "<br/>".join(parts)
    elif style == "nbsp" and _is_number_text(s.text):
        inner = f"&nbsp;{parts[0]}&nbsp;&nbsp;"
    else:
        inner = "".join(f"<p>{p}</p>" for p in parts)
    return f"<{tag}{attrs}>{inner}</{tag}>"


def _html_table(spec_rows: list[list[Spec]], cells: str | None = None) -> str:
    """`cells` = one of HTML_CELL_STYLES or None; `th`: header rows as <th> in a <thead>, labels as <th>."""
    out = ['<table style="BORDER-COLLAPSE:collapse" cellspacing="0" cellpadding="2" border="1" width="100%">']
    head = _header_rows(spec_rows) if cells == "th" else 0
    if head:
        out.append("<thead>")
    else:
        out.append("<tbody>")
    for i, row in enumerate(spec_rows):
        if head and i == head:
            out.append("</thead><tbody>")
        tag = lambda s: "th" if cells == "th" and (i < head or not _is_number_text(s.text)) else "td"  # noqa: E731
        out.append("<tr>" + "".join(_html_cell(s, tag(s), cells) for s in row) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


SPLIT_TABLE3_AT = 14        # the row (of the printed grid) before which `split_table3` cuts 表三


def _parts(spec_rows: list[list[Spec]], key: str, layout: dict) -> list[list[list[Spec]]]:
    """`layout["split_table3"]` ("plain" | "repeat"): 表三 printed as two tables (the second with the header
    rows again when "repeat"); `layout["split_table4"]`: 表四 as two."""
    if key == "s4_review_litigation" and layout.get("split_table4"):
        return table4_apart(spec_rows)
    mode = layout.get("split_table3")
    if key != "s3_requests" or not mode:
        return [spec_rows]
    return split_table(spec_rows, SPLIT_TABLE3_AT, mode == "repeat")


def table4_apart(spec_rows: list[list[Spec]]) -> list[list[list[Spec]]]:
    """`layout["split_table4"]`: 表四 as two tables, 行政复议 (5 columns) and 行政诉讼 (10), as some reports print it."""
    placed, width = grid_positions(spec_rows)
    parts = []
    for lo, hi in ((0, 5), (5, width)):
        rows: dict[int, list[tuple[int, Spec]]] = {}
        for r, c, spec in placed:
            if lo <= c < hi:
                rows.setdefault(r, []).append((c, spec))
        parts.append([[s for _, s in sorted(rows[r], key=lambda x: x[0])] for r in sorted(rows)])
    return parts


def html_page(report: dict, narrative: Narrative | None = None, chrome: bool = True,
              encoding: str = "utf-8", wrapped_headers: bool = False) -> str:
    """The report as a government web page (navigation, breadcrumb, metadata table, article, footer) or bare."""
    n = narrative or default_narrative(report)
    tables = report_tables(report, wrapped_headers)
    layout = report.get("_layout", {})     # html_cells: HTML_CELL_STYLES; layout_table: the article in a table
    e = html.escape
    body = [f"<p>{e(n.preamble)}</p>"]
    for key, heading in n.headings.items():
        body.append(f"<p>{e(heading)}</p>")
        body += [f"<p>{e(p)}</p>" for p in n.sections.get(key, [])]
        if key in tables:
            for part in _parts(tables[key], key, layout):
                body.append("<div>" + _html_table(part, layout.get("html_cells")) + "</div>")
    body.append(f'<p style="text-align:right">{e(n.agency)}</p>')
    if n.signed:
        body.append(f'<p style="text-align:right">{e(chinese_date(n.signed))}</p>')
    article = "\n".join(body)
    if layout.get("layout_table"):      # old CMS pages: the article sits in a layout table's cell
        article = ('<table width="100%" border="0" cellspacing="0" cellpadding="0"><tr><td width="20">&nbsp;</td>'
                   f'<td class="bt_content">{article}</td><td width="20">&nbsp;</td></tr>'
                   '<tr><td colspan="3">&nbsp;</td></tr></table>')
    charset = "gbk" if encoding.lower() in ("gbk", "gb2312", "gb18030") else "utf-8"
    head = (f'<head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{e(n.title)}-{e(n.site)}</title></head>")
    if not chrome:
        return f"<!DOCTYPE html><html>{head}<body><h1 style=\"text-align:center\">{e(n.title)}</h1>\n{article}\n</body></html>"
    nav = "".join(f'<li><a href="/{i}.html">{x}</a></li>' for i, x in enumerate(
        ["首页", "要闻动态", "政务公开", "政务服务", "互动交流", "走进本地", "政府信息公开年报", "政策解读"]))
    meta_rows = [("索引号", f"0143{report['year']}/{report['year'] + 1}-00002", "分类", "信息公开年报"),
                 ("发布机构", n.agency, "公开日期", n.signed or ""),
                 ("文号", "", "关键词", "年度报告")]
    meta_table = "".join(f'<tr><td class="c1">{a}</td><td class="c2">{e(b)}</td><td class="c1">{c}</td>'
                         f'<td class="c3">{e(d)}</td></tr>' for a, b, c, d in meta_rows)
    return f"""<!DOCTYPE html>
<html>{head}
<body>
<script>var _hmt = _hmt || []; document.write("统计代码加载中");</script>
<style>.nav li {{ display:inline }} td {{ border:1px solid #000 }}</style>
<div class="header"><div class="logo">{e(n.site)}</div><ul class="nav">{nav}</ul>
<form class="search"><input type="text" value="请输入关键字"><button>搜索</button></form></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; <a href="/nb">政府信息公开年报</a></div>
<div class="main">
<div class="xxgk_table"><table class="table_content"><tbody>
<tr><td class="c1">名称</td><td colspan="3">{e(n.title)}</td></tr>{meta_table}
</tbody></table></div>
<h1 class="article-title">{e(n.title)}</h1>
<div class="info">【字体：<a>大</a> <a>中</a> <a>小</a>】 <a>打印本页</a></div>
<div class="article-content" id="zoomcon">
{article}
</div>
<div class="share">分享到：<a>微信</a> <a>微博</a> <a>QQ空间</a></div>
<div class="related"><h3>相关链接</h3><ul><li><a href="/x">{e(n.agency)}{n.year - 1}年政府信息公开工作年度报告</a></li></ul></div>
</div>
<div class="footer"><p>主办单位：{e(n.agency)}　网站标识码：3213220001　苏ICP备05011234号</p>
<p>联系电话：0527-83593059　建议使用1920×1080分辨率浏览</p></div>
</body></html>"""


def render_html(report: dict, path: str | Path, narrative: Narrative | None = None, chrome: bool = True,
                encoding: str = "utf-8", wrapped_headers: bool = False) -> Path:
    path = Path(path)
    page = html_page(report, narrative, chrome=chrome, encoding=encoding, wrapped_headers=wrapped_headers)
    path.write_bytes(page.encode("gbk" if encoding.lower() in ("gbk", "gb2312", "gb18030") else "utf-8"))
    return path


# ---------------------------------------------------------------------------------------------------------
# DOCX


def _docx_widths(ncols: int, key: str, text_width: float = 17, narrow: bool = False) -> list[float]:
    """Column widths in cm (`text_width` cm of text): wide label columns, narrow value columns; `narrow`:
    value columns so narrow that a number of three or more digits wraps inside its cell."""
    if key == "s3_requests":
        value = 0.62 if narrow else 1.27
        return [1.3, 2.2, text_width - 3.5 - 7 * value] + [value] * 7
    if key == "s4_review_litigation":
        return [(8.7 if narrow else text_width) / 15] * 15
    return [4.4] + [(text_width - 4.4) / (ncols - 1)] * (ncols - 1)


def _docx_table(doc, spec_rows: list[list[Spec]], key: str, text_width: float = 17, narrow: bool = False,
                repeat_header: bool = False, borders: str = "grid"):
    """`repeat_header`: the header rows are marked to repeat on each page the table runs onto (w:tblHeader);
    `borders`: "grid" (every rule), "horizontal" (row rules only), "none"."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    placed, width = grid_positions(spec_rows)
    table = (doc.add_table(rows=len(spec_rows), cols=width) if hasattr(doc, "sections")
             else doc.add_table(len(spec_rows), width))        # a document, or a cell holding a nested table
    if borders == "grid":
        table.style = "Table Grid"
    elif borders == "horizontal":
        rules = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            el = OxmlElement(f"w:{edge}")
            el.set(qn("w:val"), "single" if edge in ("top", "bottom", "insideH") else "nil")
            el.set(qn("w:sz"), "4")
            rules.append(el)
        table._tbl.tblPr.append(rules)
    table.autofit = False
    widths = _docx_widths(width, key, text_width, narrow)
    grid = table._tbl.tblGrid
    for gc, w in zip(grid.findall(qn("w:gridCol")), widths):
        gc.set(qn("w:w"), str(int(Cm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = Cm(w)
    fresh = table._cells  # one pass before merging: table.cell() rescans the whole table on every call
    for r, c, spec in placed:
        cell = fresh[r * width + c]
        if spec.rowspan > 1 or spec.colspan > 1:
            cell = cell.merge(fresh[(r + spec.rowspan - 1) * width + c + spec.colspan - 1])
        parts = spec.text.split("\n")
        cell.text = parts[0]
        for part in parts[1:]:
            cell.add_paragraph(part)
        for p in cell.paragraphs:
            for run in p.runs:
                run.font.size = Pt(9)
    if repeat_header:
        for row in table.rows[:_header_rows(spec_rows)]:
            flag = OxmlElement("w:tblHeader")
            flag.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().append(flag)
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    return table


def _page_number_field(paragraph) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    fld.append(run)
    paragraph._p.append(fld)


def build_docx(report: dict, narrative: Narrative | None = None, wrapped_headers: bool = False):
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    n = narrative or default_narrative(report)
    tables = report_tables(report, wrapped_headers)
    layout = report.get("_layout", {})    # docx_landscape, docx_narrow, docx_repeat_header, docx_layout_table,
    #                                        docx_borders
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if layout.get("docx_landscape"):
        from docx.enum.section import WD_ORIENT
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    text_width = section.page_width.cm - 4
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2.5)
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    # Header and footer exist in real files and must not be read as report text.
    section.header.paragraphs[0].text = f"{n.agency}政府信息公开（页眉）"
    footer = section.footer.paragraphs[0]
    footer.text = "— "
    _page_number_field(footer)
    footer.add_run(" —")
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER

    title = doc.add_paragraph(n.title)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].font.size = Pt(18)
    title.runs[0].bold = True
    doc.add_paragraph()
    box = doc
    if layout.get("docx_layout_table"):     # the body typed inside a one-cell frame table, tables nested in it
        frame = doc.add_table(rows=1, cols=1)
        box = frame.cell(0, 0)
    box.add_paragraph(n.preamble)
    for key, heading in n.headings.items():
        h = box.add_paragraph(heading)
        h.runs[0].bold = True
        for p in n.sections.get(key, []):
            box.add_paragraph(p)
        if key in tables:
            for i, part in enumerate(_parts(tables[key], key, layout)):
                if i:
                    box.add_paragraph()
                _docx_table(box, part, key, text_width, layout.get("docx_narrow", False),
                            layout.get("docx_repeat_header", False), layout.get("docx_borders", "grid"))
            box.add_paragraph()
    sig = doc.add_paragraph(n.agency)
    sig.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if n.signed:
        d = doc.add_paragraph(chinese_date(n.signed))
        d.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return doc


def render_docx(report: dict, path: str | Path, narrative: Narrative | None = None,
                wrapped_headers: bool = False) -> Path:
    path = Path(path)
    build_docx(report, narrative, wrapped_headers).save(str(path))
    return path


# ---------------------------------------------------------------------------------------------------------
# PDF through LibreOffice


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def office_convert(source: Path, out_dir: Path, to: str = "pdf") -> Path:
    """Print `source` to PDF or save it as DOCX with LibreOffice headless, as an office would, with its own
    profile in a temporary HOME (STACK.md §5). Text files are opened as UTF-8 text, HTML with the Writer filter."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    target = {"pdf": "pdf:writer_pdf_Export", "docx": 'docx:MS Word 2007 XML'}[to]
    with tempfile.TemporaryDirectory(prefix="lo_home_") as home:
        args = [exe, f"-env:UserInstallation=file://{home}/profile", "--headless", "--norestore"]
        suffix = source.suffix.lower()
        if suffix in (".html", ".htm"):
            args += ["--infilter=HTML (StarWriter)"]
        elif suffix in (".txt", ".md"):
            args += ["--infilter=Text (encoded):UTF8,,,"]
        args += ["--convert-to", target if suffix != ".docx" else to, str(source), "--outdir", str(out_dir)]
        env = {**os.environ, "HOME": home}
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=180)
    out = out_dir / (source.stem + "." + to)
    if not out.is_file():
        raise RuntimeError(f"LibreOffice did not write {out}: rc={proc.returncode} {proc.stdout} {proc.stderr}")
    return out


def convert_to_pdf(source: Path, out_dir: Path) -> Path:
    return office_convert(source, out_dir, "pdf")


def render_pdf(report: dict, path: str | Path, narrative: Narrative | None = None, via: str = "docx",
               wrapped_headers: bool = False) -> Path:
    """DOCX→PDF (default) or HTML→PDF (`via="html"`, bare page without site navigation)."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="render_pdf_") as tmp:
        tmp = Path(tmp)
        src = tmp / (path.stem + (".docx" if via == "docx" else ".html"))
        if via == "docx":
            render_docx(report, src, narrative, wrapped_headers)
        else:
            render_html(report, src, narrative, chrome=False, wrapped_headers=wrapped_headers)
        pdf = convert_to_pdf(src, tmp)
        shutil.move(str(pdf), path)
    return path


# ---------------------------------------------------------------------------------------------------------
# report variants


def _t3_columns(report: dict) -> list[str]:
    return report["table3"].get("columns") or list(TABLE3_COLUMNS)


def perturbed(report: dict, seed: int) -> dict:
    """New figures from a seeded generator; 表三 rows and columns and 表四 totals add up. A cell the source
    leaves blank (None) stays blank and counts as nothing in the sums. 表二 2021 only."""
    rng = random.Random(seed)
    out = copy.deepcopy(report)
    out["published"] = f"{report['year'] + 1}-0{rng.randint(1, 3)}-{rng.randint(10, 28)}"
    out["table2"] = {
        "regulations": {"issued": rng.randint(0, 4), "repealed": rng.randint(0, 3), "in_force": rng.randint(5, 40)},
        "normative_documents": {"issued": rng.randint(0, 30), "repealed": rng.randint(0, 30), "in_force": rng.randint(10, 400)},
        "administrative_license": rng.randint(0, 500000),
        "administrative_penalty": rng.randint(0, 9000),
        "administrative_coercion": rng.randint(0, 900),
        "administrative_fees": rng.choice([0, rng.randint(1, 90000), round(rng.uniform(1, 99999), 2)]),
    }
    cols = list(TABLE3_COLUMNS)
    src_rows = {k: dict(zip(_t3_columns(report), v)) for k, v in report["table3"]["rows"].items()}
    keys = list(src_rows)
    outcome = [k for k in keys if k not in ("new_received", "carried_over", "total_processed", "carried_forward")]
    rows = {k: [None] * 7 for k in keys}
    for ci, col in enumerate(cols[:-1]):
        blank = all(src_rows[k].get(col) is None for k in keys)
        if blank:
            continue
        for k in outcome:
            rows[k][ci] = rng.choice([0, 0, 0, rng.randint(1, 40)])
        processed = sum(rows[k][ci] for k in outcome)
        carried_over = rng.randint(0, 6)
        forward = rng.randint(0, 6)
        new = processed + forward - carried_over
        if new < 0:
            carried_over, new = carried_over + new, 0
        rows["total_processed"][ci], rows["carried_forward"][ci] = processed, forward
        rows["new_received"][ci], rows["carried_over"][ci] = new, carried_over
    for k in keys:
        present = [v for v in rows[k][:-1] if v is not None]
        rows[k][-1] = sum(present) if present else None
    out["table3"] = {"columns": cols, "rows": rows}
    t4 = {}
    for g in TABLE4_GROUPS:
        parts = {c: rng.choice([0, rng.randint(0, 60)]) for c in TABLE4_COLUMNS[:-1]}
        t4[g] = {**parts, "total": sum(parts.values())}
    out["table4"] = t4
    return out


def as_2019(report: dict, seed: int) -> dict:
    """The same report in the 2019 trial format: 2019 表二 (RULES.md a.3), one （六）其他处理 row, year ≤ 2020."""
    rng = random.Random(seed)
    out = copy.deepcopy(report)
    out["format"] = "2019"
    out["year"] = 2020 if report["year"] >= 2020 else report["year"]
    out["published"] = f"{out['year'] + 1}-01-{rng.randint(10, 31)}"
    t2 = {}
    for key, (_, cols) in TABLE2_2019_ROWS.items():
        vals = {}
        for c in cols:
            if c == "delta":
                vals[c] = rng.randint(-20, 40)
            elif c == "proc_amount":
                vals[c] = rng.randint(1000, 900000)
            else:
                vals[c] = rng.randint(0, 3000)
        t2[key] = vals
    out["table2"] = t2
    rows = dict(out["table3"]["rows"])
    if "other_processing" not in rows:
        split = [rows.pop(k) for k in TABLE3_OTHER_SPLIT]
        merged = [None if all(v is None for v in col) else sum(v or 0 for v in col) for col in zip(*split)]
        new_rows = {}
        for k, v in out["table3"]["rows"].items():
            if k == TABLE3_OTHER_SPLIT[0]:
                new_rows["other_processing"] = merged
            elif k not in TABLE3_OTHER_SPLIT:
                new_rows[k] = v
        rows = new_rows
    out["table3"] = {"columns": _t3_columns(report), "rows": rows}
    return out


def with_blanks(report: dict, seed: int, share: float = 0.25) -> dict:
    """Some cells blank (None) as printed by reports that leave zeros empty; which ones is seeded."""
    rng = random.Random(seed)
    out = copy.deepcopy(report)
    for k, vals in out["table3"]["rows"].items():
        out["table3"]["rows"][k] = [None if rng.random() < share else v for v in vals]
    for g in out["table4"]:
        for c in out["table4"][g]:
            if rng.random() < share:
                out["table4"][g][c] = None
    if out.get("format") != "2019":
        for k, v in out["table2"].items():
            if isinstance(v, dict):
                out["table2"][k] = {c: (None if rng.random() < share else x) for c, x in v.items()}
            elif rng.random() < share:
                out["table2"][k] = None
    return out


def expected_json(report: dict) -> dict:
    """What `extract(path).to_json()` must give for a rendered report: the same keys and cells."""
    t3_cols = _t3_columns(report)
    rows = {k: [dict(zip(t3_cols, v)).get(c) for c in TABLE3_COLUMNS] for k, v in report["table3"]["rows"].items()}
    return {"agency": report["agency"], "year": report["year"], "format": report.get("format"),
            "published": report.get("published"), "table2": report["table2"],
            "table3": {"columns": list(TABLE3_COLUMNS), "rows": rows},
            "table4": {g: {c: (report["table4"].get(g) or {}).get(c) for c in TABLE4_COLUMNS} for g in TABLE4_GROUPS}}
