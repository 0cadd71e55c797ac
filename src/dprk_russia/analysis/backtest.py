"""Backtest of the pooled estimate against two simple baselines, with the AS_OF rule.

For each cut-off, the pooled model is fitted only on claims published on or before it, and
then asked for every distinct counted figure published in the following ``horizon_days``, at
the date that figure refers to. Baselines: *naive*, the midpoint of the newest-published
counted figure (median if several share that day), and *latest per estimator*, the median of
each estimator's latest figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from dprk_russia.analysis.pooled import PoolSettings, anchored, fit_all, pool_inputs
from dprk_russia.analysis.precision import round_columns

BACKTEST_COLUMNS = [
    "indicator",
    "cut",
    "claim_id",
    "value",
    "consensus",
    "consensus_low",
    "consensus_high",
    "naive",
    "latest_median",
    "adjusted",
]
METHODS = ("consensus", "adjusted", "naive", "latest_median")


def quarterly_cuts(first: str, last: str) -> list[pd.Timestamp]:
    """Quarter-end dates from ``first`` to ``last`` inclusive."""
    return list(pd.date_range(first, last, freq="QE"))


def _baselines(known: pd.DataFrame) -> tuple[float, float]:
    newest = known[known["published_date"] == known["published_date"].max()]
    latest = (
        known.sort_values(["date", "published_date", "claim_id"], kind="stable").groupby("estimator").tail(1)
    )
    return float(newest["value_mid"].median()), float(latest["value_mid"].median())


def backtest(
    claims: pd.DataFrame,
    indicators: Sequence[str],
    cuts: Iterable[pd.Timestamp],
    horizon_days: int = 180,
    settings: PoolSettings | None = None,
    warring: Iterable[str] = (),
) -> pd.DataFrame:
    """One row per (cut-off, figure published within ``horizon_days`` after it)."""
    s = settings or PoolSettings()
    warring = list(warring)
    rows = []
    for cut in cuts:
        known_claims = claims[claims["published_date"] <= cut]
        upcoming = claims[claims["published_date"] <= cut + pd.Timedelta(days=horizon_days)]
        known = {i: pool_inputs(known_claims, i, warring, s.include_warring) for i in indicators}
        # only bounds known (or nothing): no method gets a prediction for that indicator
        fits = fit_all(known_claims, [i for i in indicators if anchored(known[i])], cut, s, warring, known)
        for ind, fit in fits.items():
            later = pool_inputs(upcoming, ind, warring, s.include_warring)
            later = later[later["published_date"] > cut]
            if later.empty:
                continue
            naive, latest_median = _baselines(known[ind])
            pred = fit.predict(later["date"])
            effects = np.exp([fit.effect(e) for e in later["estimator"]])
            rows.append(
                pd.DataFrame(
                    {
                        "indicator": ind,
                        "cut": cut,
                        "claim_id": later["claim_id"].to_numpy(),
                        "value": later["value_mid"].to_numpy(),
                        "consensus": pred["estimate"].to_numpy(),
                        "consensus_low": pred["low"].to_numpy(),
                        "consensus_high": pred["high"].to_numpy(),
                        "naive": naive,
                        "latest_median": latest_median,
                        "adjusted": pred["estimate"].to_numpy() * effects,
                    }
                )
            )
    if not rows:
        return pd.DataFrame(columns=BACKTEST_COLUMNS)
    table = pd.concat(rows, ignore_index=True)[BACKTEST_COLUMNS]
    return round_columns(table, ["consensus", "consensus_low", "consensus_high", "adjusted"])


def summarise(bt: pd.DataFrame) -> pd.DataFrame:
    """Per indicator and overall: figures, median absolute log error per method, band coverage."""

    def one(g: pd.DataFrame) -> dict:
        out: dict = {"n": len(g)}
        for m in METHODS:
            out[f"mdale_{m}"] = float(np.median(np.abs(np.log(g[m] / g["value"]))))
        out["ratio_consensus_to_naive"] = (
            out["mdale_consensus"] / out["mdale_naive"] if out["mdale_naive"] else np.nan
        )
        inside = (g["value"] >= g["consensus_low"]) & (g["value"] <= g["consensus_high"])
        out["band_coverage"] = float(inside.mean())
        return out

    rows = [{"indicator": ind, **one(g)} for ind, g in bt.groupby("indicator", sort=True)]
    rows.append({"indicator": "all", **one(bt)})
    table = pd.DataFrame(rows)
    return round_columns(table, [c for c in table.columns if c not in ("indicator", "n")])
