"""The three-way compare: the CV, each source's snapshot, and the researcher's past decisions.

For every source the matcher pairs the source's works with the CV's, once per source table
(:func:`~profilesync.match.matcher.match_works`, the CV's comparison forms prepared once). Then
:func:`decide` yields typed decisions (:mod:`profilesync.diff.decisions`), one commented branch
per case:

- a paired work whose fields differ yields ``field_differs`` (or ``new_version`` when a CV
  preprint was published), but only from the source that wins that field under the precedence
  policy: a truncated Scholar title never overrides DBLP's;
- an unpaired source work is ``foreign_work`` when the researcher is not among its authors, and
  ``missing_in_cv`` otherwise (one change per work, naming every source that lists it: the
  clusters of :mod:`profilesync.match.clusters`);
- an unpaired CV work is ``missing_in_source`` for that source, unless the source's last pull
  was suspicious (far fewer works than before), which must never drive removals;
- profile fields and Scholar metrics are compared last.

:func:`~profilesync.diff.describe.describe` writes each decision's sentence. Changes the
researcher rejected or ignored are dropped while the source's value stays the same.

No source is named here: what differs between sources (versions kept apart, titles recased, a
listing of software rather than papers) comes from the flags of its ``MatchParams``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz

from profilesync.config import SOURCE_NAMES, Policy
from profilesync.cv.record import CvRecord
from profilesync.diff.changes import KIND_ORDER, Change, digest_value
from profilesync.diff.decisions import (
    CodeLink,
    Decision,
    DuplicateInCv,
    DuplicateInSource,
    FieldDiffers,
    ForeignWork,
    MetricChanged,
    MissingInCv,
    MissingInSource,
    NewVersion,
    ProfileDiffers,
    Proposal,
    Sighting,
)
from profilesync.diff.describe import describe
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
from profilesync.state import Decision as Verdict
from profilesync.state import DecisionRecord

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


@dataclass
class Ledger:
    """What the per-source pass gathers for the decisions that need every source, and for the
    result (matchings, coverage). Filled during one :func:`decide`, hence not frozen; what it
    holds are frozen values (:class:`Proposal`, :class:`Sighting`)."""

    matchings: dict[str, SourceMatching] = field(default_factory=dict)
    # (cv key, field) -> source -> that source's value
    proposals: dict[tuple[str, str], dict[str, Proposal]] = field(default_factory=lambda: defaultdict(dict))
    # cv key of a CV preprint -> source -> its published record there
    versions: dict[str, dict[str, Sighting]] = field(default_factory=lambda: defaultdict(dict))
    present: dict[str, dict[str, bool]] = field(default_factory=dict)  # cv key -> source -> listed
    clusters: WorkClusters = field(default_factory=WorkClusters)  # the works the CV lacks
    cv_twice: list[DuplicateInCv] = field(default_factory=list)  # as each source shows it
    # (CV key, a source's record of that CV work): read only when a source lists software
    known_as: list[tuple[str, Work]] = field(default_factory=list)
    ignored: int = 0


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


def _ranked(sources: Sequence[str], policy: Policy, name: str) -> list[str]:
    order = list(policy.precedence.get(name, ()))
    return [s for s in order if s in sources] + [s for s in sources if s not in order]


def _cut(work: Work, name: str) -> bool:
    """The source marked this field of its record as cut short (Scholar's long titles and author lists)."""
    return name in work.cut


def compute(data: DiffInput) -> DiffResult:
    """Every decision of :func:`decide`, described, filtered by the researcher's decisions, in report order."""
    cv = data.cv
    ledger = Ledger(present={w.key or "": {"cv": True} for w in cv.works})
    changes = [describe(d) for d in decide(data, ledger)]
    kept_changes, suppressed = _apply_decisions(changes, data.decisions)
    kept_changes.sort(key=lambda c: (KIND_ORDER.index(c.kind), SOURCE_NAMES.index(c.source) if c.source in SOURCE_NAMES else 99, c.subject, c.field or ""))
    coverage = _coverage(cv, ledger.present, ledger.clusters.clusters)
    return DiffResult(tuple(kept_changes), ledger.matchings, coverage, suppressed, ledger.ignored)


def decide(data: DiffInput, ledger: Ledger) -> Iterator[Decision]:
    """The diff's decisions, in the order the report's ties keep: each source's own findings as
    its table is matched, then those that need every source."""
    cv = data.cv
    sources = [s for s in SOURCE_NAMES if s in data.snapshots]
    # What the researcher works on and with whom, for namesake tests: parsed once per diff.
    judge = AuthorshipJudge.for_person(data.person, coauthors=data.coauthors, topics=tuple(w.title for w in cv.works))
    cv_prep = [prepare(w) for w in cv.works]  # the CV's comparison forms, shared by every source
    params_of = {source: data.params.for_source(source) for source in sources}

    for source in sources:
        params = params_of[source]
        works = [w for w in data.snapshots[source].works if w.type is not WorkType.SOFTWARE]
        kept = [w for w in works if not any(rule.matches(w, source) for rule in cv.ignore)]
        ledger.ignored += len(works) - len(kept)
        src_prep = [prepare(w) for w in kept]
        matching = match_works(cv.works, kept, params, cv_prep=cv_prep, src_prep=src_prep)
        ledger.matchings[source] = matching
        _gather_pairs(source, matching, cv, kept, ledger)
        other_forms, duplicates = _second_listings(source, matching, cv, kept, ledger)
        yield from duplicates
        ledger.cv_twice.extend(_cv_listed_twice(source, matching, cv, params))
        for index in matching.unmatched_source:
            work = kept[index]
            if index in other_forms:
                continue  # the other form (preprint or published) of a CV work: nothing to add
            authorship = judge(work)
            if not authorship.is_researcher:
                # Another person's work under the researcher's name (a namesake, a DBLP homonym).
                yield ForeignWork(source, work, authorship.reason)
                continue
            again = ledger.clusters.add(work, src_prep[index], source, params)
            if again is not None:
                # The source lists this work twice (both records unpaired: the CV lacks it).
                yield DuplicateInSource(source, work, again.first, again.score)
            # Otherwise the work joined (or started) its cluster: one missing_in_cv, below.
        if source in data.suspicious:
            continue  # a pull with far fewer works than before never drives removals
        if not params.lists_papers:
            continue  # a listing of repositories: a CV paper absent from it is not missing there
        listed_twice = {p.cv_index for p in matching.cv_second_listings}
        for index in matching.unmatched_cv:
            if index in listed_twice:
                continue  # the CV's second entry of a work the source holds once (duplicate_in_cv)
            yield MissingInSource(source, cv.works[index])

    # The CV lists one work twice: one decision per pair of entries, naming every source that shows it.
    yield from _merge_cv_twice(ledger.cv_twice)
    # A CV preprint that a source lists as published.
    yield from _new_versions(cv, ledger.versions, data.policy)
    # A paired work's field, as the winning source writes it.
    yield from _field_decisions(cv, ledger.proposals, data.policy, frozenset(ledger.versions), params_of)
    # Repositories that implement CV papers, from a source that lists software.
    software_source = next((s for s in sources if params_of[s].lists_software), None)
    if software_source is not None:
        links, linked = _software_links(cv, software_source, data.snapshots[software_source], ledger, data.params)
        yield from links
        for key in linked:
            ledger.present.setdefault(key, {"cv": True})[software_source] = True
    # The works the CV lacks, one per cluster.
    for cluster in ledger.clusters.clusters:
        yield MissingInCv(cluster)
    yield from _profile_decisions(cv.person, data.snapshots, data.policy, sources)
    yield from _metric_decisions(data.snapshots, data.history)


def _gather_pairs(source: str, matching: SourceMatching, cv: CvRecord, kept: Sequence[Work], ledger: Ledger) -> None:
    """Record what each pair proposes: a published form of a CV preprint, or its field values."""
    for pair in matching.pairs:
        cv_work, src_work = cv.works[pair.cv_index], kept[pair.source_index]
        key = cv_work.key or ""
        ledger.present[key][source] = True
        ledger.known_as.append((key, src_work))
        if is_preprint(cv_work) and src_work.type in PUBLISHED_TYPES:
            ledger.versions[key][source] = Sighting(src_work, pair.score)
            continue
        if pair.version:
            continue  # the CV's published work paired with the source's preprint: a preprint proposes nothing
        locks = cv.locks.get(key, frozenset())
        for name in WORK_FIELDS:
            if name in locks or (name in ("doi", "arxiv") and "ids" in locks):
                continue
            if _cut(src_work, name):
                continue  # a value the source cut short proposes nothing
            ledger.proposals[(key, name)][source] = Proposal(_value(src_work, name), src_work, pair.score)


def _second_listings(source: str, matching: SourceMatching, cv: CvRecord, kept: Sequence[Work], ledger: Ledger) -> tuple[set[int], list[DuplicateInSource]]:
    """Source works beside the record a CV work paired with: a duplicate of that record (one work
    listed twice) is reported; the published form of a CV preprint is its new version; the other
    form of a CV work (DBLP's CoRR copy of a published paper) adds nothing. Returns the indexes of
    the other forms, which are no missing work, and the duplicates. Any other second listing (a
    journal extension with the conference paper's title) stays unmatched: it is a work of its own."""
    duplicate_of = {d.source_index: d for d in matching.duplicates}
    other_forms: set[int] = set()
    duplicates: list[DuplicateInSource] = []
    for listing in matching.second_listings:
        work, cv_work = kept[listing.source_index], cv.works[listing.cv_index]
        key = cv_work.key or ""
        if (listing.version or listing.source_index in duplicate_of) and is_preprint(cv_work) and work.type in PUBLISHED_TYPES:
            ledger.versions[key].setdefault(source, Sighting(work, listing.score))
        dup = duplicate_of.get(listing.source_index)
        if dup is not None:
            duplicates.append(DuplicateInSource(source, work, kept[dup.duplicate_of], dup.score, cv_work.key))
        elif listing.version:
            other_forms.add(listing.source_index)
            ledger.present[key][source] = True
    return other_forms, duplicates


def _cv_listed_twice(source: str, matching: SourceMatching, cv: CvRecord, params: MatchParams) -> list[DuplicateInCv]:
    """CV works left without a partner because the source's record of them is paired with another
    CV entry that is the same work (its preprint and its published form, or a second copy)."""
    owner = {p.source_index: p.cv_index for p in matching.pairs}
    out = []
    for listing in matching.cv_second_listings:
        this, other = cv.works[listing.cv_index], cv.works[owner[listing.source_index]]
        same = same_listing(this, other, prepare(this), prepare(other), replace(params, versions_apart=False))
        if same is not None:
            out.append(DuplicateInCv(source, this, other, same))
    return out


def _merge_cv_twice(notes: Sequence[DuplicateInCv]) -> list[DuplicateInCv]:
    """One decision per pair of CV keys, the first source's, naming every other source that shows it."""
    by_keys: dict[tuple[str, ...], list[DuplicateInCv]] = {}
    for note in notes:
        by_keys.setdefault(note.keys, []).append(note)
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


def _new_versions(cv: CvRecord, versions: Mapping[str, Mapping[str, Sighting]], policy: Policy) -> Iterator[NewVersion]:
    keyed = _keyed(cv)
    for key, by_source in versions.items():
        ranked = _ranked(list(by_source), policy, "title")
        top = ranked[0]
        work, score = by_source[top].work, by_source[top].score
        cv_work = keyed.get(key)
        assert cv_work is not None
        # The preprint's arXiv id stays with the published record: from the CV, or from any source
        # that links the two (ORCID lists it as a version-of id).
        arxiv = cv_work.ids.arxiv or next((by_source[s].work.ids.arxiv for s in ranked if by_source[s].work.ids.arxiv), None)
        if arxiv and not work.ids.arxiv:
            work = work.with_(ids=work.ids.merged(ExternalIds(arxiv=arxiv)))
        yield NewVersion(top, cv_work, work, score, arxiv, tuple(ranked[1:]))


def _field_decisions(
    cv: CvRecord,
    proposals: Mapping[tuple[str, str], Mapping[str, Proposal]],
    policy: Policy,
    version_keys: frozenset[str],
    params_of: Mapping[str, MatchParams],
) -> Iterator[FieldDiffers]:
    # An identifier another CV entry carries is never proposed (ORCID files the arXiv id of a
    # preprint the CV lists separately under the published work).
    held = {(name, str(getattr(w.ids, name)).lower()): w.key for w in cv.works for name in ("doi", "arxiv") if getattr(w.ids, name)}
    keyed = _keyed(cv)
    for (key, name), by_source in proposals.items():
        cv_work = keyed.get(key)
        assert cv_work is not None
        cv_value = _value(cv_work, name)
        ranked = [s for s in _ranked(list(by_source), policy, name) if by_source[s].value not in (None, "", [])]
        if not ranked:
            continue  # no source knows a value
        winner = ranked[0]
        proposal = by_source[winner]
        value = proposal.value
        if name == "venue":
            # By identity: "SIGMOD Conference", "SIGMOD" and the long name are one venue.
            if cv_value not in (None, "") and venue_of(cv_work).same_as(venue_of(proposal.work)):
                continue
        elif not _differs(name, cv_value, value):
            continue  # the winning source agrees with the CV
        if key in version_keys:
            continue  # the new_version decision already proposes the published record
        if name in ("doi", "arxiv") and held.get((name, str(value).lower()), key) != key:
            continue  # another CV entry holds this identifier
        if name == "title" and params_of[winner].recases_titles and normalize_title(cv_value or "") == normalize_title(value):
            continue  # the source recases titles; a case-only difference from it is noise
        if name == "venue":
            agree = tuple(s for s in ranked[1:] if venue_of(by_source[s].work).same_as(venue_of(proposal.work)))
        else:
            agree = tuple(s for s in ranked[1:] if not _differs(name, value, by_source[s].value))
        yield FieldDiffers(winner, key, name, cv_value, value, proposal.work, proposal.score, agree)


def _software_links(cv: CvRecord, source: str, snapshot: Snapshot, ledger: Ledger, params: MatchParams) -> tuple[list[CodeLink], set[str]]:
    """Repositories linked to CV papers: offer ``code:``; a repo citing an unknown paper is evidence.

    Repositories are linked against the CV works and against the sources' records of them
    (``known_as``, given the CV key): a repository citing the published title or the DOI that
    only DBLP knows still finds its CV entry. A repository citing a paper the CV lacks marks that
    paper's cluster as also listed by ``source``.
    """
    software = [w for w in snapshot.works if w.type is WorkType.SOFTWARE]
    if not software:
        return [], set()
    from profilesync.diff.software import link_software, repository_of

    out: list[CodeLink] = []
    linked: set[str] = set()
    best: dict[str, Any] = {}
    for link in link_software([*cv.works, *(work.with_(key=key) for key, work in ledger.known_as)], software):
        held = best.get(link.repo)
        if held is None or (held.cv_key is None and link.cv_key) or (bool(held.cv_key) == bool(link.cv_key) and link.score > held.score):
            best[link.repo] = link
    for link in best.values():
        repo_work, repo_url = repository_of(link.repo, software)
        if link.cv_key:
            linked.add(link.cv_key)
            cv_work = cv.by_key(link.cv_key)
            if cv_work is not None and not cv_work.ids.github and "code" not in cv.locks.get(link.cv_key, frozenset()):
                score = MatchScore(
                    link.score,
                    Tier.STRONG if link.how in ("doi", "arxiv") else Tier.PROBABLE,
                    str(link.how),
                    (Feature("link", link.score, 1.0, f"the repository cites this paper by {link.how}"),),
                )
                out.append(CodeLink(source, link.cv_key, repo_url, str(link.how), score, repo_work))
            continue
        cited = link.cited
        if not cited.title and not cited.doi and not cited.arxiv:
            continue
        paper = Work(title=cited.title or "", year=cited.year, ids=ExternalIds(doi=cited.doi, arxiv=cited.arxiv))
        for k, cluster in enumerate(ledger.clusters.clusters):
            if score_pair(cluster.work, paper, params).tier is not Tier.NONE:
                ledger.clusters.mark_also(k, source)
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


def _profile_decisions(cv_person: Person, snapshots: Mapping[str, Snapshot], policy: Policy, sources: Sequence[str]) -> Iterator[ProfileDiffers]:
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
            yield ProfileDiffers(source, name, cv_value, value)


def _metric_decisions(snapshots: Mapping[str, Snapshot], history: Mapping[str, Sequence[Mapping[str, Any]]]) -> Iterator[MetricChanged]:
    from profilesync.model import format_time

    for source, entries in history.items():
        snapshot = snapshots.get(source)
        if snapshot is None or snapshot.metrics.is_empty():
            continue
        current = snapshot.metrics.to_dict()
        # The latest history entry older than the snapshot is "last time".
        stamp = format_time(snapshot.fetched_at)
        earlier = [e for e in entries if str(e.get("fetched_at", "")) < stamp]
        if not earlier:
            continue
        before = earlier[-1]
        for name in ("citations", "h_index", "i10_index"):
            old, new = before.get(name), current.get(name)
            if old is None or new is None or old == new:
                continue
            yield MetricChanged(source, name, old, new, str(before.get("fetched_at")))


def _apply_decisions(changes: Sequence[Change], decisions: Mapping[str, DecisionRecord]) -> tuple[list[Change], int]:
    kept, suppressed = [], 0
    for change in changes:
        record = decisions.get(change.fingerprint)
        if record and record.decision in (Verdict.REJECTED, Verdict.IGNORED) and record.value_digest == change.value_digest:
            suppressed += 1
            continue
        if record and record.decision is Verdict.ACCEPTED and record.applied and record.value_digest == change.value_digest:
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
