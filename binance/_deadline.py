"""A whole-call deadline for requests: one shared watchdog thread shuts a late socket down.

requests' timeout bounds each socket read, so a server that drips one byte a second holds a call
forever. Here the REST transport arms a deadline for the thread's call (`CallDeadline`); the
connection classes of `DeadlineAdapter` register their socket with the one `WATCHDOG` thread when
they start waiting for the answer, and the watchdog shuts the socket down when the deadline passes,
which ends any blocked read at once. No thread per request: arming is a heap push under a lock.

A pooled connection may be checked out by another thread as soon as its body is read; each new
call on a connection bumps its generation (before anything is sent), and the watchdog only touches
the generation it was armed for, so a late deadline never reaches someone else's request.
"""

from __future__ import annotations

import _socket
import heapq
import itertools
import os
import socket
import threading
import time
from typing import Any, List, Optional, Tuple

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["DeadlineAdapter", "WATCHDOG", "Watch", "CallDeadline", "install"]

_local = threading.local()


class Watch:
    """One armed deadline: the connection and generation it guards; `fired` once it shut the socket."""

    __slots__ = ("deadline", "conn", "generation", "cancelled", "fired")

    def __init__(self, deadline: float, conn: Any, generation: int) -> None:
        self.deadline = deadline
        self.conn = conn
        self.generation = generation
        self.cancelled = False
        self.fired = False


class _Watchdog:
    """The shared thread; it sleeps until the earliest live deadline."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        """Fresh state (also in a forked child, where the thread is gone and the lock may be held)."""
        self.lock = threading.Lock()
        self._wake = threading.Condition(self.lock)
        self._heap: List[Tuple[float, int, Watch]] = []
        self._seq = itertools.count()
        self._thread: Optional[threading.Thread] = None

    def arm(self, deadline: float, conn: Any) -> Watch:
        with self.lock:  # a new generation: a watch left on this connection by an earlier call is retired
            conn._binance_generation = generation = getattr(conn, "_binance_generation", 0) + 1
            watch = Watch(deadline, conn, generation)
            heapq.heappush(self._heap, (deadline, next(self._seq), watch))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="binance-rest-deadline", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is watch:
                self._wake.notify()
        return watch

    def disarm(self, watch: Watch) -> bool:
        """Cancel `watch`; True if it had already fired (the socket was shut down)."""
        with self.lock:
            watch.cancelled = True
            watch.conn = None
            return watch.fired

    def _run(self) -> None:
        with self.lock:
            while True:
                now = time.monotonic()
                heap = self._heap
                while heap and (heap[0][2].cancelled or heap[0][0] <= now):
                    watch = heapq.heappop(heap)[2]
                    if not watch.cancelled:
                        self._fire(watch)
                self._wake.wait(heap[0][0] - now if heap else None)

    @staticmethod
    def _fire(watch: Watch) -> None:
        conn = watch.conn
        if conn is None or getattr(conn, "_binance_generation", 0) != watch.generation:
            return
        watch.fired = True
        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:  # the plain socket's shutdown (an SSLSocket's own would drop its TLS state mid-read)
                _socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass


WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=WATCHDOG._reset)


class CallDeadline:
    """Context manager: the calling thread's request must end by `deadline` (a `time.monotonic()`
    value, or None for no deadline). `watch` is the armed `Watch` once the request was sent."""

    __slots__ = ("deadline", "watch", "sending")

    def __init__(self, deadline: Optional[float]) -> None:
        self.deadline = deadline
        self.watch: Optional[Watch] = None
        self.sending = False
        """True once the request started going out (after connecting and the TLS handshake)."""

    def __enter__(self) -> "CallDeadline":
        _local.call = self
        return self

    def __exit__(self, *exc: Any) -> None:
        _local.call = None
        self.disarm()

    def disarm(self) -> bool:
        """Stop watching; True if the deadline had fired."""
        watch, self.watch = self.watch, None
        return WATCHDOG.disarm(watch) if watch is not None else False

    @property
    def fired(self) -> bool:
        """True when the watchdog shut the socket down for this call."""
        return self.watch is not None and self.watch.fired


class _DeadlineMixin:
    """Claims the connection for the thread's call: from the first of `connect` (so a TLS handshake
    is bounded too: urllib3 sets `sock` to the TCP socket before wrapping it), `request` or
    `getresponse`, the watchdog guards it until the call disarms."""

    _binance_generation = 0
    sock: Any

    def _claim(self) -> None:
        call = getattr(_local, "call", None)
        if call is None or call.deadline is None:
            with WATCHDOG.lock:  # no deadline: still retire any watch left from an earlier call
                self._binance_generation += 1
            return
        watch = call.watch
        if watch is not None and watch.conn is self:
            return
        if watch is not None:  # a retry on another connection
            WATCHDOG.disarm(watch)
        call.watch = WATCHDOG.arm(call.deadline, self)

    def connect(self) -> None:
        self._claim()
        super().connect()  # type: ignore[misc]

    def request(self, *args: Any, **kwargs: Any) -> Any:
        self._claim()
        call = getattr(_local, "call", None)
        if call is not None:
            call.sending = True
        return super().request(*args, **kwargs)  # type: ignore[misc]

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        call = getattr(_local, "call", None)
        if call is not None and call.deadline is not None:
            self._claim()
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_DeadlineMixin, HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineMixin, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection  # pyright: ignore[reportAssignmentType]


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection  # pyright: ignore[reportAssignmentType]


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' `HTTPAdapter` whose connections (direct or through an HTTP proxy) honour `CallDeadline`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager


def install(session: Any) -> None:
    """Mount `DeadlineAdapter` on `session` for http:// and https:// where requests' stock adapter is
    mounted (its pool size and retry settings are kept); an adapter of another class is left alone."""
    for prefix in ("https://", "http://"):
        current = session.adapters.get(prefix)
        if type(current) is HTTPAdapter:
            adapter = DeadlineAdapter(
                pool_connections=current._pool_connections,
                pool_maxsize=current._pool_maxsize,
                max_retries=current.max_retries,
                pool_block=current._pool_block,
            )
            session.mount(prefix, adapter)
            current.close()
