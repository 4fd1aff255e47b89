"""The optional large language model: configuration from the environment and the chat model built from it.

Set NIANBAO_LLM_BASE_URL and NIANBAO_LLM_MODEL (and NIANBAO_LLM_API_KEY when the server needs one) to use
any OpenAI-compatible server (DeepSeek, Qwen, a local vLLM …). Without them the assistant answers with
figures computed by the program and quotations from the reports. Token counting through ChatOpenAI is
never used: it makes tiktoken download its tables, and there is no network here.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Mapping

from ingest.settings import Settings

DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_FIRST_TOKEN_TIMEOUT = 20.0
# The whole answer, however the server keeps the connection alive (keep-alive comments, empty deltas, a character
# every few seconds reset the per-read timeouts above): past this the computed answer stands, with a note.
DEFAULT_ANSWER_TIMEOUT = 90.0
MAX_RETRIES = 0                 # a slow or hanging server is not asked again: the program's answer stands
COOLDOWN_S = 60.0               # after a failure the model is skipped this long (no retry storm from many users)

NO_KEY = "sk-no-key"     # OpenAI clients insist on some key; local servers ignore it


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str = NO_KEY
    timeout: float = DEFAULT_TIMEOUT
    temperature: float = 0.2
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    first_token_timeout: float = DEFAULT_FIRST_TOKEN_TIMEOUT

    def __repr__(self) -> str:   # never print the key, nor credentials inside the URL
        return f"LLMConfig(base_url={public_url(self.base_url)!r}, model={self.model!r}, timeout={self.timeout})"


def llm_config(env: Mapping[str, str] | None = None) -> LLMConfig | None:
    """The configuration from the environment, or None when no model is configured."""
    s = Settings.from_env(env)
    base_url = (s.llm_base_url or "").strip().rstrip("/")
    model = (s.llm_model or "").strip()
    if not base_url or not model:
        return None
    return LLMConfig(base_url=base_url, model=model, api_key=(s.llm_api_key or "").strip() or NO_KEY,
                     timeout=_seconds(s.llm_timeout, DEFAULT_TIMEOUT),
                     connect_timeout=_seconds(s.llm_connect_timeout, DEFAULT_CONNECT_TIMEOUT),
                     first_token_timeout=_seconds(s.llm_first_token_timeout, DEFAULT_FIRST_TOKEN_TIMEOUT))


def _seconds(text: str | None, default: float) -> float:
    try:
        value = float(text or default)
    except ValueError:
        return default
    return value if value > 0 else default


def make_chat_model(cfg: LLMConfig):
    """A streaming ChatOpenAI for the configured server: a short connect timeout, the first piece of the answer
    within `first_token_timeout` (the read timeout: it also bounds a stall between pieces), no retry.

    The timeouts are given as the client library documents them, in its own type (`openai.Timeout`): openai 3.6x
    talks through httpx2 and rejects another HTTP library's timeout object, and older releases re-export httpx's."""
    import openai
    from langchain_openai import ChatOpenAI    # imported here: the app runs without it when no LLM is set
    timeout = openai.Timeout(cfg.timeout, connect=cfg.connect_timeout, read=cfg.first_token_timeout)
    return ChatOpenAI(model=cfg.model, base_url=cfg.base_url, api_key=cfg.api_key, streaming=True,
                      timeout=timeout, max_retries=MAX_RETRIES, temperature=cfg.temperature,
                      stream_chunk_timeout=cfg.first_token_timeout)


class Health:
    """Which model servers failed lately (process-wide): a server that failed is skipped for COOLDOWN_S, so
    a hanging endpoint costs one user one timeout, not every user one each."""

    def __init__(self, cooldown: float = COOLDOWN_S):
        self.cooldown = cooldown
        self._failed: dict[str, float] = {}
        self._lock = threading.Lock()

    def available(self, key: str) -> bool:
        with self._lock:
            at = self._failed.get(key)
            return at is None or time.monotonic() - at >= self.cooldown

    def failed(self, key: str) -> None:
        with self._lock:
            self._failed[key] = time.monotonic()

    def ok(self, key: str) -> None:
        with self._lock:
            self._failed.pop(key, None)


HEALTH = Health()


def model_key(model) -> str:
    """Which server a chat model talks to (its base URL), or the object itself for other models."""
    url = getattr(model, "openai_api_base", None) or getattr(model, "base_url", None)
    return str(url) if url else f"model-{id(model)}"


def describe_llm(cfg: LLMConfig | None = None, env: Mapping[str, str] | None = None) -> str:
    """The banner line telling users whether a model is connected."""
    cfg = cfg if cfg is not None else llm_config(env)
    if cfg is None:
        return "未配置大模型：回答由程序计算和原文引用生成"
    return f"已连接大模型：{cfg.model} @ {public_url(cfg.base_url)}"


def public_url(url: str) -> str:
    """The URL as it may be shown: no user name, password, query string or fragment (they may hold keys)."""
    from urllib.parse import urlsplit, urlunsplit
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        return "（地址格式无法解析）"


def answer_timeout(env: Mapping[str, str] | None = None) -> float:
    """Seconds one answer may take from the model in all (NIANBAO_LLM_ANSWER_TIMEOUT, default 90)."""
    return _seconds(Settings.from_env(env).llm_answer_timeout, DEFAULT_ANSWER_TIMEOUT)
