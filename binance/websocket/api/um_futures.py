"""USDⓈ-M futures WebSocket API client (`wss://ws-fapi.binance.com/ws-fapi/v1`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from binance._markets import UM
from binance.websocket.api._endpoints import CommonMethods, UMOnlyMethods
from binance.websocket.api._um_full import UMFuturesWebsocketAPIClientNew
from binance.websocket.api.client import WebsocketAPIClient

if TYPE_CHECKING:  # pragma: no cover
    from binance.types import um  # noqa: F401  (named in the result types below)

__all__ = ["UMFuturesWebsocketAPIClient"]


class UMFuturesWebsocketAPIClient(
    UMFuturesWebsocketAPIClientNew,
    CommonMethods[
        "um.OrderPlaceResult",
        "um.OrderCancelResult",
        "um.OrderModifyResult",
        "um.OrderStatusResult",
        "um.AccountStatusResult",
        "um.AccountBalanceResult",
        "um.AccountPositionResult",
    ],
    UMOnlyMethods,
    WebsocketAPIClient,
):
    """USDⓈ-M WebSocket API: 18 methods over one signed connection (see `WebsocketAPIClient`).

    With `return_full_response=True` every call returns the whole reply: type checkers then see the client
    as `FullUMFuturesWebsocketAPIClient` (see `binance.types.wrapped`)."""

    market = UM.name
    default_url = UM.ws_api_url
