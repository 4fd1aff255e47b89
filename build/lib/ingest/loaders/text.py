"""TXT/MD reports → Document.

Handles the layouts seen when report text is copied or converted: tab-separated rows, one cell per line
(a cell line starts with a tab, a row ends at a blank line, a line without a tab continues the cell above),
markdown pipe tables with ragged trailing pipes, markdown headings, page-number lines and editor residue.
"""
from __future__ import annotations

import re
from pathlib import Path

from ingest.document import Document, Paragraph, RawTable, Source, TextCell, typed_cells
from ingest.errors import ExtractError
from ingest.loaders.encoding import decode_text
from ingest.text import ascii_numbers, display_width, looks_like_heading

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
    page_lines: set[int] = set()      # page-number lines dropped: a wrapped line may continue after one

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
        raw = ascii_numbers(raw)
        line = RESIDUE.sub("", raw).rstrip()
        if "\t" in line.strip():      # a row typed with tabs: its trailing tabs are blank cells, not layout
            line = RESIDUE.sub("", raw).rstrip(" \r\u3000")
        if PAGE_NUMBER.match(line):
            page_lines.add(i)
            continue
        if not line.strip():
            if table_rows and raw.strip(" \r\n\u3000").count("\t") >= len(table_rows[-1]) - 1 > 0:
                table_rows.append([TextCell("", src(i)) for _ in raw.strip(" \r\n\u3000").split("\t")])
                continue            # a row of blank cells typed with tabs, inside a table
            flush_cell_row()
            continue
        if MD_SEPARATOR.match(line) and "-" in line:
            continue
        stripped = line.strip()
        if line.startswith("\t") and line.count("\t") == 1:       # one cell per line
            if cell_row is None:
                cell_row = []
            cell_row.append(TextCell(line[1:].strip(), src(i)))
            continue
        cells = typed_cells(line)
        if cells is None and table_rows and stripped.count("|") == 1:   # a table row that lost its other pipes
            cells = [c.strip() for c in stripped.split("|")]
        if cells is not None:
            flush_cell_row()
            table_rows.append([TextCell(c, src(i)) for c in cells])
            continue
        if cell_row is not None and cell_row and len(stripped) <= 12 and not looks_like_heading(stripped):
            cell_row[-1] = TextCell(cell_row[-1].text + stripped, cell_row[-1].source)   # wrapped cell
            continue
        flush_table()
        heading = re.sub(r"^#{1,6}\s*", "", stripped)
        blocks.append(Paragraph(heading, src(i)))
    flush_table()
    blocks = join_hard_wrapped(blocks, page_lines)
    if not any(isinstance(b, Paragraph) and b.text.strip() for b in blocks) and not any(
            isinstance(b, RawTable) for b in blocks):
        raise ExtractError("empty", "文件中没有可读取的文字内容。")
    return Document(path=path, kind="text", blocks=blocks, pages=page if has_pages else None)


_SENTENCE_END = ("。", "；", "！", "？", "：", ":", ";")


def join_hard_wrapped(blocks: list, skipped: set[int] = frozenset()) -> list:
    """Text converted from a PDF keeps the page's line breaks (every line about as wide as the page). When
    most lines share one width and few are wider, a full-width line that does not end a sentence continues
    on the next line."""
    widths = [display_width(b.text) for b in blocks if isinstance(b, Paragraph) and display_width(b.text) >= 30]
    if len(widths) < 10:
        return blocks
    width = max(set(widths), key=lambda n: sum(1 for m in widths if abs(m - n) <= 4))
    at_width = sum(1 for m in widths if abs(m - width) <= 4)
    wider = sum(1 for m in widths if m > width + 6)
    if width < 40 or at_width < 0.3 * len(widths) or wider > 0.1 * len(widths):
        return blocks          # not a page's line breaks: paragraphs of their own length
    out: list = []
    last_line: tuple[int, int] | None = None      # (line number, width) of the last physical line in out[-1]
    for b in blocks:
        prev = out[-1] if out else None
        if (isinstance(b, Paragraph) and isinstance(prev, Paragraph) and last_line is not None
                and all(n in skipped for n in range(last_line[0] + 1, b.source.line or 0))
                and (b.source.line or 0) > last_line[0] and last_line[1] >= width - 6
                and not prev.text.endswith(_SENTENCE_END) and not looks_like_heading(b.text)
                and not (looks_like_heading(prev.text) and last_line[1] < width - 6)):
            out[-1] = Paragraph(prev.text + b.text, prev.source)
        else:
            out.append(b)
        last_line = (b.source.line, display_width(b.text)) if isinstance(b, Paragraph) and b.source.line else None
    return out
