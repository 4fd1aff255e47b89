"""Cells of every spreadsheet and CSV the product writes, so that text from a report, a file name or a login
name is never run as a formula (issue 21: a file name became a HYPERLINK formula in the 问题清单).

A text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (FORMULA_STARTS) is what Excel and WPS may
read as a formula. In CSV it is written with a leading apostrophe (`'=HYPERLINK(...)`), the usual guard; in XLSX
it is stored as a string cell with Excel's quote prefix, its text unchanged. A plain number written as text
(`-12`, `+3.5`) is left alone, and so are numbers. XLSX cannot hold control characters or lone surrogates: they
are dropped (`xlsx_text`). Every XLSX and CSV writer goes through `csv_row` / `xlsx_append`.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)*%?$")


def risky(value: Any) -> bool:
    """A text a spreadsheet could take for a formula."""
    return (isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_STARTS)
            and not _PLAIN_NUMBER.match(value))


def csv_cell(value: Any) -> Any:
    return "'" + value if risky(value) else value


def csv_row(values: Iterable[Any]) -> list:
    return [csv_cell(v) for v in values]


def xlsx_text(value: Any) -> Any:
    """A value XLSX can store: control characters and lone surrogates removed from text."""
    from assistant.docx_export import xml_safe
    return xml_safe(value)


def xlsx_append(ws, values: Iterable[Any]) -> None:
    """`ws.append(values)`, with every risky text stored as a string (quote prefix), never as a formula."""
    values = [xlsx_text(v) for v in values]
    ws.append([None if risky(v) else v for v in values])
    row = ws.max_row
    for col, v in enumerate(values, start=1):
        if risky(v):
            cell = ws.cell(row=row, column=col)
            cell.value = v
            cell.data_type = "s"
            cell.quotePrefix = True
