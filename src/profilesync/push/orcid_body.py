"""The ORCID v3.0 work JSON for one CV work (``POST /{orcid}/work``).

Follows the official write sample ``work-full-3.0.json`` (docs/sources.md §2.5): ``title``,
``journal-title``, ``type``, ``publication-date``, ``external-ids``, ``url``, ``contributors``.
A POST must carry at least one external id with relationship ``self``; a work with no
identifier at all cannot be added and is reported instead.

Relationships:
- a DOI is the work itself (``self``);
- an arXiv id is ``self`` on a preprint, and ``version-of`` on a published paper that has a
  DOI: ORCID then groups the preprint and the paper as versions of one work;
- the DBLP record URL (``uri``; ORCID has no ``dblp`` id type) and the CV url are used as the
  ``self`` id only when nothing better exists, so a DOI-less workshop paper can still be added.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from profilesync.match.versions import is_preprint  # one definition: the matcher's
from profilesync.model import Work, WorkType
from profilesync.normalize.names import same_person_name

ORCID_TYPES: Mapping[WorkType, str] = {
    WorkType.CONFERENCE: "conference-paper",
    WorkType.JOURNAL: "journal-article",
    WorkType.PREPRINT: "preprint",
    WorkType.CHAPTER: "book-chapter",
    WorkType.BOOK: "book",
    WorkType.THESIS: "dissertation-thesis",
    WorkType.SOFTWARE: "software",
    WorkType.DATASET: "data-set",
    WorkType.OTHER: "other",
}


@dataclass(frozen=True)
class ExternalId:
    type: str
    value: str
    url: str | None
    relationship: str

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"external-id-type": self.type, "external-id-value": self.value}
        if self.url:
            out["external-id-url"] = {"value": self.url}
        out["external-id-relationship"] = self.relationship
        return out


def external_ids(work: Work) -> list[ExternalId]:
    """The ids to send, ``self`` ones first; empty when the work has nothing to identify it."""
    ids = work.ids
    out: list[ExternalId] = []
    if ids.doi and not ids.doi.startswith("10.48550/"):
        out.append(ExternalId("doi", ids.doi, f"https://doi.org/{ids.doi}", "self"))
    if ids.arxiv:
        relationship = "version-of" if out and not is_preprint(work) else "self"
        out.append(ExternalId("arxiv", ids.arxiv, f"https://arxiv.org/abs/{ids.arxiv}", relationship))
    if not any(x.relationship == "self" for x in out):
        if ids.dblp:
            rec = f"https://dblp.org/rec/{ids.dblp}"
            out.append(ExternalId("uri", rec, rec, "self"))
        elif work.url:
            out.append(ExternalId("uri", work.url, work.url, "self"))
    out.sort(key=lambda x: x.relationship != "self")
    return out


def identifier_digest(ids: Sequence[ExternalId]) -> str:
    """A short stable digest of the ids a work is sent with; a changed id means a new push."""
    text = json.dumps(sorted((x.type, x.value.lower(), x.relationship) for x in ids))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def work_url(work: Work) -> str | None:
    if work.url:
        return work.url
    if work.ids.doi:
        return f"https://doi.org/{work.ids.doi}"
    if work.ids.arxiv:
        return f"https://arxiv.org/abs/{work.ids.arxiv}"
    if work.ids.dblp:
        return f"https://dblp.org/rec/{work.ids.dblp}"
    return None


def contributors(work: Work, researcher: Sequence[str], orcid: str | None, orcid_host: str) -> list[dict[str, Any]]:
    """Authors as ORCID contributors, in CV order (the first has sequence ``first``).

    The researcher's own entry gets their iD: the token that posts the work was granted by them,
    which is the "authenticated iD" the XSD asks for; other authors get no iD.
    """
    out: list[dict[str, Any]] = []
    marked = False
    for index, author in enumerate(work.authors):
        entry: dict[str, Any] = {}
        if orcid and not marked and any(same_person_name(author.name, name) for name in researcher):
            entry["contributor-orcid"] = {"uri": f"https://{orcid_host}/{orcid}", "path": orcid, "host": orcid_host}
            marked = True
        entry["credit-name"] = {"value": author.name}
        entry["contributor-attributes"] = {"contributor-sequence": "first" if index == 0 else "additional", "contributor-role": "author"}
        out.append(entry)
    return out


def work_body(work: Work, *, researcher: Sequence[str] = (), orcid: str | None = None, orcid_host: str = "orcid.org") -> dict[str, Any] | None:
    """The v3.0 JSON to POST for ``work``, or None when it has no identifier ORCID can use."""
    ids = external_ids(work)
    if not any(x.relationship == "self" for x in ids):
        return None
    body: dict[str, Any] = {"title": {"title": {"value": work.title}}}
    if work.venue:
        body["journal-title"] = {"value": work.venue}
    body["type"] = "preprint" if is_preprint(work) else ORCID_TYPES[work.type]
    if work.year:
        body["publication-date"] = {"year": {"value": f"{work.year:04d}"}}
    body["external-ids"] = {"external-id": [x.to_json() for x in ids]}
    url = work_url(work)
    if url:
        body["url"] = {"value": url}
    people = contributors(work, researcher, orcid, orcid_host)
    if people:
        body["contributors"] = {"contributor": people}
    return body
