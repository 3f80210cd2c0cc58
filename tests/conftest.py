"""Shared test helpers: an in-process CLI runner with an injectable environment, and the guard
that keeps the whole test session off the internet."""

from __future__ import annotations

import io
import ipaddress
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from profilesync.cli import main
from profilesync.env import Environment

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(
    args: Sequence[str],
    cwd: Path,
    environ: Mapping[str, str] | None = None,
    *,
    tty: bool = False,
    stdin: str = "",
    now: datetime | None = None,
) -> CliResult:
    """Run ``profilesync ARGS`` in-process in ``cwd``; nothing reaches the real terminal."""
    out, err = io.StringIO(), io.StringIO()
    clock = (lambda: now) if now else (lambda: datetime.now(timezone.utc))
    env = Environment(
        stdout=out,
        stderr=err,
        stdin=io.StringIO(stdin),
        stdout_isatty=tty,
        stdin_isatty=tty,
        environ=dict(environ or {}),
        cwd=cwd,
        clock=clock,
    )
    code = main(list(args), env=env)
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


def tree_digest(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes, to assert that nothing was written."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def digest():
    return tree_digest


def copy_demo(directory: Path) -> Path:
    """A copy of the bundled demo profile (config.yaml, cv.yaml, cache/ without run state) in
    ``directory``, so a test can change and run it without touching the repository."""
    import shutil

    directory.mkdir(parents=True, exist_ok=True)
    for name in ("config.yaml", "cv.yaml"):
        shutil.copy(REPO_ROOT / name, directory / name)
    shutil.copytree(REPO_ROOT / "cache", directory / "cache", ignore=shutil.ignore_patterns("http", "*.sqlite", "state.db", "status.json", "backups"))
    return directory


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return copy_demo(tmp_path)


# --- no internet during tests -------------------------------------------------------------------
#
# Tests talk to local servers only (pytest-httpserver on 127.0.0.1, raw socket servers, a local
# SOCKS proxy). A test that forgot a ``base_url`` would otherwise reach the real DBLP or ORCID, pass
# or fail on their mood, and send them traffic. For the whole session, connecting a socket anywhere
# but loopback (127.0.0.0/8, ::1, ``localhost``) or a unix socket raises ``InternetRefused`` at once,
# naming the address. The guard patches this interpreter's ``socket`` module only: a subprocess a
# test starts (the Scholar worker, ``python -m profilesync``, a browser) runs unguarded, so those
# tests must point it at local servers themselves. DNS look-ups (getaddrinfo) are not intercepted.

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class InternetRefused(RuntimeError):
    """A test tried to open a connection that is not to this machine. Not an ``OSError``, so no
    connector's network-error handling turns it into an ordinary "source unavailable"."""


def is_loopback_address(address: object) -> bool:
    """True for an ``AF_INET``/``AF_INET6`` address tuple whose host is loopback (or the
    unspecified address, which Linux connects to this machine)."""
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0]
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host == "" or host.lower().rstrip(".") in _LOOPBACK_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])  # drop an IPv6 scope ("fe80::1%eth0")
    except ValueError:
        return False  # a host name other than localhost: refused without resolving it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


def _refuse(address: object) -> InternetRefused:
    return InternetRefused(
        f"test tried to connect to {address!r}: tests may reach only loopback (127.0.0.0/8, ::1, localhost) "
        "and unix sockets; serve it locally (pytest-httpserver) and set the source's base_url"
    )


_INTERNET_FAMILIES = (socket.AF_INET, socket.AF_INET6)
_original = {
    "connect": socket.socket.connect,
    "connect_ex": socket.socket.connect_ex,
    "create_connection": socket.create_connection,
}


def _guarded_connect(self: socket.socket, address, /):  # noqa: ANN001
    if self.family in _INTERNET_FAMILIES and not is_loopback_address(address):
        raise _refuse(address)
    return _original["connect"](self, address)


def _guarded_connect_ex(self: socket.socket, address, /):  # noqa: ANN001
    if self.family in _INTERNET_FAMILIES and not is_loopback_address(address):
        raise _refuse(address)
    return _original["connect_ex"](self, address)


def _guarded_create_connection(address, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
    # Checked before the name is resolved: "dblp.org" is refused without a DNS query from here.
    if not is_loopback_address(tuple(address)):
        raise _refuse(address)
    return _original["create_connection"](address, *args, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    """Install the guard before collection, for the whole session."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.create_connection = _guarded_create_connection  # type: ignore[assignment]


def pytest_unconfigure(config: pytest.Config) -> None:
    socket.socket.connect = _original["connect"]  # type: ignore[method-assign]
    socket.socket.connect_ex = _original["connect_ex"]  # type: ignore[method-assign]
    socket.create_connection = _original["create_connection"]  # type: ignore[assignment]
