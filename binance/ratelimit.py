"""Rate-limit accounting (pure: the caller passes the clock in).

Binance reports usage in response headers (`X-MBX-USED-WEIGHT-1M`, `X-MBX-ORDER-COUNT-10S`,
`X-MBX-ORDER-COUNT-1M` ...) and publishes the limits in `exchangeInfo["rateLimits"]`. A
[RateLimitState][binance.ratelimit.RateLimitState] combines both:

    state = RateLimitState.from_exchange_info(info)
    delay = state.wait_before(weight=5, now_ms=server_now)   # seconds to sleep first (0: go)
    state.note_request(5, server_now, orders=0)               # counted before the answer arrives
    state.observe_headers(response.headers, server_now)       # the server's count wins
    state.snapshot(server_now)                                # used / limit / window for each

Windows are fixed and aligned on multiples of their length in server time (a 1-minute window
resets at every whole minute), so pass `now_ms` as server time (local time plus the offset from
[timesync][binance.timesync]). Usage read in an earlier window counts as 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from binance.error import Error

__all__ = [
    "RateLimit",
    "RateLimitGuardError",
    "RateLimitState",
    "RateLimitUsage",
    "parse_rate_limits",
    "parse_usage_headers",
    "request_cost",
    "same_window",
    "DEFAULT_FUTURES_LIMITS",
]

_INTERVAL_MS = {"SECOND": 1_000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}
_LETTER_TO_INTERVAL = {"S": "SECOND", "M": "MINUTE", "H": "HOUR", "D": "DAY"}
_HEADER_KINDS = {"USED-WEIGHT": "REQUEST_WEIGHT", "ORDER-COUNT": "ORDERS"}
_HEADER_RE = re.compile(r"^x-mbx-(used-weight|order-count)-(\d+)([smhd])$", re.IGNORECASE)

Key = Tuple[str, str, int]


class RateLimitGuardError(Error):
    """Sending now would pass a rate limit, so the request was NOT sent. Sending it after
    `retry_after` seconds is safe. `usage` is the [RateLimitUsage][binance.ratelimit.RateLimitUsage] that would be
    passed
    (None when an HTTP 429/418 `Retry-After` block is what stops it)."""

    def __init__(self, retry_after: float, usage: Optional["RateLimitUsage"], requested: int) -> None:
        super().__init__(retry_after, usage, requested)
        self.retry_after = retry_after
        self.usage = usage
        self.requested = requested

    def __str__(self) -> str:
        u = self.usage
        if u is None:
            return f"requests are blocked by Retry-After; retry after {self.retry_after:.3f}s (not sent)"
        return (
            f"{u.kind} limit {u.limit} per {u.interval_num} {u.interval.lower()}: {u.used} used, "
            f"{self.requested} more would pass it; retry after {self.retry_after:.3f}s (not sent)"
        )


@dataclass(frozen=True)
class RateLimit:
    """One entry of `exchangeInfo["rateLimits"]`."""

    kind: str
    """`REQUEST_WEIGHT`, `ORDERS` or `RAW_REQUESTS` (Binance's `rateLimitType`)."""
    interval: str
    interval_num: int
    limit: int

    @property
    def key(self) -> Key:
        """`(kind, interval, interval_num)`: identifies the window."""
        return (self.kind, self.interval, self.interval_num)

    @property
    def window_ms(self) -> int:
        """The window's length in milliseconds."""
        return _INTERVAL_MS[self.interval] * self.interval_num

    @property
    def header(self) -> Optional[str]:
        """The response header reporting this limit's usage, if Binance sends one."""
        prefix = {"REQUEST_WEIGHT": "X-MBX-USED-WEIGHT-", "ORDERS": "X-MBX-ORDER-COUNT-"}.get(self.kind)
        return f"{prefix}{self.interval_num}{self.interval[0]}" if prefix else None


@dataclass(frozen=True)
class RateLimitUsage:
    """How much of one limit is used in the current window."""

    kind: str
    interval: str
    interval_num: int
    limit: Optional[int]
    """None when the header was seen but `exchangeInfo` did not list the limit."""
    used: int
    window_ms: int
    resets_in_ms: int
    """Milliseconds until the current window ends and `used` drops to 0."""

    @property
    def remaining(self) -> Optional[int]:
        """`limit - used` (never negative), or None if the limit is unknown."""
        return None if self.limit is None else max(0, self.limit - self.used)

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-friendly dict of the fields."""
        return {
            "rateLimitType": self.kind,
            "interval": self.interval,
            "intervalNum": self.interval_num,
            "limit": self.limit,
            "used": self.used,
            "windowMs": self.window_ms,
            "resetsInMs": self.resets_in_ms,
        }


def parse_rate_limits(info: Any) -> List[RateLimit]:
    """The limits from an `exchangeInfo` dict, or from its `rateLimits` list directly."""
    entries = info.get("rateLimits", ()) if isinstance(info, Mapping) else info
    limits = []
    for entry in entries:
        interval = str(entry["interval"]).upper()
        if interval not in _INTERVAL_MS:
            continue
        limits.append(RateLimit(str(entry["rateLimitType"]).upper(), interval, int(entry["intervalNum"]),
                                int(entry["limit"])))
    return limits


def parse_usage_headers(headers: Optional[Mapping[str, Any]]) -> Dict[Key, int]:
    """Usage counts from response headers, keyed by `(kind, interval, interval_num)`:
    `X-MBX-USED-WEIGHT-1M: 42` gives `{("REQUEST_WEIGHT", "MINUTE", 1): 42}`. Header names are
    matched case-insensitively; unparsable values are skipped."""
    usage: Dict[Key, int] = {}
    for name, value in (headers or {}).items():
        match = _HEADER_RE.match(str(name))
        if not match:
            continue
        try:
            count = int(str(value).strip())
        except ValueError:
            continue
        kind = _HEADER_KINDS[match.group(1).upper()]
        usage[(kind, _LETTER_TO_INTERVAL[match.group(3).upper()], int(match.group(2)))] = count
    return usage


def _window_ms(key: Key) -> int:
    return _INTERVAL_MS[key[1]] * key[2]


def same_window(key: Key, sent_ms: Optional[int], now_ms: int) -> bool:
    """True when `sent_ms` (None: unknown, taken as now) and `now_ms` fall in one window of `key`."""
    window = _window_ms(key)
    return sent_ms is None or sent_ms // window == now_ms // window


class RateLimitState:
    """The known limits and the latest usage seen, per window. Pure: every method takes the
    current (server) time in milliseconds. Not thread-safe: the caller holds a lock."""

    def __init__(self, limits: Iterable[RateLimit] = ()) -> None:
        """`limits` usually come from [from_exchange_info][binance.ratelimit.RateLimitState.from_exchange_info]."""
        self._limits: Dict[Key, RateLimit] = {}
        self._used: Dict[Key, Tuple[int, int]] = {}  # key -> (window start ms, used)
        self._blocked_until_ms = 0
        self.set_limits(limits)

    @classmethod
    def from_exchange_info(cls, info: Mapping[str, Any]) -> "RateLimitState":
        """A state knowing the limits listed in `exchangeInfo["rateLimits"]`."""
        return cls(parse_rate_limits(info))

    def set_limits(self, limits: Iterable[RateLimit]) -> None:
        """Replace the known limits (e.g. after `exchangeInfo` was fetched again)."""
        self._limits = {limit.key: limit for limit in limits}

    @property
    def limits(self) -> List[RateLimit]:
        """The known limits."""
        return list(self._limits.values())

    def _current(self, key: Key, now_ms: int) -> int:
        start, used = self._used.get(key, (None, 0))
        return used if start == now_ms - now_ms % _window_ms(key) else 0

    def _add(self, key: Key, count: int, now_ms: int, replace: bool) -> None:
        start = now_ms - now_ms % _window_ms(key)
        current = self._current(key, now_ms)
        self._used[key] = (start, max(current, count) if replace else current + count)

    def observe_headers(self, headers: Optional[Mapping[str, Any]], now_ms: int, sent_ms: Optional[int] = None) -> None:
        """Record the usage reported by a response's headers. Within one window the larger of the
        reported and the locally counted value is kept (answers may arrive out of order). With
        `sent_ms` (when the request was sent), a count is skipped when a window ended in between:
        the server may have counted it in either window."""
        for key, count in parse_usage_headers(headers).items():
            if same_window(key, sent_ms, now_ms):
                self._add(key, count, now_ms, replace=True)

    def observe_rate_limits(
        self, entries: Iterable[Mapping[str, Any]], now_ms: int, sent_ms: Optional[int] = None
    ) -> None:
        """Record usage from a WebSocket API answer's `rateLimits` list (entries with `count`);
        the limit each entry states replaces the known one. `sent_ms` as in `observe_headers`."""
        for entry in entries:
            limit = parse_rate_limits([entry])
            if limit and "count" in entry:
                self._limits[limit[0].key] = limit[0]
                if same_window(limit[0].key, sent_ms, now_ms):
                    self._add(limit[0].key, int(entry["count"]), now_ms, replace=True)

    def note_request(self, weight: int, now_ms: int, orders: int = 0) -> None:
        """Count a request about to be sent (`weight`; `orders` new orders) before its
        answer's headers arrive."""
        for key in self._keys("REQUEST_WEIGHT"):
            self._add(key, weight, now_ms, replace=False)
        if orders:
            for key in self._keys("ORDERS"):
                self._add(key, orders, now_ms, replace=False)

    def note_retry_after(self, seconds: float, now_ms: int) -> None:
        """Block every request until `now_ms + seconds` (after an HTTP 429/418 `Retry-After`)."""
        self._blocked_until_ms = max(self._blocked_until_ms, now_ms + int(seconds * 1000))

    def _keys(self, kind: str) -> List[Key]:
        keys = {k for k in self._limits if k[0] == kind}
        keys.update(k for k in self._used if k[0] == kind)
        return sorted(keys)

    def usage(self, key: Key, now_ms: int) -> RateLimitUsage:
        """The usage of one window, by `(kind, interval, interval_num)`."""
        window = _window_ms(key)
        limit = self._limits.get(key)
        return RateLimitUsage(key[0], key[1], key[2], limit.limit if limit else None, self._current(key, now_ms),
                              window, window - now_ms % window)

    def snapshot(self, now_ms: int) -> List[RateLimitUsage]:
        """Used, limit and window of every known limit and every header seen, at `now_ms`."""
        keys = set(self._limits) | set(self._used)
        return [self.usage(key, now_ms) for key in sorted(keys)]

    def _first_exceeded(self, kind: str, count: int, now_ms: int) -> Optional[RateLimitUsage]:
        worst: Optional[RateLimitUsage] = None
        for key in self._keys(kind):
            usage = self.usage(key, now_ms)
            if usage.limit is not None and usage.used + count > usage.limit:
                if worst is None or usage.resets_in_ms > worst.resets_in_ms:
                    worst = usage
        return worst

    def wait_before(self, weight: int, now_ms: int, orders: int = 0) -> float:
        """Seconds to wait before sending a request of `weight` (placing `orders` new orders)
        so that no known limit is passed; 0.0 means send now. After waiting, call again: other
        requests may have used the room meanwhile."""
        delay_ms = max(0, self._blocked_until_ms - now_ms)
        for kind, count in (("REQUEST_WEIGHT", weight), ("ORDERS", orders)):
            if count:
                usage = self._first_exceeded(kind, count, now_ms)
                if usage is not None:
                    delay_ms = max(delay_ms, usage.resets_in_ms)
        return delay_ms / 1000.0

    def check_order(self, now_ms: int, orders: int = 1) -> None:
        """Raise [RateLimitGuardError][binance.ratelimit.RateLimitGuardError] (with `retry_after`) if `orders` more
        orders now
        would pass an order-count limit, or a `Retry-After` block is in force."""
        usage = self._first_exceeded("ORDERS", orders, now_ms)
        blocked = max(0, self._blocked_until_ms - now_ms)
        if usage is not None:
            raise RateLimitGuardError(max(usage.resets_in_ms, blocked) / 1000.0, usage, orders)
        if blocked:
            raise RateLimitGuardError(blocked / 1000.0, None, orders)


DEFAULT_FUTURES_LIMITS = (
    RateLimit("REQUEST_WEIGHT", "MINUTE", 1, 2400),
    RateLimit("ORDERS", "MINUTE", 1, 1200),
    RateLimit("ORDERS", "SECOND", 10, 300),
)
"""Binance futures' published defaults, used until `exchangeInfo` says otherwise."""


def request_cost(http_method: str, path: str, params: Mapping[str, Any]) -> Tuple[int, int]:
    """`(request weight, orders placed)` of one REST request, from the spec's weight rules."""
    from binance._weights import RULES

    rule = RULES.get(f"{http_method} {path}")
    if rule is None:
        return 1, 0
    kind = rule[0]
    if kind == "flat":
        return rule[1], 0
    if kind == "order":
        batch = params.get("batchOrders")
        orders = len(batch) if isinstance(batch, (list, tuple)) else rule[2]
        return rule[1], orders
    if kind == "symbol":
        return (rule[1] if params.get("symbol") else rule[2]), 0
    limit = int(params.get("limit") or 500)
    for upper, weight in rule[1]:
        if upper is None or limit < upper:
            return weight, 0
    return rule[1][-1][1], 0
