"""Reviewer heuristics on the prose (RULES.md b, Q1–Q7): 与上年雷同, copied from another unit, vague
problems, measures without owner or time, stale political formulas, repeated words and template residue,
implausible magnitudes. Each is a warning or info, never an error."""
from __future__ import annotations

import re

from assistant.validator.findings import INFO, WARNING, Evidence, Finding, cell_evidence, sentence_evidence
from assistant.numbers_zh import fmt
from assistant.validator.textindex import Sentence, TextIndex, squash
from assistant.units import unit_kind
from ingest.report import Report


def _ev(s: Sentence) -> Evidence:
    return sentence_evidence(s.section, s.text)


# -- Q: reviewer heuristics --------------------------------------------------------------------------
GENERIC_PHRASES = ("重视程度不够", "意识不强", "意识不高", "形式不够丰富", "不够丰富", "有待提升", "有待提高", "有待加强",
                   "有待进一步", "队伍建设", "人员力量不足", "不够及时", "广度和深度", "深度和广度", "不够创新", "主动性不强",
                   "存在一定差距", "仍有一定差距", "还需加强", "尚需完善", "不够高")
EMPTY_MEASURES = ("进一步加强", "进一步提高", "进一步完善", "进一步提升", "进一步规范", "持续加强")


def _shingles(text: str, n: int) -> set[str]:
    t = re.sub(r"[^\u4e00-\u9fff0-9A-Za-z]", "", text)
    return {t[i:i + n] for i in range(len(t) - n + 1)}


def jaccard(a: str, b: str, n: int = 3) -> float:
    A, B = _shingles(a, n), _shingles(b, n)
    return len(A & B) / len(A | B) if A and B else 0.0


def containment(a: str, b: str, n: int = 12) -> float:
    """Share of a's n-character shingles that also occur in b."""
    A, B = _shingles(a, n), _shingles(b, n)
    return len(A & B) / len(A) if A else 0.0


def longest_shared(a: str, b: str, min_len: int = 16) -> str:
    """The longest passage of a (punctuation kept) that also appears in b, or ''."""
    pa, pb = re.sub(r"\s+", "", a), re.sub(r"\s+", "", b)
    best = ""
    i = 0
    while i < len(pa):
        lo = len(best) + 1
        if i + lo > len(pa) or pa[i:i + max(lo, min_len)] not in pb:
            i += 1
            continue
        j = i + max(lo, min_len)
        while j <= len(pa) and pa[i:j] in pb:
            j += 1
        best = pa[i:j - 1]
        i += 1
    return best if len(best) >= min_len else ""


def narrative_text(report: Report, index: TextIndex | None = None) -> str:
    """The prose of sections 一, 五 and 六 (what Q2 compares): not the preamble, whose wording the format
    prescribes, nor sections 二–四, which are the tables and their printed labels."""
    index = index or TextIndex(report)
    text = "\n".join(s.text for s in index.sentences if s.top in ("s1_overview", "s5_problems", "s6_other"))
    return _POLITICAL.sub("", text)


# political formulas every report repeats: not evidence of copying
_POLITICAL = re.compile(r"(坚持)?以习近平新时代中国特色社会主义思想为指导[，,]?(全面|深入|认真)?(贯彻落实|贯彻|学习贯彻)?(党的)?")


def check_quality(report: Report, index: TextIndex, previous: Report | None, others) -> list[Finding]:
    out: list[Finding] = []
    y = report.year
    p_secs = report.content_sections("s5_problems")
    p_text = "\n".join(s.text for s in p_secs)
    if p_secs:
        ev = (sentence_evidence(p_secs[0], p_secs[0].heading),)
        # Q3: vague problems
        problems_part = re.split(r"下一步|针对(上述|存在|以上)?的?问题|改进措施|整改措施|问题改进情况", squash(p_text))[0]
        no_number = not re.search(r"\d", re.sub(r"(19|20)\d\d年度?", "", problems_part))
        no_object = not re.search(r"[“「\"][^”」\"]{2,20}[”」\"]|错敏字|错别字|断链|链接|栏目|专栏|目录|指南|文书|系统|网站|"
                                  r"公众号|新媒体|热线", problems_part)
        generic = [g for g in GENERIC_PHRASES if g in problems_part]
        if no_number and no_object and generic:
            out.append(Finding("Q3", WARNING, f"问题空泛：第五部分所列问题没有数字、没有具体对象（栏目、系统、件数），只有"
                                              f"“{'”“'.join(generic[:4])}”这类笼统说法。建议结合本年数据写具体问题。",
                               expected="具体问题", actual="、".join(generic[:4]), evidence=ev))
        # Q4: measures without owner or time
        measures = squash(p_text)[len(problems_part):] or squash(p_text)
        has_time = re.search(r"\d{1,2}月|季度|年底|年内|上半年|下半年|月底|前完成|之前", measures)
        has_owner = re.search(r"负责|牵头|责任单位|责任人|股|科室|办公室", measures)
        if not has_time and not has_owner:
            empty = [e for e in EMPTY_MEASURES if e in measures]
            out.append(Finding("Q4", INFO, "改进措施没有写明责任主体和完成时间" +
                               (f"，多为“{'”“'.join(empty[:3])}”之类表述" if empty else "") + "。",
                               expected="措施有责任主体和时限", actual=None, evidence=ev))
    # Q1: 与上年雷同
    if previous is not None and p_text:
        prev_p = "\n".join(s.text for s in previous.content_sections("s5_problems"))
        if prev_p:
            sim = jaccard(p_text, prev_p)
            shared = longest_shared(p_text, prev_p, 20)
            if sim >= 0.6:
                out.append(Finding("Q1", WARNING, f"与上年雷同：第五部分与{previous.year}年报第五部分的相似度为 {sim:.2f}"
                                                  f"（字符三元组 Jaccard，阈值 0.6）。" + (f"相同段落如“{shared[:60]}”。" if shared else ""),
                                   expected="<0.6", actual=round(sim, 3), evidence=(sentence_evidence(p_secs[0], shared[:120] or p_secs[0].heading),)))
            elif sim >= 0.3 and shared:
                out.append(Finding("Q1", INFO, f"第五部分与{previous.year}年报第五部分部分相同（相似度 {sim:.2f}，未达雷同阈值 0.6），"
                                               f"相同段落如“{shared[:60]}”。", expected="<0.6", actual=round(sim, 3),
                                   evidence=(sentence_evidence(p_secs[0], shared[:120]),)))
    # Q2: copied from another unit
    mine = narrative_text(report, index)
    for other in others:
        if other is report or (other.agency and other.agency == report.agency):
            continue
        theirs = narrative_text(other)
        if not mine or not theirs:
            continue
        share = containment(mine, theirs)
        shared = longest_shared(mine, theirs, 36)
        if share < 0.05 and not shared:
            continue
        sev = WARNING if share >= 0.3 else INFO
        out.append(Finding("Q2", sev, f"与{other.label}的正文（第一、五、六部分）有 {share:.1%} 的12字片段相同"
                                      f"（≥30% 为警告；≥5% 或有36字以上相同段落为提示），可能照搬了其他单位的文字。"
                                      + (f"相同段落如“{shared[:60]}”。" if shared else ""),
                           expected="<0.05", actual=round(share, 3),
                           evidence=(Evidence(kind="sentence", text=shared[:120] or None, section=other.file),)))
    # Q5: stale political boilerplate
    text = index.full_text
    if y is not None and y >= 2022 and re.search(r"十九大|十九届", text) and "二十大" not in text and "二十届" not in text:
        s = next(x for x in index.sentences if re.search(r"十九大|十九届", x.text))
        out.append(Finding("Q5", INFO, f"{y}年度报告引用的最新会议精神是党的十九大／十九届全会，没有提到党的二十大"
                                       f"（2022年10月召开），表述可能沿用了旧稿。", expected="二十大", actual="十九大／十九届",
                           evidence=(_ev(s),)))
    elif y == 2021 and "十九届五中全会" in text and "六中全会" not in text:
        s = next(x for x in index.sentences if "五中全会" in x.text)
        out.append(Finding("Q5", INFO, "2021年度报告提到十九届五中全会但没有提到六中全会（2021年11月），表述可能沿用了旧稿。",
                           expected="六中全会", actual="五中全会", evidence=(_ev(s),)))
    # Q6: repeated phrases, typos, template residue
    sents = index.sentences
    for i, s in enumerate(sents):
        rep = repeated_clause(s.text)
        if rep:
            out.append(Finding("Q6", INFO, f"文字重复：“{rep}”连续出现两次。", expected=None, actual=rep * 2,
                               evidence=(_ev(s),)))
        elif i and len(s.text) >= 6 and sents[i - 1].text.endswith(s.text) and s.paragraph == sents[i - 1].paragraph:
            out.append(Finding("Q6", INFO, f"句子重复：“{s.text}”连续出现两次。", expected=None, actual=s.text * 2,
                               evidence=(_ev(s),)))
    for pattern, right in ((r"(及时|准确|真实)、准备|准备、(全面|及时|规范|完整)", "“准备”应为“准确”"),
                           (r"信息信息", "“信息信息”多了“信息”"), (r"的的", "“的的”多了“的”")):
        s = next((x for x in sents if re.search(pattern, x.text)), None)
        if s is not None:
            wrong = re.search(pattern, s.text).group(0)
            out.append(Finding("Q6", INFO, f"疑似错别字：“{wrong}”，{right}。", expected=right, actual=wrong,
                               evidence=(_ev(s),)))
    residue = re.compile(r"\[bookmark|_GoBack|XX+|××+|＊＊|此处填写|请填写|（填写")
    raw = "\n".join(s.text for s in report.sections if "." not in s.key)
    rm = residue.search(raw)
    if rm:
        s = next((x for x in report.sections if rm.group(0) in x.text), None)
        out.append(Finding("Q6", INFO, f"模板或编辑器残留：“{rm.group(0)}”，发布前请删除。", expected=None, actual=rm.group(0),
                           evidence=(sentence_evidence(s, rm.group(0)),) if s else ()))
    # Q7: implausible magnitudes
    t2 = report.table2
    if t2 is not None and report.format != "2019":
        kind = unit_kind(report.agency)
        limits = {"administrative_license": 100_000, "administrative_penalty": 100_000, "administrative_coercion": 50_000}
        for row, limit in limits.items():
            v = t2.value(row, "value")
            if v is not None and v > limit:
                out.append(Finding("Q7", INFO, f"表二{cell_label_short(row)} {fmt(v)} 数值很大（{kind.zh}），请核对是否多填了位数"
                                               f"或填入了上级、全域的数字。仅作提示。", expected=f"≤{limit}", actual=v,
                                   evidence=(cell_evidence(report, "table2", row, "value"),)))
        fee = t2.value("administrative_fees", "value")
        if fee is not None and fee > 10_000 and kind.level not in ("province", "city"):
            out.append(Finding("Q7", INFO, f"表二行政事业性收费 {fmt(fee)} 万元（即 {fmt(round(fee / 10000, 4))} 亿元），对{kind.zh}"
                                           f"而言很大，请核对单位是否为万元。仅作提示。", expected="≤10000万元", actual=fee,
                               evidence=(cell_evidence(report, "table2", "administrative_fees", "value"),)))
    return out


_CLAUSE = re.compile(r"[^。，；、]*[。，；、]")
MAX_REPEATED_CLAUSES = 8
MIN_REPEATED_CHARS = 5


def repeated_clause(text: str) -> str | None:
    """A passage of at least 5 characters ending in 。，；、 written twice in a row (“市长热线、市长信箱等。
    市长热线、市长信箱等。”), found clause by clause in linear time (a back-reference regex is quadratic)."""
    tokens = [(m.start(), m.group(0)) for m in _CLAUSE.finditer(text)]
    words = [w for _, w in tokens]
    # a repeat needs a clause written twice, or a clause ending the one before it: otherwise none
    if len(set(words)) == len(words) and not any(a.endswith(b) for a, b in zip(words, words[1:])):
        return None
    for j, (b, _) in enumerate(tokens):
        x = ""
        for k in range(j, min(len(tokens), j + MAX_REPEATED_CLAUSES)):
            x += tokens[k][1]
            if len(x) > b:
                break
            if len(x) >= MIN_REPEATED_CHARS and text.endswith(x, 0, b):
                return x
    return None


def cell_label_short(row: str) -> str:
    return {"administrative_license": "行政许可", "administrative_penalty": "行政处罚",
            "administrative_coercion": "行政强制"}.get(row, row)
