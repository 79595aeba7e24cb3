"""The simulated market-data source: the other participants (seeded history, resting liquidity, random quotes,
cancels and trades), as `SimulatedMarket`."""

from __future__ import annotations

import math
import random
from decimal import Decimal
from typing import List

from . import views
from .core import MarketCore
from .marketdata import HISTORY_MINUTES, MINUTE, Candle, Series
from .matching import Matcher
from .orders import Order
from .publisher import EventPublisher
from .state import DIFF_SPEEDS, FUNDING_INTERVAL_MS, SymbolState
from .util import round_down, round_to

LEVELS = 80
STEP_VOL = 0.00004


def _base_qty(st: SymbolState, rng: random.Random) -> Decimal:
    """A random participant order size (about $2k to $60k) rounded to the lot step."""
    ins = st.ins
    usd = Decimal(str(round(math.exp(rng.uniform(math.log(2000), math.log(60000))), 2)))
    qty = usd / ins.contract_size if ins.kind == "cm" else usd / st.fair
    qty = round_down(qty, ins.step)
    return max(qty, ins.step)


def seed_static(st: SymbolState, rng: random.Random, now: int) -> None:
    """Trade ids, funding and open-interest history of a new symbol; candles come later (`seed_candles`)."""
    ins = st.ins
    st.created = now
    st.history_seed = rng.getrandbits(64)
    st.next_trade_id = rng.randint(10**6, 10**7)
    st.first_live_trade_id = st.next_trade_id
    st.next_agg_id = st.next_trade_id // 3
    st.next_funding = now - now % FUNDING_INTERVAL_MS + FUNDING_INTERVAL_MS
    for k in range(1, 31):
        st.funding_history.append({
            "time": st.next_funding - k * FUNDING_INTERVAL_MS,
            "rate": Decimal(str(round(rng.uniform(-0.0001, 0.0003), 8))),
            "mark": round_to(st.fair * Decimal(str(1 + rng.gauss(0, 0.01))), ins.tick),
        })
    st.funding_history.reverse()
    st.open_interest = round_down(_base_qty(st, rng) * 2000, ins.step)
    for k in range(1, 31):
        ts = now - now % (5 * MINUTE) - k * 5 * MINUTE
        st.oi_history.append((ts, st.open_interest * Decimal(str(1 + rng.gauss(0, 0.01))), st.fair))
    st.oi_history.reverse()
    seed_trades(st, now)


SEEDED_TRADES = 30


def seed_trades(st: SymbolState, now: int) -> None:
    """The last `SEEDED_TRADES` trades before `now` (ids just below the live ones, at the start price, in the
    last history minute), so that `trades` and `aggTrades` are never empty, as on a listed contract."""
    ins = st.ins
    rng = random.Random(st.history_seed ^ 0x5EED)
    price = round_to(ins.start_price, ins.tick)
    minute = now - now % MINUTE - MINUTE
    times = sorted(minute + rng.randrange(MINUTE) for _ in range(SEEDED_TRADES))
    first_agg = st.next_agg_id - SEEDED_TRADES
    for k, ts in enumerate(times):
        qty = _base_qty(st, rng)
        trade_id = st.first_live_trade_id - SEEDED_TRADES + k
        buyer_maker = rng.random() < 0.5
        quote = qty * ins.contract_size / price if ins.kind == "cm" else qty * price
        st.trades.append({"id": trade_id, "price": price, "qty": qty, "quote": quote, "time": ts,
                          "isBuyerMaker": buyer_maker})
        st.aggs.append({"a": first_agg + k, "p": price, "q": qty, "f": trade_id, "l": trade_id, "T": ts,
                        "m": buyer_maker})
        st.last_qty = qty


def seed_candles(st: SymbolState) -> None:
    """Put `HISTORY_MINUTES` of plausible past 1m candles, ending at the start price, before the live ones."""
    if st.history_ready:
        return
    st.history_ready = True
    rng = random.Random(st.history_seed)
    ins = st.ins
    price = float(ins.start_price)
    closes: List[float] = [price]
    for _ in range(HISTORY_MINUTES):
        price *= math.exp(rng.gauss(0, 0.0009))
        closes.append(price)
    closes.reverse()
    counts = [rng.randint(10, 40) for _ in range(HISTORY_MINUTES)]
    trade_id = st.first_live_trade_id - sum(counts)
    start = st.created - st.created % MINUTE - HISTORY_MINUTES * MINUTE
    tick = float(ins.tick)
    places = max(0, -ins.tick.normalize().as_tuple().exponent)
    size = float(ins.contract_size) if ins.kind == "cm" else 0.0
    live = (st.klines, st.index_klines, st.mark_klines, st.premium_klines)
    fresh = (Series(), Series(), Series(), Series())
    for i in range(HISTORY_MINUTES):
        ts = start + i * MINUTE
        o, c = closes[i], closes[i + 1]
        h = max(o, c) * (1 + abs(rng.gauss(0, 0.0004)))
        low = min(o, c) * (1 - abs(rng.gauss(0, 0.0004)))
        o_d, h_d, l_d, c_d = (Decimal(f"{round(x / tick) * tick:.{places}f}") for x in (o, h, low, c))
        count = counts[i]
        usd = rng.uniform(2000, 60000) * count
        qty_f = usd / size if size else usd / c
        qty = Decimal(f"{qty_f:.{ins.qty_precision}f}")
        quote = Decimal(f"{(qty_f * size / c) if size else qty_f * c:.8f}")
        candle = Candle(ts, o_d)
        candle.h, candle.l, candle.c = max(h_d, o_d, c_d), min(l_d, o_d, c_d), c_d
        candle.volume, candle.quote, candle.count = qty, quote, count
        buy_share = Decimal(str(round(rng.uniform(0.3, 0.7), 2)))
        candle.taker_volume = (qty * buy_share).quantize(ins.step)
        candle.taker_quote = (quote * buy_share).quantize(Decimal("0.00000001"))
        candle.first_id, candle.last_id = trade_id, trade_id + count - 1
        trade_id += count
        _put(fresh[0], candle)
        idx = Candle(ts, o_d * Decimal("0.9998"))
        idx.h, idx.l, idx.c = h_d * Decimal("0.9998"), l_d * Decimal("0.9998"), c_d * Decimal("0.9998")
        _put(fresh[1], idx)
        mark = Candle(ts, o_d)
        mark.h, mark.l, mark.c = candle.h, candle.l, c_d
        _put(fresh[2], mark)
        _put(fresh[3], Candle(ts, Decimal("0.00020004")))
    for old, new in zip(live, fresh):
        for ts in old.order:
            if ts not in new.minutes:
                _put(new, old.minutes[ts])
        old.minutes, old.order = new.minutes, new.order


def _put(series, candle: Candle) -> None:
    series.minutes[candle.open_time] = candle
    series.order.append(candle.open_time)


def seed_book(engine: "SimulatedMarket", st: SymbolState, rng: random.Random) -> None:
    """Rest `LEVELS` participant levels on each side around the start price."""
    ins = st.ins
    mid = round_to(st.fair, ins.tick)
    bid = mid - ins.tick
    ask = mid + ins.tick
    for i in range(LEVELS):
        for is_buy, price in ((True, bid), (False, ask)):
            for _ in range(rng.randint(1, 3)):
                st.book.add(engine.sim_order(st.ins.symbol, is_buy, price, _base_qty(st, rng)))
        gap = ins.tick * rng.randint(1, 2 + i // 8)
        bid -= gap
        ask += gap


def step_symbol(engine: "SimulatedMarket", st: SymbolState, rng: random.Random) -> None:
    """One tick of the participants: price drift, cancels, new quotes, a random taker, refills."""
    ins = st.ins
    drift = (float(ins.start_price) - float(st.fair)) / float(ins.start_price) * 0.0005
    st.fair = st.fair * Decimal(str(math.exp(rng.gauss(drift, STEP_VOL))))
    book = st.book
    for _ in range(rng.randint(0, 3)):
        side = book.bids if rng.random() < 0.5 else book.asks
        prices = list(side.prices())
        if len(prices) < LEVELS * 3 // 4:
            continue
        price = prices[min(len(prices) - 1, int(rng.expovariate(1 / 8)))]
        queue = side.levels[price]
        sims = [o for o in queue if o.owner is None]
        if sims:
            book.remove(rng.choice(sims))
    for _ in range(rng.randint(1, 3)):
        is_buy = rng.random() < 0.5
        offset = ins.tick * int(rng.expovariate(1 / 6))
        ref = round_to(st.fair, ins.tick)
        price = ref - ins.tick - offset if is_buy else ref + ins.tick + offset
        if price <= 0:
            continue
        engine.sim_limit(st, is_buy, price, _base_qty(st, rng))
    if rng.random() < 0.35:
        qty = _base_qty(st, rng)
        engine.sim_market(st, rng.random() < 0.5 + float((st.fair - st.mid()) / st.fair) * 200, qty)
    for is_buy in (True, False):
        side = book.side(is_buy)
        while len(side) < LEVELS * 3 // 4:
            prices = list(side.prices())
            edge = prices[-1] if prices else None
            if edge is None:
                edge = round_to(st.fair, ins.tick) + (-ins.tick if is_buy else ins.tick)
            gap = ins.tick * rng.randint(1, 6)
            price = edge - gap if is_buy else edge + gap
            if price <= 0:
                break
            book.add(engine.sim_order(ins.symbol, is_buy, price, _base_qty(st, rng)))
    index_noise = Decimal(str(rng.gauss(0, 0.00005)))
    st.index = round_to(st.fair * (1 + index_noise), ins.tick / 10 if ins.tick < 1 else ins.tick)
    st.basis = st.basis * Decimal("0.9") + (st.mid() - st.index) * Decimal("0.1")
    st.mark = (st.index + st.basis).quantize(Decimal("0.00000001"))
    if ins.contract_type == "PERPETUAL":
        prem = st.premium()
        clamp = max(min(Decimal("0.0001") - prem, Decimal("0.0005")), Decimal("-0.0005"))
        st.funding_rate = max(min(prem + clamp, Decimal("0.003")), Decimal("-0.003")).quantize(Decimal("0.00000001"))
    if rng.random() < 0.002:
        engine.sim_liquidation(st, rng.random() < 0.5, _base_qty(st, rng))


def new_sim_order(order_id: int, symbol: str, is_buy: bool, price: Decimal, qty: Decimal, now: int) -> Order:
    """A participant's GTC limit order."""
    return Order(order_id=order_id, symbol=symbol, side="BUY" if is_buy else "SELL", type="LIMIT", qty=qty,
                 price=price, orig_type="LIMIT", time=now, update_time=now)


class SimulatedMarket:
    """The simulated market-data source: seeds every symbol, then moves the non-replayed ones each step.

    It sends the participants' orders through the matcher like any other order (so it depends on
    the book and matching, and nothing depends on it but the engine that steps it).
    """

    def __init__(self, core: MarketCore, events: EventPublisher, matcher: Matcher) -> None:
        self.core = core
        self.events = events
        self.matcher = matcher

    def seed(self) -> None:
        """Create every symbol's state with its seeded history and resting liquidity."""
        core = self.core
        now = core.now()
        with core.lock:
            for ins in core.instruments.values():
                st = SymbolState(ins, core.rng.randint(10**9, 2 * 10**9))
                seed_static(st, core.rng, now)
                core.states[ins.symbol] = st
                seed_book(self, st, core.rng)
                st.last_book_ticker = core.book_top(st)
                for speed, _ in DIFF_SPEEDS:
                    st.book.take_changes(speed)
                    st.last_diff_u[speed] = st.book.update_id
                st.book.take_changes("rpi")
                st.last_rpi_u = st.book.update_id

    def step_symbol(self, st: SymbolState) -> None:
        """One tick of the participants of one symbol."""
        step_symbol(self, st, self.core.rng)

    def sim_order(self, symbol: str, is_buy: bool, price: Decimal, qty: Decimal) -> Order:
        """A participant order object (not yet on the book)."""
        o = new_sim_order(self.core.next_order_id(), symbol, is_buy, price, qty, self.core.now())
        o.seq = self.core.next_seq()
        return o

    def sim_limit(self, st: SymbolState, is_buy: bool, price: Decimal, qty: Decimal) -> None:
        """A participant limit order: trades what it crosses, rests the rest."""
        o = self.sim_order(st.ins.symbol, is_buy, price, qty)
        self.matcher.match(st, o)
        if o.remaining > 0:
            st.book.add(o)

    def sim_market(self, st: SymbolState, is_buy: bool, qty: Decimal) -> None:
        """A participant market order."""
        o = self.sim_order(st.ins.symbol, is_buy, Decimal(0), qty)
        o.type = o.orig_type = "MARKET"
        self.matcher.match(st, o)

    def sim_liquidation(self, st: SymbolState, is_buy: bool, qty: Decimal) -> None:
        """A participant's liquidation: a market order published on the forceOrder streams."""
        before = st.last_price
        o = self.sim_order(st.ins.symbol, is_buy, Decimal(0), qty)
        o.type = o.orig_type = "MARKET"
        o.tif = "IOC"
        self.matcher.match(st, o)
        if o.filled == 0:
            return
        bound = before * (Decimal("1.01") if is_buy else Decimal("0.99"))
        self.events.emit_force_order(st, views.force_order_event(o, st.ins, bound, self.core.now()))

    def reset_book(self, symbol: str) -> None:
        """Remove every participant order of `symbol` from the book (user orders stay)."""
        with self.core.lock:
            st = self.core.state(symbol)
            for is_buy in (True, False):
                side = st.book.side(is_buy)
                for price in list(side.prices()):
                    for o in list(side.levels.get(price, ())):
                        if o.owner is None:
                            st.book.remove(o)

    def add_liquidity(self, symbol: str, side: str, price: object, qty: object) -> None:
        """Place a participant limit order (`side` BUY/SELL) as if another trader sent it; it may trade."""
        with self.core.lock:
            st = self.core.state(symbol)
            self.sim_limit(st, side == "BUY", Decimal(str(price)), Decimal(str(qty)))
