"""Decimal helpers and parameter parsing shared by the engine modules."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Mapping, Optional

from .errors import EngineError, invalid_value, mandatory

ZERO = Decimal(0)
ONE = Decimal(1)
EIGHT = Decimal("0.00000001")


def q8(value: Decimal) -> Decimal:
    """Round to 8 decimals (balances, PnL, commissions)."""
    return value.quantize(EIGHT)


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


# Binance's legal ranges (its -1100 message quotes them); a leading minus reaches the range checks (-4001 ...)
DECIMAL_RANGE = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
INTEGER_RANGE = r"^[0-9]{1,20}$"
_DECIMAL = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?", re.ASCII)
_INTEGER = re.compile(r"-?[0-9]{1,20}", re.ASCII)


def illegal_characters(name: str, legal_range: str) -> EngineError:
    """-1100 for a value outside the parameter's legal range (letters, exponents, non-ASCII digits ...)."""
    return EngineError(-1100, f"Illegal characters found in parameter '{name}'; legal range is '{legal_range}'.")


def get_dec(params: Mapping[str, str], name: str, required: bool = False) -> Optional[Decimal]:
    """A decimal parameter: ASCII digits with an optional fraction (-1100 otherwise; -1102 when required and
    absent)."""
    text = get_str(params, name, required)
    if text is None:
        return None
    if not _DECIMAL.fullmatch(text):
        raise illegal_characters(name, DECIMAL_RANGE)
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):  # pragma: no cover - the pattern admits only valid decimals
        raise illegal_characters(name, DECIMAL_RANGE) from None


def get_int(params: Mapping[str, str], name: str, required: bool = False,
            default: Optional[int] = None) -> Optional[int]:
    """An integer parameter: up to 20 ASCII digits (-1100 otherwise; -1102 when required and absent)."""
    text = get_str(params, name, required)
    if text is None:
        return default
    if not _INTEGER.fullmatch(text):
        raise illegal_characters(name, INTEGER_RANGE)
    return int(text)


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


INTEGER_PARAMS = frozenset({"orderId", "fromId", "startTime", "endTime", "limit", "leverage", "countdownTime",
                            "goodTillDate", "algoId", "modifyId", "downloadId"})
DECIMAL_PARAMS = frozenset({"quantity", "price", "stopPrice", "triggerPrice", "activationPrice", "activatePrice",
                            "callbackRate", "amount", "fromAmount", "toAmount"})


def check_numbers(params: Mapping[str, str]) -> None:
    """-1100 for any numeric parameter whose value is outside Binance's legal range, whether the endpoint
    uses it or not (Binance checks the format of every parameter it knows)."""
    for name in params:
        if name in INTEGER_PARAMS:
            get_int(params, name)
        elif name in DECIMAL_PARAMS:
            get_dec(params, name)
