"""USDⓈ-M futures WebSocket API client (`wss://ws-fapi.binance.com/ws-fapi/v1`)."""

from __future__ import annotations

from binance._markets import UM
from binance.websocket.api._endpoints import CommonMethods, UMOnlyMethods
from binance.websocket.api.client import WebsocketAPIClient

__all__ = ["UMFuturesWebsocketAPIClient"]


class UMFuturesWebsocketAPIClient(CommonMethods, UMOnlyMethods, WebsocketAPIClient):
    """USDⓈ-M WebSocket API: 18 methods over one signed connection (see
    [WebsocketAPIClient][binance.websocket.api.um_futures.WebsocketAPIClient])."""

    market = UM.name
    default_url = UM.ws_api_url
