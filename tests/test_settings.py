"""One home for the settings (issue 20): every NIANBAO_* variable is a Setting of ingest/settings.py, read by
`Settings.from_env(env)`; no other module reads one from the environment, and the README's table is the list's."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO
from ingest.settings import SETTINGS, Settings, markdown_table, setting

CODE = [p for d in ("assistant", "ingest", "vectorstore", "prompts") for p in (REPO / d).rglob("*.py")] + \
       [REPO / "app.py", REPO / "cli.py"]


def test_from_env_reads_every_setting_from_the_mapping_given():
    env = {s.name: f"value-{i}" for i, s in enumerate(SETTINGS)}
    got = Settings.from_env(env)
    assert [getattr(got, s.attr) for s in SETTINGS] == [f"value-{i}" for i in range(len(SETTINGS))]
    assert Settings.from_env({}) == Settings()
    assert setting("max_file_mb").name == "NIANBAO_MAX_FILE_MB"


def test_no_other_module_names_a_setting_as_a_string():
    """A variable's name appears as a string only in ingest/settings.py (docstrings may mention it)."""
    found = []
    for path in CODE:
        if path == REPO / "ingest" / "settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("NIANBAO_") \
                    and node.value.replace("_", "").isalnum():
                found.append(f"{path.relative_to(REPO)}:{node.lineno} {node.value}")
    assert not found, found


def test_the_readme_lists_every_setting_as_the_list_says():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme
    names = {s.name for s in SETTINGS}
    assert len(names) == len(SETTINGS) == 25


def test_settings_are_read_at_use_time(monkeypatch):
    """A test (or an office) that sets a variable after import is obeyed: nothing is read once at import."""
    from ingest.load import max_file_bytes
    from vectorstore.library import data_dir_from
    monkeypatch.setenv("NIANBAO_MAX_FILE_MB", "2")
    assert max_file_bytes() == 2 * 1024 * 1024
    monkeypatch.setenv("NIANBAO_DATA_DIR", "/tmp/elsewhere")
    assert data_dir_from(None) == Path("/tmp/elsewhere")
