"""Digits glued together: the readings of a run like “713000074” as a row of cells.

Pages saved by site crawlers flatten each table row into one run of digits (“713000074” is 71/3/0/0/0/0/74),
sometimes with spaces between some cells. A run has many possible splits; the table's own arithmetic
(ingest/identities.py) narrows them down. This module only enumerates: `splits()` lists every reading of a
row that uses no leading zeros; the table reader keeps a reading only when it is the unique one left.
"""
from __future__ import annotations

import re
from functools import lru_cache

Number = int | float

MAX_READINGS = 20000        # more readings than this for one row: give up on the row (left blank, warned)
_GROUP = re.compile(r"^[+\-]?\d+(?:,\d+)*(?:\.\d+)?$")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?$")      # “2,345” to the end of its group


def groups_of(text: str) -> list[str]:
    """The digit groups of a value run: “0 1 1 0 2” → ["0","1","1","0","2"]; “713000074” → ["713000074"]."""
    return [g for g in re.split(r"[\s\u3000]+", text.strip()) if g]


def parse_number(text: str) -> Number:
    text = text.replace(",", "")
    return float(text) if "." in text else int(text)


def _ok(part: str) -> bool:
    """A printed number: no leading zero (“0” itself and decimals like “0.5” are fine)."""
    part = part.lstrip("+-")
    return part == "0" or not part.startswith("0") or part.startswith("0.")


def _ends(text: str, pos: int) -> range | list[int]:
    """Where the cell that starts at `pos` may end: a sign (“+29”, a 2019 表二 change) belongs to the cell it
    starts and needs a digit after it; a cell starting with 0 is that 0 alone; a number printed with thousands
    separators is read whole."""
    d = pos + 1 if text[pos] in "+-" else pos
    if d >= len(text) or not text[d].isdigit():
        return []
    if text[d] == "0":
        return [d + 1]
    comma = text.find(",", d)
    if comma < 0:
        return range(d + 1, len(text) + 1)
    # thousands separators (“464,774”): the number they belong to runs to the group's end and starts 1–3
    # digits before the first comma; digits before that are numbers glued in front of it
    whole = [len(text)] if comma - d <= 3 and _THOUSANDS.match(text, d) else []
    return list(range(d + 1, comma)) + whole


def count_splits(groups: list[str], width: int) -> int:
    """How many readings of `groups` as `width` cells use no leading zeros (counted, not listed)."""
    @lru_cache(maxsize=None)
    def ways(g: int, pos: int, left: int) -> int:
        if g == len(groups):
            return 1 if left == 0 else 0
        text = groups[g]
        if pos == len(text):
            return ways(g + 1, 0, left)
        if left == 0:
            return 0
        if "." in text:                            # a decimal group is one cell
            return ways(g + 1, 0, left - 1) if pos == 0 and _ok(text) else 0
        total = 0
        ends = _ends(text, pos)
        for end in ends:
            total += ways(g, end, left - 1)
        return total
    return ways(0, 0, width)


def splits(groups: list[str], width: int, group: int | None = None,
           limit: int = MAX_READINGS) -> list[tuple[str, ...]] | None:
    """The readings of the digit `groups` as `width` cells: each group cut into one or more numbers with no
    leading zeros. With `group`, only readings where every `group` consecutive cells end in their sum (the
    parts then the 总计: 7 for a 表三 row, 5 for a 表四 group). None when more than `limit` readings remain."""
    if not groups or any(not _GROUP.match(g) for g in groups) or len(groups) > width:
        return []
    out: list[tuple[str, ...]] = []
    digits_after = [sum(len(x) for x in groups[g + 1:]) for g in range(len(groups))]

    def walk(g: int, pos: int, parts: tuple[str, ...]) -> bool:
        if group and parts and len(parts) % group == 0:
            nums = [parse_number(x) for x in parts[-group:]]
            if abs(sum(nums[:-1]) - nums[-1]) > 1e-9:
                return True
        if g == len(groups):
            if len(parts) == width:
                out.append(parts)
            return len(out) <= limit
        text = groups[g]
        if pos == len(text):
            return walk(g + 1, 0, parts)
        left = width - len(parts)
        if left <= 0 or left > len(text) - pos + digits_after[g]:
            return True
        if "." in text:
            return walk(g + 1, 0, parts + (text,)) if pos == 0 and _ok(text) else True
        ends = _ends(text, pos)
        for end in ends:
            if not walk(g, end, parts + (text[pos:end],)):
                return False
        return True

    if not walk(0, 0, ()):
        return None
    return out
