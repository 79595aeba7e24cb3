"""Where a WebSocket API answer differs from the REST answer it mirrors (pure).

The sandbox answers a WebSocket API request with the REST handler of the mirrored endpoint; Binance's
WebSocket API documentation (the official SDK's reply models, USDⓈ-M 18.1.0 / COIN-M 14.1.0) lists a few
fields differently. This module turns the REST result into the documented WebSocket result. Fields the
WebSocket API documents but the REST result cannot carry (USDⓈ-M `ticker.book` `lastUpdateId`, position
`breakEvenPrice`/`isolatedWallet`/`notionalValue`) the engine renders itself when the REST handler runs
for a WebSocket API request (`Ctx.ws_api`).
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

DROPPED: Dict[Tuple[str, str], Tuple[str, ...]] = {
    ("um", "order.modify"): ("pair",),
    ("um", "algoOrder.place"): ("activatePrice", "callbackRate"),
    ("um", "account.status"): ("feeBurn",),
    ("cm", "order.place"): ("priceMatch", "selfTradePreventionMode"),
    ("cm", "order.modify"): ("priceMatch", "selfTradePreventionMode"),
    ("cm", "order.cancel"): ("priceMatch", "selfTradePreventionMode"),
}
"""Fields of the REST result the WebSocket reply does not document."""


def ws_result(market: str, method: str, result: Any) -> Any:
    """The WebSocket API `result` of `method` for the REST handler's `result`."""
    dropped = DROPPED.get((market, method), ())
    if dropped and isinstance(result, dict):
        result = {k: v for k, v in result.items() if k not in dropped}
    if (market, method) == ("cm", "order.status") and isinstance(result, dict) and "executedQty" in result:
        result = dict(result, cumQty=result["executedQty"])  # documented here, not in the REST query
    if (market, method) == ("um", "v2/account.status") and isinstance(result, dict):
        assets = [dict(a, marginAvailable=True) for a in result.get("assets", [])]
        result = dict(result, assets=assets)
    return result
