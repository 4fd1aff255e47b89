"""The page model every PDF reader builds on, one object model as in pdfplumber: text lines, table cells and
tables (ruled, or laid out as text), pages, and their assembly into a Document's blocks in reading order.

The PDF reader (`ingest/loaders/pdf.py`, pdfplumber's characters and drawn lines) and the scan reader
(`ingest/loaders/scan.py`, OCR boxes laid out as characters) both make `Page`s of `Line`s and `Table`s here and
hand them to `assemble()`; the tolerances are `PdfSettings` (lengths in PDF points). This module imports no reader.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from ingest.document import Paragraph, RawTable, Source, TextCell
from ingest.errors import ExtractError
from ingest.text import is_cjk, join_lines

_SPACE_NEAR_CJK = re.compile(
    r"(?<=[\u2018-\u201d\u2026\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef])\s+"
    r"|\s+(?=[\u2018-\u201d\u2026\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef])")

_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")

_ENUMERATED = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])")

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－―~·•]*\s*\d{1,4}\s*[-—–－―~·•]*"
    r"|第\s*\d+\s*页(?:\s*[,，/／]?\s*共\s*\d+\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|[Pp]age\s*\d+(?:\s*of\s*\d+)?)$")

_LABEL_THEN_NUMBER = re.compile(r"^(.*[\u4e00-\u9fff）)”])(\d[\d,，]*(?:\.\d+)?)$")

_VALUE = re.compile(r"^(?:[-－]?\d[\d,，]*(?:\.\d+)?%?|[/／]|[-—–－]{1,2})$")


@dataclass(frozen=True)
class PdfSettings:
    """The reader's tolerances, in one place (pdfplumber's `TableSettings` is the model). Lengths are in PDF
    points; `*_gap` ratios are fractions of the font size."""
    coord_tolerance: float = 1.0       # boundaries closer than this are one boundary
    same_column: float = 3.0           # column boundaries of two table parts this close are the same
    band: float = 0.12                 # fraction of the page height where headers and footers live
    scanned_chars_per_page: int = 20   # fewer text characters than this per page (with images): a scan
    rule_thickness: float = 2.0        # a filled rectangle thinner than this is a ruling line
    frame_text_max_chars: int = 25     # a framed line longer than this is a paragraph, not a table cell
    same_line_overlap: float = 0.5     # characters whose centres are this close (× height) share a line
    word_gap: float = 0.3              # a gap wider than this (× size) separates two words
    cell_gap: float = 0.9              # a gap wider than this (× size) separates two cells of an unruled row
    row_gap: float = 2.5               # rows of one unruled table are at most this many line heights apart
    header_reach: int = 40             # lines searched upward for an unruled table's header rows
    label_max_chars: int = 14          # a header or label token is at most this long
    long_line_chars: int = 8           # lines at least this long tell where the running text's margins are
    # Bounded work whatever a file claims about itself (issue 21): a file past a limit is refused in Chinese.
    max_pages: int = 300               # pages of one PDF (an annual report has 5–40)
    max_ocr_pages: int = 60            # pages (or pictures) of one PDF read by OCR
    max_render_pixels: int = 40_000_000    # pixels of one page rendered for OCR or for viewing (A4 at 200 dpi: 3.7 M)
    max_image_pixels: int = 40_000_000     # pixels of one image file (PNG, JPG), checked before it is decoded



SETTINGS = PdfSettings()


def render_pixels(width_pt: float, height_pt: float, dpi: float) -> float:
    return (float(width_pt) * dpi / 72.0) * (float(height_pt) * dpi / 72.0)


def check_render(width_pt: float, height_pt: float, dpi: float, page: int) -> None:
    """Refuse to render a page whose image at `dpi` would exceed `max_render_pixels` (a 20,000 pt page needs GBs)."""
    pixels = render_pixels(width_pt, height_pt, dpi)
    if pixels > SETTINGS.max_render_pixels:
        raise ExtractError("page_too_large", f"第 {page} 页的页面尺寸过大（{float(width_pt):.0f}×{float(height_pt):.0f} 磅），"
                                             f"按 {dpi:.0f} dpi 处理需要约 {pixels / 1e6:.0f} 百万像素，超过 "
                                             f"{SETTINGS.max_render_pixels / 1e6:.0f} 百万像素的上限。"
                                             "请把年度报告另存为 A4 大小的 PDF 后再上传。")

COORD_TOLERANCE = SETTINGS.coord_tolerance

SAME_COLUMN = SETTINGS.same_column

BAND = SETTINGS.band



# ---------------------------------------------------------------------------------------------------------
# small value types
@dataclass(frozen=True)
class Line:
    """A line of text outside tables."""
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    size: float
    chars: tuple = field(default=(), repr=False, compare=False)



@dataclass
class Cell:
    """A table cell on one page. `continued` marks the part of a merged cell that a page break cut off
    (its text is joined to the part before the break; its slots are spanned)."""
    page: int
    bbox: tuple[float, float, float, float]
    text: str = ""
    continued: bool = False
    confidence: float | None = None     # OCR confidence of a cell read from a page image (ingest/loaders/scan.py)



@dataclass
class Table:
    """A table as a grid: `slots[r][c]` is the index in `cells` of the cell covering row r, column c.
    `xs` are the column boundaries; `page`/`bbox` are those of the first part (a table can run over pages)."""
    page: int
    bbox: tuple[float, float, float, float]
    xs: list[float]
    slots: list[list[int]]
    cells: list[Cell]
    last_page: int = 0        # the page of the last part



@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]
    tables: list  # Table and TokenTable
    chars: int = 0            # non-blank characters on the page
    images: int = 0
    turn: int = 0             # read by OCR turned this many degrees clockwise (boxes are in the upright frame)



def bbox_of(boxes: list) -> tuple[float, float, float, float]:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))



def without_frame_rows(boxes: list, chars: list[dict]) -> list:
    """Cell boxes without the rows, at the top or bottom of the table, that are a frame around running text: a
    single cell as wide as the table holding a sentence (long, or ending in 。；：), a heading, or nothing."""
    boxes = list(boxes)
    while boxes:
        x0, _, x1, _ = bbox_of(boxes)
        changed = False
        for at_top in (True, False):
            edge = min(b[1] for b in boxes) if at_top else max(b[3] for b in boxes)
            row = [b for b in boxes if (b[1] if at_top else b[3]) == edge]
            if len(row) != 1 or row[0][0] > x0 + COORD_TOLERANCE or row[0][2] < x1 - COORD_TOLERANCE:
                continue
            text = "".join(l.text for l in lines_of([c for c in chars if inside(c, row[0])], 0))
            if not text or len(text) >= SETTINGS.frame_text_max_chars or _ends_sentence(text) or _HEADING.match(text):
                boxes.remove(row[0])
                changed = True
                break
        if not changed:
            break
    return boxes



def inside(char: dict, bbox) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return bbox[0] - 1 <= x <= bbox[2] + 1 and bbox[1] - 1 <= y <= bbox[3] + 1



def _clusters(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= COORD_TOLERANCE:
            continue
        out.append(v)
    return out



def _index(bounds: list[float], v: float) -> int:
    """The slot (between two boundaries) containing v."""
    return min(max(bisect.bisect_right(bounds, v) - 1, 0), len(bounds) - 2)



def table_from_cells(page_no: int, bbox, cell_boxes: list, chars: list[dict], centres: dict | None = None) -> Table | None:
    """A grid table from cell boxes; None for a one-column frame (text, not a table). A character goes to the
    cell under its centre, or under `centres[id(char)]` when given (the centre of the word it belongs to)."""
    xs = _clusters([b[0] for b in cell_boxes] + [b[2] for b in cell_boxes])
    ys = _clusters([b[1] for b in cell_boxes] + [b[3] for b in cell_boxes])
    if len(xs) < 3 or len(ys) < 2:
        return None
    ncols, nrows = len(xs) - 1, len(ys) - 1
    slots: list[list[int | None]] = [[None] * ncols for _ in range(nrows)]
    cells: list[Cell] = []
    for box in sorted(cell_boxes, key=lambda b: (b[1], b[0])):
        cols = [i for i in range(ncols) if xs[i] >= box[0] - COORD_TOLERANCE and xs[i + 1] <= box[2] + COORD_TOLERANCE]
        rows = [j for j in range(nrows) if ys[j] >= box[1] - COORD_TOLERANCE and ys[j + 1] <= box[3] + COORD_TOLERANCE]
        free = [(r, c) for r in rows for c in cols if slots[r][c] is None]
        if not free:
            continue
        cells.append(Cell(page_no, _round(box)))
        for r, c in free:
            slots[r][c] = len(cells) - 1
    for c in range(ncols):        # slots no cell covers: a border is missing, join them down the column
        r = 0
        while r < nrows:
            if slots[r][c] is not None:
                r += 1
                continue
            start = r
            while r < nrows and slots[r][c] is None:
                r += 1
            cells.append(Cell(page_no, _round((xs[c], ys[start], xs[c + 1], ys[r]))))
            for k in range(start, r):
                slots[k][c] = len(cells) - 1
    texts: dict[int, list[dict]] = {}
    for ch in chars:
        if inside(ch, bbox):
            x, y = centres[id(ch)] if centres else ((ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2)
            texts.setdefault(slots[_index(ys, y)][_index(xs, x)], []).append(ch)
    for i, cell_chars in texts.items():
        cells[i].text = join_lines([line.text for line in lines_of(cell_chars, page_no)])
        cells[i].confidence = _confidence(cell_chars)
    return Table(page_no, _round(bbox), xs, slots, cells, page_no)



def _confidence(chars: list[dict]) -> float | None:
    """The lowest OCR confidence of characters read from a page image; None for a text layer."""
    scores = [c["confidence"] for c in chars if c.get("confidence") is not None]
    return min(scores) if scores else None



def _round(box) -> tuple[float, float, float, float]:
    return tuple(round(float(v), 1) for v in box)



# ---------------------------------------------------------------------------------------------------------
# characters → lines
def tidy(text: str) -> str:
    """Remove the spaces PDF layout puts around Chinese characters; keep one between Latin words."""
    text = _SPACE_NEAR_CJK.sub("", text.replace("\u3000", " "))
    return re.sub(r"[ \t]+", " ", text).strip()



def lines_of(chars: list[dict], page_no: int) -> list[Line]:
    """Characters grouped into lines (by vertical centre), each read left to right, top to bottom."""
    groups: list[list[dict]] = []
    centre = height = 0.0
    for ch in sorted(chars, key=lambda c: (c["top"] + c["bottom"]) / 2):
        mid = (ch["top"] + ch["bottom"]) / 2
        h = ch["bottom"] - ch["top"]
        if groups and abs(mid - centre) <= SETTINGS.same_line_overlap * max(h, height):
            groups[-1].append(ch)
            height = max(height, h)
        else:
            groups.append([ch])
            centre, height = mid, h
    lines = []
    for group in groups:
        group.sort(key=lambda c: c["x0"])
        text = ""
        for prev, ch in zip([None] + group[:-1], group):
            if prev is not None and ch["x0"] - prev["x1"] > SETTINGS.word_gap * ch["size"] \
                    and not is_cjk(prev["text"]) and not is_cjk(ch["text"]):
                text += " "
            text += ch["text"]
        text = tidy(text)
        if not text:
            continue
        size = Counter(round(c["size"], 1) for c in group).most_common(1)[0][0]
        lines.append(Line(page_no, min(c["x0"] for c in group), min(c["top"] for c in group),
                           max(c["x1"] for c in group), max(c["bottom"] for c in group), text, size, tuple(group)))
    lines.sort(key=lambda l: (l.top, l.x0))
    return lines



def _token_chars(line: Line) -> list[list[dict]]:
    """The line's characters cut at wide gaps (about a character or more): the cells of a table laid out
    with spaces."""
    out: list[list[dict]] = []
    prev = None
    for ch in line.chars:
        if not ch["text"].strip():
            continue
        if prev is None or ch["x0"] - prev["x1"] > SETTINGS.cell_gap * ch["size"]:
            out.append([])
        out[-1].append(ch)
        prev = ch
    return _split_trailing_numbers(out)



def _split_trailing_numbers(parts: list[list[dict]]) -> list[list[dict]]:
    """A label whose first number follows it closely (“行政规范性文件17   15   54”: the label ran past a tab
    stop) is cut before the number, when everything after it is numbers too."""
    out: list[list[dict]] = []
    for k, part in enumerate(parts):
        text = "".join(c["text"] for c in part)
        rest = ["".join(c["text"] for c in p) for p in parts[k + 1:]]
        m = _LABEL_THEN_NUMBER.match(text)
        if m and all(_is_value(t) for t in rest):
            cut = len(m.group(1))
            out.extend([part[:cut], part[cut:]])
        else:
            out.append(part)
    return out



def _tokens(line: Line) -> list[str]:
    return [tidy("".join(c["text"] for c in part)) for part in _token_chars(line)]



# ---------------------------------------------------------------------------------------------------------
# tables laid out by alignment only (no ruling lines)
def _is_value(text: str) -> bool:
    return bool(_VALUE.match(text.replace(" ", "")))



def _value_row(line: Line) -> bool:
    """A label followed by two or more numbers, separated by wide gaps, and nothing after the numbers;
    or a row of three or more numbers alone."""
    tokens = _tokens(line)
    values = [_is_value(t) for t in tokens]
    if len(tokens) >= 3 and all(values):
        return True
    first = values.index(True) if True in values else len(values)
    return 1 <= first <= 2 and len(tokens) - first >= 2 and all(values[first:])



def _header_row(line: Line) -> bool:
    tokens = _tokens(line)
    return (len(tokens) >= 3 and not any(_is_value(t) for t in tokens)
            and all(len(t) <= SETTINGS.label_max_chars and not t.endswith(("。", "，", "；")) for t in tokens))



@dataclass
class TokenTable:
    """Lines of a table laid out without ruling lines: each printed line is a row, cut into cells at wide gaps.
    No column grid is guessed (alignment by eye is unreliable); labels and numbers keep their order."""
    page: int
    bbox: tuple[float, float, float, float]
    rows: list[list[TextCell]]



def text_layout_tables(page, page_no: int, lines: list[Line]) -> tuple[list[TokenTable], list[Line]]:
    """Find runs of at least two label-plus-numbers lines (with up to two header lines above); each run is a
    table whose rows are its lines cut at wide gaps. Lines in such a table are no longer text lines."""
    flags = [_value_row(l) for l in lines]
    if sum(flags) < 2:
        return [], lines
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(lines) and flags[j + 1] and lines[j + 1].top - lines[j].bottom < SETTINGS.row_gap * lines[j].size:
            j += 1
        labelled = sum(1 for k in range(i, j + 1) if not _is_value(_tokens(lines[k])[0]))
        if j > i and labelled >= 2:
            runs.append((i, j))
        i = j + 1
    tables: list[TokenTable] = []
    taken: set[int] = set()
    for i, j in runs:
        while i > 0 and j - i < SETTINGS.header_reach and _header_row(lines[i - 1]) and lines[i].top - lines[i - 1].bottom < SETTINGS.row_gap * lines[i].size \
                and sum(1 for k in range(i, j + 1) if _header_row(lines[k])) < 2:
            i -= 1
        rows = []
        for line in lines[i:j + 1]:
            cells = []
            for part in _token_chars(line):
                box = _round((min(c["x0"] for c in part), min(c["top"] for c in part),
                              max(c["x1"] for c in part), max(c["bottom"] for c in part)))
                cells.append(TextCell(tidy("".join(c["text"] for c in part)), Source(page=page_no, bbox=box),
                                      confidence=_confidence(part)))
            rows.append(cells)
        bbox = _round((min(l.x0 for l in lines[i:j + 1]), lines[i].top,
                       max(l.x1 for l in lines[i:j + 1]), lines[j].bottom))
        tables.append(TokenTable(page_no, bbox, rows))
        taken.update(range(i, j + 1))
    return tables, [l for k, l in enumerate(lines) if k not in taken]



def _band_key(line: Line, height: float) -> tuple[str, str] | None:
    if line.bottom < BAND * height:
        return "top", re.sub(r"\d+", "#", line.text)
    if line.top > (1 - BAND) * height:
        return "bottom", re.sub(r"\d+", "#", line.text)
    return None



def drop_headers_and_footers(pages: list[Page], dropped: list | None = None) -> list[Page]:
    """Drop page numbers and lines repeated in the top or bottom band of most pages, working inward from the
    page edge (a line of body text stops the search). Each dropped line is recorded in `dropped` as
    (page, bbox, text), for the visual debug."""
    dropped = dropped if dropped is not None else []
    counts = Counter(k for p in pages for k in {_band_key(l, p.height) for l in p.lines} if k is not None)
    need = max(2, (len(pages) + 1) // 2)

    def running(line: Line, page: Page) -> bool:
        key = _band_key(line, page.height)
        if key is None:
            return False
        text = line.text.replace(" ", "")
        if text.isdigit():          # a bare number is a page number only if it is this page's number
            return abs(int(text) - page.number) <= 2 and int(text) > 0
        return bool(_PAGE_NUMBER.match(text)) or (len(pages) >= 2 and counts[key] >= need)

    out = []
    for page in pages:
        lines = list(page.lines)
        first_table = min((t.bbox[1] for t in page.tables), default=page.height)
        last_table = max((t.bbox[3] for t in page.tables), default=0.0)
        while lines and lines[0].bottom <= first_table and running(lines[0], page):
            dropped.append((page.number, _round((lines[0].x0, lines[0].top, lines[0].x1, lines[0].bottom)), lines[0].text))
            lines.pop(0)
        while lines and lines[-1].top >= last_table and running(lines[-1], page):
            dropped.append((page.number, _round((lines[-1].x0, lines[-1].top, lines[-1].x1, lines[-1].bottom)),
                            lines[-1].text))
            lines.pop()
        out.append(Page(page.number, page.width, page.height, lines, page.tables, page.chars, page.images, page.turn))
    return out



# ---------------------------------------------------------------------------------------------------------
# blocks in reading order
def _margins(pages: list[Page]) -> dict[int, tuple[float, float]]:
    """Left and right margin of the running text on each page, taken from the whole document when a page has
    too few long lines: the leftmost line start shared by two long lines (first lines are indented, so the most
    common start can be the indent), and the most common line end."""
    def left_of(lines: list[Line]) -> float | None:
        starts = Counter(round(l.x0) for l in lines if len(l.text) >= SETTINGS.long_line_chars)
        shared = [x for x, n in starts.items() if n >= 2]
        return float(min(shared)) if shared else (float(starts.most_common(1)[0][0]) if starts else None)

    def right_of(lines: list[Line]) -> float | None:
        ends = Counter(round(l.x1) for l in lines if len(l.text) >= SETTINGS.long_line_chars)
        return float(ends.most_common(1)[0][0]) if ends else None

    everything = [l for p in pages for l in p.lines]
    doc_left, doc_right = left_of(everything), right_of(everything)
    out = {}
    for p in pages:
        long_lines = [l for l in p.lines if len(l.text) >= SETTINGS.long_line_chars]
        if len(long_lines) >= 4:
            out[p.number] = (left_of(long_lines), right_of(long_lines))
        else:
            out[p.number] = (doc_left if doc_left is not None else 0.0, doc_right if doc_right is not None else p.width)
    return out



def assemble(pages: list[Page]) -> list:
    margins = _margins(pages)
    items: list[tuple[int, float, object]] = []
    for p in pages:
        items.extend((p.number, l.top, l) for l in p.lines)
        items.extend((p.number, t.bbox[1], t) for t in p.tables)
    items.sort(key=lambda it: (it[0], it[1]))
    items = _join_tables_across_pages([it[2] for it in items])
    blocks: list = []
    para: list[Line] = []
    gaps = _typical_gaps(pages)
    for item in items:
        if isinstance(item, (Table, TokenTable)):
            if para:
                blocks.append(_paragraph(para))
                para = []
            blocks.append(raw_table(item) if isinstance(item, Table)
                          else RawTable(item.rows, Source(page=item.page, bbox=item.bbox)))
            continue
        if para and _starts_paragraph(para[-1], item, margins, gaps):
            blocks.append(_paragraph(para))
            para = []
        para.append(item)
    if para:
        blocks.append(_paragraph(para))
    return blocks



def _typical_gaps(pages: list[Page]) -> dict[int, float]:
    """The usual vertical gap between consecutive lines of running text on each page."""
    out = {}
    for p in pages:
        gaps = sorted(b.top - a.bottom for a, b in zip(p.lines, p.lines[1:]) if b.top > a.bottom)
        out[p.number] = gaps[len(gaps) // 2] if gaps else 0.0
    return out



def _ends_sentence(text: str) -> bool:
    return text.rstrip("”’）)》」』").endswith(("。", "！", "？", "：", "；", "…", "!", "?", ":", ";"))



def _starts_paragraph(prev: Line, line: Line, margins, gaps) -> bool:
    """Whether `line` starts a new paragraph after `prev`: a heading or an indented line does; so does any
    line after a short line that ends a sentence or a heading, after a line stopping before 70% of the width
    (a title), after a heading line of its own; a change of font size, a wide gap, or a page break after a
    finished sentence."""
    left, right = margins[line.page]
    prev_left, prev_right = margins[prev.page]
    if _cells_line(line) or _cells_line(prev) or _is_value(line.text) or _is_value(prev.text) \
            or "|" in line.text or "|" in prev.text:
        return True            # a row of a table laid out with gaps, a lone cell value, a pipe row: stands alone
    if _HEADING.match(line.text) or line.x0 > left + 0.8 * line.size:
        return True
    if prev.x1 < prev_right - 1.5 * prev.size and (
            _ends_sentence(prev.text) or _HEADING.match(prev.text)
            or prev.x1 < prev_right - 0.3 * (prev_right - prev_left)):
        return True
    if _HEADING.match(prev.text) and len(prev.text) <= 20 and not re.search(r"[。，；]", prev.text):
        return True             # a heading on a line of its own
    if abs(line.size - prev.size) > 1.5:
        return True
    if line.page != prev.page:
        return line.page != prev.page + 1 or _ends_sentence(prev.text)
    return line.top - prev.bottom > gaps[line.page] + max(line.size, prev.size)



def _cells_line(line: Line) -> bool:
    """A line that is a row of a table laid out with gaps: a short label then numbers (“行政许可      457394”),
    or short headers (“信息内容      本年处理决定数量”)."""
    parts = _token_chars(line)
    tokens = [tidy("".join(c["text"] for c in part)) for part in parts]
    if len(tokens) < 2 or any(len(t) > 40 for t in tokens):
        return False
    widest = max(b[0]["x0"] - a[-1]["x1"] for a, b in zip(parts, parts[1:]))
    short_label_number = len(tokens) == 2 and len(tokens[0]) <= 12 and _is_value(tokens[1]) \
        and not re.search(r"[，。；：、]", tokens[0])
    if widest < 2 * line.size and not short_label_number:   # justified text spreads its characters, not this far
        return False
    return _is_value(tokens[-1]) or all(len(t) <= SETTINGS.label_max_chars and not _ends_sentence(t) for t in tokens)



def _paragraph(lines: list[Line]) -> Paragraph:
    if len(lines) == 1 and _cells_line(lines[0]):
        line = lines[0]
        return Paragraph("\t".join(_tokens(line)), Source(page=line.page, bbox=_round((line.x0, line.top, line.x1, line.bottom))))
    text = lines[0].text
    for line in lines[1:]:
        a, b = text[-1:], line.text[:1]
        text += " " if a.isascii() and b.isascii() and a.isalnum() and b.isalnum() and (a.isalpha() or b.isalpha()) else ""
        text += line.text
    first_page = [l for l in lines if l.page == lines[0].page]
    box = (min(l.x0 for l in first_page), min(l.top for l in first_page),
           max(l.x1 for l in first_page), max(l.bottom for l in first_page))
    return Paragraph(text, Source(page=lines[0].page, bbox=_round(box)))



def raw_table(table: Table) -> RawTable:
    """The table's grid; a slot covered by a merged cell is spanned, and one covered from a row above also
    carries that cell's text (`merged`: a value printed once for three sub-rows)."""
    first_row: dict[int, int] = {}
    rows = []
    for r, slot_row in enumerate(table.slots):
        row = []
        for i in slot_row:
            cell = table.cells[i]
            source = Source(page=cell.page, bbox=cell.bbox)
            if i in first_row or cell.continued:
                above = i in first_row and first_row[i] < r
                row.append(TextCell("", source, spanned=True, merged=cell.text if above else None))
            else:
                row.append(TextCell(cell.text, source, confidence=cell.confidence))
                first_row[i] = r
        rows.append(row)
    return RawTable(rows, Source(page=table.page, bbox=table.bbox))



# ---------------------------------------------------------------------------------------------------------
# tables continued on the next page
def _join_tables_across_pages(items: list) -> list:
    """A table that is the last thing on its page, followed by a table of the same columns that is the first
    thing on the next page, is one table."""
    out: list = []
    for item in items:
        prev = out[-1] if out else None
        if (isinstance(item, Table) and isinstance(prev, Table) and item.page == prev.last_page + 1
                and _same_columns(prev, item)):
            out[-1] = _join(prev, item)
        else:
            out.append(item)
    return out



def _near(v: float, values: list[float]) -> bool:
    return any(abs(v - w) <= SAME_COLUMN for w in values)



def _same_columns(a: Table, b: Table) -> bool:
    """Same outer edges, and the inner column boundaries of one are among those of the other."""
    if abs(a.xs[0] - b.xs[0]) > SAME_COLUMN + 1 or abs(a.xs[-1] - b.xs[-1]) > SAME_COLUMN + 1:
        return False
    inner_a, inner_b = a.xs[1:-1], b.xs[1:-1]
    small, big = (inner_a, inner_b) if len(inner_a) <= len(inner_b) else (inner_b, inner_a)
    return all(_near(v, big) for v in small)



def _regrid(table: Table, xs: list[float]) -> list[list[int]]:
    """The table's slots on finer column boundaries `xs` (a superset of its own)."""
    cols = [_index(table.xs, (x0 + x1) / 2) for x0, x1 in zip(xs, xs[1:])]
    return [[row[c] for c in cols] for row in table.slots]



def _join(a: Table, b: Table) -> Table:
    xs = a.xs if len(a.xs) >= len(b.xs) else b.xs
    offset = len(a.cells)
    cells = [replace(c) for c in (*a.cells, *b.cells)]     # copies: the parts are left as they were
    top = _regrid(a, xs)
    bottom = [[i + offset for i in row] for row in _regrid(b, xs)]
    last, first = top[-1], bottom[0]

    def rows_of(grid, i):
        return sum(1 for row in grid if i in row)

    # a merged label cell cut by the page break: join its text, the part on the next page is spanned
    # (not when a header row ends the page and a row of numbers starts the next: nothing of it was cut)
    def has_numbers(row):
        return any(cells[i].text.strip() and _is_value(cells[i].text) for i in set(row))
    header_then_data = has_numbers(first) and not has_numbers(last)
    for c in range(len(xs) - 1):
        up, down = cells[last[c]], cells[first[c]]
        if (c > 0 and last[c - 1] == last[c]) or (c > 0 and first[c - 1] == first[c]):
            continue            # handled at the cell's first column
        if down.continued or not up.text or _is_value(up.text) or _cols(top, len(top) - 1, last[c]) != _cols(bottom, 0, first[c]):
            continue
        if not down.text:
            if not (header_then_data and rows_of(top, last[c]) == 1):
                down.continued = True
        elif (not header_then_data and not _is_value(down.text) and not _ENUMERATED.match(down.text)
              and (rows_of(top, last[c]) > 1 or rows_of(bottom, first[c]) > 1)):
            up.text = join_lines([up.text, down.text])
            down.text = ""
            down.continued = True
    # a row cut by the page break: label on one page, the rest on the next
    single_up = {c: cells[last[c]].text for c in range(len(last)) if rows_of(top, last[c]) == 1}
    single_down = {c: cells[first[c]].text for c in range(len(first)) if rows_of(bottom, first[c]) == 1}
    up_filled = {c for c, t in single_up.items() if t}
    down_filled = {c for c, t in single_down.items() if t}
    if up_filled and down_filled and not (up_filled & down_filled) \
            and all(c in single_up for c in down_filled) and all(c in single_down for c in up_filled):
        merged = [first[c] if c in down_filled else last[c] for c in range(len(last))]
        top = top[:-1] + [merged]
        bottom = bottom[1:]
    elif _numbers_wrapped_over(cells, first, single_up, down_filled):
        # a row whose numbers wrapped onto the next page (narrow columns: “3” at the foot, “1” at the top):
        # the digits at the top belong to the cells above them
        for c in down_filled:
            cells[last[c]].text = cells[last[c]].text + cells[first[c]].text
            cells[first[c]].text = ""
        bottom = bottom[1:]
    slots = top + bottom
    used = sorted({i for row in slots for i in row})
    renumber = {old: new for new, old in enumerate(used)}
    return Table(a.page, a.bbox, xs, [[renumber[i] for i in row] for row in slots], [cells[i] for i in used], b.page)



def _numbers_wrapped_over(cells: list, first: list[int], single_up: dict[int, str], down_filled: set[int]) -> bool:
    """The first row on the new page holds nothing but numbers, each under a number of the last row on the
    old page (no label, no header text): the rest of that row's wrapped numbers."""
    if not down_filled or any(cells[i].text and not _is_value(cells[i].text) for i in set(first)):
        return False
    return all(_is_value(single_up.get(c) or "") and (single_up.get(c) or "").strip() for c in down_filled)



def _cols(grid: list[list[int]], r: int, i: int) -> tuple[int, int]:
    cols = [c for c, v in enumerate(grid[r]) if v == i]
    return cols[0], cols[-1]
