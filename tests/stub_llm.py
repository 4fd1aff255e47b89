"""A stdlib OpenAI-compatible chat server for tests: scripted answers over real HTTP, streamed (SSE) or not.

    with StubLLM("答案……") as llm:            # or StubLLM(lambda messages: "…")
        model = ChatOpenAI(base_url=llm.base_url, model="stub-model", api_key="sk-test")
        ...
        llm.requests[-1]["messages"]          # what the prompt contained

The `stub_llm` pytest fixture starts one on 127.0.0.1 with a free port and stops it after the test; set
its answer with `stub_llm.reply = …`. Run by hand: `python tests/stub_llm.py 8765 "固定回答"`.
"""
from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Union

Reply = Union[str, Callable[[list], str]]
DEFAULT_REPLY = "根据检索到的报告，凤岗镇2023年主动公开各类政府信息约297条。"


def message_text(message: dict) -> str:
    """The text of a chat message whose content is a string or a list of parts."""
    content = message.get("content", "")
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args) -> None:
        pass

    def _json(self, code: int, obj: dict) -> None:
        body = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            return self._json(200, {"object": "list",
                                    "data": [{"id": "stub-model", "object": "model", "owned_by": "tests"}]})
        self._json(404, {"error": {"message": "not found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        req = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.endswith("/chat/completions"):
            return self._json(404, {"error": {"message": "not found"}})
        stub = self.server.stub
        stub._record(req, {k.lower(): v for k, v in self.headers.items()})
        answer = stub.answer_for(req.get("messages", []))
        prompt_chars = sum(len(message_text(m)) for m in req.get("messages", []))
        cid = "chatcmpl-" + uuid.uuid4().hex[:12]
        model = req.get("model", "stub-model")
        now = int(time.time())
        usage = {"prompt_tokens": prompt_chars, "completion_tokens": len(answer),
                 "total_tokens": prompt_chars + len(answer)}
        if not req.get("stream"):
            return self._json(200, {"id": cid, "object": "chat.completion", "created": now, "model": model,
                                    "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                                                 "finish_reason": "stop"}],
                                    "usage": usage})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()

        def send(obj: dict) -> None:
            self.wfile.write(f"data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode())
            self.wfile.flush()

        def chunk(delta: dict, finish=None) -> dict:
            return {"id": cid, "object": "chat.completion.chunk", "created": now, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        send(chunk({"role": "assistant", "content": ""}))
        if stub.stall:                       # a server that keeps the connection alive and never finishes
            stalled_until = time.monotonic() + stub.stall_for
            at = 0
            try:
                while time.monotonic() < stalled_until and not stub.stopping.is_set():
                    if stub.stall == "comments":
                        self.wfile.write(b": keep-alive\n\n")
                        self.wfile.flush()
                    elif stub.stall == "empty":
                        send(chunk({"content": ""}))
                    else:                    # "drip": one character of the answer every stall_every seconds
                        send(chunk({"content": answer[at % len(answer)]}))
                        at += 1
                    time.sleep(stub.stall_every)
            except OSError:                  # the client went away
                pass
            self.close_connection = True
            return
        size = max(1, stub.chunk_size)
        for i in range(0, len(answer), size):
            send(chunk({"content": answer[i:i + size]}))
            if stub.delay:
                time.sleep(stub.delay)
        send(chunk({}, "stop"))
        if (req.get("stream_options") or {}).get("include_usage"):
            send({"id": cid, "object": "chat.completion.chunk", "created": now, "model": model, "choices": [],
                  "usage": usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stub: "StubLLM"


class StubLLM:
    """An OpenAI-compatible server on 127.0.0.1 answering with `reply` (a string, or a function of the
    request's messages), split into `chunk_size`-character chunks when streaming."""

    def __init__(self, reply: Reply = DEFAULT_REPLY, chunk_size: int = 4, delay: float = 0.0):
        self.reply = reply
        self.chunk_size = chunk_size
        self.delay = delay
        # A stalling server: "comments" (SSE keep-alive comments), "empty" (empty deltas) or "drip" (a character
        # every `stall_every` s), for `stall_for` s; None answers normally.
        self.stall: str | None = None
        self.stall_every = 0.5
        self.stall_for = 600.0
        self.stopping = threading.Event()
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self, port: int = 0) -> "StubLLM":
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.stub = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()                  # ends a stalling response
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "StubLLM":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what tests use -----------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "StubLLM not started"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def answer_for(self, messages: list) -> str:
        return self.reply(messages) if callable(self.reply) else str(self.reply)

    def _record(self, request: dict, headers: dict) -> None:
        with self._lock:
            self.requests.append(request)
            self.headers.append(headers)

    def prompt_text(self, index: int = -1) -> str:
        """All message texts of one request (the last by default), joined by newlines."""
        return "\n".join(message_text(m) for m in self.requests[index].get("messages", []))


try:
    import pytest

    @pytest.fixture
    def stub_llm():
        """A started StubLLM; set `.reply` in the test. Stopped after the test."""
        with StubLLM() as server:
            yield server
except ImportError:      # pragma: no cover - running the server by hand without pytest
    pass


if __name__ == "__main__":
    server = StubLLM(sys.argv[2] if len(sys.argv) > 2 else DEFAULT_REPLY)
    server.start(int(sys.argv[1]) if len(sys.argv) > 1 else 8765)
    print(server.base_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
