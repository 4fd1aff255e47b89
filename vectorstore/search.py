"""Hybrid search over the library: BM25 (jieba, SQLite FTS5) and dense vectors (Chroma), fused by
reciprocal rank (k = 60), restricted by structured filters: agencies (full names), years, a section, report
ids, and, for a question that ranks reports, a `Ranking` by a stored cell.

Search never reads the question for agencies or years: `assistant.retrieve` understands it once and passes
the filters. Several agencies (or one agency and several years, or several report ids) are searched one
scope at a time and the results interleaved, so a comparison gets passages from each report. Without an
agency filter at most `PER_REPORT_CAP` hits come from one report, so questions over the whole library see
many reports; a `Ranking` returns the reports in the order their stored facts give, each with its best passage.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

from vectorstore import db as dbmod
from vectorstore.chunks import TABLE_SECTION, dense_text_of
from vectorstore.embeddings import CachedEmbedder
from vectorstore.facts import FactStore
from vectorstore.keyword import bm25_search
from vectorstore.vectors import VectorIndex

RRF_K = 60
CANDIDATES = 50             # per ranked list, per sub-query
PER_REPORT_CAP = 2          # hits per report when the query names no agency


@dataclass(frozen=True)
class SearchIndex:
    """What search reads of a library, and nothing more: its database, its vectors, its stored facts, and how to
    embed the query (`Library.search_index()` hands it over; search never holds the library itself)."""
    db_path: Path | str
    vectors: VectorIndex
    facts: FactStore
    embedded_count: Callable[[], int]
    embedder: Callable[[], CachedEmbedder]


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    report_id: str
    file: str
    agency: str | None
    year: int | None
    section: str            # section key: s1_overview.2, preamble …
    section_path: str       # 一、总体情况 / （二）依申请公开情况
    page: int | None
    line: int | None
    kind: str               # text | table
    text: str
    score: float

    def to_json(self) -> dict:
        return {"file": self.file, "agency": self.agency, "year": self.year, "section": self.section_path,
                "section_key": self.section, "page": self.page, "line": self.line, "kind": self.kind,
                "text": self.text, "score": round(self.score, 5), "report_id": self.report_id,
                "chunk_id": self.chunk_id}


@dataclass(frozen=True)
class Scope:
    """One filtered sub-search: an agency (or any), years (or any), or one report."""
    agency: str | None = None
    years: tuple[int, ...] = ()
    report_id: str | None = None


@dataclass(frozen=True)
class Ranking:
    """Order reports by a stored cell (`order` "desc"/"asc"), or keep those whose `all_zero_table` is all 0."""
    table: str | None = None
    row: str | None = None
    column: str | None = None
    order: str = "desc"
    all_zero_table: str | None = None


def scopes_for(agencies: Sequence[str] = (), years: Sequence[int] = (), report_ids: Sequence[str] = ()) -> tuple[Scope, ...]:
    """The sub-searches of a filter: one per report id, else one per agency (and per year when several)."""
    years = tuple(dict.fromkeys(int(y) for y in years))
    if report_ids:
        return tuple(Scope(report_id=r) for r in dict.fromkeys(report_ids))
    if not agencies:
        return (Scope(None, years),)
    scopes: list[Scope] = []
    for a in dict.fromkeys(agencies):
        if len(years) > 1:
            scopes.extend(Scope(a, (y,)) for y in years)
        else:
            scopes.append(Scope(a, years))
    return tuple(scopes)


def search(index: SearchIndex, query: str, k: int = 5, agencies: Sequence[str] = (), years: Sequence[int] = (),
           section: str | None = None, report_ids: Sequence[str] = (), ranking: Ranking | None = None,
           fill: bool = False, dense: bool | None = None, agency: str | None = None,
           year: int | None = None) -> list[Hit]:
    """The k best chunks for the query text within the filters (`agency`/`year`: one of each, exact).
    `fill`: top up from the whole library when the filtered search finds fewer than k.
    `dense=None` uses vectors when the library has any."""
    query = (query or "").strip()
    if not query:
        return []
    agencies = tuple(agencies) + ((agency,) if agency else ())
    years = tuple(years) + ((int(year),) if year else ())
    scopes = scopes_for(agencies, years, report_ids)
    use_dense = (index.embedded_count() > 0) if dense is None else dense
    qvec = index.embedder().embed_query(query) if use_dense else None
    if ranking is not None and not agencies and not report_ids:
        hits = _library_question_hits(index, query, ranking, index.facts.report_keys(), scopes[0], section,
                                      qvec, k)
        if hits:
            return hits
    ranked = [_search_scope(index, query, scope, section, qvec, k) for scope in scopes]
    if len(ranked) == 1:
        hits = ranked[0] if (agencies or report_ids) else _cap_per_report(ranked[0], PER_REPORT_CAP)
    else:
        hits = _interleave(ranked)
    hits = hits[:k]
    if len(hits) < k and fill and (agencies or report_ids or years):
        seen = {h.chunk_id for h in hits}
        extra = _search_scope(index, query, Scope(), section, qvec, k)
        hits += [h for h in extra if h.chunk_id not in seen][:k - len(hits)]
    return hits


def _search_scope(index: SearchIndex, query: str, scope: Scope, section: str | None, qvec, k: int) -> list[Hit]:
    where, params = _where_sql(scope, section)
    n = max(CANDIDATES, k * 4)
    with dbmod.reading(index.db_path) as db:
        keyword = bm25_search(db, query, n, where, params)
    vector: list[tuple[str, float]] = []
    if qvec is not None:
        vector = index.vectors.query(qvec, n, _where_chroma(scope))
    fused: dict[str, float] = {}
    for ranking in (keyword, vector):
        for rank, (cid, _) in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
    if not fused:
        return []
    rows = _visible_chunks(index, list(fused), where, params)   # drops vectors of removed reports
    hits = [Hit(*row, score=fused[cid]) for cid, row in rows.items()]
    if vector:
        # a chunk that has no vector by design (a table row) is ranked by the one list it can be in, counted
        # for both: fused over the rankings a chunk is eligible for, it is not behind every passage with a vector
        hits = [replace(h, score=2 * h.score) if dense_text_of(h.kind, h.text) is None else h for h in hits]
    return sorted(hits, key=lambda h: (-h.score, h.chunk_id))


def _library_question_hits(index: SearchIndex, query: str, ranking: Ranking, reports: Sequence, scope: Scope,
                           section: str | None, qvec, k: int) -> list[Hit]:
    """For a ranking: the reports in the order their facts give, each with its best passage from the table
    concerned; then ordinary hits."""
    years = scope.years
    eligible = [r for r in reports if not years or r.year in years]
    ordered = order_reports(index.facts, ranking, eligible)
    table = ranking.all_zero_table or ranking.table
    hits: list[Hit] = []
    for rid in ordered[:k]:
        best = _search_scope(index, query, Scope(report_id=rid), section or TABLE_SECTION[table], qvec, 1)
        best = best or _search_scope(index, query, Scope(report_id=rid), section, qvec, 1)
        hits.extend(best[:1])
    if len(hits) < k:
        seen = {h.chunk_id for h in hits}
        rest = _cap_per_report(_search_scope(index, query, scope, section, qvec, k), PER_REPORT_CAP)
        hits += [h for h in rest if h.chunk_id not in seen][:k - len(hits)]
    return hits


def order_reports(facts, ranking: Ranking, reports: Sequence) -> list[str]:
    """Report ids in the ranking's order: all-zero tables first, or by the cell's value (reports without
    that value last). Reports that do not qualify for an all-zero question are left out."""
    ids = {r.id for r in reports}
    if ranking.all_zero_table:
        files = {r.id: r.file for r in reports}
        cells = facts.table_values(ranking.all_zero_table)
        return sorted((rid for rid, vals in cells.items() if rid in ids
                       and any(v is not None for v in vals) and all(v in (0, None) for v in vals)),
                      key=lambda rid: files[rid])
    values = {f.report_id: f.value for f in facts.values(ranking.table, ranking.row, ranking.column)
              if f.report_id in ids}
    known = [rid for rid in values if values[rid] is not None]
    known.sort(key=lambda rid: values[rid], reverse=ranking.order == "desc")
    return known


def _where_sql(scope: Scope, section: str | None) -> tuple[str, list]:
    clauses, params = [], []
    if scope.agency:
        clauses.append("c.agency = ?")
        params.append(scope.agency)
    if scope.years:
        clauses.append(f"c.year IN ({','.join('?' * len(scope.years))})")
        params.extend(scope.years)
    if scope.report_id:
        clauses.append("c.report_id = ?")
        params.append(scope.report_id)
    if section:
        clauses.append("(c.top_section = ? OR c.section = ? OR c.section_path LIKE ?)")
        params.extend([section, section, f"%{section}%"])
    return " AND ".join(clauses), params


def _where_chroma(scope: Scope) -> dict | None:
    parts = []
    if scope.agency:
        parts.append({"agency": scope.agency})
    if scope.years:
        parts.append({"year": {"$in": list(scope.years)}} if len(scope.years) > 1 else {"year": scope.years[0]})
    if scope.report_id:
        parts.append({"report_id": scope.report_id})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _visible_chunks(index: SearchIndex, ids: list[str], where: str, params: list) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    with dbmod.reading(index.db_path) as db:
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            sql = (f"SELECT c.id, c.report_id, c.file, c.agency, c.year, c.section, c.section_path, c.page, c.line, "
                   f"c.kind, c.text FROM chunks c WHERE c.id IN ({','.join('?' * len(part))})"
                   + (f" AND {where}" if where else ""))
            for row in db.execute(sql, [*part, *params]):
                out[row[0]] = row
    return out


def _interleave(ranked: list[list[Hit]]) -> list[Hit]:
    """Round-robin over the sub-searches, skipping chunks already taken."""
    out, seen = [], set()
    for i in range(max((len(r) for r in ranked), default=0)):
        for r in ranked:
            if i < len(r) and r[i].chunk_id not in seen:
                seen.add(r[i].chunk_id)
                out.append(r[i])
    return out


def _cap_per_report(hits: list[Hit], cap: int) -> list[Hit]:
    counts: dict[str, int] = {}
    kept, rest = [], []
    for h in hits:
        counts[h.report_id] = counts.get(h.report_id, 0) + 1
        (kept if counts[h.report_id] <= cap else rest).append(h)
    return kept + rest
