"""Raw claims -> tidy, typed claims with parsed dates, precision, midpoint and labels."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from dprk_russia.data.io import read_csv
from dprk_russia.data.schema import read_raw_frames
from dprk_russia.data.vocab import ESTIMATOR_TYPES, check_as_of

PRECISION_BY_LENGTH = {4: "year", 7: "month", 10: "day"}

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


def parse_iso(values: pd.Series) -> pd.DataFrame:
    """Parse ISO dates of year, month or day precision.

    Returns columns ``precision``, ``start`` (first day covered) and ``end`` (last day
    covered); empty strings give missing values. Parsing works on the distinct values and
    maps back by code, so it stays fast for millions of rows.
    """
    codes, uniq = pd.factorize(values.fillna(""), use_na_sentinel=False)
    uniq = pd.Index(uniq.astype(str)).str.strip()
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
    return pd.DataFrame(
        {
            "precision": precision[codes],
            "start": start.to_numpy()[codes],
            "end": end.to_numpy()[codes],
        },
        index=values.index,
    )


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
    df = claims.copy(deep=False)
    low = df["value_low"].replace("", "nan").astype(float)
    high = df["value_high"].replace("", "nan").astype(float)
    df["value_low"], df["value_high"] = low, high
    df["value_mid"] = (low + high) / 2
    df["value_range"] = high - low
    df["has_value"] = low.notna()

    for col in ("period_start", "period_end", "published"):
        parsed = parse_iso(df[col])
        df[f"{col}_precision"] = parsed["precision"]
        if col == "period_start":
            df["period_start_date"] = parsed["start"]
        else:
            df[f"{col}_date"] = parsed["end"]

    date = df["period_end_date"].where(df["period_end_date"].notna(), df["published_date"])
    date = date.where(date <= df["published_date"], df["published_date"])
    df["date"] = date.where(df["basis"] != "forecast", df["published_date"])
    df["repeat_of"] = df["repeat_of"].fillna("") if "repeat_of" in df.columns else ""
    repeats = df["repeat_of"] != ""
    if repeats.any():  # a repeated old figure sits at the date of the claim it repeats
        date_by_id = pd.Series(df["date"].to_numpy(), index=df["claim_id"])
        df.loc[repeats, "date"] = df.loc[repeats, "repeat_of"].map(date_by_id).to_numpy()

    keep = df["estimator_type"].isin(parse_estimator_types(estimator_types))
    if as_of:
        if problem := check_as_of(as_of):
            raise ValueError(problem)
        keep &= df["published_date"] <= pd.Timestamp(as_of)
    if not keep.all():  # filtering copies every column: skip it when nothing is dropped
        df = df[keep]

    ind = indicators.set_index("indicator")[["label_en", "label_de", "unit", "direction", "kind"]]
    df = df.join(ind, on="indicator")
    src = sources.set_index("source_id")[["publisher", "title", "url", "via"]].rename(
        columns={"title": "source_title", "url": "source_url"}
    )
    df = df.join(src, on="source_id")
    if "kind" in sources.columns:
        df["source_kind"] = df["source_id"].map(sources.set_index("source_id")["kind"]).fillna("")
    else:
        df["source_kind"] = ""
    if "original_source_id" in sources.columns:
        by_id = sources.set_index("source_id")
        url = {**dict(zip(by_id.index, by_id["url"], strict=True)), "": ""}
        original = df["source_id"].map(by_id["original_source_id"]).fillna("").astype(str)
        df["original_url"] = original.map(lambda sid: url.get(sid, ""))
    else:
        df["original_url"] = ""
    if estimators is not None:
        reg = estimators.set_index("estimator")
        if "colour" not in reg:
            reg = reg.assign(colour="")
        reg = reg[["label_en", "label_de", "warring_party", "colour"]].rename(
            columns={"label_en": "estimator_label_en", "label_de": "estimator_label_de"}
        )
        reg = reg.rename(columns={"colour": "estimator_colour"})
        df = df.join(reg, on="estimator")
    else:
        df["estimator_label_en"] = df["estimator_label_de"] = df["estimator"]
        df["warring_party"] = df["estimator_colour"] = ""
    # sort by indicator, date, then claim_id; lexsort on codes is much faster than on strings
    ind_codes = pd.factorize(df["indicator"], sort=True)[0]
    id_codes = pd.factorize(df["claim_id"], sort=True)[0]
    order = np.lexsort((id_codes, df["date"].to_numpy(dtype="datetime64[ns]").astype("int64"), ind_codes))
    return df.iloc[order, [df.columns.get_loc(c) for c in PROCESSED_COLUMNS]].reset_index(drop=True)


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
