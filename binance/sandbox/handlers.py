"""REST endpoint -> engine mapping for every endpoint of the spec, both markets.

`dispatch(ex, market, method, path, api_key, params)` checks the spec's mandatory parameters (-1102), takes
the exchange lock and runs the endpoint's handler; trading, account and market-data endpoints go through the
engine. `ENDPOINTS` maps (market, method, path) to an `EndpointInfo` (security, weight rule, order flag).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from .engine import EngineError, Exchange, rest_account, rest_market, rest_trade
from .engine.endpoints import EndpointInfo, build_endpoints
from .engine.errors import mandatory
from .engine.rest_common import Ctx, fill_example
from .engine.util import check_numbers

log = logging.getLogger(__name__)

__all__ = ["ENDPOINTS", "EndpointInfo", "dispatch", "handler_for"]

ENDPOINTS: Dict[Tuple[str, str, str], EndpointInfo] = build_endpoints()

Handler = Callable[[Ctx], Any]
_ROUTES: Dict[Tuple[str, str, str], Handler] = {}
for _table in (rest_market.ROUTES, rest_trade.ROUTES, rest_account.ROUTES):
    _ROUTES.update(_table)

_PREFIX = {"um": "/fapi/", "cm": "/dapi/"}
_IGNORED = ("recvWindow", "timestamp", "signature")


def _relative(market: str, path: str) -> str:
    prefix = _PREFIX[market]
    return path[len(prefix):] if path.startswith(prefix) else path


def handler_for(market: str, http_method: str, path: str) -> Optional[Handler]:
    """The engine handler of an endpoint, or `None` when it answers from its documented example."""
    rel = _relative(market, path)
    method = http_method.upper()
    return _ROUTES.get((market, method, rel)) or _ROUTES.get(("*", method, rel))


def _documented(c: Ctx) -> Any:
    """Answer of an endpoint the engine does not model: the documented shape with values from the request."""
    values: Dict[str, Any] = {"time": c.now(), "updateTime": c.now(), "serverTime": c.now()}
    for name in ("symbol", "pair", "asset"):
        if c.str(name):
            values[name] = c.str(name)
    return fill_example(c.info.example if c.info.example is not None else {}, values)


def dispatch(ex: Exchange, market: str, http_method: str, path: str, api_key: Optional[str],
             params: Mapping[str, str], source: str = "REST") -> object:
    """Run one REST call against the exchange; returns the JSON body of the 200 answer.

    `source` labels the orders the call places in `ex.order_log` ("REST", "WS_API"; batch and
    algo endpoints append "-batch" / "-algo"). Raises EngineError with Binance's code and message
    (and the HTTP status to answer) on rejection."""
    method = http_method.upper()
    info = ENDPOINTS.get((market, method, path))
    if info is None:
        raise EngineError(-1000, f"Unknown endpoint {method} {path}.", 404)
    for name in info.required:
        if name in _IGNORED:
            continue
        value = params.get(name)
        if value is None or str(value) == "":
            raise mandatory(name)
    clean = {k: str(v) for k, v in params.items() if k not in _IGNORED}
    check_numbers(clean)
    handler = handler_for(market, method, path) or _documented
    with ex.lock:
        ctx = Ctx(ex, market, api_key, clean, info, source)
        if info.security in ("USER_DATA", "TRADE", "USER_STREAM") and handler is _documented:
            ctx.check_account()
        return handler(ctx)
