"""The headline chart and the HTML marks the layout uses (card labels, cited claims)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.data.io import read_csv
from dprk_russia.data.schema import read_raw_csv
from dprk_russia.report.figures import layout, save_figure, use_style
from dprk_russia.report.headline import HEADLINE_COLUMNS, headline, headline_ids, headline_rows
from dprk_russia.report.i18n import FIGURE_CSV
from dprk_russia.report.render import GLANCE, render_html


@pytest.fixture(scope="module")
def ind() -> pd.DataFrame:
    return read_raw_csv(PROJECT_ROOT / "data/raw/indicators.csv")


def _curve(indicator: str, dates: list[str], estimates: list[float]) -> pd.DataFrame:
    est = pd.Series(estimates, dtype=float)
    return pd.DataFrame(
        {"indicator": indicator, "date": pd.to_datetime(dates), "estimate": est,
         "low": est * 0.8, "high": est * 1.25, "n_estimates": 3}
    )


@pytest.fixture
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two curves: troops with its newest figure between two weekly rows, casualties with its
    newest figure on the cut-off (nothing held flat)."""
    curves = pd.concat(
        [
            _curve("troops_deployed", ["2024-10-06", "2024-10-13", "2024-10-20", "2024-10-27"], [10, 20, 20, 20]),
            _curve("casualties_total", ["2024-10-06", "2024-10-13", "2024-10-20", "2024-10-27"], [1, 2, 3, 4]),
            _curve("wounded", ["2024-10-06"], [1]),
        ],
        ignore_index=True,
    )
    consensus = pd.DataFrame(
        {
            "indicator": ["troops_deployed", "casualties_total", "wounded"],
            "evidence_date": ["2024-10-15", "2024-10-27", "2024-10-06"],
            "evidence_estimate": [19.5, 4.0, 1.0],
            "evidence_low": [15.0, 3.2, 0.8],
            "evidence_high": [24.0, 5.0, 1.25],
        }
    )
    return curves, consensus


def test_the_core_questions_are_the_glance_questions_with_a_curve(tables):
    curves, _ = tables
    assert headline_ids(curves) == ["troops_deployed", "casualties_total"]
    assert [i for i in GLANCE if i in ("casualties_total", "troops_deployed")] == headline_ids(curves)
    assert headline_ids(curves.iloc[0:0]) == []


def test_rows_split_at_the_newest_evidence_without_new_numbers(tables):
    """Up to the evidence date the curve, then the evidence row of consensus.csv, then the rows
    carried flat; every value is one of the tables' own."""
    curves, consensus = tables
    rows = headline_rows(curves, consensus, ["troops_deployed", "casualties_total"])
    assert list(rows.columns) == HEADLINE_COLUMNS
    troops = rows[rows["indicator"] == "troops_deployed"]
    assert troops["date"].dt.strftime("%m-%d").tolist() == ["10-06", "10-13", "10-15", "10-20", "10-27"]
    assert troops["held_flat"].tolist() == [False, False, False, True, True]
    assert troops["estimate"].tolist() == [10, 20, 19.5, 20, 20]
    assert set(troops["newest_evidence"]) == {pd.Timestamp("2024-10-15")}
    casualties = rows[rows["indicator"] == "casualties_total"]
    assert not casualties["held_flat"].any() and len(casualties) == 4, "evidence on the cut: nothing held"


def _dashed(ax: plt.Axes) -> list:
    return [ln for ln in ax.get_lines() if ln.get_linestyle() not in ("-", "None", "", ":")]


def test_the_chart_draws_a_panel_per_question_dashed_after_the_newest_figure(tables, ind, tmp_path):
    use_style()
    curves, consensus = tables
    fig = headline(curves, consensus, ind, "en")
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == 2
    troops, casualties = panels
    assert "troops" in troops.get_title(loc="left").lower() and troops.get_ylabel() == "soldiers"
    assert len(_dashed(troops)) == 1 and _dashed(casualties) == []
    labels = [t.get_text() for t in troops.texts]
    assert labels == ["20\n15 Oct 2024"], "the newest evidence: its estimate (as the text rounds it) and date"
    paths = save_figure(fig, "headline", tmp_path)
    table = read_csv(tmp_path / "headline.csv")
    assert list(table.columns) == HEADLINE_COLUMNS and len(table) == 9
    assert {p.name for p in paths} == {"headline.csv", "headline.svg", "headline.png"}


def test_the_phone_chart_has_two_panels_a_row_and_the_german_one_german_dates(tables, ind):
    use_style()
    curves, consensus = tables
    with layout(narrow=True):
        fig = headline(curves, consensus, ind, "de")
    panels = [ax for ax in fig.axes if ax.axison]
    assert fig.get_figwidth() == pytest.approx(4.4)
    assert {round(ax.get_position().y0, 3) for ax in panels} == {round(panels[0].get_position().y0, 3)}
    assert panels[0].texts[0].get_text() == "20\n15. Okt. 2024"
    plt.close(fig)


def test_without_a_curve_the_chart_says_so(ind):
    use_style()
    empty = pd.DataFrame(columns=["indicator", "date", "estimate", "low", "high", "n_estimates"])
    fig = headline(empty, pd.DataFrame(columns=["indicator"]), ind, "de")
    assert fig.texts == [] and fig.axes[0].texts[0].get_text() == "Keine gepoolte Schätzung zu diesem Stichtag."
    german = [FIGURE_CSV["de"]["curve_columns"][c] for c in HEADLINE_COLUMNS]
    assert list(fig.plotted_table.columns) == german and fig.plotted_table.empty
    plt.close(fig)


MD = """# T

## Key

| Question | Newest |
|---|---:|
| Troops | [about 1](#c2) |

<details class="appendix claims">
<summary>2 claims</summary>

| Claim | Figure |
|---|---|
| <a id="c1"></a>c1 [↑](#key) | 5 |
| <a id="c2"></a>c2 [↑](#key) | 1 |

</details>
"""


def test_body_table_cells_are_labelled_and_cited_claims_marked(tmp_path):
    html = render_html(MD, "en", tmp_path)
    assert '<td data-label="Question">Troops</td>' in html
    assert '<td style="text-align:right" data-label="Newest">' in html
    assert html.count(' data-label="') == 2, "the appendix inside <details> is left alone"
    assert '<tr class="cited">\n<td><a id="c2"></a>c2' in html
    assert html.count('class="cited"') == 1, "c1 is cited nowhere"
