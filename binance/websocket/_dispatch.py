"""Runs user callbacks on one thread, fed by a bounded queue, so slow callbacks never stall a socket.

The reader threads only append to the queue (a `collections.deque`: no lock, no clock, no
system call per message) and wake the callback thread only when it sleeps; the callback thread
then runs everything queued before it sleeps again. Callbacks never run on a reader thread, so
pings are answered however slow the callbacks are.

When the callbacks fall behind:

1. once half of `maxsize` calls are waiting, the reader pauses (at most 0.1 s at a time) until
   the callback thread has worked the backlog down to a quarter. A callback that is only slower
   than a burst thus slows the reading down (the server's socket buffers the rest) and loses
   nothing;
2. when the backlog does not shrink within that 0.1 s, the callback cannot keep up: the reader
   stops pausing (until the backlog is down to a quarter again) so that pings keep being
   answered, and once `maxsize` calls are waiting the OLDEST is dropped for each new one,
   `Dispatcher.dropped` grows and a warning is logged (at most once every few seconds). A
   slow `on_message` loses old messages rather than delaying new ones without bound or getting
   the connection dropped by the server for unanswered pings.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any, Callable, Deque, Optional, Tuple

_LOG = logging.getLogger(__name__)
_WARN_EVERY = 5.0
_ROOM_WAIT = 0.1
_STOP = object()


class Dispatcher:
    """One thread that calls `callback(owner, *args)` for each queued item, in order."""

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
        self._items: Deque[Tuple[Any, tuple]] = deque()
        self._high = max(1, maxsize // 2)
        self._low = maxsize // 4
        self._wake = threading.Event()
        self._idle = False
        self._room = threading.Event()
        self._backlogged = False
        self._overrun = False
        self._closing = False
        self._drop_lock = threading.Lock()
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
        """Queue `callback(owner, *args)`; drops the oldest queued call when the queue is full."""
        if callback is None or self._closing:
            return
        items = self._items
        items.append((callback, args))
        if self._idle:
            self._idle = False
            self._wake.set()
        if len(items) >= self._high:
            self._backlog()

    def _backlog(self) -> None:
        """On a reader thread: pause while the callbacks work a backlog down, or drop the oldest."""
        if len(self._items) > self._maxsize:
            self._drop_oldest()
            return
        if self._overrun or self._closing or threading.current_thread() is self._thread:
            return
        self._room.clear()
        self._backlogged = True
        if len(self._items) > self._low and not self._closing and not self._room.wait(_ROOM_WAIT):
            self._overrun = True
            self._backlogged = True
            self._log.debug("callbacks are not keeping up; reading on (oldest messages dropped past %d)", self._maxsize)

    def _drop_oldest(self) -> None:
        with self._drop_lock:
            items = self._items
            while len(items) > self._maxsize and not self._closing:
                try:
                    items.popleft()
                except IndexError:
                    break
                self.dropped += 1
            now = time.monotonic()
            if now - self._last_warning >= _WARN_EVERY:
                self._last_warning = now
                self._log.warning(
                    "on_message cannot keep up: dropped %d queued message(s) so far (queue_size=%d)",
                    self.dropped,
                    self._maxsize,
                )

    def close(self, final: Optional[Callable[..., Any]] = None, timeout: float = 5.0) -> None:
        """Discard what is queued, run `final(owner)` last, stop and join the thread (bounded by `timeout`)."""
        with self._drop_lock:
            if self._closing:
                return
            self._closing = True
            self._items.clear()
            if final is not None:
                self._items.append((final, ()))
            self._items.append((_STOP, ()))
        self._wake.set()
        self._room.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self._log.warning("a user callback is still running after %.1f s; not waiting for it", timeout)

    def _run(self) -> None:
        items = self._items
        popleft = items.popleft
        wake = self._wake
        call = self.call
        low = self._low
        while True:
            while True:
                try:
                    callback, args = popleft()
                except IndexError:
                    break
                if callback is _STOP:
                    return
                call(callback, *args)
                if self._backlogged and len(items) <= low:
                    self._caught_up()
            if self._backlogged:
                self._caught_up()
            wake.clear()
            self._idle = True
            if items:
                self._idle = False
                continue
            wake.wait()

    def _caught_up(self) -> None:
        """On the callback thread: the backlog is down to a quarter; readers stop pausing or dropping."""
        self._backlogged = False
        self._overrun = False
        self._room.set()

    def call(self, callback: Callable[..., Any], *args: Any) -> None:
        """Call `callback(owner, *args)` here; an exception is logged and passed to `on_error`."""
        try:
            callback(self._owner, *args)
        except Exception as exc:
            self._log.error("Error from callback %s: %r", getattr(callback, "__name__", callback), exc)
            if self._on_error is not None and callback is not self._on_error:
                try:
                    self._on_error(self._owner, exc)
                except Exception as nested:
                    self._log.error("Error from on_error callback: %r", nested)
