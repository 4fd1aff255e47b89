"""Harvesting (issue 25) against a local HTTP server the test starts, serving list and article pages made from
the shared reports in the shapes government sites use: TRS list pages with dates and createPageHTML pagination,
an article with the report inline, one with a PDF attachment, one with a DOCX attachment; and a 404, a redirect
loop, a slow server, a 200 MB attachment, an HTML page where a PDF was promised, a non-report article with a
similar title and a robots.txt refusal — each with its outcome, and nothing half-stored. A second harvest adds
nothing and downloads no attachment again; the per-host rate limit holds.
"""
from __future__ import annotations

import io
import sys
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest

from conftest import SHARED, gold
from render import render_docx
from assistant.access import AccessDenied, Caller
from assistant.season import import_roster
from assistant.season.harvest import (FAILED, NEW, NOT_FOUND, SKIPPED, UNCHANGED, HarvestSettings, harvest,
                                      is_report_title, list_items)
from assistant.season.board import season_board
from vectorstore.library import Library
from vectorstore.roster import RosterStore

pytestmark = pytest.mark.usefixtures("engine_env")
ADMIN = Caller("张三", "admin")
BIG = 200 * 1024 * 1024
FAST = dict(rate_seconds=0.0, connect_timeout=2.0, read_timeout=0.5, max_file_bytes=50 * 1024 * 1024)


def trs_list(items: list[tuple[str, str, str]], pages: int = 1, current: int = 0) -> bytes:
    """A TRS list page: <ul class="list"><li><a href title>…</a><span>date</span></li>…, and its pager script."""
    lis = "".join(f'<li><a href="{href}" title="{title}" target="_blank">{title[:24]}…</a><span>{d}</span></li>'
                  for title, href, d in items)
    pager = (f'<script>createPageHTML({pages}, {current}, "index", "html");</script>' if pages > 1 else "")
    return (f'<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
            f'<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>'
            f'<div class="main"><ul class="list">{lis}</ul><div class="page">{pager}</div></div>'
            f'<div class="footer"><a href="/about.html">关于我们</a> 主办单位：某某县人民政府办公室</div></body></html>'
            ).encode("utf-8")


def trs_article(title: str, pub: str, body: str) -> bytes:
    return (f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">'
            f'<meta name="PubDate" content="{pub} 09:30"><title>{title}</title></head><body>'
            f'<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 年报</div>'
            f'<h1>{title}</h1><div class="info">发布时间：{pub} 来源：本站 【字体：大 中 小】</div>'
            f'<div class="TRS_Editor">{body}</div>'
            f'<div class="related"><a href="/zwgk/1.html">相关链接一</a><a href="/zwgk/2.html">相关链接二</a></div>'
            f'</body></html>').encode("utf-8")


def inline_body() -> str:
    tree = lxml.html.fromstring((SHARED / "reports" / "015_shuyang_fgj_2023.html").read_bytes())
    return lxml.html.tostring(tree.xpath("//*[@id='zoomcon']")[0], encoding="unicode")


class Site:
    """The routes of the test server, what each path was asked for, and how many bytes of the big file left."""

    def __init__(self, tmp: Path):
        fgj_t = "沭阳县发展和改革局2023年政府信息公开年度报告"
        hz_t = "洪泽区人民政府2023年政府信息公开工作年度报告"
        scj_t = "平潭综合实验区市场监督管理局2023年度政府信息公开工作年度报告"
        docx = render_docx(gold("026_pingtan_scj_2023"), tmp / "scj.docx").read_bytes()
        self.routes: dict[str, tuple[int, str, bytes]] = {
            "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /private/\n"),
            # 沭阳县发改局: page 1 has a notice with a similar title and last year's report; page 2 (TRS index_1) the report
            "/fgj/index.html": (200, "text/html", trs_list([
                ("关于做好2023年政府信息公开工作年度报告编制发布工作的通知", "./202312/t20231201_1.html", "2023-12-01"),
                ("沭阳县发展和改革局2022年政府信息公开年度报告", "./202301/t20230116_2.html", "2023-01-16"),
                ("沭阳县发展和改革局2023年第四季度重点工作", "./202401/t20240105_3.html", "2024-01-05")], pages=2)),
            "/fgj/index_1.html": (200, "text/html", trs_list([
                (fgj_t, "./202401/t20240118_9.html", "2024-01-18")], pages=2, current=1)),
            "/fgj/202401/t20240118_9.html": (200, "text/html", trs_article(fgj_t, "2024-01-18", inline_body())),
            # 洪泽区人民政府: the report as a PDF attachment
            "/hz/list.html": (200, "text/html", trs_list([(hz_t, "/hz/art/1.html", "2024-03-20")])),
            "/hz/art/1.html": (200, "text/html", trs_article(
                hz_t, "2024-03-20", '<p>现将洪泽区人民政府2023年政府信息公开工作年度报告予以公布。</p>'
                                    '<p>附件：<a href="/files/hz2023.pdf">洪泽区2023年年报.pdf</a></p>')),
            "/files/hz2023.pdf": (200, "application/pdf", (SHARED / "reports" / "005_hongze_district_2023.pdf").read_bytes()),
            # 平潭市场监管局: a DOCX attachment
            "/scj/list.html": (200, "text/html", trs_list([(scj_t, "/scj/a.html", "2024-01-30")])),
            "/scj/a.html": (200, "text/html", trs_article(scj_t, "2024-01-30", '<p>详见附件。</p>'
                                                           '<a href="/files/scj2023.docx">下载附件</a>')),
            "/files/scj2023.docx": (200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx),
            # a non-report article with a similar title only (a 图解 and the 工作要点)
            "/jyj/list.html": (200, "text/html", trs_list([
                ("图解：沭阳县教育局2023年政府信息公开工作年度报告", "/jyj/1.html", "2024-01-20"),
                ("沭阳县教育局2023年政务公开工作要点", "/jyj/2.html", "2023-03-01")])),
            # an HTML page where a PDF was promised
            "/mzj/list.html": (200, "text/html", trs_list([("沭阳县民政局2023年政府信息公开工作年度报告", "/mzj/1.html", "2024-01-22")])),
            "/mzj/1.html": (200, "text/html", trs_article("沭阳县民政局2023年政府信息公开工作年度报告", "2024-01-22",
                                                          '<p>附件：<a href="/files/mzj.pdf">年报.pdf</a></p>')),
            "/files/mzj.pdf": (200, "text/html", b"<html><body>\xe8\xaf\xb7\xe5\x85\x88\xe7\x99\xbb\xe5\xbd\x95</body></html>"),
            # a 200 MB attachment
            "/czj/list.html": (200, "text/html", trs_list([("沭阳县财政局2023年政府信息公开工作年度报告", "/czj/1.html", "2024-01-25")])),
            "/czj/1.html": (200, "text/html", trs_article("沭阳县财政局2023年政府信息公开工作年度报告", "2024-01-25",
                                                          '<p>附件：<a href="/files/big.pdf">年报.pdf</a></p>')),
            "/private/list.html": (200, "text/html", trs_list([("某局2023年政府信息公开工作年度报告", "/private/1.html", "2024-01-01")])),
        }
        self.hits: list[tuple[str, float]] = []
        self.proxied: list[str] = []
        self.big_sent = 0
        self.lock = threading.Lock()


def make_handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            # through a proxy the request line holds the whole URL (http://intranet.example/…)
            proxied = self.path.startswith("http")
            path = (urlsplit(self.path).path if proxied else self.path).split("?")[0]
            with site.lock:
                site.hits.append((path, time.monotonic()))
                if proxied:
                    site.proxied.append(urlsplit(self.path).netloc)
            if path in ("/loop/a", "/loop/b"):
                self.send_response(302)
                self.send_header("Location", "/loop/b" if path == "/loop/a" else "/loop/a")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if path == "/slow/list.html":
                time.sleep(3)
            if path == "/files/big.pdf":
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(BIG))
                self.end_headers()
                chunk = b"%PDF-1.4\n" + b"0" * (64 * 1024 - 9)
                try:
                    for _ in range(BIG // len(chunk)):
                        self.wfile.write(chunk)
                        site.big_sent += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            status, kind, body = site.routes.get(path, (404, "text/html", "<html>页面不存在</html>".encode()))
            self.send_response(status)
            self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text") else ""))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
    return Handler


@pytest.fixture
def site(tmp_path):
    s = Site(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(s))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    s.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield s
    server.shutdown()
    server.server_close()


def roster_for(site: Site, tmp: Path) -> Path:
    b = site.base
    rows = [("沭阳县发展和改革局", "沭阳县发改局", "部门", "沭阳县", f"{b}/fgj/index.html"),
            ("淮安市洪泽区人民政府", "洪泽区人民政府", "政府", "洪泽区", f"{b}/hz/list.html"),
            ("平潭综合实验区市场监督管理局", "", "部门", "平潭", f"{b}/scj/list.html"),
            ("沭阳县教育局", "", "部门", "沭阳县", f"{b}/jyj/list.html"),
            ("沭阳县民政局", "", "部门", "沭阳县", f"{b}/mzj/list.html"),
            ("沭阳县财政局", "", "部门", "沭阳县", f"{b}/czj/list.html"),
            ("沭阳县司法局", "", "部门", "沭阳县", f"{b}/sfj/list.html"),          # 404
            ("沭阳县交通运输局", "", "部门", "沭阳县", f"{b}/loop/a"),                # redirect loop
            ("沭阳县水利局", "", "部门", "沭阳县", f"{b}/slow/list.html"),           # slow
            ("沭阳县审计局", "", "部门", "沭阳县", f"{b}/private/list.html"),        # robots.txt
            ("沭阳县统计局", "", "部门", "沭阳县", "")]                               # no list page
    p = tmp / "名册.csv"
    p.write_text("单位名称,其他名称,层级,分组,年报栏目网址\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return p


def test_list_pages_and_titles():
    items, more = list_items(trs_list([("甲县财政局2023年政府信息公开工作年度报告", "./a/1.html", "2024-01-20")], pages=3),
                             "http://x.gov.cn/czj/index.html")
    assert items[0].url == "http://x.gov.cn/czj/a/1.html" and items[0].date == "2024-01-20"
    assert more == ["http://x.gov.cn/czj/index_1.html", "http://x.gov.cn/czj/index_2.html"]
    assert is_report_title("沭阳县发展和改革局2023年政府信息公开年度报告", 2023)
    assert is_report_title("平潭综合实验区市场监督管理局2023年度政府信息公开工作年度报告", 2023)
    assert not is_report_title("沭阳县发展和改革局2022年政府信息公开年度报告", 2023)
    assert not is_report_title("关于做好2023年政府信息公开工作年度报告编制发布工作的通知", 2023)
    assert not is_report_title("图解：沭阳县教育局2023年政府信息公开工作年度报告", 2023)
    assert not is_report_title("沭阳县教育局2023年政务公开工作要点", 2023)


def test_harvest_finds_each_units_report_and_a_second_run_adds_nothing(site, tmp_path):
    library = Library(tmp_path / "data")
    import_roster(library, ADMIN, roster_for(site, tmp_path))
    settings = HarvestSettings(**FAST)
    summary = harvest(library, ADMIN, 2023, settings=settings)
    by = {o.unit: o for o in summary.outcomes}
    assert by["沭阳县发展和改革局"].status == NEW and by["沭阳县发展和改革局"].page_date == "2024-01-18"
    assert by["淮安市洪泽区人民政府"].status == NEW and by["淮安市洪泽区人民政府"].page_date == "2024-03-20"
    assert by["平潭综合实验区市场监督管理局"].status == NEW
    assert by["沭阳县教育局"].status == NOT_FOUND
    assert by["沭阳县教育局"].message == "年报栏目中没有找到2023年度政府信息公开工作年度报告（查看了 1 页、2 条）"
    assert by["沭阳县民政局"].status == FAILED
    assert "链接应为 PDF 文件，网站返回的却是网页" in by["沭阳县民政局"].message
    assert by["沭阳县财政局"].status == FAILED
    assert "文件大小 200 MB 超过上限 50 MB，未下载" in by["沭阳县财政局"].message
    assert site.big_sent < 5 * 1024 * 1024                     # refused on its Content-Length, not downloaded
    assert by["沭阳县司法局"].status == FAILED and by["沭阳县司法局"].message.startswith("网页不存在（HTTP 404）")
    assert by["沭阳县交通运输局"].status == FAILED and "网址重定向循环" in by["沭阳县交通运输局"].message
    assert by["沭阳县水利局"].status == FAILED and by["沭阳县水利局"].message.startswith("网站响应超时（超过 0.5 秒）")
    assert by["沭阳县审计局"].status == FAILED and by["沭阳县审计局"].message.startswith("网站的 robots.txt 不允许采集")
    assert not any(p == "/private/list.html" for p, _ in site.hits)
    assert by["沭阳县统计局"].status == SKIPPED
    text = summary.describe()
    assert text.startswith("2023年度年报采集完成：11 个单位，找到 3 份（新增 3，未变化 0），未找到 1，失败 6，未采集 1。")
    # what is stored: the three reports, read right, with the URL and page date as provenance
    records = {r.agency: r for r in library.reports()}
    assert set(records) == {"沭阳县发展和改革局", "淮安市洪泽区人民政府", "平潭综合实验区市场监督管理局"}
    assert all(r.year == 2023 for r in records.values())
    assert records["沭阳县发展和改革局"].format == "2021"
    prov = RosterStore(library.db).provenance()
    fgj = prov[records["沭阳县发展和改革局"].sha256]
    assert (fgj.page_date, fgj.article_url) == ("2024-01-18", f"{site.base}/fgj/202401/t20240118_9.html")
    assert prov[records["淮安市洪泽区人民政府"].sha256].url == f"{site.base}/files/hz2023.pdf"
    # nothing half-stored: no .part files, no file of the failed units
    files = sorted(p.name for p in (tmp_path / "data" / "harvest").rglob("*") if p.is_file())
    assert len(files) == 3 and not any(f.endswith(".part") for f in files)
    # the board uses the page dates: 洪泽区 (a government, by 3月31日) on time
    board = {r.unit.name: r for r in season_board(library, 2023, today=date(2024, 4, 10)).rows}
    assert board["淮安市洪泽区人民政府"].page_date == date(2024, 3, 20) and board["淮安市洪泽区人民政府"].status == "on_time"
    assert board["沭阳县发展和改革局"].signed == date(2024, 1, 17) and board["沭阳县发展和改革局"].page_date == date(2024, 1, 18)
    # a second harvest: nothing new, no attachment downloaded again
    before = len(library.reports())
    pdf_hits = sum(p == "/files/hz2023.pdf" for p, _ in site.hits)
    again = harvest(library, ADMIN, 2023, settings=settings)
    again_by = {o.unit: o for o in again.outcomes}
    for unit in ("沭阳县发展和改革局", "淮安市洪泽区人民政府", "平潭综合实验区市场监督管理局"):
        assert again_by[unit].status == UNCHANGED, again_by[unit].message
    assert again.describe().startswith("2023年度年报采集完成：11 个单位，找到 3 份（新增 0，未变化 3）")
    assert len(library.reports()) == before
    assert sum(p == "/files/hz2023.pdf" for p, _ in site.hits) == pdf_hits
    entries = library.audit.entries(5, action="harvest")
    assert entries and entries[0].detail.startswith("2023年度年报采集完成")


def test_rate_limit_per_host_and_roles(site, tmp_path):
    library = Library(tmp_path / "data")
    import_roster(library, ADMIN, roster_for(site, tmp_path))
    with pytest.raises(AccessDenied, match="“采集年报”需要"):
        harvest(library, Caller("李四", "viewer"), 2023, settings=HarvestSettings(**FAST))
    site.hits.clear()
    settings = HarvestSettings(**{**FAST, "rate_seconds": 0.3})
    from assistant.season.harvest import Harvester
    h = Harvester(library, settings)
    unit = next(u for u in RosterStore(library.db).units() if u.name == "沭阳县教育局")
    outcome = h.unit(unit, 2023, [])
    assert outcome.status == NOT_FOUND
    times = [t for _, t in site.hits]
    assert len(times) == 2                                       # robots.txt, the list page
    assert all(b - a >= 0.29 for a, b in zip(times, times[1:]))
    assert HarvestSettings().rate_seconds == 2.0


def test_harvest_command(site, tmp_path, monkeypatch):
    import cli
    d = ["--data-dir", str(tmp_path / "data")]
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    assert cli.main(["roster", "import", str(roster_for(site, tmp_path)), *d]) == 0
    monkeypatch.setenv("NIANBAO_HARVEST_TIMEOUT_SECONDS", "0.5")
    code = cli.main(["harvest", "--year", "2023", "--group", "沭阳县", "--rate", "0", *d])
    assert code == 2                                             # some units failed: a cron job sees it
    text = out.getvalue()
    assert "2023年度年报采集完成：9 个单位，找到 1 份（新增 1，未变化 0），未找到 1，失败 6，未采集 1。" in text
    assert "- 沭阳县司法局：失败。网页不存在（HTTP 404）" in text
    assert "沭阳县发展和改革局：" in err.getvalue()              # progress, one line a unit


def test_proxy_setting_for_an_intranet(site, tmp_path):
    """A list page on a host only the proxy reaches (the test server plays the proxy)."""
    library = Library(tmp_path / "data")
    roster = tmp_path / "r.csv"
    roster.write_text("单位名称,层级,年报栏目网址\n平潭综合实验区市场监督管理局,部门,http://intranet.example/scj/list.html\n",
                      encoding="utf-8")
    import_roster(library, ADMIN, roster)
    summary = harvest(library, ADMIN, 2023, settings=HarvestSettings(**FAST, proxy=site.base))
    assert [o.status for o in summary.outcomes] == [NEW], summary.describe()
    assert set(site.proxied) == {"intranet.example"}
    assert RosterStore(library.db).page("http://intranet.example/files/scj2023.docx").page_date == "2024-01-30"


def test_page_pictures_become_one_pdf_and_pictures_beside_a_report_are_left():
    import pdfplumber
    from PIL import Image
    from assistant.season.harvest import images_to_pdf, read_article

    def png(color) -> bytes:
        buf = io.BytesIO()
        Image.new("RGB", (600, 800), color).save(buf, format="PNG")
        return buf.getvalue()
    with pdfplumber.open(io.BytesIO(images_to_pdf([png("white"), png("gray")]))) as pdf:
        assert len(pdf.pages) == 2
    page = trs_article("甲县财政局2023年政府信息公开工作年度报告", "2024-01-25",
                       '<p><img src="/u/p1.jpg"></p><p><img src="/u/p2.jpg"></p><p><img src="/u/icon.png" width="16"></p>')
    article = read_article(page, "http://x.gov.cn/czj/1.html", 800)
    assert article.body_html is None and article.page_date == "2024-01-25"
    assert [a[0] for a in article.attachments] == ["http://x.gov.cn/u/p1.jpg", "http://x.gov.cn/u/p2.jpg"]
