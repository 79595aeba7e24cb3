"""User-data stream helper for both markets: creates, keeps alive, replaces and deletes the listenKey.

    from binance.um_futures import UMFutures
    from binance.websocket.user_data import UserDataStream

    stream = UserDataStream(UMFutures(key, secret), on_message=handler)   # UM: routed to /private
    stream.wait_ready(5)                                                   # the subscription is live
    ...
    stream.stop()                                                          # deletes the listenKey

The stream connects to the REST client's environment (production, testnet, demo or a sandbox:
`client.environment`, also recognised from a known `base_url`) unless `stream_url` is given; a
REST client on an unknown host needs `stream_url` (a ValueError says so) rather than silently
reading the production stream host.

The listenKey is created over REST (`new_listen_key`), kept alive every `keepalive_interval`
seconds (`renew_listen_key`) from the helper's own timer thread, never from a socket thread.
When the stream reports `listenKeyExpired` or a keepalive is rejected, a new key is created and
the stream resubscribed. `stop()` deletes the key (`close_listen_key`). The key itself is
never logged. Events of the short gap while a key is replaced may be missed: reconcile with REST
(open orders, positions) in `on_reconnect`/`on_listen_key` if that matters.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Union

from binance.environments import environment_of_rest_url, get_environment
from binance.websocket._backoff import ReconnectPolicy, backoff
from binance.websocket.websocket_client import (
    BinanceWebsocketClient,
    OnClose,
    OnError,
    OnMessage,
    OnOpen,
    OnPing,
    OnPong,
    OnReconnect,
)

if TYPE_CHECKING:  # pragma: no cover
    from binance.cm_futures import CMFutures
    from binance.um_futures import UMFutures

__all__ = ["UserDataStream"]

_LOG = logging.getLogger(__name__)
_EXPIRED_MARKER = "listenKeyExpired"
# SUBSCRIBE ids of this helper: far above the millisecond timestamps the stream clients use.
_SUBSCRIBE_IDS = itertools.count(10**15 + 1)


class UserDataStream:
    """One user-data stream (USDⓈ-M or COIN-M) whose listenKey this helper owns."""

    def __init__(
        self,
        rest_client: Union["UMFutures", "CMFutures"],
        on_message: Optional[OnMessage] = None,
        *,
        market: Optional[str] = None,
        stream_url: Optional[str] = None,
        keepalive_interval: float = 30 * 60.0,
        on_error: Optional[OnError] = None,
        on_listen_key: Optional[Callable[["UserDataStream"], object]] = None,
        logger: Optional[logging.Logger] = None,
        on_open: Optional[OnOpen] = None,
        on_close: Optional[OnClose] = None,
        on_ping: Optional[OnPing] = None,
        on_pong: Optional[OnPong] = None,
        on_reconnect: Optional[OnReconnect] = None,
        is_combined: bool = False,
        proxies: Optional[Dict[str, str]] = None,
        timeout: float = 10.0,
        reconnect_policy: Optional[ReconnectPolicy] = None,
        silence_timeout: Optional[float] = 60.0,
        ping_timeout: Optional[float] = 600.0,
        max_connection_age: Optional[float] = 23 * 3600.0,
        max_messages_per_second: int = 10,
        queue_size: int = 10000,
    ) -> None:
        """Create the listenKey (REST, blocking), open the stream and start the keepalive timer.

        `rest_client` is a `UMFutures` or `CMFutures` with an API key; `market` ("um"/"cm")
        is inferred from it when omitted. Without `stream_url` the stream host is that of the REST
        client's environment. The constructor returns before the subscription is live: call
        [wait_ready][binance.websocket.user_data.UserDataStream.wait_ready] before placing an order whose
        events you need. `on_message(ws_client, text)` and `on_error` are as
        for the stream clients; `on_listen_key(stream)` is called after a key was replaced.
        Other keyword arguments go to the stream client.
        The options from `on_open` on are the stream client's (see `BinanceWebsocketClient`).
        """
        if keepalive_interval <= 0:
            raise ValueError("keepalive_interval must be > 0")
        self._rest = rest_client
        self._market = market or _market_of(rest_client)
        self._on_message = on_message
        self._on_error = on_error
        self._on_listen_key = on_listen_key
        self._log = logger or _LOG
        self.keepalive_interval = keepalive_interval
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._stopped = False
        self.renewals = 0
        self._ready = threading.Event()
        self._subscribe_id: Optional[int] = None
        stream_url = stream_url or _stream_url_of(rest_client, self._market)
        self.listen_key: str = self._create_key()
        ws_options: Dict[str, Any] = {
            "on_open": on_open,
            "on_close": on_close,
            "on_ping": on_ping,
            "on_pong": on_pong,
            "on_reconnect": on_reconnect,
            "is_combined": is_combined,
            "proxies": proxies,
            "timeout": timeout,
            "reconnect_policy": reconnect_policy,
            "silence_timeout": silence_timeout,
            "ping_timeout": ping_timeout,
            "max_connection_age": max_connection_age,
            "max_messages_per_second": max_messages_per_second,
            "queue_size": queue_size,
        }
        self.ws_client: BinanceWebsocketClient = self._open_stream(stream_url, ws_options)
        self._subscribe(self.listen_key)
        self._timer = threading.Thread(target=self._keepalive_forever, name="binance-listenkey-keepalive", daemon=True)
        self._timer.start()

    # ------------------------------------------------------------------ public
    def wait_ready(self, timeout: float = 10.0) -> bool:
        """Wait until the server confirmed the subscription of the current listenKey.

        Events of an order placed after this returned True reach `on_message`. Returns False when
        `timeout` seconds passed first (the stream keeps trying in the background). After a listenKey
        replacement it waits for the new key's confirmation.
        """
        return self._ready.wait(timeout)

    @property
    def ready(self) -> bool:
        """Whether the current listenKey's subscription is confirmed (see `wait_ready`)."""
        return self._ready.is_set()

    def renew(self) -> None:
        """Replace the listenKey now (from the timer thread) and resubscribe."""
        self._wake.set()

    def stop(self) -> None:
        """Stop the timer, close the stream and delete the listenKey. Idempotent; bounded time."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self._stopping.set()
        self._wake.set()
        if self._timer is not threading.current_thread():
            self._timer.join(self.ws_client.timeout + 5.0)
        self.ws_client.stop()
        try:
            self._rest.close_listen_key(self.listen_key)
            self._log.info("listenKey closed")
        except Exception as exc:
            self._log.warning("could not close the listenKey: %r", exc)

    def threads(self) -> List[threading.Thread]:
        """Every thread the helper started (its timer and the stream client's)."""
        return [self._timer, *self.ws_client.threads()]

    def __enter__(self) -> "UserDataStream":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # ------------------------------------------------------------------ internals
    def _open_stream(self, stream_url: Optional[str], options: Dict[str, Any]) -> BinanceWebsocketClient:
        if self._market == "cm":
            from binance.websocket.cm_futures.websocket_client import CMFuturesWebsocketClient as client_class
        else:
            from binance.websocket.um_futures.websocket_client import UMFuturesWebsocketClient as client_class
        if stream_url is not None:
            options["stream_url"] = stream_url
        return client_class(on_message=self._message, on_error=self._on_error, **options)

    def _subscribe(self, listen_key: str) -> None:
        with self._lock:
            self._ready.clear()
            self._subscribe_id = next(_SUBSCRIBE_IDS)
            request_id = self._subscribe_id
        self.ws_client.user_data(listen_key, id=request_id)

    def _message(self, client: BinanceWebsocketClient, message: Union[str, bytes]) -> None:
        if isinstance(message, bytes):
            text = message.decode("utf-8", "replace")
        else:
            text = message
        if not self._ready.is_set() and '"id"' in text and _reply_id(text) == self._subscribe_id:
            self._ready.set()
        if isinstance(message, str) and _EXPIRED_MARKER in message and _is_expiry(message):
            self._log.warning("listenKey expired; creating a new one")
            self._wake.set()
        if self._on_message is not None:
            self._on_message(client, message)

    def _create_key(self) -> str:
        response = self._rest.new_listen_key()
        if isinstance(response, dict) and "data" in response and "listenKey" not in response:
            response = response["data"]
        key = response["listenKey"] if isinstance(response, dict) else None
        if not key:
            raise ValueError("new_listen_key() returned no listenKey")
        return key

    def _keepalive_forever(self) -> None:
        retry_after_failure: Optional[float] = None
        while not self._stopping.is_set():
            woken = self._wake.wait(retry_after_failure or self.keepalive_interval)
            if self._stopping.is_set():
                return
            if woken:
                self._wake.clear()
                self._replace("listenKeyExpired or renewal requested")
                retry_after_failure = None
                continue
            try:
                self._rest.renew_listen_key(self.listen_key)
                self._log.info("listenKey kept alive")
                retry_after_failure = None
            except Exception as exc:
                if _is_rejection(exc):
                    self._log.warning("keepalive rejected (%s); creating a new listenKey", _describe(exc))
                    self._replace("keepalive rejected")
                    retry_after_failure = None
                else:
                    self._log.warning("keepalive failed (%r); retrying soon", exc)
                    self._report(exc)
                    retry_after_failure = min(60.0, self.keepalive_interval)

    def _replace(self, reason: str) -> None:
        delays = backoff(ReconnectPolicy(initial=0.5, maximum=30.0))
        while not self._stopping.is_set():
            try:
                new_key = self._create_key()
                break
            except Exception as exc:
                self._log.warning("could not create a listenKey (%r); retrying", exc)
                self._report(exc)
                self._stopping.wait(next(delays))
        else:
            return
        old_key, self.listen_key = self.listen_key, new_key
        self.ws_client.unsubscribe(old_key)
        self._subscribe(new_key)
        self.renewals += 1
        self._log.info("listenKey replaced (%s); stream resubscribed", reason)
        if self._on_listen_key is not None:
            try:
                self._on_listen_key(self)
            except Exception as exc:
                self._log.error("Error from on_listen_key callback: %r", exc)
                self._report(exc)

    def _report(self, exc: BaseException) -> None:
        if self._on_error is not None:
            try:
                self._on_error(self.ws_client, exc)
            except Exception as nested:
                self._log.error("Error from on_error callback: %r", nested)


def _is_expiry(message: str) -> bool:
    try:
        event = json.loads(message)
    except ValueError:
        return False
    if isinstance(event, dict) and isinstance(event.get("data"), dict):
        event = event["data"]
    return isinstance(event, dict) and event.get("e") == _EXPIRED_MARKER


def _reply_id(text: str) -> Any:
    """The `id` of a `{"result": ..., "id": ...}` reply, or None for anything else."""
    try:
        reply = json.loads(text)
    except ValueError:
        return None
    if isinstance(reply, dict) and "result" in reply and "e" not in reply:
        return reply.get("id")
    return None


def _stream_url_of(rest_client: Any, market: str) -> str:
    """The stream base URL of the REST client's environment."""
    env = getattr(rest_client, "environment", None)
    if env is None:
        base_url = getattr(rest_client, "base_url", "") or ""
        env = environment_of_rest_url(base_url, market) if base_url else get_environment("production")
    if env is None:
        raise ValueError(
            f"cannot tell the stream host of REST base_url {rest_client.base_url!r}: pass stream_url= "
            "(or create the REST client with environment=)"
        )
    return str(env.stream_url(market))


def _market_of(rest_client: Any) -> str:
    module = type(rest_client).__module__ or ""
    name = type(rest_client).__name__
    if "cm_futures" in module or name.startswith("CM"):
        return "cm"
    return "um"


def _is_rejection(exc: BaseException) -> bool:
    """A 4xx answer (e.g. -1125 "This listenKey does not exist."): the key is gone, make a new one."""
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and 400 <= status < 500 and status not in (418, 429)


def _describe(exc: BaseException) -> str:
    code = getattr(exc, "error_code", None)
    return f"code {code}" if code is not None else type(exc).__name__
