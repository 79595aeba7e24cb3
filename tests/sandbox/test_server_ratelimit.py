"""Weight and order-count limits: 429 with Retry-After, then 418 for a client that keeps going."""

from __future__ import annotations

import pytest

from binance.sandbox.ratelimit import RateLimiter, RateLimitExceeded, RateLimits


class Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


def test_weight_accumulates_per_minute_and_resets_at_the_boundary():
    clock = Clock(120_000)
    limiter = RateLimiter(clock, RateLimits(weight_per_minute=10))
    assert limiter.add_weight("ip", 4) == 4
    assert limiter.add_weight("ip", 6) == 10
    assert limiter.add_weight("other", 1) == 1
    clock.now = 180_000
    assert limiter.add_weight("ip", 1) == 1


def test_past_the_limit_429_with_retry_after_to_the_window_end():
    clock = Clock(120_000 + 45_000)
    limiter = RateLimiter(clock, RateLimits(weight_per_minute=5))
    limiter.add_weight("ip", 5)
    with pytest.raises(RateLimitExceeded) as exc:
        limiter.add_weight("ip", 1)
    assert (exc.value.status, exc.value.code, exc.value.retry_after) == (429, -1003, 15)
    assert "current limit is 5 requests per minute" in exc.value.msg


def test_client_ignoring_429_is_banned_with_418_until_ban_ends():
    clock = Clock(0)
    limiter = RateLimiter(clock, RateLimits(weight_per_minute=1, ban_after=2, ban_seconds=30))
    limiter.add_weight("ip", 1)
    statuses = []
    for _ in range(4):
        try:
            limiter.add_weight("ip", 1)
        except RateLimitExceeded as exc:
            statuses.append((exc.status, exc.retry_after))
    assert [s for s, _ in statuses] == [429, 429, 418, 418]
    assert statuses[-1][1] == 30
    clock.now = 20_000
    with pytest.raises(RateLimitExceeded) as exc:
        limiter.add_weight("ip", 1)
    assert (exc.value.status, exc.value.retry_after) == (418, 10)
    clock.now = 90_000
    assert limiter.add_weight("ip", 1) == 1


def test_order_counts_and_limits():
    clock = Clock(0)
    limiter = RateLimiter(clock, RateLimits(orders_per_10s=2, orders_per_minute=4))
    assert limiter.add_order("acct") == (1, 1)
    assert limiter.add_order("acct") == (2, 2)
    with pytest.raises(RateLimitExceeded) as exc:
        limiter.add_order("acct")
    assert (exc.value.status, exc.value.code) == (429, -1015)
    clock.now = 10_000
    assert limiter.add_order("acct") == (1, 4)
    assert limiter.order_counts("acct") == (1, 4)
    with pytest.raises(RateLimitExceeded) as exc:
        limiter.add_order("acct")
    assert "4 orders per 1 minute" in exc.value.msg


def test_reset_forgets_bans():
    clock = Clock(0)
    limiter = RateLimiter(clock)
    limiter.ban("ip", 60)
    with pytest.raises(RateLimitExceeded):
        limiter.add_weight("ip", 1)
    limiter.reset()
    assert limiter.add_weight("ip", 1) == 1


def test_exchange_info_publishes_the_configured_limits_and_the_client_guard_learns_them():
    from binance.sandbox import Sandbox
    from binance.sandbox.ratelimit import RateLimits
    from binance.um_futures import UMFutures

    with Sandbox(seed=3, tick_interval=None, limits=RateLimits(weight_per_minute=120, orders_per_10s=7)) as sb:
        client = UMFutures(sb.api_key, sb.api_secret, base_url=sb.um_rest_url, rate_limit_guard=True)
        limits = {(r["rateLimitType"], r["interval"], r["intervalNum"]): r["limit"]
                  for r in client.exchange_info()["rateLimits"]}
        assert limits[("REQUEST_WEIGHT", "MINUTE", 1)] == 120
        assert limits[("ORDERS", "SECOND", 10)] == 7
        known = {(u.kind, u.interval, u.interval_num): u.limit for u in client.rate_limit_usage()}
        assert known[("REQUEST_WEIGHT", "MINUTE", 1)] == 120
        assert known[("ORDERS", "SECOND", 10)] == 7
