"""A report-like text past MAX_REPORT_CHARS (issue 21: checking grew with the square of the size on some texts,
50 MB allowed) is refused whole, in Chinese, before any check runs; nothing is stored. The limit is 1,000,000
characters: the largest shared report has a few tens of thousands, and one just under the limit still reads."""
from __future__ import annotations

import time

import pytest

from conftest import SHARED
from ingest.errors import ExtractError
from ingest.load import MAX_REPORT_CHARS, load_document


def _report_of(tmp_path, chars: int):
    """Seed 000 with its section 五 repeated until the file holds about `chars` characters."""
    src = (SHARED / "seeds" / "000_747ce1910eae7ff3.txt").read_text(encoding="utf-8")
    head, sep, tail = src.partition("五、")
    body = tail.split("\n")
    reps = max(1, (chars - len(head)) // (len(tail) + 1) + 1)
    path = tmp_path / f"report_{chars}.txt"
    path.write_text(head + sep + "\n".join(body * reps), encoding="utf-8")
    return path


def test_a_text_past_the_limit_is_refused_in_chinese_and_nothing_is_stored(tmp_path):
    from assistant.library_ops import ingest_paths
    from vectorstore.library import Library
    big = _report_of(tmp_path, MAX_REPORT_CHARS + 100_000)
    started = time.monotonic()
    with pytest.raises(ExtractError) as err:
        load_document(big)
    assert err.value.code == "too_much_text"
    assert "万字，超过一份年度报告 100 万字的上限，未读取" in err.value.message
    library = Library(tmp_path / "data")
    summary = ingest_paths(library, [big], embed=False, progress=False)
    assert [o.ok for o in summary.outcomes] == [False] and "100 万字的上限" in summary.outcomes[0].message
    assert library.reports() == []
    assert time.monotonic() - started < 60


def test_a_long_report_under_the_limit_still_reads(tmp_path):
    doc = load_document(_report_of(tmp_path, 300_000))
    assert sum(len(p.text) for p in doc.paragraphs()) > 250_000
