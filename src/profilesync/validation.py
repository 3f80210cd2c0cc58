"""JSON Schema validation that explains itself.

jsonschema's own messages ("'x' does not match '^...$'") are for programmers. ``check`` turns each
error into a ``Problem`` that names the file, the key path, what is wrong and the fix, using the
``x-hint`` annotations in our schemas and "did you mean" for misspelt keys.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from profilesync.errors import Problem


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Return a schema shipped in ``profilesync/schemas/`` by file name."""
    return json.loads(resources.files("profilesync.schemas").joinpath(name).read_text(encoding="utf-8"))


@cache
def _validator(name: str):
    # jsonschema is imported here, not at module level, to keep `profilesync --help` fast.
    import jsonschema

    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _validator_of(schema: Mapping[str, Any]):
    import jsonschema

    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


# Keywords the compiled validator (fastjsonschema, drafts 4 to 2019-09) does not check, or checks
# differently from jsonschema: a schema using any of them is always checked by jsonschema alone.
_NOT_COMPILED = frozenset({"format", "prefixItems", "unevaluatedProperties", "unevaluatedItems", "dependentSchemas", "$dynamicRef", "$dynamicAnchor", "$recursiveRef"})
# Where a schema holds subschemas: a map of them (names -> schema), one, or a list of them. Other
# values (enum, const, default, x-hint) are data, whatever their keys are called.
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_SCHEMA_ONE = frozenset({"items", "additionalItems", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedItems", "unevaluatedProperties"})
_SCHEMA_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})


def _keywords(schema: Any) -> set[str]:
    """Every keyword used anywhere in ``schema`` (not property names: a property may be called
    "format")."""
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, Mapping):
            continue
        for key, value in node.items():
            found.add(key)
            if key in _SCHEMA_MAPS and isinstance(value, Mapping):
                stack.extend(value.values())
            elif key in _SCHEMA_ONE:
                stack.extend(value if isinstance(value, list) else [value])
            elif key in _SCHEMA_LIST and isinstance(value, list):
                stack.extend(value)
    return found


# Compiled tests of schemas built in code (the config's), by identity; the schema is held, so its
# id cannot be reused while the entry lives. Small: a program builds a handful.
_BUILT: dict[int, tuple[Mapping[str, Any], Any]] = {}


def _compile(schema: Mapping[str, Any]) -> Any:
    """A compiled validity test for ``schema``, or None where it would not be exact.

    jsonschema walks a 3,000-entry CV in about 0.16 s, fastjsonschema's generated code in about
    0.01 s; a valid file (nearly every run) needs nothing more. When the quick test fails,
    jsonschema runs to find and explain every error. ``use_default=False``: fastjsonschema would
    otherwise write the schema's defaults into the data it checks.
    """
    if _keywords(schema) & _NOT_COMPILED:
        return None
    shipped = _shipped(schema_digest(schema))
    if shipped is not None:
        return shipped
    import fastjsonschema

    try:
        # A deep copy: fastjsonschema rewrites the "$ref"s of the schema it is given into absolute
        # URIs, and the messages look hints up by the relative ones.
        return fastjsonschema.compile(copy.deepcopy(dict(schema)), use_default=False, use_formats=False)
    except fastjsonschema.JsonSchemaDefinitionException:
        return None  # a form it does not read (draft 3's "required": true): jsonschema alone


# The compiled tests of the schemas every run checks (the CV's and the config's) ship as Python
# modules in ``profilesync/schemas/compiled/``, named by the schema's digest: generating the code
# took 15-18 ms per schema on every run. A schema that changed has another digest and is compiled
# at run time until ``python -m profilesync.compile_schemas`` writes its module again (a test
# fails meanwhile, so the shipped modules never fall behind).
COMPILED_PACKAGE = "profilesync.schemas.compiled"


def schema_digest(schema: Mapping[str, Any]) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode("utf-8")).hexdigest()[:20]


def _shipped(digest: str) -> Any:
    import importlib

    try:
        return importlib.import_module(f"{COMPILED_PACKAGE}.schema_{digest}").validate
    except ImportError:  # none for this digest, or an older fastjsonschema than the code's
        return None


@cache
def _compiled(name: str) -> Any:
    return _compile(load_schema(name))


def _compiled_built(schema: Mapping[str, Any]) -> Any:
    held = _BUILT.get(id(schema))
    if held is not None and held[0] is schema:
        return held[1]
    if len(_BUILT) >= 8:
        _BUILT.clear()
    test = _compile(schema)
    _BUILT[id(schema)] = (schema, test)
    return test


def is_valid(data: Any, schema: str | Mapping[str, Any]) -> bool | None:
    """True when ``data`` is valid against ``schema`` (a shipped schema's file name, or one built
    in code) by the compiled test; False when it is not; None when there is no compiled test."""
    test = _compiled(schema) if isinstance(schema, str) else _compiled_built(schema)
    if test is None:
        return None
    import fastjsonschema

    try:
        test(data)
    except fastjsonschema.JsonSchemaException:
        return False
    except Exception:  # noqa: BLE001 - anything the generated code did not expect: jsonschema judges
        return False
    return True


def check(data: Any, schema: str | Mapping[str, Any], file: str) -> list[Problem]:
    """Validate ``data`` against a shipped schema (by file name) or a schema built in code;
    return one readable Problem per error (empty when valid)."""
    if is_valid(data, schema):
        return []
    validator = _validator(schema) if isinstance(schema, str) else _validator_of(schema)
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        for problem in _explain(error, validator.schema):
            marker = (problem.where or "", problem.what)
            if marker not in seen:
                seen.add(marker)
                problems.append(Problem(file, problem.where, problem.what, problem.fix))
    return problems


def key_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _explain(error: Any, root: Mapping[str, Any]) -> list[Problem]:
    where = key_path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    validator = error.validator

    if validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = sorted((schema.get("properties") or {}).keys())
        problems = []
        extra = [k for k in error.instance if k not in allowed]
        for key in extra:
            path = f"{where}.{key}" if where != "(top level)" else str(key)
            guess = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            fix = f'did you mean "{guess[0]}"?' if guess else f"known keys here: {', '.join(allowed)}"
            problems.append(Problem(None, path, f'unknown key "{key}"', fix))
        return problems

    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [Problem(None, where, f'missing required key "{missing}"', "add it")]

    hint = _hint_for(error, root)
    if validator in {"pattern", "format", "minLength"} and hint:
        # A bad token_env is most likely the token itself, pasted: never echo it into a log.
        shown = "a value that is not shown (it may be the token itself)" if where.endswith("token_env") else _short(error.instance)
        if hint.startswith("expected"):
            return [Problem(None, where, f"{hint}, got {shown}")]
        return [Problem(None, where, f"got {shown}", hint)]
    if validator == "type":
        expected = schema.get("type")
        expected_text = " or ".join(expected) if isinstance(expected, list) else expected
        return [Problem(None, where, f"expected {_article(expected_text)}, got {_short(error.instance)}", hint)]
    if validator == "enum":
        options = ", ".join(_short(v) for v in schema.get("enum", []))
        guess = difflib.get_close_matches(str(error.instance), [str(v) for v in schema.get("enum", [])], n=1)
        fix = f'did you mean "{guess[0]}"?' if guess else f"use one of {options}"
        return [Problem(None, where, f"{_short(error.instance)} is not allowed", fix)]
    if validator in {"oneOf", "anyOf"}:
        return [Problem(None, where, f"{_short(error.instance)} has the wrong shape", hint)]
    return [Problem(None, where, error.message, hint)]


def _article(text: Any) -> str:
    text = str(text)
    return ("an " if text[:1] in "aeiou" else "a ") + text


def _hint_for(error: Any, root: Mapping[str, Any]) -> str | None:
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    if "x-hint" in schema:
        return schema["x-hint"]
    # A property that is a $ref carries the hint on the definition it points to.
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return (root.get("$defs", {}).get(ref.rsplit("/", 1)[1]) or {}).get("x-hint")
    return None
