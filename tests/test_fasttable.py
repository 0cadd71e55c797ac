"""The fast path for the report's appendix tables gives markdown-it's HTML, byte for byte."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from dprk_russia.report.fasttable import cells, cut_tables
from dprk_russia.report.render import _memo, md_text, records, render_body

#: Cell material that exercises markdown-it's inline rules, escapes and the table splitter.
PIECES = [
    "plain text", "`code`", "c0102", "\\|", "\\", "*em*", "_u_", "**b**", "[c0102](#c0102)",
    "[c0007](#c0007)", "[x](https://example.org/a?b=1&c=2)", "[bad](javascript:alert(1))",
    "&amp;", "&#49;", "&nbsp;", "<b>bold</b>", "<span class=\"note\">: n</span>", "↑", "ü", "  ",
    "[↑](#key-findings)", md_text("a [link](https://evil.example) *and* | pipe \\ slash"), "1.", "-",
]
FIRST = [
    '<a id="c0102"></a>c0102 [↑](#key-findings)',
    '<a id="c0007"></a>c0007 [↑](#key-findings)',
    '<a id="c0102.r003"></a>c0102.r003 [↑](#key-findings)',
    '<a id="c9.r1"></a>c9.r1 &amp; [c9.r1](#c9.r1)',
    '<a id="x_y"></a>x_y *x_y*',
    '<a id="amp"></a>amp &amp; &#49;',  # an id that is also an entity's name
    '<a id="c0102"></a>',
    "no anchor",
]


def _row(rng: random.Random, width: int, pipes: bool = False) -> str:
    """A row; with ``pipes`` its cells may hold a bare ``|``, so that it has more cells than the
    header (markdown-it drops the extra ones; the fast path leaves such a table to markdown-it)."""
    first = rng.choice(FIRST)
    pieces = [*PIECES, "|", "`co|de`"] if pipes else PIECES
    rest = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) for _ in range(width - 1)]
    return "| " + " | ".join([first, *rest]) + " |"


def _doc(rng: random.Random, pipes: bool = False) -> str:
    width = rng.randint(1, 5)
    align = "|" + "|".join(rng.choice(["---", ":--", "--:", ":-:", " --- "]) for _ in range(width)) + "|"
    head = "| " + " | ".join(f"H{i} *h*" for i in range(width)) + " |"
    rows = "\n".join(_row(rng, width, pipes) for _ in range(rng.randint(1, 12)))
    body_table = f"| A | B |\n|---|--:|\n| [c0102](#c0102) | {rng.choice(FIRST)} |\n"
    return (
        "## Key findings\n\nText cites [c0102](#c0102) and [c9.r1](#c9.r1).\n\n"
        f"{body_table}\n"
        '<details class="appendix claims">\n<summary>claims</summary>\n\n'
        f"{head}\n{align}\n{rows}\n\n</details>\n\n"
        f"<details>\n<summary>s</summary>\n\n{head}\n{align}\n{_row(rng, width)}\n\n</details>\n"
    )


@pytest.mark.parametrize("seed", range(60))
def test_fast_tables_render_as_markdown_it_renders_the_whole_document(seed, tmp_path):
    doc = _doc(random.Random(seed))
    _, tables = cut_tables(doc)
    assert len(tables) == 2  # both appendix tables took the fast path; the body table did not
    assert render_body(doc, tmp_path) == render_body(doc, tmp_path, fast=False)


@pytest.mark.parametrize("seed", range(20))
def test_rows_with_bare_pipes_render_as_markdown_it_renders_them(seed, tmp_path):
    doc = _doc(random.Random(seed), pipes=True)
    assert render_body(doc, tmp_path) == render_body(doc, tmp_path, fast=False)


def test_rows_whose_claim_is_cited_are_marked_in_the_fast_path(tmp_path):
    doc = (
        "See [c0102](#c0102).\n\n<details>\n<summary>s</summary>\n\n| Claim | Note |\n|---|---|\n"
        '| <a id="c0102"></a>c0102 | cited |\n| <a id="c0103"></a>c0103 | not cited |\n\n</details>\n'
    )
    html = render_body(doc, tmp_path)
    assert '<tr class="cited">\n<td><a id="c0102"></a>c0102</td>' in html
    assert '<tr>\n<td><a id="c0103"></a>c0103</td>' in html


@pytest.mark.parametrize(
    "doc",
    [
        "| A |\n|---|\n| x |\n",  # not in an appendix (<details>)
        "<details>\n\n| A | B |\n|---|---|\n| x |\n\n</details>\n",  # a short row
        "<details>\n\n| A |\n|---|\n| x |\nlazy line\n\n</details>\n",  # markdown-it would take it as a row
        "<details>\ntext\n| A |\n|---|\n| x |\n\n</details>\n",  # no blank line before
        "<details>\n\n```\n| A |\n|---|\n| x |\n```\n\n</details>\n",  # in a code fence
    ],
)
def test_tables_in_other_shapes_are_left_to_markdown_it(doc, tmp_path):
    assert cut_tables(doc) == (doc, [])
    assert render_body(doc, tmp_path) == render_body(doc, tmp_path, fast=False)


def test_cells_split_as_markdown_it_does():
    assert cells("| a \\| b | `c|d` |  |") == ["a | b", "`c", "d`", ""]


def test_memo_keeps_argument_types_apart():
    calls = []
    f = _memo(lambda v: calls.append(v) or repr(v))
    assert [f(1), f(1.0), f(True), f(1), f([1])] == ["1", "1.0", "True", "1", "[1]"]
    assert calls == [1, 1.0, True, [1]]  # the repeated 1 came from the cache; a list is not a key


def test_records_equal_pandas_to_dict():
    df = pd.DataFrame(
        {
            "i": [1, 2],
            "f": [1.5, float("nan")],
            "s": ["a", None],
            "b": [True, False],
            "d": pd.to_datetime(["2024-01-02", None]),
        }
    )
    mine, theirs = records(df), df.to_dict("records")
    assert [{k: type(v) for k, v in r.items()} for r in mine] == [
        {k: type(v) for k, v in r.items()} for r in theirs
    ]
    assert repr(mine) == repr(theirs)
