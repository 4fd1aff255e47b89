"""Load on the web app: concurrent users asking the dev questions (../shared/eval/questions.jsonl) through
the `/chat` endpoint while another user uploads reports (the mixed workload of issue 14);
p50/p95/max latency, throughput and error count per level, and the uploads done meanwhile.

Each asking user speaks Gradio's queue protocol the way the browser page does (one session per user:
POST queue/join, then the session's SSE stream until `process_completed`), over one keep-alive HTTP
connection. The session is opened with one uncounted question (a user with the page open). A lean client
matters on a 2-core machine: gradio_client costs about 140 ms of CPU per question on the same cores as the
server (more than the server's ~60 ms), so measuring with it measures the client. `--gradio-client` uses it
anyway. The uploader uses gradio_client (one user). Closed loop: every user asks again as soon as answered.

Run by hand:  .venv/bin/python bench/load.py [--url http://127.0.0.1:7860/] [--requests 64] [--users 16 32]
              [--no-upload] [--gradio-client] [--postgres | --database-url URL]
Without --url it fills a temporary library with ../shared (seeds + reports, except the files held out for
uploading), starts app.py on a free port over it, and stops it afterwards. The uploader uploads the held-out
files one by one through `/ingest`, removes them through `/remove`, and starts over, until the askers are done.
`--postgres` runs a temporary PostgreSQL server (tests/pgserver.py) and uses it as the library's
database (`--database-url URL`: an existing one). Results also go to bench/out/load[-postgresql].json.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
               "ANONYMIZED_TELEMETRY": "False"}
os.environ.update(OFFLINE_ENV)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


UPLOADS = [SHARED / "reports" / "005_hongze_district_2023.pdf", SHARED / "reports" / "011_pingtan_2022.txt"]


def fill_library(data_dir: Path, hold_out: list[Path]) -> None:
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    t = time.perf_counter()
    staged = data_dir.parent / "library-files"
    for folder in ("seeds", "reports"):
        (staged / folder).mkdir(parents=True, exist_ok=True)
        for f in (SHARED / folder).iterdir():
            if f.is_file() and f not in hold_out:
                (staged / folder / f.name).write_bytes(f.read_bytes())
    summary = ingest_paths(Library(data_dir), [staged / "seeds", staged / "reports"], progress=False)
    print(f"library: {summary.describe()} ({time.perf_counter() - t:.0f} s)", flush=True)


def start_app(data_dir: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "NIANBAO_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen([sys.executable, str(REPO / "app.py"), "--port", str(port)], cwd=REPO, env=env,
                            stdout=open(data_dir / "app.log", "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"app exited: {(data_dir / 'app.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "config", timeout=5):
                return proc, url
        except OSError:
            time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    raise SystemExit("app did not start in 180 s")


def uploader(url: str, files: list[Path], stop: threading.Event, log: dict) -> None:
    """Upload `files` one by one, remove them again, repeat until `stop`; counts and errors go to `log`."""
    from gradio_client import Client, handle_file
    client = Client(url, verbose=False)
    while not stop.is_set():
        for f in files:
            if stop.is_set():
                break
            t = time.perf_counter()
            try:
                result = client.predict([handle_file(str(f))], api_name="/ingest")
                text = result[0]
                if "失败" in text or not any(w in text for w in ("已入库", "已更新", "未变化")):
                    log["errors"].append(text[:200])
                ids = [row[-1] for row in result[3]["data"] if row[6] == f.name]
                log["uploads"].append(round(time.perf_counter() - t, 2))
                if ids:
                    client.predict(ids, api_name="/remove")
            except Exception as e:   # noqa: BLE001 - counted and reported
                log["errors"].append(f"{type(e).__name__}: {e}"[:200])


class PageUser:
    """One user with the page open: a Gradio session of its own, asking through the queue as the browser does
    (POST queue/join, then the session's SSE stream until the event completes), on one keep-alive connection."""

    def __init__(self, url: str, fn_index: int, timeout: float = 120.0):
        import httpx
        self.base = url.rstrip("/") + "/gradio_api"
        self.fn_index = fn_index
        self.session = uuid.uuid4().hex[:11]
        self.http = httpx.Client(timeout=timeout)

    def predict(self, question: str, api_name: str = "/chat") -> str:
        r = self.http.post(self.base + "/queue/join", json={"data": [question], "fn_index": self.fn_index,
                                                          "session_hash": self.session, "trigger_id": None,
                                                          "event_data": None})
        r.raise_for_status()
        event = r.json()["event_id"]
        with self.http.stream("GET", self.base + "/queue/data", params={"session_hash": self.session}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("event_id") != event or msg.get("msg") != "process_completed":
                    continue
                if not msg.get("success"):
                    raise RuntimeError(f"server error: {str(msg.get('output'))[:200]}")
                return msg["output"]["data"][0]
        raise RuntimeError("stream closed before the answer completed")


def chat_fn_index(url: str) -> int:
    with urllib.request.urlopen(url.rstrip("/") + "/config", timeout=30) as r:
        config = json.load(r)
    return next(d["id"] for d in config["dependencies"] if d.get("api_name") == "chat")


def make_users(url: str, users: int, gradio_client: bool = False) -> list:
    """`users` clients, each with its session opened by one question that is not counted."""
    if gradio_client:
        from gradio_client import Client
        clients = [Client(url, verbose=False) for _ in range(users)]
    else:
        fn = chat_fn_index(url)
        clients = [PageUser(url, fn) for _ in range(users)]
    for c in clients:
        c.predict(WARM_UP, api_name="/chat")
    return clients


WARM_UP = "洪泽区2024年收到多少件政府信息公开申请？"


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of process `pid` so far (Linux), None when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, TypeError, IndexError, ValueError):
        return None


def run_level(url: str, questions: list[str], users: int, requests: int, upload: list[Path] | None = None,
              gradio_client: bool = False, server_pid: int | None = None) -> dict:
    """`users` threads, each with its own client, share `requests` questions (cycling through the list),
    while one more user uploads `upload` (when given)."""
    clients = make_users(url, users, gradio_client)
    stop = threading.Event()
    up_log: dict = {"uploads": [], "errors": []}
    up_thread = None
    if upload:
        up_thread = threading.Thread(target=uploader, args=(url, upload, stop, up_log), daemon=True)
        up_thread.start()
        time.sleep(1.0)                 # the upload is under way when the questions start
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    jobs = [questions[i % len(questions)] for i in range(requests)]

    def user(u: int) -> None:
        for q in jobs[u::users]:
            t = time.perf_counter()
            try:
                answer = clients[u].predict(q, api_name="/chat")
                ok = isinstance(answer, str) and answer.strip() != ""
                err = None if ok else f"empty answer to {q}"
            except Exception as e:   # noqa: BLE001 - counted and reported
                err = f"{type(e).__name__}: {e}"
            dt = time.perf_counter() - t
            with lock:
                if err:
                    errors.append(err)
                else:
                    latencies.append(dt)

    start = time.perf_counter()
    server_cpu, client_cpu = cpu_seconds(server_pid), time.process_time()
    threads = [threading.Thread(target=user, args=(u,)) for u in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    client_cpu = time.process_time() - client_cpu
    server_cpu = (cpu_seconds(server_pid) - server_cpu) if server_cpu is not None else None
    stop.set()
    if up_thread is not None:
        up_thread.join(timeout=600)
    return {"users": users, "requests": requests, "ok": len(latencies), "errors": len(errors),
            "uploads_done": len(up_log["uploads"]), "upload_s": up_log["uploads"], "upload_errors": up_log["errors"][:3],
            "p50_s": round(percentile(latencies, 50), 2), "p95_s": round(percentile(latencies, 95), 2),
            "max_s": round(max(latencies), 2) if latencies else None,
            "mean_s": round(statistics.mean(latencies), 2) if latencies else None,
            "throughput_per_min": round(60 * len(latencies) / wall, 1), "wall_s": round(wall, 1),
            "server_cpu_ms_per_question": round(1000 * server_cpu / max(1, requests)) if server_cpu is not None else None,
            "client_cpu_ms_per_question": round(1000 * client_cpu / max(1, requests)),
            "first_errors": errors[:3]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", help="an app that is already running (its library should hold ../shared)")
    p.add_argument("--users", type=int, nargs="+", default=[16, 32])
    p.add_argument("--requests", type=int, default=64, help="questions asked per level (default 64)")
    p.add_argument("--no-upload", action="store_true", help="questions only, nobody uploads meanwhile")
    p.add_argument("--gradio-client", action="store_true", help="ask through gradio_client (heavier on the client's CPU)")
    p.add_argument("--server-pid", type=int, help="with --url: the app's process id, to report its CPU per question")
    p.add_argument("--questions", default=str(SHARED / "eval" / "questions.jsonl"))
    p.add_argument("--database-url", help="the library's PostgreSQL database (NIANBAO_DATABASE_URL)")
    p.add_argument("--postgres", action="store_true", help="start a temporary PostgreSQL server and use it")
    args = p.parse_args()
    server = None
    if args.postgres:
        from tests.pgserver import PgServer
        server = PgServer().start()
        args.database_url = server.fresh_database()
    if args.database_url:
        os.environ["NIANBAO_DATABASE_URL"] = args.database_url
    with open(args.questions, encoding="utf-8") as f:
        questions = [json.loads(line)["q"] for line in f if line.strip()]
    proc = None
    url = args.url
    if url is None:
        data_dir = Path(tempfile.mkdtemp(prefix="nianbao-load-")) / "data"
        data_dir.mkdir()
        fill_library(data_dir, [] if args.no_upload else UPLOADS)
        proc, url = start_app(data_dir)
    try:
        from gradio_client import Client
        make_users(url, 1)                                                          # warm-up, not counted
        results = []
        print(f"{'users':>5} {'requests':>8} {'errors':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'per min':>8} "
              f"{'uploads':>7}")
        for users in args.users:
            r = run_level(url, questions, users, args.requests, None if args.no_upload else UPLOADS,
                          args.gradio_client, proc.pid if proc is not None else args.server_pid)
            results.append(r)
            print(f"{r['users']:>5} {r['requests']:>8} {r['errors']:>6} {r['p50_s']:>7} {r['p95_s']:>7} "
                  f"{r['max_s']!s:>7} {r['throughput_per_min']:>8} {r['uploads_done']:>7}   server {r['server_cpu_ms_per_question']} ms, "
                  f"client {r['client_cpu_ms_per_question']} ms CPU per question", flush=True)
            for e in r["first_errors"] + r["upload_errors"]:
                print(f"      error: {e[:200]}")
        out = REPO / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)
        engine = "postgresql" if args.database_url else "sqlite"
        name = "load" + ("-postgresql" if args.database_url else "") + ".json"
        (out / name).write_text(json.dumps({"url": url, "engine": engine, "questions": len(questions),
                                            "levels": results}, ensure_ascii=False, indent=1), encoding="utf-8")
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
