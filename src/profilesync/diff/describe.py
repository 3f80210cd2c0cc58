"""The one place the diff's sentences are written: each decision becomes the ``Change`` a report shows.

The machine fields of a ``Change`` (kind, source, key, values, evidence) come straight from the
decision; ``reason`` is written here, for people.
"""

from __future__ import annotations

from typing import Any

from profilesync.diff.changes import Change, ChangeKind
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
)
from profilesync.diff.software import repo_label
from profilesync.match.versions import is_preprint
from profilesync.model import Work
from profilesync.normalize.names import same_person_name, strip_dblp_suffix
from profilesync.normalize.text import clean_title, normalize_title


def describe(decision: Decision) -> Change:
    """The ``Change`` for one decision, with its sentence."""
    match decision:
        case ForeignWork(source=source, work=work, why=why):
            return Change(ChangeKind.FOREIGN_WORK, source, f"not the researcher's: {why}; add it to the CV's ignore list", work=work)
        case DuplicateInSource():
            return _duplicate_in_source(decision)
        case DuplicateInCv():
            return _duplicate_in_cv(decision)
        case MissingInSource(source=source, cv_work=cv_work):
            title = clean_title(cv_work.title)
            return Change(
                ChangeKind.MISSING_IN_SOURCE,
                source,
                f'"{title}" ({cv_work.year or "no year"}) is in the CV but not on {source}',
                cv_key=cv_work.key,
                cv_value=title,
            )
        case NewVersion():
            return _new_version(decision)
        case FieldDiffers():
            agree = decision.also_in
            return Change(
                ChangeKind.FIELD_DIFFERS,
                decision.source,
                _field_reason(decision.field, decision.cv_value, decision.value, decision.source) + (f" (also {', '.join(agree)})" if agree else ""),
                cv_key=decision.cv_key,
                field=decision.field,
                cv_value=decision.cv_value,
                source_value=decision.value,
                work=decision.work,
                match=decision.score,
                also_in=agree,
            )
        case CodeLink():
            return Change(
                ChangeKind.FIELD_DIFFERS,
                decision.source,
                f"repository {repo_label(decision.repo_url)} implements this paper (linked by {decision.how}); add code: {decision.repo_url}",
                cv_key=decision.cv_key,
                field="code",
                cv_value=None,
                source_value=decision.repo_url,
                work=decision.work,
                match=decision.score,
            )
        case MissingInCv(cluster=cluster):
            work, source, also = cluster.work, cluster.source, cluster.also_in
            ids = ", ".join(f"{k} {v}" for k, v in work.ids.items() if k != "url")
            return Change(
                ChangeKind.MISSING_IN_CV,
                source,
                f'{source} lists "{clean_title(work.title)}" ({work.venue_acronym or work.venue or work.type.value}, {work.year or "no year"})'
                + (f" [{ids}]" if ids else "")
                + ("; also on " + ", ".join(also) if also else "")
                + "; the CV lacks it",
                work=work,
                also_in=tuple(also),
            )
        case ProfileDiffers(source=source, field=name, cv_value=cv_value, value=value):
            return Change(
                ChangeKind.PROFILE_DIFFERS,
                source,
                f"{name}: CV has {_show(cv_value) if cv_value else 'none'}, {source} has {_show(value)}",
                field=name,
                cv_value=cv_value,
                source_value=value,
            )
        case MetricChanged(source=source, name=name, old=old, new=new, since=since):
            return Change(ChangeKind.METRIC_CHANGED, source, f"{name.replace('_', '-')} {old} -> {new} (since {since[:10]})", field=name, cv_value=old, source_value=new)
    raise TypeError(f"not a diff decision: {decision!r}")  # pragma: no cover - every case is above


def _label(work: Work) -> str:
    """ "Title" (venue, year) as the source writes them."""
    return f'"{clean_title(work.title)}" ({work.venue or work.venue_acronym or work.type.value}, {work.year or "no year"})'


def _duplicate_in_source(d: DuplicateInSource) -> Change:
    return Change(
        ChangeKind.DUPLICATE_IN_SOURCE,
        d.source,
        f"{d.source} lists {_label(d.work)} and {_label(d.first)} separately ({d.score.explain()})"
        + (f"; both are the CV's {d.cv_key}" if d.cv_key else "")
        + f": merge them on {d.source}",
        cv_key=d.cv_key,
        work=d.work,
        source_value=clean_title(d.first.title),
        match=d.score,
    )


def _duplicate_in_cv(d: DuplicateInCv) -> Change:
    this, other = d.this, d.other
    pre: Work | None = None
    pub: Work | None = None
    if is_preprint(this) and not is_preprint(other):
        pre, pub = this, other
    elif is_preprint(other) and not is_preprint(this):
        pre, pub = other, this
    # The evidence is in the match explanation; the reason names the two entries.
    if pre is not None and pub is not None:
        what = f"the CV lists the preprint {pre.key} and its published version {pub.key} separately"
    else:
        what = f'the CV lists "{clean_title(this.title)}" twice, as {other.key} and {this.key}'
    return Change(
        ChangeKind.DUPLICATE_IN_CV,
        d.source,
        f"{what}; {d.source} has them as one work: keep one entry",
        cv_key=this.key,
        cv_value=list(d.keys),
        match=d.score,
        also_in=d.also_in,
    )


def _new_version(d: NewVersion) -> Change:
    cv_work, work, score, arxiv = d.cv_work, d.work, d.score, d.arxiv
    keep = f"; keep arXiv {arxiv}" if arxiv else ""
    return Change(
        ChangeKind.NEW_VERSION,
        d.source,
        f'the CV\'s preprint "{clean_title(cv_work.title)}" was published as "{clean_title(work.title)}" '
        f"({work.venue or work.venue_acronym}, {work.year}; {len(cv_work.authors)} -> {len(work.authors)} authors; {score.explain()}){keep}",
        cv_key=cv_work.key,
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
        also_in=d.also_in,
    )


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
