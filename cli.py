"""`nianbao`: the command line, a thin layer over the library.

Each subcommand is one `cmd_*` function registered in `build_parser`; the work happens in
ingest/, vectorstore/ and assistant/. Exit code 2 means the input could not be read.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
               "ANONYMIZED_TELEMETRY": "False"}.items():
    os.environ.setdefault(_k, _v)


# argparse's own words in Chinese (usage, headings, errors); argparse looks `_` up at call time.
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "expected one argument": "需要一个参数值",
    "expected at least one argument": "至少需要一个参数值",
    "expected at most one argument": "至多一个参数值",
    "ambiguous option: %(option)s could match %(matches)s": "选项不明确：%(option)s 可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 至少需要一个",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的子命令 %(parser_name)r（可选：%(choices)s）",
}


def _zh(message: str) -> str:
    return ARGPARSE_ZH.get(message, message)


argparse._ = _zh


def _print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=1))


@contextlib.contextmanager
def _ocr_bar(enabled: bool = True):
    """A progress bar of scanned pages while OCR runs (shown only when a file has pages without text)."""
    from tqdm import tqdm
    from ingest.loaders.ocr import progress
    bars: list = []

    def update(done: int, total: int, page: int | None) -> None:
        if done == 0 and bars:
            bars.pop().close()
        if not bars:
            bars.append(tqdm(total=total, desc="识别扫描页", unit="页", file=sys.stderr, leave=False,
                             disable=None, dynamic_ncols=True))
        bars[0].n = done
        bars[0].set_postfix_str(f"第{page}页" if page else "完成")
    with progress(update if enabled else None):
        yield
    for bar in bars:
        bar.close()


def _fail(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return 2


# -- extract --------------------------------------------------------------------------------------
def cmd_extract(args) -> int:
    from ingest.errors import ExtractError
    from ingest.extract import extract
    from ingest.summary import summarize
    try:
        with _ocr_bar():
            report = extract(args.file)
        if args.debug:
            from ingest.debug import debug_pdf
            if not str(args.file).lower().endswith(".pdf"):
                return _fail("--debug 只用于 PDF：它把每页画成图片，标出读到的表格单元格和去掉的页眉页脚。")
            out = args.debug_dir or f"{Path(args.file).stem}-debug"
            files = debug_pdf(args.file, out)
            print(f"已写出 {len(files)} 张页面图（蓝框：表格单元格；绿框：读入标准表格的单元格及其行列；"
                  f"红框：去掉的页眉页脚）：{out}", file=sys.stderr)
    except ExtractError as e:
        return _fail(e.message)
    if args.json:
        _print_json(report.to_json())
    else:
        print(summarize(report))
    return 0


# -- check ----------------------------------------------------------------------------------------
def cmd_check(args) -> int:
    """Validate one or more reports; the earlier of two consecutive years of one unit is the later's `previous`."""
    from ingest.errors import ExtractError
    from ingest.extract import extract
    from assistant.validator import check_report, pair_previous, render_findings, same_unit
    reports, failed = [], False
    for path in args.files:
        try:
            reports.append(extract(path))
        except ExtractError as e:
            print(f"错误：{path}：{e.message}", file=sys.stderr)
            failed = True
    given_previous = None
    if args.previous:
        try:
            given_previous = extract(args.previous)
        except ExtractError as e:
            print(f"错误：{args.previous}：{e.message}", file=sys.stderr)
            failed = True
    paired = pair_previous(reports)
    results = []
    for i, report in enumerate(reports):
        previous = paired.get(i)
        if previous is None and given_previous is not None and report.year is not None \
                and given_previous.year == report.year - 1 and (len(reports) == 1 or same_unit(report, given_previous)):
            previous = given_previous
        others = [r for r in reports if r is not report]
        from ingest.glued_evidence import settle_with_previous
        settle_with_previous(report, previous)        # glued 表二 rows the previous year's 现行有效 settles
        results.append((report, previous, check_report(report, previous, others=others)))
    if args.json:
        out = [{"file": r.file, "agency": r.agency, "year": r.year, "findings": [f.to_json() for f in fs]}
               for r, _, fs in results]
        if out:
            _print_json(out[0] if len(out) == 1 and len(args.files) == 1 else out)
    else:
        for n, (report, previous, findings) in enumerate(results):
            if n:
                print("\n" + "=" * 60 + "\n")
            if previous is not None:
                print(f"（已与上年报告对照：{previous.label}，{previous.file}）")
            print(render_findings(report, findings))
    return 2 if failed else 0


# -- review / diff (issue 13) -----------------------------------------------------------------------
def _write_file(path: str, data: bytes) -> str | None:
    """Write an export; a Chinese error message when it cannot be written."""
    from pathlib import Path
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(data)
    except OSError as e:
        return f"无法写入 {path}：{e.strerror or e}"
    return None


def cmd_review(args) -> int:
    """年报体检: every stored report of a group and year; the 通报 draft (DOCX) and the 问题清单 (XLSX)."""
    from assistant.review.notice import notice_docx, problem_list_xlsx
    from assistant.review.region import render_review, review_group
    try:
        library = _open_library(args)
        review = review_group(library, args.group, args.year)
        score = _score(library, args, review) if getattr(args, "rubric", None) else None     # issue 26
    except _library_errors() as e:
        return _fail(e.message)
    for path, make, what in ((args.out, lambda r: notice_docx(r, score), "通报（DOCX）"),
                             (args.xlsx, problem_list_xlsx, "问题清单（XLSX）")):
        if path:
            error = _write_file(path, make(review))
            if error:
                return _fail(error)
            print(f"已生成{what}：{path}", file=sys.stderr)
    if score is not None and getattr(args, "score_xlsx", None):
        from assistant.review.scoring import score_xlsx
        error = _write_file(args.score_xlsx, score_xlsx(score))
        if error:
            return _fail(error)
        print(f"已生成评分表（XLSX）：{args.score_xlsx}", file=sys.stderr)
    if args.json:
        _print_json({**review.to_json(), "score": score.to_json()} if score is not None else review.to_json())
    else:
        print(render_review(review))
        if score is not None:
            from assistant.review.scoring import render_score
            print("\n" + render_score(score))
    return 0


# -- scoring by a rubric (issue 26) -------------------------------------------------------------------
def _score(library, args, review=None):
    """Score a group's review by the rubric named in --rubric (or the one meant for the group and year)."""
    from assistant.review.rubric import RubricError, default_rubric, find_rubric
    from assistant.review.scoring import score_group
    if getattr(args, "rubric", None):
        rubric = find_rubric(args.rubric, library.data_dir)
    else:
        rubric = default_rubric(args.group, args.year, library.data_dir)
        if rubric is None:
            raise RubricError("没有适用于该分组和年度的评分细则，请用 --rubric 指定（nianbao score --rubrics 列出可用的）。")
    return score_group(library, args.group, args.year, rubric, review=review)


def cmd_score(args) -> int:
    """`nianbao score`: every unit of a group and year scored by a rubric, ranked, each deduction with its
    evidence; --confirm counts a held deduction; --xlsx writes the scores and deductions."""
    from assistant.review.rubric import TESTS, available_rubrics, find_rubric
    from assistant.review.scoring import render_score, score_xlsx
    from assistant.review.notice import notice_docx
    try:
        library = _open_library(args)
        if args.rubrics:
            for r in available_rubrics(library.data_dir):
                print(f"{r.key}\t{r.name}（满分{r.full_marks:g}分，{len(r.items)}个条目）\t依据：{r.source}")
            return 0
        if args.check_rubric:
            r = find_rubric(args.check_rubric, library.data_dir)
            print(f"评分细则“{r.name}”可以使用：{len(r.items)}个条目，满分{r.full_marks:g}分。")
            for it in r.items:
                print(f"- {it.id} {it.title}（{it.points:g}分）：{TESTS[it.test].name}；{it.rule.describe(TESTS[it.test].quantity)}")
            return 0
        if not args.group or args.year is None:
            return _fail("请用 --group 和 --year 指定要评分的分组和年度（或用 --rubrics 列出评分细则）。")
        score = _score(library, args)
        if args.confirm:
            from assistant.review.scoring import held_key
            held = {held_key(u, it, o) for u in score.units for it in u.items for o in it.occurrences if o.held}
            for key in args.confirm:
                if key not in held:
                    return _fail(f"“{key}”不是本次评分中待确认的扣分（编号形如 报告编号/条目编号/序号，见评分明细中的“确认”）。")
                report_id, item, occurrence = key.split("/")
                done = _confirm(library, report_id, item, occurrence)
                library.audit.record(_cli_user(), "score_confirm", target=report_id, detail=f"{item}/{occurrence}",
                                     channel="cli")
                print(("已确认扣分：" if done else "此前已确认：") + key, file=sys.stderr)
            score = _score(library, args)
    except _library_errors() as e:
        return _fail(e.message)
    for path, data, what in ((args.xlsx, lambda: score_xlsx(score), "评分表（XLSX）"),
                             (args.out, lambda: notice_docx(score.review, score), "通报（DOCX）")):
        if path:
            error = _write_file(path, data())
            if error:
                return _fail(error)
            print(f"已生成{what}：{path}", file=sys.stderr)
    if args.json:
        _print_json(score.to_json())
    else:
        print(render_score(score))
    return 0


def _confirm(library, report_id: str, item: str, occurrence: str) -> bool:
    from assistant.review.scoring import confirm_held
    return confirm_held(library, report_id, item, occurrence, _cli_user())


def cmd_diff(args) -> int:
    """与上年比对: two reports (files or library reports), cell by cell and sentence by sentence."""
    from pathlib import Path
    from assistant.review.diff import diff_reports, render_diff, report_from_ref
    from assistant.review.diff_export import diff_docx
    try:
        library = None
        if not all(Path(r).is_file() for r in (args.a, args.b)):
            library = _open_library(args)
        a, b = report_from_ref(args.a, library), report_from_ref(args.b, library)
    except _library_errors() as e:
        return _fail(e.message)
    diff = diff_reports(a, b)
    if args.out:
        error = _write_file(args.out, diff_docx(diff))
        if error:
            return _fail(error)
        print(f"已生成比对（DOCX）：{args.out}", file=sys.stderr)
    if args.json:
        _print_json(diff.to_json())
    else:
        print(render_diff(diff, all_cells=args.all_cells))
    return 0


def cmd_group(args) -> int:
    """Put stored reports in a group (地区或分组), or list the groups."""
    try:
        library = _open_library(args)
        if not args.refs:
            for g, n in library.facts.groups():
                print(f"{g}\t{n} 份")
            return 0
        records = []
        for ref in args.refs:
            record = library.resolve(ref)
            if record is None:
                return _fail(f"资料库中没有找到“{ref}”。可用 nianbao list 查看已入库的报告及其编号。")
            records.append(record)
    except _library_errors() as e:
        return _fail(e.message)
    library.set_group([r.id for r in records], args.name)
    for r in records:
        print(f"已设置分组“{args.name}”：{r.file}（{r.agency or '未识别单位'} {r.year or ''}年）")
    return 0


# -- library: ingest / list / remove / search / eval ------------------------------------------------
def _library_errors() -> tuple:
    """Errors of the library (data folder, Chroma, embedding model) that carry a Chinese message."""
    from ingest.errors import UserError
    return (UserError,)


def _open_library(args):
    from vectorstore.library import Library
    return Library(args.data_dir)


def cmd_ingest(args) -> int:
    """Store reports (files or folders, recursively) in the library: extract → check → store → embed."""
    from tqdm import tqdm
    from assistant.library_ops import ingest_paths
    try:
        library = _open_library(args)
    except _library_errors() as e:
        return _fail(e.message)

    def show(outcome):
        tqdm.write(outcome.message if outcome.ok else f"失败：{outcome.message}",
                   file=sys.stdout if outcome.ok else sys.stderr)

    with _ocr_bar(not args.quiet):
        summary = ingest_paths(library, args.paths, embed=not args.no_embed, progress=not args.quiet,
                               on_outcome=None if args.json else show, group=args.group,
                               group_by_folder=args.group_by_folder)
    if args.json:
        _print_json({"files": [o.to_json() for o in summary.outcomes], "embedded": summary.embedded,
                     "embed_error": summary.embed_error, "pending_vectors": library.pending()})
    else:
        print(summary.describe())
    return 2 if summary.failed else 0


def cmd_list(args) -> int:
    """One line per stored report."""
    library = _open_library(args)
    records = library.reports(editions=True)
    if args.json:
        _print_json([r.to_json() for r in records])
        return 0
    if not records:
        print("资料库为空。用 nianbao ingest 文件或文件夹 添加年报。")
        return 0
    print("编号\t文件\t单位\t年度\t格式\t页数\t错误\t警告\t片段（待向量化）\t分组")
    for r in records:
        edition = "（另一版本在用，未用于问答）" if r.edition_of else ""
        print(f"{r.id}\t{r.file}{edition}\t{r.agency or '未识别'}\t{r.year or '—'}\t{r.format or '—'}\t"
              f"{r.pages or '—'}\t{r.n_errors}\t{r.n_warnings}\t{r.n_chunks}（{r.n_pending}）\t{r.group or '—'}")
    editions = sum(1 for r in records if r.edition_of)
    print(f"共 {len(records)} 份报告" + (f"，其中 {editions} 份是同一年报的另一版本" if editions else "") + "。")
    return 0


def cmd_remove(args) -> int:
    try:
        library = _open_library(args)
        from assistant.library_ops import remove_report
        removed = [remove_report(library, ref) for ref in args.refs]
    except _library_errors() as e:
        return _fail(e.message)
    for r in removed:
        print(f"已删除：{r.file}（{r.agency or '未识别单位'} {r.year or ''}年，编号 {r.id}）")
    return 0


def _print_hits(query: str, hits) -> None:
    if not hits:
        print(f"没有找到与“{query}”相关的内容。")
        return
    for i, h in enumerate(hits, 1):
        where = f"第{h.page}页" if h.page else (f"第{h.line}行" if h.line else "")
        print(f"[{i}] {h.file} {where}｜{h.agency or ''} {h.year or ''}年｜{h.section_path}｜得分 {h.score:.4f}")
        print(h.text)
        print()


def cmd_search(args) -> int:
    """Hybrid search (BM25 + vectors, RRF) with agency/year/section filters; --batch for a JSONL of questions."""
    if not args.query and not args.batch:
        return _fail("请给出要检索的问题，或用 --batch 指定问题文件（JSONL，每行 {\"id\", \"q\"}）。")
    from assistant.retrieve import retrieve
    try:
        library = _open_library(args)
        if args.batch:
            try:
                with open(args.batch, encoding="utf-8") as f:
                    items = [json.loads(line) for line in f if line.strip()]
            except (OSError, ValueError) as e:
                return _fail(f"无法读取问题文件 {args.batch}：{e}")
            for item in items:
                hits = retrieve(library, item["q"], k=args.k, agency=args.agency, year=args.year, section=args.section)
                print(json.dumps({"id": item.get("id"), "hits": [h.to_json() for h in hits]}, ensure_ascii=False),
                      flush=True)
            return 0
        hits = retrieve(library, args.query, k=args.k, agency=args.agency, year=args.year, section=args.section)
    except _library_errors() as e:
        return _fail(e.message)
    if args.json:
        _print_json({"query": args.query, "hits": [h.to_json() for h in hits]})
    else:
        _print_hits(args.query, hits)
    return 0


def cmd_eval(args) -> int:
    """`nianbao eval retrieval`: ingest ../shared into a data folder and score recall@k on eval/questions.jsonl."""
    if args.what == "findings":
        return cmd_eval_findings(args)
    if args.what == "qa":
        return cmd_eval_qa(args)
    from assistant.qa_eval import run_retrieval_eval
    try:
        result, summary = run_retrieval_eval(args.data_dir, args.shared, args.questions, k=args.k,
                                             embed=not args.no_embed, progress=not args.quiet)
    except _library_errors() as e:
        return _fail(e.message)
    failed = [o.message for o in summary.outcomes if not o.ok]
    if args.json:
        _print_json({key: result[key] for key in ("k", "questions", "recall", "per_type", "misses", "data_dir")}
                    | {"ingest_failures": failed})
        return 0
    for message in failed:
        print(f"入库失败：{message}", file=sys.stderr)
    print(f"检索评测（recall@{result['k']}，{result['questions']} 个有出处的问题，数据目录 {result['data_dir']}）")
    print(f"总体：{result['recall']:.3f}")
    for kind, v in result["per_type"].items():
        print(f"  {kind}：{v['recall']:.3f}（{v['questions']} 题）")
    for m in result["misses"]:
        print(f"未命中 {m['id']}：{m['q']}  缺少 {', '.join(m['missing'])}")
    return 0


# -- ask / chat / eval qa ---------------------------------------------------------------------------
def _model_for(args):
    """OFFLINE when --offline is given, else None (the model configured by NIANBAO_LLM_*, if any)."""
    from assistant.answer import OFFLINE
    return OFFLINE if getattr(args, "offline", False) else None


def _stream_to_terminal(items, out=None):
    """Print an answer as it streams (cumulative texts, then the Answer); returns the Answer."""
    from assistant.answer import Answer
    out = out or sys.stdout
    shown, final = "", None
    for item in items:
        if isinstance(item, Answer):
            final = item
            break
        if item.startswith(shown):
            out.write(item[len(shown):])
            out.flush()
            shown = item
    if final is not None:
        if final.text.startswith(shown):
            out.write(final.text[len(shown):])
        else:
            out.write("\n\n（以下为核对数字后的完整回答）\n" + final.text)
    out.write("\n")
    out.flush()
    return final


def cmd_ask(args) -> int:
    """Answer one question (or a JSONL batch) from the library; --json for {"answer", "citations", …}."""
    from assistant.answer import answer, stream_answer
    if not args.question and not args.batch:
        return _fail("请给出问题，或用 --batch 指定问题文件（JSONL，每行 {\"id\", \"q\"}）。")
    try:
        library = _open_library(args)
    except _library_errors() as e:
        return _fail(e.message)
    llm = _model_for(args)
    if args.batch:
        try:
            with open(args.batch, encoding="utf-8") as f:
                items = [json.loads(line) for line in f if line.strip()]
        except (OSError, ValueError) as e:
            return _fail(f"无法读取问题文件 {args.batch}：{e}")
        for n, item in enumerate(items, 1):
            qid = item.get("id", str(n))
            result = answer(item.get("q", ""), [], library, llm)
            if args.json:
                print(json.dumps(result.to_json(qid), ensure_ascii=False), flush=True)
            else:
                print(f"【{qid}】{item.get('q', '')}\n{result.text}\n", flush=True)
        return 0
    if args.json:
        _print_json(answer(args.question, [], library, llm).to_json())
        return 0
    _stream_to_terminal(stream_answer(args.question, [], library, llm))
    return 0


EXIT_WORDS = {"退出", "exit", "quit", "再见"}


def cmd_chat(args) -> int:
    """A terminal conversation: one question per line until EOF or “退出”; follow-ups use earlier turns."""
    from assistant.answer import library_summary, stream_answer
    from assistant.llm import describe_llm
    try:
        library = _open_library(args)
    except _library_errors() as e:
        return _fail(e.message)
    llm = _model_for(args)
    interactive = sys.stdin.isatty()
    print("年报助手（输入问题后回车；输入“退出”结束，输入“新话题”清除上下文）")
    print("未使用大模型（--offline）" if args.offline else describe_llm())
    print(library_summary(library))
    history = []
    while True:
        if interactive:
            print("\n问：", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            break
        question = line.strip()
        if not question:
            continue
        if question in EXIT_WORDS:
            break
        if question == "新话题":
            history = []
            print("已清除上下文。")
            continue
        if not interactive:
            print(f"\n问：{question}")
        print("答：", end="", flush=True)
        final = _stream_to_terminal(stream_answer(question, history, library, llm))
        if final is not None:
            history.append(final)
    return 0


def cmd_eval_findings(args) -> int:
    """`nianbao eval findings`: check the reports of shared/eval/expected_findings.json and score the findings
    (precision of the error findings, recall of the error-level problems), per report and overall."""
    from assistant.validator.evaluate import render, run_findings_eval
    from assistant.library_ops import shared_dir
    shared = Path(args.shared) if args.shared else shared_dir()
    key = Path(args.questions) if args.questions else shared / "eval" / "expected_findings.json"
    if not key.is_file():
        return _fail(f"找不到答案文件：{key}")
    scores, summary = run_findings_eval(shared, key)
    if args.json:
        _print_json({"summary": summary, "reports": [s.to_json() for s in scores]})
    else:
        print(render(scores, summary))
    return 0


def cmd_eval_qa(args) -> int:
    """`nianbao eval qa`: ingest ../shared into a data folder and score the answers offline."""
    from assistant.qa_eval import run_qa_eval
    try:
        result, summary = run_qa_eval(args.data_dir, args.shared, args.questions, embed=not args.no_embed,
                                      progress=not args.quiet)
    except _library_errors() as e:
        return _fail(e.message)
    failed = [o.message for o in summary.outcomes if not o.ok]
    if args.json:
        _print_json({k: result[k] for k in ("questions", "scored_rate", "scored_questions", "per_type", "failures",
                                             "data_dir", "seconds_total")} | {"ingest_failures": failed})
        return 0
    for message in failed:
        print(f"入库失败：{message}", file=sys.stderr)
    print(f"问答评测（离线，{result['questions']} 题，数据目录 {result['data_dir']}）")
    print(f"事实、比较、同比、核对类：{result['scored_rate']:.1%}（{result['scored_questions']} 题）")
    for kind, v in result["per_type"].items():
        print(f"  {kind}：{v['passed']}/{v['questions']}（{v['rate']:.1%}）")
    for d in result["failures"]:
        reasons = [f"缺数字 {', '.join(d['missing_numbers'])}" if d["missing_numbers"] else "",
                   f"缺出处 {', '.join(d['missing_cites'])}" if d["missing_cites"] else "",
                   f"缺词 {', '.join(d['missing_words'])}" if d["missing_words"] else "",
                   f"无依据的数字 {', '.join(d['invented_numbers'])}" if d["invented_numbers"] else ""]
        print(f"未通过 {d['id']}（{d['type']}，{d['route']}）：{d['q']}  " + "；".join(r for r in reasons if r))
    print(f"回答用时合计 {result['seconds_total']:.2f} 秒")
    return 0


# -- accounts and audit -----------------------------------------------------------------------------
def _cli_user() -> str:
    """Who ran the command, for the audit log (the operating-system account)."""
    import getpass
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:       # no passwd entry for the uid
        return f"cli:uid{os.getuid()}"


def _read_password(args, confirm: bool = True) -> str:
    """The password from standard input (--password-stdin: its first line) or typed twice at a prompt."""
    import getpass
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if confirm and getpass.getpass("再输入一次：") != first:
        from vectorstore.accounts import AccountError
        raise AccountError("两次输入的密码不一致。")
    return first


def cmd_user(args) -> int:
    """`nianbao user add|passwd|role|remove|unlock|list`: accounts of the web app (vectorstore.accounts)."""
    from vectorstore.accounts import ROLE_LABELS
    try:
        library = _open_library(args)
        accounts, audit, me = library.accounts, library.audit, _cli_user()
        if args.user_command == "list":
            users = accounts.users()
            if args.json:
                _print_json([u.to_json() for u in users])
            elif not users:
                print("还没有账号：网页在本机（127.0.0.1）以单机模式运行。添加账号后须登录。")
            else:
                for u in users:
                    print(f"{u.name}\t{u.role}（{ROLE_LABELS[u.role]}）\t创建于 {u.created_at}")
            return 0
        name = args.name
        try:
            if args.user_command == "add":
                account = accounts.add(name, args.role, _read_password(args))
                print(f"已添加账号“{account.name}”（{ROLE_LABELS[account.role]}）。正在运行的网页服务需重启后才要求登录。")
                audit.record(me, "user_add", target=account.name, detail=account.role, channel="cli")
            elif args.user_command == "passwd":
                accounts.set_password(name, _read_password(args))
                print(f"已修改“{name}”的密码。")
                audit.record(me, "user_passwd", target=name, channel="cli")
            elif args.user_command == "role":
                accounts.set_role(name, args.role)
                print(f"已把“{name}”的角色改为 {args.role}（{ROLE_LABELS[args.role]}）。")
                audit.record(me, "user_role", target=name, detail=args.role, channel="cli")
            elif args.user_command == "remove":
                accounts.remove(name)
                print(f"已删除账号“{name}”。")
                audit.record(me, "user_remove", target=name, channel="cli")
            elif args.user_command == "unlock":
                from assistant.access import unlock
                unlock(audit, name, me)
                print(f"已解除“{name}”的登录暂停（所有来源地址）。")
        except _library_errors() as e:
            audit.record(me, f"user_{args.user_command}", target=name, detail=e.message, ok=False, channel="cli")
            raise
    except _library_errors() as e:
        return _fail(e.message)
    return 0


# -- corrections (核对与校正) ---------------------------------------------------------------------------
def cmd_pending(args) -> int:
    """`nianbao pending`: every unread or unsure cell of the reports in use, by group and unit."""
    from assistant.corrections import pending_items, render_pending
    try:
        items = pending_items(_open_library(args), group=args.group)
    except _library_errors() as e:
        return _fail(e.message)
    if args.json:
        _print_json([i.to_json() for i in items])
    else:
        print(render_pending(items))
    return 0


def cmd_correct(args) -> int:
    """`nianbao correct REPORT CELL VALUE --note …` or `--import corrections.csv`: the official's corrections,
    as a layer over the reading (the command line runs as an administrator; the audit log names the user)."""
    from assistant.access import Caller
    from assistant.corrections import correct_cell, import_corrections
    from ingest.errors import UserError
    caller = Caller(args.by or _cli_user(), "admin")
    try:
        library = _open_library(args)
        if args.import_csv:
            if args.report or args.cell or args.value:
                return _fail("用 --import 时不要再写报告、单元格和数值。")
            done, failed = import_corrections(library, caller, args.import_csv, confirm=args.confirm, channel="cli")
            for outcome in done:
                print(outcome.message)
            for line in failed:
                print(f"未校正：{line}", file=sys.stderr)
            print(f"共校正 {len(done)} 处，未校正 {len(failed)} 处。")
            return 2 if failed else 0
        if not (args.report and args.cell and args.value is not None):
            return _fail("请写明报告、单元格和数值，如：nianbao correct 文件名或编号 table3.new_received.total 12 "
                         "--note 依据原件第3页；或用 --import 校正文件.csv。")
        outcome = correct_cell(library, caller, args.report, args.cell, args.value, args.note or "",
                               confirm=args.confirm, channel="cli")
    except UserError as e:
        return _fail(e.message)
    print(outcome.message)
    return 0


def cmd_audit(args) -> int:
    """`nianbao audit`: the audit log, newest first."""
    from assistant.access import audit_row
    try:
        entries = _open_library(args).audit.entries(args.limit, user=args.user, action=args.action)
    except _library_errors() as e:
        return _fail(e.message)
    if args.json:
        _print_json([e.to_json() for e in entries])
        return 0
    for e in entries:
        seq, at, user, role, action, target, detail, ok, channel, client = audit_row(e)
        print("\t".join([str(seq), at, user, role or "-", action, ok, target, detail, channel, client]))
    if not entries:
        print("审计日志为空。")
    return 0


# -- the season: roster, board, harvest (issue 25) ------------------------------------------------------
def cmd_roster(args) -> int:
    """`nianbao roster import|export|list|assign`: the 名册 of the units the office oversees."""
    from assistant.access import Caller
    from assistant.season import assign_report, import_roster, roster_store
    from assistant.season.roster import render_roster, write_roster
    caller = Caller(_cli_user(), "admin")
    try:
        library = _open_library(args)
        if args.roster_command == "import":
            print(import_roster(library, caller, args.file, merge=args.merge, channel="cli"))
        elif args.roster_command == "export":
            units = roster_store(library).units(args.group)
            write_roster(units, args.file)
            print(f"已导出名册 {len(units)} 个单位：{args.file}")
        elif args.roster_command == "assign":
            print(assign_report(library, caller, args.report, args.unit, channel="cli"))
        else:
            units = roster_store(library).units(args.group)
            if args.json:
                _print_json([u.to_json() for u in units])
            else:
                print(render_roster(units))
    except _library_errors() as e:
        return _fail(e.message)
    return 0


def _today(args):
    from datetime import date
    if getattr(args, "today", None):
        try:
            return date.fromisoformat(args.today)
        except ValueError:
            raise SystemExit(_fail(f"--today 应写作 2026-02-15：{args.today}"))
    return None


def cmd_season(args) -> int:
    """`nianbao season --year Y`: the board of who published the year's report, when, and what awaits."""
    from assistant.season.board import LATE, MISSING, board_totals, board_xlsx, render_board, season_board
    try:
        library = _open_library(args)
        board = season_board(library, args.year, group=args.group, today=_today(args))
        totals = board_totals(board, library.facts.report_object)
    except _library_errors() as e:
        return _fail(e.message)
    if args.xlsx:
        error = _write_file(args.xlsx, board_xlsx(board))
        if error:
            return _fail(error)
        print(f"已生成发布情况表（XLSX）：{args.xlsx}", file=sys.stderr)
    if args.json:
        _print_json({**board.to_json(), "totals": [t.to_json() for t in totals]})
    else:
        print(render_board(board, {"late": LATE, "missing": MISSING}.get(args.only)))
        for t in totals if args.only is None else ():
            print("\n" + t.markdown())
    return 0


def cmd_harvest(args) -> int:
    """`nianbao harvest --year Y [--group G]`: fetch each roster unit's report from its list page and ingest it."""
    from assistant.access import Caller
    from assistant.season.harvest import HarvestSettings, harvest
    try:
        library = _open_library(args)
        settings = HarvestSettings.from_env(rate_seconds=args.rate, proxy=args.proxy)
        quiet = args.quiet or args.json
        summary = harvest(library, Caller(_cli_user(), "admin"), args.year, args.group, settings, channel="cli",
                          on_progress=None if quiet else
                          lambda o: print(f"{o.unit}：{o.message}", file=sys.stderr, flush=True))
    except _library_errors() as e:
        return _fail(e.message)
    if args.json:
        _print_json(summary.to_json())
    else:
        print(summary.describe())
    return 2 if summary.count("failed") else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nianbao", description="政府信息公开工作年度报告助手")
    p.add_argument("--data-dir", dest="global_data_dir", metavar="DIR",
                   help="数据目录，可写在子命令之前或之后（默认取环境变量 NIANBAO_DATA_DIR，否则 ./data）")
    sub = p.add_subparsers(dest="command", required=True, title="子命令", metavar="子命令")

    s = sub.add_parser("extract", help="读取一份年报，输出结构化结果")
    s.add_argument("file")
    s.add_argument("--json", action="store_true", help="输出 JSON（SCHEMA.md 格式，含出处）")
    s.add_argument("--debug", action="store_true", help="PDF：把每页画成图片，标出读到的单元格及其行列、去掉的页眉页脚")
    s.add_argument("--debug-dir", help="调试图片的输出目录（默认：<文件名>-debug）")
    s.set_defaults(func=cmd_extract)

    # further subcommands are registered below, one block each
    data_dir_help = "数据目录（默认取环境变量 NIANBAO_DATA_DIR，否则 ./data）"
    s = sub.add_parser("ask", help="向资料库提问：数字由程序计算并注明出处")
    s.add_argument("question", nargs="?", help="问题，如“洪泽区2024年行政处罚决定数量是多少？”")
    s.add_argument("--batch", metavar="FILE.jsonl", help="批量提问：每行 {\"id\", \"q\"}，按顺序每行输出一条回答")
    s.add_argument("--json", action="store_true", help="输出 JSON：answer、citations、facts、route、mode")
    s.add_argument("--offline", action="store_true", help="不使用大模型（即使已配置）")
    s.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("chat", help="在终端中连续问答（支持追问；输入“退出”或 Ctrl-D 结束）")
    s.add_argument("--offline", action="store_true", help="不使用大模型（即使已配置）")
    s.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_chat)

    s = sub.add_parser("ingest", help="把年报（文件或文件夹）加入资料库：抽取、校验、入库、计算向量")
    s.add_argument("paths", nargs="+", metavar="PATH", help="年报文件或文件夹（递归查找 PDF、DOCX、HTML、TXT、MD）")
    s.add_argument("--data-dir", help=data_dir_help)
    s.add_argument("--no-embed", action="store_true", help="只入库、不计算向量（关键词检索立即可用，向量下次补算）")
    s.add_argument("--json", action="store_true", help="输出 JSON：每个文件的处理结果")
    s.add_argument("--quiet", action="store_true", help="不显示进度条")
    s.add_argument("--group", help="地区或分组（如 洪泽区），用于年报体检；不填则按单位名称中的地名自动建议")
    s.add_argument("--group-by-folder", action="store_true", help="以每个文件所在文件夹的名称作为分组")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("list", help="列出资料库中的年报")
    s.add_argument("--data-dir", help=data_dir_help)
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("remove", help="从资料库删除年报（按文件名、路径或编号）")
    s.add_argument("refs", nargs="+", metavar="FILE|ID")
    s.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_remove)

    s = sub.add_parser("search", help="在资料库中检索（关键词 + 向量，按单位、年度、章节过滤）")
    s.add_argument("query", nargs="?", help="检索的问题或关键词")
    s.add_argument("--k", type=int, default=5, help="返回条数（默认 5）")
    s.add_argument("--agency", help="只查该单位（可用简称，如 洪泽区、工信局）")
    s.add_argument("--year", type=int, help="只查该年度")
    s.add_argument("--section", help="只查该章节（如 s5_problems 或 存在的主要问题）")
    s.add_argument("--batch", metavar="FILE.jsonl", help="批量检索：每行 {\"id\", \"q\"}，每行输出一条 JSON")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("eval", help="评测：retrieval = 入库 ../shared 并计算检索 recall@k")
    s.add_argument("what", choices=["retrieval", "qa", "findings"],
                   help="评测项目（qa = 离线问答评测；findings = 用 expected_findings.json 评测核查的精确率与召回率）")
    s.add_argument("--data-dir", help="数据目录（默认新建临时目录）")
    s.add_argument("--shared", help="共享数据目录（默认仓库旁的 ../shared）")
    s.add_argument("--questions", help="问题文件（默认 shared/eval/questions.jsonl；findings 默认 shared/eval/expected_findings.json）")
    s.add_argument("--k", type=int, default=5)
    s.add_argument("--no-embed", action="store_true", help="只用关键词检索评测")
    s.add_argument("--json", action="store_true")
    s.add_argument("--quiet", action="store_true", help="不显示进度条")
    s.set_defaults(func=cmd_eval)
    s = sub.add_parser("check", help="校验年报：表格勾稽、正文与表格一致、格式与时限")
    s.add_argument("files", nargs="+", metavar="FILE", help="年报文件（PDF、DOCX、HTML、TXT、MD），可多个")
    s.add_argument("--json", action="store_true", help="输出 JSON：每份文件的 file、agency、year、findings")
    s.add_argument("--previous", metavar="FILE", help="同一单位上一年度的年报，用于跨年核对")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("user", help="管理网页账号（添加后网页须登录）：add / passwd / role / remove / unlock / list")
    users = s.add_subparsers(dest="user_command", required=True)
    roles = ["viewer", "editor", "admin"]
    role_help = ("viewer 查阅（提问、核查、对比、体检、下载）；editor 编辑（另可上传、删除、重新入库、改用版本、设置分组、起草）；"
                 "admin 管理员（另可管理账号、查看审计日志）")
    u = users.add_parser("add", help="添加账号")
    u.add_argument("name")
    u.add_argument("--role", choices=roles, required=True, help=role_help)
    u.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    u = users.add_parser("passwd", help="修改密码")
    u.add_argument("name")
    u.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    u = users.add_parser("role", help="修改角色")
    u.add_argument("name")
    u.add_argument("role", choices=roles, help=role_help)
    u = users.add_parser("remove", help="删除账号")
    u.add_argument("name")
    u = users.add_parser("unlock", help="解除账号的登录暂停（多次输错密码后）")
    u.add_argument("name")
    u = users.add_parser("list", help="列出账号")
    u.add_argument("--json", action="store_true")
    for u in users.choices.values():
        u.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_user)

    s = sub.add_parser("audit", help="查看审计日志（谁、何时、做了什么），最新的在前")
    s.add_argument("--limit", type=int, default=None, help="只显示最近 N 条")
    s.add_argument("--user", help="只看该账号")
    s.add_argument("--action", help="只看该操作（upload、remove、reingest、export、login、login_failed……）")
    s.add_argument("--json", action="store_true")
    s.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_audit)

    s = sub.add_parser("pending", help="待核对：资料库中未能读取或读取不确定的单元格，按分组和单位列出")
    s.add_argument("--group", help="只看一个分组（地区），如 洪泽区")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_pending)

    s = sub.add_parser("correct", help="人工校正：按原件填写某个单元格（原读取结果保留，记入审计日志）")
    s.add_argument("report", nargs="?", metavar="FILE|ID", help="报告编号或文件名（同 nianbao remove）")
    s.add_argument("cell", nargs="?", metavar="CELL", help="单元格，如 table3.new_received.total（见 nianbao pending）")
    s.add_argument("value", nargs="?", metavar="VALUE", help="原件上印的数字")
    s.add_argument("--note", help="校正依据，如“依据原件第3页”（必填）")
    s.add_argument("--by", help="校正人姓名（默认：当前系统用户）")
    s.add_argument("--confirm", action="store_true", help="校正后不符合本表勾稽关系时，确认原件确实如此")
    s.add_argument("--import", dest="import_csv", metavar="FILE.csv",
                   help="从 CSV 批量校正（列：report,table,row,column,value,note）")
    s.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_correct)

    s = sub.add_parser("review", help="年报体检：某分组某年度的全部年报，单位一览、共性问题、通报草稿和问题清单")
    s.add_argument("--group", required=True, help="地区或分组，如 洪泽区（入库时设置，见 nianbao group）")
    s.add_argument("--year", type=int, required=True, help="报告年度，如 2024")
    s.add_argument("--out", metavar="通报.docx", help="生成通报草稿（DOCX）")
    s.add_argument("--xlsx", metavar="问题清单.xlsx", help="生成问题清单（XLSX，每个单位的每条问题及依据、页码）")
    s.add_argument("--rubric", help="同时按评分细则评分（名称或 YAML 文件，见 nianbao score --rubrics）；通报增加评分情况")
    s.add_argument("--score-xlsx", metavar="评分表.xlsx", help="与 --rubric 一起用：生成评分表（XLSX：得分、扣分明细）")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_review)

    s = sub.add_parser("score", help="按评分细则给某分组某年度的年报评分：排名、每项扣分及其依据、上年问题整改核对")
    s.add_argument("--group", help="地区或分组，如 洪泽区")
    s.add_argument("--year", type=int, help="报告年度，如 2024")
    s.add_argument("--rubric", help="评分细则的名称或 YAML 文件；不填则用适用于该分组和年度的评分细则")
    s.add_argument("--rubrics", action="store_true", help="列出可用的评分细则（内置的和 <数据目录>/rubrics/ 中的）")
    s.add_argument("--check-rubric", metavar="细则", help="只检查一个评分细则文件能否使用（有错时指出第几行）")
    s.add_argument("--confirm", action="append", metavar="报告编号/条目/序号",
                   help="确认一项待确认的扣分（核对原件后）；可重复")
    s.add_argument("--xlsx", metavar="评分表.xlsx", help="生成评分表（XLSX：得分、扣分明细、整改核对）")
    s.add_argument("--out", metavar="通报.docx", help="生成含评分情况的通报草稿（DOCX）")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_score)

    s = sub.add_parser("diff", help="与上年比对：两份年报逐格、逐句比对，上年问题和整改承诺的落实情况")
    s.add_argument("a", metavar="A", help="年报文件，或年报库中的报告（编号或文件名）")
    s.add_argument("b", metavar="B", help="另一份（年度较早的一份作为上年）")
    s.add_argument("--out", metavar="比对.docx", help="生成比对结果（DOCX）")
    s.add_argument("--all-cells", action="store_true", help="列出全部单元格（默认只列有变化或一方空白的）")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_diff)

    s = sub.add_parser("roster", help="名册：所辖单位的名称、其他名称、层级、分组、发布时限、年报栏目网址")
    rs = s.add_subparsers(dest="roster_command", required=True)
    r = rs.add_parser("import", help="从 XLSX/CSV 导入名册（有错误的行会逐行指出，整份不导入）")
    r.add_argument("file")
    r.add_argument("--merge", action="store_true", help="只新增或更新文件中的单位，名册中其余单位保留")
    r.add_argument("--data-dir", help=data_dir_help)
    r = rs.add_parser("export", help="导出名册为 XLSX 或 CSV（按文件扩展名）")
    r.add_argument("file")
    r.add_argument("--group", help="只导出某分组")
    r.add_argument("--data-dir", help=data_dir_help)
    r = rs.add_parser("list", help="列出名册中的单位")
    r.add_argument("--group", help="只列出某分组")
    r.add_argument("--json", action="store_true")
    r.add_argument("--data-dir", help=data_dir_help)
    r = rs.add_parser("assign", help="把名册不认识的年报指定给名册中的单位")
    r.add_argument("report", help="报告编号或文件名")
    r.add_argument("unit", help="名册中的单位名称")
    r.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_roster)

    s = sub.add_parser("season", help="发布情况：名册中每个单位某年度年报是否发布、何时发布、是否逾期、待核对")
    s.add_argument("--year", type=int, required=True, help="年报所属年度，如 2025")
    s.add_argument("--group", help="只看某分组")
    s.add_argument("--only", choices=("late", "missing"), help="只列出逾期发布的（late）或已过时限未发布的（missing）")
    s.add_argument("--xlsx", metavar="FILE.xlsx", help="导出发布情况表（XLSX）")
    s.add_argument("--today", help="按某一天计算（默认今天），如 2026-02-15")
    s.add_argument("--json", action="store_true")
    s.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_season)

    s = sub.add_parser("harvest", help="采集：按名册中的年报栏目网址，找到某年度的年报、下载正文和附件并入库")
    s.add_argument("--year", type=int, required=True, help="年报所属年度，如 2025")
    s.add_argument("--group", help="只采集某分组的单位")
    s.add_argument("--rate", type=float, help="同一网站两次请求的最短间隔（秒，默认 2，或 NIANBAO_HARVEST_RATE_SECONDS）")
    s.add_argument("--proxy", help="代理，如 http://10.0.0.1:3128（或 NIANBAO_HARVEST_PROXY）")
    s.add_argument("--json", action="store_true")
    s.add_argument("--quiet", action="store_true", help="不显示每个单位的进度")
    s.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_harvest)

    s = sub.add_parser("group", help="设置年报的分组（地区），不带报告则列出已有分组")
    s.add_argument("name", nargs="?", default="", help="分组名称，如 洪泽区")
    s.add_argument("refs", nargs="*", metavar="FILE|ID", help="报告编号或文件名")
    s.add_argument("--data-dir", help=data_dir_help)
    s.set_defaults(func=cmd_group)
    return p


def main(argv: list[str] | None = None) -> int:
    from ingest.errors import UserError
    args = build_parser().parse_args(argv)
    if getattr(args, "data_dir", None) is None and args.global_data_dir and hasattr(args, "data_dir"):
        args.data_dir = args.global_data_dir        # `nianbao --data-dir DIR ingest …`
    try:
        code = args.func(args)
        sys.stdout.flush()              # a broken pipe shows here, not in Python's flush at exit
        return code
    except UserError as e:              # a configuration error (e.g. NIANBAO_MAX_FILE_MB=abc): no traceback
        return _fail(e.message)
    except BrokenPipeError:             # `nianbao extract x | head`: the reader went away, that is fine
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so Python's flush at exit prints no second traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
