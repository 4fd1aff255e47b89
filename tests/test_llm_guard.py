"""The LLM configuration, a real ChatOpenAI streaming over HTTP from the stub server, and the number guard."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.guard import find_numbers, guard_numbers, parse_chinese_number
from assistant.llm import LLMConfig, describe_llm, llm_config, make_chat_model
from assistant.metrics import compute, get_metric
from ingest.report import Report
from stub_llm import StubLLM, stub_llm  # noqa: F401  (the fixture)

from conftest import SHARED  # noqa: E402 - ../shared, or NIANBAO_TEST_SHARED


def _huaian() -> Report:
    path = SHARED / "gold" / "007_huaian_city_2024.json"
    if not path.exists():
        pytest.skip("../shared/gold is not beside the repository")
    return Report.from_json(json.loads(path.read_text(encoding="utf-8")))


def _cells(report: Report):
    return lambda t, r, c: report.table(t).value(r, c) if report.table(t) else None


# -- configuration ------------------------------------------------------------------------------------

def test_llm_config_from_environment():
    assert llm_config({}) is None
    assert llm_config({"NIANBAO_LLM_BASE_URL": "https://api.deepseek.com/v1"}) is None
    cfg = llm_config({"NIANBAO_LLM_BASE_URL": "https://api.deepseek.com/v1/", "NIANBAO_LLM_MODEL": "deepseek-chat",
                      "NIANBAO_LLM_API_KEY": "sk-secret"})
    assert cfg == LLMConfig("https://api.deepseek.com/v1", "deepseek-chat", "sk-secret")
    assert "sk-secret" not in repr(cfg)
    assert describe_llm(cfg) == "已连接大模型：deepseek-chat @ https://api.deepseek.com/v1"
    assert describe_llm(env={}) == "未配置大模型：回答由程序计算和原文引用生成"
    no_key = llm_config({"NIANBAO_LLM_BASE_URL": "http://127.0.0.1:9/v1", "NIANBAO_LLM_MODEL": "qwen"})
    assert no_key.api_key and no_key.api_key != ""


def test_make_chat_model_streams_over_http(stub_llm):
    stub_llm.reply = "淮安市2024年政府信息公开行政复议共351件，其中结果纠正64件。"
    cfg = LLMConfig(stub_llm.base_url, "stub-model", "sk-test", timeout=10)
    import openai
    model = make_chat_model(cfg)
    assert model.streaming and model.max_retries == 0          # no retry storm against a hanging server
    # the timeouts reach the real client, in the type its HTTP library takes (openai 3.6x: httpx2)
    for client in (model.root_client, model.root_async_client):
        t = client.timeout
        assert (t.connect, t.read, t.write) == (cfg.connect_timeout, cfg.first_token_timeout, 10)
        assert isinstance(t, openai.Timeout) and isinstance(client._client.timeout, openai.Timeout)
    chunks = [c.content for c in model.stream([SystemMessage("只根据资料回答。"),
                                                HumanMessage("资料：行政复议总计351，结果纠正64。问题：淮安市复议多少件？")])]
    pieces = [c for c in chunks if c]
    assert len(pieces) >= 5                       # several chunks, not one
    assert "".join(pieces) == stub_llm.reply
    req = stub_llm.requests[-1]
    assert req["stream"] is True and req["model"] == "stub-model"
    assert "行政复议总计351" in stub_llm.prompt_text()
    assert [m["role"] for m in req["messages"]] == ["system", "user"]
    assert stub_llm.headers[-1].get("authorization") == "Bearer sk-test"


def test_non_streaming_answer_and_a_reply_computed_from_the_prompt():
    def echo_last_number(messages):
        last = messages[-1]["content"]
        return f"收到的问题共{len(last)}个字。"
    with StubLLM(echo_last_number) as server:
        from langchain_openai import ChatOpenAI
        model = ChatOpenAI(model="stub-model", base_url=server.base_url, api_key="sk-test", timeout=10,
                           max_retries=0)
        answer = model.invoke("问题：洪泽区2024年收到多少件申请？").content
        assert answer == f"收到的问题共{len('问题：洪泽区2024年收到多少件申请？')}个字。"
        assert server.requests[-1].get("stream") in (None, False)


def test_a_wrong_figure_from_the_model_is_flagged(stub_llm):
    report = _huaian()
    facts = [compute(get_metric(k), _cells(report)) for k in
             ("table4.review.total", "table4.review.corrected", "derived.grant_rate.total")]
    context = "淮安市人民政府2024年报 表四：行政复议 结果维持72 结果纠正64 其他结果178 尚未审结37 总计351"
    stub_llm.reply = "淮安市2024年行政复议共352件，其中结果纠正64件，予以公开率44.7%。"
    model = make_chat_model(LLMConfig(stub_llm.base_url, "stub-model", "sk-test", timeout=10))
    answer = "".join(c.content for c in model.stream([HumanMessage(context)]))
    result = guard_numbers(answer, [context, *facts])
    assert result.flagged == ["352"] and not result.ok
    assert "【未核实：352】" in result.text and "64件" in result.text and "44.7%" in result.text


# -- the guard ----------------------------------------------------------------------------------------

def test_correct_answer_passes_unchanged():
    context = "淮安市人民政府2024年报：本年新收政府信息公开申请3119件，予以公开1362件，办理结果总计3050件。"
    answer = "淮安市2024年新收申请3,119件，予以公开1362件，办结3050件。"
    result = guard_numbers(answer, [context])
    assert result.ok and result.flagged == [] and result.text == answer


def test_invented_figure_is_flagged():
    context = "洪泽区2024年行政处罚决定数量2776件。"
    result = guard_numbers("洪泽区2024年行政处罚2776件，比上年增加300件。", [context])
    assert result.flagged == ["300"]
    assert result.text == "洪泽区2024年行政处罚2776件，比上年增加【未核实：300】件。"


def test_chinese_numerals_equal_arabic():
    assert parse_chinese_number("三百五十一") == 351
    assert parse_chinese_number("十二") == 12
    assert parse_chinese_number("两") == 2
    assert parse_chinese_number("一万零五") == 10005
    assert parse_chinese_number("四十四点七") == 44.7
    assert guard_numbers("行政复议三百五十一件，纠正六十四件。", ["总计351，结果纠正64"]).ok
    assert guard_numbers("行政复议351件。", ["行政复议三百五十一件"]).ok
    bad = guard_numbers("行政复议三百五十二件，收到两件。", ["总计351，收到2件"])
    assert bad.flagged == ["三百五十二"]
    # words that contain numeral characters are not figures
    assert guard_numbers("统一规范，进一步提升，一次性告知，老百姓十分满意。", [""]).ok


def test_percentages_equal_to_computed_ratios():
    report = _huaian()
    rate = compute(get_metric("derived.grant_rate.total"), _cells(report))
    assert guard_numbers("予以公开率为44.7%。", [rate]).ok
    assert guard_numbers("予以公开率为44.7%。", ["予以公开1362件，办理结果总计3050件，1362/3050"]).ok
    assert guard_numbers("予以公开率约为45%。", [rate]).ok                     # the precision written
    assert guard_numbers("予以公开率为百分之四十四点七。", [rate]).ok
    assert guard_numbers("予以公开率为44.6%。", [rate]).flagged == ["44.6%"]
    # a percentage is not allowed just because the same digits appear as a count
    assert guard_numbers("占比12%。", ["共12件"]).flagged == ["12%"]


def test_years_dates_articles_and_list_markers():
    context = ("依据《中华人民共和国政府信息公开条例》（国务院令第711号）第二十条第（五）项，"
               "国办公开办函〔2021〕30号。落款日期2025-01-21。")
    answer = ("一是依据第二十条第（五）项和国务院令第711号；\n（二）格式依据〔2021〕30号；\n"
              "1. 落款2025年1月21日，第一责任人是分管领导。")
    assert guard_numbers(answer, [context]).ok
    wrong = guard_numbers("依据第二十一条，2024年1月21日落款。", [context])
    assert wrong.flagged == ["二十一", "2024"]


def test_thousands_separators_decimals_and_wan():
    context = "行政事业性收费 本年收费金额（万元）7730.28；行政许可457394件；收费18343万元"
    assert guard_numbers("收费7730.28万元，许可457,394件，赣州经开区收费18343万元。", [context]).ok
    flagged = guard_numbers("收费7730.3万元，许可45.7万件。", [context]).flagged
    assert flagged == ["7730.3万", "45.7万"]


def test_find_numbers_skips_markers_only():
    texts = [t.text for t in find_numbers("（一）主动公开\n1. 收到12件\n一是加强；其二完善；第三批2件")]
    assert texts == ["12", "2"]
