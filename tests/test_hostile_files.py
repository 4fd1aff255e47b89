"""Hostile files and settings (issue 14): a DOCX zip bomb, an endless TXT line, a 10,000-row appendix, a
1M-character question, UTF-16 without BOM, a bad NIANBAO_MAX_FILE_MB, `nianbao extract … | head`, and a
banner that must not show credentials. Each is refused (or read) with its limit and a Chinese message,
and nothing useless is stored."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ingest.errors import ExtractError
from ingest.extract import extract
from ingest.load import MAX_LINE_CHARS, MAX_TABLE_ROWS
from ingest.loaders.docx import MAX_DOCX_PARTS, MAX_DOCX_XML_MB
from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[1]
SEED_000 = SHARED / "seeds" / "000_747ce1910eae7ff3.txt"          # 赣州经济技术开发区 2022
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
           "ANONYMIZED_TELEMETRY": "False"}
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
                 'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
                 'main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def write_bomb(path: Path, megabytes: int, filler: bytes) -> None:
    """A DOCX whose word/document.xml unzips to `megabytes` MB of `filler`, written as a stream."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode())
            block = filler * (1024 * 1024 // len(filler))
            for _ in range(megabytes):
                f.write(block)
            f.write(b"</w:body></w:document>")


def refuse_in_child(path: Path) -> dict:
    """Extract `path` in a fresh process; the refusal, and how many bytes were unzipped on the way."""
    code = ("import json, sys, zipfile\n"
            "from ingest.extract import extract\nfrom ingest.errors import ExtractError\n"
            "unzipped = [0]\nread = zipfile.ZipExtFile.read\n"
            "def counted(self, n=-1):\n    data = read(self, n)\n    unzipped[0] += len(data)\n    return data\n"
            "zipfile.ZipExtFile.read = counted\nout = {}\n"
            "try:\n    extract(sys.argv[1]); out['refused'] = False\n"
            "except ExtractError as e:\n    out.update(refused=True, code=e.code, message=e.message)\n"
            "out['unzipped'] = unzipped[0]\n"
            "print(json.dumps(out, ensure_ascii=False))\n")
    env = {**os.environ, **OFFLINE, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


PARAGRAPH = b"<w:p><w:r><w:t>" + "本单位收到申请".encode() + b"</w:t></w:r></w:p>"


@pytest.mark.parametrize("filler,megabytes", [(PARAGRAPH, 300), (b" " * 64, 1024), (PARAGRAPH, MAX_DOCX_XML_MB + 20)])
def test_docx_zip_bomb_is_refused_without_unzipping_it(tmp_path, filler, megabytes):
    bomb = tmp_path / "年报.docx"
    write_bomb(bomb, megabytes, filler)
    assert bomb.stat().st_size < 5 * 1024 * 1024                 # small on disk, huge unzipped
    result = refuse_in_child(bomb)
    assert result["refused"] and result["code"] == "docx_too_large"
    assert "解压后" in result["message"] and "上限" in result["message"] and "已拒绝读取" in result["message"]
    assert result["unzipped"] < 64 * 1024, result        # refused from the zip directory: nothing big unzipped


def test_docx_with_too_many_parts_is_refused(tmp_path):
    path = tmp_path / "parts.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", f'<w:document xmlns:w="{W}"><w:body/></w:document>')
        for i in range(MAX_DOCX_PARTS):
            z.writestr(f"word/media/p{i}.xml", "<a/>")
    with pytest.raises(ExtractError) as e:
        extract(path)
    assert e.value.code == "docx_too_large" and f"上限 {MAX_DOCX_PARTS} 个" in e.value.message


def test_a_real_docx_is_still_read(tmp_path):
    from render import render_docx
    from tests.conftest import gold
    path = render_docx(gold("000_"), tmp_path / "000.docx")
    report = extract(path)
    assert report.agency == "赣州经济技术开发区" and report.table3.value("new_received", "total") == 12
    read = refuse_in_child(path)                          # the unzip count the bomb tests rely on counts
    assert not read["refused"] and read["unzipped"] > 10_000, read


def test_one_endless_line_is_refused_and_nothing_is_stored(tmp_path):
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    body = SEED_000.read_text(encoding="utf-8").replace("\n", "")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "一行.txt").write_text((body * 200)[:1_000_000], encoding="utf-8")
    library = Library(tmp_path / "data")
    summary = ingest_paths(library, [folder], embed=False, progress=False)
    outcome = summary.outcomes[0]
    assert outcome.status == "failed" and "没有换行" in outcome.message and f"{MAX_LINE_CHARS:,}" in outcome.message
    assert "未识别单位" not in outcome.message and library.reports() == []


def test_a_file_with_nothing_readable_is_not_stored(tmp_path):
    from assistant.library_ops import ingest_file
    from vectorstore.library import Library
    path = tmp_path / "说明.txt"
    path.write_text("关于政府信息公开工作年度报告的说明\n" + "本页内容为空。\n" * 3, encoding="utf-8")
    library = Library(tmp_path / "data")
    outcome = ingest_file(library, path, path.name, extract, None)
    assert outcome.status == "failed" and "未能从文件中读取到可用的内容" in outcome.message and "未入库" in outcome.message
    assert library.reports() == []


def test_stored_message_names_the_year_once(tmp_path):
    from assistant.library_ops import ingest_file
    from vectorstore.library import Library
    outcome = ingest_file(Library(tmp_path / "data"), SEED_000, SEED_000.name, extract, None)
    assert outcome.status == "added" and "赣州经济技术开发区 2022年，" in outcome.message and "年度年" not in outcome.message


def test_a_10000_row_appendix_is_cut_with_a_warning(tmp_path):
    rows = "\n".join(f"{i}\t项目{i}\t{i * 3}\t备注" for i in range(10_000))
    path = tmp_path / "附表.txt"
    path.write_text(SEED_000.read_text(encoding="utf-8") + "\n附件：明细表\n" + rows + "\n", encoding="utf-8")
    report = extract(path)
    cut = [w for w in report.warnings if w.code == "table_too_long"]
    assert len(cut) == 1 and "10,000 行" in cut[0].message and f"前 {MAX_TABLE_ROWS:,} 行" in cut[0].message
    assert report.agency == "赣州经济技术开发区" and report.table3.value("new_received", "total") == 12


def test_a_question_of_a_million_characters_is_refused_at_once():
    from assistant.answer import MAX_QUESTION_CHARS, answer

    class Untouched:
        """Refused before anything is looked up: the library is never asked."""
        def __getattr__(self, name):
            raise AssertionError(f"a refused question asked the library for {name}")
    a = answer("洪泽区2024年收到多少件申请？" * 70_000, [], Untouched(), False)
    assert "问题过长" in a.text and f"{MAX_QUESTION_CHARS:,}" in a.text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_decoded(tmp_path, codec):
    path = tmp_path / f"{codec}.txt"
    path.write_bytes(SEED_000.read_text(encoding="utf-8").encode(codec))
    report, reference = extract(path), extract(SEED_000)
    assert report.agency == reference.agency and report.year == reference.year
    assert report.table3.value("new_received", "total") == reference.table3.value("new_received", "total") == 12


def test_binary_is_still_called_binary(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(ExtractError) as e:
        extract(path)
    assert e.value.code in ("binary", "encoding")


def cli(*args, env=None, shell=None) -> subprocess.CompletedProcess:
    full = {**os.environ, **OFFLINE, "PYTHONPATH": str(REPO), **(env or {})}
    if shell:
        return subprocess.run(shell, shell=True, capture_output=True, text=True, env=full, cwd=REPO, timeout=600)
    return subprocess.run([sys.executable, str(REPO / "cli.py"), *args], capture_output=True, text=True, env=full,
                          cwd=REPO, timeout=600)


def test_bad_max_file_mb_is_a_chinese_message_not_a_traceback(tmp_path):
    done = cli("extract", str(SEED_000), env={"NIANBAO_MAX_FILE_MB": "abc"})
    assert done.returncode == 2 and "NIANBAO_MAX_FILE_MB" in done.stderr and "“abc”无效" in done.stderr
    assert "Traceback" not in done.stderr
    app = cli(env={"NIANBAO_MAX_FILE_MB": "abc", "NIANBAO_DATA_DIR": str(tmp_path / "d")},
              shell=f"{sys.executable} app.py --port 9")
    assert app.returncode != 0 and "“abc”无效" in app.stderr and "Traceback" not in app.stderr


def test_extract_into_head_has_no_broken_pipe():
    done = cli(shell=f"{sys.executable} cli.py extract --json {SEED_000} | head -1")
    assert done.stdout.strip() == "{"
    assert "BrokenPipe" not in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_banner_hides_credentials_in_the_url():
    from assistant.llm import describe_llm, llm_config
    env = {"NIANBAO_LLM_BASE_URL": "https://alice:s3cret@llm.example.cn:8443/v1?api_key=k-123#frag",
           "NIANBAO_LLM_MODEL": "qwen", "NIANBAO_LLM_API_KEY": "sk-hidden"}
    banner = describe_llm(env=env)
    assert banner == "已连接大模型：qwen @ https://llm.example.cn:8443/v1"
    shown = banner + repr(llm_config(env))
    assert not any(s in shown for s in ("alice", "s3cret", "k-123", "sk-hidden", "frag"))
