"""Backtest of the pooled estimate against simple baselines, scored so that it cannot flatter.

For each quarterly cut-off the pooled model is fitted only on claims published on or before it,
and asked for the counted figures published in the following ``horizon_days``, at the date
each figure refers to. Baselines: *naive*, the midpoint of the newest-published counted figure
(median if several share that day), and *latest per estimator*, the median of each estimator's
latest figure.

What makes the score honest (each a rule below):

* **each figure once**: a figure published within the horizon of two cut-offs is scored at the
  first of them only, so that no figure weighs twice;
* **no restatements**: a figure that repeats the same values its own estimator had already
  published (for the same indicator) is not a target: predicting it tells nothing;
* **bounds one-sided**: "over 10,000" is missed only by a prediction below 10,000 (error
  |log(prediction / 10,000)|), "up to 500" only by one above; points and ranges are scored at
  their midpoint;
* **coverage of points only**: whether the band holds a figure is asked of point figures only
  (a bound is always "inside" a band on its open side);
* **held-out half**: the settings are chosen on the first half of the cut-offs (a small grid,
  :data:`TUNING_GRID`) and the headline is scored on the second half only, with a bootstrap over
  figures for the 95% interval of the error ratio.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from dprk_russia.analysis.joint import fit_all
from dprk_russia.analysis.pooled import PoolSettings, anchored, pool_estimates, pool_inputs, pool_rows
from dprk_russia.analysis.precision import round_columns

BACKTEST_COLUMNS = [
    "indicator",
    "cut",
    "claim_id",
    "estimator",
    "censor",
    "value",
    "consensus",
    "consensus_low",
    "consensus_high",
    "naive",
    "latest_median",
    "adjusted",
]
METHODS = ("consensus", "adjusted", "naive", "latest_median")
#: Settings tried on the first half of the cut-offs (smoothness of the pooled curve).
TUNING_GRID = (1.0, 3.0, 10.0)
#: A grid value replaces the default only if it lowers the tuning error by more than this share.
TUNING_MARGIN = 0.01
#: Bootstrap resamples (over figures) and the fixed seed that makes the interval reproducible.
BOOTSTRAP = 2000
#: Central probability of the bootstrap interval of the error ratio.
INTERVAL = 0.95
SEED = 20251


def quarterly_cuts(first: str, last: str) -> list[pd.Timestamp]:
    """Quarter-end dates from ``first`` to ``last`` inclusive."""
    return list(pd.date_range(first, last, freq="QE"))


def halves(cuts: Sequence[pd.Timestamp]) -> tuple[list[pd.Timestamp], list[pd.Timestamp]]:
    """The first half of the cut-offs (for tuning) and the second half (scored)."""
    k = len(cuts) // 2
    return list(cuts[:k]), list(cuts[k:])


def _baselines(known: pd.DataFrame) -> tuple[float, float]:
    known = known[["date", "published_date", "claim_id", "estimator", "value_mid"]]  # (what is read)
    newest = known[known["published_date"] == known["published_date"].max()]
    latest = (
        known.sort_values(["date", "published_date", "claim_id"], kind="stable").groupby("estimator").tail(1)
    )
    return float(newest["value_mid"].median()), float(latest["value_mid"].median())


def restatements(inputs: pd.DataFrame) -> set[str]:
    """Claim ids of figures whose estimator had published the same values for the indicator before."""
    seen: set[tuple] = set()
    out = set()
    order = inputs.sort_values(["published_date", "claim_id"], kind="stable")
    for r in order.itertuples():
        key = (r.estimator, r.value_low, r.value_high)
        if key in seen:
            out.add(r.claim_id)
        seen.add(key)
    return out


def candidates(
    claims: pd.DataFrame,
    indicators: Iterable[str],
    cuts: Sequence[pd.Timestamp],
    horizon_days: int,
    warring: Iterable[str] = (),
    include_warring: bool = True,
) -> pd.DataFrame:
    """Every (figure, cut-off) pair where the figure is published within the cut-off's horizon,
    restatements of the same estimator's earlier values left out."""
    rows = []
    horizon = pd.Timedelta(days=horizon_days)
    for ind in indicators if len(cuts) else ():
        inp = pool_inputs(claims, ind, list(warring), include_warring)
        if inp.empty:
            continue
        inp = inp[~inp["claim_id"].isin(restatements(inp))]
        # the rows of each cut-off in turn, taken at once (a frame per cut-off was most of the time)
        published = inp["published_date"].to_numpy()
        picks = [
            np.flatnonzero((published > cut.to_datetime64()) & (published <= (cut + horizon).to_datetime64()))
            for cut in cuts
        ]
        at = np.concatenate(picks)
        cut_of_row = pd.DatetimeIndex(cuts).repeat([len(p) for p in picks])  # (at the cut-offs' resolution)
        rows.append(inp.iloc[at].assign(cut=pd.Series(cut_of_row, index=inp.index[at])))
    if not rows:
        return pd.DataFrame(columns=["claim_id", "cut", "indicator"])
    return pd.concat(rows, ignore_index=True)


def predictions(
    claims: pd.DataFrame,
    indicators: Sequence[str],
    cuts: Iterable[pd.Timestamp],
    horizon_days: int = 180,
    settings: PoolSettings | None = None,
    warring: Iterable[str] = (),
) -> pd.DataFrame:
    """Every method's prediction for each (figure, cut-off) pair of :func:`candidates` where the
    indicator can be predicted at that cut-off (a point or range known by then)."""
    s = settings or PoolSettings()
    warring = list(warring)
    cuts = list(cuts)
    todo = candidates(claims, indicators, cuts, horizon_days, warring, s.include_warring)
    rows = []
    earlier: dict = {}  # each indicator's fit at the previous cut-off: where the next one starts
    # the row-wise selection once; at each cut-off the rows published by then are exactly what
    # pool_inputs would select from the claims published by then
    eligible = {i: pool_rows(claims, i, warring, s.include_warring) for i in indicators}
    for cut in cuts:
        due = todo[todo["cut"] == cut]
        if due.empty:
            continue
        known_claims = claims[claims["published_date"] <= cut]
        known = {i: pool_estimates(rows_i[rows_i["published_date"] <= cut]) for i, rows_i in eligible.items()}
        wanted = [i for i in indicators if anchored(known[i]) and (due["indicator"] == i).any()]
        # only bounds known (or nothing): no method gets a prediction for that indicator
        fits = fit_all(known_claims, wanted, cut, s, warring, known, start=earlier)
        earlier.update(fits)
        for ind, fit in fits.items():
            later = due[due["indicator"] == ind]
            naive, latest_median = _baselines(known[ind])
            pred = fit.predict(later["date"])
            effects = np.exp([fit.effect(e) for e in later["estimator"]])
            rows.append(
                pd.DataFrame(
                    {
                        "indicator": ind,
                        "cut": cut,
                        "claim_id": later["claim_id"].to_numpy(),
                        "estimator": later["estimator"].to_numpy(),
                        "censor": later["censor"].to_numpy(),
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
    table = table.sort_values(["cut", "indicator", "claim_id"], kind="stable").reset_index(drop=True)
    return round_columns(table, ["consensus", "consensus_low", "consensus_high", "adjusted"])


def first_scored(
    pred: pd.DataFrame, cuts: Iterable[pd.Timestamp] | None = None, exclude: Iterable[str] = ()
) -> pd.DataFrame:
    """Each figure once: at the first of ``cuts`` (default: all) where it was predicted, figures
    in ``exclude`` (e.g. the tuning half's targets) left out."""
    sub = pred if cuts is None else pred[pred["cut"].isin(list(cuts))]
    sub = sub[~sub["claim_id"].isin(set(exclude))]
    sub = sub.sort_values(["claim_id", "cut"], kind="stable").drop_duplicates("claim_id", keep="first")
    return sub.sort_values(["cut", "indicator", "claim_id"], kind="stable").reset_index(drop=True)


def backtest(
    claims: pd.DataFrame,
    indicators: Sequence[str],
    cuts: Iterable[pd.Timestamp],
    horizon_days: int = 180,
    settings: PoolSettings | None = None,
    warring: Iterable[str] = (),
) -> pd.DataFrame:
    """One row per scored figure: each once, at its first predictable cut-off."""
    return first_scored(predictions(claims, indicators, cuts, horizon_days, settings, warring))


def errors(bt: pd.DataFrame, method: str) -> np.ndarray:
    """|log(prediction / figure)|, one-sided for bounds: zero on the right side of the bound."""
    err = np.log(bt[method].astype(float) / bt["value"].astype(float)).to_numpy()
    censor = bt["censor"].to_numpy()
    err = np.where((censor == "lower") & (err > 0), 0.0, err)
    err = np.where((censor == "upper") & (err < 0), 0.0, err)
    return np.abs(err)


def _scores(bt: pd.DataFrame) -> dict:
    out: dict = {"n": len(bt), "n_points": int((bt["censor"] == "point").sum())}
    for m in METHODS:
        out[f"mdale_{m}"] = float(np.median(errors(bt, m))) if len(bt) else np.nan
    out["ratio_consensus_to_naive"] = (
        out["mdale_consensus"] / out["mdale_naive"] if out["mdale_naive"] else np.nan
    )
    points = bt[bt["censor"] == "point"]
    inside = (points["value"] >= points["consensus_low"]) & (points["value"] <= points["consensus_high"])
    out["band_coverage"] = float(inside.mean()) if len(points) else np.nan
    return out


def bootstrap_ratio(bt: pd.DataFrame, n: int = BOOTSTRAP, seed: int = SEED) -> tuple[float, float]:
    """95% interval of the error ratio (pooled / naive), resampling figures with replacement."""
    if len(bt) < 2:
        return np.nan, np.nan
    ec, en = errors(bt, "consensus"), errors(bt, "naive")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(bt), size=(n, len(bt)))
    num, den = np.median(ec[idx], axis=1), np.median(en[idx], axis=1)
    ratios = np.divide(num, den, out=np.full(n, np.nan), where=den > 0)
    ratios = ratios[np.isfinite(ratios)]
    if not len(ratios):
        return np.nan, np.nan
    lo, hi = np.quantile(ratios, [(1 - INTERVAL) / 2, (1 + INTERVAL) / 2])
    return float(lo), float(hi)


def summarise(bt: pd.DataFrame, scored: str = "all_cuts") -> pd.DataFrame:
    """Per indicator and overall: figures, median absolute log error per method (bounds
    one-sided), the ratio pooled / naive with its bootstrap interval (overall row), and the share
    of point figures inside the band. ``scored`` names the set of cut-offs."""
    rows = [{"set": scored, "indicator": ind, **_scores(g)} for ind, g in bt.groupby("indicator", sort=True)]
    lo, hi = bootstrap_ratio(bt)
    rows.append({"set": scored, "indicator": "all", **_scores(bt), "ratio_low": lo, "ratio_high": hi})
    table = pd.DataFrame(rows)
    for col in ("ratio_low", "ratio_high"):
        if col not in table:
            table[col] = np.nan
    return round_columns(table, [c for c in table.columns if c not in ("set", "indicator", "n", "n_points")])


def by_cut(bt: pd.DataFrame) -> pd.DataFrame:
    """Per cut-off (each figure scored once, at its first cut-off: :func:`first_scored`): figures,
    point figures, the median absolute log error of each method and the share of point figures
    inside the band, as :func:`summarise` scores them. For the notebook's chart of the backtest."""
    cols = ["cut", "n", "n_points", *[f"mdale_{m}" for m in METHODS], "band_coverage"]
    rows = [{"cut": cut, **_scores(g)} for cut, g in bt.groupby("cut", sort=True)]
    table = pd.DataFrame(rows).reindex(columns=cols) if rows else pd.DataFrame(columns=cols)
    return round_columns(table, cols[3:]).reset_index(drop=True)


def tune(
    claims: pd.DataFrame,
    indicators: Sequence[str],
    cuts: Sequence[pd.Timestamp],
    horizon_days: int,
    settings: PoolSettings,
    warring: Iterable[str] = (),
    grid: Iterable[float] = TUNING_GRID,
    default_predictions: pd.DataFrame | None = None,
) -> tuple[PoolSettings, pd.DataFrame, set[str]]:
    """Choose the smoothness on ``cuts`` only (the tuning half). The default setting stays unless
    another grid value lowers the pooled estimate's median error by more than
    :data:`TUNING_MARGIN` (smaller differences are noise). Returns the chosen settings, the
    grid's scores and the claim ids used as tuning targets (never scored again)."""
    rows, used = [], set()
    for value in grid:
        s = replace(settings, smoothness=float(value))
        if value == settings.smoothness and default_predictions is not None:
            pred = default_predictions[default_predictions["cut"].isin(list(cuts))]
        else:
            pred = predictions(claims, indicators, cuts, horizon_days, s, warring)
        bt = first_scored(pred)
        used |= set(bt["claim_id"])
        rows.append({"smoothness": float(value), **_scores(bt)})
    table = pd.DataFrame(rows)
    default = table.loc[table["smoothness"] == settings.smoothness, "mdale_consensus"]
    chosen = settings.smoothness
    if table["mdale_consensus"].notna().any():  # an early cut-off may leave nothing to score
        best = table.loc[table["mdale_consensus"].idxmin()]
        if default.empty or pd.isna(default.iloc[0]) or best["mdale_consensus"] < float(default.iloc[0]) * (
            1 - TUNING_MARGIN
        ):
            chosen = float(best["smoothness"])
    table["chosen"] = table["smoothness"] == chosen
    table = round_columns(table, [c for c in table.columns if c.startswith(("mdale", "ratio", "band"))])
    return replace(settings, smoothness=chosen), table, used
