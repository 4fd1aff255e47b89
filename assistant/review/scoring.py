"""Scores by a rubric (评分细则, assistant.review.rubric), with the evidence for every point.

For each unit of a region review, each rubric item's test (TESTS) is computed from what the product already
knows: the review's findings (stored at ingest, cross-year rules recomputed), the report's cells and dates
(units.DeadlinePolicy), its text against last year's report and against every other unit's report of the
year (assistant.review.copying), and the 整改 checklist (assistant.review.rectify). Each test gives
occurrences, each with the finding and the cells or sentences it rests on; the item's deduction rule turns
them into points.

未能读取 never costs points: an occurrence resting on a cell of a table we flagged (a reading warning, an OCR
cell of low confidence), on a table we could not read, on a date we could not find, or on a judgment of
wording is *held*: shown with the points it would cost, not counted until an official confirms it
(vectorstore.scores). Every number is a count, a cell, a date difference or a share computed here.
"""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Sequence

from assistant.review.figures import unit_rates
from assistant.review.copying import CopyIndex, Overlap, identical_to, year_index
from assistant.review.rectify import OWN, CheckItem, checklist
from assistant.review.region import RegionReview, UnitReview, evidence_text, review_group, review_unit
from assistant.review.rubric import TESTS, Rubric, RubricItem, _num
from assistant.units import DEFAULT_POLICY, DeadlinePolicy
from assistant.validator import UNCERTAIN_CODES
from assistant.validator.findings import ERROR, WARNING, cell_evidence
from ingest.checksums import LOW_CONFIDENCE
from ingest.report import Report

ARITHMETIC_RULES = frozenset({"T2-1", "T2-2", "T3-1", "T3-2", "T3-3", "T3-4", "T3-5", "T4-1", "T4-2", "T4-3", "T4-4"})
CROSS_YEAR_ARITHMETIC = frozenset({"T2-3", "T2-4", "T3-6"})          # with `cross_year: true`
CONTRADICTION_RULES = frozenset({"X1", "X2", "X3", "X4", "X5", "X6", "X7", "T2-8", "T3-8", "T3-9"})   # text against tables
MISSING_RULES = frozenset({"B1", "B4"})                              # errors only: a part or a table really absent
FEE_RULES = frozenset({"B8"})
TABLE4_CORRECTED = {"复议": (("review", "corrected"),),
                    "诉讼": (("litigation_direct", "corrected"), ("litigation_after_review", "corrected"))}

HELD_UNSURE_CELL = "所依据的单元格有读取提示（可能读错），请核对原件确认后再扣分"
HELD_UNREAD_TABLE = "未能读取该表，请核对原件，确认报告确实没有这张表后再扣分"
HELD_NO_DATE = "未能读取落款日期，请核对原件，确认报告确实没有落款日期或逾期后再扣分"
HELD_WORDING = "这是按措辞比对得出的判断，请核实后确认"
HELD_WARNING_AGAIN = "上年和本年的同类问题是警告（需核实），请确认是同一问题后再扣分"


@dataclass(frozen=True)
class Occurrence:
    """One thing a test found: what, where (Evidence dicts), how many cases, the quantity for bands; held
    (with the reason) when it rests on something we could not read with certainty."""
    key: str
    finding: str
    evidence: tuple[dict, ...] = ()
    count: int = 1
    quantity: float | None = None
    held: str | None = None
    confirmed: bool = False

    @property
    def counts(self) -> bool:
        return self.held is None or self.confirmed

    @property
    def status(self) -> str:
        if self.held is None:
            return "已扣分"
        return "已确认扣分" if self.confirmed else "待确认"

    def to_json(self) -> dict:
        return {"key": self.key, "finding": self.finding, "evidence": list(self.evidence), "count": self.count,
                "quantity": None if self.quantity is not None and math.isinf(self.quantity) else self.quantity,
                "held": self.held, "confirmed": self.confirmed, "status": self.status}


@dataclass(frozen=True)
class ItemScore:
    item: RubricItem
    occurrences: tuple[Occurrence, ...]
    points: float                   # deducted
    held_points: float              # deducted in addition if every held occurrence is confirmed
    note: str | None = None         # why the test could not be computed, when it could not

    def to_json(self) -> dict:
        return {"item": self.item.id, "title": self.item.title, "test": self.item.test, "source": self.item.source_text,
                "points": self.points, "held_points": self.held_points, "note": self.note,
                "occurrences": [o.to_json() for o in self.occurrences]}


@dataclass
class UnitScore:
    report_id: str
    agency: str
    file: str
    full_marks: float
    items: tuple[ItemScore, ...]
    checklist: tuple[CheckItem, ...] = ()
    last_year: Overlap | None = None
    copied_from: Overlap | None = None
    previous_file: str | None = None
    rank: int = 0
    rates: dict = field(default_factory=dict)     # assistant.review.figures.UnitRate by formula key

    @property
    def deducted(self) -> float:
        return round(sum(i.points for i in self.items), 4)

    @property
    def total(self) -> float:
        return round(self.full_marks - self.deducted, 4)

    @property
    def held(self) -> float:
        return round(sum(i.held_points for i in self.items), 4)

    @property
    def held_count(self) -> int:
        return sum(1 for i in self.items for o in i.occurrences if not o.counts)

    @property
    def deductions(self) -> list[ItemScore]:
        return [i for i in self.items if i.occurrences]

    def to_json(self) -> dict:
        return {"rank": self.rank, "report_id": self.report_id, "agency": self.agency, "file": self.file,
                "full_marks": self.full_marks, "deducted": self.deducted, "total": self.total, "held": self.held,
                "held_count": self.held_count, "items": [i.to_json() for i in self.items],
                "checklist": [c.to_json() for c in self.checklist],
                "last_year": self.last_year.to_json() if self.last_year else None,
                "copied_from": self.copied_from.to_json() if self.copied_from else None,
                "rates": {k: r.to_json() for k, r in self.rates.items()}}


@dataclass
class GroupScore:
    rubric: Rubric
    group: str
    year: int
    units: list[UnitScore]
    review: RegionReview
    seconds: float = 0.0

    @property
    def held_units(self) -> list[UnitScore]:
        return [u for u in self.units if u.held_count]

    def to_json(self) -> dict:
        return {"rubric": {"key": self.rubric.key, "name": self.rubric.name, "source": self.rubric.source,
                           "full_marks": self.rubric.full_marks},
                "group": self.group, "year": self.year, "units": [u.to_json() for u in self.units],
                "seconds": round(self.seconds, 3)}


# -- what a test may use -------------------------------------------------------------------------------
@dataclass
class UnitContext:
    unit: UnitReview
    report: Report
    previous: Report | None
    previous_findings: tuple[dict, ...]
    copies: CopyIndex | None
    policy: DeadlinePolicy
    _checklist: list[CheckItem] | None = field(default=None, repr=False)
    _last_year: Overlap | None = field(default=None, repr=False)
    _copied: Overlap | None = field(default=None, repr=False)

    @property
    def checklist(self) -> list[CheckItem]:
        if self._checklist is None:
            self._checklist = ([] if self.previous is None else
                               checklist(self.previous, self.previous_findings, self.report, self.unit.findings))
        return self._checklist

    @property
    def last_year(self) -> Overlap | None:
        if self._last_year is None and self.previous is not None:
            self._last_year = identical_to(self.report, self.previous, self.unit.previous_id)
        return self._last_year

    @property
    def copied_from(self) -> Overlap | None:
        if self._copied is None and self.copies is not None:
            self._copied = self.copies.best(self.unit.report_id)
        return self._copied

    def unsure(self, evidence: Sequence[dict]) -> bool:
        """Does any cell of this evidence sit in a table we flagged, or was it read by OCR with low confidence?"""
        shaky = {w.table for w in self.report.warnings if w.code in UNCERTAIN_CODES and w.table}
        for e in evidence:
            if e.get("kind") != "cell" or not e.get("table"):
                continue
            if e["table"] in shaky:
                return True
            t = self.report.table(e["table"])
            cell = t.cell(e.get("row"), e.get("column")) if t is not None and e.get("row") else None
            if cell is not None and cell.confidence is not None and cell.confidence < LOW_CONFIDENCE:
                return True
        return False


def _key(*parts) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:12]


def _from_findings(ctx: UnitContext, rules: frozenset[str]) -> list[Occurrence]:
    """An error resting on cells read with certainty counts; an error or warning resting on a flagged cell
    is held; other warnings (a matter to verify, not an error) cost nothing."""
    out = []
    for f in ctx.unit.findings:
        if f.get("rule") not in rules:
            continue
        ev = tuple(f.get("evidence") or ())
        unsure = ctx.unsure(ev)
        held = None
        if unsure and f.get("severity") in (ERROR, WARNING):
            held = HELD_UNSURE_CELL
        elif f.get("severity") != ERROR:
            continue
        out.append(Occurrence(_key(f.get("rule"), f.get("message")), f"[{f.get('rule')}] {f.get('message', '')}",
                              ev, held=held))
    return out


# -- the tests ------------------------------------------------------------------------------------------
def test_late(ctx: UnitContext, item: RubricItem) -> tuple[list[Occurrence], str | None]:
    r = ctx.report
    if r.year is None:
        return [], "未识别报告年度，无法计算发布期限"
    deadline, reason = ctx.policy.deadline(r.agency, r.year)
    sig = r.section("signature")
    where = {"page": sig.page, "line": sig.line} if sig is not None else {}
    try:
        published = date.fromisoformat(r.published[:10]) if r.published else None
    except ValueError:
        published = None
    if published is None:
        return [Occurrence("no-date", f"未能读取落款日期，无法核对是否在{deadline.isoformat()}（{reason}）前发布。",
                           ({"kind": "sentence", "section": "落款", "text": "（未读到日期）", **where},),
                           quantity=math.inf, held=HELD_NO_DATE)], None
    days = (published - deadline).days
    if days <= item.params["grace_days"]:
        return [], None
    return [Occurrence("late", f"落款日期{published.isoformat()}，晚于发布期限{deadline.isoformat()}（{reason}）{days}天。",
                       ({"kind": "sentence", "section": "落款", "text": published.isoformat(), **where},),
                       quantity=float(days))], None


def test_missing_part(ctx: UnitContext, item: RubricItem):
    out = [o for o in _from_findings(ctx, MISSING_RULES)]
    from assistant.validator.findings import TABLE_ZH
    for w in ctx.report.warnings:                     # a table we could not read: held, never counted by itself
        if w.code == "table_unread" and w.table:
            name = TABLE_ZH.get(w.table, w.table)
            out.append(Occurrence(_key("table_unread", w.table), f"未能读取{name}（{w.message}）：报告中可能有这张表，"
                                  "只是系统没有读出。", (), held=HELD_UNREAD_TABLE))
    return out, None


def test_arithmetic(ctx: UnitContext, item: RubricItem):
    rules = ARITHMETIC_RULES | (CROSS_YEAR_ARITHMETIC if item.params["cross_year"] else frozenset())
    return _from_findings(ctx, rules), None


def test_contradiction(ctx: UnitContext, item: RubricItem):
    return _from_findings(ctx, CONTRADICTION_RULES), None


def test_fees(ctx: UnitContext, item: RubricItem):
    out = []
    for f in ctx.unit.findings:          # B8 reads part 六's words: certain when part 六 was read
        if f.get("rule") in FEE_RULES and f.get("severity") in (ERROR, WARNING):
            out.append(Occurrence(_key(f.get("rule"), f.get("message")), f"[{f['rule']}] {f.get('message', '')}",
                                  tuple(f.get("evidence") or ())))
    return out, None


def _share_occurrence(ov: Overlap | None, item: RubricItem, label_mine: str, label_theirs: str, against: str):
    if ov is None or ov.share <= item.params["share"]:
        return []
    evidence = []
    for p in ov.passages:
        evidence += [p.mine.evidence(label_mine), p.theirs.evidence(label_theirs)]
    return [Occurrence(_key(item.test, ov.other_file), ov.describe(against) +
                       f"（阈值：超过{item.params['share']:.0%}）", tuple(evidence), quantity=round(ov.share * 100, 1))]


def test_same_as_last_year(ctx: UnitContext, item: RubricItem):
    if ctx.previous is None:
        return [], "年报库中没有该单位上年的报告，未计算与上年相同的比例"
    y = ctx.report.year
    return _share_occurrence(ctx.last_year, item, f"{y}年报告", f"{ctx.previous.year}年报告", "本单位上年报告"), None


def test_same_as_other_unit(ctx: UnitContext, item: RubricItem):
    if ctx.copies is None:
        return [], "未建立同年度报告索引"
    ov = ctx.copied_from
    return _share_occurrence(ov, item, "本单位报告", f"{ov.other_agency}报告" if ov else "", ""), None


def test_review_litigation(ctx: UnitContext, item: RubricItem):
    t = ctx.report.table("table4")
    if t is None:
        if "table4" in ctx.report.unread_tables():
            return [], "未能读取表四，未计算复议纠错和诉讼败诉件数（请核对原件）"
        return [], "报告没有表四"
    out = []
    for part in item.params["parts"]:
        for row, col in TABLE4_CORRECTED[part]:
            ev = cell_evidence(ctx.report, "table4", row, col).to_json()
            value = ev.get("value")
            unsure = ctx.unsure([ev])
            if value is None:
                if unsure:
                    out.append(Occurrence(_key(row, col, "blank"), f"{ev['text']}未能读取，无法核对件数。", (ev,),
                                          count=0, held=HELD_UNSURE_CELL))
                continue
            if value > 0:
                out.append(Occurrence(_key(row, col), f"{ev['text']}为{_num(value)}件。", (ev,), count=int(value),
                                      quantity=float(value), held=HELD_UNSURE_CELL if unsure else None))
    return out, None


def test_last_year_problems(ctx: UnitContext, item: RubricItem):
    if ctx.previous is None:
        return [], "年报库中没有该单位上年的报告，未核对上年问题的整改"
    mode = item.params["count"]
    out = []
    for c in ctx.checklist:
        if c.repeated and mode in ("repeated", "both"):
            what = "上年通报所列问题再次出现" if c.origin != OWN else f"上年第五部分的{c.kind}本年原样重复"
            held = None if c.certain else (HELD_WARNING_AGAIN if c.origin != OWN else HELD_WORDING)
            out.append(Occurrence(_key(c.key), f"{what}：{c.text}。{c.answer or ''}", c.evidence, held=held))
        elif c.unaddressed and c.origin == OWN and mode in ("unaddressed", "both"):
            out.append(Occurrence(_key(c.key), f"上年第五部分的{c.kind}“{c.text}”（{ctx.previous.year}年报告"
                                               f"{c.old_where}），本年报告未见相应表述。", c.evidence, held=HELD_WORDING))
    return out, None


TEST_FUNCTIONS: dict[str, Callable[[UnitContext, RubricItem], tuple[list[Occurrence], str | None]]] = {
    "late": test_late, "missing_part": test_missing_part, "arithmetic": test_arithmetic,
    "contradiction": test_contradiction, "same_as_last_year": test_same_as_last_year,
    "same_as_other_unit": test_same_as_other_unit, "review_litigation_corrected": test_review_litigation,
    "last_year_problems": test_last_year_problems, "fees_unexplained": test_fees,
}
assert set(TEST_FUNCTIONS) == set(TESTS), "every rubric test has its function"


def _quantity(occs: Sequence[Occurrence]) -> float | None:
    q = [o.quantity for o in occs if o.quantity is not None]
    if q:
        return max(q) if all(o.count == 1 for o in occs) else sum(q)
    return float(sum(o.count for o in occs)) if occs and any(o.count for o in occs) else None


def score_item(ctx: UnitContext, item: RubricItem, confirmed: set[tuple[str, str, str]]) -> ItemScore:
    occs, note = TEST_FUNCTIONS[item.test](ctx, item)
    occs = [o if o.held is None else Occurrence(o.key, o.finding, o.evidence, o.count, o.quantity, o.held,
                                               (ctx.unit.report_id, item.id, o.key) in confirmed) for o in occs]
    counting = [o for o in occs if o.counts]
    points = item.rule.points(sum(o.count for o in counting), _quantity(counting), item.points)
    if_all = item.rule.points(sum(o.count for o in occs), _quantity(occs), item.points)
    return ItemScore(item, tuple(occs), points, round(max(0.0, if_all - points), 4), note)


def score_unit(ctx: UnitContext, rubric: Rubric, confirmed: set[tuple[str, str, str]] = frozenset()) -> UnitScore:
    items = tuple(score_item(ctx, item, confirmed) for item in rubric.items)
    return UnitScore(ctx.unit.report_id, ctx.unit.agency, ctx.unit.file, rubric.full_marks, items,
                     tuple(ctx.checklist), ctx.last_year, ctx.copied_from if ctx.copies is not None else None,
                     ctx.unit.previous_file)


def rank(units: list[UnitScore]) -> list[UnitScore]:
    """Highest total first; equal totals share a rank (1, 2, 2, 4)."""
    units.sort(key=lambda u: (-u.total, u.agency, u.report_id))
    for i, u in enumerate(units):
        u.rank = units[i - 1].rank if i and u.total == units[i - 1].total else i + 1
    return units


def score_group(library, group: str, year: int, rubric: Rubric, *, review: RegionReview | None = None,
                policy: DeadlinePolicy = DEFAULT_POLICY, copies: CopyIndex | None = None,
                on_progress: Callable[[int, int, str], None] | None = None) -> GroupScore:
    """Score every unit of a group's review by `rubric`, ranked."""
    from vectorstore.scores import ConfirmationStore
    started = time.perf_counter()
    review = review or review_group(library, group, year, policy=policy)
    if copies is None and any(i.test == "same_as_other_unit" for i in rubric.items):
        copies = year_index(library, review.year)
    confirmed = ConfirmationStore(library.db).confirmed(u.report_id for u in review.units)
    needs_previous = any(i.test in ("same_as_last_year", "last_year_problems") for i in rubric.items)
    out = []
    for i, u in enumerate(review.units):
        if on_progress:
            on_progress(i, len(review.units), u.agency)
        report = library.facts.report_object(u.report_id)
        previous, previous_findings = None, ()
        if u.previous_id and needs_previous:
            previous = library.facts.report_object(u.previous_id)
            prev_record = library.facts.report(u.previous_id)
            previous_findings = review_unit(prev_record, previous, library.facts.findings(u.previous_id), None,
                                            policy=policy).findings
        ctx = UnitContext(u, report, previous, previous_findings, copies, policy)
        unit = score_unit(ctx, rubric, confirmed)
        unit.rates = unit_rates(report)
        out.append(unit)
    score = GroupScore(rubric, review.group, review.year, rank(out), review)
    score.seconds = time.perf_counter() - started
    return score


def confirm_held(library, report_id: str, item_id: str, occurrence: str, actor: str) -> bool:
    """An official confirms a held deduction (it then counts). False when it was confirmed already."""
    from vectorstore.scores import ConfirmationStore
    return ConfirmationStore(library.db).confirm(report_id, item_id, occurrence, actor)


def held_key(unit: UnitScore, item: ItemScore, occ: Occurrence) -> str:
    """How a held deduction is named to confirm it: 报告编号/条目/序号."""
    return f"{unit.report_id}/{item.item.id}/{occ.key}"


# -- a unit's score ----------------------------------------------------------------------------------------------
def unit_score_markdown(unit) -> str:
    """One unit's score: the total, every deduction with its finding and evidence, held ones apart, 整改."""
    lines = [f"#### 第{unit.rank}名　{unit.agency}：{_num(unit.total)}分（满分{_num(unit.full_marks)}，"
             f"扣{_num(unit.deducted)}分）"]
    if unit.held:
        lines.append(f"另有待确认扣分{_num(unit.held)}分（{unit.held_count}项）：所依据的内容未能确认读取或需核实，"
                     "核对原件后确认才计入。")
    for it in unit.items:
        if it.note and not it.occurrences:
            lines.append(f"- {it.item.id} {it.item.title}：{it.note}")
        for o in it.occurrences:
            head = f"扣{_num(it.points)}分" if o.counts else f"待确认（确认后扣{_num(it.held_points)}分）"
            lines.append(f"- **{it.item.id} {it.item.title}**（{it.item.source_text}）{head}：{o.finding}")
            lines += [f"    - 依据：{evidence_text(e)}" for e in o.evidence]
            if o.held and not o.confirmed:
                lines.append(f"    - 待确认：{o.held}（确认编号 `{held_key(unit, it, o)}`）")
    if unit.checklist:
        from assistant.review.rectify import render_checklist
        lines += ["", "**上年问题整改核对**"] + [f"    {x}" for x in render_checklist(unit.checklist, "上", "本")]
    if unit.copied_from is not None and unit.copied_from.identical_chars:
        ov = unit.copied_from
        lines += ["", f"**与其他单位相同的文字**：{ov.describe()}"]
        for p in ov.passages:
            lines.append(f"- 本单位：{p.mine.cited()}  \n  {ov.other_agency}：{p.theirs.cited()}")
    return "\n".join(lines)


# -- text, rows, the 通报 section -----------------------------------------------------------------------
SCORE_HEADERS = ["名次", "单位", "得分", "满分", "扣分", "待确认扣分", "待确认条数", "报告编号", "文件"]
DEDUCTION_HEADERS = ["单位", "报告编号", "条目编号", "条目", "依据（文件、条款）", "检查项", "扣分", "状态", "说明",
                     "依据的单元格或句子", "待确认原因", "确认编号"]


def score_rows(score: GroupScore) -> list[list]:
    return [[u.rank, u.agency, u.total, u.full_marks, u.deducted, u.held, u.held_count, u.report_id, u.file]
            for u in score.units]


def deduction_rows(score: GroupScore) -> list[list]:
    from assistant.review.region import evidence_text
    rows = []
    for u in score.units:
        for it in u.deductions:
            for o in it.occurrences:
                rows.append([u.agency, u.report_id, it.item.id, it.item.title, it.item.source_text,
                             TESTS[it.item.test].name, it.points if o.counts else 0.0, o.status, o.finding,
                             "\n".join(evidence_text(e) for e in o.evidence), o.held or "",
                             held_key(u, it, o) if o.held else ""])
    return rows


def render_score(score: GroupScore) -> str:
    from assistant.review.region import evidence_text
    from assistant.review.rectify import render_checklist
    r = score.rubric
    lines = [f"【评分】{score.group} {score.year}年度，按《{r.name}》（满分{_num(r.full_marks)}分）",
             f"依据：{r.source}", "", "一、排名", "\t".join(SCORE_HEADERS[:7])]
    for row in score_rows(score):
        lines.append("\t".join(_num(c) if isinstance(c, float) else str(c) for c in row[:7]))
    lines += ["", "二、扣分明细（每项扣分及其依据）"]
    for u in score.units:
        if not u.deductions and not any(i.note for i in u.items):
            continue
        lines.append(f"{u.rank}. {u.agency}：得分{_num(u.total)}" + (f"（另有待确认扣分{_num(u.held)}分）" if u.held else ""))
        for it in u.items:
            if it.note and not it.occurrences:
                lines.append(f"   - {it.item.id} {it.item.title}：{it.note}")
            for o in it.occurrences:
                head = f"扣{_num(it.points)}分" if o.counts else f"待确认（确认后扣{_num(it.held_points)}分）"
                lines.append(f"   - {it.item.id} {it.item.title}（{it.item.source_text}）{head}：{o.finding}")
                lines += [f"       依据：{evidence_text(e)}" for e in o.evidence]
                if o.held and not o.confirmed:
                    lines.append(f"       待确认原因：{o.held}；确认：nianbao score … --confirm {held_key(u, it, o)}")
    with_checks = [u for u in score.units if u.checklist]
    if with_checks:
        lines += ["", f"三、上年问题整改核对（{score.year - 1}年 → {score.year}年）"]
        for u in with_checks:
            lines.append(f"{u.agency}：")
            lines += ["   " + x for x in render_checklist(u.checklist, score.year - 1, score.year)]
    lines += ["", "未能读取的单元格、表格或日期不扣分：相关扣分列为“待确认”，核对原件后确认才计入得分。",
              f"用时 {score.seconds:.2f} 秒。"]
    return "\n".join(lines)


MAX_UNITS_NAMED = 30


def notice_section(score: GroupScore) -> list[str]:
    """Paragraphs of the 通报's scoring section (without its numbered heading)."""
    r = score.rubric
    n = len(score.units)
    lines = [f"按照《{r.name}》（依据：{r.source}），对{n}个单位的{score.year}年度报告评分，满分{_num(r.full_marks)}分。"]
    shown = score.units if n <= MAX_UNITS_NAMED else score.units[:MAX_UNITS_NAMED // 2] + score.units[-MAX_UNITS_NAMED // 2:]
    ranking = "；".join(f"第{u.rank}名{u.agency}{_num(u.total)}分" for u in shown)
    lines.append(f"得分排名：{ranking}。" + ("（中间名次详见附件评分表。）" if n > MAX_UNITS_NAMED else ""))
    for item in r.items:
        hit = [u for u in score.units if any(i.item.id == item.id and i.points for i in u.items)]
        if hit:
            lines.append(f"“{item.title}”（{item.source_text}）扣分的{len(hit)}个单位：" +
                         "、".join(f"{u.agency}（扣{_num(next(i.points for i in u.items if i.item.id == item.id))}分）"
                                   for u in hit[:MAX_UNITS_NAMED]) + "。")
    held = score.held_units
    if held:
        lines.append(f"另有{len(held)}个单位的{sum(u.held_count for u in held)}项扣分所依据的内容未能由系统确认读取"
                     f"（{'、'.join(u.agency for u in held[:MAX_UNITS_NAMED])}），未计入得分，请核对原件后确认。")
    return lines


def score_xlsx(score: GroupScore) -> bytes:
    """Sheets 得分 (ranking) and 扣分明细 (each deduction with its evidence), 整改核对; numbers as numbers."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, NamedStyle

    from assistant.sheetcells import xlsx_append
    wb = Workbook()
    wb.add_named_style(NamedStyle(name="wrapped", alignment=Alignment(wrap_text=True, vertical="top")))
    ws = wb.active
    ws.title = "得分"
    xlsx_append(ws, SCORE_HEADERS)
    for row in score_rows(score):
        xlsx_append(ws, row)
    ded = wb.create_sheet("扣分明细")
    xlsx_append(ded, DEDUCTION_HEADERS)
    for row in deduction_rows(score):
        xlsx_append(ded, row)
    chk = wb.create_sheet("整改核对")
    xlsx_append(chk, ["单位", "报告编号", "来源", "类别", f"{score.year - 1}年所列", "位置", "本年核对结果", "本年依据"])
    for u in score.units:
        for c in u.checklist:
            xlsx_append(chk, [u.agency, u.report_id, c.origin, c.kind, c.text, c.old_where, c.status, c.answer or ""])
    from assistant.review.figures import rate_headers, rate_rows
    rates = wb.create_sheet("比率")
    xlsx_append(rates, rate_headers())
    for row in rate_rows(score):
        xlsx_append(rates, row)
    about = wb.create_sheet("评分细则")
    xlsx_append(about, ["条目编号", "条目", "分值", "依据文件", "条款", "检查项", "扣分方法"])
    for it in score.rubric.items:
        xlsx_append(about, [it.id, it.title, it.points, it.document, it.clause, TESTS[it.test].name,
                      it.rule.describe(TESTS[it.test].quantity)])
    for sheet in (ws, ded, chk, rates, about):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for col in sheet.columns:
            width = min(60, max(8, *(len(str(c.value or "")) * 2 for c in col[:50])))
            sheet.column_dimensions[col[0].column_letter].width = width
    for row in ded.iter_rows(min_row=2):
        for cell in row:
            cell.style = "wrapped"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


__all__ = ["unit_score_markdown", "Occurrence", "ItemScore", "UnitScore", "GroupScore", "UnitContext", "score_group", "score_unit",
           "score_item", "rank", "confirm_held", "held_key", "render_score", "score_rows", "deduction_rows",
           "score_xlsx", "notice_section", "SCORE_HEADERS", "DEDUCTION_HEADERS", "TEST_FUNCTIONS"]
