"""Text drawn on the Agg canvas (each chart's PNG) from glyphs laid out and rasterised once per
notebook run, not once per text drawn.

matplotlib's Agg canvas lays every text out (FreeType and HarfBuzz: about a quarter of the time)
and then rasterises each glyph at its position to 1/64 pixel, even where the same text or the same
glyph at the same fraction of a pixel was drawn a moment before: the tick labels, names and legends
of one chart recur in its other language, and in the other charts of the notebook. About half the
glyphs and 60 % of the texts drawn by a notebook repeat. :func:`install` replaces the canvas's
``draw_text`` with :func:`draw_text`, which does what matplotlib's does, in the same order, with:

* each text's layout (glyphs and their offsets) kept by font, size, resolution, hinting, features,
  language and text;
* each glyph's bitmap kept by font, size, resolution, angle, glyph, hinting, antialiasing and its
  position's fraction of a pixel (in FreeType's 1/64 units): a glyph moved by whole pixels is the
  same bitmap moved (FreeType hints the outline before it moves it), so it is drawn from the one
  kept, at the whole-pixel offset;
* the rotation matrix computed once per text, not once per glyph (the same numbers).

The canvas then receives the very same bitmaps at the very same places: the PNG files are byte for
byte those matplotlib draws (the build checks its outputs against the committed ones). Math text
goes through matplotlib's own code, untouched.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
from matplotlib.backends import backend_agg
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.ft2font import RenderMode

from dprk_russia.report.textcache import cached

#: matplotlib's own ``draw_text``, which math text still goes through.
_OWN = RendererAgg.draw_text
#: Layouts and glyph bitmaps (see the module's text); each store is emptied at :data:`LIMIT` entries.
_LAYOUTS: dict[tuple, list[tuple]] = {}
_GLYPHS: dict[tuple, tuple[np.ndarray, int, int]] = {}
LIMIT = 50_000


def _layout(font: object, size: float, dpi: float, text: str, flags: object, features: object,
            language: object) -> list[tuple]:
    """Each glyph of ``text`` as (font, glyph index, x, y), as ``FT2Font._layout`` gives it."""
    key = (font, size, dpi, text, flags, features if features is None else tuple(features),
           language if language is None or isinstance(language, str) else tuple(map(tuple, language)))

    def lay_out() -> list[tuple]:
        items = font._layout(text, flags=flags, features=features, language=language)  # type: ignore[attr-defined]
        return [(it.ft_object, it.glyph_index, it.x, it.y) for it in items]

    return cached(_LAYOUTS, key, lay_out, LIMIT)  # type: ignore[return-value]


def _rasterise(ft_object: object, size: float, dpi: float, matrix: np.ndarray, px: int, py: int,
               glyph_index: int, flags: object, antialiased: bool) -> tuple[np.ndarray, int, int]:
    """The glyph's bitmap at (px, py) (FreeType's 1/64 pixels), as RendererAgg renders it, and its
    left and top edges less the whole pixels of (px, py)."""
    ft_object.set_size(size, dpi)  # type: ignore[attr-defined]
    ft_object._set_transform(matrix, [px, py])  # type: ignore[attr-defined]
    mode = RenderMode.NORMAL if antialiased else RenderMode.MONO
    bitmap = ft_object._render_glyph(glyph_index, flags, mode)  # type: ignore[attr-defined]
    buffer = np.array(bitmap.buffer)  # a copy: FreeType reuses its glyph slot
    if not antialiased:
        buffer *= 0xFF
    return buffer, bitmap.left - (px >> 6), bitmap.top - (py >> 6)


def draw_text(self: RendererAgg, gc: object, x: float, y: float, s: str, prop: object, angle: float,
              ismath: object = False, mtext: object = None) -> None:
    """``RendererAgg.draw_text`` with layouts and glyph bitmaps kept (see the module's text)."""
    if ismath:
        return _OWN(self, gc, x, y, s, prop, angle, ismath, mtext)
    font = self._prepare_font(prop)
    flags = get_hinting_flag()
    size = prop.get_size_in_points()  # type: ignore[attr-defined]
    dpi = self.dpi
    glyphs = _layout(
        font, size, dpi, s, flags,
        mtext.get_fontfeatures() if mtext is not None else None,  # type: ignore[attr-defined]
        mtext.get_language() if mtext is not None else None,  # type: ignore[attr-defined]
    )
    # as RendererAgg._draw_text_glyphs_and_boxes, for glyphs of slant 0 and extend 1 (plain text)
    cos = math.cos(math.radians(angle))
    sin = math.sin(math.radians(angle))
    matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[1, 0], [0, 1]]).round().astype(int)
    antialiased = gc.get_antialiased()  # type: ignore[attr-defined]
    height = self.height
    canvas_height = int(height)
    draw = self._renderer.draw_text_image
    for ft_object, glyph_index, dx, dy in glyphs:  # dy is upwards
        px = round(0x40 * (x + dx * cos - dy * sin))
        py = round(0x40 * (height - y + dx * sin + dy * cos))  # FreeType's y is upwards
        key = (ft_object, size, dpi, angle, glyph_index, flags, antialiased, px & 0x3F, py & 0x3F)
        kept = _GLYPHS.get(key)  # (the common case first: a glyph kept already)
        if kept is None:
            glyph = partial(_rasterise, ft_object, size, dpi, matrix, px, py, glyph_index, flags, antialiased)
            kept = cached(_GLYPHS, key, glyph, LIMIT)
        buffer, left, top = kept
        # draw_text_image's y is downwards & the bitmap's bottom side
        draw(buffer, left + (px >> 6), canvas_height - (top + (py >> 6)) + buffer.shape[0], 0, gc)
    return None


def install() -> None:
    """Draw text on Agg canvases through :func:`draw_text` from now on, in this process (idempotent)."""
    backend_agg.RendererAgg.draw_text = draw_text  # type: ignore[method-assign]
