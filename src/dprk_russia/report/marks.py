"""Drawing parts the charts share: date and number axes, the pooled band, legends and keys,
claims as marks, event notes and the timeline figure.

Style, layout and saving (with links and the plotted rows) are in
:mod:`dprk_russia.report.figures`; each chart in :mod:`dprk_russia.report.charts` combines both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from babel.dates import format_date
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from dprk_russia.analysis.tables import distinct_estimates, shown
from dprk_russia.report.figures import (
    FILLED,
    GREY,
    MARKERS,
    OTHER,
    count_label,
    estimator_colours,
    estimator_names,
    finish,
    is_narrow,
    link_point,
    register_band,
    subplots,
)
from dprk_russia.report.i18n import LOCALES, day, label, num, t, unit


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


class _MonthLocator(mdates.AutoDateLocator):
    """Matplotlib's automatic date ticks, never finer than whole months: the labels name months,
    so ticks on the 1st and 15th would print the same month twice."""

    def get_locator(self, dmin, dmax):  # noqa: ANN001, ANN201
        locator = super().get_locator(dmin, dmax)
        if self._freq in (mdates.YEARLY, mdates.MONTHLY):  # the frequency matplotlib chose
            return locator
        month = mdates.MonthLocator()
        month.set_axis(self.axis)
        return month


def date_axis(ax: plt.Axes, lang: str) -> None:
    """A handful of month ticks, labelled in ``lang``, each year written out."""
    locator = _MonthLocator(minticks=2 if is_narrow() else 3, maxticks=5 if is_narrow() else 7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(_DateFormatter(lang))


def number_axis(ax: plt.Axes, lang: str) -> None:
    """Y tick labels with the language's thousands and decimal separators."""

    def fmt(v: float, _pos: int) -> str:
        return num(v, lang, 0 if abs(v - round(v)) < 1e-9 else 1)

    ax.yaxis.set_major_formatter(FuncFormatter(fmt))


BAND_COLOUR = "#b8b8b8"
LINE_COLOUR = "#555555"


def plot_band(ax: plt.Axes, curve: pd.DataFrame | None, scale: float = 1.0, lang: str = "en") -> bool:
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
    register_band(ax, curve, scale, lang)
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


def basis_key(
    bases: Iterable[str],
    lang: str,
    qualifiers: Iterable[str] = (),
    doubtful: bool = False,
    rise: bool = False,
) -> tuple[list, list[str]]:
    """Legend entries for the shapes drawn: bases, bounds (▲ ▼) and hollow doubtful figures, in
    grey, never an estimator colour."""
    handles, labels = [], []
    drawn = set(bases)
    for basis in MARKERS:
        if basis in drawn:
            marker = MARKERS[basis]
            face = GREY if FILLED[basis] else "white"  # as drawn: only capacity conversions hollow
            key = Line2D([], [], marker=marker, linestyle="none", color=GREY, markerfacecolor=face)
            handles.append(key)
            labels.append(t(basis, lang))
    marks = {BOUND_MARKERS[q] for q in qualifiers if q in BOUND_MARKERS}
    for marker, key in (("^", "lower_bound"), ("v", "upper_bound")):
        if marker in marks:
            handles.append(Line2D([], [], marker=marker, linestyle="none", color=GREY, markerfacecolor=GREY))
            labels.append(t(key, lang))
    if doubtful:
        handles.append(Line2D([], [], marker="o", linestyle="none", color=GREY, markerfacecolor="white"))
        labels.append(t("doubtful", lang))
    if rise:
        handles.append(Line2D([], [], color=GREY, linestyle=":"))
        labels.append(t("period_rise", lang))
    return handles, labels


def legend(
    ax: plt.Axes,
    claims: pd.DataFrame,
    colours: dict[str, str],
    lang: str,
    pooled: bool = False,
    inside: bool = False,
    below: bool = False,
    doubtful: Iterable[str] = (),
    rises: Iterable[str] = (),
) -> None:
    """One legend of what the chart draws: estimators in their fixed colours, 'other estimators'
    in grey, the basis shapes drawn (grey outlines), and the pooled estimate when there is one."""
    drawn = set(claims["estimator"].unique())
    doubtful = set(doubtful)
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
    counted = claims[claims["basis"].isin(["assessed", "official"])]
    ids = set(claims["claim_id"].tolist())
    any_doubtful = bool(doubtful & ids)
    any_rise = bool(set(rises) & ids)
    bases, qualifiers = claims["basis"].unique(), counted["qualifier"].unique()
    more_h, more_l = basis_key(bases, lang, qualifiers, any_doubtful, any_rise)
    handles += more_h
    labels += more_l
    if pooled:
        from matplotlib.patches import Patch

        handles.append((Patch(color=BAND_COLOUR, alpha=0.45, lw=0), Line2D([], [], color=LINE_COLOUR)))
        labels.append(t("pooled_band", lang))
    place_legend(ax, handles, labels, inside, below)


#: Glyph of a counted figure by its qualifier: a bound points the way the truth lies.
BOUND_MARKERS = {"over": "^", "at_least": "^", "up_to": "v", "nearly": "v"}


def glyph(basis: str, qualifier: str) -> str:
    """The marker of a figure: capacity conversions and forecasts keep their basis shape; a counted
    figure shows its qualifier (lower bound ▲, upper bound ▼, point ● or ■ for an official one)."""
    if basis in ("assessed", "official") and qualifier in BOUND_MARKERS:
        return BOUND_MARKERS[qualifier]
    return MARKERS[basis]


def plot_claims(
    ax: plt.Axes,
    claims: pd.DataFrame,
    lang: str,
    colours: dict[str, str] | None = None,
    scale: float = 1.0,
    doubtful: Iterable[str] = (),
    rises: Iterable[str] = (),
    curve: pd.DataFrame | None = None,
) -> None:
    """Scatter claims by date; colour = estimator, marker = qualifier or basis (:func:`glyph`),
    vertical bar = low–high. Relayed copies of one estimate are one mark, labelled "×n"; figures
    in ``doubtful`` (weighed down in the pooled fit as probable totals) are drawn hollow; figures
    in ``rises`` (a total for a period, counted as the rise over it) by :func:`plot_rise`."""
    claims = distinct_estimates(shown(claims)).sort_values(["date", "claim_id"], kind="stable")
    colours = colours or estimator_colours(claims)
    doubtful, rises = set(doubtful), set(rises)
    for _, c in claims.iterrows():
        col = colours.get(c["estimator"], OTHER)
        basis = c["basis"]
        if rises & set(c["relay_ids"].split(";")):
            plot_rise(ax, c, col, lang, scale, curve)
            continue
        if c["value_high"] > c["value_low"]:
            bar = ax.vlines(
                c["date"], c["value_low"] / scale, c["value_high"] / scale, color=col, linewidth=2, alpha=0.7
            )
            link_point(bar, c, lang)
        hollow = not FILLED[basis] or bool(doubtful & set(c["relay_ids"].split(";")))
        (point,) = ax.plot(
            c["date"],
            c["value_mid"] / scale,
            marker=glyph(basis, c["qualifier"]),
            linestyle="none",
            markerfacecolor="white" if hollow else col,
            markeredgecolor=col,
            zorder=4 if basis == "forecast" else 3,
        )
        link_point(point, c, lang)
        count_label(ax, c["date"], c["value_mid"] / scale, c["relays"])
    date_axis(ax, lang)
    number_axis(ax, lang)


def plot_rise(
    ax: plt.Axes, c: pd.Series, col: str, lang: str, scale: float = 1.0, curve: pd.DataFrame | None = None
) -> None:
    """A total for a period ("49 voyages in 2024") drawn as the rise it counts: from the pooled
    level at the period's start (a dotted line across the period), up by the figure at its end,
    labelled "+n". Without a curve that covers the start, the rise starts from zero."""
    start, end = pd.Timestamp(c["period_start_date"]), pd.Timestamp(c["date"])
    base = 0.0
    if curve is not None and len(curve) and curve["date"].min() <= start:
        base = float(curve.loc[curve["date"] <= start, "estimate"].iloc[-1])
    base /= scale
    top = base + c["value_mid"] / scale
    ax.hlines(base, start, end, color=col, linestyle=":", linewidth=1.2, zorder=2)
    ax.vlines(end, base, top, color=col, linewidth=1.5, zorder=2)
    marker = glyph(c["basis"], c["qualifier"])
    (point,) = ax.plot(end, top, marker=marker, linestyle="none", color=col, markeredgecolor=col, zorder=3)
    link_point(point, c, lang)
    relays = f" ×{c['relays']}" if c["relays"] > 1 else ""
    ax.annotate(
        f"+{num(c['value_mid'] / scale, lang)}{relays}", (end, top), xytext=(4, -3),
        textcoords="offset points", fontsize=8, color=GREY, va="top",
    )


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
    curve = curve_of(curves, indicator_ids[0])
    pooled = plot_band(ax, curve, scale, lang)
    doubtful = curves.attrs.get("doubtful", ()) if curves is not None else ()
    rises = curves.attrs.get("rises", ()) if curves is not None else ()
    plot_claims(ax, sub, lang, colours=colours, scale=scale, doubtful=doubtful, rises=rises, curve=curve)
    first = indicator_ids[0]
    ylabel = unit(indicators, first, lang) + (f" ({scale_label})" if scale_label else "")
    ax.set_ylim(bottom=0)
    clip_far_forecasts(ax, sub, lang, scale)
    legend(ax, sub, colours, lang, pooled, doubtful=doubtful, rises=rises)
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


def clip_band(ax: plt.Axes, part: pd.DataFrame, curve: pd.DataFrame | None) -> None:
    """Keep the figures readable where a pooled band runs far above them (few late figures):
    the axis stops at 1.3 times the highest figure or pooled estimate; the band runs off the top."""
    if curve is None or part.empty:
        return
    top = 1.3 * max(float(part["value_high"].max()), float(curve["estimate"].max()))
    if ax.get_ylim()[1] > 1.5 * top:
        ax.set_ylim(0, top)
