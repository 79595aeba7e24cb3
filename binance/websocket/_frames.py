"""A pure, incremental WebSocket frame parser for the stream reader (RFC 6455, client side, no extensions).

websocket-client reads every frame with two or three `recv` calls (header, length, payload), each
releasing and re-taking the GIL. The stream reader instead reads whatever the socket holds (up to
64 KiB) and hands it to [FrameParser.feed][binance.websocket._frames.FrameParser.feed], which returns
every complete message in it: one system call for hundreds of messages. No sockets, threads or clocks here.

Cost is linear in the bytes fed: once a frame header says how long the frame is, the reads that
follow are only collected (not re-joined) until the frame is complete, so a frame of many megabytes
costs one copy, not one copy per read. A message longer than `max_message_size` (16 MiB by
default, far above any real Binance message: the largest, such as `!ticker@arr`, are well under
1 MiB) raises [MessageTooLargeError][binance.error.MessageTooLargeError] as soon as its header
arrives, before its payload is buffered. A masked frame raises too: a server must not mask (RFC 6455
section 5.1), so a masked frame means something other than the exchange is talking.
"""

from __future__ import annotations

from typing import Callable, List, Optional, Tuple

from websocket import WebSocketProtocolException

from binance.error import MessageTooLargeError

__all__ = ["FrameParser", "DEFAULT_MAX_MESSAGE_SIZE", "TEXT", "BINARY", "CLOSE", "PING", "PONG"]

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
_DATA = (TEXT, BINARY)
_CONTROL = (CLOSE, PING, PONG)
_MAX_CONTROL = 125

DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024
"""The default cap on one message (all fragments together), in bytes: 16 MiB."""


class FrameParser:
    """Turns the byte stream of one connection into `(opcode, payload)` messages.

    Fragmented messages are reassembled (their opcode is the first fragment's); control frames
    (close, ping, pong) are returned as they come, also between fragments. A frame that breaks the
    protocol (reserved opcode or bits, a masked frame, an oversized or fragmented control frame, a
    stray continuation) raises `websocket.WebSocketProtocolException`; a message longer than
    `max_message_size` bytes raises [MessageTooLargeError][binance.error.MessageTooLargeError].
    Either way the connection must be dropped: the parser's state is no longer usable.
    """

    __slots__ = (
        "_pending",
        "_chunks",
        "_have",
        "_need",
        "_fragments",
        "_fragment_size",
        "_fragment_opcode",
        "_unread",
        "max_message_size",
    )

    def __init__(self, max_message_size: Optional[int] = DEFAULT_MAX_MESSAGE_SIZE) -> None:
        if max_message_size is not None and max_message_size < 1:
            raise ValueError("max_message_size must be >= 1 or None")
        self.max_message_size = max_message_size
        self._pending = b""
        self._chunks: List[bytes] = []
        self._have = 0
        self._need = 0
        self._fragments: List[bytes] = []
        self._fragment_size = 0
        self._fragment_opcode: Optional[int] = None
        self._unread: List[Tuple[int, bytes]] = []

    def unread(self, messages: List[Tuple[int, bytes]]) -> None:
        """Put back parsed `messages` that were not handled; `take_unread` returns them."""
        self._unread = list(messages) + self._unread

    def take_unread(self) -> List[Tuple[int, bytes]]:
        """The messages put back by `unread` (and forget them)."""
        messages, self._unread = self._unread, []
        return messages

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a complete frame."""
        return self._have if self._need else len(self._pending)

    def feed(self, data: bytes) -> List[Tuple[int, bytes]]:
        """Add `data`; return the messages completed by it, in order."""
        if self._need:
            # The pending frame's length is known: collect reads until it is complete, join once.
            self._chunks.append(data)
            self._have += len(data)
            if self._have < self._need:
                return []
            self._chunks.insert(0, self._pending)
            buf = b"".join(self._chunks)
            self._chunks = []
            self._need = 0
        else:
            buf = self._pending + data if self._pending else data
        size = len(buf)
        out: List[Tuple[int, bytes]] = []
        append = out.append
        limit = self.max_message_size
        pos = 0
        while size - pos >= 2:
            b0 = buf[pos]
            b1 = buf[pos + 1]
            if b1 & 0x80:
                raise WebSocketProtocolException("masked frame from the server (RFC 6455 section 5.1)")
            length = b1
            start = pos + 2
            if length == 126:
                if size - start < 2:
                    break
                length = int.from_bytes(buf[start:start + 2], "big")
                start += 2
            elif length == 127:
                if size - start < 8:
                    break
                length = int.from_bytes(buf[start:start + 8], "big")
                start += 8
            if limit is not None and length > limit:
                raise MessageTooLargeError(length, limit)
            end = start + length
            if end > size:
                self._need = end - pos
                self._have = size - pos
                break
            pos = end
            if b0 == 0x81 or b0 == 0x82:
                if self._fragment_opcode is not None:
                    raise WebSocketProtocolException("a new message started inside a fragmented one")
                append((b0 & 0x0F, buf[start:end]))
                continue
            self._slow_path(b0, buf[start:end], append)
        self._pending = buf[pos:] if pos else buf
        return out

    def _slow_path(self, b0: int, payload: bytes, append: Callable[[Tuple[int, bytes]], None]) -> None:
        if b0 & 0x70:
            raise WebSocketProtocolException(f"reserved bits set without an extension: {b0:#04x}")
        opcode = b0 & 0x0F
        fin = b0 & 0x80
        if opcode in _CONTROL:
            if not fin or len(payload) > _MAX_CONTROL:
                raise WebSocketProtocolException("fragmented or oversized control frame")
            append((opcode, payload))
        elif opcode in _DATA:
            if self._fragment_opcode is not None:
                raise WebSocketProtocolException("a new message started inside a fragmented one")
            self._fragment_opcode = opcode
            self._fragments = [payload]
            self._fragment_size = len(payload)
        elif opcode == CONT:
            if self._fragment_opcode is None:
                raise WebSocketProtocolException("continuation frame without a message")
            self._fragments.append(payload)
            self._fragment_size += len(payload)
            limit = self.max_message_size
            if limit is not None and self._fragment_size > limit:
                raise MessageTooLargeError(self._fragment_size, limit)
            if fin:
                append((self._fragment_opcode, b"".join(self._fragments)))
                self._fragment_opcode = None
                self._fragments = []
                self._fragment_size = 0
        else:
            raise WebSocketProtocolException(f"reserved opcode {opcode:#x}")
