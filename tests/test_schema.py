"""Validation of raw files: every bad-input case is reported with file, line and column."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dprk_russia.data.rules import validate_raw
from dprk_russia.data.vocab import iso_bounds

from .conftest import ESTIMATORS, GOOD_ROW, HEADER


def with_claim(raw_dir: Path, row: str) -> list:
    (raw_dir / "claims.csv").write_text(HEADER + GOOD_ROW + row, encoding="utf-8")
    return validate_raw(raw_dir)


def located(problems, file: str, line: int, column: str) -> list:
    return [p for p in problems if (p.file, p.line, p.column) == (file, line, column)]


def test_valid_minimal_data_passes(raw_dir):
    assert validate_raw(raw_dir) == []


def test_project_raw_data_is_valid():
    from dprk_russia import RAW_DIR

    assert validate_raw(RAW_DIR) == []


BAD_CLAIMS = {
    "non_iso_date": ("c2,killed,5,5,about,assessed,,,13/10/2023,X,media,s1,n,yes,total\n", "published"),
    "bad_calendar_date": (
        "c2,killed,5,5,about,assessed,,2024-02-30,2024-03-01,X,media,s1,n,yes,total\n",
        "period_end",
    ),
    "thousands_separator": (
        'c2,killed,"1,000",1000,about,assessed,,,2024-01-01,X,media,s1,n,yes,total\n',
        "value_low",
    ),
    "negative_value": ("c2,killed,-5,5,about,assessed,,,2024-01-01,X,media,s1,n,yes,total\n", "value_low"),
    "low_above_high": ("c2,killed,9,5,range,assessed,,,2024-01-01,X,media,s1,n,yes,total\n", "value_high"),
    "one_value_missing": ("c2,killed,9,,about,assessed,,,2024-01-01,X,media,s1,n,yes,total\n", "value_high"),
    "reversed_period": (
        "c2,killed,5,5,about,assessed,2024-05,2024-01-31,2024-06-01,X,media,s1,n,yes,total\n",
        "period_end",
    ),
    "unknown_source": ("c2,killed,5,5,about,assessed,,,2024-01-01,X,media,s9,n,yes,total\n", "source_id"),
    "unknown_indicator": ("c2,kiled,5,5,about,assessed,,,2024-01-01,X,media,s1,n,yes,total\n", "indicator"),
    "bad_qualifier": ("c2,killed,5,5,roughly,assessed,,,2024-01-01,X,media,s1,n,yes,total\n", "qualifier"),
    "bad_basis": ("c2,killed,5,5,about,guessed,,,2024-01-01,X,media,s1,n,yes,total\n", "basis"),
    "bad_estimator_type": (
        "c2,killed,5,5,about,assessed,,,2024-01-01,X,spy,s1,n,yes,total\n",
        "estimator_type",
    ),
    "duplicate_id": ("c1,killed,5,5,about,assessed,,,2024-01-01,X,media,s1,n,yes,total\n", "claim_id"),
    "empty_note": ("c2,killed,5,5,about,assessed,,,2024-01-01,X,media,s1,,yes,total\n", "note"),
    "bad_scope": ("c2,killed,5,5,about,assessed,,,2024-01-01,X,media,s1,n,yes,some\n", "scope"),
    "bad_checked_flag": ("c2,killed,5,5,about,assessed,,,2024-01-01,X,media,s1,n,maybe,total\n", "checked"),
}


@pytest.mark.parametrize("case", sorted(BAD_CLAIMS))
def test_bad_claim_row_is_located(raw_dir, case):
    row, column = BAD_CLAIMS[case]
    problems = with_claim(raw_dir, row)
    assert located(problems, "claims.csv", 3, column), problems
    assert all(p.line != 2 for p in problems), "the good row must not be blamed"


def test_ragged_row(raw_dir):
    problems = with_claim(raw_dir, "c2,killed,5\n")
    assert [(p.line, "ragged" in p.message) for p in problems] == [(3, True)]


def test_missing_column(raw_dir):
    (raw_dir / "claims.csv").write_text(HEADER.replace(",basis", "") + GOOD_ROW.replace(",assessed", ""))
    problems = validate_raw(raw_dir)
    assert located(problems, "claims.csv", 1, "basis")


def test_empty_file(raw_dir):
    (raw_dir / "sources.csv").write_text("")
    problems = validate_raw(raw_dir)
    assert any(p.file == "sources.csv" and "empty" in p.message for p in problems)


def test_invalid_utf8_names_the_line(raw_dir):
    (raw_dir / "claims.csv").write_bytes(
        (HEADER + GOOD_ROW).encode()
        + b"c2,killed,5,5,about,assessed,,,2024-01-01,X\xff,media,s1,n,yes,total\n"
    )
    problems = validate_raw(raw_dir)
    assert [(p.file, p.line) for p in problems] == [("claims.csv", 3)]
    assert "UTF-8" in problems[0].message


def test_non_http_url(raw_dir):
    with (raw_dir / "sources.csv").open("a") as fh:
        fh.write("s2,X,T,javascript:alert(1),2024-01-01,2026-11-24,en,\n")
    problems = validate_raw(raw_dir)
    assert located(problems, "sources.csv", 3, "url")


def test_event_with_unknown_source(raw_dir):
    with (raw_dir / "events.csv").open("a") as fh:
        fh.write("2024-07-01,x,y,nope\n")
    assert located(validate_raw(raw_dir), "events.csv", 3, "source_id")


def test_all_problems_reported_at_once(raw_dir):
    rows = "".join(
        BAD_CLAIMS[c][0].replace("c2,", f"x{i},", 1)
        for i, c in enumerate(sorted(BAD_CLAIMS))
        if c != "duplicate_id"
    )
    problems = with_claim(raw_dir, rows)
    assert len({p.line for p in problems}) == len(BAD_CLAIMS) - 1


def test_cli_reports_without_traceback_and_exits_nonzero(raw_dir):
    with_claim(raw_dir, BAD_CLAIMS["negative_value"][0])
    stamp = raw_dir.parent / "stamp"
    res = subprocess.run(
        [sys.executable, "-m", "dprk_russia.data.validate", str(raw_dir), "--stamp", str(stamp)],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert f"{raw_dir.as_posix()}/claims.csv:3, column 'value_low'" in res.stderr
    assert not stamp.exists()


def test_iso_bounds():
    from datetime import date

    assert iso_bounds("2024") == (date(2024, 1, 1), date(2024, 12, 31))
    assert iso_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert iso_bounds("2024-02-30") is None


def test_estimator_must_be_in_registry(raw_dir):
    problems = with_claim(raw_dir, "c2,killed,5,5,about,assessed,,,2024-01-01,Y,media,s1,n,yes,total\n")
    assert [(p.line, p.column) for p in problems] == [(3, "estimator")]
    assert "estimators.csv" in problems[0].message


def test_estimator_type_must_match_registry(raw_dir):
    problems = with_claim(raw_dir, "c2,killed,5,5,about,assessed,,,2024-01-01,X,government,s1,n,yes,total\n")
    assert [(p.line, p.column) for p in problems] == [(3, "estimator_type")]
    assert "'media'" in problems[0].message


def test_registry_rows_are_checked(raw_dir):
    with (raw_dir / "estimators.csv").open("a", encoding="utf-8") as f:
        f.write("X,X,X,media,,no\nZ,Z,,spy,,maybe\n")
    problems = validate_raw(raw_dir)
    cols = sorted((p.line, p.column) for p in problems if p.file == "estimators.csv")
    assert cols == [(4, "estimator"), (5, "label_de"), (5, "type"), (5, "warring_party")]


def test_missing_registry_is_reported(raw_dir):
    (raw_dir / "estimators.csv").unlink()
    problems = validate_raw(raw_dir)
    assert [(p.file, p.message) for p in problems] == [("estimators.csv", "file is missing")]


def _with_repeats(raw_dir: Path, rows: list[str]) -> list:
    header = HEADER.rstrip("\n") + ",repeat_of\n"
    body = GOOD_ROW.rstrip("\n") + ",\n" + "".join(rows)
    (raw_dir / "claims.csv").write_text(header + body, encoding="utf-8")
    return validate_raw(raw_dir)


def test_repeat_of_valid_reference_passes(raw_dir):
    row = "c2,containers_munitions,1000,1000,over,assessed,,2023-10-01,2024-05-01,X,media,s1,n,yes,total,c1\n"
    assert _with_repeats(raw_dir, [row]) == []


@pytest.mark.parametrize(
    ("ref_and_values", "needle"),
    [
        ("1000,1000,c9", "claim_id of another row"),
        ("1000,1000,c2", "claim_id of another row"),
        ("2000,2000,c1", "indicator and values"),
    ],
)
def test_repeat_of_bad_reference_is_located(raw_dir, ref_and_values, needle):
    lo, hi, ref = ref_and_values.split(",")
    row = f"c2,containers_munitions,{lo},{hi},over,assessed,,,2024-05-01,X,media,s1,n,yes,total,{ref}\n"
    problems = _with_repeats(raw_dir, [row])
    assert [(p.line, p.column) for p in problems] == [(3, "repeat_of")]
    assert needle in problems[0].message


def test_repeat_of_an_older_claim_only(raw_dir):
    row = "c2,containers_munitions,1000,1000,over,assessed,,,2023-01-01,X,media,s1,n,yes,total,c1\n"
    problems = _with_repeats(raw_dir, [row])
    assert [(p.line, p.column) for p in problems] == [(3, "repeat_of")]
    assert "published after" in problems[0].message


def test_source_kind_is_checked_when_present(raw_dir):
    (raw_dir / "sources.csv").write_text(
        "source_id,publisher,title,url,published,accessed,language,via,remark,kind\n"
        "s1,KBS,Title,https://example.org/a,2023-10-13,2026-11-24,en,,descriptive title,blog\n",
        encoding="utf-8",
    )
    problems = validate_raw(raw_dir)
    assert [(p.file, p.line, p.column) for p in problems] == [("sources.csv", 2, "kind")]


def test_project_sources_have_kind_and_no_remarks_in_titles():
    import csv

    from dprk_russia import RAW_DIR

    with (RAW_DIR / "sources.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert all(r["kind"] for r in rows)
    assert not [r["title"] for r in rows if r["title"].endswith(("(descriptive)", "(headline not shown)"))]


def _plausible(raw_dir: Path, rows: str):
    from dprk_russia.data.rules import validate_raw_with_warnings

    (raw_dir / "claims.csv").write_text(HEADER + GOOD_ROW + rows, encoding="utf-8")
    return validate_raw_with_warnings(raw_dir)


def test_killed_above_casualties_same_page_is_an_error(raw_dir):
    errors, warnings = _plausible(
        raw_dir,
        "c2,killed,600,600,about,assessed,,2024-05-01,2024-05-01,X,media,s1,n,yes,total\n"
        "c3,casualties_total,500,500,about,assessed,,2024-05-01,2024-05-02,X,media,s1,n,yes,total\n",
    )
    assert [(p.line, p.column) for p in errors] == [(3, "value_low")] and warnings == []
    assert "c3" in errors[0].message


def test_killed_above_casualties_across_pages_is_a_warning(raw_dir):
    with (raw_dir / "sources.csv").open("a", encoding="utf-8") as f:
        f.write("s2,KBS,T2,https://example.org/b,2024-05-01,2026-11-24,en,\n")
    errors, warnings = _plausible(
        raw_dir,
        "c2,killed,600,600,about,assessed,,2024-05-01,2024-05-01,X,media,s1,n,yes,total\n"
        "c3,casualties_total,500,500,about,assessed,,2024-05-01,2024-05-01,X,media,s2,n,yes,total\n"
        "c4,casualties_total,500,500,about,assessed,,2024-05-02,2024-05-02,X,media,s2,n,yes,total\n",
    )
    assert errors == [] and [(p.line, p.column) for p in warnings] == [(3, "value_low")]


def test_published_after_accessed_is_an_error(raw_dir):
    errors, _ = _plausible(raw_dir, "c2,killed,5,5,about,assessed,,,2026-12-01,X,media,s1,n,yes,total\n")
    assert [(p.file, p.line, p.column) for p in errors] == [("claims.csv", 3, "published")]
    (raw_dir / "sources.csv").write_text(
        "source_id,publisher,title,url,published,accessed,language,via\n"
        "s1,KBS,Title,https://example.org/a,2026-12,2026-11-24,en,\n",
        encoding="utf-8",
    )
    errors, _ = _plausible(raw_dir, "")
    assert [(p.file, p.line, p.column) for p in errors] == [("sources.csv", 2, "published")]


def test_period_end_after_published_only_for_forecasts(raw_dir):
    errors, _ = _plausible(
        raw_dir,
        "c2,killed,5,5,about,assessed,,2024-06,2024-05-01,X,media,s1,n,yes,total\n"
        "c3,killed,5,5,about,forecast,,2024-06,2024-05-01,X,media,s1,n,yes,total\n",
    )
    assert [(p.line, p.column) for p in errors] == [(3, "period_end")]


def test_same_statement_with_different_bases_is_a_warning(raw_dir):
    errors, warnings = _plausible(
        raw_dir,
        "c2,artillery_rounds,5,5,about,assessed,,,2024-05-01,X,media,s1,n,yes,total\n"
        "c3,artillery_rounds,5,5,about,capacity,,,2024-05-01,X,media,s1,n,yes,total\n"
        "c4,artillery_rounds,6,6,about,capacity,,,2024-05-01,X,media,s1,n,yes,total\n",
    )
    assert errors == [] and [(p.line, p.column) for p in warnings] == [(4, "basis")]
    assert "c2 (assessed), c3 (capacity)" in warnings[0].message


def test_cli_prints_warnings_but_exits_zero(raw_dir):
    for name, text in (
        (
            "claims.csv",
            HEADER + GOOD_ROW + "c3,containers_munitions,1000,1000,over,capacity,2023-09,"
            "2023-10-01,2023-10-13,US NSC,government,s1,ok,yes,total\n",
        ),
    ):
        (raw_dir / name).write_text(text, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "dprk_russia.data.validate", str(raw_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr.startswith("warning: ") and "different bases" in out.stderr


def test_registry_colours_are_checked(raw_dir):
    path = raw_dir / "estimators.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [lines[0] + ",colour", lines[1] + ",#0072B2", lines[2] + ",#0072b2", "Y,Y,Y,media,,no,blue", "Z,Z,Z,media,,no,"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    problems = [p for p in validate_raw(raw_dir) if p.file == "estimators.csv"]
    assert sorted((p.line, p.column) for p in problems) == [(3, "colour"), (4, "colour")]
    assert any("already used" in p.message for p in problems)


# ---- round two: the one reader, blank text, dates in the future, clearer messages


@pytest.mark.parametrize(
    ("file", "column"),
    [
        ("claims.csv", "note"),
        ("sources.csv", "publisher"),
        ("sources.csv", "title"),
        ("estimators.csv", "estimator"),
        ("estimators.csv", "label_en"),
    ],
)
def test_whitespace_only_text_is_an_error(raw_dir, file, column):
    path = raw_dir / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[1].rstrip("\n").split(",")
    cells[header.index(column)] = "   "
    path.write_text(lines[0] + ",".join(cells) + "\n", encoding="utf-8")
    problems = validate_raw(raw_dir)
    assert [str(p) for p in located(problems, file, 2, column)] == [
        f"{file}:2, column '{column}': must not be empty or only spaces, got '   '"
    ]


def test_whitespace_only_estimator_is_not_a_phantom_estimator(raw_dir):
    problems = with_claim(raw_dir, "c2,killed,5,5,about,assessed,,,2024-01-01,   ,media,s1,n,yes,total\n")
    assert [p.message for p in located(problems, "claims.csv", 3, "estimator")] == [
        "expected an estimator of estimators.csv: one of US NSC, X, got '   '"
    ]


def test_published_in_the_future_is_an_error(raw_dir):
    from datetime import date

    from dprk_russia.data.rules import validate_raw_with_warnings

    problems = with_claim(raw_dir, "c2,killed,5,5,about,assessed,,,2027-01-01,X,media,s1,n,yes,total\n")
    assert located(problems, "claims.csv", 3, "published"), "rejected whatever today is"
    problems = validate_raw(raw_dir, today=date(2026, 12, 1))
    assert [p.message for p in located(problems, "claims.csv", 3, "published")] == [
        "2027-01-01 is in the future (today is 2026-12-01)"
    ]
    # published after the page was read (accessed 2026-11-24) cannot be right either
    errors, _ = validate_raw_with_warnings(raw_dir, today=date(2027, 6, 1))
    assert [p.message for p in located(errors, "claims.csv", 3, "published")] == [
        "published 2027-01-01 is after the source was accessed (2026-11-24)"
    ]
    with (raw_dir / "sources.csv").open("a") as fh:
        fh.write("s2,X,T,https://example.org/b,2027-01,2026-11-24,en,\n")
    problems = validate_raw(raw_dir, today=date(2026, 12, 1))
    assert [p.message for p in located(problems, "sources.csv", 3, "published")] == [
        "2027-01 is in the future (today is 2026-12-01)"
    ]


def test_header_with_stray_space_is_reported_by_validation_and_cleaning_alike(raw_dir):
    from dprk_russia.data.clean import read_raw

    (raw_dir / "claims.csv").write_text(HEADER.replace(",note,", ", note,") + GOOD_ROW, encoding="utf-8")
    problems = validate_raw(raw_dir)
    assert [str(p) for p in problems] == [
        "claims.csv:1, column 'note': column name ' note' has spaces around it; write it as 'note'"
    ]
    with pytest.raises(ValueError, match=r"claims\.csv:1, column 'note': column name ' note'"):
        read_raw(raw_dir)


def test_excel_bom_and_crlf_are_read_the_same_by_validation_and_cleaning(raw_dir):
    from dprk_russia.data.clean import read_raw

    text = (HEADER + GOOD_ROW).replace("\n", "\r\n")
    (raw_dir / "claims.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert validate_raw(raw_dir) == []
    claims = read_raw(raw_dir)["claims"]
    assert list(claims.columns) == HEADER.strip().split(",")
    assert claims.loc[0, "scope"] == "total" and claims.loc[0, "claim_id"] == "c1"


def test_semicolon_file_gives_one_message(raw_dir):
    (raw_dir / "claims.csv").write_text((HEADER + GOOD_ROW).replace(",", ";"), encoding="utf-8")
    problems = validate_raw(raw_dir)
    assert [str(p) for p in problems] == [
        "claims.csv:1: this file uses ';' as delimiter; save it as comma-separated (CSV)"
    ]


def test_old_mac_line_ends_give_one_message(raw_dir):
    """A file whose lines end in a carriage return alone gave a csv.Error traceback."""
    from dprk_russia.data.clean import read_raw

    (raw_dir / "claims.csv").write_bytes((HEADER + GOOD_ROW).replace("\n", "\r").encode("utf-8"))
    problems = validate_raw(raw_dir)
    assert [str(p) for p in problems] == [
        "claims.csv:1: lines end in a carriage return alone (old Mac format); save the file with LF "
        "or CRLF line ends (in Excel: 'CSV UTF-8')"
    ]
    with pytest.raises(ValueError, match=r"claims\.csv:1: lines end in a carriage return alone"):
        read_raw(raw_dir)


def test_cp1252_file_names_line_and_column(raw_dir):
    row = "c2,killed,5,5,about,assessed,,,2024-01-01,Minist\xe8re,media,s1,n,yes,total\n"
    (raw_dir / "claims.csv").write_bytes((HEADER + GOOD_ROW + row).encode("cp1252"))
    problems = validate_raw(raw_dir)
    assert [(p.file, p.line, p.column) for p in problems] == [("claims.csv", 3, "estimator")]
    assert "byte 0xe8" in problems[0].message and "save it as UTF-8" in problems[0].message


def test_duplicate_id_names_the_earlier_line(raw_dir):
    problems = with_claim(
        raw_dir,
        "c2,killed,5,5,about,assessed,,,2024-01-01,X,media,s1,n,yes,total\n"
        "c1,killed,5,5,about,assessed,,,2024-01-01,X,media,s1,n,yes,total\n",
    )
    assert [str(p) for p in problems] == [
        "claims.csv:4, column 'claim_id': duplicate id 'c1': already used on line 2"
    ]


# ---- probable repeats whose repeat_of is empty (warnings)


def _repeats_warned(raw_dir: Path, rows: list[str], sources: str = "") -> tuple[list, list]:
    from dprk_russia.data.rules import validate_raw_with_warnings

    if sources:
        with (raw_dir / "sources.csv").open("a", encoding="utf-8") as f:
            f.write(sources)
    header = HEADER.rstrip("\n") + ",repeat_of\n"
    body = GOOD_ROW.rstrip("\n") + ",\n" + "".join(rows)
    (raw_dir / "claims.csv").write_text(header + body, encoding="utf-8")
    errors, warnings = validate_raw_with_warnings(raw_dir)
    return errors, [w for w in warnings if "probable repeat" in w.message]


def test_same_figure_same_estimator_months_later_is_a_probable_repeat(raw_dir):
    row = "c2,containers_munitions,1000,1000,over,assessed,,,2024-05-01,US NSC,government,s1,n,yes,total,\n"
    errors, warnings = _repeats_warned(raw_dir, [row])
    assert errors == [] and [(w.file, w.line, w.column) for w in warnings] == [("claims.csv", 3, "repeat_of")]
    assert "c1 published 2023-10-13" in warnings[0].message and "US NSC" in warnings[0].message


@pytest.mark.parametrize(
    "row",
    [
        # a relay of the same statement within 30 days is a copy, not a repeat
        "c2,containers_munitions,1000,1000,over,assessed,,,2023-11-10,US NSC,government,s1,n,yes,total,\n",
        # another estimator, another relay
        "c2,containers_munitions,1000,1000,over,assessed,,,2024-05-01,X,media,s1,n,yes,total,\n",
        # other values
        "c2,containers_munitions,2000,2000,over,assessed,,,2024-05-01,US NSC,government,s1,n,yes,total,\n",
        # marked
        "c2,containers_munitions,1000,1000,over,assessed,,,2024-05-01,US NSC,government,s1,n,yes,total,c1\n",
        # looked at: the note says why it is not a repeat
        "c2,containers_munitions,1000,1000,over,assessed,,,2024-05-01,US NSC,government,s1,"
        '"Not a repeat: the NSC\'s own new briefing, restating its count",yes,total,\n',
    ],
    ids=["within-30-days", "other-estimator", "other-values", "marked", "not-a-repeat"],
)
def test_no_probable_repeat(raw_dir, row):
    errors, warnings = _repeats_warned(raw_dir, [row])
    assert errors == [] and warnings == []


def test_same_relay_is_a_probable_repeat(raw_dir):
    sources = (
        "s2,KBS,T2,https://example.org/b,2024-01-10,2026-11-24,en,Yonhap\n"
        "s3,KBS,T3,https://example.org/c,2024-05-01,2026-11-24,en,Yonhap\n"
    )
    rows = [
        "c2,killed,100,100,about,assessed,,,2024-01-10,US NSC,government,s2,n,yes,total,\n",
        "c3,killed,100,100,about,assessed,,,2024-05-01,X,media,s3,n,yes,total,\n",
    ]
    errors, warnings = _repeats_warned(raw_dir, rows, sources)
    assert errors == [] and [w.line for w in warnings] == [4]
    assert "c2" in warnings[0].message and "Yonhap" in warnings[0].message


@pytest.mark.parametrize(
    "word", ["Background line", "repeats the NIS figure", "restated", "an old figure", "the earlier figure"]
)
def test_note_words_make_a_probable_repeat(raw_dir, word):
    row = f'c2,killed,,,about,assessed,,,2024-05-01,X,media,s1,"Page gives {word}",yes,total,\n'
    errors, warnings = _repeats_warned(raw_dir, [row])
    assert errors == [] and [w.line for w in warnings] == [3]
    assert "the note says" in warnings[0].message


def test_repeat_of_rules_still_hold_beside_the_warning(raw_dir):
    # a repeat_of pointing to a later claim is still an error; the warning does not replace it
    row = "c2,containers_munitions,1000,1000,over,assessed,,,2023-01-01,X,media,s1,n,yes,total,c1\n"
    errors, warnings = _repeats_warned(raw_dir, [row])
    assert [(p.line, p.column) for p in errors] == [(3, "repeat_of")] and warnings == []


def test_cli_lists_probable_repeats(raw_dir):
    _repeats_warned(
        raw_dir, ["c2,containers_munitions,1000,1000,over,assessed,,,2024-05-01,US NSC,government,s1,n,yes,total,\n"]
    )
    out = subprocess.run(
        [sys.executable, "-m", "dprk_russia.data.validate", str(raw_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "claims.csv:3, column 'repeat_of': probable repeat" in out.stderr


# ---- sources.csv original_source_id: the original of a relay or aggregator


def _with_originals(raw_dir: Path, rows: list[str]) -> list:
    header = "source_id,publisher,title,url,published,accessed,language,via,remark,kind,original_source_id\n"
    base = "s1,KBS,Title,https://example.org/a,2023-10-13,2026-11-24,en,,,original,\n"
    (raw_dir / "sources.csv").write_text(header + base + "".join(rows), encoding="utf-8")
    return validate_raw(raw_dir)


def test_original_source_id_of_a_relay_passes(raw_dir):
    row = "s2,Copy,T2,https://example.org/b,2023-10-14,2026-11-24,en,KBS,,relay,s1\n"
    assert _with_originals(raw_dir, [row]) == []


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("s2,Copy,T2,https://example.org/b,2023-10-14,2026-11-24,en,KBS,,relay,s9\n", "source_id of sources.csv"),
        ("s2,Copy,T2,https://example.org/b,2023-10-14,2026-11-24,en,KBS,,relay,s2\n", "its own original"),
        (
            "s2,Copy,T2,https://example.org/b,2023-10-14,2026-11-24,en,KBS,,relay,s3\n"
            "s3,Blog,T3,https://example.org/c,2023-10-14,2026-11-24,en,,,aggregator,\n",
            "the original 's3' has kind 'aggregator'",
        ),
        ("s2,Own,T2,https://example.org/b,2023-10-14,2026-11-24,en,,,original,s1\n", "only a relay or aggregator"),
    ],
    ids=["unknown", "itself", "original-not-original", "row-not-relay"],
)
def test_bad_original_source_id_is_located(raw_dir, row, needle):
    problems = _with_originals(raw_dir, [row])
    assert [(p.file, p.line, p.column) for p in problems] == [("sources.csv", 3, "original_source_id")]
    assert needle in problems[0].message


# ---- round three: keys with hidden characters, overlong numbers, empty labels


def test_key_with_a_no_break_space_is_rejected_in_the_registry_and_in_claims(raw_dir):
    """'South Korea\\u00a0NIS' used consistently in both files used to pass: it looks like, but is
    not, 'South Korea NIS'."""
    key = "South Korea\u00a0NIS"
    with (raw_dir / "estimators.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"{key},NIS,NIS,intelligence,South Korea,no\n")
    problems = with_claim(raw_dir, f"c2,killed,5,5,about,assessed,,,2024-01-01,{key},intelligence,s1,n,yes,total\n")
    why = (
        "key 'South Korea\\xa0NIS' contains NO-BREAK SPACE (U+00A0) at character 12: an invisible character "
        "or a space other than the plain space; type the key again without it"
    )
    assert [str(p) for p in problems] == [
        f"claims.csv:3, column 'estimator': {why}",
        f"estimators.csv:4, column 'estimator': {why}",
    ]


@pytest.mark.parametrize(
    ("row", "column", "name"),
    [
        ("c2,killed,5,5,about,assessed,,,2024-01-01,X\u200b,media,s1,n,yes,total\n", "estimator", "ZERO WIDTH SPACE (U+200B)"),
        ("c2\u2060,killed,5,5,about,assessed,,,2024-01-01,X,media,s1,n,yes,total\n", "claim_id", "WORD JOINER (U+2060)"),
        ("c2,killed\u200d,5,5,about,assessed,,,2024-01-01,X,media,s1,n,yes,total\n", "indicator", "ZERO WIDTH JOINER (U+200D)"),
        ("c2,killed,5,5,about,assessed,,,2024-01-01,X,media,s1\ufeff,n,yes,total\n", "source_id", "ZERO WIDTH NO-BREAK SPACE (U+FEFF)"),
        ("c2,killed,5,5,about,assessed,,,2024-01-01,X\u3164,media,s1,n,yes,total\n", "estimator", "HANGUL FILLER (U+3164)"),
        ('"c2\n",killed,5,5,about,assessed,,,2024-01-01,X,media,s1,n,yes,total\n', "claim_id", "a control character (U+000A)"),
    ],
)
def test_invisible_character_in_a_key_is_one_located_message(raw_dir, row, column, name):
    problems = with_claim(raw_dir, row)
    assert len(problems) == 1, problems
    assert (problems[0].file, problems[0].line, problems[0].column) == ("claims.csv", 3, column)
    assert f"contains {name} at character" in problems[0].message


def test_keys_that_differ_only_after_nfkc_and_whitespace_folding(raw_dir):
    with (raw_dir / "estimators.csv").open("a", encoding="utf-8") as fh:
        fh.write("US  NSC,a,b,government,United States,no\n")  # line 4: a second space
        fh.write("\uff38,c,d,media,,no\n")  # line 5: a fullwidth X
        fh.write("X ,e,f,media,,no\n")  # line 6: a space after it
    problems = with_claim(raw_dir, "c2,killed,5,5,about,assessed,,,2024-01-01,US\u2003NSC,government,s1,n,yes,total\n"
                                   "c3,killed,5,5,about,assessed,,,2024-01-01,\uff38,media,s1,n,yes,total\n")  # fmt: skip
    assert [str(p) for p in problems] == [
        "claims.csv:3, column 'estimator': key 'US\\u2003NSC' contains EM SPACE (U+2003) at character 3: an "
        "invisible character or a space other than the plain space; type the key again without it",
        "estimators.csv:4, column 'estimator': key 'US  NSC' differs from 'US NSC' (line 2) only in spacing or "
        "Unicode form (NFKC); use one spelling for one key",
        "estimators.csv:5, column 'estimator': key 'Ｘ' differs from 'X' (line 3) only in spacing or Unicode "
        "form (NFKC); use one spelling for one key",
        "estimators.csv:6, column 'estimator': key 'X ' has spaces around it; write it as 'X'",
    ]
    # a reference that matches a key only after folding names the key to write
    (raw_dir / "estimators.csv").write_text(ESTIMATORS, encoding="utf-8")
    problems = with_claim(raw_dir, "c2,killed,5,5,about,assessed,,,2024-01-01,US  NSC,government,s1,n,yes,total\n")
    assert [str(p) for p in problems] == [
        "claims.csv:3, column 'estimator': 'US  NSC' is not a key of estimators.csv: 'US NSC' differs from it "
        "only in spacing or Unicode form (NFKC); write it exactly as there"
    ]


def test_overlong_numbers_are_rejected_with_line_and_column(raw_dir):
    """A 400-digit value matched the number pattern and became infinity in cleaning."""
    huge = "1" * 400
    problems = with_claim(
        raw_dir,
        f"c2,killed,{huge},{huge},about,assessed,,,2024-01-01,X,media,s1,n,yes,total\n"
        "c3,killed,1234567890123456,1234567890123456.5,range,assessed,,,2024-01-01,X,media,s1,n,yes,total\n"
        "c4,killed,123456789012345,0.000000000000000012,range,assessed,,,2024-01-01,X,media,s1,n,yes,total\n",
    )
    assert [str(p) for p in problems if p.line in (3, 4)] == [
        "claims.csv:3, column 'value_high': a number with 400 significant digits is too long (at most 15; "
        "write the figure as published), got '111111111111…111111'",
        "claims.csv:3, column 'value_low': a number with 400 significant digits is too long (at most 15; "
        "write the figure as published), got '111111111111…111111'",
        "claims.csv:4, column 'value_high': a number with 17 significant digits is too long (at most 15; "
        "write the figure as published), got '1234567890123456.5'",
        "claims.csv:4, column 'value_low': a number with 16 significant digits is too long (at most 15; "
        "write the figure as published), got '1234567890123456'",
    ]
    assert not [p for p in problems if p.line == 5 and "too long" in p.message], "15 digits, or tiny, are fine"


@pytest.mark.parametrize(
    ("file", "column"),
    [
        ("indicators.csv", "label_en"),
        ("indicators.csv", "label_de"),
        ("indicators.csv", "unit"),
        ("indicators.csv", "unit_de"),
        ("estimators.csv", "label_en"),
        ("estimators.csv", "label_de"),
        ("events.csv", "event_en"),
        ("events.csv", "event_de"),
    ],
)
@pytest.mark.parametrize("value", ["", "\u200b", " \u00a0"])
def test_every_label_a_chart_or_the_report_shows_must_show_something(raw_dir, file, column, value):
    """An empty unit_de (or a label of invisible characters) passed and left a blank in the German
    charts; every label and unit shown in either language is required."""
    import csv
    import io

    path = raw_dir / file
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    problems = validate_raw(raw_dir)
    assert [str(p) for p in problems] == [f"{file}:2, column '{column}': must not be empty or only spaces, got {value!r}"]


def test_unit_de_column_is_required(raw_dir):
    path = raw_dir / "indicators.csv"
    text = path.read_text(encoding="utf-8").replace(",unit_de,", ",unit_en_too,", 1)
    path.write_text(text, encoding="utf-8")
    assert [str(p) for p in validate_raw(raw_dir)] == [
        "indicators.csv:1, column 'unit_de': required column is missing from the header"
    ]
