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
SHARED = REPO.parent / "shared"
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
