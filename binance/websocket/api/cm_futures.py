"""COIN-M futures WebSocket API client (`wss://ws-dapi.binance.com/ws-dapi/v1`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from binance._markets import CM
from binance.websocket.api._cm_full import CMFuturesWebsocketAPIClientNew
from binance.websocket.api._endpoints import CommonMethods
from binance.websocket.api.client import WebsocketAPIClient

if TYPE_CHECKING:  # pragma: no cover
    from binance.types import cm  # noqa: F401  (named in the result types below)

__all__ = ["CMFuturesWebsocketAPIClient"]


class CMFuturesWebsocketAPIClient(
    CMFuturesWebsocketAPIClientNew,
    CommonMethods[
        "cm.OrderPlaceResult",
        "cm.OrderCancelResult",
        "cm.OrderModifyResult",
        "cm.OrderStatusResult",
        "cm.AccountStatusResult",
        "cm.AccountBalanceResult",
        "cm.AccountPositionResult",
    ],
    WebsocketAPIClient,
):
    """COIN-M WebSocket API: 10 methods over one signed connection (see `WebsocketAPIClient`).

    With `return_full_response=True` every call returns the whole reply: type checkers then see the client
    as `FullCMFuturesWebsocketAPIClient` (see `binance.types.wrapped`)."""

    market = CM.name
    default_url = CM.ws_api_url
