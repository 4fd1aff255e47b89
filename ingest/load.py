"""Open a file of any supported type as a `Document`, refusing bad input with a Chinese message."""
from __future__ import annotations

import os
from pathlib import Path

from ingest.document import Document
from ingest.errors import ExtractError

DEFAULT_MAX_MB = 50
SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".txt": "text", ".md": "text"}


def max_file_bytes() -> int:
    """The upload limit: NIANBAO_MAX_FILE_MB (default 50 MB)."""
    return int(float(os.environ.get("NIANBAO_MAX_FILE_MB", DEFAULT_MAX_MB)) * 1024 * 1024)


def kind_of(path: Path) -> str:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ExtractError("unsupported_type",
                           f"不支持的文件类型“{path.suffix or '无扩展名'}”：请上传 PDF、DOCX、HTML、TXT 或 MD 格式的年度报告。")
    return kind


def load_document(path: str | Path) -> Document:
    path = Path(path)
    if not path.is_file():
        raise ExtractError("not_found", f"找不到文件：{path}")
    kind = kind_of(path)
    size = path.stat().st_size
    max_bytes = max_file_bytes()
    if size == 0:
        raise ExtractError("empty", f"文件为空（0 字节）：{path.name}。请确认上传的是完整的年度报告。")
    if size > max_bytes:
        raise ExtractError("too_large", f"文件过大（{size / 1048576:.1f} MB），超过 {max_bytes // 1048576} MB 的上限：{path.name}。"
                                        "请压缩图片或拆分后再上传。")
    if kind == "pdf":
        from ingest.loaders.pdf import load_pdf
        return load_pdf(path)
    if kind == "docx":
        from ingest.loaders.docx import load_docx
        return load_docx(path)
    if kind == "html":
        from ingest.loaders.html import load_html
        return load_html(path)
    from ingest.loaders.text import load_text
    return load_text(path)
