"""The figures people ask about: a lexicon from Chinese wording to table cells, and derived figures computed in code.

Every field of ../shared/SCHEMA.md is a `Metric` (table, row, column, unit); derived figures (予以公开率,
不予公开合计, 复议纠错率, 行政诉讼总数 …) are formulas over those cells. `compute()` evaluates a metric through
a cell-lookup function and returns the value together with the formula and every input it used; a blank
input never becomes 0: the result is None and `missing` names the blank cells.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from assistant.formulas import OTHER_2019, OUTCOME, RATES, Term   # Term.column "COL" = the metric's 表三 column
from ingest.schema import (FEES_COLUMN_LABELS, FEES_COLUMNS, FEES_ROW, TABLE2_2019_ROWS, TABLE2_ROWS, TABLE3_COLUMN_LABELS, TABLE3_COLUMNS, TABLE3_DENIED,
                           TABLE3_NOT_PROCESSED, TABLE3_OTHER_SPLIT, TABLE3_ROWS, TABLE3_UNAVAILABLE,
                           TABLE4_COLUMN_LABELS, TABLE4_COLUMNS, TABLE4_GROUPS, column_label, row_label)

Number = int | float
CellLookup = Callable[[str, str, str], "Number | None"]

# A pseudo-column of 表三: 法人或其他组织 = the five organisation columns together.
LEGAL_ENTITIES = "legal_entities"
ORG_COLUMNS = ("commercial", "research", "social_welfare", "legal_service", "other_org")
COLUMN_LABELS = {**TABLE3_COLUMN_LABELS, LEGAL_ENTITIES: "法人或其他组织"}


@dataclass(frozen=True)
class Metric:
    """One figure a question can ask for. `table` is table2/table3/table4 (a cell), derived (a formula
    over cells), text (a figure only the report's text gives) or meta (report metadata)."""
    key: str
    label: str
    table: str
    row: str | None
    column: str | None
    unit: str
    fallback_columns: tuple[str, ...] = ()   # e.g. the 2019 format's 表二 column for the same figure
    section: str | None = None               # the section whose text talks about it

    @property
    def per_column(self) -> bool:
        """True when a 表三 column qualifier (自然人, 企业 …) applies to this metric."""
        return self.table == "table3" or (self.table == "derived" and self.row in _PER_COLUMN_DERIVED)


@dataclass(frozen=True)
class Derived:
    label: str
    unit: str
    numerator: tuple[tuple[Term, ...], ...]          # alternatives: the first with any value is used
    denominator: tuple[Term, ...] | None = None      # a ratio in percent when set
    explain: str = ""


@dataclass(frozen=True)
class ComputedValue:
    """A figure computed in code: the value (None if it cannot be computed), the formula as Chinese text
    with the numbers filled in, and every input cell as (table, row, column, value)."""
    value: Number | None
    formula_text: str
    inputs: tuple[tuple[str, str, str, Number | None], ...] = ()
    unit: str = ""
    missing: tuple[str, ...] = ()    # Chinese labels of the blank inputs
    note: str = ""                   # why there is no value (blank input, zero denominator …)
    metric: Metric | None = None

    @property
    def display(self) -> str:
        """The value as shown to users: 12 / 7730.28 / 44.7%."""
        return format_value(self.value, self.unit)


PRINTED_DECIMALS = 10    # a cell is shown with every decimal the report prints (12.345678); float noise cut past this


def format_number(v: Number | None) -> str:
    """A number as the report prints it: every printed decimal kept (a fee of 12.345678 is not 12.3457);
    only the binary noise of sums (0.1 + 0.2) is cut. Ratios are rounded where they are formatted, with their
    formula."""
    if v is None:
        return "（空）"
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return f"{v:.{PRINTED_DECIMALS}f}".rstrip("0").rstrip(".")
    return str(v)


def format_value(v: Number | None, unit: str = "") -> str:
    if v is None:
        return "无法计算"
    if unit == "%":
        return f"{v:.1f}%"
    return format_number(v)


# -- the registry ---------------------------------------------------------------------------------

def _t3(row: str, col: str = "COL") -> Term:
    return Term("table3", row, col)


_OTHER_ALTERNATIVES = (tuple(_t3(r) for r in OUTCOME["other"].rows), tuple(_t3(r) for r in OTHER_2019))


def _rate(key: str) -> Derived:
    r = RATES[key]
    return Derived(r.label, "%", (r.numerator,), r.denominator, r.formula)


DERIVED: dict[str, Derived] = {
    "grant_rate": _rate("grant_rate"),
    "disclosure_rate": _rate("disclosure_rate"),
    "denied_total": Derived("不予公开合计", "件", (tuple(_t3(r) for r in OUTCOME["denied"].rows),),
                            explain="（三）不予公开 8 项之和"),
    "unavailable_total": Derived("无法提供合计", "件", (tuple(_t3(r) for r in OUTCOME["unavailable"].rows),),
                                 explain="（四）无法提供 3 项之和"),
    "not_processed_total": Derived("不予处理合计", "件", (tuple(_t3(r) for r in OUTCOME["not_processed"].rows),),
                                   explain="（五）不予处理 5 项之和"),
    "other_processing_total": Derived("其他处理合计", "件", _OTHER_ALTERNATIVES,
                                      explain="（六）其他处理 3 项之和（2019 格式为单独一行）"),
    "not_held_share": _rate("not_held_share"),
    "completion_rate": _rate("completion_rate"),
    "to_handle": Derived("应办理申请数", "件", ((_t3("new_received"), _t3("carried_over")),),
                         explain="本年新收 + 上年结转"),
    "review_correction_rate": _rate("review_correction_rate"),
    "litigation_loss_rate": _rate("litigation_loss_rate"),
}
# 行政诉讼 = 直接起诉 + 复议后起诉, for each 表四 column.
for _col in TABLE4_COLUMNS:
    DERIVED[f"litigation_{_col}"] = Derived(
        f"行政诉讼{TABLE4_COLUMN_LABELS[_col]}", "件",
        ((Term("table4", "litigation_direct", _col), Term("table4", "litigation_after_review", _col)),),
        explain="未经复议直接起诉 + 复议后起诉")
_PER_COLUMN_DERIVED = {k for k, d in DERIVED.items()
                       if any(t.column == "COL" for alt in d.numerator for t in alt)}

TEXT_METRICS = {
    "proactive_total": ("主动公开信息条数", "条", "s1_overview"),
    "normative_cleanup": ("规范性文件清理情况", "件", "s1_overview"),
    "quantity": ("报告正文所述数字", "", None),      # any other figure only the text gives (热线诉求, 公文 …)
}

# Subjects whose counts no standard table holds: a question about them is answered from the text, never
# with a table field that merely shares a verb (受理, 印发 …).
_TEXT_SUBJECT = re.compile(r"12345|热线|诉求|来电|工单|公文|发文|访问量|浏览量|点击量|访问人次|访问次数|访问|留言|来信|信件"
                           r"|发布会|政策解读|解读|培训|会议|粉丝|阅读量|视频|图解|人次|批次|抽检|政务新媒体|新媒体|公众号"
                           r"|微博|微信|专栏|听证|座谈|意见征集|征求意见|征集意见|建议提案|人大建议|政协提案|政府公报|公报"
                           r"|制作、获取|获取政府信息")
# Verbs and generic nouns that name a table field only together with its object (收到…申请, 制发…规范性文件).
_GENERIC_WORDS = re.compile(r"收到|受理|办理|答复|办结|新收|本年制发|新制发|制发|印发|出台|发布|处理|申请量|申请数量|申请数"
                            r"|申请件数|数量|总数|一共|合计|共计|总共")
# The question asks what the text says (“正文称……多少件”), whatever table field it also names.
_FORCE_TEXT = re.compile(r"正文(中|里)?(称|说|写|提到|所述|表述)|正文中|文中(称|说|写)|文字部分|报告(中|里)?(称|说|写道|提到|表述)")
_QUESTION_TAIL = re.compile(r"(分别|各|一共|总共|共|累计)?(是|有|为|达)?(多少|几)[^，。？！,?!]*$")


def text_subjects(text: str) -> list[str]:
    """The text-only subjects a question names (热线, 诉求, 公文 …), in order."""
    return list(dict.fromkeys(m.group() for m in _TEXT_SUBJECT.finditer(text or "")))


def asks_text(text: str) -> bool:
    """“正文称……”: the question wants the figure as the text states it."""
    return bool(_FORCE_TEXT.search(text or ""))


def without_generic_words(text: str) -> str:
    return _GENERIC_WORDS.sub("＃", text)


def quantity_metric(text: str) -> Metric:
    """The text-only figure a question asks for, labelled with the question's own words (“12345热线受理诉求”)."""
    parts = [p for p in re.split(r"[，,。？?！!；;]", text or "") if re.search(r"多少|几", p)] or [text or ""]
    phrase = _QUESTION_TAIL.sub("", parts[0])
    phrase = _FORCE_TEXT.sub("", phrase)
    phrase = re.sub(r"^.*?(年报|年度报告)(中|里)?[，,]?", "", phrase) if re.search(r"年报|年度报告", phrase) else phrase
    phrase = re.sub(r"[＃\s“”\"]|(?:19|20)\d{2}年度?|^(的|中|里|在|其中|全年|全区|全市)+", "", phrase).strip("，,的")
    label = phrase[:24] or TEXT_METRICS["quantity"][0]
    return Metric("text.quantity", label, "text", "quantity", None, "", (), None)
META_METRICS = {"published": ("落款日期", "")}

_2019_FALLBACK = {"administrative_license": ("decisions",), "administrative_penalty": ("decisions",),
                  "administrative_coercion": ("decisions",)}


def _build_registry() -> dict[str, Metric]:
    reg: dict[str, Metric] = {}
    for row, (label, cols) in TABLE2_ROWS.items():
        for col in cols:
            unit = "万元" if row == "administrative_fees" else "件"
            full = label if col == "value" else f"{label}{column_label('table2', row, col)}"
            reg[f"table2.{row}.{col}"] = Metric(f"table2.{row}.{col}", full, "table2", row, col, unit,
                                                _2019_FALLBACK.get(row, ()), "s2_proactive")
    reg["table2.other_services.decisions"] = Metric("table2.other_services.decisions", "其他对外管理服务事项处理决定数",
                                                    "table2", "other_services", "decisions", "件", (), "s2_proactive")
    reg["table2.government_procurement.proc_amount"] = Metric(
        "table2.government_procurement.proc_amount", "政府集中采购金额", "table2", "government_procurement",
        "proc_amount", "万元", (), "s2_proactive")
    # 2019 format 表二: 本年新制作/新公开/对外公开总数 of 规章 and 规范性文件, 政府集中采购项目数量
    for row in ("regulations", "normative_documents"):
        label = TABLE2_2019_ROWS[row][0]
        for col, clabel in (("new_made", "本年新制作数量"), ("new_published", "本年新公开数量"),
                            ("total_published", "对外公开总数量")):
            reg[f"table2.{row}.{col}"] = Metric(f"table2.{row}.{col}", f"{label}{clabel}", "table2", row, col, "件",
                                                (), "s2_proactive")
    reg["table2.government_procurement.proc_items"] = Metric(
        "table2.government_procurement.proc_items", "政府集中采购项目数量", "table2", "government_procurement",
        "proc_items", "个", (), "s2_proactive")
    # 信息处理费 (section 六's fee table)
    for col in FEES_COLUMNS:
        reg[f"fees.{FEES_ROW}.{col}"] = Metric(f"fees.{FEES_ROW}.{col}", f"信息处理费{FEES_COLUMN_LABELS[col]}", "fees",
                                               FEES_ROW, col, "件" if col == "notices" else "元", (), "s6_other")
    for row in list(TABLE3_ROWS):
        for col in (*TABLE3_COLUMNS, LEGAL_ENTITIES):
            label = _strip_ordinal(TABLE3_ROWS[row]) + ("" if col == "total" else f"（{COLUMN_LABELS[col]}）")
            reg[f"table3.{row}.{col}"] = Metric(f"table3.{row}.{col}", label, "table3", row, col, "件",
                                                (), "s3_requests")
    for group, glabel in TABLE4_GROUPS.items():
        for col in TABLE4_COLUMNS:
            reg[f"table4.{group}.{col}"] = Metric(f"table4.{group}.{col}", f"{glabel}{TABLE4_COLUMN_LABELS[col]}",
                                                  "table4", group, col, "件", (), "s4_review_litigation")
    for name, d in DERIVED.items():
        cols = (*TABLE3_COLUMNS, LEGAL_ENTITIES) if name in _PER_COLUMN_DERIVED else ("total",)
        for col in cols:
            label = d.label + ("" if col == "total" else f"（{COLUMN_LABELS[col]}）")
            section = "s4_review_litigation" if name.startswith(("review", "litigation")) else "s3_requests"
            reg[f"derived.{name}.{col}"] = Metric(f"derived.{name}.{col}", label, "derived", name, col, d.unit,
                                                  (), section)
    for name, (label, unit, section) in TEXT_METRICS.items():
        reg[f"text.{name}"] = Metric(f"text.{name}", label, "text", name, None, unit, (), section)
    for name, (label, unit) in META_METRICS.items():
        reg[f"meta.{name}"] = Metric(f"meta.{name}", label, "meta", name, None, unit)
    return reg


def _strip_ordinal(label: str) -> str:
    """“（三）1.属于国家秘密” → “属于国家秘密”; “一、本年新收…” → “本年新收…”; “（七）总计” → “办理结果总计”."""
    if label.endswith("（七）总计"):
        return "办理结果总计"
    return re.sub(r"^(（[一二三四五六七]）)?([一二三四]、)?(\d\.)?", "", label)


METRICS: dict[str, Metric] = _build_registry()


def get_metric(key: str) -> Metric:
    return METRICS[key]


def with_column(metric: Metric, column: str) -> Metric:
    """The same metric for another 表三 column (自然人 …); metrics without columns come back unchanged."""
    if not metric.per_column or column == metric.column:
        return metric
    return METRICS[f"{metric.table}.{metric.row}.{column}"]


# -- computing ------------------------------------------------------------------------------------

def _term_label(t: Term, column: str) -> str:
    if t.table == "table3":
        label = _strip_ordinal(TABLE3_ROWS.get(t.row, t.row))
        return label if column == "total" else f"{label}（{COLUMN_LABELS.get(column, column)}）"
    if t.table == "table4":
        return f"{row_label('table4', t.row)}{TABLE4_COLUMN_LABELS.get(t.column, t.column)}"
    return f"{row_label(t.table, t.row)}{column_label(t.table, t.row, t.column)}"


def _columns_of(col: str) -> tuple[str, ...]:
    return ORG_COLUMNS if col == LEGAL_ENTITIES else (col,)


def _lookup(cells: CellLookup, table: str, row: str, cols: Sequence[str]):
    """Sum of the cells of `cols` (one column normally; five for 法人或其他组织): (value|None, inputs, missing)."""
    inputs, total, missing = [], 0, []
    for c in cols:
        v = cells(table, row, c)
        inputs.append((table, row, c, v))
        if v is None:
            missing.append(c)
        else:
            total += v
    return (None if missing else total), inputs, missing


def _eval_terms(terms: Sequence[Term], column: str, cells: CellLookup):
    """Evaluate a signed sum of terms. Returns (value|None, text, inputs, missing_labels)."""
    value, parts, inputs, missing = 0, [], [], []
    for t in terms:
        col = column if t.column == "COL" else t.column
        v, ins, miss = _lookup(cells, t.table, t.row, _columns_of(col))
        inputs.extend(ins)
        label = _term_label(t, col)
        if miss:
            missing.append(label)
        else:
            value += t.sign * v
        sign = "−" if t.sign < 0 else "+"
        parts.append(f"{sign} {label} {format_number(v)}" if parts else f"{label} {format_number(v)}")
    return (None if missing else value), " ".join(parts), inputs, missing


def _any_value(terms: Sequence[Term], column: str, cells: CellLookup) -> bool:
    for t in terms:
        col = column if t.column == "COL" else t.column
        if any(cells(t.table, t.row, c) is not None for c in _columns_of(col)):
            return True
    return False


def compute(metric: Metric, cells: CellLookup) -> ComputedValue:
    """Evaluate `metric` through `cells(table, row, column) -> value | None`."""
    if metric.table in ("table2", "table3", "table4", "fees"):
        cols = _columns_of(metric.column or "value")
        v, inputs, miss = _lookup(cells, metric.table, metric.row, cols)
        if v is None and len(cols) == 1:
            for fb in metric.fallback_columns:
                fv = cells(metric.table, metric.row, fb)
                if fv is not None:
                    return ComputedValue(fv, f"{metric.label} = {format_number(fv)}",
                                         ((metric.table, metric.row, fb, fv),), metric.unit, metric=metric)
        if v is None:
            return ComputedValue(None, f"{metric.label}：表中为空", tuple(inputs), metric.unit,
                                 (metric.label,), f"“{metric.label}”在表中为空，无法给出数值", metric)
        if len(cols) > 1:
            text = f"{metric.label} = " + " + ".join(f"{COLUMN_LABELS[c]} {format_number(x)}"
                                                      for _, _, c, x in inputs) + f" = {format_number(v)}"
        else:
            text = f"{metric.label} = {format_number(v)}"
        return ComputedValue(v, text, tuple(inputs), metric.unit, metric=metric)
    if metric.table == "derived":
        return _compute_derived(metric, cells)
    if metric.table == "meta":
        v = cells("meta", metric.row, "value")
        return ComputedValue(v, f"{metric.label}：{v if v is not None else '未写明'}",
                             (("meta", metric.row, "value", v),), metric.unit,
                             () if v is not None else (metric.label,),
                             "" if v is not None else f"报告未写明{metric.label}", metric)
    return ComputedValue(None, f"{metric.label}：只见于报告正文，需引用原文", (), metric.unit,
                         note=f"“{metric.label}”不在统计表中，需查看报告正文", metric=metric)


def _compute_derived(metric: Metric, cells: CellLookup) -> ComputedValue:
    d = DERIVED[metric.row]
    column = metric.column or "total"
    numerator = d.numerator[0]
    for alt in d.numerator:
        if _any_value(alt, column, cells):
            numerator = alt
            break
    nv, ntext, inputs, missing = _eval_terms(numerator, column, cells)
    if d.denominator is None:
        if nv is None:
            return ComputedValue(None, f"{metric.label} = {ntext}", tuple(inputs), metric.unit, tuple(missing),
                                 "以下数据在表中为空，无法计算：" + "、".join(missing), metric)
        return ComputedValue(nv, f"{metric.label} = {ntext} = {format_number(nv)}", tuple(inputs),
                             metric.unit, metric=metric)
    dv, dtext, dinputs, dmissing = _eval_terms(d.denominator, column, cells)
    inputs += dinputs
    missing += dmissing
    num = f"（{ntext}）" if len(numerator) > 1 else ntext
    den = f"（{dtext}）" if len(d.denominator) > 1 else dtext
    text = f"{metric.label} = {num} ÷ {den} × 100%"
    if missing:
        return ComputedValue(None, text, tuple(inputs), "%", tuple(missing),
                             "以下数据在表中为空，无法计算：" + "、".join(missing), metric)
    if dv == 0:
        return ComputedValue(None, text, tuple(inputs), "%", (), f"分母（{dtext}）为0，比率无意义", metric)
    value = nv / dv * 100
    return ComputedValue(value, f"{text} = {value:.1f}%", tuple(inputs), "%", metric=metric)


def difference(a: ComputedValue, b: ComputedValue, label: str) -> ComputedValue:
    """a − b, e.g. 淮安市 行政复议 351 − 上海市政府办公厅 55 = 296."""
    inputs = a.inputs + b.inputs
    unit = "个百分点" if a.unit == "%" else a.unit
    if a.value is None or b.value is None:
        return ComputedValue(None, f"{label}：缺少数据", inputs, unit, a.missing + b.missing,
                             "有一项数据为空，无法相减")
    v = a.value - b.value
    v = round(v, 6) if isinstance(v, float) else v
    return ComputedValue(v, f"{label} = {format_value(a.value, a.unit)} − {format_value(b.value, b.unit)} = "
                            f"{format_value(v, '%' if a.unit == '%' else '')}", inputs, unit)


def growth(new: ComputedValue, old: ComputedValue, label: str) -> ComputedValue:
    """(new − old) ÷ old × 100%, e.g. (95 − 21) ÷ 21 = 352.4%."""
    inputs = new.inputs + old.inputs
    if new.value is None or old.value is None:
        return ComputedValue(None, f"{label}：缺少数据", inputs, "%", new.missing + old.missing,
                             "有一项数据为空，无法计算增长率")
    if old.value == 0:
        return ComputedValue(None, f"{label}：上期为0", inputs, "%", (), "上期为0，增长率无意义")
    v = (new.value - old.value) / old.value * 100
    return ComputedValue(v, f"{label} = （{format_number(new.value)} − {format_number(old.value)}）÷ "
                            f"{format_number(old.value)} × 100% = {v:.1f}%", inputs, "%")


def share(part: ComputedValue, whole: ComputedValue, label: str) -> ComputedValue:
    """part ÷ whole × 100%, e.g. 予以公开 1362 ÷ 办理结果总计 3050 = 44.7%."""
    inputs = part.inputs + whole.inputs
    if part.value is None or whole.value is None:
        return ComputedValue(None, f"{label}：缺少数据", inputs, "%", part.missing + whole.missing,
                             "有一项数据为空，无法计算占比")
    if whole.value == 0:
        return ComputedValue(None, f"{label}：分母为0", inputs, "%", (), "分母为0，占比无意义")
    v = part.value / whole.value * 100
    return ComputedValue(v, f"{label} = {format_number(part.value)} ÷ {format_number(whole.value)} × 100% = {v:.1f}%",
                         inputs, "%")


_RESULT_ROWS = ("granted", "partially_granted", *TABLE3_DENIED, *TABLE3_UNAVAILABLE, *TABLE3_NOT_PROCESSED,
                *TABLE3_OTHER_SPLIT, "other_processing")


def whole_of(metric: Metric) -> Metric | None:
    """What “占比多少” divides by: a 办理结果 row by 办理结果总计, a 表三 column by its 总计 column, a 表四
    result by its group's 总计. None when the figure is not part of a whole the tables hold."""
    col = metric.column or "total"
    if metric.table == "table3":
        if metric.row in _RESULT_ROWS:
            return METRICS[f"table3.total_processed.{col}"]
        if col != "total":
            return METRICS[f"table3.{metric.row}.total"]
        return None
    if metric.table == "derived" and metric.row in ("denied_total", "unavailable_total", "not_processed_total",
                                                    "other_processing_total"):
        return METRICS[f"table3.total_processed.{col}"]
    if metric.table == "table4" and metric.column != "total":
        return METRICS[f"table4.{metric.row}.total"]
    if metric.table == "derived" and metric.row.startswith("litigation_") and metric.row != "litigation_total" \
            and metric.row[len("litigation_"):] in TABLE4_COLUMNS:
        return METRICS["derived.litigation_total.total"]
    return None


def breakdown_of(metric: Metric) -> list[Metric]:
    """A figure with its parts (“行政复议有几件？都是什么结果？” → 维持/纠正/其他/尚未审结 and 总计)."""
    col = metric.column or "total"
    if metric.table == "table4":
        return [METRICS[f"table4.{metric.row}.{c}"] for c in TABLE4_COLUMNS]
    if metric.table == "derived" and metric.row.startswith("litigation_") and metric.row[len("litigation_"):] in TABLE4_COLUMNS:
        return [METRICS[f"derived.litigation_{c}.total"] for c in TABLE4_COLUMNS]
    if metric.key.startswith("table3.total_processed."):
        parts = ["table3.granted", "table3.partially_granted", "derived.denied_total", "derived.unavailable_total",
                 "derived.not_processed_total", "derived.other_processing_total"]
        return [METRICS[f"{p}.{col}"] for p in parts] + [metric]
    if metric.table == "derived" and f"derived.{metric.row}" in _AGGREGATES:
        return [METRICS[f"table3.{r}.{col}"] for r in _AGGREGATES[f"derived.{metric.row}"]
                if r != "other_processing"] + [metric]
    return [metric]


def total(values: Sequence[ComputedValue], label: str) -> ComputedValue:
    """The sum of several figures; None (with the blanks named) if any is blank."""
    inputs = tuple(i for v in values for i in v.inputs)
    missing = tuple(m for v in values for m in v.missing)
    if any(v.value is None for v in values):
        return ComputedValue(None, f"{label}：缺少数据", inputs, values[0].unit if values else "", missing,
                             "有数据为空，无法求和")
    s = sum(v.value for v in values)
    return ComputedValue(s, f"{label} = " + " + ".join(format_number(v.value) for v in values)
                         + f" = {format_number(s)}", inputs, values[0].unit if values else "")


# -- the lexicon ----------------------------------------------------------------------------------
# (words, kind, target). kinds: metric (a registry key with column “total”/as given), t2row, t2col,
# t4group, t4col, t3col, text. Longer words win where words overlap.

_LEXICON: tuple[tuple[tuple[str, ...], str, str], ...] = (
    # 表三 rows
    (("本年新收政府信息公开申请数量", "新收政府信息公开申请", "本年新收", "新收申请", "新收", "收到", "受理",
      "依申请公开数量", "依申请公开的数量", "依申请公开申请量", "依申请公开的申请量", "依申请公开申请数"),
     "metric", "table3.new_received"),
    (("申请量", "申请数量", "申请数", "申请件数"), "weak", "table3.new_received"),
    (("上年结转", "上年度结转", "上一年结转", "去年结转", "上一年度结转"), "metric", "table3.carried_over"),
    (("予以公开", "同意公开", "全部公开"), "metric", "table3.granted"),
    (("部分公开", "区分处理"), "metric", "table3.partially_granted"),
    (("属于国家秘密", "国家秘密"), "metric", "table3.denied_state_secret"),
    (("其他法律行政法规禁止公开", "法律行政法规禁止公开", "法律法规禁止公开"), "metric", "table3.denied_prohibited_by_law"),
    (("三安全一稳定",), "metric", "table3.denied_three_securities_one_stability"),
    (("保护第三方合法权益", "第三方合法权益", "第三方权益"), "metric", "table3.denied_third_party_rights"),
    (("三类内部事务信息", "内部事务信息", "内部事务"), "metric", "table3.denied_internal_affairs"),
    (("四类过程性信息", "过程性信息"), "metric", "table3.denied_process_info"),
    (("行政执法案卷", "执法案卷"), "metric", "table3.denied_enforcement_files"),
    (("行政查询事项", "行政查询"), "metric", "table3.denied_admin_query"),
    (("本机关不掌握相关政府信息", "本机关不掌握", "不掌握相关政府信息", "不掌握"), "metric",
     "table3.unavailable_not_held"),
    (("没有现成信息需要另行制作", "没有现成信息", "需要另行制作", "另行制作"), "metric",
     "table3.unavailable_needs_creation"),
    (("补正后申请内容仍不明确", "申请内容仍不明确", "申请内容不明确", "内容不明确"), "metric", "table3.unavailable_unclear"),
    (("信访举报投诉类申请", "信访举报投诉", "信访举报", "信访类"), "metric", "table3.not_processed_complaint"),
    (("重复申请",), "metric", "table3.not_processed_repeated"),
    (("要求提供公开出版物", "公开出版物"), "metric", "table3.not_processed_publication"),
    (("无正当理由大量反复申请", "大量反复申请"), "metric", "table3.not_processed_excessive"),
    (("要求行政机关确认或重新出具已获取信息", "确认或重新出具", "重新出具"), "metric",
     "table3.not_processed_confirmation"),
    (("无正当理由逾期不补正", "逾期不补正", "不补正"), "metric", "table3.other_overdue_correction"),
    (("逾期未按收费通知要求缴纳费用", "逾期未缴纳费用", "未缴纳费用", "逾期未缴费", "未缴费"), "metric",
     "table3.other_overdue_fee"),
    (("办理结果总计", "（七）总计", "(七)总计", "七总计", "办结", "办理总数", "处理总数", "答复总数", "办理数量",
      "答复数量", "办理", "答复"), "metric", "table3.total_processed"),
    (("结转下年度继续办理", "结转下年度", "结转到下年", "结转至下年", "结转下一年", "结转下年", "继续办理",
      "未办结"), "metric", "table3.carried_forward"),
    # derived
    (("予以公开率", "予以公开的比例", "予以公开比例", "予以公开占比", "予以公开的比率"), "metric", "derived.grant_rate"),
    (("公开率", "公开比例"), "metric", "derived.disclosure_rate"),
    (("不予公开",), "metric", "derived.denied_total"),
    (("无法提供",), "metric", "derived.unavailable_total"),
    (("不予处理",), "metric", "derived.not_processed_total"),
    (("其他处理",), "metric", "derived.other_processing_total"),
    (("本机关不掌握的占比", "本机关不掌握占比", "不掌握的占比", "不掌握占比", "不掌握的比例", "不掌握比例"), "metric",
     "derived.not_held_share"),
    (("办结率",), "metric", "derived.completion_rate"),
    (("应办理", "申请总量", "新收和上年结转"), "metric", "derived.to_handle"),
    (("行政复议纠错率", "行政复议纠正率", "复议纠错率", "复议纠正率", "被纠错率", "纠错率"), "metric",
     "derived.review_correction_rate"),
    (("行政诉讼败诉率", "行政诉讼纠错率", "行政诉讼纠正率", "诉讼败诉率", "诉讼纠错率", "诉讼纠正率", "败诉率"),
     "metric", "derived.litigation_loss_rate"),
    # 表二
    (("行政规范性文件", "规范性文件"), "t2row", "normative_documents"),
    (("规章",), "t2row", "regulations"),
    (("本年制发件数", "本年制发", "制发", "新制发", "印发", "出台"), "t2col", "issued"),
    (("本年废止件数", "本年度止件数", "本年废止", "废止"), "t2col", "repealed"),
    (("现行有效件数", "现行有效", "有效件数"), "t2col", "in_force"),
    (("行政许可", "许可"), "metric", "table2.administrative_license"),
    (("行政处罚", "处罚"), "metric", "table2.administrative_penalty"),
    (("行政强制", "强制"), "metric", "table2.administrative_coercion"),
    (("行政事业性收费金额", "行政事业性收费", "事业性收费", "收费金额", "收费"), "metric", "table2.administrative_fees"),
    (("其他对外管理服务事项",), "metric", "table2.other_services"),
    (("政府集中采购",), "metric", "table2.government_procurement"),
    (("采购项目数量", "采购项目数", "集中采购项目数量", "政府集中采购项目数量", "政府集中采购项目"), "metric",
     "table2.government_procurement.proc_items"),
    (("采购总金额", "采购金额", "集中采购金额", "政府集中采购金额"), "metric", "table2.government_procurement.proc_amount"),
    (("本年新制作数量", "本年新制作", "新制作"), "t2col", "new_made"),
    (("本年新公开数量", "本年新公开", "新公开"), "t2col", "new_published"),
    (("对外公开总数量", "对外公开总数", "对外公开"), "t2col", "total_published"),
    (("信息处理费", "处理费"), "metric", f"fees.{FEES_ROW}.collected_amount"),
    (("通知收取件数", "收费通知件数", "发出收费通知", "收费通知"), "metric", f"fees.{FEES_ROW}.notices"),
    (("通知收取金额", "收费通知金额"), "metric", f"fees.{FEES_ROW}.notice_amount"),
    # 表四
    (("未经复议直接起诉", "未经复议直接提起诉讼", "未经复议", "直接起诉", "直接提起诉讼", "直接向法院起诉",
      "直接向人民法院起诉", "直接向法院提起诉讼", "直接向人民法院提起诉讼", "直接诉讼"), "t4group", "litigation_direct"),
    (("复议后起诉", "经复议后起诉", "复议后提起诉讼"), "t4group", "litigation_after_review"),
    (("行政复议", "复议"), "t4group", "review"),
    (("行政诉讼", "诉讼"), "t4group", "litigation"),
    (("结果维持", "维持"), "t4col", "upheld"),
    (("结果纠正", "被纠正", "纠正", "纠错"), "t4col", "corrected"),
    (("其他结果",), "t4col", "other"),
    (("尚未审结", "未审结", "未结案"), "t4col", "pending"),
    (("总计", "总数", "一共", "合计", "共计", "总共"), "t4col", "total"),
    # 表三 columns
    (("自然人", "个人申请", "公民"), "t3col", "natural_person"),
    (("商业企业", "企业", "公司"), "t3col", "commercial"),
    (("科研机构",), "t3col", "research"),
    (("社会公益组织", "公益组织"), "t3col", "social_welfare"),
    (("法律服务机构", "律师事务所", "律所", "律师"), "t3col", "legal_service"),
    (("其他组织",), "t3col", "other_org"),
    (("法人或其他组织", "法人和其他组织", "法人"), "t3col", LEGAL_ENTITIES),
    # figures only the text gives, and metadata
    (("主动公开",), "text", "text.proactive_total"),
    (("文件清理",), "text", "text.normative_cleanup"),
    (("落款日期", "落款时间", "落款", "发布日期", "发布时间", "成文日期", "印发日期"), "metric", "meta.published"),
    # words that contain lexicon words but mean something else: matched so that they hide them
    (("主动公开政府信息情况", "收到和处理政府信息公开申请情况", "依申请公开情况",
      "行政复议、行政诉讼情况", "复议诉讼情况", "申请人情况", "申请人"), "none", ""),
)

# “行政诉讼共多少件？其中直接起诉多少件？”: the whole and a part, both asked
_WHOLE_AND_PART = re.compile(r"其中|分别|共|总|合计|全部|和|及|与|、")

# “清理…规范性文件” (a text figure) must not be read as 表二's 规范性文件 row.
_CLEANUP = re.compile(r"清理[^，。？！,.?!]{0,10}?规范性文件|规范性文件[^，。？！,.?!]{0,4}?清理")

_WORDS: list[tuple[str, str, str]] = sorted(((w, kind, target) for words, kind, target in _LEXICON for w in words),
                                            key=lambda x: -len(x[0]))


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    word: str
    kind: str
    target: str


_WORD_KINDS: dict[str, tuple[str, str]] = {}
for _w, _kind, _target in _WORDS:
    _WORD_KINDS.setdefault(_w, (_kind, _target))
# One alternation, longest words first: at each position the regex tries them in that order, which is the
# longest word winning; matches do not overlap, scanning left to right.
_WORD_RE = re.compile("|".join(re.escape(w) for w in _WORD_KINDS))


def find_mentions(text: str) -> list[Mention]:
    """Lexicon words in `text`, left to right, the longest word winning at each position."""
    found: list[Mention] = []
    start = 0
    for m in [*_CLEANUP.finditer(text), None]:      # lexicon words between the 清理…规范性文件 phrases
        end = m.start() if m is not None else len(text)
        for w in _WORD_RE.finditer(text, start, end):
            found.append(Mention(w.start(), w.end(), w.group(), *_WORD_KINDS[w.group()]))
        if m is not None:
            found.append(Mention(m.start(), m.end(), m.group(), "text", "text.normative_cleanup"))
            start = m.end()
    return sorted(found, key=lambda m: m.start)


def column_in_text(text: str) -> list[str]:
    """表三 column qualifiers named in the text (自然人 → natural_person …), in order."""
    return list(dict.fromkeys(m.target for m in find_mentions(text) if m.kind == "t3col"))


_AGGREGATES = {"derived.denied_total": OUTCOME["denied"].rows, "derived.unavailable_total": OUTCOME["unavailable"].rows,
               "derived.not_processed_total": OUTCOME["not_processed"].rows,
               "derived.other_processing_total": (*OUTCOME["other"].rows, *OTHER_2019)}


def metrics_in_text(text: str, default_t2_row: str | None = None) -> list[Metric]:
    """The metrics a question asks for, in the order it names them (column qualifiers applied)."""
    mentions = [m for m in find_mentions(text) if m.kind != "none"]
    columns = [m.target for m in mentions if m.kind == "t3col"] or ["total"]
    t3_ends = [m.end for m in mentions if m.kind == "metric" and m.target.startswith("table3.")]
    # A weak word (申请数量) right after another 表三 row (上年结转政府信息公开申请数量) belongs to that row.
    mentions = [m for m in mentions if m.kind != "weak" or not any(0 <= m.start - e <= 12 for e in t3_ends)]
    # 收到/受理 followed by 复议/诉讼 (收到行政复议申请) is about 表四, not 表三.
    mentions = [m for m in mentions if not (m.word in ("收到", "受理") and re.match(r".{0,6}?(复议|诉讼)", text[m.end:]))]
    ordered: list[tuple[int, Metric]] = []

    def add(pos: int, key: str) -> None:
        metric = METRICS[key]
        for col in (columns if metric.per_column else ["total"]):
            ordered.append((pos, with_column(metric, col)))

    def attach(rows_kind: str, cols_kind: str) -> list[tuple[Mention, list[str]]]:
        rows = [m for m in mentions if m.kind == rows_kind]
        cols = [m for m in mentions if m.kind == cols_kind]
        groups: list[tuple[Mention, list[str]]] = [(r, []) for r in rows]
        for c in cols:
            before = [g for g in groups if g[0].start < c.start]
            target = before[-1] if before else (groups[0] if groups else None)
            if target is not None:
                target[1].append(c.target)
        return groups

    for m in mentions:
        if m.kind in ("metric", "weak", "text"):
            key = m.target
            if key.count(".") == 2:
                pass                                   # a full key (采购项目数量, 信息处理费 …)
            elif key.startswith("table3."):
                key += ".total"
            elif key.startswith("derived."):
                key += ".total"
            elif key in ("table2.other_services", ):
                key += ".decisions"
            elif key == "table2.government_procurement":
                key += ".proc_amount"
            elif key.startswith("table2."):
                key += ".value"
            add(m.start, key)
    for row, cols in attach("t2row", "t2col"):
        for col in dict.fromkeys(cols or TABLE2_ROWS[row.target][1]):
            add(row.start, f"table2.{row.target}.{col}")
    if not any(m.kind == "t2row" for m in mentions) and any(m.kind == "t2col" for m in mentions):
        row = default_t2_row or "normative_documents"
        for c in dict.fromkeys(m.target for m in mentions if m.kind == "t2col"):
            add(min(m.start for m in mentions if m.kind == "t2col"), f"table2.{row}.{c}")
    t4_groups = attach("t4group", "t4col")
    specific = [g for g, _ in t4_groups if g.target in ("litigation_direct", "litigation_after_review")]
    if specific and not _WHOLE_AND_PART.search(text):
        # “未经复议直接起诉的行政诉讼”: 行政诉讼 names the kind of the group asked, not the whole of both groups;
        # its columns (尚未审结 …) go to the group asked
        for g, cols in t4_groups:
            if g.target == "litigation":
                next(c for gg, c in t4_groups if gg is specific[0]).extend(cols)
        t4_groups = [(g, c) for g, c in t4_groups if g.target != "litigation"]
    for group, cols in t4_groups:
        for col in dict.fromkeys(cols or ["total"]):
            if group.target == "litigation":
                add(group.start, f"derived.litigation_{col}.total")
            else:
                add(group.start, f"table4.{group.target}.{col}")
    keys_named = {m.key for _, m in ordered}
    if "table2.government_procurement.proc_items" in keys_named and re.search(r"(和|及|与|、)(采购)?(总)?金额", text):
        add(len(text), "table2.government_procurement.proc_amount")      # “采购项目数量和金额”
    ordered.sort(key=lambda x: x[0])
    result = list(dict.fromkeys(m for _, m in ordered))
    # An aggregate (不予公开/无法提供 …) named next to one of its own rows means that row, unless “其中” follows.
    keys = {m.row for m in result if m.table == "table3"}
    for agg, members in _AGGREGATES.items():
        name = agg.split(".")[1]
        if keys & set(members) and "其中" not in text:
            result = [m for m in result if not (m.table == "derived" and m.row == name)]
    return result
