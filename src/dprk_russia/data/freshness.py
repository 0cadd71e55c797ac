"""How fresh the data is: the newest published figure and the newest reading of a source.

``python -m dprk_russia.data.freshness [RAW_DIR]`` prints a warning when the newest figure was
published more than :data:`STALE_MONTHS` months before the sources were last read.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from dprk_russia.data.schema import read_raw_csv
from dprk_russia.data.vocab import iso_bounds

STALE_MONTHS = 6


def _newest(values: pd.Series) -> str:
    """The newest of some ISO dates of any precision, as given (ranked by last day covered)."""
    best, best_end = "", None
    for v in sorted(set(values.dropna().astype(str).str.strip())):
        b = iso_bounds(v) if v else None
        if b and (best_end is None or b[1] > best_end or (b[1] == best_end and len(v) > len(best))):
            best, best_end = v, b[1]
    return best


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def freshness(claims: pd.DataFrame, sources: pd.DataFrame) -> dict[str, object]:
    """Freshness of ``claims`` (raw or processed) read from ``sources``.

    Returns ``figures_published_up_to`` (the newest claim ``published``, as given),
    ``sources_read_up_to`` (the newest ``accessed`` of the sources the claims cite),
    ``months_between`` (whole months from the newest figure to that reading, counted from
    the figure's last possible day) and ``stale`` (more than :data:`STALE_MONTHS` months).
    """
    used = sources[sources["source_id"].isin(set(claims["source_id"]))]
    published = _newest(claims["published"])
    read = _newest(used["accessed"])
    if not published or not read:
        return {
            "figures_published_up_to": published,
            "sources_read_up_to": read,
            "months_between": None,
            "stale": False,
        }
    pub_end = iso_bounds(published)[1]
    read_end = iso_bounds(read)[1]
    limit = pd.Timestamp(pub_end) + pd.DateOffset(months=STALE_MONTHS)
    return {
        "figures_published_up_to": published,
        "sources_read_up_to": read,
        "months_between": max(_months_between(pub_end, read_end), 0),
        "stale": bool(pd.Timestamp(read_end) > limit),
    }


def freshness_json(info: dict[str, object]) -> str:
    """Deterministic JSON text for ``data/processed/freshness.json``."""
    return json.dumps(info, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def stale_warning(info: dict[str, object]) -> str | None:
    """A one-line warning when the data is stale, else None."""
    if not info.get("stale"):
        return None
    return (
        f"warning: the newest figure was published {info['figures_published_up_to']}, "
        f"{info['months_between']} months before the sources were last read ({info['sources_read_up_to']}); "
        f"search for newer figures"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the freshness of the raw data and a warning when it is stale; always exit 0."""
    from dprk_russia import RAW_DIR

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_dir", nargs="?", default=str(RAW_DIR))
    args = parser.parse_args(argv)
    raw = Path(args.raw_dir)
    read = {n: read_raw_csv(raw / f"{n}.csv") for n in ("claims", "sources")}
    info = freshness(read["claims"], read["sources"])
    print(
        f"[fresh] figures published up to {info['figures_published_up_to']}; "
        f"sources read up to {info['sources_read_up_to']}"
    )
    warning = stale_warning(info)
    if warning:
        print(warning, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
