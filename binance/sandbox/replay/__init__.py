"""Market replay for the sandbox: the replay market-data source (files -> time-ordered events) and its clock.

* [ReplaySource][binance.sandbox.replay.source.ReplaySource]: recordings (`binance.record`) and
  Binance archive CSV files merged into one stream, read lazily;
* [ReplayClock][binance.sandbox.replay.clock.ReplayClock]: paced (`speed` times real time), maximal
  speed, or manual (`advance(ms)`, `run_until(t)`) for deterministic runs.

Pure: no sockets, threads or aiohttp.
"""

from __future__ import annotations

from binance.sandbox.replay.clock import ReplayClock
from binance.sandbox.replay.source import ReplaySource

__all__ = ["ReplayClock", "ReplaySource"]
