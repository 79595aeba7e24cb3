"""Routing replies to waiting callers by request id (thread-safe, no I/O).

Each connection owns one `PendingRequests`. A caller registers its id *before* sending,
then waits; the reader thread resolves the id when the reply arrives. When the connection breaks
the registry is closed: every waiter is woken at once with the given error, and registering on a
closed registry raises `RegistryClosed` (the request was never sent, so it may go elsewhere).
"""

from __future__ import annotations

import threading
from typing import Callable, Dict, Hashable, Optional

from binance.websocket.api._protocol import Reply

__all__ = ["PendingRequests", "Waiter", "RegistryClosed"]


class RegistryClosed(Exception):
    """The connection is gone; the request was not registered (and must not be sent on it)."""


class Waiter:
    """One caller waiting for the reply to one request id."""

    __slots__ = ("request_id", "_event", "reply", "error")

    def __init__(self, request_id: Hashable) -> None:
        self.request_id = request_id
        self._event = threading.Event()
        self.reply: Optional[Reply] = None
        self.error: Optional[BaseException] = None

    def _settle(self, reply: Optional[Reply] = None, error: Optional[BaseException] = None) -> None:
        self.reply, self.error = reply, error
        self._event.set()

    def wait(self, timeout: Optional[float]) -> bool:
        """Block until settled or `timeout` seconds; True when settled (then `reply` or `error` is set)."""
        return self._event.wait(timeout)


class PendingRequests:
    """The in-flight requests of one connection, keyed by request id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: Dict[Hashable, Waiter] = {}
        self._closed = False
        self._idle = threading.Event()
        self._idle.set()

    def add(self, request_id: Hashable) -> Waiter:
        """Register `request_id`; raises RegistryClosed after [close][binance.api.API.close], ValueError if the id is in
        use."""
        waiter = Waiter(request_id)
        with self._lock:
            if self._closed:
                raise RegistryClosed()
            if request_id in self._waiters:
                raise ValueError(f"request id {request_id!r} is already in flight")
            self._waiters[request_id] = waiter
            self._idle.clear()
        return waiter

    def resolve(self, reply: Reply) -> bool:
        """Hand `reply` to the caller waiting for its id; False when nobody waits (late or unknown id)."""
        with self._lock:
            waiter = self._waiters.pop(reply.id, None)
            if not self._waiters:
                self._idle.set()
        if waiter is None:
            return False
        waiter._settle(reply=reply)
        return True

    def discard(self, request_id: Hashable) -> None:
        """Forget `request_id` (its caller gave up); a late reply is then ignored."""
        with self._lock:
            self._waiters.pop(request_id, None)
            if not self._waiters:
                self._idle.set()

    def close(self, error_factory: Callable[[Hashable], BaseException]) -> int:
        """Refuse new ids and wake every waiter with `error_factory(id)`; returns how many were failed."""
        with self._lock:
            self._closed = True
            waiters = list(self._waiters.values())
            self._waiters.clear()
            self._idle.set()
        for waiter in waiters:
            waiter._settle(error=error_factory(waiter.request_id))
        return len(waiters)

    def wait_idle(self, timeout: Optional[float]) -> bool:
        """Block until nothing is in flight (or `timeout`); True when idle."""
        return self._idle.wait(timeout)

    @property
    def closed(self) -> bool:
        """True once [close][binance.api.API.close] was called."""
        return self._closed

    def __len__(self) -> int:
        with self._lock:
            return len(self._waiters)
