"""Answering a question over the library: understand it (follow-ups resolved against earlier turns), pick
the route (facts, comparisons, rankings, year-over-year, checks, open questions, drafting, out of scope),
compute the offline answer from the fact store and the stored findings, and, when a language model is
configured, let it phrase or draft from those facts and fenced passages, its figures checked by the guard.

`answer(question, history, library, llm=None) -> Answer` and `stream_answer(...)` are what the CLI and the
web app call. Without a model every route still answers (computed facts, quoted passages, template drafts).
"""
from __future__ import annotations

import queue
import re
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Iterator, Sequence

from assistant.chain import (allowed_pool, build_chain, chain_inputs, finish, new_nonce, program_and_quotes,
                             stream_guarded)
from assistant.cite import TABLE_ZH, Citation
from assistant.drafting import answer_draft
from assistant.llm import HEALTH, LLMConfig, answer_timeout, llm_config, make_chat_model, model_key
from assistant.metrics import METRICS
from assistant.query import Query, parse_question
from assistant.routes_check import answer_check, answer_library_findings, library_finding_topics
from assistant.routes_facts import answer_facts
from assistant.routes_text import answer_open, answer_out_of_scope, search_passages, search_text
from assistant.scope import RouteResult, Scope, holdings_text, resolve_scope
from assistant.measures import read_library_question

MAX_QUESTION_CHARS = 2000  # a longer question is refused before any parsing (a 1M-character one cost 47 s of CPU)
OFFLINE = False          # pass as `llm` to answer without a model even when one is configured
EMPTY_LIBRARY = "资料库中还没有年报。请先用 nianbao ingest 文件或文件夹（或在网页“年报库”中上传）加入年度报告。"
OPERATION_ZH = {"value": "查数", "list": "列出", "compare": "比较", "rank": "排序", "sum": "求和", "difference": "求差",
                "growth": "同比变化", "ratio": "比率", "check": "核对", "draft": "起草", "open": "查找原文",
                "out_of_scope": "超出资料库范围"}


@dataclass
class Answer:
    """One answer: the text (each number followed by its citation), the citations, the computed facts, the
    route taken, and whether a model phrased it ("llm") or the program alone ("offline")."""
    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    route: str = "open"
    mode: str = "offline"
    query: Query | None = None
    flagged: list[str] = field(default_factory=list)     # model figures the guard could not verify

    def to_json(self, id: str | None = None) -> dict:
        d = {"answer": self.text, "citations": [c.to_json() for c in self.citations], "facts": self.facts,
             "route": self.route, "mode": self.mode}
        if self.flagged:
            d["flagged"] = list(self.flagged)
        return d if id is None else {"id": id, **d}


# -- history -----------------------------------------------------------------------------------------------
def history_queries(history: Sequence | None, agencies: Sequence[str], latest_year: int | None) -> list[Query]:
    """Earlier turns as parsed queries. Items may be Answers, Queries, question strings, chat messages
    ({"role": "user", "content": …}; assistant messages are skipped) or (question, answer) pairs."""
    out: list[Query] = []
    for item in history or ():
        if isinstance(item, Answer):
            if item.query is not None:
                out.append(item.query)
            continue
        if isinstance(item, Query):
            out.append(item)
            continue
        text = None
        if isinstance(item, str):
            text = item
        elif isinstance(item, dict):
            if item.get("role", "user") == "user":
                content = item.get("content")
                text = content if isinstance(content, str) else None
        elif isinstance(item, (tuple, list)) and item and isinstance(item[0], str):
            text = item[0]
        if text and text.strip():
            out.append(parse_question(text, agencies, out, latest_year))
    return out


_PUBLISHED = re.compile(r"按时发布|及时发布|发布时限|逾期发布|超期发布|什么时候发布|哪天发布|何时发布|发布日期")
_RELATIVE_YEAR = re.compile(r"今年|去年|前年|上一年|近[两二三四五六七八九十2-9]年|本年度")


def understand(question: str, history: Sequence | None, records: Sequence) -> Query:
    """Parse the question against the library's agencies. 今年/去年 count from the library's latest year,
    or, for a question about one unit, from that unit's latest report."""
    agencies = sorted({r.agency for r in records if r.agency})
    years = [r.year for r in records if r.year]
    latest = max(years) if years else None
    earlier = history_queries(history, agencies, latest)
    query = parse_question(question, agencies, earlier, latest)
    if len(query.agencies) == 1 and _RELATIVE_YEAR.search(question) and not re.search(r"(19|20)\d{2}", question):
        own = [r.year for r in records if r.agency == query.agencies[0] and r.year]
        if own and max(own) != latest and not set(query.years) <= set(own):     # 近两年 of this unit's reports
            query = parse_question(question, agencies, earlier, max(own))
    if query.other_years and query.is_followup and query.agencies:
        # “那另外两年呢？”: the same question for the agencies' reports of the years not yet asked
        asked = set(earlier[-1].years) if earlier else set(query.years)
        others = sorted({r.year for r in records if r.agency in query.agencies and r.year} - asked)
        if others:
            query = replace(query, years=others)
    if not query.metrics and query.operation in ("open", "check") and _PUBLISHED.search(question):
        query = replace(query, metrics=[METRICS["meta.published"]], operation="value")
    return query


def describe_query(query: Query) -> str:
    """How the program read the question, in Chinese (shown to the model, useful in logs)."""
    parts = [f"操作：{OPERATION_ZH.get(query.operation, query.operation)}"]
    if query.agencies:
        parts.append("单位：" + "、".join(query.agencies))
    elif query.all_agencies:
        parts.append("单位：资料库中全部单位")
    if query.years:
        parts.append("年度：" + "、".join(f"{y}年" for y in query.years))
    if query.metrics:
        parts.append("数据项：" + "、".join(m.label for m in query.metrics))
    if query.tables:
        parts.append("表格：" + "、".join(TABLE_ZH.get(t, t) for t in query.tables))
    if query.is_followup:
        parts.append("（承接上一轮问题）")
    return "；".join(parts)


# -- routing -----------------------------------------------------------------------------------------------
def route_question(query: Query, library, records: Sequence, question: str) -> RouteResult:
    """The offline answer: which route, computed from the fact store, findings and passages only."""
    if query.season:
        return answer_season(query, library, records)
    if not records:
        return RouteResult("out_of_scope", EMPTY_LIBRARY, allowed=[EMPTY_LIBRARY])
    op = query.operation
    if op == "out_of_scope" or (query.unknown_agencies and not query.agencies):
        scope = resolve_scope(query, library, records) if query.agencies else Scope()
        return answer_out_of_scope(query, library, scope, records)
    scope = resolve_scope(query, library, records)
    for name in query.unknown_agencies:
        scope.notes.insert(0, f"资料库中没有{name}的年报。")
    scope.notes[:0] = [n for n in query.name_notes if n not in scope.notes]
    if op == "draft":
        return answer_draft(query, library, scope, question, records)
    if scope.whole_library and op != "rank" and library_finding_topics(question):
        return answer_library_findings(question, scope)
    text_metrics = [m for m in query.metrics if m.table == "text"]
    if op == "check" or (text_metrics and op in ("sum", "difference")):
        return answer_check(query, library, scope, question)
    if op == "open" and not (query.metrics or (query.tables and not query.section)):
        return answer_open(query, library, scope, question)
    if query.metrics or query.tables or query.column or read_library_question(question) is not None:
        return answer_facts(query, library, scope, question)
    return answer_open(query, library, scope, question)


def answer_season(query: Query, library, records: Sequence) -> RouteResult:
    """“哪些单位还没有发布2025年报？” / “逾期发布的有哪些？”: from the season board of the roster (issue 25),
    each unit cited to its line of the board. Without a year, the library's latest report year."""
    from datetime import date
    from assistant.season.board import board_answer, season_board
    years = [r.year for r in records if r.year]
    year = query.years[-1] if query.years else (max(years) if years else date.today().year - 1)
    board = season_board(library, year)
    text, citations, facts = board_answer(board, query.season)
    return RouteResult("season", text, citations=citations, facts=facts, allowed=[text])


def _resolve_model(llm):
    """None for offline; a chat model from the environment (llm=None), from an LLMConfig, or as given."""
    if llm is False or llm == "offline":
        return None
    if llm is None:
        cfg = llm_config()
        return make_chat_model(cfg) if cfg is not None else None
    if isinstance(llm, LLMConfig):
        return make_chat_model(llm)
    return llm


def _answer_of(question: str, query: Query, route: RouteResult, text: str, mode: str,
               flagged: Sequence[str] = ()) -> Answer:
    return Answer(question, text, list(route.citations), list(route.facts), route.route, mode, query, list(flagged))


def stream_answer(question: str, history: Sequence | None, library, llm=None) -> Iterator[str | Answer]:
    """Yield the answer text so far (cumulative strings; with a model they end at a clause and have passed
    the number guard) and, last, the final Answer. `history`: earlier Answers (or questions / chat
    messages), oldest first. `llm`: None = the model configured by NIANBAO_LLM_* (offline when none),
    OFFLINE/False = program only, or a LangChain chat model / LLMConfig."""
    question = (question or "").strip()
    if len(question) > MAX_QUESTION_CHARS:
        yield Answer(question[:200], question_too_long(len(question)), route="out_of_scope")
        return
    records = library.reports()
    query = understand(question, history, records)
    if not question:
        yield Answer(question, "请输入问题。", route="open", query=query)
        return
    route = route_question(query, library, records, question)
    # refusals and the season board's lists stay exact
    model = _resolve_model(llm) if route.route not in ("out_of_scope", "season") else None
    if model is None:
        yield route.text
        yield _answer_of(question, query, route, route.text, "offline")
        return
    yield from _stream_with_model(question, query, route, library, model)


def prepare() -> None:
    """Load what answering loads lazily (the word segmenter's dictionary, about 2 s), so that a server pays for
    it before serving rather than during some user's question."""
    from assistant.aliases import word_segmenter
    word_segmenter()


def question_too_long(n: int) -> str:
    return (f"问题过长（{n:,} 个字符，上限 {MAX_QUESTION_CHARS:,} 个字符），未作处理。请只写要问的内容，"
            "例如“某单位2024年收到多少件政府信息公开申请？”；核查整份年报请在“核查”页上传文件。")


WAITING_FOR_MODEL = "（以下为程序核算结果；大模型正在组织语言，完成后将替换为大模型的表述。）"
MODEL_SKIPPED = "（大模型刚才未能及时响应，暂不使用；以下为程序根据资料库生成的回答。）"
MODEL_TOO_SLOW = "（大模型在 {seconds:.0f} 秒内没有完成回答，已停止等待；以下为程序根据资料库生成的回答。）"


class AnswerDeadline(Exception):
    """The model's answer did not finish within llm.answer_timeout()."""


def within_deadline(pieces, seconds: float):
    """The items of `pieces` (consumed in a worker thread) until they end or `seconds` pass in all; then
    AnswerDeadline. The per-read timeouts of the HTTP client never fire while a server sends keep-alive comments,
    empty deltas or a character every few seconds; this bounds the whole answer. The worker stops at its next
    piece; one blocked on a server that sends only comments ends with that connection (a daemon thread), and the
    model is then skipped for llm.COOLDOWN_S, so no more are started meanwhile."""
    box: queue.Queue = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            for item in pieces:
                if stop.is_set():
                    break
                box.put(("item", item))
            box.put(("done", None))
        except BaseException as e:     # noqa: BLE001 - handed to the caller's thread
            box.put(("error", e))
        finally:
            close = getattr(pieces, "close", None)
            if close is not None and stop.is_set():
                try:
                    close()
                except Exception:      # noqa: BLE001 - best effort
                    pass

    threading.Thread(target=work, name="nianbao-llm-stream", daemon=True).start()
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        try:
            if left <= 0:
                raise queue.Empty
            kind, value = box.get(timeout=left)
        except queue.Empty:
            stop.set()
            raise AnswerDeadline() from None
        if kind == "done":
            return
        if kind == "error":
            raise value
        yield value


def _stream_with_model(question: str, query: Query, route: RouteResult, library, model) -> Iterator[str | Answer]:
    """The computed answer at once, then the model's phrasing as it streams (guarded). A model that fails or
    does not answer in time leaves the computed answer with a note, and is skipped for a while (llm.HEALTH)."""
    key = model_key(model)
    if not HEALTH.available(key):
        text = MODEL_SKIPPED + "\n" + route.text
        yield text
        yield _answer_of(question, query, route, text, "offline")
        return
    yield WAITING_FOR_MODEL + "\n" + route.text
    passages = list(route.passages)
    if not passages and route.route in ("facts", "compare", "yoy", "check") and query.agencies:
        try:
            scope = resolve_scope(query, library, library.reports())
            passages = search_passages(library, search_text(query, question), scope, k=2)
        except Exception:          # passages only help the wording; the facts stand without them
            passages = []
    nonce = new_nonce()
    pool = allowed_pool(route, passages, query.years, findings_of=library.facts.findings)
    chain = build_chain(model, route.task)
    program, fenced = program_and_quotes(route, passages)
    inputs = chain_inputs(question, describe_query(query), program, fenced, nonce)
    raw = ""
    seconds = answer_timeout()
    try:
        for raw, shown in stream_guarded(within_deadline(chain.stream(inputs), seconds), pool):
            yield shown
    except AnswerDeadline:              # a model that never finishes: the program's answer stands
        HEALTH.failed(key)
        text = MODEL_TOO_SLOW.format(seconds=seconds) + "\n" + route.text
        yield text
        yield _answer_of(question, query, route, text, "offline")
        return
    except Exception as e:              # the model is down, slow or refused: the program's answer still stands
        HEALTH.failed(key)
        note = f"（大模型暂时无法使用（{type(e).__name__}），以下为程序根据资料库生成的回答。）"
        text = note + "\n" + route.text
        yield text
        yield _answer_of(question, query, route, text, "offline")
        return
    HEALTH.ok(key)
    if not raw.strip():
        text = "（大模型没有返回内容，以下为程序根据资料库生成的回答。）\n" + route.text
        yield text
        yield _answer_of(question, query, route, text, "offline")
        return
    guarded = finish(raw, route, pool, fenced)
    yield guarded.text
    yield _answer_of(question, query, route, guarded.text, "llm", guarded.flagged)


def answer(question: str, history: Sequence | None, library, llm=None) -> Answer:
    """Answer one question over `library` (a vectorstore.library.Library). `history`: earlier Answers (or
    questions / chat messages), oldest first, so follow-ups (“那2023年呢？”) resolve. `llm`: None = the
    model configured by NIANBAO_LLM_* (offline when none), OFFLINE/False = program only, or a chat model."""
    final = None
    for item in stream_answer(question, history, library, llm):
        if isinstance(item, Answer):
            final = item
    return final


def polish_draft(request: str, draft: str, llm=None) -> tuple[str, str]:
    """A draft the program assembled (figures and citations read from the tables), polished by the language
    model when one is configured: (text, "llm"), with every number checked by the guard and unverified ones
    marked; or (draft, "offline") as it is when no model is configured or the model fails."""
    model = _resolve_model(llm)
    if model is None or not draft.strip():
        return draft, "offline"
    if not HEALTH.available(model_key(model)):
        return f"{MODEL_SKIPPED.replace('回答', '草稿')}\n{draft}", "offline"
    route = RouteResult(route="draft", text=draft, task="draft", allowed=[draft])
    pool = allowed_pool(route, [], [])
    try:                 # streamed, so the first-piece timeout bounds a silent server, not a long draft
        raw = "".join(build_chain(model, "draft").stream(
            chain_inputs(request, "按所选单位和年度起草年度报告章节", draft, [], new_nonce())))
    except Exception as e:
        HEALTH.failed(model_key(model))
        return f"（大模型暂时无法使用（{type(e).__name__}），以下为程序生成的草稿。）\n{draft}", "offline"
    if not raw.strip():
        return draft, "offline"
    return finish(raw, route, pool).text, "llm"


def library_summary(library) -> str:
    records = library.reports()
    if not records:
        return EMPTY_LIBRARY
    return f"资料库现有{len(records)}份年报：{holdings_text(records)}。"
