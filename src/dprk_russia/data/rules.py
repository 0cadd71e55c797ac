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
from datetime import date
from pathlib import Path

import pandas as pd

from dprk_russia.data.io import Problem
from dprk_russia.data.schema import (
    ISO_DATE_RE,
    column_schemas,
    odd_character,
    read_csv_checked,
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


def fold_key(value: str) -> str:
    """A key as a reader sees it: Unicode compatibility form (NFKC), invisible characters dropped,
    runs of whitespace as one space, no spaces around it."""
    text = unicodedata.normalize("NFKC", value)
    text = "".join(ch for ch in text if not (odd_character(ch) and not ch.isspace()))
    return " ".join(text.split())


def _key_problems(name: str, df: pd.DataFrame, keys: dict[str, set[str]]) -> list[Problem]:
    """Keys with an invisible or unusual space character or spaces around them, keys of a file
    that differ from an earlier key only in spacing or Unicode form, and references that match a
    key only after that folding. ``keys`` holds the keys of the files referred to, by column."""
    out: list[Problem] = []
    own = ID_COLUMNS.get(name)
    for col in KEY_COLUMNS.get(name, ()):
        if col not in df.columns:
            continue
        first: dict[str, tuple[str, int]] = {}
        folded = {fold_key(k): k for k in keys.get(col, ())}
        for line, value in df[col].items():
            if not value.strip():
                continue  # empty: the column's schema says whether that is allowed
            odd = odd_character(value)
            if odd:
                pos, ch = odd
                what = unicodedata.name(ch, "a control character")
                msg = (
                    f"key {value!r} contains {what} (U+{ord(ch):04X}) at character {pos}: an invisible "
                    "character or a space other than the plain space; type the key again without it"
                )
            elif value != value.strip():
                msg = f"key {value!r} has spaces around it; write it as {value.strip()!r}"
            elif col == own:
                earlier = first.setdefault(fold_key(value), (value, int(line)))
                if earlier[0] == value:
                    continue
                msg = (
                    f"key {value!r} differs from {earlier[0]!r} (line {earlier[1]}) only in spacing or "
                    "Unicode form (NFKC); use one spelling for one key"
                )
            elif col in KEY_FILES and value not in keys.get(col, ()) and fold_key(value) in folded:
                msg = (
                    f"{value!r} is not a key of {KEY_FILES[col]}: {folded[fold_key(value)]!r} differs "
                    "from it only in spacing or Unicode form (NFKC); write it exactly as there"
                )
            else:
                continue
            out.append(Problem(name, int(line), col, msg))
    return out


#: Significant digits a figure may have: a float keeps 15 exactly, and no published figure has more.
MAX_DIGITS = 15


def _long_numbers(name: str, df: pd.DataFrame) -> list[Problem]:
    """Figures with more than :data:`MAX_DIGITS` significant digits (a 400-digit value would become
    infinity) or that are not finite; the number check reports values of the wrong form."""
    out: list[Problem] = []
    if name != "claims.csv":
        return out
    for col in ("value_low", "value_high"):
        for line, value in df[col].items():
            text = value.strip()
            if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
                continue
            digits = len(text.replace(".", "").lstrip("0"))
            if digits > MAX_DIGITS or not math.isfinite(float(text)):
                shown = text if len(text) <= 24 else f"{text[:12]}…{text[-6:]}"
                msg = (
                    f"a number with {digits} significant digits is too long (at most {MAX_DIGITS}; "
                    f"write the figure as published), got '{shown}'"
                )
                out.append(Problem(name, int(line), col, msg))
    return out


def _duplicates(name: str, df: pd.DataFrame) -> list[Problem]:
    """Ids used more than once, each repeat naming the line where the id was first used."""
    col = ID_COLUMNS.get(name)
    if col is None:
        return []
    first: dict[str, int] = {}
    out = []
    for line, value in df[col].items():
        if value in first:
            msg = f"duplicate id {value!r}: already used on line {first[value]}"
            out.append(Problem(name, int(line), col, msg))
        else:
            first[value] = int(line)
    return out


def _first_day(value: str) -> date | None:
    """First day covered by a well-formed ISO date of any precision, else None."""
    bounds = iso_bounds(value) if re.fullmatch(ISO_DATE_RE, value or "") else None
    return bounds[0] if bounds else None


def _future_dates(name: str, df: pd.DataFrame, today: date) -> list[Problem]:
    """Dates after today (a page cannot have been published or read in the future)."""
    columns = {
        "sources.csv": ("published", "accessed"),
        "claims.csv": ("published",),
        "events.csv": ("date",),
    }
    out = []
    for col in columns.get(name, ()):
        for line, value in df[col].items():
            day = _first_day(value)
            if day and day > today:
                out.append(Problem(name, line, col, f"{value} is in the future (today is {today})"))
    return out


def _row_rules(name: str, df: pd.DataFrame, registry: dict[str, str] | None = None) -> list[Problem]:
    """Rules across the cells of one row; ``registry`` maps each estimator to its type."""
    out: list[Problem] = []
    if name != "claims.csv":
        return out
    for line, row in df.iterrows():
        want = (registry or {}).get(row["estimator"])
        if want is not None and row["estimator_type"] != want:
            out.append(
                Problem(
                    name,
                    line,
                    "estimator_type",
                    f"estimator {row['estimator']!r} has type {want!r} in estimators.csv, "
                    f"got {row['estimator_type']!r}",
                )
            )
        lo, hi = row["value_low"].strip(), row["value_high"].strip()
        if bool(lo) != bool(hi):
            col = "value_high" if lo else "value_low"
            out.append(
                Problem(name, line, col, "value_low and value_high must both be given or both be empty")
            )
        else:
            try:
                if lo and float(lo) > float(hi):
                    out.append(Problem(name, line, "value_high", f"value_low {lo} is above value_high {hi}"))
            except ValueError:
                pass  # reported by the number check
        if lo and hi and row["qualifier"] == "range" and lo == hi:
            out.append(Problem(name, line, "qualifier", "qualifier 'range' needs value_low < value_high"))
        ps, pe = row["period_start"], row["period_end"]
        bs, be = (iso_bounds(ps) if ps else None), (iso_bounds(pe) if pe else None)
        if bs and be and bs[0] > be[1]:
            out.append(Problem(name, line, "period_end", f"period_start {ps} is after period_end {pe}"))
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
    for line, row in df.iterrows():
        ref = row[col].strip()
        if not ref:
            continue
        if ref == row["source_id"]:
            out.append(Problem("sources.csv", line, col, "a page cannot be its own original"))
            continue
        if ref not in kinds:
            continue
        if kinds[ref] not in ORIGINAL_KINDS:
            allowed = ", ".join(ORIGINAL_KINDS)
            msg = f"the original {ref!r} has kind {kinds[ref]!r}; it must be one of {allowed}"
            out.append(Problem("sources.csv", line, col, msg))
        if row["kind"] not in RELAY_KINDS:
            msg = f"only a relay or aggregator names an original; this page has kind {row['kind']!r}"
            out.append(Problem("sources.csv", line, col, msg))
    return out


def _repeat_rules(df: pd.DataFrame) -> list[Problem]:
    """The optional ``repeat_of`` column: a claim id of an earlier row with the same figure."""
    out: list[Problem] = []
    if "repeat_of" not in df.columns:
        return out
    rows = {row["claim_id"]: row for _, row in df.iterrows()}
    for line, row in df.iterrows():
        ref = row["repeat_of"].strip()
        if not ref:
            continue
        orig = rows.get(ref)
        if orig is None or ref == row["claim_id"]:
            out.append(
                Problem("claims.csv", line, "repeat_of", f"expected the claim_id of another row, got {ref!r}")
            )
            continue
        if orig["repeat_of"].strip():
            msg = f"{ref} is itself a repeat of {orig['repeat_of']}; point to the original"
            out.append(Problem("claims.csv", line, "repeat_of", msg))
        same = all(orig[c] == row[c] for c in ("indicator", "value_low", "value_high"))
        if not same:
            msg = f"a repeat must have the indicator and values of {ref}"
            out.append(Problem("claims.csv", line, "repeat_of", msg))
        a, b = iso_bounds(orig["published"]), iso_bounds(row["published"])
        if a and b and a[0] > b[1]:
            msg = f"{ref} was published after this row ({orig['published']} > {row['published']})"
            out.append(Problem("claims.csv", line, "repeat_of", msg))
    return out


def _end(value: str) -> date | None:
    b = iso_bounds(value) if value and re.fullmatch(ISO_DATE_RE, value) else None
    return b[1] if b else None


def _start(value: str) -> date | None:
    b = iso_bounds(value) if value and re.fullmatch(ISO_DATE_RE, value) else None
    return b[0] if b else None


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
        for line, row in sources.iterrows():
            acc = _end(row["accessed"])
            pub = _start(row["published"])
            if acc:
                accessed[row["source_id"]] = acc
            if acc and pub and pub > acc:
                msg = f"published {row['published']} is after accessed {row['accessed']}"
                errors.append(Problem("sources.csv", line, "published", msg))
    for line, row in claims.iterrows():
        pub_start, pub_end = _start(row["published"]), _end(row["published"])
        acc = accessed.get(row["source_id"])
        if acc and pub_start and pub_start > acc:
            msg = f"published {row['published']} is after the source was accessed ({acc.isoformat()})"
            errors.append(Problem(c, line, "published", msg))
        pe = _start(row["period_end"])
        if pe and pub_end and pe > pub_end and row["basis"] != "forecast":
            msg = f"period_end {row['period_end']} is after published {row['published']} (only forecasts may)"
            errors.append(Problem(c, line, "period_end", msg))
    # killed vs total casualties, same estimator and date (period_end, else published)
    counted = claims[(claims["scope"] == "total") & (claims["value_low"] != "")]
    if "repeat_of" in counted.columns:
        counted = counted[counted["repeat_of"].str.strip() == ""]
    when = counted["period_end"].where(counted["period_end"] != "", counted["published"]).map(_end)
    counted = counted.assign(_when=when)
    killed = counted[counted["indicator"] == "killed"]
    total = counted[counted["indicator"] == "casualties_total"]
    pairs = killed.reset_index().merge(total, on=["estimator", "_when"], suffixes=("", "_t"))
    for rec in pairs.to_dict("records"):
        if rec["_when"] is None:
            continue
        try:
            above = float(rec["value_low"]) > float(rec["value_high_t"])
        except ValueError:
            continue  # reported by the number check
        if above:
            same_page = rec["source_id"] == rec["source_id_t"]
            msg = (
                f"killed {rec['value_low']} is above total casualties {rec['value_high_t']} "
                f"({rec['claim_id_t']}) for {rec['estimator']} at {rec['_when'].isoformat()}"
            )
            (errors if same_page else warnings).append(Problem(c, int(rec["line"]), "value_low", msg))
    # the same statement recorded with different bases
    key = ["source_id", "indicator", "value_low", "value_high"]
    withval = claims[claims["value_low"] != ""]
    for _, group in withval.groupby(key, sort=False):
        if group["basis"].nunique() > 1:
            ids = ", ".join(f"{i} ({b})" for i, b in zip(group["claim_id"], group["basis"], strict=True))
            msg = f"same source, indicator and values recorded with different bases: {ids}"
            warnings.append(Problem(c, int(group.index[-1]), "basis", msg))
    return errors, warnings


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
    relays = _relays(sources)
    records = claims.assign(_repeat=marks.fillna("").str.strip(), _index=claims.index).to_dict("records")
    by_figure: dict[tuple[str, str, str], list[dict]] = {}
    for rec in records:
        if rec["value_low"].strip():
            by_figure.setdefault((rec["indicator"], rec["value_low"], rec["value_high"]), []).append(rec)
    for same in by_figure.values():
        same.sort(key=lambda r: (_start(r["published"]) or date.max, r["claim_id"]))
    for rec in records:
        if rec["_repeat"] or NOT_A_REPEAT in rec["note"].lower():
            continue
        why, candidate = [], None
        start = _start(rec["published"])
        for other in by_figure.get((rec["indicator"], rec["value_low"], rec["value_high"]), ()):
            end = _end(other["published"])
            if other is rec or not (start and end) or (start - end).days <= RELAY_WINDOW_DAYS:
                continue
            hand = _same_hand(other, rec, relays)
            if hand:
                candidate = other["_repeat"] or other["claim_id"]
                first = f"{other['claim_id']} published {other['published']}"
                why.append(f"same indicator and values as {first} ({hand})")
                break
        word = REPEAT_WORDS.search(rec["note"])
        if word:
            why.append(f"the note says {word.group(0)!r}")
        if why:
            out.append((rec["_index"], candidate, why))
    return out


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


def validate_raw_with_warnings(
    raw_dir: str | Path, today: date | None = None
) -> tuple[list[Problem], list[Problem]]:
    """Validate ``raw_dir``: ``(errors, warnings)``; only errors make the data invalid.

    Plausibility checks (:func:`plausibility`) and the probable-repeat check
    (:func:`unmarked_repeats`) run once the files themselves are valid.
    """
    errors = validate_raw(raw_dir, today)
    if errors:
        return errors, []
    raw = Path(raw_dir)
    scratch: list[Problem] = []
    claims = read_csv_checked(raw / "claims.csv", scratch)
    sources = read_csv_checked(raw / "sources.csv", scratch)
    if claims is None:
        return sorted(set(scratch)), []
    more, warnings = plausibility(claims, sources)
    warnings += unmarked_repeats(claims, sources)
    return sorted(set(more)), sorted(set(warnings))


def validate_raw(raw_dir: str | Path, today: date | None = None) -> list[Problem]:
    """Validate every raw file in ``raw_dir`` and return all problems found (empty = valid).

    ``today`` (default: the current date) bounds publication and access dates.
    """
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
    return sorted(set(problems))
