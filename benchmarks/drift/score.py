"""Score a ``diff --format json`` report against a drift case's truth.

Per change kind (and per field for field_differs): TP, FP, FN, precision, recall; TPs whose
proposed value is not the right one ("bad value"); wrong rewrites (a field_differs/new_version
whose proposal comes from a DBLP record that is not this CV work's record, i.e. another work's
values); and the false positives sorted into the failure classes of issue 12.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

try:
    from generate import Case, Kind, Truth
except ImportError:  # pragma: no cover
    from .generate import Case, Kind, Truth

KINDS = tuple(k.value for k in Kind)


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    bad_value: int = 0

    def add(self, other: Tally) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.bad_value += other.bad_value

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Score:
    rows: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    wrong_rewrites: int = 0
    fp_classes: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    failure: str | None = None  # the run did not produce a report (e.g. the CV did not load)
    unscored: Counter = field(default_factory=Counter)

    def add(self, other: Score) -> None:
        for name, tally in other.rows.items():
            self.rows[name].add(tally)
        self.wrong_rewrites += other.wrong_rewrites
        self.fp_classes.update(other.fp_classes)
        self.unscored.update(other.unscored)
        for name, items in other.examples.items():
            self.examples[name].extend(items)


def row_name(kind: str, field_: str | None) -> str:
    return f"{kind}:{field_}" if kind == Kind.FIELD_DIFFERS.value else kind


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split()).lower()
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def _example(score: Score, name: str, page: str, text: str, limit: int = 6) -> None:
    if len(score.examples[name]) < limit:
        score.examples[name].append(f"[{page}] {text}")


def score_report(
    case: Case, variant: str, changes: list[dict[str, Any]] | None, failure: str | None = None
) -> Score:
    score = Score()
    truths = list(case.truth)
    for t in truths:
        score.rows[row_name(t.kind.value, t.field)]  # every planted row is shown, even at 0 TP
    if changes is None:
        score.failure = failure or "no report"
        for t in truths:
            score.rows[row_name(t.kind.value, t.field)].fn += 1
        return score

    entry_by_key = {e.key(variant): i for i, e in enumerate(case.entries)}
    allowed: dict[int, set[str]] = {i: set(e.records) for i, e in enumerate(case.entries)}
    for t in truths:
        if t.kind is Kind.NEW_VERSION and t.entry is not None:
            allowed[t.entry].update(t.records)
    found: set[int] = set()

    def find(pred) -> int | None:
        for n, t in enumerate(truths):
            if n not in found and pred(t):
                return n
        for n, t in enumerate(truths):
            if pred(t):
                return -1 - n  # already credited: a repeat of a found change
        return None

    for c in changes:
        if c.get("source") != "dblp" or c.get("kind") not in KINDS:
            score.unscored[c.get("kind", "?")] += 1
            continue
        kind, cv_key, field_ = c["kind"], c.get("cv_key"), c.get("field")
        work_key = ((c.get("work") or {}).get("ids") or {}).get("dblp")
        entry = entry_by_key.get(cv_key) if cv_key else None
        name = row_name(kind, field_)
        label = f"{kind} {cv_key or work_key or ''} {field_ or ''}".strip()

        # Wrong rewrite: a proposal for a CV work taken from a record that is not this work's.
        crossed = False
        if kind in (Kind.FIELD_DIFFERS.value, Kind.NEW_VERSION.value) and entry is not None and work_key:
            if work_key not in allowed[entry]:
                crossed = True
                score.wrong_rewrites += 1
                own = ", ".join(sorted(case.entries[entry].records)) or "none (DBLP lacks this work)"
                _example(
                    score,
                    "wrong rewrites",
                    case.page_id,
                    f"{label}: proposes {c.get('source_value')!r} from {work_key}; this CV work's record is {own}",
                )

        def match(t: Truth, kind=kind, cv_key=cv_key, field_=field_, work_key=work_key) -> bool:
            return _matches(t, case.cv_key(t.entry, variant), kind, cv_key, field_, work_key)

        n = find(match)
        if n is not None and n >= 0:
            found.add(n)
            score.rows[name].tp += 1
            t = truths[n]
            if kind == Kind.FIELD_DIFFERS.value and _norm(c.get("source_value")) != _norm(t.value):
                score.rows[name].bad_value += 1
                _example(
                    score,
                    f"bad value {name}",
                    case.page_id,
                    f"{label}: proposes {c.get('source_value')!r}, DBLP's value is {t.value!r}",
                )
            continue
        score.rows[name].fp += 1
        klass = _fp_class(case, variant, c, entry, work_key, repeat=n is not None, crossed=crossed)
        score.fp_classes[klass] += 1
        _example(score, f"FP {klass}", case.page_id, f"{label}: {c.get('reason', '')[:160]}")

    for n, t in enumerate(truths):
        if n not in found:
            name = row_name(t.kind.value, t.field)
            score.rows[name].fn += 1
            what = case.cv_key(t.entry, variant) or ", ".join(t.records)
            _example(
                score,
                f"FN {name}",
                case.page_id,
                f"{t.kind.value} {what} {t.field or ''} ({t.note or 'planted'})",
            )
    return score


def _matches(
    t: Truth, t_key: str | None, kind: str, cv_key: str | None, field_: str | None, work_key: str | None
) -> bool:
    """Does the reported change (kind, cv_key, field, work's DBLP key) report the planted ``t``?"""
    if t.kind.value != kind:
        return False
    if kind == Kind.FIELD_DIFFERS.value:
        return t_key == cv_key and t.field == field_
    if kind in (Kind.NEW_VERSION.value, Kind.MISSING_IN_SOURCE.value):
        return t_key == cv_key
    if kind == Kind.DUPLICATE_IN_SOURCE.value:
        return work_key in t.records or (cv_key is not None and t_key == cv_key)
    return work_key in t.records


def _fp_class(
    case: Case,
    variant: str,
    c: dict[str, Any],
    entry: int | None,
    work_key: str | None,
    *,
    repeat: bool,
    crossed: bool,
) -> str:
    kind = c["kind"]
    if crossed:
        what = c.get("field") or "record"
        return (
            f"{kind} {what}: crossed pairing, proposes another DBLP record's value"
            if kind == Kind.FIELD_DIFFERS.value
            else f"{kind}: crossed pairing, proposes another DBLP record"
        )
    if repeat:
        return f"{kind}: the same planted change reported again"
    if kind == Kind.FIELD_DIFFERS.value:
        field_ = c.get("field")
        if entry is not None and field_ == "venue":
            own = case.entries[entry]
            record = case.values.get(own.dblp_key or "", {})
            if record and own.fields.get("venue") == record.get("venue"):
                return "field_differs venue: 'correction' of a CV venue that is DBLP's own string"
        if entry is not None and not case.entries[entry].records:
            return f"field_differs {field_}: values proposed for a CV work DBLP lacks"
        return f"field_differs {field_}: unplanted difference"
    if kind == Kind.DUPLICATE_IN_SOURCE.value:
        cluster = case.cluster_of.get(work_key or "")
        if cluster:
            return {
                "pair": "duplicate_in_source: CoRR preprint + published paper called duplicates",
                "extension": "duplicate_in_source: conference paper + extension / Part I + Part II called duplicates",
            }.get(cluster[0], "duplicate_in_source: versions/extensions cluster called duplicates")
        return "duplicate_in_source: unplanted"
    if kind == Kind.MISSING_IN_CV.value:
        if work_key in case.covered:
            return "missing_in_cv: CoRR copy of a work the CV lists in its published form"
        if any(work_key in e.records for e in case.entries):
            return "missing_in_cv: a record the CV lists (not paired)"
        return "missing_in_cv: unplanted"
    if kind == Kind.MISSING_IN_SOURCE.value:
        return "missing_in_source: a CV work DBLP lists (not paired)"
    if kind == Kind.NEW_VERSION.value:
        return "new_version: unplanted (e.g. CV lists both forms, crossed)"
    if kind == Kind.FOREIGN_WORK.value:
        return "foreign_work: the researcher's own record called foreign"
    return f"{kind}: unplanted"


def fmt(value: float | None) -> str:
    return "   -  " if value is None else f"{100 * value:5.1f}%"


def format_table(title: str, score: Score, *, examples: int = 3) -> str:
    lines = [title]
    if score.failure:
        lines.append(f"  FAILED: {score.failure}")
    lines.append(
        f"  {'kind[:field]':<28} {'TP':>4} {'FP':>4} {'FN':>4}  {'prec':>6} {'recall':>6}  {'bad value':>9}"
    )
    order = [row_name(k, None) for k in KINDS if k != Kind.FIELD_DIFFERS.value]
    fd_rows = sorted(n for n in score.rows if n.startswith(Kind.FIELD_DIFFERS.value + ":"))
    total = Tally()
    for name in [*fd_rows, *order]:
        if name not in score.rows:
            continue
        t = score.rows[name]
        total.add(t)
        lines.append(
            f"  {name:<28} {t.tp:>4} {t.fp:>4} {t.fn:>4}  {fmt(t.precision)} {fmt(t.recall)}  {t.bad_value:>9}"
        )
    lines.append(
        f"  {'all':<28} {total.tp:>4} {total.fp:>4} {total.fn:>4}  {fmt(total.precision)} {fmt(total.recall)}  {total.bad_value:>9}"
    )
    lines.append(f"  wrong rewrites (a proposal from another work's record): {score.wrong_rewrites}")
    if score.fp_classes:
        lines.append("  false positives by class:")
        for klass, n in score.fp_classes.most_common():
            lines.append(f"    {n:>4}  {klass}")
    if score.unscored:
        lines.append(
            "  not scored (other kinds/sources): " + ", ".join(f"{k} {n}" for k, n in score.unscored.items())
        )
    if examples:
        for name in sorted(score.examples):
            lines.append(f"  e.g. {name}:")
            for item in score.examples[name][:examples]:
                lines.append(f"      {item}")
    return "\n".join(lines)


def perfect_changes(case: Case, variant: str) -> list[dict[str, Any]]:
    """The report a perfect engine would give for ``case``: exactly the planted changes, each
    proposing DBLP's value from the right record (used to check the scorer itself)."""
    out: list[dict[str, Any]] = []
    for t in case.truth:
        change: dict[str, Any] = {
            "kind": t.kind.value,
            "source": "dblp",
            "cv_key": case.cv_key(t.entry, variant),
            "reason": t.note,
        }
        if t.records:
            record = t.records[-1] if t.kind is Kind.DUPLICATE_IN_SOURCE else t.records[0]
            change["work"] = {"ids": {"dblp": record}}
        if t.kind is Kind.FIELD_DIFFERS:
            change["field"] = t.field
            change["source_value"] = t.value
        if t.kind is Kind.DUPLICATE_IN_SOURCE:
            change["cv_key"] = None
        out.append(change)
    return out
