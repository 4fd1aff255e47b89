"""BM25 keyword search over jieba tokens, kept in SQLite FTS5 next to the chunks it indexes.

Text is cut with `jieba.lcut_for_search` (punctuation and blank tokens dropped, STACK.md §4) and stored as
space-separated terms in the FTS5 table `chunk_terms` (rowid = chunks.rowid), so the keyword index is
written in the same transaction as the chunks and a report is keyword-searchable the moment it is stored.
FTS5's `bm25()` ranks (k1 = 1.2, b = 0.75).
"""
from __future__ import annotations

import logging
import re
import sqlite3
from typing import Sequence

_PUNCT = re.compile(r"^[\s\W_]+$")


def tokens(text: str) -> list[str]:
    """jieba search-mode tokens without punctuation or whitespace."""
    import jieba
    jieba.setLogLevel(logging.WARNING)
    return [t.strip().lower() for t in jieba.lcut_for_search(text) if t.strip() and not _PUNCT.match(t)]


def terms_of(text: str) -> str:
    """What the index stores for a text."""
    return " ".join(tokens(text))


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression: any of the query's distinct tokens, each quoted as a phrase."""
    distinct = list(dict.fromkeys(tokens(query)))
    if not distinct:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in distinct)


def bm25_search(db: sqlite3.Connection, query: str, limit: int, where: str = "", params: Sequence = ()) -> list[tuple[str, float]]:
    """(chunk id, score) best first; `where` is extra SQL on the chunks table aliased `c`. Score = -bm25,
    higher is better."""
    expression = match_expression(query)
    if expression is None:
        return []
    sql = ("SELECT c.id, bm25(chunk_terms) AS s FROM chunk_terms JOIN chunks c ON c.rowid = chunk_terms.rowid "
           f"WHERE chunk_terms MATCH ? {('AND ' + where) if where else ''} ORDER BY s LIMIT ?")
    return [(cid, -score) for cid, score in db.execute(sql, [expression, *params, limit])]
