"""Per-symbol market state: book, trade history, candles, mark/index price and funding."""

from __future__ import annotations

from collections import deque
from decimal import Decimal
from typing import Deque, List, Optional, Tuple

from .book import OrderBook
from .instruments import Instrument
from .marketdata import Series
from .orders import Order

FUNDING_INTERVAL_MS = 8 * 3600 * 1000
DIFF_SPEEDS = (("@100ms", 100), ("", 250), ("@500ms", 500))


class SymbolState:
    """Everything public about one symbol."""

    def __init__(self, ins: Instrument, first_update_id: int) -> None:
        self.ins = ins
        self.book = OrderBook(first_update_id)
        for speed, _ in DIFF_SPEEDS:
            self.book.track(speed)
        self.book.track("rpi")
        self.trades: Deque[dict] = deque(maxlen=5000)
        self.aggs: Deque[dict] = deque(maxlen=5000)
        self.klines = Series()
        self.mark_klines = Series()
        self.index_klines = Series()
        self.premium_klines = Series()
        self.fair = ins.start_price
        self.index = ins.start_price
        self.mark = ins.start_price
        self.basis = Decimal(0)
        self.funding_rate = Decimal("0.0001")
        self.last_funding_rate = Decimal("0.0001")
        self.next_funding = 0
        self.funding_history: List[dict] = []
        self.last_price = ins.start_price
        self.last_qty = Decimal(0)
        self.next_trade_id = 1
        self.next_agg_id = 1
        self.open_interest = Decimal(0)
        self.oi_history: List[Tuple[int, Decimal, Decimal]] = []
        self.stops: List[Order] = []
        self.last_book_ticker: Optional[tuple] = None
        self.force_orders: Deque[dict] = deque(maxlen=100)
        self.last_diff_emit = {speed: 0 for speed, _ in DIFF_SPEEDS}
        self.last_diff_u = {speed: 0 for speed, _ in DIFF_SPEEDS}
        self.last_rpi_emit = 0
        self.last_rpi_u = 0
        self.ticker_changed = True
        self.created = 0
        self.history_seed = 0
        self.history_ready = False
        self.first_live_trade_id = 1

    def mid(self) -> Decimal:
        """Mid price of the book (last price when a side is empty)."""
        bid, ask = self.book.best_bid(), self.book.best_ask()
        if bid is None or ask is None:
            return self.last_price
        return (bid + ask) / 2

    def sample_prices(self, now: int) -> None:
        """Feed the mark, index and premium candles."""
        self.mark_klines.sample(now, self.mark)
        self.index_klines.sample(now, self.index)
        self.premium_klines.sample(now, self.premium().quantize(Decimal("0.00000001")))

    def premium(self) -> Decimal:
        """Premium index (mark vs index)."""
        return (self.mark - self.index) / self.index if self.index else Decimal(0)
