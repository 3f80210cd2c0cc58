"""Check an export against the format's published JSON Schema before it is written.

The schemas ship in ``profilesync/schemas/`` (see ``docs`` for their provenance): CSL-JSON's
``csl-data.json`` (JSON Schema draft 3, so the validator is chosen explicitly; the file has no
``$schema``) and JSON Resume's ``jsonresume.schema.json`` (draft 7).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from profilesync.validation import load_schema


@cache
def _validator(name: str):
    import jsonschema

    schema = load_schema(name)
    if name == "csl-data.json":
        return jsonschema.Draft3Validator(schema)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(data: Any, schema_name: str) -> list[str]:
    """Every violation as ``path: message`` (empty when ``data`` is valid)."""
    errors = sorted(_validator(schema_name).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in errors]
