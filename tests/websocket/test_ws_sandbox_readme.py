"""4.2.0's README and example calls, unchanged except ``stream_url``, against the sandbox."""

from __future__ import annotations

import json
import threading
import time

import pytest

from binance.websocket.cm_futures.websocket_client import CMFuturesWebsocketClient
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(60)

# (method, keyword arguments as in 4.2.0's examples/websocket/*, stream the server must hold)
UM_CALLS = [
    ("agg_trade", dict(symbol="btcusdt", id=1), "btcusdt@aggTrade"),
    ("mark_price", dict(symbol="btcusdt", id=13, speed=1), "btcusdt@markPrice@1s"),
    ("mark_price_all_market", dict(id=1), "!markPrice@arr@1s"),
    ("kline", dict(symbol="btcusdt", id=12, interval="1m"), "btcusdt@kline_1m"),
    (
        "continuous_kline",
        dict(pair="btcusdt", id=1, contractType="perpetual", interval="1m"),
        "btcusdt_perpetual@continuousKline_1m",
    ),
    ("mini_ticker", dict(id=1, symbol="btcusdt"), "btcusdt@miniTicker"),
    ("ticker", dict(id=13, symbol="btcusdt"), "btcusdt@ticker"),
    ("book_ticker", dict(id=13, symbol="btcusdt"), "btcusdt@bookTicker"),
    ("diff_book_depth", dict(symbol="btcusdt", speed=100, id=1), "btcusdt@depth@100ms"),
    ("partial_book_depth", dict(symbol="btcusdt", id=1, level=10, speed=100), "btcusdt@depth10@100ms"),
    ("liquidation_order", dict(id=13, symbol="btcusdt"), "btcusdt@forceOrder"),
]
CM_CALLS = [
    ("agg_trade", dict(symbol="btcusd_perp", id=1), "btcusd_perp@aggTrade"),
    ("index_price", dict(pair="btcusd", id=1, speed=1), "btcusd@indexPrice@1s"),
    ("mark_price", dict(symbol="btcusd_perp", id=1, speed=1), "btcusd_perp@markPrice@1s"),
    ("pair_mark_price", dict(pair="btcusd", id=1, speed=1), "btcusd@markPrice@1s"),
    ("kline", dict(symbol="btcusd_perp", id=1, interval="1m"), "btcusd_perp@kline_1m"),
    (
        "continuous_kline",
        dict(pair="btcusd", id=1, contractType="perpetual", interval="1m"),
        "btcusd_perpetual@continuousKline_1m",
    ),
    ("index_kline", dict(pair="btcusd", id=1, interval="1m"), "btcusd@indexPriceKline_1m"),
    ("mark_kline", dict(symbol="btcusd_perp", id=1, interval="1m"), "btcusd_perp@markPriceKline_1m"),
    ("mini_ticker", dict(id=1, symbol="btcusd_perp"), "btcusd_perp@miniTicker"),
    ("ticker", dict(id=1, symbol="btcusd_perp"), "btcusd_perp@ticker"),
    ("book_ticker", dict(id=1, symbol="btcusd_perp"), "btcusd_perp@bookTicker"),
    ("diff_book_depth", dict(symbol="btcusd_perp", speed=100, id=1), "btcusd_perp@depth@100ms"),
    ("partial_book_depth", dict(symbol="btcusd_perp", id=1, level=10, speed=100), "btcusd_perp@depth10@100ms"),
    ("liquidation_order", dict(id=1, symbol="btcusd_perp"), "btcusd_perp@forceOrder"),
]
DELIVERING = {"kline", "markPriceUpdate", "depthUpdate", "indexPriceUpdate", "indexPrice_kline", "markPrice_kline"}


@pytest.mark.parametrize(
    "client_class, calls, url_attr",
    [
        (UMFuturesWebsocketClient, UM_CALLS, "um_stream_url"),
        (CMFuturesWebsocketClient, CM_CALLS, "cm_stream_url"),
    ],
)
def test_example_calls_run_unchanged(sandbox, client_class, calls, url_attr):
    threads_before = threading.active_count()
    messages = []

    def message_handler(_, message):
        messages.append(message)

    my_client = client_class(stream_url=getattr(sandbox, url_attr), on_message=message_handler)
    for method, kwargs, _ in calls:
        getattr(my_client, method)(**kwargs)
    for _, _, stream in calls:
        assert sandbox.wait_for_subscription(stream), stream
    time.sleep(1.5)
    my_client.stop()
    events = {json.loads(m).get("e") for m in messages if m.startswith("{")}
    assert DELIVERING & events
    assert '{"result": null, "id": 1}' in messages or '{"result":null,"id":1}' in messages
    assert threading.active_count() == threads_before


def test_readme_combined_streams_and_unsubscribe(sandbox):
    messages = []

    def message_handler(_, message):
        messages.append(message)

    my_client = UMFuturesWebsocketClient(stream_url=sandbox.um_stream_url, on_message=message_handler, is_combined=True)
    my_client.subscribe(stream=["bnbusdt@bookTicker", "ethusdt@bookTicker", "btcusdt@kline_1m"])
    my_client.kline(symbol="ethusdt", interval="1m", id=3)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any('"stream":"ethusdt@kline_1m"' in m for m in messages):
        time.sleep(0.05)
    my_client.kline(symbol="ethusdt", interval="1m", id=4, action="UNSUBSCRIBE")
    assert sorted(my_client.subscriptions) == ["bnbusdt@bookTicker", "btcusdt@kline_1m", "ethusdt@bookTicker"]
    my_client.stop()
    assert any('"stream":"btcusdt@kline_1m"' in m for m in messages)
    assert any('"stream":"ethusdt@kline_1m"' in m for m in messages)
