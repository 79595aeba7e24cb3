"""The guard's own rules: windows near their end, counts from answers that crossed a window, the
in-process guard of the WebSocket API client, and a signed request that waited."""

from __future__ import annotations

import time
from typing import Iterator, List

import pytest

from binance._rate_guard import EDGE_MS, RateGuard

MINUTE = 60_000


class Clock:
    """A settable server clock (ms) handed to the guard, as the clients hand theirs."""

    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def _weight_keys(redis_server) -> List[str]:
    return sorted(redis_server.client().scan_iter("*:ip:*:1M:*"))


def test_a_request_near_the_end_of_a_window_counts_in_the_next_one_too(redis_server):
    window_start = 1_700_000_040_000 - 1_700_000_040_000 % MINUTE
    clock = Clock(window_start + MINUTE - EDGE_MS // 2)
    guard = RateGuard("um", clock, redis_server.url, "edge", "key")
    assert guard.before("GET /x", 3) == clock.now
    keys = _weight_keys(redis_server)
    assert [k.rsplit(":", 1)[1] for k in keys] == [str(window_start), str(window_start + MINUTE)]
    assert [redis_server.client().get(k) for k in keys] == ["3", "3"]
    clock.now = window_start + MINUTE + 5_000  # well inside the next window: counted once
    guard.before("GET /x", 2)
    assert redis_server.client().get(keys[1]) == "5" and len(_weight_keys(redis_server)) == 2


def test_headers_of_an_answer_that_crossed_a_window_are_not_taken(redis_server):
    clock = Clock(10 * MINUTE + 59_990)
    guard = RateGuard("um", clock, redis_server.url, "cross", "key")
    sent = clock.now
    clock.now = 11 * MINUTE + 20  # the answer arrives in the next window
    guard.after({"X-MBX-USED-WEIGHT-1M": "290"}, sent)
    assert _weight_keys(redis_server) == []
    assert all(u.used == 0 for u in guard.snapshot())
    guard.after({"X-MBX-USED-WEIGHT-1M": "17"}, clock.now)
    assert [redis_server.client().get(k) for k in _weight_keys(redis_server)] == ["17"]


@pytest.fixture
def order_limited_sandbox() -> Iterator[object]:
    pytest.importorskip("aiohttp")
    from binance.sandbox import Sandbox
    from binance.sandbox.ratelimit import RateLimits

    sb = Sandbox(seed=4, tick_interval=None, limits=RateLimits(weight_per_minute=300, orders_per_10s=3)).start()
    now = int(time.time() * 1000)
    sb.faults.skew_clock((200 - now % 10_000) % 10_000)
    try:
        yield sb
    finally:
        sb.stop()


def test_websocket_api_guard_learns_the_limits_from_the_replies(order_limited_sandbox):
    from binance.ratelimit import RateLimitGuardError
    from binance.websocket.api import UMFuturesWebsocketAPIClient

    sb = order_limited_sandbox
    with UMFuturesWebsocketAPIClient(sb.api_key, sb.api_secret, stream_url=sb.um_ws_api_url,
                                     time_offset_ms=sb.clock_skew_ms, rate_limit_guard=True) as ws:
        for index in range(3):
            ws.order_place("BTCUSDT", "BUY" if index % 2 else "SELL", "MARKET", quantity="0.002")
        with pytest.raises(RateLimitGuardError) as caught:  # the replies said 3 per 10 s, not 300
            ws.order_place("BTCUSDT", "BUY", "MARKET", quantity="0.002")
    assert caught.value.usage is not None and (caught.value.usage.used, caught.value.usage.limit) == (3, 3)
    assert sb.limiter.order_counts(sb.api_key)[0] == 3


def test_a_signed_request_that_waited_for_the_window_is_signed_after_the_wait(order_limited_sandbox):
    from binance.um_futures import UMFutures

    sb = order_limited_sandbox
    now = int(time.time() * 1000)
    sb.faults.skew_clock((MINUTE - 3_000 - now % MINUTE) % MINUTE)  # 3 s before the sandbox minute ends
    client = UMFutures(sb.api_key, sb.api_secret, base_url=sb.um_rest_url, rate_limit_guard=True)
    client.synchronize_time()  # measured once; no second try after a -1021 (sync_time is off)
    while sb.limiter.used_weight("127.0.0.1") + 5 <= 300:
        if sb.limiter.used_weight("127.0.0.1") + 40 <= 300:
            client.ticker_24hr_price_change()  # weight 40 without a symbol
        else:
            client.ticker_price("BTCUSDT")  # weight 1
    started = time.monotonic()
    client.account(recvWindow=1000)  # weight 5 does not fit: waits about 2 s, longer than recvWindow
    assert time.monotonic() - started > 1.0
    assert sb.limiter.used_weight("127.0.0.1") == 5
