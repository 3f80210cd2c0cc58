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

The deadline (``sources.scholar.timeout_s``) starts when the worker reports ready, after its
interpreter start and imports (bounded separately by ``STARTUP_S``): a busy machine that takes
two seconds to start Python must not turn a clear "HTTP 429" into "timed out". The worker keeps
its own deadline slightly shorter than the parent's, so in the usual case it reports a precise
reason ("no answer within the timeout") before the parent has to kill it.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

from profilesync.connectors.scholar_errors import Failure, ScholarFailure, ScholarUnavailable, UserFailure
from profilesync.deadline import Clock, Deadline
from profilesync.errors import UserError

if TYPE_CHECKING:
    from profilesync.connectors.scholar_fetch import ScholarFetched, ScholarJob

WORKER_MODULE = "profilesync.connectors.scholar_worker"
READY = b"\x01"  # the worker's first byte on stdout: imports done, the deadline may start
# How long the interpreter may take to start and import (about 0.3 s on an idle machine).
STARTUP_S = 15.0
# How long a killed worker may take to disappear before we stop waiting for it.
_REAP_S = 5.0


def child_budget(timeout_s: float) -> float:
    """The worker's own deadline: the parent's, less a margin to send its answer in time."""
    margin = min(1.0, 0.1 * timeout_s)
    return max(0.1, timeout_s - margin)


def _child_env() -> dict[str, str]:
    """The parent's environment, with profilesync's own location first on the import path
    (the parent may have found it through a ``sys.path`` entry the child would not inherit)."""
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


class _Answer:
    """Reads the worker's stdout on a thread (portable: ``select`` does not work on Windows
    pipes): first the ready byte, then the pickled result until end of file."""

    def __init__(self, stream: IO[bytes]):
        self.ready = threading.Event()
        self.done = threading.Event()
        self.started = False
        self.body = b""
        self._stream = stream
        self.thread = threading.Thread(target=self._read, name="scholar-worker-answer", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            self.started = self._stream.read(1) == READY
            self.ready.set()
            self.body = self._stream.read() if self.started else b""
        except (OSError, ValueError):
            pass
        finally:
            self.ready.set()
            self.done.set()


def run_with_deadline(job: ScholarJob, timeout_s: float, clock: Clock = time.monotonic) -> ScholarFetched:
    """Run ``fetch_profile(job)`` in a worker process; return its result within ``timeout_s``.

    The deadline starts when the worker is ready (interpreter and imports loaded; at most
    ``STARTUP_S``), so a busy machine's slow start is not blamed on Scholar. Raises
    ``ScholarUnavailable`` when the fetch failed, when the deadline passed (the worker is killed),
    or when the worker died or did not start; ``UserError`` for what the user must fix (an
    unusable cache directory), as an in-process connector would.
    """
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=_child_env(),
        )
        assert process.stdout is not None
        answer = _Answer(process.stdout)
        try:
            result = _converse(process, answer, job, timeout_s, clock)
        finally:
            # Whatever happened (an answer, a deadline, Ctrl-C in the parent): no worker outlives this.
            if process.poll() is None:
                process.kill()
            try:
                process.wait(_REAP_S)
            except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be refused
                pass
            answer.thread.join(_REAP_S)  # the pipe is at end of file once the worker is gone
            process.stdout.close()
        if result is None:
            errors.seek(0)
            last = (errors.read().decode("utf-8", errors="replace").strip().splitlines() or ["no message"])[-1][:200]
            raise ScholarUnavailable(ScholarFailure.WORKER_CRASHED, f"the Scholar worker process ended without an answer (exit code {process.returncode}: {last})")
    if isinstance(result, (Failure, UserFailure)):
        raise result.error()
    return result  # type: ignore[return-value]


def _converse(process: subprocess.Popen[bytes], answer: _Answer, job: ScholarJob, timeout_s: float, clock: Clock) -> object:
    """Send the job, wait for the worker under both deadlines; None when it gave no answer.

    Only a number crosses to the worker (a clock cannot be pickled): it starts its own
    ``Deadline`` of slightly less when it is ready, as this side does."""
    assert process.stdin is not None
    try:
        process.stdin.write(pickle.dumps((job, timeout_s)))
        process.stdin.close()
    except OSError:
        return None  # the worker died at once; its stderr says why
    startup = Deadline.start(STARTUP_S, clock)
    if not answer.ready.wait(max(0.0, startup.remaining())):
        raise ScholarUnavailable(ScholarFailure.WORKER_CRASHED, f"the Scholar worker process did not start within {STARTUP_S:g} s (is the machine overloaded?)")
    if not answer.started:
        return None
    deadline = Deadline.start(timeout_s, clock)
    if not answer.done.wait(max(0.0, deadline.remaining())):
        raise ScholarUnavailable(ScholarFailure.TIMEOUT, f"gave up on Scholar after the {timeout_s:g} s deadline (sources.scholar.timeout_s)")
    try:
        return pickle.loads(answer.body) if answer.body else None
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None


def worker_main() -> int:
    """Entry point of the worker process: job on stdin, ready byte and result on stdout."""
    out = sys.stdout.buffer
    # Anything a library prints must not corrupt the answer on stdout.
    sys.stdout = sys.stderr
    logging.getLogger("profilesync").addHandler(logging.NullHandler())
    logging.getLogger("profilesync").propagate = False
    from profilesync.connectors.scholar_fetch import fetch_profile

    job, timeout_s = pickle.loads(sys.stdin.buffer.read())
    out.write(READY)
    out.flush()
    # The parent starts its clock when it reads the ready byte; ours ends a little earlier, so the
    # usual timeout is reported with its precise reason instead of by a kill.
    deadline = Deadline.start(max(0.1, min(job.budget_s, child_budget(timeout_s))))
    try:
        result: object = fetch_profile(job, deadline)
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
