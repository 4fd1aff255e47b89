"""Questions over the whole library (“哪个单位收到的申请最多”, “哪些单位的表三全是0”): which table cell a
question is about, whether it asks for a ranking or for all-zero tables. Pure functions over the query text.

Search uses this to order reports by the facts themselves when a question ranks or filters reports
rather than asking about one of them; the Q&A can use the same reading to compute the answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# (pattern, table, row, column): the first pattern that matches wins, so specific ones come first.
MEASURES: tuple[tuple[str, str, str, str], ...] = (
    (r"不掌握", "table3", "unavailable_not_held", "total"),
    (r"部分公开", "table3", "partially_granted", "total"),
    (r"予以公开", "table3", "granted", "total"),
    (r"结转下年|结转到下年", "table3", "carried_forward", "total"),
    (r"上年结转", "table3", "carried_over", "total"),
    (r"不予公开", "table3", "denied_state_secret", "total"),
    (r"行政复议", "table4", "review", "total"),
    (r"未经复议|直接起诉", "table4", "litigation_direct", "total"),
    (r"复议后起诉", "table4", "litigation_after_review", "total"),
    (r"行政诉讼", "table4", "litigation_direct", "total"),
    (r"行政许可", "table2", "administrative_license", "value"),
    (r"行政处罚", "table2", "administrative_penalty", "value"),
    (r"行政强制", "table2", "administrative_coercion", "value"),
    (r"收费", "table2", "administrative_fees", "value"),
    (r"规范性文件", "table2", "normative_documents", "in_force"),
    (r"规章", "table2", "regulations", "in_force"),
    (r"申请", "table3", "new_received", "total"),
)
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
    for pattern, table, row, col in MEASURES:
        if re.search(pattern, query):
            return Measure(table, row, col)
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
