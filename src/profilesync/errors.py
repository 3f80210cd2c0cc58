"""Errors for humans and exit codes for machines.

``UserError`` is anything the user can fix (config, CV, arguments): it carries a list of
``Problem``s, each naming the file, the place in it, what is wrong and the fix. ``SourceError``
and its subclasses are a source failing (network, rate limit, CAPTCHA, unparsable response): the
run goes on with the other sources and the last good snapshot of the failed one.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


class ExitStatus(enum.IntEnum):
    OK = 0
    DIFFERENCES = 1
    ERROR = 2
    SOURCE_FAILED = 3
    INTERRUPTED = 130


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input. ``where`` is a key path such as ``sources.dblp.id``."""

    file: str | None
    where: str | None
    what: str
    fix: str | None = None

    def __str__(self) -> str:
        head = ": ".join(part for part in (self.file, self.where) if part)
        text = f"{head}: {self.what}" if head else self.what
        if self.fix:
            text += f" (fix: {self.fix})"
        return text


class ProfileSyncError(Exception):
    """Base of every error profilesync raises on purpose."""

    exit_status: ExitStatus = ExitStatus.ERROR


class UserError(ProfileSyncError):
    """Bad input the user can fix; shown without a traceback, exit 2."""

    def __init__(self, problems: Sequence[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(None, None, problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SourceError(ProfileSyncError):
    """A source could not be read; ``reason`` is one short line for the report."""

    exit_status = ExitStatus.SOURCE_FAILED

    def __init__(self, source: str, reason: str):
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class SourceUnavailable(SourceError):
    """Network failure, timeout or a 5xx that outlasted the retries."""


class RateLimited(SourceError):
    """The source said "too many requests"; ``reset_at`` is when it allows more, if it said."""

    def __init__(self, source: str, reason: str, reset_at: datetime | None = None):
        super().__init__(source, reason)
        self.reset_at = reset_at


class SourceBlocked(SourceError):
    """The source refuses automated access (CAPTCHA, "unusual traffic", 403)."""


class SourceFormatError(SourceError):
    """The response could not be understood (malformed XML/JSON/HTML or a changed layout)."""


class AuthError(ProfileSyncError):
    """A token is missing, expired or lacks the scope a write needs; exit 2, nothing changed."""


class ReadOnlyError(ProfileSyncError):
    """A write was asked of a connector that cannot write."""
