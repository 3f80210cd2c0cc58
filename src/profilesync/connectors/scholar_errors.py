"""The one error a Scholar pull ends with when it cannot produce a snapshot.

Scholar fails in many ways (a CAPTCHA, the "unusual traffic" page, the DOS-CAPTCHA, HTTP 403 and
429, a server that never answers, a redesigned page). The pipeline does not need to tell them
apart to do the right thing (keep the last good snapshot, mark Scholar ``stale``, exit 3), so they
all arrive as ``ScholarUnavailable``; ``failure`` says which case it was for reports and tests, and
``reason`` is the plain sentence a researcher reads.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from profilesync.errors import Problem, SourceError, SourceFormatError, UserError

SOURCE = "scholar"


class ScholarFailure(str, enum.Enum):
    """Why a Scholar pull produced nothing."""

    CAPTCHA = "captcha"
    DOS_CAPTCHA = "dos_captcha"
    UNUSUAL_TRAFFIC = "unusual_traffic"
    RATE_LIMITED = "rate_limited"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    SIGN_IN = "sign_in"
    TIMEOUT = "timeout"
    NETWORK = "network"
    SERVER_ERROR = "server_error"
    LAYOUT_CHANGED = "layout_changed"
    WORKER_CRASHED = "worker_crashed"  # the worker raised something unforeseen, or died

    @property
    def blocked(self) -> bool:
        """True when Scholar refused us on purpose (retrying soon makes it worse)."""
        return self in _BLOCKED


_BLOCKED = frozenset(
    {
        ScholarFailure.CAPTCHA,
        ScholarFailure.DOS_CAPTCHA,
        ScholarFailure.UNUSUAL_TRAFFIC,
        ScholarFailure.RATE_LIMITED,
        ScholarFailure.FORBIDDEN,
    }
)


class ScholarUnavailable(SourceError):
    """Scholar could not be read. ``reset_at`` is set when the server said when to come back."""

    def __init__(self, failure: ScholarFailure, reason: str, reset_at: datetime | None = None):
        super().__init__(SOURCE, reason)
        self.failure = failure
        self.reset_at = reset_at

    @property
    def blocked(self) -> bool:
        return self.failure.blocked


class ScholarFormatError(ScholarUnavailable, SourceFormatError):
    """A page that could not be read (``LAYOUT_CHANGED``): a format error like any source's."""


@dataclass(frozen=True)
class Failure:
    """A ``ScholarUnavailable`` in a form that crosses a process boundary.

    Exceptions with custom constructors do not unpickle reliably, so the worker sends this
    record and the parent raises the error from it.
    """

    failure: ScholarFailure
    reason: str
    reset_at: datetime | None = None

    @classmethod
    def of(cls, error: ScholarUnavailable) -> Failure:
        return cls(error.failure, error.reason, error.reset_at)

    def error(self) -> ScholarUnavailable:
        kind = ScholarFormatError if self.failure is ScholarFailure.LAYOUT_CHANGED else ScholarUnavailable
        return kind(self.failure, self.reason, self.reset_at)


@dataclass(frozen=True)
class UserFailure:
    """A ``UserError`` raised in the worker (e.g. an unusable cache directory), carried back so
    the parent raises it as the same user-fixable error it would be in-process."""

    problems: tuple[Problem, ...]

    def error(self) -> UserError:
        return UserError(self.problems)
