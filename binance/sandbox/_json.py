"""`encode`: a stream payload as compact JSON text, with orjson when the `fast` extra is installed.

The sandbox encodes every stream event once; at replay speed that is the largest single cost after
the engine itself. orjson (optional) does it several times faster; what it refuses (integers beyond
64 bits, keys that are not strings) falls back to `json`. Values it does not know (Decimal, ...) become
their `str`, as with `json.dumps(default=str)`. The text may differ in ways JSON readers do not see
(non-ASCII characters unescaped, `1e-7` for `1e-07`); payloads hold no NaN or infinity (orjson: null).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Optional

__all__ = ["encode"]

_encoder = json.JSONEncoder(separators=(",", ":"), default=str)
_SAMPLE = {"e": "aggTrade", "E": 1, "p": "1.5", "m": True, "n": None, "f": 0.25, "b": [["1", "2"]], "x": "\u00e9\""}


def _stdlib_encoder() -> Callable[[Any], str]:
    """The standard library's C encoder made once (not once per call, as `json.dumps` does), checked against
    `JSONEncoder.encode` on a sample; `JSONEncoder.encode` itself where that C encoder is missing or differs."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _encoder.encode
    try:
        iterencode = make(None, str, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, True)
    except TypeError:  # another signature in another Python
        return _encoder.encode
    join = "".join

    def encode(payload: Any) -> str:
        if isinstance(payload, str):
            return _encoder.encode(payload)
        return join(iterencode(payload, 0))

    try:
        same = encode(_SAMPLE) == _encoder.encode(_SAMPLE)
    except Exception:  # noqa: BLE001 - any surprise: the plain encoder
        same = False
    return encode if same else _encoder.encode


_stdlib: Callable[[Any], str] = _stdlib_encoder()

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - the fast extra is optional
    _orjson = None  # type: ignore[assignment]


def _default(value: Any) -> str:
    return str(value)


def _fast(payload: Any) -> str:
    try:
        return _orjson.dumps(payload, default=_default).decode()
    except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
        return _stdlib(payload)


encode: Callable[[Any], str] = _fast if _orjson is not None else _stdlib
"""`payload` as compact JSON (separators `,` and `:`; unknown values as their `str`)."""


def backend() -> Optional[str]:
    """`"orjson"` when the fast encoder is in use, else `None` (the standard library)."""
    return "orjson" if _orjson is not None else None
