"""The layer rules of pyproject.toml ([tool.importlinter]) hold, and they do bite: an upward import breaks them."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)})


@pytest.fixture(scope="module")
def lint_available():
    if not LINT.exists():
        pytest.skip("import-linter is not installed (make setup-dev)")


def test_the_layer_contracts_are_kept(lint_available):
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("module,upward", [("ingest/errors.py", "import vectorstore.db"),
                                           ("vectorstore/keyword.py", "import assistant.formulas"),
                                           ("assistant/formulas.py", "import cli"),
                                           # cycles between siblings: the page model back into a reader …
                                           ("ingest/loaders/page.py", "import ingest.loaders.scan"),
                                           # … and search back into the library it is handed an index of
                                           ("vectorstore/search.py", "import vectorstore.library")])
def test_an_upward_import_breaks_them(lint_available, tmp_path, module, upward):
    for name in ("pyproject.toml", "app.py", "cli.py"):
        shutil.copy(REPO / name, tmp_path / name)
    for package in ("assistant", "vectorstore", "ingest", "prompts"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{upward}  # an upward import\n", encoding="utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0 and "1 broken" in result.stdout, result.stdout[-2000:]
