"""The built reports in a real browser: Debian's Chromium driven by Playwright.

At a desktop width (1280 px) and a phone width (390 px): no page-level horizontal overflow, every
in-page link has its target, every figure is shown with a size and no figure text is smaller
than 9 px; the report opens with a dated bottom line and the headline chart; the key table fits
its box on a desk and is one card per question on a phone. Printed to A4 PDF, each report stays
within its page budget, figure text prints at 6 pt or more and no link points to a missing
destination. Skipped, with the reason in the pytest summary, where Chromium is not installed
(CI installs it with apt). Each report is loaded once per width and medium (:func:`view`) for the
tests that only read it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dprk_russia import PROJECT_ROOT
from dprk_russia.report.charts import FIGURES

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LANGS = ("en", "de")
WIDTHS = (1280, 390)
#: A4 pages at most, per language. Figures print large enough for 6 pt text and the claims the
#: report cites print as a compact list (issue 24), which took English from 25 to 31 pages.
MAX_PAGES = {"en": 32, "de": 30}
MIN_TEXT_PX = 9.0
STEMS = [s for stems in FIGURES.values() for s in stems]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or shutil.which("chromium") is None,
    reason="browser tests skipped: /usr/bin/chromium is not installed (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests skipped: playwright missing")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _report(lang: str) -> str:
    path = PROJECT_ROOT / "reports" / lang / "report.html"
    if not path.exists():
        pytest.fail(f"{path} missing: run `make report` first")
    return path.as_uri()


@pytest.fixture(scope="module")
def view(browser):
    """``view(lang, width, media)``: the report open at ``width`` px, laid out for ``media``
    ("screen" or "print"), loaded once per module and shared by the tests that only read it (a
    test that navigates or opens parts of the page opens its own)."""
    opened = {}

    def open_(lang: str, width: int, media: str = "screen"):  # noqa: ANN202
        if (lang, width, media) not in opened:
            pg = browser.new_page(viewport={"width": width, "height": 900 if media == "screen" else 1000})
            if media == "print":  # (only then: page.pdf prints with print CSS unless screen is emulated)
                pg.emulate_media(media=media)
            pg.goto(_report(lang))
            opened[lang, width, media] = pg
        return opened[lang, width, media]

    yield open_
    for pg in opened.values():
        pg.close()


@pytest.fixture(scope="module", params=[(lang, w) for lang in LANGS for w in WIDTHS], ids=lambda p: f"{p[0]}-{p[1]}")
def page(request, view):
    lang, width = request.param
    return lang, width, view(lang, width)


def test_no_page_level_horizontal_overflow(page):
    _lang, width, pg = page
    scroll = pg.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"page is {scroll} px wide in a {width} px window"


def test_every_in_page_link_has_its_target(page):
    _lang, _width, pg = page
    missing = pg.evaluate(
        """() => [...document.querySelectorAll('a[href^="#"]')]
             .map(a => decodeURIComponent(a.getAttribute('href').slice(1)))
             .filter(id => !document.getElementById(id))"""
    )
    assert missing == []


def test_every_figure_is_shown_once_with_a_size(page):
    _lang, width, pg = page
    shown = pg.evaluate(
        """() => [...document.querySelectorAll('svg.fig')]
             .filter(s => getComputedStyle(s).display !== 'none')
             .map(s => { const r = s.getBoundingClientRect();
                         return [s.querySelector('g[id$="-figure_1"]').id, r.width, r.height]; })"""
    )
    stems = [gid.removesuffix("-figure_1").removesuffix("-narrow") for gid, _w, _h in shown]
    assert sorted(stems) == sorted(STEMS)
    assert all(w > 0 and h > 0 and w <= width for _gid, w, h in shown)
    narrow = [gid for gid, _w, _h in shown if "-narrow-" in gid]
    assert len(narrow) == (len(STEMS) if width < 600 else 0)


def test_figure_text_is_at_least_9_px(page):
    """Rendered size of every text in the figures shown (font size times the drawing's scale)."""
    _lang, _width, pg = page
    sizes = pg.evaluate(
        """() => [...document.querySelectorAll('svg.fig')]
             .filter(s => getComputedStyle(s).display !== 'none')
             .flatMap(s => { const scale = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
                             return [...s.querySelectorAll('text')].map(t =>
                               [s.querySelector('g[id$="-figure_1"]').id, t.textContent.slice(0, 30),
                                parseFloat(getComputedStyle(t).fontSize) * scale]); })"""
    )
    assert sizes, "no figure text found"
    small = [(fig, text, round(px, 1)) for fig, text, px in sizes if px < MIN_TEXT_PX]
    assert small == []


@pytest.fixture(scope="module", params=LANGS)
def printed(request, view):
    """The report of one language printed to A4 PDF, as Chromium prints it."""
    pdf = view(request.param, 1280).pdf(format="A4", print_background=True, prefer_css_page_size=True)
    return request.param, pdf


def test_printed_report_fits_its_page_budget(printed):
    lang, pdf = printed
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert 5 <= pages <= MAX_PAGES[lang], f"{lang}: {pages} A4 pages"


def pdf_links(pdf: bytes) -> tuple[set[str], list[str], list[str]]:
    """The named destinations of a PDF as Chromium writes it (uncompressed objects, one
    ``/Dests`` dictionary), the destinations its link annotations jump to, and their URIs."""
    names: set[str] = set()
    ref = re.search(rb"/Dests\s+(\d+)\s+0\s+R", pdf)
    if ref:
        body = re.search(rb"\n" + ref[1] + rb"\s+0\s+obj\s*<<(.*?)>>\s*endobj", pdf, re.S)
        assert body, "the /Dests dictionary is missing"
        names = {n.decode() for n in re.findall(rb"/([^\s/\[\]<>()]+)\s*\[", body[1])}
    dests = [d.decode() for d in re.findall(rb"/Subtype\s*/Link[^>]*?/Dest\s*/([^\s/>\[\]]+)", pdf, re.S)]
    uris = [u.decode("latin-1") for u in re.findall(rb"/S\s*/URI\s*/URI\s*\((.*?)\)>>", pdf, re.S)]
    return names, dests, uris


def test_no_printed_link_points_to_a_missing_destination(printed):
    """Every in-document link of the PDF jumps to a destination the PDF has (claim ids land on
    the printed list of cited claims), and every other link is a web address, never a local file."""
    lang, pdf = printed
    names, dests, uris = pdf_links(pdf)
    assert len(dests) > 100 and len(uris) > 100, f"{lang}: links not found in the PDF"
    assert sorted(set(dests) - names) == []
    assert any(re.fullmatch(r"c\d+", d) for d in dests), "claim ids are links in print too"
    assert [u for u in uris if not u.startswith(("https://", "http://"))] == []


@pytest.mark.parametrize("lang", LANGS)
def test_every_link_shown_in_print_has_a_target_shown_in_print(view, lang):
    pg = view(lang, PRINT_WIDTH_PX, "print")
    dead = pg.evaluate(
        """() => [...document.querySelectorAll('a[href^="#"]')]
             .filter(a => a.getClientRects().length)
             .map(a => decodeURIComponent(a.getAttribute('href').slice(1)))
             .filter(id => { const t = document.getElementById(id);
                             return !t || !(t.closest('tr') || t).getClientRects().length; })"""
    )
    assert dead == []


#: The printable width of A4 with the report's page margins (210 mm - 2 x 13 mm) in CSS px.
PRINT_WIDTH_PX = round((210 - 2 * 13) / 25.4 * 96)
MIN_PRINT_PT = 6.0


@pytest.mark.parametrize("lang", LANGS)
def test_printed_figure_text_is_at_least_6_pt(view, lang):
    """Laid out for print on the width of an A4 page: every text of every printed figure, its
    font size times the drawing's scale, is 6 pt or more."""
    pg = view(lang, PRINT_WIDTH_PX, "print")
    sizes = pg.evaluate(
        """() => [...document.querySelectorAll('svg.fig')]
             .filter(s => getComputedStyle(s).display !== 'none')
             .flatMap(s => { const scale = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
                             return [...s.querySelectorAll('text')].map(t =>
                               [s.querySelector('g[id$="-figure_1"]').id, t.textContent.slice(0, 30),
                                parseFloat(getComputedStyle(t).fontSize) * scale * 0.75]); })"""
    )
    figures = {fig.removesuffix("-figure_1") for fig, _t, _pt in sizes}
    assert figures == set(STEMS), "each figure prints once, in its desktop drawing"
    small = sorted({(fig, round(pt, 1)) for fig, _text, pt in sizes if pt < MIN_PRINT_PT})
    assert small == []


#: The first heading after the title, and words of the dated bottom line, per language.
GLANCE = {"en": ("At a glance", "Data window", "soldiers"), "de": ("Auf einen Blick", "Datenstand", "Soldaten")}


def test_a_dated_bottom_line_with_units_opens_the_report(page):
    """Right under the title: one line per core question with a number, its unit and a date, and
    the data window, in the report's language."""
    lang, _width, pg = page
    heading, window, unit = GLANCE[lang]
    first = pg.evaluate("() => document.querySelector('h1 ~ h2').textContent.trim()")
    assert first == heading
    text = pg.evaluate(
        """() => { const h = document.querySelector('h1 ~ h2'); let out = '';
                   for (let n = h.nextElementSibling; n && n.tagName !== 'H2'; n = n.nextElementSibling)
                     out += n.textContent + '\\n';
                   return out; }"""
    )
    assert window in text and unit in text
    assert re.search(r"\b20\d\d\b", text), "the lines are dated"


@pytest.mark.parametrize("lang", LANGS)
def test_a_claim_link_lands_on_a_highlighted_row_with_a_way_back(browser, lang):
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    pg.goto(_report(lang) + "#c0102")
    row = pg.evaluate(
        """() => { const a = document.getElementById('c0102'); const tr = a.closest('tr');
                   const r = tr.getBoundingClientRect();
                   return [getComputedStyle(tr).backgroundColor, r.top, r.bottom,
                           [...tr.querySelectorAll('a[href^="#"]')].map(x => x.getAttribute('href'))]; }"""
    )
    pg.close()
    colour, top, bottom, links = row
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), "the landing row is highlighted"
    assert 0 <= top and bottom <= 900, "the row is in view, not under the top edge"
    assert any(h in ("#key-findings", "#wichtigste-ergebnisse") for h in links), "a link back"


@pytest.mark.parametrize("lang", LANGS)
def test_the_key_table_fits_its_box_at_desktop_width(view, lang):
    """At 1280 px the key table needs no scrolling inside its box (the table scrolls when its
    content is wider), lies inside the window, and no cell is cut: every date shows whole."""
    pg = view(lang, 1280)
    box, cut = pg.evaluate(
        """() => { const t = document.querySelector('table'); const r = t.getBoundingClientRect();
                   const cut = [...t.querySelectorAll('td, th')]
                     .filter(c => c.scrollWidth > c.clientWidth + 1 || c.getBoundingClientRect().right > r.right + 1)
                     .map(c => c.textContent.trim().slice(0, 30));
                   return [[t.scrollWidth - t.clientWidth, r.left, r.right], cut]; }"""
    )
    over, left, right = box
    assert over <= 1, f"{lang}: the key table overflows its box by {over:.0f} px"
    assert 0 <= left and right <= 1280, f"{lang}: the key table runs from {left:.0f} to {right:.0f} px"
    assert cut == [], f"{lang}: cut cells"


@pytest.mark.parametrize("lang", LANGS)
def test_the_key_table_is_one_card_per_question_on_a_phone(view, lang):
    """At 390 px each row of the key table is a card inside the window: no header row, every
    value on a line of its own, named by its column (data-label, shown before it)."""
    pg = view(lang, 390)
    cards = pg.evaluate(
        """() => { const t = document.querySelector('table');
                   const head = [...t.querySelectorAll('th')].map(h => h.textContent.trim());
                   return { head, thead: getComputedStyle(t.querySelector('thead')).display,
                            over: t.scrollWidth - t.clientWidth,
                            rows: [...t.querySelectorAll('tbody tr')].map(tr => {
                              const r = tr.getBoundingClientRect();
                              return { left: r.left, right: r.right, display: getComputedStyle(tr).display,
                                       cells: [...tr.children].map(td => [getComputedStyle(td).display,
                                         td.dataset.label || '', getComputedStyle(td, '::before').content]) }; }) }; }"""
    )
    assert cards["thead"] == "none" and cards["over"] <= 1
    assert len(cards["rows"]) >= 5
    for row in cards["rows"]:
        assert row["display"] == "block" and 0 <= row["left"] and row["right"] <= 390
        cells = row["cells"]
        assert [label for _d, label, _c in cells] == cards["head"], "each cell named by its column"
        assert all(d == "block" for d, _l, _c in cells[:1])
        # the question is the card's title; every other line starts with its column's name
        assert all(label in content for _d, label, content in cells[1:] if _d != "none")


#: What the headline chart shows, per language: a unit on its axes.
HEADLINE_UNIT = {"en": "soldiers", "de": "Soldaten"}


def test_the_headline_chart_stands_in_the_at_a_glance_block(page):
    """Under the dated bottom line: the headline chart (its phone variant on a phone), whose axes
    name their units and whose points are dated, with a caption that states a finding."""
    lang, width, pg = page
    found = pg.evaluate(
        """() => { const h = document.querySelector('h1 ~ h2'); const out = [];
                   for (let n = h.nextElementSibling; n && n.tagName !== 'H2'; n = n.nextElementSibling)
                     for (const s of n.querySelectorAll('svg.fig'))
                       if (getComputedStyle(s).display !== 'none')
                         out.push([s.querySelector('g[id$="-figure_1"]').id,
                                   [...s.querySelectorAll('text')].map(t => t.textContent).join(' | '),
                                   n.nextElementSibling.textContent]);
                   return out; }"""
    )
    assert len(found) == 1, f"{lang}-{width}: one headline chart in the block"
    gid, texts, caption = found[0]
    assert gid == ("headline-narrow-figure_1" if width < 600 else "headline-figure_1")
    assert HEADLINE_UNIT[lang] in texts
    assert re.search(r"\b\d{1,2}\.? \w+\.? 20\d\d\b", texts), "the newest evidence is dated"
    assert re.search(r"\b20\d\d\b", caption) and re.search(r"\d[\d,.]*\d{3}\b", caption), "a finding with its number"



def _own_english_annotations() -> list[str]:
    """The project's own English annotations that the German report must show in German: the
    publishers' bracketed notes (templates/de/annotations.csv, where the German differs) and the
    report's own English words for basis, relay and missing figures."""
    from dprk_russia.report.render import annotations

    notes = [f"({en})" for en, de in annotations("de").items() if en != de]
    words = ["(assessed)", "(capacity)", "(forecast)", "(official)", "no figure", "Estimator", "estimators"]
    return notes + words


def test_no_english_annotation_in_german_text(browser):
    """Every text node of the German report, appendices opened, free of the project's English
    annotations (source titles stay in the language of their page and are left out)."""
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    pg.goto(_report("de"))
    texts = pg.evaluate(
        """() => { document.querySelectorAll('details').forEach(d => d.open = true);
                   const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); const out = [];
                   while (w.nextNode()) { const n = w.currentNode, el = n.parentElement;
                     if (el.closest('svg, style') || el.closest('a[href^="http"]')?.closest('td:nth-child(2)')) continue;
                     if (n.textContent.trim()) out.push(n.textContent); }
                   return out; }"""
    )
    pg.close()
    text = "\n".join(texts)
    assert "Rankmore (gibt koreanische Nachrichten wieder)" in text
    found = [a for a in _own_english_annotations() if a in text]
    assert found == []


#: Russia's side in the key findings: heading, and units that must appear in its rows.
RUSSIA = {
    "en": ("What Russia sent back", ("barrels", "systems", "aircraft", "US dollars", "tonnes"), "no figure given"),
    "de": ("Was Russland zurückschickte", ("Barrel", "Systeme", "Flugzeuge", "US-Dollar", "Tonnen"), "keine Zahl genannt"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_russias_side_is_in_the_key_findings_with_units(view, lang):
    heading, units, none = RUSSIA[lang]
    pg = view(lang, 1280)
    rows = pg.evaluate(
        """(heading) => { const h = [...document.querySelectorAll('h3')].find(x => x.textContent.trim() === heading);
                   if (!h) return null;
                   let t = h.nextElementSibling; while (t && t.tagName !== 'TABLE') t = t.nextElementSibling;
                   let s = h.previousElementSibling; while (s && s.tagName !== 'H2') s = s.previousElementSibling;
                   return [s && s.id, [...t.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => c.textContent.trim()))]; }""",
        heading,
    )
    assert rows is not None, f"{lang}: no '{heading}' group"
    section, cells = rows
    assert section in ("key-findings", "wichtigste-ergebnisse"), "the group stands in the key findings"
    assert len(cells) >= 7
    assert all(re.search(r"\(.+\)$", r[0]) for r in cells), "every row names its unit"
    assert all(re.search(r"\d", r[2]) for r in cells), "every row gives its period or date"
    first = " ".join(r[0] for r in cells)
    assert all(u in first for u in units), units
    assert any(none in r[1] for r in cells), "a kind without a figure says so"
    assert re.search(r"\d", cells[0][1]) and ("cap" in cells[0][1] or "Obergrenze" in cells[0][1])


@pytest.mark.parametrize("lang", LANGS)
def test_transfers_show_a_unit_for_every_row(view, lang):
    pg = view(lang, 1280)
    units = pg.evaluate(
        """(heading) => { const h = [...document.querySelectorAll('h2')].find(x => x.textContent.trim() === heading);
                   let t = h.nextElementSibling; while (t && !t.querySelector?.('table') && t.tagName !== 'TABLE') t = t.nextElementSibling;
                   t = t.tagName === 'TABLE' ? t : t.querySelector('table');
                   const col = [...t.querySelectorAll('thead th')].findIndex(th => ['Unit', 'Einheit'].includes(th.textContent.trim()));
                   return [col, [...t.querySelectorAll('tbody tr')].map(r => r.cells[col].textContent.trim())]; }""",
        RUSSIA[lang][0],
    )
    col, cells = units
    assert col >= 0 and cells and all(cells), f"{lang}: a unit in every transfers row"
