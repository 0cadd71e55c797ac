"""The pooled curve of one indicator, fitted again for another cut-off, other estimator types or
without the warring parties' figures: what notebook 6.0 (the explorer) shows.

The same functions as the pipeline (notebook 1.1) on the processed claims, filtered by the rule
cleaning applies for ``AS_OF`` and ``ESTIMATOR_TYPES`` (published on or before the date, of the
types kept), so that an unchanged configuration gives exactly the curve in
``data/processed/consensus_over_time.csv``. Nothing here reads or writes files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dprk_russia.analysis import curves, joint, pooled
from dprk_russia.data.clean import parse_estimator_types
from dprk_russia.data.vocab import check_as_of

#: Columns of :attr:`Exploration.inputs`.
INPUT_COLUMNS = [
    "claim_id",
    "estimator",
    "date",
    "qualifier",
    "value_low",
    "value_high",
    "curve",
    "figure_to_curve",
    "weight",
]


@dataclass
class Exploration:
    """One configuration of the explorer and its fit."""

    indicator: str
    cut: pd.Timestamp  #: the cut-off: the as-of date, or the newest publication kept
    as_of: str  #: '' for every claim
    types: list[str]  #: estimator types counted
    include_warring: bool
    claims: pd.DataFrame  #: the processed claims kept by the cut-off and the types
    warring: list[str]  #: estimators of a warring party
    fit: pooled.Fit | None  #: None where the indicator has no pooled curve in this configuration
    curve: pd.DataFrame  #: weekly estimate and band (:func:`curves.curve_table`); empty without a fit
    reason: str = ""  #: why there is no pooled curve
    family: list[str] = field(default_factory=list)  #: the indicators fitted together with it

    @property
    def fitted_claims(self) -> pd.DataFrame:
        """The claims of the indicator that may enter the fit (the warring parties' left out when
        they do not count): what the chart draws."""
        sub = self.claims[self.claims["indicator"] == self.indicator]
        return sub if self.include_warring else sub[~sub["estimator"].isin(self.warring)]

    @property
    def effects(self) -> pd.DataFrame:
        """Each estimator's effect (a factor on the curve, 1 = in line), furthest from 1 first."""
        if self.fit is None:
            return pd.DataFrame(columns=["indicator", "estimator", "effect", "n"])
        table = curves.effects_table({self.indicator: self.fit})
        order = np.argsort(-np.abs(np.log(table["effect"].astype(float).to_numpy())), kind="stable")
        return table.iloc[order].reset_index(drop=True)

    @property
    def inputs(self) -> pd.DataFrame:
        """The figures the curve rests on, furthest from it first: the curve at each figure's date,
        the figure's midpoint as a multiple of it, and its weight (below 1 for a part's figure
        weighed down as a probable total)."""
        if self.fit is None:
            return pd.DataFrame(columns=INPUT_COLUMNS)
        inp = self.fit.inputs
        at = self.fit.predict(pd.DatetimeIndex(inp["date"]))["estimate"].to_numpy()
        mid = (inp["value_low"].astype(float) + inp["value_high"].astype(float)).to_numpy() / 2
        weight = inp["weight"].to_numpy(dtype=float) if "weight" in inp else np.ones(len(inp))
        table = inp.assign(curve=at, figure_to_curve=mid / at, weight=weight)[INPUT_COLUMNS]
        order = np.argsort(-np.abs(np.log(table["figure_to_curve"].to_numpy(dtype=float))), kind="stable")
        return table.iloc[order].reset_index(drop=True)

    @property
    def doubtful(self) -> set[str]:
        """Figures weighed below one half (drawn hollow), as the pipeline marks them."""
        return {c for c, w in (self.fit.weights if self.fit else {}).items() if w < 0.5}


def keep(claims: pd.DataFrame, as_of: str = "", types: str | Iterable[str] = "all") -> pd.DataFrame:
    """The processed claims published on or before ``as_of`` ('' for all) by estimators of
    ``types`` ('all', 'intelligence,government' or a list): cleaning's rule for ``AS_OF`` and
    ``ESTIMATOR_TYPES``."""
    kept = claims["estimator_type"].isin(parse_estimator_types(types))
    if as_of:
        if problem := check_as_of(as_of):
            raise ValueError(problem)
        kept &= claims["published_date"] <= pd.Timestamp(as_of)
    return claims[kept]


def family(indicator: str) -> list[str]:
    """The indicators fitted together with ``indicator``: a part with its whole and the whole's
    other parts (killed, wounded and all casualties are fitted jointly), else itself."""
    whole = joint.PART_OF.get(indicator, indicator)
    parts = [p for p in sorted(joint.PART_OF) if joint.PART_OF[p] == whole]
    return [whole, *parts] if parts else [indicator]


def explore(
    claims: pd.DataFrame,
    indicators: pd.DataFrame,
    registry: pd.DataFrame | None,
    indicator: str,
    as_of: str = "",
    types: str | Iterable[str] = "all",
    include_warring: bool = True,
    settings: pooled.PoolSettings | None = None,
) -> Exploration:
    """Fit the pooled curve of ``indicator`` on the claims kept by ``as_of`` and ``types``, with
    or without the warring parties' figures, exactly as notebook 1.1 fits it: the indicators with
    enough estimators (:func:`pooled.pooled_indicators`) of its :func:`family` together
    (:func:`joint.fit_all`), up to the cut-off; its weekly table by :func:`curves.curve_table`."""
    if indicator not in set(indicators["indicator"]):
        raise ValueError(f"unknown indicator {indicator!r}")
    s = settings or pooled.PoolSettings()
    s = pooled.PoolSettings(**{**s.__dict__, "include_warring": include_warring})
    kept = keep(claims, as_of, types)
    chosen = parse_estimator_types(types)
    warring = pooled.warring_estimators(kept, registry)
    if kept.empty:
        cut = pd.Timestamp(as_of) if as_of else pd.NaT
        reason = "no claim is kept by this cut-off and these types"
        empty = pd.DataFrame()
        return Exploration(indicator, cut, as_of, chosen, include_warring, kept, warring, None, empty, reason)
    cut = pd.Timestamp(as_of) if as_of else kept["published_date"].max()
    members = family(indicator)
    candidates = indicators[indicators["indicator"].isin(members)]
    ok = pooled.pooled_indicators(kept, candidates, 3, warring, include_warring)
    ex = Exploration(indicator, cut, as_of, chosen, include_warring, kept, warring, None, pd.DataFrame())
    if indicator not in ok:
        inputs = pooled.pool_inputs(kept, indicator, warring, include_warring)
        kind = indicators.set_index("indicator").at[indicator, "kind"]
        if kind != "cumulative":
            ex.reason = "not a running total: the pipeline pools running totals only"
        elif indicator in pooled.NOT_POOLED:
            ex.reason = pooled.NOT_POOLED[indicator]
        else:
            ex.reason = (
                f"{inputs['estimator'].nunique()} estimator(s) with counted figures: a pooled curve "
                "needs at least 3, with at least one figure that is not only a bound"
            )
        return ex
    ex.family = [m for m in members if m in ok]
    fits = joint.fit_all(kept, ex.family, cut, s, warring)
    ex.fit = fits[indicator]
    ex.curve = curves.curve_table(ex.fit, cut)
    return ex
