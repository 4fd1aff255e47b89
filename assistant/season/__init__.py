"""The season (issue 25): the roster of units an office oversees, the board of who published the year's report
and when, and harvesting the reports from the units' websites.

Modules: `roster` (the 名册 file format, deadlines, matching a report to a unit), `board` (the 年报发布情况表 and
the chat's answer from it), `harvest` (list page → article → body and attachments → ingest, politely).
The functions here are what the CLI and the web app call: they check the caller's role (viewers see, editors
change) and write the audit log.
"""
from __future__ import annotations

from pathlib import Path

from assistant.access import Caller, Gate
from assistant.season.roster import Matcher, RosterError, read_roster
from vectorstore.roster import RosterStore, RosterUnit


def _gate(library) -> Gate:
    return Gate(library.accounts, library.audit, "password")


def roster_store(library) -> RosterStore:
    return RosterStore(library.db)


def import_roster(library, caller: Caller, path: str | Path, *, merge: bool = False, channel: str = "web") -> str:
    """Import a roster file (XLSX/CSV): the roster becomes the file's units (with `merge`, they are added or
    updated and the others kept). A file with a bad row changes nothing. Chinese summary."""
    gate = _gate(library)
    gate.require(caller, "roster", str(path))
    try:
        units = read_roster(path)
    except RosterError as e:
        gate.record(caller, "roster", target=Path(path).name, detail=e.message[:200], ok=False, channel=channel)
        raise
    store = roster_store(library)
    if merge:
        added, updated = store.upsert(units)
        text = f"名册已导入 {len(units)} 个单位：新增 {added} 个，更新 {updated} 个，其余保持不变。"
    else:
        added, updated, removed = store.replace_all(units)
        text = f"名册已导入 {len(units)} 个单位：新增 {added} 个，更新 {updated} 个，移出 {removed} 个。"
    gate.record(caller, "roster", target=Path(path).name, detail=text, channel=channel)
    return text


def assign_report(library, caller: Caller, ref: str, unit: str, *, channel: str = "web") -> str:
    """An official says which roster unit a report belongs to (kept by the report's content)."""
    from vectorstore.library import LibraryError
    gate = _gate(library)
    gate.require(caller, "roster", ref)
    record = library.resolve(ref)
    if record is None:
        raise LibraryError(f"资料库中没有找到“{ref}”。可用 nianbao list 查看已入库的报告及其编号。")
    store = roster_store(library)
    names = {u.name for u in store.units()}
    if unit not in names:
        raise RosterError(f"名册中没有“{unit}”。可用 nianbao roster list 查看名册中的单位。")
    store.assign(record.sha256, unit, caller.name)
    text = f"已把 {record.file}（{record.agency or '未识别单位'} {record.year or ''}年）指定为名册中的{unit}。"
    gate.record(caller, "roster", target=record.file, detail=text, channel=channel)
    return text


__all__ = ["Matcher", "RosterError", "RosterStore", "RosterUnit", "assign_report", "import_roster", "read_roster",
           "roster_store"]
