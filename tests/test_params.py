"""Parameter checks (one place, before any step) and the one-build-at-a-time lock."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.build import params
from dprk_russia.data.clean import clean_claims, read_raw


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"AS_OF": "2024-13-45"}, "AS_OF=2024-13-45 is not a calendar date (month must be in 1..12)"),
        ({"AS_OF": "2024-02-30"}, "AS_OF=2024-02-30 is not a calendar date"),
        ({"AS_OF": "2024/06/30"}, "AS_OF must be an ISO date YYYY-MM-DD, got '2024/06/30'"),
        ({"REPORT_LANGS": ""}, "REPORT_LANGS may contain only 'en' and 'de'"),
        ({"REPORT_LANGS": "en,de"}, "REPORT_LANGS is separated by spaces, not commas: write REPORT_LANGS='en de'"),
        ({"REPORT_LANGS": "de, en"}, "write REPORT_LANGS='de en', got 'de, en'"),
        ({"ESTIMATOR_TYPES": "spies"}, "ESTIMATOR_TYPES must be 'all' or a comma-separated list"),
        ({"ROUNDS_PER_CONTAINER_HIGH": "4x"}, "0 < LOW <= HIGH, got '300' and '4x'"),
        ({"SWEEP_VALUES": "100 0"}, "SWEEP_VALUES must be whole numbers above 0"),
        ({"POOL_SMOOTHNESS": "-1"}, "POOL_SMOOTHNESS must be a number >= 0, got '-1'"),
        ({"POOL_BAND": "80"}, "POOL_BAND must be a fraction between 0 and 1"),
        ({"POOL_WARRING": "maybe"}, "POOL_WARRING must be 'in' or 'out'"),
        ({"ROUNDS_PER_CONTAINER_HIGH": "9" * 400}, "0 < LOW <= HIGH, got '300' and '999"),
        ({"POOL_SMOOTHNESS": "1" * 400}, "POOL_SMOOTHNESS must be a number >= 0, got '111"),
        ({"SWEEP_VALUES": "100 " + "9" * 16}, "SWEEP_VALUES must be whole numbers above 0"),
    ],
)
def test_bad_parameter_is_named(raw_dir, values, message):
    problems = params.check(values, raw_dir)
    assert len(problems) == 1 and message in problems[0], problems


def test_good_parameters_pass(raw_dir):
    assert params.check({}, raw_dir) == []
    assert params.check({"AS_OF": "2024-02-29", "ESTIMATOR_TYPES": "government,media"}, raw_dir) == []


def test_cut_off_before_any_claim_is_named_with_the_earliest_date(raw_dir):
    # the one claim of the fixture was published 2023-10-13
    assert params.check({"AS_OF": "2023-10-13"}, raw_dir) == []
    assert params.check({"AS_OF": "2023-10-12"}, raw_dir) == [
        f"AS_OF=2023-10-12 keeps no claim of {raw_dir.as_posix()}/claims.csv; "
        "the earliest was published 2023-10-13, choose AS_OF on or after it"
    ]
    assert params.check({"ESTIMATOR_TYPES": "party"}, raw_dir) == [
        f"ESTIMATOR_TYPES=party keeps no claim of {raw_dir.as_posix()}/claims.csv"
    ]


def test_the_cut_off_check_agrees_with_cleaning():
    raw = read_raw(PROJECT_ROOT / "data/raw")
    for as_of in ("2023-06-12", "2023-06-13", "2024-06-30"):
        kept, _ = params.kept_claims(PROJECT_ROOT / "data/raw", as_of, list(params.ESTIMATOR_TYPES))
        assert kept == len(clean_claims(raw["claims"], raw["sources"], raw["indicators"], as_of=as_of))


def test_cleaning_rejects_an_impossible_as_of_by_name(raw_dir):
    raw = read_raw(raw_dir)
    with pytest.raises(ValueError, match="AS_OF=2024-13-45 is not a calendar date"):
        clean_claims(raw["claims"], raw["sources"], raw["indicators"], as_of="2024-13-45")


def test_cli_prints_one_line_and_fails():
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src"), "AS_OF": "2024-13-45", "REPORT_LANGS": "fr"}
    res = subprocess.run(
        [sys.executable, "-m", "dprk_russia.build.params"], capture_output=True, text=True, env=env
    )
    assert res.returncode == 1 and res.stderr == ""
    assert res.stdout.count("\n") == 1 and "AS_OF=2024-13-45" in res.stdout and "REPORT_LANGS" in res.stdout


def test_lock_waits_for_the_build_that_holds_it(tmp_path: Path):
    lock = tmp_path / "build" / ".lock"
    lock.parent.mkdir()
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dprk_russia.build.lock", str(lock), "sh", "-c", "echo ran"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    waiting = proc.stderr.readline()
    assert waiting == "[wait]  another build is running in this checkout; waiting for it to finish\n"
    time.sleep(0.3)
    assert proc.poll() is None, "the second build waits"
    os.close(fd)  # the first build ends
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0 and out == "ran\n"
