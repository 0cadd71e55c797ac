"""Probable repeats: rows that pass on an older figure as if it were new, with ``repeat_of`` empty.

A validation warning (:func:`unmarked_repeats`) and a check of new rows by ``make intake``
(:func:`repeat_candidates`). Each figure's rows are indexed by hand (estimator, outlet relayed),
so the search stays fast when relays give one figure thousands of rows.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from dprk_russia.data.io import Problem
from dprk_russia.data.schema import first_day, last_day, per_value

#: Relays of one statement published within this many days of the first are copies, not repeats
#: (the same window the analysis uses to count a relayed figure once).
RELAY_WINDOW_DAYS = 30
#: Words in a note that say the page passes on an older figure.
REPEAT_WORDS = re.compile(
    r"\b(background|repeat(?:s|ed|ing)?|restat(?:es|ed|ing|ement)|old figure|earlier figure)\b",
    re.IGNORECASE,
)
#: The phrase that says a row was looked at and is not a repeat (the note then says why).
NOT_A_REPEAT = "not a repeat"


def _relays(sources: pd.DataFrame | None) -> dict[str, tuple[str, str]]:
    """source_id -> (via, publisher) of the page, for the 'same relay' test."""
    if sources is None:
        return {}
    via = sources["via"] if "via" in sources.columns else pd.Series("", index=sources.index)
    return {
        sid: (v.strip(), p.strip())
        for sid, v, p in zip(sources["source_id"], via, sources["publisher"], strict=True)
    }


def _same_hand(earlier: dict, later: dict, relays: dict[str, tuple[str, str]]) -> str | None:
    """Why ``later`` comes from the same hand as ``earlier`` (estimator or relay), else None."""
    if earlier["estimator"] == later["estimator"]:
        return f"estimator {later['estimator']!r}"
    via_e, pub_e = relays.get(earlier["source_id"], ("", ""))
    via_l, _ = relays.get(later["source_id"], ("", ""))
    if via_e and via_e == via_l:
        return f"both pages relay {via_e}"
    if later["estimator"] in (via_e, pub_e):
        return f"{later['estimator']} relayed {earlier['claim_id']}"
    return None


def repeat_candidates(
    claims: pd.DataFrame, sources: pd.DataFrame | None
) -> list[tuple[object, str | None, list[str]]]:
    """Probable repeats whose ``repeat_of`` is empty: ``(index, candidate original, reasons)``.

    A row is a probable repeat when (a) an earlier row has the same indicator, value_low and
    value_high, comes from the same estimator or the same relay (both pages relay the same
    outlet, ``via``, or the row's estimator is the outlet that carried the earlier row), and
    was published more than :data:`RELAY_WINDOW_DAYS` days before (copies of one statement
    within that window are relays, not repeats); or (b) its note calls the figure background,
    repeated, restated, an old or an earlier figure. A note that says ``not a repeat`` (and
    why, e.g. the estimator's own new statement) clears it. The candidate is the earliest
    such row (or the row it repeats), None when only the note gave the row away.
    """
    out: list[tuple[object, str | None, list[str]]] = []
    if claims is None or claims.empty:
        return out
    marks = claims["repeat_of"] if "repeat_of" in claims.columns else pd.Series("", index=claims.index)
    repeat = per_value(marks.fillna(""), str.strip).to_numpy(dtype=object)
    relays = _relays(sources)
    est = claims["estimator"].to_numpy(dtype=object)
    via, publisher = (
        claims["source_id"].map({k: hand[i] for k, hand in relays.items()}).fillna("").to_numpy(dtype=object)
        for i in (0, 1)
    )
    start = per_value(claims["published"], lambda v: _ordinal(first_day(v))).to_numpy(dtype=float)
    end = per_value(claims["published"], lambda v: _ordinal(last_day(v))).to_numpy(dtype=float)
    notes = pd.unique(claims["note"])  # relays repeat a note many times: read each once
    cleared = claims["note"].map({n: NOT_A_REPEAT in n.lower() for n in notes})
    words = claims["note"].map({n: REPEAT_WORDS.search(n) for n in notes})
    open_rows = (repeat == "") & ~cleared.to_numpy(dtype=bool)
    earlier = _earliest_same_hand(claims, est, via, publisher, start, end, open_rows)
    records = claims[["claim_id", "published", "estimator", "source_id"]].to_numpy(dtype=object)
    at = claims.index
    for i in np.flatnonzero(open_rows & ((earlier >= 0) | words.notna().to_numpy())):
        why, candidate = [], None
        if earlier[i] >= 0:
            other, rec = _record(records[earlier[i]]), _record(records[i])
            candidate = repeat[earlier[i]] or other["claim_id"]
            first = f"{other['claim_id']} published {other['published']}"
            why.append(f"same indicator and values as {first} ({_same_hand(other, rec, relays)})")
        word = words.iat[i]
        if word:
            why.append(f"the note says {word.group(0)!r}")
        out.append((at[i], candidate, why))
    return out


def _record(values: np.ndarray) -> dict[str, str]:
    return dict(zip(("claim_id", "published", "estimator", "source_id"), values, strict=True))


def _ordinal(day: date | None) -> float:
    return float(day.toordinal()) if day else np.nan


#: Packing of (segment, day) into one sortable integer: days (and the margin) stay below 2**22.
_DAY_SPAN, _SEGMENT = 2**22, 2**23


def _earliest_same_hand(
    claims: pd.DataFrame,
    est: np.ndarray,
    via: np.ndarray,
    publisher: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    wanted: np.ndarray,
) -> np.ndarray:
    """For each row in ``wanted``, the row position of the first row (earliest published, then
    claim id) with the same figure (indicator, value_low, value_high) and the same hand (as
    :func:`_same_hand` judges it) published more than :data:`RELAY_WINDOW_DAYS` days before it;
    -1 where there is none.

    Relays give one figure thousands of rows, so rather than compare every pair, the rows of
    each figure and hand are ordered and carry the running minimum of their end day: the answer
    is the first row where that minimum is early enough, found by binary search.
    """
    n = len(claims)
    found = np.full(n, -1)
    has = per_value(claims["value_low"], str.strip).to_numpy(dtype=object) != ""
    if not has.any():
        return found
    figure = np.full(n, -1, dtype=np.int64)
    same = claims[has].groupby(["indicator", "value_low", "value_high"], sort=False)
    figure[has] = same.ngroup().to_numpy()
    # the order the rows of a figure are read in: published (first day; undated last), claim id
    start_day = np.where(np.isnan(start), date.max.toordinal(), start)
    ids = pd.factorize(claims["claim_id"], sort=True)[0]
    order = np.lexsort((ids, start_day, figure))
    order = order[has[order]]
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(len(order))
    best = np.full(n, np.iinfo(np.int64).max)
    dated = has & ~np.isnan(end)
    ask = wanted & has & ~np.isnan(start)
    latest = start - RELAY_WINDOW_DAYS - 1  # the last end day far enough before a row
    hands = [  # (whose rows: their key, the asking row's key)
        (est, est, np.ones(n, bool)),
        (via, est, np.ones(n, bool)),  # the later estimator is the outlet relayed ...
        (publisher, est, np.ones(n, bool)),  # ... or the outlet that carried the earlier row
        (via, via, via != ""),  # both pages relay the same outlet
    ]
    for theirs, mine, usable in hands:
        rows, q = np.flatnonzero(dated & usable), np.flatnonzero(ask & usable)
        if not (len(rows) and len(q)):
            continue
        # segment: one figure and one hand; rows in reading order within each
        codes = pd.factorize(np.concatenate([theirs[rows], mine[q]]))[0].astype(np.int64)
        width = int(codes.max()) + 1
        key = figure[rows] * width + codes[: len(rows)]
        order_in = np.lexsort((rank[rows], key))
        rows, key = rows[order_in], key[order_in]
        starts = np.r_[True, key[1:] != key[:-1]]
        segment = np.cumsum(starts) - 1
        # the running minimum of the end day within each segment, in one pass: shifting each
        # segment below the one before keeps a minimum from crossing into the next segment
        least = np.minimum.accumulate(end[rows] - segment * _SEGMENT) + segment * _SEGMENT
        packed = segment * _SEGMENT + (_DAY_SPAN - least).astype(np.int64)
        keys, key_q = key[starts], figure[q] * width + codes[len(rows) :]
        seg_q = np.minimum(np.searchsorted(keys, key_q), len(keys) - 1)
        known = keys[seg_q] == key_q
        q, seg_q = q[known], seg_q[known]
        target = seg_q.astype(np.int64) * _SEGMENT + (_DAY_SPAN - latest[q]).astype(np.int64)
        i = np.searchsorted(packed, target, side="left")
        hit = i < len(rows)
        hit[hit] = segment[i[hit]] == seg_q[hit]
        q, i = q[hit], i[hit]
        best[q] = np.minimum(best[q], rank[rows[i]])
    got = best < np.iinfo(np.int64).max
    found[got] = order[best[got]]
    return found


def unmarked_repeats(claims: pd.DataFrame, sources: pd.DataFrame | None) -> list[Problem]:
    """Warnings (claims.csv, column repeat_of) for :func:`repeat_candidates`."""
    out = []
    for line, _candidate, why in repeat_candidates(claims, sources):
        msg = (
            "probable repeat with empty repeat_of: "
            + "; ".join(why)
            + f". Set repeat_of to the original's claim_id, or write '{NOT_A_REPEAT}' and why in the note"
        )
        out.append(Problem("claims.csv", int(line), "repeat_of", msg))
    return out
