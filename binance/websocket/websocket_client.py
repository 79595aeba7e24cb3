"""The stream client behind the USDⓈ-M and COIN-M WebSocket clients (4.2.0's `BinanceWebsocketClient`).

Same constructor and methods as 4.2.0, and it is usable straight after construction, but:

* it never blocks: the connection starts on its own thread; what is subscribed before the socket
  opens is sent when it opens;
* it never loses a subscription: every connection reconnects with jittered exponential backoff
  (forever by default) and resubscribes everything; `on_reconnect(client, streams)` is told;
* callbacks run on one dispatcher thread fed by a bounded queue (`queue_size`), so a slow
  `on_message` never stops pings from being answered. A callback slower than a burst makes the
  reader slow down (nothing is lost); when the backlog does not shrink within 0.1 s the callback
  cannot keep up: the reader reads on, and once `queue_size` messages wait the OLDEST undelivered
  message is dropped, a warning is logged and
  [dropped_messages][binance.websocket.websocket_client.BinanceWebsocketClient.dropped_messages] grows;
* streams can be spread over several connections (a URL per stream, see `_route`, and at
  most `max_streams_per_connection` per connection); outgoing messages are throttled per
  connection. A route's connection opens when the first stream on it is subscribed (or a raw
  message has to go out), so a client never holds a connection that carries nothing; the one
  exception is a client given `on_open`, which opens its default route at construction so that
  4.2.0 code subscribing from `on_open` keeps working;
* an exception in a callback is logged and passed to `on_error`; reading goes on;
* planned renewals (a `serverShutdown` notice, or `max_connection_age` ahead of Binance's 24 h
  cut-off) are make-before-break: the new connection is opened and subscribed while the old one
  still delivers, and the old one is closed once the new one delivers every stream the old one
  did meanwhile. Copies of an event seen on both during the overlap reach `on_message` once
  (rules in `_handover`). Nothing was missed, so `on_reconnect` is not
  called (a log line says so and
  [BinanceWebsocketClient.renewals][binance.websocket.websocket_client.BinanceWebsocketClient.renewals] grows); it is
  called when
  the old connection ended before the new one took over, as events may be missing then.

Callbacks: `on_message(client, text)` (`bytes` for a binary frame), `on_open(client)` once,
`on_close(client)` once when the client stops, `on_error(client, exception)`,
`on_ping(client, payload)`, `on_pong(client)`, `on_reconnect(client, streams)`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

from binance._redact import redact
from binance.error import ConnectError
from binance.lib.utils import get_timestamp, parse_proxies
from binance.websocket._backoff import ReconnectPolicy
from binance.websocket._connection import ConnectionListener, ConnectionSettings, State, StreamConnection
from binance.websocket._dispatch import Dispatcher
from binance.websocket._frames import DEFAULT_MAX_MESSAGE_SIZE
from binance.websocket._listings import ListingMerger
from binance.websocket._streams import LIST_SUBSCRIPTIONS, SUBSCRIBE, UNSUBSCRIBE, as_list, frame

__all__ = ["BinanceWebsocketClient"]

Callback = Optional[Callable[..., Any]]
StreamNames = Union[str, Sequence[str]]

# The callbacks' signatures (re-exported by binance.types.callbacks, where they are documented).
OnMessage = Callable[["BinanceWebsocketClient", Union[str, bytes]], object]
"""`on_message(client, message)`: the text of a frame as Binance sent it (`bytes` only for a binary frame,
which Binance does not send); parse it with `json.loads` into a `binance.types.um` / `.cm` event type."""

OnOpen = Callable[["BinanceWebsocketClient"], object]
"""`on_open(client)`: once, when the first connection is open."""

OnClose = Callable[["BinanceWebsocketClient"], object]
"""`on_close(client)`: once, when the client stops."""

OnError = Callable[["BinanceWebsocketClient", BaseException], object]
"""`on_error(client, exception)`: a connection error or an exception raised by another callback."""

OnPing = Callable[["BinanceWebsocketClient", bytes], object]
"""`on_ping(client, payload)`: the server pinged (the client has already answered)."""

OnPong = Callable[["BinanceWebsocketClient"], object]
"""`on_pong(client)`: the server answered a ping."""

OnReconnect = Callable[["BinanceWebsocketClient", List[str]], object]
"""`on_reconnect(client, streams)`: a connection was reopened and these streams resubscribed
(events of the gap may be missing)."""


class BinanceWebsocketClient:
    """Threaded, self-healing market/user-data stream client (see the module docstring)."""

    ACTION_SUBSCRIBE = "SUBSCRIBE"
    ACTION_UNSUBSCRIBE = "UNSUBSCRIBE"

    def __init__(
        self,
        stream_url: str,
        on_message: Optional[OnMessage] = None,
        on_open: Optional[OnOpen] = None,
        on_close: Optional[OnClose] = None,
        on_error: Optional[OnError] = None,
        on_ping: Optional[OnPing] = None,
        on_pong: Optional[OnPong] = None,
        logger: Optional[logging.Logger] = None,
        proxies: Optional[Dict[str, str]] = None,
        *,
        timeout: float = 10.0,
        on_reconnect: Optional[OnReconnect] = None,
        reconnect_policy: Optional[ReconnectPolicy] = None,
        silence_timeout: Optional[float] = 60.0,
        ping_timeout: Optional[float] = 600.0,
        max_connection_age: Optional[float] = 23 * 3600.0,
        max_streams_per_connection: int = 1024,
        max_messages_per_second: int = 10,
        queue_size: int = 10000,
        max_message_size: Optional[int] = DEFAULT_MAX_MESSAGE_SIZE,
    ) -> None:
        """Start the client; returns at once (the first connection opens in the background).

        `timeout` bounds each connect/handshake and `stop()`; `silence_timeout` and
        `ping_timeout` (seconds, `None` disables) trigger a reconnect; `max_connection_age`
        (seconds, `None` disables) a make-before-break renewal;
        `reconnect_policy` sets the backoff (never gives up by default);
        `max_message_size` caps one message in bytes (16 MiB by default, `None`: no cap): a
        longer one drops the connection, which reconnects and reports
        [MessageTooLargeError][binance.error.MessageTooLargeError] through `on_error`.
        """
        if max_streams_per_connection < 1:
            raise ValueError("max_streams_per_connection must be >= 1")
        self.logger = logger or logging.getLogger(__name__)
        self.stream_url = stream_url
        self.proxies = proxies
        self.on_message = on_message
        self.on_open = on_open
        self.on_close = on_close
        self.on_error = on_error
        self.on_ping = on_ping
        self.on_pong = on_pong
        self.on_reconnect = on_reconnect
        self.timeout = timeout
        self.max_streams_per_connection = max_streams_per_connection
        self._settings = ConnectionSettings(
            timeout=timeout,
            silence_timeout=silence_timeout,
            ping_timeout=ping_timeout,
            max_age=max_connection_age,
            policy=reconnect_policy or ReconnectPolicy(),
            max_messages_per_second=max_messages_per_second,
            proxy_options=_proxy_options(proxies),
            max_message_size=max_message_size,
        )
        self._lock = threading.RLock()
        self._pools: Dict[str, List[StreamConnection]] = {}
        self._owner: Dict[str, StreamConnection] = {}
        self._closed = False
        self._opened_once = False
        self._dispatcher = Dispatcher(self, self._report_error, queue_size, logger=self.logger)
        self._listings = ListingMerger()
        self._listener = _Listener(self)
        self._dispatcher.start()
        if on_open is not None:
            # Code written for 4.2.0 may subscribe from on_open: give it a connection to open.
            self._new_connection(self._route(None))
        self.logger.debug("Binance WebSocket Client started.")

    # ------------------------------------------------------------------ routing (overridden per market)
    def _route(self, stream: Optional[str]) -> str:
        """The URL of the connection `stream` belongs on (`None`: the default connection)."""
        return self.stream_url

    # ------------------------------------------------------------------ 4.2.0 methods
    def send(self, message: dict) -> None:
        """Send a JSON message; SUBSCRIBE/UNSUBSCRIBE are tracked (and resent after reconnects)."""
        method = message.get("method")
        params = message.get("params")
        if method in (SUBSCRIBE, UNSUBSCRIBE) and isinstance(params, (list, tuple)):
            if method == SUBSCRIBE:
                self.subscribe(list(params), id=message.get("id"))
            else:
                self.unsubscribe(list(params), id=message.get("id"))
            return
        text = json.dumps(message)
        for conn in self._carriers("send"):
            conn.send_text(text)

    def send_message(self, message: str) -> None:
        """Send a JSON text (4.2.0's socket-manager method); control messages are tracked like
        [send][binance.websocket.websocket_client.BinanceWebsocketClient.send]."""
        try:
            decoded = json.loads(message)
        except (TypeError, ValueError):
            decoded = None
        if isinstance(decoded, dict):
            self.send(decoded)
            return
        for conn in self._carriers("send_message"):
            conn.send_text(message)

    def send_message_to_server(self, message: StreamNames, action: Optional[str] = None, id: Any = None) -> None:
        """SUBSCRIBE `message` (stream name or list), or UNSUBSCRIBE when `action == "UNSUBSCRIBE"`."""
        if action != self.ACTION_UNSUBSCRIBE:
            return self.subscribe(message, id=id)
        return self.unsubscribe(message, id=id)

    def subscribe(self, stream: StreamNames, id: Any = None) -> None:
        """Subscribe to a stream name or a list of them; kept across reconnects. Thread-safe.

        Raises [ConnectError][binance.error.ConnectError] after
        [stop][binance.websocket.websocket_client.BinanceWebsocketClient.stop] (nothing is sent), as do
        the stream methods, `send`, `send_message`, `list_subscribe`, `ping` and `reconnect`.
        """
        names = as_list(stream)
        auto_id = not id
        request_id = id or get_timestamp()
        with self._lock:
            self._check_running("subscribe")
            groups: Dict[StreamConnection, List[str]] = {}
            for name in names:
                conn = self._owner.get(name)
                if conn is None:
                    conn = self._pick(self._route(name), groups)
                    self._owner[name] = conn
                groups.setdefault(conn, []).append(name)
            for conn, group in groups.items():
                conn.subscribe(group, request_id, auto_id)

    def unsubscribe(self, stream: StreamNames, id: Any = None) -> None:
        """Unsubscribe from a stream name or a list of them. Thread-safe.

        After [stop][binance.websocket.websocket_client.BinanceWebsocketClient.stop] it does nothing:
        every stream already ended with the client.
        """
        names = as_list(stream)
        auto_id = not id
        request_id = id or get_timestamp()
        with self._lock:
            if self._closed:
                return
            groups: Dict[StreamConnection, List[str]] = {}
            for name in names:
                conn = self._owner.pop(name, None) or self._first(self._route(name))
                if conn is not None:  # no connection on that route: nothing is subscribed there
                    groups.setdefault(conn, []).append(name)
            for conn, group in groups.items():
                conn.unsubscribe(group, request_id, auto_id)

    def list_subscribe(self, id: Any = None) -> None:
        """Ask Binance which streams are subscribed; `on_message` gets one reply `{"result": [...], "id": id}`.

        When the streams span several connections (USDⓈ-M routes, `max_streams_per_connection`)
        each connection is asked and their replies are merged into that one reply, sent on once
        every connection has answered (if one has not answered within `timeout` seconds, the
        reply made of the answers that came goes out with the next message any connection receives).
        [subscriptions][binance.websocket.websocket_client.BinanceWebsocketClient.subscriptions]
        answers the same question locally, without a round trip.
        """
        request_id = id or get_timestamp()
        conns = self._live_connections("list_subscribe")
        if not conns:  # no stream yet, so no connection: answer as Binance would
            self._dispatcher.put(self.on_message, json.dumps({"result": [], "id": request_id}))
            return
        if len(conns) > 1:
            self._listings.expect(request_id, len(conns), time.monotonic() + self.timeout)
        text = frame(LIST_SUBSCRIPTIONS, None, request_id)
        for conn in conns:
            conn.send_text(text)

    def ping(self) -> None:
        """Send a ping frame on every open connection."""
        self.logger.debug("Sending ping to Binance WebSocket Server")
        for conn in self._live_connections("ping"):
            conn.ping()

    def stop(self, id: Any = None) -> None:
        """Close every connection and join every thread the client started. Idempotent.

        Returns within about `timeout + 7` seconds even when the server is silent, or a callback
        is stuck (a callback still running after 5 s is left to finish on its own). `on_close`
        is called once, last.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            conns = self._connections()
        for conn in conns:
            conn.stop()
        deadline = time.monotonic() + self.timeout + 2.0
        for conn in conns:
            if not conn.join(max(0.0, deadline - time.monotonic())):
                self.logger.warning("stream connection %s did not stop in time", conn.name)
        self._dispatcher.close(final=self.on_close, timeout=5.0)
        self.logger.debug("Binance WebSocket Client stopped.")

    # ------------------------------------------------------------------ extras
    @property
    def subscriptions(self) -> List[str]:
        """Every stream the client keeps subscribed."""
        with self._lock:
            return list(self._owner)

    @property
    def connections(self) -> List[StreamConnection]:
        """The client's connections (several when streams need several URLs or exceed the per-connection cap)."""
        return self._connections()

    @property
    def dropped_messages(self) -> int:
        """Messages discarded because `on_message` could not keep up (queue full)."""
        return self._dispatcher.dropped

    @property
    def oversized_messages(self) -> int:
        """Messages longer than `max_message_size`; each one dropped its connection (which reconnected)."""
        return sum(conn.oversized_messages for conn in self._connections())

    @property
    def reconnects(self) -> int:
        """How many times a connection of this client was re-established after an interruption.

        Seamless make-before-break renewals are counted in
        [renewals][binance.websocket.websocket_client.BinanceWebsocketClient.renewals] only.
        """
        return sum(conn.reconnects for conn in self._connections())

    @property
    def renewals(self) -> int:
        """How many planned make-before-break renewals (`serverShutdown`, `max_connection_age`) took place."""
        return sum(conn.renewals for conn in self._connections())

    @property
    def is_open(self) -> bool:
        """True when the client has a connection and every one is OPEN (or RENEWING: its old socket still delivers).

        Connections open per route when the first stream on it is subscribed, so a client with no
        stream yet has none and is not open.
        """
        conns = self._connections()
        return bool(conns) and all(conn.state in (State.OPEN, State.RENEWING) for conn in conns)

    def threads(self) -> List[threading.Thread]:
        """Every thread this client started."""
        threads = [self._dispatcher.thread]
        for conn in self._connections():
            threads.extend(conn.threads)
        return threads

    def reconnect(self) -> None:
        """Drop and re-establish every connection now (subscriptions are kept)."""
        for conn in self._live_connections("reconnect"):
            conn.reconnect()

    def __enter__(self) -> "BinanceWebsocketClient":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # ------------------------------------------------------------------ internals
    def _check_running(self, what: str) -> None:
        """Raise ConnectError when the client is stopped (call with `_lock` held)."""
        if self._closed:
            raise ConnectError(f"the stream client is stopped: {what} not sent", what, redact(self.stream_url))

    def _live_connections(self, what: str) -> List[StreamConnection]:
        with self._lock:
            self._check_running(what)
            return self._connections()

    def _connections(self) -> List[StreamConnection]:
        with self._lock:
            return [conn for pool in self._pools.values() for conn in pool]

    def _new_connection(self, url: str) -> StreamConnection:
        with self._lock:
            pool = self._pools.setdefault(url, [])
            name = f"{sum(len(p) for p in self._pools.values())}"
            conn = StreamConnection(url, self._listener, self._settings, name=name, logger=self.logger)
            pool.append(conn)
            conn.start()
            return conn

    def _pick(self, url: str, planned: Dict[StreamConnection, List[str]]) -> StreamConnection:
        for conn in self._pools.get(url, ()):
            if len(conn) + len(planned.get(conn, ())) < self.max_streams_per_connection:
                return conn
        return self._new_connection(url)

    def _first(self, url: str) -> Optional[StreamConnection]:
        pool = self._pools.get(url)
        return pool[0] if pool else None

    def _carriers(self, what: str) -> List[StreamConnection]:
        """The connections a raw message goes to; opens the default route's when there is none yet."""
        with self._lock:
            self._check_running(what)
            return self._connections() or [self._new_connection(self._route(None))]

    def _report_error(self, client: Any, exc: BaseException) -> None:
        if self.on_error is not None:
            self.on_error(client, exc)


class _Listener(ConnectionListener):
    """Turns connection events into user callbacks on the dispatcher thread."""

    def __init__(self, client: BinanceWebsocketClient) -> None:
        self._client = client
        self._put = client._dispatcher.put

    def connection_opened(self, conn: StreamConnection, reconnected: bool, streams: List[str]) -> None:
        client = self._client
        if reconnected:
            client.logger.info(
                "stream connection %s reconnected (#%d); resubscribing %d stream(s)",
                conn.name,
                conn.reconnects,
                len(streams),
            )
            self._put(client.on_reconnect, streams)
            return
        with client._lock:
            first, client._opened_once = not client._opened_once, True
        if first:
            self._put(client.on_open)

    def connection_renewed(self, conn: StreamConnection, seamless: bool, streams: List[str]) -> None:
        if seamless:
            self._client.logger.info("stream connection %s renewed without a gap (%d streams)", conn.name, len(streams))
            return
        self.connection_opened(conn, True, streams)

    def connection_message(self, conn: StreamConnection, data: Union[str, bytes]) -> None:
        listings = self._client._listings
        if listings.waiting and isinstance(data, str):
            swallowed, ready = listings.offer(data, time.monotonic())
            for text in ready:
                self._put(self._client.on_message, text)
            if swallowed:
                return
        self._put(self._client.on_message, data)

    def connection_ping(self, conn: StreamConnection, payload: bytes) -> None:
        self._put(self._client.on_ping, payload)

    def connection_pong(self, conn: StreamConnection, payload: bytes) -> None:
        self._put(self._client.on_pong)

    def connection_error(self, conn: StreamConnection, exc: BaseException) -> None:
        self._put(self._client.on_error, exc)

    def connection_gave_up(self, conn: StreamConnection) -> None:
        self._put(self._client.on_error, ConnectionError(f"stream connection {conn.name} gave up reconnecting"))


def _proxy_options(proxies: Optional[dict]) -> Dict[str, Any]:
    if not proxies:
        return {}
    options = {key: value for key, value in parse_proxies(proxies).items() if value is not None}
    if options:
        options["proxy_type"] = "http"
    return options
