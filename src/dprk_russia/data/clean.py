"""Raw claims -> tidy, typed claims with parsed dates, precision, midpoint and labels."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from dprk_russia.data.io import read_csv
from dprk_russia.data.schema import read_raw_frames
from dprk_russia.data.vocab import ESTIMATOR_TYPES, check_as_of

PRECISION_BY_LENGTH = {4: "year", 7: "month", 10: "day"}
#: Columns of claims that clean_claims handles as codes into their distinct values: it looks them
#: up in a table or parses them.
CODED = ("indicator", "source_id", "estimator", "period_start", "period_end", "published")
#: Columns of claims that the processed table copies as they are.
RAW_COPIED = ("claim_id", "indicator", "qualifier", "basis", "estimator", "estimator_type", "source_id",
              "note", "scope", "checked", "period_start", "period_end", "published")

#: Columns of the processed claims table, in order, with their meaning (the data dictionary).
PROCESSED_COLUMNS: dict[str, str] = {
    "claim_id": "Stable id from data/raw/claims.csv.",
    "indicator": "Key into data/raw/indicators.csv.",
    "label_en": "English label of the indicator.",
    "label_de": "German label of the indicator.",
    "unit": "Unit of value_low/value_high.",
    "direction": "dprk_to_russia, russia_to_dprk or deployment.",
    "kind": "cumulative, period_total, snapshot, rate or share.",
    "value_low": "Lower figure (float; empty when the source gave no number).",
    "value_high": "Upper figure (float; equals value_low for a single figure).",
    "value_mid": "Midpoint (value_low + value_high) / 2.",
    "value_range": "value_high - value_low.",
    "has_value": "True when the source gave a number.",
    "qualifier": "exact, about, over, at_least, up_to, nearly or range.",
    "basis": "assessed, capacity, forecast or official.",
    "period_start": "Start of the period the figure covers, as given (ISO, any precision).",
    "period_start_precision": "year, month or day (empty when not given).",
    "period_start_date": "First day covered by period_start.",
    "period_end": "End of the period (the 'as of' date), as given.",
    "period_end_precision": "year, month or day (empty when not given).",
    "period_end_date": "Last day covered by period_end.",
    "published": "Publication date as given.",
    "published_precision": "year, month or day.",
    "published_date": "Last day covered by published (a month-only date counts from month end).",
    "date": "Representative date: period_end_date capped at published_date; published_date "
    "when no period end is given or the claim is a forecast; for a repeat, the date of the claim it repeats.",
    "estimator": "Who made the estimate.",
    "estimator_type": "intelligence, government, multilateral, think_tank, media or party.",
    "estimator_label_en": "English label of the estimator (data/raw/estimators.csv).",
    "estimator_label_de": "German label of the estimator.",
    "warring_party": "yes when the estimator is a body of Russia, the DPRK or Ukraine.",
    "estimator_colour": "Fixed chart colour of the estimator (estimators.csv `colour`); empty: grey.",
    "source_id": "Key into data/raw/sources.csv.",
    "publisher": "Outlet of the page we read.",
    "source_title": "Title of the page we read.",
    "source_url": "URL of the page we read.",
    "via": "Agency or outlet the page relays, if any.",
    "source_kind": "original, official, relay or aggregator (data/raw/sources.csv kind; empty if not given).",
    "original_url": "URL of the original publication when the page we read relays it and the original is in "
    "data/raw/sources.csv (original_source_id); empty otherwise.",
    "note": "Our own summary of the claim.",
    "scope": "total, or part when the figure covers only part of what the indicator measures "
    "(one ship, one unit, one week); parts are kept out of charts, consensus and contradiction checks.",
    "checked": "yes when the figure was re-read on the cited page; no when it could not be re-checked.",
    "repeat_of": "claim_id of the earlier claim whose figure this page repeats as if current (empty for new "
    "figures); a repeat sits at that claim's date and is not a new estimate.",
}


# ---- the files the notebooks write for the report (documented in the processed-data dictionary)

#: The findings files in report order (one per notebook that writes findings).
FINDINGS_PARTS = ("dataset", "shipments", "oil", "deployments", "consensus", "backtest")

#: Columns of every findings file (see dprk_russia.analysis.findings).
FINDINGS_COLUMNS = {
    "key": "Dotted name of the finding the report quotes (e.g. `ship.containers.newest`).",
    "value": "The number (empty when the finding is a date); a claim's midpoint when it quotes one.",
    "low": "The low end when the finding quotes a claim given as a range, else empty.",
    "high": "The high end when the finding quotes a claim given as a range, else empty.",
    "unit": "How it is formatted: count, share, multiple, ratio, days, barrels, date, or flag (1 yes, 0 no).",
    "date": "ISO date the finding refers to (empty when none).",
    "claim_ids": "Claims behind the number, ';'-separated.",
    "estimator": "Who made the figure (key into data/raw/estimators.csv), when one estimator did.",
    "qualifier": "The claim's qualifier (about, over, ...), when the finding quotes one claim.",
}

#: Tables written only for the report (documented in the processed-data dictionary).
REPORT_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "transfers": (
        "Transfers from Russia to North Korea other than oil, one row per distinct estimate "
        "(relays of the same figure within 30 days count once).",
        {
            "claim_id": "The earliest claim carrying the estimate.",
            "indicator": "Indicator key.",
            "date": "Representative date.",
            "estimator": "Estimator.",
            "has_value": "Whether a number was given.",
            "value_low": "Low value (empty when no number was given).",
            "value_high": "High value.",
            "qualifier": "Qualifier.",
            "basis": "Basis.",
            "relays": "How many claims (pages) carry the estimate.",
            "relay_ids": "Their claim ids, ';'-separated.",
            "note": "Our summary (English), from the first claim.",
        },
    ),
    "sent_back": (
        "What Russia sent back, one row per kind of item (indicator) of transfers.csv, in the "
        "report's order: how many distinct estimates, and the newest counted figure.",
        {
            "indicator": "Indicator key: the kind of item.",
            "estimates": "Distinct estimates of this kind (rows of transfers.csv).",
            "estimators": "Distinct estimators behind them.",
            "with_figure": "Estimates that give a number.",
            "rule": "How the figure below was chosen: newest (the newest counted figure: assessed or "
            "official, for the whole indicator, not a repeat; by the date it refers to, ties: the "
            "larger, the later published) or none (no counted figure: the newest statement).",
            "claim_id": "The claim carrying that figure (the first of its relays).",
            "has_value": "Whether it gives a number.",
            "value_low": "Low value (empty when no number was given).",
            "value_high": "High value.",
            "qualifier": "Qualifier.",
            "basis": "Basis.",
            "estimator": "Estimator.",
            "period_start": "Start of the period it covers, as given (empty when not stated).",
            "period_end": "End of the period it covers, as given.",
            "date": "Representative date.",
            "relay_ids": "The claims (pages) carrying the figure, ';'-separated.",
            "key": "True for the kinds the key findings show (air defence, aircraft, technology, "
            "money, food and goods).",
        },
    ),
}


class _Coded(NamedTuple):
    """A column as codes into its distinct values; the last distinct value is NaN, code -1."""

    codes: np.ndarray
    distinct: np.ndarray

    @classmethod
    def of(cls, values: pd.Series) -> _Coded:
        codes, distinct = pd.factorize(values)
        return cls(codes, np.append(np.asarray(distinct, dtype=object), np.nan))

    def at(self, rows: np.ndarray) -> np.ndarray:
        """The values of ``rows``, taken from the distinct values (cheaper than from the column)."""
        return self.distinct.take(self.codes.take(rows))


def _parse_distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, first and last day covered of each of the distinct ``values`` (see :func:`parse_iso`)."""
    uniq = pd.Index(values.astype(str)).str.strip()
    lengths = uniq.str.len()
    precision = np.array([PRECISION_BY_LENGTH.get(n) for n in lengths], dtype=object)
    padded = np.where(lengths == 4, uniq + "-01-01", np.where(lengths == 7, uniq + "-01", uniq))
    start = pd.to_datetime(
        pd.Series(np.where(pd.notna(precision), padded, None)), format="%Y-%m-%d", errors="coerce"
    )
    end = start.copy()
    is_year, is_month = precision == "year", precision == "month"
    end[is_year] = start[is_year] + pd.offsets.YearEnd(0)
    end[is_month] = start[is_month] + pd.offsets.MonthEnd(0)
    return precision, start.to_numpy(), end.to_numpy()


def parse_iso(values: pd.Series) -> pd.DataFrame:
    """Parse ISO dates of year, month or day precision.

    Returns columns ``precision``, ``start`` (first day covered) and ``end`` (last day
    covered); empty strings give missing values. Parsing works on the distinct values and
    maps back by code, so it stays fast for millions of rows.
    """
    coded = _Coded.of(values)
    precision, start, end = _parse_distinct(coded.distinct)
    codes = coded.codes
    return pd.DataFrame(
        {"precision": precision[codes], "start": start[codes], "end": end[codes]}, index=values.index
    )


def _to_float(low: pd.Series, high: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Low and high values written as text, as numbers, NaN for an empty cell; raises ValueError on
    anything else. A high value written as its low one (a single figure) is converted once."""
    text_low, text_high = low.to_numpy(dtype=object), high.to_numpy(dtype=object)
    num_low = np.where(text_low == "", "nan", text_low).astype(float)
    num_high = num_low.copy()
    other = text_high != text_low
    num_high[other] = np.where(text_high[other] == "", "nan", text_high[other]).astype(float)
    return num_low, num_high


def _rows_in(table: pd.DataFrame, coded: _Coded, rows: np.ndarray) -> np.ndarray:
    """For each of ``rows``, the row of ``table`` (indexed by the key, unique) that its key has,
    -1 where there is none: the rows a left join would take. Looks up each distinct key once."""
    return np.append(table.index.get_indexer(coded.distinct), -1).take(coded.codes.take(rows))


def _take(values: pd.Series, rows: np.ndarray, missing: object = np.nan) -> np.ndarray:
    """``values`` at ``rows`` as an object array, ``missing`` where the row is -1 (NaN, as a left
    join gives)."""
    arr = values.to_numpy(dtype=object)
    return np.append(arr, missing).take(rows) if (rows < 0).any() else arr.take(rows)


def read_raw(raw_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Read the five raw files as strings (no type guessing, empty cells stay '').

    Uses the same reader as validation (:func:`dprk_russia.data.schema.read_raw_frames`), so a file
    that passes ``make validate`` is read here exactly as it was checked. Raises ValueError
    naming file, line and column if a file cannot be read.
    """
    frames, problems = read_raw_frames(raw_dir)
    if problems:
        shown = Path(raw_dir).as_posix().rstrip("/")
        raise ValueError("; ".join(f"{shown}/{p}" for p in problems))
    return {name.removesuffix(".csv"): df.reset_index(drop=True) for name, df in frames.items()}


def parse_estimator_types(spec: str | Iterable[str] | None) -> list[str]:
    """Turn ``"all"``, ``""``, ``"intelligence,government"`` or a list into a checked list."""
    if spec is None:
        return list(ESTIMATOR_TYPES)
    items = [t.strip() for t in (spec.replace(" ", ",").split(",") if isinstance(spec, str) else spec)]
    items = [t for t in items if t]
    if not items or items == ["all"]:
        return list(ESTIMATOR_TYPES)
    unknown = sorted(set(items) - set(ESTIMATOR_TYPES))
    if unknown:
        raise ValueError(
            f"unknown estimator type(s) {unknown}; expected 'all' or some of {list(ESTIMATOR_TYPES)}"
        )
    return [t for t in ESTIMATOR_TYPES if t in items]


def clean_claims(
    claims: pd.DataFrame,
    sources: pd.DataFrame,
    indicators: pd.DataFrame,
    as_of: str | None = None,
    estimator_types: str | Iterable[str] | None = None,
    estimators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return the tidy claims table described by :data:`PROCESSED_COLUMNS`.

    ``estimators`` is the registry (data/raw/estimators.csv) giving the estimator labels;
    without it the labels repeat the estimator and ``warring_party`` is empty.

    ``as_of`` keeps only claims published on or before that ISO date (a claim published
    with month precision counts from the month's last day). ``estimator_types`` keeps
    only those estimator types. Rows are sorted by indicator, date and claim_id.
    """
    # every column is computed for the rows kept, in the final order: a column copied from claims is
    # gathered once, and a column that is parsed or looked up in a table comes from its distinct values
    low, high = _to_float(claims["value_low"], claims["value_high"])
    coded = {col: _Coded.of(claims[col]) for col in CODED}
    parsed = {
        col: _parse_distinct(coded[col].distinct) for col in ("period_start", "period_end", "published")
    }
    period_end = pd.Series(parsed["period_end"][2].take(coded["period_end"].codes))
    published = pd.Series(parsed["published"][2].take(coded["published"].codes))

    date = period_end.where(period_end.notna(), published)
    date = date.where(date <= published, published)
    date = date.where(claims["basis"].to_numpy() != "forecast", published).to_numpy(copy=True)
    repeat_of = claims["repeat_of"].fillna("").to_numpy() if "repeat_of" in claims.columns else None
    if repeat_of is not None and (repeats := repeat_of != "").any():
        # a repeated old figure sits at the date of the claim it repeats (NaT if there is none)
        repeated = _Coded.of(pd.Series(repeat_of[repeats]))
        found = pd.Index(repeated.distinct).get_indexer(claims["claim_id"].to_numpy())
        date_of = np.full(len(repeated.distinct), np.datetime64("NaT"), dtype=date.dtype)
        date_of[found[found >= 0]] = date[found >= 0]
        date[repeats] = date_of.take(repeated.codes)

    keep = claims["estimator_type"].isin(parse_estimator_types(estimator_types)).to_numpy(copy=True)
    if as_of:
        if problem := check_as_of(as_of):
            raise ValueError(problem)
        keep &= (published <= pd.Timestamp(as_of)).to_numpy()
    rows = np.flatnonzero(keep)

    # sort by indicator, date, then claim_id (as strings, in code point order)
    indicator = coded["indicator"]
    ind_rank = pd.factorize(indicator.distinct, sort=True)[0].take(indicator.codes.take(rows))
    ids = claims["claim_id"].to_numpy().take(rows).astype(str)
    days = date.take(rows).astype("datetime64[ns]").astype("int64")
    rows = rows.take(np.lexsort((ids, days, ind_rank)))

    out: dict[str, pd.Series] = {}

    def put(col: str, values: np.ndarray, dtype: object = "object") -> None:
        out[col] = pd.Series(values, dtype=dtype, copy=False)

    for col in RAW_COPIED:
        values = coded[col].at(rows) if col in coded else claims[col].to_numpy().take(rows)
        put(col, values, claims[col].dtype)
    if repeat_of is None:
        put("repeat_of", np.full(len(rows), "", dtype=object), "str")
    else:
        put("repeat_of", repeat_of.take(rows), claims["repeat_of"].dtype)
    put("value_low", low.take(rows), None)
    put("value_high", high.take(rows), None)
    put("value_mid", (out["value_low"] + out["value_high"]).to_numpy() / 2, None)
    put("value_range", (out["value_high"] - out["value_low"]).to_numpy(), None)
    put("has_value", out["value_low"].notna().to_numpy(), None)
    for col, (precision, start, end) in parsed.items():
        codes = coded[col].codes.take(rows)
        put(f"{col}_precision", precision.take(codes), "str")
        put(f"{col}_date", (start if col == "period_start" else end).take(codes), None)
    put("date", date.take(rows), None)

    ind = indicators.set_index("indicator")
    at = _rows_in(ind, indicator, rows)
    for col in ("label_en", "label_de", "unit", "direction", "kind"):
        put(col, _take(ind[col], at))
    src = sources.set_index("source_id")
    at = _rows_in(src, coded["source_id"], rows)
    for col, name in (("publisher", "publisher"), ("source_title", "title"), ("source_url", "url"),
                      ("via", "via")):
        put(col, _take(src[name], at))
    put("source_kind", _take(src["kind"], at, "") if "kind" in src.columns else np.full(len(rows), ""), "str")
    if "original_source_id" in src.columns:
        url = np.append(src["url"].to_numpy(dtype=object), "")
        original = src.index.get_indexer(src["original_source_id"])
        put("original_url", np.append(url.take(original), "").take(at), "str")
    else:
        put("original_url", np.full(len(rows), ""), "str")
    if estimators is not None:
        reg = estimators.set_index("estimator")
        if "colour" not in reg:
            reg = reg.assign(colour="")
        at = _rows_in(reg, coded["estimator"], rows)
        for col, name in (("estimator_label_en", "label_en"), ("estimator_label_de", "label_de"),
                          ("warring_party", "warring_party"), ("estimator_colour", "colour")):
            put(col, _take(reg[name], at), reg[name].dtype)
    else:
        # (copies: a column that shares another's array would change with it)
        put("estimator_label_en", out["estimator"].to_numpy(copy=True))
        put("estimator_label_de", out["estimator"].to_numpy(copy=True))
        put("warring_party", np.full(len(rows), "", dtype=object), "str")
        put("estimator_colour", np.full(len(rows), "", dtype=object), "str")
    # (copy=False: the columns are new; combining them into blocks would copy each once more)
    return pd.DataFrame({col: out[col] for col in PROCESSED_COLUMNS}, copy=False)


def load_processed(path: str | Path) -> pd.DataFrame:
    """Read a processed claims CSV back with its types."""
    df = read_csv(path)
    for col in ("value_low", "value_high", "value_mid", "value_range"):
        df[col] = pd.to_numeric(df[col].replace("", np.nan)).astype(float)
    df["has_value"] = df["has_value"] == "True"
    for col in ("period_start_date", "period_end_date", "published_date", "date"):
        df[col] = pd.to_datetime(df[col].replace("", None), format="%Y-%m-%d")
    return df


def data_dictionary_markdown() -> str:
    """The processed-data dictionary as Markdown (written next to the processed files)."""
    from dprk_russia.data.dictionary import TABLES

    def table(columns: dict[str, str]) -> list[str]:
        return ["| column | meaning |", "|---|---|"] + [f"| `{k}` | {v} |" for k, v in columns.items()]

    lines = [
        "# Processed data dictionary",
        "",
        "Generated from `dprk_russia` by `notebooks/1.0-clean-claims.py` (claims, sources, events) and the",
        "2.x notebooks (analysis tables); never edited by hand. Dates are ISO `YYYY-MM-DD`. Text cells that",
        "start with `=`, `+`, `-`, `@`, a tab or a carriage return (after any quotes) are prefixed with `'`",
        "so that spreadsheets do not run them; `dprk_russia.data.io.read_csv` removes that quote again.",
        "",
        "## claims.csv",
        "",
        "Tidy, typed claims: one published figure per row.",
        "",
        *table(PROCESSED_COLUMNS),
        "",
        "## sources.csv, events.csv and estimators.csv",
        "",
        "The raw files, limited to the sources, events and estimators within the cut-off",
        "(see data/raw/README.md).",
        "",
    ]
    for name, (purpose, columns) in TABLES.items():
        lines += [f"## {name}.csv", "", purpose, "", *table(columns), ""]
    for name, (purpose, columns) in REPORT_TABLES.items():
        lines += [f"## {name}.csv", "", purpose, "", *table(columns), ""]

    names = ", ".join(f"`findings_{p}.csv`" for p in FINDINGS_PARTS)
    purpose = "The numbers the report quotes, one row each, written by the notebook that found them."
    lines += [f"## {names}", "", purpose, "", *table(FINDINGS_COLUMNS), ""]
    return "\n".join(lines)
