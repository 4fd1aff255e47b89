"""Bad input gets a clear Chinese message on stderr, exit code 2, and nothing written to stdout."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SHARED
from ingest.errors import ExtractError
from ingest.extract import extract


def run_extract(path: Path, env: dict | None = None):
    return subprocess.run([sys.executable, str(REPO / "cli.py"), "extract", str(path), "--json"],
                          capture_output=True, text=True, env={**os.environ, **(env or {})})


def assert_refused(result, *words):
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("错误：")
    for w in words:
        assert w in result.stderr, result.stderr


def test_empty_file(tmp_path):
    f = tmp_path / "空.txt"
    f.write_bytes(b"")
    assert_refused(run_extract(f), "文件为空")


def test_unknown_extension(tmp_path):
    f = tmp_path / "report.xls"
    f.write_bytes(b"PK\x03\x04 not really")
    assert_refused(run_extract(f), "不支持的文件类型", ".xls")


def test_too_large(tmp_path):
    f = tmp_path / "big.txt"
    f.write_bytes("政府信息公开工作年度报告\n".encode() * 100_000)   # ~3.4 MB
    assert_refused(run_extract(f, {"NIANBAO_MAX_FILE_MB": "1"}), "文件过大", "1 MB")


def test_corrupt_pdf(tmp_path):
    f = tmp_path / "broken.pdf"
    f.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    assert_refused(run_extract(f), "PDF")


def test_truncated_real_pdf(tmp_path):
    data = (SHARED / "reports/006_hongze_district_2024.pdf").read_bytes()
    f = tmp_path / "truncated.pdf"
    f.write_bytes(data[: len(data) // 3])
    r = run_extract(f)
    assert r.returncode == 2 and "PDF" in r.stderr


def test_not_a_report(tmp_path):
    f = tmp_path / "菜谱.txt"
    f.write_text("红烧肉做法：五花肉切块，冷水下锅焯水，加冰糖炒糖色，小火炖一小时。\n", encoding="utf-8")
    assert_refused(run_extract(f), "不是政府信息公开工作年度报告")


def test_binary_garbage_as_text(tmp_path):
    f = tmp_path / "x.txt"
    f.write_bytes(b"\x00\x01\x02" * 100)
    assert_refused(run_extract(f), "不是文本文件")


def test_gbk_text_is_read(tmp_path):
    text = (SHARED / "seeds/002_914a51cc45050283.txt").read_text(encoding="utf-8")
    f = tmp_path / "gbk.txt"
    f.write_bytes(text.encode("gb18030"))
    r = extract(f)
    assert r.agency == "常德经济技术开发区" and r.table2.value("administrative_license", "value") == 855


def test_undecodable_text(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes(bytes(range(0x80, 0xff)) * 20)
    with pytest.raises(ExtractError) as e:
        extract(f)
    assert e.value.code in ("encoding", "not_a_report")


def test_scanned_pdf_needs_ocr(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    img = PIL.new("RGB", (800, 1100), "white")
    f = tmp_path / "scan.pdf"
    img.save(f, "PDF")
    assert_refused(run_extract(f), "OCR")
