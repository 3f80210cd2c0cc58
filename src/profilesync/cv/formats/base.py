"""An editable CV file: publications in profilesync's vocabulary, and the file's text.

``push.cv_apply.apply_changes`` edits a ``CvDocument`` through a handful of methods that speak the
CV schema's field names (title, authors, venue, ids.doi, ...). Each format (``cv.formats.yaml``,
``bibtex``, ``rendercv``, ``jsonresume``) maps those onto its own file and keeps whatever
profilesync does not manage: comments, order, quoting, unknown fields and entries.

Every format is read and written through this one interface: ``open`` reads the file (bounded,
with the same error messages for every format), ``load_record`` turns it into the validated
``CvRecord`` the diff sees, ``render`` gives the edited text, and ``cv.writer.save_document``
is the one place that writes it. Formats edited as a parsed tree and written by a serialiser
(YAML, RenderCV, JSON Resume) share ``SplicedDocument``'s render: the serialiser's edit is spliced
into the original text (``cv.formats.textpatch``), so untouched lines stay byte-identical.

This module imports no format: the registry (``cv.formats``) names them, so formats depend on
the base and never the other way round.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from profilesync.config import CvFormat
from profilesync.cv.formats.textpatch import patch_text
from profilesync.cv.record import CvRecord, record_from_data
from profilesync.errors import Problem, UserError
from profilesync.yamlio import check_size


class CvDocument(ABC):
    """One CV file opened for editing. Methods raise ``KeyError`` for an unknown publication key.

    ``person_name`` and ``aliases`` come from the config: formats that do not store the person
    (BibTeX) or store only a display name use them to read and to mark the researcher's own
    name; profilesync's YAML keeps its person in the file and ignores them.
    """

    format: ClassVar[CvFormat]
    # False for formats whose entries have no key of their own (RenderCV, JSON Resume): their
    # keys are derived from title, first author and year, so an edit may change them.
    stable_keys: ClassVar[bool] = True

    def __init__(self, path: Path, text: str, label: str | None = None, *, person_name: str | None = None, aliases: tuple[str, ...] = ()):
        self.path = path
        self.original_text = text
        self.label = label or path.name
        self.person_name = person_name
        self.aliases = aliases
        self._version = 0  # bumped by every edit; render() is cached per version
        self._rendered: tuple[int, str] | None = None
        self.initial_keys: list[Any] = []  # set by each format once the file is read

    # --- opening and reading ----------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, label: str | None = None, *, person_name: str | None = None, aliases: tuple[str, ...] = ()) -> CvDocument:
        """Read ``path`` and open it for editing. Raises ``UserError`` if it cannot be read."""
        name = label or path.name
        check_size(path, name)  # a 50 MB "CV" is refused before it is read (yamlio.YamlLimits)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UserError([Problem(name, None, "file not found", "check cv.path in config.yaml")]) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError([Problem(name, None, f"cannot read: {exc}", "save the file as UTF-8")]) from None
        return cls(path, text, name, person_name=person_name, aliases=aliases)

    @classmethod
    def load_record(cls, path: Path, label: str | None = None, *, person_name: str | None = None, aliases: tuple[str, ...] = ()) -> CvRecord:
        """Read the CV for the diff: the document's data, validated against ``cv.schema.json``
        like a ``cv.yaml``; a problem names the entry by its key, since a BibTeX or JSON file has
        no ``publications[3]``. Raises ``UserError`` naming the file and entry."""
        from profilesync.validation import check

        document = cls.open(path, label, person_name=person_name, aliases=aliases)
        name = document.label
        data = document.to_data()
        keys = [p.get("key") for p in data["publications"]]
        problems = [_by_key(p, keys) for p in check(data, "cv.schema.json", name)]
        dupes = sorted({str(k) for k in keys if keys.count(k) > 1})
        if dupes:
            problems.append(Problem(name, None, f"the key(s) {', '.join(dupes)} are used twice", "give each entry its own key"))
        if problems:
            raise UserError(problems)
        return document.record()

    def reopen(self, text: str) -> CvDocument:
        """The same kind of document read from ``text`` (used to check what will be written)."""
        return type(self)(self.path, text, self.label, person_name=self.person_name, aliases=self.aliases)

    def _remember_initial(self) -> None:
        self.initial_keys = [e.get("key") for e in self.publications()]

    @abstractmethod
    def publications(self) -> list[dict[str, Any]]:
        """The current publications as plain dicts in the CV schema's vocabulary."""

    @abstractmethod
    def to_data(self) -> dict[str, Any]:
        """The whole CV as plain data in the profilesync schema (for validation and reading)."""

    def record(self) -> CvRecord:
        return record_from_data(self.path, self.to_data())

    def find(self, key: str) -> dict[str, Any]:
        for entry in self.publications():
            if entry.get("key") == key:
                return entry
        raise KeyError(key)

    def ignore_rules(self) -> list[dict[str, Any]]:
        return []

    # --- editing ----------------------------------------------------------------------------------

    def _touch(self) -> None:
        """Called before every edit."""
        self._version += 1

    @abstractmethod
    def update_publication(self, key: str, updates: Mapping[str, Any]) -> None:
        """Set fields of the publication ``key``; an ``ids`` value is merged into the ids."""

    @abstractmethod
    def add_publication(self, entry: Mapping[str, Any]) -> None:
        """Add a new publication (a dict in the CV schema's vocabulary, with a fresh ``key``)."""

    def update_person(self, field: str, value: Any) -> str | None:
        """Set a person field; returns None, or why this format cannot hold it."""
        return f"a {self.format.value} CV has no place for the person's {field}"

    def add_ignore(self, rule: Mapping[str, Any]) -> str | None:
        """Append an ignore rule; returns None, or why this format cannot hold it."""
        return f"a {self.format.value} CV has no ignore list"

    # --- writing ----------------------------------------------------------------------------------

    def render(self) -> str:
        """The file's new text; unchanged parts are byte-identical to the original."""
        if self._rendered is None or self._rendered[0] != self._version:
            self._rendered = (self._version, self.original_text if self._version == 0 else self._render())
        return self._rendered[1]

    @abstractmethod
    def _render(self) -> str:
        """Serialise the edited document (see ``render``)."""


class SplicedDocument(CvDocument):
    """A format edited as a parsed tree (``self.data``) and written by a serialiser.

    Round-trip serialisers keep content but not every byte (ruamel re-indents lists, json
    re-spaces), so the text written is the original with only the serialiser's edited lines
    spliced in (``patch_text``). The splice must parse to exactly what the serialiser's own output
    parses to; otherwise that output is written instead, so a surprise in the splice can cost
    formatting, never content.
    """

    data: Any

    @abstractmethod
    def _dump(self, data: Any) -> str:
        """``data`` as the serialiser writes it."""

    @abstractmethod
    def _unedited_dump(self) -> str:
        """The unedited file as the serialiser writes it: the baseline of the splice."""

    @abstractmethod
    def _parse(self, text: str) -> Any:
        """``text`` as plain data, to compare the splice with the serialiser's output."""

    def _spliced(self, text: str, parsed: Any) -> None:
        """Called with the accepted splice and its parse (a format may keep it for ``reopen``)."""

    def _render(self) -> str:
        after = self._dump(self.data)
        patched = patch_text(self.original_text, self._unedited_dump(), after)
        try:
            parsed = self._parse(patched)
            same = parsed == self._parse(after)
        except Exception:  # the splice does not even parse: write the serialiser's output
            parsed, same = None, False
        if not same:
            return after
        self._spliced(patched, parsed)
        return patched


def insertion_index(years: list[Any], year: Any) -> int:
    """Where a new work goes: among works of its year when the list runs newest-first; else last."""
    known = [y for y in years if isinstance(y, int)]
    descending = len(known) >= 2 and all(a >= b for a, b in zip(known, known[1:], strict=False))
    if not descending or not isinstance(year, int):
        return len(years)
    for index, existing in enumerate(years):
        if isinstance(existing, int) and existing < year:
            return index
    return len(years)


def _by_key(problem: Problem, keys: list[object]) -> Problem:
    """``publications[3].ids.doi`` -> ``entry zhang2023auncel: ids.doi``."""
    match = re.match(r"publications\[(\d+)\]\.?(.*)", problem.where or "")
    if not match or int(match.group(1)) >= len(keys):
        return problem
    return Problem(problem.file, f"entry {keys[int(match.group(1))]}" + (f": {match.group(2)}" if match.group(2) else ""), problem.what, problem.fix)
