"""The Frictionless Data Package (``datapackage.json``), generated from the schema in code.

Types, required fields, allowed values and keys come from :mod:`dprk_russia.data.schema`; the
column lists and descriptions from :mod:`dprk_russia.data.dictionary`,
:data:`dprk_russia.data.clean.PROCESSED_COLUMNS` and :data:`dprk_russia.data.dictionary.TABLES`. So the
package cannot drift from the validation code: ``make datapackage`` rewrites it and a test
fails when the committed file differs from :func:`build_package`.

Command line: ``python -m dprk_russia.publish.datapackage {write,check,validate} [PATH]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dprk_russia import PROJECT_ROOT, __version__
from dprk_russia.data import schema as sc
from dprk_russia.data.clean import PROCESSED_COLUMNS
from dprk_russia.data.dictionary import PROCESSED_DE, PROCESSED_TYPES, RAW, TABLES, TABLES_DE
from dprk_russia.data.io import write_text

PACKAGE_PATH = PROJECT_ROOT / "datapackage.json"
EXCEL_PATH = "data/processed/claims.xlsx"

#: Raw columns that may be empty (all others are required, i.e. non-empty).
OPTIONAL = {
    "claims": {"value_low", "value_high", "period_start", "period_end", "repeat_of"},
    "sources": {"published", "via", "remark", "kind", "original_source_id"},
    "estimators": {"country", "colour"},
}
#: Allowed values of raw columns (from dprk_russia.data.schema).
ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("claims", "qualifier"): sc.QUALIFIERS,
    ("claims", "basis"): sc.BASES,
    ("claims", "estimator_type"): sc.ESTIMATOR_TYPES,
    ("claims", "checked"): sc.YES_NO,
    ("claims", "scope"): sc.SCOPES,
    ("sources", "kind"): sc.SOURCE_KINDS,
    ("indicators", "direction"): sc.DIRECTIONS,
    ("indicators", "kind"): sc.KINDS,
    ("estimators", "type"): sc.ESTIMATOR_TYPES,
    ("estimators", "warring_party"): sc.YES_NO,
}
#: String patterns of raw columns (from dprk_russia.data.schema).
PATTERNS: dict[tuple[str, str], str] = {
    ("claims", "claim_id"): sc.ID_RE,
    ("claims", "period_start"): sc.ISO_DATE_RE,
    ("claims", "period_end"): sc.ISO_DATE_RE,
    ("claims", "published"): sc.ISO_DATE_RE,
    ("claims", "repeat_of"): sc.ID_RE,
    ("sources", "source_id"): sc.ID_RE,
    ("sources", "original_source_id"): sc.ID_RE,
    ("sources", "url"): sc.URL_RE,
    ("sources", "published"): sc.ISO_DATE_RE,
    ("sources", "language"): r"^[a-z]{2}$",
    ("estimators", "colour"): sc.COLOUR_RE,
    ("indicators", "indicator"): sc.ID_RE,
}
RAW_TYPES: dict[tuple[str, str], str] = {
    ("claims", "value_low"): "number",
    ("claims", "value_high"): "number",
    ("sources", "accessed"): "date",
    ("events", "date"): "date",
}
PRIMARY_KEYS = {
    "claims": "claim_id",
    "sources": "source_id",
    "indicators": "indicator",
    "estimators": "estimator",
}
#: (resource, field) -> (referenced resource, its key); the prefix (raw-) is added per layer.
RAW_FOREIGN_KEYS = {
    ("claims", "indicator"): ("indicators", "indicator"),
    ("claims", "source_id"): ("sources", "source_id"),
    ("claims", "estimator"): ("estimators", "estimator"),
    ("claims", "repeat_of"): ("claims", "claim_id"),
    ("sources", "original_source_id"): ("sources", "source_id"),
    ("events", "source_id"): ("sources", "source_id"),
}
PROCESSED_FOREIGN_KEYS = {
    ("claims", "source_id"): ("sources", "source_id"),
    ("claims", "estimator"): ("estimators", "estimator"),
    ("events", "source_id"): ("sources", "source_id"),
}
#: Analysis-table columns that name a processed claim.
CLAIM_REFS = ("claim_id", "container_claim_id", "rounds_claim_id", "newest_claim_id")


def _field(name: str, en: str, de: str, ftype: str = "string") -> dict[str, Any]:
    return {"name": name, "type": ftype, "description": en, "description_de": de}


def _fk(fields: str, resource: str, key: str) -> dict[str, Any]:
    return {"fields": fields, "reference": {"resource": resource, "fields": key}}


def _raw_resource(name: str) -> dict[str, Any]:
    (purpose_en, purpose_de), columns = RAW[name]
    fields = []
    for col, (en, de) in columns.items():
        key = (name, col)
        field = _field(col, en, de, RAW_TYPES.get(key, "string"))
        constraints: dict[str, Any] = {}
        if col not in OPTIONAL.get(name, ()):
            constraints["required"] = True
        if key in ENUMS:
            constraints["enum"] = sorted(ENUMS[key])
        if key in PATTERNS:
            constraints["pattern"] = PATTERNS[key].removeprefix("^").removesuffix("$")
        if field["type"] == "number":
            constraints["minimum"] = 0
        if PRIMARY_KEYS.get(name) == col:
            constraints["unique"] = True
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    table: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if name in PRIMARY_KEYS:
        table["primaryKey"] = PRIMARY_KEYS[name]
    fks = [
        _fk(f, f"raw-{r}" if r != name else "", k) for (n, f), (r, k) in RAW_FOREIGN_KEYS.items() if n == name
    ]
    if fks:
        table["foreignKeys"] = fks
    return _resource(f"raw-{name}", f"data/raw/{name}.csv", purpose_en, purpose_de, table)


def _resource(name: str, path: str, en: str, de: str, table: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": en,
        "description_de": de,
        "schema": table,
    }


def _processed_table(name: str, en: dict[str, str], de: dict[str, str]) -> dict[str, Any]:
    fields = [_field(c, en[c], de[c], PROCESSED_TYPES.get(c, "string")) for c in en]
    table: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if name in PRIMARY_KEYS and PRIMARY_KEYS[name] in en:
        table["primaryKey"] = PRIMARY_KEYS[name]
    fks = [
        _fk(f, r if r != name else "", k) for (n, f), (r, k) in PROCESSED_FOREIGN_KEYS.items() if n == name
    ]
    if name not in RAW:
        fks += [_fk(c, "claims", "claim_id") for c in CLAIM_REFS if c in en]
    if fks:
        table["foreignKeys"] = fks
    return table


def _processed_resources() -> list[dict[str, Any]]:
    out = [
        _resource(
            "claims",
            "data/processed/claims.csv",
            "Tidy, typed claims: one published figure per row, joined with indicator, estimator and source.",
            "Bereinigte, typisierte Angaben: eine veröffentlichte Zahl pro Zeile, mit Indikator, Urheber "
            "und Quelle verbunden.",
            _processed_table("claims", PROCESSED_COLUMNS, PROCESSED_DE),
        )
    ]
    for name in ("sources", "events", "estimators"):
        (en_p, de_p), columns = RAW[name]
        table = _processed_table(
            name, {c: v[0] for c, v in columns.items()}, {c: v[1] for c, v in columns.items()}
        )
        for f in table["fields"]:
            if RAW_TYPES.get((name, f["name"])) == "date":
                f["type"] = "date"
        out.append(
            _resource(
                name,
                f"data/processed/{name}.csv",
                f"{en_p} Limited to the cut-off.",
                f"{de_p} Auf den Stichtag begrenzt.",
                table,
            )
        )
    for name, (purpose, columns) in TABLES.items():
        purpose_de, columns_de = TABLES_DE[name]
        table = _processed_table(name, columns, columns_de)
        out.append(_resource(name, f"data/processed/{name}.csv", purpose, purpose_de, table))
    return out


def excel_resource() -> dict[str, Any]:
    """The Excel export of the processed claims: sheet ``claims`` (the columns of claims.csv)
    and sheet ``notes`` (one row per column: column, type, description, description_de)."""
    claims = _processed_table("claims", PROCESSED_COLUMNS, PROCESSED_DE)
    claims.pop("foreignKeys")
    return {
        "name": "claims-xlsx",
        "path": EXCEL_PATH,
        "profile": "tabular-data-resource",
        "format": "xlsx",
        "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "description": "The processed claims for spreadsheets: sheet 'claims' as claims.csv "
        "(header in row 1, dates as dates), sheet 'notes' with one row per column (column, type, "
        "description, description_de) and the release, licence and citation below.",
        "description_de": "Die bereinigten Angaben für Tabellenkalkulationen: Blatt 'claims' wie claims.csv "
        "(Kopfzeile in Zeile 1, Daten als Datum), Blatt 'notes' mit einer Zeile pro Spalte und darunter "
        "Version, Lizenz und Zitierweise.",
        "dialect": {"excel": {"sheet": "claims"}},
        "schema": claims,
        "sheets": ["claims", "notes"],
    }


def build_package() -> dict[str, Any]:
    """The data package descriptor as a dict (deterministic: same code, same dict)."""
    resources = [_raw_resource(name) for name in ("claims", "sources", "indicators", "events", "estimators")]
    resources += _processed_resources()
    resources.append(excel_resource())
    return {
        "profile": "tabular-data-package",
        "name": "dprk-russia-military-cooperation",
        "title": "DPRK–Russia military cooperation: sourced claims",
        "description": "Published figures on North Korean arms, troops and oil flows to and from Russia "
        "since 2023, one claim per row with its source, and the tables derived from them. data/raw is "
        "edited by hand; data/processed is generated by the notebooks.",
        "description_de": "Veröffentlichte Zahlen zu nordkoreanischen Waffen, Truppen und Öllieferungen "
        "von und nach Russland seit 2023, eine Angabe pro Zeile mit Quelle, und die daraus abgeleiteten "
        "Tabellen.",
        "version": __version__,
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Data: CC BY 4.0",
            }
        ],
        "resources": resources,
    }


def package_json() -> str:
    """The descriptor as the text committed in ``datapackage.json``."""
    return json.dumps(build_package(), ensure_ascii=False, indent=2) + "\n"


def validate_package(path: str | Path = PACKAGE_PATH, resources: list[str] | None = None) -> list[str]:
    """Validate the data against the package with frictionless; return one line per error
    naming resource, row and field (empty when valid). ``resources`` limits the check."""
    from frictionless import Package, system

    path = Path(path)
    with system.use_context(trusted=True):
        package = Package(str(path), basepath=str(path.parent))
        if resources is not None:
            for res in list(package.resources):
                if res.name not in resources:
                    package.remove_resource(res.name)
        report = package.validate()
    out = []
    for task in report.tasks:
        for err in task.errors:
            row = getattr(err, "row_number", None)
            field = getattr(err, "field_name", None)
            where = f"{task.name}" + (f" row {row}" if row else "") + (f" field '{field}'" if field else "")
            out.append(f"{where}: {err.type}: {err.message}")
    for err in report.errors:
        out.append(f"package: {err.type}: {err.message}")
    return out


def main(argv: list[str] | None = None) -> int:
    """``write`` the package, ``check`` it against the code, or ``validate`` the data."""
    ap = argparse.ArgumentParser(prog="python -m dprk_russia.publish.datapackage")
    ap.add_argument("command", choices=["write", "check", "validate"])
    ap.add_argument("path", nargs="?", default=str(PACKAGE_PATH))
    args = ap.parse_args(argv)
    path = Path(args.path)
    if args.command == "write":
        if not path.exists() or path.read_text(encoding="utf-8") != package_json():
            write_text(path, package_json())
        return 0
    if args.command == "check":
        if not path.exists() or path.read_text(encoding="utf-8") != package_json():
            print(f"{path}: out of date with the schema in src/; run 'make datapackage'", file=sys.stderr)
            return 1
        return 0
    errors = validate_package(path)
    for line in errors:
        print(line, file=sys.stderr)
    if not errors:
        print(f"{path}: valid")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
