"""Atomic, deterministic file output, spreadsheet-safe CSV export and the one CSV reader.

Spreadsheet safety is a property of the CSV files only: :func:`write_csv` prefixes cells that
a spreadsheet would run as a formula with ``'`` and :func:`read_csv` removes exactly that
prefix again, so tables, charts and reports always see the original text.

:func:`read_table` is the one reader of the hand-edited raw CSV files, used by validation and
cleaning alike. It needs only the standard library, so that the parameter checks run by the
Makefile can use it before the environment exists.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported lazily: the notebook runner uses this module without it
    import pandas as pd

TMP_PREFIX = ".tmp-"
#: When set, the file to which :func:`atomic_path` appends the path of every file it writes
#: (:mod:`dprk_russia.build.run` sets it, so that a step's stamp lists the files the step wrote).
OUTPUT_LOG_ENV = "DPRK_RUSSIA_OUTPUT_LOG"
#: First characters that make a spreadsheet evaluate a cell (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# a cell is escaped when it starts with a trigger after any number of quotes, so that a text
# that itself starts with a quote survives the round trip write_csv -> read_csv unchanged
_NEEDS_ESCAPE = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")
_CR = re.compile("\r")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` only on success.

    The temporary file is removed if the block raises (including KeyboardInterrupt),
    so an interrupted write never leaves a partial file under the final name. The path written
    is appended to the file named by ``$DPRK_RUSSIA_OUTPUT_LOG`` when that is set.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX + target.stem + ".", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    log = os.environ.get(OUTPUT_LOG_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{target.resolve()}\n")


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 text atomically with Unix newlines."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)


def _is_text(s: pd.Series) -> bool:
    import pandas as pd

    return pd.api.types.is_string_dtype(s) or s.dtype == object


def _matching(s: pd.Series, pattern: re.Pattern[str]) -> pd.Series:
    """Which cells of a text column match ``pattern`` (as text; missing cells never do), tested
    once per distinct value: a hundred thousand rows hold a few thousand texts."""
    import pandas as pd

    hits = [v for v in pd.unique(s.to_numpy()) if not pd.isna(v) and pattern.search(str(v))]
    return s.isin(hits) if hits else pd.Series(False, index=s.index)


def _map_text(
    df: pd.DataFrame, pattern: re.Pattern[str], change: Callable[[pd.Series], pd.Series]
) -> pd.DataFrame:
    """A copy of ``df`` with ``change`` applied to the text cells that match ``pattern``."""
    out = df.copy()
    for col in out.columns:
        if _is_text(out[col]):
            s = out[col]
            mask = _matching(s, pattern)
            if mask.any():
                out[col] = s.astype(object).where(~mask, change(s.astype("string")))
    return out


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a quote ``'``.

    Triggers are ``=``, ``+``, ``-``, ``@``, tab and carriage return at the start of a cell
    (also after leading quotes, which keeps the escape reversible by :func:`unescape`).
    Only text (object/string) columns are touched: numbers such as -1 stay numbers.
    """
    return _map_text(df, _NEEDS_ESCAPE, lambda s: "'" + s)


def unescape(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`spreadsheet_safe`: remove the one quote it added to text cells."""
    return _map_text(df, _ESCAPED, lambda s: s.str.slice(1))


#: How :func:`write_csv` writes a number.
FLOAT_FORMAT = "%.10g"


def _formatted(s: pd.Series) -> pd.Series:
    """A float column as ``to_csv`` writes it with :data:`FLOAT_FORMAT` (missing: empty)."""
    import pandas as pd

    return pd.Series([FLOAT_FORMAT % v if v == v else "" for v in s.to_numpy()], index=s.index, dtype=object)


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as a deterministic, spreadsheet-safe UTF-8 CSV, atomically.

    The csv writer quotes only cells containing ``,``, ``"`` or ``\\n``; a table with a carriage
    return inside a cell (which readers take for a line break) has all its text cells quoted.
    """
    text = _csv_text(df)
    return write_text(path, _pandas_csv_text(df) if text is None else text)


def _pandas_csv_text(df: pd.DataFrame) -> str:
    """What :func:`write_csv` writes, by pandas' ``to_csv`` (any table)."""
    import pandas as pd

    safe = spreadsheet_safe(df)
    has_cr = any(_matching(safe[c], _CR).any() for c in safe if _is_text(safe[c]))
    quoting = csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL
    if quoting == csv.QUOTE_MINIMAL:  # numbers as pandas writes them, each distinct one formatted once
        safe = safe.assign(**{c: _formatted(safe[c]) for c in safe if pd.api.types.is_float_dtype(safe[c])})
    return safe.to_csv(index=False, lineterminator="\n", float_format=FLOAT_FORMAT, quoting=quoting)


def _csv_cell(value: str) -> str:
    """One text cell as the csv module writes it (minimal quoting, ``\\n`` line ends)."""
    if "," in value or '"' in value or "\n" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_cells(s: pd.Series) -> list[str] | None:
    """Each cell of ``s`` as :func:`write_csv` writes it with minimal quoting (text escaped by
    :func:`spreadsheet_safe`, numbers in :data:`FLOAT_FORMAT`, dates as ``YYYY-MM-DD``, missing
    empty), each distinct value formatted once; None for a column of a kind this does not
    foresee, or text holding a carriage return (both left to pandas)."""
    import numpy as np
    import pandas as pd

    if not _is_text(s) and not isinstance(s.dtype, np.dtype):
        return None  # nullable and other extension types
    if s.dtype.kind == "f":  # distinct bit patterns: factorising the numbers would merge 0.0 and -0.0
        bits = np.ascontiguousarray(s.to_numpy(dtype=np.float64)).view(np.int64)
        codes, uniq = pd.factorize(bits)
        cells = [FLOAT_FORMAT % v if v == v else "" for v in uniq.view(np.float64)]
        return np.array(cells, dtype=object)[codes].tolist()
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    values = list(uniq)
    kind = s.dtype.kind
    if _is_text(s):
        if not all(type(v) is str for v in values) or any("\r" in v for v in values):
            return None
        cells = ["'" + v if _NEEDS_ESCAPE.match(v) else v for v in values]
    elif kind == "b":
        cells = [str(bool(v)) for v in values]
    elif kind in "iu":
        cells = [str(int(v)) for v in values]
    elif kind == "M" and getattr(s.dtype, "tz", None) is None:
        days = pd.DatetimeIndex(uniq)
        if not (days == days.normalize()).all():
            return None
        cells = list(days.strftime("%Y-%m-%d"))
    else:
        return None
    # code -1 (missing) takes the empty cell appended last
    table = np.array([_csv_cell(c) for c in cells] + [""], dtype=object)
    return table[codes].tolist()


def _csv_text(df: pd.DataFrame) -> str | None:
    """The text :func:`write_csv` writes for ``df`` with minimal quoting, built column by column
    (pandas' ``to_csv`` formats each of a hundred thousand rows' cells in turn), or None where
    this does not foresee the table (pandas writes it then). Byte-identical to the pandas path
    (tests/test_io_i18n.py compares them)."""
    if len(df.columns) < 2 or len(df) == 0 or not all(type(c) is str for c in df.columns):
        return None  # one column writes an empty cell as '""'; an empty table as pandas does
    if df.columns.has_duplicates:
        return None
    columns = []
    for name in df.columns:
        cells = _csv_cells(df[name])
        if cells is None:
            return None
        columns.append(cells)
    header = ",".join(_csv_cell(c) for c in df.columns)
    return "\n".join([header, *map(",".join, zip(*columns, strict=True)), ""])


def read_csv(path: str | os.PathLike[str], text: bool = True) -> pd.DataFrame:
    """Read a CSV written by :func:`write_csv` back with the original cell text.

    ``text=True`` keeps every cell as a string ('' for empty); ``False`` lets pandas infer
    numbers. Either way the spreadsheet escape is removed.
    """
    import pandas as pd

    if text:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    else:
        df = pd.read_csv(path, encoding="utf-8")
    return unescape(df)


# ---- the raw CSV reader shared by validation and cleaning (standard library only)


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in an input file, located by file, 1-based line and column name."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        col = f", column '{self.column}'" if self.column else ""
        return f"{self.file}:{self.line}{col}: {self.message}"


@dataclass
class Table:
    """A raw CSV file as read by :func:`read_table`: header, rows and their file lines."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def _column_at(raw_line: bytes, offset: int, header: list[str]) -> str:
    """The header name of the field that contains byte ``offset`` of one CSV line."""
    before = raw_line[:offset].decode("utf-8", errors="replace")
    fields = next(csv.reader([before]), [""])
    index = max(len(fields) - 1, 0)
    return header[index] if index < len(header) else ""


def read_table(
    path: str | os.PathLike[str], required: tuple[str, ...], problems: list[Problem]
) -> Table | None:
    """Read one raw CSV file exactly as validation and cleaning both see it.

    UTF-8 (a BOM is allowed), comma-separated, CRLF or LF line ends, one header row. Every
    problem that prevents reading the file (missing or empty file, invalid UTF-8, another
    delimiter, carriage returns alone as line ends, a header name with spaces around it, a
    missing or repeated column, ragged or malformed rows) is appended to ``problems`` with its
    line and column. Blank lines are skipped. Returns None when the file cannot be used at
    all; ragged rows are left out.
    """
    p = Path(path)
    name = p.name
    if not p.exists():
        problems.append(Problem(name, 0, "", "file is missing"))
        return None
    raw = p.read_bytes()
    if not raw.strip():
        problems.append(Problem(name, 1, "", "file is empty (expected a header row and data)"))
        return None
    first_line = raw.split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf")
    if b"\r" in first_line.rstrip(b"\r"):  # lines that end in a carriage return alone
        problems.append(
            Problem(
                name, 1, "", "lines end in a carriage return alone (old Mac format); save the file "
                "with LF or CRLF line ends (in Excel: 'CSV UTF-8')",
            )
        )
        return None
    header = next(csv.reader([first_line.decode("utf-8", errors="replace").rstrip("\r")]), [])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        start = raw.rfind(b"\n", 0, err.start) + 1
        line = raw[: err.start].count(b"\n") + 1
        column = _column_at(raw[start:], err.start - start, header) if line > 1 else ""
        problems.append(
            Problem(
                name,
                line,
                column,
                f"invalid UTF-8 (byte 0x{raw[err.start]:02x}); the file was probably saved as "
                "Windows-1252 or Latin-1: save it as UTF-8 (in Excel: 'CSV UTF-8')",
            )
        )
        return None
    for delimiter, what in ((";", "';'"), ("\t", "tabs")):
        if len(header) <= 1 and delimiter in first_line.decode("utf-8", errors="replace"):
            problems.append(
                Problem(name, 1, "", f"this file uses {what} as delimiter; save it as comma-separated (CSV)")
            )
            return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as err:
        problems.append(Problem(name, 1, "", f"unreadable header: {err}"))
        return None
    bad = False
    for h in header:
        if h != h.strip():
            problems.append(
                Problem(
                    name, 1, h.strip(), f"column name {h!r} has spaces around it; write it as {h.strip()!r}"
                )
            )
            bad = True
    header = [h.strip() for h in header]
    for c in required:
        if c not in header:
            problems.append(Problem(name, 1, c, "required column is missing from the header"))
            bad = True
    for c in sorted({c for c in header if header.count(c) > 1}):
        problems.append(Problem(name, 1, c, "column appears more than once in the header"))
        bad = True
    if bad:
        return None
    table = Table(header)
    try:
        rows = list(reader)
    except csv.Error:
        rows = None  # read again row by row below, which reports where
    if rows is not None and _one_line_each(text, len(rows) + 1):
        # the common case, without a Python step per row: record k is on line k + 2
        width = len(header)
        keep = [len(r) == width and bool("".join(r).strip()) for r in rows]
        if all(keep):
            table.rows, table.lines = rows, list(range(2, len(rows) + 2))
        else:
            for i, row in enumerate(rows):
                _take_row(row, i + 2, width, name, table, problems)
    else:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        next(reader)
        if not _read_rows(reader, header, name, table, problems):
            return None
    if not table.rows:
        problems.append(Problem(name, 2, "", "file has a header but no data rows"))
        return None
    return table


def _one_line_each(text: str, records: int) -> bool:
    """True when ``text`` has ``records`` lines (LF or CRLF ends, no lone CR), so that each record
    the csv reader returned (blank lines included) is one line: record k is on line k + 1."""
    lf = text.count("\n")
    if text.count("\r") != text.count("\r\n"):
        return False
    return lf + (0 if text.endswith("\n") else 1) == records


def _take_row(
    row: list[str], line: int, width: int, name: str, table: Table, problems: list[Problem]
) -> None:
    """Add a record starting on ``line`` to ``table``: a blank one is skipped, a ragged one
    (not ``width`` fields) is reported and left out."""
    if not "".join(row).strip():
        return
    if len(row) != width:
        problems.append(Problem(name, line, "", f"ragged row: {len(row)} fields, header has {width}"))
        return
    table.rows.append(row)
    table.lines.append(line)


def _read_rows(reader, header: list[str], name: str, table: Table, problems: list[Problem]) -> bool:
    """The rows after the header, one at a time with the line each starts on (records that span
    lines); blank lines skipped, ragged rows reported and left out. False for malformed CSV."""
    start = 2
    try:
        for row in reader:
            line = start
            start = reader.line_num + 1
            _take_row(row, line, len(header), name, table, problems)
    except csv.Error as err:
        problems.append(Problem(name, reader.line_num, "", f"malformed CSV: {err}"))
        return False
    return True
