"""Accounts and the audit log, stored in the library's database next to the reports they guard.

`AccountStore(path)`: `add`, `set_password`, `remove`, `users`, `get`, `verify(name, password)`; passwords are
kept only as salted bcrypt hashes (`hash_password` / `password_matches`). `AuditLog(path)`: `record(...)`
appends one entry, `entries()` reads them back; the database refuses to change or delete an entry (triggers),
so no role can edit the log. What each role may do is assistant/access.py's business, not this module's.

Sessions (migration 8): every account has a `uid` (new when a name is removed and added again) and a
`cred_version`, raised by `set_password` and `set_role`. `SessionStore` keeps a hash of each web session's token
with the uid and version it logged in with; `name_of(token)` answers the account name only while both still match,
so a password change, a role change or a removal ends every old session in every web process. `ExportStore`
records who made each download.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import bcrypt

from ingest.errors import UserError
from vectorstore import db as dbmod

ROLES = ("viewer", "editor", "admin")
ROLE_LABELS = {"viewer": "查阅", "editor": "编辑", "admin": "管理员"}
BCRYPT_ROUNDS = 12                 # about 0.2 s a check on this machine's kind
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72            # bcrypt reads no further
NAME_PATTERN = re.compile(r"^[\w.@-]{1,64}$")     # letters (Chinese too), digits, _ . @ -


class AccountError(UserError):
    """An account request that cannot be done. Chinese message."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    created_at: str
    updated_at: str

    def to_json(self) -> dict:
        return {"name": self.name, "role": self.role, "created_at": self.created_at, "updated_at": self.updated_at}


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    user: str
    role: str | None
    action: str
    target: str | None
    detail: str | None
    ok: bool
    channel: str                   # web | api | cli
    client: str | None             # the caller's address, when known

    def to_json(self) -> dict:
        return {"seq": self.seq, "at": self.at, "user": self.user, "role": self.role, "action": self.action,
                "target": self.target, "detail": self.detail, "ok": self.ok, "channel": self.channel,
                "client": self.client}


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD_CHARS} 个字符。")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise AccountError(f"密码太长：不能超过 {MAX_PASSWORD_BYTES} 字节（约 {MAX_PASSWORD_BYTES // 3} 个汉字）。")


def hash_password(password: str) -> str:
    """A salted bcrypt hash (the salt and cost are part of the string)."""
    check_password(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def password_matches(password: str, stored_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), stored_hash.encode("ascii"))
    except ValueError:             # over 72 bytes, or a malformed hash
        return False


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_PATTERN.match(name):
        raise AccountError(f"账号名“{name}”无效：请用 1–64 个字母、汉字、数字或 _ . @ -。")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"角色“{role}”无效：应为 viewer（查阅）、editor（编辑）或 admin（管理员）。")
    return role


# A hash to compare against when the account does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = bcrypt.hashpw(b"nianbao-dummy", bcrypt.gensalt(4)).decode("ascii")


@dataclass(frozen=True)
class AccountStore:
    path: "dbmod.Database | Path"

    def users(self) -> list[Account]:
        with dbmod.reading(self.path) as db:
            rows = db.execute("SELECT name, role, created_at, updated_at FROM users ORDER BY name").fetchall()
        return [Account(*r) for r in rows]

    def count(self) -> int:
        with dbmod.reading(self.path) as db:
            return db.execute("SELECT COUNT(*) FROM users").fetchone()[0]

    def get(self, name: str | None) -> Account | None:
        if not name:
            return None
        with dbmod.reading(self.path) as db:
            row = db.execute("SELECT name, role, created_at, updated_at FROM users WHERE name = ?", (name,)).fetchone()
        return Account(*row) if row else None

    def add(self, name: str, role: str, password: str) -> Account:
        name, role = check_name(name), check_role(role)
        hashed = hash_password(password)
        stamp = now()
        with dbmod.transaction(self.path) as tx:
            if tx.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise AccountError(f"账号“{name}”已存在。改密码请用 nianbao user passwd {name}。")
            tx.execute("INSERT INTO users (name, role, password_hash, created_at, updated_at, uid, cred_version) "
                       "VALUES (?, ?, ?, ?, ?, ?, 1)", (name, role, hashed, stamp, stamp, secrets.token_hex(16)))
        return Account(name, role, stamp, stamp)

    def set_password(self, name: str, password: str) -> None:
        hashed = hash_password(password)
        with dbmod.transaction(self.path) as tx:
            cur = tx.execute("UPDATE users SET password_hash = ?, updated_at = ?, cred_version = cred_version + 1 "
                             "WHERE name = ?", (hashed, now(), name))
            if cur.rowcount == 0:
                raise AccountError(f"没有账号“{name}”。可用 nianbao user list 查看。")
            _end_sessions(tx, name)

    def set_role(self, name: str, role: str) -> None:
        role = check_role(role)
        with dbmod.transaction(self.path) as tx:
            self._keep_an_admin(tx, name, role)
            cur = tx.execute("UPDATE users SET role = ?, updated_at = ?, cred_version = cred_version + 1 "
                             "WHERE name = ?", (role, now(), name))
            if cur.rowcount == 0:
                raise AccountError(f"没有账号“{name}”。可用 nianbao user list 查看。")
            _end_sessions(tx, name)

    def remove(self, name: str) -> Account:
        with dbmod.transaction(self.path) as tx:
            row = tx.execute("SELECT name, role, created_at, updated_at FROM users WHERE name = ?", (name,)).fetchone()
            if not row:
                raise AccountError(f"没有账号“{name}”。可用 nianbao user list 查看。")
            self._keep_an_admin(tx, name, None)
            _end_sessions(tx, name)
            tx.execute("DELETE FROM users WHERE name = ?", (name,))
        return Account(*row)

    @staticmethod
    def _keep_an_admin(tx, name: str, new_role: str | None) -> None:
        """Refuse to take away the last administrator while other accounts remain (nobody could manage them)."""
        admins = [n for (n,) in tx.execute("SELECT name FROM users WHERE role = 'admin'")]
        others = tx.execute("SELECT COUNT(*) FROM users WHERE name != ?", (name,)).fetchone()[0]
        if admins == [name] and new_role != "admin" and others:
            raise AccountError(f"“{name}”是唯一的管理员：请先把另一个账号设为管理员（admin）。")

    def verify(self, name: str, password: str) -> Account | None:
        """The account when the password is right; None otherwise (also for an unknown name)."""
        with dbmod.reading(self.path) as db:
            row = db.execute("SELECT name, role, created_at, updated_at, password_hash FROM users WHERE name = ?",
                             ((name or "").strip(),)).fetchone()
        if row is None:
            password_matches(password or "", _DUMMY_HASH)
            return None
        return Account(*row[:4]) if password_matches(password or "", row[4]) else None


def _end_sessions(tx, name: str) -> None:
    tx.execute("DELETE FROM sessions WHERE uid IN (SELECT uid FROM users WHERE name = ?)", (name,))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SessionStore:
    """Web sessions bound to the account's uid and credential version (see the module's doc)."""
    path: "dbmod.Database | Path"

    def open(self, token: str, name: str, client: str | None = None) -> bool:
        """Record a session for `name` as the account is now; False when there is no such account."""
        with dbmod.transaction(self.path) as tx:
            row = tx.execute("SELECT uid, cred_version FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                return False
            tx.execute("INSERT INTO sessions (token_sha, uid, name, cred_version, created_at, client) "
                       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (token_sha) DO NOTHING",
                       (token_hash(token), row[0], name, row[1], now(), client))
        return True

    def name_of(self, token: str | None) -> str | None:
        """The account name of a live session; None when the session is unknown or its account was removed, got
        another password or another role since it logged in."""
        if not token:
            return None
        with dbmod.reading(self.path) as db:
            row = db.execute("SELECT u.name FROM sessions s JOIN users u ON u.uid = s.uid "
                             "AND u.cred_version = s.cred_version WHERE s.token_sha = ?", (token_hash(token),)).fetchone()
        return row[0] if row else None

    def end(self, token: str) -> None:
        with dbmod.transaction(self.path) as tx:
            tx.execute("DELETE FROM sessions WHERE token_sha = ?", (token_hash(token),))

    def end_all(self, name: str) -> None:
        with dbmod.transaction(self.path) as tx:
            _end_sessions(tx, name)

    def count(self, name: str | None = None) -> int:
        sql, params = "SELECT COUNT(*) FROM sessions", ()
        if name:
            sql, params = sql + " WHERE name = ?", (name,)
        with dbmod.reading(self.path) as db:
            return db.execute(sql, params).fetchone()[0]


@dataclass(frozen=True)
class ExportStore:
    """Who made each download: rows of (folder, maker). A folder is an export's own (unguessable) folder or the
    content-hash folder of Gradio's cached copy, which two accounts exporting the same bytes share."""
    path: "dbmod.Database | Path"

    def record(self, folders: "list[str] | str", file: str, maker: str) -> None:
        with dbmod.transaction(self.path) as tx:
            row = tx.execute("SELECT uid FROM users WHERE name = ?", (maker,)).fetchone()
            for folder in [folders] if isinstance(folders, str) else folders:
                tx.execute("INSERT INTO exports (folder, file, maker, maker_uid, made_at) VALUES (?, ?, ?, ?, ?) "
                           "ON CONFLICT (folder, maker) DO UPDATE SET maker_uid = excluded.maker_uid",
                           (folder, file, maker, row[0] if row else None, now()))

    def is_export(self, folder: str) -> bool:
        with dbmod.reading(self.path) as db:
            return db.execute("SELECT 1 FROM exports WHERE folder = ?", (folder,)).fetchone() is not None

    def made_by(self, folder: str, name: str) -> bool:
        """Whether the account now called `name` (the same person: the same uid) made an export in `folder`."""
        with dbmod.reading(self.path) as db:
            return db.execute("SELECT 1 FROM exports e JOIN users u ON u.name = e.maker AND u.uid = e.maker_uid "
                              "WHERE e.folder = ? AND e.maker = ?", (folder, name)).fetchone() is not None

    def uid_of(self, name: str) -> str | None:
        with dbmod.reading(self.path) as db:
            row = db.execute("SELECT uid FROM users WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None


@dataclass(frozen=True)
class AuditLog:
    path: "dbmod.Database | Path"

    def record(self, user: str, action: str, *, role: str | None = None, target: str | None = None,
               detail: str | None = None, ok: bool = True, channel: str = "web", client: str | None = None) -> None:
        with dbmod.transaction(self.path) as tx:
            tx.execute("INSERT INTO audit (at, actor, role, action, target, detail, ok, channel, client) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (now(), user, role, action, target, detail, int(ok), channel, client))

    def count_since(self, actor: str, action: str, since: str, client: str | None = None,
                    after_unlock: bool = False) -> int:
        """How many `action` entries `actor` has at or after `since` (an ISO time like `now()`); with `client`,
        only those from that address; with `after_unlock`, only those after the last `login_unlock` of the name."""
        sql = "SELECT COUNT(*) FROM audit WHERE actor = ? AND action = ? AND at >= ?"
        params: list = [actor, action, since]
        if client is not None:
            sql += " AND COALESCE(client, '') = ?"
            params.append(client)
        if after_unlock:
            sql += (" AND seq > COALESCE((SELECT MAX(seq) FROM audit WHERE action = 'login_unlock' AND target = ?), 0)")
            params.append(actor)
        with dbmod.reading(self.path) as db:
            return db.execute(sql, params).fetchone()[0]

    def entries(self, limit: int | None = None, user: str | None = None, action: str | None = None) -> list[AuditEntry]:
        """Newest first."""
        sql, params = "SELECT seq, at, actor, role, action, target, detail, ok, channel, client FROM audit WHERE 1 = 1", []
        if user:
            sql += " AND actor = ?"
            params.append(user)
        if action:
            sql += " AND action = ?"
            params.append(action)
        sql += " ORDER BY seq DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(int(limit))
        with dbmod.reading(self.path) as db:
            rows = db.execute(sql, params).fetchall()
        return [AuditEntry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8], r[9]) for r in rows]
