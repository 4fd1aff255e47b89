"""Accounts and the audit log (vectorstore.accounts), roles (assistant.access), and `nianbao user` / `nianbao audit`;
on both database engines (SQLite, and a PostgreSQL server the test run starts)."""
from __future__ import annotations

import io
import json
import sqlite3
import sys

import pytest

from assistant.access import ACTION_ROLE, AccessDenied, Gate, access_mode, allowed
from vectorstore import db as dbmod
from vectorstore.accounts import AccountError
from vectorstore.library import Library

PASSWORD = "办公室-passw0rd"
pytestmark = pytest.mark.usefixtures("engine_env")      # a fresh database per test, on each engine


@pytest.fixture
def library(tmp_path):
    return Library(tmp_path / "data")


def test_password_is_stored_only_as_a_salted_hash(library):
    library.accounts.add("zhang", "editor", PASSWORD)
    library.accounts.add("li", "viewer", PASSWORD)
    with dbmod.reading(library.db) as db:
        rows = db.execute("SELECT name, role, password_hash, created_at, updated_at FROM users ORDER BY name").fetchall()
    assert not any(PASSWORD in str(v) for row in rows for v in row)
    if library.db.dialect == "sqlite":                 # nor anywhere in the database files
        raw = b"".join(p.read_bytes() for p in library.data_dir.glob("library.sqlite*"))
        assert PASSWORD.encode() not in raw and "办公室".encode() not in raw
    hashes = [r[2] for r in rows]
    assert all(h.startswith("$2b$12$") for h in hashes)
    assert hashes[0] != hashes[1]                        # same password, different salt
    assert library.accounts.verify("zhang", PASSWORD).role == "editor"
    assert library.accounts.verify("zhang", PASSWORD + "x") is None
    assert library.accounts.verify("nobody", PASSWORD) is None


def test_account_rules(library):
    accounts = library.accounts
    with pytest.raises(AccountError, match="太短"):
        accounts.add("a1", "viewer", "1234567")
    with pytest.raises(AccountError, match="角色"):
        accounts.add("a1", "root", PASSWORD)
    with pytest.raises(AccountError, match="账号名"):
        accounts.add("a b", "viewer", PASSWORD)
    accounts.add("boss", "admin", PASSWORD)
    with pytest.raises(AccountError, match="已存在"):
        accounts.add("boss", "viewer", PASSWORD)
    accounts.add("clerk", "viewer", PASSWORD)
    with pytest.raises(AccountError, match="唯一的管理员"):
        accounts.remove("boss")
    with pytest.raises(AccountError, match="唯一的管理员"):
        accounts.set_role("boss", "editor")
    accounts.set_role("clerk", "admin")
    accounts.remove("boss")
    accounts.set_password("clerk", "another-password")
    assert accounts.verify("clerk", "another-password") and not accounts.verify("clerk", PASSWORD)
    assert [u.name for u in accounts.users()] == ["clerk"]
    with pytest.raises(AccountError, match="没有账号"):
        accounts.set_password("boss", PASSWORD)


def test_audit_log_cannot_be_changed_or_deleted(library):
    library.audit.record("zhang", "upload", role="editor", target="a.pdf", detail="已入库")
    library.audit.record("li", "login_failed", ok=False)
    entries = library.audit.entries()
    assert [(e.user, e.action, e.ok) for e in entries] == [("li", "login_failed", False), ("zhang", "upload", True)]
    for sql in ("UPDATE audit SET actor = 'someone' WHERE seq = 1", "DELETE FROM audit"):
        with pytest.raises(Exception, match="审计日志不可"):          # refused by the database itself
            with dbmod.transaction(library.db) as tx:
                tx.execute(sql)
    if library.db.dialect == "sqlite":
        with sqlite3.connect(library.db.path) as db, pytest.raises(sqlite3.DatabaseError, match="不可删除"):
            db.execute("DELETE FROM audit")
    assert [(e.user, e.target) for e in library.audit.entries()] == [("li", None), ("zhang", "a.pdf")]


def test_roles_are_cumulative_and_every_action_has_one():
    assert allowed("viewer", "ask") and allowed("viewer", "download") and not allowed("viewer", "upload")
    assert allowed("editor", "remove") and allowed("editor", "draft") and not allowed("editor", "users")
    assert all(allowed("admin", a) for a in ACTION_ROLE)
    assert not allowed(None, "ask") and not allowed("root", "ask")


def test_access_mode_open_only_without_accounts_on_loopback(library, monkeypatch):
    monkeypatch.delenv("NIANBAO_AUTH_HEADER", raising=False)
    assert access_mode(library.accounts, "127.0.0.1") == "open"
    assert access_mode(library.accounts, "0.0.0.0") == "password"
    gate = Gate(library.accounts, library.audit, "open")
    assert gate.caller(None).role == "admin"
    library.accounts.add("boss", "admin", PASSWORD)
    assert access_mode(library.accounts, "127.0.0.1") == "password"
    with pytest.raises(AccessDenied, match="重启"):             # an account added while an open app runs
        gate.caller(None)
    monkeypatch.setenv("NIANBAO_AUTH_HEADER", "X-Remote-User")
    assert access_mode(library.accounts, "127.0.0.1") == "header"


def test_gate_records_logins_and_refusals(library, monkeypatch):
    library.accounts.add("li", "viewer", PASSWORD)
    gate = Gate(library.accounts, library.audit, "password")
    assert gate.login("li", PASSWORD) and not gate.login("li", "wrong-password")
    caller = gate.caller("li", "10.0.0.7")
    with pytest.raises(AccessDenied, match="权限不足"):
        gate.require(caller, "remove")
    with pytest.raises(AccessDenied, match="请先登录"):
        gate.caller("ghost")
    got = [(e.user, e.action, e.ok, e.detail, e.client) for e in library.audit.entries()]
    assert got == [("li", "denied", False, "remove", "10.0.0.7"), ("li", "login_failed", False, None, None),
                   ("li", "login", True, None, None)]
    for _ in range(4):                                             # five failures: the name is locked for a while
        assert not gate.login("li", "wrong-password")
    assert not gate.login("li", PASSWORD)
    assert library.audit.entries(limit=1)[0].action == "login_locked"
    monkeypatch.setenv("NIANBAO_AUTH_HEADER", "X-Remote-User")
    header_gate = Gate(library.accounts, library.audit, "header")
    assert header_gate.header_user({"X-Remote-User": "li"}, "127.0.0.1") == "li"
    assert header_gate.header_user({"X-Remote-User": "li"}, "10.1.2.3") is None      # not from the proxy
    assert header_gate.header_user({"X-Remote-User": "ghost"}, "127.0.0.1") is None
    assert header_gate.header_user({}, "127.0.0.1") is None


def run_cli(args, stdin="", monkeypatch=None):
    import cli
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = cli.main(args)
    return code, out.getvalue(), err.getvalue()


def test_cli_user_and_audit(tmp_path, monkeypatch):
    d = ["--data-dir", str(tmp_path / "data")]
    code, out, _ = run_cli(["user", "add", "王科长", "--role", "admin", "--password-stdin", *d], PASSWORD + "\n", monkeypatch)
    assert code == 0 and "已添加" in out
    code, _, err = run_cli(["user", "add", "小李", "--role", "viewer", "--password-stdin", *d], "short\n", monkeypatch)
    assert code == 2 and "太短" in err
    code, _, _ = run_cli(["user", "add", "小李", "--role", "viewer", "--password-stdin", *d], "new-secret-9\n", monkeypatch)
    assert code == 0
    code, _, _ = run_cli(["user", "passwd", "小李", "--password-stdin", *d], "changed-secret-9\n", monkeypatch)
    code, out, _ = run_cli(["user", "list", "--json", *d], "", monkeypatch)
    assert [(u["name"], u["role"]) for u in json.loads(out)] == [("小李", "viewer"), ("王科长", "admin")]
    assert "password" not in out and "$2b$" not in out
    code, _, err = run_cli(["user", "remove", "王科长", *d], "", monkeypatch)
    assert code == 2 and "唯一的管理员" in err
    code, _, _ = run_cli(["user", "remove", "小李", *d], "", monkeypatch)
    assert code == 0
    code, out, _ = run_cli(["audit", "--json", *d], "", monkeypatch)
    entries = json.loads(out)
    assert [(e["action"], e["target"], e["ok"], e["channel"]) for e in entries] == [
        ("user_remove", "小李", True, "cli"), ("user_remove", "王科长", False, "cli"), ("user_passwd", "小李", True, "cli"),
        ("user_add", "小李", True, "cli"), ("user_add", "小李", False, "cli"), ("user_add", "王科长", True, "cli")]
    assert all(e["user"].startswith("cli:") for e in entries)
    library = Library(tmp_path / "data")
    assert library.accounts.verify("小李", "changed-secret-9") is None            # removed
    assert library.accounts.verify("王科长", PASSWORD).role == "admin"
    assert len(library.audit.entries(limit=2)) == 2


def test_a_version_1_library_is_migrated_when_opened(tmp_path, engine_env):
    if engine_env:
        pytest.skip("a version-1 library only ever existed as a SQLite file")
    data = tmp_path / "old"
    data.mkdir()
    with sqlite3.connect(data / "library.sqlite") as db:      # what main wrote before accounts existed
        db.executescript(dbmod.MIGRATIONS[0][2]["sqlite"])
        db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1')")
        db.execute("INSERT INTO reports (id, path, file, sha256, report_json, findings_json, stored_at) "
                   "VALUES ('r1', '/x/a.txt', 'a.txt', 'abc', '{}', '[]', 'now')")
    library = Library(data)
    library.accounts.add("boss", "admin", PASSWORD)
    with dbmod.reading(library.db) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == dbmod.SCHEMA_VERSION
        assert db.execute("SELECT file FROM reports").fetchall() == [("a.txt",)]        # nothing lost
