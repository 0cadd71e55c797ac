"""The explorer's display (notebook 6.0): one configuration shown as a chart and tables, and the
ipywidgets form that changes it in a live kernel.

The fit is :func:`dprk_russia.analysis.explorer.explore` (the pipeline's own functions); this
module only loads the processed data, draws and displays. It writes no file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dprk_russia import PROJECT_ROOT
from dprk_russia.analysis import pooled
from dprk_russia.analysis.explorer import Exploration, explore
from dprk_russia.build.context import show_figure, show_table
from dprk_russia.build.variants import require_inputs
from dprk_russia.data.clean import load_processed
from dprk_russia.data.io import read_csv
from dprk_russia.data.schema import read_raw_csv
from dprk_russia.data.vocab import ESTIMATOR_TYPES
from dprk_russia.report import diagnostics
from dprk_russia.report.i18n import label, num


@dataclass
class Data:
    """What the explorer reads: the processed claims, the indicators, the estimator registry and
    the report's curves (for comparison)."""

    claims: pd.DataFrame
    indicators: pd.DataFrame
    registry: pd.DataFrame | None
    report_curves: pd.DataFrame

    def choices(self) -> list[str]:
        """The indicators with a pooled curve in the report (the explorer's list)."""
        warring = pooled.warring_estimators(self.claims, self.registry)
        return pooled.pooled_indicators(self.claims, self.indicators, 3, warring, True)


def load(raw_dir: str = "data/raw", processed_dir: str = "data/processed") -> Data:
    """Read the processed claims and the registries (paths relative to the project root)."""
    require_inputs(processed_dir, "claims.csv")
    raw, processed = PROJECT_ROOT / raw_dir, PROJECT_ROOT / processed_dir
    registry_path = raw / "estimators.csv"
    curves_path = processed / "consensus_over_time.csv"
    return Data(
        claims=load_processed(processed / "claims.csv"),
        indicators=read_raw_csv(raw / "indicators.csv"),
        registry=read_raw_csv(registry_path) if registry_path.exists() else None,
        report_curves=read_csv(curves_path, text=False) if curves_path.exists() else pd.DataFrame(),
    )


def run(data: Data, indicator: str, as_of: str = "", types: str = "all", warring: str = "in") -> Exploration:
    """Fit one configuration (``warring``: 'in' or 'out', as ``POOL_WARRING``)."""
    if warring not in ("in", "out"):
        raise ValueError(f"warring must be 'in' or 'out', not {warring!r}")
    return explore(data.claims, data.indicators, data.registry, indicator, as_of, types, warring == "in")


def summary(ex: Exploration, data: Data) -> str:
    """One line: what was fitted and what it says at the cut-off."""
    what = label(data.indicators, ex.indicator, "en")
    cut = "every claim" if not ex.as_of else f"claims published up to {ex.as_of}"
    types = "all estimator types" if len(ex.types) == len(ESTIMATOR_TYPES) else ", ".join(ex.types)
    side = "warring parties' figures in" if ex.include_warring else "warring parties' figures out"
    head = f"{what}: {cut}; {types}; {side}."
    if ex.fit is None:
        return f"{head} No pooled curve: {ex.reason}."
    last = ex.curve.iloc[-1]
    n, k = len(ex.fit.inputs), ex.fit.inputs["estimator"].nunique()
    line = (
        f"{head} Pooled estimate on {ex.cut:%Y-%m-%d}: {num(last['estimate'], 'en')} "
        f"(80% band {num(last['low'], 'en')}–{num(last['high'], 'en')}), from {n} figures by {k} estimators"
    )
    ref = data.report_curves
    if len(ref):  # the report's weekly curve, at the last week up to the cut-off
        ref = ref[(ref["indicator"] == ex.indicator) & (pd.to_datetime(ref["date"]) <= ex.cut)]
        if len(ref):
            when = pd.Timestamp(ref["date"].iloc[-1])
            line += f"; the report's curve on {when:%Y-%m-%d}: {num(ref['estimate'].iloc[-1], 'en')}"
    return line + "."


def show(ex: Exploration, data: Data) -> None:
    """Display one configuration: a summary line, the curve with its figures and band (the
    report's curve dashed), and the figures that moved it: the estimators' effects and each
    figure against the curve with its weight."""
    from IPython.display import Markdown, display

    display(Markdown(summary(ex, data)))
    reference = None
    if len(data.report_curves):  # the report's curve up to the same cut-off
        reference = data.report_curves[pd.to_datetime(data.report_curves["date"]) <= ex.cut]
    show_figure(
        lambda: diagnostics.pooled_curves(
            ex.fitted_claims, data.indicators, ex.curve, "en", ex.doubtful,
            reference=reference, ids=[ex.indicator],
        )
    )
    if ex.fit is None:
        return
    display(Markdown("**Estimator effects** (a factor on the curve; 1 = in line; furthest from 1 first)"))
    show_table(ex.effects[["estimator", "effect", "n"]], max_rows=15)
    display(
        Markdown(
            "**The figures against the curve** (furthest first; `weight` below 1: weighed down as a "
            "probable total, hollow in the chart)"
        )
    )
    show_table(ex.inputs, max_rows=20)


def ui(data: Data, indicator: str, as_of: str = "", types: str = "all", warring: str = "in"):
    """An ipywidgets form: indicator, as-of date, estimator types counted, warring parties in or
    out, and a button that fits and shows the configuration below it (:func:`show`). Starts with
    the configuration given. Needs a live kernel: an executed notebook keeps no widget."""
    import ipywidgets as w

    names = {i: label(data.indicators, i, "en") for i in data.choices()}
    wide = {"style": {"description_width": "initial"}}
    pick = w.Dropdown(
        options=[(v, k) for k, v in names.items()], value=indicator, description="indicator",
        layout=w.Layout(width="34em"), **wide,
    )
    when = w.DatePicker(value=date.fromisoformat(as_of) if as_of else None, description="as of", **wide)
    chosen = set(ESTIMATOR_TYPES if types in ("", "all") else types.split(","))
    boxes = {
        t: w.Checkbox(value=t in chosen, description=t, indent=False, layout=w.Layout(width="auto"))
        for t in ESTIMATOR_TYPES
    }
    side = w.ToggleButtons(
        options=[("warring parties in", "in"), ("out", "out")], value=warring, description="figures of",
        **wide,
    )
    go = w.Button(description="Fit", button_style="primary")
    out = w.Output()

    def fit(_button: object = None) -> None:
        kept = [t for t, box in boxes.items() if box.value]
        go.disabled, go.description = True, "Fitting…"
        out.clear_output(wait=True)
        with out:
            if not kept:
                print("Tick at least one estimator type.")
            else:
                day = when.value.isoformat() if when.value else ""
                show(run(data, pick.value, day, ",".join(kept), side.value), data)
        go.disabled, go.description = False, "Fit"

    go.on_click(fit)
    form = w.VBox(
        [
            w.HBox([pick, when]),
            w.HBox([w.Label("estimator types counted:"), *boxes.values()], layout=w.Layout(grid_gap="1em")),
            w.HBox([side, go]),
            out,
        ]
    )
    fit()
    return form
