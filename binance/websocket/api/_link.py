"""One WebSocket API connection: a websocket-client socket, its reader thread and its in-flight requests.

The reader thread reads what the socket holds, parses it with the stream reader's
[FrameParser][binance.websocket._frames.FrameParser] (linear, a message size cap, masked server
frames refused), answers each ping with its payload and routes each reply to its waiting caller by
id. When the socket breaks (or the server closes it) every request
in flight fails at once with [ConnectionLostError][binance.error.ConnectionLostError] and `on_closed` is called.
A `serverShutdown` event (Binance's notice ahead of a forced disconnect) calls `on_shutdown_notice`.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any, Callable, Dict, Optional

import websocket

from binance._redact import redact
from binance.error import ConnectionLostError, MessageTooLargeError
from binance.websocket._frames import BINARY, CLOSE, DEFAULT_MAX_MESSAGE_SIZE, PING, TEXT, FrameParser
from binance.websocket._handshake import open_socket
from binance.websocket._streams import is_shutdown_notice
from binance.websocket.api._pending import PendingRequests, Waiter
from binance.websocket.api._protocol import parse_reply

logger = logging.getLogger(__name__)

__all__ = ["Link"]

_READ_SIZE = 65536


class _ServerClosed(Exception):
    """The server sent a close frame (answered)."""


class Link:
    """An open connection. Build it with `open`; it is never reopened (a new Link replaces it)."""

    def __init__(self, ws: websocket.WebSocket, url: str, on_closed: Callable[["Link"], None], number: int) -> None:
        self._ws = ws
        self.url = url
        self.number = number
        self.pending = PendingRequests()
        self._on_closed = on_closed
        self._closed = threading.Event()
        self._close_lock = threading.Lock()
        self.close_reason = ""
        self.opened_at = time.monotonic()
        self.closed_at: Optional[float] = None
        self.last_ping_payload: Optional[bytes] = None
        self.on_shutdown_notice: Optional[Callable[["Link"], None]] = None
        self.max_message_size: Optional[int] = DEFAULT_MAX_MESSAGE_SIZE
        self.oversized = False
        self._reader = threading.Thread(target=self._read_loop, name=f"binance-ws-api-reader-{number}", daemon=True)

    @classmethod
    def open(
        cls,
        url: str,
        on_closed: Callable[["Link"], None],
        number: int,
        connect_timeout: float,
        options: Optional[Dict[str, Any]] = None,
        on_shutdown_notice: Optional[Callable[["Link"], None]] = None,
        max_message_size: Optional[int] = DEFAULT_MAX_MESSAGE_SIZE,
    ) -> "Link":
        """Connect to `url` (raises on failure, leaving nothing open) and start the reader thread."""
        ws = websocket.WebSocket(enable_multithread=True, skip_utf8_validation=True)
        try:
            open_socket(ws, url, connect_timeout, options or {})
            ws.settimeout(None)
            if ws.sock is not None:
                ws.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except BaseException:
            ws.shutdown()
            raise
        link = cls(ws, url, on_closed, number)
        link.on_shutdown_notice = on_shutdown_notice
        link.max_message_size = max_message_size
        link._reader.start()
        return link

    def lifetime(self) -> float:
        """Seconds the connection has been (or was) open."""
        end = self.closed_at if self.closed_at is not None else time.monotonic()
        return end - self.opened_at

    @property
    def closed(self) -> bool:
        """True once the connection is closing or gone: no new request may use it."""
        return self._closed.is_set()

    def register(self, request_id: Any) -> Waiter:
        """Register a request id before sending it (raises RegistryClosed when the link is gone)."""
        return self.pending.add(request_id)

    def send(self, text: str) -> None:
        """Write one text frame; raises websocket/OS errors when the socket is broken."""
        self._ws.send(text)

    def _read_loop(self) -> None:
        reason = "closed by the server"
        parser = FrameParser(self.max_message_size)
        sock = self._ws.sock
        try:
            while sock is not None:
                data = sock.recv(_READ_SIZE)
                if not data:
                    break
                for opcode, payload in parser.feed(data):
                    if opcode == TEXT or opcode == BINARY:
                        self._route(payload)
                    elif opcode == PING:
                        self.last_ping_payload = payload
                        self._ws.pong(payload)
                    elif opcode == CLOSE:
                        try:
                            self._ws.send_close()
                        except Exception:  # noqa: BLE001 - the socket may already be gone
                            pass
                        raise _ServerClosed
        except _ServerClosed:
            pass
        except MessageTooLargeError as exc:
            self.oversized = True
            reason = str(exc)
            logger.warning("ws-api link %s: %s; dropping the connection", self.number, exc)
        except Exception as exc:  # noqa: BLE001 - any failure of the socket ends this link
            reason = f"{type(exc).__name__}: {exc}"
        self._finish(reason)

    def _route(self, data: bytes) -> None:
        reply = parse_reply(data)
        if reply is None and _is_shutdown_notice(data):
            logger.info("ws-api link %s: server announced shutdown", self.number)
            if self.on_shutdown_notice is not None:
                self.on_shutdown_notice(self)
        elif reply is None or not self.pending.resolve(reply):
            logger.debug("ws-api link %s: unrouted message %.200s", self.number, redact(_text(data)))

    def _finish(self, reason: str) -> None:
        with self._close_lock:
            self.close_reason = reason = self.close_reason or reason
            self._mark_closed()
        failed = self.pending.close(
            lambda rid: ConnectionLostError(f"connection lost before the reply to request {rid!r} ({reason})")
        )
        self._ws.shutdown()
        logger.info("ws-api link %s closed (%s); %d request(s) in flight failed", self.number, reason, failed)
        try:
            self._on_closed(self)
        except Exception:  # noqa: BLE001
            logger.exception("ws-api on_closed callback failed")

    def close(self, reason: str = "closed by the client") -> None:
        """Close now: send a close frame if possible and cut the socket, so the reader thread returns.

        Requests still in flight fail with ConnectionLostError (from the reader thread)."""
        with self._close_lock:
            if self._closed.is_set():
                return
            self.close_reason = reason
            self._mark_closed()
        sock = self._ws.sock
        try:
            self._ws.send_close()
        except Exception:  # noqa: BLE001 - the socket may already be gone
            pass
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _mark_closed(self) -> None:
        if self.closed_at is None:
            self.closed_at = time.monotonic()
        self._closed.set()

    def join(self, timeout: Optional[float]) -> bool:
        """Wait for the reader thread to end; True when it has."""
        if self._reader is threading.current_thread():
            return False
        self._reader.join(timeout)
        return not self._reader.is_alive()


def _is_shutdown_notice(data: Any) -> bool:
    return is_shutdown_notice(_text(data))


def _text(data: Any) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, (bytes, bytearray)) else str(data)
