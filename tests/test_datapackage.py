"""The data package: generated from the code, valid on our data, precise on a bad row; Excel export."""

from __future__ import annotations

import csv
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from dprk_russia import PROJECT_ROOT, __version__
from dprk_russia.data.clean import PROCESSED_COLUMNS
from dprk_russia.data.dictionary import PROCESSED_DE, RAW, TABLES, TABLES_DE
from dprk_russia.data.schema import REQUIRED_COLUMNS
from dprk_russia.publish import export
from dprk_russia.publish.datapackage import PACKAGE_PATH, build_package, package_json, validate_package
from dprk_russia.publish.export import claims_workbook, claims_xlsx_bytes, workbook_bytes, write_claims_xlsx

RAW_RESOURCES = [f"raw-{n}" for n in RAW]


def test_committed_package_matches_the_generator():
    assert PACKAGE_PATH.read_text(encoding="utf-8") == package_json(), "run 'make datapackage'"


def test_raw_columns_match_the_files_and_the_validation_schema():
    for name, (_, columns) in RAW.items():
        with open(PROJECT_ROOT / "data/raw" / f"{name}.csv", encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        assert header == list(columns), name
        assert set(REQUIRED_COLUMNS[f"{name}.csv"]) <= set(columns), name


def test_every_column_is_described_in_english_and_german():
    assert list(PROCESSED_DE) == list(PROCESSED_COLUMNS)
    assert list(TABLES_DE) == list(TABLES)
    for name, (_, columns) in TABLES.items():
        assert list(TABLES_DE[name][1]) == list(columns), name
    for res in build_package()["resources"]:
        for field in res["schema"]["fields"]:
            assert field["description"] and field["description_de"], (res["name"], field["name"])


def test_package_has_keys_enums_and_version():
    pkg = build_package()
    res = {r["name"]: r for r in pkg["resources"]}
    claims = res["raw-claims"]["schema"]
    assert claims["primaryKey"] == "claim_id"
    refs = {fk["fields"]: fk["reference"]["resource"] for fk in claims["foreignKeys"]}
    assert refs == {
        "indicator": "raw-indicators",
        "source_id": "raw-sources",
        "estimator": "raw-estimators",
        "repeat_of": "",
    }
    basis = next(f for f in claims["fields"] if f["name"] == "basis")
    assert basis["constraints"] == {
        "required": True,
        "enum": ["assessed", "capacity", "forecast", "official"],
    }
    assert pkg["version"] == __version__
    assert res["claims-xlsx"]["dialect"] == {"excel": {"sheet": "claims"}}


def test_raw_data_validates_with_frictionless():
    assert validate_package(PACKAGE_PATH, RAW_RESOURCES) == []


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT_ROOT / "data/raw", tmp_path / "data/raw")
    path = tmp_path / "datapackage.json"
    path.write_text(package_json(), encoding="utf-8")
    return path


def _edit_claims(root: Path, row: int, column: str, value: str) -> None:
    path = root / "data/raw/claims.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[row - 1][rows[0].index(column)] = value
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def test_bad_value_is_reported_with_row_and_field(package_copy: Path):
    _edit_claims(package_copy.parent, 5, "basis", "guessed")
    errors = validate_package(package_copy, RAW_RESOURCES)
    assert len(errors) == 1
    assert errors[0].startswith("raw-claims row 5 field 'basis': constraint-error")


def test_broken_foreign_key_is_reported(package_copy: Path):
    _edit_claims(package_copy.parent, 3, "source_id", "no-such-source")
    errors = validate_package(package_copy, RAW_RESOURCES)
    assert len(errors) == 1 and errors[0].startswith("raw-claims row 3"), errors
    assert "foreign-key" in errors[0]


def _claims_csv(tmp_path: Path) -> Path:
    row = {c: "" for c in PROCESSED_COLUMNS}
    row.update(
        claim_id="c1",
        value_low="10",
        value_high="20",
        has_value="True",
        date="2024-10-31",
        note="'=1+1 is text",
        estimator="US NSC",
    )
    path = tmp_path / "claims.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(PROCESSED_COLUMNS), lineterminator="\n")
        w.writeheader()
        w.writerow(row)
        w.writerow({**row, "claim_id": "c2", "note": "=HYPERLINK(1)"})
    return path


def test_excel_step_writes_the_file_and_a_stamp_listing_it(tmp_path: Path, capsys):
    """``python -m dprk_russia.publish.export`` (the Makefile's step claims-xlsx): the same bytes as
    write_claims_xlsx, start and done lines, and a stamp listing the file (so deleting it runs the
    step again); a missing claims.csv fails with one line, no stamp and no partial file."""
    from dprk_russia.publish.export import main

    src = _claims_csv(tmp_path)
    out, stamp = tmp_path / "out" / "claims.xlsx", tmp_path / "claims-xlsx.done"
    assert main([str(src), str(out), "--stamp", str(stamp)]) == 0
    assert out.read_bytes() == workbook_bytes(claims_workbook(src))
    assert stamp.read_text(encoding="utf-8") == f"{out}\n"
    printed = capsys.readouterr().out
    assert printed.startswith("[start] claims-xlsx ") and f"[done]  claims-xlsx {out} in " in printed
    stamp.unlink()
    assert main([str(tmp_path / "missing.csv"), str(tmp_path / "x.xlsx"), "--stamp", str(stamp)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "[fail]  claims-xlsx" in err and "missing.csv" in err
    assert not stamp.exists() and not (tmp_path / "x.xlsx").exists()
    assert not list(tmp_path.rglob(".tmp-*"))


def test_excel_export_layout_types_and_bytes(tmp_path: Path):
    src = _claims_csv(tmp_path)
    a = write_claims_xlsx(src, tmp_path / "a.xlsx").read_bytes()
    assert a == workbook_bytes(claims_workbook(src))
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "a.xlsx")
    assert wb.sheetnames == ["claims", "notes"]
    ws = wb["claims"]
    header = [c.value for c in ws[1]]
    assert header == list(PROCESSED_COLUMNS)
    first = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert first["value_low"] == 10.0 and first["has_value"] is True
    assert first["date"].date().isoformat() == "2024-10-31"
    second = dict(zip(header, [c for c in ws[3]], strict=True))
    assert second["note"].data_type == "s" and second["note"].value == "=HYPERLINK(1)"
    notes = wb["notes"]
    assert [c.value for c in notes[1]] == ["column", "type", "description", "description_de"]
    assert notes.cell(2, 1).value == "claim_id"
    assert ["release", __version__] in [[c.value for c in r[:2]] for r in notes.iter_rows()]


def _edge_rows() -> list[dict[str, str]]:
    """Claims whose cells test every kind of cell the fast xlsx writer writes."""
    base = {c: "" for c in PROCESSED_COLUMNS}
    texts = [" lead", "trail ", "  ", "a & b < c > d \"q\" 'x'", "=SUM(1)", "Zürich – “Kyiv” 北", "x" * 40000]
    numbers = ["0", "-3", "0.1", "1e+20", "123456789012345", "2.5", "nan"]
    rows = [{**base, "claim_id": "c0", "note": "no date in the first row"}]  # styles come later
    for i, (text, number) in enumerate(zip(texts, numbers, strict=True), start=1):
        rows.append(
            {
                **base,
                "claim_id": f"c{i}",
                "note": text,
                "estimator": text.strip() or "e",
                "value_low": number,
                "value_high": number,
                "has_value": "True" if i % 2 else "False",
                "date": f"2024-0{i}-1{i}",
                "published_date": "" if i % 3 else "1900-02-01",
            }
        )
    return rows


@pytest.mark.parametrize("first_dated", [True, False])
def test_fast_excel_rows_are_openpyxl_bytes(tmp_path: Path, first_dated: bool, monkeypatch):
    rows = _edge_rows()[(1 if first_dated else 0) :]
    path = tmp_path / "claims.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(PROCESSED_COLUMNS), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    sizes: list[int] = []
    real = export._workbook
    monkeypatch.setattr(export, "_workbook", lambda df: sizes.append(len(df)) or real(df))
    fast = claims_xlsx_bytes(path)
    assert max(sizes) <= 2  # openpyxl wrote the sample rows only: the fast rows were used
    assert fast == workbook_bytes(claims_workbook(path))


def test_fast_excel_of_the_real_claims_is_openpyxl_bytes():
    path = PROJECT_ROOT / "data/processed/claims.csv"
    assert claims_xlsx_bytes(path) == workbook_bytes(claims_workbook(path))


def test_package_json_is_valid_json_with_unique_resource_names():
    pkg = json.loads(package_json())
    names = [r["name"] for r in pkg["resources"]]
    assert len(names) == len(set(names))
    paths = {r["path"] for r in pkg["resources"]}
    assert {f"data/raw/{n}.csv" for n in RAW} <= paths
    assert {f"data/processed/{n}.csv" for n in TABLES} <= paths
