"""`ReplayFeed`: puts replayed events into one market's symbol states and fills resting user orders.

For each replayed symbol it swaps in a [ReplayOrderBook][binance.sandbox.engine.replay_book.ReplayOrderBook],
then applies events (already moved onto the exchange clock) as they come:

- depth snapshot: the replayed levels are replaced (not published: clients take REST snapshots);
- depth diff: the levels change, the book takes the diff's `u`; the diff is published as recorded;
- book ticker: published as recorded; when the files hold no depth for the symbol, it sets the top level;
- aggregate trade / trade: public trade history, last price, 1m candles (from trades when the files
  have them, else from aggregate trades), resting user orders fill by the queue rule below,
  conditional orders trigger; published as recorded (a trades-only file is published as aggTrade);
- mark price: mark, index, funding rate and next funding time; published as recorded;
- klines / mark-price klines from archive files: the 1m candles when no trades are replayed / the mark;
- anything else recorded: published as recorded.

Queue rule (resting user limit orders): a replayed trade at a better price than the order
(below a buy's price, above a sell's) fills the order completely at its price; a replayed trade at
the order's price first uses up the quantity that was ahead of the order (the replayed level's
quantity when the order came to rest, never more than the level holds later), then fills the order
with what is left of the trade. The replayed market never sees user orders (no market impact).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, Dict, List, Optional, Set, cast

from binance.record.events import Event

from .core import MarketCore
from .marketdata import MINUTE, Candle
from .matching import Matcher
from .orders import Order
from .publisher import EventPublisher
from .replay_book import ReplayOrderBook
from .state import SymbolState

log = logging.getLogger(__name__)

__all__ = ["ReplayFeed", "SymbolFacts"]

ZERO = Decimal(0)
_MARK_KINDS = frozenset({"markPriceUpdate", "markPriceKline"})
_TRADE_KINDS = frozenset({"trade", "aggTrade"})


class SymbolFacts:
    """What the files hold for one symbol: which kinds of events, and which streams were recorded."""

    def __init__(self) -> None:
        self.kinds: Set[str] = set()
        self.streams: Set[str] = set()

    @property
    def has_depth(self) -> bool:
        """Depth diffs or snapshots are replayed."""
        return bool(self.kinds & {"depthUpdate", "depthSnapshot"})


class ReplayFeed:
    """The replay market-data source of one market: applies replayed events to the symbol states, fills resting
    user orders through the matcher, publishes through the event publisher. Call with the exchange lock held."""

    def __init__(self, core: MarketCore, events: EventPublisher, matcher: Matcher,
                 facts: Dict[str, SymbolFacts]) -> None:
        self.core = core
        self.events = events
        self.matcher = matcher
        self.facts = facts
        self.queue_ahead: Dict[int, Decimal] = {}
        self.applied = 0

    # ------------------------------------------------------------------ set-up
    def attach(self) -> None:
        """Give every replayed symbol an empty replayed book and a history of its own (no simulated past)."""
        for symbol in self.facts:
            st: SymbolState = self.core.states[symbol]
            book = ReplayOrderBook(0, self._level_order(symbol), self._on_rest)
            st.book = book
            st.trades.clear()
            st.aggs.clear()
            st.history_ready = True
            for series in (st.klines, st.mark_klines, st.index_klines, st.premium_klines):
                series.minutes.clear()
                series.order.clear()
            st.last_book_ticker = None

    def _level_order(self, symbol: str) -> Any:
        def make(is_buy: bool, price: Decimal, qty: Decimal) -> Order:
            return Order(order_id=0, symbol=symbol, side="BUY" if is_buy else "SELL", type="LIMIT", qty=qty,
                         price=price, orig_type="LIMIT")
        return make

    def _on_rest(self, book: ReplayOrderBook, order: Order) -> None:
        self.queue_ahead[id(order)] = book.level_qty(order.is_buy, order.price)

    def is_replayed_stream(self, symbol: str, stream: str) -> bool:
        """Whether `stream` of `symbol` is served from the files (pushed as events, never rendered)."""
        facts = self.facts.get(symbol)
        return facts is not None and stream in facts.streams

    # ------------------------------------------------------------------ events
    def apply(self, ev: Event) -> None:
        """Apply one event (times already on the exchange clock)."""
        symbol = ev.symbol
        st = self.core.states.get(symbol) if symbol is not None else None
        if st is None or symbol is None:
            return
        facts = self.facts[symbol]
        kind = ev.kind
        data = ev.data
        self.applied += 1
        if kind == "aggTrade":  # the most frequent event first
            self._trade(st, facts, ev, data["a"], data.get("l", data["a"]), data["p"], data["q"], data["m"], data["T"],
                        candles="trade" not in facts.kinds)
            self._publish(ev)
            return
        book: ReplayOrderBook = st.book  # type: ignore[assignment]  # attach() put a replayed book there
        if kind == "depthSnapshot":
            depth = data.get("depth") or {}
            book.reset(depth.get("bids", ()), depth.get("asks", ()), int(depth.get("lastUpdateId", 0)))
            self._cap_queues(st)
            return
        if kind == "depthUpdate":
            if book.synced and data.get("u", 0) > book.update_id:
                book.apply_levels(data.get("b", ()), data.get("a", ()), data["u"])
                self._cap_queues(st)
            self._publish(ev)
            for stream in self._depth_aliases(st, facts, ev.stream):  # the same diffs serve every diff speed
                self.events.emit("market", stream, data)
            if "bookTicker" not in facts.kinds:
                self._book_ticker(st, int(data.get("E", ev.time)))
            return
        if kind == "bookTicker":
            if not facts.has_depth:
                book.reset([(data["b"], data["B"])], [(data["a"], data["A"])], int(data.get("u", book.update_id)))
                self._cap_queues(st)
            self._publish(ev)
            return
        if kind == "trade":
            self._trade(st, facts, ev, None, int(data["t"]), data["p"], data["q"], bool(data["m"]), int(data["T"]),
                        candles=True)
            if ev.stream is not None:
                self._publish(ev)
                return
            sym = st.ins.symbol.lower()  # an archive row: published as the trade stream would carry it
            t = data["t"]
            self.events.emit("market", f"{sym}@trade", {
                "e": "trade", "E": data["E"], "T": data["T"], "s": data["s"], "t": t, "p": data["p"], "q": data["q"],
                "X": "MARKET", "m": data["m"]})
            if "aggTrade" not in facts.kinds:
                self.events.emit("market", f"{sym}@aggTrade", {
                    "e": "aggTrade", "E": data["E"], "s": data["s"], "a": t, "p": data["p"], "q": data["q"],
                    "f": t, "l": t, "T": data["T"], "m": data["m"]})
            return
        if kind == "markPriceUpdate":
            st.mark = Decimal(data["p"])
            if data.get("i"):
                st.index = Decimal(data["i"])
            if data.get("r"):
                st.funding_rate = Decimal(data["r"])
            if data.get("T"):
                st.next_funding = int(data["T"])
            st.sample_prices(int(data.get("E", ev.time)))
            self.matcher.trades_happened(st)
            self._publish(ev)
            return
        if kind == "kline" and ev.stream is None:
            if facts.kinds.isdisjoint(_TRADE_KINDS):
                self._candle(st.klines, data["k"])
                st.last_price = Decimal(data["k"]["c"])
            return
        if kind == "markPriceKline":
            k = data["k"]
            self._candle(st.mark_klines, k)
            if "markPriceUpdate" not in facts.kinds:
                st.mark = Decimal(k["c"])
                st.index = st.mark
                self.matcher.trades_happened(st)
            return
        if ev.stream is not None:
            self._publish(ev)

    @staticmethod
    def _depth_aliases(st: SymbolState, facts: SymbolFacts, stream: Optional[str]) -> List[str]:
        sym = st.ins.symbol.lower()
        return [s for s in (f"{sym}@depth", f"{sym}@depth@100ms", f"{sym}@depth@500ms")
                if s != stream and s not in facts.streams]

    def _book_ticker(self, st: SymbolState, now: int) -> None:
        """The files hold depth but no book ticker: publish one when the top of the replayed book changes."""
        top = _book(st).top()
        if top == st.last_book_ticker or top[0] is None or top[2] is None:
            return
        st.last_book_ticker = top
        ins = st.ins
        payload = {"e": "bookTicker", "u": st.book.update_id, "s": ins.symbol, "ps": ins.pair,
                   "b": ins.fmt_price(top[0]), "B": ins.fmt_qty(top[1]), "a": ins.fmt_price(top[2]),
                   "A": ins.fmt_qty(top[3]), "T": now, "E": now, "st": 1 if ins.kind == "um" else 2}
        self.events.emit("market", f"{ins.symbol.lower()}@bookTicker", payload)
        self.events.emit("market", "!bookTicker", payload)

    def _publish(self, ev: Event) -> None:
        if ev.stream is not None:
            self.events.emit("market", ev.stream, ev.data)

    # ------------------------------------------------------------------ trades and fills
    def _trade(self, st: SymbolState, facts: SymbolFacts, ev: Event, agg_id: Optional[int], trade_id: int,
               p: str, q: str, buyer_maker: bool, t: int, candles: bool) -> None:
        price, qty = Decimal(p), Decimal(q)
        quote = qty * st.ins.contract_size / price if st.ins.kind == "cm" else qty * price
        if agg_id is not None:
            d = ev.data
            st.aggs.append({"a": agg_id, "p": price, "q": qty, "f": int(d.get("f", trade_id)), "l": trade_id,
                            "T": t, "m": buyer_maker})
            if "trade" not in facts.kinds:
                st.trades.append({"id": trade_id, "price": price, "qty": qty, "quote": quote, "time": t,
                                  "isBuyerMaker": buyer_maker})
        else:
            st.trades.append({"id": trade_id, "price": price, "qty": qty, "quote": quote, "time": t,
                              "isBuyerMaker": buyer_maker})
        if candles:
            st.klines.sample(t, price, qty, quote, not buyer_maker, trade_id)
        st.last_price = price
        st.last_qty = qty
        st.ticker_changed = True
        if facts.kinds.isdisjoint(_MARK_KINDS):
            st.mark = st.index = price
        fills_from = "trade" if "trade" in facts.kinds else "aggTrade"
        if ev.kind == fills_from and st.book.user_orders:  # type: ignore[attr-defined]
            self._fill_resting(st, price, qty, buyer_maker, t)
        self.matcher.trades_happened(st)

    def _fill_resting(self, st: SymbolState, price: Decimal, qty: Decimal, buyer_maker: bool, t: int) -> None:
        """A replayed trade: a buyer-maker trade (taker sold) reaches resting user buys, else resting user sells."""
        book = _book(st)
        is_buy = buyer_maker
        left = qty
        for o in book.resting(is_buy):
            through = o.price > price if is_buy else o.price < price
            if not through and o.price != price:
                break
            if not o.is_open:
                continue
            if through:
                fill = o.remaining
            else:
                ahead = self.queue_ahead.get(id(o), ZERO)
                used = min(ahead, left)
                self.queue_ahead[id(o)] = ahead - used
                left -= used
                fill = min(left, o.remaining)
                left -= fill
                if fill <= 0:
                    continue
            self.matcher.fill_resting(st, o, o.price, fill)
            if o.remaining <= 0:
                self.queue_ahead.pop(id(o), None)

    def _cap_queues(self, st: SymbolState) -> None:
        book = _book(st)
        for o in book.user_orders:
            key = id(o)
            if key in self.queue_ahead:
                level = book.level_qty(o.is_buy, o.price)
                if level < self.queue_ahead[key]:
                    self.queue_ahead[key] = level

    @staticmethod
    def _candle(series: Any, k: dict) -> None:
        start = int(k["t"])
        c = Candle(start - start % MINUTE, Decimal(k["o"]))  # moved onto the sandbox clock: realign to its minutes
        c.h, c.l, c.c = Decimal(k["h"]), Decimal(k["l"]), Decimal(k["c"])
        c.volume, c.quote, c.count = Decimal(k["v"]), Decimal(k["q"]), int(k["n"])
        c.taker_volume, c.taker_quote = Decimal(k["V"]), Decimal(k["Q"])
        if c.open_time not in series.minutes:
            series.order.append(c.open_time)
        series.minutes[c.open_time] = c


def _book(st: SymbolState) -> ReplayOrderBook:
    """The replayed book of a replayed symbol (`attach` put it there)."""
    return cast(ReplayOrderBook, st.book)
