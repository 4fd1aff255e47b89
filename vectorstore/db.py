"""The library's SQLite file: schema and connections. It is the source of truth for what is in the library.

A report is visible exactly when its row in `reports` is committed, and its facts, chunks and keyword
index rows are written in that same transaction. Vectors live in Chroma; `chunks.embedded` says whether a
chunk's vector is there, and `chroma_deletes` lists vectors still to remove after a report was replaced or
removed (Chroma is not part of the SQLite transaction, so the deletion is replayed until it succeeds).
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

DB_NAME = "library.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY,                -- first 16 hex digits of the file's sha256
    path TEXT NOT NULL UNIQUE,          -- absolute path of the file it was read from
    file TEXT NOT NULL,                 -- how it is shown and cited, e.g. seeds/000_x.txt
    sha256 TEXT NOT NULL UNIQUE,
    agency TEXT, year INTEGER, format TEXT, published TEXT, title TEXT, kind TEXT, pages INTEGER,
    n_errors INTEGER NOT NULL DEFAULT 0, n_warnings INTEGER NOT NULL DEFAULT 0,
    n_extract_warnings INTEGER NOT NULL DEFAULT 0, n_chunks INTEGER NOT NULL DEFAULT 0,
    report_json TEXT NOT NULL,          -- Report.to_json(): sections, cells with provenance, warnings
    findings_json TEXT NOT NULL,        -- [Finding.to_json(), ...]
    stored_at TEXT NOT NULL,
    edition_of TEXT                     -- another edition of the same agency-year is the one in use (this row
                                        -- keeps its record only: no facts, chunks or vectors)
);
CREATE INDEX IF NOT EXISTS reports_agency_year ON reports (agency, year);
CREATE TABLE IF NOT EXISTS facts (
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    agency TEXT, year INTEGER,
    table_name TEXT NOT NULL, row_key TEXT NOT NULL, col_key TEXT NOT NULL,
    value NUMERIC, raw TEXT, page INTEGER, line INTEGER, file TEXT NOT NULL,
    PRIMARY KEY (report_id, table_name, row_key, col_key)
);
CREATE INDEX IF NOT EXISTS facts_cell ON facts (table_name, row_key, col_key);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, kind TEXT NOT NULL, file TEXT NOT NULL,
    agency TEXT, year INTEGER, format TEXT,
    section TEXT NOT NULL, top_section TEXT NOT NULL, section_path TEXT NOT NULL,
    page INTEGER, line INTEGER, text TEXT NOT NULL, text_sha TEXT NOT NULL,
    embedded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chunks_report_embedded ON chunks (report_id, embedded);
CREATE INDEX IF NOT EXISTS chunks_pending ON chunks (embedded);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5 (terms, tokenize = 'unicode61 remove_diacritics 0');
CREATE TABLE IF NOT EXISTS chroma_deletes (chunk_id TEXT PRIMARY KEY);
"""

# Version 2: accounts (salted password hashes only) and the append-only audit log.
ACCOUNTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    password_hash TEXT NOT NULL,        -- bcrypt: algorithm, cost, salt and hash; never the password
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL, user TEXT NOT NULL, role TEXT, action TEXT NOT NULL,
    target TEXT, detail TEXT, ok INTEGER NOT NULL, channel TEXT NOT NULL, client TEXT
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, '审计日志不可修改'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, '审计日志不可删除'); END;
"""

# (version, what it adds, SQL). A library is brought to the last version when it is opened; the version it
# is at is meta.schema_version.
MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "reports, facts, chunks, keyword index", SCHEMA),
    (2, "accounts and audit log", ACCOUNTS_SCHEMA),
]
SCHEMA_VERSION = str(MIGRATIONS[-1][0])


def db_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_NAME


def connect(path: Path) -> sqlite3.Connection:
    """A connection with WAL (readers never block the writer), foreign keys on and a generous busy wait."""
    db = sqlite3.connect(path, timeout=60, isolation_level=None)   # explicit BEGIN/COMMIT only
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def create(path: Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    try:
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        current = int(row[0]) if row else 0
        for version, _, sql in MIGRATIONS:
            if version > current:
                db.executescript("BEGIN IMMEDIATE;" + sql + "COMMIT;")
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(version),))
        columns = {r[1] for r in db.execute("PRAGMA table_info(reports)")}
        if "edition_of" not in columns:                      # libraries made before editions existed
            db.execute("ALTER TABLE reports ADD COLUMN edition_of TEXT")
    finally:
        db.close()


@contextmanager
def reading(path: Path) -> Iterator[sqlite3.Connection]:
    db = connect(path)
    try:
        yield db
    finally:
        db.close()


@contextmanager
def transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """One write transaction: everything inside commits together or not at all (also on SIGKILL)."""
    db = connect(path)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    finally:
        db.close()
