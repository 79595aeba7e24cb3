"""COIN-M futures market and user-data streams (4.2.0's `CMFuturesWebsocketClient`)."""

from __future__ import annotations

import logging
from typing import Dict, Optional

from binance._markets import CM
from binance.environments import EnvironmentLike, get_environment
from binance.websocket._backoff import ReconnectPolicy
from binance.websocket._frames import DEFAULT_MAX_MESSAGE_SIZE
from binance.websocket._stream_methods import CMStreams
from binance.websocket._streams import connection_url, stream_base
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

__all__ = ["CMFuturesWebsocketClient"]


class CMFuturesWebsocketClient(CMStreams, BinanceWebsocketClient):
    """COIN-M stream client (one path for every stream); keyword options are those of
    [BinanceWebsocketClient][binance.websocket.cm_futures.websocket_client.BinanceWebsocketClient]."""

    def __init__(
        self,
        stream_url: Optional[str] = None,
        on_message: Optional[OnMessage] = None,
        on_open: Optional[OnOpen] = None,
        on_close: Optional[OnClose] = None,
        on_error: Optional[OnError] = None,
        on_ping: Optional[OnPing] = None,
        on_pong: Optional[OnPong] = None,
        is_combined: bool = False,
        proxies: Optional[Dict[str, str]] = None,
        *,
        environment: Optional[EnvironmentLike] = None,
        timeout: float = 10.0,
        on_reconnect: Optional[OnReconnect] = None,
        reconnect_policy: Optional[ReconnectPolicy] = None,
        silence_timeout: Optional[float] = 60.0,
        ping_timeout: Optional[float] = 600.0,
        max_connection_age: Optional[float] = 23 * 3600.0,
        max_streams_per_connection: int = 1024,
        max_messages_per_second: int = 10,
        queue_size: int = 10000,
        logger: Optional[logging.Logger] = None,
        max_message_size: Optional[int] = DEFAULT_MAX_MESSAGE_SIZE,
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
            timeout=timeout,
            on_reconnect=on_reconnect,
            reconnect_policy=reconnect_policy,
            silence_timeout=silence_timeout,
            ping_timeout=ping_timeout,
            max_connection_age=max_connection_age,
            max_streams_per_connection=max_streams_per_connection,
            max_messages_per_second=max_messages_per_second,
            queue_size=queue_size,
            logger=logger,
            max_message_size=max_message_size,
        )
