"""One self-healing WebSocket stream connection: the only place that touches sockets.

A `StreamConnection` owns one URL and the streams assigned to it. Two threads serve it:

* the reader connects, reads frames, hands them to its `ConnectionListener`, notices a dead
  connection (error, close, a missed server-ping deadline, or silence beyond `silence_timeout`)
  and reconnects with the jittered backoff of `_backoff`;
* the writer sends queued SUBSCRIBE/UNSUBSCRIBE/raw messages when the socket is open, at most
  `max_messages_per_second` (a sliding window with a safety margin, see
  `_throttle`).

Planned renewals (a `serverShutdown` notice, or `max_age` before Binance's 24 h limit) are
make-before-break: the old socket is handed to a short-lived drain thread that keeps delivering
while the reader opens and subscribes the new one; the old socket is closed once the new one has
delivered every stream the old one delivered meanwhile (or after `handover_timeout`). During the
overlap copies of an event are dropped by the rules of `_handover`.

Subscriptions made before the socket opens are queued and sent on open; after every reconnect the
whole stream set is subscribed again. The reader parses frames itself (`_frames`,
one `recv` for every frame the socket holds) and answers each ping with its own payload as soon as
it is read, whatever the user callbacks are doing: callbacks never run on the reader thread.

States (`CONNECTING -> OPEN -> RECONNECTING | RENEWING -> OPEN ... -> CLOSED`) change only in
`StreamConnection._set_state`, which logs every transition.
"""

from __future__ import annotations

import enum
import itertools
import logging
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, Iterable, Iterator, List, Optional, Tuple, Union

import websocket
from websocket import WebSocketConnectionClosedException

from binance._redact import redact
from binance.error import ConnectError, Error, MessageTooLargeError
from binance.websocket._attempts import CONNECTION_GUARD, host_key
from binance.websocket._backoff import ReconnectPolicy, backoff
from binance.websocket._frames import BINARY, CLOSE, DEFAULT_MAX_MESSAGE_SIZE, PING, PONG, TEXT, FrameParser
from binance.websocket._handover import NEW, OLD, Overlap
from binance.websocket._handshake import open_socket
from binance.websocket._streams import (
    SERVER_SHUTDOWN,
    SUBSCRIBE,
    UNSUBSCRIBE,
    chunks,
    frame,
    is_shutdown_notice,
    masked,
)
from binance.websocket._throttle import Throttle

__all__ = ["State", "ConnectionSettings", "ConnectionListener", "StreamConnection"]

_LOG = logging.getLogger(__name__)
_PARAMS_PER_FRAME = 200
_THROTTLE_MARGIN = 1.1
_CLOSE_GRACE = 1.0
_OVERLAP_GRACE = 2.0
_READ_SIZE = 65536
_MAX_REASON = 300
_internal_ids = itertools.count(1)


class State(enum.Enum):
    """Lifecycle of a `StreamConnection`."""

    CONNECTING = "CONNECTING"
    OPEN = "OPEN"
    RENEWING = "RENEWING"
    RECONNECTING = "RECONNECTING"
    CLOSED = "CLOSED"


@dataclass(frozen=True)
class ConnectionSettings:
    """Timeouts and limits of a connection (seconds unless stated).

    `timeout`: TCP connect + handshake. `silence_timeout`: reconnect when nothing at all (data,
    ping or pong) arrived for this long; a client ping is sent at half of it so quiet streams on a
    live server are not mistaken for a dead one (`None` disables). `ping_timeout`: reconnect when
    the server has not pinged for this long (Binance pings every 3 minutes; `None` disables).
    `max_age`: renew the connection after this long (Binance closes at 24 h; `None` disables).
    `handover_timeout`: during a renewal, close the old socket at the latest this long after the
    new one opened, even if some stream has not delivered on the new one yet.
    `max_message_size`: bytes one message may have (`None`: no cap); a longer one drops the
    connection, which reconnects (counted in `oversized_messages`, logged as a warning).
    """

    timeout: float = 10.0
    silence_timeout: Optional[float] = 60.0
    ping_timeout: Optional[float] = 600.0
    max_age: Optional[float] = 23 * 3600.0
    handover_timeout: float = 10.0
    max_message_size: Optional[int] = DEFAULT_MAX_MESSAGE_SIZE
    policy: ReconnectPolicy = ReconnectPolicy()
    max_messages_per_second: int = 10
    proxy_options: Dict[str, Any] = field(default_factory=dict)


class ConnectionListener:
    """What a connection reports to its owner; every method is called on the reader thread."""

    def connection_opened(self, conn: "StreamConnection", reconnected: bool, streams: List[str]) -> None:
        """The socket is open; `streams` are being (re)subscribed."""

    def connection_message(self, conn: "StreamConnection", data: Union[str, bytes]) -> None:
        """One data frame (text as `str`, binary as `bytes`)."""

    def connection_ping(self, conn: "StreamConnection", payload: bytes) -> None:
        """The server pinged (already answered with the same payload)."""

    def connection_pong(self, conn: "StreamConnection", payload: bytes) -> None:
        """The server answered a ping."""

    def connection_error(self, conn: "StreamConnection", exc: BaseException) -> None:
        """A connect attempt failed, the connection broke, or a frame could not be decoded."""

    def connection_renewed(self, conn: "StreamConnection", seamless: bool, streams: List[str]) -> None:
        """A planned renewal finished and the old socket is being closed.

        `seamless`: the old socket delivered until the new one had taken over, so nothing was
        missed. Otherwise the old socket ended first and events may be missing, as after a reconnect.
        """

    def connection_lost(self, conn: "StreamConnection", reason: str) -> None:
        """The socket is gone; the connection is about to reconnect (not called for a planned renewal)."""

    def connection_gave_up(self, conn: "StreamConnection") -> None:
        """The reconnect policy ran out of attempts; the connection is CLOSED."""


@dataclass
class _Outgoing:
    method: Optional[str]
    streams: List[str]
    request_id: Any
    auto_id: bool
    text: Optional[str] = None

    def render(self) -> str:
        return self.text if self.text is not None else frame(self.method, self.streams, self.request_id)

    def describe(self) -> str:
        if self.text is not None:
            return redact(self.text)
        return f"{self.method} {masked(self.streams)} id={self.request_id}"


@dataclass
class _Retired:
    """An old socket still delivering while its successor is opened (make-before-break)."""

    ws: websocket.WebSocket
    thread: threading.Thread
    reason: str
    seamless: bool = True
    closing_at: Optional[float] = None


class _Lost(Exception):
    """The current socket is finished; `planned` reconnects skip the backoff delay."""

    def __init__(self, reason: str, planned: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.planned = planned


class StreamConnection:
    """A market/user-data stream connection that reconnects and resubscribes until
    [stop][binance.orderbook.manager.DepthManager.stop]."""

    def __init__(
        self,
        url: str,
        listener: ConnectionListener,
        settings: ConnectionSettings = ConnectionSettings(),
        name: str = "0",
        logger: Optional[logging.Logger] = None,
    ) -> None:
        self.url = url
        self.name = name
        self._listener = listener
        self._settings = settings
        self._log = logger or _LOG
        self._streams: Dict[str, None] = {}
        self._out: Deque[_Outgoing] = deque()
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._state = State.CONNECTING
        self._ws: Optional[websocket.WebSocket] = None
        self._connecting: Optional[websocket.WebSocket] = None
        self._epoch = 0
        self._throttle = Throttle(settings.max_messages_per_second, _THROTTLE_MARGIN)
        self.reconnects = 0
        self.renewals = 0
        self.opened_at: Optional[float] = None
        self._retired: Optional[_Retired] = None
        self._overlap: Optional[Overlap] = None
        self._overlap_until = 0.0
        self._overlap_lock = threading.Lock()
        self.duplicates_dropped = 0
        self.oversized_messages = 0
        self._reader = threading.Thread(target=self._read_forever, name=f"binance-ws-read-{name}", daemon=True)
        self._writer = threading.Thread(target=self._write_forever, name=f"binance-ws-write-{name}", daemon=True)

    # ------------------------------------------------------------------ public
    @property
    def state(self) -> State:
        """The current [State][binance.websocket.api.State]."""
        return self._state

    @property
    def threads(self) -> Tuple[threading.Thread, ...]:
        """The reader and writer threads, and the drain thread of a renewal in progress."""
        retired = self._retired
        if retired is None:
            return self._reader, self._writer
        return self._reader, self._writer, retired.thread

    def streams(self) -> List[str]:
        """The streams this connection keeps subscribed."""
        with self._cond:
            return list(self._streams)

    def __len__(self) -> int:
        return len(self._streams)

    def start(self) -> None:
        """Start the reader (connects at once) and the writer; never blocks."""
        self._log.info("stream connection %s: CONNECTING to %s", self.name, redact(self.url))
        self._reader.start()
        self._writer.start()

    def subscribe(self, streams: Iterable[str], request_id: Any, auto_id: bool = False) -> None:
        """Keep `streams` subscribed; the SUBSCRIBE goes out now or as soon as the socket opens."""
        names = list(streams)
        with self._cond:
            for name in names:
                self._streams[name] = None
            self._queue(_Outgoing(SUBSCRIBE, names, request_id, auto_id))

    def unsubscribe(self, streams: Iterable[str], request_id: Any, auto_id: bool = False) -> None:
        """Stop keeping `streams`; the UNSUBSCRIBE goes out now or on open."""
        names = list(streams)
        with self._cond:
            for name in names:
                self._streams.pop(name, None)
            self._queue(_Outgoing(UNSUBSCRIBE, names, request_id, auto_id))

    def send_text(self, text: str) -> None:
        """Queue one raw text message (throttled like the rest)."""
        with self._cond:
            self._queue(_Outgoing(None, [], None, False, text=text))

    def ping(self, payload: Union[str, bytes] = "") -> None:
        """Send a ping frame now if the socket is open."""
        ws = self._ws
        if ws is not None:
            try:
                ws.ping(payload)
            except Exception as exc:
                self._log.debug("stream connection %s: ping failed: %r", self.name, exc)

    def reconnect(self, reason: str = "requested") -> None:
        """Drop the current socket now; the reader reconnects at once and resubscribes."""
        with self._cond:
            ws = self._ws
        if ws is not None:
            self._log.info("stream connection %s: reconnect (%s)", self.name, reason)
            _abort(ws)

    def stop(self) -> None:
        """Ask both threads to finish and wake them (returns at once; see
        [join][binance.websocket.binance_socket_manager.BinanceSocketManager.join])."""
        self._stopping.set()
        with self._cond:
            retired = self._retired.ws if self._retired is not None else None
            sockets = [s for s in (self._ws, self._connecting, retired) if s is not None]
            self._cond.notify_all()
        for ws in sockets:
            _abort(ws)

    def join(self, timeout: float) -> bool:
        """Wait for both threads (at most `timeout` seconds in all); True when both ended."""
        deadline = time.monotonic() + timeout
        threads = self.threads
        for thread in threads:
            if thread.ident is not None and thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)

    # ------------------------------------------------------------------ state
    def _set_state(self, state: State, detail: str = "") -> None:
        """The one place where the state changes (call with `_cond` held)."""
        if state is self._state:
            return
        previous, self._state = self._state, state
        level = logging.WARNING if state is State.RECONNECTING else logging.INFO
        self._log.log(
            level,
            "stream connection %s: %s -> %s%s",
            self.name,
            previous.value,
            state.value,
            f" ({detail})" if detail else "",
        )
        self._cond.notify_all()

    def _queue(self, item: _Outgoing) -> None:
        self._out.append(item)
        self._cond.notify_all()

    # ------------------------------------------------------------------ reader thread
    def _read_forever(self) -> None:
        policy = self._settings.policy
        delays = backoff(policy)
        reconnected = False
        try:
            while not self._stopping.is_set():
                ws = self._connect()
                if ws is None:
                    if self._stopping.is_set():
                        break
                    delay = next(delays, None)
                    if delay is None:
                        self._log.error("stream connection %s: giving up (reconnect policy exhausted)", self.name)
                        self._listener.connection_gave_up(self)
                        break
                    self._stopping.wait(delay)
                    continue
                self._opened(ws, reconnected and self._retired is None)
                planned, reason = False, "ended"
                parser = FrameParser(self._settings.max_message_size)
                try:
                    self._read(ws, parser)
                except _Lost as lost:
                    planned, reason = lost.planned, lost.reason
                # The backoff starts over only after a connection that proved healthy; a server that
                # closes (or announces a shutdown) right after the handshake is retried ever more slowly.
                healthy = policy.proven_healthy(time.monotonic() - (self.opened_at or 0.0))
                if healthy:
                    delays = backoff(policy)
                if planned and self._retire(ws, reason, parser):
                    reconnected = True
                    self.renewals += 1
                    if not healthy and not self._back_off(delays, reason):
                        break
                    continue
                self._end_handover(self._settings.timeout)
                with self._cond:
                    self._ws = None
                    if not self._stopping.is_set():
                        self._set_state(State.RECONNECTING, reason)
                _close_quietly(ws)
                if self._stopping.is_set():
                    break
                reconnected = True
                self.reconnects += 1
                self._listener.connection_lost(self, reason)
                if (not planned or not healthy) and not self._back_off(delays, reason):
                    break
        finally:
            self._end_handover(self._settings.timeout)
            with self._cond:
                self._ws = None
                self._set_state(State.CLOSED)
                self._cond.notify_all()

    def _back_off(self, delays: Iterator[float], reason: str) -> bool:
        """Wait the next backoff delay; False when the policy is exhausted (the connection gave up)."""
        delay = next(delays, None)
        if delay is None:
            self._log.error("stream connection %s: giving up (reconnect policy exhausted)", self.name)
            self._listener.connection_gave_up(self)
            return False
        if delay >= 1.0:
            self._log.info("stream connection %s: %s; reconnecting in %.1f s", self.name, reason, delay)
        self._stopping.wait(delay)
        return True

    def _connect(self) -> Optional[websocket.WebSocket]:
        if not CONNECTION_GUARD.wait_turn(self.url, self._stopping):
            return None
        ws = websocket.WebSocket(enable_multithread=True, skip_utf8_validation=True)
        with self._cond:
            if self._stopping.is_set():
                return None
            self._connecting = ws
        try:
            open_socket(ws, self.url, self._settings.timeout, self._settings.proxy_options)
        except Exception as exc:
            _close_quietly(ws)
            if not self._stopping.is_set():
                error = _connect_error(self.url, exc)
                self._log.warning("stream connection %s: %s", self.name, error)
                self._listener.connection_error(self, error)
            return None
        finally:
            with self._cond:
                self._connecting = None
        if self._stopping.is_set():
            _close_quietly(ws)
            return None
        ws.settimeout(self._tick())
        return ws

    def _tick(self) -> float:
        silence = self._settings.silence_timeout
        return max(0.05, min(1.0, silence / 4)) if silence else 1.0

    def _opened(self, ws: websocket.WebSocket, reconnected: bool) -> None:
        with self._cond:
            pending = {name for item in self._out if item.method == SUBSCRIBE for name in item.streams}
            again = [name for name in self._streams if name not in pending]
            for names in reversed(chunks(again, _PARAMS_PER_FRAME)):
                self._out.appendleft(_Outgoing(SUBSCRIBE, names, next(_internal_ids), True))
            self._ws = ws
            self._epoch += 1
            self._throttle.reset()
            self.opened_at = time.monotonic()
            self._set_state(State.OPEN, f"{len(self._streams)} stream(s)")
            streams = list(self._streams)
        self._listener.connection_opened(self, reconnected, streams)

    def _read(self, ws: websocket.WebSocket, parser: FrameParser) -> None:
        """Read until the socket is finished (raises `_Lost`).

        The hot path: one `recv` returns every frame the socket holds; deadlines, silence and the
        handover are checked once per `recv` (or socket timeout), not per message.
        """
        listener = self._listener
        message = listener.connection_message
        silence = self._settings.silence_timeout
        monotonic = time.monotonic
        sock = ws.sock
        if sock is None:
            raise _Lost("closed before reading")
        recv = sock.recv
        feed = parser.feed
        opened = last_rx = last_server_ping = monotonic()
        probed = False
        while True:
            try:
                data = recv(_READ_SIZE)
                if not data:
                    raise WebSocketConnectionClosedException("Connection to remote host was lost.")
                frames = feed(data)
            except socket.timeout:
                now = monotonic()
                if silence and now - last_rx > silence:
                    raise _Lost(f"nothing received for {silence:g} s")
                if silence and not probed and now - last_rx > silence / 2:
                    probed = True
                    self.ping()
                self._handover_step(now)
                self._check_deadlines(now, opened, last_server_ping)
                continue
            except Exception as exc:
                raise self._failed(exc)
            now = last_rx = monotonic()
            probed = False
            for index, (opcode, payload) in enumerate(frames):
                if opcode == TEXT:
                    try:
                        text = payload.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        listener.connection_error(self, exc)
                        continue
                    if self._overlap is None:
                        message(self, text)
                    else:
                        self._deliver(NEW, text)
                    if SERVER_SHUTDOWN in text and is_shutdown_notice(text):
                        parser.unread(frames[index + 1:])
                        raise _Lost("serverShutdown notice", planned=True)
                elif opcode == BINARY:
                    if self._overlap is None:
                        message(self, payload)
                    else:
                        self._deliver(NEW, payload)
                elif opcode == PING:
                    last_server_ping = now
                    self._pong(ws, payload)
                    listener.connection_ping(self, payload)
                elif opcode == PONG:
                    listener.connection_pong(self, payload)
                elif opcode == CLOSE:
                    _send_close_quietly(ws)
                    raise _Lost("closed by server")
            if self._retired is not None or self._overlap is not None:
                self._handover_step(now)
            self._check_deadlines(now, opened, last_server_ping)

    def _failed(self, exc: BaseException) -> _Lost:
        if self._stopping.is_set():
            return _Lost("stopped")
        if isinstance(exc, MessageTooLargeError):
            self.oversized_messages += 1
            self._log.warning(
                "stream connection %s: %s; dropping the connection (%d oversized so far)",
                self.name,
                exc,
                self.oversized_messages,
            )
        self._listener.connection_error(self, exc)
        return _Lost(f"{type(exc).__name__}: {exc}")

    def _pong(self, ws: websocket.WebSocket, payload: bytes) -> None:
        try:
            ws.pong(payload)
        except Exception as exc:
            raise self._failed(exc) from None

    def _check_deadlines(self, now: float, opened: float, last_server_ping: float) -> None:
        settings = self._settings
        if self._stopping.is_set():
            raise _Lost("stopped")
        if settings.ping_timeout and now - last_server_ping > settings.ping_timeout:
            raise _Lost(f"no ping from the server for {settings.ping_timeout:g} s")
        if settings.max_age and now - opened > settings.max_age:
            raise _Lost("renewing before the server's connection lifetime ends", planned=True)

    # ------------------------------------------------------------------ make-before-break renewal
    def _retire(self, ws: websocket.WebSocket, reason: str, parser: FrameParser) -> bool:
        """Keep `ws` delivering on a drain thread while the reader opens its successor."""
        superseded = self._retired is not None and self._retired.closing_at is None
        self._end_handover(self._settings.timeout)
        thread = threading.Thread(
            target=self._drain, args=(ws, parser), name=f"binance-ws-drain-{self.name}", daemon=True
        )
        with self._cond:
            if self._stopping.is_set():
                return False
            self._ws = None
            self._retired = _Retired(ws, thread, reason, seamless=not superseded)
            self._set_state(State.RENEWING, reason)
        with self._overlap_lock:
            if self._overlap is None:
                self._overlap = Overlap()
            else:
                self._overlap.rotate()
            self._overlap_until = float("inf")
        thread.start()
        return True

    def _deliver(self, source: str, data: Union[str, bytes]) -> None:
        if self._overlap is None:
            self._listener.connection_message(self, data)
            return
        with self._overlap_lock:
            overlap = self._overlap
            if overlap is None or overlap.admit(source, data):
                self._listener.connection_message(self, data)
            else:
                self.duplicates_dropped += 1

    def _handover_step(self, now: float) -> None:
        """On the reader thread: close the old socket once the new one has taken over."""
        retired = self._retired
        if retired is not None and retired.closing_at is None:
            with self._overlap_lock:
                overlap = self._overlap
                done = overlap is None or overlap.taken_over() or not self._streams
                missing = len(overlap.missing()) if overlap is not None else 0
            timed_out = self.opened_at is not None and now - self.opened_at > self._settings.handover_timeout
            alive = retired.thread.is_alive()
            if done or timed_out or not alive:
                retired.closing_at = now
                retired.seamless = retired.seamless and alive
                if not retired.seamless:
                    self.reconnects += 1
                self._log.info(
                    "stream connection %s: renewed (%s)%s; closing the old socket%s",
                    self.name,
                    retired.reason,
                    "" if retired.seamless else ", but the old socket ended first",
                    f" ({missing} stream(s) not yet seen on the new one)" if timed_out and not done else "",
                )
                self._listener.connection_renewed(self, retired.seamless, self.streams())
                try:
                    retired.ws.send_close()
                except Exception as exc:
                    self._log.debug("stream connection %s: close of the old socket failed: %r", self.name, exc)
                with self._overlap_lock:
                    self._overlap_until = now + _OVERLAP_GRACE
        elif retired is not None and (not retired.thread.is_alive() or now - retired.closing_at > _CLOSE_GRACE):
            self._end_handover(_CLOSE_GRACE)
        if self._overlap is not None and now > self._overlap_until:
            with self._overlap_lock:
                self._overlap = None

    def _end_handover(self, timeout: float) -> None:
        """Cut the old socket of a renewal and join its drain thread (for at most `timeout` s)."""
        retired = self._retired
        if retired is None:
            return
        _abort(retired.ws)
        with self._overlap_lock:
            self._overlap_until = min(self._overlap_until, time.monotonic() + _OVERLAP_GRACE)
        if retired.thread.ident is not None and retired.thread is not threading.current_thread():
            retired.thread.join(timeout)
        with self._cond:
            if self._retired is retired and not retired.thread.is_alive():
                self._retired = None

    def _drain(self, ws: websocket.WebSocket, parser: FrameParser) -> None:
        """The old socket's reader during a renewal: deliver (deduplicated) until it is closed.

        It starts with what the reader had parsed after the `serverShutdown` notice.
        """
        silence = self._settings.silence_timeout
        last_rx = time.monotonic()
        sock = ws.sock
        frames = parser.take_unread()
        try:
            while sock is not None and not self._stopping.is_set():
                for opcode, payload in frames:
                    if opcode == TEXT:
                        try:
                            self._deliver(OLD, payload.decode("utf-8"))
                        except UnicodeDecodeError as exc:
                            self._listener.connection_error(self, exc)
                    elif opcode == BINARY:
                        self._deliver(OLD, payload)
                    elif opcode == PING:
                        try:
                            ws.pong(payload)
                        except Exception:
                            return
                        self._listener.connection_ping(self, payload)
                    elif opcode == CLOSE:
                        _send_close_quietly(ws)
                        return
                try:
                    data = sock.recv(_READ_SIZE)
                    if not data:
                        return
                    frames = parser.feed(data)
                except socket.timeout:
                    if silence and time.monotonic() - last_rx > silence:
                        return
                    frames = []
                    continue
                except Exception:
                    return
                last_rx = time.monotonic()
        finally:
            _close_quietly(ws)
            with self._cond:
                if self._state is State.RENEWING and not self._stopping.is_set():
                    self._set_state(State.RECONNECTING, "the old socket ended before the new one opened")

    # ------------------------------------------------------------------ writer thread
    def _write_forever(self) -> None:
        while True:
            with self._cond:
                while not self._stopping.is_set() and not (self._state is State.OPEN and self._out):
                    if self._state is State.CLOSED:
                        return
                    self._cond.wait()
                if self._stopping.is_set():
                    return
                item = self._take()
                ws, epoch = self._ws, self._epoch
                wait = self._throttle.reserve(time.monotonic())
            if wait > 0 and self._stopping.wait(wait):
                return
            try:
                ws.send(item.render())
            except Exception as exc:
                with self._cond:
                    if epoch == self._epoch:
                        self._out.appendleft(item)
                self._log.debug("stream connection %s: send failed (%r); will retry after reconnect", self.name, exc)
                _abort(ws)
                with self._cond:
                    while epoch == self._epoch and not self._stopping.is_set() and self._state is not State.CLOSED:
                        self._cond.wait(0.5)
                continue
            if self._log.isEnabledFor(logging.DEBUG):
                self._log.debug("stream connection %s: sent %s", self.name, item.describe())

    def _take(self) -> _Outgoing:
        """Pop the next message, merging consecutive library-numbered requests of the same kind."""
        item = self._out.popleft()
        if not item.auto_id or item.method is None:
            return item
        merged = list(item.streams)
        while (
            self._out
            and self._out[0].auto_id
            and self._out[0].method == item.method
            and len(merged) + len(self._out[0].streams) <= _PARAMS_PER_FRAME
        ):
            merged.extend(self._out.popleft().streams)
        return _Outgoing(item.method, merged, item.request_id, True)


def _connect_error(url: str, exc: Exception) -> Error:
    """A failed connect attempt as a typed error (its text holds no secret; no chained cause)."""
    if isinstance(exc, Error):
        return exc
    reason = redact(f"{type(exc).__name__}: {exc}")
    if len(reason) > _MAX_REASON:  # a refused handshake's text carries the response headers and body
        reason = reason[:_MAX_REASON] + "..."
    message = f"could not connect to {host_key(url)} ({reason}); retrying with backoff"
    return ConnectError(message, "CONNECT", redact(url))


def _abort(ws: websocket.WebSocket) -> None:
    sock = getattr(ws, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _send_close_quietly(ws: websocket.WebSocket) -> None:
    try:
        ws.send_close()
    except Exception:
        pass


def _close_quietly(ws: websocket.WebSocket) -> None:
    _abort(ws)
    try:
        ws.shutdown()
    except Exception:
        pass
