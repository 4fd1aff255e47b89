"""Questions over the whole library (“哪个单位收到的申请最多”, “哪些单位的表三全是0”): which table cell a
question ranks reports by, in which order, or which table it wants all-zero reports of.

The cell comes from the one metric lexicon (assistant.metrics): the first figure the question names that is a
table cell. `assistant.retrieve` turns the reading into a `vectorstore.search.Ranking` for search, and the
facts route computes the same ranking from the fact store.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.metrics import metrics_in_text

TABLE_NAMES = {"表二": "table2", "表三": "table3", "表四": "table4"}

_DESCENDING = re.compile(r"最多|最高|最大|从多到少|从高到低|由多到少|由高到低|排名|排序|排一下|排个序|排行|前[一二三四五六七八九十\d]+(?:名|位)?")
_ASCENDING = re.compile(r"最少|最低|最小|从少到多|从低到高|由少到多|由低到高")
_ALL_ZERO = re.compile(r"(?:全部|全|都|均)(?:是|为|填|填的是)?\s*(?:0|零)")
_WHOLE_LIBRARY = re.compile(r"哪个单位|哪些单位|哪家|哪些年报|哪几份|哪份|这些年报|这几份|各单位|所有单位|所有年报|"
                            r"各个单位|哪些报告|哪个报告|谁的")


@dataclass(frozen=True)
class Measure:
    table: str
    row: str
    column: str


@dataclass(frozen=True)
class LibraryQuestion:
    """A question that ranks or filters reports. `order` is "desc", "asc" or "" (no ranking);
    `all_zero_table` names a table the question wants all-zero reports of."""
    measure: Measure | None
    order: str
    all_zero_table: str | None


def measure_of(query: str) -> Measure | None:
    """The first table cell the question names (a 表四 group's 总计, a 表三 row's 总计 …), from the lexicon."""
    for m in metrics_in_text(query):
        if m.table in ("table2", "table3", "table4") and m.row and m.column:
            return Measure(m.table, m.row, m.column)
        if m.table == "derived" and m.row.startswith("litigation_"):
            return Measure("table4", "litigation_direct", m.row[len("litigation_"):])
    return None


def table_named(query: str) -> str | None:
    return next((t for name, t in TABLE_NAMES.items() if name in query), None)


def read_library_question(query: str) -> LibraryQuestion | None:
    """None unless the query asks to rank reports or to find the ones with an all-zero table."""
    if _ALL_ZERO.search(query):
        return LibraryQuestion(None, "", table_named(query) or "table3")
    order = "asc" if _ASCENDING.search(query) else ("desc" if _DESCENDING.search(query) else "")
    if not order and not _WHOLE_LIBRARY.search(query):
        return None
    measure = measure_of(query)
    if measure is None or not order:
        return None
    return LibraryQuestion(measure, order, None)
