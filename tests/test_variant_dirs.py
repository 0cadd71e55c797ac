"""Interactive runs follow make's rule: non-default parameters write to the variant's folder."""

from __future__ import annotations

import os
import subprocess

import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.build import variants as context
from dprk_russia.build.params import variant_name


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"AS_OF": "2024-06-30"},
        {"ROUNDS_PER_CONTAINER_LOW": "100"},
        {"POOL_SMOOTHNESS": "5", "ESTIMATOR_TYPES": "intelligence,multilateral"},
        {"AS_OF": "2025-01-01", "POOL_BAND": "0.9", "POOL_WARRING": "out", "ROUNDS_PER_CONTAINER_HIGH": "600"},
    ],
    ids=lambda a: "+".join(a) or "defaults",
)
def test_variant_name_is_the_makefiles(args: dict[str, str]):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    res = subprocess.run(
        ["make", "-s", "variant-name", *(f"{k}={v}" for k, v in args.items())],
        cwd=PROJECT_ROOT, capture_output=True, text=True, env=env, check=True,
    )
    assert res.stdout.strip() == variant_name(args)


def test_notebook_values_name_the_same_variant_as_make():
    """Notebook parameters are typed (3.0, 300): the name is still make's ('smooth-5', not '5.0')."""
    assert variant_name({"POOL_SMOOTHNESS": 3.0, "ROUNDS_PER_CONTAINER_LOW": 300, "AS_OF": ""}) == ""
    assert variant_name({"POOL_SMOOTHNESS": 5.0}) == "smooth-5"


def test_lab_run_with_a_changed_parameter_goes_to_the_variant(tmp_path, monkeypatch):
    default = tmp_path / "data/processed"
    default.mkdir(parents=True)
    for name in ("claims.csv", "events.csv", "consensus_over_time.csv"):
        (default / name).write_text("x\n", encoding="utf-8")
    monkeypatch.setattr(context, "PROJECT_ROOT", tmp_path)
    # defaults: the committed folders
    assert context.variant_dirs("data/processed", "reports", ROUNDS_PER_CONTAINER_LOW=300) == (
        "data/processed",
        "reports",
    )
    # make passes a variant's folders itself: kept
    kept = ("reports/variants/x/processed", "reports/variants/x")
    assert context.variant_dirs(*kept, ROUNDS_PER_CONTAINER_LOW=100) == kept
    # a Lab run with a changed band: the variant folder, with the unchanged earlier outputs copied
    out = context.variant_dirs("data/processed", "reports", ROUNDS_PER_CONTAINER_LOW=100)
    assert out == ("reports/variants/rpclow-100/processed", "reports/variants/rpclow-100")
    assert (tmp_path / out[0] / "claims.csv").exists() and (tmp_path / out[0] / "consensus_over_time.csv").exists()
    # a changed cut-off changes cleaning: nothing is copied, and a later step says what to run
    out = context.variant_dirs("data/processed", "reports", AS_OF="2025-01-01")
    assert out[0] == "reports/variants/asof-2025-01-01/processed"
    assert not (tmp_path / out[0] / "claims.csv").exists()
    with pytest.raises(FileNotFoundError, match="run the earlier notebooks with the same parameters"):
        context.require_inputs(out[0], "claims.csv")
