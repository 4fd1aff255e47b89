"""Which group (地区或分组) a report belongs to, when nobody said: the place its agency name starts with.

淮安市洪泽区发展和改革局 → 洪泽区 (the last place of the name); a township or street office belongs to the
place above it (赣州经济技术开发区凤岗镇人民政府 → 赣州经济技术开发区); a name with no place prefix gives
None. A group given at ingest (`--group`, the upload form, a folder name) or edited in 年报库 always wins.
"""
from __future__ import annotations

from assistant.aliases import split_name

# Places that are reviewed by the place above them (a 镇's report goes to its 区/县 政务公开办).
_SUBORDINATE_PLACES = ("镇", "乡", "街道", "街道办事处")


def suggest_group(agency: str | None) -> str | None:
    """The group suggested by an agency's name: its last place segment that is not a 镇/乡/街道."""
    if not agency:
        return None
    places, _ = split_name(agency)
    while len(places) > 1 and places[-1].endswith(_SUBORDINATE_PLACES):
        places = places[:-1]
    return places[-1] if places else None
