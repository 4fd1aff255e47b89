"""Load on the web app: 1, 4 and 16 concurrent users asking the dev questions (../shared/eval/questions.jsonl)
through gradio_client's `/chat` endpoint; p50/p95/max latency, throughput and error count per level.
`--mixed` adds one user who keeps uploading (changed copies of the seed reports, each a real re-ingest) while
the others ask: upload latencies are reported, and the library is checked afterwards for lost reports.

Run by hand:  .venv/bin/python bench/load.py [--url http://127.0.0.1:7860/] [--requests 48] [--users 1 4 16]
              .venv/bin/python bench/load.py --mixed --users 32 --requests 64 [--postgres | --database-url URL]
Without --url it fills a temporary library with ../shared (seeds + reports), starts app.py on a free port over
it, and stops it afterwards; `--postgres` runs a temporary PostgreSQL server (tests/pgserver.py) and uses it
as the library's database. Results also go to bench/out/load[-mixed][-postgresql].json.
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


def fill_library(data_dir: Path) -> None:
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    t = time.perf_counter()
    summary = ingest_paths(Library(data_dir), [SHARED / "seeds", SHARED / "reports"], progress=False)
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


def uploader(url: str, stop: threading.Event, work: Path) -> dict:
    """One user uploading changed copies of the seed reports until `stop`; returns the upload figures."""
    from gradio_client import Client, handle_file
    client = Client(url, verbose=False)
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    latencies, errors, stored, n = [], [], set(), 0
    while not stop.is_set():
        seed = seeds[n % len(seeds)]
        copy = work / f"load_{n:03d}_{seed.name}"
        copy.write_text(seed.read_text(encoding="utf-8") + f"\n（负载测试副本 {n}）\n", encoding="utf-8")
        t = time.perf_counter()
        try:
            log = client.predict([handle_file(str(copy))], api_name="/ingest")[0]
            if "已入库" in log or "已更新" in log:
                latencies.append(time.perf_counter() - t)
                stored.add(copy.name)
            else:
                errors.append(log[:200])
        except Exception as e:   # noqa: BLE001 - counted and reported
            errors.append(f"{type(e).__name__}: {e}")
        n += 1
    return {"uploads": len(latencies), "upload_errors": len(errors), "stored": sorted(stored),
            "upload_p50_s": round(percentile(latencies, 50), 2), "upload_max_s": round(max(latencies), 2) if latencies else None,
            "first_upload_errors": errors[:3]}


def run_level(url: str, questions: list[str], users: int, requests: int, mixed: bool = False) -> dict:
    """`users` threads, each with its own client, share `requests` questions (cycling through the list);
    with `mixed`, one more user uploads all the while."""
    from gradio_client import Client
    clients = [Client(url, verbose=False) for _ in range(users)]
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
    stop, upload_result = threading.Event(), {}
    if mixed:
        work = Path(tempfile.mkdtemp(prefix="nianbao-load-up-"))
        up = threading.Thread(target=lambda: upload_result.update(uploader(url, stop, work)))
        up.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    if mixed:
        stop.set()
        up.join()
        rows = Client(url, verbose=False).predict([], api_name="/remove")[3]["data"]
        shown = {r[6] for r in rows}
        upload_result["lost"] = [f for f in upload_result.pop("stored") if f not in shown]
    return {"users": users, "requests": requests, "ok": len(latencies), "errors": len(errors), **upload_result,
            "p50_s": round(percentile(latencies, 50), 2), "p95_s": round(percentile(latencies, 95), 2),
            "max_s": round(max(latencies), 2) if latencies else None,
            "mean_s": round(statistics.mean(latencies), 2) if latencies else None,
            "throughput_per_min": round(60 * len(latencies) / wall, 1), "wall_s": round(wall, 1),
            "first_errors": errors[:3]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", help="an app that is already running (its library should hold ../shared)")
    p.add_argument("--users", type=int, nargs="+", default=[1, 4, 16])
    p.add_argument("--requests", type=int, default=48, help="questions asked per level (default 48)")
    p.add_argument("--questions", default=str(SHARED / "eval" / "questions.jsonl"))
    p.add_argument("--mixed", action="store_true", help="one more user uploads while the others ask")
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
        data_dir = Path(tempfile.mkdtemp(prefix="nianbao-load-"))
        fill_library(data_dir)
        proc, url = start_app(data_dir)
    try:
        from gradio_client import Client
        Client(url, verbose=False).predict(questions[0], api_name="/chat")        # warm-up, not counted
        results = []
        print(f"{'users':>5} {'requests':>8} {'errors':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'per min':>8}")
        for users in args.users:
            r = run_level(url, questions, users, args.requests, args.mixed)
            results.append(r)
            print(f"{r['users']:>5} {r['requests']:>8} {r['errors']:>6} {r['p50_s']:>7} {r['p95_s']:>7} "
                  f"{r['max_s']!s:>7} {r['throughput_per_min']:>8}", flush=True)
            if args.mixed:
                print(f"      uploads {r['uploads']} (errors {r['upload_errors']}, p50 {r['upload_p50_s']} s, "
                      f"max {r['upload_max_s']} s), lost after the run: {len(r['lost'])}", flush=True)
            for e in r["first_errors"] + r.get("first_upload_errors", []):
                print(f"      error: {e[:200]}")
        out = REPO / "bench" / "out"
        out.mkdir(parents=True, exist_ok=True)
        engine = "postgresql" if args.database_url else "sqlite"
        name = "load" + ("-mixed" if args.mixed else "") + ("-postgresql" if args.database_url else "") + ".json"
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
