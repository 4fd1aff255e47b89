"""Chinese numerals → numbers: 十二 → 12, 两 → 2, 三百五十一 → 351, 一万零五 → 10005, 二〇二三 → 2023 (digit by
digit), 四十四点七 → 44.7. One parser for every layer (dates, text-vs-table checks, the answer guard)."""
from __future__ import annotations

CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS)


def parse_chinese_number(text: str) -> int | float | None:
    """The value of a Chinese numeral, or None when the text is not one (“一二” is not a number)."""
    if not text:
        return None
    integer, dot, frac = text.partition("点")
    if dot and (not frac or not all(c in CN_DIGITS for c in frac)):
        return None
    value = _integer(integer) if integer else 0
    if value is None:
        return None
    if frac:
        return float(f"{value}.{''.join(str(CN_DIGITS[c]) for c in frac)}")
    return value


def _integer(s: str) -> int | None:
    if all(c in CN_DIGITS for c in s):                 # 二〇二三 / 一 / 两: digit by digit
        return CN_DIGITS[s] if len(s) == 1 else int("".join(str(CN_DIGITS[c]) for c in s))
    total, section, digit = 0, 0, None
    for c in s:
        if c in CN_DIGITS:
            if digit is not None and CN_DIGITS[c] != 0 and digit != 0:   # 一二 is not a numeral; 一万零五 is
                return None
            digit = CN_DIGITS[c]
        elif c in CN_SMALL_UNITS:
            section += (1 if digit is None else digit) * CN_SMALL_UNITS[c]
            digit = None
        elif c in CN_BIG_UNITS:
            section += digit or 0
            section = section or 1
            total = (total + section) * CN_BIG_UNITS[c] if c == "亿" else total + section * CN_BIG_UNITS[c]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)
