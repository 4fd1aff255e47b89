"""The web app through its HTTP API (gradio_client), as a separate process on a free port with its own
data folder: empty library, uploads (limits, types, the same file twice at once), check, compare, draft, chat."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from tests.appserver import running_app
from tests.conftest import SHARED

pytestmark = pytest.mark.slow

SEED_000 = SHARED / "seeds" / "000_747ce1910eae7ff3.txt"      # 赣州经开区 2022, 7.7 KB
SEED_002 = SHARED / "seeds" / "002_914a51cc45050283.txt"      # 常德经开区 2022, 10.5 KB
SEED_004 = SHARED / "seeds" / "004_e6c0b5a2d517a344.txt"      # 企业服务和工信局 2024
LIMIT_MB = "0.01"                                              # 10485 bytes: seed 002 is over it


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, shared):
    with running_app(tmp_path_factory.mktemp("app-api") / "data", {"NIANBAO_MAX_FILE_MB": LIMIT_MB}) as url:
        yield url


@pytest.fixture(scope="module")
def client(app_url):
    from gradio_client import Client
    return Client(app_url, verbose=False)


def library_rows(result) -> list[list]:
    """The 年报库 table from an /ingest, /remove or /reingest result."""
    return result[3]["data"]


def value_of(output):
    """An output as its value (gradio_client returns component updates as dicts)."""
    return output["value"] if isinstance(output, dict) and output.get("__type__") == "update" else output


def upload(client, *paths):
    from gradio_client import handle_file
    return client.predict([handle_file(str(p)) for p in paths], api_name="/ingest")


def test_empty_library_says_how_to_add_reports(client):
    answer = client.predict("赣州经开区2022年一共收到多少件政府信息公开申请？", api_name="/chat")
    assert "年报库还是空的" in answer and "上传" in answer


def test_same_file_uploaded_twice_at_once_is_stored_once(client, tmp_path):
    results, errors = [], []

    def go():
        try:
            results.append(upload(client, SEED_000))
        except Exception as e:     # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors and len(results) == 2
    rows = library_rows(results[-1])
    assert len(rows) == 1
    agency, year, fmt, _, _, _, file, rid, group = rows[0]
    assert (agency, year, fmt, file) == ("赣州经济技术开发区", 2022, "2021版", SEED_000.name)
    assert group == "赣州经济技术开发区"                          # suggested from the agency name (issue 13)
    logs = results[0][0] + results[1][0]
    assert logs.count("- 已入库：") == 1 and "未变化" in logs

    renamed = tmp_path / "赣州 年报（副本）.txt"           # same bytes under another name: not stored again
    shutil.copy(SEED_000, renamed)
    result = upload(client, renamed)
    assert "相同" in result[0] and [r[7] for r in library_rows(result)] == [rid]


def test_upload_limits(app_url, client, tmp_path):
    import httpx
    result = upload(client, SEED_002)                   # over NIANBAO_MAX_FILE_MB: refused in Chinese, not stored
    assert "失败" in result[0] and "文件过大" in result[0] and "0.01 MB 的上限" in result[0]
    assert "exceed" not in result[0]
    huge = tmp_path / "huge.txt"                        # over UPLOAD_CAP_FACTOR × the limit: Gradio refuses the bytes
    huge.write_bytes(b"x" * (4 * 10485 + 1000))
    with huge.open("rb") as f:
        response = httpx.post(app_url + "gradio_api/upload", files={"files": (huge.name, f)}, timeout=60)
    assert response.status_code == 413
    bad = tmp_path / "notes.exe"
    bad.write_bytes(b"MZ not a report")
    refused = upload(client, bad)                       # not an allowed type: refused on the server, in Chinese
    assert "不支持的文件类型" in refused[0] and [r[0] for r in library_rows(refused)] == ["赣州经济技术开发区"]
    not_report = tmp_path / "菜谱.txt"
    not_report.write_text("红烧肉的做法：五花肉切块，焯水，炒糖色。", encoding="utf-8")
    result = upload(client, not_report)
    assert "失败" in result[0] and "不是政府信息公开工作年度报告" in result[0]
    assert [r[0] for r in library_rows(result)] == ["赣州经济技术开发区"]         # nothing else was stored


def test_check_stored_report_and_a_draft_that_is_not_stored(client, tmp_path):
    result = upload(client, SEED_004)
    rows = {r[0]: r for r in library_rows(result)}
    record = rows["赣州经济技术开发区企业服务和工信局"]
    n_errors, n_warnings, rid = record[4], record[5], record[7]
    md, dl_docx, dl_md, dl_csv, overview, *_ = client.predict(rid, api_name="/check_report")
    assert f"错误 {n_errors} 条" in md and f"警告 {n_warnings} 条" in md
    assert "赣州经济技术开发区企业服务和工信局" in overview and "2024" in overview
    csv_text = Path(value_of(dl_csv)).read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0] == "严重程度,规则,说明,应为,实际,依据"
    assert len([l for l in csv_text.splitlines()[1:] if l.startswith(("错误", "警告", "提示"))]) >= n_errors + n_warnings
    assert Path(value_of(dl_md)).read_text(encoding="utf-8").startswith("### ")
    from docx import Document                                    # the Word document (issue 24), read back
    paragraphs = [p.text for p in Document(value_of(dl_docx)).paragraphs if p.text]
    assert paragraphs[0] == "关于赣州经济技术开发区企业服务和工信局2024年度政府信息公开工作年度报告的核查结果"
    assert f"错误{n_errors}条" in paragraphs[2] and f"警告{n_warnings}条" in paragraphs[2]

    from gradio_client import handle_file
    draft = tmp_path / "凤岗镇草稿.txt"
    shutil.copy(SHARED / "seeds" / "001_758a901345a790b1.txt", draft)
    md, _, _, _, overview, t2, t3, t4, scans = client.predict(handle_file(str(draft)), api_name="/check_file")
    assert "未入库" in md and "错误" in md and "凤岗镇" in overview
    t3_rows = {r[0]: r for r in t3["data"]}
    assert t3_rows["一、本年新收政府信息公开申请数量"][7] == "0"          # 表三 all zero (RULES.md seed 001)
    after = client.predict(None, api_name="/remove")                       # nothing chosen: only refreshes
    assert "凤岗镇" not in str(library_rows(after))


def test_compare_table_chart_and_csv(client):
    md, table, bar, line, csv_file = client.predict(
        [], [], ["table3.new_received.total", "table3.granted.total"], "柱状图", api_name="/compare")
    values = {(r[0], r[1]): r[2:] for r in value_of(table)["data"]}
    assert values[("赣州经济技术开发区", "2022")] == ["12", "11"]            # gold 000: 12 received, 11 granted
    assert "2 个指标" in md
    text = Path(value_of(csv_file)).read_text(encoding="utf-8-sig")
    assert "赣州经济技术开发区,2022,本年新收政府信息公开申请数量（件）,12," in text and "000_747ce1910eae7ff3.txt" in text


def test_draft_and_docx(client):
    from docx import Document
    text = client.predict("赣州经济技术开发区企业服务和工信局", "2025", ["五、存在的主要问题及改进情况"], api_name="/draft")
    assert text.startswith("五、存在的主要问题及改进情况")
    assert "信息发布审核不够严谨细致" in text                              # last year's (2024) problem, one by one
    edited = text + "\n本段由人工补充。"
    docx_path, note = client.predict("赣州经济技术开发区企业服务和工信局", "2025", edited, api_name="/export_draft")
    doc = Document(value_of(docx_path))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "赣州经济技术开发区企业服务和工信局2025年政府信息公开工作年度报告（草稿）"
    assert "本段由人工补充。" in paragraphs and "五、存在的主要问题及改进情况" in paragraphs


def test_chat_endpoint_answers_with_cited_figures(client):
    import json
    question = next(q for q in map(json.loads, (SHARED / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines())
                    if q["id"] == "d01")           # 赣州经开区2022年一共收到多少件…？予以公开几件？ → 12, 11
    answer = client.predict(question["q"], api_name="/chat")
    for number in question["expect_numbers"]:
        assert number in answer
    assert "〔赣州经济技术开发区2022年报" in answer                       # each figure followed by its source
    streamed = list(client.submit(question["q"], api_name="/chat"))       # the streaming endpoint ends on the same text
    assert streamed and streamed[-1] == answer
