"""Text identical to another report: to the same unit's report of last year (与上年雷同), and to another unit's
report of the same year anywhere in the library (照搬其他单位), with both passages side by side.

The measure is plain: the report's prose (every part but the preamble, whose wording the format prescribes)
is cut into sentences; a sentence is “identical” when, after removing punctuation, spaces and the unit's own
name and replacing every figure by #, it is the same as a sentence of the other report (a sentence copied
with new numbers or another unit's name is still copied). The share is the identical sentences' characters
over all the prose's characters. Between units, a sentence that many units print (COMMON_SENTENCE_UNITS and
COMMON_SENTENCE_SHARE) is common phrasing, not copying, and is left out of both counts (the share is of the
unit's own prose); sentences shorter than MIN_SENTENCE_CHARS are never counted identical. Across the library the sentences are looked up in one index (sentence → reports), so
1,000 units are not compared pair by pair.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from assistant.validator.textindex import TextIndex, squash
from ingest.report import Report

MIN_SENTENCE_CHARS = 15          # normalised characters: shorter sentences (“无。”“详见下表。”) are not compared
COMMON_SENTENCE_UNITS = 4        # a sentence printed by at least this many units …
COMMON_SENTENCE_SHARE = 0.2      # … and by at least this share of the year's units is common phrasing
SIDE_BY_SIDE_SHOWN = 5           # shared passages kept per pair (the longest)
COPY_SKIPPED_SECTIONS = ("preamble", "signature")

_NON_TEXT = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z#]")
_DIGITS = re.compile(r"[0-9０-９]+(?:[.．][0-9]+)?")


def _where(page: int | None, line: int | None) -> str:
    return f"第{page}页" if page else (f"第{line}行" if line else "")


@dataclass(frozen=True)
class Passage:
    text: str
    section: str
    page: int | None = None
    line: int | None = None

    @property
    def where(self) -> str:
        return _where(self.page, self.line)

    def evidence(self, label: str = "") -> dict:
        """As an Evidence.to_json() dict (a sentence), its section prefixed with `label` (“2023年报告”)."""
        return {k: v for k, v in {"kind": "sentence", "section": f"{label} {self.section}".strip(), "text": self.text,
                                  "page": self.page, "line": self.line}.items() if v is not None}

    def cited(self) -> str:
        return f"“{self.text}”（{self.section}，{self.where or '—'}）"

    def to_json(self) -> dict:
        return {"text": self.text, "section": self.section, "page": self.page, "line": self.line,
                "where": self.where}


@dataclass(frozen=True)
class SharedPassage:
    mine: Passage
    theirs: Passage

    def to_json(self) -> dict:
        return {"mine": self.mine.to_json(), "theirs": self.theirs.to_json()}


@dataclass(frozen=True)
class Overlap:
    """How much of one report's prose is identical to another report's, with the passages side by side."""
    other_id: str | None
    other_agency: str
    other_file: str
    other_year: int | None
    identical_chars: int
    total_chars: int
    passages: tuple[SharedPassage, ...]
    common_left_out: bool = False          # sentences many units print were left out of both counts

    @property
    def share(self) -> float:
        return self.identical_chars / self.total_chars if self.total_chars else 0.0

    def describe(self, against: str = "") -> str:
        common = "（多数单位共用的表述不计）" if self.common_left_out else ""
        return (f"正文{common}{self.total_chars}字中有{self.identical_chars}字的句子与{against or self.other_agency}"
                f"（{self.other_file}）逐句相同（数字、单位名称不同的句子也算相同），占{self.share:.1%}。")

    def to_json(self) -> dict:
        return {"other_id": self.other_id, "other_agency": self.other_agency, "other_file": self.other_file,
                "other_year": self.other_year, "identical_chars": self.identical_chars,
                "total_chars": self.total_chars, "share": round(self.share, 4),
                "passages": [p.to_json() for p in self.passages]}


def _name_parts(agency: str | None) -> list[str]:
    """The unit's name and its pieces (淮安市洪泽区人民政府 → the whole, 淮安市, 洪泽区, 人民政府), longest first."""
    if not agency:
        return []
    from assistant.aliases import split_name
    places, body = split_name(agency)
    parts = {agency, body, *places, "".join(places)}
    return sorted((p for p in parts if p and len(p) >= 2), key=len, reverse=True)


def normalise(sentence: str, names: list[str]) -> str:
    text = squash(sentence)
    for n in names:
        text = text.replace(n, "")
    return _NON_TEXT.sub("", _DIGITS.sub("#", text))


@dataclass(frozen=True)
class _Sent:
    key: str
    chars: int
    passage: Passage


def prose(report: Report) -> list[_Sent]:
    """The report's prose sentences with their normalised keys and where they are."""
    names = _name_parts(report.agency)
    out = []
    for s in TextIndex(report).sentences:
        if s.top in COPY_SKIPPED_SECTIONS:
            continue
        key = normalise(s.text, names)
        if not key:
            continue
        page, line = s.section.where(s.text)
        out.append(_Sent(key, len(key), Passage(s.text, s.section.path, page, line)))
    return out


def _overlap(mine: list[_Sent], theirs: list[_Sent], other_id, other: Report, skip: set[str] = frozenset()) -> Overlap:
    first = {}
    for t in theirs:
        first.setdefault(t.key, t)
    total = sum(s.chars for s in mine if s.key not in skip)          # common phrasing counts on neither side
    same = [s for s in mine if s.chars >= MIN_SENTENCE_CHARS and s.key in first and s.key not in skip]
    shown = sorted(dict((s.key, s) for s in same).values(), key=lambda s: -s.chars)[:SIDE_BY_SIDE_SHOWN]
    return Overlap(other_id, other.agency or "未识别单位", other.file, other.year, sum(s.chars for s in same), total,
                   tuple(SharedPassage(s.passage, first[s.key].passage) for s in shown), bool(skip))


def identical_to(report: Report, other: Report, other_id: str | None = None) -> Overlap:
    """The share of `report`'s prose identical to `other` (e.g. the same unit's report of last year)."""
    return _overlap(prose(report), prose(other), other_id, other)


@dataclass(frozen=True)
class _Meta:
    """What an overlap names of the other report (the index keeps this, not the whole report)."""
    agency: str | None
    file: str
    year: int | None


class CopyIndex:
    """Every report of one year (all groups), sentence → reports, to find copying between units."""

    def __init__(self):
        self.reports: dict[str, _Meta] = {}
        self.sentences: dict[str, list[_Sent]] = {}
        self.postings: dict[str, set[str]] = defaultdict(set)
        self.unit_of: dict[str, str] = {}
        self._common: set[str] | None = None

    def add(self, report_id: str, report: Report) -> None:
        from assistant.validator import _agency_key
        sents = prose(report)
        self.reports[report_id] = _Meta(report.agency, report.file, report.year)
        self._common = None
        self.sentences[report_id] = sents
        self.unit_of[report_id] = _agency_key(report.agency) if report.agency else report_id
        for s in sents:
            if s.chars >= MIN_SENTENCE_CHARS:
                self.postings[s.key].add(report_id)

    def common(self) -> set[str]:
        """The sentences many units print (common phrasing, not copying); computed once, after the last add."""
        if self._common is None:
            n_units = len(set(self.unit_of.values()))
            least = max(COMMON_SENTENCE_UNITS, COMMON_SENTENCE_SHARE * n_units)
            self._common = {k for k, ids in self.postings.items()
                            if len(ids) >= least and len({self.unit_of[r] for r in ids}) >= least}
        return self._common

    def matches(self, report_id: str) -> list[Overlap]:
        """Other units' reports sharing sentences with this one, the largest share first."""
        mine = self.sentences.get(report_id, [])
        own = self.unit_of.get(report_id)
        common = self.common()
        hits: Counter = Counter()
        for s in {s.key: s for s in mine if s.chars >= MIN_SENTENCE_CHARS and s.key not in common}.values():
            for other in self.postings.get(s.key, ()):
                if self.unit_of[other] != own:
                    hits[other] += 1
        out = [_overlap(mine, self.sentences[o], o, self.reports[o], common) for o in hits]
        return sorted((o for o in out if o.identical_chars), key=lambda o: (-o.share, o.other_file))

    def best(self, report_id: str) -> Overlap | None:
        found = self.matches(report_id)
        return found[0] if found else None


def year_index(library, year: int) -> CopyIndex:
    """The copy index of every report of `year` in the library (the edition in use of each unit)."""
    index = CopyIndex()
    for record in library.facts.find_reports(year=int(year)):
        index.add(record.id, library.facts.report_object(record.id))
    return index
