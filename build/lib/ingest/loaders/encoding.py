"""Decode the bytes of a text or HTML file: UTF-8 (with or without BOM), UTF-16 (with a BOM, or without one
when the text reads as Chinese/ASCII in one byte order), or GBK/GB18030."""
from __future__ import annotations

import re

from ingest.errors import ExtractError

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Characters a report's text is made of: CJK, CJK punctuation, full-width forms, printable ASCII, whitespace.
_TEXTLIKE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2000-\u206f\x20-\x7e\t\r\n·—“”‘’…、]")
UTF16_TEXTLIKE_SHARE = 0.95       # share of such characters for BOM-less bytes to be taken as UTF-16
UTF16_SAMPLE_BYTES = 65536


def _utf16_without_bom(data: bytes) -> str | None:
    """The text, when the bytes are UTF-16 (LE or BE) without a BOM: the byte order whose decoding is
    almost all text-like characters, with some Chinese. None otherwise."""
    if len(data) < 4:
        return None
    sample = data[:UTF16_SAMPLE_BYTES - UTF16_SAMPLE_BYTES % 2]
    best = None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        share = len(_TEXTLIKE.findall(text)) / max(1, len(text))
        if share >= UTF16_TEXTLIKE_SHARE and _CJK.search(text) and (best is None or share > best[0]):
            best = (share, codec)
    if best is None:
        return None
    try:
        return data[:len(data) - len(data) % 2].decode(best[1])
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes, name: str = "") -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        text = _utf16_without_bom(data)
        if text is not None:
            return text
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
    text = _utf16_without_bom(data)
    if text is not None:
        return text
    raise ExtractError("encoding", f"无法识别文件“{name}”的文字编码：请另存为 UTF-8 或 GBK 编码后再上传。")
