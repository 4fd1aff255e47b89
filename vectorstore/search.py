"""Hybrid search over the library: BM25 (jieba, SQLite FTS5) and dense vectors (Chroma), fused by
reciprocal rank (k = 60), with filters on agency, year and section.

The query itself is read for agencies (through `aliases`, over the agencies in the library) and years.
When it names agencies, each named agency (and each named year it has a report for) is searched on its
own and the results are interleaved, so a comparison of two reports returns passages from both. A query
that names no agency gets at most `PER_REPORT_CAP` hits per report, so questions over the whole library
see many reports; one that ranks reports (“哪个单位…最多”) or asks for all-zero tables gets the reports
in the order their stored facts give (`measures`), each with its best passage from that table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from vectorstore import db as dbmod
from vectorstore.aliases import find_agencies, resolve_agency
from vectorstore.chunks import TABLE_SECTION
from vectorstore.keyword import bm25_search
from vectorstore.measures import LibraryQuestion, read_library_question

if TYPE_CHECKING:
    from vectorstore.library import Library

RRF_K = 60
CANDIDATES = 50             # per ranked list, per sub-query
PER_REPORT_CAP = 2          # hits per report when the query names no agency
_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?=\s*年)")


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
    """One filtered sub-search: an agency (or any) and years (or any)."""
    agency: str | None = None
    years: tuple[int, ...] = ()
    report_id: str | None = None


@dataclass(frozen=True)
class QueryPlan:
    scopes: tuple[Scope, ...]
    named_agencies: tuple[str, ...]       # agencies the query or the caller named
    years: tuple[int, ...]


def years_in(query: str) -> tuple[int, ...]:
    return tuple(dict.fromkeys(int(y) for y in _YEAR.findall(query)))


def plan_query(query: str, reports: Sequence, agency: str | None = None, year: int | None = None) -> QueryPlan:
    """Which sub-searches to run. `reports` are ReportRecords (agency, year)."""
    agencies = sorted({r.agency for r in reports if r.agency})
    if agency:
        named = tuple(resolve_agency(agency, agencies)[:1]) or (agency,)
    else:
        named = tuple(dict.fromkeys(a for _, a in find_agencies(query, agencies)))
    years = (int(year),) if year else years_in(query)
    if not named:
        known_years = {r.year for r in reports}
        ys = tuple(y for y in years if y in known_years) if not year else years
        return QueryPlan((Scope(None, ys),), (), years)
    scopes = []
    for a in named:
        have = sorted({r.year for r in reports if r.agency == a and r.year is not None})
        ys = [y for y in years if y in have] if not year else list(years)
        if len(ys) > 1:
            scopes.extend(Scope(a, (y,)) for y in ys)
        else:
            scopes.append(Scope(a, tuple(ys)))
    return QueryPlan(tuple(scopes), named, years)


def search(library: "Library", query: str, k: int = 5, agency: str | None = None, year: int | None = None,
           section: str | None = None, dense: bool | None = None) -> list[Hit]:
    """The k best chunks for a query. `dense=None` uses vectors when the library has any."""
    query = (query or "").strip()
    if not query:
        return []
    reports = library.facts.report_keys()
    plan = plan_query(query, reports, agency, year)
    use_dense = (library.embedded_count() > 0) if dense is None else dense
    qvec = library.embedder().embed_query(query) if use_dense else None
    question = read_library_question(query) if not plan.named_agencies and not agency else None
    if question is not None:
        hits = _library_question_hits(library, query, question, reports, plan, section, qvec, k)
        if hits:
            return hits
    ranked = [_search_scope(library, query, scope, section, qvec, k) for scope in plan.scopes]
    if len(ranked) == 1:
        hits = ranked[0] if plan.named_agencies else _cap_per_report(ranked[0], PER_REPORT_CAP)
    else:
        hits = _interleave(ranked)
    hits = hits[:k]
    if len(hits) < k and plan.named_agencies and not agency and not year:
        seen = {h.chunk_id for h in hits}
        extra = _search_scope(library, query, Scope(), section, qvec, k)
        hits += [h for h in extra if h.chunk_id not in seen][:k - len(hits)]
    return hits


def _search_scope(library: "Library", query: str, scope: Scope, section: str | None, qvec, k: int) -> list[Hit]:
    where, params = _where_sql(scope, section)
    n = max(CANDIDATES, k * 4)
    with dbmod.reading(library.db_path) as db:
        keyword = bm25_search(db, query, n, where, params)
    vector: list[tuple[str, float]] = []
    if qvec is not None:
        vector = library.vectors.query(qvec, n, _where_chroma(scope))
    fused: dict[str, float] = {}
    for ranking in (keyword, vector):
        for rank, (cid, _) in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
    if not fused:
        return []
    rows = _visible_chunks(library, list(fused), where, params)   # drops vectors of removed reports
    order = sorted((cid for cid in fused if cid in rows), key=lambda c: (-fused[c], c))
    return [Hit(*rows[cid], score=fused[cid]) for cid in order]


def _library_question_hits(library: "Library", query: str, question: LibraryQuestion, reports: Sequence,
                           plan: QueryPlan, section: str | None, qvec, k: int) -> list[Hit]:
    """For a question that ranks reports or asks which have an all-zero table: the reports in the order
    their facts give, each with its best passage from the table concerned; then ordinary hits."""
    years = plan.scopes[0].years
    eligible = [r for r in reports if not years or r.year in years]
    ordered = order_reports(library.facts, question, eligible)
    table = question.all_zero_table or question.measure.table
    hits: list[Hit] = []
    for rid in ordered[:k]:
        best = _search_scope(library, query, Scope(report_id=rid), section or TABLE_SECTION[table], qvec, 1)
        best = best or _search_scope(library, query, Scope(report_id=rid), section, qvec, 1)
        hits.extend(best[:1])
    if len(hits) < k:
        seen = {h.chunk_id for h in hits}
        rest = _cap_per_report(_search_scope(library, query, plan.scopes[0], section, qvec, k), PER_REPORT_CAP)
        hits += [h for h in rest if h.chunk_id not in seen][:k - len(hits)]
    return hits


def order_reports(facts, question: LibraryQuestion, reports: Sequence) -> list[str]:
    """Report ids in the order the question asks for: all-zero tables first, or by the measure's value
    (reports without that value last). Reports that do not qualify for an all-zero question are left out."""
    ids = {r.id for r in reports}
    if question.all_zero_table:
        files = {r.id: r.file for r in reports}
        cells = facts.table_values(question.all_zero_table)
        return sorted((rid for rid, vals in cells.items() if rid in ids
                       and any(v is not None for v in vals) and all(v in (0, None) for v in vals)),
                      key=lambda rid: files[rid])
    m = question.measure
    values = {f.report_id: f.value for f in facts.values(m.table, m.row, m.column) if f.report_id in ids}
    known = [rid for rid in values if values[rid] is not None]
    known.sort(key=lambda rid: values[rid], reverse=question.order == "desc")
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


def _visible_chunks(library: "Library", ids: list[str], where: str, params: list) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    with dbmod.reading(library.db_path) as db:
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
