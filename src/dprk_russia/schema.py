"""Validation of the raw data files: one pass, every problem with file, line and column.

The checks are declared per file as pandera column schemas (types, enums, ISO dates,
http(s) URLs, unique ids, foreign keys) plus row-wise rules (low <= high, start <= end).
Parsing problems that pandas cannot even load (invalid UTF-8, another delimiter, ragged
rows, missing columns, empty files) are caught first by :func:`dprk_russia.io.read_table`,
the one reader that cleaning uses too.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .io import Problem, read_table
from .params import ESTIMATOR_TYPES, iso_bounds

__all__ = [
    "ESTIMATOR_TYPES",
    "Problem",
    "iso_bounds",
    "read_csv_checked",
    "read_raw_csv",
    "read_raw_frames",
    "validate_raw",
]

NUMBER_RE = r"^(0|[1-9][0-9]*)(\.[0-9]+)?$"
ISO_DATE_RE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
ISO_DAY_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
URL_RE = r"^https?://[^\s\"'<>]+$"
ID_RE = r"^[a-z0-9][a-z0-9_.-]*$"

QUALIFIERS = ("exact", "about", "over", "at_least", "up_to", "nearly", "range")
BASES = ("assessed", "capacity", "forecast", "official")
COLOUR_RE = r"#[0-9A-Fa-f]{6}"
SCOPES = ("total", "part")
DIRECTIONS = ("dprk_to_russia", "russia_to_dprk", "deployment")
SOURCE_KINDS = ("original", "official", "relay", "aggregator")
KINDS = ("cumulative", "period_total", "snapshot", "rate", "share")
YES_NO = ("yes", "no")

FILES = ("indicators.csv", "sources.csv", "estimators.csv", "claims.csv", "events.csv")

REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "claims.csv": (
        "claim_id",
        "indicator",
        "value_low",
        "value_high",
        "qualifier",
        "basis",
        "period_start",
        "period_end",
        "published",
        "estimator",
        "estimator_type",
        "source_id",
        "note",
        "checked",
        "scope",
    ),
    "sources.csv": (
        "source_id",
        "publisher",
        "title",
        "url",
        "published",
        "accessed",
        "language",
        "via",
    ),
    "indicators.csv": ("indicator", "label_en", "label_de", "unit", "direction", "kind"),
    "events.csv": ("date", "event_en", "event_de", "source_id"),
    "estimators.csv": ("estimator", "label_en", "label_de", "type", "country", "warring_party"),
}


def _valid_iso(value: str) -> bool:
    # Only judge values of the right shape; the format check reports the others.
    if not re.fullmatch(ISO_DATE_RE, value):
        return True
    return iso_bounds(value) is not None


def _text(required: bool = True, **kw) -> pa.Column:
    blank = pa.Check(lambda s: s.str.strip().str.len() > 0, error="must not be empty or only spaces")
    return pa.Column(str, checks=[blank] if required else [], **kw)


def _regex(pattern: str, what: str, optional: bool = False) -> pa.Check:
    pat = f"^$|{pattern}" if optional else pattern
    return pa.Check.str_matches(pat, error=f"expected {what}")


def _enum(values, what: str) -> pa.Check:
    allowed = sorted(values)
    listed = f": one of {', '.join(allowed)}" if len(allowed) <= 8 else ""
    return pa.Check.isin(allowed, error=f"expected {what}{listed}")


def _iso_check(optional: bool, day_only: bool = False) -> list[pa.Check]:
    what = "an ISO date YYYY-MM-DD" if day_only else "an ISO date YYYY, YYYY-MM or YYYY-MM-DD"
    pattern = ISO_DAY_RE if day_only else ISO_DATE_RE
    return [
        _regex(pattern, what, optional),
        pa.Check(lambda s: s.map(_valid_iso), error="not a calendar date"),
    ]


def _schemas(indicators: set[str], sources: set[str], estimators: set[str]) -> dict[str, pa.DataFrameSchema]:
    number = [_regex(NUMBER_RE, "a plain non-negative number (no thousands separators)", True)]
    claims = pa.DataFrameSchema(
        {
            "claim_id": pa.Column(
                str,
                checks=[_regex(ID_RE, "a lowercase id [a-z0-9_.-]")],
            ),
            "indicator": pa.Column(str, checks=[_enum(indicators, "a key of indicators.csv")]),
            "value_low": pa.Column(str, checks=number),
            "value_high": pa.Column(str, checks=number),
            "qualifier": pa.Column(str, checks=[_enum(QUALIFIERS, "a qualifier")]),
            "basis": pa.Column(str, checks=[_enum(BASES, "a basis")]),
            "period_start": pa.Column(str, checks=_iso_check(optional=True)),
            "period_end": pa.Column(str, checks=_iso_check(optional=True)),
            "published": pa.Column(str, checks=_iso_check(optional=False)),
            "estimator": pa.Column(str, checks=[_enum(estimators, "an estimator of estimators.csv")]),
            "estimator_type": pa.Column(str, checks=[_enum(ESTIMATOR_TYPES, "an estimator type")]),
            "source_id": pa.Column(str, checks=[_enum(sources, "a source_id of sources.csv")]),
            "note": _text(),
            "checked": pa.Column(str, checks=[_enum(YES_NO, "yes or no")]),
            "scope": pa.Column(str, checks=[_enum(SCOPES, "a scope")]),
        },
        strict=False,
    )
    sources_schema = pa.DataFrameSchema(
        {
            "source_id": pa.Column(
                str,
                checks=[_regex(ID_RE, "a lowercase id [a-z0-9_.-]")],
            ),
            "publisher": _text(),
            "title": _text(),
            "url": pa.Column(str, checks=[_regex(URL_RE, "an http(s) URL")]),
            "published": pa.Column(str, checks=_iso_check(optional=True)),
            "accessed": pa.Column(str, checks=_iso_check(optional=False, day_only=True)),
            "language": pa.Column(str, checks=[_regex(r"^[a-z]{2}$", "an ISO 639-1 code")]),
            "via": _text(required=False),
            # optional columns: validated when present
            "remark": pa.Column(str, required=False),
            "kind": pa.Column(str, checks=[_enum(SOURCE_KINDS, "a source kind")], required=False),
        },
        strict=False,
    )
    indicators_schema = pa.DataFrameSchema(
        {
            "indicator": pa.Column(str, checks=[_regex(ID_RE, "a lowercase id")]),
            "label_en": _text(),
            "label_de": _text(),
            "unit": _text(),
            "direction": pa.Column(str, checks=[_enum(DIRECTIONS, "a direction")]),
            "kind": pa.Column(str, checks=[_enum(KINDS, "a kind")]),
        },
        strict=False,
    )
    events = pa.DataFrameSchema(
        {
            "date": pa.Column(str, checks=_iso_check(optional=False, day_only=True)),
            "event_en": _text(),
            "event_de": _text(),
            "source_id": pa.Column(str, checks=[_enum(sources, "a source_id of sources.csv")]),
        },
        strict=False,
    )
    estimators_schema = pa.DataFrameSchema(
        {
            "estimator": _text(),
            "label_en": _text(),
            "label_de": _text(),
            "type": pa.Column(str, checks=[_enum(ESTIMATOR_TYPES, "an estimator type")]),
            "country": _text(required=False),
            "warring_party": pa.Column(str, checks=[_enum(YES_NO, "yes or no")]),
            # optional: the fixed chart colour of a frequent estimator, each colour used once
            "colour": pa.Column(
                str,
                checks=[
                    _regex(COLOUR_RE, "a colour #RRGGBB or empty", optional=True),
                    pa.Check(
                        lambda s: ~(s.str.upper().duplicated(keep="first") & (s != "")),
                        element_wise=False,
                        error="colour already used by another estimator",
                    ),
                ],
                required=False,
            ),
        },
        strict=False,
    )
    return {
        "estimators.csv": estimators_schema,
        "claims.csv": claims,
        "sources.csv": sources_schema,
        "indicators.csv": indicators_schema,
        "events.csv": events,
    }


def read_csv_checked(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    """Read a raw CSV as strings with :func:`dprk_russia.io.read_table`, recording problems.

    Returns a DataFrame whose index is the 1-based file line of each row, or None if the
    file cannot be used at all. Ragged rows are reported and left out.
    """
    table = read_table(path, REQUIRED_COLUMNS[Path(path).name], problems)
    if table is None:
        return None
    return pd.DataFrame(
        table.rows, columns=table.header, index=pd.Index(table.lines, name="line"), dtype=object
    )


def read_raw_csv(path: str | Path) -> pd.DataFrame:
    """One raw file as validated (strings, default index); ValueError naming file, line, column."""
    problems: list[Problem] = []
    df = read_csv_checked(Path(path), problems)
    if df is None or problems:
        raise ValueError("; ".join(f"{Path(path).parent.as_posix()}/{p}" for p in problems))
    return df.reset_index(drop=True)


def read_raw_frames(raw_dir: str | Path) -> tuple[dict[str, pd.DataFrame | None], list[Problem]]:
    """Read the raw files the one way validation and cleaning share, with any problems."""
    problems: list[Problem] = []
    frames = {name: read_csv_checked(Path(raw_dir) / name, problems) for name in FILES}
    return frames, problems


def _schema_problems(name: str, df: pd.DataFrame, schema: pa.DataFrameSchema) -> list[Problem]:
    try:
        schema.validate(df, lazy=True)
    except SchemaErrors as err:
        out = []
        fc = err.failure_cases
        for rec in fc.to_dict("records"):
            idx = rec.get("index")
            line = int(idx) if idx is not None and not pd.isna(idx) else 1
            col = rec.get("column") or ""
            check = str(rec.get("check") or "")
            case = rec.get("failure_case")
            msg = _check_message(schema, col, check)
            out.append(Problem(name, line, str(col), f"{msg}, got {case!r}"))
        return out
    return []


def _check_message(schema: pa.DataFrameSchema, col: str, check: str) -> str:
    column = schema.columns.get(col)
    if column is not None:
        for c in column.checks:
            if c.error and (check == c.error or check.startswith(c.name or "\0")):
                return c.error
    return check


ID_COLUMNS = {
    "claims.csv": "claim_id",
    "sources.csv": "source_id",
    "indicators.csv": "indicator",
    "estimators.csv": "estimator",
}


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


def validate_raw_with_warnings(
    raw_dir: str | Path, today: date | None = None
) -> tuple[list[Problem], list[Problem]]:
    """Validate ``raw_dir``: ``(errors, warnings)``; only errors make the data invalid.

    Plausibility checks (:func:`plausibility`) run once the files themselves are valid.
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
    schemas = _schemas(indicators, sources, set(registry or ()))
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
        problems.extend(_schema_problems(name, df, schema))
        problems.extend(_duplicates(name, df))
        problems.extend(_row_rules(name, df, registry))
        if name == "claims.csv":
            problems.extend(_repeat_rules(df))
        problems.extend(_future_dates(name, df, today))
    return sorted(set(problems))
