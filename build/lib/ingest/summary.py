"""A readable Chinese summary of a structured report: metadata, sections, the three tables, warnings."""
from __future__ import annotations

from ingest.report import Report, Table
from ingest.schema import (TABLE2_ROWS, TABLE2_2019_ROWS, TABLE3_COLUMNS, TABLE3_COLUMN_LABELS, TABLE3_ROWS,
                           TABLE4_COLUMNS, TABLE4_COLUMN_LABELS, TABLE4_GROUPS, TABLE_TITLES, column_label)


def fmt_value(v) -> str:
    if v is None:
        return "空"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def summarize(report: Report) -> str:
    lines = [f"单位：{report.agency or '未识别'}", f"年度：{report.year or '未识别'}",
             f"格式：{report.format or '未识别'}版", f"落款日期：{report.published or '无'}",
             f"文件：{report.file}（{report.kind}{'，' + str(report.pages) + '页' if report.pages else ''}）", ""]
    lines.append("章节：")
    for s in report.sections:
        indent = "    " if "." in s.key else "  "
        where = f"（第{s.page}页）" if s.page else ""
        lines.append(f"{indent}{s.heading}{where}")
    lines.append("")
    lines += table_lines(report)
    if report.warnings:
        lines.append("")
        lines.append(f"读取提示（{len(report.warnings)}条）：")
        for w in report.warnings:
            where = f"（{w.source.describe()}）" if w.source and w.source.describe() else ""
            lines.append(f"  - {w.message}{where}")
    return "\n".join(lines)


def table_lines(report: Report) -> list[str]:
    out = []
    t2 = report.table2
    out.append(TABLE_TITLES["table2"])
    if t2 is None:
        out.append("  （未找到）")
    else:
        spec = TABLE2_2019_ROWS if report.format == "2019" else TABLE2_ROWS
        for row, (label, cols) in spec.items():
            if row in t2.rows:
                vals = "；".join(f"{column_label('table2', row, c)} {fmt_value(t2.value(row, c))}" for c in cols)
                out.append(f"  {label}：{vals}")
    out.append("")
    out.append(TABLE_TITLES["table3"])
    t3 = report.table3
    if t3 is None:
        out.append("  （未找到）")
    else:
        out.append("  " + "行名".ljust(24, "　") + " ".join(TABLE3_COLUMN_LABELS[c] for c in TABLE3_COLUMNS))
        for row, label in TABLE3_ROWS.items():
            if row in t3.rows:
                out.append("  " + label[:24].ljust(24, "　") + " ".join(fmt_value(t3.value(row, c)) for c in TABLE3_COLUMNS))
    out.append("")
    out.append(TABLE_TITLES["table4"])
    t4 = report.table4
    if t4 is None:
        out.append("  （未找到）")
    else:
        for g, label in TABLE4_GROUPS.items():
            out.append(f"  {label}：" + "；".join(f"{TABLE4_COLUMN_LABELS[c]} {fmt_value(t4.value(g, c))}" for c in TABLE4_COLUMNS))
    return out
