"""Exceptions raised by the connector.

The 4.2.0 classes keep their names and attributes; the newer, more precise classes subclass them,
so `except ClientError` keeps catching a rate-limit error:

    Error
    ├── ClientError                  HTTP 4xx (status_code, error_code, error_message, header, error_data)
    │   ├── TooManyRequestsError     HTTP 429, retry_after seconds
    │   ├── IPBannedError            HTTP 418, retry_after seconds
    │   ├── TimestampError           -1021: timestamp outside recvWindow (not executed: safe to retry)
    │   ├── InvalidSignatureError    -1022: signature not valid
    │   ├── InvalidApiKeyError       -2014 / -2015: key format, key, IP or permissions
    │   └── AlgoOrderRequiredError   -4120: a USDⓈ-M conditional order belongs to new_algo_order
    ├── ServerError                  HTTP 5xx (status_code, message)
    ├── ParameterRequiredError       a required parameter is missing or empty (also a ValueError)
    ├── ParameterValueError          a value is not allowed (also a ValueError)
    ├── ParameterTypeError           a value has the wrong type (also a TypeError)
    ├── ParameterArgumentError       an argument is invalid (also a ValueError)
    │   └── PrivateKeyError          the private key does not parse (message never contains the key)
    └── NetworkError                 the transport failed
        ├── ConnectError             no connection was made: the request was not sent, retrying is safe
        │   └── ConnectTimeoutError
        └── OutcomeUnknownError      the request may have reached Binance: an order may have executed
            ├── ReadTimeoutError     sent, but no complete answer within the timeout (a deadline)
            ├── ConnectionLostError  the connection broke after the request was sent
            └── InvalidResponseError the answer is not a usable Binance answer (not JSON, malformed,
                │                    undecodable)
                ├── RedirectError    an HTTP 3xx: refused, nothing was sent to its target
                └── ResponseTooLargeError  the answer passed the size cap (`max_response_bytes`)

Every failure of a REST call is one of these: the `NetworkError` branch says whether the request
may have reached Binance (`ConnectError`: it was not sent; `OutcomeUnknownError`: it may have been).
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Mapping, Optional


class Error(Exception):
    """Base class of every exception raised by this library."""


class ClientError(Error):
    """Binance rejected the request (HTTP 4xx). Retrying the same request gives the same answer,
    except for the rate-limit subclasses, which say when to retry."""

    def __init__(
        self,
        status_code: int,
        error_code: Optional[int],
        error_message: Any,
        header: Optional[Mapping[str, str]],
        error_data: Any = None,
    ) -> None:
        # 4.2.0's args: a script may unpack `status, code, message, headers = e.args`.
        super().__init__(status_code, error_code, error_message, header)
        self.status_code = status_code
        self.error_code = error_code
        self.error_message = error_message
        self.header = header
        self.error_data = error_data

    method = ""
    """The HTTP method of the rejected request (set by the REST client; empty elsewhere)."""
    path = ""
    """The path of the rejected request, without its query (set by the REST client; empty elsewhere)."""

    def __str__(self) -> str:
        code = "" if self.error_code is None else f" code {self.error_code}"
        return f"HTTP {self.status_code}{code}: {self.error_message}{_where(self.method, self.path)}"


def _where(method: str, path: str) -> str:
    return f" ({method} {path})" if method else ""


MAX_RETRY_AFTER = 3 * 24 * 3600.0
"""The longest `retry_after` given (s): Binance's longest IP ban; a larger or non-finite header is cut to it."""


def retry_after_seconds(value: Any, default: float) -> float:
    """Seconds from a `Retry-After` header value (a number of seconds or an HTTP date), always finite,
    between 0 and `MAX_RETRY_AFTER`; `default` when the header is missing or does not parse."""
    if value is None:
        return default
    text = str(value).strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
            seconds = when.timestamp() - datetime.now(timezone.utc).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return default
    if math.isnan(seconds):
        return default
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class _RetryAfterMixin:
    header: Optional[Mapping[str, str]]
    default_retry_after = 60.0

    @property
    def retry_after(self) -> float:
        """Seconds to wait before the next request: the `Retry-After` header, or `default_retry_after`
        when it is missing or does not parse. Always a finite number, so `time.sleep(e.retry_after)` works."""
        return retry_after_seconds((self.header or {}).get("Retry-After"), self.default_retry_after)


class TooManyRequestsError(_RetryAfterMixin, ClientError):
    """HTTP 429: a request-weight or order-rate limit was passed. Back off for `retry_after`
    seconds (60 when the answer carries no `Retry-After`: the request-weight window); a client that
    keeps sending is banned (HTTP 418)."""

    default_retry_after = 60.0


class IPBannedError(_RetryAfterMixin, ClientError):
    """HTTP 418: the IP is banned for ignoring 429s; `retry_after` says until when (120 s, Binance's
    shortest ban, when the answer carries no `Retry-After`)."""

    default_retry_after = 120.0


class TimestampError(ClientError):
    """-1021: the timestamp was outside `recvWindow` or ahead of the server. The request was not
    executed, so sending it once more (after fixing the clock offset) is safe."""


class InvalidSignatureError(ClientError):
    """-1022: the signature did not verify (wrong secret or key, or the payload was altered)."""


class InvalidApiKeyError(ClientError):
    """-2014 / -2015: the API key is malformed, unknown, not allowed from this IP, or lacks permission."""


class ServerError(Error):
    """Binance failed (HTTP 5xx). For an order the outcome is unknown: query it before re-sending."""

    def __init__(self, status_code: int, message: Any) -> None:
        super().__init__(status_code, message)
        self.status_code = status_code
        self.message = message

    method = ""
    """The HTTP method of the failed request (set by the REST client)."""
    path = ""
    """The path of the failed request, without its query (set by the REST client)."""

    def __str__(self) -> str:
        return f"HTTP {self.status_code}: {self.message}{_where(self.method, self.path)}"


class ParameterRequiredError(Error, ValueError):
    """A required parameter is missing, `None` or empty; nothing was sent."""

    def __init__(self, params: list) -> None:
        super().__init__(params)
        self.params = params

    def __str__(self) -> str:
        return "%s is mandatory, but received empty." % (", ".join(self.params))


class ParameterValueError(Error, ValueError):
    """A parameter value is not one of the allowed values; nothing was sent."""

    def __init__(self, params: list) -> None:
        super().__init__(params)
        self.params = params

    def __str__(self) -> str:
        return "the enum value %s is invalid." % (", ".join(str(p) for p in self.params))


class ParameterTypeError(Error, TypeError):
    """A parameter has the wrong type; nothing was sent."""

    def __init__(self, params: list) -> None:
        super().__init__(params)
        self.params = params

    def __str__(self) -> str:
        return f"{self.params[0]} data type has to be {self.params[1]}"


class ParameterArgumentError(Error, ValueError):
    """An argument is invalid (for example `recvWindow` above 60000, a NaN price, or a value of a type
    that has no wire form); nothing was sent."""

    def __init__(self, error_message: str) -> None:
        super().__init__(error_message)
        self.error_message = error_message

    def __str__(self) -> str:
        return self.error_message


class PrivateKeyError(ParameterArgumentError):
    """The private key (or its passphrase) is not usable. The message never contains the key."""


class NetworkError(Error):
    """The transport failed or the answer was unusable; see the subclasses for whether a retry is safe."""

    def __init__(self, message: str, method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path

    def __str__(self) -> str:
        return f"{self.message}{_where(self.method, self.path)}"


class ConnectError(NetworkError):
    """No connection could be made; the request was never sent, so retrying is safe."""


class ConnectTimeoutError(ConnectError):
    """Connecting took longer than the timeout; the request was never sent, so retrying is safe."""


class OutcomeUnknownError(NetworkError):
    """The request may have reached Binance but no answer came back. Retrying is NOT safe for
    orders: the order may have executed. Query it (by `newClientOrderId`) before re-sending."""


class ReadTimeoutError(OutcomeUnknownError):
    """The request was sent but no answer arrived within the timeout; an order may have executed."""


class ConnectionLostError(OutcomeUnknownError):
    """The connection broke after the request was sent; an order may have executed."""


class InvalidResponseError(OutcomeUnknownError):
    """An answer came back but it is not a usable Binance answer: a body that is not JSON (a proxy's or
    captive portal's page), a body that cannot be decoded or is cut short, or a `/time` /
    `exchangeInfo` answer with missing or malformed fields. Something other than Binance may have
    answered, so for an order the outcome is unknown: query it before re-sending."""


class RedirectError(InvalidResponseError):
    """The server answered with an HTTP redirect (3xx). Binance never redirects its APIs, so this is a
    proxy, a captive portal or a wrong `base_url`. The redirect was not followed: nothing (no API key,
    no signature) was sent to its target, and nothing is returned as a result. The request did reach
    the server that answered, so for an order the outcome is unknown (most likely not executed)."""

    def __init__(
        self, message: str, method: str = "", path: str = "", status_code: int = 0, location: str = ""
    ) -> None:
        super().__init__(message, method, path)
        self.status_code = status_code
        self.location = location
        """The `Location` header (secrets masked), or empty."""


class ResponseTooLargeError(InvalidResponseError):
    """The answer (decoded) passed the client's `max_response_bytes` cap and was dropped unread past
    it. No real Binance answer comes near the default cap; for an order the outcome is unknown."""


_CLIENT_ERROR_BY_CODE = {
    -1021: TimestampError,
    -1022: InvalidSignatureError,
    -2014: InvalidApiKeyError,
    -2015: InvalidApiKeyError,
}


def client_error_class(status_code: int, error_code: Optional[int]) -> type:
    """The most precise [ClientError][binance.error.ClientError] subclass for an HTTP status and a Binance error
    code."""
    if status_code == 429:
        return TooManyRequestsError
    if status_code == 418:
        return IPBannedError
    return _CLIENT_ERROR_BY_CODE.get(error_code, ClientError) if error_code is not None else ClientError


class AlgoOrderRequiredError(ClientError):
    """-4120: since 2025-12-09 Binance refuses `STOP`, `STOP_MARKET`, `TAKE_PROFIT`, `TAKE_PROFIT_MARKET` and
    `TRAILING_STOP_MARKET` on USDⓈ-M `new_order` (`POST /fapi/v1/order`): they are algo orders. Nothing was
    placed; retrying the same request gives the same answer. Place the order with `new_algo_order`
    (`algoType="CONDITIONAL"`, `stopPrice` becomes `triggerPrice`, `activationPrice` becomes `activatePrice`,
    `newClientOrderId` becomes `clientAlgoId`). When the REST client knows the refused order,
    `algo_order_call` is that call, written out, and the message shows it."""

    algo_order_call = ""
    """The `new_algo_order(...)` call that places the same order (empty when the request is not known)."""

    def __str__(self) -> str:
        call = self.algo_order_call or "new_algo_order('CONDITIONAL', symbol, side, type, triggerPrice=..., ...)"
        return f"{super().__str__()}; place it with {call}"


_CLIENT_ERROR_BY_CODE[-4120] = AlgoOrderRequiredError


class HandshakeRedirectError(ConnectError):
    """The WebSocket handshake was answered with a redirect (HTTP 3xx). Binance never redirects its
    WebSocket hosts, so something else answered (a proxy, a captive portal, a hijacked name). The
    redirect is not followed: no API key, signature or listenKey was sent to its target. Retrying
    the same URL is safe but pointless until the network is fixed; a stream client keeps retrying
    with its backoff and reports each such failure through `on_error`.

    `status_code` is the HTTP status, `location` the redirect target (the caller masks secrets
    in it and in `url`). A WebSocket-only error: the handshake carries no request, so nothing was
    sent (unlike a REST redirect, which answers a request that reached the server).
    """

    def __init__(self, status_code: int, location: str, url: str = "") -> None:
        super().__init__(
            f"WebSocket handshake answered HTTP {status_code} redirect to {location or '(no Location)'};"
            " not followed, nothing was sent there",
            "CONNECT",
            url,
        )
        self.status_code = status_code
        self.location = location


class MessageTooLargeError(NetworkError):
    """A WebSocket message was longer than the client's `max_message_size` (default 16 MiB, far above
    any real Binance message). The connection was dropped without reading the message; a stream
    client reconnects and resubscribes, the WebSocket API client opens a new connection (requests in
    flight on the dropped one raise [ConnectionLostError][binance.error.ConnectionLostError]).
    `size` is the announced length in bytes, `limit` the cap."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"WebSocket message of {size} bytes exceeds max_message_size={limit}")
        self.size = size
        self.limit = limit
