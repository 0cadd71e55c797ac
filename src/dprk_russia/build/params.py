"""The build parameters and their checks, in one place, run by the Makefile before any step.

``python -m dprk_russia.build.params`` reads ``AS_OF``, ``REPORT_LANGS``, ``ESTIMATOR_TYPES``,
``ROUNDS_PER_CONTAINER_LOW``, ``ROUNDS_PER_CONTAINER_HIGH``, ``SWEEP_VALUES``, the
pooled-estimate parameters ``POOL_SMOOTHNESS``, ``POOL_BAND``, ``POOL_WARRING`` and the
target parameters ``BASE`` (``make diff``), ``VERSION`` (``make release``) and ``LAB_PORT``
(``make lab``) from the environment (unset = default) and prints one line naming every bad
parameter, or nothing when all are valid. The Makefile stops with that line before it creates
any folder or runs any recipe.

Every make variable that reaches a shell is one of these: each is checked here against a
narrow pattern (dates, numbers, names from a vocabulary, a git revision of safe characters), and
the Makefile also quotes each one with ``$(call shquote,...)`` wherever a recipe uses it.

This module uses only the standard library: the Makefile runs it with the system ``python3``,
possibly before ``.venv`` exists.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from dprk_russia.data.io import read_table
from dprk_russia.data.vocab import (
    CALVER_RE,
    ESTIMATOR_TYPES,
    LANGS,
    check_as_of,
    estimator_types,
    iso_bounds,
)

DEFAULTS = {
    "AS_OF": "",
    "REPORT_LANGS": "en de",
    "ESTIMATOR_TYPES": "all",
    "ROUNDS_PER_CONTAINER_LOW": "300",
    "ROUNDS_PER_CONTAINER_HIGH": "500",
    "SWEEP_VALUES": "100 200 300 400 500 600",
    "POOL_SMOOTHNESS": "3",
    "POOL_BAND": "0.8",
    "POOL_WARRING": "in",
    "BASE": "",
    "VERSION": "",
    "LAB_PORT": "8888",
}
#: A git revision as ``make diff`` takes it (HEAD~1, v2026.12.0, main@{2}, origin/main^2):
#: letters, digits and the punctuation of git's revision syntax, never a shell metacharacter.
REVISION_RE = re.compile(r"[A-Za-z0-9._/~^@{}:+-]{1,200}")
#: Plain numbers of at most 15 digits (a float keeps them exactly; 400 digits would be infinity).
WHOLE_RE = re.compile(r"[0-9]{1,15}")
NUMBER_RE = re.compile(r"(?=[0-9.]{1,16}$)([0-9]+(\.[0-9]+)?|\.[0-9]+)")


def _number(value: str) -> float | None:
    """A plain decimal number (no sign, no exponent), or None."""
    return float(value) if NUMBER_RE.fullmatch(value.strip()) else None


def _whole(value: str) -> int | None:
    return int(value) if WHOLE_RE.fullmatch(value.strip()) else None


def kept_claims(raw_dir: Path, as_of: str, types: list[str]) -> tuple[int, str] | None:
    """Claims kept by the cut-off and types, and the earliest publication date of the types.

    A claim counts from the last day of its ``published`` period (as in cleaning). Returns
    None when claims.csv cannot be read (validation then reports why).
    """
    table = read_table(raw_dir / "claims.csv", ("published", "estimator_type"), [])
    if table is None:
        return None
    pub, typ = table.header.index("published"), table.header.index("estimator_type")
    cutoff = date.fromisoformat(as_of) if as_of else date.max
    ends = [iso_bounds(row[pub].strip()) for row in table.rows if row[typ] in types]
    ends = sorted(b[1] for b in ends if b)
    return sum(d <= cutoff for d in ends), (ends[0].isoformat() if ends else "")


def check(params: Mapping[str, str], raw_dir: str | Path = "data/raw") -> list[str]:
    """Every problem with the parameters (empty list = all valid), each naming its parameter."""
    p = {**DEFAULTS, **{k: v for k, v in params.items() if k in DEFAULTS}}
    problems = []
    as_of_problem = check_as_of(p["AS_OF"])
    if as_of_problem:
        problems.append(as_of_problem)
    langs = p["REPORT_LANGS"].split()
    if "," in p["REPORT_LANGS"]:
        # make builds one report per space-separated word: 'en,de' would be one language 'en,de'
        spaced = " ".join(p["REPORT_LANGS"].replace(",", " ").split())
        problems.append(
            f"REPORT_LANGS is separated by spaces, not commas: write REPORT_LANGS='{spaced}', "
            f"got {p['REPORT_LANGS']!r}"
        )
    elif not langs or set(langs) - set(LANGS):
        problems.append(f"REPORT_LANGS may contain only 'en' and 'de', got {p['REPORT_LANGS']!r}")
    types = estimator_types(p["ESTIMATOR_TYPES"])
    if types is None:
        problems.append(
            f"ESTIMATOR_TYPES must be 'all' or a comma-separated list of {', '.join(ESTIMATOR_TYPES)}; "
            f"got {p['ESTIMATOR_TYPES']!r}"
        )
    lo, hi = _whole(p["ROUNDS_PER_CONTAINER_LOW"]), _whole(p["ROUNDS_PER_CONTAINER_HIGH"])
    if lo is None or hi is None or not 0 < lo <= hi:
        problems.append(
            "ROUNDS_PER_CONTAINER_LOW and _HIGH must be whole numbers with 0 < LOW <= HIGH, "
            f"got {p['ROUNDS_PER_CONTAINER_LOW']!r} and {p['ROUNDS_PER_CONTAINER_HIGH']!r}"
        )
    smooth, band = _number(p["POOL_SMOOTHNESS"]), _number(p["POOL_BAND"])
    if smooth is None or smooth < 0:
        problems.append(f"POOL_SMOOTHNESS must be a number >= 0, got {p['POOL_SMOOTHNESS']!r}")
    if band is None or not 0 < band < 1:
        problems.append(f"POOL_BAND must be a fraction between 0 and 1 (0.8 = 80%), got {p['POOL_BAND']!r}")
    if p["POOL_WARRING"] not in ("in", "out"):
        problems.append(f"POOL_WARRING must be 'in' or 'out', got {p['POOL_WARRING']!r}")
    sweep = p["SWEEP_VALUES"].split()
    if not sweep or any((_whole(v) or 0) <= 0 for v in sweep):
        problems.append(f"SWEEP_VALUES must be whole numbers above 0, got {p['SWEEP_VALUES']!r}")
    problems += _target_problems(p)
    if not as_of_problem and types is not None and (p["AS_OF"] or types != list(ESTIMATOR_TYPES)):
        kept = kept_claims(Path(raw_dir), p["AS_OF"], types)
        if kept is not None and kept[0] == 0:
            chosen = f"AS_OF={p['AS_OF']}" if p["AS_OF"] else ""
            if types != list(ESTIMATOR_TYPES):
                chosen = " and ".join(filter(None, (chosen, f"ESTIMATOR_TYPES={p['ESTIMATOR_TYPES']}")))
            hint = f"; the earliest was published {kept[1]}, choose AS_OF on or after it" if kept[1] else ""
            problems.append(f"{chosen} keeps no claim of {Path(raw_dir, 'claims.csv').as_posix()}{hint}")
    return problems


def _target_problems(p: Mapping[str, str]) -> list[str]:
    """Problems with the parameters of ``make diff``, ``make release`` and ``make lab``."""
    problems = []
    base = p["BASE"]
    if base and (not REVISION_RE.fullmatch(base) or base.startswith("-")):
        problems.append(
            "BASE must be a git commit, tag or branch (e.g. HEAD~1, v2026.12.0) made of letters, digits "
            f"and . _ / ~ ^ @ {{ }} : + - only, not starting with '-'; got {base!r}"
        )
    if p["VERSION"] and not re.fullmatch(CALVER_RE, p["VERSION"]):
        problems.append(
            f"VERSION must be YYYY.M.N (calendar versioning, e.g. 2027.1.0), got {p['VERSION']!r}"
        )
    port = p["LAB_PORT"]
    if not (WHOLE_RE.fullmatch(port) and 1024 <= int(port) <= 65535):
        problems.append(f"LAB_PORT must be a port number from 1024 to 65535, got {port!r}")
    return problems


#: Parameters that name a variant, in the Makefile's order, with their folder-name prefix.
VARIANT_PARTS = (
    ("AS_OF", "asof"),
    ("POOL_SMOOTHNESS", "smooth"),
    ("POOL_BAND", "band"),
    ("POOL_WARRING", "warring"),
    ("ROUNDS_PER_CONTAINER_LOW", "rpclow"),
    ("ROUNDS_PER_CONTAINER_HIGH", "rpchigh"),
    ("ESTIMATOR_TYPES", "types"),
)


def _plain(value: object) -> str:
    """A parameter value as make spells it: numbers without a trailing '.0' (3.0 -> '3')."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def changed(params: Mapping[str, object]) -> dict[str, str]:
    """The variant-naming parameters in ``params`` that differ from their defaults, as make
    spells them (missing parameters count as their default)."""
    out = {}
    for key, _prefix in VARIANT_PARTS:
        value = _plain(params.get(key, DEFAULTS[key]))
        if value != DEFAULTS[key] and not (key == "AS_OF" and not value):
            out[key] = value
    return out


def variant_name(params: Mapping[str, object]) -> str:
    """The variant folder name of ``params`` ('' for the defaults), as the Makefile's VARIANT."""
    diff = changed(params)
    parts = []
    for key, prefix in VARIANT_PARTS:
        if key in diff:
            value = diff[key]
            if key == "ESTIMATOR_TYPES":
                value = "+".join(t for t in re.split(r"[,\s]+", value) if t)
            parts.append(f"{prefix}-{value}")
    return "_".join(parts)


def main(environ: Mapping[str, str] | None = None) -> int:
    """Print the problems with the parameters in the environment as one line; 1 if any."""
    env = os.environ if environ is None else environ
    problems = check(env, env.get("RAW_DIR", "data/raw"))
    if problems:
        print("; ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
