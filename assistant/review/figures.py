"""The figures a leader looks at in 体检, each with the evidence it opens onto: cards (reports collected, on
time, complete; the group's rates), the ranking (assistant.review.scoring), each unit's rates with the
formula shown (assistant.formulas.LEADER_RATES: a unit below the rate's least volume is shown but not
compared), and a unit × problem-type heat map of the review's findings.

Pure functions over a RegionReview and a GroupScore: counts, cells and ratios of cells, never a model's words.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from assistant.formulas import LEADER_RATES, RATES, LeaderRate
from assistant.review.region import RegionReview, UnitReview, evidence_text
from assistant.review.titles import rule_title
from assistant.validator.findings import ERROR, WARNING, cell_evidence
from ingest.report import Report

HEAT_MAP_COLUMNS = 15            # problem types shown (the most widespread); the rest are in the 问题清单
COMPLETE_RULES = ("B1", "B4")    # an error of these: a part or a table the report lacks


@dataclass(frozen=True)
class UnitRate:
    key: str
    name: str
    numerator: float | int | None
    denominator: float | int | None
    value: float | None
    compared: bool                 # volume at least the rate's min_volume
    evidence: tuple[dict, ...]     # the cells of numerator and denominator

    def text(self) -> str:
        if self.value is None:
            return "无法计算"
        return f"{self.value:.1%}"

    def to_json(self) -> dict:
        return {"key": self.key, "name": self.name, "numerator": self.numerator, "denominator": self.denominator,
                "value": self.value, "compared": self.compared, "evidence": list(self.evidence)}


def _cells(report: Report, terms) -> list[dict]:
    out = []
    for t in terms:
        col = "total" if t.column == "COL" else t.column
        out.append(cell_evidence(report, t.table, t.row, col).to_json())
    return out


def unit_rates(report: Report) -> dict[str, UnitRate]:
    """The leader rates of one report, computed by the one formula of each (assistant.formulas.RATES)."""
    def value(table, row, col):
        t = report.table(table)
        return None if t is None else t.value(row, col)
    out = {}
    for lr in LEADER_RATES:
        rate = RATES[lr.key]
        n, d, v = rate.compute(value)
        volume_ok = d is not None and d >= lr.min_volume
        out[lr.key] = UnitRate(lr.key, lr.name, n, d, v, volume_ok and v is not None,
                               tuple(_cells(report, rate.numerator) + _cells(report, rate.denominator)))
    return out


# -- cards -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Card:
    key: str
    name: str
    value: str                                   # as shown: “3/5”, “86.2%”
    formula: str                                 # how it is computed
    evidence: tuple[str, ...]                    # lines: the units behind the figure


def _complete(u: UnitReview) -> bool | None:
    """No part or table missing (True), one missing (False), or a table we could not read (None)."""
    if any(f.get("rule") in COMPLETE_RULES and f.get("severity") == ERROR for f in u.findings):
        return False
    if any(w.get("code") == "table_unread" for w in u.reading):
        return None
    return True


def cards(review: RegionReview, score=None) -> list[Card]:
    n = len(review.units)
    out = [Card("collected", "收到报告", f"{n}份", f"{review.group}{review.year}年度入库的单位报告数",
                tuple(f"{u.agency}（{u.file}，报告编号 {u.report_id}）" for u in review.units))]
    lines = []
    for u in review.units:
        dl = u.deadline.isoformat() if u.deadline else "—"
        lines.append(f"{u.agency}：{u.on_time_text}（落款 {u.published or '未读到'}，期限 {dl}）")
    out.append(Card("on_time", "按时发布", f"{len(review.on_time)}/{n}",
                    f"落款日期不晚于发布期限（条例第四十九条）的单位数 ÷ 收到报告数；逾期{len(review.late)}个，"
                    f"未读到落款日期{len(review.undated)}个（不算逾期）", tuple(lines)))
    complete = [(u, _complete(u)) for u in review.units]
    lines = []
    for u, ok in complete:
        if ok is False:
            missing = [f.get("message", "") for f in u.findings if f.get("rule") in COMPLETE_RULES and f.get("severity") == ERROR]
            lines.append(f"{u.agency}：不齐全——" + "；".join(missing))
        elif ok is None:
            lines.append(f"{u.agency}：有表格未能读取，是否齐全请核对原件（读取问题，不算缺失）")
        else:
            lines.append(f"{u.agency}：六个部分和三张表齐全")
    out.append(Card("complete", "要素齐全", f"{sum(ok is True for _, ok in complete)}/{n}",
                    "六个部分、表二至表四都在的单位数 ÷ 收到报告数（未能读取的表不算缺失，单列）", tuple(lines)))
    if score is not None:
        for lr in LEADER_RATES:
            out.append(_group_rate(lr, score))
    return out


def _group_rate(lr: LeaderRate, score) -> Card:
    used = [(u, u.rates[lr.key]) for u in score.units if lr.key in u.rates and u.rates[lr.key].compared]
    num = sum(r.numerator for _, r in used)
    den = sum(r.denominator for _, r in used)
    value = f"{num / den:.1%}" if den else "无法计算"
    lines = [f"{u.agency}：{r.name} = {_n(r.numerator)} ÷ {_n(r.denominator)} = {r.text()}" for u, r in used]
    left = [u for u in score.units if lr.key in u.rates and not u.rates[lr.key].compared]
    if left:
        lines.append(f"{lr.volume}少于{lr.min_volume}件或无法计算、不参与比较的单位{len(left)}个：" +
                     "、".join(f"{u.agency}（{_n(u.rates[lr.key].denominator)}）" for u in left))
    return Card(lr.key, f"全组{lr.name}", value,
                f"{lr.formula}；全组 = 各单位分子之和 ÷ 分母之和 = {_n(num)} ÷ {_n(den)}；"
                f"{lr.volume}不少于{lr.min_volume}件的单位才参与比较", tuple(lines))


def _n(v) -> str:
    if v is None:
        return "空白"
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


CARD_HEADERS = ["指标", "数值", "计算方法"]


def card_rows(cs: Sequence[Card]) -> list[list]:
    return [[c.name, c.value, c.formula] for c in cs]


def card_markdown(card: Card) -> str:
    return "\n".join([f"#### {card.name}：{card.value}", card.formula, ""] + [f"- {x}" for x in card.evidence])


# -- rates of each unit --------------------------------------------------------------------------------------
def rate_headers() -> list[str]:
    heads = ["单位"]
    for lr in LEADER_RATES:
        heads += [lr.name, f"{lr.name}分子", f"{lr.name}分母（{lr.volume}）"]
    return heads + ["说明", "报告编号"]


def rate_rows(score) -> list[list]:
    rows = []
    for u in score.units:
        row, notes = [u.agency], []
        for lr in LEADER_RATES:
            r = u.rates.get(lr.key)
            if r is None:
                row += [None, None, None]
                continue
            row += [round(r.value, 4) if r.value is not None else None, r.numerator, r.denominator]
            if r.value is not None and not r.compared:
                notes.append(f"{lr.volume}不足{lr.min_volume}件，{lr.name}不参与比较")
            elif r.value is None:
                notes.append(f"{lr.name}无法计算（分母为0或有空白单元格）")
        rows.append(row + ["；".join(notes), u.report_id])
    return rows


def rate_markdown(unit, key: str | None = None) -> str:
    lines = [f"#### {unit.agency}的比率（每个数字取自表格单元格）"]
    for lr in LEADER_RATES:
        if key and lr.key != key:
            continue
        r = unit.rates.get(lr.key)
        if r is None:
            continue
        lines.append(f"- **{lr.name}** = {_n(r.numerator)} ÷ {_n(r.denominator)} = {r.text()}（{lr.formula}）"
                     + ("" if r.compared else f"；{lr.volume}不足{lr.min_volume}件或无法计算，不参与比较"))
        lines += [f"    - 依据：{evidence_text(e)}" for e in r.evidence]
    return "\n".join(lines)


# -- heat map ---------------------------------------------------------------------------------------------
def heat_columns(review: RegionReview) -> list[str]:
    return [p.rule for p in review.problems[:HEAT_MAP_COLUMNS]]


def heat_headers(review: RegionReview) -> list[str]:
    return ["单位"] + [f"{r} {rule_title(r)}" for r in heat_columns(review)] + ["报告编号"]


def heat_rows(review: RegionReview, order: Sequence[str] | None = None) -> list[list]:
    """Units (in `order` of report ids, e.g. the ranking) × problem types: how many findings of each."""
    cols = heat_columns(review)
    units = {u.report_id: u for u in review.units}
    out = []
    for rid in (order or list(units)):
        u = units[rid]
        counts = [sum(1 for f in u.findings if f.get("rule") == r and f.get("severity") in (ERROR, WARNING))
                  for r in cols]
        out.append([u.agency] + counts + [u.report_id])
    return out


def heat_style(frame):
    """A pandas Styler colouring the counts (white 0 → deep red), no matplotlib needed."""
    numeric = [c for c in frame.columns[1:-1]]
    top = max([1] + [int(v) for c in numeric for v in frame[c]])

    def colour(v):
        if not isinstance(v, (int, float)) or not v:
            return ""
        level = min(1.0, float(v) / top)
        g = int(235 - 170 * level)
        return f"background-color: rgb(250, {g}, {g})"
    return frame.style.map(colour, subset=numeric)


def heat_cell_markdown(review: RegionReview, report_id: str, rule: str | None) -> str:
    from assistant.views import findings_markdown
    u = next((x for x in review.units if x.report_id == report_id), None)
    if u is None:
        return ""
    found = [f for f in u.findings if (rule is None or f.get("rule") == rule) and f.get("severity") in (ERROR, WARNING)]
    title = f"{u.agency}：{rule_title(rule)}" if rule else f"{u.agency}的问题"
    return findings_markdown(found, title)
