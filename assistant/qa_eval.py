"""The question-answering evaluation: ingest ../shared into a data folder (library_ops), answer every
question of eval/questions.jsonl offline and score it.

fact / compare / yoy / check and any other type (draft reported apart): an answer passes when it holds every
expected number as a number token of its text (“2025年1月21日” holds 2025, 1 and 21), cites every expected
report file (a citation's file ends with the expected path) and says every expected word. refuse /
unknowable / absent: it passes when it says the expected words and has no number that the library does not
hold (citation brackets aside). A question with "history" (earlier turns) is a follow-up, asked after them.
"""
from __future__ import annotations

import re
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Sequence

from assistant.answer import OFFLINE, answer
from assistant import library_ops
from assistant.guard import find_numbers
from assistant.library_ops import EVAL_VECTOR_CACHE, IngestSummary, cited, ingest_paths, load_questions, shared_dir
from assistant.retrieve import retrieve
from vectorstore.library import Library
from ingest.settings import Settings

SCORED_TYPES = ("fact", "compare", "yoy", "check")
# Types scored like refuse: the expected words, and no number the library does not hold.
REFUSE_TYPES = ("refuse", "unknowable", "absent")
_CITATION = re.compile(r"〔[^〔〕]*〕")


def number_values(text: str) -> list[float]:
    return [v for tok in find_numbers(text or "") for v in tok.values]


def has_number(expected: str, values: Sequence[float]) -> bool:
    target = float(str(expected).replace(",", ""))
    return any(abs(target - v) < 1e-9 for v in values)


def library_numbers(library) -> set[float]:
    """Every number the library holds: cell values, report years and dates, and the numbers of the reports' text."""
    out: set[float] = set()
    for r in library.reports():
        if r.year:
            out.add(float(r.year))
        out.update(float(x) for x in re.findall(r"\d+", r.published or ""))
        for f in library.facts.table_facts(r.id):
            if isinstance(f.value, (int, float)):
                out.add(float(f.value))
        report = library.facts.report_object(r.id)
        if report is not None:
            for s in report.sections:
                out.update(number_values(s.text))
    return out


def score(question: dict, ans, known_numbers: set[float] | None = None) -> dict:
    """Pass/fail of one answer with the reasons (missing numbers, citations, words; invented numbers)."""
    text = ans.text
    values = number_values(text)
    files = [c.file for c in ans.citations]
    missing_numbers = [n for n in question.get("expect_numbers") or [] if not has_number(n, values)]
    missing_cites = [c for c in question.get("expect_cites") or [] if not any(cited(c, f) for f in files)]
    missing_words = [w for w in question.get("expect_words") or [] if w not in text]
    invented: list[str] = []
    if question.get("type") in REFUSE_TYPES:
        missing_numbers, missing_cites = [], []
        if known_numbers is not None:
            bare = _CITATION.sub("", text)
            invented = [tok.text for tok in find_numbers(bare)
                        if not any(abs(v - k) < 1e-9 for v in tok.values for k in known_numbers)]
    passed = not (missing_numbers or missing_cites or missing_words or invented)
    return {"id": question.get("id"), "type": question.get("type"), "q": question.get("q"), "passed": passed,
            "route": ans.route, "missing_numbers": missing_numbers, "missing_cites": missing_cites,
            "missing_words": missing_words, "invented_numbers": invented}


def evaluate_qa(library, questions: Sequence[dict], llm=OFFLINE) -> dict:
    """Answer and score every question; per-type pass rates, the fact/compare/yoy/check rate, failures."""
    known = library_numbers(library)
    details, times = [], []
    for q in questions:
        history = [answer(h, [], library, llm) for h in q.get("history", [])[:1]]
        for h in q.get("history", [])[1:]:               # earlier turns of a follow-up, answered in order
            history.append(answer(h, history, library, llm))
        start = time.perf_counter()
        ans = answer(q["q"], history, library, llm)
        times.append(time.perf_counter() - start)
        details.append(score(q, ans, known) | {"answer": ans.text, "seconds": round(times[-1], 3)})
    per_type: dict[str, list[bool]] = defaultdict(list)
    for d in details:
        per_type[d["type"]].append(d["passed"])
    scored = [d["passed"] for d in details if d["type"] in SCORED_TYPES]
    return {"questions": len(details),
            "scored_rate": sum(scored) / len(scored) if scored else 0.0, "scored_questions": len(scored),
            "per_type": {t: {"questions": len(v), "passed": sum(v), "rate": sum(v) / len(v)}
                         for t, v in sorted(per_type.items())},
            "failures": [d for d in details if not d["passed"]], "details": details,
            "seconds_total": round(sum(times), 3)}


def default_vector_cache() -> Path:
    """A vector cache that outlives temporary eval folders (the retrieval eval's), so re-runs do not embed again."""
    if Settings.from_env().vector_cache:
        return Path(Settings.from_env().vector_cache)
    shared_cache = getattr(library_ops, "EVAL_VECTOR_CACHE", None)
    return Path(shared_cache) if shared_cache else Path.home() / ".cache" / "nianbao" / "eval-vectors.sqlite"


def run_qa_eval(data_dir=None, shared=None, questions=None, embed: bool = True, progress: bool = True,
                llm=OFFLINE):
    """Ingest ../shared (seeds + reports) into `data_dir` (a temporary folder if None) and score the questions."""
    from vectorstore.library import Library
    shared = Path(shared) if shared else shared_dir()
    questions = Path(questions) if questions else shared / "eval" / "questions.jsonl"
    folder = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="nianbao-qa-"))
    cache = default_vector_cache()
    cache.parent.mkdir(parents=True, exist_ok=True)
    library = Library(folder, vector_cache=None if data_dir else cache)
    summary = ingest_paths(library, [shared / "seeds", shared / "reports"], embed=embed, progress=progress)
    result = evaluate_qa(library, load_questions(questions), llm=llm)
    result["data_dir"] = str(folder)
    return result, summary


# -- retrieval evaluation (recall@k) ------------------------------------------------------------------
def evaluate_retrieval(library: Library, questions: Sequence[dict], k: int = 5) -> dict:
    """recall@k: a question scores 1 when every expected report file is among the files of its top-k hits
    (the question understood once, searched with its filters). Questions without expected citations are
    skipped. Returns overall and per-type recall and the misses."""
    per_type: dict[str, list[int]] = defaultdict(list)
    details = []
    for q in questions:
        expected = q.get("expect_cites") or []
        if not expected:
            continue
        hits = retrieve(library, q["q"], k=k)
        files = [h.file for h in hits]
        missing = [e for e in expected if not any(cited(e, f) for f in files)]
        per_type[q.get("type", "")].append(0 if missing else 1)
        details.append({"id": q.get("id"), "type": q.get("type"), "q": q["q"], "hit": not missing,
                        "missing": missing, "files": files})
    scored = [d["hit"] for d in details]
    return {"k": k, "questions": len(scored), "recall": (sum(scored) / len(scored)) if scored else 0.0,
            "per_type": {t: {"questions": len(v), "recall": sum(v) / len(v)} for t, v in sorted(per_type.items())},
            "misses": [d for d in details if not d["hit"]], "details": details}


def run_retrieval_eval(data_dir: str | Path | None = None, shared: str | Path | None = None,
                       questions: str | Path | None = None, k: int = 5, embed: bool = True,
                       progress: bool = True, **library_options) -> tuple[dict, IngestSummary]:
    """Ingest ../shared (seeds + reports) into `data_dir` (a temporary folder if None) and score the questions."""
    shared = Path(shared) if shared else shared_dir()
    questions = Path(questions) if questions else shared / "eval" / "questions.jsonl"
    folder = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="nianbao-eval-"))
    if data_dir is None and "vector_cache" not in library_options and not Settings.from_env().vector_cache:
        library_options["vector_cache"] = EVAL_VECTOR_CACHE      # a fresh folder each time, the same vectors
    library = Library(folder, **library_options)
    summary = ingest_paths(library, [shared / "seeds", shared / "reports"], embed=embed, progress=progress)
    result = evaluate_retrieval(library, load_questions(questions), k=k)
    result["data_dir"] = str(folder)
    return result, summary
