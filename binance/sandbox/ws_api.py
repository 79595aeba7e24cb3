"""The sandbox's WebSocket API endpoints: `/ws-fapi/v1` (USDⓈ-M) and `/ws-dapi/v1` (COIN-M).

Each request `{"id", "method", "params"}` is checked the way Binance checks it (signed methods:
apiKey, timestamp, recvWindow and the signature over the sorted params, with the account's key
type; user-stream methods: apiKey), counted against the rate limits, then mapped onto the REST
handler it mirrors (`order.place` -> `POST /fapi/v1/order` ...) through
`dispatch`. Replies use Binance's envelope:
`{"id", "status", "result", "rateLimits"}` or `{"id", "status", "error": {"code", "msg"}}`.

`WsApiService` is the request logic (no sockets); `WsApiConnection` is the socket,
registered in `sandbox.connections` so the fault controls (drop, stall, close after N, malformed
frames) reach it. Pings and pongs are handled by `WsConnection`.
"""

from __future__ import annotations

import json
import logging
import math
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional

from aiohttp import web

from binance.sandbox.connection import ConnectionSettings, WsConnection
from binance.sandbox.engine.errors import EngineError
from binance.sandbox.routes import WS_API_PATH, endpoint_weight
from binance.sandbox.streams import server_shutdown_event
from binance.sandbox.ws_api_answers import ws_result
from binance.websocket.api._methods import METHODS, WsMethod

if TYPE_CHECKING:  # pragma: no cover
    from binance.sandbox import Sandbox

logger = logging.getLogger(__name__)

__all__ = ["setup", "WsApiService", "WsApiConnection", "PATHS"]

PATHS = WS_API_PATH
SOURCE = "WS_API"
_STRIPPED = ("apiKey", "signature", "timestamp", "recvWindow", "returnRateLimits")


def _wire_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, float) and math.isfinite(value):
        return format(Decimal(repr(value)), "f")  # a JSON number such as 1e-05 is the decimal 0.00001
    return str(value)


def _error(request_id: Any, status: int, code: int, msg: str, rate_limits: Optional[list] = None) -> Dict[str, Any]:
    reply: Dict[str, Any] = {"id": request_id, "status": status, "error": {"code": code, "msg": msg}}
    if rate_limits is not None:
        reply["rateLimits"] = rate_limits
    return reply


class WsApiService:
    """Answers WebSocket API requests for one sandbox (both markets); thread-safe, no I/O.

    `dispatch(exchange, market, http_method, path, api_key, params, source=...)` and `endpoints`
    default to the sandbox's REST handlers (orders placed are logged with source `"WS_API"`);
    `limiter` is the sandbox's RateLimiter (or None for no limits).
    """

    def __init__(
        self,
        exchange: Any,
        auth: Any,
        limiter: Any = None,
        dispatch: Optional[Callable[..., Any]] = None,
        endpoints: Optional[Mapping[Any, Any]] = None,
    ) -> None:
        if dispatch is None or endpoints is None:
            from binance.sandbox import handlers

            dispatch = dispatch or handlers.dispatch
            endpoints = endpoints if endpoints is not None else handlers.ENDPOINTS
        self.exchange = exchange
        self.auth = auth
        self.limiter = limiter
        self._dispatch = dispatch
        self._endpoints = endpoints
        self.requests_handled = 0

    def handle_text(self, market: str, text: str, peer: str = "127.0.0.1") -> Dict[str, Any]:
        """Answer one text frame (any content) with the reply envelope."""
        try:
            frame = json.loads(text)
        except ValueError:
            return _error(None, 400, -1000, "Malformed request: not valid JSON.")
        if not isinstance(frame, dict):
            return _error(None, 400, -1000, "Malformed request: not a JSON object.")
        request_id = frame.get("id")
        if "id" not in frame or not isinstance(request_id, (int, str, type(None))) or isinstance(request_id, bool):
            return _error(None, 400, -1000, "Malformed request: 'id' must be an integer, a string or null.")
        method = frame.get("method")
        params = frame.get("params", {})
        if not isinstance(method, str) or not isinstance(params, dict):
            return _error(request_id, 400, -1000, "Malformed request: 'method' or 'params' is invalid.")
        return self.handle(market, request_id, method, params, peer)

    def handle(self, market: str, request_id: Any, method: str, params: Mapping[str, Any], peer: str) -> Dict[str, Any]:
        """Answer one parsed request."""
        self.requests_handled += 1
        info = METHODS[market].get(method)
        if info is None:
            return _error(request_id, 400, -1000, f"Unknown method '{method}'.")
        want_limits = _as_bool(params.get("returnRateLimits"), True)
        rate_limits: Optional[List[Dict[str, Any]]] = None
        try:
            api_key = self._authenticate(market, info, params)
            rest_params = {k: _wire_string(v) for k, v in params.items() if k not in _STRIPPED and v is not None}
            rate_limits = self._count(market, info, rest_params, peer, api_key)
            result = self._run(market, info, api_key, rest_params)
        except EngineError as exc:
            return _error(request_id, exc.http_status, exc.code, exc.msg, rate_limits if want_limits else None)
        except _Limited as exc:
            reply = _error(request_id, exc.status, exc.code, exc.msg, exc.rate_limits if want_limits else None)
            reply["error"]["data"] = {"retryAfter": exc.retry_after_ms}
            return reply
        reply = {"id": request_id, "status": 200, "result": result}
        if want_limits and rate_limits is not None:
            reply["rateLimits"] = rate_limits
        return reply

    def _run(self, market: str, info: WsMethod, api_key: Optional[str], params: Dict[str, str]) -> Any:
        result = self._dispatch(self.exchange, market, info.http_method, info.rest_path, api_key, params,
                                source=SOURCE)
        return ws_result(market, info.method, result)

    def _authenticate(self, market: str, info: WsMethod, params: Mapping[str, Any]) -> Optional[str]:
        if info.signed:
            return self.auth.check_ws_request(market, params)
        if info.needs_api_key:
            api_key = params.get("apiKey")
            return self.auth.check_api_key(api_key if isinstance(api_key, str) else None).api_key
        return None

    def _count(
        self, market: str, info: WsMethod, params: Mapping[str, str], peer: str, api_key: Optional[str]
    ) -> Optional[List[Dict[str, Any]]]:
        if self.limiter is None:
            return None
        endpoint = self._endpoints.get((market, info.http_method, info.rest_path))
        weight = endpoint_weight(endpoint, params) if endpoint is not None else 1
        limits = self.limiter.limits
        try:
            used = self.limiter.add_weight(peer, weight)
        except Exception as exc:  # RateLimitExceeded, imported lazily to keep this module light
            raise _Limited.from_exceeded(exc, [_limit("REQUEST_WEIGHT", "MINUTE", limits.weight_per_minute,
                                                      getattr(exc, "used_weight", 0))]) from None
        out = [_limit("REQUEST_WEIGHT", "MINUTE", limits.weight_per_minute, used)]
        if info.places_order or info.method == "order.modify":
            account = api_key or peer
            try:
                short, long = self.limiter.add_order(account)
            except Exception as exc:
                short, long = self.limiter.order_counts(account)
                raise _Limited.from_exceeded(exc, out + _order_limits(limits, short, long)) from None
            out += _order_limits(limits, short, long)
        return out


class _Limited(Exception):
    def __init__(self, status: int, code: int, msg: str, retry_after_ms: int, rate_limits: list) -> None:
        super().__init__(status, code, msg)
        self.status, self.code, self.msg = status, code, msg
        self.retry_after_ms = retry_after_ms
        self.rate_limits = rate_limits

    @classmethod
    def from_exceeded(cls, exc: Exception, rate_limits: list) -> "_Limited":
        if not hasattr(exc, "retry_after") or not hasattr(exc, "status"):
            raise exc
        retry_ms = int(time.time() * 1000) + int(exc.retry_after) * 1000  # type: ignore[attr-defined]
        return cls(exc.status, exc.code, exc.msg, retry_ms, rate_limits)  # type: ignore[attr-defined]


def _limit(kind: str, interval: str, limit: int, count: int, interval_num: int = 1) -> Dict[str, Any]:
    return {"rateLimitType": kind, "interval": interval, "intervalNum": interval_num, "limit": limit, "count": count}


def _order_limits(limits: Any, short: int, long: int) -> List[Dict[str, Any]]:
    return [
        _limit("ORDERS", "SECOND", limits.orders_per_10s, short, 10),
        _limit("ORDERS", "MINUTE", limits.orders_per_minute, long),
    ]


def _as_bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).lower() != "false"


class WsApiConnection(WsConnection):
    """One WebSocket API connection: each text frame is a request, answered in order of arrival."""

    kind = "ws_api"

    def __init__(self, request: web.Request, market: str, settings: ConnectionSettings, sandbox: "Sandbox",
                 service: WsApiService) -> None:
        super().__init__(request, market, settings, sandbox.connections)
        self.service = service
        self.peer = request.remote or "127.0.0.1"

    def shutdown_notice(self, now_ms: int) -> str:
        """`{"event": {"e": "serverShutdown", "E": ms}}`: WebSocket API events come wrapped."""
        return server_shutdown_event(now_ms, wrapped=True)

    async def on_text(self, text: str) -> None:
        """Answer one request."""
        reply = self.service.handle_text(self.market, text, self.peer)
        self.send_text(json.dumps(reply, separators=(",", ":")))


def _connection_settings(sandbox: "Sandbox") -> ConnectionSettings:
    """The sandbox's heartbeat settings, without the streams' 10 messages/s limit (the WebSocket API
    is limited by request weight instead)."""
    return ConnectionSettings(sandbox.settings.ping_interval, sandbox.settings.pong_timeout, None)


def setup(app: web.Application, sandbox: "Sandbox") -> None:
    """Register the WebSocket API routes on the sandbox's aiohttp app (the server's EXTENSIONS hook)."""
    service = WsApiService(sandbox.exchange, sandbox.auth, sandbox.limiter)
    sandbox.ws_api_service = service

    def handler_for(market: str) -> Callable[[web.Request], Any]:
        async def handler(request: web.Request) -> web.StreamResponse:
            conn = WsApiConnection(request, market, _connection_settings(sandbox), sandbox, service)
            return await conn.run()

        return handler

    for market, path in PATHS.items():
        app.router.add_get(path, handler_for(market))
