"""The rate-limit guard of one client (REST or WebSocket API): wait or refuse before a request would
pass a limit, and learn from every answer.

The client's seam calls three things:

    sent_ms = guard.before("GET /fapi/v1/depth", weight=5, orders=0)   # waits; an order may raise
    guard.after(response.headers, sent_ms, retry_after=None)           # headers; a 429/418's Retry-After
    guard.observe_rate_limits(reply_rate_limits, sent_ms)              # WebSocket API replies

The counts live in this process (`binance.ratelimit.RateLimitState`) and, with a store URL, in
Redis too (`binance._limit_store`), shared by every process using that store: then the store
decides, and this process's own counts are only the fallback for while Redis is unreachable.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple

from binance.ratelimit import (
    DEFAULT_FUTURES_LIMITS,
    RateLimit,
    RateLimitGuardError,
    RateLimitState,
    RateLimitUsage,
    parse_rate_limits,
    parse_usage_headers,
    same_window,
)

logger = logging.getLogger(__name__)

__all__ = ["RateGuard"]

MARGIN = 0.1
"""Waits end this long after the window resets by our estimate of the server clock, which may be a
few ms early: without it the first request of the new window can still land in the old one."""
EDGE_MS = 250
"""With a shared store, a request counted this close to the end of a window is counted in the next
window too: it may reach the server after the window changed."""

_KINDS = ("REQUEST_WEIGHT", "ORDERS")
Key = Tuple[str, str, int]


class RateGuard:
    """The limits one client knows and, optionally, the shared store it counts into. Thread-safe.

    `market` ("um", "cm") and `scope` name the shared weight budget (one scope per public IP);
    orders are shared per account (`api_key`, hashed). `clock` returns server time in ms."""

    def __init__(
        self,
        market: str,
        clock: Callable[[], int],
        store_url: Optional[str] = None,
        scope: Optional[str] = None,
        api_key: Optional[str] = None,
    ) -> None:
        self.state = RateLimitState(DEFAULT_FUTURES_LIMITS)
        self._lock = threading.Lock()
        self._clock = clock
        self._store: Any = None
        if store_url is not None:
            from binance._limit_store import KEY_PREFIX, account_id, open_store

            self._store = open_store(store_url)
            self._seen_recoveries = self._store.recoveries
            self._prefixes = {
                "REQUEST_WEIGHT": f"{KEY_PREFIX}:ip:{'default' if scope is None else scope}:{market}",
                "ORDERS": f"{KEY_PREFIX}:account:{account_id(api_key)}:{market}",
            }
            self._block_key = self._prefixes["REQUEST_WEIGHT"] + ":retry-after"

    @property
    def shared(self) -> bool:
        """True when counts go to a shared store (reachable or not)."""
        return self._store is not None

    def set_limits(self, limits: Iterable[RateLimit]) -> None:
        """Replace the known limits (from `exchangeInfo`)."""
        with self._lock:
            self.state.set_limits(limits)

    def snapshot(self) -> List[RateLimitUsage]:
        """This process's view of every limit now (its own counts, raised by the server's reports)."""
        with self._lock:
            return self.state.snapshot(self._clock())

    def before(self, label: str, weight: int, orders: int = 0) -> int:
        """Wait until a request of `weight` placing `orders` orders fits every limit, then count
        it and return the server time (ms) it was counted at. An order that does not fit (or any
        order during a Retry-After block) raises `RateLimitGuardError` at once instead."""
        while True:
            now = self._clock()
            delay = self._shared_delay(label, weight, orders, now) if self._store is not None else None
            with self._lock:
                if delay is None:
                    if orders:
                        self._check_order(now, orders)
                    delay = self.state.wait_before(weight, now, orders)
                if delay <= 0:
                    self.state.note_request(weight, now, orders)
                    return now
            delay += MARGIN
            logger.info("rate-limit guard: waiting %.3fs before %s", delay, label)
            time.sleep(delay)

    def _check_order(self, now: int, orders: int) -> None:
        try:
            self.state.check_order(now, orders)
        except RateLimitGuardError as exc:  # safe to retry after the window ends by the server's clock too
            raise RateLimitGuardError(exc.retry_after + MARGIN, exc.usage, exc.requested) from None

    def after(
        self, headers: Optional[Mapping[str, Any]], sent_ms: Optional[int], retry_after: Optional[float] = None
    ) -> None:
        """Learn from a REST answer: its usage headers and, for a 429/418, its `Retry-After` in seconds
        (every request waits, and every order fails, until it passes)."""
        now = self._clock()
        retry = retry_after
        with self._lock:
            self.state.observe_headers(headers, now, sent_ms)
            if retry is not None:
                self.state.note_retry_after(retry, now)
        if self._store is not None:
            self._share(parse_usage_headers(headers), now, sent_ms)
            if retry:
                self._store.block(self._block_key, int(retry * 1000))

    def observe_rate_limits(
        self, entries: Optional[Iterable[Mapping[str, Any]]], sent_ms: Optional[int], status: int = 200,
        retry_after_ms: Optional[int] = None,
    ) -> None:
        """Learn from a WebSocket API reply: its `rateLimits` list and, for a 429/418, the
        `retryAfter` time (server ms) from the error data."""
        now = self._clock()
        entries = [entry for entry in (entries if isinstance(entries, list) else ()) if _readable(entry)]
        retry = None
        if status in (418, 429) and isinstance(retry_after_ms, (int, float)):
            retry = max(0.0, (retry_after_ms - now) / 1000.0)
        with self._lock:
            self.state.observe_rate_limits(entries, now, sent_ms)
            if retry is not None:
                self.state.note_retry_after(retry, now)
        if self._store is not None:
            usage = {}
            for entry in entries:
                limit = parse_rate_limits([entry])
                if limit and "count" in entry:
                    usage[limit[0].key] = int(entry["count"])
            self._share(usage, now, sent_ms)
            if retry:
                self._store.block(self._block_key, int(retry * 1000))

    # ---------------------------------------------------------------- shared store
    def _shared_delay(self, label: str, weight: int, orders: int, now: int) -> Optional[float]:
        """The store's answer in seconds (0: counted), None while the store is unreachable."""
        from binance._limit_store import UNAVAILABLE, Counter

        store = self._store
        if not store.usable():
            return None
        if store.recoveries != self._seen_recoveries:  # back after an outage: our counts first
            self._seen_recoveries = store.recoveries
            self._push_own_counts(now)
        with self._lock:
            limits = self.state.limits
        counters: List[Counter] = []
        charged: List[RateLimit] = []
        for limit in limits:
            count = weight if limit.kind == "REQUEST_WEIGHT" else orders if limit.kind == "ORDERS" else 0
            if count <= 0:
                continue
            window = limit.window_ms
            wait = window - now % window
            windows = [(now - now % window, wait)]
            if wait < EDGE_MS:
                windows.append((now - now % window + window, wait + window))
            for start, wait_ms in windows:
                counters.append(Counter(self._key(limit.key, start), count, limit.limit, wait_ms + window, wait_ms))
                charged.append(limit)
        answer = store.reserve(self._block_key, counters)
        if answer is UNAVAILABLE:
            return None
        wait_ms, index, used = answer
        if wait_ms <= 0:
            return 0.0
        if index == 0:
            if orders:
                raise RateLimitGuardError(wait_ms / 1000.0 + MARGIN, None, orders)
            return wait_ms / 1000.0
        limit = charged[index - 1]
        if limit.kind == "ORDERS":
            usage = RateLimitUsage(limit.kind, limit.interval, limit.interval_num, limit.limit, used,
                                   limit.window_ms, wait_ms)
            raise RateLimitGuardError(wait_ms / 1000.0 + MARGIN, usage, orders)
        logger.debug("rate-limit store: %s waits %dms for %s", label, wait_ms, limit.key)
        return wait_ms / 1000.0

    def _key(self, key: Key, window_start: int) -> str:
        return f"{self._prefixes[key[0]]}:{key[2]}{key[1][0]}:{window_start}"

    def _share(self, usage: Dict[Key, int], now: int, sent_ms: Optional[int]) -> None:
        values = {}
        for key, count in usage.items():
            if key[0] in _KINDS and same_window(key, sent_ms, now):
                window = RateLimit(key[0], key[1], key[2], 0).window_ms
                values[self._key(key, now - now % window)] = (count, 2 * window - now % window)
        self._store.observe(values)

    def _push_own_counts(self, now: int) -> None:
        """After an outage, raise the store's counts to what this process saw meanwhile."""
        usage = {(u.kind, u.interval, u.interval_num): u.used for u in self.snapshot() if u.used}
        self._share(usage, now, None)


def _readable(entry: Any) -> bool:
    """True for a `rateLimits` entry with a known interval and numeric limit and count."""
    try:
        return bool(parse_rate_limits([entry])) and int(entry.get("count", 0)) >= 0
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
