"""Two app processes over one PostgreSQL library with separate data folders, as on two machines of a region,
uploading different reports at the same moment: nothing is lost, both see all of them, and the audit log has
every upload. (Several processes over one SQLite file are covered by the library's crash and lock tests.)"""
from __future__ import annotations

import threading

import pytest

from tests.appserver import running_app
from tests.conftest import SHARED

pytestmark = pytest.mark.slow

SEEDS = sorted((SHARED / "seeds").glob("00[0-4]_*.txt"))


def test_two_app_processes_share_one_library_without_loss(tmp_path, pg_server, shared):
    from gradio_client import Client, handle_file
    url = pg_server.fresh_database()
    env = {"NIANBAO_DATABASE_URL": url}
    first_dir, second_dir = tmp_path / "a" / "data", tmp_path / "b" / "data"
    with running_app(first_dir, env) as first, running_app(second_dir, env) as second:
        clients = [Client(first, verbose=False), Client(second, verbose=False)]
        results, errors = {}, []

        def upload(i):
            try:
                results[i] = clients[i % 2].predict([handle_file(str(SEEDS[i]))], api_name="/ingest")
            except Exception as e:     # noqa: BLE001 - reported below
                errors.append(e)
        threads = [threading.Thread(target=upload, args=(i,)) for i in range(len(SEEDS))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not errors
        assert all("- 已入库：" in results[i][0] for i in range(len(SEEDS))), [r[0] for r in results.values()]
        for client in clients:                 # each process lists every report, whichever process stored it
            rows = client.predict([], api_name="/remove")[3]["data"]
            assert sorted(r[6] for r in rows) == sorted(p.name for p in SEEDS)
            answer = client.predict("赣州经开区2022年一共收到多少件政府信息公开申请？", api_name="/chat")
            assert "12" in answer                                            # gold 000
    from vectorstore.library import Library
    library = Library(first_dir, database_url=url)
    assert len(library.reports()) == len(SEEDS)
    uploads = [e for e in library.audit.entries() if e.action == "upload"]
    assert sorted(e.target for e in uploads) == sorted(p.name for p in SEEDS) and all(e.ok for e in uploads)
