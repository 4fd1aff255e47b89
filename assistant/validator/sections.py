"""Rules on the report's prose alone: sections B1–B3, B8, B9; dates D1–D4; the cited basis document F3."""
from __future__ import annotations

import re
from datetime import date

from assistant.validator.findings import ERROR, INFO, WARNING, Evidence, Finding, sentence_evidence
from assistant.validator.textindex import Sentence, TextIndex, squash
from assistant.units import DeadlinePolicy, unit_kind
from ingest.report import Report
from ingest.schema import SECTIONS


def _ev(s: Sentence) -> Evidence:
    return sentence_evidence(s.section, s.text)


# -- structure of the prose (B1–B3, B8, B9) ---------------------------------------------------------
_HEADING_VARIANTS = {
    "s1_overview": ("总体情况",),
    "s2_proactive": ("主动公开政府信息情况",),
    "s3_requests": ("收到和处理政府信息公开申请情况",),
    "s4_review_litigation": ("政府信息公开行政复议行政诉讼情况", "因政府信息公开工作被申请行政复议和提起行政诉讼情况",
                             "政府信息公开行政复议和行政诉讼情况"),
    "s5_problems": ("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况", "存在的主要问题及改进措施",
                    "政府信息公开工作存在的主要问题及改进措施"),
    "s6_other": ("其他需要报告的事项", "其他需报告的事项"),
}


# words that show a part's content is there even when its heading was renumbered, renamed or merged
_SECTION_WORDS = {
    "s1_overview": r"总体情况",
    "s2_proactive": r"主动公开政府信息情况|主动公开情况|主动公开政府信息",
    "s3_requests": r"收到和处理政府信息公开申请|依申请公开情况|政府信息公开申请情况",
    "s4_review_litigation": r"行政复议[、和及与]?行政诉讼|行政复议、行政诉讼",
    "s5_problems": r"存在的?主要问题|存在的?问题|改进情况|改进措施|整改措施",
    "s6_other": r"其他需要?报告的事项",
}


# the numbered row labels of 表三 (“一、本年新收…申请数量”, “四、结转下年度继续办理”) are not part headings
_TABLE_ROW_LABEL = re.compile(r"申请数量|本年新收|上年结转|办理结果|结转下年度")


def _heading_core(h: str) -> str:
    h = re.sub(r"^[一二三四五六][、.．]", "", squash(h))
    return re.sub(r"[、，,。：:（）()\s]", "", h)


def problems_sections(report: Report) -> list:
    """Section 五, or (when its heading is missing) the sub-sections of 四 that carry its content."""
    return report.content_sections("s5_problems")


def check_sections(report: Report, index: TextIndex) -> list[Finding]:
    out: list[Finding] = []
    raw = "\n".join(x.heading + "\n" + x.text for x in report.sections)
    whole = squash(raw)
    for key, canonical in SECTIONS.items():
        s = report.section(key)
        if s is None:
            if key == "s5_problems" and problems_sections(report):
                subs = problems_sections(report)
                out.append(Finding("B1", WARNING, f"缺少第五部分标题“{canonical}”：其内容（“{subs[0].heading}”等）排在第四部分之后，"
                                                  f"没有单独的标题。", expected=canonical, actual="缺少标题",
                                   evidence=tuple(sentence_evidence(x, x.heading) for x in subs)))
            else:
                no = '一二三四五六'[list(SECTIONS).index(key)]
                trace = re.search(_SECTION_WORDS[key], whole) or next(     # “一、基本情况”: a renamed heading
                    (h for h in re.finditer(rf"(?m)^[#\s]*{no}[、.．]\s*\S.{{0,24}}$", raw)
                     if not _TABLE_ROW_LABEL.search(h.group(0))), None)
                if trace:       # renumbered, merged into another part, or a heading we did not recognise
                    out.append(Finding("B1", WARNING, f"没有找到单独的第{no}部分标题“{canonical}”，但正文写到了“{trace.group(0)}”："
                                                      f"该部分可能改了编号、换了标题或与其他部分合并。请按格式使用规定的标题。",
                                       expected=canonical, actual="标题不规范"))
                else:
                    out.append(Finding("B1", ERROR, f"缺少第{no}部分“{canonical}”：年报必须包含条例第五十条规定的六个部分，"
                                                    f"全文没有写到这部分的内容。", expected=canonical, actual="缺失"))
            continue
        core = _heading_core(s.heading)
        variants = {_heading_core(v) for v in _HEADING_VARIANTS[key]}
        if core not in variants and not any(v in core for v in variants):
            out.append(Finding("B1", WARNING, f"第{'一二三四五六'[list(SECTIONS).index(key)]}部分标题为“{s.heading}”，"
                                              f"与格式规定的“{canonical}”不同。", expected=canonical, actual=s.heading,
                               evidence=(sentence_evidence(s, s.heading),)))
    # B2: the five aspects of 总体情况
    s1 = report.section("s1_overview")
    if s1 is not None:
        subs = [s for s in report.sections if s.key.startswith("s1_overview.")]
        aspects = {"主动公开": r"主动公开", "依申请公开": r"依申请", "政府信息管理": r"信息管理|管理",
                   "平台建设": r"平台", "监督保障": r"监督|保障|考核"}
        if len(subs) >= 3:
            haystack, basis = " ".join(s.heading for s in subs), "小标题"
        else:
            haystack, basis = squash(s1.text), "正文"
        for name, pattern in aspects.items():
            if not re.search(pattern, haystack):
                out.append(Finding("B2", WARNING, f"“总体情况”应包括主动公开、依申请公开、政府信息管理、政府信息公开平台建设、"
                                                  f"监督保障五个方面，{basis}中没有找到“{name}”。", expected=name, actual="缺失",
                                   evidence=(sentence_evidence(s1, s1.heading),)))
    # B3: governments report 考核、社会评议、责任追究
    kind = unit_kind(report.agency)
    if kind.is_government and s1 is not None:
        text = squash("\n".join(s.text for s in report.sections if "." not in s.key))
        missing = [w for w, p in (("工作考核", r"考核"), ("社会评议", r"社会评议|评议"), ("责任追究", r"责任追究|追责"))
                   if not re.search(p, text)]
        if missing:
            out.append(Finding("B3", WARNING, f"{report.agency}是{kind.zh}，应报告工作考核、社会评议和责任追究结果情况"
                                              f"（条例第五十条），正文没有写到：{'、'.join(missing)}。",
                               expected="工作考核、社会评议、责任追究", actual="缺少" + "、".join(missing),
                               evidence=(sentence_evidence(s1, s1.heading),)))
    # B8: 信息处理费 in section 六
    s6 = report.section("s6_other")
    if s6 is not None and report.fees is None:       # a 信息处理费 table is a fee statement
        t6 = squash(s6.text)
        if not re.search(r"收费|处理费|收取", t6):
            out.append(Finding("B8", WARNING, f"第六部分应说明信息处理费的收取情况（发出收费通知的件数和总金额、实际收取的总金额，"
                                              f"或写明未收取），本报告写的是“{t6[:30]}”。", expected="信息处理费收取情况",
                               actual=t6[:30], evidence=(sentence_evidence(s6, t6[:60]),)))
    # B9: section 五: problems, measures, last year's problems fixed
    p_secs = problems_sections(report)
    if p_secs:
        text = squash("\n".join(s.text for s in p_secs) + " ".join(s.heading for s in p_secs))
        y = report.year
        last = rf"上年|上一年|去年|{y - 1}年" if y else r"上年|上一年|去年"
        if not re.search(r"问题|不足|差距|短板|薄弱", text):
            out.append(Finding("B9", WARNING, "第五部分没有写存在的主要问题。", expected="存在的问题", actual="缺失",
                               evidence=(sentence_evidence(p_secs[0], p_secs[0].heading),)))
        if not re.search(r"下一步|改进|措施|将|整改|加强|提升", text):
            out.append(Finding("B9", WARNING, "第五部分没有写改进措施。", expected="改进措施", actual="缺失",
                               evidence=(sentence_evidence(p_secs[0], p_secs[0].heading),)))
        if not re.search(rf"({last})[^。]{{0,30}}(问题|不足)[^。]{{0,30}}(整改|改进|解决)|({last})[^。]{{0,12}}(整改|改进)", text):
            out.append(Finding("B9", WARNING, f"第五部分没有写上年年报所列问题的整改情况（应逐条说明{(y - 1) if y else '上年'}年报"
                                              f"提出的问题整改得怎样）。", expected="上年问题整改情况", actual="缺失",
                               evidence=(sentence_evidence(p_secs[0], p_secs[0].heading),)))
    return out


# -- dates, format citation (D1–D4, F3) ----------------------------------------------------------------
# words of a past year's result told in this year's report (assessments are announced the year after)
_HISTORY = re.compile(r"考核|考评|评估|评议|评选|获评|被评|荣获|获得|排名|位列|等次|先进|表彰|通报|试点")
_PERIOD = re.compile(r"统计(?:期限|时限|时间段|时间|区间|周期|范围)[^。]{0,12}?(\d{4})年(\d{1,2})月(\d{1,2})日(?:起)?"
                     r"(?:至|到|—|－|-|~|～)(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")


# “2023年，本机关主动公开政府信息N条” in a 2024 report: the year's own figures under another year
_YEAR_FIGURE = re.compile(r"^(20\d\d)\s*年度?(?:全年|以来|内)?[，,]?\s*(?P<who>[^，,。；]{0,24}?)"
                          r"(?P<verb>主动公开|公开|发布|受理|收到|接收|办结|答复|制发|印发|处理)[^。；]{0,30}?"
                          r"(?P<n>\d[\d,，]*)\s*(?P<unit>条|件|个|篇|期|次|场)")
_NOT_OWN_YEAR = re.compile(r"将|计划|拟|较|比|同比|相比|上年|去年|上一年|以来|累计|截至|截止|历年|当年|其中\d{4}")
_YEAR_FIGURE_SECTIONS = ("preamble", "s1_overview", "s2_proactive", "s3_requests", "s4_review_litigation")


def _table_values(report: Report) -> set:
    out = set()
    for name in ("table2", "table3", "table4"):
        t = report.table(name)
        if t is not None:
            out |= {cell.value for _, _, cell in t.cells() if isinstance(cell.value, (int, float)) and cell.value > 1}
    return out


def _figures_under_another_year(report: Report, index: TextIndex, y: int, own_year: bool) -> list[Finding]:
    """D2: a sentence that opens with another year and states the unit's figures for it (“2023年，本机关主动公开
    政府信息1200条” in a 2024 report). An error when a figure it states is one of this year's table cells (the
    year's own figures written under another year), or when the text never names its own year; a warning
    otherwise (it may look back at last year)."""
    out: list[Finding] = []
    values = _table_values(report)
    for s in index.sentences:
        if s.top not in _YEAR_FIGURE_SECTIONS:
            continue
        m = _YEAR_FIGURE.match(s.text)
        if not m or int(m.group(1)) == y or abs(int(m.group(1)) - y) > 3 or f"{y}年" in s.text \
                or _NOT_OWN_YEAR.search(s.text) or _HISTORY.search(s.text):
            continue
        n = float(m.group("n").replace(",", "").replace("，", ""))
        n = int(n) if n.is_integer() else n
        certain = n in values or not own_year
        said = s.text if len(s.text) <= 80 else s.text[:80] + "……"
        out.append(Finding("D2", ERROR if certain else WARNING,
                           f"正文“{said}”把数字写在{m.group(1)}年下，本报告是{y}年度报告"
                           + (f"（{m.group('n')}{m.group('unit')}与本报告表格中的数字相同，应为{y}年的数字），年度写错。"
                              if n in values else "，可能沿用了其他年度的文字或年度写错，请核对。"),
                           expected=y, actual=int(m.group(1)), evidence=(_ev(s),)))
    return out


def check_dates(report: Report, index: TextIndex, today: date, policy: DeadlinePolicy) -> list[Finding]:
    out: list[Finding] = []
    y = report.year
    pre = [s for s in index.sentences if s.top in ("preamble", "s1_overview")]
    period = None
    for s in index.sentences:
        m = _PERIOD.search(s.text)
        if m:
            period = (m, s)
            break
    if period is None:
        mentioned = next((s for s in index.sentences if re.search(r"统计(期限|时限)", s.text)), None)
        out.append(Finding("D1", WARNING, "没有找到统计期限的说明（应写明“本年度报告中所列数据的统计期限自Y年1月1日起至"
                                          "Y年12月31日止”）。" + ("有“统计期限”字样但日期无法识别。" if mentioned else ""),
                           expected=f"{y}年1月1日至{y}年12月31日" if y else None, actual=None,
                           evidence=(_ev(mentioned),) if mentioned else ()))
    elif y is not None:
        m, s = period
        y1, mo1, d1, y2, mo2, d2 = m.groups()
        y2 = y2 or y1
        said = f"{y1}年{mo1}月{d1}日至{y2}年{mo2}月{d2}日"
        if (int(y1), int(mo1), int(d1), int(y2), int(mo2), int(d2)) != (y, 1, 1, y, 12, 31):
            # the wrong year is certain; part of the right year may be a unit set up or merged during the year
            part_of_year = int(y1) == int(y2) == y
            out.append(Finding("D1", WARNING if part_of_year else ERROR,
                               f"统计期限写的是{said}，{y}年度报告应为{y}年1月1日至{y}年12月31日。"
                               + ("如本单位年中成立或调整，请在正文说明。" if part_of_year else ""),
                               expected=f"{y}年1月1日至{y}年12月31日", actual=said, evidence=(_ev(s),)))
    # D2: the year in the title and in “YYYY年，我…” sentences
    if y is not None:
        tm = re.search(r"(20\d\d)\s*年", report.title or "")
        if tm and int(tm.group(1)) != y:
            out.append(Finding("D2", ERROR, f"标题中的年度 {tm.group(1)} 与报告年度 {y} 不一致。", expected=y,
                               actual=int(tm.group(1))))
        # a sentence about another year may be history (“2022年度，我区在全市考核中获评优秀”, published in 2023)
        # or a comparison; it is an error only when 总体情况 never names the report's own year
        own_year = any(f"{y}年" in s.text for s in pre if s.top == "s1_overview")
        out += _figures_under_another_year(report, index, y, own_year)
        for s in pre:
            m = re.match(r"^(20\d\d)年度?[，,]?(我|本|全)(区|市|县|镇|乡|局|委|办|街道|机关|单位|厅|中心)", s.text)
            if m and int(m.group(1)) != y and not re.search(r"将|计划|拟|较|比|同比|相比|上年|去年|以来", s.text) \
                    and f"{y}年" not in s.text and not _HISTORY.search(s.text) \
                    and not any(f.evidence and f.evidence[0].text == s.text for f in out if f.rule == "D2"):
                out.append(Finding("D2", WARNING if own_year else ERROR,
                                   f"正文“{s.text[:20]}……”写的是{m.group(1)}年，与报告年度{y}年不一致，"
                                   + ("如是回顾往年情况可不改；否则可能沿用了其他年度的文字。" if own_year else
                                      "可能沿用了其他年度的文字。"), expected=y, actual=int(m.group(1)),
                                   evidence=(_ev(s),)))
    # D3 / D4: publication date
    if y is not None:
        deadline, why = policy.deadline(report.agency, y)
        sig = report.section("signature")
        sig_ev = (sentence_evidence(sig, squash(sig.text)),) if sig is not None else ()
        if report.published is None:
            if today <= deadline:
                out.append(Finding("D3", INFO, f"没有落款日期（草稿？）：{why}，应在{deadline.year}年{deadline.month}月{deadline.day}日前"
                                               f"发布，发布时请补上落款单位和日期。", expected=deadline.isoformat(), actual=None))
            else:
                out.append(Finding("D3", WARNING, f"没有落款日期，无法核对是否按时发布：{why}，应不晚于"
                                                  f"{deadline.year}年{deadline.month}月{deadline.day}日。",
                                   expected=deadline.isoformat(), actual=None))
        else:
            try:
                pub = date.fromisoformat(report.published)
            except ValueError:
                pub = None
            if pub is not None:
                if pub.year <= y:
                    out.append(Finding("D4", ERROR, f"落款日期 {report.published} 不晚于报告年度 {y} 年：年度报告应在次年发布，"
                                                    f"日期或年度有误。", expected=f"{y + 1}年", actual=report.published,
                                       evidence=sig_ev))
                elif pub.year > y + 2:
                    out.append(Finding("D4", WARNING, f"落款日期 {report.published} 比报告年度 {y} 年晚了{pub.year - y}年，请核对。",
                                       expected=f"{y + 1}年", actual=report.published, evidence=sig_ev))
                elif pub > deadline and policy.is_statutory(report.agency):
                    out.append(Finding("D3", ERROR, f"发布晚于法定期限：{why}，应不晚于 {deadline.isoformat()}，落款日期为 "
                                                    f"{report.published}，晚了 {(pub - deadline).days} 天。",
                                       expected=deadline.isoformat(), actual=report.published, evidence=sig_ev))
                elif pub > deadline:
                    out.append(Finding("D3", WARNING, f"可能晚于发布期限：{why}，默认应不晚于 {deadline.isoformat()}，落款日期为 "
                                                      f"{report.published}，晚了 {(pub - deadline).days} 天。条例第四十九条没有规定"
                                                      f"这类单位的期限，请按本省规定核对。",
                                       expected=deadline.isoformat(), actual=report.published, evidence=sig_ev))
                if pub > today:
                    out.append(Finding("D4", WARNING, f"落款日期 {report.published} 晚于今天（{today.isoformat()}）。",
                                       expected=f"≤{today.isoformat()}", actual=report.published, evidence=sig_ev))
    # F3: the cited basis document
    text = squash("\n".join(s.text for s in report.sections if "." not in s.key))
    cites_2021 = re.search(r"〔2021〕30号|\[2021\]30号|年度报告格式", text)
    cites_2019 = re.search(r"〔2019〕60号|\[2019\]60号|关于政府信息公开工作年度报告有关事项的通知", text)
    where = next((s for s in index.sentences if re.search(r"有关事项的通知|〔2019〕|年度报告格式|〔2021〕", s.text)), None)
    if y is not None and y >= 2021:
        if cites_2019 and not cites_2021:
            out.append(Finding("F3", WARNING, f"引用的是2019年的《关于政府信息公开工作年度报告有关事项的通知》（国办公开办函〔2019〕60号），"
                                              f"{y}年度报告应依据国办公开办函〔2021〕30号（年度报告格式）编制。",
                               expected="国办公开办函〔2021〕30号", actual="国办公开办函〔2019〕60号",
                               evidence=(_ev(where),) if where else ()))
        elif not cites_2021:
            basis = next((s for s in index.sentences if re.search(r"依据|根据|按照", s.text) and "条例" in s.text), None)
            out.append(Finding("F3", INFO, "没有引用年度报告格式文件（国办公开办函〔2021〕30号），只写了条例或地方要求。",
                               expected="国办公开办函〔2021〕30号", actual=None,
                               evidence=(_ev(basis),) if basis else ()))
    return out
