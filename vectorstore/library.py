"""The library of reports: store, replace, remove, list, embed and search, over one data folder.

Layout of a data folder (`--data-dir`, `NIANBAO_DATA_DIR`, default ./data):
  library.sqlite       reports, facts, chunks, the BM25 keyword index, pending Chroma deletions, accounts
                       and the audit log
  vector_cache.sqlite  vectors by (model, text sha256); `NIANBAO_VECTOR_CACHE` may point elsewhere
  chroma/              the embedded Chroma database (unless `NIANBAO_CHROMA_URL` names a server)

Storing a report is one SQLite transaction (report row + facts + chunks + keyword index, replacing the
older version of the same file), so a report is either fully visible or not at all, even after SIGKILL.
Vectors come after, in batches (`embed_pending`); until its vectors are in, a chunk is found by keyword
search alone. A later `embed_pending` (the next ingest, or a background thread) finishes the work.

Several processes (the web app and `nianbao ingest`) may work on one folder at once. SQLite serializes
their transactions; `claim(path)` (a file lock under `<data dir>/claims/`) lets only one of them read and
store a given file at a time, so two ingests never extract the same file twice; `embed_pending` runs
under `<data dir>/embed.lock`, so two processes never embed the same chunks; and Chroma reopens itself
when another process changed it (vectorstore.vectors).
"""
from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ingest.errors import UserError
from ingest.editions import better
from ingest.report import Report
from vectorstore import db as dbmod
from vectorstore.accounts import AccountStore, AuditLog, ExportStore, SessionStore
from vectorstore.chunks import chunk_report, dense_text_of
from vectorstore import corrections as corrmod
from vectorstore.embeddings import (CachedEmbedder, DelegatedEmbedder, VectorCache, embedder_from_spec, normalize_spec,
                                   spec_from_env)
from vectorstore.facts import FactStore, ReportRecord, fact_rows, finding_counts, record_in
from vectorstore.keyword import terms_of
from vectorstore.search import SearchIndex, search
from vectorstore.vectors import VectorIndex
from ingest.settings import Settings, setting

ENV_DATA_DIR = setting("data_dir").name
DEFAULT_DATA_DIR = "./data"
ENV_VECTOR_CACHE = setting("vector_cache").name
ENV_PAUSE = setting("test_pause").name        # "<point>:<seconds>", for the crash tests (points: before_commit, …)
EMBED_BATCH = 32
# chunks.embedded: a vector is still to be computed, is in Chroma, or is never needed (table rows: keyword and facts)
VECTOR_PENDING, VECTOR_DONE, KEYWORD_ONLY = 0, 1, 2


class LibraryError(UserError):
    """Something the user asked of the library that cannot be done. Chinese message."""


@dataclass(frozen=True)
class StoredReport:
    status: str                          # "added" | "replaced"
    record: ReportRecord
    replaced: ReportRecord | None = None
    edition: str | None = None           # Chinese note when another edition of the same agency-year is stored


@dataclass
class StoredContent:
    """What a report contributes to search and answers: its chunks (with jieba terms) and its table facts.
    Pure and picklable: the web app computes it in its reader process (cutting a long report into jieba
    terms takes seconds of CPU that would otherwise hold the answering process's GIL) and passes it to
    `Library.store`."""
    report_id: str
    file: str
    chunks: list
    terms: list[str]
    facts: list[tuple]

    @classmethod
    def of(cls, report: Report, rid: str, file: str) -> "StoredContent":
        chunks = chunk_report(report, rid, file)
        return cls(rid, file, chunks, [terms_of(c.text) for c in chunks], fact_rows(report, rid, file))

    def insert(self, tx) -> None:
        tx.executemany("INSERT INTO facts (report_id, agency, year, table_name, row_key, col_key, value, raw, "
                       "page, line, file, corrected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.facts)
        for chunk, chunk_terms in zip(self.chunks, self.terms):
            (rowid,) = tx.execute("INSERT INTO chunks (id, report_id, seq, kind, file, agency, year, format, "
                                  "section, top_section, section_path, page, line, text, text_sha, embedded) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rowid",
                                  (chunk.id, self.report_id, chunk.seq, chunk.kind, self.file, chunk.agency,
                                   chunk.year, chunk.format, chunk.section, chunk.top_section, chunk.section_path,
                                   chunk.page, chunk.line, chunk.text, chunk.text_sha,
                                   VECTOR_PENDING if chunk.dense_text is not None else KEYWORD_ONLY)).fetchone()
            tx.execute("INSERT INTO chunk_terms (rowid, terms) VALUES (?, ?)", (rowid, chunk_terms))
        tx.execute("DELETE FROM chroma_deletes WHERE chunk_id IN (SELECT id FROM chunks WHERE report_id = ?)",
                   (self.report_id,))
        tx.execute("UPDATE reports SET n_chunks = ? WHERE id = ?", (len(self.chunks), self.report_id))


def _edition_in_use(tx, agency: str | None, year: int | None, not_id: str) -> ReportRecord | None:
    if not agency or not year:
        return None
    row = tx.execute("SELECT id FROM reports WHERE agency = ? AND year = ? AND edition_of IS NULL AND id != ?",
                     (agency, int(year), not_id)).fetchone()
    return record_in(tx, row[0]) if row else None


def _stored_report(tx, report_id: str) -> Report:
    row = tx.execute("SELECT report_json FROM reports WHERE id = ?", (report_id,)).fetchone()
    return Report.from_json(json.loads(row[0]))


def _retire(tx, old_id: str, new_id: str) -> None:
    """Inside a transaction: an edition stops being used; its record stays, its facts, chunks and vectors go."""
    _drop_content(tx, old_id)
    tx.execute("UPDATE reports SET edition_of = ? WHERE id = ? OR edition_of = ?", (new_id, old_id, old_id))


def _edition_note(record: ReportRecord, other: ReportRecord, in_use: bool, why: str) -> str:
    who = f"{record.agency}{record.year}年报"
    if in_use:
        return (f"资料库中已有{who}的另一版本“{other.file}”：本版“{record.file}”{why}，问答、排名和对比改用本版；"
                "另一版本仍保留在年报库中，可在年报库中改选。")
    return (f"资料库中已有{who}的另一版本“{other.file}”，它{why}，问答、排名和对比仍使用它；本版“{record.file}”"
            "保留在年报库中，可在年报库中改选。")


def _why_better(new: Report, in_use: Report, new_wins: bool) -> str:
    """Why the edition chosen was chosen, in the words of `_edition_note`."""
    unread = {True: len(new.reading_warnings()), False: len(in_use.reading_warnings())}
    if unread[True] != unread[False]:
        return f"读得更完整（未能读取之处 {unread[new_wins]} 处，另一版本 {unread[not new_wins]} 处）"
    return "较新"


def data_dir_from(arg: str | None = None) -> Path:
    return Path(arg or Settings.from_env().data_dir or DEFAULT_DATA_DIR)


def clean_group(group: str | None) -> str | None:
    """A group name as stored: spaces removed, None for an empty name."""
    name = "".join((group or "").split())
    return name or None


def report_id_of(sha256: str) -> str:
    return sha256[:16]


def pause_point(name: str) -> None:
    """Sleep here if NIANBAO_TEST_PAUSE names this point: lets a test SIGKILL the process at a known place."""
    spec = Settings.from_env().test_pause or ""
    point, _, seconds = spec.partition(":")
    if point == name:
        print(f"PAUSE {name}", flush=True)
        time.sleep(float(seconds or 30))


class Library:
    """One data folder. Cheap to create; Chroma and the embedding model are opened on first need."""

    def __init__(self, data_dir: str | Path | None = None, *, embedding: str | None = None,
                 chroma_url: str | None = None, vector_cache: str | Path | None = None,
                 database_url: str | None = None):
        self.data_dir = data_dir_from(str(data_dir) if data_dir is not None else None)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # SQLite in the data folder, or PostgreSQL (database_url / NIANBAO_DATABASE_URL); every query goes
        # through this handle (`db_path` is its historical name).
        self.db = dbmod.open_database(self.data_dir, database_url)
        self.db_path = self.db
        self.model = normalize_spec(embedding) if embedding else spec_from_env()
        self.vectors = VectorIndex(self.data_dir, self.model, chroma_url)
        cache_path = vector_cache or Settings.from_env().vector_cache or self.data_dir / "vector_cache.sqlite"
        self.cache = VectorCache(Path(cache_path))
        self.facts = FactStore(self.db_path)
        self.accounts = AccountStore(self.db_path)
        self.audit = AuditLog(self.db_path)
        self.sessions = SessionStore(self.db_path)
        self.exports = ExportStore(self.db_path)
        self.corrections = corrmod.CorrectionStore(self.db)
        self._embedder: CachedEmbedder | None = None
        self._embed_passages = None
        self._embed_lock = threading.Lock()

    # -- processes -------------------------------------------------------------------------------
    @contextmanager
    def claim(self, path: str | Path, wait: bool = True) -> Iterator[bool]:
        """Hold the right to read and store one file (across threads and processes): yields True when held,
        False when `wait` is False and another process or thread holds it."""
        folder = self.data_dir / "claims"
        folder.mkdir(parents=True, exist_ok=True)
        key = hashlib.sha256(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:24]
        with open(folder / f"{key}.lock", "a+") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    @contextmanager
    def _embedding(self) -> Iterator[None]:
        """One embedder per folder at a time, in this process (threads) and across processes."""
        with self._embed_lock, open(self.data_dir / "embed.lock", "a+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def open(self) -> None:
        """Open everything a question needs now (Chroma and the query embedder when vectors exist), before
        serving: a burst of questions right after start must not race to open them."""
        if not self.vectors.may_exist():
            return
        from vectorstore.embeddings import EmbeddingConfigError
        from vectorstore.vectors import VectorStoreError
        self.vectors.open()
        try:
            if self.vectors.count():
                self.embedder().embed_query("政府信息公开")
        except (VectorStoreError, EmbeddingConfigError):
            pass                     # a model mismatch is explained (in Chinese) when a search needs the vectors

    # -- reading ---------------------------------------------------------------------------------
    def reports(self, editions: bool = False) -> list[ReportRecord]:
        """The reports in use (one edition per agency-year); with `editions`, every stored edition too."""
        return self.facts.reports(editions)

    def by_path(self, path: str | Path) -> ReportRecord | None:
        with dbmod.reading(self.db_path) as db:
            row = db.execute("SELECT id FROM reports WHERE path = ?", (str(Path(path).resolve()),)).fetchone()
        return self.facts.report(row[0]) if row else None

    def by_sha(self, sha256: str) -> ReportRecord | None:
        with dbmod.reading(self.db_path) as db:
            row = db.execute("SELECT id FROM reports WHERE sha256 = ?", (sha256,)).fetchone()
        return self.facts.report(row[0]) if row else None

    def resolve(self, ref: str) -> ReportRecord | None:
        """A report by id (or an unambiguous id prefix of 6+ hex digits), shown file name, path or base name."""
        records = self.reports(editions=True)
        for test in (lambda r: r.id == ref, lambda r: r.file == ref, lambda r: r.path == str(Path(ref).resolve()),
                     lambda r: len(ref) >= 6 and r.id.startswith(ref), lambda r: Path(r.file).name == ref):
            hits = [r for r in records if test(r)]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                raise LibraryError(f"“{ref}”对应多份报告（{'、'.join(h.file for h in hits)}），请改用报告编号。")
        return None

    def pending(self) -> int:
        with dbmod.reading(self.db_path) as db:
            return db.execute("SELECT COUNT(*) FROM chunks WHERE embedded = 0").fetchone()[0]

    def embedded_count(self) -> int:
        with dbmod.reading(self.db_path) as db:
            return db.execute("SELECT COUNT(*) FROM chunks WHERE embedded = 1").fetchone()[0]

    # -- writing ---------------------------------------------------------------------------------
    def store(self, report: Report, findings: Sequence[dict], *, path: str | Path, file: str | None = None,
              sha256: str | None = None, group: str | None = None,
              content: StoredContent | None = None) -> StoredReport:
        """Make a report visible: one transaction that replaces the older version of the same file. When the
        library already holds another edition of the same agency-year (a PDF and a DOCX of one report, or a
        republished version), the newer one (later 落款 date; else the one stored last) is used by answers,
        rankings and comparisons, and the other is kept as a record only (`edition_of`). `group` (地区或分组)
        is kept from the older version of the same file when not given. `content`: the report's chunks, terms
        and facts when already computed (`StoredContent.of(report, report_id_of(sha256), file)`)."""
        path = str(Path(path).resolve())
        sha256 = sha256 or report.sha256
        if not sha256:
            raise LibraryError("报告缺少文件内容摘要（sha256），无法入库。")
        file = file or report.file or Path(path).name
        rid = report_id_of(sha256)
        report = dataclasses.replace(report, file=file, sha256=sha256)
        if content is None or (content.report_id, content.file) != (rid, file):
            content = StoredContent.of(report, rid, file)     # chunks, jieba terms and facts outside the transaction
        findings = [dict(f) for f in findings]
        n_errors, n_warnings = finding_counts(findings)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with dbmod.transaction(self.db_path) as tx:
            old = tx.execute("SELECT id FROM reports WHERE path = ?", (path,)).fetchone()
            same = tx.execute("SELECT file FROM reports WHERE sha256 = ? AND path != ?", (sha256, path)).fetchone()
            if same:
                raise LibraryError(f"内容与已入库的“{same[0]}”完全相同，未重复入库。")
            replaced = record_in(tx, old[0]) if old else None
            if group is None and replaced is not None:
                group = replaced.group
            if old:
                _delete_report(tx, old[0])
            other = _edition_in_use(tx, report.agency, report.year, rid)
            other_report = _stored_report(tx, other.id) if other is not None else None
            in_use = other_report is None or better(report, other_report)
            tx.execute("INSERT INTO reports (id, path, file, sha256, agency, year, format, published, title, kind, "
                       "pages, n_errors, n_warnings, n_extract_warnings, n_chunks, report_json, findings_json, "
                       "stored_at, edition_of, group_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (rid, path, file, sha256, report.agency, report.year, report.format, report.published,
                        report.title, report.kind, report.pages, n_errors, n_warnings, len(report.warnings),
                        len(content.chunks), json.dumps(report.to_json(), ensure_ascii=False),
                        json.dumps(findings, ensure_ascii=False), now, None if in_use else other.id,
                        clean_group(group)))
            if in_use:
                content.insert(tx)
                if other is not None:
                    _retire(tx, other.id, rid)
                if old:                                 # editions that pointed at the replaced file
                    tx.execute("UPDATE reports SET edition_of = ? WHERE edition_of = ?", (rid, old[0]))
                # another file of this agency-year (or under this name) is now in use: its corrections wait
                corrmod.mark_for_reconfirm(tx, sha256, report.agency, report.year, file)
            pause_point("before_commit")
        self.facts.forget_reads()          # a report stored again within the same second keeps its stored_at
        record = self.facts.report(rid)
        return StoredReport("replaced" if replaced else "added", record, replaced,
                            _edition_note(record, other, in_use, _why_better(report, other_report, in_use))
                            if other else None)

    def use_edition(self, ref: str) -> ReportRecord:
        """Make a stored edition the one answers use (the official's choice in 年报库)."""
        record = self.resolve(ref)
        if record is None:
            raise LibraryError(f"资料库中没有找到“{ref}”。")
        if record.edition_of is None:
            return record
        data = self.facts.report_json(record.id)
        content = StoredContent.of(Report.from_json(data), record.id, record.file)
        with dbmod.transaction(self.db_path) as tx:
            current = _edition_in_use(tx, record.agency, record.year, record.id)
            tx.execute("UPDATE reports SET edition_of = NULL WHERE id = ?", (record.id,))
            content.insert(tx)
            if current is not None:
                _retire(tx, current.id, record.id)
        self.flush_deletions()
        return self.facts.report(record.id)

    def apply_corrections(self, report: Report, sha256: str | None = None) -> list:
        """Put the active corrections of this file (by its sha256) on a freshly read report, before it is checked
        and stored: a re-ingested file keeps its corrections."""
        return corrmod.apply_corrections(report, self.corrections.for_report(sha256 or report.sha256))

    def store_correction(self, correction: "corrmod.Correction", report: Report, findings: Sequence[dict]) -> None:
        """One transaction: the correction row, and the report it applies to (already corrected, `report`) with
        its recomputed findings, facts and table rows; text passages and their vectors stay as they are."""
        record = self.facts.report(report_id_of(correction.report_sha256))
        if record is None:
            raise LibraryError("资料库中没有找到要校正的报告。")
        rid = record.id
        content = StoredContent.of(report, rid, record.file)
        findings = [dict(f) for f in findings]
        n_errors, n_warnings = finding_counts(findings)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with dbmod.transaction(self.db_path) as tx:
            corrmod.write(tx, correction)
            tx.execute("UPDATE reports SET report_json = ?, findings_json = ?, n_errors = ?, n_warnings = ?, "
                       "n_extract_warnings = ?, stored_at = ? WHERE id = ?",
                       (json.dumps(report.to_json(), ensure_ascii=False), json.dumps(findings, ensure_ascii=False),
                        n_errors, n_warnings, len(report.warnings), now, rid))
            if record.edition_of is None:
                tx.execute("DELETE FROM facts WHERE report_id = ?", (rid,))
                tx.executemany("INSERT INTO facts (report_id, agency, year, table_name, row_key, col_key, value, "
                               "raw, page, line, file, corrected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               content.facts)
                tx.execute("DELETE FROM chunk_terms WHERE rowid IN (SELECT rowid FROM chunks WHERE report_id = ? "
                           "AND kind = 'table')", (rid,))
                tx.execute("DELETE FROM chunks WHERE report_id = ? AND kind = 'table'", (rid,))
                for chunk, chunk_terms in zip(content.chunks, content.terms):
                    if chunk.kind != "table":
                        continue
                    (rowid,) = tx.execute(
                        "INSERT INTO chunks (id, report_id, seq, kind, file, agency, year, format, section, "
                        "top_section, section_path, page, line, text, text_sha, embedded) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING rowid",
                        (chunk.id, rid, chunk.seq, chunk.kind, record.file, chunk.agency, chunk.year, chunk.format,
                         chunk.section, chunk.top_section, chunk.section_path, chunk.page, chunk.line, chunk.text,
                         chunk.text_sha, KEYWORD_ONLY)).fetchone() or (None,)
                    if rowid is not None:
                        tx.execute("INSERT INTO chunk_terms (rowid, terms) VALUES (?, ?)", (rowid, chunk_terms))
        self.facts.forget_reads()

    def update_findings(self, report_id: str, findings: Sequence[dict]) -> None:
        """Replace a stored report's check findings (after its previous year's report arrived)."""
        findings = [dict(f) for f in findings]
        n_errors, n_warnings = finding_counts(findings)
        with dbmod.transaction(self.db_path) as tx:
            tx.execute("UPDATE reports SET findings_json = ?, n_errors = ?, n_warnings = ? WHERE id = ?",
                       (json.dumps(findings, ensure_ascii=False), n_errors, n_warnings, report_id))

    def set_group(self, report_ids: Sequence[str], group: str | None) -> int:
        """Put reports in a group (地区或分组), or take them out of any with None/empty; returns how many changed."""
        if not report_ids:
            return 0
        with dbmod.transaction(self.db_path) as tx:
            cur = tx.execute(f"UPDATE reports SET group_name = ? WHERE id IN ({','.join('?' * len(report_ids))})",
                             (clean_group(group), *report_ids))
            return cur.rowcount

    def remove(self, ref: str) -> ReportRecord:
        """Remove a report (by id, file or path) with its facts, chunks and vectors."""
        record = self.resolve(ref)
        if record is None:
            raise LibraryError(f"资料库中没有找到“{ref}”。可用 nianbao list 查看已入库的报告及其编号。")
        with dbmod.transaction(self.db_path) as tx:
            _delete_report(tx, record.id)
        self.flush_deletions()
        if record.edition_of is None and record.agency and record.year:
            rest = self.facts.editions(record.agency, record.year)
            if rest:                                  # the edition in use was removed: the latest other one takes over
                self.use_edition(rest[0].id)
        return record

    def flush_deletions(self) -> int:
        """Delete from Chroma the vectors of chunks that are gone from SQLite; returns how many."""
        with dbmod.reading(self.db_path) as db:
            ids = [i for (i,) in db.execute("SELECT chunk_id FROM chroma_deletes")]
        if not ids:
            return 0
        if self.vectors.may_exist():
            self.vectors.delete(ids)
        with dbmod.transaction(self.db_path) as tx:
            tx.executemany("DELETE FROM chroma_deletes WHERE chunk_id = ?", [(i,) for i in ids])
        return len(ids)

    # -- vectors ---------------------------------------------------------------------------------
    def embedder(self) -> CachedEmbedder:
        if self._embedder is None:
            model = embedder_from_spec(self.model)
            if self._embed_passages is not None:
                model = DelegatedEmbedder(model, self._embed_passages)
            self._embedder = CachedEmbedder(model, self.cache)
        return self._embedder

    def delegate_passages(self, embed: Callable[[str, Sequence[str]], "np.ndarray"]) -> None:
        """Have passages embedded by `embed(spec, texts)` (the web app's reader process); questions stay here."""
        self._embed_passages = embed
        self._embedder = None

    def embed_pending(self, batch_size: int = EMBED_BATCH, on_progress: Callable[[int], None] | None = None,
                      limit: int | None = None, report_ids: Sequence[str] | None = None) -> int:
        """Embed chunks that have no vector yet (vector cache first), in batches, optionally only those of some
        reports; returns how many got a vector."""
        only = ""
        if report_ids is not None:
            if not report_ids:
                return 0
            only = f" AND report_id IN ({','.join('?' * len(report_ids))})"
        with self._embedding():
            self.flush_deletions()
            if self.pending() == 0:
                return 0
            self.vectors.collection(create=True)            # refuses a collection built by another model
            if self.vectors.count() < self.embedded_count():  # the collection was reset or replaced
                with dbmod.transaction(self.db_path) as tx:
                    tx.execute("UPDATE chunks SET embedded = 0 WHERE embedded = 1")
            with dbmod.transaction(self.db_path) as tx:     # table rows stored before they were keyword-only
                tx.execute("UPDATE chunks SET embedded = ? WHERE embedded = ? AND kind = 'table'",
                           (KEYWORD_ONLY, VECTOR_PENDING))
            if self.pending() == 0:
                return 0
            done = 0
            while limit is None or done < limit:
                with dbmod.reading(self.db_path) as db:
                    rows = db.execute("SELECT id, report_id, kind, file, agency, year, section, top_section, page, "
                                      f"text, text_sha FROM chunks WHERE embedded = 0{only} ORDER BY rowid LIMIT ?",
                                      (*(report_ids or ()), batch_size)).fetchall()
                if not rows:
                    break
                vectors = self.embedder().embed_passages([dense_text_of(r[2], r[9]) for r in rows])
                metadatas = [{k: v for k, v in zip(("report_id", "kind", "file", "agency", "year", "section",
                                                     "top_section", "page"), r[1:9]) if v is not None} for r in rows]
                self.vectors.upsert([r[0] for r in rows], vectors, [r[9] for r in rows], metadatas)
                with dbmod.transaction(self.db_path) as tx:
                    tx.executemany("UPDATE chunks SET embedded = 1 WHERE id = ? AND text_sha = ?",
                                   [(r[0], r[10]) for r in rows])
                done += len(rows)
                if on_progress:
                    on_progress(len(rows))
                pause_point("mid_embed")
            self.flush_deletions()       # a report removed while its vectors were being added
            return done

    def embed_in_background(self, on_done: Callable[[int], None] | None = None) -> threading.Thread:
        """Finish pending embeddings in a daemon thread (the app calls this after an upload)."""
        def run():
            n = self.embed_pending()
            if on_done:
                on_done(n)
        thread = threading.Thread(target=run, name="nianbao-embed", daemon=True)
        thread.start()
        return thread

    # -- search ----------------------------------------------------------------------------------
    def search_index(self) -> SearchIndex:
        """What search reads of this library (search never holds the library itself)."""
        return SearchIndex(self.db_path, self.vectors, self.facts, self.embedded_count, self.embedder)

    def search(self, query: str, k: int = 5, **filters):
        return search(self.search_index(), query, k=k, **filters)


def _drop_content(tx, report_id: str) -> None:
    """Inside a transaction: a report's facts, chunks and keyword rows; its vectors queued for deletion."""
    tx.execute("INSERT INTO chroma_deletes (chunk_id) SELECT id FROM chunks WHERE report_id = ? ON CONFLICT DO NOTHING",
               (report_id,))
    tx.execute("DELETE FROM chunk_terms WHERE rowid IN (SELECT rowid FROM chunks WHERE report_id = ?)", (report_id,))
    tx.execute("DELETE FROM chunks WHERE report_id = ?", (report_id,))
    tx.execute("DELETE FROM facts WHERE report_id = ?", (report_id,))


def _delete_report(tx, report_id: str) -> None:
    """Inside a transaction: a report with everything it contributed."""
    _drop_content(tx, report_id)
    tx.execute("DELETE FROM reports WHERE id = ?", (report_id,))
