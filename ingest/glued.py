"""Digits glued together: the readings of a run like “713000074” as a row of cells.

Pages saved by site crawlers flatten each table row into one run of digits (“713000074” is 71/3/0/0/0/0/74),
sometimes with spaces between some cells. A run has many possible splits; the table's own arithmetic
(ingest/identities.py) narrows them down. This module only enumerates: `splits()` lists every reading of a
row that uses no leading zeros; the table reader keeps a reading only when it is the unique one left.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

Number = int | float

MAX_READINGS = 20000        # more readings than this for one row: give up on the row (left blank, warned)
_GROUP = re.compile(r"^\d+(?:\.\d+)?$")


def groups_of(text: str) -> list[str]:
    """The digit groups of a value run: “0 1 1 0 2” → ["0","1","1","0","2"]; “713000074” → ["713000074"]."""
    return [g for g in re.split(r"[\s\u3000]+", text.strip()) if g]


def parse_number(text: str) -> Number:
    return float(text) if "." in text else int(text)


@lru_cache(maxsize=4096)
def _parts(group: str, k: int) -> tuple[tuple[str, ...], ...]:
    """Every way to cut `group` into k numbers without leading zeros (a decimal group is never cut)."""
    if k == 1:
        ok = group == "0" or not group.startswith("0") or group.startswith("0.")
        return ((group,),) if ok else ()
    if "." in group or len(group) < k:
        return ()
    out = []
    first_max = 1 if group[0] == "0" else len(group) - k + 1
    for i in range(1, first_max + 1):
        head = group[:i]
        for rest in _parts(group[i:], k - 1):
            out.append((head,) + rest)
    return tuple(out)


def splits(groups: list[str], width: int, limit: int = MAX_READINGS) -> list[tuple[str, ...]] | None:
    """Every reading of the digit `groups` as `width` cells: each group is cut into one or more numbers, with
    no leading zeros. None when there are more than `limit` readings (too ambiguous to try)."""
    if not groups or any(not _GROUP.match(g) for g in groups):
        return []
    if len(groups) > width:
        return []
    out: list[tuple[str, ...]] = []

    def walk(i: int, left: int, acc: tuple[str, ...]) -> bool:
        if i == len(groups):
            if left == 0:
                out.append(acc)
            return len(out) <= limit
        remaining = len(groups) - i - 1
        for k in range(1, left - remaining + 1):
            if math.comb(max(len(groups[i]) - 1, 0), k - 1) > 4 * limit:
                return False
            for cut in _parts(groups[i], k):
                if not walk(i + 1, left - k, acc + cut):
                    return False
        return True

    if not walk(0, width, ()):
        return None
    return out
