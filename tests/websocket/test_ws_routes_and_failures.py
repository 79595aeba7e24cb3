"""Connections only for routes that carry a stream, one merged LIST_SUBSCRIPTIONS reply, failures reported
through on_error, and no use after stop()."""

from __future__ import annotations

import json
import socket
import time

import pytest

from binance.error import ConnectError
from binance.websocket._backoff import ReconnectPolicy
from binance.websocket._listings import ListingMerger
from binance.websocket.cm_futures.websocket_client import CMFuturesWebsocketClient
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

pytestmark = pytest.mark.timeout(60)


def _wait(predicate, timeout=10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


# ---------------------------------------------------------------------------- routes
def test_a_um_client_opens_only_the_routes_its_streams_use(server):
    client = UMFuturesWebsocketClient(server.url)
    try:
        time.sleep(0.5)
        assert server.connections == []  # no stream, no connection
        client.diff_book_depth("btcusdt")
        assert _wait(lambda: len(server.open_connections()) == 1)
        time.sleep(0.3)
        assert [c.path for c in server.connections] == ["/public/ws"]
        client.agg_trade("btcusdt")
        assert _wait(lambda: len(server.open_connections()) == 2)
        assert sorted(c.path for c in server.connections) == ["/market/ws", "/public/ws"]
    finally:
        client.stop()


def test_a_client_with_on_open_opens_its_default_route_so_4_2_0_code_can_subscribe_from_it(server):
    opened = []
    client = CMFuturesWebsocketClient(server.url, on_open=lambda c: (opened.append(1), c.agg_trade("btcusd_perp")))
    try:
        assert _wait(lambda: any("btcusd_perp@aggTrade" in c.subscriptions for c in server.connections))
        assert opened == [1] and len(server.connections) == 1
    finally:
        client.stop()


# ---------------------------------------------------------------------------- LIST_SUBSCRIPTIONS
def test_list_subscribe_gives_one_reply_merged_over_the_routed_connections(server):
    messages: list = []
    client = UMFuturesWebsocketClient(server.url, on_message=lambda _c, m: messages.append(m))
    try:
        client.diff_book_depth("btcusdt")
        client.agg_trade("btcusdt")
        assert _wait(lambda: sum(len(c.subscriptions) for c in server.open_connections()) == 2)
        client.list_subscribe(id=77)
        assert _wait(lambda: any('"id":77' in m.replace(" ", "") for m in messages))
        time.sleep(0.5)
    finally:
        client.stop()
    replies = [json.loads(m) for m in messages if '"id":77' in m.replace(" ", "")]
    assert len(replies) == 1
    assert sorted(replies[0]["result"]) == ["btcusdt@aggTrade", "btcusdt@depth@100ms"]


def test_list_subscribe_without_any_stream_answers_an_empty_list(server):
    messages: list = []
    client = UMFuturesWebsocketClient(server.url, on_message=lambda _c, m: messages.append(m))
    try:
        client.list_subscribe(id=5)
        assert _wait(lambda: messages)
    finally:
        client.stop()
    assert json.loads(messages[0]) == {"result": [], "id": 5}
    assert server.connections == []


def test_merger_delivers_what_came_at_the_deadline_and_passes_other_texts_through():
    merger = ListingMerger()
    merger.expect(1, replies=2, deadline=10.0)
    assert merger.offer('{"e":"aggTrade","s":"BTCUSDT"}', 1.0) == (False, [])
    assert merger.offer('{"result":["a@aggTrade"],"id":1}', 2.0) == (True, [])
    assert merger.offer('{"result":null,"id":2}', 3.0) == (False, [])  # another request's reply
    assert merger.offer('{"e":"x"}', 11.0) == (False, ['{"result":["a@aggTrade"],"id":1}'])
    assert not merger.waiting


# ---------------------------------------------------------------------------- failures and stop()
def _closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_connection_failures_reach_on_error_as_connect_errors():
    errors: list = []
    port = _closed_port()
    client = CMFuturesWebsocketClient(
        f"ws://127.0.0.1:{port}",
        on_error=lambda _c, e: errors.append(e),
        reconnect_policy=ReconnectPolicy(initial=0.05, maximum=0.1),
    )
    try:
        client.agg_trade("btcusd_perp")
        assert _wait(lambda: len(errors) >= 3)  # it keeps retrying, and says so each time
    finally:
        client.stop()
    assert all(isinstance(e, ConnectError) for e in errors), errors
    assert f"127.0.0.1:{port}" in str(errors[0])
    assert errors[0].__cause__ is None


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.subscribe("btcusdt@aggTrade"),
        lambda c: c.agg_trade("btcusdt"),
        lambda c: c.send({"method": "SUBSCRIBE", "params": ["x@aggTrade"], "id": 1}),
        lambda c: c.send_message('{"method": "LIST_SUBSCRIPTIONS", "id": 1}'),
        lambda c: c.list_subscribe(),
        lambda c: c.ping(),
        lambda c: c.reconnect(),
    ],
    ids=["subscribe", "stream-method", "send", "send_message", "list_subscribe", "ping", "reconnect"],
)
def test_use_after_stop_raises(server, call):
    client = UMFuturesWebsocketClient(server.url)
    client.agg_trade("btcusdt")
    client.stop()
    with pytest.raises(ConnectError, match="stopped"):
        call(client)
    client.unsubscribe("btcusdt@aggTrade")  # nothing left to unsubscribe: a no-op
    client.stop()  # still idempotent
