"""Figures in one project style, saved byte-identically for the same data."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from weakref import WeakKeyDictionary
from xml.sax.saxutils import escape

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from babel.dates import format_date
from matplotlib.layout_engine import TightLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from .i18n import LOCALES, day, label, num, num_range, t, unit  # noqa: F401  (label, unit re-exported)
from .io import atomic_path, write_csv

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


def shown(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims a chart draws: with a number, and covering the whole indicator (scope total)."""
    return claims[claims["has_value"] & (claims["scope"] == "total")]


def use_style() -> None:
    """Apply the project matplotlib style."""
    plt.style.use(STYLE)


#: Tooltip text of each linked point, by figure and point id (see :func:`link_point`).
_TOOLTIPS: WeakKeyDictionary[plt.Figure, dict[str, str]] = WeakKeyDictionary()


def estimator_names(claims: pd.DataFrame, lang: str) -> dict[str, str]:
    """Estimator key -> its name in ``lang`` (the registry label joined by cleaning, when present)."""
    col = f"estimator_label_{lang}"
    names = claims[col] if col in claims else claims["estimator"]
    return dict(zip(claims["estimator"], names, strict=True))


def tooltip(claim: pd.Series | dict, lang: str) -> str:
    """'Estimator · figure · date · basis' for one claim, in ``lang``."""
    qual = t(f"q_{claim['qualifier']}", lang)
    figure = (qual + " " if qual else "") + num_range(claim["value_low"], claim["value_high"], lang)
    name = claim.get(f"estimator_label_{lang}") or claim["estimator"]
    return " · ".join([name, figure, day(claim["date"], lang), t(claim["basis"], lang)])


def link_point(artist: object, claim: pd.Series | dict, lang: str) -> None:
    """Make ``artist`` (one plotted point or bar) link to the claim's source page, with a tooltip.

    In the SVG the artist becomes a link (``<a xlink:href>``) inside a group whose ``<title>``
    shows estimator, figure, date and basis on hover.
    """
    fig = artist.get_figure()  # type: ignore[attr-defined]
    tips = _TOOLTIPS.setdefault(fig, {})
    gid = f"pt{len(tips)}"
    tips[gid] = tooltip(claim, lang)
    artist.set_gid(gid)  # type: ignore[attr-defined]
    url = claim.get("source_url", "")
    if url:
        if hasattr(artist, "set_urls"):
            artist.set_urls([url])
        else:
            artist.set_url(url)  # type: ignore[attr-defined]


def _svg_with_links(svg: str, stem: str, tips: dict[str, str]) -> str:
    """Prefix every id with ``stem`` (figures share one HTML page) and add the point tooltips."""
    svg = re.sub(r'(id="|url\(#|xlink:href="#)', rf"\g<1>{stem}-", svg)
    for gid, text in tips.items():
        svg = svg.replace(f'<g id="{stem}-{gid}">', f'<g id="{stem}-{gid}"><title>{escape(text)}</title>', 1)
    return svg


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


def plotted_rows(fig: plt.Figure) -> pd.DataFrame | None:
    """The claims recorded on ``fig`` (one row per claim, by indicator, date and id), or None."""
    claims = getattr(fig, "plotted_claims", None)
    if claims is None:
        return None
    rows = claims.drop_duplicates("claim_id").sort_values(["indicator", "date", "claim_id"], kind="stable")
    return rows[PLOTTED_COLUMNS].reset_index(drop=True)


def save_figure(
    fig: plt.Figure, stem: str, out_dir: str | Path, download: bool = True, png: bool = True
) -> list[Path]:
    """Save ``fig`` as ``stem.svg`` (points linked to their sources) and, if ``png``, ``stem.png``,
    deterministically, and the claims it plots (see :func:`record_plotted`) as ``stem.csv``
    unless not ``download`` (a figure's phone variant shares the desktop one's download).

    ``savefig`` renders each file with matplotlib's own SVG and Agg canvases whatever the
    session's backend, so no backend is forced: a Jupyter kernel keeps its inline one. The
    figure is laid out once (:func:`add_source`), so each file costs one draw.
    """
    out = Path(out_dir)
    paths = []
    rows = plotted_rows(fig)
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
        fixed = dict(zip(claims["estimator"], claims["estimator_colour"], strict=True))
        return {e: fixed[e] or OTHER for e in ordered}
    return {e: (PALETTE[i] if i < max_named else OTHER) for i, e in enumerate(ordered)}


SOURCE_SIZE = 8


def add_source(fig: plt.Figure, claims: pd.DataFrame, lang: str, key: str = "") -> None:
    """Lay the figure out and add a strip at its foot: ``key`` (e.g. numbered milestones), then
    the wrapped source line, in 8 pt (9 px or more wherever the page shows the figure); the
    claims named there are the ones the figure plots (recorded for its download)."""
    record_plotted(fig, claims)
    width = int(fig.get_figwidth() * 15.5)
    parts = [textwrap.fill(line, width=width) for line in key.splitlines() if line]
    parts.append(textwrap.fill(source_line(claims, lang), width=width))
    text = "\n".join(parts)
    lines = text.count("\n") + 1
    foot = 0.1 + 0.155 * lines  # inches
    leg = fig.legends[0] if fig.legends else None
    leg_h = leg.get_window_extent(fig.canvas.get_renderer()).height / fig.dpi + 0.1 if leg else 0.0
    height = fig.get_figheight() + leg_h
    fig.set_figheight(height + foot)
    # the layout engine runs once here and is not attached to the figure: an attached engine
    # (as ``fig.tight_layout`` leaves behind) makes every ``savefig`` draw the figure twice
    TightLayoutEngine(rect=(0, (foot + leg_h) / (height + foot), 1, 1)).execute(fig)
    if leg:
        leg.set_bbox_to_anchor((0.0, foot / (height + foot)), transform=fig.transFigure)
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


class _DateFormatter(mdates.DateFormatter):
    """Month ticks in the language; the year under the first tick and under each January."""

    def __init__(self, lang: str) -> None:
        super().__init__("%Y")
        self.lang = lang

    def __call__(self, x: float, pos: int | None = 0) -> str:
        return self.format_ticks([x])[0]

    def format_ticks(self, values) -> list[str]:  # noqa: ANN001
        out, year = [], None
        for v in values:
            d = mdates.num2date(v).date()
            month = format_date(d, "LLL", locale=LOCALES[self.lang]).rstrip(".")
            out.append(month if d.year == year else f"{month}\n{d.year}")
            year = d.year
        return out


def date_axis(ax: plt.Axes, lang: str) -> None:
    """A handful of month ticks, labelled in ``lang``, each year written out."""
    locator = mdates.AutoDateLocator(minticks=2 if is_narrow() else 3, maxticks=5 if is_narrow() else 7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(_DateFormatter(lang))


def number_axis(ax: plt.Axes, lang: str) -> None:
    """Y tick labels with the language's thousands and decimal separators."""

    def fmt(v: float, _pos: int) -> str:
        return num(v, lang, 0 if abs(v - round(v)) < 1e-9 else 1)

    ax.yaxis.set_major_formatter(FuncFormatter(fmt))


BAND_COLOUR = "#b8b8b8"
LINE_COLOUR = "#555555"


def plot_band(ax: plt.Axes, curve: pd.DataFrame | None, scale: float = 1.0) -> bool:
    """The pooled estimate as a line in its band, behind the figures; False when there is none."""
    if curve is None or curve.empty:
        return False
    ax.fill_between(
        curve["date"],
        curve["low"] / scale,
        curve["high"] / scale,
        color=BAND_COLOUR,
        alpha=0.45,
        lw=0,
        zorder=0,
    )
    ax.plot(curve["date"], curve["estimate"] / scale, color=LINE_COLOUR, linewidth=1.3, zorder=1)
    return True


def place_legend(
    ax: plt.Axes, handles: list, labels: list[str], inside: bool = False, below: bool = False
) -> None:
    """The legend right of the axes on a desk, below them on a phone or when ``below``; ``inside``
    fills a spare panel."""
    if inside:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.0, 1.0))
    elif is_narrow() or below:
        # a figure legend across the foot, above the source line (see add_source)
        ax.figure.legend(handles, labels, loc="lower left", ncol=1 if is_narrow() else 3, columnspacing=1.2)
    else:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def basis_key(bases: Iterable[str], lang: str) -> tuple[list, list[str]]:
    """Legend entries for the bases drawn: the marker shape in grey outline, never an estimator colour."""
    handles, labels = [], []
    drawn = set(bases)
    for basis in MARKERS:
        if basis in drawn:
            marker = MARKERS[basis]
            key = Line2D([], [], marker=marker, linestyle="none", color=GREY, markerfacecolor="white")
            handles.append(key)
            labels.append(t(basis, lang))
    return handles, labels


def legend(
    ax: plt.Axes,
    claims: pd.DataFrame,
    colours: dict[str, str],
    lang: str,
    pooled: bool = False,
    inside: bool = False,
    below: bool = False,
) -> None:
    """One legend of what the chart draws: estimators in their fixed colours, 'other estimators'
    in grey, the basis shapes drawn (grey outlines), and the pooled estimate when there is one."""
    drawn = set(claims["estimator"])
    names = estimator_names(claims, lang)
    handles, labels = [], []
    has_other = False
    for est, col in colours.items():
        if est not in drawn:
            continue
        if col == OTHER:
            has_other = True
            continue
        handles.append(Line2D([], [], marker="o", linestyle="none", color=col))
        labels.append(names[est])
    if has_other:
        handles.append(Line2D([], [], marker="o", linestyle="none", color=OTHER))
        labels.append(t("other_estimators", lang))
    more_h, more_l = basis_key(claims["basis"], lang)
    handles += more_h
    labels += more_l
    if pooled:
        from matplotlib.patches import Patch

        handles.append((Patch(color=BAND_COLOUR, alpha=0.45, lw=0), Line2D([], [], color=LINE_COLOUR)))
        labels.append(t("pooled_band", lang))
    place_legend(ax, handles, labels, inside, below)


def plot_claims(
    ax: plt.Axes, claims: pd.DataFrame, lang: str, colours: dict[str, str] | None = None, scale: float = 1.0
) -> None:
    """Scatter claims by date; colour = estimator, marker = basis, vertical bar = low–high."""
    claims = shown(claims).sort_values(["date", "claim_id"], kind="stable")
    colours = colours or estimator_colours(claims)
    for _, c in claims.iterrows():
        col = colours.get(c["estimator"], OTHER)
        basis = c["basis"]
        if c["value_high"] > c["value_low"]:
            bar = ax.vlines(
                c["date"], c["value_low"] / scale, c["value_high"] / scale, color=col, linewidth=2, alpha=0.7
            )
            link_point(bar, c, lang)
        (point,) = ax.plot(
            c["date"],
            c["value_mid"] / scale,
            marker=MARKERS[basis],
            linestyle="none",
            markerfacecolor=col if FILLED[basis] else "white",
            markeredgecolor=col,
            zorder=4 if basis == "forecast" else 3,
        )
        link_point(point, c, lang)
    date_axis(ax, lang)
    number_axis(ax, lang)


def annotate_events(ax: plt.Axes, events: pd.DataFrame, lang: str, dates: Iterable[str]) -> str:
    """Dashed lines for the chosen events in view, numbered above the plot; returns their key
    ('(1) 18 Oct 2024: ...', one line each) for :func:`add_source`."""
    lo, hi = ax.get_xlim()
    ev = events[events["date"].isin(list(dates))].sort_values("date")
    key = []
    for _, e in ev.iterrows():
        d = pd.Timestamp(e["date"])
        if not lo <= mdates.date2num(d) <= hi:
            continue
        n = len(key) + 1
        ax.axvline(d, color="#777777", linestyle="--", linewidth=0.8, zorder=0)
        ax.annotate(
            str(n),
            xy=(d, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
            fontweight="bold",
            color="#333333",
            bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "#777777", "lw": 0.8},
            annotation_clip=False,
        )
        key.append(f"({n}) {day(d, lang)}: {e[f'event_{lang}']}")
    ax.set_xlim(lo, hi)
    return "\n".join(key)


def timeline_figure(
    claims: pd.DataFrame,
    indicators: pd.DataFrame,
    indicator_ids: Sequence[str],
    lang: str,
    title: str | None = None,
    scale: float = 1.0,
    scale_label: str = "",
    curves: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    event_dates: Sequence[str] = (),
) -> tuple[plt.Figure, plt.Axes]:
    """One panel: every claim of ``indicator_ids`` over time, by estimator, in front of the pooled
    estimate of the first indicator where ``curves`` has one."""
    sub = shown(claims[claims["indicator"].isin(indicator_ids)])
    fig, (ax,) = subplots(1, height=4.0)
    colours = estimator_colours(sub)
    pooled = plot_band(ax, curve_of(curves, indicator_ids[0]), scale)
    plot_claims(ax, sub, lang, colours=colours, scale=scale)
    first = indicator_ids[0]
    ylabel = unit(indicators, first, lang) + (f" ({scale_label})" if scale_label else "")
    ax.set_ylim(bottom=0)
    clip_far_forecasts(ax, sub, lang, scale)
    legend(ax, sub, colours, lang, pooled)
    if events is not None:
        key = annotate_events(ax, events, lang, event_dates)
    else:
        key = ""
    finish(fig, ax, title or label(indicators, first, lang), ylabel, sub, lang, key=key)
    return fig, ax


def clip_far_forecasts(ax: plt.Axes, claims: pd.DataFrame, lang: str, scale: float = 1.0) -> None:
    """When forecasts run far above every counted figure (a plan of 100,000 beside counts of
    15,000), stop the y-axis above the counts and mark each clipped forecast at the top edge
    with its value, so the counted figures stay readable."""
    counted = claims[claims["basis"] != "forecast"]
    if counted.empty:
        return
    top = float(counted["value_high"].max()) / scale
    far = claims[(claims["basis"] == "forecast") & (claims["value_mid"] / scale > 2 * top)]
    if far.empty:
        return
    ax.set_ylim(0, 1.3 * top)
    for _, c in far.iterrows():
        ax.annotate(
            f"↑ {num(c['value_mid'] / scale, lang)} ({t('forecast', lang)})",
            (c["date"], 1.3 * top),
            xytext=(0, -4),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=8,
            color="#444444",
        )


def curve_of(curves: pd.DataFrame | None, indicator: str) -> pd.DataFrame | None:
    """The pooled curve of one indicator, or None."""
    if curves is None or curves.empty:
        return None
    c = curves[curves["indicator"] == indicator]
    return c if len(c) else None
