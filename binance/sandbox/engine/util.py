"""Decimal helpers and parameter parsing shared by the engine modules."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Mapping, Optional

from .errors import EngineError, invalid_value, mandatory

ZERO = Decimal(0)
ONE = Decimal(1)


def dec(value: object) -> Decimal:
    """Decimal from an int, str or Decimal (floats go through `str` to keep their short form)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)  # type: ignore[arg-type]


_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(1, 19)}


def fmt(value: Decimal, places: int) -> str:
    """Fixed-point text with `places` decimals (Binance style, no exponent)."""
    q = (_QUANTUM.get(places) or Decimal(1).scaleb(-places)) if places > 0 else ONE
    return format(value.quantize(q, rounding=ROUND_HALF_UP), "f")


def plain(value: Decimal) -> str:
    """Shortest fixed-point text of a decimal (no exponent, no trailing zeros)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def round_down(value: Decimal, step: Decimal) -> Decimal:
    """The largest multiple of `step` not above `value`."""
    return (value / step).to_integral_value(rounding=ROUND_DOWN) * step


def round_to(value: Decimal, step: Decimal) -> Decimal:
    """The multiple of `step` nearest to `value`."""
    return (value / step).to_integral_value(rounding=ROUND_HALF_UP) * step


def decimals_of(value: Decimal) -> int:
    """How many decimal places the value is written with (trailing zeros ignored)."""
    exp = value.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else 0


def get_str(params: Mapping[str, str], name: str, required: bool = False) -> Optional[str]:
    """A string parameter; `None` when absent or empty (-1102 when required)."""
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise mandatory(name)
        return None
    return str(value)


def get_dec(params: Mapping[str, str], name: str, required: bool = False) -> Optional[Decimal]:
    """A decimal parameter (-1102 when required and absent or malformed)."""
    text = get_str(params, name, required)
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        raise mandatory(name) from None
    if not value.is_finite():
        raise mandatory(name)
    return value


def get_int(params: Mapping[str, str], name: str, required: bool = False,
            default: Optional[int] = None) -> Optional[int]:
    """An integer parameter (-1102 when malformed or required and absent)."""
    text = get_str(params, name, required)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise mandatory(name) from None


def get_bool(params: Mapping[str, str], name: str, default: bool = False) -> bool:
    """A boolean parameter written `true`/`false` (any case); -1130 for anything else."""
    text = get_str(params, name)
    if text is None:
        return default
    low = text.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    raise invalid_value(name)


def get_enum(params: Mapping[str, str], name: str, allowed: tuple, code: int, msg: str,
             required: bool = False, default: Optional[str] = None) -> Optional[str]:
    """An enum parameter; the given error when the value is not one of `allowed`."""
    text = get_str(params, name, required)
    if text is None:
        return default
    if text not in allowed:
        raise EngineError(code, msg)
    return text
