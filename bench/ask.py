"""Latency of `ask` offline (no model): p50 / p95 over the dev questions (../shared/eval/questions.jsonl).

    .venv/bin/python bench/ask.py [--data-dir DIR] [--rounds 5] [--embed]

Builds a library from ../shared (seeds + reports) into a temporary folder unless --data-dir names one that
is already filled, answers every question once to warm up (jieba, first SQLite reads), then times
`rounds` passes. Prints per-route and overall figures; with --json, one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
               "GRADIO_ANALYTICS_ENABLED": "False"}.items():
    os.environ.setdefault(_k, _v)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.answer import OFFLINE, answer  # noqa: E402
from assistant.library_ops import ingest_paths, load_questions, shared_dir  # noqa: E402
from vectorstore.library import Library  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="ask 离线延迟基准")
    ap.add_argument("--data-dir")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--embed", action="store_true", help="入库时计算向量（检索走混合检索）")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    shared = shared_dir()
    folder = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    library = Library(folder)
    start = time.perf_counter()
    summary = ingest_paths(library, [shared / "seeds", shared / "reports"], embed=args.embed, progress=False)
    ingest_s = time.perf_counter() - start
    questions = load_questions(shared / "eval" / "questions.jsonl")

    start = time.perf_counter()
    answer(questions[0]["q"], [], library, OFFLINE)
    cold_s = time.perf_counter() - start
    for q in questions[1:]:
        answer(q["q"], [], library, OFFLINE)

    times: list[float] = []
    by_route: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.rounds):
        for q in questions:
            t = time.perf_counter()
            a = answer(q["q"], [], library, OFFLINE)
            dt = time.perf_counter() - t
            times.append(dt)
            by_route[a.route].append(dt)
    result = {"questions": len(questions), "rounds": args.rounds, "reports": len(library.reports()),
              "ingest_failures": [o.message for o in summary.outcomes if not o.ok],
              "ingest_seconds": round(ingest_s, 2), "cold_first_answer_ms": round(cold_s * 1000, 1),
              "p50_ms": round(percentile(times, 50) * 1000, 1), "p95_ms": round(percentile(times, 95) * 1000, 1),
              "mean_ms": round(statistics.mean(times) * 1000, 1), "max_ms": round(max(times) * 1000, 1),
              "per_route": {r: {"n": len(v), "p50_ms": round(percentile(v, 50) * 1000, 1),
                                "p95_ms": round(percentile(v, 95) * 1000, 1)} for r, v in sorted(by_route.items())}}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    print(f"资料库：{result['reports']} 份年报（入库 {result['ingest_seconds']} 秒），问题 {result['questions']} 个 × {args.rounds} 轮")
    for msg in result["ingest_failures"]:
        print(f"  入库失败：{msg}")
    print(f"首个问题（冷启动）：{result['cold_first_answer_ms']} ms")
    print(f"离线回答：p50 {result['p50_ms']} ms，p95 {result['p95_ms']} ms，平均 {result['mean_ms']} ms，最长 {result['max_ms']} ms")
    for r, v in result["per_route"].items():
        print(f"  {r}：{v['n']} 次，p50 {v['p50_ms']} ms，p95 {v['p95_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
