"""Hostile HTTP servers on 127.0.0.1 (plain sockets, one thread per connection); `conftest.py` hands
them out as fixtures.

A `HostileServer` reads each request (request line, headers, body), records it, and hands the socket
to a behaviour function that writes whatever a broken proxy, a captive portal or a misbehaving
exchange might: redirects, dripped headers or bodies, endless chunks, truncated bodies, 100 MB
bodies, gzip bombs, pages that are not JSON, malformed `/time` or `/exchangeInfo` answers.
"""

from __future__ import annotations

import gzip
import json
import socket
import ssl
import subprocess
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

API_KEY = "HOSTILEKEYvmPUSHoverTheEdgeQwErTy1234567890"
SECRET = "HOSTILESECRETdoNotLeakMe9876543210abcdef"
LISTEN_KEY = "LISTENKEYhostileZ0ZLHTU9HLXD1W2a1pqggaLSZhqnZ0ZLHTU9HLXD1W2a1x"


@dataclass
class Seen:
    """One request as a hostile server saw it."""

    method: str
    target: str
    headers: Dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> str:
        return urlsplit(self.target).query

    def params(self) -> Dict[str, str]:
        return dict(parse_qsl(self.query, keep_blank_values=True))

    def carries_credential(self) -> bool:
        """True when this request carries the API key, a signature or a listenKey."""
        text = self.target + " " + json.dumps(self.headers) + " " + self.body.decode("latin-1")
        return any(s in text for s in (API_KEY, LISTEN_KEY, "signature="))


Behaviour = Callable[[socket.socket, Seen], Optional[bool]]
"""Writes the answer to the socket; returns True to keep the connection open for the next request."""


def send_all(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False


def head(status: str, headers: Dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reply(status: str = "200 OK", body: bytes = b"{}", headers: Optional[Dict[str, str]] = None) -> Behaviour:
    """A complete answer with a Content-Length, then the connection is closed."""

    def behave(sock: socket.socket, seen: Seen) -> None:
        hdrs = {"Content-Type": "application/json", "Content-Length": str(len(body)), "Connection": "close"}
        hdrs.update(headers or {})
        send_all(sock, head(status, hdrs) + body)

    return behave


def json_reply(obj: object, status: str = "200 OK", headers: Optional[Dict[str, str]] = None) -> Behaviour:
    return reply(status, json.dumps(obj).encode(), headers)


def keep_alive_json(obj: object) -> Behaviour:
    """A complete JSON answer on a connection that stays open (HTTP/1.1 keep-alive)."""
    body = json.dumps(obj).encode()

    def behave(sock: socket.socket, seen: Seen) -> bool:
        return send_all(sock, head("200 OK", {"Content-Type": "application/json",
                                              "Content-Length": str(len(body))}) + body)

    return behave


def echo(status: str) -> Behaviour:
    """A server that writes the request (target and headers: the signature and the API key) back
    into its answer, as a JSON `msg` (the shape of Binance's errors)."""

    def behave(sock: socket.socket, seen: Seen) -> None:
        text = f"you sent {seen.method} {seen.target} with {seen.headers}"
        reply(status, json.dumps({"code": -1000, "msg": text}).encode())(sock, seen)

    return behave


def redirect(status: int, location: str) -> Behaviour:
    return reply(f"{status} Moved", b"", {"Location": location, "Content-Type": "text/html"})


def drip_headers(sock: socket.socket, seen: Seen) -> None:
    """The status line, then one header byte a second, forever."""
    if not send_all(sock, b"HTTP/1.1 200 OK\r\nX-Drip: "):
        return
    while send_all(sock, b"a"):
        time.sleep(1.0)


def drip_body(sock: socket.socket, seen: Seen) -> None:
    """Headers promising 1000 bytes, then one body byte a second."""
    if not send_all(sock, head("200 OK", {"Content-Type": "application/json", "Content-Length": "1000"}) + b"["):
        return
    while send_all(sock, b" "):
        time.sleep(1.0)


def endless_chunks(sock: socket.socket, seen: Seen) -> None:
    """A chunked body of one-byte chunks, one a second, that never ends."""
    if not send_all(sock, head("200 OK", {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})):
        return
    while send_all(sock, b"1\r\n \r\n"):
        time.sleep(1.0)


def truncated_body(sock: socket.socket, seen: Seen) -> None:
    """Headers promise 100 bytes; 10 come, then the connection closes."""
    send_all(sock, head("200 OK", {"Content-Type": "application/json", "Content-Length": "100"}) + b'{"orderId"')


def truncated_chunks(sock: socket.socket, seen: Seen) -> None:
    """A chunked body cut inside a chunk (requests: ChunkedEncodingError)."""
    send_all(sock, head("200 OK", {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
             + b"20\r\n{\"orderId\": 1")


def bad_gzip(sock: socket.socket, seen: Seen) -> None:
    """`Content-Encoding: gzip` over bytes that are not gzip (requests: ContentDecodingError)."""
    body = b"this is not gzip at all" * 10
    send_all(sock, head("200 OK", {"Content-Type": "application/json", "Content-Encoding": "gzip",
                                   "Content-Length": str(len(body))}) + body)


def big_body(size: int, declared: bool = True) -> Behaviour:
    """`size` bytes of spaces, sent as fast as the client reads; with `declared=False` there is no
    Content-Length (the body ends when the connection closes), so the client must count."""

    def behave(sock: socket.socket, seen: Seen) -> None:
        length = {"Content-Length": str(size)} if declared else {"Connection": "close"}
        if not send_all(sock, head("200 OK", dict({"Content-Type": "application/json"}, **length))):
            return
        block = b" " * (1 << 20)
        left = size
        while left > 0:
            n = min(left, len(block))
            if not send_all(sock, block[:n]):
                return
            left -= n

    return behave


_BOMB: Dict[int, bytes] = {}


def gzip_bomb_bytes(inflated: int = 500 * 1024 * 1024) -> bytes:
    """A gzip body of about 0.5 MB that inflates to `inflated` bytes of spaces (built once)."""
    if inflated not in _BOMB:
        packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        block = b" " * (1 << 20)
        parts = [packer.compress(block) for _ in range(inflated // len(block))]
        parts.append(packer.flush())
        _BOMB[inflated] = b"".join(parts)
    return _BOMB[inflated]


def gzip_bomb(sock: socket.socket, seen: Seen) -> None:
    body = gzip_bomb_bytes()
    send_all(sock, head("200 OK", {"Content-Type": "application/json", "Content-Encoding": "gzip",
                                   "Content-Length": str(len(body))}) + body)


def gzipped_json(obj: object) -> Behaviour:
    body = gzip.compress(json.dumps(obj).encode())
    return reply("200 OK", body, {"Content-Encoding": "gzip"})


class HostileServer:
    """A TCP server on 127.0.0.1:0 that records requests and answers with `behaviour` (or with the
    behaviour registered for the request's path in `routes`)."""

    def __init__(
        self,
        behaviour: Optional[Behaviour] = None,
        routes: Optional[Dict[str, Behaviour]] = None,
        tls: Optional[ssl.SSLContext] = None,
    ) -> None:
        self.behaviour = behaviour or reply()
        self.tls = tls
        self.routes = dict(routes or {})
        self.requests: List[Seen] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._closed = False
        self._conns: List[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, name="hostile-server", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            while True:
                seen = self._read_request(conn)
                if seen is None:
                    return
                self.requests.append(seen)
                if not self.routes.get(seen.path, self.behaviour)(conn, seen):
                    return
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    @staticmethod
    def _read_request(conn: socket.socket) -> Optional[Seen]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head_bytes, _, body = data.partition(b"\r\n\r\n")
        lines = head_bytes.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
        length = int(headers.get("Content-Length", "0") or 0)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return Seen(method, target, headers, body)

    def close(self) -> None:
        self._closed = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in the server thread
        except OSError:
            pass
        try:
            self._sock.close()
        except OSError:
            pass
        for conn in self._conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def self_signed_tls(folder: str) -> Optional[Tuple[ssl.SSLContext, str]]:
    """A server TLS context for 127.0.0.1 and the certificate file a client can trust (made with the
    openssl command; None when it is not installed)."""
    key, cert = f"{folder}/key.pem", f"{folder}/cert.pem"
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert, "-days", "2"],
                       check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, cert


def exception_chain_text(exc: BaseException) -> str:
    """Everything an exception chain shows or holds: str, repr, args, attributes (incl. a `.request`
    a requests exception would carry), for each exception reached through __cause__ / __context__."""
    out: List[str] = []
    todo: List[BaseException] = [exc]
    seen: List[BaseException] = []
    while todo:
        item = todo.pop()
        if any(item is s for s in seen):
            continue
        seen.append(item)
        out += [str(item), repr(item), repr(item.args)]
        for name, value in vars(item).items():
            out.append(f"{name}={value!r}")
            request = getattr(value, "request", None)
            if request is not None:
                out.append(repr(getattr(request, "url", "")) + repr(getattr(request, "headers", "")))
        request = getattr(item, "request", None)
        if request is not None:
            out.append(repr(getattr(request, "url", "")) + repr(getattr(request, "headers", "")))
        for link in (item.__cause__, item.__context__):
            if link is not None:
                todo.append(link)
    return "\n".join(out)
