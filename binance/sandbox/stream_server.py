"""Market and user-data stream connections: the I/O around `streams`.

One `StreamHub` per market receives the engine's events (from any thread, handed to the
event loop with `call_soon_threadsafe`), pushes periodic streams from `render_stream` at their
cadence, and fans everything out to the `StreamConnection` objects subscribed to it.
Each payload is encoded once, whatever the number of subscribers.

UM routing: a connection under `/public`, `/market` or `/private` receives only the streams
of that category (others are accepted and listed, as Binance does, but send nothing). Connections
on the unrouted legacy paths receive everything, unless the sandbox runs with
`strict_routing=True`, where they receive only public streams, like Binance after 2026-04-23.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple

from aiohttp import web

from binance._redact import redact
from binance.sandbox._json import encode as _encode
from binance.sandbox.connection import ConnectionSettings, WsConnection
from binance.sandbox.streams import (
    ControlRequest,
    Route,
    cadence_ms,
    combined_text,
    error_reply,
    is_depth_diff,
    parse_control,
    result_reply,
    split_user_item,
    stream_category,
)

if TYPE_CHECKING:  # pragma: no cover
    from binance.sandbox._host import SandboxHost

logger = logging.getLogger(__name__)

__all__ = ["StreamHub", "StreamConnection", "MAX_STREAMS_PER_CONNECTION"]

MAX_STREAMS_PER_CONNECTION = 1024
_TICK_S = 0.05


class StreamConnection(WsConnection):
    """A market-stream connection: its subscriptions, its `combined` property, its category."""

    kind = "stream"

    def __init__(
        self,
        request: web.Request,
        market: str,
        settings: ConnectionSettings,
        hub: "StreamHub",
        route: Route,
    ) -> None:
        super().__init__(request, market, settings, hub.sandbox.connections)
        self.hub = hub
        self.route = route
        self.category = route.category
        self.combined = route.combined
        self.subscriptions: List[str] = []
        self.event_filters: Dict[str, Optional[Tuple[str, ...]]] = {}
        self.url_filters: Dict[str, Optional[Tuple[str, ...]]] = {}

    def accepts(self, stream: str, is_listen_key: bool) -> bool:
        """Whether this connection's URL category lets `stream` through."""
        if self.market != "um":
            return True
        category = stream_category(stream, is_listen_key)
        if self.category is None:
            return category == "public" or not self.hub.sandbox.strict_routing
        return category == self.category

    def deliver(self, stream: str, raw: str) -> None:
        """Send one payload (already JSON) in this connection's form (raw or combined)."""
        self.send_text(combined_text(stream, raw) if self.combined else raw)

    async def on_open(self) -> None:
        names = list(self.route.streams)
        for key, events in self.route.listen_keys:
            names.append(key)
            self.url_filters[key] = events
        if names:
            self.hub.subscribe(self, names[:MAX_STREAMS_PER_CONNECTION])

    async def on_text(self, text: str) -> None:
        parsed = parse_control(text)
        if not isinstance(parsed, ControlRequest):
            self.send_text(json.dumps(parsed))
            return
        self.send_text(json.dumps(self._handle(parsed)))

    def _handle(self, req: ControlRequest) -> Dict[str, Any]:
        if req.method == "SUBSCRIBE":
            names = [str(n) for n in req.params]
            unknown = [n for n in names if not self.hub.is_valid(n)]
            if unknown:
                return error_reply(2, f"Invalid request: unknown stream name `{unknown[0]}`", req.id)
            new = [n for n in names if n not in self.subscriptions]
            if len(self.subscriptions) + len(new) > MAX_STREAMS_PER_CONNECTION:
                return error_reply(
                    2, f"Invalid request: more than {MAX_STREAMS_PER_CONNECTION} streams on one connection", req.id
                )
            self.hub.subscribe(self, new)
            return result_reply(None, req.id)
        if req.method == "UNSUBSCRIBE":
            self.hub.unsubscribe(self, [str(n) for n in req.params])
            return result_reply(None, req.id)
        if req.method == "LIST_SUBSCRIPTIONS":
            return result_reply(list(self.subscriptions), req.id)
        if req.method == "SET_PROPERTY":
            self.combined = bool(req.params[1])
            return result_reply(None, req.id)
        return result_reply(self.combined, req.id)

    async def on_close(self) -> None:
        self.hub.unsubscribe(self, list(self.subscriptions))


def _refresh_event_filter(conn: StreamConnection, listen_key: str) -> bool:
    """Recompute which events of `listen_key` `conn` receives from its subscriptions: everything
    for the bare key (or the `events` its URL named), plus each `<listenKey>@<EVENT>` item.
    Returns False when nothing of that key is subscribed any more."""
    whole = listen_key in conn.subscriptions
    events = set()
    for name in conn.subscriptions:
        item = split_user_item(name)
        if item is not None and item[0] == listen_key:
            events.add(item[1])
    if not whole and not events:
        conn.event_filters.pop(listen_key, None)
        return False
    url_events = conn.url_filters.get(listen_key)
    if whole and url_events is None:
        conn.event_filters[listen_key] = None
    else:
        conn.event_filters[listen_key] = tuple(sorted(events.union(url_events or ()) if whole else events))
    return True


def _running_loop() -> Optional[asyncio.AbstractEventLoop]:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class StreamHub:
    """Routes one market's engine events and periodic streams to subscribed connections."""

    def __init__(self, sandbox: "SandboxHost", market: str, loop: asyncio.AbstractEventLoop) -> None:
        self.sandbox = sandbox
        self.market = market
        self.engine = sandbox.exchange.market(market)
        self.loop = loop
        self._subs: Dict[str, Set[StreamConnection]] = {}
        self._user_subs: Dict[str, Set[StreamConnection]] = {}
        self._due: Dict[str, float] = {}
        self._not_periodic: Set[str] = set()
        self._task: Optional[asyncio.Task] = None
        self.engine.add_listener(self._on_engine_event)

    # ------------------------------------------------------------------- subscriptions
    def is_listen_key(self, name: str) -> bool:
        """Whether `name` is a live listenKey of this market."""
        keys = self.sandbox.exchange.listen_keys
        if keys.owner(name) is None:
            return False
        market_of = getattr(keys, "market_of", None)
        return market_of is None or market_of(name) == self.market

    def user_key(self, name: str) -> Optional[str]:
        """The live listenKey a subscription name refers to (`<listenKey>` or `<listenKey>@<EVENT>`),
        or None for a market stream."""
        if self.is_listen_key(name):
            return name
        item = split_user_item(name)
        if item is not None and self.is_listen_key(item[0]):
            return item[0]
        return None

    def is_valid(self, name: str) -> bool:
        """Whether SUBSCRIBE accepts `name`: a market stream of this market, a listenKey, or
        `<listenKey>@<EVENT>` (that key's events of one type only)."""
        return self.user_key(name) is not None or bool(self.engine.is_valid_stream(name))

    def subscribe(self, conn: StreamConnection, names: List[str]) -> None:
        """Add subscriptions (loop thread)."""
        for name in names:
            if name in conn.subscriptions:
                continue
            conn.subscriptions.append(name)
            listen_key = self.user_key(name)
            if not conn.accepts(name, listen_key is not None):
                logger.warning(
                    "stream %s subscribed on %s: this URL category does not carry it, nothing will be sent",
                    "<listenKey>" if listen_key else name, redact(conn.path),
                )
            if listen_key is not None:
                self._user_subs.setdefault(listen_key, set()).add(conn)
                _refresh_event_filter(conn, listen_key)
            else:
                self._subs.setdefault(name, set()).add(conn)

    def unsubscribe(self, conn: StreamConnection, names: List[str]) -> None:
        """Remove subscriptions (loop thread)."""
        for name in names:
            if name in conn.subscriptions:
                conn.subscriptions.remove(name)
            item = split_user_item(name)
            listen_key = item[0] if item is not None else name
            users = self._user_subs.get(listen_key)
            if users is not None and conn in users and not _refresh_event_filter(conn, listen_key):
                users.discard(conn)
                if not users:
                    del self._user_subs[listen_key]
            conns = self._subs.get(name)
            if conns is not None:
                conns.discard(conn)
                if not conns:
                    del self._subs[name]
                    self._due.pop(name, None)

    # ---------------------------------------------------------------- engine events
    def _on_engine_event(self, channel: str, key: Any, payload: dict) -> None:
        # Called on the engine's thread: events nobody subscribes to are neither encoded nor handed
        # to the loop (membership tests on these dicts are atomic; a subscription that races with an
        # event simply starts with the next one).
        if channel == "market" and key not in self._subs:
            return
        if channel == "user" and not self._user_subs:
            return
        try:
            raw = _encode(payload)
            if _running_loop() is self.loop:  # the loop's own thread (market steps, the replay): send now, in order
                if channel == "market":
                    self._publish_market(key, raw)
                else:
                    self._publish(channel, key, payload, raw)
            else:
                self.loop.call_soon_threadsafe(self._publish, channel, key, payload, raw)
        except RuntimeError:
            pass
        except (TypeError, ValueError):
            logger.exception("engine event on channel %s could not be encoded", channel)

    def _publish(self, channel: str, key: Any, payload: dict, raw: str) -> None:
        if channel == "market":
            self._publish_market(str(key), raw)
        elif channel == "user":
            self._publish_user(str(key), payload, raw)

    def _publish_market(self, stream: str, raw: str) -> None:
        conns = self._subs.get(stream)
        if not conns:
            return
        if is_depth_diff(stream) and self.sandbox.faults.should_skip_depth(stream):
            return
        for conn in list(conns):
            if conn.accepts(stream, False):
                conn.deliver(stream, raw)

    def _publish_user(self, api_key: str, payload: dict, raw: str) -> None:
        event = payload.get("e")
        if event == "listenKeyExpired":
            listen_key = payload.get("listenKey")
            conns = self._user_subs.pop(str(listen_key), set())
            for conn in conns:
                if conn.accepts(str(listen_key), True):
                    conn.deliver(str(listen_key), raw)
            return
        owner = self.sandbox.exchange.listen_keys.owner
        for listen_key, conns in list(self._user_subs.items()):
            if owner(listen_key) != api_key:
                continue
            for conn in list(conns):
                events = conn.event_filters.get(listen_key)
                if events and event not in events:
                    continue
                if conn.accepts(listen_key, True):
                    conn.deliver(listen_key, raw)

    # -------------------------------------------------------------- periodic streams
    def start(self) -> None:
        """Start pushing periodic streams (loop thread)."""
        self._task = asyncio.ensure_future(self._periodic())

    def stop(self) -> None:
        """Stop pushing periodic streams and listening to the engine."""
        if self._task is not None:
            self._task.cancel()
        remove = getattr(self.engine, "remove_listener", None)
        if remove is not None:
            remove(self._on_engine_event)

    async def _periodic(self) -> None:
        while True:
            await asyncio.sleep(_TICK_S)
            try:
                self._push_due()
            except Exception:  # noqa: BLE001 - a bad render must not stop every stream
                logger.exception("periodic stream rendering failed")

    def _push_due(self) -> None:
        now = self.loop.time()
        now_ms = self.sandbox.now_ms()
        for stream in list(self._subs):
            if stream in self._not_periodic:
                continue
            due = self._due.get(stream)
            if due is not None and now < due:
                continue
            self._due[stream] = now + cadence_ms(self.market, stream) / 1000.0
            payload = self.engine.render_stream(stream, now_ms)
            if payload is None:
                self._not_periodic.add(stream)
                continue
            self._publish_market(stream, _encode(payload))
