"""A rate-limit budget shared by many processes and machines, kept in Redis.

Every client given the same `rate_limit_store` URL counts into the same Redis keys: request
weight per IP scope (`rate_limit_scope`: one scope per public IP), orders per account (the API
key, hashed: the key itself is never stored), and one Retry-After block per IP scope. Three Lua
scripts do the work atomically on the server, so no two processes can both take the last unit:

* `RESERVE`: fail with the wait (ms) when a Retry-After block is in force or any counter would pass
  its limit, else add the request's weight / order count to every counter of its windows;
* `OBSERVE`: raise counters to what the server reported in its headers (never lower them);
* `BLOCK`: block the scope for a 429/418 `Retry-After`.

When Redis cannot be reached the store says so (returns `UNAVAILABLE`) after at most the short
socket timeouts; it logs one warning, then tries again every `RETRY_INTERVAL` seconds (one thread
at a time), and logs once more when Redis answers again. The `redis` package is an optional extra,
imported only here and only when a store URL is given.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Type
from urllib.parse import urlsplit

from binance.error import ParameterArgumentError

logger = logging.getLogger(__name__)

__all__ = ["LimitStore", "Counter", "UNAVAILABLE", "open_store", "account_id"]

RETRY_INTERVAL = 5.0
"""Seconds between attempts to reach a store that was unreachable."""
SOCKET_TIMEOUT = 0.5
"""Seconds one Redis connect or command may take before the store counts as unreachable."""
KEY_PREFIX = "binance-futures:limits"
SCHEMES = ("redis", "rediss", "unix")

UNAVAILABLE: Any = object()
"""Returned instead of an answer while the store is unreachable: use the in-process guard."""

RESERVE = """
local blocked = redis.call('PTTL', KEYS[1])
if blocked > 0 then return {0, blocked, 0, 0} end
local worst, worst_i, worst_used = -1, 0, 0
for i = 2, #KEYS do
  local b = (i - 2) * 4
  local count = tonumber(ARGV[b + 1])
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count > 0 and used + count > tonumber(ARGV[b + 2]) and tonumber(ARGV[b + 4]) > worst then
    worst, worst_i, worst_used = tonumber(ARGV[b + 4]), i - 1, used
  end
end
if worst_i > 0 then return {0, worst, worst_i, worst_used} end
for i = 2, #KEYS do
  local b = (i - 2) * 4
  local count = tonumber(ARGV[b + 1])
  if count > 0 then
    redis.call('INCRBY', KEYS[i], count)
    redis.call('PEXPIRE', KEYS[i], ARGV[b + 3])
  end
end
return {1, 0, 0, 0}
"""

OBSERVE = """
for i = 1, #KEYS do
  local reported = tonumber(ARGV[2 * i - 1])
  if reported > tonumber(redis.call('GET', KEYS[i]) or '0') then
    redis.call('SET', KEYS[i], reported, 'PX', ARGV[2 * i])
  end
end
return 1
"""

BLOCK = """
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
return 1
"""


class Counter:
    """One counter a request is charged to: its Redis key, the amount, the limit, the key's time to
    live and the wait (ms) until its window ends."""

    __slots__ = ("key", "count", "limit", "ttl_ms", "wait_ms")

    def __init__(self, key: str, count: int, limit: int, ttl_ms: int, wait_ms: int) -> None:
        self.key, self.count, self.limit, self.ttl_ms, self.wait_ms = key, count, limit, ttl_ms, wait_ms


def account_id(api_key: Optional[str]) -> str:
    """The account part of the order-count keys: a SHA-256 of the API key (never the key itself)."""
    return hashlib.sha256((api_key or "").encode()).hexdigest()[:32] if api_key else "anonymous"


def describe(url: str) -> str:
    """The store URL without user name or password, fit for logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def check_url(url: Any) -> str:
    """`url` if it is a Redis URL; else a ParameterArgumentError."""
    if not isinstance(url, str) or urlsplit(url).scheme not in SCHEMES:
        raise ParameterArgumentError(
            "rate_limit_store must be a Redis URL such as 'redis://localhost:6379/0' "
            f"(schemes: {', '.join(SCHEMES)}), got {describe(url) if isinstance(url, str) else type(url).__name__}"
        )
    return url


class LimitStore:
    """One Redis server's view of the shared limits, with its availability; one per URL and process
    (see `open_store`), thread-safe."""

    def __init__(
        self, url: str, retry_interval: float = RETRY_INTERVAL, socket_timeout: float = SOCKET_TIMEOUT
    ) -> None:
        """Prepare the connection pool and scripts (no connection is made yet)."""
        redis = _import_redis()
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.name = describe(url)
        self.retry_interval = retry_interval
        self._errors: Tuple[Type[BaseException], ...] = (redis.exceptions.RedisError, OSError)
        self._redis = redis.Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            retry=Retry(NoBackoff(), 0),
            retry_on_timeout=False,
        )
        self._reserve = self._redis.register_script(RESERVE)
        self._observe = self._redis.register_script(OBSERVE)
        self._block = self._redis.register_script(BLOCK)
        self._lock = threading.Lock()
        self._down_until: Optional[float] = None
        self.recoveries = 0
        """How many times Redis answered again after being unreachable (clients then push their counts)."""

    @property
    def available(self) -> bool:
        """False from a failed call until Redis answers again."""
        return self._down_until is None

    def reserve(self, block_key: str, counters: Sequence[Counter]) -> Any:
        """Charge every counter atomically if none would pass its limit and no block is in force.

        Returns `(0, 0, 0)` when charged, `(wait_ms, index, used)` when refused (`index` is the
        1-based position of the counter that would pass its limit, 0 for a Retry-After block), or
        `UNAVAILABLE`."""
        keys = [block_key] + [c.key for c in counters]
        args: List[Any] = []
        for c in counters:
            args += [c.count, c.limit, c.ttl_ms, c.wait_ms]
        answer = self._run(lambda: self._reserve(keys=keys, args=args))
        if answer is UNAVAILABLE:
            return answer
        return (0, 0, 0) if int(answer[0]) == 1 else (int(answer[1]), int(answer[2]), int(answer[3]))

    def observe(self, values: Dict[str, Tuple[int, int]]) -> Any:
        """Raise each counter (key -> (reported value, ttl ms)) to the server's reported value."""
        if not values:
            return None
        keys = list(values)
        args = [x for key in keys for x in values[key]]
        return self._run(lambda: self._observe(keys=keys, args=args))

    def block(self, block_key: str, ms: int) -> Any:
        """Refuse every reservation in this scope for `ms` milliseconds (a 429/418 Retry-After)."""
        return self._run(lambda: self._block(keys=[block_key], args=[max(1, int(ms))]))

    def usable(self) -> bool:
        """True when the last call worked; while Redis is unreachable False, except that once every
        `RETRY_INTERVAL` one caller tries a PING, and on success the store is usable again
        (`recoveries` grows by one, so clients can push their counts before they reserve)."""
        with self._lock:
            if self._down_until is None:
                return True
            if time.monotonic() < self._down_until:
                return False
            self._down_until = time.monotonic() + self.retry_interval  # this caller probes; others wait
        try:
            self._redis.ping()
        except self._errors:
            return False
        with self._lock:
            recovered, self._down_until = self._down_until is not None, None
            if recovered:
                self.recoveries += 1
        if recovered:
            logger.warning("rate-limit store %s reachable again: sharing the budget again", self.name)
        return True

    def _run(self, call: Callable[[], Any]) -> Any:
        if not self.usable():
            return UNAVAILABLE
        try:
            return call()
        except self._errors as exc:
            with self._lock:
                first = self._down_until is None
                self._down_until = time.monotonic() + self.retry_interval
            if first:
                logger.warning(
                    "rate-limit store %s unreachable (%s: %s): using this process's own guard; "
                    "trying the store again every %.0fs", self.name, type(exc).__name__, exc, self.retry_interval,
                )
            return UNAVAILABLE

    def close(self) -> None:
        """Close the connection pool."""
        self._redis.close()


_STORES: Dict[str, LimitStore] = {}
_STORES_LOCK = threading.Lock()


def open_store(url: str) -> LimitStore:
    """The process's `LimitStore` for `url` (made on first use; clients with the same URL share
    one connection pool and one warning per outage)."""
    check_url(url)
    with _STORES_LOCK:
        store = _STORES.get(url)
        if store is None:
            store = _STORES[url] = LimitStore(url)
        return store


def _import_redis() -> Any:
    try:
        import redis
    except ImportError as exc:
        raise ImportError(
            "rate_limit_store needs the 'redis' package: pip install 'binance-futures-connector[redis]'"
        ) from exc
    return redis
