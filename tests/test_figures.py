"""Figure helpers: fixed estimator colours, phone layout, date and number axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from dprk_russia.report.figures import OTHER, estimator_colours, is_narrow, layout, subplots
from dprk_russia.report.marks import date_axis


def test_colours_come_from_the_registry_whatever_the_subset():
    claims = pd.DataFrame(
        {
            "estimator": ["A", "B", "B", "C"],
            "estimator_colour": ["#111111", "", "", "#333333"],
        }
    )
    assert estimator_colours(claims) == {"B": OTHER, "A": "#111111", "C": "#333333"}
    # a chart showing only C still draws C in its own colour, not the first palette colour
    assert estimator_colours(claims[claims["estimator"] == "C"]) == {"C": "#333333"}


def test_phone_layout_stacks_panels_and_is_restored():
    with layout(narrow=True):
        assert is_narrow()
        fig, axes = subplots(3)
        assert len(axes) == 3 and fig.get_figwidth() < 5
        assert len({round(ax.get_position().x0, 3) for ax in axes}) == 1  # one column
        plt.close(fig)
    assert not is_narrow()
    fig, axes = subplots(3)  # desk: two per row, the spare panel switched off
    assert len(axes) == 4 and not axes[3].axison
    plt.close(fig)


def test_date_ticks_name_the_year():
    fig, ax = plt.subplots()
    ax.plot(pd.to_datetime(["2024-10-01", "2025-09-01"]), [1, 2])
    date_axis(ax, "de")
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert any("2024" in x for x in labels) and any("2025" in x for x in labels)
    assert "\n2024" in labels[0]
    plt.close(fig)
