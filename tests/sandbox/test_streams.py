"""Market streams over real sockets: raw and combined forms, control messages, UM routing, heartbeats."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

pytestmark = pytest.mark.timeout(60)


def is_event(kind):
    return lambda m: isinstance(m, dict) and m.get("e") == kind


def test_raw_stream_in_the_url(sandbox, ws_reader):
    reader = ws_reader(sandbox.um_stream_url + "/ws/btcusdt@markPrice@1s")
    msg = reader.wait_for(is_event("markPriceUpdate"))
    assert msg["s"] == "BTCUSDT"


def test_combined_stream_wraps_payloads(sandbox, ws_reader):
    reader = ws_reader(sandbox.um_stream_url + "/stream?streams=btcusdt@markPrice@1s/ethusdt@bookTicker")
    mark = reader.wait_for(lambda m: m.get("stream") == "btcusdt@markPrice@1s")
    assert mark["data"]["e"] == "markPriceUpdate"
    book = reader.wait_for(lambda m: m.get("stream") == "ethusdt@bookTicker")
    assert book["data"]["s"] == "ETHUSDT"


def test_subscribe_list_unsubscribe(sandbox, ws_reader):
    reader = ws_reader(sandbox.um_stream_url + "/ws")
    reader.send({"method": "SUBSCRIBE", "params": ["btcusdt@aggTrade", "btcusdt@depth"], "id": 1})
    assert reader.reply(1) == {"result": None, "id": 1}
    reader.send({"method": "LIST_SUBSCRIPTIONS", "id": 3})
    assert reader.reply(3) == {"result": ["btcusdt@aggTrade", "btcusdt@depth"], "id": 3}
    reader.wait_for(is_event("depthUpdate"))
    reader.send({"method": "UNSUBSCRIBE", "params": ["btcusdt@depth"], "id": 312})
    assert reader.reply(312) == {"result": None, "id": 312}
    reader.send({"method": "LIST_SUBSCRIPTIONS", "id": 4})
    assert reader.reply(4)["result"] == ["btcusdt@aggTrade"]
    count = len(reader.messages)
    time.sleep(0.4)
    assert not any(m.get("e") == "depthUpdate" for m in reader.messages[count:])


def test_properties_and_their_errors(sandbox, ws_reader):
    reader = ws_reader(sandbox.um_stream_url + "/ws")
    reader.send({"method": "GET_PROPERTY", "params": ["combined"], "id": 2})
    assert reader.reply(2) == {"result": False, "id": 2}
    reader.send({"method": "SET_PROPERTY", "params": ["combined", True], "id": 5})
    assert reader.reply(5) == {"result": None, "id": 5}
    reader.send({"method": "GET_PROPERTY", "params": ["combined"], "id": 6})
    assert reader.reply(6) == {"result": True, "id": 6}
    reader.send({"method": "SUBSCRIBE", "params": ["btcusdt@markPrice@1s"], "id": 7})
    reader.reply(7)
    assert reader.wait_for(lambda m: "stream" in m)["stream"] == "btcusdt@markPrice@1s"
    reader.send({"method": "SET_PROPERTY", "params": ["combined", "x"], "id": 8})
    assert reader.reply(8)["error"] == {"code": 1, "msg": "Invalid value type: expected Boolean"}
    reader.send({"method": "GET_PROPERTY", "params": ["nope"], "id": 9})
    assert reader.reply(9)["error"] == {"code": 0, "msg": "Unknown property"}
    reader.send({"method": "SUBSCRIBE", "params": ["nosuchcoin@aggTrade"], "id": 10})
    assert reader.reply(10)["error"]["code"] == 2
    reader.send({"method": "SUBSCRIBER", "params": [], "id": 11})
    assert "unknown variant `SUBSCRIBER`" in reader.reply(11)["error"]["msg"]


def test_um_routing_categories(sandbox, ws_reader):
    base = sandbox.um_stream_url
    public_ok = ws_reader(base + "/public/ws/btcusdt@bookTicker")
    market_ok = ws_reader(base + "/market/stream?streams=btcusdt@markPrice@1s")
    wrong = ws_reader(base + "/public/ws/btcusdt@markPrice@1s")
    public_ok.wait_for(lambda m: m.get("s") == "BTCUSDT")
    assert market_ok.wait_for(lambda m: "data" in m)["data"]["e"] == "markPriceUpdate"
    time.sleep(1.3)
    assert wrong.messages == []
    wrong.send({"method": "LIST_SUBSCRIPTIONS", "id": 1})
    assert wrong.reply(1)["result"] == ["btcusdt@markPrice@1s"]


def test_strict_routing_makes_legacy_urls_public_only(make_sandbox, ws_reader):
    sb = make_sandbox(strict_routing=True)
    legacy_public = ws_reader(sb.um_stream_url + "/ws/btcusdt@depth@100ms")
    legacy_market = ws_reader(sb.um_stream_url + "/ws/btcusdt@markPrice@1s")
    legacy_public.wait_for(is_event("depthUpdate"))
    time.sleep(1.3)
    assert legacy_market.messages == []


def test_legacy_urls_carry_everything_by_default(sandbox, ws_reader):
    reader = ws_reader(sandbox.um_stream_url + "/ws/btcusdt@markPrice@1s")
    reader.wait_for(is_event("markPriceUpdate"))


def test_coin_m_streams(sandbox, ws_reader):
    reader = ws_reader(sandbox.cm_stream_url + "/stream?streams=btcusd_perp@markPrice@1s")
    msg = reader.wait_for(lambda m: "data" in m)
    assert msg["stream"] == "btcusd_perp@markPrice@1s" and msg["data"]["s"] == "BTCUSD_PERP"


def test_coin_m_has_no_category_paths(sandbox):
    import websocket

    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(sandbox.cm_stream_url + "/market/ws/btcusd_perp@aggTrade", timeout=5)


def test_depth_diffs_are_continuous(sandbox, ws_reader):
    reader = ws_reader(sandbox.um_stream_url + "/ws/btcusdt@depth@100ms")
    diffs = []
    deadline = time.monotonic() + 10
    while len(diffs) < 4 and time.monotonic() < deadline:
        diffs = [m for m in reader.messages if m and m.get("e") == "depthUpdate"]
        time.sleep(0.05)
    assert len(diffs) >= 4
    for prev, cur in zip(diffs, diffs[1:]):
        assert cur["pu"] == prev["u"]


def test_server_pings_and_drops_a_client_that_never_pongs(make_sandbox):
    sb = make_sandbox(ping_interval=0.2, pong_timeout=0.5)

    async def run():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(sb.um_stream_url + "/ws", autoping=False) as ws:
                first = await asyncio.wait_for(ws.receive(), 5)
                assert first.type == aiohttp.WSMsgType.PING
                started = time.monotonic()
                while True:
                    msg = await asyncio.wait_for(ws.receive(), 5)
                    if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        return time.monotonic() - started

    elapsed = asyncio.run(run())
    assert 0.3 < elapsed < 4


def test_a_client_that_pongs_stays_connected(make_sandbox, ws_reader):
    sb = make_sandbox(ping_interval=0.1, pong_timeout=0.3)
    reader = ws_reader(sb.um_stream_url + "/ws")
    time.sleep(1.0)
    reader.send({"method": "LIST_SUBSCRIPTIONS", "id": 1})
    assert reader.reply(1)["result"] == []


def test_more_than_10_messages_per_second_disconnects(sandbox, ws_reader):
    reader = ws_reader(sandbox.um_stream_url + "/ws")
    for i in range(12):
        reader.send({"method": "LIST_SUBSCRIPTIONS", "id": i})
    assert reader.closed.wait(5)
