"""Issue 24 (the face an official meets) without a browser: the upload result's counts are the 年报库 table's,
the XLSX problem list holds numbers as numbers, the words officials read are Chinese (citations, rules, audit
entries in Beijing time), the library's search, the 核查 results as a Word document, a badly read report
summarised first. Real extraction of the shared reports, real SQLite, no vectors."""
from __future__ import annotations

import io

import pytest

from assistant import library_ops
from vectorstore.library import Library

HONGZE = "淮安市洪泽区人民政府"


@pytest.fixture(scope="module")
def library(tmp_path_factory, shared) -> Library:
    lib = Library(tmp_path_factory.mktemp("face") / "data")
    files = [shared / "reports" / n for n in ("005_hongze_district_2023.pdf", "006_hongze_district_2024.pdf")]
    files += [shared / "seeds" / n for n in ("001_758a901345a790b1.txt", "003_99eecf839798fc6e.txt")]
    assert all(o.ok for o in library_ops.ingest_paths(lib, files, embed=False, progress=False).outcomes)
    return lib


def test_upload_counts_are_those_of_the_table_after_the_batch_is_checked(tmp_path, shared):
    """2024 uploaded before 2023 in one batch: 2024 is checked again once 2023 is in, so its line changes."""
    lib = Library(tmp_path / "data")
    extract = library_ops.default_extractor()

    def check(report, previous=None):           # one cross-year warning when last year's report is there
        return [{"rule": "T3-6", "severity": "warning", "message": "结转与上年不一致"}] if previous is not None else []
    names = ["006_hongze_district_2024.pdf", "005_hongze_district_2023.pdf"]
    outcomes = [library_ops.ingest_file(lib, shared / "reports" / n, n, extract, check, None) for n in names]
    assert [(o.errors, o.warnings) for o in outcomes] == [(0, 0), (0, 0)]
    library_ops.recheck_successors(lib, [o.report_id for o in outcomes], check)
    current = library_ops.with_current_counts(lib, outcomes)
    table = {r.file: (r.n_errors, r.n_warnings) for r in lib.reports()}
    assert table == {names[0]: (0, 1), names[1]: (0, 0)}
    assert [(o.errors, o.warnings) for o in current] == [table[names[0]], table[names[1]]]
    assert "错误 0 条，警告 1 条" in current[0].message and "已重新核查" in current[0].message
    assert current[1] == outcomes[1]
