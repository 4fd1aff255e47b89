"""Shared test fixtures: where ../shared is, gold files, and the offline environment."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

for k, v in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
             "ANONYMIZED_TELEMETRY": "False"}.items():
    os.environ.setdefault(k, v)

REPO = Path(__file__).resolve().parents[1]
SHARED = next((p for p in (REPO.parent / "shared", REPO.parents[1] / "shared") if p.is_dir()),   # worktrees: /work/wt/x
              REPO.parent / "shared")
GOLD_FILES = sorted((SHARED / "gold").glob("*.json"))


def gold(name_part: str) -> dict:
    """The gold record whose file name contains `name_part`."""
    path = next(p for p in GOLD_FILES if name_part in p.name)
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED


# -- the database engines: SQLite (default) and a real PostgreSQL server the test run starts -----------------
ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_server():
    from tests.pgserver import PgServer, binaries
    if binaries() is None:
        pytest.skip("PostgreSQL 未安装（initdb/pg_ctl）：make system-deps 会安装 Debian 的 postgresql")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed")
    server = PgServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=ENGINES)
def engine(request):
    """Run a module's tests on each engine: yields a function that gives a fresh database URL (None = SQLite)."""
    if request.param == "sqlite":
        yield lambda: None
    else:
        server = request.getfixturevalue("pg_server")
        yield server.fresh_database


@pytest.fixture
def engine_env(engine, monkeypatch):
    """A fresh database for this test, through NIANBAO_DATABASE_URL (so Library() and the CLI use it too)."""
    url = engine()
    if url:
        monkeypatch.setenv("NIANBAO_DATABASE_URL", url)
    else:
        monkeypatch.delenv("NIANBAO_DATABASE_URL", raising=False)
    return url
