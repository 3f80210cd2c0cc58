"""A BibTeX file as the canonical CV (al-folio's ``_bibliography/papers.bib``).

Reading: bibtexparser splits the file into entries; LaTeX in values is decoded to Unicode by
pylatexenc; the entry key is the CV key. al-folio's own fields are understood (``abbr`` for the
venue acronym, ``arxiv``, ``html``, ``code``), and a ``lock = {title, venue}`` field works as
the CV schema's ``lock``. A DBLP export reads as it is: its keys (``DBLP:conf/sigmod/SmithJ21``)
are the CV keys, the venue is the ``journal``/``booktitle`` when there is no ``abbr``, and a
``crossref`` is resolved (the proceedings entry DBLP adds is a container, not a work).

Writing: only the fields being set are touched, inside the entry's original text (its quoting,
spacing, field order and every other field stay as they were); new entries are appended in the
style of the file's existing entries. Comments, ``@string`` macros and entries profilesync does
not manage are never rewritten.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from profilesync.config import CvFormat
from profilesync.cv.formats.base import CvDocument
from profilesync.errors import Problem, UserError
from profilesync.normalize.bibliography import is_self, latex_escape, split_name
from profilesync.normalize.dates import parse_month
from profilesync.normalize.identifiers import normalize_arxiv, normalize_doi

# BibTeX entry type -> CV type; the field that holds its venue.
ENTRY_TYPES: dict[str, tuple[str, str]] = {
    "inproceedings": ("conference", "booktitle"),
    "conference": ("conference", "booktitle"),
    "article": ("journal", "journal"),
    "incollection": ("chapter", "booktitle"),
    "inbook": ("chapter", "booktitle"),
    "book": ("book", "publisher"),
    "phdthesis": ("thesis", "school"),
    "mastersthesis": ("thesis", "school"),
    "software": ("software", "howpublished"),
    "dataset": ("dataset", "howpublished"),
    "misc": ("other", "howpublished"),
    "unpublished": ("preprint", "note"),
    "online": ("other", "howpublished"),
    "techreport": ("other", "institution"),
}
CV_TYPES: dict[str, str] = {
    "conference": "inproceedings",
    "journal": "article",
    "chapter": "incollection",
    "book": "book",
    "thesis": "phdthesis",
    "preprint": "misc",
    "software": "misc",
    "dataset": "misc",
    "other": "misc",
}
VENUE_FIELDS: tuple[str, ...] = ("booktitle", "journal", "howpublished", "school", "publisher", "institution")
# Entry types that hold other entries (DBLP's "with crossref" export writes the proceedings as one):
# when another entry points at one with ``crossref``, it is the container, not a work of the CV.
CONTAINER_TYPES = frozenset({"proceedings", "book", "collection", "mvproceedings", "mvbook", "mvcollection", "periodical"})
# Fields a ``crossref`` child takes from its parent when it has none of its own. Identifiers and
# addresses (doi, url, isbn, biburl) name the parent, not the child, so they are not inherited.
INHERITED_FIELDS: tuple[str, ...] = ("booktitle", "journal", "year", "publisher", "series", "volume", "editor", "address", "month", "organization", "school", "institution")
_PREPRINT_VENUE = re.compile(r"arxiv|corr|preprint|biorxiv|medrxiv|ssrn", re.IGNORECASE)


@lru_cache(maxsize=1)
def _latex_decoder():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text()


def decode(value: str) -> str:
    """LaTeX to Unicode text (``Z{\\"u}rich`` -> ``Zürich``), whitespace collapsed."""
    try:
        text = _latex_decoder().latex_to_text(value)
    except Exception:  # pylatexenc is lenient; anything it cannot read is kept as written
        text = value.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def _person_name(bibtex_name: str) -> str:
    """``Zhang, Zili`` -> ``Zili Zhang`` (the CV writes names in reading order)."""
    parts = split_name(decode(bibtex_name))
    family = f"{parts.particle} {parts.family}".strip()
    name = f"{parts.given} {family}".strip()
    return f"{name}, {parts.suffix}" if parts.suffix else name


def split_authors(value: str) -> list[str]:
    names = re.split(r"\s+and\s+", value.strip())
    return [_person_name(n) for n in names if n.strip() and n.strip().lower() != "others"]


@dataclass
class _Entry:
    """One BibTeX entry: where its text is, what it says, and how it is being edited."""

    key: str
    entry_type: str
    fields: dict[str, str]  # lower-case name -> raw value (enclosing braces/quotes removed)
    raw: str
    offset: int  # where ``raw`` starts in the original text
    edits: dict[str, str]  # lower-case field name -> new raw value
    new_type: str | None = None
    is_new: bool = False
    inherited: dict[str, str] | None = None  # fields from the crossref'd entry (see INHERITED_FIELDS)
    container: bool = False  # another entry's crossref target: kept in the file, not a publication


class BibtexCvDocument(CvDocument):
    format = CvFormat.BIBTEX

    def __init__(self, path: Path, text: str, label: str | None = None, *, person_name: str | None = None, aliases: tuple[str, ...] = ()):
        # A .bib file has no person: the config names the researcher ("Unknown" keeps it valid).
        super().__init__(path, text, label, person_name=person_name or "Unknown", aliases=aliases)
        self.entries = self._parse(text)
        self._remember_initial()

    # --- reading ----------------------------------------------------------------------------------

    def _parse(self, text: str) -> list[_Entry]:
        import bibtexparser

        try:
            library = bibtexparser.parse_string(text)
        except Exception as exc:  # bibtexparser raises several types for broken input
            raise UserError([Problem(self.label, None, f"cannot parse the BibTeX: {exc}", "fix the entry it names")]) from None
        problems = [
            Problem(self.label, f"line {(block.start_line or 0) + 1}", f"unparsable BibTeX block: {block.error}" if hasattr(block, "error") else "unparsable BibTeX block", "fix the braces or the key of this entry")
            for block in library.failed_blocks
        ]
        if problems:
            raise UserError(problems)
        line_starts = [0]
        for line in text.splitlines(keepends=True):
            line_starts.append(line_starts[-1] + len(line))
        entries = []
        for entry in library.entries:
            start = line_starts[min(entry.start_line or 0, len(line_starts) - 1)]
            raw = entry.raw or ""  # always set for a parsed entry; typed optional by bibtexparser
            offset = text.find(raw, start)
            if offset < 0:
                offset = text.find(raw)
            fields = {f.key.lower(): str(f.value) for f in entry.fields}
            entries.append(_Entry(entry.key, entry.entry_type.lower(), fields, raw, offset, {}))
        names = (self.person_name or "Unknown", *self.aliases)
        _resolve_crossrefs(entries, lambda editors: any(is_self(n, names) for n in split_authors(editors)))
        return entries

    def _to_publication(self, entry: _Entry) -> dict[str, Any]:
        fields = {**(entry.inherited or {}), **entry.fields, **entry.edits}
        entry_type = entry.new_type or entry.entry_type
        cv_type, venue_field = ENTRY_TYPES.get(entry_type, ("other", "howpublished"))
        pub: dict[str, Any] = {"key": entry.key, "title": decode(fields.get("title", "")) or entry.key}
        if fields.get("author"):
            pub["authors"] = split_authors(fields["author"])
        venue_full = next((decode(fields[f]) for f in (venue_field, *VENUE_FIELDS) if fields.get(f)), None)
        eprint = fields.get("arxiv") or (fields.get("eprint") if fields.get("archiveprefix", "arxiv").lower() == "arxiv" else None)
        # al-folio writes preprints as @article{journal = {arXiv preprint ...}} or @misc with an
        # eprint; a published article that also carries an arxiv field stays a journal paper.
        if (cv_type == "other" and eprint) or (cv_type in ("journal", "other") and venue_full and _PREPRINT_VENUE.search(venue_full)):
            cv_type = "preprint"
        # ``abbr`` (al-folio's acronym) is optional: without it the venue is the journal or
        # booktitle as written, braces dropped ("{VLDB} J." -> "VLDB J."); the file keeps them.
        abbr = decode(fields["abbr"]) if fields.get("abbr") else None
        if abbr:
            pub["venue"] = abbr
            if venue_full and venue_full != abbr:
                pub["venue_full"] = venue_full
        elif venue_full:
            pub["venue"] = venue_full
        year = re.search(r"\d{4}", fields.get("year", ""))
        if year:
            pub["year"] = int(year.group(0))
        month = parse_month(fields.get("month"))  # the macro "may", "May", "5"
        if month:
            pub["month"] = month
        pub["type"] = cv_type
        pub["status"] = "preprint" if cv_type == "preprint" else "published"
        if fields.get("pages"):
            pub["pages"] = decode(fields["pages"].replace("--", "-"))
        url = fields.get("url") or fields.get("html")
        if url:
            pub["url"] = url.strip()
        if fields.get("code"):
            pub["code"] = fields["code"].strip()
        ids: dict[str, Any] = {}
        doi = normalize_doi(fields.get("doi"))
        if doi:
            ids["doi"] = doi
        arxiv = normalize_arxiv(eprint) if eprint else None
        if arxiv:
            ids["arxiv"] = arxiv
        biburl = fields.get("biburl", "")
        if "dblp.org/rec/" in biburl:
            ids["dblp"] = biburl.split("dblp.org/rec/", 1)[1].removesuffix(".bib")
        elif entry.key.startswith("DBLP:") and "/" in entry.key:
            ids["dblp"] = entry.key.removeprefix("DBLP:")  # DBLP's condensed export has no biburl
        if ids:
            pub["ids"] = ids
        if fields.get("lock"):
            pub["lock"] = [w for w in re.split(r"[\s,]+", fields["lock"]) if w]
        return pub

    def publications(self) -> list[dict[str, Any]]:
        return [self._to_publication(e) for e in self.entries if not e.container]

    def find(self, key: str) -> dict[str, Any]:
        return self._to_publication(self._entry(key))

    def to_data(self) -> dict[str, Any]:
        return {"person": {"name": self.person_name, "aliases": list(self.aliases)}, "publications": self.publications()}

    # --- editing ----------------------------------------------------------------------------------

    def _entry(self, key: str) -> _Entry:
        for entry in self.entries:
            if entry.key == key and not entry.container:
                return entry
        raise KeyError(key)

    def _uses(self, field: str) -> bool:
        return any(field in e.fields for e in self.entries)

    def _names_reversed(self) -> bool:
        """True when the file writes authors as ``Family, Given`` (the majority decides)."""
        votes = [", " in e.fields["author"].split(" and ")[0] for e in self.entries if e.fields.get("author")]
        return bool(votes) and sum(votes) * 2 >= len(votes)

    def _author_value(self, names: list[str], entry: _Entry | None) -> str:
        reversed_ = (", " in entry.fields["author"].split(" and ")[0]) if entry and entry.fields.get("author") else self._names_reversed()
        written = [split_name(n).bibtex if reversed_ else n for n in names]
        return " and ".join(latex_escape(n, for_bibtex=True) for n in written)

    def _set(self, entry: _Entry, updates: Mapping[str, Any]) -> None:
        fields = {**entry.fields, **entry.edits}
        if "type" in updates:
            wanted = CV_TYPES.get(str(updates["type"]), "misc")
            current = ENTRY_TYPES.get(entry.new_type or entry.entry_type, ("other", ""))[0]
            if current != updates["type"] and not (updates["type"] == "preprint" and current == "other"):
                entry.new_type = wanted
        venue_field = ENTRY_TYPES.get(entry.new_type or entry.entry_type, ("other", "howpublished"))[1]
        for name, value in updates.items():
            if name in ("type", "status", "key"):
                continue  # status follows from the entry type in BibTeX
            if name == "ids":
                for id_name, id_value in value.items():
                    if id_name == "doi":
                        entry.edits["doi"] = _verbatim(str(id_value))
                    elif id_name == "arxiv":
                        target = "eprint" if "eprint" in fields else ("arxiv" if self._uses("arxiv") or "arxiv" in fields else "eprint")
                        entry.edits[target] = str(id_value)
                        if target == "eprint" and "archiveprefix" not in fields:
                            entry.edits["archiveprefix"] = "arXiv"
                    # DBLP keys, put-codes and Scholar ids have no BibTeX field; they are not kept.
            elif name == "title":
                entry.edits["title"] = latex_escape(str(value), for_bibtex=True)
            elif name == "authors":
                entry.edits["author"] = self._author_value(list(value), None if entry.is_new else entry)
            elif name == "venue":
                entry.edits["abbr"] = latex_escape(str(value), for_bibtex=True)
                if not fields.get(venue_field) and "venue_full" not in updates:
                    entry.edits[venue_field] = latex_escape(str(value), for_bibtex=True)
            elif name == "venue_full":
                entry.edits[venue_field] = latex_escape(str(value), for_bibtex=True)
            elif name == "year":
                entry.edits["year"] = str(value)
            elif name == "pages":
                entry.edits["pages"] = latex_escape(re.sub(r"\s*[-–—]+\s*", "--", str(value)), for_bibtex=True)
            elif name == "url":
                entry.edits["html" if "html" in fields and "url" not in fields else "url"] = _verbatim(str(value))
            elif name == "code":
                entry.edits["code"] = _verbatim(str(value))
            elif name == "lock":
                entry.edits["lock"] = ", ".join(value)

    def update_publication(self, key: str, updates: Mapping[str, Any]) -> None:
        self._touch()
        self._set(self._entry(key), updates)

    def add_publication(self, entry: Mapping[str, Any]) -> None:
        self._touch()
        key = str(entry["key"])
        new = _Entry(key, CV_TYPES.get(str(entry.get("type") or "other"), "misc"), {}, "", len(self.original_text), {}, is_new=True)
        self.entries.append(new)
        self._set(new, {k: v for k, v in entry.items() if k != "type"})

    # --- writing ----------------------------------------------------------------------------------

    def _style(self, own: _Entry | None = None) -> _FieldStyle:
        """How the entry's own fields are written, else the first existing entry's: indent,
        ``" = "`` or ``"="``, and the column ``=`` is aligned to (DBLP pads ``author    =``)."""
        for entry in ([own] if own is not None and not own.is_new else []) + self.entries:
            if entry.is_new or "\n" not in entry.raw:
                continue
            fields = [m for m in (_FIELD_LINE.match(line) for line in entry.raw.splitlines()[1:]) if m]
            if not fields:
                continue
            indent = fields[0].group(1)
            sep = " = " if fields[0].group(3) and fields[0].group(4) else "="
            # Aligned when most fields are padded so their "=" share one column (a name longer
            # than the column, like DBLP's "eprinttype", sticks out by one space).
            columns = Counter(len(m.group(2)) + len(m.group(3)) for m in fields)
            column, count = columns.most_common(1)[0]
            padded = count >= 2 and count * 2 > len(fields) and any(len(m.group(3)) > 1 for m in fields)
            return _FieldStyle(indent or "  ", sep, column if padded else 0)
        return _FieldStyle("  ", " = ", 0)

    def _render_new(self, entry: _Entry) -> str:
        style = self._style()
        order = ["title", "author", "booktitle", "journal", "howpublished", "school", "publisher", "year", "pages", "doi", "eprint", "archiveprefix", "arxiv", "url", "html", "abbr", "code", "lock"]
        names = sorted(entry.edits, key=lambda n: order.index(n) if n in order else len(order))
        body = ",\n".join(style.line(name, entry.edits[name]) for name in names)
        return f"@{entry.new_type or entry.entry_type}{{{entry.key},\n{body}\n}}\n"

    def _render_edited(self, entry: _Entry) -> str:
        raw = entry.raw
        if entry.new_type:
            raw = re.sub(r"^@\s*\w+", "@" + entry.new_type, raw, count=1)
        spans = field_spans(raw)
        style = self._style(entry)
        # Replace existing values from the end, so earlier offsets stay valid.
        for name, (start, end, enclosing) in sorted(((n, spans[n]) for n in entry.edits if n in spans), key=lambda item: -item[1][0]):
            value = entry.edits[name]
            if enclosing == '"':
                replacement = '"' + value + '"' if '"' not in value else "{" + value + "}"
            elif enclosing == "{":
                replacement = "{" + value + "}"
            else:
                replacement = value if re.fullmatch(r"\d+", value) else "{" + value + "}"
            raw = raw[:start] + replacement + raw[end:]
        added = [n for n in entry.edits if n not in spans]
        if added:
            closing = len(raw.rstrip()) - 1  # the entry's closing brace (or parenthesis)
            head, tail = raw[:closing], raw[closing:]
            body = head.rstrip()
            gap = head[len(body) :]  # usually the newline before the closing brace
            lines = ",\n".join(style.line(n, entry.edits[n]) for n in added)
            body = body + "\n" + lines + "," if body.endswith(",") else body + ",\n" + lines
            raw = body + gap + tail
        return raw

    def _render(self) -> str:
        text = self.original_text
        edited = sorted((e for e in self.entries if not e.is_new and (e.edits or e.new_type)), key=lambda e: -e.offset)
        for entry in edited:
            text = text[: entry.offset] + self._render_edited(entry) + text[entry.offset + len(entry.raw) :]
        new = [self._render_new(e) for e in self.entries if e.is_new]
        if new:
            if text and not text.endswith("\n"):
                text += "\n"
            text += "".join(("\n" if text else "") + block for block in new)
        return text


# A field line of an entry: indent, name, the spaces before "=", the spaces after it.
_FIELD_LINE = re.compile(r"^([ \t]*)([A-Za-z][\w\-:.+]*)([ \t]*)=([ \t]*)")


@dataclass(frozen=True)
class _FieldStyle:
    indent: str
    sep: str  # " = " or "="
    align: int  # the width of name plus padding before "=" when the entry aligns them, else 0

    def line(self, name: str, value: str) -> str:
        if self.align:
            # DBLP writes a name longer than the column with one space ("eprinttype = {arXiv}").
            after = " " if self.sep.endswith(" ") else ""
            return f"{self.indent}{name.ljust(max(self.align, len(name) + 1))}={after}{{{value}}}"
        return f"{self.indent}{name}{self.sep}{{{value}}}"


def _resolve_crossrefs(entries: list[_Entry], edited_by_self: Callable[[str], bool]) -> None:
    """Give each entry with ``crossref = {parent}`` the parent's INHERITED_FIELDS it lacks, as
    BibTeX and biber do (a proceedings' ``title`` is the child's ``booktitle``), and mark the
    parents that are only containers: an authorless proceedings or collection the researcher did
    not edit (DBLP's crossref export adds one per paper). Keys compare case-insensitively, as in
    BibTeX. The file is not changed."""
    by_key = {e.key.lower(): e for e in entries}
    for entry in entries:
        target = entry.fields.get("crossref", "").strip().strip("{}").strip()
        parent = by_key.get(target.lower()) if target else None
        if parent is None or parent is entry:
            continue
        inherited = {name: parent.fields[name] for name in INHERITED_FIELDS if parent.fields.get(name)}
        if parent.entry_type in CONTAINER_TYPES and parent.fields.get("title") and "booktitle" not in parent.fields:
            inherited["booktitle"] = parent.fields["title"]
        entry.inherited = {name: value for name, value in inherited.items() if not entry.fields.get(name)}
        if parent.entry_type in CONTAINER_TYPES and not parent.fields.get("author") and not edited_by_self(parent.fields.get("editor", "")):
            parent.container = True


def _verbatim(value: str) -> str:
    return value.replace("{", "%7B").replace("}", "%7D")


def field_spans(raw: str) -> dict[str, tuple[int, int, str]]:
    """``{field name: (start, end, enclosing)}`` of each value in one entry's text.

    ``enclosing`` is ``{``, ``"`` or ``""`` (a bare number or macro). Only the outermost level is
    scanned; braces inside values are balanced by BibTeX's rules.
    """
    spans: dict[str, tuple[int, int, str]] = {}
    start = raw.find("{")
    if start < 0:
        return spans
    comma = raw.find(",", start)
    if comma < 0:
        return spans
    pos = comma + 1
    length = len(raw)
    while pos < length:
        match = re.compile(r"\s*([A-Za-z][\w\-:.+]*)\s*=\s*").match(raw, pos)
        if not match:
            break
        name = match.group(1).lower()
        value_start = match.end()
        if value_start >= length:
            break
        opener = raw[value_start]
        if opener == "{":
            depth, index = 0, value_start
            while index < length:
                char = raw[index]
                if char == "\\":
                    index += 2
                    continue
                if char == "{":
                    depth += 1
                elif char == "}":
                    depth -= 1
                    if depth == 0:
                        break
                index += 1
            value_end = index + 1
            enclosing = "{"
        elif opener == '"':
            depth, index = 0, value_start + 1
            while index < length:
                char = raw[index]
                if char == "{":
                    depth += 1
                elif char == "}":
                    depth -= 1
                elif char == '"' and depth == 0:
                    break
                index += 1
            value_end = index + 1
            enclosing = '"'
        else:
            bare = re.compile(r"[^,}\s]+(\s*#\s*[^,}\s]+)*").match(raw, value_start)
            value_end = bare.end() if bare else value_start
            enclosing = ""
        spans[name] = (value_start, value_end, enclosing)
        after = re.compile(r"\s*,?").match(raw, value_end)
        pos = after.end() if after else value_end
    return spans
