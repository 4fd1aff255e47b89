"""The web face: a Gradio page, in Chinese, on 127.0.0.1. Start with `make run` or `python app.py --port N`.

Tabs: 问答 (chat with citations), 年报库 (upload, list, remove, re-ingest, groups), 核查 (check a stored report
or a draft that is not stored), 待核对 (the unread or unsure cells with what we saw; an editor's corrections from
the original), 对比 (a figure across agencies and years, table + chart; 与上年比对 of one unit), 体检 (review a
group and year, 通报 DOCX and 问题清单 XLSX), 起草 (draft sections, export DOCX), 账号与审计 (admins). The chat
is also the API endpoint `/chat`. Everything the handlers need (the library, a write lock, an export folder, the
access gate) lives in one `AppContext` made by `build_app`; nothing is global. Every event and API route goes
through `guarded`, which identifies the caller and checks their role on the server (assistant.access) before the
handler runs; uploads, removals, re-ingests, editions, groups, corrections, exports and account changes are
written to the audit log.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import inspect
import os
import shutil
import sys
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

# Gradio's queue rebuilds a pandas summary of up to GRADIO_ANALYTICS_MAX_EVENTS past events after every event
# (for a monitoring page we do not serve): at 32 users that was 8 % of the server's CPU, growing with uptime.
# It is computed once per this many events instead, over a short window.
GRADIO_QUEUE_SETTINGS = {"GRADIO_ANALYTICS_CACHE_FREQUENCY": "1000", "GRADIO_ANALYTICS_MAX_EVENTS": "1000"}
for _k, _v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
               "ANONYMIZED_TELEMETRY": "False", **GRADIO_QUEUE_SETTINGS}.items():
    os.environ.setdefault(_k, _v)

import gradio as gr  # noqa: E402
import gradio.utils as gr_utils  # noqa: E402
import pandas as pd  # noqa: E402

from assistant import library_ops, views  # noqa: E402
from assistant.access import (AUDIT_HEADERS, LOCAL_USER, AccessDenied, Caller, Gate,  # noqa: E402
                              SessionTokens, access_mode, allowed, audit_row, beijing_time, request_client)
from assistant.answer import prepare as answer_prepare  # noqa: E402
from assistant.library_ops import check_findings, reingest_records  # noqa: E402
from ingest.errors import ExtractError, UserError  # noqa: E402
from ingest.extract import extract  # noqa: E402
from ingest.load import SUFFIXES, max_file_bytes  # noqa: E402
from ingest.loaders.ocr import progress as ocr_progress  # noqa: E402
from ingest.report import Report  # noqa: E402
from ingest.settings import Settings, setting  # noqa: E402
from ingest.schema import (SECTIONS, TABLE3_COLUMN_LABELS, TABLE3_COLUMNS, TABLE4_COLUMN_LABELS,  # noqa: E402
                           TABLE4_COLUMNS)
from vectorstore.accounts import ROLE_LABELS, ROLES, AccountError  # noqa: E402
from vectorstore.library import Library, LibraryError, clean_group  # noqa: E402

FILE_TYPES = sorted(SUFFIXES)
# Gradio refuses uploads over its max_file_size in its own English words, in the browser. So it gets a cap
# this many times ours: a file over our limit reaches stage_upload and is refused in Chinese, and only an
# absurd one (disk protection) meets Gradio's message.
UPLOAD_CAP_FACTOR = 4
# An upload nobody ingests or checks (anyone logged in can post files to Gradio's upload route) is deleted this
# many seconds after it arrived (NIANBAO_UPLOAD_MAX_AGE_S), looked for every UPLOAD_SWEEP_S at most; Gradio's
# cached copies of downloads go the same way, and everything of the app's is deleted when it stops.
ENV_UPLOAD_MAX_AGE = setting("upload_max_age_s").name
UPLOAD_MAX_AGE_S = 3600
UPLOAD_SWEEP_S = 600


def upload_cleanup() -> tuple[int, int]:
    """Gradio's `delete_cache` (every, older than), in seconds."""
    raw = (Settings.from_env().upload_max_age_s or "").strip()
    try:
        age = max(1, int(raw)) if raw else UPLOAD_MAX_AGE_S
    except ValueError:
        raise UserError(f"{ENV_UPLOAD_MAX_AGE}={raw} 无效：应为秒数（正整数），例如 3600。") from None
    return min(UPLOAD_SWEEP_S, age), age
GENERIC_EXAMPLES = ["哪个单位依申请公开的申请量最多？按数量排个序。", "哪些单位的表三、表四全是0？",
                    "给我列一个年报发布前的自查清单。"]


@dataclass(frozen=True)
class AppContext:
    """What every handler works on: the library, the lock that serializes removals, where exports go, who may
    do what (the access gate), and the worker process that reads and checks uploaded files
    (library_ops.ReaderProcess)."""
    library: Library
    write_lock: threading.Lock
    export_dir: Path
    gate: Gate
    reader: library_ops.ReaderProcess = field(default_factory=library_ops.ReaderProcess)
    staged: "OrderedDict[str, tuple[Path, str]]" = field(default_factory=OrderedDict)   # Gradio path → our copy
    stage_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def data_dir(self) -> Path:
        return self.library.data_dir


# -- the pieces the tabs call ----------------------------------------------------------------------------
def llm_banner() -> str:
    """Whether a language model is configured, and which (assistant.llm)."""
    from assistant.llm import describe_llm
    try:
        return describe_llm()
    except Exception as e:  # a bad configuration must not stop the page
        return f"大模型配置有误：{e}"


# -- shared helpers ---------------------------------------------------------------------------------------
def max_file_mb() -> str:
    return f"{max_file_bytes() / 1048576:.2f}".rstrip("0").rstrip(".")


def export_file(ctx: AppContext, name: str, data: bytes | str, caller: Caller | None = None) -> str:
    """Write a download into its own folder under the export dir (recorded in the audit log); returns the path."""
    folder = Path(tempfile.mkdtemp(dir=ctx.export_dir))
    path = folder / views.safe_file_name(name)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8-sig" if path.suffix == ".csv" else "utf-8")
    else:
        path.write_bytes(data)
    if caller is not None:
        from gradio.processing_utils import hash_file   # the folder of the copy Gradio will serve
        ctx.library.exports.record([folder.name, hash_file(path)], path.name, caller.name)
        ctx.gate.record(caller, "export", target=path.name)
    return str(path)


def run_check(ctx: AppContext, report: Report) -> list[dict]:
    """Findings (as dicts) for a report, against last year's report when the library has it."""
    return check_findings(ctx.library, report)


def library_status(ctx: AppContext) -> str:
    records = ctx.library.reports()
    if not records:
        return views.EMPTY_LIBRARY_HELP
    agencies = {r.agency for r in records if r.agency}
    pending = sum(r.n_pending for r in records)
    text = f"年报库共有 **{len(records)}** 份报告，来自 {len(agencies)} 个单位。"
    if pending:
        text += f"（新入库的报告还有 {pending} 段文字在后台建立语义索引，完成前按关键词查找，可以照常提问。）"
    return text


def refresh_all(ctx: AppContext):
    """Everything that depends on what is in the library: status lines, the table, every picker."""
    records = ctx.library.reports()
    stored = ctx.library.reports(editions=True)             # 年报库 lists every edition; the rest, those in use
    choices = [(views.report_choice_label(r), r.id) for r in records]
    agencies = sorted({r.agency for r in records if r.agency})
    years = sorted({r.year for r in records if r.year})
    status = library_status(ctx)
    examples = views.example_questions(records) or GENERIC_EXAMPLES
    return (status, status, views.library_rows(stored),
            gr.update(choices=[(views.report_choice_label(r), r.id) for r in stored], value=[]),
            gr.update(choices=choices, value=None),
            gr.update(choices=agencies), gr.update(choices=[str(y) for y in years]),
            gr.update(choices=agencies, value=agencies[0] if agencies else None),
            gr.update(samples=[[q] for q in examples]))


def audit(ctx: AppContext, caller: Caller | None, action: str, target: str | None = None, detail: str | None = None,
          ok: bool = True) -> None:
    """One audit entry for what `caller` did (nothing when called outside a guarded event, e.g. in tests)."""
    if caller is not None:
        ctx.gate.record(caller, action, target=target, detail=detail, ok=ok)


# -- 年报库 -------------------------------------------------------------------------------------------------
def stage_upload(ctx: AppContext, upload_path: str) -> tuple[Path, str]:
    """Copy an upload into <data dir>/uploads/<sha>/<safe name> (content-addressed, so the same file uploaded
    twice lands on the same path and is stored once). Raises ExtractError for a bad type or size."""
    src = Path(upload_path)
    shown = views.safe_file_name(src.name)
    if Path(shown).suffix.lower() not in SUFFIXES:
        raise ExtractError("unsupported_type", f"{shown}：不支持的文件类型，请上传 PDF、DOCX、HTML、TXT、MD 格式的年度报告，或 PNG、JPG 格式的扫描页。")
    size = src.stat().st_size
    if size > max_file_bytes():
        raise ExtractError("too_large", f"{shown}：文件过大（{size / 1048576:.1f} MB），超过 {max_file_mb()} MB 的上限。")
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    dest = ctx.data_dir / "uploads" / digest[:16] / shown
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    return dest, shown


def ingest_uploads(ctx: AppContext, paths: list[str] | None, progress=gr.Progress(), group: str | None = None,
                   caller: Caller | None = None):
    """Store uploaded files one by one and report each outcome. Reading and checking run outside any lock
    (another user's upload or question never waits for them); only the same file is serialized (its claim,
    vectorstore.library), and the store itself is one short SQLite transaction. Gradio's cached copy of
    each upload is deleted once it is staged, so it cannot be downloaded later (e.g. after a removal). `group`
    (地区或分组) from the upload form; when empty, each report's group is suggested from its agency name."""
    if not paths:
        return ("请选择要入库的年报文件（可多选）。",) + refresh_all(ctx)
    lines: list[str | library_ops.IngestOutcome] = []     # an outcome's line is written once the batch is checked
    stored = []
    check = ctx.reader.check
    for i, p in enumerate(paths):
        name = views.safe_file_name(Path(p).name)
        progress((i, len(paths)), desc=f"正在读取 {name}（{i + 1}/{len(paths)}）", unit="份")
        try:
            dest, shown = stage_once(ctx, p)
        except (ExtractError, OSError) as e:
            message = getattr(e, 'message', None) or f'{name}：无法保存上传的文件（{e}）'
            lines.append(f"- **失败** {message}")
            audit(ctx, caller, "upload", name, message, ok=False)
            continue
        def scanning(done, total, page, i=i, name=name):
            if page is not None:
                progress((i + done / total, len(paths)), desc=f"正在识别 {name} 的扫描页：第{page}页（{done + 1}/{total}）")
        with ocr_progress(scanning):
            outcome = library_ops.ingest_file(ctx.library, dest, shown, ctx.reader.extract, check,
                                              (group or "").strip() or None, prepare=ctx.reader.prepare)
        lines.append(outcome)
        audit(ctx, caller, "upload", shown, outcome.message, ok=outcome.ok)
        if outcome.status in ("added", "replaced"):
            stored.append(outcome.report_id)
        elif outcome.status == "failed":
            discard_staged(ctx, dest)
    progress((len(paths), len(paths)), desc="正在更新校验结果", unit="份")
    library_ops.recheck_successors(ctx.library, stored, check)
    current = iter(library_ops.with_current_counts(ctx.library, [x for x in lines if not isinstance(x, str)]))
    lines = [x if isinstance(x, str) else outcome_line(next(current)) for x in lines]
    if stored:
        ctx.library.embed_in_background()
    head = f"处理了 {len(paths)} 个文件，入库 {len(stored)} 份。" + ("语义索引在后台建立，完成前按关键词查找，可以照常提问。" if stored else "")
    return ("\n".join([head, ""] + lines),) + refresh_all(ctx)


def outcome_line(outcome: library_ops.IngestOutcome) -> str:
    return f"- {'' if outcome.ok else '**失败** '}{outcome.message}"


STAGED_REMEMBERED = 256      # Gradio upload paths remembered after their cached copy was deleted


def stage_once(ctx: AppContext, upload_path: str) -> tuple[Path, str]:
    """stage_upload, then delete Gradio's cached copy. Gradio gives the same path to the same bytes uploaded
    twice at once, so a path already staged (its copy gone) maps to the file staged for it."""
    with ctx.stage_lock:
        known = ctx.staged.get(upload_path)
        if known is not None and not Path(upload_path).exists() and known[0].exists():
            return known
        try:
            dest, shown = stage_upload(ctx, upload_path)
        finally:
            forget_upload(upload_path)
        ctx.staged[upload_path] = (dest, shown)
        while len(ctx.staged) > STAGED_REMEMBERED:
            ctx.staged.popitem(last=False)
        return dest, shown


def forget_upload(upload_path: str) -> None:
    """Delete Gradio's cached copy of an upload (we keep our own under uploads/ or none at all)."""
    try:
        Path(upload_path).unlink(missing_ok=True)
    except OSError:
        pass


def discard_staged(ctx: AppContext, path: str | Path) -> None:
    """Delete a file we keep under <data dir>/uploads/ (and its folder) that no stored report uses any more."""
    path = Path(path)
    uploads = (ctx.data_dir / "uploads").resolve()
    try:
        if uploads not in path.resolve().parents or ctx.library.by_path(path) is not None:
            return
        path.unlink(missing_ok=True)
        if path.parent != uploads and not any(path.parent.iterdir()):
            path.parent.rmdir()
    except OSError:
        pass


def picked_ids(ids) -> list[str]:
    """The reports chosen in 年报库's picker as a list of ids: one id given as a plain string stays one id (never
    its characters), blanks and repeats are dropped."""
    if ids is None:
        return []
    if isinstance(ids, str):
        ids = [ids]
    return list(dict.fromkeys(str(i).strip() for i in ids if str(i).strip()))


GONE_REPORT = "年报库中已没有这份报告（可能已被删除），请在列表中重新选择。"


def remove_reports(ctx: AppContext, ids: list[str] | None, caller: Caller | None = None):
    ids = picked_ids(ids)
    if not ids:
        return ("没有删除任何报告：请先在上面的列表中选择要删除的报告（删除前会请您确认）。",) + refresh_all(ctx)
    lines = []
    with ctx.write_lock:
        for rid in ids:
            try:
                if ctx.library.resolve(rid) is None:
                    lines.append(f"- **未删除** {GONE_REPORT}")
                    audit(ctx, caller, "remove", rid[:64], GONE_REPORT, ok=False)
                    continue
                record = library_ops.remove_report(ctx.library, rid)
                discard_staged(ctx, record.path)          # the uploaded file goes with its report
                lines.append(f"- 已删除：{views.report_choice_label(record)}")
                audit(ctx, caller, "remove", record.file, f"{views.report_choice_label(record)}，编号 {record.id}")
            except LibraryError as e:
                lines.append(f"- **失败** {e.message}")
                audit(ctx, caller, "remove", rid[:64], e.message, ok=False)
    head = f"已删除 {sum(1 for x in lines if x.startswith('- 已删除'))} 份报告。"
    return ("\n".join([head, ""] + lines),) + refresh_all(ctx)


def search_library(ctx: AppContext, query: str | None, year: str | None = None, group: str | None = None,
                   agency: str | None = None):
    """年报库's search box and filters: the table and the picker narrowed to the reports found (every edition),
    and where each word was found in the text."""
    stored = ctx.library.reports(editions=True)
    hits = {w: ctx.library.facts.text_hits(w) for w in views.search_words(query)}
    found, note = views.library_search(stored, query, hits, year=year or None, group=group or None,
                                       agency=agency or None)
    return (views.library_rows(found), gr.update(choices=[(views.report_choice_label(r), r.id) for r in found]),
            note)


def library_filters(ctx: AppContext):
    """The choices of 年报库's filters: the years, groups and units stored."""
    stored = ctx.library.reports(editions=True)
    years = sorted({str(r.year) for r in stored if r.year})
    groups = sorted({r.group for r in stored if getattr(r, "group", None)})
    agencies = sorted({r.agency for r in stored if r.agency})
    return tuple(gr.update(choices=[("全部", "")] + [(c, c) for c in choices]) for choices in (years, groups, agencies))


def use_editions(ctx: AppContext, ids: list[str] | None, caller: Caller | None = None):
    """Make the chosen editions the ones answers, rankings and comparisons use."""
    ids = picked_ids(ids)
    if not ids:
        return ("请先在上面的列表中选择要使用的版本。",) + refresh_all(ctx)
    lines = []
    with ctx.write_lock:
        for rid in ids:
            try:
                record = library_ops.use_edition(ctx.library, rid)    # next year's report is checked again
                lines.append(f"- 已改用：{views.report_choice_label(record)}")
                audit(ctx, caller, "edition", record.file, record.id)
            except LibraryError as e:
                lines.append(f"- **失败** {e.message}")
                audit(ctx, caller, "edition", str(rid), e.message, ok=False)
    return ("\n".join(lines),) + refresh_all(ctx)


def reingest_reports(ctx: AppContext, ids: list[str] | None, progress=gr.Progress(), caller: Caller | None = None):
    """Read the chosen stored reports again from their files (after the reader or the rules improved); the next
    year's reports are checked again against the new reading (assistant.library_ops.reingest_records)."""
    ids = picked_ids(ids)
    records = [r for r in ctx.library.reports() if r.id in ids] if ids else ctx.library.reports()
    if not records:
        return ("年报库为空，没有可重新入库的报告。",) + refresh_all(ctx)

    def step(i: int, n: int, file: str) -> None:
        progress((i, n), desc=f"正在重新读取 {file}（{i + 1}/{n}）", unit="份")
    lines = reingest_records(ctx.library, records, extract=ctx.reader.extract, on_progress=step,   # no global lock
                             on_result=lambda file, ok, detail: audit(ctx, caller, "reingest", file, detail, ok=ok))
    ctx.library.embed_in_background()
    return ("\n".join(lines),) + refresh_all(ctx)


# -- 核查 ---------------------------------------------------------------------------------------------------
def check_outputs(ctx: AppContext, report: Report, findings: list[dict], title: str, path=None,
                  caller: Caller | None = None):
    overview = views.report_overview(report)
    scans = views.scan_views(report, path)
    t2, t3, t4 = views.table_frames(report)
    md = views.findings_markdown(findings, title, report)
    stem = views.safe_file_name(f"核查结果_{report.agency or '未识别'}_{report.year or ''}")
    docx = views.findings_docx_bytes(findings, report.file.split("/")[-1], report.agency, report.year, report)
    return (md, gr.update(value=export_file(ctx, stem + ".docx", docx, caller), visible=True),
            gr.update(value=export_file(ctx, stem + ".md", md, caller), visible=True),
            gr.update(value=export_file(ctx, stem + ".csv", views.findings_csv(findings), caller), visible=True),
            overview, t2, t3, t4, gr.update(value=scans or None, visible=bool(scans)))


def empty_check(message: str):
    return (message, gr.update(value=None, visible=False), gr.update(value=None, visible=False),
            gr.update(value=None, visible=False), "", [], [], [], gr.update(value=None, visible=False))


def check_stored(ctx: AppContext, report_id: str | None, caller: Caller | None = None):
    if not report_id:
        return empty_check("请先选择年报库中的一份报告。")
    record = ctx.library.facts.report(report_id)
    report = ctx.library.facts.report_object(report_id)
    if record is None or report is None:
        return empty_check("该报告已不在年报库中，请刷新页面。")
    # the stored findings: the same ones 年报库 and `nianbao list` count (recomputed when a neighbour changes)
    return check_outputs(ctx, report, ctx.library.facts.findings(report_id), f"{views.report_choice_label(record)} 核查结果",
                         getattr(record, "path", None), caller)


def check_draft(ctx: AppContext, path: str | None, caller: Caller | None = None):
    """Read and check a file without storing it."""
    if not path:
        return empty_check("请上传一份年报草稿（PDF、DOCX、HTML、TXT 或 MD），它不会存入年报库。")
    shown = views.safe_file_name(Path(path).name)
    try:
        if Path(shown).suffix.lower() not in SUFFIXES:
            raise ExtractError("unsupported_type", "不支持的文件类型：请上传 PDF、DOCX、HTML、TXT、MD 格式的年度报告，或 PNG、JPG 格式的扫描页。")
        report = ctx.reader.extract(path, display_name=shown)
    except ExtractError as e:
        return empty_check(f"**无法读取 {shown}：** {e.message}")
    finally:
        forget_upload(path)                     # a draft is not kept, not even in Gradio's cache
    return check_outputs(ctx, report, run_check(ctx, report), f"草稿《{shown}》核查结果（未入库）", path, caller)


# -- 待核对 (issue 22): what needs a person, and the editor's correction from the original ------------------------
PENDING_HIDDEN_IMAGE = dict(value=None, visible=False)


def pending_groups(ctx: AppContext):
    """The groups the 待核对 filter offers (the chosen one is kept)."""
    return gr.update(choices=[g for g, _ in ctx.library.facts.groups()])


def pending_list(ctx: AppContext, group: str | None = None, caller: Caller | None = None):
    """The queue (assistant.corrections.pending_items) of one group or all: a summary, the table, the picker of
    the cells that can be corrected; the panel of what we saw is emptied."""
    from assistant.corrections import pending_items
    group = (group or "").strip() or None
    items = pending_items(ctx.library, group)
    frame = pd.DataFrame(views.pending_rows(items), columns=views.PENDING_HEADERS)
    note = views.pending_summary(items, group)
    if caller is not None and not allowed(caller.role, "correct"):
        note += (f"\n\n您的角色是{ROLE_LABELS.get(caller.role, caller.role)}（{caller.role}），只能查看；"
                 "人工校正需要编辑（editor）及以上角色。")
    return (note, frame,
            gr.update(choices=views.pending_choices(items), value=None), "", gr.update(**PENDING_HIDDEN_IMAGE))


def find_pending(ctx: AppContext, key: str | None):
    """The pending items at the cell a picker key names (a cell may be both unread and waiting for a correction to
    be confirmed again), with its stored report and record; None when it is settled or gone."""
    from assistant.corrections import pending_items
    parts = views.split_pending_key(key)
    record = ctx.library.facts.report(parts[0]) if parts else None
    if record is None:
        return None
    items = [i for i in pending_items(ctx.library, record.group) if i.report_id == record.id and i.cell_key == parts[1]]
    report = ctx.library.facts.report_object(record.id) if items else None
    return (items, report, record) if report is not None else None


def pending_show(ctx: AppContext, key: str | None, caller: Caller | None = None):
    """What we saw at the chosen cell: the page crop with its box (PDFs, scans), the source line (text), the
    candidate readings (glued splits, the OCR suggestion)."""
    if not key:
        return "", gr.update(**PENDING_HIDDEN_IMAGE)
    found = find_pending(ctx, key)
    if found is None:
        return "这一处已校正或已不在年报库中，请刷新列表。", gr.update(**PENDING_HIDDEN_IMAGE)
    (item, *also), report, record = found
    source = views.pending_source(report, item)
    readings, n = views.pending_readings(report, item)
    line = views.pending_line(record.path, source, item.seen) if report.kind != "pdf" else ""
    crop = views.pending_crop(record.path, report, source)
    md = views.pending_markdown(item, readings, n, line, views.pending_columns(report, item), also, source)
    return md, (gr.update(value=crop, visible=True) if crop is not None else gr.update(**PENDING_HIDDEN_IMAGE))


def pending_correct(ctx: AppContext, key: str | None, value: str | None, note: str | None, confirm: bool = False,
                    group: str | None = None, caller: Caller | None = None):
    """An editor enters the value from the original for the chosen cell (assistant.corrections.correct_cell, the
    same as `nianbao correct`): kept as a layer over the reading, in the audit log, the report checked again. A
    value that breaks an identity the rest of the table satisfies is refused until “确认” is ticked."""
    from assistant.corrections import correct_cell
    parts = views.split_pending_key(key)
    if parts is None:
        result = "**未校正：** 请先在列表中选择一处待核对的单元格。"
    elif not (value or "").strip():
        result = "**未校正：** 请填写原件上印的数字（如 12）。"
    elif not " ".join((note or "").split()):
        result = "**未校正：** 请填写校正依据（如“依据原件第3页”），便于日后核对。"
    else:
        try:
            with ctx.write_lock:
                outcome = correct_cell(ctx.library, caller, parts[0], parts[1], value.strip(), note, confirm=bool(confirm),
                                       channel="web")
            result = outcome.message
        except AccessDenied as e:
            raise gr.Error(e.message, title="无法执行") from None
        except UserError as e:
            result = f"**未校正：** {e.message}"
    return (result,) + pending_list(ctx, group, caller) + library_counts(ctx)


def library_counts(ctx: AppContext):
    """After a correction: the status lines and the 年报库 table (its error and warning counts); the pickers of
    the other tabs keep what is chosen in them."""
    status = library_status(ctx)
    return status, status, views.library_rows(ctx.library.reports(editions=True))


def pending_import(ctx: AppContext, path: str | None, confirm: bool = False, group: str | None = None,
                   caller: Caller | None = None):
    """Many corrections from a CSV (columns report,table,row,column,value,note), each row on its own
    (assistant.corrections.import_corrections, the same as `nianbao correct --import`)."""
    from assistant.corrections import import_corrections
    if not path:
        result = "请上传校正文件（CSV，列为 report,table,row,column,value,note）。"
    else:
        try:
            with ctx.write_lock:
                done, failed = import_corrections(ctx.library, caller, path, confirm=bool(confirm), channel="web")
            result = "\n".join([f"共校正 {len(done)} 处，未校正 {len(failed)} 处。", ""]
                               + [f"- {o.message}" for o in done] + [f"- **未校正：** {line}" for line in failed])
        except AccessDenied as e:
            raise gr.Error(e.message, title="无法执行") from None
        except UserError as e:
            result = f"**未校正：** {e.message}"
        finally:
            forget_upload(path)
    return (result,) + pending_list(ctx, group, caller) + library_counts(ctx) + (None,)


# -- 对比 ---------------------------------------------------------------------------------------------------
def compare(ctx: AppContext, agencies: list[str] | None, years: list[str] | None, metric_keys: list[str] | None,
            chart: str, caller: Caller | None = None):
    hidden = gr.update(visible=False)
    if not metric_keys:
        return "请至少选择一个指标。", [], hidden, hidden, gr.update(value=None, visible=False)
    records = [r for r in ctx.library.reports()
               if (not agencies or r.agency in agencies) and (not years or str(r.year) in years)]
    if not records:
        return ("年报库中没有符合条件的报告。" if ctx.library.reports() else views.EMPTY_LIBRARY_HELP), [], hidden, hidden, \
            gr.update(value=None, visible=False)
    cells = {r.id: {(f.table, f.row, f.column): f for f in ctx.library.facts.table_facts(r.id)} for r in records}
    rows = views.comparison_rows(records, cells, metric_keys)
    headers, table = views.comparison_wide(rows, metric_keys)
    frame = views.chart_frame(rows)
    blanks = sum(r["数值"] is None for r in rows)
    note = f"共 {len(records)} 份报告、{len(metric_keys)} 个指标。数字均取自各报告表格（或由表格数字计算）。"
    if blanks:
        note += f" 其中 {blanks} 个数值因表中为空无法给出，图中不显示。"
    csv_path = export_file(ctx, "年报对比.csv", views.comparison_csv(rows), caller)
    table_update = gr.update(value=pd.DataFrame(table, columns=headers))
    if chart == "折线图" and (frame.empty or frame.groupby("系列").size().max() < 2):
        chart = "柱状图"
        note += " 折线图需要同一单位至少两个年度的数据，已改用柱状图。"
    if chart == "折线图":
        line = gr.update(value=frame, x="年度", y="数值", color="系列", visible=True)
        return note, table_update, hidden, line, gr.update(value=csv_path, visible=True)
    color = "指标" if len(metric_keys) > 1 else "年度"        # two metrics: one colour each, named in the legend
    bar = gr.update(value=frame, x="条目", y="数值", color=color, sort=list(dict.fromkeys(frame["条目"])),
                    x_title="年报（单位 年度）", y_title="数值", visible=True)
    return note, table_update, bar, hidden, gr.update(value=csv_path, visible=True)


# -- 起草 ---------------------------------------------------------------------------------------------------
def draft_years(ctx: AppContext, agency: str | None):
    years = sorted({r.year for r in ctx.library.facts.find_reports(agency) if r.year}) if agency else []
    choices = [str(y) for y in years] + ([str(years[-1] + 1)] if years else [])
    return gr.update(choices=choices, value=str(years[-1]) if years else None)


def make_draft(ctx: AppContext, agency: str | None, year: str | None, sections: list[str] | None) -> str:
    """The chosen sections for one unit and year (assistant.drafting.draft_unit_sections), polished by the
    language model when one is configured (its figures checked by the number guard)."""
    from assistant.drafting import draft_unit_sections
    if not agency or not year:
        return views.EMPTY_HINTS["draft"] if ctx.library.reports() else views.EMPTY_LIBRARY_HELP
    if not sections:
        return "请至少选择一个要起草的部分。"
    if not str(year).strip().isdigit():
        return f"年度“{year}”无效，请选择或填写四位数的年度。"
    text = draft_unit_sections(ctx.library, agency, int(year), [views.DRAFT_SECTIONS.get(s, s) for s in sections])
    from assistant.answer import polish_draft
    text, _ = polish_draft(f"起草{agency}{year}年度报告：{'、'.join(sections)}", text)
    return text


def export_draft(ctx: AppContext, agency: str | None, year: str | None, text: str, keep_sources: bool = True,
                 caller: Caller | None = None):
    if not text or not text.strip():
        return gr.update(value=None), "草稿为空，请先生成或填写草稿。"
    title = f"{agency or ''}{year or ''}年政府信息公开工作年度报告（草稿）"
    path = export_file(ctx, f"{agency or '年报'}{year or ''}年报草稿.docx", views.draft_docx_bytes(title, text, keep_sources),
                       caller)
    return gr.update(value=path), "已生成 DOCX，点击上方文件名下载。【】中的内容需要您补充核实。"


# -- 体检 and 与上年比对 (issue 13: assistant/review) ---------------------------------------------------------
REVIEW_PROGRESS_EVERY = 5        # update the progress bar every N reports


def review_choices(ctx: AppContext):
    """Pickers of the 体检 tab and the 与上年比对 view: groups, years, reports (the chosen values are kept)."""
    records = ctx.library.reports()
    groups = [g for g, _ in ctx.library.facts.groups()]
    years = sorted({str(r.year) for r in records if r.year}, reverse=True)
    reports = [(views.report_choice_label(r), r.id) for r in records]
    return gr.update(choices=groups), gr.update(choices=years), gr.update(choices=reports), gr.update(choices=reports)


def problems_markdown(review) -> str:
    """The common problems, most units first, each with one cited example; then what we could not read."""
    from assistant.review.region import ERROR
    lines = ["#### 共性问题（按涉及单位数排序）"]
    if not review.problems:
        lines.append("未发现错误或警告。")
    for i, p in enumerate(review.problems, 1):
        lines.append(f"{i}. **{p.title}**（{'错误' if p.severity == ERROR else '警告'}，规则 {p.rule}）："
                     f"{len(p.units)}个单位（{'、'.join(p.units)}）  \n   例：{p.example_text()}")
    if review.unread:
        lines += ["", "#### 未能读取，请核对原件（读取问题，不计入单位的问题）"]
        for u in review.unread:
            lines.append(f"- {u.agency}（{u.file}）：" + "；".join(w.get("message", "") for w in u.reading))
    return "\n".join(lines)


def run_review(ctx: AppContext, group: str | None, year: str | None, progress=gr.Progress(),
               caller: Caller | None = None):
    """Review a group and year: summary, table of units, common problems, the 通报 DOCX and the XLSX annex."""
    from assistant.review.notice import notice_docx, problem_list_xlsx
    from assistant.review.region import UNIT_HEADERS, ReviewError, review_group, unit_rows
    hidden = gr.update(value=None, visible=False)
    empty = (pd.DataFrame(columns=UNIT_HEADERS), "", hidden, hidden, gr.update(choices=[], value=None), {})
    if not group or not str(year or "").strip().isdigit():
        return ("请先选择分组和年度。" if ctx.library.reports() else views.EMPTY_LIBRARY_HELP,) + empty

    def step(i: int, n: int, name: str) -> None:
        if i % REVIEW_PROGRESS_EVERY == 0 or i == n:
            progress((i, n), desc=f"正在体检 {name}（{min(i + 1, n)}/{n}）")
    try:
        review = review_group(ctx.library, group, int(year), on_progress=step)
    except ReviewError as e:
        return (e.message,) + empty
    progress((len(review.units), len(review.units)), desc="正在生成通报草稿和问题清单")
    frame = pd.DataFrame(unit_rows(review), columns=UNIT_HEADERS)
    stem = f"{review.group}{review.year}年度"
    docx_path = export_file(ctx, f"{stem}年报检查情况通报（草稿）.docx", notice_docx(review), caller)
    xlsx_path = export_file(ctx, f"{stem}年报问题清单.xlsx", problem_list_xlsx(review), caller)
    note = (f"{review.summary()}\n\n点击表头可按该列排序；点击某个单位所在行，下方显示该单位的核查结果。"
            f"（用时 {review.seconds:.1f} 秒，跨年规则对照上年报告重新计算 {review.recomputed} 份。）")
    findings = {u.report_id: {"title": f"{u.agency}（{u.file}）核查结果", "findings": list(u.findings)}
                for u in review.units}
    return (note, frame, problems_markdown(review), gr.update(value=docx_path, visible=True),
            gr.update(value=xlsx_path, visible=True),
            gr.update(choices=[(u.agency, u.report_id) for u in review.units], value=None), findings)


def review_unit_findings(ctx: AppContext, state: dict | None, report_id: str | None) -> str:
    """One unit's findings from the last review (the 核查 of that unit)."""
    item = (state or {}).get(report_id or "")
    if not item:
        return ""
    return views.findings_markdown(item["findings"], item["title"])


def review_row_selected(ctx: AppContext, evt: gr.SelectData):
    """Clicking a row of the table of units picks that unit (its report id is the row's last column)."""
    row = evt.row_value if evt is not None else None
    return gr.update(value=row[-1]) if row else gr.update()


# -- 评分 and the figures of 体检 (issue 26: assistant/review/scoring.py, figures.py) -------------------------------
def rubric_choices(ctx: AppContext):
    """The rubrics the 体检 tab offers: shipped ones and the office's own in <数据目录>/rubrics/."""
    from assistant.review.rubric import available_rubrics
    return gr.update(choices=[(f"{r.name}（满分{r.full_marks:g}分）", r.key) for r in available_rubrics(ctx.data_dir)])


def _score_empty(message: str):
    from assistant.review.figures import CARD_HEADERS
    from assistant.review.scoring import DEDUCTION_HEADERS, SCORE_HEADERS
    hidden = gr.update(value=None, visible=False)
    return (message, pd.DataFrame(columns=CARD_HEADERS), pd.DataFrame(columns=SCORE_HEADERS),
            pd.DataFrame(columns=DEDUCTION_HEADERS), pd.DataFrame(), pd.DataFrame(), "", hidden, hidden,
            gr.update(choices=[], value=None), {})


def run_score(ctx: AppContext, group: str | None, year: str | None, rubric_key: str | None, progress=gr.Progress(),
              caller: Caller | None = None):
    """体检 with a rubric: cards, the ranking, every deduction with its evidence, each unit's rates, the heat map,
    the 评分表 XLSX and the 通报 with its scoring section."""
    from assistant.review import figures
    from assistant.review.notice import notice_docx
    from assistant.review.region import ReviewError, review_group
    from assistant.review.rubric import RubricError, default_rubric, find_rubric
    from assistant.review.scoring import (DEDUCTION_HEADERS, SCORE_HEADERS, deduction_rows, held_key, score_group,
                                          score_rows, score_xlsx, unit_score_markdown)
    if not group or not str(year or "").strip().isdigit():
        return _score_empty("请先选择分组和年度。" if ctx.library.reports() else views.EMPTY_LIBRARY_HELP)
    try:
        rubric = (find_rubric(rubric_key, ctx.data_dir) if rubric_key
                  else default_rubric(group, int(year), ctx.data_dir))
        if rubric is None:
            return _score_empty("请先选择评分细则。")

        def step(i: int, n: int, name: str) -> None:
            if i % REVIEW_PROGRESS_EVERY == 0 or i == n:
                progress((i, n), desc=f"正在评分 {name}（{min(i + 1, n)}/{n}）")
        review = review_group(ctx.library, group, int(year))
        score = score_group(ctx.library, group, int(year), rubric, review=review, on_progress=step)
    except (ReviewError, RubricError) as e:
        return _score_empty(e.message)
    stem = f"{score.group}{score.year}年度"
    xlsx_path = export_file(ctx, f"{stem}年报评分表.xlsx", score_xlsx(score), caller)
    docx_path = export_file(ctx, f"{stem}年报检查情况通报（含评分，草稿）.docx", notice_docx(review, score), caller)
    cs = figures.cards(review, score)
    held = [(f"{u.agency}：{it.item.id} {o.finding[:40]}", held_key(u, it, o))
            for u in score.units for it in u.items for o in it.occurrences if o.held and not o.confirmed]
    note = (f"按《{rubric.name}》评分（满分{rubric.full_marks:g}分；依据：{rubric.source}）。点击任一数字、一行或热力图的一格，"
            f"下方显示它的依据。待确认的扣分（所依据的单元格或日期未能确认读取）不计入得分，核对原件后可在下方确认。")
    order = [u.report_id for u in score.units]
    state = {"cards": [figures.card_markdown(c) for c in cs],
             "units": {u.report_id: unit_score_markdown(u) for u in score.units},
             "rates": {u.report_id: figures.rate_markdown(u) for u in score.units},
             "heat_rules": figures.heat_columns(review),
             "heat": {u.report_id: {r: figures.heat_cell_markdown(review, u.report_id, r)
                                    for r in figures.heat_columns(review)} for u in review.units},
             "group": score.group, "year": score.year, "rubric": rubric.key}
    heat = pd.DataFrame(figures.heat_rows(review, order), columns=figures.heat_headers(review))
    return (note, pd.DataFrame(figures.card_rows(cs), columns=figures.CARD_HEADERS),
            pd.DataFrame(score_rows(score), columns=SCORE_HEADERS),
            pd.DataFrame(deduction_rows(score), columns=DEDUCTION_HEADERS),
            pd.DataFrame(figures.rate_rows(score), columns=figures.rate_headers()),
            figures.heat_style(heat), "", gr.update(value=xlsx_path, visible=True),
            gr.update(value=docx_path, visible=True), gr.update(choices=held, value=None), state)


def card_selected(ctx: AppContext, state: dict | None, evt: gr.SelectData):
    i = evt.index[0] if evt is not None and evt.index else None
    cards = (state or {}).get("cards") or []
    return cards[i] if i is not None and i < len(cards) else ""


def score_row_selected(ctx: AppContext, state: dict | None, evt: gr.SelectData):
    """A row of the ranking, the deductions or the rates: that unit's score (or rates) with every piece of evidence."""
    row = evt.row_value if evt is not None else None
    if not row:
        return ""
    state = state or {}
    rid = next((str(c) for c in row if str(c) in state.get("units", {})), None)
    if rid is None:
        return ""
    return state["units"][rid] + ("\n\n" + state["rates"][rid] if rid in state.get("rates", {}) else "")


def heat_selected(ctx: AppContext, state: dict | None, evt: gr.SelectData):
    """A cell of the heat map: that unit's findings of that problem type."""
    row = evt.row_value if evt is not None else None
    if not row or not evt.index:
        return ""
    state = state or {}
    rid, col = str(row[-1]), evt.index[1]
    rules = state.get("heat_rules") or []
    if 1 <= col <= len(rules):
        return state.get("heat", {}).get(rid, {}).get(rules[col - 1], "")
    return state.get("units", {}).get(rid, "")


def confirm_deduction(ctx: AppContext, key: str | None, group: str | None, year: str | None, rubric_key: str | None,
                      progress=gr.Progress(), caller: Caller | None = None):
    """An official confirms a held deduction (after checking the original); the score is made again."""
    from assistant.review.scoring import confirm_held
    if not key or key.count("/") != 2:
        raise gr.Error("请先选择一项待确认的扣分。", title="无法确认")
    report_id, item, occurrence = key.split("/")
    if ctx.library.facts.report(report_id) is None:
        raise gr.Error("年报库中没有这份报告（可能已删除），请重新评分。", title="无法确认")
    confirm_held(ctx.library, report_id, item, occurrence, caller.name if caller else "本机用户")
    audit(ctx, caller, "score_confirm", report_id, f"{item}/{occurrence}")
    return run_score(ctx, group, year, rubric_key, progress, caller)


def previous_for(ctx: AppContext, report_id: str | None):
    """The same unit's report of the year before, preselected as “上年报告”."""
    record = ctx.library.facts.report(report_id) if report_id else None
    if record is None or not record.agency or not record.year:
        return gr.update(value=None)
    earlier = previous_report_record(ctx, record)
    return gr.update(value=earlier.id if earlier else None)


def previous_report_record(ctx: AppContext, record):
    from assistant.validator import same_unit
    return next((r for r in ctx.library.facts.find_reports(year=record.year - 1) if same_unit(r, record)), None)


DIFF_CELL_HEADERS = ["单元格", "上年", "上年出处", "本年", "本年出处", "变化"]


def sentences_markdown(diff) -> str:
    lines = []
    for s in diff.sections:
        lines.append(f"\n#### {s.name}" + ("（与上年逐字相同）" if s.copied else ""))
        lines.append(f"新增 {len(s.added)} 句，删去 {len(s.removed)} 句，相同 {len(s.unchanged)} 句，相似度 {s.similarity:.2f}。")
        # words, not ➕/➖: office machines' fonts have no such signs (issue 24); the same marks as the DOCX
        lines += [f"- **【新增】** {x.cited('本年')}" for x in s.added]
        lines += [f"- **【删去】** {x.cited('上年')}" for x in s.removed]
        if s.unchanged:
            lines.append("<details><summary>相同的句子</summary>\n")
            lines += [f"- {x.cited('本年')}" for x in s.unchanged]
            lines.append("\n</details>\n")              # the blank line ends the HTML block
    return "\n".join(lines)


def promises_markdown(diff) -> str:
    o, n = diff.old.year or "上年", diff.new.year or "本年"
    lines = [f"#### {o}年报告第五部分所列问题和改进措施，{n}年报告怎么说"]
    if not diff.promises:
        lines.append(f"{o}年报告第五部分没有列出具体问题或改进措施。")
    for i, p in enumerate(diff.promises, 1):
        head, answer = p.describe(o, n)
        lines.append(f"{i}. {head} → **{p.status}**" + (f"  \n   {answer}" if answer else ""))
    return "\n".join(lines)


def run_diff(ctx: AppContext, report_id: str | None, previous_id: str | None, caller: Caller | None = None):
    """与上年比对 of one stored report against another (its previous year's by default)."""
    from assistant.review.diff import diff_reports, number_text
    from assistant.docx_export import xml_safe
    from assistant.review.diff_export import diff_docx, diff_title
    hidden = gr.update(value=None, visible=False)
    if not report_id:
        return "请先选择要比对的报告。", [], "", "", hidden
    if not previous_id:
        return "年报库中没有该单位上一年度的报告，请在“上年报告”中选择一份，或先入库上年报告。", [], "", "", hidden
    new, old = ctx.library.facts.report_object(report_id), ctx.library.facts.report_object(previous_id)
    if new is None or old is None:
        return "所选报告已不在年报库中，请刷新页面。", [], "", "", hidden
    diff = diff_reports(old, new)
    rows = [[c.label, "空白" if c.old is None else number_text(c.old), c.old_where,
             "空白" if c.new is None else number_text(c.new), c.new_where, c.change_text()] for c in diff.cells]
    note = diff.summary() + "".join(f"\n\n注意：{x}" for x in diff.notes)
    path = export_file(ctx, xml_safe(diff_title(diff)) + ".docx", diff_docx(diff), caller)
    rows = [[xml_safe(v) for v in row] for row in rows]         # a \x0b or a lone surrogate from the report's text
    return (xml_safe(note), pd.DataFrame(rows, columns=DIFF_CELL_HEADERS), xml_safe(sentences_markdown(diff)),
            xml_safe(promises_markdown(diff)), gr.update(value=path, visible=True))


def set_group(ctx: AppContext, ids: list[str] | None, group: str | None, caller: Caller | None = None):
    """年报库: put the chosen reports in a group (an empty name takes them out of any)."""
    ids = picked_ids(ids)
    if not ids:
        return ("请先在上面的列表中选择要设置分组的报告。",) + refresh_all(ctx)
    with ctx.write_lock:
        n = ctx.library.set_group(ids, group)
    name = clean_group(group)
    audit(ctx, caller, "group", "、".join(ids), f"分组设为“{name}”，{n} 份" if name else f"清除分组，{n} 份")
    return ((f"已将 {n} 份报告的分组设为“{name}”。" if name else f"已清除 {n} 份报告的分组。"),) + refresh_all(ctx)


# -- 发布情况 (issue 25): the roster, the season board, harvesting ---------------------------------------------
def _season_year(year) -> int | None:
    try:
        return int(str(year).strip().removesuffix("年")) if year not in (None, "") else None
    except ValueError:
        return None


def run_season(ctx: AppContext, group: str | None, year: str | None, caller: Caller | None = None):
    """体检·发布情况: the board of the roster's units for a year (viewers see it), with its XLSX."""
    from assistant.season.board import BOARD_HEADERS, board_totals, board_xlsx, season_board
    from assistant.season import roster_store
    from assistant.season.roster import roster_xlsx
    hidden = gr.update(value=None, visible=False)
    empty = pd.DataFrame(columns=list(BOARD_HEADERS))
    y = _season_year(year)
    if y is None:
        return "请先选择或填写年度（如 2025）。", empty, hidden, hidden, gr.update(choices=[]), gr.update(choices=[])
    board = season_board(ctx.library, y, group=group or None)
    units = roster_store(ctx.library).units()
    if not board.rows:
        return ("名册为空：请导入名册（XLSX/CSV，格式见 README“名册”），才能看到哪些单位尚未发布。", empty, hidden, hidden,
                gr.update(choices=[]), gr.update(choices=[]))
    note = board.summary()
    if board.unassigned:
        note += "\n\n不在名册中的年报：" + "；".join(f"{u.file}（{u.note}）" for u in board.unassigned)
    for totals in board_totals(board, ctx.library.facts.report_object):     # 汇总下级: a whole-area report's sums
        note += "\n\n" + totals.markdown()
    frame = pd.DataFrame([r.cells() for r in board.rows], columns=list(BOARD_HEADERS))
    path = export_file(ctx, board.title + ".xlsx", board_xlsx(board), caller)
    roster_path = export_file(ctx, "名册.xlsx", roster_xlsx(units), caller)
    unassigned = [(f"{u.file}（{u.agency or '未识别单位'}）", u.report_id) for u in board.unassigned]
    return (note, frame, gr.update(value=path, visible=True), gr.update(value=roster_path, visible=True),
            gr.update(choices=unassigned, value=None), gr.update(choices=[u.name for u in units], value=None))


def assign_to_unit(ctx: AppContext, report_id: str | None, unit: str | None, caller: Caller | None = None) -> str:
    """体检·发布情况: say which roster unit a report the roster did not know belongs to (editors)."""
    from assistant.season import assign_report
    if not report_id or not unit:
        return "请先选择不在名册中的年报和名册中的单位。"
    try:
        return assign_report(ctx.library, caller or Caller(LOCAL_USER, "admin"), report_id, unit)
    except UserError as e:
        return e.message


def import_roster_upload(ctx: AppContext, path: str | None, caller: Caller | None = None) -> str:
    """体检·发布情况: import a roster file (editors)."""
    from assistant.season import import_roster
    if not path:
        return "请先选择名册文件（XLSX 或 CSV）。"
    staged = Path(tempfile.mkdtemp(dir=ctx.export_dir)) / views.safe_file_name(Path(path).name)
    shutil.copyfile(path, staged)
    try:
        return import_roster(ctx.library, caller or Caller(LOCAL_USER, "admin"), staged)
    except UserError as e:
        return e.message
    finally:
        shutil.rmtree(staged.parent, ignore_errors=True)


def run_harvest(ctx: AppContext, group: str | None, year: str | None, progress=gr.Progress(),
                caller: Caller | None = None) -> str:
    """体检·发布情况: harvest the year's reports from the units' sites (editors)."""
    from assistant.season.harvest import harvest
    y = _season_year(year)
    if y is None:
        return "请先选择或填写年度（如 2025）。"
    done = []

    def step(outcome):
        done.append(outcome)
        progress(None, desc=f"已处理 {len(done)} 个单位：{outcome.unit}")
    try:
        summary = harvest(ctx.library, caller or Caller(LOCAL_USER, "admin"), y, group or None, on_progress=step)
    except UserError as e:
        return e.message
    return summary.describe()


# -- 问答 ---------------------------------------------------------------------------------------------------
MAX_CITATIONS_SHOWN = 8

# -- rendering text a model or a report wrote: no images, no links, no HTML (views.safe_markdown) ------------
safe_markdown = views.safe_markdown


class SafeMarkdown(gr.Markdown):
    """A Markdown box whose every value goes through views.safe_markdown on the server, so text from a report,
    a unit or group name, or a user renders as text: no image is fetched, no link is live (issue 21: 核查, 体检,
    与上年比对 and the 年报库 log fetched an outside address). The page draws it as an ordinary Markdown box."""

    @classmethod
    def get_block_name(cls) -> str:
        return "markdown"

    def postprocess(self, value):
        return super().postprocess(views.safe_markdown(value) if isinstance(value, str) else value)


def chat_reply(ctx: AppContext, question: str, history: list | None = None) -> Iterator[tuple[str, list[dict], object]]:
    """(answer text so far, citations as dicts, the final Answer or None) as the answer streams
    (assistant.answer); how to add reports when the library is empty."""
    from assistant.answer import stream_answer
    if not ctx.library.reports():
        yield views.EMPTY_LIBRARY_HELP, [], None
        return
    for item in stream_answer(question, history or [], ctx.library):
        if isinstance(item, str):
            yield safe_markdown(item), [], None
        else:
            yield safe_markdown(item.text), [c.to_json() for c in item.citations], item


PAGE_VIEWS_SHOWN = 3          # cited cells shown on their original page (the first ones of an answer)


def cited_page(ctx: AppContext, c: dict) -> str | None:
    """The original page of a cited table cell with the cell boxed, as a PNG under the export dir (its path), or
    None: not a cell, no page or box read, the file gone."""
    if not (c.get("table") and c.get("row") and c.get("page")):
        return None
    try:
        record = ctx.library.resolve(c["file"])
    except LibraryError:
        return None
    report = ctx.library.facts.report_object(record.id) if record is not None else None
    table = report.table(c["table"]) if report is not None else None
    cell = table.cell(c["row"], c.get("column") or "value") if table is not None else None
    if cell is None or cell.source is None or not cell.source.bbox or cell.source.page != c["page"]:
        return None
    image = views.cell_page_view(record.path, c["page"], cell.source.bbox, report.page_turns.get(c["page"], 0))
    if image is None:
        return None
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return export_file(ctx, f"原件第{c['page']}页.png", buffer.getvalue())


def citation_messages(citations: list[dict], ctx: AppContext | None = None) -> list[dict]:
    """One folded chat message per citation: the title names report, section or cell, and page; opening it
    shows the passage or the cell. With `ctx` (the final answer), the first cited cells are also shown on
    their original page with the cell boxed, one folded message each."""
    shown = []
    pages = 0
    for i, c in enumerate(citations[:MAX_CITATIONS_SHOWN], 1):
        shown.append({"role": "assistant", "content": safe_markdown(views.citation_body(c)),
                      "metadata": {"title": views.citation_title(i, c), "status": "done"}})
        png = cited_page(ctx, c) if ctx is not None and pages < PAGE_VIEWS_SHOWN else None
        if png:
            pages += 1
            shown.append({"role": "assistant", "content": {"path": png, "alt_text": f"原件第{c['page']}页"},
                          "metadata": {"title": f"[{i}] 打开原件第{c['page']}页（红框为所引单元格）", "status": "done"}})
    if len(citations) > MAX_CITATIONS_SHOWN:
        shown.append({"role": "assistant", "content": f"（另有 {len(citations) - MAX_CITATIONS_SHOWN} 处出处，见回答正文中的〔〕标注）"})
    return shown


def respond(ctx: AppContext, question: str, messages: list[dict] | None, answers: list | None):
    """The chat box: the user's question, the streamed answer, then one folded message per citation.
    `messages` is the conversation so far as kept in the session (not read back from the chat box, whose page
    images a browser cannot send back); `answers` (the session's earlier Answers) let follow-ups like
    “那2023年呢？” resolve. Yields (question box, chat box, the conversation kept, answers)."""
    question = (question or "").strip()
    messages = list(messages or [])
    answers = list(answers or [])
    if not question:
        yield gr.update(), messages, messages, answers
        return
    messages.append({"role": "user", "content": safe_markdown(question)})     # shown as typed, fetching nothing
    answer_at = len(messages)
    yield "", messages, messages, answers           # the box is emptied once: a follow-up typed meanwhile stays
    try:
        for text, citations, final in chat_reply(ctx, question, answers):
            messages = messages[:answer_at] + [{"role": "assistant", "content": text}] + \
                citation_messages(citations, ctx if final is not None else None)
            if final is not None:
                answers.append(final)
            yield gr.update(), messages, messages, answers
    except Exception as e:      # a bug in one answer must not break the conversation
        messages = messages[:answer_at] + [{"role": "assistant",
                                            "content": f"抱歉，回答这个问题时出错（{type(e).__name__}）。请换个问法再试，或联系管理员。"}]
        yield gr.update(), messages, messages, answers


def chat_api(ctx: AppContext, question: str) -> Iterator[str]:
    """`/chat`: a question in, the answer text out (streamed)."""
    for text, _, _ in chat_reply(ctx, (question or "").strip()):
        yield text


# -- 账号与审计（管理员） -------------------------------------------------------------------------------------
USER_HEADERS = ["账号", "角色", "创建时间（北京时间）", "更新时间（北京时间）"]
AUDIT_SHOWN = 500


def user_rows(ctx: AppContext) -> list[list]:
    return [[u.name, ROLE_LABELS[u.role], beijing_time(u.created_at), beijing_time(u.updated_at)]
            for u in ctx.library.accounts.users()]


def audit_rows(ctx: AppContext, limit: int | None = AUDIT_SHOWN) -> list[list]:
    return [audit_row(e) for e in ctx.library.audit.entries(limit)]


def show_admin(ctx: AppContext, caller: Caller | None = None):
    """The account list and the newest audit entries."""
    return user_rows(ctx), audit_rows(ctx)


def add_user(ctx: AppContext, name: str, role: str, password: str, caller: Caller | None = None):
    try:
        account = ctx.library.accounts.add(name, role, password or "")
        audit(ctx, caller, "user_add", account.name, account.role)
        note = f"已添加账号“{account.name}”（{ROLE_LABELS[account.role]}）。"
    except AccountError as e:
        audit(ctx, caller, "user_add", (name or "").strip()[:64], e.message, ok=False)
        note = f"**未添加：** {e.message}"
    return note, user_rows(ctx), audit_rows(ctx)


def remove_user(ctx: AppContext, name: str, caller: Caller | None = None):
    name = (name or "").strip()
    try:
        account = ctx.library.accounts.remove(name)
        audit(ctx, caller, "user_remove", account.name, account.role)
        note = f"已删除账号“{account.name}”。"
    except AccountError as e:
        audit(ctx, caller, "user_remove", name[:64], e.message, ok=False)
        note = f"**未删除：** {e.message}"
    return note, user_rows(ctx), audit_rows(ctx)


def export_audit(ctx: AppContext, caller: Caller | None = None):
    import csv
    import io
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    from assistant.sheetcells import csv_row
    writer.writerow(AUDIT_HEADERS)
    writer.writerows(csv_row(row) for row in audit_rows(ctx, None))
    return gr.update(value=export_file(ctx, "审计日志.csv", buffer.getvalue(), caller), visible=True)


def whoami(ctx: AppContext, caller: Caller | None = None):
    """The line that says who is logged in, and whether the admin tab is shown (the server checks anyway)."""
    if caller is None:
        return "", gr.update(visible=False)
    if ctx.gate.mode == "open":
        text = "单机模式（未设置账号，仅本机可访问）。"
    else:
        text = f"当前用户：**{caller.name}**（{ROLE_LABELS.get(caller.role, caller.role)}）"
    return text, gr.update(visible=caller.role == "admin")


# -- access: every event goes through `guarded` ---------------------------------------------------------------
def client_host(request) -> str | None:
    client = getattr(request, "client", None)
    return getattr(client, "host", None)


def guarded(ctx: AppContext, fn, action: str):
    """`fn(ctx, *inputs[, caller=...])` as a Gradio event handler that first identifies the caller from the
    request and checks `action` against their role (assistant.access); a refusal is a Chinese gr.Error and an
    audit entry. The handler's own parameters (minus ctx and caller) stay visible to Gradio, so Progress works."""
    sig = inspect.signature(fn)
    wants_caller = "caller" in sig.parameters
    params = [p for name, p in list(sig.parameters.items())[1:] if name != "caller"]
    request_param = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
                                      annotation=gr.Request)
    exposed = sig.replace(parameters=params + [request_param], return_annotation=inspect.Signature.empty)

    def admit(args):
        bound = exposed.bind(*args)
        bound.apply_defaults()
        request = bound.arguments.pop("request", None)
        try:
            caller = ctx.gate.caller(getattr(request, "username", None), client_host(request))
            ctx.gate.require(caller, action)
        except AccessDenied as e:
            raise gr.Error(e.message, title="无法执行") from None
        kwargs = {"caller": caller} if wants_caller else {}
        return list(bound.arguments.values()), kwargs

    if inspect.isgeneratorfunction(fn):
        def handler(*args):
            inputs, kwargs = admit(args)
            yield from fn(ctx, *inputs, **kwargs)
    else:
        def handler(*args):
            inputs, kwargs = admit(args)
            return fn(ctx, *inputs, **kwargs)
    handler.__name__ = fn.__name__
    handler.__doc__ = fn.__doc__
    handler.__signature__ = exposed
    hints = gr_utils.get_type_hints(fn)                  # gr.SelectData & co. stay visible to Gradio
    handler.__annotations__ = {p.name: hints[p.name] for p in params if p.name in hints} | {"request": gr.Request}
    return handler


# -- every HTTP request: sessions, the source address, who may download an export -----------------------------
EXPORT_REFUSED = "无权下载：这份导出文件是其他账号生成的。请在页面上重新生成后下载。"
SESSION_ENDED = "登录已失效：账号的密码或角色已更改，或账号已被删除。请刷新页面重新登录。"
FILE_ROUTES = ("/gradio_api/file=", "/file=")
EVENT_ROUTES = ("/gradio_api/queue/join", "/gradio_api/call/", "/gradio_api/upload", "/gradio_api/run/",
                "/gradio_api/api/")


class WebGuard:
    """ASGI middleware in front of Gradio. It (1) sets `request_client` to the request's address (so logins and
    their audit entries carry it), (2) in password mode swaps Gradio's in-memory token table for
    access.SessionTokens (sessions in the database, bound to the account's uid and credential version), (3) ends
    the session in the database on /logout and (4) refuses a file under the export dir to anyone but the account
    that made it (same name and uid) or an administrator."""

    def __init__(self, app, ctx: AppContext):
        self.app, self.ctx = app, ctx

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        gate, gradio_app = self.ctx.gate, scope.get("app")
        if gate.mode == "password" and gradio_app is not None and not isinstance(getattr(gradio_app, "tokens", None), SessionTokens):
            gradio_app.tokens = SessionTokens(self.ctx.library.sessions)
        client = (scope.get("client") or (None,))[0]
        reset = request_client.set(client)
        try:
            path = scope.get("path", "")
            if path.rstrip("/") == "/logout" and gradio_app is not None:
                token = self._token(scope, gradio_app)
                if token and gate.mode == "password":
                    self.ctx.library.sessions.end(token)
            if gate.mode == "password" and gradio_app is not None and path.startswith(EVENT_ROUTES):
                token = self._token(scope, gradio_app)
                if token and self.ctx.library.sessions.name_of(token) is None:     # a session that was ended
                    from starlette.responses import JSONResponse
                    return await JSONResponse({"detail": SESSION_ENDED}, status_code=401)(scope, receive, send)
            for prefix in FILE_ROUTES:
                if path.startswith(prefix) and not self._may_download(scope, gradio_app, path[len(prefix):], client):
                    from starlette.responses import PlainTextResponse
                    return await PlainTextResponse(EXPORT_REFUSED, status_code=403)(scope, receive, send)
            return await self.app(scope, receive, send)
        finally:
            request_client.reset(reset)

    @staticmethod
    def _token(scope, gradio_app) -> str | None:
        from starlette.requests import HTTPConnection
        cookies = HTTPConnection(scope).cookies
        cookie_id = getattr(gradio_app, "cookie_id", "")
        return cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")

    def _may_download(self, scope, gradio_app, wanted: str, client: str | None) -> bool:
        """False only for an export (under the export dir, or Gradio's cached copy of one) that the caller may
        not have; everything else is Gradio's to answer (its login check and allowed paths)."""
        gate, exports = self.ctx.gate, self.ctx.library.exports
        if gate.mode == "open":
            return True
        folder = None
        for root in (self.ctx.export_dir, Path(gr_utils.get_upload_folder())):
            try:
                relative = Path(wanted).resolve().relative_to(root.resolve())
            except (ValueError, OSError):
                continue
            if relative.parts and (root == self.ctx.export_dir or exports.is_export(relative.parts[0])):
                folder = relative.parts[0]
                break
        if folder is None:
            return True
        if gate.mode == "password":
            name = self.ctx.library.sessions.name_of(self._token(scope, gradio_app))
        else:
            from starlette.requests import HTTPConnection
            name = gate.header_user(HTTPConnection(scope).headers, client)
        if name is None:
            return True                              # not logged in: Gradio answers 401
        account = gate.accounts.get(name)
        if account is None:
            return False
        if allowed(account.role, "audit"):           # administrators may see every export
            return True
        return exports.made_by(folder, name)


# -- the page -----------------------------------------------------------------------------------------------
def build_app(data_dir: str | Path | None = None, library: Library | None = None, gate: Gate | None = None) -> gr.Blocks:
    """The whole page over one library (`library`, or one opened on `data_dir`, default NIANBAO_DATA_DIR or ./data).
    `gate` says who may do what (default: decided as for an app on 127.0.0.1)."""
    library = library or Library(data_dir)
    library.open()                           # Chroma opened once, before the first question arrives
    answer_prepare()                         # and the answer path's lazy loads done
    export_dir = library.data_dir / "exports"
    export_dir.mkdir(parents=True, exist_ok=True)
    gate = gate or Gate(library.accounts, library.audit, access_mode(library.accounts, "127.0.0.1"))
    ctx = AppContext(library, threading.Lock(), export_dir, gate)
    ctx.reader.warm()
    library.delegate_passages(ctx.reader.embed_passages)   # uploads are embedded in the niced reader processes

    def bind(fn, action):
        return guarded(ctx, fn, action)

    with gr.Blocks(title="年报助手 nianbao", delete_cache=upload_cleanup()) as demo:
        with gr.Row():
            gr.Markdown("## 政府信息公开工作年度报告助手")
            who = SafeMarkdown(elem_id="whoami")
            if gate.mode == "password":
                gr.Button("退出登录", link="/logout", size="sm", scale=0, elem_id="logout")
        gr.Markdown(llm_banner(), elem_id="llm-banner")

        with gr.Tab("问答", id="qa"):
            qa_status = SafeMarkdown(elem_id="qa-status")
            answers = gr.State([])
            history = gr.State([])      # the conversation as the server wrote it (page images are not sent back)
            chatbot = gr.Chatbot(label="对话", height=480, elem_id="chat", buttons=["copy"], feedback_options=None)
            with gr.Row():
                question = gr.Textbox(placeholder="请输入问题，例如：某单位2024年收到多少件政府信息公开申请？",
                                      label="问题", show_label=False, scale=8, elem_id="question", lines=1, max_lines=4)
                ask = gr.Button("提问", variant="primary", scale=1, elem_id="ask")
                new_chat = gr.Button("新对话", scale=1, elem_id="new-chat")
            examples = gr.Dataset(components=[question], samples=[[q] for q in GENERIC_EXAMPLES], label="示例问题",
                                  elem_id="examples")
            gr.Markdown("回答中的每个数字都取自年报表格或由表格数字计算；点开回答下方的来源可查看原文段落或表格单元格（报告、章节、页码）。")

        with gr.Tab("年报库", id="library"):
            lib_status = SafeMarkdown(elem_id="library-status")
            upload_group = gr.Textbox(label="分组（地区，如 洪泽区；不填则按单位名称中的地名自动建议）", max_lines=1,
                                      elem_id="upload-group")
            uploads = gr.File(label=f"上传年报（{' / '.join(s.lstrip('.').upper() for s in FILE_TYPES)}，可多选，单个文件不超过 "
                                    f"{max_file_mb()} MB）", file_count="multiple",
                              type="filepath", elem_id="upload")      # types checked on the server, in Chinese
            ingest_log = SafeMarkdown(elem_id="ingest-log")
            with gr.Row():                                   # issue 24: search the library
                lib_query = gr.Textbox(label="搜索年报库（单位、年度、分组或正文中的词，多个词用空格分开）", max_lines=1,
                                       scale=4, elem_id="library-search")
                lib_year = gr.Dropdown(label="年度", choices=[("全部", "")], value="", scale=1, elem_id="library-year")
                lib_group = gr.Dropdown(label="分组", choices=[("全部", "")], value="", scale=1, elem_id="library-group")
                lib_agency = gr.Dropdown(label="单位", choices=[("全部", "")], value="", scale=2, elem_id="library-agency")
                lib_search_btn = gr.Button("搜索", scale=1, elem_id="library-search-run")
            lib_search_note = SafeMarkdown(elem_id="library-search-note")
            lib_table = gr.Dataframe(headers=views.LIBRARY_HEADERS, label="已入库的年报", interactive=False, wrap=True,
                                     elem_id="library-table")
            with gr.Row():
                picked = gr.Dropdown(label="选择报告（可多选）", multiselect=True, choices=[], allow_custom_value=True, scale=4, elem_id="library-pick")
                remove_btn = gr.Button("删除所选", variant="stop", scale=1, elem_id="remove")
                reingest_btn = gr.Button("重新入库所选（不选则全部）", scale=1, elem_id="reingest")
                edition_btn = gr.Button("改用所选版本", scale=1, elem_id="use-edition")
            with gr.Row():                                   # issue 13: edit the groups of the chosen reports
                group_name = gr.Textbox(label="分组名称（留空则清除分组）", max_lines=1, scale=4, elem_id="group-name")
                group_btn = gr.Button("设置所选报告的分组", scale=1, elem_id="group-set")

        with gr.Tab("核查", id="check"):
            gr.Markdown("选择年报库中的报告，或上传一份不入库的草稿，按格式、勾稽关系、正文与表格一致性等规则核查。")
            with gr.Row():
                with gr.Column():
                    check_pick = gr.Dropdown(label="年报库中的报告", choices=[], allow_custom_value=True, elem_id="check-pick")
                    check_btn = gr.Button("核查所选报告", variant="primary", elem_id="check-run")
                with gr.Column():
                    draft_file = gr.File(label="或上传草稿（不存入年报库）", type="filepath", elem_id="check-upload")
            findings_md = SafeMarkdown(views.EMPTY_HINTS["check"], elem_id="findings")
            with gr.Row():
                dl_docx = gr.DownloadButton("下载核查结果（Word 文档，公文格式，可打印）", visible=False, elem_id="findings-docx",
                                            variant="primary")
                dl_md = gr.DownloadButton("下载核查结果（Markdown）", visible=False, elem_id="findings-md")
                dl_csv = gr.DownloadButton("下载核查结果（CSV）", visible=False, elem_id="findings-csv")
            with gr.Accordion("读取结果：基本信息、章节与三张表（含每个数字的出处）", open=False):
                overview = SafeMarkdown(elem_id="overview")
                t2 = gr.Dataframe(headers=["行", "列", "数值", "出处"], label="表二 主动公开政府信息情况", wrap=True)
                t3 = gr.Dataframe(headers=["行"] + [TABLE3_COLUMN_LABELS[c] for c in TABLE3_COLUMNS] + ["出处"],
                                  label="表三 收到和处理政府信息公开申请情况", wrap=True)
                t4 = gr.Dataframe(headers=["类别"] + [TABLE4_COLUMN_LABELS[c] for c in TABLE4_COLUMNS] + ["出处"],
                                  label="表四 政府信息公开行政复议、行政诉讼情况", wrap=True)
                scans = gr.Gallery(label="扫描页识别结果：每个识别出的单元格（红框请核对原件）", visible=False,
                                   elem_id="scan-view", columns=1, height="auto")

        with gr.Tab("待核对", id="pending") as pending_tab:        # issue 22: 核对与校正
            gr.Markdown("资料库中未能读取或读取不确定的单元格（连写数字有多种读法、扫描件识别置信度低、未识别出数字等），"
                        "按分组和单位列出。选择一处可看到原件截图（红框为该单元格）或原文，以及可能的读法。"
                        "编辑及以上角色可对照原件填写数值：原读取结果保留，校正记入审计日志，该报告重新核查，"
                        "引用该数字的回答注明“人工校正”。")
            with gr.Row():
                pd_group = gr.Dropdown(label="分组（不选则全部）", choices=[], allow_custom_value=True, scale=4,
                                       elem_id="pending-group")
                pd_refresh = gr.Button("刷新列表", scale=1, elem_id="pending-refresh")
            pd_note = SafeMarkdown(elem_id="pending-note")
            pd_table = gr.Dataframe(headers=views.PENDING_HEADERS, label="待核对", interactive=False, wrap=True,
                                    elem_id="pending-table")
            pd_pick = gr.Dropdown(label="选择要核对的单元格", choices=[], allow_custom_value=True, elem_id="pending-pick")
            pd_seen = SafeMarkdown(elem_id="pending-seen")
            pd_image = gr.Image(label="原件截图（红框为该单元格）", type="pil", interactive=False, visible=False,
                                elem_id="pending-image")
            with gr.Row():
                pd_value = gr.Textbox(label="原件上的数值", max_lines=1, scale=1, elem_id="pending-value")
                pd_why = gr.Textbox(label="校正依据（如：依据原件第3页）", max_lines=1, scale=2, elem_id="pending-why")
                pd_confirm = gr.Checkbox(label="确认（原件确实如此，即使与勾稽关系不符）", scale=1, elem_id="pending-confirm")
                pd_submit = gr.Button("提交校正", variant="primary", scale=1, elem_id="pending-correct")
            pd_result = SafeMarkdown(elem_id="pending-result")
            with gr.Accordion("批量导入校正（CSV）", open=False, elem_id="pending-import-panel"):
                gr.Markdown("CSV（UTF-8）列为 `report,table,row,column,value,note`：report 为文件名或编号，"
                            "table/row/column 同上表中的单元格（如 table3、new_received、natural_person），note 为校正依据。"
                            "每行单独校正，不能校正的行会列出原因；上面的“确认”勾选对整个文件有效。")
                pd_csv = gr.File(label="上传校正文件（CSV）", type="filepath", elem_id="pending-csv")

        with gr.Tab("对比", id="compare"):
            with gr.Row():
                cmp_agencies = gr.Dropdown(label="单位（不选则全部）", multiselect=True, choices=[], allow_custom_value=True, elem_id="cmp-agencies")
                cmp_years = gr.Dropdown(label="年度（不选则全部）", multiselect=True, choices=[], allow_custom_value=True, elem_id="cmp-years")
            with gr.Row():
                cmp_metrics = gr.Dropdown(label="指标", multiselect=True, elem_id="cmp-metrics",
                                          choices=[(views.metric_choice_label(k), k) for k in views.COMPARE_METRIC_KEYS],
                                          value=["table3.new_received.total"], scale=4)
                cmp_chart = gr.Radio(["柱状图", "折线图"], value="柱状图", label="图表", scale=1)
                cmp_btn = gr.Button("生成对比", variant="primary", scale=1, elem_id="cmp-run")
            cmp_note = SafeMarkdown(views.EMPTY_HINTS["compare"], elem_id="cmp-note")
            cmp_table = gr.Dataframe(label="对比表", interactive=False, wrap=True, elem_id="cmp-table")
            cmp_bar = gr.BarPlot(x="条目", y="数值", color="指标", label="对比图", visible=False, x_label_angle=-30,
                                 x_title="年报（单位 年度）", y_title="数值", elem_id="cmp-bar")
            cmp_line = gr.LinePlot(x="年度", y="数值", color="系列", label="对比图", visible=False,
                                   x_title="年度", y_title="数值", elem_id="cmp-line")
            cmp_csv = gr.DownloadButton("下载对比数据（CSV，含出处）", visible=False, elem_id="cmp-csv")
            # -- 与上年比对 (issue 13) --
            with gr.Accordion("与上年比对：一个单位的报告与其上一年度报告逐格、逐句比对", open=False, elem_id="diff-panel"):
                with gr.Row():
                    diff_pick = gr.Dropdown(label="本年报告", choices=[], allow_custom_value=True, scale=3,
                                            elem_id="diff-pick")
                    diff_prev = gr.Dropdown(label="上年报告（自动选择同一单位上一年度）", choices=[],
                                            allow_custom_value=True, scale=3, elem_id="diff-prev")
                    diff_btn = gr.Button("与上年比对", variant="primary", scale=1, elem_id="diff-run")
                diff_note = SafeMarkdown(elem_id="diff-note")
                diff_cells = gr.Dataframe(headers=DIFF_CELL_HEADERS, label="表格逐格比对（空白不按0计）", interactive=False,
                                          wrap=True, elem_id="diff-cells")
                diff_promises = SafeMarkdown(elem_id="diff-promises")
                diff_sentences = SafeMarkdown(elem_id="diff-sentences")
                diff_docx_btn = gr.DownloadButton("下载比对结果（DOCX）", visible=False, elem_id="diff-docx")

        with gr.Tab("体检", id="review"):                   # issue 13: review a whole group
            gr.Markdown("选择分组（地区）和年度，对该组全部单位的年报逐一核查（跨年规则对照上年报告），汇总单位一览和共性问题，"
                        "生成通报草稿（DOCX）和问题清单（XLSX）。表中每个数字都是可以打开的核查结果条数；"
                        "选择评分细则后可按细则评分，每项扣分都列出依据。")
            with gr.Row():
                rv_group = gr.Dropdown(label="分组（地区）", choices=[], allow_custom_value=True, scale=3, elem_id="review-group")
                rv_year = gr.Dropdown(label="年度", choices=[], allow_custom_value=True, scale=2, elem_id="review-year")
                rv_btn = gr.Button("开始体检", variant="primary", scale=1, elem_id="review-run")
            rv_note = SafeMarkdown(elem_id="review-note")
            rv_units = gr.Dataframe(label="单位一览（点击表头排序，点击一行查看该单位的核查结果）", interactive=False,
                                    wrap=True, elem_id="review-units")
            with gr.Row():
                rv_docx = gr.DownloadButton("下载通报草稿（DOCX）", visible=False, elem_id="review-docx")
                rv_xlsx = gr.DownloadButton("下载问题清单（XLSX）", visible=False, elem_id="review-xlsx")
            rv_problems = SafeMarkdown(elem_id="review-problems")
            rv_state = gr.State({})
            rv_unit = gr.Dropdown(label="查看单位的核查结果", choices=[], allow_custom_value=True, elem_id="review-unit")
            rv_unit_md = SafeMarkdown(elem_id="review-unit-findings")
            # issue 25: the season — who on the roster has published, when, who is late
            with gr.Accordion("发布情况（名册）：名册中每个单位是否发布、何时发布、是否逾期、待核对几处", open=False,
                              elem_id="season-panel"):
                with gr.Row():
                    ss_btn = gr.Button("查看发布情况（用上面的分组和年度）", variant="primary", scale=2, elem_id="season-run")
                    ss_harvest = gr.Button("从各单位网站采集年报（编辑）", scale=2, elem_id="season-harvest")
                    ss_roster = gr.File(label="导入名册（XLSX/CSV，编辑）", type="filepath", scale=2,
                                        elem_id="season-roster")
                ss_note = SafeMarkdown(elem_id="season-note")
                ss_table = gr.Dataframe(label="发布情况表（点击表头排序）", interactive=False, wrap=True,
                                        elem_id="season-table")
                with gr.Row():
                    ss_xlsx = gr.DownloadButton("下载发布情况表（XLSX）", visible=False, elem_id="season-xlsx")
                    ss_roster_xlsx = gr.DownloadButton("下载名册（XLSX）", visible=False, elem_id="season-roster-xlsx")
                with gr.Row():
                    ss_unassigned = gr.Dropdown(label="不在名册中的年报", choices=[], allow_custom_value=True, scale=3,
                                                elem_id="season-unassigned")
                    ss_unit = gr.Dropdown(label="指定为名册中的单位", choices=[], allow_custom_value=True, scale=3,
                                          elem_id="season-unit")
                    ss_assign = gr.Button("指定（编辑）", scale=1, elem_id="season-assign")
            # issue 26: scores by a rubric, and the figures a leader looks at
            gr.Markdown("#### 评分与要点（按评分细则；每个数字都可点开看依据）")
            with gr.Row():
                rv_rubric = gr.Dropdown(label="评分细则", choices=[], scale=4, elem_id="review-rubric")
                rv_score_btn = gr.Button("评分", variant="primary", scale=1, elem_id="review-score")
            rv_score_note = SafeMarkdown(elem_id="review-score-note")
            rv_cards = gr.Dataframe(label="要点（点击一行看依据）", interactive=False, wrap=True, elem_id="review-cards")
            rv_ranking = gr.Dataframe(label="得分排名（点击一行看该单位的扣分及依据）", interactive=False, wrap=True,
                                      elem_id="review-ranking")
            rv_deductions = gr.Dataframe(label="扣分明细", interactive=False, wrap=True, elem_id="review-deductions")
            rv_rates = gr.Dataframe(label="比率（办结或审结件数不足的单位不参与比较）", interactive=False, wrap=True,
                                    elem_id="review-rates")
            rv_heat = gr.Dataframe(label="单位 × 问题类型（条数；点击一格看该单位该类问题）", interactive=False,
                                   elem_id="review-heatmap")
            rv_evidence = SafeMarkdown(elem_id="review-evidence")
            with gr.Row():
                rv_score_xlsx = gr.DownloadButton("下载评分表（XLSX）", visible=False, elem_id="review-score-xlsx")
                rv_score_docx = gr.DownloadButton("下载通报草稿（含评分，DOCX）", visible=False, elem_id="review-score-docx")
            with gr.Row():
                rv_held = gr.Dropdown(label="待确认的扣分（核对原件后确认）", choices=[], scale=4, elem_id="review-held")
                rv_confirm = gr.Button("确认扣分", scale=1, elem_id="review-confirm")
            rv_score_state = gr.State({})

        with gr.Tab("起草", id="draft"):
            gr.Markdown("选择单位和年度，按该年度表格数据和上年年报生成草稿：数字后的〔〕是出处，【】中为需要您补充核实的内容。"
                        "可直接修改后导出 DOCX。")
            with gr.Row():
                draft_agency = gr.Dropdown(label="单位", choices=[], allow_custom_value=True, elem_id="draft-agency")
                draft_year = gr.Dropdown(label="年度", choices=[], allow_custom_value=True, elem_id="draft-year")
                draft_sections = gr.CheckboxGroup(list(views.DRAFT_SECTIONS), value=[next(iter(views.DRAFT_SECTIONS))],
                                                  label="起草哪些部分")
            draft_btn = gr.Button("生成草稿", variant="primary", elem_id="draft-run")
            draft_box = gr.Textbox(label="草稿（可编辑）", lines=18, max_lines=40, interactive=True, elem_id="draft-text",
                                   placeholder=views.EMPTY_HINTS["draft"])
            with gr.Row():
                keep_sources = gr.Checkbox(value=True, label="导出时保留〔出处〕标注（发布前请去掉）", scale=3)
                export_btn = gr.Button("导出 DOCX", elem_id="draft-export", scale=1)
            draft_docx = gr.File(label="DOCX 文件", interactive=False, elem_id="draft-docx")
            draft_note = SafeMarkdown()

        with gr.Tab("账号与审计", id="admin", visible=False) as admin_tab:
            gr.Markdown("仅管理员可见。审计日志记录登录、登录失败、上传、删除、重新入库、导出和账号变更，任何角色都不能修改或删除。")
            admin_note = SafeMarkdown(elem_id="admin-note")
            users_table = gr.Dataframe(headers=USER_HEADERS, label="账号", interactive=False, elem_id="users-table")
            with gr.Row():
                new_name = gr.Textbox(label="账号名", scale=2, elem_id="user-name")
                new_role = gr.Dropdown([(ROLE_LABELS[r], r) for r in ROLES], value="viewer", label="角色",
                                       scale=1, elem_id="user-role")
                new_password = gr.Textbox(label="初始密码（至少 8 位）", type="password", scale=2, elem_id="user-password")
                add_user_btn = gr.Button("添加账号", variant="primary", scale=1, elem_id="user-add")
                remove_user_btn = gr.Button("删除该账号", variant="stop", scale=1, elem_id="user-remove")
            with gr.Row():
                audit_refresh = gr.Button("刷新", scale=1, elem_id="audit-refresh")
                audit_export = gr.Button("导出审计日志（CSV）", scale=1, elem_id="audit-export")
            audit_csv = gr.File(label="审计日志 CSV", visible=False, interactive=False, elem_id="audit-csv")
            audit_table = gr.Dataframe(headers=AUDIT_HEADERS, label=f"审计日志（最近 {AUDIT_SHOWN} 条）", interactive=False,
                                       wrap=True, elem_id="audit-table")

        # -- events --------------------------------------------------------------------------------------
        refreshed = [qa_status, lib_status, lib_table, picked, check_pick, cmp_agencies, cmp_years, draft_agency,
                     examples]
        demo.load(bind(refresh_all, "ask"), None, refreshed, api_visibility="private")
        demo.load(bind(whoami, "ask"), None, [who, admin_tab], api_visibility="private")

        chat_inputs = dict(fn=bind(respond, "ask"), inputs=[question, history, answers],
                           outputs=[question, chatbot, history, answers], trigger_mode="always_last",
                           api_visibility="private", concurrency_limit=chat_concurrency())
        question.submit(**chat_inputs)
        ask.click(**chat_inputs)
        new_chat.click(lambda: ("", [], [], []), None, [question, chatbot, history, answers], api_visibility="private")
        examples.click(lambda sample: sample[0], examples, question, api_visibility="private")
        def chat(question: str, request: gr.Request) -> Iterator[str]:
            """提问，返回回答文本（流式；数字均取自年报表格）。"""
            yield from guarded(ctx, chat_api, "ask")(question, request)
        gr.api(chat, api_name="chat", concurrency_limit=chat_concurrency())

        def ingest_and_clear(ctx: AppContext, paths, group=None, progress=gr.Progress(), caller: Caller | None = None):
            return ingest_uploads(ctx, paths, progress, group, caller) + (None,)
        # the progress of a 年报库 action shows once, over its result line (not over every output it refreshes)
        once = dict(show_progress_on=[ingest_log])
        uploads.upload(bind(ingest_and_clear, "upload"), [uploads, upload_group], [ingest_log] + refreshed + [uploads],
                       api_name="ingest", **once)
        remove_btn.click(bind(remove_reports, "remove"), picked, [ingest_log] + refreshed, api_name="remove",
                         js=views.REMOVE_CONFIRM_JS, **once)
        reingest_btn.click(bind(reingest_reports, "reingest"), picked, [ingest_log] + refreshed, api_name="reingest",
                           **once)
        edition_btn.click(bind(use_editions, "edition"), picked, [ingest_log] + refreshed, api_name="use_edition",
                          **once)

        search_in = [lib_query, lib_year, lib_group, lib_agency]
        search_out = [lib_table, picked, lib_search_note]
        lib_search_btn.click(bind(search_library, "ask"), search_in, search_out, api_name="search_library",
                             show_progress_on=[lib_search_note])
        for trigger in (lib_query.submit, lib_year.input, lib_group.input, lib_agency.input):
            trigger(bind(search_library, "ask"), search_in, search_out, api_visibility="private",
                    show_progress_on=[lib_search_note])
        demo.load(bind(library_filters, "ask"), None, [lib_year, lib_group, lib_agency], api_visibility="private")
        lib_table.change(bind(library_filters, "ask"), None, [lib_year, lib_group, lib_agency], api_visibility="private")

        check_out = [findings_md, dl_docx, dl_md, dl_csv, overview, t2, t3, t4, scans]
        check_btn.click(bind(check_stored, "check"), check_pick, check_out, api_name="check_report")
        draft_file.upload(bind(check_draft, "review"), draft_file, check_out, api_name="check_file")

        # -- 待核对 (issue 22): everyone sees the queue; correcting needs an editor (checked on the server) --
        pending_out = [pd_note, pd_table, pd_pick, pd_seen, pd_image]
        counts = [qa_status, lib_status, lib_table]
        demo.load(bind(pending_groups, "check"), None, pd_group, api_visibility="private")
        lib_table.change(bind(pending_groups, "check"), None, pd_group, api_visibility="private")
        pending_tab.select(bind(pending_list, "check"), pd_group, pending_out, api_visibility="private")
        pd_group.change(bind(pending_list, "check"), pd_group, pending_out, api_visibility="private")
        pd_refresh.click(bind(pending_list, "check"), pd_group, pending_out, api_name="pending")
        pd_pick.change(bind(pending_show, "check"), pd_pick, [pd_seen, pd_image], api_name="pending_show")
        pd_submit.click(bind(pending_correct, "correct"), [pd_pick, pd_value, pd_why, pd_confirm, pd_group],
                        [pd_result] + pending_out + counts, api_name="correct")
        pd_csv.upload(bind(pending_import, "correct"), [pd_csv, pd_confirm, pd_group],
                      [pd_result] + pending_out + counts + [pd_csv], api_name="correct_import")

        cmp_btn.click(bind(compare, "compare"), [cmp_agencies, cmp_years, cmp_metrics, cmp_chart],
                      [cmp_note, cmp_table, cmp_bar, cmp_line, cmp_csv], api_name="compare")

        # -- 体检 and 与上年比对 (issue 13): the review and the diff only read the library (viewer); groups are edits --
        review_pickers = [rv_group, rv_year, diff_pick, diff_prev]
        demo.load(bind(review_choices, "ask"), None, review_pickers, api_visibility="private")
        lib_table.change(bind(review_choices, "ask"), None, review_pickers, api_visibility="private")
        group_btn.click(bind(set_group, "group"), [picked, group_name], [ingest_log] + refreshed, api_name="set_group",
                        show_progress_on=[ingest_log])
        rv_btn.click(bind(run_review, "inspect"), [rv_group, rv_year],
                     [rv_note, rv_units, rv_problems, rv_docx, rv_xlsx, rv_unit, rv_state], api_name="review")
        rv_units.select(bind(review_row_selected, "inspect"), None, rv_unit, api_visibility="private")
        rv_unit.change(bind(review_unit_findings, "inspect"), [rv_state, rv_unit], rv_unit_md, api_visibility="private")
        score_out = [rv_score_note, rv_cards, rv_ranking, rv_deductions, rv_rates, rv_heat, rv_evidence, rv_score_xlsx,
                     rv_score_docx, rv_held, rv_score_state]
        demo.load(bind(rubric_choices, "inspect"), None, rv_rubric, api_visibility="private")
        rv_score_btn.click(bind(run_score, "inspect"), [rv_group, rv_year, rv_rubric], score_out, api_name="score")
        rv_confirm.click(bind(confirm_deduction, "score_confirm"), [rv_held, rv_group, rv_year, rv_rubric], score_out,
                         api_name="score_confirm")
        rv_cards.select(bind(card_selected, "inspect"), rv_score_state, rv_evidence, api_visibility="private")
        for frame in (rv_ranking, rv_deductions, rv_rates):
            frame.select(bind(score_row_selected, "inspect"), rv_score_state, rv_evidence, api_visibility="private")
        rv_heat.select(bind(heat_selected, "inspect"), rv_score_state, rv_evidence, api_visibility="private")
        # -- 发布情况 (issue 25): viewers see the board; the roster and harvesting are editors' --
        ss_btn.click(bind(run_season, "season"), [rv_group, rv_year],
                     [ss_note, ss_table, ss_xlsx, ss_roster_xlsx, ss_unassigned, ss_unit], api_name="season")
        ss_assign.click(bind(assign_to_unit, "roster"), [ss_unassigned, ss_unit], ss_note, api_name="roster_assign")
        ss_roster.upload(bind(import_roster_upload, "roster"), ss_roster, ss_note, api_name="roster_import")
        ss_harvest.click(bind(run_harvest, "harvest"), [rv_group, rv_year], ss_note, api_name="harvest")
        diff_pick.change(bind(previous_for, "compare"), diff_pick, diff_prev, api_visibility="private")
        diff_btn.click(bind(run_diff, "compare"), [diff_pick, diff_prev],
                       [diff_note, diff_cells, diff_sentences, diff_promises, diff_docx_btn], api_name="diff")

        draft_agency.change(bind(draft_years, "ask"), draft_agency, draft_year, api_visibility="private")
        draft_btn.click(bind(make_draft, "draft"), [draft_agency, draft_year, draft_sections], draft_box, api_name="draft")
        export_btn.click(bind(export_draft, "draft"), [draft_agency, draft_year, draft_box, keep_sources],
                         [draft_docx, draft_note], api_name="export_draft")

        admin_out = [admin_note, users_table, audit_table]
        admin_tab.select(bind(show_admin, "audit"), None, [users_table, audit_table], api_name="audit")
        audit_refresh.click(bind(show_admin, "audit"), None, [users_table, audit_table], api_visibility="private")
        audit_export.click(bind(export_audit, "audit"), None, audit_csv, api_name="export_audit")
        add_user_btn.click(bind(add_user, "users"), [new_name, new_role, new_password], admin_out, api_name="user_add")
        remove_user_btn.click(bind(remove_user, "users"), new_name, admin_out, api_name="user_remove")
    demo.nianbao_ctx = ctx                   # for the middleware main() puts in front (WebGuard)
    return demo


DEFAULT_CHAT_CONCURRENCY = 4      # questions answered at once (NIANBAO_CHAT_CONCURRENCY)
DEFAULT_HOST = "127.0.0.1"        # where the page listens (NIANBAO_HOST): this machine only


def chat_concurrency() -> int:
    """How many questions are answered at once (NIANBAO_CHAT_CONCURRENCY, default 4)."""
    return max(1, int(Settings.from_env().chat_concurrency or DEFAULT_CHAT_CONCURRENCY))


LOGIN_MESSAGE = "政府信息公开工作年度报告助手：请输入账号和密码登录。没有账号请联系本单位管理员。"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="启动年报助手网页")
    p.add_argument("--host", default=Settings.from_env().host or os.environ.get("GRADIO_SERVER_NAME") or DEFAULT_HOST)
    p.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    p.add_argument("--data-dir", default=None, help="年报库目录（默认 NIANBAO_DATA_DIR 或 ./data）")
    args = p.parse_args(argv)
    try:
        max_bytes = max_file_bytes()                 # a bad NIANBAO_MAX_FILE_MB stops here, in Chinese
    except UserError as e:
        raise SystemExit(f"错误：{e.message}") from None
    library = Library(args.data_dir)
    if library.pending():
        library.embed_in_background()        # vectors left unfinished by an earlier run
    gate = Gate(library.accounts, library.audit, access_mode(library.accounts, args.host))
    demo = build_app(library=library, gate=gate)
    demo.queue(default_concurrency_limit=2)
    login = {}
    if gate.mode == "password":
        if not library.accounts.count():
            print("提示：网页监听在非本机地址，必须登录，但还没有任何账号。请先运行 "
                  "nianbao user add 管理员账号 --role admin --password-stdin", file=sys.stderr)
        login = {"auth": gate.login, "auth_message": LOGIN_MESSAGE}
    elif gate.mode == "header":
        login = {"auth_dependency": lambda request: gate.header_user(request.headers, client_host(request))}
    shown_host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"年报助手正在启动，请用浏览器打开 http://{shown_host}:{args.port}/ （按 Ctrl+C 停止；换端口：make run PORT=8080）",
          flush=True)
    from starlette.middleware import Middleware
    # quiet: Gradio's own English lines (“Running on local URL”, “set `share=True`”) are not printed
    demo.launch(server_name=args.host, server_port=args.port, show_error=True, max_file_size=max_bytes * UPLOAD_CAP_FACTOR,
                app_kwargs={"middleware": [Middleware(WebGuard, ctx=demo.nianbao_ctx)]},
                footer_links=["api"], i18n=gr.I18n(**{loc: views.GRADIO_ZH for loc in views.GRADIO_LOCALES}), quiet=True,
                **login)


if __name__ == "__main__":
    main()
