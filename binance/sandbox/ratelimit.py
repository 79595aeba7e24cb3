"""Request-weight and order-count limits, counted the way Binance counts them.

Pure core: the clock (ms) is passed in, nothing sleeps. Windows are fixed and aligned to the clock
(a minute window resets at the minute boundary, as `X-MBX-USED-WEIGHT-1M` does).

* weight per IP per minute: past the limit a request is answered 429 (-1003) with `Retry-After`
  (seconds to the end of the window); after `ban_after` such answers in one window the IP is
  banned for `ban_seconds` and every request gets 418 (-1003) with `Retry-After`;
* orders per account per 10 s and per minute: past either limit 429 (-1015);
* WebSocket connection attempts per IP per 5 minutes (default 300, `None` for no limit): past the
  limit the handshake is answered 429 (-1003) with `Retry-After`.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Tuple

__all__ = ["RateLimits", "RateLimiter", "RateLimitExceeded"]

MINUTE_MS = 60_000
TEN_SECONDS_MS = 10_000
FIVE_MINUTES_MS = 300_000


@dataclass
class RateLimits:
    """The configurable limits (Binance's UM defaults)."""

    weight_per_minute: int = 2400
    orders_per_10s: int = 300
    orders_per_minute: int = 1200
    ban_after: int = 5
    ban_seconds: float = 120.0
    connection_attempts_per_5m: Optional[int] = 300


class RateLimitExceeded(Exception):
    """A request refused by a limit: `status` 429 or 418, Binance `code` and `msg`,
    `retry_after` in whole seconds."""

    def __init__(self, status: int, code: int, msg: str, retry_after: int, used_weight: int = 0) -> None:
        super().__init__(status, code, msg)
        self.status = status
        self.code = code
        self.msg = msg
        self.retry_after = retry_after
        self.used_weight = used_weight


@dataclass
class _Window:
    index: int = -1
    used: int = 0
    strikes: int = 0


@dataclass
class _OrderWindows:
    short: _Window = field(default_factory=_Window)
    long: _Window = field(default_factory=_Window)


class RateLimiter:
    """Counts weight per IP and orders per account; thread-safe."""

    def __init__(self, clock: Callable[[], int], limits: Optional[RateLimits] = None) -> None:
        self.limits = limits or RateLimits()
        self._clock = clock
        self._weights: Dict[str, _Window] = {}
        self._bans: Dict[str, int] = {}
        self._orders: Dict[str, _OrderWindows] = {}
        self._connections: Dict[str, _Window] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget every counter and ban."""
        with self._lock:
            self._weights.clear()
            self._bans.clear()
            self._orders.clear()
            self._connections.clear()

    def add_connection(self, ip: str) -> int:
        """Count one WebSocket connection attempt from `ip`; return the attempts in the current
        5-minute window, or raise RateLimitExceeded 429 -1003 past `connection_attempts_per_5m`."""
        limit = self.limits.connection_attempts_per_5m
        now = self._clock()
        with self._lock:
            window = self._connections.setdefault(ip, _Window())
            index = now // FIVE_MINUTES_MS
            if window.index != index:
                window.index, window.used = index, 0
            window.used += 1
            if not limit or window.used <= limit:
                return window.used
            retry = max(1, math.ceil(((index + 1) * FIVE_MINUTES_MS - now) / 1000))
            raise RateLimitExceeded(
                429, -1003, f"Too many connection attempts; current limit is {limit} per 5 minutes.", retry
            )

    def used_weight(self, ip: str) -> int:
        """Weight used by `ip` in the current minute."""
        with self._lock:
            window = self._weights.get(ip)
            now = self._clock()
            return window.used if window and window.index == now // MINUTE_MS else 0

    def add_weight(self, ip: str, weight: int) -> int:
        """Count `weight` for `ip`; return the weight used this minute, or raise
        RateLimitExceeded (429, or 418 while banned)."""
        now = self._clock()
        with self._lock:
            ban_until = self._bans.get(ip)
            if ban_until is not None and now < ban_until:
                raise self._banned(ban_until, now)
            if ban_until is not None:
                del self._bans[ip]
            window = self._weights.setdefault(ip, _Window())
            index = now // MINUTE_MS
            if window.index != index:
                window.index, window.used, window.strikes = index, 0, 0
            window.used += max(0, int(weight))
            if window.used <= self.limits.weight_per_minute:
                return window.used
            window.strikes += 1
            if window.strikes > self.limits.ban_after:
                until = now + int(self.limits.ban_seconds * 1000)
                self._bans[ip] = until
                raise self._banned(until, now, window.used)
            retry = max(1, math.ceil(((index + 1) * MINUTE_MS - now) / 1000))
            raise RateLimitExceeded(
                429,
                -1003,
                f"Too many requests; current limit is {self.limits.weight_per_minute} requests per minute. "
                "Please use the websocket for live updates to avoid polling the API.",
                retry,
                window.used,
            )

    def _banned(self, until: int, now: int, used: int = 0) -> RateLimitExceeded:
        return RateLimitExceeded(
            418,
            -1003,
            f"Way too many requests; IP banned until {until}. "
            "Please use the websocket for live updates to avoid bans.",
            max(1, math.ceil((until - now) / 1000)),
            used,
        )

    def ban(self, ip: str, seconds: float) -> None:
        """Ban `ip` now for `seconds` (as if it had ignored 429s)."""
        with self._lock:
            self._bans[ip] = self._clock() + int(seconds * 1000)

    def add_order(self, account: str, count: int = 1) -> Tuple[int, int]:
        """Count `count` orders for `account`; return (orders in 10 s, orders in 1 min) or
        raise RateLimitExceeded 429 -1015."""
        now = self._clock()
        with self._lock:
            windows = self._orders.setdefault(account, _OrderWindows())
            for window, size in ((windows.short, TEN_SECONDS_MS), (windows.long, MINUTE_MS)):
                if window.index != now // size:
                    window.index, window.used = now // size, 0
                window.used += count
            for window, size, limit, label in (
                (windows.short, TEN_SECONDS_MS, self.limits.orders_per_10s, "10 seconds"),
                (windows.long, MINUTE_MS, self.limits.orders_per_minute, "1 minute"),
            ):
                if window.used > limit:
                    retry = max(1, math.ceil(((window.index + 1) * size - now) / 1000))
                    raise RateLimitExceeded(
                        429, -1015, f"Too many new orders; current limit is {limit} orders per {label}.", retry
                    )
            return windows.short.used, windows.long.used

    def order_counts(self, account: str) -> Tuple[int, int]:
        """Orders counted for `account` in the current 10 s and minute windows."""
        now = self._clock()
        with self._lock:
            windows = self._orders.get(account)
            if windows is None:
                return 0, 0
            short = windows.short.used if windows.short.index == now // TEN_SECONDS_MS else 0
            long = windows.long.used if windows.long.index == now // MINUTE_MS else 0
            return short, long
