"""The sandbox's optional dependency: a clear message when the `sandbox` extra is not installed."""

from __future__ import annotations

MISSING_EXTRA = (
    "binance.sandbox needs aiohttp, which the `sandbox` extra installs: in a checkout of this 5.x line run "
    "pip install \".[sandbox]\" (or pip install \"<built wheel>[sandbox]\"). The package index's "
    "binance-futures-connector is the official 4.2.0, which has no sandbox."
)


def require_aiohttp() -> None:
    """Raise ModuleNotFoundError naming the `sandbox` extra when aiohttp cannot be imported."""
    try:
        import aiohttp  # noqa: F401
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(MISSING_EXTRA, name="aiohttp") from exc
