"""Every fault kind, observed by plain clients over real sockets (REST via requests, WS via
websocket-client / aiohttp)."""

from __future__ import annotations

import time

import pytest
import requests
import websocket

from binance.sandbox.connection import ConnectionRegistry
from binance.sandbox.faults import FaultController

from .conftest import public, signed

pytestmark = pytest.mark.timeout(60)

TIME = "/fapi/v1/time"


def is_event(kind):
    return lambda m: isinstance(m, dict) and m.get("e") == kind


# ------------------------------------------------------------------------------- REST faults
def test_server_error_then_recovery(sandbox):
    sandbox.faults.server_error(count=2, status=502)
    first, second, third = (public(sandbox, TIME) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (502, 502, 200)
    assert first.json()["code"] == -1001


def test_rate_limit_fault_has_retry_after(sandbox):
    sandbox.faults.rate_limit(retry_after=7)
    r = public(sandbox, TIME)
    assert r.status_code == 429 and r.headers["Retry-After"] == "7" and r.json()["code"] == -1003


def test_ip_ban_fault(sandbox):
    sandbox.faults.ip_ban(retry_after=60)
    r = public(sandbox, TIME)
    assert r.status_code == 418 and r.headers["Retry-After"] == "60"
    assert "IP banned until" in r.json()["msg"]


def test_html_fault(sandbox):
    sandbox.faults.html(status=403)
    r = public(sandbox, TIME)
    assert r.status_code == 403 and r.headers["Content-Type"].startswith("text/html")
    assert r.text.lstrip().startswith("<html>")


def test_delay_fault_still_answers(sandbox):
    sandbox.faults.delay(0.5)
    started = time.monotonic()
    r = public(sandbox, TIME)
    assert r.status_code == 200 and time.monotonic() - started >= 0.45
    with pytest.raises(requests.ReadTimeout):
        sandbox.faults.delay(1.0)
        requests.get(sandbox.um_rest_url + TIME, timeout=0.3)


def test_fault_limited_to_a_path_and_market(sandbox):
    sandbox.faults.server_error(path="/fapi/v1/depth", market="um")
    assert public(sandbox, TIME).status_code == 200
    assert public(sandbox, "/dapi/v1/depth", {"symbol": "BTCUSD_PERP"}, market="cm").status_code == 200
    assert public(sandbox, "/fapi/v1/depth", {"symbol": "BTCUSDT"}).status_code == 503
    assert sandbox.faults.pending_rest_faults == 0


def test_server_error_after_executing_leaves_the_order_placed(sandbox):
    before = len(sandbox.exchange.order_log)
    sandbox.faults.server_error(execute=True, path="/fapi/v1/order")
    r = signed(sandbox, "POST", "/fapi/v1/order",
               {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.002",
                "newClientOrderId": "unknown-outcome-1"})
    assert r.status_code == 503
    assert [o["clientOrderId"] for o in sandbox.exchange.order_log[before:]] == ["unknown-outcome-1"]


def test_admin_http_path(sandbox):
    r = requests.post(sandbox.admin_url + "/faults", headers=sandbox.admin_headers,
                      json={"fault": "rate_limit", "retry_after": 3}, timeout=5)
    assert r.json()["ok"] is True
    assert public(sandbox, TIME).status_code == 429
    bad = requests.post(sandbox.admin_url + "/faults", headers=sandbox.admin_headers, json={"fault": "nope"}, timeout=5)
    assert bad.status_code == 400 and "unknown fault" in bad.json()["error"]


def test_clock_skew(sandbox):
    sandbox.faults.skew_clock(-30_000)
    server_time = public(sandbox, TIME).json()["serverTime"]
    assert abs(server_time - (time.time() * 1000 - 30_000)) < 5_000
    r = signed(sandbox, "GET", "/fapi/v2/balance")
    assert r.status_code == 400 and r.json()["code"] == -1021
    assert "ahead of the server" in r.json()["msg"]
    sandbox.faults.skew_clock(0)
    assert signed(sandbox, "GET", "/fapi/v2/balance").status_code == 200


# -------------------------------------------------------------------------- WebSocket faults
def test_drop_all(make_sandbox, ws_reader):
    sb = make_sandbox()
    readers = [ws_reader(sb.um_stream_url + "/ws/btcusdt@depth@100ms"),
               ws_reader(sb.cm_stream_url + "/ws/btcusd_perp@depth@100ms")]
    assert sb.wait_for_connections(2)
    assert sb.faults.drop_all() == 2
    for reader in readers:
        assert reader.closed.wait(5)
    assert sb.wait_for_no_connections()
    assert sb.connections.total_opened == 2


def test_refuse_connections_then_accept_again(make_sandbox):
    sb = make_sandbox()
    sb.faults.refuse_connections(0.6)
    with pytest.raises(websocket.WebSocketBadStatusException) as exc:
        websocket.create_connection(sb.um_stream_url + "/ws", timeout=5)
    assert exc.value.status_code == 503
    assert public(sb, TIME).status_code == 200
    time.sleep(0.7)
    ws = websocket.create_connection(sb.um_stream_url + "/ws", timeout=5)
    ws.close()


def test_close_after_n_messages(sandbox, ws_reader):
    reader = ws_reader(sandbox.um_stream_url + "/ws/btcusdt@depth@100ms")
    reader.wait_for(is_event("depthUpdate"))
    count_before = len(reader.messages)
    sandbox.faults.close_after(3)
    assert reader.closed.wait(5)
    assert len(reader.messages) - count_before <= 3 + 1


def test_stall_sends_nothing_but_keeps_the_socket_open(make_sandbox, ws_reader):
    sb = make_sandbox(ping_interval=0.1, pong_timeout=0.3)
    reader = ws_reader(sb.um_stream_url + "/ws/btcusdt@depth@100ms")
    reader.wait_for(is_event("depthUpdate"))
    assert sb.faults.stall() == 1
    time.sleep(0.5)
    stalled_from = len(reader.messages)
    time.sleep(0.8)
    assert len(reader.messages) == stalled_from
    assert not reader.closed.is_set() and len(sb.connections) == 1
    sb.faults.unstall()
    reader.wait_for(lambda m: m.get("e") == "depthUpdate" and reader.messages.index(m) >= stalled_from, timeout=5)


def test_stall_starves_client_pings(make_sandbox):
    sb = make_sandbox()
    ws = websocket.create_connection(sb.um_stream_url + "/ws", timeout=0.5)
    try:
        sb.wait_for_connections(1)
        ws.ping("x")
        assert ws.recv_data(control_frame=True)[0] == websocket.ABNF.OPCODE_PONG
        sb.faults.stall()
        time.sleep(0.1)
        ws.ping("y")
        with pytest.raises(websocket.WebSocketTimeoutException):
            ws.recv_data(control_frame=True)
    finally:
        ws.close(timeout=0.5)


@pytest.mark.parametrize("kind", ["non_json", "truncated_json"])
def test_malformed_text(make_sandbox, ws_reader, kind):
    sb = make_sandbox()
    reader = ws_reader(sb.um_stream_url + "/ws")
    sb.wait_for_connections(1)
    assert sb.faults.send_malformed(kind) == 1
    deadline = time.monotonic() + 5
    while not reader.raw and time.monotonic() < deadline:
        time.sleep(0.02)
    assert reader.raw and reader.messages[0] is None


def test_binary_frame(make_sandbox):
    sb = make_sandbox()
    ws = websocket.create_connection(sb.um_stream_url + "/ws", timeout=5)
    try:
        sb.wait_for_connections(1)
        sb.faults.send_malformed("binary")
        opcode, data = ws.recv_data()
        assert opcode == websocket.ABNF.OPCODE_BINARY and data.startswith(b"\x00")
    finally:
        ws.close(timeout=0.5)


def test_invalid_frame_fails_a_conforming_client(make_sandbox):
    sb = make_sandbox()
    ws = websocket.create_connection(sb.um_stream_url + "/ws", timeout=5)
    try:
        sb.wait_for_connections(1)
        sb.faults.send_malformed("invalid_frame")
        with pytest.raises(websocket.WebSocketProtocolException):
            ws.recv_data()
    finally:
        ws.close(timeout=0.5)


def test_skip_depth_makes_a_sequence_gap(sandbox, ws_reader):
    reader = ws_reader(sandbox.um_stream_url + "/ws/ethusdt@depth@100ms")
    reader.wait_for(is_event("depthUpdate"))
    sandbox.faults.skip_depth(1, stream="ethusdt@depth@100ms")
    deadline = time.monotonic() + 10
    gap = False
    while not gap and time.monotonic() < deadline:
        diffs = [m for m in reader.messages if m and m.get("e") == "depthUpdate"]
        gap = any(cur["pu"] != prev["u"] for prev, cur in zip(diffs, diffs[1:]))
        time.sleep(0.05)
    assert gap


def test_registry_waits():
    registry = ConnectionRegistry()
    assert registry.wait_for(0, 0.01)
    assert not registry.wait_for(1, 0.05)
    assert registry.total_opened == 0


def test_rest_fault_queue_is_validated():
    faults = FaultController(ConnectionRegistry())
    with pytest.raises(ValueError):
        faults.fail_next("explode")
    with pytest.raises(ValueError):
        faults.server_error(status=404)
    with pytest.raises(ValueError):
        faults.send_malformed("weird")
