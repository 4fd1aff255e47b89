"""Figures computed from the fact store: values, comparisons, sums, differences, year-over-year changes,
rates, rankings and lists of reports. Each answer is a short Chinese sentence per report (or numbered
lines), every number followed by its citation; blank cells are said to be blank, never taken as 0.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from assistant.cite import TABLE_ZH, Citation, ReportView, date_text, dedupe, group_label, value_text
from assistant.metrics import (METRICS, ComputedValue, Metric, difference, format_number, format_value, growth,
                               share, total, whole_of)
from assistant.routes_text import text_metric_quotes
from assistant.scope import RouteResult, Scope
from assistant.units import DEFAULT_POLICY
from assistant.measures import read_library_question

# What a question naming only a table asks for.
TABLE_DEFAULT_METRICS = {
    "table2": ("table2.normative_documents.issued", "table2.normative_documents.in_force",
               "table2.administrative_license.value", "table2.administrative_penalty.value",
               "table2.administrative_coercion.value", "table2.administrative_fees.value"),
    "table3": ("table3.new_received.total", "table3.carried_over.total", "table3.total_processed.total",
               "table3.granted.total", "table3.carried_forward.total"),
    "table4": ("table4.review.total", "table4.litigation_direct.total", "table4.litigation_after_review.total"),
}
_ASCENDING = re.compile(r"最少|最低|最小|从少到多|从低到高|由少到多|由低到高")
_TIMELY = re.compile(r"按时|及时|时限|逾期|超期|晚了|迟")


def timeliness(agency: str | None, year: int, published_iso: str) -> str:
    """Whether the 落款 date is within the deadline of 条例第四十九条 (the validator's policy)."""
    deadline, reason = DEFAULT_POLICY.deadline(agency, year)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", published_iso or "")
    if not m:
        return f"发布时限为{deadline.year}年{deadline.month}月{deadline.day}日（{reason}），落款日期不完整，无法判断是否按时"
    on_time = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) <= deadline
    return (f"发布时限为{deadline.year}年{deadline.month}月{deadline.day}日（{reason}），"
            + ("落款日期在时限之内，按时发布" if on_time else "落款日期晚于时限，属于逾期发布"))


@dataclass
class Figure:
    """One metric of one report, as computed and as written."""
    view: ReportView
    metric: Metric
    cv: ComputedValue | None
    text: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[Citation] = field(default_factory=list)

    @property
    def value(self):
        return None if self.cv is None else self.cv.value

    def fact(self) -> dict:
        cv = self.cv
        return {"report": self.view.label, "agency": self.view.agency, "year": self.view.year,
                "file": self.view.file, "metric": self.metric.key, "label": self.metric.label,
                "value": None if cv is None else cv.value,
                "display": None if cv is None or cv.value is None else value_text(cv),
                "unit": self.metric.unit, "formula": None if cv is None else cv.formula_text,
                "missing": [] if cv is None else list(cv.missing),
                "citations": [c.label() for c in self.citations]}


def formula_body(cv: ComputedValue, label: str) -> str:
    """“予以公开 1362 ÷ 办理结果总计 3050 × 100%” out of “予以公开率 = … = 44.7%”."""
    text = cv.formula_text
    if text.startswith(label + " = "):
        text = text[len(label) + 3:]
    tail = f" = {format_value(cv.value, cv.unit) if cv.unit == '%' else format_number(cv.value)}"
    return text[:-len(tail)] if text.endswith(tail) else text


def figure(view: ReportView, metric: Metric, question: str) -> Figure:
    """The metric for one report, written with its citation (or the reason it has no value)."""
    if metric.table == "text":
        quotes = text_metric_quotes(view, metric.row, question)
        if not quotes:
            return Figure(view, metric, None, f"报告中没有写明{metric.label}的数字（正文和统计表中都没有找到）"
                          if metric.row == "quantity" else f"{metric.label}：报告正文中没有找到写明该数字的句子")
        q = quotes[0]
        return Figure(view, metric, None, f"{metric.label}，报告正文写道：“{q.text}”{q.label()}", quotes, quotes)
    if metric.table == "meta":
        cite = view.cite_signature()
        shown = date_text(view.record.published)
        if not shown:
            return Figure(view, metric, ComputedValue(None, "报告未写明落款日期", metric=metric),
                          f"{metric.label}：报告没有写落款日期{cite.label()}", [cite])
        cv = ComputedValue(view.record.published, f"{metric.label}：{shown}",
                           (("meta", "published", "value", None),), "", metric=metric)
        text = f"{metric.label}为{shown}{cite.label()}"
        if _TIMELY.search(question) and view.year:
            text += "，" + timeliness(view.agency, view.year, view.record.published)
        return Figure(view, metric, cv, text, [cite])
    if metric.table == "fees" and not view.has_table("fees"):
        # no 信息处理费 table read: the sentence of section 六 that states it
        from assistant.routes_text import quantity_quotes
        words = ("收费通知",) if metric.column == "notices" else ("信息处理费", "处理费")
        quotes = quantity_quotes(view, words, question)
        if not quotes:
            return Figure(view, metric, None, f"报告中没有写明{metric.label}（第六部分和表格中都没有找到）")
        q = quotes[0]
        return Figure(view, metric, None, f"{metric.label}，报告正文写道：“{q.text}”{q.label()}", quotes, quotes)
    cv = view.compute(metric)
    cites = view.cite_inputs(cv)
    warning = flagged_inputs(view, cv)
    if cv.value is None:
        present = [i for i in cv.inputs if (i[0], i[1], i[2]) in view.facts]
        blank = [i for i in cv.inputs if (i[0], i[1], i[2]) in view.facts and view.value(i[0], i[1], i[2]) is None]
        unread = next((m for t, r, _, _ in (blank or cv.inputs) if (m := view.reading_failure(t, r))), None)
        if unread:
            quotes = _text_fallback(view, question)          # the text may state the figure we could not read
            if quotes:
                q = quotes[0]
                return Figure(view, metric, None, f"{metric.label}：程序{unread.rstrip('。')}；报告正文写道：“{q.text}”"
                              f"{q.label()}", quotes, quotes)
            return Figure(view, metric, cv, f"{metric.label}：程序{unread}", view.cite_inputs(cv) if present else [])
        if not present:
            table = metric.table if metric.table != "derived" else "table3"
            stored = view.stored
            if view.has_table(table):
                why = "该报告的表格中没有这一项"
            elif stored is not None and table in stored.missing_tables():
                why = f"报告中没有{TABLE_ZH.get(table, '相应表格')}"
            else:        # we could not read it: our failure, not the report's; the text may state the figure
                why = f"未能读取该报告的{TABLE_ZH.get(table, table)}，请核对原件"
                quotes = _text_fallback(view, question)
                if quotes:
                    q = quotes[0]
                    return Figure(view, metric, None, f"{metric.label}：{why}；报告正文写道：“{q.text}”{q.label()}",
                                  quotes, quotes)
            return Figure(view, metric, cv, f"{metric.label}：{why}", [])
        reason = cv.note or "表中为空"
        if cv.missing:
            reason += "（空白不按0计）"
        return Figure(view, metric, cv, f"{metric.label}：{reason}{group_label(cites)}{warning}", cites)
    shown = value_text(cv)
    if metric.table == "derived" or len(cv.inputs) > 1:
        text = f"{metric.label}{shown}（{formula_body(cv, metric.label)}）{group_label(cites)}"
    else:
        text = f"{metric.label}{shown}{group_label(cites)}"
    return Figure(view, metric, cv, text + warning, cites)


def _text_fallback(view: ReportView, question: str) -> list[Citation]:
    """When a table could not be read: the sentence of the text that states the figure the question names
    (its table words and the asked unit in one clause), quoted as the text's, never as the table's."""
    from assistant.metrics import find_mentions
    from assistant.routes_text import asked_unit, quantity_quotes
    words = [m.word for m in find_mentions(question) if m.kind not in ("none", "t3col") and len(m.word) >= 2]
    unit = asked_unit(question)
    if not words or not unit:
        return []
    quotes = quantity_quotes(view, words, question)
    return [q for q in quotes if re.search(r"\d[\d,.]*\s*" + re.escape(unit), q.text)
            and any(w in q.text for w in words)]


def flagged_inputs(view, cv: ComputedValue) -> str:
    """A note when a cell the figure rests on is part of an error the validator found (e.g. a 总计 of 0 beside
    parts adding up to 11): the user should not take the figure without it."""
    cells = {(t, r, c) for t, r, c, _ in cv.inputs}
    for f in view.findings():
        # table arithmetic only: a text-vs-table finding quotes the report's prose, whose figures must not
        # enter the answer (nor the pool the number guard accepts)
        if f.get("severity") != "error" or any(e.get("kind") != "cell" for e in f.get("evidence", [])):
            continue
        if any((e.get("table"), e.get("row"), e.get("column")) in cells for e in f.get("evidence", [])):
            return f"（注意：该数字涉及校验发现的错误【{f['rule']}】{f['message'].rstrip('。')}）"
    return ""


def _metrics_of(query) -> list[Metric]:
    if query.metrics:
        return list(query.metrics)
    if query.column and not query.tables:          # “自然人申请各多少件”: 本年新收 of that column
        return [METRICS[f"table3.new_received.{query.column}"]]
    keys = [k for t in query.tables for k in TABLE_DEFAULT_METRICS.get(t, ())]
    return [METRICS[k] for k in keys]


def _result(route: str, lines: list[str], figures: list[Figure], extra: list[ComputedValue], scope: Scope,
            extra_facts: list[dict] | None = None) -> RouteResult:
    text = "\n".join(scope.notes + [ln for ln in lines if ln])
    cites = dedupe(c for f in figures for c in f.citations)
    passages = dedupe(p for f in figures for p in f.passages)
    facts = [f.fact() for f in figures] + (extra_facts or [])
    allowed: list = [text] + [f.cv for f in figures if f.cv is not None] + list(extra)
    required = [f.cv.value for f in figures if f.cv is not None and isinstance(f.cv.value, (int, float))]
    required += [cv.value for cv in extra if isinstance(cv.value, (int, float))]
    return RouteResult(route, text, cites, facts, passages, allowed, passages_are_sources=bool(passages),
                       required=list(dict.fromkeys(required)))


def report_lines(figures: list[Figure]) -> list[str]:
    """One sentence per report: “X2022年报：A 12件〔…〕；B 11件〔…〕。”."""
    by_view: dict[str, list[Figure]] = {}
    order: list[ReportView] = []
    for f in figures:
        if f.view.record.id not in by_view:
            order.append(f.view)
        by_view.setdefault(f.view.record.id, []).append(f)
    return [f"{v.label}：" + "；".join(f.text for f in by_view[v.record.id]) + "。" for v in order]


def _derived_fact(kind: str, label: str, cv: ComputedValue) -> dict:
    return {"metric": kind, "label": label, "value": cv.value,
            "display": None if cv.value is None else value_text(cv), "formula": cv.formula_text}


def _change_word(v) -> tuple[str, str]:
    return ("增加", "增长") if v > 0 else (("减少", "下降") if v < 0 else ("持平", "持平"))


def answer_facts(query, library, scope: Scope, question: str) -> RouteResult:
    """Dispatch on the question's operation; every branch computes from the fact store only."""
    op = query.operation
    if op in ("rank", "list") or (scope.whole_library and op in ("compare",) and query.metrics
                                   and read_library_question(question) is not None):
        return answer_rank_or_list(query, scope, question)
    metrics = _metrics_of(query)
    if not metrics:
        return RouteResult("facts", "\n".join(scope.notes) or "没有识别出要查询的数据项。", [], [], [], [])
    if not scope.views:
        return RouteResult("facts", "\n".join(scope.notes) or "资料库中没有相应的年报。", [], [], [], scope.notes[:])
    figures = [figure(v, m, question) for v in scope.views for m in metrics]
    lines = report_lines(figures)
    if scope.whole_library and not query.all_agencies and len(scope.views) > 1:
        lines.insert(0, f"问题没有指明单位，以下列出资料库中{len(scope.views)}份年报的数据：")
    extra: list[ComputedValue] = []
    extra_facts: list[dict] = []
    if op == "growth":
        route = "yoy"
        lines += _growth_lines(figures, metrics, extra, extra_facts)
    elif op in ("compare", "difference") and len(scope.views) >= 2:
        route = "compare"
        lines += _compare_lines(figures, metrics, extra, extra_facts)
    elif op == "sum" and len(scope.views) >= 2:
        route = "compare"
        for m in metrics:
            fs = [f for f in figures if f.metric == m and f.cv is not None]
            if fs:
                cv = total([f.cv for f in fs], m.label + "合计")
                extra.append(cv)
                extra_facts.append(_derived_fact("sum", cv.formula_text, cv))
                lines.append(f"{m.label}合计：{_expr(cv)}。" if cv.value is not None else f"{m.label}合计：{cv.note}。")
        if _RANKING.search(question):
            lines += _ranking_lines(figures, metrics, question)
    elif op == "ratio":
        route = "facts"
        lines += _share_lines(query, scope, metrics, question, figures, extra, extra_facts)
    else:
        route = "facts"
    return _result(route, lines, figures, extra, scope, extra_facts)


_RANKING = re.compile(r"最多|最少|最高|最低|最大|最小|排名|排序|排一下|从多到少|从少到多|哪家|哪个")


def _ranking_lines(figures: list[Figure], metrics: list[Metric], question: str) -> list[str]:
    """“哪家最多”: the reports of the answer in order of each figure."""
    lines = []
    ascending = bool(_ASCENDING.search(question))
    for m in metrics:
        fs = sorted((f for f in figures if f.metric == m and isinstance(f.value, (int, float))),
                    key=lambda f: f.value if ascending else -f.value)
        if len(fs) < 2:
            continue
        word = "最少" if ascending else "最多"
        ties = [f for f in fs if f.value == fs[0].value]
        lines.append(f"{m.label}{word}的是{'、'.join(f.view.label for f in ties)}（{value_text(fs[0].cv)}）；"
                     f"{'从少到多' if ascending else '从多到少'}依次为："
                     + "、".join(f"{f.view.label}{value_text(f.cv)}" for f in fs) + "。")
    return lines


def _share_lines(query, scope: Scope, metrics: list[Metric], question: str, figures: list[Figure], extra: list,
                 extra_facts: list) -> list[str]:
    """“占比多少”: each figure over the whole it belongs to (予以公开 ÷ 办理结果总计 …), computed per report."""
    lines = []
    named_wholes = {whole_of(m) for m in metrics}
    for m in metrics:
        whole = getattr(query, "per", None) or whole_of(m)
        if m in named_wholes:
            continue                      # “予以公开和办理结果总计…占比”: the whole itself is no part
        if whole is None:
            # “共收到多少件？其中予以公开多少件？占比多少？”: the share is the part's; the total is no part
            if m.table != "text" and m.unit != "%" and not any(whole_of(x) for x in metrics if x != m):
                lines.append(f"{m.label}不是表中某一总数的组成部分，无法计算占比。")
            continue
        for view in scope.views:
            part = next((f for f in figures if f.view is view and f.metric == m), None)
            if part is None or part.cv is None:
                continue
            wf = figure(view, whole, question)
            label = f"{m.label}占{whole.label}的比例"
            cv = share(part.cv, wf.cv, label)
            who = f"{view.label}" if len(scope.views) > 1 else ""
            if cv.value is None:
                lines.append(f"{who}{label}：{cv.note}。")
                continue
            extra.append(cv)
            extra_facts.append(_derived_fact("share", label, cv))
            part.citations = dedupe(part.citations + wf.citations)
            lines.append(f"{who}{label}为{cv.value:.1f}%（{m.label}{format_number(part.value)} ÷ {whole.label}"
                         f"{format_number(wf.value)} × 100%）{group_label(wf.citations)}。")
    return lines


def _expr(cv: ComputedValue) -> str:
    """“351 + 55 = 406件” out of a formula text “label = 351 + 55 = 406”."""
    body = cv.formula_text.split(" = ", 1)[1] if " = " in cv.formula_text else cv.formula_text
    return body + ("" if cv.unit in ("%", "") else cv.unit)


def _growth_lines(figures: list[Figure], metrics: list[Metric], extra: list, extra_facts: list) -> list[str]:
    lines = []
    agencies = list(dict.fromkeys(f.view.agency for f in figures))
    for agency in agencies:
        years = {f.view.year for f in figures if f.view.agency == agency}
        if len(years) < 2:
            lines.append(f"资料库中{agency}只有{'、'.join(f'{y}年' for y in sorted(years))}的年报，无法计算年度间的增减变化。")
            continue
        for m in metrics:
            series = sorted((f for f in figures if f.view.agency == agency and f.metric == m and f.cv is not None),
                            key=lambda f: f.view.year or 0)
            for old, new in zip(series, series[1:]):
                label = f"{agency}{m.label}{new.view.year}年比{old.view.year}年"
                if old.value is None or new.value is None:
                    gap = old if old.value is None else new
                    lines.append(f"{label}：{gap.view.year}年的{m.label}无法计算（见上），无法比较。")
                    continue
                diff = difference(new.cv, old.cv, label)
                extra.append(diff)
                extra_facts.append(_derived_fact("difference", label, diff))
                word, rate_word = _change_word(diff.value)
                who = f"{agency}{m.label}：" if len(agencies) > 1 or len(metrics) > 1 else ""
                if diff.value == 0:
                    lines.append(f"{who}{new.view.year}年与{old.view.year}年持平（均为{value_text(new.cv)}）。")
                    continue
                if m.unit == "%":
                    word = "提高" if diff.value > 0 else "降低"
                    line = (f"{who}{new.view.year}年比{old.view.year}年{word}{abs(diff.value):.1f}个百分点"
                            f"（{format_value(new.value, '%')} − {format_value(old.value, '%')}，按未取整的比率计算）")
                else:
                    line = (f"{who}{new.view.year}年比{old.view.year}年{word}{format_number(abs(diff.value))}{m.unit}"
                            f"（{format_number(new.value)} − {format_number(old.value)} = {format_number(diff.value)}）")
                if m.unit != "%":
                    rate = growth(new.cv, old.cv, label)
                    if rate.value is not None:
                        extra.append(rate)
                        extra_facts.append(_derived_fact("growth", label + "增长率", rate))
                        line += f"，{rate_word}{abs(rate.value):.1f}%（{_growth_body(rate)}）"
                    elif rate.note:
                        line += f"；{rate.note}"
                lines.append(line + "。")
    return lines


def _growth_body(cv: ComputedValue) -> str:
    body = cv.formula_text.split(" = ", 1)[1] if " = " in cv.formula_text else cv.formula_text
    return body.rsplit(" = ", 1)[0]


def _compare_lines(figures: list[Figure], metrics: list[Metric], extra: list, extra_facts: list) -> list[str]:
    lines = []
    for m in metrics:
        fs = [f for f in figures if f.metric == m and f.cv is not None and f.value is not None
              and isinstance(f.value, (int, float))]
        if len(fs) < 2:
            continue
        unit = "个百分点" if m.unit == "%" else m.unit
        if len(fs) == 2:
            a, b = sorted(fs, key=lambda f: -f.value)
            if a.value == b.value:
                lines.append(f"{m.label}：两者相同，均为{value_text(a.cv)}。")
                continue
            diff = difference(a.cv, b.cv, f"{m.label}差额")
            extra.append(diff)
            extra_facts.append(_derived_fact("difference", f"{a.view.label}与{b.view.label}{m.label}之差", diff))
            if m.unit == "%":
                lines.append(f"{m.label}：{a.view.label}比{b.view.label}高{diff.value:.1f}个百分点"
                             f"（{format_value(a.value, '%')} − {format_value(b.value, '%')}，按未取整的比率计算）。")
            else:
                lines.append(f"{m.label}：{a.view.label}比{b.view.label}多{format_number(diff.value)}{unit}"
                             f"（{format_number(a.value)} − {format_number(b.value)} = {format_number(diff.value)}）。")
        else:
            top = max(fs, key=lambda f: f.value)
            low = min(fs, key=lambda f: f.value)
            lines.append(f"{m.label}：最多的是{top.view.label}（{value_text(top.cv)}），"
                         f"最少的是{low.view.label}（{value_text(low.cv)}）。")
    return lines


# -- rankings and lists over the library -------------------------------------------------------------
def answer_rank_or_list(query, scope: Scope, question: str) -> RouteResult:
    lq = read_library_question(question)
    views = scope.views
    if lq is not None and lq.all_zero_table:
        tables = [t for t in query.tables if t in ("table2", "table3", "table4")] or [lq.all_zero_table]
        return _all_zero_tables(tables, views, scope)
    metrics = _metrics_of(query)
    if not metrics and lq is not None and lq.measure is not None:
        m = lq.measure
        key = f"{m.table}.{m.row}.{m.column}"
        metrics = [METRICS[key]] if key in METRICS else []
    if not metrics:
        return RouteResult("rank", "\n".join(scope.notes + ["没有识别出要排序或筛选的数据项。"]), [], [], [], [])
    m = metrics[0]
    figures = [figure(v, m, question) for v in views]
    if query.operation == "list":
        chosen = [f for f in figures if isinstance(f.value, (int, float)) and f.value > 0]
        head = f"{m.label}大于0的年报有{len(chosen)}份：" if chosen else f"没有{m.label}大于0的年报。"
        lines = [head] + [f"{i}. {f.view.label}：{f.text}" for i, f in enumerate(chosen, 1)]
        return _result("rank", lines, chosen, [], scope)
    ascending = bool(_ASCENDING.search(question))
    known = [f for f in figures if isinstance(f.value, (int, float))]
    unknown = [f for f in figures if not isinstance(f.value, (int, float))]
    known.sort(key=lambda f: (f.value if ascending else -f.value, f.view.label))
    order = "从少到多" if ascending else "从多到少"
    lines = [f"按{m.label}{order}排列（资料库中{len(figures)}份年报）："]
    lines += [f"{i}. {f.view.label}：{f.text}" for i, f in enumerate(known, 1)]
    if unknown:
        lines.append("无法排序（表中为空或没有该项）：" + "；".join(f"{f.view.label}（{f.text}）" for f in unknown))
    return _result("rank", lines, known + unknown, [], scope)


def _all_zero_tables(tables: list[str], views: list[ReportView], scope: Scope) -> RouteResult:
    """Reports whose table has values and all of them 0 (blank cells are not counted as values), per table."""
    from assistant.cite import TABLE_ZH
    lines, cites, facts = [], [], []
    for table in tables:
        chosen = []
        for v in views:
            values = list(v.table_values(table).values())
            if any(x is not None for x in values) and all(x in (0, None) for x in values):
                row = {"table3": "total_processed", "table4": "review"}.get(table, "normative_documents")
                col = "total" if table in ("table3", "table4") else "in_force"
                c = v.cite_cell(table, row, col)
                blanks = sum(x is None for x in values)
                chosen.append(f"{v.label}（{TABLE_ZH[table]}{len(values)}个单元格"
                              + (f"中{len(values) - blanks}个填0、{blanks}个空白" if blanks else "全部为0")
                              + f"）{c.label()}")
                cites.append(c)
                facts.append({"metric": f"{table}.all_zero", "report": v.label, "file": v.file, "agency": v.agency,
                              "year": v.year, "citations": [c.label()]})
        name = TABLE_ZH.get(table, table)
        if chosen:
            lines += [f"{name}全部为0的年报有{len(chosen)}份（资料库共{len(views)}份）："]
            lines += [f"{i}. {t}" for i, t in enumerate(chosen, 1)]
        else:
            lines.append(f"资料库中没有{name}全部为0的年报。")
    if len(tables) > 1:
        both = [f["report"] for f in facts if sum(g["report"] == f["report"] for g in facts) == len(tables)]
        both = list(dict.fromkeys(both))
        lines.append(f"{'、'.join(TABLE_ZH[t] for t in tables)}都全部为0的：" + ("、".join(both) if both else "没有") + "。")
    text = "\n".join(scope.notes + lines)
    return RouteResult("rank", text, dedupe(cites), facts, [], [text])
