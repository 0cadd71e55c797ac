"""Contradictions found by code: disagreements a reader would agree are worth a look.

Growth over time is not disagreement: figures are judged against the pooled curve *at their
own date* (after the estimator's own effect), not against each other. Every rule returns one
row per contradiction with all the claims involved; relayed copies of one estimate count once.

Rules:

* ``outside_band``: a counted figure far outside the pooled band at its date;
* ``falling_cumulative``: an estimator's running total that later falls (same start date);
* ``capacity_as_count``: a capacity conversion that another source reports as a count;
* ``killed_above_casualties``: killed above total casualties, same estimator and date;
* ``killed_above_pooled_casualties``: a killed figure above the pooled estimate of all
  casualties (killed and wounded) at its date;
* ``parts_above_total``: killed plus wounded clearly above total casualties, same estimator and date;
* ``losses_above_force``: killed, wounded or casualties above every troop figure known by then;
* ``ratio_outside_band``: implied rounds per container outside the assumed band.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from dprk_russia.analysis.curves import curve_at
from dprk_russia.analysis.pooled import pool_inputs
from dprk_russia.analysis.precision import round_sig_array
from dprk_russia.analysis.tables import (
    counted,
    distinct_estimates,
    force_size_at,
    implied_rounds_per_container,
)

COLUMNS = [
    "type",
    "indicator",
    "claim_ids",
    "estimators",
    "dates",
    "values",
    "measure",
    "reference",
    "detail",
]
#: Order of the rules in the table.
TYPES = (
    "outside_band",
    "falling_cumulative",
    "capacity_as_count",
    "killed_above_casualties",
    "killed_above_pooled_casualties",
    "parts_above_total",
    "losses_above_force",
    "ratio_outside_band",
)


def _fmt(v: float) -> str:
    return f"{v:.10g}"


def _row(
    kind: str, rows: pd.DataFrame, measure: float, reference: float, detail: str, indicator: str = ""
) -> dict:
    rows = rows.sort_values(["date", "claim_id"], kind="stable")
    ids = rows["relay_ids"] if "relay_ids" in rows else rows["claim_id"]
    return {
        "type": kind,
        "indicator": indicator or ";".join(dict.fromkeys(rows["indicator"])),
        "claim_ids": ";".join(ids),
        "estimators": ";".join(rows["estimator"]),
        "dates": ";".join(d.strftime("%Y-%m-%d") for d in rows["date"]),
        "values": ";".join(
            _fmt(lo) if lo == hi else f"{_fmt(lo)}-{_fmt(hi)}"
            for lo, hi in zip(rows["value_low"], rows["value_high"], strict=True)
        ),
        "measure": round(float(measure), 6),
        "reference": round(float(reference), 6),
        "detail": detail,
    }


def outside_band(
    claims: pd.DataFrame,
    curves: pd.DataFrame,
    effects: pd.DataFrame,
    level: float = 0.98,
    band: float = 0.8,
    min_n: int = 3,
    nu: float = 8.0,
) -> list[dict]:
    """Figures wholly outside the pooled band at their own date, after the estimator's effect
    (where the estimator has at least ``min_n`` figures for the indicator).

    The curve table holds a ``band`` band; it is widened on the log scale to ``level``. A lower
    bound counts only when it lies above the band, an upper bound only when below; figures
    dated before a curve starts are not judged. ``measure``: how many times the figure lies
    beyond the band edge; ``reference``: that edge.
    """
    out = []
    k = stdtrit(nu, 0.5 + level / 2) / stdtrit(nu, 0.5 + band / 2)
    # an effect counts when it rests on other figures too: with fewer than ``min_n`` figures,
    # the figure under judgement would largely explain its own effect
    known = effects[effects["n"].astype(int) >= min_n]
    eff = known.set_index(["indicator", "estimator"])["effect"].astype(float).to_dict()
    for ind, curve in curves.groupby("indicator", sort=True):
        inp = pool_inputs(claims, str(ind))
        inside, m, lo, hi = curve_at(curve, inp["date"])
        inp = inp[inside]
        if inp.empty:
            continue
        factor = np.array([eff.get((ind, e), 1.0) for e in inp["estimator"]])
        # band edges from a fit through exp: written at the fits' precision (FIT_DIGITS)
        lo_edge = round_sig_array(factor * np.exp(m + k * (lo - m)))
        hi_edge = round_sig_array(factor * np.exp(m + k * (hi - m)))
        censor = inp["censor"].to_numpy()
        above = (inp["value_low"].to_numpy() > hi_edge) & (censor != "upper")
        below = (inp["value_high"].to_numpy() < lo_edge) & (censor != "lower")
        for i in np.flatnonzero(above | below):
            r = inp.iloc[[i]]
            if above[i]:
                meas, ref, word = r["value_low"].iloc[0] / hi_edge[i], hi_edge[i], "above"
            else:
                meas, ref, word = lo_edge[i] / r["value_high"].iloc[0], lo_edge[i], "below"
            out.append(
                _row(
                    "outside_band",
                    r,
                    meas,
                    ref,
                    f"{meas:.1f} times {word} the pooled {level:.0%} band ({ref:.0f})",
                )
            )
    return out


def falling_cumulative(distinct: pd.DataFrame) -> list[dict]:
    """An estimator's cumulative figure that later falls below its earlier peak (same start date).

    Figures counted from different start dates are not compared; one row per estimator and
    indicator holds the peak and every later figure below it."""
    out = []
    sub = counted(distinct)
    sub = sub[sub["kind"] == "cumulative"]
    for (_ind, est, _start), g in sub.groupby(
        ["indicator", "estimator", "period_start"], dropna=False, sort=True
    ):
        g = g.sort_values(["date", "claim_id"], kind="stable").reset_index(drop=True)
        peak_low = g["value_low"].cummax().shift()
        falls = g[g["value_high"] < peak_low]
        if falls.empty:
            continue
        # the earlier peak each fall is measured against: the first figure holding the running max
        holder = (
            pd.Series(np.where(g["value_low"] >= g["value_low"].cummax(), g.index, np.nan)).ffill().shift()
        )
        peaks = g.loc[sorted(set(holder.loc[falls.index].astype(int)))]
        drop = float((falls["value_high"] / peak_low.loc[falls.index]).min())
        out.append(
            _row(
                "falling_cumulative",
                pd.concat([peaks, falls]),
                drop,
                float(peaks["value_low"].max()),
                f"{est} later reports less than before",
            )
        )
    return out


def capacity_as_count(distinct: pd.DataFrame, tolerance: float = 0.05) -> list[dict]:
    """Capacity conversions that a later page of another source reports as an assessed count.

    One row per group of counted figures: every conversion that the same counts match is listed
    with them. ``measure``: the number of conversions; ``reference``: the smallest of them."""
    sub = distinct[distinct["has_value"] & (distinct["scope"] == "total")]
    cap = sub[sub["basis"] == "capacity"]
    counted = sub[sub["basis"] == "assessed"]
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, c in cap.iterrows():
        m = counted[
            (counted["indicator"] == c["indicator"])
            & (counted["source_id"] != c["source_id"])
            & ((counted["value_mid"] - c["value_mid"]).abs() <= tolerance * c["value_mid"])
            & (counted["date"] >= c["date"])
        ]
        if len(m):
            groups.setdefault(tuple(m.index), []).append(i)
    out = []
    for matched, caps in groups.items():
        conv = cap.loc[caps]
        out.append(
            _row(
                "capacity_as_count",
                pd.concat([conv, counted.loc[list(matched)]]),
                len(conv),
                float(conv["value_mid"].min()),
                "a capacity conversion reappears as an assessed count",
            )
        )
    return out


def _same_day(sub: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Pairs of figures for indicators ``a`` and ``b`` by the same estimator on the same date."""
    left = sub[sub["indicator"] == a]
    right = sub[sub["indicator"] == b]
    return left.merge(right, on=["estimator", "date"], suffixes=("_a", "_b"))


def _pair_rows(pairs: pd.DataFrame, sub: pd.DataFrame, cols: Iterable[str]) -> pd.DataFrame:
    ids = [pairs[c] for c in cols]
    return sub[sub["claim_id"].isin(pd.concat(ids))]


def killed_above_casualties(distinct: pd.DataFrame) -> list[dict]:
    """Killed above total casualties for the same estimator and date (total includes the dead)."""
    sub = counted(distinct)
    pairs = _same_day(sub, "killed", "casualties_total")
    bad = pairs[pairs["value_low_a"] > pairs["value_high_b"]]
    return [
        _row(
            "killed_above_casualties",
            sub[sub["claim_id"].isin([p.claim_id_a, p.claim_id_b])],
            p.value_low_a / p.value_high_b,
            p.value_high_b,
            "more killed than killed and wounded together",
        )
        for p in bad.itertuples()
    ]


def killed_above_pooled_casualties(distinct: pd.DataFrame, curves: pd.DataFrame) -> list[dict]:
    """A counted killed figure above the pooled estimate of total casualties at its date: the dead
    are part of the casualties, so such a figure is likely a casualty total reported as deaths."""
    curve = curves[curves["indicator"] == "casualties_total"]
    sub = counted(distinct)
    killed = sub[sub["indicator"] == "killed"]
    if curve.empty or killed.empty:
        return []
    inside, log_pooled, _, _ = curve_at(curve, killed["date"])
    killed, pooled = killed[inside], np.exp(log_pooled)
    return [
        _row(
            "killed_above_pooled_casualties",
            killed.iloc[[i]],
            float(killed["value_low"].iloc[i] / pooled[i]),
            float(pooled[i]),
            f"more killed than the pooled estimate of all casualties ({pooled[i]:.0f})",
        )
        for i in np.flatnonzero(killed["value_low"].to_numpy() > pooled)
    ]


def parts_above_total(distinct: pd.DataFrame, margin: float = 1.1) -> list[dict]:
    """Killed plus wounded above ``margin`` times total casualties, same estimator and date."""
    sub = counted(distinct)
    kw = _same_day(sub, "killed", "wounded")
    if kw.empty:
        return []
    kw = kw.rename(columns={"claim_id_a": "killed_id", "claim_id_b": "wounded_id"})
    kw["parts"] = kw["value_low_a"] + kw["value_low_b"]
    tot = sub[sub["indicator"] == "casualties_total"][["estimator", "date", "claim_id", "value_high"]]
    m = kw.merge(tot, on=["estimator", "date"])
    bad = m[m["parts"] > margin * m["value_high"]]
    return [
        _row(
            "parts_above_total",
            sub[sub["claim_id"].isin([p.killed_id, p.wounded_id, p.claim_id])],
            p.parts / p.value_high,
            p.value_high,
            "killed plus wounded exceed the stated total",
        )
        for p in bad.itertuples()
    ]


def losses_above_force(distinct: pd.DataFrame) -> list[dict]:
    """Killed, wounded or casualties above the largest counted troop figure dated by then."""
    sub = counted(distinct)
    troops = sub[sub["indicator"] == "troops_deployed"]
    loss = sub[sub["indicator"].isin(["killed", "wounded", "casualties_total"])]
    out = []
    for _, r in loss.iterrows():
        force = force_size_at(troops, r["date"], "max")
        if np.isfinite(force) and r["value_low"] > force:
            out.append(
                _row(
                    "losses_above_force",
                    r.to_frame().T.astype({"date": "datetime64[ns]"}),
                    r["value_low"] / force,
                    force,
                    f"exceeds the largest reported force of {force:.0f}",
                )
            )
    return out


def ratio_outside_band(claims: pd.DataFrame, band_low: float, band_high: float) -> list[dict]:
    """Implied rounds per container outside the band; pages repeating one pair count once."""
    ratios = implied_rounds_per_container(claims, band_low, band_high)
    ratios = ratios[~ratios["in_band"].astype(bool)]
    out = []
    if ratios.empty:
        return out
    for (_est, _c, _r), g in ratios.groupby(["estimator", "containers", "rounds"], sort=True):
        ids = pd.unique(np.concatenate([g["container_claim_id"].to_numpy(), g["rounds_claim_id"].to_numpy()]))
        rows = claims[claims["claim_id"].isin(ids)]
        ratio = float(g["ratio_mid"].iloc[0])
        out.append(
            _row(
                "ratio_outside_band",
                rows,
                ratio,
                band_high if ratio > band_high else band_low,
                f"implies {ratio:.0f} rounds per container (band {band_low:.0f}-{band_high:.0f})",
                indicator="artillery_rounds",
            )
        )
    return out


def find_contradictions(
    claims: pd.DataFrame,
    curves: pd.DataFrame,
    effects: pd.DataFrame,
    band_low: float,
    band_high: float,
    outlier_level: float = 0.98,
    band: float = 0.8,
) -> pd.DataFrame:
    """Every rule on the distinct estimates (the rounds rule per source), one row per contradiction."""
    distinct = distinct_estimates(claims)
    rows = (
        outside_band(claims, curves, effects, outlier_level, band)
        + falling_cumulative(distinct)
        + capacity_as_count(distinct)
        + killed_above_casualties(distinct)
        + killed_above_pooled_casualties(distinct, curves)
        + parts_above_total(distinct)
        + losses_above_force(distinct)
        + ratio_outside_band(claims, band_low, band_high)
    )
    out = pd.DataFrame(rows, columns=COLUMNS)
    order = {t: i for i, t in enumerate(TYPES)}
    out = out.assign(_o=out["type"].map(order)).sort_values(["_o", "indicator", "claim_ids"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)
