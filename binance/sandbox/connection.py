"""One server-side WebSocket connection (streams and WebSocket API alike) and their registry.

`WsConnection` owns the socket: an outgoing queue drained by one writer task, server pings
and the pong deadline, the incoming-message limit, and the fault hooks (drop, stall, close after
N messages, raw or invalid frames). Subclasses implement `WsConnection.on_text`.

Everything that touches the socket runs on the server's event loop; the public control methods
(`drop`, `stall`, `unstall`, `send_raw`, `send_invalid_frame`, `close_after`,
`server_shutdown`) may be called from any thread.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
from collections import deque
from typing import Any, Callable, Deque, List, Optional, Tuple, Union

from aiohttp import WSCloseCode, WSMsgType, web

from binance._redact import redact
from binance.sandbox.frames import text_frames
from binance.sandbox.streams import server_shutdown_event

logger = logging.getLogger(__name__)

__all__ = ["WsConnection", "ConnectionRegistry", "ConnectionSettings"]

_ids = itertools.count(1)
_INVALID_FRAME = object()
_MAX_QUEUE = 50_000
_BATCH = 512  # text messages per transport write at most
_HIGH_WATER = 1 << 20  # bytes waiting in the socket's buffer before the writer pauses
_DRAIN_POLL_S = 0.002


class ConnectionSettings:
    """Heartbeat and limits shared by every connection of a sandbox."""

    def __init__(
        self,
        ping_interval: float = 180.0,
        pong_timeout: float = 600.0,
        max_incoming_per_second: Optional[int] = 10,
    ) -> None:
        self.ping_interval = ping_interval
        self.pong_timeout = pong_timeout
        self.max_incoming_per_second = max_incoming_per_second


class WsConnection:
    """A server-side WebSocket connection. `kind` is `"stream"` or `"ws_api"`."""

    kind = "stream"

    def __init__(
        self,
        request: web.Request,
        market: str,
        settings: ConnectionSettings,
        registry: "ConnectionRegistry",
    ) -> None:
        self.id = next(_ids)
        self.request = request
        self.market = market
        self.path = request.path
        self.settings = settings
        self.registry = registry
        self.loop = asyncio.get_running_loop()
        self.ws = web.WebSocketResponse(autoping=False, compress=False, max_msg_size=1 << 20)
        self.messages_sent = 0
        self.messages_received = 0
        self.closed = False
        self._queue: Deque[Any] = deque()
        self._wakeup = asyncio.Event()
        self._stalled = False
        self._stall_handle: Optional[asyncio.TimerHandle] = None
        self._close_after: Optional[int] = None
        self._awaiting_pong_since: Optional[float] = None
        self._recent: Deque[float] = deque()
        self._tasks: List[asyncio.Task] = []
        self._shutdown_handle: Optional[asyncio.TimerHandle] = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} #{self.id} {self.market} {redact(self.path)}>"

    # ----------------------------------------------------------------- lifecycle (loop thread)
    async def run(self) -> web.StreamResponse:
        """Accept the upgrade and serve the connection until it closes."""
        try:
            await self.ws.prepare(self.request)
        except ConnectionError as exc:  # the client left during the handshake: nothing to serve, nothing to fix
            logger.debug("websocket handshake %s %s abandoned by the client: %s", self.market, redact(self.path), exc)
            self.closed = True
            return web.Response(status=400)  # never reaches the client; aiohttp finishes it quietly
        self.registry.register(self)
        logger.info("websocket open #%s %s %s", self.id, self.market, redact(self.path))
        self._tasks = [
            asyncio.ensure_future(self._writer()),
            asyncio.ensure_future(self._pinger()),
        ]
        try:
            await self.on_open()
            async for msg in self.ws:
                if msg.type == WSMsgType.TEXT:
                    if not self._count_incoming():
                        logger.info("websocket #%s closed: more than %s messages per second",
                                    self.id, self.settings.max_incoming_per_second)
                        break
                    self.messages_received += 1
                    try:
                        await self.on_text(msg.data)
                    except Exception:  # noqa: BLE001 - one bad message must not kill the connection
                        logger.exception("websocket #%s: handling a message failed", self.id)
                elif msg.type == WSMsgType.BINARY:
                    if not self._count_incoming():
                        break
                elif msg.type == WSMsgType.PING:
                    if not self._stalled:
                        await self.ws.pong(msg.data)
                elif msg.type == WSMsgType.PONG:
                    self._awaiting_pong_since = None
                elif msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.ERROR):
                    break
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            await self._cleanup()
        return self.ws

    async def on_open(self) -> None:
        """Hook: called once the connection is registered."""

    async def on_text(self, text: str) -> None:
        """Hook: one incoming text message."""

    async def on_close(self) -> None:
        """Hook: called once when the connection ends."""

    async def _cleanup(self) -> None:
        if self.closed:
            return
        self.closed = True
        for task in self._tasks:
            task.cancel()
        if self._stall_handle is not None:
            self._stall_handle.cancel()
        if self._shutdown_handle is not None:
            self._shutdown_handle.cancel()
        self.registry.unregister(self)
        try:
            await self.on_close()
        finally:
            if not self.ws.closed:
                try:
                    await asyncio.wait_for(self.ws.close(), 1.0)
                except (asyncio.TimeoutError, ConnectionError, RuntimeError):
                    self._abort_transport()
            logger.info("websocket closed #%s", self.id)

    def _count_incoming(self) -> bool:
        limit = self.settings.max_incoming_per_second
        if not limit:
            return True
        now = time.monotonic()
        recent = self._recent
        recent.append(now)
        while recent and now - recent[0] >= 1.0:
            recent.popleft()
        return len(recent) <= limit

    # ------------------------------------------------------------------- sending (loop thread)
    @property
    def pending(self) -> int:
        """Messages queued for this connection and not sent yet."""
        return len(self._queue)

    def send_text(self, text: str) -> None:
        """Queue one text message (loop thread only). Dropped while the connection is stalled."""
        if self.closed or self._stalled:
            return
        if len(self._queue) >= _MAX_QUEUE:
            logger.warning("websocket #%s too slow: dropping the connection", self.id)
            self._drop_now()
            return
        self._queue.append(text)
        self._wakeup.set()

    async def _writer(self) -> None:
        queue = self._queue
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while queue and not self._stalled and not self.closed:
                if type(queue[0]) is str:  # a run of text messages: their frames go out in one write
                    if not await self._write_texts():
                        return
                    continue
                item = queue.popleft()
                if item is _INVALID_FRAME:
                    transport = self.request.transport
                    if transport is not None:
                        transport.write(b"\x83\x00")
                    continue
                try:
                    if isinstance(item, bytes):
                        await self.ws.send_bytes(item)
                    else:
                        await self.ws.send_str(item)
                except (ConnectionError, RuntimeError):
                    self._drop_now()
                    return
                if not self._count_sent(1):
                    return

    async def _write_texts(self) -> bool:
        """Send the text messages at the head of the queue (one frame each, up to `_BATCH` of them) with one
        transport write; wait while the socket's buffer is full. False once the connection is gone."""
        queue = self._queue
        limit = _BATCH if self._close_after is None else max(1, min(_BATCH, self._close_after))
        batch: List[str] = []
        while queue and len(batch) < limit and type(queue[0]) is str:
            batch.append(queue.popleft())
        transport = self.request.transport
        if transport is None or transport.is_closing() or self.ws.closed:
            self._drop_now()
            return False
        transport.write(text_frames(batch))
        if not self._count_sent(len(batch)):
            return False
        while transport.get_write_buffer_size() > _HIGH_WATER and not transport.is_closing() and not self.closed:
            await asyncio.sleep(_DRAIN_POLL_S)  # the client reads slower than we write: let it catch up
        return True

    def _count_sent(self, count: int) -> bool:
        """Count `count` sent messages; False when a `close_after` fault has just cut the connection."""
        self.messages_sent += count
        if self._close_after is not None:
            self._close_after -= count
            if self._close_after <= 0:
                logger.info("websocket #%s closed by fault after its messages", self.id)
                self._drop_now()
                return False
        return True

    async def _pinger(self) -> None:
        interval = self.settings.ping_interval
        if not interval or interval <= 0:
            return
        step = min(interval, max(0.05, self.settings.pong_timeout / 4 if self.settings.pong_timeout else interval))
        next_ping = self.loop.time() + interval
        while not self.closed:
            await asyncio.sleep(min(step, max(0.01, next_ping - self.loop.time())))
            now = self.loop.time()
            if self._stalled:
                self._awaiting_pong_since = None
                next_ping = now + interval
                continue
            if (
                self._awaiting_pong_since is not None
                and self.settings.pong_timeout
                and now - self._awaiting_pong_since > self.settings.pong_timeout
            ):
                logger.info("websocket #%s closed: no pong within %ss", self.id, self.settings.pong_timeout)
                self._drop_now()
                return
            if now >= next_ping:
                next_ping = now + interval
                if self._awaiting_pong_since is None:
                    self._awaiting_pong_since = now
                try:
                    await self.ws.ping(str(int(time.time() * 1000)).encode())
                except (ConnectionError, RuntimeError):
                    return

    def _abort_transport(self) -> None:
        transport = self.request.transport
        if transport is not None:
            transport.abort()

    def _drop_now(self) -> None:
        self._queue.clear()
        self._abort_transport()
        if not self.closed:
            asyncio.ensure_future(self._cleanup())

    def _set_stall(self, seconds: Optional[float]) -> None:
        self._stalled = True
        self._queue.clear()
        if self._stall_handle is not None:
            self._stall_handle.cancel()
            self._stall_handle = None
        if seconds is not None:
            self._stall_handle = self.loop.call_later(seconds, self._clear_stall)

    def _clear_stall(self) -> None:
        self._stalled = False
        self._stall_handle = None
        self._wakeup.set()

    def _enqueue_raw(self, item: Any) -> None:
        if self.closed:
            return
        self._queue.append(item)
        self._wakeup.set()

    def shutdown_notice(self, now_ms: int) -> str:
        """The `serverShutdown` event as this kind of connection carries it."""
        return server_shutdown_event(now_ms)

    def _begin_shutdown(self, grace: float) -> None:
        if self.closed:
            return
        self.send_text(self.shutdown_notice(int(time.time() * 1000)))
        if self._shutdown_handle is None:
            self._shutdown_handle = self.loop.call_later(max(0.0, grace), self._going_away)

    def _going_away(self) -> None:
        self._shutdown_handle = None
        if not self.closed:
            asyncio.ensure_future(self._close_going_away())

    async def _close_going_away(self) -> None:
        logger.info("websocket #%s closed after its serverShutdown notice", self.id)
        try:
            await asyncio.wait_for(self.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown"), 2.0)
        except (asyncio.TimeoutError, ConnectionError, RuntimeError):
            self._drop_now()

    def _set_close_after(self, count: int) -> None:
        self._close_after = max(0, int(count))
        if self._close_after == 0:
            self._drop_now()

    # --------------------------------------------------------------- controls (any thread)
    def _call(self, fn: Callable[..., None], *args: Any) -> None:
        if self.loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            fn(*args)
        else:
            self.loop.call_soon_threadsafe(fn, *args)

    @property
    def stalled(self) -> bool:
        """Whether the connection is currently stalled."""
        return self._stalled

    def drop(self) -> None:
        """Cut the TCP connection now, without a close frame (a network drop)."""
        self._call(self._drop_now)

    def stall(self, seconds: Optional[float] = None) -> None:
        """Send nothing (no data, no pings, no pongs) for `seconds` (None: until unstall)."""
        self._call(self._set_stall, seconds)

    def unstall(self) -> None:
        """End a stall; later messages flow again (those produced meanwhile are lost)."""
        self._call(self._clear_stall)

    def send_raw(self, text: Union[str, bytes]) -> None:
        """Send `text` as one frame whatever it contains (text frame; bytes: binary frame)."""
        self._call(self._enqueue_raw, text)

    def send_invalid_frame(self) -> None:
        """Write a frame with a reserved opcode: a conforming client must fail the connection."""
        self._call(self._enqueue_raw, _INVALID_FRAME)

    def close_after(self, count: int) -> None:
        """Cut the connection after it has sent `count` more messages."""
        self._call(self._set_close_after, count)

    def server_shutdown(self, grace: float = 1.0) -> None:
        """Send Binance's `serverShutdown` notice now; `grace` seconds later close the connection
        with a close frame (1001 going away). Messages keep flowing meanwhile."""
        self._call(self._begin_shutdown, float(grace))


class ConnectionRegistry:
    """Every open WebSocket connection of a sandbox; thread-safe, with waiting helpers."""

    def __init__(self) -> None:
        self._connections: List[WsConnection] = []
        self._opened = 0
        self._cond = threading.Condition()

    def register(self, conn: WsConnection) -> None:
        """Add an open connection."""
        with self._cond:
            self._connections.append(conn)
            self._opened += 1
            self._cond.notify_all()

    def unregister(self, conn: WsConnection) -> None:
        """Remove a connection that closed."""
        with self._cond:
            if conn in self._connections:
                self._connections.remove(conn)
            self._cond.notify_all()

    def snapshot(self, kind: Optional[str] = None) -> List[WsConnection]:
        """The open connections (of one `kind` if given)."""
        with self._cond:
            return [c for c in self._connections if kind is None or c.kind == kind]

    def __len__(self) -> int:
        with self._cond:
            return len(self._connections)

    def __iter__(self):
        return iter(self.snapshot())

    @property
    def total_opened(self) -> int:
        """How many connections were ever opened."""
        with self._cond:
            return self._opened

    def wait_for(self, count: int, timeout: float = 5.0, kind: Optional[str] = None) -> bool:
        """Wait until at least `count` connections (of `kind`) are open; False on timeout."""
        return self._wait(lambda: len(self.snapshot(kind)) >= count, timeout)

    def wait_for_at_most(self, count: int, timeout: float = 5.0, kind: Optional[str] = None) -> bool:
        """Wait until at most `count` connections (of `kind`) are open; False on timeout."""
        return self._wait(lambda: len(self.snapshot(kind)) <= count, timeout)

    def wait_for_total(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until `count` connections have been opened in all (reconnects included)."""
        return self._wait(lambda: self._opened >= count, timeout)

    def _wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if predicate():
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.1))


def describe(conn: WsConnection) -> Tuple[int, str, str, str]:
    """(id, kind, market, path) of a connection, for the admin listing."""
    return conn.id, conn.kind, conn.market, conn.path
