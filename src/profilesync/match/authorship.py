"""Is the researcher an author of this work? The namesake test.

By identifier first (ORCID, DBLP pid), then by name or alias; a name match alone on a work that
shares no coauthor with the researcher's known coauthors is weaker evidence, and the reason says so.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from profilesync.model import Person, Work
from profilesync.normalize.names import same_person_name


@dataclass(frozen=True)
class Authorship:
    is_researcher: bool
    reason: str
    confidence: float


def researcher_authorship(work: Work, person: Person, *, coauthors: Collection[str] = (), topics: Collection[str] = ()) -> Authorship:
    if work.extra.get("own_record"):
        return Authorship(True, "on the researcher's own record", 1.0)
    orcid, pid = person.ids.orcid, person.ids.dblp
    for author in work.authors:
        if orcid and author.orcid == orcid:
            return Authorship(True, f"author {author.name} carries the researcher's ORCID iD", 1.0)
        if pid and author.pid == pid:
            return Authorship(True, f"author {author.name} carries the researcher's DBLP pid", 1.0)
    if not work.authors:
        return Authorship(True, "no author list to check", 0.3)
    named = [a for a in work.authors if any(same_person_name(a.name, n) for n in person.all_names)]
    if not named:
        return Authorship(False, f"none of the {len(work.authors)} authors is {person.name} or an alias", 0.9)
    known = [c for c in coauthors if not any(same_person_name(c, n) for n in person.all_names)]
    shared = sorted({a.name for a in work.authors for c in known if same_person_name(a.name, c)})
    if known and not shared and len(work.authors) >= 3:
        return Authorship(False, f"a namesake: {named[0].name} is listed, but none of the {len(work.authors) - 1} coauthors has worked with the researcher", 0.6)
    if shared:
        return Authorship(True, f"{named[0].name} with known coauthors ({', '.join(shared[:3])})", 0.9)
    return Authorship(True, f"{named[0].name} is listed", 0.6)
