"""What the notebooks display without writing: tables in the project's number formatting
(``show_table``), and charts shown without a file (``show_figure``)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from dprk_russia.build import context
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
