"""`extract(path) -> Report`: load a file, read its three tables and its metadata, say what was doubtful."""
from __future__ import annotations

import hashlib
from pathlib import Path

from ingest.checksums import ocr_warnings, unread_cells
from ingest.document import Document
from ingest.errors import ExtractError
from ingest.load import MAX_TABLE_ROWS, load_document
from ingest.loaders.oneline import unglue
from ingest.metadata import read_metadata
from ingest.report import Report, Warning
from ingest.schema import FORMAT_2019, FORMAT_2021
from ingest.tables import read_tables

REPORT_WORDS = ("政府信息公开", "政务公开", "信息公开")


def extract(path: str | Path, *, display_name: str | None = None) -> Report:
    """Read one annual report. Raises ExtractError (Chinese message) for anything that is not one."""
    path = Path(path)
    document = load_document(path)
    report = extract_document(document, display_name or str(path))
    report.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    return report


def extract_document(document: Document, file: str) -> Report:
    document = unglue(document)
    text = document.text()
    tables = read_tables(document)
    meta = read_metadata(document)
    found_tables = sum(t is not None for t in (tables.table2, tables.table3, tables.table4))
    if not any(w in text for w in REPORT_WORDS) or (found_tables == 0 and "年度报告" not in text):
        raise ExtractError("not_a_report", "该文件看起来不是政府信息公开工作年度报告：没有找到年报的标准表格或相关内容。")
    warnings = list(tables.warnings) + ocr_warnings([tables.table2, tables.table3, tables.table4])
    for key, name, t in (("table2", "表二", tables.table2), ("table3", "表三", tables.table3),
                         ("table4", "表四", tables.table4)):
        if t is not None:
            continue
        seen = tables.evidence.get(key, "")
        if seen:
            warnings.append(Warning("table_unread", f"未能读取{name}：报告中有该表的内容（“{seen}”），但程序无法确定其行列，"
                                                    "请核对原件", key, None, None))
        else:
            warnings.append(Warning("table_missing", f"报告中没有找到{name}", key, None, None))
    if meta.agency_as_titled:
        warnings.append(Warning("agency_spelling", f"标题中的单位名称“{meta.agency_as_titled}”与正文、落款中多次出现的"
                                                   f"“{meta.agency}”相差一个字（疑为识别错误），按“{meta.agency}”识别"))
    for number, rows in document.meta.get("cut_tables", ()):
        warnings.append(Warning("table_too_long", f"报告中的第{number}个表格有 {rows:,} 行，超过 {MAX_TABLE_ROWS:,} 行的上限：程序只读取了"
                                                  f"前 {MAX_TABLE_ROWS:,} 行，其余内容未读取、也不进入检索，请核对原件", None, None, None))
    if meta.agency is None:
        warnings.append(Warning("agency_missing", "没有识别出报告单位名称", None, None, None))
    if meta.year is None:
        warnings.append(Warning("year_missing", "没有识别出报告年度", None, None, None))
    fmt = _format(tables, meta.year)
    warnings += unread_cells([tables.table2, tables.table3, tables.table4], fmt, warnings)
    return Report(file=file, agency=meta.agency, year=meta.year, format=fmt,
                  published=meta.published, title=meta.title, kind=document.kind, pages=document.pages,
                  table2=tables.table2, table3=tables.table3, table4=tables.table4, fees=tables.fees,
                  sections=meta.sections, warnings=warnings,
                  page_turns=dict(document.meta.get("page_turns", {})))


def _format(tables, year: int | None) -> str | None:
    """2019 when 表二 uses the trial format's columns; a single （六）其他处理 row alone does not make a
    2021-format report 2019 unless the report is for 2019 or 2020."""
    if tables.table2_format:
        return tables.table2_format
    if tables.table3 is not None:
        if tables.table3_single_other and year is not None and year <= 2020:
            return FORMAT_2019
        return FORMAT_2021
    return None
