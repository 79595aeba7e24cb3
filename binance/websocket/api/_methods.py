"""The WebSocket API methods of each market, as data: name, security, and the REST endpoint it mirrors.

Python method names are derived from the Binance method names by one rule (`python_name`):
dots become underscores, camelCase becomes snake_case, and a `vN/` prefix becomes a `_vN` suffix:

    order.place           -> order_place
    algoOrder.cancel      -> algo_order_cancel
    userDataStream.start  -> user_data_stream_start
    v2/account.status     -> account_status_v2

The REST mirror (`http_method`, `rest_path`) is what the sandbox dispatches a WebSocket request to.
"""

from __future__ import annotations

import re
from typing import Dict, NamedTuple, Tuple

__all__ = ["WsMethod", "METHODS", "python_name", "method_info"]

SIGNED_SECURITIES = frozenset({"TRADE", "USER_DATA"})


class WsMethod(NamedTuple):
    """One WebSocket API method of one market."""

    method: str
    security: str
    http_method: str
    rest_path: str
    required: Tuple[str, ...] = ()

    @property
    def signed(self) -> bool:
        """True when the request carries apiKey, timestamp and signature."""
        return self.security in SIGNED_SECURITIES

    @property
    def needs_api_key(self) -> bool:
        """True when the request carries `apiKey` (signed methods and user-stream methods)."""
        return self.signed or self.security == "USER_STREAM"

    @property
    def places_order(self) -> bool:
        """True for methods that create an order (recorded in the sandbox's order log)."""
        return self.method in ("order.place", "algoOrder.place")

    @property
    def python_name(self) -> str:
        """The client method name for this Binance method."""
        return python_name(self.method)


def python_name(method: str) -> str:
    """Derive the snake_case client method name from a Binance WebSocket API method name."""
    version = ""
    match = re.match(r"^(v\d+)/(.+)$", method)
    if match:
        version, method = match.group(1), match.group(2)
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", method).lower().replace(".", "_")
    return f"{snake}_{version}" if version else snake


def _table(prefix: str, rows: Tuple[Tuple[str, str, str, str, Tuple[str, ...]], ...]) -> Dict[str, WsMethod]:
    return {name: WsMethod(name, sec, verb, f"{prefix}/{path}", req) for name, sec, verb, path, req in rows}


_ORDER_ROWS = (
    ("order.place", "TRADE", "POST", "v1/order", ("symbol", "side", "type")),
    ("order.cancel", "TRADE", "DELETE", "v1/order", ("symbol",)),
    ("order.modify", "TRADE", "PUT", "v1/order", ("symbol", "side", "quantity", "price")),
    ("order.status", "USER_DATA", "GET", "v1/order", ("symbol",)),
    ("userDataStream.start", "USER_STREAM", "POST", "v1/listenKey", ()),
    ("userDataStream.ping", "USER_STREAM", "PUT", "v1/listenKey", ()),
    ("userDataStream.stop", "USER_STREAM", "DELETE", "v1/listenKey", ()),
)

METHODS: Dict[str, Dict[str, WsMethod]] = {
    "um": _table(
        "/fapi",
        _ORDER_ROWS
        + (
            ("account.status", "USER_DATA", "GET", "v2/account", ()),
            ("v2/account.status", "USER_DATA", "GET", "v3/account", ()),
            ("account.balance", "USER_DATA", "GET", "v2/balance", ()),
            ("v2/account.balance", "USER_DATA", "GET", "v3/balance", ()),
            ("account.position", "USER_DATA", "GET", "v2/positionRisk", ()),
            ("v2/account.position", "USER_DATA", "GET", "v3/positionRisk", ()),
            ("depth", "NONE", "GET", "v1/depth", ("symbol",)),
            ("ticker.book", "NONE", "GET", "v1/ticker/bookTicker", ()),
            ("ticker.price", "NONE", "GET", "v1/ticker/price", ()),
            ("algoOrder.place", "TRADE", "POST", "v1/algoOrder", ("algoType", "symbol", "side", "type")),
            ("algoOrder.cancel", "TRADE", "DELETE", "v1/algoOrder", ()),
        ),
    ),
    "cm": _table(
        "/dapi",
        _ORDER_ROWS
        + (
            ("account.status", "USER_DATA", "GET", "v1/account", ()),
            ("account.balance", "USER_DATA", "GET", "v1/balance", ()),
            ("account.position", "USER_DATA", "GET", "v1/positionRisk", ()),
        ),
    ),
}


def method_info(market: str, method: str) -> WsMethod:
    """The `WsMethod` for `method` in `market` ("um" or "cm"); KeyError when it does not exist."""
    return METHODS[market][method]
