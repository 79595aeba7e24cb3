import pytest

from binance.error import Error
from binance.ratelimit import (
    RateLimit,
    RateLimitGuardError,
    RateLimitState,
    parse_rate_limits,
    parse_usage_headers,
)

INFO = {
    "rateLimits": [
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 2400},
        {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
    ]
}
MINUTE = 60_000
T0 = 1_700_000_020_000  # 40 s into a minute, at a 10 s boundary


def test_parse_rate_limits():
    limits = parse_rate_limits(INFO)
    assert limits[0] == RateLimit("REQUEST_WEIGHT", "MINUTE", 1, 2400)
    assert limits[2].window_ms == 10_000
    assert limits[2].header == "X-MBX-ORDER-COUNT-10S"
    assert limits[0].header == "X-MBX-USED-WEIGHT-1M"
    assert parse_rate_limits(INFO["rateLimits"]) == limits


def test_parse_usage_headers_is_case_insensitive():
    headers = {
        "x-mbx-used-weight-1m": "42",
        "X-MBX-ORDER-COUNT-10S": "3",
        "X-MBX-ORDER-COUNT-1M": "7",
        "X-MBX-USED-WEIGHT": "5",
        "X-MBX-USED-WEIGHT-1M-extra": "9",
        "X-MBX-ORDER-COUNT-1D": "junk",
        "Content-Type": "application/json",
    }
    assert parse_usage_headers(headers) == {
        ("REQUEST_WEIGHT", "MINUTE", 1): 42,
        ("ORDERS", "SECOND", 10): 3,
        ("ORDERS", "MINUTE", 1): 7,
    }
    assert parse_usage_headers(None) == {}


def test_snapshot_reports_used_limit_and_reset():
    state = RateLimitState.from_exchange_info(INFO)
    state.observe_headers({"X-MBX-USED-WEIGHT-1M": "100", "X-MBX-ORDER-COUNT-10S": "4"}, T0 + 1_500)
    snap = {(u.kind, u.interval_num, u.interval): u for u in state.snapshot(T0 + 1_500)}
    weight = snap[("REQUEST_WEIGHT", 1, "MINUTE")]
    assert (weight.used, weight.limit, weight.remaining, weight.window_ms) == (100, 2400, 2300, MINUTE)
    assert weight.resets_in_ms == 18_500
    assert snap[("ORDERS", 10, "SECOND")].used == 4
    assert snap[("ORDERS", 1, "MINUTE")].used == 0
    assert weight.to_dict()["rateLimitType"] == "REQUEST_WEIGHT"
    # A new window starts from zero.
    assert state.usage(("REQUEST_WEIGHT", "MINUTE", 1), T0 + 20_000).used == 0


def test_headers_seen_without_a_known_limit_are_reported():
    state = RateLimitState()
    state.observe_headers({"X-MBX-USED-WEIGHT-1M": "10"}, T0)
    (usage,) = state.snapshot(T0)
    assert usage.limit is None and usage.remaining is None and usage.used == 10
    assert state.wait_before(10_000, T0) == 0.0


def test_wait_before_waits_for_the_window_to_reset():
    state = RateLimitState.from_exchange_info(INFO)
    state.observe_headers({"X-MBX-USED-WEIGHT-1M": "2390"}, T0)
    assert state.wait_before(10, T0 + 1_000) == 0.0
    assert state.wait_before(11, T0 + 1_000) == 19.0
    assert state.wait_before(11, T0 + 20_000) == 0.0


def test_local_counting_and_out_of_order_headers():
    state = RateLimitState.from_exchange_info(INFO)
    state.observe_headers({"X-MBX-USED-WEIGHT-1M": "2000"}, T0)
    for _ in range(4):
        state.note_request(100, T0 + 10)
    assert state.usage(("REQUEST_WEIGHT", "MINUTE", 1), T0 + 10).used == 2400
    assert state.wait_before(1, T0 + 10) > 0
    state.observe_headers({"X-MBX-USED-WEIGHT-1M": "2100"}, T0 + 20)  # an older answer arriving late
    assert state.usage(("REQUEST_WEIGHT", "MINUTE", 1), T0 + 20).used == 2400
    state.observe_headers({"X-MBX-USED-WEIGHT-1M": "5"}, T0 + MINUTE)
    assert state.usage(("REQUEST_WEIGHT", "MINUTE", 1), T0 + MINUTE).used == 5


def test_order_limits_fail_fast_with_retry_after():
    state = RateLimitState.from_exchange_info(INFO)
    state.observe_headers({"X-MBX-ORDER-COUNT-10S": "299", "X-MBX-ORDER-COUNT-1M": "500"}, T0 + 2_000)
    state.check_order(T0 + 2_000)
    state.note_request(1, T0 + 2_000, orders=1)
    with pytest.raises(RateLimitGuardError) as info:
        state.check_order(T0 + 2_500)
    err = info.value
    assert isinstance(err, Error)
    assert err.retry_after == 7.5
    assert (err.usage.kind, err.usage.interval_num, err.usage.used) == ("ORDERS", 10, 300)
    assert "not sent" in str(err)
    assert state.wait_before(1, T0 + 2_500, orders=1) == 7.5
    assert state.wait_before(1, T0 + 2_500) == 0.0
    state.check_order(T0 + 10_000)


def test_retry_after_blocks_everything():
    state = RateLimitState.from_exchange_info(INFO)
    state.note_retry_after(3, T0)
    assert state.wait_before(1, T0 + 1_000) == 2.0
    with pytest.raises(RateLimitGuardError) as info:
        state.check_order(T0 + 1_000)
    assert info.value.retry_after == 2.0 and info.value.usage is None
    assert state.wait_before(1, T0 + 3_000) == 0.0


def test_websocket_api_rate_limits_are_recorded():
    state = RateLimitState()
    state.observe_rate_limits(
        [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 2400, "count": 70}],
        T0,
    )
    (usage,) = state.snapshot(T0)
    assert (usage.used, usage.limit) == (70, 2400)
