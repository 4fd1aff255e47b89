"""Question understanding: which agencies, years, figures and operation a question (or a follow-up) asks for.

`parse_question` is rule-based and pure: it resolves agency mentions against the library's agencies
(assistant.aliases), reads years (2024年, 去年, 近三年), picks metrics from the lexicon (assistant.metrics),
decides the operation (value, list, compare, rank, sum, difference, growth, ratio, check, draft, open,
out_of_scope) and, for a follow-up, fills what the question leaves out from the previous turn.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from assistant.metrics import (Metric, asks_text, breakdown_of, column_in_text, metrics_in_text, quantity_metric, text_subjects,
                               with_column, without_generic_words)
from assistant.aliases import (departments_of_held_places, find_agencies, find_near_agencies, find_unknown_agencies,
                               nearest_agencies, resolve_agency)

OPERATIONS = ("value", "list", "compare", "rank", "sum", "difference", "growth", "ratio", "check", "draft",
              "open", "out_of_scope")


@dataclass
class Query:
    text: str
    agencies: list[str] = field(default_factory=list)          # full names, in the order named
    years: list[int] = field(default_factory=list)             # ascending
    metrics: list[Metric] = field(default_factory=list)
    column: str | None = None                                  # 表三 column qualifier (natural_person …)
    operation: str = "open"
    section: str | None = None                                 # s1_overview … s6_other
    tables: list[str] = field(default_factory=list)            # whole tables named (表三 → table3)
    is_followup: bool = False
    all_agencies: bool = False                                 # “这些年报里 / 哪些单位”: the whole library
    unknown_agencies: list[str] = field(default_factory=list)  # named, but not in the library
    suggestions: dict[str, list[str]] = field(default_factory=dict)  # unknown mention → near library agencies
    mentions: list[tuple[str, str]] = field(default_factory=list)    # (mention, agency)
    out_of_scope_reason: str | None = None
    text_subjects: list[str] = field(default_factory=list)    # 热线/诉求/公文…: a quantity only the text gives
    breakdown: bool = False                                    # “都是什么结果”: every part of the figure
    other_years: bool = False                                  # “那另外两年呢？”: the agency's other reports
    per: Metric | None = None                                  # “占办理结果总计的比例”: the ratio's denominator
    name_notes: list[str] = field(default_factory=list)       # which held unit a misprinted name was matched to
    season: str | None = None                                  # “哪些单位还没有发布” unpublished / “逾期发布的” late:
                                                               # a question about the roster, answered from the board

    @property
    def metric_keys(self) -> list[str]:
        return [m.key for m in self.metrics]


# -- years ----------------------------------------------------------------------------------------
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_YEAR = re.compile(r"(?<![\d〔\[［])((?:19|20)\d{2})(?!\d)")
_YEAR_RANGE = re.compile(r"((?:19|20)\d{2})\s*(?:年)?\s*(?:至|到|-|—|~|～)\s*((?:19|20)\d{2})\s*年")
_RELATIVE = (("前年", -2), ("去年", -1), ("上一年", -1), ("上年", -1), ("今年", 0), ("本年度", 0), ("明年", 1))
_RECENT = re.compile(r"近([两二三四五六七八九十2-9])年")
_CN_SMALL = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _explicit_years(text: str) -> list[int]:
    years: set[int] = set()
    for m in _YEAR_RANGE.finditer(text):
        a, b = sorted((int(m.group(1)), int(m.group(2))))
        if b - a <= 20:
            years.update(range(a, b + 1))
    cands = list(_YEAR.finditer(text))
    accepted: set[int] = set()
    # A year is followed by 年 (2024年, 2024年度, 2024年报), or by 、/和 and another accepted year (2023、2024年).
    for m in reversed(cands):
        after = text[m.end():m.end() + 12]
        nxt = re.match(r"\s*(?:、|和|与|及|,|，|/)\s*((?:19|20)\d{2})", after)
        if re.match(r"\s*(?:[两二三四五六七八九十]个?)?年", after) or (nxt and int(nxt.group(1)) in accepted):
            accepted.add(int(m.group(1)))
    return sorted(years | accepted)


_VS_LAST_YEAR = re.compile(r"(比|较|同|与|和|跟|相比|对比)(上年|去年|上一年)|同比|环比")


def _relative_years(text: str, base: int | None) -> list[int]:
    if base is None:
        return []
    out = []
    if _VS_LAST_YEAR.search(text):          # “2024年比上年增长多少”: both years
        out += [base - 1, base]
    for word, delta in _RELATIVE:
        for m in re.finditer(word, text):
            if word in ("上年", "上一年", "本年度") and re.match(r"度?(结转|新收|制发|废止)", text[m.end():]):
                continue          # 上年结转 / 本年度…: table words, not years
            if word == "上年" and m.start() > 0 and text[m.start() - 1] in "本":
                continue
            out.append(base + delta)
    m = _RECENT.search(text)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else _CN_SMALL[m.group(1)]
        out.extend(range(base - n + 1, base + 1))
    return out


# -- sections and tables --------------------------------------------------------------------------
_SECTIONS = (
    (r"第一部分", "s1_overview"), (r"第二部分", "s2_proactive"), (r"第三部分", "s3_requests"),
    (r"第四部分", "s4_review_litigation"), (r"第五部分", "s5_problems"), (r"第六部分", "s6_other"),
    (r"存在的主要问题|主要问题及改进|改进情况|问题整改|整改情况|存在问题", "s5_problems"),
    (r"其他需要报告的事项|信息处理费|收费通知", "s6_other"),
    (r"总体情况", "s1_overview"),
    (r"主动公开政府信息情况", "s2_proactive"),
    (r"收到和处理政府信息公开申请情况", "s3_requests"),
    (r"行政复议、行政诉讼情况|复议诉讼情况", "s4_review_litigation"),
)
_TABLES = ((r"表二|表2|主动公开情况表", "table2"), (r"表三|表3", "table3"), (r"表四|表4", "table4"))

# -- scope ----------------------------------------------------------------------------------------
_PERSONAL = re.compile(r"谁申请|是谁(提出|申请|提交)|申请人(的)?(都|分别)?(是谁|有谁|有哪些人|是哪些人|姓名|名字|身份|电话|手机|住址|地址|联系方式|单位)"
                       r"|哪些人(申请|提出)|谁(提出|提交)了?申请"
                       r"|身份证|手机号|电话号码|家庭住址|申请了什么|申请的(具体)?内容|申请(事项|内容)(分别)?是什么")
_LEGAL = re.compile(r"(能不能|能否|会不会|有没有可能|可能|是否会|有没有希望)(胜诉|败诉|打赢|赢)|胜诉的?(可能|概率|把握|几率)"
                    r"|先复议还是|复议还是(直接)?(起诉|诉讼)|该不该(起诉|复议)|要不要(起诉|复议)|怎么(起诉|打官司)|打官司"
                    r"|帮我判断.{0,6}(胜诉|败诉|赢)")
_NOT_IN_REPORTS = re.compile(r"(党委书记|党工委书记|书记|镇长|乡长|县长|区长|市长|省长|局长|主任|负责人|领导)(是谁|叫什么|的名字)"
                             r"|人口|GDP|生产总值|财政收入|面积多大|面积是|天气|房价|工资")
# a month's or a quarter's figures: an annual report has the year's only (dates of publication are not figures)
_PART_OF_YEAR = re.compile(r"(?<!\d)(1[0-2]|[1-9]|[一二三四五六七八九十]|十[一二])\s*月份?(?![\d一二三四五六七八九十]*\s*[日号])"
                           r"|第?[一二三四1-4]季度|上半年|下半年|每月|月度|每个月|逐月")
_DATE_WORDS = re.compile(r"发布|落款|日期|时限|逾期|按时|及时|印发|成文")
_CONTACT = re.compile(r"联系人|经办人|联系电话|咨询电话|办公电话|电话号码|手机号?|联系方式|电子邮箱|邮箱|传真|电话")
_CALLS = re.compile(r"热线|来电|接听|接到|受理|话务|工单")          # 12345热线电话受理多少件: a figure the text may give
_FORECAST = re.compile(r"(?<![开召])会(收到|有|达到|超过|增加|减少|增长|下降|是多少)|将(会|要)?(收到|达到|超过)|预计|预测|估计|"
                       r"明年|下一年|今后|未来")
_REASONS = {
    "forecast": "政府信息公开工作年度报告只记录已经过去的年度的情况，没有对今后数字的预测，资料库无法回答。",
    "personal": "年度报告只公布统计数字，没有申请人的身份、申请内容等个人信息，资料库中也没有，不能提供。",
    "legal": "问题要求对具体案件给出法律判断或预测胜败诉，超出年度报告的内容；只能指出《政府信息公开条例》"
             "《行政复议法》《行政诉讼法》等一般规定，具体请咨询法律顾问。",
    "not_in_reports": "政府信息公开工作年度报告不涉及领导姓名、人口、经济数据等内容，资料库中没有这类信息。",
    "part_of_year": "政府信息公开工作年度报告只公布全年的统计数字，没有按月份或季度分列的数字，资料库无法回答。",
    "contact": "政府信息公开工作年度报告不载明联系人及其电话、邮箱等联系方式，资料库中没有这类信息。",
}

# -- operations -----------------------------------------------------------------------------------
_DRAFT = re.compile(r"起草|草拟|拟写|撰写|代写|帮我写|帮.{0,8}写|写一段|写一份|写个|写一下|改写|改得|修改一下|润色"
                    r"|完善一下|补全|列一个|列个|清单|提纲|模板|范文")
_CHECK = re.compile(r"核对|核实|核查|校验|检查|审核|勾稽|对不对|对吗|是否正确|正确吗|一致吗|是否一致|是否相符|相符吗"
                    r"|是否等于|等于.{0,40}吗|加起来.{0,6}(对|等于)|衔接|对得上|对上|填错|写错|填完整|完整吗|是否完整|填全|有没有问题|有无问题"
                    r"|有问题吗|是不是.{0,6}错|有没有错|矛盾|合理吗")
# “政务新媒体是怎么检查的”: how the unit checks something is a text question, not a request to check
_HOW = re.compile(r"(怎么|如何|怎样|是怎么|是如何)(开展|进行|做好?|组织)?的?(检查|审核|核查|校验)")
_RANK = re.compile(r"排序|排名|排一下|排个序|排列|从多到少|从少到多|从高到低|从低到高|从大到小|从小到大|最多|最少|最高"
                   r"|最低|最大|最小|前[0-9一二三四五六七八九十]+(名|位)")
_GROWTH = re.compile(r"增长|增加|减少|下降|上升|变化|增幅|降幅|同比|环比|多了|少了|涨|趋势|较上年|比上年|比去年")
_DIFFERENCE = re.compile(r"多多少|少多少|差多少|相差|差距|差额|多了多少|少了多少|高多少|低多少|多几|少几")
_RATIO = re.compile(r"占比|比例|比重|百分之几|百分比|占.{0,12}(多少|几成|几)")
_SUM = re.compile(r"加起来|相加|总和|之和|加总|合计是?多少|一共多少|总共多少|共计多少")
_SUM_MULTI = re.compile(r"一共|总共|合计|共计")
_COMPARE = re.compile(r"比较|对比|相比|比一比|分别|谁的|谁更|哪个更|哪家更|哪个单位更|哪一个更|差别|区别")
_LIST = re.compile(r"哪些(单位|年报|报告|机关|部门)|哪几(家|个单位|份)|有哪些单位|列出(所有|哪些)?")
_ALL = re.compile(r"这些年报|这几份|这几个单位|各单位|各个单位|所有单位|全部单位|所有年报|全部年报|哪个单位|哪些单位"
                  r"|哪家|哪几家|哪些年报|哪份|哪些报告|哪些机关|哪个机关|资料库里")

_BREAKDOWN = re.compile(r"(都|分别|各)是?(什么|哪些|怎样|怎么样)的?结果|结果(如何|怎样|怎么样|分别|都是|是什么|有哪些)"
                        r"|什么结果|哪些结果|结果分布|构成|明细|分项|各项|具体(是|为)?(哪些|多少)|都有哪些|分别(是|为)?多少")
_OTHER_YEARS = re.compile(r"(另外|其他|其余|剩下|别的)的?([一两二三四五六七八九几\d]+)?(个)?(年|年份|年度)")
_THESE_AGENCIES = re.compile(r"这几家|这两家|这些单位|这几个单位|上述单位|上面(这些|几家|的单位)|以上单位|它们|他们")
_FOLLOWUP_START = re.compile(r"^(那|那么|它|它们|他们|她们|其|该单位|该|这个单位|这家|同期|还有|再看|再查|换成|改成|和|跟|与|同|对比|比较)")
_FOLLOWUP_END = re.compile(r"呢[？?。！!\s]*$")
_ADD_COMPARE = re.compile(r"(和|跟|与|同)[^，。？！,?!]{0,20}(比|相比|对比|比较)|^(对比|比较)")


def _operation(text: str, n_agencies: int, n_years: int, metrics: Sequence[Metric], all_agencies: bool) -> str:
    if _DRAFT.search(text):
        return "draft"
    if _CHECK.search(text) and not _HOW.search(text):
        return "check"
    if _RANK.search(text) and _SUM.search(text) and n_agencies >= 2:
        return "sum"                  # “这几家单位合计多少？哪家最多？”: the sum, then the ranking
    if _RANK.search(text):
        return "rank"
    diff = _DIFFERENCE.search(text)
    if n_years >= 2 and n_agencies <= 1 and (_GROWTH.search(text) or diff):
        return "growth"
    if diff:
        return "difference" if n_agencies >= 2 or all_agencies or n_years < 2 else "growth"
    if _RATIO.search(text) and not any(m.unit == "%" for m in metrics):
        return "ratio"
    if _SUM.search(text) and (n_agencies >= 2 or n_years >= 2 or all_agencies or "分项" in text or "各" in text):
        return "sum"
    if _SUM_MULTI.search(text) and (n_agencies >= 2 or n_years >= 2) and not _COMPARE.search(text):
        return "sum"
    if _LIST.search(text):
        return "list"
    if n_agencies >= 2 or (_COMPARE.search(text) and (n_agencies >= 2 or all_agencies or n_years >= 2)):
        return "compare"
    if all_agencies and metrics:
        return "compare"
    if n_years >= 2 and metrics:
        return "growth" if _GROWTH.search(text) else "compare"
    if metrics:
        return "value"
    return "open"


def _out_of_scope(text: str) -> str | None:
    if _PERSONAL.search(text):
        return _REASONS["personal"]
    if _LEGAL.search(text):
        return _REASONS["legal"]
    if _NOT_IN_REPORTS.search(text):
        return _REASONS["not_in_reports"]
    if _CONTACT.search(text) and not _CALLS.search(text):
        return _REASONS["contact"]
    if _PART_OF_YEAR.search(text) and not _DATE_WORDS.search(text):
        return _REASONS["part_of_year"]
    if _FORECAST.search(text):
        return _REASONS["forecast"]
    return None


def parse_question(q: str, agencies: Sequence[str], history: Sequence[Query] = (),
                   latest_year: int | None = None) -> Query:
    """Understand one question. `agencies` are the full names in the library; `history` holds the earlier
    turns (already parsed), the last one last; `latest_year` is the library's latest report year, the
    fallback base of 今年/去年 when neither the question nor the earlier turns name a year."""
    text = (q or "").strip().translate(_DIGITS)
    mentions = find_agencies(text, agencies)
    # 淮安市教育局 when only 淮安市人民政府 is held: the department is not held, never its government
    departments = departments_of_held_places(text, mentions, agencies)
    mentions = [(m, a) for m, a in mentions if not any(m == d[0] or m in d[2] for d in departments)]
    unknown = [u for u in find_unknown_agencies(text, agencies) if not any(u in d[1] for d in departments)]
    unknown = list(dict.fromkeys(unknown + [d[1] for d in departments]))
    name_notes: list[str] = []
    for near in find_near_agencies(text, agencies):   # one character off a held unit's place: that unit, said so
        unknown = [u for u in unknown if not (u in near.mention or near.mention in u)]
        mentions = [(m, a) for m, a in mentions if m not in near.mention]
        mentions.append((near.mention, near.agency))
        name_notes.append(near.note())
    named = list(dict.fromkeys(a for _, a in mentions))
    suggestions = {u: (resolve_agency(u, agencies) or nearest_agencies(u, agencies))[:3] for u in unknown}
    suggestions = {u: s for u, s in suggestions.items() if s}
    # Agency names out of the text before reading metrics (企业服务和工信局 is not the column 企业).
    rest = text
    for mention, _ in sorted(mentions, key=lambda x: -len(x[0])):
        rest = rest.replace(mention, "＃")
    for u in unknown:
        rest = rest.replace(u, "＃")

    # “结转至2026年” is the 结转下年 of the 2025 report; “从2024年结转来的” the 上年结转 of the 2025 report
    into = _INTO_YEAR.search(rest)
    carried_years: list[int] = []
    if into:
        carried_years.append(int(into.group(1)) - 1)
        rest = rest[:into.start()] + "结转下年度" + rest[into.end():]
    came = _FROM_YEAR.search(rest)
    if came:
        carried_years.append(int(came.group(1)) + 1)
        rest = rest[:came.start()] + "上年结转" + rest[came.end():]

    # The turn a follow-up continues: the last one that was answerable.
    prev = next((h for h in reversed(history) if h.operation != "out_of_scope"), None)
    explicit = sorted(set(_explicit_years(rest)) | set(carried_years))
    base = max(explicit) if explicit else (max(prev.years) if prev and prev.years else latest_year)
    years = sorted(set(explicit) | set(_relative_years(rest, base)))

    prev_t2_row = next((m.row for m in (prev.metrics if prev else []) if m.table == "table2"), None)
    metrics = metrics_in_text(rest, prev_t2_row)
    subjects = text_subjects(rest)
    if asks_text(rest) and re.search(r"多少|几", rest) and not _CHECK.search(rest):
        metrics = [quantity_metric(rest)]            # “正文称……多少件”: the text's own figure, quoted
    elif subjects and "政府信息公开申请" not in rest:
        # 热线受理诉求 / 印发公文: no table field; one is used only when the question names it
        metrics = metrics_in_text(without_generic_words(rest), prev_t2_row)
        if not metrics and re.search(r"多少|几|数量|是否|有没有", rest):
            metrics = [quantity_metric(rest)]
    metrics = _every_part(rest, metrics, prev_t2_row)
    columns = column_in_text(rest)
    section = next((key for pattern, key in _SECTIONS if re.search(pattern, rest)), None)
    if section is None:
        section = next((m.section for m in metrics if m.table == "text"), None)
    tables = [t for pattern, t in _TABLES if re.search(pattern, rest)]
    all_agencies = bool(_ALL.search(rest)) and not named and not unknown
    if prev is not None and _THESE_AGENCIES.search(rest) and len(prev.agencies) >= 2 and not named:
        all_agencies = False                         # “这几家单位合计多少？哪家最多？”: the previous turn's units

    query = Query(text=q, agencies=named, years=years, metrics=metrics, column=columns[0] if columns else None,
                  section=section, tables=tables, all_agencies=all_agencies, unknown_agencies=unknown,
                  suggestions=suggestions, mentions=mentions, text_subjects=subjects,
                  breakdown=bool(_BREAKDOWN.search(rest)), other_years=bool(_OTHER_YEARS.search(rest)),
                  name_notes=name_notes)

    reason = _out_of_scope(rest)
    season = _season(rest) if not (named or unknown or reason) else None
    if prev is not None and not season and _is_followup(query, rest):
        if reason:      # “它的党委书记是谁？”: keep who and when, nothing else
            query.is_followup = True
            if not (query.agencies or query.unknown_agencies):
                query.agencies = list(prev.agencies)
            query.years = query.years or list(prev.years)
        else:
            _merge_followup(query, prev, rest)
    if query.breakdown and query.metrics and not reason:
        query.metrics = list(dict.fromkeys(p for m in query.metrics for p in breakdown_of(m)))
    if reason:
        query.operation, query.out_of_scope_reason = "out_of_scope", reason
        query.metrics = []
    elif not query.is_followup:
        query.operation = _operation(rest, len(query.agencies) + len(query.unknown_agencies), len(query.years),
                                     query.metrics, query.all_agencies)
    if query.operation == "ratio":
        _split_ratio(query, rest, prev)
    if season:
        query.season, query.operation, query.all_agencies, query.metrics = season, "list", True, []
    return query


# The season (issue 25): who has not published, who published late — about the roster's units, not a report's text.
_SEASON_LATE = re.compile(r"(逾期|超期|超过时限|晚于时限|未按时|没有按时|没按时|迟)(发布|公开|上网|报送|挂网)|逾期的单位")
_SEASON_MISSING = re.compile(r"(没有|没|未|尚未|还未)(发布|公开|上网|报送|挂网|报)(?!.{0,6}(情况|信息|数量|件数))")
_SEASON_REPORT = re.compile(r"年报|年度报告|报告|发布|上网|挂网")
_SEASON_WHO = re.compile(r"哪些|哪几|哪个|哪家|谁|名单|有几|几家|几个|多少(个|家)|列出|还有")


def _season(rest: str) -> str | None:
    if not _SEASON_WHO.search(rest):
        return None
    if _SEASON_LATE.search(rest):
        return "late"
    if _SEASON_MISSING.search(rest) and _SEASON_REPORT.search(rest):
        return "unpublished"
    return None


_INTO_YEAR = re.compile(r"(?:结转|顺延|转)(?:至|到|入)\s*((?:19|20)\d{2})\s*年度?(?:继续办理|办理|处理)?")
_FROM_YEAR = re.compile(r"(?:从|由)\s*((?:19|20)\d{2})\s*年度?(?:结转|转入|转)(?:过来|而来|来)?")
_PARTS = re.compile(r"[？?；;]")


def _every_part(rest: str, metrics: list[Metric], prev_t2_row: str | None) -> list[Metric]:
    """“行政复议共多少件？其中尚未审结多少件？”: each question's own figure as well as what the whole text
    names (the later part's qualifier would otherwise replace the earlier part's total)."""
    parts = [p for p in _PARTS.split(rest) if p.strip()]
    if len(parts) < 2 or any(m.table == "text" for m in metrics):
        return metrics
    out: list[Metric] = []
    for part in parts:
        own = [m for m in metrics_in_text(part, prev_t2_row) if m.table != "text"]
        out += [m for m in own if m not in out]
    return list(dict.fromkeys(out + [m for m in metrics if m not in out])) if out else metrics


_PER = re.compile(r"占([^，。？！,?!]{1,16}?)(的)?(比例|比重|百分比|多少|几成|几)")


def _split_ratio(query: Query, rest: str, prev: Query | None) -> None:
    """“部分公开占办理结果总计的比例” / follow-up “占办理总数的比例是多少？”: the figure after 占 is the
    denominator; the part is the other figure named, or the previous turn's."""
    m = _PER.search(rest)
    if not m:
        return
    per = [x for x in metrics_in_text(m.group(1)) if x.table != "text"]
    if not per:
        return
    parts = [x for x in query.metrics if x not in per]
    if not parts and prev is not None and query.is_followup:
        parts = [x for x in prev.metrics if x not in per]
    if parts:
        query.metrics, query.per = parts, per[0]


def _is_followup(query: Query, rest: str) -> bool:
    """A turn is a follow-up when it says so (那…/它的…/…呢？/和…比) or lacks its subject or its object."""
    has_subject = bool(query.agencies or query.unknown_agencies or query.all_agencies)
    has_object = bool(query.metrics or query.tables or query.section)
    if has_subject and has_object and query.years and _explicit_years(rest) and not _ADD_COMPARE.search(rest):
        return False       # its own unit, year and measure: a new question, whatever word it starts with
    if _FOLLOWUP_START.search(rest) or _FOLLOWUP_END.search(rest):
        return True
    if has_subject and has_object:
        return False
    if has_subject or has_object or query.years:
        return True
    # Neither who nor what: a bare operation (“多多少？”) continues; a new task (“列一个自查清单”) does not.
    return _operation(rest, 2, 1, (), False) in ("difference", "growth", "compare", "rank", "sum", "ratio") \
        or len(rest.strip("？?。！! ")) <= 6


def _merge_followup(query: Query, prev: Query, rest: str) -> None:
    """Fill what a follow-up leaves out from the previous turn and set its operation:
    “那2023年呢？” changes the year, “它的行政处罚呢？” the metric, “和常德经开区比呢？” adds an agency
    (a compare), “和2022年比呢？” adds a year (a growth)."""
    query.is_followup = True
    adds = bool(_ADD_COMPARE.search(rest))
    new_agencies, new_years = list(query.agencies), list(query.years)
    has_object = bool(query.metrics or query.tables or query.section)
    if query.agencies:
        if adds:
            query.agencies = list(dict.fromkeys(prev.agencies + query.agencies))
    elif not query.unknown_agencies and not query.all_agencies:
        query.agencies = list(prev.agencies)
        query.all_agencies = prev.all_agencies
    if not new_years:
        query.years = list(prev.years)
    elif adds and not new_agencies:
        query.years = sorted(set(prev.years) | set(new_years))
    if not has_object:
        query.metrics = list(prev.metrics)
        query.tables = list(prev.tables)
        query.section = prev.section
        if query.column is None:
            query.column = prev.column
    if query.column and query.metrics:
        query.metrics = list(dict.fromkeys(with_column(m, query.column) for m in query.metrics))
    # Its own operation words (比较, 多多少, 排名 …) win; otherwise the previous turn's operation carries on.
    own_words = _operation(rest, 1, 1, query.metrics, False)
    if adds and new_agencies and len(query.agencies) > len(prev.agencies):
        op = "compare" if own_words in ("value", "open") else own_words
    elif adds and new_years and len(query.years) > len(prev.years):
        # “和2022年比呢？” / “同比增长了百分之几？”: a change between the years
        op = "growth" if own_words in ("value", "open") or _GROWTH.search(rest) else own_words
    elif own_words in ("value", "open") and not (new_agencies or query.unknown_agencies) \
            and prev.operation not in ("out_of_scope", "value", "open", "draft", "check"):
        op = prev.operation
    elif own_words in ("value", "open") and prev.operation == "check" and not has_object:
        op = "check"                 # “那2023年呢？” / “那另外两年呢？” after a check: the same check
    else:
        op = _operation(rest, len(query.agencies) + len(query.unknown_agencies), len(query.years),
                        query.metrics, query.all_agencies)
    query.operation = op
