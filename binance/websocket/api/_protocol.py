"""Pure WebSocket API protocol: request frames, the signed payload, reply parsing, typed errors.

No sockets, threads or clocks: the caller passes the timestamp and the request id.

Signing (Binance's rule for the WebSocket API): every param except ``signature`` (including
``apiKey`` and ``timestamp``) is sorted by name and URL-encoded; the signature of that string goes
back into ``params``. Values are written with :func:`binance._params.format_value`; integers stay
JSON integers on the wire, everything else (decimals, booleans, lists) is a JSON string.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Union
from urllib.parse import urlencode

from binance._params import format_value
from binance._signing import Signer
from binance.error import Error, ParameterArgumentError, ServerError, client_error_class

__all__ = [
    "wire_value",
    "signing_payload",
    "build_params",
    "encode_request",
    "Reply",
    "parse_reply",
    "reply_error",
]

RequestId = Union[int, str]


def wire_value(value: Any) -> Any:
    """The JSON value sent for one param: ints stay ints, everything else is its wire string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return format_value(value)


def signing_payload(params: Mapping[str, Any]) -> str:
    """The string Binance signs: all params but ``signature``, sorted by name, URL-encoded."""
    return urlencode(sorted((k, format_value(v)) for k, v in params.items() if k != "signature"))


def build_params(
    params: Mapping[str, Any],
    *,
    api_key: Optional[str] = None,
    signer: Optional[Signer] = None,
    timestamp: Optional[int] = None,
) -> Dict[str, Any]:
    """Return the ``params`` object of a request.

    ``None`` values are dropped. With ``api_key`` the key goes into params; with ``signer`` (which
    needs ``api_key`` and ``timestamp``) the request is signed. Raises ParameterArgumentError when a
    signed request lacks its key or timestamp, so nothing unsigned leaves by mistake.
    """
    out: Dict[str, Any] = {k: wire_value(v) for k, v in params.items() if v is not None}
    if api_key is not None:
        out["apiKey"] = api_key
    if signer is not None:
        if api_key is None or timestamp is None:
            raise ParameterArgumentError("a signed WebSocket API request needs an API key and a timestamp")
        out["timestamp"] = timestamp
        out["signature"] = signer.sign(signing_payload(out))
    return dict(sorted(out.items()))


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_value(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def encode_request(request_id: RequestId, method: str, params: Optional[Mapping[str, Any]] = None) -> str:
    """The text frame of one request: ``{"id", "method", "params"}`` (params omitted when empty)."""
    frame: Dict[str, Any] = {"id": request_id, "method": method}
    if params:
        frame["params"] = params
    return json.dumps(frame, separators=(",", ":"), default=_json_default)


@dataclass(frozen=True)
class Reply:
    """One reply frame, split into its envelope fields (``raw`` keeps the whole frame)."""

    id: Optional[RequestId]
    status: int
    result: Any = None
    error: Optional[Dict[str, Any]] = None
    rate_limits: Optional[List[Dict[str, Any]]] = None
    raw: Dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True for a successful reply (status 200 and no error object)."""
        return self.error is None and self.status == 200


def parse_reply(text: Union[str, bytes]) -> Optional[Reply]:
    """Parse a reply frame; ``None`` when the text is not a JSON object with an ``id`` key."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError):
        return None
    if not isinstance(data, dict) or "id" not in data:
        return None
    status = data.get("status")
    error = data.get("error")
    if not isinstance(status, int):
        status = 200 if error is None else 400
    return Reply(
        id=data["id"],
        status=status,
        result=data.get("result"),
        error=error if isinstance(error, dict) or error is None else {"code": None, "msg": str(error)},
        rate_limits=data.get("rateLimits"),
        raw=data,
    )


def reply_error(reply: Reply) -> Error:
    """The exception for a failed reply: the same typed errors as REST (ClientError tree, ServerError).

    The reply's ``rateLimits`` are attached to the exception as ``rate_limits``.
    """
    error = reply.error or {}
    code = error.get("code")
    msg = error.get("msg", "")
    if reply.status >= 500:
        exc: Error = ServerError(reply.status, msg)
    else:
        status = reply.status if reply.status >= 400 else 400
        cls = client_error_class(status, code)
        exc = cls(status, code, msg, None, error.get("data"))
    exc.rate_limits = reply.rate_limits  # type: ignore[attr-defined]
    return exc

