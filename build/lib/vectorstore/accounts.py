"""Accounts and the audit log, stored in the library's database next to the reports they guard.

`AccountStore(path)`: `add`, `set_password`, `remove`, `users`, `get`, `verify(name, password)`; passwords are
kept only as salted bcrypt hashes (`hash_password` / `password_matches`). `AuditLog(path)`: `record(...)`
appends one entry, `entries()` reads them back; the database refuses to change or delete an entry (triggers),
so no role can edit the log. What each role may do is assistant/access.py's business, not this module's.
"""
from __future__ import annotations

import re
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
            tx.execute("INSERT INTO users (name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                       (name, role, hashed, stamp, stamp))
        return Account(name, role, stamp, stamp)

    def set_password(self, name: str, password: str) -> None:
        hashed = hash_password(password)
        with dbmod.transaction(self.path) as tx:
            cur = tx.execute("UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?", (hashed, now(), name))
            if cur.rowcount == 0:
                raise AccountError(f"没有账号“{name}”。可用 nianbao user list 查看。")

    def set_role(self, name: str, role: str) -> None:
        role = check_role(role)
        with dbmod.transaction(self.path) as tx:
            self._keep_an_admin(tx, name, role)
            cur = tx.execute("UPDATE users SET role = ?, updated_at = ? WHERE name = ?", (role, now(), name))
            if cur.rowcount == 0:
                raise AccountError(f"没有账号“{name}”。可用 nianbao user list 查看。")

    def remove(self, name: str) -> Account:
        with dbmod.transaction(self.path) as tx:
            row = tx.execute("SELECT name, role, created_at, updated_at FROM users WHERE name = ?", (name,)).fetchone()
            if not row:
                raise AccountError(f"没有账号“{name}”。可用 nianbao user list 查看。")
            self._keep_an_admin(tx, name, None)
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


@dataclass(frozen=True)
class AuditLog:
    path: "dbmod.Database | Path"

    def record(self, user: str, action: str, *, role: str | None = None, target: str | None = None,
               detail: str | None = None, ok: bool = True, channel: str = "web", client: str | None = None) -> None:
        with dbmod.transaction(self.path) as tx:
            tx.execute("INSERT INTO audit (at, actor, role, action, target, detail, ok, channel, client) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (now(), user, role, action, target, detail, int(ok), channel, client))

    def count_since(self, actor: str, action: str, since: str) -> int:
        """How many `action` entries `actor` has at or after `since` (an ISO time like `now()`)."""
        with dbmod.reading(self.path) as db:
            return db.execute("SELECT COUNT(*) FROM audit WHERE actor = ? AND action = ? AND at >= ?",
                              (actor, action, since)).fetchone()[0]

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
