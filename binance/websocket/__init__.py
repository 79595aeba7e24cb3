"""WebSocket market and user-data stream clients (4.2.0 import paths kept).

`binance.websocket.um_futures.websocket_client.UMFuturesWebsocketClient` and
`binance.websocket.cm_futures.websocket_client.CMFuturesWebsocketClient` are the entry points;
[UserDataStream][binance.websocket.user_data.UserDataStream] manages a listenKey for either market.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BinanceWebsocketClient",
    "UMFuturesWebsocketClient",
    "CMFuturesWebsocketClient",
    "UserDataStream",
    "ReconnectPolicy",
    "UMFuturesWebsocketAPIClient",
    "CMFuturesWebsocketAPIClient",
]

_LAZY = {
    "BinanceWebsocketClient": "binance.websocket.websocket_client",
    "UMFuturesWebsocketClient": "binance.websocket.um_futures.websocket_client",
    "CMFuturesWebsocketClient": "binance.websocket.cm_futures.websocket_client",
    "UserDataStream": "binance.websocket.user_data",
    "ReconnectPolicy": "binance.websocket._backoff",
    "UMFuturesWebsocketAPIClient": "binance.websocket.api",
    "CMFuturesWebsocketAPIClient": "binance.websocket.api",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
