"""Agency and year from the title forms seen in the wild, and the issuing body named in the preamble."""
from __future__ import annotations

import pytest

from ingest.loaders.text import parse_text
from ingest.metadata import read_metadata, signature_date

PREAMBLE = "本报告由{body}根据《中华人民共和国政府信息公开条例》编制。统计期限自2023年1月1日起至2023年12月31日止。"


def meta(title: str, body: str = "某某单位办公室"):
    text = f"{title}\n\n{PREAMBLE.format(body=body)}\n\n一、总体情况\n\n正文。\n"
    return read_metadata(parse_text(text))


@pytest.mark.parametrize("title, agency", [
    ("北京市朝阳区人民政府2023年政府信息公开工作年度报告", "北京市朝阳区人民政府"),
    ("2023年度北京市朝阳区政府信息公开工作年度报告", "北京市朝阳区"),
    ("北京市朝阳区2023年政务公开工作年度报告", "北京市朝阳区"),
    ("国家税务总局苏州市税务局2023年度政府信息公开工作年度报告", "国家税务总局苏州市税务局"),
    ("关于印发《南京市鼓楼区2023年政府信息公开工作年度报告》的通知", "南京市鼓楼区"),
    ("南京市人民政府办公厅2023年政府信息公开工作年度报告", "南京市人民政府办公厅"),
    ("苏州高新区（虎丘区）2023年政府信息公开工作年度报告", "苏州高新区（虎丘区）"),
    ("二〇二三年度南通市崇川区政府信息公开工作年度报告", "南通市崇川区"),
    ("南通市崇川区政府信息公开工作2023年度报告", "南通市崇川区"),
    ("南通市崇川区2023年度政府信息公开年报", "南通市崇川区"),
])
def test_title_forms(title, agency):
    m = meta(title)
    assert (m.agency, m.year) == (agency, 2023)


def test_preamble_names_the_full_body_of_a_short_title():
    """洪泽区人民政府 in the title, 淮安市洪泽区人民政府办公室 in the preamble: the issuing body is the
    government, named in full; its office only compiled the report."""
    m = meta("洪泽区人民政府2023年政府信息公开工作年度报告", "淮安市洪泽区人民政府办公室")
    assert m.agency == "淮安市洪泽区人民政府"


@pytest.mark.parametrize("line, iso", [
    ("2025年1月21日", "2025-01-21"), ("二〇二四年一月三十一日", "2024-01-31"),
    ("淮安市人民政府2025年3月26日", "2025-03-26"), ("共受理2件，2024年1月5日办结", None),
])
def test_signature_dates(line, iso):
    assert signature_date(line) == iso
