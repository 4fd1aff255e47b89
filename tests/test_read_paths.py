"""The fast read paths of answering (issue 14's load): kept SQLite read connections, and the lexicon scan of
assistant.metrics.find_mentions, each checked against the plain way of doing the same thing."""
from __future__ import annotations

import json
import re
import threading

from conftest import SHARED
from assistant import metrics
from vectorstore import db as dbmod


def test_a_kept_reader_sees_every_commit_and_a_replaced_file(tmp_path):
    path = tmp_path / "library.sqlite"
    dbmod.create(path)

    def value():
        with dbmod.reading(path) as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'probe'").fetchone()
            return row[0] if row else None, id(db)

    assert value()[0] is None
    with dbmod.transaction(path) as tx:
        tx.execute("INSERT INTO meta (key, value) VALUES ('probe', 'one')")
    first, conn = value()
    assert first == "one"
    other = dbmod.connect(path)                          # another process's writer, say
    other.execute("UPDATE meta SET value = 'two' WHERE key = 'probe'")
    other.close()
    again, conn_again = value()
    assert again == "two" and conn_again == conn          # the same kept connection, and the new value
    for f in tmp_path.glob("library.sqlite*"):            # the file replaced under the same name
        f.unlink()
    dbmod.create(path)
    assert value()[0] is None
    seen = []
    t = threading.Thread(target=lambda: seen.append(value()))
    t.start()
    t.join()
    assert seen[0][0] is None and seen[0][1] != value()[1]   # each thread has its own connection


def _reference_mentions(text: str) -> list[tuple]:
    """The lexicon scan written plainly: at each free position the longest word wins; 清理…规范性文件 first."""
    found, taken = [], [False] * len(text)
    for m in metrics._CLEANUP.finditer(text):
        found.append((m.start(), m.end(), m.group(), "text", "text.normative_cleanup"))
        taken[m.start():m.end()] = [True] * (m.end() - m.start())
    i = 0
    while i < len(text):
        if not taken[i]:
            for word, kind, target in metrics._WORDS:
                if text.startswith(word, i) and not any(taken[i:i + len(word)]):
                    found.append((i, i + len(word), word, kind, target))
                    i += len(word)
                    break
            else:
                i += 1
        else:
            i += 1
    return sorted(found)


def test_find_mentions_is_the_longest_word_scan():
    texts = [json.loads(line)["q"] for line in (SHARED / "eval" / "questions.jsonl").open(encoding="utf-8")]
    for f in sorted((SHARED / "seeds").glob("*.txt")):
        texts += [t for t in re.split(r"[。\n]", f.read_text(encoding="utf-8")) if t.strip()]
    texts += ["清理规范性文件10件，规章5件", "规范性文件清理后，行政规范性文件3件", "清理行政规范性文件"]
    assert len(texts) > 300
    mentioned = 0
    for text in texts:
        got = sorted((m.start, m.end, m.word, m.kind, m.target) for m in metrics.find_mentions(text))
        assert got == _reference_mentions(text), text
        mentioned += bool(got)
    assert mentioned > 100
