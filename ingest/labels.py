"""Normalising and matching printed labels: brackets, spaces, line breaks, numbering, and typos."""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

_NUMBERING = re.compile(
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
        t = _NUMBERING.sub("", s)
        if t == s:
            break
        s = t
    return s


def similarity(label: str, canonical: str) -> float:
    """1.0 for the same words; high for containment or a typo; low otherwise."""
    a, b = core(label), core(canonical)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if (b in a and len(b) >= 2) or (a in b and len(a) >= 4):
        return 0.7 + 0.3 * min(len(a), len(b)) / max(len(a), len(b))
    return SequenceMatcher(None, a, b).ratio()
