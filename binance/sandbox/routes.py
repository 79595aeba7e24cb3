"""URL layout of the sandbox and the REST routing table (pure: no sockets).

One port serves everything:

==========================  ===========================================================
`/um/fapi/...`            UM REST (base URL `http://HOST:PORT/um`)
`/um/futures/data/...`    UM trading statistics
`/cm/dapi/...`            COIN-M REST (base URL `http://HOST:PORT/cm`)
`/cm/futures/data/...`    COIN-M trading statistics
`/fstream/...`            UM streams: `/ws`, `/stream`, `/public|/market|/private` + those
`/dstream/...`            COIN-M streams: `/ws`, `/stream`
`/ws-fapi/v1`             UM WebSocket API (served by the ws_api extension)
`/ws-dapi/v1`             COIN-M WebSocket API
`/admin/...`              sandbox controls (faults, accounts, connections)
==========================  ===========================================================
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Tuple

from binance.sandbox.engine.errors import EngineError

__all__ = [
    "MARKETS",
    "REST_PREFIX",
    "STREAM_PREFIX",
    "WS_API_PATH",
    "market_paths",
    "find_endpoint",
    "endpoint_weight",
    "unknown_path_error",
    "urls",
]

MARKETS = ("um", "cm")
REST_PREFIX = {"um": "/um", "cm": "/cm"}
STREAM_PREFIX = {"um": "/fstream", "cm": "/dstream"}
WS_API_PATH = {"um": "/ws-fapi/v1", "cm": "/ws-dapi/v1"}
_API_ROOT = {"um": "/fapi/", "cm": "/dapi/"}
_SHARED_ROOT = "/futures/data/"


def market_paths(market: str, path: str) -> bool:
    """Whether `path` (e.g. `/fapi/v1/order`) belongs to `market`'s REST tree."""
    return path.startswith(_API_ROOT[market]) or path.startswith(_SHARED_ROOT)


def unknown_path_error(method: str, path: str) -> EngineError:
    """What Binance answers for a path or method it does not serve (HTTP 404)."""
    return EngineError(-5000, f"Path {path}, Method {method} is invalid", http_status=404)


def find_endpoint(endpoints: Mapping[Tuple[str, str, str], Any], market: str, method: str, path: str) -> Any:
    """The endpoint info for (market, method, path); EngineError 404 when there is none."""
    info = endpoints.get((market, method.upper(), path)) if market_paths(market, path) else None
    if info is None:
        raise unknown_path_error(method.upper(), path)
    return info


def endpoint_weight(info: Any, params: Mapping[str, str]) -> int:
    """The request weight of one call, resolved for its parameters when the endpoint says how."""
    weight_for = getattr(info, "weight_for", None)
    if callable(weight_for):
        try:
            return int(weight_for(params))
        except (TypeError, ValueError):
            pass
    weight = getattr(info, "weight", 1)
    try:
        return int(weight)
    except (TypeError, ValueError):
        return 1


def urls(host: str, port: int) -> dict:
    """Every base URL of a sandbox listening on `host:port`."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    http = f"http://{host}:{port}"
    ws = f"ws://{host}:{port}"
    return {
        "um_rest_url": http + REST_PREFIX["um"],
        "cm_rest_url": http + REST_PREFIX["cm"],
        "um_stream_url": ws + STREAM_PREFIX["um"],
        "cm_stream_url": ws + STREAM_PREFIX["cm"],
        "um_ws_api_url": ws + WS_API_PATH["um"],
        "cm_ws_api_url": ws + WS_API_PATH["cm"],
    }


def rest_market(prefix: str) -> Optional[str]:
    """The market whose REST prefix is `prefix` (`/um` -> `um`)."""
    for market, value in REST_PREFIX.items():
        if value == prefix:
            return market
    return None
