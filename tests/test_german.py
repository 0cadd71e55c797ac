"""German that reads as German: the glossary's wording everywhere German is written, the
project's own annotations translated, German figure downloads."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.data import dictionary
from dprk_russia.report import i18n
from dprk_russia.report.figures import PLOTTED_COLUMNS, plotted_rows, record_plotted
from dprk_russia.report.render import CERTAINTY, TEMPLATES, annotations, publisher

from .conftest import make_claims

GLOSSARY = TEMPLATES / "de" / "glossar.md"
RAW = PROJECT_ROOT / "data/raw"


def forbidden() -> list[str]:
    """The words of the glossary's 'nicht' column."""
    rows = [ln for ln in GLOSSARY.read_text(encoding="utf-8").splitlines() if ln.startswith("| ")][1:]
    cells = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in rows]
    assert all(len(c) == 3 for c in cells), "glossary rows: English | Deutsch | nicht"
    return [w.strip().lstrip("-") for c in cells for w in c[2].split(";") if w.strip()]


def german_texts() -> dict[str, str]:
    """Every German text the project writes itself, by where it comes from."""
    texts = {str(p.relative_to(PROJECT_ROOT)): p.read_text(encoding="utf-8") for p in (TEMPLATES / "de").glob("*.j2")}
    texts["i18n.TEXT"] = "\n".join(v["de"] for v in i18n.TEXT.values())
    texts["i18n.FIGURE_CSV"] = "\n".join(w for part in i18n.FIGURE_CSV["de"].values() for w in part.values())
    texts["render.CERTAINTY"] = "\n".join(CERTAINTY["de"].values())
    raw_de = [de for _purpose, cols in dictionary.RAW.values() for _en, de in cols.values()]
    raw_de += [de for (_en, de), _cols in dictionary.RAW.values()]
    tables_de = [text for purpose, cols in dictionary.TABLES_DE.values() for text in (purpose, *cols.values())]
    texts["dictionary"] = "\n".join([*raw_de, *dictionary.PROCESSED_DE.values(), *tables_de])
    for name, cols in (("indicators", ("label_de", "unit_de")), ("estimators", ("label_de",)), ("events", ("event_de",))):
        table = pd.read_csv(RAW / f"{name}.csv", dtype=str, keep_default_na=False)
        texts[f"data/raw/{name}.csv"] = "\n".join(v for c in cols for v in table[c])
    return texts


def test_the_glossary_names_words_to_avoid():
    words = forbidden()
    assert {"Schätzer", "Band", "gezählte Zahl", "Bausoldaten", "Ukraine gefangene", "Rückblickender Test"} <= set(words)


@pytest.mark.parametrize("where", sorted(german_texts()))
def test_german_texts_follow_the_glossary(where):
    text = german_texts()[where]
    found = [w for w in forbidden() if re.search(rf"(?<![\w-]){re.escape(w)}(?!\w)", text)]
    assert not found, f"{where}: {found} (see {GLOSSARY.relative_to(PROJECT_ROOT)})"


def test_every_annotation_of_a_publisher_has_its_german():
    """The text in brackets at the end of a publisher is the project's own; each one in
    sources.csv is listed in templates/de/annotations.csv (names kept as they are written)."""
    sources = pd.read_csv(RAW / "sources.csv", dtype=str, keep_default_na=False)
    used = {m for p in sources["publisher"] for m in re.findall(r"\(([^()]*)\)\s*$", p)}
    table = annotations("de")
    assert sorted(used - set(table)) == [], "add these to templates/de/annotations.csv"
    assert sorted(set(table) - used) == [], "no longer used: remove from templates/de/annotations.csv"
    assert annotations("en") == {}


def test_publisher_annotations_are_translated():
    words = annotations("de")
    assert publisher("Rankmore (Korean news relay)", words) == "Rankmore (gibt koreanische Nachrichten wieder)"
    assert publisher("America Times (copy of US Mission to the UN remarks)", words).endswith(
        "(Kopie einer Erklärung der US-Vertretung bei der UNO)"
    )
    assert publisher("MENAFN (Ukrinform)", words) == "MENAFN (Ukrinform)"
    assert publisher("Plain name", words) == "Plain name"
    assert publisher("X (unknown note)", words) == "X (unknown note)"
    assert publisher("Rankmore (Korean news relay)", {}) == "Rankmore (Korean news relay)"


def test_period_reads_as_the_language_writes_it():
    assert i18n.period("2024-01", "2024-12", "de") == "2024"
    assert i18n.period("2025-01", "2025-06", "de") == "Januar–Juni 2025"
    assert i18n.period("2025-01", "2025-06", "en") == "January–June 2025"
    assert i18n.period("2024-03-01", "2024-12-31", "de") == "1. März 2024 – 31. Dezember 2024"
    assert i18n.period("", "2024-02", "de") == "Februar 2024"
    assert i18n.period("2024-06-17", "2024-06-17", "en") == "17 June 2024"
    assert i18n.period("2024-03", "2024", "de") == "März–Dezember 2024"
    assert i18n.period("2023", "2024-03-18", "de") == "2023 – 18. März 2024"


def test_german_figure_download_has_german_headers_and_labels():
    import matplotlib.pyplot as plt

    claims = make_claims(
        [
            {"claim_id": "c1", "indicator": "killed", "value_low": 100, "qualifier": "over", "published": "2024-12-01"},
            {"claim_id": "c2", "indicator": "captured", "value_low": 2, "qualifier": "exact", "published": "2025-01-01"},
        ]
    )
    fig, _ax = plt.subplots()
    record_plotted(fig, claims)
    de, en = plotted_rows(fig, "de"), plotted_rows(fig, "en")
    plt.close(fig)
    assert list(en.columns) == PLOTTED_COLUMNS and list(en["indicator"]) == ["captured", "killed"]
    assert list(de.columns) == [i18n.FIGURE_CSV["de"]["columns"][c] for c in PLOTTED_COLUMNS]
    assert list(de["indikator"]) == [
        "Von der Ukraine gefangen genommene nordkoreanische Soldaten",
        "Getötete nordkoreanische Soldaten",
    ]
    assert list(de["zusatz"]) == ["genau", "mehr als"] and set(de["grundlage"]) == {"geschätzt"}
    assert list(de["angabe"]) == list(en["claim_id"]) and list(de["wert_unten"]) == list(en["value_low"])


def test_committed_german_figure_downloads_are_german():
    """Each German download has German headers and no English code where a label exists."""
    curves = i18n.FIGURE_CSV["de"]["curve_columns"]
    for path in sorted((PROJECT_ROOT / "reports/de/figures").glob("*.csv")):
        rows = pd.read_csv(path, dtype=str, keep_default_na=False)
        en = pd.read_csv(Path(str(path).replace("/de/", "/en/")), dtype=str, keep_default_na=False)
        if "estimate" in en.columns:  # pooled curves (the headline chart): curve headers, labels
            assert list(rows.columns) == [curves[c] for c in en.columns], path.name
            assert not set(rows["indikator"]) & set(en["indicator"]), path.name
            assert set(rows["fortgeschrieben"]) <= {"ja", "nein"} and list(rows["oben"]) == list(en["high"])
            continue
        assert list(rows.columns) == list(i18n.FIGURE_CSV["de"]["columns"].values()), path.name
        assert not set(rows["grundlage"]) & {"assessed", "capacity", "forecast", "official"}, path.name
        assert list(rows["angabe"]) == list(en["claim_id"]), path.name
