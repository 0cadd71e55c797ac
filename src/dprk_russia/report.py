"""Assemble the report (Markdown and self-contained HTML) from processed tables and figures.

The content is a list of blocks (heading, paragraph, list, table, figure) rendered twice:
to Markdown for review in diffs and to HTML (jinja2 with autoescaping) for readers. Every
number comes from the processed data and is formatted for the language with babel.
"""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import PROJECT_ROOT, __version__, analysis
from .charts import FIGURES
from .clean import load_processed
from .i18n import check_lang, day, label, num, num_range, pct, round_sig

# keep in step with INPUTS in the Makefile
INPUT_PATHS = ("data/raw", "src", "notebooks", "Makefile", "uv.lock", "pyproject.toml")

QUALIFIER = {
    "en": {
        "exact": "",
        "about": "about ",
        "over": "more than ",
        "at_least": "at least ",
        "up_to": "up to ",
        "nearly": "nearly ",
        "range": "",
    },
    "de": {
        "exact": "",
        "about": "etwa ",
        "over": "mehr als ",
        "at_least": "mindestens ",
        "up_to": "bis zu ",
        "nearly": "fast ",
        "range": "",
    },
}

S = {
    "title": {
        "en": "North Korea and Russia: military cooperation in published figures",
        "de": "Nordkorea und Russland: militärische Zusammenarbeit in veröffentlichten Zahlen",
    },
    "intro": {
        "en": "This report compiles {n} published figures from {s} sources by {e} estimators, "
        "published between {d1} and {d2}{asof}. Each figure keeps its range, who estimated "
        "it, who relayed it and on what basis; capacity conversions and forecasts are kept "
        "apart from assessed counts.",
        "de": "Dieser Bericht stellt {n} veröffentlichte Zahlen aus {s} Quellen von {e} Schätzern "
        "zusammen, veröffentlicht zwischen {d1} und {d2}{asof}. Jede Zahl behält ihre Spanne, "
        "ihren Urheber, ihren Übermittler und ihre Grundlage; Kapazitätsumrechnungen und "
        "Prognosen werden von geschätzten Zählungen getrennt gehalten.",
    },
    "asof": {"en": " (cut-off: published on or before {d})", "de": " (Stichtag: veröffentlicht bis {d})"},
    "key": {"en": "Key findings", "de": "Wichtigste Ergebnisse"},
    "key_p": {
        "en": "For each question: the latest counted figure of every estimator (assessed or "
        "official; no capacity conversions or forecasts), the range across them, and the newest one.",
        "de": "Für jede Frage: die jüngste gezählte Zahl jedes Schätzers (geschätzt oder offiziell; "
        "ohne Kapazitätsumrechnungen und Prognosen), die Spanne zwischen ihnen und die neueste.",
    },
    "key_h": {
        "en": ["Question", "Estimators", "Pooled estimate, 80% band", "Newest figure", "By", "Published"],
        "de": ["Frage", "Schätzer", "Gepoolte Schätzung, 80-%-Band", "Neueste Zahl", "Von", "Veröffentlicht"],
    },
    "ship": {"en": "Shipments from North Korea to Russia", "de": "Lieferungen von Nordkorea an Russland"},
    "containers_p": {
        "en": "{k} estimators have counted munitions containers. The newest figure, from {e} "
        "({d}), is {q}{v} containers; the latest figures of all estimators range from {lo} to {hi}.",
        "de": "{k} Schätzer haben Munitionscontainer gezählt. Die neueste Zahl, von {e} ({d}), "
        "lautet {q}{v} Container; die jüngsten Zahlen aller Schätzer reichen von {lo} bis {hi}.",
    },
    "rounds_p": {
        "en": "Assessed counts of artillery rounds (latest per estimator) range from {lo} to {hi}. "
        "Separately, {nc} capacity conversions (what the containers could hold) run up to {cmax}; "
        "they are not counts and are never mixed with them.",
        "de": "Geschätzte Zahlen der Artilleriegeschosse (jüngste je Schätzer) reichen von {lo} bis {hi}. "
        "Getrennt davon reichen {nc} Kapazitätsumrechnungen (was die Container fassen könnten) "
        "bis {cmax}; sie sind keine Zählungen und werden nie mit ihnen vermischt.",
    },
    "ratio_p": {
        "en": "{n} sources give both a container count and a round figure for the same date. They imply "
        "{lo} to {hi} rounds per container; {out} lie outside the assumed band of {bl} to {bh}.",
        "de": "{n} Quellen nennen für dasselbe Datum sowohl Container als auch Geschosse. Daraus folgen "
        "{lo} bis {hi} Geschosse pro Container; {out} liegen außerhalb der angenommenen Spanne "
        "von {bl} bis {bh}.",
    },
    "conv_p": {
        "en": "Under that assumption the newest container count ({c}) would correspond to {rlo} to {rhi} "
        "rounds: a conversion, not a count.",
        "de": "Unter dieser Annahme entspräche die neueste Containerzahl ({c}) {rlo} bis {rhi} "
        "Geschossen: eine Umrechnung, keine Zählung.",
    },
    "missile_p": {
        "en": "Ballistic missiles: the newest figure for missiles shipped is {q1}{v1} ({e1}, {d1}); "
        "for missiles fired at Ukraine, {q2}{v2} ({e2}, {d2}).",
        "de": "Ballistische Raketen: Die neueste Zahl gelieferter Raketen ist {q1}{v1} ({e1}, {d1}); "
        "für auf die Ukraine abgefeuerte Raketen {q2}{v2} ({e2}, {d2}).",
    },
    "oil": {
        "en": "Refined oil to North Korea and the UN cap",
        "de": "Ölprodukte für Nordkorea und die UN-Obergrenze",
    },
    "oil_p": {
        "en": "Resolution 2397 caps refined-petroleum supplies at {cap} barrels a year. Independent "
        "estimates covering a stated period imply annualised deliveries of {lo} to {hi} barrels, "
        "{mlo} to {mhi} times the cap. At the fastest estimated rate ({e}, {p1} to {p2}) the cap "
        "would have been passed on {date}, {days} days into that period. Amounts notified to the UN "
        "imply at most {nhi} barrels a year.",
        "de": "Resolution 2397 begrenzt Lieferungen von Ölprodukten auf {cap} Barrel pro Jahr. Unabhängige "
        "Schätzungen für einen genannten Zeitraum ergeben hochgerechnet {lo} bis {hi} Barrel pro Jahr, "
        "das {mlo}- bis {mhi}-Fache der Obergrenze. Beim schnellsten geschätzten Tempo ({e}, {p1} bis "
        "{p2}) wäre die Obergrenze am {date} überschritten gewesen, {days} Tage nach Beginn des "
        "Zeitraums. Die der UNO gemeldeten Mengen ergeben höchstens {nhi} Barrel pro Jahr.",
    },
    "transfers": {"en": "What Russia sent back", "de": "Was Russland zurückschickte"},
    "transfers_p": {
        "en": "Claims of transfers from Russia to North Korea other than oil, one row per distinct "
        "estimate; 'Pages' counts the pages that relayed it. Many give no number.",
        "de": "Angaben zu Lieferungen Russlands an Nordkorea außer Öl, eine Zeile je Schätzung; "
        "'Seiten' zählt die Seiten, die sie wiedergaben. Viele nennen keine Zahl.",
    },
    "transfers_h": {
        "en": ["What", "Date", "Estimator", "Figure", "Basis", "Pages", "Note (first page)"],
        "de": [
            "Was",
            "Datum",
            "Schätzer",
            "Zahl",
            "Grundlage",
            "Seiten",
            "Anmerkung (englisch, erste Seite)",
        ],
    },
    "no_figure": {"en": "no figure", "de": "keine Zahl"},
    "deploy": {"en": "Troops and casualties", "de": "Truppen und Verluste"},
    "troops_p": {
        "en": "{k} estimators have given counted totals of North Korean troops sent to Russia; their "
        "latest figures range from {lo} to {hi}. {nf} further figures are plans or expectations "
        "and are shown as forecasts.",
        "de": "{k} Schätzer haben gezählte Gesamtzahlen nach Russland entsandter nordkoreanischer Soldaten "
        "genannt; ihre jüngsten Zahlen reichen von {lo} bis {hi}. {nf} weitere Zahlen sind Pläne "
        "oder Erwartungen und als Prognosen gekennzeichnet.",
    },
    "engineers_p": {
        "en": "Later waves brought engineers, sappers and military builders: the newest counted figure is "
        "{q}{v} ({e}, {d}); announced or planned numbers are shown as forecasts.",
        "de": "Spätere Wellen brachten Pioniere, Minenräumer und Bausoldaten: Die neueste gezählte Zahl ist "
        "{q}{v} ({e}, {d}); angekündigte oder geplante Zahlen erscheinen als Prognosen.",
    },
    "cas_p": {
        "en": "The newest casualty total is {q}{v} ({e}, {d}); the newest count of dead is {qk}{vk} "
        "({ek}, {dk}). The largest casualty figure equals {share} of the force as estimated by its date "
        "(median of the estimators' latest figures).",
        "de": "Die neueste Gesamtzahl der Verluste ist {q}{v} ({e}, {d}); die neueste Zahl der Toten "
        "{qk}{vk} ({ek}, {dk}). Die höchste Verlustzahl entspricht {share} der bis dahin geschätzten "
        "Truppenstärke (Median der jüngsten Zahlen der Schätzer).",
    },
    "contra": {"en": "Contradictions found in the figures", "de": "Gefundene Widersprüche"},
    "contra_p": {
        "en": "Seven rules run over the distinct figures: {counts}. Each row lists the claims involved.",
        "de": "Sieben Regeln laufen über die unterschiedlichen Zahlen: {counts}. Jede Zeile nennt die beteiligten Angaben.",
    },
    "contra_types": {
        "en": {
            "outside_band": "far outside the pooled band",
            "falling_cumulative": "cumulative figure falls",
            "capacity_as_count": "capacity reported as count",
            "killed_above_casualties": "killed above casualties",
            "parts_above_total": "killed plus wounded above total",
            "losses_above_force": "losses above force",
            "ratio_outside_band": "rounds per container outside band",
        },
        "de": {
            "outside_band": "weit außerhalb des gepoolten Bands",
            "falling_cumulative": "kumulierte Zahl sinkt",
            "capacity_as_count": "Kapazität als Zählung berichtet",
            "killed_above_casualties": "mehr Tote als Verluste",
            "parts_above_total": "Tote und Verwundete über Gesamtverlusten",
            "losses_above_force": "Verluste über Truppenstärke",
            "ratio_outside_band": "Geschosse pro Container außerhalb der Spanne",
        },
    },
    "contra_h": {
        "en": ["Rule", "Indicator", "Claims", "Estimators", "Dates", "Values", "Detail"],
        "de": ["Regel", "Indikator", "Angaben", "Schätzer", "Daten", "Werte", "Detail"],
    },
    "method": {"en": "Methodology", "de": "Methodik"},
    "method_items": {
        "en": [
            "Basis: 'assessed' is an estimate of what happened; 'capacity' is what containers or ships could hold; "
            "'forecast' is planned or expected; 'official' is a party's own statement (including UN notifications).",
            "Ranges: each figure is drawn at its midpoint with a bar from low to high; 'more than' and 'at least' keep the stated number.",
            "Dates: each figure is placed at the end of the period it covers, or at its publication date when no period "
            "is given; forecasts are placed at their publication date.",
            "Consensus: the latest counted figure of each estimator, as of the cut-off.",
            "Relays: the same figure from the same estimator, carried by several pages within 30 days, counts "
            "once in the contradiction checks and the transfers table.",
            "Conversion assumption: {bl} to {bh} rounds per container (parameters ROUNDS_PER_CONTAINER_LOW/HIGH).",
            "Oil run-rate: a period total divided by the days it covers, times 365, compared with 500,000 barrels.",
            "Estimator types included: {types}.",
            "Limits: figures are given as published and are not verified here; many are second-hand "
            "(the 'via' of each source says who relayed them). All pages were read in stored copies; "
            "claims whose page showed no date were left out.",
        ],
        "de": [
            "Grundlage: 'geschätzt' ist eine Schätzung des Geschehenen; 'Kapazitätsumrechnung' ist, was Container oder "
            "Schiffe fassen könnten; 'Prognose' ist geplant oder erwartet; 'offizielle Angabe' ist die Aussage einer Partei "
            "(einschließlich Meldungen an die UNO).",
            "Spannen: Jede Zahl erscheint an ihrem Mittelwert mit einem Balken von unten nach oben; 'mehr als' und "
            "'mindestens' behalten die genannte Zahl.",
            "Daten: Jede Zahl steht am Ende des abgedeckten Zeitraums oder, ohne Zeitraum, am Veröffentlichungsdatum; "
            "Prognosen stehen am Veröffentlichungsdatum.",
            "Konsens: die jüngste gezählte Zahl jedes Schätzers bis zum Stichtag.",
            "Übernahmen: Dieselbe Zahl desselben Schätzers, innerhalb von 30 Tagen von mehreren Seiten "
            "wiedergegeben, zählt bei den Widerspruchsprüfungen und in der Tabelle der Lieferungen einmal.",
            "Umrechnungsannahme: {bl} bis {bh} Geschosse pro Container (Parameter ROUNDS_PER_CONTAINER_LOW/HIGH).",
            "Öl-Hochrechnung: Periodensumme geteilt durch die Tage des Zeitraums, mal 365, verglichen mit 500.000 Barrel.",
            "Berücksichtigte Schätzertypen: {types}.",
            "Grenzen: Die Zahlen sind wie veröffentlicht wiedergegeben und hier nicht überprüft; viele "
            "stammen aus zweiter Hand (das Feld 'via' jeder Quelle nennt den Übermittler). Alle Seiten "
            "wurden in gespeicherten Kopien gelesen; Angaben von Seiten ohne Datum blieben unberücksichtigt.",
        ],
    },
    "sources": {"en": "Sources", "de": "Quellen"},
    "sources_h": {
        "en": ["Publisher", "Title", "Published", "Relayed from"],
        "de": ["Herausgeber", "Titel", "Veröffentlicht", "Übernommen von"],
    },
    "footer": {
        "en": [
            "Release {version}, built from input commit {commit}; data/raw SHA-256 {checksum}.",
            "Parameters: {params}.",
            "Code: MIT licence. Data and report: CC BY 4.0. Figures as published by the sources named.",
        ],
        "de": [
            "Version {version}, erstellt aus Eingabe-Commit {commit}; data/raw SHA-256 {checksum}.",
            "Parameter: {params}.",
            "Code: MIT-Lizenz. Daten und Bericht: CC BY 4.0. Zahlen wie von den genannten Quellen veröffentlicht.",
        ],
    },
}

CAPTIONS = {
    "containers": {
        "en": "Munitions containers shipped, by estimator.",
        "de": "Gelieferte Munitionscontainer nach Schätzer.",
    },
    "artillery_rounds": {
        "en": "Artillery rounds: assessed counts (left) and capacity conversions (right).",
        "de": "Artilleriegeschosse: geschätzte Zahlen (links) und Kapazitätsumrechnungen (rechts).",
    },
    "rounds_per_container": {
        "en": "Implied rounds per container against the assumed band.",
        "de": "Implizite Geschosse pro Container im Vergleich zur angenommenen Spanne.",
    },
    "missiles": {
        "en": "Ballistic missiles shipped and fired at Ukraine.",
        "de": "Gelieferte und auf die Ukraine abgefeuerte ballistische Raketen.",
    },
    "guns_launchers": {
        "en": "Guns and rocket launchers shipped.",
        "de": "Gelieferte Geschütze und Raketenwerfer.",
    },
    "ship_voyages": {"en": "Munitions voyages and port calls.", "de": "Munitionsfahrten und Hafenanläufe."},
    "dprk_share": {
        "en": "North Korea's share of Russia's artillery ammunition.",
        "de": "Nordkoreas Anteil an Russlands Artilleriemunition.",
    },
    "oil_runrate": {
        "en": "Refined-oil figures as annualised rates over their periods, against the UN cap.",
        "de": "Ölprodukt-Angaben als hochgerechnete Jahresraten über ihre Zeiträume, verglichen mit der UN-Obergrenze.",
    },
    "oil_tankers": {
        "en": "North Korean tanker calls at Russian oil terminals.",
        "de": "Anläufe nordkoreanischer Tanker an russischen Ölterminals.",
    },
    "troops": {
        "en": "North Korean troops sent to Russia, with milestones.",
        "de": "Nach Russland entsandte nordkoreanische Soldaten, mit Meilensteinen.",
    },
    "later_waves": {
        "en": "Troops at the front, later waves, and engineers and builders (forecasts marked).",
        "de": "Soldaten an der Front, spätere Wellen sowie Pioniere und Bausoldaten (Prognosen markiert).",
    },
    "casualties": {
        "en": "Killed, wounded and total casualties, by estimator.",
        "de": "Tote, Verwundete und Gesamtverluste nach Schätzer.",
    },
    "casualty_share": {
        "en": "Casualties as a share of the force as estimated by then (median of estimators' latest figures).",
        "de": "Verluste als Anteil an der bis dahin geschätzten Truppenstärke (Median der jüngsten Zahlen).",
    },
    "consensus_spread": {
        "en": "Spread of the latest figures across estimators.",
        "de": "Streuung der jüngsten Zahlen über die Schätzer.",
    },
}


@dataclass
class Block:
    """One piece of report content."""

    kind: str
    text: str = ""
    anchor: str = ""
    items: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)
    stem: str = ""
    caption: str = ""
    data: str = ""


def raw_checksum(raw_dir: Path) -> str:
    """SHA-256 over the names and bytes of the files in ``raw_dir`` (sorted)."""
    h = hashlib.sha256()
    for p in sorted(raw_dir.iterdir()):
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def input_commit(root: Path = PROJECT_ROOT) -> str:
    """Short hash of the last commit that changed the inputs (data, code, notebooks, lock).

    Outputs are committed after the inputs they were built from, so this stays stable when
    the outputs are committed; '+changes' marks uncommitted input changes.
    """
    try:
        run = lambda *a: subprocess.run(  # noqa: E731
            ["git", *a], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        commit = run("log", "-1", "--format=%h", "--abbrev=12", "--", *INPUT_PATHS) or "none"
        dirty = run("status", "--porcelain", "--untracked-files=no", "--", *INPUT_PATHS)
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit + ("+changes" if dirty else "")


def _q(row: pd.Series | dict, lang: str) -> str:
    return QUALIFIER[lang].get(row["qualifier"], "")


def _value(row, lang: str) -> str:
    if not row["has_value"]:
        return S["no_figure"][lang]
    return _q(row, lang) + num_range(row["value_low"], row["value_high"], lang)


def _describe(row, lang: str, key: str = "") -> dict[str, str]:
    """Qualifier, value, estimator and date of one claim, for the text templates."""
    return {
        f"q{key}": _q(row, lang),
        f"v{key}": num(row["value_mid"], lang),
        f"e{key}": row["estimator"],
        f"d{key}": day(row["date"], lang),
    }


def _newest(claims: pd.DataFrame, indicator: str) -> pd.Series | None:
    latest = analysis.latest_per_estimator(claims, indicator)
    if latest.empty:
        return None
    return latest.sort_values(["date", "claim_id"], kind="stable").iloc[-1]


def build_blocks(proc: Path, fig_dir: Path, ind: pd.DataFrame, lang: str, params: dict) -> list[Block]:
    """All report content for ``lang`` as blocks."""
    claims = load_processed(proc / "claims.csv")
    sources = pd.read_csv(proc / "sources.csv", dtype=str, keep_default_na=False)
    consensus = pd.read_csv(proc / "consensus.csv", dtype=str, keep_default_na=False)
    consensus = consensus[consensus["newest_claim_id"] != ""]
    contradictions = pd.read_csv(proc / "contradictions.csv", dtype=str, keep_default_na=False)
    bl, bh = float(params["ROUNDS_PER_CONTAINER_LOW"]), float(params["ROUNDS_PER_CONTAINER_HIGH"])
    T = lambda key, **kw: S[key][lang].format(**kw)  # noqa: E731
    blocks: list[Block] = []

    def h2(key: str) -> None:
        blocks.append(Block("h2", S[key][lang], anchor=key))

    def para(key: str, **values: object) -> None:
        blocks.append(Block("p", T(key, **values)))

    def fig(stem: str) -> None:
        svg = (fig_dir / f"{stem}.svg").read_bytes()
        blocks.append(
            Block("figure", stem=stem, caption=CAPTIONS[stem][lang], data=base64.b64encode(svg).decode())
        )

    as_of = params.get("AS_OF") or ""
    para(
        "intro",
        n=num(len(claims), lang),
        s=num(claims["source_id"].nunique(), lang),
        e=num(claims["estimator"].nunique(), lang),
        d1=day(claims["published_date"].min(), lang),
        d2=day(claims["published_date"].max(), lang),
        asof=T("asof", d=day(pd.Timestamp(as_of), lang)) if as_of else "",
    )

    # key findings
    h2("key")
    blocks.append(Block("p", S["key_p"][lang]))
    rows = []
    by_id = claims.set_index("claim_id")
    for r in consensus.itertuples():
        newest = by_id.loc[r.newest_claim_id]
        rows.append(
            [
                label(ind, r.indicator, lang),
                num(int(r.n_estimators), lang),
                num_range(round_sig(float(r.low)), round_sig(float(r.high)), lang) if r.low else "–",
                _value(newest, lang),
                r.newest_estimator,
                day(pd.Timestamp(r.newest_published), lang),
            ]
        )
    blocks.append(
        Block("table", header=S["key_h"][lang], rows=rows, numeric=[False, True, True, True, False, False])
    )
    fig("consensus_spread")

    # shipments
    h2("ship")
    cont = analysis.latest_per_estimator(claims, "containers_munitions")
    n_c = _newest(claims, "containers_munitions")
    if n_c is not None:
        para(
            "containers_p",
            k=len(cont),
            **_describe(n_c, lang),
            lo=num(cont["value_low"].min(), lang),
            hi=num(cont["value_high"].max(), lang),
        )
    fig("containers")
    rounds = analysis.latest_per_estimator(claims, "artillery_rounds")
    cap = claims[
        (claims["indicator"] == "artillery_rounds")
        & (claims["basis"] == "capacity")
        & claims["has_value"]
        & (claims["scope"] == "total")
    ]
    if not rounds.empty:
        para(
            "rounds_p",
            lo=num(rounds["value_low"].min(), lang),
            hi=num(rounds["value_high"].max(), lang),
            nc=num(len(cap), lang),
            cmax=num(cap["value_high"].max() if len(cap) else float("nan"), lang),
        )
    fig("artillery_rounds")
    ratios = pd.read_csv(proc / "implied_rounds_per_container.csv")
    if len(ratios):
        para(
            "ratio_p",
            n=num(len(ratios), lang),
            lo=num(ratios["ratio_mid"].min(), lang),
            hi=num(ratios["ratio_mid"].max(), lang),
            out=num(int((~ratios["in_band"]).sum()), lang),
            bl=num(bl, lang),
            bh=num(bh, lang),
        )
    if n_c is not None:
        para(
            "conv_p",
            c=num(n_c["value_mid"], lang),
            rlo=num(n_c["value_low"] * bl, lang),
            rhi=num(n_c["value_high"] * bh, lang),
        )
    fig("rounds_per_container")
    m1, m2 = _newest(claims, "ballistic_missiles_shipped"), _newest(claims, "ballistic_missiles_launched")
    if m1 is not None and m2 is not None:
        para(
            "missile_p",
            **_describe(m1, lang, "1"),
            **_describe(m2, lang, "2"),
        )
    for stem in ("missiles", "guns_launchers", "ship_voyages", "dprk_share"):
        fig(stem)

    # oil
    h2("oil")
    rr = analysis.oil_run_rate(claims)
    est = rr[rr["indicator"] == "refined_oil_delivered"]
    noti = rr[rr["indicator"] == "refined_oil_notified"]
    if len(est):
        fastest = est.sort_values(["barrels_per_day", "claim_id"], kind="stable").iloc[-1]
        para(
            "oil_p",
            cap=num(analysis.UN_CAP_BARRELS, lang),
            lo=num(round_sig(est["annualised"].min()), lang),
            hi=num(round_sig(est["annualised"].max()), lang),
            mlo=num(est["cap_multiple"].min(), lang, 1),
            mhi=num(est["cap_multiple"].max(), lang, 1),
            date=day(fastest["cap_passed_on"], lang),
            e=fastest["estimator"],
            p1=day(fastest["period_start"], lang),
            p2=day(fastest["period_end"], lang),
            days=num((fastest["cap_passed_on"] - fastest["period_start"]).days + 1, lang),
            nhi=num(round_sig(noti["annualised"].max()) if len(noti) else float("nan"), lang),
        )
    fig("oil_runrate")
    fig("oil_tankers")

    h2("transfers")
    blocks.append(Block("p", S["transfers_p"][lang]))
    tr = analysis.distinct_estimates(
        claims[
            (claims["direction"] == "russia_to_dprk")
            & ~claims["indicator"].str.startswith(("refined_oil", "oil_"))
        ]
    )
    basis_word = {
        "en": {
            "assessed": "assessed",
            "capacity": "capacity",
            "forecast": "forecast",
            "official": "official",
        },
        "de": {
            "assessed": "geschätzt",
            "capacity": "Kapazität",
            "forecast": "Prognose",
            "official": "offiziell",
        },
    }
    blocks.append(
        Block(
            "table",
            header=S["transfers_h"][lang],
            numeric=[False, False, False, True, False, True, False],
            rows=[
                [
                    label(ind, r["indicator"], lang),
                    day(r["date"], lang),
                    r["estimator"],
                    _value(r, lang),
                    basis_word[lang][r["basis"]],
                    num(r["relays"], lang),
                    r["note"],
                ]
                for _, r in tr.sort_values(["date", "claim_id"], kind="stable").iterrows()
            ],
        )
    )

    # deployments
    h2("deploy")
    troops = analysis.latest_per_estimator(claims, "troops_deployed")
    n_fore = int(
        (
            (claims["indicator"].isin(["troops_deployed", "troops_reinforcement"]))
            & (claims["basis"] == "forecast")
        ).sum()
    )
    if len(troops):
        para(
            "troops_p",
            k=len(troops),
            lo=num(troops["value_low"].min(), lang),
            hi=num(troops["value_high"].max(), lang),
            nf=num(n_fore, lang),
        )
    fig("troops")
    eng = _newest(claims, "engineers_builders")
    if eng is not None:
        para("engineers_p", **_describe(eng, lang))
    fig("later_waves")
    ct, kl = _newest(claims, "casualties_total"), _newest(claims, "killed")
    share = analysis.casualty_share(claims)
    if ct is not None and kl is not None:
        top = share.sort_values(["value_mid", "claim_id"], kind="stable").iloc[-1]
        para(
            "cas_p",
            **_describe(ct, lang),
            **_describe(kl, lang, "k"),
            share=pct(top["share_mid"], lang),
        )
    fig("casualties")
    fig("casualty_share")

    # contradictions
    h2("contra")
    names = S["contra_types"][lang]
    counts = contradictions.groupby("type").size()
    blocks.append(
        Block(
            "p",
            T("contra_p", counts="; ".join(f"{names[k]}: {num(int(counts.get(k, 0)), lang)}" for k in names)),
        )
    )
    blocks.append(
        Block(
            "table",
            header=S["contra_h"][lang],
            numeric=[False] * 7,
            rows=[
                [
                    names[r.type],
                    label(ind, r.indicator, lang),
                    r.claim_ids.replace(";", ", "),
                    r.estimators.replace(";", "; "),
                    r.dates.replace(";", "; "),
                    r.values.replace(";", "; "),
                    r.detail,
                ]
                for r in contradictions.itertuples()
            ],
        )
    )

    # methodology
    h2("method")
    types = params.get("ESTIMATOR_TYPES") or "all"
    blocks.append(
        Block(
            "list",
            items=[
                s.format(bl=num(bl, lang), bh=num(bh, lang), types=types) for s in S["method_items"][lang]
            ],
        )
    )

    # sources
    h2("sources")
    blocks.append(
        Block(
            "table",
            header=S["sources_h"][lang],
            numeric=[False] * 4,
            rows=[
                [r.publisher, {"text": r.title, "url": r.url}, r.published, r.via]
                for r in sources.sort_values(
                    ["publisher", "published", "source_id"], kind="stable"
                ).itertuples()
            ],
        )
    )
    headings = [b for b in blocks if b.kind == "h2"]
    blocks.insert(1, Block("toc", rows=[[b.anchor, b.text] for b in headings]))
    return blocks


_MD_ESCAPE = str.maketrans({"|": "\\|", "<": "&lt;", ">": "&gt;", "*": "\\*", "[": "\\[", "]": "\\]"})


def _slug(heading: str) -> str:
    """The anchor GitHub-style Markdown renderers give a heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _md(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).translate(_MD_ESCAPE)


def render_markdown(title: str, blocks: list[Block], footer: list[str]) -> str:
    """Markdown with figures linked from ``figures/``."""
    out = [f"# {_md(title)}", ""]
    for b in blocks:
        if b.kind == "h2":
            out += [f"## {_md(b.text)}", ""]
        elif b.kind == "p":
            out += [_md(b.text), ""]
        elif b.kind == "list":
            out += [f"- {_md(i)}" for i in b.items] + [""]
        elif b.kind == "toc":
            out += [f"- [{_md(text)}](#{_slug(text)})" for _anchor, text in b.rows] + [""]
        elif b.kind == "table":
            out.append("| " + " | ".join(_md(h) for h in b.header) + " |")
            out.append("|" + "|".join("---:" if n else "---" for n in b.numeric) + "|")
            for row in b.rows:
                cells = [f"[{_md(c['text'])}](<{c['url']}>)" if isinstance(c, dict) else _md(c) for c in row]
                out.append("| " + " | ".join(cells) + " |")
            out.append("")
        elif b.kind == "figure":
            out += [f"![{_md(b.caption)}](figures/{b.stem}.svg)", "", f"*{_md(b.caption)}*", ""]
    out += ["---", ""] + [_md(line) + "  " for line in footer]
    return "\n".join(out).rstrip() + "\n"


def render_html(title: str, blocks: list[Block], footer: list[str], lang: str) -> str:
    """A self-contained HTML page: styles inline, figures embedded, all data text escaped."""
    env = Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")),
        autoescape=select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
    )
    return env.get_template("report.html.j2").render(title=title, blocks=blocks, footer=footer, lang=lang)


def build_report(
    raw_dir: Path, processed_dir: Path, reports_dir: Path, lang: str, params: dict
) -> tuple[str, str]:
    """Build the Markdown and HTML texts for ``lang``."""
    check_lang(lang)
    ind = pd.read_csv(raw_dir / "indicators.csv", dtype=str, keep_default_na=False)
    missing = [
        s
        for stems in FIGURES.values()
        for s in stems
        if not (reports_dir / lang / "figures" / f"{s}.svg").exists()
    ]
    if missing:
        raise FileNotFoundError(
            f"figures missing for {lang}: {', '.join(missing)} (run the 2.x notebooks first)"
        )
    blocks = build_blocks(processed_dir, reports_dir / lang / "figures", ind, lang, params)
    shown = ", ".join(f"{k}={v if v != '' else '(empty)'}" for k, v in sorted(params.items()))
    footer = [
        s.format(version=__version__, commit=input_commit(), checksum=raw_checksum(raw_dir), params=shown)
        for s in S["footer"][lang]
    ]
    title = S["title"][lang]
    return render_markdown(title, blocks, footer), render_html(title, blocks, footer, lang)
