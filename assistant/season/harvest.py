"""Harvesting (`nianbao harvest --year Y [--group G]`): for each roster unit with a report list page, find that
year's report link by its title, fetch the article, take the report body and its attachments (PDF, DOCX,
images), and ingest them with the URL and the page's publication date as provenance (harvest_pages).

Polite and bounded (HarvestSettings, one home for every limit): one request per host every `rate_seconds`
(2 s by default), connect/read timeouts and a whole-download time limit, page and file size limits (files: the
upload limit NIANBAO_MAX_FILE_MB; a file whose Content-Length is over it is refused before its body is read, and
a body that grows past it is cut off), at most `max_redirects` redirects (a loop is named), robots.txt
respected, an optional proxy (NIANBAO_HARVEST_PROXY) for intranets. Idempotent and resumable: an article whose
page is unchanged is skipped, an attachment already harvested from the same URL is not downloaded again, and a
file is stored under a name made from its URL, so a changed file replaces its older version. Nothing is half
stored: downloads go to a `.part` file renamed only when complete and of the promised type, and a file that
cannot be read as a report is deleted again.

Body extraction is our own, on lxml (in requirements/base.lock), not trafilatura: trafilatura is not in the
locked requirements, and it returns the main text as plain text or its own XML, dropping the report's HTML
tables (表二/表三/表四) that our HTML loader reads cell by cell. Government article pages (TRS, 政务公开平台)
put the report in a few well-known containers (.TRS_Editor, #zoom, .article-content …); failing those, the
block with the most text and the fewest links is taken, and kept as HTML with its tables.
"""
from __future__ import annotations

import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from ingest.load import max_file_bytes
from vectorstore.roster import HarvestPage, RosterStore, RosterUnit
from ingest.settings import Settings, setting

ENV_RATE = setting("harvest_rate_seconds").name
ENV_PROXY = setting("harvest_proxy").name
ENV_TIMEOUT = setting("harvest_timeout_seconds").name


@dataclass(frozen=True)
class HarvestSettings:
    """Every limit of a harvest, in one place (`from_env` reads the NIANBAO_HARVEST_* overrides)."""
    rate_seconds: float = 2.0           # one request per host at most this often
    connect_timeout: float = 10.0
    read_timeout: float = 30.0          # no byte for this long: the site is too slow
    download_seconds: float = 300.0     # one download may take at most this long in all
    max_redirects: int = 5
    max_page_bytes: int = 5 * 1024 * 1024          # a list or article page
    max_file_bytes: int | None = None              # an attachment; None = the upload limit (NIANBAO_MAX_FILE_MB)
    max_list_pages: int = 5             # pages of a unit's list followed (下一页 / TRS createPageHTML)
    min_inline_chars: int = 800         # an article body shorter than this is not the report itself (详见附件)
    proxy: str | None = None
    user_agent: str = "nianbao-harvest/1.0 (government information disclosure annual reports)"   # HTTP headers are ASCII
    respect_robots: bool = True

    @classmethod
    def from_env(cls, **overrides) -> "HarvestSettings":
        env: dict = {}
        s = Settings.from_env()
        if (s.harvest_rate_seconds or "").strip():
            env["rate_seconds"] = _positive(ENV_RATE, s.harvest_rate_seconds, allow_zero=True)
        if (s.harvest_timeout_seconds or "").strip():
            t = _positive(ENV_TIMEOUT, s.harvest_timeout_seconds)
            env["connect_timeout"] = env["read_timeout"] = t
        if (s.harvest_proxy or "").strip():
            env["proxy"] = s.harvest_proxy.strip()
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)

    def file_limit(self) -> int:
        return self.max_file_bytes if self.max_file_bytes is not None else max_file_bytes()


def _positive(name: str, raw: str, allow_zero: bool = False) -> float:
    from ingest.errors import UserError
    try:
        v = float(raw)
    except ValueError:
        v = float("nan")
    if not (v > 0 or (allow_zero and v == 0)) or v > 1e5:
        raise UserError(f"环境变量 {name}=“{raw}”无效：应为正数（秒）。")
    return v


class FetchFailed(Exception):
    """One URL could not be fetched; `reason` is Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Fetched:
    url: str                 # after redirects
    status: int
    content_type: str
    data: bytes


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


class Fetcher:
    """HTTP GET with the settings' limits: per-host pacing, robots.txt, redirects followed by hand (a loop is
    named), size limits checked on Content-Length before the body and while it streams."""

    def __init__(self, settings: HarvestSettings, client=None):
        import httpx
        self.settings = settings
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            follow_redirects=False, proxy=settings.proxy, headers={"User-Agent": settings.user_agent},
            trust_env=False)
        self._last: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser | None] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def _pace(self, host: str) -> None:
        with self._lock:
            wait = self._last.get(host, 0.0) + self.settings.rate_seconds - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last[host] = time.monotonic()

    def allowed(self, url: str) -> bool:
        if not self.settings.respect_robots:
            return True
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            parser = None
            try:
                got = self._get(root + "/robots.txt", 512 * 1024, check_robots=False)
                if got.status == 200:
                    parser = RobotFileParser()
                    parser.parse(got.data.decode("utf-8", "replace").splitlines())
            except FetchFailed:
                parser = None                      # no robots.txt: nothing is forbidden
            self._robots[root] = parser
        parser = self._robots[root]
        return parser is None or parser.can_fetch(self.settings.user_agent, url)

    def get(self, url: str, max_bytes: int) -> Fetched:
        got = self._get(url, max_bytes)
        if got.status == 404:
            raise FetchFailed(f"网页不存在（HTTP 404）：{url}")
        if got.status >= 400:
            raise FetchFailed(f"网站返回错误（HTTP {got.status}）：{url}")
        return got

    def _get(self, url: str, max_bytes: int, check_robots: bool = True) -> Fetched:
        import httpx
        seen: list[str] = []
        for _ in range(self.settings.max_redirects + 1):
            if check_robots and not self.allowed(url):
                raise FetchFailed(f"网站的 robots.txt 不允许采集：{url}")
            if url in seen:
                raise FetchFailed(f"网址重定向循环（{' → '.join(seen + [url])}）：{seen[0]}")
            seen.append(url)
            self._pace(urlsplit(url).netloc)
            try:
                with self.client.stream("GET", url) as r:
                    if r.status_code in (301, 302, 303, 307, 308) and r.headers.get("location"):
                        url = urljoin(url, r.headers["location"])
                        continue
                    return Fetched(str(r.url), r.status_code, r.headers.get("content-type", ""),
                                   self._body(r, url, max_bytes))
            except httpx.TimeoutException:
                raise FetchFailed(f"网站响应超时（超过 {self.settings.read_timeout:g} 秒）：{url}") from None
            except httpx.HTTPError as e:
                raise FetchFailed(f"无法连接网站（{type(e).__name__}）：{url}") from None
        raise FetchFailed(f"重定向超过 {self.settings.max_redirects} 次：{seen[0]}")

    def _body(self, r, url: str, max_bytes: int) -> bytes:
        length = r.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise FetchFailed(f"文件大小 {_mb(int(length))} 超过上限 {_mb(max_bytes)}，未下载：{url}")
        started, out, size = time.monotonic(), [], 0
        for chunk in r.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise FetchFailed(f"文件超过上限 {_mb(max_bytes)}，已停止下载：{url}")
            if time.monotonic() - started > self.settings.download_seconds:
                raise FetchFailed(f"下载超过 {self.settings.download_seconds:g} 秒仍未完成，已停止：{url}")
            out.append(chunk)
        return b"".join(out)


# -- pages -----------------------------------------------------------------------------------------------------
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_PAGE_DATE_LABEL = re.compile(r"(发布时间|发布日期|发文日期|日期|时间)\s*[:：]?\s*((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})")
_DATE_META = ("pubdate", "publishdate", "firstpublishedtime", "article:published_time", "createdate")
_REPORT_WORDS = re.compile(r"年度报告|年报")
_OPENNESS = re.compile(r"政府信息公开|政务公开|信息公开")
# titles of articles about the reports that are not one: notices, plans, graphic explanations, summaries
_NOT_REPORT = re.compile(r"通知|要点|解读|图解|编制|报送|关于做好|方案|指南|目录|统计表|工作总结|的函|评估|通报")
_FILE_SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".png": "image", ".jpg": "image", ".jpeg": "image"}
_MAGIC = {"pdf": (b"%PDF",), "docx": (b"PK\x03\x04",), "image": (b"\x89PNG", b"\xff\xd8\xff")}
_BODY_SELECTORS = ("//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]", "//*[@id='zoom']",
                   "//*[contains(@class, 'trs_editor_view')]", "//*[contains(@class, 'article-content')]",
                   "//*[@id='UCAP-CONTENT']", "//*[contains(@class, 'view TRS_UEDITOR')]", "//article",
                   "//*[@id='content']", "//*[contains(@class, 'content')]")
_NEXT_PAGE = re.compile(r"^\s*(下一页|下页|>|›|»)\s*$")
_TRS_PAGER = re.compile(r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")


def _iso(m) -> str | None:
    try:
        return date(int(m[0]), int(m[1]), int(m[2])).isoformat()
    except ValueError:
        return None


def _tree(data: bytes):
    import lxml.html
    return lxml.html.document_fromstring(data or b"<html></html>")


def _text(el) -> str:
    return re.sub(r"\s+", " ", el.text_content() or "").strip()


@dataclass(frozen=True)
class ListItem:
    title: str
    url: str
    date: str | None


def list_items(data: bytes, base: str) -> tuple[list[ListItem], list[str]]:
    """The links of a list page with their titles and dates (TRS: <li><a title=…>…</a><span>2024-01-17</span>),
    and the further pages of the list (a 下一页 link, or TRS's createPageHTML(pages, current, "index", "html"))."""
    tree = _tree(data)
    items: list[ListItem] = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        title = (a.get("title") or _text(a)).strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")) or len(title) < 6:
            continue
        row = a.getparent()
        while row is not None and row.tag not in ("li", "tr", "dd", "div", "p"):
            row = row.getparent()
        m = _DATE.search(_text(row) if row is not None else "")
        items.append(ListItem(title, urljoin(base, href), _iso(m.groups()) if m else None))
    more: list[str] = []
    for a in tree.iter("a"):
        if _NEXT_PAGE.match(_text(a)) and a.get("href") and not a.get("href").startswith("javascript:"):
            more.append(urljoin(base, a.get("href")))
    for script in tree.iter("script"):
        m = _TRS_PAGER.search(script.text or "")
        if m:
            pages, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
            more += [urljoin(base, f"{stem}_{i}.{ext}") for i in range(current + 1, pages)]
    return items, list(dict.fromkeys(more))


def is_report_title(title: str, year: int) -> bool:
    """“沭阳县发展和改革局2023年政府信息公开工作年度报告” for 2023; not a notice about the reports, a 图解, or
    another year's."""
    t = re.sub(r"\s+", "", title)
    return bool(re.search(rf"{year}年度?", t) and _REPORT_WORDS.search(t) and _OPENNESS.search(t)
                and not _NOT_REPORT.search(t) and not re.search(rf"(?<!\d)(?!{year})(19|20)\d{{2}}年度?(政府|政务)", t))


def pick_report(items: Sequence[ListItem], year: int, unit: RosterUnit) -> ListItem | None:
    cands = [i for i in items if is_report_title(i.title, year)]
    if not cands:
        return None
    names = (unit.name, *unit.aliases)
    named = [i for i in cands if any(n in i.title for n in names)]
    return (named or cands)[0]


@dataclass
class Article:
    title: str
    page_date: str | None
    body_html: bytes | None        # the report inline, as a small HTML document (tables kept); None = too short
    body_chars: int
    attachments: list[tuple[str, str, str]]    # (url, kind, link text)


def read_article(data: bytes, url: str, min_inline_chars: int) -> Article:
    import lxml.html
    tree = _tree(data)
    title = next((m.get("content") for m in tree.iter("meta") if (m.get("name") or "").lower() in
                  ("articletitle", "title")), None) or _text(next(iter(tree.iter("title")), tree))[:200]
    page_date = None
    for m in tree.iter("meta"):
        if (m.get("name") or m.get("property") or "").lower() in _DATE_META:
            d = _DATE.search(m.get("content") or "")
            if d and _iso(d.groups()):
                page_date = _iso(d.groups())
                break
    if page_date is None:
        d = _PAGE_DATE_LABEL.search(_text(tree))
        if d:
            page_date = _iso(_DATE.search(d.group(2)).groups())
    body = None
    for xp in _BODY_SELECTORS:
        found = [el for el in tree.xpath(xp) if len(_text(el)) >= 50]
        if found:
            body = max(found, key=lambda el: len(_text(el)))
            break
    if body is None:
        blocks = [el for el in tree.iter("div", "td", "section") if len(_text(el)) >= 50]
        score = lambda el: len(_text(el)) - 3 * sum(len(_text(a)) for a in el.iter("a"))   # noqa: E731
        body = max(blocks, key=score) if blocks else tree
    attachments = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href:
            continue
        link = urljoin(url, href)
        suffix = Path(urlsplit(link).path).suffix.lower()
        if suffix in _FILE_SUFFIXES:
            attachments.append((link, _FILE_SUFFIXES[suffix], _text(a)))
    for img in body.iter("img"):
        src = urljoin(url, img.get("src") or "")
        suffix = Path(urlsplit(src).path).suffix.lower()
        if suffix in (".png", ".jpg", ".jpeg") and (img.get("width") or "999").isdigit() \
                and int(img.get("width") or 999) >= 300:            # a scanned page, not an icon
            attachments.append((src, "image", img.get("alt") or ""))
    chars = len(_text(body))
    inline = None
    if chars >= min_inline_chars:
        inner = lxml.html.tostring(body, encoding="unicode")
        inline = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{_escape(title)}</title></head>"
                  f"<body><h1>{_escape(title)}</h1>{inner}</body></html>").encode("utf-8")
    return Article(title, page_date, inline, chars, list(dict.fromkeys(attachments)))


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- one harvest -----------------------------------------------------------------------------------------------
BODY_FRAGMENT = "#正文"          # the harvest_pages key of an article's inline report (the article itself has its URL)
PAGES_FRAGMENT = "#图片页"       # … and of its picture pages put together as one PDF
NEW, UNCHANGED, NOT_FOUND, FAILED, SKIPPED = "new", "unchanged", "not_found", "failed", "skipped"
STATUS_ZH = {NEW: "新增", UNCHANGED: "未变化", NOT_FOUND: "未找到", FAILED: "失败", SKIPPED: "未采集"}


@dataclass
class UnitOutcome:
    unit: str
    status: str
    message: str                          # Chinese, why
    article: str | None = None
    page_date: str | None = None
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class HarvestSummary:
    year: int
    outcomes: list[UnitOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    def describe(self) -> str:
        found = self.count(NEW) + self.count(UNCHANGED)
        head = (f"{self.year}年度年报采集完成：{len(self.outcomes)} 个单位，找到 {found} 份（新增 {self.count(NEW)}，"
                f"未变化 {self.count(UNCHANGED)}），未找到 {self.count(NOT_FOUND)}，失败 {self.count(FAILED)}"
                + (f"，未采集 {self.count(SKIPPED)}" if self.count(SKIPPED) else "") + "。")
        lines = [head]
        for o in self.outcomes:
            lines.append(f"- {o.unit}：{STATUS_ZH[o.status]}。{o.message}" + "".join(f"（{n}）" for n in o.notes))
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"year": self.year, "counts": {s: self.count(s) for s in STATUS_ZH},
                "outcomes": [o.to_json() for o in self.outcomes]}


def images_to_pdf(pages: Sequence[bytes]) -> bytes:
    """Page pictures (PNG/JPG) as one PDF, a page each, in order."""
    import io
    from PIL import Image
    images = [Image.open(io.BytesIO(p)).convert("RGB") for p in pages]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=200.0)
    return out.getvalue()


def _file_name(url: str, suffix: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16] + suffix


def _save(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    tmp = folder / (name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


class Harvester:
    def __init__(self, library, settings: HarvestSettings | None = None, *, extract=None, check="default",
                 fetcher: Fetcher | None = None, on_progress: Callable[[UnitOutcome], None] | None = None):
        from assistant.library_ops import default_checker, default_extractor
        self.library = library
        self.settings = settings or HarvestSettings.from_env()
        self.fetcher = fetcher or Fetcher(self.settings)
        self.store = RosterStore(library.db)
        self.extract = extract or default_extractor()
        self.check = default_checker() if check == "default" else check
        self.on_progress = on_progress
        self.folder = Path(library.data_dir) / "harvest"

    def run(self, year: int, group: str | None = None) -> HarvestSummary:
        from assistant.library_ops import recheck_successors
        summary = HarvestSummary(year)
        stored: list[str] = []
        try:
            for unit in self.store.units(group):
                outcome = self.unit(unit, year, stored)
                summary.outcomes.append(outcome)
                if self.on_progress:
                    self.on_progress(outcome)
        finally:
            self.fetcher.close()
        recheck_successors(self.library, stored, self.check)
        return summary

    def unit(self, unit: RosterUnit, year: int, stored: list[str]) -> UnitOutcome:
        if not unit.list_url:
            return UnitOutcome(unit.name, SKIPPED, "名册中没有该单位的年报栏目网址")
        try:
            return self._unit(unit, year, stored)
        except FetchFailed as e:
            return UnitOutcome(unit.name, FAILED, e.reason)

    def _unit(self, unit: RosterUnit, year: int, stored: list[str]) -> UnitOutcome:
        s = self.settings
        pages, queue, items = 0, [unit.list_url], []
        seen: set[str] = set()
        pick = None
        while queue and pages < s.max_list_pages:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            page = self.fetcher.get(url, s.max_page_bytes)
            pages += 1
            found, more = list_items(page.data, page.url)
            items += found
            pick = pick_report(items, year, unit)
            if pick is not None:
                break
            queue += [m for m in more if m not in seen]
        if pick is None:
            return UnitOutcome(unit.name, NOT_FOUND, f"年报栏目中没有找到{year}年度政府信息公开工作年度报告"
                                                     f"（查看了 {pages} 页、{len(items)} 条）")
        got = self.fetcher.get(pick.url, s.max_page_bytes)
        sha = hashlib.sha256(got.data).hexdigest()
        before = self.store.page(pick.url)
        if before is not None and before.sha256 == sha and before.path and self._all_stored(pick.url):
            return UnitOutcome(unit.name, UNCHANGED, f"{pick.title}：网页未变化，已跳过", pick.url, before.page_date)
        article = read_article(got.data, got.url, s.min_inline_chars)
        page_date = article.page_date or pick.date
        folder = self.folder / re.sub(r"[^\w.-]", "_", urlsplit(pick.url).netloc)
        outcome = UnitOutcome(unit.name, UNCHANGED, pick.title, pick.url, page_date)
        files: list[tuple[str, Path]] = []
        failures: list[str] = []
        if article.body_html is not None:
            files.append((pick.url + BODY_FRAGMENT, _save(folder, _file_name(pick.url, ".html"), article.body_html)))
        documents = [a for a in article.attachments if a[1] != "image"]
        images = [a for a in article.attachments if a[1] == "image"]
        if images and (article.body_html is not None or any(k in ("pdf", "docx") for _, k, _ in documents)):
            images = []                 # pictures beside the report (a 图解, a seal): the report is the text or file
        if len(images) > 1:
            self._scanned_pages(images, pick.url, folder, files, failures)
            images = []
        for link, kind, text in documents + images:
            if kind == "doc":
                outcome.notes.append(f"附件 {text or link} 是旧版 Word（.doc），请另存为 DOCX 后上传")
                continue
            done = self.store.page(link)
            if done is not None and done.path and Path(done.path).is_file() and self.library.by_sha(done.sha256 or ""):
                files.append((link, Path(done.path)))           # harvested before: not downloaded again
                continue
            try:
                fetched = self.fetcher.get(link, s.file_limit())
            except FetchFailed as e:
                failures.append(e.reason)
                continue
            if not fetched.data.startswith(_MAGIC[kind]):
                shown = "网页" if b"<html" in fetched.data[:2048].lower() or "html" in fetched.content_type else "其他内容"
                failures.append(f"链接应为 {kind.upper()} 文件，网站返回的却是{shown}（可能须登录或文件已删除），未入库：{link}")
                continue
            suffix = {"pdf": ".pdf", "docx": ".docx"}.get(kind) or Path(urlsplit(link).path).suffix.lower()
            files.append((link, _save(folder, _file_name(link, suffix), fetched.data)))
        if not files:
            reason = "；".join(failures) or f"文章 {pick.url} 中没有年报正文，也没有 PDF/DOCX/图片附件"
            return UnitOutcome(unit.name, FAILED, reason, pick.url, page_date)
        for link, path in files:
            self._ingest(unit, year, link, pick.url, path, page_date, outcome, stored, failures)
        self.store.record_page(HarvestPage(pick.url, unit.name, year, "article", sha, page_date, pick.title,
                                           None, str(files[0][1])))
        outcome.notes += failures
        if not outcome.files:
            outcome.status = FAILED
            outcome.message = "；".join(failures) or outcome.message
            outcome.notes = []
        else:
            shown = "、".join(outcome.files)
            outcome.message = (f"{pick.title}（网页发布日期 {page_date or '不详'}）："
                               + (f"已入库 {shown}" if outcome.status == NEW else f"文件未变化（{shown}）"))
        return outcome

    def _scanned_pages(self, images, article_url: str, folder: Path, files, failures) -> None:
        """A report published as one picture a page: the pages, in order, as one PDF of scanned pages (read by
        OCR as one report, not as many one-page reports)."""
        key = article_url + PAGES_FRAGMENT
        done = self.store.page(key)
        if done is not None and done.path and Path(done.path).is_file() and self.library.by_sha(done.sha256 or ""):
            files.append((key, Path(done.path)))
            return
        pages = []
        for link, kind, _ in images:
            try:
                got = self.fetcher.get(link, self.settings.file_limit())
            except FetchFailed as e:
                failures.append(e.reason)
                return
            if not got.data.startswith(_MAGIC["image"]):
                failures.append(f"链接应为图片，网站返回的却是其他内容，未入库：{link}")
                return
            pages.append(got.data)
        files.append((key, _save(folder, _file_name(key, ".pdf"), images_to_pdf(pages))))

    def _all_stored(self, article_url: str) -> bool:
        """Every file harvested from this article is still in the library (else harvest it again)."""
        from vectorstore import db as dbmod
        with dbmod.reading(self.library.db) as con:
            shas = [r[0] for r in con.execute("SELECT sha256 FROM harvest_pages WHERE kind = 'file' AND "
                                              "(article_url = ? OR url = ?)", (article_url, article_url))]
        return bool(shas) and all(self.library.by_sha(s) is not None for s in shas)

    def _ingest(self, unit, year, link, article_url, path: Path, page_date, outcome, stored, failures) -> None:
        from assistant.library_ops import ingest_file
        from assistant.season.roster import Matcher
        shown = f"harvest/{path.parent.name}/{path.name}"
        result = ingest_file(self.library, path, shown, self.extract, self.check, unit.group)
        if result is None or result.status == "failed":
            failures.append((result.message if result else f"{shown} 正被另一进程读取") + f"（{link}）")
            if result is not None and self.library.by_path(path) is None:
                path.unlink(missing_ok=True)               # nothing half-stored: the unreadable file goes
            return
        record = self.library.by_path(path)
        sha = record.sha256 if record else hashlib.sha256(path.read_bytes()).hexdigest()
        self.store.record_page(HarvestPage(link, unit.name, year, "file", sha, page_date, outcome.message,
                                           article_url, str(path)))
        outcome.files.append(shown)
        if result.status in ("added", "replaced"):
            outcome.status = NEW
            stored.append(result.report_id)
        m = Matcher([unit]).match(result.agency, sha)
        if m.unit is None:
            outcome.notes.append(f"年报中的单位名称为“{result.agency or '未识别'}”，与名册中的{unit.name}不符，"
                                 f"请核对后用 nianbao roster assign 指定")
        elif m.how == "near":
            outcome.notes.append(m.note)
        if result.year is not None and result.year != year:
            outcome.notes.append(f"读出的年度为{result.year}年，不是{year}年，请核对")


def harvest(library, caller, year: int, group: str | None = None, settings: HarvestSettings | None = None,
            channel: str = "web", **kwargs) -> HarvestSummary:
    """Harvest the year's reports of the roster's units (editors and above; written to the audit log)."""
    from assistant.access import Gate
    gate = Gate(library.accounts, library.audit, "password")
    gate.require(caller, "harvest", f"{year}年{group or ''}")
    summary = Harvester(library, settings, **kwargs).run(year, group)
    gate.record(caller, "harvest", target=f"{year}年{group or ''}", detail=summary.describe().split("\n")[0],
                channel=channel)
    return summary
