"""4.2.0's `BinanceSocketManager`: one stream URL, kept for code that builds a manager directly.

It now reconnects and resubscribes like the clients (it runs a
[BinanceWebsocketClient][binance.websocket.binance_socket_manager.BinanceWebsocketClient]
for `stream_url` as given, without routing). Callbacks receive the manager as first argument,
as in 4.2.0. `start()` returns at once; `close()` stops and joins every thread.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional

from binance.websocket.websocket_client import BinanceWebsocketClient, Callback

__all__ = ["BinanceSocketManager"]


class BinanceSocketManager:
    """One reconnecting stream connection with 4.2.0's constructor and methods."""

    def __init__(
        self,
        stream_url: str,
        on_message: Callback = None,
        on_open: Callback = None,
        on_close: Callback = None,
        on_error: Callback = None,
        on_ping: Callback = None,
        on_pong: Callback = None,
        logger: Optional[logging.Logger] = None,
        proxies: Optional[dict] = None,
        **options: Any,
    ) -> None:
        """Remember the settings; nothing connects before
        [start][binance.websocket.binance_socket_manager.BinanceSocketManager.start]."""
        self.logger = logger or logging.getLogger(__name__)
        self.stream_url = stream_url
        self.proxies = proxies
        self.on_message = on_message
        self.on_open = on_open
        self.on_close = on_close
        self.on_error = on_error
        self.on_ping = on_ping
        self.on_pong = on_pong
        self._options = options
        self._client: Optional[BinanceWebsocketClient] = None

    def start(self) -> None:
        """Start connecting in the background (returns at once)."""
        if self._client is not None:
            raise RuntimeError("the socket manager was already started")
        self._client = BinanceWebsocketClient(
            self.stream_url,
            on_message=self._as_manager(self.on_message),
            on_open=self._as_manager(self.on_open),
            on_close=self._as_manager(self.on_close),
            on_error=self._as_manager(self.on_error),
            on_ping=self._as_manager(self.on_ping),
            on_pong=self._as_manager(self.on_pong),
            logger=self.logger,
            proxies=self.proxies,
            **self._options,
        )

    def send_message(self, message: str) -> None:
        """Send a JSON text; SUBSCRIBE/UNSUBSCRIBE are remembered and resent after reconnects."""
        self._started().send_message(message)

    def ping(self) -> None:
        """Send a ping frame."""
        self._started().ping()

    def close(self) -> None:
        """Stop: close the connection and join its threads (idempotent)."""
        if self._client is not None:
            self._client.stop()

    def join(self, timeout: Optional[float] = None) -> None:
        """Return once closed ([close][binance.websocket.binance_socket_manager.BinanceSocketManager.close] already
        joins every thread)."""
        if self._client is not None:
            for thread in self._client.threads():
                thread.join(timeout)

    def is_alive(self) -> bool:
        """Whether any thread of the manager is still running."""
        return self._client is not None and any(t.is_alive() for t in self._client.threads())

    def _started(self) -> BinanceWebsocketClient:
        if self._client is None:
            raise RuntimeError("call start() first")
        return self._client

    def _as_manager(self, callback: Callback) -> Optional[Callable[..., Any]]:
        if callback is None:
            return None

        def call(_client: Any, *args: Any) -> Any:
            return callback(self, *args)

        call.__name__ = getattr(callback, "__name__", "callback")
        return call
