"""CSL-JSON export: the input format of citeproc processors, pandoc and Zotero.

Only the classic CSL types and variables are used, so the output validates against both the
pre-1.0.2 schema (``schemas/csl-data.json``, draft 3) and the current 1.0.2 release. Software has
no type of its own before 1.0.2; it is written as ``book``, the mapping Zotero used then.
"""

from __future__ import annotations

import json
from typing import Any

from profilesync.export.common import code_url, split_name, web_url
from profilesync.model import Work, WorkType

_CSL_TYPES: dict[WorkType, str] = {
    WorkType.CONFERENCE: "paper-conference",
    WorkType.JOURNAL: "article-journal",
    WorkType.PREPRINT: "article",
    WorkType.CHAPTER: "chapter",
    WorkType.BOOK: "book",
    WorkType.THESIS: "thesis",
    WorkType.SOFTWARE: "book",
    WorkType.DATASET: "dataset",
    WorkType.OTHER: "article",
}


def csl_item(work: Work) -> dict[str, Any]:
    """One CSL-JSON item; ``id`` is the CV key."""
    item: dict[str, Any] = {"id": work.key or work.title, "type": _CSL_TYPES[work.type], "title": work.title}
    if work.authors:
        item["author"] = [_csl_name(a.name) for a in work.authors]
    if work.year:
        item["issued"] = {"date-parts": [[work.year, work.month] if work.month else [work.year]]}
    venue = work.venue or work.venue_acronym
    if venue:
        item["publisher" if work.type in (WorkType.BOOK, WorkType.THESIS) else "container-title"] = venue
    if work.venue_acronym and work.venue_acronym != venue:
        item["container-title-short"] = work.venue_acronym
    if work.pages:
        item["page"] = work.pages.replace("--", "-")
    if work.ids.doi:
        item["DOI"] = work.ids.doi
    url = web_url(work.url) or (f"https://arxiv.org/abs/{work.ids.arxiv}" if work.ids.arxiv and not work.ids.doi else None)
    if work.type is WorkType.SOFTWARE:
        url = url or code_url(work)  # a paper's code is not the paper: citations must not point at it
    if work.type is WorkType.THESIS:
        # Styles print the genre ("PhD thesis, MIT"); the BibTeX export writes @phdthesis alike.
        item["genre"] = "PhD thesis"
    if url:
        item["URL"] = url
    if work.ids.arxiv:
        # "number" is where citeproc styles look for a report/preprint number (arXiv:2305.05920).
        if work.declared_preprint:
            item["number"] = f"arXiv:{work.ids.arxiv}"
            item.setdefault("publisher", "arXiv")
        item["note"] = f"arXiv: {work.ids.arxiv}"
    if work.declared_preprint and work.type is not WorkType.PREPRINT:
        item["status"] = "preprint"
    return item


def _csl_name(name: str) -> dict[str, str]:
    parts = split_name(name)
    out = {"family": parts.family}
    if parts.given:
        out["given"] = parts.given
    if parts.particle:
        out["non-dropping-particle"] = parts.particle
    if parts.suffix:
        out["suffix"] = parts.suffix
    return out


def export_csl_json(works: tuple[Work, ...]) -> str:
    """A CSL-JSON array for ``works`` in the CV's order; UTF-8, two-space indent, trailing newline."""
    return json.dumps([csl_item(w) for w in works], ensure_ascii=False, indent=2) + "\n"
