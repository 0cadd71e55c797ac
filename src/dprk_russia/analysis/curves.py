"""Reading the pooled fits: weekly curve tables, curves at given dates, estimator effects, and
the key-findings (consensus) table at the cut-off.

The model and its fitting live in :mod:`dprk_russia.analysis.pooled`; this module only reads
fitted curves and writes tables.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from dprk_russia.analysis.pooled import Fit, increments, pool_inputs
from dprk_russia.analysis.precision import round_columns, round_sig_array
from dprk_russia.analysis.tables import curve_at  # noqa: F401  (read curves here too)
from dprk_russia.data.dictionary import TABLES


def curve_table(fit: Fit, end: pd.Timestamp) -> pd.DataFrame:
    """Weekly rows from the first figure that is not only an upper bound to ``end``: estimate,
    band and the number of figures dated so far."""
    informative = fit.inputs[fit.inputs["censor"] != "upper"]
    start = (informative if len(informative) else fit.inputs)["date"].min().normalize()
    dates = pd.date_range(start, pd.Timestamp(end).normalize(), freq=f"{fit.settings.step_days}D")
    if len(dates) == 0 or dates[-1] != pd.Timestamp(end).normalize():
        dates = dates.append(pd.DatetimeIndex([pd.Timestamp(end).normalize()]))
    pred = fit.predict(dates)
    n = np.searchsorted(np.sort(fit.inputs["date"].to_numpy()), dates.to_numpy(), side="right")
    table = pd.DataFrame(
        {
            "indicator": fit.indicator,
            "date": dates,
            "estimate": pred["estimate"].to_numpy(),
            "low": pred["low"].to_numpy(),
            "high": pred["high"].to_numpy(),
            "n_estimates": n,
        }
    )
    return round_columns(table, ["estimate", "low", "high"])


def curve_tables(fits: dict[str, Fit], ids: Iterable[str], end: pd.Timestamp) -> pd.DataFrame:
    """:func:`curve_table` for each of ``ids``, stacked; no rows (named columns) when there are none."""
    tables = [curve_table(fits[i], end) for i in ids]
    if not tables:  # a cut-off too early for any pooled curve
        return pd.DataFrame(columns=list(TABLES["consensus_over_time"][1]))
    return pd.concat(tables, ignore_index=True)


def effects_table(fits: dict[str, Fit]) -> pd.DataFrame:
    """Estimator effects as multiplicative factors (1 = in line with the pooled curve)."""
    rows = [
        fit.effects.assign(indicator=ind, effect=np.exp(fit.effects["effect"]))
        for ind, fit in sorted(fits.items())
    ]
    cols = ["indicator", "estimator", "effect", "n"]
    if not rows:
        return pd.DataFrame(columns=cols)
    return round_columns(pd.concat(rows, ignore_index=True)[cols], ["effect"])


def consensus_table(
    claims: pd.DataFrame,
    curves: pd.DataFrame,
    cut: pd.Timestamp,
    indicators: Iterable[str],
    recent_days: int = 183,
) -> pd.DataFrame:
    """Key findings per indicator at the cut-off ``cut``.

    The pooled estimate and its band at the cut-off (where the indicator has a curve), and the
    spread among counted figures *published in the last ``recent_days``* (distinct estimates,
    whole-indicator scope), so that old figures are not read as disagreement.
    """
    rows = []
    since = pd.Timestamp(cut) - pd.Timedelta(days=recent_days)
    for ind in indicators:
        counted = pool_inputs(claims, ind)
        if counted.empty:
            continue
        recent = counted[counted["published_date"] > since]
        curve = curves[curves["indicator"] == ind]
        last = curve.iloc[-1] if len(curve) else None
        newest = counted.sort_values(["published_date", "date", "claim_id"], kind="stable").iloc[-1]
        evidence = {k: np.nan for k in ("evidence_estimate", "evidence_low", "evidence_high")}
        evidence_date = pd.NaT
        if last is not None:
            # the curve rests on figures up to the newest date they refer to; beyond it, it is
            # carried forward: say where the evidence ends, how old it is, and what it said there
            evidence_date = min(counted["date"].max().normalize(), pd.Timestamp(cut).normalize())
            inside, m, lo, hi = curve_at(curve, pd.Series([evidence_date]))
            if inside[0]:
                values = round_sig_array(np.exp([m[0], lo[0], hi[0]]))
                evidence = dict(zip(evidence, values, strict=True))
        rows.append(
            {
                "indicator": ind,
                "cut": pd.Timestamp(cut).normalize(),
                "estimate": last["estimate"] if last is not None else np.nan,
                "low": last["low"] if last is not None else np.nan,
                "high": last["high"] if last is not None else np.nan,
                "evidence_date": evidence_date,
                "evidence_age_days": (pd.Timestamp(cut).normalize() - evidence_date).days
                if last is not None
                else np.nan,
                **evidence,
                "n_estimates": len(counted),
                "n_estimators": counted["estimator"].nunique(),
                "recent_n": len(recent),
                "recent_estimators": recent["estimator"].nunique(),
                "recent_low": recent["value_low"].min() if len(recent) else np.nan,
                "recent_high": recent["value_high"].max() if len(recent) else np.nan,
                "recent_claim_ids": ";".join(sorted(recent["claim_id"])),
                "newest_claim_id": newest["claim_id"],
                "newest_estimator": newest["estimator"],
                "newest_published": newest["published_date"],
                "newest_value_low": newest["value_low"],
                "newest_value_high": newest["value_high"],
                "period_rise_claim_ids": ";".join(
                    sorted(counted.loc[increments(counted, counted["date"].min()), "claim_id"])
                )
                if last is not None
                else "",
            }
        )
    # named columns even when nothing is counted yet (a cut-off before the first figure)
    return pd.DataFrame(rows, columns=list(TABLES["consensus"][1]))
