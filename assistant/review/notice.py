"""The 通报 draft of a region review (DOCX) and its annex, the 问题清单 (XLSX).

The 通报: 总体情况 (how many units, how many on time, how many with errors), 主要问题 by type with the units'
names and one cited example each, 整改要求 as 【】 placeholders only the office can fill in. Every figure is
a count taken from the review (assistant.review.region); nothing is invented. The DOCX goes through the
drafting work's document format (assistant.views.draft_docx_bytes), so both look the same.
"""
from __future__ import annotations

import io
from typing import Sequence

from assistant.validator.findings import ERROR, INFO, SEVERITY_ZH, WARNING
from assistant.review.region import RegionReview, evidence_pages, evidence_text
from assistant.review.titles import rule_title

_CN_ORDINALS = "一二三四五六七八九十"
MAX_PROBLEMS_IN_NOTICE = 10          # problem types named in the 通报 body; the annex lists every finding


def ordinal(i: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (for （一）-style numbering)."""
    if i <= 10:
        return _CN_ORDINALS[i - 1]
    tens, ones = divmod(i, 10)
    return ("" if tens == 1 else _CN_ORDINALS[tens - 1]) + "十" + (_CN_ORDINALS[ones - 1] if ones else "")


def notice_title(review: RegionReview) -> str:
    return f"关于{review.group}{review.year}年度政府信息公开工作年度报告检查情况的通报（征求意见稿）"


def _names(units) -> str:
    return "、".join(u.agency for u in units)


def notice_text(review: RegionReview, score=None) -> str:
    """The 通报 body: one line per paragraph, headings “一、…” on their own lines. With a score
    (assistant.review.scoring.GroupScore), a section 三、评分情况 comes before the 整改要求."""
    n = len(review.units)
    on_time, late, undated = review.on_time, review.late, review.undated
    errors, warnings = review.with_errors, review.with_warnings
    n_err = sum(u.errors for u in review.units)
    n_warn = sum(u.warnings for u in review.units)
    clean = [u for u in review.units if not u.errors and not u.warnings]
    lines = ["各有关单位：",
             f"根据《中华人民共和国政府信息公开条例》有关规定，【发文单位】对{review.group}{n}个单位的{review.year}年度"
             "政府信息公开工作年度报告进行了检查。现将有关情况通报如下。",
             "一、总体情况"]
    para = f"本次共检查{n}个单位的{review.year}年度报告。按时发布的{len(on_time)}个"
    para += f"；逾期发布的{len(late)}个（{_names(late)}）" if late else "；无逾期发布"
    para += f"；报告中没有落款日期、无法核对发布时间的{len(undated)}个（{_names(undated)}）" if undated else ""
    para += "。"
    para += (f"经核查，{len(errors)}个单位的报告存在错误，共{n_err}处（{_names(errors)}）；"
             if errors else "经核查，各单位报告均未发现错误；")
    para += f"{len(warnings)}个单位的报告有需要核实或改进的问题，共{n_warn}处。"
    if clean:
        para += f"{len(clean)}个单位的报告未发现错误和需改进的问题（{_names(clean)}）。"
    lines.append(para)
    if review.unread:
        lines.append(f"另有{len(review.unread)}个单位的报告有部分内容未能由系统读取（{_names(review.unread)}），"
                     "相关内容未计入上述统计，请核对原件。")
    lines.append("二、主要问题")
    shown = review.problems[:MAX_PROBLEMS_IN_NOTICE]
    if not shown:
        lines.append("本次检查未发现共性问题。")
    for i, p in enumerate(shown, 1):
        kind = "错误" if p.severity == ERROR else "需改进"
        lines.append(f"（{ordinal(i)}）{p.title}（{kind}）：{len(p.units)}个单位（{'、'.join(p.units)}）。"
                     f"例如，{p.example_text()}。")
    rest = review.problems[MAX_PROBLEMS_IN_NOTICE:]
    if rest:
        lines.append(f"此外还有{len(rest)}类问题（{'、'.join(p.title for p in rest)}），详见附件问题清单。")
    if score is not None:
        from assistant.review.scoring import notice_section
        lines += ["三、评分情况"] + notice_section(score)
    lines += [("四" if score is not None else "三") + "、整改要求",
              "（一）【请写明整改范围和方式，如：存在错误的单位对照附件问题清单逐项核实、更正并重新发布】",
              "（二）【请写明整改时限和报送要求，如：于【日期】前将整改情况报送【发文单位】】",
              "（三）【请写明今后的工作要求】",
              f"附件：{review.group}{review.year}年度政府信息公开工作年度报告问题清单"
              + ("、评分表" if score is not None else ""),
              "【发文单位】",
              "【日期】"]
    return "\n".join(lines)


def notice_docx(review: RegionReview, score=None) -> bytes:
    """The 通报 draft as DOCX bytes, in the drafting work's document format (with its scoring section when
    a score is given)."""
    from assistant.views import draft_docx_bytes
    return draft_docx_bytes(notice_title(review), notice_text(review, score))


XLSX_FINDING_HEADERS = ["单位", "文件", "报告编号", "严重程度", "规则", "问题类型", "说明", "应为", "实际", "依据",
                        "页码（行号）"]
XLSX_UNIT_HEADERS = ["单位", "文件", "报告编号", "错误", "警告", "按时发布", "落款日期", "法定期限", "页数",
                     "第五部分字数", "上年报告", "未能读取"]
XLSX_READING_HEADERS = ["单位", "文件", "报告编号", "未能读取的内容", "位置"]


def xlsx_value(value):
    """A cell's value for Excel: a count or a figure as a number (so Excel can sum it), anything else as text,
    nothing as an empty cell. “95”, 95 and 95.0 are all the number 95."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else value
    text = str(value).strip().replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return str(value)
    return int(number) if number.is_integer() and "." not in text else number


def problem_list_xlsx(review: RegionReview, severities: Sequence[str] = (ERROR, WARNING, INFO)) -> bytes:
    """The annex: every finding of every unit with its evidence and page; the units; what we could not read."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, NamedStyle

    from assistant.sheetcells import xlsx_append

    wb = Workbook()
    wb.add_named_style(NamedStyle(name="wrapped", alignment=Alignment(wrap_text=True, vertical="top")))
    ws = wb.active
    ws.title = "问题清单"
    xlsx_append(ws, XLSX_FINDING_HEADERS)
    for u in review.units:
        for f in u.findings:
            if f.get("severity") not in severities:
                continue
            xlsx_append(ws, [u.agency, u.file, u.report_id, SEVERITY_ZH.get(f.get("severity"), f.get("severity", "")),
                       f.get("rule", ""), rule_title(f.get("rule", "")), f.get("message", ""),
                       xlsx_value(f.get("expected")), xlsx_value(f.get("actual")),
                       "\n".join(evidence_text(e) for e in f.get("evidence") or []), evidence_pages(f)])
    units = wb.create_sheet("单位一览")
    xlsx_append(units, XLSX_UNIT_HEADERS)
    for u in review.units:
        xlsx_append(units, [u.agency, u.file, u.report_id, u.errors, u.warnings, u.on_time_text, u.published or "",
                            u.deadline, u.pages,
                      u.section_five_chars, u.previous_file or "", len(u.reading)])
    unread = wb.create_sheet("未能读取")
    xlsx_append(unread, XLSX_READING_HEADERS)
    for u in review.units:
        for w in u.reading:
            src = w.get("source") or {}
            spot = f"第{src['page']}页" if src.get("page") else (f"第{src['line']}行" if src.get("line") else "")
            xlsx_append(unread, [u.agency, u.file, u.report_id, w.get("message", ""), spot])
    for sheet in (ws, units, unread):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for col in sheet.columns:
            width = min(60, max(8, *(len(str(c.value or "")) * 2 for c in col[:50])))
            sheet.column_dimensions[col[0].column_letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.style = "wrapped"              # one named style: per-cell Alignment objects are very slow
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
