"""PDF reports → Document, with pdfplumber: text lines and ruled tables in reading order, each with page and box.

- Ruled tables come from `page.find_tables()`; each cell keeps its bounding box, wrapped cell text is joined,
  and positions covered by a merged cell are marked `spanned`.
- Many reports draw a frame around running text, so a "table" row holding one sentence is text, not a table row.
- Page numbers and repeated headers/footers are dropped; spaces that PDF layout puts between Chinese
  characters and digits ("2023 年") are removed.
- A table continued on the next page is joined to its first part.
- Corrupt, encrypted and scanned (no text layer) files are refused with a Chinese message.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ingest.document import Document, Paragraph, RawTable, Source, TextCell
from ingest.errors import ExtractError
from ingest.loaders.textjoin import is_cjk, join_lines

_PAGE_NO = re.compile(r"^\s*(?:[—－\-–]\s*\d{1,3}\s*[—－\-–]|第\s*\d+\s*页(?:\s*[,，/／]?\s*共\s*\d+\s*页)?|\d{1,3}(?:\s*/\s*\d{1,3})?)\s*$")
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
_SENTENCE_END = ("。", "；", "：", "！", "？", ":", ";")
_SPACE_NEAR_CJK = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’《》])\s+|\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’《》])")


@dataclass
class _Line:
    """A line of running text, or a table row, placed on a page."""
    page: int
    top: float
    bbox: tuple[float, float, float, float]
    text: str = ""
    cells: list[TextCell] | None = None     # a table row
    table_key: tuple[int, int] | None = None  # (page, table index) for table rows
    ncols: int = 0


def tidy(text: str) -> str:
    """Remove the spaces PDF layout puts around Chinese characters; keep those between Latin words."""
    return _SPACE_NEAR_CJK.sub("", text.replace("\u3000", " ")).strip()


def load_pdf(path: Path) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(path)
    except (PDFPasswordIncorrect, PDFEncryptionError) as e:
        raise ExtractError("encrypted_pdf", "该PDF已加密，请先解除密码保护再上传。") from e
    except Exception as e:  # pdfminer raises many kinds for broken files
        if "password" in str(e).lower() or "encrypt" in type(e).__name__.lower():
            raise ExtractError("encrypted_pdf", "该PDF已加密，请先解除密码保护再上传。") from e
        raise ExtractError("corrupt_pdf", f"PDF文件已损坏或不是有效的PDF：{path.name}") from e
    try:
        with pdf:
            try:
                pages = list(pdf.pages)
                lines: list[_Line] = []
                chars = 0
                for n, page in enumerate(pages, start=1):
                    chars += len(page.chars)
                    lines.extend(_page_lines(page, n))
                meta = {k: str(v) for k, v in (pdf.metadata or {}).items()
                        if k in ("Title", "Author", "CreationDate", "ModDate") and v}
            except (PDFSyntaxError, PDFPasswordIncorrect, PDFEncryptionError) as e:
                raise ExtractError("corrupt_pdf", f"PDF文件已损坏或不是有效的PDF：{path.name}") from e
            except ExtractError:
                raise
            except Exception as e:
                if "password" in str(e).lower() or "encrypt" in str(e).lower():
                    raise ExtractError("encrypted_pdf", "该PDF已加密，请先解除密码保护再上传。") from e
                raise ExtractError("corrupt_pdf", f"PDF文件已损坏或无法解析：{path.name}（{type(e).__name__}）") from e
    except ExtractError:
        raise
    except Exception as e:
        raise ExtractError("corrupt_pdf", f"PDF文件已损坏或无法解析：{path.name}") from e
    if not pages:
        raise ExtractError("corrupt_pdf", f"PDF文件没有页面：{path.name}")
    if chars == 0:
        raise ExtractError("scanned_pdf", "该PDF没有可提取的文字层（可能是扫描件），需要先进行OCR文字识别后再上传。")
    lines = _drop_running_headers(lines, len(pages))
    return Document(path=str(path), kind="pdf", blocks=_blocks(lines), pages=len(pages), meta=meta)


def _page_lines(page, n: int) -> list[_Line]:
    out: list[_Line] = []
    tables = page.find_tables()
    boxes = []
    for ti, table in enumerate(tables):
        boxes.append(table.bbox)
        texts = table.extract()
        for row, row_texts in zip(table.rows, texts):
            cells: list[TextCell] = []
            for bbox, text in zip(row.cells, row_texts):
                if bbox is None:
                    cells.append(TextCell("", Source(page=n), spanned=True))
                else:
                    cells.append(TextCell(tidy(join_lines((text or "").split("\n"))),
                                          Source(page=n, bbox=tuple(round(x, 1) for x in bbox))))
            filled = [c for c in cells if c.text]
            box = tuple(round(x, 1) for x in row.bbox)
            if len(filled) == 1 and _is_text_line(filled[0].text):
                # a line of running text inside a frame: its box is where its characters are
                out.append(_Line(n, row.bbox[1], _text_extent(page, filled[0].source.bbox or box), filled[0].text))
            elif filled:
                out.append(_Line(n, row.bbox[1], box, cells=cells, table_key=(n, ti), ncols=len(cells)))

    def outside(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] - 1 <= x <= b[2] + 1 and b[1] - 1 <= y <= b[3] + 1 for b in boxes)
    free = page.filter(lambda o: o.get("object_type") != "char" or outside(o)) if boxes else page
    for line in free.extract_text_lines(keep_blank_chars=False):
        text = tidy(line["text"])
        if not text:
            continue
        bbox = (round(line["x0"], 1), round(line["top"], 1), round(line["x1"], 1), round(line["bottom"], 1))
        out.append(_Line(n, line["top"], bbox, text))
    out.sort(key=lambda l: (l.top, l.bbox[0]))
    return out


def _text_extent(page, bbox) -> tuple[float, float, float, float]:
    chars = [c for c in page.chars if bbox[0] - 1 <= (c["x0"] + c["x1"]) / 2 <= bbox[2] + 1
             and bbox[1] - 1 <= (c["top"] + c["bottom"]) / 2 <= bbox[3] + 1 and c["text"].strip()]
    if not chars:
        return bbox
    return (round(min(c["x0"] for c in chars), 1), round(min(c["top"] for c in chars), 1),
            round(max(c["x1"] for c in chars), 1), round(max(c["bottom"] for c in chars), 1))


def _is_text_line(text: str) -> bool:
    return len(text) >= 20 or text.endswith(_SENTENCE_END + ("，", "、", "）", ")")) or bool(_HEADING.match(text))


def _drop_running_headers(lines: list[_Line], pages: int) -> list[_Line]:
    """Page numbers, and text lines repeated at the same place on most pages."""
    text_lines = [l for l in lines if l.cells is None]
    repeated = Counter((l.text, round(l.top / 10)) for l in text_lines)
    keep = []
    for l in lines:
        if l.cells is None:
            if _PAGE_NO.match(l.text):
                continue
            if pages >= 3 and repeated[(l.text, round(l.top / 10))] >= max(2, pages // 2) and len(l.text) < 40:
                continue
        keep.append(l)
    return keep


def _blocks(lines: list[_Line]) -> list:
    blocks: list = []
    para: list[_Line] = []
    ends = Counter(round(l.bbox[2] / 6) for l in lines if l.cells is None and len(l.text) >= 15)
    right = ends.most_common(1)[0][0] * 6 if ends else max((l.bbox[2] for l in lines), default=0)

    def flush_para():
        if para:
            text = para[0].text
            for l in para[1:]:
                text += ("" if is_cjk(text[-1:]) or is_cjk(l.text[:1]) else " ") + l.text
            b = para[0].bbox
            blocks.append(Paragraph(text, Source(page=para[0].page, bbox=b)))
            para.clear()

    for l in lines:
        if l.cells is not None:
            flush_para()
            prev = blocks[-1] if blocks else None
            if isinstance(prev, RawTable) and prev.rows and getattr(prev, "_key", None) is not None and (
                    prev._key == l.table_key or (l.table_key[0] == prev._key[0] + 1 and prev._ncols == l.ncols)):
                prev.rows.append(l.cells)
                prev._key = l.table_key
            else:
                t = RawTable([l.cells], Source(page=l.page, bbox=l.bbox))
                t._key, t._ncols = l.table_key, l.ncols
                blocks.append(t)
            continue
        if _HEADING.match(l.text) or (para and _ends_paragraph(para[-1], right)):
            flush_para()
        para.append(l)
        if _HEADING.match(l.text) and len(l.text) <= 30 and not any(p in l.text for p in "。，；"):
            flush_para()            # a heading on a line of its own
    flush_para()
    for b in blocks:
        if isinstance(b, RawTable):
            for attr in ("_key", "_ncols"):
                b.__dict__.pop(attr, None)
    return blocks


def _ends_paragraph(line: _Line, right: float) -> bool:
    """A line that stops well before the right margin (a paragraph's last line, a title line) closes its
    paragraph; justified lines of running text reach the margin."""
    return line.bbox[2] < right - 24
