"""The report: escaping, self-contained HTML, traceable numbers, German throughout.

The tests on the real report render it from this checkout's ``data/processed`` and figures
(``make report`` writes them).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.analysis.findings import load_findings
from dprk_russia.analysis.precision import round_sig
from dprk_russia.report.charts import FIGURES
from dprk_russia.report.i18n import day, num, pct, period, published
from dprk_russia.report.render import build_report, claim_links, md_text, raw_checksum, render_html

PROCESSED = PROJECT_ROOT / "data/processed"
RAW = PROJECT_ROOT / "data/raw"
PARAMS = {
    "AS_OF": "",
    "ESTIMATOR_TYPES": "all",
    "ROUNDS_PER_CONTAINER_LOW": 300,
    "ROUNDS_PER_CONTAINER_HIGH": 500,
    "POOL_SMOOTHNESS": 3.0,
    "POOL_BAND": 0.8,
    "POOL_WARRING": "in",
}
#: Numbers that are names or definitions, not findings: UN resolution 2397, days per year.
NAMES = ("2397", "365")


@pytest.fixture(scope="module")
def report() -> dict[str, tuple[str, str]]:
    return {
        lang: build_report(RAW, PROCESSED, PROJECT_ROOT / "reports", lang, PARAMS) for lang in ("en", "de")
    }


def test_md_text_escapes_markup_and_table_characters():
    assert (
        md_text("<script>a|b</script> *x* [y]\n z") == "&lt;script&gt;a\\|b&lt;/script&gt; \\*x\\* \\[y\\] z"
    )


def test_claim_links():
    assert claim_links("c0001;c0002") == "[c0001](#c0001), [c0002](#c0002)"
    assert claim_links(["c1", "c2", "c3"], limit=2) == "[c1](#c1), [c2](#c2), …"


def test_html_is_markdown_rendered_with_figures_inlined(tmp_path):
    (tmp_path / "x.svg").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg"><a xlink:href="https://e.org/">'
        "<g><title>tip</title></g></a></svg>",
        encoding="utf-8",
    )
    md = (
        "# T\n\n## Part one\n\nA "
        + md_text("<b>bold</b> & more")
        + "\n\n![cap](figures/x.svg)\n\n| a |\n|---|\n| [c1](#c1) |\n"
    )
    html = render_html(md, "en", tmp_path)
    assert "<title>T</title>" in html and '<h2 id="part-one">' in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert '<svg class="fig" role="img" aria-label="cap" xmlns' in html and "<?xml" not in html
    assert '<a href="#c1">c1</a>' in html
    assert "<script" not in html and "<link" not in html and 'src="http' not in html
    with pytest.raises(ValueError, match="only show its own figures"):
        render_html("# T\n\n![x](https://e.org/x.svg)\n", "en", tmp_path)


def test_report_html_is_self_contained_and_every_point_links_to_its_source(report):
    for lang, (_md, html) in report.items():
        assert "<script" not in html and "<link" not in html and "<img" not in html
        assert 'name="viewport"' in html and "@media print" in html
        # each figure twice: the desktop drawing and its phone variant
        stems = [s for stems in FIGURES.values() for s in stems]
        assert html.count('<svg class="fig fig-wide" ') == len(stems), lang
        assert html.count('<svg class="fig fig-narrow" ') == len(stems), lang
        assert html.count("<svg ") == 2 * len(stems), lang
        # every linked point carries a tooltip, and every tooltip belongs to a linked point
        points = re.findall(
            r'<g id="[a-z_]+-pt\d+"><title>([^<]+)</title>\s*(?:<defs>.*?</defs>\s*)?', html, re.S
        )
        assert len(points) > 500
        assert html.count('xlink:href="http') >= len(points)


KEY_SECTION = {"en": "Key findings", "de": "Wichtigste Ergebnisse"}
CONTRA_SECTION = {"en": "Contradictions", "de": "Gefundene Widersprüche"}
SENT_BACK_SECTION = {"en": "What Russia sent back", "de": "Was Russland zurückschickte"}


def test_every_claim_link_has_an_anchor_and_tables_link_their_claims(report):
    claims = pd.read_csv(PROCESSED / "claims.csv", dtype=str)
    for lang, (md, html) in report.items():
        anchors = set(re.findall(r'<a id="(c\d+)"></a>', md))
        assert anchors == set(claims["claim_id"]), lang
        assert set(re.findall(r"\]\(#(c\d+)\)", md)) <= anchors
        assert '<details class="appendix claims">' in html and 'id="c0102"' in html
        body = md.split("\n## ")
        names = {"key": KEY_SECTION, "contra": CONTRA_SECTION, "sent_back": SENT_BACK_SECTION}
        section = {n: next(p for p in body if p.startswith(h[lang])) for n, h in names.items()}
        rows = {
            n: [[ln for ln in t.splitlines() if ln.startswith("| ")][1:] for t in p.split("\n### ")]
            for n, p in section.items()
        }
        key, russia = rows["key"]
        assert all("](#c" in ln for ln in key), "every key-findings row links to a claim"
        assert len(key) == pd.read_csv(PROCESSED / "consensus.csv")["newest_claim_id"].notna().sum()
        sent_back = pd.read_csv(PROCESSED / "sent_back.csv")
        assert len(russia) == 2 + sent_back["key"].sum(), "Russia's side: two oil rows and the key kinds"
        assert all("](#c" in ln for ln in russia), "every row of Russia's side links to its claims"
        (contra,) = rows["contra"]
        assert all("](#c" in ln for ln in contra), "every contradiction links to its claims"
        assert len(contra) == len(pd.read_csv(PROCESSED / "contradictions.csv")), lang
        (transfers,) = rows["sent_back"]
        assert len(transfers) == len(pd.read_csv(PROCESSED / "transfers.csv")), lang
        assert all("](#c" in ln for ln in transfers), "every transfer links to its claims"
        kinds = section["sent_back"].count("\n- **")
        assert kinds == len(sent_back), "one summary line per kind"


def _allowed(lang: str) -> tuple[set[str], list[str]]:
    """Every number and date the report may print, formatted: from the findings and the tables."""
    nums: set[str] = set(NAMES)
    dates: set[str] = set()
    for f in load_findings(PROCESSED).values():
        for v in (f.value, f.low, f.high):
            if v is not None:
                nums |= {num(v, lang), num(v, lang, 1), num(v, lang, 2), pct(v, lang), pct(v, lang, 1)}
        if f.date is not None:
            dates.add(day(f.date, lang))
    read = lambda name: pd.read_csv(PROCESSED / f"{name}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    for r in read("contradictions").itertuples():
        dates |= {day(pd.Timestamp(d), lang) for d in r.dates.split(";")}
        nums |= {num(float(v), lang) for part in r.values.split(";") for v in part.split("-")}
        for v in (float(r.measure), float(r.reference)):
            nums |= {num(v, lang), num(v, lang, 1), num(round_sig(v), lang)}
    for name in ("claims", "transfers"):
        t = read(name)
        nums |= {num(float(v), lang) for v in pd.concat([t["value_low"], t["value_high"]]) if v}
        dates |= {day(pd.Timestamp(d), lang) for d in t["date"]}
    nums |= {num(float(v), lang) for v in read("transfers")["relays"]}
    kinds = read("sent_back")
    nums |= {num(float(v), lang) for c in ("estimates", "estimators", "with_figure") for v in kinds[c]}
    dates |= {period(r.period_start, r.period_end, lang) for r in kinds.itertuples()}
    dates |= {period(r.period_start, r.period_end, lang) for r in read("claims").itertuples()}
    for r in read("pooled_sensitivity").itertuples():
        nums |= {num(round_sig(float(v)), lang) for v in (r.weighed, r.full_weight, r.doubtful_left_out)}
    dates |= {published(p, lang) for p in read("sources")["published"]}
    return nums, sorted(dates, key=len, reverse=True)


def _data_text(lang: str) -> list[str]:
    """Text from the data (titles, names, notes, labels) that may contain digits of its own."""
    src = pd.read_csv(PROCESSED / "sources.csv", dtype=str, keep_default_na=False)
    ind = pd.read_csv(RAW / "indicators.csv", dtype=str, keep_default_na=False)
    reg = pd.read_csv(PROCESSED / "estimators.csv", dtype=str, keep_default_na=False)
    notes = pd.read_csv(PROCESSED / "transfers.csv", dtype=str, keep_default_na=False)["note"]
    if lang == "en":  # the English claims list shows each claim's note
        notes = pd.concat([notes, pd.read_csv(PROCESSED / "claims.csv", dtype=str, keep_default_na=False)["note"]])
    texts = [
        *src["title"],
        *src["publisher"],
        *src["via"],
        *ind[f"label_{lang}"],
        *reg[f"label_{lang}"],
        *notes,
    ]
    return sorted({md_text(t) for t in texts if re.search(r"\d", t)}, key=len, reverse=True)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_number_in_the_report_comes_from_findings_or_tables(report, lang):
    md = report[lang][0].split("\n---\n")[0]  # the footer holds the commit and checksum
    text = re.sub(r"\]\([^)]*\)", "]", md)  # link targets
    text = re.sub(r'<a id="c\d+"></a>|\bc\d{4}\b|figures/\w+\.svg', "", text)
    nums, dates = _allowed(lang)
    for s in _data_text(lang) + dates:
        # data text is matched as the text above was cleaned (claim ids a note cites removed)
        text = text.replace(re.sub(r"\bc\d{4}\b", "", s), "")
    tokens = re.findall(r"\d(?:[\d.,]*\d)?(?:\s?%)?", text)
    assert len(tokens) > 500
    stray = sorted(set(tokens) - nums)
    assert not stray, stray[:10]


def test_german_report_has_no_english_fragments(report):
    md = report["de"][0]
    prose = re.sub(r"\[[^\]]*\]\(<[^>]*>\)", "", md)  # source titles stay in their language
    for fragment in (
        "figures differ",
        "capacity conversion reappears",
        "later reports less",
        "(empty)",
        "Schätzertypen: all.",
        "AS_OF=",
        "Ukraine Foreign Ministry",
        "Western officials",
        "unattributed",
        "Russia government",
        "Geschosse pro container",
        "Anteil an entsandter truppe",
        "4800000",
    ):
        assert fragment not in prose, fragment
    assert "4.800.000" in md and "Ukrainisches Außenministerium" in md


def test_report_text_matches_the_data(report):
    en = report["en"][0]
    share = pd.read_csv(PROCESSED / "casualty_share.csv").dropna(subset=["force"])
    assert pct(share["share_mid"].max(), "en", 1) in en
    ratios = pd.read_csv(PROCESSED / "implied_rounds_per_container.csv")
    assert f"{ratios['source_id'].nunique()} sources give both" in en and f"in {len(ratios)} pairs" in en
    sources = pd.read_csv(PROCESSED / "sources.csv")
    assert f"has {len(sources)} entries" in en
    oil = en.split("## Refined oil")[1].split("\n## ")[0]
    assert "independent" not in oil.lower() and "by MSMT, " in oil


def test_raw_checksum_changes_with_content(tmp_path):
    (tmp_path / "a.csv").write_text("1")
    first = raw_checksum(tmp_path)
    assert first == raw_checksum(tmp_path)
    (tmp_path / "a.csv").write_text("2")
    assert raw_checksum(tmp_path) != first


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_figure_caption_states_a_finding_with_a_number(report, lang):
    """Each chart's caption gives a number beyond its dates (a caption that only names what the
    chart shows, "Munitions ship voyages and port calls.", fails), and every chart has one."""
    md = report[lang][0]
    found = re.findall(r"^\*(.+)\* \[⤓ CSV\]\(figures/(\w+)\.csv\)$", md, flags=re.M)
    captions = {stem: text for text, stem in found}
    drawn = {stem for stems in FIGURES.values() for stem in stems}
    assert drawn - {"headline"} <= set(captions), sorted(drawn - set(captions))
    months = "|".join(re.escape(m) for m in _month_names(lang))
    for stem, text in captions.items():
        bare = re.sub(rf"\b\d{{1,2}}\.? (?:{months})\.? \d{{4}}\b|\b(?:{months}) \d{{4}}\b|\b20\d\d\b", "", text)
        assert re.search(r"\d", bare), f"{lang} {stem}: {text}"


def _month_names(lang: str) -> list[str]:
    """The month names the report's dates use in ``lang``."""
    return [day(pd.Timestamp(2025, m, 28), lang).split(" ", 1)[1].rsplit(" ", 1)[0] for m in range(1, 13)]
