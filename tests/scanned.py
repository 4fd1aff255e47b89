"""Make scanned renditions of PDFs for the OCR tests and bench: pages rasterised in grey (pdftoppm), turned by
less than a degree, blurred slightly and given scanner noise, then rebuilt into an image-only PDF (Pillow)."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter


def pdftoppm() -> str | None:
    return shutil.which("pdftoppm")


def degrade(image: Image.Image, rng: np.random.Generator, max_angle: float = 0.9) -> Image.Image:
    """A clean grey page image → one that looks scanned: a small turn, a slight blur and noise."""
    angle = float(rng.uniform(-max_angle, max_angle))
    img = image.convert("L").rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(radius=0.6))
    a = np.asarray(img, dtype=np.float32)
    a = a * 0.92 + 10 + rng.normal(0, 9, a.shape)          # greyish paper, darker ink, sensor noise
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


def page_images(pdf: Path, dpi: int, pages: list[int] | None = None) -> list[Image.Image]:
    """Pages of a PDF rasterised in grey at `dpi` (1-based page numbers; all pages when None)."""
    with tempfile.TemporaryDirectory() as tmp:
        numbers = pages or list(range(1, _page_count(pdf) + 1))
        out = []
        for n in numbers:
            prefix = Path(tmp) / f"p{n}"
            subprocess.run([pdftoppm(), "-gray", "-r", str(dpi), "-f", str(n), "-l", str(n), "-png", str(pdf),
                            str(prefix)], check=True, capture_output=True)
            out.append(Image.open(next(Path(tmp).glob(f"p{n}*.png"))).copy())
        return out


def _page_count(pdf: Path) -> int:
    import pdfplumber
    with pdfplumber.open(pdf) as p:
        return len(p.pages)


def save_pdf(images: list[Image.Image], out: Path, dpi: int) -> Path:
    """Images → an image-only PDF whose pages keep the original size (pixels / dpi)."""
    images[0].save(out, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return out


def scanned_pdf(pdf: Path, out: Path, *, dpi: int = 150, pages: list[int] | None = None, seed: int = 0) -> Path:
    """An image-only PDF of `pdf` (or of some of its pages) looking like a scan."""
    rng = np.random.default_rng(seed)
    return save_pdf([degrade(img, rng) for img in page_images(pdf, dpi, pages)], out, dpi)


def table_pages(pdf: Path) -> list[int]:
    """The pages of a text-layer PDF that hold table cells (as the PDF loader reads them)."""
    from ingest.loaders.pdf import load_pdf
    doc = load_pdf(pdf)
    return sorted({c.source.page for t in doc.tables() for row in t.rows for c in row if c.source.page})


def mixed_pdf(pdf: Path, out: Path, scan_pages: list[int], *, dpi: int = 150, seed: int = 0) -> Path:
    """`pdf` with the pages `scan_pages` replaced by scanned images of themselves (the other pages keep their
    text layer): poppler's pdfseparate/pdfunite join the parts."""
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run(["pdfseparate", str(pdf), str(tmp / "page-%d.pdf")], check=True, capture_output=True)
        parts = []
        for n in range(1, _page_count(pdf) + 1):
            part = tmp / f"page-{n}.pdf"
            if n in scan_pages:
                image = degrade(page_images(pdf, dpi, [n])[0], rng)
                part = save_pdf([image], tmp / f"scan-{n}.pdf", dpi)
            parts.append(str(part))
        subprocess.run(["pdfunite", *parts, str(out)], check=True, capture_output=True)
    return out


def pasted_table_pdf(report: dict, out: Path, *, dpi: int = 150, seed: int = 0) -> Path:
    """A Word-made report whose 表二 was pasted in as a scanned picture (the rest keeps its text layer): the
    report is rendered once (tests/render.py), 表二's page rasterised and cropped to the table, made to look
    scanned, and put in the table's place in the DOCX, which LibreOffice prints to PDF again."""
    from docx.shared import Pt
    from ingest.loaders.pdf import load_pdf
    from render import build_docx, default_narrative, office_convert, render_pdf
    narrative = default_narrative(report)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        first = render_pdf(report, tmp / "first.pdf", narrative)
        table = load_pdf(first).tables()[0]
        boxes = [c.source.bbox for row in table.rows for c in row if c.source.bbox]
        page = next(c.source.page for row in table.rows for c in row if c.source.page)
        x0, y0 = min(b[0] for b in boxes) - 3, min(b[1] for b in boxes) - 3
        x1, y1 = max(b[2] for b in boxes) + 3, max(b[3] for b in boxes) + 3
        k = dpi / 72.0
        image = page_images(first, dpi, [page])[0].crop((int(x0 * k), int(y0 * k), int(x1 * k), int(y1 * k)))
        picture = tmp / "table.png"
        degrade(image, np.random.default_rng(seed), max_angle=0.5).save(picture)
        doc = build_docx(report, narrative)
        docx_table = doc.tables[0]._element
        paragraph = doc.add_paragraph()
        paragraph.add_run().add_picture(str(picture), width=Pt(x1 - x0))
        docx_table.addprevious(paragraph._p)
        docx_table.getparent().remove(docx_table)
        source = tmp / (out.stem + ".docx")
        doc.save(str(source))
        shutil.move(str(office_convert(source, tmp)), out)
    return out


def office_scan(source: Path, out: Path, *, dpi: int = 150, seed: int = 0) -> Path:
    """A web or Word report as an office prints and scans it: LibreOffice prints `source` (HTML or DOCX) to PDF,
    and the pages are scanned (`scanned_pdf`): tables cross pages with their header rows on the page before,
    rules come out thin and light, wrapped labels make tall rows."""
    from render import office_convert
    with tempfile.TemporaryDirectory() as tmp:
        printed = office_convert(Path(source), Path(tmp))
        return scanned_pdf(printed, out, dpi=dpi, seed=seed)


def browser_scan(html: Path, out: Path, *, dpi: int = 150, seed: int = 0) -> Path:
    """A web report as an office prints it from the browser and scans it: headless Chromium prints the page
    (darker rules than LibreOffice's, a framed title row joining 表三's frame to 表四's), then `scanned_pdf`."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("Chromium is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        printed = Path(tmp) / "printed.pdf"
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--user-data-dir={tmp}/profile", f"--print-to-pdf={printed}", Path(html).resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
        return scanned_pdf(printed, out, dpi=dpi, seed=seed)
