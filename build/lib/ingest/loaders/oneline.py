"""A whole article printed on one line (pages saved by site crawlers) → paragraphs and table rows.

Crawler text puts the report on one line: headings, prose and the three tables run together, and each table
row's cells are glued into one run of digits (“一、本年新收政府信息公开申请数量 713000074二、上年结转…”). This
module finds the section headings inside such a line, cuts the prose into paragraphs at its sub-headings, and
turns each table region into raw rows: label cells, then the digit run as value cells marked `glued` (split at
spaces when the page kept any). Which cells the digits are is decided later, with the table's own arithmetic
(ingest/tables.py, ingest/glued.py). A row's number that runs into the next label's ordinal (“…372.没有现成信息”)
gives that ordinal back to the label.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.document import Document, Paragraph, RawTable, Source, TextCell
from ingest.text import section_heading_at

ONE_LINE_MIN_CHARS = 300          # shorter paragraphs are never treated as a flattened article
TABLE_SECTIONS = ("s2", "s3", "s4")
# Where a table starts inside its section (the text before it is prose).
_TABLE_START = {"s2": re.compile(r"第二十条|信息内容"), "s3": re.compile(r"[（(]本列数据|申请人情况|本年新收"),
                "s4": re.compile(r"行政复议")}
# A 信息处理费 table printed in section 六 (column headers, then the values).
_FEE_TABLE = re.compile(r"(?:信息处理费[^。；\d]{0,12})?(?:通知收取件数|收费通知的?件数)(?=[^。；\d]{0,40}(?:金额))")
# a run of numbers; a sign starts a number of its own (2019 表二 changes: “行政许可 2119 +35 604”)
# (thousands separators kept inside their number: “464,774”)
_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_VALUE_RUN = re.compile(rf"(?:(?<=\s)[+\-])?{_NUM}(?:[ \t\u3000]*[+\-]{_NUM}|[ \t\u3000]+{_NUM})*")
_PROSE_NUMBER_AFTER = re.compile(r"^\s*(?:年|月|日|件|条|个|%|％|次|人|家|万|亿|期|项|号|篇|余)")
_ORDINAL_AFTER = re.compile(r"^[.．、]\s*[\u4e00-\u9fff“\"]")
_LABEL_CUT = re.compile(r"(?<!第)[（(][一二三四五六七八九十]{1,3}[）)]|(?<![第\d])[一二三四五六七八九十]{1,3}、|(?<![\d.])\d{1,2}[.．、](?=\D)")
# Words that end a column header: a row label glued after the header starts right after them.
_HEADER_END = re.compile(r"信息内容|件数|数量|总金额|金额|（单位：万元）|\(单位：万元\)|增/减")
_SUBHEADING = re.compile(r"(?<![第\w])[（(][一二三四五六七八九十]{1,3}[）)]")
_SIGNATURE = re.compile(r"\s*([\u4e00-\u9fff（）()]{4,40}?)\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*$")


def is_one_line_article(p: Paragraph) -> bool:
    """A paragraph that is a whole flattened report: long, and holding two or more section headings."""
    return len(p.text) >= ONE_LINE_MIN_CHARS and len(find_sections(p.text)) >= 2


def find_sections(text: str) -> list[tuple[int, str, str]]:
    """(offset, section key s1…s6, heading text) of each section heading found inside `text`, in order."""
    found: list[tuple[int, str, str]] = []
    last = 0
    for m in re.finditer(r"[一二三四五六]、", text):
        hit = section_heading_at(text, m.start())
        if hit is None:
            continue
        key, heading = hit
        n = int(key[1])
        if n <= last:
            continue
        found.append((m.start(), key, heading))
        last = n
    return found


def unglue(document: Document) -> Document:
    """The document with each flattened article paragraph replaced by paragraphs and raw table rows."""
    if not any(isinstance(b, Paragraph) and is_one_line_article(b) for b in document.blocks):
        return document
    blocks: list = []
    for b in document.blocks:
        if isinstance(b, Paragraph) and is_one_line_article(b):
            blocks.extend(split_article(b))
        else:
            blocks.append(b)
    return Document(document.path, document.kind, blocks, document.pages, {**document.meta, "one_line": True},
                    document.dropped)


@dataclass
class _Piece:
    start: int
    text: str


def split_article(p: Paragraph) -> list:
    """One flattened article → paragraphs at headings and sub-headings; table regions → RawTables."""
    text = p.text
    sections = find_sections(text)
    out: list = []
    bounds = [(0, "preamble", "")] + sections + [(len(text), "end", "")]
    for (start, key, heading), (end, _, _) in zip(bounds, bounds[1:]):
        body_start = start + len(heading)
        if heading:
            out.append(Paragraph(heading, _src(p, start)))
        body = text[body_start:end]
        fee = _FEE_TABLE.search(body) if key == "s6" else None
        if fee:
            values = next((v for v in _VALUE_RUN.finditer(body, fee.end())
                           if not _PROSE_NUMBER_AFTER.match(body[v.end():v.end() + 3])), None)
            if values is not None:
                out.extend(_prose(p, body_start, body[:fee.start()]))
                rows = table_rows(p, body_start + fee.start(), body[fee.start():values.end()])
                if rows:
                    out.append(RawTable(rows, rows[0][0].source))
                out.extend(_prose(p, body_start + values.end(), body[values.end():]))
                continue
        if key in TABLE_SECTIONS:
            m = _TABLE_START[key].search(body)
            if m:
                out.extend(_prose(p, body_start, body[:m.start()]))
                rows = table_rows(p, body_start + m.start(), body[m.start():])
                if rows:
                    out.append(RawTable(rows, rows[0][0].source))
                continue
        out.extend(_prose(p, body_start, body))
    return out


def _src(p: Paragraph, offset: int) -> Source:
    return Source(page=p.source.page, line=p.source.line, offset=offset + (p.source.offset or 0))


def _prose(p: Paragraph, start: int, body: str) -> list[Paragraph]:
    """Prose cut at its sub-headings （一）（二）…, with a closing 落款 (issuing body and date) on its own."""
    cuts = [0] + [m.start() for m in _SUBHEADING.finditer(body) if m.start() > 0] + [len(body)]
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = body[a:b]
        sig = _SIGNATURE.search(piece) if b == len(body) else None
        if sig and sig.start() > 0 and re.search(r"[。；！？]\s*$", piece[:sig.start()]):
            out += _para(p, start + a, piece[:sig.start()])
            out += _para(p, start + a + sig.start(1), sig.group(1))
            out += _para(p, start + a + sig.start(2), sig.group(2))
        else:
            out += _para(p, start + a, piece)
    return out


def _para(p: Paragraph, offset: int, text: str) -> list[Paragraph]:
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    return [Paragraph(text, _src(p, offset + lead))] if text else []


def table_rows(p: Paragraph, start: int, body: str) -> list[list[TextCell]]:
    """Label cells then glued value cells, one row per run of digits."""
    rows: list[list[TextCell]] = []
    label, label_at, carry = "", 0, ""
    pos = 0
    for m in _VALUE_RUN.finditer(body):
        after = body[m.end():m.end() + 3]
        run, run_end = m.group(), m.end()
        if _PROSE_NUMBER_AFTER.match(after):
            continue                                      # a number in a sentence (“2022年”, “3件”), not a cell
        ordinal = ""
        if _ORDINAL_AFTER.match(after):                  # the next label's “2.” glued to this row's last number
            groups = run.split()
            if len(groups[-1]) > 1:
                ordinal = groups[-1][-1]
                run = run[:-1]
            else:
                ordinal = groups[-1]
                run = run[:len(run) - len(groups[-1])].rstrip()
            run_end = m.start() + len(run)
        label = carry + body[pos:m.start()]
        label_at = start + pos
        carry = ordinal
        pos = m.end()
        if not run.strip():
            continue
        cells = label_cells(p, label_at, label)
        if not cells:
            if rows:                                      # a second run right after the first: same row
                rows[-1].extend(_values(p, start + m.start(), run))
            continue
        rows.append(cells + _values(p, start + m.start(), run))
    tail = (carry + body[pos:]).strip()
    if tail:
        rows.append(label_cells(p, start + pos, tail))
    return [r for r in rows if r]


def label_cells(p: Paragraph, offset: int, label: str) -> list[TextCell]:
    """A label run cut where each ordinal starts (“三、本年度办理结果 （一）予以公开” → two cells)."""
    cuts = sorted({0, len(label), *(m.start() for m in _LABEL_CUT.finditer(label)),
                   *(m.end() for m in _HEADER_END.finditer(label))})
    cells = []
    for a, b in zip(cuts, cuts[1:]):
        text = label[a:b].strip()
        if text:
            cells.append(TextCell(text, _src(p, offset + a)))
    return cells


_GROUP = re.compile(rf"[+\-]?{_NUM}")


def _values(p: Paragraph, offset: int, run: str) -> list[TextCell]:
    """The digit groups of a run, cut at spaces and before a sign (“1215-15799” → “1215”, “-15799”)."""
    return [TextCell(m.group(), _src(p, offset + m.start()), glued=True) for m in _GROUP.finditer(run)]
