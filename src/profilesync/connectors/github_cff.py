"""Read a ``CITATION.cff`` file: parse it as YAML, check it against CFF 1.2.0, keep what is usable.

A repository's ``CITATION.cff`` says who wrote the software, its version and DOI, and, in
``preferred-citation``, the paper people should cite instead: for a research artefact that is the
paper the code implements, which is what links a repository to a CV publication.

Files in the wild are often not valid CFF 1.2.0 (an older ``cff-version``, a DOI written as a URL,
a missing ``message``). Such a file is not thrown away: ``parse_cff`` returns whatever fields can be
read and lists the schema problems, so the snapshot can say the file needs fixing.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from profilesync.model import Author
from profilesync.normalize.identifiers import arxiv_from_doi, normalize_arxiv, normalize_doi, normalize_orcid

CFF_SCHEMA = "cff-1.2.0.schema.json"
# Problems listed per file; a broken file can produce hundreds of schema errors.
MAX_PROBLEMS = 5
# Values a file may hold once YAML aliases are expanded (real files hold a few hundred).
MAX_NODES = 100_000
_DIGITS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class CitedPaper:
    """The work a ``preferred-citation`` (or another hint) points at."""

    title: str | None = None
    doi: str | None = None
    arxiv: str | None = None
    year: int | None = None
    venue: str | None = None
    authors: tuple[str, ...] = ()
    type: str | None = None

    def is_empty(self) -> bool:
        return not (self.title or self.doi or self.arxiv)


@dataclass(frozen=True)
class CffRecord:
    """What a ``CITATION.cff`` says. ``problems`` is empty when the file is valid CFF 1.2.0."""

    title: str | None
    authors: tuple[Author, ...]
    version: str | None
    doi: str | None
    date_released: str | None
    preferred: CitedPaper | None
    problems: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.problems


class CffError(ValueError):
    """The text is not YAML, or not a YAML mapping; nothing could be read."""


def _loader():
    """A YAML 1.2 safe loader that keeps floats and dates as the text the author wrote.

    ``version: 1.10`` is a float to any YAML loader (1.1), and ``date-released: 2021-07-06`` a
    date; CFF wants both as strings (its schema types dates as ``string``), so the scalar text is
    kept. Every numeric field of the CFF schema also accepts a string, so nothing valid breaks.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import SafeConstructor

    class _CffConstructor(SafeConstructor):
        pass

    def _as_text(constructor: SafeConstructor, node: Any) -> str:
        return str(constructor.construct_scalar(node))

    _CffConstructor.add_constructor("tag:yaml.org,2002:float", _as_text)
    _CffConstructor.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _CffConstructor
    yaml.allow_duplicate_keys = False
    return yaml


def load_cff_yaml(text: str) -> Mapping[str, Any]:
    """Parse ``text``; return the top-level mapping. Raises ``CffError`` when it is not one."""
    from ruamel.yaml.error import YAMLError

    try:
        data = _loader().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise CffError(f"not valid YAML{where}: {problem}") from None
    if not isinstance(data, Mapping):
        raise CffError("not a YAML mapping of CFF keys")
    return data


def schema_problems(data: Mapping[str, Any]) -> list[str]:
    """CFF 1.2.0 schema violations of ``data``, as short "where: what" lines (at most a few)."""
    import jsonschema

    from profilesync.validation import load_schema

    validator = jsonschema.Draft7Validator(load_schema(CFF_SCHEMA))
    out: list[str] = []
    for error in sorted(validator.iter_errors(_jsonable(data, [MAX_NODES])), key=lambda e: [str(p) for p in e.absolute_path]):
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        message = error.message if len(error.message) < 120 else error.message[:117] + "..."
        out.append(f"{where}: {message}")
        if len(out) >= MAX_PROBLEMS:
            break
    return out


def parse_cff(text: str) -> CffRecord:
    """Read a CITATION.cff text into a ``CffRecord``.

    Raises ``CffError`` only when the text is not a YAML mapping; schema problems are reported in
    ``CffRecord.problems`` and the usable fields are still returned.
    """
    try:
        return _parse_cff(text)
    except RecursionError:
        # Deep nesting, or an alias that contains itself (``a: &a [*a]``): anyone can commit one.
        raise CffError("nested too deeply to read (or an alias that refers to itself)") from None


def _parse_cff(text: str) -> CffRecord:
    data = load_cff_yaml(text)
    problems = tuple(schema_problems(data))
    preferred = data.get("preferred-citation")
    return CffRecord(
        title=_text(data.get("title")),
        authors=tuple(a for a in (_author(x) for x in _list(data.get("authors"))) if a is not None),
        version=_text(data.get("version")),
        doi=_doi_of(data),
        date_released=_text(data.get("date-released")),
        preferred=cited_paper(preferred) if isinstance(preferred, Mapping) else None,
        problems=problems,
    )


def cited_paper(ref: Mapping[str, Any]) -> CitedPaper:
    """A CFF reference object (e.g. ``preferred-citation``) as a ``CitedPaper``."""
    doi = normalize_doi(_text(ref.get("doi")))
    arxiv = None
    for ident in _list(ref.get("identifiers")):
        if not isinstance(ident, Mapping):
            continue
        value = _text(ident.get("value"))
        if ident.get("type") == "doi" and not doi:
            doi = normalize_doi(value)
        elif value and "arxiv" in value.lower():
            arxiv = arxiv or normalize_arxiv(value)
    url = _text(ref.get("url"))
    if url and "arxiv.org/" in url.lower():
        arxiv = arxiv or normalize_arxiv(url)
    arxiv = arxiv or arxiv_from_doi(doi)
    return CitedPaper(
        title=_text(ref.get("title")),
        doi=doi,
        arxiv=arxiv,
        year=_year(ref),
        venue=_venue(ref),
        authors=tuple(a.name for a in (_author(x) for x in _list(ref.get("authors"))) if a is not None),
        type=_text(ref.get("type")),
    )


def _doi_of(data: Mapping[str, Any]) -> str | None:
    doi = normalize_doi(_text(data.get("doi")))
    if doi:
        return doi
    for ident in _list(data.get("identifiers")):
        if isinstance(ident, Mapping) and ident.get("type") == "doi":
            doi = normalize_doi(_text(ident.get("value")))
            if doi:
                return doi
    return None


def _author(entry: Any) -> Author | None:
    """A CFF person (given/particle/family/suffix) or entity (``name``) as an ``Author``."""
    if not isinstance(entry, Mapping):
        return None
    parts = [_text(entry.get(k)) for k in ("given-names", "name-particle", "family-names")]
    name: str | None = " ".join(p for p in parts if p)
    suffix = _text(entry.get("name-suffix"))
    if name and suffix:
        name = f"{name} {suffix}"
    name = name or _text(entry.get("name")) or _text(entry.get("alias"))
    if not name:
        return None
    return Author(name=name, orcid=normalize_orcid(_text(entry.get("orcid"))))


def _year(ref: Mapping[str, Any]) -> int | None:
    year = ref.get("year")
    if isinstance(year, int) and not isinstance(year, bool):
        return year
    # ASCII digits only: str.isdigit() also accepts superscripts, which int() refuses.
    if isinstance(year, str) and _DIGITS.fullmatch(year.strip()):
        return int(year.strip())
    for key in ("date-published", "date-released"):
        value = _text(ref.get(key))
        if value and _DIGITS.fullmatch(value[:4]):
            return int(value[:4])
    return None


def _venue(ref: Mapping[str, Any]) -> str | None:
    for key in ("journal", "collection-title"):
        value = _text(ref.get(key))
        if value:
            return value
    conference = ref.get("conference")
    if isinstance(conference, Mapping):
        return _text(conference.get("name"))
    return _text(conference)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (Mapping, list)):
        return None
    text = str(value).strip()
    return text or None


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _jsonable(value: Any, budget: list[int]) -> Any:
    """Dates the loader might still produce (e.g. from a tagged scalar) become ISO text.

    ``budget`` counts the nodes left: YAML aliases share nodes, so a few lines can stand for
    billions of them once expanded (and the schema check would walk every one).
    """
    budget[0] -= 1
    if budget[0] < 0:
        raise CffError(f"more than {MAX_NODES:,} values once its YAML aliases are expanded")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, budget) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v, budget) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value
