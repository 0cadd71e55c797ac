"""Rounding that means something: the precision at which the analysis states its numbers.

The analysis rounds derived estimates before it writes them, and the report formats what it
reads; both use these functions, so a number is rounded once, in one way.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd


def round_sig(value: float, digits: int = 3) -> float:
    """Round to ``digits`` significant digits (1,327,273 -> 1,330,000), for derived estimates."""
    if not value or math.isnan(value):
        return value
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


#: Significant digits of every number the analysis writes from a fit or a transcendental
#: function (pooled curves and bands, estimator effects, backtest errors, band distances). The
#: fits converge to a projected gradient below 1e-9 (``optimise.GRADIENT_TOL``), which fixes
#: these numbers to about 1e-12 relative on any CPU (measured: 1e-13 between two OpenBLAS kernel
#: sets), so six digits are the same everywhere, with a margin of a million. Six rather than
#: the report's three, so that rounding twice (six, then three for the text) does not move a
#: shown number, and numbers derived from the rounded curves (a 98% edge from the 80% band)
#: keep their report precision.
FIT_DIGITS = 6


def round_sig_array(values: Iterable[float], digits: int = FIT_DIGITS) -> np.ndarray:
    """Each value rounded to ``digits`` significant digits (correctly rounded, via its decimal
    form); NaN and infinities are kept."""
    out = np.asarray(list(values), dtype=float).copy()
    for i, v in enumerate(out):
        if np.isfinite(v) and v != 0:
            out[i] = float(f"{v:.{digits}g}")
    return out


def round_columns(df: pd.DataFrame, columns: Iterable[str], digits: int = FIT_DIGITS) -> pd.DataFrame:
    """A copy of ``df`` with ``columns`` rounded to ``digits`` significant digits."""
    out = df.copy()
    for col in columns:
        if len(out):
            out[col] = round_sig_array(pd.to_numeric(out[col], errors="coerce"), digits)
    return out
