"""The three-way compare: the CV, each source's snapshot, and the researcher's past decisions.

For every source the matcher pairs the source's works with the CV's. Then:

- a paired work whose fields differ yields ``field_differs`` (or ``new_version`` when a CV
  preprint was published), but only from the source that wins that field under the precedence
  policy: a truncated Scholar title never overrides DBLP's;
- an unpaired source work is ``foreign_work`` when the researcher is not among its authors, and
  ``missing_in_cv`` otherwise (one change per work, naming every source that lists it);
- an unpaired CV work is ``missing_in_source`` for that source, unless the source's last pull
  was suspicious (far fewer works than before), which must never drive removals;
- profile fields and Scholar metrics are compared last.

Changes the researcher rejected or ignored are dropped while the source's value stays the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz

from profilesync.config import SOURCE_NAMES, Policy
from profilesync.cv.record import CvRecord
from profilesync.diff.changes import KIND_ORDER, Change, ChangeKind, digest_value
from profilesync.match.authorship import AuthorshipJudge
from profilesync.match.clusters import Cluster, WorkClusters
from profilesync.match.features import prepare
from profilesync.match.matcher import (
    Feature,
    MatchParams,
    MatchScore,
    SourceMatching,
    Tier,
    match_works,
    same_listing,
    score_pair,
    venue_of,
)
from profilesync.match.versions import is_preprint
from profilesync.model import ExternalIds, Person, Snapshot, Work, WorkType
from profilesync.normalize.names import same_person_name, strip_dblp_suffix
from profilesync.normalize.text import clean_title, normalize_title
from profilesync.state import Decision, DecisionRecord

WORK_FIELDS: tuple[str, ...] = ("title", "authors", "year", "venue", "pages", "doi", "arxiv")
PUBLISHED_TYPES = frozenset({WorkType.CONFERENCE, WorkType.JOURNAL, WorkType.CHAPTER, WorkType.BOOK})


@dataclass(frozen=True)
class DiffInput:
    cv: CvRecord
    snapshots: Mapping[str, Snapshot]
    policy: Policy
    params: MatchParams
    person: Person
    coauthors: tuple[str, ...] = ()
    decisions: Mapping[str, DecisionRecord] = field(default_factory=dict)
    history: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    suspicious: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CoverageRow:
    key: str | None
    title: str
    year: int | None
    present: Mapping[str, bool]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "year": self.year, "in": dict(self.present)}


@dataclass(frozen=True)
class DiffResult:
    changes: tuple[Change, ...]
    matchings: Mapping[str, SourceMatching]
    coverage: tuple[CoverageRow, ...]
    suppressed: int = 0
    ignored_works: int = 0


def _value(work: Work, name: str) -> Any:
    """A field's value as the work's own record writes it. The venue is the record's own string
    (the CV's ``venue``, DBLP's booktitle or journal), never an acronym derived from a DBLP key."""
    if name == "title":
        return clean_title(work.title) or None
    if name == "authors":
        return [strip_dblp_suffix(a.name) for a in work.authors] or None
    if name == "venue":
        return (work.venue_acronym or work.venue) if work.key else work.venue
    if name in ("doi", "arxiv"):
        return getattr(work.ids, name)
    return getattr(work, name)


def _differs(name: str, cv_value: Any, source_value: Any) -> bool:
    if source_value in (None, "", []):
        return False  # a source that does not know a value never proposes to erase it
    if cv_value in (None, "", []):
        return True
    if name == "authors":
        if len(cv_value) != len(source_value):
            return True
        return not all(same_person_name(a, b) for a, b in zip(cv_value, source_value, strict=True))
    if name == "pages":
        return str(cv_value).replace("--", "-").replace("–", "-") != str(source_value).replace("--", "-").replace("–", "-")
    return cv_value != source_value


def _field_reason(name: str, cv_value: Any, source_value: Any, source: str) -> str:
    if cv_value in (None, "", []):
        return f"{source} has {name} {_show(source_value)}; the CV has none"
    if name == "title" and normalize_title(cv_value) == normalize_title(source_value):
        return f"{source} writes the title differently (capitalisation or punctuation only)"
    if name == "authors":
        added = [a for a in source_value if not any(same_person_name(a, b) for b in cv_value)]
        dropped = [a for a in cv_value if not any(same_person_name(a, b) for b in source_value)]
        parts = [f"{len(cv_value)} authors in the CV, {len(source_value)} on {source}"]
        if added:
            parts.append("added: " + ", ".join(added))
        if dropped:
            parts.append("not on " + source + ": " + ", ".join(dropped))
        if not added and not dropped:
            parts.append("order differs")
        return "; ".join(parts)
    return f"{name}: CV has {_show(cv_value)}, {source} has {_show(source_value)}"


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return f'"{value}"' if isinstance(value, str) else str(value)


def _ranked(sources: Sequence[str], policy: Policy, name: str) -> list[str]:
    order = list(policy.precedence.get(name, ()))
    return [s for s in order if s in sources] + [s for s in sources if s not in order]


def compute(data: DiffInput) -> DiffResult:
    cv = data.cv
    sources = [s for s in SOURCE_NAMES if s in data.snapshots]
    changes: list[Change] = []
    matchings: dict[str, SourceMatching] = {}
    # (cv_key, field) -> {source: (value, work, score)}
    proposals: dict[tuple[str, str], dict[str, tuple[Any, Work, MatchScore]]] = defaultdict(dict)
    versions: dict[str, dict[str, tuple[Work, MatchScore]]] = defaultdict(dict)
    present: dict[str, dict[str, bool]] = {w.key or "": {"cv": True} for w in cv.works}
    clusters = WorkClusters()  # the works the CV lacks, one cluster per work across sources
    cv_notes: list[Change] = []  # the CV lists one work twice, as each source shows it
    known_as: list[Work] = []  # the sources' records of CV works, carrying the CV key
    # What the researcher works on and with whom, for namesake tests: parsed once per diff.
    judge = AuthorshipJudge.for_person(data.person, coauthors=data.coauthors, topics=tuple(w.title for w in cv.works))
    cv_prep = [prepare(w) for w in cv.works]  # the CV's comparison forms, shared by every source
    ignored = 0

    for source in sources:
        snapshot = data.snapshots[source]
        works = [w for w in snapshot.works if w.type is not WorkType.SOFTWARE]
        kept = [w for w in works if not any(rule.matches(w, source) for rule in cv.ignore)]
        ignored += len(works) - len(kept)
        params = data.params.for_source(source)
        src_prep = [prepare(w) for w in kept]
        matching = match_works(cv.works, kept, params, cv_prep=cv_prep, src_prep=src_prep)
        matchings[source] = matching
        for pair in matching.pairs:
            cv_work, src_work = cv.works[pair.cv_index], kept[pair.source_index]
            key = cv_work.key or ""
            present[key][source] = True
            known_as.append(src_work.with_(key=key))
            if is_preprint(cv_work) and src_work.type in PUBLISHED_TYPES:
                versions[key][source] = (src_work, pair.score)
                continue
            if pair.version:
                continue  # the CV's published work paired with the source's preprint: a preprint proposes nothing
            locks = cv.locks.get(key, frozenset())
            for name in WORK_FIELDS:
                if name in locks or (name in ("doi", "arxiv") and "ids" in locks):
                    continue
                if src_work.extra.get(f"{name}_truncated"):
                    continue  # Scholar cuts long titles and author lists; a cut value proposes nothing
                proposals[(key, name)][source] = (_value(src_work, name), src_work, pair.score)
        other_forms = _second_listings(source, matching, cv, kept, versions, present, changes)
        cv_notes.extend(_cv_listed_twice(source, matching, cv, params))
        for index in matching.unmatched_source:
            work = kept[index]
            if index in other_forms:
                continue  # the other form (preprint or published) of a CV work: nothing to add
            authorship = judge(work)
            if not authorship.is_researcher:
                changes.append(
                    Change(
                        ChangeKind.FOREIGN_WORK,
                        source,
                        f"not the researcher's: {authorship.reason}; add it to the CV's ignore list",
                        work=work,
                    )
                )
                continue
            again = clusters.add(work, src_prep[index], source, params)
            if again is not None:
                changes.append(_duplicate_change(source, work, again.first, again.score))
        if source in data.suspicious:
            continue
        listed_twice = {p.cv_index for p in matching.cv_second_listings}
        for index in matching.unmatched_cv:
            cv_work = cv.works[index]
            if source == "github" or index in listed_twice:
                continue
            changes.append(
                Change(
                    ChangeKind.MISSING_IN_SOURCE,
                    source,
                    f'"{clean_title(cv_work.title)}" ({cv_work.year or "no year"}) is in the CV but not on {source}',
                    cv_key=cv_work.key,
                    cv_value=clean_title(cv_work.title),
                )
            )

    changes.extend(_merge_cv_notes(cv_notes))
    changes.extend(_version_changes(cv, versions, data.policy))
    changes.extend(_field_changes(cv, proposals, data.policy, frozenset(versions)))
    software_changes, linked = _software_changes(cv, data.snapshots.get("github"), clusters, data.params, known_as)
    changes.extend(software_changes)
    for key in linked:
        present.setdefault(key, {"cv": True})["github"] = True
    new_works = clusters.clusters
    for new in new_works:
        work, source, also = new.work, new.source, new.also_in
        ids = ", ".join(f"{k} {v}" for k, v in work.ids.items() if k != "url")
        changes.append(
            Change(
                ChangeKind.MISSING_IN_CV,
                source,
                f'{source} lists "{clean_title(work.title)}" ({work.venue_acronym or work.venue or work.type.value}, {work.year or "no year"})'
                + (f" [{ids}]" if ids else "")
                + ("; also on " + ", ".join(also) if also else "")
                + "; the CV lacks it",
                work=work,
                also_in=tuple(also),
            )
        )
    changes.extend(_profile_changes(cv.person, data.snapshots, data.policy, sources))
    changes.extend(_metric_changes(data.snapshots, data.history))

    kept_changes, suppressed = _apply_decisions(changes, data.decisions)
    kept_changes.sort(key=lambda c: (KIND_ORDER.index(c.kind), SOURCE_NAMES.index(c.source) if c.source in SOURCE_NAMES else 99, c.subject, c.field or ""))
    coverage = _coverage(cv, present, new_works)
    return DiffResult(tuple(kept_changes), matchings, coverage, suppressed, ignored)


def _label(work: Work) -> str:
    """ "Title" (venue, year) as the source writes them."""
    return f'"{clean_title(work.title)}" ({work.venue or work.venue_acronym or work.type.value}, {work.year or "no year"})'


def _duplicate_change(source: str, work: Work, first: Work, score: MatchScore, cv_key: str | None = None) -> Change:
    """``source`` lists one work twice: ``work`` and ``first``, both records of that source."""
    return Change(
        ChangeKind.DUPLICATE_IN_SOURCE,
        source,
        f"{source} lists {_label(work)} and {_label(first)} separately ({score.explain()})"
        + (f"; both are the CV's {cv_key}" if cv_key else "")
        + f": merge them on {source}",
        cv_key=cv_key,
        work=work,
        source_value=clean_title(first.title),
        match=score,
    )


def _second_listings(
    source: str,
    matching: SourceMatching,
    cv: CvRecord,
    kept: Sequence[Work],
    versions: dict[str, dict[str, tuple[Work, MatchScore]]],
    present: dict[str, dict[str, bool]],
    changes: list[Change],
) -> set[int]:
    """Source works beside the record a CV work paired with: a duplicate of that record (one work
    listed twice) is reported; the published form of a CV preprint is its new version; the other
    form of a CV work (DBLP's CoRR copy of a published paper) adds nothing. Returns the indexes of
    the other forms, which are no missing work. Any other second listing (a journal extension with
    the conference paper's title) stays unmatched: it is a work of its own."""
    duplicate_of = {d.source_index: d for d in matching.duplicates}
    other_forms: set[int] = set()
    for listing in matching.second_listings:
        work, cv_work = kept[listing.source_index], cv.works[listing.cv_index]
        key = cv_work.key or ""
        if (listing.version or listing.source_index in duplicate_of) and is_preprint(cv_work) and work.type in PUBLISHED_TYPES:
            versions[key].setdefault(source, (work, listing.score))
        dup = duplicate_of.get(listing.source_index)
        if dup is not None:
            changes.append(_duplicate_change(source, work, kept[dup.duplicate_of], dup.score, cv_work.key))
        elif listing.version:
            other_forms.add(listing.source_index)
            present[key][source] = True
    return other_forms


def _cv_listed_twice(source: str, matching: SourceMatching, cv: CvRecord, params: MatchParams) -> list[Change]:
    """CV works left without a partner because the source's record of them is paired with another
    CV entry that is the same work (its preprint and its published form, or a second copy)."""
    owner = {p.source_index: p.cv_index for p in matching.pairs}
    out = []
    for listing in matching.cv_second_listings:
        this, other = cv.works[listing.cv_index], cv.works[owner[listing.source_index]]
        same = same_listing(this, other, prepare(this), prepare(other), replace(params, versions_apart=False))
        if same is None:
            continue
        pre, pub = (this, other) if is_preprint(this) and not is_preprint(other) else (other, this) if is_preprint(other) and not is_preprint(this) else (None, None)
        # The evidence is in the match explanation; the reason names the two entries.
        if pre is not None and pub is not None:
            what = f"the CV lists the preprint {pre.key} and its published version {pub.key} separately"
        else:
            what = f'the CV lists "{clean_title(this.title)}" twice, as {other.key} and {this.key}'
        out.append(
            Change(
                ChangeKind.DUPLICATE_IN_CV,
                source,
                f"{what}; {source} has them as one work: keep one entry",
                cv_key=this.key,
                cv_value=sorted(k for k in (this.key, other.key) if k),
                match=same,
            )
        )
    return out


def _merge_cv_notes(notes: Sequence[Change]) -> list[Change]:
    """One note per pair of CV keys, naming every source that shows it."""
    by_keys: dict[tuple[str, ...], list[Change]] = {}
    for note in notes:
        by_keys.setdefault(tuple(note.cv_value), []).append(note)
    out = []
    for group in by_keys.values():
        first = group[0]
        also = tuple(dict.fromkeys(n.source for n in group[1:] if n.source != first.source))
        out.append(replace(first, also_in=also) if also else first)
    return out


def _keyed(cv: CvRecord) -> dict[str, Work]:
    """The CV's works by key, the first of a key winning as in ``CvRecord.by_key`` (a linear
    scan, too slow once per proposal on a long CV)."""
    out: dict[str, Work] = {}
    for work in cv.works:
        if work.key is not None:
            out.setdefault(work.key, work)
    return out


def _version_changes(cv: CvRecord, versions: Mapping[str, Mapping[str, tuple[Work, MatchScore]]], policy: Policy) -> list[Change]:
    out = []
    keyed = _keyed(cv)
    for key, by_source in versions.items():
        ranked = _ranked(list(by_source), policy, "title")
        top = ranked[0]
        work, score = by_source[top]
        cv_work = keyed.get(key)
        assert cv_work is not None
        # The preprint's arXiv id stays with the published record: from the CV, or from any source
        # that links the two (ORCID lists it as a version-of id).
        arxiv = cv_work.ids.arxiv or next((w.ids.arxiv for s in ranked for w, _ in [by_source[s]] if w.ids.arxiv), None)
        keep = f"; keep arXiv {arxiv}" if arxiv else ""
        if arxiv and not work.ids.arxiv:
            work = work.with_(ids=work.ids.merged(ExternalIds(arxiv=arxiv)))
        out.append(
            Change(
                ChangeKind.NEW_VERSION,
                top,
                f'the CV\'s preprint "{clean_title(cv_work.title)}" was published as "{clean_title(work.title)}" '
                f"({work.venue or work.venue_acronym}, {work.year}; {len(cv_work.authors)} -> {len(work.authors)} authors; {score.explain()}){keep}",
                cv_key=key,
                cv_value={"title": clean_title(cv_work.title), "venue": cv_work.venue_acronym, "year": cv_work.year, "authors": [a.name for a in cv_work.authors]},
                source_value={
                    "title": clean_title(work.title),
                    "venue": work.venue or work.venue_acronym,
                    "year": work.year,
                    "authors": [strip_dblp_suffix(a.name) for a in work.authors],
                    **({"doi": work.ids.doi} if work.ids.doi else {}),
                    **({"arxiv": arxiv} if arxiv else {}),
                },
                work=work,
                match=score,
                also_in=tuple(ranked[1:]),
            )
        )
    return out


def _field_changes(cv: CvRecord, proposals: Mapping[tuple[str, str], Mapping[str, tuple[Any, Work, MatchScore]]], policy: Policy, version_keys: frozenset[str]) -> list[Change]:
    out = []
    # An identifier another CV entry carries is never proposed (ORCID files the arXiv id of a
    # preprint the CV lists separately under the published work).
    held = {(name, str(getattr(w.ids, name)).lower()): w.key for w in cv.works for name in ("doi", "arxiv") if getattr(w.ids, name)}
    keyed = _keyed(cv)
    for (key, name), by_source in proposals.items():
        cv_work = keyed.get(key)
        assert cv_work is not None
        cv_value = _value(cv_work, name)
        ranked = [s for s in _ranked(list(by_source), policy, name) if by_source[s][0] not in (None, "", [])]
        if not ranked:
            continue
        winner = ranked[0]
        value, work, score = by_source[winner]
        if name == "venue":
            # By identity: "SIGMOD Conference", "SIGMOD" and the long name are one venue.
            if cv_value not in (None, "") and venue_of(cv_work).same_as(venue_of(work)):
                continue
        elif not _differs(name, cv_value, value):
            continue
        if key in version_keys:
            continue  # the new_version change already proposes the published record
        if name in ("doi", "arxiv") and held.get((name, str(value).lower()), key) != key:
            continue
        if name == "title" and winner == "scholar" and normalize_title(cv_value or "") == normalize_title(value):
            continue  # Scholar lower-cases and recases titles; a case-only difference from it is noise
        if name == "venue":
            agree = tuple(s for s in ranked[1:] if venue_of(by_source[s][1]).same_as(venue_of(work)))
        else:
            agree = tuple(s for s in ranked[1:] if not _differs(name, value, by_source[s][0]))
        out.append(
            Change(
                ChangeKind.FIELD_DIFFERS,
                winner,
                _field_reason(name, cv_value, value, winner) + (f" (also {', '.join(agree)})" if agree else ""),
                cv_key=key,
                field=name,
                cv_value=cv_value,
                source_value=value,
                work=work,
                match=score,
                also_in=agree,
            )
        )
    return out


def _software_changes(
    cv: CvRecord, snapshot: Snapshot | None, clusters: WorkClusters, params: MatchParams, known_as: Sequence[Work] = ()
) -> tuple[list[Change], set[str]]:
    """Repositories linked to CV papers: offer ``code:``; a repo citing an unknown paper is evidence.

    Repositories are linked against the CV works and against the sources' records of them
    (``known_as``, carrying the CV key): a repository citing the published title or the DOI that
    only DBLP knows still finds its CV entry.
    """
    if snapshot is None:
        return [], set()
    software = [w for w in snapshot.works if w.type is WorkType.SOFTWARE]
    if not software:
        return [], set()
    from profilesync.diff.software import link_software

    out: list[Change] = []
    linked: set[str] = set()
    best: dict[str, Any] = {}
    for link in link_software([*cv.works, *known_as], software):
        held = best.get(link.repo)
        if held is None or (held.cv_key is None and link.cv_key) or (bool(held.cv_key) == bool(link.cv_key) and link.score > held.score):
            best[link.repo] = link
    for link in best.values():
        repo_work = next((w for w in software if (w.ids.github or "").lower() == link.repo.lower()), None)
        repo_url = repo_work.url if repo_work is not None and repo_work.url else f"https://github.com/{link.repo}"
        if link.cv_key:
            linked.add(link.cv_key)
            cv_work = cv.by_key(link.cv_key)
            if cv_work is not None and not cv_work.ids.github and "code" not in cv.locks.get(link.cv_key, frozenset()):
                out.append(
                    Change(
                        ChangeKind.FIELD_DIFFERS,
                        "github",
                        f"repository {repo_url.split('github.com/')[-1]} implements this paper (linked by {link.how}); add code: {repo_url}",
                        cv_key=link.cv_key,
                        field="code",
                        cv_value=None,
                        source_value=repo_url,
                        work=repo_work,
                        match=MatchScore(
                            link.score,
                            Tier.STRONG if link.how in ("doi", "arxiv") else Tier.PROBABLE,
                            str(link.how),
                            (Feature("link", link.score, 1.0, f"the repository cites this paper by {link.how}"),),
                        ),
                    )
                )
            continue
        cited = link.cited or {}
        if not cited.get("title") and not cited.get("doi") and not cited.get("arxiv"):
            continue
        paper = Work(title=str(cited.get("title") or ""), year=cited.get("year"), ids=ExternalIds(doi=cited.get("doi"), arxiv=cited.get("arxiv")))
        for k, new in enumerate(clusters.clusters):
            if score_pair(new.work, paper, params).tier is not Tier.NONE:
                clusters.mark_also(k, "github")
                break
    return out, linked


def _norm_url(url: str | None) -> str:
    if not url:
        return ""
    text = url.strip().lower()
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text.removeprefix("www.").rstrip("/")


def _profile_changes(cv_person: Person, snapshots: Mapping[str, Snapshot], policy: Policy, sources: Sequence[str]) -> list[Change]:
    out = []
    checks = {
        "homepage": (lambda p: p.homepage, lambda a, b: _norm_url(a) == _norm_url(b)),
        "affiliation": (lambda p: p.affiliation, lambda a, b: fuzz.token_set_ratio(a.lower(), b.lower()) >= 85),
        "name": (lambda p: p.name, lambda a, b: same_person_name(a, b)),
    }
    for name, (get, same) in checks.items():
        values = {s: get(snapshots[s].person) for s in sources if snapshots[s].person is not None and get(snapshots[s].person)}
        if not values:
            continue
        cv_value = get(cv_person)
        for source in _ranked(list(values), policy, name):
            value = values[source]
            if cv_value and same(cv_value, value):
                continue
            out.append(
                Change(
                    ChangeKind.PROFILE_DIFFERS,
                    source,
                    f"{name}: CV has {_show(cv_value) if cv_value else 'none'}, {source} has {_show(value)}",
                    field=name,
                    cv_value=cv_value,
                    source_value=value,
                )
            )
    return out


def _metric_changes(snapshots: Mapping[str, Snapshot], history: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[Change]:
    out = []
    for source, entries in history.items():
        snapshot = snapshots.get(source)
        if snapshot is None or snapshot.metrics.is_empty():
            continue
        current = snapshot.metrics.to_dict()
        # The latest history entry older than the snapshot is "last time".
        from profilesync.model import format_time

        stamp = format_time(snapshot.fetched_at)
        earlier = [e for e in entries if str(e.get("fetched_at", "")) < stamp]
        if not earlier:
            continue
        before = earlier[-1]
        for name in ("citations", "h_index", "i10_index"):
            old, new = before.get(name), current.get(name)
            if old is None or new is None or old == new:
                continue
            out.append(
                Change(
                    ChangeKind.METRIC_CHANGED,
                    source,
                    f"{name.replace('_', '-')} {old} -> {new} (since {str(before.get('fetched_at'))[:10]})",
                    field=name,
                    cv_value=old,
                    source_value=new,
                )
            )
    return out


def _apply_decisions(changes: Sequence[Change], decisions: Mapping[str, DecisionRecord]) -> tuple[list[Change], int]:
    kept, suppressed = [], 0
    for change in changes:
        record = decisions.get(change.fingerprint)
        if record and record.decision in (Decision.REJECTED, Decision.IGNORED) and record.value_digest == change.value_digest:
            suppressed += 1
            continue
        if record and record.decision is Decision.ACCEPTED and record.applied and record.value_digest == change.value_digest:
            # An applied decision explains, it never hides what the CV no longer carries: quiet
            # only while the CV still holds the applied value; after the CV is restored from its
            # backup (or edited back by hand) the change is proposed again.
            if change.cv_value is not None and digest_value(change.cv_value) == record.value_digest:
                suppressed += 1
                continue
            change = replace(change, reason=f"{change.reason} (applied {record.decided_at[:10]}, but the CV no longer holds it)")
        kept.append(change)
    return kept, suppressed


def _coverage(cv: CvRecord, present: Mapping[str, Mapping[str, bool]], new_works: Sequence[Cluster]) -> tuple[CoverageRow, ...]:
    columns = ("cv", *SOURCE_NAMES)
    rows = []
    for work in cv.works:
        seen = present.get(work.key or "", {})
        rows.append(CoverageRow(work.key, clean_title(work.title), work.year, {c: bool(seen.get(c, False)) for c in columns}))
    for new in new_works:
        work, found = new.work, {new.source, *new.also_in}
        rows.append(CoverageRow(None, clean_title(work.title), work.year, {c: c in found for c in columns}))
    return tuple(rows)
