"""Bad input, round two: `make report` in a throw-away clone either builds correct outputs or stops
with one clear message (file, line and column, or the parameter), non-zero, no traceback, outputs
unchanged and no stray folders. Only the payload build runs notebooks: a tiny early cut-off, which is
also the suite's check of variant folders.
"""

from __future__ import annotations

import csv
import fcntl
import io
import os
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

# the `clone` fixture (a throw-away clone of this repository) comes from conftest.py
from .conftest import fresh_clone
from .test_pipeline import VENV, clean_env, make, started, tree_hashes


def rewrite(path: Path, edit) -> None:
    """Apply ``edit`` to the rows of a CSV file (header included) and write it back."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    edit(rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def assert_stopped_cleanly(clone: Path, res: subprocess.CompletedProcess, before: dict) -> None:
    assert res.returncode != 0
    assert "Traceback" not in res.stdout + res.stderr
    assert tree_hashes(clone, "data/processed", "reports") == before, "outputs unchanged"
    assert not (clone / "reports/variants").exists(), "no variant folder"
    assert not list(clone.rglob(".tmp-*"))


def test_bad_input_stops_before_any_notebook(clone: Path):
    before = tree_hashes(clone, "data/processed", "reports")
    claims = clone / "data/raw/claims.csv"
    lines = claims.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",", ",1,000 ,", 1)  # ragged row with a thousands separator
    extra = "," * (lines[0].count(",") - 14)  # empty optional columns (e.g. repeat_of)
    lines.append("c9999,killed,-5,5,about,assessed,,,24/12/2024,X,media,nope,n,yes,total" + extra + "\n")
    claims.write_text("".join(lines), encoding="utf-8")
    res = make(clone, "report", check=False)
    assert res.returncode != 0
    err = res.stderr
    assert "data/raw/claims.csv:4" in err and "ragged row" in err
    n = len(lines)
    for col in ("value_low", "published", "source_id"):
        assert f"data/raw/claims.csv:{n}, column '{col}'" in err
    assert "Traceback" not in res.stdout + res.stderr
    assert started(res.stdout) == {"validate"}, "no notebook ran"
    assert tree_hashes(clone, "data/processed", "reports") == before
    # the clone uses this checkout's up-to-date environment (VENV=...): it bootstraps no uv of its own
    assert not (clone / ".tools").exists() and "bootstrapping uv" not in res.stdout


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2024-13-45", "AS_OF=2024-13-45 is not a calendar date (month must be in 1..12)"),
        ("2017-01-01", "AS_OF=2017-01-01 keeps no claim of data/raw/claims.csv; the earliest was published"),
    ],
)
def test_bad_or_empty_cut_off_stops_before_anything_is_built(clone: Path, as_of: str, message: str):
    before = tree_hashes(clone, "data/processed", "reports")
    res = make(clone, "report", f"AS_OF={as_of}", check=False)
    assert_stopped_cleanly(clone, res, before)
    assert message in res.stderr
    assert res.stderr.count("\n") == 1, "one line"
    assert not (clone / "build").exists(), "no build/asof-... folder"


def test_unreadable_raw_files_each_give_one_located_message(clone: Path):
    before = tree_hashes(clone, "data/processed", "reports")
    raw = clone / "data/raw"
    # claims.csv: a header name with a stray space (validation and cleaning read it the same way)
    claims = raw / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace(",note,", ", note,", 1), encoding="utf-8")
    # events.csv: saved by a spreadsheet with ';' as delimiter
    events = raw / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    # indicators.csv: saved as Windows-1252
    ind_text = (raw / "indicators.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(ind_text, newline="")))
    line, column = next(
        (n, rows[0][rows[n - 1].index(cell)])
        for n in range(2, len(rows) + 1)
        for cell in rows[n - 1]
        if not cell.isascii()
    )
    (raw / "indicators.csv").write_bytes(ind_text.encode("cp1252"))

    # sources.csv: a repeated id, a publisher of spaces, a publication date after it was read
    def edit(rows):
        rows.append(list(rows[1]))
        rows[2][1] = "   "
        rows[3][4] = "2026-12-31"

    rewrite(raw / "sources.csv", edit)
    lines = (raw / "sources.csv").read_text(encoding="utf-8").splitlines()
    dup, first_id = len(lines), lines[1].split(",")[0]

    res = make(clone, "report", check=False)
    assert_stopped_cleanly(clone, res, before)
    assert started(res.stdout) == {"validate"}, "no notebook ran"
    err = res.stderr
    expected = [
        "data/raw/claims.csv:1, column 'note': column name ' note' has spaces around it; write it as 'note'",
        "data/raw/events.csv:1: this file uses ';' as delimiter; save it as comma-separated (CSV)",
        f"data/raw/indicators.csv:{line}, column '{column}': invalid UTF-8",
        f"data/raw/sources.csv:{dup}, column 'source_id': duplicate id '{first_id}': already used on line 2",
        "data/raw/sources.csv:3, column 'publisher': must not be empty or only spaces",
        "data/raw/sources.csv:4, column 'published': 2026-12-31 is",
    ]
    for text in expected:
        assert text in err, f"{text!r} not in\n{err}"
    for name in ("claims.csv", "events.csv", "indicators.csv"):
        assert sum(f"/{name}:" in ln for ln in err.splitlines()) == 1, f"one message for {name}"
    assert "KeyError" not in err


def add_formula_payloads(clone: Path) -> None:
    """Claims and estimators whose cells start with =, @ or tab+= (spreadsheet formulas)."""
    source = (clone / "data/raw/sources.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    new = [
        ["c9001", "containers_munitions", "2000", "2000", "about", "assessed", "", "2023-06-01",
         "2023-06-20", "=1+1", "media", source, '=HYPERLINK("x")', "yes", "total"],
        ["c9002", "containers_munitions", "1000", "1000", "about", "assessed", "", "2023-06-10",
         "2023-06-25", "=1+1", "media", source, "n", "yes", "total"],
        ["c9003", "ballistic_missiles_shipped", "10", "10", "about", "assessed", "", "",
         "2023-06-26", "@<b>x</b>", "media", source, "n", "yes", "total"],
        ["c9004", "artillery_rounds", "10", "10", "about", "assessed", "", "",
         "2023-06-27", "tab-formula", "media", source, "n", "yes", "total"],
    ]  # fmt: skip
    rewrite(
        clone / "data/raw/claims.csv",
        lambda rows: rows.extend(r + [""] * (len(rows[0]) - len(r)) for r in new),
    )
    # a key may not hold a tab (an invisible character), its labels may
    registry = [[e, label, label, "media", "", "no"] for e, label in
                (("=1+1", "=1+1"), ("@<b>x</b>", "@<b>x</b>"), ("tab-formula", "\t=2"))]  # fmt: skip
    rewrite(
        clone / "data/raw/estimators.csv",
        lambda rows: rows.extend(r + [""] * (len(rows[0]) - len(r)) for r in registry),
    )


def test_formula_cells_are_escaped_in_csv_only_and_an_early_cut_off_builds(payload_build):
    """Cells starting with =, @ or tab+= are quoted in the processed CSVs but shown as written
    (HTML-escaped) in the report; a cut-off that keeps a handful of claims gives a valid report."""
    clone, before = payload_build
    variant = clone / "reports/variants/asof-2023-06-30"
    processed = {
        n: (variant / f"processed/{n}.csv").read_text(encoding="utf-8") for n in ("claims", "consensus")
    }
    assert ",'=1+1," in processed["claims"] and ",'\t=2," in processed["claims"]
    assert ""","'=HYPERLINK(""x"")",""" in processed["claims"]
    assert ",'@<b>x</b>," in processed["consensus"] and ",'=1+1," in processed["consensus"]
    contradictions = (variant / "processed/contradictions.csv").read_text(encoding="utf-8")
    assert ",'=1+1;=1+1," in contradictions, "a falling cumulative figure of the same estimator"
    md = (variant / "en/report.md").read_text(encoding="utf-8")
    html = (variant / "en/report.html").read_text(encoding="utf-8")
    # as written: Markdown-escaped in report.md, plain text in report.html
    for text, formula in ((md, "=1\\+1"), (html, "=1+1")):
        assert formula in text and "@&lt;b&gt;x&lt;/b&gt;" in text
        assert "'=1" not in text and "&#39;=1" not in text and "'@" not in text and "'\t" not in text
        assert "<b>x</b>" not in text
    assert "cut-off: published on or before 30 June 2023" in md
    assert tree_hashes(clone, "data/processed", "reports") == before, "default outputs untouched"


def test_second_build_in_the_same_checkout_waits_for_the_first(clone: Path):
    lock = clone / "build/.lock"
    lock.parent.mkdir()
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    proc = subprocess.Popen(
        ["make", "clean", f"VENV={VENV}"],
        cwd=clone,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    try:
        line = proc.stderr.readline()
        assert line == "[wait]  another build is running in this checkout; waiting for it to finish\n"
        assert proc.poll() is None and (clone / "data/processed/claims.csv").exists(), "nothing touched yet"
    finally:
        os.close(fd)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert not (clone / "data/processed/claims.csv").exists(), "then it ran"
    assert "rm: cannot" not in err


# ---- round three: make variables never run as commands

#: Shell (and make) payloads: a quote, `;`, `|`, `||`, backticks, `$(...)` as the shell and as make
#: would run it. Each would create PWNED in the clone if it ran.
PAYLOADS = [
    "x' || touch PWNED; echo '",
    "'`touch PWNED`'",
    "`touch PWNED`1",
    "1; touch PWNED",
    "1 | touch PWNED",
    "1 || touch PWNED && false",
    "$$(touch PWNED)1",
    "$(touch PWNED)1",
    "$(shell touch PWNED)",
]


@pytest.mark.parametrize(
    ("target", "variable", "message"),
    [
        ("diff", "BASE", "BASE must be a git commit, tag or branch (e.g. HEAD~1, v2026.12.0)"),
        ("release", "VERSION", "VERSION must be YYYY.M.N (calendar versioning, e.g. 2027.1.0), got "),
        ("lab", "LAB_PORT", "LAB_PORT must be a port number from 1024 to 65535, got "),
        ("report", "AS_OF", "AS_OF must be an ISO date YYYY-MM-DD, got "),
        ("report", "ESTIMATOR_TYPES", "ESTIMATOR_TYPES must be 'all' or a comma-separated list"),
    ],
)
def test_make_variables_with_shell_payloads_run_nothing(clone: Path, target: str, variable: str, message: str):
    before = tree_hashes(clone, "data/processed", "reports")
    for payload in PAYLOADS:
        res = make(clone, target, f"{variable}={payload}", check=False)
        assert not list(clone.rglob("PWNED")), f"{variable}={payload} ran a command"
        assert_stopped_cleanly(clone, res, before)
        assert res.stdout == "", "no recipe ran"
        assert message in res.stderr and res.stderr.count("\n") == 1, (payload, res.stderr)
        assert not (clone / "build").exists(), "nothing created"


def test_a_good_revision_and_version_pass_the_check():
    from dprk_russia.build import params

    good = {"BASE": "HEAD~1", "VERSION": "2027.1.0", "LAB_PORT": "8899"}
    assert params.check(good) == []
    for base in ("v2026.12.0", "origin/main^2", "main@{2}", "HEAD:data", "a1b2c3d"):
        assert params.check({"BASE": base}) == []
    assert params.check({"BASE": "--output=x"})[0].startswith("BASE must be"), "no git option"
    assert params.check({"LAB_PORT": "80"}) == ["LAB_PORT must be a port number from 1024 to 65535, got '80'"]


def _shell_lines(makefile: str) -> list[str]:
    """The Makefile's text that reaches a shell: recipe lines, their continuations, and the
    variables expanded into recipes or $(shell)."""
    out, follow = [], False
    for line in makefile.splitlines():
        if follow or line.startswith("\t") or re.match(r"(NB_PARAMS|run_nb|PARAM_PROBLEMS) *:?=", line):
            out.append(line)
            follow = line.endswith("\\")
        else:
            follow = False
    return out


def _without_quoted(text: str) -> str:
    """``text`` without its ``$(call shquote,...)`` spans and without ``$(foreach x,LIST,)`` whose
    body was only such a span (each item of LIST quoted)."""
    while (start := text.find("$(call shquote,")) >= 0:
        depth, i = 0, start + 1
        for i in range(start + 1, len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                break
        text = text[:start] + text[i + 1 :]
    return re.sub(r"\$\(foreach \w+,\$\([A-Z_]+\),\)", "", text)


def test_every_parameter_that_reaches_a_shell_is_quoted_in_the_makefile():
    from dprk_russia import PROJECT_ROOT
    from dprk_russia.build import params

    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    listed = re.search(r"^PARAMETERS := ((?:.*\\\n)*.*)$", makefile, re.M)[1]
    assert set(listed.replace("\\", " ").split()) == set(params.DEFAULTS), "one list of parameters"
    names = "|".join(params.DEFAULTS)
    for line in _shell_lines(makefile):
        bare = re.findall(rf"\$\((?:{names})\)|\$\(\$\(\w+\)\)", _without_quoted(line))
        assert not bare, f"unquoted {bare} in: {line.strip()}"
    # the check itself notices a bare parameter
    assert re.findall(rf"\$\((?:{names})\)", _without_quoted("\t@echo $(BASE) $(call shquote,$(BASE))")) == [
        "$(BASE)"
    ]


# ---- round three: links injected from data

#: Data text that a Markdown renderer would turn into a live link if it were not escaped: a
#: pre-escaped link (the escaper must escape the backslash first) and a plain one.
LINK_PAYLOADS = ("\\[click\\](javascript:alert(1))", "[MSMT report](https://evil.example/t)")
MORE_PAYLOADS = (
    "<javascript:alert(1)>",
    "&#91;x&#93;(javascript:alert(1))",
    "![i](https://evil.example/i.png)",
    "`code` *em* _u_ {a} #1 +2 -3 4. x! a|b",
)


def hrefs(text: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', text)


def as_html_text(payload: str) -> str:
    """``payload`` as markdown-it writes plain text into HTML."""
    return payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def test_markdown_escape_covers_every_active_character_backslash_first():
    from dprk_russia.report.render import md_text

    for c in "\\`*_{}[]()#+-.!|":
        assert md_text(c) == "\\" + c
    assert md_text("<a> & b") == "&lt;a&gt; &amp; b"
    assert md_text(LINK_PAYLOADS[0]) == "\\\\\\[click\\\\\\]\\(javascript:alert\\(1\\)\\)"


def test_link_payloads_in_data_text_render_as_the_text_written(tmp_path: Path):
    from dprk_russia.report.render import md_link, md_text, render_html

    for payload in LINK_PAYLOADS + MORE_PAYLOADS:
        md = (
            f"# T\n\n| a | b |\n|---|---|\n| {md_text(payload)} | {md_link(payload, 'https://good.example/p')} |\n\n"
            f"{md_text(payload)}\n"
        )
        html = render_html(md, "en", tmp_path)
        assert hrefs(html) == ["https://good.example/p"], payload
        assert html.count(as_html_text(payload)) == 3, payload
        assert "<img" not in html and "<code" not in html and "<em" not in html


def test_only_http_urls_become_link_targets(tmp_path: Path):
    from dprk_russia.report.render import md_link, render_html

    for url in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x", "//evil.example", "ftp://x.org/", ""):
        assert md_link("t", url) == "t", url
    assert md_link("t", "https://x.org/a b<c>\\") == "[t](<https://x.org/a%20b%3Cc%3E%5C>)"
    assert md_link("[t]", "http://x.org/") == "[\\[t\\]](<http://x.org/>)"
    # links written into the Markdown by hand (the templates) are checked by markdown-it as well
    md = "# T\n\n[a](javascript:alert(1)) [b](JAVASCRIPT:a) <javascript:alert(1)> [c](data:text/html,x) [d](//evil.example) [e](#c1) [f](https://ok.example/)\n"
    assert hrefs(render_html(md, "en", tmp_path)) == ["#c1", "https://ok.example/"]


@pytest.mark.parametrize("lang", ["en", "de"])
def test_chart_tooltips_and_links_show_data_text_literally(tmp_path: Path, lang: str):
    svg = troops_svg(tmp_path, lang, label=LINK_PAYLOADS[0], event=LINK_PAYLOADS[1])
    titles = re.findall(r"<title>([^<]*)</title>", svg)
    assert len(titles) == 2 and all(t.startswith(LINK_PAYLOADS[0] + " · ") for t in titles)
    assert f": {LINK_PAYLOADS[1]}</text>" in svg, "the milestone key shows the event as written"
    assert f">{LINK_PAYLOADS[0]}</text>" in svg, "the title shows the indicator label as written"
    external = [h for h in hrefs(svg) if not h.startswith("#")]
    assert external == ["https://good.example/p"], "the javascript: source URL links nowhere"


@pytest.mark.parametrize("lang", ["en", "de"])
def test_dollar_pairs_in_chart_text_are_drawn_as_written(tmp_path: Path, lang: str):
    """Two $ in a label or an event are text, not TeX (matplotlib's mathtext would draw
    '1bn and US' in italics and drop the $ signs)."""
    text = "Pledge: US$1bn and US$2bn"
    svg = troops_svg(tmp_path, lang, label=text, event=text)
    assert f">{text}</text>" in svg, "title"
    assert f": {text}</text>" in svg, "milestone key"
    assert f">{'Quelle' if lang == 'de' else 'Source'}: {text}; " in svg, "source line"
    assert "font-style: italic" not in svg and "font-style:italic" not in svg


def troops_svg(tmp_path: Path, lang: str, label: str, event: str) -> str:
    """The troops chart (two claims, one milestone) with ``label`` as its title (the indicator's
    label) and estimator, ``event`` as the milestone's text, drawn and saved as the notebooks do;
    its SVG text."""
    import pandas as pd

    from dprk_russia import PROJECT_ROOT
    from dprk_russia.report import charts
    from dprk_russia.report.figures import save_figure, use_style

    from .conftest import make_claims

    claims = make_claims(
        [
            {"claim_id": "c1", "indicator": "troops_deployed", "value_low": 10000, "published": "2024-11-01"},
            {"claim_id": "c2", "indicator": "troops_deployed", "value_low": 12000, "published": "2025-05-01"},
        ]
    )
    claims["estimator_label_en"] = claims["estimator_label_de"] = label
    claims["source_url"] = ["javascript:alert(1)", "https://good.example/p"]
    ind = pd.read_csv(PROJECT_ROOT / "data/raw/indicators.csv", dtype=str, keep_default_na=False)
    ind.loc[ind["indicator"] == "troops_deployed", ["label_en", "label_de"]] = label
    events = pd.DataFrame({"date": ["2024-12-04"], "event_en": [event], "event_de": [event], "source_id": ["s1"]})
    use_style()
    save_figure(charts.troops(claims, ind, events, lang), "troops", tmp_path, png=False)
    return (tmp_path / "troops.svg").read_text(encoding="utf-8")


def add_link_payloads(clone: Path) -> None:
    """A source, an estimator, indicator labels (both languages), claims and an event carrying
    :data:`LINK_PAYLOADS`."""
    raw = clone / "data/raw"
    a, b = LINK_PAYLOADS
    source = {"source_id": "evil_src", "publisher": b, "title": f"{a} {b}", "url": "https://good.example/page",
              "published": "2023-06-20", "accessed": "2026-11-24", "language": "en", "via": a, "kind": "original"}  # fmt: skip
    rewrite(raw / "sources.csv", lambda rows: rows.append([source.get(c, "") for c in rows[0]]))
    registry = ["Evil est", a, b, "media", "", "no"]
    rewrite(raw / "estimators.csv", lambda rows: rows.append(registry + [""] * (len(rows[0]) - len(registry))))

    def labels(rows):
        for row in rows:
            if row[0] in ("containers_munitions", "air_defence_systems"):
                row[1], row[2] = f"{row[1]} {a}", f"{row[2]} {b}"

    rewrite(raw / "indicators.csv", labels)
    new = [
        ["c9011", "containers_munitions", "2000", "2000", "about", "assessed", "", "2023-06-01",
         "2023-06-20", "Evil est", "media", "evil_src", f"note {a} {b}", "yes", "total"],
        ["c9012", "air_defence_systems", "5", "5", "about", "assessed", "", "",
         "2023-06-20", "Evil est", "media", "evil_src", f"note {a} {b}", "yes", "total"],
    ]  # fmt: skip
    rewrite(raw / "claims.csv", lambda rows: rows.extend(r + [""] * (len(rows[0]) - len(r)) for r in new))
    rewrite(raw / "events.csv", lambda rows: rows.append(["2023-06-25", a, b, "evil_src"]))



@pytest.fixture(scope="module")
def payload_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """One clone with the formula and the link payloads, built once for an early cut-off in
    both languages (``make report AS_OF=2023-06-30 REPORT_LANGS="en de"``); the hashes of its
    committed outputs, which that build must leave as they are."""
    clone = fresh_clone(tmp_path_factory.mktemp("payloads"))
    before = tree_hashes(clone, "data/processed", "reports")
    add_formula_payloads(clone)
    add_link_payloads(clone)
    make(clone, "report", "AS_OF=2023-06-30", "REPORT_LANGS=en de")
    return clone, before


def test_link_payloads_in_the_data_stay_text_in_both_reports(payload_build):
    """Notes, source titles and publishers, estimator and indicator labels (both languages) and
    events carrying link payloads: report.md and report.html of an early cut-off show them as
    written, the source entry keeps its own link, and no link goes anywhere else."""
    clone, before = payload_build
    a, b = LINK_PAYLOADS
    variant = clone / "reports/variants/asof-2023-06-30"
    from dprk_russia.report.render import md_text

    for lang in ("en", "de"):
        md = (variant / f"{lang}/report.md").read_text(encoding="utf-8")
        html = (variant / f"{lang}/report.html").read_text(encoding="utf-8")
        label = a if lang == "en" else b
        notes = [f"note {a} {b}"] if lang == "en" else []  # the German report shows no (English) notes
        for text in (a, b, label, *notes):
            assert md_text(text) in md and as_html_text(text) in html, (lang, text)
        # the source entry links to its own page, whatever its title says
        assert f"[{md_text(f'{a} {b}')}](<https://good.example/page>)" in md
        assert f'<a href="https://good.example/page">{as_html_text(f"{a} {b}")}</a>' in html
        assert f'<a href="https://good.example/page">{as_html_text(b)}</a>' in html, "publisher in the claims list"
        for link in hrefs(html):
            assert link.startswith(("#", "figures/", "https://", "http://")), (lang, link)
            assert "evil.example" not in link, (lang, link)
        assert "javascript:" not in "".join(hrefs(html))
        svg = (variant / f"{lang}/figures/containers.svg").read_text(encoding="utf-8")
        assert f"<title>{label} · " in svg and "evil.example" not in "".join(hrefs(svg))
    assert tree_hashes(clone, "data/processed", "reports") == before, "default outputs untouched"


def test_the_early_cut_off_is_a_variant_in_its_own_folder_rebuilt_only_when_a_parameter_changes(payload_build):
    """The payload build is also the suite's variant build (one build less): its cut-off keeps
    only the claims and events dated up to it, in reports/variants/asof-2023-06-30; the same
    parameters again build nothing; one more parameter gets a folder of its own, with only
    the languages asked for, and leaves the first variant as it was."""
    clone, before = payload_build
    variant = clone / "reports/variants/asof-2023-06-30"
    claims = pd.read_csv(variant / "processed/claims.csv")
    assert len(claims) and pd.to_datetime(claims["published_date"]).max() <= pd.Timestamp("2023-06-30")
    events = pd.read_csv(variant / "processed/events.csv")
    assert len(events) and (events["date"] <= "2023-06-30").all()
    assert started(make(clone, "report", "AS_OF=2023-06-30", "REPORT_LANGS=en de").stdout) == set()
    first = {f: f.read_bytes() for f in variant.rglob("*") if f.is_file()}
    rpc = make(clone, "report", "AS_OF=2023-06-30", "ROUNDS_PER_CONTAINER_LOW=250", "REPORT_LANGS=en")
    assert "1.0-clean-claims" in started(rpc.stdout)
    other = clone / "reports/variants/asof-2023-06-30_rpclow-250"
    assert (other / "en/report.html").exists() and not (other / "de").exists()
    assert "rounds per container 250 to 500" in (other / "en/report.md").read_text(encoding="utf-8")
    assert "rounds per container 300 to 500" in (variant / "en/report.md").read_text(encoding="utf-8")
    assert {f: f.read_bytes() for f in variant.rglob("*") if f.is_file()} == first, "the first variant is left as it was"
    assert tree_hashes(clone, "data/processed", "reports") == before, "default outputs untouched"


def test_comma_separated_languages_are_refused_before_anything_is_built(clone: Path):
    """REPORT_LANGS=en,de used to pass the check and fail in the report step 40 s later."""
    before = tree_hashes(clone, "data/processed", "reports")
    res = make(clone, "report", "REPORT_LANGS=en,de", check=False)
    assert_stopped_cleanly(clone, res, before)
    assert "REPORT_LANGS is separated by spaces, not commas: write REPORT_LANGS='en de', got 'en,de'" in res.stderr
    assert res.stderr.count("\n") == 1 and res.stdout == ""
    assert not (clone / "build").exists(), "nothing created"


def add_rows(path: Path, *rows: dict[str, str]) -> list[int]:
    """Append rows (by column name; missing columns empty) to a raw CSV; their line numbers."""
    lines: list[int] = []

    def edit(table):
        for row in rows:
            table.append([row.get(c, "") for c in table[0]])
            lines.append(len(table))

    rewrite(path, edit)
    return lines


def claim(claim_id: str, source: str, **cells: str) -> dict[str, str]:
    """A valid counted claim published 2024-06-01 (cells override)."""
    base = {"claim_id": claim_id, "indicator": "troops_deployed", "value_low": "100", "value_high": "100",
            "qualifier": "about", "basis": "assessed", "published": "2024-06-01", "estimator": "AFP",
            "estimator_type": "media", "source_id": source, "note": "n", "checked": "yes", "scope": "total"}  # fmt: skip
    return base | cells


def first_source(clone: Path) -> str:
    return (clone / "data/raw/sources.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]


def test_keys_with_invisible_characters_stop_the_build_at_validation(clone: Path):
    before = tree_hashes(clone, "data/processed", "reports")
    raw, src = clone / "data/raw", first_source(clone)
    reg = add_rows(
        raw / "estimators.csv",
        {"estimator": "South Korea\u00a0NIS", "label_en": "NIS", "label_de": "NIS", "type": "intelligence", "warring_party": "no"},
        {"estimator": "MSMT\u200b", "label_en": "MSMT", "label_de": "MSMT", "type": "multilateral", "warring_party": "no"},
    )  # fmt: skip
    rows = add_rows(
        raw / "claims.csv",
        claim("c9001", src, estimator="South Korea\u00a0NIS", estimator_type="intelligence"),
        claim("c9002", src, estimator="MSMT\u200b", estimator_type="multilateral"),
    )
    res = make(clone, "report", check=False)
    assert_stopped_cleanly(clone, res, before)
    assert started(res.stdout) == {"validate"}, "no notebook ran"
    for file in (f"estimators.csv:{reg[0]}", f"claims.csv:{rows[0]}"):
        assert f"data/raw/{file}, column 'estimator': key 'South Korea\\xa0NIS' contains NO-BREAK SPACE (U+00A0)" in res.stderr
    for file in (f"estimators.csv:{reg[1]}", f"claims.csv:{rows[1]}"):
        assert f"data/raw/{file}, column 'estimator': key 'MSMT\\u200b' contains ZERO WIDTH SPACE (U+200B)" in res.stderr
    assert "validate: 4 problem(s) in data/raw; nothing was built." in res.stderr


def test_a_400_digit_value_stops_the_build_at_validation(clone: Path):
    before = tree_hashes(clone, "data/processed", "reports")
    (line,) = add_rows(clone / "data/raw/claims.csv", claim("c9001", first_source(clone), value_high="9" * 400))
    res = make(clone, "report", check=False)
    assert_stopped_cleanly(clone, res, before)
    assert started(res.stdout) == {"validate"}, "no notebook ran"
    assert (
        f"data/raw/claims.csv:{line}, column 'value_high': a number with 400 significant digits is too long "
        "(at most 15; write the figure as published), got '999999999999…999999'"
    ) in res.stderr


def test_an_empty_german_unit_stops_the_build_at_validation(clone: Path):
    before = tree_hashes(clone, "data/processed", "reports")

    def blank(rows):
        rows[2][rows[0].index("unit_de")] = ""
        rows[3][rows[0].index("label_de")] = "\u200b"

    rewrite(clone / "data/raw/indicators.csv", blank)
    rewrite(clone / "data/raw/events.csv", lambda rows: rows[1].__setitem__(rows[0].index("event_en"), " "))
    res = make(clone, "report", check=False)
    assert_stopped_cleanly(clone, res, before)
    assert started(res.stdout) == {"validate"}, "no notebook ran"
    for text in (
        "data/raw/indicators.csv:3, column 'unit_de': must not be empty or only spaces, got ''",
        "data/raw/indicators.csv:4, column 'label_de': must not be empty or only spaces, got '\\u200b'",
        "data/raw/events.csv:2, column 'event_en': must not be empty or only spaces, got ' '",
    ):
        assert text in res.stderr, res.stderr


# ---- round three: a full disk while a step saves its notebook


@pytest.mark.parametrize("fail_from", [1, 4], ids=["before-the-kernel-starts", "after-cells-ran"])
def test_full_disk_while_saving_the_executed_notebook_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, fail_from: int
):
    """papermill saves the executed notebook as it runs; when the disk is full the step fails with
    one line naming it and the file, no traceback, no stamp, no temporary file left under build/."""
    import errno

    import papermill.iorw

    from dprk_russia.build import run

    nb = tmp_path / "tiny.py"
    nb.write_text('# %% tags=["parameters"]\nX = 1\n\n# %%\nX + 1\n\n# %%\nX + 2\n', encoding="utf-8")
    build = tmp_path / "build"
    calls = []
    real_write = papermill.iorw.papermill_io.write

    def write(buf, path, *args, **kwargs):
        calls.append(path)
        if len(calls) < fail_from:
            return real_write(buf, path, *args, **kwargs)
        Path(path).write_text(buf[:100], encoding="utf-8")  # a partial file, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)

    monkeypatch.setattr(papermill.iorw.papermill_io, "write", write)
    executed, stamp = build / "executed/tiny.ipynb", build / "tiny.done"
    status = run.main([str(nb), "--label", "tiny", "--executed", str(executed), "--stamp", str(stamp), "-p", "X", "2"])
    out, err = capsys.readouterr()
    assert status == 1 and len(calls) >= fail_from
    assert err == f"[fail]  tiny: cannot write {executed}: No space left on device\n"
    assert out == "[start] tiny\n"
    assert not stamp.exists() and not executed.exists()
    assert not list(build.rglob(".tmp-*")), "no temporary file left"
    assert run.OUTPUT_LOG_ENV not in os.environ
