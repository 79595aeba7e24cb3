"""UserDataStream follows the REST client's environment and `wait_ready()` means the subscription is live."""

from __future__ import annotations

import json
import threading
import time

import pytest

from binance.cm_futures import CMFutures
from binance.environments import ENVIRONMENTS, TESTNET
from binance.um_futures import UMFutures
from binance.websocket.user_data import UserDataStream

pytest.importorskip("aiohttp")
pytestmark = pytest.mark.timeout(120)

TRIALS = 20


class OrderEvents:
    def __init__(self) -> None:
        self.seen = threading.Event()
        self.client_order_id = ""

    def on_message(self, _client, message) -> None:
        event = json.loads(message)
        if event.get("e") == "ORDER_TRADE_UPDATE" and event["o"].get("c") == self.client_order_id:
            self.seen.set()


def _price(rest, symbol: str) -> float:
    ticker = rest.ticker_price(symbol=symbol)
    return float((ticker[0] if isinstance(ticker, list) else ticker)["price"])


@pytest.mark.parametrize("market", ["um", "cm"])
def test_order_right_after_wait_ready_is_seen_every_time(sandbox, market) -> None:
    """The issue's figure: events of an order placed right after wait_ready() arrive 20 times of 20."""
    if market == "um":
        rest = UMFutures(sandbox.api_key, sandbox.api_secret, base_url=sandbox.um_rest_url)
        symbol, quantity = "BTCUSDT", "0.01"
    else:
        rest = CMFutures(sandbox.api_key, sandbox.api_secret, base_url=sandbox.cm_rest_url)
        symbol, quantity = "BTCUSD_PERP", "1"
    price = round(_price(rest, symbol) * 0.9, 1)
    trials = TRIALS if market == "um" else 5
    arrived = 0
    for n in range(trials):
        events = OrderEvents()
        stream = UserDataStream(rest, on_message=events.on_message)  # no stream_url: follows base_url
        try:
            assert stream.wait_ready(10), "the subscription was not confirmed"
            events.client_order_id = f"ready-{market}-{n}"
            rest.new_order(symbol, "BUY", "LIMIT", quantity=quantity, price=price, timeInForce="GTC",
                           newClientOrderId=events.client_order_id)
            arrived += events.seen.wait(5)
        finally:
            stream.stop()
        expected = sandbox.um_stream_url if market == "um" else sandbox.cm_stream_url
        assert stream.ws_client.stream_url.startswith(expected)
    rest.cancel_open_orders(symbol)
    assert arrived == trials, f"order events arrived {arrived} times of {trials}"


def test_environment_sandbox_object_and_replacement_resets_ready(sandbox) -> None:
    rest = UMFutures(sandbox.api_key, sandbox.api_secret, environment=sandbox)
    assert rest.base_url == sandbox.um_rest_url
    stream = UserDataStream(rest)
    try:
        assert stream.wait_ready(10) and stream.ready
        first = stream.listen_key
        sandbox.faults.expire_listen_key(first)
        deadline = time.monotonic() + 10
        while stream.listen_key == first and time.monotonic() < deadline:
            time.sleep(0.01)
        assert stream.listen_key != first
        assert stream.wait_ready(10)
        assert sandbox.wait_for_subscription(stream.listen_key)
    finally:
        stream.stop()


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_stream_host_follows_a_named_environment(name) -> None:
    from binance.websocket.user_data import _stream_url_of

    env = ENVIRONMENTS[name]
    assert _stream_url_of(UMFutures("k", "s", environment=name), "um") == env.um_stream_url
    assert _stream_url_of(CMFutures("k", "s", environment=name), "cm") == env.cm_stream_url
    # a known REST URL is recognised without `environment=`
    assert _stream_url_of(UMFutures("k", "s", base_url=env.um_rest_url), "um") == env.um_stream_url


def test_explicit_environment_wins_over_an_unknown_base_url() -> None:
    from binance.websocket.user_data import _stream_url_of

    rest = UMFutures("k", "s", base_url="http://127.0.0.1:1/proxy", environment="testnet")
    assert rest.base_url == "http://127.0.0.1:1/proxy"
    assert _stream_url_of(rest, "um") == TESTNET.um_stream_url


def test_unknown_rest_host_needs_a_stream_url_and_nothing_is_sent() -> None:
    rest = UMFutures("k", "s", base_url="http://127.0.0.1:1/somewhere")
    with pytest.raises(ValueError, match="stream_url"):
        UserDataStream(rest)
