"""Held deductions an official confirmed (issue 26: scoring). A deduction resting on a cell we could not read
with certainty, or on a judgment of wording, costs a unit nothing until someone confirms it here."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from vectorstore import db as dbmod


class ConfirmationStore:
    def __init__(self, database):
        self.db = database

    def confirmed(self, report_ids: Iterable[str]) -> set[tuple[str, str, str]]:
        """(report_id, item, occurrence) of every confirmed held deduction of these reports."""
        ids = list(dict.fromkeys(report_ids))
        out: set[tuple[str, str, str]] = set()
        with dbmod.reading(self.db) as con:
            for i in range(0, len(ids), 500):
                part = ids[i:i + 500]
                marks = ",".join("?" * len(part))
                out |= {tuple(r) for r in con.execute(
                    f"SELECT report_id, item, occurrence FROM score_confirmations WHERE report_id IN ({marks})", part)}
        return out

    def confirm(self, report_id: str, item: str, occurrence: str, actor: str) -> bool:
        """Confirm one held deduction; False when it was confirmed already."""
        at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with dbmod.transaction(self.db) as con:
            if con.execute("SELECT 1 FROM score_confirmations WHERE report_id = ? AND item = ? AND occurrence = ?",
                           (report_id, item, occurrence)).fetchone():
                return False
            con.execute("INSERT INTO score_confirmations (report_id, item, occurrence, actor, at) VALUES (?, ?, ?, ?, ?)",
                        (report_id, item, occurrence, actor, at))
        return True

    def withdraw(self, report_id: str, item: str, occurrence: str) -> bool:
        with dbmod.transaction(self.db) as con:
            cur = con.execute("DELETE FROM score_confirmations WHERE report_id = ? AND item = ? AND occurrence = ?",
                              (report_id, item, occurrence))
            return cur.rowcount > 0
