"""Filling and measuring the library: extract → check → store for files and folders, then embed; and the
retrieval evaluation (recall@k of the expected report files over eval/questions.jsonl).

Idempotent by content: a file whose sha256 is already stored for its path is skipped, a changed file
replaces its older version in one transaction, and a file that fails is reported (in Chinese) while the
others go on. The extractor and the checker are passed in (defaults: `ingest.extract.extract` and
`assistant.validator.check_report` when it is installed).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from assistant.review.groups import suggest_group
from ingest.errors import ExtractError
from ingest.load import SUFFIXES
from ingest.report import Report
from vectorstore.embeddings import EmbeddingConfigError
from vectorstore.library import Library, LibraryError, StoredContent, pause_point, report_id_of
from vectorstore.vectors import VectorStoreError

EVAL_VECTOR_CACHE = Path.home() / ".cache" / "nianbao" / "eval-vectors.sqlite"
Extractor = Callable[..., Report]
Checker = Callable[..., list]          # check_report(report, previous=None) -> list[Finding]
Preparer = Callable[[Report, str, str], StoredContent]   # (report, report id, file) -> what Library.store writes


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one file."""
    path: str
    file: str
    status: str                      # added | replaced | unchanged | duplicate | failed
    message: str                     # Chinese, one line
    report_id: str | None = None
    agency: str | None = None
    year: int | None = None
    errors: int = 0
    warnings: int = 0
    chunks: int = 0

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class IngestSummary:
    outcomes: list[IngestOutcome] = field(default_factory=list)
    embedded: int = 0
    embed_error: str | None = None

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> int:
        return self.count("failed")

    def describe(self) -> str:
        parts = [f"新增 {self.count('added')} 份", f"更新 {self.count('replaced')} 份",
                 f"未变化 {self.count('unchanged') + self.count('duplicate')} 份", f"失败 {self.failed} 份"]
        text = "入库完成：" + "，".join(parts) + "。"
        if self.embedded:
            text += f"新计算向量 {self.embedded} 个片段。"
        if self.embed_error:
            text += f"向量计算未完成：{self.embed_error}（关键词检索不受影响）"
        return text


# -- reading in a worker process ---------------------------------------------------------------------------
READER_PROCESSES = 2      # worker processes the web app reads and checks uploads in: a small upload does not
                          # wait behind one big one


def _extract_job(path: str, display_name: str | None):
    from ingest.extract import extract
    try:
        return "ok", extract(path, display_name=display_name)
    except ExtractError as e:             # sent back as data: ExtractError(code, message) does not unpickle
        return "error", (e.code, e.message)


def _warm_job() -> bool:
    import assistant.validator  # noqa: F401
    import ingest.extract  # noqa: F401
    from assistant.aliases import word_segmenter
    word_segmenter()             # jieba's dictionary: `prepare` cuts every chunk into keyword terms
    return True


ORPHAN_CHECK_SECONDS = 2.0   # how often a reader worker looks whether the process that started it is alive
READER_NICENESS = 5          # the worker's CPU priority below the app's: answering a question beats reading a file


def _watch_parent(parent: int) -> None:
    """Worker initializer: run at a lower CPU priority, and exit when the app that spawned this worker is gone
    (killed, or stopped without closing its pool): a spawned worker holds both ends of its task pipe, so it
    would otherwise wait forever."""
    import threading
    import time
    try:
        os.nice(READER_NICENESS)
    except OSError:
        pass

    def watch() -> None:
        while True:
            time.sleep(ORPHAN_CHECK_SECONDS)
            if os.getppid() != parent:
                os._exit(0)
    threading.Thread(target=watch, name="nianbao-reader-orphan-watch", daemon=True).start()


@functools.lru_cache(maxsize=2)
def _worker_embedder(spec: str):
    from vectorstore.embeddings import embedder_from_spec
    return embedder_from_spec(spec)


def _embed_job(spec: str, texts: list[str]):
    return _worker_embedder(spec).embed_passages(texts)


def _prepare_job(report: Report, rid: str, file: str) -> StoredContent:
    return StoredContent.of(report, rid, file)


def _check_job(report: Report, previous: Report | None):
    from assistant.validator import check_report
    return check_report(report, previous=previous)


class ReaderProcess:
    """Extract, check, cut into keyword terms and embed uploads in separate worker processes (spawned once,
    reused, at a lower CPU priority). In the web app this keeps pdfplumber, the checks, jieba and the
    embedding model off the process that answers questions (no fight for its GIL, and questions win the CPU,
    so they stay fast during an upload), and a file that exhausts memory kills only the worker: the upload
    gets a Chinese message and the next one a fresh worker. Same call shapes as `extract` and
    `check_report`, so `ingest_file` takes `reader.extract`, `reader.check` and `reader.prepare`, and
    `Library.delegate_passages` takes `reader.embed_passages`."""

    def __init__(self, processes: int = READER_PROCESSES):
        import threading
        self.processes = processes
        self._pool = None
        self._lock = threading.Lock()

    def _submit(self, fn, *args):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_watch_parent, initargs=(os.getpid(),))
            pool = self._pool
        try:
            return pool.submit(fn, *args).result()
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise ExtractError("reader_crashed", "读取该文件时读取进程异常退出（文件可能过大、已损坏或构造异常），未入库。"
                                                 "请用 Word、WPS 或 PDF 阅读器打开检查，另存后再上传。")

    def embed_passages(self, spec: str, texts: list[str]):
        """Passage vectors by the model `spec`, computed in the worker (`Library.delegate_passages`)."""
        return self._submit(_embed_job, spec, list(texts))

    def prepare(self, report: Report, rid: str, file: str) -> StoredContent:
        """The report's chunks, jieba terms and facts for `Library.store`, computed in the worker."""
        return self._submit(_prepare_job, report, rid, file)

    def extract(self, path, display_name: str | None = None) -> Report:
        status, value = self._submit(_extract_job, str(path), display_name)
        if status == "error":
            raise ExtractError(*value)
        return value

    def check(self, report: Report, previous: Report | None = None) -> list:
        return self._submit(_check_job, report, previous)

    def warm(self) -> None:
        """Start every worker now, in the background (their imports take seconds), so that the first uploads
        do not wait for them."""
        import threading
        for k in range(self.processes):
            threading.Thread(target=self._submit, args=(_warm_job,), name=f"nianbao-reader-warm-{k}",
                             daemon=True).start()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def default_extractor() -> Extractor:
    from ingest.extract import extract
    return extract


def default_checker() -> Checker | None:
    try:
        from assistant.validator import check_report
    except ImportError:
        return None
    return check_report


def find_report_files(paths: Iterable[str | Path]) -> tuple[list[tuple[Path, str]], list[IngestOutcome]]:
    """Files to read, each with the name it is shown and cited by (“seeds/000_x.txt”: the folder given and
    the path below it; the bare name for a file given directly), plus a failed outcome for every argument that does not exist."""
    found: list[tuple[Path, str]] = []
    missing: list[IngestOutcome] = []
    seen: set[Path] = set()
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            pairs = [(f, f"{p.resolve().name}/{f.relative_to(p).as_posix()}") for f in files]
        elif p.is_file():
            pairs = [(p, p.name)]
        else:
            missing.append(IngestOutcome(str(p), str(p), "failed", f"找不到文件或文件夹：{p}"))
            continue
        for f, shown in pairs:
            if f.resolve() not in seen:
                seen.add(f.resolve())
                found.append((f, shown))
    return found, missing


def ingest_file(library: Library, path: Path, shown: str, extract: Extractor, check: Checker | None,
                group: str | None = None, wait: bool = True, prepare: Preparer | None = None) -> IngestOutcome | None:
    """Extract, check and store one file; never raises for a bad file. `group` (地区或分组): when None, a
    stored version keeps its group and a new report gets the one its agency name suggests. The file is
    claimed first (another thread or process reading the same file is waited for, then its result is found
    unchanged); with `wait=False` a file another one holds is left alone and None is returned. `prepare`
    computes the report's chunks, terms and facts (`ReaderProcess.prepare`: in the reader process); without
    it `Library.store` computes them here."""
    with library.claim(path, wait=wait) as held:
        if not held:
            return None
        return _ingest_claimed(library, path, shown, extract, check, group, prepare)


def _ingest_claimed(library: Library, path: Path, shown: str, extract: Extractor, check: Checker | None,
                    group: str | None = None, prepare: Preparer | None = None) -> IngestOutcome:
    try:
        data = path.read_bytes()
    except OSError as e:
        return IngestOutcome(str(path), shown, "failed", f"无法读取文件 {shown}：{e.strerror or e}")
    sha = hashlib.sha256(data).hexdigest()
    current = library.by_path(path)
    if current is not None and current.sha256 == sha:
        return _outcome(path, shown, "unchanged", f"未变化，已跳过：{shown}", current)
    same = library.by_sha(sha)
    if same is not None and same.path != str(path.resolve()):
        return _outcome(path, shown, "duplicate", f"内容与已入库的 {same.file} 相同，已跳过：{shown}", same)
    try:
        report = extract(path, display_name=shown)
    except ExtractError as e:
        return IngestOutcome(str(path), shown, "failed", f"{shown}：{e.message}")
    except Exception as e:  # a bug or an unreadable file must not stop the other files
        return IngestOutcome(str(path), shown, "failed", f"{shown}：读取时出错（{type(e).__name__}: {e}），已跳过该文件。")
    empty = nothing_to_store(report)
    if empty:
        return IngestOutcome(str(path), shown, "failed", f"{shown}：{empty}")
    settle_glued(report, library)
    report = fill_from_edition(report, library)
    note_misprinted_name(report)
    library.apply_corrections(report, sha)         # the official's corrections of this very file (same sha256)
    findings, note = _check(report, library, check)
    if group is None and (current is None or not current.group):
        group = suggest_group(report.agency)
    try:
        content = prepare(report, report_id_of(sha), shown) if prepare is not None else None
        stored = library.store(report, findings, path=path, file=shown, sha256=sha, group=group, content=content)
    except LibraryError as e:
        return IngestOutcome(str(path), shown, "failed", f"{shown}：{e.message}")
    record = stored.record
    verb = "已更新" if stored.status == "replaced" else "已入库"
    year = f"{record.year}年" if record.year else "未识别年度"
    message = (f"{verb}：{shown}（{record.agency or '未识别单位'} {year}，"
               f"错误 {record.n_errors} 条，警告 {record.n_warnings} 条，{record.n_chunks} 个片段）{note}")
    if stored.edition:
        message += stored.edition
    return _outcome(path, shown, stored.status, message, record)


def nothing_to_store(report: Report) -> str | None:
    """Why a report is not worth storing (Chinese), or None: no unit, no year and no standard table was read,
    so nothing in it could be asked about or cited by unit and year."""
    if report.agency or report.year or any(report.table(t) is not None for t in ("table2", "table3", "table4")):
        return None
    return ("未能从文件中读取到可用的内容（没有识别出单位、年度，也没有读到表二、表三、表四），未入库。"
            "请核对原件是否为政府信息公开工作年度报告，或换用 PDF、DOCX 等格式重新上传。")


def _outcome(path: Path, shown: str, status: str, message: str, record) -> IngestOutcome:
    return IngestOutcome(str(path), shown, status, message, record.id, record.agency, record.year,
                         record.n_errors, record.n_warnings, record.n_chunks)


def previous_report(library: Library, agency: str | None, year: int | None) -> Report | None:
    """The unit's stored report of the year before (the checker compares 结转 and 现行有效 with it)."""
    if not agency or not year:
        return None
    earlier = library.facts.find_reports(agency, year - 1)
    return library.facts.report_object(earlier[0].id) if earlier else None


def note_misprinted_name(report: Report) -> str | None:
    """The canonical name stored beside the printed one: a note on the report when a place in the unit's name is
    not a division of the gazetteer and one division fits (the report keeps its printed name; answers match
    either spelling)."""
    from assistant.aliases import canonical_agency
    from ingest.report import Warning as ReportWarning
    if not report.agency or any(w.code == "agency_canonical" for w in report.warnings):
        return None
    try:
        canonical = canonical_agency(report.agency, report.full_text())
    except Exception:
        return None
    if canonical is None:
        return None
    report.warnings.append(ReportWarning("agency_canonical", f"报告印作“{report.agency}”，按行政区划名称应为“{canonical}”；"
                                                             f"问答中两种名称都能找到这份年报。"))
    return canonical


def settle_glued(report: Report, library: Library) -> list[str]:
    """Glued 表二 rows the reader could not settle, settled with the unit's stored previous-year report when
    only one reading continues its 现行有效 chain (ingest.glued_evidence); the notes say so."""
    from ingest.glued_evidence import settle_with_previous
    try:
        return settle_with_previous(report, previous_report(library, report.agency, report.year))
    except Exception:             # evidence only helps; the report stands as read without it
        return []


def fill_from_edition(report: Report, library: Library) -> Report:
    """When the library holds another edition of this report and this one will be used (ingest.editions.better),
    the cells this one could not read are taken from the other where it read them, each said in a note, and the
    cells they read differently are reading warnings; the checks then run on what the two editions read."""
    from ingest.editions import better, fill_unread
    if not report.agency or not report.year:
        return report
    try:
        for record in library.facts.find_reports(agency=report.agency, year=report.year):
            other = library.facts.report_object(record.id)
            if other is not None and record.sha256 != report.sha256 and better(report, other):
                return fill_unread(report, other, record.file)[0]
    except Exception:             # another edition only helps; the report stands as read without it
        return report
    return report


def check_findings(library: Library, report: Report, check: Checker | None | str = "default") -> list[dict]:
    """Findings (as dicts) for a report, against last year's stored report when the library has it."""
    check = default_checker() if check == "default" else check
    return _check(report, library, check)[0]


def _check(report: Report, library: Library, check: Checker | None) -> tuple[list[dict], str]:
    if check is None:
        return [], "（校验模块尚未安装，未做校验）"
    try:
        findings = check(report, previous=previous_report(library, report.agency, report.year))
    except Exception as e:
        return [], f"（校验时出错：{type(e).__name__}: {e}，未保存校验结果）"
    return [f.to_json() if hasattr(f, "to_json") else dict(f) for f in findings], ""


def recheck_successors(library: Library, stored_ids: Sequence[str], check: Checker | None,
                       all_later: bool = False) -> int:
    """A report checked before its previous year's report arrived (same run) is checked again against it;
    with `all_later` (re-ingest) every next-year report is, since its previous year was just read anew."""
    if check is None or not stored_ids:
        return 0
    updated = 0
    records = {r.id: r for r in library.reports()}
    for rid in stored_ids:
        earlier = records.get(rid)
        if earlier is None or not earlier.agency or not earlier.year:
            continue
        for later in library.facts.find_reports(earlier.agency, earlier.year + 1):
            if later.stored_at > earlier.stored_at and not all_later:
                continue
            report = library.facts.report_object(later.id)
            findings, _ = _check(report, library, check)
            library.update_findings(later.id, findings)
            updated += 1
    return updated


def with_current_counts(library: Library, outcomes: Sequence[IngestOutcome]) -> list[IngestOutcome]:
    """The outcomes with the error and warning counts the library holds now (the 年报库 table's): a report
    stored before its previous year's report in the same batch was checked again (recheck_successors), so the
    counts in its message are replaced, and the message says why."""
    records = {r.id: r for r in library.reports(editions=True)}
    out = []
    for o in outcomes:
        record = records.get(o.report_id) if o.status in ("added", "replaced") else None
        if record is None or (record.n_errors, record.n_warnings) == (o.errors, o.warnings):
            out.append(o)
            continue
        old = f"错误 {o.errors} 条，警告 {o.warnings} 条"
        new = f"错误 {record.n_errors} 条，警告 {record.n_warnings} 条"
        message = o.message.replace(old, new, 1) + "（同批上传的上年报告入库后已重新核查）"
        out.append(dataclasses.replace(o, message=message, errors=record.n_errors, warnings=record.n_warnings))
    return out


def reingest_records(library: Library, records: Sequence, *, extract: Extractor | None = None,
                     check: Checker | None | str = "default",
                     on_progress: Callable[[int, int, str], None] | None = None,
                     on_result: Callable[[str, bool, str], None] | None = None) -> list[str]:
    """Read stored reports again from their files (after the reader or the rules improved), check each against
    last year's report, then check the next year's stored report again against the new reading.
    Returns one Chinese line per report; a file that fails leaves its stored version untouched. `on_result(file,
    ok, detail)` hears each report's outcome (the web app's audit log)."""
    extract = extract or default_extractor()
    check = default_checker() if check == "default" else check
    lines, done = [], []
    for i, r in enumerate(records):
        if on_progress:
            on_progress(i, len(records), r.file)
        path = Path(r.path)
        if not path.is_file():
            lines.append(f"- **失败** {r.file}：原文件已不存在（{r.path}），请重新上传。")
            if on_result:
                on_result(r.file, False, "原文件已不存在")
            continue
        try:
            report = extract(path, display_name=r.file)
            settle_glued(report, library)
            library.apply_corrections(report, r.sha256)
            findings, note = _check(report, library, check)
            stored = library.store(report, findings, path=path, file=r.file, sha256=r.sha256)
        except (ExtractError, LibraryError) as e:
            lines.append(f"- **失败** {r.file}：{e.message}")
            if on_result:
                on_result(r.file, False, e.message)
            continue
        done.append(stored.record.id)
        if on_result:
            on_result(r.file, True, stored.record.id)
        lines.append(f"- 已重新入库：{r.file}（{stored.record.agency or '未识别单位'} {stored.record.year or '未识别年度'}年，"
                     f"错误 {stored.record.n_errors} 条，警告 {stored.record.n_warnings} 条）{note}")
    n = recheck_successors(library, done, check, all_later=True)
    if n:
        lines.append(f"- 另按新读取的结果重新核查了 {n} 份下一年度的年报（衔接关系）。")
    return lines


def remove_report(library: Library, ref: str, check: Checker | None | str = "default"):
    """Remove a report, then check again the same unit's report of the year after, which was checked
    against it (T2-3/T2-4, T3-6, Q1), and the other edition that took its place, if any: the stored findings,
    and so every count shown, stay current."""
    check = default_checker() if check == "default" else check
    record = library.remove(ref)
    if check is not None and record.agency and record.year:
        # the edition that took over (if any) and the next year's report were checked against other figures
        for later in library.facts.find_reports(record.agency, record.year) + \
                library.facts.find_reports(record.agency, record.year + 1):
            findings, _ = _check(library.facts.report_object(later.id), library, check)
            library.update_findings(later.id, findings)
    return record


def use_edition(library: Library, ref: str, check: Checker | None | str = "default"):
    """Make a stored edition the one in use, then check again what was checked against the edition it replaces:
    the chosen report itself (against its previous year as stored now) and the unit's next-year report
    (T2-3/T2-4, T3-6, Q1 compare with this year). Returns the chosen record, with its counts updated."""
    check = default_checker() if check == "default" else check
    record = library.use_edition(ref)
    if check is None or not record.agency or not record.year:
        return record
    findings, _ = _check(library.facts.report_object(record.id), library, check)
    library.update_findings(record.id, findings)
    recheck_successors(library, [record.id], check, all_later=True)
    return library.facts.report(record.id)


def ingest_paths(library: Library, paths: Iterable[str | Path], *, extract: Extractor | None = None,
                 check: Checker | None | str = "default", embed: bool = True, progress: bool = True,
                 on_outcome: Callable[[IngestOutcome], None] | None = None, group: str | None = None,
                 group_by_folder: bool = False) -> IngestSummary:
    """Ingest files and folders (recursively): store each readable report, then compute missing vectors.
    Each report's group is `group`, else (with `group_by_folder`) the name of the folder holding the file,
    else kept from its stored version or suggested from its agency name."""
    from tqdm import tqdm
    extract = extract or default_extractor()
    check = default_checker() if check == "default" else check
    files, missing = find_report_files(paths)
    summary = IngestSummary(list(missing))
    for o in missing:
        if on_outcome:
            on_outcome(o)
    bar = tqdm(files, desc="读取年报", unit="份", file=sys.stderr,
               disable=True if not progress or len(files) < 2 else None, dynamic_ncols=True)
    busy: list[tuple[Path, str]] = []            # files another process is reading now: done last
    for path, shown in bar:
        folder_group = group or (path.resolve().parent.name if group_by_folder else None)
        outcome = ingest_file(library, path, shown, extract, check, folder_group, wait=False)
        if outcome is None:
            busy.append((path, shown, folder_group))
            continue
        _record(summary, outcome, on_outcome)
    for path, shown, folder_group in busy:       # by now usually stored by the other process: unchanged
        _record(summary, ingest_file(library, path, shown, extract, check, folder_group), on_outcome)
    recheck_successors(library, [o.report_id for o in summary.outcomes if o.status in ("added", "replaced")], check)
    summary.outcomes = with_current_counts(library, summary.outcomes)
    if embed:
        summary.embedded, summary.embed_error = embed_pending_with_progress(library, progress)
    return summary


def _record(summary: IngestSummary, outcome: IngestOutcome, on_outcome) -> None:
    summary.outcomes.append(outcome)
    if on_outcome:
        on_outcome(outcome)
    if outcome.status in ("added", "replaced"):
        pause_point("after_commit")


def embed_pending_with_progress(library: Library, progress: bool = True) -> tuple[int, str | None]:
    """Compute missing vectors, with a progress bar; returns (count, Chinese error or None)."""
    from tqdm import tqdm
    pending = library.pending()
    if pending == 0:
        library.flush_deletions()
        return 0, None
    bar = tqdm(total=pending, desc="计算向量", unit="段", file=sys.stderr,
               disable=True if not progress or pending < 2 else None, dynamic_ncols=True)
    try:
        return library.embed_pending(on_progress=bar.update), None
    except (VectorStoreError, EmbeddingConfigError) as e:
        return 0, e.message
    finally:
        bar.close()


# -- retrieval evaluation ------------------------------------------------------------------------
def shared_dir() -> Path:
    """../shared next to the repository (or ../../shared, for a git worktree one folder further down)."""
    repo = Path(__file__).resolve().parents[1]
    return next((p for p in (repo.parent / "shared", repo.parents[1] / "shared") if p.is_dir()), repo.parent / "shared")


def load_questions(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def cited(expected: str, hit_file: str) -> bool:
    """A hit's file matches an expected citation when one path ends with the other (whole components)."""
    a, b = Path(expected).as_posix().strip("/").split("/"), Path(hit_file).as_posix().strip("/").split("/")
    n = min(len(a), len(b))
    return a[-n:] == b[-n:]
