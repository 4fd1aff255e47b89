"""The web face: a Gradio page, in Chinese, on 127.0.0.1. Start with `make run` or `python app.py --port N`."""
from __future__ import annotations

import argparse
import os

for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
               "ANONYMIZED_TELEMETRY": "False"}.items():
    os.environ.setdefault(_k, _v)

import gradio as gr  # noqa: E402

from ingest.errors import ExtractError  # noqa: E402
from ingest.extract import extract  # noqa: E402
from ingest.report import Report  # noqa: E402
from ingest.schema import (TABLE2_ROWS, TABLE3_COLUMN_LABELS, TABLE3_COLUMNS, TABLE3_ROWS, TABLE4_COLUMN_LABELS,  # noqa: E402
                           TABLE4_COLUMNS, TABLE4_GROUPS, column_label)
from ingest.summary import fmt_value  # noqa: E402


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


def on_upload(path: str | None):
    if not path:
        return "请上传一份年度报告（PDF、DOCX、HTML、TXT 或 MD）。", [], [], []
    try:
        report = extract(path, display_name=os.path.basename(path))
    except ExtractError as e:
        return f"**无法读取：** {e.message}", [], [], []
    t2, t3, t4 = table_frames(report)
    return report_overview(report), t2, t3, t4


def build_app() -> gr.Blocks:
    with gr.Blocks(title="年报助手 nianbao") as demo:
        gr.Markdown("## 政府信息公开工作年度报告助手")
        with gr.Tab("读取年报"):
            upload = gr.File(label="上传年报（PDF / DOCX / HTML / TXT / MD）", type="filepath",
                             file_types=[".pdf", ".docx", ".html", ".htm", ".txt", ".md"])
            overview = gr.Markdown("请上传一份年度报告。", elem_id="overview")
            t2 = gr.Dataframe(headers=["行", "列", "数值", "出处"], label="表二 主动公开政府信息情况", wrap=True)
            t3 = gr.Dataframe(headers=["行"] + [TABLE3_COLUMN_LABELS[c] for c in TABLE3_COLUMNS] + ["出处"],
                              label="表三 收到和处理政府信息公开申请情况", wrap=True)
            t4 = gr.Dataframe(headers=["类别"] + [TABLE4_COLUMN_LABELS[c] for c in TABLE4_COLUMNS] + ["出处"],
                              label="表四 政府信息公开行政复议、行政诉讼情况", wrap=True)
            upload.change(on_upload, inputs=upload, outputs=[overview, t2, t3, t4], api_name="extract")
    return demo


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="启动年报助手网页")
    p.add_argument("--host", default=os.environ.get("NIANBAO_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    args = p.parse_args(argv)
    build_app().launch(server_name=args.host, server_port=args.port, show_error=True)


if __name__ == "__main__":
    main()
