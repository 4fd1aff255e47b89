"""Read a PDF report into a Document: running text as Paragraphs and tables as RawTables, in reading order,
each with its page and box.

How a page is read (pdfplumber):
- Ruled tables come from `find_tables()` over the page's drawn lines. Filled boxes that only paint a
  background (the white frames WPS draws behind every line of text, coloured header cells) are not
  borders and are left out, so running text inside a frame stays text. A "table" of one column is a frame,
  not a table: its text becomes paragraphs.
- Each table is laid on a grid of slots (column × row boundaries). A cell covering several slots (a merged
  cell) gives its text to its first slot; the other slots are `TextCell('', spanned=True)` with the merged
  cell's box. Slots no cell covers (a border missing in the drawing) are joined down their column into one
  cell. Characters go to the cell under their centre; wrapped lines in a cell are joined without a break
  between Chinese characters.
- A table that ends a page and one of the same columns that starts the next page are one table: the rows
  are joined, a merged label cell cut by the page break is joined again ("（四）无" + "法提供"), and a row cut
  in two (label on one page, numbers on the next) becomes one row.
- Text outside tables is grouped into lines and lines into paragraphs: a new paragraph starts at a heading
  (一、 （一）), an indented line, after a line that stops short of the right margin, at a gap or a change of
  font size. Spaces around Chinese characters ("2023 年") are removed.
- Page numbers ("- 1 -", "第1页 共5页", a lone number) and a header/footer line repeated on most pages are
  dropped.
- Lines laid out as a table without rules (a label followed by several numbers, on consecutive lines) are
  read with pdfplumber's text-alignment strategy; nothing else is.
The page model (lines, cells, tables, pages) and their assembly into blocks live in ingest/loaders/page.py, beneath
this reader and the scan reader alike. Pages that are images of text (no text layer) are read by OCR into that
same model (ingest/loaders/scan.py),
and so are large pictures on pages with a text layer that has no text over them (a scanned table pasted in).
Corrupt and encrypted files, and scans with nothing readable, raise ExtractError with a Chinese message.
"""
from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text
from pdfplumber.utils.exceptions import PdfminerException

from ingest.document import Document
from ingest.errors import ExtractError
from ingest.loaders.page import (SETTINGS, Page, Table, assemble, bbox_of, drop_headers_and_footers, inside,
                                 lines_of, table_from_cells, text_layout_tables, without_frame_rows)

ENCRYPTED_MESSAGE = "该PDF已加密，请先解除密码保护再上传。"

SCANNED_MESSAGE = "该PDF没有可提取的文字层（可能是扫描件），需要先进行OCR文字识别后再上传。"

META_KEYS = ("Title", "Author", "CreationDate", "ModDate")


def too_many_pages(name: str, pages: str) -> ExtractError:
    return ExtractError("too_many_pages", f"{name}：PDF 有 {pages} 页，超过 {SETTINGS.max_pages} 页的上限，"
                                          "不像一份年度报告。请只上传年度报告本身。")


def _count_pages(pdf, name: str) -> int:
    """The number of pages, counted up to one past the limit (the page tree is walked lazily, never whole)."""
    from itertools import islice
    from pdfminer.pdfpage import PDFPage
    n = sum(1 for _ in islice(PDFPage.create_pages(pdf.doc), SETTINGS.max_pages + 1))
    if n > SETTINGS.max_pages:
        declared = resolve1((resolve1(pdf.doc.catalog.get("Pages")) or {}).get("Count")) if pdf.doc.catalog else None
        raise too_many_pages(name, str(declared) if isinstance(declared, int) and declared > n else f"{SETTINGS.max_pages} 以上")
    return n


# ---------------------------------------------------------------------------------------------------------
# entry point
def load_pdf(path: Path) -> Document:
    """Read a PDF file into a Document (kind "pdf"). Raises ExtractError for corrupt, encrypted or scanned files."""
    path = Path(path)
    _check_signature(path)
    try:
        pdf = pdfplumber.open(path)
    except PdfminerException as e:
        raise _open_error(path, e.args[0] if e.args else e) from e
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        raise ExtractError("encrypted_pdf", ENCRYPTED_MESSAGE) from e
    except Exception as e:  # pdfminer raises many kinds of errors on damaged files
        raise _corrupt(path) from e
    with pdf:
        try:
            _count_pages(pdf, path.name)
            raw_pages = list(pdf.pages)
            for page in raw_pages:
                page.objects            # parse every page now: a damaged content stream fails here, not later
        except ExtractError:
            raise
        except PdfminerException as e:
            raise _open_error(path, e.args[0] if e.args else e) from e
        except (PDFPasswordIncorrect, PDFEncryptionError) as e:
            raise ExtractError("encrypted_pdf", ENCRYPTED_MESSAGE) from e
        except Exception as e:
            raise _corrupt(path) from e
        if not raw_pages:
            raise ExtractError("corrupt_pdf", f"PDF文件已损坏或不是有效的PDF：{path.name} 中没有任何页面。")
        pages = [_read_page(page) for page in raw_pages]
        pages = _with_ocr(raw_pages, pages)
        meta = _metadata(pdf)
    turns = {p.number: p.turn for p in pages if p.turn}
    if turns:
        meta["page_turns"] = turns
    if _scanned(pages):
        raise ExtractError("scanned_pdf", SCANNED_MESSAGE)
    dropped: list = []
    pages = drop_headers_and_footers(pages, dropped)
    blocks = assemble(pages)
    if not blocks:
        raise ExtractError("scanned_pdf", SCANNED_MESSAGE)
    return Document(path=str(path), kind="pdf", blocks=blocks, pages=len(pages), meta=meta, dropped=dropped)



# ---- pages without a text layer, and pictures of text on pages with one, are read by OCR (scan.py) ------
OCR_BELOW_CHARS = 20      # a page with an image and fewer characters than this (a stamped number) is a scan

OCR_REGION_SHARE = 0.08   # an image covering at least this share of a page that has a text layer ...

OCR_REGION_WIDTH = 0.4    # ... and at least this share of its width (not a seal, not a logo) ...

OCR_REGION_MAX_CHARS = 5  # ... with fewer text-layer characters than this over it is OCR'd (a pasted scan)



def _needs_ocr(page: Page) -> bool:
    return page.images > 0 and page.chars < OCR_BELOW_CHARS



def _image_regions(raw, page: Page) -> list[tuple[float, float, float, float]]:
    """The boxes (points) of a text-layer page's large images with (almost) no text over them: a scanned
    table pasted into a Word report as a picture. Read by OCR and merged into the page."""
    if not page.images or _needs_ocr(page):
        return []
    area = float(raw.width) * float(raw.height)
    chars = _visible_chars(raw.chars)
    out = []
    for img in raw.images:
        box = (max(0.0, float(img["x0"])), max(0.0, float(img["top"])),
               min(float(raw.width), float(img["x1"])), min(float(raw.height), float(img["bottom"])))
        w, h = box[2] - box[0], box[3] - box[1]
        if w <= 0 or h <= 0 or w * h < OCR_REGION_SHARE * area or w < OCR_REGION_WIDTH * float(raw.width):
            continue
        if sum(1 for c in chars if inside(c, box)) < OCR_REGION_MAX_CHARS:
            out.append(box)
    return out



def _with_ocr(raw_pages: list, pages: list[Page]) -> list[Page]:
    """The pages, with those that are images of text replaced by their OCR reading, and the pictures of text
    on pages with a text layer read into them."""
    todo = [i for i, p in enumerate(pages) if _needs_ocr(p)]
    regions = {i: boxes for i, (raw, p) in enumerate(zip(raw_pages, pages)) if (boxes := _image_regions(raw, p))}
    if not todo and not regions:
        return pages
    from ingest.loaders.scan import ocr_pdf_pages
    return ocr_pdf_pages(raw_pages, pages, todo, regions)

# ---------------------------------------------------------------------------------------------------------


def _scanned(pages: list[Page]) -> bool:
    """No text at all, or hardly any (a stamped page number) on pages that are images."""
    chars = sum(p.chars for p in pages)
    with_images = sum(1 for p in pages if p.images)
    return chars == 0 or (chars < SETTINGS.scanned_chars_per_page * len(pages) and with_images * 2 >= len(pages))



def _check_signature(path: Path) -> None:
    with path.open("rb") as f:
        head = f.read(1024)
    if b"%PDF-" not in head:
        raise ExtractError("corrupt_pdf", f"PDF文件已损坏或不是有效的PDF：{path.name} 的开头没有PDF文件标记，"
                                          "可能是其他格式的文件改了扩展名。")



def _corrupt(path: Path) -> ExtractError:
    return ExtractError("corrupt_pdf", f"PDF文件已损坏或不是有效的PDF：{path.name} 无法解析（文件可能不完整，"
                                       "或在下载、上传时损坏）。请重新导出或重新下载后再上传。")



def _open_error(path: Path, cause) -> ExtractError:
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return ExtractError("encrypted_pdf", ENCRYPTED_MESSAGE)
    return _corrupt(path)



# ---------------------------------------------------------------------------------------------------------
# one page
def _is_border(obj: dict) -> bool:
    """Drawn objects that can be table borders: lines, curves, stroked boxes and thin filled boxes
    (a filled box wider and taller than 2 pt only paints a background)."""
    if obj.get("object_type") != "rect":
        return True
    return bool(obj.get("stroke")) or min(obj["width"], obj["height"]) < SETTINGS.rule_thickness



def _read_page(page) -> Page:
    number = page.page_number
    chars = _visible_chars(page.chars)
    ruled = _ruled_tables(page) if (page.rects or page.lines or page.curves) else []
    tables: list[Table] = []
    for found in ruled:
        boxes = without_frame_rows(found.cells, chars)
        table = table_from_cells(number, bbox_of(boxes), boxes, chars) if boxes else None
        if table is not None:
            tables.append(table)
    free = [c for c in chars if not any(inside(c, t.bbox) for t in tables)]
    lines = lines_of(free, number)
    text_tables, lines = text_layout_tables(page, number, lines)
    return Page(number, float(page.width), float(page.height), lines, tables + text_tables, len(chars), len(page.images))



def _ruled_tables(page) -> list:
    """`find_tables()` over the borders. A table cut by a page break often has no closing rule on the cut side
    while its outer vertical rules go on: the missing rule is added, so the cut row is not lost."""
    borders = page.filter(_is_border)
    found = borders.find_tables()
    vertical = [e for e in borders.edges if e["orientation"] == "v"]
    closing = []
    for table in found:
        x0, top, x1, bottom = table.bbox
        left = [e for e in vertical if abs(e["x0"] - x0) <= 2]
        right = [e for e in vertical if abs(e["x0"] - x1) <= 2]
        for going_down in (True, False):
            ends = []
            for side in (left, right):
                if going_down:
                    ends.append(max((e["bottom"] for e in side if e["top"] < bottom - 1 and e["bottom"] > bottom + 3), default=None))
                else:
                    ends.append(min((e["top"] for e in side if e["bottom"] > top + 1 and e["top"] < top - 3), default=None))
            if None not in ends and abs(ends[0] - ends[1]) <= 2:
                y = min(ends) if going_down else max(ends)
                closing.append({"object_type": "closing_edge", "orientation": "h", "x0": x0, "x1": x1,
                                "top": y, "bottom": y, "width": x1 - x0, "height": 0})
    return borders.find_tables({"explicit_horizontal_lines": closing}) if closing else found



def _visible_chars(chars: list[dict]) -> list[dict]:
    """Non-blank characters, without the duplicates some producers print twice for a bold effect."""
    seen = set()
    out = []
    for c in chars:
        if not c["text"].strip():
            continue
        key = (c["text"], round(c["x0"]), round(c["top"]))
        if key in seen:
            continue
        seen.add(key)
        out.append(c)
    return out



# ---------------------------------------------------------------------------------------------------------
# metadata
def _metadata(pdf) -> dict:
    """Title, Author, CreationDate and ModDate from the document information dictionary (dates as ISO 8601);
    a damaged entry is left out."""
    out: dict[str, str] = {}
    for info in pdf.doc.info or []:
        for key in META_KEYS:
            try:
                value = resolve1(info.get(key)) if isinstance(info, dict) else None
            except Exception:   # a broken reference in optional metadata does not stop the reading
                value = None
            if value is None or key in out:
                continue
            text = _decode_pdf_string(value) if isinstance(value, bytes) else str(value)
            text = text.replace("\x00", "").strip()
            if text:
                out[key] = _pdf_date(text) if key.endswith("Date") else text
    return out



def _decode_pdf_string(raw: bytes) -> str:
    """PDF text strings: UTF-16 with either byte-order mark (WPS writes little-endian), UTF-8, GB18030, else
    PDFDocEncoding."""
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", errors="replace")
    if raw.startswith(b"\xff\xfe"):
        return raw[2:].decode("utf-16-le", errors="replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return decode_text(raw)



_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([+\-Z])(\d{2})?'?(\d{2})?'?)?")



def _pdf_date(text: str) -> str:
    """"D:20250225101115+08'00'" → "2025-02-25T10:11:15+08:00"; anything else is kept as written."""
    m = _PDF_DATE.match(text)
    if not m:
        return text
    y, mo, d, h, mi, s, sign, tzh, tzm = m.groups()
    out = f"{y}-{mo or '01'}-{d or '01'}"
    if h:
        out += f"T{h}:{mi or '00'}:{s or '00'}"
        if sign == "Z":
            out += "Z"
        elif sign:
            out += f"{sign}{tzh or '00'}:{tzm or '00'}"
    return out
