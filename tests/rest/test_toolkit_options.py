"""The REST client's opt-in toolkit against the sandbox: ``validate_orders``, ``sync_time``,
``rate_limit_guard`` and ``rate_limit_usage()``.

Each filter test places the same order twice: with ``validate_orders=True`` the client raises the
typed :class:`~binance.filters.FilterError` and sends nothing (every request the session makes is
recorded); with validation off the sandbox rejects it with the code the error predicted.
"""

from __future__ import annotations

import time
from decimal import ROUND_DOWN, Decimal
from typing import Any, Dict, List, Tuple

import pytest
import requests

pytest.importorskip("aiohttp")

from binance.cm_futures import CMFutures  # noqa: E402
from binance.error import ClientError, TimestampError, TooManyRequestsError  # noqa: E402
from binance.filters import (  # noqa: E402
    FilterError,
    LotSizeError,
    MarketLotSizeError,
    MaxNumOrdersError,
    MinNotionalError,
    PercentPriceError,
    PriceFilterError,
)
from binance.ratelimit import RateLimitGuardError  # noqa: E402
from binance.sandbox import Sandbox  # noqa: E402
from binance.um_futures import UMFutures  # noqa: E402

pytestmark = pytest.mark.timeout(120)

ORDER_PATHS = ("/fapi/v1/order", "/dapi/v1/order")


class _Recorder:
    """A ``requests`` session hook listing every request sent, as ``(method, path below base_url)``."""

    def __init__(self, base_url: str) -> None:
        self.prefix = requests.utils.urlparse(base_url).path.rstrip("/")
        self.sent: List[Tuple[str, str]] = []

    def __call__(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        path = requests.utils.urlparse(request.url).path
        self.sent.append((request.method or "", path[len(self.prefix):] if path.startswith(self.prefix) else path))

    def orders_sent(self) -> List[Tuple[str, str]]:
        return [(m, p) for m, p in self.sent if m == "POST" and p.endswith(ORDER_PATHS)]


def _client(sb: Sandbox, market: str = "um", **options: Any) -> Tuple[Any, _Recorder]:
    cls = UMFutures if market == "um" else CMFutures
    url = sb.um_rest_url if market == "um" else sb.cm_rest_url
    recorder = _Recorder(url)
    session = requests.Session()
    session.hooks["response"].append(recorder)
    return cls(sb.api_key, sb.api_secret, base_url=url, session=session, **options), recorder


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(seed=5, tick_interval=None) as sb:
        yield sb


def _mark(sb: Sandbox, market: str, symbol: str) -> Decimal:
    client = UMFutures(base_url=sb.um_rest_url) if market == "um" else CMFutures(base_url=sb.cm_rest_url)
    data = client.mark_price(symbol=symbol)
    entry = data[0] if isinstance(data, list) else data
    return Decimal(entry["markPrice"])


def _tick(value: Decimal, tick: str) -> str:
    return str(value.quantize(Decimal(tick), rounding=ROUND_DOWN))


def _orders(mark: Dict[str, Decimal]) -> Dict[str, Tuple[str, str, type, Dict[str, Any]]]:
    """name -> (market, symbol, expected error class, order params)."""
    btc, cm_btc = mark["BTCUSDT"], mark["BTCUSD_PERP"]
    gtc = {"timeInForce": "GTC"}
    return {
        "PRICE_FILTER tick": ("um", "BTCUSDT", PriceFilterError,
                              dict(side="BUY", type="LIMIT", quantity="0.01", price=_tick(btc * Decimal("0.99"), "0.1")
                                   + "5", **gtc)),
        "PRICE_FILTER min": ("um", "BTCUSDT", PriceFilterError,
                             dict(side="BUY", type="LIMIT", quantity="1", price="100", **gtc)),
        "PRICE_FILTER max": ("um", "BTCUSDT", PriceFilterError,
                             dict(side="SELL", type="LIMIT", quantity="0.01", price="900000", **gtc)),
        "LOT_SIZE step": ("um", "BTCUSDT", LotSizeError,
                          dict(side="BUY", type="LIMIT", quantity="0.0015", price=_tick(btc, "0.1"), **gtc)),
        "LOT_SIZE max": ("um", "BTCUSDT", LotSizeError,
                         dict(side="BUY", type="LIMIT", quantity="1001", price=_tick(btc, "0.1"), **gtc)),
        "MARKET_LOT_SIZE max": ("um", "BTCUSDT", MarketLotSizeError,
                                dict(side="BUY", type="MARKET", quantity="121")),
        "MIN_NOTIONAL limit": ("um", "BTCUSDT", MinNotionalError,
                               dict(side="BUY", type="LIMIT", quantity="0.001",
                                    price=_tick(btc * Decimal("0.9"), "0.1"), **gtc)),
        "MIN_NOTIONAL market": ("um", "BTCUSDT", MinNotionalError,
                                dict(side="BUY", type="MARKET", quantity="0.001")),
        "PERCENT_PRICE up": ("um", "BTCUSDT", PercentPriceError,
                             dict(side="BUY", type="LIMIT", quantity="0.01", price=_tick(btc * Decimal("1.1"), "0.1"),
                                  **gtc)),
        "PERCENT_PRICE down": ("um", "BTCUSDT", PercentPriceError,
                               dict(side="SELL", type="LIMIT", quantity="0.01",
                                    price=_tick(btc * Decimal("0.9"), "0.1"), **gtc)),
        "COIN-M LOT_SIZE step": ("cm", "BTCUSD_PERP", LotSizeError,
                                 dict(side="BUY", type="LIMIT", quantity="1.5", price=_tick(cm_btc, "0.1"), **gtc)),
        "COIN-M MARKET_LOT_SIZE max": ("cm", "BTCUSD_PERP", MarketLotSizeError,
                                       dict(side="BUY", type="MARKET", quantity="60001")),
        "COIN-M PERCENT_PRICE up": ("cm", "BTCUSD_PERP", PercentPriceError,
                                    dict(side="BUY", type="LIMIT", quantity="1",
                                         price=_tick(cm_btc * Decimal("1.1"), "0.1"), **gtc)),
    }


CASES = [
    "PRICE_FILTER tick", "PRICE_FILTER min", "PRICE_FILTER max", "LOT_SIZE step", "LOT_SIZE max",
    "MARKET_LOT_SIZE max", "MIN_NOTIONAL limit", "MIN_NOTIONAL market", "PERCENT_PRICE up", "PERCENT_PRICE down",
    "COIN-M LOT_SIZE step", "COIN-M MARKET_LOT_SIZE max", "COIN-M PERCENT_PRICE up",
]


@pytest.mark.parametrize("case", CASES)
def test_filter_is_checked_before_sending_and_the_server_agrees(sandbox, case):
    marks = {s: _mark(sandbox, m, s) for m, s in (("um", "BTCUSDT"), ("cm", "BTCUSD_PERP"))}
    market, symbol, error_class, params = _orders(marks)[case]
    checked, recorder = _client(sandbox, market, validate_orders=True)
    with pytest.raises(error_class) as caught:
        checked.new_order(symbol=symbol, **params)
    error = caught.value
    assert isinstance(error, FilterError) and isinstance(error, ValueError)
    assert error.filter_type == case.replace("COIN-M ", "").rsplit(" ", 1)[0]
    assert error.symbol == symbol and error.allowed
    assert error.filter_type in str(error)
    assert recorder.orders_sent() == []
    plain, plain_recorder = _client(sandbox, market)
    with pytest.raises(ClientError) as rejected:
        plain.new_order(symbol=symbol, **params)
    assert plain_recorder.orders_sent() == [("POST", ORDER_PATHS[market == "cm"])]
    assert rejected.value.error_code == error.binance_code, (rejected.value, error)


def test_max_num_orders_is_checked_before_sending_and_the_server_agrees(sandbox):
    plain, _ = _client(sandbox)
    limit = plain.exchange_filters().symbol("SOLUSDT").max_num_orders
    assert limit == 200
    price = _tick(_mark(sandbox, "um", "SOLUSDT") * Decimal("0.98"), "0.01")
    quantity = str(int(Decimal(110) / Decimal(price)) + 1)
    for _ in range(limit):
        plain.new_order(symbol="SOLUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity=quantity, price=price)
    checked, recorder = _client(sandbox, validate_orders=True)
    order = dict(symbol="SOLUSDT", side="BUY", type="LIMIT", timeInForce="GTC", quantity=quantity, price=price)
    with pytest.raises(MaxNumOrdersError) as caught:
        checked.new_order(**order)
    assert caught.value.allowed == {"limit": limit} and caught.value.value == limit
    assert recorder.orders_sent() == []
    with pytest.raises(ClientError) as rejected:
        plain.new_order(**order)
    assert rejected.value.error_code == caught.value.binance_code == -2025
    plain.cancel_open_orders(symbol="SOLUSDT")
    assert checked.new_order(**order)["status"] == "NEW"


def test_a_valid_order_passes_validation_and_is_sent_once(sandbox):
    checked, recorder = _client(sandbox, validate_orders=True)
    filters = checked.exchange_filters()
    price = filters.round_price("BTCUSDT", _mark(sandbox, "um", "BTCUSDT") * Decimal("0.97"))
    quantity = filters.round_quantity("BTCUSDT", Decimal(150) / Decimal(price), mode="ROUND_UP")
    before = len(sandbox.exchange.order_log)
    order = checked.new_order(symbol="BTCUSDT", side="BUY", type="LIMIT", timeInForce="GTC",
                              quantity=quantity, price=price)
    assert order["status"] == "NEW"
    assert recorder.orders_sent() == [("POST", "/fapi/v1/order")]
    assert len(sandbox.exchange.order_log) == before + 1
    checked.cancel_order(symbol="BTCUSDT", orderId=order["orderId"])


# ------------------------------------------------------------------------------------ server time


@pytest.fixture
def fresh_sandbox():
    with Sandbox(seed=6, tick_interval=None) as sb:
        yield sb


def test_sync_time_measures_the_offset_to_a_skewed_server_clock(fresh_sandbox):
    sb = fresh_sandbox
    sb.faults.skew_clock(-15_000)  # the server is 15 s behind: our timestamps look 15 s ahead
    plain, _ = _client(sb)
    with pytest.raises(TimestampError) as caught:
        plain.account()
    assert caught.value.error_code == -1021
    synced, recorder = _client(sb, sync_time=True)
    assert "assets" in synced.account()
    assert abs(synced.time_offset_ms - (-15_000)) < 1_000
    paths = [p for _, p in recorder.sent]
    assert paths[0] == "/fapi/v1/time" and len(paths) == 2 and paths[1].endswith("/account"), paths


def test_a_1021_rejection_remeasures_the_offset_and_sends_the_order_once_more(fresh_sandbox):
    sb = fresh_sandbox
    client, recorder = _client(sb, sync_time=True)
    client.account()
    assert abs(client.time_offset_ms) < 1_000
    sb.faults.skew_clock(30_000)  # the server jumps 30 s ahead: our timestamps are now too old
    before = len(sb.exchange.order_log)
    recorder.sent.clear()
    order = client.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.002")
    assert order["status"] in ("FILLED", "NEW", "PARTIALLY_FILLED")
    assert abs(client.time_offset_ms - 30_000) < 1_000
    assert [p for _, p in recorder.sent] == ["/fapi/v1/order", "/fapi/v1/time", "/fapi/v1/order"]
    assert len(sb.exchange.order_log) == before + 1


def test_without_sync_time_a_1021_is_raised_and_not_retried(fresh_sandbox):
    sb = fresh_sandbox
    sb.faults.skew_clock(30_000)
    client, recorder = _client(sb)
    before = len(sb.exchange.order_log)
    with pytest.raises(TimestampError):
        client.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.002")
    assert recorder.orders_sent() == [("POST", "/fapi/v1/order")]
    assert len(sb.exchange.order_log) == before
    assert client.time_offset_ms == 0


# ------------------------------------------------------------------------------------ rate limits


def _skew_to_window_second(sb: Sandbox, second: float, window_s: int = 60) -> None:
    """Skew the sandbox clock so that its time is ``second`` s into a ``window_s`` window now."""
    now = int(time.time() * 1000)
    sb.faults.skew_clock((int(second * 1000) - now % (window_s * 1000)) % (window_s * 1000))


def _usage(client: Any, kind: str, interval: str, num: int) -> Any:
    return next(u for u in client.rate_limit_usage() if (u.kind, u.interval, u.interval_num) == (kind, interval, num))


def test_rate_limit_usage_reports_used_limit_and_window(fresh_sandbox):
    client, _ = _client(fresh_sandbox)
    client.exchange_filters()
    client.depth(symbol="BTCUSDT", limit=1000)
    client.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.002")
    weight = _usage(client, "REQUEST_WEIGHT", "MINUTE", 1)
    assert weight.limit == 2400 and weight.window_ms == 60_000
    assert weight.used == fresh_sandbox.limiter.used_weight("127.0.0.1") >= 21
    assert 0 < weight.resets_in_ms <= 60_000
    orders = _usage(client, "ORDERS", "SECOND", 10)
    assert (orders.limit, orders.used, orders.window_ms) == (300, 1, 10_000)
    assert _usage(client, "ORDERS", "MINUTE", 1).used == 1
    assert weight.to_dict()["used"] == weight.used


def test_guard_waits_for_the_next_window_instead_of_passing_the_weight_limit(fresh_sandbox):
    sb = fresh_sandbox
    _skew_to_window_second(sb, 53)
    client, recorder = _client(sb, rate_limit_guard=True, sync_time=True)
    client.synchronize_time()
    while _usage(client, "REQUEST_WEIGHT", "MINUTE", 1).used + 40 <= 2400:
        client.ticker_24hr_price_change()  # weight 40 without a symbol
    used = _usage(client, "REQUEST_WEIGHT", "MINUTE", 1)
    assert used.used > 2360 and used.limit == 2400
    started = time.monotonic()
    client.ticker_24hr_price_change()
    waited = time.monotonic() - started
    assert waited >= used.resets_in_ms / 1000 - 0.5, (waited, used)
    assert waited <= used.resets_in_ms / 1000 + 2, (waited, used)
    assert _usage(client, "REQUEST_WEIGHT", "MINUTE", 1).used == 40
    assert sb.limiter.used_weight("127.0.0.1") == 40  # the server never saw a request over the limit


def test_guard_fails_an_order_fast_while_a_retry_after_is_in_force(fresh_sandbox):
    sb = fresh_sandbox
    client, recorder = _client(sb, rate_limit_guard=True)
    client.exchange_filters()
    sb.faults.rate_limit(count=1, retry_after=2)
    with pytest.raises(TooManyRequestsError) as limited:
        client.depth(symbol="BTCUSDT")
    assert limited.value.retry_after == 2
    before = len(sb.exchange.order_log)
    started = time.monotonic()
    with pytest.raises(RateLimitGuardError) as caught:
        client.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.002")
    assert time.monotonic() - started < 0.5
    assert 1.0 < caught.value.retry_after <= 2.1  # Retry-After plus the guard margin
    assert recorder.orders_sent() == [] and len(sb.exchange.order_log) == before
    started = time.monotonic()
    client.depth(symbol="BTCUSDT")  # not an order: the guard waits out the Retry-After instead
    assert time.monotonic() - started >= 1.0
    time.sleep(max(0.0, caught.value.retry_after - (time.monotonic() - started)))
    assert client.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quantity="0.002")["status"]


def test_guard_fails_the_order_that_would_pass_the_order_count_limit(fresh_sandbox):
    sb = fresh_sandbox
    _skew_to_window_second(sb, 0.2, window_s=10)
    client, recorder = _client(sb, rate_limit_guard=True, sync_time=True)
    client.synchronize_time()
    placed = 0
    with pytest.raises(RateLimitGuardError) as caught:
        for index in range(1500):
            client.new_order(symbol="BTCUSDT", side="BUY" if index % 2 else "SELL", type="MARKET", quantity="0.002")
            placed += 1
    error = caught.value
    assert error.usage is not None and error.usage.kind == "ORDERS"
    assert error.usage.used == error.usage.limit and error.usage.limit in (300, 1200)
    assert 0 < error.retry_after <= error.usage.window_ms / 1000
    assert len(recorder.orders_sent()) == placed
    assert "not sent" in str(error)


def test_order_checks_and_the_guard_share_one_exchange_info_fetch(sandbox):
    client = UMFutures(sandbox.api_key, sandbox.api_secret, base_url=sandbox.um_rest_url,
                       validate_orders=True, rate_limit_guard=True)
    paths = []
    client.session.hooks["response"].append(lambda r, *a, **k: paths.append(r.request.path_url.split("?")[0]))
    price = client.ticker_price("BTCUSDT")["price"]
    low = client.exchange_filters().round_price("BTCUSDT", Decimal(price) * Decimal("0.97"))
    client.new_order("BTCUSDT", "BUY", "LIMIT", quantity="0.002", price=low, timeInForce="GTC")
    client.new_order("BTCUSDT", "BUY", "LIMIT", quantity="0.002", price=low, timeInForce="GTC")
    assert paths.count("/um/fapi/v1/exchangeInfo") == 1
