"""The findings the report quotes: one tidy row per number, written by the notebook that found it.

Each analysis notebook writes its own ``findings_<part>.csv`` (so the 2.x notebooks can run in
parallel); the report reads them all (:func:`load_findings`) and formats, never computes.

A row: ``key`` (dotted, e.g. ``ship.containers.newest``; ``key.<indicator>.*`` are the key
findings), ``value`` (a plain number, empty for a date-only finding), ``unit`` (how to format
it: ``count``, ``share``, ``multiple``, ``ratio``, ``days``, ``barrels``, ``date``), ``date``
(ISO), ``claim_ids`` (';'-joined, the claims behind the number), ``estimator`` (the registry key
of who made it, when one estimator did) and ``qualifier`` (``about``, ``over`` ...).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dprk_russia.analysis import tables
from dprk_russia.analysis.backtest import INTERVAL
from dprk_russia.analysis.contradictions import TYPES as CONTRADICTION_TYPES
from dprk_russia.analysis.pooled import pool_inputs
from dprk_russia.analysis.precision import round_sig
from dprk_russia.data.clean import FINDINGS_COLUMNS as DICTIONARY
from dprk_russia.data.clean import FINDINGS_PARTS as PARTS
from dprk_russia.data.io import read_csv, write_csv
from dprk_russia.data.schema import per_value

COLUMNS = list(DICTIONARY)


@dataclass(frozen=True)
class Finding:
    """One finding as the report templates see it."""

    key: str
    value: float | None
    low: float | None
    high: float | None
    unit: str
    date: pd.Timestamp | None
    claims: tuple[str, ...]
    estimator: str
    qualifier: str


def finding(
    key: str,
    value: float | None = None,
    unit: str = "count",
    date: object = None,
    claims: Iterable[str] = (),
    estimator: str = "",
    qualifier: str = "",
    low: float | None = None,
    high: float | None = None,
) -> dict:
    """One findings row (dates as ISO text, claim ids ';'-joined)."""
    when = "" if date is None or pd.isna(date) else pd.Timestamp(date).strftime("%Y-%m-%d")
    return {
        "key": key,
        "value": _number(value),
        "low": _number(low),
        "high": _number(high),
        "unit": unit,
        "date": when,
        # a Series as a list: iterating one cell by cell is slow at 100,000 claims
        "claim_ids": ";".join(dict.fromkeys(claims.tolist() if isinstance(claims, pd.Series) else claims)),
        "estimator": estimator,
        "qualifier": qualifier,
    }


def _number(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def claim_finding(key: str, claim: pd.Series, date: object = None) -> dict:
    """A finding quoting one claim: its midpoint (and range), date (or ``date``), estimator and qualifier."""
    ranged = claim["value_high"] > claim["value_low"]
    return finding(
        key,
        claim["value_mid"],
        "count",
        claim["date"] if date is None else date,
        [claim["claim_id"]],
        claim["estimator"],
        claim["qualifier"],
        low=claim["value_low"] if ranged else None,
        high=claim["value_high"] if ranged else None,
    )


def extreme(key: str, rows: pd.DataFrame, column: str, how: str = "max", unit: str = "count") -> dict:
    """The smallest or largest ``column`` of ``rows`` with the claim(s) giving it."""
    value = rows[column].min() if how == "min" else rows[column].max()
    return finding(key, value, unit, claims=rows.loc[rows[column] == value, "claim_id"])


def newest(claims: pd.DataFrame, indicator: str) -> pd.Series | None:
    """The most recent of the estimators' latest counted figures for ``indicator``."""
    latest = tables.latest_per_estimator(claims, indicator)
    if latest.empty:
        return None
    return latest.sort_values(["date", "claim_id"], kind="stable").iloc[-1]


def newest_finding(key: str, claims: pd.DataFrame, indicator: str) -> list[dict]:
    """The newest counted figure of ``indicator`` (:func:`newest`) as finding ``key``, or nothing."""
    top = newest(claims, indicator)
    return [] if top is None else [claim_finding(key, top)]


def write_findings(rows: list[dict], processed_dir: str | Path, part: str) -> pd.DataFrame:
    """Write ``findings_<part>.csv`` (sorted by key) and return it."""
    if part not in PARTS:
        raise ValueError(f"unknown findings part {part!r}; expected one of {PARTS}")
    df = pd.DataFrame(rows, columns=COLUMNS)
    dupes = sorted(set(df.loc[df["key"].duplicated(), "key"]))
    if dupes:
        raise ValueError(f"findings_{part}: duplicate keys {dupes}")
    write_csv(df, Path(processed_dir) / f"findings_{part}.csv")
    return df


def load_findings(processed_dir: str | Path) -> dict[str, Finding]:
    """All findings files, keyed by ``key``; a missing file names the notebook to run."""
    out: dict[str, Finding] = {}
    for part in PARTS:
        path = Path(processed_dir) / f"findings_{part}.csv"
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: run the notebooks before the report")
        df = read_csv(path)
        for r in df.itertuples():
            out[r.key] = Finding(
                key=r.key,
                value=float(r.value) if r.value else None,
                low=float(r.low) if r.low else None,
                high=float(r.high) if r.high else None,
                unit=r.unit,
                date=pd.Timestamp(r.date) if r.date else None,
                claims=tuple(c for c in r.claim_ids.split(";") if c),
                estimator=r.estimator,
                qualifier=r.qualifier,
            )
    return out


# ---- the findings of each notebook


def dataset(
    claims: pd.DataFrame, sources: pd.DataFrame, as_of: str = "", fresh: dict | None = None
) -> list[dict]:
    """How many figures, sources and estimators the report covers, the cut-off, and how fresh the
    data are (``fresh``: :func:`dprk_russia.data.freshness.freshness`) (notebook 2.3)."""
    used = set(claims["source_id"].unique())
    window = []
    if fresh:
        window = [
            finding("data.figures_up_to", None, "date", fresh["figures_published_up_to"] or None),
            finding("data.sources_read_up_to", None, "date", fresh["sources_read_up_to"] or None),
            finding("data.months_without_new", fresh["months_between"], "months"),
            finding("data.stale", float(bool(fresh["stale"])), "flag"),
        ]
    return [
        *window,
        *dating(claims, sources),
        finding("param.as_of", None, "date", as_of or None),
        finding("data.claims", len(claims)),
        finding("data.estimators", claims["estimator"].nunique()),
        finding("data.sources_with_claims", len(used)),
        finding("data.sources_listed", len(sources)),
        finding("data.sources_events_only", len(set(sources["source_id"]) - used)),
        finding("data.first_published", None, "date", claims["published_date"].min()),
        finding("data.last_published", None, "date", claims["published_date"].max()),
    ]


#: Words in a claim's note or its source's remark saying that the page showed no date (or no
#: year), or that the date was inferred or read from the page's address: such claims are kept,
#: with the date worked out as the note says.
DATE_NOT_ON_PAGE = re.compile(
    r"\b(?:undated|no date|without a year|(?:month|date|year) (?:is )?inferred|inferred from (?:content|text)"
    r"|(?:date|month)(?: taken)? from (?:the )?(?:url|article id)|url timestamp)\b",
    re.IGNORECASE,
)


def _says_undated(texts: pd.Series) -> pd.Series:
    """Which texts match :data:`DATE_NOT_ON_PAGE` (missing: no), searched once per distinct text."""
    found = per_value(texts.fillna("").astype(str), lambda v: DATE_NOT_ON_PAGE.search(v) is not None)
    return found.astype(bool)


def dating(claims: pd.DataFrame, sources: pd.DataFrame) -> list[dict]:
    """How the publication dates were found: claims dated to the day, only to the month, only to
    the year, and those whose note or source remark says the page showed no date or the date was
    worked out elsewhere (:data:`DATE_NOT_ON_PAGE`), with their ids."""
    remark = None
    if "remark" in sources:
        remark = claims["source_id"].map(sources.set_index("source_id")["remark"])
    said = _says_undated(claims["note"])
    if remark is not None:
        said |= _says_undated(remark)
    precision = claims["published_precision"]
    return [
        *(finding(f"data.dated_{p}", int((precision == p).sum())) for p in ("day", "month", "year")),
        finding("data.date_not_on_page", int(said.sum()), claims=sorted(claims.loc[said, "claim_id"])),
    ]


def _latest_range(prefix: str, latest: pd.DataFrame) -> list[dict]:
    return [
        finding(f"{prefix}.estimators", len(latest), claims=latest["claim_id"]),
        extreme(f"{prefix}.low", latest, "value_low", "min"),
        extreme(f"{prefix}.high", latest, "value_high", "max"),
    ]


def shipments(claims: pd.DataFrame, ratios: pd.DataFrame, band_low: float, band_high: float) -> list[dict]:
    """Containers, rounds, rounds per container and missiles (notebook 2.0)."""
    rows = [finding("param.band_low", band_low, "ratio"), finding("param.band_high", band_high, "ratio")]
    cont = tables.latest_per_estimator(claims, "containers_munitions")
    rows += _latest_range("ship.containers", cont)
    n_c = newest(claims, "containers_munitions")
    if n_c is not None:
        rows.append(claim_finding("ship.containers.newest", n_c))
        ids = [n_c["claim_id"]]
        rows.append(finding("ship.conversion.low", n_c["value_low"] * band_low, claims=ids))
        rows.append(finding("ship.conversion.high", n_c["value_high"] * band_high, claims=ids))
    rows += _latest_range("ship.rounds", tables.latest_per_estimator(claims, "artillery_rounds"))
    cap = tables.shown(claims[(claims["indicator"] == "artillery_rounds") & (claims["basis"] == "capacity")])
    rows.append(finding("ship.rounds.capacity_n", len(cap), claims=cap["claim_id"]))
    if len(cap):
        rows.append(extreme("ship.rounds.capacity_max", cap, "value_high"))
    if len(ratios):
        ids = ratios["container_claim_id"].tolist() + ratios["rounds_claim_id"].tolist()
        rows += [
            finding("ship.ratio.pairs", len(ratios), claims=ids),
            finding("ship.ratio.sources", ratios["source_id"].nunique()),
            finding("ship.ratio.low", ratios["ratio_mid"].min(), "ratio"),
            finding("ship.ratio.high", ratios["ratio_mid"].max(), "ratio"),
            finding("ship.ratio.outside", int((~ratios["in_band"]).sum())),
        ]
    for key, ind in (("shipped", "ballistic_missiles_shipped"), ("launched", "ballistic_missiles_launched")):
        m = newest(claims, ind)
        if m is not None:
            rows.append(claim_finding(f"ship.missiles_{key}.newest", m))
    return rows


def oil(rr: pd.DataFrame) -> list[dict]:
    """Refined oil as annualised rates against the UN cap (notebook 2.1)."""
    rows = [finding("oil.cap", tables.UN_CAP_BARRELS, "barrels")]
    est = rr[rr["indicator"] == "refined_oil_delivered"]
    noti = rr[rr["indicator"] == "refined_oil_notified"]
    if len(est):
        fastest = est.sort_values(["barrels_per_day", "claim_id"], kind="stable").iloc[-1]
        ids = [fastest["claim_id"]]
        rows += [
            finding("oil.estimates", len(est), claims=est["claim_id"]),
            finding("oil.estimators", est["estimator"].nunique()),
            finding("oil.annualised_low", round_sig(est["annualised"].min()), "barrels"),
            finding("oil.annualised_high", round_sig(est["annualised"].max()), "barrels"),
            finding("oil.multiple_low", round(est["cap_multiple"].min(), 1), "multiple"),
            finding("oil.multiple_high", round(est["cap_multiple"].max(), 1), "multiple"),
            finding("oil.fastest.start", None, "date", fastest["period_start"], ids, fastest["estimator"]),
            finding("oil.fastest.end", None, "date", fastest["period_end"], ids, fastest["estimator"]),
            finding(
                "oil.fastest.cap_passed", None, "date", fastest["cap_passed_on"], ids, fastest["estimator"]
            ),
            finding(
                "oil.fastest.days",
                (pd.Timestamp(fastest["cap_passed_on"]) - pd.Timestamp(fastest["period_start"])).days + 1,
                "days",
                claims=ids,
            ),
        ]
        for i, e in enumerate(sorted(set(est["estimator"]))):
            rows.append(
                finding(
                    f"oil.estimator.{i:02d}", estimator=e, claims=est.loc[est["estimator"] == e, "claim_id"]
                )
            )
    if len(noti):
        top = noti.sort_values(["annualised", "claim_id"], kind="stable").iloc[-1]
        rows.append(
            finding("oil.notified_high", round_sig(top["annualised"]), "barrels", claims=[top["claim_id"]])
        )
    return rows


def deployments(claims: pd.DataFrame, share: pd.DataFrame) -> list[dict]:
    """Troops, forecasts, engineers, casualties and their share of the force (notebook 2.2)."""
    rows = _latest_range("dep.troops", tables.latest_per_estimator(claims, "troops_deployed"))
    for key, ind in (("troops", "troops_deployed"), ("reinforcement", "troops_reinforcement")):
        fc = tables.shown(claims[(claims["indicator"] == ind) & (claims["basis"] == "forecast")])
        rows.append(finding(f"dep.forecasts.{key}", len(fc), claims=fc["claim_id"]))
    for key, ind in (
        ("engineers", "engineers_builders"),
        ("casualties", "casualties_total"),
        ("killed", "killed"),
    ):
        c = newest(claims, ind)
        if c is not None:
            rows.append(claim_finding(f"dep.{key}.newest", c))
    sh = share[share["force"].notna()]
    if len(sh):
        top = sh.sort_values(["share_mid", "claim_id"], kind="stable").iloc[-1]
        big = sh.sort_values(["value_mid", "claim_id"], kind="stable").iloc[-1]
        for key, r in (("share.highest", top), ("share.largest_figure", big)):
            rows.append(
                finding(f"dep.{key}", r["share_mid"], "share", r["date"], [r["claim_id"]], r["estimator"])
            )
            rows.append(finding(f"dep.{key}.figure", r["value_mid"], "count", r["date"], [r["claim_id"]]))
            rows.append(finding(f"dep.{key}.force", r["force"], "count", r["date"], [r["claim_id"]]))
    return rows


#: Evidence older than this (days at the cut-off) is "old evidence".
OLD_EVIDENCE_DAYS = 180
#: Fewer distinct estimators than this is "few sources".
FEW_ESTIMATORS = 5
#: A part whose estimate moves by more than this factor when its doubtful figures count fully
#: (or not at all) is "contested".
CONTESTED_FACTOR = 1.5


def certainty(n_estimators: int, age_days: float | None, sensitivity: pd.Series | None = None) -> str:
    """A plain word on how sure an estimate is: ``contested`` (doubtful figures decide it),
    ``old_evidence`` (newest figure older than :data:`OLD_EVIDENCE_DAYS`), ``few_sources``
    (fewer than :data:`FEW_ESTIMATORS` estimators) or ``well_attested``."""
    if sensitivity is not None:
        weighed = float(sensitivity["weighed"])
        ratios = [float(sensitivity[c]) / weighed for c in ("full_weight", "doubtful_left_out")]
        if any(r > CONTESTED_FACTOR or r < 1 / CONTESTED_FACTOR for r in ratios):
            return "contested"
    if age_days is not None and age_days > OLD_EVIDENCE_DAYS:
        return "old_evidence"
    if n_estimators < FEW_ESTIMATORS:
        return "few_sources"
    return "well_attested"


def consensus(
    table: pd.DataFrame,
    contradictions: pd.DataFrame,
    claims: pd.DataFrame,
    pool_band: float,
    outlier_level: float,
    recent_days: int,
    sensitivity: pd.DataFrame | None = None,
) -> list[dict]:
    """Key findings per headline indicator, contradiction counts per rule and the parameters the
    text names (notebook 2.3). Key findings are ``key.<indicator>.<what>``: ``pooled`` (the pooled
    estimate at the cut-off with its band), ``estimators``, ``recent`` (the spread of the figures
    published in the last ``recent_days``), ``newest``, and ``evidence`` / ``evidence_age`` (the pooled
    estimate at the date of its newest figure, and that figure's age at the cut-off); the report
    shows one row per indicator.
    """
    rows = [
        finding("param.relay_days", tables.RELAY_WINDOW_DAYS, "days"),
        finding("param.pool_band", pool_band, "share"),
        finding("param.outlier_level", outlier_level, "share"),
        finding("param.recent_days", recent_days, "days"),
        finding("param.recent_months", round(recent_days / 30.44), "count"),
    ]
    by_id = claims.set_index("claim_id", drop=False)
    sens = {} if sensitivity is None else {r["indicator"]: r for _, r in sensitivity.iterrows()}
    for r in table[table["newest_claim_id"].fillna("") != ""].itertuples():
        k = f"key.{r.indicator}"
        inputs = list(pool_inputs(claims, r.indicator)["claim_id"])
        recent = [c for c in str(r.recent_claim_ids if pd.notna(r.recent_claim_ids) else "").split(";") if c]
        pooled_here = pd.notna(r.estimate) and str(r.estimate) != ""
        rows += [
            finding(
                f"{k}.pooled",
                round_sig(float(r.estimate)) if pooled_here else None,
                date=r.cut,
                claims=inputs,
                low=round_sig(float(r.low)) if pooled_here else None,
                high=round_sig(float(r.high)) if pooled_here else None,
            ),
            finding(
                f"{k}.evidence",
                round_sig(float(r.evidence_estimate)) if pooled_here else None,
                date=r.evidence_date if pooled_here else None,
                claims=inputs,
                low=round_sig(float(r.evidence_low)) if pooled_here else None,
                high=round_sig(float(r.evidence_high)) if pooled_here else None,
            ),
            finding(f"{k}.evidence_age", int(r.evidence_age_days) if pooled_here else None, "days"),
            finding(
                f"{k}.certainty",
                int(r.n_estimators),
                "estimators",
                qualifier=certainty(
                    int(r.n_estimators),
                    float(r.evidence_age_days) if pooled_here else None,
                    sens.get(r.indicator),
                ),
            ),
            finding(f"{k}.estimators", r.n_estimators, claims=inputs),
            finding(f"{k}.estimates", r.n_estimates, claims=inputs),
            finding(f"{k}.recent", r.recent_n, claims=recent, low=r.recent_low, high=r.recent_high),
            finding(f"{k}.recent_estimators", r.recent_estimators, claims=recent),
            claim_finding(f"{k}.newest", by_id.loc[r.newest_claim_id], date=r.newest_published),
        ]
    for kind in CONTRADICTION_TYPES:
        group = contradictions[contradictions["type"] == kind]
        ids = [c for cell in group["claim_ids"] for c in cell.split(";")]
        rows.append(finding(f"contra.{kind}", len(group), claims=ids))
    return rows


#: Goals of the held-out backtest: the pooled estimate's median error at most half the naive
#: baseline's, with the bootstrap 95% upper bound of that ratio at most 0.8, and 70-90% of the
#: point figures inside the 80% band.
BACKTEST_TARGET_RATIO = 0.5
BACKTEST_TARGET_RATIO_UPPER = 0.8
BACKTEST_TARGET_COVERAGE = (0.7, 0.9)


def backtest(
    summary: pd.DataFrame,
    cuts: list[pd.Timestamp],
    scored: list[pd.Timestamp],
    horizon_days: int,
    smoothness: float,
    default_smoothness: float,
) -> list[dict]:
    """The backtest numbers the methodology quotes (notebook 5.0): the held-out headline and the
    every-cut-off number kept for continuity."""
    overall = summary[summary["indicator"] == "all"].set_index("set")
    held, every = overall.loc["held_out"], overall.loc["all_cuts"]
    lo, hi = BACKTEST_TARGET_COVERAGE
    ratio, upper = float(held["ratio_consensus_to_naive"]), float(held["ratio_high"])
    coverage = float(held["band_coverage"])
    n_ind = int(((summary["set"] == "held_out") & (summary["indicator"] != "all")).sum())
    return [
        finding("backtest.cuts", len(cuts)),
        finding("backtest.first_cut", date=min(cuts), unit="date"),
        finding("backtest.last_cut", date=max(cuts), unit="date"),
        finding("backtest.scored_cuts", len(scored)),
        finding("backtest.first_scored", date=min(scored), unit="date"),
        finding("backtest.horizon_days", horizon_days, "days"),
        finding("backtest.smoothness", smoothness, "ratio"),
        finding("param.pool_smoothness", default_smoothness, "ratio"),
        finding("backtest.figures", int(held["n"])),
        finding("backtest.points", int(held["n_points"])),
        finding("backtest.indicators", n_ind),
        *[
            finding(f"backtest.mdale.{m}", round(float(held[f"mdale_{m}"]), 2), "ratio")
            for m in ("consensus", "adjusted", "naive", "latest_median")
        ],
        finding("backtest.ratio", round(ratio, 2), "ratio"),
        finding("backtest.interval", INTERVAL, "share"),
        finding("backtest.ratio_low", round(float(held["ratio_low"]), 2), "ratio"),
        finding("backtest.ratio_high", round(upper, 2), "ratio"),
        finding("backtest.coverage", round(coverage, 2), "share"),
        finding("backtest.all_cuts_figures", int(every["n"])),
        finding("backtest.all_cuts_ratio", round(float(every["ratio_consensus_to_naive"]), 2), "ratio"),
        finding("backtest.all_cuts_coverage", round(float(every["band_coverage"]), 2), "share"),
        finding("backtest.target_ratio", BACKTEST_TARGET_RATIO, "ratio"),
        finding("backtest.target_ratio_upper", BACKTEST_TARGET_RATIO_UPPER, "ratio"),
        finding("backtest.target_coverage_low", lo, "share"),
        finding("backtest.target_coverage_high", hi, "share"),
        finding(
            "backtest.meets_ratio",
            float(ratio <= BACKTEST_TARGET_RATIO and upper <= BACKTEST_TARGET_RATIO_UPPER),
            "flag",
        ),
        finding("backtest.meets_coverage", float(lo <= coverage <= hi), "flag"),
    ]
