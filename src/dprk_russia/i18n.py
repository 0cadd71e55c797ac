"""Language-dependent text and number/date formatting (babel)."""

from __future__ import annotations

import math

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LANGS = ("en", "de")
LOCALES = {"en": "en_GB", "de": "de_DE"}

TEXT: dict[str, dict[str, str]] = {
    "source": {"en": "Source", "de": "Quelle"},
    "sources_compiled": {
        "en": "estimates compiled in the dprk-russia dataset",
        "de": "Schätzungen zusammengestellt im Datensatz dprk-russia",
    },
    "date": {"en": "Date of estimate", "de": "Datum der Schätzung"},
    "other_estimators": {"en": "other estimators", "de": "weitere Schätzer"},
    "assessed": {"en": "assessed", "de": "geschätzt"},
    "capacity": {"en": "capacity conversion", "de": "Kapazitätsumrechnung"},
    "forecast": {"en": "forecast / planned", "de": "Prognose / geplant"},
    "official": {"en": "official statement", "de": "offizielle Angabe"},
    "cap": {"en": "UN cap: 500,000 barrels a year", "de": "UN-Obergrenze: 500.000 Barrel pro Jahr"},
    "annualised": {"en": "annualised deliveries", "de": "hochgerechnete Jahresmenge"},
    "barrels_per_year": {"en": "barrels per year", "de": "Barrel pro Jahr"},
    "band": {"en": "assumed plausible band", "de": "angenommene plausible Spanne"},
    "rounds_per_container": {"en": "rounds per container", "de": "Geschosse pro Container"},
    "share_of_force": {"en": "share of deployed force (%)", "de": "Anteil an entsandter Truppe (%)"},
    "pooled_band": {"en": "pooled estimate, 80% band", "de": "gepoolte Schätzung, 80-%-Band"},
    "spread_title": {
        "en": "Figures of the last six months, relative to the pooled estimate at their date",
        "de": "Zahlen der letzten sechs Monate im Verhältnis zur gepoolten Schätzung an ihrem Datum",
    },
    "spread_xlabel": {
        "en": "multiple of the pooled estimate (grey: 80% band at the cut-off)",
        "de": "Vielfaches der gepoolten Schätzung (grau: 80-%-Band am Stichtag)",
    },
}


def t(key: str, lang: str) -> str:
    """The text ``key`` in ``lang``."""
    return TEXT[key][lang]


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported, else raise a clear error."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; expected one of {LANGS}")
    return lang


def label(indicators: pd.DataFrame, indicator: str, lang: str) -> str:
    """The label of ``indicator`` in ``lang`` from indicators.csv."""
    return str(indicators.set_index("indicator").at[indicator, f"label_{lang}"])


def unit(indicators: pd.DataFrame, indicator: str, lang: str) -> str:
    """The unit of ``indicator`` in ``lang`` from indicators.csv."""
    col = "unit" if lang == "en" else f"unit_{lang}"
    return str(indicators.set_index("indicator").at[indicator, col])


def num(value: float | int | None, lang: str, digits: int = 0) -> str:
    """Format a number for ``lang`` (en 20,000; de 20.000); empty text for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    fmt = "#,##0" if digits == 0 else "#,##0." + "0" * digits
    return format_decimal(round(float(value), digits), format=fmt, locale=LOCALES[lang])


def round_sig(value: float, digits: int = 3) -> float:
    """Round to ``digits`` significant digits (1,327,273 -> 1,330,000), for derived estimates."""
    if not value or math.isnan(value):
        return value
    return round(value, digits - 1 - int(math.floor(math.log10(abs(value)))))


def num_range(low: float, high: float, lang: str, digits: int = 0) -> str:
    """``low–high`` or a single number when both are equal."""
    if low == high or (isinstance(high, float) and math.isnan(high)):
        return num(low, lang, digits)
    return f"{num(low, lang, digits)}–{num(high, lang, digits)}"


def pct(share: float, lang: str) -> str:
    """Format a share (0.36) as a percentage for ``lang``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return format_percent(share, locale=LOCALES[lang])


def day(value: pd.Timestamp | None, lang: str) -> str:
    """Format a date for ``lang`` (en 29 May 2025; de 29. Mai 2025)."""
    if value is None or pd.isna(value):
        return "–"
    return format_date(pd.Timestamp(value).date(), format="long", locale=LOCALES[lang])
