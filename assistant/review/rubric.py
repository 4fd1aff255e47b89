"""Rubrics (评分细则) as data: YAML files whose items say what is scored, by how many points, on which
document and clause, by which test the product computes, and how the points are deducted.

A rubric is read with PyYAML into mappings that remember the line of every key, then checked item by item;
anything wrong (a YAML syntax error, an unknown test, a missing title, points that are not a number, a band
that overlaps another) raises RubricError with a Chinese message naming the file's line. Nothing is
half-loaded. How to write one: assistant/review/rubrics/README.md. The tests (TESTS) are computed by
assistant.review.scoring; this module only reads and checks the files.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ingest.errors import UserError

RUBRIC_DIR = Path(__file__).resolve().parent / "rubrics"     # the rubrics shipped with the product
RUBRIC_SUFFIXES = (".yaml", ".yml")
MAX_RUBRIC_BYTES = 256 * 1024


@dataclass(frozen=True)
class TestSpec:
    """One test of the fixed list: its Chinese name, what its quantity counts (for bands), its parameters
    with their defaults."""
    name: str
    quantity: str
    params: Mapping[str, Any] = field(default_factory=dict)


# The fixed list of tests a rubric item may use (computed in assistant.review.scoring).
TESTS: dict[str, TestSpec] = {
    "late": TestSpec("未按时发布（逾期天数）", "逾期天数", {"grace_days": 0}),
    "missing_part": TestSpec("缺少规定的部分或表格", "缺少的部分和表格数"),
    "arithmetic": TestSpec("表格数字计算错误（勾稽关系不符）", "错误处数", {"cross_year": False}),
    "contradiction": TestSpec("正文与表格数字矛盾", "矛盾处数"),
    "same_as_last_year": TestSpec("正文与本单位上年报告相同的比例", "相同比例（%）", {"share": 0.5}),
    "same_as_other_unit": TestSpec("正文与其他单位同年度报告相同的比例", "相同比例（%）", {"share": 0.5}),
    "review_litigation_corrected": TestSpec("行政复议被纠错、行政诉讼被纠正（败诉）件数（表四）", "件数",
                                            {"parts": ["复议", "诉讼"]}),
    "last_year_problems": TestSpec("上年通报所列问题和本单位承诺的整改未落实", "未落实项数",
                                   {"count": "both"}),
    "fees_unexplained": TestSpec("未说明信息处理费收取情况", "处数"),
}
TABLE4_PARTS = ("复议", "诉讼")
LAST_YEAR_COUNTS = ("repeated", "unaddressed", "both")

_TOP_KEYS = {"name", "source", "full_marks", "groups", "years", "items", "note"}
_ITEM_KEYS = {"id", "title", "points", "source", "test", "params", "deduct", "note"}
_SOURCE_KEYS = {"document", "clause"}
_DEDUCT_KEYS = {"per", "cap", "bands"}
_BAND_KEYS = {"from", "to", "points"}


class RubricError(UserError):
    """A rubric file that cannot be used. The message is Chinese and names the file and line."""


@dataclass(frozen=True)
class Band:
    """Deduct `points` when the test's quantity q satisfies low ≤ q ≤ high (high None: no upper end)."""
    low: float
    high: float | None
    points: float

    def holds(self, q: float) -> bool:
        return q >= self.low and (self.high is None or q <= self.high)

    def describe(self, unit: str) -> str:
        upper = f"至{_num(self.high)}" if self.high is not None else "及以上"
        return f"{unit}{_num(self.low)}{upper}扣{_num(self.points)}分"


@dataclass(frozen=True)
class DeductRule:
    """Per occurrence (`per` points each, at most `cap`), or by bands of the test's quantity."""
    per: float | None = None
    cap: float | None = None
    bands: tuple[Band, ...] = ()

    def points(self, occurrences: int, quantity: float | None, item_points: float) -> float:
        """The points deducted for `occurrences` (or the quantity, for bands), never more than the cap nor
        the item's points."""
        if self.bands:
            if quantity is None:
                return 0.0
            if math.isinf(quantity):            # a quantity we cannot know (no 落款 date), once confirmed: the top band
                got = max(b.points for b in self.bands)
            else:
                got = next((b.points for b in self.bands if b.holds(quantity)), 0.0)
        else:
            got = (self.per or 0.0) * occurrences
        limit = min(x for x in (self.cap, item_points) if x is not None)
        return round(min(got, limit), 4)

    def describe(self, unit: str) -> str:
        if self.bands:
            return "；".join(b.describe(unit) for b in self.bands)
        text = f"每处（件）扣{_num(self.per)}分"
        return text + (f"，最多扣{_num(self.cap)}分" if self.cap is not None else "")


@dataclass(frozen=True)
class RubricItem:
    id: str
    title: str
    points: float                 # the most this item can cost
    document: str                 # the document the item comes from
    clause: str                   # its clause or item number there
    test: str                     # a key of TESTS
    params: Mapping[str, Any]
    rule: DeductRule
    line: int                     # where the item starts in the file

    @property
    def source_text(self) -> str:
        return f"{self.document}{('，' + self.clause) if self.clause else ''}"

    @property
    def spec(self) -> TestSpec:
        return TESTS[self.test]


@dataclass(frozen=True)
class Rubric:
    key: str                      # file stem: how the CLI and the web page name it
    name: str
    source: str
    full_marks: float
    items: tuple[RubricItem, ...]
    groups: tuple[str, ...] = ()  # the groups it is meant for (empty: any)
    years: tuple[int, ...] = ()   # the report years it is meant for (empty: any)
    path: str = ""

    def applies_to(self, group: str | None, year: int | None) -> bool:
        return (not self.groups or group in self.groups) and (not self.years or year in self.years)


def _num(v) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


# -- reading: mappings that remember their lines ---------------------------------------------------------
class _Map(dict):
    line: int = 0
    key_lines: dict


class _List(list):
    line: int = 0
    item_lines: list


def _loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader, node):
        out = _Map()
        out.line, out.key_lines = node.start_mark.line + 1, {}
        for k_node, v_node in node.value:
            key = loader.construct_object(k_node, deep=True)
            if not isinstance(key, (str, int, float)):
                raise RubricError(f"第{k_node.start_mark.line + 1}行：键必须是文字。")
            if key in out:
                raise RubricError(f"第{k_node.start_mark.line + 1}行：“{key}”重复出现（第{out.key_lines[key]}行已有）。")
            out[key] = loader.construct_object(v_node, deep=True)
            out.key_lines[key] = k_node.start_mark.line + 1
        return out

    def sequence(loader, node):
        out = _List(loader.construct_object(n, deep=True) for n in node.value)
        out.line, out.item_lines = node.start_mark.line + 1, [n.start_mark.line + 1 for n in node.value]
        return out

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, sequence)
    return Loader


def _line(m, key=None) -> int:
    if key is not None and isinstance(m, _Map) and key in m.key_lines:
        return m.key_lines[key]
    return getattr(m, "line", 0)


class _Checker:
    def __init__(self, label: str):
        self.label = label

    def fail(self, line: int, message: str):
        where = f"第{line}行：" if line else ""
        raise RubricError(f"评分细则“{self.label}”{where}{message}")

    def mapping(self, value, line: int, what: str) -> _Map:
        if not isinstance(value, dict):
            self.fail(line, f"{what}应是“键: 值”的形式。")
        return value

    def known(self, m: _Map, allowed: set[str], what: str) -> None:
        for k in m:
            if k not in allowed:
                self.fail(_line(m, k), f"{what}中有不认识的键“{k}”（可用的键：{'、'.join(sorted(allowed))}）。")

    def text(self, m: _Map, key: str, what: str, required: bool = True) -> str:
        v = m.get(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                self.fail(_line(m, key), f"{what}缺少“{key}”。")
            return ""
        if not isinstance(v, (str, int)) or isinstance(v, bool):
            self.fail(_line(m, key), f"{what}的“{key}”应是文字。")
        return str(v).strip()

    def number(self, m: _Map, key: str, what: str, required: bool = True, positive: bool = False) -> float | None:
        v = m.get(key)
        if v is None:
            if required:
                self.fail(_line(m, key), f"{what}缺少“{key}”。")
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(_line(m, key), f"{what}的“{key}”应是数字，写的是“{v}”。")
        if v < 0 or (positive and v == 0):
            self.fail(_line(m, key), f"{what}的“{key}”应大于0，写的是{_num(v)}。")
        return float(v)


def parse_rubric(text: str, key: str = "rubric", path: str = "") -> Rubric:
    """A rubric from YAML text; RubricError (Chinese, with the line) when anything is wrong."""
    import yaml
    label = Path(path).name if path else key
    c = _Checker(label)
    try:
        data = yaml.load(text, Loader=_loader())
    except RubricError as e:
        raise RubricError(f"评分细则“{label}”{e}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列附近：" if mark else ""
        raise RubricError(f"评分细则“{label}”{where}YAML 格式有误（常见原因：缩进不一致、冒号后缺空格、引号或括号没有闭合、"
                          "用了制表符缩进）。") from None
    top = c.mapping(data, 1, "评分细则")
    c.known(top, _TOP_KEYS, "评分细则")
    name = c.text(top, "name", "评分细则")
    source = c.text(top, "source", "评分细则")
    items_raw = top.get("items")
    if not isinstance(items_raw, list) or not items_raw:
        c.fail(_line(top, "items"), "缺少“items”（评分条目的列表），或列表为空。")
    items: list[RubricItem] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(items_raw):
        line = items_raw.item_lines[i] if isinstance(items_raw, _List) else 0
        items.append(_item(c, raw, line, i + 1, seen))
    full = c.number(top, "full_marks", "评分细则", required=False, positive=True)
    total_points = sum(it.points for it in items)
    if full is None:
        full = total_points
    elif full < total_points:
        c.fail(_line(top, "full_marks"), f"满分“full_marks”为{_num(full)}，少于各条目分值之和{_num(total_points)}。")
    groups = top.get("groups") or []
    years = top.get("years") or []
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        c.fail(_line(top, "groups"), "“groups”应是分组名称的列表，如 [洪泽区]。")
    if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        c.fail(_line(top, "years"), "“years”应是报告年度的列表，如 [2023, 2024]。")
    return Rubric(key, name, source, float(full), tuple(items), tuple("".join(g.split()) for g in groups),
                  tuple(years), path)


def _item(c: _Checker, raw, line: int, n: int, seen: dict[str, int]) -> RubricItem:
    m = c.mapping(raw, line, f"第{n}个条目")
    line = line or _line(m)
    c.known(m, _ITEM_KEYS, f"第{n}个条目")
    item_id = c.text(m, "id", f"第{n}个条目")
    what = f"条目“{item_id}”"
    if item_id in seen:
        c.fail(_line(m, "id"), f"条目编号“{item_id}”重复（第{seen[item_id]}行已有）。")
    seen[item_id] = _line(m, "id")
    title = c.text(m, "title", what)
    points = c.number(m, "points", what, positive=True)
    src = c.mapping(m.get("source"), _line(m, "source") or line, f"{what}的“source”（依据的文件和条款）")
    c.known(src, _SOURCE_KEYS, f"{what}的“source”")
    document = c.text(src, "document", f"{what}的“source”")
    clause = c.text(src, "clause", f"{what}的“source”", required=False)
    test = c.text(m, "test", what)
    if test not in TESTS:
        c.fail(_line(m, "test"), f"{what}的检查项“{test}”不在可用的检查项中（可用：" +
               "、".join(f"{k}（{s.name}）" for k, s in TESTS.items()) + "）。")
    spec = TESTS[test]
    params = dict(spec.params)
    given = m.get("params") or {}
    if given:
        given = c.mapping(given, _line(m, "params"), f"{what}的“params”")
        for k, v in given.items():
            if k not in spec.params:
                allowed = "、".join(spec.params) or "无"
                c.fail(_line(given, k), f"{what}的检查项“{test}”没有参数“{k}”（可用参数：{allowed}）。")
            params[k] = _param(c, what, test, k, v, _line(given, k))
    rule = _rule(c, m, what, points, spec)
    return RubricItem(item_id, title, points, document, clause, test, params, rule, line)


def _param(c: _Checker, what: str, test: str, key: str, value, line: int):
    if key == "grace_days":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            c.fail(line, f"{what}的“grace_days”（宽限天数）应是不小于0的整数。")
    elif key == "share":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            c.fail(line, f"{what}的“share”（相同比例阈值）应是0到1之间的小数，如0.5表示50%。")
        value = float(value)
    elif key == "cross_year":
        if not isinstance(value, bool):
            c.fail(line, f"{what}的“cross_year”应是 true 或 false。")
    elif key == "parts":
        if not isinstance(value, list) or not value or any(v not in TABLE4_PARTS for v in value):
            c.fail(line, f"{what}的“parts”应是“复议”“诉讼”中的一项或两项，如 [复议, 诉讼]。")
        value = list(value)
    elif key == "count":
        if value not in LAST_YEAR_COUNTS:
            c.fail(line, f"{what}的“count”应是 repeated（同一问题再次出现）、unaddressed（未见整改表述）或 both（两者）。")
    return value


def _rule(c: _Checker, m: _Map, what: str, points: float, spec: TestSpec) -> DeductRule:
    d = c.mapping(m.get("deduct"), _line(m, "deduct") or _line(m), f"{what}的“deduct”（扣分方法）")
    c.known(d, _DEDUCT_KEYS, f"{what}的“deduct”")
    per = c.number(d, "per", f"{what}的“deduct”", required=False, positive=True)
    cap = c.number(d, "cap", f"{what}的“deduct”", required=False, positive=True)
    bands_raw = d.get("bands")
    if (per is None) == (bands_raw is None):
        c.fail(_line(d), f"{what}的“deduct”应写“per”（每处扣几分）或“bands”（分档扣分）中的一种。")
    if cap is not None and cap > points:
        c.fail(_line(d, "cap"), f"{what}的最多扣分“cap”为{_num(cap)}，超过条目分值{_num(points)}。")
    if per is not None:
        if per > points:
            c.fail(_line(d, "per"), f"{what}每处扣{_num(per)}分，超过条目分值{_num(points)}。")
        return DeductRule(per=per, cap=cap)
    if not isinstance(bands_raw, list) or not bands_raw:
        c.fail(_line(d, "bands"), f"{what}的“bands”应是分档的列表，如 - {{from: 1, to: 10, points: 0.5}}。")
    bands: list[Band] = []
    for i, b in enumerate(bands_raw):
        bl = bands_raw.item_lines[i] if isinstance(bands_raw, _List) else _line(d, "bands")
        b = c.mapping(b, bl, f"{what}的第{i + 1}档")
        c.known(b, _BAND_KEYS, f"{what}的第{i + 1}档")
        low = c.number(b, "from", f"{what}的第{i + 1}档")
        high = c.number(b, "to", f"{what}的第{i + 1}档", required=False)
        pts = c.number(b, "points", f"{what}的第{i + 1}档", positive=True)
        if high is not None and high < low:
            c.fail(bl, f"{what}的第{i + 1}档“from”{_num(low)}大于“to”{_num(high)}。")
        if pts > points:
            c.fail(_line(b, "points"), f"{what}的第{i + 1}档扣{_num(pts)}分，超过条目分值{_num(points)}。")
        for j, o in enumerate(bands):
            if (o.high is None or low <= o.high) and (high is None or high >= o.low):
                c.fail(bl, f"{what}的第{i + 1}档（{spec.quantity}{_num(low)}起）与第{j + 1}档重叠。")
        bands.append(Band(low, high, pts))
    return DeductRule(cap=cap, bands=tuple(bands))


# -- finding rubric files ---------------------------------------------------------------------------------
def load_rubric(path: str | Path) -> Rubric:
    p = Path(path)
    if not p.is_file():
        raise RubricError(f"找不到评分细则文件“{p}”。")
    if p.stat().st_size > MAX_RUBRIC_BYTES:
        raise RubricError(f"评分细则文件“{p.name}”超过{MAX_RUBRIC_BYTES // 1024}KB，不像评分细则。")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RubricError(f"评分细则文件“{p.name}”不是 UTF-8 编码的文字文件。") from None
    return parse_rubric(text, p.stem, str(p))


def rubric_dirs(data_dir: str | Path | None = None) -> list[Path]:
    """Where rubrics are looked for: the shipped ones, then `<数据目录>/rubrics/` (an office's own)."""
    dirs = [RUBRIC_DIR]
    if data_dir is not None:
        dirs.append(Path(data_dir) / "rubrics")
    return dirs


def available_rubrics(data_dir: str | Path | None = None) -> list[Rubric]:
    """Every readable rubric (an office's own file with the same name replaces the shipped one). A file
    that does not read is left out here; `find_rubric` names its error."""
    found: dict[str, Rubric] = {}
    for d in rubric_dirs(data_dir):
        if not d.is_dir():
            continue
        for p in sorted(d.iterdir()):
            if p.suffix in RUBRIC_SUFFIXES:
                try:
                    found[p.stem] = load_rubric(p)
                except RubricError:
                    continue
    return list(found.values())


def find_rubric(ref: str, data_dir: str | Path | None = None) -> Rubric:
    """A rubric named on the command line or in the web page: a file path, or the name of a rubric file
    (without .yaml) in the rubric folders."""
    if Path(ref).suffix in RUBRIC_SUFFIXES and Path(ref).is_file():
        return load_rubric(ref)
    for d in reversed(rubric_dirs(data_dir)):
        for suffix in RUBRIC_SUFFIXES:
            if (d / f"{ref}{suffix}").is_file():
                return load_rubric(d / f"{ref}{suffix}")
    names = "、".join(r.key for r in available_rubrics(data_dir)) or "（无）"
    raise RubricError(f"没有名为“{ref}”的评分细则。可用的评分细则：{names}；也可以给出 YAML 文件的路径。")


def default_rubric(group: str | None, year: int | None, data_dir: str | Path | None = None) -> Rubric | None:
    """The first rubric meant for this group and year (one naming the group before one for any group)."""
    rubrics = [r for r in available_rubrics(data_dir) if r.applies_to(group, year)]
    rubrics.sort(key=lambda r: (not r.groups, not r.years, r.key))
    return rubrics[0] if rubrics else None
