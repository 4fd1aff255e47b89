"""What a loader reads out of a file: paragraphs and raw tables in document order, each with its source.

Every loader (PDF, DOCX, HTML, TXT/MD) produces a `Document`; nothing after this point knows which
format the report came in. A `Source` says where a piece of text came from, so that every table cell
of the structured report can be traced back to the page and box, line, or table row/column it was read from.
"""
from __future__ import annotations

from dataclasses import dataclass, field, asdict
from typing import Union


def typed_cells(line: str) -> list[str] | None:
    """The cells of a table row typed as text: pipes (“| 规章 | 0 | 0 |”, ragged trailing pipes) or tabs
    (leading tabs are blank cells). None for a line that is not such a row."""
    stripped = line.strip()
    if stripped.startswith("|") or stripped.count("|") >= 2:
        return [c.strip() for c in stripped.strip("|").split("|")]
    if "\t" in stripped:
        return [c.strip() for c in line.strip("\r\n \u3000").split("\t")]
    return None


@dataclass(frozen=True)
class Source:
    """Where a piece of text was read: page (1-based) and box for PDFs, line (1-based) for text,
    table/row/column (0-based) for HTML and DOCX tables."""
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    line: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    offset: int | None = None      # character offset within the line (a whole article printed on one line)

    def to_json(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items() if v is not None}

    def describe(self) -> str:
        """A short Chinese description, e.g. '第3页' or '第120行' or '表格2第5行第3列'."""
        parts = []
        if self.page is not None:
            parts.append(f"第{self.page}页")
        if self.line is not None:
            parts.append(f"第{self.line}行" + (f"第{self.offset + 1}字" if self.offset is not None else ""))
        if self.table is not None and self.row is not None:
            parts.append(f"表格{self.table + 1}第{self.row + 1}行" + (f"第{self.col + 1}列" if self.col is not None else ""))
        return "".join(parts)


@dataclass
class TextCell:
    """One cell of a raw table as printed (text with line breaks kept), with its source.
    `spanned` marks a grid position covered by a merged cell (rowspan/colspan): not a cell of its own,
    unlike a real blank cell. A position covered from the row above also carries the merged cell's text in
    `merged` (a value cell spanning three sub-rows, as Word-pasted tables print （六）其他处理).
    `confidence` is the OCR confidence (0–1) of a cell read from a page image, None for text read from a file."""
    text: str
    source: Source = field(default_factory=Source)
    spanned: bool = False
    glued: bool = False            # digits of several cells printed without separators (crawler text)
    merged: str | None = None      # a position covered by a merged cell from the row above: that cell's text
    confidence: float | None = None


@dataclass
class Paragraph:
    text: str
    source: Source = field(default_factory=Source)


@dataclass
class RawTable:
    """A table as laid out in the file: rows of cells. Blank cells are TextCell('')."""
    rows: list[list[TextCell]]
    source: Source = field(default_factory=Source)


Block = Union[Paragraph, RawTable]


@dataclass
class Document:
    """A file read into blocks in reading order. `kind` is pdf, docx, html or text."""
    path: str
    kind: str
    blocks: list[Block]
    pages: int | None = None
    meta: dict = field(default_factory=dict)
    dropped: list = field(default_factory=list)   # (page, bbox, text) of lines left out as headers/footers

    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    def tables(self) -> list[RawTable]:
        return [b for b in self.blocks if isinstance(b, RawTable)]

    def text(self) -> str:
        """All text in reading order, table rows joined by tabs (for detection and search)."""
        out = []
        for b in self.blocks:
            if isinstance(b, Paragraph):
                out.append(b.text)
            else:
                out.extend("\t".join(c.text for c in row) for row in b.rows)
        return "\n".join(out)
