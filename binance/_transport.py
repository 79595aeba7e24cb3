"""The REST transport policy: one exchange with the server, every failure typed.

`send` prepares the request through the session (its headers, auth, proxies and adapters), sends it
with requests' redirect handling bypassed, and reads the body under three rules:

* **deadline**: a number `timeout` bounds the whole call (connect, send, headers, body); a
  `(connect, read)` tuple bounds connecting by `connect` and the whole call by `connect + read`;
  `None` waits forever. Past the deadline: `ReadTimeoutError` (outcome unknown).
* **size cap**: the decoded body may weigh at most `max_bytes`; gzip and deflate are inflated step by
  step, never past the cap, so a compression bomb costs no more memory than the cap.
  Past it: `ResponseTooLargeError`.
* **no redirects**: an HTTP 3xx raises `RedirectError`; nothing is sent to its target.

Errors are raised outside any `except` block and chained to a `TransportFailure` that names only
exception types and the OS reason, so no exception chain carries the URL, the signature or a header.
`binance._answer` then turns the response into the result or a typed error.
"""

from __future__ import annotations

import logging
import socket
import ssl
import time
import zlib
from typing import Any, Dict, List, Optional, Tuple, Union
from urllib.parse import urlsplit

import requests
from requests.cookies import extract_cookies_to_jar
from requests.hooks import dispatch_hook
from urllib3.exceptions import ConnectTimeoutError as _Urllib3ConnectTimeout
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import ProxyError as _Urllib3ProxyError
from urllib3.exceptions import ReadTimeoutError as _Urllib3ReadTimeout

from binance._deadline import CallDeadline, install
from binance._redact import redact, redact_values
from binance.error import (
    ConnectError,
    ConnectionLostError,
    ConnectTimeoutError,
    Error,
    InvalidResponseError,
    NetworkError,
    OutcomeUnknownError,
    ParameterArgumentError,
    ReadTimeoutError,
    RedirectError,
    ResponseTooLargeError,
)

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "TransportFailure", "prepare_session", "send"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""The default cap on a decoded REST answer: 32 MiB, about 20 times the largest real Binance answer
(the USDⓈ-M `exchangeInfo`, under 2 MB)."""

ACCEPT_ENCODING = "gzip, deflate"
_CHUNK = 64 * 1024
_STEP = 256 * 1024  # most bytes one inflate step may produce: memory stays at the cap plus this
Timeout = Union[None, float, Tuple[Optional[float], Optional[float]]]


class TransportFailure(Exception):
    """The cause chained to a transport error: the failure's exception types and OS reason only
    (never the URL, its query, a header or a body), so a traceback cannot leak a secret."""


def prepare_session(session: requests.Session) -> None:
    """Mount the deadline adapter and ask only for encodings `send` can inflate under the cap."""
    install(session)
    session.headers["Accept-Encoding"] = ACCEPT_ENCODING


def send(
    session: requests.Session,
    method: str,
    url: str,
    path: str,
    timeout: Timeout,
    proxies: Optional[Dict[str, str]],
    max_bytes: int,
) -> requests.Response:
    """Send one request and return the response with its body read (`response.content`), or raise a
    `binance.error.Error`: `ParameterArgumentError` / `ConnectError` (not sent), or an
    `OutcomeUnknownError` (`ReadTimeoutError`, `ConnectionLostError`, `InvalidResponseError`)."""
    deadline, op_timeout = _limits(timeout)
    failure: Optional[Error] = None
    response: Optional[requests.Response] = None
    prepared: Optional[requests.PreparedRequest] = None
    stage = "prepare"
    with CallDeadline(deadline) as call:
        try:
            prepared, settings = _prepare(session, method, url, proxies)
            target = prepared.url or url
            adapter = session.get_adapter(target)
            stage = "send"
            response = adapter.send(prepared, stream=True, timeout=op_timeout, verify=settings["verify"],
                                    cert=settings["cert"], proxies=settings["proxies"])
            stage = "body"
            if 300 <= response.status_code < 400:
                raise _redirect(response, method, path, session)
            response._content = _read_body(response, max_bytes, call, method, path)
            if call.disarm():  # the socket was shut down at the deadline: what was read may be cut short
                raise ReadTimeoutError(_late(timeout), method, path)
        except Error as exc:
            failure = exc
        except Exception as exc:
            fired = call.disarm()
            failure = _translate(exc, stage, fired, call.sending, timeout, method, url, path,
                                 _proxy_for(proxies, url))
    if failure is not None:
        if response is not None:
            _discard(response)
        if isinstance(failure, InvalidResponseError):  # something other than Binance answered
            logger.warning("%s %s refused: %s", method, path, failure.message)
        elif isinstance(failure, NetworkError):
            logger.info("%s %s failed: %s", method, path, failure.message)
        raise failure
    assert response is not None and prepared is not None
    response._content_consumed = True
    if "set-cookie" in response.headers:
        extract_cookies_to_jar(session.cookies, prepared, response.raw)
    if prepared.hooks.get("response"):
        response = dispatch_hook("response", prepared.hooks, response)
    return response


def _prepare(session: requests.Session, method: str, url: str, proxies: Optional[Dict[str, str]]
             ) -> Tuple[requests.PreparedRequest, Dict[str, Any]]:
    """The prepared request and its proxies / verify / cert, as `session.prepare_request` and
    `session.merge_environment_settings` make them. A plain session (no auth, params, cookies or
    hooks, the environment already read: `trust_env` off, as [API][binance.api.API] leaves it) takes a
    short path to the same result: a fifth less client CPU per call, since requests' merge helpers
    check their arguments against runtime protocols several times per call."""
    if (session.auth is not None or session.params or session.cookies or session.trust_env
            or any(session.hooks.values()) or "@" in url.split("/", 3)[2]):
        prepared = session.prepare_request(requests.Request(method, url))
        return prepared, session.merge_environment_settings(prepared.url or url, proxies or {}, True, None, None)
    prepared = requests.PreparedRequest()
    prepared.prepare_method(method)
    prepared.prepare_url(url, None)
    prepared.prepare_headers(session.headers)
    prepared.prepare_body(None, None)
    prepared.prepare_hooks(session.hooks)
    merged = dict(session.proxies or {})
    merged.update(proxies or {})
    settings = {"proxies": {k: v for k, v in merged.items() if v is not None}, "stream": True,
                "verify": session.verify, "cert": session.cert}
    return prepared, settings


def _limits(timeout: Timeout) -> Tuple[Optional[float], Any]:
    """The call's deadline (monotonic) and the per-operation timeout handed to requests."""
    if timeout is None:
        return None, None
    if isinstance(timeout, tuple):
        connect, read = timeout
        if connect is None or read is None:
            return None, timeout
        return time.monotonic() + float(connect) + float(read), timeout
    seconds = float(timeout)
    return time.monotonic() + seconds, (seconds, seconds)


def _read_body(
    response: requests.Response, limit: int, call: CallDeadline, method: str, path: str
) -> bytes:
    """Read and decode the body in chunks; raise past `limit` decoded bytes or past the deadline."""
    headers = response.headers
    coding = headers.get("Content-Encoding", "").strip().lower()
    if coding in ("", "identity"):
        decoder = None
        declared = headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_large(limit, method, path)
    elif coding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif coding == "deflate":
        decoder = zlib.decompressobj()
    else:
        raise InvalidResponseError(f"the answer has an unsupported Content-Encoding {redact(coding[:40])!r}",
                                   method, path)
    raw = response.raw
    parts: List[bytes] = []
    size = 0
    while True:
        chunk = raw.read(_CHUNK, decode_content=False)
        if not chunk:
            break
        while chunk:
            if decoder is None:
                data, chunk = chunk, b""
            else:
                data = decoder.decompress(chunk, min(_STEP, limit - size + 1))
                chunk = decoder.unconsumed_tail
            size += len(data)
            if size > limit:
                raise _too_large(limit, method, path)
            parts.append(data)
        if call.deadline is not None and call.watch is None and time.monotonic() > call.deadline:
            raise ReadTimeoutError(_late(None), method, path)  # an adapter without the watchdog: checked per chunk
    if decoder is not None:
        if not decoder.eof:
            raise InvalidResponseError(f"the {coding} body ended before its end marker", method, path)
        parts.append(decoder.flush())
    return b"".join(parts)


def _late(timeout: Timeout) -> str:
    within = f" ({timeout} s)" if timeout is not None else ""
    return f"no complete answer within the timeout{within}; the request may have been executed"


def _too_large(limit: int, method: str, path: str) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"the answer is larger than max_response_bytes ({limit} bytes, decoded); it was dropped and the "
        "request may have been executed", method, path)


def _redirect(response: requests.Response, method: str, path: str, session: requests.Session) -> RedirectError:
    status = response.status_code
    location = redact_values(response.headers.get("Location", "")[:300], session.headers.get("X-MBX-APIKEY"))
    target = f" to {location}" if location else ""
    return RedirectError(
        f"HTTP {status} redirect{target} refused: Binance never redirects, so nothing was sent there; the server "
        "that answered got the request, so it may have been executed", method, path, status, location)


def _discard(response: requests.Response) -> None:
    """Close the response and its connection (never reused after a failure)."""
    try:
        response.raw.close()
        response.close()
    except Exception:  # closing a broken connection may fail again; it is dropped either way
        pass


def _proxy_for(proxies: Optional[Dict[str, str]], url: str) -> Optional[str]:
    """The explicit proxy for `url`'s scheme, for error messages only."""
    if not proxies:
        return None
    return proxies.get(urlsplit(url).scheme) or proxies.get("all")


def _chain(exc: BaseException) -> List[BaseException]:
    """`exc` and everything it wraps (causes, contexts, urllib3 reasons, exceptions in args)."""
    seen: List[BaseException] = []
    todo: List[Any] = [exc]
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is s for s in seen):
            continue
        seen.append(item)
        todo += [getattr(item, "reason", None), item.__cause__, item.__context__]
        todo += [a for a in item.args if isinstance(a, BaseException)]
    return seen


def _reason(chain: List[BaseException]) -> str:
    names = {type(e).__name__ for e in chain}
    for item in chain:
        if isinstance(item, socket.gaierror):
            return f"DNS lookup failed: {item.strerror}" if item.strerror else "DNS lookup failed"
    if "NameResolutionError" in names:
        return "DNS lookup failed"
    for item in chain:
        if isinstance(item, ConnectionRefusedError):
            return "connection refused"
        if isinstance(item, ssl.SSLCertVerificationError):
            return "TLS certificate verification failed"
        if isinstance(item, (socket.timeout, TimeoutError)):
            return "timed out"
    for item in chain:
        if isinstance(item, OSError) and item.strerror:
            return item.strerror
    if "RemoteDisconnected" in names:
        return "the server closed the connection without an answer"
    if "IncompleteRead" in names or "InvalidChunkLength" in names:
        return "the answer was cut short"
    return type(chain[-1]).__name__


def _translate(
    exc: BaseException,
    stage: str,
    fired: bool,
    sending: bool,
    timeout: Timeout,
    method: str,
    url: str,
    path: str,
    proxy: Optional[str],
) -> Error:
    chain = _chain(exc)
    reason = _reason(chain)
    if fired and not sending:  # the deadline passed while connecting (a TLS handshake, say)
        error: Error = ConnectTimeoutError(f"connecting to {_host_port(proxy or url)} did not finish within the "
                                           f"timeout ({timeout} s); the request was not sent", method, path)
    else:
        error = _classify(exc, chain, reason, stage, fired, timeout, method, url, path, proxy)
    error.__cause__ = TransportFailure(f"{reason} [{' < '.join(type(e).__name__ for e in chain)}]")
    error.__suppress_context__ = True
    return error


def _classify(
    exc: BaseException,
    chain: List[BaseException],
    reason: str,
    stage: str,
    fired: bool,
    timeout: Timeout,
    method: str,
    url: str,
    path: str,
    proxy: Optional[str],
) -> Error:
    if stage == "prepare":
        return ParameterArgumentError(f"cannot build the request ({type(exc).__name__}): check base_url, "
                                      "the API key (no spaces or line breaks) and proxies; nothing was sent")
    if fired:
        return ReadTimeoutError(_late(timeout), method, path)
    where = _host_port(proxy or url)
    if any(isinstance(e, (_Urllib3ProxyError, requests.exceptions.ProxyError)) for e in chain):
        return ConnectError(f"could not reach the proxy {where} ({reason}); the request was not sent", method, path)
    # urllib3's NewConnectionError subclasses its ConnectTimeoutError: test it first
    if any(isinstance(e, (NewConnectionError, ssl.SSLCertVerificationError)) for e in chain):
        return ConnectError(f"could not connect to {where} ({reason}); the request was not sent", method, path)
    if any(isinstance(e, (_Urllib3ConnectTimeout, requests.exceptions.ConnectTimeout)) for e in chain) and not any(
        isinstance(e, _Urllib3ReadTimeout) for e in chain
    ):
        return ConnectTimeoutError(f"connecting to {where} timed out; the request was not sent", method, path)
    if any(isinstance(e, (_Urllib3ReadTimeout, requests.exceptions.ReadTimeout, socket.timeout)) for e in chain):
        return ReadTimeoutError(f"no answer within the timeout ({timeout} s); the request may have been executed",
                                method, path)
    if isinstance(exc, zlib.error):
        return InvalidResponseError("the compressed body could not be decoded; the request may have been executed",
                                    method, path)
    if isinstance(exc, (OSError, requests.exceptions.RequestException)) or any(
        type(e).__module__.startswith(("urllib3", "http.client")) for e in chain
    ):
        return ConnectionLostError(f"the connection to {where} broke ({reason}); the request may have been executed",
                                   method, path)
    return OutcomeUnknownError(f"the request failed unexpectedly ({type(exc).__name__}); it may have been executed",
                               method, path)


def _host_port(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return f"{parts.hostname}:{port}"
    except ValueError:
        return "the server"
