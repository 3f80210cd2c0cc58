"""Reading YAML files the user wrote, with errors that point at the line.

ruamel.yaml is used for both reading and (in ``cv.writer``) round-trip writing, so the parser
that checks a file is the one that will later rewrite it. Duplicate keys are an error, not a
silent "last one wins".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from profilesync.errors import Problem, UserError


def _safe_loader():
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.allow_duplicate_keys = False
    return yaml


def read_yaml(path: Path, label: str | None = None) -> Any:
    """Parse ``path``; raise ``UserError`` naming the file and line on any problem."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    name = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError([Problem(name, None, "file not found", "check the path, or run `profilesync init`")]) from None
    except UnicodeDecodeError as exc:
        raise UserError([Problem(name, f"byte {exc.start}", "not valid UTF-8", "save the file as UTF-8")]) from None
    except OSError as exc:
        raise UserError([Problem(name, None, f"cannot read: {exc.strerror}")]) from None
    try:
        return _safe_loader().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        what = (exc.problem or "invalid YAML").strip()
        if "duplicate key" in what or "found duplicate key" in str(exc):
            return _raise(name, where, f"duplicate key: {what}", "keep one of the two entries")
        return _raise(name, where, f"invalid YAML: {what}", "fix the syntax at that place")
    except YAMLError as exc:
        return _raise(name, None, f"invalid YAML: {exc}", None)


def _raise(name: str, where: str | None, what: str, fix: str | None) -> Any:
    raise UserError([Problem(name, where, what, fix)])
