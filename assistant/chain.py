"""The language-model chain (LCEL: prompt | ChatOpenAI | StrOutputParser) that only phrases and drafts.

The model gets the figures the program computed (with their citations) under 【程序核算结果】, and report
passages only inside a fence labelled as quoted material (a per-request nonce in the fence; fence-like text,
the fence's own words and the nonce removed from passages and from anything else a report wrote; a system
prompt that says text inside the fence is data). A route whose text quotes passages gives the model its
`program_text` instead, so program results hold program results only.

Its output goes through the number guard: every number must equal a number the program gave (computed
facts, the program's text, citations, the years asked). A number that only a passage holds is accepted
only where the answer quotes that passage verbatim (“…”) with the passage's citation on the same line,
and even then it is marked 【与表格不符：N】 when the validator found that sentence contradicting the
report's table. Others are marked 【未核实：N】; the answer says so and appends the program's own answer.
Prompts are the files in prompts/.
"""
from __future__ import annotations

import re
import unicodedata
import secrets
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Sequence

from assistant.cite import Citation
from assistant.metrics import format_number
from assistant.guard import GuardResult, collect_allowed, find_numbers, guard_numbers, number_allowed
from assistant.scope import RouteResult

from prompts import PROMPTS
FENCE_OPEN = "<<<引用材料"
FENCE_CLOSE = "<<<引用材料结束"
_SAFE_END = "，。；！？\n：、）】〕”"
# Characters a report can hide between a fence's characters (zero-width spaces and joiners, direction marks,
# soft hyphens, variation selectors, the BOM, Hangul fillers): removed before the fence is looked for.
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")
_LT = "<＜‹«〈⟨﹤˂ᐸ❮❬〈⧼"
_GT = ">＞›»〉⟩﹥˃ᐳ❯❭〉⧽"
_FENCE_LIKE = re.compile(f"(?:[{_LT}][\\s　]*){{2,}}|(?:[{_GT}][\\s　]*){{2,}}|《{{3,}}|》{{3,}}")
_FENCE_WORDS = re.compile(r"引[\s　]*用[\s　]*材[\s　]*料")
# A report's own “【程序核算结果】” (any bracket, any width, spaced) would pose as the program's block.
_FAKE_RESULTS = re.compile(r"[【\[［〖〔(（][\s　]*程[\s　]*序[\s　]*核[\s　]*算[\s　]*结[\s　]*果[\s　]*[】\]］〗〕)）]")
_NONCE_LIKE = re.compile(r"[0-9a-f]{12}")
_QUOTES = {"“": "”", "「": "」", "『": "』", "\"": "\""}
CONTRADICTS = "与表格不符"


def load_prompt(name: str) -> str:
    return (PROMPTS / f"{name}.md").read_text(encoding="utf-8").strip()


def sanitize_passage(text: str, nonce: str = "") -> str:
    """Text a report wrote cannot open or close a fence: runs of angle brackets (any width, spaced or not)
    become one ‹, the fence's words 引用材料 become 引用资料, a “【程序核算结果】” heading becomes plain words, and a
    nonce-like hex run is cut; invisible characters and full-width forms are normalised first (NFKC only for the
    comparison: what is not a fence keeps its own characters)."""
    text = _INVISIBLE.sub("", text or "")
    text = "".join(unicodedata.normalize("NFKC", ch) if unicodedata.normalize("NFKC", ch) in "<>[]" else ch
                   for ch in text)
    text = _FENCE_LIKE.sub("‹", text)
    text = _FENCE_WORDS.sub("引用资料", text)
    text = _FAKE_RESULTS.sub("（报告原文写的“程序核算”字样）", text)
    if nonce:
        text = text.replace(nonce, "")
    return _NONCE_LIKE.sub(lambda m: m.group()[:6] + "…", text)


def fence_passages(passages: Sequence[Citation], nonce: str) -> str:
    """Each passage between labelled fence lines carrying the request's nonce (the label, built from the
    report's own headings, is sanitized like the text)."""
    if not passages:
        return "（无）"
    blocks = []
    for i, p in enumerate(passages, 1):
        blocks.append(f"{FENCE_OPEN} {nonce} 第{i}段 出处：{sanitize_passage(p.label(), nonce)}>>>\n"
                      f"{sanitize_passage(p.text, nonce)}\n{FENCE_CLOSE} {nonce} 第{i}段>>>")
    return "\n".join(blocks)


def build_chain(model, task: str = "phrase"):
    """prompt | model | StrOutputParser; the human template is prompts/answer.md or prompts/draft.md."""
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    prompt = ChatPromptTemplate.from_messages([("system", load_prompt("system")),
                                               ("human", load_prompt("draft" if task == "draft" else "answer"))])
    return prompt | model | StrOutputParser()


QUOTE_POINTER = "〔原文见摘录第{n}段〕"
MIN_MOVED_QUOTE = 8          # report text shorter than this (a label, a figure with its unit) stays in place


def program_and_quotes(route: RouteResult, passages: Sequence[Citation]) -> tuple[str, list[Citation]]:
    """What the model gets as program results, and the passages to fence. A route's text may quote a report's
    sentences (a draft quotes last year's problems and this year's measures, a check the sentence that
    contradicts a table): each quoted sentence (a passage, or a sentence citation of the route) is moved into
    the fence and replaced in the program text by a pointer to its passage, so 【程序核算结果】 holds only what
    the program wrote."""
    facts = route.program_text if route.program_text is not None else route.text

    def quoted(c: Citation) -> bool:
        return c.table is None and len((c.text or "").strip()) >= MIN_MOVED_QUOTE and c.text.strip() in facts
    fenced = list(passages) + [c for c in dict.fromkeys(route.citations) if c not in passages and quoted(c)]
    moved = sorted((k for k, c in enumerate(fenced) if quoted(c)), key=lambda k: -len(fenced[k].text.strip()))
    for k in moved:                         # longer quotations first: a short one may lie inside a longer one
        facts = facts.replace(fenced[k].text.strip(), QUOTE_POINTER.format(n=k + 1))
    return facts, fenced


def chain_inputs(question: str, understanding: str, program: str, fenced: Sequence[Citation], nonce: str) -> dict:
    """The prompt's fields. 【程序核算结果】 is the program's text with its quotations of report text already
    moved into the fence (`program_and_quotes`); since notes and labels may carry a report's words it cannot
    hold a fence either."""
    return {"question": sanitize_passage(question, nonce), "understanding": understanding,
            "facts": sanitize_passage(program, nonce), "passages": fence_passages(fenced, nonce), "nonce": nonce}


def new_nonce() -> str:
    return secrets.token_hex(6)


# -- the guard around the model's text ---------------------------------------------------------------------
@dataclass(frozen=True)
class PassageSource:
    """What one passage may vouch for: its citation label, its numbers, its normalized text, and the
    sentences of it the validator found contradicting the report's table (normalized sentence, the text's
    figure, the table's figure)."""
    label: str
    numbers: object                       # guard.Allowed
    text: str
    contradicted: tuple[tuple[str, float, float | None], ...] = ()


@dataclass
class Pool:
    """The numbers an answer may contain: what the program gave, and passages that vouch for a number
    only when quoted with their citation."""
    program: object                       # guard.Allowed
    passages: list[PassageSource] = field(default_factory=list)
    contradicted: dict = field(default_factory=dict)     # figure as written → the table's figure (filled by the guard)


def _norm(text: str) -> str:
    return re.sub(r"[\s　]+", "", text or "")


def passage_source(p: Citation, findings: Sequence[dict] = ()) -> PassageSource:
    """A passage with the text-vs-table findings (stored with its report) whose sentence it contains."""
    text = _norm(p.text)
    bad = []
    for f in findings:
        actual = f.get("actual")
        if not isinstance(actual, (int, float)) or isinstance(actual, bool):
            continue
        for e in f.get("evidence", []):
            sentence = _norm(e.get("text") or "") if e.get("kind") == "sentence" else ""
            if sentence and (sentence in text or text in sentence):
                expected = f.get("expected")
                bad.append((sentence, float(actual), float(expected) if isinstance(expected, (int, float)) else None))
    return PassageSource(p.label(), collect_allowed([p.text]), text, tuple(bad))


def allowed_pool(route: RouteResult, passages: Sequence[Citation], years: Iterable[int],
                 findings_of=None) -> Pool:
    """The program's numbers (computed values, its text, citation labels, the years asked), and the
    passages (their report's stored findings from `findings_of(report_id)` when given)."""
    program: list = list(route.allowed) + [route.program_text if route.program_text is not None else route.text]
    program += [c.label() for c in route.citations] + [int(y) for y in years]
    sources = []
    for p in passages:
        findings = []
        if findings_of is not None and p.report_id:
            try:
                findings = findings_of(p.report_id)
            except Exception:            # findings only sharpen the marks; the guard stands without them
                findings = []
        sources.append(passage_source(p, findings))
    return Pool(collect_allowed(program), sources)


def _quoted(answer: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of the quotation (“…”) around answer[start:end] on its line, or None."""
    line_start = answer.rfind("\n", 0, start) + 1
    for i in range(start - 1, line_start - 1, -1):
        ch = answer[i]
        if ch in _QUOTES.values() and ch not in _QUOTES:
            return None                  # a closing quote comes first: not inside a quotation
        if ch in _QUOTES:
            close = answer.find(_QUOTES[ch], end)
            line_end = answer.find("\n", end)
            if close == -1 or (line_end != -1 and close > line_end):
                return None
            return i + 1, close
    return None


def vouch_for(pool: Pool):
    """The guard's `vouch`: a number only a passage holds passes when the answer quotes that passage
    verbatim with its citation on the same line; marked 与表格不符 when that sentence contradicts the table."""
    def vouch(tok, answer: str) -> str | None:
        span = _quoted(answer, tok.start, tok.end)
        if span is None:
            return None
        quote = _norm(answer[span[0]:span[1]])
        line_end = answer.find("\n", span[1])
        line = answer[answer.rfind("\n", 0, span[0]) + 1:line_end if line_end != -1 else len(answer)]
        for src in pool.passages:
            if not quote or quote not in src.text or src.label not in line or not number_allowed(tok, src.numbers):
                continue
            for sentence, actual, expected in src.contradicted:
                if (quote in sentence or sentence in quote) and any(abs(v - actual) < 1e-9 for v in tok.values):
                    pool.contradicted[tok.text] = expected
                    return CONTRADICTS
            return ""
        return None
    return vouch


def guard(text: str, pool: Pool) -> GuardResult:
    return guard_numbers(text, pool.program, vouch_for(pool))


def safe_prefix(text: str) -> str:
    """The text up to its last clause end, so a number is never cut in two while streaming."""
    cut = max(text.rfind(ch) for ch in _SAFE_END)
    return text[:cut + 1] if cut >= 0 else ""


@dataclass
class Guarded:
    text: str                              # what the user sees
    flagged: list[str] = field(default_factory=list)
    missing: list[float] = field(default_factory=list)   # computed figures the model left out


def _numbers_in(text: str) -> list[float]:
    return [v for tok in find_numbers(text) for v in tok.values]


_POINTER = re.compile(re.escape(QUOTE_POINTER).replace(r"\{n\}", r"(\d+)"))


def restore_quotes(text: str, fenced: Sequence[Citation]) -> str:
    """Pointers a model copied from the program results (〔原文见摘录第2段〕) become that passage's text again."""
    def back(m: re.Match) -> str:
        k = int(m.group(1))
        return fenced[k - 1].text.strip() if 1 <= k <= len(fenced) else m.group(0)
    return _POINTER.sub(back, text)


def finish(model_text: str, route: RouteResult, pool: Pool, fenced: Sequence[Citation] = ()) -> Guarded:
    """Guard the model's complete text (pointers to fenced passages restored first); say what was marked;
    append the program's answer when the model marked or left out figures (or dropped every citation)."""
    result = guard(restore_quotes(model_text.strip(), fenced), pool)
    shown = _numbers_in(result.text)
    missing = [x for x in route.required if not any(abs(float(x) - v) < 1e-9 for v in shown)
               and not any(abs(round(float(x), 1) - v) < 1e-9 for v in shown)]
    text = result.text
    notes = []
    contradicted = [t for t in result.flagged if f"【{CONTRADICTS}：{t}】" in result.text]
    unverified = [t for t in result.flagged if t not in contradicted]
    if result.flagged:
        parts = []
        if unverified:
            parts.append(f"其中{len(unverified)}处数字（{'、'.join(unverified)}）在程序计算结果中找不到，也不是带出处引用的"
                         "原文，已标为【未核实】，请勿采用")
        if contradicted:
            tables = "、".join(format_number(pool.contradicted[t]) for t in contradicted
                              if pool.contradicted.get(t) is not None)
            parts.append(f"{len(contradicted)}处数字（{'、'.join(contradicted)}）是报告正文的说法，但与该报告的表格不一致"
                         + (f"（表格为 {tables}）" if tables else "（核查已发现）") + f"，已标为【{CONTRADICTS}】")
        notes.append("（说明：以上文字由大模型组织，" + "；".join(parts) + "。准确数字以下面的程序核算结果为准。）")
    elif missing:
        notes.append("（说明：大模型的表述没有包含全部计算结果，程序核算结果如下。）")
    elif route.citations and not any(c.label() in text for c in route.citations) and "〔" not in text:
        notes.append("（出处：" + "；".join(dict.fromkeys(c.label() for c in route.citations)) + "）")
    if notes:
        text = text + "\n\n" + notes[0]
        if result.flagged or missing:
            text += "\n" + route.text
    return Guarded(text, list(result.flagged), missing)


def stream_guarded(chunks: Iterable[str], pool: Pool) -> Iterator[tuple[str, str]]:
    """(raw text so far, guarded text shown so far) as model chunks arrive; shown text ends at a clause end."""
    raw = ""
    last = None
    for chunk in chunks:
        raw += chunk or ""
        prefix = safe_prefix(raw)
        if prefix and prefix != last:
            last = prefix
            yield raw, guard(prefix, pool).text
    yield raw, guard(raw, pool).text
