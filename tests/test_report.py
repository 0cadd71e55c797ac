"""Report rendering: escaping of data text, self-contained HTML, Markdown tables."""

from __future__ import annotations

from dprk_russia.report import Block, raw_checksum, render_html, render_markdown


def blocks():
    return [
        Block("h2", "Sources", anchor="sources"),
        Block("p", "A <b>bold</b> & claim"),
        Block(
            "table",
            header=["Publisher", "Title"],
            numeric=[False, False],
            rows=[["<script>alert(1)</script>", {"text": "T <i>x</i> | y", "url": "https://e.org/?a=1&b=2"}]],
        ),
        Block("figure", stem="x", caption="cap <svg onload=1>", data="AAAA"),
    ]


def test_html_escapes_data_text():
    html = render_html("Title", blocks(), ["footer <x>"], "en")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html and "<svg onload" not in html
    assert 'href="https://e.org/?a=1&amp;b=2"' in html


def test_html_is_self_contained():
    html = render_html("Title", blocks(), [], "en")
    assert 'src="data:image/svg+xml;base64,AAAA"' in html
    assert "<link" not in html and "<script" not in html and 'src="http' not in html
    assert 'name="viewport"' in html and "@media print" in html


def test_markdown_escapes_and_links():
    md = render_markdown("Title", blocks(), ["f"])
    assert "&lt;script&gt;" in md
    assert "T &lt;i&gt;x&lt;/i&gt; \\| y" in md
    assert "(<https://e.org/?a=1&b=2>)" in md
    assert "![cap &lt;svg onload=1&gt;](figures/x.svg)" in md


def test_raw_checksum_changes_with_content(tmp_path):
    (tmp_path / "a.csv").write_text("1")
    first = raw_checksum(tmp_path)
    assert first == raw_checksum(tmp_path)
    (tmp_path / "a.csv").write_text("2")
    assert raw_checksum(tmp_path) != first
