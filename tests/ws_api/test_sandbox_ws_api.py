"""The sandbox's WebSocket API endpoint on the wire: envelopes, malformed frames, auth, order log."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import websocket

from binance._signing import HmacSigner
from binance.websocket.api._protocol import build_params


@pytest.fixture
def raw(sandbox):
    """A bare websocket-client connection to the UM WebSocket API (no library client)."""
    ws = websocket.create_connection(sandbox.um_ws_api_url, timeout=5)
    yield ws
    ws.close()


def _ask(ws, frame):
    ws.send(frame if isinstance(frame, str) else json.dumps(frame))
    return json.loads(ws.recv())


def test_success_envelope_with_rate_limits(raw):
    reply = _ask(raw, {"id": "a-1", "method": "ticker.price", "params": {"symbol": "BTCUSDT"}})
    assert reply["id"] == "a-1" and reply["status"] == 200 and reply["result"]["symbol"] == "BTCUSDT"
    (weight,) = [r for r in reply["rateLimits"] if r["rateLimitType"] == "REQUEST_WEIGHT"]
    assert weight["interval"] == "MINUTE" and weight["intervalNum"] == 1 and weight["count"] >= 1
    quiet = _ask(raw, {"id": 2, "method": "ticker.price", "params": {"symbol": "BTCUSDT", "returnRateLimits": False}})
    assert "rateLimits" not in quiet


@pytest.mark.parametrize("frame", ["not json", "[1]", '{"method": "ticker.price"}', '{"id": true, "method": "depth"}'])
def test_malformed_frames_get_an_error_envelope(raw, frame):
    reply = _ask(raw, frame)
    assert reply["status"] == 400 and reply["id"] is None and reply["error"]["code"] < 0


def test_unknown_method_and_missing_param(raw):
    reply = _ask(raw, {"id": 3, "method": "order.teleport", "params": {}})
    assert reply["id"] == 3 and reply["status"] == 400 and "error" in reply
    reply = _ask(raw, {"id": 4, "method": "depth", "params": {}})
    assert reply["error"]["code"] == -1102


def test_signed_request_checks(raw, sandbox):
    signer = HmacSigner(sandbox.api_secret)
    now = int(time.time() * 1000)
    good = build_params({"recvWindow": 5000}, api_key=sandbox.api_key, signer=signer, timestamp=now)
    assert _ask(raw, {"id": 5, "method": "account.balance", "params": good})["status"] == 200
    tampered = dict(good, recvWindow=6000)
    assert _ask(raw, {"id": 6, "method": "account.balance", "params": tampered})["error"]["code"] == -1022
    old = build_params({}, api_key=sandbox.api_key, signer=signer, timestamp=now - 60_000)
    assert _ask(raw, {"id": 7, "method": "account.balance", "params": old})["error"]["code"] == -1021
    unsigned = {"apiKey": sandbox.api_key, "timestamp": now}
    assert _ask(raw, {"id": 8, "method": "account.balance", "params": unsigned})["error"]["code"] == -1102
    nokey = _ask(raw, {"id": 9, "method": "userDataStream.start", "params": {}})
    assert nokey["error"]["code"] == -2014 and nokey["status"] == 401


def test_orders_are_logged_once_with_their_source(raw, sandbox):
    signer = HmacSigner(sandbox.api_secret)
    price = float(_ask(raw, {"id": 10, "method": "ticker.price", "params": {"symbol": "BTCUSDT"}})["result"]["price"])
    cid = "log-" + uuid.uuid4().hex[:10]
    params = build_params(
        {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.003",
         "price": f"{price * 0.8:.1f}", "newClientOrderId": cid},
        api_key=sandbox.api_key, signer=signer, timestamp=int(time.time() * 1000),
    )
    reply = _ask(raw, {"id": 11, "method": "order.place", "params": params})
    assert reply["status"] == 200 and reply["result"]["clientOrderId"] == cid
    assert {r["rateLimitType"] for r in reply["rateLimits"]} == {"REQUEST_WEIGHT", "ORDERS"}
    entries = [e for e in sandbox.exchange.order_log if e["clientOrderId"] == cid]
    assert len(entries) == 1 and entries[0]["source"] == "WS_API"


def test_connections_are_registered_for_fault_injection(raw, sandbox):
    assert sandbox.connections.wait_for(1, kind="ws_api")
    assert any(c.market == "um" and c.path == "/ws-fapi/v1" for c in sandbox.connections.snapshot("ws_api"))


def test_server_shutdown_fault_moves_the_client_to_a_new_connection(make_client, sandbox):
    client = make_client()
    assert client.ticker_price(symbol="BTCUSDT")["symbol"] == "BTCUSDT"
    first = client._link
    opened = sandbox.connections.total_opened
    assert sandbox.faults.server_shutdown(grace=1.0, kind="ws_api") >= 1
    assert sandbox.connections.wait_for_total(opened + 1, timeout=10)
    deadline = time.monotonic() + 10
    while (client._link is first or not first.closed) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert first.closed and client._link is not first
    assert client.ticker_price(symbol="BTCUSDT")["symbol"] == "BTCUSDT"
