"""Render the report: Markdown from per-language Jinja templates, HTML from that Markdown.

The report computes nothing. Its numbers are the findings the notebooks wrote
(``findings_*.csv``) and the rows of the processed tables; this module only formats them for
the language (babel) and hands them to ``templates/<lang>/report.md.j2``, where every sentence
lives. The HTML is the same Markdown rendered by markdown-it-py inside ``templates/report.html.j2``,
with the SVG figures inlined so that each plotted point links to its source.
"""

from __future__ import annotations

import hashlib
import html
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from mdit_py_plugins.anchors import anchors_plugin

from dprk_russia import PROJECT_ROOT, __version__
from dprk_russia.analysis.findings import load_findings
from dprk_russia.data.clean import load_processed
from dprk_russia.data.io import read_csv
from dprk_russia.data.schema import read_raw_csv
from dprk_russia.report.charts import FIGURES
from dprk_russia.report.fasttable import (
    PLACEHOLDER,
    CellRenderer,
    Inline,
    cut_tables,
    inline_view,
    table_html,
)
from dprk_russia.report.figures import http_url
from dprk_russia.report.i18n import (
    TEXT,
    check_lang,
    day,
    label,
    num,
    num_range,
    pct,
    period,
    published,
    round_sig,
    unit,
)

TEMPLATES = Path(__file__).with_name("templates")
#: The core questions of the "At a glance" block, in order.
GLANCE = (
    "troops_deployed",
    "killed",
    "casualties_total",
    "artillery_rounds",
    "containers_munitions",
    "ballistic_missiles_shipped",
    "refined_oil_delivered",
)
# keep in step with INPUTS in the Makefile
INPUT_PATHS = ("data/raw", "src", "notebooks", "Makefile", "uv.lock", "pyproject.toml")
#: Data text in Markdown: every ASCII punctuation character that Markdown (CommonMark and GFM
#: tables) gives a meaning is escaped with a backslash, the backslash itself included (one pass, so
#: an escape in the data cannot undo ours); ``<``, ``>`` and ``&`` become HTML entities, so neither
#: raw HTML nor an entity in the data is ever interpreted.
_MD_ESCAPE = str.maketrans(
    {c: "\\" + c for c in "\\`*_{}[]()#+-.!|"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
)
#: Link targets the report may contain: its own anchors and figures, and http(s) pages.
SAFE_LINK_RE = re.compile(r"(#|figures/|https?://)", re.IGNORECASE)


def raw_checksum(raw_dir: Path) -> str:
    """SHA-256 over the names and bytes of the files in ``raw_dir`` (sorted)."""
    h = hashlib.sha256()
    for p in sorted(raw_dir.iterdir()):
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def input_commit(root: Path = PROJECT_ROOT) -> str:
    """Short hash of the last commit that changed the inputs; '+changes' marks uncommitted ones.

    Outputs are committed after the inputs they were built from, so this stays stable when
    the outputs are committed.
    """
    try:
        run = lambda *a: subprocess.run(  # noqa: E731
            ["git", *a], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        commit = run("log", "-1", "--format=%h", "--abbrev=12", "--", *INPUT_PATHS) or "none"
        dirty = run("status", "--porcelain", "--untracked-files=no", "--", *INPUT_PATHS)
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit + ("+changes" if dirty else "")


def md_text(text: object) -> str:
    """Data text made safe for Markdown and HTML: one line, every markup character escaped, so
    that it renders as exactly the text written (never a link, an emphasis, a tag or an entity)."""
    return re.sub(r"\s+", " ", str(text)).strip().translate(_MD_ESCAPE)


def md_link(text: object, url: object) -> str:
    """A Markdown link with data text to a data URL; only http(s) URLs become links, anything
    else is shown as the plain text."""
    target = http_url(url)
    return f"[{md_text(text)}](<{target}>)" if target else md_text(text)


def safe_link(url: str) -> bool:
    """markdown-it's link check for the report: anchors, the report's figures and http(s) only."""
    return bool(SAFE_LINK_RE.match(url.strip()))


def slug(heading: str) -> str:
    """The anchor of a heading (GitHub style), shared by the contents list and the HTML ids."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def claim_links(ids: object, limit: int = 0) -> str:
    """'[c0102](#c0102), …' for ';'-joined ids or a sequence; ``limit`` > 0 shows that many and
    '…' for the rest (the text around says how many there are)."""
    items = [i for i in (ids.split(";") if isinstance(ids, str) else ids) if i]
    shown = items[:limit] if limit else items
    more = ", …" if len(shown) < len(items) else ""
    return ", ".join(f"[{i}](#{i})" for i in shown) + more


def _number(value: object, lang: str, digits: int = 0) -> str:
    return num(float(value), lang, digits) if value not in (None, "") else "–"


def _percent(value: float | None, lang: str) -> str:
    """A share as a percentage (one decimal only when needed); '–' when there is none (early cut-off)."""
    if value is None or value != value:
        return "–"
    return pct(value, lang, 0 if abs(value * 100 - round(value * 100)) < 1e-9 else 1)


def _values(text: str, lang: str) -> list[str]:
    """'4800000;4000000-6000000' (a contradictions cell) -> formatted values."""
    return [num_range(*(float(v) for v in (part.split("-") * 2)[:2]), lang) for part in text.split(";")]


#: A publisher's own annotation at its end, in brackets: "Rankmore (Korean news relay)".
_ANNOTATION_RE = re.compile(r"\(([^()]*)\)\s*$")


def annotations(lang: str) -> dict[str, str]:
    """The project's annotations of publishers (the text in brackets at the end of a publisher,
    in English) in ``lang``: ``templates/<lang>/annotations.csv``; none for English."""
    path = TEMPLATES / lang / "annotations.csv"
    if not path.exists():
        return {}
    table = read_csv(path)
    return dict(zip(table["en"], table[lang], strict=True))


def publisher(text: object, words: dict[str, str]) -> str:
    """A publisher as written, with its bracketed annotation in the report's language where
    ``words`` has it (unknown annotations stay as written)."""
    name = str(text)
    return _ANNOTATION_RE.sub(lambda m: f"({words.get(m[1], m[1])})", name, count=1)


def _memo(fn: Callable) -> Callable:
    """``fn`` (a pure formatting filter) computed once per distinct argument tuple (types included:
    ``1``, ``1.0`` and ``True`` are different arguments); the claims list repeats the same dates,
    labels and notes many times (at 100,000 claims, hundreds)."""
    seen: dict = {}

    def call(*args: object) -> object:
        key = (*map(type, args), *args)
        try:
            return seen[key]
        except KeyError:
            out = seen[key] = fn(*args)
            return out
        except TypeError:  # an argument that cannot be a key
            return fn(*args)

    return call


def records(df: pd.DataFrame) -> list[dict]:
    """``df.to_dict("records")`` (Python scalars, timestamps as ``Timestamp``), column by column."""
    cols = list(df.columns)
    return [dict(zip(cols, row, strict=True)) for row in zip(*(df[c].tolist() for c in cols), strict=True)]


def environment(
    lang: str, names: dict[str, str], labels: dict[str, str], units: dict[str, str] | None = None
) -> Environment:
    """The Jinja environment for ``lang``: Markdown templates plus the formatting filters."""
    words = annotations(lang)
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=select_autoescape(["html"]),
    )
    filters = {
        "num": lambda v, digits=0: _number(v, lang, digits),
        "range": lambda lo, hi: num_range(float(lo), float(hi), lang),
        "pct": lambda v: _percent(v, lang),
        "sig": lambda v: num(round_sig(float(v)), lang),
        "day": lambda v: day(pd.Timestamp(v) if v else None, lang),
        "est": lambda k: md_text(names.get(k) or k),
        "label": lambda k: md_text(labels[k]),
        "unit": lambda k: md_text((units or {}).get(k, "")),
        "md": md_text,
        "link": md_link,
        "published": lambda s: published(s, lang),
        "period": lambda start, end: period(start, end, lang),
        "publisher": lambda s: publisher(s, words),
        "claims": claim_links,
        "values": lambda s: _values(s, lang),
        "dates": lambda s: [day(pd.Timestamp(d), lang) for d in s.split(";")],
        "split": lambda s: [x for x in s.split(";") if x],
    }
    pure = ("num", "range", "sig", "day", "est", "label", "unit", "md", "link", "published", "period", "publisher")
    env.filters |= {k: _memo(f) if k in pure else f for k, f in filters.items()}
    return env


def read_inputs(processed_dir: Path) -> dict:
    """Everything the templates show: findings, the processed tables and the label registries."""
    read = read_csv  # text cells as written: the spreadsheet escape of the CSV files is removed
    claims = load_processed(processed_dir / "claims.csv").sort_values("claim_id", kind="stable")
    contradictions = read(processed_dir / "contradictions.csv")
    first_low = contradictions["values"].str.split(";").str[0].str.split("-").str[0]
    # which side of its reference a single figure lies (for the outside-band wording)
    contradictions["above"] = pd.to_numeric(first_low) > pd.to_numeric(contradictions["reference"])
    claim_records = records(claims)
    return {
        "F": load_findings(processed_dir),
        "claims": claim_records,
        "claim_by_id": {c["claim_id"]: c for c in claim_records},
        "contradictions": contradictions.to_dict("records"),
        "transfers": read(processed_dir / "transfers.csv").to_dict("records"),
        "sent_back": read(processed_dir / "sent_back.csv").to_dict("records"),
        "sensitivity": read(processed_dir / "pooled_sensitivity.csv").to_dict("records")
        if (processed_dir / "pooled_sensitivity.csv").exists()
        else [],
        "sources": read(processed_dir / "sources.csv")
        .sort_values(["publisher", "published", "source_id"], kind="stable")
        .to_dict("records"),
    }


def groups(findings: dict, prefix: str) -> list[str]:
    """The middle parts of the keys ``<prefix>.<part>.*``, in the order written (e.g. key findings)."""
    return list(dict.fromkeys(k.split(".")[1] for k in findings if k.startswith(prefix + ".")))


def add_contents(md: str) -> str:
    """Replace the ``<!-- contents -->`` marker with a list of links to the ``##`` headings."""
    heads = re.findall(r"^## (.+)$", md, flags=re.M)
    toc = "\n".join(f"- [{h}](#{slug(h)})" for h in heads)
    return md.replace("<!-- contents -->", toc, 1)


def render_markdown(raw_dir: Path, processed_dir: Path, lang: str, params: dict) -> str:
    """The report as Markdown, from ``templates/<lang>/report.md.j2``."""
    registry = read_csv(processed_dir / "estimators.csv")
    names = dict(zip(registry["estimator"], registry[f"label_{lang}"], strict=True))
    ind = read_raw_csv(raw_dir / "indicators.csv")
    unit_col = "unit" if lang == "en" else f"unit_{lang}"
    env = environment(
        lang,
        names,
        dict(zip(ind["indicator"], ind[f"label_{lang}"], strict=True)),
        dict(zip(ind["indicator"], ind[unit_col], strict=True)),
    )
    data = read_inputs(processed_dir)
    data["key_indicators"] = groups(data["F"], "key")
    data["glance"] = [i for i in GLANCE if i in data["key_indicators"]]
    text = env.get_template(f"{lang}/report.md.j2").render(
        **data,
        params=params,
        types=[t for t in str(params.get("ESTIMATOR_TYPES") or "all").split(",") if t and t != "all"],
        commit=input_commit(),
        checksum=raw_checksum(raw_dir),
        version=__version__,
    )
    return add_contents(text)


_HEIGHT_RE = re.compile(r'<svg [^>]*?height="([0-9.]+pt)"')


def _svg(path: Path, alt: str, css_class: str) -> str:
    """The SVG of ``path`` with its class and label; its drawn height as ``--h``, for the print
    stylesheet (a tall figure may print taller, so that its text stays at 6 pt or more)."""
    svg = path.read_text(encoding="utf-8")
    svg = svg[svg.index("<svg") :]
    height = _HEIGHT_RE.match(svg)
    style = f' style="--h: {height[1]}"' if height else ""
    return svg.replace("<svg ", f'<svg class="{css_class}" role="img" aria-label="{alt}"{style} ', 1)


def inline_svg(tok: object, fig_dir: Path) -> str:
    """An image token from ``figures/`` as the inline SVG, so that the links of its points work;
    with its phone variant (``<stem>-narrow.svg``) where there is one, the stylesheet showing one
    of the two by the width of the screen."""
    src = str(tok.attrGet("src") or "")  # type: ignore[attr-defined]
    if not src.startswith("figures/"):
        raise ValueError(f"the report may only show its own figures, not {src!r}")
    path = fig_dir / src.removeprefix("figures/")
    # the caption as plain text (its Markdown escapes resolved), escaped for an attribute
    caption = RendererHTML().renderInlineAsText(tok.children or [], {}, {})  # type: ignore[attr-defined]
    alt = html.escape(re.sub(r"\s+", " ", caption).strip(), quote=False).replace('"', "&quot;")
    narrow = path.with_name(f"{path.stem}-narrow{path.suffix}")
    if not narrow.exists():
        return _svg(path, alt, "fig")
    return _svg(path, alt, "fig fig-wide") + _svg(narrow, alt, "fig fig-narrow")


_CLAIM_ANCHOR_RE = re.compile(r'<a id="(c\d+)">')
_CLAIM_LINK_RE = re.compile(r"#c\d+")


def _text(inline: object) -> str:
    """The plain text of an inline token (a table header)."""
    return "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))  # type: ignore[attr-defined]


def label_cells(state: object) -> None:
    """markdown-it core rule: each cell of a table in the body (not in a ``<details>`` appendix)
    carries its column's header as ``data-label``, so that on a phone the stylesheet can show a
    row as a card of labelled lines."""
    depth, heads, col = 0, [], 0
    tokens = state.tokens  # type: ignore[attr-defined]
    for n, tok in enumerate(tokens):
        if tok.type == "html_block":
            depth += tok.content.count("<details") - tok.content.count("</details>")
        elif tok.type == "thead_open":
            heads = []
        elif tok.type == "th_open":
            heads.append(_text(tokens[n + 1]))
        elif tok.type == "tr_open":
            col = 0
        elif tok.type == "td_open":
            if depth == 0 and col < len(heads) and heads[col]:
                tok.attrSet("data-label", heads[col])
            col += 1


def _cites(view: Inline) -> set[str]:
    """The claim ids that a cell or paragraph links to (its :func:`inline_view`)."""
    return {href[1:] for kind, _, href in view if kind == "link_open" and _CLAIM_LINK_RE.fullmatch(href)}


def _anchors(view: Inline) -> set[str]:
    """The claim anchors (``<a id="c0102">``) in a cell or paragraph (its :func:`inline_view`)."""
    return {m[1] for kind, text, _ in view if kind == "html_inline" and (m := _CLAIM_ANCHOR_RE.match(text))}


def mark_cited(tokens: list, cited: set[str]) -> None:
    """The table rows with the anchor of a claim that a link in the report points to (``cited``)
    get the class ``cited``; the printed report keeps those rows, so that no printed claim id is
    a dead link."""
    row = None
    for tok in tokens:
        if tok.type == "tr_open":
            row = tok
        elif tok.type == "inline" and row is not None and _anchors(inline_view(tok.children or [])) & cited:
            row.attrSet("class", "cited")


def render_body(body: str, fig_dir: Path, fast: bool = True) -> str:
    """The report's Markdown body as HTML (markdown-it-py, figures inlined). With ``fast``, the
    appendix tables take the path of :mod:`.fasttable`; the HTML is the same as without."""
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    parser.validateLink = safe_link  # a link to anything else stays text
    parser.use(anchors_plugin, min_level=2, max_level=2, slug_func=slug)
    parser.core.ruler.push("label_cells", label_cells)
    parser.add_render_rule("image", lambda _self, tokens, idx, _opts, _env: inline_svg(tokens[idx], fig_dir))
    rest, tables = cut_tables(body) if fast else (body, [])
    env: dict = {}
    tokens = parser.parse(rest, env)
    cell = CellRenderer(parser, env)
    cited = set().union(*(_cites(inline_view(t.children or [])) for t in tokens if t.type == "inline"))
    for table in tables:
        for text in {c for row in table.rows for c in row}:
            cited |= _cites(cell(text)[1])
    mark_cited(tokens, cited)
    out = parser.renderer.render(tokens, parser.options, env)
    row_class = lambda views: "cited" if any(_anchors(v) & cited for v in views) else None  # noqa: E731
    for n, table in enumerate(tables):
        out = out.replace(PLACEHOLDER.format(n) + "\n", table_html(table, parser, cell, row_class), 1)
    return out


def render_html(md: str, lang: str, fig_dir: Path) -> str:
    """The Markdown inside the HTML page (``templates/report.html.j2``); no external assets."""
    title, _, body = md.partition("\n")
    page = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    return page.get_template("report.html.j2").render(
        lang=lang, title=title.removeprefix("# "), body=render_body(body, fig_dir)
    )


def build_report(
    raw_dir: Path, processed_dir: Path, reports_dir: Path, lang: str, params: dict
) -> tuple[str, str]:
    """Build the Markdown and HTML texts for ``lang``."""
    check_lang(lang)
    fig_dir = reports_dir / lang / "figures"
    missing = [s for stems in FIGURES.values() for s in stems if not (fig_dir / f"{s}.svg").exists()]
    if missing:
        raise FileNotFoundError(
            f"figures missing for {lang}: {', '.join(missing)} (run the 2.x notebooks first)"
        )
    md = render_markdown(raw_dir, processed_dir, lang, params)
    return md, render_html(md, lang, fig_dir)


#: The plain word on certainty, as the "At a glance" block of each template says it.
CERTAINTY = {
    "en": {
        "well_attested": "well attested",
        "few_sources": "few sources",
        "old_evidence": "old evidence",
        "contested": "contested: doubtful figures decide it",
    },
    "de": {
        "well_attested": "gut belegt",
        "few_sources": "wenige Urheber",
        "old_evidence": "alte Belege",
        "contested": "umstritten: zweifelhafte Zahlen entscheiden",
    },
}


def key_findings(raw_dir: Path, processed_dir: Path, lang: str = "en") -> pd.DataFrame:
    """The key findings as one table, for the start notebook: per headline indicator (the rows
    of ``consensus.csv``, in its order) what the report quotes from the findings: the pooled
    estimate at the date of its newest evidence with its band, the estimators, the plain word on
    certainty and the newest counted figure (with its estimator's short name). Reads and formats;
    computes nothing."""
    check_lang(lang)
    F = load_findings(processed_dir)
    rows_of = read_csv(processed_dir / "consensus.csv")["indicator"]
    ind = read_raw_csv(raw_dir / "indicators.csv")
    rows = []
    for i in rows_of:
        k = f"key.{i}"
        if f"{k}.certainty" not in F:
            continue
        e, c, n = F[f"{k}.evidence"], F[f"{k}.certainty"], F[f"{k}.newest"]
        qualifier = TEXT.get(f"q_{n.qualifier}", {}).get(lang, "")
        newest = num(n.value, lang) if n.low is None else num_range(n.low, n.high, lang)
        rows.append(
            {
                "question": f"{label(ind, i, lang)} ({unit(ind, i, lang)})",
                "estimate": e.value,
                "likely": num_range(e.low, e.high, lang) if e.value is not None else None,
                "evidence of": e.date,
                "estimators": c.value,
                "certainty": CERTAINTY[lang][c.qualifier],
                "newest figure": f"{qualifier} {newest}".strip(),
                "by": n.estimator,
                "published": n.date,
            }
        )
    return pd.DataFrame(rows)
