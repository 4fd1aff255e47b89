"""Retrieval for a question: understand it once (assistant.answer.understand → assistant.query) and search
the library with the structured filters that reading yields: agencies (full names), years (a range such as
“2022—2024年” or “近三年” expanded to every year), a section, report ids, and a ranking by stored facts
for questions over the whole library. `vectorstore.search` never reads the question itself.

`retrieve(library, question, k)` is what `nianbao search` and the retrieval evaluation call.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from assistant.aliases import resolve_agency
from assistant.measures import read_library_question
from vectorstore.search import Hit, Ranking


@dataclass(frozen=True)
class SearchRequest:
    """What to search for: the text and the filters understood from the question (and the caller's flags)."""
    text: str
    agencies: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    section: str | None = None
    report_ids: tuple[str, ...] = ()
    ranking: Ranking | None = None
    fill: bool = False               # filters read from the question: top up from the whole library

    def kwargs(self) -> dict:
        return {"agencies": self.agencies, "years": self.years, "section": self.section,
                "report_ids": self.report_ids, "ranking": self.ranking, "fill": self.fill}


def plan_search(question: str, records: Sequence, history: Sequence | None = None, agency: str | None = None,
                year: int | None = None, section: str | None = None) -> SearchRequest:
    """The filters of a question over `records` (the library's ReportRecords). `agency`/`year`/`section` are
    the caller's explicit filters (CLI flags): they win over what the question says and are kept strictly."""
    from assistant.answer import understand
    question = (question or "").strip()
    names = sorted({r.agency for r in records if r.agency})
    query = understand(question, history, records)
    if agency:
        agencies = tuple(resolve_agency(agency, names)[:1]) or (agency,)
    else:
        agencies = tuple(query.agencies)
    strict_years = (int(year),) if year else ()
    asked = strict_years or tuple(query.years)
    report_ids: tuple[str, ...] = ()
    years: tuple[int, ...] = strict_years
    if agencies and not strict_years and asked:
        # the reports of the named agencies for the years asked; a year an agency has no report for is ignored
        chosen = [r for r in records if r.agency in agencies and r.year in asked]
        report_ids = tuple(r.id for r in sorted(chosen, key=lambda r: (agencies.index(r.agency), r.year)))
    elif not agencies and not strict_years and asked:
        known = {r.year for r in records}
        years = tuple(y for y in asked if y in known)
    ranking = None
    if not agencies:
        lq = read_library_question(question)
        if lq is not None:
            m = lq.measure
            ranking = Ranking(m.table if m else None, m.row if m else None, m.column if m else None,
                              lq.order or "desc", lq.all_zero_table)
    return SearchRequest(question, agencies if not report_ids else (), years, section, report_ids, ranking,
                         fill=not (agency or year))


def retrieve(library, question: str, k: int = 5, agency: str | None = None, year: int | None = None,
             section: str | None = None, history: Sequence | None = None, dense: bool | None = None) -> list[Hit]:
    """The k best passages for a question, searched with the filters understood from it."""
    request = plan_search(question, library.reports(), history, agency, year, section)
    if agency and not request.agencies and not request.report_ids:
        return []
    return library.search(request.text, k=k, dense=dense, **request.kwargs())
