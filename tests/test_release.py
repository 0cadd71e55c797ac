"""One version in one place, copied into CITATION.cff, the README and the data package."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from dprk_russia import PROJECT_ROOT, __version__, read_version
from dprk_russia.publish.release import PLACES, bump, main, parse_calver

SCHEMA = Path(__file__).with_name("data") / "cff-1.2.0.schema.json"


def test_version_is_calendar_versioning_and_everywhere_the_same():
    parse_calver(__version__)
    cff = yaml.safe_load((PROJECT_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["version"] == __version__
    assert f"release `{__version__}`" in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert (
        json.loads((PROJECT_ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"] == __version__
    )


def test_citation_cff_is_valid_cff_1_2():
    cff = yaml.safe_load((PROJECT_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(cff, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({k: v for k, v in cff.items() if k != "authors"}, schema)


@pytest.mark.parametrize("bad", ["2026.12", "26.1.0", "2026.13.0", "2026.01.0", "v2027.1.0"])
def test_parse_calver_rejects(bad):
    with pytest.raises(ValueError, match="YYYY.M.N"):
        parse_calver(bad)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in PLACES:
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    return tmp_path


def test_bump_sets_every_place(project: Path):
    bump("2027.1.0", project, date="2027-01-15")
    assert read_version(project) == "2027.1.0"
    cff = yaml.safe_load((project / "CITATION.cff").read_text(encoding="utf-8"))
    assert (cff["version"], cff["date-released"]) == ("2027.1.0", "2027-01-15")
    assert "release `2027.1.0`" in (project / "README.md").read_text(encoding="utf-8")
    jsonschema.validate(cff, json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_bump_refuses_an_older_version_and_leaves_files_alone(project: Path):
    before = (project / "pyproject.toml").read_bytes()
    with pytest.raises(ValueError, match="not newer"):
        bump(__version__, project)
    assert (project / "pyproject.toml").read_bytes() == before


def test_main_reports_a_bad_version(capsys):
    assert main(["2026-12"]) == 2
    assert "release: version must be YYYY.M.N" in capsys.readouterr().err
