"""Figure helpers: fixed estimator colours, phone layout, date and number axes."""

from __future__ import annotations

import matplotlib.dates as mdates
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


def test_date_ticks_of_a_short_span_name_each_month_once():
    """Three months of figures (the guns and launchers charts) get month ticks, not ticks on the
    1st and 15th that would print one month name twice."""
    for lang in ("en", "de"):
        fig, ax = plt.subplots()
        ax.plot(pd.to_datetime(["2024-11-01", "2025-01-25"]), [1, 2])
        date_axis(ax, lang)
        fig.canvas.draw()
        labels = [t.get_text().split("\n")[0] for t in ax.get_xticklabels()]
        assert len(labels) >= 2 and len(set(labels)) == len(labels), labels
        assert all(mdates.num2date(v).day == 1 for v in ax.get_xticks())
        plt.close(fig)


def test_a_period_total_is_drawn_as_a_rise_from_the_pooled_level_at_its_start():
    """MSMT's 49 voyages "in 2024" is drawn from the curve's level at the start of 2024 up by 49
    at the end of 2024 (not as a running total of 49), labelled "+49"; other figures as points."""
    from dprk_russia.report.marks import plot_claims

    from .conftest import make_claims

    ind = "ship_voyages"
    claims = make_claims(
        [
            {"claim_id": "a", "indicator": ind, "value_low": 20, "published": "2023-12-15"},
            {"claim_id": "m", "indicator": ind, "value_low": 49, "published": "2025-05-29", "estimator": "M",
             "period_start": "2024-01", "period_end": "2024-12"},
        ]
    )
    claims["estimator_label_en"] = claims["estimator"]
    curve = pd.DataFrame(
        {"date": pd.to_datetime(["2023-12-15", "2023-12-31", "2024-12-31"]), "estimate": [20.0, 24.0, 70.0]}
    )
    fig, ax = plt.subplots()
    plot_claims(ax, claims, "en", rises={"m"}, curve=curve)
    tops = {round(float(y), 6) for line in ax.get_lines() for y in line.get_ydata()}
    assert 24.0 + 49.0 in tops and 49.0 not in tops  # the rise sits on the level at its start
    assert 20.0 in tops  # the other figure stays a point
    assert any(a.get_text() == "+49" for a in ax.texts)
    plt.close(fig)


def test_copies_labels_one_per_spot_and_none_overlapping():
    """At 100,000 claims every oil figure is drawn at one spot by ~118 copies of each page that
    relays it: one "×n" label per spot, labels that would overlap moved apart; marks of one
    copy each (the real data) get no label at all."""
    from dprk_russia.report.figures import LABEL_GAP, copies_labels

    fig, ax = plt.subplots(figsize=(6, 4))
    days = pd.to_datetime(["2024-01-31", "2024-02-29", "2025-06-30"])
    ax.set_xlim(pd.Timestamp("2023-01-01"), pd.Timestamp("2026-01-01"))
    ax.set_ylim(0, 2_000_000)
    copies_labels(ax, [(days[0], 100_000.0, 1), (days[1], 150_000.0, 1)])
    assert len(ax.texts) == 0, "no copies, no label: the real chart is unchanged"
    marks = [(days[0], 100_000.0, 118)] * 3 + [(days[0], 120_000.0, 118), (days[1], 110_000.0, 118)]
    marks += [(days[2], 1_500_000.0, 118), (days[2], 1_500_000.0, 2)]
    copies_labels(ax, marks)
    texts = {(t.xy, t.get_text()): t for t in ax.texts}
    assert len(ax.texts) == 4, "three relays at one spot: one label"
    assert texts[((days[2], 1_500_000.0), "×120")], "copies differ at one spot: the claims drawn there"
    fig.canvas.draw()
    from matplotlib.text import Text

    near = [Text.get_window_extent(t) for t in ax.texts if t.xy[1] < 1_000_000]  # text, no leader line
    assert len(near) == 3
    for i, a in enumerate(near):
        for b in near[i + 1:]:
            assert not a.overlaps(b), "labels of nearby marks do not overlap"
    moved = [t for t in ax.texts if t.xyann[1] > 3]
    assert moved and all(t.arrow_patch is not None for t in moved), "a moved label has a line to its mark"
    assert max(t.xyann[1] for t in ax.texts) >= 3 + LABEL_GAP
    plt.close(fig)


def test_copies_labels_that_would_leave_the_plot_at_the_top_go_below():
    """A dense cluster near the top (the troops chart at 100,000 claims): labels that moving up
    would take out of the plot go below their marks instead, each with a line to its mark."""
    from dprk_russia.report.figures import copies_labels

    fig, ax = plt.subplots(figsize=(6, 4))
    day = pd.Timestamp("2024-11-01")
    ax.set_xlim(pd.Timestamp("2024-01-01"), pd.Timestamp("2025-06-01"))
    ax.set_ylim(0, 100)
    copies_labels(ax, [(day, 80.0 + i, 118) for i in range(12)])
    to_points = 72.0 / fig.dpi
    top = ax.bbox.y1 * to_points
    shifts = [t.xyann[1] - 3 for t in ax.texts]
    assert len(shifts) == 12
    for t, shift in zip(ax.texts, shifts, strict=True):
        py = ax.transData.transform((ax.xaxis.convert_units(t.xy[0]), t.xy[1]))[1] * to_points
        assert py + shift <= top, "no label above the plot"
    assert min(shifts) < 0, "some went below their marks"
    assert all(t.arrow_patch is not None for t, s in zip(ax.texts, shifts, strict=True) if s), "with a line"
    ys = sorted(
        ax.transData.transform((ax.xaxis.convert_units(t.xy[0]), t.xy[1]))[1] * to_points + s
        for t, s in zip(ax.texts, shifts, strict=True)
    )
    assert all(b - a >= 9.0 - 1e-9 for a, b in zip(ys, ys[1:], strict=False)), "labels do not overlap"
    plt.close(fig)


def _panels_with_text() -> plt.Figure:
    fig, axes = subplots(3)
    for i, ax in enumerate(axes[:3]):
        ax.plot(pd.to_datetime(["2024-01-01", "2025-06-01"]), [10**i, 3 * 10 ** (i + 3)], label=f"series {i}")
        ax.set_title(f"Panel {i}: a title long enough to matter")
        ax.set_ylabel("rounds")
    fig.legend(loc="lower left")
    return fig


def test_the_layout_measures_each_panel_once_and_lays_out_as_matplotlib_does(monkeypatch):
    """Tight layout with a rect measures every axes twice on an unchanged figure; add_source takes
    the second measure from the first, which must give exactly matplotlib's own layout."""
    from contextlib import nullcontext

    from matplotlib.axes import Axes

    from dprk_russia.report import figures

    claims = pd.DataFrame({"estimator": ["A"], "claim_id": ["c1"]})
    measure = Axes.get_tightbbox
    calls: list[Axes] = []
    monkeypatch.setattr(Axes, "get_tightbbox", lambda self, *a, **k: calls.append(self) or measure(self, *a, **k))

    with monkeypatch.context() as m:  # matplotlib's own layout: every axes measured twice
        m.setattr(figures, "_tight_boxes_once", lambda fig: nullcontext())
        expected = _panels_with_text()
        figures.add_source(expected, claims, "en")
    visible = [ax for ax in expected.axes if ax.get_visible()]
    assert sorted(map(id, calls)) == sorted(map(id, visible + visible))

    calls.clear()
    fig = _panels_with_text()
    figures.add_source(fig, claims, "en")
    assert [ax.get_position().bounds for ax in fig.axes] == [ax.get_position().bounds for ax in expected.axes]
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert sorted(map(id, calls)) == sorted(map(id, visible))  # each panel measured once
    assert all("get_tightbbox" not in vars(ax) for ax in fig.axes)  # nothing left on the axes
    plt.close("all")
