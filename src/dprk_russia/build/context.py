"""What every analysis notebook needs: the processed data, labels and output folders."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from dprk_russia import PROJECT_ROOT
from dprk_russia.data.clean import load_processed
from dprk_russia.report.figures import STYLE, layout, mark_cut_bands, save_figure, use_style
from dprk_russia.analysis.findings import write_findings
from dprk_russia.report.i18n import check_lang
from dprk_russia.data.io import read_csv, write_csv
from dprk_russia.build.variants import require_inputs
from dprk_russia.data.schema import read_raw_csv
from dprk_russia.report.styled import plain, styled


@dataclass
class Context:
    """Processed claims, indicators and events, plus where outputs go."""

    claims: pd.DataFrame
    indicators: pd.DataFrame
    events: pd.DataFrame
    curves: pd.DataFrame  #: the pooled estimates over time (empty before notebook 1.1 has run)
    processed_dir: Path
    reports_dir: Path
    langs: list[str]

    def figure_dir(self, lang: str) -> Path:
        """``<reports>/<lang>/figures``."""
        return self.reports_dir / lang / "figures"

    def figures(self, stem: str, make: Callable[[str], plt.Figure]) -> None:
        """Build the figure per language, for a desk (``stem``) and a phone (``stem-narrow``), and
        save each; show the first in the notebook.

        The phone variant is saved as SVG only: it exists for the HTML report, which inlines SVG;
        the PNG of the desk variant is kept for use outside the report (slides, documents).
        """
        # pyplot's interactive mode (on in a Jupyter kernel) redraws a figure whenever it changes
        # after a draw; built and saved with it off, each figure is drawn once per file
        with plt.ioff():
            for i, lang in enumerate(self.langs):
                fig = make(lang)
                width = round(fig.get_figwidth() * fig.dpi)
                saved = save_figure(fig, stem, self.figure_dir(lang), lang=lang)
                if i == 0:  # the PNG just written, so the chart is not rendered again to show it
                    show(saved[-1], width)
                with layout(narrow=True):
                    narrow = make(lang)
                    save_figure(narrow, f"{stem}-narrow", self.figure_dir(lang), download=False, png=False)

    def findings(self, rows: list[dict], part: str) -> pd.DataFrame:
        """Write the findings the report quotes (``findings_<part>.csv``) and return them."""
        return write_findings(rows, self.processed_dir, part)

    def table(self, df: pd.DataFrame, name: str) -> pd.DataFrame:
        """Write a result table to the processed folder (CSV) and return it."""
        write_csv(df, self.processed_dir / f"{name}.csv")
        return df


def _in_kernel() -> bool:
    """Whether this runs in an IPython kernel (Lab, papermill), where outputs are shown."""
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def show(png: Path, width: int) -> None:
    """Display the saved ``png`` (``width`` CSS px) as an output of the running cell when inside
    an IPython kernel.

    Explicit, so that a chart shows once wherever its call stands in the cell; a no-op in plain
    Python. The file is displayed after it is saved, so displaying never alters it.
    """
    if _in_kernel():
        from IPython.display import Image, display

        display(Image(filename=str(png), width=width))


def show_table(data: pd.DataFrame | pd.Series, lang: str = "en", max_rows: int = 60) -> None:
    """Display a table with the project's number formatting (:mod:`dprk_russia.report.styled`):
    thousands separators, whole numbers as whole numbers, a dash for missing values.

    Only the display is formatted; the table is not changed. HTML for Lab and the executed
    notebooks, the same cells as text for plain viewers; a no-op in plain Python.
    """
    if _in_kernel():
        from IPython.display import display

        bundle = {
            "text/html": styled(data, lang, max_rows).to_html(),
            "text/plain": plain(data, lang, max_rows),
        }
        display(bundle, raw=True)


def show_figure(make: Callable[[], plt.Figure]) -> None:
    """Draw ``make()`` in the project style and display it as a PNG below the running cell,
    without saving a file: for charts that belong to a notebook, not to the report.

    A no-op in plain Python (the chart is not even drawn).
    """
    if not _in_kernel():
        return
    from IPython.display import Image, display

    with plt.ioff(), plt.style.context(STYLE):
        fig = make()
        mark_cut_bands(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        width = round(fig.get_figwidth() * fig.dpi)
        plt.close(fig)
    display(Image(data=buf.getvalue(), format="png", width=width))


def load_context(raw_dir: str, processed_dir: str, reports_dir: str, report_langs: str) -> Context:
    """Load the processed data for a notebook run (paths are relative to the project root)."""
    require_inputs(processed_dir, "claims.csv", "events.csv")
    processed = PROJECT_ROOT / processed_dir
    use_style()
    langs = [check_lang(x) for x in report_langs.replace(",", " ").split()]
    indicators = read_raw_csv(PROJECT_ROOT / raw_dir / "indicators.csv")
    events = read_csv(processed / "events.csv")
    curves_path = processed / "consensus_over_time.csv"
    curves = (
        pd.read_csv(curves_path, parse_dates=["date"])
        if curves_path.exists()
        else pd.DataFrame(columns=["indicator", "date", "estimate", "low", "high", "n_estimates"])
    )
    # figures the pooled fit weighed down as probable totals: the charts draw them hollow
    sens_path = processed / "pooled_sensitivity.csv"
    if sens_path.exists():
        ids = read_csv(sens_path)["doubtful_claim_ids"]
        curves.attrs["doubtful"] = frozenset(c for cell in ids for c in cell.split(";") if c)
    # figures counted as the rise over their period: the charts draw them as rises
    cons_path = processed / "consensus.csv"
    if cons_path.exists():
        ids = read_csv(cons_path)["period_rise_claim_ids"]
        curves.attrs["rises"] = frozenset(c for cell in ids for c in cell.split(";") if c)
    return Context(
        claims=load_processed(processed / "claims.csv"),
        indicators=indicators,
        events=events,
        curves=curves,
        processed_dir=processed,
        reports_dir=PROJECT_ROOT / reports_dir,
        langs=langs,
    )
