"""DOCX size limits on every part whatever its name, and on the real decompressed stream (issue 21): a main part
named `.dat` and a zip directory that understates a part's size are refused in Chinese, in a fresh process whose
peak memory and time are measured. The hostile files are made here, with a small zip writer that can lie."""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from child_extract import extract_in_child

from ingest.loaders.docx import MAX_DOCX_XML_MB

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
PARAGRAPH = b"<w:p><w:r><w:t>" + "本单位收到申请".encode() + b"</w:t></w:r></w:p>"


def content_types(main: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/{main}" '
            f'ContentType="{MAIN}"/></Types>').encode()


def rels(main: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/officeDocument" Target="{main}"/></Relationships>').encode()


def body_chunks(megabytes: int):
    yield f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode()
    block = PARAGRAPH * (1024 * 1024 // len(PARAGRAPH))
    for _ in range(megabytes):
        yield block
    yield b"</w:body></w:document>"


def write_zip(path: Path, parts: list[tuple[str, object, int | None]]) -> None:
    """A zip of (name, bytes or an iterable of byte chunks, declared uncompressed size or None for the truth),
    deflated in a stream; the directory and local headers carry the declared size."""
    central, offset = [], 0
    with open(path, "wb") as f:
        for name, data, declared in parts:
            chunks = [data] if isinstance(data, bytes) else data
            comp = zlib.compressobj(9, zlib.DEFLATED, -15)
            crc, size, packed = 0, 0, []
            for chunk in chunks:
                crc, size = zlib.crc32(chunk, crc), size + len(chunk)
                packed.append(comp.compress(chunk))
            packed.append(comp.flush())
            payload = b"".join(packed)
            shown = size if declared is None else declared
            raw = name.encode()
            header = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(payload), shown, len(raw), 0)
            f.write(header + raw + payload)
            central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(payload),
                                       shown, len(raw), 0, 0, 0, 0, 0, offset) + raw)
            offset += len(header) + len(raw) + len(payload)
        directory = b"".join(central)
        f.write(directory)
        f.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0))


def docx(path: Path, main: str, megabytes: int, declared: int | None = None) -> Path:
    write_zip(path, [("[Content_Types].xml", content_types(main), None), ("_rels/.rels", rels(main), None),
                     (main, body_chunks(megabytes), declared)])
    return path


def test_the_lying_writer_makes_a_readable_docx(tmp_path):
    result = extract_in_child(docx(tmp_path / "small.docx", "word/document.xml", 1))
    assert not result["refused"] or result["code"] not in ("corrupt_docx", "docx_too_large"), result


def test_a_main_part_named_dat_is_limited_like_document_xml(tmp_path):
    path = docx(tmp_path / "年报.docx", "word/document.dat", MAX_DOCX_XML_MB + 30)
    assert path.stat().st_size < 2 * 1024 * 1024
    result = extract_in_child(path)
    assert result["refused"] and result["code"] == "docx_too_large", result
    assert "word/document.dat" in result["message"] and f"上限 {MAX_DOCX_XML_MB} MB" in result["message"]
    assert result["seconds"] < 20 and result["peak_mb"] < 400, result


@pytest.mark.parametrize("main", ["word/document.xml", "word/document.dat"])
def test_a_directory_that_understates_a_part_is_refused_on_the_real_stream(tmp_path, main):
    path = docx(tmp_path / "年报.docx", main, 600, declared=1024 * 1024)      # says 1 MB, unzips to 600 MB
    assert path.stat().st_size < 4 * 1024 * 1024
    result = extract_in_child(path)
    assert result["refused"] and result["code"] in ("corrupt_docx", "docx_too_large"), result
    assert "DOCX" in result["message"] and "请" in result["message"]
    assert result["seconds"] < 20 and result["peak_mb"] < 400, result           # was 2.1 GB before the fix
