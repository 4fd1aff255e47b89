"""`nianbao check`: the Chinese report, --json, --previous, automatic pairing of consecutive years, a draft
DOCX, and exit code 2 for unreadable input."""
from __future__ import annotations

import json
import re

from conftest import SHARED, gold
from cli import main
from render import default_narrative, render_docx

SEED_001 = SHARED / "seeds" / "001_758a901345a790b1.txt"
SEED_004 = SHARED / "seeds" / "004_e6c0b5a2d517a344.txt"


def run(capsys, *argv):
    code = main(["check", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_text_report_is_grouped_by_severity_with_evidence(shared, capsys):
    code, out, _ = run(capsys, SEED_001)
    assert code == 0
    assert out.index("【错误】") < out.index("【警告】") < out.index("【提示】")
    errors_part = out[out.index("【错误】"):out.index("【警告】")]
    assert "[T3-9]" in errors_part and "[T2-8]" in errors_part
    assert "依据：表三 一、本年新收政府信息公开申请数量 / 总计 = 0" in errors_part
    assert "受理政府信息公开申请1件" in errors_part
    assert re.search(r"共 \d+ 条：错误 2，警告 \d+，提示 \d+", out)


def test_json_for_one_file(shared, capsys):
    code, out, _ = run(capsys, SEED_001, "--json")
    assert code == 0
    d = json.loads(out)
    assert (d["agency"], d["year"]) == ("赣州经济技术开发区凤岗镇人民政府", 2023)
    rules = {(f["rule"], f["severity"]) for f in d["findings"]}
    assert ("T3-9", "error") in rules and ("D3", "warning") in rules


def _previous_year_copy(tmp_path, carried_forward_np: int):
    """Seed 004 written as if it were the unit's 2023 report, with 结转下年度 = n (自然人)."""
    text = SEED_004.read_text(encoding="utf-8").replace("2024", "2023").replace("2025年1月21日", "2024年1月19日")
    row = "四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0"
    assert row in text
    text = text.replace(row, f"四、结转下年度继续办理\t\t{carried_forward_np}\t0\t0\t0\t0\t0\t{carried_forward_np}")
    path = tmp_path / "004_2023.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_consecutive_years_of_one_unit_are_paired_automatically(shared, capsys, tmp_path):
    earlier = _previous_year_copy(tmp_path, 2)
    code, out, _ = run(capsys, SEED_004, earlier, "--json")
    assert code == 0
    later, first = json.loads(out)
    assert later["year"] == 2024 and first["year"] == 2023
    t36 = [f for f in later["findings"] if f["rule"] == "T3-6"]
    assert [(f["severity"], f["expected"], f["actual"]) for f in t36] == [("warning", 2, 0), ("warning", 2, 0)]
    assert not [f for f in first["findings"] if f["rule"] == "T3-6"]


def test_previous_option(shared, capsys, tmp_path):
    earlier = _previous_year_copy(tmp_path, 1)
    code, out, _ = run(capsys, SEED_004, "--previous", earlier)
    assert code == 0
    assert "已与上年报告对照" in out
    assert "[T3-6]" in out and "相差 1" in out


def test_draft_docx_is_checked_the_same_way(shared, capsys, tmp_path):
    record = gold("005_hongze")
    narrative = default_narrative(record)
    narrative.sections["s1_overview"][4] = "2023年全区受理政府信息公开申请21件，均在法定期限答复。"
    path = render_docx(record, tmp_path / "draft.docx", narrative)
    code, out, _ = run(capsys, path, "--json")
    assert code == 0
    findings = json.loads(out)["findings"]
    t4 = {(f["rule"], f["expected"], f["actual"]) for f in findings if f["severity"] == "error"}
    assert t4 == {("T4-1", 11, 0), ("T4-3", 5, 0)}
    assert not [f for f in findings if f["rule"] == "X1"]


def test_unreadable_input_exits_2_with_chinese_message(shared, capsys, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, err = run(capsys, empty)
    assert code == 2
    assert "文件为空" in err
    code, out, err = run(capsys, tmp_path / "missing.pdf", SEED_001)
    assert code == 2
    assert "找不到文件" in err and "[T3-9]" in out          # the readable file is still checked
