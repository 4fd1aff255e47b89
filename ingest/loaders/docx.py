"""Read a Word .docx file into a `Document`: body paragraphs and tables in document order.

Tables are read from the XML (`w:tc`, `w:gridSpan`, `w:vMerge`, `w:gridBefore`/`w:gridAfter`) so that every
row has one cell per grid column: the first cell of a merge carries the text, the positions it covers are
`TextCell('', spanned=True)`; a real blank cell (and gridBefore/gridAfter padding) is `TextCell('')`. A layout
table (one holding tables, or a one-column frame around the text) is read as body text, its inner tables as
tables. Headers, footers, footnotes and text boxes are not read. Paragraph sources are
`Source(line=n)`, n = 1-based index of the paragraph among the body's paragraphs (empty ones counted,
not emitted); cell sources are `Source(table=i, row=r, col=c)`, 0-based grid positions.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from docx.oxml.ns import qn

from ingest.document import Document, Paragraph, RawTable, Source, TextCell
from ingest.errors import ExtractError
from ingest.text import join_lines

# A zip bomb is refused before python-docx parses anything: first from the zip directory, then from the real
# decompressed stream of every part, whatever its name (a main part named `.dat` is parsed like document.xml),
# read in chunks of DOCX_READ_CHUNK and stopped past the limit. The directory may lie: zipfile decompresses a
# part in one call of up to 1 GB when asked for all of it, so only chunked reads bound the memory; a stream longer
# than its declared size fails its CRC check and is refused as corrupt.
MAX_DOCX_PARTS = 1000                       # parts in the package (a real report has 10–200)
MAX_DOCX_XML_MB = 40                        # uncompressed size of any one part (word/document.xml, an image …)
MAX_DOCX_TOTAL_MB = 200                     # uncompressed size of the whole package (images included)
DOCX_READ_CHUNK = 1024 * 1024               # bytes decompressed at a time when the real sizes are measured
_MB = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W_P, _W_TBL, _W_TR, _W_TC, _W_SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
_W_SDT_CONTENT, _W_CUSTOM_XML = qn("w:sdtContent"), qn("w:customXml")
_W_R, _W_T, _W_TAB, _W_BR, _W_CR, _W_HYPERLINK = qn("w:r"), qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:hyperlink")
_W_INS, _W_SMART_TAG, _W_FLD_SIMPLE = qn("w:ins"), qn("w:smartTag"), qn("w:fldSimple")
_W_VAL = qn("w:val")


def load_docx(path: Path) -> Document:
    path = Path(path)
    body = _open_body(path)
    blocks: list[Paragraph | RawTable] = []
    paragraph_no = 0
    table_no = 0

    def walk(parent) -> None:
        nonlocal paragraph_no, table_no
        for el in _flow_children(parent):
            if el.tag == _W_P:
                paragraph_no += 1
                raw = _paragraph_text(el)
                text = raw.strip()
                if "\t" in text:          # a row typed with tab stops: leading tabs are blank cells
                    text = raw.strip(" \r\n\u3000")
                if text:
                    blocks.append(Paragraph(text, Source(line=paragraph_no)))
            elif el.tag == _W_TBL and _is_layout_table(el):
                for tr in _rows_of(el):          # a frame around the text: its cells are read as the body
                    for tc in _cells_of(tr):
                        walk(tc)
            elif el.tag == _W_TBL:
                rows = _table_rows(el, table_no)
                if any(c.text for row in rows for c in row):
                    blocks.append(RawTable(rows, Source(table=table_no)))
                    table_no += 1

    walk(body)
    return Document(path=str(path), kind="docx", blocks=blocks)


def _is_layout_table(tbl) -> bool:
    """A table used to lay out the page, not to hold figures: it holds other tables in its cells, or it is
    one column wide with several paragraphs in a cell (the whole text typed in a frame)."""
    if tbl.find(".//" + _W_TC + "//" + _W_TBL) is not None:
        return True
    rows = [list(_cells_of(tr)) for tr in _rows_of(tbl)]
    return bool(rows) and all(len(r) <= 1 for r in rows) and any(
        len([p for p in _flow_children(r[0]) if p.tag == _W_P]) >= 3 for r in rows if r)


def _corrupt(path: Path, why: str) -> ExtractError:
    return ExtractError("corrupt_docx", f"DOCX文件已损坏或不是有效的Word文档：{path.name}（{why}）。"
                                        "请用 Word 或 WPS 打开后另存为 .docx 再上传。")


def _open_body(path: Path):
    """The `w:body` element of the main document part, or ExtractError for anything that is not a .docx."""
    import docx  # python-docx

    with path.open("rb") as f:
        head = f.read(8)
    if head == _OLE_MAGIC:
        raise _corrupt(path, "这是旧版 Word（.doc）文件或加密文档，不是 .docx")
    if not zipfile.is_zipfile(path):
        raise _corrupt(path, "文件不是 ZIP 压缩包格式")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise _corrupt(path, f"压缩包无法打开：{e}") from e
    _refuse_bomb(path, infos)
    names = {i.filename for i in infos}
    if "word/document.xml" not in names and not any(n.startswith("word/document") for n in names):
        raise _corrupt(path, "压缩包中没有 word/document.xml 正文部分")
    try:
        body = docx.Document(str(path)).element.body
    except Exception as e:  # python-docx raises PackageNotFoundError, KeyError, ValueError, XMLSyntaxError …
        # A macro-enabled or template file renamed .docx has the same body under another content type.
        body = _body_from_part(path, "word/document.xml") if "word/document.xml" in names else None
        if body is None:
            raise _corrupt(path, f"无法解析文档结构：{type(e).__name__}") from e
    if body is None:
        raise _corrupt(path, "文档没有正文")
    return body


def _too_big(path: Path, why: str) -> ExtractError:
    return ExtractError("docx_too_large", f"DOCX文件“{path.name}”解压后{why}，远超正常年度报告，已拒绝读取（可能是异常或"
                                          "被篡改的文件）。请用 Word 或 WPS 打开检查，另存为 .docx 或 PDF 后再上传。")


def _refuse_bomb(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a package whose directory declares too many parts or too many uncompressed bytes."""
    if len(infos) > MAX_DOCX_PARTS:
        raise _too_big(path, f"包含 {len(infos)} 个部件（上限 {MAX_DOCX_PARTS} 个）")
    total = sum(i.file_size for i in infos)
    if total > MAX_DOCX_TOTAL_MB * _MB:
        raise _too_big(path, f"共 {total / _MB:.0f} MB（上限 {MAX_DOCX_TOTAL_MB} MB）")
    for i in infos:
        if i.file_size > MAX_DOCX_XML_MB * _MB:
            raise _too_big(path, f"其中 {i.filename} 有 {i.file_size / _MB:.0f} MB（上限 {MAX_DOCX_XML_MB} MB）")
    _measure_streams(path)


def _measure_streams(path: Path) -> None:
    """Decompress every part in chunks and refuse the package as soon as a part or the whole passes its limit
    (never more than a chunk past it in memory); a part whose stream is not what the directory says is corrupt."""
    total = 0
    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                size = 0
                with z.open(info) as stream:
                    while chunk := stream.read(DOCX_READ_CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > MAX_DOCX_XML_MB * _MB:
                            raise _too_big(path, f"其中 {info.filename} 超过 {MAX_DOCX_XML_MB} MB（上限 {MAX_DOCX_XML_MB} MB）")
                        if total > MAX_DOCX_TOTAL_MB * _MB:
                            raise _too_big(path, f"共超过 {MAX_DOCX_TOTAL_MB} MB（上限 {MAX_DOCX_TOTAL_MB} MB）")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
        raise _corrupt(path, f"压缩包中的部件与目录不符：{type(e).__name__}") from e


def _body_from_part(path: Path, part: str):
    from docx.oxml.parser import parse_xml
    try:
        with zipfile.ZipFile(path) as z:
            return parse_xml(z.read(part)).find(qn("w:body"))
    except Exception:
        return None


def _flow_children(parent):
    """Block-level children (w:p, w:tbl) in order, looking through content controls and custom XML."""
    for el in parent.iterchildren():
        if el.tag in (_W_P, _W_TBL):
            yield el
        elif el.tag == _W_SDT:
            for content in el.iterchildren(_W_SDT_CONTENT):
                yield from _flow_children(content)
        elif el.tag == _W_CUSTOM_XML:
            yield from _flow_children(el)


def _paragraph_text(p) -> str:
    """Text of a paragraph's runs (also inside hyperlinks, insertions, smart tags, simple fields); w:tab → tab,
    w:br/w:cr → newline. Deleted text and text boxes are left out."""
    out: list[str] = []

    def walk(el):
        for child in el.iterchildren():
            tag = child.tag
            if tag == _W_R:
                for item in child.iterchildren():
                    if item.tag == _W_T:
                        out.append(item.text or "")
                    elif item.tag == _W_TAB:
                        out.append("\t")
                    elif item.tag in (_W_BR, _W_CR):
                        out.append("\n")
            elif tag in (_W_HYPERLINK, _W_INS, _W_SMART_TAG, _W_FLD_SIMPLE, _W_CUSTOM_XML):
                walk(child)
            elif tag == _W_SDT:
                for content in child.iterchildren(_W_SDT_CONTENT):
                    walk(content)

    walk(p)
    return "".join(out)


def _cell_text(tc) -> str:
    """Paragraphs of a cell (and of tables nested in it) joined: no line break between CJK characters."""
    lines: list[str] = []
    for el in _flow_children(tc):
        if el.tag == _W_P:
            lines.extend(_paragraph_text(el).split("\n"))
        else:
            for tr in _rows_of(el):
                for inner in _cells_of(tr):
                    lines.append(_cell_text(inner))
    return join_lines(lines)


def _rows_of(tbl):
    for el in tbl.iterchildren():
        if el.tag == _W_TR:
            yield el
        elif el.tag == _W_SDT:
            for content in el.iterchildren(_W_SDT_CONTENT):
                yield from (r for r in content.iterchildren(_W_TR))
        elif el.tag == _W_CUSTOM_XML:
            yield from _rows_of(el)


def _cells_of(tr):
    for el in tr.iterchildren():
        if el.tag == _W_TC:
            yield el
        elif el.tag == _W_SDT:
            for content in el.iterchildren(_W_SDT_CONTENT):
                yield from (c for c in content.iterchildren(_W_TC))
        elif el.tag == _W_CUSTOM_XML:
            yield from _cells_of(el)


def _int_prop(parent, path: str, default: int) -> int:
    el = parent.find(path) if parent is not None else None
    if el is None:
        return default
    try:
        return max(0, int(el.get(_W_VAL, default)))
    except ValueError:
        return default


_CONTINUED = object()      # a vMerge continuation in the grid being built


def _table_rows(tbl, table_no: int) -> list[list[TextCell]]:
    """Rows aligned on the table grid; a vMerge continuation or a gridSpan's extra positions are spanned."""
    rows: list[list[str | None]] = []
    for tr in _rows_of(tbl):
        trpr = tr.find(qn("w:trPr"))
        row = [""] * _int_prop(trpr, qn("w:gridBefore"), 0)
        for tc in _cells_of(tr):
            tcpr = tc.find(qn("w:tcPr"))
            span = max(1, _int_prop(tcpr, qn("w:gridSpan"), 1))
            vmerge = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
            continuation = vmerge is not None and vmerge.get(_W_VAL, "continue") == "continue"
            row.append(_CONTINUED if continuation else _cell_text(tc))      # covered by a merge from above
            row.extend([None] * (span - 1))                                  # None: covered from the left
        row.extend([""] * _int_prop(trpr, qn("w:gridAfter"), 0))
        rows.append(row)
    grid = tbl.find(qn("w:tblGrid"))
    width = max([len(r) for r in rows] + [len(grid.findall(qn("w:gridCol"))) if grid is not None else 0])
    rows = [row + [""] * (width - len(row)) for row in rows]
    covers: dict[tuple[int, int], str] = {}       # a vMerge continuation: the merged cell's text from above
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text is _CONTINUED:
                above = rows[r - 1][c] if r > 0 else None     # already resolved: None if covered itself
                above = covers.get((r - 1, c)) if above is None else above
                if isinstance(above, str):
                    covers[(r, c)] = above
                row[c] = None
    return [[TextCell(text or "", Source(table=table_no, row=r, col=c), spanned=text is None,
                      merged=covers.get((r, c)))
             for c, text in enumerate(row)]
            for r, row in enumerate(rows)]
