"""A recording HTTP server on 127.0.0.1 (port 0) that the real REST client talks to.

Every request is recorded (method, path, raw query, parsed params, headers, body); answers are
``200 {}`` unless a test queues others with :meth:`RecordingServer.respond`.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Deque, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

import pytest


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    raw_query: str
    params: List[Tuple[str, str]]
    headers: Dict[str, str]
    body: bytes

    def param_dict(self) -> Dict[str, str]:
        """The query params as a dict (the last value wins)."""
        return dict(self.params)

    def signed_payload_and_signature(self) -> Tuple[str, Optional[str]]:
        """The raw query without its ``signature`` part, and the raw (URL-encoded) signature value."""
        parts = self.raw_query.split("&") if self.raw_query else []
        signatures = [p.split("=", 1)[1] for p in parts if p.startswith("signature=")]
        rest = [p for p in parts if not p.startswith("signature=")]
        return "&".join(rest), (signatures[0] if signatures else None)


@dataclass
class _Answer:
    status: int
    body: bytes
    headers: Dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class RecordingServer:
    """ThreadingHTTPServer wrapper: ``url``, ``requests`` and scripted answers."""

    def __init__(self) -> None:
        self.requests: List[Recorded] = []
        self._answers: Deque[_Answer] = deque()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="recording-server", daemon=True
        )

    def start(self) -> "RecordingServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def respond(
        self,
        status: int = 200,
        body: Any = None,
        headers: Optional[Dict[str, str]] = None,
        delay: float = 0.0,
    ) -> None:
        """Queue the answer to the next request (``body``: bytes/str sent as is, anything else as JSON)."""
        if isinstance(body, str):
            raw = body.encode("utf-8")
        elif isinstance(body, bytes):
            raw = body
        else:
            raw = json.dumps({} if body is None else body).encode("utf-8")
        hdrs = {"Content-Type": "application/json"} if not isinstance(body, (str, bytes)) else {}
        hdrs.update(headers or {})
        with self._lock:
            self._answers.append(_Answer(status, raw, hdrs, delay))

    @property
    def last(self) -> Recorded:
        """The most recent request."""
        return self.requests[-1]

    def _next_answer(self) -> _Answer:
        with self._lock:
            if self._answers:
                return self._answers.popleft()
        return _Answer(200, b"{}", {"Content-Type": "application/json", "X-MBX-USED-WEIGHT-1M": "1"})

    def _handler_class(self) -> type:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append(
                    Recorded(
                        method=self.command,
                        path=split.path,
                        raw_query=split.query,
                        params=parse_qsl(split.query, keep_blank_values=True),
                        headers={k: v for k, v in self.headers.items()},
                        body=body,
                    )
                )
                answer = server._next_answer()
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for key, value in answer.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def server():
    """A started :class:`RecordingServer`; stopped after the test."""
    srv = RecordingServer().start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def closed_port() -> int:
    """A local port with nothing listening on it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
