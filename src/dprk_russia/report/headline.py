"""The headline chart: the pooled curves of the core questions as small multiples.

One panel per question of the "At a glance" block (:data:`dprk_russia.report.render.GLANCE`)
that has a pooled curve. Each panel draws the curve and its band as notebook 1.1 wrote them
(``consensus_over_time.csv``) up to the date of the newest figure behind it (``evidence_date``
of ``consensus.csv``, marked with a dot, the estimate and the date), and the part carried flat
after it to the cut-off dashed over a lighter band. Nothing is computed here: the join point is
the evidence row of ``consensus.csv``, the rest are rows of the curve table.
"""

from __future__ import annotations

import textwrap

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from babel.dates import format_date
from babel.numbers import format_compact_decimal
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from dprk_russia.report.figures import NARROW_WIDTH, WIDE_WIDTH, add_source, is_narrow
from dprk_russia.report.i18n import LOCALES, curve_table, day, label, num, round_sig, t, unit
from dprk_russia.report.marks import BAND_COLOUR, LINE_COLOUR, place_legend
from dprk_russia.report.render import GLANCE

#: Columns of the headline chart's download ``headline.csv``: the curve rows it draws.
HEADLINE_COLUMNS = ["indicator", "date", "estimate", "low", "high", "newest_evidence", "held_flat"]
HELD_ALPHA = 0.2  #: the lighter band after the newest figure (the drawn band: 0.45)
HELD_DASH = (0, (3, 2))  #: the dashed line after the newest figure
#: A short date by language (14 Feb 2026, 14. Feb. 2026).
SHORT_DAY = {"en": "d MMM y", "de": "d. MMM y"}


def headline_ids(curves: pd.DataFrame, ids: tuple[str, ...] = GLANCE) -> list[str]:
    """The core questions, in the order of ``ids``, that have a pooled curve in ``curves``."""
    drawn = set(curves["indicator"]) if len(curves) else set()
    return [i for i in ids if i in drawn]


def headline_rows(curves: pd.DataFrame, consensus: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """The rows the chart draws, per indicator in ``ids``: the curve up to the newest evidence,
    the evidence point itself (from ``consensus.csv``) and the curve after it (``held_flat``)."""
    parts = []
    cons = consensus.set_index("indicator")
    for i in ids:
        curve = curves[curves["indicator"] == i]
        curve = curve.assign(date=pd.to_datetime(curve["date"]))
        evidence = pd.Timestamp(cons.at[i, "evidence_date"])
        point = pd.DataFrame(
            {
                "indicator": [i],
                "date": [evidence],
                "estimate": [cons.at[i, "evidence_estimate"]],
                "low": [cons.at[i, "evidence_low"]],
                "high": [cons.at[i, "evidence_high"]],
            }
        )
        rows = pd.concat([curve[curve["date"] < evidence], point, curve[curve["date"] > evidence]])
        rows = rows.assign(newest_evidence=evidence, held_flat=rows["date"] > evidence)
        parts.append(rows[HEADLINE_COLUMNS])
    if not parts:
        return pd.DataFrame(columns=HEADLINE_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    for col in ("estimate", "low", "high"):
        out[col] = out[col].astype(float)
    return out


def _tick(lang: str):  # noqa: ANN202
    """Y tick labels: whole numbers in the language, millions short (en 7.5M, de 7,5 Mio.)."""

    def fmt(v: float, _pos: int) -> str:
        if abs(v) >= 1e6:
            return format_compact_decimal(v, format_type="short", locale=LOCALES[lang], fraction_digits=1)
        return num(v, lang)

    return FuncFormatter(fmt)


def _panel(ax: plt.Axes, rows: pd.DataFrame, ind: pd.DataFrame, i: str, lang: str) -> None:
    """One question: band and line to the newest evidence, lighter and dashed after it."""
    evidence = rows["newest_evidence"].iloc[0]
    drawn, held = rows[rows["date"] <= evidence], rows[rows["date"] >= evidence]
    ax.fill_between(drawn["date"], drawn["low"], drawn["high"], color=BAND_COLOUR, alpha=0.45, lw=0, zorder=0)
    ax.plot(drawn["date"], drawn["estimate"], color=LINE_COLOUR, linewidth=1.5, zorder=2)
    if len(held) > 1:
        ax.fill_between(held["date"], held["low"], held["high"], color=BAND_COLOUR, alpha=HELD_ALPHA, lw=0)
        ax.plot(held["date"], held["estimate"], color=LINE_COLOUR, lw=1.3, linestyle=HELD_DASH, zorder=2)
    point = rows[rows["date"] == evidence].iloc[0]
    ax.axvline(evidence, color="#999999", linewidth=0.6, linestyle=":", zorder=1)
    ax.plot([evidence], [point["estimate"]], "o", color="#222222", markersize=4.5, zorder=3)
    when = format_date(evidence.date(), SHORT_DAY[lang], locale=LOCALES[lang])
    ax.annotate(
        f"{num(round_sig(float(point['estimate'])), lang)}\n{when}",
        (evidence, point["estimate"]), xytext=(-5, 6), textcoords="offset points", ha="right", va="bottom",
        fontsize=8, color="#222222", linespacing=1.1,
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
    )
    ax.set_ylim(0, 1.12 * float(rows["high"].max()))
    ax.yaxis.set_major_locator(plt.MaxNLocator(4))
    ax.yaxis.set_major_formatter(_tick(lang))
    ax.set_ylabel(unit(ind, i, lang), fontsize=8)
    ax.tick_params(labelsize=8)
    ax.set_title(textwrap.fill(label(ind, i, lang), 18 if is_narrow() else 25), fontsize=9, loc="left")


def headline(curves: pd.DataFrame, consensus: pd.DataFrame, ind: pd.DataFrame, lang: str) -> plt.Figure:
    """The headline chart for ``lang`` (``curves``: ``consensus_over_time.csv``; ``consensus``:
    ``consensus.csv``): one panel per core question with a pooled curve, three to a row on a desk
    and two on a phone, on one time axis; its download is the rows drawn (:func:`headline_rows`)."""
    ids = headline_ids(curves)
    width = NARROW_WIDTH if is_narrow() else WIDE_WIDTH
    if not ids:  # a cut-off too early for any pooled curve
        fig, ax = plt.subplots(figsize=(width, 1.0))
        ax.set_axis_off()
        ax.text(0.0, 0.5, t("headline_none", lang), transform=ax.transAxes, va="center", fontsize=9)
        fig.plotted_table = curve_table(headline_rows(curves, consensus, ids), ind, lang)
        return fig
    rows = headline_rows(curves, consensus, ids)
    ncols = 2 if is_narrow() or len(ids) <= 4 else 3
    nrows = -(-len(ids) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, 2.25 * nrows), sharex=True, squeeze=False)
    axes = list(axes.flat)
    for extra in axes[len(ids) :]:
        extra.set_axis_off()
    for ax, i in zip(axes, ids, strict=False):
        _panel(ax, rows[rows["indicator"] == i], ind, i, lang)
    for ax in axes[: len(ids)]:
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.tick_params(axis="x", labelbottom=True)
    handles = [
        (Patch(color=BAND_COLOUR, alpha=0.45, lw=0), Line2D([], [], color=LINE_COLOUR, linewidth=1.5)),
        Line2D([], [], marker="o", linestyle="none", color="#222222", markersize=4.5),
        (Patch(color=BAND_COLOUR, alpha=HELD_ALPHA, lw=0),
         Line2D([], [], color=LINE_COLOUR, linewidth=1.3, linestyle=HELD_DASH)),
    ]
    labels = [t("pooled_band", lang), t("headline_newest", lang), t("headline_held", lang)]
    place_legend(axes[0], handles, labels, below=True)
    cut = day(rows["date"].max(), lang)
    fig.suptitle(
        textwrap.fill(t("headline_title", lang).format(cut=cut), int(width * 9.5)),
        x=0.01, ha="left", fontweight="bold", fontsize=11,
    )
    fig.plotted_table = curve_table(rows, ind, lang)
    add_source(fig, pd.DataFrame(), lang, source=t("headline_source", lang))
    return fig
