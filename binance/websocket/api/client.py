"""The WebSocket API client: signed requests over one persistent connection, called from any thread.

Lifecycle (one state, logged from `WebsocketAPIClient._set_state`):

    CONNECTING ──> OPEN ──(drop)──> RECONNECTING ──> OPEN ...
        └──────────────┴──────────────────┴──(stop)──> CLOSED

A supervisor thread opens the connection (with backoff after failures), reopens it after a drop,
and replaces it before `max_connection_age` (Binance closes connections at 24 h) or when the
server sends a `serverShutdown` event: the new connection takes new requests while the old one
finishes its in-flight requests.

Delivery rules a caller relies on:

* a request is sent at most once; nothing is ever re-sent automatically;
* a request still waiting when the connection drops raises
  [ConnectionLostError][binance.error.ConnectionLostError] at once (its outcome is unknown: query the order);
* no reply within `timeout` raises [ReadTimeoutError][binance.error.ReadTimeoutError] (outcome unknown);
* no connection within `timeout` raises [ConnectError][binance.error.ConnectError] (nothing sent);
* an error reply raises the same typed errors as REST (ClientError subclasses, ServerError).
"""

from __future__ import annotations

import enum
import itertools
import logging
import threading
import time
from typing import Any, Dict, List, Mapping, Optional

from binance._params import MAX_RECV_WINDOW as MAX_RECV_WINDOW  # re-exported (was defined here)
from binance._params import check_recv_window
from binance._rate_guard import RateGuard
from binance._redact import redact
from binance._signing import KeyMaterial, make_signer
from binance.environments import EnvironmentLike, get_environment
from binance.error import (
    ConnectError,
    ConnectionLostError,
    HandshakeRedirectError,
    ParameterArgumentError,
    ReadTimeoutError,
)
from binance.lib.utils import check_required_parameter
from binance.ratelimit import request_cost
from binance.websocket._attempts import CONNECTION_GUARD
from binance.websocket._backoff import ReconnectPolicy, backoff
from binance.websocket._frames import DEFAULT_MAX_MESSAGE_SIZE
from binance.websocket.api._link import Link
from binance.websocket.api._methods import METHODS, WsMethod
from binance.websocket.api._pending import RegistryClosed, Waiter
from binance.websocket.api._protocol import build_params, encode_request, reply_error

logger = logging.getLogger(__name__)

__all__ = ["WebsocketAPIClient", "PendingCall", "State"]

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_CONNECTION_AGE = 23 * 3600.0


class State(enum.Enum):
    """Where the client's connection is."""

    CONNECTING = "CONNECTING"
    OPEN = "OPEN"
    RECONNECTING = "RECONNECTING"
    CLOSED = "CLOSED"


class WebsocketAPIClient:
    """Base class of the UM and COIN-M WebSocket API clients (use those; `market` is "um" or "cm").

    Args:
        api_key: API key; needed by signed and user-stream methods.
        api_secret: API secret for HMAC-SHA256 signing.

    Keyword Args:
        private_key: PEM text, bytes or path of an RSA or Ed25519 key (wins over `api_secret`).
        private_key_pass: passphrase of an encrypted `private_key`.
        stream_url: the WebSocket API URL (default: the market's production URL).
        timeout: seconds a call waits for its reply (and for a connection); default 10.
        recv_window: `recvWindow` added to every signed request unless the call passes one.
        return_full_response: return the whole reply (`id`, `status`, `result`, `rateLimits`)
            instead of `result`.
        return_rate_limits: ask Binance to include `rateLimits` in replies (default True).
        max_connection_age: replace the connection after this many seconds (Binance drops at 24 h).
        reconnect_policy: backoff between connection attempts
            ([ReconnectPolicy][binance.websocket.api.client.ReconnectPolicy]).
        connect_timeout: seconds one connection attempt may take.
        time_offset_ms: added to the local clock for `timestamp` (server time minus local time).
        connection_options: extra keyword args for `websocket.WebSocket.connect` (proxy, headers ...);
            redirects are never followed whatever they say.
        max_message_size: bytes one incoming message may have (16 MiB by default, `None`: no cap);
            a longer one drops the connection (requests in flight raise ConnectionLostError), is
            logged and counted in `oversized_messages`, and a new connection is opened.
        environment: `"production"` (default), `"testnet"`, `"demo"`, an
            [Environment][binance.environments.Environment] or a started sandbox; picks the URL when no
            `stream_url` is given.
        rate_limit_guard: before each request, wait when it would pass the request-weight limit, and fail
            an order at once with [RateLimitGuardError][binance.ratelimit.RateLimitGuardError] when it would
            pass an order-count limit or a 429/418 is in force; learns the limits and usage from the replies'
            `rateLimits` (read when a call's result is taken).
        rate_limit_store: a Redis URL shared with other clients and processes (REST ones too): as for
            [API][binance.api.API]; implies `rate_limit_guard`.
        rate_limit_scope: the name of the shared request-weight budget (one per public IP).

    The connection is opened in the background at construction; calls made before it is open wait
    for it (up to `timeout`). Call [stop][binance.websocket.api.client.WebsocketAPIClient.stop] when done (or use the
    client as a context manager).
    """

    market = ""
    default_url = ""

    def __init__(
        self,
        api_key: Optional[str] = None,
        api_secret: Optional[str] = None,
        *,
        private_key: Optional[KeyMaterial] = None,
        private_key_pass: Optional[KeyMaterial] = None,
        stream_url: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        recv_window: Optional[int] = None,
        return_full_response: bool = False,
        return_rate_limits: bool = True,
        max_connection_age: float = DEFAULT_MAX_CONNECTION_AGE,
        reconnect_policy: Optional[ReconnectPolicy] = None,
        connect_timeout: float = 10.0,
        time_offset_ms: int = 0,
        connection_options: Optional[Dict[str, Any]] = None,
        environment: Optional[EnvironmentLike] = None,
        max_message_size: Optional[int] = DEFAULT_MAX_MESSAGE_SIZE,
        rate_limit_guard: bool = False,
        rate_limit_store: Optional[str] = None,
        rate_limit_scope: Optional[str] = None,
    ) -> None:
        if self.market not in METHODS:
            raise TypeError("use UMFuturesWebsocketAPIClient or CMFuturesWebsocketAPIClient")
        check_recv_window(recv_window)
        if timeout is None or timeout <= 0:
            raise ParameterArgumentError("timeout must be a positive number of seconds")
        self.api_key = api_key
        self._signer = make_signer(api_secret, private_key, private_key_pass)
        self.url = stream_url or get_environment(environment or "production").ws_api_url(self.market)
        self.timeout = float(timeout)
        self.recv_window = recv_window
        self.return_full_response = return_full_response
        self.return_rate_limits = return_rate_limits
        self.max_connection_age = float(max_connection_age)
        self.reconnect_policy = reconnect_policy or ReconnectPolicy()
        self._delays = backoff(self.reconnect_policy)
        self.connect_timeout = connect_timeout
        self.time_offset_ms = time_offset_ms
        self._connection_options = dict(connection_options or {})
        self.max_message_size = max_message_size
        self.oversized_messages = 0
        self._methods: Mapping[str, WsMethod] = METHODS[self.market]
        self.rate_limit_guard = rate_limit_guard or rate_limit_store is not None
        self._rate_guard = RateGuard(
            self.market, lambda: int(time.time() * 1000) + self.time_offset_ms, rate_limit_store, rate_limit_scope,
            api_key,
        )

        self.last_rate_limits: Optional[List[Dict[str, Any]]] = None
        self._ids = itertools.count(1)
        self._link_numbers = itertools.count(1)
        self._cond = threading.Condition()
        self._state = State.CONNECTING
        self._link: Optional[Link] = None
        self._links: List[Link] = []
        self._wake = threading.Event()
        self._replace_requested: Optional[Link] = None
        self._stopping = threading.Event()
        self._last_error: Optional[BaseException] = None
        self._supervisor = threading.Thread(
            target=self._supervise, name=f"binance-ws-api-{self.market}", daemon=True
        )
        self._supervisor.start()

    # ------------------------------------------------------------------ public
    @property
    def state(self) -> State:
        """The connection state (CONNECTING, OPEN, RECONNECTING, CLOSED)."""
        return self._state

    def wait_until_open(self, timeout: Optional[float] = None) -> bool:
        """Block until the connection is open (True) or `timeout` passes / the client stops (False)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        with self._cond:
            while self._state is not State.OPEN:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._state is State.CLOSED:
                    return False
                self._cond.wait(remaining)
        return True

    def send_request(
        self,
        method: str,
        params: Optional[Mapping[str, Any]] = None,
        *,
        security: Optional[str] = None,
        full_response: Optional[bool] = None,
        timeout: Optional[float] = None,
    ) -> Any:
        """Send one request and block for its reply; return `result` (or the whole reply).

        `method` is a Binance method name (`"order.place"`); `security` defaults to the
        method's own (`NONE`, `USER_STREAM`, `USER_DATA`, `TRADE`) and must be given for a
        method this library does not list. `None` values in `params` are dropped.

        Raises: ConnectError (no connection in time: not sent, safe to retry),
        ConnectionLostError / ReadTimeoutError (outcome unknown: query before re-sending an order),
        ClientError subclasses / ServerError (Binance's error reply).
        """
        return self.submit(method, params, security=security, full_response=full_response, timeout=timeout).result()

    def submit(
        self,
        method: str,
        params: Optional[Mapping[str, Any]] = None,
        *,
        security: Optional[str] = None,
        full_response: Optional[bool] = None,
        timeout: Optional[float] = None,
    ) -> "PendingCall":
        """Send one request without waiting for its reply; return a
        [PendingCall][binance.websocket.api.client.PendingCall] whose
        `result()` blocks for it (same arguments and errors as
        [send_request][binance.websocket.api.client.WebsocketAPIClient.send_request]). Lets one
        thread keep several requests in flight. Blocks only while no connection is open (up to
        `timeout`: then ConnectError, nothing sent)."""
        if security is None:
            info = self._methods.get(method)
            if info is None:
                raise ParameterArgumentError(f"unknown method {method!r}: pass security= for it")
            security = info.security
        timeout = self.timeout if timeout is None else timeout
        full = self.return_full_response if full_response is None else full_response
        params = dict(params or {})
        signed = security in ("TRADE", "USER_DATA")
        if signed and self.recv_window is not None and params.get("recvWindow") is None:
            params["recvWindow"] = self.recv_window
        check_recv_window(params.get("recvWindow"))
        if not self.return_rate_limits and "returnRateLimits" not in params:
            params["returnRateLimits"] = False
        if security != "NONE" and not self.api_key:
            raise ParameterArgumentError(f"{method} needs an API key")
        if signed and self._signer is None:
            raise ParameterArgumentError(f"{method} is signed: give api_secret or private_key")
        sent_ms = self._guard(method, params) if self.rate_limit_guard else None
        deadline = time.monotonic() + timeout
        while True:
            link = self._wait_for_link(deadline, method)
            request_id = next(self._ids)
            frame = encode_request(
                request_id,
                method,
                build_params(
                    params,
                    api_key=self.api_key if security != "NONE" else None,
                    signer=self._signer if signed else None,
                    timestamp=int(time.time() * 1000) + self.time_offset_ms if signed else None,
                ),
            )
            try:
                waiter = link.register(request_id)
            except RegistryClosed:
                continue  # that connection died before this request was sent: use the next one
            call = PendingCall(self, link, waiter, method, deadline, timeout, full)
            call.sent_ms = sent_ms
            try:
                link.send(frame)
            except Exception as exc:  # noqa: BLE001 - a write on a broken socket may have gone out partly
                link.pending.discard(request_id)
                raise ConnectionLostError(f"connection lost while sending {method}", method, link.url) from exc
            return call

    def stop(self, timeout: float = 5.0) -> None:
        """Close the connection and join every thread this client started (idempotent, bounded by
        `timeout`). Requests still in flight raise ConnectionLostError; later calls raise ConnectError."""
        self._stopping.set()
        self._wake.set()
        with self._cond:
            links = list(self._links)
        for link in links:
            link.close("client stopped")
        deadline = time.monotonic() + timeout
        if self._supervisor is not threading.current_thread():
            self._supervisor.join(max(0.0, deadline - time.monotonic()))
        for link in links:
            link.join(max(0.0, deadline - time.monotonic()))
        self._set_state(State.CLOSED)

    def threads(self) -> List[threading.Thread]:
        """The threads this client started that are still alive (empty after
        [stop][binance.websocket.api.client.WebsocketAPIClient.stop])."""
        with self._cond:
            links = list(self._links)
        alive = [self._supervisor] + [link._reader for link in links]
        return [t for t in alive if t.is_alive()]

    def __enter__(self) -> "WebsocketAPIClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # ------------------------------------------------------------------ internals
    def _guard(self, method: str, params: Mapping[str, Any]) -> int:
        info = self._methods.get(method)
        weight, orders = request_cost(info.http_method, info.rest_path, params) if info else (1, 0)
        return self._rate_guard.before(method, weight, orders)

    def _observe(self, reply: Any, sent_ms: Optional[int]) -> None:
        """Learn the usage and limits from a reply's `rateLimits`, and a 429/418's `retryAfter`."""
        data = (reply.error or {}).get("data") if reply.status in (418, 429) else None
        retry_ms = data.get("retryAfter") if isinstance(data, dict) else None
        self._rate_guard.observe_rate_limits(reply.rate_limits, sent_ms, reply.status, retry_ms)

    def _call(self, method: str, required: Mapping[str, Any], kwargs: Mapping[str, Any]) -> Any:
        for name, value in required.items():
            check_required_parameter(value, name)
        params = dict(required)
        params.update(kwargs)
        try:
            return self.send_request(method, params)
        except Exception as exc:
            if method == "order.place":  # -4120: name the algoOrder.place call that places the same order
                from binance._algo_orders import name_algo_order_call

                name_algo_order_call(exc, params, call_name="algo_order_place")
            raise

    def _wait_for_link(self, deadline: float, method: str) -> Link:
        with self._cond:
            while True:
                if self._state is State.CLOSED or self._stopping.is_set():
                    raise ConnectError(f"client is stopped: {method} not sent", method, self.url)
                link = self._link
                if self._state is State.OPEN and link is not None and not link.closed:
                    return link
                last = self._last_error
                if isinstance(last, HandshakeRedirectError):
                    # Binance never redirects: this will not heal by waiting (the client keeps retrying).
                    raise HandshakeRedirectError(last.status_code, last.location, redact(self.url))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    why = f" ({redact(str(last))})" if last else ""
                    raise ConnectError(f"no connection{why}: {method} not sent", method, self.url)
                self._cond.wait(remaining)

    def _set_state(self, state: State) -> None:
        with self._cond:
            if self._state is state or self._state is State.CLOSED:
                return
            logger.info("ws-api %s: %s -> %s", self.market, self._state.value, state.value)
            self._state = state
            self._cond.notify_all()

    def _on_link_closed(self, link: Link) -> None:
        with self._cond:
            if link.oversized:
                self.oversized_messages += 1
            if link in self._links:
                self._links.remove(link)
            if self._link is link:
                self._link = None
                if not self._stopping.is_set():
                    self._set_state(State.RECONNECTING)
        self._wake.set()

    def _on_shutdown_notice(self, link: Link) -> None:
        self._replace_requested = link
        self._wake.set()

    def _open_link(self) -> Link:
        return Link.open(
            self.url,
            self._on_link_closed,
            next(self._link_numbers),
            self.connect_timeout,
            self._connection_options,
            self._on_shutdown_notice,
            self.max_message_size,
        )

    def _connect_with_backoff(self, previous: Optional[Link] = None) -> Optional[Link]:
        """Open a new connection, waiting between failed attempts.

        `previous` is the connection being replaced (closed or about to be). If it stayed open
        `reconnect_policy.healthy_after` seconds the backoff starts over and the first attempt is
        made at once; otherwise the backoff goes on growing and the next delay is waited first, so a
        server that closes right after the handshake is retried ever more slowly.
        """
        if previous is not None:
            if self.reconnect_policy.proven_healthy(previous.lifetime()):
                self._delays = backoff(self.reconnect_policy)
            elif not self._back_off(f"connection {previous.number} lasted {previous.lifetime():.1f} s"):
                return None
        while not self._stopping.is_set():
            if not CONNECTION_GUARD.wait_turn(self.url, self._stopping):
                return None
            try:
                return self._open_link()
            except Exception as exc:  # noqa: BLE001 - every connect failure is retried
                with self._cond:
                    self._last_error = exc
                    self._cond.notify_all()  # callers waiting for a connection re-check (a redirect fails them)
                if not self._back_off(f"connect failed ({exc})"):
                    return None
        return None

    def _back_off(self, reason: str) -> bool:
        """Wait the next backoff delay; False when the policy is exhausted (the client then stops)."""
        delay = next(self._delays, None)
        if delay is None:
            logger.error("ws-api %s: giving up connecting: %s", self.market, reason)
            self._stopping.set()
            return False
        logger.warning("ws-api %s: %s; retrying in %.2fs", self.market, reason, delay)
        self._stopping.wait(delay)
        return True

    def _install(self, link: Link) -> bool:
        with self._cond:
            stopping = self._stopping.is_set()
            if not stopping:
                self._link = link
                self._links.append(link)
                self._last_error = None
        if stopping:
            link.close("client stopped")
            link.join(1.0)
            return False
        self._set_state(State.OPEN)
        return True

    def _supervise(self) -> None:
        link: Optional[Link] = None
        try:
            while not self._stopping.is_set():
                if link is None or link.closed:
                    link = self._connect_with_backoff(link)
                    if link is None or not self._install(link):
                        break
                link = self._watch(link) or link
        finally:
            self._set_state(State.CLOSED)

    def _watch(self, link: Link) -> Optional[Link]:
        """Wait while `link` is the live connection; return its replacement when it grew too old,
        or None when it closed (or the client stops)."""
        born = time.monotonic()
        while not self._stopping.is_set():
            remaining = born + self.max_connection_age - time.monotonic()
            self._wake.wait(max(0.0, remaining))
            self._wake.clear()
            if self._stopping.is_set() or link.closed:
                return None
            if self._replace_requested is link or time.monotonic() - born >= self.max_connection_age:
                return self._rotate(link)
        return None

    def _rotate(self, old: Link) -> Optional[Link]:
        logger.info("ws-api %s: replacing connection %s", self.market, old.number)
        new = self._connect_with_backoff(old)
        if new is None or not self._install(new):
            return None
        drain_until = time.monotonic() + self.timeout
        while not self._stopping.is_set() and time.monotonic() < drain_until:
            if old.pending.wait_idle(0.05):
                break
        old.close("replaced by a new connection")
        old.join(1.0)
        return new


class PendingCall:
    """A request that was sent; [result][binance.websocket.api.client.PendingCall.result] waits for its reply (until the
    call's deadline)."""

    __slots__ = ("_client", "_link", "_waiter", "method", "_deadline", "_timeout", "_full", "_started", "sent_ms")

    def __init__(self, client: WebsocketAPIClient, link: Link, waiter: Waiter, method: str, deadline: float,
                 timeout: float, full: bool) -> None:
        self._client = client
        self._link = link
        self._waiter = waiter
        self.method = method
        self._deadline = deadline
        self._timeout = timeout
        self._full = full
        self._started = time.perf_counter()
        self.sent_ms: Optional[int] = None

    @property
    def request_id(self) -> Any:
        """The id the request was sent with."""
        return self._waiter.request_id

    def done(self) -> bool:
        """True once the reply (or the connection loss) has arrived."""
        return self._waiter.wait(0)

    def result(self) -> Any:
        """Block for the reply; return `result` (or the whole reply) or raise as
        [send_request][binance.api.API.send_request]."""
        waiter = self._waiter
        if not waiter.wait(max(0.0, self._deadline - time.monotonic())):
            self._link.pending.discard(waiter.request_id)
            if not waiter.wait(0):
                raise ReadTimeoutError(
                    f"no reply to {self.method} within {self._timeout}s", self.method, self._link.url
                )
        if waiter.error is not None:
            raise waiter.error
        reply = waiter.reply
        assert reply is not None
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s id=%s status=%s %.1fms", self.method, waiter.request_id, reply.status,
                        (time.perf_counter() - self._started) * 1000)
        if reply.rate_limits is not None:
            self._client.last_rate_limits = reply.rate_limits
        if self._client.rate_limit_guard:
            self._client._observe(reply, self.sent_ms)
        if not reply.ok:
            raise reply_error(reply)
        return reply.raw if self._full else reply.result
