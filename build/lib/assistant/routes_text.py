"""Answers from the reports' own words: a section quoted whole (“存在的主要问题写了哪几条”), the sentences
that state a figure only the text gives (主动公开766条), passages found by hybrid search for open
questions, and the out-of-scope answer that says what the library holds instead of guessing.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

from assistant.cite import Citation, ReportView, dedupe
from assistant.scope import RouteResult, Scope, holdings_text
from ingest.schema import SECTIONS

QUOTE_CHARS = 600            # a quoted section is cut after this many characters
PASSAGE_CHARS = 260          # a search passage is trimmed to about this many characters
SEARCH_K = 4

# Words that find the sentence stating a text-only figure.
TEXT_METRIC_WORDS = {
    "proactive_total": ("主动公开", "公开信息", "公开政府信息", "发布信息"),
    "normative_cleanup": ("清理",),
}
_SENTENCE = re.compile(r"(?<=[。！？；!?;])|\n+")
_DIGIT = re.compile(r"\d")
_HEADER = re.compile(r"^《[^》]*》[^\n]*\n")


def bigrams(text: str) -> set[str]:
    text = re.sub(r"[\s\d，。、；：？！“”‘’（）()《》,.?!:;\"'…—-]+", "|", text or "")
    return {text[i:i + 2] for i in range(len(text) - 1) if "|" not in text[i:i + 2]}


_ITEM_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、是]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|第[一二三四五六七八九十]+)")
_LINE_ENDS = ("。", "！", "？", "；", "：", ":", "!", "?", ";")


def unwrap(text: str) -> str:
    """Join lines the layout broke mid-sentence (PDF and copied text wrap anywhere); keep item starts."""
    out: list[str] = []
    for line in (text or "").split("\n"):
        line = line.strip()
        if not line:
            continue
        if out and not out[-1].endswith(_LINE_ENDS) and not _ITEM_START.match(line) and len(out[-1]) >= 12:
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def leaf_sentences(report) -> list[tuple[str, object]]:
    """(sentence, section) over the report's text, each sentence once, from its deepest section."""
    if report is None:
        return []
    seen: set[str] = set()
    out: list[tuple[str, object]] = []
    for sec in sorted(report.sections, key=lambda s: -s.key.count(".")):
        for sentence in _SENTENCE.split(unwrap(sec.text or "")):
            sentence = re.sub(r"[ \t\u3000*#]+", "", sentence or "").strip()
            if len(sentence) < 6 or sentence in seen:
                continue
            seen.add(sentence)
            out.append((sentence, sec))
    return out


def sentence_citation(view: ReportView, section, sentence: str) -> Citation:
    page, line = section.where(sentence)
    return Citation(view.file, view.agency, view.year, section.path or section.heading, page=page,
                    line=line, text=sentence, report_id=view.record.id)


def matching_sentences(view: ReportView, words: Sequence[str], question: str, limit: int = 2,
                       need_digit: bool = True) -> list[Citation]:
    """The report sentences that best match the words and the question (with a figure, by default)."""
    q = bigrams(question)
    scored = []
    for i, (sentence, sec) in enumerate(leaf_sentences(view.stored)):
        if need_digit and not _DIGIT.search(sentence):
            continue
        hits = sum(1 for w in words if w in sentence)
        if words and not hits:
            continue
        score = hits * 3 + len(q & bigrams(sentence))
        scored.append((-score, i, sentence, sec))
    scored.sort()
    return [sentence_citation(view, sec, s) for _, _, s, sec in scored[:limit]]


# Sentences that never answer a question: the preamble's boilerplate and the 落款.
_BOILERPLATE = re.compile(r"本(年度)?报告(由|根据|是根据|依据|所列|中所列|中使用|的电子版|包括)|统计期限|统计时限|统计期间|如对本报告|"
                          r"(根据|依据).{0,120}(要求|规定)编制|全文包括|"
                          r"对本报告如有|请与.{0,30}联系|邮编|邮政编码|联系电话|电子邮箱|^发布时间|^文号|^原文链接|^栏目")
_SIGNATURE = re.compile(r"^[\u4e00-\u9fa5（）()]{2,40}(人民政府|办公室|局|委员会|管委会|政府|中心|镇|街道|公司)?"
                        r"\s*(19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_ASKED_UNIT = re.compile(r"(?:多少|几)\s*(万人次|人次|批次|万元|亿元|元|件|条|次|个|篇|期|场|家|人|项|份|批|户|天|小时|%)")
_CLAUSE = re.compile(r"(?<=[，,；;：:])")
QUOTE_FOCUS_CHARS = 160
LEAD_MIN_CHARS = 60            # a shorter answer sentence is quoted with the sentence after it        # a longer sentence is quoted around the clause that holds the figure


def is_boilerplate(sentence: str) -> bool:
    """The preamble's “本报告……编制/统计期限/联系电话” and a 落款 line: never a top passage."""
    s = sentence.strip()
    return bool(_BOILERPLATE.search(s) or _SIGNATURE.match(s))


def asked_unit(question: str) -> str | None:
    if re.search(r"占比|比例|比重|百分", question):
        return "%"
    m = _ASKED_UNIT.search(question)
    return m.group(1) if m else None


_FULL_SENTENCE = re.compile(r"(?<=[。！？!?])|\n+")


def full_sentences(report) -> list[tuple[str, object]]:
    """(sentence, section) over the report's text, cut at 。！？ only (a figure's clause keeps its sentence)."""
    if report is None:
        return []
    seen: set[str] = set()
    out: list[tuple[str, object]] = []
    for sec in sorted(report.sections, key=lambda s: -s.key.count(".")):
        for sentence in _FULL_SENTENCE.split(unwrap(sec.text or "")):
            sentence = re.sub(r"[ \t\u3000*#]+", "", sentence or "").strip()
            if len(sentence) < 6 or sentence in seen:
                continue
            seen.add(sentence)
            out.append((sentence, sec))
    return out


def _clause_score(clause: str, words: Sequence[str], q: set[str], unit: str | None) -> tuple[int, int]:
    """(the asked unit follows a number here, words and shared bigrams): the first decides."""
    hits = sum(3 for w in words if w in clause)
    has_unit = bool(unit and re.search(r"\d[\d,.]*\s*" + re.escape(unit), clause))
    return int(has_unit), hits + len(q & bigrams(clause))


def quantity_quotes(view: ReportView, words: Sequence[str], question: str, limit: int = 1) -> list[Citation]:
    """The sentences of the report that state the asked figure: a subject word and a number (not the subject's
    own digits, such as 12345) in the same sentence, ranked by the best clause (words, the question's
    bigrams, the asked unit right after a number); a long sentence is quoted around that clause."""
    q = bigrams(question)
    unit = asked_unit(question)
    scored = []
    for i, (sentence, sec) in enumerate(full_sentences(view.stored)):
        if is_boilerplate(sentence):
            continue
        bare = sentence
        for w in words:
            bare = bare.replace(w, "")
        if not _DIGIT.search(bare) or (words and not any(w in sentence for w in words)):
            continue
        clauses = [c for c in _CLAUSE.split(sentence) if c]
        best = max(range(len(clauses)), key=lambda j: _clause_score(clauses[j], words, q, unit))
        has_unit, score = _clause_score(clauses[best], words, q, unit)
        sentence_words = sum(3 for w in words if w in sentence)
        scored.append(((-has_unit, -(score * 2 + sentence_words + len(q & bigrams(sentence)) // 4)), i, sentence, sec,
                       clauses, best))
    scored.sort(key=lambda x: (x[0], x[1]))
    out = []
    for _, _, sentence, sec, clauses, best in scored[:limit]:
        cite = sentence_citation(view, sec, sentence)
        if len(sentence) > QUOTE_FOCUS_CHARS:
            lo, hi = max(0, best - 1), min(len(clauses), best + 2)
            text = ("……" if lo > 0 else "") + "".join(clauses[lo:hi]) + ("……" if hi < len(clauses) else "")
            cite = replace(cite, text=text)
        out.append(cite)
    return out


def text_metric_quotes(view: ReportView, metric_row: str, question: str) -> list[Citation]:
    if metric_row == "quantity":
        from assistant.metrics import asks_text, find_mentions, text_subjects
        words = text_subjects(question)
        if asks_text(question) or not words:
            words = words + [m.word for m in find_mentions(question) if m.kind not in ("none",)]
        return quantity_quotes(view, words, question)
    return quantity_quotes(view, TEXT_METRIC_WORDS.get(metric_row, ()), question)


# -- a section quoted ---------------------------------------------------------------------------------
def section_quote(view: ReportView, key: str, limit: int = QUOTE_CHARS) -> Citation | None:
    report = view.stored
    parts = report.content_sections(key) if report is not None else []
    sec = parts[0] if parts else None
    if sec is None or not any((p.text or "").strip() for p in parts):
        return None
    if len(parts) == 1:
        text = sec.text.strip()
        if sec.heading and text.startswith(sec.heading.strip()):
            text = text[len(sec.heading.strip()):].lstrip("：: \n")
    else:                  # 五 printed without its heading: its sub-sections, headings kept
        text = "\n".join(p.text.strip() for p in parts)
    text = unwrap(re.sub(r"[ \t\u3000]+", "", text)).strip()
    if len(text) > limit:           # cut after a whole sentence, never inside one
        cut = max(text.rfind(p, 0, limit) for p in "。；\n")
        if cut <= limit // 2:
            after = [i for i in (text.find(p, limit) for p in "。；\n") if i >= 0]
            cut = min(after) if after else len(text) - 1
        text = text[:cut + 1].rstrip("\n") + ("……" if cut + 1 < len(text) else "")
    if sec.key != key:
        text = f"（该报告没有“{SECTIONS[key]}”标题，这部分内容排在第四部分之后）" + text
    return Citation(view.file, view.agency, view.year, sec.path or sec.heading, page=sec.page, line=sec.line,
                    text=text, report_id=view.record.id)


# -- open questions: hybrid search -------------------------------------------------------------------
def passage_text(hit_text: str, question: str, limit: int = PASSAGE_CHARS) -> str:
    """The chunk without its title line, cut to the sentences that best match the question."""
    body = _HEADER.sub("", hit_text or "", count=1).strip()
    body = re.sub(r"[ \t\u3000]+", "", body)
    sentences = [s for s in _SENTENCE.split(body) if s and s.strip()]
    kept = [s for s in sentences if not is_boilerplate(s)]
    if kept and len(kept) < len(sentences):          # the preamble's boilerplate and the 落款 are no answer
        sentences, body = kept, "".join(kept)
    if len(body) <= limit:
        return body
    q = bigrams(question)
    ranked = sorted(range(len(sentences)), key=lambda i: (-len(q & bigrams(sentences[i])), i))
    keep, size = set(), 0
    for i in ranked:
        if size + len(sentences[i]) > limit and keep:
            break
        keep.add(i)
        size += len(sentences[i])
    return "……".join("".join(sentences[i] for i in group) for group in _runs(sorted(keep)))


def _runs(indexes: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in indexes:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def hit_citation(hit, question: str) -> Citation:
    return Citation(hit.file, hit.agency, hit.year, hit.section_path, page=hit.page, line=hit.line,
                    text=passage_text(hit.text, question), report_id=hit.report_id)


def search_text(query, question: str) -> str:
    """A follow-up (“那2023年呢？”) is searched with the agencies, years and figures it inherited."""
    if not getattr(query, "is_followup", False):
        return question
    extra = "".join(query.agencies) + "".join(f"{y}年" for y in query.years) + "".join(m.label for m in query.metrics)
    return extra + question


def search_passages(library, question: str, scope: Scope, k: int = SEARCH_K, section: str | None = None) -> list[Citation]:
    """Hybrid search (BM25 + vectors when the library has them), restricted to the scope's reports (every
    year of a range), with the question already understood: the filters are the scope's report ids."""
    views = scope.views if not scope.whole_library else []
    ids = [v.record.id for v in views]
    hits = library.search(question, k=k, report_ids=ids, section=section) if ids else \
        library.search(question, k=k, section=section)
    if ids and not hits and section:
        hits = library.search(question, k=k, report_ids=ids)
    hits = [h for h in hits if h.kind == "text"] or hits        # prose first; table rows only when nothing else
    cites = [hit_citation(h, question) for h in hits]
    cites = [c for c in cites if not _all_boilerplate(c.text)] or cites
    return dedupe(cites[:k])


def _all_boilerplate(text: str) -> bool:
    parts = [s for s in _SENTENCE.split(text or "") if s and s.strip()]
    return bool(parts) and all(is_boilerplate(s) for s in parts)


_ASKING = re.compile(r"如何|怎么样|怎样|怎么|哪些|什么|是否|有没有|有无|多少|请问|具体|情况|年报|报告|方面|工作|做了|开展了|采取了"
                     r"|政府信息公开|政务公开|信息公开|[？?。！!，,、“”]")


def answer_sentence(views, query, question: str) -> Citation | None:
    """The one sentence of the reports that best answers a text question (most shared word pairs with the
    question once agency names, years and asking words are taken out); never boilerplate or a 落款."""
    core = question
    for mention, _ in getattr(query, "mentions", []) or []:
        core = core.replace(mention, "")
    core = _ASKING.sub("|", re.sub(r"(19|20)\d{2}年度?", "", core))
    q = bigrams(core)
    if not q:
        return None
    best = None
    for view in views:
        for i, (sentence, sec) in enumerate(full_sentences(view.stored)):
            heading = re.sub(r"[ \t\u3000]+", "", sec.heading or "")
            if heading and sentence.startswith(heading):
                sentence = sentence[len(heading):].lstrip("：:")     # a heading glued to its first sentence
            if is_boilerplate(sentence) or len(sentence) > 400 or len(sentence) < 12 \
                    or not re.search(r"[。！？；!?;]$", sentence) and len(sentence) < 30:
                continue                                              # a heading is no answer
            own, under = len(q & bigrams(sentence)), len(q & bigrams(heading))
            # a sentence of the sub-section the question names ranks first; long sentences pay a little
            score = own + 2 * under - len(sentence) / 200
            if own + under >= 2 and (best is None or score > best[0]):
                best = (score, view, sec, sentence)
    if best is None:
        return None
    _, view, sec, sentence = best
    cite = sentence_citation(view, sec, sentence)
    if len(sentence) < LEAD_MIN_CHARS:          # a short answer sentence keeps the next one of its paragraph
        body = re.sub(r"[ \t\u3000*#]+", "", unwrap(sec.text or ""))
        at = body.find(sentence)
        if at >= 0:
            nxt = _FULL_SENTENCE.split(body[at + len(sentence):].lstrip("\n"), maxsplit=1)[0].strip()
            if nxt and "\n" not in body[at:at + len(sentence) + 1] and not is_boilerplate(nxt) and len(nxt) < 200:
                cite = replace(cite, text=sentence + nxt)
    return cite


def answer_open(query, library, scope: Scope, question: str) -> RouteResult:
    """Quote the section asked for (per report), or the passages hybrid search finds."""
    lines, cites = [], []
    if query.section and scope.views and not scope.whole_library:
        for view in scope.views[:3]:
            quote = section_quote(view, query.section)
            if quote is None:
                lines.append(f"{view.label}中没有找到“{SECTIONS.get(query.section, query.section)}”部分的文字。")
                continue
            lines.append(f"{view.label}“{quote.section}”原文如下：\n“{quote.text}”{quote.label()}")
            cites.append(quote)
    if not cites:
        cites = search_passages(library, search_text(query, question), scope,
                                section=query.section if scope.views else None)
        lead = answer_sentence(scope.views[:3], query, question) if scope.views and not scope.whole_library else None
        if lead is not None:
            lines.append(f"{lead.report_label}写道：“{lead.text}”{lead.label()}")
            cites = dedupe([lead] + [c for c in cites if lead.text not in c.text])
            rest = cites[1:]
            if rest:
                lines.append("其他相关原文：")
                lines += [f"{i}. “{c.text}”{c.label()}" for i, c in enumerate(rest, 1)]
        elif cites:
            lines.append("资料库中与问题最相关的原文如下（按相关程度排列）：")
            lines += [f"{i}. “{c.text}”{c.label()}" for i, c in enumerate(cites, 1)]
        else:
            lines.append("资料库中没有找到与问题相关的内容。")
    text = "\n".join(scope.notes + lines)
    found = (f"程序检索到{len(cites)}段相关原文，内容见下面的引用材料（第1段至第{len(cites)}段），出处分别为："
             + "；".join(c.label() for c in cites) + "。") if cites else lines[-1]
    program_text = "\n".join(scope.notes + [found])
    return RouteResult("open", text, cites, [], cites, [program_text], passages_are_sources=True,
                       program_text=program_text)


# -- out of scope ------------------------------------------------------------------------------------
LEGAL_POINTERS = ("一般规定可参考：《中华人民共和国政府信息公开条例》第五十一条（认为行政机关在政府信息公开工作中侵犯其合法权益的，"
                  "可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼），"
                  "以及《中华人民共和国行政复议法》《中华人民共和国行政诉讼法》的有关规定。")


def answer_out_of_scope(query, library, scope: Scope, records: Sequence) -> RouteResult:
    """Say why the library cannot answer, never a guessed number: what annual reports do not contain (applicants,
    personal data, forecasts, leaders' names) in one sentence; an agency not in the library with what it holds."""
    lines: list[str] = []
    if query.out_of_scope_reason:
        # what annual reports do not contain: one sentence, no passages, no list of holdings
        lines.append(query.out_of_scope_reason)
        if "法律判断" in query.out_of_scope_reason:
            lines.append(LEGAL_POINTERS)
    for name in query.unknown_agencies:
        near = query.suggestions.get(name) or []
        line = f"资料库中没有{name}的年报，无法给出其数据。"
        if near:
            line += f"名称相近的有：{'、'.join(near)}。"
        lines.append(line)
    facts, cites = [], []
    if not (query.out_of_scope_reason and not query.unknown_agencies):
        lines += [n for n in scope.notes if n not in lines]
        if records:
            lines.append(f"资料库现有{len(records)}份年报：{holdings_text(records)}。")
        else:
            lines.append("资料库中还没有年报。")
    text = "\n".join(lines)
    return RouteResult("out_of_scope", text, cites, facts, [], [text])


def _n(v) -> str:
    from assistant.metrics import format_number
    return format_number(v)
