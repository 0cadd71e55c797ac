"""Language-dependent text and number/date formatting (babel)."""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd
from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from dprk_russia.analysis.precision import round_sig  # noqa: F401  (the report rounds as the analysis does)
from dprk_russia.data.vocab import LANGS

LOCALES = {"en": "en_GB", "de": "de_DE"}

TEXT: dict[str, dict[str, str]] = {
    "source": {"en": "Source", "de": "Quelle"},
    "sources_compiled": {
        "en": "estimates compiled in the dprk-russia dataset",
        "de": "Schätzungen zusammengestellt im Datensatz dprk-russia",
    },
    "date": {"en": "Date of estimate", "de": "Datum der Schätzung"},
    "other_estimators": {"en": "other estimators", "de": "weitere Urheber"},
    "assessed": {"en": "assessed", "de": "geschätzt"},
    "capacity": {"en": "capacity conversion", "de": "Kapazitätsumrechnung"},
    "forecast": {"en": "forecast / planned", "de": "Prognose / geplant"},
    "official": {"en": "official statement", "de": "offizielle Angabe"},
    "cap": {"en": "UN cap: 500,000 barrels a year", "de": "UN-Obergrenze: 500.000 Barrel pro Jahr"},
    "annualised": {"en": "annualised deliveries", "de": "hochgerechnete Jahresmenge"},
    "barrels_per_year": {"en": "barrels per year", "de": "Barrel pro Jahr"},
    "band": {"en": "assumed plausible band", "de": "angenommener plausibler Bereich"},
    "band_shaded": {
        "en": "shaded: assumed plausible band",
        "de": "schattiert: angenommener plausibler Bereich",
    },
    "rounds_per_container": {"en": "rounds per container", "de": "Geschosse pro Container"},
    "share_of_force": {"en": "share of deployed force (%)", "de": "Anteil an entsandter Truppe (%)"},
    "pooled_band": {"en": "pooled estimate, 80% band", "de": "gepoolte Schätzung, 80-%-Bereich"},
    "lower_bound": {"en": "lower bound (more than, at least)", "de": "Untergrenze (mehr als, mindestens)"},
    "upper_bound": {"en": "upper bound (up to, nearly)", "de": "Obergrenze (bis zu, fast)"},
    "doubtful": {"en": "weighed down: probably a total", "de": "heruntergewichtet: wohl eine Gesamtzahl"},
    "period_rise": {
        "en": "total for a period, as a rise",
        "de": "Summe für einen Zeitraum, als Zuwachs",
    },
    "band_top": {"en": "band reaches", "de": "Bereich reicht bis"},
    "spread_title": {
        "en": "Figures of the last six months, relative to the pooled estimate at their date",
        "de": "Zahlen der letzten sechs Monate im Verhältnis zur gepoolten Schätzung an ihrem Datum",
    },
    "spread_xlabel": {
        "en": "multiple of the pooled estimate (grey: 80% band at the cut-off)",
        "de": "Vielfaches der gepoolten Schätzung (grau: 80-%-Bereich am Stichtag)",
    },
    "share_of_force_title": {"en": "Share of deployed force", "de": "Anteil an entsandter Truppe"},
    "rounds_per_container_title": {
        "en": "Rounds per container implied by each source's container and round figures",
        "de": "Geschosse pro Container, abgeleitet aus Container- und Geschosszahl je Quelle",
    },
    "pairs_assessed": {"en": "round figures counted", "de": "geschätzte Geschosszahlen"},
    "pairs_capacity": {
        "en": "round figures converted from capacity",
        "de": "aus Kapazität umgerechnete Geschosszahlen",
    },
    "period_covered": {"en": "Period covered by the figure", "de": "Zeitraum der Angabe"},
    "headline_title": {
        "en": "The core questions: pooled estimates up to the newest figure, held flat to the "
        "cut-off ({cut})",
        "de": "Die Kernfragen: gepoolte Schätzungen bis zur neuesten Zahl, danach bis zum Stichtag "
        "({cut}) fortgeschrieben",
    },
    "headline_newest": {"en": "newest figure behind the estimate", "de": "neueste Zahl hinter der Schätzung"},
    "headline_held": {
        "en": "held flat after it (no newer figure)",
        "de": "danach fortgeschrieben (keine neuere Zahl)",
    },
    "headline_source": {
        "en": "Source: pooled estimates (see Methodology) of the figures compiled in the "
        "dprk-russia dataset.",
        "de": "Quelle: gepoolte Schätzungen (siehe Methodik) aus den im Datensatz dprk-russia "
        "zusammengestellten Zahlen.",
    },
    "headline_none": {
        "en": "No pooled estimate at this cut-off.",
        "de": "Keine gepoolte Schätzung zu diesem Stichtag.",
    },
    # qualifiers of a figure, as they precede the number in tooltips
    "q_exact": {"en": "", "de": ""},
    "q_range": {"en": "", "de": ""},
    "q_about": {"en": "about", "de": "etwa"},
    "q_over": {"en": "more than", "de": "mehr als"},
    "q_at_least": {"en": "at least", "de": "mindestens"},
    "q_up_to": {"en": "up to", "de": "bis zu"},
    "q_nearly": {"en": "nearly", "de": "fast"},
}


#: The figure downloads (``reports/<lang>/figures/<stem>.csv``) in a language other than English:
#: column headers, and the words for the qualifier and basis codes (indicator and estimator are
#: shown by their labels in that language). English keeps the codes of ``data/processed``.
FIGURE_CSV: dict[str, dict[str, dict[str, str]]] = {
    "de": {
        "columns": {
            "claim_id": "angabe",
            "indicator": "indikator",
            "estimator": "urheber",
            "value_low": "wert_unten",
            "value_high": "wert_oben",
            "qualifier": "zusatz",
            "basis": "grundlage",
            "date": "datum",
            "published": "veröffentlicht",
            "source_url": "quelle_url",
        },
        "qualifier": {
            "exact": "genau",
            "range": "Spanne",
            "about": "etwa",
            "over": "mehr als",
            "at_least": "mindestens",
            "up_to": "bis zu",
            "nearly": "fast",
        },
        "curve_columns": {
            "indicator": "indikator",
            "date": "datum",
            "estimate": "schätzung",
            "low": "unten",
            "high": "oben",
            "newest_evidence": "neuester_beleg",
            "held_flat": "fortgeschrieben",
        },
        "yes_no": {"True": "ja", "False": "nein"},
        "basis": {
            "assessed": "geschätzt",
            "capacity": "Kapazitätsumrechnung",
            "forecast": "Prognose",
            "official": "offiziell",
        },
    },
}


def curve_table(rows: pd.DataFrame, ind: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A download of pooled curves (the headline chart's rows) in ``lang``: in English as the data
    have it; in another language (:data:`FIGURE_CSV`) with its headers, indicator labels and
    yes/no words. Numbers stay plain, dates ISO."""
    words = FIGURE_CSV.get(lang)
    if not words:
        return rows
    labels = ind.set_index("indicator")[f"label_{lang}"] if len(ind) else pd.Series(dtype=str)
    yes_no = words["yes_no"]
    out = rows.assign(
        indicator=rows["indicator"].map(lambda v: labels.get(v, v)),
        held_flat=rows["held_flat"].map(lambda v: yes_no[str(bool(v))]),
    )
    return out.rename(columns=words["curve_columns"])


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
    rounded = round(float(value), digits)
    # the sign bit is part of the key: -0.0 == 0.0 but babel may format them differently
    return _decimal(rounded, math.copysign(1.0, rounded) < 0, digits, LOCALES[lang])


@lru_cache(maxsize=65536)
def _decimal(value: float, negative: bool, digits: int, locale: str) -> str:
    """babel's formatting, memoised: tick labels ask for the same few numbers on every draw."""
    fmt = "#,##0" if digits == 0 else "#,##0." + "0" * digits
    return format_decimal(value, format=fmt, locale=locale)


def num_range(low: float, high: float, lang: str, digits: int = 0) -> str:
    """``low–high`` or a single number when both are equal."""
    if low == high or (isinstance(high, float) and math.isnan(high)):
        return num(low, lang, digits)
    return f"{num(low, lang, digits)}–{num(high, lang, digits)}"


def pct(share: float, lang: str, digits: int = 0) -> str:
    """Format a share (0.545) as a percentage for ``lang`` (en 54.5%, de 54,5 %)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    pattern = Locale.parse(LOCALES[lang]).percent_formats[None].pattern  # en '#,##0%', de '#,##0 %'
    fmt = pattern if digits == 0 else pattern.replace("0", "0." + "0" * digits, 1)
    return format_percent(share, format=fmt, locale=LOCALES[lang])


def published(text: str, lang: str) -> str:
    """A date given at day, month or year precision ('2024-03-18', '2024-03', '2024'), in ``lang``."""
    if len(text) == 10:
        return day(pd.Timestamp(text), lang)
    if len(text) == 7:
        return format_date(pd.Timestamp(text + "-01").date(), format="MMMM y", locale=LOCALES[lang])
    return text


def period(start: str, end: str, lang: str) -> str:
    """The period a figure covers, from its ISO start and end at the precision given: '2024' (a
    whole year), 'January–June 2025' (months of one year), '1 March 2024 – 31 December 2024';
    only the end when no start is given."""
    start, end = str(start or ""), str(end or "")
    if not start or start == end:
        return published(end or start, lang)
    if start[:4] == end[:4] and {len(start), len(end)} == {4, 7}:  # a year and a month of it
        start, end = (start if len(start) == 7 else start + "-01"), (end if len(end) == 7 else end + "-12")
    if start[:4] == end[:4] and len(start) == len(end) == 7:
        if (start[5:], end[5:]) == ("01", "12"):
            return start[:4]
        first = format_date(pd.Timestamp(start + "-01").date(), format="MMMM", locale=LOCALES[lang])
        return f"{first}–{published(end, lang)}"
    return f"{published(start, lang)} – {published(end, lang)}"


def day(value: pd.Timestamp | None, lang: str) -> str:
    """Format a date for ``lang`` (en 29 May 2025; de 29. Mai 2025)."""
    if value is None or pd.isna(value):
        return "–"
    return format_date(pd.Timestamp(value).date(), format="long", locale=LOCALES[lang])
