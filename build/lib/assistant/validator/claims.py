"""Text against tables (RULES.md b): X1–X7, and the text-based T2-7, T2-8, T3-8, T3-9.

A sentence counts what it names. “受理政府信息公开申请N件” is compared with 表三; sentences about other
quantities (建议提案, 热线工单, 备案…) or other applications (行政许可申请, 低保申请…) and the 行政复议／诉讼 a
unit decided or answered on its other work are left alone; a sentence whose subject is narrower or wider than
the reporting unit (“区政府办代表区政府受理…”), that counts another period (上年, 12月, 第四季度, 近三年), a
part (其中, 一个渠道, 一个理由) or corrects an earlier report gives a warning that the scope may differ
(口径可能不同), never an error. Approximate numbers (约, 多, 余, 一万多件) are not compared exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.validator.findings import ERROR, INFO, WARNING, Evidence, Finding, cell_evidence, sentence_evidence
from assistant import formulas
from assistant.numbers_zh import Quantity, fmt, is_percent_after, quantities
from assistant.validator.textindex import Sentence, TextIndex, clause_bounds
from assistant.units import unit_kind
from ingest.report import Report
from ingest.schema import FEES_ROW, TABLE3_COLUMN_LABELS, TABLE3_COLUMNS, TABLE4_GROUPS, row_label

COUNT_UNITS_FOR_REQUESTS = ("件", "件次", "个", "份")
OTHER_QUANTITY = re.compile(r"建议|提案|热线|工单|信箱|留言|问政|咨询|投诉|举报|来信|来访|备案|复议|诉讼|网民|诉求|信访|"
                            r"12345|政务服务|办件|审批")
SCOPE_MARKERS = ("代表", "政府办", "办公室", "办公厅", "本级", "市级", "区级", "县级", "镇级", "各部门", "各单位",
                 "各地", "部门", "所属", "下属", "直接", "各镇", "各乡", "乡镇", "街道", "各村", "社区")
WHOLE_AREA = ("全市", "全区", "全县", "全省", "全镇", "全旗")


@dataclass(frozen=True)
class Claim:
    """A number the text states about a table quantity."""
    what: str                      # received | processed | carried_over | carried_forward | outcome label
    quantity: Quantity
    sentence: Sentence
    scope_note: str | None         # why the scope may differ, or None


def _ev(s: Sentence) -> Evidence:
    return sentence_evidence(s.section, s.text)


# words inside the clause that make its number a part or another measure of the requests: a channel
# (网络申请, 当面), a running total over years (累计), a sub-count (其中)
SUB_SCOPE = re.compile(r"累计|网络申请|网上申请|在线申请|当面|现场|书面|口头|电话|短信|网上|线上|线下|信函|邮寄|传真|电子邮件|"
                       r"其中|按期|按时|如期|逾期|超期|延期|同比|较上年|比上年|申请中")
# words that put the number in another period than the report's year: last year, several years, a month
# or a quarter of the year (“12月受理…3件”, “第四季度…”, “近三年…”, “与上年…相比”)
OTHER_PERIOD = re.compile(r"上一?年|去年|前年|往年|历年|近[一二两三四五六七八九十\d]+年|[一二两三四五六七八九十\d]+年来|"
                          r"[一二三四1-4]季度|上半年|下半年|月均|月份|日均")
_MONTH = re.compile(r"(\d{1,2}|[一二三四五六七八九十]{1,3})月")
_WHOLE_YEAR = re.compile(r"(1|一)月?(1日|一日)?(起)?\s*[-—－–~～至到]\s*(12|十二)月|(截至|截止|至)(\d{4}年)?(12|十二)月(31|三十一)日")
_YEAR = re.compile(r"(20\d\d)年")


def _other_period(text: str) -> str | None:
    """The words that make a number count another period than the report's whole year, or None. A month
    alone (“12月”) is a part of the year; “1月1日至12月31日” and “1—12月” are the whole year."""
    m = OTHER_PERIOD.search(text)
    if m:
        return m.group(0)
    if _WHOLE_YEAR.search(text):
        return None
    months = [x.group(1) for x in _MONTH.finditer(text)]
    if months and not ({"1", "一"} & set(months) and {"12", "十二"} & set(months)):
        return f"{months[0]}月"
    return None


def _scope_note(report: Report, prefix: str, clause: str = "") -> str | None:
    """Does the subject written before the verb name a narrower or wider body than the reporting unit, or
    does the clause count only a part (one channel, 累计, 其中)? A government's “本机关/本级” is its own office,
    narrower than a table that may cover the whole area."""
    agency = report.agency or ""
    kind = unit_kind(report.agency)
    m = SUB_SCOPE.search(clause)
    if m:
        return f"含“{m.group(0)}”"
    m = CORRECTION.search(prefix + clause)
    if m:
        return f"是对往年数字的更正（“{m.group(0)}”）"
    other_year = next((y for y in _YEAR.findall(prefix + clause) if report.year and int(y) != report.year), None)
    if other_year:
        return f"写的是{other_year}年"
    period = _other_period(prefix + clause)
    if period:
        return f"写的是“{period}”的数"
    if kind.is_government:
        m = re.search(r"本机关|本级|本单位", prefix)
        if m:
            return f"主语为“{m.group(0)}”"
    prefix = re.sub(r"本(部门|机关|单位|局|委|办)|我(局|委|办|部门|单位)", "", prefix)   # the unit itself
    for marker in SCOPE_MARKERS:
        if marker in prefix and marker not in agency:
            return f"主语含“{marker}”"
    if kind.level == "department":
        for w in WHOLE_AREA:
            if w in prefix:
                return f"部门年报却写“{w}”"
    return None


# what follows “N个” when it counts time, not requests (“9个工作日”, “3个月”)
_TIME_AFTER = re.compile(r"(工作|自然)?日|小时|天|月|年|周|星期|百分点")


def _first_quantity(text: str, units=COUNT_UNITS_FOR_REQUESTS, max_gap: int = 25) -> Quantity | None:
    for q in quantities(text):
        if q.start > max_gap:
            return None
        if q.unit in units and not is_percent_after(text, q.end) and not q.in_brackets and \
                not (q.unit == "个" and _TIME_AFTER.match(text, q.end)):
            return q
        return None
    return None


# -- claims about 表三 -------------------------------------------------------------------------------
_RECEIVE = re.compile(r"(收到|受理|新收|接收|接到)")
_PROCESSED = re.compile(r"(办结|答复)")
_PROCESSED_GAP = re.compile(r"(了|共|共计|合计|总计)?((政府信息公开|信息公开|依申请公开)?申请(共|合计|总计|数|数量)?(为|计)?)?")
_CARRIED_OVER = re.compile(r"(上年度?|上一年度?|去年)(结转|转结)")
_CARRIED_FORWARD = re.compile(r"(结转|顺延|转入)(到|至|入)?下一?年度?")
# a category (办理结果) named in the text → the outcome group(s) or the one row it counts. Order matters: the
# longer wordings first (“予以公开及部分公开” before “部分公开” before “公开”).
OUTCOMES: list[tuple[str, re.Pattern, tuple[str, ...]]] = [
    ("予以公开及部分公开", re.compile(r"(予以|同意|全部)?(?<!不予)公开([（(]含|及|和|与|或|、)部分公开[）)]?|全部或部分公开"),
     ("granted", "partially_granted")),
    ("部分公开", re.compile(r"部分公开|区分处理"), ("partially_granted",)),
    ("予以公开", re.compile(r"予以公开|同意公开|全部公开|给予公开"), ("granted",)),
    ("不予公开", re.compile(r"不予公开"), ("denied",)),
    ("本机关不掌握", re.compile(r"本机关不掌握|不掌握相关"), ("row:unavailable_not_held",)),
    ("无法提供", re.compile(r"无法提供"), ("unavailable",)),
    ("不予处理", re.compile(r"不予处理"), ("not_processed",)),
    ("其他处理", re.compile(r"其他处理"), ("other",)),
]
_CATEGORY = re.compile("|".join(p.pattern for _, p, _ in OUTCOMES))


# after a received count: the text says what it leaves out or adds (“其中重复申请3件不计入”, “不含…”)
_EXCLUDED = re.compile(r"不计入|未计入|不计算在内|不含|不包括|未包括|另有|另收到|另外")
# a reason of one sub-row written before an outcome group (“经补正后仍不明确无法提供1件”): the number may
# count that reason only, not the whole group
_SUB_REASON = re.compile(r"不明确|不掌握|另行制作|国家秘密|禁止公开|三安全一稳定|危及|第三方|内部事务|过程性|执法案卷|"
                         r"行政查询|信访|举报|投诉|重复申请|出版物|大量反复|确认|重新出具|不补正|缴纳|缴费|收费")
_GROUP_LABELS = ("不予公开", "无法提供", "不予处理", "其他处理")


_NAMED_DISCLOSURE = re.compile(r"信息公开|依申请|公开政府信息")
_APPLICATION_FILLER = re.compile(r"申请|的|了|共计|合计|总计|共|数量|件数|数|为|新|各项")


def _application_kind(gap: str) -> str:
    """What applications the words between “受理” and the number name: "disclosure" (政府信息公开申请, 依申请公开),
    "bare" (申请, 公开申请: disclosure only from the context) or "other" (行政许可申请, 低保申请, 各类申请…)."""
    if _NAMED_DISCLOSURE.search(gap):
        return "disclosure"
    rest = _APPLICATION_FILLER.sub("", gap)
    return "bare" if rest in ("", "公开") else "other"


# a numbered “sentence” this short (“（二）依申请公开情况。”) is a heading run into its paragraph
HEADING_SENTENCE = re.compile(r"^([（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．])[^，,；;]{0,18}$")


def _disclosure_context(s: Sentence, index: TextIndex, part: str) -> str | None:
    """Is a sentence about 政府信息公开 (its applications, or the 行政复议／诉讼 they led to)? "said": it says so,
    sits in `part` (三 or 四) or under a heading about it; "context": only the sentence before in its
    paragraph is about it (a number may still count other things: a warning at most); None: not about it.
    A unit also reports other applications (行政许可, 低保…), the reviews it decided and the lawsuits it
    answered on all its work."""
    if _NAMED_DISCLOSURE.search(s.text) or s.top == part or _NAMED_DISCLOSURE.search(s.section.heading or ""):
        return "said"
    prev = index.previous(s)
    if prev is None or not _NAMED_DISCLOSURE.search(prev.text):
        return None
    return "said" if HEADING_SENTENCE.match(prev.text) else "context"


def _about_requests(s: Sentence, index: TextIndex) -> bool:
    if "申请" in s.text:
        return True
    prev = index.previous(s)
    return prev is not None and "申请" in prev.text and s.text.startswith("其中")


def request_claims(report: Report, index: TextIndex) -> list[Claim]:
    claims: list[Claim] = []
    for s in index.sentences:
        t = s.text
        if "申请" not in t and not t.startswith("其中"):
            continue            # every claim below needs 申请 in the sentence (or “其中…” after one)
        for m in _RECEIVE.finditer(t):
            c0, c1 = clause_bounds(t, m.start())
            after = t[m.end():c1]
            q = _first_quantity(after)
            if q is None:
                continue
            gap = after[:q.start]
            clause = t[c0:c1]
            if "申请" not in gap or OTHER_QUANTITY.search(clause) or re.search(r"\d", gap):
                continue
            if _CATEGORY.search(t[c0:m.end() + q.start]):
                continue            # “…收到后予以公开3件”: a category count, compared below
            kind = _application_kind(gap)
            if kind == "other":
                continue            # “受理行政许可申请1200件”, “低保申请”, “查阅档案申请”: other applications
            qq = _shift(q, m.end())
            note = _scope_note(report, t[c0:m.start()] + _prev_clause(t, c0), t[c0:m.end() + q.start])
            if note is None and kind == "bare" and not _disclosure_context(s, index, "s3_requests"):
                note = "本句没有写明是政府信息公开申请"
            x = _EXCLUDED.search(t, qq.end)
            claims.append(Claim("received", qq, s, note or (f"正文写明“{x.group(0)}”" if x else None)))
        if "申请" in t:
            for m in _PROCESSED.finditer(t):
                c0, c1 = clause_bounds(t, m.start())
                after = t[m.end():c1]
                q = _first_quantity(after, max_gap=14)
                if q is not None and not _PROCESSED_GAP.fullmatch(after[:q.start]):
                    q = None        # “办结政府信息公开申请19件” yes; “办结行政许可申请…”, “办结后…3件” no
                if q is None or re.search(r"\d", after[:q.start]) or OTHER_QUANTITY.search(t[c0:c1]):
                    continue
                if _CATEGORY.search(t[c0:m.end() + q.start]):
                    continue            # “给予同意公开答复1件”: a category count, not the 办结 total
                claims.append(Claim("processed", _shift(q, m.end()), s,
                                    _scope_note(report, t[c0:m.start()], t[c0:m.end() + q.start])))
            for m in _CARRIED_OVER.finditer(t):
                c0, c1 = clause_bounds(t, m.start())
                q = _first_quantity(t[m.end():c1], max_gap=8)
                if q is not None and not OTHER_QUANTITY.search(t[c0:c1]):     # “上年度结转的1件行政诉讼”
                    claims.append(Claim("carried_over", _shift(q, m.end()), s, _carried_note(report, t, c0, m)))
            for m in _CARRIED_FORWARD.finditer(t):
                c0, c1 = clause_bounds(t, m.start())
                if OTHER_QUANTITY.search(t[c0:c1]):
                    continue
                q = _first_quantity(t[m.end():c1], max_gap=8)
                if q is not None:
                    q = _shift(q, m.end())
                else:
                    before = [x for x in quantities(t[c0:m.start()]) if x.unit in COUNT_UNITS_FOR_REQUESTS]
                    q = _shift(before[-1], c0) if before else None
                if q is not None:
                    claims.append(Claim("carried_forward", q, s, _carried_note(report, t, c0, m)))
        if _about_requests(s, index):
            taken: list[tuple[int, int]] = []
            for label, pattern, _rows in OUTCOMES:
                for m in pattern.finditer(t):
                    if any(a <= m.start() < b for a, b in taken):
                        continue
                    taken.append((m.start(), m.end()))
                    c0, c1 = clause_bounds(t, m.start())
                    if re.search(r"(公开|提供|处理|不掌握)[、和及与或]$", t[c0:m.start()]):
                        continue    # “不予公开、部分公开9件”: one number for two categories
                    after = t[m.end():c1]
                    q = _first_quantity(after, max_gap=14)
                    if q is None or re.search(r"\d", after[:q.start]) or \
                            any(p.search(after[:q.start]) for _, p, _ in OUTCOMES):
                        continue
                    note = _scope_note(report, t[c0:m.start()])
                    if note is None and label in _GROUP_LABELS:
                        r = _SUB_REASON.search(t[c0:m.start()])
                        if r and "等" not in t[r.end():m.start()]:     # “属信访、重复申请等不予处理80件”: the group
                            note = f"写明了具体理由“{r.group(0)}”，可能只是其中一个小项"
                    claims.append(Claim(label, _shift(q, m.end()), s, note))
    return claims


# a sentence that corrects a figure of an earlier report (“2022年度报告中…有误，应更正为3件”)
CORRECTION = re.compile(r"更正|有误|误填|误报|勘误|纠正为|修正为|应为")


def _carried_note(report: Report, t: str, c0: int, m: re.Match) -> str | None:
    """Why a 结转 count may be of another year: words before “上年结转／结转下年度” (the pattern itself says
    上年), or a correction of an earlier report."""
    x = CORRECTION.search(t)
    return _scope_note(report, t[c0:m.start()]) or (f"是对往年数字的更正（“{x.group(0)}”）" if x else None)


def _shift(q: Quantity, offset: int) -> Quantity:
    return Quantity(q.value, q.unit, q.exact, q.start + offset, q.end + offset, q.text, q.in_brackets, q.approx_word)


def _prev_clause(text: str, clause_start: int) -> str:
    """The clause before (for “2024年，区政府办代表区政府受理…” the subject is in the same clause; for
    “区政府办，代表区政府受理…” it is in the one before)."""
    if clause_start <= 1:
        return ""
    s, _ = clause_bounds(text, clause_start - 2)
    return text[s:clause_start - 1]


def _outcome_rows(report: Report, label: str) -> tuple[str, ...]:
    rows = report.table3.rows if report.table3 is not None else ()
    for lab, _, groups in OUTCOMES:
        if lab == label:
            return tuple(r for g in groups
                         for r in ((g[4:],) if g.startswith("row:") else formulas.outcome_rows(g, rows)))
    return ()


def _table3_total(report: Report, rows: tuple[str, ...]):
    t = report.table3
    if t is None:
        return None
    vals = [t.value(r, "total") for r in rows]
    return None if not vals or any(v is None for v in vals) else sum(vals)


def _table3_all_zero(report: Report) -> bool:
    t = report.table3
    return t is not None and formulas.all_zero(c.value for _, _, c in t.cells()) and \
        t.value("new_received", "total") == 0 and t.value("total_processed", "total") == 0


def _quoted_part(report: Report, rows: tuple[str, ...], value) -> tuple[str, list] | None:
    """Is a text total only one column (“自然人”列) or one sub-row (“本机关不掌握”) of the rows it should sum?"""
    t = report.table3
    if value == 0:
        return None
    for col in TABLE3_COLUMNS[:-1]:
        vals = [t.value(r, col) for r in rows]
        if vals and None not in vals and sum(vals) == value:
            return (f"表三“{TABLE3_COLUMN_LABELS[col]}”一列" + ("之和" if len(rows) > 1 else "的数"),
                    [("table3", r, col) for r in rows])
    if len(rows) > 1:
        for r in rows:
            if t.value(r, "total") == value:
                return f"表三“{row_label('table3', r)}”一个小项的总计", [("table3", r, "total")]
    return None


def check_request_claims(report: Report, index: TextIndex) -> list[Finding]:
    """X1 (received / processed / carried), X2 (outcomes), T3-9 (all-zero table vs text), X3 (“未收到”)."""
    out: list[Finding] = []
    t = report.table3
    if t is None:
        return out
    claims = request_claims(report, index)
    nr, co = t.value("new_received", "total"), t.value("carried_over", "total")
    if _table3_all_zero(report):
        positive = [c for c in claims if c.quantity.value > 0 and c.scope_note is None]
        if positive:
            c = positive[0]
            c0, c1 = clause_bounds(c.sentence.text, c.quantity.start)
            out.append(Finding("T3-9", ERROR,
                               f"表三全部为0，但正文写明有政府信息公开申请：“{c.sentence.text[c0:c1]}”。正文 {fmt(c.quantity.value)} 件，"
                               f"表三“一、本年新收”总计 0 件、“（七）总计”0 件，相差 {fmt(c.quantity.value)} 件。"
                               f"请核对表三是否漏填，或正文是否沿用了其他单位、其他年度的表述。",
                               expected=c.quantity.value, actual=0,
                               evidence=tuple(_ev(x.sentence) for x in positive) +
                               (cell_evidence(report, "table3", "new_received", "total"),
                                cell_evidence(report, "table3", "total_processed", "total"))))
            claims = [c for c in claims if c not in positive]
    for c in claims:
        q = c.quantity
        if not q.exact:
            continue
        if c.what == "received":
            if nr is None:
                continue
            if q.value == nr or (co is not None and q.value == nr + co):
                continue
            expected, refs = nr, [("table3", "new_received", "total"), ("table3", "carried_over", "total")]
            formula = f"收到／受理的申请数应等于表三“一、本年新收”总计 {fmt(nr)}" + \
                      (f"（或加上年结转 = {fmt(nr + co)}）" if co else "")
            rule = "X1"
            part = _quoted_part(report, ("new_received",), q.value)
            if part is not None:
                formula += f"；正文的 {fmt(q.value)} 恰是{part[0]}，像是把其中一部分当成了全部"
                refs += part[1]
        elif c.what in ("processed", "carried_over", "carried_forward"):
            row = {"processed": "total_processed", "carried_over": "carried_over",
                   "carried_forward": "carried_forward"}[c.what]
            expected = t.value(row, "total")
            if expected is None or q.value == expected:
                continue
            name = {"processed": "（七）总计（办结）", "carried_over": "二、上年结转",
                    "carried_forward": "四、结转下年度继续办理"}[c.what]
            what = {"processed": "办结／答复", "carried_over": "上年结转", "carried_forward": "结转下年度"}[c.what]
            formula = f"{what}的件数应等于表三“{name}”总计 {fmt(expected)}"
            refs, rule = [("table3", row, "total")], "X1"
        else:
            rows = _outcome_rows(report, c.what)
            expected = _table3_total(report, rows)
            if expected is None or q.value == expected:
                continue
            formula = f"“{c.what}”的件数应等于表三相应各行总计之和 {fmt(expected)}"
            refs, rule = [("table3", r, "total") for r in rows], "X2"
            part = _quoted_part(report, rows, q.value)
            if part is not None:
                formula += f"；正文的 {fmt(q.value)} 恰是{part[0]}，像是把其中一部分当成了全部"
                refs += part[1]
        diff = abs(q.value - expected)
        evidence = (_ev(c.sentence),) + tuple(cell_evidence(report, *r) for r in refs)
        c0, c1 = clause_bounds(c.sentence.text, q.start)
        said = c.sentence.text[c0:c1]
        if c.scope_note:
            out.append(Finding(rule, WARNING, f"口径可能不同：正文“{said}”为 {fmt(q.value)} 件（{c.scope_note}），{formula}，"
                                              f"相差 {fmt(diff)}。若正文只说明部分单位或另一口径的数字，建议写明口径；否则请核对。",
                               expected=expected, actual=q.value, evidence=evidence))
        else:
            out.append(Finding(rule, ERROR, f"正文与表三不一致：正文“{said}”为 {fmt(q.value)} 件，{formula}，"
                                            f"相差 {fmt(diff)}。", expected=expected, actual=q.value, evidence=evidence))
    # X3: “未收到政府信息公开申请” (reported once)
    for s in index.sentences:
        if any(f.rule == "X3" for f in out):
            break
        for m in re.finditer(r"(未|没有|无)(收到|受理|接到|接收|发生)?[^，。；]{0,20}?(政府信息公开申请|依申请)", s.text):
            c0, c1 = clause_bounds(s.text, m.start())
            clause = s.text[c0:c1]
            if re.search(r"复议|诉讼|纠错|投诉|败诉|超期|逾期|费", clause) or re.search(r"\d", m.group(0)):
                continue
            if nr is None or nr == 0:
                break
            note = _scope_note(report, s.text[c0:m.start()], clause)
            kind = _NARROWING.sub("", m.group(0)[len(m.group(1)) + len(m.group(2) or ""):-len(m.group(3))])
            if note is None and kind:
                note = f"正文说的是“{kind}”这一类申请"
            out.append(Finding("X3", WARNING if note else ERROR,
                               (f"口径可能不同（{note}）：" if note else "") +
                               f"正文说没有收到政府信息公开申请（“{clause}”），但表三“一、本年新收”总计为 "
                                            f"{fmt(nr)}，应为0，相差 {fmt(nr)}。", expected=0, actual=nr,
                               evidence=(_ev(s), cell_evidence(report, "table3", "new_received", "total"))))
            break
    return out


# words between “未收到” and “政府信息公开申请” that do not narrow it (“未收到任何公民、法人或其他组织提出的…”)
_NARROWING = re.compile(r"任何|相关|有关|公民|法人|或|和|及|、|其他组织|社会公众|群众|申请人|人民|单位|个人|组织|提出|提交|的")


# -- 表四 claims (X4) ---------------------------------------------------------------------------------
_REVIEW_PARTS = [("upheld", r"(结果)?维持"), ("corrected", r"(结果)?纠正|纠错"), ("other", r"其他结果"),
                 ("pending", r"尚未审结|未审结|审理中")]


def check_review_claims(report: Report, index: TextIndex) -> list[Finding]:
    out: list[Finding] = []
    t4 = report.table4
    if t4 is None:
        return out
    groups = {"行政复议": ("review",), "行政诉讼": ("litigation_direct", "litigation_after_review"),
              "直接起诉": ("litigation_direct",), "复议后起诉": ("litigation_after_review",)}
    for s in index.sentences:
        t = s.text
        if not _REVIEW_WORDS.search(t):
            continue
        about_disclosure = _disclosure_context(s, index, "s4_review_litigation")
        if about_disclosure:     # else 行政复议／诉讼 of the unit's other work (a 司法局's cases, a court's)
            out += _all_upheld(report, s)
        # “无行政复议、行政诉讼”
        m = re.search(r"(无|未(发生|出现|产生|有)|没有)[^，。；]{0,16}?(行政复议|复议)[、和及或与]?[^，。；]{0,8}?(行政诉讼|诉讼)", t)
        if m:
            c0, c1 = clause_bounds(t, m.start())
            if not re.search(r"纠错|纠正|败诉|撤销", t[c0:c1]) and not re.search(r"\d", m.group(0)):
                cells = [(g, k) for g in TABLE4_GROUPS for k in ("upheld", "corrected", "other", "pending", "total")]
                nonzero = [(g, k) for g, k in cells if t4.value(g, k)]
                if nonzero:
                    total = sum(t4.value(g, "total") or 0 for g in TABLE4_GROUPS)
                    note = _scope_note(report, t[c0:m.start()], t[c0:c1])
                    if note is None and (x := _other_period(t)):
                        note = f"同一句还写到“{x}”的案件"
                    out.append(Finding("X4", WARNING if note else ERROR,
                                       (f"口径可能不同（{note}）：" if note else "") +
                                       f"正文说没有行政复议、行政诉讼（“{t[c0:c1]}”），但表四有非0数字："
                                                    f"三组总计之和为 {fmt(total)}，应为0。", expected=0, actual=total,
                                       evidence=(_ev(s),) + tuple(cell_evidence(report, "table4", g, k) for g, k in nonzero)))
        for word, grs in groups.items():
            if not about_disclosure:
                break
            for m in re.finditer(word, t):
                if word == "行政复议" and t[m.end():m.end() + 3].startswith(("纠", "维持")):
                    continue
                if word == "行政诉讼" and re.search(r"(复议后|直接)起诉", t[m.start():m.start() + 12]):
                    continue
                if word != "行政复议" and re.search(r"复议[、和及与]$", t[max(0, m.start() - 3):m.start()]):
                    continue        # “行政复议、行政诉讼共4件”: one number for both
                c0, c1 = clause_bounds(t, m.start())
                after = t[m.end():c1]
                q = _first_quantity(after, units=("件", "起", "宗", "个"), max_gap=8)
                if q is None or re.search(r"\d|纠|维持|败诉|审结|率", after[:q.start]):
                    continue
                if _REVIEW_WORDS.search(after[:q.start]) and "各" not in after[:q.start]:
                    continue        # “行政复议、行政诉讼共3件”: one number for both
                if re.search(r"^[^；;。]*其中[^；;。]*信息公开", t[m.end() + q.end:]):
                    continue        # “行政复议申请35件，其中涉及政府信息公开的0件”: the 35 counts all cases
                expected = _sum_t4(t4, grs, "total")
                evidence = [_ev(s)] + [cell_evidence(report, "table4", g, "total") for g in grs]
                note = _scope_note(report, t[c0:m.start()], t[c0:c1])
                acting = _REVIEW_BODY.search(t[:m.start()])
                if note is None and acting:
                    note = f"“{acting.group(0)}”：可能是本机关作为复议机关或法院受理的案件"
                if note is None and about_disclosure == "context":
                    note = "本句没有写明是政府信息公开引起的案件"
                if expected is not None and q.exact and q.value != expected:
                    out.append(_x4(report, f"正文“{word}{q.text}”", expected, q.value, note, evidence,
                                   f"应等于表四“{word}”总计" + ("（直接起诉 + 复议后起诉）" if len(grs) > 1 else "")))
                # parts after “其中”, up to “；”
                rest = t[m.end() + q.end:]
                stop = min([i for i in (rest.find("；"), rest.find(";"), rest.find("。")) if i != -1] or [len(rest)])
                rest = rest[:stop]
                if not rest.lstrip("，,").startswith("其中"):
                    continue
                for key, pat in _REVIEW_PARTS:
                    pm = re.search(pat, rest)
                    if not pm:
                        continue
                    pq = _part_count(rest, pm)
                    if pq is None:
                        continue
                    exp = _sum_t4(t4, grs, key)
                    if exp is not None and pq.exact and pq.value != exp:
                        out.append(_x4(report, f"正文“{word}……{pm.group(0)}{pq.text}”", exp, pq.value, note,
                                       [_ev(s)] + [cell_evidence(report, "table4", g, key) for g in grs],
                                       f"应等于表四“{word}”的“{pm.group(0)}”"))
    return out


_REVIEW_WORDS = re.compile(r"复议|诉讼|起诉")
# verbs of the body that decides a case (a 复议机关 “受理/办理/审理” 行政复议申请), not of the party to it
_REVIEW_BODY = re.compile(r"受理|办理|审理|承办|收到|接收|办结|作为")
_ALL_UPHELD = re.compile(r"(均|全部|都|皆)(获|被|予以|已被|得到)?(维持|胜诉)|(均|全部|都)(已)?(审结|结案|办结)")
_SUBSET = re.compile(r"其余|除|审结的|结案的|办结的|其他")
_NOT_UPHELD = {"corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结"}


def _all_upheld(report: Report, s: Sentence) -> list[Finding]:
    """“均获维持／均已结案” about 行政复议 or 行政诉讼 while 表四 has 纠正, 其他结果 or 尚未审结 cases (X4)."""
    t4, t = report.table4, s.text
    m = _ALL_UPHELD.search(t)
    if m is None:
        return []
    before = t[:m.start()]
    named = [(w, g) for w, g in (("复议后起诉", ("litigation_after_review",)), ("直接起诉", ("litigation_direct",)),
                                 ("诉讼", ("litigation_direct", "litigation_after_review")), ("复议", ("review",)))
             if w in before]
    if not named or re.search(r"不服|未|没有|无", t[max(0, m.start() - 4):m.start()]):
        return []
    after_named = before[max(before.rfind(w) for w, _ in named):]
    if _SUBSET.search(after_named) or len([q for q in quantities(after_named) if q.unit in ("件", "起", "宗")]) > 1:
        return []       # “已审结的3件均获维持”, “除1件被纠正外，其余均获维持”: only some of the cases
    groups = tuple(dict.fromkeys(g for _, gs in named for g in gs))
    bad_cols = ("pending",) if m.group(0).endswith(("审结", "结案", "办结")) else ("corrected", "other", "pending")
    cells = [(g, k) for g in groups for k in bad_cols if t4.value(g, k)]
    if not cells:
        return []
    what = "、".join(f"{TABLE4_GROUPS[g]}{_NOT_UPHELD[k]} {fmt(t4.value(g, k))} 件" for g, k in cells)
    total = sum(t4.value(g, k) for g, k in cells)
    note = _scope_note(report, before)
    said = f"正文说“{t[max(0, m.start() - 20):m.end()]}”，"
    evidence = (_ev(s),) + tuple(cell_evidence(report, "table4", g, k) for g, k in cells)
    sev = WARNING if note else ERROR
    return [Finding("X4", sev, f"{'口径可能不同（' + note + '）：' if note else '正文与表四不一致：'}{said}但表四有{what}"
                               f"（共 {fmt(total)} 件），应为0。", expected=0, actual=total, evidence=evidence)]


def _part_count(rest: str, pm: re.Match) -> Quantity | None:
    """The count of one 表四 result in “其中…”: written after it in its clause (“维持2件”) or right before it
    (“2件维持原答复”, “1件被纠正”); never a number of the next clause."""
    c0, c1 = clause_bounds(rest, pm.start())
    q = _first_quantity(rest[pm.end():c1], units=("件", "起", "宗", "个"), max_gap=4)
    if q is not None:
        return q
    before = [x for x in quantities(rest[c0:pm.start()]) if x.unit in ("件", "起", "宗", "个")]
    if before and re.fullmatch(r"(被|予以|获|均)?", rest[c0 + before[-1].end:pm.start()]):
        return before[-1]
    return None


def _sum_t4(t4, groups, col):
    vals = [t4.value(g, col) for g in groups]
    return None if any(v is None for v in vals) else sum(vals)


def _x4(report, said, expected, actual, note, evidence, formula) -> Finding:
    if note:
        return Finding("X4", WARNING, f"口径可能不同（{note}）：{said}{formula} {fmt(expected)}，正文为 {fmt(actual)}，"
                                      f"相差 {fmt(abs(actual - expected))}。", expected, actual, tuple(evidence))
    return Finding("X4", ERROR, f"正文与表四不一致：{said}{formula} {fmt(expected)}，正文为 {fmt(actual)}，"
                                f"相差 {fmt(abs(actual - expected))}。", expected, actual, tuple(evidence))


# -- fees (X5, T3-8, T2-7) --------------------------------------------------------------------------
def check_fees(report: Report, index: TextIndex) -> list[Finding]:
    out: list[Finding] = []
    t3 = report.table3
    unpaid = t3.value("other_overdue_fee", "total") if t3 is not None and "other_overdue_fee" in t3.rows else None
    notices, notice_sentence = None, None
    for s in index.sentences:
        m = re.search(r"收费通知", s.text)
        if not m:
            continue
        c0, c1 = clause_bounds(s.text, m.start())
        after = s.text[m.end():]
        q = _first_quantity(after, units=("件", "份", "次", "个"), max_gap=20)
        if q is not None:
            notices, notice_sentence = q.value, s
        elif re.search(r"(均为|为|是)\s*(0|零)|未(发出|发送|开具)", s.text[c0:]) or re.search(r"未(发出|发送|开具)", s.text[:m.start()]):
            notices, notice_sentence = 0, s
        break
    fee_table = report.fees.value(FEES_ROW, "notices") if report.fees is not None else None
    if fee_table is not None:          # the 信息处理费 table of section 六 is the better source
        notices, notice_sentence = fee_table, None
    if unpaid:
        if notices is not None and notices < unpaid:
            out.append(Finding("X5", WARNING, f"表三“（六）2.逾期未按收费通知要求缴纳费用”为 {fmt(unpaid)} 件，说明至少发出了 "
                                              f"{fmt(unpaid)} 份收费通知，但正文写发出收费通知 {fmt(notices)} 件，少 "
                                              f"{fmt(unpaid - notices)} 件。", expected=f"≥{fmt(unpaid)}", actual=notices,
                               evidence=((_ev(notice_sentence),) if notice_sentence is not None else
                                         (cell_evidence(report, "fees", FEES_ROW, "notices"),)) +
                               (cell_evidence(report, "table3", "other_overdue_fee", "total"),)))
        elif notices is None:
            out.append(Finding("T3-8", WARNING, f"表三“（六）2.逾期未按收费通知要求缴纳费用”为 {fmt(unpaid)} 件，即发出过收费通知，"
                                                f"但第六部分没有写明发出收费通知的件数和金额（应不少于 {fmt(unpaid)} 件）。",
                               expected=f"≥{fmt(unpaid)}", actual=None,
                               evidence=(cell_evidence(report, "table3", "other_overdue_fee", "total"),)))
    # T2-7: 行政事业性收费 amounts in the text vs 表二 (万元)
    fee = report.table2.value("administrative_fees", "value") if report.table2 is not None else None
    if fee is not None:
        for s in index.sentences:
            if "行政事业性收费" not in s.text:
                continue
            m = s.text.index("行政事业性收费")
            c0, c1 = clause_bounds(s.text, m)
            money = [q for q in quantities(s.text[m:c1]) if q.is_money and q.exact]
            if not money:
                continue
            q = money[0]
            if abs(q.wan - fee) <= max(0.005, abs(fee) * 1e-4):
                continue
            unit_slip = fee and (abs(q.wan * 1e4 - fee) <= abs(fee) * 1e-3 or abs(q.wan - fee * 1e4) <= abs(q.wan) * 1e-3)
            out.append(Finding("T2-7", WARNING,
                               (f"表二行政事业性收费单位是万元：正文“{q.text}”= {fmt(q.wan)} 万元，表中为 {fmt(fee)}，"
                                f"相差约 10000 倍，可能把“元”填成了“万元”（或相反）。") if unit_slip else
                               (f"正文“{q.text}”= {fmt(q.wan)} 万元，与表二行政事业性收费 {fmt(fee)} 万元不一致，"
                                f"相差 {fmt(round(abs(q.wan - fee), 6))} 万元。"),
                               expected=fee, actual=q.wan,
                               evidence=(_ev(s), cell_evidence(report, "table2", "administrative_fees", "value"))))
    return out


# -- 表二 vs text (T2-8, X7) -----------------------------------------------------------------------------
_DOC_VERBS = r"制定|制发|印发|出台|发布|公开|新增"
_CLEANUP = re.compile(r"清理|过去|以来|至今|累计|现行|有效|历年|以前|此前")
_MADE = re.compile(r"制定|制发|印发|出台")          # the verbs of 本年制发件数 (公开、发布 may be older documents)
_NOT_MADE = re.compile(r"拟|计划|将|预计|草案|起草|征求意见|报送|审核|审查|解读")


def check_documents(report: Report, index: TextIndex) -> list[Finding]:
    out: list[Finding] = []
    t2 = report.table2
    if t2 is None or report.format == "2019":
        return out
    y = report.year
    for s in index.sentences:
        t = s.text
        if "规范性文件" not in t and "规章" not in t and "废止" not in t:
            continue
        # issued: “制定的2个行政规范性文件”, “行政规范性文件34件”, “规章1件”
        for m in re.finditer(r"(行政)?规范性文件|规章", t):
            row = "regulations" if m.group(0) == "规章" else "normative_documents"
            c0, c1 = clause_bounds(t, m.start())
            clause = t[c0:c1]
            if _CLEANUP.search(clause) or "废止" in clause or "失效" in clause:
                continue
            before = t[c0:m.start()]
            q = None
            bq = [x for x in quantities(before) if x.unit in ("个", "件", "份")]
            if bq and re.fullmatch(r"的?", before[bq[-1].end:]) is not None:
                q = _shift(bq[-1], c0)
                verb_zone = before[:bq[-1].start]
            else:
                aq = _first_quantity(t[m.end():c1], units=("件", "个", "份"), max_gap=1)
                if aq is not None:
                    q = _shift(aq, m.end())
                verb_zone = before
            if q is None or not re.search(_DOC_VERBS, verb_zone) or re.search(r"备案|审查|审核|清理", verb_zone):
                continue
            if _JOINT_DOCS.search(t[c0:q.start]):
                continue        # “制定规章和行政规范性文件共3件”: one number for two kinds
            issued = t2.value(row, "issued")
            if issued is None or not q.exact or q.value == issued:
                continue
            explicit = row == "normative_documents" and m.group(1) and y is not None and f"{y}年" in t[max(0, c0 - 40):c1]
            note = _scope_note(report, verb_zone)
            if note is None and (x := _NOT_MADE.search(verb_zone)):
                note = f"“{x.group(0)}”不是本年制发"
            if note is None and (x := re.search("|".join(WHOLE_AREA), verb_zone)):
                note = f"“{x.group(0)}”可能包括各部门的文件"
            if note is None and not _MADE.search(verb_zone):
                note = "“公开／发布”的文件不一定是本年制发的"
            sev = ERROR if explicit and not note else WARNING
            out.append(Finding("T2-8", sev, f"正文“{t[max(c0, q.start - 12):m.end()]}”为 {fmt(q.value)} 件，表二"
                                            f"“{'规章' if row == 'regulations' else '行政规范性文件'}”本年制发件数为 {fmt(issued)}，"
                                            f"相差 {fmt(abs(q.value - issued))}。"
                                            + ("" if sev == ERROR else "（正文未明确为本年制发，或口径可能不同，请核对）"),
                               expected=issued, actual=q.value,
                               evidence=(_ev(s), cell_evidence(report, "table2", row, "issued"))))
        # repealed: “27件废止，11件失效” / “废止3件”
        if "废止" in t and "规范性文件" in (t + (index.previous(s).text if index.previous(s) else "")):
            repealed = t2.value("normative_documents", "repealed")
            rq = _adjacent_count(t, "废止")
            if rq is None or repealed is None or not rq.exact:
                continue
            lapsed = _adjacent_count(t, "失效")
            if rq.value == repealed:
                continue
            if lapsed is not None and lapsed.exact and rq.value + lapsed.value == repealed:
                out.append(Finding("T2-8", INFO, f"表二行政规范性文件本年废止 {fmt(repealed)} 件 = 正文废止 {fmt(rq.value)} 件 + "
                                                 f"失效 {fmt(lapsed.value)} 件：失效文件计入了“废止”，可以接受，建议在正文说明。",
                                   expected=repealed, actual=rq.value + lapsed.value,
                                   evidence=(_ev(s), cell_evidence(report, "table2", "normative_documents", "repealed"))))
                continue
            cleanup = bool(_CLEANUP.search(t))
            extra = f" + 失效 {fmt(lapsed.value)} 件 = {fmt(rq.value + lapsed.value)}" if lapsed is not None else ""
            out.append(Finding("T2-8", WARNING, f"正文写废止 {fmt(rq.value)} 件{extra}，表二行政规范性文件本年废止件数为 "
                                                f"{fmt(repealed)}，相差 {fmt(abs(rq.value - repealed))}。"
                                                + ("正文是文件清理结果，清理范围可能包括其他单位或往年的文件（口径可能不同），请核对。"
                                                   if cleanup else ""),
                               expected=repealed, actual=rq.value,
                               evidence=(_ev(s), cell_evidence(report, "table2", "normative_documents", "repealed"))))
    out += _in_force_claims(report, index)
    # X7: 主动公开 total vs 表二 issued
    issued_sum = [t2.value(r, "issued") for r in ("regulations", "normative_documents")]
    if all(v is not None for v in issued_sum):
        for s in index.in_sections("s1_overview"):
            m = re.search(r"主动公开", s.text)
            if not m:
                continue
            c0, c1 = clause_bounds(s.text, m.start())
            after = s.text[m.end():c1]
            q = _first_quantity(after, units=("条", "件", "个"), max_gap=25)
            if q is None or "信息" not in after[:q.start] or re.search(r"规章|规范性文件|\d", after[:q.start]):
                continue
            if q.value < sum(issued_sum):
                out.append(Finding("X7", INFO, f"正文主动公开政府信息 {fmt(q.value)} 条，少于表二本年制发的规章和行政规范性文件之和 "
                                               f"{fmt(sum(issued_sum))} 件（差 {fmt(sum(issued_sum) - q.value)}）：制发的文件一般都应主动公开。",
                                   expected=f"≥{fmt(sum(issued_sum))}", actual=q.value,
                                   evidence=(_ev(s), cell_evidence(report, "table2", "regulations", "issued"),
                                             cell_evidence(report, "table2", "normative_documents", "issued"))))
            break
    return out


def _in_force_claims(report: Report, index: TextIndex) -> list[Finding]:
    """“现行有效（行政）规范性文件N件” / “规范性文件……现行有效N件” vs 表二 现行有效件数 (T2-8)."""
    out: list[Finding] = []
    t2 = report.table2
    for s in index.sentences:
        t = s.text
        if "现行有效" not in t:
            continue
        for m in re.finditer(r"现行有效", t):
            c0, c1 = clause_bounds(t, m.start())
            zone = t[max(0, c0 - 30):c1]
            doc = re.search(r"(行政)?规范性文件|规章", zone)
            if doc is None or re.search(r"新增|增加|减少|新制定|净增", t[c0:m.start()]):
                continue        # “新增现行有效…1件”: a change, not the number in force
            row = "regulations" if doc.group(0) == "规章" else "normative_documents"
            after = t[m.end():c1]
            q = _first_quantity(after, units=("件", "个", "份"), max_gap=14)
            if q is None or not q.exact or re.search(r"\d", after[:q.start]):
                continue
            in_force = t2.value(row, "in_force")
            if in_force is None or q.value == in_force:
                continue
            if _JOINT_DOCS.search(t[c0:c1]):
                continue        # “现行有效规章和行政规范性文件共5件”, “…文件及部门文件56件”: one number for two kinds
            name = "规章" if row == "regulations" else "行政规范性文件"
            qend = m.end() + q.end
            note = _scope_note(report, t[c0:m.start()], t[c0:m.end() + q.start]) or \
                (f"含“{x.group(0)}”" if (x := re.search(r"清理|累计|以来|历年|全市|全区|全县|全省", zone)) else None) or \
                (f"“{x.group(0)}”的文件可能另有口径" if (x := _DOC_WORK.search(t[c0:c1])) else None) or \
                ("括号内说明了口径" if re.match(r"[（(][^）)]*(含|包括|其中)", t[qend:c1]) else None)
            explicit = row == "regulations" or bool(doc.group(1))
            sev = ERROR if explicit and not note else WARNING
            out.append(Finding("T2-8", sev, f"正文“{t[c0:c1]}”写现行有效 {fmt(q.value)} 件，表二“{name}”现行有效件数为 "
                                            f"{fmt(in_force)}，相差 {fmt(abs(q.value - in_force))}。"
                                            + ("" if sev == ERROR else f"（{note or '正文未写明是行政规范性文件'}，口径可能不同，请核对）"),
                               expected=in_force, actual=q.value,
                               evidence=(_ev(s), cell_evidence(report, "table2", row, "in_force"))))
            break
    return out


_JOINT_DOCS = re.compile(r"(规章|规范性文件)(和|及|与|、|以及)|(和|及|与|、|以及)(行政)?(规章|规范性文件)|文件(和|及|与)")
# work done on a set of documents (a 目录, a review, documents passed on from above): the set may differ
_DOC_WORK = re.compile(r"梳理|审查|评估|收录|转发|目录|汇编|备案|审核|上级|省级|市级")


def _adjacent_count(text: str, word: str) -> Quantity | None:
    """“27件废止” or “废止27件”: the count written right next to a word."""
    for m in re.finditer(word, text):
        before = [q for q in quantities(text[max(0, m.start() - 8):m.start()]) if q.unit in ("件", "个", "份")]
        if before and text[max(0, m.start() - 8):m.start()].endswith(before[-1].text.split()[-1]) and \
                max(0, m.start() - 8) + before[-1].end == m.start():
            return before[-1]
        after = _first_quantity(text[m.end():], units=("件", "个", "份"), max_gap=1)
        if after is not None:
            return after
    return None


# -- X6: parts vs total inside the text ---------------------------------------------------------------
def _compatible(a: Quantity, b: Quantity) -> bool:
    if a.is_money or b.is_money:
        return a.is_money and b.is_money
    return a.unit == b.unit or {a.unit, b.unit} <= {"件", "个", "份"}


def check_parts(report: Report, index: TextIndex) -> list[Finding]:
    out: list[Finding] = []
    for s in index.sentences:
        if s.top in ("s2_proactive", "s3_requests", "s4_review_litigation") and "其中" not in s.text:
            continue
        t = s.text
        for m in re.finditer(r"其中", t):
            before_qs = [q for q in quantities(t[:m.start()]) if not q.in_brackets and not is_percent_after(t, q.end)]
            region = t[m.end():]
            cut = min([i for i in (region.find("；"), region.find(";"), region.find("其中")) if i != -1] or [len(region)])
            ends_at_next = region.find("其中") == cut and cut != len(region)
            region = region[:cut]
            parts = [q for q in quantities(region) if not q.in_brackets and not is_percent_after(region, q.end)]
            if ends_at_next and parts:
                parts = parts[:-1]          # the total of the next “其中”
            if not parts:
                continue
            prev = None
            if before_qs:
                totals = [before_qs[-1]]
                same_sentence = True
            else:
                prev = index.previous(s)
                if prev is None or m.start() > 2:
                    continue
                totals = [q for q in quantities(prev.text) if not q.in_brackets and not is_percent_after(prev.text, q.end)]
                same_sentence = False
            if not totals or not all(_compatible(p, totals[0]) for p in parts):
                continue
            totals = [q for q in totals if _compatible(q, parts[0])]
            if not totals:
                continue
            money = parts[0].is_money
            val = (lambda q: q.wan) if money else (lambda q: q.value)
            psum = round(sum(val(p) for p in parts), 6)
            evidence = (_ev(s),) if prev is None else (_ev(prev), _ev(s))
            shown = " + ".join(p.text for p in parts)
            if not same_sentence:
                if any(psum == val(q) for q in totals):
                    continue
                top = max(totals, key=val)
                if all(p.exact for p in parts) and top.exact and psum > val(top):
                    out.append(Finding("X6", WARNING, f"分项之和大于总数：上一句总数 {top.text}，本句“其中”分项 {shown} = "
                                                      f"{fmt(psum)}，多出 {fmt(round(psum - val(top), 6))}。",
                                       expected=val(top), actual=psum, evidence=evidence))
                continue
            total = totals[0]
            tv = val(total)
            if psum == tv:
                continue
            mixed_units = money and len({p.unit for p in parts} | {total.unit}) > 1
            tiny = tv and abs(psum - tv) <= abs(tv) * 1e-3
            if psum > tv:
                if not all(p.exact for p in parts) or (not total.exact and total.approx_word not in ("约", "近", "大约", "将近")):
                    continue
                if not total.exact and psum <= tv * 1.05:
                    continue
                sev = INFO if (tiny or mixed_units) else WARNING
                out.append(Finding("X6", sev, f"分项之和大于总数：总数 {total.text}，其中分项 {shown} = {fmt(psum)}，"
                                              f"多出 {fmt(round(psum - tv, 6))}。", expected=tv, actual=psum, evidence=evidence))
            else:
                if not total.exact or len(parts) < 2:
                    continue
                partial = re.search(r"等|主要|包括|部分|重点", region)
                if tiny or mixed_units:
                    sev = INFO
                elif len(parts) >= 3 and not partial:
                    sev = WARNING
                else:
                    sev = INFO
                out.append(Finding("X6", sev, f"分项之和小于总数：总数 {total.text}，其中分项 {shown} = {fmt(psum)}，"
                                              f"少 {fmt(round(tv - psum, 6))}" +
                                   ("（金额单位混用：亿元与万元）" if mixed_units else "") +
                                   "。若分项已列全，两者应相等。", expected=tv, actual=psum, evidence=evidence))
    return out
