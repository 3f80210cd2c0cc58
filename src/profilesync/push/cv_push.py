"""``push --to cv``: pick the changes to apply, edit the CV document, and save it safely.

Which changes are applied:

- every change the researcher accepted (``profilesync review``), while the source still says the
  same thing (the decision's value digest matches);
- with ``yes``: also every strong-tier change (a match safe to apply unattended), and every change
  named explicitly with ``only``;
- ``only`` keys (a CV key, the key a new work would get, or a change id from the JSON report)
  restrict all of the above.

Nothing here prints; the command renders the returned ``CvPushOutcome``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from profilesync.cv.formats import CvDocument, open_document
from profilesync.cv.writer import SaveResult, save_document, unified_diff
from profilesync.diff.changes import Change, ChangeKind
from profilesync.errors import Problem, UserError
from profilesync.match.matcher import Tier
from profilesync.push.cv_apply import REPORT_ONLY, AppliedResult, apply_changes, new_key_for
from profilesync.state import Decision, DecisionRecord
from profilesync.writelock import DEFAULT_TIMEOUT_S, file_digest, write_lock

if TYPE_CHECKING:
    from datetime import datetime

    from profilesync.config import Config


@dataclass(frozen=True)
class Selection:
    """The changes chosen for the CV, and how many proposals were left for review."""

    chosen: tuple[Change, ...]
    accepted: frozenset[str]  # fingerprints chosen because the researcher accepted them
    waiting: int  # CV-editing proposals neither accepted nor taken by --yes
    unknown_only: tuple[str, ...]  # --only values that named nothing


@dataclass(frozen=True)
class CvPushOutcome:
    selection: Selection
    applied: AppliedResult
    diff: str
    saved: SaveResult | None  # None on a dry run


def _accepted(change: Change, decisions: Mapping[str, DecisionRecord]) -> bool:
    record = decisions.get(change.fingerprint)
    return bool(record and record.decision is Decision.ACCEPTED and not record.applied and record.value_digest == change.value_digest)


def _names(change: Change, document: CvDocument | None) -> set[str]:
    """The --only values that select ``change``."""
    names = {change.fingerprint}
    if change.cv_key:
        names.add(change.cv_key)
    if change.kind is ChangeKind.MISSING_IN_CV and change.work is not None and document is not None:
        names.add(new_key_for(change.work, document))
    return names


def select_changes(
    changes: Sequence[Change],
    decisions: Mapping[str, DecisionRecord],
    document: CvDocument | None,
    *,
    take_strong: bool,
    only: Iterable[str] = (),
) -> Selection:
    """Choose the changes to apply (see the module docstring for the rules). ``document`` is
    needed only to resolve ``only`` values that name the key a new work would get."""
    wanted = set(only)
    matched: set[str] = set()
    chosen: list[Change] = []
    accepted: set[str] = set()
    waiting = 0
    for change in changes:
        if change.kind in REPORT_ONLY:
            continue
        named = _names(change, document) & wanted if wanted else set()
        matched |= named
        if wanted and not named:
            continue
        if _accepted(change, decisions):
            chosen.append(change)
            accepted.add(change.fingerprint)
        elif take_strong and (named or (change.match is not None and change.match.tier is Tier.STRONG)):
            chosen.append(change)
        else:
            waiting += 1
    return Selection(tuple(chosen), frozenset(accepted), waiting, tuple(sorted(wanted - matched)))


def open_cv(config: Config, label: str | None = None) -> CvDocument:
    return open_document(config.cv_path, config.cv_format, label, person_name=config.name, aliases=config.aliases)


def plan_and_apply(document: CvDocument, changes: Sequence[Change], decisions: Mapping[str, DecisionRecord], *, take_strong: bool, only: Iterable[str] = ()) -> tuple[Selection, AppliedResult, str]:
    """Select, apply to ``document`` in memory, and return the unified diff of the file."""
    selection = select_changes(changes, decisions, document, take_strong=take_strong, only=only)
    applied = apply_changes(document, selection.chosen)
    return selection, applied, unified_diff(document, document.render())


# Diff again (changes, decisions), for a push that finds the CV written by another run.
Recompute = Callable[[], tuple[Sequence[Change], Mapping[str, DecisionRecord]]]


def _changed_since_diff(label: str) -> UserError:
    return UserError(
        [
            Problem(
                label,
                None,
                "the CV changed on disk since the diff was computed (another push, the scheduled run or an editor wrote it); nothing was written",
                "run `profilesync diff` again, then push again",
            )
        ]
    )


def push_to_cv(
    config: Config,
    changes: Sequence[Change],
    decisions: Mapping[str, DecisionRecord],
    *,
    now: datetime,
    take_strong: bool,
    only: Iterable[str] = (),
    dry_run: bool = False,
    label: str | None = None,
    confirm=None,
    expected_digest: str | None = None,
    recompute: Recompute | None = None,
    lock_timeout_s: float = DEFAULT_TIMEOUT_S,
) -> CvPushOutcome:
    """Apply the selected changes to the CV file; on a dry run, only compute the diff.

    ``confirm(diff) -> bool`` (interactive runs) may veto the write. Nothing is written when an
    ``only`` value names no change (a typo must not leave a half-applied push behind). Raises
    ``UserError`` when the CV cannot be read, or the result would be invalid (nothing is written then).

    Concurrent runs (two pushes, a push beside the scheduled one): ``expected_digest`` is the
    ``file_digest`` of the CV taken before ``changes`` were computed (the caller reads it first; by
    default, the digest when this function opens the file). The write happens under the CV's write
    lock (``writelock``): the digest is checked again there and, by ``save_document``, at the
    replace itself. When the CV changed in between, an unattended push (``recompute`` given, no
    ``confirm``) computes its changes again under the lock, from the CV as it now is, so both runs'
    changes land; an interactive one refuses, since the diff the user approved no longer applies.
    Decisions are marked applied only after the replace succeeded, still under the lock. The lock
    is taken only when there is something to write (a run that writes nothing creates no lock
    file); ``LockBusy`` after ``lock_timeout_s``.
    """
    if not only:
        # Without --only, choosing needs no document: when nothing is chosen, the CV is never
        # opened for editing (the round-trip parse is by far the slowest read of a long CV).
        selection = select_changes(changes, decisions, None, take_strong=take_strong)
        if not selection.chosen:
            return CvPushOutcome(selection, AppliedResult(), "", None)
    document = open_cv(config, label)
    expected = expected_digest if expected_digest is not None else file_digest(config.cv_path)
    selection, applied, diff = plan_and_apply(document, changes, decisions, take_strong=take_strong, only=only)
    if dry_run or selection.unknown_only or not applied.changed or (confirm is not None and not confirm(diff)):
        return CvPushOutcome(selection, applied, diff, None)
    with write_lock(config.cache_dir, config.cv_path, document.label, lock_timeout_s):
        current = file_digest(config.cv_path)
        if current != expected:
            if recompute is None or confirm is not None:
                raise _changed_since_diff(document.label)
            # Another run wrote the CV after our diff: diff again, now that no run can write.
            changes, decisions = recompute()
            expected = current
            document = open_cv(config, label)
            selection, applied, diff = plan_and_apply(document, changes, decisions, take_strong=take_strong, only=only)
            # An --only value that named a change in the first diff and names none now is no typo:
            # the other run applied that change. Nothing is left to do for it.
            selection = replace(selection, unknown_only=())
            if not applied.changed:
                return CvPushOutcome(selection, applied, diff, None)
        saved = save_document(document, backup_dir=config.cache_dir / "backups", now=now, expected_digest=expected)
        # Only now, with the file replaced (save_document raises otherwise) and the lock still
        # held, are the decisions marked applied: a refused or failed write leaves them pending.
        _record_applied(config, applied, selection, now)
    return CvPushOutcome(selection, applied, diff, saved)


def _record_applied(config: Config, applied: AppliedResult, selection: Selection, now: datetime) -> None:
    """Remember what was applied, so the next diff does not propose it again."""
    from profilesync.state import State

    state = State(config.cache_dir)
    fresh = [e.change for e in applied.edits if e.change.fingerprint not in selection.accepted]
    if fresh:
        state.record([(c.fingerprint, Decision.ACCEPTED, c.value_digest) for c in fresh], now)
    state.mark_applied([e.change.fingerprint for e in applied.edits])
