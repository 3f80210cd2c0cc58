"""profilesync's own ``cv.yaml``, edited with ruamel.yaml's round-trip mode.

ruamel keeps comments, order and quoting; the file's indentation style and null spelling are read
from the file so ruamel's dump looks like it, and ``SplicedDocument`` splices only the edited lines
into the original text. The helpers here (``insert_ordered``, ``like``, ``plain``) are shared with
RenderCV, which is YAML too.
"""

from __future__ import annotations

import io
import re
from abc import abstractmethod
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from profilesync.config import CvFormat
from profilesync.cv.formats.base import CvDocument, SplicedDocument, insertion_index
from profilesync.cv.record import CvRecord
from profilesync.errors import Problem, UserError
from profilesync.yamlio import limit_loader

# The order fields take in a new or extended publication entry (and the CV schema's order).
FIELD_ORDER: tuple[str, ...] = ("key", "title", "authors", "venue", "venue_full", "year", "type", "status", "pages", "url", "code", "ids", "lock")
ID_ORDER: tuple[str, ...] = ("doi", "arxiv", "dblp", "orcid_put_code", "scholar")


def plain(value: Any) -> Any:
    """ruamel's commented containers and scalar subclasses as plain dicts, lists, str and int."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def detect_indent(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) for ruamel, read from the file so that a dump of it looks like it.

    Every block ``key:`` line is compared with the next content line: a nested ``key:`` gives a
    mapping indent, a ``- item`` gives the dash offset (how far the dash is indented under its
    key, 0 in PyYAML's default style, 2 in ruamel's usual one) and the sequence indent (where
    the item's content starts). The most common value of each wins, so one odd list does not
    re-indent the file. ruamel applies one style to the whole dump; a file that mixes styles
    still keeps its untouched lines, because ``cv.formats.textpatch`` splices only the edited ones.
    """
    lines = text.splitlines()
    mappings: Counter[int] = Counter()
    sequences: Counter[tuple[int, int]] = Counter()
    for index, line in enumerate(lines):
        key = _BLOCK_KEY.match(line)
        if not key:
            continue
        # The key's column: after any "- " prefix of a mapping that starts a list item.
        column = len(key.group(1))
        for following in lines[index + 1 :]:
            stripped = following.lstrip(" ")
            if not stripped or stripped.startswith("#"):
                continue
            indent = len(following) - len(stripped)
            if stripped.startswith("- ") or stripped == "-":
                if indent >= column:
                    content = indent + 1 + (len(stripped[1:]) - len(stripped[1:].lstrip(" ")))
                    sequences[(content - column, indent - column)] += _block_size(lines, index, column)
            elif indent > column:
                mappings[indent - column] += 1
            break
    mapping = mappings.most_common(1)[0][0] if mappings else 2
    sequence, offset = sequences.most_common(1)[0][0] if sequences else (mapping + 2, mapping)
    return mapping, max(sequence, offset + 2), offset


def _block_size(lines: list[str], index: int, column: int) -> int:
    """How many lines the block list opened by the key on ``lines[index]`` (at ``column``) spans."""
    size = 0
    for line in lines[index + 1 :]:
        stripped = line.lstrip(" ")
        if stripped and not stripped.startswith("#"):
            indent = len(line) - len(stripped)
            if indent < column or (indent == column and not stripped.startswith("-")):
                break
        size += 1
    return size


# A block mapping key that opens a nested block (nothing but a comment after the colon); group 1
# is everything before the key's first character (indentation and "- " list-item prefixes).
_BLOCK_KEY = re.compile(r"^((?:\s*-\s+)*\s*)(?:[A-Za-z_][\w\-]*|\"[^\"]*\"|'[^']*'):\s*(#.*)?$")


def _rt_yaml(text: str):
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long title the user wrote on one line
    limit_loader(yaml)  # the same alias/depth limits as every other YAML read (yamlio)
    mapping, sequence, offset = detect_indent(text)
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    null = _null_spelling(text)
    if null:
        # ruamel writes a block-style null as nothing ("doi:"); a file that spells it out keeps it.
        yaml.Representer = _null_representer(null)
    return yaml


@lru_cache(maxsize=2)
def _null_representer(spelling: str) -> type:
    """A round-trip representer writing None as ``spelling``. A subclass, because
    ``add_representer`` changes the class it is called on for every later dump."""
    from ruamel.yaml.representer import RoundTripRepresenter

    class Representer(RoundTripRepresenter):
        pass

    Representer.add_representer(type(None), lambda rep, _data: rep.represent_scalar("tag:yaml.org,2002:null", spelling))
    return Representer


def _null_spelling(text: str) -> str | None:
    """``null`` or ``~`` when the file writes its null values that way (PyYAML writes ``null``), else None."""
    counts = Counter(match.group(1) for match in re.finditer(r"(?m):[ \t]+(null|~)[ \t]*(?:#.*)?$", text))
    return counts.most_common(1)[0][0] if counts else None


def _safe_load(text: str) -> Any:
    """Plain data from YAML text; ruamel's C loader (ruamel.yaml.clib) when installed: a
    1,000-entry CV loads in a fraction of a second instead of seconds."""
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(text)


def insert_ordered(mapping: Any, field: str, value: Any, order: tuple[str, ...] = FIELD_ORDER) -> None:
    """Set ``mapping[field]``; a new field goes after the last field that precedes it in ``order``."""
    if field in mapping:
        mapping[field] = value
        return
    if field in order:
        rank = order.index(field)
        position = 0
        for index, existing in enumerate(mapping):
            if existing in order and order.index(existing) < rank:
                position = index + 1
        if position < len(mapping):
            mapping.insert(position, field, value)
            return
    mapping[field] = value


def like(old: Any, new: Any) -> Any:
    """``new`` written the way ``old`` was: same quoting for strings, same flow style for lists."""
    from ruamel.yaml.comments import CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(new, str) and isinstance(old, (DoubleQuotedScalarString, SingleQuotedScalarString)):
        return type(old)(new)
    if isinstance(new, list) and isinstance(old, CommentedSeq):
        # Edit the list in place so comments on unchanged items stay where they are.
        while len(old) > len(new):
            old.pop()
        for index, item in enumerate(new):
            if index < len(old):
                if old[index] != item:
                    old[index] = like(old[index], item)
            else:
                old.append(item)
        return old
    return new


class RoundTripYamlDocument(SplicedDocument):
    """A YAML file edited with ruamel.yaml's round-trip mode (profilesync's ``cv.yaml``, RenderCV).

    Subclasses say where the publications are (``_entries``) and create what edits need
    (``_prepare``). ``data`` (a plain load of ``text`` that ``render`` already made) spares
    ``reopen`` a second parse of the text it is about to check.
    """

    def __init__(self, path: Path, text: str, label: str | None = None, *, person_name: str | None = None, aliases: tuple[str, ...] = (), data: Any = None):
        super().__init__(path, text, label, person_name=person_name, aliases=aliases)
        self._yaml = _rt_yaml(text)
        self._before: str | None = None  # the unedited document as ruamel writes it
        self._checked: tuple[str, Any] | None = None  # (text, its plain load) from render()
        try:
            self.data = self._yaml.load(text) if data is None else data
        except Exception as exc:  # the reader validated the file already; this is a safety net
            raise UserError([Problem(self.label, None, f"cannot be edited: {exc}", "run `profilesync validate`")]) from None
        if not isinstance(self.data, Mapping):
            raise UserError([Problem(self.label, None, "expected a mapping at the top level", "run `profilesync validate`")])
        self._prepare()
        self._remember_initial()

    def _touch(self) -> None:
        if self._before is None:
            self._before = self._dump(self.data)  # before the first edit: the baseline of the splice
        super()._touch()

    def reopen(self, text: str) -> CvDocument:
        return type(self)(self.path, text, self.label, person_name=self.person_name, aliases=self.aliases, data=self._loaded(text))

    def _loaded(self, text: str) -> Any:
        """The plain load of ``text`` that ``render()`` made to verify it, else None."""
        if self._checked is not None and self._checked[0] == text:
            return self._checked[1]
        return None

    def _style_of(self, field: str) -> bool:
        """True when most existing entries write ``field`` in flow style (``[a, b]`` / ``{k: v}``)."""
        flows = [e[field].fa.flow_style() for e in self._entries() if hasattr(e.get(field), "fa")]
        return bool(flows) and sum(1 for f in flows if f) * 2 >= len(flows)

    def _styled(self, field: str, value: Any) -> Any:
        if isinstance(value, list):
            from ruamel.yaml.comments import CommentedSeq

            seq = CommentedSeq(value)
            if self._style_of(field):
                seq.fa.set_flow_style()
            else:
                seq.fa.set_block_style()
            return seq
        return value

    @staticmethod
    def _new_map(flow: bool) -> Any:
        from ruamel.yaml.comments import CommentedMap

        mapping = CommentedMap()
        if flow:
            mapping.fa.set_flow_style()
        else:
            mapping.fa.set_block_style()
        return mapping

    def _dump(self, data: Any) -> str:
        stream = io.StringIO()
        self._yaml.dump(data, stream)
        return stream.getvalue()

    def _unedited_dump(self) -> str:
        return self._before if self._before is not None else self._dump(self._yaml.load(self.original_text))

    def _parse(self, text: str) -> Any:
        return _safe_load(text)

    def _spliced(self, text: str, parsed: Any) -> None:
        self._checked = (text, parsed)

    @abstractmethod
    def _prepare(self) -> None:
        """Called once the file is loaded, before the initial keys are taken."""

    @abstractmethod
    def _entries(self) -> Any:
        """The publication entries (ruamel's commented maps) in file order."""


class YamlCvDocument(RoundTripYamlDocument):
    """profilesync's ``cv.yaml``: publications under ``publications:``, the person and the ignore
    list in the file."""

    format = CvFormat.PROFILESYNC

    @classmethod
    def load_record(cls, path: Path, label: str | None = None, *, person_name: str | None = None, aliases: tuple[str, ...] = ()) -> CvRecord:
        """profilesync's own format is read straight into the record by ``cv.record.load_cv``:
        its errors name the line and column (``yamlio``), and the duplicate-key checks cover
        ``software`` too."""
        from profilesync.cv.record import load_cv

        return load_cv(path, label)

    def _prepare(self) -> None:
        """Make sure the structure the edits need exists (an empty ``publications:`` list)."""
        if self.data.get("publications") is None:
            from ruamel.yaml.comments import CommentedSeq

            self.data["publications"] = CommentedSeq()

    def _entries(self) -> Any:
        return self.data["publications"]

    def _entry(self, key: str) -> Any:
        """The first entry with ``key``. A push edits thousands of entries of a long CV: a key
        index, rebuilt when the list is another or has grown, or an indexed entry's key was edited,
        keeps each lookup from scanning the list."""
        entries = self._entries()
        cached = getattr(self, "_by_key", None)
        if cached is None or cached[0] is not entries or cached[1] != len(entries):
            cached = self._index_entries(entries)
        entry = cached[2].get(key)
        if entry is None or entry.get("key") != key:
            entry = self._index_entries(entries)[2].get(key)
        if entry is None:
            raise KeyError(key)
        return entry

    def _index_entries(self, entries: Any) -> tuple[Any, int, dict[Any, Any]]:
        index: dict[Any, Any] = {}
        for entry in entries:
            index.setdefault(entry.get("key"), entry)
        self._by_key = (entries, len(entries), index)
        return self._by_key

    def publications(self) -> list[dict[str, Any]]:
        return [plain(e) for e in self._entries()]

    def find(self, key: str) -> dict[str, Any]:
        return plain(self._entry(key))

    def update_publication(self, key: str, updates: Mapping[str, Any]) -> None:
        self._touch()
        entry = self._entry(key)
        for field, value in updates.items():
            if field == "ids":
                ids = entry.get("ids")
                if ids is None:
                    ids = self._new_map(self._style_of("ids"))
                    insert_ordered(entry, "ids", ids)
                for name, id_value in value.items():
                    insert_ordered(ids, name, like(ids.get(name), id_value), ID_ORDER)
            else:
                insert_ordered(entry, field, like(entry[field], value) if field in entry else self._styled(field, value))

    def add_publication(self, entry: Mapping[str, Any]) -> None:
        self._touch()
        new = self._new_map(False)
        for field in sorted(entry, key=lambda f: FIELD_ORDER.index(f) if f in FIELD_ORDER else len(FIELD_ORDER)):
            value = entry[field]
            if field == "ids":
                ids = self._new_map(self._style_of("ids"))
                for name in sorted(value, key=lambda n: ID_ORDER.index(n) if n in ID_ORDER else len(ID_ORDER)):
                    ids[name] = value[name]
                value = ids
            else:
                value = self._styled(field, value)
            new[field] = value
        entries = self._entries()
        entries.insert(insertion_index([e.get("year") for e in entries], entry.get("year")), new)

    def update_person(self, field: str, value: Any) -> str | None:
        self._touch()
        person = self.data["person"]
        insert_ordered(person, field, like(person.get(field), value), ("name", "aliases", "ids", "homepage", "affiliation"))
        return None

    def ignore_rules(self) -> list[dict[str, Any]]:
        return [plain(r) for r in self.data.get("ignore") or ()]

    def add_ignore(self, rule: Mapping[str, Any]) -> str | None:
        self._touch()
        from ruamel.yaml.comments import CommentedSeq

        rules = self.data.get("ignore")
        if rules is None:
            rules = CommentedSeq()
            self.data["ignore"] = rules
        if not rules:
            rules.fa.set_block_style()  # "ignore: []" becomes a block list, one rule per item
        item = self._new_map(False)
        item.update(rule)
        rules.append(item)
        return None

    def to_data(self) -> dict[str, Any]:
        return plain(self.data)
