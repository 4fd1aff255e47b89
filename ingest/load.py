"""Open a file of any supported type as a `Document`, refusing bad input with a Chinese message."""
from __future__ import annotations

from pathlib import Path

from ingest.document import Document
from ingest.errors import ExtractError
from ingest.settings import Settings, setting

DEFAULT_MAX_MB = 50
ENV_MAX_FILE_MB = setting("max_file_mb").name
MAX_TABLE_ROWS = 2_000        # rows read of one table; an appendix beyond this is cut (Document.meta["cut_tables"])
MAX_LINE_CHARS = 200_000      # one line of a TXT/MD longer than this is not report text (no line breaks at all)
MAX_REPORT_CHARS = 1_000_000  # text of one report (an annual report has 5,000–60,000 characters): checking costs
                              # grow with it, so a file past this is refused whole, in Chinese (issue 21)
SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".txt": "text", ".md": "text",
            ".png": "image", ".jpg": "image", ".jpeg": "image"}


def max_file_bytes() -> int:
    """The upload limit: NIANBAO_MAX_FILE_MB (default 50 MB); a value that is not a positive number is a
    configuration error with a Chinese message (ExtractError code "config")."""
    raw = (Settings.from_env().max_file_mb or "").strip()
    if not raw:
        return DEFAULT_MAX_MB * 1024 * 1024
    try:
        mb = float(raw)
    except ValueError:
        mb = float("nan")
    if not (0 < mb < 1e6):
        raise ExtractError("config", f"环境变量 {ENV_MAX_FILE_MB}=“{raw}”无效：应为正数（单位 MB），例如 50。"
                                     f"请改正或删除该变量（默认 {DEFAULT_MAX_MB} MB）。")
    return int(mb * 1024 * 1024)


def kind_of(path: Path) -> str:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ExtractError("unsupported_type",
                           f"不支持的文件类型“{path.suffix or '无扩展名'}”：请上传 PDF、DOCX、HTML、TXT、MD 格式的年度报告，"
                                             "或 PNG、JPG 格式的扫描页。")
    return kind


def load_document(path: str | Path) -> Document:
    """The file as a Document; a table longer than MAX_TABLE_ROWS is cut there and noted in meta["cut_tables"]
    as (table number, rows it had), so reading stays bounded and the report says what was left out; a file with
    more than MAX_REPORT_CHARS of text is refused (the checks' cost grows with the text)."""
    document = _load(Path(path))
    cut = []
    for i, table in enumerate(document.tables(), 1):
        if len(table.rows) > MAX_TABLE_ROWS:
            cut.append((i, len(table.rows)))
            del table.rows[MAX_TABLE_ROWS:]
    if cut:
        document.meta["cut_tables"] = cut
    chars = sum(len(p.text) for p in document.paragraphs()) + sum(
        len(c.text) for t in document.tables() for row in t.rows for c in row)
    if chars > MAX_REPORT_CHARS:
        raise ExtractError("too_much_text", f"文件“{Path(path).name}”的文字约 {chars / 10000:.0f} 万字，超过一份年度报告"
                                            f" {MAX_REPORT_CHARS // 10000} 万字的上限，未读取。年度报告一般只有几千到几万字，"
                                            "请确认上传的是年度报告本身，而不是汇编或附件合集。")
    return document


def _load(path: Path) -> Document:
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
    if kind == "image":
        from ingest.loaders.scan import load_image
        return load_image(path)
    if kind == "docx":
        from ingest.loaders.docx import load_docx
        return load_docx(path)
    if kind == "html":
        from ingest.loaders.html import load_html
        return load_html(path)
    _refuse_endless_line(path)
    from ingest.loaders.text import load_text
    return load_text(path)


def _refuse_endless_line(path: Path) -> None:
    """A text file whose longest line exceeds MAX_LINE_CHARS: say so instead of reading nothing from it."""
    from ingest.loaders.encoding import decode_text
    text = decode_text(path.read_bytes(), path.name)
    longest = max((len(line) for line in text.splitlines()), default=0)
    if longest > MAX_LINE_CHARS:
        raise ExtractError("line_too_long", f"文件“{path.name}”中有一行长达 {longest:,} 个字符、中间没有换行（上限 "
                                            f"{MAX_LINE_CHARS:,} 个字符），无法分出章节和表格，未读取。"
                                            "请确认文件是年度报告正文，可从原网页或原文件重新复制、另存后再上传。")
