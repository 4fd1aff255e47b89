"""A page image (a scanned PDF page, or an uploaded PNG/JPG) read by OCR into the same page model as a
text-layer PDF page, so that tables, paragraphs, label mapping and provenance are read by the same code.

How a page image is read:
- Blank pages (almost no ink) are skipped. The page is straightened: the skew is measured on the long ruling
  lines, or else on the text lines, and the image rotated back.
- The whole page is OCR'd once (text detection + recognition, `ingest.loaders.ocr`). A page whose text lines
  run down the page (scanned turned by 90°) is read again turned a quarter each way until it reads well; a
  page that reads badly is tried upside down; the better reading is kept.
- Ruling lines are found by morphology (long thin horizontal and vertical runs of ink). The regions they
  enclose are table cells; their edges are snapped together so the cells form a grid.
- A cell whose ink is one line (a number, a short label) is recognised again on its own crop: the detector
  misses lone digits (“0”) in wide cells and its crops are tight. The better-scored reading is kept.
  A cell of several lines takes the detected lines inside it.
- A large picture on a page with a text layer and no text over it (a scanned table pasted into a Word report)
  is read the same way, alone, and its tables and lines are merged into the page where the picture lies.
- Each reading becomes "characters" (text, box in PDF points, size, confidence) laid out along its box, and
  the page is then assembled by `ingest.loaders.pdf` exactly as a text-layer page: `_table_from_cells` for the
  ruled grid, `_lines_of` and the alignment-table reader for the rest. A cell's confidence is the lowest of its
  characters.
The OCR work of a page (readings in pixels) is cached by the page image's hash; assembling is cheap.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import cv2
import numpy as np

from ingest.errors import ExtractError
from ingest.loaders import ocr
from ingest.loaders.page import (SETTINGS, Page, assemble, bbox_of, check_render, inside, lines_of, table_from_cells,
                                 text_layout_tables, without_frame_rows)
from ingest.text import is_cjk

MIN_INK = 0.002              # share of dark pixels below which a page is blank
SKEW_LIMIT = 5.0             # degrees: a larger measured skew is not trusted (and not corrected)
H_RULE_PT = 20.0             # a horizontal ruling line is a run of ink at least this long (points)
V_RULE_PT = 12.0             # ... a vertical one at least this tall (shorter than any table row)
RULE_END_PT = 0.75           # a vertical rule ends on a horizontal one (a T or a corner), within this distance
LONG_V_RULE_PT = 36.0        # ... unless it is this long (a table cut by a page break has no rule at the cut)
TEXT_LINE_CHARS = 3          # a short vertical run through a line of text at least this many characters long
                             # (box width / height) is a character's stroke, not a rule
MIN_TABLE_CELLS = 4          # a ruled frame with fewer cells is not a table (a box around a title)
CELL_FILL = 0.8             # a region enclosed by rules is a cell when it fills this share of its box
MIN_CELL_PT = 6.0            # a region smaller than this in either direction is not a cell
SNAP_PT = 4.5                # cell edges closer than this are the same grid line
CELL_MARGIN_PT = 1.5         # ink this close to a cell's border is the border, not text
GOOD_PAGE_SCORE = 0.75       # a page whose readings average below this is tried upside down
MIN_PAGE_SCORE = 0.6         # ... and is unreadable when neither way reaches this
SCORED_LENGTH = 3            # readings at least this long judge which way up a page reads best
SHORT_READING = 3            # ... or a few non-Chinese characters (a lone "0" read as "D", "O0")
LINE_ASPECT = 1.5            # a text line box this many times longer one way than the other runs that way
SIDEWAYS_MIN_LINES = 3       # a page is sideways when at least this many lines run down it
SIDEWAYS_RATIO = 2.0         # ... and they outnumber the lines running across it this many times
ONE_LINE = 1.6               # a cell whose ink is at most this many text heights tall holds one line
FRAGMENT_PT = 2.5           # a dash of a light rule: a vertical run at least this tall (points)
TEXT_NUMBER_CORE = 0.25     # ... and a vertical one may not pass through the middle half of a number read whole
TEXT_EDGE = 0.2             # a horizontal rule may graze this share of a text line's height at its top or foot
DASH_SNAP_PT = 0.5          # dashes whose centres are this close are one column of dashes
LONG_DASH_PT = 14.0         # ... and one dash at least this long: longer than any stroke of a character
CONTINUED_RULE = 0.9        # ... when a rule found whole covers this share of the dash's length just above it
DASHES_COVER = 0.75         # ... or several dashes covering this share of a short row
BRIDGE_COVER = 0.6          # ... and dashes covering this share of a row's height make its rule whole
RULE_BLOCK_PX = 31          # the neighbourhood (pixels, odd) whose mean is the paper's shade for rule_ink
RULE_CONTRAST = 25          # ... and how much darker than it a pixel of a rule is (grey levels)
DISAGREED = 0.5              # the confidence of a number the page reading and the cell's own reading disagree on


@dataclass
class PageReading:
    """What OCR found on one page image, in pixels of the straightened image: text lines (outside and inside
    tables) and the table cells with their readings. `scale` converts pixels to PDF points."""
    width: int
    height: int
    scale: float
    angle: float
    turn: int                # degrees the page image was turned clockwise to read it: 0, 90, 180 or 270
    blank: bool
    score: float
    lines: list[list]        # [text, confidence, x0, y0, x1, y1] not inside a table cell
    tables: list[list]       # per table: list of [x0, y0, x1, y1, text, confidence, [line boxes]]

    def to_json(self) -> dict:
        return self.__dict__.copy()


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0: Otsu's threshold after a light blur (scanner noise)."""
    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    _, ink = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return ink


def rule_ink(gray: np.ndarray) -> np.ndarray:
    """Ink for finding ruling lines: darker than the paper around it by RULE_CONTRAST (a local threshold). An
    office suite prints rules thin and light; Otsu's page-wide threshold, set between paper and black text,
    breaks them into dashes, and cells that lose a border merge."""
    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    return cv2.adaptiveThreshold(blurred, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 RULE_BLOCK_PX, RULE_CONTRAST)


def ink_share(gray: np.ndarray) -> float:
    """The share of clearly dark pixels (a blank page with scanner noise has almost none)."""
    return float(np.count_nonzero(gray < 128)) / gray.size


def _rules(ink: np.ndarray, px_per_pt: float, text: list | None = None,
           bridge: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The horizontal and vertical ruling lines of a page (ink masks); `text`, the OCR boxes of the page,
    tells strokes of characters from rules (see `_anchored`). `bridge`: make rules scanned into dashes whole
    (for finding cells; not for erasing rules from a cell's image, where a digit beside the rule would go too)."""
    text = text or []
    h_len = max(10, int(H_RULE_PT * px_per_pt))
    v_len = max(8, int(V_RULE_PT * px_per_pt))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    if bridge:
        vertical = cv2.bitwise_or(vertical, _bridged(ink, horizontal, vertical, px_per_pt, text, upright=True))
        boxes_t = [_Box(b.text, (b.box[1], b.box[0], b.box[3], b.box[2])) for b in text]
        horizontal = cv2.bitwise_or(horizontal, _bridged(ink.T, vertical.T, horizontal.T, px_per_pt, boxes_t,
                                                             upright=False).T)
    return horizontal, _anchored(vertical, horizontal, px_per_pt, text)


@dataclass(frozen=True)
class _Box:
    text: str
    box: tuple


def _bridged(ink: np.ndarray, across: np.ndarray, found: np.ndarray, px_per_pt: float, text: list,
             upright: bool) -> np.ndarray:
    """Rules printed light and scanned into dashes. Written for vertical rules (`upright`; horizontal ones are
    found on the transposed page): between two rules `across` them that cross a column of short runs, the runs
    cover most of the length (BRIDGE_COVER) → the whole segment is a rule. A character's strokes cover a
    cell's height only in part, and never where OCR read a line of text across it. `found`: the rules found
    whole, which a short row's dashes may continue (see `_dashed`)."""
    out = np.zeros_like(ink)
    frag = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, int(FRAGMENT_PT * px_per_pt)))))
    n, _, stats, _ = cv2.connectedComponentsWithStats(frag, connectivity=8)
    if n <= 1:
        return out
    reach = max(1, int(round(RULE_END_PT * px_per_pt)))
    min_gap = MIN_CELL_PT * px_per_pt
    min_dash = LONG_DASH_PT * px_per_pt
    centres = [float(stats[i][0] + stats[i][2] / 2) for i in range(1, n) if stats[i][2] <= 3 * reach + 2]
    length = ink.shape[0]
    for x in sorted({int(round(v)) for v in _snap(centres, max(1.0, DASH_SNAP_PT * px_per_pt)).values()}):
        x0, x1 = max(0, x - reach), x + reach + 1
        crossing = np.flatnonzero(across[:, x0:x1].any(axis=1))
        if len(crossing) < 2:
            continue
        rules = [int(g.mean()) for g in np.split(crossing, np.flatnonzero(np.diff(crossing) > 1) + 1)]
        end = _dashes_end(frag[:, x0:x1].any(axis=1), rules[-1], int(min_gap))
        if end - rules[-1] >= min_gap:
            rules.append(end)               # a row cut by the page break: no rule below it, its dashes end there
        for ya, yb in zip(rules, rules[1:]):
            if yb - ya < min_gap:
                continue
            inside = frag[ya + reach + 1:yb - reach, x0:x1].any(axis=1)
            above = found[max(0, ya - int(min_dash)):max(0, ya - reach), x0:x1].any(axis=1)
            continues = above.size > 0 and above.mean() >= CONTINUED_RULE
            if (inside.size and inside.mean() >= BRIDGE_COVER and (not upright or _dashed(inside, min_dash, continues))
                    and not _across_text(x, ya, yb, text, upright)):
                # thin, on the column the dashes fill most: a digit's stroke beside the rule is not made part of it
                at = x0 + int(np.argmax(frag[ya:yb, x0:x1].sum(axis=0)))
                out[ya:min(length, yb + 1), max(0, at - 1):at + 2] = 255
    return out


def _dashes_end(flags: np.ndarray, start: int, max_gap: int) -> int:
    """Where the dashes below `start` end: the last flagged position reached from it with no gap wider than
    `max_gap`."""
    end = start
    for y in np.flatnonzero(flags[start + 1:]) + start + 1:
        if y - end > max_gap:
            break
        end = int(y)
    return end


def _dashed(flags: np.ndarray, min_dash: float, continues: bool) -> bool:
    """Whether the runs along a segment are a rule's dashes, not a character's strokes: one dash longer than any
    stroke; or, in a row too short for such a dash (cut by the page break) that `continues` a rule found whole
    just above it, several dashes covering most of it (DASHES_COVER)."""
    runs = _runs(flags)
    return bool(runs) and (max(runs) >= min_dash
                           or (continues and len(runs) >= 2 and flags.mean() >= DASHES_COVER))


def _runs(flags: np.ndarray) -> list[int]:
    """The lengths of the runs of True in a 1-D boolean array."""
    out, run = [], 0
    for f in flags:
        if f:
            run += 1
        elif run:
            out.append(run)
            run = 0
    return out + ([run] if run else [])


def _across_text(x: int, y0: int, y1: int, text: list, upright: bool) -> bool:
    """Whether a line of text OCR read runs across x between y0 and y1: for a vertical rule, a line of words
    (numbers of neighbouring cells are often read as one line) with x inside it by a character; for a
    horizontal one (page transposed), any line with x inside its height by a fifth."""
    for b in text:
        bx0, by0, bx1, by1 = b.box
        if not (by0 < y1 and by1 > y0):
            continue
        if upright:
            inset = by1 - by0
            if bx0 + inset <= x <= bx1 - inset and not _numeric(b.text.replace(" ", "")):
                return True
            quarter = TEXT_NUMBER_CORE * (bx1 - bx0)   # one number read as one (“27”): no rule runs through it
            if " " not in b.text.strip() and _numeric(b.text) and bx0 + quarter <= x <= bx1 - quarter:
                return True
        elif bx0 + TEXT_EDGE * (bx1 - bx0) <= x <= bx1 - TEXT_EDGE * (bx1 - bx0):
            return True
    return False


def _anchored(vertical: np.ndarray, horizontal: np.ndarray, px_per_pt: float, text: list) -> np.ndarray:
    """The vertical runs that are ruling lines. In a table whose rows are hardly taller than its text, a
    character's vertical stroke (章, 性, 1), the row's rule and a stroke of the row below line up into one
    tall run, or one stroke touches both rules of its row; taken for a rule, it would cut a label in two
    (“规 | 章”) and the row would map nowhere. So a short run is a rule only when both its ends lie on
    horizontal rules and it does not cross the inside of a line of text OCR read as one (`text`)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(vertical, connectivity=8)
    if n <= 1:
        return vertical
    reach = max(1, int(round(RULE_END_PT * px_per_pt)))
    long_run = LONG_V_RULE_PT * px_per_pt
    height = vertical.shape[0]

    def on_rule(y: int, x: int, w: int) -> bool:
        return bool(horizontal[max(0, y - reach):y + reach + 1, max(0, x - reach):x + w + reach].any())

    def through_text(x: int, y: int, w: int, h: int) -> bool:
        for b in text:
            x0, y0, x1, y1 = b.box
            inset = y1 - y0                    # a character's width: a rule may graze a line's ends
            if (x1 - x0 >= TEXT_LINE_CHARS * inset and x0 + inset <= x and x + w <= x1 - inset
                    and min(y + h, y1) - max(y, y0) >= 0.5 * min(h, y1 - y0)):
                return True
        return False

    keep = np.zeros(n, dtype=bool)
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        keep[i] = h >= long_run or ((y <= reach or on_rule(y, x, w)) and
                                    (y + h >= height - reach or on_rule(y + h - 1, x, w))
                                    and not through_text(x, y, w, h))
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def skew_angle(gray: np.ndarray, px_per_pt: float) -> float:
    """The page's skew in degrees (positive: text rises to the right... as cv2 measures it): the median slope
    of long horizontal rules, or of text lines when there are none."""
    ink = rule_ink(gray)
    h, w = ink.shape
    horizontal, _ = _rules(ink, px_per_pt)     # dashes joined: long rules to measure (without, 026 reads 44/200)
    angles = _slopes(horizontal, min_width=w // 5)
    if len(angles) < 2:
        blobs = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(6 * px_per_pt)), 1)))
        angles = _slopes(blobs, min_width=w // 4, max_height=int(30 * px_per_pt))
    if not angles:
        return 0.0
    angle = float(np.median(angles))
    return angle if abs(angle) <= SKEW_LIMIT else 0.0


def _slopes(mask: np.ndarray, min_width: int, max_height: int | None = None) -> list[float]:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if w < min_width or (max_height is not None and h > max_height):
            continue
        ys, xs = np.nonzero(labels[y:y + h, x:x + w] == i)
        if len(xs) < 20:
            continue
        slope = np.polyfit(xs.astype(float), ys.astype(float), 1)[0]
        out.append(float(np.degrees(np.arctan(slope))))
    return out


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """Rotate about the centre by `angle` degrees (cv2's sense), filling with white."""
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


# ---------------------------------------------------------------------------------------------------------
# table grid
def _snap(values: list[float], tol: float) -> dict[float, float]:
    """Each value → the mean of its cluster (values within `tol` of their neighbour)."""
    out: dict[float, float] = {}
    group: list[float] = []
    for v in sorted(set(values)) + [float("inf")]:
        if group and v - group[-1] > tol:
            mean = sum(group) / len(group)
            out.update({g: mean for g in group})
            group = []
        group.append(v)
    return out


def table_cells(gray: np.ndarray, px_per_pt: float, text: list | None = None) -> list[list[tuple[int, int, int, int]]]:
    """The ruled tables of a straightened page: for each, its cells as pixel boxes (x0, y0, x1, y1) on a grid.
    `text`: the page's OCR boxes (see `_anchored`)."""
    horizontal, vertical = _rules(rule_ink(gray), px_per_pt, text)
    grow = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    rules = cv2.dilate(cv2.bitwise_or(horizontal, vertical), grow)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    min_cell = MIN_CELL_PT * px_per_pt
    tables = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if w < 60 * px_per_pt or h < 2 * min_cell:
            continue
        region = (labels[y:y + h, x:x + w] == i).astype(np.uint8)
        # close the frame: a table cut by a page break has no rule on the cut side, its vertical rules end there
        cv2.rectangle(region, (0, 0), (w - 1, h - 1), 1, thickness=2)
        # the enclosed regions: components of the complement that do not touch the region's edge
        m, cl, cst, _ = cv2.connectedComponentsWithStats((1 - region).astype(np.uint8), connectivity=4)
        boxes = []
        for j in range(1, m):
            cx, cy, cw, ch, area = cst[j]
            if cw < min_cell or ch < min_cell or area < CELL_FILL * cw * ch:
                continue                    # too small, or not a rectangle (the space around a table's ragged edge)
            boxes.append((x + cx - 2, y + cy - 2, x + cx + cw + 2, y + cy + ch + 2))
        if len(boxes) < MIN_TABLE_CELLS:
            continue
        tol = SNAP_PT * px_per_pt
        xs = _snap([b[0] for b in boxes] + [b[2] for b in boxes], tol)
        ys = _snap([b[1] for b in boxes] + [b[3] for b in boxes], tol)
        snapped = [(int(round(xs[b[0]])), int(round(ys[b[1]])), int(round(xs[b[2]])), int(round(ys[b[3]])))
                   for b in boxes]
        snapped = _without_enclosing(snapped)
        tables.extend(t for t in _stacked_tables(snapped, tol) if len(t) >= MIN_TABLE_CELLS)
    tables.sort(key=lambda t: min(b[1] for b in t))
    return tables


def _without_enclosing(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """The cells without any region that holds another cell's centre: a space enclosed around cells whose rules
    did not all close (its box would overlap theirs, and the text inside would be read twice, “27” as “2277”)."""
    def holds(a, b) -> bool:
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        return a != b and a[0] < cx < a[2] and a[1] < cy < a[3]
    return [a for a in boxes if not any(holds(a, b) for b in boxes)]


def _stacked_tables(boxes: list[tuple[int, int, int, int]], tol: float) -> list[list[tuple[int, int, int, int]]]:
    """One ruled frame holding two tables one above the other (表三's last row, a framed title row
    “四、政府信息公开行政复议、行政诉讼情况”, then 表四): where no cell crosses a row boundary and the rows on
    either side share no inner column edge, the frame is two tables; the full-width title rows between them
    belong to neither (their text is read as lines). A title row inside one table (表二's “第二十条第（五）项”
    between sub-tables of common columns) stays in it."""
    cuts = sorted({b[1] for b in boxes} | {b[3] for b in boxes})
    cuts = [y for y in cuts if not any(b[1] < y - tol and b[3] > y + tol for b in boxes)]
    bands = [[b for b in boxes if b[1] >= y0 - tol and b[3] <= y1 + tol] for y0, y1 in zip(cuts, cuts[1:])]
    bands = [band for band in bands if band]
    left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)

    def inner(band) -> list[int]:
        return [x for b in band for x in (b[0], b[2]) if x - left > tol and right - x > tol]

    def share(a, b) -> bool:
        return any(abs(x - y) <= tol for x in a for y in b)

    out: list[list] = [[]]
    titles: list = []
    last_inner: list[int] | None = None
    for band in bands:
        edges = inner(band)
        if not edges:                       # a full-width row: a title, or a table's own single-cell row
            titles.extend(band)
            continue
        if last_inner is not None and not share(edges, last_inner):
            out.append([])                  # another table starts: the titles between were neither's
        else:
            out[-1].extend(titles)
        titles = []
        out[-1].extend(band)
        last_inner = edges
    out[-1].extend(titles)
    return [t for t in out if t]


def _ink_box(ink: np.ndarray, box, margin: int) -> tuple[int, int, int, int] | None:
    """The box of the ink inside a cell, away from its borders; None for an empty cell."""
    x0, y0, x1, y1 = box
    inner = ink[y0 + margin:y1 - margin, x0 + margin:x1 - margin]
    if inner.size == 0:
        return None
    inner = cv2.morphologyEx(inner, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))    # specks of scanner noise
    ys, xs = np.nonzero(inner)
    if len(xs) < 6:
        return None
    return (x0 + margin + int(xs.min()), y0 + margin + int(ys.min()),
            x0 + margin + int(xs.max()) + 1, y0 + margin + int(ys.max()) + 1)


def _crop(gray: np.ndarray, box, pad: int) -> np.ndarray:
    x0, y0, x1, y1 = box
    crop = gray[y0:y1, x0:x1]
    return cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


# ---------------------------------------------------------------------------------------------------------
# reading a page image
def read_image(gray: np.ndarray, scale: float, settings: ocr.OcrSettings | None = None) -> PageReading:
    """OCR one page image (2-D uint8); `scale` is PDF points per pixel. Cached by the image's hash."""
    key = ocr.image_key(gray, settings)
    cached = ocr.cache_get(key)
    if cached is not None:
        return PageReading(**cached)
    reading = _read_uncached(gray, scale, settings)
    ocr.cache_put(key, reading.to_json())
    return reading


def _score(boxes: list[ocr.OcrBox]) -> float:
    """How well a page reads: the mean confidence of its longer readings, by length (lone digits in table
    cells read with low confidence even the right way up, so they do not count when there are longer ones)."""
    lines = [b for b in boxes if len(b.text) >= SCORED_LENGTH] or boxes
    total = sum(len(b.text) for b in lines)
    return sum(b.confidence * len(b.text) for b in lines) / total if total else 0.0


def _sideways(boxes: list[ocr.OcrBox]) -> bool:
    """Whether the text lines found run down the page rather than across it (a page scanned turned by 90°):
    lines taller than wide outnumber those wider than tall. A few vertical labels (“本年度办理结果” set one
    character a line in a narrow column, a seal's text) do not turn an upright page."""
    tall = sum(1 for b in boxes if b.box[3] - b.box[1] > LINE_ASPECT * (b.box[2] - b.box[0]))
    wide = sum(1 for b in boxes if b.box[2] - b.box[0] > LINE_ASPECT * (b.box[3] - b.box[1]))
    return tall >= SIDEWAYS_MIN_LINES and tall > SIDEWAYS_RATIO * wide


def _read_uncached(gray: np.ndarray, scale: float, settings) -> PageReading:
    h, w = gray.shape
    px_per_pt = 1.0 / scale
    if ink_share(gray) < MIN_INK:
        return PageReading(w, h, scale, 0.0, 0, True, 0.0, [], [])
    angle = skew_angle(gray, px_per_pt)
    page = rotate(gray, angle)
    boxes = ocr.read_page_image(page, settings)
    turn = 0
    if _sideways(boxes):                       # text lines run down the page: it was scanned turned by 90°
        tried = [(boxes, page, angle, 0)]
        for code, degrees in ((cv2.ROTATE_90_CLOCKWISE, 90), (cv2.ROTATE_90_COUNTERCLOCKWISE, 270)):
            upright = cv2.rotate(gray, code)
            a = skew_angle(upright, px_per_pt)
            turned = rotate(upright, a)
            tried.append((ocr.read_page_image(turned, settings), turned, a, degrees))
            if _score(tried[-1][0]) >= GOOD_PAGE_SCORE and not _sideways(tried[-1][0]):
                break
        boxes, page, angle, turn = max(tried, key=lambda t: (not _sideways(t[0]), _score(t[0])))
    elif _score(boxes) < GOOD_PAGE_SCORE or len(boxes) < 3:
        turned = cv2.rotate(page, cv2.ROTATE_180)
        other = ocr.read_page_image(turned, settings)
        if _score(other) > _score(boxes) and len(other) >= len(boxes) // 2:
            page, boxes, turn = turned, other, 180
    h, w = page.shape
    if _score(boxes) < MIN_PAGE_SCORE:         # no way up reads as text: nothing is taken from this page
        return PageReading(w, h, scale, angle, turn, False, _score(boxes), [], [])
    grids = table_cells(page, px_per_pt, boxes)
    ink = binarize(page)
    horizontal, vertical = _rules(ink, px_per_pt, boxes, bridge=False)
    rules = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    ink[rules > 0] = 0                         # a cell's text, without the bits of ruling line a skew leaves in it
    page = page.copy()
    page[rules > 0] = 255
    margin = max(2, int(CELL_MARGIN_PT * px_per_pt))
    text_h = float(np.median([b.box[3] - b.box[1] for b in boxes])) if boxes else 14 * px_per_pt
    used: set[int] = set()
    tables = []
    crops, crop_at = [], []
    for grid in grids:
        cells = []
        for box in sorted(grid, key=lambda b: (b[1], b[0])):
            inside = [k for k, b in enumerate(boxes) if _centre_in(b.box, box)]
            used.update(inside)
            parts = [part for part in (_within(boxes[k], box) for k in inside) if part[0]]
            cell = [*box, " ".join(p[0] for p in parts), min((p[1] for p in parts), default=1.0), parts]
            ink_box = _ink_box(ink, box, margin)
            if ink_box is not None and ink_box[3] - ink_box[1] <= ONE_LINE * text_h:
                crops.append(_crop(page, ink_box, max(4, int(text_h * 0.3))))
                crop_at.append((cell, ink_box))
            elif ink_box is None:
                cell[4], cell[5], cell[6] = "", 1.0, []
            cells.append(cell)
        tables.append(cells)
    for (cell, ink_box), (text, conf) in zip(crop_at, ocr.recognize(crops, settings)):
        text = text.replace(" ", "") if _numeric(text) else text
        page_text = cell[4]
        if text and (not cell[6] or conf > cell[5] or _numeric(text) and not _numeric(cell[4])):
            cell[4], cell[5], cell[6] = text, conf, [[text, conf, *ink_box]]
        elif not text and not cell[6]:
            cell[4], cell[5] = "", 0.0        # ink nothing could read: see _numbers_in_numeric_columns
        if _numeric(text) and _numeric(page_text) and _digits(text) != _digits(page_text):
            # two readings of one number differ (“447” on the page, “47” in the cell alone): whichever is kept,
            # it is not sure; the checksums corroborate it or it is flagged (表二 has no sums: flagged)
            cell[5] = min(cell[5], DISAGREED)
            cell[6] = [[p[0], min(p[1], DISAGREED), *p[2:]] for p in cell[6]]
    _numbers_in_numeric_columns(page, tables, crop_at, crops, settings)
    lines = [[b.text, b.confidence, *b.box] for k, b in enumerate(boxes) if k not in used]
    return PageReading(w, h, scale, angle, turn, False, _score(boxes), lines, tables)


def _numbers_in_numeric_columns(page, tables, crop_at, crops, settings) -> None:
    """In a column whose one-line cells mostly read as numbers, a short reading that is not a number (a lone
    “0” read as “D”, “O”, “[”) is read again as digits only, with the model's probability of those digits
    as its confidence: low, so the checksums decide whether it is corroborated or flagged."""
    from ingest.tables import is_blank
    crop_of = {id(cell): crop for (cell, _), crop in zip(crop_at, crops)}
    redo = []
    for cells in tables:
        columns: dict[int, list] = {}
        for cell in cells:
            if id(cell) in crop_of:
                columns.setdefault(cell[0], []).append(cell)
        for column in columns.values():
            numeric = sum(1 for c in column if _numeric(c[4]))
            if numeric * 2 < len(column):
                continue
            redo += [c for c in column if (_maybe_misread_number(c[4]) and not is_blank(c[4]))
                     or (not c[4] and c[5] == 0.0)]
    ink_of = {id(cell): box for cell, box in crop_at}
    for cell, (text, conf) in zip(redo, ocr.recognize_digits([crop_of[id(c)] for c in redo], settings)):
        box = cell[6][0][2:6] if cell[6] else ink_of[id(cell)]
        if text:
            cell[4], cell[5], cell[6] = text, conf, [[text, conf, *box]]
        elif not cell[4]:                     # ink in a number's place that nothing reads: flagged, never a value
            cell[4], cell[5], cell[6] = ocr.UNREAD_MARK, 0.0, [[ocr.UNREAD_MARK, 0.0, *box]]


def _maybe_misread_number(text: str) -> bool:
    """A reading that may be a number the recogniser got wrong: one character (“置” for 7), or a few that are
    not Chinese (“D”, “[”, “O0”). Words (“总计”, “其他”, “自然人” in a header) are left alone."""
    if _numeric(text) or not text:
        return False
    return len(text) == 1 or (len(text) <= SHORT_READING and not any(is_cjk(ch) for ch in text))


def _within(b: ocr.OcrBox, cell) -> list:
    """A line OCR read, as a part of the cell its centre lies in: [text, confidence, x0, y0, x1, y1]. The
    detector sometimes runs a label's line on into the number of the next cell (“…不再处27”): the characters
    laid out beyond the cell's side (see `characters`) are the neighbour's, read there on their own, and left
    out here, or the number would be read twice (“2277”)."""
    x0, y0, x1, y1 = b.box
    n = len(b.text)
    if n == 0 or (x0 >= cell[0] and x1 <= cell[2]):
        return [b.text, b.confidence, *b.box]
    spans = _char_spans(b.text, x0, x1)
    keep = [i for i, (a, z) in enumerate(spans) if cell[0] <= (a + z) / 2 <= cell[2]]
    if not keep:
        return ["", b.confidence, *b.box]
    return [b.text[keep[0]:keep[-1] + 1].strip(), b.confidence, spans[keep[0]][0], y0, spans[keep[-1]][1], y1]


def _char_spans(text: str, x0: float, x1: float) -> list[tuple[float, float]]:
    """Where each character of a reading lies along its box: Chinese full width, a space 0.9, others 0.55."""
    weights = [1.0 if is_cjk(c) or not c.isascii() else (0.9 if c == " " else 0.55) for c in text]
    total = sum(weights) or 1.0
    out, x = [], x0
    for wgt in weights:
        step = (x1 - x0) * wgt / total
        out.append((x, x + step))
        x += step
    return out


def _centre_in(b, cell) -> bool:
    x = (b[0] + b[2]) / 2
    y = (b[1] + b[3]) / 2
    return cell[0] <= x <= cell[2] and cell[1] <= y <= cell[3]


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _numeric(text: str) -> bool:
    t = text.replace(" ", "").replace(",", "").replace("，", "")
    return bool(t) and all(c.isdigit() or c in ".-—/" for c in t)


# ---------------------------------------------------------------------------------------------------------
# readings → characters in PDF points
def characters(text: str, confidence: float, box, scale: float) -> list[dict]:
    """A reading laid out along its box as pdfplumber-like characters (Chinese full width, others half)."""
    x0, y0, x1, y1 = (v * scale for v in box)
    size = max(1.0, (y1 - y0) * 0.85)
    return [{"text": c, "x0": a, "x1": a + (z - a) * 0.95, "top": y0, "bottom": y1, "size": size,
             "confidence": confidence} for c, (a, z) in zip(text, _char_spans(text, x0, x1)) if c.strip()]


def unreadable_message(what: str, tried: str) -> ExtractError:
    return ExtractError("unreadable_scan", f"{what}：程序已{tried}，仍无法识别出文字。"
                                          "请确认上传的是年度报告本身的清晰扫描件（正向放置、不少于150dpi、不是翻拍屏幕的照片），"
                                          "或上传带文字层的PDF、Word版本。")


def to_page(reading: PageReading, number: int, width: float, height: float):
    """A page reading → the PDF loader's page model (`ingest.loaders.Page`) with tables and text lines,
    read by the same code as a text-layer page."""
    s = reading.scale
    if reading.turn in (90, 270):      # read turned a quarter: the page the reading describes is the other way
        width, height = height, width
    chars: list[dict] = []
    tables = []
    for cells in reading.tables:
        table_chars = [ch for c in cells for p in c[6] for ch in characters(p[0], p[1], p[2:6], s)]
        boxes = [tuple(v * s for v in c[:4]) for c in cells]
        boxes = without_frame_rows(boxes, table_chars)
        if not boxes:
            continue
        table = table_from_cells(number, bbox_of(boxes), boxes, table_chars)
        if table is not None:
            tables.append(table)
            chars.extend(table_chars)
        else:
            chars.extend(table_chars)
    free = [ch for line in reading.lines for ch in characters(line[0], line[1], line[2:6], s)]
    free += [ch for ch in chars if not any(inside(ch, t.bbox) for t in tables)]
    lines = lines_of(free, number)
    text_tables, lines = text_layout_tables(None, number, lines)
    return Page(number, width, height, lines, tables + text_tables, len(free) + len(chars), 1, reading.turn)


# ---------------------------------------------------------------------------------------------------------
# entry points: PDF pages without a text layer, and image files
def ocr_pdf_pages(raw_pages: list, pages: list, todo: list[int], regions: dict | None = None) -> list:
    """Replace `pages[i]` for i in `todo` (pdfplumber pages that are images) by their OCR reading, and read the
    pictures `regions[i]` (boxes in points) of text-layer pages into them. Raises ExtractError when no page of
    the file has any text left to read."""
    s = ocr.settings()
    regions = regions or {}
    out = list(pages)
    readings = []
    order = sorted(set(todo) | set(regions))
    if len(order) > SETTINGS.max_ocr_pages:
        raise ExtractError("too_many_ocr_pages", f"该PDF有 {len(order)} 页需要文字识别（OCR，扫描页或图片），超过 "
                                                 f"{SETTINGS.max_ocr_pages} 页的上限。请上传带文字层的PDF或Word版本，"
                                                 "或只上传年度报告本身的扫描页。")
    for n, i in enumerate(order):
        raw = raw_pages[i]
        ocr.report_progress(n, len(order), raw.page_number)
        if i in todo:
            reading = read_pdf_page(raw, s)
            readings.append(reading)
            out[i] = to_page(reading, raw.page_number, float(raw.width), float(raw.height))
        else:
            out[i] = _with_pictures(raw, out[i], regions[i], s)
    ocr.report_progress(len(order), len(order), None)
    if todo and not any(p.lines or p.tables for p in out):
        raise _failed(readings, "该PDF没有文字层（扫描件）")
    return out


def _with_pictures(raw, page, boxes: list, s: ocr.OcrSettings):
    """A text-layer page with the text of its pictures (`boxes`, points) read by OCR and merged in: their tables
    and lines placed where the pictures are, as if printed there."""
    lines, tables, chars = list(page.lines), list(page.tables), page.chars
    for box in boxes:
        reading = read_pdf_page(raw, s, box)
        part = to_page(_moved(reading, box[0], box[1]), page.number, page.width, page.height)
        lines += part.lines
        tables += part.tables
        chars += part.chars
    lines.sort(key=lambda line: (line.top, line.x0))
    return Page(page.number, page.width, page.height, lines, tables, chars, page.images, page.turn)


def _moved(reading: PageReading, x: float, y: float) -> PageReading:
    """A reading of part of a page, with its boxes moved to where that part lies on the page (`x`, `y`: the
    part's top-left corner in points)."""
    dx, dy = x / reading.scale, y / reading.scale

    def box(v: list, at: int) -> list:
        return [*v[:at], v[at] + dx, v[at + 1] + dy, v[at + 2] + dx, v[at + 3] + dy, *v[at + 4:]]
    tables = [[[*box(c[:4], 0), c[4], c[5], [box(p, 2) for p in c[6]]] for c in cells] for cells in reading.tables]
    return PageReading(**{**reading.to_json(), "lines": [box(line, 2) for line in reading.lines], "tables": tables})


def read_pdf_page(raw, s: ocr.OcrSettings, box: tuple | None = None) -> PageReading:
    """OCR a pdfplumber page that is an image, or the part `box` (points) of one (a picture on a page with a
    text layer). Looked up first by the hash of the page's embedded images (no rendering needed: re-reading a
    scan is a file read per page), then rendered at `s.dpi` and read."""
    key = _embedded_key(raw, s)
    if key and box is not None:
        key = "region-" + hashlib.sha256(f"{key}:{[round(v, 1) for v in box]}".encode()).hexdigest()
    cached = ocr.cache_get(key) if key else None
    if cached is not None:
        return PageReading(**cached)
    part = raw if box is None else raw.crop(box, strict=False)
    check_render(part.width, part.height, s.dpi, raw.page_number)
    gray = np.asarray(part.to_image(resolution=s.dpi).original.convert("L"), dtype=np.uint8)
    reading = read_image(gray, float(part.width) / gray.shape[1], s)
    if key:
        ocr.cache_put(key, reading.to_json())
    return reading


def _embedded_key(raw, s: ocr.OcrSettings) -> str | None:
    """The hash of a page's images as embedded (their encoded bytes and placement) and of the page size."""
    h = hashlib.sha256(f"{raw.width}x{raw.height}:{raw.rotation}:{s.key()}".encode())
    try:
        for img in raw.images:
            h.update(repr((round(img["x0"], 1), round(img["top"], 1), round(img["x1"], 1), round(img["bottom"], 1))).encode())
            h.update(img["stream"].get_rawdata() or b"")
    except Exception:          # an image we cannot get at: render and hash the pixels instead
        return None
    return "pdf-" + h.hexdigest()


def _failed(readings: list[PageReading], what: str) -> ExtractError:
    if all(r.blank for r in readings):
        return ExtractError("blank_scan", f"{what}，程序准备进行文字识别（OCR），但扫描页上几乎没有字迹（空白页）。"
                                          "请确认扫描时放入了年度报告正文，或上传带文字层的PDF、Word版本。")
    return unreadable_message(what, "对页面进行文字识别（OCR），并尝试纠正倾斜、将页面旋转180度")


def load_image(path) -> "Document":
    """An image file (PNG, JPG) holding one page of a report, read by OCR into a Document (kind "image").
    Its pixels are mapped to an A4-wide page in points."""
    from PIL import ImageOps, UnidentifiedImageError
    from ingest.document import Document
    try:
        with open_image(path) as img:
            img = ImageOps.exif_transpose(img)
            gray = np.asarray(img.convert("L"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise ExtractError("corrupt_image", f"图片文件已损坏或格式无法识别：{path.name}。请重新导出为PNG或JPG后再上传。") from e
    scale = A4_WIDTH_PT / min(gray.shape)     # the short side is A4's width, whichever way the page was scanned
    ocr.report_progress(0, 1, 1)
    reading = read_image(gray, scale)
    ocr.report_progress(1, 1, None)
    page = to_page(reading, 1, gray.shape[1] * scale, gray.shape[0] * scale)
    if not (page.lines or page.tables):
        raise _failed([reading], "图片")
    blocks = assemble([page])
    return Document(path=str(path), kind="image", blocks=blocks, pages=1,
                    meta={"page_turns": {1: page.turn}} if page.turn else {})


A4_WIDTH_PT = 595.0


def open_image(path):
    """`Image.open`, refusing in Chinese an image of more than `max_image_pixels` before its pixels are decoded
    (instead of Pillow's English DecompressionBombError, or gigabytes for a genuine 13,000² PNG)."""
    from pathlib import Path
    from PIL import Image
    limit = SETTINGS.max_image_pixels
    name = Path(path).name
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as e:
        raise _too_many_pixels(name, None, limit) from e
    width, height = img.size
    if width * height > limit:
        img.close()
        raise _too_many_pixels(name, (width, height), limit)
    return img


def _too_many_pixels(name: str, size: tuple | None, limit: int) -> ExtractError:
    shown = f"（{size[0]}×{size[1]} 像素，约 {size[0] * size[1] / 1e6:.0f} 百万像素）" if size else ""
    return ExtractError("image_too_large", f"{name}：图片过大{shown}，超过 {limit / 1e6:.0f} 百万像素的上限。"
                                           "请以 150–300 dpi 重新扫描或缩小后再上传。")


def page_image(path, page: int, dpi: int = 100, turn: int = 0):
    """Page `page` (1-based) of a PDF or image file as a PIL image, turned `turn` degrees clockwise (as OCR
    read it: `Report.page_turns`), with the factor from PDF points to its pixels, so that cell boxes (in
    points) can be drawn on it."""
    image, k = _page_image(path, page, dpi)
    return (image.rotate(-turn, expand=True) if turn else image), k


def _page_image(path, page: int, dpi: int):
    from pathlib import Path
    from PIL import ImageOps
    path = Path(path)
    if path.suffix.lower() == ".pdf":
        import pdfplumber
        with pdfplumber.open(path) as pdf:
            raw = pdf.pages[page - 1]
            check_render(raw.width, raw.height, dpi, page)
            image = raw.to_image(resolution=dpi).original.convert("RGB")
        return image, dpi / 72.0
    with open_image(path) as img:
        image = ImageOps.exif_transpose(img).convert("RGB")
    return image, min(image.size) / A4_WIDTH_PT      # as load_image maps it: the short side is A4's width
