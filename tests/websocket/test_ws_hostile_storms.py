"""Reconnect storms: a server that completes the handshake and closes at once must not draw a storm.

The figure test runs both clients with their default backoff for 20 s, in parallel, each against
its own close-after-handshake server. The guard tests check the process-wide cap on connection
attempts per host (Binance bans an IP past 300 per 5 minutes), pure and threaded.
"""

from __future__ import annotations

import threading
import time

import pytest
from hostile_ws import HostileServer, close_after_handshake

from binance.websocket._attempts import CONNECTION_GUARD, AttemptBudget, ConnectionGuard, host_key
from binance.websocket._backoff import ReconnectPolicy
from binance.websocket.api import UMFuturesWebsocketAPIClient
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

STORM_SECONDS = 20.0


def _gaps(times):
    return [b - a for a, b in zip(times, times[1:])]


@pytest.mark.timeout(90)
def test_close_after_handshake_draws_at_most_30_connections_in_20s_from_each_client():
    with HostileServer(close_after_handshake) as streams, HostileServer(close_after_handshake) as api:
        stream_client = UMFuturesWebsocketClient(streams.url)
        stream_client.agg_trade("btcusdt")
        api_client = UMFuturesWebsocketAPIClient(stream_url=api.url + "/ws-fapi/v1")
        try:
            time.sleep(STORM_SECONDS)
        finally:
            stream_client.stop()
            api_client.stop()
        figures = {}
        for name, server in (("stream client", streams), ("WebSocket API client", api)):
            times = server.attempts()
            times = [t for t in times if t - times[0] <= STORM_SECONDS]
            figures[name] = (len(times), max(_gaps(times), default=0.0))
    for name, (count, gap) in figures.items():
        print(f"\n{name}: {count} connections in {STORM_SECONDS:g} s, largest gap between attempts {gap:.2f} s")
    for name, (count, gap) in figures.items():
        assert count <= 30, name
        assert gap >= 2.0, name


# ---------------------------------------------------------------------------- the pure budget
def test_budget_allows_the_limit_then_spaces_attempts_one_period_after_the_oldest():
    budget = AttemptBudget(limit=3, period=10.0)
    assert [budget.reserve("h:1", t) for t in (0.0, 1.0, 2.0)] == [0.0, 0.0, 0.0]
    assert budget.reserve("h:1", 3.0) == 7.0  # at 10.0, when the attempt made at 0.0 leaves the window
    assert budget.reserve("h:1", 3.0) == 8.0  # at 11.0
    assert budget.reserve("h:2", 3.0) == 0.0  # another host has its own budget
    assert budget.reserve("h:1", 25.0) == 0.0  # the window has passed
    assert budget.booked("h:1", 25.0) == 1


def test_budget_never_starts_more_than_the_limit_in_any_window():
    budget = AttemptBudget(limit=5, period=1.0)
    starts = []
    now = 0.0
    for _ in range(200):
        now += 0.01
        starts.append(now + budget.reserve("h:1", now))
    starts.sort()
    for i, start in enumerate(starts):
        assert sum(1 for s in starts[i:] if s < start + 1.0 - 1e-9) <= 5


def test_host_key_counts_per_host_and_port():
    assert host_key("wss://fstream.binance.com/market/ws") == "fstream.binance.com:443"
    assert host_key("ws://127.0.0.1:8080/ws?x=1") == "127.0.0.1:8080"
    assert host_key("ws://LOCALHOST/ws") == "localhost:80"


def test_guard_returns_false_when_stopped_while_waiting():
    guard = ConnectionGuard(limit=1, period=60.0)
    stopping = threading.Event()
    assert guard.wait_turn("ws://h:1/ws", stopping)
    threading.Timer(0.1, stopping.set).start()
    started = time.monotonic()
    assert not guard.wait_turn("ws://h:1/ws", stopping)
    assert time.monotonic() - started < 5


# ---------------------------------------------------------------------------- the threaded guard
@pytest.fixture
def small_guard():
    CONNECTION_GUARD.configure(limit=6, period=60.0)
    yield CONNECTION_GUARD
    CONNECTION_GUARD.configure()


@pytest.mark.timeout(60)
def test_every_client_of_the_process_shares_one_budget_per_host(small_guard):
    fast = ReconnectPolicy(initial=0.01, maximum=0.02)
    with HostileServer(close_after_handshake) as server:
        clients = [UMFuturesWebsocketClient(server.url, reconnect_policy=fast) for _ in range(3)]
        for client in clients:
            client.agg_trade("btcusdt")
        api = UMFuturesWebsocketAPIClient(stream_url=server.url + "/ws-fapi/v1", reconnect_policy=fast)
        try:
            time.sleep(4.0)
        finally:
            for client in clients:
                client.stop()
            api.stop()
        attempts = len(server.attempts())
    print(f"\n4 clients with a 10 ms backoff against one close-after-handshake host: {attempts} attempts in 4 s"
          f" (guard: {small_guard.limit} per {small_guard.period:g} s)")
    assert 1 <= attempts <= small_guard.limit
    assert small_guard.delayed > 0


# ---------------------------------------------------------------------------- restart after a healthy connection
def _close_after(seconds: float):
    from hostile_ws import accept_handshake

    def handler(server, conn) -> None:
        accept_handshake(conn.sock, conn.request)
        time.sleep(seconds)

    return handler


def test_policy_counts_a_connection_healthy_after_healthy_after_seconds():
    policy = ReconnectPolicy(healthy_after=10.0)
    assert not policy.proven_healthy(9.9)
    assert policy.proven_healthy(10.0)
    with pytest.raises(ValueError):
        ReconnectPolicy(healthy_after=-1)


@pytest.mark.timeout(60)
def test_after_a_connection_that_proved_healthy_the_backoff_starts_over():
    # Connections last 1 s, above healthy_after=0.5: each drop restarts the backoff at initial=1 s
    # (drawn from [0.5, 1]); without the restart the ceiling would grow 1 -> 8 -> 64 s (a gap of 5 s or more).
    policy = ReconnectPolicy(initial=1.0, maximum=64.0, factor=8.0, healthy_after=0.5)
    with HostileServer(_close_after(1.0)) as streams, HostileServer(_close_after(1.0)) as api:
        stream_client = UMFuturesWebsocketClient(streams.url, reconnect_policy=policy)
        stream_client.agg_trade("btcusdt")
        api_client = UMFuturesWebsocketAPIClient(stream_url=api.url + "/ws-fapi/v1", reconnect_policy=policy)
        try:
            assert streams.wait_for(lambda: len(streams.attempts()) >= 4, 20)
            assert api.wait_for(lambda: len(api.attempts()) >= 4, 20)
        finally:
            stream_client.stop()
            api_client.stop()
        for server in (streams, api):
            gaps = _gaps(server.attempts()[:4])
            assert all(gap < 3.5 for gap in gaps), gaps
