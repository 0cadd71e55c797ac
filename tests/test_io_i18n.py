"""Atomic writes, spreadsheet-safe CSV and language formatting."""

from __future__ import annotations

import pandas as pd
import pytest

from dprk_russia.analysis.precision import round_sig
from dprk_russia.data.io import atomic_path, spreadsheet_safe, write_csv, write_text
from dprk_russia.report.i18n import (
    day,
    num,
    num_range,
    pct,
    published,
)


def test_atomic_write_keeps_old_file_on_error(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_write_text_replaces(tmp_path):
    write_text(tmp_path / "a" / "b.txt", "x\n")
    assert (tmp_path / "a" / "b.txt").read_text() == "x\n"


def test_spreadsheet_formula_cells_are_defused(tmp_path):
    df = pd.DataFrame({"note": ["=HYPERLINK(1)", "+1", "-x", "@a", "fine"], "n": [-1, 2, 3, 4, 5]})
    out = spreadsheet_safe(df)
    assert list(out["note"]) == ["'=HYPERLINK(1)", "'+1", "'-x", "'@a", "fine"]
    assert list(out["n"]) == [-1, 2, 3, 4, 5]
    write_csv(df, tmp_path / "x.csv")
    assert "'=HYPERLINK(1)" in (tmp_path / "x.csv").read_text()


def test_numbers_by_language():
    assert num(20000, "en") == "20,000"
    assert num(20000, "de") == "20.000"
    assert num(2.75, "de", 1) == "2,8"
    assert num_range(1000, 2000, "de") == "1.000–2.000"
    assert num_range(5, 5, "en") == "5"
    assert num(float("nan"), "en") == "–"
    assert pct(0.36, "en") == "36%"
    assert pct(0.5454, "en", 1) == "54.5%"
    assert pct(0.5454, "de", 1) == "54,5\xa0%"


def test_published_dates_keep_their_precision():
    assert published("2024-03-18", "de") == "18. März 2024"
    assert published("2024-03", "de") == "März 2024"
    assert published("2024-03", "en") == "March 2024"
    assert published("2024", "en") == "2024" and published("", "de") == ""


def test_dates_by_language():
    assert day(pd.Timestamp("2025-05-29"), "en") == "29 May 2025"
    assert day(pd.Timestamp("2025-05-29"), "de") == "29. Mai 2025"


def test_round_sig():
    assert round_sig(1327273) == 1330000
    assert round_sig(2150388) == 2150000
    assert round_sig(0.012345) == 0.0123
    assert round_sig(0) == 0


def test_formula_escape_is_applied_at_the_writer_and_undone_by_the_reader(tmp_path):
    from dprk_russia.data.io import read_csv

    cells = ["=1+1", "\t=1+1", "\r=1+1", "'=1+1", "'quoted title'", "-5", "fine", ""]
    df = pd.DataFrame({"estimator": cells, "n": range(len(cells))})
    escaped = list(spreadsheet_safe(df)["estimator"])
    assert escaped == ["'=1+1", "'\t=1+1", "'\r=1+1", "''=1+1", "'quoted title'", "'-5", "fine", ""]
    write_csv(df, tmp_path / "x.csv")
    back = read_csv(tmp_path / "x.csv")
    assert list(back["estimator"]) == cells, "the report sees the original text"
    assert list(read_csv(tmp_path / "x.csv", text=False)["n"]) == list(range(len(cells)))


def test_write_csv_numbers_as_pandas_writes_them(tmp_path):
    """Numbers are formatted with %.10g (missing empty) whatever the path that writes them."""
    df = pd.DataFrame(
        {"a": [0.1, -0.0, float("nan"), 1e20, float("inf"), 123456789012.5, 3.0], "t": ["x", "=y", "", None, "a,b", 'q"', "z"]}
    )
    text = write_csv(df, tmp_path / "x.csv").read_text(encoding="utf-8")
    assert text == 'a,t\n0.1,x\n-0,\'=y\n,\n1e+20,\ninf,"a,b"\n1.23456789e+11,"q"""\n3,z\n'


def _tricky_frame() -> pd.DataFrame:
    """Every kind of column and cell the column-wise CSV writer formats itself."""
    import numpy as np

    n = 9
    return pd.DataFrame(
        {
            "text": ["=1+1", "a,b", 'q"x', "line\nbreak", "", None, "-5", "  spaced ", "plain"],
            "obj": pd.Series(["x", np.nan, "@a", "'=b", "y", "x", "ü,ß", "", "z"], dtype=object),
            "str": pd.Series(["a", None, "b", "+c", "a", "d", "e", "f", "g"], dtype="str"),
            "f": [0.0, -0.0, np.nan, 1e20, -np.inf, 0.1, 123456789012.5, -3.0, 2.5],
            "i": np.arange(-4, n - 4),
            "u": np.arange(n, dtype="uint8"),
            "b": [True, False] * 4 + [True],
            "d": pd.to_datetime(["2024-01-31", None, "2023-12-01", "2024-01-31", None, "2025-06-30", "2024-02-29",
                                 "2023-01-01", "2024-12-31"]),
        }
    )


def test_column_wise_csv_is_what_pandas_writes():
    """The fast writer (cells formatted per distinct value, rows joined) and pandas' to_csv give
    the same text, for every kind of column it handles; the rest it leaves to pandas."""
    from dprk_russia.data.io import _csv_text, _pandas_csv_text

    df = _tricky_frame()
    fast = _csv_text(df)
    assert fast is not None and fast == _pandas_csv_text(df)
    for name in df.columns:  # each column beside one other, and in another order
        part = df[[name, "b" if name == "i" else "i"]].iloc[::-1]
        assert _csv_text(part) == _pandas_csv_text(part), name
    # left to pandas: a carriage return, a time of day, a nullable column, one column, no rows
    unforeseen = [
        df.assign(text=["a\rb"] + [""] * 8),
        df.assign(d=pd.to_datetime(["2024-01-01 10:00"] * 9)),
        df.assign(i=pd.array(range(9), dtype="Int64")),
        df.assign(obj=[1, "a", "b", "c", "d", "e", "f", "g", "h"]),
        df[["text"]],
        df.iloc[:0],
    ]
    for frame in unforeseen:
        assert _csv_text(frame) is None
        write = _pandas_csv_text(frame)
        assert write  # pandas writes them


def test_committed_csv_outputs_are_written_the_same_by_both_paths():
    """Every committed CSV (processed data and figure downloads), read back with its types as the
    notebooks hold them, is written the same by the fast path and by pandas."""
    from dprk_russia import PROJECT_ROOT
    from dprk_russia.data.clean import load_processed
    from dprk_russia.data.io import _csv_text, _pandas_csv_text

    claims = load_processed(PROJECT_ROOT / "data/processed/claims.csv")
    assert _csv_text(claims) == _pandas_csv_text(claims)
    assert _csv_text(claims) == (PROJECT_ROOT / "data/processed/claims.csv").read_text(encoding="utf-8")
    paths = sorted(PROJECT_ROOT.glob("data/processed/*.csv")) + sorted(PROJECT_ROOT.glob("reports/*/figures/*.csv"))
    assert len(paths) > 20
    for path in paths:
        df = pd.read_csv(path, keep_default_na=False, dtype=str)
        assert _csv_text(df) in (None, _pandas_csv_text(df)), path


@pytest.mark.parametrize(
    "text",
    [
        "a,b\n1,2\n3,4\n",
        "a,b\r\n1,2\r\n\r\n3,4",  # CRLF, a blank line, no final line end
        "a,b\n1,2\n,\n  , \n3\n5,6,7\n8,9\n",  # blank rows, ragged rows
        'a,b\n1,"two\nlines"\n3,4\n5\n',  # a record over two lines: lines counted one by one
        'a,b\n1,"x\ry"\n3,4\n',  # a carriage return inside a cell
        'a,b\n1,"unclosed\n',  # malformed
        "a,b\n\n\n",  # no data rows
    ],
)
def test_raw_reader_fast_path_matches_the_row_by_row_one(tmp_path, monkeypatch, text):
    """read_table reads the whole file at once when each record is one line, else row by row:
    both give the same rows, lines and problems."""
    from dprk_russia.data import io as dio

    path = tmp_path / "x.csv"
    path.write_bytes(text.encode("utf-8"))

    def read() -> tuple[object, list]:
        problems: list = []
        table = dio.read_table(path, ("a", "b"), problems)
        return (None if table is None else (table.rows, table.lines)), problems

    fast = read()
    monkeypatch.setattr(dio, "_one_line_each", lambda text, records: False)
    assert fast == read()
