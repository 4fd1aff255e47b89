"""BM25 keyword search over jieba tokens, kept in the database next to the chunks it indexes.

Text is cut with `jieba.lcut_for_search` (punctuation and blank tokens dropped, STACK.md §4) and stored as
space-separated terms in `chunk_terms` (rowid = chunks.rowid), so the keyword index is written in the same
transaction as the chunks and a report is keyword-searchable the moment it is stored. On SQLite it is an FTS5
table and FTS5's `bm25()` ranks. On PostgreSQL `chunk_terms.tsv` is a tsvector of exactly those tokens (GIN
index): the full-text match finds the candidates, and `bm25_scores` ranks them with the same formula
(k1 = 1.2, b = 0.75, FTS5's idf), with document frequencies and lengths read from the index.
"""
from __future__ import annotations

import logging
import math
import re
import sqlite3
from collections import Counter
from typing import Sequence

BM25_K1 = 1.2
BM25_B = 0.75

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
    from vectorstore.db import dialect_of
    if dialect_of(db) == "postgresql":
        return _pg_bm25_search(db, query, limit, where, params)
    expression = match_expression(query)
    if expression is None:
        return []
    sql = ("SELECT c.id, bm25(chunk_terms) AS s FROM chunk_terms JOIN chunks c ON c.rowid = chunk_terms.rowid "
           f"WHERE chunk_terms MATCH ? {('AND ' + where) if where else ''} ORDER BY s LIMIT ?")
    return [(cid, -score) for cid, score in db.execute(sql, [expression, *params, limit])]


def tsquery_of(terms: Sequence[str]) -> str:
    """A tsquery matching any of `terms` as exact lexemes (quoted; no parser runs over them)."""
    return " | ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in terms)


def bm25_scores(query_terms: Sequence[str], docs: dict[str, list[str]], df: dict[str, int], n_docs: int,
                avg_len: float) -> dict[str, float]:
    """BM25 of each document (its terms) for the query terms, FTS5's way: idf = ln((N - df + 0.5) / (df + 0.5)),
    floored at 1e-6."""
    out = {}
    for doc_id, terms in docs.items():
        counts, length, score = Counter(terms), len(terms), 0.0
        for t in query_terms:
            tf = counts.get(t, 0)
            if not tf:
                continue
            idf = max(math.log((n_docs - df.get(t, 0) + 0.5) / (df.get(t, 0) + 0.5)), 1e-6)
            score += idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / (avg_len or 1)))
        out[doc_id] = score
    return out


def _pg_bm25_search(db, query: str, limit: int, where: str, params: Sequence) -> list[tuple[str, float]]:
    distinct = list(dict.fromkeys(tokens(query)))
    if not distinct:
        return []
    tsquery = tsquery_of(distinct)
    rows = db.execute("SELECT c.id, t.terms FROM chunk_terms t JOIN chunks c ON c.rowid = t.rowid "
                      f"WHERE t.tsv @@ CAST(? AS tsquery) {('AND ' + where) if where else ''}",
                      [tsquery, *params]).fetchall()
    if not rows:
        return []
    n_docs, avg_len = db.execute("SELECT COUNT(*), AVG(n_terms) FROM chunk_terms").fetchone()
    df = {t: n for t, n in db.execute(
        "SELECT q.term, (SELECT COUNT(*) FROM chunk_terms t WHERE t.tsv @@ CAST(q.quoted AS tsquery)) "
        "FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS q (term, quoted)",
        [distinct, [tsquery_of([t]) for t in distinct]])}
    scores = bm25_scores(distinct, {cid: terms.split(" ") for cid, terms in rows}, df, n_docs, float(avg_len or 0))
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
