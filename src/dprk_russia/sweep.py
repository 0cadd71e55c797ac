"""Rounds-per-container sweep: one point per assumption, then a summary figure.

``python -m dprk_russia.sweep SWEEP_DIR OUT_DIR VALUE...`` reads ``SWEEP_DIR/rpc-VALUE.csv``
for each value and writes ``OUT_DIR/summary.csv`` and ``OUT_DIR/summary.{svg,png}``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from . import analysis
from .figures import add_source, estimator_colours, save_figure, use_style
from .io import read_csv, write_csv


def sweep_point(claims: pd.DataFrame, rounds_per_container: float) -> pd.DataFrame:
    """Latest container count per estimator converted at ``rounds_per_container``."""
    latest = analysis.latest_per_estimator(claims, "containers_munitions")
    rounds = analysis.latest_per_estimator(claims, "artillery_rounds")
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


def summarise(sweep_dir: Path, out_dir: Path, values: list[str]) -> pd.DataFrame:
    """Combine the sweep points and draw implied rounds against the assumption."""
    frames = [read_csv(sweep_dir / f"rpc-{v}.csv", text=False) for v in values]
    table = pd.concat(frames, ignore_index=True).sort_values(
        ["rounds_per_container", "estimator"], kind="stable"
    )
    write_csv(table, out_dir / "summary.csv")
    use_style()
    fig, ax = plt.subplots()
    newest = table.sort_values(["date", "claim_id"], kind="stable")["estimator"].iloc[-1]
    colours = estimator_colours(table.drop_duplicates("estimator"))
    for est, g in table.groupby("estimator", sort=True):
        style = {"linewidth": 2.5} if est == newest else {"linewidth": 1, "alpha": 0.7}
        ax.plot(
            g["rounds_per_container"],
            g["implied_rounds"] / 1e6,
            marker="o",
            color=colours[est],
            label=est,
            **style,
        )
    lo, hi = table["assessed_rounds_low"].iloc[0], table["assessed_rounds_high"].iloc[0]
    ax.axhspan(lo / 1e6, hi / 1e6, color="#999999", alpha=0.2, label="range of assessed round counts")
    ax.set_title("Containers converted to rounds, by assumed rounds per container")
    ax.set_xlabel("assumed rounds per container")
    ax.set_ylabel("rounds (10⁶, capacity conversion)")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    claims_like = pd.DataFrame({"estimator": table["estimator"].unique()})
    add_source(fig, claims_like, "en")
    save_figure(fig, "summary", out_dir)
    return table


def main(argv: list[str] | None = None) -> int:
    """Command-line entry for ``make sweep``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    table = summarise(Path(args[0]), Path(args[1]), args[2:])
    print(f"sweep: {table['rounds_per_container'].nunique()} assumptions -> {args[1]}/summary.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
