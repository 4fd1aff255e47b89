"""体检·发布情况 (issue 25) through the web app's HTTP API on a separate app process with accounts: viewers see the
season board (and its XLSX), only editors import a roster or start a harvest; refusals are in the audit log."""
from __future__ import annotations

import pytest

from tests.appserver import running_app
from tests.conftest import SHARED

pytestmark = pytest.mark.slow
USERS = {"viewer1": ("viewer", "viewer-pass-1"), "editor1": ("editor", "editor-pass-1")}
ROSTER = ("单位名称,其他名称,层级,分组\n"
          "沭阳县发展和改革局,沭阳县发改局,部门,沭阳县\n"
          "沭阳县人民政府,,政府,沭阳县\n")


@pytest.fixture(scope="module")
def app(tmp_path_factory, shared):
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    data = tmp_path_factory.mktemp("season-app") / "data"
    library = Library(data)
    for name, (role, password) in USERS.items():
        library.accounts.add(name, role, password)
    other = data.parent / "czj_2023.html"                 # a unit the roster does not know
    other.write_text((SHARED / "reports" / "015_shuyang_fgj_2023.html").read_text(encoding="utf-8")
                     .replace("沭阳县发展和改革局", "沭阳县财政局").replace("沭阳县发改局", "沭阳县财政局"), encoding="utf-8")
    assert ingest_paths(library, [SHARED / "reports" / "015_shuyang_fgj_2023.html", other], embed=False,
                        progress=False).failed == 0
    with running_app(data) as url:
        yield url, library


def file_of(output) -> str:
    return str(output["value"] if isinstance(output, dict) else output)


def client_as(url, name):
    from gradio_client import Client
    return Client(url, auth=(name, USERS[name][1]), verbose=False)


def test_viewers_see_the_board_editors_change_the_roster(app, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError
    from openpyxl import load_workbook
    url, library = app
    viewer, editor = client_as(url, "viewer1"), client_as(url, "editor1")
    roster = tmp_path / "名册.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    with pytest.raises(AppError, match="权限不足"):
        viewer.predict(handle_file(str(roster)), api_name="/roster_import")
    with pytest.raises(AppError, match="权限不足"):
        viewer.predict("沭阳县", "2023", api_name="/harvest")
    note = editor.predict(handle_file(str(roster)), api_name="/roster_import")
    assert note == "名册已导入 2 个单位：新增 2 个，更新 0 个，移出 0 个。"
    note, table, xlsx, roster_xlsx, unassigned, units = viewer.predict("沭阳县", "2023", api_name="/season")
    assert note.startswith("沭阳县2023年度年报发布情况表（截至")
    assert "名册 2 个单位，已发布 1 个（按时 1，逾期 0，日期不详 0），尚未发布 1 个" in note
    assert "不在名册中的年报：czj_2023.html" in note
    rows = {r[1]: r for r in table["data"]}
    assert rows["沭阳县发展和改革局"][7] == "按时发布" and rows["沭阳县发展和改革局"][5] == "2024年1月17日"
    assert rows["沭阳县人民政府"][4] == "否"
    ws = load_workbook(file_of(xlsx)).active
    assert ws["B3"].value in ("沭阳县人民政府", "沭阳县发展和改革局")
    assert [r[2] for r in load_workbook(file_of(roster_xlsx)).active.iter_rows(min_row=2, max_col=3, values_only=True)] \
        == ["政府", "部门"]
    # a report the roster does not know: listed, assigned by an editor (a viewer is refused)
    rid = next(r.id for r in library.reports() if r.agency == "沭阳县财政局")
    with pytest.raises(AppError, match="权限不足"):
        viewer.predict(rid, "沭阳县人民政府", api_name="/roster_assign")
    assert editor.predict(rid, "沭阳县人民政府", api_name="/roster_assign").startswith("已把 czj_2023.html")
    note = viewer.predict("沭阳县", "2023", api_name="/season")[0]
    assert "已发布 2 个" in note and "不在名册中的年报" not in note
    denied = library.audit.entries(10, action="denied")
    assert {e.detail for e in denied} >= {"roster", "harvest"}
