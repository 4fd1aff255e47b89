"""Bounded work for PDFs and images (issue 21): a page-count limit, an OCR page limit, a rendered-pixel limit per
page and an image pixel limit, each refused in Chinese before the work is done, in a fresh process whose time and
peak memory are measured. The hostile files are written here, byte by byte."""
from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from child_extract import extract_in_child

from ingest.loaders.pdf import SETTINGS

REPO = Path(__file__).resolve().parents[1]


def write_pdf(path: Path, pages: int, size: tuple[float, float] = (595, 842), image: bool = False,
              text: str | None = "Annual report page") -> Path:
    """`pages` pages sharing one content stream (so a 5,000-page file is small): a line of text, or a 1×1 grey
    image stretched over the whole page (a 'scan' with no text layer)."""
    w, h = size
    objects: dict[int, bytes] = {}
    draw = (f"q {w} 0 0 {h} 0 0 cm /Im1 Do Q\n" if image else "") + (f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET" if text else "")
    objects[3] = b"<< /Length %d >>\nstream\n" % len(draw) + draw.encode() + b"\nendstream"
    objects[4] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    pixel = zlib.compress(b"\x80")
    objects[5] = (b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 "
                  b"/Filter /FlateDecode /Length %d >>\nstream\n" % len(pixel) + pixel + b"\nendstream")
    resources = b"<< /Font << /F1 4 0 R >> /XObject << /Im1 5 0 R >> >>"
    first = 6
    kids = []
    for i in range(pages):
        objects[first + i] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Contents 3 0 R /Resources %s >>"
                              % (str(w).encode(), str(h).encode(), resources))
        kids.append(b"%d 0 R" % (first + i))
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, b" ".join(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for n in sorted(objects):
        offsets[n] = len(out)
        out += b"%d 0 obj\n" % n + objects[n] + b"\nendobj\n"
    xref = len(out)
    count = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % count
    for n in range(1, count):
        out += b"%010d 00000 n \n" % offsets[n]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, xref)
    path.write_bytes(bytes(out))
    return path


def write_png_header(path: Path, width: int, height: int) -> Path:
    """A PNG that declares `width`×`height` grey pixels (with only a few rows of data): what it claims is what
    a reader must not believe before checking."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = zlib.compress((b"\x00" + b"\xff" * width) * 4)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", rows) + chunk(b"IEND", b""))
    return path


def test_the_writer_makes_a_readable_pdf(tmp_path):
    from ingest.loaders.pdf import load_pdf
    document = load_pdf(write_pdf(tmp_path / "ok.pdf", 3))
    assert document.pages == 3 and "Annualreportpage" in document.blocks[0].text


def test_five_thousand_text_pages_are_refused_by_count(tmp_path):
    path = write_pdf(tmp_path / "年报.pdf", 5000)
    assert path.stat().st_size < 1024 * 1024
    result = extract_in_child(path)
    assert result["refused"] and result["code"] == "too_many_pages", result
    assert f"超过 {SETTINGS.max_pages} 页的上限" in result["message"] and "5000" in result["message"]
    assert result["seconds"] < 30 and result["peak_mb"] < 500, result        # was over 10 GB and 5 minutes


def test_pages_at_the_limit_are_read(tmp_path):
    from ingest.loaders.pdf import load_pdf
    assert load_pdf(write_pdf(tmp_path / "edge.pdf", SETTINGS.max_pages)).pages == SETTINGS.max_pages


def test_more_scanned_pages_than_the_ocr_limit_are_refused_before_ocr(tmp_path):
    path = write_pdf(tmp_path / "扫描件.pdf", SETTINGS.max_ocr_pages + 1, image=True, text=None)
    result = extract_in_child(path)
    assert result["refused"] and result["code"] == "too_many_ocr_pages", result
    assert f"{SETTINGS.max_ocr_pages + 1} 页需要文字识别" in result["message"]
    assert result["seconds"] < 30, result                                    # no page was read by OCR


def test_a_giant_scanned_page_is_refused_before_rendering(tmp_path):
    path = write_pdf(tmp_path / "巨幅.pdf", 1, size=(20000, 20000), image=True, text=None)
    result = extract_in_child(path)
    assert result["refused"] and result["code"] == "page_too_large", result
    assert "第 1 页的页面尺寸过大（20000×20000 磅）" in result["message"]
    assert f"{SETTINGS.max_render_pixels / 1e6:.0f} 百万像素的上限" in result["message"]
    assert result["seconds"] < 30 and result["peak_mb"] < 600, result        # a 20,000 pt page needs 8 GB


def test_the_page_viewer_refuses_a_giant_page(tmp_path):
    from ingest.errors import ExtractError
    from ingest.loaders.scan import page_image
    path = write_pdf(tmp_path / "巨幅.pdf", 1, size=(20000, 20000))
    with pytest.raises(ExtractError, match="页面尺寸过大"):
        page_image(path, 1, dpi=100)


@pytest.mark.parametrize("side", [13000, 20000])          # 169 M pixels; 400 M (Pillow's own bomb error)
def test_a_huge_image_is_refused_in_chinese(tmp_path, side):
    path = write_png_header(tmp_path / "扫描页.png", side, side)
    result = extract_in_child(path)
    assert result["refused"] and result["code"] == "image_too_large", result
    assert "图片过大" in result["message"] and f"{SETTINGS.max_image_pixels / 1e6:.0f} 百万像素的上限" in result["message"]
    assert "DecompressionBomb" not in result["message"]
    assert result["seconds"] < 30 and result["peak_mb"] < 600, result


def test_the_cli_says_it_in_chinese_without_a_traceback(tmp_path):
    path = write_png_header(tmp_path / "扫描页.png", 20000, 20000)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, str(REPO / "cli.py"), "extract", str(path)], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=300)
    assert done.returncode != 0 and "图片过大" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr and "DecompressionBombError" not in done.stderr
