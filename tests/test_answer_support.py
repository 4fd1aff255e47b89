"""Shared by the answer tests: one library built from ../shared per test session (keyword search only, no
vectors: BM25 answers at once), and small helpers to read what it holds."""
from __future__ import annotations

import json
from functools import lru_cache

import pytest

from conftest import SHARED


@lru_cache(maxsize=2)
def shared_library(folder: str, database_url: str | None = None):
    """Ingest ../shared/seeds and ../shared/reports into `folder` (and `database_url`, when PostgreSQL) once per
    process."""
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    library = Library(folder, database_url=database_url)
    summary = ingest_paths(library, [SHARED / "seeds", SHARED / "reports"], embed=False, progress=False)
    return library, summary


def stored_files(library) -> set[str]:
    return {r.file for r in library.reports()}


def need(library, *files: str) -> None:
    """Skip when a report did not make it into the library (the PDF reader may not be installed yet)."""
    missing = [f for f in files if f not in stored_files(library)]
    if missing:
        pytest.skip(f"资料库中没有 {', '.join(missing)}（该格式的读取模块尚未就绪）")


def gold_json(name_part: str) -> dict:
    path = next(p for p in sorted((SHARED / "gold").glob("*.json")) if name_part in p.name)
    return json.loads(path.read_text(encoding="utf-8"))


def gold_cell(name_part: str, table: str, row: str, col: str = "total"):
    """A value from a hand-read gold file (SCHEMA.md layout)."""
    g = gold_json(name_part)
    if table == "table3":
        cols = g["table3"]["columns"]
        return g["table3"]["rows"][row][cols.index(col)]
    if table == "table2":
        v = g["table2"][row]
        return v if not isinstance(v, dict) else v[col]
    return g["table4"][row][col]


def questions() -> dict[str, dict]:
    with open(SHARED / "eval" / "questions.jsonl", encoding="utf-8") as f:
        return {q["id"]: q for q in (json.loads(line) for line in f if line.strip())}


def numbers_in(text: str) -> list[float]:
    from assistant.guard import find_numbers
    return [v for tok in find_numbers(text) for v in tok.values]


def has_number(text: str, value) -> bool:
    return any(abs(float(value) - v) < 1e-9 for v in numbers_in(text))
