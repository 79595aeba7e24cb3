"""Planned renewals are make-before-break: no gap, no duplicate, no lost subscription.

Against the sandbox (real server, real sockets): the client renews its connections every 2 s
(``max_connection_age``) or on a ``serverShutdown`` notice. The sandbox numbers aggregate trades
consecutively per symbol and chains diff-depth events by ``pu``, so a gap shows as a missing
``a`` or a broken ``pu`` chain, and a duplicate as a repeated ``a`` or ``u``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict

import pytest

from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(90)

STREAMS = [
    "btcusdt@aggTrade",
    "ethusdt@aggTrade",
    "btcusdt@depth@100ms",
    "ethusdt@bookTicker",
    "btcusdt@kline_1m",
]
AGG_TRADES = ["btcusdt@aggTrade", "ethusdt@aggTrade"]
MAX_GAP = 1.0


class Events:
    """Every event delivered to ``on_message``, per stream, with its arrival time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_stream = defaultdict(list)
        self.reconnects = 0
        self.errors = []

    def on_message(self, client, message):
        decoded = json.loads(message)
        if "stream" not in decoded:
            return
        with self.lock:
            self.by_stream[decoded["stream"]].append((time.monotonic(), decoded["data"]))

    def on_reconnect(self, client, streams):
        self.reconnects += 1

    def on_error(self, client, exc):
        self.errors.append(exc)

    def of(self, stream):
        with self.lock:
            return list(self.by_stream[stream])


def _client(sandbox, events, **options):
    return UMFuturesWebsocketClient(
        sandbox.um_stream_url,
        on_message=events.on_message,
        on_reconnect=events.on_reconnect,
        on_error=events.on_error,
        is_combined=True,
        **options,
    )


def _wait(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _served(sandbox):
    return sorted(s for conn in sandbox.connections.snapshot("stream") for s in conn.subscriptions)


def _assert_continuous(events, since):
    """No missing or repeated aggTrade id, an unbroken depth chain, no long silence on busy streams."""
    for stream in AGG_TRADES:
        delivered = events.of(stream)
        ids = [data["a"] for _, data in delivered]
        assert len(ids) == len(set(ids)), f"{stream}: duplicate aggTrade ids delivered"
        assert ids == list(range(ids[0], ids[0] + len(ids))), f"{stream}: aggTrade ids missing"
        times = [t for t, _ in delivered if t >= since]
        gap = max(b - a for a, b in zip(times, times[1:]))
        assert gap < MAX_GAP, f"{stream}: {gap:.2f} s without a message"
    depth = [data for _, data in events.of("btcusdt@depth@100ms")]
    assert len({d["u"] for d in depth}) == len(depth), "duplicate depth events delivered"
    breaks = [(a["u"], b["pu"]) for a, b in zip(depth, depth[1:]) if b["pu"] != a["u"]]
    assert not breaks, f"depth pu chain broken at {breaks[:3]}"


def test_age_renewals_leave_no_gap_no_duplicate_and_no_lost_subscription(sandbox):
    threads_before = threading.active_count()
    events = Events()
    client = _client(sandbox, events, max_connection_age=2.0)
    try:
        client.subscribe(STREAMS)
        assert _wait(lambda: all(events.of(s) for s in STREAMS))
        started = time.monotonic()
        time.sleep(8.0)
        assert all(conn.renewals >= 2 for conn in client.connections), "max_connection_age did not renew"
        renewals = client.renewals
        assert events.reconnects == 0 and client.reconnects == 0, "a seamless renewal is not a reconnect"
        assert all(conn.duplicates_dropped > 0 for conn in client.connections), "the sockets never overlapped"
        _assert_continuous(events, started)
        last_second = time.monotonic() - 1.0
        assert all(events.of(s)[-1][0] > last_second for s in STREAMS if s != "btcusdt@kline_1m")
        assert sorted(client.subscriptions) == sorted(STREAMS)
        assert _wait(lambda: _served(sandbox) == sorted(STREAMS))
        assert not events.errors
        trades = [(t, data["E"]) for t, data in events.of("btcusdt@aggTrade") if t >= started]
        pairs = list(zip(trades, trades[1:]))
        print(
            "\nrenewal: {} make-before-break renewals in 8 s; {} copies dropped; btcusdt@aggTrade {} events, "
            "longest silence {:.0f} ms, largest arrival gap beyond the event-time gap {:.0f} ms".format(
                renewals,
                sum(conn.duplicates_dropped for conn in client.connections),
                len(trades),
                1000 * max(b[0] - a[0] for a, b in pairs),
                max(1000 * (b[0] - a[0]) - (b[1] - a[1]) for a, b in pairs),
            )
        )
    finally:
        stop_started = time.monotonic()
        client.stop()
        stop_took = time.monotonic() - stop_started
    assert stop_took < client.timeout + 2.0
    assert not any(t.is_alive() for t in client.threads())
    assert _wait(lambda: threading.active_count() == threads_before, 2.0)


def _announce_shutdown(sandbox, grace=5.0):
    """Binance's notice on every stream connection, which the server closes ``grace`` s later."""
    notice = getattr(sandbox.faults, "server_shutdown", None)
    if notice is not None:
        return notice(grace=grace, kind="stream")
    text = json.dumps({"e": "serverShutdown", "E": sandbox.now_ms()})
    conns = sandbox.connections.snapshot("stream")
    for conn in conns:
        conn.send_raw(text)
    return len(conns)


def test_server_shutdown_notices_renew_without_gap_or_duplicate(sandbox):
    threads_before = threading.active_count()
    events = Events()
    client = _client(sandbox, events)
    try:
        client.subscribe(STREAMS)
        assert _wait(lambda: all(events.of(s) for s in STREAMS))
        started = time.monotonic()
        for notice in range(1, 5):
            copies = [conn.duplicates_dropped for conn in client.connections]
            assert _announce_shutdown(sandbox) == 2
            assert _wait(lambda n=notice: [conn.renewals for conn in client.connections] == [n, n])
            assert _wait(lambda: all(conn.threads[2:] == () for conn in client.connections), 5.0)
            after = [conn.duplicates_dropped for conn in client.connections]
            assert all(b > a for a, b in zip(copies, after)), "the old and the new socket never overlapped"
            time.sleep(0.5)
        _assert_continuous(events, started)
        assert sorted(client.subscriptions) == sorted(STREAMS)
        assert _served(sandbox) == sorted(STREAMS)
    finally:
        client.stop()
    assert not any(t.is_alive() for t in client.threads())
    assert _wait(lambda: threading.active_count() == threads_before, 2.0)


def test_stop_during_a_renewal_is_bounded_and_joins_the_drain_thread(sandbox):
    threads_before = threading.active_count()
    events = Events()
    client = _client(sandbox, events)
    client.subscribe(STREAMS)
    assert _wait(lambda: all(events.of(s) for s in STREAMS))
    sandbox.faults.refuse_connections(30.0)
    try:
        assert _announce_shutdown(sandbox) == 2
        assert _wait(lambda: all(len(conn.threads) == 3 for conn in client.connections))
        count = len(events.of("btcusdt@aggTrade"))
        assert _wait(lambda: len(events.of("btcusdt@aggTrade")) > count + 5), "the old socket stopped delivering"
    finally:
        stop_started = time.monotonic()
        client.stop()
        stop_took = time.monotonic() - stop_started
        sandbox.faults.clear()
    assert stop_took < client.timeout + 2.0
    assert not any(t.is_alive() for t in client.threads())
    assert _wait(lambda: threading.active_count() == threads_before, 2.0)


def test_a_shutdown_without_grace_is_reported_as_a_reconnect(sandbox):
    events = Events()
    client = _client(sandbox, events)
    try:
        client.subscribe(STREAMS)
        assert _wait(lambda: all(events.of(s) for s in STREAMS))
        if not hasattr(sandbox.faults, "server_shutdown"):
            pytest.skip("this sandbox has no server_shutdown fault")
        assert sandbox.faults.server_shutdown(grace=0, kind="stream") == 2
        assert _wait(lambda: events.reconnects == 2 and client.reconnects == 2)
        assert client.renewals == 2
        resumed = time.monotonic()
        assert _wait(lambda: all(events.of(s)[-1][0] > resumed for s in STREAMS if s != "btcusdt@kline_1m"))
        assert _wait(lambda: _served(sandbox) == sorted(STREAMS))
    finally:
        client.stop()
