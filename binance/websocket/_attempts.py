"""Connection attempts per host, for the whole process: a pure sliding-window budget and its threaded guard.

Binance counts WebSocket connection attempts per IP (300 per 5 minutes) and bans an IP that goes
past. Whatever a server does (close at once after the handshake, refuse, redirect), every stream
connection and every WebSocket API connection of the process asks
[CONNECTION_GUARD][binance.websocket._attempts.CONNECTION_GUARD] for a turn before it dials a host:
at most `limit` attempts (240 by default: a fifth below Binance's limit) start in any `period`
seconds (300) per `host:port`; an attempt past that waits for the oldest one to leave the window.
Reconnect backoff (see [ReconnectPolicy][binance.websocket._backoff.ReconnectPolicy]) normally
keeps far below this; the guard is the last line when many clients fail together.

[AttemptBudget][binance.websocket._attempts.AttemptBudget] is the pure core (the caller supplies the
time); [ConnectionGuard][binance.websocket._attempts.ConnectionGuard] adds a lock, the waiting and
one warning per host every 30 s while attempts are being held back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Callable, Deque, Dict
from urllib.parse import urlsplit

__all__ = ["AttemptBudget", "ConnectionGuard", "CONNECTION_GUARD", "host_key"]

_LOG = logging.getLogger(__name__)
DEFAULT_LIMIT = 240
DEFAULT_PERIOD = 300.0
_WARN_EVERY = 30.0


class AttemptBudget:
    """At most `limit` attempts per key in any `period` seconds (no clock, no lock, no waiting)."""

    def __init__(self, limit: int = DEFAULT_LIMIT, period: float = DEFAULT_PERIOD) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("limit must be >= 1 and period > 0")
        self.limit = limit
        self.period = period
        self._booked: Dict[str, Deque[float]] = {}

    def reserve(self, key: str, now: float) -> float:
        """Book an attempt for `key`; return how long to wait before making it (0.0: at once).

        A booking is kept even if the caller then gives up waiting, so the budget never overshoots.
        """
        booked = self._booked.setdefault(key, deque())
        while booked and booked[0] <= now - self.period:
            booked.popleft()
        if len(booked) < self.limit:
            booked.append(now)
            return 0.0
        at = booked.popleft() + self.period
        booked.append(at)
        return at - now

    def booked(self, key: str, now: float) -> int:
        """Attempts for `key` made or booked within the `period` before `now` (and after it)."""
        return sum(1 for t in self._booked.get(key, ()) if t > now - self.period)


def host_key(url: str) -> str:
    """`host:port` of a ws:// or wss:// URL (the unit the budget counts per)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme in ("wss", "https") else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


class ConnectionGuard:
    """The threaded use of an [AttemptBudget][binance.websocket._attempts.AttemptBudget], shared by every client."""

    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        period: float = DEFAULT_PERIOD,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._budget = AttemptBudget(limit, period)
        self._clock = clock
        self._warned: Dict[str, float] = {}
        self.delayed = 0

    @property
    def limit(self) -> int:
        """Attempts allowed per host in any `period`."""
        return self._budget.limit

    @property
    def period(self) -> float:
        """The window, in seconds."""
        return self._budget.period

    def configure(self, limit: int = DEFAULT_LIMIT, period: float = DEFAULT_PERIOD) -> None:
        """Set a new limit and window (forgets past attempts): for a process sharing its IP with others."""
        with self._lock:
            self._budget = AttemptBudget(limit, period)
            self._warned.clear()

    def wait_turn(self, url: str, stopping: threading.Event) -> bool:
        """Block until an attempt to `url`'s host may start; False when `stopping` was set meanwhile."""
        key = host_key(url)
        with self._lock:
            now = self._clock()
            wait = self._budget.reserve(key, now)
            if wait > 0:
                self.delayed += 1
                if now - self._warned.get(key, -_WARN_EVERY) >= _WARN_EVERY:
                    self._warned[key] = now
                    _LOG.warning(
                        "%d WebSocket connection attempts to %s within %g s: holding this one back %.1f s"
                        " (Binance bans an IP past 300 per 5 minutes)",
                        self._budget.limit,
                        key,
                        self._budget.period,
                        wait,
                    )
        if wait <= 0:
            return not stopping.is_set()
        return not stopping.wait(wait)


CONNECTION_GUARD = ConnectionGuard()
"""The process-wide guard every stream and WebSocket API connection waits on before it dials."""
