"""Text on the Agg canvas laid out and rasterised once per process: the same PNG bytes, less work."""

from __future__ import annotations

import hashlib
import io

import matplotlib.pyplot as plt
import pytest
from matplotlib.backends.backend_agg import RendererAgg

from dprk_russia.report import aggtext


def chart() -> plt.Figure:
    """Texts at many fractions of a pixel and whole-pixel shifts of them, at several angles and
    sizes, antialiased or not, with a glyph outside the Latin alphabet and a math text."""
    fig, ax = plt.subplots(figsize=(6.1, 3.3))
    ax.plot([0, 1, 2, 3], [0, 2.5, 1, 3], marker="o", label="US NSC ×2 (äöü ↑)")
    ax.set_title("Artillery rounds, 2023–2025")
    ax.set_ylabel("rounds")
    for i in range(12):
        ax.text(0.1 + i * 0.237, 0.3 + i * 0.19, f"{1000 * i:,}", rotation=(0, 30, 90)[i % 3],
                fontsize=7 + i % 3, antialiased=i % 4 != 0)
        ax.text(0.1 + i * 0.237, 2.2, "×3", transform=ax.transData)
    for smooth in (True, False):  # the same glyphs at the same place, smoothed and not
        ax.text(2.5, 0.5, "Rounds", antialiased=smooth)
    ax.text(1.5, 1.5, r"$\alpha^2$")
    ax.legend()
    fig.text(0.01, 0.01, "Source: US National Security Council; estimates compiled.", fontsize=8)
    return fig


def png(dpi: float) -> str:
    fig = chart()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return hashlib.sha256(buf.getvalue()).hexdigest()


@pytest.fixture
def fresh(monkeypatch):
    """matplotlib's own text drawing; the layouts and glyphs kept so far forgotten."""
    monkeypatch.setattr(RendererAgg, "draw_text", aggtext._OWN)
    monkeypatch.setattr(aggtext, "_LAYOUTS", {})
    monkeypatch.setattr(aggtext, "_GLYPHS", {})


@pytest.mark.parametrize("dpi", [100, 120, 97.3])
def test_kept_glyphs_draw_the_bytes_matplotlib_draws(fresh, dpi: float):
    own = png(dpi)
    aggtext.install()
    first, again = png(dpi), png(dpi)  # the second from kept layouts and glyphs only
    assert first == again == own


def test_a_chart_drawn_again_lays_out_and_rasterises_nothing_new(fresh, monkeypatch):
    aggtext.install()
    png(120)
    kept = (len(aggtext._LAYOUTS), len(aggtext._GLYPHS))
    assert kept[0] > 10 and kept[1] > 50
    rendered: list[int] = []
    real = aggtext.draw_text

    def counting(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # noqa: ANN001, ANN202
        rendered.append(len(aggtext._GLYPHS))
        return real(self, gc, x, y, s, prop, angle, ismath, mtext)

    monkeypatch.setattr(RendererAgg, "draw_text", counting)
    png(120)
    assert rendered and (len(aggtext._LAYOUTS), len(aggtext._GLYPHS)) == kept


def test_the_stores_are_emptied_at_their_limit(fresh, monkeypatch):
    monkeypatch.setattr(aggtext, "LIMIT", 5)
    aggtext.install()
    own_free = png(120)
    assert len(aggtext._LAYOUTS) <= 5 and len(aggtext._GLYPHS) <= 5
    monkeypatch.setattr(RendererAgg, "draw_text", aggtext._OWN)
    assert png(120) == own_free
