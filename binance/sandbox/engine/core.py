"""`MarketCore`: what every part of one market's engine shares: symbols and their states, accounts, ids, clock.

The bottom of the engine's one-way dependencies (see the package docstring): it knows nothing of
matching, accounts' margin, streams or where the market data comes from.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from .accounts import CM_FUNDING, UM_FUNDING, Account, Balance, Inverse, Linear
from .errors import INVALID_SYMBOL, EngineError
from .instruments import Instrument, cm_instruments, exchange_info, um_instruments
from .state import SymbolState
from .util import ZERO

MAKER_RATE = Decimal("0.0002")
TAKER_RATE = Decimal("0.0005")
CM_MAKER_RATE = Decimal("0.0002")
CM_TAKER_RATE = Decimal("0.0005")


class MarketCore:
    """Shared state of one market (UM or CM). `exchange` gives the clock (`now()`), `lock` and `listen_keys`."""

    def __init__(self, exchange: Any, kind: str, seed: int) -> None:
        self.exchange = exchange
        self.kind = kind
        self.rate_limits: Optional[list] = None
        """`exchangeInfo.rateLimits` to publish; `None`: Binance's defaults."""
        self.lock = exchange.lock
        self.rng = random.Random(f"{seed}:{kind}")
        self.id_rng = random.Random(f"{seed}:{kind}:ids")
        self.math = Linear if kind == "um" else Inverse
        self.maker_rate = MAKER_RATE if kind == "um" else CM_MAKER_RATE
        self.taker_rate = TAKER_RATE if kind == "um" else CM_TAKER_RATE
        instruments = um_instruments() if kind == "um" else cm_instruments(self.now())
        self.instruments: Dict[str, Instrument] = {i.symbol: i for i in instruments}
        self.states: Dict[str, SymbolState] = {}
        self.accounts: Dict[str, Account] = {}
        self._next_order_id = 1000 + self.rng.randint(0, 10**6) * 1000
        self._next_tran_id = 10**9 + self.rng.randint(0, 10**8)
        self.seq = 0
        """Arrival sequence of orders (price-time priority ties)."""
        self.replayed: Dict[str, Any] = {}
        """Symbols whose market data comes from a replay (symbol -> its feed); the others are simulated."""

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
        """The state of `symbol` (-1121 Invalid symbol when unknown)."""
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

    def next_seq(self) -> int:
        """The next arrival sequence number."""
        self.seq += 1
        return self.seq

    def book_top(self, st: SymbolState) -> Tuple:
        """(best bid, its qty, best ask, its qty) of a symbol's book."""
        bid, ask = st.book.best_bid(), st.book.best_ask()
        return (bid, st.book.level_qty(True, bid) if bid is not None else ZERO,
                ask, st.book.level_qty(False, ask) if ask is not None else ZERO)

    # ----------------------------------------------------------------- accounts
    def create_account(self, api_key: str, funded: bool = True) -> None:
        """Open an account for `api_key` (idempotent); `funded` credits the demo balances."""
        with self.lock:
            if api_key in self.accounts:
                return
            alias = "".join(self.id_rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") for _ in range(4))
            acct = Account(api_key=api_key, kind=self.kind, alias=alias + "uX" + alias[:2])
            now = self.now()
            for asset, amount in (UM_FUNDING if self.kind == "um" else CM_FUNDING).items():
                acct.balances[asset] = Balance(amount if funded else ZERO, now)
                if funded and amount:
                    acct.income.append(self.income_record("", "TRANSFER", amount, asset, now, "TRANSFER"))
            for sym, ins in self.instruments.items():
                acct.leverage[sym] = ins.default_leverage
                acct.margin_type[sym] = "CROSSED"
            self.accounts[api_key] = acct

    def has_account(self, api_key: str) -> bool:
        """Whether `api_key` has an account in this market."""
        return api_key in self.accounts

    def account(self, api_key: Optional[str]) -> Account:
        """The account of `api_key` (-2015 when it has none)."""
        acct = self.accounts.get(api_key or "")
        if acct is None:
            raise EngineError(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        return acct

    def income_record(self, symbol: str, kind: str, amount: Decimal, asset: str, now: int, info: str = "",
                      trade_id: str = "") -> dict:
        """An income history entry with a fresh transaction id."""
        return {"symbol": symbol, "incomeType": kind, "income": amount, "asset": asset, "info": info,
                "time": now, "tranId": self.next_tran_id(), "tradeId": trade_id}

