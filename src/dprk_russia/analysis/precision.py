"""Rounding that means something: the precision at which the analysis states its numbers.

The analysis rounds derived estimates before it writes them, and the report formats what it
reads; both use these functions, so a number is rounded once, in one way.
"""

from __future__ import annotations

import math


def round_sig(value: float, digits: int = 3) -> float:
    """Round to ``digits`` significant digits (1,327,273 -> 1,330,000), for derived estimates."""
    if not value or math.isnan(value):
        return value
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))
