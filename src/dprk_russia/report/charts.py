"""The project's figures. Each function returns a finished matplotlib Figure for one language.

All text comes from ``indicators.csv`` labels or :mod:`dprk_russia.report.i18n`, so the English
and German reports share the code.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from babel.dates import format_date
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from dprk_russia.analysis.tables import UN_CAP_BARRELS, shown
from dprk_russia.report.figures import (
    FILLED,
    GREY,
    MARKERS,
    NARROW_WIDTH,
    OTHER,
    WIDE_WIDTH,
    add_source,
    count_label,
    estimator_colours,
    estimator_names,
    finish,
    first_copies,
    is_narrow,
    label,
    link_point,
    subplots,
    unit,
)
from dprk_russia.report.i18n import LOCALES, day, num, t
from dprk_russia.report.marks import (
    clip_band,
    curve_of,
    date_axis,
    legend,
    number_axis,
    place_legend,
    plot_band,
    plot_claims,
    timeline_figure,
)

#: Figure stems in report order, grouped by the notebook that writes them (``headline``, which
#: opens the report, is drawn by :mod:`dprk_russia.report.headline`).
FIGURES = {
    "2.0-shipments": [
        "containers",
        "artillery_rounds",
        "rounds_per_container",
        "missiles",
        "guns_launchers",
        "ship_voyages",
        "dprk_share",
    ],
    "2.1-oil-transfers": ["oil_runrate", "oil_tankers"],
    "2.2-deployments": ["troops", "later_waves", "casualties", "casualty_share"],
    "2.3-consensus-contradictions": ["headline", "consensus_spread"],
}


#: Milestones drawn on the troops chart (dates of rows in events.csv).
TROOP_EVENTS = ("2024-10-18", "2024-12-04", "2025-04-28", "2025-06-17", "2025-09-02")


def containers(
    claims: pd.DataFrame, ind: pd.DataFrame, lang: str, curves: pd.DataFrame | None = None
) -> plt.Figure:
    """Munitions containers over time, by estimator, with low–high ranges and the pooled estimate."""
    fig, _ = timeline_figure(claims, ind, ["containers_munitions"], lang, curves=curves)
    return fig


def artillery_rounds(
    claims: pd.DataFrame, ind: pd.DataFrame, lang: str, curves: pd.DataFrame | None = None
) -> plt.Figure:
    """Assessed counts with the pooled estimate (left) beside capacity conversions (right), never
    mixed; both panels on one time axis."""
    sub = shown(claims[claims["indicator"] == "artillery_rounds"])
    fig, axes = subplots(2, sharey=True, sharex=True)
    colours = estimator_colours(sub)
    pooled = plot_band(axes[0], curve_of(curves, "artillery_rounds"))
    for ax, bases in zip(axes, (("assessed", "official"), ("capacity",)), strict=True):
        part = sub[sub["basis"].isin(bases)]
        plot_claims(ax, part, lang, colours=colours)
        ax.set_title(t(bases[0], lang), fontsize=10, loc="left")
        ax.set_xlabel(t("date", lang))
        ax.set_ylabel(unit(ind, "artillery_rounds", lang))
    axes[0].set_ylim(bottom=0)
    axes[0].tick_params(labelleft=True)
    axes[1].tick_params(labelleft=True)
    fig.suptitle(label(ind, "artillery_rounds", lang), x=0.01, ha="left", fontweight="bold")
    # below the panels: two panels and a side legend do not fit a page
    legend(axes[-1] if is_narrow() else axes[0], sub, colours, lang, pooled, below=True)
    add_source(fig, sub, lang)
    return fig


def rounds_per_container(
    claims: pd.DataFrame, ratios: pd.DataFrame, lang: str, band_low: float, band_high: float
) -> plt.Figure:
    """Implied rounds per container (``ratios``: the table of
    :func:`~dprk_russia.analysis.tables.implied_rounds_per_container`), one row per source pair
    (estimator and date), against the band; pairs with counted rounds and pairs with capacity
    conversions in separate panels."""
    by_id = claims.set_index("claim_id", drop=False)
    names = estimator_names(claims, lang)
    used = claims[claims["claim_id"].isin(ratios["rounds_claim_id"].unique())]
    colours = estimator_colours(used)
    groups = [(b, ratios[ratios["rounds_basis"].isin(bs)]) for b, bs in
              (("assessed", ("assessed", "official")), ("capacity", ("capacity",)))]
    # an empty panel when no source gives both figures yet (an early cut-off)
    groups = [(b, g) for b, g in groups if len(g)] or groups[:1]
    keys = ["estimator", "date", "ratio_low", "ratio_high"]
    rows = [len(g.drop_duplicates(keys)) for _, g in groups]

    def when(d: pd.Timestamp) -> str:
        return format_date(d, "MMM yyyy", locale=LOCALES[lang]) if is_narrow() else day(d, lang)

    width = NARROW_WIDTH if is_narrow() else WIDE_WIDTH
    fig, axes = plt.subplots(
        len(groups), 1, sharex=True, squeeze=False,
        figsize=(width, 1.2 + (0.45 if is_narrow() else 0.3) * sum(rows) + 0.6 * len(groups)),
        gridspec_kw={"height_ratios": [r + 1.2 for r in rows]},
    )
    axes = list(axes.flat)
    for ax, (basis, g) in zip(axes, groups, strict=True):
        # a pair repeated by several pages (same estimator, date and ratio) is one row, "×n"
        g = g.sort_values(["date", "estimator", "rounds_claim_id"], kind="stable")
        keys = ["estimator", "date", "ratio_low", "ratio_high"]
        g = g.assign(n=g.groupby(keys)["ratio_mid"].transform("size")).drop_duplicates(keys)
        g = g.reset_index(drop=True)
        ax.axvspan(band_low, band_high, color="#56B4E9", alpha=0.18, lw=0, zorder=0)
        for y, r in enumerate(g.itertuples()):
            col = colours.get(r.estimator, "#999999")
            claim = by_id.loc[r.rounds_claim_id]
            if r.ratio_high > r.ratio_low:
                bar = ax.hlines(y, r.ratio_low, r.ratio_high, color=col, linewidth=2.5, alpha=0.8)
                link_point(bar, claim, lang)
            (point,) = ax.plot(
                r.ratio_mid, y, marker=MARKERS[basis], color=col,
                markerfacecolor=col if FILLED[basis] else "white", zorder=3,
            )
            link_point(point, claim, lang)
        ax.set_yticks(range(len(g)))
        ticks = [
            f"{names[r.estimator]} · {when(r.date)}" + (f" (×{r.n})" if r.n > 1 else "")
            for r in g.itertuples()
        ]
        if is_narrow():  # each row's name above its points, over the full width
            ax.set_yticklabels([])
            ax.tick_params(axis="y", length=0)
            for y, tick in enumerate(ticks):
                ax.text(0.005, y - 0.22, tick, transform=ax.get_yaxis_transform(), fontsize=8, va="bottom")
            ax.set_ylim(len(g) - 0.6, -0.75)
        else:
            ax.set_yticklabels(ticks, fontsize=8)
            ax.set_ylim(len(g) - 0.5, -0.5)
        ax.set_title(t(f"pairs_{basis}", lang), fontsize=10, loc="left")
        ax.grid(axis="x", color="#dddddd")
        ax.grid(axis="y", visible=False)
    axes[-1].set_xlim(left=0)
    axes[-1].xaxis.set_major_formatter(FuncFormatter(lambda v, _p: num(v, lang)))
    band = f"{t('band_shaded', lang)} {num(band_low, lang)}–{num(band_high, lang)}"
    axes[-1].set_xlabel(textwrap.fill(f"{t('rounds_per_container', lang)} ({band})", int(width * 5)))
    fig.suptitle(
        textwrap.fill(t("rounds_per_container_title", lang), int(width * 6)),
        x=0.01,
        ha="left",
        fontweight="bold",
    )
    add_source(fig, used, lang)
    return fig


def missiles(
    claims: pd.DataFrame, ind: pd.DataFrame, lang: str, curves: pd.DataFrame | None = None
) -> plt.Figure:
    """Ballistic missiles shipped (left) and fired at Ukraine (right)."""
    return _panels(claims, ind, lang, ["ballistic_missiles_shipped", "ballistic_missiles_launched"], curves)


def guns_launchers(
    claims: pd.DataFrame, ind: pd.DataFrame, lang: str, curves: pd.DataFrame | None = None
) -> plt.Figure:
    """170 mm guns, 240 mm launchers and heavy artillery systems in total."""
    return _panels(claims, ind, lang, ["guns_170mm", "mrl_240mm", "artillery_systems"], curves)


def _panels(
    claims: pd.DataFrame, ind: pd.DataFrame, lang: str, ids: list[str], curves: pd.DataFrame | None = None
) -> plt.Figure:
    sub = shown(claims[claims["indicator"].isin(ids)])
    colours = estimator_colours(sub)
    fig, axes = subplots(len(ids))
    pooled = False
    doubtful = curves.attrs.get("doubtful", ()) if curves is not None else ()
    rises = curves.attrs.get("rises", ()) if curves is not None else ()
    for ax, i in zip(axes, ids, strict=False):
        pooled |= plot_band(ax, curve_of(curves, i), lang=lang)
        plot_claims(
            ax, sub[sub["indicator"] == i], lang, colours=colours, doubtful=doubtful, rises=rises,
            curve=curve_of(curves, i),
        )
        ax.set_title(textwrap.fill(label(ind, i, lang), 40), fontsize=9, loc="left")
        ax.set_ylabel(unit(ind, i, lang))
        ax.set_xlabel(t("date", lang))
        ax.set_ylim(bottom=0)
        clip_band(ax, sub[sub["indicator"] == i], curve_of(curves, i))
    if len(axes) > len(ids):  # a spare panel holds the legend
        legend(axes[len(ids)], sub, colours, lang, pooled, inside=True, doubtful=doubtful, rises=rises)
    else:
        where = axes[-1] if is_narrow() else axes[0]
        legend(where, sub, colours, lang, pooled, below=True, doubtful=doubtful, rises=rises)
    add_source(fig, sub, lang)
    return fig


def ship_voyages(
    claims: pd.DataFrame, ind: pd.DataFrame, lang: str, curves: pd.DataFrame | None = None
) -> plt.Figure:
    """Munitions ship voyages and port calls."""
    fig, _ = timeline_figure(claims, ind, ["ship_voyages"], lang, curves=curves)
    return fig


def dprk_share(claims: pd.DataFrame, ind: pd.DataFrame, lang: str) -> plt.Figure:
    """North Korea's share of Russia's artillery ammunition."""
    fig, ax = timeline_figure(claims, ind, ["dprk_share_russian_shells"], lang)
    ax.set_ylim(0, 100)
    return fig


def oil_runrate(claims: pd.DataFrame, rr: pd.DataFrame, ind: pd.DataFrame, lang: str) -> plt.Figure:
    """Each period figure for refined oil (``rr``: the table of
    :func:`~dprk_russia.analysis.tables.oil_run_rate`) as a bar over its period at its annualised
    rate; the UN cap a labelled dashed line apart from the estimators' colours."""
    by_id = claims.set_index("claim_id", drop=False)
    used = claims[claims["claim_id"].isin(rr["claim_id"])]
    colours = estimator_colours(used)
    names = estimator_names(claims, lang)
    fig, (ax,) = subplots(1, height=4.0)
    notified = False
    n = first_copies(claims, rr["claim_id"]).to_numpy()
    for r, copies in zip(rr[n > 0].itertuples(), n[n > 0], strict=True):
        col = colours.get(r.estimator, "#999999")
        is_notified = r.indicator == "refined_oil_notified"
        notified |= is_notified
        y = r.annualised
        style = "--" if is_notified else "-"
        bar = ax.hlines(y, r.period_start, r.period_end, color=col, linewidth=3, linestyles=style)
        link_point(bar, by_id.loc[r.claim_id], lang)
        # end ticks, so that a one-month period reads as a period, not a stub
        ax.plot([r.period_start, r.period_end], [y, y], "|", color=col, markersize=9, markeredgewidth=1.5)
        count_label(ax, r.period_end, y, int(copies))
    cap = UN_CAP_BARRELS
    ax.axhline(cap, color="#333333", linewidth=1.0, linestyle=(0, (6, 3)), zorder=0)
    ax.annotate(
        t("cap", lang), xy=(0.0, cap), xycoords=("axes fraction", "data"),
        xytext=(4, 3), textcoords="offset points", fontsize=8, color="#333333", va="bottom",
    )
    named = [e for e in colours if colours[e] != OTHER]
    handles = [Line2D([], [], color=colours[e], linewidth=3) for e in named]
    labels = [names[e] for e in named]
    if len(named) < len(colours):
        handles.append(Line2D([], [], color=OTHER, linewidth=3))
        labels.append(t("other_estimators", lang))
    if notified:
        handles.append(Line2D([], [], color="#555555", linewidth=2, linestyle="--"))
        labels.append(label(ind, "refined_oil_notified", lang))
    ax.set_ylim(bottom=0)
    date_axis(ax, lang)
    number_axis(ax, lang)
    place_legend(ax, handles, labels)
    finish(
        fig,
        ax,
        label(ind, "refined_oil_delivered", lang),
        f"{t('barrels_per_year', lang)} ({t('annualised', lang)})",
        used,
        lang,
        xlabel=t("period_covered", lang),
    )
    return fig


def oil_tankers(
    claims: pd.DataFrame, ind: pd.DataFrame, lang: str, curves: pd.DataFrame | None = None
) -> plt.Figure:
    """North Korean tanker calls at Russian oil terminals."""
    fig, _ = timeline_figure(claims, ind, ["oil_tanker_calls"], lang, curves=curves)
    return fig


def troops(
    claims: pd.DataFrame,
    ind: pd.DataFrame,
    events: pd.DataFrame,
    lang: str,
    curves: pd.DataFrame | None = None,
) -> plt.Figure:
    """Troops deployed over time, forecasts marked, with numbered milestones (key under the chart)
    and the pooled estimate."""
    fig, _ = timeline_figure(
        claims, ind, ["troops_deployed"], lang, curves=curves, events=events, event_dates=TROOP_EVENTS
    )
    return fig


def later_waves(claims: pd.DataFrame, ind: pd.DataFrame, lang: str) -> plt.Figure:
    """Troops at the front, later reinforcements, and engineers and builders (forecasts marked)."""
    return _panels(claims, ind, lang, ["troops_in_kursk", "troops_reinforcement", "engineers_builders"])


def casualties(
    claims: pd.DataFrame, ind: pd.DataFrame, lang: str, curves: pd.DataFrame | None = None
) -> plt.Figure:
    """Killed, wounded and total casualties over time, by estimator, with pooled estimates."""
    return _panels(claims, ind, lang, ["killed", "wounded", "casualties_total"], curves)


def casualty_share(claims: pd.DataFrame, share: pd.DataFrame, ind: pd.DataFrame, lang: str) -> plt.Figure:
    """Casualty figures as a share of the force known by then (``share``: the table of
    :func:`~dprk_russia.analysis.tables.casualty_share`); colour = estimator, shape = killed,
    wounded or all casualties."""
    sh = share[share["force"].notna()]
    by_id = claims.set_index("claim_id", drop=False)
    used = claims[claims["claim_id"].isin(sh["claim_id"])]
    colours = estimator_colours(used)
    names = estimator_names(claims, lang)
    shapes = {"killed": "v", "wounded": "^", "casualties_total": "o"}
    fig, (ax,) = subplots(1, height=4.0)
    sh = sh.sort_values(["date", "claim_id"], kind="stable")
    n = first_copies(claims, sh["claim_id"]).to_numpy()
    for r, copies in zip(sh[n > 0].itertuples(), n[n > 0], strict=True):
        col = colours.get(r.estimator, "#999999")
        (point,) = ax.plot(r.date, 100 * r.share_mid, shapes[r.indicator], color=col)
        link_point(point, by_id.loc[r.claim_id], lang)
        if copies > 1:
            count_label(ax, r.date, 100 * r.share_mid, copies)
    handles, labels = [], []
    for e, col in colours.items():
        if col != "#999999":
            handles.append(Line2D([], [], marker="o", linestyle="none", color=col))
            labels.append(names[e])
    if "#999999" in colours.values():
        handles.append(Line2D([], [], marker="o", linestyle="none", color="#999999"))
        labels.append(t("other_estimators", lang))
    for i, m in shapes.items():
        if i in set(sh["indicator"].unique()):
            handles.append(Line2D([], [], marker=m, linestyle="none", color=GREY, markerfacecolor="white"))
            labels.append(label(ind, i, lang))
    ax.set_ylim(bottom=0)
    date_axis(ax, lang)
    place_legend(ax, handles, labels)
    finish(fig, ax, t("share_of_force_title", lang), t("share_of_force", lang), used, lang)
    return fig


def consensus_spread(
    claims: pd.DataFrame,
    ind: pd.DataFrame,
    consensus: pd.DataFrame,
    curves: pd.DataFrame,
    lang: str,
) -> plt.Figure:
    """The recent figures of the key findings (``recent_claim_ids`` of the consensus table),
    relative to the pooled estimate at their own date (log scale).

    Like with like: only indicators with a pooled curve, and only their recent counted figures,
    each divided by the pooled estimate on the date it refers to, so that growth over time is
    not shown as disagreement. The grey bar is the pooled band at the cut-off.
    """
    fig, ax = plt.subplots(figsize=(NARROW_WIDTH if is_narrow() else 8, 5.5))
    colours = estimator_colours(claims)
    used_ids: list[str] = []
    by_id = claims.set_index("claim_id", drop=False)
    # like with like: only indicators with a pooled curve (a median of recent figures is no
    # pooled estimate; those indicators are in the key-findings table)
    pooled_ids = set(curves["indicator"].unique()) if curves is not None else set()
    rows = consensus[(consensus["recent_n"].astype(int) > 0) & consensus["indicator"].isin(pooled_ids)]
    rows = rows.reset_index(drop=True)
    for y, row in enumerate(rows.itertuples()):
        recent = by_id.loc[str(row.recent_claim_ids).split(";")].reset_index(drop=True)
        recent = recent.sort_values(["date", "claim_id"], kind="stable")
        curve = curve_of(curves, row.indicator)
        if curve is not None:  # always: rows are pooled indicators
            ref = np.interp(
                recent["date"].to_numpy(dtype="datetime64[D]").astype(float),
                pd.to_datetime(curve["date"]).to_numpy(dtype="datetime64[D]").astype(float),
                curve["estimate"].astype(float),
            )
            est = float(row.estimate)
            ax.hlines(y, float(row.low) / est, float(row.high) / est, color="#bbbbbb", linewidth=7, zorder=0)
        used_ids += list(recent["claim_id"])
        n = first_copies(claims, recent["claim_id"]).to_numpy()
        xs = (recent["value_mid"] / ref).to_numpy()
        for cid, x, copies in zip(recent["claim_id"][n > 0], xs[n > 0], n[n > 0], strict=True):
            colour = colours.get(by_id.loc[cid, "estimator"], OTHER)
            (point,) = ax.plot(x, y, "o", color=colour, alpha=0.85, zorder=2)
            link_point(point, by_id.loc[cid], lang)
            if copies > 1:
                count_label(ax, x, y, copies)
    ax.set_xscale("log")
    lo, hi = ax.get_xlim()
    ticks = [v for v in (0.1, 0.25, 0.5, 1, 2, 4, 10) if lo <= v <= hi]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda v, _pos: f"×{num(v, lang, 2 if v < 0.5 else 1 if v < 1 else 0)}")
    )
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(1, color="#333333", linewidth=0.8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([label(ind, i, lang) for i in rows["indicator"]], fontsize=8)
    ax.invert_yaxis()
    ax.grid(axis="x", color="#dddddd")
    used = claims[claims["claim_id"].isin(used_ids)]
    fig.suptitle(textwrap.fill(t("spread_title", lang), 60), x=0.01, ha="left", fontweight="bold")
    finish(fig, ax, "", "", used, lang, xlabel=textwrap.fill(t("spread_xlabel", lang), 55))
    return fig
