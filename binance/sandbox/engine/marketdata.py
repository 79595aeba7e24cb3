"""Public market history of one symbol: trades, aggregate trades and 1-minute candles."""

from __future__ import annotations

from collections import deque
from decimal import Decimal
from typing import Deque, Dict, List, Optional

MINUTE = 60_000
DAY = 86_400_000
INTERVAL_MS = {
    "1s": 1000, "1m": MINUTE, "3m": 3 * MINUTE, "5m": 5 * MINUTE, "15m": 15 * MINUTE, "30m": 30 * MINUTE,
    "1h": 60 * MINUTE, "2h": 120 * MINUTE, "4h": 240 * MINUTE, "6h": 360 * MINUTE, "8h": 480 * MINUTE,
    "12h": 720 * MINUTE, "1d": DAY, "3d": 3 * DAY, "1w": 7 * DAY, "1M": 30 * DAY,
}
HISTORY_MINUTES = 1500


def interval_start(ts: int, interval: str) -> int:
    """Open time of the candle of `interval` containing `ts` (weeks start Monday, months on the 1st)."""
    if interval == "1w":
        return ((ts + 3 * DAY) // (7 * DAY)) * 7 * DAY - 3 * DAY
    if interval == "1M":
        import datetime as _dt
        d = _dt.datetime.fromtimestamp(ts / 1000, tz=_dt.timezone.utc)
        return int(_dt.datetime(d.year, d.month, 1, tzinfo=_dt.timezone.utc).timestamp() * 1000)
    size = INTERVAL_MS[interval]
    return ts - ts % size


def interval_end(start: int, interval: str) -> int:
    """Close time (inclusive, ms) of the candle opened at `start`."""
    if interval == "1M":
        import datetime as _dt
        d = _dt.datetime.fromtimestamp(start / 1000, tz=_dt.timezone.utc)
        nxt = _dt.datetime(d.year + (d.month == 12), d.month % 12 + 1, 1, tzinfo=_dt.timezone.utc)
        return int(nxt.timestamp() * 1000) - 1
    return start + INTERVAL_MS[interval] - 1


class Candle:
    """OHLC plus volumes of one period. `quote` is the quote volume (UM) or base volume (CM)."""

    __slots__ = ("open_time", "o", "h", "l", "c", "volume", "quote", "count", "taker_volume",
                 "taker_quote", "first_id", "last_id")

    def __init__(self, open_time: int, price: Decimal) -> None:
        self.open_time = open_time
        self.o = self.h = self.l = self.c = price
        self.volume = Decimal(0)
        self.quote = Decimal(0)
        self.count = 0
        self.taker_volume = Decimal(0)
        self.taker_quote = Decimal(0)
        self.first_id = -1
        self.last_id = -1

    def update(self, price: Decimal, qty: Decimal = Decimal(0), quote: Decimal = Decimal(0),
               taker_buy: bool = False, trade_id: int = -1) -> None:
        """Add a trade (or a price sample when qty is zero)."""
        if price > self.h:
            self.h = price
        if price < self.l:
            self.l = price
        self.c = price
        if qty:
            self.volume += qty
            self.quote += quote
            self.count += 1
            if taker_buy:
                self.taker_volume += qty
                self.taker_quote += quote
            if self.first_id < 0:
                self.first_id = trade_id
            self.last_id = trade_id

    def merge(self, other: "Candle") -> None:
        """Fold a later candle into this one."""
        self.h = max(self.h, other.h)
        self.l = min(self.l, other.l)
        self.c = other.c
        self.volume += other.volume
        self.quote += other.quote
        self.count += other.count
        self.taker_volume += other.taker_volume
        self.taker_quote += other.taker_quote
        if self.first_id < 0:
            self.first_id = other.first_id
        if other.last_id >= 0:
            self.last_id = other.last_id

    def copy(self) -> "Candle":
        """An independent copy."""
        c = Candle(self.open_time, self.o)
        for name in self.__slots__:
            setattr(c, name, getattr(self, name))
        return c


class Series:
    """1-minute candles, oldest first, aggregated on request into any interval."""

    def __init__(self) -> None:
        self.minutes: Dict[int, Candle] = {}
        self.order: Deque[int] = deque()

    def sample(self, ts: int, price: Decimal, qty: Decimal = Decimal(0), quote: Decimal = Decimal(0),
               taker_buy: bool = False, trade_id: int = -1) -> Candle:
        """Record a trade or price sample at `ts`; returns the current 1m candle."""
        start = ts - ts % MINUTE
        candle = self.minutes.get(start)
        if candle is None:
            prev = self.minutes[self.order[-1]].c if self.order else price
            candle = Candle(start, prev)
            self.minutes[start] = candle
            self.order.append(start)
            while len(self.order) > HISTORY_MINUTES * 2:
                del self.minutes[self.order.popleft()]
        candle.update(price, qty, quote, taker_buy, trade_id)
        return candle

    def last_price(self) -> Optional[Decimal]:
        """Close of the newest candle."""
        return self.minutes[self.order[-1]].c if self.order else None

    def candles(self, interval: str, start: Optional[int], end: Optional[int], limit: int) -> List[Candle]:
        """Candles of `interval` (built from 1m candles) within [start, end], at most `limit`."""
        out: Dict[int, Candle] = {}
        cutoff = None
        if start is None and limit and self.order and interval != "1M":
            cutoff = interval_start(self.order[-1], interval) - limit * INTERVAL_MS[interval]
        for ts in self.order:
            if cutoff is not None and ts < cutoff:
                continue
            m = self.minutes[ts]
            key = interval_start(ts, interval) if interval != "1s" else ts
            agg = out.get(key)
            if agg is None:
                agg = m.copy()
                agg.open_time = key
                out[key] = agg
            else:
                agg.merge(m)
        rows = [c for k, c in sorted(out.items())
                if (start is None or interval_end(k, interval) >= start) and (end is None or k <= end)]
        if start is not None and end is None:
            return rows[:limit]
        return rows[-limit:] if limit else rows

    def window(self, start: int, end: int) -> Optional[Candle]:
        """One candle folding every minute in [start, end]."""
        result: Optional[Candle] = None
        for ts in self.order:
            if ts + MINUTE - 1 < start or ts > end:
                continue
            m = self.minutes[ts]
            if result is None:
                result = m.copy()
            else:
                result.merge(m)
        return result
