"""Market-stream protocol, pure: URL forms, control messages and their replies, categories, cadences.

No sockets here; `stream_server` does the I/O.

Control messages (`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`,
`GET_PROPERTY`) are parsed by `parse_control`, which returns either a
`ControlRequest` or the exact error reply Binance sends.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple, Union
from urllib.parse import parse_qsl, unquote

__all__ = [
    "METHODS",
    "ControlRequest",
    "parse_control",
    "error_reply",
    "result_reply",
    "stream_category",
    "path_route",
    "Route",
    "cadence_ms",
    "combined_text",
    "is_depth_diff",
    "USER_EVENTS",
    "split_user_item",
    "server_shutdown_event",
]

METHODS = ("SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY")
USER_EVENTS = frozenset({
    "ACCOUNT_UPDATE", "ORDER_TRADE_UPDATE", "TRADE_LITE", "ACCOUNT_CONFIG_UPDATE", "MARGIN_CALL", "ALGO_UPDATE",
    "STRATEGY_UPDATE", "GRID_UPDATE", "CONDITIONAL_ORDER_TRIGGER_REJECT", "listenKeyExpired",
})
CATEGORIES = ("public", "market", "private")

UNKNOWN_PROPERTY = (0, "Unknown property")
EXPECTED_BOOLEAN = (1, "Invalid value type: expected Boolean")
PROPERTY_NOT_STRING = (2, "Invalid request: property name must be a string")
BAD_ID = (2, "Invalid request: request ID must be an unsigned integer")


def error_reply(code: int, msg: str, request_id: Any = None) -> Dict[str, Any]:
    """`{"error": {"code": .., "msg": ..}, "id": ..}` as Binance sends it."""
    return {"error": {"code": code, "msg": msg}, "id": request_id}


def result_reply(result: Any, request_id: Any) -> Dict[str, Any]:
    """`{"result": .., "id": ..}`."""
    return {"result": result, "id": request_id}


@dataclass(frozen=True)
class ControlRequest:
    """A well-formed control message."""

    method: str
    params: Tuple[Any, ...] = ()
    id: Any = None


def _valid_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value < 2**64
    return isinstance(value, str) and 0 < len(value) <= 64


def _column_after(text: str, method: str) -> int:
    token = json.dumps(method)
    position = text.find(token)
    return position + len(token) if position >= 0 else len(text)


def parse_control(text: str) -> Union[ControlRequest, Dict[str, Any]]:
    """Parse one incoming message; return a ControlRequest or the error reply to send.

    Ids: unsigned integers as the docs say, and also short strings (the official SDK sends UUIDs).
    """
    try:
        message = json.loads(text)
    except ValueError as exc:
        return error_reply(3, f"Invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    if not isinstance(message, dict):
        return error_reply(3, "Invalid JSON: expected an object")
    method = message.get("method")
    if not isinstance(method, str) or method not in METHODS:
        shown = method if isinstance(method, str) else json.dumps(method)
        return error_reply(
            2,
            f"Invalid request: unknown variant `{shown}`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, "
            f"`LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY` at line 1 column "
            f"{_column_after(text, method) if isinstance(method, str) else len(text)}",
            message.get("id") if _valid_id(message.get("id")) else None,
        )
    request_id = message.get("id")
    if not _valid_id(request_id):
        return error_reply(*BAD_ID)
    params = message.get("params", [])
    if params is None:
        params = []
    if not isinstance(params, list):
        return error_reply(2, "Invalid request: params must be an array", request_id)
    if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
        if not all(isinstance(p, str) and p for p in params):
            return error_reply(2, "Invalid request: stream names must be non-empty strings", request_id)
    elif method in ("SET_PROPERTY", "GET_PROPERTY"):
        if not params or not isinstance(params[0], str):
            return error_reply(*PROPERTY_NOT_STRING, request_id)
        if params[0] != "combined":
            return error_reply(*UNKNOWN_PROPERTY, request_id)
        if method == "SET_PROPERTY" and (len(params) < 2 or not isinstance(params[1], bool)):
            return error_reply(*EXPECTED_BOOLEAN, request_id)
    return ControlRequest(method, tuple(params), request_id)


_PUBLIC = re.compile(r"(@depth|@rpiDepth|bookTicker|@trade$)")


@lru_cache(maxsize=4096)
def stream_category(name: str, is_listen_key: bool = False) -> str:
    """UM category of a stream name: `public` (depth family, bookTicker, raw trades), `private`
    (a listenKey) or `market` (everything else)."""
    if is_listen_key:
        return "private"
    return "public" if _PUBLIC.search(name) else "market"


_DEPTH_DIFF = re.compile(r"@depth(@\d+ms)?$")


@lru_cache(maxsize=4096)
def is_depth_diff(name: str) -> bool:
    """True for diff-depth streams (`btcusdt@depth`, `@depth@100ms`), not partial depth."""
    return bool(_DEPTH_DIFF.search(name))


@dataclass
class Route:
    """What a WebSocket URL asks for."""

    category: Optional[str]
    combined: bool
    streams: List[str] = field(default_factory=list)
    listen_keys: List[Tuple[str, Optional[Tuple[str, ...]]]] = field(default_factory=list)


def path_route(tail: str, query: str) -> Optional[Route]:
    """Parse the part of a stream URL after the market base, e.g. `/market/stream` with
    `streams=a/b`, `/ws/btcusdt@depth`, `/private/ws` with `listenKey=K&events=E1/E2`.
    A path segment of digits only (`/ws/0`) is a client's connection id and names no stream.
    Returns None for a path that is not a stream endpoint."""
    parts = [unquote(p) for p in tail.strip("/").split("/")]
    category: Optional[str] = None
    if parts and parts[0] in CATEGORIES:
        category = parts.pop(0)
    if not parts or parts[0] not in ("ws", "stream"):
        return None
    combined = parts[0] == "stream"
    # `/ws/0`, `/ws/1` ...: a connection id some clients (ccxt) put in the path, not a stream name
    streams = [p for p in parts[1:] if p and not (p.isascii() and p.isdigit())]
    listen_keys: List[Tuple[str, Optional[Tuple[str, ...]]]] = []
    pending: Optional[str] = None
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == "streams":
            streams.extend(s for s in value.split("/") if s)
        elif name == "listenKey" and value:
            if pending is not None:
                listen_keys.append((pending, None))
            pending = value
        elif name == "events" and pending is not None:
            listen_keys.append((pending, tuple(e for e in value.split("/") if e) or None))
            pending = None
    if pending is not None:
        listen_keys.append((pending, None))
    return Route(category=category, combined=combined, streams=streams, listen_keys=listen_keys)


_SPEED = re.compile(r"@(\d+)(ms|s)$")


def cadence_ms(market: str, name: str) -> int:
    """How often a periodic stream is pushed, from its name and Binance's documented speeds."""
    match = _SPEED.search(name)
    if match:
        value = int(match.group(1))
        return value * 1000 if match.group(2) == "s" else value
    if "@markPrice" in name or "@indexPrice" in name or name.startswith("!markPrice"):
        return 3000
    if "@kline_" in name or "Kline_" in name:
        return 250
    if name.endswith("@ticker") or name.endswith("@miniTicker"):
        return 2000 if market == "um" else 500
    if re.search(r"@depth\d+$", name):
        return 250
    return 1000


def combined_text(stream: str, raw_json: str) -> str:
    """The combined-stream wrapper `{"stream": .., "data": ..}` around an already-encoded payload."""
    return '{"stream":' + json.dumps(stream) + ',"data":' + raw_json + "}"


def split_user_item(name: str) -> Optional[Tuple[str, str]]:
    """`(listenKey, event)` for a SUBSCRIBE item `<listenKey>@<EVENT>` naming a user-data event
    (`ORDER_TRADE_UPDATE`, `ACCOUNT_UPDATE` ...); None for anything else. Whether the key is live
    is for the caller to check."""
    key, sep, event = name.partition("@")
    if not sep or not key or event not in USER_EVENTS:
        return None
    return key, event


def server_shutdown_event(now_ms: int, wrapped: bool = False) -> str:
    """Binance's notice ahead of a forced disconnect: `{"e":"serverShutdown","E":ms}` on streams,
    inside `{"event": ...}` on the WebSocket API (`wrapped`)."""
    event = {"e": "serverShutdown", "E": int(now_ms)}
    return json.dumps({"event": event} if wrapped else event, separators=(",", ":"))
