"""Analysis of the cleaned claims: consensus, implied ratios, oil run-rate, contradictions.

Every function takes the processed claims table (see :mod:`dprk_russia.data.clean`) and returns
a new DataFrame; nothing here reads or writes files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dprk_russia.analysis.precision import round_sig_array

COUNTED = ("assessed", "official")
UN_CAP_BARRELS = 500_000

#: Indicators shown in the consensus (key findings) table, in order.
HEADLINE_INDICATORS = (
    "containers_munitions",
    "artillery_rounds",
    "ballistic_missiles_shipped",
    "ballistic_missiles_launched",
    "guns_170mm",
    "mrl_240mm",
    "dprk_share_russian_shells",
    "refined_oil_delivered",
    "troops_deployed",
    "killed",
    "wounded",
    "casualties_total",
    "captured",
    "engineers_builders",
)


def shown(claims: pd.DataFrame) -> pd.DataFrame:
    """The claims charts draw and findings quote: with a number, covering the whole indicator."""
    return claims[_whole_with_value(claims)]


def _whole_with_value(df: pd.DataFrame) -> pd.Series:
    """Which claims give a number that speaks for the whole indicator (not a part of it)."""
    return df["has_value"] & (df["scope"] == "total")


def counted(df: pd.DataFrame) -> pd.DataFrame:
    """Counted figures (assessed or official) for the whole indicator, without the later pages
    that repeat an older figure as if it were new (``repeat_of``)."""
    return df[counted_mask(df)]


def counted_mask(df: pd.DataFrame) -> np.ndarray:
    """Which rows of ``df`` :func:`counted` keeps (one selection, not one per condition)."""
    mask = _whole_with_value(df) & df["basis"].isin(COUNTED)
    if "repeat_of" in df:
        mask &= df["repeat_of"].fillna("") == ""
    return mask.to_numpy(dtype=bool)


def latest_per_estimator(df: pd.DataFrame, indicator: str, bases: Sequence[str] = COUNTED) -> pd.DataFrame:
    """The most recent claim of each estimator for ``indicator`` (ties: later published, id)."""
    sub = shown(df)
    sub = sub[(sub["indicator"] == indicator) & sub["basis"].isin(bases)]
    sub = sub.sort_values(["estimator", "date", "published_date", "claim_id"], kind="stable")
    return (
        sub.groupby("estimator", sort=True)
        .tail(1)
        .sort_values(["date", "estimator"], kind="stable")
        .reset_index(drop=True)
    )


def implied_rounds_per_container(df: pd.DataFrame, band_low: float, band_high: float) -> pd.DataFrame:
    """Rounds per container for every source that gives both a container and a round figure.

    Pairs are matched on ``source_id`` and ``period_end``. Each pair is flagged
    ``in_band`` when its implied ratio range overlaps [band_low, band_high].
    """
    if band_low > band_high:
        raise ValueError(f"band_low {band_low} is above band_high {band_high}")
    sub = shown(df)
    cont = sub[sub["indicator"] == "containers_munitions"]
    rounds = sub[sub["indicator"] == "artillery_rounds"]
    keys = ["source_id", "period_end"]
    # only the columns used: every column of both sides would be copied into each pair
    used = [*keys, "estimator", "date", "basis", "value_low", "value_high", "value_mid", "claim_id"]
    pairs = cont[used].merge(rounds[used], on=keys, suffixes=("_c", "_r"))
    if pairs.empty:
        return pd.DataFrame(
            columns=[
                "source_id",
                "period_end",
                "estimator",
                "date",
                "containers",
                "rounds",
                "rounds_basis",
                "ratio_low",
                "ratio_high",
                "ratio_mid",
                "in_band",
                "container_claim_id",
                "rounds_claim_id",
            ]
        )
    out = pd.DataFrame(
        {
            "source_id": pairs["source_id"],
            "period_end": pairs["period_end"],
            "estimator": pairs["estimator_r"],
            "date": pairs["date_r"],
            "containers": pairs["value_mid_c"],
            "rounds": pairs["value_mid_r"],
            "rounds_basis": pairs["basis_r"],
            "ratio_low": pairs["value_low_r"] / pairs["value_high_c"],
            "ratio_high": pairs["value_high_r"] / pairs["value_low_c"],
            "ratio_mid": pairs["value_mid_r"] / pairs["value_mid_c"],
            "container_claim_id": pairs["claim_id_c"],
            "rounds_claim_id": pairs["claim_id_r"],
        }
    )
    out["in_band"] = (out["ratio_high"] >= band_low) & (out["ratio_low"] <= band_high)
    return out.sort_values(["date", "source_id", "rounds_claim_id"], kind="stable").reset_index(drop=True)


def containers_to_rounds(df: pd.DataFrame, rounds_low: float, rounds_high: float) -> pd.DataFrame:
    """Convert every container count into a rounds range under the given assumption.

    This is a *capacity* conversion and is returned as its own table, never merged into
    the assessed round counts.
    """
    sub = shown(df)
    cont = sub[(sub["indicator"] == "containers_munitions") & sub["basis"].isin(COUNTED)]
    out = cont[["claim_id", "estimator", "date", "value_low", "value_high"]].copy()
    out["rounds_low"] = out["value_low"] * rounds_low
    out["rounds_high"] = out["value_high"] * rounds_high
    return out.reset_index(drop=True)


def oil_run_rate(df: pd.DataFrame, cap: float = UN_CAP_BARRELS) -> pd.DataFrame:
    """Run-rate of refined-oil delivery figures that state a period, against the annual cap.

    For each counted (assessed or official, not a repeat) ``refined_oil_delivered`` or
    ``refined_oil_notified`` claim with a start and end, returns barrels per day, the
    annualised amount, its multiple of the cap, and the date on which deliveries at that rate
    would pass the cap counted from the period start. Capacity conversions ("the tankers could
    carry ...") and forecasts are not estimates of what was delivered and are left out.
    """
    sub = counted(df)
    sub = sub[
        sub["indicator"].isin(["refined_oil_delivered", "refined_oil_notified"])
        & sub["period_start_date"].notna()
        & sub["period_end_date"].notna()
    ]
    days = (sub["period_end_date"] - sub["period_start_date"]).dt.days + 1
    per_day = sub["value_mid"] / days
    out = pd.DataFrame(
        {
            "claim_id": sub["claim_id"],
            "indicator": sub["indicator"],
            "estimator": sub["estimator"],
            "basis": sub["basis"],
            "period_start": sub["period_start_date"],
            "period_end": sub["period_end_date"],
            "days": days,
            "barrels": sub["value_mid"],
            "barrels_per_day": per_day,
            "annualised": per_day * 365,
            "cap_multiple": per_day * 365 / cap,
        }
    )
    to_cap = np.ceil(cap / per_day.where(per_day > 0))
    out["cap_passed_on"] = sub["period_start_date"] + pd.to_timedelta(to_cap - 1, unit="D")
    return out.sort_values(["period_start", "claim_id"], kind="stable").reset_index(drop=True)


def force_size_at(df: pd.DataFrame, when: pd.Timestamp, how: str = "median") -> float:
    """Size of the deployed force as known on ``when``, from counted troops_deployed figures.

    ``how="median"``: the median midpoint of each estimator's latest figure dated on or before
    ``when`` (robust to a single outlier); ``how="max"``: the largest value_high so dated.
    """
    sub = shown(df)
    sub = sub[(sub["indicator"] == "troops_deployed") & sub["basis"].isin(COUNTED) & (sub["date"] <= when)]
    if sub.empty:
        return float("nan")
    if how == "max":
        return float(sub["value_high"].max())
    if how != "median":
        raise ValueError(f"how must be 'median' or 'max', got {how!r}")
    latest = sub.sort_values(["date", "claim_id"], kind="stable").groupby("estimator").tail(1)
    return float(latest["value_mid"].median())


def _force_sizes(df: pd.DataFrame, dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`force_size_at` (median and max) for many dates in one pass over the force figures."""
    troops = shown(df)
    troops = troops[(troops["indicator"] == "troops_deployed") & troops["basis"].isin(COUNTED)]
    troops = troops.sort_values(["date", "claim_id"], kind="stable")
    when = troops["date"].to_numpy()
    est = troops["estimator"].to_list()
    mid = troops["value_mid"].to_numpy(dtype=float)
    high = troops["value_high"].to_numpy(dtype=float)
    sizes: dict[pd.Timestamp, tuple[float, float]] = {}
    for d in dates.unique():
        n = int(np.searchsorted(when, d, side="right"))  # figures dated on or before d
        if n == 0:
            sizes[d] = (float("nan"), float("nan"))
            continue
        latest = {e: m for e, m in zip(est[:n], mid[:n], strict=True)}  # each estimator's last
        sizes[d] = (float(np.median(list(latest.values()))), float(high[:n].max()))
    pairs = [sizes[d] for d in dates]
    return np.array([p[0] for p in pairs], dtype=float), np.array([p[1] for p in pairs], dtype=float)


def casualty_share(df: pd.DataFrame, curves: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each casualty figure as a share of the force known by its date.

    ``force`` (the share's denominator) is the pooled estimate of troops sent at the figure's date
    where ``curves`` (the pooled curves) has one, so that the report speaks of one force; before
    the curve starts, or without it, the median of the estimators' latest counted force figures by
    then. ``force_max`` is the largest force figure by then (used by the losses-above-force rule).
    """
    sub = shown(df)
    sub = sub[sub["indicator"].isin(["killed", "wounded", "casualties_total"]) & sub["basis"].isin(COUNTED)]
    out = sub[["claim_id", "indicator", "estimator", "date", "value_low", "value_high", "value_mid"]].copy()
    out["force"], out["force_max"] = _force_sizes(df, sub["date"])
    troops = curves[curves["indicator"] == "troops_deployed"] if curves is not None else None
    if troops is not None and len(troops) and len(out):
        inside, m, _lo, _hi = curve_at(troops, out["date"])
        pooled = round_sig_array(np.exp(m))
        force = out["force"].to_numpy(dtype=float).copy()
        force[inside] = pooled
        out["force"] = force
    out["share_mid"] = out["value_mid"] / out["force"]
    return out.sort_values(["date", "claim_id"], kind="stable").reset_index(drop=True)


#: Claims equal in these fields and published within RELAY_WINDOW_DAYS are one estimate, relayed.
ESTIMATE_KEY = ["indicator", "estimator", "basis", "value_low", "value_high"]
RELAY_WINDOW_DAYS = 30
DAY_NS = 86_400_000_000_000


def distinct_estimates(df: pd.DataFrame, window_days: int = RELAY_WINDOW_DAYS) -> pd.DataFrame:
    """One row per distinct estimate: the same figure from the same estimator, relayed by several
    pages within ``window_days`` of its first publication, counts once.

    Keeps the earliest-published claim (ties: claim_id) and adds ``relays`` (how many claims carry
    the estimate) and ``relay_ids`` (their ids, ';'-separated).

    Claims of one figure published the same day always share an estimate, so the windows are
    walked over the distinct (figure, day) pairs, not over every claim: a hundred thousand
    claims hold about as many pairs as the real data.
    """
    # the walk reads a few key columns; the frame's columns are taken once, at the end
    order = _stable_order(df, ["published_date", "claim_id"])
    n = len(order)
    group = _first_seen_groups([df[c].to_numpy()[order] for c in ESTIMATE_KEY])
    when = df["published_date"].to_numpy(dtype="datetime64[ns]").astype(np.int64)[order]
    pairs, pair_of_row = np.unique(np.stack([group, when]), axis=1, return_inverse=True)
    pair_of_row = pair_of_row.reshape(-1)
    first_row = np.full(pairs.shape[1], n)
    np.minimum.at(first_row, pair_of_row, np.arange(n))
    opened: dict[int, tuple[int, int]] = {}  # group -> (first day, number) of its latest estimate
    estimate_of_pair = np.empty(pairs.shape[1], dtype=np.int64)
    count = 0
    for k in np.argsort(first_row, kind="stable"):  # in row order: each group's days ascending
        g, t = int(pairs[0, k]), int(pairs[1, k])
        start = opened.get(g)
        if start is None or (t - start[0]) // DAY_NS > window_days:
            start = opened[g] = (t, count)
            count += 1
        estimate_of_pair[k] = start[1]
    estimate = estimate_of_pair[pair_of_row]
    firsts = np.unique(estimate, return_index=True)[1]  # each estimate's first row
    # in the order a walk group by group (first seen first), then through time, makes them
    firsts = firsts[np.lexsort((firsts, group[firsts]))]
    # each estimate's ids in row order: the ids sorted by estimate (stably), cut at the counts
    counts = np.bincount(estimate, minlength=len(firsts))
    by_estimate = df["claim_id"].to_numpy()[order][np.argsort(estimate, kind="stable")].tolist()
    ends = np.cumsum(counts).tolist()
    joined = [";".join(by_estimate[e - k : e]) for e, k in zip(ends, counts.tolist(), strict=True)]
    rows = order[firsts]
    final = _stable_order(df, ["indicator", "date", "claim_id"], rows)
    chosen = estimate[firsts][final].tolist()
    out = df.iloc[rows[final]]  # a new frame: set its index and columns in place (no copies)
    out.index = pd.RangeIndex(len(out))
    out["relays"] = [int(counts[e]) for e in chosen]
    out["relay_ids"] = [joined[e] for e in chosen]
    return out


def _first_seen_groups(columns: list[np.ndarray]) -> np.ndarray:
    """The group of each row by its values in ``columns`` (missing values alike), numbered in the
    order the groups first appear: what ``groupby(..., dropna=False, sort=False).ngroup()`` gives."""
    group = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    for values in columns:
        codes = pd.factorize(values, use_na_sentinel=False)[0]
        group = pd.factorize(group * (int(codes.max(initial=0)) + 1) + codes)[0]
    return group


def _stable_order(df: pd.DataFrame, by: list[str], rows: np.ndarray | None = None) -> np.ndarray:
    """The order in which ``df.iloc[rows].sort_values(by, kind="stable")`` puts the rows (positions
    into ``rows``, or into ``df`` without them), from the ``by`` columns alone (sorting the frame
    would take every column)."""
    arrays = [df[c].to_numpy() if rows is None else df[c].to_numpy()[rows] for c in by]
    keys = []
    for a in arrays:  # numpy's stable sort where it orders as pandas does: no missing values
        if a.dtype.kind == "M" and not np.isnat(a).any():
            keys.append(a.astype("datetime64[ns]").astype(np.int64))
        elif a.dtype == object and pd.api.types.infer_dtype(a, skipna=False) == "string":
            keys.append(a.astype(str))  # (code point order, as Python compares str)
        else:
            frame = df[by] if rows is None else df[by].iloc[rows]
            return frame.reset_index(drop=True).sort_values(by, kind="stable").index.to_numpy()
    return np.lexsort(keys[::-1])


def curve_at(curve: pd.DataFrame, dates: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One indicator's curve table read at ``dates`` (log-linear between its weeks).

    Returns a mask of the dates on or after the curve's first week, then the log estimate, log
    low and log high at those dates.
    """
    t = pd.to_datetime(curve["date"]).to_numpy(dtype="datetime64[D]").astype(float)
    x = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]").astype(float)
    inside = x >= t[0]
    logs = (
        np.interp(x[inside], t, np.log(curve[c].astype(float).to_numpy()))
        for c in ("estimate", "low", "high")
    )
    return (inside, *logs)
