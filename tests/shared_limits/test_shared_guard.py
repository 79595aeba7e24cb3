"""REST and WebSocket API clients sharing one budget through a real redis-server, against the sandbox.

Each client has its own in-process counts, so what one learns from another can only have come
through the store.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Iterator

import pytest

pytest.importorskip("aiohttp")

from binance.error import TooManyRequestsError  # noqa: E402
from binance.ratelimit import RateLimitGuardError  # noqa: E402
from binance.sandbox import Sandbox  # noqa: E402
from binance.sandbox.ratelimit import RateLimits  # noqa: E402
from binance.um_futures import UMFutures  # noqa: E402
from binance.websocket.api import UMFuturesWebsocketAPIClient  # noqa: E402

from .conftest import free_port  # noqa: E402


@pytest.fixture
def low_limits_sandbox() -> Iterator[Sandbox]:
    """A sandbox allowing 300 weight a minute and 4 orders per 10 s, 0.2 s into a minute (and so into
    a 10 s window): each test runs inside one window of each limit."""
    sb = Sandbox(seed=3, tick_interval=None, limits=RateLimits(weight_per_minute=300, orders_per_10s=4)).start()
    now = int(time.time() * 1000)
    sb.faults.skew_clock((200 - now % 60_000) % 60_000)
    try:
        yield sb
    finally:
        sb.stop()


def _rest(sb: Sandbox, store: Any, **kwargs: Any) -> UMFutures:
    client = UMFutures(sb.api_key, sb.api_secret, base_url=sb.um_rest_url, sync_time=True,
                       rate_limit_store=store, **kwargs)
    client.synchronize_time()
    return client


def _order(client: Any, index: int) -> Any:
    side = "BUY" if index % 2 else "SELL"
    if isinstance(client, UMFutures):
        return client.new_order(symbol="BTCUSDT", side=side, type="MARKET", quantity="0.002")
    return client.order_place("BTCUSDT", side, "MARKET", quantity="0.002")


def _store_value(redis_server: Any, pattern: str) -> int:
    r = redis_server.client()
    return sum(int(r.get(key) or 0) for key in r.scan_iter(pattern))


def test_two_clients_on_one_store_share_the_order_budget(low_limits_sandbox, redis_server):
    sb = low_limits_sandbox
    first, second = _rest(sb, redis_server.url), _rest(sb, redis_server.url)
    assert first.rate_limit_guard and second.rate_limit_guard  # a store implies the guard
    for index in range(3):
        _order(first, index)
    _order(second, 3)
    before = len(sb.exchange.order_log)
    with pytest.raises(RateLimitGuardError) as caught:
        _order(second, 4)  # its own count is 1 of 4: only the store knows the account used 4
    assert caught.value.usage is not None and caught.value.usage.kind == "ORDERS"
    assert (caught.value.usage.used, caught.value.usage.limit) == (4, 4)
    assert 0 < caught.value.retry_after <= 10.1
    assert len(sb.exchange.order_log) == before and sb.limiter.order_counts(sb.api_key)[0] == 4


def test_the_api_key_is_never_stored(low_limits_sandbox, redis_server):
    client = _rest(low_limits_sandbox, redis_server.url)
    _order(client, 0)
    r = redis_server.client()
    keys = list(r.scan_iter("*"))
    assert any(":account:" in key for key in keys) and any(":ip:default:um:" in key for key in keys)
    assert all(low_limits_sandbox.api_key not in key for key in keys)


def test_a_retry_after_seen_by_one_client_stops_the_others(low_limits_sandbox, redis_server):
    sb = low_limits_sandbox
    first, second = _rest(sb, redis_server.url), _rest(sb, redis_server.url)
    sb.faults.rate_limit(count=1, retry_after=2)
    with pytest.raises(TooManyRequestsError):
        first.depth(symbol="BTCUSDT")
    before = len(sb.exchange.order_log)
    with pytest.raises(RateLimitGuardError) as caught:
        _order(second, 0)
    assert caught.value.usage is None and 1.0 < caught.value.retry_after <= 2.1
    started = time.monotonic()
    second.depth(symbol="BTCUSDT")  # not an order: waits the block out
    assert time.monotonic() - started >= 1.0
    assert len(sb.exchange.order_log) == before


def test_response_headers_raise_the_shared_count_to_the_servers(low_limits_sandbox, redis_server):
    sb = low_limits_sandbox
    outsider = UMFutures(sb.api_key, sb.api_secret, base_url=sb.um_rest_url)  # no guard, no store
    for _ in range(4):
        outsider.ticker_24hr_price_change()  # weight 40 each
    client = _rest(sb, redis_server.url, rate_limit_scope="office-ip")
    client.ping()
    server_used = sb.limiter.used_weight("127.0.0.1")
    window = sb.now_ms() - sb.now_ms() % 60_000  # the sandbox's minute (the first /time call, made
    assert server_used >= 160  # before the clock offset was known, may sit in a window of local time)
    assert _store_value(redis_server, f"*:ip:office-ip:um:1M:{window}") == server_used
    assert _store_value(redis_server, "*:ip:default:um:1M:*") == 0  # another scope, another budget


def test_websocket_api_and_rest_orders_share_one_account_budget(low_limits_sandbox, redis_server):
    sb = low_limits_sandbox
    rest = _rest(sb, redis_server.url)
    with UMFuturesWebsocketAPIClient(sb.api_key, sb.api_secret, stream_url=sb.um_ws_api_url,
                                     time_offset_ms=sb.clock_skew_ms, rate_limit_store=redis_server.url) as ws:
        _order(rest, 0)
        _order(rest, 1)
        _order(ws, 2)
        _order(ws, 3)
        with pytest.raises(RateLimitGuardError):
            _order(ws, 4)
        with pytest.raises(RateLimitGuardError):
            _order(rest, 5)
    assert sb.limiter.order_counts(sb.api_key)[0] == 4


def test_an_unreachable_store_falls_back_to_the_in_process_guard(low_limits_sandbox, caplog):
    sb = low_limits_sandbox
    caplog.set_level(logging.WARNING, logger="binance._limit_store")
    client = _rest(sb, f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    for index in range(4):
        _order(client, index)
    with pytest.raises(RateLimitGuardError):  # the in-process guard still counts
        _order(client, 4)
    assert time.monotonic() - started < 5
    warnings = [r.getMessage() for r in caplog.records if r.name == "binance._limit_store"]
    assert len(warnings) == 1 and "unreachable" in warnings[0] and "own guard" in warnings[0]


def test_a_websocket_api_429_blocks_the_rest_clients_on_the_store(low_limits_sandbox, redis_server):
    sb = low_limits_sandbox
    rest = _rest(sb, redis_server.url)
    outsider = UMFutures(sb.api_key, sb.api_secret, base_url=sb.um_rest_url)  # no guard, no store
    while sb.limiter.used_weight("127.0.0.1") + 40 <= 300:
        outsider.ticker_24hr_price_change()  # unseen by the store: no client on it got an answer since
    while sb.limiter.used_weight("127.0.0.1") < 300:
        outsider.ticker_price("BTCUSDT")
    with UMFuturesWebsocketAPIClient(sb.api_key, sb.api_secret, stream_url=sb.um_ws_api_url,
                                     time_offset_ms=sb.clock_skew_ms, rate_limit_store=redis_server.url) as ws:
        with pytest.raises(TooManyRequestsError):
            ws.send_request("ticker.price", {})  # weight 2 without a symbol: over the limit the ws knew nothing of
    before = len(sb.exchange.order_log)
    with pytest.raises(RateLimitGuardError) as caught:
        _order(rest, 0)
    assert caught.value.usage is None and caught.value.retry_after > 1
    assert len(sb.exchange.order_log) == before


def test_coin_m_clients_share_their_own_budget(low_limits_sandbox, redis_server):
    from binance.cm_futures import CMFutures

    sb = low_limits_sandbox
    client = CMFutures(sb.api_key, sb.api_secret, base_url=sb.cm_rest_url, rate_limit_store=redis_server.url)
    client.ping()
    assert _store_value(redis_server, "*:ip:default:cm:1M:*") >= 1
    assert _store_value(redis_server, "*:ip:default:um:1M:*") == 0
