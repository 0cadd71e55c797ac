"""Validation rules beyond each column's schema, and the one validation pass.

Per row (low <= high, start <= end, estimator type as registered), per file (unique ids,
dates not in the future), across claims (``repeat_of``) and across files (plausibility:
errors that cannot be right, warnings worth a look, among them probable repeats that
``repeat_of`` does not mark yet). :func:`validate_raw` runs the column
schemas of :mod:`dprk_russia.data.schema` and these rules and returns every problem at once.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from dprk_russia.data.io import Problem
from dprk_russia.data.repeats import (  # noqa: F401  (re-exported: intake and tests use them from here)
    NOT_A_REPEAT,
    RELAY_WINDOW_DAYS,
    REPEAT_WORDS,
    repeat_candidates,
    unmarked_repeats,
)
from dprk_russia.data.schema import (
    column_schemas,
    first_day,
    last_day,
    odd_character,
    per_value,
    read_raw_frames,
    schema_problems,
)
from dprk_russia.data.vocab import iso_bounds

ID_COLUMNS = {
    "claims.csv": "claim_id",
    "sources.csv": "source_id",
    "indicators.csv": "indicator",
    "estimators.csv": "estimator",
}


#: Columns of each raw file that hold a key (its own id first, then references to other files'
#: keys): compared character by character, so an invisible difference would split one key in two.
KEY_COLUMNS = {
    "claims.csv": ("claim_id", "indicator", "estimator", "source_id", "repeat_of"),
    "sources.csv": ("source_id",),
    "indicators.csv": ("indicator",),
    "estimators.csv": ("estimator",),
    "events.csv": ("source_id",),
}
#: The file whose keys a reference column names.
KEY_FILES = {"indicator": "indicators.csv", "estimator": "estimators.csv", "source_id": "sources.csv"}


#: A key of printable ASCII words separated by single spaces: no hidden character, no spaces
#: around it, and its own folded form (NFKC leaves ASCII as it is).
_PLAIN_KEY = re.compile(r"[!-~]+(?: [!-~]+)*")


def fold_key(value: str) -> str:
    """A key as a reader sees it: Unicode compatibility form (NFKC), invisible characters dropped,
    runs of whitespace as one space, no spaces around it."""
    if _PLAIN_KEY.fullmatch(value):
        return value
    text = unicodedata.normalize("NFKC", value)
    text = "".join(ch for ch in text if not (odd_character(ch) and not ch.isspace()))
    return " ".join(text.split())


def _key_form(value: str) -> tuple[str | None, str]:
    """What is wrong with one key cell by itself (a hidden character, spaces around it), else
    None, and the key as a reader sees it (:func:`fold_key`)."""
    if _PLAIN_KEY.fullmatch(value):
        return None, value
    odd = odd_character(value)
    if odd:
        pos, ch = odd
        what = unicodedata.name(ch, "a control character")
        msg = (
            f"key {value!r} contains {what} (U+{ord(ch):04X}) at character {pos}: an invisible "
            "character or a space other than the plain space; type the key again without it"
        )
        return msg, fold_key(value)
    if value != value.strip():
        return f"key {value!r} has spaces around it; write it as {value.strip()!r}", fold_key(value)
    return None, fold_key(value)


def _all_plain(keys: np.ndarray) -> bool:
    """Whether every key is a plain key (:data:`_PLAIN_KEY`), tested on all of them at once."""
    text = "\n".join(keys)
    return text.isascii() and text.count("\n") == len(keys) - 1 and not _NOT_PLAIN.search(text)


#: What makes one of the keys joined by line breaks not plain: another character than printable
#: ASCII and the space, a space at the start or end of a key, two spaces in a row.
_NOT_PLAIN = re.compile(r"[^\n!-~ ]|^ | $|  ", re.MULTILINE)


def _key_problems(name: str, df: pd.DataFrame, keys: dict[str, set[str]]) -> list[Problem]:
    """Keys with an invisible or unusual space character or spaces around them, keys of a file
    that differ from an earlier key only in spacing or Unicode form, and references that match a
    key only after that folding. ``keys`` holds the keys of the files referred to, by column."""
    out: list[Problem] = []
    own = ID_COLUMNS.get(name)
    for col in KEY_COLUMNS.get(name, ()):
        if col not in df.columns:
            continue
        values = df[col]
        values = values[per_value(values, str.strip).to_numpy() != ""]  # empty: the schema decides
        uniq = pd.unique(values)
        if _all_plain(uniq):  # the usual case, checked in one pass: each key is its own folded form
            clean = values
            if col == own:
                continue  # keys that fold alike are then the same key (a duplicate id, reported apart)
        else:
            forms = {v: _key_form(v) for v in uniq}
            msgs = values.map({v: f[0] for v, f in forms.items()})
            for line, msg in msgs[msgs.notna()].items():
                out.append(Problem(name, int(line), col, msg))
            clean = values[msgs.isna()]
        if col == own:
            # a key whose folded form an earlier key has, spelled differently
            folded = clean.map({v: f[1] for v, f in forms.items()})
            first = ~folded.duplicated()
            first_value = pd.Series(clean[first].to_numpy(), index=folded[first].to_numpy())
            first_line = pd.Series(clean.index[first.to_numpy()], index=folded[first].to_numpy())
            earlier = folded.map(first_value)
            for line in clean.index[(clean != earlier).to_numpy()]:
                value, fold = clean[line], folded[line]
                msg = (
                    f"key {value!r} differs from {first_value[fold]!r} (line {int(first_line[fold])}) only "
                    "in spacing or Unicode form (NFKC); use one spelling for one key"
                )
                out.append(Problem(name, int(line), col, msg))
        elif col in KEY_FILES:
            known = keys.get(col, set())
            unknown = [v for v in pd.unique(clean) if v not in known]
            folded_keys = {fold_key(k): k for k in known} if unknown else {}
            for value in unknown:
                if fold_key(value) not in folded_keys:
                    continue
                msg = (
                    f"{value!r} is not a key of {KEY_FILES[col]}: {folded_keys[fold_key(value)]!r} "
                    "differs from it only in spacing or Unicode form (NFKC); write it exactly as there"
                )
                lines = clean.index[(clean == value).to_numpy()]
                out.extend(Problem(name, int(line), col, msg) for line in lines)
    return out


#: Significant digits a figure may have: a float keeps 15 exactly, and no published figure has more.
MAX_DIGITS = 15


def _too_long(value: str) -> str | None:
    """The message for a figure with too many significant digits or not finite, else None."""
    text = value.strip()
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        return None
    digits = len(text.replace(".", "").lstrip("0"))
    if digits > MAX_DIGITS or not math.isfinite(float(text)):
        shown = text if len(text) <= 24 else f"{text[:12]}…{text[-6:]}"
        return (
            f"a number with {digits} significant digits is too long (at most {MAX_DIGITS}; "
            f"write the figure as published), got '{shown}'"
        )
    return None


def _long_numbers(name: str, df: pd.DataFrame) -> list[Problem]:
    """Figures with more than :data:`MAX_DIGITS` significant digits (a 400-digit value would become
    infinity) or that are not finite; the number check reports values of the wrong form."""
    out: list[Problem] = []
    if name != "claims.csv":
        return out
    for col in ("value_low", "value_high"):
        msgs = per_value(df[col], _too_long)
        out.extend(Problem(name, int(line), col, msg) for line, msg in msgs[msgs.notna()].items())
    return out


def _duplicates(name: str, df: pd.DataFrame) -> list[Problem]:
    """Ids used more than once, each repeat naming the line where the id was first used."""
    col = ID_COLUMNS.get(name)
    if col is None:
        return []
    ids = df[col]
    again = ids.duplicated()
    first = pd.Series(ids.index[~again.to_numpy()], index=ids[~again].to_numpy())
    return [
        Problem(name, int(line), col, f"duplicate id {value!r}: already used on line {int(first[value])}")
        for line, value in ids[again].items()
    ]


def _days(values: pd.Series, func: Callable[[str], date | None]) -> np.ndarray:
    """``func`` of each cell (a date or None) as a day number (NaN for None), to compare whole
    columns at once; computed once per distinct value."""
    return per_value(values, lambda v: float(d.toordinal()) if (d := func(v)) else np.nan).to_numpy(float)


def _future_dates(name: str, df: pd.DataFrame, today: date) -> list[Problem]:
    """Dates after today (a page cannot have been published or read in the future)."""
    columns = {
        "sources.csv": ("published", "accessed"),
        "claims.csv": ("published",),
        "events.csv": ("date",),
    }
    out = []
    for col in columns.get(name, ()):
        values = df[col]
        later = _days(values, first_day) > today.toordinal()
        for line, value in values[later].items():
            out.append(Problem(name, int(line), col, f"{value} is in the future (today is {today})"))
    return out


def _number(value: str) -> float:
    """The cell as Python reads a number, NaN when it is none (the number check reports it)."""
    try:
        return float(value)
    except ValueError:
        return np.nan


def _row_rules(name: str, df: pd.DataFrame, registry: dict[str, str] | None = None) -> list[Problem]:
    """Rules across the cells of one row; ``registry`` maps each estimator to its type."""
    out: list[Problem] = []
    if name != "claims.csv":
        return out
    want = df["estimator"].map(registry or {})
    for line in df.index[(want.notna() & (df["estimator_type"] != want)).to_numpy()]:
        est, got = df.at[line, "estimator"], df.at[line, "estimator_type"]
        msg = f"estimator {est!r} has type {want[line]!r} in estimators.csv, got {got!r}"
        out.append(Problem(name, int(line), "estimator_type", msg))
    lo, hi = per_value(df["value_low"], str.strip), per_value(df["value_high"], str.strip)
    has_lo, has_hi = (lo != "").to_numpy(), (hi != "").to_numpy()
    for line in df.index[has_lo != has_hi]:
        col = "value_high" if lo[line] else "value_low"
        msg = "value_low and value_high must both be given or both be empty"
        out.append(Problem(name, int(line), col, msg))
    both = has_lo & has_hi
    low, high = (per_value(v, _number).to_numpy(dtype=float) for v in (lo, hi))
    for line in df.index[both & (low > high)]:
        msg = f"value_low {lo[line]} is above value_high {hi[line]}"
        out.append(Problem(name, int(line), "value_high", msg))
    same = both & (df["qualifier"] == "range").to_numpy() & (lo == hi).to_numpy()
    for line in df.index[same]:
        out.append(Problem(name, int(line), "qualifier", "qualifier 'range' needs value_low < value_high"))
    ps, pe = df["period_start"], df["period_end"]
    start = _days(ps, lambda v: (iso_bounds(v) or (None,))[0] if v else None)
    end = _days(pe, lambda v: (iso_bounds(v) or (None, None))[1] if v else None)
    for line in df.index[start > end]:
        msg = f"period_start {ps[line]} is after period_end {pe[line]}"
        out.append(Problem(name, int(line), "period_end", msg))
    return out


#: Kinds of page that may name an original, and kinds an original may have.
RELAY_KINDS = ("relay", "aggregator")
ORIGINAL_KINDS = ("original", "official")


def _original_rules(df: pd.DataFrame) -> list[Problem]:
    """The optional ``original_source_id`` of sources.csv: the original of a relay or aggregator.

    It must name another row (unknown ids are reported by the column schema), that row must be
    an original or official page, and the row naming it must be a relay or aggregator.
    """
    out: list[Problem] = []
    if "original_source_id" not in df.columns:
        return out
    kinds = dict(zip(df["source_id"], df["kind"], strict=True)) if "kind" in df.columns else {}
    col = "original_source_id"
    refs = df[col].str.strip()
    for line, row in df[(refs != "").to_numpy()].iterrows():  # the few relays that name one
        ref = row[col].strip()
        if ref == row["source_id"]:
            out.append(Problem("sources.csv", int(line), col, "a page cannot be its own original"))
            continue
        if ref not in kinds:
            continue
        if kinds[ref] not in ORIGINAL_KINDS:
            allowed = ", ".join(ORIGINAL_KINDS)
            msg = f"the original {ref!r} has kind {kinds[ref]!r}; it must be one of {allowed}"
            out.append(Problem("sources.csv", int(line), col, msg))
        if row["kind"] not in RELAY_KINDS:
            msg = f"only a relay or aggregator names an original; this page has kind {row['kind']!r}"
            out.append(Problem("sources.csv", int(line), col, msg))
    return out


def _repeat_rules(df: pd.DataFrame) -> list[Problem]:
    """The optional ``repeat_of`` column: a claim id of an earlier row with the same figure."""
    out: list[Problem] = []
    if "repeat_of" not in df.columns:
        return out
    refs = df["repeat_of"].str.strip()
    repeats = df[(refs != "").to_numpy()]
    # the rows named (the last row of an id used twice, as a dict of all rows would keep)
    named = df[df["claim_id"].isin(set(refs[refs != ""])).to_numpy()]
    rows = {r["claim_id"]: r for r in named.to_dict("records")}
    for line, row in zip(repeats.index, repeats.to_dict("records"), strict=True):
        ref = row["repeat_of"].strip()
        orig = rows.get(ref)
        if orig is None or ref == row["claim_id"]:
            msg = f"expected the claim_id of another row, got {ref!r}"
            out.append(Problem("claims.csv", int(line), "repeat_of", msg))
            continue
        if orig["repeat_of"].strip():
            msg = f"{ref} is itself a repeat of {orig['repeat_of']}; point to the original"
            out.append(Problem("claims.csv", int(line), "repeat_of", msg))
        same = all(orig[c] == row[c] for c in ("indicator", "value_low", "value_high"))
        if not same:
            msg = f"a repeat must have the indicator and values of {ref}"
            out.append(Problem("claims.csv", int(line), "repeat_of", msg))
        a, b = iso_bounds(orig["published"]), iso_bounds(row["published"])
        if a and b and a[0] > b[1]:
            msg = f"{ref} was published after this row ({orig['published']} > {row['published']})"
            out.append(Problem("claims.csv", int(line), "repeat_of", msg))
    return out


def _killed_above_total(claims: pd.DataFrame) -> tuple[list[Problem], list[Problem]]:
    """Killed above total casualties for the same estimator and date (period_end, else published):
    ``(errors, warnings)``, an error when both figures are on the same page."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    counted = claims[(claims["scope"] == "total") & (claims["value_low"] != "")]
    counted = counted[counted["indicator"].isin(["killed", "casualties_total"])]
    if "repeat_of" in counted.columns:
        counted = counted[counted["repeat_of"].str.strip() == ""]
    when = per_value(counted["period_end"].where(counted["period_end"] != "", counted["published"]), last_day)
    counted = counted.assign(_when=when, _low=per_value(counted["value_low"], _number).astype(float),
                             _high=per_value(counted["value_high"], _number).astype(float))
    counted = counted[counted["_when"].notna()]
    killed = counted[counted["indicator"] == "killed"].reset_index()
    total = counted[counted["indicator"] == "casualties_total"]
    # only a killed figure above the smallest total of its estimator and date can be above one:
    # pair those alone (relays make the full pairing grow with the square of the copies)
    least = total.groupby(["estimator", "_when"])["_high"].min().rename("_least")
    killed = killed.join(least, on=["estimator", "_when"])
    killed = killed[killed["_low"] > killed["_least"]]
    pairs = killed.merge(total, on=["estimator", "_when"], suffixes=("", "_t"))
    pairs = pairs[pairs["_low"] > pairs["_high_t"]]
    for rec in pairs.to_dict("records"):
        same_page = rec["source_id"] == rec["source_id_t"]
        msg = (
            f"killed {rec['value_low']} is above total casualties {rec['value_high_t']} "
            f"({rec['claim_id_t']}) for {rec['estimator']} at {rec['_when'].isoformat()}"
        )
        (errors if same_page else warnings).append(Problem("claims.csv", int(rec["line"]), "value_low", msg))
    return errors, warnings


def plausibility(claims: pd.DataFrame, sources: pd.DataFrame | None) -> tuple[list[Problem], list[Problem]]:
    """Checks across rows and files that need judgement: returns ``(errors, warnings)``.

    Errors (logic violated): a page published after we read it (sources.csv, and a claim
    whose ``published`` is after its source's ``accessed``); ``period_end`` after
    ``published`` for anything but a forecast; killed above total casualties for the same
    estimator and date on the same page. Warnings (worth a look): the same killed/casualty
    clash across different pages; the same statement (source, indicator, values) recorded
    with different bases.
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    c = "claims.csv"
    accessed: dict[str, date] = {}
    if sources is not None:
        acc = per_value(sources["accessed"], last_day)
        has = acc.notna()
        accessed = dict(zip(sources["source_id"][has], acc[has], strict=True))
        after = _days(sources["published"], first_day) > _days(sources["accessed"], last_day)
        for line in sources.index[after]:
            row = sources.loc[line]
            msg = f"published {row['published']} is after accessed {row['accessed']}"
            errors.append(Problem("sources.csv", int(line), "published", msg))
    published = claims["published"]
    pub_start, pub_end = _days(published, first_day), _days(published, last_day)
    acc_day = claims["source_id"].map({k: float(d.toordinal()) for k, d in accessed.items()})
    for line in claims.index[pub_start > acc_day.to_numpy(dtype=float)]:
        when = accessed[claims.at[line, "source_id"]].isoformat()
        msg = f"published {published[line]} is after the source was accessed ({when})"
        errors.append(Problem(c, int(line), "published", msg))
    pe = _days(claims["period_end"], first_day)
    for line in claims.index[(pe > pub_end) & (claims["basis"] != "forecast").to_numpy()]:
        pe_text = claims.at[line, "period_end"]
        msg = f"period_end {pe_text} is after published {published[line]} (only forecasts may)"
        errors.append(Problem(c, int(line), "period_end", msg))
    more_errors, more_warnings = _killed_above_total(claims)
    errors += more_errors
    warnings += more_warnings
    # the same statement recorded with different bases
    key = ["source_id", "indicator", "value_low", "value_high"]
    withval = claims[claims["value_low"] != ""]
    bases = withval.groupby(key, sort=False)["basis"].transform("nunique")
    for _, group in withval[(bases > 1).to_numpy()].groupby(key, sort=False):
        ids = ", ".join(f"{i} ({b})" for i, b in zip(group["claim_id"], group["basis"], strict=True))
        msg = f"same source, indicator and values recorded with different bases: {ids}"
        warnings.append(Problem(c, int(group.index[-1]), "basis", msg))
    return errors, warnings


def validate_raw_with_warnings(
    raw_dir: str | Path, today: date | None = None
) -> tuple[list[Problem], list[Problem]]:
    """Validate ``raw_dir``: ``(errors, warnings)``; only errors make the data invalid.

    Plausibility checks (:func:`plausibility`) and the probable-repeat check
    (:func:`unmarked_repeats`) run once the files themselves are valid.
    """
    _, errors, warnings = check_raw(raw_dir, today)
    return errors, warnings


def check_raw(
    raw_dir: str | Path, today: date | None = None
) -> tuple[dict[str, pd.DataFrame | None], list[Problem], list[Problem]]:
    """As :func:`validate_raw_with_warnings`, with the raw files as read (indexed by file line),
    so that a caller needs not read them again."""
    frames, errors = _checked_frames(raw_dir, today)
    if errors:
        return frames, errors, []
    claims, sources = frames["claims.csv"], frames["sources.csv"]  # read once, as checked
    more, warnings = plausibility(claims, sources)
    warnings += unmarked_repeats(claims, sources)
    return frames, sorted(set(more)), sorted(set(warnings))


def validate_raw(raw_dir: str | Path, today: date | None = None) -> list[Problem]:
    """Validate every raw file in ``raw_dir`` and return all problems found (empty = valid).

    ``today`` (default: the current date) bounds publication and access dates.
    """
    return _checked_frames(raw_dir, today)[1]


def _checked_frames(
    raw_dir: str | Path, today: date | None = None
) -> tuple[dict[str, pd.DataFrame | None], list[Problem]]:
    """The raw files as read (:func:`read_raw_frames`) and every problem in them, sorted."""
    today = today or date.today()
    frames, problems = read_raw_frames(raw_dir)
    ind = frames["indicators.csv"]
    src = frames["sources.csv"]
    est = frames["estimators.csv"]
    indicators = set(ind["indicator"]) if ind is not None else set()
    sources = set(src["source_id"]) if src is not None else set()
    registry = dict(zip(est["estimator"], est["type"], strict=True)) if est is not None else None
    schemas = column_schemas(indicators, sources, set(registry or ()))
    keys = {"indicator": indicators, "source_id": sources, "estimator": set(registry or ())}
    for name, df in frames.items():
        if df is None:
            continue
        schema = schemas[name]
        if ind is None and name == "claims.csv":
            schema = schema.remove_columns(["indicator"])
        if src is None and name in ("claims.csv", "events.csv"):
            schema = schema.remove_columns(["source_id"])
        if est is None and name == "claims.csv":
            schema = schema.remove_columns(["estimator"])
        # a key with a hidden character gets that one message, not also "not a key of ..."
        key_problems = _key_problems(name, df, keys)
        cells = {(p.line, p.column) for p in key_problems}
        problems.extend(p for p in schema_problems(name, df, schema) if (p.line, p.column) not in cells)
        problems.extend(key_problems)
        problems.extend(_duplicates(name, df))
        problems.extend(_long_numbers(name, df))
        problems.extend(_row_rules(name, df, registry))
        if name == "claims.csv":
            problems.extend(_repeat_rules(df))
        if name == "sources.csv":
            problems.extend(_original_rules(df))
        problems.extend(_future_dates(name, df, today))
    return frames, sorted(set(problems))
