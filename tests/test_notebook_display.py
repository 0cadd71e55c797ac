"""What the notebooks display without writing: tables in the project's number formatting
(``show_table``), charts shown without a file (``show_figure``), the inline charts of 1.1
(pooled curves) and 5.0 (backtest by cut-off), the start page's key findings; how Lab lists
them (each notebook once) and the signature that makes executed notebooks trusted in Lab."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.analysis import backtest
from dprk_russia.build import context
from dprk_russia.build.lab import without_twins
from dprk_russia.build.run import sign
from dprk_russia.data.io import read_csv
from dprk_russia.report import diagnostics
from dprk_russia.report.render import key_findings
from dprk_russia.report.styled import cell, plain, styled

matplotlib.use("Agg")


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        (26000.0, "en", "26,000"),  # a whole number stays whole
        (26000, "de", "26.000"),
        (np.int64(7817240), "en", "7,817,240"),
        (26774.9, "en", "26,775"),  # three significant digits, never fewer than the integer part
        (1.00205, "en", "1.00"),
        (0.0383453, "en", "0.0383"),
        (0.5, "de", "0,500"),
        (float("nan"), "en", "–"),
        (None, "en", "–"),
        (pd.NaT, "en", "–"),
        (pd.NA, "en", "–"),
        (pd.Timestamp("2025-07-13"), "en", "2025-07-13"),
        (True, "en", "yes"),
        ("South Korea NIS", "en", "South Korea NIS"),
    ],
)
def test_cells_are_formatted_as_the_project_formats_numbers(value, lang, shown):
    assert cell(value, lang) == shown


def test_tables_show_no_none_nan_or_float_integers_and_leave_the_data_alone():
    df = pd.DataFrame(
        {
            "indicator": ["troops", "killed", None],
            "estimate": [14292.0, 3958.01, np.nan],
            "n": [43, 12, 0],
            "cut": pd.to_datetime(["2026-02-27", "2026-02-27", None]),
        }
    )
    before = df.copy()
    html = styled(df).to_html()
    text = plain(df)
    for out in (html, text):
        assert "14,292" in out and "3,958" in out and "2026-02-27" in out
        assert not any(bad in out for bad in ("None", "NaN", "nan", "NaT", "14292.0", "<NA>"))
    assert "–" in text
    pd.testing.assert_frame_equal(df, before)
    # the same table gives the same HTML (no random ids in executed notebooks)
    assert styled(df).to_html() == html
    # row numbers are not shown; a meaningful index is
    assert "<th" not in html.split("<tbody>")[1].split("</tr>")[0]
    counts = df.groupby("indicator").size()
    assert "troops" in styled(counts).to_html() and "troops" in plain(counts)
    long = pd.DataFrame({"x": range(100)})
    assert "first 60 of 100 rows" in styled(long).to_html() and "first 60 of 100 rows" in plain(long)


def test_show_helpers_are_no_ops_outside_a_kernel():
    calls = []
    context.show_table(pd.DataFrame({"a": [1]}))
    context.show_figure(lambda: calls.append("drawn"))
    assert calls == []  # the chart is not even drawn in a plain script


@pytest.fixture(scope="module")
def processed() -> dict[str, pd.DataFrame]:
    from dprk_russia.data.clean import load_processed
    from dprk_russia.data.schema import read_raw_csv

    return {
        "claims": load_processed(PROJECT_ROOT / "data/processed/claims.csv"),
        "ind": read_raw_csv(PROJECT_ROOT / "data/raw/indicators.csv"),
        "curves": read_csv(PROJECT_ROOT / "data/processed/consensus_over_time.csv", text=False),
    }


def test_pooled_curves_draw_one_panel_per_indicator_of_the_table(processed):
    curves = processed["curves"]
    ids = list(dict.fromkeys(curves["indicator"]))
    fig = diagnostics.pooled_curves(processed["claims"], processed["ind"], curves, "en", doubtful={"c0001"})
    shown = [ax for ax in fig.axes if ax.axison]
    assert len(shown) == len(ids)
    assert all(ax.collections for ax in shown), "each panel has its band"
    titles = [ax.get_title(loc="left") for ax in shown]
    assert titles[0].startswith("Munitions containers")
    one = diagnostics.pooled_curves(processed["claims"], processed["ind"], curves, "en", ids=["troops_deployed"])
    assert len(one.axes) == 1 and one.axes[0].get_legend() is not None
    empty = diagnostics.pooled_curves(processed["claims"], processed["ind"], curves.iloc[:0], "en")
    assert len(empty.axes) == 1


def test_backtest_by_cut_scores_each_cut_off_as_the_summary_does():
    bt = read_csv(PROJECT_ROOT / "reports/backtest/backtest.csv", text=False)
    every = bt[bt["set"] == "all_cuts"].drop(columns="set")
    per_cut = backtest.by_cut(every)
    assert list(per_cut["cut"]) == sorted(every["cut"].unique())
    assert per_cut["n"].sum() == len(every)
    whole = backtest.summarise(every).set_index("indicator").loc["all"]
    assert per_cut["n_points"].sum() == whole["n_points"]
    one = every[every["cut"] == per_cut["cut"].iloc[0]]
    assert per_cut["mdale_naive"].iloc[0] == pytest.approx(np.median(backtest.errors(one, "naive")), rel=1e-5)
    fig = diagnostics.backtest(per_cut, "en", 0.8, (0.7, 0.9), pd.Timestamp("2025-03-31"))
    assert len(fig.axes) == 2 and len(fig.legends) == 1
    assert backtest.by_cut(every.iloc[:0]).empty


def test_key_findings_read_what_the_report_quotes():
    table = key_findings(PROJECT_ROOT / "data/raw", PROJECT_ROOT / "data/processed")
    consensus = read_csv(PROJECT_ROOT / "data/processed/consensus.csv")
    assert len(table) == len(consensus)
    troops = table.set_index("question").loc["North Korean troops sent to Russia (soldiers)"]
    findings = read_csv(PROJECT_ROOT / "data/processed/findings_consensus.csv").set_index("key")
    assert troops["estimate"] == float(findings.at["key.troops_deployed.evidence", "value"])
    assert troops["certainty"] in {"well attested", "few sources", "old evidence", "contested: doubtful figures decide it"}


def test_folder_listings_leave_out_the_ipynb_twin_of_a_py_notebook():
    entries = [
        {"name": "1.1-pooled-estimate.py", "type": "notebook"},
        {"name": "1.1-pooled-estimate.ipynb", "type": "notebook"},
        {"name": "scratch.ipynb", "type": "notebook"},  # no .py: listed
        {"name": "helper.py", "type": "file"},  # a plain script is no pair
        {"name": "helper.ipynb", "type": "notebook"},
    ]
    assert [e["name"] for e in without_twins(entries)] == [
        "1.1-pooled-estimate.py",
        "scratch.ipynb",
        "helper.py",
        "helper.ipynb",
    ]


def test_signed_executed_notebook_is_trusted_and_unchanged(tmp_path, monkeypatch):
    import nbformat
    from nbformat.sign import NotebookNotary

    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    output = nbformat.v4.new_output("execute_result", {"text/html": "<b>1</b>"})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1", outputs=[output])])
    path = tmp_path / "executed.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    (tmp_path / "data").mkdir()
    notary = NotebookNotary(data_dir=str(tmp_path / "data"))
    assert not notary.check_signature(nbformat.read(path, as_version=4))
    assert sign(path)
    assert path.read_bytes() == before
    assert NotebookNotary(data_dir=str(tmp_path / "data")).check_signature(nbformat.read(path, as_version=4))
    # a changed notebook is not trusted any more
    nb.cells[0].outputs[0]["data"]["text/html"] = "<b>2</b>"
    assert not NotebookNotary(data_dir=str(tmp_path / "data")).check_signature(nb)
    # a first build on a machine where Jupyter has never run creates the data folder
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "fresh"))
    assert sign(path) and (tmp_path / "fresh" / "nbsignatures.db").exists()


def test_an_empty_table_is_shown_without_error():
    """An early cut-off leaves tables with no rows but typed columns."""
    import pandas as pd

    from dprk_russia.report.styled import styled

    empty = pd.DataFrame({"date": pd.to_datetime([]), "value": pd.Series([], dtype=float)})
    assert "<table" in styled(empty).to_html()
