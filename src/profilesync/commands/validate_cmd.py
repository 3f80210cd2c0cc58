"""`profilesync validate`: check config.yaml and the CV against their schemas."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from profilesync.errors import ExitStatus, Problem, UserError

if TYPE_CHECKING:
    from profilesync.app import App

DESCRIPTION = """\
Check config.yaml and the CV file against their JSON Schemas (shipped in the package) and report
every problem with the file, the key path and the fix. Nothing is fetched or written.

Both files are read with limits: at most 2 MB (PROFILESYNC_MAX_YAML_MB raises it), 100 YAML
aliases expanding to at most 100,000 nodes and characters, and 64 levels of nesting. A file over
a limit is refused with the line where it went over.

Exit status: 0 when both are valid, 2 otherwise.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    del parser  # no options of its own


def run(args: argparse.Namespace, app: App) -> ExitStatus:
    problems: list[Problem] = []
    try:
        config = app.config
    except UserError as exc:
        problems.extend(exc.problems)
        config = None
    if config is not None:
        try:
            cv = app.load_cv()
        except UserError as exc:
            problems.extend(exc.problems)
        else:
            app.out(f"{app.label(config.path)}: ok ({len(config.enabled_sources())} sources enabled: {', '.join(config.enabled_sources())})")
            app.out(f"{app.label(config.cv_path)}: ok ({len(cv.works)} publications, {len(cv.software)} software, {len(cv.ignore)} ignore rules)")
    if problems:
        raise UserError(problems)
    return ExitStatus.OK
