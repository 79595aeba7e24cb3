"""Parameter encoding for the wire: the exact query string that is sent and signed.

* `None` values are dropped; the remaining order is kept (Binance does not sort REST params);
* booleans become `true` / `false`;
* floats and Decimals are written in plain notation (`1e-08` becomes `0.00000001`);
* lists and dicts become compact JSON (`["a","b"]`);
* `@` is left unescaped, as the 4.2.0 connector does.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Mapping
from urllib.parse import quote_plus, urlencode

__all__ = ["format_value", "clean_none", "encode_params", "quote_signature"]


def _plain_decimal(value: Decimal) -> str:
    if value.is_nan() or value.is_infinite():
        raise ValueError(f"cannot send {value} to Binance")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def format_value(value: Any) -> str:
    """Return the wire form of one parameter value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _plain_decimal(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return _plain_decimal(value)
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(_plain_floats(value), separators=(",", ":"), default=_json_default)
    return str(value)


def _plain_floats(value: Any) -> Any:
    """Floats inside lists/dicts become plain-notation strings, like Decimals (JSON would write `1e-08`)."""
    if isinstance(value, float):
        return _plain_decimal(Decimal(repr(value)))
    if isinstance(value, dict):
        return {k: _plain_floats(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_floats(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _plain_decimal(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def clean_none(params: Mapping[str, Any]) -> dict:
    """Return a copy of `params` without the `None` values (4.2.0's `cleanNoneValue`)."""
    return {k: v for k, v in params.items() if v is not None}


def encode_params(params: Mapping[str, Any]) -> str:
    """URL-encode `params` (`None` dropped, order kept) into the query string that is sent and signed."""
    pairs = [(k, format_value(v)) for k, v in params.items() if v is not None]
    return urlencode(pairs, quote_via=quote_plus).replace("%40", "@")


def quote_signature(signature: str) -> str:
    """URL-encode a signature for the query string (base64 `+ / =` become `%2B %2F %3D`)."""
    return quote_plus(signature, safe="")
