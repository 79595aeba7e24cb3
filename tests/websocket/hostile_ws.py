"""A hostile WebSocket server for the client tests: plain sockets on 127.0.0.1, port 0, a thread per connection.

Each accepted connection is recorded (accept time, the raw handshake request, every byte the client
sent afterwards) and handed to a handler, which decides how to misbehave: complete the handshake
and close at once, answer with a redirect, send huge or masked frames, or complete the handshake
and record everything the client sends.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING = 0x1, 0x2, 0x8, 0x9


@dataclass
class Conn:
    """One accepted TCP connection."""

    sock: socket.socket
    accepted_at: float
    request: bytes = b""
    received: bytearray = field(default_factory=bytearray)
    closed: bool = False

    @property
    def path(self) -> str:
        line = self.request.split(b"\r\n", 1)[0].decode("latin-1")
        return line.split(" ")[1] if " " in line else ""

    def everything(self) -> bytes:
        """The handshake request and the payloads of every frame the client sent after it (unmasked)."""
        return self.request + b"".join(payload for _opcode, payload in client_frames(bytes(self.received)))


Handler = Callable[["HostileServer", Conn], None]


class HostileServer:
    """Accepts connections and runs ``handler(server, conn)`` for each on its own thread."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.conns: List[Conn] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(512)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._threads: List[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept_forever, name="hostile-ws-accept", daemon=True)
        self._acceptor.start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def attempts(self) -> List[float]:
        """Accept times (monotonic) of every connection so far."""
        with self._lock:
            return [c.accepted_at for c in self.conns]

    def connections(self) -> List[Conn]:
        with self._lock:
            return list(self.conns)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        return predicate()

    def close(self) -> None:
        self._stop.set()
        self._acceptor.join(5)
        self._listener.close()
        for conn in self.connections():
            _close(conn.sock)
        for thread in list(self._threads):
            thread.join(5)

    def __enter__(self) -> "HostileServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept_forever(self) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn = Conn(sock, time.monotonic())
            with self._lock:
                self.conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), name="hostile-ws-conn", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: Conn) -> None:
        try:
            conn.sock.settimeout(10)
            conn.request = read_request(conn.sock)
            if conn.request:
                self.handler(self, conn)
        except OSError:
            pass
        finally:
            conn.closed = True
            _close(conn.sock)

    def stopping(self) -> bool:
        return self._stop.is_set()


# ---------------------------------------------------------------------------- building blocks
def read_request(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return b""
        data += chunk
    return data


def client_frames(data: bytes) -> List[tuple]:
    """``(opcode, payload)`` of each complete frame in ``data`` sent by a client (payloads unmasked)."""
    out = []
    pos = 0
    while len(data) - pos >= 2:
        b0, b1 = data[pos], data[pos + 1]
        length, start = b1 & 0x7F, pos + 2
        if length == 126:
            length, start = int.from_bytes(data[start:start + 2], "big"), start + 2
        elif length == 127:
            length, start = int.from_bytes(data[start:start + 8], "big"), start + 8
        key = b""
        if b1 & 0x80:
            key, start = data[start:start + 4], start + 4
        end = start + length
        if end > len(data):
            break
        payload = data[start:end]
        if key:
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        out.append((b0 & 0x0F, payload))
        pos = end
    return out


def accept_handshake(sock: socket.socket, request: bytes) -> None:
    """Answer the client's handshake with a valid 101."""
    key = b""
    for line in request.split(b"\r\n"):
        if line.lower().startswith(b"sec-websocket-key:"):
            key = line.split(b":", 1)[1].strip()
    accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
    sock.sendall(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )


def frame(opcode: int, payload: bytes, fin: bool = True, masked: bool = False) -> bytes:
    """An RFC 6455 frame (server to client frames are unmasked unless ``masked``)."""
    head = bytes([(0x80 if fin else 0) | opcode])
    bit = 0x80 if masked else 0
    size = len(payload)
    if size < 126:
        head += bytes([bit | size])
    elif size < 65536:
        head += bytes([bit | 126]) + size.to_bytes(2, "big")
    else:
        head += bytes([bit | 127]) + size.to_bytes(8, "big")
    if not masked:
        return head + payload
    key = b"\x01\x02\x03\x04"
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def record_until_closed(server: HostileServer, conn: Conn, limit: float = 30.0) -> None:
    """Read and keep what the client sends until it closes (or ``limit`` seconds)."""
    conn.sock.settimeout(0.2)
    deadline = time.monotonic() + limit
    while not server.stopping() and time.monotonic() < deadline:
        try:
            chunk = conn.sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            return
        if not chunk:
            return
        conn.received += chunk


# ---------------------------------------------------------------------------- handlers
def close_after_handshake(server: HostileServer, conn: Conn) -> None:
    """Complete the handshake, then drop the connection at once."""
    accept_handshake(conn.sock, conn.request)


def redirect_to(target: str, status: int = 301) -> Handler:
    """Answer every handshake with a ``status`` redirect to ``target`` (path and query kept)."""

    def handler(server: HostileServer, conn: Conn) -> None:
        location = target.rstrip("/") + conn.path
        conn.sock.sendall(
            f"HTTP/1.1 {status} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode()
        )
        time.sleep(0.2)

    return handler


def accept_and_record(server: HostileServer, conn: Conn) -> None:
    """Complete the handshake and record everything the client sends."""
    accept_handshake(conn.sock, conn.request)
    record_until_closed(server, conn)


def send_after_handshake(*data: bytes, first_only: bool = False) -> Handler:
    """Complete the handshake, send ``data`` (raw frames), then record what the client sends.

    With ``first_only``, later connections are only accepted and recorded.
    """

    def handler(server: HostileServer, conn: Conn) -> None:
        accept_handshake(conn.sock, conn.request)
        if not first_only or server.connections()[0] is conn:
            for chunk in data:
                try:
                    conn.sock.sendall(chunk)
                except OSError:
                    return
        record_until_closed(server, conn)

    return handler


def _close(sock: Optional[socket.socket]) -> None:
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
