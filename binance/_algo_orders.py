"""The `new_algo_order(...)` call that places a USDⓈ-M conditional order `new_order` can no longer place.

Since 2025-12-09 Binance answers -4120 to `STOP`, `STOP_MARKET`, `TAKE_PROFIT`, `TAKE_PROFIT_MARKET` and
`TRAILING_STOP_MARKET` on `POST /fapi/v1/order`: they are algo orders (`POST /fapi/v1/algoOrder`,
`algoType="CONDITIONAL"`). This pure module turns the parameters of the refused `new_order` into the
equivalent `new_algo_order` call, for the message of [AlgoOrderRequiredError][binance.error.AlgoOrderRequiredError].
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Tuple

from binance.error import AlgoOrderRequiredError

CONDITIONAL_TYPES = frozenset({"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"})
"""The order types Binance moved from `POST /fapi/v1/order` to `POST /fapi/v1/algoOrder`."""

RENAMED = {"stopPrice": "triggerPrice", "activationPrice": "activatePrice", "newClientOrderId": "clientAlgoId"}
"""`new_order` parameter -> the `new_algo_order` parameter with the same meaning."""

CARRIED = (
    "positionSide",
    "timeInForce",
    "quantity",
    "price",
    "workingType",
    "priceMatch",
    "closePosition",
    "priceProtect",
    "reduceOnly",
    "callbackRate",
    "newOrderRespType",
    "selfTradePreventionMode",
    "goodTillDate",
    "recvWindow",
)
"""`new_order` parameters `new_algo_order` takes under the same name."""

_POSITIONAL = ("symbol", "side", "type")
_NOT_PARAMETERS = frozenset({"timestamp", "signature"})


def algo_order_params(order: Mapping[str, Any]) -> Tuple[Dict[str, Any], List[str]]:
    """The `new_algo_order` keyword arguments for the same order, and the `new_order` parameters it has no
    place for (which are left out)."""
    kwargs: Dict[str, Any] = {}
    dropped: List[str] = []
    for name, value in order.items():
        if value is None or name in _POSITIONAL or name in _NOT_PARAMETERS:
            continue
        if name in RENAMED:
            kwargs[RENAMED[name]] = value
        elif name in CARRIED:
            kwargs[name] = value
        else:
            dropped.append(name)
    return kwargs, dropped


def _literal(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, Decimal):
        return repr(format(value, "f"))
    return repr(str(value))


def algo_order_source(order: Mapping[str, Any], call_name: str = "new_algo_order") -> str:
    """The `new_algo_order(...)` call (Python source) that places the order `new_order` was refused, e.g.
    `new_algo_order('CONDITIONAL', 'BTCUSDT', 'SELL', 'STOP_MARKET', quantity='0.01', triggerPrice='60000')`
    (`call_name="algo_order_place"` for the WebSocket API client)."""
    kwargs, _ = algo_order_params(order)
    args = ["'CONDITIONAL'"] + [_literal(order.get(name)) for name in _POSITIONAL]
    args += ["%s=%s" % (name, _literal(value)) for name, value in kwargs.items()]
    return "%s(%s)" % (call_name, ", ".join(args))


def algo_order_call(order: Mapping[str, Any], call_name: str = "new_algo_order") -> str:
    """`algo_order_source`, followed by the parameters it renamed and the ones it left out."""
    _, dropped = algo_order_params(order)
    call = algo_order_source(order, call_name)
    renamed = ["%s -> %s" % (old, new) for old, new in RENAMED.items() if order.get(old) is not None]
    notes = []
    if renamed:
        notes.append("renamed: " + ", ".join(renamed))
    if dropped:
        notes.append("not an algo-order parameter, left out: " + ", ".join(dropped))
    return call + (" (%s)" % "; ".join(notes) if notes else "")


def name_algo_order_call(
    exc: BaseException, order: Optional[Mapping[str, Any]], call_name: str = "new_algo_order"
) -> None:
    """If `exc` is the -4120 refusal of `order`, write the `new_algo_order` call (or `call_name`) into it
    (its message shows it)."""
    if isinstance(exc, AlgoOrderRequiredError) and order:
        exc.algo_order_call = algo_order_call(order, call_name)
