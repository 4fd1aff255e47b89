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
SCHEMA_VERSION = "1"

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
    edition_of TEXT,                    -- another edition of the same agency-year is the one in use (this row
                                        -- keeps its record only: no facts, chunks or vectors)
    group_name TEXT                     -- 地区或分组 (e.g. 洪泽区): which region review the report belongs to
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


def db_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_NAME


def connect(path: Path) -> sqlite3.Connection:
    """A connection with WAL (readers never block the writer), foreign keys on and a generous busy wait."""
    db = sqlite3.connect(path, timeout=60, isolation_level=None)   # explicit BEGIN/COMMIT only
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


# Columns added after a library file was first created: (table, column, SQL type). `create` adds the missing
# ones to an existing file, so an older data folder opens without losing anything.
ADDED_COLUMNS = (("reports", "edition_of", "TEXT"), ("reports", "group_name", "TEXT"))


def create(path: Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    try:
        db.executescript(SCHEMA)
        migrate(db)
        db.execute("CREATE INDEX IF NOT EXISTS reports_group_year ON reports (group_name, year)")
        db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
    finally:
        db.close()


def migrate(db: sqlite3.Connection) -> list[str]:
    """Add the columns of ADDED_COLUMNS an older library file lacks; returns the ones added."""
    added = []
    for table, column, kind in ADDED_COLUMNS:
        have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            added.append(f"{table}.{column}")
    return added


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
