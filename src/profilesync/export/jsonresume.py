"""JSON Resume (``resume.json``): ``basics`` from the CV's person and ``publications`` from its works."""

from __future__ import annotations

import json
from typing import Any

from profilesync.export.common import best_url, display_venue, web_url
from profilesync.model import Person, Work


def homepage_url(homepage: str | None) -> str | None:
    """JSON Resume's ``url`` must be a URI; CVs often write a bare ``example.org``."""
    if not homepage:
        return None
    # Only web links: a "javascript:" or "data:" homepage is left out rather than linked.
    return web_url(homepage if "://" in homepage else f"https://{homepage}") if web_url(homepage) else None


def publication_item(work: Work) -> dict[str, Any]:
    item: dict[str, Any] = {"name": work.title}
    # Themes print "Published by <publisher>": a preprint's publisher is arXiv, not "Preprint".
    venue = ("arXiv" if work.ids.arxiv else "") if work.declared_preprint and work.venue in (None, "", "CoRR") else display_venue(work)
    if venue:
        item["publisher"] = venue
    if work.year:
        item["releaseDate"] = f"{work.year}-{work.month:02d}" if work.month else str(work.year)
    url = best_url(work)
    if url:
        item["url"] = url
    if work.authors:
        item["summary"] = ", ".join(work.author_names)
        # Not a JSON Resume field (themes ignore it): it lets the file be read back as a CV.
        item["authors"] = list(work.author_names)
    if work.ids.doi:
        item["doi"] = work.ids.doi
    if work.ids.arxiv:
        item["arxiv"] = work.ids.arxiv
    return item


def resume_document(person: Person, works: tuple[Work, ...]) -> dict[str, Any]:
    basics: dict[str, Any] = {"name": person.name}
    url = homepage_url(person.homepage)
    if url:
        basics["url"] = url
    profiles = []
    if person.ids.github:
        profiles.append({"network": "GitHub", "username": person.ids.github, "url": f"https://github.com/{person.ids.github}"})
    if person.ids.orcid:
        profiles.append({"network": "ORCID", "username": person.ids.orcid, "url": f"https://orcid.org/{person.ids.orcid}"})
    if profiles:
        basics["profiles"] = profiles
    return {"basics": basics, "publications": [publication_item(w) for w in works]}


def export_jsonresume(person: Person, works: tuple[Work, ...]) -> str:
    return json.dumps(resume_document(person, works), ensure_ascii=False, indent=2) + "\n"
