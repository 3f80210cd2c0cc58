"""`profilesync review`: walk the proposed changes and accept, reject or ignore each.

Decisions go to the state database in the cache (``state.db``). An accepted change is applied by
the next ``profilesync push --to cv``; a rejected or ignored one is not proposed again until the
source's value for it changes. Locked CV fields never reach this list (the diff does not propose
them). Interactive terminals only: a scheduled job never prompts.
"""

from __future__ import annotations

import argparse
from collections import Counter
from typing import TYPE_CHECKING

from profilesync.config import SOURCE_NAMES
from profilesync.errors import ExitStatus

if TYPE_CHECKING:
    from profilesync.app import App
    from profilesync.diff.changes import Change
    from profilesync.state import DecisionRecord

DESCRIPTION = """\
Walk the changes `profilesync diff` reports, one at a time, and answer each:

  a  accept   apply it with the next `profilesync push --to cv`
  r  reject   the change is wrong; do not propose it again until the source's value changes
  i  ignore   not wrong, but not wanted; also hidden until the source's value changes
  s  skip     decide later (nothing is recorded)
  q  quit     stop here; the answers given so far are kept

Reads the cached snapshots only (no network). Locked CV fields are never proposed.
Interactive terminals only: in scripts and scheduled jobs use `profilesync push --to cv --yes`,
which applies the strong-tier changes without asking.

Examples:
  profilesync review
  profilesync review --source dblp
  profilesync review --all          also show changes already accepted but not yet pushed
"""

# Report-only kinds: nothing to decide about a citation count.
_NOT_DECIDABLE = frozenset({"metric_changed"})
_ANSWERS = {"a": "accepted", "accept": "accepted", "r": "rejected", "reject": "rejected", "i": "ignored", "ignore": "ignored", "s": "skip", "skip": "skip", "": "skip", "q": "quit", "quit": "quit"}
# Unclear answers tolerated per change before it is skipped (a stuck input never loops forever).
_MAX_RETRIES = 3


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", "-s", action="append", choices=SOURCE_NAMES, metavar="NAME", help="review only this source's changes (repeatable)")
    parser.add_argument("--all", action="store_true", help="also show changes already accepted and waiting for `push`")
    parser.add_argument("--explain", action="store_true", help="show each match's full feature breakdown")


def run(args: argparse.Namespace, app: App) -> ExitStatus:
    if not app.env.interactive:
        app.env.stderr.write(
            "error: `profilesync review` asks questions and needs an interactive terminal; run it in a terminal, "
            "or use `profilesync push --to cv --yes` to apply the strong-tier changes without asking\n"
        )
        return ExitStatus.ERROR
    from profilesync.state import State

    config = app.config
    outcome = app.diff(sources=args.source, offline=True)
    state = State(config.cache_dir)
    decided = state.decisions()
    queue = [c for c in outcome.result.changes if c.kind.value not in _NOT_DECIDABLE and (args.all or not _waiting_for_push(c, decided))]
    if not queue:
        app.out("Nothing to review: the CV agrees with the sources, or every change is decided.")
        return ExitStatus.OK
    app.out(f"{len(queue)} change(s) to review. Answer a(ccept), r(eject), i(gnore), s(kip) or q(uit).")
    tally: Counter[str] = Counter()
    for number, change in enumerate(queue, start=1):
        app.out("")
        app.out(f"[{number}/{len(queue)}] " + _describe(change, explain=args.explain))
        answer = _ask(app)
        if answer == "quit":
            tally["unanswered"] += len(queue) - number + 1
            break
        if answer == "skip":
            tally["skipped"] += 1
            continue
        from profilesync.state import Decision

        # Recorded at once, so an interrupted review keeps every answer already given.
        state.record([(change.fingerprint, Decision(answer), change.value_digest)], app.env.now())
        tally[answer] += 1
    app.out("")
    app.out(_summary(tally))
    if tally["accepted"]:
        app.out("Run `profilesync push --to cv` to apply the accepted changes (add --dry-run to see them first).")
    return ExitStatus.OK


def _waiting_for_push(change: Change, decided: dict[str, DecisionRecord]) -> bool:
    from profilesync.state import Decision

    record = decided.get(change.fingerprint)
    return bool(record and record.decision is Decision.ACCEPTED and not record.applied and record.value_digest == change.value_digest)


def _ask(app: App) -> str:
    stdin = app.env.stdin
    for _ in range(_MAX_RETRIES):
        app.env.stdout.write("accept, reject, ignore, skip or quit? [a/r/i/s/q] ")
        app.env.stdout.flush()
        line = stdin.readline() if stdin is not None else ""
        if line == "":  # end of input: stop, keeping what was answered
            app.out("")
            return "quit"
        answer = _ANSWERS.get(line.strip().lower())
        if answer is not None:
            return answer
        app.out(f"  {line.strip()!r} is not one of a, r, i, s, q")
    return "skip"


def _describe(change: Change, *, explain: bool) -> str:
    """The change as the text report shows it, plus its match evidence."""
    from profilesync.normalize.text import clean_title

    kind = change.kind.value.replace("_", " ")
    subject = change.cv_key or (clean_title(change.work.title) if change.work is not None else change.field or "")
    lines = [f"{kind} from {change.source}: {subject}" + (f" ({change.field})" if change.field else "")]
    lines.append(f"    {change.reason}")
    if change.field is not None:
        lines.append(f"    CV:     {_show(change.cv_value)}")
        lines.append(f"    {change.source}:{' ' * max(1, 7 - len(change.source))}{_show(change.source_value)}")
    elif change.work is not None and change.kind.value in ("missing_in_cv", "new_version", "foreign_work"):
        work = change.work
        authors = ", ".join(work.author_names[:8]) + (f" and {len(work.authors) - 8} more" if len(work.authors) > 8 else "")
        lines.append(f'    "{clean_title(work.title)}" by {authors or "unknown authors"}; {work.venue_acronym or work.venue or work.type.value}, {work.year or "no year"}')
    if change.also_in:
        lines.append(f"    also in: {', '.join(change.also_in)}")
    match = change.match
    if match is not None and match.tier.value != "none":
        lines.append(f"    match [{match.tier.value}]: {match.explain()}")
        if explain:
            for f in match.features:
                if f.weight:
                    lines.append(f"      {f.name:24s} {f.value:6.2f}  {f.weight:+.2f}" + (f"  {f.detail}" if f.detail else ""))
    from profilesync.report.escape import visible

    return "\n".join(visible(line) for line in lines)  # a hand-edited CV value must not drive the terminal


def _show(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return "(none)" if value is None else str(value)


def _summary(tally: Counter[str]) -> str:
    parts = [f"{tally[k]} {k}" for k in ("accepted", "rejected", "ignored", "skipped", "unanswered") if tally[k]]
    return "Review done: " + (", ".join(parts) if parts else "nothing decided") + "."
