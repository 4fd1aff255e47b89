"""Decode the bytes of a text or HTML file: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030."""
from __future__ import annotations

import re

from ingest.errors import ExtractError

_CJK = re.compile(r"[\u4e00-\u9fff]")


def decode_text(data: bytes, name: str = "") -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise ExtractError("binary", f"文件“{name}”看起来不是文本文件（含二进制内容），无法按文本读取。")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _CJK.search(text):
        return text
    raise ExtractError("encoding", f"无法识别文件“{name}”的文字编码：请另存为 UTF-8 或 GBK 编码后再上传。")
