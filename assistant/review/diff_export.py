"""The 与上年比对 as a DOCX: the comparison's text in the drafting work's document format
(assistant.views.draft_docx_bytes), then every table cell side by side in a table, each with its pages."""
from __future__ import annotations

import io

from assistant.review.diff import ReportDiff, number_text

CELL_HEADERS = ("单元格", "上年", "上年出处", "本年", "本年出处", "变化")


def diff_title(diff: ReportDiff) -> str:
    return f"{diff.new.agency or '未识别单位'}{diff.new.year or ''}年度报告与{diff.old.year or '上年'}年度报告比对"


def diff_text(diff: ReportDiff) -> str:
    """Headings “一、…” and paragraphs: summary, sections sentence by sentence, last year's promises."""
    o, n = diff.old.year or "上年", diff.new.year or "本年"
    lines = [f"本年报告：{diff.new.file}；上年报告：{diff.old.file}。", diff.summary()]
    lines += [f"注意：{x}" for x in diff.notes]
    lines.append("一、正文逐句比对")
    for s in diff.sections:
        head = f"{s.name}：新增{len(s.added)}句，删去{len(s.removed)}句，相同{len(s.unchanged)}句"
        lines.append(head + ("，与上年逐字相同。" if s.copied else "。"))
        lines += [f"【新增】{x.cited(f'{n}年报告')}" for x in s.added]
        lines += [f"【删去】{x.cited(f'{o}年报告')}" for x in s.removed]
        lines += [f"【相同】{x.cited(f'{n}年报告')}" for x in s.unchanged]
    lines.append(f"二、{o}年报告所列问题和改进措施的落实情况")
    if not diff.promises:
        lines.append(f"{o}年报告第五部分没有列出具体问题或改进措施。")
    for i, p in enumerate(diff.promises, 1):
        head, answer = p.describe(o, n)
        lines.append(f"{i}. {head}：{p.status}" + (f"。{answer}" if answer else ""))
    lines.append("三、表格逐格比对（见下表；空白不按0计）")
    return "\n".join(lines)


def diff_docx(diff: ReportDiff) -> bytes:
    from docx import Document

    from assistant.docx_export import xml_safe
    from assistant.views import draft_docx_bytes
    doc = Document(io.BytesIO(draft_docx_bytes(diff_title(diff), diff_text(diff))))
    table = doc.add_table(rows=1, cols=len(CELL_HEADERS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, CELL_HEADERS):
        cell.text = text
    for c in diff.cells:
        row = table.add_row().cells
        values = (c.label, "空白" if c.old is None else number_text(c.old), c.old_where, "空白" if c.new is None else number_text(c.new),
                  c.new_where, c.change_text())
        for cell, text in zip(row, values):
            cell.text = xml_safe(str(text))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
