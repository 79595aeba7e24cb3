"""`timeout` is a deadline for the whole call, whatever the server drips."""

from __future__ import annotations

import socket
import sys
import threading
import time
from typing import Any, Dict

import pytest
import requests
from hostile_servers import (
    API_KEY,
    SECRET,
    drip_body,
    drip_headers,
    endless_chunks,
    keep_alive_json,
    self_signed_tls,
)

from binance.error import ConnectTimeoutError, OutcomeUnknownError, ReadTimeoutError
from binance.um_futures import UMFutures

pytestmark = pytest.mark.timeout(60)

DRIPS = {"drip_headers": drip_headers, "drip_body": drip_body, "endless_chunks": endless_chunks}


def _timed_call(url: str, timeout: Any, out: Dict[str, Any], name: str) -> None:
    client = UMFutures(API_KEY, SECRET, base_url=url, timeout=timeout)
    started = time.monotonic()
    try:
        client.new_order("BTCUSDT", "BUY", "MARKET", quantity="0.01")
        out[name] = ("returned", time.monotonic() - started)
    except Exception as exc:  # the test asserts on the type
        out[name] = (exc, time.monotonic() - started)


def _run_in_parallel(hostile, timeout: Any) -> Dict[str, Any]:
    servers = {name: hostile(behaviour) for name, behaviour in DRIPS.items()}
    out: Dict[str, Any] = {}
    threads = [threading.Thread(target=_timed_call, args=(s.url, timeout, out, n)) for n, s in servers.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return out


def test_timeout_2_ends_every_drip_within_5s_as_read_timeout(hostile):
    out = _run_in_parallel(hostile, 2)
    for name, (result, wall) in sorted(out.items()):
        sys.stderr.write(f"figure: timeout=2 against {name}: {wall:.2f} s wall, {type(result).__name__}\n")
    assert set(out) == set(DRIPS)
    for name, (result, wall) in out.items():
        assert isinstance(result, ReadTimeoutError), (name, result)
        assert isinstance(result, OutcomeUnknownError)
        assert 1.9 <= wall <= 5.0, (name, wall)


def test_a_connect_read_tuple_bounds_the_whole_call_by_their_sum(hostile):
    out = _run_in_parallel(hostile, (1, 1))
    for name, (result, wall) in out.items():
        assert isinstance(result, ReadTimeoutError), (name, result)
        assert wall <= 4.0, (name, wall)


def test_the_deadline_leaves_normal_calls_on_a_kept_alive_connection_alone(hostile):
    server = hostile(keep_alive_json({"serverTime": 1_700_000_000_000}))
    client = UMFutures(API_KEY, SECRET, base_url=server.url, timeout=0.5)
    for _ in range(20):
        assert client.time() == {"serverTime": 1_700_000_000_000}
    time.sleep(0.7)  # every deadline armed above has passed: none may touch a later call
    assert client.time() == {"serverTime": 1_700_000_000_000}
    assert len(server.requests) == 21


def test_timeout_none_still_waits_past_the_drip(hostile):
    server = hostile(drip_body)
    client = UMFutures(API_KEY, SECRET, base_url=server.url, timeout=None)
    out: Dict[str, Any] = {}
    thread = threading.Thread(target=_timed_call, args=(server.url, None, out, "none"), daemon=True)
    thread.start()
    thread.join(2.5)
    assert thread.is_alive() and out == {}  # still waiting, as 4.2.0 did with timeout=None
    client.close()


def _drip_tls_handshake(listener: socket.socket) -> None:
    """Take the ClientHello, then announce a 16 kB handshake record and send it one byte a second."""
    try:
        conn, _ = listener.accept()
    except OSError:
        return
    with conn:
        try:
            conn.recv(65536)
            conn.sendall(b"\x16\x03\x03\x40\x00")
            while True:
                conn.sendall(b"\x00")
                time.sleep(1.0)
        except OSError:
            return


def test_the_deadline_bounds_a_dripped_tls_handshake_as_a_connect_timeout():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    threading.Thread(target=_drip_tls_handshake, args=(listener,), daemon=True).start()
    out: Dict[str, Any] = {}
    url = "https://127.0.0.1:%d" % listener.getsockname()[1]
    thread = threading.Thread(target=_timed_call, args=(url, 2, out, "tls"), daemon=True)
    thread.start()
    thread.join(10)
    listener.close()
    assert "tls" in out, "the call was still hanging after 10 s"
    result, wall = out["tls"]
    sys.stderr.write(f"figure: timeout=2 against a dripped TLS handshake: {wall:.2f} s wall, "
                     f"{type(result).__name__}\n")
    assert isinstance(result, ConnectTimeoutError), result  # nothing was sent: retrying is safe
    assert wall <= 5.0


def test_the_deadline_holds_over_tls_and_normal_tls_calls_work(hostile, tmp_path):
    made = self_signed_tls(str(tmp_path))
    if made is None:
        pytest.skip("the openssl command is not installed")
    context, cert = made

    def client_for(server) -> UMFutures:
        session = requests.Session()
        session.trust_env = False  # else REQUESTS_CA_BUNDLE from the environment would win over verify
        session.verify = cert
        return UMFutures(API_KEY, SECRET, base_url=server.url, timeout=2, session=session)

    fine = client_for(hostile(keep_alive_json({"serverTime": 1_700_000_000_000}), tls=context))
    for _ in range(5):
        assert fine.time() == {"serverTime": 1_700_000_000_000}
    out: Dict[str, Any] = {}

    def timed(name: str, client: UMFutures) -> None:
        started = time.monotonic()
        try:
            client.new_order("BTCUSDT", "BUY", "MARKET", quantity="0.01")
            out[name] = ("returned", time.monotonic() - started)
        except Exception as exc:  # asserted below
            out[name] = (exc, time.monotonic() - started)

    threads = [threading.Thread(target=timed, args=(name, client_for(hostile(behaviour, tls=context))))
               for name, behaviour in DRIPS.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for name, (result, wall) in sorted(out.items()):
        sys.stderr.write(f"figure: timeout=2 against {name} over TLS: {wall:.2f} s wall, {type(result).__name__}\n")
    assert set(out) == set(DRIPS)
    for name, (result, wall) in out.items():
        assert isinstance(result, ReadTimeoutError), (name, result)
        assert wall <= 5.0, (name, wall)
    assert fine.time() == {"serverTime": 1_700_000_000_000}
