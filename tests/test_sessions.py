"""Sessions bound to the account (issue 21): migration 8 (uid, cred_version, sessions, exports), a password change,
a role change, a removal and a re-added name end old sessions; exports are downloaded only by their maker or an
administrator; a login lock is per name and source address, with `nianbao user unlock`. The store tests run on both
engines; the web tests across two app processes over one library (SQLite: one data dir; PostgreSQL: one database)."""
from __future__ import annotations

import sqlite3

import pytest

from assistant.access import MAX_FAILED_LOGINS, Gate, SessionTokens
from tests.appserver import running_app
from vectorstore import db as dbmod
from vectorstore.library import Library

PASSWORD = "办公室-passw0rd"
NEW_PASSWORD = "changed-secret-9"


@pytest.fixture
def library(tmp_path, engine_env):
    return Library(tmp_path / "data")


def test_migration_8_gives_existing_accounts_a_uid(tmp_path):
    data = tmp_path / "old"
    data.mkdir()
    with sqlite3.connect(data / "library.sqlite") as db:          # a library at version 6, with an account
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        for version, _, sql in dbmod.MIGRATIONS:
            if version <= 6:
                db.executescript(dbmod._sqlite_script(db, sql["sqlite"]))
        db.execute("INSERT INTO meta VALUES ('schema_version', '6')")
        db.execute("INSERT INTO users (name, role, password_hash, created_at, updated_at) VALUES "
                   "('old1', 'viewer', 'x', 'then', 'then'), ('old2', 'admin', 'y', 'then', 'then')")
    library = Library(data)
    with dbmod.reading(library.db) as db:
        rows = db.execute("SELECT name, uid, cred_version FROM users ORDER BY name").fetchall()
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "8"
    assert [r[0] for r in rows] == ["old1", "old2"] and all(r[2] == 1 for r in rows)
    assert len({r[1] for r in rows}) == 2 and all(len(r[1]) == 32 for r in rows)


def test_sessions_end_on_password_role_removal_and_a_readded_name(library):
    accounts = library.accounts
    accounts.add("boss", "admin", PASSWORD)
    accounts.add("li", "viewer", PASSWORD)
    tokens = SessionTokens(library.sessions)
    other_process = SessionTokens(Library(library.data_dir).sessions)     # another web process, same library
    tokens["t-li"] = "li"
    assert tokens.get("t-li") == other_process.get("t-li") == "li" and "t-li" in other_process
    accounts.set_password("li", NEW_PASSWORD)
    assert tokens.get("t-li") is None and other_process.get("t-li") is None and "t-li" not in tokens
    tokens["t-li2"] = "li"
    assert other_process["t-li2"] == "li"
    accounts.set_role("li", "editor")
    assert other_process.get("t-li2") is None
    tokens["t-li3"] = "li"
    accounts.remove("li")
    accounts.add("li", "admin", PASSWORD)                       # the same name again, another person, another role
    assert other_process.get("t-li3") is None
    with pytest.raises(KeyError):
        other_process["t-li3"]
    tokens["t-new"] = "li"
    assert other_process.get("t-new") == "li"
    del other_process["t-new"]                                  # logout in one process ends it in the other
    assert tokens.get("t-new") is None
    tokens["ghost-token"] = "nobody"                            # no such account: no session
    assert tokens.get("ghost-token") is None and library.sessions.count() == 0
    with dbmod.reading(library.db) as db:                       # only a hash of the token is stored
        assert not db.execute("SELECT 1 FROM sessions WHERE token_sha LIKE 't-%'").fetchall()


def test_lock_is_per_name_and_address_and_the_cli_unlocks(library, capsys):
    import cli
    library.accounts.add("boss", "admin", PASSWORD)
    gate = Gate(library.accounts, library.audit, "password")
    for _ in range(MAX_FAILED_LOGINS):
        assert not gate.login("boss", "wrong-password", client="10.9.9.9")
    assert not gate.login("boss", PASSWORD, client="10.9.9.9")            # locked from the attacker's address
    assert gate.login("boss", PASSWORD, client="10.0.0.5")                # and not from the admin's
    entries = library.audit.entries(limit=3)
    assert [(e.action, e.client) for e in entries] == [("login", "10.0.0.5"), ("login_locked", "10.9.9.9"),
                                                       ("login_failed", "10.9.9.9")]
    assert cli.main(["user", "unlock", "boss", "--data-dir", str(library.data_dir)]) == 0
    assert "已解除“boss”的登录暂停" in capsys.readouterr().out
    assert gate.login("boss", PASSWORD, client="10.9.9.9")
    assert library.audit.entries(limit=2)[1].action == "login_unlock"


def test_exports_record_their_maker(library):
    library.accounts.add("li", "viewer", PASSWORD)
    library.accounts.add("wang", "viewer", PASSWORD)
    library.exports.record(["tmpabc", "cafe01"], "审计日志.csv", "li")
    library.exports.record("cafe01", "审计日志.csv", "wang")          # the same bytes, cached once by Gradio
    assert library.exports.made_by("tmpabc", "li") and library.exports.made_by("cafe01", "li")
    assert not library.exports.made_by("tmpabc", "wang") and library.exports.made_by("cafe01", "wang")
    assert library.exports.is_export("cafe01") and not library.exports.is_export("nope")
    library.accounts.remove("li")
    library.accounts.add("li", "viewer", PASSWORD)
    assert not library.exports.made_by("tmpabc", "li")           # the re-added name is not the maker


# -- the web: two app processes over one library ---------------------------------------------------------------
USERS = {"admin1": ("admin", "admin-pass-1"), "viewer1": ("viewer", "viewer-pass-1"), "editor1": ("editor", "editor-pass-1")}


def logged_in(url, name, password=None, local_address=None):
    import httpx
    transport = httpx.HTTPTransport(local_address=local_address) if local_address else None
    session = httpx.Client(timeout=60, transport=transport)
    response = session.post(url + "login", data={"username": name, "password": password or USERS[name][1]})
    return session, response.status_code


def call(session, url, api_name, data=()):
    """One event through Gradio's HTTP call API with the session's cookie: ("ok", output) or ("error", text)."""
    import json
    response = session.post(url + f"gradio_api/call/{api_name}", json={"data": list(data)})
    if response.status_code != 200:
        return "http", response.status_code
    event_id = response.json()["event_id"]
    body = session.get(url + f"gradio_api/call/{api_name}/{event_id}").text
    kind, payload = None, None
    for line in body.splitlines():
        if line.startswith("event:"):
            kind = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            payload = line.split(":", 1)[1].strip()
    if kind == "complete":
        return "ok", json.loads(payload)
    return "error", payload


@pytest.mark.slow
@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_two_web_processes_end_sessions_and_guard_exports(tmp_path, request, monkeypatch, engine_name):
    env, dirs = {}, [tmp_path / "data", tmp_path / "data"]          # SQLite: both processes on one data dir
    url_db = None
    if engine_name == "postgresql":
        url_db = request.getfixturevalue("pg_server").fresh_database()
        env = {"NIANBAO_DATABASE_URL": url_db}
        dirs = [tmp_path / "a" / "data", tmp_path / "b" / "data"]
    library = Library(dirs[0], database_url=url_db)
    for name, (role, password) in USERS.items():
        library.accounts.add(name, role, password)
    with running_app(dirs[0], env) as first, running_app(dirs[1], env) as second:
        viewer_a, code_a = logged_in(first, "viewer1")
        viewer_b, code_b = logged_in(second, "viewer1")
        admin_a, _ = logged_in(first, "admin1")
        admin_b, _ = logged_in(second, "admin1")
        assert (code_a, code_b) == (200, 200)
        assert viewer_a.get(first + "config").status_code == viewer_b.get(second + "config").status_code == 200
        entries = [e for e in library.audit.entries(action="login") if e.user == "viewer1"]
        assert len(entries) == 2 and all(e.client == "127.0.0.1" for e in entries)

        # another account's export: refused to a viewer in either process, served to its maker and to admins
        kind, out = call(viewer_a, first, "compare", [[], [], ["table3.new_received.total"], "柱状图"])
        assert kind == "ok", out
        kind, out = call(admin_a, first, "export_audit")
        assert kind == "ok", out
        made = out[0]["value"]["path"] if isinstance(out[0].get("value"), dict) else out[0]["path"]
        file_url = "gradio_api/file=" + made
        served = admin_a.get(first + file_url)
        assert served.status_code == 200 and "viewer1" in served.content.decode("utf-8-sig")
        if engine_name == "sqlite":                               # the other process serves the same export dir
            assert admin_b.get(second + file_url).status_code == 200
            refused = viewer_b.get(second + file_url)
            assert refused.status_code == 403 and "无权下载" in refused.text
        refused = viewer_a.get(first + file_url)
        assert refused.status_code == 403 and "无权下载" in refused.text

        # a password change (here from the command line) ends the viewer's sessions in both processes
        library.accounts.set_password("viewer1", "viewer-pass-2")
        assert viewer_a.get(first + "config").status_code == 401
        assert viewer_b.get(second + "config").status_code == 401
        ended = call(viewer_b, second, "compare", [[], [], ["table3.new_received.total"], "柱状图"])
        assert ended[0] == "http" and ended[1] == 401
        ended = viewer_b.post(second + "gradio_api/call/compare", json={"data": []})
        assert "登录已失效" in ended.json()["detail"]
        viewer_b, code = logged_in(second, "viewer1", "viewer-pass-2")
        assert code == 200 and viewer_b.get(second + "config").status_code == 200

        # removed, and the name added again as an administrator: the old session gets nothing, not the new role
        library.accounts.remove("viewer1")
        library.accounts.add("viewer1", "admin", "someone-else-1")
        assert viewer_b.get(second + "config").status_code == 401
        assert call(viewer_b, second, "export_audit")[0] != "ok"
        with open(__file__, "rb") as f:
            assert viewer_b.post(second + "gradio_api/upload", files={"files": ("a.txt", f)}).status_code == 401

        # a role change ends the session too
        editor_a, _ = logged_in(first, "editor1")
        assert editor_a.get(first + "config").status_code == 200
        library.accounts.set_role("editor1", "viewer")
        assert editor_a.get(first + "config").status_code == 401

        # logout ends the session in the database
        admin_b.get(second + "logout", follow_redirects=False)
        assert admin_b.get(second + "config").status_code == 401
        assert admin_a.get(first + "config").status_code == 200

        # five wrong passwords from one address lock admin1 from there only; the CLI unlocks
        for _ in range(MAX_FAILED_LOGINS):
            assert logged_in(first, "admin1", "wrong-password-x")[1] == 400
        assert logged_in(second, "admin1")[1] == 400                       # locked from 127.0.0.1, both processes
        assert logged_in(first, "admin1", local_address="127.0.0.2")[1] == 200
        locked = library.audit.entries(action="login_locked", limit=1)[0]
        assert locked.client == "127.0.0.1" and locked.user == "admin1"
        import cli
        if url_db:
            monkeypatch.setenv("NIANBAO_DATABASE_URL", url_db)
        assert cli.main(["user", "unlock", "admin1", "--data-dir", str(dirs[0])]) == 0
        assert logged_in(first, "admin1")[1] == 200
