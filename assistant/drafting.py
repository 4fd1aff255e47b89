"""Drafts grounded in the library: section 五 (last year's problems and their 整改 first, then problems tied
to the unit's own figures and findings, then concrete measures, then a good example from another report),
the 依申请公开 paragraph, the 复议诉讼 paragraph, section 六 and the pre-publication checklist.

Every figure in a draft is read from a stored table cell and followed by its citation; what only the
official knows is left as a 【…】 placeholder. No figure that is not in the sources.
"""
from __future__ import annotations

import re
from typing import Sequence

from assistant.cite import Citation, ReportView, dedupe, group_label, load_view
from assistant.metrics import format_number
from assistant.routes_text import full_sentences, leaf_sentences, section_quote, sentence_citation
from assistant.scope import RouteResult, Scope
from ingest.schema import SECTIONS, TABLE3_DENIED, TABLE3_NOT_PROCESSED, TABLE3_OTHER_SPLIT, TABLE3_UNAVAILABLE

from prompts import PROMPTS

_REWRITE = re.compile(r"改写|修改|改得|改一改|改成|润色|完善|太空|具体一点|具体些|优化")
_CHECKLIST = re.compile(r"清单|自查|检查表|注意事项|提纲")
_MEASURES_START = re.compile(r"下一步|针对(?:上述|以上|存在的?|这些|以下)|改进措施|整改措施|问题改进|改进情况|将采取|我们将|拟采取|今后|为此")
_ENUM_MARK = r"(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|(?<![\d.])\d+[.、．])"
# an enumerated item: its marker, then its words up to the next item's marker (“一是X，二是Y”) or the clause end
_ENUM_ITEM = re.compile(_ENUM_MARK + r"\s*([^。；;\n]{4,160}?)(?=[，,]\s*" + _ENUM_MARK + r"|[。；;\n]|$)")
_PROBLEM_WORDS = re.compile(r"不足|不够|不强|不高|不多|不及时|不到位|差距|有待|欠缺|薄弱|松懈|滞后|单一|错敏|问题"
                            r"|不充分|不完善|不规范|不健全|不深入|不精准|不畅|不全面|不合理|缺乏|偏少|较少|需加强|待加强")
_SUCH_AS_LIST = re.compile(r"(?:如|例如|主要是|主要表现在|主要表现为|(?:主要)?问题(?:主要)?(?:是|有|为)|不足(?:主要)?(?:是|有|为))"
                           r"[：:]?([^。；]{8,160}?)等")
_EXISTS_LIST = re.compile(r"存在(?:着)?(?:一些|以下)?([^。；]{4,60}?)等(?:方面的?)?(?:问题|不足)")
EXAMPLE_MAX_CHARS = 200        # a longer example sentence is left out rather than cut
_GOOD_WORDS = ("整改", "已", "完成", "建立", "制定", "修订", "开展", "上线", "实现", "制作")


def load_template(name: str) -> str:
    return (PROMPTS / name).read_text(encoding="utf-8").strip()


# -- last year's problems ---------------------------------------------------------------------------
def problems_part(report) -> tuple[str, object] | None:
    """The text of section 五 that states problems (before the measures), with the section it is in."""
    if report is None:
        return None
    subs = [s for s in report.sections if s.key.startswith("s5_problems.")] or report.content_sections("s5_problems")
    for s in subs:
        if re.search(r"存在的?(主要)?问题|主要问题", s.heading or s.path or "") \
                and not re.search(r"改进|整改|措施", s.heading or ""):
            return s.text, s
    parts = report.content_sections("s5_problems")
    sec = parts[0] if parts else None
    if sec is None or not sec.text.strip():
        return None
    text = sec.text
    m = _MEASURES_START.search(text, 10)
    return (text[:m.start()] if m else text), sec


LISTED_PROBLEMS_LIMIT = 20     # one count of last year's problems for the draft and for 与上年比对


def listed_problems(report, limit: int = LISTED_PROBLEMS_LIMIT) -> tuple[list[str], object | None]:
    """The problems a report's section 五 lists: its enumerated items (一是…), else the clauses of
    “存在…等问题”, else its sentences that name a shortcoming."""
    part = problems_part(report)
    if part is None:
        return [], None
    text, sec = part
    text = re.sub(r"[ \t\u3000]+", "", text)
    heading = (sec.heading or "").strip()
    if heading and text.startswith(heading):
        text = text[len(heading):]
    items = [_whole_clause(text, m).strip("：:，,。 ") for m in _ENUM_ITEM.finditer(text)]
    items = [i for i in items if _PROBLEM_WORDS.search(i) and not re.fullmatch(r"存在的?(主要)?问题", i)]
    if not items:
        found = _EXISTS_LIST.search(text)
        if found:
            items = [x.strip() for x in re.split(r"[、，,]", found.group(1)) if len(x.strip()) >= 3]
    if not items:               # “如A还有待提高、B还有待提升、C有待加强等”
        found = _SUCH_AS_LIST.search(text)
        if found:
            items = [x.strip() for x in re.split(r"[、；]", found.group(1))]
            items = [x for x in items if len(x) >= 4 and _PROBLEM_WORDS.search(x)]
    if not items:
        tail = re.split(r"[：:]", text, maxsplit=1)[-1]
        items = [x.strip("：:，,。 ") for x in re.split(r"[。；;\n]", tail)]
        items = [x for x in items if len(x) >= 6 and _PROBLEM_WORDS.search(x)]
    return list(dict.fromkeys(items))[:limit], sec


def _whole_clause(text: str, m: re.Match) -> str:
    """An enumerated item to the end of its clause (never cut in the middle of a sentence)."""
    end = m.end(1)
    stop = re.search(r"[。；;\n]", text[end:])
    item = m.group(1) + (text[end:end + stop.start()] if stop else text[end:])
    # “一是X，二是Y”: the next enumerated item starts a problem of its own
    nxt = _NEXT_ITEM.search(item)
    return item[:nxt.start()] if nxt else item


_NEXT_ITEM = re.compile(r"[，,]\s*(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|(?<![\d.])\d+[.、．])")


def measures_part(report) -> tuple[str, object] | None:
    """The text of section 五 that states measures / 整改 (after the problems), with the section it is in."""
    if report is None:
        return None
    subs = [s for s in report.sections if s.key.startswith("s5_problems.")]
    for s in subs:
        if re.search(r"改进|整改|措施", s.heading or ""):
            return s.text, s
    parts = report.content_sections("s5_problems")
    sec = parts[0] if parts else None
    if sec is None or not sec.text.strip():
        return None
    m = _MEASURES_START.search(sec.text, 10)
    return (sec.text[m.start():], sec) if m else None


def reported_measure(view: ReportView | None, problem: str, used: set[str] | None = None) -> Citation | None:
    """The sentence of the unit's own section 五 (its measures / 整改 part) that addresses a problem, cited;
    None when the report says nothing about it. Nothing is made up."""
    from assistant.routes_text import bigrams, full_sentences
    part = measures_part(view.stored) if view is not None else None
    if part is None:
        return None
    text, sec = part
    body = re.sub(r"[ \t\u3000*#]+", "", text)
    want = bigrams(problem) - {"进一", "一步", "加强", "工作", "信息", "公开", "政府", "有待", "不够", "还有"}
    best = None
    for sentence, s in full_sentences(view.stored):
        if s is not sec or sentence not in body or sentence in (used or ()):
            continue                                   # the measures part only, each sentence for one problem
        if not re.search(r"[。；！]$", sentence) or len(sentence) > 220 or _PROBLEM_WORDS.search(sentence[:12]):
            continue
        score = len(want & bigrams(sentence))
        if score >= 2 and (best is None or score > best[0]):
            best = (score, s, sentence)
    if best is None:
        return None
    if used is not None:
        used.add(best[2])
    return sentence_citation(view, best[1], best[2])


# -- problems tied to the figures ----------------------------------------------------------------------
def data_problems(view: ReportView) -> list[tuple[str, list[Citation]]]:
    """Problems the year's own tables point to, each stating the numbers it rests on, with citations."""
    v = view.value
    out = []
    processed = v("table3", "total_processed", "total")
    not_held = v("table3", "unavailable_not_held", "total")
    if not_held and processed:
        cites = [view.cite_cell("table3", "unavailable_not_held", "total"),
                 view.cite_cell("table3", "total_processed", "total")]
        out.append((f"依申请公开答复中“本机关不掌握相关政府信息”{format_number(not_held)}件，占办理结果总计"
                    f"{format_number(processed)}件的{100 * not_held / processed:.1f}%{group_label(cites)}，"
                    "【请写明原因，如申请人是否向本机关申请了其他机关的信息】。", cites))
    forward = v("table3", "carried_forward", "total")
    if forward:
        cites = [view.cite_cell("table3", "carried_forward", "total")]
        out.append((f"结转下年度继续办理的申请{format_number(forward)}件{group_label(cites)}，"
                    "【请说明结转原因，如收件时间、补正情况】。", cites))
    corrected = v("table4", "review", "corrected")
    if corrected:
        cites = [view.cite_cell("table4", "review", "corrected")]
        out.append((f"政府信息公开行政复议结果纠正{format_number(corrected)}件{group_label(cites)}，"
                    "【请说明被纠正的原因】。", cites))
    received = v("table3", "new_received", "total")
    if received == 0 and v("table3", "total_processed", "total") == 0:
        cites = [view.cite_cell("table3", "new_received", "total")]
        out.append((f"全年新收政府信息公开申请0件{group_label(cites)}，"
                    "【请结合实际分析原因，如申请指南是否更新、网上申请渠道是否畅通】。", cites))
    lit = [(g, v("table4", g, "corrected")) for g in ("litigation_direct", "litigation_after_review")]
    if any(x for _, x in lit):
        cites = [view.cite_cell("table4", g, "corrected") for g, x in lit if x]
        out.append((f"政府信息公开行政诉讼结果纠正{format_number(sum(x for _, x in lit if x))}件{group_label(cites)}，"
                    "【请说明原因】。", cites))
    return out


_FINDING_PROBLEM_RULES = ("X", "T", "D3", "B8", "B3", "Q6", "F3")


def finding_problems(view: ReportView, limit: int = 5) -> list[tuple[str, list[Citation]]]:
    """The validator's errors and warnings that are problems of the report itself (data or form), each with
    its citation: to fix before publication, not problems of the disclosure work (they are listed apart)."""
    items: list[str] = []
    per_item: list[list[Citation]] = []
    for f in view.findings():
        rule = f.get("rule", "")
        if f.get("severity") not in ("error", "warning") and not rule.startswith("Q6"):
            continue
        if not rule.startswith(_FINDING_PROBLEM_RULES):
            continue
        fc = dedupe(view.cite_evidence(e) for e in f.get("evidence", []))
        items.append(f"【{f.get('rule', '')}】{f.get('message', '').strip().rstrip('。')}{group_label(fc)}")
        per_item.append(fc)
        if len(items) >= limit:
            break
    return [(f"{t}。", fc) for t, fc in zip(items, per_item)]


def measure_hint(problem: str) -> str:
    """A 【】 placeholder for the measure against a problem, with a hint of what to write; never an action
    stated as taken or planned (only the official knows it)."""
    if "本机关不掌握" in problem:
        hint = "如修订申请指南、列明信息的制作和保存机关"
    elif "新收政府信息公开申请0件" in problem:
        hint = "如更新政府信息公开指南、公布申请渠道"
    elif "结转下年度" in problem:
        hint = "如建立办理台账、逐件跟踪办结"
    elif "行政复议" in problem or "行政诉讼" in problem:
        hint = "如复盘被纠正案件、答复文书法制审核"
    elif "错敏" in problem or "错别字" in problem:
        hint = "如信息发布审核、已发布信息排查"
    elif "解读" in problem:
        hint = "如解读材料的形式和数量"
    else:
        hint = "写明对象和完成标准"
    return f"【请写明针对该问题的措施（{hint}）、责任科室和完成时间】"


# -- good examples from other reports --------------------------------------------------------------------
def good_examples(library, exclude_agency: str | None, records: Sequence, limit: int = 2) -> list[Citation]:
    """Sentences from other units' section 五 that report rectification concretely (a figure and a done-word)."""
    scored = []
    for r in records:
        if r.agency == exclude_agency:
            continue
        view = load_view(library, r)
        for sentence, sec in full_sentences(view.stored):
            path = sec.path or ""
            if not (sec.key.startswith("s5_problems") or re.search(r"问题.*(改进|整改)|(改进|整改).*问题", path)):
                continue
            if len(sentence) < 20 or re.search(r"存在的?(主要)?问题", sec.heading or "") \
                    or (_PROBLEM_WORDS.search(sentence) and not re.search(r"整改|已", sentence)):
                continue                       # a problem statement is no example of 整改
            score = 2 * bool(re.search(r"\d", sentence)) + sum(w in sentence for w in _GOOD_WORDS)
            score -= 2 * bool(re.search(r"进一步加强|进一步提高|进一步完善", sentence) and not re.search(r"\d", sentence))
            if score >= 3:
                scored.append((-score, r.file, sentence, view, sec))
    scored.sort(key=lambda x: (x[0], x[1]))
    out, seen_agencies, seen_texts = [], set(), set()
    for _, _, sentence, view, sec in scored:
        key = re.sub(r"\d{4}年", "", sentence)
        if view.agency in seen_agencies or key in seen_texts or len(sentence) > EXAMPLE_MAX_CHARS:
            continue             # once per unit, the same sentence of two years once; whole sentences only
        seen_agencies.add(view.agency)
        seen_texts.add(key)
        out.append(sentence_citation(view, sec, sentence))
        if len(out) >= limit:
            break
    return out


# -- the drafts ------------------------------------------------------------------------------------------
def draft_section_five(agency: str, year: int, current: ReportView | None, previous: ReportView | None,
                       examples: Sequence[Citation], rewrite: bool) -> tuple[str, list[Citation], list[Citation]]:
    """Section 五: last year's stated problems with the 整改 the unit's own reports state (quoted, cited) or a
    【】 placeholder; this year's problems from its figures; measures quoted from its reports or placeholders;
    other units' concrete examples once each; the report's own check findings apart, “发布前请修正”."""
    lines = [SECTIONS["s5_problems"], "（一）上年问题整改情况"]
    cites: list[Citation] = []
    passages: list[Citation] = []
    old, sec = listed_problems(previous.stored if previous is not None else None)
    if old and previous is not None:
        c = Citation(previous.file, previous.agency, previous.year, sec.path or sec.heading, page=sec.page,
                     line=sec.line, text=sec.text.strip(), report_id=previous.record.id)
        cites.append(c)
        passages.append(c)
        lines.append(f"{previous.year}年度报告提出了{len(old)}个问题{c.label()}，逐项整改情况如下：")
        used: set[str] = set()
        for i, p in enumerate(old, 1):
            done = reported_measure(current, p, used)       # what this year's report says it did, if it exists
            planned = None if done else reported_measure(previous, p, used)   # what last year's said it would do
            if done is not None:
                lines.append(f"{i}. 关于“{p}”的问题：{current.year}年度报告写明：“{done.text}”{done.label()}"
                             "【请核实并补充完成时间和成效】。")
                cites.append(done)
                passages.append(done)
            elif planned is not None:
                lines.append(f"{i}. 关于“{p}”的问题：上年报告提出的改进措施是“{planned.text}”{planned.label()}；"
                             "【请写明该措施的落实情况、完成时间和成效，未完成的写明进度】。")
                cites.append(planned)
                passages.append(planned)
            else:
                lines.append(f"{i}. 关于“{p}”的问题：【请写明已采取的整改措施、完成时间和成效，未完成的写明进度】。")
    elif previous is not None:
        lines.append(f"【{previous.year}年度报告第五部分没有列出具体问题：请逐条说明上年问题的整改情况】")
    else:
        lines.append(f"【资料库中没有{agency}{year - 1}年度报告：请列出上年报告提出的问题，逐条写明整改措施、"
                     "完成时间和成效】")
    lines.append("（二）存在的主要问题")
    problems: list[tuple[str, list[Citation]]] = []
    fixes: list[tuple[str, list[Citation]]] = []
    if current is not None:
        if rewrite:
            quote = section_quote(current, "s5_problems", limit=300)
            if quote is not None:
                lines.append(f"（原稿：“{quote.text}”{quote.label()}。原稿所列问题没有数字和具体对象，"
                             "建议改为以下写法。）")
                cites.append(quote)
                passages.append(quote)
        problems = data_problems(current)
        fixes = finding_problems(current)
        if not problems:
            lines.append(f"【{year}年表格数据没有显示突出问题：请结合实际写出具体问题（对象、数字），"
                         "避免“重视不够”“有待提升”等空泛表述】")
    else:
        lines.append(f"【资料库中没有{agency}{year}年度报告的表格数据：请结合{year}年表二至表四的数据写出具体问题，"
                     "如“本机关不掌握”答复占比、结转件数、复议纠正件数，避免“重视不够”“有待提升”等空泛表述】")
    carried = [p for p in old if reported_measure(current, p) is None] if old else []
    if carried:
        lines.append(f"【上年提出的“{carried[0]}”等问题如尚未完全整改，应继续列出并说明原因】")
    for i, (p, pc) in enumerate(problems, 1):
        lines.append(f"{i}. {p}")
        cites += pc
    lines.append("（三）改进措施")
    targets = [p for p, _ in problems] or [""]
    taken: set[str] = set()
    for i, p in enumerate(targets, 1):
        own = reported_measure(current, p, taken) if p else None
        if own is not None:
            lines.append(f"{i}. 本年报告已写明：“{own.text}”{own.label()}【请核实，并补充责任科室和完成时间】")
            cites.append(own)
            passages.append(own)
        else:
            lines.append(f"{i}. {measure_hint(p)}")
    if examples:
        lines.append("（参考：资料库中其他单位较具体的写法，仅供参考，不要照抄）")
        for e in examples:
            lines.append(f"{e.report_label}：“{e.text}”{e.label()}")
            cites.append(e)
            passages.append(e)
    if fixes:
        lines.append("发布前请修正（以下是入库校验发现的年报本身的数据或格式问题，不是政务公开工作的问题，"
                     "修正后删除本段，不要写入正文）：")
        for i, (f, fc) in enumerate(fixes, 1):
            lines.append(f"{i}. {f}")
            cites += fc
    return "\n".join(lines), cites, passages


def draft_requests_paragraph(view: ReportView) -> tuple[str, list[Citation]]:
    """The 依申请公开 paragraph: every figure read from 表三's total column."""
    v = view.value

    def t(row):
        return v("table3", row, "total")

    def s(rows):
        vals = [t(r) for r in rows]
        return None if any(x is None for x in vals) else sum(vals)
    other_rows = TABLE3_OTHER_SPLIT if any(t(r) is not None for r in TABLE3_OTHER_SPLIT) else ("other_processing",)
    figures = [("本年新收政府信息公开申请", t("new_received"), "new_received"),
               ("上年结转", t("carried_over"), "carried_over"),
               ("办结", t("total_processed"), "total_processed"),
               ("予以公开", t("granted"), "granted"), ("部分公开", t("partially_granted"), "partially_granted"),
               ("不予公开", s(TABLE3_DENIED), None), ("无法提供", s(TABLE3_UNAVAILABLE), None),
               ("不予处理", s(TABLE3_NOT_PROCESSED), None), ("其他处理", s(other_rows), None),
               ("结转下年度继续办理", t("carried_forward"), "carried_forward")]

    def n(x):
        return "【待填】" if x is None else format_number(x)
    cites = [view.cite_cell("table3", row, "total") for _, _, row in figures if row]
    f = {name: n(x) for name, x, _ in figures}
    text = (f"{view.year}年，本机关新收政府信息公开申请{f['本年新收政府信息公开申请']}件，上年结转{f['上年结转']}件；"
            f"全年办结{f['办结']}件，其中予以公开{f['予以公开']}件、部分公开{f['部分公开']}件、不予公开{f['不予公开']}件、"
            f"无法提供{f['无法提供']}件、不予处理{f['不予处理']}件、其他处理{f['其他处理']}件；"
            f"结转下年度继续办理{f['结转下年度继续办理']}件。所有申请均在法定期限内答复【请核实】。")
    return text + group_label(cites), cites


def draft_review_paragraph(view: ReportView) -> tuple[str, list[Citation]]:
    v = view.value

    def n(x):
        return "【待填】" if x is None else format_number(x)
    direct, after = v("table4", "litigation_direct", "total"), v("table4", "litigation_after_review", "total")
    lit = None if direct is None or after is None else direct + after
    cites = [view.cite_cell("table4", "review", c) for c in ("total", "upheld", "corrected", "other", "pending")] + \
            [view.cite_cell("table4", g, "total") for g in ("litigation_direct", "litigation_after_review")]
    text = (f"{SECTIONS['s4_review_litigation']}\n{view.year}年，本机关发生政府信息公开行政复议"
            f"{n(v('table4', 'review', 'total'))}件，其中结果维持{n(v('table4', 'review', 'upheld'))}件、结果纠正"
            f"{n(v('table4', 'review', 'corrected'))}件、其他结果{n(v('table4', 'review', 'other'))}件、尚未审结"
            f"{n(v('table4', 'review', 'pending'))}件；行政诉讼{n(lit)}件（未经复议直接起诉{n(direct)}件、复议后起诉"
            f"{n(after)}件）。")
    return text + group_label(cites), cites


def draft_section_six(view: ReportView | None, year: int) -> tuple[str, list[Citation]]:
    """Section 六: the 信息处理费 table's figures (通知件数, 通知金额, 实际收取) when it was read, else the report's
    own sentence about the fee, else 【】 placeholders."""
    if view is not None and view.year == year and view.has_table("fees"):
        from ingest.schema import FEES_ROW
        vals = {c: view.value("fees", FEES_ROW, c) for c in ("notices", "notice_amount", "collected_amount")}
        cites = [view.cite_cell("fees", FEES_ROW, c) for c in vals]

        def n(x):
            return "【】" if x is None else format_number(x)
        line = (f"（一）信息处理费收取情况：依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），本机关{year}年度"
                f"发出收费通知{n(vals['notices'])}件、总金额{n(vals['notice_amount'])}元，实际收取"
                f"{n(vals['collected_amount'])}元{group_label(cites)}。")
        return "\n".join([SECTIONS["s6_other"], line,
                          "（二）【人大代表建议和政协提案办理结果公开情况、年度政务公开工作要点落实情况等】"]), cites
    fee = None
    if view is not None:
        for sentence, sec in leaf_sentences(view.stored):
            if sec.key.startswith("s6_other") and re.search(r"信息处理费|处理费|收费", sentence):
                fee = sentence_citation(view, sec, sentence)
                break
    lines = [SECTIONS["s6_other"]]
    if fee is not None and view is not None and view.year == year:
        quoted = re.sub(r"^[（(][一二三四五六七八九十]+[）)]\s*(?:[^：:。]{0,12}[：:])?", "", fee.text)   # its own numbering
        lines.append(f"（一）信息处理费收取情况：{quoted}{fee.label()}")
    else:
        lines.append(f"（一）信息处理费收取情况：依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），"
                     f"本机关{year}年度发出收费通知【】件、总金额【】元，实际收取【】元（未收取的写明“未收取信息处理费”）。")
    lines.append("（二）【人大代表建议和政协提案办理结果公开情况、年度政务公开工作要点落实情况等】")
    return "\n".join(lines), ([fee] if fee is not None and view is not None and view.year == year else [])


def answer_draft(query, library, scope: Scope, question: str, records: Sequence) -> RouteResult:
    """A draft for the section asked for (五 by default), grounded in the unit's reports."""
    agency = scope.agencies()[0] if scope.agencies() and not scope.whole_library else None
    if (agency is None and not query.section and not query.tables) or (_CHECKLIST.search(question) and not query.section):
        text = load_template("checklist.md")
        return RouteResult("draft", text, [], [], [], [text], task="draft")
    own = sorted((r for r in records if r.agency == agency), key=lambda r: r.year or 0)
    rewrite = bool(_REWRITE.search(question))
    years = sorted(query.years)
    target = years[-1] if years else (own[-1].year if own and own[-1].year else None)
    current_rec = next((r for r in own if r.year == target), None)
    prev_rec = next((r for r in own if target and r.year == target - 1), None)
    if prev_rec is None and current_rec is None:
        earlier = [r for r in own if target and r.year and r.year < target]
        prev_rec = earlier[-1] if earlier else None
    current = load_view(library, current_rec) if current_rec else None
    previous = load_view(library, prev_rec) if prev_rec else None
    notes = []
    if agency is None:
        notes.append("问题没有指明单位，以下为通用草稿，数据处留空待填。")
    elif not own:
        notes.append(f"资料库中没有{agency}的年报，以下草稿的数据处留空待填。")
    section = query.section or ("s3_requests" if "table3" in query.tables else
                                "s4_review_litigation" if "table4" in query.tables else "s5_problems")
    if section == "s1_overview" and ("table3" in query.tables or "依申请" in question):
        section = "s3_requests"
    label = f"{agency or '本单位'}{target or ''}年度报告"
    cites: list[Citation] = []
    passages: list[Citation] = []
    if section == "s3_requests":
        if current is None:
            body = f"【资料库中没有{agency}{target}年度报告的表三数据，无法据表起草：请先入库该年报】"
        else:
            body, cites = draft_requests_paragraph(current)
        head = f"{label}“依申请公开”表述（草稿，数字均取自表三“总计”列）："
    elif section == "s4_review_litigation":
        if current is None:
            body = f"【资料库中没有{agency}{target}年度报告的表四数据：请先入库该年报】"
        else:
            body, cites = draft_review_paragraph(current)
        head = f"{label}第四部分（草稿，数字均取自表四）："
    elif section == "s6_other":
        body, cites = draft_section_six(current or previous, target or 0)
        head = f"{label}第六部分（草稿）："
    else:
        examples = good_examples(library, agency, records)
        body, cites, passages = draft_section_five(agency or "本单位", target or 0, current, previous, examples,
                                                   rewrite)
        basis = []
        if previous is not None:
            basis.append(f"上年年报（{previous.label}）")
        if current is not None:
            basis.append(f"本年年报（{current.label}）的表格数据和校验结果")
        head = f"{label}“五、存在的主要问题及改进情况”（草稿" + (f"，依据{'、'.join(basis)}" if basis else "") + "）："
    text = "\n".join(notes + [head, body, "（【】内为需要补充核实的内容；草稿中的数字均来自所注出处。）"])
    return RouteResult("draft", text, dedupe(cites), [], dedupe(passages), [text], task="draft",
                       passages_are_sources=True)


def draft_unit_sections(library, agency: str, year: int, keys: Sequence[str], records: Sequence | None = None) -> str:
    """The chosen sections (s3_requests, s4_review_litigation, s5_problems, s6_other) for one unit and year,
    from its stored reports of that year and the year before: figures read from the tables with their
    〔source〕, last year's problems one by one, 【…】 where the official must fill in."""
    records = list(records) if records is not None else library.reports()
    current_rec = next((r for r in records if r.agency == agency and r.year == year), None)
    prev_rec = next((r for r in records if r.agency == agency and r.year == year - 1), None)
    current = load_view(library, current_rec) if current_rec else None
    previous = load_view(library, prev_rec) if prev_rec else None
    missing = f"【年报库中没有{agency}{year}年度报告的表格数据：请先入库该年报，或在此填写】"
    parts = []
    if "s3_requests" in keys:
        parts.append(SECTIONS["s3_requests"] + "\n" +
                     (draft_requests_paragraph(current)[0] if current is not None else missing))
    if "s4_review_litigation" in keys:
        parts.append(draft_review_paragraph(current)[0] if current is not None
                     else SECTIONS["s4_review_litigation"] + "\n" + missing)
    if "s5_problems" in keys:
        examples = good_examples(library, agency, records)
        parts.append(draft_section_five(agency, year, current, previous, examples, False)[0])
    if "s6_other" in keys:
        parts.append(draft_section_six(current or previous, year)[0])
    return "\n\n".join(parts)
