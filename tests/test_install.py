"""The install: the lock files pin everything with hashes, and a broken or stale lock is refused before anything
is built (requirements/check_locks.py, run by the Makefile before every venv build)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import REPO

LOCKS = REPO / "requirements"
CHECK = LOCKS / "check_locks.py"


def _copy(tmp_path: Path) -> Path:
    """A copy of pyproject.toml and the locks, to break without touching the real ones."""
    (tmp_path / "requirements").mkdir()
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    for lock in ("base.lock", "dev.lock", "tools.lock"):
        shutil.copy(LOCKS / lock, tmp_path / "requirements" / lock)
    return tmp_path / "requirements"


def _check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK), str(folder)], capture_output=True, text=True, timeout=60)


def test_the_real_locks_are_sound_and_pin_every_package_with_hashes():
    assert _check(LOCKS).returncode == 0
    sys.path.insert(0, str(LOCKS))
    try:
        import check_locks
    finally:
        sys.path.remove(str(LOCKS))
    base = check_locks.Lock.read(LOCKS / "base.lock")
    dev = check_locks.Lock.read(LOCKS / "dev.lock")
    assert base.problems == [] and dev.problems == []
    # the whole environment, not only our direct dependencies
    assert len(base.pins) > 100 and set(base.pins) < set(dev.pins)
    assert base.pins["torch"] == "2.13.0+cpu"                 # the CPU wheel on disk, never the CUDA build
    assert not [p for p in dev.pins if p.startswith("nvidia-")]
    for package in ("openai", "httpx", "httpx2", "numpy", "onnxruntime", "pytest", "playwright"):
        assert package in dev.pins, package
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        name = check_locks.canonical(requirement.split("==")[0].split("[")[0].strip())
        assert name in base.pins, requirement


def test_a_missing_lock_is_refused_in_chinese(tmp_path):
    folder = _copy(tmp_path)
    (folder / "dev.lock").unlink()
    result = _check(folder)
    assert result.returncode == 1
    assert "缺少锁文件" in result.stderr and "dev.lock" in result.stderr and "make lock" in result.stderr


def test_a_lock_cut_short_is_refused(tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "base.lock").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    half = next(i for i in range(len(lines) // 2, len(lines)) if lines[i][:1].isalpha())
    cut = "".join(lines[: half + 1])                          # cut after a package's name: it keeps no hash
    (folder / "base.lock").write_text(cut, encoding="utf-8")
    result = _check(folder)
    assert result.returncode == 1 and "没有哈希值" in result.stderr


def test_a_lock_edited_by_hand_is_refused(tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "base.lock").read_text(encoding="utf-8")
    (folder / "base.lock").write_text(text.replace("numpy==", "numpy>=", 1), encoding="utf-8")
    result = _check(folder)
    assert result.returncode == 1 and "不是固定版本" in result.stderr and "numpy" in result.stderr


def test_a_lock_older_than_pyproject_is_refused(tmp_path):
    folder = _copy(tmp_path)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace('"jieba==0.42.1"', '"jieba==0.42.2"'),
                         encoding="utf-8")
    result = _check(folder)
    assert result.returncode == 1
    assert "jieba==0.42.2" in result.stderr and "0.42.1" in result.stderr


@pytest.mark.slow
def test_make_with_a_broken_lock_leaves_the_existing_venv_as_it_was(tmp_path):
    """`make setup-dev` with a corrupt lock stops before building: no half-built venv, the old one untouched."""
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    shutil.copytree(LOCKS, tmp_path / "requirements")
    old = tmp_path / ".venv"
    old.mkdir()
    (old / "marker").write_text("the environment that worked", encoding="utf-8")
    lock = tmp_path / "requirements" / "dev.lock"
    lock.write_text(lock.read_text(encoding="utf-8").replace("--hash=sha256:", "--hash=sha256:zz", 3), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    result = subprocess.run(["make", "setup-dev"], cwd=tmp_path, capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode != 0
    assert "锁文件有问题，未安装任何内容" in result.stderr + result.stdout
    assert (old / "marker").read_text(encoding="utf-8") == "the environment that worked"
    assert not (tmp_path / ".venv.new").exists()
