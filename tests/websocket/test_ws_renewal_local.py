"""When a renewal closes the old socket: once the new one delivered what the old one did, or at the
handover timeout (against the local fake server; timings asserted with generous bounds)."""

from __future__ import annotations

import json
import threading
import time

import pytest

from binance.websocket._backoff import ReconnectPolicy
from binance.websocket._connection import ConnectionListener, ConnectionSettings, State, StreamConnection
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(30)

NOTICE = json.dumps({"e": "serverShutdown", "E": 1})
RARE = json.dumps({"e": "forceOrder", "E": 2, "o": {"s": "RAREUSDT"}})


class Messages(ConnectionListener):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.texts = []

    def connection_message(self, conn, data):
        with self.lock:
            self.texts.append(data)

    def count(self, text):
        with self.lock:
            return self.texts.count(text)


def _renew(server, handover_timeout, extra=()):
    messages = Messages()
    conn = StreamConnection(f"{server.url}/ws", messages, ConnectionSettings(handover_timeout=handover_timeout))
    conn.start()
    conn.subscribe(["btcusdt@aggTrade"], 1)
    assert server.wait_for(lambda: len(server.open_connections()) == 1 and server.connections[0].subscriptions)
    old = server.connections[0]
    server.send_to(old, NOTICE, *extra)
    assert server.wait_for(lambda: len(server.connections) == 2 and server.connections[1].subscriptions)
    assert server.wait_for(lambda: old.closed, 10.0)
    new = server.connections[1]
    overlap = old.closed_at - new.received_at[0]
    assert not new.closed and conn.state is State.OPEN and conn.renewals == 1
    return conn, messages, overlap


def test_old_socket_closes_once_the_new_one_delivers(server):
    conn, messages, overlap = _renew(server, handover_timeout=8.0)
    try:
        assert overlap < 4.0, f"the old socket was kept {overlap:.2f} s after the new one subscribed"
        assert server.wait_for(lambda: conn.threads[2:] == ())
    finally:
        conn.stop()
        assert conn.join(5.0)


def test_old_socket_is_kept_until_the_handover_timeout_for_a_stream_the_new_one_has_not_delivered(server):
    conn, messages, overlap = _renew(server, handover_timeout=1.0, extra=(RARE,))
    try:
        assert overlap >= 0.5, f"the old socket closed {overlap:.2f} s after the new one subscribed"
        assert messages.count(RARE) == 1
        assert messages.count(NOTICE) == 1
    finally:
        conn.stop()
        assert conn.join(5.0)
    assert conn.state is State.CLOSED
    assert not any(thread.is_alive() for thread in conn.threads)


def test_a_renewal_whose_old_socket_ends_first_is_reported_as_a_reconnect(server):
    reconnects = []
    client = UMFuturesWebsocketClient(
        server.url,
        on_reconnect=lambda _client, streams: reconnects.append(streams),
        reconnect_policy=ReconnectPolicy(initial=0.05, maximum=0.2),
    )
    try:
        client.agg_trade("btcusdt")
        assert server.wait_for(lambda: server.connections and server.connections[0].subscriptions)
        server.accept = False
        server.send_all(NOTICE)
        assert server.wait_for(lambda: client.renewals == 1)
        time.sleep(0.3)
        server.drop_all()
        assert server.wait_for(lambda: server.connections[0].closed)
        server.accept = True
        assert server.wait_for(lambda: reconnects == [["btcusdt@aggTrade"]])
        assert client.reconnects == 1 and client.renewals == 1
    finally:
        client.stop()


def test_renewals_of_a_connection_without_streams_are_seamless(server):
    reconnects = []
    client = UMFuturesWebsocketClient(
        server.url,
        max_connection_age=1.5,
        on_reconnect=lambda _client, streams: reconnects.append(streams),
        on_open=lambda _client: None,  # with on_open the default route opens at construction, with no stream
    )
    try:
        assert server.wait_for(lambda: client.renewals >= 3, 15.0)
        assert reconnects == [] and client.reconnects == 0
    finally:
        client.stop()
    assert not any(thread.is_alive() for thread in client.threads())


def test_after_a_renewal_cut_short_by_a_drop_nothing_is_filtered_any_more(server):
    messages = Messages()
    conn = StreamConnection(f"{server.url}/ws", messages, ConnectionSettings(handover_timeout=30.0))
    conn.start()
    try:
        conn.subscribe(["btcusdt@aggTrade"], 1)
        assert server.wait_for(lambda: server.connections and server.connections[0].subscriptions)
        server.send_to(server.connections[0], NOTICE, RARE)
        assert server.wait_for(lambda: len(server.connections) == 2 and server.connections[1].subscriptions)
        assert not server.connections[0].closed, "the old socket waits for the rare stream on the new one"
        server.drop_all()
        assert server.wait_for(lambda: len(server.open_connections()) == 1 and server.connections[-1].subscriptions)
        assert server.wait_for(lambda: conn.threads[2:] == ())
        time.sleep(2.5)
        twice = json.dumps({"e": "forceOrder", "E": 3, "o": {"s": "TWICEUSDT"}})
        server.send_to(server.connections[-1], twice, twice)
        assert server.wait_for(lambda: messages.count(twice) == 2), "copies are filtered only during a renewal"
    finally:
        conn.stop()
        assert conn.join(5.0)
