"""Recall@k of the shared questions by keyword search, by dense vectors alone and by both fused, with the time and
the number of passages embedded (a cold vector cache, so every embedded passage is computed).

    .venv/bin/python bench/retrieval.py [--k 5] [--out bench/out/retrieval.json]

`passage_recall`: the share of questions whose top-k passages from the expected reports hold every expected number
(the report-level recall says only that the right report was found). Dense-only is measured by switching the keyword ranking off (`vectorstore.search.bm25_search` → nothing), so the
figure says what the vectors alone find; keyword-only runs without vectors. The library is the one
`nianbao eval retrieval` builds (../shared seeds and reports).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}.items():
    os.environ.setdefault(_k, _v)
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if sys.modules.get("ingest") is not None and not hasattr(sys.modules["ingest"], "__path__"):
    del sys.modules["ingest"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default=str(_HERE.parent.parent / "shared"))
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--out", default=str(_HERE / "out" / "retrieval.json"))
    args = parser.parse_args(argv)

    from assistant.library_ops import ingest_paths, load_questions
    from assistant.qa_eval import evaluate_retrieval
    from assistant.retrieve import retrieve
    from vectorstore import db as dbmod
    from vectorstore import search as search_module
    from vectorstore.library import Library

    shared = Path(args.shared)
    work = Path(tempfile.mkdtemp(prefix="nianbao-retrieval-"))
    library = Library(work / "data", vector_cache=work / "cold.sqlite")
    started = time.perf_counter()
    summary = ingest_paths(library, [shared / "seeds", shared / "reports"], embed=True, progress=False)
    ingest_s = time.perf_counter() - started
    questions = load_questions(shared / "eval" / "questions.jsonl")

    def passage_recall() -> float:
        """Share of questions whose top-k passages from the expected reports hold every expected number."""
        scored = hits = 0
        for q in questions:
            if not q.get("expect_cites") or not q.get("expect_numbers"):
                continue
            scored += 1
            found = [h.text for h in retrieve(library, q["q"], k=args.k) if h.file in q["expect_cites"]]
            text = re.sub(r"\s+", "", "".join(found))
            hits += all(n in text for n in q["expect_numbers"])
        return round(hits / scored, 4) if scored else 0.0

    def recall() -> dict:
        result = evaluate_retrieval(library, questions, k=args.k)
        return {"recall": round(result["recall"], 4), "questions": result["questions"],
                "misses": len(result["misses"]), "passage_recall": passage_recall()}

    figures = {"hybrid": recall()}
    keyword = search_module.bm25_search
    search_module.bm25_search = lambda *a, **kw: []
    try:
        figures["dense_only"] = recall()
    finally:
        search_module.bm25_search = keyword
    library.embedded_count = lambda: 0                 # search then uses no vectors
    figures["keyword_only"] = recall()
    with dbmod.reading(library.db_path) as db:
        chunks = {kind: n for kind, n in db.execute("SELECT kind, COUNT(*) FROM chunks GROUP BY kind")}
    result = {"k": args.k, "ingest_wall_s": round(ingest_s, 1), "embedded_passages": summary.embedded,
              "chunks": chunks, "failed": summary.failed, **figures, "load_average": os.getloadavg()[0]}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
