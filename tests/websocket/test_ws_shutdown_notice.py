"""Only a real serverShutdown event renews a stream connection, not any text that contains the word."""

from __future__ import annotations

import json
import time

import pytest

from binance.websocket._streams import is_shutdown_notice
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

pytestmark = pytest.mark.timeout(30)

ORDER_UPDATE = json.dumps(
    {"e": "ORDER_TRADE_UPDATE", "E": 1, "o": {"s": "BTCUSDT", "c": "serverShutdown-7", "X": "NEW"}}
)


@pytest.mark.parametrize(
    "text, notice",
    [
        ('{"e":"serverShutdown","E":1}', True),
        ('{"stream":"x","data":{"e":"serverShutdown","E":1}}', True),
        ('{"event":{"e":"serverShutdown","E":1}}', True),
        (ORDER_UPDATE, False),
        ('{"e":"aggTrade","s":"serverShutdown"}', False),
        ("serverShutdown", False),
        ('["serverShutdown"]', False),
    ],
)
def test_is_shutdown_notice_parses_the_event(text, notice):
    assert is_shutdown_notice(text) is notice


def test_an_order_update_whose_client_order_id_says_servershutdown_is_delivered_not_obeyed(server):
    messages: list = []
    client = UMFuturesWebsocketClient(server.url, on_message=lambda _c, m: messages.append(m))
    try:
        client.subscribe("x" * 60)  # a listenKey: the /private route
        assert server.wait_for(lambda: server.open_connections() and server.open_connections()[0].subscriptions)
        server.send_all(ORDER_UPDATE)
        assert server.wait_for(lambda: ORDER_UPDATE in messages)
        time.sleep(1.0)
        assert client.renewals == 0 and client.reconnects == 0
        assert len(server.connections) == 1
        server.send_all(json.dumps({"e": "serverShutdown", "E": 2}))
        assert server.wait_for(lambda: client.renewals == 1, 10)
        assert server.wait_for(lambda: len(server.connections) == 2, 10)
    finally:
        client.stop()
