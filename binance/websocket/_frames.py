"""A pure, incremental WebSocket frame parser for the stream reader (RFC 6455, client side, no extensions).

websocket-client reads every frame with two or three `recv` calls (header, length, payload), each
releasing and re-taking the GIL. The stream reader instead reads whatever the socket holds (up to
64 KiB) and hands it to `FrameParser.feed`, which returns every complete message in it: one
system call for hundreds of messages. No sockets, threads or clocks here.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from websocket import ABNF, WebSocketProtocolException

__all__ = ["FrameParser", "TEXT", "BINARY", "CLOSE", "PING", "PONG"]

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
_DATA = (TEXT, BINARY)
_CONTROL = (CLOSE, PING, PONG)
_MAX_CONTROL = 125


class FrameParser:
    """Turns the byte stream of one connection into `(opcode, payload)` messages.

    Fragmented messages are reassembled (their opcode is the first fragment's); control frames
    (close, ping, pong) are returned as they come, also between fragments. A frame that breaks the
    protocol (reserved opcode or bits, an oversized or fragmented control frame, a stray
    continuation) raises `websocket.WebSocketProtocolException`.
    """

    __slots__ = ("_pending", "_fragments", "_fragment_opcode", "_unread")

    def __init__(self) -> None:
        self._pending = b""
        self._fragments: List[bytes] = []
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
        return len(self._pending)

    def feed(self, data: bytes) -> List[Tuple[int, bytes]]:
        """Add `data`; return the messages completed by it, in order."""
        buf = self._pending + data if self._pending else data
        size = len(buf)
        out: List[Tuple[int, bytes]] = []
        append = out.append
        pos = 0
        while size - pos >= 2:
            b0 = buf[pos]
            b1 = buf[pos + 1]
            length = b1 & 0x7F
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
            if b1 & 0x80:
                if size - start < 4:
                    break
                mask = buf[start:start + 4]
                start += 4
            else:
                mask = None
            end = start + length
            if end > size:
                break
            payload = buf[start:end]
            pos = end
            if mask is not None:
                payload = ABNF.mask(mask, payload)
            if b0 == 0x81 or b0 == 0x82:
                if self._fragment_opcode is not None:
                    raise WebSocketProtocolException("a new message started inside a fragmented one")
                append((b0 & 0x0F, payload))
                continue
            self._slow_path(b0, payload, append)
        self._pending = buf[pos:] if pos else buf
        return out

    def _slow_path(self, b0: int, payload: bytes, append) -> None:
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
        elif opcode == CONT:
            if self._fragment_opcode is None:
                raise WebSocketProtocolException("continuation frame without a message")
            self._fragments.append(payload)
            if fin:
                append((self._fragment_opcode, b"".join(self._fragments)))
                self._fragment_opcode = None
                self._fragments = []
        else:
            raise WebSocketProtocolException(f"reserved opcode {opcode:#x}")
