"""The roster (名册) of the units a supervising office oversees, the reports assigned to them by hand, and the
pages `nianbao harvest` fetched (schema version 7). Storage only: reading, checking and matching the roster is
assistant.season's work. Both engines, through vectorstore.db.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Sequence

from vectorstore import db as dbmod

LEVELS = ("部门", "政府", "乡镇街道")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class RosterUnit:
    name: str
    level: str                               # 部门 | 政府 | 乡镇街道
    aliases: tuple[str, ...] = ()            # short names, former names, the 政府/管委会 form
    parent: str | None = None
    group: str | None = None                 # 地区或分组
    deadline: str | None = None              # "MM-DD" of the year after the report's; None = from the level
    list_url: str | None = None              # the unit's report list page (信息公开年报栏目)
    sums_subordinates: bool = False          # its report sums its subordinates' (全县/全区 report): 汇总下级

    def to_json(self) -> dict:
        return {"name": self.name, "level": self.level, "aliases": list(self.aliases), "parent": self.parent,
                "group": self.group, "deadline": self.deadline, "list_url": self.list_url,
                "sums_subordinates": self.sums_subordinates}


@dataclass(frozen=True)
class HarvestPage:
    url: str
    unit: str
    year: int | None
    kind: str                                # list | article | file
    sha256: str | None = None
    page_date: str | None = None             # the page's publication date (发布时间), ISO
    title: str | None = None
    article_url: str | None = None           # for a file: the article page it was linked from
    path: str | None = None                  # where the stored file is
    fetched_at: str = field(default_factory=_now)


_UNIT_COLUMNS = "name, aliases, level, parent, group_name, deadline, list_url, sums_subordinates"


def _unit(row) -> RosterUnit:
    return RosterUnit(name=row[0], aliases=tuple(json.loads(row[1] or "[]")), level=row[2], parent=row[3],
                      group=row[4], deadline=row[5], list_url=row[6], sums_subordinates=bool(row[7]))


class RosterStore:
    def __init__(self, database):
        self.db = database

    # -- units -----------------------------------------------------------------------------------------------
    def units(self, group: str | None = None) -> list[RosterUnit]:
        sql = f"SELECT {_UNIT_COLUMNS} FROM roster_units"
        params: tuple = ()
        if group:
            sql, params = sql + " WHERE group_name = ?", (group,)
        with dbmod.reading(self.db) as con:
            return [_unit(r) for r in con.execute(sql + " ORDER BY group_name, name", params)]

    def replace_all(self, units: Sequence[RosterUnit]) -> tuple[int, int, int]:
        """The roster becomes exactly `units` (one transaction): (added, updated, removed)."""
        with dbmod.transaction(self.db) as con:
            have = {r[0] for r in con.execute("SELECT name FROM roster_units")}
            con.execute("DELETE FROM roster_units")
            self._insert(con, units)
        names = {u.name for u in units}
        return len(names - have), len(names & have), len(have - names)

    def upsert(self, units: Sequence[RosterUnit]) -> tuple[int, int]:
        """Add or update these units, leaving the others (one transaction): (added, updated)."""
        with dbmod.transaction(self.db) as con:
            have = {r[0] for r in con.execute("SELECT name FROM roster_units")}
            for u in units:
                con.execute("DELETE FROM roster_units WHERE name = ?", (u.name,))
            self._insert(con, units)
        names = {u.name for u in units}
        return len(names - have), len(names & have)

    @staticmethod
    def _insert(con, units: Iterable[RosterUnit]) -> None:
        now = _now()
        con.executemany(f"INSERT INTO roster_units ({_UNIT_COLUMNS}, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [(u.name, json.dumps(list(u.aliases), ensure_ascii=False), u.level, u.parent, u.group,
                          u.deadline, u.list_url, int(u.sums_subordinates), now) for u in units])

    def remove(self, name: str) -> bool:
        with dbmod.transaction(self.db) as con:
            return con.execute("DELETE FROM roster_units WHERE name = ?", (name,)).rowcount > 0

    # -- reports assigned by hand ----------------------------------------------------------------------------
    def assignments(self) -> dict[str, str]:
        """report sha256 → unit name."""
        with dbmod.reading(self.db) as con:
            return {r[0]: r[1] for r in con.execute("SELECT report_sha256, unit FROM roster_assignments")}

    def assign(self, report_sha256: str, unit: str, actor: str) -> None:
        with dbmod.transaction(self.db) as con:
            con.execute("INSERT INTO roster_assignments (report_sha256, unit, actor, at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (report_sha256) DO UPDATE SET unit = excluded.unit, actor = excluded.actor, "
                        "at = excluded.at", (report_sha256, unit, actor, _now()))

    # -- harvested pages -------------------------------------------------------------------------------------
    def page(self, url: str) -> HarvestPage | None:
        with dbmod.reading(self.db) as con:
            row = con.execute("SELECT url, unit, year, kind, sha256, page_date, title, article_url, path, fetched_at "
                              "FROM harvest_pages WHERE url = ?", (url,)).fetchone()
        return HarvestPage(*row) if row else None

    def record_page(self, page: HarvestPage) -> None:
        with dbmod.transaction(self.db) as con:
            con.execute("INSERT INTO harvest_pages (url, unit, year, kind, sha256, page_date, title, article_url, "
                        "path, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
                        "unit = excluded.unit, year = excluded.year, kind = excluded.kind, sha256 = excluded.sha256, "
                        "page_date = excluded.page_date, title = excluded.title, article_url = excluded.article_url, "
                        "path = excluded.path, fetched_at = excluded.fetched_at",
                        (page.url, page.unit, page.year, page.kind, page.sha256, page.page_date, page.title,
                         page.article_url, page.path, page.fetched_at))

    def provenance(self) -> dict[str, HarvestPage]:
        """file sha256 → the harvested file record (its URL, page date and article)."""
        with dbmod.reading(self.db) as con:
            rows = con.execute("SELECT url, unit, year, kind, sha256, page_date, title, article_url, path, fetched_at "
                               "FROM harvest_pages WHERE kind = 'file' AND sha256 IS NOT NULL").fetchall()
        return {r[4]: HarvestPage(*r) for r in rows}
