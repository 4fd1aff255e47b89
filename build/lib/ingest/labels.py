"""Matching printed labels against the template's: containment and typos (normalisation is ingest/text.py)."""
from __future__ import annotations

from difflib import SequenceMatcher

from ingest.text import core, squash  # noqa: F401  (re-exported for the table reader)


def similarity(label: str, canonical: str) -> float:
    """1.0 for the same words; high for containment or a typo; low otherwise."""
    a, b = core(label), core(canonical)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if (b in a and len(b) >= 2) or (a in b and len(a) >= 4):
        return 0.7 + 0.3 * min(len(a), len(b)) / max(len(a), len(b))
    return SequenceMatcher(None, a, b).ratio()
