"""COIN-M futures WebSocket API client (`wss://ws-dapi.binance.com/ws-dapi/v1`)."""

from __future__ import annotations

from binance._markets import CM
from binance.websocket.api._endpoints import CommonMethods
from binance.websocket.api.client import WebsocketAPIClient

__all__ = ["CMFuturesWebsocketAPIClient"]


class CMFuturesWebsocketAPIClient(CommonMethods, WebsocketAPIClient):
    """COIN-M WebSocket API: 10 methods over one signed connection (see
    [WebsocketAPIClient][binance.websocket.api.cm_futures.WebsocketAPIClient])."""

    market = CM.name
    default_url = CM.ws_api_url
