"""The number guard: every figure in an LLM answer must be a figure the program gave it.

`guard_numbers(answer, allowed)` finds the numbers of the answer (Arabic with thousands separators,
decimals, percentages, 万/亿, and Chinese numerals such as 十二 / 两件 / 三百五十一 / 百分之四十四点七) and
checks each against the numbers of `allowed`: the prompt's context text and the facts computed in code.
A number that is not there is wrapped as “【未核实：N】” and listed in `flagged`. List markers (一是 / （一） /
1. at a line start / 第一) carry no figure and are skipped; years, dates and article numbers (第二十条, 711号)
are figures like any other and pass only when the context has them. A percentage passes when it equals,
at the precision written, a percentage in the context or a ratio computed from the facts (1362/3050 → 44.7%).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.numbers import CN_BIG_UNITS, parse_chinese_number as _parse_cn
from typing import Callable, Iterable

_CN_CHARS = "零〇一二两三四五六七八九十百千万亿"
# Words after a Chinese numeral that make it a count (一件, 两个, 三条 …).
_MEASURE = ("件", "条", "个", "项", "家", "次", "人", "名", "份", "篇", "期", "倍", "类", "场", "批", "户", "位", "台",
            "所", "起", "元", "处", "种", "部", "本", "张", "套", "轮", "成", "季度", "万", "亿")
_NOT_COUNTS = ("一次性", "一条龙", "一件事", "一揽子", "一把手", "一站式", "一张网", "一张图", "一本账", "一盘棋",
               "两个维护", "两个确立", "一个中心", "十分", "千万", "万一", "百姓", "千方百计", "一部分")

_ARABIC = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
_CN_NUM = re.compile(rf"[{_CN_CHARS}]+(?:点[零〇一二三四五六七八九]+)?")
_RATIO_EXPR = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(?:/|÷|／)\s*(\d[\d,]*(?:\.\d+)?)")


@dataclass(frozen=True)
class NumberToken:
    """A number as written in a text: its span, its text, its value(s) and whether it is a percentage."""
    start: int
    end: int
    text: str
    values: tuple[float, ...]      # the value, and the value × 万/亿 when one follows
    percent: bool = False          # 44.7% / 百分之四十四点七 / 7.9个百分点
    decimals: int = 0
    article: bool = False          # 第二十条 / 第711号: matched only against article numbers of the context


@dataclass(frozen=True)
class GuardResult:
    text: str                  # the answer with unverified numbers marked
    flagged: list[str]         # the unverified numbers as written
    ok: bool


def parse_chinese_number(s: str) -> float | None:
    """十二 → 12, 三百五十一 → 351, 一万多 → 10000, 二〇二三 → 2023, 四十四点七 → 44.7; None if not a number."""
    return _parse_cn(s.rstrip("多余几"))


def _is_marker(text: str, start: int, end: int, chinese: bool) -> bool:
    """List markers and ordinals carry no figure: 一是, （一）, 一、 (after a break), 第一 (not 第一条), 其一,
    1. / 1、 / （1） at a line start, [1] citation marks."""
    before, after = text[max(0, start - 1):start], text[end:end + 2]
    line = text[:start][text[:start].rfind("\n") + 1:]
    line_start = re.fullmatch(r"[\s　]*[#>*\-]*[\s　]*", line) is not None
    if before and before in "（([【" and after[:1] in "）)]】":
        return True
    if before == "第":
        return not re.match(r"[条款项章节号]", after)
    if chinese:
        if after[:1] == "是" or before == "其":
            return True
        return after[:1] == "、" and (line_start or (before != "" and before in "，。；;,.！？!? \t　）)：:"))
    return line_start and re.match(r"[.．、)）](?!\d)", after) is not None


def _is_article(text: str, start: int, end: int) -> bool:
    return text[max(0, start - 1):start] == "第" and re.match(r"[条款项章节号]", text[end:end + 1]) is not None


def find_numbers(text: str) -> list[NumberToken]:
    """The figures written in `text`, list markers left out."""
    tokens: list[NumberToken] = []
    for m in _ARABIC.finditer(text):
        start, end = m.start(), m.end()
        if _is_marker(text, start, end, chinese=False):
            continue
        raw = m.group(1).replace(",", "")
        decimals = len(m.group(2) or "")
        value = float(raw + ("." + m.group(2) if m.group(2) else ""))
        tail = text[end:end + 6]
        pct = re.match(r"\s*[%％]", tail)
        points = re.match(r"\s*个百分点", tail)
        percent = bool(pct or points or text[max(0, start - 3):start] == "百分之")
        if pct:
            end += pct.end()
        values = (value,)
        big = re.match(r"\s*(万|亿)", text[end:end + 3])
        if big and not percent:
            values = (value, value * CN_BIG_UNITS[big.group(1)])
            end += big.end()
        tokens.append(NumberToken(start, end, text[start:end], values, percent, decimals,
                                  _is_article(text, start, end)))
    arabic_spans = [(t.start, t.end) for t in tokens]
    for m in _CN_NUM.finditer(text):
        start, end, s = m.start(), m.end(), m.group()
        if any(a < end and start < b for a, b in arabic_spans):     # the 万 of 18343万元
            continue
        if not _chinese_is_count(text, start, end, s):
            continue
        if _is_marker(text, start, end, chinese=True):
            continue
        value = parse_chinese_number(s)
        if value is None:
            continue
        decimals = len(s.partition("点")[2])
        percent = text[max(0, start - 3):start] == "百分之" or text[end:end + 4] == "个百分点"
        tokens.append(NumberToken(start, end, s, (float(value),), percent, decimals, _is_article(text, start, end)))
    return sorted(tokens, key=lambda t: t.start)


def _inside_phrase(text: str, start: int, end: int) -> bool:
    """True when the numeral is part of a set phrase (一次性, 十分, 千方百计 …), not a count."""
    for w in _NOT_COUNTS:
        i = text.find(w, max(0, start - len(w) + 1))
        while i != -1 and i < end:
            if i + len(w) > start:
                return True
            i = text.find(w, i + 1)
    return False


def _chinese_is_count(text: str, start: int, end: int, s: str) -> bool:
    """Whether a run of Chinese numeral characters is a figure (十二, 三百五十一, 两件) rather than part of
    a word (统一, 进一步, 百姓)."""
    if _inside_phrase(text, start, end):
        return False
    if text[max(0, start - 3):start] == "百分之":
        return True
    follows_measure = text[end:].startswith(_MEASURE)
    if all(c in "十百千万亿" for c in s):           # 十 / 百 / 万 alone: only as 十件, 百人 …
        return follows_measure
    if any(c in "十百千万亿点" for c in s):
        return True
    if text[max(0, start - 1):start] == "第":
        return True                                  # 第二条 (checked) or 第二 (a marker, dropped later)
    return follows_measure


# -- the allowed numbers --------------------------------------------------------------------------

@dataclass
class _Allowed:
    values: list[float]
    percents: list[float]
    articles: list[float]


def _collect(allowed: Iterable) -> _Allowed:
    values: list[float] = []
    percents: list[float] = []
    articles: list[float] = []
    for item in allowed:
        if item is None:
            continue
        if isinstance(item, bool):
            continue
        if isinstance(item, (int, float)):
            values.append(float(item))
            if isinstance(item, float) and 0 < abs(item) < 1:
                percents.append(item * 100)
            continue
        if isinstance(item, str):
            for tok in find_numbers(item):
                values.extend(tok.values)
                if tok.percent:
                    percents.append(tok.values[0])
                if tok.article:
                    articles.append(tok.values[0])
            for m in _RATIO_EXPR.finditer(item):
                a, b = float(m.group(1).replace(",", "")), float(m.group(2).replace(",", ""))
                if b:
                    percents.append(a / b * 100)
            continue
        value = getattr(item, "value", None)          # a ComputedValue (duck-typed)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if getattr(item, "unit", "") in ("%", "个百分点"):
                percents.append(float(value))
            values.append(float(value))
        for inp in getattr(item, "inputs", ()) or ():
            v = inp[-1] if isinstance(inp, (tuple, list)) else None
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                values.append(float(v))
        text = getattr(item, "formula_text", None)
        if isinstance(text, str):
            sub = _collect([text])
            values.extend(sub.values)
            percents.extend(sub.percents)
            articles.extend(sub.articles)
    return _Allowed(values, percents, articles)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _number_ok(tok: NumberToken, allowed: _Allowed) -> bool:
    if tok.article:
        return any(_close(tok.values[0], a) for a in allowed.articles)
    if tok.percent:
        shown = tok.values[0]
        for p in allowed.percents:
            if _close(round(p, tok.decimals), shown) or _close(p, shown):
                return True
        return False
    return any(_close(v, a) for v in tok.values for a in allowed.values)


Allowed = _Allowed


def collect_allowed(allowed: Iterable) -> _Allowed:
    """The numbers, percentages and article numbers that `allowed` (strings, numbers, computed values) holds."""
    return _collect(allowed)


def number_allowed(tok: NumberToken, allowed: _Allowed) -> bool:
    """Whether one written number equals a number of `allowed` (percentages at the precision written)."""
    return _number_ok(tok, allowed)


UNVERIFIED = "未核实"


def guard_numbers(answer: str, allowed: Iterable | _Allowed,
                  vouch: Callable[[NumberToken, str], str | None] | None = None) -> GuardResult:
    """Check every number of `answer` against `allowed` (context strings, numbers, computed values);
    mark each unverified one as “【未核实：N】”. `vouch(token, answer)` may still accept a number that is not
    in `allowed` (returns ""), or mark it with another word (returns e.g. "与表格不符"); None = unverified."""
    pool = allowed if isinstance(allowed, _Allowed) else _collect(allowed)
    flagged: list[str] = []
    out, last = [], 0
    for tok in find_numbers(answer):
        if tok.start < last:
            continue
        if _number_ok(tok, pool):
            continue
        verdict = vouch(tok, answer) if vouch is not None else None
        if verdict == "":
            continue
        flagged.append(tok.text)
        out.append(answer[last:tok.start])
        out.append(f"【{verdict or UNVERIFIED}：{tok.text}】")
        last = tok.end
    out.append(answer[last:])
    return GuardResult("".join(out), flagged, not flagged)
