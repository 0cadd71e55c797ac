"""Atomic, deterministic file output and spreadsheet-safe CSV export."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported lazily: the notebook runner uses this module without it
    import pandas as pd

TMP_PREFIX = ".tmp-"
FORMULA_PREFIXES = ("=", "+", "-", "@")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` only on success.

    The temporary file is removed if the block raises (including KeyboardInterrupt),
    so an interrupted write never leaves a partial file under the final name.
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


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 text atomically with Unix newlines."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(path)


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula (=, +, -, @) with a quote.

    Only text (object/string) columns are touched: numbers such as -1 stay numbers.
    """
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_string_dtype(out[col]) or out[col].dtype == object:
            s = out[col]
            mask = s.astype("string").str.startswith(FORMULA_PREFIXES, na=False)
            if mask.any():
                out[col] = s.astype(object).where(~mask, "'" + s.astype("string"))
    return out


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as a deterministic, spreadsheet-safe UTF-8 CSV, atomically."""
    text = spreadsheet_safe(df).to_csv(index=False, lineterminator="\n", float_format="%.10g")
    return write_text(path, text)
