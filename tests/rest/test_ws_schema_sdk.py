"""Every WebSocket API reply and every user-data event the sandbox sends, against the official SDK's models.

The companion of ``test_rest_schema_sdk`` for the WebSocket side: each WebSocket API method of both markets
is called with ``return_full_response=True`` and the whole reply (``id``, ``status``, ``result``,
``rateLimits``) is compared with the SDK's reply model; the user-data events a trading session produces
(``ORDER_TRADE_UPDATE``, ``TRADE_LITE``, ``ACCOUNT_UPDATE``, ``ACCOUNT_CONFIG_UPDATE``, ``ALGO_UPDATE``,
``listenKeyExpired``) are compared with the SDK's event models.
"""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any, Callable, Dict, List, Tuple

import pytest

pytest.importorskip("aiohttp")
pytest.importorskip("binance_sdk_derivatives_trading_usds_futures")
pytest.importorskip("binance_sdk_derivatives_trading_coin_futures")

import sdk_schema  # noqa: E402
from test_rest_schema_sdk import ALLOW  # noqa: E402

from binance.cm_futures import CMFutures  # noqa: E402
from binance.sandbox import Sandbox  # noqa: E402
from binance.sandbox.ratelimit import RateLimits  # noqa: E402
from binance.um_futures import UMFutures  # noqa: E402
from binance.websocket.api import CMFuturesWebsocketAPIClient, UMFuturesWebsocketAPIClient  # noqa: E402
from binance.websocket.api._methods import METHODS  # noqa: E402
from binance.websocket.user_data import UserDataStream  # noqa: E402

pytestmark = pytest.mark.timeout(90)
SYMBOL = {"um": "BTCUSDT", "cm": "BTCUSD_PERP"}
QTY = {"um": "0.003", "cm": "1"}
# The SDK's event models leave out the event type `e` (it picks the model); COIN-M events carry the account
# alias `i`, which the models of both markets document where Binance sends it.
EVENT_TYPE_FIELD = "e"
# Where the SDK's WebSocket API reply model is itself wrong: `depth` puts `bids`/`asks` beside `result`
# instead of in it, and USDⓈ-M `order.status` has no `rateLimits` (every other reply model has them).
SDK_MODEL_DEFECTS = {
    ("um", "depth"): {
        "$.asks: documented by OrderBookResponse but missing",
        "$.bids: documented by OrderBookResponse but missing",
        "$.result.asks: field not documented by OrderBookResponseResult",
        "$.result.bids: field not documented by OrderBookResponseResult",
    },
    ("um", "order.status"): {"$.rateLimits: field not documented by QueryOrderResponse"},
}
def _price(rest: Any, market: str) -> float:
    ticker = rest.ticker_price(SYMBOL[market])
    return float((ticker[0] if isinstance(ticker, list) else ticker)["price"])


def _um_calls(price: float) -> List[Tuple[str, Callable[[Any, Dict[str, Any]], Any]]]:
    s, q = SYMBOL["um"], QTY["um"]
    low = "%.1f" % (price * 0.8)
    return [
        ("ticker.price", lambda c, k: c.ticker_price(symbol=s)),
        ("ticker.book", lambda c, k: c.ticker_book(symbol=s)),
        ("depth", lambda c, k: c.depth(s, limit=5)),
        (
            "order.place",
            lambda c, k: k.setdefault(
                "order", c.order_place(s, "BUY", "LIMIT", timeInForce="GTC", quantity=q, price=low)
            ),
        ),
        ("order.status", lambda c, k: c.order_status(s, orderId=k["order"]["result"]["orderId"])),
        (
            "order.modify",
            lambda c, k: c.order_modify(s, "BUY", q, "%.1f" % (price * 0.79), orderId=k["order"]["result"]["orderId"]),
        ),
        ("order.cancel", lambda c, k: c.order_cancel(s, orderId=k["order"]["result"]["orderId"])),
        (
            "algoOrder.place",
            lambda c, k: k.setdefault(
                "algo",
                c.algo_order_place(
                    "CONDITIONAL", s, "BUY", "STOP_MARKET", quantity=q, triggerPrice="%.1f" % (price * 1.2)
                ),
            ),
        ),
        ("algoOrder.cancel", lambda c, k: c.algo_order_cancel(algoId=k["algo"]["result"]["algoId"])),
        ("account.status", lambda c, k: c.account_status()),
        ("v2/account.status", lambda c, k: c.account_status_v2()),
        ("account.balance", lambda c, k: c.account_balance()),
        ("v2/account.balance", lambda c, k: c.account_balance_v2()),
        ("account.position", lambda c, k: c.account_position(symbol=s)),
        ("v2/account.position", lambda c, k: c.account_position_v2(symbol=s)),
        ("userDataStream.start", lambda c, k: c.user_data_stream_start()),
        ("userDataStream.ping", lambda c, k: c.user_data_stream_ping()),
        ("userDataStream.stop", lambda c, k: c.user_data_stream_stop()),
    ]


def _cm_calls(price: float) -> List[Tuple[str, Callable[[Any, Dict[str, Any]], Any]]]:
    s, q = SYMBOL["cm"], QTY["cm"]
    return [
        (
            "order.place",
            lambda c, k: k.setdefault(
                "order", c.order_place(s, "BUY", "LIMIT", timeInForce="GTC", quantity=q, price="%.1f" % (price * 0.8))
            ),
        ),
        ("order.status", lambda c, k: c.order_status(s, orderId=k["order"]["result"]["orderId"])),
        (
            "order.modify",
            lambda c, k: c.order_modify(s, "BUY", q, "%.1f" % (price * 0.79), orderId=k["order"]["result"]["orderId"]),
        ),
        ("order.cancel", lambda c, k: c.order_cancel(s, orderId=k["order"]["result"]["orderId"])),
        ("account.status", lambda c, k: c.account_status()),
        ("account.balance", lambda c, k: c.account_balance()),
        ("account.position", lambda c, k: c.account_position(pair="BTCUSD")),
        ("userDataStream.start", lambda c, k: c.user_data_stream_start()),
        ("userDataStream.ping", lambda c, k: c.user_data_stream_ping()),
        ("userDataStream.stop", lambda c, k: c.user_data_stream_stop()),
    ]


class Events:
    """User-data events as decoded JSON, collected from the stream's callback thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: List[dict] = []

    def on_message(self, _client: Any, message: str) -> None:
        with self.lock:
            self.items.append(json.loads(message))

    def types(self) -> set:
        with self.lock:
            return {e.get("e") for e in self.items}


def _wait(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.02)
    return predicate()


@pytest.fixture(scope="module")
def sandbox():
    limits = RateLimits(weight_per_minute=10**9, orders_per_10s=10**6, orders_per_minute=10**6)
    with Sandbox(seed=13, tick_interval=None, limits=limits) as sb:
        yield sb


@pytest.fixture(scope="module")
def replies(sandbox) -> Dict[str, Dict[str, Any]]:
    """The whole reply of every WebSocket API method of both markets."""
    out: Dict[str, Dict[str, Any]] = {"um": {}, "cm": {}}
    for market, cls, rest_cls, calls, url in (
        ("um", UMFuturesWebsocketAPIClient, UMFutures, _um_calls, sandbox.um_ws_api_url),
        ("cm", CMFuturesWebsocketAPIClient, CMFutures, _cm_calls, sandbox.cm_ws_api_url),
    ):
        rest = rest_cls(base_url=sandbox.um_rest_url if market == "um" else sandbox.cm_rest_url)
        client = cls(
            api_key=sandbox.api_key,
            api_secret=sandbox.api_secret,
            stream_url=url,
            timeout=5.0,
            return_full_response=True,
        )
        try:
            kept: Dict[str, Any] = {}
            for method, call in calls(_price(rest, market)):
                out[market][method] = call(client, kept)
        finally:
            client.stop()
    return out


@pytest.mark.parametrize("market", ["um", "cm"])
def test_every_websocket_api_method_is_called(replies, market):
    assert set(replies[market]) == set(METHODS[market])
    assert set(replies[market]) == set(sdk_schema.ws_api_response_models(market))


@pytest.mark.parametrize("market, method", [(m, w) for m in ("um", "cm") for w in METHODS[m]], ids=lambda x: x)
def test_websocket_api_reply_matches_the_official_sdk_model(replies, market, method):
    model = sdk_schema.ws_api_response_models(market)[method]
    reply = dict(replies[market][method])
    reply["id"] = str(reply["id"])  # the request's own id, echoed (this client numbers its requests)
    report = sdk_schema.check(reply, model, allow=ALLOW)
    problems = {re.sub(r"\[\d+\]", "[]", p) for p in report.problems}
    assert problems == SDK_MODEL_DEFECTS.get((market, method), set()) and report.unschemed == []
    assert report.objects >= 2  # the envelope and its result


def _session(sandbox: Any, market: str) -> List[dict]:
    """A short trading session on one market; the user-data events it produced."""
    rest_cls = UMFutures if market == "um" else CMFutures
    rest = rest_cls(
        sandbox.api_key, sandbox.api_secret, base_url=sandbox.um_rest_url if market == "um" else sandbox.cm_rest_url
    )
    events = Events()
    stream = UserDataStream(
        rest,
        on_message=events.on_message,
        stream_url=sandbox.um_stream_url if market == "um" else sandbox.cm_stream_url,
    )
    symbol, qty = SYMBOL[market], QTY[market]
    try:
        assert sandbox.wait_for_subscription(stream.listen_key)
        price = _price(rest, market)
        rest.change_leverage(symbol, 10)
        resting = rest.new_order(symbol, "BUY", "LIMIT", timeInForce="GTC", quantity=qty, price="%.1f" % (price * 0.8))
        rest.cancel_order(symbol, orderId=resting["orderId"])
        rest.new_order(symbol, "BUY", "MARKET", quantity=qty)
        rest.new_order(symbol, "SELL", "MARKET", quantity=qty, reduceOnly="true")
        expected = {"ACCOUNT_CONFIG_UPDATE", "ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE"}
        if market == "um":
            algo = rest.new_algo_order(
                "CONDITIONAL", symbol, "BUY", "STOP_MARKET", quantity=qty, triggerPrice="%.1f" % (price * 1.2)
            )
            rest.cancel_algo_order(algoId=algo["algoId"])
            expected |= {"TRADE_LITE", "ALGO_UPDATE"}
        assert _wait(lambda: expected <= events.types()), events.types()
        sandbox.faults.expire_listen_key(stream.listen_key)
        assert _wait(lambda: "listenKeyExpired" in events.types())
    finally:
        stream.stop()
    with events.lock:
        return [e for e in events.items if EVENT_TYPE_FIELD in e]  # not the SUBSCRIBE acknowledgement


@pytest.mark.parametrize("market", ["um", "cm"])
def test_user_data_events_match_the_official_sdk_models(sandbox, market):
    models = sdk_schema.user_data_event_models(market)
    problems: List[str] = []
    seen = set()
    for i, event in enumerate(_session(sandbox, market)):
        kind = event.get(EVENT_TYPE_FIELD)
        assert kind in models, "event type %r has no SDK model" % kind
        seen.add(kind)
        body = {k: v for k, v in event.items() if k != EVENT_TYPE_FIELD}
        problems += sdk_schema.check(body, models[kind], where="%s#%d" % (kind, i), allow=ALLOW).problems
    assert problems == []
    produced = {"ACCOUNT_CONFIG_UPDATE", "ORDER_TRADE_UPDATE", "ACCOUNT_UPDATE", "listenKeyExpired"}
    if market == "um":
        produced |= {"TRADE_LITE", "ALGO_UPDATE"}
    assert seen == produced
