"""An HTML report followed by a long appendix table (3,200 rows) keeps its three tables, and the appendix is cut
at MAX_TABLE_ROWS with its warning (issue 21): the appendix inside the article, in its own block after it, or
bare before </body>. On a real published HTML report from ../shared."""
from __future__ import annotations

import pytest

from ingest.extract import extract
from ingest.load import MAX_TABLE_ROWS
from tests.conftest import SHARED

SOURCE = SHARED / "reports" / "015_shuyang_fgj_2023.html"
ROWS = "".join(f"<tr><td>{i}</td><td>附件：政府信息公开申请登记第{i}号，申请人要求公开某某事项的办理情况</td><td>已答复</td></tr>"
               for i in range(3200))


@pytest.mark.parametrize("where,appendix", [
    ("article", f"<p>附件：申请登记表</p><table>{ROWS}</table>"),
    ("block", f"<div class='fj'><p>附件：申请登记表</p><table>{ROWS}</table></div>"),
    ("bare", f"<table>{ROWS}</table>"),
])
def test_the_appendix_does_not_hide_the_report(tmp_path, shared, where, appendix):
    html = SOURCE.read_bytes().decode("utf-8")
    original = extract(SOURCE)
    at = html.rfind("</table>") + len("</table>") if where == "article" else html.rfind("</body>")
    path = tmp_path / f"{where}.html"
    path.write_text(html[:at] + appendix + html[at:], encoding="utf-8")
    report = extract(path)
    assert (report.agency, report.year) == (original.agency, original.year)
    for name in ("table2", "table3", "table4"):
        assert report.table(name) is not None, name
    assert report.table3.value("new_received", "total") == original.table3.value("new_received", "total")
    too_long = [w for w in report.warnings if w.code == "table_too_long"]
    assert len(too_long) == 1 and "3,200 行" in too_long[0].message and f"{MAX_TABLE_ROWS:,} 行的上限" in too_long[0].message
    assert not [w for w in report.warnings if w.code == "table_missing"]
