"""The language-model chain (LCEL: prompt | ChatOpenAI | StrOutputParser) that only phrases and drafts.

The model gets the figures the program computed (with their citations) and report passages fenced and
labelled as quoted material (a per-request nonce in the fence, fence-like text removed from the passages,
and a system prompt that says text inside the fence is data). Its output goes through the number guard:
every number must equal a number of its context or a computed fact, others are marked 【未核实：N】 and the
answer says so and appends the program's own answer. Prompts are the files in prompts/.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from assistant.cite import Citation
from assistant.guard import find_numbers, guard_numbers
from assistant.scope import RouteResult

PROMPTS = Path(__file__).resolve().parents[1] / "prompts"
FENCE_OPEN = "<<<引用材料"
FENCE_CLOSE = "<<<引用材料结束"
_SAFE_END = "，。；！？\n：、）】〕”"
_FENCE_LIKE = re.compile(r"<{2,}|>{2,}|＜{2,}|＞{2,}|《{3,}|》{3,}")


def load_prompt(name: str) -> str:
    return (PROMPTS / f"{name}.md").read_text(encoding="utf-8").strip()


def sanitize_passage(text: str) -> str:
    """Passage text cannot open or close a fence: runs of angle brackets are replaced."""
    return _FENCE_LIKE.sub("‹", text or "")


def fence_passages(passages: Sequence[Citation], nonce: str) -> str:
    """Each passage between labelled fence lines carrying the request's nonce."""
    if not passages:
        return "（无）"
    blocks = []
    for i, p in enumerate(passages, 1):
        blocks.append(f"{FENCE_OPEN} {nonce} 第{i}段 出处：{p.label()}>>>\n{sanitize_passage(p.text)}\n"
                      f"{FENCE_CLOSE} {nonce} 第{i}段>>>")
    return "\n".join(blocks)


def build_chain(model, task: str = "phrase"):
    """prompt | model | StrOutputParser; the human template is prompts/answer.md or prompts/draft.md."""
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    prompt = ChatPromptTemplate.from_messages([("system", load_prompt("system")),
                                               ("human", load_prompt("draft" if task == "draft" else "answer"))])
    return prompt | model | StrOutputParser()


def chain_inputs(question: str, understanding: str, route: RouteResult, passages: Sequence[Citation],
                 nonce: str) -> dict:
    return {"question": question, "understanding": understanding, "facts": route.text,
            "passages": fence_passages(passages, nonce), "nonce": nonce}


def new_nonce() -> str:
    return secrets.token_hex(6)


# -- the guard around the model's text ---------------------------------------------------------------------
def allowed_pool(route: RouteResult, passages: Sequence[Citation], years: Iterable[int]) -> list:
    pool: list = list(route.allowed) + [route.text] + [c.label() for c in route.citations]
    if route.passages_are_sources:
        pool += [p.text for p in passages] + [p.label() for p in passages]
    pool += [int(y) for y in years]
    return pool


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


def finish(model_text: str, route: RouteResult, pool: list) -> Guarded:
    """Guard the model's complete text; say what was marked; append the program's answer when the model
    marked or left out figures (or dropped every citation)."""
    result = guard_numbers(model_text.strip(), pool)
    shown = _numbers_in(result.text)
    missing = [x for x in route.required if not any(abs(float(x) - v) < 1e-9 for v in shown)
               and not any(abs(round(float(x), 1) - v) < 1e-9 for v in shown)]
    text = result.text
    notes = []
    if result.flagged:
        notes.append(f"（说明：以上文字由大模型组织，其中{len(result.flagged)}处数字（{'、'.join(result.flagged)}）"
                     "在所给资料和程序计算结果中找不到，已标为【未核实】，请勿采用。准确数字以下面的程序核算结果为准。）")
    elif missing:
        notes.append("（说明：大模型的表述没有包含全部计算结果，程序核算结果如下。）")
    elif route.citations and not any(c.label() in text for c in route.citations) and "〔" not in text:
        notes.append("（出处：" + "；".join(dict.fromkeys(c.label() for c in route.citations)) + "）")
    if notes:
        text = text + "\n\n" + notes[0]
        if result.flagged or missing:
            text += "\n" + route.text
    return Guarded(text, list(result.flagged), missing)


def stream_guarded(chunks: Iterable[str], pool: list) -> Iterator[tuple[str, str]]:
    """(raw text so far, guarded text shown so far) as model chunks arrive; shown text ends at a clause end."""
    raw = ""
    last = None
    for chunk in chunks:
        raw += chunk or ""
        prefix = safe_prefix(raw)
        if prefix and prefix != last:
            last = prefix
            yield raw, guard_numbers(prefix, pool).text
    yield raw, guard_numbers(raw, pool).text
