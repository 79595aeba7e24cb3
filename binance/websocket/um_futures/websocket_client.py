"""USDⓈ-M futures market and user-data streams (4.2.0's `UMFuturesWebsocketClient`).

Since 2026-04-23 Binance serves USDⓈ-M streams under three paths: `/public` (book data: depth,
RPI depth, bookTicker), `/market` (everything else) and `/private` (listenKeys). The client
opens the connections it needs and sends each stream to its path; a `stream_url` pointing at
the local sandbox or a testnet is routed the same way (`category_routing=False` uses the
unrouted `/ws` or `/stream` path instead).
"""

from __future__ import annotations

from typing import Any, Optional

from binance._markets import UM
from binance.environments import EnvironmentLike, get_environment
from binance.websocket._stream_methods import UMStreams
from binance.websocket._streams import MARKET, connection_url, stream_base, um_category
from binance.websocket.websocket_client import BinanceWebsocketClient, Callback

__all__ = ["UMFuturesWebsocketClient"]


class UMFuturesWebsocketClient(UMStreams, BinanceWebsocketClient):
    """USDⓈ-M stream client; keyword options are those of
    [BinanceWebsocketClient][binance.websocket.um_futures.websocket_client.BinanceWebsocketClient]."""

    def __init__(
        self,
        stream_url: Optional[str] = None,
        on_message: Callback = None,
        on_open: Callback = None,
        on_close: Callback = None,
        on_error: Callback = None,
        on_ping: Callback = None,
        on_pong: Callback = None,
        is_combined: bool = False,
        proxies: Optional[dict] = None,
        *,
        category_routing: bool = True,
        environment: Optional[EnvironmentLike] = None,
        **options: Any,
    ) -> None:
        """Start the client (returns at once). `is_combined`: payloads wrapped as `{"stream", "data"}`.

        `environment` (`"production"` by default, `"testnet"`, `"demo"`, an
        [Environment][binance.environments.Environment] or a started sandbox) picks the stream host
        when no `stream_url` is given.
        """
        self.is_combined = is_combined
        self.category_routing = category_routing
        self._base_url = stream_base(stream_url or get_environment(environment or "production").stream_url(UM.name))
        super().__init__(
            self._route(None),
            on_message=on_message,
            on_open=on_open,
            on_close=on_close,
            on_error=on_error,
            on_ping=on_ping,
            on_pong=on_pong,
            proxies=proxies,
            **options,
        )

    def _route(self, stream: Optional[str]) -> str:
        if not self.category_routing:
            return connection_url(self._base_url, None, self.is_combined)
        category = MARKET if stream is None else um_category(stream)
        return connection_url(self._base_url, category, self.is_combined)
