"""Tables as a notebook shows them: the project's number formatting in a pandas Styler.

Every cell goes through :func:`cell`: numbers with the language's thousands separators
(:func:`dprk_russia.report.i18n.num`), whole numbers as whole numbers (``26,000``, not
``26000.0``), other numbers to three significant digits (``1.00``, ``0.0383``, ``151.8`` shown as
``152``), dates as ISO days, and a dash for every missing value, never ``None``, ``NaN`` or
``NaT``. The table is only formatted for display: the values in the DataFrame are untouched.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date, datetime

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from dprk_russia.report.i18n import num

#: What a missing value shows as.
MISSING = "–"
#: Significant digits of a number that is not whole.
DIGITS = 3
#: Rows shown at most; a longer table shows its first rows and says how many there are.
MAX_ROWS = 60


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def cell(value: object, lang: str = "en") -> str:
    """One value as the table shows it."""
    if _missing(value):
        return MISSING
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return num(int(value), lang)
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isinf(v):
            return "∞" if v > 0 else "−∞"
        if v == round(v):
            return num(v, lang)
        digits = max(0, DIGITS - 1 - math.floor(math.log10(abs(v))))
        return num(v, lang, min(digits, 9))
    if isinstance(value, pd.Timestamp | datetime):
        ts = pd.Timestamp(value)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _frame(data: pd.DataFrame | pd.Series) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        return data.to_frame(name=data.name if data.name is not None else "value")
    return data


def _shown(df: pd.DataFrame, max_rows: int) -> tuple[pd.DataFrame, str]:
    """The rows shown and the caption that says what was left out."""
    if len(df) <= max_rows:
        return df, ""
    return df.head(max_rows), f"first {max_rows} of {len(df)} rows"


def _plain_index(df: pd.DataFrame) -> bool:
    """Whether the index only numbers the rows (an unnamed integer index, as after filtering or
    ``tail``): shown as nothing."""
    return df.index.nlevels == 1 and df.index.name is None and pd.api.types.is_integer_dtype(df.index)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.number | pd.Timestamp | date) and not isinstance(value, bool)


def styled(data: pd.DataFrame | pd.Series, lang: str = "en", max_rows: int = MAX_ROWS) -> Styler:
    """A Styler of ``data`` with every cell (and index label) formatted by :func:`cell`; text
    columns aligned left (a first column of text with room to read as the rows' labels), and
    columns without spaces in their cells (numbers, dates, ids, ranges) kept on one line."""
    df, caption = _shown(_frame(data), max_rows)
    shown = df.map(lambda v: cell(v, lang)).astype(str)  # str also for an empty table (an early cut-off)
    # an id from the table's content, so that an executed notebook is the same from run to run
    # (pandas draws a random one) and two tables on a page never share one
    uid = hashlib.sha1(f"{list(df.columns)}\n{shown.to_csv()}".encode()).hexdigest()[:10]
    styler = Styler(df, uuid=uid, cell_ids=False)
    # columns as wide as their cells need (Lab's own table style spreads them evenly)
    styler = styler.set_table_styles([{"selector": "", "props": "table-layout: auto"}])
    text = [c for c in df.columns if not all(_is_number(v) or _missing(v) for v in df[c])]
    one_line = [c for c in df.columns if not shown[c].str.contains(r"\s").any()]
    if text:
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
        left = [{"selector": "th", "props": "text-align: left"}]
        styler = styler.set_table_styles({c: left for c in text}, overwrite=False)
        if text[0] == df.columns[0]:  # a first column of names reads as the row's label: room for it
            room = min(int(shown[text[0]].str.len().max()) * 0.55, 16)
            styler = styler.set_properties(subset=[text[0]], **{"min-width": f"{room:.1f}em"})
    if one_line:
        styler = styler.set_properties(subset=one_line, **{"white-space": "nowrap"})
    styler = styler.format(lambda v: cell(v, lang), escape="html")
    styler = styler.format_index(lambda v: cell(v, lang), escape="html", axis=0)
    if _plain_index(df):
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    return styler


def plain(data: pd.DataFrame | pd.Series, lang: str = "en", max_rows: int = MAX_ROWS) -> str:
    """The same table as text (for a terminal or a notebook viewer without HTML)."""
    df, caption = _shown(_frame(data), max_rows)
    text = df.map(lambda v: cell(v, lang))
    text.index = [cell(i, lang) for i in df.index]
    out = text.to_string(index=not _plain_index(df))
    return f"{out}\n({caption})" if caption else out
