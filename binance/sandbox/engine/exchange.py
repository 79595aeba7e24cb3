"""Exchange: the two markets, the shared clock and lock, listenKeys and the order log."""

from __future__ import annotations

import threading
import time
from typing import Callable, List, Optional

from .listen_keys import DEFAULT_TTL_MS, ListenKeys
from .market import MarketEngine
from .orders import Order


def _wall_clock() -> int:
    return int(time.time() * 1000)


class Exchange:
    """A local Binance futures exchange: `um` and `cm` markets sharing one lock and clock.

    `seed` makes the simulated market reproducible; `clock` returns the exchange time in ms
    (wall clock by default; it may be replaced, e.g. to skew the time)."""

    def __init__(self, seed: int = 0, clock: Optional[Callable[[], int]] = None) -> None:
        self.seed = seed
        self.clock: Callable[[], int] = clock or _wall_clock
        self.lock = threading.RLock()
        self.listen_key_ttl_ms = DEFAULT_TTL_MS
        self.listen_keys = ListenKeys(self.now, lambda: self.listen_key_ttl_ms)
        self.order_log: List[dict] = []
        self.um = MarketEngine(self, "um", seed)
        self.cm = MarketEngine(self, "cm", seed)

    def now(self) -> int:
        """Exchange time in ms."""
        return int(self.clock())

    def market(self, kind: str) -> MarketEngine:
        """The MarketEngine of "um" or "cm"."""
        if kind == "um":
            return self.um
        if kind == "cm":
            return self.cm
        raise ValueError(f"unknown market {kind!r}")

    def create_account(self, api_key: str, funded: bool = True) -> None:
        """Open (idempotently) the account of `api_key` in both markets."""
        self.um.create_account(api_key, funded)
        self.cm.create_account(api_key, funded)

    def step(self) -> None:
        """Advance both markets once."""
        self.um.step()
        self.cm.step()

    def log_order(self, market: str, order: Order, source: str) -> None:
        """Record an accepted order-placing request."""
        self.order_log.append({"market": market, "symbol": order.symbol, "orderId": order.order_id,
                               "clientOrderId": order.client_order_id, "time": order.time, "source": source})
