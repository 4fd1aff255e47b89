"""A model that never finishes (issue 21): an endpoint that streams SSE keep-alive comments, empty deltas or a
character every half second resets every per-read timeout; the answer's overall deadline
(NIANBAO_LLM_ANSWER_TIMEOUT) ends the wait, and the computed answer stands with a Chinese note. Real HTTP (the
stub server), a real library with one report."""
from __future__ import annotations

import time

import pytest

from assistant.answer import MODEL_TOO_SLOW, answer
from assistant.llm import HEALTH, LLMConfig, make_chat_model, model_key
from conftest import SHARED
from stub_llm import stub_llm  # noqa: F401  (fixture)

SEED_000 = SHARED / "seeds" / "000_747ce1910eae7ff3.txt"          # 赣州经开区 2022: 12 new applications
DEADLINE = 3.0


@pytest.fixture(scope="module")
def library(tmp_path_factory, shared):
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    lib = Library(tmp_path_factory.mktemp("deadline") / "data")
    ingest_paths(lib, [SEED_000], embed=False, progress=False)
    return lib


@pytest.mark.parametrize("stall", ["comments", "empty", "drip"])
def test_a_model_that_never_finishes_gives_the_computed_answer(library, stub_llm, monkeypatch, stall):
    monkeypatch.setenv("NIANBAO_LLM_ANSWER_TIMEOUT", str(DEADLINE))
    stub_llm.stall, stub_llm.stall_every = stall, 0.5
    model = make_chat_model(LLMConfig(stub_llm.base_url, "stub-model", "sk-test", timeout=2, first_token_timeout=2))
    HEALTH.ok(model_key(model))                                    # each stub has its own port: a fresh key anyway
    started = time.monotonic()
    a = answer("赣州经开区2022年收到多少件政府信息公开申请？", [], library, model)
    took = time.monotonic() - started
    assert DEADLINE - 0.5 < took < DEADLINE + 4, took               # neither a per-read timeout nor forever
    assert a.text.startswith(MODEL_TOO_SLOW.format(seconds=DEADLINE)) and "12" in a.text
    assert a.mode == "offline" and not HEALTH.available(model_key(model))   # skipped for a while after
