"""Command line for ``make sweep``: combine the sweep points, write the table and the figure.

``python -m dprk_russia.build.sweep SWEEP_DIR OUT_DIR VALUE...`` reads ``SWEEP_DIR/rpc-VALUE.csv``
for each value and writes ``OUT_DIR/summary.csv`` and ``OUT_DIR/summary.{svg,png}``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from dprk_russia.analysis.sweep import combine
from dprk_russia.data.io import read_csv, write_csv
from dprk_russia.report.diagnostics import sweep_summary
from dprk_russia.report.figures import save_figure, use_style


def summarise(sweep_dir: Path, out_dir: Path, values: list[str]) -> pd.DataFrame:
    """Combine the sweep points, write them and draw implied rounds against the assumption."""
    table = combine(read_csv(sweep_dir / f"rpc-{v}.csv", text=False) for v in values)
    write_csv(table, out_dir / "summary.csv")
    use_style()
    save_figure(sweep_summary(table), "summary", out_dir)
    return table


def main(argv: list[str] | None = None) -> int:
    """Command-line entry for ``make sweep``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    table = summarise(Path(args[0]), Path(args[1]), args[2:])
    print(f"sweep: {table['rounds_per_container'].nunique()} assumptions -> {args[1]}/summary.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
