"""Texts measured once per process: the same files, fewer measurements."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import matplotlib.text as mtext
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.font_manager import FontProperties

from dprk_russia.report import textcache
from dprk_russia.report.figures import use_style


@pytest.fixture
def counted(monkeypatch):
    """matplotlib's own measurement, counting the texts it measures; the shared cache emptied."""
    calls: list[tuple] = []
    own = textcache._OWN

    def count(renderer, text, prop, ismath, dpi):  # noqa: ANN001, ANN202
        calls.append((type(renderer).__name__, text, dpi))
        return own(renderer, text, prop, ismath, dpi)

    monkeypatch.setattr(textcache, "_OWN", count)
    monkeypatch.setattr(textcache, "_METRICS", {})
    return calls


def test_a_text_is_measured_once_per_kind_and_resolution_of_renderer(counted):
    prop = FontProperties(family="DejaVu Sans", size=10)
    agg = [RendererAgg(100, 100, 100), RendererAgg(100, 100, 100)]
    svg = [RendererSVG(100, 100, io.StringIO()), RendererSVG(100, 100, io.StringIO())]
    first = [textcache.measure(r, "Rounds, 2024", prop, False, 100) for r in (agg[0], svg[0])]
    again = [textcache.measure(r, "Rounds, 2024", prop.copy(), False, 100) for r in (agg[1], svg[1])]
    assert again == first and len(counted) == 2
    # what matplotlib itself measures with a renderer of its own
    assert first[0] == textcache._OWN(RendererAgg(50, 50, 100), "Rounds, 2024", prop, False, 100)
    counted.clear()
    textcache.measure(RendererAgg(100, 100, 120), "Rounds, 2024", prop, False, 120)  # another dpi
    textcache.measure(agg[0], "Rounds, 2024", FontProperties(family="DejaVu Sans", size=8), False, 100)
    textcache.measure(agg[0], "Rounds", prop, False, 100)
    assert len(counted) == 3


def test_the_svg_canvas_measures_a_text_once_for_every_size_and_gets_its_own_bits(counted):
    """The SVG canvas measures at one size and scales: one measurement per text and font serves
    every size, and each result is, to the bit, what a new SVG renderer measures itself."""
    sizes = [6.5, 8, 9.2, 10, 12, 17.3]
    texts = ["Rounds, 2024", "Kursk · 12 000", "ÄÖÜ ß ж"]
    for weight in ("normal", "bold"):
        for text in texts:
            for size in sizes:
                prop = FontProperties(family="DejaVu Sans", size=size, weight=weight)
                svg = RendererSVG(100, 100, io.StringIO())
                got = textcache.measure(svg, text, prop, False, 72)
                assert got == RendererSVG(100, 100, io.StringIO()).get_text_width_height_descent(text, prop, False)
    assert len(counted) == 2 * len(texts)


def test_a_second_svg_file_of_a_figure_measures_no_text_again(counted):
    """matplotlib draws an SVG file through a MixedModeRenderer around its SVG renderer, a new
    one for each file: the shared measurements reach through it."""
    use_style()
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [1200, 54000], label="Estimator A")
    ax.set_title("Artillery rounds")
    ax.legend()
    fig.savefig(io.BytesIO(), format="svg")
    first = len(counted)
    fig.savefig(io.BytesIO(), format="svg")
    plt.close(fig)
    assert first > 0 and len(counted) == first
    assert {kind for kind, _text, _dpi in counted} == {"MixedModeRenderer"}


@pytest.mark.parametrize("kind", ["agg", "svg"])
def test_a_generic_family_is_measured_in_the_font_the_style_lists_for_it(counted, kind: str):
    """"sans-serif" means the fonts of ``font.sans-serif``: another list, another measurement."""
    import matplotlib as mpl

    prop = FontProperties(family="sans-serif", size=10)
    got = {}
    for fonts in (["DejaVu Sans"], ["DejaVu Serif"]):
        with mpl.rc_context({"font.sans-serif": fonts}):
            fresh = RendererAgg(100, 100, 100) if kind == "agg" else RendererSVG(100, 100, io.StringIO())
            got[fonts[0]] = textcache.measure(fresh, "Rounds, 2024", prop, False, 100)
            own = RendererAgg(100, 100, 100) if kind == "agg" else RendererSVG(100, 100, io.StringIO())
            assert got[fonts[0]] == own.get_text_width_height_descent("Rounds, 2024", prop, False)
    assert got["DejaVu Sans"] != got["DejaVu Serif"] and len(counted) == 2


def test_figures_are_the_same_bytes_with_and_without_the_shared_measurements(monkeypatch):
    use_style()

    def draw() -> dict[str, bytes]:
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot(pd.to_datetime(["2024-01-01", "2025-06-01"]), [1200, 54000], label="Estimator A")
        ax.set_title("Artillery rounds")
        ax.legend()
        fig.tight_layout()
        out = {}
        for fmt in ("svg", "png"):
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, metadata={"svg": {"Date": None}, "png": {"Software": None}}[fmt])
            out[fmt] = buf.getvalue()
        plt.close(fig)
        return out

    assert mtext._get_text_metrics_with_cache is textcache.measure
    shared = [draw(), draw()]
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", textcache._OWN)
    assert draw() == shared[0] == shared[1]


def test_layouts_are_the_same_with_each_font_table_read_once(monkeypatch):
    """Text._get_layout gives the same boxes and lines with the tables read once per font."""
    import matplotlib.font_manager as fm

    reads: list[str] = []
    real = fm.get_font

    def counting(paths, hinting_factor=None):  # noqa: ANN001, ANN202
        font = real(paths)
        reads.append(font.fname)
        return font

    monkeypatch.setattr(textcache, "get_font", counting)
    monkeypatch.setattr(textcache, "_FONTS", {})
    fig, ax = plt.subplots()
    texts = [ax.text(0.1, 0.1, "Rounds, 2024\nsecond line", fontsize=9, rotation=30),
             ax.text(0.5, 0.5, "×3 ↑", fontsize=12, fontweight="bold"),
             ax.text(0.2, 0.8, "Quelle: Nationaler Sicherheitsrat", family="DejaVu Serif", linespacing=1.35)]
    renderer = fig.canvas.get_renderer()
    monkeypatch.setattr(mtext, "get_font", real)

    def layouts() -> list[tuple]:  # (a Bbox equals only itself: its bounds are compared)
        return [(box.bounds, lines, rest) for box, lines, rest in (t._get_layout(renderer) for t in texts)]

    own = layouts()
    monkeypatch.setattr(mtext, "get_font", textcache.font_tables)
    kept = [layouts() for _ in range(3)]
    plt.close(fig)
    assert kept[0] == kept[1] == kept[2] == own
    # two fonts (bold is another file), each table read once: OS/2 and head
    assert len(reads) == 3 * 2 and len(set(reads)) == 3
