"""Report metadata from its text: title, agency (the issuing body, as written), year, 落款 date, and the
six sections with their sub-sections, pages and lines."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.document import Document, Paragraph, Source
from ingest.text import squash, top_section_number
from ingest.numbers import parse_chinese_number
from ingest.report import Section
from ingest.schema import SECTIONS

_UNIT_SUFFIX = ("人民政府办公厅", "人民政府办公室", "人民政府", "管理委员会", "管委会", "政府", "委员会", "办公厅", "开发区",
                "局", "委", "办", "厅", "区", "县", "市", "镇", "乡", "街道办事处", "街道", "中心", "院", "署", "所", "部", "会")
_OFFICE = ("党政综合办公室", "党政办公室", "政务公开办公室", "综合办公室", "办公室")
_VERBS = ("现向社会公布", "现予公布", "现公布", "特发布", "现发布", "公布", "发布", "本报告为", "现将", "编制", "由")
_TITLE = re.compile(r"(?P<agency>[\u4e00-\u9fff（）()]{2,40}?)\s*(?P<year>20\d\d)\s*年\s*度?\s*"
                    r"(?:政府信息公开|政务公开|信息公开)[\u4e00-\u9fff]{0,6}?(?:报告|年报)")
_YEAR_ONLY_TITLE = re.compile(r"(?P<year>20\d\d)\s*年\s*度?\s*(?P<agency>[\u4e00-\u9fff（）()]{2,40}?)\s*"
                              r"(?:政府信息公开|政务公开)[\u4e00-\u9fff]{0,6}?(?:报告|年报)")
_YEAR_AFTER_TITLE = re.compile(r"(?P<agency>[\u4e00-\u9fff（）()]{2,40}?)\s*(?:政府信息公开|政务公开)(?:工作)?\s*"
                               r"(?P<year>20\d\d)\s*年\s*度?\s*(?:工作)?(?:报告|年报)")
_CN_YEAR = re.compile(r"[二][〇○零一二三四五六七八九]{3}(?=\s*年)")
_BY = re.compile(r"由(?P<body>[\u4e00-\u9fff（）()]{3,40}?)(?:根据|依据|按照|结合|负责|编制|会同|牵头)")
_PERIOD = re.compile(r"(20\d\d)\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|—|-)\s*(?:(20\d\d)\s*年\s*)?12\s*月\s*31\s*日")
_DATE = re.compile(r"^(?P<y>20\d\d|二[〇○零]..)\s*年\s*(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月\s*"
                   r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日$")
_SUB = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[)）]|^\d{1,2}[.．、]")


@dataclass
class Metadata:
    title: str
    agency: str | None
    year: int | None
    published: str | None
    sections: list[Section]
    agency_as_titled: str | None = None     # the title's spelling, when the text agrees on another one


def cn_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 三十一 → 31, 二〇二三 → 2023; digits pass through."""
    text = text.strip()
    value = int(text) if text.isdigit() else parse_chinese_number(text)
    return value if isinstance(value, int) else None


def read_metadata(document: Document) -> Metadata:
    paras = [p for p in document.paragraphs() if p.text.strip()]
    title = _title(document, paras)
    agency, year = _agency_year(document, title, paras)
    corrected = None
    if agency:
        agreed = agreed_name(agency, "\n".join(squash(p.text) for p in paras))
        if agreed != agency:
            corrected, agency = agency, agreed
    sections = split_sections(paras, agency)
    published = _published(sections)
    if year is None:
        year = _year_from_period(paras)
    return Metadata(title=title, agency=agency, year=year, published=published, sections=sections,
                    agency_as_titled=corrected)


MIN_AGREEING_MENTIONS = 2     # mentions of a one-character variant of the name needed to prefer it


def agreed_name(name: str, text: str) -> str:
    """The issuing body's name as the report spells it most often. OCR and conversion misread a character
    (平谭/平潭, 洪泽/洪择); when the text names the body more often with one character different from the title,
    that spelling (the 落款's and the body text's) is the body's name."""
    n = len(name)
    if n < 4:
        return name
    counts: dict[str, int] = {}
    half = n // 2
    for anchor, offset in ((name[:half], 0), (name[half:], half)):
        start = text.find(anchor)
        while start >= 0:
            i = start - offset
            cand = text[i:i + n] if i >= 0 else ""
            if len(cand) == n and sum(a != b for a, b in zip(cand, name)) == 1 and \
                    all("\u4e00" <= c <= "\u9fff" for c in cand):
                counts[cand] = counts.get(cand, 0) + 1
            start = text.find(anchor, start + 1)
    own = text.count(name)
    best = max(counts, key=counts.get, default=None)
    if best and counts[best] >= MIN_AGREEING_MENTIONS and counts[best] > own:
        return best
    return name


_NOT_TITLE = ("正文", "目录", "附件")


def _title(document: Document, paras: list[Paragraph]) -> str:
    for key in ("title", "h1"):
        t = document.meta.get(key)
        if t and ("报告" in t) and re.search(r"20\d\d", t):
            return re.sub(r"[-_|].{0,20}$", "", squash(t)) if "-" in t or "|" in t else squash(t)
    text = ""
    for p in paras[:6]:
        t = squash(p.text)
        if t in _NOT_TITLE:
            continue
        if len(t) > 60 and not text:
            continue
        text += t
        if "报告" in t:
            return text
        if len(text) > 60:
            break
    return ""


def _agency_year(document: Document, title: str, paras: list[Paragraph]) -> tuple[str | None, int | None]:
    candidates = [title] + [squash(p.text) for p in paras[:4]]
    name, year = None, None
    for text in candidates:
        if not text:
            continue
        text = _CN_YEAR.sub(lambda m: str(cn_number(m.group(0))), text)     # 二〇二三年 → 2023年
        m = _TITLE.search(text) or _YEAR_ONLY_TITLE.search(text) or _YEAR_AFTER_TITLE.search(text)
        if m:
            name, year = _strip_verbs(m.group("agency")), int(m.group("year"))
            break
    body = None
    for p in paras[:4]:
        m = _BY.search(squash(p.text))
        if m:
            body = _strip_office(m.group("body"))
            break
    meta_body = document.meta.get("发布机构")
    agency = name
    if body and (not name or _abbreviates(name, body)):
        agency = body
    if not agency and meta_body:
        agency = meta_body
    return agency, year


def _strip_verbs(name: str) -> str:
    for v in _VERBS:
        if v in name:
            name = name.split(v)[-1]
    return name


def _strip_office(body: str) -> str:
    for office in _OFFICE:
        if body.endswith(office) and len(body) > len(office) + 1:
            rest = body[: -len(office)]
            if rest.endswith(_UNIT_SUFFIX) and not rest.endswith("人民政府办公"):
                return rest
    return body


def _abbreviates(short: str, full: str) -> bool:
    """Does `short` name the same body as `full`, more briefly (洪泽区人民政府 / 淮安市洪泽区人民政府,
    赣州经开区凤岗镇 / 赣州经济技术开发区凤岗镇人民政府)?"""
    def norm(s):
        s = s.replace("经开区", "经济技术开发区").replace("高新区", "高新技术产业开发区")
        return re.sub(r"(人民政府|管理委员会|管委会)$", "", s)
    a, b = norm(short), norm(full)
    return a != "" and a in b and len(b) >= len(a)


def _year_from_period(paras: list[Paragraph]) -> int | None:
    for p in paras[:8]:
        m = _PERIOD.search(squash(p.text))
        if m:
            return int(m.group(1))
    return None


def parse_date(text: str) -> str | None:
    m = _DATE.match(squash(text))
    if not m:
        return None
    y = cn_number(m.group("y")) if not m.group("y").isdigit() else int(m.group("y"))
    mo, d = cn_number(m.group("m")), cn_number(m.group("d"))
    if not y or not mo or not d or not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


_TRAILING_DATE = re.compile(r"^(?P<body>[\u4e00-\u9fff（）()]{0,40}?)(?P<date>(?:20\d\d|二[〇○零][一二三四五六七八九〇○零]{2})"
                            r"年[\d一二三四五六七八九十]{1,2}月[\d一二三四五六七八九十]{1,3}日)$")


def signature_date(text: str) -> str | None:
    """The date of a 落款 line: “2025年1月21日”, or the issuing body and the date run together
    (“淮安市人民政府2025年3月26日”, as PDF lines are often joined)."""
    m = _TRAILING_DATE.match(squash(text))
    if not m or (m.group("body") and not m.group("body").endswith(_UNIT_SUFFIX)):
        return None
    return parse_date(m.group("date"))


def _published(sections: list[Section]) -> str | None:
    sig = next((s for s in sections if s.key == "signature"), None)
    if sig is None:
        return None
    for line in reversed(sig.text.split("\n")):
        d = signature_date(line)
        if d:
            return d
    return None


# -- sections -----------------------------------------------------------------------------------------
def split_sections(paras: list[Paragraph], agency: str | None) -> list[Section]:
    keys = list(SECTIONS)
    starts: list[tuple[int, int]] = []     # (paragraph index, section number)
    last = 0
    for i, p in enumerate(paras):
        n = top_section_number(p.text)
        if n and n > last:
            starts.append((i, n))
            last = n
    sections: list[Section] = []
    first = starts[0][0] if starts else len(paras)
    # preamble: after the title lines
    pre = paras[:first]
    title_end = 0          # the title: short lines up to the one that ends in “报告”
    for k, p in enumerate(pre[:6]):
        t = p_text(p)
        if len(t) > 40 or t.endswith(("。", "，", "（", "(")) or re.search(r"《|根据|依据|本报告|本年度报告", t):
            break          # body text: the title is over
        if t.endswith("报告") or t in _NOT_TITLE:
            title_end = k + 1
    pre = pre[title_end:]
    if pre:
        sections.append(_section("preamble", "前言", "前言", pre))
    body_end = len(paras)
    sig = _signature_start(paras, starts[-1][0] if starts else 0)
    if sig is not None:
        body_end = sig
    for j, (i, n) in enumerate(starts):
        end = starts[j + 1][0] if j + 1 < len(starts) else body_end
        heading = squash(paras[i].text).lstrip("#")
        key = keys[n - 1]
        head_text, _, rest = _split_heading(heading)
        body = ([Paragraph(rest, paras[i].source)] if rest else []) + paras[i + 1:end]
        sections.append(_section(key, head_text, head_text, body, paras[i].source))
        sections.extend(_subsections(key, head_text, body))
    if sig is not None:
        sections.append(_section("signature", "落款", "落款", paras[sig:]))
    return sections


def p_text(p: Paragraph) -> str:
    return squash(p.text)


def _split_heading(text: str) -> tuple[str, str, str]:
    """“（一）主动公开情况。主动公开…” → heading “（一）主动公开情况”, rest “主动公开…”."""
    m = re.match(r"^(.{2,40}?)(。|：|:)(.+)$", text)
    if m and len(m.group(1)) <= 40:
        return m.group(1), m.group(2), m.group(3)
    return text, "", ""


def _subsections(key: str, top_heading: str, body: list[Paragraph]) -> list[Section]:
    out: list[Section] = []
    current: list[Paragraph] = []
    heading = None
    n = 0

    def flush():
        nonlocal n
        if heading is not None and current:
            n += 1
            out.append(_section(f"{key}.{n}", heading, f"{top_heading} / {heading}", current, current[0].source))
    for p in body:
        t = p_text(p).strip("*").replace("**", "")
        if _SUB.match(t):
            h, _, rest = _split_heading(t)
            if len(h) <= 30:
                flush()
                heading = h.rstrip("。：:")
                current = [p]
                continue
        if heading is not None:
            current.append(p)
    flush()
    return out


def _signature_start(paras: list[Paragraph], last_start: int) -> int | None:
    """The 落款 at the end: an issuing body line and/or a date line after section 六's text."""
    n = len(paras)
    for k in range(n - 1, max(last_start, n - 4), -1):
        if signature_date(paras[k].text):
            start = k
            if k - 1 > last_start and len(p_text(paras[k - 1])) <= 30 and p_text(paras[k - 1]).endswith(_UNIT_SUFFIX):
                start = k - 1
            return start
    return None


def _section(key: str, heading: str, path: str, paras: list[Paragraph], source: Source | None = None) -> Section:
    src = source or (paras[0].source if paras else Source())
    parts, anchors, offset = [], [], 0
    for p in paras:
        t = p.text.strip()
        if not t:
            continue
        anchors.append((offset, p.source.page, p.source.line))
        parts.append(t)
        offset += len(t) + 1
    return Section(key=key, heading=heading, path=path, text="\n".join(parts), page=src.page, line=src.line,
                   anchors=anchors)
