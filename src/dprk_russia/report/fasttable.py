"""The report's long appendix tables in HTML without markdown-it's block parser.

markdown-it-py parses a GFM table row by row into tokens, which at 100,000 claims takes minutes.
The appendix tables (inside ``<details>``) are written by our templates in one strict shape: a
header, an alignment row and rows that all begin with ``| `` and end with `` |``, with a blank
line before and after. :func:`cut_tables` takes such tables out of the Markdown and leaves an
HTML-comment placeholder; the rest of the document goes through markdown-it as before, and
:func:`table_html` writes each table as markdown-it would: the header through markdown-it, every
body cell through markdown-it's inline parser (each distinct cell text parsed once), the rows as
``<tr>`` / ``<td>`` lines. Cells are split as markdown-it splits them (an unescaped ``|`` ends a
cell, ``\\|`` is a literal pipe). A table in any other shape stays in the Markdown for markdown-it.
The HTML is the same, byte for byte, as markdown-it's on the whole document (tests compare them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.utils import mdTrim

_ALIGN_RE = re.compile(r"^\|(?: *:?-+:? *\|)+$")
_PIPE_RE = re.compile(r"(?<!\\)\|")
_FENCE_RE = re.compile(r"^(```|~~~)")
PLACEHOLDER = "<!-- fast-table {} -->"


@dataclass(frozen=True)
class Table:
    """A table cut out of the Markdown: its header and alignment lines and its body cells."""

    head: str
    align: str
    rows: list[list[str]]


def cells(line: str) -> list[str]:
    """The cells of a table line as markdown-it reads them: split at unescaped pipes, ``\\|``
    kept as ``|``, the outer empty pieces dropped, each trimmed."""
    parts = [p.replace("\\|", "|") for p in _PIPE_RE.split(line)]
    if parts and parts[0] == "":
        parts.pop(0)
    if parts and parts[-1] == "":
        parts.pop()
    return [mdTrim(p) for p in parts]


def _is_row(line: str) -> bool:
    return line.startswith("| ") and line.endswith(" |")


def cut_tables(md: str) -> tuple[str, list[Table]]:
    """The Markdown with each appendix table (in ``<details>``, in the strict shape of the module
    docstring) replaced by a placeholder line, and the tables cut out, in order."""
    lines = md.split("\n")
    out: list[str] = []
    tables: list[Table] = []
    depth, fence, i = 0, False, 0
    while i < len(lines):
        line = lines[i]
        if _FENCE_RE.match(line):
            fence = not fence
        elif line.startswith("<") and not fence:
            depth += line.count("<details") - line.count("</details>")
        head_ok = (
            depth > 0
            and not fence
            and _is_row(line)
            and (i == 0 or lines[i - 1] == "")
            and i + 1 < len(lines)
            and _ALIGN_RE.match(lines[i + 1])
        )
        if head_ok:
            end = i + 2
            while end < len(lines) and _is_row(lines[end]):
                end += 1
            width = len(cells(line))
            rows = [cells(r) for r in lines[i + 2 : end]]
            aligns = lines[i + 1].count("|") - 1
            if (end == len(lines) or lines[end] == "") and rows and aligns == width and all(
                len(r) == width for r in rows
            ):
                out.append(PLACEHOLDER.format(len(tables)))
                tables.append(Table(line, lines[i + 1], rows))
                i = end
                continue
        out.append(line)
        i += 1
    return "\n".join(out), tables


def _aligns(align: str) -> list[str]:
    out = []
    for part in align.strip("|").split("|"):
        t = part.strip()
        right, left = t.endswith(":"), t.startswith(":")
        out.append(
            ' style="text-align:center"' if left and right else ' style="text-align:right"' if right
            else ' style="text-align:left"' if left else ""
        )
    return out


#: A cell that opens with an anchor (``<a id="c0102.r007"></a>``, as the claims list's first
#: column does): its id is one that markdown reads as plain text wherever it stands (lower-case
#: letters, digits, inner dots and hyphens), so the cell parses as the same cell with a fixed
#: stand-in for the id, and the stand-in is swapped back in the HTML (cells with an entity, where
#: letters could matter, are parsed as they are).
_ANCHOR_ID_RE = re.compile(r'^<a id="([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)"></a>')
_STAND_IN = "zqfasttableidzq"
#: An inline token as rules look at it: type, content and link target.
Inline = tuple[tuple[str, str, str], ...]


def inline_view(children: list) -> Inline:
    """The inline tokens of a cell as (type, content, href) triples."""
    return tuple((c.type, c.content, str(c.attrGet("href") or "")) for c in children)


class CellRenderer:
    """Each distinct cell text parsed and rendered once with ``parser`` and ``env`` (the
    document's environment, so links resolve as in the whole document); a call returns the HTML
    and the cell's inline tokens as :func:`inline_view` triples. Cells that differ only in their
    anchor's id share one parse (see ``_ANCHOR_ID_RE``)."""

    def __init__(self, parser: MarkdownIt, env: dict) -> None:
        self.parser, self.env = parser, env
        self._seen: dict[str, tuple[str, Inline]] = {}

    def _parse(self, text: str) -> tuple[str, Inline]:
        hit = self._seen.get(text)
        if hit is None:
            tokens = self.parser.parseInline(text, self.env)
            html = self.parser.renderer.render(tokens, self.parser.options, self.env) if text else ""
            hit = self._seen[text] = (html, inline_view((tokens[0].children or []) if tokens else []))
        return hit

    def __call__(self, text: str) -> tuple[str, Inline]:
        m = _ANCHOR_ID_RE.match(text)
        if not m or "&" in text or _STAND_IN in text:
            return self._parse(text)
        html, view = self._parse(text.replace(m[1], _STAND_IN))
        back = lambda s: s.replace(_STAND_IN, m[1])  # noqa: E731
        return back(html), tuple((t, back(c), back(h)) for t, c, h in view)


def table_html(
    table: Table, parser: MarkdownIt, cell: CellRenderer, row_class: Callable[[list], str | None]
) -> str:
    """The table as markdown-it renders it; ``row_class`` gets the inline tokens of a row's cells
    (:func:`inline_view`) and returns the row's class, if any (as a core rule would have set on
    ``tr_open``)."""
    head = parser.render(f"{table.head}\n{table.align}\n")
    aligns = _aligns(table.align)
    out = [head.removesuffix("</table>\n"), "<tbody>\n"]
    for row in table.rows:
        rendered = [cell(c) for c in row]
        cls = row_class([view for _, view in rendered])
        out.append(f'<tr class="{cls}">\n' if cls else "<tr>\n")
        out += [f"<td{a}>{h}</td>\n" for a, (h, _) in zip(aligns, rendered, strict=True)]
        out.append("</tr>\n")
    out.append("</tbody>\n</table>\n")
    return "".join(out)
