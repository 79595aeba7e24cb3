"""USDⓈ-M conditional orders over real sockets: -4120 on the order endpoints, algo orders trigger and fill."""

from __future__ import annotations

import json
import threading
import time

import pytest

from binance.error import ClientError
from binance.um_futures import UMFutures
from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(60)

ALGO_ONLY = "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead."


def _wait(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_stop_market_needs_the_algo_api_and_triggers_there(make_sandbox):
    sb = make_sandbox(tick_interval=None)
    rest = UMFutures(key=sb.api_key, secret=sb.api_secret, base_url=sb.um_rest_url)
    mark = float(rest.mark_price("BTCUSDT")["markPrice"])
    trigger = f"{mark * 1.01:.1f}"
    with pytest.raises(ClientError) as err:
        rest.new_order("BTCUSDT", "BUY", "STOP_MARKET", quantity="0.010", stopPrice=trigger)
    assert (err.value.status_code, err.value.error_code, err.value.error_message) == (400, -4120, ALGO_ONLY)
    batch = rest.new_batch_order([{"symbol": "BTCUSDT", "side": "BUY", "type": "TAKE_PROFIT_MARKET",
                                   "quantity": "0.010", "stopPrice": trigger}])
    assert batch == [{"code": -4120, "msg": ALGO_ONLY}]

    events, lock = [], threading.Lock()

    def on_message(_, message):
        with lock:
            events.append(json.loads(message))

    key = rest.new_listen_key()["listenKey"]
    ws = UMFuturesWebsocketClient(on_message=on_message, stream_url=sb.um_stream_url)
    try:
        ws.user_data(listen_key=key)
        assert sb.wait_for_subscription(key)
        placed = rest.new_algo_order(algoType="CONDITIONAL", symbol="BTCUSDT", side="BUY", type="STOP_MARKET",
                                     quantity="0.010", triggerPrice=trigger, workingType="MARK_PRICE")
        assert placed["algoStatus"] == "NEW" and rest.get_orders(symbol="BTCUSDT") == []
        sb.exchange.um.set_mark_price("BTCUSDT", f"{mark * 1.02:.1f}")

        def statuses():
            with lock:
                return [e["o"]["X"] for e in events if e.get("e") == "ALGO_UPDATE"]
        assert _wait(lambda: statuses()[-1:] == ["FINISHED"]), statuses()
        assert statuses() == ["NEW", "TRIGGERING", "TRIGGERED", "FINISHED"]
    finally:
        ws.stop()
    done = rest.query_algo_order(algoId=placed["algoId"])
    assert done["algoStatus"] == "FINISHED" and done["actualOrderId"]
    actual = rest.query_order("BTCUSDT", orderId=int(done["actualOrderId"]))
    assert (actual["status"], actual["origType"], actual["executedQty"]) == ("FILLED", "STOP_MARKET", "0.010")
    assert rest.get_position_risk(symbol="BTCUSDT")[0]["positionAmt"] == "0.010"
