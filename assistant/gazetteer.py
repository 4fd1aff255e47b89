"""China's administrative divisions (province, city, county), read from the gazetteer the `cpca` package ships
(its resources/adcodes.csv: name and 12-digit code of every division), and the one use the assistant makes of
it: a place name printed with one wrong character (沐阳县 for 沭阳县, 洪择区 for 洪泽区, as OCR or a typist does)
is told apart from a real division and mapped to the division it misprints.

A name that is itself a real division is never changed (洪山区 is not a misprint of 洪泽区). A misprint is
mapped only when exactly one division differs from it by one character at the same place, preferring the
divisions under the parent named before it (淮安市 → its counties); otherwise it is left as printed.
Only the data file is read: cpca's own parser (and its pandas import) is not loaded.
"""
from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

GAZETTEER_PACKAGE = "cpca"
GAZETTEER_FILE = ("resources", "adcodes.csv")
MIN_PLACE_CHARS = 3          # 2-character names (忠县, 沙区) are too short to tell a misprint from another name


@dataclass(frozen=True)
class Division:
    name: str
    code: str                 # 12 digits: province 2, city 4, county 6

    @property
    def parents(self) -> tuple[str, ...]:
        """Codes of the province and the city above it (as 12-digit codes)."""
        c = self.code
        return tuple(p.ljust(12, "0") for p in (c[:2], c[:4]) if p.ljust(12, "0") != c)


def gazetteer_path() -> Path | None:
    spec = importlib.util.find_spec(GAZETTEER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]).joinpath(*GAZETTEER_FILE)
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def divisions() -> Mapping[str, tuple[Division, ...]]:
    """Every division name → its divisions (a name such as 鼓楼区 recurs in several cities)."""
    path = gazetteer_path()
    out: dict[str, list[Division]] = {}
    if path is None:
        return {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name, code = (row.get("name") or "").strip(), (row.get("adcode") or "").strip()
            if name and code:
                out.setdefault(name, []).append(Division(name, code))
    return {k: tuple(v) for k, v in out.items()}


def is_division(name: str) -> bool:
    return name in divisions()


@lru_cache(maxsize=1)
def _by_shape() -> Mapping[tuple[int, str], tuple[str, ...]]:
    """(length, last character) → names, so that a misprint is compared only with names of its shape."""
    out: dict[tuple[int, str], list[str]] = {}
    for name in divisions():
        out.setdefault((len(name), name[-1]), []).append(name)
    return {k: tuple(v) for k, v in out.items()}


def one_off_divisions(name: str) -> list[str]:
    """Divisions of the same length and kind (last character) that differ from `name` by one character."""
    return [d for d in _by_shape().get((len(name), name[-1]), ()) if sum(a != b for a, b in zip(d, name)) == 1]


def misprinted_division(name: str, parent: str | None = None) -> str | None:
    """The division `name` misprints by one character, or None (a real division, too short, no candidate,
    or several candidates with nothing to choose between them)."""
    if len(name) < MIN_PLACE_CHARS or is_division(name):
        return None
    cands = one_off_divisions(name)
    if parent and is_division(parent) and len(cands) > 1:
        parent_codes = {d.code for d in divisions()[parent]}
        under = [c for c in cands if any(p in parent_codes for d in divisions()[c] for p in d.parents)]
        cands = under or cands
    return cands[0] if len(cands) == 1 else None
