"""The optional large language model: configuration from the environment and the chat model built from it.

Set NIANBAO_LLM_BASE_URL and NIANBAO_LLM_MODEL (and NIANBAO_LLM_API_KEY when the server needs one) to use
any OpenAI-compatible server (DeepSeek, Qwen, a local vLLM …). Without them the assistant answers with
figures computed by the program and quotations from the reports. Token counting through ChatOpenAI is
never used: it makes tiktoken download its tables, and there is no network here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

ENV_BASE_URL = "NIANBAO_LLM_BASE_URL"
ENV_MODEL = "NIANBAO_LLM_MODEL"
ENV_API_KEY = "NIANBAO_LLM_API_KEY"
ENV_TIMEOUT = "NIANBAO_LLM_TIMEOUT"

NO_KEY = "sk-no-key"     # OpenAI clients insist on some key; local servers ignore it


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str = NO_KEY
    timeout: float = 60.0
    temperature: float = 0.2

    def __repr__(self) -> str:   # never print the key
        return f"LLMConfig(base_url={self.base_url!r}, model={self.model!r}, timeout={self.timeout})"


def llm_config(env: Mapping[str, str] | None = None) -> LLMConfig | None:
    """The configuration from the environment, or None when no model is configured."""
    env = os.environ if env is None else env
    base_url = (env.get(ENV_BASE_URL) or "").strip().rstrip("/")
    model = (env.get(ENV_MODEL) or "").strip()
    if not base_url or not model:
        return None
    try:
        timeout = float(env.get(ENV_TIMEOUT) or 60)
    except ValueError:
        timeout = 60.0
    return LLMConfig(base_url=base_url, model=model, api_key=(env.get(ENV_API_KEY) or "").strip() or NO_KEY,
                     timeout=timeout)


def make_chat_model(cfg: LLMConfig):
    """A streaming ChatOpenAI for the configured server (one retry, bounded time)."""
    from langchain_openai import ChatOpenAI    # imported here: the app runs without it when no LLM is set
    return ChatOpenAI(model=cfg.model, base_url=cfg.base_url, api_key=cfg.api_key, streaming=True,
                      timeout=cfg.timeout, max_retries=1, temperature=cfg.temperature)


def describe_llm(cfg: LLMConfig | None = None, env: Mapping[str, str] | None = None) -> str:
    """The banner line telling users whether a model is connected."""
    cfg = cfg if cfg is not None else llm_config(env)
    if cfg is None:
        return "未配置大模型：回答由程序计算和原文引用生成"
    return f"已连接大模型：{cfg.model} @ {cfg.base_url}"
