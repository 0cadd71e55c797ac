"""Text measured once per build, not once per file: matplotlib keeps its text metrics per renderer,
and every saved file (the layout, the SVG, the PNG, the phone variant) gets a new renderer, so the
same tick labels, names and legends were measured again for each file and each chart.

For the two canvases the figures are saved with (Agg and SVG), a text's width, height and descent
depend only on the renderer's kind and resolution, the text, its font and the hinting settings:
:func:`install` shares them across renderers of the same kind and resolution. Every other
renderer, and math text, goes through matplotlib's own cache, untouched.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.text as mtext
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.font_manager import FontProperties

#: matplotlib's own per-renderer cache, which renderers of other kinds keep using.
_OWN = mtext._get_text_metrics_with_cache
_SHARED = (RendererAgg, RendererSVG)
#: Metrics by key (see :func:`_key`); cleared when it reaches :data:`LIMIT` entries.
_METRICS: dict[tuple, tuple[float, float, float]] = {}
LIMIT = 100_000


def _key(renderer: object, text: str, prop: FontProperties, dpi: float) -> tuple:
    """Everything a measurement of ``text`` by an Agg or SVG renderer depends on."""
    rc = mpl.rcParams
    font = (
        tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(),
        prop.get_stretch(), prop.get_size_in_points(), prop.get_file(), prop.get_math_fontfamily(),
    )
    hinting = (rc["text.hinting"], rc["text.hinting_factor"], rc["text.kerning_factor"])
    return (type(renderer), getattr(renderer, "dpi", None), text, font, dpi, hinting)


def measure(renderer: object, text: str, prop: FontProperties, ismath: object, dpi: float) -> tuple:
    """Width, height and descent of ``text`` as ``renderer`` measures it (matplotlib's signature)."""
    if type(renderer) not in _SHARED or ismath:
        return _OWN(renderer, text, prop, ismath, dpi)
    key = _key(renderer, text, prop, dpi)
    found = _METRICS.get(key)
    if found is None:
        if len(_METRICS) >= LIMIT:
            _METRICS.clear()
        found = _METRICS[key] = _OWN(renderer, text, prop, ismath, dpi)
    return found


def install() -> None:
    """Measure texts through :func:`measure` from now on, in this process (idempotent)."""
    mtext._get_text_metrics_with_cache = measure
