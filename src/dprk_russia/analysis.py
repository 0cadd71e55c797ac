"""Analysis of the cleaned claims: consensus, implied ratios, oil run-rate, contradictions.

Every function takes the processed claims table (see :mod:`dprk_russia.clean`) and returns
a new DataFrame; nothing here reads or writes files.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

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


def _with_values(df: pd.DataFrame) -> pd.DataFrame:
    """Claims with a number that speak for the whole indicator (not a part of it)."""
    return df[df["has_value"] & (df["scope"] == "total")]


def latest_per_estimator(df: pd.DataFrame, indicator: str, bases: Sequence[str] = COUNTED) -> pd.DataFrame:
    """The most recent claim of each estimator for ``indicator`` (ties: later published, id)."""
    sub = _with_values(df)
    sub = sub[(sub["indicator"] == indicator) & sub["basis"].isin(bases)]
    sub = sub.sort_values(["estimator", "date", "published_date", "claim_id"], kind="stable")
    return (
        sub.groupby("estimator", sort=True)
        .tail(1)
        .sort_values(["date", "estimator"], kind="stable")
        .reset_index(drop=True)
    )


def consensus_table(df: pd.DataFrame, indicators: Sequence[str] = HEADLINE_INDICATORS) -> pd.DataFrame:
    """For each indicator: estimator count, range across the latest figure of each estimator.

    Only counted figures (basis assessed or official) enter; capacity conversions and
    forecasts are left out so that the range compares like with like.
    """
    rows = []
    for ind in indicators:
        latest = latest_per_estimator(df, ind)
        if latest.empty:
            continue
        newest = latest.sort_values(["date", "claim_id"], kind="stable").iloc[-1]
        rows.append(
            {
                "indicator": ind,
                "n_estimators": int(latest["estimator"].nunique()),
                "low": float(latest["value_low"].min()),
                "high": float(latest["value_high"].max()),
                "median_mid": float(latest["value_mid"].median()),
                "newest_value_low": float(newest["value_low"]),
                "newest_value_high": float(newest["value_high"]),
                "newest_estimator": newest["estimator"],
                "newest_date": newest["date"],
                "newest_claim_id": newest["claim_id"],
                "claim_ids": ";".join(sorted(latest["claim_id"])),
            }
        )
    return pd.DataFrame(rows)


def implied_rounds_per_container(df: pd.DataFrame, band_low: float, band_high: float) -> pd.DataFrame:
    """Rounds per container for every source that gives both a container and a round figure.

    Pairs are matched on ``source_id`` and ``period_end``. Each pair is flagged
    ``in_band`` when its implied ratio range overlaps [band_low, band_high].
    """
    if band_low > band_high:
        raise ValueError(f"band_low {band_low} is above band_high {band_high}")
    sub = _with_values(df)
    cont = sub[sub["indicator"] == "containers_munitions"]
    rounds = sub[sub["indicator"] == "artillery_rounds"]
    keys = ["source_id", "period_end"]
    pairs = cont.merge(rounds, on=keys, suffixes=("_c", "_r"))
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
    sub = _with_values(df)
    cont = sub[(sub["indicator"] == "containers_munitions") & sub["basis"].isin(COUNTED)]
    out = cont[["claim_id", "estimator", "date", "value_low", "value_high"]].copy()
    out["rounds_low"] = out["value_low"] * rounds_low
    out["rounds_high"] = out["value_high"] * rounds_high
    return out.reset_index(drop=True)


def oil_run_rate(df: pd.DataFrame, cap: float = UN_CAP_BARRELS) -> pd.DataFrame:
    """Run-rate of refined-oil delivery figures that state a period, against the annual cap.

    For each ``refined_oil_delivered`` or ``refined_oil_notified`` claim with a start and
    end, returns barrels per day, the annualised amount, its multiple of the cap, and the
    date on which deliveries at that rate would pass the cap counted from the period start.
    """
    sub = _with_values(df)
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
    sub = _with_values(df)
    sub = sub[(sub["indicator"] == "troops_deployed") & sub["basis"].isin(COUNTED) & (sub["date"] <= when)]
    if sub.empty:
        return float("nan")
    if how == "max":
        return float(sub["value_high"].max())
    if how != "median":
        raise ValueError(f"how must be 'median' or 'max', got {how!r}")
    latest = sub.sort_values(["date", "claim_id"], kind="stable").groupby("estimator").tail(1)
    return float(latest["value_mid"].median())


def casualty_share(df: pd.DataFrame) -> pd.DataFrame:
    """Each casualty figure as a share of the force known by its date.

    ``force`` is the median of the estimators' latest counted force figures by then (the share's
    denominator); ``force_max`` is the largest such figure (used by the casualties-above-force rule).
    """
    sub = _with_values(df)
    sub = sub[sub["indicator"].isin(["killed", "wounded", "casualties_total"]) & sub["basis"].isin(COUNTED)]
    out = sub[["claim_id", "indicator", "estimator", "date", "value_low", "value_high", "value_mid"]].copy()
    troops = df[df["indicator"] == "troops_deployed"]  # filter once, not per casualty figure
    out["force"] = np.array([force_size_at(troops, d) for d in sub["date"]], dtype=float)
    out["force_max"] = np.array([force_size_at(troops, d, "max") for d in sub["date"]], dtype=float)
    out["share_mid"] = out["value_mid"] / out["force"]
    return out.sort_values(["date", "claim_id"], kind="stable").reset_index(drop=True)


def _row(kind: str, rows: pd.DataFrame, detail: str) -> dict:
    return {
        "type": kind,
        "indicator": rows["indicator"].iloc[0],
        "claim_ids": ";".join(rows["claim_id"]),
        "estimators": ";".join(rows["estimator"]),
        "dates": ";".join(d.strftime("%Y-%m-%d") for d in rows["date"]),
        "values": ";".join(
            _fmt_range(lo, hi) for lo, hi in zip(rows["value_low"], rows["value_high"], strict=True)
        ),
        "detail": detail,
    }


def _fmt_range(lo: float, hi: float) -> str:
    f = lambda v: f"{v:.10g}"  # noqa: E731
    return f(lo) if lo == hi else f"{f(lo)}-{f(hi)}"


def falling_cumulative(df: pd.DataFrame) -> list[dict]:
    """Cumulative figures of one estimator that fall over time (later high < earlier low)."""
    out = []
    sub = _with_values(df)
    sub = sub[(sub["kind"] == "cumulative") & sub["basis"].isin(COUNTED)]
    for (_ind, _est), g in sub.groupby(["indicator", "estimator"], sort=True):
        g = g.sort_values(["date", "claim_id"], kind="stable")
        running_max_low = g["value_low"].cummax().shift()
        holder = g["claim_id"].where(g["value_low"] == g["value_low"].cummax()).ffill().shift()
        for i in np.flatnonzero((g["value_high"] < running_max_low).to_numpy()):
            later = g.iloc[i]
            earlier = g[g["claim_id"] == holder.iloc[i]]
            pair = pd.concat([earlier, g.iloc[[i]]])
            out.append(
                _row("falling_cumulative", pair, f"{later['estimator']} later reports less than before")
            )
    return out


def capacity_reported_as_count(df: pd.DataFrame, tolerance: float = 0.05) -> list[dict]:
    """A capacity conversion whose figure another source reports as an assessed count."""
    out = []
    sub = _with_values(df)
    cap = sub[sub["basis"] == "capacity"]
    counted = sub[sub["basis"] == "assessed"]
    for _, c in cap.iterrows():
        m = counted[
            (counted["indicator"] == c["indicator"])
            & (counted["source_id"] != c["source_id"])
            & ((counted["value_mid"] - c["value_mid"]).abs() <= tolerance * c["value_mid"])
            & (counted["date"] >= c["date"])
        ]
        for _, a in m.iterrows():
            pair = pd.DataFrame([c, a])
            out.append(
                _row("capacity_as_count", pair, "a capacity conversion reappears as an assessed count")
            )
    return out


def casualties_above_force(df: pd.DataFrame) -> list[dict]:
    """Casualty figures larger than any deployed-force figure known by their date."""
    out = []
    shares = casualty_share(df)
    bad = shares[shares["value_low"] > shares["force_max"]]
    for _, r in bad.iterrows():
        rows = df[df["claim_id"] == r["claim_id"]]
        out.append(
            _row(
                "casualties_above_force", rows, f"exceeds the largest reported force of {r['force_max']:.0f}"
            )
        )
    return out


def ratio_outside_band(df: pd.DataFrame, band_low: float, band_high: float) -> list[dict]:
    """Implied rounds per container outside the plausible band."""
    out = []
    ratios = implied_rounds_per_container(df, band_low, band_high)
    for _, r in ratios[~ratios["in_band"]].iterrows():
        rows = df[df["claim_id"].isin([r["container_claim_id"], r["rounds_claim_id"]])]
        out.append(
            _row(
                "ratio_outside_band",
                rows,
                f"implies {r['ratio_mid']:.0f} rounds per container (band {band_low:.0f}-{band_high:.0f})",
            )
        )
    return out


def estimators_far_apart(df: pd.DataFrame, factor: float = 2.0, window_days: int = 31) -> list[dict]:
    """Two estimators whose counted figures for one indicator, dated within ``window_days`` of
    each other, differ by more than ``factor`` (ratio of midpoints). For each indicator and
    pair of estimators only the most extreme pair of claims is kept."""
    best: dict[tuple[str, str, str], tuple[float, pd.DataFrame]] = {}
    sub = _with_values(df)
    sub = sub[
        sub["kind"].isin(["cumulative", "snapshot"]) & sub["basis"].isin(COUNTED) & (sub["value_mid"] > 0)
    ]
    for ind, g in sub.groupby("indicator", sort=True):
        recs = g.sort_values(["date", "claim_id"], kind="stable").to_dict("records")
        for i, a in enumerate(recs):
            for b in recs[i + 1 :]:
                if (b["date"] - a["date"]).days > window_days:
                    break
                if a["estimator"] == b["estimator"]:
                    continue
                ratio = max(a["value_mid"], b["value_mid"]) / min(a["value_mid"], b["value_mid"])
                key = (str(ind), *sorted((a["estimator"], b["estimator"])))
                if ratio > factor and ratio > best.get(key, (0.0, None))[0]:
                    best[key] = (ratio, pd.DataFrame([a, b]))
    return [
        _row("estimators_far_apart", pair, f"figures differ by a factor of {ratio:.1f}")
        for _key, (ratio, pair) in sorted(best.items())
    ]


CONTRADICTION_COLUMNS = ["type", "indicator", "claim_ids", "estimators", "dates", "values", "detail"]


#: Claims equal in these fields and published within RELAY_WINDOW_DAYS are one estimate, relayed.
ESTIMATE_KEY = ["indicator", "estimator", "basis", "value_low", "value_high"]
RELAY_WINDOW_DAYS = 30


def distinct_estimates(df: pd.DataFrame, window_days: int = RELAY_WINDOW_DAYS) -> pd.DataFrame:
    """One row per distinct estimate: the same figure from the same estimator, relayed by several
    pages within ``window_days`` of its first publication, counts once.

    Keeps the earliest-published claim (ties: claim_id) and adds ``relays`` (how many claims carry
    the estimate) and ``relay_ids`` (their ids, ';'-separated).
    """
    sub = df.sort_values(["published_date", "claim_id"], kind="stable")
    clusters: list[list] = []  # row labels of each estimate, earliest first
    for _, g in sub.groupby(ESTIMATE_KEY, dropna=False, sort=False):
        start = None
        for idx, when in zip(g.index, g["published_date"], strict=True):
            if start is None or (when - start).days > window_days:
                start = when
                clusters.append([])
            clusters[-1].append(idx)
    out = sub.loc[[c[0] for c in clusters]].assign(
        relays=[len(c) for c in clusters],
        relay_ids=[";".join(sub.loc[c, "claim_id"]) for c in clusters],
    )
    return out.sort_values(["indicator", "date", "claim_id"], kind="stable").reset_index(drop=True)


def find_contradictions(
    df: pd.DataFrame,
    band_low: float,
    band_high: float,
    factor: float = 2.0,
    window_days: int = 31,
) -> pd.DataFrame:
    """All contradictions found by the five rules, one row per pair or claim.

    The rules comparing estimates run on :func:`distinct_estimates`, so one estimate relayed by
    ten pages is reported once; the per-source rounds-per-container rule runs on every claim.
    """
    distinct = distinct_estimates(df)
    rows = (
        falling_cumulative(distinct)
        + capacity_reported_as_count(distinct)
        + casualties_above_force(distinct)
        + ratio_outside_band(df, band_low, band_high)
        + estimators_far_apart(distinct, factor, window_days)
    )
    out = pd.DataFrame(rows, columns=CONTRADICTION_COLUMNS)
    return out.sort_values(["type", "indicator", "claim_ids"], kind="stable").reset_index(drop=True)


#: The analysis tables written to the processed folder: purpose and columns (the data dictionary).
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "consensus": (
        "Per headline indicator: the latest counted figure of each estimator and the range across them.",
        {
            "indicator": "Indicator key.",
            "n_estimators": "Estimators with a counted figure.",
            "low": "Lowest value_low among their latest figures.",
            "high": "Highest value_high among their latest figures.",
            "median_mid": "Median of their midpoints.",
            "newest_value_low": "Low value of the most recent of these figures.",
            "newest_value_high": "High value of the most recent of these figures.",
            "newest_estimator": "Who gave it.",
            "newest_date": "Its representative date.",
            "newest_claim_id": "Its claim_id.",
            "claim_ids": "All claims entering the row, ';'-separated.",
        },
    ),
    "contradictions": (
        "Contradictions found by code, one row per claim or pair of claims.",
        {
            "type": "falling_cumulative, capacity_as_count, casualties_above_force, ratio_outside_band "
            "or estimators_far_apart.",
            "indicator": "Indicator key.",
            "claim_ids": "Claims involved, ';'-separated.",
            "estimators": "Their estimators, in the same order.",
            "dates": "Their representative dates.",
            "values": "Their values (low-high when a range).",
            "detail": "What the rule found.",
        },
    ),
    "implied_rounds_per_container": (
        "Rounds per container for sources that give both figures for the same period end.",
        {
            "source_id": "Source giving both figures.",
            "period_end": "Shared period end.",
            "estimator": "Estimator of the round figure.",
            "date": "Representative date.",
            "containers": "Container midpoint.",
            "rounds": "Round midpoint.",
            "rounds_basis": "assessed or capacity.",
            "ratio_low": "Lowest implied ratio (rounds low / containers high).",
            "ratio_high": "Highest implied ratio (rounds high / containers low).",
            "ratio_mid": "Ratio of midpoints.",
            "container_claim_id": "The container claim.",
            "rounds_claim_id": "The round claim.",
            "in_band": "True when the ratio range overlaps the assumed band.",
        },
    ),
    "containers_as_rounds": (
        "Container counts converted to rounds under the assumed band (a capacity conversion, not a count).",
        {
            "claim_id": "The container claim.",
            "estimator": "Its estimator.",
            "date": "Its representative date.",
            "value_low": "Containers, low.",
            "value_high": "Containers, high.",
            "rounds_low": "value_low x ROUNDS_PER_CONTAINER_LOW.",
            "rounds_high": "value_high x ROUNDS_PER_CONTAINER_HIGH.",
        },
    ),
    "oil_run_rate": (
        "Refined-oil figures that state a period, as a yearly rate against the 500,000-barrel cap.",
        {
            "claim_id": "The oil claim.",
            "indicator": "refined_oil_delivered or refined_oil_notified.",
            "estimator": "Its estimator.",
            "basis": "Its basis.",
            "period_start": "First day of the period.",
            "period_end": "Last day of the period.",
            "days": "Days covered.",
            "barrels": "Barrels (midpoint).",
            "barrels_per_day": "barrels / days.",
            "annualised": "barrels_per_day x 365.",
            "cap_multiple": "annualised / 500,000.",
            "cap_passed_on": "Date the cap would be reached at that rate, counted from period_start.",
        },
    ),
    "casualty_share": (
        "Casualty figures as a share of the force as estimated by their date.",
        {
            "claim_id": "The casualty claim.",
            "indicator": "killed, wounded or casualties_total.",
            "estimator": "Its estimator.",
            "date": "Its representative date.",
            "value_low": "Low value.",
            "value_high": "High value.",
            "value_mid": "Midpoint.",
            "force": "Median of the estimators' latest counted troops_deployed midpoints dated on or before.",
            "force_max": "Largest counted troops_deployed value_high dated on or before.",
            "share_mid": "value_mid / force.",
        },
    ),
    "deployments": (
        "Deployment claims (troops deployed, at the front, reinforcements, engineers and builders).",
        {
            "claim_id": "Claim.",
            "indicator": "Indicator key.",
            "date": "Representative date.",
            "estimator": "Estimator.",
            "value_low": "Low value.",
            "value_high": "High value.",
            "qualifier": "Qualifier.",
            "basis": "Basis (forecast = planned or expected).",
        },
    ),
    "russia_to_dprk": (
        "Transfers from Russia to North Korea other than oil.",
        {
            "claim_id": "Claim.",
            "indicator": "Indicator key.",
            "date": "Representative date.",
            "estimator": "Estimator.",
            "value_low": "Low value (empty when no number was given).",
            "value_high": "High value.",
            "qualifier": "Qualifier.",
            "basis": "Basis.",
            "note": "Our summary.",
        },
    ),
}
