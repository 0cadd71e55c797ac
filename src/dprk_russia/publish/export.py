"""Excel export of the processed claims, with a fixed layout and byte-identical output.

Layout (also described in ``datapackage.json``, resource ``claims-xlsx``): sheet ``claims``
holds the columns of ``claims.csv`` in the same order, header in row 1, numbers as numbers,
dates as dates, True/False as booleans; sheet ``notes`` has one row per column (column,
type, description, description_de) and, below, the release, licence and citation.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from dprk_russia import __version__
from dprk_russia.data.clean import PROCESSED_COLUMNS
from dprk_russia.data.dictionary import PROCESSED_DE, PROCESSED_TYPES
from dprk_russia.data.io import atomic_path, read_csv

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


def claims_workbook(claims_csv: str | Path):
    """Build the workbook from the processed ``claims.csv`` (read as text, typed per column)."""
    from openpyxl import Workbook

    df = read_csv(claims_csv)  # the text as written: xlsx cells are typed, no CSV escape needed
    if list(df.columns) != list(PROCESSED_COLUMNS):
        raise ValueError(f"{claims_csv}: columns differ from clean.PROCESSED_COLUMNS")
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


def workbook_bytes(wb) -> bytes:
    """Serialise ``wb`` with fixed timestamps in the document properties and the zip entries."""
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
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_claims_xlsx(claims_csv: str | Path, path: str | Path) -> Path:
    """Write ``claims.xlsx`` beside the processed claims, atomically and deterministically."""
    data = workbook_bytes(claims_workbook(claims_csv))
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
