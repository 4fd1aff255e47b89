"""Agency names and the short forms people use for them (赣州经开区, 洪泽区, 沭阳县发改局 …).

Aliases are derived by rules, not listed per agency: a full name is split into its place segments
(淮安市 / 洪泽区) and its unit (人民政府, 发展和改革局 …); aliases drop leading (higher-level) places,
shorten place names (洪泽区 → 洪泽), use the usual abbreviations (经济技术开发区 → 经开区, 发展和改革局 →
发改局) and drop a government unit (人民政府 / 管委会). The last place is always kept, and a unit that is
not the government itself is never dropped, so “赣州经开区” never means 赣州经开区凤岗镇 or
赣州经开区企业服务和工信局, and “淮安市” never means 淮安市洪泽区.
"""
from __future__ import annotations

import re
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping, Sequence

# Place segments end with one of these (longest first). 州 alone is not one: 赣州/杭州 are names.
_PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "街道", "省", "市", "县", "区", "旗", "镇", "乡")
# Segments ending like this are zones, not administrative places: their last char is not stripped.
_ZONE_ENDINGS = ("开发区", "经开区", "高新区", "新区", "园区", "城区", "示范区", "试验区", "合作区", "保税区")

# Units that are the government of the place itself: they may be dropped or swapped for each other.
_GOVERNMENT_UNITS = ("人民政府", "政府", "管委会", "管理委员会", "管委", "办事处")

# Families of interchangeable spellings (first = full form). Used both ways inside a name.
_ABBREVIATION_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("经济技术开发区", "经开区", "经济开发区", "开发区"),
    ("高新技术产业开发区", "高新区", "高新技术开发区"),
    ("发展和改革局", "发改局", "发展改革局", "发展和改革委员会", "发展改革委", "发改委"),
    ("发展和改革委员会", "发改委", "发展改革委", "发展和改革局", "发改局"),
    ("工业和信息化局", "工信局"),
    ("企业服务和工信局", "工信局", "企业服务局"),
    ("行政审批局", "审批局", "行政审批服务局"),
    ("市场监督管理局", "市场监管局"),
    ("人力资源和社会保障局", "人社局"),
    ("住房和城乡建设局", "住建局"),
    ("自然资源和规划局", "自然资源局", "规划局"),
    ("生态环境局", "环保局"),
    ("卫生健康委员会", "卫健委"),
    ("教育体育局", "教体局"),
    ("农业农村局", "农业农村局"),
    ("人民政府办公厅", "政府办公厅", "政府办"),
    ("人民政府办公室", "政府办公室", "政府办"),
    ("管理委员会", "管委会"),
)
_ALL_MEMBERS = sorted({m for family in _ABBREVIATION_FAMILIES for m in family}, key=len, reverse=True)
# Words that end like a place but are not one (城市管理局 is a unit, not a place 城市 + 管理局).
_NOT_PLACES = {"城市", "都市", "超市", "门市", "股市", "集市", "城乡", "城镇", "乡镇", "市县", "省市", "社区", "小区",
               "景区", "辖区", "山区", "街区", "校区", "厂区", "市区", "城区", "郊区"}

_SPACES = re.compile(r"[\s\u3000]+")


def normalize_name(text: str) -> str:
    """Remove spaces and fold full-width brackets so names compare equal however they were typed."""
    text = _SPACES.sub("", text or "")
    return text.replace("(", "（").replace(")", "）")


def split_name(name: str) -> tuple[list[str], str]:
    """Split a full agency name into place segments and the unit:
    淮安市洪泽区人民政府 → (['淮安市', '洪泽区'], '人民政府'); 赣县区行政审批局 → (['赣县区'], '行政审批局')."""
    name = normalize_name(name)
    places: list[str] = []
    rest = name
    while rest:
        seg = _next_place(rest)
        if not seg:
            break
        places.append(seg)
        rest = rest[len(seg):]
    return places, rest


def _next_place(text: str) -> str:
    """The shortest leading place segment (at least 2 chars) of `text`, or ''."""
    for end in range(2, len(text) + 1):
        head = text[:end]
        for suffix in _PLACE_SUFFIXES:
            if head.endswith(suffix) and len(head) > len(suffix):
                if head in _NOT_PLACES or "和" in head[1:] or "与" in head[1:]:   # 住房和城乡(建设局) is no place
                    return ""
                if suffix == "县" and text[end:end + 1] == "区":   # 赣县区 is one district name
                    return head + "区"
                return head
    return ""


def _abbreviation_variants(text: str) -> dict[str, int]:
    """`text` and its spellings with one abbreviation applied (value = cost). The longest known form
    found wins, so 开发区 inside 高新技术产业开发区 is not touched."""
    out = {text: 0}
    covered: list[tuple[int, int]] = []
    for member in _ALL_MEMBERS:
        start = text.find(member)
        if start < 0 or any(a < start + len(member) and start < b for a, b in covered):
            continue
        covered.append((start, start + len(member)))
        for family in _ABBREVIATION_FAMILIES:
            if member in family:
                for other in family:
                    out.setdefault(text[:start] + other + text[start + len(member):], 1)
    return out


def _place_variants(segment: str) -> dict[str, int]:
    """A place segment, abbreviated and/or without its administrative suffix (洪泽区 → 洪泽)."""
    out: dict[str, int] = {}
    for variant, cost in _abbreviation_variants(segment).items():
        out[variant] = min(cost, out.get(variant, 99))
        if not variant.endswith(_ZONE_ENDINGS):
            for suffix in ("省", "市", "县", "区", "镇", "乡", "旗"):
                if variant.endswith(suffix) and len(variant) - len(suffix) >= 2:
                    out.setdefault(variant[: -len(suffix)], cost + 1)
                    break
    return out


def _unit_variants(unit: str) -> dict[str, int]:
    """Spellings of the unit; '' (dropped) is allowed only for the government of the place itself."""
    if unit == "" or unit in _GOVERNMENT_UNITS:
        out = {unit: 0}
        for other in ("", "人民政府", "政府", "管委会", "管理委员会"):
            out.setdefault(other, 1)
        return out
    out = {}
    for variant, cost in _abbreviation_variants(unit).items():
        out[variant] = cost
        if "人民政府" in variant:
            out.setdefault(variant.replace("人民政府", "政府"), cost + 1)
    # “X和Y局” is often called “Y局” (企业服务和工信局 → 工信局) when Y is a short word.
    m = re.fullmatch(r"(.+)和(.{1,3})(局|委|办|中心)", unit)
    if m and not any(unit.startswith(f[0]) for f in _ABBREVIATION_FAMILIES):
        out.setdefault(m.group(2) + m.group(3), 2)
    return out


def _is_government_unit(unit: str) -> bool:
    return unit == "" or unit in _GOVERNMENT_UNITS


@lru_cache(maxsize=512)
def alias_ranks(name: str) -> Mapping[str, int]:
    """Every alias of the agency with its looseness (0 = the full name; higher = further from it)."""
    full = normalize_name(name)
    bare = re.sub(r"（[^（）]*）$", "", full)
    if bare != full and len(bare) >= 2:      # 平潭综合实验区（管委会，汇总全区）: the qualifier is not said
        out = dict(alias_ranks(bare))
        out[full] = 0
        return MappingProxyType(out)
    places, unit = split_name(full)
    out: dict[str, int] = {full: 0}
    if not places:
        for variant, cost in _unit_variants(unit).items():
            if variant:
                out.setdefault(variant, cost)
        return MappingProxyType(out)
    units = _unit_variants(unit)
    # Drop 0..n-1 leading places (the last place always stays) …
    for start in range(len(places)):
        chains: dict[str, int] = {"": start}
        for seg in places[start:]:
            chains = {c + v: cost + vc for c, cost in chains.items() for v, vc in _place_variants(seg).items()}
        for chain, ccost in chains.items():
            for u, ucost in units.items():
                alias = chain + u
                if len(alias) >= 2:
                    cost = ccost + ucost
                    if alias not in out or out[alias] > cost:
                        out[alias] = cost
    # … or, for a department (not the government itself), the unit alone: 工信局, 行政审批局.
    if not _is_government_unit(unit) and not unit.startswith(("人民政府", "政府")):
        for u, ucost in units.items():
            if len(u) >= 3:
                out.setdefault(u, 3 + ucost)
    out[full] = 0
    return MappingProxyType(out)


def agency_aliases(name: str) -> set[str]:
    """All names by which the agency may be mentioned, the full name included."""
    return set(alias_ranks(name))


def _is_under(child: str, parent: str) -> bool:
    """True when `child` is an agency under the government `parent`
    (赣州经济技术开发区凤岗镇人民政府 and 赣州经济技术开发区企业服务和工信局 are under 赣州经济技术开发区)."""
    cp, cu = split_name(child)
    pp, pu = split_name(parent)
    if child == parent or not pp or not _is_government_unit(pu) or cp[:len(pp)] != pp:
        return False
    return len(cp) > len(pp) or not _is_government_unit(cu)


def resolve_agency(mention: str, agencies: Sequence[str]) -> list[str]:
    """The agencies of `agencies` a mention may mean, best first; [] when none fits.

    An exact alias wins; otherwise agencies whose aliases contain the mention (上海市 → 上海市人民政府办公厅),
    leaving out sub-units when their parent also fits.
    """
    m = normalize_name(mention).removesuffix("的")
    if not m:
        return []
    exact = [(alias_ranks(a)[m], a) for a in agencies if m in alias_ranks(a)]
    if exact:
        return [a for _, a in sorted(exact, key=lambda x: (x[0], len(x[1])))]
    scored = []
    for a in agencies:
        best = max((len(m) / len(al) - r * 0.01 for al, r in alias_ranks(a).items() if m in al), default=0.0)
        if best > 0:
            scored.append((best, a))
    names = [a for _, a in scored]
    kept = [(s, a) for s, a in scored if not any(_is_under(a, p) for p in names)]
    return [a for _, a in sorted(kept, key=lambda x: (-x[0], len(x[1])))]


@lru_cache(maxsize=64)
def _alias_index(agencies: tuple[str, ...]) -> Mapping[str, tuple[tuple[int, str], ...]]:
    index: dict[str, list[tuple[int, str]]] = {}
    for a in agencies:
        for alias, rank in alias_ranks(a).items():
            if len(alias) >= 2:
                index.setdefault(alias, []).append((rank, a))
    return MappingProxyType({k: tuple(v) for k, v in index.items()})


def find_agencies(text: str, agencies: Sequence[str]) -> list[tuple[str, str]]:
    """Agency mentions in a question, in order, as (mention, agency). Longest mention wins at each place;
    a mention that fits two agencies equally well gives one pair for each."""
    index = _alias_index(tuple(dict.fromkeys(agencies)))
    if not index:
        return []
    longest = max(len(k) for k in index)
    norm = normalize_name(text)
    found: list[tuple[str, str]] = []
    i = 0
    while i < len(norm):
        for length in range(min(longest, len(norm) - i), 1, -1):
            piece = norm[i:i + length]
            if piece in index:
                cands = sorted(index[piece])
                best = cands[0][0]
                found.extend((piece, a) for r, a in cands if r == best)
                i += length
                break
        else:
            i += 1
    return found


# -- mentions of agencies that are not in the library ---------------------------------------------
_GENERIC_PLACES = {"本区", "本市", "本县", "本镇", "全区", "全市", "全县", "全镇", "全省", "该区", "该市", "该县",
                   "辖区", "城区", "市区", "县区", "社区", "地区", "园区", "开发区", "经开区", "高新区", "新区",
                   "各区", "各县", "各市", "全乡", "本乡", "我市", "我区", "我县", "我镇", "我省", "本省", "省市",
                   "市县", "区县", "县市", "街道", "乡镇", "城乡", "景区", "小区", "片区", "校区", "郊区", "山区",
                   "灾区", "我乡", "各镇", "各乡", "省级", "市级", "县级", "区级"}
_PLACE_TOKEN = re.compile(r"[\u4e00-\u9fff]{1,10}(?:省|市|县|区|镇|乡|街道|旗)")
_UNIT_TOKEN = re.compile(r"[\u4e00-\u9fff]*(?:局|委|厅|办|政府|管委会|中心|委员会|办公室)")


@lru_cache(maxsize=1)
def word_segmenter():
    """jieba with its dictionary loaded (about 2 s, once per process: the web app does it before serving, so
    that no user's question pays for it)."""
    import jieba
    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


def find_unknown_agencies(text: str, agencies: Sequence[str]) -> list[str]:
    """Place/agency names in the text that no agency of the library answers to (北京市, 南京市鼓楼区)."""
    norm = normalize_name(text)
    known = find_agencies(norm, agencies)
    for mention, _ in known:
        norm = norm.replace(mention, "，")
    if not _PLACE_TOKEN.search(norm):
        return []
    tokens = word_segmenter().lcut(norm)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if _PLACE_TOKEN.fullmatch(tok) and len(tok) >= 2 and tok not in _GENERIC_PLACES \
                and tok[0] not in "本全该各我贵此某每":
            name = tok
            j = i + 1
            while j < len(tokens) and (_PLACE_TOKEN.fullmatch(tokens[j]) or _UNIT_TOKEN.fullmatch(tokens[j])) \
                    and tokens[j] not in _GENERIC_PLACES:
                name += tokens[j]
                j += 1
            if not resolve_agency_exact(name, agencies):
                out.append(name)
            i = j
        else:
            i += 1
    return list(dict.fromkeys(out))


def resolve_agency_exact(mention: str, agencies: Sequence[str]) -> list[str]:
    """Only the agencies having `mention` as an alias (no containment guessing)."""
    m = normalize_name(mention)
    return [a for a in agencies if m in alias_ranks(a)]


# -- names close to one we hold, and departments of a place we hold only the government of ------------
from dataclasses import dataclass as _dataclass

from assistant.gazetteer import is_division, one_off_divisions

MIN_NEAR_CHARS = 3            # a one-character difference means a misprint only in names of 3 characters or more
MIN_NEAR_ZONE_CHARS = 4       # names no gazetteer holds (综合实验区, 经开区) need more characters around the difference


@_dataclass(frozen=True)
class NearName:
    """A mention matched to a library agency whose name differs from it by one character in a place name
    (a misprint on one side: the gazetteer holds one spelling as a division and not the other, or neither is
    a division and the name is long enough)."""
    mention: str
    agency: str
    asked_place: str          # the place as the question spells it
    held_place: str           # the place as the library's report spells it

    def note(self) -> str:
        if is_division(self.asked_place) and not is_division(self.held_place):
            others = [d for d in one_off_divisions(self.held_place) if d != self.asked_place]
            maybe = (f"，也可能是{'、'.join(others[:3])}的误印，如所问不是这份年报的单位请指明" if others else "")
            return (f"资料库中该单位的年报把单位名称印作“{self.agency}”（“{self.held_place}”不是行政区划名称，"
                    f"按问题所问的“{self.asked_place}”理解{maybe}），以下按这份年报回答。")
        return (f"资料库中没有“{self.mention}”，按名称只差一个字的{self.agency}回答"
                f"（“{self.asked_place}”与“{self.held_place}”），如不是该单位请指明。")


def _place_at(name: str, index: int) -> str | None:
    """The place segment of `name` holding character `index`, or None when it falls in the unit."""
    places, _ = split_name(name)
    start = 0
    for seg in places:
        if start <= index < start + len(seg):
            return seg
        start += len(seg)
    return None


def _misprint_pair(asked: str, held: str) -> bool:
    if is_division(asked) and is_division(held):
        return False                              # two real places (洪山区, 洪泽区): another unit
    if is_division(asked) or is_division(held):
        return len(asked) >= MIN_NEAR_CHARS
    return len(asked) >= MIN_NEAR_ZONE_CHARS


@lru_cache(maxsize=64)
def _masked_aliases(agencies: tuple[str, ...]) -> Mapping[str, tuple[tuple[str, str], ...]]:
    """Each alias with one character masked (洪?区 → (洪泽区, 淮安市洪泽区人民政府)): windows one character off
    an alias are found by masking the window the same way."""
    out: dict[str, list[tuple[str, str]]] = {}
    for a in agencies:
        for alias in alias_ranks(a):
            if len(alias) >= MIN_NEAR_CHARS:
                for i in range(len(alias)):
                    out.setdefault(alias[:i] + "\0" + alias[i + 1:], []).append((alias, a))
    return MappingProxyType({k: tuple(v) for k, v in out.items()})


def _one_off_agencies(window: str, masked: Mapping[str, tuple[tuple[str, str], ...]]) -> list[str]:
    out = []
    for i in range(len(window)):
        for alias, a in masked.get(window[:i] + "\0" + window[i + 1:], ()):
            if alias != window:
                out.append(a)
    return list(dict.fromkeys(out))


def find_near_agencies(text: str, agencies: Sequence[str]) -> list[NearName]:
    """Mentions in the text, outside the held units' exact names, that name one held unit with one character
    of a place misprinted (平谭综合实验区, 洪择区; or the report's misprint, 沐阳县发改局 asked as 沭阳县发改局).
    The longest window wins at each place."""
    norm = normalize_name(text)
    held = tuple(dict.fromkeys(agencies))
    masked, exact = _masked_aliases(held), _alias_index(held)
    if not masked:
        return []
    longest = max(len(k) for k in masked)
    found: list[NearName] = []
    i = 0
    while i < len(norm):
        step = 1
        for length in range(min(longest, len(norm) - i), MIN_NEAR_CHARS - 1, -1):
            window = norm[i:i + length]
            if window in exact:                     # an exact name at least as long wins
                step = length
                break
            if not all("\u4e00" <= c <= "\u9fff" for c in window):
                continue
            cands = _one_off_agencies(window, masked)
            hit = near_agency(window, cands) if cands else None
            if hit is not None:
                found.append(hit)
                step = length
                break
        i += step
    return found


def _one_off(a: str, b: str) -> bool:
    return sum(x != y for x, y in zip(a, b)) == 1


def near_agency(mention: str, agencies: Sequence[str]) -> NearName | None:
    """The one library agency `mention` names with one character misprinted in a place name (the question's
    or the report's), or None when no agency or more than one fits."""
    m = normalize_name(mention).removesuffix("的")
    found: dict[str, NearName] = {}
    for a in dict.fromkeys(agencies):
        for alias in alias_ranks(a):
            if len(alias) != len(m) or len(m) < MIN_NEAR_CHARS:
                continue
            diff = [i for i, (x, y) in enumerate(zip(alias, m)) if x != y]
            if len(diff) != 1:
                continue
            asked, held = _place_at(m, diff[0]), _place_at(alias, diff[0])
            if asked and held and len(asked) == len(held) and _misprint_pair(asked, held):
                found.setdefault(a, NearName(mention, a, asked, held))
                break
    return next(iter(found.values())) if len(found) == 1 else None


_DEPARTMENT_AFTER = re.compile(r"(?:的)?([^\W\d_和与及同跟暨、]{1}[^\W\d_和与及同跟暨、]{0,9}?"
                               r"(?:管理局|局|委员会|委|办公室|中心|厅|署|院|支队|大队))(?!书记|副书记|主任|领导|负责人|委员)")
# words of measures, not of unit names: “淮安市行政复议…中心” is no department
_NOT_UNIT_WORDS = re.compile(r"复议|诉讼|申请|公开|处罚|许可|强制|多少|几|年|收费|文件|件数|结果|总计|合计|比例")
_PARTY_BODIES = {"党委", "党工委", "纪委", "党组", "镇党委", "区委", "市委", "县委"}
_OFFICE_OF_GOVERNMENT = re.compile(r"^(人民)?政府(办公室|办公厅|办)$")


def departments_of_held_places(text: str, mentions: Sequence[tuple[str, str]],
                               agencies: Sequence[str]) -> list[tuple[str, str, str]]:
    """(mention, department, the words after the mention) for a place we hold the government of, named with one of its departments
    that the library does not hold (淮安市教育局 when only 淮安市人民政府 is held): the department is an
    unknown unit, never answered with the government's figures."""
    norm = normalize_name(text)
    out = []
    for mention, agency in mentions:
        if not _is_government_unit(split_name(agency)[1]):
            continue
        start = norm.find(mention)
        if start < 0:
            continue
        m = _DEPARTMENT_AFTER.match(norm, start + len(mention))
        if not m or _NOT_UNIT_WORDS.search(m.group(1)) or _OFFICE_OF_GOVERNMENT.match(m.group(1)) \
                or m.group(1) in _PARTY_BODIES:
            continue
        full = mention + m.group(1)
        if not resolve_agency_exact(full, agencies):
            out.append((mention, full, m.group(1)))
    return out


def nearest_agencies(name: str, agencies: Sequence[str], limit: int = 3) -> list[str]:
    """Library agencies nearest to a unit we do not hold: those of the same places (the longest shared run of
    place segments first), then names containing the mention's own place."""
    places, _ = split_name(name)
    scored = []
    for a in dict.fromkeys(agencies):
        ap, _ = split_name(a)
        shared = 0
        while shared < min(len(places), len(ap)) and places[shared] == ap[shared]:
            shared += 1
        if shared == 0 and places and any(places[-1].rstrip("省市县区镇乡") in al for al in alias_ranks(a)):
            shared = 0.5
        if not shared and len(name) >= MIN_NEAR_CHARS and any(
                len(al) == len(name) and _one_off(al, name) for al in alias_ranks(a)):
            shared = 0.5                           # 洪山区 → 洪泽区: one character off, another real place
        if shared:
            scored.append((-shared, len(a), a))
    return [a for _, _, a in sorted(scored)][:limit]


def canonical_agency(name: str, context: str = "") -> str | None:
    """The agency's name with a misprinted place corrected against the gazetteer (沐阳县发展和改革局 →
    沭阳县发展和改革局), or None when every place is a division or no single correction fits. Among several
    divisions one character off, those under the parent named before it are kept, then those the report's own
    text (`context`) spells correctly somewhere."""
    from assistant.gazetteer import divisions
    places, unit = split_name(name)
    fixed, changed = [], False
    for i, seg in enumerate(places):
        if is_division(seg) or len(seg) < MIN_NEAR_CHARS or seg.endswith(_ZONE_ENDINGS):
            fixed.append(seg)
            continue
        cands = one_off_divisions(seg)
        parent = fixed[i - 1] if i else None
        if parent and is_division(parent) and len(cands) > 1:
            codes = {d.code for d in divisions()[parent]}
            cands = [c for c in cands if any(p in codes for d in divisions()[c] for p in d.parents)] or cands
        if len(cands) > 1 and context:
            cands = [c for c in cands if c in context] or cands
        if len(cands) != 1:
            return None
        fixed.append(cands[0])
        changed = True
    return "".join(fixed) + unit if changed else None
