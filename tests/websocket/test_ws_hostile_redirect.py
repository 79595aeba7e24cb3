"""A 3xx answer to the handshake: a typed error, and nothing (apiKey, signature, listenKey) reaches the target."""

from __future__ import annotations

import time

import pytest
from hostile_ws import HostileServer, accept_and_record, redirect_to

from binance.error import ConnectError, HandshakeRedirectError
from binance.websocket._backoff import ReconnectPolicy
from binance.websocket.api import UMFuturesWebsocketAPIClient
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

pytestmark = pytest.mark.timeout(60)

API_KEY = "K" * 64
API_SECRET = "S" * 64
LISTEN_KEY = "L" * 60
FAST = ReconnectPolicy(initial=0.05, maximum=0.2)


def _wait(predicate, timeout=10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _credentials_in(server: HostileServer) -> int:
    """Connections to ``server`` whose handshake or (unmasked) frames carry the API key, a signature, the listenKey."""
    found = 0
    for conn in server.connections():
        data = conn.everything()
        if any(secret in data for secret in (API_KEY.encode(), LISTEN_KEY.encode(), b"signature")):
            found += 1
    return found


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_stream_client_reports_a_redirect_and_never_connects_to_the_target(status):
    with HostileServer(accept_and_record) as target, HostileServer(redirect_to(target.url, status)) as hostile:
        errors: list = []
        client = UMFuturesWebsocketClient(
            hostile.url, on_error=lambda _c, e: errors.append(e), reconnect_policy=FAST
        )
        try:
            client.subscribe(LISTEN_KEY)
            assert _wait(lambda: any(isinstance(e, HandshakeRedirectError) for e in errors))
            assert _wait(lambda: len(hostile.connections()) >= 2)  # it keeps retrying the configured host
        finally:
            client.stop()
        print(f"\nstream client, HTTP {status}: {len(target.connections())} connection(s) at the redirect target,"
              f" {_credentials_in(target)} carrying a credential")
        redirect = next(e for e in errors if isinstance(e, HandshakeRedirectError))
        assert isinstance(redirect, ConnectError)
        assert redirect.status_code == status
        assert str(target.port) in redirect.location
        assert LISTEN_KEY not in str(redirect)
        assert target.connections() == []
        assert _credentials_in(target) == 0


def test_ws_api_client_raises_a_redirect_and_sends_nothing_to_the_target():
    with HostileServer(accept_and_record) as target, HostileServer(redirect_to(target.url, 301)) as hostile:
        client = UMFuturesWebsocketAPIClient(
            API_KEY, API_SECRET, stream_url=hostile.url + "/ws-fapi/v1", timeout=3.0, reconnect_policy=FAST
        )
        try:
            assert _wait(lambda: len(hostile.connections()) >= 1)
            started = time.monotonic()
            with pytest.raises(HandshakeRedirectError) as info:
                client.send_request("account.status", {})
            assert time.monotonic() - started < 3.5
            with pytest.raises(HandshakeRedirectError):
                client.send_request("userDataStream.start", {})
        finally:
            client.stop()
        print(f"\nWebSocket API client: {len(target.connections())} connection(s) at the redirect target,"
              f" {_credentials_in(target)} carrying a credential")
        assert info.value.status_code == 301
        assert API_KEY not in str(info.value)
        assert target.connections() == []
        assert _credentials_in(target) == 0
