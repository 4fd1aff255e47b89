"""The report's prose as sentences, each tied to the section it came from.

Loaders keep the printed line breaks (a PDF wraps every 30 characters), so lines are joined back into
paragraphs, table rows are dropped, spaces next to Chinese characters are removed (“3119 件” → “3119件”),
and paragraphs are cut into sentences at 。！？. A sentence remembers its deepest section (for citations)
and its paragraph (so “其中…” can refer to the sentence before).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from ingest.report import Report, Section

_HEADING = re.compile(r"^([（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[.．、](?!\d))")
_PAGE_NO = re.compile(r"^[-—–－\s\d第页/]*$")
_SPACE_NEAR_CJK = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")
_ENDS = "。！？!?；;"
CLAUSE_DELIMS = "，,；;。！？!?"
TEXT_SECTIONS = ("preamble", "s1_overview", "s2_proactive", "s3_requests", "s4_review_litigation", "s5_problems",
                 "s6_other")


def normalize_line(line: str) -> str:
    line = line.replace("**", "").replace("\u3000", " ").strip()
    line = re.sub(r"^#+\s*", "", line)
    line = _SPACE_NEAR_CJK.sub("", line)
    return re.sub(r"\s+", " ", line).strip()


def is_table_line(raw: str) -> bool:
    if "\t" in raw or raw.count("|") >= 2:
        return True
    # three numbers in a row separated only by spaces (“21 0 0 0 0 0 21”): a table row, not prose
    return bool(re.search(r"(?:^|\s)\d+(?:\.\d+)?(?:\s+\d+(?:\.\d+)?){2,}(?:\s|$)", raw))


def is_heading_line(line: str) -> bool:
    return bool(_HEADING.match(line)) and len(line) <= 40 and "。" not in line


def paragraphs(text: str) -> list[str]:
    """Section text → paragraphs with wrapped lines joined and table rows removed."""
    out: list[str] = []
    cur = ""
    for raw in text.split("\n"):
        if not raw.strip() or is_table_line(raw) or _PAGE_NO.match(raw.strip()):
            continue
        line = normalize_line(raw)
        if not line:
            continue
        if cur and not cur.endswith(tuple(_ENDS)) and not is_heading_line(cur) and not _HEADING.match(line):
            cur += line
        else:
            if cur:
                out.append(cur)
            cur = line
    if cur:
        out.append(cur)
    return out


def split_sentences(paragraph: str) -> list[str]:
    parts = re.findall(r"[^。！？!?]+[。！？!?]?", paragraph)
    return [p.strip() for p in parts if p.strip()]


_WHITESPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """All whitespace removed (for containment tests between differently wrapped copies of a text)."""
    return _WHITESPACE.sub("", text.replace("**", ""))


@dataclass(frozen=True)
class Sentence:
    text: str
    top: str                 # top-level section key (preamble, s1_overview …)
    section: Section         # the deepest section containing it, for citations
    paragraph: int           # paragraph number inside the top section
    index: int               # sentence number inside the paragraph
    position: int = -1       # its place in TextIndex.sentences


# how far ahead of the previous sentence a sentence is looked for in its section's text (table rows and
# page numbers removed from the prose sit in between); a sentence not found there keeps the top section
SEARCH_WINDOW = 20_000


class TextIndex:
    """Sentences of a report, built once per check in time linear in the text: each sentence is located
    in its section's text by a forward search from the previous one, and its sub-section is the one whose
    span holds that position (found by bisection)."""

    def __init__(self, report: Report):
        self.report = report

    @cached_property
    def sentences(self) -> list[Sentence]:
        out: list[Sentence] = []
        subs: dict[str, list[Section]] = {}
        for s in self.report.sections:
            if "." in s.key:
                subs.setdefault(s.key.split(".")[0], []).append(s)
        for top in self.report.sections:
            if "." in top.key or top.key not in TEXT_SECTIONS:
                continue
            whole = squash(top.text)
            spans = _spans(whole, subs.get(top.key, []))
            starts = [a for a, _, _ in spans]
            cursor = 0
            for p_i, para in enumerate(paragraphs(top.text)):
                for s_i, sent in enumerate(split_sentences(para)):
                    key = squash(sent)
                    at = whole.find(key, cursor, cursor + len(key) + SEARCH_WINDOW) if key else -1
                    section = top
                    if at >= 0:
                        cursor = at + len(key)
                        section = _deepest(spans, starts, at, at + len(key)) or top
                    out.append(Sentence(sent, top.key, section, p_i, s_i, len(out)))
        return out

    def in_sections(self, *keys: str) -> list[Sentence]:
        return [s for s in self.sentences if s.top in keys]

    def previous(self, sentence: Sentence) -> Sentence | None:
        """The sentence before, in the same paragraph."""
        i = sentence.position if sentence.position >= 0 else self.sentences.index(sentence)
        if i > 0:
            p = self.sentences[i - 1]
            if p.top == sentence.top and p.paragraph == sentence.paragraph:
                return p
        return None

    def section_text(self, key: str) -> str:
        """A top section's prose (table rows removed), paragraphs joined by newlines."""
        s = self.report.section(key)
        return "\n".join(paragraphs(s.text)) if s is not None else ""

    @cached_property
    def full_text(self) -> str:
        return "\n".join(s.text for s in self.sentences)

    @property
    def has_text(self) -> bool:
        return any(s.key.startswith("s") and "." not in s.key for s in self.report.sections)


def clause_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the clause (between ，；。) containing position pos."""
    start = max(text.rfind(d, 0, pos) for d in CLAUSE_DELIMS) + 1
    ends = [i for i in (text.find(d, pos) for d in CLAUSE_DELIMS) if i != -1]
    return start, (min(ends) if ends else len(text))


def _spans(whole: str, subs: list[Section]) -> list[tuple[int, int, Section]]:
    """Where each sub-section's text sits in its top section's squashed text, in order (a forward search)."""
    spans, cursor = [], 0
    for sub in subs:
        key = squash(sub.text)
        if not key:
            continue
        at = whole.find(key, cursor)
        if at >= 0:
            spans.append((at, at + len(key), sub))
            cursor = at
    spans.sort(key=lambda x: x[0])
    return spans


def _deepest(spans, starts, a: int, b: int, look_back: int = 4) -> Section | None:
    """The shortest sub-section span holding [a, b)."""
    i = bisect_right(starts, a)
    best = None
    for j in range(i - 1, max(-1, i - 1 - look_back), -1):
        s0, s1, sub = spans[j]
        if s0 <= a and b <= s1 and (best is None or s1 - s0 < best[0]):
            best = (s1 - s0, sub)
    return best[1] if best else None
