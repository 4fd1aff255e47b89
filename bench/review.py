"""Benchmark of the region review (年报体检, issue 13): time to review a group of N units, and to write the
通报 DOCX and the 问题清单 XLSX.

Generates N synthetic units (bench/ingest.py's report generator: the 2021 template with consistent figures),
each with its report for year Y and, for a share of units (--previous-share, default all: the worst case,
every unit's cross-year rules are recomputed), its report for Y−1. All are stored in one group through the
real pipeline (extract → check → store; no vectors: the review does not need them). Then it times
`review_group` (stored findings reused, cross-year rules recomputed against Y−1) and the exports.

With --rubric (issue 26) it also times `score_group` by that rubric (the licheng_district example has every
kind of test, including copying across every report of the year and the 整改 checklist against Y−1), the
score XLSX and the 通报 with its scoring section. A share of units (--copied-share) copy another unit's
report word for word (its name changed), so the copying search has something to find; the figures go to
bench/out/review_scoring.json.

    .venv/bin/python bench/review.py --sizes 30 300 1000 --rubric licheng_district
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if sys.modules.get("ingest") is not None and not hasattr(sys.modules["ingest"], "__path__"):
    del sys.modules["ingest"]

from assistant.library_ops import default_checker, default_extractor, ingest_file  # noqa: E402
from assistant.review.notice import notice_docx, problem_list_xlsx  # noqa: E402
from assistant.review.region import review_group  # noqa: E402
from bench.ingest import generate_report, make_agencies  # noqa: E402
from vectorstore.library import Library  # noqa: E402

GROUP = "基准区"
YEAR = 2023
# phrases from which each unit's own sentences are drawn (the template's prose is the same for every unit:
# common phrasing, never copying; these make a copied report recognisable)
OWN_PHRASES = ("围绕优化营商环境", "聚焦群众办事堵点", "依托一网通办平台", "结合乡村振兴工作", "针对企业反映集中的问题",
               "按照清单化管理要求", "通过政务新媒体矩阵", "在政策解读专栏中", "以基层政务公开标准化为抓手",
               "会同数据管理部门", "对照年度工作要点", "利用线下政务公开专区", "采取图解和短视频形式",
               "组织业务骨干逐条梳理", "建立月调度季通报机制", "开展政府开放日活动")


def own_sentences(rng: random.Random) -> str:
    """Three sentences of a unit's own words (random phrase combinations: no two units alike)."""
    return "".join("，".join(rng.sample(OWN_PHRASES, 4)) + "，扎实推进本单位政务公开各项工作落地见效。" for _ in range(3))


def build_library(folder: Path, n: int, previous_share: float, seed: int,
                  copied_share: float = 0.0) -> tuple[Library, int, float]:
    """N units in GROUP for YEAR (and YEAR−1 for a share of them); returns the library, reports stored, seconds."""
    rng = random.Random(seed)
    files = folder / "files"
    files.mkdir(parents=True)
    library = Library(folder / "data")
    extract, check = default_extractor(), default_checker()
    started = time.perf_counter()
    stored = 0
    agencies = make_agencies(rng, n)
    copiers = set(range(n - round(n * copied_share), n)) if copied_share else set()
    texts: dict[int, str] = {}
    for i, agency in enumerate(agencies):
        years = [YEAR - 1, YEAR] if i < round(n * previous_share) else [YEAR]
        for year in years:                       # the earlier year first: the later is checked against it
            text, _ = generate_report(rng, agency, year)
            if copied_share:
                text = text.replace("一、总体情况\n", "一、总体情况\n" + own_sentences(rng) + "\n", 1)
            if year == YEAR and i in copiers and texts:          # copy an earlier unit's report, name changed
                j = rng.choice(sorted(texts))
                text = texts[j].replace(agencies[j].full, agency.full).replace(agencies[j].short, agency.short)
            elif year == YEAR:
                texts[i] = text
            path = files / f"u{i:05d}_{year}.txt"
            path.write_text(text, encoding="utf-8")
            outcome = ingest_file(library, path, f"files/{path.name}", extract, check, GROUP)
            stored += outcome.status in ("added", "replaced")
    return library, stored, time.perf_counter() - started


def measure(n: int, previous_share: float, seed: int, keep: bool, rubric: str | None = None,
            copied_share: float = 0.0) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"nianbao-review-{n}-"))
    try:
        library, stored, setup = build_library(folder, n, previous_share, seed, copied_share)
        started = time.perf_counter()
        review = review_group(library, GROUP, YEAR)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        docx = notice_docx(review)
        docx_s = time.perf_counter() - started
        started = time.perf_counter()
        xlsx = problem_list_xlsx(review)
        xlsx_s = time.perf_counter() - started
        scoring = score_figures(library, review, rubric) if rubric else {}
        return {"units": len(review.units), "reports_stored": stored, "setup_s": round(setup, 1),
                "review_s": round(seconds, 2), "per_unit_ms": round(1000 * seconds / max(1, len(review.units)), 1),
                "cross_year_recomputed": review.recomputed, "problem_types": len(review.problems),
                "findings": sum(len(u.findings) for u in review.units),
                "notice_docx_s": round(docx_s, 2), "notice_docx_kb": len(docx) // 1024,
                "xlsx_s": round(xlsx_s, 2), "xlsx_kb": len(xlsx) // 1024,
                **scoring, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def score_figures(library, review, rubric_key: str) -> dict:
    """Time scoring by a rubric: the copy index over the year, the scores, the XLSX, the 通报 with its section."""
    from assistant.review.copying import year_index
    from assistant.review.rubric import find_rubric
    from assistant.review.scoring import score_group, score_xlsx
    rubric = find_rubric(rubric_key)
    started = time.perf_counter()
    copies = year_index(library, YEAR)
    index_s = time.perf_counter() - started
    started = time.perf_counter()
    score = score_group(library, GROUP, YEAR, rubric, review=review, copies=copies)
    score_s = time.perf_counter() - started
    started = time.perf_counter()
    xlsx = score_xlsx(score)
    xlsx_s = time.perf_counter() - started
    started = time.perf_counter()
    docx = notice_docx(review, score)
    docx_s = time.perf_counter() - started
    copying = sum(any(i.item.test == "same_as_other_unit" and i.points for i in u.items) for u in score.units)
    return {"rubric": rubric_key, "copy_index_s": round(index_s, 2), "score_s": round(score_s, 2),
            "score_per_unit_ms": round(1000 * score_s / max(1, len(score.units)), 1),
            "units_found_copying": copying, "deductions": sum(len(u.deductions) for u in score.units),
            "held": sum(u.held_count for u in score.units), "score_xlsx_s": round(xlsx_s, 2),
            "score_xlsx_kb": len(xlsx) // 1024, "notice_with_score_s": round(docx_s, 2)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[30, 300, 1000])
    p.add_argument("--previous-share", type=float, default=1.0, help="share of units with a Y−1 report (default 1)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--keep", action="store_true", help="keep the generated data folders")
    p.add_argument("--rubric", help="also score by this rubric (issue 26), e.g. licheng_district")
    p.add_argument("--copied-share", type=float, default=0.02, help="share of units copying another's report")
    p.add_argument("--out", default=str(_HERE / "out" / "review_scoring.json"), help="with --rubric: figures file")
    args = p.parse_args(argv)
    rows = []
    for n in args.sizes:
        row = {"size": n, **measure(n, args.previous_share, args.seed, args.keep, args.rubric,
                                    args.copied_share if args.rubric else 0.0)}
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    if args.rubric:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
