"""Command line: ``python -m dprk_russia.data.intake INBOX.csv [--raw DIR]``: add new figures.

An inbox is a small CSV with one published figure per row and the page it was read on
(columns :data:`INBOX_COLUMNS`, optional :data:`OPTIONAL_COLUMNS`). Each row becomes one claim
in ``data/raw/claims.csv``; its page is the source row whose URL it names, reused when the URL is
already in ``sources.csv``, else a new source row with an id made of the publisher and the date
(``kurier_20250902``). Claim ids continue after the highest one in use.

Nothing is written unless every check passes: the column schemas, vocabularies, the estimator
registry and ``indicators.csv`` (the full raw validation, run on a scratch copy with the new
rows), no exact duplicate (the same URL, indicator and values already recorded), and no probable
repeat (:func:`dprk_russia.data.rules.repeat_candidates`: set ``repeat_of``, or say in the note
why it is ``not a repeat``). Then both files are written together (either both or neither) and
the raw data is validated again. Every problem names the inbox file, its line and column. The
``evidence`` column (the page's wording of the figure) is for checking only and is never written.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from dprk_russia import RAW_DIR
from dprk_russia.data.io import TMP_PREFIX, Problem, read_table
from dprk_russia.data.rules import repeat_candidates, validate_raw_with_warnings
from dprk_russia.data.schema import read_csv_checked, read_raw_frames

#: Columns every inbox has (those of the research inboxes).
INBOX_COLUMNS = (
    "url",
    "title",
    "publisher",
    "published",
    "language",
    "via",
    "source_kind",
    "indicator",
    "value_low",
    "value_high",
    "qualifier",
    "basis",
    "period_start",
    "period_end",
    "estimator",
    "estimator_type",
    "scope",
    "note",
    "evidence",
)
#: Columns an inbox may have: repeat_of (claim id), accessed (ISO day, default today), remark (source).
OPTIONAL_COLUMNS = ("repeat_of", "accessed", "remark")
#: Inbox columns that describe the page (one value per URL).
SOURCE_FIELDS = ("title", "publisher", "published", "language", "via", "source_kind", "accessed", "remark")
#: Where a problem in a raw column shows in the inbox.
SOURCE_TO_INBOX = {"kind": "source_kind", "source_id": "url"}
CLAIM_TO_INBOX = {"source_id": "url", "claim_id": "", "checked": ""}
CLAIM_ID_RE = re.compile(r"^c([0-9]+)$")


@dataclass
class Plan:
    """What an inbox would add: new rows, reused sources, and every problem found."""

    claims: list[dict[str, str]] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)
    reused: dict[str, str] = field(default_factory=dict)  # url -> existing source_id
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    """Lowercase ASCII letters and digits joined by '_' (accents dropped, other scripts removed)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")
    if len(words) > 30:  # keep whole words
        cut = words[:31].rsplit("_", 1)[0]
        words = cut if cut else words[:30]
    return words


def source_id_for(publisher: str, published: str, taken: set[str]) -> str:
    """A new source id from the publisher and the date, unique among ``taken``."""
    base = "_".join(p for p in (slug(publisher) or "source", re.sub(r"[^0-9]", "", published)) if p)
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}_{n}", n + 1
    return sid


def next_claim_ids(existing: list[str], count: int) -> list[str]:
    """The next ``count`` free claim ids after the highest ``cNNNN`` in use."""
    numbers = [int(m.group(1)) for cid in existing if (m := CLAIM_ID_RE.match(cid))]
    start = max(numbers, default=0) + 1
    return [f"c{n:04d}" for n in range(start, start + count)]


def _csv_rows(header: list[str], rows: list[dict[str, str]], newline: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline)
    for row in rows:
        writer.writerow([row.get(c, "") for c in header])
    return buf.getvalue()


def _appended(path: Path, rows: list[dict[str, str]]) -> bytes:
    """The file's bytes with ``rows`` appended in its own column order and line ends."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    header = next(csv.reader([text.splitlines()[0]]))
    newline = "\r\n" if b"\r\n" in raw.split(b"\n", 1)[0] + b"\n" else "\n"
    if raw and not raw.endswith(b"\n"):
        raw += newline.encode()
    return raw + _csv_rows(header, rows, newline).encode("utf-8")


def _where(inbox: str, line: int, column: str, message: str) -> str:
    col = f", column '{column}'" if column else ""
    return f"{inbox}:{line}{col}: {message}"


def plan(inbox_path: str | Path, raw_dir: str | Path = RAW_DIR, today: date | None = None) -> Plan:
    """Check an inbox against the raw data and work out what it would add (writes nothing)."""
    today = today or date.today()
    inbox, raw = str(inbox_path), Path(raw_dir)
    out = Plan()
    found: list[Problem] = []
    table = read_table(inbox_path, INBOX_COLUMNS, found)
    for p in found:
        out.problems.append(_where(inbox, p.line, p.column, p.message))
    if table is None:
        return out
    unknown = [c for c in table.header if c not in INBOX_COLUMNS + OPTIONAL_COLUMNS]
    for c in unknown:
        out.problems.append(_where(inbox, 1, c, "unknown column (it would not be written)"))
    frames, raw_problems = read_raw_frames(raw)
    if raw_problems:
        shown = raw.as_posix().rstrip("/")
        out.problems += [f"{shown}/{p} (fix data/raw first: make validate)" for p in raw_problems]
        return out
    claims, sources = frames["claims.csv"], frames["sources.csv"]
    shown = raw.as_posix().rstrip("/")
    for name, df, col in (("sources.csv", sources, "kind"), ("claims.csv", claims, "repeat_of")):
        if col not in df.columns:
            out.problems.append(f"{shown}/{name}: no column '{col}' to write the inbox into")
    remarks = "remark" in table.header and any(c[table.header.index("remark")].strip() for c in table.rows)
    if remarks and "remark" not in sources.columns:
        out.problems.append(f"{shown}/sources.csv: no column 'remark' for the inbox's remarks")
    if out.problems:
        return out
    url_to_source = dict(zip(sources["source_id"].map(str), sources["url"], strict=True))
    by_url = {u: s for s, u in url_to_source.items()}
    taken = set(sources["source_id"])
    ids = next_claim_ids(list(claims["claim_id"]), len(table.rows))
    new_source_by_url: dict[str, dict[str, str]] = {}
    first_line_of_url: dict[str, int] = {}
    existing_figures = {
        (url_to_source.get(sid, ""), ind, lo, hi): cid
        for cid, sid, ind, lo, hi in claims[["claim_id", "source_id", "indicator", "value_low", "value_high"]]
        .itertuples(index=False)
    }
    claim_line: dict[str, int] = {}
    source_line: dict[str, int] = {}
    for line, cells in zip(table.lines, table.rows, strict=True):
        row = {c: v.strip() for c, v in zip(table.header, cells, strict=True)}
        row.setdefault("accessed", "")
        row["accessed"] = row["accessed"] or today.isoformat()
        url = row["url"]
        if not row["evidence"]:
            msg = "empty: quote the page's wording of the figure"
            out.problems.append(_where(inbox, line, "evidence", msg))
        if url in by_url:
            sid = by_url[url]
            out.reused[url] = sid
        elif url in new_source_by_url:
            src = new_source_by_url[url]
            sid = src["source_id"]
            for col in SOURCE_FIELDS:
                want = src["kind"] if col == "source_kind" else src.get(col, "")
                if row.get(col, "") != want:
                    msg = f"differs from line {first_line_of_url[url]} for the same url ({want!r})"
                    out.problems.append(_where(inbox, line, col, msg))
        else:
            sid = source_id_for(row["publisher"], row["published"], taken)
            taken.add(sid)
            src = {
                "source_id": sid,
                "publisher": row["publisher"],
                "title": row["title"],
                "url": url,
                "published": row["published"],
                "accessed": row["accessed"],
                "language": row["language"],
                "via": row["via"],
                "remark": row.get("remark", ""),
                "kind": row["source_kind"],
                "original_source_id": "",
            }
            new_source_by_url[url] = src
            first_line_of_url[url] = line
            out.sources.append(src)
            source_line[sid] = line
        cid = ids[len(out.claims)]
        key = (url, row["indicator"], row["value_low"], row["value_high"])
        if row["value_low"] and key in existing_figures:
            dup = existing_figures[key]
            msg = f"exact duplicate of {dup}: same url, indicator and values"
            out.problems.append(_where(inbox, line, "value_low", msg))
        existing_figures.setdefault(key, cid)
        claim = {
            "claim_id": cid,
            "indicator": row["indicator"],
            "value_low": row["value_low"],
            "value_high": row["value_high"],
            "qualifier": row["qualifier"],
            "basis": row["basis"],
            "period_start": row["period_start"],
            "period_end": row["period_end"],
            "published": row["published"],
            "estimator": row["estimator"],
            "estimator_type": row["estimator_type"],
            "source_id": sid,
            "note": row["note"],
            "checked": "yes",
            "scope": row["scope"],
            "repeat_of": row.get("repeat_of", ""),
        }
        out.claims.append(claim)
        claim_line[cid] = line
    if out.problems:
        return out
    _check_in_scratch(out, inbox, raw, today, claim_line, source_line)
    return out


def _check_in_scratch(
    out: Plan, inbox: str, raw: Path, today: date, claim_line: dict[str, int], source_line: dict[str, int]
) -> None:
    """Validate a scratch copy of the raw data with the new rows; map problems to inbox lines."""
    with tempfile.TemporaryDirectory(prefix="intake-") as tmp:
        scratch = Path(tmp)
        for f in raw.glob("*.csv"):
            shutil.copy(f, scratch / f.name)
        (scratch / "claims.csv").write_bytes(_appended(raw / "claims.csv", out.claims))
        (scratch / "sources.csv").write_bytes(_appended(raw / "sources.csv", out.sources))
        errors, warnings = validate_raw_with_warnings(scratch, today)
        found: list[Problem] = []
        claims = read_csv_checked(scratch / "claims.csv", found)
        sources = read_csv_checked(scratch / "sources.csv", found)
    lines = {"claims.csv": _file_lines(claims, "claim_id", claim_line)}
    lines["sources.csv"] = _file_lines(sources, "source_id", source_line)
    for p in errors:
        at = lines.get(p.file, {}).get(p.line)
        if at is None:
            out.problems.append(f"{raw.as_posix().rstrip('/')}/{p} (fix data/raw first: make validate)")
            continue
        mapping = SOURCE_TO_INBOX if p.file == "sources.csv" else CLAIM_TO_INBOX
        out.problems.append(_where(inbox, at, mapping.get(p.column, p.column), p.message))
    for p in warnings:
        at = lines.get(p.file, {}).get(p.line)
        if at is not None and "probable repeat" not in p.message:
            out.warnings.append(_where(inbox, at, p.column, p.message))
    if claims is None:
        return
    new_ids = set(claim_line)
    for index, candidate, why in repeat_candidates(claims, sources):
        cid = claims.at[index, "claim_id"]
        if cid in new_ids:
            original = f"; the candidate original is {candidate}" if candidate else ""
            msg = (
                "probable repeat: " + "; ".join(why) + original + ". Set repeat_of, or write "
                "'not a repeat' and why in the note"
            )
            out.problems.append(_where(inbox, claim_line[cid], "repeat_of", msg))


def _file_lines(df: pd.DataFrame | None, key: str, inbox_lines: dict[str, int]) -> dict[int, int]:
    """File line of each new row -> its inbox line."""
    if df is None:
        return {}
    return {int(line): inbox_lines[v] for line, v in df[key].items() if v in inbox_lines}


def write(out: Plan, raw_dir: str | Path = RAW_DIR) -> None:
    """Append the planned rows to sources.csv and claims.csv: both files or neither."""
    raw = Path(raw_dir)
    targets = [(raw / "sources.csv", out.sources), (raw / "claims.csv", out.claims)]
    staged: list[tuple[Path, Path, bytes]] = []
    try:
        for path, rows in targets:
            fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX + path.stem + ".", suffix=".csv", dir=raw)
            with os.fdopen(fd, "wb") as fh:
                fh.write(_appended(path, rows))
            os.chmod(tmp, 0o644)
            staged.append((path, Path(tmp), path.read_bytes()))
        done: list[tuple[Path, bytes]] = []
        try:
            for path, tmp, before in staged:
                os.replace(tmp, path)
                done.append((path, before))
        except BaseException:
            for path, before in done:  # put back what was already replaced
                path.write_bytes(before)
            raise
    finally:
        for _, tmp, _ in staged:
            tmp.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Check an inbox, add its rows when every check passes; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inbox", help="the inbox CSV (columns as the research inboxes)")
    parser.add_argument("--raw", default=str(RAW_DIR), help="the raw data folder (default data/raw)")
    args = parser.parse_args(argv)
    inbox = Path(args.inbox)
    if inbox.suffix != ".csv" or not inbox.is_file():
        print(f"intake: {args.inbox}: expected an existing .csv file", file=sys.stderr)
        return 2
    out = plan(inbox, args.raw)
    for w in out.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if out.problems:
        for p in out.problems:
            print(p, file=sys.stderr)
        n = len(out.problems)
        print(f"intake: {n} problem(s) in {args.inbox}; nothing was written.", file=sys.stderr)
        return 1
    write(out, args.raw)
    ids = [c["claim_id"] for c in out.claims]
    print(f"intake: added {len(ids)} claim(s) from {args.inbox}: {', '.join(ids)}")
    print(f"intake: new sources: {', '.join(s['source_id'] for s in out.sources) or 'none'}")
    if out.reused:
        print(f"intake: reused sources: {', '.join(sorted(set(out.reused.values())))}")
    errors, warnings = validate_raw_with_warnings(args.raw)
    shown = Path(args.raw).as_posix().rstrip("/")
    for w in warnings:
        print(f"warning: {shown}/{w}", file=sys.stderr)
    for p in errors:
        print(f"{shown}/{p}", file=sys.stderr)
    print(f"intake: validation of {shown}: {'valid' if not errors else f'{len(errors)} problem(s)'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
