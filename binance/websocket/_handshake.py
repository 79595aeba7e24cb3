"""Opening a websocket-client socket the one way both WebSocket clients do it: redirects refused, trace redacted.

websocket-client follows up to three redirects of the handshake by itself, and after a redirect the
clients would send their API key, signatures or listenKeys to whatever host the `Location`
named. Binance never redirects its WebSocket hosts, so [open_socket][binance.websocket._handshake.open_socket]
turns redirects off and raises [HandshakeRedirectError][binance.error.HandshakeRedirectError] for
any 3xx answer: nothing is sent to the target, not even a TCP connection is made to it.

It also installs the redacting log filter of [binance._redact][binance._redact] on websocket-client's
`websocket` logger and on the handlers `websocket.enableTrace(True)` adds to it, so a trace
shows handshakes and frames with API keys, signatures and listenKeys masked.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping

import websocket
from websocket import WebSocketBadStatusException, WebSocketException

from binance._redact import install_redacting_filter, redact, redact_logger_handlers
from binance.error import HandshakeRedirectError

__all__ = ["open_socket", "redact_websocket_trace"]

_TRACE_LOGGER = "websocket"
_SENT_RAW = "++Sent raw:"


class _RawFrameFilter(logging.Filter):
    """Withholds the bytes of the frames the client sends from websocket-client's trace.

    Those frames are masked, and the mask key travels in the same bytes, so a secret inside them
    can be read back although no pattern matches it. The decoded line that follows each one is
    kept (and redacted).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace a `++Sent raw:` record's text; never drops a record."""
        msg = record.msg
        if isinstance(msg, str) and msg.startswith(_SENT_RAW):
            record.msg, record.args = f"{_SENT_RAW} (masked frame bytes withheld)", ()
        return True


def redact_websocket_trace() -> None:
    """Mask secrets in websocket-client's log: filters on its logger and on each of its handlers (idempotent)."""
    target = logging.getLogger(_TRACE_LOGGER)
    if not any(isinstance(f, _RawFrameFilter) for f in target.filters):
        target.addFilter(_RawFrameFilter())
    install_redacting_filter(_TRACE_LOGGER)
    redact_logger_handlers(target)


def open_socket(ws: websocket.WebSocket, url: str, timeout: float, options: Mapping[str, Any]) -> None:
    """`ws.connect(url)` without following redirects; a 3xx answer raises HandshakeRedirectError.

    On any failure the socket is closed before the exception propagates. The redirect error is
    raised without a chained cause: websocket-client's own exception carries the response headers.
    """
    redact_websocket_trace()
    settings = {key: value for key, value in options.items() if key != "redirect_limit"}
    try:
        ws.connect(url, timeout=timeout, redirect_limit=0, **settings)
    except WebSocketBadStatusException as exc:
        status = int(getattr(exc, "status_code", 0) or 0)
        if 300 <= status < 400:
            raise _redirect(status, getattr(exc, "resp_headers", None), url) from None
        raise
    except WebSocketException:
        redirect = _redirect_of(ws, url)
        if redirect is not None:
            raise redirect from None
        raise
    redirect = _redirect_of(ws, url)  # websocket-client versions that end a redirect without raising
    if redirect is not None:
        ws.shutdown()
        raise redirect


def _redirect_of(ws: websocket.WebSocket, url: str) -> "HandshakeRedirectError | None":
    response = getattr(ws, "handshake_response", None)
    status = int(getattr(response, "status", 0) or 0)
    if 300 <= status < 400:
        return _redirect(status, getattr(response, "headers", None), url)
    return None


def _redirect(status: int, headers: Any, url: str) -> HandshakeRedirectError:
    return HandshakeRedirectError(status, redact(_location(headers)), redact(url))


def _location(headers: Any) -> str:
    if not isinstance(headers, Mapping):
        return ""
    for key, value in headers.items():
        if str(key).lower() == "location":
            return str(value)
    return ""


redact_websocket_trace()  # at import, as binance.api does for urllib3; again at each connect for later handlers
