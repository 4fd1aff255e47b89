"""A visual debug of what the PDF reader found (pdfplumber's `to_image`): one PNG per page that draws

- every raw table cell the loader saw (thin blue boxes),
- every cell that became a value of 表二/表三/表四 or the fee table (green boxes, labelled with its table,
  row and column keys, e.g. “t3 granted/total”),
- every line dropped as a running header, footer or page number (red boxes),

so anyone can see why a cell was read, or why it was not.
"""
from __future__ import annotations

from pathlib import Path

from ingest.document import RawTable
from ingest.load import load_document

RESOLUTION = 100                     # pixels per inch of the debug images
RAW_CELL = (60, 120, 230)            # blue: a cell of a raw table
READ_CELL = (20, 160, 60)            # green: a cell read into a standard table
DROPPED = (220, 40, 40)              # red: a header, footer or page number left out
_SHORT = {"table2": "t2", "table3": "t3", "table4": "t4", "fees": "fee"}


def _label(table: str, row: str, col: str) -> str:
    """A cell's keys, short enough for narrow cells: 表三 names its row in the first column and its column in
    the first row only; the other tables name both."""
    short = _SHORT.get(table, table)
    if table != "table3":
        return f"{short} {row}/{col}"
    if col == "natural_person":
        return f"{short} {row}" + ("/natural_person" if row == "new_received" else "")
    return col if row == "new_received" else ""


def debug_pdf(path: str | Path, out_dir: str | Path) -> list[Path]:
    """Write `<out_dir>/<name>-p<N>.png` for every page of the PDF at `path`; returns the files written."""
    import pdfplumber
    from PIL import ImageDraw

    from ingest.extract import extract_document
    path, out_dir = Path(path), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    document = load_document(path)
    report = extract_document(document, path.name)
    raw = [(c.source.page, c.source.bbox) for b in document.blocks if isinstance(b, RawTable)
           for row in b.rows for c in row if c.source.bbox and c.source.page]
    read = [(cell.source.page, cell.source.bbox, _label(t.name, r, c))
            for t in (report.table2, report.table3, report.table4, report.fees) if t
            for r, c, cell in t.cells() if cell.source is not None and cell.source.bbox and cell.source.page]
    dropped = document.dropped
    written = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            image = page.to_image(resolution=RESOLUTION)
            scale = RESOLUTION / 72
            image.draw_rects([b for p, b in raw if p == number], stroke=RAW_CELL, fill=None, stroke_width=1)
            image.draw_rects([b for p, b, _ in read if p == number], stroke=READ_CELL, fill=None, stroke_width=2)
            image.draw_rects([b for p, b, _ in dropped if p == number], stroke=DROPPED, fill=None, stroke_width=2)
            canvas = image.annotated.convert("RGB")
            pen = ImageDraw.Draw(canvas)
            for p, b, label in read:
                if p == number and label:
                    pen.text((b[0] * scale + 2, b[1] * scale + 1), label, fill=READ_CELL)
            target = out_dir / f"{path.stem}-p{number}.png"
            canvas.save(target)
            written.append(target)
    return written
