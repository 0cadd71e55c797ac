"""The raw data files' column schemas and the one way they are read.

The checks are declared per file as pandera column schemas (types, enums, ISO dates,
http(s) URLs, foreign keys); the rules across cells, rows and files, and the validation
pass itself, are in :mod:`dprk_russia.data.rules`.
Parsing problems that pandas cannot even load (invalid UTF-8, another delimiter, ragged
rows, missing columns, empty files) are caught first by :func:`dprk_russia.data.io.read_table`,
the one reader that cleaning uses too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from dprk_russia.data.io import Problem, read_table
from dprk_russia.data.vocab import ESTIMATOR_TYPES, iso_bounds

__all__ = [
    "ESTIMATOR_TYPES",
    "Problem",
    "iso_bounds",
    "read_csv_checked",
    "read_raw_csv",
    "read_raw_frames",
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
    "indicators.csv": ("indicator", "label_en", "label_de", "unit", "unit_de", "direction", "kind"),
    "events.csv": ("date", "event_en", "event_de", "source_id"),
    "estimators.csv": ("estimator", "label_en", "label_de", "type", "country", "warring_party"),
}


#: Invisible characters that Unicode does not class as format (Cf): Hangul fillers, the braille
#: blank, the combining grapheme joiner and the variation selectors.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f") | frozenset(map(chr, range(0xFE00, 0xFE10)))


def _odd(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return (
        cat in ("Cf", "Cc", "Zl", "Zp")
        or (cat == "Zs" and ch != " ")
        or ch in _INVISIBLE
        or 0xE0100 <= ord(ch) <= 0xE01EF  # variation selectors supplement
    )


def odd_character(value: str) -> tuple[int, str] | None:
    """Position (1-based) and character of the first invisible, format (Cf), control or non-ASCII
    space character in ``value``, or None."""
    return next(((i, ch) for i, ch in enumerate(value, 1) if _odd(ch)), None)


def has_visible_text(value: str) -> bool:
    """True if ``value`` shows something: not empty, not only spaces or invisible characters."""
    return any(not (ch.isspace() or _odd(ch)) for ch in value)


#: The type of every column: no type at all, as every cell is read as text (:func:`read_table`),
#: so that validation does not test the type of each of a hundred thousand cells again.
TEXT = None


def per_value(values: pd.Series, func: Callable[[str], object]) -> pd.Series:
    """``func`` of each cell, computed once per distinct value (keys, dates and figures repeat
    across many rows), as a Series aligned with ``values``."""
    codes, uniq = pd.factorize(values, use_na_sentinel=False)
    found = np.empty(len(uniq), dtype=object)
    for i, v in enumerate(uniq):  # one by one: a result may itself be a tuple
        found[i] = func(v)
    return pd.Series(found[codes], index=values.index, dtype=object)


def _iso_days(value: str) -> tuple[date, date] | None:
    """The first and last day of a well-formed ISO date ('2024', '2024-03', '2024-03-18'), else None."""
    return iso_bounds(value) if value and re.fullmatch(ISO_DATE_RE, value) else None


def first_day(value: str) -> date | None:
    """The first day an ISO date covers (:func:`_iso_days`); None if it is none."""
    b = _iso_days(value)
    return b[0] if b else None


def last_day(value: str) -> date | None:
    """The last day an ISO date covers (:func:`_iso_days`); None if it is none."""
    b = _iso_days(value)
    return b[1] if b else None


def _valid_iso(value: str) -> bool:
    # Only judge values of the right shape; the format check reports the others.
    if not re.fullmatch(ISO_DATE_RE, value):
        return True
    return iso_bounds(value) is not None


def _text(required: bool = True, **kw) -> pa.Column:
    # a label drawn in a chart or written in the report must show something (invisible characters
    # count as spaces)
    blank = pa.Check(
        lambda s: per_value(s, has_visible_text).astype(bool), error="must not be empty or only spaces"
    )
    return pa.Column(TEXT, checks=[blank] if required else [], **kw)


def _regex(pattern: str, what: str, optional: bool = False) -> pa.Check:
    # matched as pandas' str.match does (re.match), once per distinct value
    rx = re.compile(f"^$|{pattern}" if optional else pattern)
    matches = lambda s: per_value(s, lambda v: rx.match(v) is not None).astype(bool)  # noqa: E731
    return pa.Check(matches, error=f"expected {what}")


def _enum(values, what: str) -> pa.Check:
    allowed = frozenset(values)  # held by the check, not copied with the schema (thousands of keys)
    listed = f": one of {', '.join(sorted(allowed))}" if len(allowed) <= 8 else ""
    return pa.Check(lambda s: s.isin(allowed), error=f"expected {what}{listed}")


def _iso_check(optional: bool, day_only: bool = False) -> list[pa.Check]:
    what = "an ISO date YYYY-MM-DD" if day_only else "an ISO date YYYY, YYYY-MM or YYYY-MM-DD"
    pattern = ISO_DAY_RE if day_only else ISO_DATE_RE
    return [
        _regex(pattern, what, optional),
        pa.Check(lambda s: per_value(s, _valid_iso).astype(bool), error="not a calendar date"),
    ]


def column_schemas(
    indicators: set[str], sources: set[str], estimators: set[str]
) -> dict[str, pa.DataFrameSchema]:
    number = [_regex(NUMBER_RE, "a plain non-negative number (no thousands separators)", True)]
    claims = pa.DataFrameSchema(
        {
            "claim_id": pa.Column(
                TEXT,
                checks=[_regex(ID_RE, "a lowercase id [a-z0-9_.-]")],
            ),
            "indicator": pa.Column(TEXT, checks=[_enum(indicators, "a key of indicators.csv")]),
            "value_low": pa.Column(TEXT, checks=number),
            "value_high": pa.Column(TEXT, checks=number),
            "qualifier": pa.Column(TEXT, checks=[_enum(QUALIFIERS, "a qualifier")]),
            "basis": pa.Column(TEXT, checks=[_enum(BASES, "a basis")]),
            "period_start": pa.Column(TEXT, checks=_iso_check(optional=True)),
            "period_end": pa.Column(TEXT, checks=_iso_check(optional=True)),
            "published": pa.Column(TEXT, checks=_iso_check(optional=False)),
            "estimator": pa.Column(TEXT, checks=[_enum(estimators, "an estimator of estimators.csv")]),
            "estimator_type": pa.Column(TEXT, checks=[_enum(ESTIMATOR_TYPES, "an estimator type")]),
            "source_id": pa.Column(TEXT, checks=[_enum(sources, "a source_id of sources.csv")]),
            "note": _text(),
            "checked": pa.Column(TEXT, checks=[_enum(YES_NO, "yes or no")]),
            "scope": pa.Column(TEXT, checks=[_enum(SCOPES, "a scope")]),
        },
        strict=False,
    )
    sources_schema = pa.DataFrameSchema(
        {
            "source_id": pa.Column(
                TEXT,
                checks=[_regex(ID_RE, "a lowercase id [a-z0-9_.-]")],
            ),
            "publisher": _text(),
            "title": _text(),
            "url": pa.Column(TEXT, checks=[_regex(URL_RE, "an http(s) URL")]),
            "published": pa.Column(TEXT, checks=_iso_check(optional=True)),
            "accessed": pa.Column(TEXT, checks=_iso_check(optional=False, day_only=True)),
            "language": pa.Column(TEXT, checks=[_regex(r"^[a-z]{2}$", "an ISO 639-1 code")]),
            "via": _text(required=False),
            # optional columns: validated when present
            "remark": pa.Column(TEXT, required=False),
            "kind": pa.Column(TEXT, checks=[_enum(SOURCE_KINDS, "a source kind")], required=False),
            "original_source_id": pa.Column(
                TEXT, checks=[_enum(sources | {""}, "empty or a source_id of sources.csv")], required=False
            ),
        },
        strict=False,
    )
    indicators_schema = pa.DataFrameSchema(
        {
            "indicator": pa.Column(TEXT, checks=[_regex(ID_RE, "a lowercase id")]),
            "label_en": _text(),
            "label_de": _text(),
            "unit": _text(),
            "unit_de": _text(),
            "direction": pa.Column(TEXT, checks=[_enum(DIRECTIONS, "a direction")]),
            "kind": pa.Column(TEXT, checks=[_enum(KINDS, "a kind")]),
        },
        strict=False,
    )
    events = pa.DataFrameSchema(
        {
            "date": pa.Column(TEXT, checks=_iso_check(optional=False, day_only=True)),
            "event_en": _text(),
            "event_de": _text(),
            "source_id": pa.Column(TEXT, checks=[_enum(sources, "a source_id of sources.csv")]),
        },
        strict=False,
    )
    estimators_schema = pa.DataFrameSchema(
        {
            "estimator": _text(),
            "label_en": _text(),
            "label_de": _text(),
            "type": pa.Column(TEXT, checks=[_enum(ESTIMATOR_TYPES, "an estimator type")]),
            "country": _text(required=False),
            "warring_party": pa.Column(TEXT, checks=[_enum(YES_NO, "yes or no")]),
            # optional: the fixed chart colour of a frequent estimator, each colour used once
            "colour": pa.Column(
                TEXT,
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
    """Read a raw CSV as strings with :func:`dprk_russia.data.io.read_table`, recording problems.

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


def schema_problems(name: str, df: pd.DataFrame, schema: pa.DataFrameSchema) -> list[Problem]:
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
