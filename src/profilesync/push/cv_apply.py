"""Turn accepted diff changes into edits of a CV document (of any format, ``cv.formats``).

``apply_changes(document, changes)`` is the whole policy of ``push --to cv``, testable without
the CLI: which change kinds edit the CV, which fields they touch, and the rules that make an
unattended edit safe:

- nothing is ever deleted: changes only set fields, add publications or add ignore rules;
- a field the entry ``lock``s is never touched (``ids`` locks every identifier);
- a work the CV already has (same DOI, arXiv id, DBLP key or title) is never added twice, so
  applying the same changes again is a no-op;
- a new publication gets a stable key derived from the work (``cv.keys``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from profilesync.cv.formats import CvDocument
from profilesync.cv.keys import unique_key
from profilesync.cv.record import IgnoreRule
from profilesync.diff.changes import Change, ChangeKind
from profilesync.model import Work, WorkStatus, WorkType
from profilesync.normalize.identifiers import normalize_arxiv, normalize_dblp_key, normalize_doi
from profilesync.normalize.names import strip_dblp_suffix
from profilesync.normalize.text import clean_title, normalize_title

ID_FIELDS = frozenset({"doi", "arxiv", "dblp", "orcid_put_code", "scholar"})
# Fields a field_differs change may set, as the diff engine names them.
PUBLICATION_FIELDS = frozenset({"title", "authors", "venue", "venue_full", "year", "type", "status", "pages", "url", "code"}) | ID_FIELDS
PERSON_FIELDS = frozenset({"name", "homepage", "affiliation"})
# Kinds that never edit the CV: they are notes about a source, or metrics.
REPORT_ONLY = frozenset({ChangeKind.MISSING_IN_SOURCE, ChangeKind.DUPLICATE_IN_SOURCE, ChangeKind.DUPLICATE_IN_CV, ChangeKind.METRIC_CHANGED})


@dataclass(frozen=True)
class Edit:
    """One change that edited the CV: the publication key and the fields set."""

    change: Change
    key: str | None
    fields: tuple[str, ...]
    summary: str


@dataclass(frozen=True)
class Skip:
    """One change that was not applied, and why."""

    change: Change
    reason: str


@dataclass(frozen=True)
class AppliedResult:
    edits: tuple[Edit, ...] = ()
    skipped: tuple[Skip, ...] = ()
    added_keys: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.edits)


def is_locked(lock: Iterable[str], name: str) -> bool:
    """True when ``lock`` protects ``name``. ``ids`` protects every identifier, ``venue`` also
    ``venue_full``."""
    locked = set(lock)
    if name in locked:
        return True
    if name in ID_FIELDS and "ids" in locked:
        return True
    return name == "venue_full" and "venue" in locked


def new_key_for(work: Work, document: CvDocument) -> str:
    """The key ``apply_changes`` would give ``work`` if it were added to ``document`` now."""
    return unique_key(work, {key for e in document.publications() if isinstance(key := e.get("key"), str)})


def apply_changes(document: CvDocument, changes: Iterable[Change]) -> AppliedResult:
    """Apply ``changes`` to ``document`` in place; returns what was edited and what was skipped."""
    edits: list[Edit] = []
    skipped: list[Skip] = []
    added: list[str] = []
    for change in changes:
        try:
            outcome = _apply_one(document, change)
        except KeyError as exc:
            outcome = f"the CV has no publication with key {exc.args[0]!r} (edited since the diff?)"
        if isinstance(outcome, Edit):
            edits.append(outcome)
            if change.kind is ChangeKind.MISSING_IN_CV and outcome.key:
                added.append(outcome.key)
        else:
            skipped.append(Skip(change, outcome))
    return AppliedResult(tuple(edits), tuple(skipped), tuple(added))


def _apply_one(document: CvDocument, change: Change) -> Edit | str:
    if change.kind in REPORT_ONLY:
        return f"{change.kind.value} is a note about {change.source}; nothing to change in the CV"
    if change.kind is ChangeKind.FIELD_DIFFERS:
        return _apply_field(document, change)
    if change.kind is ChangeKind.NEW_VERSION:
        return _apply_version(document, change)
    if change.kind is ChangeKind.MISSING_IN_CV:
        return _apply_missing(document, change)
    if change.kind is ChangeKind.PROFILE_DIFFERS:
        return _apply_profile(document, change)
    if change.kind is ChangeKind.FOREIGN_WORK:
        return _apply_foreign(document, change)
    return f"unknown change kind {change.kind.value}"


def _apply_field(document: CvDocument, change: Change) -> Edit | str:
    name = change.field or ""
    if not change.cv_key:
        return "a field change without a CV key"
    if name not in PUBLICATION_FIELDS:
        return f"profilesync does not write the field {name!r}"
    if change.source_value in (None, "", []):
        return "the source has no value (profilesync never erases a CV field)"
    entry = document.find(change.cv_key)
    if is_locked(entry.get("lock") or (), name):
        return f"{change.cv_key}.{name} is locked"
    value = _cv_value(name, change.source_value)
    current = (entry.get("ids") or {}).get(name) if name in ID_FIELDS else entry.get(name)
    if current == value:
        return f"{change.cv_key}.{name} already has this value"
    document.update_publication(change.cv_key, {"ids": {name: value}} if name in ID_FIELDS else {name: value})
    where = f"ids.{name}" if name in ID_FIELDS else name
    return Edit(change, change.cv_key, (where,), f"{change.cv_key}: set {where} from {change.source}")


def _cv_value(name: str, value: Any) -> Any:
    """A source's value in the form the CV schema wants."""
    if name == "doi":
        return normalize_doi(str(value))
    if name == "arxiv":
        return normalize_arxiv(str(value))
    if name == "dblp":
        return normalize_dblp_key(str(value))
    if name == "authors":
        return [strip_dblp_suffix(str(a)) for a in value]
    if name == "title":
        return clean_title(str(value))
    if name == "year":
        return int(value)
    if name in ("pages", "orcid_put_code"):
        return str(value)
    return value


def _work_fields(work: Work) -> dict[str, Any]:
    """A source work's values in the CV's vocabulary (only the ones the source knows)."""
    out: dict[str, Any] = {"title": clean_title(work.title)}
    if work.authors:
        out["authors"] = [strip_dblp_suffix(a.name) for a in work.authors]
    if work.venue_acronym:
        out["venue"] = work.venue_acronym
    if work.venue and work.venue != work.venue_acronym:
        out["venue_full"] = work.venue
    if work.year:
        out["year"] = int(work.year)
    if work.type not in (WorkType.OTHER, WorkType.SOFTWARE):
        out["type"] = work.type.value
    out["status"] = (work.status or (WorkStatus.PREPRINT if work.type is WorkType.PREPRINT else WorkStatus.PUBLISHED)).value
    if work.pages:
        out["pages"] = str(work.pages)
    if work.url:
        out["url"] = work.url
    if work.ids.github:
        out["code"] = f"https://github.com/{work.ids.github}"
    ids = {k: v for k, v in (("doi", work.ids.doi), ("arxiv", work.ids.arxiv), ("dblp", work.ids.dblp)) if v}
    if ids:
        out["ids"] = ids
    return out


def _apply_version(document: CvDocument, change: Change) -> Edit | str:
    if not change.cv_key or change.work is None:
        return "a new_version change without the CV key and the published work"
    entry = document.find(change.cv_key)
    lock = entry.get("lock") or ()
    proposed = _work_fields(change.work)
    if proposed.get("type") == WorkType.PREPRINT.value:
        return "the proposed version is itself a preprint"
    proposed["status"] = WorkStatus.PUBLISHED.value
    old_ids = entry.get("ids") or {}
    updates: dict[str, Any] = {}
    for name, value in proposed.items():
        if name == "ids":
            continue
        if name == "url" and entry.get("url"):
            continue  # the researcher's own link (often the preprint's PDF) stays
        if name == "code" and entry.get("code"):
            continue
        if not is_locked(lock, name) and entry.get(name) != value:
            updates[name] = value
    ids: dict[str, Any] = {}
    for name, value in (proposed.get("ids") or {}).items():
        if name == "arxiv" and old_ids.get("arxiv"):
            continue  # keep the CV's arXiv id: the preprint stays findable
        if not is_locked(lock, name) and old_ids.get(name) != value:
            ids[name] = value
    if ids:
        updates["ids"] = ids
    if not updates:
        return f"{change.cv_key} already has the published version (or its fields are locked)"
    document.update_publication(change.cv_key, updates)
    fields = tuple(f"ids.{n}" for n in ids) + tuple(n for n in updates if n != "ids")
    venue = proposed.get("venue") or proposed.get("venue_full") or "its venue"
    return Edit(change, change.cv_key, fields, f"{change.cv_key}: preprint -> published version ({venue}, {proposed.get('year', '')}) from {change.source}")


def _already_in_cv(document: CvDocument, work: Work) -> str | None:
    title = normalize_title(work.title)
    for entry in document.publications():
        ids = entry.get("ids") or {}
        if work.ids.doi and normalize_doi(ids.get("doi")) == work.ids.doi:
            return str(entry.get("key"))
        if work.ids.arxiv and normalize_arxiv(ids.get("arxiv")) == work.ids.arxiv:
            return str(entry.get("key"))
        if work.ids.dblp and normalize_dblp_key(ids.get("dblp")) == work.ids.dblp:
            return str(entry.get("key"))
        if title and normalize_title(str(entry.get("title") or "")) == title:
            return str(entry.get("key"))
    return None


def _apply_missing(document: CvDocument, change: Change) -> Edit | str:
    work = change.work
    if work is None:
        return "a missing_in_cv change without the work"
    existing = _already_in_cv(document, work)
    if existing:
        return f"already in the CV as {existing}"
    key = new_key_for(work, document)
    entry = {"key": key, **_work_fields(work)}
    document.add_publication(entry)
    return Edit(change, key, tuple(entry), f"added {key}: \"{entry['title']}\" ({entry.get('venue') or entry.get('venue_full') or work.type.value}, {entry.get('year', 'no year')}) from {change.source}")


def _apply_profile(document: CvDocument, change: Change) -> Edit | str:
    name = change.field or ""
    if name not in PERSON_FIELDS or change.source_value in (None, ""):
        return f"profilesync does not write the person's {name or 'field'}"
    if document.to_data().get("person", {}).get(name) == change.source_value:
        return f"person.{name} already has this value"
    problem = document.update_person(name, change.source_value)
    if problem:
        return problem
    return Edit(change, None, (f"person.{name}",), f"person.{name} = {change.source_value!r} from {change.source}")


def _apply_foreign(document: CvDocument, change: Change) -> Edit | str:
    work = change.work
    if work is None:
        return "a foreign_work change without the work"
    for existing in document.ignore_rules():
        known = IgnoreRule(**{k: (str(v) if v is not None else None) for k, v in existing.items() if k in IgnoreRule.__dataclass_fields__})
        if known.matches(work, change.source):
            return "already on the CV's ignore list"
    rule: dict[str, Any] = {"title": clean_title(work.title)}
    for name in ("doi", "arxiv", "dblp", "scholar"):
        value = getattr(work.ids, name)
        if value:
            rule[name] = value
            break
    rule["source"] = change.source
    rule["reason"] = "not the researcher's work (accepted foreign_work)"
    problem = document.add_ignore(rule)
    if problem:
        return problem
    return Edit(change, None, ("ignore",), f"ignore: \"{rule['title']}\" on {change.source}")
