"""What kind of body issued a report, judged from its name (province/city/county/township government,
development zone, department), and the publication deadline that follows from it (条例第四十九条).

The deadline policy is a value passed to the validator, so a province with its own dates can override it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

PROVINCE_CITIES = ("北京市", "上海市", "天津市", "重庆市")
GOVERNMENT_LEVELS = ("province", "city", "county", "township", "zone")


@dataclass(frozen=True)
class UnitKind:
    level: str        # province | city | county | township | zone | department | unknown
    zh: str
    office: bool = False   # the 办公厅/办公室 of a government reporting on its own work (a department)

    @property
    def is_government(self) -> bool:
        return self.level in GOVERNMENT_LEVELS and not self.office

    @property
    def is_local_government_above_county(self) -> bool:
        """县级以上地方人民政府 (their whole-government report is due 3月31日)."""
        return self.level in ("province", "city", "county") and not self.office


_ZH = {"province": "省级人民政府", "city": "设区的市人民政府", "county": "县级人民政府", "township": "乡镇（街道）",
       "zone": "开发区管委会", "department": "政府部门", "unknown": "单位"}
_GOV_SUFFIX = re.compile(r"(人民政府(办公厅|办公室)?|管理委员会|管委会)$")


def unit_kind(agency: str | None) -> UnitKind:
    name = (agency or "").strip()
    if not name:
        return UnitKind("unknown", _ZH["unknown"])
    m = _GOV_SUFFIX.search(name)
    if m:
        body = name[: m.start()]
        if re.search(r"(镇|乡|街道|街道办事处)$", body):
            level = "township"
        elif re.search(r"(开发区|新区|高新区|经开区|园区|管理区)$", body) or m.group(1) in ("管理委员会", "管委会"):
            level = "zone"
        elif body.endswith("省") or body.endswith("自治区") or body in PROVINCE_CITIES:
            level = "province"
        elif re.search(r"(县|区|旗)$", body):
            level = "county"
        elif body.endswith(("市", "州", "盟")):
            level = "city"
        else:
            level = "unknown"
        office = bool(m.group(2))
        return UnitKind(level, _ZH[level] + ("办公厅（室）" if office else ""), office)
    if re.search(r"(开发区|新区|高新区|经开区)$", name):
        return UnitKind("zone", _ZH["zone"])
    if re.search(r"(镇|乡|街道|街道办事处)$", name):
        return UnitKind("township", _ZH["township"])
    if re.search(r"(局|委员会|委|办公室|办|厅|中心|院|署|所|站|队|部|会|公司)$", name):
        return UnitKind("department", _ZH["department"])
    return UnitKind("unknown", _ZH["unknown"])


@dataclass(frozen=True)
class DeadlinePolicy:
    """Month/day of year Y+1 by which a report for year Y must be published. `overrides` maps a name prefix
    (a province, “江苏省”, or a full agency name) to (month, day) for every unit it covers."""
    government: tuple[int, int] = (3, 31)        # 县级以上地方人民政府
    other: tuple[int, int] = (1, 31)             # departments, 乡镇, 开发区
    overrides: dict[str, tuple[int, int]] = field(default_factory=dict)

    def deadline(self, agency: str | None, year: int) -> tuple[date, str]:
        """The last on-time day and the reason, in Chinese."""
        for prefix, (m, d) in sorted(self.overrides.items(), key=lambda kv: -len(kv[0])):
            if agency and agency.startswith(prefix):
                return date(year + 1, m, d), f"按“{prefix}”的规定"
        kind = unit_kind(agency)
        if kind.is_local_government_above_county:
            m, d = self.government
            return date(year + 1, m, d), "县级以上地方人民政府的年度报告（条例第四十九条）"
        m, d = self.other
        return date(year + 1, m, d), f"{kind.zh}的年度报告（条例第四十九条；乡镇、开发区默认同部门）"

    def is_statutory(self, agency: str | None) -> bool:
        """Is the deadline for this unit certain: set by 条例第四十九条 (县级以上地方人民政府, 政府部门) or by an
        override? 乡镇（街道）、开发区 and units whose kind we cannot tell get the default, which their province
        may set otherwise."""
        if agency and any(agency.startswith(prefix) for prefix in self.overrides):
            return True
        kind = unit_kind(agency)
        return kind.is_local_government_above_county or kind.level == "department" or kind.office


DEFAULT_POLICY = DeadlinePolicy()
