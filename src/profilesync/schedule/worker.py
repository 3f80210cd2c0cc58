"""The scheduled job's pull-and-diff, in a child process that answers with a ``RunResult``.

Why a process: the job must end by ``schedule.deadline_s`` whatever a server does, and a thread
cannot be stopped from outside (a server dripping response headers one byte at a time defeats
every socket timeout). A process can be killed, with everything it started (it gets its own
process group: the Scholar worker goes with it), and killing it cannot corrupt anything:
snapshots, ``status.json`` and reports are replaced atomically, and the HTTP cache is SQLite.

Why ``python -m profilesync.schedule.worker`` and not ``multiprocessing``: the same reasons as
the Scholar worker (``connectors/scholar_worker.py``): ``spawn`` re-runs the parent's
``__main__``, ``fork`` copies the locks and sockets of a threaded parent. The parent writes one
pickled ``WorkerJob`` to the child's stdin; the child answers on its stdout with pickled
messages, one per event: ``Said`` (progress), ``Pulled`` (a source's pull ended: the parent then
knows which sources finished if it has to stop the child), and last ``Finished`` (the
``RunResult``) or ``Failed`` (a config, CV or cache error, with its exit status). Both ends are
our own code, run by the same user, so pickle is safe here; nothing a source sent is unpickled
that the child did not build itself. The child's stderr carries only its log lines.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from profilesync.errors import ExitStatus
from profilesync.logsetup import configure_logging

if TYPE_CHECKING:
    from profilesync.pipeline import RunResult
    from profilesync.source_status import SourceStatus

WORKER_MODULE = "profilesync.schedule.worker"
# Time a stopped child process gets to exit after SIGTERM before it is killed.
TERM_GRACE_S = 2.0
REAP_S = 5.0


# --- the messages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerJob:
    """What the child is to do: the profile as the parent's command line named it."""

    config_path: str
    cache_dir: str | None
    cwd: str
    quiet: bool = False
    verbose: int = 0


@dataclass(frozen=True)
class Said:
    text: str


@dataclass(frozen=True)
class Pulled:
    status: SourceStatus


@dataclass(frozen=True)
class Finished:
    result: RunResult


@dataclass(frozen=True)
class Failed:
    exit_status: ExitStatus
    problems: tuple[str, ...]


Message = Said | Pulled | Finished | Failed


# --- the child ----------------------------------------------------------------------------------


def _label(path: Path, cwd: Path) -> str:
    # As App.label: relative to the working directory when inside it, so messages read the same.
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def child_main() -> int:
    """The child: read the job, run the pipeline with ``refresh``, send every event and the result."""
    from profilesync import pipeline
    from profilesync.config import load_config
    from profilesync.cv.load import load_cv_for
    from profilesync.errors import AuthError, ProfileSyncError, ReadOnlyError, SourceError, UserError
    from profilesync.model import utcnow

    job: WorkerJob = pickle.load(sys.stdin.buffer)
    # The message stream is the original stdout; anything else that writes to fd 1 (a library's
    # stray print) goes to stderr instead of corrupting it.
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    guard = threading.Lock()  # sources finish in their own threads

    def send(message: Message) -> None:
        with guard:
            pickle.dump(message, channel, protocol=pickle.HIGHEST_PROTOCOL)
            channel.flush()

    configure_logging(sys.stderr, quiet=job.quiet, verbose=job.verbose)  # as the CLI does: the parent shows them
    cwd = Path(job.cwd)
    try:
        path = cwd / job.config_path
        config = load_config(path, label=_label(path, cwd), cache_dir_override=cwd / job.cache_dir if job.cache_dir else None)
        cv = load_cv_for(config, label=_label(config.cv_path, cwd))
        request = pipeline.RunRequest(
            config=config,
            cv=cv,
            clock=utcnow,
            environ=dict(os.environ),
            refresh=True,
            progress=lambda text: send(Said(text)),
            on_pulled=lambda status: send(Pulled(status)),
        )
        result = pipeline.run(request)
    except UserError as exc:
        send(Failed(ExitStatus.ERROR, tuple(str(p) for p in exc.problems)))
        return ExitStatus.ERROR
    except (AuthError, ReadOnlyError) as exc:
        send(Failed(ExitStatus.ERROR, (str(exc),)))
        return ExitStatus.ERROR
    except SourceError as exc:
        send(Failed(ExitStatus.SOURCE_FAILED, (str(exc),)))
        return ExitStatus.SOURCE_FAILED
    except ProfileSyncError as exc:
        send(Failed(exc.exit_status, (str(exc),)))
        return exc.exit_status
    except KeyboardInterrupt:
        return ExitStatus.INTERRUPTED
    send(Finished(result))
    channel.close()
    return int(result.exit_status)


# --- the parent ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerOutcome:
    """How the child ended, and everything it said before."""

    exit_code: int | None  # None when it was stopped at the deadline
    result: RunResult | None
    failure: Failed | None
    pulled: tuple[str, ...]  # the sources whose pull ended, in the order they ended
    stderr: str
    elapsed_s: float

    @property
    def stopped(self) -> bool:
        return self.exit_code is None


def child_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The run's environment, with profilesync's own location first on the import path."""
    env = dict(environ)
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def kill_tree(process: subprocess.Popen) -> None:
    """Stop the child and everything it started (the Scholar worker, for one)."""
    if os.name == "posix":
        for sig, grace in ((signal.SIGTERM, TERM_GRACE_S), (signal.SIGKILL, REAP_S)):
            try:
                os.killpg(process.pid, sig)
            except (ProcessLookupError, PermissionError):
                break
            try:
                process.wait(grace)
                # The group may outlive its leader: one SIGKILL for the rest is harmless.
                if sig is signal.SIGTERM:
                    os.killpg(process.pid, signal.SIGKILL)
                break
            except subprocess.TimeoutExpired:
                continue
            except (ProcessLookupError, PermissionError):
                break
    else:  # pragma: no cover - exercised on Windows only
        process.kill()
    try:
        process.wait(REAP_S)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be refused
        pass


_END = object()  # the reader's last item: the child closed its stdout


def _read_messages(stream: IO[bytes], box: queue.Queue) -> None:
    try:
        while True:
            try:
                box.put(pickle.load(stream))
            except EOFError:
                break
            except (pickle.UnpicklingError, AttributeError, ImportError, ValueError, OSError) as exc:
                box.put(exc)  # a torn last message (the child was killed mid-write)
                break
    finally:
        box.put(_END)


def _drain(stream: IO[bytes], sink: list[bytes]) -> None:
    for chunk in iter(lambda: stream.read(8192), b""):
        sink.append(chunk)


def run_worker(
    job: WorkerJob,
    *,
    environ: Mapping[str, str],
    budget_s: float,
    say: Callable[[str], None],
    started: Callable[[subprocess.Popen], None] = lambda _: None,
) -> WorkerOutcome:
    """Run the child for at most ``budget_s`` seconds; ``say`` hears its progress as it comes.

    ``started`` is given the process (so another thread can stop it). Ctrl-C kills the child
    before it is raised again: a pull is never left running behind us.
    """
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", WORKER_MODULE],
        cwd=job.cwd,
        env=child_env(environ),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=os.name == "posix",
    )
    started(process)
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    messages: queue.Queue[Any] = queue.Queue()
    err: list[bytes] = []
    readers = [
        threading.Thread(target=_read_messages, args=(process.stdout, messages), name="schedule-worker-out", daemon=True),
        threading.Thread(target=_drain, args=(process.stderr, err), name="schedule-worker-err", daemon=True),
    ]
    for reader in readers:
        reader.start()
    pulled: list[str] = []
    result: RunResult | None = None
    failure: Failed | None = None
    stopped = broken = False
    try:
        try:
            process.stdin.write(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            process.stdin.close()
        except OSError:
            pass  # the child is already gone; its exit status says why
        while True:
            left = budget_s - (time.monotonic() - began)
            if left <= 0:
                stopped = result is None and failure is None
                break
            try:
                message = messages.get(timeout=left)
            except queue.Empty:
                continue
            if message is _END:
                break
            if isinstance(message, Said):
                say(message.text)
            elif isinstance(message, Pulled):
                pulled.append(message.status.name)
            elif isinstance(message, Finished):
                result = message.result
            elif isinstance(message, Failed):
                failure = message
            elif isinstance(message, BaseException):
                err.append(f"unreadable message from the worker: {message}\n".encode())
                broken = True
                break
        code: int | None
        if broken:
            kill_tree(process)  # it cannot be understood any more: no use waiting for it
            code = process.returncode
        elif stopped:
            kill_tree(process)
            code = None
        else:
            try:
                code = process.wait(max(0.5, budget_s - (time.monotonic() - began)) if result is None and failure is None else REAP_S)
            except subprocess.TimeoutExpired:
                kill_tree(process)
                code = None if result is None and failure is None else process.returncode
    except BaseException:
        kill_tree(process)  # Ctrl-C in the scheduler: never leave the pull running behind us
        raise
    for reader in readers:
        reader.join(REAP_S)
    stderr = b"".join(err).decode("utf-8", errors="replace")
    return WorkerOutcome(code, result, failure, tuple(pulled), stderr, time.monotonic() - began)


if __name__ == "__main__":
    # Run as ``-m``, this file is ``__main__``: the messages must be pickled as the classes of
    # ``profilesync.schedule.worker``, the module the parent unpickles them from.
    from profilesync.schedule.worker import child_main as _main

    sys.exit(_main())
