"""MarketEngine: one market (UM or CM) — symbols, book matching, accounts, simulation step, listeners."""

from __future__ import annotations

import logging
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple

from . import sim
from .account_views import AccountViewsMixin
from .accounts import CM_FUNDING, UM_FUNDING, Account, Balance, Inverse, Linear
from .errors import INVALID_SYMBOL, EngineError
from .instruments import Instrument, cm_instruments, exchange_info, um_instruments
from .market_views import MarketViewsMixin
from .orders import Order
from .state import DIFF_SPEEDS, SymbolState
from .streams import StreamsMixin
from .trading import TradingMixin
from .util import ZERO

if TYPE_CHECKING:  # pragma: no cover
    from .exchange import Exchange

log = logging.getLogger(__name__)

Listener = Callable[[str, object, dict], None]
MAKER_RATE = Decimal("0.0002")
TAKER_RATE = Decimal("0.0005")
CM_MAKER_RATE = Decimal("0.0002")
CM_TAKER_RATE = Decimal("0.0005")


class MarketEngine(TradingMixin, AccountViewsMixin, MarketViewsMixin, StreamsMixin):
    """The exchange of one market. Every public method expects the caller to hold ``exchange.lock``
    (``handlers.dispatch`` and ``step`` take it)."""

    def __init__(self, exchange: "Exchange", kind: str, seed: int) -> None:
        self.exchange = exchange
        self.kind = kind
        self.rate_limits: Optional[list] = None
        """``exchangeInfo.rateLimits`` to publish; ``None``: Binance's defaults."""
        self.lock = exchange.lock
        self.rng = random.Random(f"{seed}:{kind}")
        self.id_rng = random.Random(f"{seed}:{kind}:ids")
        self.math = Linear if kind == "um" else Inverse
        self.maker_rate = MAKER_RATE if kind == "um" else CM_MAKER_RATE
        self.taker_rate = TAKER_RATE if kind == "um" else CM_TAKER_RATE
        now = self.now()
        instruments = um_instruments() if kind == "um" else cm_instruments(now)
        self.instruments: Dict[str, Instrument] = {i.symbol: i for i in instruments}
        self.states: Dict[str, SymbolState] = {}
        self.accounts: Dict[str, Account] = {}
        self._listeners: List[Listener] = []
        self._next_order_id = 1000 + self.rng.randint(0, 10**6) * 1000
        self._next_tran_id = 10**9 + self.rng.randint(0, 10**8)
        self._seq = 0
        self._kline_open: Dict[str, int] = {}
        self._partial_last: Dict[str, int] = {}
        self._steps = 0
        self.last_step = now
        with self.lock:
            for ins in instruments:
                st = SymbolState(ins, self.rng.randint(10**9, 2 * 10**9))
                sim.seed_static(st, self.rng, now)
                self.states[ins.symbol] = st
                sim.seed_book(self, st, self.rng)
                st.last_book_ticker = self._book_top(st)
                for speed, _ in DIFF_SPEEDS:
                    st.book.take_changes(speed)
                    st.last_diff_u[speed] = st.book.update_id
                st.book.take_changes("rpi")
                st.last_rpi_u = st.book.update_id

    # ----------------------------------------------------------------- basics
    def now(self) -> int:
        """Exchange time in ms."""
        return self.exchange.now()

    def symbols(self) -> List[str]:
        """Symbols of this market."""
        return list(self.instruments)

    def exchange_info(self) -> dict:
        """The full exchangeInfo document."""
        return exchange_info(self.kind, list(self.instruments.values()), self.now(), self.rate_limits)

    def state(self, symbol: Optional[str]) -> SymbolState:
        """The state of ``symbol`` (-1121 Invalid symbol when unknown)."""
        st = self.states.get(symbol or "")
        if st is None:
            raise EngineError(*INVALID_SYMBOL)
        return st

    def pair_states(self, pair: Optional[str]) -> List[SymbolState]:
        """States of every symbol of a pair (-1121 when none)."""
        found = [st for st in self.states.values() if st.ins.pair == pair]
        if not found:
            raise EngineError(*INVALID_SYMBOL)
        return found

    def next_order_id(self) -> int:
        """A fresh order id."""
        self._next_order_id += 1
        return self._next_order_id

    def next_tran_id(self) -> int:
        """A fresh transaction id (income records)."""
        self._next_tran_id += 1
        return self._next_tran_id

    # ----------------------------------------------------------------- accounts
    def create_account(self, api_key: str, funded: bool = True) -> None:
        """Open an account for ``api_key`` (idempotent); ``funded`` credits the demo balances."""
        with self.lock:
            if api_key in self.accounts:
                return
            alias = "".join(self.id_rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") for _ in range(4))
            acct = Account(api_key=api_key, kind=self.kind, alias=alias + "uX" + alias[:2])
            now = self.now()
            for asset, amount in (UM_FUNDING if self.kind == "um" else CM_FUNDING).items():
                acct.balances[asset] = Balance(amount if funded else ZERO, now)
                if funded and amount:
                    acct.income.append(self._income_record("", "TRANSFER", amount, asset, now, "TRANSFER"))
            for sym, ins in self.instruments.items():
                acct.leverage[sym] = ins.default_leverage
                acct.margin_type[sym] = "CROSSED"
            self.accounts[api_key] = acct

    def has_account(self, api_key: str) -> bool:
        """Whether ``api_key`` has an account in this market."""
        return api_key in self.accounts

    def account(self, api_key: Optional[str]) -> Account:
        """The account of ``api_key`` (-2015 when it has none)."""
        acct = self.accounts.get(api_key or "")
        if acct is None:
            raise EngineError(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        return acct

    def _income_record(self, symbol: str, kind: str, amount: Decimal, asset: str, now: int, info: str = "",
                       trade_id: str = "") -> dict:
        return {"symbol": symbol, "incomeType": kind, "income": amount, "asset": asset, "info": info,
                "time": now, "tranId": self.next_tran_id(), "tradeId": trade_id}

    # ----------------------------------------------------------------- listeners
    def add_listener(self, fn: Listener) -> None:
        """Register ``fn(channel, key, payload)`` for market-stream and user-data events."""
        self._listeners.append(fn)

    def remove_listener(self, fn: Listener) -> None:
        """Unregister a listener (no error when it is not registered)."""
        if fn in self._listeners:
            self._listeners.remove(fn)

    def emit(self, channel: str, key: object, payload: dict) -> None:
        """Call every listener; a failing listener is logged and does not stop the others."""
        for fn in list(self._listeners):
            try:
                fn(channel, key, payload)
            except Exception:  # noqa: BLE001 - a listener must never break the engine
                log.exception("sandbox listener failed for %s %s", channel, key if channel == "market" else "")

    def emit_user(self, api_key: Optional[str], payload: dict) -> None:
        """Send a user-data event to ``api_key``'s streams."""
        if api_key is not None:
            self.emit("user", api_key, payload)

    # ----------------------------------------------------------------- simulation
    def sim_order(self, symbol: str, is_buy: bool, price: Decimal, qty: Decimal) -> Order:
        """A participant order object (not yet on the book)."""
        o = sim.new_sim_order(self.next_order_id(), symbol, is_buy, price, qty, self.now())
        self._seq += 1
        o.seq = self._seq
        return o

    def sim_limit(self, st: SymbolState, is_buy: bool, price: Decimal, qty: Decimal) -> None:
        """A participant limit order: trades what it crosses, rests the rest."""
        o = self.sim_order(st.ins.symbol, is_buy, price, qty)
        self.match(st, o)
        if o.remaining > 0:
            st.book.add(o)

    def sim_market(self, st: SymbolState, is_buy: bool, qty: Decimal) -> None:
        """A participant market order."""
        o = self.sim_order(st.ins.symbol, is_buy, Decimal(0), qty)
        o.type = o.orig_type = "MARKET"
        self.match(st, o)

    def sim_liquidation(self, st: SymbolState, is_buy: bool, qty: Decimal) -> None:
        """A participant's liquidation: a market order published on the forceOrder streams."""
        before = st.last_price
        o = self.sim_order(st.ins.symbol, is_buy, Decimal(0), qty)
        o.type = o.orig_type = "MARKET"
        o.tif = "IOC"
        self.match(st, o)
        if o.filled == 0:
            return
        now = self.now()
        avg = o.avg_price()
        ins = st.ins
        bound = before * (Decimal("1.01") if is_buy else Decimal("0.99"))
        payload = {
            "e": "forceOrder", "E": now,
            "o": {"s": ins.symbol, "S": o.side, "o": "LIMIT", "f": "IOC", "q": ins.fmt_qty(o.qty),
                  "p": ins.fmt_price(bound), "ap": ins.fmt_price(avg), "X": "FILLED",
                  "l": ins.fmt_qty(o.filled), "z": ins.fmt_qty(o.filled), "T": now},
        }
        if ins.kind == "cm":
            payload["o"]["ps"] = ins.pair
        st.force_orders.append(payload)
        self.emit("market", f"{ins.symbol.lower()}@forceOrder", payload)
        self.emit("market", "!forceOrder@arr", dict(payload, ps=ins.pair, st=1 if ins.kind == "um" else 2))

    def step(self) -> None:
        """Advance the market once: participants act, prices move, triggers/expiries/funding run, diffs go out."""
        with self.lock:
            now = self.now()
            self._steps += 1
            for st in self.states.values():
                if self._steps % st.ins.sim_every == 0:
                    sim.step_symbol(self, st, self.rng)
                self.record_price_samples(st, now)
                self.check_triggers(st)
            self.expire_orders(now)
            self.run_countdowns(now)
            self.settle_funding(now)
            self.check_margin_calls(now)
            for key, api_key in self.exchange.listen_keys.collect_expired(self.kind):
                self.emit("user", api_key, {"e": "listenKeyExpired", "E": now, "listenKey": key})
            for st in self.states.values():
                self.emit_depth_diffs(st, now)
                self.emit_book_ticker(st, now)
            self.last_step = now

    # ----------------------------------------------------------------- controls for tests and demos
    def reset_book(self, symbol: str) -> None:
        """Remove every participant order of ``symbol`` from the book (user orders stay)."""
        with self.lock:
            st = self.state(symbol)
            for is_buy in (True, False):
                side = st.book.side(is_buy)
                for price in list(side.prices()):
                    for o in list(side.levels.get(price, ())):
                        if o.owner is None:
                            st.book.remove(o)

    def add_liquidity(self, symbol: str, side: str, price: object, qty: object) -> None:
        """Place a participant limit order (``side`` BUY/SELL) as if another trader sent it; it may trade."""
        with self.lock:
            st = self.state(symbol)
            self.sim_limit(st, side == "BUY", Decimal(str(price)), Decimal(str(qty)))

    def set_mark_price(self, symbol: str, mark: object, index: Optional[object] = None) -> None:
        """Force the mark (and index) price of ``symbol``, then run the conditional-order triggers."""
        with self.lock:
            st = self.state(symbol)
            st.mark = Decimal(str(mark))
            st.index = Decimal(str(index if index is not None else mark))
            st.basis = ZERO
            self.check_triggers(st)

    def record_price_samples(self, st: SymbolState, now: int) -> None:
        """Feed mark/index/premium candles."""
        st.mark_klines.sample(now, st.mark)
        st.index_klines.sample(now, st.index)
        st.premium_klines.sample(now, st.premium().quantize(Decimal("0.00000001")))

    def _book_top(self, st: SymbolState) -> Tuple:
        bid, ask = st.book.best_bid(), st.book.best_ask()
        return (bid, st.book.level_qty(True, bid) if bid is not None else ZERO,
                ask, st.book.level_qty(False, ask) if ask is not None else ZERO)
