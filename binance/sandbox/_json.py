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

_stdlib: Callable[[Any], str] = json.JSONEncoder(separators=(",", ":"), default=str).encode

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
