"""The web app against hostile text and leftovers (issue 14), as a separate process with the stub LLM:
a model's Markdown image is not rendered and the browser (headless Chromium) fetches nothing from it; an
upload's Gradio cache copy is gone once staged, and removing the report deletes our copy of the file."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.appserver import running_app
from tests.conftest import SHARED

from stub_llm import StubLLM  # noqa: E402

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
SEED_000 = SHARED / "seeds" / "000_747ce1910eae7ff3.txt"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic", "--disable-extensions",
        "--disable-default-apps", "--no-default-browser-check"]


class Trap:
    """A local HTTP server that counts every request: the address a leaking image would be fetched from."""

    def __init__(self):
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", "0")
                self.end_headers()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def app(tmp_path_factory, shared):
    trap = Trap()
    stub = StubLLM(f"赣州经济技术开发区2022年共收到政府信息公开申请12件。![统计图]({trap.url}/leak.png?d=12)"
                   f"[详情]({trap.url}/click)<img src=\"{trap.url}/img.png\">").start()
    root = tmp_path_factory.mktemp("app-hostile")
    env = {"NIANBAO_LLM_BASE_URL": stub.base_url, "NIANBAO_LLM_MODEL": "stub-model", "NIANBAO_LLM_API_KEY": "sk-test",
           "GRADIO_TEMP_DIR": str(root / "gradio-cache")}
    try:
        with running_app(root / "data", env) as url:
            yield url, root, trap
    finally:
        stub.stop()
        trap.close()


def test_upload_cache_copy_is_deleted_and_removal_deletes_the_upload(app):
    import httpx
    from gradio_client import Client
    url, root, _ = app
    with SEED_000.open("rb") as f:
        cached = httpx.post(url + "gradio_api/upload", files={"files": (SEED_000.name, f)}, timeout=60).json()[0]
    assert Path(cached).is_file()
    client = Client(url, verbose=False)
    result = client.predict([{"path": cached, "meta": {"_type": "gradio.FileData"}, "orig_name": SEED_000.name}],
                            api_name="/ingest")
    assert "已入库" in result[0]
    from assistant.views import LIBRARY_HEADERS
    rid = result[3]["data"][0][LIBRARY_HEADERS.index("编号")]
    assert not Path(cached).exists()                                       # Gradio's copy is gone …
    assert httpx.get(url + f"gradio_api/file={cached}", timeout=30).status_code != 200   # … and cannot be downloaded
    staged = list((root / "data" / "uploads").rglob(SEED_000.name))
    assert len(staged) == 1
    removed = client.predict([rid], api_name="/remove")
    assert "已删除" in removed[0]
    assert not staged[0].exists() and not staged[0].parent.exists()        # our copy went with the report
    again = client.predict([{"path": httpx.post(url + "gradio_api/upload", files={"files": (SEED_000.name, SEED_000.read_bytes())},
                                                  timeout=60).json()[0], "meta": {"_type": "gradio.FileData"}}],
                           api_name="/ingest")
    assert "已入库" in again[0]                                           # the library is usable for the next test


def test_markdown_image_in_a_model_answer_is_not_fetched(app):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (make system-deps)")
    pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright
    url, _, trap = app
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.set_default_timeout(120_000)
        page.goto(url, wait_until="domcontentloaded")
        box = page.locator("#question textarea")
        box.wait_for()
        box.fill("赣州经开区2022年一共收到多少件政府信息公开申请？")
        box.press("Enter")
        page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"bot\"]')]"
                               ".some(b => b.innerText.includes('图片已屏蔽'))")
        page.wait_for_timeout(1500)
        bot = page.locator('[data-testid="bot"]').first
        text = bot.inner_text()
        images = page.eval_on_selector_all("[data-testid='bot'] img", "els => els.map(e => e.src)")
        links = page.eval_on_selector_all("[data-testid='bot'] a", "els => els.map(e => e.href)")
        browser.close()
    assert "［图片已屏蔽：统计图］" in text and "12件" in text
    assert not any(trap.url in s for s in images) and not any(trap.url in h for h in links)
    assert trap.hits == []
