"""The season (issue 25): the roster (名册) imported and exported as XLSX/CSV with bad rows named, reports matched
to units (a misread character tolerated and shown, a similar name never attached), deadlines by level, the
season board for the shared reports with a unit that has not published and a late one, its XLSX, the chat's
answers cited to the board, the commands, and roles. On each engine (SQLite, PostgreSQL), migration 7.
"""
from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import SHARED
from assistant.access import AccessDenied, Caller
from assistant.season import assign_report, import_roster, roster_store
from assistant.season.board import LATE, MISSING, NOT_YET, ON_TIME, board_xlsx, season_board
from assistant.season.roster import Matcher, RosterError, deadline_of, read_roster, write_roster
from vectorstore import db as dbmod
from vectorstore.library import Library
from vectorstore.roster import RosterUnit

pytestmark = pytest.mark.usefixtures("engine_env")      # a fresh database per test, on each engine
ADMIN = Caller("张三", "admin")
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "roster.csv"

ROSTER_CSV = """单位名称,其他名称,层级,上级单位,分组,发布时限,年报栏目网址
沭阳县发展和改革局,沭阳县发改局,部门,沭阳县人民政府,沭阳县,,http://127.0.0.1:1/fgj/list.html
沭阳县财政局,,部门,沭阳县人民政府,沭阳县,,
沭阳县人民政府,沭阳县政府,政府,,沭阳县,,
平潭综合实验区市场监督管理局,平潭综合实验区市场监管局,部门,平潭综合实验区管委会,平潭,,
平潭综合实验区交通与建设局,,部门,平潭综合实验区管委会,平潭,,
"""


def run(args, monkeypatch) -> tuple[int, str, str]:
    import cli
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = cli.main(args)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def roster_file(tmp_path) -> Path:
    p = tmp_path / "名册.csv"
    p.write_text(ROSTER_CSV, encoding="utf-8")
    return p


def test_migration_7_and_roster_round_trip(tmp_path, roster_file):
    library = Library(tmp_path / "data")
    with dbmod.reading(library.db) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == dbmod.SCHEMA_VERSION
        assert con.execute("SELECT count(*) FROM roster_units").fetchone()[0] == 0     # migration 7's table is there
    assert [v for v, *_ in dbmod.MIGRATIONS] == list(range(1, len(dbmod.MIGRATIONS) + 1))
    assert dbmod.MIGRATIONS[6][0] == 7 and "roster_units" in dbmod.MIGRATIONS[6][1]
    text = import_roster(library, ADMIN, roster_file)
    assert text == "名册已导入 5 个单位：新增 5 个，更新 0 个，移出 0 个。"
    units = roster_store(library).units()
    fgj = next(u for u in units if u.name == "沭阳县发展和改革局")
    assert fgj == RosterUnit("沭阳县发展和改革局", "部门", ("沭阳县发改局",), "沭阳县人民政府", "沭阳县", None,
                             "http://127.0.0.1:1/fgj/list.html")
    for suffix in (".xlsx", ".csv"):
        out = write_roster(units, tmp_path / f"export{suffix}")
        assert sorted(read_roster(out), key=lambda u: u.name) == sorted(units, key=lambda u: u.name)
    # a second import of a smaller file replaces; --merge keeps the others
    small = tmp_path / "small.csv"
    small.write_text("单位名称,层级,发布时限\n沭阳县财政局,部门,2月28日\n", encoding="utf-8")
    assert import_roster(library, ADMIN, small, merge=True) == "名册已导入 1 个单位：新增 0 个，更新 1 个，其余保持不变。"
    assert len(roster_store(library).units()) == 5
    cz = next(u for u in roster_store(library).units() if u.name == "沭阳县财政局")
    assert cz.deadline == "02-28" and deadline_of(cz, 2025) == (date(2026, 2, 28), "名册中为该单位设定的时限")
    assert import_roster(library, ADMIN, small) == "名册已导入 1 个单位：新增 0 个，更新 1 个，移出 4 个。"


def test_example_roster_in_the_repository_reads():
    units = read_roster(EXAMPLE)
    assert len(units) >= 4 and {u.level for u in units} == {"部门", "政府", "乡镇街道"}


def test_bad_rows_are_named_and_nothing_is_imported(tmp_path, roster_file):
    library = Library(tmp_path / "data")
    import_roster(library, ADMIN, roster_file)
    bad = tmp_path / "bad.csv"
    bad.write_text("单位名称,其他名称,层级,发布时限,年报栏目网址\n"
                   "甲县财政局,,部门,,\n"
                   "乙县教育局,,局,,\n"                       # row 3: level
                   "丙县人民政府,,政府,2月30日,\n"             # row 4: no such day
                   "甲县财政局,,部门,,\n"                      # row 5: duplicate
                   ",,部门,,\n"                                 # row 6: no name
                   "丁县民政局,甲县财政局,部门,,ftp://x\n",     # row 7: alias clash, bad URL
                   encoding="utf-8")
    with pytest.raises(RosterError) as e:
        import_roster(library, ADMIN, bad)
    msg = e.value.message
    assert msg.startswith("名册文件 bad.csv 有 5 处问题，未导入（名册保持不变）")
    for part in ("第3行（乙县教育局）：层级“局”不是 部门、政府、乡镇街道 之一", "第4行（丙县人民政府）：发布时限“2月30日”不是日期",
                 "第5行（甲县财政局）：单位名称“甲县财政局”与第2行重复", "第6行：单位名称为空",
                 "第7行（丁县民政局）：年报栏目网址“ftp://x”不是 http(s) 网址"):
        assert part in msg
    assert len(roster_store(library).units()) == 5          # unchanged
    clash = tmp_path / "clash.csv"
    clash.write_text("单位名称,其他名称,层级\n甲县财政局,,部门\n丁县民政局,甲县财政局,部门\n", encoding="utf-8")
    with pytest.raises(RosterError, match="第3行（丁县民政局）：其他名称“甲县财政局”已是第2行“甲县财政局”的名称"):
        read_roster(clash)
    nohead = tmp_path / "nohead.csv"
    nohead.write_text("名字,级\n甲,部门\n", encoding="utf-8")
    with pytest.raises(RosterError, match="第1行缺少列：单位名称、层级"):
        read_roster(nohead)


def test_matching_tolerates_one_misread_character_and_never_a_similar_name(roster_file):
    m = Matcher(read_roster(roster_file))
    assert m.match("沭阳县发展和改革局").how == "exact"
    alias = m.match("沭阳县发改局")
    assert (alias.unit, alias.how) == ("沭阳县发展和改革局", "alias")
    near = m.match("沐阳县发展和改革局")
    assert (near.unit, near.how) == ("沭阳县发展和改革局", "near")
    assert "“沐阳县”/“沭阳县”" in near.note and "只差一个字" in near.note
    other = m.match("沭阳县教育局")                   # a real other unit of the same county: not attached
    assert other.unit is None and other.how == "unknown" and "请指定所属单位" in other.note
    similar = m.match("平潭综合实验区交通运输局")      # similar to 交通与建设局: listed, not attached
    assert similar.unit is None and "平潭综合实验区交通与建设局" in similar.suggestions
    assert m.match(None).unit is None
    assigned = Matcher(read_roster(roster_file), {"abc": "沭阳县财政局"}).match("沭阳县教育局", "abc")
    assert (assigned.unit, assigned.how) == ("沭阳县财政局", "assigned")


def test_deadlines_by_level():
    assert deadline_of(RosterUnit("甲县财政局", "部门"), 2025)[0] == date(2026, 1, 31)
    assert deadline_of(RosterUnit("甲县人民政府", "政府"), 2025) == (date(2026, 3, 31), "县级以上地方人民政府，条例第四十九条")
    assert deadline_of(RosterUnit("甲镇人民政府", "乡镇街道"), 2025)[0] == date(2026, 1, 31)
    assert deadline_of(RosterUnit("甲县人民政府", "政府", deadline="04-15"), 2025)[0] == date(2026, 4, 15)


def test_viewer_cannot_change_the_roster(tmp_path, roster_file):
    library = Library(tmp_path / "data")
    with pytest.raises(AccessDenied, match="“修改名册”需要"):
        import_roster(library, Caller("李四", "viewer"), roster_file)
    assert roster_store(library).units() == []
    denied = library.audit.entries(5, action="denied")
    assert denied and denied[0].detail == "roster"


# -- the season board on the shared reports ------------------------------------------------------------------
def _variant(src: Path, dst: Path, swaps: dict[str, str]) -> Path:
    text = src.read_text(encoding="utf-8")
    for a, b in swaps.items():
        assert a in text
        text = text.replace(a, b)
    dst.write_text(text, encoding="utf-8")
    return dst


@pytest.fixture
def season_library(tmp_path, roster_file):
    """The 2023 shared HTML reports, a late one (落款 2024-03-05, its name misread 沐阳县), a report of a unit
    the roster does not know, and the roster: (library, data args)."""
    from assistant.library_ops import ingest_paths
    reports = SHARED / "reports"
    folder = tmp_path / "in"
    folder.mkdir()
    files = [reports / "015_shuyang_fgj_2023.html", reports / "026_pingtan_scj_2023.html",
             reports / "016_pingtan_czj_2019.txt",
             _variant(reports / "015_shuyang_fgj_2023.html", folder / "czj_2023.html",
                      {"沭阳县发展和改革局": "沐阳县财政局", "2024年1月17日": "2024年3月5日", "2024-01-17": "2024-03-05"}),
             _variant(reports / "026_pingtan_scj_2023.html", folder / "jtj_2023.html",
                      {"平潭综合实验区市场监督管理局": "平潭综合实验区交通运输局"})]
    library = Library(tmp_path / "data")
    summary = ingest_paths(library, files, embed=False, progress=False)
    assert summary.failed == 0, [o.message for o in summary.outcomes]
    import_roster(library, ADMIN, roster_file)
    return library, ["--data-dir", str(tmp_path / "data")]


def test_season_board_for_the_shared_reports(season_library, tmp_path):
    from assistant.corrections import pending_items
    from openpyxl import load_workbook
    library, _ = season_library
    board = season_board(library, 2023, today=date(2024, 4, 10))
    rows = {r.unit.name: r for r in board.rows}
    assert set(rows) == {"沭阳县发展和改革局", "沭阳县财政局", "沭阳县人民政府", "平潭综合实验区市场监督管理局",
                         "平潭综合实验区交通与建设局"}
    fgj = rows["沭阳县发展和改革局"]
    assert (fgj.status, fgj.signed, fgj.deadline) == (ON_TIME, date(2024, 1, 17), date(2024, 1, 31))
    late = rows["沭阳县财政局"]
    assert (late.status, late.days_late, late.signed) == (LATE, 34, date(2024, 3, 5))    # 2024: February has 29 days
    assert late.status_zh == "逾期34天发布"
    scj = rows["平潭综合实验区市场监督管理局"]
    assert (scj.status, scj.signed) == (ON_TIME, date(2024, 1, 31))                    # the last day is on time
    gov = rows["沭阳县人民政府"]
    assert (gov.status, gov.days_late, gov.deadline, gov.published) == (MISSING, 10, date(2024, 3, 31), False)
    assert rows["平潭综合实验区交通与建设局"].status == MISSING
    assert [u.agency for u in board.unassigned] == ["平潭综合实验区交通运输局"]
    assert "平潭综合实验区交通与建设局" in board.unassigned[0].suggestions
    want = {}
    for i in pending_items(library):
        want[i.report_id] = want.get(i.report_id, 0) + 1
    for r in board.rows:
        if r.published:
            assert r.pending == want.get(r.report_id, 0)
            record = library.facts.report(r.report_id)
            assert (r.errors, r.warnings) == (record.n_errors, record.n_warnings)
    assert board.summary().startswith("2023年度年报发布情况表（截至2024年4月10日）：名册 5 个单位，已发布 3 个（按时 2，逾期 1，"
                                      "日期不详 0），尚未发布 2 个（其中已过时限 2）。另有 1 份")
    # before the governments' deadline the government is not late yet
    early = {r.unit.name: r for r in season_board(library, 2023, today=date(2024, 2, 15)).rows}
    assert early["沭阳县人民政府"].status == NOT_YET and early["平潭综合实验区交通与建设局"].days_late == 15
    ws = load_workbook(io.BytesIO(board_xlsx(board))).active
    header = [c.value for c in ws[2]]
    body = {row[1]: dict(zip(header, row)) for row in ws.iter_rows(min_row=3, values_only=True)}
    assert body["沭阳县财政局"]["发布情况"] == "逾期34天发布" and body["沭阳县财政局"]["逾期天数"] == 34
    assert body["沭阳县人民政府"]["是否发布"] == "否" and body["沭阳县人民政府"]["发布时限"] == "2024年3月31日"
    # an official assigns the unknown report; it then counts for that unit
    jtj = library.resolve("jtj_2023.html")
    assert assign_report(library, ADMIN, jtj.id, "平潭综合实验区交通与建设局").startswith("已把 jtj_2023.html")
    rows = {r.unit.name: r for r in season_board(library, 2023, today=date(2024, 4, 10)).rows}
    assert rows["平潭综合实验区交通与建设局"].status == ON_TIME
    assert rows["平潭综合实验区交通与建设局"].match.how == "assigned"
    with pytest.raises(RosterError, match="名册中没有“不存在的局”"):
        assign_report(library, ADMIN, jtj.id, "不存在的局")
    with pytest.raises(AccessDenied):
        assign_report(library, Caller("李四", "viewer"), jtj.id, "沭阳县财政局")


def test_season_and_roster_commands(season_library, tmp_path, monkeypatch):
    _, d = season_library
    code, out, err = run(["roster", "list", *d], monkeypatch)
    assert code == 0 and out.startswith("名册共 5 个单位：") and "时限：3月31日（按层级）" in out
    code, out, err = run(["season", "--year", "2023", "--today", "2024-04-10", "--only", "late",
                          "--xlsx", str(tmp_path / "board.xlsx"), *d], monkeypatch)
    assert code == 0, err
    assert "- 沭阳县财政局：逾期34天发布；时限2024年1月31日；落款2024年3月5日" in out
    assert "沭阳县发展和改革局" not in out.split("\n", 1)[1]
    assert (tmp_path / "board.xlsx").stat().st_size > 0
    code, out, err = run(["roster", "export", str(tmp_path / "out.xlsx"), *d], monkeypatch)
    assert code == 0 and out.strip() == f"已导出名册 5 个单位：{tmp_path / 'out.xlsx'}"
    code, out, err = run(["roster", "assign", "jtj_2023.html", "平潭综合实验区交通与建设局", *d], monkeypatch)
    assert code == 0 and "指定为名册中的平潭综合实验区交通与建设局" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("单位名称,层级\n甲,局\n", encoding="utf-8")
    code, out, err = run(["roster", "import", str(bad), *d], monkeypatch)
    assert code != 0 and "第2行（甲）：层级“局”不是" in err


# -- the chat answers from the board ---------------------------------------------------------------------------
def test_chat_answers_who_has_not_published_and_who_is_late_from_the_board(season_library):
    from assistant.answer import OFFLINE, answer
    from assistant.query import parse_question
    library, _ = season_library
    q = parse_question("哪些单位还没有发布2023年报？", ["沭阳县发展和改革局"])
    assert (q.season, q.years, q.operation) == ("unpublished", [2023], "list")
    assert parse_question("逾期发布的有哪些？", []).season == "late"
    # not season questions: a named unit's timeliness, and the table row about applicants' 逾期
    assert parse_question("沭阳县发展和改革局2023年是否按时发布？", ["沭阳县发展和改革局"]).season is None
    assert parse_question("申请人逾期不补正的有多少件？", []).season is None
    a = answer("哪些单位还没有发布2023年报？", [], library, llm=OFFLINE)
    assert a.route == "season"
    assert a.text.startswith("按2023年度年报发布情况表（截至")
    assert "已过发布时限仍未发布的有 2 个单位：" in a.text
    assert "沭阳县人民政府（时限2024年3月31日，已过" in a.text
    assert "〔2023年度年报发布情况表（名册）·沭阳县人民政府〕" in a.text
    assert "沭阳县财政局" not in a.text.split("另有")[0]         # it has published (late)
    assert {c.section for c in a.citations} == {"沭阳县人民政府", "平潭综合实验区交通与建设局"}
    assert "另有 1 份2023年度年报不在名册中（平潭综合实验区交通运输局）" in a.text
    late = answer("2023年逾期发布的有哪些？", [], library, llm=OFFLINE)
    assert late.route == "season"
    assert "逾期发布的有 1 个单位：\n1. 沭阳县财政局：落款2024年3月5日，时限2024年1月31日（政府部门，条例第四十九条），逾期34天" in late.text
    assert [c.label() for c in late.citations][0] == "〔2023年度年报发布情况表（名册）·沭阳县财政局〕"
    assert late.facts[0]["days_late"] == 34


def test_chat_without_a_roster_says_so(tmp_path):
    from assistant.answer import OFFLINE, answer
    a = answer("哪些单位还没有发布2025年报？", [], Library(tmp_path / "data"), llm=OFFLINE)
    assert a.route == "season" and a.text.startswith("名册为空，无法判断哪些单位尚未发布2025年度年报")


def test_region_totals_where_the_roster_says_a_report_sums_its_subordinates(tmp_path, monkeypatch):
    """Issue 26: 淮安市人民政府 marked 汇总下级 beside 洪泽区 (a report) and 淮阴区 (none): the sums with the
    gold's numbers, differences as warnings, the unit without a report named; the command prints them."""
    from assistant.library_ops import ingest_paths
    from assistant.season.board import board_totals
    library = Library(tmp_path / "data")
    ingest_paths(library, [SHARED / "reports" / "006_hongze_district_2024.pdf",
                           SHARED / "reports" / "007_huaian_city_2024.pdf"], embed=False, progress=False)
    roster = tmp_path / "名册.csv"
    roster.write_text("单位名称,层级,上级单位,分组,汇总下级\n淮安市人民政府,政府,,淮安市,是\n"
                      "淮安市洪泽区人民政府,政府,淮安市人民政府,淮安市,\n淮安市淮阴区人民政府,政府,淮安市人民政府,淮安市,否\n",
                      encoding="utf-8")
    import_roster(library, ADMIN, roster)
    assert next(u for u in roster_store(library).units() if u.name == "淮安市人民政府").sums_subordinates
    board = season_board(library, 2024, today=date(2025, 4, 30))
    (totals,) = board_totals(board, library.facts.report_object)
    assert totals.parent == "淮安市人民政府" and totals.without_report == ("淮安市淮阴区人民政府",)
    line = next(ln for ln in totals.lines if (ln.row, ln.column) == ("new_received", "total"))
    assert (line.parent_value, line.subordinate_sum, line.difference) == (3119, 95, 3024)
    code, out, _ = run(["season", "--year", "2024", "--today", "2025-04-30", "--data-dir", str(tmp_path / "data")],
                       monkeypatch)
    assert code == 0
    assert "| 一、本年新收政府信息公开申请数量 | 3119 | 95 | 3024 |" in out
    assert "未收到年报的下级单位：淮安市淮阴区人民政府（合计不含）。" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("单位名称,层级,汇总下级\n淮安市人民政府,政府,也许\n", encoding="utf-8")
    with pytest.raises(RosterError, match="汇总下级“也许”应为“是”或“否”"):
        read_roster(bad)
