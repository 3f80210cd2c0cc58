"""Local servers for the reliability suite: a fault-injecting router on pytest-httpserver, and a
raw socket server for what an HTTP framework will not do (never answer, cut a body short, drip).

Everything listens on 127.0.0.1; nothing here touches the internet.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from werkzeug import Request, Response

from .sources import SourceCase

MIB = 1024 * 1024
HUGE_BYTES = 60 * MIB  # more than the HTTP policy's 50 MiB response cap


# --- faults served through pytest-httpserver ----------------------------------------------------


def http_date(seconds_from_now: float) -> str:
    return format_datetime(datetime.now(timezone.utc) + timedelta(seconds=seconds_from_now), usegmt=True)


@dataclass(frozen=True)
class Fault:
    """A canned bad answer. ``make(request, case)`` builds the response for one request."""

    label: str
    make: Callable[[Request, SourceCase], Response]


def status(code: int, *, headers: Sequence[tuple[str, str]] | Callable[[], Sequence[tuple[str, str]]] = (), body: bytes = b"") -> Fault:
    def make(request: Request, case: SourceCase) -> Response:
        extra = headers() if callable(headers) else headers
        return Response(body or f"HTTP {code}".encode(), status=code, headers=list(extra), content_type="text/plain")

    return Fault(f"HTTP {code}", make)


def redirect_loop() -> Fault:
    def make(request: Request, case: SourceCase) -> Response:
        # Back to exactly where the client came from: a loop a client can only break by counting.
        target = request.full_path if request.query_string else request.path
        return Response(b"", status=302, headers=[("Location", target)])

    return Fault("redirect loop", make)


def _filler(total: int) -> Iterator[bytes]:
    chunk = b"x" * MIB
    sent = 0
    while sent < total:
        yield chunk
        sent += len(chunk)


def huge(*, declared: bool) -> Fault:
    def make(request: Request, case: SourceCase) -> Response:
        response = Response(_filler(HUGE_BYTES), content_type="application/octet-stream", direct_passthrough=True)
        if declared:
            response.headers["Content-Length"] = str(HUGE_BYTES)
        return response

    return Fault("huge response", make)


def body(data: bytes, content_type: str) -> Fault:
    return Fault("malformed body", lambda request, case: Response(data, content_type=content_type))


class SourceServer:
    """Routes every request to the connector that owns its path and answers as the recorded
    source would, unless a fault is queued (``fail_next``) or set for good (``fail_always``).

    ``mode[name]`` is ``"ok"`` (the recorded profile) or ``"empty"`` (the same with no works).
    """

    def __init__(self, httpserver, cases: Sequence[SourceCase]):
        self.httpserver = httpserver
        self.cases = tuple(cases)
        self.mode: dict[str, str] = {case.name: "ok" for case in cases}
        self.queued: dict[str, list[Fault]] = {case.name: [] for case in cases}
        self.always: dict[str, Fault] = {}
        self.seen: list[tuple[str, str, dict[str, str]]] = []  # (source, path, headers)
        # Extra routes by path prefix (e.g. ORCID's member API for pushes): prefix -> handler.
        self.routes: dict[str, Callable[[Request], Response]] = {}
        self._lock = threading.Lock()
        httpserver.expect_request(re.compile(r"^/.*$")).respond_with_handler(self._handle)

    @property
    def root(self) -> str:
        return self.httpserver.url_for("/").rstrip("/")

    def fail_next(self, source: str, *faults: Fault) -> None:
        self.queued[source].extend(faults)

    def fail_always(self, source: str, fault: Fault) -> None:
        self.always[source] = fault

    def reset(self) -> None:
        for name in self.queued:
            self.queued[name].clear()
            self.mode[name] = "ok"
        self.always.clear()

    def requests_for(self, source: str) -> list[str]:
        return [path for name, path, _ in self.seen if name == source]

    def _handle(self, request: Request) -> Response:
        for prefix, route in self.routes.items():
            if request.path.startswith(prefix):
                with self._lock:
                    self.seen.append((prefix, request.full_path, dict(request.headers)))
                return route(request)
        case = next((c for c in self.cases if c.owns(request.path)), None)
        if case is None:
            return Response(b"no such route", status=404)
        with self._lock:
            self.seen.append((case.name, request.full_path, dict(request.headers)))
            fault = self.queued[case.name].pop(0) if self.queued[case.name] else self.always.get(case.name)
        if fault is not None:
            return fault.make(request, case)
        respond = case.respond_empty if self.mode[case.name] == "empty" else case.respond_ok
        return respond(request)


# --- raw socket behaviours ----------------------------------------------------------------------


Behaviour = Callable[[socket.socket, threading.Event], None]


class RawServer:
    """A TCP server on 127.0.0.1 that reads each request and then does ``behaviour`` with the
    connection (until ``close()``)."""

    def __init__(self, behaviour: Behaviour):
        self.behaviour = behaviour
        self.stop = threading.Event()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.2)
        self.connections: list[socket.socket] = []
        self.accepted = 0
        # When the client connected first and when it last hung up (time.monotonic()): how long
        # the client held on, measured where no load on the test machine can blur it.
        self.first_accept: float | None = None
        self.last_close: float | None = None
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            if self.first_accept is None:
                self.first_accept = time.monotonic()
            self.connections.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        data = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            self.behaviour(conn, self.stop)
        if not self.stop.is_set():
            self.last_close = time.monotonic()
        with contextlib.suppress(OSError):
            conn.close()

    @property
    def held_s(self) -> float | None:
        """Seconds from the first connection to the client's last hang-up (None if it never hung up)."""
        if self.first_accept is None or self.last_close is None:
            return None
        return self.last_close - self.first_accept

    def close(self) -> None:
        self.stop.set()
        with contextlib.suppress(OSError):
            self.listener.close()
        for conn in self.connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                conn.close()
        self._acceptor.join(2)
        for thread in self._threads:
            thread.join(2)


def _client_gone(conn: socket.socket) -> bool:
    try:
        conn.settimeout(0.05)
        return conn.recv(1, socket.MSG_PEEK) == b""
    except (TimeoutError, BlockingIOError):
        return False
    except OSError:
        return True


def never_answers(conn: socket.socket, stop: threading.Event) -> None:
    """Accept the request and say nothing, until the client gives up or the test ends."""
    while not stop.is_set() and not _client_gone(conn):
        pass


def truncated(payload: bytes, content_type: str) -> Behaviour:
    """Promise ``len(payload)`` bytes, send the first half, hang up."""

    def behave(conn: socket.socket, stop: threading.Event) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
        conn.sendall(head.encode() + payload[: len(payload) // 2])

    return behave


def drip_body(conn: socket.socket, stop: threading.Event) -> None:
    """Headers at once, then one byte of body every 0.2 s: no socket timeout ever fires."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n")
    while not stop.wait(0.2) and not _client_gone(conn):
        conn.sendall(b" ")


def drip_headers(conn: socket.socket, stop: threading.Event) -> None:
    """The status line and headers one byte every 0.2 s, never finishing them."""
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: ":
        if stop.wait(0.2) or _client_gone(conn):
            return
        conn.sendall(bytes([byte]))
    while not stop.wait(0.2) and not _client_gone(conn):
        conn.sendall(b"a")


@dataclass
class ClosedPort:
    """An address where nothing listens (connection refused)."""

    root: str = field(init=False)

    def __post_init__(self) -> None:
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        self.root = f"http://127.0.0.1:{port}"

    def close(self) -> None:
        return None


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()
