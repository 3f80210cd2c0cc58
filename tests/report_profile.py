"""A report on a large real profile: every record of a real DBLP person page, as the diff engine
would report it against a CV that lacks most DOIs and page ranges, with ten planted differences.

The changes are built here, not computed by the engine, so the text report's tests check the
renderer alone: which changes the engine emits is the engine's tests' business. The wording of
each reason follows the engine's (``diff/engine.py``), the values are the page's own.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unidecode import unidecode

from profilesync.connectors.dblp_xml import parse_person_xml
from profilesync.diff.changes import Change, ChangeKind
from profilesync.match.verdict import Feature, MatchScore, Tier
from profilesync.model import Author, Work, WorkType
from profilesync.normalize.names import strip_dblp_suffix
from profilesync.normalize.text import clean_title, normalize_title
from profilesync.report.json import change_to_report

GENERATED_AT = "2026-12-07T09:00:00Z"


@dataclass(frozen=True)
class Planted:
    """One planted difference and the text a reader must find for it in the report."""

    kind: str
    cv_key: str | None
    field: str | None
    must_show: tuple[str, ...]  # strings the compact report shows on the change's lines


def load_page(path: Path) -> tuple[str, list[Work]]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    person = parse_person_xml(data, f"https://dblp.org/pid/{path.name}")
    return person.person.name, list(person.works)


def cv_key(work: Work, taken: set[str]) -> str:
    """A key as researchers write them: first author's family name, year, first title word."""
    name = strip_dblp_suffix(work.authors[0].name) if work.authors else "anon"
    family = re.sub(r"[^a-z]", "", unidecode(name).split()[-1].lower()) or "anon"
    word = next((w for w in re.findall(r"[a-z]+", unidecode(work.title).lower()) if len(w) > 3), "work")
    key = f"{family}{work.year or ''}{word}"
    suffix = ord("a")
    base = key
    while key in taken:
        key = f"{base}{chr(suffix)}"
        suffix += 1
    taken.add(key)
    return key


def _score(work: Work, cv: Work, *, tier: Tier = Tier.STRONG) -> MatchScore:
    n = len(work.authors)
    years = "same year" if work.year == cv.year else f"years {cv.year}/{work.year}"
    return MatchScore(
        0.998 if tier is Tier.STRONG else 0.87,
        tier,
        "title+authors",
        (
            Feature("title_exact", 1.0, 1.99, "same title" if clean_title(work.title) == clean_title(cv.title) else "title 0.94"),
            Feature("authors", 1.0, 2.31, f"{n}/{n} authors"),
            Feature("year", 1.0, 0.8, years),
            Feature("venue", 1.0, 0.6, f"same venue ({work.venue_acronym or work.venue})"),
        ),
    )


def _venue(work: Work) -> str:
    return work.venue_acronym or work.venue or ""


def build(page: Path, *, records: int = 250) -> tuple[dict[str, Any], list[Planted], dict[str, list[str]]]:
    """The JSON-shaped report, the ten planted differences, and the additions per CV key."""
    name, works = load_page(page)
    works = [w for w in works if w.authors and w.year][:records]
    assert len(works) == records, f"{page.name} has only {len(works)} usable records"
    taken: set[str] = set()
    keyed = [(cv_key(w, taken), w) for w in works]
    changes: list[Change] = []
    planted: list[Planted] = []

    preprints = [(k, w) for k, w in keyed if w.type is WorkType.PREPRINT]
    published = [(k, w) for k, w in keyed if w.type is not WorkType.PREPRINT]
    long_titles = sorted(published, key=lambda kw: -len(kw[1].title))
    # The ten differences, on distinct works.
    used: set[str] = set()

    def pick(pool: list[tuple[str, Work]]) -> tuple[str, Work]:
        for key, work in pool:
            if key not in used:
                used.add(key)
                return key, work
        raise AssertionError("the page has too few records for the planted differences")

    # 1. A preprint in the CV that was published: the CV's entry is a CoRR record of the page, the
    # published record the page's paper of the same title (else of another title: a reworded one).
    by_title = {normalize_title(w.title): (k, w) for k, w in published}
    pairs = [(pk, p, by_title[normalize_title(p.title)]) for pk, p in preprints if normalize_title(p.title) in by_title]
    if pairs:
        key, pre, (pub_key, pub) = pairs[0]
        used.update((key, pub_key))
    else:
        key, pre = pick(preprints)
        _, pub = pick(long_titles)
    changes.append(
        Change(
            ChangeKind.NEW_VERSION, "dblp",
            f'the CV\'s preprint "{clean_title(pre.title)}" was published as "{clean_title(pub.title)}" ({_venue(pub)}, {pub.year}; '
            f"{len(pre.authors)} -> {len(pub.authors)} authors; preprint and published version: title words 0.71 (reworded at publication), "
            f"same first author, {pre.year} preprint, {pub.year} published); keep arXiv {pre.ids.arxiv}",
            cv_key=key,
            cv_value={"title": clean_title(pre.title), "venue": None, "year": pre.year, "authors": [strip_dblp_suffix(a.name) for a in pre.authors]},
            source_value={"title": clean_title(pub.title), "venue": _venue(pub), "year": pub.year, "authors": [strip_dblp_suffix(a.name) for a in pub.authors], "arxiv": pre.ids.arxiv},
            work=pub,
            match=MatchScore(0.86, Tier.PROBABLE, "version", (Feature("version_title", 0.71, 1.0, "title words 0.71 (reworded at publication)"), Feature("version_first_author", 1.0, 1.0, "same first author"))),
        )
    )
    planted.append(Planted("new_version", key, None, (key, "[probable]", f"keep arXiv {pre.ids.arxiv}", clean_title(pub.title)[:40])))

    # 2. A reworded title, on the page's longest title: the difference is at its end.
    key, work = pick(long_titles)
    real = clean_title(work.title)
    words = real.split()
    cv_title = " ".join(words[:-1] + ["Systems"])
    cv = work.with_(title=cv_title)
    changes.append(Change(ChangeKind.FIELD_DIFFERS, "dblp", f'title: CV has "{cv_title}", dblp has "{real}"', cv_key=key, field="title", cv_value=cv_title, source_value=real, work=work, match=_score(work, cv)))
    planted.append(Planted("field_differs", key, "title", (key, "[strong]", "title", "Systems", words[-1])))

    # 3. A title that differs in capitalisation only.
    key, work = pick(published)
    real = clean_title(work.title)
    cv_title = real.lower()
    changes.append(Change(ChangeKind.FIELD_DIFFERS, "dblp", "dblp writes the title differently (capitalisation or punctuation only) (also orcid)", cv_key=key, field="title", cv_value=cv_title, source_value=real, work=work, match=_score(work, work), also_in=("orcid",)))
    planted.append(Planted("field_differs", key, "title", (key, "case or punctuation only", "also orcid")))

    # 4-5. A wrong year, and on the same work a wrong venue.
    key, work = pick(published)
    cv = work.with_(year=work.year + 1)
    score = _score(work, cv)
    changes.append(Change(ChangeKind.FIELD_DIFFERS, "dblp", f"year: CV has {work.year + 1}, dblp has {work.year} (also scholar)", cv_key=key, field="year", cv_value=work.year + 1, source_value=work.year, work=work, match=score, also_in=("scholar",)))
    planted.append(Planted("field_differs", key, "year", (key, f"{work.year + 1} -> {work.year}")))
    changes.append(Change(ChangeKind.FIELD_DIFFERS, "dblp", f'venue: CV has "Workshop", dblp has "{_venue(work)}"', cv_key=key, field="venue", cv_value="Workshop", source_value=_venue(work), work=work, match=score))
    planted.append(Planted("field_differs", key, "venue", (key, f"Workshop -> {_venue(work)}")))

    # 6. An author the CV lacks.
    key, work = pick([(k, w) for k, w in published if len(w.authors) >= 4])
    names = [strip_dblp_suffix(a.name) for a in work.authors]
    changes.append(
        Change(ChangeKind.FIELD_DIFFERS, "dblp", f"{len(names) - 1} authors in the CV, {len(names)} on dblp; added: {names[-1]}", cv_key=key, field="authors", cv_value=names[:-1], source_value=names, work=work, match=_score(work, work))
    )
    planted.append(Planted("field_differs", key, "authors", (key, f"added: {names[-1]}")))

    # 7-8. Two works the CV lacks (removed from the CV), one with the page's longest title.
    for pool in (long_titles, published):
        key, work = pick(pool)
        ids = f" [doi {work.ids.doi}]" if work.ids.doi else ""
        changes.append(Change(ChangeKind.MISSING_IN_CV, "dblp", f'dblp lists "{clean_title(work.title)}" ({_venue(work)}, {work.year}){ids}; also on scholar; the CV lacks it', work=work, match=None, also_in=("scholar",)))
        planted.append(Planted("missing_in_cv", None, None, (clean_title(work.title)[:30], "also on scholar")))

    # 9. A namesake's paper on Scholar.
    stranger = Work(
        "Label-efficient single photon images classification via active learning",
        tuple(Author(n) for n in ("Z Zhang", "Z Wen", "Y Qiang", "H Dong", "W Dong", "X Li", "X Wang", "X Ren")),
        2025, "arXiv preprint arXiv:2505.04376", type=WorkType.PREPRINT,
    )
    changes.append(
        Change(ChangeKind.FOREIGN_WORK, "scholar", f"not the researcher's: a namesake: {stranger.authors[0].name} is listed, but none of the 7 coauthors has worked with the researcher; nor does the subject fit; add it to the CV's ignore list", work=stranger)
    )
    planted.append(Planted("foreign_work", None, None, ("Label-efficient single photon", "namesake")))

    # 10. Scholar lists one paper twice.
    key, work = pick(published)
    changes.append(
        Change(ChangeKind.DUPLICATE_IN_SOURCE, "scholar", f'scholar lists "{clean_title(work.title)}" twice (same title, same year); merge the entries on scholar', source_value=clean_title(work.title), work=work, match=_score(work, work))
    )
    planted.append(Planted("duplicate_in_source", None, None, (clean_title(work.title)[:30], "merge them on scholar")))

    # The additions: every DOI and page range the CV lacks, the CV keeping them on a few works only.
    additions: dict[str, list[str]] = {}
    for i, (key, work) in enumerate(keyed):
        if key in used or i % 10 == 0:
            continue
        for field, value in (("doi", work.ids.doi), ("pages", work.pages), ("arxiv", work.ids.arxiv if work.type is WorkType.PREPRINT else None)):
            if not value:
                continue
            also = ("orcid",) if field == "doi" and i % 3 == 0 else ()
            changes.append(
                Change(ChangeKind.FIELD_DIFFERS, "dblp", f'dblp has {field} "{value}"; the CV has none' + (" (also orcid)" if also else ""), cv_key=key, field=field, cv_value=None, source_value=value, work=work, match=_score(work, work), also_in=also)
            )
            additions.setdefault(key, []).append(f"{field} {value}")
    # The engine lists changes by kind, but within a kind in CV order, so additions interleave
    # with the field changes that matter: the report must sort them out.
    order = {k: i for i, (k, _) in enumerate(keyed)}
    changes.sort(key=lambda c: (c.kind is not ChangeKind.NEW_VERSION, c.kind is not ChangeKind.MISSING_IN_CV, order.get(c.cv_key or "", -1)))
    changes.append(Change(ChangeKind.METRIC_CHANGED, "scholar", "citations 8890 -> 9027 (since 2026-08-17)", field="citations", cv_value=8890, source_value=9027))

    reported = [change_to_report(c) for c in changes]
    report = {
        "schema_version": 1,
        "generated_at": GENERATED_AT,
        "profile": {"name": name},
        "sources": {
            "dblp": {"status": "ok", "works": len(works), "fetched_at": "2026-12-06T09:00:00Z"},
            "orcid": {"status": "stale", "works": 180, "fetched_at": "2026-11-20T09:00:00Z", "error": "ORCID answered HTTP 503 Service Unavailable; the snapshot of 2026-11-20 was used (profilesync pull --source orcid tries again)"},
            "scholar": {"status": "ok", "works": 241, "fetched_at": "2026-12-06T09:00:00Z"},
            "github": {"status": "disabled"},
        },
        "changes": reported,
        "metrics": {"scholar": {"citations": 9027, "h_index": 41, "i10_index": 120}},
        "summary": dict(sorted(Counter(c["kind"] for c in reported).items())),
        "coverage": [],
        "history": {},
        "in_sync": False,
        "incomplete": True,
    }
    return report, planted, additions
