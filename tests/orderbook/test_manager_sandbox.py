"""DepthManager end-to-end against the sandbox: real REST client, real stream client, real sockets.

The sandbox runs with ``tick_interval=None`` and the tests move its market themselves (a
:class:`_Market` thread calling ``step()``), so that they can make it quiet and compare the
manager's books with fresh REST snapshots at the same ``lastUpdateId``.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Dict, List, Optional

import pytest

pytest.importorskip("aiohttp")

from binance.cm_futures import CMFutures  # noqa: E402
from binance.orderbook import BookNotReadyError, BookState, DepthManager, ManagerState, OrderBook  # noqa: E402
from binance.sandbox import Sandbox  # noqa: E402
from binance.sandbox.ratelimit import RateLimits  # noqa: E402
from binance.um_futures import UMFutures  # noqa: E402

pytestmark = pytest.mark.timeout(120)

UM_SYMBOLS = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT"]
STEP_SECONDS = 0.04


class _Market:
    """Steps one sandbox market on a thread until paused; :meth:`quiet` pauses it and flushes the
    last changes onto the diff streams, so that streams and REST agree afterwards."""

    def __init__(self, sb: Any, market: str) -> None:
        self._engine = sb.exchange.market(market)
        self._run = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"test-market-{market}", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self._run.wait(0.05):
                self._engine.step()
                time.sleep(STEP_SECONDS)

    def resume(self) -> None:
        self._run.set()

    def quiet(self) -> None:
        self._run.clear()
        time.sleep(0.25)
        self._engine.step()

    def close(self) -> None:
        self._stop.set()
        self._run.clear()
        self._thread.join(5)


@pytest.fixture
def sandbox():
    # 200 resyncs take 200 snapshots of weight 20 in well under a minute: more than Binance's 2400/min.
    with Sandbox(seed=3, tick_interval=None, limits=RateLimits(weight_per_minute=100_000)) as sb:
        yield sb


@pytest.fixture
def um_market(sandbox):
    market = _Market(sandbox, "um")
    market.resume()
    yield market
    market.close()


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def _assert_matches_rest(manager: DepthManager, rest: Any, symbols: List[str]) -> None:
    """With the market quiet: each book reaches the snapshot's lastUpdateId and equals it, level for level."""
    for symbol in symbols:
        snapshot = rest.depth(symbol=symbol, limit=1000)
        target = snapshot["lastUpdateId"]

        def reached(symbol: str = symbol, target: int = target) -> bool:
            return manager.stats()[symbol]["last_update_id"] == target and manager.is_live(symbol)

        _wait(reached, 10, f"{symbol} to reach lastUpdateId {target}: {manager.stats()[symbol]}")
        with manager.lock:
            book = manager.book(symbol)
            assert book.matches_snapshot(snapshot), symbol
            assert book.last_update_id == target
        assert len(snapshot["bids"]) > 10 and len(snapshot["asks"]) > 10


def test_resyncs_after_each_of_200_gaps_then_equals_a_fresh_snapshot(sandbox, um_market):
    rest = UMFutures(base_url=sandbox.um_rest_url)
    gaps_to_inject = 200
    with DepthManager(rest, UM_SYMBOLS, stream_url=sandbox.um_stream_url) as manager:
        for symbol in UM_SYMBOLS:
            assert manager.wait_live(symbol, timeout=10), manager.stats()
        assert manager.resyncs == 0
        injected = {symbol: 0 for symbol in UM_SYMBOLS}
        waiting: Dict[str, bool] = {symbol: False for symbol in UM_SYMBOLS}
        deadline = time.monotonic() + 50
        while sum(injected.values()) < gaps_to_inject or any(waiting.values()):
            assert time.monotonic() < deadline, (injected, manager.stats())
            for symbol in UM_SYMBOLS:
                stats = manager.stats()[symbol]
                if waiting[symbol]:
                    if stats["resyncs"] == injected[symbol] and stats["state"] == "LIVE":
                        waiting[symbol] = False
                elif sum(injected.values()) < gaps_to_inject and stats["state"] == "LIVE":
                    sandbox.faults.skip_depth(1, stream=f"{symbol.lower()}@depth@100ms")
                    injected[symbol] += 1
                    waiting[symbol] = True
            time.sleep(0.005)
        stats = manager.stats()
        assert sum(injected.values()) == gaps_to_inject
        for symbol in UM_SYMBOLS:
            assert stats[symbol]["resyncs"] == injected[symbol], stats
            assert stats[symbol]["gaps"] == injected[symbol], stats
            assert stats[symbol]["snapshots"] >= injected[symbol] + 1
        assert manager.resyncs == gaps_to_inject
        um_market.quiet()
        _assert_matches_rest(manager, rest, UM_SYMBOLS)


def test_on_update_reports_each_applied_event_with_a_live_book(sandbox, um_market):
    rest = UMFutures(base_url=sandbox.um_rest_url)
    seen: List[tuple] = []

    def on_update(symbol: str, book: OrderBook) -> None:
        seen.append((symbol, book.state, book.last_update_id, book.best_bid()[0] < book.best_ask()[0]))

    with DepthManager(rest, ["BTCUSDT", "ETHUSDT"], stream_url=sandbox.um_stream_url, on_update=on_update) as manager:
        _wait(lambda: {s for s, *_ in seen} == {"BTCUSDT", "ETHUSDT"} and len(seen) > 10, 10, "updates")
    assert all(state is BookState.LIVE and crossed_ok for _, state, _, crossed_ok in seen)
    for symbol in ("BTCUSDT", "ETHUSDT"):
        ids = [last for s, _, last, _ in seen if s == symbol]
        assert ids == sorted(ids)
    assert manager.state is ManagerState.STOPPED


def test_resyncs_after_the_stream_reconnects(sandbox, um_market):
    rest = UMFutures(base_url=sandbox.um_rest_url)
    with DepthManager(rest, ["BTCUSDT", "ETHUSDT"], stream_url=sandbox.um_stream_url) as manager:
        assert manager.wait_live("BTCUSDT", 10) and manager.wait_live("ETHUSDT", 10)
        opened = sandbox.connections.total_opened
        assert sandbox.faults.drop_all(kind="stream") >= 1
        assert sandbox.connections.wait_for_total(opened + 1, timeout=15)
        _wait(lambda: manager.resync_count("BTCUSDT") >= 1 and manager.resync_count("ETHUSDT") >= 1, 15,
              f"resyncs after reconnect: {manager.stats()}")
        assert manager.reconnects >= 1
        assert manager.wait_live("BTCUSDT", 10) and manager.wait_live("ETHUSDT", 10)
        um_market.quiet()
        _assert_matches_rest(manager, rest, ["BTCUSDT", "ETHUSDT"])


def test_coin_m_books_sync_and_equal_a_fresh_snapshot(sandbox):
    market = _Market(sandbox, "cm")
    market.resume()
    try:
        rest = CMFutures(base_url=sandbox.cm_rest_url)
        symbols = ["BTCUSD_PERP", "ETHUSD_PERP"]
        with DepthManager(rest, symbols, stream_url=sandbox.cm_stream_url) as manager:
            for symbol in symbols:
                assert manager.wait_live(symbol, 10), manager.stats()
            sandbox.faults.skip_depth(1, stream="btcusd_perp@depth@100ms")
            _wait(lambda: manager.resync_count("BTCUSD_PERP") == 1 and manager.is_live("BTCUSD_PERP"), 10,
                  "COIN-M resync")
            market.quiet()
            _assert_matches_rest(manager, rest, symbols)
            assert type(manager.stream_client).__name__ == "CMFuturesWebsocketClient"
    finally:
        market.close()


def test_a_failed_snapshot_is_retried_and_reported(sandbox, um_market):
    rest = UMFutures(base_url=sandbox.um_rest_url)
    errors: List[tuple] = []
    sandbox.faults.server_error(count=2, status=503, path="/fapi/v1/depth")
    manager = DepthManager(rest, ["BTCUSDT"], stream_url=sandbox.um_stream_url, retry_delay=0.05,
                           on_error=lambda symbol, exc: errors.append((symbol, exc)))
    with manager:
        assert manager.wait_live("BTCUSDT", 15), manager.stats()
    assert [symbol for symbol, _ in errors] == ["BTCUSDT", "BTCUSDT"]
    assert all(getattr(exc, "status_code", None) == 503 for _, exc in errors)
    assert manager.resyncs == 0


def test_a_raising_callback_is_reported_and_the_book_keeps_going(sandbox, um_market):
    rest = UMFutures(base_url=sandbox.um_rest_url)
    errors: List[BaseException] = []
    calls = [0]

    def on_update(symbol: str, book: OrderBook) -> None:
        calls[0] += 1
        raise RuntimeError("user bug")

    with DepthManager(rest, ["ETHUSDT"], stream_url=sandbox.um_stream_url, on_update=on_update,
                      on_error=lambda symbol, exc: errors.append(exc)) as manager:
        _wait(lambda: calls[0] >= 5, 10, "several updates")
        assert manager.is_live("ETHUSDT")
    assert errors and all(isinstance(exc, RuntimeError) for exc in errors)


def test_add_and_remove_symbols_while_running(sandbox, um_market):
    rest = UMFutures(base_url=sandbox.um_rest_url)
    with DepthManager(rest, ["BTCUSDT"], stream_url=sandbox.um_stream_url) as manager:
        assert manager.wait_live("BTCUSDT", 10)
        manager.add_symbol("solusdt")
        assert manager.symbols == ["BTCUSDT", "SOLUSDT"]
        assert manager.wait_live("SOLUSDT", 10)
        assert sandbox.wait_for_subscription("solusdt@depth@100ms", timeout=5)
        manager.remove_symbol("BTCUSDT")
        assert manager.symbols == ["SOLUSDT"]
        with pytest.raises(KeyError):
            manager.book("BTCUSDT")
        assert manager.snapshot("SOLUSDT")["state"] == "LIVE"


def test_stop_is_idempotent_bounded_and_joins_every_thread(sandbox, um_market):
    rest = UMFutures(base_url=sandbox.um_rest_url)
    manager = DepthManager(rest, ["BTCUSDT"], stream_url=sandbox.um_stream_url).start()
    assert manager.wait_live("BTCUSDT", 10)
    threads = manager.threads()
    assert len(threads) >= 2 and all(t.is_alive() for t in threads)
    started = time.monotonic()
    manager.stop()
    manager.stop()
    assert time.monotonic() - started < 15
    assert not any(t.is_alive() for t in threads)
    assert manager.state is ManagerState.STOPPED
    assert sandbox.wait_for_no_connections(timeout=5)
    assert manager.wait_live("BTCUSDT", 0.1) is True  # the last state stays readable
    with pytest.raises(RuntimeError):
        manager.start()


def test_stop_from_the_update_callback_returns_promptly(sandbox, um_market):
    rest = UMFutures(base_url=sandbox.um_rest_url)
    returned = threading.Event()
    holder: Dict[str, Any] = {}

    def on_update(symbol: str, book: OrderBook) -> None:
        holder["threads"] = holder["manager"].threads()
        holder["manager"].stop()
        returned.set()

    manager = holder["manager"] = DepthManager(rest, ["BTCUSDT"], stream_url=sandbox.um_stream_url,
                                               on_update=on_update)
    started = time.monotonic()
    manager.start()
    assert returned.wait(15)
    assert time.monotonic() - started < 10
    assert manager.state is ManagerState.STOPPED
    for thread in holder["threads"]:
        thread.join(5)
    assert len(holder["threads"]) >= 2 and not any(t.is_alive() for t in holder["threads"])
    assert sandbox.wait_for_no_connections(timeout=5)


def test_wait_live_times_out_when_the_snapshot_cannot_be_had(sandbox, um_market):
    rest = UMFutures(base_url=sandbox.um_rest_url)
    sandbox.faults.server_error(count=1000, path="/fapi/v1/depth")
    with DepthManager(rest, ["BTCUSDT"], stream_url=sandbox.um_stream_url, retry_delay=0.05) as manager:
        started = time.monotonic()
        assert manager.wait_live("BTCUSDT", 0.5) is False
        assert time.monotonic() - started >= 0.45
        with pytest.raises(BookNotReadyError):
            manager.book("BTCUSDT").best_bid()
    sandbox.faults.clear()


def test_rejects_bad_arguments():
    rest = UMFutures(base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError):
        DepthManager(rest, [])
    with pytest.raises(ValueError):
        DepthManager(rest, ["BTCUSDT"], speed=42)
    manager: Optional[DepthManager] = DepthManager(rest, ["BTCUSDT"])
    assert manager.state is ManagerState.NEW
    manager.stop()
    assert manager.state is ManagerState.STOPPED
