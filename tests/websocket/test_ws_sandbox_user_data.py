"""User-data helper against the sandbox: orders placed over REST show up, a listenKey expiry is survived."""

from __future__ import annotations

import json
import threading
import time

import pytest

from binance.websocket.user_data import UserDataStream

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(60)


class Events:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items = []
        self.errors = []

    def on_message(self, client, message):
        event = json.loads(message)
        with self.lock:
            self.items.append(event)

    def on_error(self, client, exc):
        self.errors.append(exc)

    def order_updates(self, client_order_id):
        with self.lock:
            return [e for e in self.items if e.get("e") == "ORDER_TRADE_UPDATE" and e["o"].get("c") == client_order_id]

    def of_type(self, event_type):
        with self.lock:
            return [e for e in self.items if e.get("e") == event_type]


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _limit_order(rest, symbol, client_order_id):
    ticker = rest.ticker_price(symbol=symbol)
    price = float((ticker[0] if isinstance(ticker, list) else ticker)["price"])
    return rest.new_order(
        symbol=symbol,
        side="BUY",
        type="LIMIT",
        timeInForce="GTC",
        quantity=0.01 if symbol.endswith("USDT") else 1,
        price=round(price * 0.9, 1),
        newClientOrderId=client_order_id,
    )


def _rest(sandbox, market):
    if market == "um":
        from binance.um_futures import UMFutures

        return UMFutures(key=sandbox.api_key, secret=sandbox.api_secret, base_url=sandbox.um_rest_url)
    from binance.cm_futures import CMFutures

    return CMFutures(key=sandbox.api_key, secret=sandbox.api_secret, base_url=sandbox.cm_rest_url)


@pytest.mark.parametrize("market, symbol", [("um", "BTCUSDT"), ("cm", "BTCUSD_PERP")])
def test_order_events_survive_a_listen_key_expiry(sandbox, market, symbol):
    threads_before = threading.active_count()
    rest = _rest(sandbox, market)
    events = Events()
    url = sandbox.um_stream_url if market == "um" else sandbox.cm_stream_url
    stream = UserDataStream(rest, on_message=events.on_message, on_error=events.on_error, stream_url=url)
    try:
        first_key = stream.listen_key
        assert sandbox.wait_for_subscription(first_key)
        _limit_order(rest, symbol, "udtest-1")
        assert wait_until(lambda: events.order_updates("udtest-1"))

        sandbox.faults.expire_listen_key(first_key)
        assert wait_until(lambda: events.of_type("listenKeyExpired"))
        assert wait_until(lambda: stream.renewals == 1 and stream.listen_key != first_key)
        assert sandbox.wait_for_subscription(stream.listen_key)

        _limit_order(rest, symbol, "udtest-2")
        assert wait_until(lambda: events.order_updates("udtest-2"))
        assert stream.ws_client.subscriptions == [stream.listen_key]
    finally:
        stream.stop()
    stream.stop()
    assert not any(t.is_alive() for t in stream.threads())
    assert threading.active_count() == threads_before
    assert sandbox.exchange.listen_keys.owner(stream.listen_key) is None


def test_rejected_keepalive_makes_a_new_key_and_resubscribes(sandbox):
    rest = _rest(sandbox, "um")
    events = Events()
    stream = UserDataStream(
        rest, on_message=events.on_message, stream_url=sandbox.um_stream_url, keepalive_interval=0.3
    )
    try:
        first_key = stream.listen_key
        assert wait_until(lambda: sandbox.wait_for_subscription(first_key, 0.1))
        rest.close_listen_key(first_key)
        assert wait_until(lambda: stream.renewals >= 1 and stream.listen_key != first_key)
        assert sandbox.wait_for_subscription(stream.listen_key)
        _limit_order(rest, "ETHUSDT", "udtest-3")
        assert wait_until(lambda: events.order_updates("udtest-3"))
    finally:
        stream.stop()
