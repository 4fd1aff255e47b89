"""TXT/MD reports → Document.

Handles the layouts seen when report text is copied or converted: tab-separated rows, one cell per line
(a cell line starts with a tab, a row ends at a blank line, a line without a tab continues the cell above),
markdown pipe tables with ragged trailing pipes, markdown headings, page-number lines and editor residue.
"""
from __future__ import annotations

import re
from pathlib import Path

from ingest.document import Document, Paragraph, RawTable, Source, TextCell
from ingest.errors import ExtractError
from ingest.loaders.encoding import decode_text

PAGE_NUMBER = re.compile(r"^\s*(?:[—－\-–]+\s*\d{1,3}\s*[—－\-–]+|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$")
RESIDUE = re.compile(r"\[bookmark:[^\]]*\]|<!--.*?-->")
MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def load_text(path: Path) -> Document:
    text = decode_text(path.read_bytes(), path.name)
    return parse_text(text, str(path))


def parse_text(text: str, path: str = "") -> Document:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks = []
    table_rows: list[list[TextCell]] = []
    cell_row: list[TextCell] | None = None   # a row being built in one-cell-per-line layout
    page = 1
    has_pages = "\f" in text

    def src(lineno: int) -> Source:
        return Source(line=lineno, page=page if has_pages else None)

    def flush_cell_row():
        nonlocal cell_row
        if cell_row:
            table_rows.append(cell_row)
        cell_row = None

    def flush_table():
        flush_cell_row()
        if table_rows:
            blocks.append(RawTable(list(table_rows), table_rows[0][0].source))
            table_rows.clear()

    for i, raw in enumerate(lines, start=1):
        if "\f" in raw:
            page += raw.count("\f")
            raw = raw.replace("\f", "")
        line = RESIDUE.sub("", raw).rstrip()
        if PAGE_NUMBER.match(line):
            continue
        if not line.strip():
            flush_cell_row()
            continue
        if MD_SEPARATOR.match(line) and "-" in line:
            continue
        stripped = line.strip()
        if stripped.startswith("|") or stripped.count("|") >= 2:
            flush_cell_row()
            cells = stripped.strip("|").split("|")
            table_rows.append([TextCell(c.strip(), src(i)) for c in cells])
            continue
        if "\t" in line:
            cells = line.split("\t")
            if line.startswith("\t") and len(cells) == 2:       # one cell per line
                if cell_row is None:
                    cell_row = []
                cell_row.append(TextCell(cells[1].strip(), src(i)))
            else:
                flush_cell_row()
                table_rows.append([TextCell(c.strip(), src(i)) for c in cells])
            continue
        if cell_row is not None and cell_row and len(stripped) <= 12 and not _looks_like_heading(stripped):
            cell_row[-1] = TextCell(cell_row[-1].text + stripped, cell_row[-1].source)   # wrapped cell
            continue
        flush_table()
        heading = re.sub(r"^#{1,6}\s*", "", stripped)
        blocks.append(Paragraph(heading, src(i)))
    flush_table()
    if not any(isinstance(b, Paragraph) and b.text.strip() for b in blocks) and not any(
            isinstance(b, RawTable) for b in blocks):
        raise ExtractError("empty", "文件中没有可读取的文字内容。")
    return Document(path=path, kind="text", blocks=blocks, pages=page if has_pages else None)


def _looks_like_heading(s: str) -> bool:
    return bool(re.match(r"^[一二三四五六七八九十]+、|^[（(][一二三四五六七八九十]+[）)]", s))
