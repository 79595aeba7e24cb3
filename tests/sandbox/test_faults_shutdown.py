"""The ``server_shutdown`` fault: Binance's ``serverShutdown`` notice, then a clean close (1001) after a grace
period, on stream and WebSocket API connections; the library's stream client moves to a new connection."""

from __future__ import annotations

import json
import struct
import threading
import time

import pytest
import requests
import websocket

from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

pytestmark = pytest.mark.timeout(60)


def _read_until_close(ws: websocket.WebSocket) -> tuple:
    """(text messages parsed, close code, time.monotonic() when the close frame arrived)."""
    messages = []
    while True:
        opcode, frame = ws.recv_data_frame(control_frame=True)
        if opcode == websocket.ABNF.OPCODE_TEXT:
            messages.append(json.loads(frame.data))
        elif opcode == websocket.ABNF.OPCODE_CLOSE:
            code = struct.unpack("!H", frame.data[:2])[0] if len(frame.data) >= 2 else None
            return messages, code, time.monotonic()


def test_stream_gets_the_notice_then_a_going_away_close(sandbox):
    ws = websocket.create_connection(sandbox.um_stream_url + "/ws/btcusdt@bookTicker", timeout=5)
    try:
        assert sandbox.wait_for_subscription("btcusdt@bookTicker")
        before = int(time.time() * 1000)
        started = time.monotonic()
        assert sandbox.faults.server_shutdown(grace=0.4, kind="stream") == 1
        messages, code, closed_at = _read_until_close(ws)
    finally:
        ws.close()
    (notice,) = [m for m in messages if m.get("e") == "serverShutdown"]
    assert set(notice) == {"e", "E"} and notice["E"] >= before
    assert code == 1001 and closed_at - started >= 0.4
    assert sandbox.wait_for_no_connections(kind="stream")


def test_ws_api_gets_the_wrapped_notice(sandbox):
    ws = websocket.create_connection(sandbox.um_ws_api_url, timeout=5)
    try:
        assert sandbox.wait_for_connections(1, kind="ws_api")
        assert sandbox.faults.server_shutdown(grace=0.1, kind="ws_api") == 1
        messages, code, _ = _read_until_close(ws)
    finally:
        ws.close()
    assert messages[0]["event"]["e"] == "serverShutdown" and isinstance(messages[0]["event"]["E"], int)
    assert code == 1001


def test_admin_path_and_grace_validation(sandbox):
    ws = websocket.create_connection(sandbox.um_stream_url + "/ws", timeout=5)
    try:
        assert sandbox.wait_for_connections(1, kind="stream")
        r = requests.post(sandbox.admin_url + "/faults", headers=sandbox.admin_headers,
                          json={"fault": "server_shutdown", "grace": 0}, timeout=5)
        assert r.json() == {"ok": True, "result": 1}
        _, code, _ = _read_until_close(ws)
        assert code == 1001
    finally:
        ws.close()
    with pytest.raises(ValueError):
        sandbox.faults.server_shutdown(grace=-1)


def test_library_stream_client_moves_to_a_new_connection(sandbox):
    received = []
    lock = threading.Lock()

    def on_message(_, message):
        with lock:
            received.append(json.loads(message))

    client = UMFuturesWebsocketClient(stream_url=sandbox.um_stream_url, on_message=on_message)
    try:
        client.book_ticker(symbol="btcusdt")
        assert sandbox.wait_for_subscription("btcusdt@bookTicker")
        opened = sandbox.connections.total_opened
        sandbox.faults.server_shutdown(grace=0.5)
        assert sandbox.connections.wait_for_total(opened + 1, timeout=15)
        assert sandbox.wait_for_subscription("btcusdt@bookTicker", timeout=15)
        with lock:
            seen = len(received)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with lock:
                if any(m.get("e") == "bookTicker" for m in received[seen:]):
                    break
            time.sleep(0.05)
        with lock:
            assert any(m.get("e") == "bookTicker" for m in received[seen:])
    finally:
        client.stop()
