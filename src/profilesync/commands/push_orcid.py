"""``profilesync push --to orcid``: the conversation around ``push/orcid.py``.

``push.orcid.plan_push`` decides what ORCID lacks and ``send_posts`` sends it; this module asks
whether to send (or makes it a dry run), prints the plan, each result and the summary.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from profilesync.errors import ExitStatus

if TYPE_CHECKING:
    from profilesync.app import App
    from profilesync.push.orcid import OrcidPushPlan, SentPost


def _decide_dry_run(args: argparse.Namespace, app: App, plan: OrcidPushPlan) -> bool:
    """Dry run unless --yes, or a person at a terminal says yes. Non-interactive runs never prompt."""
    if getattr(args, "dry_run", False):
        return True
    if getattr(args, "yes", False):
        return False
    if not app.env.interactive or app.env.stdin is None:
        app.info("not a terminal and no --yes: dry run, nothing is sent")
        return True
    target = plan.target
    where = "PRODUCTION ORCID" if target.production else "the ORCID sandbox"
    app.env.stderr.write(f"Add {len(plan.posts)} work(s) to {target.orcid} on {where} ({target.host})? [y/N] ")
    app.env.stderr.flush()
    answer = app.env.stdin.readline().strip().lower()
    return answer not in {"y", "yes"}


def run_push(args: argparse.Namespace, app: App) -> ExitStatus:
    """Add the CV works the ORCID record lacks. Returns OK, or SOURCE_FAILED when a work failed.

    Raises ``UserError`` (config, CV, no snapshot) and ``AuthError`` (no or refused token): exit 2.
    """
    from profilesync.push.orcid import Outcome, masked_request, plan_push, send_posts, token_help

    config = app.config
    cv = app.load_cv()
    plan = plan_push(config, cv, only=getattr(args, "only", None), config_label=app.label(config.path), cv_label=app.label(config.cv_path))
    target = plan.target
    app.info(f"ORCID {target.orcid} ({target.host}): {plan.checked} CV works checked, {plan.checked - plan.missing} already on the record")
    for skip in plan.skipped:
        app.out(f"skip {skip.key}: {skip.reason}")
    if not plan.posts:
        app.out("nothing to push: ORCID has every CV work that can be added")
        return ExitStatus.OK
    token = app.env.environ.get(target.token_env) or None
    if _decide_dry_run(args, app, plan):
        app.out(f"dry run: {len(plan.posts)} request(s) would be sent to {target.host}; nothing was sent")
        for planned in plan.posts:
            app.out("")
            app.out(f"# {planned.key}")
            app.out(masked_request(planned, target, token is not None))
        if token is None:
            app.info(f"note: ${target.token_env} is not set; {token_help(target)}")
        return ExitStatus.OK

    def say(sent: SentPost) -> None:
        result = sent.result
        if sent.ok:
            code = f" (put-code {result.remote_id})" if result.remote_id else ""
            verb = "added" if result.outcome == Outcome.CREATED else "already on ORCID"
            app.out(f"{verb} {sent.planned.key}{code}")
        else:
            app.out(f"FAILED {sent.planned.key}: {result.detail}")

    sent, requests = send_posts(config, plan, token, now=app.env.now, on_sent=say)
    failed = sum(1 for one in sent if not one.ok)
    app.info(f"{len(plan.posts) - failed} of {len(plan.posts)} works pushed to ORCID ({requests} requests); run `profilesync pull --source orcid` to see them in the next diff")
    return ExitStatus.SOURCE_FAILED if failed else ExitStatus.OK
