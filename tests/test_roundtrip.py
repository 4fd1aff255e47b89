"""Round trip: reports with known figures (gold files of ../shared with deterministically perturbed numbers) are
rendered as HTML pages, DOCX and PDF files laid out like real reports, read back with `ingest.extract.extract`,
and every cell of 表二/表三/表四 plus agency, year, format and published must come back as rendered.

Set NIANBAO_ROUNDTRIP_FAILURES=/some/dir to keep the rendered files of failing cases for inspection.
"""
from __future__ import annotations

import os
import shutil
import zlib
from pathlib import Path

import pytest

from conftest import gold
from ingest.extract import extract
from render import (as_2019, default_narrative, expected_json, perturbed, render_docx, render_html, render_pdf,
                    soffice, with_blanks)


def _seed(name: str) -> int:
    return zlib.crc32(name.encode())


def _case(gold_part: str, variant: str = "plain") -> dict:
    report = perturbed(gold(gold_part), _seed(gold_part))
    if variant == "2019":
        report = as_2019(report, _seed(gold_part + "2019"))
    elif variant == "blanks":
        report = with_blanks(report, _seed(gold_part + "blanks"))
    elif variant == "undated":
        report["published"] = None
    return report


def differences(report: dict, got: dict) -> list[str]:
    """Every field and cell where the extracted record differs from what was rendered."""
    want = expected_json(report)
    out = [f"{k}: rendered {want[k]!r}, extracted {got.get(k)!r}"
           for k in ("agency", "year", "format", "published") if want[k] != got.get(k)]
    t2w, t2g = want["table2"], got.get("table2") or {}
    for row in sorted(set(t2w) | set(t2g)):
        w, g = t2w.get(row), t2g.get(row)
        if isinstance(w, dict) or isinstance(g, dict):
            for col in sorted(set(w or {}) | set(g or {})):
                if (w or {}).get(col, "缺") != (g or {}).get(col, "缺"):
                    out.append(f"table2.{row}.{col}: rendered {(w or {}).get(col, '缺')!r}, extracted {(g or {}).get(col, '缺')!r}")
        elif w != g:
            out.append(f"table2.{row}: rendered {w!r}, extracted {g!r}")
    t3w, t3g = want["table3"]["rows"], (got.get("table3") or {}).get("rows", {})
    cols = want["table3"]["columns"]
    for row in list(t3w) + [r for r in t3g if r not in t3w]:
        w, g = t3w.get(row), t3g.get(row)
        if w is None or g is None:
            if not (w is None and g is not None and all(v is None for v in g)):
                out.append(f"table3.{row}: rendered {w!r}, extracted {g!r}")
            continue
        out += [f"table3.{row}.{c}: rendered {a!r}, extracted {b!r}" for c, a, b in zip(cols, w, g) if a != b]
    t4w, t4g = want["table4"], got.get("table4") or {}
    for grp, cells in t4w.items():
        for col, v in cells.items():
            if (t4g.get(grp) or {}).get(col, "缺") != v:
                out.append(f"table4.{grp}.{col}: rendered {v!r}, extracted {(t4g.get(grp) or {}).get(col, '缺')!r}")
    return out


def check(report: dict, path: Path) -> None:
    got = extract(path).to_json(provenance=False)
    diffs = differences(report, got)
    keep = os.environ.get("NIANBAO_ROUNDTRIP_FAILURES")
    if diffs and keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    assert not diffs, f"{path.name}: {len(diffs)} differences\n" + "\n".join(diffs[:40])


CASES = [  # (gold file, variant, html/docx options)
    ("000_747", "plain", {}),
    ("004_e6c", "plain", {}),
    ("005_hongze", "plain", {}),              # 2021 format with one （六）其他处理 row
    ("006_hongze", "plain", {}),
    ("007_huaian", "plain", {}),              # fees with decimals
    ("015_shuyang", "plain", {}),             # 法人或其他组织 columns blank
    ("002_shanghai", "plain", {}),
    ("001_758", "undated", {}),               # no 落款 date: published is null
    ("007_huaian", "2019", {}),
    ("015_shuyang", "2019", {}),
    ("000_747", "blanks", {}),
    ("006_hongze", "blanks", {}),
    ("005_hongze", "plain", {"wrapped_headers": True}),
]


def _id(case) -> str:
    g, v, opts = case
    return f"{g}-{v}" + ("-wrapped" if opts.get("wrapped_headers") else "")


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_html_roundtrip(case, tmp_path):
    g, variant, opts = case
    report = _case(g, variant)
    check(report, render_html(report, tmp_path / f"{_id(case)}.html", **opts))


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_docx_roundtrip(case, tmp_path):
    g, variant, opts = case
    report = _case(g, variant)
    check(report, render_docx(report, tmp_path / f"{_id(case)}.docx", **opts))


def test_gbk_html_roundtrip(tmp_path):
    report = _case("004_e6c")
    path = render_html(report, tmp_path / "gbk.html", encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    check(report, path)


def test_bare_html_roundtrip(tmp_path):
    """A page without site navigation or metadata table (as saved from a word processor)."""
    report = _case("006_hongze")
    check(report, render_html(report, tmp_path / "bare.html", chrome=False))


needs_soffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")

PDF_CASES = [  # (gold file, variant, via, long narrative)
    ("007_huaian", "plain", "docx", True),    # 表三 crosses a page break (asserted below)
    ("015_shuyang", "plain", "html", False),  # HTML → PDF, blank 法人 columns
    ("005_hongze", "2019", "docx", True),
    ("000_747", "blanks", "docx", False),
]


@pytest.mark.slow
@needs_soffice
@pytest.mark.parametrize("case", PDF_CASES, ids=lambda c: f"{c[0]}-{c[1]}-via-{c[2]}")
def test_pdf_roundtrip(case, tmp_path):
    g, variant, via, long = case
    report = _case(g, variant)
    path = render_pdf(report, tmp_path / f"{g}-{variant}-{via}.pdf", default_narrative(report, long=long), via=via)
    if long:
        import pdfplumber
        with pdfplumber.open(path) as pdf:
            pages = ["".join((p.extract_text() or "").split()) for p in pdf.pages]
        first = next(i for i, t in enumerate(pages) if "一、本年新收" in t)
        last = next(i for i, t in enumerate(pages) if "四、结转下年度" in t)
        assert last > first, "表三 should cross a page break in this variant"
    check(report, path)
