"""Market-data answers built from the engine state: depth, trades, klines, tickers, mark price, funding."""

from __future__ import annotations

from decimal import Decimal
from typing import Dict, List, Optional

from .core import MarketCore
from .errors import EngineError
from .marketdata import INTERVAL_MS, MINUTE, Candle, interval_end, interval_start
from .sim import seed_candles
from .state import SymbolState
from .util import fmt, plain

DEPTH_LIMITS = (5, 10, 20, 50, 100, 500, 1000)


def check_interval(interval: Optional[str], allow_1s: bool = False) -> str:
    """A kline interval (-1120 Invalid interval. otherwise)."""
    if interval not in INTERVAL_MS or (interval == "1s" and not allow_1s):
        raise EngineError(-1120, "Invalid interval.")
    return interval


class MarketViews:
    """Public market data (REST renderings and kline payloads) read from the symbol states."""

    def __init__(self, core: MarketCore) -> None:
        self.core = core
        self._kline_open: Dict[str, int] = {}

    def depth_json(self, symbol: Optional[str], limit: int = 500) -> dict:
        """Order book snapshot; `lastUpdateId` is the id of the latest change (the diff streams' `u`)."""
        st = self.core.state(symbol)
        if limit not in DEPTH_LIMITS:
            limit = min((x for x in DEPTH_LIMITS if x >= limit), default=1000)
        bids, asks = st.book.depth(limit)
        now = self.core.now()
        ins = st.ins
        d: dict = {"lastUpdateId": st.book.update_id}
        if ins.kind == "cm":
            d.update({"symbol": ins.symbol, "pair": ins.pair})
        d.update({"E": now, "T": now,
                  "bids": [[ins.fmt_price(p), ins.fmt_qty(q)] for p, q in bids],
                  "asks": [[ins.fmt_price(p), ins.fmt_qty(q)] for p, q in asks]})
        return d

    def trades_json(self, symbol: Optional[str], limit: int = 500,
                    from_id: Optional[int] = None) -> List[dict]:
        """Recent (or, with `from_id`, historical) trades."""
        st = self.core.state(symbol)
        ins = st.ins
        limit = max(1, min(limit, 1000))
        trades = list(st.trades)
        if from_id is not None:
            trades = [t for t in trades if t["id"] >= from_id][:limit]
        else:
            trades = trades[-limit:]
        out = []
        for t in trades:
            d = {"id": t["id"], "price": ins.fmt_price(t["price"]), "qty": ins.fmt_qty(t["qty"])}
            if ins.kind == "um":
                d["quoteQty"] = fmt(t["quote"], 8)
            else:
                d["baseQty"] = fmt(t["quote"], 8)
            d.update({"time": t["time"], "isBuyerMaker": t["isBuyerMaker"]})
            if ins.kind == "um":
                d["isRPITrade"] = False
            out.append(d)
        return out

    def agg_trades_json(self, symbol: Optional[str], limit: int = 500,
                        from_id: Optional[int] = None, start: Optional[int] = None,
                        end: Optional[int] = None) -> List[dict]:
        """Aggregate trades."""
        st = self.core.state(symbol)
        ins = st.ins
        limit = max(1, min(limit, 1000))
        aggs = list(st.aggs)
        if from_id is not None:
            aggs = [a for a in aggs if a["a"] >= from_id][:limit]
        elif start is not None or end is not None:
            aggs = [a for a in aggs if (start is None or a["T"] >= start) and (end is None or a["T"] <= end)][:limit]
        else:
            aggs = aggs[-limit:]
        out = []
        for a in aggs:
            d = {"a": a["a"], "p": ins.fmt_price(a["p"]), "q": ins.fmt_qty(a["q"])}
            if ins.kind == "um":
                d["nq"] = ins.fmt_qty(a["q"])
            d.update({"f": a["f"], "l": a["l"], "T": a["T"], "m": a["m"]})
            out.append(d)
        return out

    def kline_rows(self, st: SymbolState, source: str, interval: str, start: Optional[int],
                   end: Optional[int], limit: int) -> List[list]:
        """Kline arrays; `source` is "trade", "mark", "index" or "premium"."""
        ins = st.ins
        seed_candles(st)
        limit = max(1, min(limit, 1500))
        series = {"trade": st.klines, "mark": st.mark_klines, "index": st.index_klines,
                  "premium": st.premium_klines}[source]
        rows = []
        for c in series.candles(interval, start, end, limit):
            rows.append(self._kline_row(ins, c, interval, source))
        return rows

    @staticmethod
    def _kline_row(ins, c: Candle, interval: str, source: str) -> list:
        close_time = interval_end(c.open_time, interval)
        if source == "trade":
            return [c.open_time, ins.fmt_price(c.o), ins.fmt_price(c.h), ins.fmt_price(c.l), ins.fmt_price(c.c),
                    ins.fmt_qty(c.volume), close_time, fmt(c.quote, 8 if ins.kind == "cm" else 5), c.count,
                    ins.fmt_qty(c.taker_volume), fmt(c.taker_quote, 8 if ins.kind == "cm" else 5), "0"]
        places = 8
        return [c.open_time, fmt(c.o, places), fmt(c.h, places), fmt(c.l, places), fmt(c.c, places), "0",
                close_time, "0", max(1, (close_time + 1 - c.open_time) // 1000 // 5), "0", "0", "0"]

    def kline_event(self, st: SymbolState, source: str, interval: str, now: int,
                    stream: Optional[str] = None) -> dict:
        """The `k` object of kline streams: the candle open now; with `stream`, the first call after a
        candle closed returns that closed candle (`x` true) once, as Binance sends a final update."""
        seed_candles(st)
        series = {"trade": st.klines, "mark": st.mark_klines, "index": st.index_klines,
                  "premium": st.premium_klines}[source]
        found = series.candles(interval, None, None, 1)
        current_start = interval_start(now, interval)
        candle = found[-1] if found else Candle(current_start, st.last_price)
        if candle.open_time < current_start:
            candle = Candle(current_start, candle.c)
        closed = False
        if stream is not None:
            last = self._kline_open.get(stream)
            self._kline_open[stream] = candle.open_time
            if last is not None and last < candle.open_time:
                previous = series.candles(interval, last, last, 1)
                if previous:
                    candle, closed = previous[0], True
        row = self._kline_row(st.ins, candle, interval, source)
        k = {"t": row[0], "T": row[6], "s": st.ins.symbol, "i": interval, "f": -1, "L": -1, "o": row[1],
             "c": row[4], "h": row[2], "l": row[3], "v": row[5], "n": row[8], "x": closed, "q": row[7],
             "V": row[9], "Q": row[10], "B": "0"}
        if source == "trade" and candle.first_id >= 0:
            k["f"], k["L"] = candle.first_id, candle.last_id
        return k

    def ticker_24h(self, st: SymbolState) -> dict:
        """24hr rolling window statistics."""
        ins = st.ins
        seed_candles(st)
        now = self.core.now()
        start = now - 86_400_000
        c = st.klines.window(start, now)
        if c is None:
            c = Candle(start, st.last_price)
        change = c.c - c.o
        pct = (change / c.o * 100) if c.o else Decimal(0)
        vwap = (c.quote / c.volume if ins.kind == "um" else c.volume * ins.contract_size / c.quote) \
            if c.volume and c.quote else c.c
        d = {"symbol": ins.symbol}
        if ins.kind == "cm":
            d["pair"] = ins.pair
        d.update({
            "priceChange": ins.fmt_price(change), "priceChangePercent": fmt(pct, 3),
            "weightedAvgPrice": ins.fmt_price(vwap), "lastPrice": ins.fmt_price(st.last_price),
            "lastQty": ins.fmt_qty(st.last_qty), "openPrice": ins.fmt_price(c.o), "highPrice": ins.fmt_price(c.h),
            "lowPrice": ins.fmt_price(c.l), "volume": ins.fmt_qty(c.volume),
        })
        if ins.kind == "um":
            d["quoteVolume"] = fmt(c.quote, 2)
        else:
            d["baseVolume"] = fmt(c.quote, 8)
        d.update({"openTime": c.open_time, "closeTime": now, "firstId": max(c.first_id, 0),
                  "lastId": max(c.last_id, 0), "count": c.count})
        return d

    def book_ticker(self, st: SymbolState, ws_api: bool = False) -> dict:
        """Best bid/ask; `ws_api`: as the WebSocket API's `ticker.book` answers (with the book's `lastUpdateId`)."""
        ins = st.ins
        bid, bq, ask, aq = self.core.book_top(st)
        d: dict = {"symbol": ins.symbol}
        if ws_api:
            d = {"lastUpdateId": st.book.update_id, "symbol": ins.symbol}
        if ins.kind == "cm":
            d = {"lastUpdateId": st.book.update_id, "symbol": ins.symbol, "pair": ins.pair}
        d.update({"bidPrice": ins.fmt_price(bid or 0), "bidQty": ins.fmt_qty(bq), "askPrice": ins.fmt_price(ask or 0),
                  "askQty": ins.fmt_qty(aq), "time": self.core.now()})
        return d

    def price_ticker(self, st: SymbolState) -> dict:
        """Last price."""
        ins = st.ins
        if ins.kind == "cm":
            return {"symbol": ins.symbol, "ps": ins.pair, "price": ins.fmt_price(st.last_price),
                    "time": self.core.now()}
        return {"symbol": ins.symbol, "price": ins.fmt_price(st.last_price), "time": self.core.now()}

    def premium_index(self, st: SymbolState) -> dict:
        """Mark price, index price and funding of a symbol."""
        ins = st.ins
        perp = ins.contract_type == "PERPETUAL"
        d = {"symbol": ins.symbol}
        if ins.kind == "cm":
            d["pair"] = ins.pair
        d.update({
            "markPrice": fmt(st.mark, 8), "indexPrice": fmt(st.index, 8),
            "estimatedSettlePrice": fmt(st.index, 8),
            "lastFundingRate": fmt(st.funding_rate, 8) if perp else "",
            "interestRate": "0.00010000" if perp else "",
            "nextFundingTime": st.next_funding if perp else 0, "time": self.core.now(),
        })
        return d

    def funding_rates(self, st: SymbolState, start: Optional[int], end: Optional[int],
                      limit: int) -> List[dict]:
        """Funding rate history of a perpetual."""
        ins = st.ins
        rows = [r for r in st.funding_history
                if (start is None or r["time"] >= start) and (end is None or r["time"] <= end)]
        rows = rows[:limit] if start is not None else rows[-limit:]
        if ins.kind == "cm":  # COIN-M documents no markPrice here
            return [{"symbol": ins.symbol, "fundingTime": r["time"], "fundingRate": fmt(r["rate"], 8)} for r in rows]
        return [{"symbol": ins.symbol, "fundingRate": fmt(r["rate"], 8), "fundingTime": r["time"],
                 "markPrice": fmt(r["mark"], 8), "rateType": "Regular"} for r in rows]

    def open_interest_json(self, st: SymbolState) -> dict:
        """Current open interest."""
        ins = st.ins
        d = {"openInterest": ins.fmt_qty(st.open_interest), "symbol": ins.symbol, "time": self.core.now()}
        if ins.kind == "cm":
            d = {"symbol": ins.symbol, "pair": ins.pair, "openInterest": ins.fmt_qty(st.open_interest),
                 "contractType": ins.contract_type, "time": self.core.now()}
        return d

    def minute_now(self) -> int:
        """Start of the current minute."""
        now = self.core.now()
        return now - now % MINUTE

    def fmt_plain(self, value: Decimal) -> str:
        """Shortest decimal text."""
        return plain(value)
