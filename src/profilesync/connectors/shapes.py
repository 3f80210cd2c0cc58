"""Type and shape checks for what a source sends (JSON values, XML text that must be a number).

A source is hostile until checked: ``"topics": 5``, a title that is a number, or an object where a
list belongs would otherwise reach code that assumes the documented shape and end in a
traceback. Connectors read through these helpers, which raise ``ShapeError`` naming the place
(``group[3].work-summary[0].title``) and what was there instead. ``HttpClient.parse`` turns it
into a ``SourceFormatError`` for the response's URL and drops the response from the HTTP cache.

Only types and shapes are checked here; what a text *says* (control characters, identifier
syntax, URL schemes) is checked where a connector hands over a ``Work``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


class FormatProblem(ValueError):
    """A document that decoded but is not what the source documents; ``str()`` says what and where."""


class ShapeError(FormatProblem):
    """A value of the wrong type at ``where`` (a path inside the document)."""

    def __init__(self, where: str, expected: str, got: Any):
        self.where = where
        self.expected = expected
        super().__init__(f"{where or 'the document'} should be {expected} but is {describe(got)}")


def describe(value: Any) -> str:
    """A short, safe description of a JSON value for an error message (never its full text)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        text = repr(value)
        return f"the number {text if len(text) <= 20 else text[:17] + '...'}"
    if isinstance(value, str):
        # ascii(): a source's text may hold terminal escapes; never echo it raw.
        shown = ascii(value[:24])[1:-1]
        return f"the text '{shown}{'...' if len(value) > 24 else ''}'"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


def at(where: str, key: str | int) -> str:
    """``at("group[2]", "title")`` -> ``group[2].title``; ``at("bulk", 3)`` -> ``bulk[3]``."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def obj(value: Any, where: str, *, required: bool = False) -> Mapping[str, Any] | None:
    """An object, or None for null/missing (unless ``required``)."""
    if value is None and not required:
        return None
    if not isinstance(value, Mapping):
        raise ShapeError(where, "an object", value)
    return value


def array(value: Any, where: str, *, single_ok: bool = False) -> list[Any]:
    """A list; null/missing is the empty list. ``single_ok``: one object stands for a list of one
    (ORCID serialisers do this)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if single_ok and isinstance(value, Mapping):
        return [value]
    raise ShapeError(where, "a list", value)


def text(value: Any, where: str) -> str | None:
    """A string, stripped; None for null, missing or blank. A number or an object is an error."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ShapeError(where, "text", value)
    return value.strip() or None


def text_or_number(value: Any, where: str) -> str | None:
    """A string, or a number a serialiser left unquoted (a year, a put-code): its digits as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(value, where)


def integer(value: Any, where: str) -> int | None:
    """A JSON integer, or None for null/missing."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ShapeError(where, "a whole number", value)
    return value


def flag(value: Any, where: str) -> bool | None:
    """A JSON boolean, or None for null/missing."""
    if value is None:
        return None
    if not isinstance(value, bool):
        raise ShapeError(where, "true or false", value)
    return value


def texts(value: Any, where: str) -> list[str]:
    """A list of strings (GitHub topics); null/missing is the empty list."""
    out = []
    for i, item in enumerate(array(value, where)):
        got = text(item, at(where, i))
        if got is not None:
            out.append(got)
    return out


@dataclass(frozen=True)
class Node:
    """A JSON value and where it sits in the document, for reading nested answers (ORCID's
    ``{"name": {"given-names": {"value": ...}}}``) with every level checked on the way down.

    ``node["key"]`` goes one level down: null or a missing key stays null (sources omit what is
    unknown), but a level that is not an object is a ``ShapeError``.
    """

    value: Any
    where: str = ""

    def __getitem__(self, key: str) -> Node:
        here = at(self.where, key)
        if self.value is None:
            return Node(None, here)
        if not isinstance(self.value, Mapping):
            raise ShapeError(self.where, "an object", self.value)
        return Node(self.value.get(key), here)

    def dig(self, *keys: str) -> Node:
        node = self
        for key in keys:
            node = node[key]
        return node

    @property
    def is_null(self) -> bool:
        return self.value is None

    def object(self) -> Mapping[str, Any] | None:
        return obj(self.value, self.where)

    def text(self) -> str | None:
        return text(self.value, self.where)

    def wrapped(self) -> str | None:
        """The text of a ``{"value": "..."}`` wrapper (or of a bare string); None when null."""
        if isinstance(self.value, Mapping):
            return self["value"].text()
        return self.text()

    def wrapped_number(self) -> str | None:
        """Like ``wrapped``, also accepting an unquoted number (a year, a put-code)."""
        node = self["value"] if isinstance(self.value, Mapping) else self
        return text_or_number(node.value, node.where)

    def items(self, *, single_ok: bool = True) -> Iterator[Node]:
        """The entries of a list (one object counts as a list of one; null is empty); null
        entries are skipped."""
        for i, item in enumerate(array(self.value, self.where, single_ok=single_ok)):
            if item is not None:
                yield Node(item, at(self.where, i))

    def objects(self, *, single_ok: bool = True) -> Iterator[Node]:
        """The entries of a list of objects; an entry of another type is a ``ShapeError``."""
        for node in self.items(single_ok=single_ok):
            node.object()
            yield node
