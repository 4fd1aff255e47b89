"""Test helper: start `app.py` in a subprocess on a free 127.0.0.1 port with its own data folder, wait until
it serves, and stop it (by its PID) afterwards. Not product code."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
               "ANONYMIZED_TELEMETRY": "False"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(data_dir: Path, extra_env: dict | None = None, timeout: float = 180) -> Iterator[str]:
    """Yield the base URL of a running app over `data_dir`; its output goes to data_dir/app.log."""
    port = free_port()
    env = {**os.environ, **OFFLINE_ENV, "NIANBAO_DATA_DIR": str(data_dir), **(extra_env or {})}
    env.pop("GRADIO_SERVER_PORT", None)
    data_dir.mkdir(parents=True, exist_ok=True)
    log = open(data_dir / "app.log", "wb")
    proc = subprocess.Popen([sys.executable, str(REPO / "app.py"), "--port", str(port)], cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app exited with {proc.returncode}: {(data_dir / 'app.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url + "config", timeout=5) as r:
                    if r.status == 200:
                        break
            except urllib.error.HTTPError as e:
                if e.code == 401:            # serving, behind a login
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"app did not start in {timeout:.0f} s: {(data_dir / 'app.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
