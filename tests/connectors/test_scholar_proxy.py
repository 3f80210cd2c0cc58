"""sources.scholar.proxy: Scholar pulled through a real local SOCKS5 proxy (socks5h://, as Tor is
used), HTTPS_PROXY from the environment, and a failing proxy named (credentials masked) in the
stale message."""

from __future__ import annotations

import socket
import struct
import threading

import pytest

from conftest import run_cli
from profilesync.connectors.http import proxy_label
from test_scholar_connector import LZ5D, serve_profile
from test_scholar_support import base_url, write_config


class Socks5Proxy:
    """A minimal SOCKS5 server (RFC 1928: no authentication, CONNECT only) on 127.0.0.1 that
    records what it was asked to connect to and relays the bytes."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.requested: list[tuple[str, int]] = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client:
            version, count = client.recv(2)
            client.recv(count)
            client.sendall(b"\x05\x00")  # no authentication
            _, command, _, kind = client.recv(4)
            if kind == 3:  # a host name: socks5h leaves name resolution to the proxy
                host = client.recv(client.recv(1)[0]).decode()
            else:
                host = socket.inet_ntoa(client.recv(4))
            (port,) = struct.unpack(">H", client.recv(2))
            self.requested.append((host, port))
            upstream = socket.create_connection(("127.0.0.1" if host == "localhost" else host, port), timeout=10)
            client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("0.0.0.0") + struct.pack(">H", 0))
            with upstream:
                threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
                _pipe(client, upstream)

    def close(self) -> None:
        self._stop.set()
        self.server.close()


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass


@pytest.fixture
def socks_proxy():
    proxy = Socks5Proxy()
    yield proxy
    proxy.close()


def test_scholar_is_pulled_through_a_socks5h_proxy(httpserver, tmp_path, socks_proxy):
    pytest.importorskip("socks")  # PySocks, from the scholar extra
    serve_profile(httpserver, LZ5D, "profile_LZ5D_p4AAAAJ_2026.html")
    # "localhost", not an address: with socks5h the name goes to the proxy, as an onion name would.
    write_config(tmp_path, base_url(httpserver).replace("127.0.0.1", "localhost"), extra=f'    proxy: "socks5h://127.0.0.1:{socks_proxy.port}"\n')

    result = run_cli(["pull", "--source", "scholar"], tmp_path)

    assert result.exit_code == 0, result.stdout + result.stderr
    assert "scholar  ok       12 works" in result.stdout
    assert socks_proxy.requested == [("localhost", httpserver.port)]


def test_a_failing_proxy_is_named_without_its_password(httpserver, tmp_path):
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    write_config(tmp_path, base_url(httpserver), extra=f'    proxy: "http://alice:s3cret@127.0.0.1:{port}"\n')

    result = run_cli(["pull", "--source", "scholar"], tmp_path)

    assert result.exit_code == 3
    assert f"(through the proxy http://***@127.0.0.1:{port})" in result.stdout
    assert "s3cret" not in result.stdout + result.stderr
    assert not httpserver.log  # nothing went around the proxy


def test_https_proxy_from_the_environment_is_named_too(httpserver, tmp_path, monkeypatch):
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    # requests reads the process environment (the worker inherits it); NO_PROXY must not exempt loopback here.
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("NO_PROXY", "")
    write_config(tmp_path, base_url(httpserver))

    result = run_cli(["pull", "--source", "scholar"], tmp_path)

    assert result.exit_code == 3
    assert f"(through the proxy http://127.0.0.1:{port})" in result.stdout


def test_a_proxy_url_is_checked_by_validate(tmp_path):
    write_config(tmp_path, "https://scholar.google.com", extra='    proxy: "tor please"\n')
    (tmp_path / "cv.yaml").write_text("person: {name: Test Researcher}\npublications: []\n")
    result = run_cli(["validate"], tmp_path)
    assert result.exit_code == 2
    assert "sources.scholar.proxy" in result.stderr and "socks5h://127.0.0.1:9050" in result.stderr


@pytest.mark.parametrize(
    ("proxy", "label"),
    [
        ("socks5h://127.0.0.1:9050", "socks5h://127.0.0.1:9050"),
        ("http://alice:s3cret@proxy.example.org:3128", "http://***@proxy.example.org:3128"),
        ("https://token@proxy.example.org", "https://***@proxy.example.org"),
    ],
)
def test_proxy_label(proxy, label):
    assert proxy_label(proxy) == label
