"""Reading YAML files the user wrote, with errors that point at the line.

ruamel.yaml is used for both reading and (in ``cv.formats.yaml``) round-trip writing, so the parser
that checks a file is the one that will later rewrite it. Duplicate keys are an error, not a
silent "last one wins".

Every load is bounded (``YamlLimits``), because what is cheap to write can be ruinous to walk:

- **size**: a file over ``max_bytes`` (2 MB) is refused before it is read. Reading is linear: a
  plain-data CV is scanned by libyaml (about 1 s per MB here, see ``_load_with_c_events``), one
  with anchors, tags or block scalars by the pure-Python reader (about 7 s per MB); a push that
  writes parses it round-trip as well (about 15 s per MB; benchmarks/scale.py). A real CV is far
  below the limit (1,000 publications is about 190-250 kB, 10,000 about 1.9 MB; the most prolific
  computer scientists have under 2,000); a 50 MB "CV" is a mistake or an attack.
  ``PROFILESYNC_MAX_YAML_MB`` raises the limit.
- **aliases**: ``*name`` makes a reference, not a copy, so a few hundred bytes of nested aliases
  ("billion laughs") load instantly and then cost 10^9 steps in every later walk (validation,
  the writer, the exporters). Both the number of aliases and the size of what they expand to are
  capped, and an alias to a node that is still being built (a cycle) is refused.
- **depth**: nesting deeper than ``max_depth`` (a CV needs about 6) is refused before Python's
  recursion limit turns it into a traceback.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from profilesync.errors import Problem, UserError

MAX_MB_VARIABLE = "PROFILESYNC_MAX_YAML_MB"


@dataclass(frozen=True)
class YamlLimits:
    max_bytes: int = 2 * 1024 * 1024
    max_aliases: int = 100  # a CV may reuse an author list or a block with `<<: *base`; not more
    max_alias_expansion: int = 100_000  # nodes + scalar characters that all aliases together stand for
    max_depth: int = 64


def default_limits(environ: dict[str, str] | None = None) -> YamlLimits:
    """The limits, with ``max_bytes`` from ``PROFILESYNC_MAX_YAML_MB`` when it is set."""
    value = (os.environ if environ is None else environ).get(MAX_MB_VARIABLE)
    if not value:
        return YamlLimits()
    try:
        megabytes = float(value)
        if not megabytes > 0:
            raise ValueError(value)
    except ValueError:
        raise UserError([Problem(None, MAX_MB_VARIABLE, f"{value!r} is not a positive number of megabytes", f"set e.g. {MAX_MB_VARIABLE}=20, or unset it for the default")]) from None
    return YamlLimits(max_bytes=int(megabytes * 1024 * 1024))


def check_size(path: Path, name: str, limits: YamlLimits | None = None, size: int | None = None) -> None:
    """Raise ``UserError`` when ``path`` (or ``size`` bytes already read) exceeds the size limit.
    A missing or unreadable file passes: reading it reports that better."""
    limits = limits or default_limits()
    if size is None:
        try:
            size = path.stat().st_size
        except OSError:
            return
    if size > limits.max_bytes:
        raise UserError(
            [
                Problem(
                    name,
                    None,
                    f"the file is {_megabytes(size)} MB, over the {limits.max_bytes / 1024 / 1024:g} MB limit for a file profilesync reads",
                    f"check it is the right file; to read it anyway, raise the limit, e.g. {MAX_MB_VARIABLE}={int(size / 1024 / 1024) + 1}",
                )
            ]
        )


def check_depth(data: Any, name: str, limits: YamlLimits | None = None) -> None:
    """Raise ``UserError`` when ``data`` (parsed JSON) nests deeper than the limit. Iterative, so a
    file deep enough to break a recursive walk is measured without breaking this one."""
    limit = (limits or default_limits()).max_depth
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            raise UserError([Problem(name, None, f"nested more than {limit} levels deep", "flatten the structure")])
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _megabytes(size: int) -> str:
    value = size / 1024 / 1024
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}".rstrip("0").rstrip(".")


@functools.cache
def _limit_error_class() -> type:
    from ruamel.yaml.error import MarkedYAMLError

    class YamlLimitError(MarkedYAMLError):
        """A file over one of the ``YamlLimits``; carries the line of the offending node."""

    return YamlLimitError


def _limit_error(message: str, mark: Any) -> Exception:
    return _limit_error_class()(None, None, message, mark)


@functools.cache
def _limited_composer() -> type:
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.events import AliasEvent
    from ruamel.yaml.nodes import ScalarNode

    class LimitedComposer(Composer):
        """ruamel's composer, counting aliases, what they expand to, and the nesting depth.

        ``_total`` grows by one per node composed (plus its characters, for a scalar) and by an
        anchored node's whole expanded size per alias to it, so a node's expanded size is the
        growth of ``_total`` while it was composed: one pass, no walk of the result.
        """

        def _limits(self) -> YamlLimits:
            return getattr(self.loader, "profilesync_limits", None) or YamlLimits()

        def compose_document(self) -> Any:
            # The counts are per document: a YAML instance that loads again (the CV document
            # re-reads its own output) starts from zero.
            self._sizes: dict[int, int] = {}  # id(node) -> characters it composed, for alias costs
            self._total, self._aliases, self._alias_cost = 0, 0, 0
            return super().compose_document()

        def compose_node(self, parent: Any, index: Any) -> Any:
            limits = self._limits()
            if self.parser.check_event(AliasEvent):
                event = self.parser.peek_event()
                self._aliases += 1
                if self._aliases > limits.max_aliases:
                    raise _limit_error(f"more than {limits.max_aliases} aliases (*name); a CV needs only a few", event.start_mark)
                target = self.anchors.get(event.anchor)
                if target is not None:
                    if id(target) not in self._sizes:
                        raise _limit_error(f"the alias *{event.anchor} refers to a node that contains it (a cycle)", event.start_mark)
                    size = self._sizes[id(target)]
                    self._total += size
                    self._alias_cost += size
                    if self._alias_cost > limits.max_alias_expansion:
                        raise _limit_error(
                            f"the aliases expand to more than {limits.max_alias_expansion:,} nodes and characters (an alias bomb?)", event.start_mark
                        )
                return super().compose_node(parent, index)
            if self.depth >= limits.max_depth:
                raise _limit_error(f"nested more than {limits.max_depth} levels deep", self.parser.peek_event().start_mark)
            before = self._total
            node = super().compose_node(parent, index)
            self._total += 1 + (len(node.value) if isinstance(node, ScalarNode) and isinstance(node.value, str) else 0)
            if node.anchor is not None:
                self._sizes[id(node)] = self._total - before
            return node

    return LimitedComposer


def limit_loader(yaml: Any, limits: YamlLimits | None = None) -> Any:
    """Make the pure-Python ruamel ``YAML`` instance ``yaml`` enforce ``limits``; returns it."""
    if getattr(yaml, "typ", None) and not getattr(yaml, "pure", True):
        raise ValueError("limits need a pure-Python YAML loader (YAML(pure=True))")
    yaml.Composer = _limited_composer()
    yaml.profilesync_limits = limits or default_limits()
    return yaml


def is_limit_error(exc: BaseException) -> bool:
    return isinstance(exc, _limit_error_class())


def _safe_loader(limits: YamlLimits):
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.allow_duplicate_keys = False
    return limit_loader(yaml, limits)


def _where(exc: Any) -> str | None:
    mark = exc.problem_mark or exc.context_mark
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else None


_NOT_LOADED = object()
# The C parser is used only on plain data: outside quoted strings no anchor, alias, tag, block
# scalar, directive or reserved character (where libyaml, a YAML 1.1 parser, and ruamel's 1.2
# reader disagree on edge cases: an anchor name ending in ':', a bare '!', a comment after '|'),
# no tab (libyaml takes it as a separator where ruamel refuses it) and none of the characters 1.1
# reads as line breaks. A CV with any of them is read by the pure reader alone, as before.
# A quoted string starts a token (line start, a space, or a flow indicator before it): the
# apostrophe in a plain "Don't" opens nothing.
_QUOTED = re.compile(r"""(?<![^\s\[{,:])(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')""")
_C_UNSAFE = re.compile("[&*!|>%@`]")  # outside quoted strings and comments
# A comment starts at a "#" at a line's start or after white space (outside a quoted string,
# which is taken out first; inside one that spans lines the rest is string content, as harmless).
_COMMENT = re.compile(r"(?:^|(?<=\s))#[^\n]*", re.MULTILINE)
_C_UNSAFE_ANYWHERE = re.compile("[\t\x85\u2028\u2029]")  # inside them too


def _load_with_c_events(text: str, limits: YamlLimits) -> Any:
    """The document read with libyaml's event parser (ruamel.yaml.clib), its values resolved and
    built by ruamel's own resolver (YAML 1.2) and constructor.

    The pure-Python scanner and composer are most of the cost of a long CV (about 1 s per 1,000
    works for the scanner, a further 0.4 s per 3,000 for composing nodes); plain data needs
    neither: the events become dicts, lists and scalars directly (:func:`_build`). Returns
    ``_NOT_LOADED`` when the C parser is missing, the text needs the 1.2 reader's own rules, or
    anything is out of the ordinary (a duplicate key, nesting past the limit, a complex key, a
    second document): the pure reader then reads the file again and words any error, so messages
    and line numbers are unchanged (libyaml, a YAML 1.1 parser, refuses some plain scalars 1.2
    accepts, such as ``10.1023/a:1023219803219`` in a flow mapping).
    """
    try:
        from _ruamel_yaml import CParser  # type: ignore[import-not-found]
        from ruamel.yaml.reader import Reader
    except ImportError:
        return _NOT_LOADED
    if _C_UNSAFE_ANYWHERE.search(text) or Reader.NON_PRINTABLE.search(text) or _C_UNSAFE.search(_COMMENT.sub("", _QUOTED.sub("", text))):
        return _NOT_LOADED
    parser = CParser(text)
    try:
        return _build(parser, _safe_loader(limits), limits.max_depth)
    except Exception:  # noqa: BLE001 - whatever it is, the pure reader meets it again and words it
        return _NOT_LOADED
    finally:
        parser.dispose()


class _Unusual(Exception):
    """Something the event walk leaves to the pure reader."""


# The tags a plain scalar of a CV resolves to; anything else (a merge key "<<", "=") is the pure
# reader's to handle.
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp"))
_STR_TAG = "tag:yaml.org,2002:str"


def _build(parser: Any, yaml: Any, max_depth: int) -> Any:
    """The single document of ``parser``'s events as plain Python data, as ruamel's safe loader
    builds it: a plain scalar is resolved (and, when not a string, constructed) by ``yaml``'s
    resolver and constructor, once per distinct spelling; a quoted one is a string. Mappings are
    dicts, sequences lists. Raises ``_Unusual`` on anything the pure reader should judge."""
    from ruamel.yaml.events import (
        DocumentEndEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )
    from ruamel.yaml.nodes import ScalarNode

    resolve, construct = yaml.resolver.resolve, yaml.constructor.construct_object
    plain: dict[str, Any] = {}

    def scalar(event: Any) -> Any:
        if event.anchor is not None or event.tag is not None:
            raise _Unusual("an anchor or a tag")
        if event.style:  # quoted: a string (block scalars do not reach here)
            return event.value
        value = event.value
        if value in plain:
            return plain[value]
        tag = str(resolve(ScalarNode, value, (True, False)))
        if tag not in _PLAIN_TAGS:
            raise _Unusual(tag)
        out = value if tag == _STR_TAG else construct(ScalarNode(tag, value, event.start_mark, event.end_mark), deep=True)
        plain[value] = out
        return out

    get = parser.get_event
    get()  # the stream's start
    if isinstance(parser.peek_event(), StreamEndEvent):
        return None
    get()  # the document's start
    # One frame per open collection: [the dict or list, the key waiting for its value (dicts)].
    stack: list[list[Any]] = []
    missing = _Unusual  # a sentinel no key can be
    root: Any = missing
    while True:
        event = get()
        kind = type(event)
        if kind is ScalarEvent:
            value = scalar(event)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or (event.tag is not None and not event.implicit):
                raise _Unusual("an anchor or a tag")
            if stack and type(stack[-1][0]) is dict and stack[-1][1] is missing:
                raise _Unusual("a collection as a mapping key")
            if len(stack) >= max_depth:
                raise _Unusual("nested past the limit")
            stack.append([{} if kind is MappingStartEvent else [], missing])
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value = stack.pop()[0]
        elif kind is DocumentEndEvent:
            break
        else:
            raise _Unusual(kind.__name__)  # an alias, or something unforeseen
        if not stack:
            root = value
            continue
        frame = stack[-1]
        container = frame[0]
        if type(container) is list:
            container.append(value)
        elif frame[1] is missing:
            if value in container:
                raise _Unusual("a duplicate key")
            frame[1] = value
        else:
            container[frame[1]] = value
            frame[1] = missing
    if not isinstance(parser.peek_event(), StreamEndEvent):
        raise _Unusual("more than one document")
    return None if root is missing else root


def read_yaml(path: Path, label: str | None = None, limits: YamlLimits | None = None) -> Any:
    """Parse ``path``; raise ``UserError`` naming the file and line on any problem."""
    name = label or str(path)
    limits = limits or default_limits()
    check_size(path, name, limits)  # before reading: a huge file is not even loaded into memory
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError([Problem(name, None, "file not found", "check the path, or run `profilesync init`")]) from None
    except UnicodeDecodeError as exc:
        raise UserError([Problem(name, f"byte {exc.start}", "not valid UTF-8", "save the file as UTF-8")]) from None
    except OSError as exc:
        raise UserError([Problem(name, None, f"cannot read: {exc.strerror}")]) from None
    check_size(path, name, limits, size=len(text))  # a pipe or special file has no size to stat
    return parse_yaml(text, name, limits)


def parse_yaml(text: str, name: str, limits: YamlLimits | None = None) -> Any:
    """Parse YAML ``text`` (from ``name``, for messages) as :func:`read_yaml` parses a file."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    limits = limits or default_limits()
    fast = _load_with_c_events(text, limits)
    if fast is not _NOT_LOADED:
        return fast
    try:
        return _safe_loader(limits).load(text)
    except MarkedYAMLError as exc:
        where = _where(exc)
        what = (exc.problem or "invalid YAML").strip()
        if is_limit_error(exc):
            fix = "flatten the structure" if "nested" in what else "write the values out instead of using YAML anchors and aliases (*name)"
            return _raise(name, where, what, fix)
        if "duplicate key" in what or "found duplicate key" in str(exc):
            return _raise(name, where, f"duplicate key: {what}", "keep one of the two entries")
        return _raise(name, where, f"invalid YAML: {what}", "fix the syntax at that place")
    except YAMLError as exc:
        return _raise(name, None, f"invalid YAML: {exc}", None)
    except RecursionError:
        return _raise(name, None, "nested too deeply to read", "flatten the structure")


def _raise(name: str, where: str | None, what: str, fix: str | None) -> Any:
    raise UserError([Problem(name, where, what, fix)])
