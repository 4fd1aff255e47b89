"""Uploads nobody ingests are deleted (issue 21): a file posted to Gradio's upload route by a logged-in viewer and
never used is gone after NIANBAO_UPLOAD_MAX_AGE_S (here 2 s), on a real app process."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.appserver import running_app

pytestmark = pytest.mark.slow


def test_an_unused_upload_is_deleted(tmp_path):
    import httpx
    from vectorstore.library import Library
    data = tmp_path / "data"
    Library(data).accounts.add("viewer1", "viewer", "viewer-pass-1")
    with running_app(data, {"NIANBAO_UPLOAD_MAX_AGE_S": "2"}) as url:
        with httpx.Client(timeout=60) as session:
            assert session.post(url + "login", data={"username": "viewer1", "password": "viewer-pass-1"}).status_code == 200
            response = session.post(url + "gradio_api/upload", files={"files": ("大文件.txt", b"x" * 3_000_000)})
            assert response.status_code == 200
            stored = Path(response.json()[0])
            assert stored.exists() and stored.stat().st_size == 3_000_000
            deadline = time.monotonic() + 30
            while stored.exists() and time.monotonic() < deadline:
                time.sleep(0.5)
            assert not stored.exists()


def test_a_bad_setting_is_refused_in_chinese(monkeypatch):
    import app
    from ingest.errors import UserError
    monkeypatch.setenv("NIANBAO_UPLOAD_MAX_AGE_S", "一小时")
    with pytest.raises(UserError, match="应为秒数"):
        app.upload_cleanup()
    monkeypatch.setenv("NIANBAO_UPLOAD_MAX_AGE_S", "5")
    assert app.upload_cleanup() == (5, 5)
    monkeypatch.delenv("NIANBAO_UPLOAD_MAX_AGE_S")
    assert app.upload_cleanup() == (app.UPLOAD_SWEEP_S, app.UPLOAD_MAX_AGE_S)
