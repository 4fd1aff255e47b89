"""Numbers as reports write them: Arabic or Chinese numerals, with a unit, possibly approximate.

`quantities(text)` finds every “number + unit” in a sentence (十二件, 两件, 3119 件, 约8450条, 一万多件,
603.564万元, 0亿元) and says whether it is exact; money is converted to 万元 so amounts in 元 / 万元 / 亿元
compare directly. Years (2023年), dates, percentages and numbers inside brackets are marked as such so the
rules can skip them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.numbers import CN_BIG_UNITS, parse_chinese_number  # noqa: F401  (re-exported)


COUNT_UNITS = ("件次", "人次", "件", "条", "个", "份", "项", "次", "期", "场", "篇", "家", "人", "名")
MONEY_UNITS = {"元": 1e-4, "万元": 1.0, "亿元": 1e4}       # factor to 万元
_APPROX_BEFORE = ("约", "近", "超过", "超", "逾", "大约", "将近", "不少于", "至少")
_APPROX_AFTER = ("余", "多", "左右", "以上", "上下")

_WORD_BEFORE_NUMERAL = "第统唯单同某逐之任每星周"
_CHINESE_CHARS = "零〇○一二两三四五六七八九十百千万亿"
_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CHINESE = r"[零〇○一二两三四五六七八九十百千万亿]+"
_UNIT_ALT = "|".join(sorted([re.escape(u) for u in (*MONEY_UNITS, *COUNT_UNITS)], key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?P<before>约|近|超过|超|逾|大约|将近|不少于|至少)?\s*"
    rf"(?P<num>{_ARABIC}|{_CHINESE})\s*(?P<mult>万|亿)?\s*(?P<after>余|多)?\s*"
    rf"(?P<unit>{_UNIT_ALT})(?P<tail>左右|以上|上下)?")


def parse_number(text: str) -> float | int | None:
    """An Arabic (“1,295”, “7730.28”) or Chinese (“十二”) number."""
    text = text.strip()
    if re.fullmatch(_ARABIC, text):
        text = text.replace(",", "")
        return float(text) if "." in text else int(text)
    return parse_chinese_number(text)


@dataclass(frozen=True)
class Quantity:
    """One “number + unit” in a sentence. `value` is in the unit written; `wan` is the amount in 万元 for money."""
    value: float | int
    unit: str
    exact: bool
    start: int
    end: int
    text: str
    in_brackets: bool = False
    approx_word: str = ""

    @property
    def is_money(self) -> bool:
        return self.unit in MONEY_UNITS

    @property
    def wan(self) -> float | None:
        return round(self.value * MONEY_UNITS[self.unit], 8) if self.is_money else None


def _bracket_depths(text: str) -> list[int]:
    depth, out = 0, []
    for ch in text:
        if ch in "（(":
            depth += 1
        out.append(depth)
        if ch in "）)" and depth:
            depth -= 1
    return out


def quantities(text: str) -> list[Quantity]:
    """Every number followed by a count or money unit, in order. A Chinese numeral glued to other
    characters (“一是”, “一站式”) has no unit and is not returned; “一件事” is rejected explicitly."""
    depths = _bracket_depths(text)
    out: list[Quantity] = []
    for m in _QUANTITY.finditer(text):
        num = m.group("num")
        value = parse_number(num)
        if value is None:
            continue
        chinese = not re.match(r"\d", num)
        if chinese and text[m.end():m.end() + 1] in ("事", "窗", "网", "门", "号", "线"):
            continue                                   # 一件事, 一个窗口, 一网通办 …: names, not counts
        if chinese and m.start("num") > 0 and text[m.start("num") - 1] in _WORD_BEFORE_NUMERAL:
            continue                                   # 第一条, 统一份, 唯一一个 …: part of a word
        if chinese and m.start("num") > 0 and not m.group("before") and text[m.start("num") - 1] in _CHINESE_CHARS:
            continue                                   # 二十一件 matched from its middle
        unit = m.group("unit")
        if m.group("mult") and unit == "元":
            unit = m.group("mult") + "元"              # 603.564万元 stays 603.564 in 万元
        elif m.group("mult"):
            value = value * CN_BIG_UNITS[m.group("mult")]
        approx = m.group("before") or m.group("after") or m.group("tail") or ""
        if chinese and ("多" in num or "几" in num):
            approx = approx or "多"
        # a Chinese numeral ending in 万/亿 followed by 多/余 (一万多件) is approximate; so is “几”
        out.append(Quantity(value=value, unit=unit, exact=not approx, start=m.start(), end=m.end(),
                            text=m.group(0).strip(), in_brackets=depths[m.start("num")] > 0,
                            approx_word=approx))
    return out


def is_percent_after(text: str, end: int) -> bool:
    return text[end:end + 1] in ("%", "％")


def fmt(value: float | int | None) -> str:
    """A number as people read it: 12, 7730.28, 0.003 (no trailing zeros, no scientific notation)."""
    if value is None:
        return "空白"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)
