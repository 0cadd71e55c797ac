"""Charts for the notebooks, not the report: the pooled curves as small multiples (1.1, the
explorer), the backtest by cut-off (5.0) and the rounds-per-container sweep (``make sweep``).

They use the report's marks and colours (:mod:`dprk_russia.report.marks`), so a figure looks the
same here as in the report; their words are English only, except where the report's are reused.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from dprk_russia.analysis.tables import counted
from dprk_russia.report.figures import GREY, WIDE_WIDTH, add_source, estimator_colours, label, unit
from dprk_russia.report.i18n import num, t
from dprk_russia.report.marks import (
    BAND_COLOUR,
    LINE_COLOUR,
    basis_key,
    clip_band,
    curve_of,
    date_axis,
    legend,
    plot_band,
    plot_claims,
)


def sweep_summary(table: pd.DataFrame) -> plt.Figure:
    """Containers converted to rounds at each assumed rounds per container (``table``: the
    combined sweep of :func:`dprk_russia.analysis.sweep.combine`), one line per estimator, with the
    range of assessed round counts shaded."""
    fig, ax = plt.subplots()
    newest = table.sort_values(["date", "claim_id"], kind="stable")["estimator"].iloc[-1]
    colours = estimator_colours(table.drop_duplicates("estimator"))
    for est, g in table.groupby("estimator", sort=True):
        style = {"linewidth": 2.5} if est == newest else {"linewidth": 1, "alpha": 0.7}
        ax.plot(
            g["rounds_per_container"],
            g["implied_rounds"] / 1e6,
            marker="o",
            color=colours[est],
            label=est,
            **style,
        )
    lo, hi = table["assessed_rounds_low"].iloc[0], table["assessed_rounds_high"].iloc[0]
    ax.axhspan(lo / 1e6, hi / 1e6, color="#999999", alpha=0.2, label="range of assessed round counts")
    ax.set_title("Containers converted to rounds, by assumed rounds per container")
    ax.set_xlabel("assumed rounds per container")
    ax.set_ylabel("rounds (10⁶, capacity conversion)")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    add_source(fig, pd.DataFrame({"estimator": table["estimator"].unique()}), "en")
    return fig


def pooled_curves(
    claims: pd.DataFrame,
    ind: pd.DataFrame,
    curves: pd.DataFrame,
    lang: str,
    doubtful: Iterable[str] = (),
    ncols: int = 3,
    reference: pd.DataFrame | None = None,
    ids: list[str] | None = None,
) -> plt.Figure:
    """The pooled estimates as small multiples (``curves``: the weekly table of notebook 1.1,
    :func:`~dprk_russia.analysis.curves.curve_tables`): one panel per indicator, the curve and its
    band behind the counted figures of ``claims`` (the figures such a curve is fitted to: colour =
    estimator, ▲ ▼ bounds, hollow = in ``doubtful``, weighed down as a probable total).

    For the notebooks, not the report. With one indicator the panel is wide and its legend names
    the estimators, as in the report's charts. ``reference`` (curves of the same shape, e.g. the
    report's) is drawn as a dashed line, for comparison. ``ids`` chooses the panels (default: the
    indicators of ``curves``); a panel without a curve shows the figures alone.
    """
    if ids is None:
        ids = list(dict.fromkeys(curves["indicator"])) if len(curves) else []
    if not ids:  # a cut-off too early for any pooled curve
        fig, ax = plt.subplots(figsize=(WIDE_WIDTH, 1.2))
        ax.set_axis_off()
        ax.text(0.0, 0.5, "No pooled curve at this cut-off.", transform=ax.transAxes, va="center")
        return fig
    doubtful = set(doubtful)
    if len(curves):  # dates as dates, also when the table was read back as text
        curves = curves.assign(date=pd.to_datetime(curves["date"]))
    if len(ids) == 1:
        fig, axes = plt.subplots(figsize=(WIDE_WIDTH, 4.2), layout="constrained", squeeze=False)
    else:
        cols = min(ncols, len(ids))
        rows = -(-len(ids) // cols)
        fig, axes = plt.subplots(
            rows, cols, figsize=(11.0, 2.5 * rows + 0.6), layout="constrained", squeeze=False
        )
    axes = list(axes.flat)
    for extra in axes[len(ids) :]:
        extra.set_axis_off()
    every = counted(claims[claims["indicator"].isin(ids)])
    colours = estimator_colours(every)
    for ax, i in zip(axes, ids, strict=False):
        sub = every[every["indicator"] == i]
        curve = curve_of(curves, i)
        plot_band(ax, curve, lang=lang)
        ref = curve_of(reference, i)
        if ref is not None:
            ax.plot(pd.to_datetime(ref["date"]), ref["estimate"], color="#222222", linewidth=1.0,
                    linestyle=(0, (4, 3)), zorder=2)
        plot_claims(ax, sub, lang, colours=colours, doubtful=doubtful)
        lo, hi = ax.get_xlim()
        if hi - lo < 240:  # a few months (an early cut-off): one tick a month, not two per month name
            ax.xaxis.set_major_locator(mdates.MonthLocator())
        ax.set_ylim(bottom=0)
        clip_band(ax, sub, curve)
        title = textwrap.fill(label(ind, i, lang), 34 if len(ids) > 1 else 80)
        note = "\n(dashed: the report's curve)" if ref is not None else ""
        ax.set_title(title + note, fontsize=9, loc="left")
        ax.tick_params(labelsize=8)
        if len(ids) == 1:
            ax.set_ylabel(unit(ind, i, lang))
            ax.set_xlabel(t("date", lang))
    if len(ids) == 1:
        legend(axes[0], every, colours, lang, pooled=curve_of(curves, ids[0]) is not None, doubtful=doubtful)
    else:
        handles, labels = basis_key(
            every["basis"].unique(), lang, every["qualifier"].unique(),
            bool(doubtful & set(every["claim_id"].tolist())),
        )
        handles.append((Patch(color=BAND_COLOUR, alpha=0.45, lw=0), Line2D([], [], color=LINE_COLOUR)))
        labels.append(t("pooled_band", lang))
        fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 4))
    return fig


#: How the backtest's methods are named in its chart, and their colours.
BACKTEST_METHODS = {
    "consensus": ("pooled estimate", "#0072B2"),
    "adjusted": ("pooled, estimator's effect applied", "#56B4E9"),
    "naive": ("newest figure (naive)", "#D55E00"),
    "latest_median": ("median of each estimator's latest", "#E69F00"),
}


def backtest(
    by_cut: pd.DataFrame,
    lang: str,
    band: float,
    coverage_goal: tuple[float, float],
    held_out_from: pd.Timestamp | None = None,
) -> plt.Figure:
    """The backtest by cut-off (``by_cut``: :func:`~dprk_russia.analysis.backtest.by_cut`): left,
    the median absolute log error of each method on the figures published after each cut-off;
    right, the share of point figures inside the pooled band, against the band's nominal
    probability and the goal. A dashed line marks where the held-out half of the cut-offs begins.
    For the notebooks, not the report."""
    fig, (err, cov) = plt.subplots(1, 2, figsize=(11.0, 4.0), layout="constrained")
    cuts = pd.to_datetime(by_cut["cut"])
    for method, (name, colour) in BACKTEST_METHODS.items():
        err.plot(cuts, by_cut[f"mdale_{method}"].astype(float), marker="o", color=colour, label=name)
    err.set_ylim(bottom=0)
    err.set_title("Median error on the next figures", fontsize=10, loc="left")
    err.set_ylabel("median |log(prediction / figure)|")
    for x, n, top in zip(cuts, by_cut["n"], by_cut[[f"mdale_{m}" for m in BACKTEST_METHODS]].max(axis=1),
                         strict=True):
        err.annotate(f"n={int(n)}", (x, float(top)), xytext=(0, 4), textcoords="offset points",
                     ha="center", fontsize=7, color=GREY)
    handles, labels = err.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower left", ncol=len(labels), fontsize=8)
    low, high = coverage_goal
    cov.axhspan(100 * low, 100 * high, color=BAND_COLOUR, alpha=0.35, lw=0, label="goal")
    nominal = f"nominal {num(100 * band, lang)}%"
    cov.axhline(100 * band, color=LINE_COLOUR, linewidth=1.0, linestyle="--", label=nominal)
    cov.plot(
        cuts, 100 * by_cut["band_coverage"].astype(float), marker="o",
        color=BACKTEST_METHODS["consensus"][1], label="point figures inside the band",
    )
    for x, n, share in zip(cuts, by_cut["n_points"], by_cut["band_coverage"], strict=True):
        if pd.notna(share):
            cov.annotate(f"n={int(n)}", (x, 100 * float(share)), xytext=(0, 5), textcoords="offset points",
                         ha="center", fontsize=7, color=GREY)
    cov.set_ylim(0, 105)
    cov.set_title("Band coverage", fontsize=10, loc="left")
    cov.set_ylabel("share inside the band (%)")
    cov.legend(loc="lower left", fontsize=8)
    for ax in (err, cov):
        if held_out_from is not None:
            ax.axvline(pd.Timestamp(held_out_from), color="#777777", linestyle=":", linewidth=1.0)
            ax.annotate("held out →", (pd.Timestamp(held_out_from), 1.0), xycoords=("data", "axes fraction"),
                        xytext=(3, -3), textcoords="offset points", va="top", fontsize=8, color="#555555")
        date_axis(ax, lang)
        ax.set_xlabel("cut-off")
    return fig
