"""Raw trade streams, the seeded trade history of a fresh sandbox, and partial-depth sequence numbers."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests

from binance.cm_futures import CMFutures
from binance.um_futures import UMFutures
from binance.websocket.cm_futures.websocket_client import CMFuturesWebsocketClient
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

pytestmark = pytest.mark.timeout(60)

TRADE_KEYS = {"e", "E", "T", "s", "t", "p", "q", "X", "m"}


def _trades(messages):
    return [m for m in messages if isinstance(m, dict) and m.get("e") == "trade"]


def _wait_trades(reader, count, timeout=10.0):
    deadline = time.monotonic() + timeout
    while len(_trades(reader.messages)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    got = _trades(reader.messages)
    assert len(got) >= count, reader.messages[-3:]
    return got


@pytest.mark.parametrize("path, symbol", [("/public/ws/btcusdt@trade", "BTCUSDT"),
                                          ("/ws/btcusd_perp@trade", "BTCUSD_PERP")])
def test_raw_trade_stream_like_ccxt_watch_trades(sandbox, ws_reader, path, symbol):
    base = sandbox.um_stream_url if symbol.endswith("USDT") else sandbox.cm_stream_url
    got = _wait_trades(ws_reader(base + path), 3)
    for t in got:
        assert set(t) == TRADE_KEYS and t["s"] == symbol and t["X"] == "MARKET" and isinstance(t["m"], bool)
        assert float(t["p"]) > 0 and float(t["q"]) > 0
    ids = [t["t"] for t in got]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    # the same trades are in the REST history
    rest = UMFutures(base_url=sandbox.um_rest_url) if symbol.endswith("USDT") else \
        CMFutures(base_url=sandbox.cm_rest_url)
    history = {t["id"]: t for t in rest.trades(symbol, limit=1000)}
    assert all(history[t["t"]]["price"] == t["p"] and history[t["t"]]["qty"] == t["q"] for t in got)


def test_um_trade_stream_is_public_only_on_strict_routing(make_sandbox, ws_reader):
    sb = make_sandbox(strict_routing=True)
    on_market = ws_reader(sb.um_stream_url + "/market/ws")
    on_market.send({"method": "SUBSCRIBE", "params": ["btcusdt@trade"], "id": 1})
    on_market.reply(1)
    on_public = ws_reader(sb.um_stream_url + "/public/ws/btcusdt@trade")
    _wait_trades(on_public, 2)
    assert _trades(on_market.messages) == []


@pytest.mark.parametrize("market", ["um", "cm"])
def test_stream_clients_trade_method(sandbox, market):
    got, lock = [], threading.Lock()

    def on_message(_, message):
        with lock:
            got.append(json.loads(message))

    if market == "um":
        client = UMFuturesWebsocketClient(on_message=on_message, stream_url=sandbox.um_stream_url)
        symbol = "BTCUSDT"
    else:
        client = CMFuturesWebsocketClient(on_message=on_message, stream_url=sandbox.cm_stream_url)
        symbol = "BTCUSD_PERP"
    try:
        client.trade(symbol)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with lock:
                if _trades(got):
                    break
            time.sleep(0.05)
        with lock:
            trades = _trades(got)
        assert trades and trades[0]["s"] == symbol
    finally:
        client.stop()


@pytest.mark.parametrize("market, symbol", [("um", "BTCUSDT"), ("cm", "ETHUSD_PERP")])
def test_a_fresh_sandbox_already_has_trades(make_sandbox, market, symbol):
    sb = make_sandbox(tick_interval=None)
    base = sb.um_rest_url if market == "um" else sb.cm_rest_url
    prefix = "/fapi" if market == "um" else "/dapi"
    trades = requests.get(f"{base}{prefix}/v1/trades", params={"symbol": symbol}, timeout=10).json()
    aggs = requests.get(f"{base}{prefix}/v1/aggTrades", params={"symbol": symbol}, timeout=10).json()
    assert len(trades) >= 10 and len(aggs) >= 10
    now = sb.now_ms()
    assert all(now - 180_000 < t["time"] <= now for t in trades)
    assert [t["id"] for t in trades] == list(range(trades[0]["id"], trades[0]["id"] + len(trades)))
    assert {a["f"] for a in aggs} <= {t["id"] for t in trades}
    ticker = requests.get(f"{base}{prefix}/v1/ticker/price", params={"symbol": symbol}, timeout=10).json()
    assert trades[-1]["price"] == (ticker[0] if isinstance(ticker, list) else ticker)["price"]


@pytest.mark.parametrize("stream", ["btcusdt@depth5", "btcusdt@depth10@100ms", "btcusdt@depth20@500ms"])
def test_partial_depth_sequence_from_the_first_message(make_sandbox, ws_reader, stream):
    sb = make_sandbox()
    reader = ws_reader(sb.um_stream_url + "/ws/" + stream)
    deadline = time.monotonic() + 10
    msgs = []
    while len(msgs) < 3 and time.monotonic() < deadline:
        msgs = [m for m in reader.messages if isinstance(m, dict) and m.get("e") == "depthUpdate"]
        time.sleep(0.05)
    assert len(msgs) >= 3
    first = msgs[0]
    assert first["pu"] < first["U"] <= first["u"] and first["U"] == first["pu"] + 1
    for prev, cur in zip(msgs, msgs[1:]):
        assert cur["pu"] == prev["u"] and cur["U"] <= cur["u"]


def test_client_routes_raw_trades_to_the_public_path():
    from binance.websocket._streams import trade, um_category

    assert um_category(trade("BTCUSDT")) == "public"
    assert um_category("btcusdt@aggTrade") == "market"
