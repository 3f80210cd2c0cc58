"""``profilesync push``: apply accepted changes to the CV file, or add missing works to ORCID."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from profilesync.errors import ExitStatus, Problem, UserError

if TYPE_CHECKING:
    from profilesync.app import App
    from profilesync.diff.changes import Change
    from profilesync.push.cv_push import CvPushOutcome
    from profilesync.state import DecisionRecord

DESCRIPTION = """\
Apply changes to the CV file (--to cv), or add the CV's works that ORCID lacks (--to orcid).

--to cv applies the changes you accepted in `profilesync review`. With --yes it also applies
every strong-tier change (a match safe to apply unattended, e.g. a DOI DBLP knows and the CV
lacks) and every change you name with --only. The CV is edited in place: comments, key order,
quoting and fields profilesync does not know are kept; the result is validated before it
replaces the file; the old file is kept under cache/backups/ (the last 10). Nothing is ever
deleted from the CV, and fields listed in an entry's `lock:` are never touched.

Pushes take turns: a push (or the scheduled one, or an export to the same file) writes under the
CV's lock in cache/locks/, and if the CV changed after this push read it, --yes and scheduled runs
diff again on the new CV, while an interactive push stops ("run diff again"). A push that cannot
get the lock within 30 s (PROFILESYNC_LOCK_TIMEOUT_S) stops with exit 2 and writes nothing. A
symlinked CV stays a symlink: the file it points to is updated.

--only KEY (repeatable) limits the push to the changes of one CV entry; KEY is a CV key, the
key a new work will get (shown by --dry-run), or a change id from `diff --format json`.

Examples:
  profilesync push --to cv --dry-run          show the diff of the CV file; write nothing
  profilesync push --to cv --yes              apply accepted and strong-tier changes
  profilesync push --to cv --yes --only wu2023tgs --only zhang2024fast
  profilesync push --to orcid --dry-run       print the ORCID requests without sending them
"""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", required=True, choices=("cv", "orcid"), help="where to push")
    parser.add_argument("--dry-run", "-n", action="store_true", help="show what would change; write and send nothing")
    parser.add_argument("--yes", "-y", action="store_true", help="apply strong-tier and --only changes without review, and do not ask")
    parser.add_argument("--only", action="append", default=[], metavar="KEY", help="only the changes of this CV key / new key / change id (repeatable)")
    parser.add_argument("--source", "-s", action="append", metavar="NAME", help="only changes found against this source (repeatable)")


def run(args: argparse.Namespace, app: App) -> ExitStatus:
    if args.to == "orcid":
        return _run_orcid(args, app)
    return _run_cv(args, app)


def _run_orcid(args: argparse.Namespace, app: App) -> ExitStatus:
    # The ORCID writer is optional in a build; import it only when asked for.
    try:
        importlib.import_module("profilesync.push.orcid")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("profilesync.push.orcid"):
            raise UserError([Problem(None, "--to orcid", "pushing to ORCID is not available in this installation (profilesync.push.orcid is missing)", "use --to cv, or install a profilesync release with the ORCID writer")]) from None
        raise
    from profilesync.commands.push_orcid import run_push

    return run_push(args, app)


def _run_cv(args: argparse.Namespace, app: App) -> ExitStatus:
    from profilesync.config import AutoApply
    from profilesync.push.cv_push import push_to_cv
    from profilesync.state import State
    from profilesync.writelock import file_digest, lock_timeout

    config = app.config
    label = app.label(config.cv_path)
    timeout_s = lock_timeout(app.env.environ)
    interactive = app.env.interactive
    take_strong = args.yes or (not interactive and config.policy.auto_apply is AutoApply.STRONG)
    confirm = None
    if interactive and not args.yes and not args.dry_run:
        confirm = lambda diff: _ask(app, diff)  # noqa: E731
    # The CV's digest before the diff reads it: the write (under the CV's write lock) checks the
    # file still has it, and an unattended push diffs again if another run wrote the CV meanwhile.
    digest = file_digest(config.cv_path)

    def diff_now() -> tuple[Sequence[Change], Mapping[str, DecisionRecord]]:
        # Push never fetches: it applies what the cached snapshots say, the same as `diff` showed.
        return app.diff(sources=args.source, offline=True).changes, State(config.cache_dir).decisions()

    changes, decisions = diff_now()
    result = push_to_cv(
        config,
        changes,
        decisions,
        now=app.env.now(),
        take_strong=take_strong,
        only=args.only,
        dry_run=args.dry_run,
        label=label,
        confirm=confirm,
        expected_digest=digest,
        recompute=diff_now,
        lock_timeout_s=timeout_s,
    )
    _report(app, result, args, label)
    if result.selection.unknown_only:
        return ExitStatus.ERROR
    return ExitStatus.OK


def _ask(app: App, diff: str) -> bool:
    app.out(diff.rstrip("\n"))
    app.env.stdout.write("Write these changes to the CV? [y/N] ")
    app.env.stdout.flush()
    answer = (app.env.stdin.readline() if app.env.stdin else "").strip().lower()
    return answer in ("y", "yes")


def _report(app: App, result: CvPushOutcome, args: argparse.Namespace, label: str) -> None:
    selection, applied = result.selection, result.applied
    for value in selection.unknown_only:
        app.info(f"error: --only {value}: no proposed CV change has this key or id (see `profilesync diff`)")
    for edit in applied.edits:
        app.info(f"  {edit.summary}")
    for skip in applied.skipped:
        app.info(f"  skipped {skip.change.kind.value} {skip.change.cv_key or ''}: {skip.reason}".replace("  :", ":"))
    if args.dry_run:
        if result.diff:
            app.out(result.diff.rstrip("\n"))
        app.info(f"dry run: {len(applied.edits)} change(s) would be applied to {label}; nothing written")
    elif selection.unknown_only:
        app.info(f"nothing written to {label}: fix or drop the --only value(s) above")
    elif result.saved is not None and result.saved.written:
        backup = app.label(result.saved.backup) if result.saved.backup else "none"
        app.info(f"updated {label}: {len(applied.edits)} change(s) applied (backup: {backup})")
    elif applied.changed:
        app.info(f"not written: {label} is unchanged")
    else:
        app.info(f"nothing to apply to {label}")
    if selection.waiting:
        hint = "run `profilesync review` to accept them" + ("" if args.yes else ", or --yes for the strong-tier ones")
        app.info(f"{selection.waiting} proposed change(s) wait for your decision: {hint}")
