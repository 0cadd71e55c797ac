"""The project's controlled vocabularies and date rules that every layer shares.

Standard library only: the parameter checks (:mod:`dprk_russia.build.params`) run with the
system ``python3`` before the environment exists, and the data layer validates with the same
rules.
"""

from __future__ import annotations

import re
from datetime import date

LANGS = ("en", "de")
ESTIMATOR_TYPES = ("intelligence", "government", "multilateral", "think_tank", "media", "party")
#: A release version: calendar versioning YYYY.M.N (``make release VERSION=2027.1.0``).
CALVER_RE = r"(20[0-9]{2})\.(1[0-2]|[1-9])\.(0|[1-9][0-9]*)"


def iso_bounds(value: str) -> tuple[date, date] | None:
    """Return the first and last day covered by an ISO date of precision year, month or day."""
    parts = value.split("-")
    try:
        y = int(parts[0])
        if len(parts) == 1:
            return date(y, 1, 1), date(y, 12, 31)
        m = int(parts[1])
        if len(parts) == 2:
            last = (date(y + (m == 12), m % 12 + 1, 1) - date.resolution) if m else None
            return (date(y, m, 1), last) if last else None
        d = date(y, m, int(parts[2]))
        return d, d
    except (ValueError, IndexError):
        return None


def check_as_of(value: str) -> str | None:
    """Problem with an AS_OF value ('' = no cut-off), or None when it is a real ISO day."""
    if not value:
        return None
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return f"AS_OF must be an ISO date YYYY-MM-DD, got {value!r}"
    try:
        date.fromisoformat(value)
    except ValueError as err:
        return f"AS_OF={value} is not a calendar date ({err})"
    return None


def estimator_types(spec: str) -> list[str] | None:
    """The estimator types named by ``spec`` ('all', '' or a comma list), or None if unknown ones."""
    items = [t for t in re.split(r"[,\s]+", spec.strip()) if t]
    if not items or items == ["all"]:
        return list(ESTIMATOR_TYPES)
    if set(items) - set(ESTIMATOR_TYPES):
        return None
    return [t for t in ESTIMATOR_TYPES if t in items]
