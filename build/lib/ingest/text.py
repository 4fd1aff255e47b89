"""Text normalisation for reports: one home for squashing labels, ordinals and headings, and joining lines.

- `squash` / `core`: compare printed labels (full/half width, spaces, brackets, numbering removed).
- Ordinals: the numbering of headings and rows (“一、”, “（三）”, “2.”), `ORDINAL_PREFIX`.
- Section headings: `top_section_number` for a heading on its own line, `section_heading_at` for one inside a
  long line (crawler text), with the words each of the six headings carries (`SECTION_KEYWORDS`).
- Joining: `join_lines` joins the lines of one cell or label with no break between CJK characters;
  `display_width` measures how wide a line prints (for hard-wrapped text).
"""
from __future__ import annotations

import re
import unicodedata

CN_DIGITS = "一二三四五六七八九十"
# Any numbering at the start of a heading or row label: “一、” “（三）” “(3)” “2.” “第二、”.
ORDINAL_PREFIX = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十]+[)）、.．]|[（(]\d+[)）]|\d+\s*[.．、]|第?[一二三四五六七八九十]+[、.．])")
_PUNCT = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；", "\"": "“", "“": "“", "”": "”"})


def squash(text: str) -> str:
    """Full-width → half-width for ASCII, no whitespace at all, one bracket style."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    return text.translate(_PUNCT)


def core(label: str) -> str:
    """A label without its numbering (“（三）”, “1.”, “一、”) and spaces: the words that say what the row is."""
    s = squash(label)
    for _ in range(3):
        t = ORDINAL_PREFIX.sub("", s)
        if t == s:
            break
        s = t
    return s


def looks_like_heading(s: str) -> bool:
    """A line that starts with a heading ordinal: “一、” or “（一）”."""
    return bool(re.match(r"^[一二三四五六七八九十]+、|^[（(][一二三四五六七八九十]+[）)]", s))


# -- the six section headings ------------------------------------------------------------------------
SECTION_KEYS = ("s1", "s2", "s3", "s4", "s5", "s6")
SECTION_KEYWORDS: dict[int, tuple[str, ...]] = {
    1: ("总体", "基本情况", "概述", "概况"), 2: ("主动公开",), 3: ("申请",), 4: ("复议", "诉讼"),
    5: ("问题", "改进", "不足", "整改"), 6: ("其他", "事项"),
}
# Table row labels that also start with 一、…四、 and must never be taken for a section heading.
_ROW_LABEL_WORDS = ("本年新收", "上年结转", "办理结果", "结转下年")
_TOP = "一二三四五六"
_IN_LINE_HEADING = re.compile(r"[一二三四五六]、[^。；;！？\d]{1,34}?(?:情况|事项|措施)")
_IN_LINE_SHORT_HEADING = re.compile(r"[一二三四五六]、[^。；;！？\d]{1,20}?问题")     # “五、存在的主要问题”


# Words that name a section whatever its number (a report that renumbered or merged its headings).
SECTION_NAMES: dict[int, tuple[str, ...]] = {
    1: ("总体情况",), 2: ("主动公开政府信息情况",), 3: ("收到和处理政府信息公开申请",), 4: ("行政复议、行政诉讼", "行政复议和行政诉讼"),
    5: ("存在的主要问题",), 6: ("其他需要报告", "其他需报告"),
}


def _named_section(head: str) -> int | None:
    hits = [n for n, words in SECTION_NAMES.items() if any(w in head for w in words)]
    return hits[0] if len(hits) == 1 else None


def top_section_number(text: str) -> int | None:
    """1…6 when `text` (a line of its own) is one of the six section headings, else None. A heading numbered
    out of place (“三、政府信息公开行政复议、行政诉讼情况” in a report that dropped a part) is the section its
    words name."""
    t = squash(text).lstrip("#")
    m = re.match(r"^([一二三四五六七八])[、.．]", t)
    if not m or len(t) > 60:
        return None
    head = re.split(r"[。：:]", t)[0]
    if any(w in head for w in _ROW_LABEL_WORDS):
        return None
    n = "一二三四五六七八".index(m.group(1)) + 1
    if n <= 6 and any(w in head for w in SECTION_KEYWORDS[n]):
        return n
    return _named_section(head)


def section_heading_at(text: str, offset: int) -> tuple[str, str] | None:
    """(key “s1”…“s6”, heading text) when a section heading starts at `offset` of a long line: “二、主动公开
    政府信息情况” up to the word that ends a heading (情况, 事项, 措施); None for a row label (“一、本年新收…”)."""
    m = _IN_LINE_HEADING.match(text, offset) or _IN_LINE_SHORT_HEADING.match(text, offset)
    if not m:
        return None
    heading = m.group()
    if any(w in heading for w in _ROW_LABEL_WORDS):
        return None
    n = _TOP.index(heading[0]) + 1
    if not any(w in heading for w in SECTION_KEYWORDS[n]):
        n = _named_section(heading)
        if n is None:
            return None
    return SECTION_KEYS[n - 1], heading


# -- joining lines ----------------------------------------------------------------------------------
# Han characters, CJK punctuation, full-width forms and the curly quotes used in Chinese text.
_CJK_CHAR = re.compile(r"[\u2018-\u201d\u2026\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


def is_cjk(ch: str) -> bool:
    return bool(ch) and _CJK_CHAR.match(ch) is not None


def join_lines(lines: list[str]) -> str:
    """Strip each line, drop blank ones, and join them: nothing between two CJK characters, a newline otherwise
    (so "商业" + "企业" → "商业企业", "结/果/维/持" → "结果维持", but "12" + "34" stays "12\\n34")."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if out:
            out += "" if is_cjk(out[-1]) and is_cjk(line[0]) else "\n"
        out += line
    return out


# -- numbers typed in full-width forms --------------------------------------------------------------------
_FULLWIDTH_NUMBER = re.compile(r"[＋－]?[０-９]+(?:[，,][０-９]{3}(?![０-９]))*(?:[．.][０-９]+)?")


def ascii_numbers(text: str) -> str:
    """Numbers typed in full-width forms (“１２３”, “＋１１”, “９２７４２．２３”, “１，２３４”) in ASCII, so that every
    reader splits and parses them as numbers; the words around them, and a Chinese comma between numbers, as is."""
    if not any("０" <= ch <= "９" for ch in text):
        return text
    return _FULLWIDTH_NUMBER.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


def display_width(text: str) -> int:
    """How wide a line prints: a Chinese character or full-width mark counts 2, a digit, letter or space 1."""
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)
