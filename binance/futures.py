"""Deprecated entry point of the first connector releases: `from binance.futures import Futures`.

`Futures` is [UMFutures][binance.um_futures.UMFutures] (USDⓈ-M); importing it warns `DeprecationWarning`.
Use `from binance.um_futures import UMFutures` instead.
"""

from __future__ import annotations

import warnings
from typing import Any

from binance.um_futures import UMFutures

__all__ = ["Futures"]  # noqa: F822 - provided by __getattr__, which warns


class _Futures(UMFutures):
    """Deprecated alias of [UMFutures][binance.um_futures.UMFutures]."""


_Futures.__name__ = _Futures.__qualname__ = "Futures"


def __getattr__(name: str) -> Any:
    if name == "Futures":
        warnings.warn(
            "binance.futures.Futures is deprecated; use binance.um_futures.UMFutures",
            DeprecationWarning,
            stacklevel=2,
        )
        return _Futures
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
