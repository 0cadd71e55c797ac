"""What Russia sent back: transfers from Russia to North Korea, by kind of item (notebook 2.1).

Oil is analysed as a rate against the UN cap (:func:`dprk_russia.analysis.tables.oil_run_rate`);
everything else Russia is reported to have sent is listed here, one row per distinct estimate
(:func:`transfers`), and summed up per kind of item, that is per indicator (:func:`summary`): how
many estimates and estimators, how many give a number, and the newest counted figure. The key
findings show the kinds of :data:`KEY_KINDS` next to the oil figures (:func:`oil_findings`).
"""

from __future__ import annotations

import pandas as pd

from dprk_russia.analysis import tables
from dprk_russia.analysis.findings import claim_finding, finding
from dprk_russia.analysis.precision import round_sig
from dprk_russia.data.clean import REPORT_TABLES

#: The kinds of item (indicators) in the order the report lists them: weapons and technology,
#: money, goods, then trade and travel. An indicator not named here follows, by name.
KINDS = (
    "air_defence_systems",
    "fighter_aircraft",
    "submarine_modules",
    "funds_released_usd",
    "dprk_earnings_usd",
    "dprk_earnings_krw",
    "dprk_troop_revenue_usd_annual",
    "dprk_troop_revenue_krw_annual",
    "food_tonnes",
    "aid_containers",
    "railcars_energy",
    "trade_turnover",
    "russian_trips_dprk",
    "russian_tourists",
)
#: The kinds the key findings show beside the oil figures: air defence, aircraft, technology,
#: money, food and goods.
KEY_KINDS = (
    "air_defence_systems",
    "fighter_aircraft",
    "submarine_modules",
    "funds_released_usd",
    "dprk_earnings_usd",
    "food_tonnes",
    "aid_containers",
)
#: How the figure of a kind was chosen: the newest counted one, or (no counted figure) the newest
#: statement, with or without a number.
RULES = ("newest", "none")


def is_transfer(claims: pd.DataFrame) -> pd.Series:
    """Which claims are transfers from Russia to North Korea other than oil."""
    oil = claims["indicator"].str.startswith(("refined_oil", "oil_"))
    return (claims["direction"] == "russia_to_dprk") & ~oil


def kind_order(indicators: pd.Series) -> pd.Series:
    """Position of each indicator in :data:`KINDS` (unknown ones after, in name order)."""
    known = {k: i for i, k in enumerate(KINDS)}
    extra = {k: len(KINDS) + i for i, k in enumerate(sorted(set(indicators) - set(known)))}
    return indicators.map(known | extra)


def transfers(claims: pd.DataFrame) -> pd.DataFrame:
    """Distinct estimates of transfers from Russia to North Korea other than oil, grouped by kind
    (in :data:`KINDS` order), each kind by date."""
    out = tables.distinct_estimates(claims[is_transfer(claims)])
    out = out.assign(_kind=kind_order(out["indicator"]))
    out = out.sort_values(["_kind", "date", "claim_id"], kind="stable")
    return out[list(REPORT_TABLES["transfers"][1])].reset_index(drop=True)


def summary(transfers_table: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """One row per kind of item: its distinct estimates, estimators and estimates with a number,
    and its figure: the newest counted one (assessed or official, for the whole of what the kind
    measures, not a repeat; by the date it refers to, ties: the larger, the later published), or,
    where there is none, the newest statement (rule ``none``). ``key`` marks the kinds of
    :data:`KEY_KINDS`."""
    columns = list(REPORT_TABLES["sent_back"][1])
    if transfers_table.empty:
        return pd.DataFrame(columns=columns)
    by_id = claims.set_index("claim_id")
    rows = []
    for indicator, group in transfers_table.groupby("indicator", sort=False):
        facts = by_id.loc[group["claim_id"]]
        facts = facts.assign(relay_ids=list(group["relay_ids"]))
        ok = (
            facts["has_value"]
            & (facts["scope"] == "total")
            & facts["basis"].isin(tables.COUNTED)
            & (facts["repeat_of"].fillna("") == "")
        )
        pool, rule = (facts[ok], "newest") if ok.any() else (facts, "none")
        pick = pool.assign(_high=pool["value_high"].fillna(-1.0)).sort_values(
            ["date", "_high", "published_date"], kind="stable"
        )
        top = pick.iloc[-1]
        rows.append(
            {
                "indicator": indicator,
                "estimates": len(group),
                "estimators": group["estimator"].nunique(),
                "with_figure": int(group["has_value"].sum()),
                "rule": rule,
                "claim_id": top.name,
                "has_value": bool(top["has_value"]),
                "value_low": top["value_low"],
                "value_high": top["value_high"],
                "qualifier": top["qualifier"],
                "basis": top["basis"],
                "estimator": top["estimator"],
                "period_start": top["period_start"],
                "period_end": top["period_end"],
                "date": top["date"],
                "relay_ids": top["relay_ids"],
                "key": indicator in KEY_KINDS,
            }
        )
    out = pd.DataFrame(rows)
    out = out.assign(_kind=kind_order(out["indicator"])).sort_values("_kind", kind="stable")
    return out[columns].reset_index(drop=True)


def oil_findings(rr: pd.DataFrame, claims: pd.DataFrame) -> list[dict]:
    """The oil figures of the key findings' Russian side (notebook 2.1): the newest period estimate
    of refined oil delivered (by the end of its period; ties: the later start, the id) as its claim
    gives it, with its annual rate and multiple of the cap, and the span of all period estimates."""
    est = rr[rr["indicator"] == "refined_oil_delivered"]
    if est.empty:
        return []
    top = est.sort_values(["period_end", "period_start", "claim_id"], kind="stable").iloc[-1]
    claim = claims.set_index("claim_id", drop=False).loc[top["claim_id"]]
    ids = [top["claim_id"]]
    return [
        claim_finding("oil.newest", claim, date=top["period_end"]),
        finding("oil.newest.annualised", round_sig(top["annualised"]), "barrels", claims=ids),
        finding("oil.newest.multiple", round(float(top["cap_multiple"]), 1), "multiple", claims=ids),
        finding("oil.period_first", None, "date", est["period_start"].min()),
        finding("oil.period_last", None, "date", est["period_end"].max()),
    ]


def counts(summary_table: pd.DataFrame) -> list[dict]:
    """How many kinds, distinct estimates and estimates with a number the section sums up."""
    return [
        finding("back.kinds", len(summary_table)),
        finding("back.estimates", int(summary_table["estimates"].sum()) if len(summary_table) else 0),
        finding("back.with_figure", int(summary_table["with_figure"].sum()) if len(summary_table) else 0),
    ]
