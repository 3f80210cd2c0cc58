"""The value boundary: what a source hands over is checked here before anything else sees it.

Every snapshot passes ``sanitize_snapshot`` once, where the pipeline receives it from a
connector's ``fetch`` (and where ``import`` reads a Scholar export), and again when a snapshot is
read back from ``cache/snapshots/`` (a file may have been edited by hand). Types and shapes are
the connectors' business (a wrong one is a ``SourceFormatError``); this module judges **values**:

- Text (titles, venues, names, affiliations, notes, strings inside ``extra``): terminal escape
  sequences (CSI, OSC, DCS, ...) are removed whole; other C0/C1 control characters, DEL, bidi
  embeddings/overrides/isolates and marks (U+202A-202E, U+2066-2069, U+200E/F, U+061C),
  invisible characters (U+200B, U+2060, U+FEFF, U+180E, tag characters U+E0000-E007F) and
  lone surrogates are removed; tabs, line breaks and U+2028/2029 collapse with the spaces around
  them into one space. ZWJ/ZWNJ (U+200D/200C) stay only between two non-ASCII characters, where
  scripts such as Persian, Devanagari and emoji sequences need them; elsewhere they only hide.
- Lengths are capped (``LIMITS``; see there). A title or author list that had to be cut is
  marked in ``Work.cut``, which the matcher and the diff read as "propose nothing
  for this field" (Scholar truncates the same way).
- Identifiers are checked by syntax (``normalize.identifiers``): DOI, arXiv (old and new), DBLP
  key and person id, ORCID iD with its checksum, GitHub, Scholar, ORCID put-code. URLs must be
  http(s). A value that fails is **dropped** (set to None), never proposed, and a line in the
  snapshot's ``notes`` says what was dropped and from which work; the reports show those notes
  with the source. The note shows at most a short, cleaned prefix of the bad value.

The function is idempotent and leaves clean data byte for byte unchanged, so running it again
on a saved snapshot changes nothing and adds no note.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from profilesync.model import Author, Cites, ExternalIds, Person, PersonIds, Snapshot, Work
from profilesync.normalize.identifiers import (
    arxiv_ok,
    dblp_key_ok,
    dblp_pid_ok,
    doi_ok,
    github_ok,
    orcid_ok,
    put_code_ok,
    scholar_ok,
    web_url_ok,
)


@dataclass(frozen=True)
class Limits:
    """Caps on what one source may hand over, in characters (or entries).

    Chosen well above real data: the longest titles in DBLP run to about 400 characters, venue
    names to about 250, and the largest author lists (ATLAS/CMS papers) to about 3,000 names.
    """

    title: int = 1000
    venue: int = 500
    venue_acronym: int = 100
    author_name: int = 300
    authors: int = 5000
    pages: int = 50  # "1234--1250", "e0123456", "12:1--12:25": a page value is short
    source_ref: int = 500
    person_name: int = 300
    aliases: int = 100
    affiliation: int = 500
    text: int = 10_000  # any other string (in ``extra``, a note)
    notes: int = 50  # notes about dropped values per snapshot, then one summary line


LIMITS = Limits()

# Terminal control sequences, removed whole so no payload ("]52;c;<base64>") is left behind.
_ESCAPES = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]?            # CSI: colours, cursor moves, erase line
    | \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC: window title, hyperlinks, clipboard
    | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?        # DCS, SOS, PM, APC strings
    | \x1b[ -/]*[0-~]?                    # any other escape
    | \x9b[0-?]*[ -/]*[@-~]?              # 8-bit CSI
    | [\x9d\x90\x98\x9e\x9f][^\x07\x9c\x1b]*(?:\x07|\x9c)?   # 8-bit OSC/DCS/SOS/PM/APC
    """,
    re.VERBOSE,
)
# Line breaks and tabs (with the spaces around them) become one space.
_BREAKS = re.compile(r"[ ]*[\t\n\r\v\f\x85\u2028\u2029]+[\t\n\r\v\f\x85\u2028\u2029 ]*")
# Everything else that is invisible or rewrites how the line is shown.
_REMOVE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f"  # C0 (the whitespace ones are handled above), DEL, C1
    "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"  # bidi embeddings, overrides, isolates, marks
    "\u200b\u2060\u2061-\u2064\ufeff\u180e"  # zero-width space, word joiner, invisible operators, BOM
    "\U000e0000-\U000e007f"  # tag characters (invisible text)
    "\ud800-\udfff]"  # lone surrogates (cannot even be written as UTF-8)
)
_JOINERS = re.compile("[\u200c\u200d]")


def _joiner(match: re.Match[str]) -> str:
    text, i = match.string, match.start()
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    keep = before and after and not before.isascii() and not after.isascii() and not before.isspace() and not after.isspace()
    return match.group() if keep else ""


def clean_text(text: str) -> str:
    """``text`` without control sequences, control characters, bidi controls or hidden characters
    (see the module docstring), line breaks folded into spaces, stripped. Idempotent."""
    if not isinstance(text, str):  # shapes are the connectors' job; the boundary must not crash on one
        text = str(text)
    if text.isascii() and text.isprintable():
        return text.strip() if text[:1] == " " or text[-1:] == " " else text
    out = _ESCAPES.sub("", text)
    out = _BREAKS.sub(" ", out)
    out = _REMOVE.sub("", out)
    if "\u200c" in out or "\u200d" in out:
        out = _JOINERS.sub(_joiner, out)
    return out.strip()


def _shown(value: Any) -> str:
    """A bad value as a note may show it: cleaned, short, quoted, and with every character that
    means something to HTML, Markdown or a template percent-encoded, so the note is inert even in
    an output that forgot to escape it."""
    text = clean_text(str(value))
    text = text[:60] + "…" if len(text) > 60 else text
    return '"' + _NOTE_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", text) + '"'


_NOTE_UNSAFE = re.compile(r"[<>\"'`{}|\\\[\]%]")


class _Label:
    """How notes name a work: its title, cleaned and shown inert, or its record reference."""

    def __init__(self, work: Work) -> None:
        self._work = work

    def __str__(self) -> str:
        work = self._work
        return _shown(_capped(clean_text(work.title), 80)[0]) if work.title else (work.source_ref or "a work without a title")


class _Notes:
    """Collects what the boundary dropped or cut, as lines for ``Snapshot.notes``."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []
        self.more = 0

    def add(self, line: str) -> None:
        if line in self.lines:
            return
        if len(self.lines) < LIMITS.notes:
            self.lines.append(line)
        else:
            self.more += 1

    def result(self) -> tuple[str, ...]:
        if self.more:
            return (*self.lines, f"and {self.more} more values dropped or cut the same way")
        return tuple(self.lines)


def _capped(text: str, limit: int) -> tuple[str, bool]:
    if len(text) <= limit:
        return text, False
    return text[: limit - 1].rstrip() + "…", True


def _clean_any(value: Any) -> Any:
    """Clean every string inside plain JSON-like data (``extra``); other values pass unchanged."""
    if isinstance(value, str):
        return _capped(clean_text(value), LIMITS.text)[0]
    if isinstance(value, Mapping):
        return {(clean_text(k) if isinstance(k, str) else k): _clean_any(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_clean_any(v) for v in value)
    return value


_WORK_ID_CHECKS: dict[str, tuple[Callable[[str | None], bool], str]] = {
    "doi": (doi_ok, "not a DOI (10.NNNN/suffix without spaces, quotes, angle brackets, braces, pipes, backslashes, carets or backticks)"),
    "arxiv": (arxiv_ok, "not an arXiv id (2305.05920 or hep-th/9901001)"),
    "dblp": (dblp_key_ok, "not a DBLP record key"),
    "orcid_put_code": (put_code_ok, "not an ORCID put-code"),
    "scholar": (scholar_ok, "not a Scholar id"),
    "github": (github_ok, "not a GitHub owner/repository"),
    "url": (web_url_ok, "not an http(s) URL"),
}


def sanitize_work(work: Work, notes: _Notes) -> Work:
    """``work`` with its text cleaned and capped and every invalid identifier or URL dropped."""
    label = _Label(work)  # worded only if a note needs it: most works need none
    changes: dict[str, Any] = {}
    shortened: set[str] = set()  # fields cut to their limit: Work.cut, so they propose nothing

    title, cut = _capped(clean_text(work.title), LIMITS.title)
    if cut:
        shortened.add("title")
        notes.add(f"title of {label} cut to {LIMITS.title} characters; not proposed")
    if title != work.title:
        changes["title"] = title

    for name, limit in (("venue", LIMITS.venue), ("venue_acronym", LIMITS.venue_acronym), ("source_ref", LIMITS.source_ref)):
        value = getattr(work, name)
        if value is None:
            continue
        cleaned, cut = _capped(clean_text(str(value)), limit)
        if cut:
            notes.add(f"{name.replace('_', ' ')} of {label} cut to {limit} characters")
        if cleaned != value:
            changes[name] = cleaned or None

    if work.pages is not None:
        pages = clean_text(work.pages)
        if len(pages) > LIMITS.pages:
            notes.add(f"dropped pages {_shown(pages)} of {label}: longer than {LIMITS.pages} characters")
            changes["pages"] = None
        elif pages != work.pages:
            changes["pages"] = pages or None

    authors = []
    authors_changed = False
    for author in work.authors[: LIMITS.authors]:
        name, _ = _capped(clean_text(author.name), LIMITS.author_name)
        orcid = author.orcid
        if orcid is not None and not orcid_ok(orcid):
            notes.add(f"dropped author ORCID iD {_shown(orcid)} of {label}: not a valid iD (format or check digit)")
            orcid = None
        pid = author.pid
        if pid is not None and not dblp_pid_ok(pid):
            notes.add(f"dropped DBLP person id {_shown(pid)} of {label}")
            pid = None
        if (name, orcid, pid) != (author.name, author.orcid, author.pid):
            authors_changed = True
            author = Author(name=name, orcid=orcid, pid=pid)
        authors.append(author)
    if len(work.authors) > LIMITS.authors:
        authors_changed = True
        shortened.add("authors")
        notes.add(f"author list of {label} cut to the first {LIMITS.authors} of {len(work.authors)}; not proposed")
    if authors_changed:
        changes["authors"] = tuple(authors)

    ids = {}
    ids_changed = False
    for kind, value in work.ids.items():
        check, why = _WORK_ID_CHECKS[kind]
        if check(value):
            ids[kind] = value
        else:
            ids_changed = True
            notes.add(f"dropped {kind} {_shown(value)} of {label}: {why}")
    if ids_changed:
        changes["ids"] = ExternalIds(**ids)

    if work.url is not None and not web_url_ok(work.url):
        notes.add(f"dropped url {_shown(work.url)} of {label}: not an http(s) URL")
        changes["url"] = None

    if shortened - work.cut:
        changes["cut"] = work.cut | shortened
    if work.description is not None:
        description = _capped(clean_text(work.description), LIMITS.text)[0]
        if description != work.description:
            changes["description"] = description or None
    if work.cites:
        cites = _sanitize_cites(work.cites, label, notes)
        if cites != work.cites:
            changes["cites"] = cites
    extra = _clean_any(dict(work.extra)) if work.extra else {}
    if extra != dict(work.extra):
        changes["extra"] = extra
    return work.with_(**changes) if changes else work


def _sanitize_cites(cites: Cites, label: _Label, notes: _Notes) -> Cites:
    """The paper a repository cites, held to the same rules as a work's own values: its DOI or
    arXiv id links it to a CV paper, so an invalid one is dropped with a note."""
    changes: dict[str, Any] = {}
    for name, limit in (("title", LIMITS.title), ("venue", LIMITS.venue)):
        value = getattr(cites, name)
        if value is not None:
            cleaned = _capped(clean_text(value), limit)[0]
            if cleaned != value:
                changes[name] = cleaned or None
    authors = tuple(a for a in (_capped(clean_text(x), LIMITS.author_name)[0] for x in cites.authors[: LIMITS.authors]) if a)
    if authors != cites.authors:
        changes["authors"] = authors
    for kind in ("doi", "arxiv"):
        value = getattr(cites, kind)
        check, why = _WORK_ID_CHECKS[kind]
        if value is not None and not check(value):
            notes.add(f"dropped the cited {kind} {_shown(value)} of {label}: {why}")
            changes[kind] = None
    return replace(cites, **changes) if changes else cites


def sanitize_person(person: Person, notes: _Notes) -> Person:
    changes: dict[str, Any] = {}
    name, cut = _capped(clean_text(person.name), LIMITS.person_name)
    if cut:
        notes.add(f"profile name cut to {LIMITS.person_name} characters")
    if name != person.name:
        changes["name"] = name
    aliases = tuple(a for a in (_capped(clean_text(x), LIMITS.person_name)[0] for x in person.aliases[: LIMITS.aliases]) if a)
    if aliases != person.aliases:
        changes["aliases"] = aliases
    if person.affiliation is not None:
        affiliation = _capped(clean_text(person.affiliation), LIMITS.affiliation)[0]
        if affiliation != person.affiliation:
            changes["affiliation"] = affiliation or None
    if person.homepage is not None and not web_url_ok(person.homepage):
        notes.add(f"dropped profile homepage {_shown(person.homepage)}: not an http(s) URL")
        changes["homepage"] = None
    checks: dict[str, Callable[[str | None], bool]] = {"orcid": orcid_ok, "dblp": dblp_pid_ok, "scholar": scholar_ok, "github": github_ok}
    kept = {}
    for kind, check in checks.items():
        value = getattr(person.ids, kind)
        if value is None or check(value):
            kept[kind] = value
        else:
            notes.add(f"dropped profile {kind} id {_shown(value)}: not a valid {kind} id")
    if kept != {k: getattr(person.ids, k) for k in checks}:
        changes["ids"] = PersonIds(**kept)
    if person.extra:
        extra = _clean_any(dict(person.extra))
        extra = _drop_bad_urls(extra, notes)
        if extra != dict(person.extra):
            changes["extra"] = extra
    return replace(person, **changes) if changes else person


def _drop_bad_urls(extra: dict[str, Any], notes: _Notes) -> dict[str, Any]:
    """Profile links keep only http(s) URLs: ORCID's researcher URLs (``extra["urls"]``, a list
    of {"name", "url"}) and DBLP's person links (``extra["links"]``, a list of strings)."""
    for key in ("urls", "links"):
        items = extra.get(key)
        if not isinstance(items, list):
            continue
        kept = []
        for item in items:
            url = item.get("url") if isinstance(item, Mapping) else item
            if isinstance(url, str) and not web_url_ok(url):
                notes.add(f"dropped profile link {_shown(url)}: not an http(s) URL")
                continue
            kept.append(item)
        if len(kept) != len(items):
            extra = {**extra, key: kept}
    return extra


def sanitize_snapshot(snapshot: Snapshot) -> Snapshot:
    """``snapshot`` with every value checked (module docstring); notes say what was dropped."""
    notes = _Notes(snapshot.source)
    works = tuple(sanitize_work(w, notes) for w in snapshot.works)
    person = sanitize_person(snapshot.person, notes) if snapshot.person is not None else None
    own_notes = tuple(n for n in (_capped(clean_text(str(x)), LIMITS.text)[0] for x in snapshot.notes) if n)
    extra = _clean_any(dict(snapshot.extra)) if snapshot.extra else {}
    added = tuple(n for n in notes.result() if n not in own_notes)
    changed = (
        added
        or own_notes != snapshot.notes
        or person is not snapshot.person
        or any(a is not b for a, b in zip(works, snapshot.works, strict=True))
        or extra != dict(snapshot.extra)
    )
    if not changed:
        return snapshot
    return replace(snapshot, works=works, person=person, notes=(*own_notes, *added), extra=extra)


def is_clean(text: str) -> bool:
    """True when ``clean_text`` would leave ``text`` as it is (for tests and assertions)."""
    return clean_text(text) == text and all(unicodedata.category(c) != "Cc" for c in text)
