"""Read the export a researcher downloads from their own Scholar profile into a snapshot.

The fallback when Scholar blocks automated reads: on the profile page, tick the publications,
then Export -> BibTeX (``citations.bib``) or CSV (``citations.csv``). The format is detected from
the content, not the file name:

- BibTeX: ``@article{key,\\n  title={...},\\n  author={Last, First and Last, First and others},
  ...}``; read with bibtexparser 2. Scholar reuses keys (two papers both ``smith2020deep``), so a
  duplicate key is an entry like any other, not an error.
- CSV: UTF-8 with a byte-order mark, header ``Authors,Title,Publication,Volume,Number,Pages,Year,
  Publisher``, authors as ``Last, First; Last, First; `` (trailing separator included).

Neither format carries citation counts, Scholar publication ids or profile metrics, so the
snapshot has none; a note says so. A file we cannot read raises ``UserError`` naming the file
and the line, and nothing is written.
"""

from __future__ import annotations

import csv
import enum
import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from profilesync.connectors.scholar_map import arxiv_in, cut_fields, guess_type, quirk_flags
from profilesync.errors import Problem, UserError
from profilesync.model import Author, ExternalIds, Metrics, Snapshot, Work, WorkType
from profilesync.normalize.identifiers import normalize_arxiv, normalize_doi
from profilesync.normalize.sanitize import sanitize_snapshot

SOURCE = "scholar"
CSV_COLUMNS = ("Authors", "Title", "Publication", "Volume", "Number", "Pages", "Year", "Publisher")
_FIX = "export the list again from your Scholar profile (select the publications, Export, BibTeX or CSV) and do not edit it"
_ENTRY_START = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_ELLIPSES = ("...", "…")

_BIBTEX_TYPES: dict[str, WorkType] = {
    "inproceedings": WorkType.CONFERENCE,
    "conference": WorkType.CONFERENCE,
    "phdthesis": WorkType.THESIS,
    "mastersthesis": WorkType.THESIS,
    "book": WorkType.BOOK,
    "incollection": WorkType.CHAPTER,
    "inbook": WorkType.CHAPTER,
}


class ExportFormat(str, enum.Enum):
    BIBTEX = "bibtex"
    CSV = "csv"

    @property
    def label(self) -> str:
        return "BibTeX" if self is ExportFormat.BIBTEX else "CSV"


def read_scholar_export(path: Path, label: str, *, now: datetime) -> Snapshot:
    """Parse the export at ``path`` (``label`` is how error messages name it).

    Returns a Scholar snapshot fetched ``now``; raises ``UserError`` for an unreadable file.
    """
    text = _read_text(path, label)
    fmt = detect_format(text, label)
    works = _read_bibtex(text, label) if fmt is ExportFormat.BIBTEX else _read_csv(text, label)
    # An export file is as untrusted as a live response: the same value boundary as a pull.
    return sanitize_snapshot(Snapshot(
        source=SOURCE,
        fetched_at=now,
        person=None,
        works=tuple(works),
        metrics=Metrics(),
        notes=(f"imported from {label} (Scholar's {fmt.label} export): it has no citation counts, metrics or Scholar ids",),
        extra={"imported_from": label, "import_format": fmt.value},
    ))


def _read_text(path: Path, label: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError([Problem(label, None, "no such file", "give the path of the file Scholar's Export downloaded")]) from None
    except OSError as exc:
        raise UserError([Problem(label, None, f"cannot read the file: {exc.strerror}", None)]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError([Problem(label, f"line {line}", "the file is not UTF-8 text (Scholar exports are)", _FIX)]) from None
    if not text.strip():
        raise UserError([Problem(label, None, "the file is empty", _FIX)])
    return text


def detect_format(text: str, label: str) -> ExportFormat:
    """BibTeX when an ``@type{`` entry opens a line, CSV when the first line is Scholar's header."""
    if _ENTRY_START.search(text):
        return ExportFormat.BIBTEX
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    header = [cell.strip() for cell in next(csv.reader([first]), [])]
    if "Title" in header and "Authors" in header:
        return ExportFormat.CSV
    raise UserError(
        [
            Problem(
                label,
                "line 1",
                "this is neither a BibTeX nor a CSV export of a Scholar profile (no @article{...} entry and no Authors,Title,... header)",
                _FIX,
            )
        ]
    )


# --- BibTeX -----------------------------------------------------------------------------------


def _read_bibtex(text: str, label: str) -> list[Work]:
    import bibtexparser
    from bibtexparser import middlewares
    from bibtexparser.model import DuplicateBlockKeyBlock, Entry

    with _captured("bibtexparser") as messages:
        library = bibtexparser.parse_string(text)  # values decoded per field in _bibtex_work
    entries: list[Any] = list(library.entries)
    problems: list[Problem] = []
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, Entry):
            # Scholar reuses keys for different papers; keep the entry, read like the others.
            entry = block.ignore_error_block
            entries.append(middlewares.RemoveEnclosingMiddleware().transform_block(entry, library) or entry)
            continue
        assert block.start_line is not None  # the parser numbers every block it read
        line = block.start_line + 1
        detail = next((m.split("due to syntactical error in bibtex:", 1)[-1].strip() for m in messages if f"(line {block.start_line})" in m), "")
        what = "this entry is not valid BibTeX" + (f" ({detail})" if detail else "")
        problems.append(Problem(label, f"line {line}", what, _FIX))
    works = []
    for entry in sorted(entries, key=lambda e: e.start_line):
        work = _bibtex_work(entry, label, problems)
        if work is not None:
            works.append(work)
    if problems:
        raise UserError(sorted(problems, key=_line_of))
    if not works:
        raise UserError([Problem(label, None, "the file holds no BibTeX entries", _FIX)])
    return works


def _bibtex_work(entry: Any, label: str, problems: list[Problem]) -> Work | None:
    fields = {key.lower(): _field_text(key.lower(), str(f.value)) for key, f in entry.fields_dict.items()}
    line = entry.start_line + 1
    title = fields.get("title", "")
    if not title:
        problems.append(Problem(label, f"line {line}", f"entry {entry.key!r} has no title", _FIX))
        return None
    year = _year(fields.get("year"), label, line, problems)
    names = [n.strip() for n in _AND.split(fields.get("author", "")) if n.strip()]
    truncated = bool(names) and names[-1].lower() in ("others", *_ELLIPSES)
    authors = tuple(Author(_first_last(n)) for n in names if n.lower() not in ("others", *_ELLIPSES))
    venue = fields.get("journal") or fields.get("booktitle") or fields.get("school") or fields.get("institution") or fields.get("howpublished") or None
    entry_type = entry.entry_type.lower()
    kind = _BIBTEX_TYPES.get(entry_type)
    if kind is None:
        guessed = guess_type(venue)
        kind = guessed if (entry_type != "article" or guessed is WorkType.PREPRINT) else WorkType.JOURNAL
    arxiv = normalize_arxiv(fields.get("eprint")) if fields.get("eprint") else arxiv_in(venue)
    return Work(
        title=title,
        authors=authors,
        year=year,
        venue=venue,
        type=kind,
        ids=ExternalIds(doi=normalize_doi(fields.get("doi")), arxiv=arxiv),
        # LaTeX decoding turns "1--18" into an en dash; Scholar's list writes "1-18".
        pages=fields.get("pages", "").replace("--", "-").replace("\u2013", "-") or None,
        url=fields.get("url") or None,
        source_ref=entry.key,
        extra=quirk_flags(title, year),
        cut=cut_fields(title, venue, truncated),
    )


# --- CSV --------------------------------------------------------------------------------------


def _read_csv(text: str, label: str) -> list[Work]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except csv.Error as exc:
        raise UserError([Problem(label, "line 1", f"the CSV header cannot be read ({exc})", _FIX)]) from None
    missing = [c for c in ("Authors", "Title") if c not in header]
    if missing:
        raise UserError([Problem(label, "line 1", f"the header lacks the column(s) {', '.join(missing)}; Scholar's is {','.join(CSV_COLUMNS)}", _FIX)])
    column = {name: header.index(name) for name in CSV_COLUMNS if name in header}
    works: list[Work] = []
    problems: list[Problem] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                problems.append(Problem(label, f"line {line}", f"{len(cells)} fields where the header has {len(header)} (an unquoted comma?)", _FIX))
                continue
            works.extend(_csv_work(cells, column, label, line, problems))
    except csv.Error as exc:
        problems.append(Problem(label, f"line {reader.line_num}", f"the CSV cannot be read ({exc})", _FIX))
    if problems:
        raise UserError(problems)
    if not works:
        raise UserError([Problem(label, None, "the CSV holds no publications, only a header", _FIX)])
    return works


def _csv_work(cells: list[str], column: dict[str, int], label: str, line: int, problems: list[Problem]) -> list[Work]:
    def cell(name: str) -> str:
        index = column.get(name)
        return _clean(cells[index]) if index is not None and index < len(cells) else ""

    title = cell("Title")
    if not title:
        problems.append(Problem(label, f"line {line}", "the row has no title", _FIX))
        return []
    year = _year(cell("Year"), label, line, problems)
    names = [n.strip() for n in cell("Authors").split(";") if n.strip()]
    truncated = bool(names) and names[-1] in _ELLIPSES
    authors = tuple(Author(_first_last(n)) for n in names if n not in _ELLIPSES)
    venue = cell("Publication") or None
    return [
        Work(
            title=title,
            authors=authors,
            year=year,
            venue=venue,
            type=guess_type(venue),
            ids=ExternalIds(arxiv=arxiv_in(venue)),
            pages=cell("Pages") or None,
            extra=quirk_flags(title, year),
            cut=cut_fields(title, venue, truncated),
        )
    ]


# --- shared -----------------------------------------------------------------------------------


def _year(value: str | None, label: str, line: int, problems: list[Problem]) -> int | None:
    if not value:
        return None
    match = _YEAR.match(value)
    if not match:
        problems.append(Problem(label, f"line {line}", f"the year {value!r} is not a year", _FIX))
        return None
    return int(match.group(1))


def _first_last(name: str) -> str:
    """``Zuo, Wenrui`` -> ``Wenrui Zuo``; ``Last, Jr, First`` -> ``First Last Jr``; else as written."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts):
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and all(parts):
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return name.strip()


# Scholar's BibTeX export escapes the protective braces of a title as math: "{GPU}" is written
# "$\{$GPU$\}$". They are braces, not math, and are read back as braces.
_SCHOLAR_BRACES = (("$\\{$", "{"), ("$\\}$", "}"))
# Fields that hold an address, not text: LaTeX decoding would eat a "%20" as a comment.
_VERBATIM_FIELDS = frozenset({"url", "eprint"})


@lru_cache(maxsize=1)
def _latex_decoder() -> Any:
    from pylatexenc.latex2text import LatexNodes2Text

    # math_mode="text": "$\alpha$-test" reads "α-test"; the export has no formula worth keeping as LaTeX.
    return LatexNodes2Text(math_mode="text", keep_braced_groups=False)


def _field_text(name: str, value: str) -> str:
    """A field of Scholar's BibTeX as plain text: Scholar's escaped braces and LaTeX accents and
    symbols decoded (``$\\{$GPU$\\}$`` -> ``GPU``, ``M{\\"u}ller`` -> ``Müller``)."""
    if name in _VERBATIM_FIELDS:
        return _clean(value)
    for escaped, brace in _SCHOLAR_BRACES:
        value = value.replace(escaped, brace)
    # A bare % is text in an export, not a LaTeX comment that would drop the rest of the value.
    value = re.sub(r"(?<!\\)%", r"\\%", value)
    try:
        value = _latex_decoder().latex_to_text(value)
    except Exception:  # pylatexenc is lenient; a value it still cannot read is kept as written
        pass
    return _clean(value)


def _clean(text: str) -> str:
    """Drop BibTeX's protective braces and collapse whitespace (titles wrap across lines)."""
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


def _line_of(problem: Problem) -> int:
    match = re.search(r"\d+", problem.where or "")
    return int(match.group(0)) if match else 0


@contextmanager
def _captured(logger_name: str) -> Iterator[list[str]]:
    """Collect a library's log messages instead of letting them reach the terminal: bibtexparser
    logs parse errors, and nothing below the CLI prints."""
    messages: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger = logging.getLogger(logger_name)
    handler = _Collect()
    previous = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous
