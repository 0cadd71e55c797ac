"""Bilingual data dictionary: what each column of the raw and processed files means.

The English descriptions of the processed tables live next to the code that writes them
(:data:`dprk_russia.data.clean.PROCESSED_COLUMNS`, :data:`dprk_russia.data.dictionary.TABLES`); this
module adds the raw files' columns (English and German), the German descriptions of the
processed columns, and the Table Schema type of each processed column. The data package
(:mod:`dprk_russia.publish.datapackage`) is generated from these and from :mod:`dprk_russia.data.schema`;
a test checks that every column has both languages.
"""

from __future__ import annotations

#: Raw files: purpose and columns in file order, each as (English, German).
RAW: dict[str, tuple[tuple[str, str], dict[str, tuple[str, str]]]] = {
    "claims": (
        ("One published figure per row.", "Eine veröffentlichte Zahl pro Zeile."),
        {
            "claim_id": (
                "Unique, stable id (c0001, ...); never reused.",
                "Eindeutige, feste Kennung (c0001, ...); nie wiederverwendet.",
            ),
            "indicator": ("Key into indicators.csv.", "Schlüssel in indicators.csv."),
            "value_low": (
                "Lower figure; empty when the source gave no number.",
                "Untere Zahl; leer, wenn die Quelle keine Zahl nennt.",
            ),
            "value_high": (
                "Upper figure; equals value_low for a single figure.",
                "Obere Zahl; gleich value_low bei einer einzelnen Zahl.",
            ),
            "qualifier": (
                "How the figure was worded: exact, about, over, at_least, up_to, nearly or range.",
                "Wie die Zahl formuliert war: exact, about, over, at_least, up_to, nearly oder range.",
            ),
            "basis": (
                "assessed (estimate of what happened), capacity (what could be held), forecast "
                "(planned or expected) or official (a party's own statement).",
                "assessed (Schätzung des Geschehenen), capacity (mögliches Fassungsvermögen), forecast "
                "(geplant oder erwartet) oder official (Angabe einer beteiligten Partei).",
            ),
            "period_start": (
                "Start of what the figure covers (ISO date, any precision); empty if not stated.",
                "Beginn des Zeitraums der Zahl (ISO-Datum, beliebige Genauigkeit); leer, wenn nicht genannt.",
            ),
            "period_end": (
                "End of what the figure covers, usually the 'as of' date.",
                "Ende des Zeitraums der Zahl, meist der Stichtag.",
            ),
            "published": (
                "When the statement or page was published.",
                "Wann die Aussage oder Seite veröffentlicht wurde.",
            ),
            "estimator": (
                "Who made the estimate: key into estimators.csv.",
                "Wer die Schätzung abgab: Schlüssel in estimators.csv.",
            ),
            "estimator_type": (
                "The estimator's type; equals its type in estimators.csv.",
                "Art des Urhebers; gleich seinem Typ in estimators.csv.",
            ),
            "source_id": (
                "Key into sources.csv: the page we read.",
                "Schlüssel in sources.csv: die gelesene Seite.",
            ),
            "note": (
                "Our own summary of the claim and its caveats.",
                "Unsere eigene Zusammenfassung der Angabe und ihrer Vorbehalte.",
            ),
            "checked": (
                "yes when the figure was re-read on the cited page.",
                "yes, wenn die Zahl auf der zitierten Seite nachgelesen wurde.",
            ),
            "scope": (
                "total, or part when the figure covers only part of what the indicator measures.",
                "total, oder part, wenn die Zahl nur einen Teil dessen abdeckt, was der Indikator misst.",
            ),
            "repeat_of": (
                "claim_id of the earlier claim whose figure this page repeats as if current.",
                "claim_id der früheren Angabe, deren Zahl diese Seite als aktuell wiederholt.",
            ),
        },
    ),
    "sources": (
        ("One page read per row.", "Eine gelesene Seite pro Zeile."),
        {
            "source_id": ("Unique id.", "Eindeutige Kennung."),
            "publisher": ("Outlet of the page.", "Herausgeber der Seite."),
            "title": (
                "Headline as shown, or a descriptive title (see remark).",
                "Überschrift wie angezeigt oder beschreibender Titel (siehe remark).",
            ),
            "url": ("Address of the page (http or https).", "Adresse der Seite (http oder https)."),
            "published": (
                "Publication date of the page; may be empty.",
                "Veröffentlichungsdatum der Seite; kann leer sein.",
            ),
            "accessed": ("When we read it.", "Wann wir sie gelesen haben."),
            "language": ("ISO 639-1 code of the page.", "ISO-639-1-Code der Seite."),
            "via": (
                "Agency or outlet the page relays, if any.",
                "Agentur oder Medium, das die Seite weitergibt, falls vorhanden.",
            ),
            "remark": ("Our remarks about the page.", "Unsere Anmerkungen zur Seite."),
            "kind": (
                "original, official, relay or aggregator.",
                "original, official, relay oder aggregator.",
            ),
            "original_source_id": (
                "For a relay or aggregator: the source_id of the original publication (kind original or "
                "official) when it is in sources.csv and every figure of the page was read on it; else "
                "empty.",
                "Bei Weitergaben und Aggregatoren: die source_id der ursprünglichen Veröffentlichung (kind "
                "original oder official), wenn sie in sources.csv steht und jede Zahl der Seite dort "
                "nachgelesen wurde; sonst leer.",
            ),
        },
    ),
    "indicators": (
        ("What is counted.", "Was gezählt wird."),
        {
            "indicator": ("Key.", "Schlüssel."),
            "label_en": ("English label.", "Englische Bezeichnung."),
            "label_de": ("German label.", "Deutsche Bezeichnung."),
            "unit": ("Unit in English.", "Einheit auf Englisch."),
            "unit_de": ("Unit in German.", "Einheit auf Deutsch."),
            "direction": (
                "dprk_to_russia, russia_to_dprk or deployment.",
                "dprk_to_russia, russia_to_dprk oder deployment.",
            ),
            "kind": (
                "cumulative, period_total, snapshot, rate or share.",
                "cumulative, period_total, snapshot, rate oder share.",
            ),
        },
    ),
    "events": (
        ("Milestones for chart annotations.", "Meilensteine für Diagrammhinweise."),
        {
            "date": (
                "ISO date (first day of a multi-day event).",
                "ISO-Datum (erster Tag bei mehrtägigen Ereignissen).",
            ),
            "event_en": ("Short description in English.", "Kurzbeschreibung auf Englisch."),
            "event_de": ("Short description in German.", "Kurzbeschreibung auf Deutsch."),
            "source_id": ("Key into sources.csv.", "Schlüssel in sources.csv."),
        },
    ),
    "estimators": (
        (
            "The estimator registry: one row per estimator.",
            "Verzeichnis der Urheber: eine Zeile pro Urheber.",
        ),
        {
            "estimator": (
                "Key: the exact string used in claims.csv.",
                "Schlüssel: die genaue Schreibweise in claims.csv.",
            ),
            "label_en": ("English label.", "Englische Bezeichnung."),
            "label_de": ("German label.", "Deutsche Bezeichnung."),
            "type": (
                "intelligence, government, multilateral, think_tank, media or party.",
                "intelligence, government, multilateral, think_tank, media oder party.",
            ),
            "country": (
                "Country of the body; empty for multilateral or unnamed bodies.",
                "Land der Stelle; leer bei multilateralen oder ungenannten Stellen.",
            ),
            "warring_party": (
                "yes for state bodies of Russia, the DPRK and Ukraine.",
                "yes für staatliche Stellen Russlands, der DVRK und der Ukraine.",
            ),
            "colour": (
                "Fixed chart colour #RRGGBB of a frequent estimator; empty: grey.",
                "Feste Grafikfarbe #RRGGBB eines häufigen Urhebers; leer: grau.",
            ),
        },
    ),
}

#: German descriptions of :data:`dprk_russia.data.clean.PROCESSED_COLUMNS`.
PROCESSED_DE: dict[str, str] = {
    "claim_id": "Feste Kennung aus data/raw/claims.csv.",
    "indicator": "Schlüssel in data/raw/indicators.csv.",
    "label_en": "Englische Bezeichnung des Indikators.",
    "label_de": "Deutsche Bezeichnung des Indikators.",
    "unit": "Einheit von value_low/value_high.",
    "direction": "dprk_to_russia, russia_to_dprk oder deployment.",
    "kind": "cumulative, period_total, snapshot, rate oder share.",
    "value_low": "Untere Zahl (leer, wenn die Quelle keine Zahl nennt).",
    "value_high": "Obere Zahl (gleich value_low bei einer einzelnen Zahl).",
    "value_mid": "Mittelwert (value_low + value_high) / 2.",
    "value_range": "value_high - value_low.",
    "has_value": "True, wenn die Quelle eine Zahl nennt.",
    "qualifier": "exact, about, over, at_least, up_to, nearly oder range.",
    "basis": "assessed, capacity, forecast oder official.",
    "period_start": "Beginn des Zeitraums wie angegeben (ISO, beliebige Genauigkeit).",
    "period_start_precision": "year, month oder day (leer, wenn nicht angegeben).",
    "period_start_date": "Erster Tag von period_start.",
    "period_end": "Ende des Zeitraums (Stichtag) wie angegeben.",
    "period_end_precision": "year, month oder day (leer, wenn nicht angegeben).",
    "period_end_date": "Letzter Tag von period_end.",
    "published": "Veröffentlichungsdatum wie angegeben.",
    "published_precision": "year, month oder day.",
    "published_date": "Letzter Tag von published.",
    "date": "Stellvertretendes Datum: period_end_date, höchstens published_date; bei Prognosen und ohne "
    "Zeitraumende published_date; bei Wiederholungen das Datum der wiederholten Angabe.",
    "estimator": "Wer die Schätzung abgab.",
    "estimator_type": "intelligence, government, multilateral, think_tank, media oder party.",
    "estimator_label_en": "Englische Bezeichnung des Urhebers.",
    "estimator_label_de": "Deutsche Bezeichnung des Urhebers.",
    "warring_party": "yes, wenn der Urheber eine Stelle Russlands, der DVRK oder der Ukraine ist.",
    "estimator_colour": "Feste Grafikfarbe des Urhebers (estimators.csv `colour`); leer: grau.",
    "source_id": "Schlüssel in data/raw/sources.csv.",
    "publisher": "Herausgeber der gelesenen Seite.",
    "source_title": "Titel der gelesenen Seite.",
    "source_url": "URL der gelesenen Seite.",
    "via": "Agentur oder Medium, das die Seite weitergibt.",
    "source_kind": "original, official, relay oder aggregator (leer, wenn nicht angegeben).",
    "original_url": "URL der ursprünglichen Veröffentlichung, wenn die gelesene Seite sie weitergibt und das "
    "Original in data/raw/sources.csv steht (original_source_id); sonst leer.",
    "note": "Unsere eigene Zusammenfassung der Angabe.",
    "scope": "total, oder part, wenn die Zahl nur einen Teil abdeckt; Teile bleiben aus Diagrammen, "
    "Konsens und Widerspruchsprüfung heraus.",
    "checked": "yes, wenn die Zahl auf der zitierten Seite nachgelesen wurde.",
    "repeat_of": "claim_id der früheren Angabe, deren Zahl diese Seite wiederholt (leer bei neuen Zahlen).",
}

#: The analysis tables written to the processed folder: purpose and columns (the data dictionary).
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "consensus_over_time": (
        "The pooled estimate per cumulative indicator and week, from its first figure to the cut-off "
        "(notebook 1.1; model in dprk_russia.analysis.pooled).",
        {
            "indicator": "Indicator key (cumulative, counted figures from at least 3 estimators).",
            "date": "Week (the last row is the cut-off).",
            "estimate": "Pooled estimate: the level of a typical estimator's figures, non-decreasing.",
            "low": "Lower edge of the band (POOL_BAND, default 80%) where a new figure would fall.",
            "high": "Upper edge of the band; after the newest figure it widens by the recent growth rate.",
            "n_estimates": "Distinct counted figures dated on or before this week.",
        },
    ),
    "estimator_effects": (
        "How far each estimator's figures run above or below the pooled curve (shrunk toward 1).",
        {
            "indicator": "Indicator key.",
            "estimator": "Estimator.",
            "effect": "Multiplicative factor: 1.3 = figures 30% above the curve on average.",
            "n": "Distinct figures of this estimator in the fit.",
        },
    ),
    "consensus": (
        "Key findings at the cut-off: the pooled estimate with its band, and the spread among counted "
        "figures published in the last six months.",
        {
            "indicator": "Indicator key.",
            "cut": "The cut-off (AS_OF, or the newest publication date).",
            "estimate": "Pooled estimate at the cut-off (empty where the indicator has no pooled curve).",
            "low": "Lower edge of its band.",
            "high": "Upper edge of its band.",
            "evidence_date": "The date the newest counted figure behind the curve refers to: the estimate is "
            "carried forward flat from here, with a band that widens upward.",
            "evidence_age_days": "Days from evidence_date to the cut-off: how old the newest evidence is.",
            "evidence_estimate": "Pooled estimate at evidence_date.",
            "evidence_low": "Lower edge of the band at evidence_date.",
            "evidence_high": "Upper edge of the band at evidence_date.",
            "n_estimates": "Distinct counted whole-indicator figures.",
            "n_estimators": "Estimators behind them.",
            "recent_n": "Of these, figures published in the last six months before the cut-off.",
            "recent_estimators": "Estimators behind the recent figures.",
            "recent_low": "Lowest value_low among the recent figures.",
            "recent_high": "Highest value_high among the recent figures.",
            "recent_claim_ids": "The recent figures, ';'-separated.",
            "newest_claim_id": "The most recently published counted figure.",
            "newest_estimator": "Who gave it.",
            "newest_published": "When it was published.",
            "newest_value_low": "Its low value.",
            "newest_value_high": "Its high value.",
            "period_rise_claim_ids": "Figures counted as the rise over their period (a total \"in 2024\"), "
            "not as a running total, ';'-separated.",
        },
    ),
    "pooled_sensitivity": (
        "How much the doubtful figures of a part decide its pooled estimate (notebook 1.1): a killed figure "
        "above the pooled casualties is probably a casualty total and is weighed down, not dropped.",
        {
            "indicator": "The part (killed, wounded).",
            "doubtful_claim_ids": "Figures weighed below one half (probably totals), ';'-separated.",
            "weighed": "Pooled estimate at the cut-off as published (each figure weighed).",
            "full_weight": "The same with every figure at full weight.",
            "doubtful_left_out": "The same with the doubtful figures left out.",
        },
    ),
    "contradictions": (
        "Contradictions found by code (dprk_russia.analysis.contradictions), one row per contradiction with "
        "every claim involved.",
        {
            "type": "outside_band, falling_cumulative, capacity_as_count, killed_above_casualties, "
            "killed_above_pooled_casualties, "
            "parts_above_total, losses_above_force or ratio_outside_band.",
            "indicator": "Indicator key(s), ';'-separated.",
            "claim_ids": "Claims involved (relayed copies included), ';'-separated.",
            "estimators": "Estimators of the distinct figures, in date order.",
            "dates": "Their representative dates.",
            "values": "Their values (low-high when a range).",
            "measure": "How far off: multiple beyond the band edge, ratio of the fall, of killed to "
            "casualties, of the parts to the total, of losses to force, or the implied ratio.",
            "reference": "What it is measured against: band edge, earlier peak, total, force or band limit.",
            "detail": "What the rule found, in English.",
        },
    ),
    "implied_rounds_per_container": (
        "Rounds per container for sources that give both figures for the same period end.",
        {
            "source_id": "Source giving both figures.",
            "period_end": "Shared period end.",
            "estimator": "Estimator of the round figure.",
            "date": "Representative date.",
            "containers": "Container midpoint.",
            "rounds": "Round midpoint.",
            "rounds_basis": "assessed or capacity.",
            "ratio_low": "Lowest implied ratio (rounds low / containers high).",
            "ratio_high": "Highest implied ratio (rounds high / containers low).",
            "ratio_mid": "Ratio of midpoints.",
            "container_claim_id": "The container claim.",
            "rounds_claim_id": "The round claim.",
            "in_band": "True when the ratio range overlaps the assumed band.",
        },
    ),
    "containers_as_rounds": (
        "Container counts converted to rounds under the assumed band (a capacity conversion, not a count).",
        {
            "claim_id": "The container claim.",
            "estimator": "Its estimator.",
            "date": "Its representative date.",
            "value_low": "Containers, low.",
            "value_high": "Containers, high.",
            "rounds_low": "value_low x ROUNDS_PER_CONTAINER_LOW.",
            "rounds_high": "value_high x ROUNDS_PER_CONTAINER_HIGH.",
        },
    ),
    "oil_run_rate": (
        "Counted refined-oil figures (assessed or official; no capacity conversions, forecasts or "
        "repeats) that state a period, as a yearly rate against the 500,000-barrel cap.",
        {
            "claim_id": "The oil claim.",
            "indicator": "refined_oil_delivered or refined_oil_notified.",
            "estimator": "Its estimator.",
            "basis": "Its basis.",
            "period_start": "First day of the period.",
            "period_end": "Last day of the period.",
            "days": "Days covered.",
            "barrels": "Barrels (midpoint).",
            "barrels_per_day": "barrels / days.",
            "annualised": "barrels_per_day x 365.",
            "cap_multiple": "annualised / 500,000.",
            "cap_passed_on": "Date the cap would be reached at that rate, counted from period_start.",
        },
    ),
    "casualty_share": (
        "Casualty figures as a share of the force as estimated by their date.",
        {
            "claim_id": "The casualty claim.",
            "indicator": "killed, wounded or casualties_total.",
            "estimator": "Its estimator.",
            "date": "Its representative date.",
            "value_low": "Low value.",
            "value_high": "High value.",
            "value_mid": "Midpoint.",
            "force": "The pooled estimate of troops sent at the figure's date (before the curve starts: the "
            "median of the estimators' latest counted troops_deployed midpoints dated on or before).",
            "force_max": "Largest counted troops_deployed value_high dated on or before.",
            "share_mid": "value_mid / force.",
        },
    ),
    "deployments": (
        "Deployment claims (troops deployed, at the front, reinforcements, engineers and builders).",
        {
            "claim_id": "Claim.",
            "indicator": "Indicator key.",
            "date": "Representative date.",
            "estimator": "Estimator.",
            "value_low": "Low value.",
            "value_high": "High value.",
            "qualifier": "Qualifier.",
            "basis": "Basis (forecast = planned or expected).",
        },
    ),
    "russia_to_dprk": (
        "Transfers from Russia to North Korea other than oil.",
        {
            "claim_id": "Claim.",
            "indicator": "Indicator key.",
            "date": "Representative date.",
            "estimator": "Estimator.",
            "value_low": "Low value (empty when no number was given).",
            "value_high": "High value.",
            "qualifier": "Qualifier.",
            "basis": "Basis.",
            "note": "Our summary.",
        },
    ),
}


#: German purpose and column descriptions of :data:`dprk_russia.data.dictionary.TABLES`.
TABLES_DE: dict[str, tuple[str, dict[str, str]]] = {
    "consensus_over_time": (
        "Die gepoolte Schätzung je kumulativem Indikator und Woche (Notebook 1.1).",
        {
            "indicator": "Indikator-Schlüssel.",
            "date": "Woche (die letzte Zeile ist der Stichtag).",
            "estimate": "Gepoolte Schätzung, nicht fallend.",
            "low": "Untere Grenze des Bereichs.",
            "high": "Obere Grenze des Bereichs.",
            "n_estimates": "Verschiedene Ist-Zahlen bis zu dieser Woche.",
        },
    ),
    "estimator_effects": (
        "Wie weit die Zahlen jedes Urhebers über oder unter der gepoolten Kurve liegen.",
        {
            "indicator": "Indikator-Schlüssel.",
            "estimator": "Urheber.",
            "effect": "Faktor: 1,3 = Zahlen im Mittel 30 % über der Kurve.",
            "n": "Verschiedene Zahlen dieses Urhebers im Modell.",
        },
    ),
    "consensus": (
        "Wichtigste Ergebnisse zum Stichtag: gepoolte Schätzung mit ihrem Bereich und die Spanne der "
        "jüngsten Zahlen.",
        {
            "indicator": "Indikator-Schlüssel.",
            "cut": "Der Stichtag (AS_OF oder das neueste Veröffentlichungsdatum).",
            "estimate": "Gepoolte Schätzung zum Stichtag (leer ohne gepoolte Kurve).",
            "low": "Untere Grenze des Bereichs.",
            "high": "Obere Grenze des Bereichs.",
            "evidence_date": "Datum, auf das sich die neueste Ist-Zahl hinter der Kurve bezieht; "
            "ab hier wird die Schätzung flach fortgeschrieben, mit einem nach oben wachsenden Bereich.",
            "evidence_age_days": "Tage von evidence_date bis zum Stichtag: Alter der neuesten Grundlage.",
            "evidence_estimate": "Gepoolte Schätzung am evidence_date.",
            "evidence_low": "Untere Grenze des Bereichs am evidence_date.",
            "evidence_high": "Obere Grenze des Bereichs am evidence_date.",
            "n_estimates": "Verschiedene Ist-Zahlen zum ganzen Indikator.",
            "n_estimators": "Urheber dahinter.",
            "recent_n": "Davon in den letzten sechs Monaten veröffentlicht.",
            "recent_estimators": "Urheber der jüngsten Zahlen.",
            "recent_low": "Kleinstes value_low der jüngsten Zahlen.",
            "recent_high": "Größtes value_high der jüngsten Zahlen.",
            "recent_claim_ids": "Die jüngsten Zahlen, durch ';' getrennt.",
            "newest_claim_id": "Die zuletzt veröffentlichte Ist-Zahl.",
            "newest_estimator": "Wer sie nannte.",
            "newest_published": "Wann sie veröffentlicht wurde.",
            "newest_value_low": "Ihr unterer Wert.",
            "newest_value_high": "Ihr oberer Wert.",
            "period_rise_claim_ids": "Zahlen, die als Zuwachs in ihrem Zeitraum zählen "
            "(eine Summe „im Jahr 2024“), nicht als laufende Summe, durch ';' getrennt.",
        },
    ),
    "pooled_sensitivity": (
        "Wie sehr die zweifelhaften Zahlen eines Teils seine gepoolte Schätzung bestimmen (Notebook 1.1).",
        {
            "indicator": "Der Teil (Getötete, Verwundete).",
            "doubtful_claim_ids": "Zahlen mit Gewicht unter einhalb (wohl Gesamtzahlen), durch ';' getrennt.",
            "weighed": "Gepoolte Schätzung zum Stichtag wie veröffentlicht (jede Zahl gewichtet).",
            "full_weight": "Dieselbe mit vollem Gewicht für jede Zahl.",
            "doubtful_left_out": "Dieselbe ohne die zweifelhaften Zahlen.",
        },
    ),
    "contradictions": (
        "Per Code gefundene Widersprüche, eine Zeile pro Widerspruch mit allen beteiligten Angaben.",
        {
            "type": "Art des Widerspruchs (Regelname).",
            "indicator": "Indikator-Schlüssel, durch ';' getrennt.",
            "claim_ids": "Beteiligte Angaben, durch ';' getrennt.",
            "estimators": "Urheber der verschiedenen Zahlen, nach Datum.",
            "dates": "Ihre stellvertretenden Daten.",
            "values": "Ihre Werte (unten-oben bei Spannen).",
            "measure": "Wie weit daneben (Vielfaches oder Verhältnis).",
            "reference": "Wogegen gemessen wird.",
            "detail": "Was die Regel fand, auf Englisch.",
        },
    ),
    "implied_rounds_per_container": (
        "Geschosse pro Container für Quellen, die beide Zahlen zum selben Stichtag nennen.",
        {
            "source_id": "Quelle mit beiden Zahlen.",
            "period_end": "Gemeinsamer Stichtag.",
            "estimator": "Urheber der Geschosszahl.",
            "date": "Stellvertretendes Datum.",
            "containers": "Container (Mittelwert).",
            "rounds": "Geschosse (Mittelwert).",
            "rounds_basis": "assessed oder capacity.",
            "ratio_low": "Kleinstes Verhältnis.",
            "ratio_high": "Größtes Verhältnis.",
            "ratio_mid": "Verhältnis der Mittelwerte.",
            "container_claim_id": "Die Container-Angabe.",
            "rounds_claim_id": "Die Angabe zu den Geschossen.",
            "in_band": "True, wenn das Verhältnis den angenommenen Bereich berührt.",
        },
    ),
    "containers_as_rounds": (
        "Containerzahlen in Geschosse umgerechnet (eine Umrechnung, keine Zählung).",
        {
            "claim_id": "Die Container-Angabe.",
            "estimator": "Ihr Urheber.",
            "date": "Ihr stellvertretendes Datum.",
            "value_low": "Container, unten.",
            "value_high": "Container, oben.",
            "rounds_low": "value_low x ROUNDS_PER_CONTAINER_LOW.",
            "rounds_high": "value_high x ROUNDS_PER_CONTAINER_HIGH.",
        },
    ),
    "oil_run_rate": (
        "Ist-Zahlen zum Öl (geschätzt oder amtlich; keine Kapazitätsumrechnungen, Prognosen oder "
        "Wiederholungen) mit Zeitraum als Jahresrate gegen die Obergrenze von 500.000 Barrel.",
        {
            "claim_id": "Die Öl-Angabe.",
            "indicator": "refined_oil_delivered oder refined_oil_notified.",
            "estimator": "Ihr Urheber.",
            "basis": "Ihre Grundlage.",
            "period_start": "Erster Tag des Zeitraums.",
            "period_end": "Letzter Tag des Zeitraums.",
            "days": "Abgedeckte Tage.",
            "barrels": "Barrel (Mittelwert).",
            "barrels_per_day": "barrels / days.",
            "annualised": "barrels_per_day x 365.",
            "cap_multiple": "annualised / 500.000.",
            "cap_passed_on": "Datum, an dem die Obergrenze bei dieser Rate erreicht wäre.",
        },
    ),
    "casualty_share": (
        "Verlustzahlen als Anteil der bis dahin geschätzten Truppenstärke.",
        {
            "claim_id": "Die Verlust-Angabe.",
            "indicator": "killed, wounded oder casualties_total.",
            "estimator": "Ihr Urheber.",
            "date": "Ihr stellvertretendes Datum.",
            "value_low": "Unterer Wert.",
            "value_high": "Oberer Wert.",
            "value_mid": "Mittelwert.",
            "force": "Gepoolte Schätzung der entsandten Soldaten am Datum der Zahl (vor Beginn der Kurve: "
            "Median der jüngsten Ist-Zahlen der Urheber bis zu diesem Datum).",
            "force_max": "Größtes value_high der Ist-Zahlen zu troops_deployed bis zu diesem Datum.",
            "share_mid": "value_mid / force.",
        },
    ),
    "deployments": (
        "Angaben zu Entsendungen (Truppen, an der Front, Verstärkungen, Pioniere und Bauarbeiter).",
        {
            "claim_id": "Angabe.",
            "indicator": "Indikator-Schlüssel.",
            "date": "Stellvertretendes Datum.",
            "estimator": "Urheber.",
            "value_low": "Unterer Wert.",
            "value_high": "Oberer Wert.",
            "qualifier": "Formulierung.",
            "basis": "Grundlage (forecast = geplant oder erwartet).",
        },
    ),
    "russia_to_dprk": (
        "Lieferungen Russlands an Nordkorea außer Öl.",
        {
            "claim_id": "Angabe.",
            "indicator": "Indikator-Schlüssel.",
            "date": "Stellvertretendes Datum.",
            "estimator": "Urheber.",
            "value_low": "Unterer Wert (leer ohne Zahl).",
            "value_high": "Oberer Wert.",
            "qualifier": "Formulierung.",
            "basis": "Grundlage.",
            "note": "Unsere Zusammenfassung.",
        },
    ),
}

#: Table Schema type of processed columns that are not plain text, by column name.
PROCESSED_TYPES: dict[str, str] = {
    **dict.fromkeys(
        (
            "value_low value_high value_mid value_range estimate low high effect recent_low recent_high "
            "newest_value_low newest_value_high evidence_estimate evidence_low evidence_high "
            "containers rounds ratio_low ratio_high ratio_mid rounds_low "
            "weighed full_weight doubtful_left_out rounds_high barrels barrels_per_day annualised "
            "cap_multiple value_mid force force_max share_mid"
        ).split(),
        "number",
    ),
    **dict.fromkeys("n_estimates n_estimators recent_n n days evidence_age_days".split(), "integer"),
    **dict.fromkeys("has_value in_band".split(), "boolean"),
    **dict.fromkeys(
        "period_start_date period_end_date published_date date cut cap_passed_on evidence_date".split(),
        "date",
    ),
}
