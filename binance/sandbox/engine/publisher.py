"""`EventPublisher`: hands market-stream and user-data events to the listeners (the stream server)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable, Optional, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from .state import SymbolState

log = logging.getLogger(__name__)

Listener = Callable[[str, object, dict], None]


class EventPublisher:
    """Calls every listener with `(channel, key, payload)`: channel "market" (key: the stream name) or
    "user" (key: the API key)."""

    def __init__(self) -> None:
        self._listeners: Tuple[Listener, ...] = ()  # replaced, never changed in place: emit needs no copy

    def add_listener(self, fn: Listener) -> None:
        """Register `fn(channel, key, payload)` for market-stream and user-data events."""
        self._listeners = self._listeners + (fn,)

    def remove_listener(self, fn: Listener) -> None:
        """Unregister a listener (no error when it is not registered)."""
        if fn in self._listeners:
            listeners = list(self._listeners)
            listeners.remove(fn)
            self._listeners = tuple(listeners)

    def emit(self, channel: str, key: object, payload: dict) -> None:
        """Call every listener; a failing listener is logged and does not stop the others."""
        for fn in self._listeners:
            try:
                fn(channel, key, payload)
            except Exception:  # noqa: BLE001 - a listener must never break the engine
                log.exception("sandbox listener failed for %s %s", channel, key if channel == "market" else "")

    def emit_user(self, api_key: Optional[str], payload: dict) -> None:
        """Send a user-data event to `api_key`'s streams."""
        if api_key is not None:
            self.emit("user", api_key, payload)

    def emit_force_order(self, st: "SymbolState", payload: dict) -> None:
        """Publish a liquidation's `forceOrder` event (see `views.force_order_event`) on both forceOrder
        streams and keep it in the symbol's recent liquidations."""
        ins = st.ins
        st.force_orders.append(payload)
        self.emit("market", f"{ins.symbol.lower()}@forceOrder", payload)
        self.emit("market", "!forceOrder@arr", dict(payload, ps=ins.pair, st=1 if ins.kind == "um" else 2))
