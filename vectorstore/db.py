"""The library's database, behind one interface with two engines: schema, migrations and connections.
It is the source of truth for what is in the library (reports, facts, chunks, keyword index, accounts, audit).

Engines: SQLite (the embedded default, one file `library.sqlite` in the data folder) and PostgreSQL, chosen by
`NIANBAO_DATABASE_URL=postgresql://user:pass@host/db` so that several app processes or machines share one
library (vectors then live in a Chroma server, `NIANBAO_CHROMA_URL`). `open_database(data_dir, url)` gives a
`Database`; `reading(db)` and `transaction(db)` yield a connection whose `execute(sql, params)` /
`executemany` take the same SQL with `?` placeholders on both engines (the SQL used is the common subset:
ON CONFLICT, RETURNING, explicit `rowid` columns). What differs lives here (DDL per engine, in versioned
`MIGRATIONS`) and in keyword.py (FTS5 on SQLite, tsvector + GIN on PostgreSQL). PostgreSQL connections come
from SQLAlchemy's pool over psycopg.

A report is visible exactly when its row in `reports` is committed, and its facts, chunks and keyword
index rows are written in that same transaction. Vectors live in Chroma; `chunks.embedded` says whether a
chunk's vector is there, and `chroma_deletes` lists vectors still to remove after a report was replaced or
removed (Chroma is not part of the transaction, so the deletion is replayed until it succeeds). Writers are
serialized: SQLite's BEGIN IMMEDIATE, PostgreSQL's transaction-scoped advisory lock `WRITE_LOCK_KEY`.
"""
from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Sequence

from ingest.errors import UserError
from ingest.settings import Settings, setting

DB_NAME = "library.sqlite"
ENV_DATABASE_URL = setting("database_url").name
WRITE_LOCK_KEY = 7_368_242_015          # pg_advisory_xact_lock key: one writer at a time, as in SQLite
PG_POOL_SIZE = 8
SQLITE_BUSY_SECONDS = 60
SQLITE_WAL_RETRY_SECONDS = 0.02      # first pause when a new file's journal cannot be switched yet
SQLITE_READERS_PER_THREAD = 4   # open read connections a thread keeps (one per library file it reads)

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
    stored_at TEXT NOT NULL
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
    at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT, action TEXT NOT NULL,
    target TEXT, detail TEXT, ok INTEGER NOT NULL, channel TEXT NOT NULL, client TEXT
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, '审计日志不可修改'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, '审计日志不可删除'); END;
"""

# The same two versions for PostgreSQL. `rowid` columns are explicit (SQLite has them implicitly) so the shared
# SQL can order by and join on them; the keyword index is a tsvector of the space-joined jieba tokens.
PG_SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY, path TEXT NOT NULL UNIQUE, file TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,
    agency TEXT, year INTEGER, format TEXT, published TEXT, title TEXT, kind TEXT, pages INTEGER,
    n_errors INTEGER NOT NULL DEFAULT 0, n_warnings INTEGER NOT NULL DEFAULT 0,
    n_extract_warnings INTEGER NOT NULL DEFAULT 0, n_chunks INTEGER NOT NULL DEFAULT 0,
    report_json TEXT NOT NULL, findings_json TEXT NOT NULL, stored_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_agency_year ON reports (agency, year);
CREATE TABLE IF NOT EXISTS facts (
    rowid BIGSERIAL,
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    agency TEXT, year INTEGER,
    table_name TEXT NOT NULL, row_key TEXT NOT NULL, col_key TEXT NOT NULL,
    value NUMERIC, raw TEXT, page INTEGER, line INTEGER, file TEXT NOT NULL,
    PRIMARY KEY (report_id, table_name, row_key, col_key)
);
CREATE INDEX IF NOT EXISTS facts_cell ON facts (table_name, row_key, col_key);
CREATE TABLE IF NOT EXISTS chunks (
    rowid BIGSERIAL PRIMARY KEY,
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
CREATE TABLE IF NOT EXISTS chunk_terms (
    rowid BIGINT PRIMARY KEY REFERENCES chunks (rowid) ON DELETE CASCADE,
    terms TEXT NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (array_to_tsvector(string_to_array(terms, ' '))) STORED,
    n_terms INTEGER GENERATED ALWAYS AS (array_length(string_to_array(terms, ' '), 1)) STORED
);
CREATE INDEX IF NOT EXISTS chunk_terms_tsv ON chunk_terms USING GIN (tsv);
CREATE TABLE IF NOT EXISTS chroma_deletes (chunk_id TEXT PRIMARY KEY);
"""

PG_ACCOUNTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    password_hash TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    seq BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT, action TEXT NOT NULL,
    target TEXT, detail TEXT, ok INTEGER NOT NULL, channel TEXT NOT NULL, client TEXT
);
CREATE OR REPLACE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '审计日志不可修改或删除'; END $$;
DROP TRIGGER IF EXISTS audit_append_only ON audit;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();
"""

# Version 3: editions. `edition_of` set: another edition of the same agency-year is the one in use (this row
# keeps its record only: no facts, chunks or vectors).
EDITIONS_SQL = "ALTER TABLE reports ADD COLUMN IF NOT EXISTS edition_of TEXT;"

# Version 4: groups. `group_name` is the 地区或分组 (e.g. 洪泽区) whose region review the report belongs to.
GROUPS_SQL = """
ALTER TABLE reports ADD COLUMN IF NOT EXISTS group_name TEXT;
CREATE INDEX IF NOT EXISTS reports_group_year ON reports (group_name, year);
"""

# Version 5: corrections by the official (核对与校正). A correction is a layer over the reading, keyed by the file's
# content (sha256) and the cell, so it survives re-ingest and removal of the same file; it is never a foreign key
# of `reports`. `old_value`/`old_raw` keep the original reading; `status`: active (applied to the report with that
# sha256) | needs_reconfirm (the unit re-published another file for the same agency-year: listed, never applied) |
# reconfirmed (entered again on the newer file). `facts.corrected` is the citation note of a corrected cell
# (“人工校正：张三，2026-12-07，依据原件第3页”), NULL for a cell as read.
CORRECTIONS_SQL = """
CREATE TABLE IF NOT EXISTS corrections (
    report_sha256 TEXT NOT NULL, table_name TEXT NOT NULL, row_key TEXT NOT NULL, col_key TEXT NOT NULL,
    file TEXT NOT NULL, agency TEXT, year INTEGER,
    old_value NUMERIC, old_raw TEXT, new_value NUMERIC NOT NULL,
    by_user TEXT NOT NULL, at TEXT NOT NULL, note TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reconfirm', 'reconfirmed')),
    PRIMARY KEY (report_sha256, table_name, row_key, col_key)
);
CREATE INDEX IF NOT EXISTS corrections_agency_year ON corrections (agency, year, status);
ALTER TABLE facts ADD COLUMN IF NOT EXISTS corrected TEXT;
"""

# Version 6: scoring (issue 26). A deduction that rests on a cell we could not read with certainty, or on a
# judgment of wording, is held until an official confirms it: one row per confirmed held deduction (report,
# rubric item, occurrence key), kept when the report is scored again; removed with the report.
SCORE_CONFIRMATIONS_SQL = """
CREATE TABLE IF NOT EXISTS score_confirmations (
    report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    item TEXT NOT NULL, occurrence TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (report_id, item, occurrence)
);
"""

# Version 7: the season (issue 25). `roster_units`: the units a supervising office oversees (名册): name, other
# names (JSON list), level 部门/政府/乡镇街道, parent, group, a deadline override (MM-DD, NULL = from the level) and
# the unit's report list page, and whether its report sums its subordinates' (a whole-county report: 汇总下级).
# `roster_assignments`: a report (by content, sha256) the roster did not recognise,
# assigned to a unit by an official. `harvest_pages`: what `nianbao harvest` fetched (a list page, an article, an
# attachment), with its unit, year, content digest, the page's publication date and the stored file: the
# provenance of a harvested report and what makes a second harvest skip an unchanged page or file.
ROSTER_SQL = """
CREATE TABLE IF NOT EXISTS roster_units (
    name TEXT PRIMARY KEY, aliases TEXT NOT NULL DEFAULT '[]',
    level TEXT NOT NULL CHECK (level IN ('部门', '政府', '乡镇街道')),
    parent TEXT, group_name TEXT, deadline TEXT, list_url TEXT,
    sums_subordinates INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS roster_units_group ON roster_units (group_name);
CREATE TABLE IF NOT EXISTS roster_assignments (
    report_sha256 TEXT PRIMARY KEY, unit TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS harvest_pages (
    url TEXT PRIMARY KEY, unit TEXT NOT NULL, year INTEGER, kind TEXT NOT NULL,
    sha256 TEXT, page_date TEXT, title TEXT, article_url TEXT, path TEXT, fetched_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS harvest_pages_sha ON harvest_pages (sha256);
CREATE INDEX IF NOT EXISTS harvest_pages_unit_year ON harvest_pages (unit, year);
"""

# Version 8: sessions bound to the account (issue 21). Each account gets a `uid` (a new one when a name is removed
# and added again) and a `cred_version`, raised by a password change and a role change; a web session holds the
# uid and the version it logged in with and is valid only while both still match (checked on every request, in
# every web process). `sessions` holds a hash of the session token, never the token. `exports` says who made each
# download (its folder under the export dir, and the folder of Gradio's cached copy), so another account's
# export is refused.
SESSIONS_SQL = """
ALTER TABLE users ADD COLUMN IF NOT EXISTS uid TEXT;
ALTER TABLE users ADD COLUMN IF NOT EXISTS cred_version INTEGER NOT NULL DEFAULT 1;
UPDATE users SET uid = {random_uid} WHERE uid IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS users_uid ON users (uid);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha TEXT PRIMARY KEY, uid TEXT NOT NULL, name TEXT NOT NULL, cred_version INTEGER NOT NULL,
    created_at TEXT NOT NULL, client TEXT
);
CREATE INDEX IF NOT EXISTS sessions_uid ON sessions (uid);
CREATE TABLE IF NOT EXISTS exports (
    folder TEXT NOT NULL, file TEXT NOT NULL, maker TEXT NOT NULL, maker_uid TEXT, made_at TEXT NOT NULL,
    PRIMARY KEY (folder, maker)
);
"""
SQLITE_RANDOM_UID = "lower(hex(randomblob(16)))"
PG_RANDOM_UID = "md5(random()::text || clock_timestamp()::text || name)"

# (version, what it adds, {engine: SQL}). A library is brought to the last version when it is opened; the
# version it is at is meta.schema_version. A new version appends here, with its SQL for both engines.
# SQLite has no ADD COLUMN IF NOT EXISTS: `_sqlite_script` drops an ADD COLUMN whose column the file already
# has (a library made by a build whose version 1 already held edition_of and group_name).
MIGRATIONS: list[tuple[int, str, dict[str, str]]] = [
    (1, "reports, facts, chunks, keyword index", {"sqlite": SCHEMA, "postgresql": PG_SCHEMA}),
    (2, "accounts and audit log", {"sqlite": ACCOUNTS_SCHEMA, "postgresql": PG_ACCOUNTS_SCHEMA}),
    (3, "editions: reports.edition_of", {"sqlite": EDITIONS_SQL, "postgresql": EDITIONS_SQL}),
    (4, "groups: reports.group_name and its index", {"sqlite": GROUPS_SQL, "postgresql": GROUPS_SQL}),
    (5, "corrections by the official and facts.corrected", {"sqlite": CORRECTIONS_SQL, "postgresql": CORRECTIONS_SQL}),
    (6, "scoring: score_confirmations (held deductions an official confirmed)",
     {"sqlite": SCORE_CONFIRMATIONS_SQL, "postgresql": SCORE_CONFIRMATIONS_SQL}),
    (7, "the season: roster_units, roster_assignments, harvest_pages", {"sqlite": ROSTER_SQL, "postgresql": ROSTER_SQL}),

    (8, "sessions bound to account uid and cred_version; exports and who made them",
     {"sqlite": SESSIONS_SQL.format(random_uid=SQLITE_RANDOM_UID),
      "postgresql": SESSIONS_SQL.format(random_uid=PG_RANDOM_UID)}),
]
SCHEMA_VERSION = str(MIGRATIONS[-1][0])


class DatabaseError(UserError):
    """The database named by NIANBAO_DATABASE_URL cannot be used. Chinese message."""


def db_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_NAME


def database_url_from_env() -> str | None:
    return Settings.from_env().database_url or None


def _decimal(v: Any) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


_PLACEHOLDER = re.compile(r"'[^']*'|\?|%")


def to_pyformat(sql: str) -> str:
    """`?` placeholders to psycopg's `%s` (a literal % doubled; text inside quotes left alone)."""
    return _PLACEHOLDER.sub(lambda m: "%s" if m.group() == "?" else ("%%" if m.group() == "%" else m.group()), sql)


class PgCursor:
    """A psycopg cursor that reads NUMERIC back as int/float, like SQLite does."""

    def __init__(self, cursor):
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def fetchone(self):
        row = self._cursor.fetchone()
        return tuple(_decimal(v) for v in row) if row is not None else None

    def fetchall(self):
        return [tuple(_decimal(v) for v in row) for row in self._cursor.fetchall()]

    def __iter__(self):
        return iter(self.fetchall() if self._cursor.description else [])


class PgConnection:
    """The part of sqlite3.Connection the library uses, over one pooled PostgreSQL connection."""
    dialect = "postgresql"

    def __init__(self, raw):
        self.raw = raw

    def execute(self, sql: str, params: Sequence = ()) -> PgCursor:
        cursor = self.raw.cursor()
        cursor.execute(to_pyformat(sql), tuple(params) if params else None)
        return PgCursor(cursor)

    def executemany(self, sql: str, rows) -> None:
        rows = [tuple(r) for r in rows]
        if rows:
            self.raw.cursor().executemany(to_pyformat(sql), rows)


@dataclass(eq=False)
class Database:
    """One library database: a SQLite file (`path`) or a PostgreSQL server (`url`)."""
    dialect: str                          # "sqlite" | "postgresql"
    path: Path | None = None
    url: str | None = None
    _engine: Any = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def describe(self) -> str:
        if self.dialect == "sqlite":
            return str(self.path)
        from sqlalchemy.engine import make_url
        return make_url(self.url).render_as_string(hide_password=True)

    def engine(self):
        with self._lock:
            if self._engine is None:
                from sqlalchemy import create_engine
                url = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", self.url)
                self._engine = create_engine(url, pool_size=PG_POOL_SIZE, max_overflow=PG_POOL_SIZE, pool_pre_ping=True)
            return self._engine

    def connect(self):
        if self.dialect == "sqlite":
            return connect(self.path)
        try:
            return PgConnection(self.engine().raw_connection())
        except Exception as e:       # noqa: BLE001 - any driver error: say which database, in Chinese
            raise DatabaseError(f"无法连接数据库 {self.describe()}：{type(e).__name__}: {str(e).strip()[:300]}。"
                                f"请检查 {ENV_DATABASE_URL} 和数据库服务是否已启动。") from e

    def create(self) -> None:
        """Bring the schema to the last version (idempotent; safe when several processes open it at once)."""
        if self.dialect == "sqlite":
            return create(self.path)
        conn = self.connect()
        raw = conn.raw
        try:
            conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK_KEY,))
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            current = int(row[0]) if row else 0
            for version, _, sql in MIGRATIONS:
                if version > current:
                    raw.cursor().execute(sql["postgresql"])
                    conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(version),))
            raw.commit()
        except BaseException:
            raw.rollback()
            raise
        finally:
            raw.close()


def open_database(data_dir: Path, url: str | None = None) -> Database:
    """The library's database: PostgreSQL when `url` (or NIANBAO_DATABASE_URL) names one, else the SQLite file
    in the data folder. The schema is created or migrated."""
    url = url or database_url_from_env()
    if url:
        if not re.match(r"^postgres(ql)?(\+\w+)?://", url):
            raise DatabaseError(f"{ENV_DATABASE_URL} 只支持 PostgreSQL（postgresql://用户:密码@主机:端口/库名），"
                                f"不填则使用数据目录中的 SQLite 文件。")
        database = Database("postgresql", url=url)
    else:
        database = Database("sqlite", path=db_path(data_dir))
    database.create()
    return database


def _as_database(target) -> Database:
    return target if isinstance(target, Database) else Database("sqlite", path=Path(target))


def connect(path: Path) -> sqlite3.Connection:
    """A connection with WAL (readers never block the writer), foreign keys on and a generous busy wait."""
    db = sqlite3.connect(path, timeout=SQLITE_BUSY_SECONDS, isolation_level=None)   # explicit BEGIN/COMMIT only
    _enter_wal(db)
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def _enter_wal(db: sqlite3.Connection) -> None:
    """Put the file in WAL mode. Switching a new file's journal needs it alone, and SQLite answers "database is
    locked" at once, without its busy wait, while another process is creating the same file: wait and retry
    (for SQLITE_BUSY_SECONDS at most). A file already in WAL is left as it is."""
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    pause = SQLITE_WAL_RETRY_SECONDS
    while True:
        try:
            if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


_ADD_COLUMN = re.compile(r"ALTER TABLE (\w+) ADD COLUMN IF NOT EXISTS (\w+)([^;]*);", re.IGNORECASE)


def _sqlite_script(db: sqlite3.Connection, sql: str) -> str:
    """A migration's SQL as SQLite runs it: ADD COLUMN IF NOT EXISTS becomes ADD COLUMN, or nothing when the
    table already has the column."""
    def column(m: re.Match) -> str:
        table, name, kind = m.groups()
        have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        return "" if name in have else f"ALTER TABLE {table} ADD COLUMN {name}{kind};"
    return _ADD_COLUMN.sub(column, sql)


def _statements(script: str) -> Iterator[str]:
    """A SQL script's statements one by one (a trigger's BEGIN … END stays whole)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""


def create(path: Path) -> None:
    """Bring a SQLite library file to the last version: the missing MIGRATIONS and the new schema_version in one
    transaction (BEGIN IMMEDIATE, so two processes opening the same file take turns)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            current = int(row[0]) if row else 0
            for version, _, sql in MIGRATIONS:
                if version > current:
                    for statement in _statements(_sqlite_script(db, sql["sqlite"])):   # executescript would COMMIT
                        db.execute(statement)
                    db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(version),))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    finally:
        db.close()


def dialect_of(db) -> str:
    """"sqlite" or "postgresql" for a connection from `reading` / `transaction`."""
    return getattr(db, "dialect", "sqlite")


_readers = threading.local()


def _sqlite_reader(path: Path) -> tuple[sqlite3.Connection, bool]:
    """This thread's read connection to the SQLite file at `path`, opened once and kept (opening one with its
    PRAGMAs costs about a millisecond, and an answer reads a dozen times). Keyed by the file's inode too, so a
    file replaced under the same name gets a new connection. Each statement runs in autocommit, so it sees
    everything committed before it, by any process. (connection, kept): one not kept is closed after use."""
    try:
        st = os.stat(path)
        key = (str(path), st.st_dev, st.st_ino)
    except OSError:
        key = None
    kept = getattr(_readers, "connections", None)
    if kept is None:
        kept = _readers.connections = {}
    if key is not None and key in kept:
        kept[key] = kept.pop(key)              # most recently used last
        return kept[key], True
    db = connect(path)
    if key is None:
        return db, False
    kept[key] = db
    while len(kept) > SQLITE_READERS_PER_THREAD:
        kept.pop(next(iter(kept))).close()
    return db, True


@contextmanager
def reading(target: "Database | Path") -> Iterator[Any]:
    database = _as_database(target)
    if database.dialect == "sqlite":
        db, kept = _sqlite_reader(database.path)
        try:
            yield db
        finally:
            if not kept:
                db.close()
            elif db.in_transaction:            # a reader never leaves a transaction open on a kept connection
                db.execute("ROLLBACK")
        return
    db = database.connect()
    try:
        yield db
    finally:
        db.raw.rollback()
        db.raw.close()


@contextmanager
def transaction(target: "Database | Path") -> Iterator[Any]:
    """One write transaction: everything inside commits together or not at all (also on SIGKILL). Writers take
    turns (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock held until commit)."""
    database = _as_database(target)
    db = database.connect()
    if database.dialect == "postgresql":
        try:
            db.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK_KEY,))
            yield db
            db.raw.commit()
        except BaseException:
            db.raw.rollback()
            raise
        finally:
            db.raw.close()
        return
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
