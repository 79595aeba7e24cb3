"""Parameter encoding for the wire: the exact query string that is sent and signed.

* `None` values are dropped; the remaining order is kept (Binance does not sort REST params);
* booleans become `true` / `false`;
* floats and Decimals are written in plain notation (`1e-08` becomes `0.00000001`);
* lists and dicts become compact JSON (`["a","b"]`);
* `@` is left unescaped, as the 4.2.0 connector does;
* anything else (bytes, sets, arbitrary objects, NaN or infinity) has no wire form: it raises
  `binance.error.ParameterArgumentError` naming the parameter (also a `ValueError`), before anything is sent.
"""

from __future__ import annotations

import json
import operator
from decimal import Decimal
from typing import Any, Mapping
from urllib.parse import quote_plus, urlencode

from binance.error import ParameterArgumentError

__all__ = ["MAX_RECV_WINDOW", "check_recv_window", "format_value", "clean_none", "encode_params", "quote_signature"]

MAX_RECV_WINDOW = 60000
"""The largest `recvWindow` Binance accepts, in ms."""


def _plain_decimal(value: Decimal) -> str:
    if value.is_nan() or value.is_infinite():
        raise ParameterArgumentError(f"cannot send {value} to Binance")
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
        try:
            return json.dumps(_plain_floats(value), separators=(",", ":"), default=_json_default)
        except (TypeError, ValueError) as exc:
            raise ParameterArgumentError(str(exc)) from None
    if hasattr(value, "__index__"):  # integer types that are not int subclasses (numpy.int64, ...)
        return str(operator.index(value))
    raise ParameterArgumentError(f"a {type(value).__name__} has no wire form; pass a str, int, float, Decimal, "
                                 "bool, list or dict")


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
    raise TypeError(f"a {type(value).__name__} inside a list or dict has no wire form")


def clean_none(params: Mapping[str, Any]) -> dict:
    """Return a copy of `params` without the `None` values (4.2.0's `cleanNoneValue`)."""
    return {k: v for k, v in params.items() if v is not None}


def encode_params(params: Mapping[str, Any]) -> str:
    """URL-encode `params` (`None` dropped, order kept) into the query string that is sent and signed."""
    pairs = []
    for key, value in params.items():
        if value is None:
            continue
        try:
            pairs.append((key, format_value(value)))
        except ParameterArgumentError as exc:
            raise ParameterArgumentError(f"{key}: {exc.error_message}") from None
    return urlencode(pairs, quote_via=quote_plus).replace("%40", "@")


def quote_signature(signature: str) -> str:
    """URL-encode a signature for the query string (base64 `+ / =` become `%2B %2F %3D`)."""
    return quote_plus(signature, safe="")


def check_recv_window(value: Any) -> None:
    """Raise `ParameterArgumentError` unless `value` is None or a whole number of ms from 1 to 60000
    (an `int`, not a bool, or a string of ASCII digits), before anything is sent."""
    if value is None:
        return
    if isinstance(value, str) and value.isascii() and value.isdigit():
        window = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        window = value
    else:
        raise ParameterArgumentError(f"recvWindow must be an integer number of ms, got {value!r}")
    if window <= 0 or window > MAX_RECV_WINDOW:
        raise ParameterArgumentError(f"recvWindow must be between 1 and {MAX_RECV_WINDOW} ms, got {window}")
