"""Text from a report, a unit or a user renders as text (issue 21): the chat filter's bypasses — nested brackets,
escaped brackets, reference-style images inside lists and quotes, protocol-relative links, autolinks, HTML —
rendered by a real CommonMark renderer (markdown-it-py, HTML allowed, as the page's renderer) give no image and
no link; and every Markdown box that shows report text on 核查, 体检, 与上年比对 and the 年报库 log filters so."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from assistant.views import safe_markdown

REPO = Path(__file__).resolve().parents[1]
HOST = "evil.example"
BYPASSES = [
    f"![a[b]c](//{HOST}/x.png)",                                  # nested brackets
    f"![a[b[c]d]e](//{HOST}/x.png)",
    f"![a\\]b](//{HOST}/x.png)",                                  # an escaped bracket inside
    f"\\\\![a](//{HOST}/x.png)",                                  # an escaped backslash before
    f"!\\[a\\](//{HOST}/x.png)",
    f"- 第一项\n- ![a][r]\n\n[r]: //{HOST}/x.png",                 # reference-style image in a list
    f"> 引文 ![a][r]\n>\n> [r]: //{HOST}/x.png",                  # ... in a quote
    f"- 项\n\n  [r]: //{HOST}/x.png\n\n  ![r]",                  # shortcut reference in a list item
    f"[点我](//{HOST}/x)",                                         # protocol-relative link
    f"[点[我]](//{HOST}/x)",
    f"<//{HOST}/x>", f"<http://{HOST}/x>",                         # autolinks
    f"<img src=//{HOST}/x.png>", f"<IMG SRC=\"//{HOST}/x.png\">",   # HTML
    f"[a]: //{HOST}/x\n\n见[a]。",                                  # shortcut reference link
    f"http://{HOST}/x 与 www.{HOST}/y",                           # bare addresses
]


def render(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


@pytest.mark.parametrize("attack", BYPASSES)
def test_no_image_and_no_link_survive(attack):
    html = render(safe_markdown(attack))
    assert "<img" not in html.lower() and "<a " not in html.lower(), html
    assert not re.search(r"<[a-z]+[^>]*\s(?:src|href)\s*=", html, re.I), html       # no tag fetches or links


def test_the_words_stay_readable():
    html = render(safe_markdown("见[这里](//evil.example/x)，表三[注1]：12件〔表三〕 ![封面](//evil.example/c.png)"))
    assert "见这里" in html and "表三[注1]" in html and "12件〔表三〕" in html and "［图片已屏蔽：封面］" in html
    folded = render(safe_markdown("<details><summary>相同的句子</summary>\n\n- 甲\n\n</details>"))
    assert "<details>" in folded and "<summary>相同的句子</summary>" in folded       # the product's own folds


def test_an_escaped_bracket_shows_as_a_bracket():
    html = render(safe_markdown("完善制度![图\\]x](//evil.example/e.png) 与 \\[注\\]"))
    assert "[图]x]" in html and "[注]" in html and "&amp;#93;" not in html and "<img" not in html


def test_real_commonmark_shows_the_attack_without_the_filter():
    assert "<img" in render(BYPASSES[0]) and "<img" in render(BYPASSES[5]) and '<a href="//evil' in render(BYPASSES[8])


def test_every_box_with_report_text_filters():
    import app
    box = app.SafeMarkdown()
    assert app.SafeMarkdown.get_block_name() == "markdown"
    assert "<img" not in render(box.postprocess(BYPASSES[0]))
    source = (REPO / "app.py").read_text(encoding="utf-8")
    for elem_id in ("ingest-log", "library-status", "findings", "overview", "cmp-note", "diff-note", "diff-promises",
                    "diff-sentences", "review-note", "review-problems", "review-unit-findings", "review-score-note",
                    "review-evidence", "admin-note"):
        assert re.search(r"SafeMarkdown\([^)]*elem_id=\"" + elem_id + '"', source), elem_id
    assert 'gr.Markdown(elem_id=' not in source          # every dynamic Markdown box is a SafeMarkdown


def test_the_user_question_is_shown_filtered(tmp_path):
    import threading
    import app
    from assistant.access import Gate
    from vectorstore.library import Library
    library = Library(tmp_path / "data")
    ctx = app.AppContext(library, threading.Lock(), tmp_path, Gate(library.accounts, library.audit, "open"))
    _, messages, *_ = next(app.respond(ctx, f"![x](//{HOST}/q.png) 多少件？", [], []))
    assert "<img" not in render(messages[0]["content"])
