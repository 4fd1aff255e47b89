"""A draft as a DOCX in the format officials file (党政机关公文格式 GB/T 9704 practice): A4 paper, margins
about 37/35/28/26 mm (top/bottom/left/right), the title in 小标宋 2号 centred, body text in 仿宋_GB2312 3号 with
a two-character first-line indent and a fixed 28-pt line pitch, first-level headings (一、) in 黑体 and
second-level headings (（一）) in 楷体_GB2312, page numbers “— 1 —” at the foot.

The official font names are written into the document; the font table gives each one an alternative
(`w:altName`) — the first of its fallbacks installed on this machine (fc-list), else the usual Windows
name — so a machine without the official fonts still shows a CJK face of the same kind. Citation labels
〔…〕 are set apart in 五号 grey so they are easy to spot; the export can also drop them (`keep_sources`).
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

# 公文 sizes in points: 2号 = 22 pt, 3号 = 16 pt, 4号 = 14 pt, 5号 = 10.5 pt.
SIZE_TITLE_PT = 22
SIZE_BODY_PT = 16
SIZE_PAGE_NUMBER_PT = 14
SIZE_CITATION_PT = 10.5
LINE_PITCH_PT = 28
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
PAGE_MM = (210, 297)                 # A4


@dataclass(frozen=True)
class FontRole:
    """A role in the document, its official font and the fallbacks tried in order."""
    official: str
    fallbacks: tuple[str, ...]


FONTS = {
    "title": FontRole("方正小标宋简体", ("小标宋", "华文中宋", "宋体", "SimSun", "Noto Serif CJK SC", "Source Han Serif SC")),
    "body": FontRole("仿宋_GB2312", ("仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC")),
    "heading1": FontRole("黑体", ("SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")),
    "heading2": FontRole("楷体_GB2312", ("楷体", "KaiTi", "STKaiti", "AR PL UKai CN", "Noto Serif CJK SC")),
    "page": FontRole("宋体", ("SimSun", "Noto Serif CJK SC", "Source Han Serif SC")),
}
LATIN_FONT = "Times New Roman"
STYLE_NAMES = {"title": "公文标题", "body": "公文正文", "heading1": "公文一级标题", "heading2": "公文二级标题"}

_HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
_HEADING2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
_CITATION = re.compile(r"(〔[^〔〕]*〕)")
# What XML 1.0 cannot hold (python-docx and openpyxl raise on it; orjson on lone surrogates): control characters
# other than tab, newline and CR, lone surrogates, U+FFFE/U+FFFF. Report text may carry them (a PDF's broken
# ToUnicode map, a \x0b from Word), so every exported text goes through `xml_safe`.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text):
    """`text` without the characters XML cannot hold (a non-text value is returned as it is)."""
    return _XML_ILLEGAL.sub("", text) if isinstance(text, str) else text


@lru_cache(maxsize=1)
def installed_fonts() -> frozenset[str]:
    """Family names fontconfig knows on this machine (empty when fc-list is missing)."""
    if not shutil.which("fc-list"):
        return frozenset()
    try:
        out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(",") if name.strip())


def alternative(role: FontRole) -> str:
    """The fallback a viewer without the official font should use: the first installed, else the first listed."""
    have = installed_fonts()
    return next((f for f in role.fallbacks if f in have), role.fallbacks[0])


def _set_fonts(rpr_owner, east_asia: str) -> None:
    from docx.oxml.ns import qn
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)


def _style(doc, name: str, role: str, size: float, bold: bool = False, centre: bool = False, indent: bool = True):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt, RGBColor
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(style.element, FONTS[role].official)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PITCH_PT if size <= SIZE_BODY_PT else size + 8)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if centre:
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        fmt.first_line_indent = Pt(2 * SIZE_BODY_PT)        # two characters
    return style


def _font_table_alternatives(doc) -> None:
    """Declare each official font with its installed alternative (w:altName) in the font table."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    part = next((rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE), None)
    if part is None:
        return
    root = parse_xml(part.blob)
    existing = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for role in FONTS.values():
        if role.official in existing:
            continue
        root.append(parse_xml(f'<w:font {nsdecls("w")} w:name="{role.official}"><w:altName w:val="{alternative(role)}"/>'
                              f'<w:charset w:val="86"/><w:family w:val="auto"/></w:font>'))
    from lxml import etree
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number_footer(section) -> None:
    """“— PAGE —” centred at the foot, 宋体 4号."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt
    p = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def run(text: str | None = None):
        r = p.add_run(text or "")
        r.font.size = Pt(SIZE_PAGE_NUMBER_PT)
        _set_fonts(r._element, FONTS["page"].official)
        return r
    run("— ")
    field = run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        field._element.append(el)
    run(" —")


def _add_line(doc, line: str, style: str, keep_sources: bool) -> None:
    from docx.shared import Pt, RGBColor
    p = doc.add_paragraph(style=style)
    for piece in _CITATION.split(xml_safe(line)):
        if not piece:
            continue
        if _CITATION.fullmatch(piece):
            if not keep_sources:
                continue
            r = p.add_run(piece)
            r.font.size = Pt(SIZE_CITATION_PT)
            r.font.color.rgb = RGBColor(0x66, 0x66, 0x66)
        else:
            p.add_run(piece)


def draft_docx_bytes(title: str, text: str, keep_sources: bool = True) -> bytes:
    """The (edited) draft as an official-format DOCX: the title, then each line as a first-level heading
    (一、…), a second-level heading (（一）…) or a body paragraph; citations kept (set apart) or dropped."""
    from docx import Document
    from docx.shared import Mm, Pt
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(SIZE_BODY_PT)
    _set_fonts(normal.element, FONTS["body"].official)
    _style(doc, STYLE_NAMES["title"], "title", SIZE_TITLE_PT, centre=True)
    _style(doc, STYLE_NAMES["body"], "body", SIZE_BODY_PT)
    _style(doc, STYLE_NAMES["heading1"], "heading1", SIZE_BODY_PT)
    _style(doc, STYLE_NAMES["heading2"], "heading2", SIZE_BODY_PT)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    _page_number_footer(section)
    _font_table_alternatives(doc)
    _add_line(doc, title, STYLE_NAMES["title"], keep_sources)
    doc.add_paragraph(style=STYLE_NAMES["body"])                       # one blank line under the title
    for line in xml_safe(text).splitlines():
        line = line.strip()
        if not line:
            continue
        style = "heading1" if _HEADING1.match(line) else "heading2" if _HEADING2.match(line) else "body"
        _add_line(doc, line, STYLE_NAMES[style], keep_sources)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
