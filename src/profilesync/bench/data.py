"""Readers for the entity-resolution benchmark layouts.

- Leipzig tables (``DBLP1.csv``, ``Scholar.csv``, ``ACM.csv``): ``id,title,authors,venue,year``;
  DBLP*.csv are latin-1, the others UTF-8 (we try UTF-8 and fall back to latin-1 per file).
- Leipzig perfect mapping: ``idDBLP,idScholar`` (or ``idACM``): two id columns.
- Magellan tables (``tableA.csv``/``tableB.csv``) plus pair files ``ltable_id,rtable_id,label``.
- The "joined" layout: ``id,label,left_title,left_authors,left_venue,left_year,right_title,...``;
  ``label`` may be absent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from profilesync.errors import Problem, UserError

RECORD_FIELDS = ("title", "authors", "venue", "year")


@dataclass(frozen=True)
class Record:
    """One row of a bibliographic table."""

    id: str
    title: str
    authors: str
    venue: str
    year: str


@dataclass(frozen=True)
class LabelledPair:
    """One candidate pair; ``label`` is None when the file has no labels."""

    id: str
    left: Record
    right: Record
    label: int | None


def read_text(path: Path) -> str:
    """The file's text: UTF-8 when it decodes, latin-1 otherwise (the DBLP*.csv files)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _rows(path: Path) -> Iterator[dict[str, str]]:
    try:
        text = read_text(path)
    except OSError as exc:
        raise UserError([Problem(str(path), "", f"cannot read: {exc.strerror}", "check the path")]) from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None:
        raise UserError([Problem(str(path), "line 1", "the file is empty", "give a CSV file with a header row")])
    yield from reader


def _require(path: Path, header: list[str] | None, needed: tuple[str, ...]) -> None:
    missing = [c for c in needed if c not in (header or [])]
    if missing:
        raise UserError(
            [Problem(str(path), "line 1", f"missing column(s) {', '.join(missing)} (found: {', '.join(header or [])})", f"the header must name {', '.join(needed)}")]
        )


def read_table(path: Path) -> list[Record]:
    """A Leipzig or Magellan table: ``id,title,authors,venue,year`` (extra columns ignored;
    authors, venue and year may be missing)."""
    try:
        text = read_text(path)
    except OSError as exc:
        raise UserError([Problem(str(path), "", f"cannot read: {exc.strerror}", "check the path")]) from exc
    # csv.reader with column positions: a 64,000-row table reads in a third of DictReader's time.
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise UserError([Problem(str(path), "line 1", "the file is empty", "give a CSV file with a header row")])
    header = [h.strip() for h in header]
    _require(path, header, ("id", "title"))
    # A missing column reads as an always-empty extra column at the end of each row.
    i, t, a, v, y = (header.index(c) if c in header else len(header) for c in ("id", *RECORD_FIELDS))
    width = len(header) + 1
    out: list[Record] = []
    for row in reader:
        if not row:
            continue
        if len(row) < width:
            row += [""] * (width - len(row))
        out.append(Record(row[i].strip(), row[t], row[a], row[v], row[y]))
    return out


def read_mapping(path: Path) -> set[tuple[str, str]]:
    """A perfect-mapping file: the first two columns are (left id, right id)."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or len(header) < 2:
        raise UserError([Problem(str(path), "line 1", "expected two id columns", "give a perfect-mapping file such as DBLP-Scholar_perfectMapping.csv")])
    return {(row[0].strip(), row[1].strip()) for row in reader if len(row) >= 2}


def _label(value: str | None, path: Path, where: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return 1 if int(float(value)) else 0
    except ValueError:
        raise UserError([Problem(str(path), where, f"label {value!r} is not 0 or 1", "labels must be 0 or 1")]) from None


def read_joined(path: Path) -> list[LabelledPair]:
    """Pairs in the joined layout (``left_title``... ``right_year``, optional ``label``)."""
    out: list[LabelledPair] = []
    for n, row in enumerate(_rows(path), start=2):
        if n == 2:
            needed = ("id", *(f"{side}_{f}" for side in ("left", "right") for f in RECORD_FIELDS))
            _require(path, list(row.keys()), needed)
        left = Record(f"{row['id']}L", *(row[f"left_{f}"] or "" for f in RECORD_FIELDS))
        right = Record(f"{row['id']}R", *(row[f"right_{f}"] or "" for f in RECORD_FIELDS))
        out.append(LabelledPair(row["id"], left, right, _label(row.get("label"), path, f"line {n}")))
    return out


def read_magellan(table_a: Path, table_b: Path, pairs: Path) -> list[LabelledPair]:
    """Pairs ``ltable_id,rtable_id[,label]`` resolved against the two tables."""
    left = {r.id: r for r in read_table(table_a)}
    right = {r.id: r for r in read_table(table_b)}
    out: list[LabelledPair] = []
    for n, row in enumerate(_rows(pairs), start=2):
        if n == 2:
            _require(pairs, list(row.keys()), ("ltable_id", "rtable_id"))
        lid, rid = row["ltable_id"].strip(), row["rtable_id"].strip()
        if lid not in left or rid not in right:
            side, missing = ("ltable_id", lid) if lid not in left else ("rtable_id", rid)
            raise UserError([Problem(str(pairs), f"line {n}", f"{side} {missing} is not in the table", "give the tables these pairs were drawn from")])
        out.append(LabelledPair(str(n - 1), left[lid], right[rid], _label(row.get("label"), pairs, f"line {n}")))
    return out
