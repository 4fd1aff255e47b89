"""Read one file in a child process of its own and report what it cost: refused or not (with the Chinese
message), the agency and pages read, seconds, and the child's own peak memory (VmHWM: ru_maxrss would carry the
forking pytest's size across exec). The hostile-file tests use it so that a bomb's cost is measured alone."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_CODE = ("import json, sys, time\nt = time.monotonic()\n"
         "from ingest.extract import extract\nfrom ingest.errors import ExtractError\nout = {}\n"
         "try:\n    r = extract(sys.argv[1]); out.update(refused=False, agency=r.agency, pages=r.pages)\n"
         "except ExtractError as e:\n    out.update(refused=True, code=e.code, message=e.message)\n"
         "out['seconds'] = time.monotonic() - t\n"
         "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
         "out['peak_mb'] = int(hwm.split()[1]) / 1024\n"
         "print(json.dumps(out, ensure_ascii=False))\n")


def extract_in_child(path: Path) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", _CODE, str(path)], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
