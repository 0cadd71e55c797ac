"""Rounds-per-container sweep: one point per assumption, and the points combined.

The figure is drawn by :func:`dprk_russia.report.diagnostics.sweep_summary`; ``make sweep`` runs
:mod:`dprk_russia.build.sweep`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from dprk_russia.analysis import tables


def sweep_point(claims: pd.DataFrame, rounds_per_container: float) -> pd.DataFrame:
    """Latest container count per estimator converted at ``rounds_per_container``."""
    latest = tables.latest_per_estimator(claims, "containers_munitions")
    rounds = tables.latest_per_estimator(claims, "artillery_rounds")
    return pd.DataFrame(
        {
            "rounds_per_container": float(rounds_per_container),
            "estimator": latest["estimator"],
            "claim_id": latest["claim_id"],
            "date": latest["date"],
            "containers": latest["value_mid"],
            "implied_rounds": latest["value_mid"] * rounds_per_container,
            "assessed_rounds_low": float(rounds["value_low"].min()) if len(rounds) else float("nan"),
            "assessed_rounds_high": float(rounds["value_high"].max()) if len(rounds) else float("nan"),
        }
    )


def combine(points: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """The sweep points in one table, ordered by assumption and estimator."""
    return pd.concat(list(points), ignore_index=True).sort_values(
        ["rounds_per_container", "estimator"], kind="stable"
    )
