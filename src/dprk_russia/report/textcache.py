"""Text measured once per notebook run, not once per file: matplotlib keeps its text metrics per renderer,
and every saved file (the layout, the SVG, the PNG, the phone variant) gets a new renderer, so the
same tick labels, names and legends were measured again for each file and each chart.

For the two canvases the figures are saved with (Agg and SVG), a text's width, height and descent
depend only on the renderer's kind and resolution, the text, its font and the hinting settings:
:func:`install` shares them across renderers of the same kind and resolution. The SVG canvas
measures every text at one size (``TextToPath.FONT_SCALE``) and scales the result, so one
measurement serves a text at every size (the phone variants use other sizes than the desk ones).
SVG files are drawn through a ``MixedModeRenderer`` around the SVG renderer: the renderer it wraps
is the one keyed. Every other renderer, and math text, goes through matplotlib's own cache,
untouched.

Laying a text out, matplotlib also reads its font's line gap, ascent and descent from the font's
tables (``get_sfnt_table``, which builds a new dict on every call): two thirds of the time of a
layout whose text is measured already. :func:`install` gives the text module fonts whose tables
are read once (:class:`FontTables`); the tables are the font file's own, whatever the size.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib as mpl
import matplotlib.text as mtext
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.font_manager import FontProperties, fontManager, get_font
from matplotlib.textpath import TextToPath

#: matplotlib's own per-renderer cache, which renderers of other kinds keep using.
_OWN = mtext._get_text_metrics_with_cache
_SHARED = (RendererAgg, RendererSVG)
#: Metrics by key (see :func:`_key`); cleared when it reaches :data:`LIMIT` entries.
_METRICS: dict[tuple, tuple[float, float, float]] = {}
LIMIT = 100_000
#: The generic family names whose fonts the style lists (``font.<name>``).
_GENERIC = frozenset({"serif", "sans-serif", "cursive", "fantasy", "monospace"})


def _key(renderer: object, text: str, prop: FontProperties, dpi: float | None, sized: bool = True) -> tuple:
    """Everything a measurement of ``text`` by an Agg or SVG renderer depends on (for SVG, all but
    the size: ``sized=False``). Fonts are found by name, through the font lists of the style for
    a generic name ("sans-serif"), or else through its default family."""
    rc = mpl.rcParams
    families = tuple(prop.get_family())
    size = prop.get_size_in_points() if sized else None
    font = (families, prop.get_style(), prop.get_variant(), prop.get_weight(), prop.get_stretch(), size,
            prop.get_file(), prop.get_math_fontfamily())
    found_by = (tuple(rc["font.family"]), *(tuple(rc[f"font.{f}"]) for f in families if f in _GENERIC))
    hinting = (rc["text.hinting"], rc["text.hinting_factor"], rc["text.kerning_factor"])
    return (type(renderer), getattr(renderer, "dpi", None), text, font, found_by, dpi, hinting)


def cached(store: dict, key: object, compute: Callable[[], object], limit: int) -> object:
    """``store[key]``, computed once (the store is emptied when it holds ``limit`` entries)."""
    if key in store:
        return store[key]
    if len(store) >= limit:
        store.clear()
    found = store[key] = compute()
    return found


def _svg_measure(renderer: object, inner: RendererSVG, text: str, prop: FontProperties, dpi: float) -> tuple:
    """What the SVG canvas measures. ``TextToPath`` sets the font found for ``prop`` to
    ``FONT_SCALE`` points, measures, and multiplies by size / ``FONT_SCALE``: here the measurement
    at ``FONT_SCALE`` is kept per text and font, and multiplied the same way (the same bits). The
    font found does not depend on the size as long as every font is scalable, as TrueType and
    OpenType fonts (all that matplotlib lists for these canvases) are; else nothing is shared."""

    def at_font_scale() -> tuple | None:
        if any(f.size != "scalable" for f in fontManager.ttflist):
            return None
        at = prop.copy()
        at.set_size(TextToPath.FONT_SCALE)
        return _OWN(renderer, text, at, False, dpi)

    raw = cached(_METRICS, _key(inner, text, prop, None, sized=False), at_font_scale, LIMIT)
    if raw is None:
        return _OWN(renderer, text, prop, False, dpi)
    scale = prop.get_size_in_points() / TextToPath.FONT_SCALE
    return raw[0] * scale, raw[1] * scale, raw[2] * scale


def measure(renderer: object, text: str, prop: FontProperties, ismath: object, dpi: float) -> tuple:
    """Width, height and descent of ``text`` as ``renderer`` measures it (matplotlib's signature).

    An SVG file is drawn through a ``MixedModeRenderer``, which measures with the renderer it
    draws with at the time (its SVG renderer, or Agg while rasterizing): that one is keyed."""
    inner = renderer._renderer if type(renderer) is MixedModeRenderer else renderer
    if type(inner) not in _SHARED or ismath:
        return _OWN(renderer, text, prop, ismath, dpi)
    if type(inner) is RendererSVG:
        return _svg_measure(renderer, inner, text, prop, dpi)
    key = _key(inner, text, prop, dpi)
    return cached(_METRICS, key, lambda: _OWN(renderer, text, prop, ismath, dpi), LIMIT)


class FontTables:
    """The font of ``paths`` (as ``get_font`` opens it) as the text module reads it: its tables,
    each read once."""

    def __init__(self, paths: tuple[str, ...]) -> None:
        self.paths = paths
        self.tables: dict[str, dict | None] = {}

    def get_sfnt_table(self, name: str) -> dict | None:
        if name not in self.tables:
            self.tables[name] = get_font(list(self.paths)).get_sfnt_table(name)
        return self.tables[name]


_FONTS: dict[tuple[str, ...], FontTables] = {}


def font_tables(paths: list[str], hinting_factor: object = None) -> FontTables:
    """The :class:`FontTables` of the font files ``paths`` (``get_font``'s signature; the tables do
    not depend on the hinting)."""
    key = tuple(paths)
    found = _FONTS.get(key)
    if found is None:
        found = _FONTS[key] = FontTables(key)
    return found


def install() -> None:
    """Measure texts through :func:`measure` and read font tables through :func:`font_tables`
    from now on, in this process (idempotent)."""
    mtext._get_text_metrics_with_cache = measure
    mtext.get_font = font_tables
