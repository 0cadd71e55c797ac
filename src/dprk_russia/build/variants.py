"""Where a notebook run reads and writes: the committed folders, or a variant's folder.

Light on purpose (standard library and the parameter rules only): the cleaning and pooling
notebooks use it too, so it must not pull in the charts or the analysis.
"""

from __future__ import annotations

import shutil

from dprk_russia import PROJECT_ROOT
from dprk_russia.build.params import changed, variant_name

DEFAULT_PROCESSED = "data/processed"
DEFAULT_REPORTS = "reports"
#: Outputs of the earlier steps and the parameters that change them (1.0 cleaning; 1.1 pooling).
UPSTREAM = {
    ("claims.csv", "sources.csv", "events.csv", "estimators.csv", "freshness.json"): {"AS_OF", "ESTIMATOR_TYPES"},
    ("consensus_over_time.csv", "estimator_effects.csv", "consensus.csv", "pooled_sensitivity.csv"): {
        "AS_OF", "ESTIMATOR_TYPES", "POOL_SMOOTHNESS", "POOL_BAND", "POOL_WARRING"
    },
}


def variant_dirs(processed_dir: str, reports_dir: str, **params: object) -> tuple[str, str]:
    """Where a notebook run with ``params`` reads and writes: the same rule as ``make``.

    ``make`` passes a variant's folders itself. A run in JupyterLab keeps the default folders in
    its parameters cell; when one of its other parameters differs from the default (say
    ``ROUNDS_PER_CONTAINER_LOW = 100``), its outputs go to ``reports/variants/<name>/`` as
    ``make report ROUNDS_PER_CONTAINER_LOW=100`` would write them, never over the committed
    outputs. It reads its inputs there too, so the earlier steps must have run for that variant.
    """
    name = variant_name(params)
    if not name or (processed_dir, reports_dir) != (DEFAULT_PROCESSED, DEFAULT_REPORTS):
        return processed_dir, reports_dir
    variant = f"{DEFAULT_REPORTS}/variants/{name}"
    print(f"parameters differ from the defaults: this run reads and writes {variant}/ (as make would)")
    # the earlier steps' outputs that these parameters do not change are the default ones:
    # make recomputes them into the variant folder; a Lab run copies those that are missing
    keys = set(changed(params))
    target = PROJECT_ROOT / variant / "processed"
    for step, upstream in UPSTREAM.items():
        if keys & upstream:
            continue
        for file in step:
            if not (target / file).exists() and (PROJECT_ROOT / DEFAULT_PROCESSED / file).exists():
                target.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(PROJECT_ROOT / DEFAULT_PROCESSED / file, target / file)
    return f"{variant}/processed", variant


def require_inputs(processed_dir: str, *names: str) -> None:
    """Stop with one clear line when an earlier step has not written ``names`` for this variant."""
    missing = [n for n in names if not (PROJECT_ROOT / processed_dir / n).exists()]
    if missing:
        raise FileNotFoundError(
            f"{processed_dir}/ has no {', '.join(missing)}: run the earlier notebooks with the same "
            "parameters first (1.0, then 1.1), or build the variant with make report and the same parameters"
        )
