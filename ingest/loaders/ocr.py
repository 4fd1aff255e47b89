"""Offline OCR of page images: the RapidOCR engine (PP-OCR Chinese models bundled in the wheel, run on
onnxruntime; nothing is downloaded), its settings, and a cache of page readings keyed by the page image's hash.

`read_page_image(gray)` returns the text boxes of one page image (`OcrBox`: text, confidence, box in pixels);
`recognize(crops)` reads small images (a table cell each) without detection. The engine is built once per
process, lazily, so text-layer PDFs never load it. Readings are cached as JSON under `cache_dir()`
(NIANBAO_OCR_CACHE, default ~/.cache/nianbao-ocr): re-reading the same scan costs a hash and a file read.
"""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from ingest.settings import Settings

# Settings chosen by measurement on 2 cores (bench/extract.py): see OcrSettings.
RENDER_DPI = 200            # PDF pages without a text layer are rendered at this resolution
DET_LIMIT_SIDE = 736         # the detector scales an image whose shorter side is below this up to it
DET_MAX_SIDE = 1600         # ... and one whose longer side is above this down to it (the main cost; measured)
REC_BATCH = 6               # recognition batch size (larger batches pad more: slower, measured)
MIN_TEXT_SCORE = 0.2        # readings below this are dropped as noise; above it they are kept and flagged if low
THREADS = 2                 # onnxruntime intra-op threads (the machine has 2 cores)
UNREAD_MARK = "?"           # the text of a table cell that holds ink OCR could not read (flagged, never a value)
CACHE_VERSION = "14"        # bump when the reading of a page changes, so old cache entries are not reused


@dataclass(frozen=True)
class OcrBox:
    """One line of text found on a page image: text as recognised, confidence in [0, 1], box in pixels."""
    text: str
    confidence: float
    box: tuple[float, float, float, float]     # x0, y0, x1, y1


@dataclass(frozen=True)
class OcrSettings:
    dpi: int = RENDER_DPI
    det_limit_side: int = DET_LIMIT_SIDE
    det_max_side: int = DET_MAX_SIDE
    rec_batch: int = REC_BATCH
    threads: int = THREADS

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True) + CACHE_VERSION


_engines: dict[OcrSettings, object] = {}
_engine_lock = threading.Lock()
_run_lock = threading.Lock()       # one OCR at a time per process: two would only fight over the 2 cores


def settings() -> OcrSettings:
    """The settings in force: NIANBAO_OCR_DPI may change the render resolution."""
    dpi = int(Settings.from_env().ocr_dpi or RENDER_DPI)
    return OcrSettings(dpi=dpi)


def engine(s: OcrSettings | None = None):
    """The RapidOCR engine for these settings (built once). Orientation is judged per page, not per line."""
    s = s or settings()
    with _engine_lock:
        if s not in _engines:
            from rapidocr_onnxruntime import RapidOCR
            _engines[s] = RapidOCR(use_cls=False, text_score=MIN_TEXT_SCORE, max_side_len=s.det_max_side,
                                   min_side_len=30, intra_op_num_threads=s.threads, inter_op_num_threads=1,
                                   det_limit_side_len=s.det_limit_side, rec_batch_num=s.rec_batch)
        return _engines[s]


def read_page_image(gray: np.ndarray, s: OcrSettings | None = None) -> list[OcrBox]:
    """Detect and recognise the text lines of a page image (2-D uint8)."""
    eng = engine(s)
    img = np.ascontiguousarray(np.stack([gray] * 3, axis=-1))
    with _run_lock:
        result, _ = eng(img)
    out = []
    for quad, text, score in result or []:
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        text = str(text).strip()
        if text:
            out.append(OcrBox(text, float(score), (float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)))))
    return out


def recognize(crops: list[np.ndarray], s: OcrSettings | None = None) -> list[tuple[str, float]]:
    """Recognise small grey images (one text line each) without detection: (text, confidence) for each."""
    if not crops:
        return []
    eng = engine(s)
    imgs = [np.ascontiguousarray(np.stack([c] * 3, axis=-1)) for c in crops]
    with _run_lock:
        result, _ = eng.text_rec(imgs)
    return [(str(t).strip(), float(c)) for t, c in result]


DIGITS = "0123456789.,-/"   # what a cell of a numeric column may hold


def recognize_digits(crops: list[np.ndarray], s: OcrSettings | None = None) -> list[tuple[str, float]]:
    """Recognise small grey images as numbers only: where the recogniser sees a character (greedy CTC: a run of
    one non-blank label), the most probable of `DIGITS` is taken instead of whatever it saw. The confidence is
    the model's own probability of those digits, so a glyph it took for something else gets a low one."""
    rec = engine(s).text_rec
    decode = rec.postprocess_op
    allowed = [decode.dict[c] for c in DIGITS if c in decode.dict]
    _, img_h, img_w = rec.rec_image_shape
    out = []
    with _run_lock:
        for crop in crops:
            img = np.ascontiguousarray(np.stack([crop] * 3, axis=-1))
            norm = rec.resize_norm_img(img, max(img_w / img_h, crop.shape[1] / crop.shape[0]))
            preds = rec.session(norm[np.newaxis].astype(np.float32))[0][0]
            seen = preds.argmax(axis=1)
            chars, confs = [], []
            t = 0
            while t < len(seen):
                if seen[t] == 0:
                    t += 1
                    continue
                end = t
                while end + 1 < len(seen) and seen[end + 1] == seen[t]:
                    end += 1
                digits = preds[t:end + 1][:, allowed].max(axis=0)
                best = int(digits.argmax())
                chars.append(decode.character[allowed[best]])
                confs.append(float(digits[best]))
                t = end + 1
            out.append(("".join(chars), float(min(confs)) if confs else 0.0))
    return out


# ---------------------------------------------------------------------------------------------------------
# progress: a callback (done, total, page) the CLI bar or the web progress sets around an extraction
Progress = Callable[[int, int, "int | None"], None]
_progress: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("nianbao_ocr_progress", default=None)


@contextlib.contextmanager
def progress(callback: Progress | None) -> Iterator[None]:
    """Within this block, OCR reports each page: callback(pages done, pages to OCR, page number being read
    or None when finished). Per thread/task (a context variable), so web users do not see each other's."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


def report_progress(done: int, total: int, page: int | None) -> None:
    callback = _progress.get()
    if callback is not None:
        callback(done, total, page)


# ---------------------------------------------------------------------------------------------------------
# cache of page readings
def cache_dir() -> Path:
    """Where page readings are cached: NIANBAO_OCR_CACHE, else ~/.cache/nianbao-ocr."""
    configured = Settings.from_env().ocr_cache
    return Path(configured) if configured else Path.home() / ".cache" / "nianbao-ocr"


def image_key(gray: np.ndarray, s: OcrSettings | None = None) -> str:
    """The cache key of a page image: its pixels, its shape and the OCR settings."""
    h = hashlib.sha256()
    h.update(repr(gray.shape).encode())
    h.update(np.ascontiguousarray(gray).tobytes())
    h.update((s or settings()).key().encode())
    return h.hexdigest()


def cache_get(key: str) -> dict | None:
    path = cache_dir() / key[-2:] / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def cache_put(key: str, value: dict) -> None:
    """Store a reading; written to a temporary file and renamed, so a crash never leaves half an entry.
    A cache that cannot be written (read-only home) is skipped: caching only saves time."""
    folder = cache_dir() / key[-2:]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        tmp.replace(folder / f"{key}.json")
    except OSError:
        pass
