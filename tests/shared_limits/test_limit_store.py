"""The shared store's Lua scripts and availability, against a real redis-server."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time

import pytest

from binance._limit_store import UNAVAILABLE, Counter, LimitStore, account_id, open_store
from binance.error import ParameterArgumentError

from .conftest import free_port

BLOCK = "t:block"


def _counter(key: str, count: int, limit: int, wait_ms: int = 5000) -> Counter:
    return Counter(key, count, limit, 60_000, wait_ms)


def test_reserve_charges_every_counter_when_all_fit(redis_server):
    store = LimitStore(redis_server.url)
    r = redis_server.client()
    assert store.reserve(BLOCK, [_counter("t:w", 5, 10), _counter("t:o", 1, 2)]) == (0, 0, 0)
    assert store.reserve(BLOCK, [_counter("t:w", 5, 10), _counter("t:o", 1, 2)]) == (0, 0, 0)
    assert (r.get("t:w"), r.get("t:o")) == ("10", "2")
    assert 0 < r.pttl("t:w") <= 60_000


def test_reserve_refuses_atomically_and_names_the_counter_that_would_pass(redis_server):
    store = LimitStore(redis_server.url)
    r = redis_server.client()
    r.set("t:o", 2)
    answer = store.reserve(BLOCK, [_counter("t:w", 5, 10, 1000), _counter("t:o", 1, 2, 7000)])
    assert answer == (7000, 2, 2)  # wait of the refusing counter, its 1-based index, its count
    assert r.get("t:w") is None  # nothing charged when one counter refuses


def test_reserve_waits_for_the_longest_of_several_refusing_counters(redis_server):
    store = LimitStore(redis_server.url)
    redis_server.client().mset({"t:a": 10, "t:b": 10})
    assert store.reserve(BLOCK, [_counter("t:a", 1, 10, 300), _counter("t:b", 1, 10, 9000)]) == (9000, 2, 10)


def test_reserve_ignores_counters_charged_zero(redis_server):
    store = LimitStore(redis_server.url)
    r = redis_server.client()
    r.set("t:w", 10)
    assert store.reserve(BLOCK, [_counter("t:w", 0, 10), _counter("t:o", 1, 5)]) == (0, 0, 0)
    assert (r.get("t:w"), r.get("t:o")) == ("10", "1")


def test_reserve_fills_a_limit_exactly(redis_server):
    store = LimitStore(redis_server.url)
    assert store.reserve(BLOCK, [_counter("t:w", 7, 10)]) == (0, 0, 0)
    assert store.reserve(BLOCK, [_counter("t:w", 3, 10)]) == (0, 0, 0)
    assert store.reserve(BLOCK, [_counter("t:w", 1, 10)])[1] == 1


def test_block_refuses_everything_until_it_expires_and_is_never_shortened(redis_server):
    store = LimitStore(redis_server.url)
    store.block(BLOCK, 400)
    store.block(BLOCK, 50)  # shorter: the 400 ms block stays
    wait, index, _ = store.reserve(BLOCK, [_counter("t:w", 1, 10)])
    assert index == 0 and 200 < wait <= 400
    time.sleep(0.45)
    assert store.reserve(BLOCK, [_counter("t:w", 1, 10)]) == (0, 0, 0)


def test_observe_raises_counts_but_never_lowers_them(redis_server):
    store = LimitStore(redis_server.url)
    r = redis_server.client()
    r.set("t:w", 40)
    store.observe({"t:w": (25, 60_000), "t:x": (30, 5_000)})
    assert (r.get("t:w"), r.get("t:x")) == ("40", "30")
    assert 0 < r.pttl("t:x") <= 5_000
    store.observe({"t:w": (55, 60_000)})
    assert r.get("t:w") == "55"


def test_concurrent_reservations_never_pass_the_limit(redis_server):
    store = LimitStore(redis_server.url)
    admitted = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(40):
            if store.reserve(BLOCK, [_counter("t:w", 1, 100)]) == (0, 0, 0):
                with lock:
                    admitted.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(admitted) == 100  # 320 attempts, exactly the limit admitted
    assert redis_server.client().get("t:w") == "100"


def test_unreachable_store_answers_fast_warns_once_and_recovers(redis_server, caplog):
    port = redis_server.port
    store = LimitStore(redis_server.url, retry_interval=0.3)
    assert store.reserve(BLOCK, [_counter("t:w", 1, 10)]) == (0, 0, 0)
    redis_server.kill()
    caplog.set_level(logging.WARNING, logger="binance._limit_store")
    started = time.monotonic()
    for _ in range(20):
        assert store.reserve(BLOCK, [_counter("t:w", 1, 10)]) is UNAVAILABLE
    assert time.monotonic() - started < 2.0
    assert not store.available
    time.sleep(0.35)
    assert store.reserve(BLOCK, [_counter("t:w", 1, 10)]) is UNAVAILABLE  # probed again: still down
    redis_server.start()
    assert redis_server.port == port
    time.sleep(0.35)
    assert store.reserve(BLOCK, [_counter("t:w", 1, 10)]) == (0, 0, 0)  # fresh server, scripts reloaded
    assert store.available and store.recoveries == 1
    messages = [r.getMessage() for r in caplog.records if r.name == "binance._limit_store"]
    assert len([m for m in messages if "unreachable" in m]) == 1
    assert len([m for m in messages if "reachable again" in m]) == 1


def test_a_hung_store_is_left_after_the_socket_timeout(redis_server):
    redis_server.proc.send_signal(19)  # SIGSTOP: connections accepted by the kernel, never answered
    try:
        store = LimitStore(redis_server.url, socket_timeout=0.3)
        started = time.monotonic()
        assert store.reserve(BLOCK, [_counter("t:w", 1, 10)]) is UNAVAILABLE
        assert time.monotonic() - started < 1.5
    finally:
        redis_server.proc.send_signal(18)  # SIGCONT


def test_a_store_url_that_is_not_redis_is_refused():
    with pytest.raises(ParameterArgumentError, match="redis://"):
        open_store("http://127.0.0.1:6379")


def test_the_account_is_a_hash_never_the_key():
    assert account_id("my-key") != "my-key" and "my-key" not in account_id("my-key")
    assert account_id("my-key") == account_id("my-key") != account_id("other-key")


def test_without_the_redis_package_a_store_url_says_what_to_install():
    code = (
        "import sys; sys.modules['redis'] = None\n"
        "from binance.um_futures import UMFutures\n"
        "UMFutures(rate_limit_guard=True)\n"  # no store: works without redis
        f"UMFutures(rate_limit_store='redis://127.0.0.1:{free_port()}/0')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "ImportError: rate_limit_store needs the 'redis' package" in proc.stderr
    assert "binance-futures-connector[redis]" in proc.stderr
