"""Login, roles and the audit log through the web app's HTTP API (gradio_client), on a separate app process
whose library already has accounts (so every page, event and API call needs a login); and the trusted-header
mode behind a reverse proxy."""
from __future__ import annotations

import re
import sqlite3

import pytest

from tests.appserver import running_app
from tests.conftest import SHARED

pytestmark = pytest.mark.slow

SEED_000 = SHARED / "seeds" / "000_747ce1910eae7ff3.txt"      # 赣州经开区 2022
SEED_004 = SHARED / "seeds" / "004_e6c0b5a2d517a344.txt"      # 企业服务和工信局 2024
USERS = {"viewer1": ("viewer", "viewer-pass-1"), "editor1": ("editor", "editor-pass-1"), "admin1": ("admin", "admin-pass-1")}


@pytest.fixture(scope="module")
def app(tmp_path_factory, shared):
    from vectorstore.library import Library
    data = tmp_path_factory.mktemp("app-roles") / "data"
    library = Library(data)
    for name, (role, password) in USERS.items():
        library.accounts.add(name, role, password)
    with running_app(data) as url:
        yield url, library


def client_as(url, name):
    from gradio_client import Client
    return Client(url, auth=(name, USERS[name][1]), verbose=False)


def upload(client, *paths):
    from gradio_client import handle_file
    return client.predict([handle_file(str(p)) for p in paths], api_name="/ingest")


def file_of(output) -> str:
    """The path of a file output (a DownloadButton's update or a plain path)."""
    return str(output["value"] if isinstance(output, dict) else output)


def refused(client, *args, api_name):
    from gradio_client.exceptions import AppError
    with pytest.raises(AppError, match="权限不足"):
        client.predict(*args, api_name=api_name)


def test_no_login_no_data(app):
    import httpx
    url, _ = app
    for path in ("config", "gradio_api/info", "gradio_api/openapi.json"):
        assert httpx.get(url + path, timeout=30).status_code == 401, path
    with open(SEED_000, "rb") as f:
        assert httpx.post(url + "gradio_api/upload", files={"files": (SEED_000.name, f)}, timeout=30).status_code == 401
    response = httpx.post(url + "gradio_api/call/chat", json={"data": ["赣州经开区2022年收到多少件申请？"]}, timeout=30)
    assert response.status_code == 401
    assert httpx.post(url + "login", data={"username": "editor1", "password": "wrong-password"}, timeout=30).status_code == 400
    from gradio_client import Client
    with pytest.raises(Exception):
        Client(url, verbose=False)


def test_each_role_through_the_api(app, tmp_path):
    url, library = app
    viewer, editor, admin = (client_as(url, n) for n in USERS)

    refused(viewer, [], api_name="/remove")
    from gradio_client.exceptions import AppError
    with pytest.raises(AppError, match="权限不足"):
        upload(viewer, SEED_000)
    assert library.reports() == []                                   # nothing was stored

    result = upload(editor, SEED_000, SEED_004)
    assert result[0].count("- 已入库：") == 2
    rid = next(r.id for r in library.reports() if r.year == 2024)

    answer = viewer.predict("赣州经开区2022年一共收到多少件政府信息公开申请？予以公开几件？", api_name="/chat")
    assert "12" in answer and "11" in answer                         # gold 000: 12 received, 11 granted
    md, *_ = viewer.predict(rid, api_name="/check_report")
    assert "核查结果" in md
    note, *_ = viewer.predict([], [], ["table3.new_received.total"], "柱状图", api_name="/compare")
    assert "1 个指标" in note
    refused(viewer, "赣州经济技术开发区企业服务和工信局", "2025", ["五、存在的主要问题及改进情况"], api_name="/draft")
    refused(viewer, None, api_name="/reingest")
    refused(viewer, api_name="/audit")
    refused(viewer, [rid], api_name="/use_edition")

    # groups are edits (editor); 体检 and 与上年比对 read the library and give downloads (viewer)
    old = next(r.id for r in library.reports() if r.year == 2022)
    refused(viewer, [rid, old], "赣州经开区", api_name="/set_group")
    assert library.facts.groups() == [("赣州经济技术开发区", 2)]            # suggested at upload, unchanged
    assert "已将 2 份报告的分组设为“赣州经开区”" in editor.predict([rid, old], "赣州经开区", api_name="/set_group")[0]
    review = viewer.predict("赣州经开区", "2024", api_name="/review")
    assert len(review[1]["data"]) == 1 and review[1]["data"][0][-1] == rid            # the 2024 unit of the group
    assert file_of(review[3]).endswith(".docx") and file_of(review[4]).endswith(".xlsx")
    diff = viewer.predict(rid, old, api_name="/diff")
    assert file_of(diff[-1]).endswith("比对.docx")

    # a second edition of 2022 (the same date, stored last: in use); the editor goes back to the first
    second = tmp_path / "赣州经开区2022年报（再次发布）.txt"
    second.write_text(SEED_000.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "另一版本" in upload(editor, second)[0]
    assert [r.file for r in library.reports() if r.year == 2022] == [second.name]
    log = editor.predict([old], api_name="/use_edition")[0]
    assert "已改用" in log and [r.id for r in library.reports() if r.year == 2022] == [old]

    refused(editor, "intruder", "admin", "intruder-pass-1", api_name="/user_add")
    refused(editor, "admin1", api_name="/user_remove")
    refused(editor, api_name="/audit")
    refused(editor, api_name="/export_audit")
    assert library.accounts.get("intruder") is None and library.accounts.get("admin1") is not None

    log = editor.predict([rid], api_name="/reingest")[0]
    assert "已重新入库" in log
    log = editor.predict([rid], api_name="/remove")[0]
    assert "已删除" in log and rid not in [r.id for r in library.reports()]

    note, users, _ = admin.predict("clerk2", "viewer", "clerk-pass-2", api_name="/user_add")
    assert "已添加" in note and "clerk2" in [r[0] for r in users["data"]]
    users, audit = admin.predict(api_name="/audit")
    rows = audit["data"]
    seen = {(r[2], r[4], r[7]) for r in rows}
    for expected in [("editor1", "登录失败", "失败"), ("viewer1", "登录", "成功"), ("editor1", "上传入库", "成功"),
                     ("editor1", "重新入库", "成功"), ("editor1", "删除报告", "成功"), ("viewer1", "导出", "成功"),
                     ("viewer1", "越权被拒", "失败"), ("editor1", "越权被拒", "失败"), ("admin1", "添加账号", "成功"),
                     ("editor1", "设置分组", "成功")]:
        assert expected in seen, expected
    assert ("editor1", "改用版本", "成功") in seen
    # Beijing time to the minute, roles and channels in Chinese (issue 24)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", r[1]) for r in rows), rows[:3]
    assert {r[3] for r in rows} <= {"查阅", "编辑", "管理员", ""} and {r[8] for r in rows} == {"网页"}
    exported = [r[5] for r in rows if r[2] == "viewer1" and r[4] == "导出"]
    assert any(f.endswith("年报检查情况通报（草稿）.docx") for f in exported)            # the 体检 downloads
    assert any(f.endswith("年报问题清单.xlsx") for f in exported)
    assert sum(f.endswith(".docx") and "比对" in f for f in exported) == 1, exported  # the 与上年比对 download
    denied = {r[6] for r in rows if r[2] == "viewer1" and r[4] == "越权被拒"}
    assert {"edition", "group"} <= denied
    uploads = [r[5] for r in rows if r[4] == "上传入库"]
    assert sorted(uploads) == sorted([SEED_000.name, SEED_004.name, "赣州经开区2022年报（再次发布）.txt"])
    assert all(r[9] == "127.0.0.1" for r in rows if r[4] != "登录" and r[4] != "登录失败")

    csv_file = admin.predict(api_name="/export_audit")
    path = csv_file["value"] if isinstance(csv_file, dict) else csv_file
    text = open(path, encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("序号,时间（北京时间）,账号") and "editor1" in text

    with sqlite3.connect(library.db.path) as db:                   # the log cannot be edited, even here
        with pytest.raises(sqlite3.DatabaseError):
            db.execute("DELETE FROM audit")


def test_removed_account_is_refused_at_once(app):
    url, library = app
    library.accounts.add("temp1", "editor", "temp-pass-1")
    from gradio_client import Client
    temp = Client(url, auth=("temp1", "temp-pass-1"), verbose=False)
    assert temp.predict([], [], ["table3.new_received.total"], "柱状图", api_name="/compare")
    library.accounts.remove("temp1")
    import httpx                               # the session ends with the account (issue 21): 401, in Chinese
    with pytest.raises(httpx.HTTPStatusError) as refused:
        temp.predict([], [], ["table3.new_received.total"], "柱状图", api_name="/compare")
    assert refused.value.response.status_code == 401 and "登录已失效" in refused.value.response.json()["detail"]


def test_trusted_header_from_the_reverse_proxy(tmp_path, shared):
    import httpx
    from vectorstore.library import Library
    data = tmp_path / "data"
    Library(data).accounts.add("proxyuser", "viewer", "proxy-pass-1")
    with running_app(data, {"NIANBAO_AUTH_HEADER": "X-Remote-User"}) as url:
        assert httpx.get(url + "config", timeout=30).status_code == 401
        assert httpx.get(url + "config", headers={"X-Remote-User": "ghost"}, timeout=30).status_code == 401
        assert httpx.get(url + "config", headers={"X-Remote-User": "proxyuser"}, timeout=30).status_code == 200
        from gradio_client import Client
        from gradio_client.exceptions import AppError
        client = Client(url, headers={"X-Remote-User": "proxyuser"}, verbose=False)
        assert "年报库还是空的" in client.predict("赣州经开区2022年收到多少件申请？", api_name="/chat")
        with pytest.raises(AppError, match="权限不足"):
            client.predict([], api_name="/remove")


def test_login_page_is_chinese_and_leads_to_the_app(app):
    from pathlib import Path
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("/usr/bin/chromium is not installed (make system-deps)")
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright
    from tests.test_app_e2e import ARGS
    url, _ = app
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 800}, locale="zh-CN")
        page.set_default_timeout(120_000)
        page.goto(url, wait_until="domcontentloaded")
        page.locator("input[type=password]").wait_for()
        text = page.locator("body").inner_text()
        assert "请输入账号和密码登录" in text and "登录" in text
        page.locator("input").first.fill("viewer1")
        page.locator("input[type=password]").fill("wrong-password")
        page.locator("button", has_text="登录").click()
        page.wait_for_function("() => document.body.innerText.includes('登录') && "
                               "!document.querySelector('#chat')")
        page.locator("input").first.fill("viewer1")
        page.locator("input[type=password]").fill(USERS["viewer1"][1])
        page.locator("button", has_text="登录").click()
        page.locator("#whoami").filter(has_text="viewer1").wait_for()
        assert "查阅" in page.locator("#whoami").inner_text()
        assert page.get_by_role("tab", name="账号与审计").count() == 0        # not shown to a viewer
        browser.close()


def test_file_route_needs_a_login_and_serves_only_files_the_app_made(app):
    import httpx
    url, library = app
    from gradio_client import Client
    admin = Client(url, auth=("admin1", USERS["admin1"][1]), verbose=False, download_files=False)
    csv_file = admin.predict(api_name="/export_audit")              # the server's path, not a downloaded copy
    made = csv_file["value"]["path"] if isinstance(csv_file.get("value"), dict) else csv_file["path"]
    made_url = url + "gradio_api/file=" + str(made)
    assert httpx.get(made_url, timeout=30).status_code == 401                 # no login, no file
    with httpx.Client(timeout=30) as session:
        assert session.post(url + "login", data={"username": "viewer1", "password": USERS["viewer1"][1]}).status_code == 200
        assert session.get(made_url).status_code == 403              # another account's export (issue 21)
    with httpx.Client(timeout=30) as session:
        assert session.post(url + "login", data={"username": "admin1", "password": USERS["admin1"][1]}).status_code == 200
        assert session.get(made_url).status_code == 200
        for other in (library.data_dir / "library.sqlite", "/etc/passwd"):
            assert session.get(url + "gradio_api/file=" + str(other)).status_code in (403, 404), other
