"""WebSocket connection attempts per IP (Binance: 300 per 5 minutes), and a clean stop while a delayed REST
answer is still pending."""

from __future__ import annotations

import gc
import logging
import time

import pytest
import requests
import websocket

from binance.sandbox.ratelimit import RateLimiter, RateLimitExceeded, RateLimits

pytestmark = pytest.mark.timeout(60)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000_000

    def __call__(self) -> int:
        return self.now


def test_connection_attempts_are_limited_per_ip_and_window():
    clock = Clock()
    limiter = RateLimiter(clock, RateLimits(connection_attempts_per_5m=3))
    assert [limiter.add_connection("1.1.1.1") for _ in range(3)] == [1, 2, 3]
    with pytest.raises(RateLimitExceeded) as exc:
        limiter.add_connection("1.1.1.1")
    assert exc.value.status == 429 and exc.value.code == -1003 and 1 <= exc.value.retry_after <= 300
    assert limiter.add_connection("2.2.2.2") == 1
    clock.now += 300_000
    assert limiter.add_connection("1.1.1.1") == 1
    limiter.reset()
    assert limiter.add_connection("1.1.1.1") == 1


def test_default_is_300_and_none_disables():
    assert RateLimits().connection_attempts_per_5m == 300
    limiter = RateLimiter(Clock(), RateLimits(connection_attempts_per_5m=None))
    assert [limiter.add_connection("ip") for _ in range(400)][-1] == 400


def test_handshakes_past_the_limit_get_429(make_sandbox):
    sb = make_sandbox(limits=RateLimits(connection_attempts_per_5m=2), tick_interval=None)
    for url in (sb.um_stream_url + "/ws", sb.um_ws_api_url):
        websocket.create_connection(url, timeout=5).close()
    with pytest.raises(websocket.WebSocketBadStatusException) as exc:
        websocket.create_connection(sb.cm_stream_url + "/ws", timeout=5)
    assert exc.value.status_code == 429
    assert int(exc.value.resp_headers["retry-after"]) >= 1
    assert requests.get(sb.um_rest_url + "/fapi/v1/ping", timeout=5).status_code == 200
    sb.limiter.reset()
    websocket.create_connection(sb.um_stream_url + "/ws", timeout=5).close()


def test_stop_with_a_delayed_answer_in_flight_leaves_no_pending_task(make_sandbox, caplog):
    caplog.set_level(logging.ERROR, logger="asyncio")
    sb = make_sandbox(tick_interval=None)
    sb.faults.delay(5)
    with pytest.raises(requests.ReadTimeout):
        requests.get(sb.um_rest_url + "/fapi/v1/time", timeout=0.3)
    started = time.monotonic()
    sb.stop()
    assert time.monotonic() - started < 5
    gc.collect()
    assert not [r for r in caplog.records if "destroyed but it is pending" in r.getMessage()]
