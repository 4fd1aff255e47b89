"""Read a saved web page (.html/.htm) of an annual report into a `Document`: the article only.

Steps: decode the bytes (a declared non-UTF-8 `<meta charset>` such as GBK is honoured), parse with lxml.html,
drop scripts/styles/hidden elements, read page metadata (`<title>`, the article `<h1>`, the 索引号/发布机构/公开日期
table that government sites print above the article, `label：value` lines around it) into `Document.meta`,
pick the article element (`<article>`, `#zoomcon`, `.article-content`, `.TRS_Editor` …, else the element that
holds most of the page's non-link Chinese text), drop navigation/breadcrumbs/share bars inside it, and
walk it in order: `<p>`/`<div>`/… and `<br>` end paragraphs, data tables become `RawTable`s.

Tables are expanded to a grid: a cell with rowspan/colspan carries its text at its first position and the
positions it covers are `TextCell('', spanned=True)`; a real blank cell (or a position a short row does not
reach) is `TextCell('')`, so blank cells stay blank. Layout tables (tables holding tables, or a
single column) are read as running text. Sources: `Source(line=k)` for paragraphs, k = 1-based position of the
block in `Document.blocks`; `Source(table=i, row=r, col=c)` (0-based) for cells.

`meta` keys: `title` (h1, else the 名称/标题 row, else `<title>`), `html_title`, `h1` (the visible article title: an <h1>, or a title element reading like a report title), and every
label found in a metadata table or label line, under its printed label (索引号, 发布机构, 公开日期, 成文日期 …).
"""
from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from lxml import etree

from ingest.document import Document, Paragraph, RawTable, Source, TextCell
from ingest.errors import ExtractError
from ingest.loaders.encoding import decode_text
from ingest.text import ascii_numbers, is_cjk, join_lines

# ---------------------------------------------------------------------------------------------------------
# decoding and parsing

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""", re.I)
_GB_FAMILY = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "cp936", "gb18030", "euc-cn", "hz-gb-2312"}


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 8 KB (`<meta charset>`, http-equiv or XML declaration)."""
    head = data[:8192]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii").lower() if m else None


def decode_html(data: bytes, name: str = "") -> str:
    """BOM first, then valid UTF-8, then the declared charset (GBK family → GB18030), then `decode_text`."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    charset = declared_charset(data)
    if charset and not charset.startswith(("utf-8", "utf8", "utf-16", "unicode")):
        codec = "gb18030" if charset in _GB_FAMILY else charset
        try:
            return data.decode(codec)
        except LookupError:
            pass
        except UnicodeDecodeError:
            text = data.decode(codec, errors="replace")
            if text.count("\ufffd") <= max(3, len(text) // 200):  # a few broken bytes in an otherwise fine page
                return text
    return decode_text(data, name)


def _parse(text: str, name: str):
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as e:
        raise ExtractError("empty_html", f"HTML文件中没有可读取的内容：{name}。请确认保存的是完整的网页。") from e
    return root


# ---------------------------------------------------------------------------------------------------------
# text helpers

_WS = re.compile(r"[ \t\r\n\f\v\u00a0\u2002\u2003\u2009\u200b\ufeff]+")
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
               "dl", "dt", "dd", "blockquote", "pre", "center", "address", "figure", "figcaption", "header",
               "footer", "nav", "aside", "form", "fieldset", "hr", "table", "tr", "td", "th", "caption",
               "tbody", "thead", "tfoot", "body", "html", "legend", "details", "summary"}
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "select",
              "option", "button", "input", "textarea", "map", "audio", "video", "link", "meta", "head")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _collapse(text: str) -> str:
    """HTML white space → one space; a run that contained a line break between two CJK characters → nothing."""
    def repl(m: re.Match) -> str:
        s, start, end = m.string, m.start(), m.end()
        if "\n" in m.group(0) and start > 0 and end < len(s) and is_cjk(s[start - 1]) and is_cjk(s[end]):
            return ""
        return " "
    return ascii_numbers(_WS.sub(repl, text).strip(" \u3000"))


def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _cjk_count(text: str | None) -> int:
    return sum(1 for ch in text or "" if "\u4e00" <= ch <= "\u9fff")


class _Flow:
    """Walks an element in document order, turning inline text into lines. Tables go to `on_table`, which
    returns False to have the walker read the table as running text instead."""

    def __init__(self, on_line, on_table=None, skip=frozenset()):
        self.on_line, self.on_table, self.skip = on_line, on_table, skip
        self.buf: list[str] = []

    def flush(self):
        text = _collapse("".join(self.buf))
        self.buf = []
        if text:
            self.on_line(text)

    def add(self, text: str | None, in_pre: bool):
        if not text:
            return
        if in_pre:
            parts = text.split("\n")
            for i, part in enumerate(parts):
                if i:
                    self.flush()
                self.buf.append(part)
        else:
            self.buf.append(text)

    def walk(self, el, in_pre: bool = False):
        tag = _tag(el)
        if not tag or el in self.skip:
            return
        if tag == "br":
            self.flush()
            return
        if tag == "table" and self.on_table is not None:
            self.flush()
            if self.on_table(el):
                return
        block = tag in _BLOCK_TAGS
        in_pre = in_pre or tag == "pre"
        if block:
            self.flush()
        self.add(el.text, in_pre)
        for child in el:
            self.walk(child, in_pre)
            self.add(child.tail, in_pre)
        if block:
            self.flush()


def _element_lines(el, skip=frozenset()) -> list[str]:
    lines: list[str] = []
    flow = _Flow(lines.append, skip=skip)
    flow.walk(el)
    flow.flush()
    return lines


# ---------------------------------------------------------------------------------------------------------
# tables

def _rows(table) -> list:
    """The table's own rows (not those of nested tables), through thead/tbody/tfoot."""
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if _tag(c) == "tr")
    return rows


def _span(el, attr: str, limit: int) -> int:
    m = re.match(r"\s*(\d+)", el.get(attr) or "")
    if not m:
        return 1
    n = int(m.group(1))
    if n == 0 and attr == "rowspan":
        return limit  # rowspan="0": to the end of the table
    return max(1, min(n, limit))


def _cell_text(td) -> str:
    return join_lines(_element_lines(td))


def table_grid(table, covers: dict | None = None) -> list[list[str | None]]:
    """The table as a grid of strings; a spanning cell's text sits at its top-left position only, and the
    other positions it covers are None (a real blank cell is ""). With `covers`, each position covered from
    a row above is recorded there with the merged cell's text."""
    trs = _rows(table)
    placed: dict[tuple[int, int], str | None] = {}
    for r, tr in enumerate(trs):
        c = 0
        for td in tr:
            if _tag(td) not in ("td", "th"):
                continue
            while (r, c) in placed:
                c += 1
            colspan = _span(td, "colspan", 1000)
            rowspan = _span(td, "rowspan", len(trs) - r)
            text = _cell_text(td)
            for dr in range(rowspan):
                for dc in range(colspan):
                    placed[(r + dr, c + dc)] = text if dr == 0 and dc == 0 else None   # None: spanned
                    if dr > 0 and covers is not None:
                        covers[(r + dr, c + dc)] = text
            c += colspan
    width = max((c + 1 for (_, c) in placed), default=0)
    return [[placed.get((r, c), "") for c in range(width)] for r in range(len(trs))]


def _is_layout_table(table, grid: list[list[str]]) -> bool:
    """A table used for page layout: it holds other tables, or it has a single column."""
    nested = any(_tag(d) == "table" for d in table.iterdescendants())
    width = max((len(r) for r in grid), default=0)
    return nested or width <= 1


# ---------------------------------------------------------------------------------------------------------
# metadata

META_LABELS = ("索引号", "发布机构", "公开日期", "发布日期", "成文日期", "发文日期", "生成日期", "发布时间", "文号",
               "发文字号", "文件编号", "分类", "主题分类", "组配分类", "体裁分类", "名称", "标题", "关键词", "主题词",
               "公开方式", "公开范围", "公开时限", "有效性", "信息来源", "来源", "来源单位", "发文机关", "发文机构",
               "单位", "采集时间", "所属机构", "信息时效")
_META_LABEL_SET = set(META_LABELS)
_LABEL_LINE = re.compile("(" + "|".join(sorted(map(re.escape, META_LABELS), key=len, reverse=True)) + r")\s*[：:]\s*")


def _label(text: str | None) -> str:
    return re.sub(r"[\s\u3000：:]", "", text or "")


def _meta_table_pairs(grid: list[list[str]]) -> dict[str, str] | None:
    """label → value pairs if the table is a page-metadata table (索引号/发布机构/公开日期 …), else None."""
    cells = [c for row in grid for c in row if c]
    labels = [c for c in cells if _label(c) in _META_LABEL_SET]
    if len(grid) > 12 or len(labels) < 2 or len(labels) * 4 < len(cells):
        return None
    pairs: dict[str, str] = {}
    for row in grid:
        for i, cell in enumerate(row):
            key = _label(cell)
            if key not in _META_LABEL_SET:
                continue
            value = next((v for v in row[i + 1:] if v), "")
            if value and _label(value) not in _META_LABEL_SET:
                pairs.setdefault(key, _collapse(value))
    return pairs


def _label_line_pairs(line: str) -> dict[str, str]:
    """'发布时间：2024-01-17 来源：沭阳县发改局' → {'发布时间': '2024-01-17', '来源': '沭阳县发改局'}."""
    matches = list(_LABEL_LINE.finditer(line))
    pairs = {}
    for i, m in enumerate(matches):
        if i == 0 and line[:m.start()].strip():
            return {}
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        value = line[m.end():end].strip()
        if value and len(value) <= 120:
            pairs.setdefault(m.group(1), value)
    return pairs


# ---------------------------------------------------------------------------------------------------------
# choosing the article

_CANDIDATE_IDS = ("zoomcon", "zoom", "fontzoom", "ucap-content", "content", "article", "artibody", "newscontent",
                  "info_content", "detail", "xxgk_content", "mainbody", "contenttext", "textcontent")
_CANDIDATE_CLASSES = ("article-content", "article_content", "trs_editor", "trs_ueditor", "trs_editor_view",
                      "view", "article", "content", "detail", "details", "zw", "text", "main-content",
                      "article-body", "news_content", "xl_content", "con", "bt-content", "wz_content")
_NOISE_TOKENS = {"nav", "navbar", "menu", "breadcrumb", "breadcrumbs", "crumb", "crumbs", "bread", "position",
                 "location", "dqwz", "header", "footer", "foot", "sidebar", "share", "bdshare", "toolbar",
                 "copyright", "print", "search", "topbar", "pager", "pagination", "related", "xgxx", "fxd"}
_JUNK_LINE = re.compile(r"^(当前位置|您现在的位置|你现在的位置|您所在的位置|你的位置|现在位置)\s*[：:]|"
                        r"^【?\s*(字体|字号)\s*[：:]|^【?\s*(打印本页|打印|关闭窗口|关闭|收藏|分享到?)\s*】?$|"
                        r"^(扫一扫在手机(上)?打开当前页|浏览次数|阅读次数|访问次数|责任编辑)")


def _weights(root, prose: bool = False) -> dict:
    """Each element's count of Chinese characters outside links (navigation is mostly links); with `prose`, also
    outside tables (what tells a report's text from a long appendix table after it)."""
    weights: dict = {}

    def visit(el, in_link: bool) -> int:
        tag = _tag(el)
        in_link = in_link or tag == "a" or (prose and tag == "table")
        total = 0 if in_link else _cjk_count(el.text)
        for child in el:
            if isinstance(child.tag, str):
                total += visit(child, in_link)
            if not in_link:
                total += _cjk_count(child.tail)
        weights[el] = total
        return total

    visit(root, False)
    return weights


def _tokens(el) -> set[str]:
    raw = f"{el.get('id') or ''} {el.get('class') or ''}".lower()
    return {t for t in re.split(r"[^a-z0-9]+", raw) if t}


def _is_candidate(el) -> bool:
    tag = _tag(el)
    if tag == "article":
        return True
    ident = (el.get("id") or "").lower()
    classes = set((el.get("class") or "").lower().split())
    return ident in _CANDIDATE_IDS or bool(classes & set(_CANDIDATE_CLASSES))


def _depth(el) -> int:
    return sum(1 for _ in el.iterancestors())


PROSE_SHARE = 0.5     # a part of the page holding most characters but less than this share of its prose is not
                      # the report (a 3,000-row appendix table after it would otherwise hide the report's tables)


def _content_root(body, weights: dict):
    total = weights.get(body, 0)
    if total == 0:
        return body
    prose = _weights(body, prose=True)

    def mostly_table(el, of) -> bool:
        return prose.get(of, 0) > 0 and prose.get(el, 0) < PROSE_SHARE * prose.get(of, 0)
    candidates = [el for el in body.iter() if isinstance(el.tag, str) and _is_candidate(el)
                  and weights.get(el, 0) >= 0.3 * total and not mostly_table(el, body)]
    if candidates:
        best = max(weights[el] for el in candidates)
        near = [el for el in candidates if weights[el] >= 0.9 * best]
        return max(near, key=_depth)
    node = body
    while True:  # descend while one child still holds most of the text
        children = [c for c in node if isinstance(c.tag, str)]
        if not children:
            return node
        top = max(children, key=lambda c: weights.get(c, 0))
        if weights.get(top, 0) < 0.85 * weights.get(node, 0) or mostly_table(top, node):
            return node
        node = top


def _drop(el) -> None:
    if el.getparent() is not None:
        el.drop_tree()  # keeps the tail text


def _drop_invisible(root) -> None:
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            if el.getparent() is not None:
                _drop(el)  # comments, processing instructions
            continue
    for el in list(root.iter(*_DROP_TAGS)):
        _drop(el)
    for el in list(root.iter()):
        if isinstance(el.tag, str) and (el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or "")):
            _drop(el)


def _drop_noise(content, weights: dict) -> None:
    """Navigation, breadcrumbs, share bars inside the article: small elements named like them."""
    limit = 0.2 * max(weights.get(content, 0), 1)
    for el in list(content.iterdescendants()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        noisy = _tag(el) in ("nav", "aside", "header", "footer") or bool(_tokens(el) & _NOISE_TOKENS)
        if noisy and weights.get(el, 0) <= limit:
            _drop(el)


_REPORT_TITLE = re.compile(r"年度?报告|年报")


def _pick_title(body, content):
    """The article's visible title: an <h1> inside the article, else an <h1>/<h2> or an element named like
    a title outside it whose text reads like a report title. A site logo in an <h1> is not a title."""
    inside = [h for h in content.iter("h1") if _collapse(h.text_content())]
    if inside:
        return inside[0]
    for el in body.iter():
        if not isinstance(el.tag, str) or el is content or content in el.iterancestors():
            continue
        if _tag(el) in ("h1", "h2") or any("title" in t for t in _tokens(el)):
            text = _collapse(el.text_content())
            in_link = next(el.iterancestors("a"), None) is not None or next(el.iter("a"), None) is not None
            if 6 <= len(text) <= 80 and _REPORT_TITLE.search(text) and not in_link:
                return el
    return None


# ---------------------------------------------------------------------------------------------------------
# the loader

def load_html(path: Path) -> Document:
    path = Path(path)
    text = decode_html(path.read_bytes(), path.name)
    root = _parse(text, path.name)

    meta: dict = {}
    title_el = root.find(".//title")
    if title_el is not None and _collapse(title_el.text_content()):
        meta["html_title"] = _collapse(title_el.text_content())
    html_meta = {(m.get("name") or "").lower(): _collapse(m.get("content") or "") for m in root.iter("meta")}

    _drop_invisible(root)
    body = root.find(".//body")
    if body is None:
        body = root

    # Metadata tables anywhere on the page are metadata, never report tables.
    meta_tables = set()
    for table in body.iter("table"):
        pairs = _meta_table_pairs(table_grid(table))
        if pairs is not None:
            meta_tables.add(table)
            for k, v in pairs.items():
                meta.setdefault(k, v)

    weights = _weights(body)
    content = _content_root(body, weights)
    _drop_noise(content, weights)

    # Label lines ('发布机构：…') outside the article.
    if content is not body:
        for line in _element_lines(body, skip=frozenset([content, *meta_tables])):
            for k, v in _label_line_pairs(line).items():
                meta.setdefault(k, v)
    for name, key in (("pubdate", "公开日期"), ("contentsource", "发布机构")):
        if html_meta.get(name):
            meta.setdefault(key, html_meta[name])

    title = _pick_title(body, content)
    if title is not None:
        meta["h1"] = _collapse(title.text_content())
    meta["title"] = meta.get("h1") or meta.get("名称") or meta.get("标题") or html_meta.get("articletitle") \
        or meta.get("html_title", "")

    items: list = []   # paragraphs (str) and (table grid, covered positions), in order

    def on_line(line: str) -> None:
        if not _JUNK_LINE.search(line):
            items.append(line)

    def on_table(table) -> bool:
        if table in meta_tables:
            return True
        covers: dict = {}
        grid = table_grid(table, covers)
        if _is_layout_table(table, grid):
            return False
        caption = next((c for c in table if _tag(c) == "caption"), None)
        if caption is not None and _cell_text(caption):
            items.append(_cell_text(caption))
        if any(cell for row in grid for cell in row):
            items.append((grid, covers))
        return True

    flow = _Flow(on_line, on_table)
    flow.walk(content)
    flow.flush()

    if meta.get("h1") and not any(isinstance(x, str) and _label(x) == _label(meta["h1"]) for x in items[:3]):
        items.insert(0, meta["h1"])

    blocks: list[Paragraph | RawTable] = []
    table_no = 0
    for k, item in enumerate(items, start=1):
        if isinstance(item, str):
            blocks.append(Paragraph(item, Source(line=k)))
        else:
            grid, covers = item
            rows = [[TextCell(text or "", Source(table=table_no, row=r, col=c), spanned=text is None,
                              merged=covers.get((r, c)))
                     for c, text in enumerate(row)] for r, row in enumerate(grid)]
            blocks.append(RawTable(rows, Source(table=table_no)))
            table_no += 1
    return Document(path=str(path), kind="html", blocks=blocks, meta=meta)
