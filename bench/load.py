"""Load on the web app: concurrent users asking the dev questions (../shared/eval/questions.jsonl) through
gradio_client's `/chat` endpoint while another user uploads reports (the mixed workload of issue 14);
p50/p95/max latency, throughput and error count per level, and the uploads done meanwhile.

Run by hand:  .venv/bin/python bench/load.py [--url http://127.0.0.1:7860/] [--requests 64] [--users 16 32]
              [--no-upload] [--postgres | --database-url URL]
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


def run_level(url: str, questions: list[str], users: int, requests: int, upload: list[Path] | None = None) -> dict:
    """`users` threads, each with its own client, share `requests` questions (cycling through the list),
    while one more user uploads `upload` (when given)."""
    from gradio_client import Client
    clients = [Client(url, verbose=False) for _ in range(users)]
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
    threads = [threading.Thread(target=user, args=(u,)) for u in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    stop.set()
    if up_thread is not None:
        up_thread.join(timeout=600)
    return {"users": users, "requests": requests, "ok": len(latencies), "errors": len(errors),
            "uploads_done": len(up_log["uploads"]), "upload_s": up_log["uploads"], "upload_errors": up_log["errors"][:3],
            "p50_s": round(percentile(latencies, 50), 2), "p95_s": round(percentile(latencies, 95), 2),
            "max_s": round(max(latencies), 2) if latencies else None,
            "mean_s": round(statistics.mean(latencies), 2) if latencies else None,
            "throughput_per_min": round(60 * len(latencies) / wall, 1), "wall_s": round(wall, 1),
            "first_errors": errors[:3]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", help="an app that is already running (its library should hold ../shared)")
    p.add_argument("--users", type=int, nargs="+", default=[16, 32])
    p.add_argument("--requests", type=int, default=64, help="questions asked per level (default 64)")
    p.add_argument("--no-upload", action="store_true", help="questions only, nobody uploads meanwhile")
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
        Client(url, verbose=False).predict(questions[0], api_name="/chat")        # warm-up, not counted
        results = []
        print(f"{'users':>5} {'requests':>8} {'errors':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'per min':>8} "
              f"{'uploads':>7}")
        for users in args.users:
            r = run_level(url, questions, users, args.requests, None if args.no_upload else UPLOADS)
            results.append(r)
            print(f"{r['users']:>5} {r['requests']:>8} {r['errors']:>6} {r['p50_s']:>7} {r['p95_s']:>7} "
                  f"{r['max_s']!s:>7} {r['throughput_per_min']:>8} {r['uploads_done']:>7}", flush=True)
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
