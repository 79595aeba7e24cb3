"""The one exception the engine raises: a Binance error code, its message and the HTTP status."""

from __future__ import annotations


class EngineError(Exception):
    """A request the exchange rejects, as Binance answers it: `{"code": code, "msg": msg}`."""

    def __init__(self, code: int, msg: str, http_status: int = 400) -> None:
        super().__init__(code, msg)
        self.code = code
        self.msg = msg
        self.http_status = http_status

    def __str__(self) -> str:
        return f"({self.code}) {self.msg}"

    def to_dict(self) -> dict:
        """The JSON error body Binance sends."""
        return {"code": self.code, "msg": self.msg}


def mandatory(name: str) -> EngineError:
    """-1102 for a missing or empty mandatory parameter."""
    return EngineError(-1102, f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.")


def invalid_value(name: str) -> EngineError:
    """-1130 for a value that is not valid for the parameter."""
    return EngineError(-1130, f"Data sent for parameter '{name}' is not valid.")


def not_required(name: str) -> EngineError:
    """-1106 for a parameter sent where it does not apply."""
    return EngineError(-1106, f"Parameter '{name}' sent when not required.")


INVALID_SYMBOL = (-1121, "Invalid symbol.")
UNKNOWN_ORDER = (-2011, "Unknown order sent.")
NO_SUCH_ORDER = (-2013, "Order does not exist.")
MARGIN_INSUFFICIENT = (-2019, "Margin is insufficient.")
REDUCE_ONLY_REJECTED = (-2022, "ReduceOnly Order is rejected.")
PRECISION = (-1111, "Precision is over the maximum defined for this asset.")
ALGO_ONLY = (-4120, "Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.")
