"""Excel export of the processed claims, with a fixed layout and byte-identical output.

Layout (also described in ``datapackage.json``, resource ``claims-xlsx``): sheet ``claims``
holds the columns of ``claims.csv`` in the same order, header in row 1, numbers as numbers,
dates as dates, True/False as booleans; sheet ``notes`` has one row per column (column,
type, description, description_de) and, below, the release, licence and citation.

openpyxl builds a cell object per cell, which takes minutes for a hundred thousand claims, so
:func:`claims_xlsx_bytes` lets openpyxl lay out the workbook from the header and the few rows
that decide its styles, and writes the rows of the claims sheet itself, each cell as openpyxl
writes it (the tests compare the bytes with openpyxl's own).

``make report`` writes it in a step of its own, after cleaning and beside the analyses:
``python -m dprk_russia.publish.export CLAIMS_CSV CLAIMS_XLSX [--stamp STAMP]`` (the stamp
lists the file written, so that deleting it runs the step again).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import re
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from dprk_russia import __version__
from dprk_russia.data.clean import PROCESSED_COLUMNS
from dprk_russia.data.dictionary import PROCESSED_DE, PROCESSED_TYPES
from dprk_russia.data.io import atomic_path, read_csv, write_text

#: Fixed timestamps so that the same data gives the same bytes.
EPOCH = dt.datetime(2023, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
NOTES = [
    ("release", __version__),
    ("licence", "CC BY 4.0 (data), see data/LICENSE.md"),
    ("cite", "see CITATION.cff"),
]


def _typed(value: str, ftype: str) -> object:
    if value == "":
        return None
    if ftype == "number":
        return float(value)
    if ftype == "integer":
        return int(value)
    if ftype == "boolean":
        return value == "True"
    if ftype == "date":
        return dt.datetime.strptime(value, "%Y-%m-%d")
    return value


def claims_workbook(claims_csv: str | Path, rows: list[int] | None = None):
    """Build the workbook from the processed ``claims.csv`` (read as text, typed per column);
    ``rows`` keeps only those data rows (0-based), in that order."""
    df = read_csv(claims_csv)  # the text as written: xlsx cells are typed, no CSV escape needed
    if list(df.columns) != list(PROCESSED_COLUMNS):
        raise ValueError(f"{claims_csv}: columns differ from clean.PROCESSED_COLUMNS")
    return _workbook(df if rows is None else df.iloc[rows])


def _workbook(df):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "claims"
    ws.append(list(PROCESSED_COLUMNS))
    types = [PROCESSED_TYPES.get(c, "string") for c in PROCESSED_COLUMNS]
    for row in df.itertuples(index=False):
        ws.append([_typed(v, t) for v, t in zip(row, types, strict=True)])
    for j, ftype in enumerate(types, start=1):
        if ftype == "date":
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = "yyyy-mm-dd"
        elif ftype == "string":  # text is text, even when it looks like a formula
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                if cell.value is not None:
                    cell.data_type = "s"
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("notes")
    notes.append(["column", "type", "description", "description_de"])
    for col, en in PROCESSED_COLUMNS.items():
        notes.append([col, PROCESSED_TYPES.get(col, "string"), en, PROCESSED_DE[col]])
    notes.append([])
    for key, value in NOTES:
        notes.append([key, value])
    wb.properties.creator = "dprk_russia"
    wb.properties.created = wb.properties.modified = EPOCH
    return wb


def workbook_bytes(wb, rewrite: dict[str, Callable[[bytes], bytes]] | None = None) -> bytes:
    """Serialise ``wb`` with fixed timestamps in the document properties and the zip entries;
    ``rewrite`` maps a part's name to a function that changes its bytes."""
    from openpyxl.writer.excel import ExcelWriter

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            data = src.read(info.filename)
            if rewrite and info.filename in rewrite:
                data = rewrite[info.filename](data)
            dst.writestr(fixed, data)
    return out.getvalue()


#: The part that holds the claims sheet.
CLAIMS_SHEET = "xl/worksheets/sheet1.xml"


def _text_cell(value: str) -> str:
    """What follows ``<c r="..."`` for a text cell, as openpyxl writes it (inline string, cut
    at 32,767 characters, ``xml:space="preserve"`` when spaces surround it)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, IllegalCharacterError

    value = value[:32767]
    if ILLEGAL_CHARACTERS_RE.search(value):
        raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
    stripped = value.strip()
    space = ' xml:space="preserve"' if stripped and value != stripped else ""
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _number(value: object) -> str:
    """A number as openpyxl writes it (``%.16g``; nothing for NaN or infinity)."""
    x = float(value)  # type: ignore[arg-type]
    return "" if math.isnan(x) or math.isinf(x) else "%.16g" % value  # noqa: UP031


def _cell_tail(text: str, ftype: str, style: str) -> str:
    """What follows ``<c r="..."`` for one cell of the claims sheet: its attributes and value,
    as openpyxl writes the cell :func:`_typed` makes of ``text`` ("" for no cell)."""
    from openpyxl.utils.datetime import to_excel

    value = _typed(text, ftype)
    if ftype == "date":
        if value is None:
            return f'{style} t="n" />'
        return f'{style} t="n"><v>{_number(to_excel(value))}</v></c>'
    if value is None:
        return ""
    if ftype == "string":
        return _text_cell(value)  # type: ignore[arg-type]
    if ftype == "boolean":
        return f' t="b"><v>{int(bool(value))}</v></c>'
    number = _number(value)
    return f' t="n"><v>{number}</v></c>' if number else ' t="n"><v /></c>'


def _sheet_rows(df, style: str) -> str:
    """The data rows of the claims sheet (row 2 on) as openpyxl writes them; ``style`` is the
    style attribute of date cells (`` s="1"``).

    Each distinct value of a column is written once, with NUL standing for the row number (NUL
    cannot occur in a cell: openpyxl refuses it); each row is joined, then gets its number."""
    import numpy as np
    import pandas as pd
    from openpyxl.utils import get_column_letter

    columns = []
    for j, col in enumerate(PROCESSED_COLUMNS, start=1):
        ftype = PROCESSED_TYPES.get(col, "string")
        codes, uniq = pd.factorize(df[col], use_na_sentinel=False)
        start = f'<c r="{get_column_letter(j)}\0"'
        cells = [start + tail if tail else "" for tail in (_cell_tail(v, ftype, style) for v in uniq)]
        columns.append(np.array(cells, dtype=object)[codes].tolist())
    rows = enumerate(zip(*columns, strict=True), start=2)
    return "".join(('<row r="\0">' + "".join(cells) + "</row>").replace("\0", str(r)) for r, cells in rows)


class _Unforeseen(Exception):
    """The rows written here differ from openpyxl's: write the workbook with openpyxl alone."""


def claims_xlsx_bytes(claims_csv: str | Path) -> bytes:
    """The bytes of ``workbook_bytes(claims_workbook(claims_csv))``, fast (module docstring).

    openpyxl writes the workbook of the header, the first data row and the first row with a
    date (these decide the styles); the claims sheet then gets every data row from
    :func:`_sheet_rows` and its dimension. If row 2 as written here differs from openpyxl's
    (a cell of a kind not foreseen), openpyxl writes the whole workbook.
    """
    df = read_csv(claims_csv)
    if list(df.columns) != list(PROCESSED_COLUMNS):
        raise ValueError(f"{claims_csv}: columns differ from clean.PROCESSED_COLUMNS")
    dates = [c for c in PROCESSED_COLUMNS if PROCESSED_TYPES.get(c) == "date"]
    dated = (df[dates] != "").any(axis=1).to_numpy() if dates and len(df) else None
    sample = sorted({0, int(dated.argmax())}) if dated is not None and dated.any() else [0]
    if len(df) <= len(sample):
        return workbook_bytes(_workbook(df))

    def splice(data: bytes) -> bytes:
        text = data.decode("utf-8")
        head, rest = text.split("<sheetData>", 1)
        header, tail = rest.split("</sheetData>", 1)
        style = ""
        if dates:  # the style of a date cell: that of the first date column in row 2
            from openpyxl.utils import get_column_letter

            letter = get_column_letter(list(PROCESSED_COLUMNS).index(dates[0]) + 1)
            found = re.search(rf'<c r="{letter}2"( s="\d+")? t="n"', header)
            style = (found.group(1) or "") if found else ""
        rows = _sheet_rows(df, style)
        theirs = re.search(r'<row r="2">.*?</row>', header)
        if theirs is None or not rows.startswith(theirs.group(0)):
            raise _Unforeseen
        header = header[: header.index("</row>") + 6]
        last = rf'<dimension ref="A1:\g<1>{len(df) + 1}" />'
        head = re.sub(r'<dimension ref="A1:([A-Z]+)\d+" />', last, head)
        return f"{head}<sheetData>{header}{rows}</sheetData>{tail}".encode()

    try:
        return workbook_bytes(_workbook(df.iloc[sample]), rewrite={CLAIMS_SHEET: splice})
    except _Unforeseen:
        return workbook_bytes(_workbook(df))


def write_claims_xlsx(claims_csv: str | Path, path: str | Path) -> Path:
    """Write ``claims.xlsx`` beside the processed claims, atomically and deterministically."""
    data = claims_xlsx_bytes(claims_csv)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def main(argv: list[str] | None = None) -> int:
    """Write ``claims.xlsx`` from ``claims.csv``, with start and done lines and a stamp listing
    the file written (the Makefile's step ``claims-xlsx``); exit status 1 with one line on failure."""
    ap = argparse.ArgumentParser(description="Write claims.xlsx from the processed claims.csv.")
    ap.add_argument("claims_csv")
    ap.add_argument("xlsx")
    ap.add_argument("--stamp", help="file written after success, listing the file written")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    print(f"[start] claims-xlsx {args.xlsx}", flush=True)
    try:
        write_claims_xlsx(args.claims_csv, args.xlsx)
    except (OSError, ValueError) as err:
        print(f"[fail]  claims-xlsx: {args.claims_csv} -> {args.xlsx}: {err}", file=sys.stderr, flush=True)
        return 1
    if args.stamp:
        write_text(args.stamp, f"{args.xlsx}\n")
    print(f"[done]  claims-xlsx {args.xlsx} in {time.perf_counter() - t0:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
