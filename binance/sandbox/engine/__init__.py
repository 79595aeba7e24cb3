"""The sandbox's exchange engine: markets, matching, accounts and stream payloads (no I/O).

``Exchange`` holds one ``MarketEngine`` per market (``ex.um``, ``ex.cm``); see docs/sandbox.md for the API.
"""

from __future__ import annotations

from .errors import EngineError
from .exchange import Exchange
from .market import MarketEngine

__all__ = ["EngineError", "Exchange", "MarketEngine"]
