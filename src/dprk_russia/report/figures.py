"""Figures in one project style, saved byte-identically for the same data."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from weakref import WeakKeyDictionary
from xml.sax.saxutils import escape

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.layout_engine import TightLayoutEngine

from dprk_russia.data.io import atomic_path, write_csv
from dprk_russia.report import aggtext, textcache
from dprk_russia.report.i18n import (  # noqa: F401  (label, unit re-exported)
    FIGURE_CSV,
    LOCALES,
    day,
    label,
    num,
    num_range,
    t,
    unit,
)

STYLE = Path(__file__).with_name("styles") / "project.mplstyle"
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]
OTHER = "#999999"
GREY = "#555555"  # keys that are no estimator: basis shapes, indicator shapes
MARKERS = {"assessed": "o", "official": "s", "capacity": "D", "forecast": "X"}
FILLED = {"assessed": True, "official": True, "capacity": False, "forecast": True}


_LAYOUT = {"narrow": False}

#: Width in inches of the desktop and the phone variant of a figure. A phone shows about 358 CSS
#: px: a 4.4 in (422 px) figure keeps 8 pt text at 9 px and more.
WIDE_WIDTH, NARROW_WIDTH = 8.0, 4.4


@contextmanager
def layout(narrow: bool) -> Iterator[None]:
    """Build the figures inside for a phone (``narrow``: one panel per row, legends below)."""
    before = _LAYOUT["narrow"]
    _LAYOUT["narrow"] = narrow
    try:
        yield
    finally:
        _LAYOUT["narrow"] = before


def is_narrow() -> bool:
    """True while the phone variant of a figure is built (see :func:`layout`)."""
    return _LAYOUT["narrow"]


def subplots(n: int = 1, height: float = 3.6, **kw) -> tuple[plt.Figure, list[plt.Axes]]:
    """``n`` panels, at most two per row on a desk and one per row on a phone."""
    ncols = 1 if is_narrow() else min(n, 2)
    nrows = -(-n // ncols)
    width = NARROW_WIDTH if is_narrow() else (WIDE_WIDTH if n == 1 else 9.4)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height * nrows), squeeze=False, **kw)
    flat = list(axes.flat)
    for extra in flat[n:]:
        extra.set_axis_off()
    return fig, flat


def use_style() -> None:
    """Apply the project matplotlib style; texts are measured, laid out and rasterised once for all
    the figures of this process (:mod:`dprk_russia.report.textcache`, :mod:`dprk_russia.report.aggtext`)."""
    plt.style.use(STYLE)
    textcache.install()
    aggtext.install()


#: Tooltip text of each linked point, by figure and point id (see :func:`link_point`).
_TOOLTIPS: WeakKeyDictionary[plt.Figure, dict[str, str]] = WeakKeyDictionary()


def estimator_names(claims: pd.DataFrame, lang: str) -> dict[str, str]:
    """Estimator key -> its name in ``lang`` (the registry label joined by cleaning, when present)."""
    col = f"estimator_label_{lang}"
    names = claims[col] if col in claims else claims["estimator"]
    return dict(zip(claims["estimator"].tolist(), names.tolist(), strict=True))  # lists: fast at 100,000 rows


def tooltip(claim: pd.Series | dict, lang: str) -> str:
    """'Estimator · figure · date · basis' for one claim, in ``lang``."""
    qual = t(f"q_{claim['qualifier']}", lang)
    figure = (qual + " " if qual else "") + num_range(claim["value_low"], claim["value_high"], lang)
    name = claim.get(f"estimator_label_{lang}") or claim["estimator"]
    return " · ".join([name, figure, day(claim["date"], lang), t(claim["basis"], lang)])


#: Characters percent-encoded in an http(s) link target (they would end or break the target).
_URL_UNSAFE_RE = re.compile(r"[\s<>\\\"'`\x00-\x1f\x7f]")


def http_url(url: object) -> str | None:
    """``url`` as a link target if it is an http(s) URL (characters that would end or break the
    target percent-encoded), else None: charts and the report link to nothing else."""
    text = str(url or "").strip()
    if not re.match(r"https?://[^/\s]", text, re.IGNORECASE):
        return None
    return _URL_UNSAFE_RE.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), text)


def first_copies(claims: pd.DataFrame, ids: pd.Series) -> pd.Series:
    """For each claim id of ``ids`` (in that order), how many claims it stands for: claims that
    are the same in every field but ``claim_id`` and ``repeat_of`` (the same page recorded more
    than once) are one mark, drawn at the first of them; a later copy counts 0."""
    rows = claims[claims["claim_id"].isin(ids.unique())].set_index("claim_id").reindex(ids.to_numpy())
    fields = [c for c in rows.columns if c != "repeat_of"]
    if len(rows) < 2 or not rows.duplicated(fields).any():
        return pd.Series(1, index=ids.to_numpy())
    group = rows.groupby(fields, dropna=False, sort=False).ngroup().to_numpy()
    size = pd.Series(group).map(pd.Series(group).value_counts()).to_numpy()
    return pd.Series(np.where(pd.Series(group).duplicated().to_numpy(), 0, size), index=ids.to_numpy())


def link_point(artist: object, claim: pd.Series | dict, lang: str) -> None:
    """Make ``artist`` (one plotted point or bar) link to the claim's source page, with a tooltip.

    In the SVG the artist becomes a link (``<a xlink:href>``) inside a group whose ``<title>``
    shows estimator, figure, date and basis on hover. Only an http(s) source URL becomes a link.
    """
    fig = artist.get_figure()  # type: ignore[attr-defined]
    tips = _TOOLTIPS.setdefault(fig, {})
    gid = f"pt{len(tips)}"
    tips[gid] = tooltip(claim, lang)
    artist.set_gid(gid)  # type: ignore[attr-defined]
    url = http_url(claim.get("source_url", ""))
    if url:
        if hasattr(artist, "set_urls"):
            artist.set_urls([url])
        else:
            artist.set_url(url)  # type: ignore[attr-defined]


def _svg_with_links(svg: str, stem: str, tips: dict[str, str]) -> str:
    """Prefix every id with ``stem`` (figures share one HTML page) and add the point tooltips,
    each after the first group of its id, in one pass over the SVG (thousands of points)."""
    svg = re.sub(r'(id="|url\(#|xlink:href="#)', rf"\g<1>{stem}-", svg)
    if not tips:
        return svg
    titled: set[str] = set()

    def title(m: re.Match[str]) -> str:
        gid = m.group(1)
        if gid not in tips or gid in titled:
            return m.group(0)
        titled.add(gid)
        return f"{m.group(0)}<title>{escape(tips[gid])}</title>"

    return re.sub(rf'<g id="{re.escape(stem)}-([^"]*)">', title, svg)


#: Columns of the per-figure download ``<stem>.csv``: the claims a figure plots.
PLOTTED_COLUMNS = [
    "claim_id",
    "indicator",
    "estimator",
    "value_low",
    "value_high",
    "qualifier",
    "basis",
    "date",
    "published",
    "source_url",
]


def record_plotted(fig: plt.Figure, claims: pd.DataFrame) -> None:
    """Remember on ``fig`` the claims it plots, for the download written by :func:`save_figure`."""
    if "claim_id" not in claims.columns:
        return
    before = getattr(fig, "plotted_claims", None)
    fig.plotted_claims = claims if before is None else pd.concat([before, claims])


def plotted_rows(fig: plt.Figure, lang: str = "en") -> pd.DataFrame | None:
    """The claims recorded on ``fig`` (one row per claim, by indicator, date and id), or None; a
    chart that draws no claims (the headline's curves) sets its own table as ``plotted_table``.

    In English the columns are :data:`PLOTTED_COLUMNS` with the data's codes; in another language
    (:data:`dprk_russia.report.i18n.FIGURE_CSV`) the headers are in that language and indicator,
    estimator, qualifier and basis are its labels. Numbers stay plain, dates ISO.
    """
    table = getattr(fig, "plotted_table", None)
    if table is not None:
        return table
    claims = getattr(fig, "plotted_claims", None)
    if claims is None:
        return None
    rows = claims.drop_duplicates("claim_id").sort_values(["indicator", "date", "claim_id"], kind="stable")
    rows = rows[PLOTTED_COLUMNS + [c for c in (f"label_{lang}", f"estimator_label_{lang}") if c in rows]]
    words = FIGURE_CSV.get(lang)
    if not words:
        return rows[PLOTTED_COLUMNS].reset_index(drop=True)
    out = rows.assign(
        indicator=rows.get(f"label_{lang}", rows["indicator"]),
        estimator=rows.get(f"estimator_label_{lang}", rows["estimator"]),
        qualifier=rows["qualifier"].map(lambda v: words["qualifier"].get(v, v)),
        basis=rows["basis"].map(lambda v: words["basis"].get(v, v)),
    )[PLOTTED_COLUMNS]
    return out.rename(columns=words["columns"]).reset_index(drop=True)


#: The pooled bands drawn on each axes (curve, scale), so that saving can mark where the axis
#: cuts a band off (:func:`mark_cut_bands`).
_BANDS: WeakKeyDictionary = WeakKeyDictionary()


def register_band(ax: plt.Axes, curve: pd.DataFrame, scale: float = 1.0, lang: str = "en") -> None:
    """Remember a pooled band drawn on ``ax``."""
    _BANDS.setdefault(ax, []).append((curve, scale, lang))


def mark_cut_bands(fig: plt.Figure) -> None:
    """Where the axis stops below the top of a pooled band, an arrow at the top edge says so and
    gives the band's true top (in the chart's units), so that a cut band is not read as a ceiling."""
    for ax in fig.axes:
        for curve, scale, lang in _BANDS.get(ax, []):
            top = float(ax.get_ylim()[1])
            high = curve["high"].astype(float).to_numpy() / scale
            if not len(high) or high.max() <= top * 1.001:
                continue
            first = int((high > top).argmax())
            x = curve["date"].iloc[first]
            ax.annotate(
                f"↑ {t('band_top', lang)} {num(high.max(), lang)}",
                xy=(x, top), xytext=(0, -2), textcoords="offset points", ha="left", va="top",
                fontsize=8, color="#555555", annotation_clip=False,
            )


def save_figure(
    fig: plt.Figure,
    stem: str,
    out_dir: str | Path,
    download: bool = True,
    png: bool = True,
    lang: str = "en",
) -> list[Path]:
    """Save ``fig`` as ``stem.svg`` (points linked to their sources) and, if ``png``, ``stem.png``,
    deterministically, and the claims it plots (see :func:`record_plotted`) as ``stem.csv`` in
    ``lang`` (:func:`plotted_rows`) unless not ``download`` (a figure's phone variant shares the
    desktop one's download).

    ``savefig`` renders each file with matplotlib's own SVG and Agg canvases whatever the
    session's backend, so no backend is forced: a Jupyter kernel keeps its inline one. The
    figure is laid out once (:func:`add_source`), so each file costs one draw.
    """
    out = Path(out_dir)
    paths = []
    mark_cut_bands(fig)
    rows = plotted_rows(fig, lang)
    if rows is not None and download:
        paths.append(write_csv(rows, out / f"{stem}.csv"))
    formats = [("svg", {"Date": None, "Creator": None})] + ([("png", {"Software": None})] if png else [])
    for ext, meta in formats:
        path = out / f"{stem}.{ext}"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=ext, metadata=meta)
            if ext == "svg":
                text = Path(tmp).read_text(encoding="utf-8")
                Path(tmp).write_text(_svg_with_links(text, stem, _TOOLTIPS.get(fig, {})), encoding="utf-8")
        paths.append(path)
    plt.close(fig)
    return paths


def source_line(claims: pd.DataFrame, lang: str) -> str:
    """'Source: A, B, C; estimates compiled ...' naming every estimator shown."""
    names = sorted(set(estimator_names(claims, lang).values()))
    return f"{t('source', lang)}: {', '.join(names)}; {t('sources_compiled', lang)}."


def estimator_colours(claims: pd.DataFrame, max_named: int = len(PALETTE)) -> dict[str, str]:
    """Colour per estimator: its fixed colour from the registry (``estimator_colour``), else grey.

    Frequent estimators first, so legends list them in the same order everywhere. Without the
    registry column (tables that do not carry it) the most frequent get the palette in turn.
    """
    counts = claims.groupby("estimator").size()
    ordered = sorted(counts.index, key=lambda e: (-counts[e], e))
    if "estimator_colour" in claims:
        fixed = dict(zip(claims["estimator"].tolist(), claims["estimator_colour"].tolist(), strict=True))
        return {e: fixed[e] or OTHER for e in ordered}
    return {e: (PALETTE[i] if i < max_named else OTHER) for i, e in enumerate(ordered)}


SOURCE_SIZE = 8


#: Least vertical distance, in points, between two "×n" labels that would otherwise overlap.
LABEL_GAP = 9.0
#: About the width of one character of an 8 pt label, in points (to tell labels side by side).
LABEL_CHAR = 5.0


def _shift(placed: list[tuple[float, float, float]], px: float, py: float, width: float, up: bool) -> float:
    """How far (points) a label at ``(px, py)`` moves up (or down) past the labels ``placed``
    (x, y, width) beside it, :data:`LABEL_GAP` apart."""
    shift = 0.0
    for qx, qy, qw in sorted(placed, key=lambda q: q[1], reverse=not up):
        if qx - width < px < qx + qw and abs(qy - (py + shift)) < LABEL_GAP:
            shift = qy - py + (LABEL_GAP if up else -LABEL_GAP)
    return shift


def copies_labels(ax: plt.Axes, marks: list[tuple[object, float, int]]) -> None:
    """"×n" labels for marks ``(x, y, n)`` drawn in ``ax`` (its limits and size set): n pages
    relaying one figure, or n copies of a claim; readable however many there are. Marks at one
    spot get one label, "×c" when all have c, else their sum; a label that would overlap another
    moves up, :data:`LABEL_GAP` points at a time, with a thin line to its mark, or down where
    moving up would take it out of the plot. Marks of one copy each get none. Charts call it
    through :func:`count_label`, so that it runs once the figure is laid out (:func:`add_source`)."""
    spots: dict[tuple[object, float], list[int]] = {}
    for x, y, copies in marks:
        spots.setdefault((x, y), []).append(copies)
    to_points = 72.0 / ax.figure.dpi
    bottom, top = ax.bbox.y0 * to_points, ax.bbox.y1 * to_points
    todo = []
    for (x, y), counts in spots.items():
        if max(counts) > 1:
            text = f"×{counts[0]}" if len(set(counts)) == 1 else f"×{sum(counts)}"
            px, py = ax.transData.transform((ax.xaxis.convert_units(x), y)) * to_points
            todo.append((py, px, x, y, text))
    placed: list[tuple[float, float, float]] = []  # x, y and width (points) of each label placed
    for py, px, x, y, text in sorted(todo, key=lambda r: (r[0], r[1])):
        width = LABEL_CHAR * len(text)
        shift = _shift(placed, px, py, width, up=True)
        if py + shift + LABEL_GAP > top:  # out of the plot at the top: below, if there is room
            down = _shift(placed, px, py, width, up=False)
            shift = down if py + down >= bottom else shift
        placed.append((px, py + shift, width))
        line = {"arrowprops": {"arrowstyle": "-", "color": GREY, "lw": 0.5, "shrinkA": 0, "shrinkB": 0}}
        ax.annotate(
            text, (x, y), xytext=(4, 3 + shift), textcoords="offset points", fontsize=8, color=GREY,
            **(line if shift else {}),
        )


#: The "×n" labels of each axes, placed when its figure is laid out (:func:`add_source`).
_COUNT_LABELS: WeakKeyDictionary = WeakKeyDictionary()


def count_label(ax: plt.Axes, x: object, y: float, n: int) -> None:
    """A "×n" label for the mark at ``(x, y)`` (n relaying pages or copies), placed with the
    others of ``ax`` by :func:`copies_labels` once the figure is laid out; none when n is 1."""
    _COUNT_LABELS.setdefault(ax, []).append((x, y, int(n)))


@contextmanager
def _tight_boxes_once(fig: plt.Figure) -> Iterator[None]:
    """Inside, each axes of ``fig`` measures its tight box once per renderer and set of arguments.

    With a ``rect``, matplotlib's tight layout measures every axes twice (once for the margins,
    then again inside the rect) on a figure it has not changed in between: the second measure
    (ticks, labels and their text extents, the dearest part of laying a figure out) repeats the
    first exactly, so it is taken from the first. Nothing changes the figure meanwhile, so the
    layout is the same to the last bit."""
    axes = list(fig.axes)
    for ax in axes:
        memo: dict = {}

        def once(renderer=None, *args, _ax=ax, _memo=memo, **kwargs):  # noqa: ANN001, ANN002, ANN003
            key = (id(renderer), args, tuple(sorted(kwargs.items())))
            if key not in _memo:
                _memo[key] = type(_ax).get_tightbbox(_ax, renderer, *args, **kwargs)
            return _memo[key]

        ax.get_tightbbox = once
    try:
        yield
    finally:
        for ax in axes:
            del ax.get_tightbbox


def add_source(
    fig: plt.Figure, claims: pd.DataFrame, lang: str, key: str = "", source: str | None = None
) -> None:
    """Lay the figure out and add a strip at its foot: ``key`` (e.g. numbered milestones), then
    the wrapped source line, in 8 pt (9 px or more wherever the page shows the figure); the
    claims named there are the ones the figure plots (recorded for its download). ``source``
    replaces the line naming the estimators of ``claims``."""
    record_plotted(fig, claims)
    width = int(fig.get_figwidth() * 15.5)
    parts = [textwrap.fill(line, width=width) for line in key.splitlines() if line]
    parts.append(textwrap.fill(source_line(claims, lang) if source is None else source, width=width))
    text = "\n".join(parts)
    lines = text.count("\n") + 1
    foot = 0.1 + 0.155 * lines  # inches
    leg = fig.legends[0] if fig.legends else None
    leg_h = leg.get_window_extent(fig.canvas.get_renderer()).height / fig.dpi + 0.1 if leg else 0.0
    height = fig.get_figheight() + leg_h
    fig.set_figheight(height + foot)
    # the layout engine runs once here and is not attached to the figure: an attached engine
    # (as ``fig.tight_layout`` leaves behind) makes every ``savefig`` draw the figure twice
    with _tight_boxes_once(fig):
        TightLayoutEngine(rect=(0, (foot + leg_h) / (height + foot), 1, 1)).execute(fig)
    if leg:
        leg.set_bbox_to_anchor((0.0, foot / (height + foot)), transform=fig.transFigure)
    for ax in fig.axes:  # the "×n" labels, now that each axes has its size
        copies_labels(ax, _COUNT_LABELS.pop(ax, []))
    fig.text(
        0.01,
        0.04 / (height + foot),
        text,
        fontsize=SOURCE_SIZE,
        color="#444444",
        ha="left",
        va="bottom",
        linespacing=1.35,
    )


def finish(
    fig: plt.Figure,
    ax: plt.Axes,
    title: str,
    ylabel: str,
    claims: pd.DataFrame,
    lang: str,
    xlabel: str | None = None,
    key: str = "",
) -> None:
    """Title, axis labels and the source line (after ``key``) at the foot of the figure."""
    ax.set_title(textwrap.fill(title, width=int(fig.get_figwidth() * 6)), pad=14 if key else 6)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(t("date", lang) if xlabel is None else xlabel)
    add_source(fig, claims, lang, key)
