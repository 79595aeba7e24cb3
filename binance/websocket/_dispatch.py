"""Runs user callbacks on one thread, fed by a bounded queue, so slow callbacks never stall a socket.

The reader threads only append to the queue; they keep answering pings however slow the callbacks
are. When the queue is full the OLDEST undelivered item is dropped, a warning is logged (at most
once every few seconds) and :attr:`Dispatcher.dropped` grows: a callback that cannot keep up loses
old messages rather than delaying new ones or getting the connection dropped by the server.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any, Callable, Optional

_LOG = logging.getLogger(__name__)
_WARN_EVERY = 5.0


class Dispatcher:
    """One thread that calls ``callback(owner, *args)`` for each queued item, in order."""

    def __init__(
        self,
        owner: Any,
        on_error: Optional[Callable[..., Any]],
        maxsize: int = 10000,
        name: str = "binance-ws-dispatch",
        logger: Optional[logging.Logger] = None,
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be >= 1")
        self._owner = owner
        self._on_error = on_error
        self._maxsize = maxsize
        self._items: deque = deque()
        self._cond = threading.Condition(threading.Lock())
        self._waiting = False
        self._closing = False
        self._last_warning = 0.0
        self._log = logger or _LOG
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Start the callback thread."""
        self._thread.start()

    @property
    def thread(self) -> threading.Thread:
        """The callback thread (callbacks run here)."""
        return self._thread

    def put(self, callback: Optional[Callable[..., Any]], *args: Any) -> None:
        """Queue ``callback(owner, *args)``; drops the oldest queued call when the queue is full."""
        if callback is None:
            return
        with self._cond:
            if self._closing:
                return
            if len(self._items) >= self._maxsize:
                self._items.popleft()
                self.dropped += 1
                now = time.monotonic()
                if now - self._last_warning >= _WARN_EVERY:
                    self._last_warning = now
                    self._log.warning(
                        "on_message cannot keep up: dropped %d queued message(s) so far (queue_size=%d)",
                        self.dropped,
                        self._maxsize,
                    )
            self._items.append((callback, args))
            if self._waiting:
                self._cond.notify()

    def close(self, final: Optional[Callable[..., Any]] = None, timeout: float = 5.0) -> None:
        """Discard what is queued, run ``final(owner)`` last, stop and join the thread (bounded by ``timeout``)."""
        with self._cond:
            if self._closing:
                return
            self._items.clear()
            if final is not None:
                self._items.append((final, ()))
            self._closing = True
            self._cond.notify()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self._log.warning("a user callback is still running after %.1f s; not waiting for it", timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._items and not self._closing:
                    self._waiting = True
                    self._cond.wait()
                    self._waiting = False
                batch = list(self._items)
                self._items.clear()
                closing = self._closing
            for callback, args in batch:
                if self._closing and not closing:
                    break
                self.call(callback, *args)
            if closing:
                with self._cond:
                    if not self._items:
                        return

    def call(self, callback: Callable[..., Any], *args: Any) -> None:
        """Call ``callback(owner, *args)`` here; an exception is logged and passed to ``on_error``."""
        try:
            callback(self._owner, *args)
        except Exception as exc:
            self._log.error("Error from callback %s: %r", getattr(callback, "__name__", callback), exc)
            if self._on_error is not None and callback is not self._on_error:
                try:
                    self._on_error(self._owner, exc)
                except Exception as nested:
                    self._log.error("Error from on_error callback: %r", nested)
