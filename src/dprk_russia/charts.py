"""The project's figures. Each function returns a finished matplotlib Figure for one language.

All text comes from ``indicators.csv`` labels or :mod:`dprk_russia.i18n`, so the English
and German reports share the code.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from . import analysis
from .figures import (
    PALETTE,
    add_source,
    curve_of,
    date_axis,
    estimator_colours,
    estimator_names,
    finish,
    label,
    legend,
    link_point,
    plot_band,
    plot_claims,
    shown,
    timeline_figure,
    unit,
)
from .i18n import num, t

#: Figure stems in report order, grouped by the notebook that writes them.
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
    "2.3-consensus-contradictions": ["consensus_spread"],
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
    """Assessed counts with the pooled estimate (left) beside capacity conversions (right), never mixed."""
    sub = shown(claims[claims["indicator"] == "artillery_rounds"])
    fig, axes = plt.subplots(1, 2, sharey=True, figsize=(10, 4.6))
    colours = estimator_colours(sub)
    pooled = plot_band(axes[0], curve_of(curves, "artillery_rounds"), 1e6)
    for ax, bases in zip(axes, (("assessed", "official"), ("capacity",)), strict=True):
        part = sub[sub["basis"].isin(bases)]
        plot_claims(ax, part, lang, colours=colours, scale=1e6)
        ax.set_title(t(bases[0], lang), fontsize=10, loc="left")
        ax.set_xlabel(t("date", lang))
    axes[0].set_ylabel(f"{unit(ind, 'artillery_rounds', lang)} (10⁶)")
    axes[0].set_ylim(bottom=0)
    fig.suptitle(label(ind, "artillery_rounds", lang), x=0.01, ha="left", fontweight="bold")
    legend(axes[1], sub, colours, lang, pooled)
    add_source(fig, sub, lang)
    return fig


def rounds_per_container(
    claims: pd.DataFrame, ind: pd.DataFrame, lang: str, band_low: float, band_high: float
) -> plt.Figure:
    """Implied rounds per container for sources giving both figures, against the band."""
    ratios = analysis.implied_rounds_per_container(claims, band_low, band_high)
    by_id = claims.set_index("claim_id", drop=False)
    names = estimator_names(claims, lang)
    fig, ax = plt.subplots()
    ax.axhspan(band_low, band_high, color="#56B4E9", alpha=0.2, label=t("band", lang))
    for i, r in enumerate(ratios.itertuples()):
        colour = PALETTE[0] if r.in_band else PALETTE[3]
        marker = "D" if r.rounds_basis == "capacity" else "o"
        link_point(
            ax.vlines(i, r.ratio_low, r.ratio_high, color=colour, linewidth=2),
            by_id.loc[r.rounds_claim_id],
            lang,
        )
        (point,) = ax.plot(
            i, r.ratio_mid, marker=marker, color=colour, markerfacecolor="white" if marker == "D" else colour
        )
        link_point(point, by_id.loc[r.rounds_claim_id], lang)
    ax.set_xticks(range(len(ratios)))
    ax.set_xticklabels(
        [f"{names[r.estimator]}\n{r.date:%Y-%m}" for r in ratios.itertuples()],
        fontsize=7,
        rotation=45,
        ha="right",
    )
    ax.plot([], [], "D", color="#333333", markerfacecolor="white", label=t("capacity", lang))
    ax.plot([], [], "o", color="#333333", label=t("assessed", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_ylim(bottom=0)
    used = claims[claims["claim_id"].isin(set(ratios["rounds_claim_id"]))]
    finish(
        fig,
        ax,
        t("rounds_per_container_title", lang),
        t("rounds_per_container", lang),
        used,
        lang,
        xlabel="",
    )
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
    fig, axes = plt.subplots(1, len(ids), figsize=(4.2 * len(ids), 4.2))
    pooled = False
    for ax, i in zip(axes, ids, strict=True):
        pooled |= plot_band(ax, curve_of(curves, i))
        plot_claims(ax, sub[sub["indicator"] == i], lang, colours=colours)
        ax.set_title(textwrap.fill(label(ind, i, lang), 40), fontsize=9, loc="left")
        ax.set_ylabel(unit(ind, i, lang))
        ax.set_xlabel(t("date", lang))
        ax.set_ylim(bottom=0)
    legend(axes[-1], sub, colours, lang, pooled)
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


def oil_runrate(claims: pd.DataFrame, ind: pd.DataFrame, lang: str) -> plt.Figure:
    """Each period figure for refined oil as an annualised rate over its period, against the cap."""
    rr = analysis.oil_run_rate(claims)
    by_id = claims.set_index("claim_id", drop=False)
    names = estimator_names(claims, lang)
    fig, ax = plt.subplots()
    colours = estimator_colours(claims[claims["claim_id"].isin(rr["claim_id"])])
    for r in rr.itertuples():
        col = colours.get(r.estimator, "#999999")
        style = "--" if r.indicator == "refined_oil_notified" else "-"
        bar = ax.hlines(
            r.annualised / 1e6, r.period_start, r.period_end, color=col, linewidth=3, linestyles=style
        )
        link_point(bar, by_id.loc[r.claim_id], lang)
    for est, col in colours.items():
        ax.plot([], [], color=col, linewidth=3, label=names[est])
    ax.plot([], [], color="#333333", linestyle="--", label=label(ind, "refined_oil_notified", lang))
    ax.axhline(analysis.UN_CAP_BARRELS / 1e6, color=PALETTE[3], linewidth=1.2, label=t("cap", lang))
    ax.set_ylim(bottom=0)
    date_axis(ax, lang)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    used = claims[claims["claim_id"].isin(rr["claim_id"])]
    finish(
        fig,
        ax,
        label(ind, "refined_oil_delivered", lang),
        f"{t('barrels_per_year', lang)} (10⁶, {t('annualised', lang)})",
        used,
        lang,
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
    """Troops deployed over time, forecasts marked, with milestones and the pooled estimate."""
    from .figures import annotate_events

    fig, ax = timeline_figure(
        claims, ind, ["troops_deployed"], lang, scale=1e3, scale_label="10³", curves=curves
    )
    annotate_events(ax, events, lang, TROOP_EVENTS)
    return fig


def later_waves(claims: pd.DataFrame, ind: pd.DataFrame, lang: str) -> plt.Figure:
    """Troops at the front, later reinforcements, and engineers and builders (forecasts marked)."""
    return _panels(claims, ind, lang, ["troops_in_kursk", "troops_reinforcement", "engineers_builders"])


def casualties(
    claims: pd.DataFrame, ind: pd.DataFrame, lang: str, curves: pd.DataFrame | None = None
) -> plt.Figure:
    """Killed, wounded and total casualties over time, by estimator, with pooled estimates."""
    return _panels(claims, ind, lang, ["killed", "wounded", "casualties_total"], curves)


def casualty_share(claims: pd.DataFrame, ind: pd.DataFrame, lang: str) -> plt.Figure:
    """Casualty figures as a share of the force known by then (median of estimators' latest figures)."""
    sh = analysis.casualty_share(claims)
    sh = sh[sh["force"].notna()]
    by_id = claims.set_index("claim_id", drop=False)
    fig, ax = plt.subplots()
    for (i, name), col in zip(
        [(i, label(ind, i, lang)) for i in ("killed", "wounded", "casualties_total")],
        PALETTE,
        strict=False,
    ):
        part = sh[sh["indicator"] == i]
        ax.plot([], [], "o", color=col, label=name)
        for r in part.itertuples():
            (point,) = ax.plot(r.date, 100 * r.share_mid, "o", color=col)
            link_point(point, by_id.loc[r.claim_id], lang)
    ax.set_ylim(bottom=0)
    date_axis(ax, lang)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    used = claims[claims["claim_id"].isin(sh["claim_id"])]
    finish(fig, ax, t("share_of_force_title", lang), t("share_of_force", lang), used, lang)
    return fig


def consensus_spread(
    claims: pd.DataFrame,
    ind: pd.DataFrame,
    consensus: pd.DataFrame,
    curves: pd.DataFrame,
    lang: str,
    recent_days: int = 183,
) -> plt.Figure:
    """Figures of the last ``recent_days`` relative to the pooled estimate at their own date (log scale).

    Like with like: only recent counted figures enter, each divided by the pooled estimate on
    the date it refers to (by the median of the recent figures where there is no pooled curve),
    so that growth over time is not shown as disagreement. The grey bar is the pooled band at
    the cut-off.
    """
    from .pooled import pool_inputs

    fig, ax = plt.subplots(figsize=(8, 5.5))
    used_ids: list[str] = []
    by_id = claims.set_index("claim_id", drop=False)
    rows = consensus[consensus["recent_n"].astype(int) > 0].reset_index(drop=True)
    since = pd.Timestamp(rows["cut"].iloc[0]) - pd.Timedelta(days=recent_days) if len(rows) else None
    for y, row in enumerate(rows.itertuples()):
        recent = pool_inputs(claims, row.indicator)
        recent = recent[recent["published_date"] > since]
        curve = curve_of(curves, row.indicator)
        if curve is not None:
            ref = np.interp(
                recent["date"].to_numpy(dtype="datetime64[D]").astype(float),
                pd.to_datetime(curve["date"]).to_numpy(dtype="datetime64[D]").astype(float),
                curve["estimate"].astype(float),
            )
            est = float(row.estimate)
            ax.hlines(y, float(row.low) / est, float(row.high) / est, color="#bbbbbb", linewidth=7, zorder=0)
        else:
            ref = float(recent["value_mid"].median())
        used_ids += list(recent["claim_id"])
        for cid, x in zip(recent["claim_id"], recent["value_mid"] / ref, strict=True):
            (point,) = ax.plot(x, y, "o", color=PALETTE[0], alpha=0.8, zorder=2)
            link_point(point, by_id.loc[cid], lang)
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
