"""COIN-M futures market and user-data streams (4.2.0's `CMFuturesWebsocketClient`)."""

from __future__ import annotations

from typing import Any, Optional

from binance._markets import CM
from binance.environments import EnvironmentLike, get_environment
from binance.websocket._stream_methods import CMStreams
from binance.websocket._streams import connection_url, stream_base
from binance.websocket.websocket_client import BinanceWebsocketClient, Callback

__all__ = ["CMFuturesWebsocketClient"]


class CMFuturesWebsocketClient(CMStreams, BinanceWebsocketClient):
    """COIN-M stream client (one path for every stream); keyword options are those of
    [BinanceWebsocketClient][binance.websocket.cm_futures.websocket_client.BinanceWebsocketClient]."""

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
        environment: Optional[EnvironmentLike] = None,
        **options: Any,
    ) -> None:
        """Start the client (returns at once). `is_combined`: payloads wrapped as `{"stream", "data"}`.

        `environment` (`"production"` by default, `"testnet"`, `"demo"`, an
        [Environment][binance.environments.Environment] or a started sandbox) picks the stream host
        when no `stream_url` is given.
        """
        self.is_combined = is_combined
        super().__init__(
            connection_url(
                stream_base(stream_url or get_environment(environment or "production").stream_url(CM.name)),
                None,
                is_combined,
            ),
            on_message=on_message,
            on_open=on_open,
            on_close=on_close,
            on_error=on_error,
            on_ping=on_ping,
            on_pong=on_pong,
            proxies=proxies,
            **options,
        )
