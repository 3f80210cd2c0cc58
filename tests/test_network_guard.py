"""The session-wide guard in conftest.py: no test reaches beyond this machine.

192.0.2.1 and 2001:db8::1 are documentation addresses (TEST-NET-1, RFC 5737; RFC 3849), never
routed: without the guard a connection to them would hang until its timeout, so failing at once
with ``InternetRefused`` shows the guard refused it before any packet left.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from conftest import InternetRefused, is_loopback_address


def _refused_at_once(connect) -> InternetRefused:  # noqa: ANN001
    started = time.monotonic()
    with pytest.raises(InternetRefused) as caught:
        connect()
    assert time.monotonic() - started < 1.0  # a real attempt would wait out the 10 s timeout
    return caught.value


def test_a_connection_to_an_outside_address_is_refused_at_once_and_names_it():
    error = _refused_at_once(lambda: socket.create_connection(("192.0.2.1", 80), timeout=10))
    assert "192.0.2.1" in str(error) and "loopback" in str(error)


@pytest.mark.parametrize(("family", "address"), [(socket.AF_INET, ("192.0.2.1", 443)), (socket.AF_INET6, ("2001:db8::1", 443, 0, 0))])
def test_socket_connect_and_connect_ex_are_refused(family, address):
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        assert address[0] in str(_refused_at_once(lambda: sock.connect(address)))
        assert address[0] in str(_refused_at_once(lambda: sock.connect_ex(address)))


def test_a_host_name_is_refused_before_it_is_resolved():
    error = _refused_at_once(lambda: socket.create_connection(("dblp.org", 443), timeout=10))
    assert "dblp.org" in str(error)


def test_an_http_library_is_refused_too_not_turned_into_a_network_error():
    # Not an OSError: requests/urllib3 do not wrap it as ConnectionError, so a connector's
    # "source unavailable" handling cannot hide a test that escaped to the internet.
    error = _refused_at_once(lambda: requests.get("http://192.0.2.1/", timeout=10))
    assert "192.0.2.1" in str(error)


def test_loopback_and_unix_sockets_still_connect(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        accepted = threading.Thread(target=lambda: server.accept()[0].close())
        accepted.start()
        with socket.create_connection(("localhost", port), timeout=5), socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        accepted.join(5)
    path = str(tmp_path / "s.sock")
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(path)
        listener.listen()
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(path)


@pytest.mark.parametrize(
    ("address", "local"),
    [
        (("127.0.0.1", 80), True),
        (("127.8.9.10", 80), True),
        (("::1", 80, 0, 0), True),
        (("::ffff:127.0.0.1", 80, 0, 0), True),
        (("LOCALHOST", 80), True),
        (("192.0.2.1", 80), False),
        (("10.0.0.1", 80), False),
        (("::ffff:192.0.2.1", 80, 0, 0), False),
        (("orcid.org", 443), False),
    ],
)
def test_what_counts_as_loopback(address, local):
    assert is_loopback_address(address) is local
