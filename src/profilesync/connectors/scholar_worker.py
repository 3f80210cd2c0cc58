"""Run the Scholar fetch in a separate process that is killed when its deadline passes.

Why a process and not a thread: a thread cannot be stopped from outside, so a parser stuck on a
pathological page, a socket that drips one byte a minute, or any library that decides to wait
would hold the whole run hostage. A process can be killed, and killing it cannot corrupt
anything of ours: the worker writes nothing but the HTTP cache (SQLite, transactional), and the
snapshot is written by the parent only after a complete result arrived.

Why ``subprocess`` (``python -m profilesync.connectors.scholar_worker``) and not
``multiprocessing``: the ``spawn`` start method re-imports the parent's ``__main__`` in the child,
which re-runs the CLI under ``python -m profilesync`` (its ``__main__`` has no guard) and fails
outright for code read from stdin or a notebook; ``fork`` copies locks and sockets of a threaded
parent. A fresh interpreter given one pickled ``ScholarJob`` on stdin has neither problem. It
answers with one pickled ``ScholarFetched`` or ``Failure`` on stdout; both sides are our code.

The worker keeps its own deadline slightly shorter than the parent's, so in the usual case it
reports a precise reason ("no answer within the timeout") before the parent has to kill it.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from profilesync.connectors.scholar_errors import Failure, ScholarFailure, ScholarUnavailable, UserFailure
from profilesync.errors import UserError

if TYPE_CHECKING:
    from profilesync.connectors.scholar_fetch import ScholarFetched, ScholarJob

WORKER_MODULE = "profilesync.connectors.scholar_worker"
# How long a killed worker may take to disappear before we stop waiting for it.
_REAP_S = 5.0


def child_budget(timeout_s: float) -> float:
    """The worker's own deadline: the time left, less a margin to send its answer."""
    margin = min(1.0, 0.1 * timeout_s)
    return max(0.1, timeout_s - margin)


def _child_env() -> dict[str, str]:
    """The parent's environment, with profilesync's own location first on the import path
    (the parent may have found it through a ``sys.path`` entry the child would not inherit)."""
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


def run_with_deadline(job: ScholarJob, timeout_s: float) -> ScholarFetched:
    """Run ``fetch_profile(job)`` in a worker process; return its result within ``timeout_s``.

    Raises ``ScholarUnavailable`` when the fetch failed, when the deadline passed (the worker is
    killed), or when the worker died without an answer; ``UserError`` for what the user must fix
    (an unusable cache directory), as an in-process connector would.
    """
    started = time.monotonic()
    deadline_at = time.time() + timeout_s
    payload = pickle.dumps((job, deadline_at))
    process = subprocess.Popen(
        [sys.executable, "-m", WORKER_MODULE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_child_env(),
    )
    try:
        out, err = process.communicate(payload, timeout=max(0.0, timeout_s - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        process.kill()
        try:
            process.communicate(timeout=_REAP_S)
        except subprocess.TimeoutExpired:  # pragma: no cover - a process SIGKILL cannot stop
            pass
        raise ScholarUnavailable(ScholarFailure.TIMEOUT, f"gave up on Scholar after the {timeout_s:g} s deadline (sources.scholar.timeout_s)") from None
    except BaseException:
        # Ctrl-C or anything else in the parent: never leave the worker running behind us.
        process.kill()
        process.wait(_REAP_S)
        raise
    try:
        result = pickle.loads(out) if out else None
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        result = None
    if isinstance(result, (Failure, UserFailure)):
        raise result.error()
    if result is not None:
        return result  # type: ignore[no-any-return]
    last = (err.decode("utf-8", errors="replace").strip().splitlines() or ["no message"])[-1][:200]
    raise ScholarUnavailable(ScholarFailure.WORKER_CRASHED, f"the Scholar worker process ended without an answer (exit code {process.returncode}: {last})")


def worker_main() -> int:
    """Entry point of the worker process: job on stdin, result on stdout."""
    out = sys.stdout.buffer
    # Anything a library prints must not corrupt the answer on stdout.
    sys.stdout = sys.stderr
    logging.getLogger("profilesync").addHandler(logging.NullHandler())
    logging.getLogger("profilesync").propagate = False
    from profilesync.connectors.scholar_fetch import fetch_profile

    job, deadline_at = pickle.loads(sys.stdin.buffer.read())
    budget = child_budget(deadline_at - time.time())
    try:
        result: object = fetch_profile(replace(job, budget_s=min(job.budget_s, budget)))
    except ScholarUnavailable as exc:
        result = Failure.of(exc)
    except UserError as exc:
        result = UserFailure(exc.problems)
    except Exception as exc:  # noqa: BLE001 - anything unexpected still ends as one typed failure
        result = Failure(ScholarFailure.WORKER_CRASHED, f"the Scholar worker failed ({exc.__class__.__name__}: {exc})")
    out.write(pickle.dumps(result))
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(worker_main())
