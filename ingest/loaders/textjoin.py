"""Join the lines of one table cell (or one wrapped label) the way a reader would: no break between CJK text."""
from __future__ import annotations

import re

# Han characters, CJK punctuation, full-width forms and the curly quotes used in Chinese text.
_CJK_CHAR = re.compile(r"[\u2018-\u201d\u2026\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


def is_cjk(ch: str) -> bool:
    return bool(ch) and _CJK_CHAR.match(ch) is not None


def join_lines(lines: list[str]) -> str:
    """Strip each line, drop blank ones, and join them: nothing between two CJK characters, a newline otherwise
    (so "商业" + "企业" → "商业企业" but "12" + "34" stays "12\\n34")."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if out:
            out += "" if is_cjk(out[-1]) and is_cjk(line[0]) else "\n"
        out += line
    return out
