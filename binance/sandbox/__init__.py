"""binance.sandbox: a local Binance futures exchange (USDⓈ-M and COIN-M) on the real wire protocol.



    from binance.sandbox import Sandbox
    with Sandbox(seed=1) as sb:
        ...  # sb.um_rest_url, sb.um_stream_url, sb.api_key, sb.api_secret, sb.faults

or from a shell: `python -m binance.sandbox`. Needs the `sandbox` extra (aiohttp); see
docs/sandbox.md. `Sandbox` is imported lazily so that the engine can be used without aiohttp.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover  (type checkers see the class; at run time it is imported on first use)
    from binance.sandbox.sandbox import Sandbox as Sandbox

__all__ = ["Sandbox"]


def __getattr__(name: str) -> Any:
    if name == "Sandbox":
        from binance.sandbox._extra import require_aiohttp

        require_aiohttp()
        from binance.sandbox.sandbox import Sandbox

        return Sandbox
    raise AttributeError(f"module 'binance.sandbox' has no attribute {name!r}")
